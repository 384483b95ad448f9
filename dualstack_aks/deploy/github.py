"""The diff summary on GitHub, through `gh api` (GH_TOKEN from the workflow): one sticky
pull-request comment, updated on each push, and one drift issue, opened or updated while the
deployed state differs from main and closed once it does not.

Each is found again by a hidden marker at the start of its body, among what the workflow's own
bot wrote, so a person's comment or issue is never overwritten.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from dualstack_aks.deploy.diff import format_diff_markdown, not_planned, read_diff_summary
from dualstack_aks.errors import BadInput, read_input

COMMENT_MARKER = "<!-- dualstack-aks-diff -->"
DRIFT_MARKER = "<!-- dualstack-aks-drift -->"
DRIFT_TITLE = "Drift: the deployed stacks differ from main"
# GitHub refuses a comment body over 65,536 characters ("body is too long"); a file many times that is not one.
MAX_BODY_BYTES = 1024 * 1024
# The author of everything GITHUB_TOKEN writes.
BOT = "github-actions[bot]"


class GitHubError(Exception):
    """`gh api` failed: its own message."""


def _gh(method: str, path: str, payload: dict[str, str] | None = None, jq: str | None = None) -> str:
    command = ["gh", "api", "--method", method, path]
    if method == "GET":
        command.append("--paginate")
    if jq is not None:
        command += ["--jq", jq]
    if payload is not None:
        command += ["--input", "-"]
    try:
        result = subprocess.run(command, input=json.dumps(payload) if payload is not None else None, capture_output=True, text=True, check=False)
    except OSError as error:
        raise GitHubError(f"gh (the GitHub CLI) could not run: {error}") from error
    if result.returncode != 0:
        raise GitHubError(f"gh api --method {method} {path}: {(result.stderr.strip().splitlines() or ['failed'])[0]}")
    return result.stdout


def _find(listing: str, marker: str, key: str) -> str | None:
    """The `key` of the first item of a listing that the bot wrote with the marker first; pull requests are not issues."""
    query = f'.[] | select(.user.login == "{BOT}" and .pull_request == null and ((.body // "") | startswith("{marker}"))) | .{key}'
    found = _gh("GET", listing, jq=query).split()
    return found[0] if found else None


def read_body(path: Path) -> str:
    """The review summary from a text file, refused in one line when missing, not UTF-8 or larger than GitHub takes."""
    content = read_input(path, MAX_BODY_BYTES, "write the review summary first (`python -m dualstack_aks diff --summary-only`)")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{path}: is not UTF-8 text; the comment is Markdown") from None
    if "\x00" in text:
        raise BadInput(f"{path}: holds NUL characters; the comment is Markdown text")
    return text


def upsert_comment(repo: str, pull_request: int, body: str) -> str:
    """Create or update the pull request's one review comment; says which."""
    text = f"{COMMENT_MARKER}\n{body}"
    comment = _find(f"repos/{repo}/issues/{pull_request}/comments?per_page=100", COMMENT_MARKER, "id")
    if comment is None:
        _gh("POST", f"repos/{repo}/issues/{pull_request}/comments", {"body": text})
        return "created the review comment"
    _gh("PATCH", f"repos/{repo}/issues/comments/{comment}", {"body": text})
    return f"updated review comment {comment}"


def drift_report(outdir: Path) -> str | None:
    """The drift issue's body, or None when every stack planned without changes."""
    diffs = read_diff_summary(outdir)
    if diffs is None:
        return "The drift check stopped before any stack was planned (preflight, synth or login): see the run."
    if not_planned(diffs) or any(diff.changes and diff.changes.pending for diff in diffs):
        return format_diff_markdown(diffs)
    return None


def publish_drift(repo: str, outdir: Path, run_url: str) -> str:
    """Open or update the drift issue when anything drifted, close it when clean; says which."""
    report = drift_report(outdir)
    issue = _find(f"repos/{repo}/issues?state=open&per_page=100", DRIFT_MARKER, "number")
    if report is None:
        if issue is None:
            return "no drift, no open drift issue"
        _gh("POST", f"repos/{repo}/issues/{issue}/comments", {"body": f"No drift any more: every stack planned without changes in {run_url}."})
        _gh("PATCH", f"repos/{repo}/issues/{issue}", {"state": "closed", "state_reason": "completed"})
        return f"no drift: closed issue #{issue}"
    text = f"{DRIFT_MARKER}\nThe weekly plan against the deployed state ({run_url}) found differences from main.\n\n{report}"
    if issue is None:
        _gh("POST", f"repos/{repo}/issues", {"title": DRIFT_TITLE, "body": text})
        return "drift: opened an issue"
    _gh("PATCH", f"repos/{repo}/issues/{issue}", {"body": text})
    return f"drift: updated issue #{issue}"
