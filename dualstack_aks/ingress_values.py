"""Helm values of the ingress-nginx releases: files in helm-values/ merged with computed values.

Pure Python (no jsii): the ingress construct receives the finished values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dualstack_aks.naming import IngressNames

VALUES_DIR = Path(__file__).resolve().parent.parent / "helm-values"
FAMILIES = ("ipv4", "ipv6")


@dataclass(frozen=True)
class IngressRelease:
    """One ingress-nginx release: its family, role and where its public IP lives."""

    family: str
    translating: bool
    names: IngressNames
    public_ip_name: str
    public_ip_resource_group: str
    replicas: int

    @property
    def role(self) -> str:
        """`nat64-proxy` / `nat46-proxy` for the translating release, else `native`."""
        if not self.translating:
            return "native"
        return "nat64-proxy" if self.family == "ipv6" else "nat46-proxy"


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Maps merge key by key; anything else in `override` replaces what `base` has."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _load(name: str, values_dir: Path) -> dict[str, Any]:
    return yaml.safe_load((values_dir / f"{name}.yaml").read_text(encoding="utf-8")) or {}


def computed_values(release: IngressRelease) -> dict[str, Any]:
    names = release.names
    selector = {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/instance": names.release, "app.kubernetes.io/component": "controller"}
    return {
        "controller": {
            "replicaCount": release.replicas,
            "electionID": f"{names.release}-leader",
            "ingressClass": names.ingress_class,
            "ingressClassResource": {"name": names.ingress_class, "controllerValue": names.controller_value},
            "podLabels": {"dualstack-aks/family": release.family, "dualstack-aks/role": release.role},
            # Pin the Service to the pre-created static public IP of its family.
            "service": {
                "annotations": {
                    "service.beta.kubernetes.io/azure-pip-name": release.public_ip_name,
                    "service.beta.kubernetes.io/azure-load-balancer-resource-group": release.public_ip_resource_group,
                }
            },
            "topologySpreadConstraints": [
                {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": selector}},
                {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": selector}},
            ],
        }
    }


def release_values(release: IngressRelease, values_dir: Path = VALUES_DIR) -> dict[str, Any]:
    """common.yaml < <family>.yaml < computed values."""
    return deep_merge(deep_merge(_load("common", values_dir), _load(release.family, values_dir)), computed_values(release))


class _PlainDumper(yaml.SafeDumper):
    """Writes repeated maps out in full instead of as &anchors, so reviewers read plain values."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render_values(values: dict[str, Any]) -> str:
    """Stable YAML text for the helm_release `values` list."""
    return yaml.dump(values, Dumper=_PlainDumper, sort_keys=True, default_flow_style=False)
