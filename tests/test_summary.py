"""The table `python main.py` prints after synth: per region its stacks with resource counts, and
its IPv4 and IPv6 entries (public IP resource, public name, private name) under their family."""

from __future__ import annotations

from dualstack_aks.model.deployment import private_zone
from dualstack_aks.model.loading import load_config
from dualstack_aks.output.summary import RETIRED, format_summary
from tests.conftest import EXAMPLES, resources


def _resource_count(stack: dict) -> int:
    return sum(len(items) for items in stack["resource"].values())


def test_summary_table_puts_each_entry_points_under_its_family(synthesize, default_config):
    outdir, stacks = synthesize(default_config)
    lines = format_summary(outdir).splitlines()
    assert lines[0] == f"Synthesized {len(stacks)} stacks into {outdir}/"
    header = lines[2]
    columns = {family: header.index(f"{family} entry") for family in ("IPv4", "IPv6")}
    stacks_column = header.index("stacks (resources)")

    global_row = next(line for line in lines if line.startswith("  global "))
    assert global_row[stacks_column:].startswith(f"global ({_resource_count(stacks['global'])})")
    for column in columns.values():
        assert global_row[column:].startswith(f"{default_config.dns.global_record}.{default_config.dns.zone} -> ")

    for region in default_config.regions:
        start = next(position for position, line in enumerate(lines) if line.startswith(f"  {region.name} "))
        pip_row, public_row, private_row = lines[start : start + 3]
        assert pip_row[stacks_column:].startswith(f"region-{region.name} ({_resource_count(stacks[f'region-{region.name}'])})")
        assert public_row[stacks_column:].startswith(f"ingress-{region.name} ({_resource_count(stacks[f'ingress-{region.name}'])})")
        for public_ip in resources(stacks[f"region-{region.name}"], "azurerm_public_ip"):
            column = columns[public_ip["ip_version"]]
            assert pip_row[column:].split()[0] == public_ip["name"]
            assert public_row[column:].split()[0] == f"{region.name}.{default_config.dns.zone}"
            assert private_row[column:].split()[:2] == ["private", f"{region.name}.{private_zone(default_config)}"]


def test_summary_says_once_that_ingress_nginx_is_retired_and_how_to_switch(synthesize, default_config):
    outdir, _ = synthesize(default_config)
    lines = format_summary(outdir).splitlines()
    assert lines.count(RETIRED) == 1 and lines[-1] == RETIRED
    assert "ingress.controller: envoy-gateway" in RETIRED
    envoy_outdir, _ = synthesize(load_config(EXAMPLES / "envoy-gateway.yaml"))
    assert "retired" not in format_summary(envoy_outdir)
