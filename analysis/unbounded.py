"""C's signed arithmetic as mathematical integers: the semantics termination is proved in.

A C loop "terminates" only if it stops without help from undefined behaviour. Signed
overflow is undefined, so a loop that ends only because `x + y` wrapped to a negative
value does not terminate. `lift` rewrites a function so that every signed bit-vector
value becomes an unbounded `int` (`add`, `sub`, `mul`, `neg`, `div`, `rem` and the
comparisons are the mathematical ones), while everything C defines on bits stays exact:
unsigned arithmetic keeps wrapping, and bitwise operators, shifts and narrowing
conversions of signed values go through their bit-vector type and back. On every value a
real run can hold (no overflow yet) the lifted function computes what C computes, so each
real run without undefined behaviour is a run of the lifted function.

Signed variables start (and nondeterministic values arrive) inside their C range.
"""

from __future__ import annotations

from dataclasses import replace

from prooflens.analysis import ir

_MATH_OPS = frozenset({"add", "sub", "mul", "div", "rem"})


def needs_lifting(fn: ir.Function) -> bool:
    """True when some variable or expression of `fn` has a signed bit-vector type."""
    return any(_signed(t) for t in fn.variables.values()) or any(
        _signed(p.type) for p in fn.params
    )


def lift(fn: ir.Function) -> ir.Function:
    """`fn` with signed bit-vector arithmetic replaced by mathematical integers."""
    variables = {name: _type(t) for name, t in fn.variables.items()}
    ranges = tuple(
        _in_range(name, t, fn.span) for name, t in fn.variables.items() if _signed(t)
    )
    params = tuple(replace(p, type=_type(p.type)) for p in fn.params)
    body = ranges + _body(fn.body, fn.variables)
    return_type = None if fn.return_type is None else _type(fn.return_type)
    return replace(fn, params=params, body=body, variables=variables, return_type=return_type)


def _signed(t: ir.Type) -> bool:
    return isinstance(t, ir.BVType) and t.signed


def _type(t: ir.Type) -> ir.Type:
    return ir.INT if _signed(t) else t


def _in_range(name: str, t: ir.Type, span: ir.Span) -> ir.Assume:
    """`MIN <= name <= MAX` of the variable's C type."""
    assert isinstance(t, ir.BVType)
    var = ir.Var(name, ir.INT, span)
    low = ir.Binary("ge", var, ir.Const(t.min, ir.INT, span), ir.BOOL, span)
    high = ir.Binary("le", var, ir.Const(t.max, ir.INT, span), ir.BOOL, span)
    return ir.Assume(ir.Binary("and", low, high, ir.BOOL, span), span)


# ------------------------------------------------------------------------- statements


def _body(body: tuple[ir.Stmt, ...], types: dict[str, ir.Type]) -> tuple[ir.Stmt, ...]:
    out: list[ir.Stmt] = []
    for stmt in body:
        out.extend(_stmt(stmt, types))
    return tuple(out)


def _stmt(stmt: ir.Stmt, types: dict[str, ir.Type]) -> list[ir.Stmt]:
    if isinstance(stmt, ir.Assign):
        return [replace(stmt, value=_expr(stmt.value))]
    if isinstance(stmt, ir.Havoc):
        if not _signed(stmt.type):
            return [stmt]
        return [replace(stmt, type=ir.INT), _in_range(stmt.target, stmt.type, stmt.span)]
    if isinstance(stmt, ir.Assume | ir.Assert):
        return [replace(stmt, cond=_expr(stmt.cond))]
    if isinstance(stmt, ir.If):
        return [replace(stmt, cond=_expr(stmt.cond), then=_body(stmt.then, types),
                        orelse=_body(stmt.orelse, types))]  # fmt: skip
    if isinstance(stmt, ir.Loop):
        return [replace(stmt, cond=_expr(stmt.cond), body=_body(stmt.body, types),
                        update=_body(stmt.update, types))]  # fmt: skip
    if isinstance(stmt, ir.Return):
        return [stmt if stmt.value is None else replace(stmt, value=_expr(stmt.value))]
    if isinstance(stmt, ir.Inline):
        return [replace(stmt, body=_body(stmt.body, types))]
    return [stmt]


# ------------------------------------------------------------------------ expressions


def _expr(expr: ir.Expr) -> ir.Expr:
    if isinstance(expr, ir.MEM_NODES):  # C memory
        return _mem(expr)
    if isinstance(expr, ir.Const):
        return _const(expr)
    if isinstance(expr, ir.Var):
        return replace(expr, type=_type(expr.type))
    if isinstance(expr, ir.Unary):
        return _unary(expr)
    if isinstance(expr, ir.Binary):
        return _binary(expr)
    if isinstance(expr, ir.Ite):
        return ir.Ite(_expr(expr.cond), _expr(expr.then), _expr(expr.orelse), _type(expr.type),
                      expr.span)  # fmt: skip
    assert isinstance(expr, ir.Cast), expr  # C's IR has no sequence or float nodes
    return _cast(expr)


def _mem(expr: ir.MemExpr) -> ir.Expr:
    """C memory: contents keep their C element type (stored values go back to their
    bits, a signed element read is lifted); offsets are unsigned, so unchanged."""
    if isinstance(expr, ir.Select):
        read = replace(expr, array=_expr(expr.array), index=_expr(expr.index))
        return ir.Cast(read, ir.INT, expr.span) if _signed(expr.type) else read
    elem = expr.type.elem
    value = _expr(expr.value)
    if _signed(elem):
        assert isinstance(elem, ir.BVType)
        value = _to_bits(value, elem)
    if isinstance(expr, ir.ArrayInit):
        return replace(expr, value=value)
    return replace(expr, array=_expr(expr.array), index=_expr(expr.index), value=value)


def _const(expr: ir.Const) -> ir.Const:
    t = expr.type
    if not _signed(t) or isinstance(expr.value, bool):
        return expr
    assert isinstance(t, ir.BVType)
    value = int(expr.value) % (1 << t.width)
    if value > t.max:
        value -= 1 << t.width
    return ir.Const(value, ir.INT, expr.span)


def _unary(expr: ir.Unary) -> ir.Expr:
    operand = _expr(expr.operand)
    if not _signed(expr.type):
        return replace(expr, operand=operand)
    if expr.op == "neg":
        return ir.Unary("neg", operand, ir.INT, expr.span)
    if expr.op == "bnot":  # two's complement: ~x == -x - 1, exactly
        negated = ir.Unary("neg", operand, ir.INT, expr.span)
        return ir.Binary("sub", negated, ir.Const(1, ir.INT, expr.span), ir.INT, expr.span)
    return replace(expr, operand=operand)


def _binary(expr: ir.Binary) -> ir.Expr:
    left, right = _expr(expr.left), _expr(expr.right)
    operand_type = expr.left.type
    if expr.op in ("shl", "shr"):
        right = _as_count(right, expr.right.type, operand_type)
    if not _signed(operand_type):
        return ir.Binary(expr.op, left, right, _type(expr.type), expr.span)
    if expr.op in _MATH_OPS or expr.op in ir.COMPARE_OPS:
        return ir.Binary(expr.op, left, right, _type(expr.type), expr.span)
    # Bitwise operators and shifts of signed values: computed on the C type's bits.
    assert isinstance(operand_type, ir.BVType)
    bits = ir.Binary(expr.op, _to_bits(left, operand_type), right if expr.op in ("shl", "shr")
                     else _to_bits(right, operand_type), operand_type, expr.span)  # fmt: skip
    return ir.Cast(bits, ir.INT, expr.span)


def _as_count(count: ir.Expr, original: ir.Type, shifted: ir.Type) -> ir.Expr:
    """A lifted signed shift count back on bits (BV shifts take a BV count)."""
    if not _signed(original):
        return count
    assert isinstance(original, ir.BVType)
    return _to_bits(count, original)


def _to_bits(value: ir.Expr, t: ir.BVType) -> ir.Expr:
    """A lifted signed value as the bits of its C type (`Cast` INT -> BV wraps)."""
    if value.type == t:
        return value
    return ir.Cast(value, t, value.span)


def _cast(expr: ir.Cast) -> ir.Expr:
    source, target = expr.operand.type, expr.type
    operand = _expr(expr.operand)
    if not _signed(target):
        # To unsigned or bool: INT -> BV wraps modulo 2^w, as C's conversion does.
        return ir.Cast(operand, target, expr.span) if operand.type != target else operand
    assert isinstance(target, ir.BVType)
    widening = (
        isinstance(source, ir.BVType) and source.signed and source.width <= target.width
    ) or isinstance(source, ir.BoolType)
    if widening:  # the value is kept exactly
        return operand if operand.type == ir.INT else ir.Cast(operand, ir.INT, expr.span)
    # Narrowing, or unsigned to signed: through the target's bits (gcc's modular rule).
    return ir.Cast(ir.Cast(operand, target, expr.span), ir.INT, expr.span)
