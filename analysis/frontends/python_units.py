"""Python units as the frontend sees them: the `def` (or named lambda) of a unit, where it
sits (module, class, function), its decorators, its receiver (`self`/`cls`) and, for a
nested function, its free variables (inputs of the unit).

Decorators: `functools.cache`/`lru_cache`/`wraps(...)` do not change what a call computes
on ints and are transparent; `staticmethod`, `classmethod` and `property` (with its
`.setter`/`.getter`/`.deleter`) are transparent on methods; any other decorator makes the
unit unsupported, with the decorator named.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prooflens.analysis import syntax
from prooflens.analysis.frontends.python_base import (
    Source,
    Unsupported,
    bound_names,
    pos,
    walk_own,
)
from prooflens.analysis.frontends.python_module import ModuleInfo

if TYPE_CHECKING:
    from prooflens.analysis.syntax import ParsedFile, PyScope, Unit

METHOD_DECORATORS = ("staticmethod", "classmethod", "property")
_PROPERTY_PARTS = ("setter", "getter", "deleter")
# Bindings in an enclosing function that are certainly not ints.
_NOT_INT = (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp,
            ast.GeneratorExp, ast.JoinedStr, ast.Lambda)  # fmt: skip


@dataclass(frozen=True)
class ParsedUnit:
    """The `ast` of a unit's function (a named lambda as an equivalent `def`), its source
    positions, its scope (None when the tree does not match the unit), and its kind:
    `function`, `method`, `staticmethod`, `classmethod`, `property` or `nested`."""

    fdef: ast.FunctionDef
    source: Source
    scope: PyScope | None
    kind: str

    @property
    def receiver(self) -> ast.arg | None:
        """`self` or `cls`: the first parameter of a method that is not static."""
        if self.kind not in ("method", "classmethod", "property"):
            return None
        args = self.fdef.args.posonlyargs + self.fdef.args.args
        return args[0] if args else None


def parse_unit(parsed: ParsedFile, unit: Unit, module: ModuleInfo) -> ParsedUnit:
    """Parse a unit's text (positions shifted to the file's) and check its decorators."""
    text, shift = unit.text, unit.line - 1
    if unit.column > 1:  # an indented def: parse it inside a dummy block
        file_lines = parsed.text.splitlines()
        prefix = ""
        if unit.line <= len(file_lines):
            prefix = file_lines[unit.line - 1][: unit.column - 1]
        if prefix.strip():
            prefix = " " * (unit.column - 1)
        text, shift = "if True:\n" + prefix + text, shift - 1
    module_ast = _parse_text(parsed, unit, text, shift)
    node: ast.AST | None = module_ast.body[0] if module_ast.body else None
    if isinstance(node, ast.If):
        node = node.body[0]
    source = Source(tuple(text.splitlines()), shift)
    if isinstance(node, ast.AsyncFunctionDef):
        raise Unsupported("async function", *pos(source, node))
    fdef = _as_function(node)
    if fdef is None:
        raise Unsupported("unit that is not a function definition", unit.line, unit.column)
    scope = syntax.python_scope(parsed, unit)
    kind = _kind(parsed, unit, scope, module)
    return ParsedUnit(fdef, source, scope, kind)


def _parse_text(parsed: ParsedFile, unit: Unit, text: str, shift: int) -> ast.Module:
    try:
        with warnings.catch_warnings():  # e.g. SyntaxWarning: not for the editor's stderr
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (RecursionError, MemoryError):
        raise Unsupported("expression nested too deeply", unit.line, unit.column) from None
    except SyntaxError as exc:
        message = (exc.msg or "syntax error").lower()
        if "too many nested" in message or "too complex" in message:
            raise Unsupported("expression nested too deeply", unit.line, unit.column) from None
        newer = syntax.python_newer_syntax(parsed, unit)
        if newer is not None:
            raise Unsupported(f"syntax (Python 3.12+): {newer[0]}", newer[1], newer[2]) from None
        line = (exc.lineno or 1) + shift
        raise Unsupported(f"syntax error ({exc.msg})", line, exc.offset or 1) from None
    except ValueError as exc:  # e.g. null bytes in the source
        raise Unsupported(f"unparseable source ({exc})", unit.line, unit.column) from None


def _as_function(node: ast.AST | None) -> ast.FunctionDef | None:
    """A `def`, or `name = lambda ...: body` as `def name(...): return body`."""
    if isinstance(node, ast.FunctionDef):
        return node
    value = getattr(node, "value", None)
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    if not (isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(value, ast.Lambda)
            and len(targets) == 1 and isinstance(targets[0], ast.Name)):  # fmt: skip
        return None
    body = ast.copy_location(ast.Return(value=value.body), value.body)
    fdef = ast.FunctionDef(name=targets[0].id, args=value.args, body=[body], decorator_list=[],
                           returns=None, type_comment=None)  # fmt: skip
    return ast.copy_location(fdef, node)


def _kind(parsed: ParsedFile, unit: Unit, scope: PyScope | None, module: ModuleInfo) -> str:
    """The unit's kind; an unknown decorator, or a method decorator elsewhere, is
    unsupported."""
    if scope is None:  # the tree does not match: judge decorators from the text
        if _decorated_above(parsed.text, unit.line):
            raise Unsupported("decorator", unit.line, unit.column)
        return "function"
    is_method = scope.is_method
    kind = "method" if is_method else ("function" if scope.is_module_level else "nested")
    for decorator in scope.decorators:
        if _transparent(decorator, module):
            continue
        head = decorator.split("(")[0].strip()
        if is_method and head in METHOD_DECORATORS and head == decorator:
            kind = head if head != "property" else "property"
        elif is_method and "." in head and head.rsplit(".", 1)[1] in _PROPERTY_PARTS:
            kind = "property"
        else:
            raise Unsupported(f"decorator @{decorator[:60]}", unit.line, unit.column)
    return kind


def _transparent(decorator: str, module: ModuleInfo) -> bool:
    """`functools.cache`, `lru_cache` (bare or called), `wraps(...)`, as the module
    imports them."""
    head, _, rest = decorator.partition("(")
    head = head.strip()
    if "." in head:
        base, attribute = head.split(".", 1)
        name = attribute if module.functools.get(base) == "." else None
    else:
        name = module.functools.get(head)
    if name == "wraps":
        return bool(rest)
    return name in ("cache", "lru_cache") and (name == "lru_cache" or not rest)


def _decorated_above(text: str, line: int) -> bool:
    """Does a decorator line precede the `def` on `line`? (Fallback without a tree.)"""
    lines = text.splitlines()
    index = line - 2
    while 0 <= index < len(lines):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("#"):
            return stripped.startswith("@")
        index -= 1
    return False


# ------------------------------------------------------------------- free variables


@dataclass(frozen=True)
class FreeVariable:
    name: str
    node: ast.Name  # its first read in the unit


def free_variables(
    parsed: ParsedFile, unit: Unit, unit_ast: ParsedUnit, module: ModuleInfo
) -> list[FreeVariable]:
    """Names a nested function reads that a function around it binds: inputs of the unit.
    One that is certainly not an int there (a function, a class, `self`, a list, a float
    literal, a parameter annotated otherwise) is unsupported."""
    scope = unit_ast.scope
    if scope is None or unit_ast.kind != "nested":
        return []
    own = bound_names(unit_ast.fdef)
    reads: dict[str, ast.Name] = {}
    for node in walk_own(unit_ast.fdef):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in own:
            reads.setdefault(node.id, node)
    free: list[FreeVariable] = []
    remaining = dict(reads)
    for enclosing in scope.enclosing:
        if enclosing.kind != "function" or not remaining:
            continue
        outer = _enclosing_unit(parsed, enclosing, unit, module)
        names = bound_names(outer.fdef)
        for name in [n for n in remaining if n in names]:
            why = _not_int(outer, name)
            if why is not None:
                raise Unsupported(f"free variable {name} ({why})",
                                  *pos(unit_ast.source, remaining[name]))  # fmt: skip
            free.append(FreeVariable(name, remaining.pop(name)))
    return free


def _enclosing_unit(
    parsed: ParsedFile, enclosing: syntax.PyEnclosing, unit: Unit, module: ModuleInfo
) -> ParsedUnit:
    for other in parsed.units:
        if other.start_byte == enclosing.start_byte and other.end_byte == enclosing.end_byte:
            try:
                return parse_unit(parsed, other, module)
            except Unsupported:
                break
    raise Unsupported(f"nested function in {enclosing.name}, which cannot be read",
                      unit.line, unit.column)  # fmt: skip


def _not_int(outer: ParsedUnit, name: str) -> str | None:
    """Why `name`, bound in `outer`, is certainly not an int there (None: it may be)."""
    args = outer.fdef.args
    receiver = outer.receiver
    if receiver is not None and receiver.arg == name:
        return "an object"
    for arg in args.posonlyargs + args.args + args.kwonlyargs:
        if arg.arg == name and arg.annotation is not None:
            ann = arg.annotation
            if not (isinstance(ann, ast.Name) and ann.id in ("int", "bool")):
                return f"annotated {outer.source.segment(ann)}"
    if name in {a.arg for a in (args.vararg, args.kwarg) if a is not None}:
        return "a tuple or dict of arguments"
    for node in walk_own(outer.fdef):
        why = _binding_not_int(node, name)
        if why is not None:
            return why
    return None


def _binding_not_int(node: ast.AST, name: str) -> str | None:
    """Why this statement of the enclosing function binds `name` to a non-int, if so."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return ("a class" if isinstance(node, ast.ClassDef) else "a function") \
            if node.name == name else None
    if isinstance(node, ast.Import | ast.ImportFrom):
        names = {(a.asname or a.name).split(".")[0] for a in node.names}
        return "an imported name" if name in names else None
    if isinstance(node, ast.For) and _binds(node.target, name) and not _is_range(node.iter):
        return "a loop variable over a non-range iterable"
    if isinstance(node, ast.ExceptHandler) and node.name == name:
        return "an exception"
    if isinstance(node, ast.With) and any(
        i.optional_vars is not None and _binds(i.optional_vars, name) for i in node.items
    ):
        return "a context manager's value"
    if isinstance(node, ast.Assign) and any(_binds(t, name) for t in node.targets):
        simple = len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        return _value_not_int(node.value) if simple else "unpacked from a value"
    if isinstance(node, ast.AnnAssign) and _binds(node.target, name):
        ann = node.annotation
        if not (isinstance(ann, ast.Name) and ann.id in ("int", "bool")):
            return f"annotated {ast.unparse(ann)}"
        return _value_not_int(node.value) if node.value is not None else None
    if isinstance(node, ast.AugAssign | ast.NamedExpr) and _binds(node.target, name):
        return _value_not_int(node.value)
    return None


def _value_not_int(value: ast.expr) -> str | None:
    if isinstance(value, _NOT_INT):
        return "not an int"
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Div):
        return "a float"
    if isinstance(value, ast.Constant) and type(value.value) not in (int, bool):
        return f"a {type(value.value).__name__}"
    return None


def _binds(target: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target))


def _is_range(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and node.func.id == "range"
