"""The health gate after a region's deploy: both families' Traffic Manager endpoints, named by the
synthesized output, must be Online before the timeout.

`az` is a stand-in: $FAKE_AZ_STATUSES maps a profile name to the statuses its endpoint reports on
successive calls (the last one repeats; `!message` fails the call with that message), and every
call's arguments are logged to $FAKE_AZ_LOG."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from dualstack_aks.cli import main as cli_main
from dualstack_aks.deploy import health_gate
from dualstack_aks.model.names import GlobalNames
from dualstack_aks.output.reader import MonitoredEndpoint
from tests.conftest import stand_in

FAKE_AZ = f"""#!{sys.executable}
import json, os, sys
arguments = sys.argv[1:]
log = os.environ["FAKE_AZ_LOG"]
calls = [json.loads(line) for line in open(log)] if os.path.exists(log) else []
with open(log, "a") as file:
    file.write(json.dumps(arguments) + "\\n")
profile = arguments[arguments.index("--profile-name") + 1]
statuses = json.loads(os.environ["FAKE_AZ_STATUSES"])[profile]
status = statuses[min(len(statuses) - 1, sum(profile in call for call in calls))]
if status.startswith("!"):
    sys.exit(print(status[1:], file=sys.stderr) or 1)
print(status)
"""
PROFILES = GlobalNames.derive("dsaks").traffic_managers  # family -> profile name of the fixture config
FAST = ["--timeout", "0.3", "--interval", "0.05"]


@pytest.fixture(scope="module")
def outdir(synthesize, default_config) -> Path:
    return synthesize(default_config)[0]


@pytest.fixture
def az(tmp_path, monkeypatch):
    """Installs the stand-in; returns a function that sets each family's statuses and returns the logged calls."""
    log = stand_in(tmp_path, monkeypatch, "az", FAKE_AZ)

    def script(ipv4: list[str], ipv6: list[str], ipv6_profile: str = PROFILES["ipv6"]) -> Path:
        monkeypatch.setenv("FAKE_AZ_STATUSES", json.dumps({PROFILES["ipv4"]: ipv4, ipv6_profile: ipv6}))
        return log

    return script


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def gate(outdir: Path, *options: str, region: str = "eastus2") -> int:
    return cli_main(["health-gate", "--region", region, "--outdir", str(outdir), *options])


def test_both_families_online_pass_with_the_names_of_the_output(outdir, az, capsys):
    log = az(["Online"], ["Online"])
    assert gate(outdir, *FAST) == 0
    assert capsys.readouterr().out.splitlines() == ["health-gate eastus2: IPv4 Online, IPv6 Online", "health-gate eastus2: passed: IPv4 and IPv6 Online"]
    base = ["network", "traffic-manager", "endpoint", "show", "--resource-group", "rg-dsaks-global"]
    tail = ["--name", "eastus2", "--type", "externalEndpoints", "--query", "endpointMonitorStatus", "-o", "tsv"]
    assert calls(log) == [[*base, "--profile-name", PROFILES["ipv4"], *tail], [*base, "--profile-name", PROFILES["ipv6"], *tail]]


def test_the_names_come_from_the_synthesized_json(outdir, az, tmp_path):
    """A profile renamed in the output (not in the config) is the one asked about."""
    renamed = tmp_path / "cdktf.out"
    shutil.copytree(outdir, renamed)
    global_json = renamed / "stacks" / "global" / "cdk.tf.json"
    global_json.write_text(global_json.read_text().replace(f'"name": "{PROFILES["ipv6"]}"', '"name": "traf-renamed-ipv6"'))
    log = az(["Online"], ["Online"], ipv6_profile="traf-renamed-ipv6")
    assert gate(renamed, *FAST) == 0
    assert [call[call.index("--profile-name") + 1] for call in calls(log)] == [PROFILES["ipv4"], "traf-renamed-ipv6"]


def test_checking_endpoint_is_waited_on_until_online(outdir, az, capsys):
    log = az(["CheckingEndpoint", "CheckingEndpoint", "Online"], ["CheckingEndpoint", "Online"])
    assert gate(outdir, "--timeout", "60", "--interval", "0.01") == 0
    assert capsys.readouterr().out.splitlines()[:3] == [
        "health-gate eastus2: IPv4 CheckingEndpoint, IPv6 CheckingEndpoint",
        "health-gate eastus2: IPv4 CheckingEndpoint, IPv6 Online",
        "health-gate eastus2: IPv4 Online, IPv6 Online",
    ]
    assert len(calls(log)) == 6


@pytest.mark.parametrize("status", ["Degraded", "CheckingEndpoint", "Stopped"])
def test_a_family_not_online_by_the_timeout_fails_the_region_naming_it(outdir, az, capsys, status):
    az(["Online"], [status])
    assert gate(outdir, *FAST) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"health-gate: eastus2 failed after 0.3 s: IPv6 endpoint eastus2 of Traffic Manager profile {PROFILES['ipv6']} "
        f"(resource group rg-dsaks-global) is {status}; every family must be Online"
    ]


def test_degraded_then_recovered_before_the_timeout_passes(outdir, az):
    az(["Degraded", "Online"], ["Online"])
    assert gate(outdir, "--timeout", "60", "--interval", "0.01") == 0


class FakeClock:
    """Time that passes only when the gate sleeps, so the number of polls is exact."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        assert self.now < 1000.0 + 3600, "the gate kept waiting an hour past a 10-minute timeout"


def test_the_wait_is_bounded_by_the_timeout(monkeypatch):
    monkeypatch.setattr(health_gate, "time", FakeClock())
    endpoint = MonitoredEndpoint("IPv6", "rg-dsaks-global", PROFILES["ipv6"], "eastus2")
    polled: list[str] = []
    failing = health_gate.wait_until_online((endpoint,), timeout=600, interval=30, report=polled.append, status=lambda _: "Degraded")
    assert len(polled) == 21, "at 0, 30, ... 600 s, and no poll after the timeout"
    assert [(seen.endpoint, seen.status) for seen in failing] == [(endpoint, "Degraded")]
    assert health_gate.time.monotonic() == 1600.0


def test_a_failing_az_call_is_retried_then_named(outdir, az, capsys):
    az(["!ERROR: (AuthorizationFailed) no access"], ["Online"])
    assert gate(outdir, *FAST) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith("is az failed: ERROR: (AuthorizationFailed) no access; every family must be Online")


def test_without_az_the_gate_stops_at_once(outdir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert gate(outdir, "--timeout", "60") == 1
    assert capsys.readouterr().err.startswith("health-gate: az (the Azure CLI) could not run: ")


def test_a_region_missing_from_the_output_is_bad_input(outdir, az, capsys):
    az(["Online"], ["Online"])
    assert gate(outdir, region="uksouth") == 2
    assert capsys.readouterr().err == "health-gate: region 'uksouth' is not in the synthesized output (its regions: eastus2, westeurope)\n"


def test_without_a_synth_the_gate_says_so(tmp_path, capsys):
    assert gate(tmp_path / "missing") == 2
    assert "synthesize first" in capsys.readouterr().err
