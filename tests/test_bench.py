"""The benchmark's bookkeeping, without timing anything: targets, verdicts, the round-trip counter
and the generated section of docs/performance.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.run import (
    DOC_END,
    DOC_START,
    FLOOR,
    PERFORMANCE_DOC,
    RECORDED_RESULTS,
    REPO,
    TARGETS,
    app_interpreter_flags,
    check_targets,
    exit_status,
    per_region,
    performance_markdown,
    region_scenario,
    replace_marked,
)

SCENARIOS = ("default", *(region_scenario(count) for count in (1, 2, 8, 16)))


def figures(wall_16_regions: float) -> dict[str, dict[str, float]]:
    """An empty app of 0.5 s and every synth at 1.0 s but 16 regions."""
    same = {"wall_s": 1.0, "cpu_s": 1.0, "python_mib": 50.0, "node_mib": 100.0}
    result = {FLOOR: {"wall_s": 0.5, "cpu_s": 0.5, "python_mib": 40.0, "node_mib": 70.0}}
    result |= {scenario: dict(same) for scenario in SCENARIOS}
    result[region_scenario(16)]["wall_s"] = wall_16_regions
    return result


def limit(key: str) -> float:
    return next(target.limit for target in TARGETS if target.key == key)


def test_every_target_is_judged_in_the_order_and_words_of_the_one_table():
    targets = check_targets(figures(wall_16_regions=1.5), tests=None)
    assert [target["target"] for target in targets] == [target.description for target in TARGETS]
    assert [target["pass"] for target in targets] == [True, True, True, None]


def test_the_region_target_is_the_cost_of_15_added_regions_against_the_empty_app():
    """16 regions minus 1 region, over the empty app: 0.5 s x limit is just in, a little more is out."""
    just_in = check_targets(figures(wall_16_regions=1.0 + 0.5 * limit("region_cost")), tests=None)
    assert just_in[1]["pass"] is True
    assert just_in[1]["value"] == f"{limit('region_cost'):.2f}x ({1000 * 0.5 * limit('region_cost') / 15:.0f} ms a region)"
    assert check_targets(figures(wall_16_regions=1.01 + 0.5 * limit("region_cost")), tests=None)[1]["pass"] is False


def test_the_default_target_is_measured_against_the_empty_app():
    slow = figures(wall_16_regions=1.0)
    slow["default"]["wall_s"] = 0.5 * limit("default_time") + 0.01
    assert check_targets(slow, tests=None)[0]["pass"] is False
    slow["default"]["wall_s"] = 0.5 * limit("default_time")
    assert check_targets(slow, tests=None)[0]["pass"] is True


def test_a_missed_target_fails_but_exits_0_unless_strict():
    targets = check_targets(figures(wall_16_regions=5.0), tests=None)
    assert [target["pass"] for target in targets][1] is False
    assert exit_status(targets, strict=False) == 0
    assert exit_status(targets, strict=True) == 1
    assert exit_status(check_targets(figures(wall_16_regions=1.0), tests=None), strict=True) == 0


def test_the_synth_is_measured_with_the_interpreter_flags_cdktf_json_runs_it_with():
    assert app_interpreter_flags() == ("-O",)


def test_per_region_round_trips_are_the_16_to_1_difference_over_15():
    counts = {region_scenario(1): {"create": 70, "get": 60}, region_scenario(16): {"create": 970, "get": 810, "invoke": 30}}
    assert per_region(counts) == {"create": 60.0, "get": 50.0, "invoke": 2.0}


def test_round_trips_are_counted_at_the_process_provider(tmp_path: Path):
    """jsii.create and friends are bound at import, so only the provider level sees every call."""
    script = tmp_path / "app.py"
    script.write_text(
        "from dualstack_aks.engine.core import App, TerraformStack\n"
        f"app = App(outdir={str(tmp_path / 'out')!r})\n"
        "TerraformStack(app, 'one')\n"
        "TerraformStack(app, 'two')\n"
        "app.synth()\n",
        encoding="utf-8",
    )
    out = tmp_path / "counts.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, str(REPO / "bench" / "round_trips.py"), str(out), str(script)], check=True, cwd=tmp_path, env=env)
    counts = json.loads(out.read_text(encoding="utf-8"))
    assert counts["create"] == 3  # the App and two stacks
    assert counts["invoke"] == 1  # synth
    assert counts["load"] >= 1


def test_docs_performance_shows_the_recorded_results():
    """`make bench RECORD=1` writes both; a hand edit of either shows here."""
    doc = PERFORMANCE_DOC.read_text(encoding="utf-8")
    results = json.loads(RECORDED_RESULTS.read_text(encoding="utf-8"))
    assert replace_marked(doc, DOC_START, DOC_END, performance_markdown(results), PERFORMANCE_DOC.name) == doc, (
        "docs/performance.md and bench/results.json differ: run `make bench RECORD=1`"
    )


def test_recording_refuses_a_document_without_markers():
    with pytest.raises(ValueError, match="bench:start"):
        replace_marked("# no markers\n", DOC_START, DOC_END, "table", "performance.md")
