"""The pull request's sticky comment and the drift issue: found again by their hidden marker among
the bot's own, created once, then updated (or closed when clean).

`gh` is a stand-in: it answers GET listings with the ids in $FAKE_GH_FOUND and logs every call
(arguments and the JSON it was given) to $FAKE_GH_LOG."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from dualstack_aks.cli import main as cli_main
from dualstack_aks.deploy.diff import PLANNED, Changes, StackDiff, write_diff_summary
from dualstack_aks.deploy.github import BOT, COMMENT_MARKER, DRIFT_MARKER, DRIFT_TITLE
from tests.conftest import stand_in

REPO_NAME = "owner/repo"
RUN = "https://github.com/owner/repo/actions/runs/1"
FAKE_GH = f"""#!{sys.executable}
import json, os, sys
arguments = sys.argv[1:]
payload = json.loads(sys.stdin.read()) if "--input" in arguments else None
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(json.dumps({{"arguments": arguments, "payload": payload}}) + "\\n")
if arguments[2] == "GET":
    print(os.environ.get("FAKE_GH_FOUND", ""))
sys.exit(int(os.environ.get("FAKE_GH_EXIT", "0")))
"""


@pytest.fixture
def gh(tmp_path, monkeypatch):
    """Installs the stand-in; returns a function that sets what listings find and reads the calls."""
    log = stand_in(tmp_path, monkeypatch, "gh", FAKE_GH)

    def calls(found: str = "") -> list[dict]:
        monkeypatch.setenv("FAKE_GH_FOUND", found)
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return calls


def changed(outdir: Path, *, pending: bool) -> Path:
    outdir.mkdir()
    write_diff_summary(outdir, [StackDiff("global", PLANNED, [], Changes(add=1 if pending else 0))])
    return outdir


def requests(calls: list[dict]) -> list[tuple[str, str]]:
    return [(call["arguments"][2], call["arguments"][3]) for call in calls]


def test_the_comment_is_created_once_then_updated(gh, tmp_path, capsys):
    body = tmp_path / "summary.md"
    body.write_text("## cdktf diff\n")
    gh()
    assert cli_main(["publish", "comment", "--repo", REPO_NAME, "--pull-request", "7", "--body-file", str(body)]) == 0
    gh("123")
    assert cli_main(["publish", "comment", "--repo", REPO_NAME, "--pull-request", "7", "--body-file", str(body)]) == 0
    calls = gh("123")
    assert requests(calls) == [
        ("GET", "repos/owner/repo/issues/7/comments?per_page=100"),
        ("POST", "repos/owner/repo/issues/7/comments"),
        ("GET", "repos/owner/repo/issues/7/comments?per_page=100"),
        ("PATCH", "repos/owner/repo/issues/comments/123"),
    ]
    assert calls[1]["payload"] == calls[3]["payload"] == {"body": f"{COMMENT_MARKER}\n## cdktf diff\n"}
    query = calls[0]["arguments"][calls[0]["arguments"].index("--jq") + 1]
    assert BOT in query and COMMENT_MARKER in query, "only the bot's own marked comment is ever edited"
    assert capsys.readouterr().out.splitlines() == ["created the review comment", "updated review comment 123"]


def _publish_drift_without_then_with_an_open_issue(gh, outdir: Path) -> list[dict]:
    """Run `publish drift` with no open drift issue, then with issue 42 open; the gh calls made."""
    gh()
    assert cli_main(["publish", "drift", "--repo", REPO_NAME, "--outdir", str(outdir), "--run-url", RUN]) == 0
    gh("42")
    assert cli_main(["publish", "drift", "--repo", REPO_NAME, "--outdir", str(outdir), "--run-url", RUN]) == 0
    return gh()


def test_drift_opens_then_updates_one_issue(gh, tmp_path):
    outdir = changed(tmp_path / "cdktf.out", pending=True)
    calls = _publish_drift_without_then_with_an_open_issue(gh, outdir)
    assert requests(calls)[1:] == [
        ("POST", "repos/owner/repo/issues"),
        ("GET", "repos/owner/repo/issues?state=open&per_page=100"),
        ("PATCH", "repos/owner/repo/issues/42"),
    ]
    opened = calls[1]["payload"]
    assert opened["title"] == DRIFT_TITLE
    assert opened["body"].startswith(DRIFT_MARKER) and RUN in opened["body"]
    assert "| `global` | 1 | 0 | 0 | 0 | changes | – |" in opened["body"]


def test_a_clean_plan_closes_the_open_issue_and_opens_none(gh, tmp_path):
    outdir = changed(tmp_path / "cdktf.out", pending=False)
    calls = _publish_drift_without_then_with_an_open_issue(gh, outdir)
    assert requests(calls)[1:] == [
        ("GET", "repos/owner/repo/issues?state=open&per_page=100"),
        ("POST", "repos/owner/repo/issues/42/comments"),
        ("PATCH", "repos/owner/repo/issues/42"),
    ]
    assert calls[-1]["payload"]["state"] == "closed"


def test_a_run_that_never_planned_counts_as_drift(gh, tmp_path):
    outdir = tmp_path / "cdktf.out"
    outdir.mkdir()
    gh()
    assert cli_main(["publish", "drift", "--repo", REPO_NAME, "--outdir", str(outdir), "--run-url", RUN]) == 0
    assert "stopped before any stack was planned" in gh()[1]["payload"]["body"]


def test_a_failing_gh_is_one_line(gh, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_GH_EXIT", "1")
    body = tmp_path / "summary.md"
    body.write_text("x")
    assert cli_main(["publish", "comment", "--repo", REPO_NAME, "--pull-request", "7", "--body-file", str(body)]) == 1
    assert capsys.readouterr().err.splitlines() == ["publish: gh api --method GET repos/owner/repo/issues/7/comments?per_page=100: failed"]
