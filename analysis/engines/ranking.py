"""Linear and lexicographic ranking functions by counterexample-guided synthesis.

A transition relation `T(pre, post)` (one loop iteration, or one recursive call) is
given as a z3 formula. Component by component we look for `f = c0 + sum(c_v * v)`
(small integer coefficients and constant) that never increases on `T`, is bounded below on `T` when
some variable is an unbounded int, and decreases on some transition; the transitions
where it does not decrease form the next `T`. When none are left, the tuple of
components is a lexicographic ranking function. Candidates come from a finite set of
sample transitions; each is verified against the whole of `T` by z3, and a failed check
adds its counterexample to the samples. Bit-vector variables are read as the integers
they denote (signed or unsigned), so wrap-around is part of `T`, never ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from prooflens.analysis import ir, solver
from prooflens.analysis.solver import Budget

MAX_COEFF = 4
MAX_COMPONENTS = 3
MAX_ROUNDS = 40


@dataclass(frozen=True)
class Ranking:
    """`components[i]` maps a variable (IR name) to its coefficient, "" to the constant."""

    components: tuple[dict[str, int], ...]
    bounded: bool  # True when a component had to be shown >= 0


@dataclass(frozen=True)
class Failure:
    reason: str


def value(term: z3.ExprRef, t: ir.Type, width: int | None = None) -> z3.ExprRef:
    """The integer a variable denotes: as an int, or (`width` given, all variables being
    bit-vectors) as a `width`-bit vector wide enough that no sum below can overflow."""
    if width is not None:
        if isinstance(t, ir.BoolType):
            return z3.If(term, z3.BitVecVal(1, width), z3.BitVecVal(0, width))
        assert isinstance(t, ir.BVType)
        extend = z3.SignExt if t.signed else z3.ZeroExt
        return extend(width - t.width, term)
    if isinstance(t, ir.BVType):
        return z3.BV2Int(term, is_signed=t.signed)
    if isinstance(t, ir.BoolType):
        return z3.If(term, z3.IntVal(1), z3.IntVal(0))
    return term


def _width(types: dict[str, ir.Type]) -> int | None:
    """Bit-vector reasoning (fast and exact) when no variable is an unbounded int."""
    if any(isinstance(t, ir.IntType) for t in types.values()):
        return None
    widths = [t.width for t in types.values() if isinstance(t, ir.BVType)]
    if not widths:
        return None
    return max(widths) + 12  # |sum c_v * v + c0| < 2 ** (w + 11) for <= 64 terms


def synthesize(
    relation: z3.BoolRef,
    pre: dict[str, z3.ExprRef],
    post: dict[str, z3.ExprRef],
    types: dict[str, ir.Type],
    budget: Budget,
    constant_bound: int = MAX_COEFF,
) -> Ranking | Failure:
    """A lexicographic linear ranking function for `relation` over the variables `types`."""
    # numbers only (C memory: no array contents)
    names = [n for n in types
             if not isinstance(types[n], ir.SeqType | ir.ArrayType | ir.FloatType)][:64]
    need_bound = any(isinstance(types[n], ir.IntType) for n in names)
    width = _width({n: types[n] for n in names})
    if width is not None:
        constant_bound = min(constant_bound, 1 << (width - 13))
    pre_v = {n: value(pre[n], types[n], width) for n in names}
    post_v = {n: value(post[n], types[n], width) for n in names}
    remaining = relation
    components: list[dict[str, int]] = []
    for _ in range(MAX_COMPONENTS):
        status, model = _check([remaining], budget)
        if status == "unsat":
            return Ranking(tuple(components), need_bound)
        if status != "sat":
            return Failure(status)
        found = _component(remaining, pre_v, post_v, names, need_bound, budget, model,
                           max(MAX_COEFF, constant_bound))  # fmt: skip
        if isinstance(found, Failure):
            return found
        components.append(found)
        f_pre, f_post = _apply(found, pre_v), _apply(found, post_v)
        remaining = z3.And(remaining, f_post >= f_pre)
    status, _ = _check([remaining], budget)
    if status == "unsat":
        return Ranking(tuple(components), need_bound)
    return Failure(f"no lexicographic linear ranking function with {MAX_COMPONENTS} components")


def _apply(coeffs: dict[str, int], values: dict[str, z3.ExprRef]) -> z3.ExprRef:
    """sum(c_v * v) + c0 in the values' domain (ints, or wide signed bit-vectors, where
    `>=` below is the signed comparison)."""
    sample = next(iter(values.values()), None)
    if sample is not None and z3.is_bv(sample):
        width = sample.size()
        total: z3.ExprRef = z3.BitVecVal(coeffs.get("", 0), width)
        for name, c in coeffs.items():
            if name and c:
                total = total + z3.BitVecVal(c, width) * values[name]
        return total
    total = z3.IntVal(coeffs.get("", 0))
    for name, c in coeffs.items():
        if name and c:
            total = total + c * values[name]
    return total


def _check(facts: list[z3.BoolRef], budget: Budget) -> tuple[str, z3.ModelRef | None]:
    """"sat" with a model, "unsat", or why the solver could not tell."""
    answer = solver.solve(facts, budget)
    if answer.sat:
        return "sat", answer.model
    if answer.unsat:
        return "unsat", None
    return answer.reason, None


Sample = tuple[dict[str, int], dict[str, int]]


def _sample(model: z3.ModelRef, pre_v, post_v) -> Sample:
    def number(term: z3.ExprRef) -> int:
        result = model.eval(term, model_completion=True)
        return result.as_signed_long() if z3.is_bv(term) else result.as_long()

    def grab(values):
        return {n: number(v) for n, v in values.items()}

    return grab(pre_v), grab(post_v)


def _component(relation, pre_v, post_v, names, need_bound, budget: Budget, model, c0_bound):
    """One lexicographic component (see the module docstring)."""
    samples = [_sample(model, pre_v, post_v)]
    for _ in range(MAX_ROUNDS):
        coeffs = _fit(samples, names, need_bound, budget, c0_bound)
        if coeffs is None:
            return Failure("no linear ranking function fits the sampled iterations")
        f_pre, f_post = _apply(coeffs, pre_v), _apply(coeffs, post_v)
        good = f_pre >= f_post  # signed comparison on the wide bit-vectors
        if need_bound:
            good = z3.And(good, z3.Implies(f_pre > f_post, f_pre >= 0))
        status, cex = _check([relation, z3.Not(good)], budget)
        if status == "unsat":
            return coeffs
        if status != "sat":
            return Failure(status)
        samples.append(_sample(cex, pre_v, post_v))
    return Failure("ranking function search did not converge")


def _fit(samples: list[Sample], names: list[str], need_bound: bool, budget: Budget,
         c0_bound: int):  # fmt: skip
    """Coefficients that never increase on the samples, are >= 0 where they decrease,
    and decrease on as many samples as possible (at least one)."""
    opt = z3.Optimize()
    coeff = {n: z3.Int(f"c_{i}") for i, n in enumerate(names)}
    c0 = z3.Int("c0")
    for c in coeff.values():
        opt.add(c >= -MAX_COEFF, c <= MAX_COEFF)
    opt.add(c0 >= -c0_bound, c0 <= c0_bound)  # unbounded, CEGIS could chase samples forever
    strict = []
    for before, after in samples:
        fb = c0 + z3.Sum([coeff[n] * before[n] for n in names]) if names else c0
        fa = c0 + z3.Sum([coeff[n] * after[n] for n in names]) if names else c0
        opt.add(fb >= fa)
        if need_bound:
            opt.add(z3.Implies(fb > fa, fb >= 0))
        strict.append(fb > fa)
        opt.add_soft(fb > fa)
    opt.add(z3.Or(*strict))
    for c in [*coeff.values(), c0]:  # prefer small certificates
        opt.add_soft(c == 0, weight=0.01)
    answer = solver.check(opt, budget)
    if not answer.sat:
        return None
    model = answer.model
    assert model is not None
    result = {n: model.eval(coeff[n], model_completion=True).as_long() for n in names}
    result[""] = model.eval(c0, model_completion=True).as_long()
    return {n: c for n, c in result.items() if c or n == ""}
