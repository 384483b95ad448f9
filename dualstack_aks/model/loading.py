"""Config file → validated `Config`, or a `ConfigError` with one line per problem.

Lines read `<file>:<line>:<col>: <dotted.path>: <what is wrong, and what is allowed>`; the
position is left out when there is none (a file that cannot be read, a config not from a file).
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.composer import MaxDepthExceededError
from ruamel.yaml.constructor import ConstructorError, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, StreamMark, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from dualstack_aks.errors import BadInput, one_line, shown
from dualstack_aks.model.config import Config, nested_model
from dualstack_aks.model.validation import check_config


class ConfigError(BadInput):
    """One or more problems in a config file, each already formatted as one line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# A config is a few levels deep; hundreds of levels are an attack on the parser's recursion.
MAX_DEPTH = 32
# Larger files are not configs; refusing them before reading keeps memory bounded.
MAX_BYTES = 1024 * 1024
# More digits than any setting takes; Python refuses to convert thousands of them anyway.
MAX_DIGITS = 20
_CORE_TAGS = "tag:yaml.org,2002:"
_MERGE_TAG = f"{_CORE_TAGS}merge"
# Aliases let a few lines stand for billions of values (nine levels of ten aliases: 10^9), which every
# later step would walk; the largest shipped config expands to a few hundred.
MAX_EXPANDED_NODES = 100_000
# The node kind each core tag's constructor expects; ruamel fails on another kind with an AttributeError.
_TAG_KINDS: dict[str, type[Node]] = {
    **{f"{_CORE_TAGS}{name}": MappingNode for name in ("map", "set")},
    **{f"{_CORE_TAGS}{name}": SequenceNode for name in ("seq", "omap", "pairs")},
    **{f"{_CORE_TAGS}{name}": ScalarNode for name in ("str", "int", "float", "bool", "null", "timestamp", "merge", "binary")},
}
_KIND_NAMES = {MappingNode: "a mapping", SequenceNode: "a list", ScalarNode: "a single value"}
_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9]*)")
# YAML 1.1 readers (PyYAML, many editors) take these plain scalars as base-60 numbers: 5:00 is 300.
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?")
_FILE_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


@dataclass(frozen=True)
class _Unclear:
    """A scalar that must not become a value (YAML readers disagree on it, or it is too long); validation reports it."""

    message: str


class _Constructor(SafeConstructor):
    """Safe constructor that rejects duplicate keys, collects keys that are not text, and turns
    numbers YAML readers disagree on, and dates, into `_Unclear` values instead of guessing."""

    def __init__(self, preserve_quotes: bool | None = None, loader: Any = None) -> None:
        super().__init__(preserve_quotes=preserve_quotes, loader=loader)
        # Keyed by node: a mapping merged into others (`<<: *base`) is read more than once.
        self.key_problems: dict[Node, str] = {}

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        self.flatten_mapping(node)  # resolves `<<:` merge keys: merged pairs come first in node.value
        merged = len(node.merge or ())
        mapping: dict[str, object] = {}
        first_lines: dict[str, int] = {}
        for position, (key_node, value_node) in enumerate(node.value):
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                self.key_problems[key_node] = f"keys must be text, got {_describe(key)}; put the key in quotes"
                continue
            if position >= merged:  # the mapping's own keys may override merged ones, not each other
                if key in first_lines:
                    raise ConstructorError(None, None, f"duplicate key {key!r} (first given on line {first_lines[key]})", key_node.start_mark)
                first_lines[key] = key_node.start_mark.line + 1
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_yaml_int(self, node: ScalarNode) -> int | _Unclear:  # type: ignore[override]  # _Unclear is reported, never used
        text = node.value
        if not _DECIMAL.fullmatch(text):
            return _Unclear(f"YAML readers disagree on what {text} is (octal, base 60, or text); write plain decimal digits, or put it in quotes if it is text")
        if len(text.lstrip("+-")) > MAX_DIGITS:
            return _Unclear(f"a number with {len(text.lstrip('+-'))} digits is larger than any setting takes")
        return int(text)

    def construct_yaml_float(self, node: ScalarNode) -> float | _Unclear:  # type: ignore[override]  # _Unclear is reported, never used
        try:
            return super().construct_yaml_float(node)
        except (ValueError, IndexError):  # `!!float abc`, `!!float ""`
            return _Unclear(f"the tag !!float needs a number, got {shown(node.value)}")

    def construct_yaml_bool(self, node: ScalarNode) -> bool | _Unclear:  # type: ignore[override]
        try:
            return super().construct_yaml_bool(node)
        except KeyError:  # `!!bool abc`
            return _Unclear(f"the tag !!bool needs true or false, got {shown(node.value)}")

    def construct_yaml_str(self, node: ScalarNode) -> str | _Unclear:
        if node.style is None and _SEXAGESIMAL.fullmatch(node.value):
            return _Unclear(f"YAML 1.1 readers take {node.value} for a base-60 number; put it in quotes if it is text")
        return super().construct_yaml_str(node)

    def construct_yaml_timestamp(self, node: ScalarNode, values: object = None) -> _Unclear:
        # No setting is a date, and building one from 2024-13-45 raises.
        return _Unclear(f"YAML reads {node.value} as a date; put it in quotes if it is text")


_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)
_Constructor.add_constructor("tag:yaml.org,2002:str", _Constructor.construct_yaml_str)
_Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.construct_yaml_float)
_Constructor.add_constructor("tag:yaml.org,2002:bool", _Constructor.construct_yaml_bool)
_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def problem_line(source: str, position: tuple[int, int] | None, path: str, message: str) -> str:
    """The one format of a problem: `<file>:<line>:<col>: <dotted.path>: <message>`, always one line."""
    where = f"{source}:{position[0]}:{position[1]}" if position is not None else source
    return one_line(f"{where}: {path}: {message}")


def _parts(location: Iterable[str | int]) -> list[str | int]:
    """The keys and list indexes of a pydantic error location, without its validator names."""
    return [part for part in location if isinstance(part, int) or not str(part).startswith(("function-", "lambda"))]


def _split(dotted: str) -> list[str | int]:
    """`regions[1].network.vnet` -> ["regions", 1, "network", "vnet"]."""
    return [int(part[1:-1]) if part.startswith("[") else part for part in re.findall(r"\[\d+\]|[^.\[\]]+", dotted)]


def _at(mark: StreamMark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _position(root: Node | None, parts: Iterable[str | int]) -> tuple[int, int] | None:
    """Line and column of the key or list item at `parts`, else of its nearest parent in the file."""
    if root is None:
        return None
    node, mark = root, root.start_mark
    for part in parts:
        if isinstance(node, MappingNode) and isinstance(part, str):
            # Merged keys come first in a flattened mapping; the mapping's own key wins.
            matches = [(key, value) for key, value in node.value if isinstance(key, ScalarNode) and key.value == part]
            if not matches:
                break
            key_node, node = matches[-1]
            mark = key_node.start_mark
        elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            mark = node.start_mark
        else:
            break
    return _at(mark)


def _dotted(location: tuple) -> str:
    path = ""
    for part in _parts(location):
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
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
        return shown(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _quote_hint(value: object) -> str:
    # YAML reads 1, 1.33 and true as a number or boolean; quoting keeps the text.
    return "; put it in quotes" if isinstance(value, bool | int | float) else ""


# Pydantic error type -> message; {got} is the input as a YAML reader would name it.
_MESSAGES = {
    "list_type": "must be a list, got {got}",
    "string_type": "must be text, got {got}{quote}",
    "int_type": "must be a whole number, got {got}",
    "bool_type": "must be true or false, got {got}",
    "float_type": "must be a number, got {got}",
    "greater_than_equal": "must be at least {ge}, got {shown}",
    "less_than_equal": "must be at most {le}, got {shown}",
    "greater_than": "must be more than {gt}, got {shown}",
    "less_than": "must be less than {lt}, got {shown}",
    "too_short": "must have at least {min_length} item(s), got {actual_length}",
    "too_long": "must have at most {max_length} item(s), got {actual_length}",
    "string_too_short": "must be at least {min_length} character(s) long, got {got}",
    "string_too_long": "must be at most {max_length} characters long, got {got}",
    "literal_error": "must be {expected}, got {got}{quote}",
    "string_pattern_mismatch": "must match {pattern}, got {shown}",
}


def _message(error: ErrorDetails) -> str:
    kind, value, location = error["type"], error.get("input"), error["loc"]
    if isinstance(value, _Unclear):
        return value.message
    if kind in _MESSAGES:
        return _MESSAGES[kind].format(got=_describe(value), quote=_quote_hint(value), shown=shown(value), **error.get("ctx", {}))
    if kind == "extra_forbidden":
        allowed = _keys(location[:-1])
        guess = difflib.get_close_matches(str(location[-1]), allowed, n=1)
        suggestion = f"did you mean {guess[0]!r}? " if guess else ""
        return f"unknown key; {suggestion}allowed: {', '.join(allowed)}"
    if kind == "missing":
        parent = _model_at(location[:-1])
        field = parent.model_fields.get(str(location[-1])) if parent is not None else None
        return f"is required ({field.description.rstrip('.')})" if field is not None and field.description else "is required"
    if kind in ("model_type", "dict_type"):
        keys = _keys(location)
        return f"must be a mapping{' with keys ' + ', '.join(keys) if keys else ''}, got {_describe(value)}"
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, ")
    return f"{error['msg'].replace('Input should be', 'must be')}, got {_describe(value)}"


def _yaml_problem(error: YAMLError, text: str) -> tuple[tuple[int, int] | None, str]:
    """Where and what, for the reader's errors (bad characters) and the parser's (marked) ones."""
    if isinstance(error, ReaderError):
        line = text.count("\n", 0, error.position) + 1
        return (line, error.position - text.rfind("\n", 0, error.position)), f"character #x{error.character:04x} is not allowed"
    if isinstance(error, MaxDepthExceededError):
        return _at(error.problem_mark), f"nested more than {MAX_DEPTH} levels deep; a config needs a handful"
    if isinstance(error, MarkedYAMLError) and error.problem_mark is not None:
        # ruamel splits some sentences: "expected a single document in the stream" + "but found another document".
        joined = f"{error.context}, {error.problem}" if error.context and str(error.problem).startswith("but ") else str(error.problem)
        return _at(error.problem_mark), joined
    return None, f"invalid YAML: {error}"


def parse_config(data: object, source: str, *, document: Node | None = None) -> Config:
    """Validate already-parsed YAML; raise ConfigError with one line per problem, each with the
    line and column of its key in `document` (the YAML node tree `data` was read from), if given."""
    if not isinstance(data, dict):
        raise ConfigError(
            [problem_line(source, _position(document, []), "(top level)", f"must be a mapping of settings like `dns:` and `regions:`, got {_describe(data)}")]
        )
    try:
        config = Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError([problem_line(source, _position(document, _parts(e["loc"])), _dotted(e["loc"]), _message(e)) for e in error.errors()]) from None
    problems = check_config(config)
    if problems:
        raise ConfigError([problem_line(source, _position(document, _split(path)), path, message) for path, message in problems])
    return config


def _file_problem(source: str, message: str) -> ConfigError:
    return ConfigError([problem_line(source, None, "(file)", message)])


def _refuse_unless_regular(source: str, mode: int) -> None:
    # Reading a pipe or device blocks or never ends (/dev/zero); a config is a regular file.
    if not stat.S_ISREG(mode):
        raise _file_problem(source, f"is {_FILE_KINDS.get(stat.S_IFMT(mode), 'not a regular file')}, not a config file")


def _read_text(path: str | Path, source: str) -> str:
    """The file's text, refusing anything but a regular UTF-8 file of at most MAX_BYTES."""
    too_large = f"is larger than {MAX_BYTES // 1024} KiB; a config file is a few KiB"
    try:
        _refuse_unless_regular(source, os.stat(path).st_mode)
        # O_NONBLOCK: should the file be swapped for a pipe after the stat, opening it does not hang.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise _file_problem(source, "not found") from None
    except OSError as error:
        raise _file_problem(source, f"cannot be read: {error.strerror}") from None
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(descriptor)
        _refuse_unless_regular(source, info.st_mode)
        if info.st_size > MAX_BYTES:
            raise _file_problem(source, too_large)
        content = file.read(MAX_BYTES + 1)  # the file may have grown since the fstat
    if len(content) > MAX_BYTES:
        raise _file_problem(source, too_large)
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise _file_problem(source, "is not UTF-8 text") from None


def _parse_yaml(text: str, source: str) -> tuple[object, Node | None, list[str]]:
    """(data, root node, problems with keys) of a single YAML 1.2 document, read by ruamel's
    pure-Python safe loader; keys that are not text are left out of the data."""
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = _Constructor
    yaml.max_depth = MAX_DEPTH
    try:
        # Reused anchors are valid YAML; ruamel's warning about them would be a second, unformatted line.
        with warnings.catch_warnings(action="ignore"):
            root = yaml.compose(text)
            if root is not None:
                _check_nodes(root, source)
            data = yaml.constructor.construct_document(root) if root is not None else None
    except YAMLError as error:
        position, message = _yaml_problem(error, text)
        raise ConfigError([problem_line(source, position, "(yaml)", message)]) from None
    return data, root, [problem_line(source, _at(node.start_mark), "(yaml)", message) for node, message in yaml.constructor.key_problems.items()]


def _check_nodes(root: Node, source: str) -> None:
    """Refuse, before anything is constructed, what would blow up there: aliases that expand to more
    than MAX_EXPANDED_NODES values, and a core tag on the wrong kind of node (`tags: !!map []`)."""
    sizes: dict[int, int] = {}

    def expanded(node: Node) -> int:
        if id(node) in sizes:
            return sizes[id(node)]  # an alias: counted again, never walked again (a recursive one counts once)
        sizes[id(node)] = 1
        tag = str(node.tag)
        expected = _TAG_KINDS.get(tag)
        if expected is not None and not isinstance(node, expected):
            raise ConfigError(
                [
                    problem_line(
                        source,
                        _at(node.start_mark),
                        "(yaml)",
                        f"the tag {tag.replace(_CORE_TAGS, '!!')} needs {_KIND_NAMES[expected]}, got {_KIND_NAMES[type(node)]}",
                    )
                ]
            )
        children: list[Node] = (
            [item for pair in node.value for item in pair] if isinstance(node, MappingNode) else node.value if isinstance(node, SequenceNode) else []
        )
        total = 1 + sum(expanded(child) for child in children)
        if total > MAX_EXPANDED_NODES:
            raise ConfigError(
                [
                    problem_line(
                        source, _at(node.start_mark), "(yaml)", f"aliases expand this to more than {MAX_EXPANDED_NODES} values; a config has a few hundred"
                    )
                ]
            )
        sizes[id(node)] = total
        return total

    expanded(root)


def load_config(path: str | Path) -> Config:
    """Read and validate one YAML config file."""
    source = str(path)
    if not source:
        raise _file_problem("''", "the file name is empty; name a YAML config file")
    data, root, key_problems = _parse_yaml(_read_text(path, source), source)
    if data is None:
        raise _file_problem(source, "is empty; it needs at least `dns.zone` and `regions`")
    try:
        config = parse_config(data, source, document=root)
    except ConfigError as error:
        raise ConfigError(key_problems + error.problems) from None
    if key_problems:
        raise ConfigError(key_problems)
    return config
