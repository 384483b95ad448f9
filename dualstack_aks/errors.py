"""The one shape of a refusal, shared by every command: an exception whose message is one line
(exit status 2), and `shown`, the short escaped form in which a message echoes what the user gave.

A value from the user can be anything: megabytes long, nested without end, full of newlines or
terminal escapes. Echoed through `shown`, it costs bounded time and prints as at most one short line.
"""

from __future__ import annotations

import reprlib
import stat
from pathlib import Path

# Enough to recognise a value; a message is read by a person, not diffed.
SHOWN_LIMIT = 80
# A whole problem line: a path, a dotted location and a sentence around one or two shown values (and a list of the allowed keys).
LINE_LIMIT = 1000
# reprlib stops at these sizes, so a huge or deeply nested value is never walked whole.
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxtuple, _REPR.maxdict, _REPR.maxset = 3, 4, 4, 4, 4
_REPR.maxstring, _REPR.maxother, _REPR.maxlong = SHOWN_LIMIT, SHOWN_LIMIT, 40


class BadInput(Exception):
    """Input a command cannot use (a file, a folder, an argument); the message is one line for the user."""


def printable(text: str) -> str:
    """`text` with newlines and other unprintable characters escaped, so it stays on one line."""
    return "".join(character if character.isprintable() else character.encode("unicode_escape").decode("ascii") for character in text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…(+{len(text) - limit} characters)"


def shown(value: object, limit: int = SHOWN_LIMIT) -> str:
    """`value` as a message echoes it: text quoted, anything else as Python writes it, escaped and cut after `limit` characters."""
    if isinstance(value, str):
        head = printable(repr(value[:limit]))  # slicing first: a megabyte of text is never escaped whole
        return head if len(value) <= limit else f"{head}…(+{len(value) - limit} characters)"
    return _cut(printable(_REPR.repr(value)), limit)


def one_line(text: str, limit: int = LINE_LIMIT) -> str:
    """A message made safe to print: one line, escaped, at most about `limit` characters."""
    return _cut(printable(text), limit)


def read_input(path: Path, limit: int, missing: str) -> bytes:
    """The bytes of a regular file a command reads, at most `limit` of them; BadInput naming the file
    when it is missing (`missing` says what to do), not a regular file (a pipe would block), larger or unreadable."""
    too_large = f"{path}: is larger than {limit // 1024} KiB, more than the file it should be holds"
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise BadInput(f"{path}: is not a regular file")
        with path.open("rb") as handle:
            content = handle.read(limit + 1)
    except FileNotFoundError:
        raise BadInput(f"{path} not found: {missing}") from None
    except OSError as error:
        raise BadInput(f"{path}: cannot be read: {error.strerror or error}") from None
    if len(content) > limit:
        raise BadInput(too_large)
    return content
