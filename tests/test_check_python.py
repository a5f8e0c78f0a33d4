"""The pipeline on small Python programs: proved / refuted / bounded / unknown, witnesses
that replay, traces, and the settings that switch checks off."""

from __future__ import annotations

import textwrap

import pytest

from prooflens.analysis.check import check_text
from prooflens.analysis.settings import Settings

QUICK = Settings(unwind=6, timeout_s=5.0, deep=False)


def verdicts(source: str, settings: Settings = QUICK) -> dict[tuple[str, int], str]:
    """{(property, line): status} for the first function of `source`."""
    report = check_text(textwrap.dedent(source).lstrip("\n"), "python", settings)
    results = report.functions[0].results
    return {(r.property, r.line): r.status for r in results}


def results_of(source: str, settings: Settings = QUICK):
    report = check_text(textwrap.dedent(source).lstrip("\n"), "python", settings)
    return report.functions[0].results


CASES = [
    # (source, {(property, line): status})
    ("def f(x, y):\n    return x + y == y + x\n", {("always-true", 1): "proved"}),
    ("def f(x):\n    return 2 * x >= x\n", {("always-true", 1): "refuted"}),
    ("def f(x):\n    return x != x\n", {("always-true", 1): "refuted"}),
    ("def f(a, b):\n    return a // b\n", {("division-by-zero", 2): "refuted"}),
    ("def f(a, b):\n    if b == 0:\n        return 0\n    return a % b\n",
     {("division-by-zero", 4): "proved"}),
    # floor semantics: -7 // 2 == -4, so q * 2 <= a always, and the remainder is >= 0
    ("def f(a):\n    q = a // 2\n    assert q * 2 <= a\n    assert a % 3 >= 0\n",
     {("assertion", 3): "proved", ("assertion", 4): "proved"}),
    ("def f(a):\n    r = a % -3\n    assert r <= 0\n", {("assertion", 3): "proved"}),
    # chained comparison and short-circuit: the division is only reached when b != 0
    ("def f(a, b):\n    c = 0\n    assert b == 0 or a // b * b + a % b == a\n",
     {("assertion", 3): "proved", ("division-by-zero", 3): "proved"}),
    ("def f(x, lo, hi):\n    assert lo <= hi\n    r = min(max(x, lo), hi)\n"
     "    assert lo <= r <= hi\n", {("assertion", 4): "proved"}),
    # preconditions restrict the inputs
    ("def f(x):\n    assert x > 0\n    y = x\n    assert y * 1 != 0\n",
     {("assertion", 4): "proved"}),
    # a failure after several iterations needs the right input
    ("def f(n):\n    i = 0\n    while i < n:\n        i += 1\n        assert i != 5\n",
     {("assertion", 5): "refuted"}),
    # a loop whose bound is provable gives a proof, not just "bounded"
    ("def f(x):\n    for i in range(3):\n        x += 1\n    return x > 2 or x <= 2\n",
     {("always-true", 1): "proved"}),
    # an unbounded loop: no failure within the bound, nothing more claimed (quick mode)
    ("def f(n):\n    s = 0\n    while s < n:\n        s += 2\n    assert s >= n\n",
     {("assertion", 5): "bounded"}),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_verdicts(source: str, expected: dict[tuple[str, int], str]) -> None:
    got = verdicts(source)
    for key, status in expected.items():
        assert got.get(key) == status, (key, got)


def test_refutation_carries_confirmed_witness_and_trace():
    source = "def f(n):\n    i = 0\n    while i < n:\n        i += 1\n        assert i != 5\n"
    (result,) = [r for r in results_of(source) if r.property == "assertion"]
    assert result.witness == {"n": 5} or result.witness["n"] >= 5
    assert result.confirmed is True
    assert result.trace[-1].line == 5 and result.trace[-1].values["i"] == 5
    assert "assertion can fail: f(n=" in result.message


def test_always_false_is_named():
    (result,) = results_of("def f(x):\n    return x != x\n")
    assert "always returns False" in result.message


def test_unsupported_construct_is_dont_know_with_line():
    (result,) = results_of("def f(x):\n    y = [x]\n    return y\n")
    assert result.property == "unsupported" and result.status == "unknown"
    assert "line 2" in result.reason


def test_disabled_check_is_not_reported():
    settings = Settings(unwind=4, timeout_s=5, deep=False, checks=frozenset())
    got = verdicts("def f(a, b):\n    return a // b\n", settings)
    assert ("division-by-zero", 2) not in got


def test_no_replay_marks_refutation_unconfirmed():
    settings = Settings(unwind=4, timeout_s=5, deep=False, replay=False)
    (result,) = results_of("def f(a, b):\n    return a // b\n", settings)
    assert result.status == "refuted" and result.confirmed is None


def test_callee_precondition_is_checked_at_the_call():
    source = """
        def f(x):
            return g(x - 1)

        def g(y):
            assert y >= 0
            return y
    """
    got = verdicts(source)
    assert got.get(("assertion", 2)) == "refuted"  # reported at the call in f


def test_syntax_error_elsewhere_does_not_stop_a_unit():
    source = "def f(x):\n    return x == x\n\ndef broken(:\n    pass\n"
    report = check_text(source, "python", QUICK)
    assert report.syntax_errors
    assert report.functions[0].results[0].status == "proved"
