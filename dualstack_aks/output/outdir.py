"""The output directory, written the way cdktf's own CLI expects it and never lost.

The app synthesizes into a private staging folder, then publishes into the output directory
in place, as a set: every new file is first written in full beside its destination (a full disk
fails here, with nothing replaced), then each destination is kept as a hard-linked backup and the
new file renamed over it, `manifest.json` last; a failure during the renames puts every backup
back, so the manifest and the stacks are the old set or the new set, never a mix. A publish killed
outright (SIGKILL) leaves its backups, and the next one rolls them back first. Only what the synth
wrote is ever replaced or removed: Terraform's own files in `stacks/<stack>/` (`.terraform/`,
`.terraform.lock.hcl`, saved plans) stay, and a stack that no longer exists loses only its
`cdk.tf.json`. Concurrent synths into one folder take turns (a lock).

A folder counts as an earlier synth only when it holds OWNER_MARKER with its exact content, which
every publish writes, or, once, when it is the output of an earlier version of this app (no marker
yet): a cdktf manifest whose every stack is one this app names (global, region-*, ingress-*,
state-backend) at stacks/<name>/cdk.tf.json, each file cdktf's JSON of that stack. A foreign
`manifest.json` is neither. No symlink inside the output directory is followed: a stack folder or
file that is one is refused, as is an output directory that is a dangling symlink or a loop.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from dualstack_aks.errors import BadInput, read_input, shown

MANIFEST = "manifest.json"
STACK_FILE = "cdk.tf.json"
# Folders the synth copies into a stack's folder (cdktf's TerraformAsset: stacks/<stack>/assets/<name>/<hash>/).
ASSETS = "assets"
# Temporary files of an unfinished publish start with this; the next publish removes them.
TEMP_MARKER = ".tmp-dualstack-"
# The backup of a file a publish replaced or removed, until the publish is complete.
BACKUP_MARKER = ".bak-dualstack-"
# Present while a publish renames: a publish that finds it was killed in the middle and rolls back.
PENDING = ".dualstack-publish-pending"
OWNER_MARKER = ".dualstack-aks-output"
OWNER_CONTENT = b"dualstack-aks: this folder is synthesized by `python main.py`; manifest.json and stacks/*/cdk.tf.json are replaced on every synth\n"
# The stacks this app (and its earlier versions) names: the upgrade rule for a folder without the marker.
# A manifest lists a few stacks in a few KB; the stacks themselves are a few hundred KB each.
MAX_MANIFEST_BYTES = 1024 * 1024
_OUR_STACK = re.compile(r"global|region-[a-z0-9]+|ingress-[a-z0-9]+|state-backend")
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
    given = Path(outdir)
    try:
        target = given.resolve()
    except (RuntimeError, OSError) as error:  # a symlink loop
        raise OutdirError(f"{label}: cannot be resolved ({error}); name a plain folder, like cdktf.out") from None
    if given.is_symlink() and not target.is_dir():
        raise OutdirError(f"{label}: is a symlink to {shown(str(target))}, which is no folder; name a plain folder, like cdktf.out")
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
    if target.is_dir() and any(target.iterdir()) and not _written_by_us(target):
        raise OutdirError(
            f"{label}: is a non-empty folder that holds no earlier synth of this app ({OWNER_MARKER}); name an empty or new folder, like cdktf.out"
        )
    return target


def _written_by_us(folder: Path) -> bool:
    """Whether `folder` holds an earlier synth of this app (the module's docstring: the marker, or the upgrade rule)."""
    marker = folder / OWNER_MARKER
    if marker.is_file() and not marker.is_symlink():
        return marker.stat().st_size == len(OWNER_CONTENT) and marker.read_bytes() == OWNER_CONTENT
    try:
        stacks = json.loads(read_input(folder / MANIFEST, MAX_MANIFEST_BYTES, "")).get("stacks")
        return (
            isinstance(stacks, dict)
            and bool(stacks)
            and all(
                _OUR_STACK.fullmatch(name)
                and entry.get("synthesizedStackPath") == f"stacks/{name}/{STACK_FILE}"
                and json.loads(read_input(folder / "stacks" / name / STACK_FILE, MAX_MANIFEST_BYTES * 64, ""))["//"]["metadata"]["stackName"] == name
                for name, entry in stacks.items()
            )
        )
    except (BadInput, ValueError, AttributeError, KeyError, TypeError, RecursionError):  # RecursionError: JSON nested without end
        return False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_beside(destination: Path, content: bytes, mode: int) -> Path:
    """Write `content` in full to a temporary file beside `destination` (same folder, so a rename can replace it)."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{destination.name}{TEMP_MARKER}", dir=destination.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def _backup_of(destination: Path) -> Path:
    return destination.with_name(f".{destination.name}{BACKUP_MARKER}")


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


def _refuse_symlinks(target: Path, relative: Path) -> None:
    """Refuse to write through a symlink anywhere between the output directory and `relative` in it."""
    path = target
    for part in relative.parts:
        path = path / part
        if path.is_symlink():
            raise OutdirError(f"{path}: is a symlink; the synth never writes through one, remove it (the output directory holds only what the synth wrote)")


def _roll_back_killed_publish(target: Path) -> None:
    """Undo a publish that was killed during its renames (PENDING is there): every backup back in
    place, then the stack files the restored manifest does not list (the killed publish created
    them) removed. Without PENDING, backups are leftovers of a publish that completed."""
    backups = [*target.glob(f".*{BACKUP_MARKER}"), *target.glob(f"stacks/*/.*{BACKUP_MARKER}")]
    if not (target / PENDING).exists():
        for backup in backups:
            backup.unlink(missing_ok=True)
        return
    for backup in backups:
        os.replace(backup, backup.with_name(backup.name.removeprefix(".").removesuffix(BACKUP_MARKER)))
    listed = _listed_stack_files(target)
    for stack_file in target.glob(f"stacks/*/{STACK_FILE}"):
        if str(stack_file.relative_to(target)) not in listed:
            _remove_stack_file(stack_file)
    (target / PENDING).unlink()


def _remove_stack_file(stack_file: Path) -> None:
    """A stack's JSON, and its folder once nothing of Terraform's is left in it."""
    stack_file.unlink(missing_ok=True)
    _remove_empty_folder(stack_file.parent)


def _listed_stack_files(folder: Path) -> set[str]:
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return set()
    stacks = _read_manifest(folder).get("stacks", {})
    return {stack["synthesizedStackPath"] for stack in stacks.values()} if isinstance(stacks, dict) else set()


def _remove_leftovers(target: Path) -> None:
    """Temporary files of a publish that was killed before its renames (only ever ours)."""
    for leftover in [*target.glob(f"*{TEMP_MARKER}*"), *target.glob(f"stacks/*/*{TEMP_MARKER}*")]:
        leftover.unlink(missing_ok=True)


def publish(staging: Path, target: Path, *, remove_orphans: bool = True) -> None:
    """Publish what the synth wrote in `staging` into `target` as a set (the module's docstring).
    `remove_orphans`: also remove the files of stacks the new manifest no longer lists (the cdktf
    CLI removes those folders itself after running the app, so it must find them)."""
    new_files = _listed_stack_files(staging)
    mode = 0o666 & ~_umask()
    with locked(target), _deferred_signals():
        _roll_back_killed_publish(target)
        _remove_leftovers(target)
        contents = {path.relative_to(staging): path.read_bytes() for path in sorted(staging.rglob("*")) if path.is_file() and path.name != MANIFEST}
        contents[Path(OWNER_MARKER)] = OWNER_CONTENT
        contents[Path(MANIFEST)] = (staging / MANIFEST).read_bytes()  # last: it names the new set
        for relative in contents:
            _refuse_symlinks(target, relative)
        changed = {relative: content for relative, content in contents.items() if not _same_file(target / relative, content)}
        orphans = [
            stack_file
            for stack_file in sorted(target.glob(f"stacks/*/{STACK_FILE}"))
            if remove_orphans and str(stack_file.relative_to(target)) not in new_files
        ]
        for stack_file in orphans:
            _refuse_symlinks(target, stack_file.relative_to(target))
        _switch(target, _prepare(target, changed, mode), orphans)
        _remove_stale_assets(staging, target)
        for stack_file in orphans:  # a removed stack's folder, now that its assets are gone too
            with suppress(OSError):
                _remove_empty_folder(stack_file.parent)


def _same_file(destination: Path, content: bytes) -> bool:
    # Unchanged files are left alone, so make and Terraform see no change in their timestamps.
    return destination.is_file() and destination.stat().st_size == len(content) and destination.read_bytes() == content


def _prepare(target: Path, changed: dict[Path, bytes], mode: int) -> dict[Path, Path]:
    """Every changed file written in full beside its destination; destination -> temporary file.
    On a failure (a full disk) the temporary files and the folders made for them are removed."""
    prepared: dict[Path, Path] = {}
    made: list[Path] = []
    try:
        for relative, content in changed.items():
            destination = target / relative
            for folder in reversed([parent for parent in destination.relative_to(target).parents if parent != Path(".")]):
                if not (target / folder).is_dir():
                    (target / folder).mkdir()
                    made.append(target / folder)
            prepared[destination] = _write_beside(destination, content, mode)
    except BaseException:
        for temporary in prepared.values():
            temporary.unlink(missing_ok=True)
        for folder in reversed(made):
            _remove_empty_folder(folder)
        raise
    return prepared


def _switch(target: Path, prepared: dict[Path, Path], orphans: list[Path]) -> None:
    """Rename each prepared file over its destination, the old one kept as a backup; remove the
    orphans the same way; on any failure put every backup back. No data is written here, only names."""
    backups: list[tuple[Path, Path]] = []  # (destination, its backup, or the destination itself when it is new)
    (target / PENDING).touch()
    try:
        for destination, temporary in prepared.items():
            backup = _backup_of(destination)
            if destination.is_file():
                os.link(destination, backup)
                backups.append((destination, backup))
            else:
                backups.append((destination, destination))
            os.replace(temporary, destination)
        for stack_file in orphans:
            backup = _backup_of(stack_file)
            os.replace(stack_file, backup)
            backups.append((stack_file, backup))
    except BaseException:
        for destination, backup in reversed(backups):
            if backup == destination:
                destination.unlink(missing_ok=True)
                if destination.parent != target:
                    _remove_empty_folder(destination.parent)  # made for a new stack
            else:
                os.replace(backup, destination)
        for temporary in prepared.values():
            temporary.unlink(missing_ok=True)
        (target / PENDING).unlink()
        raise
    (target / PENDING).unlink()
    # The new set is in place. A backup that cannot be removed now only makes the next publish roll
    # back to the old set before it writes its own: still a whole set either way.
    for destination, backup in backups:
        if backup != destination:
            with suppress(OSError):
                backup.unlink(missing_ok=True)
    for stack_file in orphans:
        with suppress(OSError):
            _remove_empty_folder(stack_file.parent)


def _remove_empty_folder(folder: Path) -> None:
    """`folder`, once nothing (of Terraform's) is left in it."""
    try:
        folder.rmdir()
    except OSError as error:
        if error.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT):
            raise


def _remove_stale_assets(staging: Path, target: Path) -> None:
    """Asset copies the new synth no longer has (an older hash of a changed chart), then their empty folders."""
    for stale in sorted(target.glob(f"stacks/*/{ASSETS}/**/*"), reverse=True):
        if stale.is_file() and not (staging / stale.relative_to(target)).is_file():
            stale.unlink()
        elif stale.is_dir() and not stale.is_symlink() and not any(stale.iterdir()):
            stale.rmdir()
    for folder in target.glob(f"stacks/*/{ASSETS}"):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


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
