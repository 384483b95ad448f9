"""The synth process grows typing's caches (main.py, dualstack_aks/engine/typing_cache.py) so that the
generated bindings' type expressions are built once each, not again on every property read."""

from __future__ import annotations

import json
import typing

from dualstack_aks.engine.typing_cache import GROWN, TYPING_CACHE_SIZE
from tests.conftest import DEFAULT_CONFIG, run_python


def test_growing_keeps_what_typing_makes_and_is_done_once():
    # Run in a process of its own: the tests' own process keeps typing as it is.
    script = """
import json, typing
from dualstack_aks.engine.typing_cache import GROWN, grow_typing_caches
before = typing.Optional[typing.List[typing.Union[str, int]]]
grow_typing_caches(); first = [owner.__dict__[name] for owner, name in GROWN]
grow_typing_caches(); again = [owner.__dict__[name] for owner, name in GROWN]
after = typing.Optional[typing.List[typing.Union[str, int]]]
filled = [method.cache_info().currsize for method in again]
for clear in typing._cleanups:  # what clearing typing's caches runs
    clear()
print(json.dumps({"same type": after == before, "once": first == again, "sizes": [method.cache_info().maxsize for method in again],
                  "filled": filled, "cleared": [method.cache_info().currsize for method in again]}))
"""
    ended = run_python(script, timeout=60)
    assert ended.returncode == 0, ended.stderr
    report = json.loads(ended.stdout)
    assert report["same type"] and report["once"] and report["sizes"] == [TYPING_CACHE_SIZE] * len(GROWN), report
    assert all(report["filled"]) and not any(report["cleared"]), report
    assert "cache_info" not in dir(typing._SpecialForm.__dict__["__getitem__"]), "the tests' own process was changed"


# Synthesizes the default config twice in one process and counts the misses of GROWN's caches (typing's
# own, found in its wrapper's closure, or grown) that the second synth adds: every type it names was
# built by the first.
SYNTH_TWICE = """
import json, sys
from dualstack_aks.engine.typing_cache import GROWN, grow_typing_caches
if sys.argv[1] == "grown":
    grow_typing_caches()
from dualstack_aks.model.loading import load_config
from dualstack_aks.synth import synthesize

def misses():
    methods = [owner.__dict__[name] for owner, name in GROWN]
    caches = [method if hasattr(method, "cache_info") else next(cell.cell_contents for cell in method.__closure__ if hasattr(cell.cell_contents, "cache_info")) for method in methods]
    return sum(cache.cache_info().misses for cache in caches)

config = load_config(sys.argv[2])
synthesize(config, sys.argv[3] + "/first", source=sys.argv[2])
first = misses()
synthesize(config, sys.argv[3] + "/second", source=sys.argv[2])
print(json.dumps({"second synth's misses": misses() - first}))
"""


def _second_synths_misses(tmp_path, caches: str) -> int:
    (tmp_path / caches).mkdir()
    ended = run_python(SYNTH_TWICE, caches, str(DEFAULT_CONFIG), str(tmp_path / caches), flags=("-O",), timeout=300)
    assert ended.returncode == 0, ended.stderr
    return json.loads(ended.stdout.splitlines()[-1])["second synth's misses"]


def test_a_synth_builds_each_type_its_structs_name_once(tmp_path):
    assert _second_synths_misses(tmp_path, "grown") == 0
    assert _second_synths_misses(tmp_path, "typing's own") > 100, "typing's own caches no longer miss: is growing them still needed?"
