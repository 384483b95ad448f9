"""What the entry points share (main.py, bootstrap_state.py, scripts/preflight.py): which config
file to read, and a bad config reported as one line per problem instead of a stack trace."""

from __future__ import annotations

import argparse
import os
import sys

from dualstack_aks.model.config import Config
from dualstack_aks.model.loading import ConfigError, load_config

DEFAULT_CONFIG = "config/default.yaml"
EXIT_BAD_CONFIG = 2


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help=f"YAML config (default: $DUALSTACK_CONFIG, else {DEFAULT_CONFIG})")


def _config_path(option: str | None) -> str:
    # `--config ''` is a mistake to report, not a request for the default.
    return option if option is not None else os.environ.get("DUALSTACK_CONFIG") or DEFAULT_CONFIG


def load_or_report(option: str | None) -> tuple[str, Config | None]:
    """The config file `--config` names (else $DUALSTACK_CONFIG, else the default), and its
    validated config, or None once its problems are printed to stderr."""
    path = _config_path(option)
    try:
        return path, load_config(path)
    except ConfigError as error:
        print("\n".join(error.problems), file=sys.stderr)
        return path, None
