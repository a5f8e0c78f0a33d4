"""The z3 encoding (semantics.py) and the concrete interpreter agree on every operator."""

from __future__ import annotations

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from prooflens.analysis import interpreter, ir, semantics

TYPES = [ir.BVType(8, True), ir.BVType(8, False), ir.BVType(32, True), ir.BVType(32, False),
         ir.BVType(64, True), ir.BVType(64, False)]  # fmt: skip
BV_OPS = ["add", "sub", "mul", "div", "rem", "band", "bor", "bxor", "shl", "shr"]
INT_OPS = ["add", "sub", "mul", "floordiv", "floormod", "div", "rem"]


def z3_value(expr: ir.Expr) -> int | bool:
    return semantics.from_model(z3.simplify(semantics.encode(expr, {})), expr.type)


@st.composite
def bv_case(draw):
    t = draw(st.sampled_from(TYPES))
    values = st.one_of(st.integers(t.min, t.max), st.sampled_from([t.min, t.max, 0, 1, -1]))
    a = interpreter.normalize(draw(values), t)
    b = interpreter.normalize(draw(values), t)
    return t, draw(st.sampled_from(BV_OPS)), a, b


@settings(max_examples=400, deadline=None)
@given(bv_case())
def test_bitvector_operators_agree(case):
    t, op, a, b = case
    if op in ("div", "rem") and b == 0:
        return  # always guarded by a division-by-zero assert
    expr = ir.Binary(op, ir.Const(a, t), ir.Const(b, t), t)
    assert interpreter.binary(op, a, b, t, t, t) == z3_value(expr)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(INT_OPS), st.integers(-10**6, 10**6), st.integers(-1000, 1000))
def test_integer_operators_agree(op, a, b):
    if op in ("floordiv", "floormod", "div", "rem") and b == 0:
        return
    expr = ir.Binary(op, ir.Const(a, ir.INT), ir.Const(b, ir.INT), ir.INT)
    assert interpreter.binary(op, a, b, ir.INT, ir.INT) == z3_value(expr)


def test_python_floor_semantics():
    cases = [(-7, 2, -4, 1), (7, -2, -4, -1), (-7, -2, 3, -1), (7, 2, 3, 1)]
    for a, b, quotient, remainder in cases:
        for op, expected in (("floordiv", quotient), ("floormod", remainder)):
            expr = ir.Binary(op, ir.Const(a, ir.INT), ir.Const(b, ir.INT), ir.INT)
            assert z3_value(expr) == expected == interpreter.binary(op, a, b, ir.INT, ir.INT)


def test_c_truncating_division():
    i32 = ir.BVType(32, True)
    for a, b, quotient, remainder in [(-7, 2, -3, -1), (7, -2, -3, 1), (-7, -2, 3, -1)]:
        for op, expected in (("div", quotient), ("rem", remainder)):
            expr = ir.Binary(op, ir.Const(a, i32), ir.Const(b, i32), i32)
            assert z3_value(expr) == expected


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(TYPES), st.sampled_from(TYPES), st.integers(-(2**64), 2**64))
def test_casts_agree(source, target, raw):
    value = interpreter.normalize(raw, source)
    expr = ir.Cast(ir.Const(value, source), target)
    assert interpreter.cast(value, source, target) == z3_value(expr)


def test_unary_minus_wraps_in_bitvectors():
    i8 = ir.BVType(8, True)
    expr = ir.Unary("neg", ir.Const(-128, i8), i8)
    assert z3_value(expr) == -128 == interpreter.unary("neg", -128, i8)
