"""Synthesize into a temporary directory beside the target and swap it in only on success,
so a failed or interrupted synth leaves an existing cdktf.out/ exactly as it was."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def synth_atomically(outdir: str | Path, synth: Callable[[str], None]) -> None:
    """Run `synth(tmpdir)`, then replace `outdir` with what it wrote."""
    target = Path(outdir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        synth(str(staging))
        if not (staging / "manifest.json").is_file():
            raise RuntimeError("synth wrote no manifest.json")
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, old / target.name)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
