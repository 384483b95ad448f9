"""The promises one layer makes to another, each stated once (docs/contracts.md) and checked for
every shipped config and every layout variant, on the synthesized JSON and on the Kubernetes
objects as the cluster gets them.

Each contract is a function from the synthesized stacks to a list of broken promises; a planted
fault on one side only must make it report, or the check proves nothing.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import re
import sys
from collections.abc import Iterator
from ipaddress import ip_address, ip_network
from pathlib import Path

import pytest
import yaml

from dualstack_aks.contract import ENVOY_PROXIES, HTTP_ROUTES, INTERNAL_ANNOTATION, PIP_NAME_ANNOTATION, PIP_NAME_IPV6_ANNOTATION, address_annotation
from dualstack_aks.model.gateway import ENVOY_GATEWAY_GROUP, HTTP_LISTENER, is_objects_chart
from dualstack_aks.model.health_probe import INGRESS_NGINX_HEALTH_PATH
from dualstack_aks.model.loading import load_config, parse_config
from tests.conftest import DEFAULT_CONFIG, EXAMPLES, SHIPPED_CONFIGS, config_id, config_with, mutate, resources

Stacks = dict[str, dict]
# Stands for the config's global name (dns.global_record.dns.zone), which the sample app serves.
GLOBAL_NAME = "<global name>"
ENVOY = EXAMPLES / "envoy-gateway.yaml"
APPLICATION_GATEWAY = EXAMPLES / "application-gateway.yaml"
# Every layout the tests build beyond the shipped configs: both primaries, one dual-stack release, internal load
# balancers off, the translating ingress off, each with both controllers.
LAYOUTS = {
    f"{controller}-{name}": (config, {"ingress.controller": controller, **changes})
    for controller, config in (("ingress-nginx", DEFAULT_CONFIG), ("envoy-gateway", ENVOY))
    for name, changes in {
        "nat64": {},
        "nat46": {"primary_family": "ipv6"},
        "dual-stack": {"ingress.mode": "dual-stack"},
        "public-only": {"ingress.internal_load_balancers": False},
        "single-family": {"ingress.translating_ingress": False},
        "app-probe": {"edge.health_probe": {"host": GLOBAL_NAME, "path": "/"}, "sample_app.enabled": True},
    }.items()
}
# Both controllers behind the Application Gateway.
LAYOUTS["envoy-gateway-behind-application-gateway"] = (APPLICATION_GATEWAY, {"ingress.controller": "envoy-gateway"})
VARIANTS = {**{config_id(path): (path, {}) for path in SHIPPED_CONFIGS}, **LAYOUTS}
IP_VERSION = {"ipv4": "IPv4", "ipv6": "IPv6"}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def variant(request, synthesize) -> tuple[str, Path, Stacks]:
    path, changes = VARIANTS[request.param]
    config = load_config(path)
    if changes.get("edge.health_probe", {}).get("host") == GLOBAL_NAME:
        changes = mutate(changes, {"edge.health_probe.host": f"{config.dns.global_record}.{config.dns.zone}"})
    config = config_with(config, **changes) if changes else config
    outdir, stacks = synthesize(config)
    return request.param, outdir, stacks


def _resources(stacks: Stacks, resource_type: str) -> Iterator[tuple[str, dict]]:
    for name, stack in sorted(stacks.items()):
        for body in resources(stack, resource_type):
            yield name, body


def _objects(stack: dict) -> list[dict]:
    """The Kubernetes objects the local chart's releases of one stack create: the chart renders every listed
    object whole (charts/dualstack-gateways/templates/objects.yaml)."""
    return [
        item
        for release in resources(stack, "helm_release")
        if is_objects_chart(release["chart"])
        for values in [yaml.safe_load(release["values"][0])]
        for items in values.values()
        for item in items
    ]


def _nginx_values(stack: dict) -> list[dict]:
    return [yaml.safe_load(release["values"][0]) for release in resources(stack, "helm_release") if release["chart"] == "ingress-nginx"]


# --- The health probe: every public entry of each family answers what Traffic Manager asks ---------------------


def _probes(stacks: Stacks) -> dict[str, dict]:
    """Family -> the monitor config of its Traffic Manager profile."""
    return {"ipv6" if body["name"].endswith("ipv6") else "ipv4": body["monitor_config"] for _, body in _resources(stacks, "azurerm_traffic_manager_profile")}


def _probe_host(monitor: dict) -> str:
    return next(header["value"] for header in monitor.get("custom_header", []) if header["name"].lower() == "host")


def _nginx_entry_answers(stack: dict, family: str, monitor: dict) -> str | None:
    """ingress-nginx answers its health path on the catch-all server, for a Host no Ingress serves; else the
    Ingress serving the host must have the probe's path under it."""
    host, path = _probe_host(monitor), monitor["path"]
    served = [rule for ingress in resources(stack, "kubernetes_ingress_v1") for rule in ingress["spec"]["rule"] if rule["host"] == host]
    if served:
        return None if any(path.startswith(item["path"]) for rule in served for item in rule["http"]["path"]) else f"no Ingress path of {host} covers {path}"
    return None if path == INGRESS_NGINX_HEALTH_PATH else f"the catch-all server answers only {INGRESS_NGINX_HEALTH_PATH}, the probe asks {path}"


def _public_gateways(objects: list[dict], family: str) -> list[str]:
    """Gateways whose EnvoyProxy Service is public and carries `family`."""
    families = {"IPv4": ("ipv4",), "IPv6": ("ipv6",), "DualStack": ("ipv4", "ipv6")}
    return [
        proxy["metadata"]["name"]
        for proxy in objects
        if proxy["kind"] == "EnvoyProxy"
        and family in families[proxy["spec"]["ipFamily"]]
        and "service.beta.kubernetes.io/azure-load-balancer-internal" not in proxy["spec"]["provider"]["kubernetes"]["envoyService"]["annotations"]
    ]


def _route_answers(route: dict, gateway: str, host: str, path: str, objects: list[dict]) -> bool:
    """An HTTPRoute attached to the Gateway's HTTP listener serving host + path, with a backend or a 2xx direct response."""
    spec = route["spec"]
    attached = any(ref["name"] == gateway and ref.get("sectionName", HTTP_LISTENER) == HTTP_LISTENER for ref in spec["parentRefs"])
    if not attached or host not in spec.get("hostnames", []):
        return False
    for rule in spec["rules"]:
        matches = [match["path"] for match in rule.get("matches", [])]
        if not any(m["value"] == path if m["type"] == "Exact" else path.startswith(m["value"]) for m in matches):
            continue
        if rule.get("backendRefs"):
            return True
        for route_filter in rule.get("filters", []):
            ref = route_filter.get("extensionRef", {})
            answer = next(
                (o for o in objects if o["kind"] == ref.get("kind") == "HTTPRouteFilter" and o["metadata"]["name"] == ref.get("name")),
                None,
            )
            if ref.get("group") == ENVOY_GATEWAY_GROUP and answer and 200 <= answer["spec"].get("directResponse", {}).get("statusCode", 200) < 300:
                return True
    return False


def _gateways_answer(objects: list[dict], gateways: list[str], monitor: dict) -> str | None:
    host, path = _probe_host(monitor), monitor["path"]
    routes = [o for o in objects if o["kind"] == "HTTPRoute"]
    for gateway in gateways:
        if not any(_route_answers(route, gateway, host, path, objects) for route in routes):
            return f"no HTTPRoute on Gateway {gateway} answers Host {host} {path} (Envoy Gateway answers 404)"
    return None


def _envoy_entry_answers(stack: dict, family: str, monitor: dict) -> str | None:
    objects = _objects(stack)
    return _gateways_answer(objects, _public_gateways(objects, family), monitor)


def _envoy_internal_answers(stack: dict, addresses: set[str], monitor: dict) -> str | None:
    """The internal Gateways holding `addresses` (the Application Gateway's backend) answer the probe."""
    objects = _objects(stack)
    gateways = [
        proxy["metadata"]["name"]
        for proxy in objects
        if proxy["kind"] == "EnvoyProxy" and addresses & set(proxy["spec"]["provider"]["kubernetes"]["envoyService"]["annotations"].values())
    ]
    return _gateways_answer(objects, gateways, monitor) if gateways else f"no Gateway holds the backend addresses {sorted(addresses)}"


def _endpoint_families(stacks: Stacks, region: dict) -> set[str]:
    """The families whose Traffic Manager profile has an endpoint of this region."""
    profiles = stacks["global"]["resource"]["azurerm_traffic_manager_profile"]
    return {
        "ipv6" if body["name"].endswith("ipv6") else "ipv4"
        for endpoint in resources(region, "azurerm_traffic_manager_external_endpoint")
        for address, body in profiles.items()
        if address in endpoint["profile_id"]
    }


def _gateway_answers(gateway: dict, region: dict, ingress: dict, family: str, monitor: dict) -> str | None:
    """An Application Gateway answers when its frontend of the family listens on the probe's port for its host and
    forwards (not redirects) to an internal ingress address whose controller answers the probe; its own backend
    probe asks the same, or it would mark the backend down while Traffic Manager's request would pass."""
    host, path = _probe_host(monitor), monitor["path"]
    versions = {f"${{azurerm_public_ip.{address}.id}}": ip["ip_version"] for address, ip in region["resource"]["azurerm_public_ip"].items()}
    frontends = {f["name"] for f in gateway["frontend_ip_configuration"] if versions.get(f.get("public_ip_address_id")) == IP_VERSION[family]}
    ports = {p["name"] for p in gateway["frontend_port"] if p["port"] == monitor["port"]}
    listeners = [
        listener["name"]
        for listener in gateway["http_listener"]
        if listener["frontend_ip_configuration_name"] in frontends and listener["frontend_port_name"] in ports and host in listener.get("host_names", [])
    ]
    rules = [rule for rule in gateway["request_routing_rule"] if rule["http_listener_name"] in listeners and rule.get("backend_address_pool_name")]
    if not rules:
        return f"the gateway's {family} frontend has no listener forwarding Host {host} on port {monitor['port']}"
    pools = {pool["name"]: set(pool.get("ip_addresses", [])) for pool in gateway["backend_address_pool"]}
    internal = _internal_addresses(ingress)
    for rule in rules:
        if not pools[rule["backend_address_pool_name"]] or not pools[rule["backend_address_pool_name"]] <= internal:
            return f"rule {rule['name']} forwards to {sorted(pools[rule['backend_address_pool_name']])}, not to the ingress's internal addresses"
    settings = {setting["name"]: setting for setting in gateway["backend_http_settings"]}
    backend_probes = {probe["name"]: probe for probe in gateway.get("probe", [])}
    for rule in rules:
        probe = backend_probes.get(settings[rule["backend_http_settings_name"]].get("probe_name", ""))
        if probe is None or (probe["host"], probe["path"]) != (host, path):
            return f"rule {rule['name']}: the gateway's own backend probe does not ask Host {host} {path}"
    if any(is_objects_chart(release["chart"]) for release in resources(ingress, "helm_release")):
        return _envoy_internal_answers(ingress, {address for rule in rules for address in pools[rule["backend_address_pool_name"]]}, monitor)
    return _nginx_entry_answers(ingress, family, monitor)


def check_health_probe(stacks: Stacks) -> list[str]:
    """Contract: Traffic Manager's probe of each family is answered 2xx by every region's public entry of that
    family (model/health_probe.py): the ingress itself, or the Application Gateway forwarding to it; an unanswered
    probe makes Traffic Manager fail open."""
    problems = []
    for family, monitor in _probes(stacks).items():
        if (monitor["protocol"], monitor["port"]) != ("HTTP", 80):
            problems.append(f"{family}: the probe must use HTTP on port 80, where every entry listens")
        for name, region in sorted(stacks.items()):
            if not name.startswith("region-") or family not in _endpoint_families(stacks, region):
                continue
            ingress_name = name.replace("region-", "ingress-", 1)
            ingress = stacks[ingress_name]
            releases = resources(ingress, "helm_release")
            gateways = resources(region, "azurerm_application_gateway")
            if gateways:
                problem = _gateway_answers(gateways[0], region, ingress, family, monitor)
            elif not any(release_serves(release, family) for release in releases):
                problem = "no public entry of this family, yet the region is an endpoint of its profile"
            elif any(is_objects_chart(release["chart"]) for release in releases):
                problem = _envoy_entry_answers(ingress, family, monitor)
            else:
                problem = _nginx_entry_answers(ingress, family, monitor)
            if problem:
                problems.append(f"{ingress_name} {family}: {problem}")
    return problems


def release_serves(release: dict, family: str) -> bool:
    """The release's public Service (or EnvoyProxy Service) carries `family`."""
    values = yaml.safe_load(release["values"][0])
    if "controller" in values:
        service = values["controller"]["service"]
        return family in (f.lower() for f in service.get("ipFamilies", [])) and service.get("external", {}).get("enabled", True)
    return bool(_public_gateways(values.get(ENVOY_PROXIES, []), family))


def test_every_entry_answers_the_health_probe(variant):
    name, _, stacks = variant
    assert _probes(stacks), f"{name}: no Traffic Manager profile"
    assert check_health_probe(stacks) == []


def _with_monitor(stacks: Stacks, **changes: object) -> Stacks:
    changed = copy.deepcopy(stacks)
    for profile in changed["global"]["resource"]["azurerm_traffic_manager_profile"].values():
        profile["monitor_config"].update(changes)
    return changed


def _without_probe_routes(stacks: Stacks) -> Stacks:
    changed = copy.deepcopy(stacks)
    for stack in changed.values():
        for release in stack.get("resource", {}).get("helm_release", {}).values():
            if is_objects_chart(release["chart"]):
                values = yaml.safe_load(release["values"][0])
                values[HTTP_ROUTES] = [r for r in values.get(HTTP_ROUTES, []) if not r["metadata"]["name"].endswith("health-probe")]
                release["values"] = [yaml.safe_dump(values)]
    return changed


@pytest.mark.parametrize("controller_config", [DEFAULT_CONFIG, ENVOY], ids=["ingress-nginx", "envoy-gateway"])
def test_the_probe_check_fails_when_one_side_changes(synthesize, controller_config):
    _, stacks = synthesize(load_config(controller_config))
    assert check_health_probe(stacks) == []
    # The global side alone: another path, or another host.
    assert check_health_probe(_with_monitor(stacks, path="/ready"))
    other_host = [{"name": "host", "value": "elsewhere.invalid"}]
    if controller_config == ENVOY:
        assert check_health_probe(_with_monitor(stacks, custom_header=other_host))
        # The edge side alone: the Gateways lose the route that answers.
        assert any("answers 404" in problem for problem in check_health_probe(_without_probe_routes(stacks)))
    else:
        # The edge side alone: an Ingress takes the probe's host, so the catch-all server no longer answers it.
        assert any("no Ingress path" in problem for problem in check_health_probe(_with_probe_host_ingress(stacks)))


def _with_probe_host_ingress(stacks: Stacks) -> Stacks:
    changed = copy.deepcopy(stacks)
    host = _probe_host(next(iter(_probes(stacks).values())))
    ingress = changed["ingress-eastus2"]["resource"].setdefault("kubernetes_ingress_v1", {})
    ingress["planted"] = {"spec": {"rule": [{"host": host, "http": {"path": [{"path": "/app"}]}}]}}
    return changed


def test_the_probe_check_fails_when_the_gateway_stops_forwarding_it(synthesize):
    _, stacks = synthesize(load_config(APPLICATION_GATEWAY))
    assert check_health_probe(stacks) == []
    for fault, expected in (("listener", "has no listener forwarding"), ("backend probe", "backend probe does not ask")):
        changed = copy.deepcopy(stacks)
        gateway = next(iter(changed["region-eastus2"]["resource"]["azurerm_application_gateway"].values()))
        if fault == "listener":
            gateway["http_listener"] = [listener for listener in gateway["http_listener"] if not listener["name"].startswith("probe-")]
        else:
            gateway["probe"][0]["path"] = "/ready"
        assert any(expected in problem for problem in check_health_probe(changed)), fault


@pytest.mark.parametrize("changes", [{}, {"primary_family": "ipv6"}, {"ingress.mode": "dual-stack"}], ids=["nat64", "nat46", "dual-stack"])
def test_the_objects_helm_renders_answer_the_probe(synthesize, monkeypatch, changes):
    """The same contract on what the cluster gets: the local chart rendered by the real helm (tests/kube/render.py)."""
    from tests.kube.render import render_output

    config = config_with(load_config(ENVOY), **changes)
    outdir, stacks = synthesize(config)
    rendered: dict[str, list[dict]] = {}
    for item in render_output(outdir, config.cluster.kubernetes_version, published=False):
        rendered.setdefault(item.release.stack, []).extend(item.objects)
    assert rendered, "no release of the local chart was rendered"
    monkeypatch.setattr(sys.modules[__name__], "_objects", lambda stack: rendered[stack["//"]["metadata"]["stackName"]])
    assert check_health_probe(stacks) == []
    assert any("answers 404" in problem for problem in check_health_probe(_with_monitor(stacks, path="/elsewhere")))


def test_the_probe_check_fails_when_envoy_behind_the_gateway_loses_its_route(synthesize):
    _, stacks = synthesize(config_with(load_config(APPLICATION_GATEWAY), **{"ingress.controller": "envoy-gateway"}))
    assert check_health_probe(stacks) == []
    assert any("answers 404" in problem for problem in check_health_probe(_without_probe_routes(stacks)))


def test_ingress_nginx_refuses_a_probe_path_it_cannot_answer():
    raw = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    from dualstack_aks.model.loading import ConfigError

    with pytest.raises(ConfigError, match=r"edge\.health_probe\.path: ingress-nginx answers the probe itself only at /healthz"):
        parse_config(mutate(raw, {"edge.health_probe": {"path": "/ready"}}), "probe.yaml")
    # With a host the app answers, any path is the app's to serve.
    parse_config(mutate(raw, {"edge.health_probe": {"path": "/ready", "host": "app.example.com"}}), "probe.yaml")


def test_the_gateway_refuses_a_probe_host_it_redirects():
    raw = yaml.safe_load(APPLICATION_GATEWAY.read_text(encoding="utf-8"))
    from dualstack_aks.model.loading import ConfigError

    served = f"{raw['dns'].get('global_record', 'app')}.{raw['dns']['zone']}"
    with pytest.raises(ConfigError, match=r"edge\.health_probe\.host: .* is a name the gateway serves and redirects to HTTPS"):
        parse_config(mutate(raw, {"edge.health_probe": {"host": served, "path": "/"}}), "probe.yaml")


def test_envoy_gateway_answers_a_custom_path_itself(synthesize):
    config = config_with(load_config(ENVOY), **{"edge.health_probe": {"path": "/probe"}})
    _, stacks = synthesize(config)
    assert {monitor["path"] for monitor in _probes(stacks).values()} == {"/probe"}
    assert check_health_probe(stacks) == []


def test_a_user_host_moves_the_answer_to_the_app(synthesize):
    """With the user's host the proxies add no direct answer: the app's own route answers, through the translation;
    a host the app does not serve is reported."""
    envoy = load_config(ENVOY)
    served = f"{envoy.dns.global_record}.{envoy.dns.zone}"
    for host, answered in ((served, True), (f"elsewhere.{envoy.dns.zone}", False)):
        _, stacks = synthesize(config_with(envoy, **{"edge.health_probe": {"host": host, "path": "/"}, "sample_app.enabled": True}))
        objects = [o for name, stack in stacks.items() if name.startswith("ingress-") for o in _objects(stack)]
        assert not [o for o in objects if o["kind"] == "HTTPRouteFilter"]
        assert (check_health_probe(stacks) == []) is answered


# --- Paths: every relative path in a stack resolves from that stack's folder, and outdirs never share state ------


def _relative_paths(stack: dict) -> Iterator[str]:
    backend = stack.get("terraform", {}).get("backend", {}).get("local")
    if backend:
        yield backend["path"]
    for release in resources(stack, "helm_release"):
        if not release.get("repository"):
            yield release["chart"]


def check_paths(outdir: Path) -> list[str]:
    """Contract: a local chart exists where its release points, from the stack folder; local state lies outside the
    output folder (which `make clean` removes)."""
    problems = []
    for stack_file in sorted(outdir.glob("stacks/*/cdk.tf.json")):
        folder = stack_file.parent
        stack = json.loads(stack_file.read_text(encoding="utf-8"))
        for relative in _relative_paths(stack):
            resolved = Path(os.path.normpath(folder / relative))
            if relative.endswith(".tfstate"):
                if outdir.resolve() in resolved.parents:
                    problems.append(f"{folder.name}: state {relative} lies inside the output folder")
            elif not (resolved / "Chart.yaml").is_file():
                problems.append(f"{folder.name}: chart {relative} does not exist from the stack folder")
    return problems


def test_every_relative_path_resolves_from_its_stack(variant):
    name, outdir, _ = variant
    assert check_paths(outdir) == [], name


def _synth_to(outdir: Path, config_path: Path = ENVOY) -> None:
    from dualstack_aks.synth import synthesize

    outdir.parent.mkdir(parents=True, exist_ok=True)
    synthesize(load_config(config_path), str(outdir), source=str(config_path))


def _state_files(outdir: Path) -> set[Path]:
    return {
        Path(os.path.normpath(stack_file.parent / json.loads(stack_file.read_text())["terraform"]["backend"]["local"]["path"]))
        for stack_file in outdir.glob("stacks/*/cdk.tf.json")
    }


def test_any_output_folder_works_and_none_shares_state(tmp_path):
    outdirs = [tmp_path / "out" / "a", tmp_path / "out" / "b", tmp_path / "x" / "y" / "z" / "out", tmp_path / "cdktf.out"]
    for outdir in outdirs:
        _synth_to(outdir)
        assert check_paths(outdir) == []
    states = [_state_files(outdir) for outdir in outdirs]
    for first, second in itertools.pairwise(states):
        assert not first & second
    # The default output folder keeps the state where it always was: terraform-state/ beside it.
    assert {path.parent for path in states[-1]} == {tmp_path / "terraform-state"}
    # The planted fault: a chart path that only worked from <repo>/cdktf.out.
    stack_file = outdirs[0] / "stacks" / "ingress-eastus2" / "cdk.tf.json"
    stack = json.loads(stack_file.read_text())
    next(release for release in stack["resource"]["helm_release"].values() if is_objects_chart(release["chart"]))["chart"] = (
        "../../../charts/dualstack-gateways"
    )
    stack_file.write_text(json.dumps(stack))
    assert check_paths(outdirs[0]) == ["ingress-eastus2: chart ../../../charts/dualstack-gateways does not exist from the stack folder"]


def test_a_changed_chart_leaves_no_stale_copy(tmp_path, monkeypatch):
    from dualstack_aks.output.outdir import synth_into
    from dualstack_aks.synth import synthesize

    outdir = tmp_path / "cdktf.out"
    config = load_config(ENVOY)
    synth_into(str(outdir), lambda staging: synthesize(config, staging, source="envoy.yaml", published_outdir=str(outdir)))
    first = sorted(p.name for p in outdir.glob("stacks/ingress-eastus2/assets/dualstack-gateways/*"))
    assert len(first) == 1
    stale = outdir / "stacks" / "ingress-eastus2" / "assets" / "dualstack-gateways" / "0123OLD"
    (stale / "templates").mkdir(parents=True)
    (stale / "Chart.yaml").write_text("name: old\n")
    synth_into(str(outdir), lambda staging: synthesize(config, staging, source="envoy.yaml", published_outdir=str(outdir)))
    assert sorted(p.name for p in outdir.glob("stacks/ingress-eastus2/assets/dualstack-gateways/*")) == first


# --- Pinning: each public Service takes the address the edge created, where the cluster may use it --------------


def _pinned_public_ips(stack: dict) -> Iterator[tuple[str, str, str | None]]:
    """(family or '*', public IP name, resource group) of every public Service of the ingress stack."""
    annotations: list[dict] = []
    for values in _nginx_values(stack):
        service = values["controller"]["service"]
        if service.get("external", {}).get("enabled", True):
            annotations.append(service.get("annotations", {}))
    annotations += [
        proxy["spec"]["provider"]["kubernetes"]["envoyService"]["annotations"]
        for proxy in _objects(stack)
        if proxy["kind"] == "EnvoyProxy"
        and "service.beta.kubernetes.io/azure-load-balancer-internal" not in proxy["spec"]["provider"]["kubernetes"]["envoyService"]["annotations"]
    ]
    group_annotation = "service.beta.kubernetes.io/azure-load-balancer-resource-group"
    for annotation in annotations:
        for key in (PIP_NAME_ANNOTATION, PIP_NAME_IPV6_ANNOTATION):
            if key in annotation:
                yield key, annotation[key], annotation.get(group_annotation)
        for family in ("ipv4", "ipv6"):
            if address_annotation(family) in annotation:
                yield address_annotation(family), annotation[address_annotation(family)], annotation.get(group_annotation)


def check_pinning(stacks: Stacks) -> list[str]:
    """Contract: every public Service is pinned to a public IP the region's edge created, in the resource group the
    cluster identity holds Network Contributor on (cloud-provider-azure: azure-load-balancer-resource-group)."""
    problems = []
    for name, stack in sorted(stacks.items()):
        if not name.startswith("ingress-"):
            continue
        region = stacks[name.replace("ingress-", "region-", 1)]
        ips = {ip["name"]: ip for ip in resources(region, "azurerm_public_ip")}
        group_names = {group["name"]: address for address, group in region.get("resource", {}).get("azurerm_resource_group", {}).items()}
        granted = {grant["scope"] for grant in resources(region, "azurerm_role_assignment") if grant["role_definition_name"] == "Network Contributor"}
        for annotation, value, group in _pinned_public_ips(stack):
            if annotation.startswith(PIP_NAME_ANNOTATION):
                ip = ips.get(value)
                if ip is None:
                    problems.append(f"{name}: {annotation} {value} is no public IP of the region")
                    continue
                if group is None or group not in group_names or ip["resource_group_name"] != f"${{azurerm_resource_group.{group_names[group]}.name}}":
                    problems.append(f"{name}: {value} is not in the annotated resource group {group}")
                elif f"${{azurerm_resource_group.{group_names[group]}.id}}" not in granted:
                    problems.append(f"{name}: the cluster identity has no Network Contributor on {group}")
            elif "${" not in value:
                problems.append(f"{name}: {annotation} pins {value}, not an address read from the edge's public IP")
    return problems


def test_every_public_service_is_pinned_to_the_edge(variant):
    name, _, stacks = variant
    assert check_pinning(stacks) == [], name


def test_the_pinning_check_fails_on_a_renamed_address(synthesize):
    _, stacks = synthesize(load_config(DEFAULT_CONFIG))
    changed = copy.deepcopy(stacks)
    ip = next(iter(changed["region-eastus2"]["resource"]["azurerm_public_ip"].values()))
    ip["name"] = "pip-renamed"
    assert any("is no public IP of the region" in problem for problem in check_pinning(changed))


# --- Endpoints: each family's Traffic Manager endpoint targets the address that family's public Service holds -----


def _pinned_ip_names(stack: dict) -> set[str]:
    """Names of the public IPs the ingress stack's public Services hold: by name, or by an address read from one."""
    data_names = {address: body["name"] for address, body in stack.get("data", {}).get("azurerm_public_ip", {}).items()}
    names = set()
    for annotation, value, _ in _pinned_public_ips(stack):
        if annotation.startswith(PIP_NAME_ANNOTATION):
            names.add(value)
        elif match := re.fullmatch(r"\$\{data\.azurerm_public_ip\.(\w+)\.ip_address\}", value):
            names.add(data_names[match.group(1)])
    return names


def _gateway_frontend_ip_names(region: dict) -> set[str]:
    ips = region.get("resource", {}).get("azurerm_public_ip", {})
    return {
        ips[address]["name"]
        for gateway in resources(region, "azurerm_application_gateway")
        for frontend in gateway["frontend_ip_configuration"]
        for address in ips
        if frontend.get("public_ip_address_id") == f"${{azurerm_public_ip.{address}.id}}"
    }


def check_endpoints(stacks: Stacks) -> list[str]:
    """Contract: each region's endpoint in the profile of a family targets a public IP of that family, and the
    ingress stack's public Service of that family (or the Application Gateway's frontend) holds that very IP."""
    profiles = stacks["global"]["resource"]["azurerm_traffic_manager_profile"]
    problems = []
    for name, stack in sorted(stacks.items()):
        if not name.startswith("region-"):
            continue
        ips = stack.get("resource", {}).get("azurerm_public_ip", {})
        held = _pinned_ip_names(stacks[name.replace("region-", "ingress-", 1)]) | _gateway_frontend_ip_names(stack)
        for endpoint in resources(stack, "azurerm_traffic_manager_external_endpoint"):
            profile = next((body for address, body in profiles.items() if address in endpoint["profile_id"]), None)
            target = re.fullmatch(r"\$\{azurerm_public_ip\.(\w+)\.ip_address\}", endpoint["target"])
            ip = ips.get(target.group(1)) if target else None
            if profile is None or ip is None:
                problems.append(f"{name}: endpoint {endpoint['name']} is not a public IP of the region in a profile of the global stack")
                continue
            family = "IPv6" if profile["name"].endswith("ipv6") else "IPv4"
            if ip["ip_version"] != family:
                problems.append(f"{name}: the {family} profile's endpoint targets {ip['name']}, an {ip['ip_version']} address")
            if ip["name"] not in held:
                problems.append(f"{name}: the {family} endpoint targets {ip['name']}, which no public Service holds")
    return problems


def test_every_endpoint_targets_the_entry_of_its_family(variant):
    name, _, stacks = variant
    assert check_endpoints(stacks) == [], name


def test_the_endpoint_check_fails_on_a_crossed_target(synthesize):
    _, stacks = synthesize(load_config(DEFAULT_CONFIG))
    changed = copy.deepcopy(stacks)
    endpoints = list(changed["region-eastus2"]["resource"]["azurerm_traffic_manager_external_endpoint"].values())
    endpoints[0]["target"], endpoints[1]["target"] = endpoints[1]["target"], endpoints[0]["target"]
    assert len(check_endpoints(changed)) == 2


# --- Internal entries: each internal Service's static address is in the ingress subnet, and the private name points at it


def _internal_addresses(stack: dict) -> set[str]:
    annotations: list[dict] = [values["controller"]["service"].get("internal", {}).get("annotations", {}) for values in _nginx_values(stack)]
    annotations += [
        proxy["spec"]["provider"]["kubernetes"]["envoyService"]["annotations"]
        for proxy in _objects(stack)
        if proxy["kind"] == "EnvoyProxy" and INTERNAL_ANNOTATION in proxy["spec"]["provider"]["kubernetes"]["envoyService"]["annotations"]
    ]
    return {annotation[address_annotation(family)] for annotation in annotations for family in ("ipv4", "ipv6") if address_annotation(family) in annotation}


def check_internal_entries(stacks: Stacks) -> list[str]:
    """Contract: every internal load balancer's pinned address lies in the region's ingress subnet (Azure allocates
    it there: azure-load-balancer-internal-subnet), and the region's private records name exactly those addresses
    (or, with no internal load balancers, the region's public addresses)."""
    problems = []
    for name, stack in sorted(stacks.items()):
        if not name.startswith("ingress-"):
            continue
        region = stacks[name.replace("ingress-", "region-", 1)]
        pinned = _internal_addresses(stack)
        subnets = [
            ip_network(prefix)
            for subnet in resources(region, "azurerm_subnet")
            if subnet["name"].startswith("snet-ingress")
            for prefix in subnet["address_prefixes"]
        ]
        problems += [
            f"{name}: internal address {address} is outside the ingress subnet"
            for address in sorted(pinned)
            if subnets and not any(ip_address(address) in subnet for subnet in subnets)
        ]
        records = {
            address
            for kind in ("azurerm_private_dns_a_record", "azurerm_private_dns_aaaa_record")
            for record in resources(region, kind)
            for address in record["records"]
        }
        # Without internal load balancers the private names point at the public entries instead.
        expected = pinned or {f"${{azurerm_public_ip.{address}.ip_address}}" for address in region.get("resource", {}).get("azurerm_public_ip", {})}
        if records != expected:
            problems.append(f"{name}: private records {sorted(records)} differ from the internal addresses {sorted(expected)}")
    return problems


def test_every_internal_entry_is_in_its_subnet_and_named(variant):
    name, _, stacks = variant
    assert check_internal_entries(stacks) == [], name


def test_the_internal_check_fails_on_a_moved_record(synthesize):
    _, stacks = synthesize(load_config(ENVOY))
    changed = copy.deepcopy(stacks)
    next(iter(changed["region-eastus2"]["resource"]["azurerm_private_dns_a_record"].values()))["records"] = ["10.0.4.11"]
    assert check_internal_entries(changed) == [
        "ingress-eastus2: private records ['10.0.4.11', 'fd5a:1c00:d000:1::a'] differ from the internal addresses ['10.0.4.10', 'fd5a:1c00:d000:1::a']"
    ]


# --- Names: every host an Ingress or HTTPRoute serves is a record of the zones ---------------------------------


def _records(stacks: Stacks) -> set[str]:
    names = set()
    zones = {body["name"] for _, body in _resources(stacks, "azurerm_dns_zone")} | {body["name"] for _, body in _resources(stacks, "azurerm_private_dns_zone")}
    for kind in ("azurerm_dns_a_record", "azurerm_dns_aaaa_record", "azurerm_private_dns_a_record", "azurerm_private_dns_aaaa_record"):
        for _, body in _resources(stacks, kind):
            zone = body["zone_name"] if "${" not in body["zone_name"] else None
            names |= {f"{body['name']}.{z}" for z in ([zone] if zone else zones)}
    return names


def check_hosts(stacks: Stacks) -> list[str]:
    """Contract: each host the sample app's Ingress objects and HTTPRoutes serve resolves: it is a record of the zones."""
    records = _records(stacks)
    problems = []
    for name, stack in sorted(stacks.items()):
        hosts = {rule["host"] for ingress in resources(stack, "kubernetes_ingress_v1") for rule in ingress["spec"]["rule"]}
        hosts |= {
            host
            for release in resources(stack, "helm_release")
            if is_objects_chart(release["chart"])
            for route in yaml.safe_load(release["values"][0]).get(HTTP_ROUTES, [])
            if not route["metadata"]["name"].endswith("health-probe")
            for host in route["spec"].get("hostnames", [])
        }
        problems += [f"{name}: {host} is served but no record names it" for host in sorted(hosts - records)]
    return problems


def test_every_served_host_is_a_record(variant):
    name, _, stacks = variant
    assert check_hosts(stacks) == [], name


# --- Order: every grant exists, and has propagated, before its user ---------------------------------------------


def check_grants_before_users(stacks: Stacks) -> list[str]:
    """Contract: the deployer's cluster-admin grants are waited for (time_sleep) before the ingress stack's first
    Kubernetes object, and the cluster waits for its identity's subnet grants."""
    problems = []
    for name, stack in sorted(stacks.items()):
        if not name.startswith("region-"):
            continue
        sleeps = stack.get("resource", {}).get("time_sleep", {})
        admin_grants = [
            f"azurerm_role_assignment.{address}"
            for address, grant in stack.get("resource", {}).get("azurerm_role_assignment", {}).items()
            if grant["role_definition_name"] == "Azure Kubernetes Service RBAC Cluster Admin"
        ]
        access = sleeps.get("access_propagation")
        if access is None or not set(admin_grants) <= set(access.get("depends_on", [])):
            problems.append(f"{name}: the access wait does not follow every cluster-admin grant")
        ingress = stacks.get(name.replace("region-", "ingress-", 1), {})
        namespaces = ingress.get("resource", {}).get("kubernetes_namespace_v1", {})
        if not any("access_propagation" in json.dumps(ns.get("metadata", {})) for ns in namespaces.values()):
            problems.append(f"{name}: the ingress namespace does not wait for the access wait")
    return problems


def test_every_grant_comes_before_its_user(variant):
    name, _, stacks = variant
    assert check_grants_before_users(stacks) == [], name


def test_the_order_check_fails_without_the_wait(synthesize):
    _, stacks = synthesize(load_config(DEFAULT_CONFIG))
    changed = copy.deepcopy(stacks)
    changed["region-eastus2"]["resource"]["time_sleep"]["access_propagation"]["depends_on"] = []
    assert check_grants_before_users(changed) == ["region-eastus2: the access wait does not follow every cluster-admin grant"]
