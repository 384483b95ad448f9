"""config/schema.json is generated from the models, docs/configuration.md from the schema; both
are kept current, and the schema accepts every shipped config and names each one's editors."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from dualstack_aks.model.reference import DOCS, SCHEMA, config_schema, reference_rows, render_reference, render_schema
from tests.conftest import REPO, SHIPPED_CONFIGS, config_id

EDITOR_SCHEMA_LINE = re.compile(r"# yaml-language-server: \$schema=(\S+)\n")


def _data(path) -> object:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def test_schema_is_current():
    assert SCHEMA.read_text(encoding="utf-8") == render_schema(), "config/schema.json is stale: run `make docs`"


def test_reference_is_current():
    assert DOCS.read_text(encoding="utf-8") == render_reference(), "docs/configuration.md is stale: run `make docs`"


def test_readme_points_at_the_reference():
    assert "[docs/configuration.md](docs/configuration.md)" in (REPO / "README.md").read_text(encoding="utf-8")


def test_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(config_schema())


@pytest.mark.parametrize("path", SHIPPED_CONFIGS, ids=config_id)
def test_schema_accepts_the_shipped_config(path):
    assert [error.message for error in Draft202012Validator(config_schema()).iter_errors(_data(path))] == []


@pytest.mark.parametrize("path", SHIPPED_CONFIGS, ids=config_id)
def test_shipped_config_names_the_schema_for_editors(path):
    first_line = EDITOR_SCHEMA_LINE.match(path.read_text(encoding="utf-8"))
    assert first_line is not None, f"{path.name} should start with `# yaml-language-server: $schema=<path>`"
    assert (path.parent / first_line.group(1)).resolve() == SCHEMA


def test_schema_rejects_a_misspelled_key():
    data = _data(SHIPPED_CONFIGS[0])
    data["regions"][0]["indx"] = 3
    messages = [error.message for error in Draft202012Validator(config_schema()).iter_errors(data)]
    assert messages == ["Additional properties are not allowed ('indx' was unexpected)"]


def test_schema_rejects_an_unknown_region_so_editors_can_complete_them():
    data = _data(SHIPPED_CONFIGS[0])
    data["regions"][0]["name"] = "east-us"
    assert [error.validator for error in Draft202012Validator(config_schema()).iter_errors(data)] == ["enum"]


def test_every_field_has_a_description():
    assert [key for key, _, _, description in reference_rows() if not description.strip()] == []


def test_nested_and_list_fields_are_expanded_with_their_own_defaults():
    rows = {key: (kind, default) for key, kind, default, _ in reference_rows()}
    assert rows["regions"] == ("list of mappings, at least 1 item", "required")
    assert rows["regions[].index"] == ("integer, 0 to 255", "required")
    assert rows["regions[].network.vnet"] == ("mapping or null", "not set")
    assert rows["regions[].network.vnet.ipv6"] == ("IPv6 CIDR", "required")
    # The system pool's default instance differs from NodePool's field defaults.
    assert rows["cluster.system_pool.max_count"] == ("integer, 1 to 1000", "`5`")
    assert rows["cluster.user_pool.max_count"] == ("integer, 1 to 1000", "`6`")
    assert rows["cluster.zones"] == ('list of `"1"` or `"2"` or `"3"`, at least 1 item', '`["1", "2", "3"]`')
    assert rows["dns.private_zone"] == ("DNS name or null", "not set")
    assert rows["backend.storage_account_name"] == ("string or null, matching `^[a-z0-9]{3,24}$`", "not set")
    assert rows["tags"] == ("mapping of string to string", "`{}`")
