"""Bad configs and bad files: each prints its exact `<file>:<line>:<col>: <dotted.path>: <message>`
lines, exits 2 without a traceback, and leaves an existing cdktf.out/ byte for byte as it was; plus
the rules that no config can reach (derived Azure names) and the atomic swap of synth.py."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field, TypeAdapter, ValidationError

import main
from dualstack_aks.model.config import Config, RegionSettings
from dualstack_aks.model.loading import MAX_BYTES, ConfigError, load_config
from dualstack_aks.model.names import NAME_RULES
from dualstack_aks.model.regions import AZURE_REGION_CODES
from dualstack_aks.model.validation import check_config
from tests.conftest import DEFAULT_CONFIG, DELETE, REPO, mutate

BAD = "bad.yaml"


def default_with(changes: dict[str, object]) -> str:
    """The fixture default config as YAML text, with `changes` applied (see conftest.mutate)."""
    return yaml.safe_dump(mutate(yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8")), changes), sort_keys=False)


# Region 0 in an existing VNet with the ranges the plan would give it.
EXISTING_NETWORK = {
    "regions[0].existing_network": {"resource_group": "rg-net", "virtual_network": "vnet-hub", "nodes_subnet": "snet-nodes", "ingress_subnet": "snet-ingress"},
    "regions[0].network": {
        "vnet": {"ipv4": "10.0.0.0/16", "ipv6": "fd5a:1c00:d000::/56"},
        "nodes_subnet": {"ipv4": "10.0.0.0/22", "ipv6": "fd5a:1c00:d000::/64"},
        "ingress_subnet": {"ipv4": "10.0.4.0/24", "ipv6": "fd5a:1c00:d000:1::/64"},
    },
}


AZURERM_BACKEND = {"backend.type": "azurerm", "backend.resource_group_name": "rg-state", "backend.storage_account_name": "ststate01"}
RANGES_201 = [f"198.51.{i // 256}.{i % 256}/32" for i in range(201)]
# A VNet around Azure's platform address 168.63.129.16, its subnets inside it.
AZURE_PLATFORM_VNET = {
    "regions[0].network": {
        "vnet": {"ipv4": "168.63.0.0/16", "ipv6": "fd5a:1c00:d000::/56"},
        "nodes_subnet": {"ipv4": "168.63.0.0/22", "ipv6": "fd5a:1c00:d000::/64"},
        "ingress_subnet": {"ipv4": "168.63.4.0/24", "ipv6": "fd5a:1c00:d000:1::/64"},
    }
}


def existing_network_with(**names: str) -> dict[str, object]:
    return {**EXISTING_NETWORK, "regions[0].existing_network": {**EXISTING_NETWORK["regions[0].existing_network"], **names}}


@dataclass(frozen=True)
class Case:
    id: str
    text: str | bytes
    lines: list[str]  # expected stderr lines


MINIMAL = "dns:\n  zone: a.example.com\nregions:\n  - name: eastus2\n    index: 0\n"
# The second region takes the first one's settings through a YAML merge key.
MERGED = "dns:\n  zone: a.example.com\nregions:\n  - &first\n    name: eastus2\n    index: 0\n    zones: ['1', '2']\n  - <<: *first\n    name: westeurope\n    index: 1\n"
VNET0 = {"ipv4": "10.0.0.0/16", "ipv6": "fd5a:1c00:d000::/56"}  # what regions[0] (index 0) is planned
LONG_ZONE = ".".join(["a" * 60] * 4)  # 243 characters: valid itself, too long with a record in front
# Allowed keys are listed from the models, so a new field does not break these expectations.
TOP_LEVEL_KEYS = ", ".join(Config.model_fields)
REGION_KEYS = ", ".join(RegionSettings.model_fields)

CASES = [
    # CIDR syntax and family
    Case(
        "cidr-syntax",
        default_with({"address_space.ipv4": "10.0.0.0/33"}),
        ["bad.yaml:13:3: address_space.ipv4: must be an IPv4 CIDR like 10.1.0.0/16, got '10.0.0.0/33'"],
    ),
    Case(
        "cidr-family",
        default_with({"regions[0].network.vnet": {"ipv4": "fd00:1::/56", "ipv6": VNET0["ipv6"]}}),
        ["bad.yaml:8:7: regions[0].network.vnet.ipv4: must be an IPv4 CIDR like 10.1.0.0/16, got an IPv6 range 'fd00:1::/56'"],
    ),
    Case(
        "cidr-host-bits",
        default_with({"address_space.ipv6": "fd5a:1c00:d000::1/40"}),
        ["bad.yaml:13:3: address_space.ipv6: fd5a:1c00:d000::1/40 has host bits set; its network address is fd5a:1c00:d000::/40"],
    ),
    Case("cidr-number", default_with({"address_space.ipv4": 10}), ["bad.yaml:13:3: address_space.ipv4: must be text, got the number 10; put it in quotes"]),
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
        ["bad.yaml:14:7: regions[1].network.nodes_subnet.ipv6: must be a /64, got /56"],
    ),
    Case(
        "ipv6-subnet-65",
        default_with({"regions[0].network.ingress_subnet": {"ipv4": "10.0.4.0/24", "ipv6": "fd5a:1c00:d000:1::/65"}}),
        ["bad.yaml:9:7: regions[0].network.ingress_subnet.ipv6: must be a /64, got /65"],
    ),
    # subnets inside their VNet, Azure's smallest subnet
    Case(
        "subnet-outside-vnet",
        default_with({"regions[0].network.nodes_subnet": {"ipv4": "10.200.0.0/22", "ipv6": "fd5a:1c00:d000::/64"}}),
        ["bad.yaml:8:7: regions[0].network.nodes_subnet.ipv4: 10.200.0.0/22 is outside the VNet range 10.0.0.0/16"],
    ),
    Case(
        "ipv6-subnet-outside-vnet",
        default_with({"regions[0].network.ingress_subnet": {"ipv4": "10.0.4.0/24", "ipv6": "fd5a:1c00:d000:100::/64"}}),
        ["bad.yaml:9:7: regions[0].network.ingress_subnet.ipv6: fd5a:1c00:d000:100::/64 is outside the VNet range fd5a:1c00:d000::/56"],
    ),
    Case(
        "subnet-smaller-than-29",
        default_with({"regions[0].network.ingress_subnet": {"ipv4": "10.0.4.0/30", "ipv6": "fd5a:1c00:d000:1::/64"}, "ingress.internal_load_balancers": False}),
        ["bad.yaml:8:7: regions[0].network.ingress_subnet.ipv4: must be a /29 or larger (Azure's smallest subnet), got /30"],
    ),
    Case(
        "planned-subnet-does-not-fit-vnet",
        default_with({"regions[0].network.vnet": {"ipv4": "10.0.0.0/16", "ipv6": "fd5a:1c00:d000::/64"}}),
        [
            "bad.yaml:6:3: regions[0].network.ingress_subnet.ipv6: not set, and the VNet fd5a:1c00:d000::/64 has no room for the planned /64; set it, or make the VNet a /63 or larger"
        ],
    ),
    # overlaps inside a region and between regions' VNets
    Case(
        "subnets-overlap",
        default_with({"regions[0].network.ingress_subnet": {"ipv4": "10.0.2.0/24", "ipv6": "fd5a:1c00:d000:1::/64"}}),
        ["bad.yaml:8:7: regions[0].network.ingress_subnet.ipv4: 10.0.2.0/24 overlaps network.nodes_subnet 10.0.0.0/22"],
    ),
    Case(
        "pods-overlap-services",
        default_with({"regions[0].kubernetes.service_cidrs": {"ipv4": "10.4.0.0/16", "ipv6": "fd5a:1c00:d000:200::/108"}}),
        ["bad.yaml:8:7: regions[0].kubernetes.service_cidrs.ipv4: 10.4.0.0/16 overlaps kubernetes.pod_cidrs 10.4.0.0/14"],
    ),
    Case(
        "vnets-overlap-ipv4",
        default_with({"regions[1].network.vnet": {"ipv4": "10.0.0.0/16", "ipv6": "fd5a:1c00:d001::/56"}}),
        ["bad.yaml:10:7: regions[1].network.vnet.ipv4: 10.0.0.0/16 overlaps regions[0]'s VNet 10.0.0.0/16"],
    ),
    Case(
        "vnets-overlap-ipv6",
        default_with({"regions[1].network.vnet": {"ipv4": "10.8.0.0/16", "ipv6": "fd5a:1c00:d000::/48"}}),
        ["bad.yaml:11:7: regions[1].network.vnet.ipv6: fd5a:1c00:d000::/48 overlaps regions[0]'s VNet fd5a:1c00:d000::/56"],
    ),
    # pod and service ranges outside the VNet
    Case(
        "pods-inside-vnet",
        default_with({"regions[0].kubernetes.pod_cidrs": {"ipv4": "172.16.0.0/16", "ipv6": "fd5a:1c00:d000:ff::/64"}}),
        [
            "bad.yaml:9:7: regions[0].kubernetes.pod_cidrs.ipv6: fd5a:1c00:d000:ff::/64 overlaps the VNet range fd5a:1c00:d000::/56; pod and service ranges must be outside the VNet"
        ],
    ),
    Case(
        "services-inside-vnet",
        default_with({"regions[0].kubernetes.service_cidrs": {"ipv4": "10.0.128.0/17", "ipv6": "fd5a:1c00:d000:200::/108"}}),
        [
            "bad.yaml:8:7: regions[0].kubernetes.service_cidrs.ipv4: 10.0.128.0/17 overlaps the VNet range 10.0.0.0/16; pod and service ranges must be outside the VNet"
        ],
    ),
    # service range sizes (AKS limits)
    Case(
        "ipv6-services-larger-than-108",
        default_with({"regions[0].kubernetes.service_cidrs": {"ipv4": "10.1.0.0/16", "ipv6": "fd5a:1c00:d000:200::/64"}}),
        ["bad.yaml:9:7: regions[0].kubernetes.service_cidrs.ipv6: must be /108 or smaller (AKS limit), got /64"],
    ),
    Case(
        "ipv4-services-12",
        default_with({"regions[0].kubernetes.service_cidrs": {"ipv4": "172.16.0.0/12", "ipv6": "fd5a:1c00:d000:200::/108"}}),
        ["bad.yaml:8:7: regions[0].kubernetes.service_cidrs.ipv4: must be smaller than /12 (AKS limit), got /12"],
    ),
    # dns_service_ip
    Case(
        "dns-ip-outside",
        default_with({"regions[0].kubernetes.dns_service_ip": "10.9.0.10"}),
        ["bad.yaml:7:5: regions[0].kubernetes.dns_service_ip: 10.9.0.10 is outside the IPv4 service range 10.1.0.0/16"],
    ),
    Case(
        "dns-ip-network-address",
        default_with({"regions[0].kubernetes.dns_service_ip": "10.1.0.0"}),
        ["bad.yaml:7:5: regions[0].kubernetes.dns_service_ip: 10.1.0.0 is reserved in 10.1.0.0/16 (network, first or last address); pick another"],
    ),
    Case(
        "dns-ip-first-address",
        default_with({"regions[1].kubernetes.dns_service_ip": "10.9.0.1"}),
        ["bad.yaml:9:5: regions[1].kubernetes.dns_service_ip: 10.9.0.1 is reserved in 10.9.0.0/16 (network, first or last address); pick another"],
    ),
    Case(
        "dns-ip-ipv6",
        default_with({"regions[0].kubernetes.dns_service_ip": "fd00::10"}),
        ["bad.yaml:7:5: regions[0].kubernetes.dns_service_ip: must be an IPv4 address like 10.0.0.10, got 'fd00::10'"],
    ),
    Case(
        "dns-ip-cannot-be-planned",
        default_with({"regions[0].kubernetes.service_cidrs": {"ipv4": "172.20.0.0/29", "ipv6": "fd5a:1c00:d000:200::/108"}}),
        [
            "bad.yaml:6:3: regions[0].kubernetes.dns_service_ip: not set, and the IPv4 service range 172.20.0.0/29 has no address #10 to use; set it, or use a larger range"
        ],
    ),
    # regions: names, duplicates, indexes
    Case(
        "unknown-region",
        default_with({"regions[0].name": "east-us"}),
        [
            "bad.yaml:4:3: regions[0].name: unknown Azure region 'east-us'; did you mean 'eastus'? allowed: the names in dualstack_aks/model/regions.py, e.g. eastus2, westeurope"
        ],
    ),
    Case(
        "duplicate-region", default_with({"regions[1].name": "eastus2"}), ["bad.yaml:6:3: regions[1].name: 'eastus2' is already regions[0]; each region once"]
    ),
    Case(
        "duplicate-index",
        default_with({"regions[1].index": 0}),
        ["bad.yaml:7:3: regions[1].index: 0 is already used by regions[0]; each region needs its own index"],
    ),
    Case(
        "index-without-slot",
        default_with({"regions[1].index": 40}),
        ["bad.yaml:7:3: regions[1].index: 40 has no slot in address_space.ipv4 10.0.0.0/8, which has slots for index 0-31"],
    ),
    Case("index-above-255", default_with({"regions[1].index": 256}), ["bad.yaml:7:3: regions[1].index: must be at most 255, got 256"]),
    Case("index-boolean", default_with({"regions[1].index": True}), ["bad.yaml:7:3: regions[1].index: must be a whole number, got the boolean true"]),
    Case(
        "index-missing",
        default_with({"regions[1].index": DELETE}),
        ["bad.yaml:6:3: regions[1].index: is required (Stable slot in the address plan; never reuse or renumber a deployed region's index)"],
    ),
    Case(
        "supernet-too-small",
        default_with({"address_space.ipv4": "10.0.0.0/14"}),
        ["bad.yaml:13:3: address_space.ipv4: must be a /13 or larger (each region index takes one /13), got /14"],
    ),
    Case("no-regions", default_with({"regions": []}), ["bad.yaml:3:1: regions: must have at least 1 item(s), got 0"]),
    Case(
        "region-not-a-mapping", default_with({"regions[2]": "uksouth"}), [f"bad.yaml:8:3: regions[2]: must be a mapping with keys {REGION_KEYS}, got 'uksouth'"]
    ),
    Case(
        "registry-region-not-deployed",
        default_with({"registry_region": "uksouth"}),
        ["bad.yaml:12:1: registry_region: 'uksouth' is not one of the configured regions (eastus2, westeurope)"],
    ),
    Case(
        "canary-not-deployed",
        default_with({"deploy": {"canary": "uksouth"}}),
        ["bad.yaml:13:3: deploy.canary: 'uksouth' is not one of the configured regions (eastus2, westeurope)"],
    ),
    Case(
        "canary-unknown-region",
        default_with({"deploy": {"canary": "eastus9"}}),
        [
            "bad.yaml:13:3: deploy.canary: unknown Azure region 'eastus9'; did you mean 'eastus'? allowed: the names in dualstack_aks/model/regions.py, e.g. eastus2, westeurope"
        ],
    ),
    Case("max-parallel-zero", default_with({"deploy": {"max_parallel": 0}}), ["bad.yaml:13:3: deploy.max_parallel: must be at least 1, got 0"]),
    Case(
        "max-parallel-over-matrix-limit",
        default_with({"deploy": {"max_parallel": 257}}),
        ["bad.yaml:13:3: deploy.max_parallel: must be at most 256, got 257"],
    ),
    Case("max-parallel-text", default_with({"deploy": {"max_parallel": "4"}}), ["bad.yaml:13:3: deploy.max_parallel: must be a whole number, got '4'"]),
    # availability zones
    Case("zone-4", default_with({"cluster.zones": ["1", "4"]}), ["bad.yaml:14:5: cluster.zones[1]: must be '1', '2' or '3', got '4'"]),
    Case(
        "zones-unquoted",
        default_with({"cluster.zones": [1, 2]}),
        [
            "bad.yaml:13:5: cluster.zones[0]: must be '1', '2' or '3', got the number 1; put it in quotes",
            "bad.yaml:14:5: cluster.zones[1]: must be '1', '2' or '3', got the number 2; put it in quotes",
        ],
    ),
    Case("zone-twice", default_with({"cluster.zones": ["1", "1"]}), ["bad.yaml:12:3: cluster.zones: lists a zone twice: ['1', '1']"]),
    Case("no-zones", default_with({"cluster.zones": []}), ["bad.yaml:12:3: cluster.zones: must have at least 1 item(s), got 0"]),
    Case("region-zone-twice", default_with({"regions[1].zones": ["2", "2"]}), ["bad.yaml:8:3: regions[1].zones: lists a zone twice: ['2', '2']"]),
    Case(
        "private-cluster-with-authorized-ranges",
        default_with({"cluster.api_server.private_cluster": True}),
        [
            "bad.yaml:12:5: cluster.api_server.private_cluster: AKS refuses authorized_ip_ranges on a private cluster: remove cluster.api_server.authorized_ip_ranges, or set private_cluster: false"
        ],
    ),
    # Azure names: the prefix pattern keeps every derived name valid (see the tests below the table)
    Case("prefix-too-long", default_with({"name_prefix": "platform9"}), ["bad.yaml:12:1: name_prefix: must match ^[a-z][a-z0-9]{1,7}$, got 'platform9'"]),
    Case("prefix-hyphen", default_with({"name_prefix": "ds-aks"}), ["bad.yaml:12:1: name_prefix: must match ^[a-z][a-z0-9]{1,7}$, got 'ds-aks'"]),
    # DNS zone names
    Case(
        "zone-uppercase",
        default_with({"dns.zone": "Example.com"}),
        ["bad.yaml:2:3: dns.zone: must be a lowercase DNS name with at least two labels, like dualstack.example.com, got 'Example.com'"],
    ),
    Case(
        "zone-one-label",
        default_with({"dns.zone": "localhost"}),
        ["bad.yaml:2:3: dns.zone: must be a lowercase DNS name with at least two labels, like dualstack.example.com, got 'localhost'"],
    ),
    Case(
        "record-underscore",
        default_with({"dns.global_record": "my_app"}),
        ["bad.yaml:3:3: dns.global_record: must match ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$, got 'my_app'"],
    ),
    Case(
        "private-zone-same-as-zone",
        default_with({"dns.private_zone": "dualstack.example.com"}),
        ["bad.yaml:3:3: dns.private_zone: must differ from dns.zone, or names missing from it would stop resolving inside the VNets"],
    ),
    Case(
        "global-record-is-a-region",
        default_with({"dns.global_record": "westeurope"}),
        ["bad.yaml:3:3: dns.global_record: 'westeurope' is also the record of regions[1] in the same zone; pick a name that is not a region"],
    ),
    Case(
        "zone-too-long-for-records",
        default_with({"dns.zone": LONG_ZONE}),
        [
            "bad.yaml:2:3: dns.zone: with the record 'westeurope', it makes a 254-character name; DNS names allow at most 253",
            "bad.yaml:2:3: dns.zone: with the record 'westeurope', the default private zone internal.<zone> makes a 263-character name; DNS names allow at most 253",
        ],
    ),
    # Accepted by the schema, refused by Azure or Kubernetes at apply time
    Case(
        "private-zone-parent-of-zone",
        default_with({"dns.private_zone": "example.com"}),
        [
            "bad.yaml:3:3: dns.private_zone: private zone example.com is a parent of dns.zone dualstack.example.com: inside the VNets it would hide every public name; use a zone below it, like internal.dualstack.example.com"
        ],
    ),
    Case(
        "private-zone-is-a-regional-name",
        default_with({"dns.private_zone": "eastus2.dualstack.example.com"}),
        [
            "bad.yaml:3:3: dns.private_zone: private zone eastus2.dualstack.example.com holds the public name eastus2.dualstack.example.com: inside the VNets it would answer NXDOMAIN for it; use another name"
        ],
    ),
    Case(
        "private-zone-is-privatelink",
        default_with({"dns.private_zone": "privatelink.azurecr.io"}),
        [
            "bad.yaml:3:3: dns.private_zone: private zone privatelink.azurecr.io collides with the privatelink zone privatelink.azurecr.io that every VNet links already; use another name"
        ],
    ),
    Case(
        "global-record-is-the-private-label",
        default_with({"dns.global_record": "internal"}),
        [
            "bad.yaml:2:3: dns.zone: private zone internal.dualstack.example.com holds the public name internal.dualstack.example.com: inside the VNets it would answer NXDOMAIN for it; use another name"
        ],
    ),
    Case(
        "too-many-tags",
        default_with({"tags": {f"team{number}": "x" for number in range(49)}}),
        ["bad.yaml:12:1: tags: 49 tags, but Azure allows 50 per resource and the app adds 3; keep at most 47"],
    ),
    Case(
        "tag-name-with-slash",
        default_with({"tags": {"cost/center": "42"}}),
        ["bad.yaml:13:3: tags.cost/center: tag name 'cost/center' breaks Azure's rule: 1-128 characters, none of < > % & \\ ? /"],
    ),
    Case(
        "tag-value-too-long",
        default_with({"tags": {"note": "x" * 257}}),
        ["bad.yaml:13:3: tags.note: tag value has 257 characters; Azure allows at most 256"],
    ),
    Case(
        "ingress-namespace-kube-system",
        default_with({"ingress.namespace": "kube-system"}),
        [
            "bad.yaml:13:3: ingress.namespace: 'kube-system' exists in every cluster and this app creates its namespace; pick another, not one of default, kube-system, kube-public, kube-node-lease"
        ],
    ),
    Case(
        "sample-app-namespace-is-the-ingress-namespace",
        default_with({"sample_app": {"enabled": True, "namespace": "ingress-nginx"}}),
        ["bad.yaml:14:3: sample_app.namespace: 'ingress-nginx' is also ingress.namespace; each is created by its own stack resource, so they must differ"],
    ),
    *(
        Case(
            name,
            default_with(
                {
                    **EXISTING_NETWORK,
                    "regions[0].existing_cluster": {"resource_group": "rg", "name": "aks", "pod_cidrs": pods, "service_cidrs": ["10.1.0.0/16", "fd13::/108"]},
                }
            ),
            lines,
        )
        for name, pods, lines in (
            (
                "existing-cluster-range-is-a-host",
                ["10.244.0.1/32", "fd12::/64"],
                [
                    "bad.yaml:25:7: regions[0].existing_cluster.pod_cidrs[0]: 10.244.0.1/32 is a single address; give the range the cluster uses, e.g. 10.244.0.0/16"
                ],
            ),
            (
                "existing-cluster-range-is-the-internet",
                ["10.244.0.0/16", "::/0"],
                ["bad.yaml:26:7: regions[0].existing_cluster.pod_cidrs[1]: ::/0 is the whole internet; give the range the cluster uses"],
            ),
            (
                "existing-cluster-range-in-its-vnet",
                ["10.0.128.0/17", "fd12::/64"],
                [
                    "bad.yaml:25:7: regions[0].existing_cluster.pod_cidrs[0]: 10.0.128.0/17 overlaps the cluster's VNet range network.vnet; overlay ranges lie outside the VNet"
                ],
            ),
        )
    ),
    Case(
        "zone-missing",
        default_with({"dns.zone": DELETE}),
        ["bad.yaml:1:1: dns.zone: is required (Public DNS zone created in Azure DNS, e.g. dualstack.example.com (delegate it from the parent))"],
    ),
    # node counts and VM sizes
    Case(
        "min-above-max",
        default_with({"cluster.user_pool": {"min_count": 7, "max_count": 6}}),
        ["bad.yaml:13:5: cluster.user_pool.min_count: 7 is above max_count 6"],
    ),
    Case("min-count-0", default_with({"cluster.system_pool": {"min_count": 0}}), ["bad.yaml:13:5: cluster.system_pool.min_count: must be at least 1, got 0"]),
    Case(
        "max-count-1001",
        default_with({"cluster.user_pool": {"max_count": 1001}}),
        ["bad.yaml:13:5: cluster.user_pool.max_count: must be at most 1000, got 1001"],
    ),
    Case(
        "vm-size",
        default_with({"cluster.user_pool": {"vm_size": "D4ds_v5"}}),
        ["bad.yaml:13:5: cluster.user_pool.vm_size: must match ^Standard_[A-Za-z0-9_]+$, got 'D4ds_v5'"],
    ),
    Case(
        "nodes-do-not-fit-subnet",
        default_with({"regions[0].network.nodes_subnet": {"ipv4": "10.0.0.0/28", "ipv6": "fd5a:1c00:d000::/64"}}),
        [
            "bad.yaml:8:7: regions[0].network.nodes_subnet.ipv4: 10.0.0.0/28 has 11 usable addresses, but the node pools can grow to 13 nodes (max_count plus upgrade surge); use a larger subnet or lower the max_counts"
        ],
    ),
    Case(
        "nodes-do-not-fit-pod-range",
        default_with({"regions[0].kubernetes.pod_cidrs": {"ipv4": "172.16.0.0/21", "ipv6": "fd5a:1c00:d000:100::/64"}}),
        [
            "bad.yaml:8:7: regions[0].kubernetes.pod_cidrs.ipv4: 172.16.0.0/21 has room for 8 nodes (a /24 each), but the node pools can grow to 13; use a /20 or larger"
        ],
    ),
    Case(
        "kubernetes-too-old",
        default_with({"cluster.kubernetes_version": "1.28"}),
        ["bad.yaml:12:3: cluster.kubernetes_version: dual-stack with Cilium needs 1.29 or later, got 1.28"],
    ),
    Case(
        "kubernetes-version-number",
        default_with({"cluster.kubernetes_version": 1.33}),
        ["bad.yaml:12:3: cluster.kubernetes_version: must be text, got the number 1.33; put it in quotes"],
    ),
    # unknown keys
    Case("misspelled-key", default_with({"regions[0].indx": 3}), [f"bad.yaml:6:3: regions[0].indx: unknown key; did you mean 'index'? allowed: {REGION_KEYS}"]),
    Case(
        "misspelled-top-level-key",
        default_with({"region": [], "regions": DELETE}),
        [
            "bad.yaml:1:1: regions: is required (Regions to deploy; each gets its own stacks)",
            f"bad.yaml:7:1: region: unknown key; did you mean 'regions'? allowed: {TOP_LEVEL_KEYS}",
        ],
    ),
    # other settings
    Case(
        "admin-group-not-uuid",
        default_with({"cluster.admin_group_object_ids": ["platform-admins"]}),
        ["bad.yaml:13:5: cluster.admin_group_object_ids[0]: must be an Entra ID object id (a UUID), got 'platform-admins'"],
    ),
    Case(
        "backend-incomplete",
        default_with({"backend": {"type": "azurerm", "storage_account_name": "sttfstate"}}),
        ["bad.yaml:12:1: backend.resource_group_name: required when backend.type is azurerm"],
    ),
    Case("tag-number", default_with({"tags": {"cost-center": 4711}}), ["bad.yaml:13:3: tags.cost-center: must be text, got the number 4711; put it in quotes"]),
    # files that are not a config
    Case("invalid-yaml", "dns:\n  zone: [a.example.com\nregions: []\n", ["bad.yaml:3:8: (yaml): expected ',' or ']', but got ':'"]),
    Case(
        "duplicate-key",
        "dns:\n  zone: a.example.com\nregions: []\ndns:\n  zone: b.example.com\n",
        ["bad.yaml:4:1: (yaml): duplicate key 'dns' (first given on line 1)"],
    ),
    Case("tab-indent", "dns:\n\tzone: a.example.com\n", ["bad.yaml:2:1: (yaml): found character '\\t' that cannot start any token"]),
    Case("control-character", "dns:\n  zone: a\x07.example.com\n", ["bad.yaml:2:10: (yaml): character #x0007 is not allowed"]),
    Case("empty-file", "", ["bad.yaml: (file): is empty; it needs at least `dns.zone` and `regions`"]),
    Case("comments-only", "# nothing configured yet\n", ["bad.yaml: (file): is empty; it needs at least `dns.zone` and `regions`"]),
    Case(
        "top-level-list", "- name: eastus2\n  index: 0\n", ["bad.yaml:1:1: (top level): must be a mapping of settings like `dns:` and `regions:`, got a list"]
    ),
    Case("not-utf8", "dns:\n  zone: caf\xe9.example.com\n".encode("latin-1"), ["bad.yaml: (file): is not UTF-8 text"]),
    Case("larger-than-1-mib", "#" * MAX_BYTES + "\n" + MINIMAL, ["bad.yaml: (file): is larger than 1024 KiB; a config file is a few KiB"]),
    Case("two-documents", MINIMAL + "---\n" + MINIMAL, ["bad.yaml:6:1: (yaml): expected a single document in the stream, but found another document"]),
    Case(
        "python-tag",
        MINIMAL + "tags: !!python/object/apply:os.system [true]\n",
        ["bad.yaml:6:7: (yaml): could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"],
    ),
    # input that used to end in a traceback, a hang or a silently different value
    Case(
        "nested-too-deep",
        MINIMAL + "tags: " + "[" * 300 + "]" * 300 + "\n",
        ["bad.yaml:6:38: (yaml): nested more than 32 levels deep; a config needs a handful"],
    ),
    Case(
        "recursive-alias",
        MINIMAL.replace("regions:", "regions: &regions") + "  - *regions\n",
        [f"bad.yaml:3:10: regions[1]: must be a mapping with keys {REGION_KEYS}, got a list"],
    ),
    Case(
        "integer-of-5000-digits",
        MINIMAL.replace("index: 0", "index: " + "9" * 5000),
        ["bad.yaml:5:5: regions[0].index: a number with 5000 digits is larger than any setting takes"],
    ),
    Case(
        "octal-looking-index",
        MINIMAL.replace("index: 0", "index: 010"),
        [
            "bad.yaml:5:5: regions[0].index: YAML readers disagree on what 010 is (octal, base 60, or text); write plain decimal digits, or put it in quotes if it is text"
        ],
    ),
    Case(
        "octal-index",
        MINIMAL.replace("index: 0", "index: 0o10"),
        [
            "bad.yaml:5:5: regions[0].index: YAML readers disagree on what 0o10 is (octal, base 60, or text); write plain decimal digits, or put it in quotes if it is text"
        ],
    ),
    Case(
        "sexagesimal-index",
        MINIMAL.replace("index: 0", "index: 5:00"),
        ["bad.yaml:5:5: regions[0].index: YAML 1.1 readers take 5:00 for a base-60 number; put it in quotes if it is text"],
    ),
    Case(
        "sexagesimal-zone",
        MINIMAL + "cluster:\n  zones: [1:30]\n",
        ["bad.yaml:7:11: cluster.zones[0]: YAML 1.1 readers take 1:30 for a base-60 number; put it in quotes if it is text"],
    ),
    Case(
        "dates",
        MINIMAL + "tags:\n  created: 2024-01-31\n  expires: 2024-13-45\n",
        [
            "bad.yaml:7:3: tags.created: YAML reads 2024-01-31 as a date; put it in quotes if it is text",
            "bad.yaml:8:3: tags.expires: YAML reads 2024-13-45 as a date; put it in quotes if it is text",
        ],
    ),
    Case(
        "keys-1-and-yes",
        MINIMAL + "1: one\nyes: true\n",
        ["bad.yaml:6:1: (yaml): keys must be text, got the number 1; put the key in quotes", f"bad.yaml:7:1: yes: unknown key; allowed: {TOP_LEVEL_KEYS}"],
    ),
    Case("key-with-newline", MINIMAL + '"dns\\nzone": a.example.com\n', [f"bad.yaml:6:1: dns\\nzone: unknown key; allowed: {TOP_LEVEL_KEYS}"]),
    Case(
        "zone-ends-in-newline",
        MINIMAL.replace("zone: a.example.com", "zone: |\n    a.example.com"),
        ["bad.yaml:2:3: dns.zone: must be a lowercase DNS name with at least two labels, like dualstack.example.com, got 'a.example.com\\n'"],
    ),
    Case("prefix-ends-in-newline", default_with({"name_prefix": "dsaks\n"}), ["bad.yaml:12:1: name_prefix: must match ^[a-z][a-z0-9]{1,7}$, got 'dsaks\\n'"]),
    Case(
        "cidr-ends-in-newline",
        default_with({"address_space.ipv4": "10.0.0.0/8\n"}),
        ["bad.yaml:13:3: address_space.ipv4: must be an IPv4 CIDR like 10.1.0.0/16, got '10.0.0.0/8\\n'"],
    ),
    Case(
        "admin-group-ends-in-newline",
        default_with({"cluster.admin_group_object_ids": ["6f1b3c2e-8a4d-4f0e-9b7a-2c5d8e1f4a6b\n"]}),
        ["bad.yaml:13:5: cluster.admin_group_object_ids[0]: must match ^\\S+$, got '6f1b3c2e-8a4d-4f0e-9b7a-2c5d8e1f4a6b\\n'"],
    ),
    Case(
        "resource-group-ends-in-newline",
        default_with(
            {
                "regions[0].existing_cluster": {
                    "resource_group": "rg-aks\n",
                    "name": "aks",
                    "pod_cidrs": ["10.244.0.0/16", "fd12::/64"],
                    "service_cidrs": ["10.0.0.0/16", "fd13::/108"],
                }
            }
        ),
        ["bad.yaml:7:5: regions[0].existing_cluster.resource_group: must match ^[A-Za-z0-9_().-]+$, got 'rg-aks\\n'"],
    ),
    # issue 23: what Azure refuses, and what is insecure, each with its source in the code
    Case(
        "chart-repository-http",
        default_with({"ingress.chart_repository": "http://charts.example.com"}),
        ["bad.yaml:13:3: ingress.chart_repository: must match ^(https|oci)://\\S+$, got 'http://charts.example.com'"],
    ),
    Case(
        "vnet-class-e",
        default_with({"regions[0].network": {"vnet": {"ipv4": "240.0.0.0/16", "ipv6": VNET0["ipv6"]}}}),
        ["bad.yaml:8:7: regions[0].network.vnet.ipv4: 240.0.0.0/16 is a reserved range, which Azure does not route; use a unicast range like 10.1.0.0/16"],
    ),
    Case(
        "vnet-broadcast",
        default_with({"regions[0].network": {"vnet": {"ipv4": "255.255.255.255/32", "ipv6": VNET0["ipv6"]}}}),
        [
            "bad.yaml:8:7: regions[0].network.vnet.ipv4: 255.255.255.255/32 is a reserved range, which Azure does not route; use a unicast range like 10.1.0.0/16"
        ],
    ),
    Case(
        "vnet-ipv6-loopback",
        default_with({"regions[0].network": {"vnet": {"ipv4": "10.0.0.0/16", "ipv6": "::1/128"}}}),
        ["bad.yaml:9:7: regions[0].network.vnet.ipv6: ::1/128 is a loopback range, which Azure does not route; use a unicast range like fd00:db8:deca::/48"],
    ),
    Case(
        "vnet-azure-platform-address",
        default_with(AZURE_PLATFORM_VNET),
        [
            "bad.yaml:8:7: regions[0].network.vnet.ipv4: 168.63.0.0/16 holds 168.63.129.16, Azure's platform address, which a VNet may not contain (virtual-networks-faq)"
        ],
    ),
    Case(
        "private-zone-core-windows-net",
        default_with({"dns.private_zone": "core.windows.net"}),
        [
            "bad.yaml:3:3: dns.private_zone: core.windows.net is a name Azure reserves for its own private DNS zones; pick a zone of yours, like internal.dualstack.example.com"
        ],
    ),
    Case(
        "private-zone-azure-com",
        default_with({"dns.private_zone": "azure.com"}),
        [
            "bad.yaml:3:3: dns.private_zone: azure.com is a name Azure reserves for its own private DNS zones; pick a zone of yours, like internal.dualstack.example.com"
        ],
    ),
    Case(
        "private-zone-35-labels",
        default_with({"dns.private_zone": "a." * 34 + "com"}),
        [
            "bad.yaml:3:3: dns.private_zone: the private zone 'a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.com' has 35 labels; Azure allows at most 34"
        ],
    ),
    Case(
        "blob-container-double-dash",
        default_with({**AZURERM_BACKEND, "backend.container_name": "tf--state"}),
        [
            "bad.yaml:16:3: backend.container_name: 'tf--state' breaks Azure's rule: 3-63 lowercase letters, digits and single dashes, starting and ending alphanumeric"
        ],
    ),
    Case(
        "blob-name-too-long",
        default_with({**AZURERM_BACKEND, "backend.key_prefix": "k" * 1010}),
        ["bad.yaml:16:3: backend.key_prefix: makes the state blob name 1037 characters long; Azure allows at most 1024"],
    ),
    Case(
        "existing-vnet-name",
        default_with(existing_network_with(virtual_network="-vnet")),
        [
            "bad.yaml:8:5: regions[0].existing_network.virtual_network: '-vnet' breaks Azure's rule for this name: 2-64 letters, digits, -_. starting alphanumeric, ending alphanumeric or _"
        ],
    ),
    Case(
        "existing-resource-group-name",
        default_with(existing_network_with(resource_group="rg-net.")),
        [
            "bad.yaml:7:5: regions[0].existing_network.resource_group: 'rg-net.' breaks Azure's rule for this name: 1-90 letters, digits, -_.() not ending in a period"
        ],
    ),
    Case(
        "api-server-201-ranges",
        default_with({"cluster.api_server.authorized_ip_ranges": RANGES_201}),
        ["bad.yaml:10:5: cluster.api_server.authorized_ip_ranges: must have at most 200 item(s), got 201"],
    ),
    Case(
        "registry-201-ip-rules",
        default_with({"security.registry_public_network_access": True, "security.registry_allowed_ip_ranges": RANGES_201}),
        ["bad.yaml:14:3: security.registry_allowed_ip_ranges: must have at most 200 item(s), got 201"],
    ),
    Case(
        "system-pool-one-vcpu",
        default_with({"cluster.system_pool.vm_size": "Standard_B1s"}),
        ["bad.yaml:13:5: cluster.system_pool.vm_size: Standard_B1s is below AKS's minimum for a system pool: at least 2 vCPUs and 4 GB of memory"],
    ),
    Case(
        "system-pool-1-gib",
        default_with({"cluster.system_pool.vm_size": "Standard_B2ats_v2"}),
        ["bad.yaml:13:5: cluster.system_pool.vm_size: Standard_B2ats_v2 is below AKS's minimum for a system pool: at least 2 vCPUs and 4 GB of memory"],
    ),
    # a merged key is reported where it is written, in the mapping merged from
    Case(
        "merged-index-reused",
        MERGED.replace("name: westeurope\n    index: 1\n", "name: westeurope\n"),
        ["bad.yaml:6:5: regions[1].index: 0 is already used by regions[0]; each region needs its own index"],
    ),
]


def tree_state(directory: Path) -> dict[str, bytes | None]:
    """Every entry under `directory`: file bytes, or None for a directory (or a named pipe, which reading would block on)."""
    return {str(path.relative_to(directory)): path.read_bytes() if path.is_file() else None for path in sorted(directory.rglob("*"))}


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
    assert captured.err.splitlines() == case.lines
    assert status == 2
    assert captured.out == ""
    assert tree_state(workdir) == before


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("no/such.yaml", "no/such.yaml: (file): not found"),
        ("cdktf.out", "cdktf.out: (file): is a directory, not a config file"),
        ("/dev/zero", "/dev/zero: (file): is a character device, not a config file"),
        ("/dev/null", "/dev/null: (file): is a character device, not a config file"),
        ("", "'': (file): the file name is empty; name a YAML config file"),
    ],
)
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
        f"{BAD}:7:3: regions[1].index: 0 is already used by regions[0]; each region needs its own index",
        f"{BAD}:16:5: cluster.user_pool.min_count: 9 is above max_count 6",
        f"{BAD}:12:3: cluster.zones: lists a zone twice: ['1', '1']",
    ]


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("broken.yaml", "regions: [\n", "broken.yaml:2:1: (yaml): expected the node content, but found '<stream end>'"),
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


def test_a_file_name_with_a_newline_stays_on_one_line(workdir, capsys):
    (workdir / "bad\n.yaml").write_text(MINIMAL.replace("index: 0", "index: -1"))
    assert main.main(["--config", "bad\n.yaml"]) == 2
    assert capsys.readouterr().err == "bad\\n.yaml:5:5: regions[0].index: must be at least 0, got -1\n"


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(workdir):
    """Opening a FIFO for reading blocks until someone writes; the fresh interpreter is killed after 60 s if it does."""
    os.mkfifo(workdir / "pipe.yaml")
    before = tree_state(workdir)
    result = subprocess.run([sys.executable, str(REPO / "main.py"), "--config", "pipe.yaml"], cwd=workdir, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", "pipe.yaml: (file): is a named pipe, not a config file\n")
    assert tree_state(workdir) == before


def test_merge_keys_give_the_same_config_as_writing_it_out(tmp_path):
    merged, written = tmp_path / "merged.yaml", tmp_path / "written.yaml"
    merged.write_text(MERGED)
    written.write_text(MERGED.replace("&first", "").replace("<<: *first\n    ", "zones: ['1', '2']\n    "))
    assert load_config(merged) == load_config(written)
    assert load_config(merged).regions[1].zones == ["1", "2"]


@settings(derandomize=True, database=None, max_examples=10, deadline=None)  # one example checks every pattern
@given(data=st.data())
def test_no_pattern_lets_a_trailing_newline_through(data):
    """pydantic searches patterns (no fullmatch); `$` must still mean the very end of the text."""
    for pattern in sorted(_schema_patterns(Config.model_json_schema())):
        value = data.draw(st.from_regex(pattern, fullmatch=True, alphabet=st.characters(codec="ascii")))
        field = TypeAdapter(Annotated[str, Field(pattern=pattern)])
        assert field.validate_python(value) == value
        with pytest.raises(ValidationError):
            field.validate_python(value + "\n")


def _schema_patterns(schema: object) -> set[str]:
    if isinstance(schema, dict):
        found = {schema["pattern"]} if isinstance(schema.get("pattern"), str) else set()
        return found.union(*(_schema_patterns(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(_schema_patterns(value) for value in schema))
    return set()


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
        (
            "regions[0].name",
            "derived key_vault name 'kv-platformengineering-eus2' breaks Azure's rule: 3-24 letters, digits and single hyphens, starting with a letter",
        ),
        (
            "regions[1].name",
            "derived key_vault name 'kv-platformengineering-weu' breaks Azure's rule: 3-24 letters, digits and single hyphens, starting with a letter",
        ),
    ]


def test_derived_names_are_checked_for_a_long_region_code(default_config, monkeypatch):
    monkeypatch.setitem(AZURE_REGION_CODES, "westeurope", "westeuropeabcdefgh")
    assert check_config(default_config) == [
        (
            "regions[1].name",
            "derived key_vault name 'kv-dsaks-westeuropeabcdefgh' breaks Azure's rule: 3-24 letters, digits and single hyphens, starting with a letter",
        ),
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
        f"{path}:4:3: regions[0].name: unknown Azure region 'mars'; allowed: the names in dualstack_aks/model/regions.py, e.g. eastus2, westeurope",
        f"{path}:7:3: regions[1].index: must be at least 0, got -1",
    ]
