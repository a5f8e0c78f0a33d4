"""Cheap inductive invariants (Houdini) over the Horn-clause system of a unit.

Candidates per predicate: `v >= 0`, `v >= 1`, `v <= w`, `v < w` for numeric arguments
of the same type (signed or unsigned orderings for bit-vectors). Candidates refuted by a
clause are dropped until every clause preserves the rest: what remains is inductive,
so it holds in every reachable state. The termination engine uses these as the facts
known at a loop head (guards before the loop, values the loop never changes, bounds).
"""

from __future__ import annotations

import time

import z3

from prooflens.analysis import ir
from prooflens.analysis.engines.transition import ChcSystem, Predicate

MAX_ARGS = 12


def _le(a: z3.ExprRef, b: z3.ExprRef, t: ir.Type, strict: bool) -> z3.BoolRef:
    if isinstance(t, ir.BVType) and not t.signed:
        return z3.ULT(a, b) if strict else z3.ULE(a, b)
    return a < b if strict else a <= b


def candidates(fn: ir.Function, pred: Predicate) -> list[z3.BoolRef]:
    numeric = [
        (arg, fn.variables[name])
        for arg, name in zip(pred.args, pred.names, strict=False)
        if name and not isinstance(fn.variables[name], ir.BoolType)
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


def houdini(fn: ir.Function, system: ChcSystem, deadline: float) -> dict[str, z3.BoolRef]:
    """Per predicate name: a conjunction over its canonical arguments that holds in every
    reachable state (True when nothing survives or time runs out)."""
    cands = {name: candidates(fn, pred) for name, pred in system.predicates.items()}
    changed = True
    while changed:
        changed = False
        for clause in system.clauses:
            if clause.head is None or time.monotonic() > deadline:
                continue
            changed |= _refine(system, clause, cands, deadline)
    if time.monotonic() > deadline:
        return {name: z3.BoolVal(True) for name in system.predicates}
    return {name: z3.And(*c) if c else z3.BoolVal(True) for name, c in cands.items()}


def _apply(system: ChcSystem, cands, atom: z3.ExprRef) -> list[z3.BoolRef]:
    pred = system.predicates[atom.decl().name()]
    pairs = list(zip(pred.args, atom.children(), strict=False))
    return [z3.substitute(c, *pairs) for c in cands[atom.decl().name()]]


def _refine(system: ChcSystem, clause, cands, deadline: float) -> bool:
    """Drop the head's candidates this clause does not preserve; True if any dropped."""
    head_name = clause.head.decl().name()
    dropped = False
    while cands[head_name]:
        body = [clause.constraint]
        if clause.body is not None:
            body += _apply(system, cands, clause.body)
        goals = _apply(system, cands, clause.head)
        solver = z3.Solver()
        solver.set("timeout", max(10, int((deadline - time.monotonic()) * 1000)))
        solver.add(*body)
        solver.add(z3.Not(z3.And(*goals)))
        answer = solver.check()
        if answer == z3.unsat:
            return dropped
        if answer != z3.sat:
            cands[head_name] = []  # cannot tell: keep nothing (sound)
            return True
        model = solver.model()
        keep = [
            c
            for c, g in zip(cands[head_name], goals, strict=False)
            if z3.is_true(model.eval(g, model_completion=True))
        ]
        dropped = True
        cands[head_name] = keep
    return dropped
