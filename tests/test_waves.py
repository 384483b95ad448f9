"""The wave plan the deploy workflow's matrices are built from: `python -m dualstack_aks waves --json`
for one, three and sixteen regions, with the default and a named canary, and one region alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from dualstack_aks.cli import main as cli_main
from dualstack_aks.model.regions import AZURE_REGION_CODES
from tests.conftest import DEFAULT_CONFIG, mutate

SIXTEEN = sorted(AZURE_REGION_CODES)[:16]


def config_file(tmp_path: Path, regions: list[str], **deploy: object) -> Path:
    """The fixture default config with these regions (indexes in order) and `deploy` settings."""
    changes: dict[str, object] = {"regions": [{"name": name, "index": index} for index, name in enumerate(regions)]}
    if deploy:
        changes["deploy"] = deploy
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(mutate(yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8")), changes)), encoding="utf-8")
    return path


def plan(capsys, path: Path, *arguments: str) -> dict:
    assert cli_main(["waves", "--config", str(path), "--json", *arguments]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("regions", [SIXTEEN[:1], SIXTEEN[:3], SIXTEEN], ids=lambda regions: f"{len(regions)} regions")
def test_the_first_region_is_the_canary_and_every_region_deploys_once(tmp_path, capsys, regions):
    waves = plan(capsys, config_file(tmp_path, regions))
    assert waves == {"global": "global", "canary": regions[:1], "rest": regions[1:], "max_parallel": 8}


def test_sixteen_regions_with_a_named_canary_and_parallelism(tmp_path, capsys):
    waves = plan(capsys, config_file(tmp_path, SIXTEEN, canary=SIXTEEN[5], max_parallel=15))
    assert waves["canary"] == [SIXTEEN[5]]
    assert waves["rest"] == SIXTEEN[:5] + SIXTEEN[6:], "config order, the canary taken out"
    assert waves["max_parallel"] == 15


def test_a_manual_run_plans_its_one_region_alone(tmp_path, capsys):
    waves = plan(capsys, config_file(tmp_path, SIXTEEN[:3]), "--region", SIXTEEN[2])
    assert (waves["canary"], waves["rest"]) == ([SIXTEEN[2]], [])


def test_a_region_outside_the_config_is_refused_in_one_line(tmp_path, capsys):
    path = config_file(tmp_path, SIXTEEN[:3])
    assert cli_main(["waves", "--config", str(path), "--json", "--region", "uksouth"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"waves: --region 'uksouth' is not a region of {path} (allowed: {', '.join(SIXTEEN[:3])})\n"


def test_a_bad_config_prints_its_problem_and_no_plan(tmp_path, capsys):
    path = config_file(tmp_path, SIXTEEN[:3], canary="uksouth")
    assert cli_main(["waves", "--config", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [f"{path}:6:3: deploy.canary: 'uksouth' is not one of the configured regions ({', '.join(SIXTEEN[:3])})"]


def test_without_json_the_plan_reads_as_steps(tmp_path, capsys):
    assert cli_main(["waves", "--config", str(config_file(tmp_path, SIXTEEN[:3]))]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "1. global",
        f"2. canary: {SIXTEEN[0]}",
        f"3. at most 8 at once: {SIXTEEN[1]}, {SIXTEEN[2]}",
    ]
