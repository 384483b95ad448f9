"""Config file → validated `Config`, or a `ConfigError` with one line per problem.

Lines read `<file>: <dotted.path>: <what is wrong, and what is allowed>`.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from dualstack_aks.config import Config
from dualstack_aks.validation import check_config


class ConfigError(Exception):
    """One or more problems in a config file, each already formatted as one line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _dotted(location: tuple) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not str(part).startswith(("function-", "lambda")):
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _message(error: dict) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden":
        return "unknown key; check the spelling against the configuration reference"
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        return f"{message.replace('Input should be', 'must be')}, got {error['input']!r}"
    if kind == "string_pattern_mismatch":
        return f"must match {error['ctx']['pattern']}, got {error['input']!r}"
    return message.removeprefix("Value error, ").replace("Input should be", "must be")


def parse_config(data: object, source: str) -> Config:
    """Validate already-parsed YAML; raise ConfigError with one line per problem."""
    if not isinstance(data, dict):
        raise ConfigError([f"{source}: (top level): must be a mapping of settings, got {type(data).__name__}"])
    try:
        config = Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError([f"{source}: {_dotted(e['loc'])}: {_message(e)}" for e in error.errors()]) from None
    problems = check_config(config)
    if problems:
        raise ConfigError([f"{source}: {path}: {message}" for path, message in problems])
    return config


def load_config(path: str | Path) -> Config:
    """Read and validate one YAML config file."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{source}: (file): not found"]) from None
    except OSError as error:
        raise ConfigError([f"{source}: (file): cannot be read: {error.strerror}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise ConfigError([f"{source}: (yaml): invalid YAML at {where}: {problem}"]) from None
    if data is None:
        raise ConfigError([f"{source}: (file): is empty; it needs at least `dns.zone` and `regions`"])
    return parse_config(data, source)
