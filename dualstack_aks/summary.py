"""What a synth produced, read back from cdktf.out: stacks, resource counts, front doors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class StackSummary:
    name: str
    resources: int
    data_sources: int
    depends_on: list[str]


@dataclass
class FrontDoor:
    family: str
    public_ip: str
    dns_names: list[str] = field(default_factory=list)


def read_stacks(outdir: str | Path) -> dict[str, dict]:
    """Stack name -> its synthesized Terraform JSON, in manifest order."""
    outdir = Path(outdir)
    manifest = json.loads((outdir / "manifest.json").read_text())
    return {name: json.loads((outdir / stack["synthesizedStackPath"]).read_text()) for name, stack in manifest["stacks"].items()}


def _count(blocks: dict) -> int:
    return sum(len(items) for items in blocks.values())


def stack_summaries(outdir: str | Path) -> list[StackSummary]:
    manifest = json.loads((Path(outdir) / "manifest.json").read_text())
    summaries = []
    for name, document in read_stacks(outdir).items():
        summaries.append(
            StackSummary(
                name=name,
                resources=_count(document.get("resource", {})),
                data_sources=_count(document.get("data", {})),
                depends_on=manifest["stacks"][name].get("dependencies", []),
            )
        )
    return summaries


def front_doors(document: dict) -> list[FrontDoor]:
    """The public IPs of one region stack, with the public and private names aliasing them."""
    resources = document.get("resource", {})
    doors = {}
    for address, public_ip in sorted(resources.get("azurerm_public_ip", {}).items()):
        family = public_ip.get("ip_version", "IPv4").lower()
        doors[family] = FrontDoor(family=family, public_ip=public_ip["name"])
    for record_type, family in (("azurerm_dns_a_record", "ipv4"), ("azurerm_dns_aaaa_record", "ipv6"), ("azurerm_private_dns_a_record", "ipv4"), ("azurerm_private_dns_aaaa_record", "ipv6")):
        for record in resources.get(record_type, {}).values():
            if family in doors:
                doors[family].dns_names.append(f"{record['name']}.{record['zone_name']}")
    return [doors[family] for family in sorted(doors)]


def format_summary(outdir: str | Path) -> str:
    stacks = stack_summaries(outdir)
    documents = read_stacks(outdir)
    lines = [f"Synthesized {len(stacks)} stacks into {outdir}/", ""]
    width = max(len(stack.name) for stack in stacks)
    lines.append(f"  {'stack'.ljust(width)}  resources  data  after")
    for stack in stacks:
        lines.append(f"  {stack.name.ljust(width)}  {stack.resources:9d}  {stack.data_sources:4d}  {', '.join(stack.depends_on) or '-'}")
    doors = [(name, front_doors(document)) for name, document in documents.items()]
    doors = [(name, found) for name, found in doors if found]
    if doors:
        lines += ["", "  Front doors (public IP resource -> DNS names):"]
        for name, found in doors:
            for door in found:
                lines.append(f"    {name}  {door.family}  {door.public_ip} -> {', '.join(door.dns_names)}")
    return "\n".join(lines)
