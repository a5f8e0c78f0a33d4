"""The C semantics against gcc itself: the pinned table, generated expressions
(differential: frontend + interpreter vs gcc -O0 -fsanitize=undefined), and the seed's
verdicts with their replays. Slow: every test compiles C."""

from __future__ import annotations

import shutil

import pytest
from c_pinned import ROWS, cases, expected
from c_support import Case, gcc_outcomes, model_outcomes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc"),
]


@pytest.fixture(scope="module")
def pinned_gcc() -> list[tuple]:
    return gcc_outcomes(cases())


@pytest.mark.parametrize("index", range(len(ROWS)), ids=[r[2][:40] for r in ROWS])
def test_pinned_table_is_what_gcc_does(pinned_gcc: list[tuple], index: int) -> None:
    assert pinned_gcc[index][:2] == expected()[index], ROWS[index]


def test_pinned_failures_on_the_same_line_as_gcc(pinned_gcc: list[tuple]) -> None:
    model = model_outcomes(cases())
    assert [m for m in model if m[0] == "failed"] == [g for g in pinned_gcc if g[0] == "failed"]


# ---------------------------------------------------------------------------- generated

TYPES = ["int", "unsigned", "long", "unsigned long", "char", "unsigned char", "short",
         "unsigned short", "long long", "_Bool", "int8_t", "uint16_t"]  # fmt: skip
RANGES = {
    "int": (-(2**31), 2**31 - 1), "unsigned": (0, 2**32 - 1), "long": (-(2**63), 2**63 - 1),
    "unsigned long": (0, 2**64 - 1), "char": (-128, 127), "unsigned char": (0, 255),
    "short": (-(2**15), 2**15 - 1), "unsigned short": (0, 2**16 - 1),
    "long long": (-(2**63), 2**63 - 1), "_Bool": (0, 1), "int8_t": (-128, 127),
    "uint16_t": (0, 2**16 - 1),
}  # fmt: skip
BINARY = ["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "<", "<=", "==", "!=", ">",
          "&&", "||"]  # fmt: skip
UNARY = ["-", "~", "!"]


def _value(t: str) -> st.SearchStrategy[int]:
    lo, hi = RANGES[t]
    edges = sorted({lo, hi, 0, 1, -1, 2, 31, 32, 63, lo + 1, hi - 1} & set(range(lo, hi + 1))
                   if hi - lo < 1000 else {lo, hi, 0, 1, 2, 31, 32, 63, lo + 1, hi - 1}
                   | ({-1, -2} if lo < 0 else set()))  # fmt: skip
    return st.one_of(st.sampled_from(edges), st.integers(lo, hi), st.integers(-40, 40).filter(
        lambda v: lo <= v <= hi))  # fmt: skip


@st.composite
def _tree(draw, depth: int) -> list:
    """An expression shape; leaves are filled with distinct parameters later."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return ["leaf"]
    kind = draw(st.sampled_from(["bin", "bin", "bin", "un", "cast", "ite"]))
    if kind == "bin":
        return ["bin", draw(st.sampled_from(BINARY)), draw(_tree(depth - 1)), draw(_tree(depth - 1))]
    if kind == "un":
        return ["un", draw(st.sampled_from(UNARY)), draw(_tree(depth - 1))]
    if kind == "cast":
        return ["cast", draw(st.sampled_from(TYPES)), draw(_tree(depth - 1))]
    return ["ite", draw(_tree(depth - 1)), draw(_tree(depth - 1)), draw(_tree(depth - 1))]


def _render(tree: list, leaves: list[str]) -> str:
    if tree[0] == "leaf":
        name = f"p{len(leaves)}"
        leaves.append(name)
        return name
    if tree[0] == "bin":
        left = _render(tree[2], leaves)
        return f"({left} {tree[1]} {_render(tree[3], leaves)})"
    if tree[0] == "un":
        return f"({tree[1]}{_render(tree[2], leaves)})"
    if tree[0] == "cast":
        return f"(({tree[1]}){_render(tree[2], leaves)})"
    cond = _render(tree[1], leaves)
    then = _render(tree[2], leaves)
    return f"({cond} ? {then} : {_render(tree[3], leaves)})"


@st.composite
def _case(draw) -> Case:
    leaves: list[str] = []
    expr = _render(draw(_tree(3)), leaves)
    types = [draw(st.sampled_from(TYPES)) for _ in leaves]
    inputs = tuple(draw(_value(t)) for t in types)
    ret = draw(st.sampled_from(["int", "long", "unsigned", "unsigned long", "_Bool", "short"]))
    form = draw(st.sampled_from(["return", "compound", "incdec"]))
    if form == "compound" and leaves:
        op = draw(st.sampled_from(["+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^="]))
        t = draw(st.sampled_from(TYPES))
        body = f"{t} v = {leaves[0]}; v {op} {expr}; return v;"
    elif form == "incdec" and leaves:
        op = draw(st.sampled_from(["v++", "v--", "++v", "--v"]))
        body = f"{types[0]} v = {leaves[0]}; {ret} r = {op} + ({expr}); return r + v;"
    else:
        body = f"return {expr};"
    params = tuple(zip(types, leaves, strict=True))
    return Case(ret, params, body, inputs)


def _agree(model: tuple, real: tuple) -> bool:
    """Same value, or both failed (the same kind; the order of two failing operands of one
    operator is unspecified in C, so then any two failures agree)."""
    if model[0] == "unsupported":
        return False
    if model[0] == "failed" and real[0] == "failed":
        return True
    return model == real


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_case(), min_size=25, max_size=25))
def test_generated_expressions_match_gcc(batch: list[Case]) -> None:
    model = model_outcomes(batch)
    real = gcc_outcomes(batch)
    bad = [(c.body, c.params, c.inputs, m, r) for c, m, r in zip(batch, model, real, strict=True)
           if not _agree(m, r)]  # fmt: skip
    assert not bad, bad[:3]
    same_kind = [m == r for m, r in zip(model, real, strict=True) if m[0] == "failed"]
    assert sum(same_kind) >= len(same_kind) * 0.7  # mostly even the same kind and line
