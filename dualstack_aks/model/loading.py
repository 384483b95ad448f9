"""Config file → validated `Config`, or a `ConfigError` with one line per problem.

Lines read `<file>: <dotted.path>: <what is wrong, and what is allowed>`.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from dualstack_aks.model.config import Config, nested_model
from dualstack_aks.model.validation import check_config


class ConfigError(Exception):
    """One or more problems in a config file, each already formatted as one line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key given twice in one mapping instead of keeping the last one."""

    def construct_mapping(self, node, deep=False):
        first_lines: dict[object, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = self.construct_object(key_node)
                if key in first_lines:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r} (first given on line {first_lines[key]})", key_node.start_mark
                    )
                first_lines[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)


def _dotted(location: tuple) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not str(part).startswith(("function-", "lambda")):
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _model_at(location: tuple) -> type[BaseModel] | None:
    """The model that holds the keys at `location`, or None when it is not a model."""
    model: type[BaseModel] | None = Config
    for part in location:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model is not None else None
        if field is None:
            return None
        model = nested_model(field.annotation)
    return model


def _keys(location: tuple) -> list[str]:
    model = _model_at(location)
    return list(model.model_fields) if model is not None else []


def _describe(value: object) -> str:
    """A YAML reader's name for a parsed value."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _quote_hint(value: object) -> str:
    # YAML reads 1, 1.33 and yes as a number or boolean; quoting keeps the text.
    return "; put it in quotes" if isinstance(value, bool | int | float) else ""


# Pydantic error type -> message; {got} is the input as a YAML reader would name it.
_MESSAGES = {
    "list_type": "must be a list, got {got}",
    "string_type": "must be text, got {got}{quote}",
    "int_type": "must be a whole number, got {got}",
    "bool_type": "must be true or false, got {got}",
    "float_type": "must be a number, got {got}",
    "greater_than_equal": "must be at least {ge}, got {input}",
    "less_than_equal": "must be at most {le}, got {input}",
    "greater_than": "must be more than {gt}, got {input}",
    "less_than": "must be less than {lt}, got {input}",
    "too_short": "must have at least {min_length} item(s), got {actual_length}",
    "too_long": "must have at most {max_length} item(s), got {actual_length}",
    "string_too_short": "must be at least {min_length} character(s) long, got {got}",
    "string_too_long": "must be at most {max_length} characters long, got {got}",
    "literal_error": "must be {expected}, got {got}{quote}",
    "string_pattern_mismatch": "must match {pattern}, got {input!r}",
}


def _message(error: dict) -> str:
    kind, value, location = error["type"], error.get("input"), error["loc"]
    if kind in _MESSAGES:
        return _MESSAGES[kind].format(got=_describe(value), quote=_quote_hint(value), input=value, **error.get("ctx", {}))
    if kind == "extra_forbidden":
        allowed = _keys(location[:-1])
        guess = difflib.get_close_matches(str(location[-1]), allowed, n=1)
        suggestion = f"did you mean {guess[0]!r}? " if guess else ""
        return f"unknown key; {suggestion}allowed: {', '.join(allowed)}"
    if kind == "missing":
        parent = _model_at(location[:-1])
        field = parent.model_fields.get(location[-1]) if parent is not None else None
        return f"is required ({field.description.rstrip('.')})" if field is not None and field.description else "is required"
    if kind in ("model_type", "dict_type"):
        keys = _keys(location)
        return f"must be a mapping{' with keys ' + ', '.join(keys) if keys else ''}, got {_describe(value)}"
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, ")
    return f"{error['msg'].replace('Input should be', 'must be')}, got {_describe(value)}"


def _yaml_problem(error: yaml.YAMLError, text: str) -> str:
    """Where and what, for the reader's errors (bad characters) and the parser's (marked) ones."""
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1
        column = error.position - text.rfind("\n", 0, error.position)
        return f"invalid YAML at line {line}, column {column}: character #x{error.character:04x} is not allowed"
    mark = getattr(error, "problem_mark", None)
    if mark is None:
        return f"invalid YAML: {error}"
    return f"invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {error.problem}"


def parse_config(data: object, source: str) -> Config:
    """Validate already-parsed YAML; raise ConfigError with one line per problem."""
    if not isinstance(data, dict):
        raise ConfigError([f"{source}: (top level): must be a mapping of settings like `dns:` and `regions:`, got {_describe(data)}"])
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
    except UnicodeDecodeError:
        raise ConfigError([f"{source}: (file): is not UTF-8 text"]) from None
    except OSError as error:
        raise ConfigError([f"{source}: (file): cannot be read: {error.strerror}"]) from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as error:
        raise ConfigError([f"{source}: (yaml): {_yaml_problem(error, text)}"]) from None
    if data is None:
        raise ConfigError([f"{source}: (file): is empty; it needs at least `dns.zone` and `regions`"])
    return parse_config(data, source)
