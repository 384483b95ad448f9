"""`cdktf diff` of every synthesized stack in dependency order, and the review summary.

python -m dualstack_aks diff [--outdir cdktf.out] [--cdktf PATH]
    diffs each stack (after `python main.py` wrote the outdir), counts the planned changes from
    `terraform show -json plan` and records them in <outdir>/diff-summary.json; exits 1 when any
    stack could not be planned, naming it and its first Terraform error line.
python -m dualstack_aks diff --summary-only [--outdir cdktf.out]
    prints a Markdown summary (the pull request's job summary): the diff counts when `run`
    recorded them, else the synthesized stacks and their resource counts.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dualstack_aks.errors import BadInput, shown
from dualstack_aks.output.reader import MANIFEST_FILE, SynthOutputError, read_manifest, read_output_file, read_stacks
from dualstack_aks.text import markdown_table

DIFF_SUMMARY_FILE = "diff-summary.json"
# cdktf diff writes the plan here, inside the stack's working directory (non-cloud backends).
PLAN_FILE = "plan"

PLANNED = "planned"
# The plan failed although every dependency is deployed as synthesized: a fault of its own.
FAILED = "failed"
# The plan failed while a dependency has changes to deploy or failed itself (e.g. the ingress of a
# region whose cluster does not exist yet): not planned either, so the run still fails.
BLOCKED = "blocked"
# Terraform's diagnostics read "Error: <summary>", after cdktf's stack prefix and Terraform's box border.
ERROR_LINE = re.compile(r"Error: .*\S")


@dataclass
class Changes:
    add: int = 0
    change: int = 0
    replace: int = 0
    remove: int = 0
    # Addresses of the resources a deploy would delete (removed or replaced): what reviewers must see.
    destructive: list[str] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        return bool(self.add or self.change or self.replace or self.remove)


@dataclass(frozen=True)
class Stack:
    name: str
    depends_on: list[str]
    working_directory: Path
    resources: int
    data_sources: int


@dataclass
class StackDiff:
    stack: str
    status: str
    depends_on: list[str]
    changes: Changes | None = None
    # Why the stack could not be planned: the first Terraform error line, and for BLOCKED which dependency and why.
    error: str | None = None
    blocked_by: str | None = None


def _count(document: dict, kind: str) -> int:
    return sum(len(blocks) for blocks in document.get(kind, {}).values())


def read_stacks_in_order(outdir: Path) -> list[Stack]:
    """The synthesized stacks, every dependency before its dependents, otherwise in manifest order."""
    documents = read_stacks(outdir)
    stacks = []
    for name, entry in read_manifest(outdir).items():
        working_directory, depends_on = entry.get("workingDirectory"), entry.get("dependencies", [])
        if (
            not isinstance(working_directory, str)
            or not (outdir / working_directory).resolve().is_relative_to(outdir.resolve())
            or not isinstance(depends_on, list)
            or not all(isinstance(dependency, str) for dependency in depends_on)
        ):
            raise SynthOutputError(
                f"{outdir / MANIFEST_FILE}: stack {shown(name)} needs a workingDirectory inside {outdir} and a list of dependencies; synthesize again"
            )
        try:
            counts = _count(documents[name], "resource"), _count(documents[name], "data")
        except (AttributeError, TypeError):
            raise SynthOutputError(f"{outdir / entry['synthesizedStackPath']}: its resource or data blocks are not mappings; synthesize again") from None
        stacks.append(Stack(name=name, depends_on=depends_on, working_directory=outdir / working_directory, resources=counts[0], data_sources=counts[1]))
    return dependency_order(stacks)


def dependency_order(stacks: list[Stack]) -> list[Stack]:
    ordered: list[Stack] = []
    placed: set[str] = set()
    remaining = list(stacks)
    while remaining:
        ready = [stack for stack in remaining if set(stack.depends_on) <= placed]
        if not ready:
            raise SynthOutputError(f"dependency cycle among stacks (or a dependency that is no stack): {shown(', '.join(stack.name for stack in remaining))}")
        ordered.append(ready[0])
        placed.add(ready[0].name)
        remaining.remove(ready[0])
    return ordered


def count_changes(plan: dict) -> Changes:
    """Counts of `terraform show -json` resource changes; each resource counts once, data sources not at all."""
    changes = Changes()
    for resource in plan.get("resource_changes", []):
        if resource.get("mode") != "managed":
            continue
        actions = set(resource["change"]["actions"])
        if actions == {"create"}:
            changes.add += 1
        elif actions == {"update"}:
            changes.change += 1
        elif actions == {"delete", "create"}:
            changes.replace += 1
            changes.destructive.append(resource["address"])
        elif actions == {"delete"}:
            changes.remove += 1
            changes.destructive.append(resource["address"])
    return changes


def _run_and_show(command: list[str]) -> tuple[int, list[str]]:
    """Run a command with its output streamed to the console as it comes, and kept."""
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace") as process:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            lines.append(line)
    return process.returncode, lines


def first_error(lines: list[str], fallback: str) -> str:
    """The first Terraform error line of some output, else the fallback."""
    for line in lines:
        match = ERROR_LINE.search(line)
        if match:
            return match.group(0)
    return fallback


def _blocker(upstream: list[StackDiff]) -> str | None:
    """The first dependency that must be fixed or deployed before this stack can be planned, and which."""
    for dependency in upstream:
        if dependency.status != PLANNED:
            return f"{dependency.stack} (not planned itself)"
        if dependency.changes and dependency.changes.pending:
            return f"{dependency.stack} (changes to deploy first)"
    return None


def run_diffs(outdir: Path, cdktf: str, terraform: str = "terraform", only: Collection[str] = ()) -> list[StackDiff]:
    """Diff every stack, or those named in `only` (output streams to the console), and count what each plan would do."""
    unknown = set(only) - {stack.name for stack in read_stacks_in_order(outdir)}
    if unknown:
        raise SynthOutputError(f"no stack {', '.join(sorted(unknown))} in {outdir}")
    if shutil.which(cdktf) is None:
        raise BadInput(f"--cdktf {shown(cdktf)}: not an executable; run `make cli`, or name the cdktf CLI")
    results: dict[str, StackDiff] = {}
    for stack in read_stacks_in_order(outdir):
        if only and stack.name not in only:
            continue
        returncode, output = _run_and_show([cdktf, "diff", stack.name, "--skip-synth", "--output", str(outdir), "--no-color"])
        if returncode == 0:
            plan = subprocess.run([terraform, "show", "-json", PLAN_FILE], cwd=stack.working_directory, capture_output=True, text=True, check=False)
            if plan.returncode == 0:
                results[stack.name] = StackDiff(stack.name, PLANNED, stack.depends_on, count_changes(json.loads(plan.stdout)))
                continue
            output, returncode = plan.stderr.splitlines(), plan.returncode
        error = first_error(output, f"exited with status {returncode} without a Terraform error line")
        # A dependency outside `only` was planned by another run: only those planned here can block.
        blocker = _blocker([results[name] for name in stack.depends_on if name in results])
        results[stack.name] = StackDiff(stack.name, BLOCKED if blocker else FAILED, stack.depends_on, error=error, blocked_by=blocker)
    return list(results.values())


def not_planned(diffs: list[StackDiff]) -> list[str]:
    """One line per stack that could not be planned: which, why, and its first Terraform error."""
    lines = []
    for diff in diffs:
        if diff.status == BLOCKED:
            lines.append(f"{diff.stack} not planned: blocked by {diff.blocked_by}: {diff.error}")
        elif diff.status == FAILED:
            lines.append(f"{diff.stack} plan failed: {diff.error}")
    return lines


def write_diff_summary(outdir: Path, diffs: list[StackDiff]) -> None:
    (outdir / DIFF_SUMMARY_FILE).write_text(json.dumps([asdict(diff) for diff in diffs], indent=2) + "\n")


def _read_summary_file(folder: Path) -> list[StackDiff]:
    """The diff summary in `folder` (an output folder, or a run's part of one), read in one line on any fault."""
    entries = read_output_file(folder, DIFF_SUMMARY_FILE)
    try:
        if not isinstance(entries, list):
            raise TypeError("a list of stacks is expected")
        diffs = []
        for entry in entries:
            changes = Changes(**entry["changes"]) if entry["changes"] is not None else None
            diffs.append(StackDiff(entry["stack"], entry["status"], entry["depends_on"], changes, entry["error"], entry["blocked_by"]))
    except (KeyError, TypeError) as error:
        raise SynthOutputError(
            f"{folder / DIFF_SUMMARY_FILE}: is not a diff summary ({type(error).__name__}: {shown(str(error))}); run the diff again"
        ) from None
    return diffs


def read_diff_summary(outdir: Path) -> list[StackDiff] | None:
    return _read_summary_file(outdir) if (outdir / DIFF_SUMMARY_FILE).is_file() else None


def merge_diff_summaries(outdir: Path, parts: Path) -> list[StackDiff]:
    """One summary of every synthesized stack, in deploy order, from the summaries of runs that each
    diffed some stacks (every diff-summary.json under `parts`); a stack no run planned is FAILED."""
    planned = {diff.stack: diff for path in sorted(parts.rglob(DIFF_SUMMARY_FILE)) for diff in _read_summary_file(path.parent)}
    return [
        planned.get(stack.name) or StackDiff(stack.name, FAILED, stack.depends_on, error="no result: its diff job stopped before planning it (see the run)")
        for stack in read_stacks_in_order(outdir)
    ]


def _after(depends_on: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in depends_on) or "–"


def format_diff_markdown(diffs: list[StackDiff]) -> str:
    rows = []
    for diff in diffs:
        if diff.status == PLANNED and diff.changes is not None:
            counts = [str(diff.changes.add), str(diff.changes.change), str(diff.changes.replace), str(diff.changes.remove)]
            status = "changes" if diff.changes.pending else "no changes"
        else:
            counts = ["–"] * 4
            status = f"**not planned**: blocked by {diff.blocked_by}" if diff.status == BLOCKED else "**plan failed**"
        rows.append([f"`{diff.stack}`", *counts, status, _after(diff.depends_on)])
    lines = ["## cdktf diff", "", *markdown_table(["stack", "add", "change", "replace", "remove", "result", "after"], rows)]
    failures = not_planned(diffs)
    if failures:
        lines += ["", "**Not planned: this diff fails until every stack plans** (the job log has each full error):", ""]
        # Backticks in an error would end the code span early.
        lines += ["- `" + failure.replace("`", "'") + "`" for failure in failures]
    destructive = [(diff.stack, address) for diff in diffs if diff.changes for address in diff.changes.destructive]
    if destructive:
        lines += ["", "**Deleted by this change (removed or replaced):**", ""]
        lines += [f"- `{stack}`: `{address}`" for stack, address in destructive]
    return "\n".join(lines) + "\n"


def format_synth_markdown(stacks: list[Stack]) -> str:
    rows = [[f"`{stack.name}`", str(stack.resources), str(stack.data_sources), _after(stack.depends_on)] for stack in stacks]
    lines = [
        "## Synthesized stacks",
        "",
        "Not diffed against Azure (no credentials for this run): the counts are what the stacks declare.",
        "",
        *markdown_table(["stack", "resources", "data sources", "after"], rows),
    ]
    return "\n".join(lines) + "\n"


def format_summary(outdir: Path) -> str:
    diffs = read_diff_summary(outdir)
    if diffs is not None:
        return format_diff_markdown(diffs)
    return format_synth_markdown(read_stacks_in_order(outdir))
