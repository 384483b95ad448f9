"""`python -m dualstack_aks validate`: init without the backend and `terraform validate -json` per stack, a
table and a job summary, and an honest line when nothing could be validated.

`terraform` is a stand-in here: it records its calls, fails `init` with the output a stack's folder holds
(`init-output`), and prints the stack's `validate.json`, whose contents are real Terraform 1.11 output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dualstack_aks.cli import main as cli_main
from dualstack_aks.deploy.validate import VALIDATE_SUMMARY_FILE
from tests.test_diff_stacks import fake_outdir

VALID = {"format_version": "1.0", "valid": True, "error_count": 0, "warning_count": 0, "diagnostics": []}
# `terraform validate -json` on a stack that references an undeclared resource (Terraform 1.11.4).
UNDECLARED = {
    "format_version": "1.0",
    "valid": False,
    "error_count": 1,
    "warning_count": 1,
    "diagnostics": [
        {
            "severity": "error",
            "summary": "Reference to undeclared resource",
            "detail": 'A managed resource "azurerm_public_ip" "ipv6" has not been declared in the root module.',
            "range": {"filename": "cdk.tf.json", "start": {"line": 42, "column": 28, "byte": 27}, "end": {"line": 42, "column": 50, "byte": 49}},
        },
        {"severity": "warning", "summary": "Deprecated attribute", "detail": "The attribute is deprecated."},
    ],
}
# `terraform init` with no network and no plugin cache (Terraform 1.11.4).
OFFLINE_INIT = """Initializing provider plugins...
- Finding hashicorp/azurerm versions matching "4.55.0"...

Error: Failed to query available provider packages

Could not retrieve the list of available versions for provider
hashicorp/azurerm: could not connect to registry.terraform.io: failed to
request discovery document: Get
"https://registry.terraform.io/.well-known/terraform.json": dial tcp: lookup
registry.terraform.io on 10.255.255.53:53: no such host
"""
TOO_OLD_INIT = """Error: Unsupported Terraform Core version

  on cdk.tf.json line 9, in terraform:
   9:     "required_version": ">= 1.2.0, < 2.0.0"
"""
STAND_IN = """#!/bin/sh
echo "$*" >> "$(dirname "$0")/calls"
dir=${1#-chdir=}
case "$2" in
  init) if [ -f "$dir/init-output" ]; then cat "$dir/init-output"; exit 1; fi ;;
  validate) cat "$dir/validate.json"; grep -q '"valid": false' "$dir/validate.json" && exit 1 ;;
esac
exit 0
"""


@pytest.fixture
def outdir(tmp_path, monkeypatch) -> Path:
    """The three-stack outdir of the diff tests, every stack valid, and the stand-in terraform first on PATH."""
    outdir, bin_dir = fake_outdir(tmp_path, {}, set())
    (Path(bin_dir) / "terraform").write_text(STAND_IN)
    for stack in ("global", "region-eastus2", "ingress-eastus2"):
        write(outdir, stack, "validate.json", json.dumps(VALID, indent=2))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return outdir


def write(outdir: Path, stack: str, name: str, text: str) -> None:
    (outdir / "stacks" / stack / name).write_text(text)


def calls(outdir: Path) -> list[str]:
    return (outdir.parent / "bin" / "calls").read_text().splitlines()


def test_every_stack_is_initialized_without_its_backend_then_validated_in_dependency_order(outdir, capsys):
    assert cli_main(["validate", "--outdir", str(outdir)]) == 0
    order = ["global", "region-eastus2", "ingress-eastus2"]
    assert calls(outdir) == [
        call
        for stack in order
        for call in (f"-chdir={outdir}/stacks/{stack} init -backend=false -input=false -no-color", f"-chdir={outdir}/stacks/{stack} validate -json -no-color")
    ]
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["stack", "result", "errors", "warnings", "first", "error"]
    assert [row.split()[:4] for row in table[1:]] == [[stack, "valid", "0", "0"] for stack in order]
    summary = (outdir / VALIDATE_SUMMARY_FILE).read_text()
    assert summary.startswith("| stack | result | errors | warnings | first error |\n")
    assert "| `region-eastus2` | valid | 0 | 0 | – |" in summary


def test_a_validation_error_fails_the_run_naming_the_stack_and_the_error(outdir, capsys):
    write(outdir, "region-eastus2", "validate.json", json.dumps(UNDECLARED, indent=2))
    assert cli_main(["validate", "--outdir", str(outdir)]) == 1
    error = 'Reference to undeclared resource: A managed resource "azurerm_public_ip" "ipv6" has not been declared in the root module. (cdk.tf.json:42)'
    assert capsys.readouterr().err.splitlines() == [f"validate: region-eastus2 invalid: {error}"]
    summary = (outdir / VALIDATE_SUMMARY_FILE).read_text()
    assert f"| `region-eastus2` | **invalid** | 1 | 1 | `{error}` |" in summary
    assert "| `ingress-eastus2` | valid | 0 | 0 | – |" in summary, "the stacks after it are still validated"


def test_an_init_failure_of_the_stack_itself_fails_the_run(outdir, capsys):
    write(outdir, "ingress-eastus2", "init-output", TOO_OLD_INIT)
    assert cli_main(["validate", "--outdir", str(outdir)]) == 1
    assert capsys.readouterr().err.splitlines() == ["validate: ingress-eastus2 init failed: Error: Unsupported Terraform Core version"]
    assert "validate -json" not in calls(outdir)[-1], "a stack that did not initialize is not validated"


def test_validate_without_json_fails_the_run_with_terraforms_error(outdir, capsys):
    write(outdir, "global", "validate.json", "")
    (outdir.parent / "bin" / "terraform").write_text(
        STAND_IN.replace("validate) cat", 'validate) [ -s "$dir/validate.json" ] || { echo "Error: Failed to load plugin schemas" >&2; exit 1; }; cat')
    )
    assert cli_main(["validate", "--outdir", str(outdir)]) == 1
    assert capsys.readouterr().err.splitlines() == ["validate: global validate failed: Error: Failed to load plugin schemas"]


@pytest.mark.parametrize("require", [False, True])
def test_without_the_providers_one_line_says_nothing_was_validated(outdir, capsys, require: bool):
    for stack in ("global", "region-eastus2", "ingress-eastus2"):
        write(outdir, stack, "init-output", OFFLINE_INIT)
    assert cli_main(["validate", "--outdir", str(outdir), *(["--require"] if require else [])]) == (1 if require else 0)
    captured = capsys.readouterr()
    line = (
        "terraform validate: nothing validated: the providers could not be fetched for stack global "
        "(Error: Failed to query available provider packages: could not connect to registry.terraform.io): no registry access and no plugin cache"
    )
    assert (captured.out, captured.err.splitlines()) == ("", [line])
    assert len(calls(outdir)) == 1, "the other stacks would fail the same way"
    summary = (outdir / VALIDATE_SUMMARY_FILE).read_text()
    assert "**Not validated**: the providers could not be fetched" in summary and "| valid |" not in summary


@pytest.mark.parametrize("require", [False, True])
def test_without_terraform_one_line_says_nothing_was_validated(outdir, capsys, require: bool):
    assert cli_main(["validate", "--outdir", str(outdir), "--terraform", "terraform-not-installed", *(["--require"] if require else [])]) == (
        1 if require else 0
    )
    assert capsys.readouterr().err.splitlines() == ["terraform validate: nothing validated: terraform-not-installed is not on PATH"]


def test_no_synth_is_bad_input(tmp_path, capsys):
    assert cli_main(["validate", "--outdir", str(tmp_path / "cdktf.out")]) == 2
    assert "synthesize first" in capsys.readouterr().err
