"""Rendered objects against the schemas the cluster applies: custom resources against their CRDs, core objects
against Kubernetes' own strict schemas for the cluster's version (kubernetes-validate).

A custom resource is checked as the API server would on create: the CRD's defaults applied, its OpenAPI v3
schema with every field it does not declare reported (the server would drop it silently: no
`x-kubernetes-preserve-unknown-fields` or `additionalProperties` there), list-type map keys and set items unique,
and every `x-kubernetes-validations` CEL rule evaluated with cel-python. A rule cel-python cannot evaluate (a
Kubernetes CEL library it lacks) or one that only applies on update (`oldSelf`) is listed in `not_evaluated`,
never dropped.
"""

from __future__ import annotations

import copy
import functools
import re
import tarfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import celpy
import jsonschema
import kubernetes_validate.utils as kubernetes_validate
import yaml
from packaging.version import Version
from referencing import Registry, Resource

from tests.kube.render import object_label

CRD_KIND = "CustomResourceDefinition"
# Helm installs every file below crds/ of the chart or of a subchart (charts/<name>/crds/).
CRDS_FOLDER = re.compile(r"[^/]+/(?:charts/[^/]+/)*crds/.+\.ya?ml")


@dataclass
class Report:
    """What validating some objects found: errors (each naming the object and field) and the CEL rule counts."""

    errors: list[str] = field(default_factory=list)
    rules_evaluated: int = 0
    not_evaluated: list[str] = field(default_factory=list)  # "<object> <path>: <rule>: <why>"
    objects: int = 0

    def merge(self, other: Report) -> None:
        self.errors += other.errors
        self.rules_evaluated += other.rules_evaluated
        self.not_evaluated += other.not_evaluated
        self.objects += other.objects


def crds_in_archive(archive: Path) -> list[dict[str, Any]]:
    """The CRDs a chart archive installs: every document of its crds/ folders (subcharts' included)."""
    crds = []
    with tarfile.open(archive) as chart:
        for member in sorted(chart.getmembers(), key=lambda member: member.name):
            if member.isfile() and CRDS_FOLDER.fullmatch(member.name):
                text = chart.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
                crds += [document for document in yaml.load_all(text, Loader=yaml.CSafeLoader) if document and document.get("kind") == CRD_KIND]
    return crds


def _strict(schema: dict[str, Any], *, structural: bool = True, root: bool = False) -> dict[str, Any]:
    """A CRD's OpenAPI v3 schema as JSON Schema that reports undeclared fields. `structural` is false inside
    allOf/anyOf/oneOf/not, which only add value checks to the structural schema around them."""
    converted: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties":
            converted[key] = {name: _strict(item, structural=structural) for name, item in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            converted[key] = _strict(value, structural=structural)
        elif key in ("allOf", "anyOf", "oneOf"):
            converted[key] = [_strict(item, structural=False) for item in value]
        elif key == "not":
            converted[key] = _strict(value, structural=False)
        elif key.startswith("x-kubernetes-") or key in ("nullable", "format", "description", "example", "externalDocs"):
            continue
        else:
            converted[key] = copy.deepcopy(value)
    if schema.get("x-kubernetes-int-or-string"):
        converted.pop("type", None)
        converted.setdefault("allOf", []).append({"anyOf": [{"type": "integer"}, {"type": "string"}]})
    if schema.get("nullable") and "type" in converted:
        converted["type"] = [converted["type"], "null"]
    open_object = schema.get("x-kubernetes-preserve-unknown-fields") or "additionalProperties" in schema or schema.get("x-kubernetes-embedded-resource")
    if structural and schema.get("type") == "object" and not open_object:
        converted["additionalProperties"] = False
    if root:
        # metadata is ObjectMeta, which the server validates itself; apiVersion and kind are checked by lookup.
        converted.setdefault("properties", {})["metadata"] = {"type": "object"}
    return converted


def _apply_defaults(value: Any, schema: dict[str, Any]) -> Any:
    """`value` with the schema's defaults filled in, as the API server does before validating."""
    if isinstance(value, dict):
        value = dict(value)
        for name, item in schema.get("properties", {}).items():
            if name not in value and "default" in item:
                value[name] = copy.deepcopy(item["default"])
            if name in value:
                value[name] = _apply_defaults(value[name], item)
        if isinstance(schema.get("additionalProperties"), dict):
            for name in set(value) - set(schema.get("properties", {})):
                value[name] = _apply_defaults(value[name], schema["additionalProperties"])
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        value = [_apply_defaults(item, schema["items"]) for item in value]
    return value


def _path(parts: list[Any]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts).lstrip(".") or "(root)"


_CEL = celpy.Environment()


@functools.cache
def _program(rule: str) -> Any:
    return _CEL.program(_CEL.compile(rule))


def _lacking_function(error: Exception | celpy.CELEvalError) -> str | None:
    """The Kubernetes CEL function cel-python does not have, if that is why a rule failed."""
    match = re.search(r"undeclared reference to '(\w+)'|no such overload|no (?:such )?function '?(\w+)", str(error.args[0]) if error.args else str(error))
    if match:
        return match.group(1) or match.group(2) or "an overload"
    return None


class _CrdCheck:
    """Lists, CEL rules and the counts for one object against one CRD version's schema."""

    def __init__(self, label: str, report: Report):
        self.label = label
        self.report = report

    def walk(self, value: Any, schema: dict[str, Any], path: list[Any]) -> None:
        for rule in schema.get("x-kubernetes-validations", []):
            self.rule(value, rule, path)
        list_type = schema.get("x-kubernetes-list-type")
        if isinstance(value, list):
            if list_type == "map":
                keys = schema.get("x-kubernetes-list-map-keys", [])
                seen = Counter(tuple(item.get(key) for key in keys) for item in value if isinstance(item, dict))
                for entry, count in sorted(seen.items(), key=str):
                    if count > 1:
                        named = ", ".join(f"{key}={item}" for key, item in zip(keys, entry, strict=True))
                        self.report.errors.append(f"{self.label}: {_path(path)}: duplicate entries with {named} (x-kubernetes-list-type map)")
            elif list_type == "set":
                repeated = [item for item, count in Counter(yaml.safe_dump(item) for item in value).items() if count > 1]
                if repeated:
                    self.report.errors.append(f"{self.label}: {_path(path)}: duplicate items (x-kubernetes-list-type set)")
            if isinstance(schema.get("items"), dict):
                for index, item in enumerate(value):
                    self.walk(item, schema["items"], [*path, index])
        elif isinstance(value, dict):
            properties = schema.get("properties", {})
            for name, item in value.items():
                if name in properties:
                    self.walk(item, properties[name], [*path, name])
                elif isinstance(schema.get("additionalProperties"), dict):
                    self.walk(item, schema["additionalProperties"], [*path, name])

    def rule(self, value: Any, rule: dict[str, Any], path: list[Any]) -> None:
        text = rule["rule"]
        where = f"{self.label}: {_path(path)}"
        if re.search(r"\boldSelf\b", text):
            self.report.not_evaluated.append(f"{where}: {text}: compares with oldSelf, so applies on update only")
            return
        try:
            result = _program(text).evaluate({"self": celpy.json_to_cel(value)})
        except celpy.CELParseError as error:
            self.report.not_evaluated.append(f"{where}: {text}: cel-python cannot parse it ({str(error).splitlines()[0]})")
            return
        except Exception as error:  # cel-python raises KeyError or TypeError for what it lacks
            result = error
        if isinstance(result, celpy.CELEvalError | Exception):
            lacking = _lacking_function(result)
            reason = f"cel-python lacks {lacking}" if lacking else f"cel-python fails on it ({type(result).__name__}: {str(result)[:160]})"
            self.report.not_evaluated.append(f"{where}: {text}: {reason}")
            return
        self.report.rules_evaluated += 1
        if not bool(result):
            self.report.errors.append(f"{where}: {rule.get('message') or 'failed'} (rule: {text})")


class CrdValidator:
    """Custom resources against the CRDs given (group, kind and served version)."""

    def __init__(self, crds: list[dict[str, Any]]):
        self.versions: dict[tuple[str, str], dict[str, Any]] = {}
        for crd in crds:
            spec = crd["spec"]
            for version in spec["versions"]:
                if version.get("served", True):
                    self.versions[(f"{spec['group']}/{version['name']}", spec["names"]["kind"])] = version["schema"]["openAPIV3Schema"]

    def knows(self, obj: dict[str, Any]) -> bool:
        return (obj.get("apiVersion"), obj.get("kind")) in self.versions

    @functools.cached_property
    def _validators(self) -> dict[tuple[str, str], jsonschema.protocols.Validator]:
        return {key: jsonschema.Draft7Validator(_strict(schema, root=True)) for key, schema in self.versions.items()}

    def validate(self, obj: dict[str, Any]) -> Report:
        key = (obj["apiVersion"], obj["kind"])
        schema = self.versions[key]
        label = object_label(obj)
        report = Report(objects=1)
        defaulted = _apply_defaults(obj, schema)
        for error in sorted(self._validators[key].iter_errors(defaulted), key=lambda error: (list(map(str, error.absolute_path)), error.message)):
            report.errors.append(f"{label}: {_path(list(error.absolute_path))}: {error.message}")
        _CrdCheck(label, report).walk(defaulted, schema, [])
        return report


def _schema_version(kube_version: str) -> str:
    """The newest schema set of kubernetes-validate not newer than the cluster's minor version."""
    minor = Version(kubernetes_validate.major_minor(kube_version))
    return [version for version in kubernetes_validate.all_versions() if Version(kubernetes_validate.major_minor(version)) <= minor][-1]


@functools.cache
def _core_validator(kind: str, api_version: str, schema_version: str) -> jsonschema.protocols.Validator | None:
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    directory = f"kubernetes-json-schema/v{schema_version}-local-strict"
    try:
        schema = kubernetes_validate.schema_contents(f"{directory}/{kind.lower()}-{api}.json", schema_version)
    except FileNotFoundError:
        return None
    definitions = kubernetes_validate.schema_contents(f"{directory}/_definitions.json", schema_version)
    registry: Registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def core_report(obj: dict[str, Any], kube_version: str) -> Report:
    """A Kubernetes built-in object against the strict schema of the cluster's minor version; an object with no
    such schema is an error (it is neither built in nor from a CRD we know)."""
    label = object_label(obj)
    version = _schema_version(kube_version)
    validator = _core_validator(obj["kind"], obj["apiVersion"], version)
    if validator is None:
        return Report(errors=[f"{label}: no schema for {obj['apiVersion']} {obj['kind']} in Kubernetes {version} nor in the CRDs given"], objects=1)
    errors = sorted(validator.iter_errors(obj), key=lambda error: (list(map(str, error.absolute_path)), error.message))
    return Report(errors=[f"{label}: {_path(list(error.absolute_path))}: {error.message}" for error in errors], objects=1)


def validate_objects(objects: list[dict[str, Any]], crds: CrdValidator, kube_version: str) -> Report:
    """Each object against its CRD when one of `crds` defines it, else against Kubernetes' strict schemas."""
    report = Report()
    for obj in objects:
        report.merge(crds.validate(obj) if crds.knows(obj) else core_report(obj, kube_version))
    return report
