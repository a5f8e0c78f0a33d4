"""The solver gateway (`analysis/solver.py`): deterministic budgets in z3 resource units,
unknown never read as unsat, and no other module setting a budget or running a query."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import z3

from prooflens.analysis import solver
from prooflens.analysis.solver import Budget

ANALYSIS = Path(__file__).resolve().parent.parent / "analysis"
# A query or a budget outside the gateway: `.check()` on a solver, its timeout or rlimit.
_BYPASS = re.compile(
    r"""\.set\(\s*["'](timeout|rlimit)["']|\b(solver|opt|horn|query|s)\.check\(\)"""
)


def test_no_module_but_the_gateway_queries_or_sets_a_budget() -> None:
    offenders = []
    for path in ANALYSIS.rglob("*.py"):
        if path.name == "solver.py" and path.parent == ANALYSIS:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if _BYPASS.search(line):
                offenders.append(f"{path.relative_to(ANALYSIS)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_sat_unsat_and_spending() -> None:
    x = z3.Int("x")
    budget = solver.unlimited()
    sat = solver.solve([x > 3, x < 5], budget)
    assert sat.sat and sat.model is not None and sat.model.eval(x).as_long() == 4
    unsat = solver.solve([x > 3, x < 4], budget)
    assert unsat.unsat and not unsat.unknown
    assert budget.spent == sat.spent + unsat.spent


def test_an_exhausted_budget_is_unknown_never_unsat() -> None:
    a, b = z3.Ints("a b")
    hard = [a * a * a + b * b * b == 1729 * 3 + 1, a > 0, b > 0]  # unsat, but slowly
    answer = solver.solve(hard, Budget(solver.MIN_QUERY_UNITS * 2))
    assert answer.unknown and answer.reason == "solver budget exhausted"
    empty = Budget(0)
    assert solver.solve([a == 1], empty).unknown  # not even started


def test_the_same_budget_gives_the_same_answer() -> None:
    """The limit is a count of z3's own steps: the answer to a query that runs out of it
    does not depend on how fast the machine is."""
    a, b = z3.Ints("a b")
    hard = [a * a * a + b * b * b == 1729 * 3 + 1, a > 0, b > 0]
    answers = {solver.solve(hard, Budget(300_000)).status for _ in range(3)}
    assert len(answers) == 1


def test_the_safety_net_says_unknown_and_why(monkeypatch: pytest.MonkeyPatch) -> None:
    """A query cut by the clock is unknown, never unsat, and says it was the clock."""
    monkeypatch.setattr(solver, "SAFETY_FACTOR", 0.0)
    monkeypatch.setattr(solver, "SAFETY_SLACK_S", 0.001)
    a, b = z3.Ints("a b")
    hard = [a * a * a + b * b * b == 1729 * 3 + 1, a > 0, b > 0]
    budget = Budget(10**12)
    answer = solver.solve(hard, budget)
    assert answer.unknown and answer.reason == "wall-clock safety limit reached"
    assert budget.remaining == 0  # its whole share counts as spent: time stays bounded


def test_the_safety_net_is_per_query() -> None:
    """Time spent outside z3 (replay, a compiler) never shortens a later query's net."""
    assert solver.safety_ms(0) == int(solver.SAFETY_SLACK_S * 1000)
    nominal_s = 1_000_000 / solver.UNITS_PER_SECOND
    assert solver.safety_ms(1_000_000) >= solver.SAFETY_FACTOR * nominal_s * 1000


def test_parts_spend_from_their_parent() -> None:
    parent = Budget(1_000_000)
    child = parent.part(0.5)
    assert child.units == 500_000
    child.spend(100_000)
    assert parent.remaining == 900_000 and child.remaining == 400_000
    parent.spend(850_000)
    assert child.remaining == 50_000  # never more than the parent has left
    assert parent.split(4).units == 50_000 // 4
