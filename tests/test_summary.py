"""The table `python main.py` prints after synth: per region its stacks with resource counts, and
its IPv4 and IPv6 entries (public IP resource, public name, private name) under their family."""

from __future__ import annotations

from dualstack_aks.model.deployment import private_zone
from dualstack_aks.model.loading import load_config
from dualstack_aks.output.summary import RETIRED, format_summary
from tests.conftest import EXAMPLES, config_with, resources


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


def _region_block(lines: list[str], region: str) -> list[str]:
    start = next(position for position, line in enumerate(lines) if line.startswith(f"  {region} "))
    end = next((position for position in range(start + 1, len(lines)) if not lines[position].startswith("   ")), len(lines))
    return lines[start:end]


def _column(lines: list[str], header: str, title: str) -> list[str]:
    start = header.index(title)
    return [line[start:].split("  ")[0].strip() for line in lines if line[start:].strip()]


def test_summary_says_which_family_the_backends_use_and_which_ingress_translates(synthesize, default_config):
    for primary, translating, backends in (
        ("ipv4", "ingress-nginx-ipv6: IPv6 NAT64 -> IPv4", "IPv4"),
        ("ipv6", "ingress-nginx-ipv4: IPv4 NAT46 -> IPv6", "IPv6"),
    ):
        outdir, _ = synthesize(config_with(default_config, primary_family=primary))
        lines = format_summary(outdir).splitlines()
        block = _region_block(lines, default_config.regions[0].name)
        paths = _column(block, lines[2], "ingress -> backends")
        native = f"ingress-nginx-{primary}: {'IPv4' if primary == 'ipv4' else 'IPv6'} native"
        assert paths == [f"backends {backends}", *sorted([native, translating])]


def test_summary_lists_an_entry_only_where_its_records_exist(synthesize, default_config):
    outdir, _ = synthesize(config_with(default_config, ingress={"translating_ingress": False}))
    lines = format_summary(outdir).splitlines()
    global_row = next(line for line in lines if line.startswith("  global "))
    assert global_row[lines[2].index("IPv6 entry") :].strip() == "-"
    for region in default_config.regions:
        assert _column(_region_block(lines, region.name), lines[2], "IPv6 entry") == ["-"]


def test_summary_says_once_that_ingress_nginx_is_retired_and_how_to_switch(synthesize, default_config):
    outdir, _ = synthesize(default_config)
    lines = format_summary(outdir).splitlines()
    assert lines.count(RETIRED) == 1 and lines[-1] == RETIRED
    assert "ingress.controller: envoy-gateway" in RETIRED
    envoy_outdir, _ = synthesize(load_config(EXAMPLES / "envoy-gateway.yaml"))
    assert "retired" not in format_summary(envoy_outdir)
