"""What the entry points share (main.py, bootstrap_state.py, scripts/preflight.py): which config
file to read, and a bad config reported as one line per problem instead of a stack trace."""

from __future__ import annotations

import argparse
import os
import sys

from dualstack_aks.config import Config
from dualstack_aks.loader import ConfigError, load_config

DEFAULT_CONFIG = "config/default.yaml"
EXIT_BAD_CONFIG = 2


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help=f"YAML config (default: $DUALSTACK_CONFIG, else {DEFAULT_CONFIG})")


def config_path(option: str | None) -> str:
    return option or os.environ.get("DUALSTACK_CONFIG") or DEFAULT_CONFIG


def load_or_report(path: str) -> Config | None:
    """The validated config, or None once its problems are printed to stderr."""
    try:
        return load_config(path)
    except ConfigError as error:
        print("\n".join(error.problems), file=sys.stderr)
        return None
