"""The health probe: the contract between the global layer and every region's public entry.

Traffic Manager probes each family's public address of each region on its own (one profile per
family). Every edge layout promises to answer this probe with a 2xx status: when no endpoint of a
profile answers, Traffic Manager hands out all of them (it fails open), so a probe nobody answers
turns regional failover off without an error anywhere.

By default the probe carries a reserved host that no application serves, and the proxy answers it
itself: ingress-nginx from its catch-all server at its health path, Envoy Gateway from a direct
response route on each public Gateway. Online then proves the family's load balancer, the node's
health check (`externalTrafficPolicy: Local`) and the proxy. A user who names their own host moves
the answer to their application, and Online then proves the whole path through the proxy (the
NAT64/NAT46 translation included) to a backend.
"""

from __future__ import annotations

from dataclasses import dataclass

# .invalid is reserved (RFC 2606): no Ingress or route can ever serve it by accident.
PROXY_PROBE_HOST = "traffic-manager-probe.invalid"
# ingress-nginx answers its health path only on the catch-all server: --health-check-path, default /healthz
# (kubernetes/ingress-nginx controller-v1.15.1 pkg/flags/flags.go:122, rootfs/etc/nginx/template/nginx.tmpl:1455-1465).
INGRESS_NGINX_HEALTH_PATH = "/healthz"
# Traffic Manager counts 200-299 as healthy unless told otherwise (azurerm traffic_manager_profile: expected_status_code_ranges).
HEALTHY_STATUS = 200


@dataclass(frozen=True)
class HealthProbe:
    """What Traffic Manager sends to every public entry: HTTP on port 80, this path, this Host header."""

    path: str
    host: str = PROXY_PROBE_HOST
    protocol: str = "HTTP"
    port: int = 80

    @property
    def answered_by_proxy(self) -> bool:
        """True: the proxy answers the probe itself; False: the user's application does, through the proxy."""
        return self.host == PROXY_PROBE_HOST
