"""C memory in the lowering: objects, pointers as (object, offset), checked accesses.

- An *object* is one IR variable of `ir.ArrayType` (its contents: element offset -> value)
  and a length in elements (u64): a constant for a declared array, an input `len(p)` for
  the object a pointer parameter `p` points to. Contents change by `Assign(Store(...))`.
- A pointer is bound statically to one object: its IR variable is its offset (u64, in
  elements) and `NAME.null` says it is NULL. A pointer that could point into two different
  objects, a pointer cast, `&x` of a scalar and a pointer into a global are refused.
- Contract of a pointer parameter `p` of the checked unit: `p` is not NULL and points to
  the start of an object of `len(p)` elements (`len(p)` and the contents are inputs), and
  every access the unit makes through it (directly, through a pointer derived from it or
  in an inlined callee) is inside that object: the bounds check of such an access is an
  `Assume`, not an `Assert`, and the access is recorded (`Contract`) so that the result
  states the assumption. Other checks are verified under it, and their witnesses meet it
  (the replay allocates exactly `len(p)` elements). The obligation is checked where a
  caller in the file passes a real object: the callee is inlined there and its accesses
  are checked against the caller's object. Two pointer parameters may alias: reading through both
  is exact (the values of independent objects include the aliased ones), writing through
  one while another pointer parameter or a global exists is refused.
- A declared array indexed by name is checked as `array-out-of-bounds` (its size is
  known); an access through a pointer as `out-of-bounds`; `*p` / `p[i]` on a pointer that
  can be NULL as `null-dereference`. Forming an out-of-range pointer is not reported (only
  using it is, as AddressSanitizer sees it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pycparser import c_ast, c_generator

from prooflens.analysis import ir
from prooflens.analysis.frontends import c_types as ct
from prooflens.analysis.frontends.c_base import (
    CVal,
    Unsup,
    VarInfo,
    _and,
    _cmp,
    _need_type,
    _not,
    bconst,
    span_of,
    value_as,
)

if TYPE_CHECKING:
    from prooflens.analysis.frontends.c_base import Frame

OFF = ir.OFFSET


class ObjectsNeeded(Exception):
    """A small array is used as a pointer: lower the unit again with arrays as objects."""


@dataclass(frozen=True)
class StructType:
    """A struct of integer fields: `spelling` is how C names it (`struct s`, a typedef)."""

    spelling: str
    fields: tuple[tuple[str, ct.CType], ...]


@dataclass(eq=False)
class MemObject:
    """One C object: contents variable, length (u64 expression), element type."""

    contents: str
    length: ir.Expr
    elem: ct.CType
    source: str
    param: bool = False  # the object a pointer parameter of the checked unit points to
    declared: bool = False  # a declared array (indexing it by name: array-out-of-bounds)
    readonly: bool = False  # a string literal: writing to it is undefined, refused
    # An array of structs: one object per field (same length), the elements' fields.
    fields: dict[str, MemObject] | None = None
    struct: StructType | None = None
    freed: str | None = None  # a heap object (malloc/calloc): its "freed" flag variable

    @property
    def array_type(self) -> ir.ArrayType:
        return ir.ArrayType(self.elem.ir)


@dataclass(frozen=True)
class PtrVal:
    """A pointer value: its object (None for the null pointer constant) and whether it is
    NULL (a BOOL expression); the `CVal`'s `expr` is the offset."""

    obj: MemObject | None
    null: ir.Expr


def offset_const(value: int) -> ir.Const:
    return ir.Const(value % (1 << 64), OFF)


def null_pointer(elem: ct.CType | None = None) -> CVal:
    return CVal((), offset_const(0), elem or ct.CHAR, PtrVal(None, bconst(True)))


def tests_null(body: Any, name: str) -> bool:
    """Does the function test the pointer `name` for NULL (`p == NULL`, `!p`, `if (p)`,
    `p && ...`)? Then NULL is one of the values it expects."""
    stack = [body]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if isinstance(node, c_ast.BinaryOp) and node.op in ("==", "!="):
            sides = (node.left, node.right)
            if any(_is_name(a, name) and is_null_constant(b) for a, b in (sides, sides[::-1])):
                return True
        if isinstance(node, c_ast.BinaryOp) and node.op in ("&&", "||") and (
                _is_name(node.left, name) or _is_name(node.right, name)):  # fmt: skip
            return True
        if isinstance(node, c_ast.UnaryOp) and node.op == "!" and _is_name(node.expr, name):
            return True
        if isinstance(node, c_ast.If | c_ast.While | c_ast.DoWhile | c_ast.For |
                      c_ast.TernaryOp) and _is_name(node.cond, name):  # fmt: skip
            return True
        stack.extend(child for _, child in node.children())
    return False


def _is_name(node: Any, name: str) -> bool:
    while isinstance(node, c_ast.Cast):
        node = node.expr
    return isinstance(node, c_ast.ID) and node.name == name


def is_null_constant(node: Any) -> bool:
    """`0`, `NULL` (`(void *)0`) and `(T *)0`: the null pointer constant."""
    while isinstance(node, c_ast.Cast) and isinstance(node.to_type.type, c_ast.PtrDecl):
        node = node.expr
    return isinstance(node, c_ast.Constant) and node.type == "int" and \
        node.value.rstrip("uUlL") in ("0", "0x0", "00")  # fmt: skip


def as_offset(v: CVal, node: Any) -> ir.Expr:
    """An integer value as an offset in elements (two's complement bits: -1 wraps)."""
    t = _need_type(v, node)
    wide = ct.ULONG if not t.signed and t.width == 64 else ct.LONG
    expr = value_as(v, wide, node)
    return expr if expr.type == OFF else ir.Cast(expr, OFF, getattr(expr, "span", ir.NO_SPAN))


def shifted(p: CVal, delta: ir.Expr, sub: bool, span: ir.Span) -> CVal:
    """`p + delta` / `p - delta` in elements (wraps like the address would)."""
    assert p.ptr is not None and p.expr is not None
    if p.ptr.obj is None:
        raise Unsup("arithmetic on a null pointer")
    expr = ir.Binary("sub" if sub else "add", p.expr, delta, OFF, span)
    return CVal(p.stmts, expr, p.ctype, p.ptr)


def access_checks(p: CVal, offset: ir.Expr, node: Any, kind: str, text: str
                  ) -> tuple[ir.Stmt, ...]:  # fmt: skip
    """The checks before reading or writing `*(p + offset)`: not NULL, inside the object."""
    assert p.ptr is not None
    span = span_of(node)
    checks: list[ir.Stmt] = []
    if not (isinstance(p.ptr.null, ir.Const) and p.ptr.null.value is False):
        checks.append(ir.Assert(_not(p.ptr.null), "null-dereference",
                                f"{text} dereferences a null pointer", span))  # fmt: skip
    obj = p.ptr.obj
    if obj is None:
        return tuple(checks)
    inside = _cmp("lt", offset, obj.length)
    if kind == "array-out-of-bounds" and isinstance(obj.length, ir.Const):
        message = f"index outside 0..{int(obj.length.value) - 1} of {obj.source}"
    elif obj.param:
        name = obj.source.split("->")[0]  # a field's object: its struct parameter
        message = (f"{text} may be outside the object {name} points to "
                   f"({name}[0..len({name})-1])")  # fmt: skip
    else:
        message = f"{text} may be outside {obj.source}"
    checks.append(ir.Assert(inside, kind, message, span))
    if obj.freed is not None:  # after the bounds, as AddressSanitizer tells them apart
        checks.append(ir.Assert(_not(ir.Var(obj.freed, ir.BOOL)), "use-after-free",
                                f"{text} uses {obj.source} after it is freed", span))  # fmt: skip
    return tuple(checks)


def read(obj: MemObject, offset: ir.Expr, span: ir.Span) -> ir.Expr:
    return ir.Select(ir.Var(obj.contents, obj.array_type), offset, obj.elem.ir, span)


def write(obj: MemObject, offset: ir.Expr, value: ir.Expr, span: ir.Span) -> ir.Assign:
    contents = ir.Var(obj.contents, obj.array_type)
    return ir.Assign(obj.contents, ir.Store(contents, offset, value, obj.array_type, span), span)


def pointer_value(info: VarInfo, node: Any) -> CVal:
    """The value of a pointer variable or of an array name (a pointer to its start)."""
    span = span_of(node)
    if info.obj is not None:  # an array: decays to a pointer to its first element
        return CVal((), offset_const(0), info.obj.elem, PtrVal(info.obj, bconst(False)))
    assert info.pointer is not None
    null = ir.Var(info.name + ".null", ir.BOOL, span) if info.nullable else bconst(False)
    if info.target is None:
        if info.nullable:  # only ever NULL so far
            return CVal((), ir.Var(info.name, OFF, span), info.pointer, PtrVal(None, null))
        raise Unsup(f"pointer {info.name.split('.')[0]} used before it points anywhere", node)
    return CVal((), ir.Var(info.name, OFF, span), info.pointer, PtrVal(info.target, null))


def bind(info: VarInfo, value: CVal, node: Any, span: ir.Span) -> list[ir.Stmt]:
    """`pointer = value`: the offset and null flag; the first object assigned binds it."""
    assert info.pointer is not None and value.ptr is not None and value.expr is not None
    obj = value.ptr.obj
    if obj is not None:
        if info.target is not None and info.target is not obj:
            raise Unsup("pointer that may point into two different objects", node)
        if (obj.struct or obj.elem) != info.pointer:
            raise Unsup("pointer conversion between different element types", node)
        info.target = obj
    stmts: list[ir.Stmt] = [ir.Assign(info.name, value.expr, span)]
    if info.nullable:
        stmts.append(ir.Assign(info.name + ".null", value.ptr.null, span))
    elif not (isinstance(value.ptr.null, ir.Const) and value.ptr.null.value is False):
        raise Unsup("a null pointer stored in a pointer that is never NULL", node)
    return stmts


def compare(op: str, a: CVal, b: CVal, node: Any, span: ir.Span) -> ir.Expr:
    """`a op b` on two pointers: equality with NULL, or any comparison in one object."""
    assert a.ptr is not None and b.ptr is not None and a.expr is not None and b.expr is not None
    for side in (a.ptr, b.ptr):
        if side.obj is None and not _is_true(side.null):
            raise Unsup("comparison with a pointer before it is given an object", node)
    if a.ptr.obj is None or b.ptr.obj is None:
        if op not in ("eq", "ne"):
            raise Unsup("ordering comparison with a null pointer", node)
        other = b.ptr if a.ptr.obj is None else a.ptr
        both_null = _and(a.ptr.null, b.ptr.null) if other.obj is None else other.null
        return both_null if op == "eq" else _not(both_null)
    if a.ptr.obj is not b.ptr.obj:
        raise Unsup("comparison of pointers into different objects", node)
    same = ir.Binary(op, a.expr, b.expr, ir.BOOL, span)
    if op in ("eq", "ne"):  # NULL equals only NULL; offsets of null pointers are 0
        both = _cmp("eq", a.ptr.null, b.ptr.null)
        eq = _and(both, ir.Binary("eq", a.expr, b.expr, ir.BOOL, span))
        return eq if op == "eq" else _not(eq)
    return same


def difference(a: CVal, b: CVal, node: Any, span: ir.Span) -> CVal:
    """`a - b` (ptrdiff_t, in elements) of two pointers into one object."""
    assert a.ptr is not None and b.ptr is not None and a.expr is not None and b.expr is not None
    if a.ptr.obj is None or a.ptr.obj is not b.ptr.obj:
        raise Unsup("difference of pointers into different objects", node)
    diff = ir.Cast(ir.Binary("sub", a.expr, b.expr, OFF, span), ct.LONG.ir, span)
    return CVal(a.stmts + b.stmts, diff, ct.LONG)


def parameter_object(lowerer: Any, info: VarInfo, source: str, span: ir.Span) -> MemObject:
    """The object a pointer parameter of the unit points to: contents and length inputs."""
    assert info.pointer is not None
    if isinstance(info.pointer, StructType):  # one input array per field, one length
        fields = {f: lowerer.fresh(f"{source}->{f}", ir.ArrayType(t.ir), f"{source}->{f}")
                  for f, t in info.pointer.fields}  # fmt: skip
        length = lowerer.fresh(f"len({source})", OFF, f"len({source})")
        lowerer.display[f"struct:{source}"] = info.pointer.spelling  # for the replay driver
        return struct_object(info.pointer, fields, ir.Var(length, OFF, span), source, param=True)
    contents = lowerer.fresh(source, ir.ArrayType(info.pointer.ir), source)
    length = lowerer.fresh(f"len({source})", OFF, f"len({source})")
    return MemObject(contents, ir.Var(length, OFF, span), info.pointer, source, param=True)


def struct_object(st: StructType, contents: dict[str, str], length: ir.Expr, source: str,
                  param: bool = False) -> MemObject:  # fmt: skip
    """An array of `st` structs: a group of per-field objects sharing `length`."""
    fields = {f: MemObject(contents[f], length, t, f"{source}->{f}", param=param)
              for f, t in st.fields}  # fmt: skip
    return MemObject("", length, ct.CHAR, source, param=param, fields=fields, struct=st)


def declared_object(lowerer: Any, info: VarInfo, source: str) -> MemObject:
    """A declared array of `info.length` elements (a local, in its own variable); a
    struct local is an array of one struct."""
    if info.struct is not None:
        contents = {f: lowerer.fresh(f"{lowerer.frame.prefix}{source}.{f}",
                                     ir.ArrayType(t.ir), f"{source}.{f}")
                    for f, t in info.struct.fields}  # fmt: skip
        obj = struct_object(info.struct, contents, offset_const(1), source)
        obj.declared = True
        return obj
    contents = lowerer.fresh(lowerer.frame.prefix + source, ir.ArrayType(info.ctype.ir), source)
    length = offset_const(info.length or 0)
    return MemObject(contents, length, info.ctype, source, declared=True)


def stored_objects(stmts: tuple[ir.Stmt, ...]) -> set[str]:
    """Contents variables written by `stmts`."""
    return {s.target for s in ir.walk_stmts(stmts)
            if isinstance(s, ir.Assign) and isinstance(s.value, ir.Store)}  # fmt: skip


@dataclass
class Contract:
    """What the checked unit assumes of its pointer parameters: for each parameter (its
    source name), the accesses made through it, as (source text, line, callee or "")."""

    accesses: dict[str, list[tuple[str, int, str]]]
    non_null: list[str] = field(default_factory=list)  # assumed not NULL (never tested)

    def describe(self, param: str) -> str:
        """`*p (line 1), a[i] (line 2, in g)` -- at most four, then how many more."""
        seen = list(dict.fromkeys(self.accesses.get(param, [])))
        parts = [f"{text} (line {line}{f', in {callee}' if callee else ''})"
                 for text, line, callee in seen[:4]]  # fmt: skip
        if len(seen) > 4:
            parts.append(f"{len(seen) - 4} more")
        room = f"point to an object with room for {', '.join(parts)}"
        return f"be non-NULL and {room}" if param in self.non_null else \
            f"{room} when it is not NULL"  # fmt: skip


CONTRACT_KEY = "contract:"  # `ir.Function.display[CONTRACT_KEY + p]`: what p must allow
ALLOC_KEY = "c:allocates"  # the unit calls malloc/calloc (read by replay.c: same name there)
_ALLOCATORS = ("malloc", "calloc")


def allocation_call(node: Any, funcs: dict[str, Any]) -> tuple[c_ast.FuncCall | None, Any]:
    """`malloc(...)`/`calloc(...)` (not the user's own), possibly cast to a pointer type:
    the call and the cast's declarator (None without a cast)."""
    cast = None
    while isinstance(node, c_ast.Cast) and isinstance(node.to_type.type, c_ast.PtrDecl):
        cast = cast or node.to_type.type
        node = node.expr
    if isinstance(node, c_ast.FuncCall) and isinstance(node.name, c_ast.ID) and \
            node.name.name in _ALLOCATORS and node.name.name not in funcs:  # fmt: skip
        return node, cast
    return None, None


def state_contract(fn: ir.Function, results: list[Any]) -> list[Any]:
    """The unit's results with its pointer contract stated: one result per parameter
    whose accesses are assumed (at the parameter: not an error, a don't-know about the
    callers), and the assumption added to the certificate of every proof (a proof holds
    for the calls that meet it)."""
    from prooflens.analysis.verdicts import Result

    stated = {k[len(CONTRACT_KEY) :]: v for k, v in fn.display.items()
              if k.startswith(CONTRACT_KEY)}  # fmt: skip
    if not stated:
        return results
    where = {fn.display.get(p.name, p.name): p.span for p in fn.params}
    note = "assuming " + "; ".join(f"{p} must {a}" for p, a in stated.items())
    out = [replace(r, certificate=f"{r.certificate}; {note}" if r.certificate else note)
           if r.status == "proved" else r for r in results]  # fmt: skip
    for param, accesses in stated.items():
        span = where.get(f"len({param})", fn.span)
        reason = (f"{param} must {accesses}: assumed by {fn.name}'s contract, checked where "
                  "a caller in this file passes an object")
        out.append(Result("out-of-bounds", span.line, span.column, "unknown", reason,
                          reason=reason))  # fmt: skip
    return out


class MemoryLowering:
    """The pointer half of the expression lowering (a mixin of `ExprLowering`: `expr`,
    `temp`, `lookup` and the checked arithmetic are its)."""

    # What the lowerer this is mixed into provides (`ExprLowering`, `c_lower.Lowerer`).
    frame: Frame
    strings: dict[int, MemObject]  # string literal objects, by AST node
    pointer_contract: Contract
    funcs: dict[str, c_ast.FuncDef]
    display: dict[str, str]
    loop_depth: int
    if TYPE_CHECKING:

        def expr(self, node: Any) -> CVal: ...
        def pointee(self, node: Any, where: Any) -> ct.CType: ...
        def check_unsequenced(self, a: CVal, b: CVal, node: Any) -> None: ...
        def _new_value(self, old: CVal, rhs: CVal, op: str, t: ct.CType, span: ir.Span,
                       node: Any) -> tuple[tuple[ir.Stmt, ...], ir.Expr]: ...  # fmt: skip
        def lookup(self, name: str, node: Any) -> VarInfo: ...
        def temp(self, itype: ir.Type) -> str: ...
        def fresh(self, base: str, itype: ir.Type, display: str | None = None) -> str: ...

    def access(self, node: Any) -> tuple[CVal, ir.Expr, tuple[ir.Stmt, ...], str, str]:
        """`p[i]`, `*p`, `p->f`, `s.f`, `p[i].f`: the pointer, the element offset, the
        operands' statements, the check's property and how the access reads in the source.
        A field access's pointer points into the field's own object."""
        if isinstance(node, c_ast.StructRef):
            return self._member(node)
        if isinstance(node, c_ast.ArrayRef):
            base, index = self.expr(node.name), self.expr(node.subscript)
            if base.ptr is None and index.ptr is not None:  # `i[p]` means `p[i]`
                base, index = index, base
            if base.ptr is None:
                raise Unsup("indexing of a non-pointer", node)
            self.check_unsequenced(base, index, node)
            assert base.expr is not None
            offset = ir.Binary("add", base.expr, as_offset(index, node.subscript), OFF,
                               span_of(node))  # fmt: skip
            declared = isinstance(node.name, c_ast.ID) and (
                self.lookup(node.name.name, node.name).obj is not None
            )
            text = source_text(node)
            kind = "array-out-of-bounds" if declared else "out-of-bounds"
            return base, offset, base.stmts + index.stmts, kind, text
        base = self.expr(node.expr)
        if base.ptr is None:
            raise Unsup("dereference of a non-pointer", node)
        assert base.expr is not None
        return base, base.expr, base.stmts, "out-of-bounds", source_text(node)

    def _member(self, node: c_ast.StructRef) -> tuple[CVal, ir.Expr, tuple[ir.Stmt, ...], str,
                                                    str]:  # fmt: skip
        field = node.field.name
        if node.type == "->":
            base = self.expr(node.name)
            if base.ptr is None:
                raise Unsup("-> on a non-pointer", node)
            assert base.expr is not None
            offset, stmts, kind = base.expr, base.stmts, "out-of-bounds"
        elif isinstance(node.name, c_ast.ID):
            info = self.lookup(node.name.name, node.name)
            if info.struct is None or info.obj is None:
                raise Unsup("member access on a non-struct", node)
            base = pointer_value(info, node.name)
            offset, stmts, kind = offset_const(0), (), "out-of-bounds"
        elif isinstance(node.name, c_ast.ArrayRef):
            base, offset, stmts, kind, _ = self.access(node.name)
        else:
            raise Unsup("member access of this kind of expression", node)
        obj = base.ptr.obj
        if obj is None or obj.fields is None or field not in obj.fields:
            if obj is None and base.ptr is not None and _is_true(base.ptr.null):
                raise Unsup("member access through a null pointer constant", node)
            raise Unsup(f"member {field} (not an integer field of a known struct)", node)
        target = obj.fields[field]
        moved = PtrVal(target, base.ptr.null)
        text = source_text(node)
        # checks: against the struct array's length (shared by every field)
        return CVal(base.stmts, base.expr, target.elem, moved), offset, stmts, kind, text

    def _target(self, base: CVal, node: Any) -> MemObject | None:
        """The object accessed; None when the pointer is the null constant (the access
        fails). A pointer not yet given an object (bound later in the text) is refused."""
        assert base.ptr is not None
        if base.ptr.obj is None and not _is_true(base.ptr.null):
            raise Unsup("dereference of a pointer before it is given an object", node)
        if base.ptr.obj is not None and base.ptr.obj.fields is not None:
            raise Unsup("struct value", node)
        return base.ptr.obj

    def contract(self, checks: tuple[ir.Stmt, ...], base: CVal, node: Any
                 ) -> tuple[ir.Stmt, ...]:  # fmt: skip
        """An access through the object of a pointer parameter of the checked unit: its
        bounds check becomes the unit's assumption (see the module docstring)."""
        assert base.ptr is not None
        obj = base.ptr.obj
        if obj is None or not obj.param:
            return checks
        owner = obj.source.split("->")[0]
        callee = self.frame.prefix.split("#")[0] if self.frame.prefix else ""
        text = source_text(node) if node is not None else owner
        out: list[ir.Stmt] = []
        for check in checks:
            if isinstance(check, ir.Assert) and check.kind in ("out-of-bounds",
                                                               "array-out-of-bounds"):
                out.append(ir.Assume(check.cond, check.span))
                self.pointer_contract.accesses.setdefault(owner, []).append(
                    (text, check.span.line, callee))
            else:
                out.append(check)
        return tuple(out)

    def deref(self, node: Any) -> CVal:
        """Reading `*p` / `p[i]` / `a[i]`, after its checks."""
        base, offset, stmts, kind, text = self.access(node)
        obj = self._target(base, node)
        checks = self.contract(access_checks(base, offset, node, kind, text), base, node)
        if obj is None:
            return CVal(stmts + checks, ct.const(0, base.ctype or ct.INT), base.ctype or ct.INT)
        return CVal(stmts + checks, read(obj, offset, span_of(node)), obj.elem)

    def store_through(self, lvalue: Any, rhs: CVal, op: str, span: ir.Span, node: Any,
                      post: bool) -> CVal:  # fmt: skip
        """`*p op= rhs` / `p[i] op= rhs` (a `Store` into the object)."""
        base, offset, stmts, kind, text = self.access(lvalue)
        self.check_unsequenced(CVal(stmts, offset, ct.LONG), rhs, node)
        obj = self._target(base, lvalue)
        if obj is not None and obj.readonly:
            raise Unsup("write to a string literal", lvalue)
        off = self.temp(OFF)
        out: list[ir.Stmt] = [*stmts, *rhs.stmts, ir.Assign(off, offset, span)]
        offv = ir.Var(off, OFF)
        out += self.contract(access_checks(base, offv, lvalue, kind, text), base, lvalue)
        if obj is None:
            return CVal(tuple(out), ct.const(0, base.ctype or ct.INT), base.ctype or ct.INT)
        current = read(obj, offv, span)
        old = CVal((), current, obj.elem)
        checks, new = self._new_value(old, rhs, op, obj.elem, span, node)
        saved = self.temp(obj.elem.ir)
        out += [*checks, ir.Assign(saved, current if post else new, span)]
        stored = new if post else ir.Var(saved, obj.elem.ir)
        out.append(write(obj, offv, stored, span))
        return CVal(tuple(out), ir.Var(saved, obj.elem.ir), obj.elem)

    def string_literal(self, node: c_ast.Constant) -> CVal:
        """`"..."`: a read-only `char` object of the characters and a NUL, filled where
        the literal is evaluated (the same contents every time)."""
        chars = string_chars(node.value)
        if chars is None:
            raise Unsup(f"string literal {node.value[:20]}", node)
        key = id(node)
        obj = self.strings.get(key)
        if obj is None:
            contents = self.fresh("_pl_str", ir.ArrayType(ct.CHAR.ir), "string")
            obj = MemObject(contents, offset_const(len(chars) + 1), ct.CHAR, "a string literal",
                            readonly=True)  # fmt: skip
            self.strings[key] = obj
        span = span_of(node)
        fill: list[ir.Stmt] = [ir.Assign(obj.contents, ir.ArrayInit(ct.const(0, ct.CHAR),
                                                                    obj.array_type, span))]
        fill += [write(obj, offset_const(k), ct.const(c, ct.CHAR), span)
                 for k, c in enumerate(chars) if c]  # fmt: skip
        return CVal(tuple(fill), offset_const(0), ct.CHAR, PtrVal(obj, bconst(False)))

    def address_of(self, node: c_ast.UnaryOp) -> CVal:
        """`&p[i]` and `&*p` (no access, no check); `&x` of a variable is not modelled."""
        inner = node.expr
        if isinstance(inner, c_ast.ArrayRef):
            base, offset, stmts, _, _ = self.access(inner)
            return CVal(stmts, offset, base.ctype, base.ptr)
        if isinstance(inner, c_ast.UnaryOp) and inner.op == "*":
            base = self.expr(inner.expr)
            if base.ptr is not None:
                return base
        if isinstance(inner, c_ast.ID):  # `&s` of a struct local: a pointer to it
            info = self.lookup(inner.name, inner)
            if info.struct is not None and info.obj is not None:
                return CVal((), offset_const(0), ct.CHAR, PtrVal(info.obj, bconst(False)))
        raise Unsup("address-of (&) a variable", node)

    def pointer_operand(self, node: Any, elem: ct.CType | None) -> CVal:
        """An operand that must be a pointer: `0`/`NULL` is the null pointer; `malloc`/
        `calloc` a new object of the type pointed to."""
        if is_null_constant(node):
            return null_pointer(elem)
        call, cast = allocation_call(node, self.funcs)
        if call is not None:
            pointee = self.pointee(cast, node) if cast is not None else elem
            return self.allocate(call, pointee)
        v = self.expr(node)
        if v.ptr is None:
            raise Unsup("integer used as a pointer", node)
        return v

    def allocate(self, call: c_ast.FuncCall, elem: Any) -> CVal:
        """`malloc(size)` / `calloc(n, size)`: a new heap object of `size / sizeof(elem)`
        elements (contents unknown; calloc: zeros), or NULL -- either may happen on any
        call (a nondeterministic choice the replay feeds to the real run), and NULL is
        certain past PTRDIFF_MAX bytes (glibc)."""
        name = call.name.name
        args = list(call.args.exprs) if call.args is not None else []
        if not isinstance(elem, ct.CType) or elem is None:
            raise Unsup(f"{name} of a struct or of an unknown element type", call)
        if self.loop_depth:
            raise Unsup(f"{name} in a loop (one object per allocation site is modelled)", call)
        if len(args) != (1 if name == "malloc" else 2):
            raise Unsup(f"{name} with {len(args)} arguments", call)
        span = span_of(call)
        vals = [self.expr(a) for a in args]
        for a, b in zip(vals, vals[1:], strict=False):
            self.check_unsequenced(a, b, call)
        sizes = [value_as(v, ct.SIZE_T, a) for v, a in zip(vals, args, strict=True)]
        stmts: list[ir.Stmt] = [s for v in vals for s in v.stmts]
        width = max(1, (elem.width + 7) // 8)
        line = span.line
        contents = self.fresh(f"{name}@{line}", ir.ArrayType(elem.ir), f"{name}@{line}")
        length = self.fresh(f"len({name}@{line})", OFF, f"len({name}@{line})")
        freed = self.fresh(f"{name}@{line}.freed", ir.BOOL, f"{name}@{line} freed")
        null = self.temp(ir.BOOL)
        self.display[null] = f"{name}() == NULL"
        self.display[ALLOC_KEY] = "1"  # the replay feeds NULL results (replay.c)
        total = sizes[0]
        stmts.append(ir.Havoc(null, ir.BOOL, span))
        if name == "calloc":  # n * size past SIZE_MAX: calloc fails
            n, size = sizes
            limit = ir.Binary("div", ct.const(ct.SIZE_T.max, ct.SIZE_T), size, OFF, span)
            too_big = _and(_cmp("ne", size, ct.const(0, ct.SIZE_T)), _cmp("gt", n, limit))
            stmts.append(ir.Assign(null, ir.Binary("or", ir.Var(null, ir.BOOL), too_big,
                                                   ir.BOOL, span), span))  # fmt: skip
            total = ir.Ite(too_big, ct.const(0, ct.SIZE_T),
                           ir.Binary("mul", n, size, OFF, span), OFF, span)  # fmt: skip
        # glibc: a request past PTRDIFF_MAX bytes always fails (so does a calloc product
        # that does not fit in size_t, above)
        huge = _cmp("gt", total, ct.const(ct.LONG.max, ct.SIZE_T))
        stmts.append(ir.Assign(null, ir.Binary("or", ir.Var(null, ir.BOOL), huge, ir.BOOL, span),
                               span))  # fmt: skip
        elements = ir.Binary("div", total, ct.const(width, ct.SIZE_T), OFF, span)
        stmts += [ir.Assign(length, elements, span), ir.Assign(freed, bconst(False), span)]
        if name == "calloc":
            stmts.append(ir.Assign(contents, ir.ArrayInit(ct.const(0, elem), ir.ArrayType(elem.ir),
                                                          span), span))  # fmt: skip
        obj = MemObject(contents, ir.Var(length, OFF, span), elem, f"the object {name} returned "
                        f"at line {line}", freed=freed)  # fmt: skip
        return CVal(tuple(stmts), offset_const(0), elem, PtrVal(obj, ir.Var(null, ir.BOOL)))

    def free_call(self, args: list[Any], node: Any) -> CVal:
        """`free(p)`: nothing for NULL; else `p` must be the start of a heap object not yet
        freed (`invalid-free`: double free, a pointer inside an object, not from malloc)."""
        if len(args) != 1:
            raise Unsup(f"free with {len(args)} arguments", node)
        if is_null_constant(args[0]):
            return CVal((), None, None)
        p = self.expr(args[0])
        if p.ptr is None or p.expr is None:
            raise Unsup("free of a non-pointer", node)
        span = span_of(node)
        obj = p.ptr.obj
        if obj is None:
            if not _is_true(p.ptr.null):
                raise Unsup("free of a pointer before it is given an object", node)
            return CVal(p.stmts, None, None)
        if obj.param:
            raise Unsup("free of an object the caller passed (its origin is not known)", node)
        text = source_text(args[0])
        if obj.freed is None:
            check = ir.Assert(p.ptr.null, "invalid-free",
                              f"free({text}) of {obj.source}, which is not from malloc", span)
            return CVal(p.stmts + (check,), None, None)
        flag = ir.Var(obj.freed, ir.BOOL)
        body = (
            ir.Assert(_not(flag), "invalid-free", f"free({text}): {obj.source} is freed twice",
                      span),
            ir.Assert(_cmp("eq", p.expr, offset_const(0)), "invalid-free",
                      f"free({text}) of a pointer inside {obj.source}, not at its start", span),
            ir.Assign(obj.freed, bconst(True), span),
        )  # fmt: skip
        return CVal(p.stmts + (ir.If(_not(p.ptr.null), body, (), span),), None, None)

    def store_pointer(self, info: VarInfo, lvalue: Any, rhs: CVal, op: str, span: ir.Span,
                      node: Any, post: bool) -> CVal:  # fmt: skip
        """`p = q`, `p += n`, `p++` on a pointer variable."""
        if not op:
            if rhs.ptr is None:
                if not (isinstance(rhs.expr, ir.Const) and rhs.expr.value == 0):
                    raise Unsup("integer assigned to a pointer", node)
                rhs = CVal(rhs.stmts, offset_const(0), info.pointer, PtrVal(None, bconst(True)))
            stmts = list(rhs.stmts) + bind(info, rhs, node, span)
            return CVal(tuple(stmts), *_value_parts(pointer_value(info, lvalue)))
        if op not in ("+", "-"):
            raise Unsup(f"operator {op}= on a pointer", node)
        old = pointer_value(info, lvalue)
        assert old.expr is not None  # a pointer's value: its offset
        stmts = list(rhs.stmts)
        saved = None
        if post:
            saved = self.temp(OFF)
            stmts.append(ir.Assign(saved, old.expr, span))
        new = shifted(old, as_offset(rhs, node), op == "-", span)
        assert new.expr is not None
        stmts.append(ir.Assign(info.name, new.expr, span))
        now = pointer_value(info, lvalue)
        if saved is not None:
            return CVal(tuple(stmts), ir.Var(saved, OFF), now.ctype, now.ptr)
        return CVal(tuple(stmts), now.expr, now.ctype, now.ptr)

    def pointer_binary(self, op: str, a: CVal, b: CVal, span: ir.Span, node: Any) -> CVal:
        """A binary operator with a pointer operand."""
        if op in ("==", "!=", "<", "<=", ">", ">="):
            a, b = _null_if_zero(a, b.ctype, node.left), _null_if_zero(b, a.ctype, node.right)
            expr = compare(_CMP[op], a, b, node, span)
            return CVal(a.stmts + b.stmts, expr, ct.INT)
        if op == "+" and (a.ptr is None) != (b.ptr is None):
            p, n = (a, b) if a.ptr is not None else (b, a)
            moved = shifted(p, as_offset(n, node), False, span)
            return CVal(a.stmts + b.stmts, moved.expr, moved.ctype, moved.ptr)
        if op == "-" and a.ptr is not None and b.ptr is None:
            moved = shifted(a, as_offset(b, node.right), True, span)
            return CVal(a.stmts + b.stmts, moved.expr, moved.ctype, moved.ptr)
        if op == "-" and a.ptr is not None and b.ptr is not None:
            return difference(a, b, node, span)
        raise Unsup(f"operator {op} on a pointer", node)


_STRING_ESCAPES = {"n": 10, "t": 9, "r": 13, "0": 0, "\\": 92, "'": 39, '"': 34, "a": 7,
                   "b": 8, "f": 12, "v": 11, "?": 63}  # fmt: skip


def string_chars(text: str) -> list[int] | None:
    """The `char` values of a plain string literal's text (with its quotes), or None."""
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        return None
    body, out, k = text[1:-1], [], 0
    while k < len(body):
        ch = body[k]
        if ch == '"':
            return None  # adjacent literals left unjoined
        if ch != "\\":
            if ord(ch) > 127:
                return None
            out.append(ord(ch))
            k += 1
            continue
        nxt = body[k + 1 : k + 2]
        if nxt == "x":
            digits = re.match(r"[0-9a-fA-F]+", body[k + 2 :])
            if digits is None:
                return None
            out.append(int(digits.group(0), 16) & 0xFF)
            k += 2 + len(digits.group(0))
        elif nxt.isdigit() and nxt not in "89":
            digits = re.match(r"[0-7]{1,3}", body[k + 1 :])
            assert digits is not None
            out.append(int(digits.group(0), 8) & 0xFF)
            k += 1 + len(digits.group(0))
        elif nxt in _STRING_ESCAPES:
            out.append(_STRING_ESCAPES[nxt])
            k += 2
        else:
            return None
    return [ct.wrap(c, ct.CHAR) for c in out]


_GENERATOR = c_generator.CGenerator()
_CMP = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}


def source_text(node: Any) -> str:
    """How an access reads in the source (one line, at most 40 characters)."""
    text = " ".join(_GENERATOR.visit(node).split())
    return text if len(text) <= 40 else text[:37] + "..."


def _is_true(expr: ir.Expr) -> bool:
    return isinstance(expr, ir.Const) and expr.value is True


def _null_if_zero(v: CVal, elem: ct.CType | None, node: Any) -> CVal:
    """An integer constant 0 compared with a pointer is the null pointer."""
    if v.ptr is not None:
        return v
    if isinstance(v.expr, ir.Const) and not v.stmts and int(v.expr.value) == 0:
        return null_pointer(elem)
    raise Unsup("comparison of a pointer with an integer", node)


def _value_parts(v: CVal) -> tuple:
    return v.expr, v.ctype, v.ptr
