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
    (result,) = results_of("def f(x):\n    y = {x}\n    return y\n")
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


# ----------------------------------------------------------- units as callers use them

UNIT_CASES = [
    # (source, unit name, {(property, line): status})
    ("class K:\n    def m(self, x):\n        y = x // 2\n        assert y * 2 <= x\n", "K.m",
     {("assertion", 4): "proved"}),
    ("class K:\n    @staticmethod\n    def s(a, b):\n        return a // b\n", "K.s",
     {("division-by-zero", 4): "refuted"}),
    # a leading guard is a precondition: the division after it cannot fail
    ("def f(a, b):\n    if b == 0:\n        raise ValueError('b')\n    return a // b\n", "f",
     {("division-by-zero", 4): "proved"}),
    ("def f(a, b):\n    if b < 0:\n        raise ValueError\n    elif b == 0:\n"
     "        raise ValueError\n    return a % b >= 0\n", "f", {("always-true", 1): "proved"}),
    # module constants are known values
    ("N = 7\nD = N - 7\ndef f(a):\n    return a // N * N <= a\n", "f",
     {("always-true", 3): "proved"}),
    ("N = 7\nD = N - 7\ndef f(a):\n    return a // D\n", "f", {("division-by-zero", 4): "refuted"}),
    # defaults and keyword-only parameters stay free
    ("def f(a, b=1, *, c=2):\n    return a // (b * c)\n", "f",
     {("division-by-zero", 2): "refuted"}),
    ("sq = lambda x: x * x >= 0\n", "sq", {("always-true", 1): "proved"}),
    ("def outer(k):\n    def inner(w):\n        return w // k\n    return 1\n", "outer.inner",
     {("division-by-zero", 3): "refuted"}),
    # calls with keyword arguments and constant defaults (issue 13)
    ("def g(x, y=3, *, z=1):\n    return x // (y - z)\n\ndef f(a):\n"
     "    return g(a) + g(a, 2, z=0) + g(a, z=a)\n", "f", {("division-by-zero", 5): "refuted"}),
    ("def g(x, y=3, *, z=1):\n    return x // (y - z)\n\ndef f(a):\n"
     "    return g(a) + g(y=5, x=a, z=2)\n", "f", {("division-by-zero", 5): "proved"}),
    # isinstance decided by the value's type (a str or float is no int: regression)
    ("def f(s: str):\n    s = s + 'a'\n    assert isinstance(s, int)\n", "f",
     {("assertion", 3): "refuted"}),
    ("def f(x: float, s: str):\n    x = x * 2.0\n    assert isinstance(x, (int, float))\n"
     "    assert not isinstance(s, (list, tuple)) and isinstance(s, object)\n", "f",
     {("assertion", 3): "proved", ("assertion", 4): "proved"}),
    ("class A:\n    pass\nclass B(A):\n    pass\ndef f(x):\n    x += 1\n"
     "    assert not isinstance(x, (A, B))\n", "f", {("assertion", 7): "proved"}),
    ("def f(a, b):\n    if b == 0:\n        return True\n    q, r = divmod(a, b)\n"
     "    assert q * b + r == a\n    return pow(q, 2) >= 0\n", "f",
     {("assertion", 5): "proved", ("division-by-zero", 4): "proved",
      ("always-true", 1): "proved"}),
]


@pytest.mark.parametrize(("source", "name", "expected"), UNIT_CASES)
def test_unit_verdicts(source: str, name: str, expected: dict[tuple[str, int], str]) -> None:
    report = check_text(source, "python", Settings(unwind=6, timeout_s=5.0, deep=False,
                                                   replay=False))  # fmt: skip
    (function,) = [f for f in report.functions if f.name == name]
    got = {(r.property, r.line): r.status for r in function.results}
    for key, status in expected.items():
        assert got.get(key) == status, (key, got)


def test_every_definition_is_reported_with_a_reason() -> None:
    source = ("class K:\n    def a(self):\n        return self\n    @other\n"
              "    def b(self):\n        return 1\n\ndef f(x: complex):\n    return x\n")
    report = check_text(source, "python", QUICK)
    reasons = {f.name: f.results[0].reason for f in report.functions}
    assert reasons == {"K.a": "unsupported use of self as a value (only reads of its data "
                              "attributes are modelled) at line 3",
                       "K.b": "unsupported decorator @other at line 5",
                       "f": "unsupported parameter type complex at line 8"}  # fmt: skip


def test_newer_syntax_is_unsupported_not_a_syntax_error() -> None:
    report = check_text("def f[T](x):\n    return x\n", "python", QUICK)
    assert report.syntax_errors == ()
    (result,) = report.functions[0].results
    assert result.reason == "unsupported syntax (Python 3.12+): type parameters (PEP 695) at line 1"


def test_module_constants_are_known_and_defined_for_replay() -> None:
    source = ("N = 3\nDAYS = [0, 31, 28]\nNAMES = ('a', 'bb')\nBAD = [1]\n\n"
              "def g(x, y=N):\n    return x // (y - 3)\n\n"
              "def f(a):\n    return DAYS[a] + len(NAMES[a % 2]) + g(a)\n\n"
              "def h(a):\n    BAD.append(a)\n    return a\n")  # fmt: skip
    report = check_text(source, "python", Settings(unwind=4, timeout_s=5.0, deep=False))
    by_name = {f.name: f.results for f in report.functions}
    got = {(r.property, r.status, r.confirmed) for r in by_name["f"]}
    assert ("exception", "refuted", True) in got  # DAYS[a] out of range, replayed for real
    assert ("division-by-zero", "refuted", True) in got  # g's default y=N, replayed too
    (h,) = by_name["h"]
    assert h.reason == "unsupported global name BAD (a module-level variable) at line 13"
