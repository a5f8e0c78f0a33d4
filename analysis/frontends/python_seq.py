"""Python sequences in the frontend: `str`, `list[T]`, `tuple[T, ...]` annotations, and the
aliasing rule that keeps list mutation exact.

A list is a value in the IR (a mutation assigns the variable a new sequence), which is exact
only while the mutated list object has a single name. So a list that is mutated in place
(`append`, `pop`, `extend`, `insert`, `xs[i] = v`, `xs += ys`) may only be bound to a fresh
list (a display, a concatenation, a slice, `list(...)`) or be a parameter, and it may only be
read where its value cannot escape under a second name (indexing, `len`, `in`, `==`,
truthiness, a method call, `+`, the unit's own `return`). Anything else is unsupported
("aliased list mutation"), and so is mutating a list parameter when another list parameter
could be the same object.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import cast

from prooflens.analysis import ir
from prooflens.analysis.frontends.python_base import Source, Unsupported, pos, walk_own

MUTATORS = frozenset({"append", "pop", "extend", "insert"})
ITEM_TYPES: dict[str, ir.Type] = {"int": ir.INT, "bool": ir.BOOL, "str": ir.STR, "float": ir.FLOAT}
# Builtins that read a list argument without keeping a reference to it.
_READERS = frozenset({"len", "list", "tuple", "bool"})
MAX_CODE_POINT = 0x2FFFF  # z3's largest character


def annotation_type(ann: ast.expr) -> ir.Type | None:
    """The IR type of an annotation, or None when it is not one of the modelled types."""
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        try:
            ann = ast.parse(ann.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(ann, ast.Name):
        return ITEM_TYPES.get(ann.id)
    if not (isinstance(ann, ast.Subscript) and isinstance(ann.value, ast.Name)):
        return None
    head, arg = ann.value.id, ann.slice
    if head in ("list", "List"):
        item = annotation_type(arg)
        return ir.SeqType("list", item) if item in ITEM_TYPES.values() else None
    if head in ("tuple", "Tuple") and isinstance(arg, ast.Tuple) and len(arg.elts) == 2:
        is_ellipsis = isinstance(arg.elts[1], ast.Constant) and arg.elts[1].value is Ellipsis
        item = annotation_type(arg.elts[0])
        if is_ellipsis and item in ITEM_TYPES.values():
            return ir.SeqType("tuple", item)
    return None


def is_list(t: ir.Type) -> bool:
    return isinstance(t, ir.SeqType) and t.kind == "list"


def string_literal(value: str, span: ir.Span) -> ir.StrLit:
    if any(ord(c) > MAX_CODE_POINT for c in value):
        raise Unsupported("string literal with a character above U+2FFFF", span.line,
                          span.column)  # fmt: skip
    return ir.StrLit(value, ir.STR, span)


def empty_value(t: ir.Type, span: ir.Span) -> ir.Expr:
    """A value of `t` for a variable that must be defined but is never read as such."""
    if isinstance(t, ir.FloatType):
        return ir.FloatLit(0.0, ir.FLOAT, span)
    if isinstance(t, ir.SeqType):
        return ir.StrLit("", ir.STR, span) if t.elem is None else ir.SeqLit((), t, span)
    return ir.Const(False, ir.BOOL, span) if t == ir.BOOL else ir.Const(0, ir.INT, span)


def index_error(t: ir.SeqType, what: str = "index") -> str:
    name = {"str": "string", "list": "list", "tuple": "tuple"}[t.kind]
    return f"IndexError: {name} {what} out of range"


def demanded_type(fdef: ast.FunctionDef, name: str) -> ir.Type | None:
    """The type an unannotated parameter's uses demand: `list[int]` when it is indexed,
    measured with `len`, iterated, searched with `in` or mutated as a list (as `int` is
    assumed for one used as a number); None when no use demands a sequence."""
    parents = parent_map(fdef)
    for node in walk_own(fdef):
        if isinstance(node, ast.Name) and node.id == name and demands_sequence(node, parents):
            return ir.SeqType("list", ir.INT)
    return None


def demands_sequence(node: ast.expr, parents: dict[int, ast.AST]) -> bool:
    """Is this read of a value a use only a sequence has (indexed, iterated, measured,
    searched, mutated as a list)?"""
    parent = parents.get(id(node))
    if isinstance(parent, ast.Subscript) and parent.value is node:
        return True
    if isinstance(parent, ast.For) and parent.iter is node:
        return True
    if isinstance(parent, ast.Attribute) and parent.value is node and parent.attr in MUTATORS:
        return True
    if (isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name)
            and parent.func.id == "len" and node in parent.args):  # fmt: skip
        return True
    return isinstance(parent, ast.Compare) and node in parent.comparators and any(
        isinstance(op, ast.In | ast.NotIn) for op in parent.ops
    )


# ------------------------------------------------------------------------ aliasing


Callees = Callable[[str], "ast.FunctionDef | None"]


def mutated_names(
    fdef: ast.FunctionDef, callees: Callees | None = None, seen: frozenset[str] = frozenset()
) -> frozenset[str]:
    """Names mutated in place somewhere in `fdef` (whatever their type), including names
    passed to a same-file function (`callees`: name -> its def) that mutates that parameter."""
    names: set[str] = set()
    for node in walk_own(fdef):
        if callees is not None and isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            names |= _passed_to_mutator(node, callees, seen)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.attr in MUTATORS
        ):
            names.add(node.func.value.id)
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
            if isinstance(node.value, ast.Name):
                names.add(node.value.id)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return frozenset(names)


def _passed_to_mutator(call: ast.Call, callees: Callees, seen: frozenset[str]) -> set[str]:
    name = cast(ast.Name, call.func).id  # the caller's: a call of a plain name
    callee = callees(name) if name not in seen else None
    if callee is None:
        return set()
    inner = mutated_names(callee, callees, seen | {name})
    params = [a.arg for a in callee.args.posonlyargs + callee.args.args]
    return {arg.id for arg, param in zip(call.args, params, strict=False)
            if isinstance(arg, ast.Name) and param in inner}  # fmt: skip


def rebinds(fdef: ast.FunctionDef, name: str) -> bool:
    """Does `fdef` bind `name` other than by an in-place mutation (`=`, `for`, `:=`)?"""
    for node in walk_own(fdef):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            return True
    return False


def parent_map(fdef: ast.FunctionDef) -> dict[int, ast.AST]:
    """id(node) -> its parent, for the nodes of `fdef`'s own body."""
    parents: dict[int, ast.AST] = {}
    for node in walk_own(fdef):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    return parents


def check_read(
    node: ast.Name, parents: dict[int, ast.AST], unit_level: bool, source: Source,
    functions: frozenset[str] = frozenset(),
) -> None:  # fmt: skip
    """A read of a list that is mutated in place: only where it cannot gain a second name
    (an argument of a same-file function, `functions`, is copied in and back out)."""
    parent = parents.get(id(node))
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and (
        parent.func.id in functions and node in parent.args
    ):
        return
    if not _plain_use(node, parents, unit_level):
        raise Unsupported(f"aliased list mutation ({node.id} may get another name here)",
                          *pos(source, node))  # fmt: skip


def check_fresh(name: str, value: ast.expr, source: Source) -> None:
    """A list that is mutated in place may only be bound to a new list object."""
    fresh = isinstance(value, ast.List | ast.ListComp | ast.BinOp) or (
        isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice)
    ) or (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
          and value.func.id == "list")  # fmt: skip
    if not fresh:
        raise Unsupported(f"aliased list mutation ({name} is bound to a list that may have "
                          "another name)", *pos(source, value))  # fmt: skip


def _plain_use(node: ast.AST, parents: dict[int, ast.AST], unit_level: bool) -> bool:
    parent = parents.get(id(node))
    if isinstance(parent, ast.Subscript | ast.Attribute):
        return parent.value is node
    if isinstance(parent, ast.Compare | ast.BinOp):
        return True
    if isinstance(parent, ast.Call):
        func = parent.func
        return isinstance(func, ast.Name) and func.id in _READERS and node in parent.args
    if isinstance(parent, ast.Return):
        return unit_level
    return _truth_context(node, parents)


def _truth_context(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """Is `node` only tested for truth (an `if`/`while`/`assert` test, under `not`/`and`/`or`
    there)?"""
    parent = parents.get(id(node))
    if isinstance(parent, ast.If | ast.While | ast.Assert | ast.IfExp):
        return parent.test is node
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
        return True
    if isinstance(parent, ast.BoolOp):
        return _truth_context(parent, parents)
    return False
