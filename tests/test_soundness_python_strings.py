"""Differential soundness for strings built from values (issue 13): hypothesis generates
functions of an int `n`, a bool `b` and a str `s` that build text with `str()`, f-strings
(`!s`/`!r` conversions) and `%` formatting (`%s %r %d %i`, widths, `-`, `%.2s`), then assert
and return facts about it (`len`, `==`, `in`, indexing). Every "proved" is run for real on
boundary and random inputs (ints past 4300 digits included: CPython's default limit raises
ValueError), every refutation is rerun on its witness. Profile: see
tests/soundness_support.py."""

from __future__ import annotations

import random
import sys
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from soundness_support import PROFILE, cross_check

from prooflens.analysis.check import check_text
from prooflens.analysis.settings import Settings

SETTINGS = Settings(unwind=3, timeout_s=2.0, deep=False, replay=False)
INTS = (0, 1, -1, 9, 10, -10, 99, 100, -100, 12345, -(10**6), 10**4299, -(10**4300))
STRS = ("", "a", "-", "1", "ab", "-0", "xyz", " ", "10")

TEXTS = ("str(n)", "str(b)", "str(s)", "f'{n}'", "f'<{s}>'", "f'{n!r}:{b}'", "f'{b!s}{n}'",
         "'%s' % n", "'%d' % b", "'%i|%s' % (n, s)", "'%3d' % n", "'%-4s|' % s",
         "'%.2s' % s", "'%r%%' % n", "'n=%s, b=%r' % (n, b)", "str(n) + s", "s + f'{n}'",
         "'%5s' % b", "str()")  # fmt: skip


@st.composite
def program(draw: st.DrawFn) -> str:
    t = draw(st.sampled_from(TEXTS))
    facts = [f"len(t) {draw(st.sampled_from(['>=', '<', '==', '!=']))} "
             f"{draw(st.integers(0, 6))}", "t != ''", f"t == {draw(st.sampled_from(STRS))!r}",
             f"{draw(st.sampled_from(STRS))!r} in t", "t[0] != '-'", "t[-1] in '0123456789'",
             "(n < 0) == ('-' in t)", "t == t"]  # fmt: skip
    body = "def f(n: int, b: bool, s: str):\n"
    if draw(st.booleans()):
        body += f"    if n > {draw(st.integers(-20, 20))}:\n        n = n - 7\n"
    body += f"    t = {t}\n"
    body += f"    assert {draw(st.sampled_from(facts))}\n"
    body += f"    return {draw(st.sampled_from(facts))}\n"
    return body


def run_real(source: str, values: dict[str, Any]) -> tuple[str, int]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "<soundness>", "exec"), namespace)  # noqa: S102 - generated here
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(4300)  # CPython's default, the semantics modelled
    try:
        value = namespace["f"](values.get("n", 0), values.get("b", False), values.get("s", ""))
    except Exception as error:  # noqa: BLE001 - every exception is an outcome
        tb = error.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        return type(error).__name__, tb.tb_lineno if tb is not None else 0
    finally:
        sys.set_int_max_str_digits(old)
    return ("returned-true" if value is True else "returned"), 0


def expected(result) -> str:
    if result.property == "always-true":
        return "returned"
    if result.property == "exception":
        return result.message.removeprefix("no ").split(":")[0].split()[0]
    return {"assertion": "AssertionError", "division-by-zero": "ZeroDivisionError"}[
        result.property]


def check_program(source: str) -> tuple[int, int]:
    report = check_text(source, "python", SETTINGS, "<soundness>")
    (function,) = report.functions
    assert not any(r.property == "unsupported" for r in function.results), (source, function)
    rng = random.Random(source)
    inputs = [{"n": n, "b": b, "s": s} for n in INTS for b in (False, True) for s in STRS]
    inputs += [{"n": rng.randint(-10**6, 10**6), "b": rng.random() < 0.5,
                "s": "".join(rng.choice("ab-1 ") for _ in range(rng.randint(0, 4)))}
               for _ in range(40)]  # fmt: skip
    return cross_check(function, source, inputs, run_real, expected)


@PROFILE
@given(program())
def test_string_building_verdicts_survive_real_runs(source: str) -> None:
    check_program(source)


def test_fixed_string_programs() -> None:
    source = ("def f(n: int, b: bool, s: str):\n    t = '%3d|%-2s' % (n, b)\n"
              "    assert len(t) >= 7\n    return t[3] == '|'\n")
    proved, refuted = check_program(source)
    assert proved >= 1 and refuted >= 1  # len >= 7 holds; '|' moves once n needs 4 places
    source = ("def f(n: int, b: bool, s: str):\n    if n > 5:\n        n = 5\n"
              "    t = f'{n}'\n    return (n < 0) == (t[0] == '-')\n")
    proved, _ = check_program(source)
    assert proved >= 2  # no ValueError (n <= 5 can still be huge and negative: refuted)
