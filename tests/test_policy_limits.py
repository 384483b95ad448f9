"""The policy guard judges an allow list by how much of the public address space it admits, and an
acknowledgement by the characters a reader sees (issue 23). Hand-written Terraform JSON, no jsii."""

from __future__ import annotations

import pytest

from dualstack_aks.model.config import Acknowledgement
from dualstack_aks.policy.guard import check_policy, visible_length
from dualstack_aks.policy.rules import OPEN_THRESHOLD, api_server_restricted, public_addresses, registry_restricted


@pytest.mark.parametrize(
    ("ranges", "open_"),
    [
        (["203.0.113.0/24"], False),
        (["198.51.100.7/32", "203.0.113.0/24"], False),
        (["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], False),  # private space is no public exposure
        (["11.0.0.0/9"], False),  # half a /8: below the threshold
        (["11.0.0.0/8"], True),  # a whole /8: the threshold
        (["0.0.0.0/1"], True),  # half the Internet, alone
        (["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3"], True),  # every unicast address, in pieces
        (["0.0.0.0/0"], True),
        (["0/0"], True),
        (["*"], True),
        (["Internet"], True),
        (["${var.ranges}"], True),  # an expression could be anything
        (["not a range"], True),
    ],
)
def test_the_api_server_is_open_when_its_ranges_cover_a_slash_8_of_public_space(ranges, open_):
    cluster = {"api_server_access_profile": {"authorized_ip_ranges": ranges}}
    assert api_server_restricted(cluster) is not open_


@pytest.mark.parametrize(
    ("ranges", "open_"),
    [(["203.0.113.0/24"], False), (["0.0.0.0/1"], True), (["64.0.0.0/2", "128.0.0.0/1"], True), (["2a00::/12"], True), (["2a00::/48"], False)],
)
def test_the_registry_is_open_when_its_ip_rules_cover_a_slash_8_of_public_space(ranges, open_):
    registry = {"network_rule_set": {"default_action": "Deny", "ip_rule": [{"action": "Allow", "ip_range": entry} for entry in ranges]}}
    assert registry_restricted(registry) is not open_


def test_public_addresses_count_overlaps_once_and_leave_out_reserved_space():
    import ipaddress

    networks = [ipaddress.ip_network(text) for text in ("8.0.0.0/8", "8.8.0.0/16", "10.0.0.0/8")]
    assert public_addresses(networks, 4) == 2**24
    assert public_addresses([ipaddress.ip_network("::/0")], 6) == 2**125 - 2**96  # 2000::/3 without 2001:db8::/32
    assert OPEN_THRESHOLD == {4: 2**24, 6: 2**96}


CLUSTER_WITHOUT_DEFENDER = {
    "global": {},
    "region-a": {
        "resource": {
            "azurerm_kubernetes_cluster": {
                "aks": {
                    "//": {"metadata": {"path": "region-a/cluster/aks"}},
                    "private_cluster_enabled": True,
                    "local_account_disabled": True,
                    "azure_policy_enabled": True,
                    "azure_active_directory_role_based_access_control": {"azure_rbac_enabled": True},
                    "network_profile": {"network_policy": "cilium"},
                    "default_node_pool": {"host_encryption_enabled": True},
                }
            }
        }
    },
}


@pytest.mark.parametrize(
    ("reason", "accepted"),
    [
        ("\u200b" * 12, False),  # twelve zero-width spaces
        ("ok" + "\u200d" * 20, False),
        ("\u00a0" * 5 + "short" + "\u2060" * 5, False),
        ("a" + "\u0301" * 15, False),  # combining accents on one letter
        ("ticket OPS-123", True),
    ],
    ids=["zero-width-spaces", "joiners", "no-break-and-word-joiner", "combining-marks", "a-reason"],
)
def test_an_acknowledgement_reason_counts_visible_characters_only(reason, accepted):
    problems = check_policy(CLUSTER_WITHOUT_DEFENDER, {"AKS-DEFENDER": Acknowledgement(reason=reason)})
    reason_problems = [message for path, message in problems if "visible characters" in message]
    assert (reason_problems == []) is accepted, problems
    assert all("\u200b" not in message for _, message in problems)  # echoed escaped


def test_visible_length():
    assert visible_length("\u200b" * 12) == 0
    assert visible_length("ticket OPS-123") == 13  # the space does not count
