"""tools/azurerm-schema/export_rules.py, which derives the rules files from the provider's Go source, run on a small
provider written here in the provider's own layout (a git repository with a tag, a service registration, a
resource schema and the generated .release/provider-schema.json): the rules it writes are the ones in the Go
source, each at its file and line, and the check reports a config that breaks them.

The committed rules files themselves were reproduced byte for byte by this script from the provider's tags
(docs/azurerm-schema.md); that needs the provider's repository, so it is not part of the offline suite."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dualstack_aks.azurerm_schema.check import Rules, check_stacks
from tests.conftest import REPO

EXPORT = REPO / "tools" / "azurerm-schema" / "export_rules.py"
RESOURCE_FILE = "internal/services/network/example_ip_resource.go"
REGISTRATION = """package network

import "github.com/hashicorp/terraform-provider-azurerm/internal/tf/pluginsdk"

type Registration struct{}

func (r Registration) SupportedResources() map[string]*pluginsdk.Resource {
	return map[string]*pluginsdk.Resource{
		"azurerm_example_ip": resourceExampleIp(),
	}
}
"""
RESOURCE = """package network

import (
	"time"

	"github.com/hashicorp/terraform-provider-azurerm/internal/tf/pluginsdk"
	"github.com/hashicorp/terraform-provider-azurerm/internal/tf/validation"
)

const versionFour = "IPv4"

func resourceExampleIp() *pluginsdk.Resource {
	return &pluginsdk.Resource{
		Timeouts: &pluginsdk.ResourceTimeout{
			Create: pluginsdk.DefaultTimeout(30 * time.Minute),
			Read:   pluginsdk.DefaultTimeout(5 * time.Minute),
			Delete: pluginsdk.DefaultTimeout(30 * time.Minute),
		},

		Schema: map[string]*pluginsdk.Schema{
			"name": {
				Type:         pluginsdk.TypeString,
				Required:     true,
				ValidateFunc: validation.StringIsNotEmpty,
			},

			"ip_version": {
				Type:         pluginsdk.TypeString,
				Optional:     true,
				ValidateFunc: validation.StringInSlice([]string{versionFour, "IPv6"}, false),
			},

			"idle_timeout_in_minutes": {
				Type:         pluginsdk.TypeInt,
				Optional:     true,
				ValidateFunc: validation.IntBetween(4, 30),
			},

			"records": {
				Type:          pluginsdk.TypeSet,
				Optional:      true,
				Elem:          &pluginsdk.Schema{Type: pluginsdk.TypeString},
				ConflictsWith: []string{"target_resource_id"},
			},

			"target_resource_id": {
				Type:          pluginsdk.TypeString,
				Optional:      true,
				ConflictsWith: []string{"records"},
			},

			"pool": {
				Type:     pluginsdk.TypeList,
				Optional: true,
				MaxItems: 1,
				Elem: &pluginsdk.Resource{
					Schema: map[string]*pluginsdk.Schema{
						"size": {
							Type:     pluginsdk.TypeInt,
							Required: true,
						},
					},
				},
			},

			"fqdn": {
				Type:     pluginsdk.TypeString,
				Computed: true,
			},
		},
	}
}
"""
RELEASE_SCHEMA = {
    "providerName": "azurerm",
    "schemaVersion": "1",
    "providerSchema": {
        "resources": {
            "azurerm_example_ip": {
                "schema": {
                    "name": {"type": "TypeString", "required": True},
                    "ip_version": {"type": "TypeString", "optional": True},
                    "idle_timeout_in_minutes": {"type": "TypeInt", "optional": True},
                    "records": {"type": "TypeSet", "optional": True, "elem": {"type": "TypeString"}},
                    "target_resource_id": {"type": "TypeString", "optional": True},
                    "pool": {"type": "TypeList", "optional": True, "maxItems": 1, "elem": {"schema": {"size": {"type": "TypeInt", "required": True}}}},
                    "fqdn": {"type": "TypeString", "computed": True},
                },
                "timeouts": {"create": 30, "read": 5, "delete": 30},
            }
        },
        "dataSources": {},
    },
}


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line holding `needle`."""
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, dict]:
    """The example provider committed and tagged v9.9.9, exported: (the rules folder, the export's log and file)."""
    source = tmp_path_factory.mktemp("terraform-provider-azurerm")
    files = {
        "internal/services/network/registration.go": REGISTRATION,
        RESOURCE_FILE: RESOURCE,
        ".release/provider-schema.json": json.dumps(RELEASE_SCHEMA),
    }
    for path, text in files.items():
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        (source / path).write_text(text)
    git = ["git", "-C", str(source), "-c", "user.name=test", "-c", "user.email=test@example.com"]
    for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "example provider"], ["tag", "v9.9.9"]):
        subprocess.run([*git, *command], check=True, capture_output=True)
    rules_dir = tmp_path_factory.mktemp("rules")
    result = subprocess.run(
        [sys.executable, str(EXPORT), "--git-dir", str(source / ".git"), "--tag", "v9.9.9", "--out-dir", str(rules_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with gzip.open(rules_dir / "rules-azurerm-9.9.9.json.gz", "rt") as stream:
        return rules_dir, {"log": result.stdout, "document": json.load(stream)}


def test_every_type_is_read_and_agrees_with_the_release_schema(exported):
    _, export = exported
    assert "1 resources + 0 data sources" in export["log"] and "0 rules not parsed" in export["log"]
    selftest = export["document"]["selftest"]
    assert (selftest["parsed"], selftest["not_parsed"], selftest["rules_not_parsed"]) == (1, [], 0)
    assert export["document"]["tag"] == "v9.9.9" and len(export["document"]["commit"]) == 40


def test_the_rules_are_the_go_sources_with_their_lines(exported):
    rules_dir, _ = exported
    schema = Rules(rules_dir / "rules-azurerm-9.9.9.json.gz").schema("resource", "azurerm_example_ip")
    assert schema is not None and schema.timeouts == {"create", "read", "delete"}
    attributes = schema.attributes
    assert sorted(attributes) == ["fqdn", "idle_timeout_in_minutes", "ip_version", "name", "pool", "records", "target_resource_id"]
    (in_slice,) = attributes["ip_version"].validators
    assert (in_slice.kind, in_slice.arguments) == ("StringInSlice", [["IPv4", "IPv6"], False]), "the constant is resolved"
    assert in_slice.source == f"{RESOURCE_FILE}:{line_of(RESOURCE, 'validation.StringInSlice')}"
    assert attributes["idle_timeout_in_minutes"].validators[0].arguments == [4, 30]
    assert attributes["records"].relations == {"ConflictsWith": ["target_resource_id"]}
    pool = attributes["pool"]
    assert pool.max_items == 1 and pool.block is not None and pool.block.attributes["size"].required
    assert pool.source_of("MaxItems") == f"{RESOURCE_FILE}:{line_of(RESOURCE, 'MaxItems: 1')}"
    assert not attributes["fqdn"].required and not attributes["fqdn"].optional, "computed only"


def test_the_check_reports_what_the_exported_rules_forbid(exported):
    rules_dir, _ = exported
    body = {
        "name": "ip",
        "ip_version": "IPv7",
        "idle_timeout_in_minutes": 60,
        "records": ["192.0.2.1"],
        "target_resource_id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/ip",
        "pool": [{"size": 1}, {"size": 2}],
        "fqdn": "ip.example.com",
        "zone": "1",
        "timeouts": {"update": "10m"},
    }
    stack = {"terraform": {"required_providers": {"azurerm": {"source": "azurerm", "version": "9.9.9"}}}, "resource": {"azurerm_example_ip": {"ip": body}}}
    violations = {violation.attribute: violation.rule for violation in check_stacks({"global": stack}, rules_dir=rules_dir).violations}
    assert violations == {
        "ip_version": "'IPv7' not one of ['IPv4', 'IPv6'] (case-sensitive) (validation.StringInSlice)",
        "idle_timeout_in_minutes": "60 not in [4, 30] (validation.IntBetween)",
        "records": "conflicts with target_resource_id (ConflictsWith)",
        "target_resource_id": "conflicts with records (ConflictsWith)",
        "pool": "2 items, at most 1 allowed (MaxItems)",
        "fqdn": "computed-only attribute cannot be set (Computed only)",
        "zone": "unknown attribute (not in the schema)",
        "timeouts.update": "unknown timeout (this type has ['create', 'delete', 'read'])",
    }
    clean = {"name": "ip", "ip_version": "IPv6", "idle_timeout_in_minutes": 4, "target_resource_id": "${azurerm_example_ip.other.id}", "pool": {"size": 1}}
    stack["resource"]["azurerm_example_ip"] = {"ip": clean, "other": {"name": "other"}}
    assert check_stacks({"global": stack}, rules_dir=rules_dir).violations == []
