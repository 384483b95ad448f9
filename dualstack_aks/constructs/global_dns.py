"""Global DNS: the public zone, the private zone, and one global name spread over regions.

The global name is an alias (CNAME) to a Traffic Manager profile whose endpoints are the
regional names; each regional name has an A and an AAAA alias record, so a client of either
family gets an answer from the region Traffic Manager picks for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from dualstack_aks.engine.azurerm import (
    DnsCnameRecord,
    DnsZone,
    PrivateDnsZone,
    TrafficManagerProfile,
    TrafficManagerProfileDnsConfig,
    TrafficManagerProfileMonitorConfig,
    TrafficManagerProfileMonitorConfigCustomHeader,
)

HEALTH_PROBE_HOST = "traffic-manager-probe.invalid"


@dataclass(frozen=True)
class GlobalDnsProps:
    zone: str
    private_zone: str
    global_record: str
    ttl: int
    traffic_manager_name: str
    traffic_manager_dns_name: str
    resource_group_name: str
    tags: dict[str, str]


class GlobalDns(Construct):
    """Exposes the zone names and the Traffic Manager profile id the regional edges attach to."""

    def __init__(self, scope: Construct, id_: str, props: GlobalDnsProps):
        super().__init__(scope, id_)
        self.dns_zone = DnsZone(self, "dns_zone", name=props.zone, resource_group_name=props.resource_group_name, tags=props.tags)
        self.private_dns_zone = PrivateDnsZone(
            self, "private_dns_zone", name=props.private_zone, resource_group_name=props.resource_group_name, tags=props.tags
        )
        self.traffic_manager = TrafficManagerProfile(
            self,
            "traffic_manager",
            name=props.traffic_manager_name,
            resource_group_name=props.resource_group_name,
            traffic_routing_method="Performance",
            dns_config=TrafficManagerProfileDnsConfig(relative_name=props.traffic_manager_dns_name, ttl=60),
            # ingress-nginx answers /healthz with 200 on its catch-all server only, so the probe
            # sends a Host that no Ingress can serve (.invalid is reserved, RFC 2606).
            monitor_config=TrafficManagerProfileMonitorConfig(
                protocol="HTTP",
                port=80,
                path="/healthz",
                custom_header=[TrafficManagerProfileMonitorConfigCustomHeader(name="host", value=HEALTH_PROBE_HOST)],
                interval_in_seconds=30,
                timeout_in_seconds=10,
                tolerated_number_of_failures=3,
            ),
            tags=props.tags,
        )
        self.global_record = DnsCnameRecord(
            self,
            "global_record",
            name=props.global_record,
            zone_name=self.dns_zone.name,
            resource_group_name=props.resource_group_name,
            ttl=props.ttl,
            target_resource_id=self.traffic_manager.id,
            tags=props.tags,
        )
        self.zone_name = props.zone
        self.private_zone_name = props.private_zone
        self.traffic_manager_id = self.traffic_manager.id
