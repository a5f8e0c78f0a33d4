"""Ranking functions that need invariants beyond Houdini's templates.

A candidate is fitted to iterations observed in concrete runs (so it only has to be
right on reachable states), then proved with Spacer: the Horn clauses of the unit plus
the query "at the loop head, an iteration ends with the candidate not decreased, or
negative where it decreased". A safe answer (re-checked by `proof._spacer`) means the
candidate decreases on every reachable iteration: the loop terminates.
"""

from __future__ import annotations

import random

import z3

from prooflens.analysis import interpreter, ir, semantics
from prooflens.analysis.engines import proof, ranking, sampling
from prooflens.analysis.engines.transition import ChcSystem, Clause, Iteration
from prooflens.analysis.solver import Budget

RUNS = 30
MAX_PAIRS = 200


def observed_pairs(fn: ir.Function, loop: ir.Loop, names: list[str]):
    """(before, after) values of `names` at consecutive tests of the loop head in runs
    from random small inputs, the first test having found the condition true (a fixed
    number of runs and steps: the samples never depend on the machine's speed)."""
    rnd = random.Random(1)
    pairs: list[tuple[dict[str, int], dict[str, int]]] = []
    pre = {n: semantics.variable(n, t) for n, t in fn.variables.items()}
    cond = semantics.encode(loop.cond, pre)
    for run in range(RUNS):
        if len(pairs) >= MAX_PAIRS:
            break
        last: list[dict | None] = [None]

        def observer(current: ir.Loop, env: dict, last=last) -> bool:
            if current.loop_id != loop.loop_id:
                return False
            if any(not isinstance(env.get(n), int) for n in names):
                last[0] = None
                return False
            values = {n: int(env[n]) for n in names}
            if last[0] is not None:
                pairs.append((last[0], values))
            holds = _holds(fn, cond, pre, env)
            last[0] = values if holds else None
            return len(pairs) >= MAX_PAIRS

        inputs = {p.name: sampling.random_value(rnd, p.type, -3, 8 + run) for p in fn.params}
        interpreter.run(fn, inputs, (rnd.randint(-5, 20) for _ in range(1000)),
                        max_steps=5_000, observer=observer, record=False)  # fmt: skip
    return pairs


def _holds(fn: ir.Function, formula: z3.BoolRef, pre: dict, env: dict) -> bool:
    pairs = [(term, semantics.constant(env[n], fn.variables[n]))
             for n, term in pre.items() if n in env]  # fmt: skip
    return z3.is_true(z3.simplify(z3.substitute(formula, *pairs)))


def prove_with_spacer(
    fn: ir.Function,
    system: ChcSystem,
    loop: ir.Loop,
    it: Iteration,
    types: dict[str, ir.Type],
    constant_bound: int,
    budget: Budget,
) -> ranking.Ranking | None:
    """A single linear ranking function, fitted to runs and proved by Spacer; None if
    either step fails."""
    pred = system.predicates.get(f"inv{loop.loop_id}")
    names = [n for n in types if n in (pred.names if pred else [])
             and not isinstance(types[n], ir.SeqType | ir.ArrayType | ir.FloatType)]  # ints
    if pred is None or not names:
        return None
    if budget.exhausted():
        return None
    samples = observed_pairs(fn, loop, names)
    if not samples:
        return None
    need_bound = any(isinstance(types[n], ir.IntType) for n in names)
    coeffs = ranking._fit(samples, names, need_bound, budget.part(0.3), constant_bound)
    if coeffs is None:
        return None
    pre_v = {n: ranking.value(it.pre[n], types[n]) for n in names}
    post = it.post()
    post_v = {n: ranking.value(post[n], types[n]) for n in names}
    f_pre, f_post = ranking._apply(coeffs, pre_v), ranking._apply(coeffs, post_v)
    good = f_pre > f_post
    if need_bound:
        good = z3.And(good, f_pre >= 0)
    bad = z3.And(it.start, it.relation(), z3.Not(good))
    link = [(it.pre[n], arg) for n, arg in zip(pred.names, pred.args, strict=True) if n]
    query = Clause(pred.apply(pred.args), z3.substitute(bad, *link), None)
    outcome = proof._spacer(system, [query], set(), budget)
    if outcome.status != "safe":
        return None
    return ranking.Ranking((coeffs,), need_bound)
