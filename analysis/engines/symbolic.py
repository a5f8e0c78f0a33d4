"""The one symbolic executor of structured IR: guarded states merged at joins.

A `State` is reached when its path condition `pc` holds (and its `atom`, a predicate
application standing for everything before the last loop, when the CHC encoding uses
one). `Executor.block` runs statements on a list of states; `break`/`continue`/`return`
leave in a `Flow`; inlined calls are frames of their own. What a loop does is the
`loops` strategy's choice: `Unroll` (BMC, exact entry paths), `Summarise` (iteration
relations) or the CHC predicates of `transition`. Every engine builds on this class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import z3

from prooflens.analysis import ir, semantics, solver
from prooflens.analysis.solver import Budget

Site = tuple[str, int, int]  # (assert kind, line, column): what a verdict is about
Havoc = tuple[z3.ExprRef, z3.BoolRef, ir.Type]  # (value, when it is drawn, its type)

# Symbolic execution is work too: each statement run on a budget is charged to it, so a
# huge unrolling runs out deterministically (not when some clock says so).
UNITS_PER_STATEMENT = 100


def site_of(stmt: ir.Assert) -> Site:
    return (stmt.kind, stmt.span.line, stmt.span.column)


@dataclass
class State:
    """A guarded symbolic state (see the module docstring)."""

    atom: z3.BoolRef | None
    pc: z3.BoolRef
    env: dict[str, z3.ExprRef]


@dataclass
class Flow:
    """How a block ends: states falling through, breaking, continuing, returning."""

    normal: list[State] = field(default_factory=list)
    breaks: list[State] = field(default_factory=list)
    continues: list[State] = field(default_factory=list)
    returns: list[tuple[State, z3.ExprRef | None]] = field(default_factory=list)

    def absorb(self, other: Flow) -> None:
        self.normal += other.normal
        self.breaks += other.breaks
        self.continues += other.continues
        self.returns += other.returns


@dataclass(frozen=True)
class Check:
    """An assert reached in `state`: it fails when `state.pc` holds and `cond` does not
    (`bad`, unless the executor is `exact`)."""

    stmt: ir.Assert
    state: State
    cond: z3.BoolRef
    bad: z3.BoolRef | None


@dataclass
class Entry:
    """A path from the function's start to a loop head: exact when no loop on it was
    summarised, so usable for witnesses."""

    pc: z3.BoolRef
    env: dict[str, z3.ExprRef]
    havocs: list[Havoc]


class OutOfTime(Exception):
    """The execution itself used up its budget (large bounds, nested loops)."""


class LoopStrategy(Protocol):
    def run(self, ex: Executor, loop: ir.Loop, state: State, out: Flow) -> None: ...


# ------------------------------------------------------------------------ terms


def fresh(name: str, t: ir.Type) -> z3.ExprRef:
    return semantics.variable(solver.fresh_name(name), t)


def conj(*parts: z3.BoolRef) -> z3.BoolRef:
    kept = [p for p in parts if not z3.is_true(p)]
    if any(z3.is_false(p) for p in kept):
        return z3.BoolVal(False)
    if not kept:
        return z3.BoolVal(True)
    return kept[0] if len(kept) == 1 else z3.And(*kept)


def disj(parts: list[z3.BoolRef]) -> z3.BoolRef:
    kept = [p for p in parts if not z3.is_false(p)]
    if any(z3.is_true(p) for p in kept):
        return z3.BoolVal(True)
    if not kept:
        return z3.BoolVal(False)
    return kept[0] if len(kept) == 1 else z3.Or(*kept)


def merge(states: list[State]) -> list[State]:
    """States with the same atom merged into one: each variable is the value of the first
    state whose guard holds (guards are disjoint), written as a chain of `If`s."""
    groups: dict[int, list[State]] = {}
    for state in states:
        if z3.is_false(state.pc):
            continue
        key = -1 if state.atom is None else state.atom.get_id()
        groups.setdefault(key, []).append(state)
    return [group[0] if len(group) == 1 else _join(group) for group in groups.values()]


def _join(live: list[State]) -> State:
    env: dict[str, z3.ExprRef] = {}
    for name in live[0].env:
        value = live[-1].env[name]
        for other in reversed(live[:-1]):
            if not other.env[name].eq(value):
                value = z3.If(other.pc, other.env[name], value)
        env[name] = value
    return State(live[0].atom, disj([s.pc for s in live]), env)


def _merge_values(returns: list[tuple[State, z3.ExprRef | None]], default: z3.ExprRef):
    value = default
    for state, returned in reversed(returns):
        if returned is not None and not z3.is_false(state.pc):
            value = z3.If(state.pc, returned, value)
    return value


# ---------------------------------------------------------------------- the executor


class Executor:
    """Runs IR blocks on guarded states, recording what the engines read: the asserts
    reached (`checks`), the conditions that end a run early (`exits`), nondet values
    (`havocs`), inlined calls (`calls`), runs cut off by a bound (`cutoffs`).

    `exact` is BMC's reading: a call beyond the inlining bound cuts the run off, falling
    off a callee's end continues with the target unchanged, and no `exits` are recorded
    (nothing reads them). Otherwise such a call returns fresh values, and falling off the
    end stops the run."""

    def __init__(self, fn: ir.Function, loops: LoopStrategy, budget: Budget | None = None,
                 exact: bool = False) -> None:  # fmt: skip
        self.fn = fn
        self.loops = loops
        self.budget = budget
        self.exact = exact
        self.checks: list[Check] = []
        self.exits: list[z3.BoolRef] = []
        self.havocs: list[Havoc] = []
        self.calls: list[tuple[ir.Inline, State]] = []
        self.beyond: list[State] = []  # states reaching a call beyond the inlining bound
        self.cutoffs: list[z3.BoolRef] = []  # reachable when a run exceeds a bound

    def initial(self) -> State:
        env = {name: semantics.variable(name, t) for name, t in self.fn.variables.items()}
        for param in self.fn.params:
            env[param.name] = semantics.variable(param.name, param.type)
        return State(None, z3.BoolVal(True), env)

    def run(self) -> tuple[State, Flow]:
        """The whole function from its initial state."""
        start = self.initial()
        return start, self.block(self.fn.body, [start])

    def block(self, stmts: tuple[ir.Stmt, ...], states: list[State]) -> Flow:
        flow = Flow()
        current = merge(states)
        for stmt in stmts:
            if not current:
                break
            self._spend()
            step = Flow()
            for state in current:
                self.stmt(stmt, state, step)
            flow.breaks += step.breaks
            flow.continues += step.continues
            flow.returns += step.returns
            current = merge(step.normal)
        flow.normal = current
        return flow

    def both(self, pc: z3.BoolRef, cond: z3.BoolRef) -> z3.BoolRef:
        """`pc` and `cond`; exact BMC keeps the conjunction as written (its unrollings'
        terms, hence its witnesses, stay as they have always been)."""
        if not self.exact:
            return conj(pc, cond)
        if z3.is_true(pc):
            return cond
        return z3.simplify(z3.And(pc, cond)) if z3.is_false(cond) else z3.And(pc, cond)

    def _nondet(self, stmt: ir.Havoc) -> z3.ExprRef:
        if self.exact:  # one run, one unrolling: numbered in execution order
            return semantics.variable(f"{stmt.target}!nondet{len(self.havocs) + 1}", stmt.type)
        return fresh(f"nondet_{stmt.target}", stmt.type)

    def _exit_unless(self, state: State, cond: z3.BoolRef) -> z3.BoolRef | None:
        """The run ends here unless `cond` holds: that condition, recorded in `exits`."""
        if self.exact:
            return None
        leaves = conj(state.pc, z3.Not(cond))
        self.exits.append(leaves)
        return leaves

    def _spend(self) -> None:
        if self.budget is not None:
            self.budget.spend(UNITS_PER_STATEMENT)
            if self.budget.exhausted():
                raise OutOfTime

    def stmt(self, stmt: ir.Stmt, state: State, out: Flow) -> None:
        env = state.env
        if isinstance(stmt, ir.Assign):
            out.normal.append(State(state.atom, state.pc,
                                    {**env, stmt.target: semantics.encode(stmt.value, env)}))
        elif isinstance(stmt, ir.Havoc):
            term = self._nondet(stmt)
            self.havocs.append((term, state.pc, stmt.type))
            out.normal.append(State(state.atom, state.pc, {**env, stmt.target: term}))
        elif isinstance(stmt, ir.Assume):
            cond = semantics.encode(stmt.cond, env)
            self._exit_unless(state, cond)
            out.normal.append(State(state.atom, self.both(state.pc, cond), env))
        elif isinstance(stmt, ir.Assert):
            cond = semantics.encode(stmt.cond, env)
            self.checks.append(Check(stmt, state, cond, self._exit_unless(state, cond)))
            out.normal.append(State(state.atom, self.both(state.pc, cond), env))
        elif isinstance(stmt, ir.If):
            cond = semantics.encode(stmt.cond, env)
            out.absorb(self.block(stmt.then, [State(state.atom, self.both(state.pc, cond), env)]))
            out.absorb(self.block(stmt.orelse,
                                  [State(state.atom, self.both(state.pc, z3.Not(cond)), env)]))
        elif isinstance(stmt, ir.Loop):
            self.loops.run(self, stmt, state, out)
        elif isinstance(stmt, ir.Break):
            out.breaks.append(state)
        elif isinstance(stmt, ir.Continue):
            out.continues.append(state)
        elif isinstance(stmt, ir.Return):
            value = None if stmt.value is None else semantics.encode(stmt.value, env)
            out.returns.append((state, value))
        elif isinstance(stmt, ir.Inline):
            self._inline(stmt, state, out)

    # -- inlined calls

    def _inline(self, call: ir.Inline, state: State, out: Flow) -> None:
        if call.depth_exceeded:
            self._beyond_bound(call, state, out)
            return
        self.calls.append((call, state))
        flow = self.block(call.body, [state])
        returned = [ret_state for ret_state, _ in flow.returns]
        if call.target is None:
            out.normal += flow.normal + returned
        elif self.exact:
            for after in merge(flow.normal + returned):
                value = _merge_values(flow.returns, after.env[call.target])
                out.normal.append(State(after.atom, after.pc, {**after.env, call.target: value}))
        else:
            self._returned(call, flow, out)

    def _beyond_bound(self, call: ir.Inline, state: State, out: Flow) -> None:
        if self.exact:
            self.cutoffs.append(state.pc)
            return
        self.beyond.append(state)
        self.exits.append(state.pc)
        self.calls.append((call, state))
        writes = inlined_writes(self.fn) | ({call.target} if call.target else set())
        new = dict(state.env)
        for name in sorted(writes):
            new[name] = fresh(f"call_{name}", self.fn.variables[name])
        out.normal.append(State(state.atom, state.pc, new))

    def _returned(self, call: ir.Inline, flow: Flow, out: Flow) -> None:
        """Falling off the end gives no value: the run stops there (C: the value is
        indeterminate; Python: the frontend only inlines functions that return values)."""
        assert call.target is not None
        self.exits += [s.pc for s in flow.normal]
        for ret_state, value in flow.returns:
            # Every return of the callee continues the caller: one that carries no known
            # value (a return from inside a summarised loop) gives an arbitrary one.
            # Dropping it would hide iterations of the caller's loop.
            if value is None:
                value = fresh(f"ret_{call.target}", self.fn.variables[call.target])
            out.normal.append(State(ret_state.atom, ret_state.pc,
                                    {**ret_state.env, call.target: value}))


def inlined_writes(fn: ir.Function) -> set[str]:
    """Variables a call beyond the bound may write besides its target. Python frames are
    private (no globals in the subset); for C, anything an inlined body writes (globals
    are not told apart from locals in the IR)."""
    names: set[str] = set()
    if fn.language == "python":
        return names
    for stmt in ir.walk_stmts(fn.body):
        if isinstance(stmt, ir.Inline):
            names |= ir.assigned_vars(stmt.body)
    return names


# ---------------------------------------------------------------------- loop strategies


@dataclass
class Unroll:
    """Each loop runs at most `bound` times. With `final_test` its condition is tested
    once more and a run still iterating is cut off (`Executor.cutoffs`: BMC); without,
    longer runs are dropped. The head states of loop `record` are kept in `entries`."""

    bound: int
    final_test: bool = True
    record: int | None = None
    entries: list[Entry] = field(default_factory=list)

    def run(self, ex: Executor, loop: ir.Loop, state: State, out: Flow) -> None:
        if loop.loop_id == self.record:  # recorded, then run on: later visits count too
            self.entries.append(Entry(state.pc, dict(state.env), list(ex.havocs)))
        heads = [state]
        for i in range(self.bound + 1):
            if i == self.bound and not self.final_test:
                return
            entering = []
            for head in merge(heads):
                if loop.test_first or i > 0:
                    cond = semantics.encode(loop.cond, head.env)
                    out.normal.append(State(head.atom, ex.both(head.pc, z3.Not(cond)), head.env))
                    head = State(head.atom, ex.both(head.pc, cond), head.env)
                entering.append(head)
            if i == self.bound:  # still iterating after `bound` rounds
                ex.cutoffs += [head.pc for head in merge(entering)]
                return
            body = ex.block(loop.body, entering)
            out.normal += body.breaks
            out.returns += body.returns
            heads = ex.block(loop.update, body.normal + body.continues).normal
            if not heads:
                return


# A loop invariant as a function of the state it constrains.
Invariant = Callable[[dict[str, z3.ExprRef]], z3.BoolRef]


@dataclass
class Summarise:
    """A loop as one step: it writes anything it may write; when it has no `break`, it
    leaves with its condition false; its invariant (`invariants`, by loop id: a function
    of the state) holds at the end."""

    invariants: dict[int, Invariant] = field(default_factory=dict)

    def run(self, ex: Executor, loop: ir.Loop, state: State, out: Flow) -> None:
        new = dict(state.env)
        for name in sorted(ir.assigned_vars(loop.body) | ir.assigned_vars(loop.update)):
            new[name] = fresh(f"sum_{name}", ex.fn.variables[name])
        pc = state.pc
        has_break = _has_own_break(loop.body)
        if not has_break:
            pc = conj(pc, z3.Not(semantics.encode(loop.cond, new)))
        inv = self.invariants.get(loop.loop_id)
        if inv is not None and not has_break:
            pc = conj(pc, inv(new))
        inner = list(ir.walk_stmts(loop.body + loop.update))
        if any(isinstance(s, ir.Assert | ir.Assume | ir.Return | ir.Inline) for s in inner):
            ex.exits.append(state.pc)
        # A return inside the loop leaves the enclosing frame with its own value, computed
        # from some state the loop went through: over-approximated by the havocked one.
        # Which way the loop is left is a fresh choice, so the states' guards stay
        # disjoint: `merge` keeps the first state whose guard holds, and overlapping
        # guards would silently drop the other ways (a wrong "never returns to the head").
        for ret in own_returns(loop.body + loop.update):
            value = None if ret.value is None else semantics.encode(ret.value, new)
            chosen = fresh("sum_leaves_by_return", ir.BOOL)
            out.returns.append((State(state.atom, conj(state.pc, chosen), new), value))
            pc = conj(pc, z3.Not(chosen))
        out.normal.append(State(state.atom, pc, new))


def own_returns(body: tuple[ir.Stmt, ...]) -> list[ir.Return]:
    """The `return`s of `body` that leave its own frame (not those of inlined callees)."""
    found: list[ir.Return] = []
    for stmt in body:
        if isinstance(stmt, ir.Return):
            found.append(stmt)
        elif isinstance(stmt, ir.If):
            found += own_returns(stmt.then) + own_returns(stmt.orelse)
        elif isinstance(stmt, ir.Loop):
            found += own_returns(stmt.body) + own_returns(stmt.update)
    return found


def _has_own_break(body: tuple[ir.Stmt, ...]) -> bool:
    for stmt in body:
        if isinstance(stmt, ir.Break):
            return True
        if isinstance(stmt, ir.If) and (_has_own_break(stmt.then) or _has_own_break(stmt.orelse)):
            return True
    return False
