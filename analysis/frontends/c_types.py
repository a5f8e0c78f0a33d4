"""C integer types as gcc sees them on x86-64 Linux (LP64): widths, ranks, promotions,
the usual arithmetic conversions, conversions between types and integer literals."""

from __future__ import annotations

from dataclasses import dataclass

from prooflens.analysis import ir


@dataclass(frozen=True)
class CType:
    """An integer type: `rank` orders conversions (C11 6.3.1.1); `_Bool` has width 1."""

    name: str
    rank: int
    width: int
    signed: bool

    @property
    def is_bool(self) -> bool:
        return self.rank == 0

    @property
    def ir(self) -> ir.Type:
        return ir.BOOL if self.is_bool else ir.BVType(self.width, self.signed)

    @property
    def min(self) -> int:
        return -(1 << (self.width - 1)) if self.signed else 0

    @property
    def max(self) -> int:
        if self.is_bool:
            return 1
        return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1


BOOL = CType("_Bool", 0, 1, False)
CHAR = CType("char", 1, 8, True)  # gcc on x86-64: plain char is signed
SCHAR = CType("signed char", 1, 8, True)
UCHAR = CType("unsigned char", 1, 8, False)
SHORT = CType("short", 2, 16, True)
USHORT = CType("unsigned short", 2, 16, False)
INT = CType("int", 3, 32, True)
UINT = CType("unsigned int", 3, 32, False)
LONG = CType("long", 4, 64, True)
ULONG = CType("unsigned long", 4, 64, False)
LLONG = CType("long long", 5, 64, True)
ULLONG = CType("unsigned long long", 5, 64, False)
SIZE_T = ULONG

_UNSIGNED_OF = {CHAR: UCHAR, SCHAR: UCHAR, SHORT: USHORT, INT: UINT, LONG: ULONG, LLONG: ULLONG}

# Built-in typedef names that need no header (gcc's own, and what SV-COMP files assume).
BUILTIN_TYPEDEFS: dict[str, CType] = {
    "int8_t": SCHAR, "int16_t": SHORT, "int32_t": INT, "int64_t": LONG,
    "uint8_t": UCHAR, "uint16_t": USHORT, "uint32_t": UINT, "uint64_t": ULONG,
    "size_t": SIZE_T, "ssize_t": LONG, "ptrdiff_t": LONG, "intptr_t": LONG,
    "uintptr_t": ULONG, "intmax_t": LONG, "uintmax_t": ULONG, "bool": BOOL,
}  # fmt: skip


def from_specifiers(names: list[str]) -> CType | None:
    """The type named by the specifier words of pycparser's `IdentifierType`, or None."""
    words = sorted(names)
    signed = "unsigned" not in words
    rest = [w for w in words if w not in ("signed", "unsigned", "int")]
    if rest == ["_Bool"] and len(words) == 1:
        return BOOL
    if rest == ["char"]:
        if "signed" in words:
            return SCHAR
        return CHAR if signed else UCHAR
    if "char" in rest or "_Bool" in rest:
        return None
    table = {(): INT, ("short",): SHORT, ("long",): LONG, ("long", "long"): LLONG}
    base = table.get(tuple(rest))
    if base is None:
        return None
    return base if signed else _UNSIGNED_OF[base]


def promote(t: CType) -> CType:
    """Integer promotion: every type of rank below `int` becomes `int` (all fit)."""
    return INT if t.rank < INT.rank else t


def usual(a: CType, b: CType) -> CType:
    """The common type of the usual arithmetic conversions (C11 6.3.1.8), after promotion."""
    a, b = promote(a), promote(b)
    if a == b:
        return a
    if a.signed == b.signed:
        return a if a.rank >= b.rank else b
    uns, sig = (a, b) if not a.signed else (b, a)
    if uns.rank >= sig.rank:
        return uns
    if sig.width > uns.width:
        return sig
    return _UNSIGNED_OF[sig]


def convert(expr: ir.Expr, to: CType) -> ir.Expr:
    """`expr` (of IR type BOOL or a BV) converted to `to` as C converts on assignment:
    to `_Bool` is `!= 0`, to a narrower type wraps (gcc's choice for signed targets)."""
    target = to.ir
    if expr_type(expr) == target:
        return expr
    if isinstance(expr, ir.Const) and not isinstance(expr.type, ir.BoolType):
        return const(wrap(int(expr.value), to), to)
    return ir.Cast(expr, target, getattr(expr, "span", ir.NO_SPAN))


def expr_type(expr: ir.Expr) -> ir.Type:
    return expr.type


def wrap(value: int, t: CType) -> int:
    """`value` reduced into the range of `t` (two's complement; `_Bool` is `!= 0`)."""
    if t.is_bool:
        return 1 if value != 0 else 0
    value &= (1 << t.width) - 1
    if t.signed and value >= 1 << (t.width - 1):
        value -= 1 << t.width
    return value


def const(value: int, t: CType, span: ir.Span = ir.NO_SPAN) -> ir.Const:
    if t.is_bool:
        return ir.Const(value != 0, ir.BOOL, span)
    return ir.Const(value, t.ir, span)


def wide(t: CType) -> ir.BVType:
    """A signed type twice as wide as `t`: exact results of + - * on two `t` values."""
    return ir.BVType(2 * t.width, True)


# ---------------------------------------------------------------------------- literals


def integer_literal(text: str) -> tuple[int, CType] | None:
    """Value and type of an integer constant (C11 6.4.4.1), or None when it is not one."""
    body = text.lower()
    suffix = ""
    while body and body[-1] in "ul":
        suffix = body[-1] + suffix
        body = body[:-1]
    try:
        if body.startswith("0x"):
            value, decimal = int(body[2:], 16), False
        elif body.startswith("0b"):
            value, decimal = int(body[2:], 2), False
        elif body.startswith("0") and len(body) > 1:
            value, decimal = int(body[1:], 8), False
        else:
            value, decimal = int(body, 10), True
    except ValueError:
        return None
    unsigned = "u" in suffix
    longs = suffix.count("l")
    candidates = _literal_candidates(decimal, unsigned, longs)
    for t in candidates:
        if value <= t.max:
            return value, t
    return None


def _literal_candidates(decimal: bool, unsigned: bool, longs: int) -> list[CType]:
    order = [INT, LONG, LLONG][min(longs, 2) :]
    if unsigned:
        return [_UNSIGNED_OF[t] for t in order]
    if decimal:
        return order
    return [t2 for t in order for t2 in (t, _UNSIGNED_OF[t])]


_ESCAPES = {"n": 10, "t": 9, "r": 13, "0": 0, "\\": 92, "'": 39, '"': 34, "a": 7, "b": 8,
            "f": 12, "v": 11, "?": 63}  # fmt: skip


def char_literal(text: str) -> int | None:
    """The `int` value of a plain character constant like `'a'` or `'\\n'` (char is signed)."""
    if len(text) < 3 or text[0] != "'" or text[-1] != "'":
        return None
    body = text[1:-1]
    if len(body) == 1:
        value = ord(body)
    elif body.startswith("\\x"):
        value = int(body[2:], 16)
    elif body.startswith("\\") and body[1:].isdigit():
        value = int(body[1:], 8)
    elif body.startswith("\\") and len(body) == 2 and body[1] in _ESCAPES:
        value = _ESCAPES[body[1]]
    else:
        return None
    if value > 255:
        return None
    return wrap(value, CHAR)
