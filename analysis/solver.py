"""The one gateway to z3: every query of every engine goes through `check`.

A budget is a number of z3 *resource units* (z3's `rlimit`: a count of the solver's own
steps), not seconds, so the same input and settings give the same answer on an idle and
on a loaded machine. Wall-clock time is only a per-query safety net (a multiple of the
query's nominal time): when it expires the answer is unknown, never unsat, says so, and
the query's share counts as spent.

`Budget` is shared by the queries drawn from it: each spends what z3 reports it used, and
`part` hands a fraction of what is left to a sub-task (spending there spends here too).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import z3

# Resource units per second of nominal budget: `--timeout 10` is 10 * UNITS_PER_SECOND
# units. Calibrated on bench/corpus (z3 5.4, per CPU second: about 2.8 million units in
# the SMT core); the exact value only has to be fixed, not accurate.
UNITS_PER_SECOND = 2_500_000
# z3's Horn-clause engine (Spacer) counts fewer units per CPU second than its SMT core
# (measured on the same corpus: about 0.5 million against 2.8 million): its units weigh more.
HORN_WEIGHT = 5.0
# The wall-clock safety net of each query: this many times its nominal time, plus a slack.
SAFETY_FACTOR = 6.0
SAFETY_SLACK_S = 2.0
# Why a query cut by the safety net is unknown (never "budget exhausted": it is not).
CLOCK_REASON = "wall-clock safety limit reached"
# Below this, a query is not started (z3 needs some units even for trivial queries).
MIN_QUERY_UNITS = 2_000


class Status(StrEnum):
    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Answer:
    """What one query gave: a model when sat, the reason when unknown."""

    status: Status
    model: z3.ModelRef | None = None
    reason: str = ""
    spent: int = 0

    @property
    def sat(self) -> bool:
        return self.status is Status.SAT

    @property
    def unsat(self) -> bool:
        return self.status is Status.UNSAT

    @property
    def unknown(self) -> bool:
        return self.status is Status.UNKNOWN


class Budget:
    """A deterministic pool of resource units, shared by the queries drawn from it."""

    def __init__(self, units: int, parent: Budget | None = None) -> None:
        self.units = max(0, int(units))
        self.spent = 0
        self.parent = parent

    @classmethod
    def of_seconds(cls, seconds: float) -> Budget:
        """The budget a nominal time stands for (settings speak seconds)."""
        return cls(int(seconds * UNITS_PER_SECOND))

    @property
    def remaining(self) -> int:
        own = self.units - self.spent
        if self.parent is not None:
            own = min(own, self.parent.remaining)
        return max(0, own)

    def exhausted(self) -> bool:
        return self.remaining < MIN_QUERY_UNITS

    def part(self, fraction: float) -> Budget:
        """A sub-budget of `fraction` of what is left; its spending counts here too."""
        return Budget(int(self.remaining * fraction), self)

    def split(self, count: int) -> Budget:
        """An equal share of what is left among `count` remaining tasks."""
        return self.part(1.0 / max(1, count))

    def spend(self, units: int) -> None:
        self.spent += units
        if self.parent is not None:
            self.parent.spend(units)


def safety_ms(units: int) -> int:
    """The wall-clock safety net of one query of `units` units: SAFETY_FACTOR times its
    nominal time plus SAFETY_SLACK_S. Per query, so time spent outside z3 (replay, a
    compiler, the interpreter under load) can never cut a later query short."""
    seconds = SAFETY_FACTOR * units / UNITS_PER_SECOND + SAFETY_SLACK_S
    return max(1, int(min(seconds, 2.0**31 / 1000) * 1000))


def unlimited() -> Budget:
    """For tests and tools outside the pipeline: no unit limit."""
    return Budget(10**15)


def check(
    solver: z3.Solver | z3.Optimize,
    budget: Budget,
    *assumptions: z3.BoolRef,
    most: int | None = None,
    weight: float = 1.0,
) -> Answer:
    """Run one query on `solver` within `budget` (and at most `most` units of it); each
    of z3's own units costs `weight` budget units (see HORN_WEIGHT)."""
    units = budget.remaining if most is None else min(budget.remaining, most)
    if units < MIN_QUERY_UNITS:
        return Answer(Status.UNKNOWN, reason="solver budget exhausted")
    solver.set("rlimit", max(1, int(units / weight)))
    solver.set("timeout", safety_ms(units))
    before = _count()
    try:
        result = solver.check(*assumptions)
    except z3.Z3Exception as error:
        budget.spend(int(max(0, _count() - before) * weight))
        return Answer(Status.UNKNOWN, reason=f"solver error: {error}")
    spent = int(max(0, _count() - before) * weight)
    if result == z3.sat:
        budget.spend(spent)
        return Answer(Status.SAT, solver.model(), spent=spent)
    if result == z3.unsat:
        budget.spend(spent)
        return Answer(Status.UNSAT, spent=spent)
    reason = _why_unknown(solver, spent, units)
    if reason == CLOCK_REASON:
        # Cut by the clock: the query counts its whole share as spent, so a unit whose
        # queries keep tripping the net still ends within SAFETY_FACTOR x its budget.
        spent = max(spent, units)
    budget.spend(spent)
    return Answer(Status.UNKNOWN, reason=reason, spent=spent)


def solve(facts: list[z3.BoolRef], budget: Budget, most: int | None = None) -> Answer:
    """`check` on a fresh solver holding `facts`."""
    solver = z3.Solver()
    solver.add(*facts)
    return check(solver, budget, most=most)


def _why_unknown(solver: z3.Solver | z3.Optimize, spent: int, units: int) -> str:
    why = solver.reason_unknown()
    if spent >= units * 0.9 or why == "max. resource limit exceeded":
        return "solver budget exhausted"
    if why in ("canceled", "timeout"):
        # Not the units but the clock: say so, so a load-dependent answer is visible.
        return CLOCK_REASON
    return f"solver gave up: {why}" if why else "solver gave up"


def _count() -> int:
    """z3's resource counter for the current context (it only grows)."""
    probe = z3.Solver()
    probe.check()
    stats = probe.statistics()
    keys = stats.keys()
    return int(stats.get_key_value("rlimit count")) if "rlimit count" in keys else 0


def fresh_name(base: str) -> str:
    """A constant name unique in the current z3 context. The count lives on the context,
    so it restarts with `fresh_context` and a unit's names never depend on earlier units."""
    ctx = z3.main_ctx()
    number = getattr(ctx, "_prooflens_names", 0)
    ctx._prooflens_names = number + 1
    return f"{base}!{number}"


def fresh_context() -> None:
    """Give this process a new z3 main context: the answers for one unit then do not
    depend on what the process solved before (z3's term ids and caches carry over
    otherwise, and with them its choices)."""
    z3.z3._main_ctx = None  # noqa: SLF001 - z3 offers no public reset of its main context
