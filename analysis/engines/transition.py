"""The relations the proof and termination engines reason about, built on `symbolic`.

* `encode_chc`: constrained Horn clauses with one predicate per loop head (`inv`), one
  for the state after the loop (`exit`) and one per kind of `return` that leaves a loop
  from inside it (`ret`). Straight-line code between them is executed symbolically
  (`symbolic.Executor` with the `Predicates` loop strategy), so a clause is one
  loop-free block of code.
* `iteration`: one iteration of a single loop, from a state at its head back to its head
  (`back`) or out of it (`exits`), with nested loops summarised by havocking what they
  write (`symbolic.Summarise`: an over-approximation, good for ranking functions).
* `unrolled_entries`: exact paths to a loop head (`symbolic.Unroll`), for witnesses.

Dropping a variable from a predicate only forgets its value (it is havocked), which is
always sound; predicates therefore carry only the variables read at or after the loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from prooflens.analysis import ir, semantics
from prooflens.analysis.engines import symbolic
from prooflens.analysis.engines.symbolic import (
    Entry,
    Executor,
    Flow,
    Havoc,
    Site,
    State,
    conj,
    disj,
    fresh,
    merge,
    site_of,
)

__all__ = ["ChcSystem", "Clause", "Entry", "Iteration", "Predicate", "Site", "State",
           "constants", "encode_chc", "iteration", "loops_of", "relevant_vars", "site_of",
           "unrolled_entries"]  # fmt: skip


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
class ChcSystem:
    clauses: list[Clause]
    queries: dict[Site, list[Clause]]
    depth_queries: list[Clause]  # reaching a call beyond the inlining bound
    predicates: dict[str, Predicate]  # by name: inv<id>, exit<id>, ret<id>_<sort>
    inputs: dict[str, z3.ExprRef]  # parameter -> its initial constant
    entries: dict[int, list[Entry]]  # loop id -> exact entry paths
    havocs: list[Havoc]


# ------------------------------------------------------------------ liveness (syntactic)


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
    order = list(ir.walk_stmts(fn.body))
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


# ------------------------------------------------------------- the CHC loop strategy


@dataclass
class Predicates:
    """Loops as predicates: entering a loop is a clause into its head predicate, whose
    clauses (iteration back to the head, leaving to `exit`/`ret`) are encoded once."""

    fn: ir.Function
    live: dict[int, list[str]]
    clauses: list[Clause] = field(default_factory=list)
    predicates: dict[str, Predicate] = field(default_factory=dict)
    entries: dict[int, list[Entry]] = field(default_factory=dict)
    flows: dict[int, tuple[list[State], list[tuple[State, z3.ExprRef | None]]]] = field(
        default_factory=dict)

    def run(self, ex: Executor, loop: ir.Loop, state: State, out: Flow) -> None:
        inv = self._predicate(f"inv{loop.loop_id}", loop)
        self._to(inv, state)
        if state.atom is None:
            entry = Entry(state.pc, dict(state.env), list(ex.havocs))
            self.entries.setdefault(loop.loop_id, []).append(entry)
        if loop.loop_id not in self.flows:
            self.flows[loop.loop_id] = self._encode_loop(ex, loop, inv)
        normal, returns = self.flows[loop.loop_id]
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
        loop_id = pred.loop.loop_id
        env = {name: fresh(f"{name}@{tag}{loop_id}", t) for name, t in self.fn.variables.items()}
        values: list = [env[name] if name else None for name in pred.names]
        result = None
        if pred.names and pred.names[-1] == "":
            result = fresh("result", _type_of_sort(pred.decl.domain(len(pred.names) - 1)))
            values[-1] = result
        return State(pred.apply(values), z3.BoolVal(True), env), result

    def _to(self, pred: Predicate, state: State) -> None:
        values = [state.env[n] for n in pred.names]
        self.clauses.append(Clause(state.atom, state.pc, pred.apply(values)))

    def _encode_loop(self, ex: Executor, loop: ir.Loop, inv: Predicate):
        """Clauses of `loop`: iteration back to `inv`, leaving to `exit`/`ret` predicates."""
        head, _ = self._state_of(inv, "h")
        exit_pred = self._predicate(f"exit{loop.loop_id}", loop)
        start = head
        if loop.test_first:
            cond = semantics.encode(loop.cond, head.env)
            self._to(exit_pred, State(head.atom, z3.Not(cond), head.env))
            start = State(head.atom, cond, head.env)
        saved = ex.havocs
        ex.havocs = []
        body = ex.block(loop.body, [start])
        upd = ex.block(loop.update, body.normal + body.continues)
        for state in merge(upd.normal):
            if loop.test_first:
                self._to(inv, state)
            else:
                cond = semantics.encode(loop.cond, state.env)
                self._to(inv, State(state.atom, conj(state.pc, cond), state.env))
                self._to(exit_pred, State(state.atom, conj(state.pc, z3.Not(cond)), state.env))
        for state in merge(body.breaks):
            self._to(exit_pred, state)
        ex.havocs = saved
        after, _ = self._state_of(exit_pred, "x")
        return [after], self._loop_returns(loop, body.returns)

    def _loop_returns(self, loop: ir.Loop, returns: list[tuple[State, z3.ExprRef | None]]):
        """Returns from inside the loop become `ret` predicates (one per result sort)."""
        result = []
        by_sort: dict[str, list[tuple[State, z3.ExprRef | None]]] = {}
        for state, value in returns:
            key = "none" if value is None else value.sort().name()
            by_sort.setdefault(key, []).append((state, value))
        for key, group in by_sort.items():
            value = group[0][1]
            extra = None if value is None else _type_of_sort(value.sort())
            pred = self._predicate(f"ret{loop.loop_id}_{key}", loop, extra)
            for state, value in group:
                values = [state.env[n] if n else value for n in pred.names]
                self.clauses.append(Clause(state.atom, state.pc, pred.apply(values)))
            result.append(self._state_of(pred, "r" + key))
        return result


def _type_of_sort(sort: z3.SortRef) -> ir.Type:
    if sort.kind() == z3.Z3_BOOL_SORT:
        return ir.BOOL
    if sort.kind() == z3.Z3_INT_SORT:
        return ir.INT
    return ir.BVType(sort.size(), False)


# --------------------------------------------------------------------- entry points


def encode_chc(fn: ir.Function) -> ChcSystem:
    """The Horn-clause system of `fn` (see the module docstring)."""
    loops = Predicates(fn, relevant_vars(fn))
    ex = Executor(fn, loops)
    start, _ = ex.run()
    queries: dict[Site, list[Clause]] = {}
    for check in ex.checks:
        assert check.bad is not None
        queries.setdefault(site_of(check.stmt), []).append(
            Clause(check.state.atom, check.bad, None))  # fmt: skip
    depth = [Clause(s.atom, s.pc, None) for s in ex.beyond]
    inputs = {p.name: start.env[p.name] for p in fn.params}
    return ChcSystem(loops.clauses, queries, depth, loops.predicates, inputs, loops.entries,
                     ex.havocs)  # fmt: skip


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


def iteration(fn: ir.Function, loop: ir.Loop,
              invariants: dict[int, symbolic.Invariant] | None = None):
    """The iteration relation of `loop` (nested loops summarised)."""
    ex = Executor(fn, symbolic.Summarise(invariants or {}))
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


def reached_calls(fn: ir.Function) -> tuple[State, list[tuple[ir.Inline, State]]]:
    """The initial state of `fn` and every inlined call it reaches, with the state it is
    reached in (loops summarised)."""
    ex = Executor(fn, symbolic.Summarise())
    start, _ = ex.run()
    return start, ex.calls


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
    loops = symbolic.Unroll(unroll, final_test=False, record=loop_id)
    Executor(fn, loops).run()
    return loops.entries
