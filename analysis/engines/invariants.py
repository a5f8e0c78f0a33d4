"""Cheap inductive invariants (Houdini) over the Horn-clause system of a unit.

Candidates per predicate: `v >= 0`, `v >= 1`, `v <= w`, `v < w` for numeric arguments
of the same type (signed or unsigned orderings for bit-vectors). Candidates refuted by a
clause are dropped until every clause preserves the rest: what remains is inductive,
so it holds in every reachable state. The termination engine uses these as the facts
known at a loop head (guards before the loop, values the loop never changes, bounds).
"""

from __future__ import annotations

import z3

from prooflens.analysis import ir, solver
from prooflens.analysis.engines.transition import ChcSystem, Predicate
from prooflens.analysis.solver import Budget

MAX_ARGS = 12
QUERY_UNITS = solver.UNITS_PER_SECOND * 2 // 5  # a stuck query costs little


def _le(a: z3.ExprRef, b: z3.ExprRef, t: ir.Type, strict: bool) -> z3.BoolRef:
    if isinstance(t, ir.BVType) and not t.signed:
        return z3.ULT(a, b) if strict else z3.ULE(a, b)
    return a < b if strict else a <= b


def candidates(fn: ir.Function, pred: Predicate) -> list[z3.BoolRef]:
    numeric = [
        (arg, t)
        for arg, name in zip(pred.args, pred.names, strict=False)
        # numbers only: not bool, str, list
        if name and isinstance(t := fn.variables[name], ir.IntType | ir.BVType)
    ][:MAX_ARGS]
    out: list[z3.BoolRef] = []
    for arg, t in numeric:
        zero = z3.IntVal(0) if isinstance(t, ir.IntType) else z3.BitVecVal(0, t.width)
        one = z3.IntVal(1) if isinstance(t, ir.IntType) else z3.BitVecVal(1, t.width)
        if not (isinstance(t, ir.BVType) and not t.signed):
            out.append(_le(zero, arg, t, False))
        out.append(_le(one, arg, t, False))
    for (a, ta), (b, tb) in ((x, y) for x in numeric for y in numeric if x[0] is not y[0]):
        if ta == tb:
            out.append(_le(a, b, ta, False))
            out.append(_le(a, b, ta, True))
    return out


def houdini(
    fn: ir.Function,
    system: ChcSystem,
    budget: Budget,
    extra: dict[str, list[z3.BoolRef]] | None = None,
) -> dict[str, z3.BoolRef]:
    """Per predicate name: a conjunction over its canonical arguments that holds in every
    reachable state (True when nothing survives or the budget runs out). `extra` adds
    candidates per predicate (e.g. guessed polynomial equalities)."""
    cands = {name: candidates(fn, pred) for name, pred in system.predicates.items()}
    for name, more in (extra or {}).items():
        cands.setdefault(name, []).extend(more)
    changed = True
    while changed:
        changed = False
        for clause in system.clauses:
            if clause.head is None or budget.exhausted():
                continue
            changed |= _refine(system, clause, cands, budget)
    if budget.exhausted():  # the fixpoint may not be reached: nothing is known
        return {name: z3.BoolVal(True) for name in system.predicates}
    return {name: z3.And(*c) if c else z3.BoolVal(True) for name, c in cands.items()}


def _apply(system: ChcSystem, cands, atom: z3.ExprRef) -> list[z3.BoolRef]:
    pred = system.predicates[atom.decl().name()]
    pairs = list(zip(pred.args, atom.children(), strict=False))
    return [z3.substitute(c, *pairs) for c in cands[atom.decl().name()]]


def _refine(system: ChcSystem, clause, cands, budget: Budget) -> bool:
    """Drop the head's candidates this clause does not preserve; True if any dropped."""
    head_name = clause.head.decl().name()
    dropped = False
    while cands[head_name]:
        body = [clause.constraint]
        if clause.body is not None:
            body += _apply(system, cands, clause.body)
        goals = _apply(system, cands, clause.head)
        answer = solver.solve([*body, z3.Not(z3.And(*goals))], budget, most=QUERY_UNITS)
        if answer.unsat:
            return dropped
        if not answer.sat:  # cannot tell: drop the nonlinear guesses, then everything
            linear = [c for c in cands[head_name] if not _nonlinear(c)]
            cands[head_name] = linear if len(linear) < len(cands[head_name]) else []
            dropped = True
            continue
        model = answer.model
        assert model is not None
        keep = [
            c
            for c, g in zip(cands[head_name], goals, strict=False)
            if z3.is_true(model.eval(g, model_completion=True))
        ]
        dropped = True
        cands[head_name] = keep
    return dropped


def _nonlinear(term: z3.ExprRef) -> bool:
    is_mul = z3.is_app(term) and term.decl().kind() == z3.Z3_OP_MUL
    if is_mul and sum(1 for c in term.children() if not z3.is_int_value(c)) > 1:
        return True
    return any(_nonlinear(c) for c in term.children())


def sampled_candidates(
    fn: ir.Function, system: ChcSystem, budget: Budget
) -> dict[str, list[z3.BoolRef]]:
    """Polynomial equalities guessed from runs (`sampling`), per loop-head and loop-exit
    predicate, over the predicate's integer arguments."""
    from prooflens.analysis.engines import sampling

    states = sampling.loop_states(fn)
    out: dict[str, list[z3.BoolRef]] = {}
    for name, pred in system.predicates.items():
        if not name.startswith(("inv", "exit")):
            continue
        seen = states.get(pred.loop.loop_id, [])
        ints = [n for n in pred.names if n and fn.variables.get(n) == ir.INT]
        args = {n: a for n, a in zip(pred.names, pred.args, strict=True) if n}
        guesses = []
        for equality in sampling.equalities(ints, seen):
            total = z3.IntVal(0)
            for monomial, coeff in equality.items():
                term: z3.ArithRef = z3.IntVal(coeff)
                for var in monomial:
                    term = term * args[var]
                total = total + term
            guesses.append(z3.simplify(total) == 0)
        out[name] = guesses
    return out
