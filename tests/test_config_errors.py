"""Bad configs: each prints its exact `<file>: <dotted.path>: <message>` lines, exits 2 without a
traceback, and leaves an existing cdktf.out/ byte for byte as it was; plus the rules that no
config can reach (derived Azure names) and the atomic swap of synth.py."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import main
from dualstack_aks.model.config import Config, RegionSettings
from dualstack_aks.model.loading import ConfigError, load_config
from dualstack_aks.model.names import NAME_RULES
from dualstack_aks.model.regions import AZURE_REGION_CODES
from dualstack_aks.model.validation import check_config
from tests.conftest import DEFAULT_CONFIG, REPO

DELETE = object()
BAD = "bad.yaml"


def default_with(changes: dict[str, object]) -> str:
    """config/default.yaml as YAML text with `dotted.path[0].key` -> value set (or DELETE)."""
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        *parents, last = [int(part[1:-1]) if part.startswith("[") else part for part in re.findall(r"\[\d+\]|[^.\[\]]+", dotted)]
        node = data
        for part in parents:
            node = node[part] if isinstance(part, int) else node.setdefault(part, {})
        if value is DELETE:
            del node[last]
        elif isinstance(last, int) and last == len(node):
            node.append(value)
        else:
            node[last] = value
    return yaml.safe_dump(data, sort_keys=False)


@dataclass(frozen=True)
class Case:
    id: str
    text: str | bytes
    lines: list[str]  # expected stderr lines without the leading "bad.yaml: "


VNET0 = {"ipv4": "10.0.0.0/16", "ipv6": "fd5a:1c00:d000::/56"}  # what regions[0] (index 0) is planned
LONG_ZONE = ".".join(["a" * 60] * 4)  # 243 characters: valid itself, too long with a record in front
# Allowed keys are listed from the models, so a new field does not break these expectations.
TOP_LEVEL_KEYS = ", ".join(Config.model_fields)
REGION_KEYS = ", ".join(RegionSettings.model_fields)

CASES = [
    # CIDR syntax and family
    Case("cidr-syntax", default_with({"address_space.ipv4": "10.0.0.0/33"}), ["address_space.ipv4: must be an IPv4 CIDR like 10.1.0.0/16, got '10.0.0.0/33'"]),
    Case(
        "cidr-family",
        default_with({"regions[0].network.vnet": {"ipv4": "fd00:1::/56", "ipv6": VNET0["ipv6"]}}),
        ["regions[0].network.vnet.ipv4: must be an IPv4 CIDR like 10.1.0.0/16, got an IPv6 range 'fd00:1::/56'"],
    ),
    Case("cidr-host-bits", default_with({"address_space.ipv6": "fd5a:1c00:d000::1/40"}), ["address_space.ipv6: fd5a:1c00:d000::1/40 has host bits set; its network address is fd5a:1c00:d000::/40"]),
    Case("cidr-number", default_with({"address_space.ipv4": 10}), ["address_space.ipv4: must be text, got the number 10; put it in quotes"]),
    # IPv6 subnets exactly /64
    Case(
        "ipv6-subnet-56",
        default_with(
            {
                "regions[1].network": {
                    "vnet": {"ipv4": "10.8.0.0/16", "ipv6": "fd5a:1c00:d001:400::/55"},
                    "nodes_subnet": {"ipv4": "10.8.0.0/22", "ipv6": "fd5a:1c00:d001:400::/56"},
                    "ingress_subnet": {"ipv4": "10.8.4.0/24", "ipv6": "fd5a:1c00:d001:500::/64"},
                }
            }
        ),
        ["regions[1].network.nodes_subnet.ipv6: must be a /64, got /56"],
    ),
    Case(
        "ipv6-subnet-65",
        default_with({"regions[0].network.ingress_subnet": {"ipv4": "10.0.4.0/24", "ipv6": "fd5a:1c00:d000:1::/65"}}),
        ["regions[0].network.ingress_subnet.ipv6: must be a /64, got /65"],
    ),
    # subnets inside their VNet, Azure's smallest subnet
    Case(
        "subnet-outside-vnet",
        default_with({"regions[0].network.nodes_subnet": {"ipv4": "10.200.0.0/22", "ipv6": "fd5a:1c00:d000::/64"}}),
        ["regions[0].network.nodes_subnet.ipv4: 10.200.0.0/22 is outside the VNet range 10.0.0.0/16"],
    ),
    Case(
        "ipv6-subnet-outside-vnet",
        default_with({"regions[0].network.ingress_subnet": {"ipv4": "10.0.4.0/24", "ipv6": "fd5a:1c00:d000:100::/64"}}),
        ["regions[0].network.ingress_subnet.ipv6: fd5a:1c00:d000:100::/64 is outside the VNet range fd5a:1c00:d000::/56"],
    ),
    Case(
        "subnet-smaller-than-29",
        default_with({"regions[0].network.ingress_subnet": {"ipv4": "10.0.4.0/30", "ipv6": "fd5a:1c00:d000:1::/64"}, "ingress.internal_load_balancers": False}),
        ["regions[0].network.ingress_subnet.ipv4: must be a /29 or larger (Azure's smallest subnet), got /30"],
    ),
    Case(
        "planned-subnet-does-not-fit-vnet",
        default_with({"regions[0].network.vnet": {"ipv4": "10.0.0.0/16", "ipv6": "fd5a:1c00:d000::/64"}}),
        ["regions[0].network.ingress_subnet.ipv6: not set, and the VNet fd5a:1c00:d000::/64 has no room for the planned /64; set it, or make the VNet a /63 or larger"],
    ),
    # overlaps inside a region and between regions' VNets
    Case(
        "subnets-overlap",
        default_with({"regions[0].network.ingress_subnet": {"ipv4": "10.0.2.0/24", "ipv6": "fd5a:1c00:d000:1::/64"}}),
        ["regions[0].network.ingress_subnet.ipv4: 10.0.2.0/24 overlaps network.nodes_subnet 10.0.0.0/22"],
    ),
    Case(
        "pods-overlap-services",
        default_with({"regions[0].kubernetes.service_cidrs": {"ipv4": "10.4.0.0/16", "ipv6": "fd5a:1c00:d000:200::/108"}}),
        ["regions[0].kubernetes.service_cidrs.ipv4: 10.4.0.0/16 overlaps kubernetes.pod_cidrs 10.4.0.0/14"],
    ),
    Case(
        "vnets-overlap-ipv4",
        default_with({"regions[1].network.vnet": {"ipv4": "10.0.0.0/16", "ipv6": "fd5a:1c00:d001::/56"}}),
        ["regions[1].network.vnet.ipv4: 10.0.0.0/16 overlaps regions[0]'s VNet 10.0.0.0/16"],
    ),
    Case(
        "vnets-overlap-ipv6",
        default_with({"regions[1].network.vnet": {"ipv4": "10.8.0.0/16", "ipv6": "fd5a:1c00:d000::/48"}}),
        ["regions[1].network.vnet.ipv6: fd5a:1c00:d000::/48 overlaps regions[0]'s VNet fd5a:1c00:d000::/56"],
    ),
    # pod and service ranges outside the VNet
    Case(
        "pods-inside-vnet",
        default_with({"regions[0].kubernetes.pod_cidrs": {"ipv4": "172.16.0.0/16", "ipv6": "fd5a:1c00:d000:ff::/64"}}),
        ["regions[0].kubernetes.pod_cidrs.ipv6: fd5a:1c00:d000:ff::/64 overlaps the VNet range fd5a:1c00:d000::/56; pod and service ranges must be outside the VNet"],
    ),
    Case(
        "services-inside-vnet",
        default_with({"regions[0].kubernetes.service_cidrs": {"ipv4": "10.0.128.0/17", "ipv6": "fd5a:1c00:d000:200::/108"}}),
        ["regions[0].kubernetes.service_cidrs.ipv4: 10.0.128.0/17 overlaps the VNet range 10.0.0.0/16; pod and service ranges must be outside the VNet"],
    ),
    # service range sizes (AKS limits)
    Case(
        "ipv6-services-larger-than-108",
        default_with({"regions[0].kubernetes.service_cidrs": {"ipv4": "10.1.0.0/16", "ipv6": "fd5a:1c00:d000:200::/64"}}),
        ["regions[0].kubernetes.service_cidrs.ipv6: must be /108 or smaller (AKS limit), got /64"],
    ),
    Case(
        "ipv4-services-12",
        default_with({"regions[0].kubernetes.service_cidrs": {"ipv4": "172.16.0.0/12", "ipv6": "fd5a:1c00:d000:200::/108"}}),
        ["regions[0].kubernetes.service_cidrs.ipv4: must be smaller than /12 (AKS limit), got /12"],
    ),
    # dns_service_ip
    Case("dns-ip-outside", default_with({"regions[0].kubernetes.dns_service_ip": "10.9.0.10"}), ["regions[0].kubernetes.dns_service_ip: 10.9.0.10 is outside the IPv4 service range 10.1.0.0/16"]),
    Case(
        "dns-ip-network-address",
        default_with({"regions[0].kubernetes.dns_service_ip": "10.1.0.0"}),
        ["regions[0].kubernetes.dns_service_ip: 10.1.0.0 is reserved in 10.1.0.0/16 (network, first or last address); pick another"],
    ),
    Case(
        "dns-ip-first-address",
        default_with({"regions[1].kubernetes.dns_service_ip": "10.9.0.1"}),
        ["regions[1].kubernetes.dns_service_ip: 10.9.0.1 is reserved in 10.9.0.0/16 (network, first or last address); pick another"],
    ),
    Case("dns-ip-ipv6", default_with({"regions[0].kubernetes.dns_service_ip": "fd00::10"}), ["regions[0].kubernetes.dns_service_ip: must be an IPv4 address like 10.0.0.10, got 'fd00::10'"]),
    Case(
        "dns-ip-cannot-be-planned",
        default_with({"regions[0].kubernetes.service_cidrs": {"ipv4": "172.20.0.0/29", "ipv6": "fd5a:1c00:d000:200::/108"}}),
        ["regions[0].kubernetes.dns_service_ip: not set, and the IPv4 service range 172.20.0.0/29 has no address #10 to use; set it, or use a larger range"],
    ),
    # regions: names, duplicates, indexes
    Case("unknown-region", default_with({"regions[0].name": "east-us"}), ["regions[0].name: unknown Azure region 'east-us'; did you mean 'eastus'? allowed: the names in dualstack_aks/model/regions.py, e.g. eastus2, westeurope"]),
    Case("duplicate-region", default_with({"regions[1].name": "eastus2"}), ["regions[1].name: 'eastus2' is already regions[0]; each region once"]),
    Case("duplicate-index", default_with({"regions[1].index": 0}), ["regions[1].index: 0 is already used by regions[0]; each region needs its own index"]),
    Case("index-without-slot", default_with({"regions[1].index": 40}), ["regions[1].index: 40 has no slot in address_space.ipv4 10.0.0.0/8, which has slots for index 0-31"]),
    Case("index-above-255", default_with({"regions[1].index": 256}), ["regions[1].index: must be at most 255, got 256"]),
    Case("index-boolean", default_with({"regions[1].index": True}), ["regions[1].index: must be a whole number, got the boolean true"]),
    Case("index-missing", default_with({"regions[1].index": DELETE}), ["regions[1].index: is required (Stable slot in the address plan; never reuse or renumber a deployed region's index)"]),
    Case("supernet-too-small", default_with({"address_space.ipv4": "10.0.0.0/14"}), ["address_space.ipv4: must be a /13 or larger (each region index takes one /13), got /14"]),
    Case("no-regions", default_with({"regions": []}), ["regions: must have at least 1 item(s), got 0"]),
    Case("region-not-a-mapping", default_with({"regions[2]": "uksouth"}), [f"regions[2]: must be a mapping with keys {REGION_KEYS}, got 'uksouth'"]),
    Case("registry-region-not-deployed", default_with({"registry_region": "uksouth"}), ["registry_region: 'uksouth' is not one of the configured regions (eastus2, westeurope)"]),
    # availability zones
    Case("zone-4", default_with({"cluster.zones": ["1", "4"]}), ["cluster.zones[1]: must be '1', '2' or '3', got '4'"]),
    Case(
        "zones-unquoted",
        default_with({"cluster.zones": [1, 2]}),
        ["cluster.zones[0]: must be '1', '2' or '3', got the number 1; put it in quotes", "cluster.zones[1]: must be '1', '2' or '3', got the number 2; put it in quotes"],
    ),
    Case("zone-twice", default_with({"cluster.zones": ["1", "1"]}), ["cluster.zones: lists a zone twice: ['1', '1']"]),
    Case("no-zones", default_with({"cluster.zones": []}), ["cluster.zones: must have at least 1 item(s), got 0"]),
    Case("region-zone-twice", default_with({"regions[1].zones": ["2", "2"]}), ["regions[1].zones: lists a zone twice: ['2', '2']"]),
    Case(
        "private-cluster-with-authorized-ranges",
        default_with({"cluster.api_server.private_cluster": True}),
        ["cluster.api_server.private_cluster: AKS refuses authorized_ip_ranges on a private cluster: remove cluster.api_server.authorized_ip_ranges, or set private_cluster: false"],
    ),
    # Azure names: the prefix pattern keeps every derived name valid (see the tests below the table)
    Case("prefix-too-long", default_with({"name_prefix": "platform9"}), ["name_prefix: must match ^[a-z][a-z0-9]{1,7}$, got 'platform9'"]),
    Case("prefix-hyphen", default_with({"name_prefix": "ds-aks"}), ["name_prefix: must match ^[a-z][a-z0-9]{1,7}$, got 'ds-aks'"]),
    # DNS zone names
    Case("zone-uppercase", default_with({"dns.zone": "Example.com"}), ["dns.zone: must be a lowercase DNS name with at least two labels, like dualstack.example.com, got 'Example.com'"]),
    Case("zone-one-label", default_with({"dns.zone": "localhost"}), ["dns.zone: must be a lowercase DNS name with at least two labels, like dualstack.example.com, got 'localhost'"]),
    Case("record-underscore", default_with({"dns.global_record": "my_app"}), ["dns.global_record: must match ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$, got 'my_app'"]),
    Case(
        "private-zone-same-as-zone",
        default_with({"dns.private_zone": "dualstack.example.com"}),
        ["dns.private_zone: must differ from dns.zone, or names missing from it would stop resolving inside the VNets"],
    ),
    Case(
        "global-record-is-a-region",
        default_with({"dns.global_record": "westeurope"}),
        ["dns.global_record: 'westeurope' is also the record of regions[1] in the same zone; pick a name that is not a region"],
    ),
    Case(
        "zone-too-long-for-records",
        default_with({"dns.zone": LONG_ZONE}),
        [
            "dns.zone: with the record 'westeurope', it makes a 254-character name; DNS names allow at most 253",
            "dns.zone: with the record 'westeurope', the default private zone internal.<zone> makes a 263-character name; DNS names allow at most 253",
        ],
    ),
    Case("zone-missing", default_with({"dns": {}}), ["dns.zone: is required (Public DNS zone created in Azure DNS, e.g. dualstack.example.com (delegate it from the parent))"]),
    # node counts and VM sizes
    Case("min-above-max", default_with({"cluster.user_pool": {"min_count": 7, "max_count": 6}}), ["cluster.user_pool.min_count: 7 is above max_count 6"]),
    Case("min-count-0", default_with({"cluster.system_pool": {"min_count": 0}}), ["cluster.system_pool.min_count: must be at least 1, got 0"]),
    Case("max-count-1001", default_with({"cluster.user_pool": {"max_count": 1001}}), ["cluster.user_pool.max_count: must be at most 1000, got 1001"]),
    Case("vm-size", default_with({"cluster.user_pool": {"vm_size": "D4ds_v5"}}), ["cluster.user_pool.vm_size: must match ^Standard_[A-Za-z0-9_]+$, got 'D4ds_v5'"]),
    Case(
        "nodes-do-not-fit-subnet",
        default_with({"regions[0].network.nodes_subnet": {"ipv4": "10.0.0.0/28", "ipv6": "fd5a:1c00:d000::/64"}}),
        ["regions[0].network.nodes_subnet.ipv4: 10.0.0.0/28 has 11 usable addresses, but the node pools can grow to 13 nodes (max_count plus upgrade surge); use a larger subnet or lower the max_counts"],
    ),
    Case(
        "nodes-do-not-fit-pod-range",
        default_with({"regions[0].kubernetes.pod_cidrs": {"ipv4": "172.16.0.0/21", "ipv6": "fd5a:1c00:d000:100::/64"}}),
        ["regions[0].kubernetes.pod_cidrs.ipv4: 172.16.0.0/21 has room for 8 nodes (a /24 each), but the node pools can grow to 13; use a /20 or larger"],
    ),
    Case("kubernetes-too-old", default_with({"cluster.kubernetes_version": "1.28"}), ["cluster.kubernetes_version: dual-stack with Cilium needs 1.29 or later, got 1.28"]),
    Case("kubernetes-version-number", default_with({"cluster.kubernetes_version": 1.33}), ["cluster.kubernetes_version: must be text, got the number 1.33; put it in quotes"]),
    # unknown keys
    Case("misspelled-key", default_with({"regions[0].indx": 3}), [f"regions[0].indx: unknown key; did you mean 'index'? allowed: {REGION_KEYS}"]),
    Case(
        "misspelled-top-level-key",
        default_with({"region": [], "regions": DELETE}),
        ["regions: is required (Regions to deploy; each gets its own stacks)", f"region: unknown key; did you mean 'regions'? allowed: {TOP_LEVEL_KEYS}"],
    ),
    # other settings
    Case("admin-group-not-uuid", default_with({"cluster.admin_group_object_ids": ["platform-admins"]}), ["cluster.admin_group_object_ids[0]: must be an Entra ID object id (a UUID), got 'platform-admins'"]),
    Case("backend-incomplete", default_with({"backend": {"type": "azurerm", "storage_account_name": "sttfstate"}}), ["backend.resource_group_name: required when backend.type is azurerm"]),
    Case("tag-number", default_with({"tags": {"cost-center": 4711}}), ["tags.cost-center: must be text, got the number 4711; put it in quotes"]),
    # files that are not a config
    Case("invalid-yaml", "dns:\n  zone: [a.example.com\nregions: []\n", ["(yaml): invalid YAML at line 3, column 8: expected ',' or ']', but got ':'"]),
    Case("duplicate-key", "dns:\n  zone: a.example.com\nregions: []\ndns:\n  zone: b.example.com\n", ["(yaml): invalid YAML at line 4, column 1: duplicate key 'dns' (first given on line 1)"]),
    Case("tab-indent", "dns:\n\tzone: a.example.com\n", ["(yaml): invalid YAML at line 2, column 1: found character '\\t' that cannot start any token"]),
    Case("control-character", "dns:\n  zone: a\x07.example.com\n", ["(yaml): invalid YAML at line 2, column 10: character #x0007 is not allowed"]),
    Case("empty-file", "", ["(file): is empty; it needs at least `dns.zone` and `regions`"]),
    Case("comments-only", "# nothing configured yet\n", ["(file): is empty; it needs at least `dns.zone` and `regions`"]),
    Case("top-level-list", "- name: eastus2\n  index: 0\n", ["(top level): must be a mapping of settings like `dns:` and `regions:`, got a list"]),
    Case("not-utf8", "dns:\n  zone: caf\xe9.example.com\n".encode("latin-1"), ["(file): is not UTF-8 text"]),
]


def tree_state(directory: Path) -> dict[str, bytes | None]:
    """Every entry under `directory`: file bytes, or None for a directory."""
    return {str(path.relative_to(directory)): None if path.is_dir() else path.read_bytes() for path in sorted(directory.rglob("*"))}


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    """A working directory holding an earlier cdktf.out/ that must survive everything."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CDKTF_OUTDIR", raising=False)
    monkeypatch.delenv("DUALSTACK_CONFIG", raising=False)
    (tmp_path / "cdktf.out" / "stacks" / "global").mkdir(parents=True)
    (tmp_path / "cdktf.out" / "manifest.json").write_text('{"sentinel": true}\n')
    (tmp_path / "cdktf.out" / "stacks" / "global" / "cdk.tf.json").write_bytes(b"\x00earlier synth\xff")
    return tmp_path


def test_the_table_has_at_least_30_distinct_bad_configs():
    assert len(CASES) >= 30
    assert len({case.id for case in CASES}) == len(CASES)
    assert len({case.text for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_bad_config_prints_exact_lines_exits_2_and_keeps_cdktf_out(case, workdir, capsys):
    if isinstance(case.text, bytes):
        (workdir / BAD).write_bytes(case.text)
    else:
        (workdir / BAD).write_text(case.text, encoding="utf-8")
    before = tree_state(workdir)

    status = main.main(["--config", BAD])

    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"{BAD}: {line}" for line in case.lines]
    assert status == 2
    assert captured.out == ""
    assert tree_state(workdir) == before


@pytest.mark.parametrize(("path", "line"), [("no/such.yaml", "no/such.yaml: (file): not found"), ("cdktf.out", "cdktf.out: (file): cannot be read: Is a directory")])
def test_unreadable_path(workdir, capsys, path, line):
    before = tree_state(workdir)
    assert main.main(["--config", path]) == 2
    assert capsys.readouterr().err == f"{line}\n"
    assert tree_state(workdir) == before


def test_all_problems_are_reported_at_once(workdir, capsys):
    text = default_with({"regions[1].index": 0, "cluster.zones": ["1", "1"], "cluster.user_pool": {"min_count": 9}})
    (workdir / BAD).write_text(text)
    assert main.main(["--config", BAD]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{BAD}: regions[1].index: 0 is already used by regions[0]; each region needs its own index",
        f"{BAD}: cluster.user_pool.min_count: 9 is above max_count 6",
        f"{BAD}: cluster.zones: lists a zone twice: ['1', '1']",
    ]


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("broken.yaml", "regions: [\n", "broken.yaml: (yaml): invalid YAML at line 2, column 1: expected the node content, but found '<stream end>'"),
        ("empty.yaml", "", "empty.yaml: (file): is empty; it needs at least `dns.zone` and `regions`"),
        ("missing.yaml", None, "missing.yaml: (file): not found"),
    ],
)
def test_cli_as_a_new_user_runs_it(workdir, name, text, line):
    """The real entry point in a fresh interpreter: one line, status 2, no traceback."""
    if text is not None:
        (workdir / name).write_text(text)
    before = tree_state(workdir)
    result = subprocess.run([sys.executable, str(REPO / "main.py"), "--config", name], cwd=workdir, capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"{line}\n")
    assert tree_state(workdir) == before


# Derived Azure names. name_prefix is at most 8 characters and every region code at most 4,
# so no config can break a naming rule today; these tests call the rules directly and prove
# the prefix pattern and the region codes keep every derived name valid.


@pytest.mark.parametrize(
    ("kind", "name", "valid"),
    [
        ("key_vault", "kv-dsaks-eus2", True),
        ("key_vault", "kv-" + "a" * 21, True),
        ("key_vault", "kv-" + "a" * 22, False),
        ("key_vault", "kv--dsaks", False),
        ("key_vault", "1kv-dsaks", False),
        ("container_registry", "crdsaksglobal", True),
        ("container_registry", "cr-dsaks", False),
        ("container_registry", "cr" + "a" * 49, False),
        ("dns_prefix", "dsaks-eus2", True),
        ("dns_prefix", "dsaks-", False),
        ("resource_group", "rg-dsaks-eus2", True),
        ("resource_group", "rg-dsaks.", False),
        ("kubernetes_cluster", "aks-" + "a" * 60, False),
        ("traffic_manager_dns", "Dsaks-dualstack-aks", False),
    ],
)
def test_azure_name_rules(kind, name, valid):
    assert bool(NAME_RULES[kind][0].match(name)) is valid


def test_derived_names_are_checked_for_a_long_prefix(default_config):
    """A prefix longer than the pattern allows (bypassing it) is caught on the derived names."""
    too_long = default_config.model_copy(update={"name_prefix": "platformengineering"})
    assert check_config(too_long) == [
        ("regions[0].name", "derived key_vault name 'kv-platformengineering-eus2' breaks Azure's rule: 3-24 letters, digits and single hyphens, starting with a letter"),
        ("regions[1].name", "derived key_vault name 'kv-platformengineering-weu' breaks Azure's rule: 3-24 letters, digits and single hyphens, starting with a letter"),
    ]


def test_derived_names_are_checked_for_a_long_region_code(default_config, monkeypatch):
    monkeypatch.setitem(AZURE_REGION_CODES, "westeurope", "westeuropeabcdefgh")
    assert check_config(default_config) == [
        ("regions[1].name", "derived key_vault name 'kv-dsaks-westeuropeabcdefgh' breaks Azure's rule: 3-24 letters, digits and single hyphens, starting with a letter"),
    ]


def test_region_codes_are_unique():
    """Two regions with one code would derive the same globally unique names."""
    assert len(set(AZURE_REGION_CODES.values())) == len(AZURE_REGION_CODES)


@settings(derandomize=True, database=None, max_examples=200, deadline=None)
@given(prefix=st.from_regex(Config.model_fields["name_prefix"].metadata[0].pattern, fullmatch=True), region=st.sampled_from(sorted(AZURE_REGION_CODES)))
def test_every_allowed_prefix_and_region_derive_valid_names(default_config, prefix, region):
    config = default_config.model_copy(update={"name_prefix": prefix, "regions": [default_config.regions[0].model_copy(update={"name": region})]})
    assert check_config(config) == []


def test_load_config_error_is_one_exception_with_every_line(tmp_path):
    path = tmp_path / BAD
    path.write_text(default_with({"regions[0].name": "mars", "regions[1].index": -1}))
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.problems == [
        f"{path}: regions[0].name: unknown Azure region 'mars'; allowed: the names in dualstack_aks/model/regions.py, e.g. eastus2, westeurope",
        f"{path}: regions[1].index: must be at least 0, got -1",
    ]
