"""The data flows one way: config -> model -> constructs -> stacks -> synth -> policy -> output.
Each step imports only from the steps before it (or the shared contract, engine and text modules)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "dualstack_aks"
# step -> the dualstack_aks modules it may import (prefixes); anything else would reach back up the flow.
MODEL = "dualstack_aks.model"
SHARED = ("dualstack_aks.contract", "dualstack_aks.engine", "dualstack_aks.errors", "dualstack_aks.text", "dualstack_aks.terraform_version")
ALLOWED = {
    "model": (MODEL, *SHARED),
    "constructs": ("dualstack_aks.constructs", MODEL, *SHARED),
    "stacks": ("dualstack_aks.stacks", "dualstack_aks.constructs", MODEL, *SHARED),
    # The guard's input is the user's acknowledgements, typed by the config schema.
    "policy": ("dualstack_aks.policy", "dualstack_aks.model.config", "dualstack_aks.errors"),
    "output": ("dualstack_aks.output", *SHARED),
}
# The resolved model is what constructs and stacks build from; the config and its checks stay behind it.
BEHIND_THE_MODEL = ("dualstack_aks.model.config", "dualstack_aks.model.loading", "dualstack_aks.model.validation")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("dualstack_aks")}


@pytest.mark.parametrize("step", sorted(ALLOWED))
def test_each_step_imports_only_what_comes_before_it(step):
    offenders = [
        f"{path.relative_to(REPO)} imports {name}"
        for path in sorted((PACKAGE / step).rglob("*.py"))
        for name in sorted(_imports(path))
        if not name.startswith(ALLOWED[step])
    ]
    assert offenders == []


def test_no_construct_or_stack_reads_the_config():
    readers = [
        f"{path.relative_to(REPO)} imports {name}"
        for step in ("constructs", "stacks")
        for path in sorted((PACKAGE / step).rglob("*.py"))
        for name in sorted(_imports(path))
        if name.startswith(BEHIND_THE_MODEL)
    ]
    assert readers == []
