"""The one-time state backend stack: names from the config's `backend` section, nothing that could
lose state (versions, soft delete, geo-redundancy, delete lock), and Entra ID access only."""

from __future__ import annotations

import json

import pytest

from dualstack_aks.cli import main as cli_main
from dualstack_aks.deploy.bootstrap_state import STATE_STACK, build_state_app
from dualstack_aks.model.deployment import home_region
from dualstack_aks.model.loading import load_config
from dualstack_aks.stacks.state_stack import STATE_DATA_ROLE, STATE_RETENTION_DAYS
from tests.conftest import REPO, only

REMOTE_STATE_CONFIG = REPO / "config" / "examples" / "three-regions-remote-state.yaml"


@pytest.fixture(scope="module")
def config():
    return load_config(REMOTE_STATE_CONFIG)


@pytest.fixture(scope="module")
def stack(config, tmp_path_factory) -> dict:
    outdir = tmp_path_factory.mktemp("synth") / "cdktf.state.out"
    build_state_app(config, str(outdir)).synth()
    return json.loads((outdir / "stacks" / STATE_STACK / "cdk.tf.json").read_text())


def test_names_come_from_the_backend_section(stack, config):
    backend = config.backend
    assert only(stack, "azurerm_resource_group")["name"] == backend.resource_group_name
    assert only(stack, "azurerm_resource_group")["location"] == home_region(config)
    assert only(stack, "azurerm_storage_account")["name"] == backend.storage_account_name
    assert only(stack, "azurerm_storage_container")["name"] == backend.container_name


def test_old_and_deleted_state_stays_restorable(stack):
    blob = only(stack, "azurerm_storage_account")["blob_properties"]
    assert blob["versioning_enabled"] is True
    assert blob["delete_retention_policy"] == {"days": STATE_RETENTION_DAYS}
    assert blob["container_delete_retention_policy"] == {"days": STATE_RETENTION_DAYS}


def test_state_survives_a_region_and_a_careless_destroy(stack):
    account = only(stack, "azurerm_storage_account")
    assert account["account_replication_type"] == "GRS"
    assert account["lifecycle"] == {"prevent_destroy": True}
    assert only(stack, "azurerm_storage_container")["lifecycle"] == {"prevent_destroy": True}
    lock = only(stack, "azurerm_management_lock")
    assert (lock["lock_level"], lock["scope"]) == ("CanNotDelete", "${azurerm_storage_account.storage_account.id}")


def test_only_entra_id_over_tls_1_2_and_nothing_public(stack):
    account = only(stack, "azurerm_storage_account")
    assert account["shared_access_key_enabled"] is False
    assert account["min_tls_version"] == "TLS1_2"
    assert account["https_traffic_only_enabled"] is True
    assert account["allow_nested_items_to_be_public"] is False
    assert account["default_to_oauth_authentication"] is True
    assert only(stack, "azurerm_storage_container")["container_access_type"] == "private"
    role = only(stack, "azurerm_role_assignment")
    assert role["role_definition_name"] == STATE_DATA_ROLE


def test_terraform_needs_no_shared_key_to_manage_it(stack):
    (provider,) = stack["provider"]["azurerm"]
    assert provider["storage_use_azuread"] is True
    assert provider["features"] == [{"storage": [{"data_plane_available": False}]}]
    # Created through Resource Manager, by account id rather than by name over the data plane.
    container = only(stack, "azurerm_storage_container")
    assert container["storage_account_id"] == "${azurerm_storage_account.storage_account.id}"
    assert "storage_account_name" not in container


def test_its_own_state_is_a_local_file_outside_the_outdir(stack):
    assert stack["terraform"]["backend"] == {"local": {"path": f"../../../terraform-state/{STATE_STACK}.tfstate"}}


def test_a_local_backend_config_is_refused_in_one_line(capsys):
    assert cli_main(["bootstrap-state", "--config", str(REPO / "config" / "default.yaml")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{REPO / 'config' / 'default.yaml'}: backend.type is local; set backend.type: azurerm, "
        "backend.resource_group_name and backend.storage_account_name first"
    ]
