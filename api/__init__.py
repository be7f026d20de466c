"""auditlens service layer: HTTP API, CLI, background jobs and batch runs."""
