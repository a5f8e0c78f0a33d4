"""Objects of same-file classes as the Python frontend models them: the fields a method
reads on its receiver (`self.x`) are inputs of the unit.

A read `self.x` in a method (or property; `cls.x` in a class method) is the input `self.x`
when `x` is a *data
attribute* for every class the file shows: not a dunder name, not defined in the class body
or a same-file base by a `def`, a nested class or a binding to anything but a constant
(so it is no method, property or other descriptor), and no class there defines
`__getattr__`/`__getattribute__`. Its type is the class-body annotation
(`x: float`), else the one its uses in the method demand, else `int` -- an assumption the
unit states ("self.x: int, a data attribute"), or the type of the value the method assigns
to it (`self.x = v`, `self.x += v`: later reads see v); a list field is unsupported (an
object's list may have other names, whose mutation is not modelled). The method may not
delete or call `self.x`, nor use `self` otherwise (each stays unsupported), so the object
has no other name in the unit: every read of `self.x` sees the caller's value or the last
one assigned. Replay passes an object whose attributes are the witness's field values.
"""

from __future__ import annotations

import ast
import builtins
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prooflens.analysis import ir
from prooflens.analysis.frontends import python_seq as seq
from prooflens.analysis.frontends.python_base import Source, Unsupported, pos, walk_own

if TYPE_CHECKING:
    from prooflens.analysis.syntax import ParsedFile, PyScope

# Attribute access is not plain with these (`__slots__` members are plain data attributes).
_OPAQUE = frozenset({"__getattr__", "__getattribute__", "__setattr__", "__delattr__"})
_CACHE: list[tuple[object, dict[tuple[str, int], ast.ClassDef], dict[str, list[ast.stmt]]]] = []


@dataclass(frozen=True)
class ClassView:
    """What the file shows of a class and its same-file bases."""

    name: str
    members: frozenset[str]  # names that are not plain data attributes
    annotations: dict[str, ast.expr]  # `x: T` in a class body (the nearest class first)
    opaque: str | None  # why attribute reads are not plain (None: they are)
    external_bases: tuple[str, ...]  # bases the file does not define


def class_view(parsed: ParsedFile, scope: PyScope | None) -> ClassView | None:
    """The class a method `scope` sits in (None when it cannot be found)."""
    if scope is None or not scope.enclosing or scope.enclosing[0].kind != "class":
        return None
    enclosing = scope.enclosing[0]
    by_place, by_name = _classes(parsed)
    line = parsed.text.encode("utf-8")[: enclosing.start_byte].count(b"\n") + 1
    node = by_place.get((enclosing.name, line))
    if node is None:
        return None
    members: set[str] = set()
    annotations: dict[str, ast.expr] = {}
    opaque: str | None = None
    external: list[str] = []
    seen: set[int] = set()
    todo = [node]
    while todo:
        cls = todo.pop(0)
        if id(cls) in seen:
            continue
        seen.add(id(cls))
        for stmt in cls.body:
            _member(stmt, members, annotations)
        found = members & _OPAQUE
        if found and opaque is None:
            opaque = f"class {cls.name} defines {sorted(found)[0]}"
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id == "object":
                continue
            bound = by_name.get(base.id, []) if isinstance(base, ast.Name) else []
            if len(bound) == 1 and isinstance(bound[0], ast.ClassDef):  # a class of this file
                todo.append(bound[0])
            else:
                external.append(ast.unparse(base))
        if cls.keywords:  # a metaclass may define attribute access
            opaque = opaque or f"class {cls.name} has a metaclass or class keywords"
    return ClassView(node.name, frozenset(members), annotations, opaque, tuple(external))


def _member(stmt: ast.stmt, members: set[str], annotations: dict[str, ast.expr]) -> None:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        members.add(stmt.name)
    elif isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            for name in _names(target):
                if not _constant(stmt.value):
                    members.add(name)
    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        annotations.setdefault(stmt.target.id, stmt.annotation)
        if stmt.value is not None and not _constant(stmt.value):
            members.add(stmt.target.id)
    elif isinstance(stmt, ast.If | ast.Try | ast.With | ast.For | ast.While):  # conditional
        for block in ("body", "orelse", "finalbody"):
            for child in getattr(stmt, block, []):
                _member(child, members, annotations)
        for handler in getattr(stmt, "handlers", []):
            for child in handler.body:
                _member(child, members, annotations)
    elif isinstance(stmt, ast.Import | ast.ImportFrom):
        members.update((a.asname or a.name).split(".")[0] for a in stmt.names)
    elif isinstance(stmt, ast.AugAssign | ast.Delete | ast.Expr):
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
                members.add(node.id)


def _names(target: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


def _constant(value: ast.expr) -> bool:
    """A value that is certainly no descriptor: a literal (or a tuple of literals)."""
    if isinstance(value, ast.Constant):
        return True
    if isinstance(value, ast.UnaryOp) and isinstance(value.operand, ast.Constant):
        return True
    if isinstance(value, ast.Tuple):
        return all(_constant(e) for e in value.elts)
    return False


def _classes(
    parsed: ParsedFile,
) -> tuple[dict[tuple[str, int], ast.ClassDef], dict[str, list[ast.stmt]]]:
    """Every class of the file by (name, line), and the module-level statements that bind
    each name (class statements and others)."""
    for key, places, names in _CACHE:
        if key is parsed:
            return places, names
    by_place: dict[tuple[str, int], ast.ClassDef] = {}
    by_name: dict[str, list[ast.stmt]] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(parsed.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = ast.Module(body=[], type_ignores=[])
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            by_place[(node.name, node.lineno)] = node
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef):
            by_name.setdefault(stmt.name, []).append(stmt)
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.Assign | ast.Import
                        | ast.ImportFrom | ast.AnnAssign):  # fmt: skip
            for name in _bound(stmt):
                by_name.setdefault(name, []).append(stmt)
    _CACHE.insert(0, (parsed, by_place, by_name))
    del _CACHE[4:]
    return by_place, by_name


def _bound(stmt: ast.FunctionDef | ast.AsyncFunctionDef | ast.Assign | ast.Import
           | ast.ImportFrom | ast.AnnAssign) -> list[str]:  # fmt: skip
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        return [stmt.name]
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return [(a.asname or a.name).split(".")[0] for a in stmt.names]
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return [n for t in targets for n in _names(t)]


# ------------------------------------------------------------------------ receiver fields


@dataclass(frozen=True)
class Field:
    attr: str
    type: ir.Type
    node: ast.Attribute  # its first read
    assumption: str


def receiver_fields(
    fdef: ast.FunctionDef, receiver: str, view: ClassView | None, source: Source,
    forced: dict[str, ir.Type] | None = None,
) -> list[Field]:  # fmt: skip
    """The fields `receiver.x` that `fdef` reads or assigns, in order of first use (`forced`:
    the type a previous lowering found assigned to `receiver.x`); a use of the receiver
    that is neither is left to the lowerer (which rejects it)."""
    parents = seq.parent_map(fdef)
    fields: dict[str, Field] = {}
    for node in walk_own(fdef):
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id == receiver):  # fmt: skip
            continue
        if isinstance(node.ctx, ast.Del):
            continue  # `del`: unsupported where it is lowered
        parent = parents.get(id(node))
        if isinstance(parent, ast.Call) and parent.func is node:
            continue  # a method call: unsupported where it is lowered
        if node.attr in fields:
            continue
        where = pos(source, node)
        if view is None:
            raise Unsupported(f"read of {receiver}.{node.attr} (its class is not found)", *where)
        if node.attr.startswith("__") and node.attr.endswith("__"):
            raise Unsupported(f"read of {receiver}.{node.attr} (a special attribute)", *where)
        if view.opaque is not None:
            raise Unsupported(f"read of {receiver}.{node.attr} ({view.opaque})", *where)
        if node.attr in view.members:
            raise Unsupported(f"read of {receiver}.{node.attr} (a method, property or class "
                              "attribute of its class)", *where)  # fmt: skip
        t, how = _field_type(fdef, receiver, node.attr, view, source, parents)
        if forced and f"{receiver}.{node.attr}" in forced and how == "assumed":
            t, how = forced[f"{receiver}.{node.attr}"], "as assigned"
        if seq.is_list(t):
            raise Unsupported(f"list field {receiver}.{node.attr} (an object's list may "
                              "have other names)", *where)  # fmt: skip
        assumption = f"{receiver}.{node.attr}: {t} ({how}), a data attribute"
        fields[node.attr] = Field(node.attr, t, node, assumption)
    return list(fields.values())


def _field_type(
    fdef: ast.FunctionDef, receiver: str, attr: str, view: ClassView, source: Source,
    parents: dict[int, ast.AST],
) -> tuple[ir.Type, str]:  # fmt: skip
    ann = view.annotations.get(attr)
    if ann is not None:
        t = seq.annotation_type(ann)
        if t is None:
            raise Unsupported(f"field type {ast.unparse(ann)[:40]} ({receiver}.{attr})",
                              *pos(source, ann))  # fmt: skip
        return t, "annotated"
    for node in walk_own(fdef):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id == receiver and node.attr == attr
                and seq.demands_sequence(node, parents)):  # fmt: skip
            return ir.SeqType("list", ir.INT), "assumed from its uses"
    return ir.INT, "assumed"


_CLASS_DECORATORS = frozenset({"dataclass", "dataclasses.dataclass", "total_ordering",
                               "functools.total_ordering"})  # return the class itself


def plain_class(parsed: ParsedFile, name: str) -> bool:
    """Is the module-level name `name` a class whose `isinstance` checks are plain subclass
    tests: bound once, by a `class` statement without a metaclass (no class keywords, only
    decorators that return the class), whose bases are `object`, builtin classes or such
    classes of the same file (an ABC may have registered virtual subclasses)?"""
    _, by_name = _classes(parsed)
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        nodes = by_name.get(current, [])
        if len(nodes) != 1 or not isinstance(nodes[0], ast.ClassDef):
            return False
        cls = nodes[0]
        if cls.keywords or any(ast.unparse(d) not in _CLASS_DECORATORS
                               for d in cls.decorator_list):  # fmt: skip
            return False
        for base in cls.bases:
            if not isinstance(base, ast.Name):
                return False
            builtin = getattr(builtins, base.id, None)
            if base.id in by_name:
                todo.append(base.id)
            elif not (isinstance(builtin, type) and type(builtin) is type):
                return False
    return True
