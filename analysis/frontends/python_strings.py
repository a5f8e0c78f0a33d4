"""Strings built from values in the Python frontend: `str(x)`, f-strings and `'...' % values`,
exactly as CPython builds them, for the values whose text z3's sequences express:

- an int: its decimal digits (`ir.IntToStr`), after the check that it has at most 4300
  digits (CPython's default limit on int-to-str conversion: ValueError beyond); only an
  int that is certainly no bool (the frontend casts truth values it mixes with ints to
  INT, which keeps every int-level result but not the text: `lowerer.certainly_int`);
- a bool: `True`/`False` (`1`/`0` under `%d`/`%i`/`%u`);
- a str: itself under `str()`, `{s}`, `{s!s}`, `%s` (its `repr` is not modelled).

f-strings: no format specs; conversions `!s`, `!r`, `!a` as above. `%` formatting: a constant
template with `%s %r %a %d %i %u` and `%%`, an optional `-` flag and a width up to
`MAX_WIDTH` (padding with spaces), a precision only on `%s` (truncation); the values a tuple
display with exactly one per specifier, or one value that is not a tuple. Floats, other
conversions, `*` widths and mapping keys are unsupported, with the construct named.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from prooflens.analysis import ir
from prooflens.analysis.frontends import python_seq as seq
from prooflens.analysis.frontends.python_base import Unsupported, pos

DIGITS_LIMIT = 4300  # sys.int_info.default_max_str_digits
MAX_WIDTH = 16
DIGITS_MESSAGE = ("ValueError: Exceeds the limit (4300 digits) for integer string "
                  "conversion")  # fmt: skip
_SPEC = re.compile(r"%(?P<key>\([^)]*\))?(?P<flags>[-#0 +]*)(?P<width>\*|\d+)?"
                   r"(?:\.(?P<precision>\*|\d+))?(?P<conv>.?)", re.S)  # fmt: skip


def digits_bound(span: ir.Span) -> ir.Expr:
    """10**4300, the least int magnitude whose text is too long, as a product of two
    constants (neither too long to print, so the IR stays printable)."""
    half = ir.Const(10 ** (DIGITS_LIMIT // 2), ir.INT, span)
    return ir.Binary("mul", half, half, ir.INT, span)


def _str(value: str, span: ir.Span) -> ir.StrLit:
    return seq.string_literal(value, span)


def to_str(lowerer: Any, frame: Any, value: ir.Expr, conv: str, guard: ir.Expr | None,
           span: ir.Span) -> ir.Expr:  # fmt: skip
    """The text of `value` under conversion `conv` (`s`, `r`, `a`, or `d` for %d/%i/%u)."""
    t = value.type
    if t == ir.BOOL:
        texts = ("1", "0") if conv == "d" else ("True", "False")
        return ir.Ite(value, _str(texts[0], span), _str(texts[1], span), ir.STR, span)
    if t == ir.INT:
        if not lowerer.certainly_int(value):  # a bool cast to INT: its text is True/False
            raise Unsupported("text of an int value that may be a bool", span.line,
                              span.column)  # fmt: skip
        lowerer.texted.update(ir.expr_vars(value))
        if isinstance(value, ir.Const) and abs(int(value.value)) < 10**DIGITS_LIMIT:
            return _str(str(int(value.value)), span)
        value = lowerer.atom(value)
        negative = ir.Binary("lt", value, ir.Const(0, ir.INT, span), ir.BOOL, span)
        magnitude = ir.Ite(negative, ir.Unary("neg", value, ir.INT, span), value, ir.INT, span)
        fits = ir.Binary("lt", magnitude, digits_bound(span), ir.BOOL, span)
        lowerer.check(frame, fits, "exception", DIGITS_MESSAGE, span, guard, extreme=True)
        return ir.IntToStr(value, ir.STR, span)
    if t == ir.STR and conv == "s":
        return value
    what = "repr of a str" if t == ir.STR else f"text of a {t} value"
    if t == ir.STR and conv == "d":
        what = "%d of a str (TypeError)"
    raise Unsupported(what, span.line, span.column)


def fstring(lowerer: Any, frame: Any, node: ast.JoinedStr, guard: ir.Expr | None,
            span: ir.Span) -> ir.Expr:  # fmt: skip
    """An f-string: its parts, each value evaluated and formatted in turn, concatenated."""
    parts: list[ir.Expr] = []
    for part in node.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            parts.append(lowerer.expr(frame, part, guard))
            continue
        assert isinstance(part, ast.FormattedValue)
        if part.format_spec is not None:
            raise Unsupported("format spec in an f-string", *pos(frame.source, part))
        value = lowerer.expr(frame, part.value, guard)
        conv = {-1: "s", 115: "s", 114: "r", 97: "a"}[part.conversion]
        parts.append(to_str(lowerer, frame, value, conv, guard, value.span))
    return _concat(parts, span)


def percent(lowerer: Any, frame: Any, template: str, right: ast.expr, guard: ir.Expr | None,
            span: ir.Span) -> ir.Expr:  # fmt: skip
    """`template % right` for a constant template (see the module docstring)."""
    source = frame.source
    pieces: list[str | tuple[str, int | None, bool, int | None]] = []
    index = 0
    for match in _SPEC.finditer(template):
        pieces.append(template[index : match.start()])
        index = match.end()
        conv, flags = match.group("conv"), match.group("flags")
        width, precision = match.group("width"), match.group("precision")
        if match.group(0) == "%%":
            pieces.append("%")
            continue
        if match.group("key") is not None or "*" in (width or "") + (precision or ""):
            raise Unsupported("'%' formatting with a mapping key or a * width", span.line,
                              span.column)  # fmt: skip
        if conv not in ("s", "r", "a", "d", "i", "u") or flags not in ("", "-"):
            raise Unsupported(f"'%' format %{flags}{conv}", span.line, span.column)
        if precision is not None and conv != "s":
            raise Unsupported(f"'%' format with a precision on %{conv}", span.line, span.column)
        if width is not None and int(width) > MAX_WIDTH:
            raise Unsupported(f"'%' format with a width above {MAX_WIDTH}", span.line,
                              span.column)  # fmt: skip
        kind = "d" if conv in "diu" else conv
        pieces.append((kind, int(width) if width else None, flags == "-",
                       int(precision) if precision is not None else None))  # fmt: skip
    pieces.append(template[index:])
    specs = [p for p in pieces if isinstance(p, tuple)]
    items = right.elts if isinstance(right, ast.Tuple) else [right]
    if any(isinstance(i, ast.Starred) for i in items) or len(items) != len(specs):
        raise Unsupported("'%' formatting whose values do not match its specifiers",
                          *pos(source, right))  # fmt: skip
    values = [lowerer.atom(lowerer.expr(frame, item, guard)) for item in items]
    if not isinstance(right, ast.Tuple) and isinstance(values[0].type, ir.SeqType) \
            and values[0].type.kind == "tuple":
        raise Unsupported("'%' formatting of a tuple value", *pos(source, right))
    parts: list[ir.Expr] = []
    it = iter(values)
    for piece in pieces:
        if isinstance(piece, str):
            if piece:
                parts.append(_str(piece, span))
            continue
        conv, width, left, precision = piece
        text = to_str(lowerer, frame, next(it), conv, guard, span)
        if precision is not None:
            text = ir.SeqSlice(text, None, ir.Const(precision, ir.INT, span), ir.STR, span)
        if width is not None:
            text = _pad(lowerer, text, width, left, span)
        parts.append(text)
    return _concat(parts, span)


def _pad(lowerer: Any, text: ir.Expr, width: int, left: bool, span: ir.Span) -> ir.Expr:
    """`text` padded with spaces to `width` (right-aligned; `left`: left-aligned)."""
    text = lowerer.atom(text)
    length = lowerer.atom(ir.SeqLen(text, ir.INT, span))
    result: ir.Expr = text
    for k in range(width - 1, -1, -1):  # len(text) == k < width: width - k spaces
        spaces = _str(" " * (width - k), span)
        padded = ir.SeqConcat(text, spaces, ir.STR, span) if left else \
            ir.SeqConcat(spaces, text, ir.STR, span)
        same = ir.Binary("eq", length, ir.Const(k, ir.INT, span), ir.BOOL, span)
        result = ir.Ite(same, padded, result, ir.STR, span)
    return result


def _concat(parts: list[ir.Expr], span: ir.Span) -> ir.Expr:
    if not parts:
        return _str("", span)
    result = parts[0]
    for part in parts[1:]:
        result = ir.SeqConcat(result, part, ir.STR, span)
    return result
