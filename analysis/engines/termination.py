"""Does every loop stop? Ranking functions prove it; repeated states and recurrent sets
refute it with concrete inputs; anything else is "unknown" with the reason.

Per loop: the iteration relation (`transition.iteration`, nested loops summarised)
restricted by inductive facts at the loop head (`invariants.houdini`) is handed to the
ranking synthesiser. When that fails, non-termination is searched for along an exact
path from the function's start to the loop: a state that comes back after 1-4
iterations, or a recurrent set (the guard, possibly strengthened by a bound) that every
iteration stays in. Every witness is first run on the IR by the interpreter, which
must observe the repetition (or stay in the set for many iterations); otherwise it is
dropped. Recursion beyond the inlining bound is ranked over the arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from prooflens.analysis import interpreter, ir, semantics, solver
from prooflens.analysis.engines import invariants, ranking, ranking_chc, render, transition
from prooflens.analysis.engines.transition import ChcSystem, Entry, Iteration
from prooflens.analysis.solver import Budget
from prooflens.analysis.verdicts import LoopEvidence
from prooflens.analysis.witness import Witness

MAX_PREFIX = 2
MAX_PERIOD = 4
RECURRENT_VISITS = 10_000
ENTRY_UNROLL = 3  # iterations of the loops before (or around) a loop on a witness's path


@dataclass(frozen=True)
class LoopVerdict:
    loop_id: int
    line: int
    column: int
    status: str  # "proved" | "refuted" | "unknown"
    certificate: str | None
    witness: Witness | None
    reason: str | None
    evidence: LoopEvidence | None = None  # refuted: how the loop was seen not to stop
    certificate_kind: str | None = None  # proved: "ranking function", "recursion", ...


def check_termination(fn: ir.Function, budget: Budget) -> list[LoopVerdict]:
    """One verdict per loop of `fn`, then one per recursive call beyond the bound."""
    loops = transition.loops_of(fn)
    calls = _recursive_calls(fn)
    if not loops and not calls:
        return []
    try:
        system = transition.encode_chc(fn)
        facts = invariants.houdini(fn, system, budget.part(1 / 4))
    except Exception as exc:  # noqa: BLE001 - an engine bug must not sink the unit
        return [_unknown(loop, f"cannot encode: {exc!r}") for loop in loops]
    verdicts = []
    for i, loop in enumerate(loops):
        share = budget.split(len(loops) - i + len(calls))
        try:
            verdicts.append(_loop(fn, system, facts, loop, share))
        except Exception as exc:  # noqa: BLE001 - an engine bug must not sink the unit
            verdicts.append(_unknown(loop, f"internal error in the termination engine: {exc!r}"))
    for i, call in enumerate(calls):
        share = budget.split(len(calls) - i)
        try:
            verdicts.append(_recursion(fn, call, -(i + 1), share))
        except Exception as exc:  # noqa: BLE001
            verdicts.append(LoopVerdict(-(i + 1), call.span.line, call.span.column, "unknown",
                                        None, None, f"internal error: {exc!r}"))  # fmt: skip
    return verdicts


def _unknown(loop: ir.Loop, reason: str) -> LoopVerdict:
    return LoopVerdict(loop.loop_id, loop.span.line, loop.span.column, "unknown", None, None,
                       reason)  # fmt: skip


# ------------------------------------------------------------------------ per loop


def _head_fact(system: ChcSystem, facts: dict[str, z3.BoolRef], loop_id: int):
    """The head invariant of a loop as a function of a variable environment."""
    pred = system.predicates.get(f"inv{loop_id}")
    if pred is None:
        return None
    fact = facts.get(f"inv{loop_id}", z3.BoolVal(True))

    def at(env: dict[str, z3.ExprRef]) -> z3.BoolRef:
        pairs = [(a, env[n]) for a, n in zip(pred.args, pred.names, strict=True) if n]
        return z3.substitute(fact, *pairs)

    return at


def _loop(fn, system, facts, loop: ir.Loop, budget: Budget) -> LoopVerdict:
    head = _head_fact(system, facts, loop.loop_id)
    if head is None:
        return LoopVerdict(loop.loop_id, loop.span.line, loop.span.column, "proved",
                           "the loop is never reached", None, None)  # fmt: skip
    inner = {}
    for other in transition.loops_of(fn):
        fact = _head_fact(system, facts, other.loop_id)
        if fact is not None:
            inner[other.loop_id] = fact
    it = transition.iteration(fn, loop, inner)
    relation = z3.And(head(it.pre), it.start, it.relation())
    # Sorted: set order follows the process's string hashing, and z3's answers follow
    # the order of the variables (verdicts must not depend on PYTHONHASHSEED).
    types = {n: fn.variables[n] for n in sorted(_loop_vars(loop)) if n in fn.variables}
    few = _few_iterations(it, head, budget)
    if few is not None:
        return LoopVerdict(loop.loop_id, loop.span.line, loop.span.column, "proved",
                           f"the loop body runs at most {few} time(s)", None, None,
                           certificate_kind="bounded iterations")  # fmt: skip
    bound = ranking.MAX_COEFF * (1 + _largest_constant(loop))
    found = ranking.synthesize(relation, it.pre, it.post(), types, budget.part(0.4), bound)
    if isinstance(found, ranking.Ranking):
        return _proved(fn, loop, found, "ranking function")
    # a ranking function that needs stronger invariants (a diverging loop fails fast here)
    checked = ranking_chc.prove_with_spacer(fn, system, loop, it, types, bound,
                                            budget.part(0.5))  # fmt: skip
    if checked is not None:
        return _proved(fn, loop, checked, "ranking function (invariants by Spacer)")
    refuted = _nontermination(fn, system, loop, it, budget)
    if refuted is not None:
        return refuted
    return _unknown(loop, _why(fn, loop, it, found.reason))


def _few_iterations(it: Iteration, head, budget: Budget, most: int = 2) -> int | None:
    """k when no run of the (deterministic, loop-free) body makes k + 1 iterations."""
    if it.has_havoc or it.inner_loops or len(it.back) != 1:
        return None
    env, facts = dict(it.pre), [head(it.pre)]
    for k in range(most + 1):
        start = z3.substitute(it.start, *[(it.pre[n], env[n]) for n in it.pre])
        facts.append(start)
        answer = solver.solve(facts, budget.part(0.1))
        if answer.unknown:
            return None
        if answer.unsat:
            return k
        guard, env = _step(it, env)
        facts.append(guard)
    return None


def _proved(fn: ir.Function, loop: ir.Loop, found: ranking.Ranking, kind: str) -> LoopVerdict:
    return LoopVerdict(loop.loop_id, loop.span.line, loop.span.column, "proved",
                       _ranking_text(fn, found), None, None,
                       certificate_kind=kind)  # fmt: skip


def _loop_vars(loop: ir.Loop) -> set[str]:
    names = set(ir.expr_vars(loop.cond))
    for stmt in ir.walk_stmts(loop.body + loop.update):
        names |= transition._stmt_reads(stmt)
    return names | ir.assigned_vars(loop.body + loop.update)


def _largest_constant(loop: ir.Loop) -> int:
    """The largest integer constant in the loop (bounds the ranking function's constant)."""
    exprs: list[ir.Expr] = [loop.cond]
    for stmt in ir.walk_stmts(loop.body + loop.update):
        if isinstance(stmt, ir.Assign):
            exprs.append(stmt.value)
        elif isinstance(stmt, ir.Assume | ir.Assert | ir.If | ir.Loop):
            exprs.append(stmt.cond)
    largest = 0
    while exprs:
        expr = exprs.pop()
        if isinstance(expr, ir.Const) and not isinstance(expr.value, bool):
            largest = max(largest, abs(int(expr.value)))
        elif isinstance(expr, ir.Unary | ir.Cast):
            exprs.append(expr.operand)
        elif isinstance(expr, ir.Binary):
            exprs += [expr.left, expr.right]
        elif isinstance(expr, ir.Ite):
            exprs += [expr.cond, expr.then, expr.orelse]
    return largest


def _why(fn: ir.Function, loop: ir.Loop, it: Iteration, reason: str) -> str:
    """The synthesiser's failure, with the first nonlinear update when there is one."""
    for stmt in ir.walk_stmts(loop.body + loop.update):
        if isinstance(stmt, ir.Assign) and _nonlinear(stmt.value):
            return f"{reason}; nonlinear update at line {stmt.span.line}"
    if it.has_havoc:
        return f"{reason}; the loop reads nondeterministic values"
    return reason


def _nonlinear(expr: ir.Expr) -> bool:
    if isinstance(expr, ir.Binary):
        if expr.op in ("mul",) and not (
            isinstance(expr.left, ir.Const) or isinstance(expr.right, ir.Const)
        ):
            return True
        if expr.op in ("floordiv", "floormod", "div", "rem", "band", "bor", "bxor", "shl",
                       "shr") and not isinstance(expr.right, ir.Const):  # fmt: skip
            return True
        if expr.op in ("floordiv", "floormod", "div", "rem"):
            return True
        return _nonlinear(expr.left) or _nonlinear(expr.right)
    if isinstance(expr, ir.Unary | ir.Cast):
        return _nonlinear(expr.operand)
    if isinstance(expr, ir.Ite):
        return _nonlinear(expr.cond) or _nonlinear(expr.then) or _nonlinear(expr.orelse)
    return False


def _label(fn: ir.Function, name: str) -> str:
    if name.startswith("$for") and name.endswith(".ctr"):
        return "range counter"
    if name.startswith("$for") and name.endswith(".stop"):
        return "range end"
    return fn.display.get(name, name)


def _source_name(fn: ir.Function, name: str) -> str:
    """A variable's source name, or "" when it is hidden or an inlined copy."""
    if name.startswith(("$", "_pl_")) or "#" in name:
        return ""
    return fn.display.get(name, "")


def _linear_text(fn: ir.Function, coeffs: dict[str, int]) -> str:
    text = ""
    for name, c in sorted(coeffs.items(), key=lambda kv: (kv[1] < 0, kv[0] == "")):
        if c == 0:
            continue
        part = str(abs(c)) if name == "" else (
            _label(fn, name) if abs(c) == 1 else f"{abs(c)} * {_label(fn, name)}"
        )
        if not text:
            text = part if c > 0 else f"-{part}"
        else:
            text += f" + {part}" if c > 0 else f" - {part}"
    return text or "0"


def _ranking_text(fn: ir.Function, found: ranking.Ranking) -> str:
    if not found.components:
        return "the loop body never returns to the loop head"
    parts = [_linear_text(fn, c) for c in found.components]
    if len(parts) == 1:
        bound = " and stays >= 0" if found.bounded else ", within its bit-vector range"
        return f"{parts[0]} decreases{bound}"
    return f"({', '.join(parts)}) decreases lexicographically"


# ----------------------------------------------------------------- non-termination


def _nontermination(fn, system: ChcSystem, loop: ir.Loop, it: Iteration, budget: Budget):
    if it.inner_loops or it.has_havoc or len(it.back) != 1:
        return None
    ids = [other.loop_id for other in transition.loops_of(fn)]
    if len(ids) != len(set(ids)):  # activations could not be told apart
        return None
    state = [n for n in transition.relevant_vars(fn).get(loop.loop_id, []) if n in it.pre]
    entries = transition.unrolled_entries(fn, loop.loop_id, ENTRY_UNROLL)
    for entry in entries:
        for prefix in range(MAX_PREFIX + 1):
            for period in range(1, MAX_PERIOD + 1):
                if budget.exhausted():
                    return None
                found = _periodic(fn, system, loop, it, entry, state, prefix, period, budget)
                if found is not None:
                    return found
        found = _recurrent(fn, system, loop, it, entry, state, budget)
        if found is not None:
            return found
    return None


def _step(it: Iteration, env: dict[str, z3.ExprRef]) -> tuple[z3.BoolRef, dict]:
    """The guard and successor of one iteration from `env` (the body is deterministic)."""
    guard, post = it.back[0]
    pairs = [(it.pre[n], env[n]) for n in it.pre]
    return (
        z3.substitute(guard, *pairs),
        {n: z3.substitute(term, *pairs) for n, term in post.items()},
    )


def _witness(fn: ir.Function, system: ChcSystem, entry: Entry, model) -> Witness:
    inputs = {}
    for param in fn.params:
        term = model.eval(system.inputs[param.name], model_completion=True)
        inputs[fn.display.get(param.name, param.name)] = semantics.from_model(term, param.type)
    nondet = []
    for term, guard, t in entry.havocs:
        if z3.is_true(model.eval(guard, model_completion=True)):
            value = semantics.from_model(model.eval(term, model_completion=True), t)
            nondet.append(int(value))
    return Witness(inputs, tuple(nondet))


def _model(facts: list[z3.BoolRef], budget: Budget) -> z3.ModelRef | None:
    """A model of `facts`, or None (unsat or undecided: witnesses are only ever looked for)."""
    return solver.solve(facts, budget).model


def _periodic(fn, system, loop, it, entry, state, prefix, period, budget: Budget):
    env = entry.env
    facts = [entry.pc]
    states = [env]
    for _ in range(prefix + period):
        guard, env = _step(it, env)
        facts.append(guard)
        states.append(env)
    facts += [states[prefix][n] == states[prefix + period][n] for n in state]
    model = _model(facts, budget)
    if model is None:
        return None
    witness = _witness(fn, system, entry, model)
    observed = _observe_repeat(fn, loop, witness, state, it)
    if observed is None:
        return None
    first, seen_period = observed
    names = tuple(label for label in (_source_name(fn, n) for n in state) if label)
    evidence = LoopEvidence("state repeats", period=seen_period, after=first, state=names,
                            fixed_point=seen_period == 1, loop_lines=_line_range(loop))
    return LoopVerdict(loop.loop_id, loop.span.line, loop.span.column, "refuted", None,
                       witness, None, evidence)  # fmt: skip


def _line_range(loop: ir.Loop) -> tuple[int, int]:
    """First and last source line of the loop (keyword to last statement)."""
    lines = [loop.span.line, loop.span.end_line, *([loop.last_line] if loop.last_line else [])]
    for stmt in _own_stmts(loop.body + loop.update):
        if stmt.span.line > 0:
            lines += [stmt.span.line, stmt.span.end_line]
    return min(lines), max(lines)


def _own_stmts(body: tuple[ir.Stmt, ...]):
    """Statements of `body` from this function's own text (inlined bodies left out)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ir.If):
            yield from _own_stmts(stmt.then + stmt.orelse)
        elif isinstance(stmt, ir.Loop):
            yield from _own_stmts(stmt.body + stmt.update)


def _holds(fn: ir.Function, formula: z3.BoolRef, pre: dict, env: dict) -> bool:
    """`formula` over the `pre` constants, evaluated in a concrete interpreter state."""
    pairs = [(term, semantics.constant(env[n], fn.variables[n]))
             for n, term in pre.items() if n in env]  # fmt: skip
    return z3.is_true(z3.simplify(z3.substitute(formula, *pairs)))


def _observe_repeat(fn, loop, witness: Witness, state: list[str], it: Iteration):
    """Run the IR from the witness; (iteration of first visit, period) when the state at
    the loop head repeats within one activation of the loop, else None. An activation
    ends when the condition is false or another loop's head is tested (re-entering a
    loop needs an enclosing loop's iteration: inlined copies have their own ids)."""
    seen: dict[tuple, int] = {}
    visits = [0]
    found: list[tuple[int, int]] = []
    cond = semantics.encode(loop.cond, it.pre)

    def observer(current: ir.Loop, env: dict) -> bool:
        if current.loop_id != loop.loop_id:
            seen.clear()
            return False
        if not _holds(fn, cond, it.pre, env):
            seen.clear()
            return False
        key = tuple(env.get(n) for n in state)
        if key in seen:
            found.append((seen[key], visits[0] - seen[key]))
            return True
        seen[key] = visits[0]
        visits[0] += 1
        return False

    run = interpreter.run(fn, _ir_inputs(fn, witness), witness.nondet, max_steps=200_000,
                          observer=observer, record=False)  # fmt: skip
    if run.outcome == "observed" and found:
        return found[0]
    return None


def _ir_inputs(fn: ir.Function, witness: Witness) -> dict:
    return {p.name: witness.inputs.get(fn.display.get(p.name, p.name), 0) for p in fn.params}


def _recurrent(fn, system, loop, it: Iteration, entry: Entry, state, budget: Budget):
    """A set containing the entry state that no iteration leaves (nor exits from)."""
    base = it.start
    for extra in [z3.BoolVal(True)] + _strengtheners(fn, it, state):
        if budget.exhausted():
            return None
        region = z3.And(base, extra)
        guard, post = it.back[0]
        region_post = z3.substitute(region, *[(it.pre[n], post[n]) for n in it.pre])
        leaves = z3.Or(it.exit, z3.And(guard, z3.Not(region_post)), z3.Not(guard))
        if not solver.solve([region, leaves], budget).unsat:  # leaves it, or undecided
            continue
        model = _enter(it, entry, region, budget)
        if model is None:
            continue
        names = {str(it.pre[n]): _source_name(fn, n) for n in it.pre}
        text = render.invariant_text(region, names, fn.language, exact=True)
        if text is None:  # the set must be stated exactly: replay evaluates it
            continue
        witness = _witness(fn, system, entry, model)
        if not _observe_stays(fn, loop, witness, region, it):
            continue
        state_names = tuple(x for x in (_source_name(fn, n) for n in state) if x)
        evidence = LoopEvidence("recurrent set", state=state_names, region=text,
                                visits=RECURRENT_VISITS, loop_lines=_line_range(loop))
        return LoopVerdict(loop.loop_id, loop.span.line, loop.span.column, "refuted", None,
                           witness, None, evidence)  # fmt: skip
    return None


def _enter(it: Iteration, entry: Entry, region: z3.BoolRef, budget: Budget):
    """A model of the entry path that is inside `region` after 0..MAX_PREFIX iterations."""
    env, guards = entry.env, [entry.pc]
    for _ in range(MAX_PREFIX + 1):
        inside = z3.substitute(region, *[(it.pre[n], env[n]) for n in it.pre])
        model = _model([*guards, inside], budget)
        if model is not None:
            return model
        guard, env = _step(it, env)
        guards.append(guard)
    return None


def _strengtheners(fn, it: Iteration, state: list[str]) -> list[z3.BoolRef]:
    out = []
    for atom in _atoms(it.start):  # a guard `a != b` may diverge on either side
        if z3.is_app(atom) and atom.decl().kind() == z3.Z3_OP_DISTINCT and atom.num_args() == 2:
            a, b = atom.arg(0), atom.arg(1)
            if z3.is_int(a):
                out += [a < b, a > b]
    pre = {n: it.pre[n] for n in state  # C memory: no array contents
           if not isinstance(fn.variables[n], ir.BoolType | ir.ArrayType)}
    for n, v in pre.items():
        t = fn.variables[n]
        if isinstance(t, ir.IntType):
            out += [v >= 0, v >= 1, v <= 0, v <= -1]
    for a in pre:
        for b in pre:
            if a != b and fn.variables[a] == fn.variables[b] == ir.INT:
                out += [pre[a] >= pre[b], pre[a] > pre[b]]
    return out


def _atoms(formula: z3.ExprRef) -> list[z3.ExprRef]:
    if z3.is_and(formula) or z3.is_or(formula) or z3.is_not(formula):
        return [a for child in formula.children() for a in _atoms(child)]
    return [formula]


def _observe_stays(fn, loop, witness: Witness, region, it: Iteration) -> bool:
    """Run the IR from the witness: once the loop head is inside `region` it stays there
    for RECURRENT_VISITS visits (checked on the first 100, then on every 100th)."""
    inside = [0]
    ok = [True]

    def observer(current: ir.Loop, env: dict) -> bool:
        if current.loop_id != loop.loop_id:
            if inside[0]:  # left the loop although the set is closed
                ok[0] = False
                return True
            return False
        if inside[0]:
            inside[0] += 1
            if inside[0] % 100 and inside[0] > 100 and inside[0] < RECURRENT_VISITS:
                return False
            if not _holds(fn, region, it.pre, env):
                ok[0] = False
                return True
            return inside[0] >= RECURRENT_VISITS
        if _holds(fn, region, it.pre, env):
            inside[0] = 1
        return False

    run = interpreter.run(fn, _ir_inputs(fn, witness), witness.nondet,
                          max_steps=RECURRENT_VISITS * 200, observer=observer,
                          record=False)  # fmt: skip
    return run.outcome == "observed" and ok[0] and inside[0] >= RECURRENT_VISITS


# ------------------------------------------------------------------------ recursion


def _recursive_calls(fn: ir.Function) -> list[ir.Inline]:
    """The outermost inlined calls of a function that is called beyond the bound."""
    exceeded = {s.callee for s in ir.walk_stmts(fn.body)
                if isinstance(s, ir.Inline) and s.depth_exceeded}  # fmt: skip
    if not exceeded:
        return []
    calls = []

    def visit(body: tuple[ir.Stmt, ...]) -> None:
        for stmt in body:
            if isinstance(stmt, ir.Inline):
                if stmt.callee in exceeded:
                    calls.append(stmt)
                else:
                    visit(stmt.body)
            elif isinstance(stmt, ir.If):
                visit(stmt.then)
                visit(stmt.orelse)
            elif isinstance(stmt, ir.Loop):
                visit(stmt.body)
                visit(stmt.update)

    visit(fn.body)
    return calls


def _recursion(fn: ir.Function, call: ir.Inline, verdict_id: int, budget: Budget):
    """Rank the arguments of `fn`'s calls to itself: each call's arguments are smaller."""
    line, column = call.span.line, call.span.column

    def unknown(reason: str) -> LoopVerdict:
        return LoopVerdict(verdict_id, line, column, "unknown", None, None, reason)

    if call.callee != fn.name:
        return unknown(f"recursion inside {call.callee}: analysed where it is defined")
    start, calls = transition.reached_calls(fn)
    pairs = []
    params = [p.name for p in fn.params]
    for inline, state in calls:
        if inline.callee != fn.name or inline.depth_exceeded:
            continue
        args = _call_args(fn, inline, params, state)
        if args is None:
            continue
        pairs.append((inline, state, args))
    outermost = _recursive_calls(fn)
    first_level = [p for p in pairs if any(p[0] is c for c in outermost)]
    if not first_level or len({id(p[0]) for p in first_level}) != len(outermost):
        # a call inside a loop (summarised) or beyond the bound: its arguments are unseen
        return unknown("the recursive calls' arguments are not all visible within the bound")
    pre = {n: start.env[n] for n in params}
    post = {n: z3.Const(f"{n}'", pre[n].sort()) for n in params}
    relation = z3.Or(*[
        z3.And(state.pc, *[post[n] == args[n] for n in params]) for _, state, args in first_level
    ])  # fmt: skip
    types = {n: fn.variables[n] for n in params}
    found = ranking.synthesize(relation, pre, post, types, budget)
    if isinstance(found, ranking.Failure):
        return unknown(f"no ranking function over the arguments: {found.reason}")
    text = _ranking_text(fn, found).replace("decreases", "decreases at every recursive call", 1)
    return LoopVerdict(verdict_id, line, column, "proved", text, None, None,
                       certificate_kind="recursion")  # fmt: skip


def _call_args(fn, inline: ir.Inline, params: list[str], state) -> dict | None:
    """The callee's parameters as set by the leading assignments of the inlined body."""
    args = {}
    for stmt in inline.body[: len(params)]:
        if not isinstance(stmt, ir.Assign):
            return None
        label = fn.display.get(stmt.target)
        if label not in params:
            return None
        args[label] = semantics.encode(stmt.value, state.env)
    return args if len(args) == len(params) else None
