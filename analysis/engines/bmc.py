"""Bounded model checking: unwind loops and inlined recursion K times, ask z3 for a
violation of each assert, and say whether K unwindings cover every execution.

The function is executed symbolically with guarded states: `guard` says when the
current point is reached, and at every join the variables are merged with `If`.
After an assert the run continues assuming it held, so each violation found is the
first one on its path (as a concrete run would stop there).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import z3

from prooflens.analysis import ir, semantics, solver
from prooflens.analysis.solver import Budget
from prooflens.analysis.witness import Witness

# Symbolic execution is work too: each statement unrolled is charged to the budget, so a
# huge unrolling runs out deterministically (not when some clock says so).
UNITS_PER_STATEMENT = 100

Site = tuple[str, int, int]  # (assert kind, line, column): what a verdict is about


def site_of(stmt: ir.Assert) -> Site:
    return (stmt.kind, stmt.span.line, stmt.span.column)


@dataclass
class _State:
    guard: z3.BoolRef
    env: dict[str, z3.ExprRef]

    @property
    def dead(self) -> bool:
        return z3.is_false(self.guard)


@dataclass
class _Instance:
    """One unwound copy of an assert: violated when `guard` holds and `cond` does not."""

    stmt: ir.Assert
    guard: z3.BoolRef
    cond: z3.BoolRef


@dataclass
class _Havoc:
    guard: z3.BoolRef
    term: z3.ExprRef
    type: ir.Type


@dataclass
class _Frame:
    """Where `break`/`continue`/`return` go: lists of the states that jumped there."""

    breaks: list[_State] = field(default_factory=list)
    continues: list[_State] = field(default_factory=list)
    returns: list[tuple[_State, z3.ExprRef | None]] = field(default_factory=list)


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


class OutOfTime(Exception):
    """The unrolling itself used up the budget (large bounds, nested loops)."""


class _Unroller:
    def __init__(self, fn: ir.Function, bound: int, budget: Budget) -> None:
        self.fn = fn
        self.bound = bound
        self.budget = budget
        self.instances: list[_Instance] = []
        self.havocs: list[_Havoc] = []
        self.cutoffs: list[z3.BoolRef] = []  # reachable when an execution exceeds the bound
        self.fresh = 0

    def initial(self) -> _State:
        env = {name: semantics.variable(name, t) for name, t in self.fn.variables.items()}
        for param in self.fn.params:
            env[param.name] = semantics.variable(param.name, param.type)
        return _State(z3.BoolVal(True), env)

    # -- statements

    def block(self, body: tuple[ir.Stmt, ...], state: _State, frame: _Frame) -> _State:
        for stmt in body:
            if state.dead:
                return state
            self.budget.spend(UNITS_PER_STATEMENT)
            if self.budget.exhausted():
                raise OutOfTime
            state = self.stmt(stmt, state, frame)
        return state

    def stmt(self, stmt: ir.Stmt, state: _State, frame: _Frame) -> _State:
        if isinstance(stmt, ir.Assign):
            env = dict(state.env)
            env[stmt.target] = semantics.encode(stmt.value, state.env)
            return _State(state.guard, env)
        if isinstance(stmt, ir.Havoc):
            self.fresh += 1
            term = semantics.variable(f"{stmt.target}!nondet{self.fresh}", stmt.type)
            self.havocs.append(_Havoc(state.guard, term, stmt.type))
            return _State(state.guard, {**state.env, stmt.target: term})
        if isinstance(stmt, ir.Assume):
            return _State(_and(state.guard, semantics.encode(stmt.cond, state.env)), state.env)
        if isinstance(stmt, ir.Assert):
            cond = semantics.encode(stmt.cond, state.env)
            self.instances.append(_Instance(stmt, state.guard, cond))
            return _State(_and(state.guard, cond), state.env)
        if isinstance(stmt, ir.If):
            return self.branch(stmt, state, frame)
        if isinstance(stmt, ir.Loop):
            return self.loop(stmt, state, frame)
        if isinstance(stmt, ir.Break):
            frame.breaks.append(state)
            return _dead(state)
        if isinstance(stmt, ir.Continue):
            frame.continues.append(state)
            return _dead(state)
        if isinstance(stmt, ir.Return):
            value = None if stmt.value is None else semantics.encode(stmt.value, state.env)
            frame.returns.append((state, value))
            return _dead(state)
        return self.inline(stmt, state)

    def branch(self, stmt: ir.If, state: _State, frame: _Frame) -> _State:
        cond = semantics.encode(stmt.cond, state.env)
        then = self.block(stmt.then, _State(_and(state.guard, cond), state.env), frame)
        orelse = self.block(stmt.orelse, _State(_and(state.guard, z3.Not(cond)), state.env), frame)
        return merge([then, orelse], state.env)

    def loop(self, loop: ir.Loop, state: _State, outer: _Frame) -> _State:
        exits: list[_State] = []
        for iteration in range(self.bound + 1):
            if loop.test_first or iteration > 0:
                cond = semantics.encode(loop.cond, state.env)
                exits.append(_State(_and(state.guard, z3.Not(cond)), state.env))
                state = _State(_and(state.guard, cond), state.env)
            if iteration == self.bound or state.dead:
                break
            frame = _Frame(returns=outer.returns)
            end = self.block(loop.body, state, frame)
            exits.extend(frame.breaks)
            state = merge([end, *frame.continues], state.env)
            state = self.block(loop.update, state, outer)
        if not state.dead:
            self.cutoffs.append(state.guard)  # still iterating after `bound` rounds
        return merge(exits, state.env)

    def inline(self, call: ir.Inline, state: _State) -> _State:
        if call.depth_exceeded:
            self.cutoffs.append(state.guard)
            return _dead(state)
        frame = _Frame()
        end = self.block(call.body, state, frame)
        returned = [s for s, _ in frame.returns]
        after = merge([end, *returned], state.env)
        if call.target is None or after.dead:
            return after
        value = _merge_values(frame.returns, after.env[call.target])
        return _State(after.guard, {**after.env, call.target: value})


def _and(a: z3.BoolRef, b: z3.BoolRef) -> z3.BoolRef:
    if z3.is_true(a):
        return b
    return z3.simplify(z3.And(a, b)) if z3.is_false(b) else z3.And(a, b)


def _dead(state: _State) -> _State:
    return _State(z3.BoolVal(False), state.env)


def merge(states: list[_State], fallback: dict[str, z3.ExprRef]) -> _State:
    """One state that is each of `states` under its guard (guards are disjoint)."""
    live = [s for s in states if not s.dead]
    if not live:
        return _State(z3.BoolVal(False), fallback)
    if len(live) == 1:
        return live[0]
    env: dict[str, z3.ExprRef] = {}
    for name in live[0].env:
        value = live[-1].env[name]
        for other in reversed(live[:-1]):
            if not other.env[name].eq(value):
                value = z3.If(other.guard, other.env[name], value)
        env[name] = value
    return _State(z3.Or([s.guard for s in live]), env)


def _merge_values(returns: list[tuple[_State, z3.ExprRef | None]], default: z3.ExprRef):
    value = default
    for state, returned in reversed(returns):
        if returned is not None and not state.dead:
            value = z3.If(state.guard, returned, value)
    return value


# ---------------------------------------------------------------------------- checking


def check(fn: ir.Function, bound: int, budget: Budget, query_units: int | None = None
          ) -> BmcOutcome:  # fmt: skip
    """Look for a violation of every assert within `bound` unwindings; no single solver
    query spends more than `query_units` (so one hard property does not starve the others)."""
    unroller = _Unroller(fn, bound, budget)
    try:
        unroller.block(fn.body, unroller.initial(), _Frame())
    except OutOfTime:
        return _timed_out(fn, bound)
    by_site: dict[Site, list[_Instance]] = {}
    asserts: dict[Site, ir.Assert] = {}
    for instance in unroller.instances:
        by_site.setdefault(site_of(instance.stmt), []).append(instance)
        asserts.setdefault(site_of(instance.stmt), instance.stmt)
    for stmt in ir.walk_stmts(fn.body):  # asserts never reached by the unrolling
        if isinstance(stmt, ir.Assert):
            asserts.setdefault(site_of(stmt), stmt)
            by_site.setdefault(site_of(stmt), [])
    solver_ms = 0.0
    sites: dict[Site, SiteResult] = {}
    for site, instances in by_site.items():
        result = _check_site(fn, unroller, site, instances, budget, query_units)
        solver_ms += result.solver_ms
        sites[site] = result
    complete, complete_unknown, ms = _covers_everything(unroller.cutoffs, budget, query_units)
    return BmcOutcome(sites, asserts, complete, complete_unknown, bound, solver_ms + ms)


def _timed_out(fn: ir.Function, bound: int) -> BmcOutcome:
    asserts = {site_of(s): s for s in ir.walk_stmts(fn.body) if isinstance(s, ir.Assert)}
    reason = "solver budget exhausted while unrolling loops"
    sites = {site: SiteResult(site, "unknown", reason=reason) for site in asserts}
    return BmcOutcome(sites, asserts, False, True, bound, 0.0)


def _check_site(
    fn: ir.Function,
    unroller: _Unroller,
    site: Site,
    instances: list[_Instance],
    budget: Budget,
    query_units: int | None,
) -> SiteResult:
    violation = z3.Or([z3.And(i.guard, z3.Not(i.cond)) for i in instances] or [z3.BoolVal(False)])
    query = z3.Solver()
    query.add(violation)
    began = time.perf_counter()
    answer = solver.check(query, budget, most=query_units)
    if answer.sat:
        assert answer.model is not None  # taken first: push/pop below invalidate it
        model = _small_model(query, fn, budget) or answer.model
        ms = (time.perf_counter() - began) * 1000
        return SiteResult(site, "refuted", witness_from(model, fn, unroller.havocs), solver_ms=ms)
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


# A smaller witness is a nicety: each attempt may spend at most this much.
SMALL_MODEL_UNITS = solver.UNITS_PER_SECOND


def _small_model(query: z3.Solver, fn: ir.Function, budget: Budget) -> z3.ModelRef | None:
    """Prefer a witness with small inputs: they read better and replay faster."""
    numeric = [p for p in fn.params if not isinstance(p.type, ir.BoolType)]
    if not numeric:
        return None
    # Small numbers first; then (for C) numbers that are small or next to their type's
    # limits: an overflow witness reads `f(2147483647, 1)`, not `f(1207958374, ...)`.
    for limit, near_limits in ((8, False), (128, False), (1 << 16, False), (1 << 8, True)):
        if near_limits and not any(isinstance(p.type, ir.BVType) for p in numeric):
            break
        query.push()
        for param in numeric:
            term = semantics.variable(param.name, param.type)
            wanted = _within(term, param.type, limit)
            if near_limits and isinstance(param.type, ir.BVType):
                wanted = z3.Or(wanted, _near_limits(term, param.type, limit))
            query.add(wanted)
        answer = solver.check(query, budget, most=SMALL_MODEL_UNITS)
        query.pop()
        if answer.model is not None:
            return answer.model
    return None


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


def witness_from(model: z3.ModelRef, fn: ir.Function, havocs: list[_Havoc]) -> Witness:
    """The concrete inputs a model describes; nondet values in execution order."""
    inputs = {
        p.name: semantics.from_model(
            model.eval(semantics.variable(p.name, p.type), model_completion=True), p.type
        )
        for p in fn.params
    }
    nondet = tuple(
        int(semantics.from_model(model.eval(h.term, model_completion=True), h.type))
        for h in havocs
        if z3.is_true(model.eval(h.guard, model_completion=True))
    )
    return Witness(inputs=inputs, nondet=nondet)


def can_hold(fn: ir.Function, kind: str, bound: int, budget: Budget) -> bool | None:
    """Can some assert of `kind` be reached with its condition true? (e.g. can the function
    ever return True). None when the solver cannot tell."""
    unroller = _Unroller(fn, bound, budget)
    try:
        unroller.block(fn.body, unroller.initial(), _Frame())
    except OutOfTime:
        return None
    wanted = [z3.And(i.guard, i.cond) for i in unroller.instances if i.stmt.kind == kind]
    if not wanted:
        return False
    answer = solver.solve([z3.Or(wanted)], budget)
    return None if answer.unknown else answer.sat
