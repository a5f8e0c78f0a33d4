"""The z3 encoding (semantics.py) and the concrete interpreter agree on every operator."""

from __future__ import annotations

import math

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


# ------------------------------------------------------------------ Python sequences

LIST = ir.SeqType("list", ir.INT)
CHARS = ["a", "b", "\\", "\x00", "é", "\U0001f600", "u", "{", "4", "1", "}"]


def seq_const(value: str | tuple) -> ir.Expr:
    if isinstance(value, str):
        return ir.StrLit(value)
    return ir.SeqLit(tuple(ir.Const(v, ir.INT) for v in value), LIST)


@st.composite
def seq_case(draw):
    """A random sequence node over literal operands, in range where the IR requires it."""
    as_str = draw(st.booleans())
    values = (st.text(st.sampled_from(CHARS), max_size=6) if as_str
              else st.lists(st.integers(-3, 3), max_size=6).map(tuple))  # fmt: skip
    seq = draw(values)
    kind = draw(st.sampled_from(["len", "at", "slice", "concat", "contains", "update", "eq"]))
    bound = st.one_of(st.none(), st.integers(-9, 9))
    if kind == "len":
        return ir.SeqLen(seq_const(seq)), [seq]
    if kind == "at":
        if not seq:
            return None
        index = draw(st.integers(0, len(seq) - 1))
        t = ir.STR if as_str else ir.INT
        return ir.SeqAt(seq_const(seq), ir.Const(index, ir.INT), t), [seq, index]
    if kind == "slice":
        start, stop = draw(bound), draw(bound)
        expr = ir.SeqSlice(seq_const(seq), None if start is None else ir.Const(start, ir.INT),
                           None if stop is None else ir.Const(stop, ir.INT),
                           ir.STR if as_str else LIST)  # fmt: skip
        return expr, [seq] + [b for b in (start, stop) if b is not None]
    other = draw(values)
    if kind == "concat":
        return ir.SeqConcat(seq_const(seq), seq_const(other), ir.STR if as_str else LIST), [
            seq, other]  # fmt: skip
    if kind == "contains":
        item = other[:2] if as_str else draw(st.integers(-3, 3))
        item_expr = ir.StrLit(item) if as_str else ir.Const(item, ir.INT)
        return ir.SeqContains(seq_const(seq), item_expr), [seq, item]
    if kind == "eq":
        other = draw(st.sampled_from([seq, other]))
        return ir.SeqEq(seq_const(seq), seq_const(other)), [seq, other]
    if as_str or not seq:
        return None
    index, value = draw(st.integers(0, len(seq) - 1)), draw(st.integers(-3, 3))
    expr = ir.SeqUpdate(seq_const(seq), ir.Const(index, ir.INT), ir.Const(value, ir.INT), LIST)
    return expr, [seq, index, value]


@settings(max_examples=500, deadline=None)
@given(seq_case())
def test_sequence_operators_agree(case):
    if case is None:
        return
    expr, args = case
    concrete = interpreter.seq_op(expr, args)
    assert concrete == interpreter.normalize(z3_value(expr), expr.type)
    assert concrete == interpreter.run(_returning(expr), {}).value


def _returning(expr: ir.Expr) -> ir.Function:
    return ir.Function("f", (), expr.type, (ir.Return(expr),), {})


def test_python_slicing_reference():
    """Slices agree with CPython's own slicing on every small bound."""
    for seq in ["", "abc", "abcdef"]:
        for start in [None, *range(-8, 9)]:
            for stop in [None, *range(-8, 9)]:
                low = None if start is None else ir.Const(start, ir.INT)
                high = None if stop is None else ir.Const(stop, ir.INT)
                expr = ir.SeqSlice(ir.StrLit(seq), low, high, ir.STR)
                assert z3_value(expr) == seq[start:stop]


def test_string_literals_are_not_escape_sequences():
    text = "\\u{41}\x00\U0001f600"
    assert z3_value(ir.SeqLen(ir.StrLit(text))) == len(text)
    assert z3_value(ir.StrLit(text)) == text


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.text(st.sampled_from(CHARS), max_size=5),
                 st.lists(st.integers(-5, 5), max_size=5).map(tuple)))
def test_sequence_constants_round_trip(value):
    t = ir.STR if isinstance(value, str) else LIST
    term = z3.simplify(semantics.constant(value, t))
    assert interpreter.normalize(semantics.from_model(term, t), t) == value


# --------------------------------------------------------------------- Python floats

SPECIAL = [0.0, -0.0, 1.0, -1.5, 0.1, 1e308, -1e308, 5e-324, 2.0**53, float("inf"),
           float("-inf"), float("nan")]  # fmt: skip
FLOATS = st.one_of(st.sampled_from(SPECIAL), st.floats(allow_nan=True, allow_infinity=True))
INTS = st.one_of(st.integers(-(2**60), 2**60), st.sampled_from([2**53 + 1, -(2**53) - 1, 0]))


def same_float(a: float, b: float) -> bool:
    """Bit-level agreement (NaN is NaN; 0.0 and -0.0 differ)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1, a) == math.copysign(1, b)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(ir.FLOAT_OPS)), FLOATS, FLOATS)
def test_float_operators_agree(op, a, b):
    if op == "div" and b == 0:
        return  # guarded by a ZeroDivisionError check
    right = None if op in ("neg", "abs") else ir.FloatLit(b)
    expr = ir.FloatOp(op, ir.FloatLit(a), right)
    args = [a] if right is None else [a, b]
    assert same_float(interpreter.float_op(expr, args), z3_value(expr))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(ir.COMPARE_OPS)), st.one_of(FLOATS, INTS), FLOATS,
       st.booleans())
def test_float_comparisons_agree(op, a, b, swap):
    left = ir.FloatLit(a) if isinstance(a, float) else ir.Const(a, ir.INT)
    right = ir.FloatLit(b)
    args = [a, b]
    if swap:
        left, right, args = right, left, [b, a]
    expr = ir.FloatCmp(op, left, right)
    assert interpreter.float_op(expr, args) == z3_value(expr)


@settings(max_examples=200, deadline=None)
@given(st.one_of(INTS, st.integers(-(2**1030), 2**1030)))
def test_int_to_float_rounds_as_python(n):
    if abs(n) >= 2**1024 - 2**970:
        return  # guarded: Python raises OverflowError
    assert same_float(float(n), z3_value(ir.IntToFloat(ir.Const(n, ir.INT))))


@settings(max_examples=300, deadline=None)
@given(st.one_of(INTS, st.integers(-(2**1100), 2**1100)), st.one_of(INTS, st.integers(-9, 9)))
def test_int_true_division_rounds_as_python(a, b):
    if b == 0 or abs(a) >= (2**1024 - 2**970) * abs(b):
        return  # guarded: ZeroDivisionError / OverflowError
    expr = ir.IntToFloat(ir.Const(a, ir.INT), divisor=ir.Const(b, ir.INT))
    assert same_float(a / b, z3_value(expr))
