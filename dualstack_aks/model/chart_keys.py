"""Writes the values key list of a Helm chart, for tests/test_helm_values.py.

python -m dualstack_aks chart-keys CHART_DIR > helm-values/chart-keys/<chart>-<version>.txt

CHART_DIR is the unpacked chart of the new version, e.g. from
`helm pull ingress-nginx --repo https://kubernetes.github.io/ingress-nginx --version X --untar`
or `git archive helm-chart-X charts/ingress-nginx | tar -x` in the chart's repository.

A key is valid if values.yaml sets it or a template reads it: some documented keys, such as
`controller.maxUnavailable`, are only commented out in values.yaml. A map is free-form (any key
below it is accepted) if a template renders it whole (toYaml, or a key/value range), or if its
default is empty and no template reads a named key below it. Template reads are found by a
scan of `{{ }}` actions that follows `with` blocks; reads through variables are not seen.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

KeyPath = tuple[str, ...]

HEADER = """\
# Values keys of the {name} chart {version}, written by `python -m dualstack_aks chart-keys` (see its docstring).
# One dotted key path per line. A line ending in `.*` is a free-form map: any key below it is
# accepted (annotations, labels, config, Kubernetes objects rendered whole). A list value is
# checked up to its own key; the items are not checked.
"""

ACTION = re.compile(r"\{\{-?(.*?)-?\}\}", re.DOTALL)
VALUES_PATH = r"\$?\.Values((?:\.\w+)+)"
ABSOLUTE_READ = re.compile(VALUES_PATH)
# `.field` relative to the current `with` value; not `$.x`, `(...).x`, `a.b` or `x.y` inside a name.
RELATIVE_READ = re.compile(r"(?<![\w$)\].])\.(\w+(?:\.\w+)*)")
RENDERED_WHOLE = re.compile(rf"(?:toYaml|toJson)\s+\(?\s*{VALUES_PATH}|{VALUES_PATH}\s*\|\s*(?:toYaml|toJson)|range\s+\$\w+\s*,\s*\$\w+\s*:=\s*{VALUES_PATH}")
DOT_RENDERED_WHOLE = re.compile(r"(?:toYaml|toJson)\s+\.(?![\w.])|range\s+(?:\$\w+\s*,\s*\$\w+\s*:=\s*)?\.(?![\w.])")
BLOCK_OPENERS = ("if", "with", "range", "define", "block")


def _split(dotted: str) -> KeyPath:
    return tuple(dotted.lstrip(".").split("."))


def default_paths(values: dict, prefix: KeyPath = ()) -> dict[KeyPath, object]:
    """Every key path of values.yaml with its default."""
    found: dict[KeyPath, object] = {}
    for key, value in values.items():
        path = (*prefix, str(key))
        found[path] = value
        if isinstance(value, dict):
            found.update(default_paths(value, path))
    return found


def _values_path(expression: str, dot: KeyPath | None) -> KeyPath | None:
    """The values path an expression like `.Values.a.b` or `.b` (under `with`) names."""
    expression = expression.strip().strip("()").strip()
    if match := re.fullmatch(VALUES_PATH, expression):
        return _split(match.group(1))
    if dot is not None and (match := re.fullmatch(r"\.(\w+(?:\.\w+)*)", expression)):
        return (*dot, *_split(match.group(1)))
    return dot if expression == "." else None


def template_reads(template: str) -> tuple[set[KeyPath], set[KeyPath]]:
    """(paths the template reads, paths it renders whole)."""
    reads: set[KeyPath] = set()
    whole: set[KeyPath] = set()
    # Each open block: (its dot, the dot outside it). The dot is a values path inside
    # `with .Values...`, else None (root context, range items, define bodies).
    blocks: list[tuple[KeyPath | None, KeyPath | None]] = []
    dot: KeyPath | None = None
    for action in ACTION.finditer(template):
        text = action.group(1).strip()
        if not text or text.startswith("/*"):
            continue
        word, _, rest = text.partition(" ")
        reads.update(_split(match.group(1)) for match in ABSOLUTE_READ.finditer(text))
        whole.update(_split(next(group for group in match.groups() if group)) for match in RENDERED_WHOLE.finditer(text))
        if dot is not None:
            expression = rest if word in (*BLOCK_OPENERS, "else") else text
            reads.update((*dot, *_split(match.group(1))) for match in RELATIVE_READ.finditer(expression) if match.group(1) != "Values")
            if DOT_RENDERED_WHOLE.search(text):
                whole.add(dot)
        if word in BLOCK_OPENERS:
            inner = dot
            if word == "with":
                inner = _values_path(rest, dot)
            elif word == "range":
                variables, _, source = rest.rpartition(":=")
                if "," in variables and (ranged := _values_path(source, dot)) is not None:
                    whole.add(ranged)
                inner = None
            elif word != "if":
                inner = None
            blocks.append((inner, dot))
            dot = inner
        elif word == "else":
            outer = blocks[-1][1]
            dot = _values_path(rest.removeprefix("with"), outer) if rest.startswith("with") else outer
            blocks[-1] = (dot, outer)
        elif word == "end":
            dot = blocks.pop()[1]
    return reads, whole


def key_lines(chart_dir: Path) -> list[str]:
    defaults = default_paths(yaml.safe_load((chart_dir / "values.yaml").read_text(encoding="utf-8")) or {})
    reads: set[KeyPath] = set()
    whole: set[KeyPath] = set()
    for template in sorted((chart_dir / "templates").rglob("*")):
        if template.is_file():
            read, rendered_whole = template_reads(template.read_text(encoding="utf-8"))
            reads |= read
            whole |= rendered_whole
    known = set(defaults) | {path[:length] for path in reads for length in range(1, len(path) + 1)}

    def named_below(path: KeyPath) -> bool:
        return any(len(read) > len(path) and read[: len(path)] == path for read in reads)

    free_form = {path for path in known if (path in whole and not isinstance(defaults.get(path), list)) or (defaults.get(path) == {} and not named_below(path))}
    lines = []
    for path in sorted(known):
        if any(path[:length] in free_form for length in range(1, len(path))):
            continue
        if any("." in key for key in path):
            raise SystemExit(f"key {path!r} contains a dot; the dotted format cannot express it")
        lines.append(".".join(path) + (".*" if path in free_form else ""))
    return lines


def render_key_list(chart_dir: Path) -> str:
    """The key list file of the chart unpacked in `chart_dir`."""
    chart = yaml.safe_load((chart_dir / "Chart.yaml").read_text(encoding="utf-8"))
    return HEADER.format(name=chart["name"], version=chart["version"]) + "\n".join(key_lines(chart_dir)) + "\n"
