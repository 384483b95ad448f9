"""Every Helm values key we set exists in the chart version it is sent to.

Neither ingress-nginx nor gateway-helm (Envoy Gateway) ships a values schema, so Helm silently
ignores a misspelled key. The key lists in helm-values/chart-keys/ (format in their header,
written by `python -m dualstack_aks chart-keys`) stand in for the schema. The local chart
charts/dualstack-gateways has a schema; its objects are checked in test_gateway_objects.py.

The offline stopgap: where .chart-cache/ holds the published charts (`make charts`), tests/test_real_renders.py
renders each release and finds every key whose removal changes nothing, which these lists cannot see.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from dualstack_aks.model.chart_keys import key_lines
from dualstack_aks.model.config import IngressSettings
from dualstack_aks.model.gateway import CONTROLLER_CHART, CONTROLLER_VERSION, GATEWAY_VALUES_DIR
from dualstack_aks.model.ingress import VALUES_DIR
from dualstack_aks.model.loading import load_config
from tests.conftest import SHIPPED_CONFIGS, config_id, resources

CHART = "ingress-nginx"
KEY_LISTS = VALUES_DIR / "chart-keys"
PINNED_VERSION = IngressSettings.model_fields["chart_version"].default
VALUES_FILES = sorted(VALUES_DIR.glob("*.yaml"))
FREE_FORM = ".*"


@dataclass(frozen=True)
class ChartKeys:
    """One key list: every known key path, and those among them that are free-form maps."""

    keys: frozenset[str]
    free_form: frozenset[str]

    @classmethod
    def parse(cls, lines: list[str]) -> ChartKeys:
        paths = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
        free_form = frozenset(path.removesuffix(FREE_FORM) for path in paths if path.endswith(FREE_FORM))
        return cls(keys=frozenset(path for path in paths if not path.endswith(FREE_FORM)) | free_form, free_form=free_form)

    @classmethod
    def of(cls, chart: str, version: str) -> ChartKeys:
        path = KEY_LISTS / f"{chart}-{version}.txt"
        assert path.is_file(), f"no key list for {chart} {version}: write {path.relative_to(VALUES_DIR.parent)} with `python -m dualstack_aks chart-keys`"
        return cls.parse(path.read_text(encoding="utf-8").splitlines())

    def unknown(self, values: dict, prefix: tuple[str, ...] = ()) -> list[str]:
        """One message per unknown key, naming the closest known key; keys below an unknown
        key or a free-form map are not looked at."""
        problems = []
        for key, value in values.items():
            path = ".".join((*prefix, str(key)))
            if path not in self.keys:
                closest = difflib.get_close_matches(path, self.keys, n=1, cutoff=0)
                problems.append(f"unknown key {path} (closest known key: {closest[0]})")
            elif isinstance(value, dict) and path not in self.free_form:
                problems.extend(self.unknown(value, (*prefix, str(key))))
        return problems


def test_key_list_exists_for_pinned_chart_version():
    assert "controller.service.type" in ChartKeys.of(CHART, PINNED_VERSION).keys
    assert "global.images.envoyGateway.image" in ChartKeys.of(CONTROLLER_CHART, CONTROLLER_VERSION).keys


def test_envoy_gateway_controller_values_keys_exist_in_pinned_chart():
    values = yaml.safe_load((GATEWAY_VALUES_DIR / "gateway-helm.yaml").read_text(encoding="utf-8"))
    assert ChartKeys.of(CONTROLLER_CHART, CONTROLLER_VERSION).unknown(values) == []


def test_planted_typo_in_envoy_gateway_values_is_reported():
    values = {"global": {"images": {"envoyGatway": {"image": "x"}}}, "deployment": {"pod": {"annotations": {"prometheus.io/scrape": "true"}}}}
    assert ChartKeys.of(CONTROLLER_CHART, CONTROLLER_VERSION).unknown(values) == [
        "unknown key global.images.envoyGatway (closest known key: global.images.envoyGateway)"
    ]


@pytest.mark.parametrize("path", VALUES_FILES, ids=lambda path: path.stem)
def test_values_file_keys_exist_in_pinned_chart(path):
    values = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert ChartKeys.of(CHART, PINNED_VERSION).unknown(values) == []


@pytest.mark.parametrize("config_path", SHIPPED_CONFIGS, ids=config_id)
def test_release_values_keys_exist_in_their_chart_version(synthesize, config_path):
    _, stacks = synthesize(load_config(config_path))
    # Releases of a published chart; the local chart's (no repository) are checked against their CRDs.
    releases = [
        release for name, stack in stacks.items() if name.startswith("ingress-") for release in resources(stack, "helm_release") if "repository" in release
    ]
    assert releases, "no helm_release of a published chart in the ingress stacks"
    for release in releases:
        values = yaml.safe_load(release["values"][0])
        assert ChartKeys.of(release["chart"], release["version"]).unknown(values) == [], f"release {release['name']}"


@pytest.mark.parametrize(
    ("planted", "message"),
    [
        ({"controller": {"servce": {"type": "LoadBalancer"}}}, "unknown key controller.servce (closest known key: controller.service)"),
        (
            {"controller": {"service": {"internal": {"ipFamilys": ["IPv6"]}}}},
            "unknown key controller.service.internal.ipFamilys (closest known key: controller.service.internal.ipFamilies)",
        ),
        ({"controller": {"podLabel": {"team": "edge"}}}, "unknown key controller.podLabel (closest known key: controller.podLabels)"),
    ],
)
def test_planted_typo_in_shipped_values_is_reported(planted, message):
    common = yaml.safe_load((VALUES_DIR / "common.yaml").read_text(encoding="utf-8"))
    controller = {**common["controller"], **planted["controller"]}
    assert ChartKeys.of(CHART, PINNED_VERSION).unknown({**common, "controller": controller}) == [message]


def test_free_form_maps_and_lists_accept_any_content():
    keys = ChartKeys.of(CHART, PINNED_VERSION)
    values = {
        "controller": {
            "config": {"any-nginx-setting": "1"},
            "service": {"annotations": {"service.beta.kubernetes.io/azure-dns-label-name": "x"}},
            "tolerations": [{"key": "k", "operator": "Exists", "anything": {"nested": True}}],
        }
    }
    assert keys.unknown(values) == []


def test_key_list_generator_reads_values_and_templates(tmp_path: Path):
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "values.yaml").write_text(
        "service:\n  type: LoadBalancer\n  annotations: {}\n  ports: {}\nresources:\n  requests:\n    cpu: 100m\nprobe:\n  path: /healthz\n",
        encoding="utf-8",
    )
    # `replicas` is only read through `with`, `ports.http` by name, `resources` rendered whole.
    (chart / "templates" / "deployment.yaml").write_text(
        "{{- with .Values.fallback }}\nreplicas: {{ .replicas }}\n{{- end }}\n"
        "port: {{ .Values.service.ports.http }}\n"
        "resources: {{ toYaml .Values.resources }}\n"
        "path: {{ .Values.probe.path }}\n",
        encoding="utf-8",
    )
    assert key_lines(chart) == [
        "fallback",
        "fallback.replicas",
        "probe",
        "probe.path",
        "resources.*",
        "service",
        "service.annotations.*",
        "service.ports",
        "service.ports.http",
        "service.type",
    ]
