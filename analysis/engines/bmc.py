"""Bounded model checking: unwind loops and inlined recursion K times, ask z3 for a
violation of each assert, and say whether K unwindings cover every execution.

The function is executed by `symbolic.Executor` with the `Unroll` loop strategy: a
guarded state's path condition says when the current point is reached, and at every
join the variables are merged with `If`. After an assert the run continues assuming it
held, so each violation found is the first one on its path (as a concrete run would
stop there).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import z3

from prooflens.analysis import ir, semantics, solver
from prooflens.analysis.engines import symbolic
from prooflens.analysis.engines.symbolic import Check, Executor, Havoc, OutOfTime, Site, site_of
from prooflens.analysis.solver import Budget
from prooflens.analysis.witness import Witness

__all__ = ["BmcOutcome", "OutOfTime", "Site", "SiteResult", "can_hold", "check", "site_of",
           "unrolled", "witness_from"]  # fmt: skip


@dataclass(frozen=True)
class SiteResult:
    """BMC's answer for one site: "refuted" (with `witness`), "safe" (no violation within
    the bound), or "unknown" (solver gave up / budget exhausted, with `reason`)."""

    site: Site
    status: str
    witness: Witness | None = None
    reason: str | None = None
    reachable: bool = True
    solver_ms: float = 0.0


@dataclass(frozen=True)
class BmcOutcome:
    """Per-site answers; `complete` = no execution runs longer than the bound (so "safe"
    means proved), `complete_unknown` = the solver could not tell."""

    sites: dict[Site, SiteResult]
    asserts: dict[Site, ir.Assert]
    complete: bool
    complete_unknown: bool
    bound: int
    solver_ms: float
    # Every unwound copy of an assert (for `can_hold`); None when the unrolling ran out.
    checks: tuple[Check, ...] | None = None


def unrolled(fn: ir.Function, bound: int, budget: Budget) -> Executor:
    """`fn` executed with every loop and inlined recursion unwound `bound` times (raises
    `OutOfTime` when the unrolling uses up `budget`)."""
    ex = Executor(fn, symbolic.Unroll(bound), budget=budget, exact=True)
    ex.run()
    return ex


# ---------------------------------------------------------------------------- checking


def check(fn: ir.Function, bound: int, budget: Budget, query_units: int | None = None
          ) -> BmcOutcome:  # fmt: skip
    """Look for a violation of every assert within `bound` unwindings; no single solver
    query spends more than `query_units` (so one hard property does not starve the others)."""
    try:
        ex = unrolled(fn, bound, budget)
    except OutOfTime:
        return _timed_out(fn, bound)
    by_site: dict[Site, list[Check]] = {}
    asserts: dict[Site, ir.Assert] = {}
    for check in ex.checks:
        by_site.setdefault(site_of(check.stmt), []).append(check)
        asserts.setdefault(site_of(check.stmt), check.stmt)
    for stmt in ir.walk_stmts(fn.body):  # asserts never reached by the unrolling
        if isinstance(stmt, ir.Assert):
            asserts.setdefault(site_of(stmt), stmt)
            by_site.setdefault(site_of(stmt), [])
    solver_ms = 0.0
    sites: dict[Site, SiteResult] = {}
    for site, instances in by_site.items():
        result = _check_site(fn, ex.havocs, site, instances, budget, query_units)
        solver_ms += result.solver_ms
        sites[site] = result
    complete, complete_unknown, ms = _covers_everything(ex.cutoffs, budget, query_units)
    return BmcOutcome(sites, asserts, complete, complete_unknown, bound, solver_ms + ms,
                      tuple(ex.checks))  # fmt: skip


def _timed_out(fn: ir.Function, bound: int) -> BmcOutcome:
    asserts = {site_of(s): s for s in ir.walk_stmts(fn.body) if isinstance(s, ir.Assert)}
    reason = "solver budget exhausted while unrolling loops"
    sites = {site: SiteResult(site, "unknown", reason=reason) for site in asserts}
    return BmcOutcome(sites, asserts, False, True, bound, 0.0)


def _check_site(
    fn: ir.Function,
    havocs: list[Havoc],
    site: Site,
    instances: list[Check],
    budget: Budget,
    query_units: int | None,
) -> SiteResult:
    violation = z3.Or([z3.And(i.state.pc, z3.Not(i.cond)) for i in instances]
                      or [z3.BoolVal(False)])  # fmt: skip
    query = z3.Solver()
    query.add(violation)
    began = time.perf_counter()
    answer = solver.check(query, budget, most=query_units)
    if answer.sat:
        assert answer.model is not None  # taken first: push/pop below invalidate it
        model = _small_model(query, fn, budget) or answer.model
        ms = (time.perf_counter() - began) * 1000
        return SiteResult(site, "refuted", witness_from(model, fn, havocs), solver_ms=ms)
    ms = (time.perf_counter() - began) * 1000
    if answer.unsat:
        return SiteResult(site, "safe", reachable=bool(instances), solver_ms=ms)
    return SiteResult(site, "unknown", reason=answer.reason, solver_ms=ms)


def _covers_everything(cutoffs: list[z3.BoolRef], budget: Budget, query_units: int | None
                       ) -> tuple[bool, bool, float]:  # fmt: skip
    if not cutoffs:
        return True, False, 0.0
    began = time.perf_counter()
    answer = solver.solve([z3.Or(cutoffs)], budget, most=query_units)
    ms = (time.perf_counter() - began) * 1000
    return answer.unsat, answer.unknown, ms


# A smaller witness is a nicety: each attempt may spend at most this much, narrowing a
# found bound down (`_narrowed`) takes at most this many attempts, and all of it at most a
# share of what the unit has left.
SMALL_MODEL_UNITS = solver.UNITS_PER_SECOND
NARROWING_STEPS = 6
SMALL_MODEL_SHARE = 0.3  # of what the unit has left, for narrowing one witness


# Tiers of input magnitude tried in order; past 2^16 the witness of a sum of two ints
# (`(lo + hi) / 2`) is narrowed from 2^31 down to about 2^30.
_MAGNITUDES = (8, 128, 1 << 16, 1 << 31)


def _small_model(query: z3.Solver, fn: ir.Function, budget: Budget) -> z3.ModelRef | None:
    """Prefer a witness a person can read: small magnitudes (`_MAGNITUDES`, the found tier
    narrowed by bisection), non-negative inputs where the tier has such a witness: so
    `lcm(46341, 46341)`, not `lcm(-65536, 59135)`. Each attempt spends from `budget`."""
    numeric = [p for p in fn.params if not isinstance(p.type, ir.BoolType)]
    if not numeric:
        return None
    below = 0  # no witness within this magnitude (of either sign) was found
    for limit in _MAGNITUDES:
        # Non-negative first: reads better, and z3 often finds it faster.
        for non_negative in (True, False):
            model = _model_within(query, numeric, limit, non_negative, budget)
            if model is not None:
                # Narrowing is the nicety of niceties: the other sites' checks come first.
                narrow = budget.part(SMALL_MODEL_SHARE)
                return _narrowed(query, numeric, below, limit, non_negative, narrow) or model
        below = limit
    # For C, numbers that are small or next to their type's limits: an overflow witness
    # reads `f(2147483647, 1)`, not `f(1207958374, ...)`.
    if any(isinstance(p.type, ir.BVType) for p in numeric):
        return _model_within(query, numeric, 1 << 8, False, budget, near_limits=True)
    return None


def _narrowed(query: z3.Solver, numeric: list[ir.Param], below: int, limit: int,
              non_negative: bool, budget: Budget) -> z3.ModelRef | None:  # fmt: skip
    """A model within a magnitude at most twice the least one in (below, limit], found by
    bisecting the ratio (geometric midpoints: a few attempts even from 2^16 to 2^31), or
    None when no narrower one was found within the attempts."""
    best = None
    for _ in range(NARROWING_STEPS):
        if limit <= 2 * max(below, 1):  # within a factor of 2 of the least: readable enough
            break
        middle = max(below + 1, math.isqrt(max(below, 1) * limit))
        model = _model_within(query, numeric, middle, non_negative, budget)
        if model is None:
            below = middle
        else:
            best, limit = model, middle
    return best


def _model_within(query: z3.Solver, numeric: list[ir.Param], limit: int, non_negative: bool,
                  budget: Budget, near_limits: bool = False) -> z3.ModelRef | None:  # fmt: skip
    """A model of `query` with every numeric input within `limit` (and >= 0 where asked;
    or, `near_limits`, also within `limit` of its C type's limits)."""
    query.push()
    for param in numeric:
        term = semantics.variable(param.name, param.type)
        wanted = _within(term, param.type, limit)
        if near_limits and isinstance(param.type, ir.BVType):
            wanted = z3.Or(wanted, _near_limits(term, param.type, limit))
        if non_negative:
            wanted = z3.And(wanted, _not_negative(term, param.type))
        query.add(wanted)
    answer = solver.check(query, budget, most=SMALL_MODEL_UNITS)
    query.pop()
    return answer.model


def _not_negative(term: z3.ExprRef, t: ir.Type) -> z3.BoolRef:
    if isinstance(t, ir.BVType) and t.signed:
        return term >= semantics.constant(0, t)
    if isinstance(t, ir.IntType):
        return term >= 0
    return z3.BoolVal(True)  # unsigned, sequences, arrays, floats: no sign to prefer


def _near_limits(term: z3.ExprRef, t: ir.BVType, limit: int) -> z3.BoolRef:
    """`term` within `limit` of its type's largest or (signed) smallest value."""
    high = semantics.constant(t.max - limit, t)
    if not t.signed:
        return z3.UGE(term, high)
    return z3.Or(term >= high, term <= semantics.constant(t.min + limit, t))


def _within(term: z3.ExprRef, t: ir.Type, limit: int) -> z3.BoolRef:
    if isinstance(t, ir.ArrayType):  # C memory: contents stay free (lengths are u64s)
        return z3.BoolVal(True)
    if isinstance(t, ir.BVType):
        if t.width <= limit.bit_length():
            return z3.BoolVal(True)
        low = semantics.constant(max(-limit, t.min), t)
        high = semantics.constant(min(limit, t.max), t)
        if t.signed:
            return z3.And(term >= low, term <= high)
        return z3.ULE(term, high)
    if isinstance(t, ir.SeqType):  # Python sequences (issue 13): short ones first
        return z3.Length(term) <= limit
    return z3.And(term >= -limit, term <= limit)


def witness_from(model: z3.ModelRef, fn: ir.Function, havocs: list[Havoc]) -> Witness:
    """The concrete inputs a model describes; nondet values in execution order."""
    inputs = {
        p.name: semantics.from_model(
            model.eval(semantics.variable(p.name, p.type), model_completion=True), p.type
        )
        for p in fn.params
    }
    nondet = tuple(
        int(semantics.from_model(model.eval(term, model_completion=True), t))
        for term, guard, t in havocs
        if z3.is_true(model.eval(guard, model_completion=True))
    )
    return Witness(inputs=inputs, nondet=nondet)


def can_hold(outcome: BmcOutcome, kind: str, budget: Budget) -> bool | None:
    """Can some assert of `kind` be reached with its condition true within the outcome's
    bound (e.g. can the function ever return True)? One query on the unrolling already
    made; None when the solver cannot tell (or the unrolling ran out of budget)."""
    if outcome.checks is None:
        return None
    wanted = [z3.And(c.state.pc, c.cond) for c in outcome.checks if c.stmt.kind == kind]
    if not wanted:
        return False
    answer = solver.solve([z3.Or(wanted)], budget)
    return None if answer.unknown else answer.sat
