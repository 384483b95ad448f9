"""The one command line: `python -m dualstack_aks <command>` (main.py runs `synth` for cdktf).

Every command turns its failures into one line per problem: exit status 2 for bad input (config,
output directory, arguments), 1 for a failed step, 130 when interrupted; never a traceback.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import click

from dualstack_aks.errors import BadInput, one_line
from dualstack_aks.model.config import Config
from dualstack_aks.model.loading import ConfigError, load_config

DEFAULT_CONFIG = "config/default.yaml"
EXIT_BAD_INPUT = 2
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


def config_path(option: str | None) -> str:
    """The config file `--config` names, else $DUALSTACK_CONFIG, else the default."""
    if option is not None:
        return option
    return os.environ.get("DUALSTACK_CONFIG") or DEFAULT_CONFIG


def load_or_report(option: str | None) -> tuple[str, Config | None]:
    """The config file and its validated config, or None once its problems are printed to stderr."""
    path = config_path(option)
    try:
        return path, load_config(path)
    except ConfigError as error:
        print("\n".join(error.problems), file=sys.stderr)
        return path, None


_received: list[int] = []
TERMINATION_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    raise KeyboardInterrupt(signal.Signals(signum).name)


def raise_on_termination() -> dict[int, Any]:
    """Ctrl-C, SIGTERM and SIGHUP end the synth cleanly, through the same handlers; returns the handlers before."""
    return {signum: signal.signal(signum, _interrupt) for signum in TERMINATION_SIGNALS}


def exit_quietly(status: int) -> NoReturn:
    """Exit a process whose command is done: a signal during jsii's shutdown (an atexit wait for
    node) then just ends it, as the output is complete; raising there would print a traceback.
    The exit hooks run (jsii stops node, temporary folders go) and the streams are flushed, but the
    interpreter's teardown, which frees every module and object (~0.17 s after a synth) and writes
    nothing, is skipped, unless a thread that Python would wait for is still running."""
    for signum in TERMINATION_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    # jsii's atexit hook writes to its node, which a SIGTERM to the process group has killed too.
    sys.unraisablehook = _drop_broken_pipes
    if any(not thread.daemon for thread in threading.enumerate() if thread is not threading.main_thread()):
        sys.exit(status)
    atexit._run_exitfuncs()  # what Python's exit runs first; each hook runs once, and failures are reported as usual
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        sys.exit(status)  # a closed pipe: Python's own exit reports it, as it did before
    os._exit(status)


def _drop_broken_pipes(unraisable: Any) -> None:
    """Say nothing of a pipe whose other end is gone at exit (the output is complete); anything else as usual."""
    if not isinstance(unraisable.exc_value, BrokenPipeError):
        sys.__unraisablehook__(unraisable)


def was_interrupted() -> bool:
    """A Ctrl-C also reaches jsii's node, whose death then surfaces as some other error first."""
    return bool(_received)


def refuse(message: str) -> int:
    """Bad input: the message as one line on stderr, and the exit status that says so."""
    print(one_line(message), file=sys.stderr)
    return EXIT_BAD_INPUT


def report_failure(error: BaseException, command: str = "synth") -> int:
    """An unexpected failure as one line (DUALSTACK_DEBUG=1 shows the traceback)."""
    if os.environ.get("DUALSTACK_DEBUG"):
        raise error
    first_line = (str(error).strip().splitlines() or [""])[0]
    print(one_line(f"{command} failed: {type(error).__name__}: {first_line} (DUALSTACK_DEBUG=1 shows the traceback)"), file=sys.stderr)
    return EXIT_FAILED


def report_interrupt(outdir: str) -> int:
    print(f"interrupted; every file in {outdir}/ is complete (the last synth's, or this one's)", file=sys.stderr)
    return EXIT_INTERRUPTED


config_option = click.option("--config", "config_option", metavar="PATH", help=f"YAML config (default: $DUALSTACK_CONFIG, else {DEFAULT_CONFIG})")
outdir_option = click.option("--outdir", metavar="DIR", help="the synthesized output (default: $CDKTF_OUTDIR, else cdktf.out)")


def _outdir(option: str | None, default: str = "cdktf.out") -> str:
    return option if option is not None else os.environ.get("CDKTF_OUTDIR", default)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Dual-stack (IPv4 + IPv6) AKS in every region, synthesized as Terraform JSON by CDKTF."""


@cli.command()
@config_option
@outdir_option
def synth(config_option: str | None, outdir: str | None) -> int:
    """Synthesize every stack into the output directory and print a summary."""
    previous_handlers = raise_on_termination()
    try:
        return _synth(config_option, _outdir(outdir))
    finally:
        for signum, handler in previous_handlers.items():
            signal.signal(signum, handler)


def _synth(config_option: str | None, target: str) -> int:
    from dualstack_aks.engine import EngineMissing, NodeMissing, require_node, selected_engine
    from dualstack_aks.output.outdir import OutdirError
    from dualstack_aks.synth import synth_with_cdktf_cli_rules

    path, config = load_or_report(config_option)
    if config is None:
        return EXIT_BAD_INPUT

    def build(staging: str) -> None:
        selected_engine()
        require_node()
        # Imported here so that config and output directory errors answer without loading jsii.
        from dualstack_aks.synth import synthesize

        synthesize(config, staging, source=path, published_outdir=target)

    try:
        synth_with_cdktf_cli_rules(target, build, config_path=path)
    except (ConfigError, EngineMissing, NodeMissing) as error:
        print(str(error), file=sys.stderr)  # a config error is one line per problem
        return EXIT_BAD_INPUT
    except OutdirError as error:
        return refuse(str(error))
    except KeyboardInterrupt:
        return report_interrupt(target)
    except Exception as error:
        return report_interrupt(target) if was_interrupted() else report_failure(error)
    from dualstack_aks.output.summary import format_summary

    print(format_summary(target))
    return 0


@cli.command()
@config_option
def addresses(config_option: str | None) -> int:
    """Print every region's address ranges (no synth)."""
    from dualstack_aks.model.addresses import format_addresses
    from dualstack_aks.model.deployment import allocate_regions

    _, config = load_or_report(config_option)
    if config is None:
        return EXIT_BAD_INPUT
    print(format_addresses(allocate_regions(config)))
    return 0


@cli.command()
@outdir_option
@click.option("--output", default="docs/diagram", show_default=True, help="path without extension; .svg and .png are written")
def diagram(outdir: str | None, output: str) -> int:
    """Draw the synthesized output (run synth first)."""
    from dualstack_aks.output.diagram import DiagramError, write_diagram

    try:
        written = write_diagram(_outdir(outdir), output)
    except DiagramError as error:
        print(f"diagram: {error}", file=sys.stderr)
        return EXIT_FAILED
    print("wrote " + ", ".join(str(path) for path in written))
    return 0


@cli.command()
def docs() -> int:
    """Write config/schema.json and docs/configuration.md, generated from the config models."""
    from dualstack_aks.model.reference import DOCS, ROOT, SCHEMA, render_reference, render_schema

    for path, text in ((SCHEMA, render_schema()), (DOCS, render_reference())):
        changed = not path.is_file() or path.read_text(encoding="utf-8") != text
        path.write_text(text, encoding="utf-8")
        print(f"{'wrote' if changed else 'unchanged'} {path.relative_to(ROOT)}")
    return 0


@cli.command()
@click.argument("command", type=click.Choice(["diff", "deploy", "destroy", "bootstrap-state"]))
@config_option
@click.option("--region", help="the one region deploy or destroy acts on")
@click.option("--require-remote-state", is_flag=True, help="fail unless the config keeps state in azurerm (CI)")
def preflight(command: str, config_option: str | None, region: str | None, require_remote_state: bool) -> int:
    """Check what `make diff | deploy | destroy | bootstrap-state` needs, one line per missing piece."""
    from dualstack_aks.deploy.preflight import EXIT_MISSING, check

    path, config = load_or_report(config_option)
    if config is None:
        return EXIT_BAD_INPUT
    problems = check(command, config, path, region, require_remote_state, os.environ)
    for problem in problems:
        print(f"make {command}: {problem}", file=sys.stderr)
    return EXIT_MISSING if problems else 0


@cli.command()
@outdir_option
@click.option("--cdktf", default="node_modules/.bin/cdktf", show_default=True, help="the pinned cdktf CLI")
@click.option("--summary-only", is_flag=True, help="print the Markdown summary of the last run (or of the synth) without diffing")
@click.option("--stack", "stacks", multiple=True, metavar="NAME", help="diff only this stack (repeatable): one region's, in the drift workflow")
def diff(outdir: str | None, cdktf: str, summary_only: bool, stacks: tuple[str, ...]) -> int:
    """`cdktf diff` every stack in dependency order and record the planned changes."""
    from dualstack_aks.deploy.diff import (
        format_diff_markdown,
        format_summary,
        not_planned,
        run_diffs,
        write_diff_summary,
    )
    from dualstack_aks.output.reader import SynthOutputError

    target = Path(_outdir(outdir))
    if summary_only:
        print(format_summary(target), end="")
        return 0
    try:
        diffs = run_diffs(target, cdktf, only=stacks)
    except SynthOutputError as error:
        return refuse(f"diff: {error}")
    write_diff_summary(target, diffs)
    print(format_diff_markdown(diffs))
    failures = not_planned(diffs)
    for failure in failures:
        print(f"diff: {failure}", file=sys.stderr)
    return EXIT_FAILED if failures else 0


def _published(action: Callable[[], str]) -> int:
    """Run one GitHub update and say what it did, or why it failed, in one line."""
    from dualstack_aks.deploy.github import GitHubError

    try:
        print(action())
    except GitHubError as error:
        print(f"publish: {error}", file=sys.stderr)
        return EXIT_FAILED
    return 0


@cli.group()
def publish() -> None:
    """Put the diff summary on GitHub with `gh api` (in the workflows; needs GH_TOKEN)."""


@publish.command()
@click.option("--repo", required=True, help="owner/name")
@click.option("--pull-request", type=int, required=True, help="the pull request's number")
@click.option("--body-file", type=click.Path(dir_okay=False, path_type=Path), required=True, help="the review summary (Markdown)")
def comment(repo: str, pull_request: int, body_file: Path) -> int:
    """Create or update the pull request's one review comment."""
    from dualstack_aks.deploy.github import read_body, upsert_comment

    body = read_body(body_file)
    return _published(lambda: upsert_comment(repo, pull_request, body))


@publish.command()
@click.option("--repo", required=True, help="owner/name")
@outdir_option
@click.option("--run-url", required=True, help="the workflow run, linked from the issue")
def drift(repo: str, outdir: str | None, run_url: str) -> int:
    """Open or update the drift issue when a stack drifted or could not be planned; close it when clean."""
    from dualstack_aks.deploy.github import publish_drift

    return _published(lambda: publish_drift(repo, Path(_outdir(outdir)), run_url))


@cli.command("bootstrap-state")
@config_option
@outdir_option
def bootstrap_state(config_option: str | None, outdir: str | None) -> int:
    """Synthesize the one-time stack that creates the azurerm state backend named in the config."""
    from dualstack_aks.deploy.bootstrap_state import (
        DEFAULT_OUTDIR,
        STATE_STACK,
        build_state_app,
    )
    from dualstack_aks.output.outdir import OutdirError
    from dualstack_aks.synth import synth_with_cdktf_cli_rules

    path, config = load_or_report(config_option)
    if config is None:
        return EXIT_BAD_INPUT
    backend = config.backend
    if backend.type != "azurerm":
        return refuse(f"{path}: backend.type is local; set backend.type: azurerm, backend.resource_group_name and backend.storage_account_name first")
    target = _outdir(outdir, DEFAULT_OUTDIR)
    try:
        synth_with_cdktf_cli_rules(target, lambda staging: build_state_app(config, staging, published_outdir=target).synth(), config_path=path)
    except OutdirError as error:
        return refuse(str(error))
    print(
        f"Synthesized stack {STATE_STACK} into {target}/: resource group {backend.resource_group_name}, "
        f"storage account {backend.storage_account_name}, container {backend.container_name}"
    )
    return 0


@cli.command()
@outdir_option
@click.option("--checkov", default=lambda: os.environ.get("CHECKOV", "checkov"), show_default="$CHECKOV", help="the pinned checkov")
def scan(outdir: str | None, checkov: str) -> int:
    """Run checkov on the synthesized stacks (skips and their reasons: .checkov.yaml)."""
    import tempfile

    from dualstack_aks.deploy.scan import run_checkov, scannable_copy

    with tempfile.TemporaryDirectory(prefix="dualstack-aks-scan-") as folder:
        result = run_checkov(checkov, scannable_copy(Path(_outdir(outdir)), Path(folder) / "cdktf.out"), Path(".checkov.yaml"))
    print(result.stdout, end="")
    print(result.stderr, end="", file=sys.stderr)
    return result.returncode


@cli.command()
@outdir_option
@click.option("--terraform", default="terraform", show_default=True, help="the terraform to run")
@click.option("--require", is_flag=True, help="fail when nothing can be validated (no terraform, providers not fetched): CI")
def validate(outdir: str | None, terraform: str, require: bool) -> int:
    """`terraform init -backend=false` and `terraform validate` in every synthesized stack."""
    from dualstack_aks.deploy.validate import (
        NotValidated,
        failures,
        format_validation_markdown,
        format_validation_table,
        validate_stacks,
        write_validate_summary,
    )
    from dualstack_aks.output.reader import SynthOutputError

    target = Path(_outdir(outdir))
    try:
        results = validate_stacks(target, terraform)
    except SynthOutputError as error:
        return refuse(f"validate: {error}")
    except NotValidated as error:
        write_validate_summary(target, format_validation_markdown(None, str(error)))
        print(f"terraform validate: nothing validated: {error}", file=sys.stderr)
        return EXIT_FAILED if require else 0
    write_validate_summary(target, format_validation_markdown(results))
    print("\n".join(format_validation_table(results)))
    for failure in failures(results):
        print(f"validate: {failure}", file=sys.stderr)
    return EXIT_FAILED if failures(results) else 0


@cli.command("schema-check")
@outdir_option
@click.option(
    "--provider-version",
    "versions",
    multiple=True,
    metavar="X.Y.Z",
    help="check with this azurerm version's rules (repeatable; default: the version each stack pins)",
)
def schema_check(outdir: str | None, versions: tuple[str, ...]) -> int:
    """Check every azurerm block of the synthesized stacks against the provider's own schema rules, offline."""
    from dualstack_aks.azurerm_schema.check import RulesUnavailable, check_stacks
    from dualstack_aks.output.reader import SynthOutputError, read_stacks

    try:
        stacks = read_stacks(_outdir(outdir))
        reports = [check_stacks(stacks, version) for version in versions or (None,)]
    except (SynthOutputError, RulesUnavailable) as error:
        return refuse(f"schema-check: {error}")
    for report in reports:
        print(f"rules of azurerm {', '.join(sorted(set(report.versions.values())))}:")
        print("\n".join(report.lines()))
    return EXIT_FAILED if any(report.violations for report in reports) else 0


@cli.command("chart-keys")
@click.argument("chart_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def chart_keys(chart_dir: Path) -> int:
    """Print the values key list of an unpacked Helm chart (for helm-values/chart-keys/)."""
    from dualstack_aks.model.chart_keys import render_key_list

    sys.stdout.write(render_key_list(chart_dir))
    return 0


# --- Deploy at scale: the wave plan and the per-region health gate (the deploy workflow's matrix jobs) ---


@cli.command()
@config_option
@click.option("--region", help="plan this one region alone (a manual run): it is the canary, nothing follows")
@click.option("--json", "as_json", is_flag=True, help='print {"global", "canary", "rest", "max_parallel"} as JSON for the workflow')
def waves(config_option: str | None, region: str | None, as_json: bool) -> int:
    """Print the deploy order: the global stack, the canary region, then the rest side by side."""
    import json
    from dataclasses import replace

    from dualstack_aks.model.deployment import resolve

    path, config = load_or_report(config_option)
    if config is None:
        return EXIT_BAD_INPUT
    plan = resolve(config).waves
    if region is not None:
        regions = (*plan.canary, *plan.rest)
        if region not in regions:
            return refuse(f"waves: --region {region!r} is not a region of {path} (allowed: {', '.join(regions)})")
        plan = replace(plan, canary=(region,), rest=())
    if as_json:
        print(json.dumps({"global": plan.global_stack, "canary": list(plan.canary), "rest": list(plan.rest), "max_parallel": plan.max_parallel}))
    else:
        print(f"1. {plan.global_stack}\n2. canary: {', '.join(plan.canary)}\n3. at most {plan.max_parallel} at once: {', '.join(plan.rest) or '(none)'}")
    return 0


@cli.command("health-gate")
@click.option("--region", required=True, help="the region whose Traffic Manager endpoints must be Online")
@outdir_option
@click.option("--timeout", type=click.FloatRange(min=0), default=600, show_default=True, help="seconds to wait for every endpoint to be Online")
@click.option("--interval", type=click.FloatRange(min=0), default=30, show_default=True, help="seconds between polls (Traffic Manager probes every 30 s)")
def health_gate(region: str, outdir: str | None, timeout: float, interval: float) -> int:
    """Wait until each family's Traffic Manager endpoint of the region is Online; fail at the timeout."""
    from dualstack_aks.deploy.health_gate import HealthGateError, describe, wait_until_online
    from dualstack_aks.output.reader import SynthOutputError, monitored_endpoints, read_stacks, read_topology

    try:
        endpoints = monitored_endpoints(read_topology(read_stacks(_outdir(outdir))), region)
    except SynthOutputError as error:
        return refuse(f"health-gate: {error}")
    try:
        failing = wait_until_online(endpoints, timeout, interval, lambda line: print(f"health-gate {region}: {line}", flush=True))
    except HealthGateError as error:
        print(f"health-gate: {error}", file=sys.stderr)
        return EXIT_FAILED
    for seen in failing:
        print(f"health-gate: {region} failed after {timeout:g} s: {describe(seen)}; every family must be Online", file=sys.stderr)
    if failing:
        return EXIT_FAILED
    print(f"health-gate {region}: passed: {' and '.join(endpoint.family for endpoint in endpoints)} Online")
    return 0


@cli.command("merge-diffs")
@click.argument("parts", type=click.Path(exists=True, file_okay=False, path_type=Path))
@outdir_option
def merge_diffs(parts: Path, outdir: str | None) -> int:
    """Join the diff summaries under PARTS (one per drift job) into the output's, for `publish drift`."""
    from dualstack_aks.deploy.diff import merge_diff_summaries, not_planned, write_diff_summary
    from dualstack_aks.output.reader import SynthOutputError

    target = Path(_outdir(outdir))
    try:
        diffs = merge_diff_summaries(target, parts)
    except SynthOutputError as error:
        return refuse(f"merge-diffs: {error}")
    write_diff_summary(target, diffs)
    print(f"merged {len(diffs)} stacks into {target / 'diff-summary.json'}, {len(not_planned(diffs))} not planned")
    return 0


def main(argv: Sequence[str] | None = None, prog_name: str = "python -m dualstack_aks") -> int:
    """Run one command; its exit status (click's own usage errors exit 2)."""
    try:
        status = cli.main(args=list(argv) if argv is not None else None, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        where = error.ctx.command_path if isinstance(error, click.UsageError) and error.ctx is not None else prog_name
        print(one_line(f"{where}: {error.format_message()} (see {where} --help)"), file=sys.stderr)
        return error.exit_code
    except (click.Abort, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Whoever read our output stopped reading (`| head`, or killed with us): nothing more to say, and nowhere to say it.
        silence_output()
        return EXIT_FAILED
    except BadInput as error:
        return refuse(str(error))
    except Exception as error:
        return report_interrupt("the output folder") if was_interrupted() else report_failure(error, command=_command_name(argv))
    return status if isinstance(status, int) else 0


def _command_name(argv: Sequence[str] | None) -> str:
    words = [word for word in (argv if argv is not None else sys.argv[1:]) if not word.startswith("-")]
    return words[0] if words and words[0] in cli.commands else "command"


def silence_output() -> None:
    """Point stdout and stderr at /dev/null, so no later write (nor the flush at exit) raises BrokenPipeError."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):
            continue
