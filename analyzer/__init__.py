"""auditlens analyzer core: domain models, taxonomy, ports and the analysis service."""

__version__ = "0.1.0"
