"""The Terraform versions the project supports: every stack's `terraform.required_version`, and
what the deploy preflight checks the installed Terraform against."""

from __future__ import annotations

import re

# The version CI installs (tests/test_workflows.py keeps the workflows in step with it).
TERRAFORM_VERSION = "1.15.9"
# SHA-256 of terraform_<TERRAFORM_VERSION>_linux_amd64.zip, HashiCorp's release archive: the pull-request workflow
# checks the Terraform that hashicorp/setup-terraform installed (which checks no checksum) against it.
TERRAFORM_LINUX_AMD64_SHA256 = "76edd0b22d2f27d3d2e097cd793209646f719cf60f02ff3af626b07361137da1"
# 1.2.0: the floor cdktf 0.21's CLI warns below, and the first with postconditions and OIDC in the azurerm backend.
MINIMUM = (1, 2, 0)
# Below the next major: its breaking changes have not been tried.
BELOW = (2, 0, 0)
REQUIRED_VERSION = f">= {'.'.join(map(str, MINIMUM))}, < {'.'.join(map(str, BELOW))}"

_NUMERIC = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")


def is_supported(version: str) -> bool:
    """Whether a `terraform version -json` version (e.g. 1.15.9 or 1.16.0-beta1) is within REQUIRED_VERSION."""
    match = _NUMERIC.match(version)
    if match is None:
        return False
    numbers = tuple(int(part) for part in match.groups())
    return MINIMUM <= numbers < BELOW
