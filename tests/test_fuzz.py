"""A short slice of the fuzzer (tests/fuzz/fuzz.py, `make fuzz` runs it whole) in every `make test`:
mutated configs and the bad inputs of every command, no jsii, a few seconds."""

from __future__ import annotations

from tests.fuzz import fuzz


def test_a_slice_of_the_fuzzer_finds_nothing():
    report = fuzz.run(configs=60, synth=0, seed=7)
    assert report.configs == 60 and report.statuses[2] > 0
    assert set(report.bad_inputs) >= {
        "diagram",
        "diff",
        "diff --summary-only",
        "scan",
        "publish comment",
        "publish drift",
        "chart-keys",
        "synth",
        "bootstrap-state",
    }
    assert not report.kinds, fuzz.format_report(report, 0)


def test_the_fuzzer_reports_a_planted_traceback(monkeypatch):
    """The watch itself: a command that raises is counted, not hidden."""
    from dualstack_aks.model import addresses

    def explode(*args: object) -> str:
        raise RuntimeError("planted")

    monkeypatch.setattr(addresses, "format_addresses", explode)
    report = fuzz.run(configs=40, synth=0, seed=7)
    assert report.kinds["traceback"] == report.statuses[1] > 0
