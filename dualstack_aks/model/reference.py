"""The JSON Schema of the config (config/schema.json), generated from the models in config.py,
and the configuration reference (docs/configuration.md), rendered from that schema.

`make docs` (python -m dualstack_aks docs) rewrites both files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import cast

from pydantic.json_schema import GenerateJsonSchema, NoDefault
from pydantic_core import core_schema

from dualstack_aks.model import config

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "config" / "schema.json"
DOCS = ROOT / "docs" / "configuration.md"
# The `format` config.py gives its named types, by what a reader calls them.
FORMAT_NAMES = {
    "ipv4-cidr": "IPv4 CIDR",
    "ipv6-cidr": "IPv6 CIDR",
    "ipv4": "IPv4 address",
    "azure-region": "Azure region name",
    "dns-name": "DNS name",
    "dns-label": "DNS label",
}
_UNSET = object()


class _WithFactoryDefaults(GenerateJsonSchema):
    """Also states the defaults built by a default_factory (the nested settings), so that editors and
    the reference show them."""

    def get_default_value(self, schema: core_schema.WithDefaultSchema) -> object:
        factory = schema.get("default_factory")
        if factory is not None and not schema.get("default_factory_takes_data"):
            return cast(Callable[[], object], factory)()
        return schema.get("default", NoDefault)


def config_schema() -> dict:
    """The JSON Schema (draft 2020-12) a config file must match: every key, type, bound and default."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **config.Config.model_json_schema(schema_generator=_WithFactoryDefaults)}


def render_schema() -> str:
    return json.dumps(config_schema(), indent=2, ensure_ascii=False) + "\n"


def _resolved(root: dict, schema: dict) -> dict:
    return root["$defs"][schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema


def _non_null(schema: dict) -> dict:
    """The schema of the value of an optional key (`X or null`), else `schema` itself."""
    members = [member for member in schema.get("anyOf", [schema]) if member.get("type") != "null"]
    return members[0] if len(members) == 1 else schema


def _child_model(root: dict, schema: dict) -> tuple[dict | None, bool]:
    """(the mapping of keys a key holds, directly or as list items, or None; whether it is a list)."""
    value = _non_null(schema)
    is_list = value.get("type") == "array"
    target = _resolved(root, value["items"] if is_list else value)
    return (target if "properties" in target else None), is_list


def _type_name(root: dict, schema: dict) -> str:
    if "anyOf" in schema:
        members = [member for member in schema["anyOf"] if member.get("type") != "null"]
        named = " or ".join(_type_name(root, member) for member in members)
        return f"{named} or null" if len(members) < len(schema["anyOf"]) else named
    if schema.get("format") in FORMAT_NAMES:
        return FORMAT_NAMES[schema["format"]]
    if "enum" in schema:
        return " or ".join(f"`{json.dumps(value)}`" for value in schema["enum"])
    if "properties" in _resolved(root, schema):
        return "mapping"
    if schema["type"] == "array":
        return "list of mappings" if "properties" in _resolved(root, schema["items"]) else f"list of {_type_name(root, schema['items'])}"
    if schema["type"] == "object":
        return f"mapping of string to {_type_name(root, schema['additionalProperties'])}"
    return schema["type"]


def _bounds(low: object, high: object, unit: str = "") -> list[str]:
    """`low to high`, `at least low` or `at most high`, followed by `unit` (pluralized)."""
    if low is None and high is None:
        return []
    text = f"{low} to {high}" if low is not None and high is not None else f"at least {low}" if low is not None else f"at most {high}"
    count = high if high is not None else low
    return [f"{text}{unit}{'s' if unit and count != 1 else ''}"]


def _constraints(schema: dict) -> list[str]:
    value = _non_null(schema)
    if value.get("type") == "array":
        lengths = _bounds(value.get("minItems"), value.get("maxItems"), " item")
    else:
        lengths = _bounds(value.get("minLength"), value.get("maxLength"), " character")
    described = _bounds(value.get("minimum"), value.get("maximum")) + lengths
    if "pattern" in value:
        described.append(f"matching `{value['pattern']}`")
    return described


def _default(root: dict, schema: dict, required: bool, inherited: object) -> str:
    if inherited is _UNSET and required:
        return "required"
    value = schema.get("default") if inherited is _UNSET else inherited
    if isinstance(value, dict) and _child_model(root, schema)[0] is not None:
        return ""  # its keys' rows show the defaults
    if value is None:
        return "not set"
    return f"`{value}`" if isinstance(value, str) else f"`{json.dumps(value)}`"


def reference_rows(schema: dict | None = None) -> Iterator[tuple[str, str, str, str]]:
    """(dotted key, type, default, description) of every key of the config schema, nested mappings expanded."""
    root = schema if schema is not None else config_schema()
    yield from _rows(root, root, "", None)


def _rows(root: dict, model: dict, prefix: str, defaults: dict | None) -> Iterator[tuple[str, str, str, str]]:
    """A nested mapping's keys take their defaults from the parent's default, so
    `cluster.system_pool.max_count` shows the system pool's default, not NodePool's."""
    for name, schema in model["properties"].items():
        path = f"{prefix}{name}"
        inherited = defaults.get(name, _UNSET) if defaults is not None else _UNSET
        kind = ", ".join([_type_name(root, schema), *_constraints(schema)])
        yield path, kind, _default(root, schema, name in model.get("required", []), inherited), schema.get("description", "")
        child, is_list = _child_model(root, schema)
        if child is not None:
            value = schema.get("default") if inherited is _UNSET else inherited
            yield from _rows(root, child, f"{path}[]." if is_list else f"{path}.", value if isinstance(value, dict) else None)


def render_reference() -> str:
    """docs/configuration.md: the Markdown reference of every config key, nested keys expanded."""
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated from config/schema.json (itself generated from dualstack_aks/model/config.py) by `make docs`; edit the field descriptions there. -->",
        "Every key below is optional unless its default says `required` (inside its mapping, when that",
        "is given); an unknown or misspelled key is an error. `regions[].x` is key `x` of each item of",
        "the `regions` list.",
        "",
        "Editors that read JSON Schemas (VS Code with the YAML extension, JetBrains IDEs, Neovim with",
        "yaml-language-server) complete and check the keys through the first line of each config,",
        "`# yaml-language-server: $schema=<path to config/schema.json>`.",
        "",
        "| key | type | default | description |",
        "|---|---|---|---|",
    ]
    for path, kind, default, description in reference_rows():
        cells = (f"`{path}`", kind, default, _markdown_text(description))
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _markdown_text(text: str) -> str:
    """`text` with `<` escaped outside code spans, so `internal.<zone>` is not taken for HTML."""
    parts = text.split("`")
    return "`".join(part if position % 2 else part.replace("<", "&lt;") for position, part in enumerate(parts))
