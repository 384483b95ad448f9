"""The health gate after a region's deploy: every Traffic Manager endpoint of the region, one per
public family, must report `endpointMonitorStatus` Online before the deploy goes on.

The profile, resource group and endpoint names come from the synthesized output (output/reader.py);
each status comes from `az network traffic-manager endpoint show`. Any other status (CheckingEndpoint
while the first probes run, Degraded, Inactive, Stopped, Disabled) or a failed `az` call is waited on,
polling every `interval` seconds, until `timeout`; then the gate fails naming each family and its status.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from dualstack_aks.output.reader import MonitoredEndpoint

ONLINE = "Online"


class HealthGateError(Exception):
    """The gate cannot ask Azure at all (no `az`): waiting would not help."""


@dataclass(frozen=True)
class Observation:
    endpoint: MonitoredEndpoint
    status: str  # endpointMonitorStatus, or what `az` said when it failed


def endpoint_status(endpoint: MonitoredEndpoint) -> str:
    """The endpoint's monitor status as Traffic Manager reports it, or `az failed: <its first line>`."""
    command = [
        "az", "network", "traffic-manager", "endpoint", "show",
        "--resource-group", endpoint.resource_group,
        "--profile-name", endpoint.profile,
        "--name", endpoint.name,
        "--type", "externalEndpoints",
        "--query", "endpointMonitorStatus",
        "-o", "tsv",
    ]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        raise HealthGateError(f"az (the Azure CLI) could not run: {error}") from error
    if result.returncode != 0:
        return f"az failed: {(result.stderr.strip().splitlines() or ['no message'])[0]}"
    return result.stdout.strip() or "no status"


def wait_until_online(
    endpoints: tuple[MonitoredEndpoint, ...],
    timeout: float,
    interval: float,
    report: Callable[[str], None],
    status: Callable[[MonitoredEndpoint], str] = endpoint_status,
) -> list[Observation]:
    """Poll until every endpoint is Online (returns []) or `timeout` seconds passed (returns the last
    observations that were not Online); `report` gets one line per poll."""
    deadline = time.monotonic() + timeout
    while True:
        observations = [Observation(endpoint, status(endpoint)) for endpoint in endpoints]
        report(", ".join(f"{seen.endpoint.family} {seen.status}" for seen in observations))
        failing = [seen for seen in observations if seen.status != ONLINE]
        if not failing or time.monotonic() + interval > deadline:
            return failing
        time.sleep(interval)


def describe(seen: Observation) -> str:
    endpoint = seen.endpoint
    return (
        f"{endpoint.family} endpoint {endpoint.name} of Traffic Manager profile {endpoint.profile} (resource group {endpoint.resource_group}) is {seen.status}"
    )
