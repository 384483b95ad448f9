"""The output directory never loses a file: refusals, in-place atomic publishing, Terraform's own
files kept, faults injected between every file operation, real kills, and concurrent synths.

Most cases publish small fake synth outputs (no jsii); the kill and concurrency cases run the real
app in subprocesses, bounded in count and time.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import main
from dualstack_aks.output import outdir as outdir_module
from dualstack_aks.output.outdir import (
    BACKUP_MARKER,
    MANIFEST,
    OWNER_CONTENT,
    OWNER_MARKER,
    PENDING,
    STAGING_PREFIX,
    TEMP_MARKER,
    OutdirError,
    publish,
    synth_into,
)
from tests.conftest import DEFAULT_CONFIG, REPO

SINGLE_REGION = REPO / "config" / "examples" / "single-region.yaml"
DEFAULT = DEFAULT_CONFIG


def tree(directory: Path) -> dict[str, bytes | None]:
    """Every entry under `directory`: file bytes, or None for a folder."""
    return {str(path.relative_to(directory)): None if path.is_dir() else path.read_bytes() for path in sorted(directory.rglob("*"))}


def fake_synth(folder: Path, stacks: dict[str, str]) -> None:
    """What a synth writes: one cdk.tf.json per stack and a manifest listing them."""
    manifest = {"version": "fake", "stacks": {}}
    for name, marker in stacks.items():
        (folder / "stacks" / name).mkdir(parents=True, exist_ok=True)
        (folder / "stacks" / name / "cdk.tf.json").write_text(json.dumps({"stack": name, "marker": marker}))
        manifest["stacks"][name] = {"name": name, "synthesizedStackPath": f"stacks/{name}/cdk.tf.json"}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).write_text(json.dumps(manifest))


TERRAFORM_FILES = {
    "stacks/global/.terraform/providers/marker": b"provider binary",
    "stacks/global/.terraform.lock.hcl": b"# lock",
    "stacks/region-a/plan.tfplan": b"saved plan",
    "stacks/region-b/.terraform.lock.hcl": b"# lock of a removed region",
}


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    """A working directory with an earlier synth (stacks global, region-a, region-b) and Terraform's files in it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CDKTF_OUTDIR", raising=False)
    monkeypatch.delenv("SYNTH_HCL_OUTPUT", raising=False)
    fake_synth(tmp_path / "cdktf.out", {"global": "old", "region-a": "old", "region-b": "old"})
    for relative, content in TERRAFORM_FILES.items():
        (tmp_path / "cdktf.out" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "cdktf.out" / relative).write_bytes(content)
    (tmp_path / "cdktf.out" / OWNER_MARKER).write_bytes(OWNER_CONTENT)
    (tmp_path / "keep.txt").write_text("a file beside the output directory")
    return tmp_path


@pytest.fixture
def new_synth(tmp_path) -> Path:
    """The next synth: region-b removed, the others changed."""
    staging = tmp_path.parent / f"{tmp_path.name}-staging"
    fake_synth(staging, {"global": "new", "region-a": "new"})
    return staging


# Refusals: one line, exit 2, nothing touched.


@pytest.mark.parametrize(
    ("outdir", "problem"),
    [
        (".", "is the working directory"),
        ("", "must name a folder"),
        ("config", "holds the config file"),
        ("config/bad.yaml", "is an existing file"),
        ("keep.txt", "is an existing file"),
        ("notes", "is a non-empty folder that holds no earlier synth"),
        ("..", "holds the working directory"),
        (str(REPO), "is the repository root"),
    ],
)
def test_dangerous_outdirs_are_refused(workdir, capsys, outdir, problem):
    (workdir / "config").mkdir()
    (workdir / "config" / "bad.yaml").write_text(SINGLE_REGION.read_text())
    (workdir / "notes").mkdir()
    (workdir / "notes" / "todo.txt").write_text("mine")
    before = tree(workdir)

    assert main.main(["--config", "config/bad.yaml", "--outdir", outdir]) == 2

    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and problem in lines[0] and lines[0].startswith(f"--outdir {outdir!r}: "), lines
    assert tree(workdir) == before


def test_cdktf_outdir_variable_is_checked_too(workdir, capsys, monkeypatch):
    monkeypatch.setenv("CDKTF_OUTDIR", ".")
    before = tree(workdir)
    assert main.main(["--config", str(SINGLE_REGION)]) == 2
    assert "is the working directory" in capsys.readouterr().err
    assert tree(workdir) == before


def test_hcl_output_is_refused_before_anything_is_written(workdir, capsys, monkeypatch):
    """`cdktf synth --hcl` runs the app with SYNTH_HCL_OUTPUT=true."""
    monkeypatch.setenv("SYNTH_HCL_OUTPUT", "true")
    before = tree(workdir)
    assert main.main(["--config", str(SINGLE_REGION)]) == 2
    assert capsys.readouterr().err.startswith("cdktf synth --hcl: not supported")
    assert tree(workdir) == before


# Publishing: in place, atomic per file, Terraform's files kept.


def test_publish_replaces_stacks_keeps_terraform_files_and_removes_only_what_it_wrote(workdir, new_synth):
    publish(new_synth, workdir / "cdktf.out")
    after = tree(workdir / "cdktf.out")
    for relative, content in TERRAFORM_FILES.items():
        assert after[relative] == content, relative
    assert json.loads(after["stacks/global/cdk.tf.json"])["marker"] == "new"
    assert "stacks/region-b/cdk.tf.json" not in after  # removed stack: its JSON goes, Terraform's lock file stays
    assert after[MANIFEST] == (new_synth / MANIFEST).read_bytes()
    assert (workdir / "keep.txt").read_text() == "a file beside the output directory"


def test_a_removed_stack_without_terraform_files_loses_its_folder(workdir, new_synth):
    (workdir / "cdktf.out" / "stacks" / "region-b" / ".terraform.lock.hcl").unlink()
    publish(new_synth, workdir / "cdktf.out")
    assert not (workdir / "cdktf.out" / "stacks" / "region-b").exists()


def test_under_the_cdktf_cli_removed_stacks_are_left_for_it(workdir, new_synth):
    """The CLI lists stack folders before running the app and removes the orphans after it."""
    before = (workdir / "cdktf.out" / "stacks" / "region-b" / "cdk.tf.json").read_bytes()
    publish(new_synth, workdir / "cdktf.out", remove_orphans=False)
    assert (workdir / "cdktf.out" / "stacks" / "region-b" / "cdk.tf.json").read_bytes() == before


def test_unchanged_files_keep_their_timestamps(workdir, new_synth):
    publish(new_synth, workdir / "cdktf.out")
    stack = workdir / "cdktf.out" / "stacks" / "global" / "cdk.tf.json"
    os.utime(stack, (1_000_000_000, 1_000_000_000))
    publish(new_synth, workdir / "cdktf.out")
    assert stack.stat().st_mtime == 1_000_000_000


@pytest.mark.parametrize(("umask", "file_mode", "folder_mode"), [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700), (0o002, 0o664, 0o775)])
def test_files_and_folders_follow_the_umask(tmp_path, new_synth, umask, file_mode, folder_mode):
    previous = os.umask(umask)
    try:
        publish(new_synth, tmp_path / "out")
    finally:
        os.umask(previous)
    assert (tmp_path / "out").stat().st_mode & 0o777 == folder_mode
    assert (tmp_path / "out" / "stacks" / "global").stat().st_mode & 0o777 == folder_mode
    assert (tmp_path / "out" / MANIFEST).stat().st_mode & 0o777 == file_mode
    assert (tmp_path / "out" / "stacks" / "global" / "cdk.tf.json").stat().st_mode & 0o777 == file_mode


def test_leftovers_of_a_killed_publish_are_removed(workdir, new_synth):
    leftover = workdir / "cdktf.out" / "stacks" / "global" / f".cdk.tf.json{TEMP_MARKER}abc"
    leftover.write_text('{"half')
    publish(new_synth, workdir / "cdktf.out")
    assert not leftover.exists()


def test_a_synth_that_writes_no_manifest_publishes_nothing(workdir):
    before = tree(workdir)
    with pytest.raises(OutdirError, match=r"wrote no manifest\.json"):
        synth_into("cdktf.out", lambda staging: (Path(staging) / "cdk.tf.json").write_text("{}"))
    assert tree(workdir) == before


@pytest.mark.parametrize("error", [RuntimeError("provider exploded"), KeyboardInterrupt()], ids=["error", "interrupt"])
def test_a_failing_synth_publishes_nothing_and_leaves_no_staging(workdir, monkeypatch, error):
    monkeypatch.setenv("TMPDIR", str(workdir.parent))
    monkeypatch.setattr(outdir_module.tempfile, "tempdir", None)
    before = tree(workdir)

    def synth(staging: str) -> None:
        fake_synth(Path(staging), {"global": "half"})
        raise error

    with pytest.raises(type(error)):
        synth_into("cdktf.out", synth)
    assert tree(workdir) == before
    assert list(workdir.parent.glob(f"{STAGING_PREFIX}*")) == []


def test_staging_folders_of_killed_synths_are_removed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(outdir_module.tempfile, "gettempdir", lambda: str(tmp_path))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"{STAGING_PREFIX}{dead.pid}-x"
    (stale / "stacks").mkdir(parents=True)
    alive = tmp_path / f"{STAGING_PREFIX}{os.getppid()}-y"
    alive.mkdir()
    synth_into("out", lambda staging: fake_synth(Path(staging), {"global": "new"}))
    assert not stale.exists()
    assert alive.exists()


# Faults between every file operation.

FILE_OPERATIONS = [
    ("os", "replace"),
    ("os", "link"),
    ("os", "fsync"),
    ("os", "chmod"),
    ("tempfile", "mkstemp"),
    ("Path", "unlink"),
    ("Path", "rmdir"),
    ("Path", "mkdir"),
]


def _patch_file_operations(monkeypatch, fault_at: int | None = None, fault: BaseException | None = None) -> list[int]:
    """Count every file operation of the publish (the returned list holds the count), raising `fault` at call `fault_at`."""
    calls = [0]
    owners = {"os": outdir_module.os, "tempfile": outdir_module.tempfile, "Path": outdir_module.Path}
    for owner_name, name in FILE_OPERATIONS:
        owner = owners[owner_name]
        original = getattr(owner, name)

        def patched(*args, _original=original, **kwargs):
            calls[0] += 1
            if calls[0] == fault_at and fault is not None:
                raise fault
            return _original(*args, **kwargs)

        monkeypatch.setattr(owner, name, patched)
    return calls


def _assert_a_whole_set(outdir: Path, old: dict[str, bytes | None], new: dict[str, bytes | None]) -> None:
    """The manifest and the stack files on disk are one synth's: the old set or the new set, never a mix."""
    state = {relative: content for relative, content in tree(outdir).items() if BACKUP_MARKER not in relative and relative != PENDING}
    generation = old if state.get(MANIFEST) == old[MANIFEST] else new
    assert state.get(MANIFEST) == generation[MANIFEST], "the manifest is neither the old nor the new one"
    stack_files = {relative: content for relative, content in state.items() if relative.endswith("/cdk.tf.json")}
    assert stack_files == {relative: content for relative, content in generation.items() if relative.endswith("/cdk.tf.json")}, (
        "the stacks disagree with the manifest"
    )


def _assert_each_file_is_old_or_new(outdir: Path, old: dict[str, bytes | None], new: dict[str, bytes | None]) -> None:
    state = tree(outdir)
    for relative, content in state.items():
        if content is None or BACKUP_MARKER in relative or relative == PENDING:  # the journal of a faulted switch: the next publish rolls back or removes it
            continue
        assert TEMP_MARKER not in relative, f"temporary file left: {relative}"
        assert content in (old.get(relative), new.get(relative)), f"{relative} is neither the old nor the new file"
        if relative.endswith(".json"):
            json.loads(content)  # complete
    for relative, content in TERRAFORM_FILES.items():
        assert state[relative] == content, f"Terraform's {relative} was touched"


@pytest.mark.parametrize("fault", [OSError(28, "No space left on device"), KeyboardInterrupt()], ids=["disk-full", "interrupt"])
def test_a_fault_at_every_file_operation_leaves_each_file_complete(workdir, new_synth, monkeypatch, tmp_path_factory, fault):
    old = tree(workdir / "cdktf.out")
    pristine = tmp_path_factory.mktemp("pristine")
    subprocess.run(["cp", "-a", f"{workdir}/.", str(pristine)], check=True)
    calls = _patch_file_operations(monkeypatch)
    publish(new_synth, workdir / "cdktf.out")
    monkeypatch.undo()
    total, new = calls[0], tree(workdir / "cdktf.out")
    assert total >= 10
    for failing_call in range(1, total + 1):
        subprocess.run(["rm", "-rf", str(workdir / "cdktf.out")], check=True)
        subprocess.run(["cp", "-a", f"{pristine}/cdktf.out", str(workdir)], check=True)
        _patch_file_operations(monkeypatch, fault_at=failing_call, fault=fault)
        try:
            publish(new_synth, workdir / "cdktf.out")
        except type(fault):
            pass  # a fault while removing the backups of a complete publish is not raised: the new set is in place
        monkeypatch.undo()
        monkeypatch.chdir(workdir)
        _assert_each_file_is_old_or_new(workdir / "cdktf.out", old, new)
        _assert_a_whole_set(workdir / "cdktf.out", old, new)
        assert (workdir / "keep.txt").read_text() == "a file beside the output directory"
        publish(new_synth, workdir / "cdktf.out")  # the next synth recovers fully
        assert tree(workdir / "cdktf.out") == new


def test_a_full_disk_is_one_line(workdir, new_synth, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device", "cdktf.out/stacks/global/x")

    monkeypatch.setattr(outdir_module.os, "fsync", full)
    with pytest.raises(
        OutdirError, match=r"^cdktf.out: cannot be written \(cdktf.out/stacks/global/x\): No space left on device; every stack file there is still complete$"
    ):
        synth_into("cdktf.out", lambda staging: fake_synth(Path(staging), {"global": "new"}))


# The real app: killed at random moments, and two synths at once.


def _run_main(config: Path, outdir: Path, **kwargs) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if key not in ("CDKTF_OUTDIR", "SYNTH_HCL_OUTPUT")}
    env.update(kwargs.pop("env", {}))
    return subprocess.Popen([sys.executable, str(REPO / "main.py"), "--config", str(config), "--outdir", str(outdir)], cwd=REPO, env=env, text=True, **kwargs)


def _stacks_complete(outdir: Path, expected: dict[str, dict[str, bytes | None]]) -> None:
    state = tree(outdir)
    for relative, content in state.items():
        if content is None or TEMP_MARKER in relative:
            continue  # a SIGKILL can leave a temporary file; the next synth removes it
        assert any(content == candidate.get(relative) for candidate in expected.values()), f"{relative} is incomplete or foreign"


def test_real_synth_killed_at_random_moments(tmp_path):
    """SIGKILL (no cleanup possible) and SIGTERM at seeded random moments: every stack file is the
    complete old or new one, and the next synth leaves no staging folder of the killed ones."""
    temp_root = tmp_path / "tmp"
    temp_root.mkdir()
    env = {"TMPDIR": str(temp_root)}
    expected = {}
    for config in (SINGLE_REGION, DEFAULT):
        out = tmp_path / f"expected-{config.stem}" / "cdktf.out"  # the same folder name: the same local state paths
        assert _run_main(config, out, env=env, stdout=subprocess.DEVNULL).wait(timeout=120) == 0
        expected[config.stem] = tree(out)
    outdir = tmp_path / "cdktf.out"
    assert _run_main(SINGLE_REGION, outdir, env=env, stdout=subprocess.DEVNULL).wait(timeout=120) == 0
    moments = random.Random(12).sample(range(200, 6000, 100), 4)
    for position, moment in enumerate(moments):
        process = _run_main(DEFAULT, outdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(moment / 1000)
        process.send_signal(signal.SIGKILL if position % 2 == 0 else signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
        assert "Traceback" not in stderr
        _stacks_complete(outdir, expected)
    assert _run_main(DEFAULT, outdir, env=env, stdout=subprocess.DEVNULL).wait(timeout=120) == 0
    assert tree(outdir) == expected["default"]
    assert [path.name for path in temp_root.iterdir() if path.name.startswith(STAGING_PREFIX)] == []


def test_a_second_synth_waits_for_the_lock_and_says_so(tmp_path, new_synth, capfd):
    target = tmp_path / "out"
    target.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time; d = os.open(sys.argv[1], os.O_RDONLY); fcntl.flock(d, fcntl.LOCK_EX); print('held', flush=True); time.sleep(1.5)",
            str(target),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline() == "held\n"
    publish(new_synth, target)
    # The holder sleeps after taking the lock and only then exits: a publish that returned first did not wait.
    assert holder.wait(timeout=10) == 0
    assert "another synth is writing" in capfd.readouterr().err


def test_two_synths_at_once_both_finish_and_leave_complete_stacks(tmp_path):
    outdir = tmp_path / "cdktf.out"
    first = _run_main(DEFAULT, outdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = _run_main(DEFAULT, outdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for process in (first, second):
        _, stderr = process.communicate(timeout=180)
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr
    reference = tmp_path / "reference" / "cdktf.out"  # the same folder name: the same local state paths
    assert _run_main(DEFAULT, reference, stdout=subprocess.DEVNULL).wait(timeout=120) == 0
    assert tree(outdir) == tree(reference)


# Only a folder this app wrote is an earlier synth; no symlink is followed out of the output (issue 23).


def test_a_foreign_manifest_does_not_make_a_folder_an_earlier_synth(workdir, capsys):
    (workdir / "w").mkdir()
    (workdir / "w" / MANIFEST).write_text('{"name":"app"}')
    before = tree(workdir)
    assert main.main(["--config", str(SINGLE_REGION), "--outdir", "w"]) == 2
    assert (
        capsys.readouterr().err
        == f"--outdir 'w': is a non-empty folder that holds no earlier synth of this app ({OWNER_MARKER}); name an empty or new folder, like cdktf.out\n"
    )
    assert tree(workdir) == before


@pytest.mark.parametrize(
    ("marker", "manifest_stacks", "stack_json", "ours"),
    [
        (OWNER_CONTENT, {}, None, True),
        (b"dualstack-aks", {}, None, False),  # a marker with other content is not ours
        (None, {"global": "stacks/global/cdk.tf.json"}, {"//": {"metadata": {"stackName": "global"}}}, True),  # an earlier version's output
        (None, {"app": "stacks/app/cdk.tf.json"}, {"//": {"metadata": {"stackName": "app"}}}, False),  # another cdktf project
        (None, {"global": "stacks/global/cdk.tf.json"}, {"resource": {}}, False),  # not cdktf's JSON of that stack
        (None, {"global": "../global.json"}, {"//": {"metadata": {"stackName": "global"}}}, False),
    ],
    ids=["marker", "marker-other-content", "upgrade", "other-project", "not-cdktf-json", "path-elsewhere"],
)
def test_what_counts_as_an_earlier_synth(tmp_path, marker, manifest_stacks, stack_json, ours):
    folder = tmp_path / "out"
    folder.mkdir()
    if marker is not None:
        (folder / OWNER_MARKER).write_bytes(marker)
    stacks = {name: {"name": name, "synthesizedStackPath": path} for name, path in manifest_stacks.items()}
    (folder / MANIFEST).write_text(json.dumps({"version": "0.21.0", "stacks": stacks}))
    for name in manifest_stacks:
        (folder / "stacks" / name).mkdir(parents=True)
        (folder / "stacks" / name / "cdk.tf.json").write_text(json.dumps(stack_json))
    assert outdir_module._written_by_us(folder) is ours


def test_a_stack_folder_that_is_a_symlink_is_refused_and_its_target_untouched(workdir, new_synth):
    elsewhere = workdir / "users-folder"
    elsewhere.mkdir()
    (elsewhere / "cdk.tf.json").write_text("the user's own file")
    subprocess.run(["rm", "-rf", str(workdir / "cdktf.out" / "stacks" / "global")], check=True)
    (workdir / "cdktf.out" / "stacks" / "global").symlink_to(elsewhere)
    before = tree(workdir / "cdktf.out")
    with pytest.raises(OutdirError, match=r"stacks/global: is a symlink; the synth never writes through one"):
        publish(new_synth, workdir / "cdktf.out")
    assert (elsewhere / "cdk.tf.json").read_text() == "the user's own file"
    assert sorted(os.listdir(elsewhere)) == ["cdk.tf.json"]
    assert tree(workdir / "cdktf.out") == before


def test_a_stack_file_that_is_a_symlink_is_refused(workdir, new_synth):
    target = workdir / "keep.txt"
    stack_file = workdir / "cdktf.out" / "stacks" / "region-a" / "cdk.tf.json"
    stack_file.unlink()
    stack_file.symlink_to(target)
    with pytest.raises(OutdirError, match=r"region-a/cdk.tf.json: is a symlink"):
        publish(new_synth, workdir / "cdktf.out")
    assert target.read_text() == "a file beside the output directory"


@pytest.mark.parametrize(
    ("link_to", "problem"),
    [("missing/folder", "is a symlink to '.*missing/folder', which is no folder"), ("loop", "cannot be resolved")],
    ids=["dangling", "loop"],
)
def test_an_outdir_that_is_a_dangling_symlink_or_a_loop_is_one_line(workdir, capsys, link_to, problem):
    (workdir / "out").symlink_to(workdir / link_to)
    if link_to == "loop":
        (workdir / "loop").symlink_to(workdir / "out")
    before = sorted(os.listdir(workdir))
    assert main.main(["--config", str(SINGLE_REGION), "--outdir", "out"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and re.search(problem, lines[0]), lines
    assert sorted(os.listdir(workdir)) == before and not (workdir / "missing").exists()


def test_a_publish_killed_during_its_renames_is_rolled_back_by_the_next(workdir, new_synth):
    """SIGKILL in the middle of the switch: the new global stack and manifest are in place, the old
    ones kept as backups, PENDING present. The next publish rolls back first, then publishes whole."""
    outdir = workdir / "cdktf.out"
    old = tree(outdir)
    for relative in ("stacks/global/cdk.tf.json", MANIFEST):
        os.link(outdir / relative, outdir_module._backup_of(outdir / relative))
        (outdir / "renamed").write_bytes((new_synth / relative).read_bytes())
        os.replace(outdir / "renamed", outdir / relative)
    (outdir / "stacks" / "region-c").mkdir()
    (outdir / "stacks" / "region-c" / "cdk.tf.json").write_text('{"created": "by the killed publish"}')
    (outdir / PENDING).touch()
    outdir_module._roll_back_killed_publish(outdir)
    assert tree(outdir) == old
    publish(new_synth, outdir)
    _assert_a_whole_set(outdir, old, tree(outdir))
    assert not (outdir / PENDING).exists() and not list(outdir.rglob(f"*{BACKUP_MARKER}*"))


def test_a_manifest_nested_without_end_is_no_earlier_synth(tmp_path):
    (tmp_path / MANIFEST).write_bytes(b"[" * 100_000 + b"]" * 100_000)
    assert outdir_module._written_by_us(tmp_path) is False
