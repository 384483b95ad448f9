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

STACK_FILES = "stacks/*/cdk.tf.json"


def scannable_copy(outdir: Path, destination: Path) -> Path:
    """`outdir` copied to `destination` with `terraform.required_version` taken out of every stack."""
    shutil.copytree(outdir, destination, ignore=shutil.ignore_patterns(".terraform", "*.tfplan", "plan"))
    for stack_file in destination.glob(STACK_FILES):
        document = json.loads(stack_file.read_text(encoding="utf-8"))
        document.get("terraform", {}).pop("required_version", None)
        stack_file.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return destination


def run_checkov(checkov: str, directory: Path, config_file: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """checkov on every stack below `directory` (already made scannable)."""
    return subprocess.run([checkov, "--config-file", str(config_file), "-d", str(directory), *extra], capture_output=True, text=True, check=False)
