"""The README's configuration reference, rendered from the models in config.py.

`python -m dualstack_aks.model.reference` prints it; `--write` (or `make docs`) rewrites the
README section between the config-reference markers and nothing else.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from types import NoneType, UnionType
from typing import Annotated, Literal, Union, get_args, get_origin, get_type_hints

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from dualstack_aks.model import config

README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- config-reference:start -->", "<!-- config-reference:end -->"
# The Annotated aliases of config.py, by what a reader calls them.
NAMED_TYPES = [
    (config.IPv4Cidr, "IPv4 CIDR"),
    (config.IPv6Cidr, "IPv6 CIDR"),
    (config.IPv4Address, "IPv4 address"),
    (config.AzureRegion, "Azure region name"),
    (config.DnsZoneName, "DNS name"),
    (config.DnsLabel, "DNS label"),
]
_SCALARS = {str: "string", int: "integer", bool: "boolean", float: "number"}
_UNSET = object()


def _type_name(annotation: object) -> str:
    for alias, name in NAMED_TYPES:
        if annotation == alias:
            return name
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _type_name(arguments[0])
    if origin in (Union, UnionType):
        named = " or ".join(_type_name(argument) for argument in arguments if argument is not NoneType)
        return f"{named} or null" if NoneType in arguments else named
    if origin is Literal:
        return " or ".join(f"`{json.dumps(value)}`" for value in arguments)
    if origin is list:
        return "list of mappings" if config.nested_model(arguments[0]) else f"list of {_type_name(arguments[0])}"
    if origin is dict:
        return f"mapping of {_type_name(arguments[0])} to {_type_name(arguments[1])}"
    if config.nested_model(annotation) is not None:
        return "mapping"
    return _SCALARS.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _bounds(low: object, high: object, unit: str = "") -> list[str]:
    """`low to high`, `at least low` or `at most high`, followed by `unit` (pluralized)."""
    if low is None and high is None:
        return []
    text = f"{low} to {high}" if low is not None and high is not None else f"at least {low}" if low is not None else f"at most {high}"
    count = high if high is not None else low
    return [f"{text}{unit}{'s' if unit and count != 1 else ''}"]


def _constraints(field: FieldInfo) -> list[str]:
    found = {name: getattr(item, name) for item in field.metadata for name in ("ge", "le", "min_length", "max_length", "pattern") if getattr(item, name, None) is not None}
    unit = " item" if get_origin(field.annotation) is list else " character"
    described = _bounds(found.get("ge"), found.get("le")) + _bounds(found.get("min_length"), found.get("max_length"), unit)
    if "pattern" in found:
        described.append(f"matching `{found['pattern']}`")
    return described


def _default(field: FieldInfo, inherited: object) -> str:
    if inherited is _UNSET and field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True) if inherited is _UNSET else inherited
    if isinstance(value, BaseModel):
        return ""
    if value is None:
        return "not set"
    return f"`{value}`" if isinstance(value, str) else f"`{json.dumps(value)}`"


def reference_rows(model: type[BaseModel] = config.Config, prefix: str = "", defaults: BaseModel | None = None) -> Iterator[tuple[str, str, str, str]]:
    """(dotted key, type, default, description) of every field, nested models expanded in place.

    A nested model's fields take their defaults from the parent's default instance, so
    `cluster.system_pool.max_count` shows the system pool's default, not NodePool's.
    """
    hints = get_type_hints(model, include_extras=True)
    for name, field in model.model_fields.items():
        annotation, path = hints[name], f"{prefix}{name}"
        inherited = getattr(defaults, name) if defaults is not None else _UNSET
        kind = ", ".join([_type_name(annotation), *_constraints(field)])
        yield path, kind, _default(field, inherited), field.description or ""
        child = config.nested_model(annotation)
        if child is not None:
            value = inherited if inherited is not _UNSET else (None if field.is_required() else field.get_default(call_default_factory=True))
            item_path = f"{path}[]." if get_origin(annotation) is list else f"{path}."
            yield from reference_rows(child, item_path, value if isinstance(value, BaseModel) else None)


def render_reference() -> str:
    """The Markdown reference of every config key, nested keys expanded."""
    lines = [
        "<!-- Generated from dualstack_aks/model/config.py by `make docs`; edit the field descriptions there. -->",
        "Every key below is optional unless its default says `required` (inside its mapping, when that",
        "is given); an unknown or misspelled key is an error. `regions[].x` is key `x` of each item of",
        "the `regions` list.",
        "",
        "| key | type | default | description |",
        "|---|---|---|---|",
    ]
    for path, kind, default, description in reference_rows():
        cells = (f"`{path}`", kind, default, _markdown_text(description))
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def _markdown_text(text: str) -> str:
    """`text` with `<` escaped outside code spans, so `internal.<zone>` is not taken for HTML."""
    parts = text.split("`")
    return "`".join(part if position % 2 else part.replace("<", "&lt;") for position, part in enumerate(parts))


def replace_marked(text: str, start: str, end: str, section: str, document: str) -> str:
    """`text` (the document named `document`) with only the text between the markers `start` and `end` replaced by `section`."""
    before, found, rest = text.partition(start)
    _, found_end, after = rest.partition(end)
    if not found or not found_end:
        raise ValueError(f"{document} lacks the markers {start} ... {end}")
    return f"{before}{start}\n{section}\n{end}{after}"


def with_reference(readme: str, reference: str) -> str:
    """`readme` with only the text between the config-reference markers replaced."""
    return replace_marked(readme, START, END, reference, "README.md")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite the reference section of README.md")
    args = parser.parse_args(argv)
    if args.write:
        README.write_text(with_reference(README.read_text(encoding="utf-8"), render_reference()), encoding="utf-8")
    else:
        print(render_reference())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
