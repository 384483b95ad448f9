"""What a synth produced, read back from cdktf.out: per region its stacks, their resource counts,
how each family reaches the backends (native, or which ingress translates), and the IPv4 and IPv6
entries (public IP resources and the DNS names that lead to them), listed only where they exist."""

from __future__ import annotations

from pathlib import Path

from dualstack_aks.contract import INGRESS_NGINX_CHART
from dualstack_aks.output.reader import RegionView, read_stacks, read_topology
from dualstack_aks.text import format_table

__all__ = ["format_summary", "read_stacks"]

FAMILIES = ("IPv4", "IPv6")
RECORD_TYPES = {"IPv4": "A", "IPv6": "AAAA"}
HEADER = ("region", "stacks (resources)", "ingress -> backends", "IPv4 entry", "IPv6 entry")
RETIRED = (
    "Note: ingress-nginx is retired (final chart 4.15.1, March 2026, no security fixes); switch with `ingress.controller: envoy-gateway` (README, Layouts)."
)


def _resource_count(document: dict) -> int:
    return sum(len(items) for items in document.get("resource", {}).values())


def entry_points(region: RegionView, family: str) -> list[str]:
    """The region's public IPs of one family (and the gateway each fronts), then the public and private names of that family."""
    records = [record for record in region.records if record.record_type == RECORD_TYPES[family]]
    fronted = {frontend.public_ip: gateway.name for gateway in region.application_gateways for frontend in gateway.frontends}
    lines = [
        f"{public_ip.name} -> {fronted[public_ip.name]}" if public_ip.name in fronted else public_ip.name
        for public_ip in region.public_ips
        if public_ip.family == family
    ]
    lines += [record.fqdn for record in records if not record.private]
    lines += [f"private {record.fqdn}" for record in records if record.private]
    return lines or ["-"]


def ingress_paths(region: RegionView) -> list[str]:
    """The backends' family, then per ingress release how each of its client families reaches them."""
    lines = [f"backends {' + '.join(region.backend_families) or '-'}"]
    for gateway in region.application_gateways:
        # The gateway's backends are IPv4 only: an IPv6 client is proxied at layer 7 (NAT64) before the ingress.
        hops = [f"{frontend.family} native" if frontend.family == "IPv4" else f"{frontend.family} NAT64 -> IPv4" for frontend in gateway.frontends]
        lines.append(f"{gateway.name} {gateway.sku} ({gateway.waf_mode}) -> {', '.join(gateway.backend_addresses)}: {', '.join(hops)}")
    for release in region.releases:
        hops = [f"{hop.family} {hop.translation} -> {hop.backend_family}" if hop.translation else f"{hop.family} native" for hop in region.hops(release)]
        internal_only = " (internal)" if release.internal_subnet and not release.public_ip_names else ""
        lines.append(f"{release.name}{internal_only}: {', '.join(hops)}")
    return lines


def summary_rows(stacks: dict[str, dict]) -> list[tuple[str, ...]]:
    """One block of rows per region (stacks and entries side by side), the global layer first."""
    topology = read_topology(stacks)
    counts = {name: _resource_count(document) for name, document in stacks.items()}
    names = topology.global_layer.names
    # Each family's global record leads to that family's own Traffic Manager profile.
    global_names = [
        [f"{record.fqdn} -> {', '.join(record.targets)}" for record in names if record.record_type == RECORD_TYPES[family]] or ["-"] for family in FAMILIES
    ]
    blocks = [("global", topology.global_layer.stacks, [[""], *global_names])] if topology.global_layer.stacks else []
    blocks += [(region.name, region.stacks, [ingress_paths(region), *(entry_points(region, family) for family in FAMILIES)]) for region in topology.regions]
    rows = []
    for label, stack_names, doors in blocks:
        columns = [[label], [f"{name} ({counts[name]})" for name in stack_names], *doors]
        height = max(len(column) for column in columns)
        rows += [tuple(column[line] if line < len(column) else "" for column in columns) for line in range(height)]
    return rows


def format_summary(outdir: str | Path) -> str:
    stacks = read_stacks(outdir)
    rows = [HEADER, *summary_rows(stacks)]
    table = format_table(rows, indent="  ")
    retired = any(
        release.get("chart") == INGRESS_NGINX_CHART for document in stacks.values() for release in document.get("resource", {}).get("helm_release", {}).values()
    )
    return "\n".join([f"Synthesized {len(stacks)} stacks into {outdir}/", "", *table, *(["", RETIRED] if retired else [])])
