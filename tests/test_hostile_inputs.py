"""Every command refuses bad input in one line with exit status 2: never a traceback, never an
unbounded wait or message, nothing written outside what the command writes (issue 23).

The commands run in-process through `cli.main` on small hand-written output folders (no jsii);
the cases that need a process of their own (signals, JSII_NODE) run one, bounded in time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import main
from dualstack_aks.cli import main as cli_main
from dualstack_aks.errors import LINE_LIMIT, SHOWN_LIMIT, shown
from dualstack_aks.model.loading import MAX_EXPANDED_NODES
from dualstack_aks.output.outdir import PENDING
from tests.conftest import REPO

SINGLE_REGION = REPO / "config" / "examples" / "single-region.yaml"
MINIMAL = "dns:\n  zone: a.example.com\nregions:\n  - name: eastus2\n    index: 0\n"
# Nine levels of nine aliases: 9^9 (387 million) values from 15 lines.
ALIAS_BOMB = (
    MINIMAL
    + 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]\n" for level in range(1, 9))
    + "security:\n  acknowledgements:\n    HOST-ENCRYPTION: *l8\n"
)
MANIFEST_OK = {
    "version": "test",
    "stacks": {"global": {"name": "global", "synthesizedStackPath": "stacks/global/cdk.tf.json", "workingDirectory": "stacks/global"}},
}


def tree(directory: Path) -> dict[str, bytes | None]:
    return {str(path.relative_to(directory)): None if path.is_dir() or not path.is_file() else path.read_bytes() for path in sorted(directory.rglob("*"))}


def output_folder(folder: Path, manifest: object = None, stack: bytes = b"{}") -> Path:
    """An output folder holding `manifest` (JSON, or raw bytes) and one stack file."""
    (folder / "stacks" / "global").mkdir(parents=True)
    manifest = MANIFEST_OK if manifest is None else manifest
    (folder / "manifest.json").write_bytes(manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode())
    (folder / "stacks" / "global" / "cdk.tf.json").write_bytes(stack)
    return folder


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for variable in ("CDKTF_OUTDIR", "DUALSTACK_CONFIG", "SYNTH_HCL_OUTPUT", "DUALSTACK_DEBUG"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


def run_refused(arguments: list[str], capsys, expected: str) -> str:
    """Run one command; it must exit 2 with exactly one stderr line containing `expected`."""
    status = cli_main(arguments)
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert status == 2, err
    assert len(lines) == 1, lines
    assert expected in lines[0], lines[0]
    assert len(lines[0]) <= LINE_LIMIT + 40
    return lines[0]


def test_shown_escapes_and_cuts_whatever_it_is_given():
    assert shown("x\ny") == "'x\\ny'"
    cut = shown("a" * 10_000)
    assert len(cut) < SHOWN_LIMIT + 40 and cut.endswith("…(+9920 characters)")
    nested: list = ["lol"] * 10
    for _ in range(8):
        nested = [nested] * 10  # a billion leaves, shared: shown must not walk them
    started = time.monotonic()
    assert len(shown(nested)) < SHOWN_LIMIT + 40
    assert time.monotonic() - started < 1


def test_the_alias_bomb_is_refused_at_once_without_expanding(workdir, capsys):
    (workdir / "bomb.yaml").write_text(ALIAS_BOMB)
    started = time.monotonic()
    for command in (["synth", "--config", "bomb.yaml"], ["addresses", "--config", "bomb.yaml"], ["bootstrap-state", "--config", "bomb.yaml"]):
        line = run_refused(command, capsys, f"aliases expand this to more than {MAX_EXPANDED_NODES} values")
        assert line.startswith("bomb.yaml:11:5: (yaml): ")  # l5, the first level past the budget: 10 * 9^5 values
    assert time.monotonic() - started < 5
    assert sorted(os.listdir(workdir)) == ["bomb.yaml"]


def test_aliases_within_the_budget_still_work(workdir, capsys):
    (workdir / "ok.yaml").write_text(MINIMAL + "tags: &t {team: a}\nsecurity: {}\n")
    assert cli_main(["addresses", "--config", "ok.yaml"]) == 0


@pytest.mark.parametrize(
    ("yaml_text", "line"),
    [
        ("tags: !!map []", "bad.yaml:6:7: (yaml): the tag !!map needs a mapping, got a list"),
        ("tags: !!seq {}", "bad.yaml:6:7: (yaml): the tag !!seq needs a list, got a mapping"),
        ("tags: !!set [a]", "bad.yaml:6:7: (yaml): the tag !!set needs a mapping, got a list"),
        ("tags: {a: !!str [1]}", "bad.yaml:6:11: (yaml): the tag !!str needs a single value, got a list"),
        ("tags: {a: !!float abc}", "bad.yaml:6:8: tags.a: the tag !!float needs a number, got 'abc'"),
        ("tags: {a: !!bool maybe}", "bad.yaml:6:8: tags.a: the tag !!bool needs true or false, got 'maybe'"),
    ],
)
def test_a_tag_on_the_wrong_kind_of_value_is_one_line(workdir, capsys, yaml_text, line):
    (workdir / "bad.yaml").write_text(f"{MINIMAL}{yaml_text}\n")
    assert run_refused(["addresses", "--config", "bad.yaml"], capsys, line) == line


def test_a_long_value_is_echoed_cut_short(workdir, capsys):
    (workdir / "bad.yaml").write_text(MINIMAL + "name_prefix: " + "x" * 900_000 + "\n")
    line = run_refused(["addresses", "--config", "bad.yaml"], capsys, "name_prefix: must match")
    assert line.endswith("…(+899920 characters)")


BAD_OUTPUT_FOLDERS = {
    "missing": (None, "missing/manifest.json not found: synthesize first"),
    "manifest-a-list": (("[1, 2]", b"{}"), "is not a synth's manifest"),
    "manifest-not-utf8": ((b"\xff\xfe{}", b"{}"), "manifest.json: is not JSON"),
    "manifest-path-outside": (({"stacks": {"global": {"synthesizedStackPath": "../../../etc/hostname"}}}, b"{}"), "is outside out"),
    "manifest-stack-name-escapes": (({"stacks": {"../x": {"synthesizedStackPath": "stacks/global/cdk.tf.json"}}}, b"{}"), "is not a synth's manifest"),
    "stack-corrupt": ((None, b'{"half'), "stacks/global/cdk.tf.json: is not JSON"),
    "stack-a-list": ((None, b"[]"), "is not a stack's Terraform JSON"),
}


@pytest.mark.parametrize("case", list(BAD_OUTPUT_FOLDERS))
@pytest.mark.parametrize(
    "command",
    [
        ["diagram", "--outdir", "{out}", "--output", "drawn/diagram"],
        ["diff", "--summary-only", "--outdir", "{out}"],
        ["scan", "--outdir", "{out}", "--checkov", sys.executable],
    ],
    ids=["diagram", "diff-summary", "scan"],
)
def test_a_bad_output_folder_is_one_line_for_every_reader(workdir, capsys, case, command):
    content, expected = BAD_OUTPUT_FOLDERS[case]
    if content is not None:
        manifest, stack = content
        output_folder(workdir / "out", manifest.encode() if isinstance(manifest, str) else manifest, stack)
    out = "missing" if case == "missing" else "out"
    before = tree(workdir)
    run_refused([part.format(out=out) for part in command], capsys, expected)
    assert tree(workdir) == before


def test_stacks_that_are_not_this_apps_synth_are_one_line_for_the_diagram(workdir, capsys):
    output_folder(workdir / "out", stack=b'{"resource": {"azurerm_kubernetes_cluster": {"a": {"name": 1}}, "helm_release": 7}}')
    run_refused(["diagram", "--outdir", "out"], capsys, "out: the stacks are not this app's synth")


def test_a_folder_whose_publish_was_killed_is_not_read(workdir, capsys):
    output_folder(workdir / "out")
    (workdir / "out" / PENDING).touch()
    run_refused(["diff", "--summary-only", "--outdir", "out"], capsys, "out: a synth was stopped while it published")


def test_a_dependency_cycle_is_one_line(workdir, capsys):
    manifest = {"stacks": {"a": {"synthesizedStackPath": "stacks/global/cdk.tf.json", "workingDirectory": ".", "dependencies": ["a"]}}}
    output_folder(workdir / "out", manifest)
    run_refused(["diff", "--summary-only", "--outdir", "out"], capsys, "dependency cycle among stacks")


def test_a_corrupt_diff_summary_is_one_line(workdir, capsys):
    output_folder(workdir / "out")
    (workdir / "out" / "diff-summary.json").write_text('{"not": "a list"}')
    run_refused(["diff", "--summary-only", "--outdir", "out"], capsys, "diff-summary.json: is not a diff summary")


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("", "--output '': must be a path without extension"),
        ("drawn/", "--output 'drawn/': must be a path without extension"),
        ("/proc/no-such-process/diagram", "/proc/no-such-process/diagram.svg cannot be written"),
    ],
)
def test_the_diagram_output_must_be_a_writable_path(workdir, capsys, output, expected):
    output_folder(workdir / "out", {"stacks": {}})
    before = tree(workdir)
    run_refused(["diagram", "--outdir", "out", "--output", output], capsys, expected)
    assert tree(workdir) == before


def test_diff_with_a_cdktf_that_is_not_there(workdir, capsys):
    output_folder(workdir / "out")
    run_refused(["diff", "--outdir", "out", "--cdktf", "no/such/cdktf"], capsys, "--cdktf 'no/such/cdktf': not an executable")
    assert not (workdir / "out" / "diff-summary.json").exists()


def test_scan_without_checkov(workdir, capsys):
    output_folder(workdir / "out")
    run_refused(["scan", "--outdir", "out", "--checkov", "no-such-checkov"], capsys, "--checkov 'no-such-checkov': not an executable")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "body.md not found: write the review summary first"),
        (b"\x89PNG\xff\x00", "body.md: is not UTF-8 text"),
        (b"text\x00binary", "holds NUL characters"),
        ("dir", "is a directory"),
    ],
    ids=["missing", "not-utf8", "nul", "folder"],
)
def test_publish_comment_refuses_a_body_that_is_no_summary(workdir, capsys, content, expected):
    if content == "dir":
        (workdir / "body.md").mkdir()
    elif content is not None:
        (workdir / "body.md").write_bytes(content)
    # gh is never reached: the body is read first.
    run_refused(["publish", "comment", "--repo", "o/r", "--pull-request", "1", "--body-file", "body.md"], capsys, expected)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, "chart/Chart.yaml not found: name the folder of an unpacked Helm chart"),
        ({"Chart.yaml": "name: x\nversion: 1\n"}, "chart/values.yaml not found"),
        ({"values.yaml": "[1]\n", "Chart.yaml": "name: x\nversion: 1\n"}, "must be a mapping of values"),
        ({"values.yaml": "a: [\n", "Chart.yaml": "name: x\nversion: 1\n"}, "values.yaml: is not YAML"),
        ({"values.yaml": "a: 1\n", "Chart.yaml": "- 1\n"}, "Chart.yaml: needs a name and a version"),
        ({"values.yaml": "a: &a {b: *a}\n", "Chart.yaml": "name: x\nversion: 1\n"}, "more than 100000 key paths or 64 levels"),
    ],
    ids=["empty", "no-values-yaml", "values-a-list", "values-not-yaml", "chart-a-list", "recursive-values"],
)
def test_chart_keys_on_a_folder_that_is_no_chart(workdir, capsys, files, expected):
    (workdir / "chart").mkdir()
    for name, text in files.items():
        (workdir / "chart" / name).write_text(text)
    run_refused(["chart-keys", "chart"], capsys, expected)


def test_an_outdir_that_looks_like_an_option_is_refused(workdir, capsys):
    assert main.main(["--config", str(SINGLE_REGION), "--outdir", "--help"]) == 2
    assert capsys.readouterr().err == "--outdir '--help': looks like an option, not a folder; write ./ in front if a folder has that name\n"
    assert os.listdir(workdir) == []


def test_a_usage_error_is_one_line(workdir, capsys):
    run_refused(["diff", "--no-such-option"], capsys, "python -m dualstack_aks diff: No such option '--no-such-option'")


def test_an_unexpected_failure_is_one_line_with_status_1(workdir, capsys, monkeypatch):
    from dualstack_aks.model import addresses

    def explode(*args: object) -> str:
        raise RuntimeError("first line\nsecond line")

    monkeypatch.setattr(addresses, "format_addresses", explode)
    (workdir / "ok.yaml").write_text(MINIMAL)
    assert cli_main(["addresses", "--config", "ok.yaml"]) == 1
    assert capsys.readouterr().err == "addresses failed: RuntimeError: first line (DUALSTACK_DEBUG=1 shows the traceback)\n"


# Processes of their own: jsii's node, and signals.


def _synth_process(workdir: Path, env: dict[str, str], **kwargs: object) -> subprocess.Popen:
    base = {key: value for key, value in os.environ.items() if key not in ("CDKTF_OUTDIR", "SYNTH_HCL_OUTPUT", "JSII_NODE")}
    return subprocess.Popen(
        [sys.executable, str(REPO / "main.py"), "--config", str(SINGLE_REGION), "--outdir", str(workdir / "out")],
        cwd=workdir,
        env=base | env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        ("#!/bin/sh\nexit 0\n", "is not Node.js: `--version` gave '' with status 0"),
        ("#!/bin/sh\necho oops >&2\nexit 3\n", "is not Node.js: `--version` gave '' with status 3"),
        ("#!/bin/sh\nsleep 600\n", "did not answer `--version` within 10 s"),
        ("#!/bin/sh\nsleep 600 &\nsleep 600\n", "did not answer `--version` within 10 s"),  # a child holding the pipe
    ],
    ids=["exits-at-once", "fails", "never-answers", "child-holds-pipe"],
)
def test_a_jsii_node_that_is_not_node_is_one_line_and_bounded(workdir, program, expected):
    fake = workdir / "fake-node"
    fake.write_text(program)
    fake.chmod(0o755)
    started = time.monotonic()
    process = _synth_process(workdir, {"JSII_NODE": str(fake)})
    _, err = process.communicate(timeout=60)
    assert time.monotonic() - started < 30
    assert process.returncode == 2, err
    assert len(err.splitlines()) == 1, err
    assert expected in err and "Traceback" not in err
    assert not (workdir / "out").exists()
