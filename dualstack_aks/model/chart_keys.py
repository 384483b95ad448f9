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

from dualstack_aks.errors import BadInput, one_line, read_input, shown

# A chart's values.yaml is tens of KB; a bigger file is not one.
MAX_CHART_FILE_BYTES = 8 * 1024 * 1024
# ingress-nginx's values have about 700 key paths.
MAX_VALUES_KEYS = 100_000
MAX_VALUES_DEPTH = 64
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


def default_paths(values: dict) -> dict[KeyPath, object]:
    """Every key path of values.yaml with its default (at most MAX_VALUES_KEYS: aliases can nest a file without end)."""
    found: dict[KeyPath, object] = {}
    pending: list[tuple[KeyPath, dict]] = [((), values)]
    while pending:
        prefix, mapping = pending.pop()
        for key, value in mapping.items():
            path = (*prefix, str(key))
            found[path] = value
            if len(found) > MAX_VALUES_KEYS or len(path) > MAX_VALUES_DEPTH:
                raise BadInput(
                    f"values.yaml has more than {MAX_VALUES_KEYS} key paths or {MAX_VALUES_DEPTH} levels (aliases?); a chart has a few thousand, a dozen deep"
                )
            if isinstance(value, dict):
                pending.append((path, value))
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


def _chart_file(chart_dir: Path, name: str) -> object:
    """A chart file's YAML, or one line saying why this folder is no unpacked chart."""
    path = chart_dir / name
    content = read_input(path, MAX_CHART_FILE_BYTES, "name the folder of an unpacked Helm chart (helm pull --untar)")
    try:
        return yaml.safe_load(content.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError, RecursionError) as error:
        raise BadInput(f"{path}: is not YAML ({shown(str(error))})") from None


def key_lines(chart_dir: Path) -> list[str]:
    values = _chart_file(chart_dir, "values.yaml") or {}
    if not isinstance(values, dict):
        raise BadInput(f"{chart_dir / 'values.yaml'}: must be a mapping of values, got {shown(values)}")
    defaults = default_paths(values)
    reads: set[KeyPath] = set()
    whole: set[KeyPath] = set()
    for template in sorted((chart_dir / "templates").rglob("*")):
        if template.is_file():
            read, rendered_whole = template_reads(template.read_text(encoding="utf-8", errors="replace"))
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
            raise BadInput(f"{chart_dir}: key {shown('.'.join(path))} contains a dot; the dotted format cannot express it")
        lines.append(".".join(path) + (".*" if path in free_form else ""))
    return lines


def render_key_list(chart_dir: Path) -> str:
    """The key list file of the chart unpacked in `chart_dir`."""
    chart = _chart_file(chart_dir, "Chart.yaml")
    if not isinstance(chart, dict) or not isinstance(chart.get("name"), str) or not isinstance(chart.get("version"), str | int | float):
        raise BadInput(f"{chart_dir / 'Chart.yaml'}: needs a name and a version")
    return HEADER.format(name=one_line(chart["name"], 100), version=one_line(str(chart["version"]), 40)) + "\n".join(key_lines(chart_dir)) + "\n"
