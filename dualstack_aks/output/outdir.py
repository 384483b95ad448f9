"""The output directory, written the way cdktf's own CLI expects it and never lost.

The app synthesizes into a private staging folder, then publishes into the output directory
in place: each file through a temporary file and a rename in its own folder, the stacks first
and `manifest.json` last, so at every instant each stack's JSON is the complete old or the
complete new one. Only what the synth wrote is ever replaced or removed: Terraform's own files in
`stacks/<stack>/` (`.terraform/`, `.terraform.lock.hcl`, saved plans) stay, and a stack that no
longer exists loses only its `cdk.tf.json`. Concurrent synths into one folder take turns (a lock).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dualstack_aks.errors import BadInput, shown

MANIFEST = "manifest.json"
STACK_FILE = "cdk.tf.json"
# Temporary files of an unfinished publish start with this; the next publish removes them.
TEMP_MARKER = ".tmp-dualstack-"
# Staging folders live in the system's temp folder, named with their process id.
STAGING_PREFIX = "dualstack-aks-synth-"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Held back while files are published, so a Ctrl-C or kill request lands before or after, never between.
_DEFERRED_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


class OutdirError(BadInput):
    """The output directory cannot be used or written; the message is one line for the user."""


def _repository_roots(start: Path) -> set[Path]:
    roots = {PROJECT_ROOT}
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            roots.add(folder)
            break
    return roots


def check_outdir(outdir: str, config_path: str | None = None) -> Path:
    """The resolved output directory, or OutdirError when writing there could destroy something."""
    label = f"--outdir {shown(outdir)}"
    if not outdir.strip():
        raise OutdirError(f"{label}: must name a folder for the synthesized stacks, like cdktf.out")
    if outdir.startswith("-"):
        raise OutdirError(f"{label}: looks like an option, not a folder; write ./ in front if a folder has that name")
    target = Path(outdir).resolve()
    cwd = Path.cwd().resolve()
    if target == cwd:
        raise OutdirError(f"{label}: is the working directory; name a folder of its own, like cdktf.out")
    for root in _repository_roots(cwd):
        if target == root:
            raise OutdirError(f"{label}: is the repository root; name a folder of its own, like cdktf.out")
        if target in root.parents or target in cwd.parents:
            raise OutdirError(f"{label}: holds the working directory or the repository; name a folder of its own, like cdktf.out")
    if config_path:
        config = Path(config_path).resolve()
        if target in config.parents:
            raise OutdirError(f"{label}: holds the config file {config_path}; name a folder of its own, like cdktf.out")
    if target.exists() and not target.is_dir():
        raise OutdirError(f"{label}: is an existing file, not a folder; name a folder, like cdktf.out")
    if target.is_dir() and not (target / MANIFEST).is_file() and any(target.iterdir()):
        raise OutdirError(f"{label}: is a non-empty folder that holds no earlier synth ({MANIFEST}); name an empty or new folder, like cdktf.out")
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_atomically(destination: Path, content: bytes, mode: int) -> None:
    """Write through a temporary file in the same folder, then rename it over `destination`."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{destination.name}{TEMP_MARKER}", dir=destination.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise OutdirError(f"{folder / MANIFEST}: cannot be read as the synth's manifest ({error})") from None


@contextmanager
def _deferred_signals() -> Iterator[None]:
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def locked(target: Path) -> Iterator[None]:
    """Hold the output directory's lock; a second synth waits for the first, and says so."""
    target.mkdir(parents=True, exist_ok=True)
    # The folder itself is the lock (flock on its descriptor): no lock file lands in the output.
    descriptor = os.open(target, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"another synth is writing {target}; waiting for it to finish", file=sys.stderr)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _remove_leftovers(target: Path) -> None:
    """Temporary files of a publish that was killed before its rename (only ever ours)."""
    for leftover in [*target.glob(f"*{TEMP_MARKER}*"), *target.glob(f"stacks/*/*{TEMP_MARKER}*")]:
        leftover.unlink(missing_ok=True)


def publish(staging: Path, target: Path, *, remove_orphans: bool = True) -> None:
    """Copy what the synth wrote in `staging` into `target`, file by file, atomically each.
    `remove_orphans`: also remove the files of stacks the new manifest no longer lists (the cdktf
    CLI removes those folders itself after running the app, so it must find them)."""
    new_files = {stack["synthesizedStackPath"] for stack in _read_manifest(staging).get("stacks", {}).values()}
    mode = 0o666 & ~_umask()
    with locked(target), _deferred_signals():
        _remove_leftovers(target)
        written = sorted(path for path in staging.rglob("*") if path.is_file() and path.name != MANIFEST)
        for source in written:
            destination = target / source.relative_to(staging)
            content = source.read_bytes()
            if destination.is_file() and destination.read_bytes() == content:
                continue  # unchanged: keep its timestamp, so make and Terraform see no change
            destination.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(destination, content, mode)
        _write_atomically(target / MANIFEST, (staging / MANIFEST).read_bytes(), mode)
        if remove_orphans:
            # Found by scanning, not from the old manifest: a publish killed here left it already replaced.
            for stack_file in sorted(target.glob(f"stacks/*/{STACK_FILE}")):
                if str(stack_file.relative_to(target)) not in new_files:
                    _remove_stack_file(stack_file)


def _remove_stack_file(stack_file: Path) -> None:
    """A removed stack's JSON, and its folder once nothing of Terraform's is left in it."""
    stack_file.unlink(missing_ok=True)
    try:
        stack_file.parent.rmdir()
    except OSError as error:
        if error.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT):
            raise


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_dead_stagings(temp_root: Path) -> None:
    """Staging folders of synths that were killed outright (SIGKILL leaves no chance to clean up)."""
    for folder in temp_root.glob(f"{STAGING_PREFIX}*-*"):
        pid = folder.name.removeprefix(STAGING_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def synth_into(outdir: str, synth: Callable[[str], None], *, config_path: str | None = None, remove_orphans: bool = True) -> Path:
    """Check `outdir`, run `synth(staging)` in a private folder, then publish what it wrote."""
    target = check_outdir(outdir, config_path)
    temp_root = Path(tempfile.gettempdir())
    _remove_dead_stagings(temp_root)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=temp_root))
    try:
        synth(str(staging))
        if not (staging / MANIFEST).is_file():
            raise OutdirError(f"the synth wrote no {MANIFEST}; {outdir} was left as it was")
        try:
            publish(staging, target, remove_orphans=remove_orphans)
        except OSError as error:
            where = f" ({error.filename})" if error.filename else ""
            raise OutdirError(f"{outdir}: cannot be written{where}: {error.strerror or error}; every stack file there is still complete") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
