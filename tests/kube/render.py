"""Every helm_release of a synthesized output, rendered by the real helm (`helm template`) with exactly the values
in its Terraform JSON: the objects the cluster will get.

A Terraform reference in a release is replaced by what it names where the JSON says it (the namespace resource's
own name), else by a stand-in of the attribute's type (a documentation address of the right family for a public
IP's address); a reference of any other kind is an error, so a new one gets its stand-in here.

    rendered = render_output(outdir, kube_version="1.35")   # every release; published charts from .chart-cache/
    gateways = [obj for item in rendered for obj in item.objects if obj["kind"] == "Gateway"]
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dualstack_aks.output.reader import read_stacks
from tests.kube.charts import cached_archive, helm_command, locked

REFERENCE = re.compile(r"\$\{([^}]*)\}")
# Stand-ins of one type per family: RFC 5737 and RFC 3849 documentation addresses, one per public IP in output order.
DOCUMENTATION_ADDRESS = {"IPv4": "192.0.2.{}", "IPv6": "2001:db8::{}"}


class UnresolvedReference(ValueError):
    """A Terraform reference in a release that has no literal in the JSON and no stand-in here."""


class LocalChartMissing(FileNotFoundError):
    """A local chart path that does not resolve from its stack's folder, where Terraform runs."""


@dataclass(frozen=True)
class Release:
    """One helm_release with every reference resolved: what `helm template` is given."""

    stack: str
    address: str  # helm_release.<id>
    name: str
    namespace: str
    chart: str  # as written in the JSON
    version: str | None
    repository: str | None
    values: dict[str, Any]

    @property
    def published(self) -> bool:
        return self.repository is not None

    def label(self) -> str:
        return f"{self.stack}/{self.name}"


@dataclass(frozen=True)
class RenderedRelease:
    release: Release
    objects: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # helm's, "<stack>/<release>: <line>"


def object_label(obj: dict[str, Any]) -> str:
    """Kind namespace/name, the way errors name an object."""
    metadata = obj.get("metadata", {})
    namespace = f"{metadata['namespace']}/" if metadata.get("namespace") else ""
    return f"{obj.get('kind')} {namespace}{metadata.get('name')}"


def _walk(body: Any, path: str) -> Any:
    """The value at a Terraform attribute path (`metadata[0].name`) in a resource body; a block written as an
    object answers index 0."""
    node = body
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            node = node[index] if isinstance(node, list) else node if index == 0 else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


class _References:
    """Resolves the references of one output's releases."""

    def __init__(self, stacks: dict[str, dict]):
        self.stacks = stacks
        public_ips = [body for stack in stacks.values() for body in stack.get("resource", {}).get("azurerm_public_ip", {}).values()]
        counters: dict[str, int] = {}
        self.address_by_public_ip: dict[str, str] = {}
        for body in sorted(public_ips, key=lambda ip: ip["name"]):
            family = body.get("ip_version", "IPv4")
            counters[family] = counters.get(family, 0) + 1
            self.address_by_public_ip[body["name"]] = DOCUMENTATION_ADDRESS[family].format(counters[family] + 9)

    def resolve(self, stack: str, expression: str, where: str) -> str:
        parts = expression.split(".")
        kind, (resource_type, resource_id, *attribute) = ("data", parts[1:]) if parts[0] == "data" else ("resource", parts)
        body = self.stacks[stack].get(kind, {}).get(resource_type, {}).get(resource_id)
        if body is None:
            raise UnresolvedReference(f"{where}: ${{{expression}}} names nothing in stack {stack}")
        literal = _walk(body, ".".join(attribute))
        if isinstance(literal, str | int | float) and not REFERENCE.search(str(literal)):
            return str(literal)
        if (resource_type, ".".join(attribute)) == ("azurerm_public_ip", "ip_address") and body.get("name") in self.address_by_public_ip:
            return self.address_by_public_ip[body["name"]]
        raise UnresolvedReference(f"{where}: ${{{expression}}} has no literal in the JSON and no stand-in in tests/kube/render.py")

    def substitute(self, stack: str, value: Any, where: str) -> Any:
        if isinstance(value, str):
            return REFERENCE.sub(lambda match: self.resolve(stack, match.group(1), where), value)
        if isinstance(value, dict):
            return {key: self.substitute(stack, item, where) for key, item in value.items()}
        if isinstance(value, list):
            return [self.substitute(stack, item, where) for item in value]
        return value


def releases_of(stacks: dict[str, dict]) -> list[Release]:
    """Every helm_release of every stack, references resolved, in stack and address order."""
    references = _References(stacks)
    found = []
    for stack_name, stack in sorted(stacks.items()):
        for resource_id, body in sorted(stack.get("resource", {}).get("helm_release", {}).items()):
            where = f"{stack_name} helm_release.{resource_id}"
            assert len(body.get("values", [])) <= 1, f"{where}: one values document expected"
            values = references.substitute(stack_name, yaml.safe_load(body["values"][0]) if body.get("values") else {}, where)
            found.append(
                Release(
                    stack=stack_name,
                    address=f"helm_release.{resource_id}",
                    name=references.substitute(stack_name, body["name"], where),
                    namespace=references.substitute(stack_name, body.get("namespace", "default"), where),
                    chart=body["chart"],
                    version=body.get("version"),
                    repository=body.get("repository"),
                    values=values or {},
                )
            )
    return found


def chart_location(release: Release, stack_dir: Path) -> Path:
    """The archive of a published chart (from .chart-cache/), or the local chart's folder as Terraform sees it
    from the stack's folder."""
    if release.repository is not None:
        assert release.version, f"{release.label()}: a published chart needs a pinned version"
        return cached_archive(locked(release.chart, release.version, release.repository))
    local = (stack_dir / release.chart).resolve()
    if not (local / "Chart.yaml").is_file():
        raise LocalChartMissing(f"{release.label()}: chart {release.chart} does not exist from the stack's folder {stack_dir}")
    return local


def helm_template_text(release: Release, chart: Path, kube_version: str) -> tuple[str, list[str]]:
    """`helm template` of one release, CRDs included (helm install creates them): the manifest text, and what helm
    warned about (a value of another type than the chart's default, say), one line each."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8") as values:
        yaml.safe_dump(release.values, values)
        values.flush()
        command = [
            helm_command(),
            "template",
            release.name,
            str(chart),
            "--namespace",
            release.namespace,
            "--values",
            values.name,
            "--kube-version",
            kube_version,
            "--include-crds",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(f"{release.label()}: helm template failed: {result.stderr.strip()}")
    return result.stdout, [f"{release.label()}: {line}" for line in result.stderr.splitlines() if line.strip()]


def helm_template(release: Release, chart: Path, kube_version: str) -> RenderedRelease:
    """The objects `helm template` renders for one release, in output order, with helm's warnings."""
    text, warnings = helm_template_text(release, chart, kube_version)
    return RenderedRelease(release, [document for document in yaml.load_all(text, Loader=yaml.CSafeLoader) if document], warnings)


# One render per distinct release, chart and Kubernetes version in a test session (helm template is ~100 ms).
_RENDERED: dict[str, RenderedRelease] = {}


def render(release: Release, stack_dir: Path, kube_version: str) -> RenderedRelease:
    """One release rendered (once per process for the same release, chart and version)."""
    chart = chart_location(release, stack_dir)
    key = yaml.safe_dump({"release": release.__dict__, "chart": str(chart), "kube_version": kube_version}, sort_keys=True)
    if key not in _RENDERED:
        _RENDERED[key] = helm_template(release, chart, kube_version)
    return _RENDERED[key]


def render_output(outdir: Path, kube_version: str, *, published: bool = True) -> list[RenderedRelease]:
    """Every release of a synthesized output rendered; `published=False` leaves out published charts (which need
    .chart-cache/). Raises ChartNotCached when a published chart is needed and not cached."""
    stacks = read_stacks(outdir)
    return [render(release, outdir / "stacks" / release.stack, kube_version) for release in releases_of(stacks) if published or not release.published]
