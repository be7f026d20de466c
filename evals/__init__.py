"""auditlens evals: fixture suites that score analyzers against labels and a baseline."""
