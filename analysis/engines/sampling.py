"""Guessing polynomial equalities at loop heads from concrete runs (then checked by proof).

The IR is run by the interpreter on small random inputs; the integer variables at each
loop head give rows of monomials of degree <= 2 (1, x, x*y, ...), and every vector in the
null space of that matrix is an equality all sampled states satisfy (`2*t == c*c - c`).
These are only candidates: `invariants.houdini` keeps those that are inductive.
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import combinations_with_replacement
from math import lcm

from prooflens.analysis import interpreter, ir

Monomial = tuple[str, ...]  # () is the constant 1, ("x",) is x, ("x", "y") is x*y
Equality = dict[Monomial, int]  # sum(coefficient * monomial) == 0

MAX_VARS = 6
RUNS = 40
MAX_STATES = 300
MAX_STEPS = 20_000


def loop_states(fn: ir.Function, seed: int = 0) -> dict[int, list[dict]]:
    """States seen at each loop head over runs from random small inputs (a fixed number of
    runs and steps, so the guesses never depend on the machine's speed)."""
    rnd = random.Random(seed)
    states: dict[int, list[dict]] = {}

    def observer(loop: ir.Loop, env: dict) -> bool:
        bucket = states.setdefault(loop.loop_id, [])
        if len(bucket) < MAX_STATES:
            bucket.append(env)
        return False

    for run in range(RUNS):
        inputs = {p.name: random_value(rnd, p.type, -2, 6 + run) for p in fn.params}
        interpreter.run(fn, inputs, (rnd.randint(-5, 20) for _ in range(1000)),
                        max_steps=MAX_STEPS, observer=observer, record=False)  # fmt: skip
    return states


def random_value(rnd: random.Random, t: ir.Type, low: int, high: int):
    """A small random input of type `t` (Python sequences: issue 13)."""
    if isinstance(t, ir.BoolType):
        return rnd.random() < 0.5
    if isinstance(t, ir.FloatType):
        return rnd.choice([0.0, -0.5, 1.5, float(high), rnd.uniform(low, high)])
    if isinstance(t, ir.SeqType):
        if t.elem is None:
            return "".join(rnd.choice("ab") for _ in range(rnd.randint(0, 4)))
        return tuple(random_value(rnd, t.elem, -3, 3) for _ in range(rnd.randint(0, 4)))
    return rnd.randint(low, high)


def equalities(names: list[str], states: list[dict]) -> list[Equality]:
    """A basis of the degree-2 polynomial equalities over `names` that every state meets."""
    names = names[:MAX_VARS]
    monomials: list[Monomial] = [()] + [(n,) for n in names]
    monomials += list(combinations_with_replacement(names, 2))
    unique: dict[tuple[int, ...], None] = {}
    for state in states:
        if all(isinstance(state.get(n), int) for n in names):
            unique[tuple(_value(state, m) for m in monomials)] = None
    rows = [list(r) for r in unique]
    if len(rows) < len(monomials):  # too few states: every guess would be a fluke
        return []
    step = max(1, len(rows) // (3 * len(monomials)))  # enough rows, spread over the runs
    rows = rows[::step]
    basis = _null_space(rows, len(monomials))
    return [{m: c for m, c in zip(monomials, vector, strict=True) if c} for vector in basis]


def _value(state: dict, monomial: Monomial) -> int:
    result = 1
    for name in monomial:
        result *= int(state[name])
    return result


def _null_space(rows: list[list[int]], width: int) -> list[list[int]]:
    """Integer basis of {c : row . c == 0 for every row} (exact Gaussian elimination)."""
    matrix = [[Fraction(v) for v in row] for row in rows]
    pivots: list[int] = []
    rank = 0
    for col in range(width):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        lead = matrix[rank][col]
        matrix[rank] = [v / lead for v in matrix[rank]]
        for r in range(len(matrix)):
            if r != rank and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        pivots.append(col)
        rank += 1
        if rank == len(matrix):
            break
    free = [c for c in range(width) if c not in pivots]
    basis = []
    for f in free:
        vector = [Fraction(0)] * width
        vector[f] = Fraction(1)
        for i, p in enumerate(pivots):
            vector[p] = -matrix[i][f]
        scale = lcm(*[v.denominator for v in vector])
        basis.append([int(v * scale) for v in vector])
    return basis
