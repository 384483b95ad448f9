"""Every azurerm resource and data source block of the synthesized stacks against the provider's own schema
rules, the ones `terraform validate` would apply with the provider binary, but offline and in pure Python.

The rules come from rules/rules-azurerm-<version>.json.gz: every resource and data source of one provider
release as its Go source defines it, each rule with the provider's Go file:line (tools/azurerm-schema/
export_rules.py writes them; docs/azurerm-schema.md). A stack is checked with the rules of the azurerm version it
pins, or with the rules of a version given explicitly (the engines pin 4.55.0 and 4.81.0: each synth is checked
against both).

Checked, per block and at every nesting level: unknown attributes and blocks (also in `dynamic`), required
attributes missing, computed-only attributes set, Type (list / map / scalar, bool, number, whole number),
MaxItems / MinItems, ConflictsWith, ExactlyOneOf, AtLeastOneOf, RequiredWith, `timeouts` keys, values against
StringInSlice (its case flag honoured), IntBetween, IntAtLeast, IntAtMost, IntInSlice, IntDivisibleBy,
FloatBetween, FloatAtLeast, StringIsNotEmpty, StringIsNotWhiteSpace, StringLenBetween, IsUUID and All / Any of
these; `${...}` references to azurerm blocks (declared in the stack, attribute in the schema); types that do not
exist in the release. Not checked: other validators (regular expressions, ID parsers), CustomizeDiff, what only
Azure decides at apply time. Terraform's semantics are followed: a string holding `${` is unknown (present, its
value not checked), a block written as one JSON object is item 0, a null value or an empty list of blocks is
absent.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).resolve().parent / "rules"
RULES_FORMAT = 1
RESOURCE_META = frozenset({"//", "count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"})
DATA_META = frozenset({"//", "count", "for_each", "depends_on", "provider", "lifecycle"})
# The rules files' short type names -> the SDK's.
SDK_TYPES = {"string": "TypeString", "int": "TypeInt", "float": "TypeFloat", "bool": "TypeBool", "list": "TypeList", "set": "TypeSet", "map": "TypeMap"}
_EXACT_VERSION = re.compile(r"^\s*=?\s*v?(\d+\.\d+\.\d+)\s*$")
_REFERENCE = re.compile(r"(?<![\w.\"-])(data\.)?(azurerm_[a-z0-9_]+)\.([A-Za-z_][\w-]*)(\[[^\]]*\])?((?:\.[A-Za-z_][\w-]*|\.\d+|\[[^\]]*\])*)")
_SELF = re.compile(r"(?<![\w.])self((?:\.[A-Za-z_][\w-]*|\.\d+|\[[^\]]*\])*)")
_REFERENCE_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\.(\d+)|\[([^\]]*)\]")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class RulesUnavailable(Exception):
    """No rules file for a stack's azurerm version, or one that cannot be read."""


@dataclass(frozen=True)
class Validator:
    kind: str
    arguments: Any
    # The provider's Go file:line; None for a validator outside the checked kinds.
    source: str | None


@dataclass
class Attribute:
    name: str
    source: str
    type: str | None = None
    required: bool = False
    optional: bool = False
    block: Block | None = None  # a nested block (Elem: &Resource)
    element: Attribute | None = None  # a list, set or map's elements (Elem: &Schema)
    max_items: int | None = None
    min_items: int | None = None
    validators: list[Validator] = field(default_factory=list)
    relations: dict[str, list[str]] = field(default_factory=dict)  # ConflictsWith, ExactlyOneOf, AtLeastOneOf, RequiredWith
    field_sources: dict[str, str] = field(default_factory=dict)  # "Type", "MaxItems", ... -> Go file:line
    unparsed: str | None = None  # why its schema could not be read from the Go source
    default_func: bool = False
    deprecated: str | None = None

    def source_of(self, schema_field: str) -> str:
        return self.field_sources.get(schema_field, self.source)


@dataclass
class Block:
    source: str
    attributes: dict[str, Attribute] = field(default_factory=dict)
    timeouts: set[str] | None = None


class Rules:
    """One rules file: the schemas of every azurerm resource and data source at one provider tag."""

    def __init__(self, path: Path):
        try:
            with gzip.open(path, "rt", encoding="utf-8") as stream:
                document = json.load(stream)
        except (OSError, ValueError, EOFError) as error:
            raise RulesUnavailable(f"cannot read the rules file {path}: {error}") from error
        if not isinstance(document, dict) or document.get("format") != RULES_FORMAT:
            raise RulesUnavailable(f"{path} is not a rules file of format {RULES_FORMAT}")
        self.path = path
        self.version: str = document["version"]
        self.commit: str = document.get("commit", "")
        self._files: list[str] = document["files"]
        self._types: dict[str, dict[str, dict]] = {"resource": document["resource"], "data": document["data"]}
        self._has_release_schema = bool(document.get("release_schema", True))
        self._schemas: dict[tuple[str, str], Block | None] = {}

    @classmethod
    def for_version(cls, version: str, rules_dir: Path = RULES_DIR) -> Rules:
        path = rules_dir / f"rules-azurerm-{version}.json.gz"
        if not path.is_file():
            raise RulesUnavailable(f"no rules for azurerm {version}; rules available for: {', '.join(available_versions(rules_dir)) or 'none'} in {rules_dir}")
        return cls(path)

    def schema(self, mode: str, type_name: str) -> Block | None:
        key = (mode, type_name)
        if key not in self._schemas:
            entry = self._types[mode].get(type_name)
            self._schemas[key] = self._block(entry["b"]) if entry is not None and entry.get("b") is not None else None
        return self._schemas[key]

    def unsupported(self, mode: str, type_name: str) -> bool:
        """The type is registered nowhere in the provider and absent from its release schema."""
        return type_name not in self._types[mode] and self._has_release_schema

    def notes(self, mode: str, type_name: str) -> list[str]:
        """The constructs of this type's schema that could not be read from the Go source."""
        entry = self._types[mode].get(type_name)
        if entry is None:
            return [] if self.unsupported(mode, type_name) else [f"{mode} {type_name}: registration not found, but the type is in the release schema"]
        return [f"{path}{f':{line}' if line else ''}: {message}" for path, line, message in entry.get("n", [])]

    def _source(self, location: list[int]) -> str:
        return f"{self._files[location[0]]}:{location[1]}"

    def _block(self, data: dict) -> Block:
        block = Block(self._source(data["l"]))
        block.attributes = {name: self._attribute(name, attribute) for name, attribute in data["a"].items()}
        if "t" in data:
            block.timeouts = set(data["t"])
        return block

    def _attribute(self, name: str, data: dict) -> Attribute:
        path = self._files[data["l"][0]]
        flags = data.get("f", "")
        return Attribute(
            name=name,
            source=f"{path}:{data['l'][1]}",
            type=SDK_TYPES.get(data["t"], data["t"]) if "t" in data else None,
            required="r" in flags,
            optional="o" in flags,
            block=self._block(data["b"]) if "b" in data else None,
            element=self._attribute(f"{name}.*", data["e"]) if "e" in data else None,
            max_items=data.get("max"),
            min_items=data.get("min"),
            validators=[self._validator(validator) for validator in data.get("v", [])],
            relations=data.get("rel", {}),
            field_sources={schema_field: f"{path}:{line}" for schema_field, line in data.get("L", {}).items()},
            unparsed=data.get("u"),
            default_func=bool(data.get("df")),
            deprecated=data.get("d"),
        )

    def _validator(self, data: list) -> Validator:
        if len(data) == 2:  # outside the checked kinds, or arguments that could not be read
            return Validator(data[0], data[1], None)
        kind, arguments, file_index, line = data
        if kind in ("All", "Any"):
            arguments = [self._validator(inner) for inner in arguments]
        return Validator(kind, arguments, f"{self._files[file_index]}:{line}")


def available_versions(rules_dir: Path = RULES_DIR) -> list[str]:
    found = (re.fullmatch(r"rules-azurerm-(\d+\.\d+\.\d+)\.json\.gz", path.name) for path in rules_dir.glob("rules-azurerm-*.json.gz"))
    return sorted((match.group(1) for match in found if match), key=lambda version: tuple(int(part) for part in version.split(".")))


# ----------------------------------------------------------------------------------------------- values
def is_unknown(value: object) -> bool:
    """A string with an interpolation is unknown at validate time."""
    return isinstance(value, str) and ("${" in value or "%{" in value)


def is_wholly_known(value: object) -> bool:
    if isinstance(value, list):
        return all(is_wholly_known(item) for item in value)
    if isinstance(value, dict):
        return all(is_wholly_known(item) for item in value.values())
    return not is_unknown(value)


def get_key(root: object, key: str, schema: Block | None) -> tuple[bool, object]:
    """The SDK's ResourceConfig.Get on a dotted key ("a.0.b"), a block written as one JSON object being item 0:
    (present, value), the value "${unknown}" below an unknown one. As in hcl2shim, a null value and an empty list
    of blocks are absent; an empty list attribute is present."""
    current, block = root, schema
    for part in key.split("."):
        if is_unknown(current):
            return True, "${unknown}"
        if part.isdigit():
            if isinstance(current, dict):
                if part != "0":
                    return False, None
                continue
            if isinstance(current, list) and int(part) < len(current):
                current = current[int(part)]
                continue
            return False, None
        if not isinstance(current, dict) or current.get(part) is None:
            return False, None
        current = current[part]
        attribute = block.attributes.get(part) if block is not None else None
        block = attribute.block if attribute is not None else None
        if block is not None and current == []:
            return False, None
    return True, current


def as_string(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return value if isinstance(value, str) else None


def as_number(value: object) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        for number_type in (int, float):
            try:
                return number_type(value)
            except ValueError:
                continue
    return None


def _numeric_check(kind: str, arguments: list, number: float) -> str | None:
    """The message when `number` breaks a numeric validator, else None."""
    if kind in ("IntBetween", "FloatBetween"):
        return None if arguments[0] <= number <= arguments[1] else f"{number} not in [{arguments[0]}, {arguments[1]}] (validation.{kind})"
    if kind in ("IntAtLeast", "FloatAtLeast"):
        return None if number >= arguments[0] else f"{number} below minimum {arguments[0]} (validation.{kind})"
    if kind == "IntAtMost":
        return None if number <= arguments[0] else f"{number} above maximum {arguments[0]} (validation.IntAtMost)"
    if kind == "IntInSlice":
        return None if number in arguments[0] else f"{number} not one of {arguments[0]} (validation.IntInSlice)"
    return None if arguments[0] and number % arguments[0] == 0 else f"{number} not divisible by {arguments[0]} (validation.IntDivisibleBy)"


NUMERIC_VALIDATORS = frozenset({"IntBetween", "IntAtLeast", "IntAtMost", "IntInSlice", "IntDivisibleBy", "FloatBetween", "FloatAtLeast"})


def run_validator(validator: Validator, value: object, value_type: str | None) -> tuple[bool, str | None]:
    """(whether the validator could be checked, the message when the value breaks it)."""
    kind, arguments = validator.kind, validator.arguments
    if validator.source is None:  # "other" and "unparsed": validators the rules do not check
        return False, None
    if kind == "All":
        results = [run_validator(inner, value, value_type) for inner in arguments]
        return any(checked for checked, _ in results), "; ".join(message for _, message in results if message) or None
    if kind == "Any":
        results = [run_validator(inner, value, value_type) for inner in arguments]
        if any(checked and message is None for checked, message in results):
            return True, None
        if all(checked for checked, _ in results):
            return True, " or ".join(message or "" for _, message in results)
        return False, None
    if kind in NUMERIC_VALIDATORS:
        number = as_number(value)
        return True, f"expected a number, got {value!r}" if number is None else _numeric_check(kind, arguments, number)
    if value_type in ("TypeInt", "TypeFloat") and as_number(value) is None:
        return True, f"expected a number, got {value!r}"
    text = as_string(value)
    if text is None:
        return True, f"expected a string, got {type(value).__name__}"
    if kind == "StringInSlice":
        valid, ignore_case = arguments
        if text in valid or (ignore_case and text.lower() in {choice.lower() for choice in valid}):
            return True, None
        return True, f"{text!r} not one of {valid} ({'case-insensitive' if ignore_case else 'case-sensitive'}) (validation.StringInSlice)"
    if kind == "StringIsNotEmpty":
        return True, None if text != "" else "empty string (validation.StringIsNotEmpty)"
    if kind == "StringIsNotWhiteSpace":
        return True, None if text.strip() else "blank string (validation.StringIsNotWhiteSpace)"
    if kind == "StringLenBetween":
        return True, None if arguments[0] <= len(text) <= arguments[
            1
        ] else f"length {len(text)} not in [{arguments[0]}, {arguments[1]}] (validation.StringLenBetween)"
    if kind == "IsUUID":
        return True, None if _UUID.match(text) else f"{text!r} is not a UUID (validation.IsUUID)"
    return False, None


# ----------------------------------------------------------------------------------------------- checking
@dataclass(frozen=True)
class Violation:
    stack: str
    block: str  # the block's address, e.g. azurerm_public_ip.ipv6 or data.azurerm_client_config.current
    attribute: str  # dotted path inside the block, e.g. network_profile.0.outbound_type
    rule: str
    source: str  # the provider's Go file:line of the rule

    def __str__(self) -> str:
        return f"{self.stack} {self.block} {self.attribute}: {self.rule} ({self.source})"


@dataclass
class SchemaReport:
    versions: dict[str, str] = field(default_factory=dict)  # stack -> the azurerm version of the rules it was checked with
    violations: list[Violation] = field(default_factory=list)
    blocks: int = 0
    attributes: int = 0
    values: int = 0  # values run through a checked validator
    references: int = 0
    not_parsed: set[str] = field(default_factory=set)  # rules of the checked types the export could not read
    deprecated: dict[str, str] = field(default_factory=dict)  # type.attribute -> the provider's message

    def summary(self) -> str:
        return (
            f"azurerm schema: {self.blocks} blocks checked, {self.attributes} attributes checked, {self.values} values validated, "
            f"{self.references} references checked, {len(self.violations)} violations, {len(self.not_parsed)} rules not parsed"
        )

    def lines(self) -> list[str]:
        """FAIL per violation, NOTE per rule not parsed and deprecated attribute set, then the summary."""
        return [
            *(f"FAIL {violation}" for violation in self.violations),
            *(f"NOTE not parsed: {note}" for note in sorted(self.not_parsed)),
            *(f"NOTE deprecated attribute set (not a violation): {name}: {message}" for name, message in sorted(self.deprecated.items())),
            self.summary(),
        ]


class _StackChecker:
    """The checks of one stack against one rules file; findings go into the shared report."""

    def __init__(self, stack: str, rules: Rules, report: SchemaReport):
        self.stack, self.rules, self.report = stack, rules, report
        self.top: Block | None = None  # the schema of the block being checked, for dotted keys from its root

    def fail(self, block: str, attribute: str, rule: str, source: str) -> None:
        self.report.violations.append(Violation(self.stack, block, attribute, rule, source))

    def check_document(self, document: dict) -> None:
        for mode in ("resource", "data"):
            for type_name, items in sorted((document.get(mode) or {}).items()):
                if not type_name.startswith("azurerm_"):
                    continue
                self.report.not_parsed.update(f"[{self.rules.version}] {note}" for note in self.rules.notes(mode, type_name))
                for name, body in sorted(items.items()):
                    self.check_top_block(f"{'data.' if mode == 'data' else ''}{type_name}.{name}", mode, type_name, body)
        self.check_references(document)

    def check_top_block(self, address: str, mode: str, type_name: str, body: dict) -> None:
        schema = self.rules.schema(mode, type_name)
        if schema is None:
            if self.rules.unsupported(mode, type_name):
                self.report.blocks += 1
                kind = "data source" if mode == "data" else "resource"
                self.fail(
                    address,
                    "(type)",
                    f"{kind} type {type_name} does not exist in azurerm {self.rules.version}",
                    "no registration; .release/provider-schema.json",
                )
            return
        self.report.blocks += 1
        self.top = schema
        self.check_block(address, body, schema, "", body, RESOURCE_META if mode == "resource" else DATA_META, schema.timeouts or set())

    def check_block(
        self, address: str, body: object, block: Block, prefix: str, root: dict, meta: frozenset[str] = frozenset(), timeouts: set[str] | None = None
    ) -> None:
        if not isinstance(body, dict):
            self.fail(address, prefix.rstrip(".") or "(block)", f"expected a block (object), got {type(body).__name__}", block.source)
            return
        self.check_keys(address, body, block, prefix, root, meta, timeouts)
        seen_groups: set[tuple[str, tuple[str, ...]]] = set()
        dynamic = body.get("dynamic")
        dynamic_names = set(dynamic) if isinstance(dynamic, dict) else set()
        for name, attribute in sorted(block.attributes.items()):
            path = prefix + name
            value = body.get(name)
            is_dynamic = name in dynamic_names
            present = (value is not None and not (attribute.block is not None and value == [])) or is_dynamic  # zero blocks: absent
            if attribute.unparsed:
                self.report.attributes += present
                continue
            self.check_groups(address, path, attribute, root, seen_groups)
            if not present:
                if attribute.required and not attribute.default_func:  # the SDK lets a DefaultFunc supply it
                    self.fail(address, path, "required attribute missing (Required: true)", attribute.source_of("Required"))
                continue
            self.check_present(address, path, attribute, value, root, is_dynamic)

    def check_keys(self, address: str, body: dict, block: Block, prefix: str, root: dict, meta: frozenset[str], timeouts: set[str] | None) -> None:
        """The keys the block sets that its schema lacks: unknown attributes, `dynamic` blocks and timeouts."""
        for key, value in body.items():
            if key in meta:
                continue
            if key == "timeouts" and timeouts is not None:
                self.report.attributes += 1
                if not timeouts:
                    self.fail(address, "timeouts", "this type has no timeouts block", block.source)
                    continue
                for item in value if isinstance(value, list) else [value]:
                    for timeout in item if isinstance(item, dict) else {}:
                        if timeout not in timeouts and timeout != "//":
                            self.fail(address, f"timeouts.{timeout}", f"unknown timeout (this type has {sorted(timeouts)})", block.source)
                continue
            if key == "dynamic" and isinstance(value, dict):
                for name, generator in value.items():
                    self.report.attributes += 1
                    attribute = block.attributes.get(name)
                    if attribute is None:
                        self.fail(address, prefix + name, "unknown block in dynamic (not in the schema)", block.source)
                    elif attribute.block is not None and isinstance(generator, dict) and isinstance(generator.get("content"), dict):
                        self.check_block(address, generator["content"], attribute.block, f"{prefix}{name}.<dynamic>.", root)
                continue
            if key not in block.attributes:
                self.report.attributes += 1
                self.fail(address, prefix + key, "unknown attribute (not in the schema)", block.source)

    def check_groups(self, address: str, path: str, attribute: Attribute, root: dict, seen: set[tuple[str, tuple[str, ...]]]) -> None:
        """ExactlyOneOf and AtLeastOneOf, once per group of keys."""
        for relation in ("ExactlyOneOf", "AtLeastOneOf"):
            keys = attribute.relations.get(relation)
            if not keys:
                continue
            group = tuple(sorted({*keys, path}))
            if (relation, group) in seen:
                continue
            seen.add((relation, group))
            specified, unknowns = [], 0
            for key in group:
                present, value = get_key(root, key, self.top)
                if present and not is_wholly_known(value):  # ResourceConfig.IsComputed: any unknown inside
                    unknowns += 1
                elif present:
                    specified.append(key)
            if not specified and not unknowns:
                self.fail(address, path, f"one of {list(group)} must be set ({relation})", attribute.source_of(relation))
            elif relation == "ExactlyOneOf" and len(specified) > 1:
                self.fail(address, path, f"only one of {list(group)} may be set, got {specified} (ExactlyOneOf)", attribute.source_of(relation))

    def check_present(self, address: str, path: str, attribute: Attribute, value: object, root: dict, is_dynamic: bool) -> None:
        self.report.attributes += 1
        if attribute.deprecated:
            self.report.deprecated.setdefault(f"{address.rsplit('.', 1)[0]}.{path}", attribute.deprecated)
        if not attribute.required and not attribute.optional:
            self.fail(address, path, "computed-only attribute cannot be set (Computed only)", attribute.source_of("Computed"))
            return
        required_with = attribute.relations.get("RequiredWith")
        if required_with:
            group = sorted({*required_with, path})
            missing = [key for key in group if not get_key(root, key, self.top)[0]]
            if missing:
                self.fail(address, path, f"requires all of {group}, missing {missing} (RequiredWith)", attribute.source_of("RequiredWith"))
        if is_dynamic or is_unknown(value):
            return
        if is_wholly_known(value):
            for key in attribute.relations.get("ConflictsWith", []):
                present, other = get_key(root, key, self.top)
                if present and not is_unknown(other):  # only a wholly unknown value defers the check
                    self.fail(address, path, f"conflicts with {key} (ConflictsWith)", attribute.source_of("ConflictsWith"))
        self.check_value(address, path, attribute, value, root)

    def check_value(self, address: str, path: str, attribute: Attribute, value: object, root: dict) -> None:
        if is_unknown(value):
            return
        if attribute.type in ("TypeList", "TypeSet"):
            items = [value] if attribute.block is not None and isinstance(value, dict) else value
            if not isinstance(items, list):
                self.fail(address, path, f"expected a list, got {type(value).__name__}", attribute.source_of("Type"))
                return
            if attribute.max_items is not None and len(items) > attribute.max_items:
                self.fail(address, path, f"{len(items)} items, at most {attribute.max_items} allowed (MaxItems)", attribute.source_of("MaxItems"))
            if attribute.min_items is not None and len(items) < attribute.min_items:
                self.fail(address, path, f"{len(items)} items, at least {attribute.min_items} required (MinItems)", attribute.source_of("MinItems"))
            if attribute.required and attribute.block is not None and not items:
                self.fail(address, path, "required block has no items (Required: true)", attribute.source_of("Required"))
            for index, item in enumerate(items):
                if attribute.block is not None and not is_unknown(item):
                    self.check_block(address, item, attribute.block, f"{path}.{index}.", root)
                elif attribute.element is not None:
                    self.check_scalar(address, f"{path}.{index}", attribute.element, item)
            return
        if attribute.type == "TypeMap":
            if not isinstance(value, dict):
                self.fail(address, path, f"expected a map, got {type(value).__name__}", attribute.source_of("Type"))
            elif attribute.element is not None and attribute.element.validators:
                for key, item in value.items():
                    self.check_scalar(address, f"{path}.{key}", attribute.element, item)
            return
        self.check_scalar(address, path, attribute, value)

    def check_scalar(self, address: str, path: str, attribute: Attribute, value: object) -> None:
        if is_unknown(value) or value is None:
            return
        value_type = attribute.type
        if isinstance(value, list | dict):
            expected = value_type[4:].lower() if value_type else "scalar"
            self.fail(address, path, f"expected a {expected}, got {type(value).__name__}", attribute.source_of("Type"))
            return
        number = as_number(value)
        if value_type == "TypeBool" and not isinstance(value, bool) and as_string(value) not in ("true", "false", "1", "0"):
            self.fail(address, path, f"expected a bool, got {value!r}", attribute.source_of("Type"))
            return
        if value_type in ("TypeInt", "TypeFloat") and number is None:
            self.fail(address, path, f"expected a number, got {value!r}", attribute.source_of("Type"))
            return
        if value_type == "TypeInt" and isinstance(number, float) and not number.is_integer():
            self.fail(address, path, f"expected a whole number, got {value!r}", attribute.source_of("Type"))
            return
        for validator in attribute.validators:
            checked, message = run_validator(validator, value, value_type)
            self.report.values += checked
            if message:
                self.fail(address, path, message, str(validator.source))

    def check_references(self, document: dict) -> None:
        """Every `${...}` reference to an azurerm block names one declared in this stack and an attribute of its
        schema (arguments and computed attributes, plus `id`); so does `self.` in an azurerm block's lifecycle."""
        declared = {(mode, type_name, name) for mode in ("resource", "data") for type_name, items in (document.get(mode) or {}).items() for name in items or {}}
        for section, entries in document.items():
            if section in ("resource", "data") and isinstance(entries, dict):
                for type_name, items in entries.items():
                    for name, body in (items or {}).items():
                        own = (section, type_name) if type_name.startswith("azurerm_") else None
                        self.walk_references(body, f"{'data.' if section == 'data' else ''}{type_name}.{name}", "", own, declared)
            elif section in ("provider", "output", "locals", "module", "variable") and isinstance(entries, dict):
                for name, body in entries.items():
                    self.walk_references(body, f"{section}.{name}", "", None, declared)

    def walk_references(self, value: object, address: str, path: str, own: tuple[str, str] | None, declared: set[tuple[str, str, str]]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key != "//":
                    self.walk_references(item, address, f"{path}.{key}" if path else key, own, declared)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.walk_references(item, address, f"{path}.{index}" if path else str(index), own, declared)
        elif isinstance(value, str) and "${" in value:
            for match in _REFERENCE.finditer(value):
                mode = "data" if match.group(1) else "resource"
                self.report.references += 1
                if (mode, match.group(2), match.group(3)) not in declared:
                    self.fail(address, path, f"reference to undeclared {match.group(1) or ''}{match.group(2)}.{match.group(3)}", "no such block in this stack")
                else:
                    self.check_reference(address, path, mode, match.group(2), match.group(0), match.group(5))
            if own is not None and ".lifecycle." in f".{path}.":
                for match in _SELF.finditer(value):
                    self.report.references += 1
                    self.check_reference(address, path, own[0], own[1], match.group(0), match.group(1))

    def check_reference(self, address: str, path: str, mode: str, type_name: str, expression: str, tail: str) -> None:
        block = self.rules.schema(mode, type_name)
        if block is None:
            return
        top, first = True, True
        for name, _, _ in _REFERENCE_STEP.findall(tail):
            if not name:
                if first:
                    return
                continue  # an index into a list, set or block
            if top and name == "id":
                return
            attribute = block.attributes.get(name)
            if attribute is None:
                self.fail(address, path, f"reference {expression} names no attribute {name!r} of {type_name}", block.source)
                return
            if attribute.block is None or attribute.unparsed:
                return
            block, top, first = attribute.block, False, False


def pinned_azurerm_version(document: dict) -> str | None:
    """The exact azurerm version a stack's terraform.required_providers pins, else None."""
    providers = (document.get("terraform") or {}).get("required_providers") or {}
    pin = providers.get("azurerm")
    if pin is None:
        pin = next((value for value in providers.values() if isinstance(value, dict) and str(value.get("source", "")).split("/")[-1] == "azurerm"), None)
    version = pin.get("version") if isinstance(pin, dict) else pin
    if version is None:
        return None
    match = _EXACT_VERSION.match(str(version))
    if match is None:
        raise RulesUnavailable(f"azurerm is pinned as {version!r}, not one exact version")
    return match.group(1)


def check_stacks(stacks: Mapping[str, dict], version: str | None = None, rules_dir: Path = RULES_DIR) -> SchemaReport:
    """Every stack (name -> Terraform JSON) against the rules of `version`, else of the azurerm version it pins."""
    report = SchemaReport()
    loaded: dict[str, Rules] = {}
    for stack, document in stacks.items():
        try:
            wanted = version or pinned_azurerm_version(document)
        except RulesUnavailable as error:
            raise RulesUnavailable(f"stack {stack}: {error}") from error
        if wanted is None:
            if any(type_name.startswith("azurerm_") for mode in ("resource", "data") for type_name in document.get(mode) or {}):
                raise RulesUnavailable(f"stack {stack} has azurerm blocks but pins no azurerm version")
            continue
        if wanted not in loaded:
            loaded[wanted] = Rules.for_version(wanted, rules_dir)
        report.versions[stack] = wanted
        _StackChecker(stack, loaded[wanted], report).check_document(document)
    return report
