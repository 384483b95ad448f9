"""`terraform init -backend=false` and `terraform validate -json` in every synthesized stack, with the real providers.

python -m dualstack_aks validate [--outdir cdktf.out] [--terraform terraform] [--require]
    validates each stack in dependency order, prints a table (errors, warnings, the first error) and writes it as
    Markdown to <outdir>/validate-summary.md (the pull request's job summary). Exit status 1 when a stack has
    validation errors or its `init` failed for a reason of its own (a provider version that does not exist, a
    Terraform outside `required_version`) or `validate` printed no result.
    Nothing can be validated without terraform on PATH or without the providers (no network and no plugin cache):
    then one line says so, nothing is claimed valid, and the exit status is 0, since the run found no fault; with
    --require (CI, where the registry is reachable) it is 1.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from dualstack_aks.deploy.diff import first_error, read_stacks_in_order
from dualstack_aks.text import format_table, markdown_table

VALIDATE_SUMMARY_FILE = "validate-summary.md"
VALID = "valid"
INVALID = "invalid"
INIT_FAILED = "init failed"
# `terraform validate` printed no JSON (it crashed, or a provider failed to start).
VALIDATE_FAILED = "validate failed"
# Terraform's words when the registry (or a mirror) cannot be reached: getproviders' ErrHostUnreachable, and an
# offline plugin cache or filesystem mirror that lacks the provider.
_UNREACHABLE = re.compile(r"could not connect to [^\s:]+|provider \S+ was not found in any of the search locations")


class NotValidated(Exception):
    """Nothing can be validated here: no terraform, or the providers cannot be fetched."""


@dataclass(frozen=True)
class StackValidation:
    stack: str
    status: str
    errors: int
    warnings: int
    # The first error: Terraform's summary, with the file and line when it names one.
    first_error: str | None = None


def _diagnostic(diagnostic: dict) -> str:
    where = diagnostic.get("range") or {}
    location = f" ({where['filename']}:{where['start']['line']})" if where.get("filename") and where.get("start") else ""
    detail = (diagnostic.get("detail") or "").strip().splitlines()
    return f"{diagnostic.get('summary', '').strip()}{': ' + detail[0] if detail else ''}{location}"


def read_validation(stack: str, output: str) -> StackValidation:
    """One stack's result from `terraform validate -json`."""
    result = json.loads(output)
    errors = [diagnostic for diagnostic in result.get("diagnostics", []) if diagnostic.get("severity") == "error"]
    return StackValidation(
        stack=stack,
        status=VALID if result.get("valid") and not errors else INVALID,
        errors=result.get("error_count", len(errors)),
        warnings=result.get("warning_count", 0),
        first_error=_diagnostic(errors[0]) if errors else None,
    )


def validate_stacks(outdir: Path, terraform: str = "terraform") -> list[StackValidation]:
    """Init (without the backend) and validate every stack in its working directory, in dependency order."""
    stacks = read_stacks_in_order(outdir)
    executable = shutil.which(terraform)
    if executable is None:
        raise NotValidated(f"{terraform} is not on PATH")
    results = []
    for stack in stacks:
        init = subprocess.run(
            [executable, f"-chdir={stack.working_directory}", "init", "-backend=false", "-input=false", "-no-color"],
            capture_output=True,
            text=True,
            check=False,
        )
        if init.returncode != 0:
            output = (init.stderr + init.stdout).splitlines()
            reason = first_error(output, f"terraform init exited with status {init.returncode}")
            unreachable = _UNREACHABLE.search(" ".join(output))
            if unreachable:
                raise NotValidated(
                    f"the providers could not be fetched for stack {stack.name} ({reason}: {unreachable.group(0)}): no registry access and no plugin cache"
                )
            results.append(StackValidation(stack.name, INIT_FAILED, 0, 0, reason))
            continue
        validation = subprocess.run(
            [executable, f"-chdir={stack.working_directory}", "validate", "-json", "-no-color"], capture_output=True, text=True, check=False
        )
        try:
            results.append(read_validation(stack.name, validation.stdout))
        except (ValueError, AttributeError):
            error = first_error(validation.stderr.splitlines(), f"terraform validate exited with status {validation.returncode} without JSON")
            results.append(StackValidation(stack.name, VALIDATE_FAILED, 0, 0, error))
    return results


def failures(results: list[StackValidation]) -> list[str]:
    return [f"{result.stack} {result.status}: {result.first_error}" for result in results if result.status != VALID]


def format_validation_table(results: list[StackValidation]) -> list[str]:
    rows = [[result.stack, result.status, str(result.errors), str(result.warnings), result.first_error or ""] for result in results]
    return format_table([["stack", "result", "errors", "warnings", "first error"], *rows])


def format_validation_markdown(results: list[StackValidation] | None, reason: str | None = None) -> str:
    """The job summary: one row per stack, or the one line saying why nothing was validated."""
    if results is None:
        return f"**Not validated**: {reason}.\n"
    rows = [
        [
            f"`{result.stack}`",
            result.status if result.status == VALID else f"**{result.status}**",
            str(result.errors),
            str(result.warnings),
            code_span(result.first_error) if result.first_error else "–",
        ]
        for result in results
    ]
    return "\n".join(markdown_table(["stack", "result", "errors", "warnings", "first error"], rows)) + "\n"


def code_span(text: str) -> str:
    # Backticks in an error would end the code span early.
    return "`" + text.replace("`", "'") + "`"


def write_validate_summary(outdir: Path, markdown: str) -> None:
    (outdir / VALIDATE_SUMMARY_FILE).write_text(markdown, encoding="utf-8")
