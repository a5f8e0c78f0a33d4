"""Differential test over generated loops: a "terminates" verdict must stop on random
inputs (real Python, generous iteration cap); a non-termination witness must be
confirmed by running the real function. No wrong answer is allowed."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nontermination_support import confirm_python

from prooflens.analysis import ir, syntax
from prooflens.analysis.engines.termination import check_termination
from prooflens.analysis.frontends import python as pyfront
from prooflens.analysis.settings import Settings
from prooflens.analysis.solver import Budget

pytestmark = pytest.mark.e2e  # about a minute: solver calls and real runs per example

CAP = 200_000
VARS = ("x", "y")

atoms = st.sampled_from(["x", "y", "0", "1", "2", "3", "-1", "x + y", "x - y", "2 * x"])
compare = st.sampled_from(["<", "<=", ">", ">=", "!=", "=="])
rhs = st.sampled_from([
    "x + 1", "x - 1", "x - 2", "x + 3", "y - 1", "y + 1", "x - y", "y - x", "1 - x",
    "-x", "x + y", "2 * x", "x // 2", "0", "y",
])  # fmt: skip


@st.composite
def loops(draw) -> str:
    cond = f"{draw(atoms)} {draw(compare)} {draw(atoms)}"
    body = []
    for _ in range(draw(st.integers(1, 2))):
        body.append(f"        {draw(st.sampled_from(VARS))} = {draw(rhs)}")
    guard = draw(st.sampled_from(["", "    assert y > 0\n", "    assert x >= 0\n"]))
    return (f"def f(x: int, y: int) -> int:\n{guard}    while {cond}:\n"
            + "\n".join(body) + "\n    return x\n")  # fmt: skip


def _run_capped(source: str, x: int, y: int) -> str:
    """Run the real function with an iteration counter: "returned", "raised" or "capped"."""
    lines = source.splitlines()
    out = []
    for line in lines:
        out.append(line)
        if line.strip().startswith("while "):
            out.append("        _count[0] += 1")
            out.append("        if _count[0] > CAP: raise TimeoutError")
    namespace: dict = {"_count": [0], "CAP": CAP}
    exec("\n".join(out), namespace)  # noqa: S102 - generated test programs only
    try:
        namespace["f"](x, y)
    except TimeoutError:
        return "capped"
    except (AssertionError, ZeroDivisionError):
        return "raised"
    return "returned"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(loops(), st.randoms(use_true_random=False))
def test_no_wrong_termination_answer(source: str, rnd: random.Random) -> None:
    parsed = syntax.parse(source, "python")
    fn = pyfront.lower(parsed, parsed.units[0], Settings())
    assert isinstance(fn, ir.Function), fn
    verdict = check_termination(fn, Budget.of_seconds(3))[0]
    if verdict.status == "proved":
        for _ in range(30):
            x, y = rnd.randint(-60, 60), rnd.randint(-60, 60)
            assert _run_capped(source, x, y) != "capped", (source, x, y, verdict)
    elif verdict.status == "refuted":
        outcome = confirm_python(source, "f", {}, verdict.witness, verdict.line,
                                 verdict.evidence, first_line=1)  # fmt: skip
        assert outcome.confirmed is True, (source, verdict, outcome)
        x, y = verdict.witness.inputs["x"], verdict.witness.inputs["y"]
        assert _run_capped(source, x, y) == "capped", (source, verdict)
    else:
        assert verdict.reason
