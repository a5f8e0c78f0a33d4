"""Differential soundness for Python floats (issue 13): hypothesis generates small functions
of two floats and an int (`+ - * /`, int/float mixing, exact int-float comparisons, `abs`,
`float()`, NaN tests). Every "proved" (assertion, division by zero, exception, always
returns True) is run for real on boundary inputs -- NaN, +-inf, -0.0, the smallest
subnormal, the largest float, ints past 2**53 and past float range -- and random ones;
every counterexample is run for real and must fail as reported."""

from __future__ import annotations

import random
import textwrap
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from soundness_support import PROFILE, cross_check

from prooflens.analysis.check import check_text
from prooflens.analysis.settings import Settings

SETTINGS = Settings(unwind=4, timeout_s=3.0, deep=False, replay=False)
FLOATS = (0.0, -0.0, 1.0, -2.5, 0.1, 5e-324, 1.7976931348623157e308, -1e308,
          float("inf"), float("-inf"), float("nan"), 2.0**53)  # fmt: skip
INTS = (0, 1, -1, 3, 2**53 + 1, -(2**53) - 1, 10**308, -(10**309))
ATOMS = ("x", "y", "n", "0.5", "2", "-0.0", "1e308", "float(n)")


@st.composite
def expr(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(ATOMS))
    op = draw(st.sampled_from(["+", "-", "*", "/"]))
    left, right = draw(expr(depth - 1)), draw(expr(depth - 1))
    if draw(st.integers(0, 5)) == 0:
        return f"abs({left})"
    return f"({left} {op} {right})"


@st.composite
def program(draw: st.DrawFn) -> str:
    cmp = st.sampled_from(["<", "<=", "==", "!=", ">", ">="])
    body = [f"z = {draw(expr())}"]
    if draw(st.booleans()):
        body.append(f"assert z {draw(cmp)} {draw(expr(1))} or z != z")
    if draw(st.booleans()):
        body.append(f"assert not (z {draw(cmp)} n)")
    body.append(f"return {draw(expr(1))} {draw(cmp)} {draw(expr(1))}")
    return "def f(x: float, y: float, n: int):\n" + textwrap.indent("\n".join(body) + "\n", "    ")


def run_real(source: str, inputs: dict[str, Any]) -> tuple[str, int]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "<soundness>", "exec"), namespace)  # noqa: S102 - generated here
    try:
        value = namespace["f"](**inputs)
        return ("returned-true" if value is True else "returned"), 0
    except Exception as error:  # noqa: BLE001 - every exception is an outcome here
        tb = error.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        return type(error).__name__, tb.tb_lineno if tb is not None else 0


def expected_failure(prop: str, message: str) -> str:
    if prop == "exception":
        return message.split(":")[0]
    return {"assertion": "AssertionError", "division-by-zero": "ZeroDivisionError",
            "always-true": "returned"}.get(prop, "")  # fmt: skip


def check_program(source: str) -> tuple[int, int]:
    report = check_text(source, "python", SETTINGS, "<soundness>")
    (function,) = report.functions
    rng = random.Random(source)
    inputs = [dict(x=x, y=y, n=n) for x in FLOATS for y in FLOATS[::3] for n in INTS[::2]]
    inputs += [dict(x=rng.uniform(-1e9, 1e9), y=rng.choice(FLOATS), n=rng.choice(INTS))
               for _ in range(30)]  # fmt: skip
    def expected(result) -> str:
        return expected_failure(result.property, result.message)

    return cross_check(function, source, inputs, run_real, expected)


@PROFILE
@given(program())
def test_float_verdicts_survive_real_runs(source: str) -> None:
    check_program(source)


def test_fixed_programs() -> None:
    nan = "def f(x: float, y: float, n: int):\n    return x == x\n"
    assert check_program(nan)[1] == 1  # refuted by NaN, replayed
    exact = "def f(x: float, y: float, n: int):\n    return not (n < 9007199254740992.0 < n)\n"
    assert check_program(exact)[0] == 1
    zero = "def f(x: float, y: float, n: int):\n    return 1.0 / x\n"
    assert check_program(zero)[1] == 1  # x = 0.0 or -0.0
