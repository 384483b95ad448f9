"""AKS Kubernetes minor versions and the last day of their standard support.

Source: MicrosoftDocs/azure-aks-docs articles/aks/supported-kubernetes-versions.md, "AKS Kubernetes
release calendar" (lines 47-55) and "LTS versions" (lines 64-74, for 1.29-1.31, dropped from the
calendar); "Mar 2026" means March 31, 2026 (note at line 44). New clusters cannot be created once
a version has left standard support (FAQ, lines 360-362). A version is judged against the day the
table was last checked, never against the clock, so a synth gives the same answer every day.
"""

from __future__ import annotations

from datetime import date

# The day the table below was last compared with the AKS docs.
TABLE_CHECKED = date(2026, 11, 29)

# minor version -> last day of standard support ("End of life" column)
END_OF_STANDARD_SUPPORT: dict[str, date] = {
    "1.29": date(2025, 3, 31),
    "1.30": date(2025, 8, 22),
    "1.31": date(2025, 11, 1),
    "1.32": date(2026, 3, 31),
    "1.33": date(2026, 7, 31),
    "1.34": date(2026, 11, 30),
    "1.35": date(2027, 3, 31),
    "1.36": date(2027, 6, 30),
    "1.37": date(2027, 10, 31),
}


def minor(version: str) -> str:
    """1.34.2 -> 1.34."""
    return ".".join(version.split(".")[:2])


def supported(on: date = TABLE_CHECKED) -> list[str]:
    """The minors still in standard support on `on`, oldest first."""
    return [version for version, end in END_OF_STANDARD_SUPPORT.items() if end >= on]


def lifecycle_problem(version: str, on: date = TABLE_CHECKED) -> str | None:
    """Why AKS would refuse a new cluster on `version` on day `on`, or None when it is in standard support."""
    choices = f"supported on {on.isoformat()}: {', '.join(supported(on))}"
    end = END_OF_STANDARD_SUPPORT.get(minor(version))
    if end is None:
        return f"{version} is not in the AKS release calendar (supported-kubernetes-versions.md); {choices}"
    if end < on:
        return f"{version} left AKS standard support on {end.isoformat()}, so new clusters cannot use it; {choices}"
    return None
