"""checkov over the synthesized stacks, as `make scan` and the tests run it.

checkov 3.3.30 cannot parse a cdk.tf.json whose `terraform` block holds `required_version`: it
reports a parsing error per stack and scans nothing, with a clean exit (bridgecrewio/checkov#7454).
So it reads a copy of the stacks without that one key; every resource stays as synthesized.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from dualstack_aks.errors import BadInput, shown
from dualstack_aks.output.reader import read_stacks


def scannable_copy(outdir: Path, destination: Path) -> Path:
    """The stacks the manifest of `outdir` lists, copied to `destination` without `terraform.required_version`."""
    for name, document in read_stacks(outdir).items():
        terraform = document.get("terraform")
        if isinstance(terraform, dict):
            terraform.pop("required_version", None)
        stack_file = destination / "stacks" / name / "cdk.tf.json"
        stack_file.parent.mkdir(parents=True, exist_ok=True)
        stack_file.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return destination


def run_checkov(checkov: str, directory: Path, config_file: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """checkov on every stack below `directory` (already made scannable)."""
    if shutil.which(checkov) is None:
        raise BadInput(f"--checkov {shown(checkov)}: not an executable; run `make scan`, which installs the pinned checkov")
    return subprocess.run([checkov, "--config-file", str(config_file), "-d", str(directory), *extra], capture_output=True, text=True, check=False)
