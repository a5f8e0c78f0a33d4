"""Termination verdicts: ranking functions, confirmed non-termination witnesses, unknowns."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from nontermination_support import confirm_python

from prooflens.analysis import ir, solver, syntax
from prooflens.analysis.engines.termination import check_termination
from prooflens.analysis.frontends import python as pyfront
from prooflens.analysis.settings import Settings
from prooflens.analysis.solver import Budget
from prooflens.analysis.verdicts import LoopEvidence
from prooflens.analysis.witness import Witness

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "loops_proofs.py"


def functions(source: str) -> dict[str, ir.Function]:
    parsed = syntax.parse(source, "python")
    out = {}
    for unit in parsed.units:
        fn = pyfront.lower(parsed, unit, Settings())
        assert isinstance(fn, ir.Function), fn
        out[unit.name] = fn
    return out


SAMPLE_FNS = functions(SAMPLES.read_text())

# (function, statuses of its loops in order, part of the first certificate, witness kind);
# the exact ranking function may differ between equally good solver answers
EXPECTED = [
    ("g", ["proved"], "decreases and stays >= 0", None),
    ("g2", ["refuted"], None, "state repeats"),
    ("flip", ["refuted"], None, "state repeats"),
    ("grow", ["refuted"], None, "recurrent set"),
    ("gcd", ["proved"], None, None),
    ("double_until", ["proved"], "decreases and stays >= 0", None),
    ("step_three", ["proved"], "decreases and stays >= 0", None),
    ("two_phase", ["proved"], "decreases lexicographically", None),
    ("nested", ["proved", "proved"], None, None),
    ("sum_below", ["proved"], None, None),
    ("twice", ["proved"], None, None),
    ("late_failure", ["proved"], None, None),
    ("countdown", ["proved"], None, None),
    ("collatz", ["unknown"], None, None),
    ("after_loop", ["proved", "refuted"], None, None),
    ("inner_odd", ["proved", "refuted"], None, None),
    ("until_flag", ["proved"], "decreases", None),
    ("needs_invariant", ["proved"], "decreases", None),
]


@pytest.mark.parametrize("name,loops,certificate,kind", EXPECTED, ids=[e[0] for e in EXPECTED])
def test_sample_verdicts(name: str, loops: list, certificate: str | None, kind: str | None):
    verdicts = check_termination(SAMPLE_FNS[name], Budget.of_seconds(20))
    assert [v.status for v in verdicts] == loops, verdicts
    first = verdicts[0]
    if certificate is not None:
        assert certificate in first.certificate
    if kind is not None:
        assert first.evidence is not None and first.evidence.kind == kind
        assert first.witness is not None
    if first.status == "unknown":
        assert first.reason


def _source_of(name: str) -> tuple[str, int]:
    text = SAMPLES.read_text()
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            lines = text.splitlines()[node.lineno - 1 : node.end_lineno]
            return "\n".join(lines) + "\n", node.lineno
    raise KeyError(name)


@pytest.mark.parametrize("name,index", [("g2", 0), ("flip", 0), ("grow", 0),
                                        ("after_loop", 1), ("inner_odd", 1)])
def test_witnesses_are_confirmed_by_running_python(name: str, index: int) -> None:
    verdict = check_termination(SAMPLE_FNS[name], Budget.of_seconds(10))[index]
    text, first = _source_of(name)
    outcome = confirm_python(text, name, {}, verdict.witness, verdict.line, verdict.evidence,
                             first_line=first)  # fmt: skip
    assert outcome.confirmed is True, outcome


def test_replay_rejects_a_wrong_witness() -> None:
    verdict = check_termination(SAMPLE_FNS["g2"], Budget.of_seconds(10))[0]
    text, first = _source_of("g2")
    wrong = type(verdict.witness)({"x": 5, "y": 1})
    outcome = confirm_python(text, "g2", {}, wrong, verdict.line, verdict.evidence,
                             first_line=first)  # fmt: skip
    assert outcome.confirmed is False


REPEATING_INNER = """def rep(n: int) -> int:
    k = 0
    while k < n:
        x = 3
        while x > 0:
            x -= 1
        k += 1
    return k
"""


def test_replay_does_not_mix_activations_of_an_inner_loop() -> None:
    """The inner loop sees x == 3 in every outer iteration: that is no repetition."""
    witness = Witness({"n": 5})
    evidence = LoopEvidence("state repeats", state=("x",), loop_lines=(5, 6))
    outcome = confirm_python(REPEATING_INNER, "rep", {}, witness, 5, evidence, first_line=1)
    assert outcome.confirmed is False


# ------------------------------------------------------------- bit-vectors (hand-built)


def _bv_fn(t: ir.BVType, cond: ir.Expr, update: ir.Expr, params=("x",), extra=()) -> ir.Function:
    loop = ir.Loop(cond, (ir.Assign("x", update),), (), 1, "while", True, ir.Span(2, 5, 2, 9))
    variables = {p: t for p in params}
    body = (*extra, loop, ir.Return(ir.Var("x", t)))
    return ir.Function("h", tuple(ir.Param(p, t) for p in params), t, body, variables,
                       language="c", display={p: p for p in params})  # fmt: skip


U8, I8 = ir.BVType(8, False), ir.BVType(8, True)


def _var(name: str, t: ir.Type) -> ir.Var:
    return ir.Var(name, t)


def test_bv_count_up_is_ranked_over_bounded_values() -> None:
    x, n = _var("x", U8), _var("n", U8)
    fn = _bv_fn(U8, ir.Binary("lt", x, n, ir.BOOL),
                ir.Binary("add", x, ir.Const(1, U8), U8), params=("x", "n"))  # fmt: skip
    assert check_termination(fn, Budget.of_seconds(5))[0].status == "proved"


def test_bv_growing_wraps_so_it_is_never_refuted() -> None:
    """u8: while x > 0: x = x + 1 stops when x wraps to 0: not a divergence."""
    x = _var("x", U8)
    fn = _bv_fn(U8, ir.Binary("gt", x, ir.Const(0, U8), ir.BOOL),
                ir.Binary("add", x, ir.Const(1, U8), U8))  # fmt: skip
    verdict = check_termination(fn, Budget.of_seconds(5))[0]
    assert verdict.status in ("proved", "unknown")


def test_bv_signed_fixed_point_is_refuted() -> None:
    x, y = _var("x", I8), _var("y", I8)
    fn = _bv_fn(I8, ir.Binary("gt", x, y, ir.BOOL), ir.Binary("sub", x, y, I8),
                params=("x", "y"))  # fmt: skip
    verdict = check_termination(fn, Budget.of_seconds(5))[0]
    assert verdict.status == "refuted"
    assert verdict.witness.inputs["y"] == 0


def test_bv_step_over_the_bound_with_wraparound() -> None:
    """u8: while x != 1: x = x + 2 from even x never stops (period 128 > search bound):
    must not be called terminating."""
    x = _var("x", U8)
    fn = _bv_fn(U8, ir.Binary("ne", x, ir.Const(1, U8), ir.BOOL),
                ir.Binary("add", x, ir.Const(2, U8), U8))  # fmt: skip
    assert check_termination(fn, Budget.of_seconds(5))[0].status != "proved"


def test_budget_is_respected() -> None:
    budget = Budget.of_seconds(1.0)
    check_termination(SAMPLE_FNS["collatz"], budget)
    assert budget.spent <= budget.units * 1.05 + solver.MIN_QUERY_UNITS
