"""Every helm_release of every shipped config and layout variant, rendered by the real helm with the values in the
synthesized JSON (tests/kube/render.py), and the rendered objects validated against the schemas the cluster
applies (tests/kube/schemas.py): custom resources against the CRDs gateway-helm v1.9.0 installs, with their CEL
rules; core objects against Kubernetes' strict schemas for the config's version. Every values key changes the
render or is a listed restatement of a chart default.

The local chart charts/dualstack-gateways always renders. The published charts come from .chart-cache/ (`make
charts`): without it those tests skip and say so, and fail when DUALSTACK_REQUIRE_CHARTS=1 (the pull-request
workflow). The validator engines are tested here on small objects written in the test, which always runs.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import re
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from dualstack_aks.model.config import IngressSettings
from dualstack_aks.model.gateway import CONTROLLER_CHART, CONTROLLER_REPOSITORY, CONTROLLER_VERSION
from dualstack_aks.model.loading import load_config
from dualstack_aks.model.names import ENVOY_GATEWAY as ENVOY_GATEWAY_CONTROLLER
from dualstack_aks.output.reader import read_stacks
from tests.conftest import DEFAULT_CONFIG, EXAMPLES, REPO, SHIPPED_CONFIGS, config_id, config_with
from tests.kube.charts import ChartNotCached, cached_archive, charts_required, helm_command, locked, locked_charts, pull_all
from tests.kube.dead_values import dead_keys
from tests.kube.render import (
    LocalChartMissing,
    Release,
    RenderedRelease,
    UnresolvedReference,
    chart_location,
    helm_template,
    releases_of,
    render_output,
)
from tests.kube.schemas import CrdValidator, Report, core_report, crds_in_archive, validate_objects

ENVOY_GATEWAY = EXAMPLES / "envoy-gateway.yaml"
LOCAL_CHART = REPO / "charts" / "dualstack-gateways"
# Every shipped config, and the layouts the tests build from the default and the Envoy Gateway example.
VARIANTS: dict[str, tuple[Path, dict[str, object]]] = {
    **{config_id(path): (path, {}) for path in SHIPPED_CONFIGS},
    "twin-public-only": (DEFAULT_CONFIG, {"ingress.internal_load_balancers": False}),
    "twin-untranslated": (DEFAULT_CONFIG, {"ingress.translating_ingress": False}),
    "envoy-nat46": (ENVOY_GATEWAY, {"primary_family": "ipv6"}),
    "envoy-dual-stack": (ENVOY_GATEWAY, {"ingress.mode": "dual-stack"}),
    "envoy-public-only": (ENVOY_GATEWAY, {"ingress.internal_load_balancers": False}),
    "envoy-untranslated": (ENVOY_GATEWAY, {"ingress.translating_ingress": False}),
    "envoy-behind-application-gateway": (EXAMPLES / "application-gateway.yaml", {"ingress.controller": "envoy-gateway"}),
}
# The Envoy Gateway layouts: their Gateway API objects come from the local chart.
USES_LOCAL_CHART = {
    name for name, (path, changes) in VARIANTS.items() if config_with(load_config(path), **changes).ingress.controller == ENVOY_GATEWAY_CONTROLLER
}
# Values keys whose removal changes no rendered object, kept on purpose: chart, dotted key -> why.
RESTATEMENTS: dict[str, dict[str, str]] = {
    "ingress-nginx": {
        "controller.minAvailable": "the PodDisruptionBudget is the availability promise: stated, not inherited",
        "controller.service.type": "a LoadBalancer Service is what the edge layer's public IP is for",
        "controller.service.ipFamilies": "the family is stated, never left to the chart or the cluster's primary family",
        "controller.service.ipFamilyPolicy": "as ipFamilies: SingleStack stated for each single-family release",
        "controller.service.internal.ipFamilies": "the internal Service's family stated like the public one's",
        "controller.service.internal.ipFamilyPolicy": "as internal.ipFamilies",
        "controller.resources.requests.cpu": "stated beside the memory request the app changes",
        "controller.nodeSelector": "Linux nodes stated: the pools could gain Windows nodes",
        "controller.ingressClassResource.enabled": "each release's IngressClass is what the routes name",
        "controller.ingressClassResource.default": "two classes per cluster: neither may become the default",
        "controller.admissionWebhooks.enabled": "the admission webhook validates each class's Ingresses",
        "controller.electionID": "<release>-leader, the chart's own default for these names: each twin keeps its own lease",
        "defaultBackend": "no default backend: unmatched hosts get nginx's 404",
    },
    CONTROLLER_CHART: {
        "crds": "the Gateway API and Envoy Gateway CRDs are installed by this release (README, Envoy Gateway)",
        "global.images.envoyGateway": "the controller image pinned to the tag the chart defaults to",
    },
}
# Why a CEL rule may go unevaluated: nothing else is accepted.
NOT_EVALUATED_REASONS = ("compares with oldSelf, so applies on update only", "cel-python lacks")


@pytest.fixture(scope="module")
def output(synthesize):
    """Variant name -> (outdir, Kubernetes version) of its synthesized output."""

    def get(name: str) -> tuple[Path, str]:
        path, changes = VARIANTS[name]
        config = load_config(path)
        if changes:
            config = config_with(config, **changes)
        return synthesize(config, source=path.name)[0], config.cluster.kubernetes_version

    return get


@pytest.fixture(scope="session")
def chart_cache() -> None:
    """The published charts' archives are in .chart-cache/; else a skip that names `make charts`, or a failure
    when DUALSTACK_REQUIRE_CHARTS=1."""
    missing = [f"{chart.name} {chart.version}" for chart in locked_charts() if not chart.archive.is_file()]
    if missing:
        message = f"{', '.join(missing)} not in .chart-cache/: run `make charts` to render and validate the published charts"
        if charts_required():
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def chart_crds(chart_cache) -> CrdValidator:
    """The CRDs the locked charts install (gateway-helm's Gateway API v1.6.1 and Envoy Gateway CRDs)."""
    return CrdValidator([crd for chart in locked_charts() for crd in crds_in_archive(cached_archive(chart))])


def _local_releases(rendered: list[RenderedRelease]) -> list[RenderedRelease]:
    return [item for item in rendered if not item.release.published]


# The local chart, always.


@pytest.mark.parametrize("variant", VARIANTS)
def test_local_chart_renders_exactly_the_objects_in_the_values(output, variant):
    outdir, kube_version = output(variant)
    rendered = render_output(outdir, kube_version, published=False)
    assert bool(rendered) == (variant in USES_LOCAL_CHART)
    for item in rendered:
        listed = [obj for objects in item.release.values.values() for obj in objects]
        assert sorted(map(yaml.safe_dump, item.objects)) == sorted(map(yaml.safe_dump, listed)), item.release.label()


def test_a_missing_local_chart_is_named_with_its_release(tmp_path):
    release = Release("ingress-x", "helm_release.r", "gateway-ipv4", "ns", "../../../charts/dualstack-gateways", None, None, {})
    with pytest.raises(LocalChartMissing, match=r"ingress-x/gateway-ipv4: chart \.\./\.\./\.\./charts/dualstack-gateways does not exist"):
        chart_location(release, tmp_path / "out" / "stacks" / "ingress-x")


def test_references_resolve_to_the_json_or_typed_stand_ins():
    stacks = {
        "region-a": {"resource": {"azurerm_public_ip": {"v4": {"name": "pip-4", "ip_version": "IPv4"}, "v6": {"name": "pip-6", "ip_version": "IPv6"}}}},
        "ingress-a": {
            "data": {"azurerm_public_ip": {"four": {"name": "pip-4"}, "six": {"name": "pip-6"}}},
            "resource": {
                "kubernetes_namespace_v1": {"ns": {"metadata": {"name": "edge"}}},
                "helm_release": {
                    "r": {
                        "name": "gateway-dual-stack",
                        "namespace": "${kubernetes_namespace_v1.ns.metadata[0].name}",
                        "chart": "c",
                        "values": ["a: ${data.azurerm_public_ip.four.ip_address}\nb: ${data.azurerm_public_ip.six.ip_address}\n"],
                    }
                },
            },
        },
    }
    (release,) = releases_of(stacks)
    assert (release.namespace, release.values) == ("edge", {"a": "192.0.2.10", "b": "2001:db8::10"})
    stacks["ingress-a"]["resource"]["helm_release"]["r"]["values"] = ["a: ${azurerm_kubernetes_cluster.c.id}\n"]
    with pytest.raises(UnresolvedReference, match=r"ingress-a helm_release\.r: \$\{azurerm_kubernetes_cluster\.c\.id\} names nothing"):
        releases_of(stacks)


# The published charts, where .chart-cache/ has them.


def test_the_lock_pins_exactly_the_chart_versions_the_app_installs():
    ingress = IngressSettings.model_fields
    assert locked("ingress-nginx", ingress["chart_version"].default, ingress["chart_repository"].default)
    assert locked(CONTROLLER_CHART, CONTROLLER_VERSION, CONTROLLER_REPOSITORY)
    assert {(chart.name, chart.version) for chart in locked_charts()} == {("ingress-nginx", "4.15.1"), (CONTROLLER_CHART, CONTROLLER_VERSION)}


def test_an_uncached_chart_names_make_charts(monkeypatch, tmp_path):
    monkeypatch.setattr("tests.kube.charts.CACHE", tmp_path)
    (chart,) = [chart for chart in locked_charts() if chart.name == "ingress-nginx"]
    with pytest.raises(ChartNotCached, match=r"run `make charts`"):
        cached_archive(dataclasses.replace(chart))


@pytest.fixture
def chart_repository(tmp_path, monkeypatch):
    """The local chart packaged into a chart repository served on localhost: what `helm pull --repo` reads from
    kubernetes.github.io, offline. Yields (its URL, the archive's sha256)."""
    # helm's repository index cache and config go to the test's folder, not the user's home.
    for variable in ("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
    served = tmp_path / "repository"
    subprocess.run([helm_command(), "package", str(LOCAL_CHART), "--destination", str(served)], check=True, capture_output=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SimpleHTTPRequestHandler, directory=str(served)))
    url = f"http://127.0.0.1:{server.server_port}"
    subprocess.run([helm_command(), "repo", "index", str(served), "--url", url], check=True, capture_output=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    (archive,) = served.glob("*.tgz")
    yield url, hashlib.sha256(archive.read_bytes()).hexdigest()
    server.shutdown()


@pytest.mark.parametrize("digest_matches", [True, False], ids=["kept", "refused"])
def test_make_charts_keeps_a_pulled_chart_only_when_its_digest_matches_the_lock(tmp_path, monkeypatch, chart_repository, digest_matches):
    url, digest = chart_repository
    version = yaml.safe_load((LOCAL_CHART / "Chart.yaml").read_text(encoding="utf-8"))["version"]
    locked_digest = digest if digest_matches else "0" * 64
    lock = tmp_path / "lock.yaml"
    lock.write_text(yaml.safe_dump({"charts": [{"name": "dualstack-gateways", "version": version, "repository": url, "digest": f"sha256:{locked_digest}"}]}))
    monkeypatch.setattr("tests.kube.charts.LOCK", lock)
    monkeypatch.setattr("tests.kube.charts.CACHE", tmp_path / "cache")
    if digest_matches:
        pull_all()
        assert [path.name for path in (tmp_path / "cache").iterdir()] == [f"dualstack-gateways-{version}.tgz"]
    else:
        with pytest.raises(
            SystemExit, match=rf"dualstack-gateways {re.escape(version)}: pulled digest sha256:{digest}, the lock says sha256:0{{64}}; nothing kept"
        ):
            pull_all()
        assert list((tmp_path / "cache").iterdir()) == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_release_renders_and_validates_against_the_real_schemas(output, chart_crds, variant):
    outdir, kube_version = output(variant)
    rendered = render_output(outdir, kube_version)
    report = validate_objects([obj for item in rendered for obj in item.objects], chart_crds, kube_version)
    assert [warning for item in rendered for warning in item.warnings] == []
    assert report.objects and report.errors == []
    unexplained = [rule for rule in report.not_evaluated if not any(reason in rule for reason in NOT_EVALUATED_REASONS)]
    assert unexplained == []


def _distinct_releases(output, variants) -> list[tuple[str, Release, Path, str]]:
    """One release per chart and values shape (set of key paths) over the variants: the dead-values check is a
    render per key."""
    seen: set[tuple[str, str]] = set()
    found = []
    for variant in variants:
        outdir, kube_version = output(variant)
        for release in releases_of(read_stacks(outdir)):
            shape = (release.chart, yaml.safe_dump(_shape(release.values)))
            if shape not in seen:
                seen.add(shape)
                found.append((variant, release, outdir / "stacks" / release.stack, kube_version))
    return found


def _shape(values: object) -> object:
    return {key: _shape(value) for key, value in values.items()} if isinstance(values, dict) else None


@pytest.mark.parametrize("chart", ["ingress-nginx", CONTROLLER_CHART])
def test_every_values_key_of_a_published_chart_changes_the_render(output, chart_cache, chart):
    dead_by_release = {}
    tried = 0
    # gateway-helm's values are the same in every Envoy Gateway layout; ingress-nginx's differ by layout.
    variants = ["envoy-gateway"] if chart == CONTROLLER_CHART else [name for name in VARIANTS if name not in USES_LOCAL_CHART]
    for variant, release, stack_dir, kube_version in _distinct_releases(output, variants):
        if release.chart != chart:
            continue
        dead, count = dead_keys(release, chart_location(release, stack_dir), kube_version)
        tried += count
        dead_by_release[f"{variant}: {release.label()}"] = dead
    assert tried, f"no release of {chart}"
    assert {label: [key for key in dead if key not in RESTATEMENTS[chart]] for label, dead in dead_by_release.items()} == {
        label: [] for label in dead_by_release
    }
    restated_somewhere = {key for dead in dead_by_release.values() for key in dead}
    assert sorted(set(RESTATEMENTS[chart]) - restated_somewhere) == [], (
        f"listed as a restatement but changes the render: remove it from RESTATEMENTS; dead keys: {dead_by_release}"
    )


def test_every_values_key_of_the_local_chart_changes_the_render(output):
    tried = 0
    for variant, release, _, kube_version in _distinct_releases(output, sorted(USES_LOCAL_CHART)):
        if not release.published:
            dead, count = dead_keys(release, LOCAL_CHART, kube_version)
            tried += count
            assert dead == [], f"{variant}: {release.label()}"
    assert tried


def test_planted_misspelled_local_chart_list_is_refused_by_its_values_schema(output):
    outdir, kube_version = output("envoy-gateway")
    release = next(release for release in releases_of(read_stacks(outdir)) if "gateways" in release.values)
    planted = dataclasses.replace(release, values={**release.values, "gateway": release.values["gateways"]})
    with pytest.raises(AssertionError, match=r"(?s)ingress-eastus2/gateway-ipv4: helm template failed: .*additional properties 'gateway' not allowed"):
        dead_keys(planted, LOCAL_CHART, kube_version)


# Planted faults, each reported with the object and field.


@pytest.fixture(scope="module")
def envoy_objects(output) -> list[dict]:
    """The Envoy Gateway example's local chart objects, rendered from the chart in the repository."""
    outdir, kube_version = output("envoy-gateway")
    releases = [release for release in releases_of(read_stacks(outdir)) if not release.published]
    return [obj for release in releases for obj in helm_template(release, LOCAL_CHART, kube_version).objects]


def _named(objects: list[dict], kind: str, name: str) -> dict:
    return copy.deepcopy(next(obj for obj in objects if (obj["kind"], obj["metadata"]["name"]) == (kind, name)))


def test_planted_unknown_field_beside_a_real_one_in_a_gateway(envoy_objects, chart_crds):
    gateway = _named(envoy_objects, "Gateway", "gateway-ipv4")
    gateway["spec"]["infrastructur"] = gateway["spec"]["infrastructure"]
    (error,) = chart_crds.validate(gateway).errors
    assert error == "Gateway envoy-gateway-system/gateway-ipv4: spec: Additional properties are not allowed ('infrastructur' was unexpected)"


def test_planted_backend_request_timeout_longer_than_the_request_timeout(envoy_objects, chart_crds):
    route = _named(envoy_objects, "HTTPRoute", "echo-eg-ipv4")
    route["spec"]["rules"][0]["timeouts"] = {"request": "10s", "backendRequest": "30s"}
    (error,) = chart_crds.validate(route).errors
    assert error.startswith("HTTPRoute echo/echo-eg-ipv4: spec.rules[0].timeouts: backendRequest timeout cannot be longer than request timeout")


def test_planted_duplicate_listener_name(envoy_objects, chart_crds):
    gateway = _named(envoy_objects, "Gateway", "gateway-ipv4")
    gateway["spec"]["listeners"][1]["name"] = "http"
    assert chart_crds.validate(gateway).errors == [
        "Gateway envoy-gateway-system/gateway-ipv4: spec.listeners: Listener name must be unique within the Gateway "
        "(rule: self.all(l1, self.exists_one(l2, l1.name == l2.name)))",
        "Gateway envoy-gateway-system/gateway-ipv4: spec.listeners: duplicate entries with name=http (x-kubernetes-list-type map)",
    ]


def test_planted_tls_on_an_http_listener(envoy_objects, chart_crds):
    """What @kubernetes-models/gateway-api 2.0.0 accepted (issue "Proven against the real tools")."""
    gateway = _named(envoy_objects, "Gateway", "gateway-ipv4")
    gateway["spec"]["listeners"][0]["tls"] = gateway["spec"]["listeners"][1]["tls"]
    (error,) = chart_crds.validate(gateway).errors
    assert error.startswith("Gateway envoy-gateway-system/gateway-ipv4: spec.listeners: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']")


def test_planted_unknown_key_in_the_envoy_proxy_values(output, chart_crds):
    outdir, kube_version = output("envoy-gateway")
    release = next(release for release in releases_of(read_stacks(outdir)) if "envoyProxies" in release.values)
    values = copy.deepcopy(release.values)
    values["envoyProxies"][0]["spec"]["provider"]["kubernetes"]["envoyService"]["externalTraficPolicy"] = "Local"
    objects = helm_template(dataclasses.replace(release, values=values), LOCAL_CHART, kube_version).objects
    assert validate_objects(objects, chart_crds, kube_version).errors == [
        "EnvoyProxy envoy-gateway-system/gateway-ipv4: spec.provider.kubernetes.envoyService: "
        "Additional properties are not allowed ('externalTraficPolicy' was unexpected)"
    ]


def test_planted_misspelled_ingress_nginx_value_beside_the_real_one(output, chart_cache):
    outdir, kube_version = output("default")
    release = next(release for release in releases_of(read_stacks(outdir)) if release.chart == "ingress-nginx")
    values = copy.deepcopy(release.values)
    values["controller"]["service"]["externalTraficPolicy"] = "Cluster"
    planted = dataclasses.replace(release, values=values)
    dead, _ = dead_keys(planted, chart_location(planted, outdir / "stacks" / release.stack), kube_version)
    assert "controller.service.externalTraficPolicy" in dead and "controller.service.externalTrafficPolicy" not in dead


def test_planted_list_for_a_map_in_a_rendered_core_object(output, chart_cache):
    outdir, kube_version = output("default")
    release = next(release for release in releases_of(read_stacks(outdir)) if release.chart == "ingress-nginx")
    values = copy.deepcopy(release.values)
    values["controller"]["nodeSelector"] = [{"kubernetes.io/os": "linux"}]
    rendered = helm_template(dataclasses.replace(release, values=values), chart_location(release, outdir / "stacks" / release.stack), kube_version)
    # helm itself warns that the list replaces the chart's map default; the strict schema names the object's field.
    assert rendered.warnings == [
        f'{release.label()}: level=INFO msg="warning: cannot overwrite table with non table for ingress-nginx.controller.nodeSelector (map[kubernetes.io/os:linux])"'
    ]
    errors = validate_objects(rendered.objects, CrdValidator([]), kube_version).errors
    assert errors == [
        "Deployment ingress-nginx/ingress-nginx-ipv4-controller: spec.template.spec.nodeSelector: [{'kubernetes.io/os': 'linux'}] is not of type 'object', 'null'"
    ], errors


# The validator engines on small objects written here: always run.

WIDGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "Widget", "plural": "widgets"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "apiVersion": {"type": "string"},
                            "kind": {"type": "string"},
                            "metadata": {"type": "object"},
                            "spec": {
                                "type": "object",
                                "x-kubernetes-validations": [
                                    {"rule": "self.min <= self.max", "message": "min must not exceed max"},
                                    {"rule": "!has(self.address) || isIP(self.address)", "message": "address must be an IP"},
                                    {"rule": "self.min == oldSelf.min", "message": "min is immutable"},
                                ],
                                "properties": {
                                    "min": {"type": "integer", "default": 1},
                                    "max": {"type": "integer"},
                                    "address": {"type": "string"},
                                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                                    "raw": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                                    "ports": {
                                        "type": "array",
                                        "x-kubernetes-list-type": "map",
                                        "x-kubernetes-list-map-keys": ["name"],
                                        "items": {"type": "object", "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}},
                                    },
                                },
                            },
                        },
                    }
                },
            }
        ],
    },
}


def _widget(**spec: object) -> dict:
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "ns"}, "spec": spec}


def test_crd_engine_accepts_declared_free_form_and_map_fields_and_lists_what_it_cannot_evaluate():
    report = CrdValidator([WIDGET_CRD]).validate(_widget(max=3, labels={"any": "x"}, raw={"any": {"thing": 1}}, ports=[{"name": "a", "port": 1}]))
    assert report.errors == []
    # min <= max (min defaulted to 1) and the address rule (no address: isIP is never reached) are evaluated.
    assert report.rules_evaluated == 2
    assert report.not_evaluated == ["Widget ns/w: spec: self.min == oldSelf.min: compares with oldSelf, so applies on update only"]


def test_crd_engine_reports_unknown_fields_types_cel_violations_duplicates_and_missing_cel_functions():
    report = CrdValidator([WIDGET_CRD]).validate(
        _widget(min=5, max=3, colour="red", address="10.0.0.1", labels={"a": 1}, ports=[{"name": "a"}, {"name": "a", "prt": 2}])
    )
    assert report.errors == [
        "Widget ns/w: spec: Additional properties are not allowed ('colour' was unexpected)",
        "Widget ns/w: spec.labels.a: 1 is not of type 'string'",
        "Widget ns/w: spec.ports[1]: Additional properties are not allowed ('prt' was unexpected)",
        "Widget ns/w: spec: min must not exceed max (rule: self.min <= self.max)",
        "Widget ns/w: spec.ports: duplicate entries with name=a (x-kubernetes-list-type map)",
    ]
    assert "Widget ns/w: spec: !has(self.address) || isIP(self.address): cel-python lacks isIP" in report.not_evaluated


def test_core_engine_is_strict_and_knows_the_cluster_version():
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "ns", "labels": ["edge"]}, "spec": {"typo": 1, "ports": []}}
    assert core_report(service, "1.35").errors == [
        "Service ns/s: metadata.labels: ['edge'] is not of type 'object', 'null'",
        "Service ns/s: spec: Additional properties are not allowed ('typo' was unexpected)",
    ]
    assert core_report({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}, "1.35").errors == [
        "Widget w: no schema for example.com/v1 Widget in Kubernetes 1.35.0 nor in the CRDs given"
    ]
    # trafficDistribution exists from Kubernetes 1.30: the version given decides.
    spread = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"trafficDistribution": "PreferClose"}}
    assert core_report(spread, "1.35").errors == []
    assert core_report(spread, "1.29").errors == ["Service s: spec: Additional properties are not allowed ('trafficDistribution' was unexpected)"]


def test_validate_objects_sends_each_object_to_its_crd_or_to_the_core_schemas():
    report = validate_objects(
        [_widget(max=1, colour="red"), {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": 1}}],
        CrdValidator([WIDGET_CRD]),
        "1.35",
    )
    assert isinstance(report, Report) and report.objects == 2
    assert report.errors == [
        "Widget ns/w: spec: Additional properties are not allowed ('colour' was unexpected)",
        "ConfigMap c: data.k: 1 is not of type 'string', 'null'",
    ]
