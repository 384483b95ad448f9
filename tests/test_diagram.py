"""The deployment diagram, drawn from the synthesized output: it exists for every shipped config,
names every region and both families, colours each family's path, marks the NAT hop, renders
byte-identically, copes with other ingress layouts, and the README's copy is current."""

from __future__ import annotations

import copy
import subprocess
from xml.etree import ElementTree

import pytest
import yaml

from dualstack_aks.cli import main as cli_main
from dualstack_aks.model.loading import load_config
from dualstack_aks.output.diagram import render, to_dot, write_diagram
from dualstack_aks.output.reader import read_topology
from tests.conftest import DEFAULT_CONFIG, REPO, SHIPPED_CONFIGS, USER_CONFIG, USER_CONFIG_CHANGED, config_id, resources

SVG = "{http://www.w3.org/2000/svg}"
# What the issue asks for: IPv4 drawn black, IPv6 orange.
EXPECTED_COLORS = {"IPv4": "black", "IPv6": "darkorange"}
IPV6_PRIMARY = REPO / "config" / "examples" / "ipv6-primary.yaml"
ENVOY_GATEWAY = REPO / "config" / "examples" / "envoy-gateway.yaml"


def _svg(stacks: dict[str, dict]) -> ElementTree.Element:
    return ElementTree.fromstring(render(to_dot(read_topology(stacks)), "svg"))


def _texts(svg: ElementTree.Element) -> list[str]:
    return [text.text or "" for text in svg.iter(f"{SVG}text")]


def _edges(svg: ElementTree.Element) -> list[tuple[str, ElementTree.Element]]:
    """(title "tail->head" with ports, SVG group) of every edge; parallel edges share a title."""
    return [(group.find(f"{SVG}title").text, group) for group in svg.iter(f"{SVG}g") if group.get("class") == "edge"]


def _strokes(edge: ElementTree.Element) -> list[str]:
    return [path.get("stroke") for path in edge.iter(f"{SVG}path")]


def _public_ip_families(stacks: dict[str, dict]) -> dict[str, str]:
    return {body["name"]: body["ip_version"] for stack in stacks.values() for body in resources(stack, "azurerm_public_ip")}


@pytest.mark.parametrize("config_path", SHIPPED_CONFIGS, ids=config_id)
def test_diagram_names_every_region_and_both_families(synthesize, config_path):
    config = load_config(config_path)
    texts = _texts(_svg(synthesize(config)[1]))
    for region in config.regions:
        assert f"region {region.name}" in texts
    joined = "\n".join(texts)
    assert "IPv4 path" in texts and "IPv6 path" in texts
    for family in ("public IPv4, static", "public IPv6, static"):
        assert joined.count(family) == len(config.regions)


@pytest.mark.parametrize("config_path", SHIPPED_CONFIGS, ids=config_id)
def test_each_family_is_drawn_in_its_colour_up_to_the_ingress(synthesize, config_path):
    """A/AAAA record -> public IP (or internal load balancer) -> ingress or Application Gateway: IPv4 edges black, IPv6 edges orange."""
    stacks = synthesize(load_config(config_path))[1]
    edges = [(title.split("->"), edge) for title, edge in _edges(_svg(stacks))]
    from_records = [(tail, edge) for (tail, _), edge in edges if tail.endswith((":A", ":AAAA"))]
    record_count = sum(
        len(resources(stack, kind))
        for stack in stacks.values()
        for kind in ("azurerm_dns_a_record", "azurerm_dns_aaaa_record", "azurerm_private_dns_a_record", "azurerm_private_dns_aaaa_record")
    )
    assert len(from_records) == record_count
    for tail, edge in from_records:
        assert set(_strokes(edge)) == {EXPECTED_COLORS["IPv6" if tail.endswith(":AAAA") else "IPv4"]}, tail
    for name, family in _public_ip_families(stacks).items():
        into_ingress = [edge for (tail, head), edge in edges if tail.endswith(f"/pip/{name}") and ("/release/" in head or "/agw/" in head)]
        assert len(into_ingress) == 1, name
        assert set(_strokes(into_ingress[0])) == {EXPECTED_COLORS[family]}, name


@pytest.mark.parametrize(
    ("config_path", "hop", "strokes"),
    [(DEFAULT_CONFIG, "NAT64", ["darkorange", "black"]), (IPV6_PRIMARY, "NAT46", ["black", "darkorange"]), (ENVOY_GATEWAY, "NAT64", ["darkorange", "black"])],
    ids=["default", "ipv6-primary", "envoy-gateway"],
)
def test_translating_ingress_edge_marks_the_nat_hop(synthesize, config_path, hop, strokes):
    """The translating ingress -> backends edge is labelled and turns from the client's colour to the backend's."""
    config = load_config(config_path)
    svg = _svg(synthesize(config)[1])
    marked = [edge for _, edge in _edges(svg) if hop in _texts(edge)]
    assert len(marked) == len(config.regions)
    for edge in marked:
        assert _strokes(edge) == strokes
    other = {"NAT64": "NAT46", "NAT46": "NAT64"}[hop]
    assert not any(other in text for text in _texts(svg))


def test_two_renders_are_byte_identical(synthesize, default_config, tmp_path):
    outdir, _ = synthesize(default_config)
    first = write_diagram(outdir, tmp_path / "first" / "diagram")
    second = write_diagram(outdir, tmp_path / "second" / "diagram")
    assert [path.name for path in first] == ["diagram.svg", "diagram.png"]
    for one, other in zip(first, second, strict=True):
        assert one.read_bytes() == other.read_bytes()
    assert first[1].read_bytes().startswith(b"\x89PNG")
    assert b"graphviz version" not in first[0].read_bytes()


def test_missing_synth_output_fails_with_a_clear_message(tmp_path, capsys):
    assert cli_main(["diagram", "--outdir", str(tmp_path / "cdktf.out"), "--output", str(tmp_path / "diagram")]) == 2  # bad input
    assert "manifest.json not found: synthesize first" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def _single_dual_stack_release(stacks: dict[str, dict], backend_families: list[str] | None = None) -> dict[str, dict]:
    """The default output with each region's twin releases replaced by one dual-stack release, as
    with `ingress.mode: dual-stack`: pinned to both public IPs by address through cross-stack
    references (whose output names repeat in every region stack), plus an internal load balancer
    whose IPv4 address the private A record holds; with `backend_families`, a backend Service."""
    changed = copy.deepcopy(stacks)
    for position, (name, stack) in enumerate(changed.items()):
        if not name.startswith("ingress-"):
            continue
        source = changed[name.replace("ingress-", "region-", 1)]
        annotations = {}
        for address, public_ip in source["resource"]["azurerm_public_ip"].items():
            output = f"cross-stack-output-azurerm_public_ip{address}ip_address"
            source.setdefault("output", {})[output] = {"value": f"${{azurerm_public_ip.{address}.ip_address}}"}
            family = public_ip["ip_version"].lower()
            annotations[f"service.beta.kubernetes.io/azure-load-balancer-{family}"] = (
                f"${{data.terraform_remote_state.cross-stack-reference-input-{name.replace('ingress-', 'region-', 1)}.outputs.{output}}}"
            )
        internal_address = f"10.{position}.4.10"
        for record in source["resource"]["azurerm_private_dns_a_record"].values():
            record["records"] = [internal_address]
        release_address, body = min(stack["resource"]["helm_release"].items())
        values = yaml.safe_load(body["values"][0])
        internal = {
            "enabled": True,
            "annotations": {
                "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "snet-ingress",
                "service.beta.kubernetes.io/azure-load-balancer-ipv4": internal_address,
            },
        }
        values["controller"]["service"].update(ipFamilies=["IPv4", "IPv6"], ipFamilyPolicy="RequireDualStack", annotations=annotations, internal=internal)
        values["controller"]["podLabels"]["dualstack-aks/role"] = "dual-stack"
        stack["resource"]["helm_release"] = {release_address: {**body, "name": "ingress-nginx", "values": [yaml.safe_dump(values)]}}
        if backend_families:
            stack["resource"]["kubernetes_service_v1"] = {"echo": {"metadata": {"name": "echo"}, "spec": {"ip_families": backend_families}}}
    return changed


def test_a_single_dual_stack_release_draws_both_paths_without_a_hop(default_stacks):
    svg = _svg(_single_dual_stack_release(default_stacks))
    edges = _edges(svg)
    for region, code in (("eastus2", "eus2"), ("westeurope", "weu")):
        into_release = {title.split("->")[0]: _strokes(edge) for title, edge in edges if title.endswith(f"{region}/release/ingress-nginx")}
        assert into_release == {
            f"{region}/pip/pip-dsaks-{code}-ingress-ipv4": ["black"],
            f"{region}/pip/pip-dsaks-{code}-ingress-ipv6": ["darkorange"],
            f"{region}/dns/{region}.internal.dualstack.example.com:A": ["black"],
        }
        to_backends = [_strokes(edge) for title, edge in edges if title == f"{region}/release/ingress-nginx->{region}/backends"]
        assert sorted(to_backends) == [["black"], ["darkorange"]]
    texts = _texts(svg)
    assert not any("NAT" in text for text in texts)
    assert texts.count("IPv4 + IPv6") == 2  # each region's backends keep both families
    assert texts.count("in snet-ingress") == 2


def test_a_dual_stack_release_before_ipv4_backends_marks_the_nat64_hop(default_stacks):
    """With a deployed IPv4 backend Service, the single release's IPv6 side is the NAT64 proxy."""
    edges = _edges(_svg(_single_dual_stack_release(default_stacks, backend_families=["IPv4"])))
    to_backends = sorted(_strokes(edge) for title, edge in edges if title == "eastus2/release/ingress-nginx->eastus2/backends")
    assert to_backends == [["black"], ["darkorange", "black"]]
    marked = [title for title, edge in edges if "NAT64" in _texts(edge)]
    assert marked == ["eastus2/release/ingress-nginx->eastus2/backends", "westeurope/release/ingress-nginx->westeurope/backends"]


def test_committed_diagram_shows_the_current_default_output(synthesize):
    """docs/diagram.svg (shown in the README) has exactly the labels of a fresh render of config/default.yaml; layout may differ by Graphviz version."""
    committed = ElementTree.parse(REPO / "docs" / "diagram.svg").getroot()
    _, stacks = synthesize(load_config(USER_CONFIG))
    assert sorted(_texts(committed)) == sorted(_texts(_svg(stacks))), f"docs/diagram.svg is stale; {USER_CONFIG_CHANGED}"


def test_make_diagram_writes_another_config_beside_the_readme_picture():
    """`make diagram CONFIG=x` draws into docs/diagrams/<x's name>, leaving the README's docs/diagram alone."""
    result = subprocess.run(["make", "-n", "diagram", f"CONFIG={IPV6_PRIMARY.relative_to(REPO)}"], cwd=REPO, capture_output=True, text=True, check=True)
    assert "--config config/examples/ipv6-primary.yaml --outdir cdktf.out" in result.stdout
    assert "--outdir cdktf.out --output docs/diagrams/ipv6-primary" in result.stdout
