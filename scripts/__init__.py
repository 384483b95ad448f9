"""Developer and CI tooling, run from the repository root as `python -m scripts.<name>`."""
