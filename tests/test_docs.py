"""The README stays a short entry page (quick start, layouts, links) and every relative link in it
and in docs/ leads to a file of the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO

README = REPO / "README.md"
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]
# Markdown links and images: [text](target) with a target that is not a URL or an anchor of the same page.
RELATIVE_LINK = re.compile(r"\]\((?!https?://|#|mailto:)([^)\s]+)\)")
README_LIMIT = 16 * 1024
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def links(page: Path) -> list[str]:
    """The relative link targets of a page, code blocks and spans left out (patterns there look like links)."""
    return RELATIVE_LINK.findall(CODE.sub("", page.read_text(encoding="utf-8")))


def test_the_readme_stays_under_16_kb():
    assert len(README.read_bytes()) < README_LIMIT, "move the detail to docs/ and link it"


def test_the_readme_keeps_the_quick_start_and_the_layouts():
    text = README.read_text(encoding="utf-8")
    for kept in ("## Quick start", "make synth ", "make test ", "## Layouts", "config/examples/"):
        assert kept in text, kept


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPO)))
def test_every_relative_link_leads_to_a_file(page: Path):
    missing = [target for target in links(page) if not (page.parent / target.split("#", 1)[0]).exists()]
    assert missing == [], f"{page.relative_to(REPO)} links to what does not exist"


def test_the_readme_links_every_page_of_docs():
    linked = {target.split("#", 1)[0] for target in links(README)}
    pages = {f"docs/{page.name}" for page in PAGES[1:]}
    assert pages - linked == set(), "a page nobody can find from the README"
