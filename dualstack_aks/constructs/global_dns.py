"""Global DNS: the public zone, the private zone, and one global name spread over regions.

Health is judged per family: one Traffic Manager profile per family, whose endpoints (added by
the region stacks) are that family's public IP addresses, so a region whose IPv6 entry is down
still answers IPv4 clients, and the other way round. The global name has an A alias record to
the IPv4 profile and an AAAA alias record to the IPv6 one. Azure DNS allows an A/AAAA alias to a
profile only when all its endpoints are external IPv4/IPv6 addresses (azure-docs
articles/dns/dns-alias.md, "Capabilities"), which is what the region stacks add.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from dualstack_aks.engine.azurerm import (
    DnsAaaaRecord,
    DnsARecord,
    DnsZone,
    PrivateDnsZone,
    TrafficManagerProfile,
    TrafficManagerProfileDnsConfig,
    TrafficManagerProfileMonitorConfig,
    TrafficManagerProfileMonitorConfigCustomHeader,
)
from dualstack_aks.model.health_probe import HealthProbe

# family -> alias record class of the global name
_GLOBAL_RECORDS = {"ipv4": DnsARecord, "ipv6": DnsAaaaRecord}


@dataclass(frozen=True)
class GlobalDnsProps:
    zone: str
    private_zone: str
    global_record: str
    ttl: int
    families: tuple[str, ...]  # each gets a profile and a global record
    health_probe: HealthProbe  # every region's public entry of each family answers it (model/health_probe.py)
    traffic_manager_names: dict[str, str]  # family -> profile name
    traffic_manager_dns_names: dict[str, str]  # family -> label under trafficmanager.net
    resource_group_name: str
    tags: dict[str, str]


class GlobalDns(Construct):
    """Exposes the zone names and `traffic_manager_ids` (family -> profile id) the regional edges attach to."""

    def __init__(self, scope: Construct, id_: str, props: GlobalDnsProps):
        super().__init__(scope, id_)
        self.dns_zone = DnsZone(self, "dns_zone", name=props.zone, resource_group_name=props.resource_group_name, tags=props.tags)
        self.private_dns_zone = PrivateDnsZone(
            self, "private_dns_zone", name=props.private_zone, resource_group_name=props.resource_group_name, tags=props.tags
        )
        # Each attribute read is a jsii round trip: read a reference once and reuse its token.
        zone_name = self.dns_zone.name
        self.traffic_manager_ids: dict[str, str] = {}
        for family in props.families:
            profile_id = TrafficManagerProfile(
                self,
                f"traffic_manager_{family}",
                name=props.traffic_manager_names[family],
                resource_group_name=props.resource_group_name,
                traffic_routing_method="Performance",
                dns_config=TrafficManagerProfileDnsConfig(relative_name=props.traffic_manager_dns_names[family], ttl=60),
                monitor_config=TrafficManagerProfileMonitorConfig(
                    protocol=props.health_probe.protocol,
                    port=props.health_probe.port,
                    path=props.health_probe.path,
                    custom_header=[TrafficManagerProfileMonitorConfigCustomHeader(name="host", value=props.health_probe.host)],
                    interval_in_seconds=30,
                    timeout_in_seconds=10,
                    tolerated_number_of_failures=3,
                ),
                tags=props.tags,
            ).id
            _GLOBAL_RECORDS[family](
                self,
                f"global_record_{family}",
                name=props.global_record,
                zone_name=zone_name,
                resource_group_name=props.resource_group_name,
                ttl=props.ttl,
                target_resource_id=profile_id,
                tags=props.tags,
            )
            self.traffic_manager_ids[family] = profile_id
        self.zone_name = props.zone
        self.private_zone_name = props.private_zone
