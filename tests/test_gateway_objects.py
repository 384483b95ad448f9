"""The Envoy Gateway layout's objects, exactly as the local chart charts/dualstack-gateways renders
them (its templates only `toYaml` the values): Gateway API objects validate with the validators
@kubernetes-models/gateway-api generates from the Gateway API CRDs (run by Node), EnvoyProxy
objects against tests/schemas/envoyproxy-v1alpha1-subset.schema.json (the Envoy Gateway v1.9.0
API facts, sources in its $comment); each EnvoyProxy pins its Service exactly as the ingress-nginx
twin of the same family does.

The offline stopgap: the npm validator and the hand-written EnvoyProxy subset schema are all that checks these
objects where .chart-cache/ is absent; with it, tests/test_real_renders.py validates them against the CRDs
gateway-helm v1.9.0 installs, CEL rules included."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import jsonschema
import pytest
import yaml

from dualstack_aks.contract import (
    CLIENT_TRAFFIC_POLICIES,
    ENVOY_PROXIES,
    ENVOY_SERVICE_FAMILIES,
    GATEWAY_CLASSES,
    GATEWAYS,
    HTTP_ROUTE_FILTERS,
    HTTP_ROUTES,
    INTERNAL_ANNOTATION,
)
from dualstack_aks.model.gateway import is_objects_chart
from dualstack_aks.model.loading import load_config
from tests.conftest import EXAMPLES, REPO, config_with, helm_values, resources

ENVOY_GATEWAY = EXAMPLES / "envoy-gateway.yaml"
CHART = REPO / "charts" / "dualstack-gateways"
ENVOY_PROXY_SCHEMA = json.loads((REPO / "tests" / "schemas" / "envoyproxy-v1alpha1-subset.schema.json").read_text(encoding="utf-8"))
VALIDATOR = REPO / "tests" / "validate_gateway_api.mjs"
LISTS = (GATEWAY_CLASSES, ENVOY_PROXIES, GATEWAYS, CLIENT_TRAFFIC_POLICIES, HTTP_ROUTE_FILTERS, HTTP_ROUTES)
# The Envoy Gateway layouts: twin (NAT64), the mirror (NAT46), one dual-stack Gateway, no internal load balancers.
VARIANTS = {
    "twin": {},
    "nat46": {"primary_family": "ipv6"},
    "dual-stack": {"ingress.mode": "dual-stack"},
    "public-only": {"ingress.internal_load_balancers": False},
}


@pytest.fixture(scope="module")
def layouts(synthesize) -> dict[str, dict[str, dict]]:
    """Variant -> its synthesized stacks."""
    return {name: synthesize(config_with(load_config(ENVOY_GATEWAY), **changes))[1] for name, changes in VARIANTS.items()}


def _chart_values(stacks: dict[str, dict]) -> list[dict]:
    """The values of every release of the local chart, in every ingress stack."""
    return [
        yaml.safe_load(release["values"][0]) for stack in stacks.values() for release in resources(stack, "helm_release") if is_objects_chart(release["chart"])
    ]


def _objects(stacks: dict[str, dict], *lists: str) -> list[dict]:
    return [item for values in _chart_values(stacks) for key in lists for item in values.get(key, [])]


def _validate_gateway_api(objects: list[dict]) -> list[dict]:
    node = shutil.which("node")
    assert node, "node is missing: `make install` puts the venv's Node.js on PATH"
    assert (REPO / "node_modules" / "@kubernetes-models" / "gateway-api").is_dir(), "run `make test` (npm ci installs @kubernetes-models/gateway-api)"
    result = subprocess.run([node, str(VALIDATOR)], input=json.dumps(objects), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _envoy_proxy_errors(proxy: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(ENVOY_PROXY_SCHEMA)
    return sorted(f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(proxy))


def _envoy_service_families(proxy: dict) -> dict:
    """The ipFamilyPolicy and ipFamilies of the Service Envoy Gateway v1.9.0 makes for `proxy`: from spec.ipFamily, except
    IPv4, which it leaves unset (internal/infrastructure/kubernetes/proxy/resource_provider.go:271-283), then the envoyService
    patch merged over it (:306-310, internal/utils/merge.go:43-56: either merge type replaces a scalar and an atomic list whole)."""
    ip_family = proxy["spec"]["ipFamily"]
    spec = (
        {}
        if ip_family == "IPv4"
        else {"ipFamilyPolicy": "SingleStack" if ip_family == "IPv6" else "RequireDualStack", "ipFamilies": [*ENVOY_SERVICE_FAMILIES[ip_family]]}
    )
    patch = proxy["spec"]["provider"]["kubernetes"]["envoyService"].get("patch", {"value": {}})
    assert patch.get("type", "StrategicMerge") in ("StrategicMerge", "JSONMerge")
    spec.update({key: value for key, value in patch["value"].get("spec", {}).items() if key in ("ipFamilyPolicy", "ipFamilies")})
    return spec


def test_local_chart_renders_exactly_the_lists_the_app_fills():
    template = (CHART / "templates" / "objects.yaml").read_text(encoding="utf-8")
    rendered = re.search(r"range \$list := list ((?:\"\w+\" ?)+)", template)
    assert rendered and tuple(re.findall(r"\"(\w+)\"", rendered.group(1))) == LISTS
    assert tuple(yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))) == LISTS
    assert tuple(json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))["properties"]) == LISTS


@pytest.mark.parametrize("variant", VARIANTS)
def test_release_values_match_the_local_chart_schema(layouts, variant):
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    values = _chart_values(layouts[variant])
    assert values
    for release_values in values:
        jsonschema.validate(release_values, schema)


@pytest.mark.parametrize("variant", VARIANTS)
def test_gateway_api_objects_validate_against_the_crds(layouts, variant):
    objects = _objects(layouts[variant], GATEWAY_CLASSES, GATEWAYS, HTTP_ROUTES)
    assert {obj["kind"] for obj in objects} == {"GatewayClass", "Gateway", "HTTPRoute"}
    assert _validate_gateway_api(objects) == []


def test_gateway_api_validator_rejects_a_broken_gateway(layouts):
    gateway = _objects(layouts["twin"], GATEWAYS)[0]
    broken = json.loads(json.dumps(gateway))
    broken["spec"]["listeners"][1]["tls"]["mode"] = "Terminated"
    broken["spec"]["listeners"][0]["port"] = "80"
    (failure,) = _validate_gateway_api([gateway, broken])
    assert failure["index"] == 1 and "port must be integer" in failure["error"] and "mode must be equal to one of the allowed values" in failure["error"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_envoy_proxies_validate_against_the_v1alpha1_facts(layouts, variant):
    proxies = _objects(layouts[variant], ENVOY_PROXIES)
    assert proxies
    assert [_envoy_proxy_errors(proxy) for proxy in proxies] == [[] for _ in proxies]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("spec", "ipFamily"), "ipv6", "spec/ipFamily: 'ipv6' is not one of ['IPv4', 'IPv6', 'DualStack']"),
        (("spec", "provider", "kubernetes", "envoyService", "externalTrafficPolicy"), "Global", "is not one of ['Local', 'Cluster']"),
        (("spec", "provider", "kubernetes", "envoyService", "loadBalancerIP"), "2001:db8::10", "does not match"),
        (("spec", "provider", "kubernetes", "envoyServce"), {}, "Additional properties are not allowed ('envoyServce' was unexpected)"),
        (("spec", "provider", "kubernetes", "envoyDeployment", "container", "image"), "envoy proxy:latest", "does not match"),
        (("spec", "provider", "kubernetes", "envoyService", "patch", "type"), "Replace", "'Replace' is not one of ['StrategicMerge', 'JSONMerge']"),
    ],
    ids=["family-case", "traffic-policy", "ipv6-load-balancer-ip", "typo", "image", "service-patch-type"],
)
def test_envoy_proxy_schema_rejects_what_the_api_refuses(layouts, path, value, message):
    proxy = json.loads(json.dumps(_objects(layouts["twin"], ENVOY_PROXIES)[0]))
    node = proxy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    errors = _envoy_proxy_errors(proxy)
    assert len(errors) == 1 and message in errors[0], errors


@pytest.mark.parametrize("variant", ["twin", "nat46", "dual-stack"])
def test_each_envoy_proxy_pins_its_service_like_the_ingress_nginx_twin(synthesize, layouts, variant):
    """Same families, same public IP and internal address annotations, externalTrafficPolicy Local."""
    nginx = synthesize(config_with(load_config(ENVOY_GATEWAY), **VARIANTS[variant], **{"ingress.controller": "ingress-nginx"}))[1]
    families = {"IPv4": ("IPv4",), "IPv6": ("IPv6",), "DualStack": ("IPv4", "IPv6")}
    for stack_name, stack in layouts[variant].items():
        if not stack_name.startswith("ingress-"):
            continue
        proxies = _objects({stack_name: stack}, ENVOY_PROXIES)
        twin_values = [values["controller"] for values in helm_values(nginx[stack_name]).values()]
        assert len(proxies) == 2 * len(twin_values)
        for controller in twin_values:
            service = controller["service"]
            twins = [proxy for proxy in proxies if families[proxy["spec"]["ipFamily"]] == tuple(service["ipFamilies"])]
            public, internal = sorted(twins, key=lambda proxy: INTERNAL_ANNOTATION in proxy["spec"]["provider"]["kubernetes"]["envoyService"]["annotations"])
            for proxy, nginx_service in ((public, service), (internal, service["internal"])):
                envoy_service = proxy["spec"]["provider"]["kubernetes"]["envoyService"]
                assert envoy_service["annotations"] == nginx_service["annotations"]
                assert (envoy_service["type"], envoy_service["externalTrafficPolicy"]) == ("LoadBalancer", "Local")
                assert _envoy_service_families(proxy) == {key: nginx_service[key] for key in ("ipFamilyPolicy", "ipFamilies")}
                assert proxy["metadata"]["labels"] == controller["podLabels"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_envoy_service_says_its_families_whatever_the_clusters_primary_family(layouts, variant):
    """Left unset, an IPv4 Gateway's Service would follow service_cidrs[0] (resource_provider.go:271-283 at v1.9.0)."""
    proxies = _objects(layouts[variant], ENVOY_PROXIES)
    assert proxies
    for proxy in proxies:
        families = [*ENVOY_SERVICE_FAMILIES[proxy["spec"]["ipFamily"]]]
        policy = "SingleStack" if len(families) == 1 else "RequireDualStack"
        assert _envoy_service_families(proxy) == {"ipFamilyPolicy": policy, "ipFamilies": families}, proxy["metadata"]["name"]


def test_gateways_use_their_own_envoy_proxy_and_the_echo_routes_reach_every_gateway_of_their_class(layouts):
    stacks = layouts["twin"]
    for stack_name, stack in stacks.items():
        if not stack_name.startswith("ingress-"):
            continue
        one = {stack_name: stack}
        proxies = {(proxy["metadata"]["namespace"], proxy["metadata"]["name"]) for proxy in _objects(one, ENVOY_PROXIES)}
        gateways = _objects(one, GATEWAYS)
        classes = {gateway_class["metadata"]["name"] for gateway_class in _objects(one, GATEWAY_CLASSES)}
        assert classes == {"eg-ipv4", "eg-ipv6"}
        by_class: dict[str, set[str]] = {}
        for gateway in gateways:
            reference = gateway["spec"]["infrastructure"]["parametersRef"]
            assert (reference["group"], reference["kind"]) == ("gateway.envoyproxy.io", "EnvoyProxy")
            assert (gateway["metadata"]["namespace"], reference["name"]) in proxies
            assert [(listener["protocol"], listener["port"], listener["allowedRoutes"]["namespaces"]["from"]) for listener in gateway["spec"]["listeners"]] == [
                ("HTTP", 80, "All"),
                ("HTTPS", 443, "All"),
            ]
            by_class.setdefault(gateway["spec"]["gatewayClassName"], set()).add(gateway["metadata"]["name"])
        assert by_class == {"eg-ipv4": {"gateway-ipv4", "gateway-ipv4-internal"}, "eg-ipv6": {"gateway-ipv6", "gateway-ipv6-internal"}}
        region = stack_name.removeprefix("ingress-")
        echo_routes = [route for route in _objects(one, HTTP_ROUTES) if route["metadata"]["name"].startswith("echo-")]
        assert len(echo_routes) == 2
        for route in echo_routes:
            gateway_class = route["metadata"]["name"].removeprefix("echo-")
            assert {parent["name"] for parent in route["spec"]["parentRefs"]} == by_class[gateway_class]
            assert route["spec"]["hostnames"] == ["app.eg.example.com", f"{region}.eg.example.com", f"{region}.internal.eg.example.com"]
            assert route["spec"]["rules"][0]["backendRefs"] == [{"name": "echo", "port": 80}]


def test_dual_stack_mode_is_one_dual_stack_gateway_pinned_by_both_addresses(layouts):
    ingress = layouts["dual-stack"]["ingress-eastus2"]
    public, internal = sorted(_objects({"ingress": ingress}, ENVOY_PROXIES), key=lambda proxy: proxy["metadata"]["name"])
    assert (public["metadata"]["name"], internal["metadata"]["name"]) == ("gateway-dual-stack", "gateway-dual-stack-internal")
    assert public["spec"]["ipFamily"] == internal["spec"]["ipFamily"] == "DualStack"
    annotations = public["spec"]["provider"]["kubernetes"]["envoyService"]["annotations"]
    for family in ("ipv4", "ipv6"):
        pinned = annotations[f"service.beta.kubernetes.io/azure-load-balancer-{family}"]
        assert re.fullmatch(rf"\$\{{data\.azurerm_public_ip\.ingress_public_ip_{family}_\w+\.ip_address\}}", pinned), pinned
    assert "service.beta.kubernetes.io/azure-pip-name" not in annotations
