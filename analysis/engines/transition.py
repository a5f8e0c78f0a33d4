"""Symbolic encodings of structured IR shared by the proof and termination engines.

Two encodings, both over `semantics.encode` (so Python ints and C bit-vectors alike):

* `encode_chc`: constrained Horn clauses with one predicate per loop head (`inv`), one
  for the state after the loop (`exit`) and one per kind of `return` that leaves a loop
  from inside it (`ret`). Straight-line code between them is executed symbolically with
  guarded states merged at joins, so a clause is one loop-free block of code.
* `iteration`: one iteration of a single loop, from a state at its head back to its head
  (`back`) or out of it (`exits`), with nested loops summarised by havocking what they
  write (an over-approximation: good for ranking functions and for closure checks).

Dropping a variable from a predicate only forgets its value (it is havocked), which is
always sound; predicates therefore carry only the variables read at or after the loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from prooflens.analysis import ir, semantics, solver

Site = tuple[str, int, int]  # (assert kind, line, column)


def site_of(stmt: ir.Assert) -> Site:
    return (stmt.kind, stmt.span.line, stmt.span.column)


@dataclass
class State:
    """A guarded symbolic state: reached when `pc` holds (and `atom`, a predicate
    application standing for everything before the last loop, when present)."""

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


@dataclass(frozen=True)
class Clause:
    """`atom(body) and constraint -> head` (head None means false: a query)."""

    body: z3.BoolRef | None
    constraint: z3.BoolRef
    head: z3.BoolRef | None

    def formula(self) -> z3.BoolRef:
        parts = [self.constraint] if self.body is None else [self.body, self.constraint]
        head = self.head if self.head is not None else z3.BoolVal(False)
        return z3.Implies(z3.And(*parts), head)


@dataclass
class Predicate:
    """A relation over `args` (the head state of loop `loop_id`, or after it)."""

    decl: z3.FuncDeclRef
    args: list[z3.ExprRef]  # canonical argument constants
    names: list[str]  # IR variable of each numeric/bool argument; "" for a return value
    loop: ir.Loop

    def apply(self, values: list[z3.ExprRef]) -> z3.BoolRef:
        return self.decl(*values)


@dataclass
class Entry:
    """A path from the function's start to the first test of a loop head, when no other
    loop lies on it: exact, so usable for non-termination witnesses."""

    pc: z3.BoolRef
    env: dict[str, z3.ExprRef]
    havocs: list[tuple[z3.ExprRef, z3.BoolRef, ir.Type]]


@dataclass
class ChcSystem:
    clauses: list[Clause]
    queries: dict[Site, list[Clause]]
    depth_queries: list[Clause]  # reaching a call beyond the inlining bound
    predicates: dict[str, Predicate]  # by name: inv<id>, exit<id>, ret<id>_<sort>
    inputs: dict[str, z3.ExprRef]  # parameter -> its initial constant
    entries: dict[int, list[Entry]]  # loop id -> exact entry paths
    havocs: list[tuple[z3.ExprRef, z3.BoolRef, ir.Type]]


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
    """States with the same atom merged into one (variables joined with `If`)."""
    groups: dict[int, list[State]] = {}
    for state in states:
        if z3.is_false(state.pc):
            continue
        key = -1 if state.atom is None else state.atom.get_id()
        groups.setdefault(key, []).append(state)
    merged = []
    for group in groups.values():
        result = group[0]
        for other in group[1:]:
            result = _join(result, other)
        merged.append(result)
    return merged


def _join(a: State, b: State) -> State:
    env = {}
    for name, term in a.env.items():
        other = b.env[name]
        env[name] = term if term.eq(other) else z3.If(a.pc, term, other)
    return State(a.atom, disj([a.pc, b.pc]), env)


# ------------------------------------------------------------------ liveness (syntactic)


def _loop_order(fn: ir.Function) -> list[ir.Stmt]:
    return list(ir.walk_stmts(fn.body))


def _stmt_reads(stmt: ir.Stmt) -> set[str]:
    if isinstance(stmt, ir.Assign):
        return ir.expr_vars(stmt.value)
    if isinstance(stmt, ir.Assume | ir.Assert | ir.If | ir.Loop):
        return ir.expr_vars(stmt.cond)
    if isinstance(stmt, ir.Return) and stmt.value is not None:
        return ir.expr_vars(stmt.value)
    return set()


def relevant_vars(fn: ir.Function) -> dict[int, list[str]]:
    """Per loop id: variables read in or after the loop (in source order) or anywhere in
    an enclosing loop. Others are dead at the loop head."""
    order = _loop_order(fn)
    reads_from: list[set[str]] = [set() for _ in range(len(order) + 1)]
    for i in range(len(order) - 1, -1, -1):
        reads_from[i] = reads_from[i + 1] | _stmt_reads(order[i])
    index = {id(stmt): i for i, stmt in enumerate(order)}
    result: dict[int, list[str]] = {}

    def visit(body: tuple[ir.Stmt, ...], enclosing: set[str]) -> None:
        for stmt in body:
            if isinstance(stmt, ir.Loop):
                inner = enclosing | {v for s in ir.walk_stmts((stmt,)) for v in _stmt_reads(s)}
                live = reads_from[index[id(stmt)]] | inner
                result[stmt.loop_id] = sorted(v for v in live if v in fn.variables)
                visit(stmt.body, inner)
                visit(stmt.update, inner)
            elif isinstance(stmt, ir.If):
                visit(stmt.then, enclosing)
                visit(stmt.orelse, enclosing)
            elif isinstance(stmt, ir.Inline):
                visit(stmt.body, enclosing)

    visit(fn.body, set())
    return result


def inlined_writes(fn: ir.Function, callee: str) -> set[str]:
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


# ---------------------------------------------------------------------- the executor


class Executor:
    """Runs IR blocks on guarded symbolic states. In `chc` mode loops become predicates
    and clauses; in summary mode (`chc=False`) nested loops are havocked."""

    def __init__(self, fn: ir.Function, chc: bool, invariants: dict[int, object] | None = None):
        self.fn = fn
        self.chc = chc
        self.live = relevant_vars(fn)
        self.clauses: list[Clause] = []
        self.queries: dict[Site, list[Clause]] = {}
        self.depth_queries: list[Clause] = []
        self.predicates: dict[str, Predicate] = {}
        self.entries: dict[int, list[Entry]] = {}
        self.havocs: list[tuple[z3.ExprRef, z3.BoolRef, ir.Type]] = []
        self.loop_flows: dict[int, tuple[list[State], list[tuple[State, z3.ExprRef | None]]]] = {}
        self.exits: list[z3.BoolRef] = []  # summary mode: conditions that leave the iteration
        self.invariants = invariants or {}
        self.calls: list[tuple[ir.Inline, State]] = []  # summary mode: inlined calls reached
        self.unroll: int | None = None  # unroll mode: iterations per loop; paths beyond are cut
        self.target: int | None = None  # unroll mode: the loop whose head states are recorded
        self.recorded: list[Entry] = []

    # -- states

    def initial(self) -> State:
        env = {}
        for name, t in self.fn.variables.items():
            env[name] = semantics.variable(name, t)
        return State(None, z3.BoolVal(True), env)

    def fresh_env(self, loop_id: int, tag: str) -> dict[str, z3.ExprRef]:
        env = {}
        for name, t in self.fn.variables.items():
            env[name] = fresh(f"{name}@{tag}{loop_id}", t)
        return env

    # -- blocks

    def block(self, stmts: tuple[ir.Stmt, ...], states: list[State]) -> Flow:
        flow = Flow()
        current = merge(states)
        for stmt in stmts:
            if not current:
                break
            step = Flow()
            for state in current:
                self._stmt(stmt, state, step)
            flow.breaks += step.breaks
            flow.continues += step.continues
            flow.returns += step.returns
            current = merge(step.normal)
        flow.normal = current
        return flow

    def _stmt(self, stmt: ir.Stmt, state: State, out: Flow) -> None:
        env = state.env
        if isinstance(stmt, ir.Assign):
            new = dict(env)
            new[stmt.target] = semantics.encode(stmt.value, env)
            out.normal.append(State(state.atom, state.pc, new))
        elif isinstance(stmt, ir.Havoc):
            new = dict(env)
            term = fresh(f"nondet_{stmt.target}", stmt.type)
            self.havocs.append((term, state.pc, stmt.type))
            new[stmt.target] = term
            out.normal.append(State(state.atom, state.pc, new))
        elif isinstance(stmt, ir.Assume):
            cond = semantics.encode(stmt.cond, env)
            self.exits.append(conj(state.pc, z3.Not(cond)))
            out.normal.append(State(state.atom, conj(state.pc, cond), env))
        elif isinstance(stmt, ir.Assert):
            self._assert(stmt, state, out)
        elif isinstance(stmt, ir.If):
            cond = semantics.encode(stmt.cond, env)
            then = self.block(stmt.then, [State(state.atom, conj(state.pc, cond), env)])
            orelse = self.block(
                stmt.orelse, [State(state.atom, conj(state.pc, z3.Not(cond)), env)]
            )
            for part in (then, orelse):
                out.normal += part.normal
                out.breaks += part.breaks
                out.continues += part.continues
                out.returns += part.returns
        elif isinstance(stmt, ir.Loop):
            self._loop(stmt, state, out)
        elif isinstance(stmt, ir.Break):
            out.breaks.append(state)
        elif isinstance(stmt, ir.Continue):
            out.continues.append(state)
        elif isinstance(stmt, ir.Return):
            value = None if stmt.value is None else semantics.encode(stmt.value, env)
            out.returns.append((state, value))
        elif isinstance(stmt, ir.Inline):
            self._inline(stmt, state, out)

    def _assert(self, stmt: ir.Assert, state: State, out: Flow) -> None:
        cond = semantics.encode(stmt.cond, state.env)
        bad = conj(state.pc, z3.Not(cond))
        if self.chc:
            self.queries.setdefault(site_of(stmt), []).append(Clause(state.atom, bad, None))
        self.exits.append(bad)
        out.normal.append(State(state.atom, conj(state.pc, cond), state.env))

    def _inline(self, call: ir.Inline, state: State, out: Flow) -> None:
        if call.depth_exceeded:
            self.depth_queries.append(Clause(state.atom, state.pc, None))
            self.exits.append(state.pc)
            self.calls.append((call, state))
            new = dict(state.env)
            for name in sorted(inlined_writes(self.fn, call.callee) | (
                {call.target} if call.target else set()
            )):
                new[name] = fresh(f"call_{name}", self.fn.variables[name])
            out.normal.append(State(state.atom, state.pc, new))
            return
        self.calls.append((call, state))
        flow = self.block(call.body, [state])
        if call.target is None:
            out.normal += flow.normal + [ret_state for ret_state, _ in flow.returns]
            return
        # Falling off the end gives no value: the run stops there (C: the value is
        # indeterminate; Python: the frontend only inlines functions that return values).
        self.exits += [s.pc for s in flow.normal]
        for ret_state, value in flow.returns:
            # Every return of the callee continues the caller: one that carries no known
            # value (a return from inside a summarised loop) gives an arbitrary one.
            # Dropping it would hide iterations of the caller's loop.
            new = dict(ret_state.env)
            new[call.target] = value if value is not None else fresh(
                f"ret_{call.target}", self.fn.variables[call.target])
            out.normal.append(State(ret_state.atom, ret_state.pc, new))

    # -- loops

    def _loop(self, loop: ir.Loop, state: State, out: Flow) -> None:
        if self.unroll is not None:
            self._unroll(loop, state, out)
            return
        if not self.chc:
            self._summarise(loop, state, out)
            return
        inv = self._predicate(f"inv{loop.loop_id}", loop)
        values = [state.env[n] for n in inv.names]
        self.clauses.append(Clause(state.atom, state.pc, inv.apply(values)))
        if state.atom is None:
            entry = Entry(state.pc, dict(state.env), list(self.havocs))
            self.entries.setdefault(loop.loop_id, []).append(entry)
        if loop.loop_id not in self.loop_flows:
            self.loop_flows[loop.loop_id] = self._encode_loop(loop, inv)
        normal, returns = self.loop_flows[loop.loop_id]
        out.normal += normal
        out.returns += returns

    def _predicate(self, name: str, loop: ir.Loop, extra: ir.Type | None = None) -> Predicate:
        if name in self.predicates:
            return self.predicates[name]
        names = list(self.live.get(loop.loop_id, sorted(self.fn.variables)))
        types = [self.fn.variables[n] for n in names]
        if extra is not None:
            names.append("")
            types.append(extra)
        sorts = [semantics.sort_of(t) for t in types]
        decl = z3.Function(name, *sorts, z3.BoolSort())
        args = [
            semantics.variable(f"{n or 'result'}@{name}", t)
            for n, t in zip(names, types, strict=True)
        ]
        pred = Predicate(decl, args, names, loop)
        self.predicates[name] = pred
        return pred

    def _state_of(self, pred: Predicate, tag: str) -> tuple[State, z3.ExprRef | None]:
        env = self.fresh_env(pred.loop.loop_id, tag)
        values = []
        for name in pred.names:
            values.append(env[name] if name else None)
        result = None
        if pred.names and pred.names[-1] == "":
            result = fresh("result", _type_of_sort(pred.decl.domain(len(pred.names) - 1)))
            values[-1] = result
        return State(pred.apply(values), z3.BoolVal(True), env), result

    def _encode_loop(self, loop: ir.Loop, inv: Predicate):
        """Clauses of `loop`: iteration back to `inv`, leaving to `exit`/`ret` predicates."""
        head, _ = self._state_of(inv, "h")
        exit_pred = self._predicate(f"exit{loop.loop_id}", loop)

        def to_exit(state: State) -> None:
            values = [state.env[n] for n in exit_pred.names]
            self.clauses.append(Clause(state.atom, state.pc, exit_pred.apply(values)))

        start = head
        if loop.test_first:
            cond = semantics.encode(loop.cond, head.env)
            to_exit(State(head.atom, z3.Not(cond), head.env))
            start = State(head.atom, cond, head.env)
        saved = self.havocs
        self.havocs = []
        body = self.block(loop.body, [start])
        upd = self.block(loop.update, body.normal + body.continues)
        for state in merge(upd.normal):
            if loop.test_first:
                self._back(inv, state)
            else:
                cond = semantics.encode(loop.cond, state.env)
                self._back(inv, State(state.atom, conj(state.pc, cond), state.env))
                to_exit(State(state.atom, conj(state.pc, z3.Not(cond)), state.env))
        for state in merge(body.breaks):
            to_exit(state)
        self.havocs = saved
        after, _ = self._state_of(exit_pred, "x")
        returns = self._loop_returns(loop, body.returns)
        return [after], returns

    def _back(self, inv: Predicate, state: State) -> None:
        values = [state.env[n] for n in inv.names]
        self.clauses.append(Clause(state.atom, state.pc, inv.apply(values)))

    def _loop_returns(self, loop: ir.Loop, returns: list[tuple[State, z3.ExprRef | None]]):
        """Returns from inside the loop become `ret` predicates (one per result sort)."""
        result = []
        by_sort: dict[str, list[tuple[State, z3.ExprRef | None]]] = {}
        for state, value in returns:
            key = "none" if value is None else value.sort().name()
            by_sort.setdefault(key, []).append((state, value))
        for key, group in by_sort.items():
            extra = None if group[0][1] is None else _ir_type_of(group[0][1])
            pred = self._predicate(f"ret{loop.loop_id}_{key}", loop, extra)
            for state, value in group:
                values = [state.env[n] if n else value for n in pred.names]
                self.clauses.append(Clause(state.atom, state.pc, pred.apply(values)))
            after, value = self._state_of(pred, "r" + key)
            result.append((after, value))
        return result

    def _unroll(self, loop: ir.Loop, state: State, out: Flow) -> None:
        """Exact execution of up to `unroll` iterations (longer paths are dropped); the
        target loop's head states are recorded instead of being run."""
        if loop.loop_id == self.target:  # recorded, then run on: later visits count too
            self.recorded.append(Entry(state.pc, dict(state.env), list(self.havocs)))
        assert self.unroll is not None
        heads = [state]
        for i in range(self.unroll):
            entering = []
            for head in merge(heads):
                if loop.test_first or i > 0:
                    cond = semantics.encode(loop.cond, head.env)
                    out.normal.append(State(head.atom, conj(head.pc, z3.Not(cond)), head.env))
                    head = State(head.atom, conj(head.pc, cond), head.env)
                entering.append(head)
            body = self.block(loop.body, entering)
            upd = self.block(loop.update, body.normal + body.continues)
            out.normal += body.breaks
            out.returns += body.returns
            heads = upd.normal
            if not heads:
                return

    def _summarise(self, loop: ir.Loop, state: State, out: Flow) -> None:
        """A nested loop as one step: it writes anything it may write; when it has no
        `break`, it leaves with its condition false; its invariant holds at the end."""
        new = dict(state.env)
        for name in sorted(ir.assigned_vars(loop.body) | ir.assigned_vars(loop.update)):
            new[name] = fresh(f"sum_{name}", self.fn.variables[name])
        pc = state.pc
        has_break = _has_own_break(loop.body)
        if not has_break:
            pc = conj(pc, z3.Not(semantics.encode(loop.cond, new)))
        inv = self.invariants.get(loop.loop_id)
        if inv is not None and not has_break:
            pc = conj(pc, inv(new))  # type: ignore[operator]
        inner = [s for s in ir.walk_stmts(loop.body + loop.update)]
        if any(isinstance(s, ir.Assert | ir.Assume | ir.Return | ir.Inline) for s in inner):
            self.exits.append(state.pc)
        # A return inside the loop leaves the enclosing frame with its own value, computed
        # from some state the loop went through: over-approximated by the havocked one.
        for ret in own_returns(loop.body + loop.update):
            value = None if ret.value is None else semantics.encode(ret.value, new)
            out.returns.append((State(state.atom, state.pc, new), value))
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


def _type_of_sort(sort: z3.SortRef) -> ir.Type:
    if sort.kind() == z3.Z3_BOOL_SORT:
        return ir.BOOL
    if sort.kind() == z3.Z3_INT_SORT:
        return ir.INT
    return ir.BVType(sort.size(), False)  # type: ignore[attr-defined]


def _ir_type_of(term: z3.ExprRef) -> ir.Type:
    return _type_of_sort(term.sort())


# --------------------------------------------------------------------- entry points


def encode_chc(fn: ir.Function) -> ChcSystem:
    """The Horn-clause system of `fn` (see the module docstring)."""
    ex = Executor(fn, chc=True)
    start = ex.initial()
    ex.block(fn.body, [start])
    inputs = {p.name: start.env[p.name] for p in fn.params}
    return ChcSystem(ex.clauses, ex.queries, ex.depth_queries, ex.predicates, inputs,
                     ex.entries, ex.havocs)  # fmt: skip


@dataclass
class Iteration:
    """One iteration of a loop from head state `pre`: back to the head in a state of
    `back` (guard, post-state), or out of the loop when `exit` holds."""

    loop: ir.Loop
    pre: dict[str, z3.ExprRef]
    start: z3.BoolRef  # the loop condition (True for do-while heads)
    back: list[tuple[z3.BoolRef, dict[str, z3.ExprRef]]]
    exit: z3.BoolRef
    has_havoc: bool
    inner_loops: bool

    def relation(self) -> z3.BoolRef:
        """Some back edge is taken; post-state variables are `post` constants."""
        return disj([conj(g, *self._equal(env)) for g, env in self.back])

    def post(self) -> dict[str, z3.ExprRef]:
        if not hasattr(self, "_post"):
            self._post = {n: z3.Const(f"{n}'", v.sort()) for n, v in self.pre.items()}
        return self._post

    def _equal(self, env: dict[str, z3.ExprRef]) -> list[z3.BoolRef]:
        post = self.post()
        return [post[n] == env[n] for n in self.pre]


def iteration(fn: ir.Function, loop: ir.Loop, invariants: dict[int, object] | None = None):
    """The iteration relation of `loop` (nested loops summarised)."""
    ex = Executor(fn, chc=False, invariants=invariants)
    pre = {n: semantics.variable(n, t) for n, t in fn.variables.items()}
    start = semantics.encode(loop.cond, pre) if loop.test_first else z3.BoolVal(True)
    body = ex.block(loop.body, [State(None, start, dict(pre))])
    upd = ex.block(loop.update, body.normal + body.continues)
    back: list[tuple[z3.BoolRef, dict[str, z3.ExprRef]]] = []
    exits = list(ex.exits) + [s.pc for s in body.breaks] + [s.pc for s, _ in body.returns]
    for state in merge(upd.normal):
        if loop.test_first:
            back.append((state.pc, state.env))
        else:
            cond = semantics.encode(loop.cond, state.env)
            back.append((conj(state.pc, cond), state.env))
            exits.append(conj(state.pc, z3.Not(cond)))
    walked = list(ir.walk_stmts(loop.body + loop.update))
    has_havoc = bool(ex.havocs) or any(c.depth_exceeded for c, _ in ex.calls)
    inner = any(isinstance(s, ir.Loop) for s in walked)
    return Iteration(loop, pre, start, back, disj(exits), has_havoc, inner)


def loops_of(fn: ir.Function) -> list[ir.Loop]:
    """Every loop of `fn` (nested and inlined ones included), in source order."""
    return [s for s in ir.walk_stmts(fn.body) if isinstance(s, ir.Loop)]


def constants(formula: z3.ExprRef) -> list[z3.ExprRef]:
    """The uninterpreted constants of `formula` (to quantify a clause over)."""
    seen: dict[int, z3.ExprRef] = {}
    stack = [formula]
    visited: set[int] = set()
    while stack:
        term = stack.pop()
        if term.get_id() in visited:
            continue
        visited.add(term.get_id())
        if z3.is_const(term) and term.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            seen[term.get_id()] = term
        stack.extend(term.children())
    return list(seen.values())


def unrolled_entries(fn: ir.Function, loop_id: int, unroll: int) -> list[Entry]:
    """Exact paths from the start of `fn` to the first test of loop `loop_id`, running
    every other loop at most `unroll` times."""
    ex = Executor(fn, chc=False)
    ex.unroll = unroll
    ex.target = loop_id
    ex.block(fn.body, [ex.initial()])
    return ex.recorded
