"""Values keys that change nothing: a key whose removal leaves `helm template` output identical is dead (a
misspelling, a key the chart version does not read, or a restatement of the chart's default).

A key is removed whole; only when that changes the render are its children tried one by one, so a dead subtree is
reported once, by its top key. List items are not descended into (a list is one value).
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

from tests.kube.render import Release, helm_template_text


def _without(values: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    pruned = copy.deepcopy(values)
    node = pruned
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return pruned


def _render_or_error(release: Release, chart: Path, kube_version: str) -> str:
    """The rendered manifests (helm's output is deterministic), or the error when the chart refuses the values."""
    try:
        return helm_template_text(release, chart, kube_version)[0]
    except AssertionError as error:
        return str(error)


def dead_keys(release: Release, chart: Path, kube_version: str) -> tuple[list[str], int]:
    """(dotted paths of the keys whose removal changes nothing, number of keys tried). The values as given must
    render: a chart that refuses them (its values schema, a required value) fails here with helm's message."""
    baseline = helm_template_text(release, chart, kube_version)[0]
    dead: list[str] = []
    tried = 0

    def visit(values: dict[str, Any], prefix: tuple[str, ...]) -> None:
        nonlocal tried
        for key, value in values.items():
            path = (*prefix, key)
            tried += 1
            changed = _render_or_error(dataclasses.replace(release, values=_without(release.values, path)), chart, kube_version) != baseline
            if not changed:
                dead.append(".".join(path))
            elif isinstance(value, dict):
                visit(value, path)

    visit(release.values, ())
    return dead, tried
