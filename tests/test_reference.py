"""The README's configuration reference is generated from the models and kept current."""

from __future__ import annotations

import pytest

from dualstack_aks.model.reference import (
    END,
    README,
    START,
    reference_rows,
    render_reference,
    with_reference,
)


def test_readme_reference_is_current():
    readme = README.read_text(encoding="utf-8")
    assert with_reference(readme, render_reference()) == readme, "README.md's configuration reference is stale: run `make docs`"


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


def test_rewrite_touches_only_the_marked_section():
    readme = f"# title\n\nbefore\n{START}\nold reference\n{END}\n\nafter {START[:4]}\n"
    assert with_reference(readme, "new") == f"# title\n\nbefore\n{START}\nnew\n{END}\n\nafter {START[:4]}\n"


def test_rewrite_refuses_a_readme_without_markers():
    with pytest.raises(ValueError, match="config-reference"):
        with_reference("# no markers\n", "new")
