"""Plain-text output shared by the commands: the one fixed-width table formatter."""

from __future__ import annotations

from collections.abc import Sequence


def format_table(rows: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    """Rows (the header first) as left-aligned columns two spaces apart, trailing blanks trimmed."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return [indent + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table (job summaries, review comments)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]
