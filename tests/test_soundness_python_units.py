"""Differential soundness for Python units as callers use them (issue 13): hypothesis
generates small int functions and places each as a module function, a method, a static
method, a named lambda or a nested function (a free variable as input), with defaults,
keyword-only parameters, a leading `if ...: raise` guard, module constants, `divmod` and
`pow`. Every "proved" (assertion, division by zero, always returns True) is run for real
on boundary and random inputs: the real function must never fail there (inputs its
leading guard rejects are not counted). Profile: see tests/soundness_support.py."""

from __future__ import annotations

import random
import textwrap
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from soundness_support import PROFILE, log_bug

from prooflens.analysis.check import check_text
from prooflens.analysis.settings import Settings

BOUNDARY = (0, 1, -1, 2, -2, 3, -3, 7, -8, 100, -101, 2**31 - 1, -(2**31))
SETTINGS = Settings(unwind=4, timeout_s=2.0, deep=False, replay=False)
ATOMS = ("a", "b", "C", "1", "2", "-3")


@st.composite
def int_expr(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(ATOMS))
    op = draw(st.sampled_from(["+", "-", "*", "//", "%"]))
    left, right = draw(int_expr(depth - 1)), draw(int_expr(depth - 1))
    if draw(st.booleans()):
        return f"pow({left}, 2)"
    return f"({left} {op} {right})"


@st.composite
def program(draw: st.DrawFn) -> tuple[str, str]:
    """(source, unit name) of a function of `a` and `b` in one of the unit shapes."""
    guard = draw(st.sampled_from(["", "if b == 0:\n    raise ValueError('b')\n",
                                  "if a < b:\n    raise ValueError\nelif a > 50:\n"
                                  "    raise ValueError\n"]))  # fmt: skip
    body = guard
    if draw(st.booleans()):
        body += f"q, r = divmod({draw(int_expr(1))}, {draw(int_expr(1))})\nassert q * 0 + r == r\n"
    body += f"x = {draw(int_expr())}\n"
    comparison = draw(st.sampled_from(["<=", "==", "!=", ">"]))
    body += f"assert x {comparison} {draw(int_expr(1))} or x == x\n"
    body += f"return {draw(int_expr())} {comparison} {draw(int_expr(1))}\n"
    constant = f"C = {draw(st.integers(-4, 4))}\n"
    shape = draw(st.sampled_from(["function", "method", "static", "lambda", "nested"]))
    params = draw(st.sampled_from(["a, b", "a, b=2", "a, *, b=-1"]))
    if shape == "lambda":
        expr = f"{draw(int_expr())} {comparison} {draw(int_expr(1))}"
        return constant + f"f = lambda {params}: {expr}\n", "f"
    if shape == "function":
        return constant + f"def f({params}):\n" + textwrap.indent(body, "    "), "f"
    if shape == "method":
        return (constant + f"class K:\n    def f(self, {params}):\n"
                + textwrap.indent(body, "        ")), "K.f"  # fmt: skip
    if shape == "static":
        return (constant + f"class K:\n    @staticmethod\n    def f({params}):\n"
                + textwrap.indent(body, "        ")), "K.f"  # fmt: skip
    return (constant + "def outer(b):\n    def f(a):\n" + textwrap.indent(body, "        ")
            + "    return f\n"), "outer.f"  # fmt: skip


def real_function(source: str, name: str):
    """The real function of unit `name` and the free variables it takes as globals."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "<soundness>", "exec"), namespace)  # noqa: S102 - generated here
    if name == "K.f":
        raw = namespace["K"].__dict__["f"]
        return (raw.__func__, ()) if isinstance(raw, staticmethod) else (raw, (None,))
    if name == "outer.f":
        return namespace["outer"], "nested"
    return namespace["f"], ()


def run_real(source: str, name: str, inputs: dict[str, int]) -> tuple[str, int]:
    """("returned"/"blocked"/exception name, line) of one real run."""
    function, receiver = real_function(source, name)
    try:
        if receiver == "nested":
            value = function(inputs["b"])(inputs["a"])
        else:
            value = function(*receiver, **inputs)
        return ("returned-true" if value is True else "returned"), 0
    except ValueError:
        return "blocked", 0
    except (AssertionError, ZeroDivisionError) as error:
        tb = error.__traceback__
        while tb.tb_next is not None:
            tb = tb.tb_next
        return type(error).__name__, tb.tb_lineno


def check_program(source: str, name: str) -> int:
    """Cross-check every proved result of unit `name`; returns how many were checked."""
    report = check_text(source, "python", SETTINGS, "<soundness>")
    (function,) = [f for f in report.functions if f.name == name]
    rng = random.Random(source)
    inputs = [dict(a=a, b=b) for a in BOUNDARY for b in BOUNDARY[:6]]
    inputs += [dict(a=rng.randint(-10**6, 10**6), b=rng.randint(-50, 50)) for _ in range(40)]
    checked = 0
    sites = [(r.property, r.line) for r in function.results]
    for result in function.results:
        assert not (result.reason or "").startswith("internal error"), (source, result)
        if result.status != "proved" or sites.count((result.property, result.line)) > 1:
            continue  # several checks of one kind on a line: a real run cannot tell which
        checked += 1
        for values in inputs:
            outcome, line = run_real(source, name, values)
            wrong = {
                "assertion": outcome == "AssertionError" and line == result.line,
                "division-by-zero": outcome == "ZeroDivisionError" and line == result.line,
                "always-true": outcome == "returned",
            }.get(result.property, False)
            if wrong:
                log_bug([f"proved {result.property} fails on {values}"], source, False)
            assert not wrong, (result, values, source)
    return checked


@PROFILE
@given(program())
def test_proved_unit_verdicts_survive_real_runs(case: tuple[str, str]) -> None:
    check_program(*case)


def test_a_fixed_program_of_every_shape() -> None:
    source = ("C = 2\nclass K:\n    @staticmethod\n    def f(a, *, b=-1):\n"
              "        if b == 0:\n            raise ValueError\n"
              "        q, r = divmod(a, b)\n        return q * b + r == a and C == 2\n")
    assert check_program(source, "K.f") >= 1
