"""The pull request's diff and summary: stacks in dependency order, changes counted from
`terraform show -json`, and a failed plan told apart from one waiting for its dependency.

`cdktf` and `terraform` are stand-ins here: cdktf fails for the stacks it is told to, and
terraform prints the plan JSON placed in the stack's working directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dualstack_aks.cli import main as cli_main
from dualstack_aks.deploy.diff import (
    BLOCKED,
    FAILED,
    PLANNED,
    count_changes,
    first_error,
    format_summary,
    read_diff_summary,
    read_stacks_in_order,
)

# stack -> dependencies, in the manifest's (alphabetical) order, as cdktf writes it.
STACKS = {"global": [], "ingress-eastus2": ["region-eastus2"], "region-eastus2": ["global"]}


def resource_change(address: str, *actions: str, mode: str = "managed") -> dict:
    return {"address": address, "mode": mode, "change": {"actions": list(actions)}}


TERRAFORM_ERROR = "Error: Kubernetes cluster unreachable: dial tcp: lookup aks-eastus2.hcp.eastus2.azmk8s.io: no such host"
NO_CHANGES = {"resource_changes": [resource_change("azurerm_resource_group.global", "no-op")]}
CREATES_A_CLUSTER = {
    "resource_changes": [
        resource_change("azurerm_kubernetes_cluster.cluster", "create"),
        resource_change("azurerm_public_ip.ipv6", "create"),
        resource_change("data.azurerm_client_config.client_config", "read", mode="data"),
    ]
}


def fake_outdir(directory: Path, plans: dict[str, dict], failing: set[str]) -> tuple[Path, str]:
    """A synthesized outdir with a plan per stack, and a cdktf that fails to diff `failing`."""
    outdir = directory / "cdktf.out"
    manifest = {"stacks": {}}
    for name, dependencies in STACKS.items():
        working_directory = outdir / "stacks" / name
        working_directory.mkdir(parents=True)
        (working_directory / "cdk.tf.json").write_text(json.dumps({"resource": {"azurerm_resource_group": {name: {}}}}))
        (working_directory / "plan").write_text(json.dumps(plans.get(name, NO_CHANGES)))
        manifest["stacks"][name] = {"dependencies": dependencies, "synthesizedStackPath": f"stacks/{name}/cdk.tf.json", "workingDirectory": f"stacks/{name}"}
    (outdir / "manifest.json").write_text(json.dumps(manifest))
    bin_dir = directory / "bin"
    bin_dir.mkdir()
    cdktf = bin_dir / "cdktf"
    # Like cdktf, the failing plan prints Terraform's diagnostic behind the stack name and a box border.
    cdktf.write_text(
        '#!/bin/sh\necho "$2  Planning"\n'
        f'case " {" ".join(sorted(failing))} " in *" $2 "*) echo "$2  ╷"; echo "$2  │ {TERRAFORM_ERROR}"; echo "$2  │ more detail"; exit 1;; esac\n'
        "exit 0\n"
    )
    terraform = bin_dir / "terraform"
    terraform.write_text('#!/bin/sh\ncat "$3"\n')
    for tool in (cdktf, terraform):
        tool.chmod(0o755)
    return outdir, str(bin_dir)


@pytest.fixture
def on_path(monkeypatch):
    """Puts the stand-ins first on PATH, where `main` finds terraform."""

    def put(bin_dir: str) -> None:
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    return put


def test_counts_each_resource_once_and_names_what_a_deploy_deletes():
    plan = {
        "resource_changes": [
            resource_change("azurerm_resource_group.a", "create"),
            resource_change("azurerm_subnet.b", "update"),
            resource_change("azurerm_kubernetes_cluster.c", "delete", "create"),
            resource_change("azurerm_public_ip.d", "create", "delete"),
            resource_change("azurerm_dns_a_record.e", "delete"),
            resource_change("azurerm_virtual_network.f", "no-op"),
            resource_change("data.azurerm_client_config.g", "read", mode="data"),
        ]
    }
    changes = count_changes(plan)
    assert (changes.add, changes.change, changes.replace, changes.remove) == (1, 1, 2, 1)
    assert changes.destructive == ["azurerm_kubernetes_cluster.c", "azurerm_public_ip.d", "azurerm_dns_a_record.e"]


def test_stacks_come_in_dependency_order_not_manifest_order(tmp_path):
    outdir, _ = fake_outdir(tmp_path, {}, set())
    assert [stack.name for stack in read_stacks_in_order(outdir)] == ["global", "region-eastus2", "ingress-eastus2"]


def test_a_plan_that_needs_an_undeployed_cluster_is_not_planned_and_fails_the_run(tmp_path, on_path, capsys):
    outdir, bin_dir = fake_outdir(tmp_path, {"region-eastus2": CREATES_A_CLUSTER}, failing={"ingress-eastus2"})
    on_path(bin_dir)
    assert cli_main(["diff", "--outdir", str(outdir), "--cdktf", f"{bin_dir}/cdktf"]) == 1
    diffs = read_diff_summary(outdir)
    assert [(diff.stack, diff.status) for diff in diffs] == [("global", PLANNED), ("region-eastus2", PLANNED), ("ingress-eastus2", BLOCKED)]
    assert diffs[1].changes.add == 2
    failure = f"ingress-eastus2 not planned: blocked by region-eastus2 (changes to deploy first): {TERRAFORM_ERROR}"
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"diff: {failure}"]
    assert f"ingress-eastus2  │ {TERRAFORM_ERROR}" in captured.out, "cdktf's own output still streams to the console"
    summary = format_summary(outdir)
    assert "| `ingress-eastus2` | – | – | – | – | **not planned**: blocked by region-eastus2 (changes to deploy first) | `region-eastus2` |" in summary
    assert f"- `{failure}`" in summary


def test_a_plan_failing_on_its_own_fails_the_run_and_the_summary_says_so(tmp_path, on_path, capsys):
    outdir, bin_dir = fake_outdir(tmp_path, {}, failing={"ingress-eastus2"})
    on_path(bin_dir)
    assert cli_main(["diff", "--outdir", str(outdir), "--cdktf", f"{bin_dir}/cdktf"]) == 1
    assert capsys.readouterr().err.splitlines() == [f"diff: ingress-eastus2 plan failed: {TERRAFORM_ERROR}"]
    summary = format_summary(outdir)
    assert "| `global` | 0 | 0 | 0 | 0 | no changes | – |" in summary
    assert "| `ingress-eastus2` | – | – | – | – | **plan failed** | `region-eastus2` |" in summary
    assert [diff for diff in json.loads((outdir / "diff-summary.json").read_text()) if diff["status"] == FAILED]


def test_a_failed_dependency_blocks_its_dependents_and_the_first_error_is_named(tmp_path, on_path, capsys):
    outdir, bin_dir = fake_outdir(tmp_path, {}, failing={"global", "region-eastus2", "ingress-eastus2"})
    on_path(bin_dir)
    assert cli_main(["diff", "--outdir", str(outdir), "--cdktf", f"{bin_dir}/cdktf"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"diff: global plan failed: {TERRAFORM_ERROR}",
        f"diff: region-eastus2 not planned: blocked by global (not planned itself): {TERRAFORM_ERROR}",
        f"diff: ingress-eastus2 not planned: blocked by region-eastus2 (not planned itself): {TERRAFORM_ERROR}",
    ]


def test_a_failure_without_a_terraform_error_line_still_names_the_stack():
    assert first_error(["ingress-eastus2  Planning\n"], "exited with status 1") == "exited with status 1"
    assert first_error(["x  │ Error: first\n", "x  │ Error: second\n"], "unused") == "Error: first"


def test_summary_lists_what_would_be_deleted(tmp_path, on_path):
    replaces_the_cluster = {"resource_changes": [resource_change("azurerm_kubernetes_cluster.cluster", "delete", "create")]}
    outdir, bin_dir = fake_outdir(tmp_path, {"region-eastus2": replaces_the_cluster}, set())
    on_path(bin_dir)
    assert cli_main(["diff", "--outdir", str(outdir), "--cdktf", f"{bin_dir}/cdktf"]) == 0
    summary = format_summary(outdir)
    assert "| `region-eastus2` | 0 | 0 | 1 | 0 | changes | `global` |" in summary
    assert "- `region-eastus2`: `azurerm_kubernetes_cluster.cluster`" in summary


def test_without_a_diff_the_summary_shows_the_synthesized_stacks(synthesize, default_config):
    outdir, stacks = synthesize(default_config)
    summary = format_summary(outdir)
    assert "Not diffed against Azure" in summary
    rows = [line.split(" | ")[0].strip("| `") for line in summary.splitlines() if line.startswith("| `")]
    assert sorted(rows) == sorted(stacks)
    for region in default_config.regions:
        assert rows.index("global") < rows.index(f"region-{region.name}") < rows.index(f"ingress-{region.name}")


def test_one_regions_stacks_are_diffed_alone_and_its_outside_dependency_blocks_nothing(tmp_path, on_path):
    """The drift workflow diffs each region on a runner of its own: `global` is planned elsewhere."""
    outdir, bin_dir = fake_outdir(tmp_path, {}, failing={"region-eastus2", "ingress-eastus2"})
    on_path(bin_dir)
    assert cli_main(["diff", "--outdir", str(outdir), "--cdktf", f"{bin_dir}/cdktf", "--stack", "region-eastus2", "--stack", "ingress-eastus2"]) == 1
    diffs = read_diff_summary(outdir)
    assert diffs is not None
    assert [(diff.stack, diff.status) for diff in diffs] == [("region-eastus2", FAILED), ("ingress-eastus2", BLOCKED)]


def test_a_stack_missing_from_the_output_is_bad_input(tmp_path, on_path, capsys):
    outdir, bin_dir = fake_outdir(tmp_path, {}, set())
    on_path(bin_dir)
    assert cli_main(["diff", "--outdir", str(outdir), "--cdktf", f"{bin_dir}/cdktf", "--stack", "region-uksouth"]) == 2
    assert capsys.readouterr().err == f"diff: no stack region-uksouth in {outdir}\n"


def test_the_drift_jobs_summaries_merge_in_deploy_order_and_a_missing_one_is_not_planned(tmp_path, on_path):
    outdir, bin_dir = fake_outdir(tmp_path, {"global": CREATES_A_CLUSTER}, set())
    on_path(bin_dir)
    parts = tmp_path / "summaries"
    # Only the global job left a summary (download-artifact puts each artifact in a folder of its own).
    assert cli_main(["diff", "--outdir", str(outdir), "--cdktf", f"{bin_dir}/cdktf", "--stack", "global"]) == 0
    (parts / "drift-global").mkdir(parents=True)
    (outdir / "diff-summary.json").rename(parts / "drift-global" / "diff-summary.json")
    assert cli_main(["merge-diffs", str(parts), "--outdir", str(outdir)]) == 0
    diffs = read_diff_summary(outdir)
    assert diffs is not None
    assert [(diff.stack, diff.status) for diff in diffs] == [("global", PLANNED), ("region-eastus2", FAILED), ("ingress-eastus2", FAILED)]
    assert diffs[0].changes is not None and diffs[0].changes.add == 2
    assert diffs[1].error == "no result: its diff job stopped before planning it (see the run)"
