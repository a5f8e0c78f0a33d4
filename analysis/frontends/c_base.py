"""Shared pieces of the C lowering: the `CVal` of a lowered expression, variables,
frames, the `Unsup` signal and small IR-building helpers."""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pycparser import c_ast

from prooflens.analysis import ir
from prooflens.analysis.frontends import c_types as ct

if TYPE_CHECKING:
    from prooflens.analysis.interpreter import Value

GLOBAL_PREFIX = "global:"
MAX_ARRAY = 64

NONDET_TYPES: dict[str, ct.CType] = {
    "int": ct.INT, "uint": ct.UINT, "unsigned": ct.UINT, "unsigned_int": ct.UINT,
    "char": ct.CHAR, "schar": ct.SCHAR, "uchar": ct.UCHAR, "short": ct.SHORT,
    "ushort": ct.USHORT, "long": ct.LONG, "ulong": ct.ULONG, "longlong": ct.LLONG,
    "ulonglong": ct.ULLONG, "bool": ct.BOOL, "_Bool": ct.BOOL, "size_t": ct.SIZE_T,
    "u8": ct.UCHAR, "u16": ct.USHORT, "u32": ct.UINT, "u64": ct.ULONG, "s8": ct.SCHAR,
    "s16": ct.SHORT, "s32": ct.INT, "s64": ct.LONG, "loff_t": ct.LONG, "sector_t": ct.ULONG,
}  # fmt: skip

_ARITH = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "rem", "&": "band",
          "|": "bor", "^": "bxor", "<<": "shl", ">>": "shr"}  # fmt: skip
_COMPARE = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_LOGICAL_OPS = frozenset({"&&", "||", "!", *_COMPARE})

_NODE_NAMES = {
    "StructRef": "struct member access", "Struct": "struct", "Union": "union",
    "PtrDecl": "pointer", "Goto": "goto", "FuncDecl": "function declaration in a function",
    "CompoundLiteral": "compound literal", "InitList": "initializer list", "Enum": "enum",
    "Typedef": "typedef inside a function", "EllipsisParam": "varargs",
    "NamedInitializer": "designated initializer", "StaticAssert": "_Static_assert",
    "Alignas": "_Alignas",
}  # fmt: skip


class Unsup(Exception):
    """Raised inside the lowering; `lower` turns it into `ir.Unsupported`."""

    def __init__(self, construct: str, node: Any = None, line: int = 0, column: int = 1):
        super().__init__(construct)
        coord = getattr(node, "coord", None)
        self.construct = construct
        self.line = coord.line if coord is not None and coord.line else line
        self.column = coord.column if coord is not None and coord.column else column


@dataclass(frozen=True)
class CVal:
    """A lowered expression: `stmts` run first, then `expr` is its value (pure).
    `expr` has IR type BOOL when `ctype` is `_Bool`, or `int` from a comparison."""

    stmts: tuple[ir.Stmt, ...]
    expr: ir.Expr | None  # None: a void expression
    ctype: ct.CType | None  # a pointer: the type it points to
    ptr: Any = None  # a pointer value: `c_memory.PtrVal` (then `expr` is the offset)


@dataclass
class VarInfo:
    name: str  # IR name (arrays: the prefix of the element names)
    ctype: ct.CType
    length: int | None = None  # arrays
    is_global: bool = False
    const: bool = False
    extern: bool = False  # declared, defined elsewhere: its value is an input even for main
    init: tuple[int, ...] = ()
    # C memory (see c_memory): an array lowered as an object, or a pointer variable (the
    # type it points to, the object it is bound to, whether it can be NULL).
    obj: Any = None
    pointer: ct.CType | None = None
    target: Any = None
    nullable: bool = True
    struct: Any = None  # a struct local (`c_memory.StructType`): an object of one struct

    def element(self, k: int) -> str:
        return f"{self.name}[{k}]"


@dataclass
class Frame:
    prefix: str
    ret: ct.CType | None
    returns_bool: bool
    scopes: list[dict[str, VarInfo]] = field(default_factory=list)
    breakable: list[str] = field(default_factory=list)  # "loop" | "switch"


def span_of(node: Any) -> ir.Span:
    coord = getattr(node, "coord", None)
    if coord is None or not coord.line:
        return ir.NO_SPAN
    column = coord.column or 1
    return ir.Span(coord.line, column, coord.line, column)


def stmt_reads(stmts: tuple[ir.Stmt, ...]) -> set[str]:
    """Variables the statements read (for the unsequenced-side-effect check)."""
    names: set[str] = set()
    for stmt in ir.walk_stmts(stmts):
        for attr in ("value", "cond"):
            expr = getattr(stmt, attr, None)
            if expr is not None and not isinstance(expr, tuple):
                names |= ir.expr_vars(expr)
    return names


def _reads(v: CVal) -> set[str]:
    return stmt_reads(v.stmts) | (ir.expr_vars(v.expr) if v.expr is not None else set())


def _writes(v: CVal) -> set[str]:
    return ir.assigned_vars(v.stmts)


def cond_of(v: CVal, node: Any = None) -> ir.Expr:
    """The truth value of a scalar C value (`!= 0`; a pointer: not NULL)."""
    if v.ptr is not None:
        return _not(v.ptr.null)
    expr = need_value(v, node)
    if isinstance(expr.type, ir.BoolType):
        return expr
    return ir.Binary("ne", expr, ir.Const(0, expr.type), ir.BOOL, getattr(expr, "span", ir.NO_SPAN))


def need_value(v: CVal, node: Any = None) -> ir.Expr:
    if v.ptr is not None:
        raise Unsup("pointer used as an integer", node)
    if v.expr is None or v.ctype is None:
        raise Unsup("use of a void value", node)
    return v.expr


def value_as(v: CVal, t: ct.CType, node: Any = None) -> ir.Expr:
    """The value of `v` converted to `t` (C's implicit conversion)."""
    expr = need_value(v, node)
    if isinstance(expr.type, ir.BoolType) and t.is_bool:
        return expr
    return ct.convert(expr, t)


def bconst(value: bool) -> ir.Const:
    return ir.Const(value, ir.BOOL)


def _and(a: ir.Expr, b: ir.Expr) -> ir.Binary:
    return ir.Binary("and", a, b, ir.BOOL)


def _or(a: ir.Expr, b: ir.Expr) -> ir.Binary:
    return ir.Binary("or", a, b, ir.BOOL)


def _not(a: ir.Expr) -> ir.Unary:
    return ir.Unary("not", a, ir.BOOL)


def _cmp(op: str, a: ir.Expr, b: ir.Expr) -> ir.Binary:
    return ir.Binary(op, a, b, ir.BOOL)


def _bool_of(expr: ir.Expr) -> ir.Cast:
    return ir.Cast(expr, ir.BOOL)


def _need_type(v: CVal, node: Any) -> ct.CType:
    if v.ptr is not None:
        raise Unsup("pointer used as an integer", node)
    if v.ctype is None or v.expr is None:
        raise Unsup("use of a void value", node)
    return v.ctype


def _type_quals(node: Any) -> list[str]:
    while node is not None and not isinstance(node, c_ast.TypeDecl):
        node = getattr(node, "type", None)
    return list(node.quals or []) if node is not None else []


def _collect(node: Any, kind: type) -> list[Any]:
    found: list[Any] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, kind):
            found.append(current)
        stack.extend(child for _, child in current.children())
    return found


def _is_logical(node: Any) -> bool:
    return isinstance(node, c_ast.BinaryOp | c_ast.UnaryOp) and node.op in _LOGICAL_OPS


def _is_expression(node: Any) -> bool:
    return isinstance(node, c_ast.BinaryOp | c_ast.UnaryOp | c_ast.Assignment | c_ast.FuncCall
                      | c_ast.ID | c_ast.Constant | c_ast.Cast | c_ast.TernaryOp
                      | c_ast.ExprList | c_ast.ArrayRef)  # fmt: skip


def _construct_name(node: Any) -> str:
    kind = type(node).__name__
    if isinstance(node, c_ast.Decl | c_ast.TypeDecl):
        inner = node.type
        while isinstance(inner, c_ast.TypeDecl):
            inner = inner.type
        return _construct_name(inner)
    if isinstance(node, c_ast.IdentifierType):
        return f"type {' '.join(node.names)}"
    return _NODE_NAMES.get(kind, kind)


def _source_text(lines: list[str], node: Any) -> str:
    coord = getattr(node, "coord", None)
    if coord is None or not coord.line or coord.line > len(lines):
        return ""
    text = lines[coord.line - 1][(coord.column or 1) - 1 :]
    depth, out = 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                break
            depth -= 1
        out.append(ch)
    return "".join(out).strip()


def _only_asserts(stmts: tuple[ir.Stmt, ...]) -> bool:
    return all(isinstance(s, ir.Assert) for s in stmts)


def _fold(expr: ir.Expr) -> int | None:
    """Evaluate a constant IR expression (no variables), or None."""
    if ir.expr_vars(expr):
        return None
    try:
        # C's constant expressions have integer and truth types: their value is an int
        return int(typing.cast(int, _eval_const(expr)))
    except (ValueError, TypeError, ZeroDivisionError):
        return None


def _eval_const(expr: ir.Expr) -> Value:
    from prooflens.analysis import interpreter as it

    if isinstance(expr, ir.Const):
        return it.normalize(expr.value, expr.type)
    if isinstance(expr, ir.Unary):
        return it.unary(expr.op, _eval_const(expr.operand), expr.type)
    if isinstance(expr, ir.Binary):
        a, b = _eval_const(expr.left), _eval_const(expr.right)
        return it.binary(expr.op, a, b, expr.left.type, expr.type, expr.right.type)
    if isinstance(expr, ir.Ite):
        return _eval_const(expr.then) if _eval_const(expr.cond) else _eval_const(expr.orelse)
    if isinstance(expr, ir.Cast):
        return it.cast(_eval_const(expr.operand), expr.operand.type, expr.type)
    raise ValueError("not a constant")
