"""The small typed IR every frontend lowers to and every engine reads.

Expressions are pure and total: every operation that can fail in the source language
(division by zero, signed overflow, a bad shift) is preceded by an explicit `Assert`
whose `kind` names the property, so engines need not know which language they check.
Every node carries the `Span` of the source text it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------------------- spans


@dataclass(frozen=True)
class Span:
    """1-based line and column of a node's first and last character in its file."""

    line: int
    column: int
    end_line: int
    end_column: int


NO_SPAN = Span(0, 0, 0, 0)

# ---------------------------------------------------------------------------- types


@dataclass(frozen=True)
class IntType:
    """Mathematical integers (Python's `int`)."""

    def __str__(self) -> str:
        return "int"


@dataclass(frozen=True)
class BoolType:
    """Truth values (conditions; Python's `bool` when it is not used as a number)."""

    def __str__(self) -> str:
        return "bool"


@dataclass(frozen=True)
class BVType:
    """A fixed-width two's complement integer (C's integer types)."""

    width: int
    signed: bool

    def __str__(self) -> str:
        return f"{'i' if self.signed else 'u'}{self.width}"

    @property
    def min(self) -> int:
        return -(1 << (self.width - 1)) if self.signed else 0

    @property
    def max(self) -> int:
        return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1


# Python sequences (str, list, tuple); their expressions: see "Python sequences" below.


@dataclass(frozen=True)
class SeqType:
    """A Python `str` (`elem` None: its items are strs of length 1), `list` or `tuple`
    of `elem` (int, bool, str or float items: immutable, so nested aliasing cannot arise;
    sequences of floats are never compared or searched: Python compares their items by
    identity first, which NaN makes observable)."""

    kind: str  # "str" | "list" | "tuple"
    elem: Type | None = None

    def __str__(self) -> str:
        return "str" if self.kind == "str" else f"{self.kind}[{self.elem}]"

    @property
    def item(self) -> Type:
        """The type of `s[i]`: a str of length 1 for a str."""
        return self if self.elem is None else self.elem


STR = SeqType("str")
INT = IntType()
BOOL = BoolType()

# ---------------------------------------------------------------------- expressions

# Operators of `Binary`. Their exact meaning (shared by the z3 encoding and the
# concrete interpreter) is defined in `semantics.py` and `interpreter.py`.
ARITH_OPS = frozenset(
    {
        "add", "sub", "mul",
        "floordiv", "floormod",  # Python: round toward -inf, remainder has the divisor's sign
        "div", "rem",            # C: truncate toward zero, remainder has the dividend's sign
        "band", "bor", "bxor",
        "shl", "shr",            # shr is arithmetic for signed BV, logical for unsigned
    }
)  # fmt: skip
COMPARE_OPS = frozenset({"eq", "ne", "lt", "le", "gt", "ge"})
BOOL_OPS = frozenset({"and", "or", "implies"})
UNARY_OPS = frozenset({"neg", "not", "bnot"})


@dataclass(frozen=True)
class Const:
    value: int | bool
    type: Type
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Var:
    name: str
    type: Type
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Unary:
    op: str  # one of UNARY_OPS
    operand: Expr
    type: Type
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Binary:
    """`left op right`; arithmetic operands have the result's type, except `shl`/`shr`
    whose right operand may have any integer type; comparisons and boolean operators
    produce `BOOL`. `and`/`or` here are not short-circuit: operands are pure."""

    op: str
    left: Expr
    right: Expr
    type: Type
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Ite:
    cond: Expr
    then: Expr
    orelse: Expr
    type: Type
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Cast:
    """Conversion to `type`: BV->BV truncates or extends (sign-extends a signed source);
    BV/INT->BOOL is `!= 0`; BOOL->BV/INT is 0 or 1; BV->INT is the value; INT->BV wraps."""

    operand: Expr
    type: Type
    span: Span = NO_SPAN




# ------------------------------------------------------------ Python sequences
# `str`, `list` and `tuple` as z3 sequences (strings: z3's String sort). Concretely a
# str is a Python str and a list or tuple is a Python tuple (functional values: a list
# mutation is an `Assign` of a new value; the frontend rejects mutation through aliases).
# Operations that can raise are guarded by an `Assert(kind="exception")`: the nodes
# below are total, and `SeqAt` out of range has an unspecified (never observed) value.




@dataclass(frozen=True)
class StrLit:
    value: str
    type: SeqType = STR
    span: Span = NO_SPAN


@dataclass(frozen=True)
class SeqLit:
    """A list or tuple display `[a, b]` / `(a, b)` of `type`."""

    items: tuple[Expr, ...]
    type: SeqType
    span: Span = NO_SPAN


@dataclass(frozen=True)
class SeqLen:
    seq: Expr
    type: Type = INT
    span: Span = NO_SPAN


@dataclass(frozen=True)
class SeqAt:
    """`seq[index]` for `0 <= index < len(seq)` (the frontend normalises negative indices
    and checks the range first); a str item is a str of length 1."""

    seq: Expr
    index: Expr
    type: Type
    span: Span = NO_SPAN


@dataclass(frozen=True)
class SeqSlice:
    """`seq[start:stop]` (step 1) with Python's clamping: negative bounds count from the
    end, bounds outside [0, len] are clamped, None means the end of that side."""

    seq: Expr
    start: Expr | None
    stop: Expr | None
    type: SeqType
    span: Span = NO_SPAN


@dataclass(frozen=True)
class SeqConcat:
    left: Expr
    right: Expr
    type: SeqType
    span: Span = NO_SPAN


@dataclass(frozen=True)
class SeqContains:
    """`item in seq`: membership for a list or tuple, substring for a str."""

    seq: Expr
    item: Expr
    type: Type = BOOL
    span: Span = NO_SPAN


@dataclass(frozen=True)
class SeqUpdate:
    """`seq` with the item at `index` (in range, checked first) replaced by `value`."""

    seq: Expr
    index: Expr
    value: Expr
    type: SeqType
    span: Span = NO_SPAN


@dataclass(frozen=True)
class SeqEq:
    """`left == right` on two sequences of one type (items compared by value)."""

    left: Expr
    right: Expr
    type: Type = BOOL
    span: Span = NO_SPAN


@dataclass(frozen=True)
class IntToStr:
    """`str(n)` of an int: its decimal digits, `-` first when negative. The frontend first
    checks that n has at most 4300 digits (beyond, CPython's default limit raises)."""

    operand: Expr
    type: SeqType = STR
    span: Span = NO_SPAN


SEQ_NODES = (StrLit, SeqLit, SeqLen, SeqAt, SeqSlice, SeqConcat, SeqContains, SeqUpdate, SeqEq,
             IntToStr)  # fmt: skip
SeqExpr = (StrLit | SeqLit | SeqLen | SeqAt | SeqSlice | SeqConcat | SeqContains | SeqUpdate
           | SeqEq | IntToStr)  # fmt: skip

# ---------------------------------------------------------------- Python floats
# `float` as IEEE-754 binary64 (z3's Float64, round to nearest, ties to even -- what
# CPython's C doubles do). Concretely a Python float. Operations that raise in Python
# (`/` by zero, an int too large to convert) are guarded by an `Assert` first.


@dataclass(frozen=True)
class FloatType:
    def __str__(self) -> str:
        return "float"


FLOAT = FloatType()
FLOAT_OPS = frozenset({"add", "sub", "mul", "div", "neg", "abs"})


@dataclass(frozen=True)
class FloatLit:
    value: float
    type: FloatType = FLOAT
    span: Span = NO_SPAN


@dataclass(frozen=True)
class FloatOp:
    """IEEE `left op right` (`right` None for `neg` and `abs`); `div` needs right != 0."""

    op: str  # one of FLOAT_OPS
    left: Expr
    right: Expr | None
    type: FloatType = FLOAT
    span: Span = NO_SPAN


@dataclass(frozen=True)
class FloatCmp:
    """`left op right` (COMPARE_OPS) where each side is a float or an int, compared by
    exact value as Python does (an int is not rounded first); NaN compares unequal."""

    op: str
    left: Expr
    right: Expr
    type: Type = BOOL
    span: Span = NO_SPAN


@dataclass(frozen=True)
class IntToFloat:
    """`float(n)` (or, `divisor` given, the int true division `n / divisor`), correctly
    rounded from the exact value; the frontend first checks that it is below 2**1024 -
    2**970 in magnitude (beyond, Python raises OverflowError) and the divisor nonzero."""

    operand: Expr
    type: FloatType = FLOAT
    span: Span = NO_SPAN
    divisor: Expr | None = None


FLOAT_NODES = (FloatLit, FloatOp, FloatCmp, IntToFloat)
FloatExpr = FloatLit | FloatOp | FloatCmp | IntToFloat


def float_children(expr: FloatExpr) -> tuple[Expr, ...]:
    """The operands of a float node."""
    if isinstance(expr, FloatLit):
        return ()
    if isinstance(expr, IntToFloat):
        return (expr.operand,) if expr.divisor is None else (expr.operand, expr.divisor)
    if isinstance(expr, FloatOp):
        return (expr.left,) if expr.right is None else (expr.left, expr.right)
    return (expr.left, expr.right)


def seq_children(expr: SeqExpr) -> tuple[Expr, ...]:
    """The operands of a sequence node."""
    if isinstance(expr, StrLit):
        return ()
    if isinstance(expr, SeqLit):
        return expr.items
    if isinstance(expr, SeqLen):
        return (expr.seq,)
    if isinstance(expr, IntToStr):
        return (expr.operand,)
    if isinstance(expr, SeqAt):
        return (expr.seq, expr.index)
    if isinstance(expr, SeqSlice):
        return tuple(e for e in (expr.seq, expr.start, expr.stop) if e is not None)
    if isinstance(expr, SeqContains):
        return (expr.seq, expr.item)
    if isinstance(expr, SeqUpdate):
        return (expr.seq, expr.index, expr.value)
    return (expr.left, expr.right)

# ----------------------------------------------------------------------- statements


@dataclass(frozen=True)
class Assign:
    target: str
    value: Expr
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Havoc:
    """`target` takes any value of its type (C's `__VERIFIER_nondet_*()`)."""

    target: str
    type: Type
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Assume:
    """Executions where `cond` is false are not considered (preconditions)."""

    cond: Expr
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Assert:
    """A checked property. `kind` is the property name of the JSON report
    (`assertion`, `division-by-zero`, `signed-overflow`, ...)."""

    cond: Expr
    kind: str
    message: str
    span: Span = NO_SPAN
    # The checked operation's operator and operands (C's `a * b`): a refutation's message
    # shows their values ("46341 * 46341 = 2147488281").
    operation: str = ""
    operands: tuple[Expr, ...] = ()
    # Fails only at inputs no real program meets (Python: an int of over 4,300 digits
    # turned into text): a refutation is a hint, not a defect.
    extreme: bool = False


@dataclass(frozen=True)
class If:
    cond: Expr
    then: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Loop:
    """`while cond: body` (test_first) or `do body while cond` (not test_first).

    `update` runs after the body and after `continue` (C's `for` step, Python's
    `range` increment). `loop_id` is unique within a function; `span` is the keyword."""

    cond: Expr
    body: tuple[Stmt, ...]
    update: tuple[Stmt, ...]
    loop_id: int
    keyword: str  # "while" | "for" | "do"
    test_first: bool = True
    span: Span = NO_SPAN
    # The statement's last source line (0: not known): a `pass` body has no IR statement
    # to tell where the loop ends.
    last_line: int = 0


@dataclass(frozen=True)
class Break:
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Continue:
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Return:
    value: Expr | None
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Inline:
    """An inlined call `target = callee(args)`: `body` runs in a fresh frame (its
    variables are already renamed apart by the frontend) and a `Return` inside it
    ends this block, assigning `target` (if any). `depth_exceeded` marks a call
    beyond the inlining bound: its body is empty and the engines treat reaching it
    like an unfinished loop unwinding (bounded, never proved)."""

    target: str | None
    callee: str
    body: tuple[Stmt, ...]
    span: Span = NO_SPAN
    depth_exceeded: bool = False


Stmt = Assign | Havoc | Assume | Assert | If | Loop | Break | Continue | Return | Inline

# ------------------------------------------------------------------------ functions


@dataclass(frozen=True)
class Param:
    name: str
    type: Type
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Function:
    """One unit. `variables` maps every variable (params, locals, temporaries and
    renamed inlined variables) to its type; locals start with an unknown value
    unless the body assigns them first. `display` maps a variable to its source name."""

    name: str
    params: tuple[Param, ...]
    return_type: Type | None
    body: tuple[Stmt, ...]
    variables: dict[str, Type] = field(hash=False, compare=False)
    span: Span = NO_SPAN
    language: str = "python"
    display: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    # True when every `return` gives a truth value: the `always-true` property applies.
    returns_bool: bool = False
    # What the frontend assumed of the inputs beyond their plain types (Python: "self.x:
    # int, a data attribute"); every result of the unit holds under these.
    assumptions: tuple[str, ...] = ()
    # Python: the module-level constants the unit reads, with their values (replay defines
    # them: it runs the unit without the rest of its module).
    module_values: tuple[tuple[str, object], ...] = field(default=(), hash=False, compare=False)


@dataclass(frozen=True)
class Unsupported:
    """A unit the frontend cannot lower: an expected outcome, not an error."""

    construct: str
    line: int
    column: int = 1

    @property
    def reason(self) -> str:
        return f"unsupported {self.construct} at line {self.line}"


# ------------------------------------------------------------------------- helpers


def walk_stmts(body: tuple[Stmt, ...]):
    """Every statement in `body`, nested ones included, in source order."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, If):
            yield from walk_stmts(stmt.then)
            yield from walk_stmts(stmt.orelse)
        elif isinstance(stmt, Loop):
            yield from walk_stmts(stmt.body)
            yield from walk_stmts(stmt.update)
        elif isinstance(stmt, Inline):
            yield from walk_stmts(stmt.body)


def expr_vars(expr: Expr) -> set[str]:
    """Names of the variables `expr` reads."""
    if isinstance(expr, Var):
        return {expr.name}
    if isinstance(expr, Const):
        return set()
    if isinstance(expr, Unary | Cast):
        return expr_vars(expr.operand)
    if isinstance(expr, MEM_NODES):  # C memory
        return set().union(*(expr_vars(e) for e in mem_children(expr)))
    if isinstance(expr, Binary):
        return expr_vars(expr.left) | expr_vars(expr.right)
    if isinstance(expr, SEQ_NODES):
        return set().union(*(expr_vars(e) for e in seq_children(expr)))
    if isinstance(expr, FLOAT_NODES):
        return set().union(*(expr_vars(e) for e in float_children(expr)))
    return expr_vars(expr.cond) | expr_vars(expr.then) | expr_vars(expr.orelse)


def assigned_vars(body: tuple[Stmt, ...]) -> set[str]:
    """Names of the variables `body` may write."""
    names: set[str] = set()
    for stmt in walk_stmts(body):
        target = stmt.target if isinstance(stmt, Assign | Havoc | Inline) else None
        if target is not None:
            names.add(target)
    return names


# -------------------------------------------------------------------- C memory
# A C object's contents as a z3 array from element offsets (u64) to element values; an
# array write is an `Assign` of a `Store` (functional update). Offsets and lengths are
# unsigned 64-bit: a negative index wraps to a huge offset, so `off < len` alone is the
# bounds check. Reading outside the object gives an unspecified (never observed) value:
# every access is preceded by its bounds check.

OFFSET = BVType(64, False)


@dataclass(frozen=True)
class ArrayType:
    """The contents of one C object whose elements have type `elem`."""

    elem: Type

    def __str__(self) -> str:
        return f"{self.elem}[]"


class ArrayValue(tuple):
    """A concrete array: `(default, ((offset, value), ...))` -- every offset not listed
    holds `default`. A tuple, so witnesses stay JSON data."""

    def __new__(cls, default: int | bool, items: tuple = ()) -> ArrayValue:
        return super().__new__(cls, (default, tuple(sorted(dict(items).items()))))

    @property
    def default(self) -> int | bool:
        return self[0]

    def get(self, offset: int) -> int | bool:
        return dict(self[1]).get(offset, self[0])

    def set(self, offset: int, value: int | bool) -> ArrayValue:
        items = dict(self[1])
        items[offset] = value
        return ArrayValue(self[0], tuple(items.items()))

    def __repr__(self) -> str:
        shown = [f"[{k}]={v}" for k, v in self[1][:6]] + (["..."] if len(self[1]) > 6 else [])
        rest = f"[*]={self[0]}" if self[0] else ""
        return "{" + ", ".join(shown + ([rest] if rest else [])) + "}"

    def prefix(self, length: int) -> list[int | bool]:
        """The values at offsets 0..length-1."""
        items = dict(self[1])
        return [items.get(k, self[0]) for k in range(length)]


@dataclass(frozen=True)
class Select:
    """`array[index]` (the element at offset `index`, a u64)."""

    array: Expr
    index: Expr
    type: Type
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Store:
    """`array` with the element at offset `index` replaced by `value`."""

    array: Expr
    index: Expr
    value: Expr
    type: ArrayType
    span: Span = NO_SPAN


@dataclass(frozen=True)
class ArrayInit:
    """An array whose every element is `value` (a `Const`: C's `= {0}` and statics)."""

    value: Expr
    type: ArrayType
    span: Span = NO_SPAN


MEM_NODES = (Select, Store, ArrayInit)
MemExpr = Select | Store | ArrayInit

# ------------------------------------------------------------- the unions
# Every type and every expression node, defined once all nodes exist (annotations above
# name them lazily).

Type = IntType | BoolType | BVType | SeqType | FloatType | ArrayType
Expr = Const | Var | Unary | Binary | Ite | Cast | SeqExpr | FloatExpr | MemExpr

# A concrete value of an IR type (what the interpreter computes and a witness holds): an
# int or a bool (IntType, BoolType, BVType), a float, a str, a tuple (a list or tuple; a C
# array's `ArrayValue`).
Value = int | bool | float | str | tuple


def mem_children(expr: MemExpr) -> tuple[Expr, ...]:
    """The operands of a memory node."""
    if isinstance(expr, Select):
        return (expr.array, expr.index)
    if isinstance(expr, Store):
        return (expr.array, expr.index, expr.value)
    return (expr.value,)
