"""The meaning of IR expressions as z3 terms: unbounded ints for Python, bit-vectors for C.

`interpreter.py` gives the same operators their concrete meaning; the two must agree
(tests/test_semantics.py checks them against each other on random values).
"""

from __future__ import annotations

import ctypes
import math
import struct
from collections.abc import Mapping

import z3

from prooflens.analysis import ir


def sort_of(t: ir.Type, ctx: z3.Context | None = None) -> z3.SortRef:
    if isinstance(t, ir.ArrayType):  # C memory
        return z3.ArraySort(z3.BitVecSort(64, ctx), sort_of(t.elem, ctx))
    if isinstance(t, ir.IntType):
        return z3.IntSort(ctx)
    if isinstance(t, ir.BoolType):
        return z3.BoolSort(ctx)
    if isinstance(t, ir.SeqType):
        return seq_sort(t, ctx)
    if isinstance(t, ir.FloatType):
        return z3.Float64(ctx)
    return z3.BitVecSort(t.width, ctx)


def variable(name: str, t: ir.Type, ctx: z3.Context | None = None) -> z3.ExprRef:
    return z3.Const(name, sort_of(t, ctx))


def constant(value, t: ir.Type, ctx: z3.Context | None = None) -> z3.ExprRef:
    if isinstance(t, ir.ArrayType):  # C memory
        return array_constant(value, t, ctx)
    if isinstance(t, ir.SeqType):  # a str, or a list or tuple as a Python sequence
        return seq_constant(value, t, ctx)
    if isinstance(t, ir.FloatType):
        return float_value(value, ctx)
    if isinstance(t, ir.BoolType):
        return z3.BoolVal(bool(value), ctx)
    if isinstance(t, ir.IntType):
        # z3 takes the decimal text, and Python refuses str() past 4300 digits.
        return z3.IntVal(int_to_decimal(int(value)), ctx)
    return z3.BitVecVal(int(value) % (1 << t.width), t.width, ctx)


_DIGITS_4000 = 10**4000


def int_to_decimal(number: int) -> str:
    """`str(number)` without Python's 4300-digit limit (values in long runs grow that big)."""
    if abs(number) < _DIGITS_4000:
        return str(number)
    sign, number = ("-", -number) if number < 0 else ("", number)
    chunks = []
    while number:
        number, chunk = divmod(number, 10**1000)
        chunks.append(chunk)
    text = str(chunks[-1]) + "".join(f"{c:01000d}" for c in reversed(chunks[:-1]))
    return sign + text


def from_model(value: z3.ExprRef, t: ir.Type):
    """A z3 model value as the Python value the interpreter uses (signed BVs as negatives,
    a str as a str, a list or tuple as a tuple)."""
    if isinstance(t, ir.ArrayType):  # C memory
        return array_from_model(value, t)
    if isinstance(t, ir.BoolType):
        return z3.is_true(value)
    if isinstance(t, ir.SeqType):
        return seq_from_model(value, t)
    if isinstance(t, ir.FloatType):
        return float_from_model(value)
    number = decimal_to_int(value.as_string())
    if isinstance(t, ir.BVType) and t.signed and number > t.max:
        number -= 1 << t.width
    return number


def decimal_to_int(text: str) -> int:
    """`int(text)` without Python's 4300-digit limit on str -> int conversion (z3 may
    well answer with a number that long)."""
    sign, digits = (-1, text[1:]) if text.startswith("-") else (1, text)
    if len(digits) <= 4000:
        return sign * int(digits)
    number = 0
    for start in range(0, len(digits), 1000):
        chunk = digits[start : start + 1000]
        number = number * 10 ** len(chunk) + int(chunk)
    return sign * number


def encode(expr: ir.Expr, env: Mapping[str, z3.ExprRef]) -> z3.ExprRef:
    """The z3 term of `expr`, reading variables from `env`."""
    if isinstance(expr, ir.MEM_NODES):  # C memory
        return encode_mem(expr, env)
    if isinstance(expr, ir.Const):
        return constant(expr.value, expr.type, _ctx(env))
    if isinstance(expr, ir.Var):
        return env[expr.name]
    if isinstance(expr, ir.Unary):
        return _unary(expr.op, encode(expr.operand, env))
    if isinstance(expr, ir.Binary):
        left, right = encode(expr.left, env), encode(expr.right, env)
        return _binary(expr.op, left, right, _operand_type(expr))
    if isinstance(expr, ir.Ite):
        return z3.If(encode(expr.cond, env), encode(expr.then, env), encode(expr.orelse, env))
    if isinstance(expr, ir.SEQ_NODES):
        return encode_seq(expr, env)
    if isinstance(expr, ir.FLOAT_NODES):
        return encode_float(expr, env)
    return cast(encode(expr.operand, env), expr.operand.type, expr.type)


def _ctx(env: Mapping[str, z3.ExprRef]) -> z3.Context | None:
    for term in env.values():
        return term.ctx
    return None


def _operand_type(expr: ir.Binary) -> ir.Type:
    """The type that decides signedness: the left operand's (both agree except for shifts)."""
    return expr.left.type


def _unary(op: str, value: z3.ExprRef) -> z3.ExprRef:
    if op == "neg":
        return -value
    if op == "not":
        return z3.Not(value)
    if op == "bnot":
        return ~value
    raise ValueError(f"unknown unary operator {op}")


def _binary(op: str, a: z3.ExprRef, b: z3.ExprRef, t: ir.Type) -> z3.ExprRef:
    if op in ("and", "or", "implies"):
        return {"and": z3.And, "or": z3.Or, "implies": z3.Implies}[op](a, b)
    if op in ir.COMPARE_OPS:
        return _compare(op, a, b, t)
    if isinstance(t, ir.BVType):
        return _bv_arith(op, a, b, t)
    return _int_arith(op, a, b)


def _compare(op: str, a: z3.ExprRef, b: z3.ExprRef, t: ir.Type) -> z3.ExprRef:
    if op == "eq":
        return a == b
    if op == "ne":
        return a != b
    if isinstance(t, ir.BVType) and not t.signed:
        return {"lt": z3.ULT, "le": z3.ULE, "gt": z3.UGT, "ge": z3.UGE}[op](a, b)
    return {"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]


def _int_arith(op: str, a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        return a * b
    if op == "floordiv":
        return floordiv(a, b)
    if op == "floormod":
        return a - b * floordiv(a, b)
    if op == "div":  # truncating division on mathematical integers
        q = floordiv(a, b)
        return z3.If(z3.And(a - b * q != 0, (a < 0) != (b < 0)), q + 1, q)
    if op == "rem":
        return a - b * _int_arith("div", a, b)
    raise ValueError(f"operator {op} is not defined on int")


def floordiv(a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
    """Python's `a // b`. z3's integer `/` is Euclidean (remainder >= 0), which equals
    floor division only for a positive divisor; for a negative one, negate both."""
    return z3.If(b > 0, a / b, (-a) / (-b))


def _bv_arith(op: str, a: z3.ExprRef, b: z3.ExprRef, t: ir.BVType) -> z3.ExprRef:
    if op in ("shl", "shr"):
        b = _resize(b, b.size(), t.width)
        if op == "shl":
            return a << b
        return a >> b if t.signed else z3.LShR(a, b)
    simple = {
        "add": lambda: a + b,
        "sub": lambda: a - b,
        "mul": lambda: a * b,
        "band": lambda: a & b,
        "bor": lambda: a | b,
        "bxor": lambda: a ^ b,
        # z3's BV `/` is signed truncating division; `%` would be SMod, C wants SRem.
        "div": lambda: a / b if t.signed else z3.UDiv(a, b),
        "rem": lambda: z3.SRem(a, b) if t.signed else z3.URem(a, b),
    }
    if op not in simple:
        raise ValueError(f"operator {op} is not defined on bit-vectors")
    return simple[op]()


def _resize(value: z3.ExprRef, width: int, target: int) -> z3.ExprRef:
    """A shift count brought to the shifted value's width (counts in range fit either way)."""
    if width == target:
        return value
    if width > target:
        return z3.Extract(target - 1, 0, value)
    return z3.ZeroExt(target - width, value)


# ------------------------------------------------------------------------ C memory


def encode_mem(expr: ir.Select | ir.Store | ir.ArrayInit, env: Mapping[str, z3.ExprRef]
               ) -> z3.ExprRef:  # fmt: skip
    """z3's select/store/constant array (meaning documented on each node in `ir`)."""
    if isinstance(expr, ir.Select):
        return z3.Select(encode(expr.array, env), encode(expr.index, env))
    if isinstance(expr, ir.Store):
        array = encode(expr.array, env)
        return z3.Store(array, encode(expr.index, env), encode(expr.value, env))
    value = encode(expr.value, env)
    return z3.K(z3.BitVecSort(64, value.ctx), value)


def array_constant(value, t: ir.ArrayType, ctx: z3.Context | None = None) -> z3.ExprRef:
    """A concrete `ArrayValue` as a z3 array: stores over a constant array."""
    default, items = (value[0], value[1]) if isinstance(value, tuple | list) else (0, ())
    array = z3.K(z3.BitVecSort(64, ctx), constant(default, t.elem, ctx))
    for offset, item in items:
        array = z3.Store(array, z3.BitVecVal(int(offset) % (1 << 64), 64, ctx),
                         constant(item, t.elem, ctx))
    return array


def array_from_model(value: z3.ExprRef, t: ir.ArrayType) -> ir.ArrayValue:
    """A model's array (a chain of stores over a constant array) as an `ArrayValue`."""
    items: dict[int, int | bool] = {}
    node = value
    while z3.is_store(node):
        offset = node.arg(1).as_long()
        items.setdefault(offset, from_model(node.arg(2), t.elem))
        node = node.arg(0)
    if not z3.is_const_array(node):
        raise ValueError(f"not an array value: {value}")
    return ir.ArrayValue(from_model(node.arg(0), t.elem), tuple(items.items()))


def cast(value: z3.ExprRef, source: ir.Type, target: ir.Type) -> z3.ExprRef:
    """Conversion between IR types, as documented on `ir.Cast`."""
    if source == target:
        return value
    ctx = value.ctx
    if isinstance(target, ir.BoolType):
        zero = constant(0, source, ctx)
        return value != zero
    if isinstance(source, ir.BoolType):
        return z3.If(value, constant(1, target, ctx), constant(0, target, ctx))
    if isinstance(target, ir.IntType):
        assert isinstance(source, ir.BVType)
        return z3.BV2Int(value, is_signed=source.signed)
    if isinstance(source, ir.IntType):
        assert isinstance(target, ir.BVType)
        return z3.Int2BV(value, target.width)
    assert isinstance(source, ir.BVType) and isinstance(target, ir.BVType)
    if target.width < source.width:
        return z3.Extract(target.width - 1, 0, value)
    if target.width > source.width:
        extend = z3.SignExt if source.signed else z3.ZeroExt
        return extend(target.width - source.width, value)
    return value


# ------------------------------------------------------------------ Python sequences


def seq_sort(t: ir.SeqType, ctx: z3.Context | None = None) -> z3.SortRef:
    """z3's String sort for `str`, a sequence of the item sort for a list or tuple."""
    if t.elem is None:
        return z3.StringSort(ctx)
    return z3.SeqSort(sort_of(t.elem, ctx))


def string_value(text: str, ctx: z3.Context | None = None) -> z3.SeqRef:
    """`text` as a z3 string, code point by code point (z3.StringVal would read escapes
    such as `\\u{41}` in it). Code points above z3's 0x2FFFF are the caller's to refuse."""
    ctx = z3.get_ctx(ctx)
    codes = (ctypes.c_uint * len(text))(*map(ord, text))
    return z3.SeqRef(z3.Z3_mk_u32string(ctx.ref(), len(text), codes), ctx)


def seq_constant(value, t: ir.SeqType, ctx: z3.Context | None = None) -> z3.ExprRef:
    """A concrete str, list or tuple as a z3 sequence literal."""
    if t.elem is None:
        return string_value(value, ctx)
    if not value:
        return z3.Empty(seq_sort(t, ctx))
    units = [z3.Unit(constant(v, t.elem, ctx)) for v in value]
    return units[0] if len(units) == 1 else z3.Concat(*units)


def string_from_model(value: z3.ExprRef) -> str:
    """A z3 string value as a Python str, code point by code point."""
    length = z3.Z3_get_string_length(value.ctx_ref(), value.as_ast())
    codes = (ctypes.c_uint * length)()
    z3.Z3_get_string_contents(value.ctx_ref(), value.as_ast(), length, codes)
    return "".join(map(chr, codes))


def seq_from_model(value: z3.ExprRef, t: ir.SeqType):
    """A z3 sequence value (`Empty`, `Unit(x)` or `Concat` of them) as a str, a list (for
    a list: witnesses are real Python values) or a tuple."""
    if t.elem is None:
        return string_from_model(z3.simplify(value))
    items: list = []
    stack = [value]
    while stack:
        node = stack.pop()
        if z3.is_app_of(node, z3.Z3_OP_SEQ_CONCAT):
            stack.extend(reversed(node.children()))
        elif z3.is_app_of(node, z3.Z3_OP_SEQ_UNIT):
            items.append(from_model(node.arg(0), t.elem))
        elif not z3.is_app_of(node, z3.Z3_OP_SEQ_EMPTY):
            raise ValueError(f"not a sequence value: {node}")
    return items if t.kind == "list" else tuple(items)


def encode_seq(expr: ir.SeqExpr, env: Mapping[str, z3.ExprRef]) -> z3.ExprRef:
    """The z3 term of a sequence node (meaning documented on each node in `ir`)."""
    ctx = _ctx(env)
    if isinstance(expr, ir.StrLit):
        return string_value(expr.value, ctx)
    if isinstance(expr, ir.SeqLit):
        if not expr.items:
            return z3.Empty(seq_sort(expr.type, ctx))
        units = [z3.Unit(encode(item, env)) for item in expr.items]
        return units[0] if len(units) == 1 else z3.Concat(*units)
    if isinstance(expr, ir.SeqLen):
        return z3.Length(encode(expr.seq, env))
    if isinstance(expr, ir.IntToStr):  # z3's str.from_int is "" below 0
        n = encode(expr.operand, env)
        return z3.If(n >= 0, z3.IntToStr(n), z3.Concat(string_value("-", ctx), z3.IntToStr(-n)))
    if isinstance(expr, ir.SeqAt):
        seq, index = encode(expr.seq, env), encode(expr.index, env)
        return z3.SubString(seq, index, 1) if _is_str(expr.seq) else seq[index]
    if isinstance(expr, ir.SeqSlice):
        return _slice(expr, env)
    if isinstance(expr, ir.SeqConcat):
        return z3.Concat(encode(expr.left, env), encode(expr.right, env))
    if isinstance(expr, ir.SeqContains):
        seq, item = encode(expr.seq, env), encode(expr.item, env)
        return z3.Contains(seq, item if _is_str(expr.seq) else z3.Unit(item))
    if isinstance(expr, ir.SeqUpdate):
        seq, index = encode(expr.seq, env), encode(expr.index, env)
        value = z3.Unit(encode(expr.value, env))
        after = z3.SubSeq(seq, index + 1, z3.Length(seq) - index - 1)
        return z3.Concat(z3.SubSeq(seq, 0, index), value, after)
    return encode(expr.left, env) == encode(expr.right, env)


def _is_str(expr: ir.Expr) -> bool:
    return isinstance(expr.type, ir.SeqType) and expr.type.elem is None


def _slice(expr: ir.SeqSlice, env: Mapping[str, z3.ExprRef]) -> z3.ExprRef:
    """`seq[start:stop]`: both bounds clamped into [0, len] as CPython's slice.indices."""
    seq = encode(expr.seq, env)
    length = z3.Length(seq)
    start = z3.IntVal(0, seq.ctx) if expr.start is None else _clamp(encode(expr.start, env), length)
    stop = length if expr.stop is None else _clamp(encode(expr.stop, env), length)
    return z3.SubSeq(seq, start, z3.If(stop > start, stop - start, 0))


def _clamp(bound: z3.ArithRef, length: z3.ArithRef) -> z3.ArithRef:
    """A slice bound: negative counts from the end; then clamped into [0, length]."""
    shifted = z3.If(bound < 0, bound + length, bound)
    return z3.If(shifted < 0, 0, z3.If(shifted > length, length, shifted))


# --------------------------------------------------------------------- Python floats


def float_value(value: float, ctx: z3.Context | None = None) -> z3.FPRef:
    """A Python float as a z3 Float64 literal, bit for bit (-0.0, inf and NaN included)."""
    bits = struct.unpack("<Q", struct.pack("<d", float(value)))[0]
    return z3.fpBVToFP(z3.BitVecVal(bits, 64, ctx), z3.Float64(ctx))


def float_from_model(value: z3.ExprRef) -> float:
    """A z3 Float64 value as a Python float (every NaN is Python's nan)."""
    value = z3.simplify(value)
    if z3.is_true(z3.simplify(z3.fpIsNaN(value))):
        return math.nan
    bits = z3.simplify(z3.fpToIEEEBV(value))
    return struct.unpack("<d", struct.pack("<Q", bits.as_long()))[0]


_RNE = z3.RNE


def encode_float(expr: ir.FloatExpr, env: Mapping[str, z3.ExprRef]) -> z3.ExprRef:
    """The z3 term of a float node (meaning documented on each node in `ir`)."""
    ctx = _ctx(env)
    if isinstance(expr, ir.FloatLit):
        return float_value(expr.value, ctx)
    if isinstance(expr, ir.IntToFloat):
        operand = encode(expr.operand, env)
        if expr.divisor is None:
            return z3.fpRealToFP(_RNE(ctx), z3.ToReal(operand), z3.Float64(ctx))
        divisor = encode(expr.divisor, env)
        quotient = z3.fpRealToFP(_RNE(ctx), z3.ToReal(operand) / z3.ToReal(divisor),
                                 z3.Float64(ctx))  # fmt: skip
        negative_zero = z3.And(operand == 0, divisor < 0)  # CPython: 0 / -1 is -0.0
        return z3.If(negative_zero, z3.fpMinusZero(z3.Float64(ctx)), quotient)
    if isinstance(expr, ir.FloatCmp):
        return _float_compare(expr, encode(expr.left, env), encode(expr.right, env))
    left = encode(expr.left, env)
    if expr.op == "neg":
        return z3.fpNeg(left)
    if expr.op == "abs":
        return z3.fpAbs(left)
    assert expr.right is not None  # the other operators are binary
    right = encode(expr.right, env)
    op = {"add": z3.fpAdd, "sub": z3.fpSub, "mul": z3.fpMul, "div": z3.fpDiv}[expr.op]
    return op(_RNE(ctx), left, right)


def _float_compare(expr: ir.FloatCmp, a: z3.ExprRef, b: z3.ExprRef) -> z3.BoolRef:
    a_float, b_float = isinstance(expr.left.type, ir.FloatType), isinstance(
        expr.right.type, ir.FloatType)  # fmt: skip
    if a_float and b_float:
        fp = {"eq": z3.fpEQ, "ne": z3.fpNEQ, "lt": z3.fpLT, "le": z3.fpLEQ, "gt": z3.fpGT,
              "ge": z3.fpGEQ}[expr.op]  # fmt: skip
        result = fp(a, b)
        return z3.Not(z3.fpEQ(a, b)) if expr.op == "ne" else result
    # A float against an int: exact, as CPython compares them (NaN: only != holds).
    f, n, flipped = (a, b, False) if a_float else (b, a, True)
    op = _FLIP[expr.op] if flipped else expr.op
    exact = _compare(op, z3.fpToReal(f), z3.ToReal(n), ir.INT)
    infinite = {"eq": False, "ne": True, "lt": z3.fpIsNegative(f), "le": z3.fpIsNegative(f),
                "gt": z3.fpIsPositive(f), "ge": z3.fpIsPositive(f)}[op]  # fmt: skip
    nan = op == "ne"
    return z3.If(z3.fpIsNaN(f), z3.BoolVal(nan, f.ctx),
                 z3.If(z3.fpIsInf(f), z3.BoolVal(infinite, f.ctx) if isinstance(infinite, bool)
                       else infinite, exact))  # fmt: skip


_FLIP = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}
