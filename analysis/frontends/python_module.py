"""What a Python unit sees of its module: same-file functions callable by name, integer
constants, and every other module-level binding (so that a rebound name is never taken
for a builtin, a function or a constant).

A module-level constant is a name bound exactly once, unconditionally, by `N = <expr>`
whose value is an int or bool computed from literals and earlier constants, and never
rebound through `global N` in a function. Its value is the one the module gives it when
imported; rebinding from outside the file (`module.N = ...`) is not modelled.
"""

from __future__ import annotations

import ast
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prooflens.analysis.frontends.python_base import SCOPES

if TYPE_CHECKING:
    from prooflens.analysis.syntax import ParsedFile, Unit

MAX_CONSTANT_BITS = 4096
FUNCTOOLS = ("cache", "lru_cache", "wraps")
_CACHE: list[tuple[object, ModuleInfo]] = []  # a few recent files, by identity


@dataclass(frozen=True)
class ModuleInfo:
    """`functions`: module-level units callable by name (the later def wins);
    `constants`: known int/bool values; `others`: every other module-level name, with
    what binds it; `functools`: local name -> functools attribute (`"."` for the module)."""

    functions: dict[str, Unit]
    constants: dict[str, int | bool]
    others: dict[str, str]
    functools: dict[str, str]
    # Names bound once to a str, tuple or list literal of int, bool or str items (a list
    # only when nothing in the file can mutate it): name -> its value.
    sequences: dict[str, str | tuple | list] = field(default_factory=dict)

    def describe(self, name: str) -> str | None:
        return self.others.get(name)


def module_info(parsed: ParsedFile) -> ModuleInfo:
    """The module context of `parsed` (cached for the last few files)."""
    for key, info in _CACHE:
        if key is parsed:
            return info
    info = _scan(parsed)
    _CACHE.insert(0, (parsed, info))
    del _CACHE[4:]
    return info


# ------------------------------------------------------------------------- scanning


@dataclass
class _Scan:
    defs: Counter[str]
    bindings: Counter[str]  # every module-level binding, defs included
    kinds: dict[str, str]
    assigned: dict[str, ast.expr]  # `N = expr` statements, in file order
    functools: dict[str, str]
    reliable: bool = True


def _scan(parsed: ParsedFile) -> ModuleInfo:
    scan = _Scan(Counter(), Counter(), {}, {}, {})
    root = getattr(getattr(parsed, "tree", None), "root_node", None)
    for node in root.children if root is not None else ():
        _statement(scan, node)
    rebound = _global_stores(parsed)
    functions: dict[str, Unit] = {}
    for unit in parsed.units:
        if unit.language == "python" and unit.column == 1 and "." not in unit.name:
            name = unit.name
            if scan.bindings[name] == scan.defs[name] and name not in rebound:
                functions[name] = unit
    if root is None:  # no tree (tests): every column-1 unit, as before
        functions = {u.name: u for u in parsed.units if u.column == 1 and "." not in u.name}
    constants = _constants(scan, rebound) if scan.reliable else {}
    others = {name: scan.kinds.get(name, "a module-level name") for name in scan.bindings
              if name not in functions and name not in constants}  # fmt: skip
    for name in rebound:
        others[name] = "a global assigned in a function"
    sequences = _sequences(parsed, scan, rebound, constants) if scan.reliable else {}
    for name in sequences:
        others.pop(name, None)
    return ModuleInfo(functions, constants, others, dict(scan.functools), sequences)


def _statement(scan: _Scan, node: Any) -> None:
    """Record the module-level bindings of one top-level tree-sitter statement."""
    kind = node.type
    if kind == "comment":
        return
    if kind in ("function_definition", "decorated_definition"):
        inner = node.child_by_field_name("definition") if kind == "decorated_definition" else node
        name = inner.child_by_field_name("name") if inner is not None else None
        if inner is not None and name is not None:
            text = name.text.decode("utf-8", "replace")
            scan.bindings[text] += 1
            if inner.type == "function_definition":
                scan.defs[text] += 1
            else:
                scan.kinds[text] = "a class"
            return
    tree = _parse(node.text.decode("utf-8", "replace"))
    if tree is None:
        scan.reliable = False
        return
    for stmt in tree.body:
        _ast_statement(scan, stmt)


def _ast_statement(scan: _Scan, stmt: ast.stmt) -> None:
    if isinstance(stmt, ast.Assign | ast.AnnAssign) and _single_name(stmt) is not None:
        name = _single_name(stmt)
        assert name is not None
        scan.bindings[name] += 1
        scan.kinds.setdefault(name, _value_kind(stmt.value))
        if stmt.value is not None:
            scan.assigned.setdefault(name, stmt.value)
            if scan.bindings[name] > 1:
                scan.assigned.pop(name, None)
        return
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        _imports(scan, stmt)
    for name, kind in _bindings(stmt):
        scan.bindings[name] += 1
        scan.kinds.setdefault(name, kind)
        if kind == "a def inside a compound statement":
            scan.defs[name] += 0  # a conditional def is not callable by name


def _value_kind(value: ast.expr | None) -> str:
    if isinstance(value, ast.Constant) and type(value.value) not in (int, bool):
        return f"a {type(value.value).__name__} constant"
    return "a module-level variable"


def _single_name(stmt: ast.Assign | ast.AnnAssign) -> str | None:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    if len(targets) == 1 and isinstance(targets[0], ast.Name):
        return targets[0].id
    return None


def _imports(scan: _Scan, stmt: ast.Import | ast.ImportFrom) -> None:
    if isinstance(stmt, ast.Import):
        for alias in stmt.names:
            if alias.name == "functools":
                scan.functools[alias.asname or "functools"] = "."
    elif stmt.module == "functools" and stmt.level == 0:
        for alias in stmt.names:
            if alias.name in FUNCTOOLS:
                scan.functools[alias.asname or alias.name] = alias.name


def _bindings(stmt: ast.stmt) -> list[tuple[str, str]]:
    """(name, what binds it) for every name a module-level statement binds."""
    out: list[tuple[str, str]] = []
    compound = not isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.Import
                              | ast.ImportFrom | ast.Expr | ast.Delete)  # fmt: skip
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            out.append((node.id, "a variable assigned more than once or conditionally"))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            out.append((node.name, "a def inside a compound statement" if compound else
                        "a function"))  # fmt: skip
        elif isinstance(node, ast.ClassDef):
            out.append((node.name, "a class"))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            out.extend(((a.asname or a.name).split(".")[0], "an imported name")
                       for a in node.names)  # fmt: skip
        elif isinstance(node, ast.alias | ast.arg):
            continue
        if not isinstance(node, SCOPES):
            stack.extend(ast.iter_child_nodes(node))
    return out


def _parse(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _global_stores(parsed: ParsedFile) -> set[str]:
    """Names some function declares `global` and assigns."""
    names: set[str] = set()
    for unit in parsed.units:
        if "global" not in unit.text:
            continue
        tree = _parse(unit.text if unit.column == 1 else "if 1:\n " + unit.text)
        if tree is None:
            if "global" in unit.text:  # unparseable: assume the worst for every name
                names.update(_words(unit.text))
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                declared = {n for s in ast.walk(node) if isinstance(s, ast.Global)
                            for n in s.names}  # fmt: skip
                stored = {s.id for s in ast.walk(node) if isinstance(s, ast.Name)
                          and isinstance(s.ctx, ast.Store | ast.Del)}  # fmt: skip
                names.update(declared & stored)
    return names


def _words(text: str) -> set[str]:
    word = ""
    out: set[str] = set()
    for ch in text + " ":
        if ch.isalnum() or ch == "_":
            word += ch
        elif word:
            out.add(word)
            word = ""
    return out


# ------------------------------------------------------------------------ constants


def _sequences(
    parsed: ParsedFile, scan: _Scan, rebound: set[str], constants: dict[str, int | bool]
) -> dict[str, str | tuple | list]:
    """Sequence constants (see `ModuleInfo.sequences`). A list qualifies only when every
    use of its name anywhere in the file (whatever scope) only reads it: indexed, sliced,
    measured with `len`, iterated, or searched with `in` -- never mutated nor passed on."""
    found: dict[str, str | tuple | list] = {}
    for name, expr in scan.assigned.items():
        if scan.bindings[name] != 1 or name in rebound or name in constants:
            continue
        value = _sequence_literal(expr, constants)
        if value is not None:
            found[name] = value
    lists = {n for n, v in found.items() if isinstance(v, list)}
    if lists:
        tree = _parse(parsed.text)
        if tree is None:
            return {n: v for n, v in found.items() if n not in lists}
        for name in _escaping_names(tree, lists, len_is_builtin=scan.bindings["len"] == 0):
            found.pop(name, None)
    return found


def _sequence_literal(
    node: ast.expr, constants: dict[str, int | bool]
) -> str | tuple | list | None:
    if isinstance(node, ast.Constant) and type(node.value) is str:
        return node.value
    if not isinstance(node, ast.List | ast.Tuple):
        return None
    items: list[object] = []
    for elt in node.elts:
        if isinstance(elt, ast.Constant) and type(elt.value) is str:
            items.append(elt.value)
            continue
        value = constant_value(elt, constants)
        if value is None:
            return None
        items.append(value)
    kinds = {str if isinstance(i, str) else bool if isinstance(i, bool) else int for i in items}
    if len(kinds - {bool, int}) and len(kinds) > 1:
        return None
    return items if isinstance(node, ast.List) else tuple(items)


def _escaping_names(tree: ast.Module, names: set[str], len_is_builtin: bool) -> set[str]:
    """Those of `names` some use in `tree` may mutate or pass on."""
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    escaping: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Name) and node.id in names):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, ast.Assign | ast.AnnAssign) and node in (
            parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        ):
            continue  # its own binding (bound once: checked by the caller)
        reads = (
            isinstance(node.ctx, ast.Load) and (
                (isinstance(parent, ast.Subscript) and parent.value is node
                 and isinstance(parent.ctx, ast.Load))
                or (isinstance(parent, ast.For | ast.comprehension) and parent.iter is node)
                or (len_is_builtin and isinstance(parent, ast.Call)
                    and isinstance(parent.func, ast.Name) and parent.func.id == "len"
                    and parent.args == [node] and not parent.keywords)
                or (isinstance(parent, ast.Compare) and node in parent.comparators
                    and all(isinstance(op, ast.In | ast.NotIn) for op in parent.ops))
            )
        )  # fmt: skip
        if not reads:
            escaping.add(node.id)
    return escaping


def _constants(scan: _Scan, rebound: set[str]) -> dict[str, int | bool]:
    """Values of the names assigned once, in file order, from literals and earlier ones."""
    known: dict[str, int | bool] = {}
    for name, expr in scan.assigned.items():
        if scan.bindings[name] != 1 or name in rebound:
            continue
        value = constant_value(expr, known)
        if value is not None:
            known[name] = value
    return known


def constant_value(node: ast.expr, known: dict[str, int | bool]) -> int | bool | None:
    """The int or bool value of a constant expression, or None (not one, or too big)."""
    try:
        value = _evaluate(node, known)
    except (ArithmeticError, ValueError, TypeError):
        return None
    if value is None or (not isinstance(value, bool) and value.bit_length() > MAX_CONSTANT_BITS):
        return None
    return value


def _evaluate(node: ast.expr, known: dict[str, int | bool]) -> int | bool | None:
    if isinstance(node, ast.Constant):
        value = node.value  # exactly an int or a bool (not a subclass)
        return value if isinstance(value, int) and type(value) in (int, bool) else None
    if isinstance(node, ast.Name):
        return known.get(node.id)
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, known)
        if operand is None:
            return None
        ops = {ast.USub: lambda v: -v, ast.UAdd: lambda v: +v, ast.Invert: lambda v: ~v,
               ast.Not: lambda v: not v}  # fmt: skip
        return ops[type(node.op)](operand)
    if isinstance(node, ast.BinOp):
        return _binop(node, known)
    return None


def _binop(node: ast.BinOp, known: dict[str, int | bool]) -> int | None:
    left, right = _evaluate(node.left, known), _evaluate(node.right, known)
    if left is None or right is None:
        return None
    op = type(node.op)
    if op is ast.Pow and not 0 <= right <= 64:
        return None
    if op in (ast.LShift, ast.RShift) and not 0 <= right <= MAX_CONSTANT_BITS:
        return None
    ops: dict[type[ast.operator], Callable[[int, int], object]] = {
        ast.Add: int.__add__, ast.Sub: int.__sub__, ast.Mult: int.__mul__,
        ast.FloorDiv: int.__floordiv__, ast.Mod: int.__mod__, ast.Pow: int.__pow__,
        ast.LShift: int.__lshift__, ast.RShift: int.__rshift__, ast.BitAnd: int.__and__,
        ast.BitOr: int.__or__, ast.BitXor: int.__xor__}  # fmt: skip
    if op not in ops or abs(left).bit_length() > MAX_CONSTANT_BITS:
        return None
    result = ops[op](int(left), int(right))
    return result if isinstance(result, int) else None
