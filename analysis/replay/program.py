"""The replay program of a Python unit: the unit and the same-file functions it may call,
each compiled from its own text at its own file lines, without the rest of the module.

Methods sit in shells of their classes (`K.m` is `K.__dict__["m"]`; `staticmethod` and
`classmethod` kept), a nested function is defined inside a factory whose parameters are its
free variables (the witness gives them), and units nested in other functions are never
defined twice. Code that a `def` would run by itself -- decorators, default values,
annotations -- is left out: every argument is passed. The program defines
`__prooflens_make__(**free)`, which returns the target.
"""

from __future__ import annotations

import ast
import marshal
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

MAKE = "__prooflens_make__"
_BUILTINS = "__prooflens_builtins__"
_KEPT_DECORATORS = ("staticmethod", "classmethod")


@dataclass(frozen=True)
class PySource:
    """One unit's text and place: `name` dotted (`K.m`, `outer.inner`), `scopes` the kinds
    (`class`/`function`) of the scopes around it, outermost first, `indent` the text
    before its first line."""

    name: str
    line: int
    text: str
    column: int = 1
    scopes: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()
    indent: str | None = None

    @property
    def parts(self) -> list[str]:
        return self.name.split(".")

    @property
    def nested(self) -> bool:
        """Defined inside a function (not reachable from the module by attribute access)."""
        return "function" in self.scopes

    @property
    def in_class(self) -> bool:
        return bool(self.scopes) and self.scopes[-1] == "class"


@dataclass(frozen=True)
class CallSpec:
    """How the target is called: `kind` (function, method, staticmethod, classmethod,
    property, nested), whether it takes a placeholder receiver, its positional and keyword-only
    parameters; the other inputs of a witness are free variables."""

    kind: str
    receiver: bool
    positional: tuple[str, ...]
    keyword: tuple[str, ...]

    def split(self, inputs: dict) -> tuple[list, dict, dict]:
        """(positional values, keyword values, free-variable values) of a witness."""
        args = [inputs.get(p, 0) for p in self.positional]
        kwargs = {p: inputs.get(p, 0) for p in self.keyword if p in inputs}
        own = set(self.positional) | set(self.keyword)
        return args, kwargs, {k: v for k, v in inputs.items() if k not in own and "." not in k}

    @staticmethod
    def fields(inputs: dict) -> dict:
        """The receiver's field values of a witness (inputs named `self.x`): x -> value."""
        return {k.split(".", 1)[1]: v for k, v in inputs.items() if "." in k}


@dataclass(frozen=True)
class Program:
    code: bytes  # marshalled code object (the replay child runs the same interpreter)
    filename: str
    target: str
    call: CallSpec


# -------------------------------------------------------------------- from syntax units


# Read-only members, so the frozen dataclasses of `syntax` satisfy them.


class _Enclosing(Protocol):
    @property
    def kind(self) -> str: ...


class _Scope(Protocol):
    @property
    def enclosing(self) -> Sequence[_Enclosing]: ...
    @property
    def decorators(self) -> Sequence[str]: ...


class _Unit(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def text(self) -> str: ...


_U = TypeVar("_U", bound=_Unit)


def source_of(unit: _Unit, scope: _Scope, file_text: str) -> PySource:
    """A `syntax.Unit` and its `syntax.PyScope` as replay sees them."""
    lines = file_text.splitlines()
    indent = lines[unit.line - 1][: unit.column - 1] if unit.line <= len(lines) else ""
    if indent.strip():
        indent = " " * (unit.column - 1)
    kinds = tuple(e.kind for e in reversed(scope.enclosing))
    return PySource(unit.name, unit.line, unit.text, unit.column, kinds,
                    tuple(scope.decorators), indent)  # fmt: skip


def sources_of(
    target: _U, units: Iterable[_U], scope_of: Callable[[_U], _Scope], file_text: str
) -> tuple[PySource, list[PySource]]:
    """The target and the other units of its callee closure, converted."""
    others = [source_of(u, scope_of(u), file_text) for u in units if u is not target]
    return source_of(target, scope_of(target), file_text), others


# ------------------------------------------------------------------------- building


def build(
    target: PySource, others: Sequence[PySource], inputs: Sequence[str], filename: str,
    constants: Mapping[str, object] | None = None,
) -> Program | str:  # fmt: skip
    """The program that defines `others` (those reachable from the module) and makes the
    target, whose witness inputs are named `inputs`; or why it cannot be built. `constants`:
    module-level constants the analysis read (name -> an int, bool, str, tuple or list
    value), defined first, as the module defines them."""
    constants = constants or {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            statement = _statement(target, constants)
            call = _call_spec(target, statement)
            free = [n for n in inputs if n not in call.positional and n not in call.keyword
                    and "." not in n]  # `self.x`: a field of the receiver
            body = _body(target, statement, others, free, constants)
            module = ast.Module(body=_constants(constants) + body, type_ignores=[])
            ast.fix_missing_locations(module)
            code = compile(module, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, IndexError) as error:
        return f"cannot build the replay program: {type(error).__name__}: {error}"
    return Program(marshal.dumps(code), filename, target.name, call)


def _constants(constants: Mapping[str, object]) -> list[ast.stmt]:
    """`NAME = value` for each module constant (values are plain literals)."""
    return [ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())],
                       value=ast.parse(repr(value), mode="eval").body, lineno=0)
            for name, value in sorted(constants.items())]  # fmt: skip


def _body(
    target: PySource, statement: ast.stmt, others: Sequence[PySource], free: list[str],
    constants: Mapping[str, object],
) -> list[ast.stmt]:  # fmt: skip
    prologue = ast.parse(f"import builtins as {_BUILTINS}").body
    kept = _reachable(target, others)
    members = [(s, _statement(s, constants)) for s in kept]
    if target.nested:  # made inside the factory, from the free variables
        inner = _module_level([(target, statement)], _innermost_function(target))
        path = target.parts[_innermost_function(target) + 1 :]
        return prologue + _module_level(members, -1) + [_factory(free, inner, path)]
    body = _module_level([*members, (target, statement)], -1)
    return prologue + body + [_factory([], [], target.parts)]


def _reachable(target: PySource, others: Sequence[PySource]) -> list[PySource]:
    """Units the module defines by name or class attribute, once each, in line order; a
    unit inside a function is already part of that function's text."""
    seen: set[tuple[str, int]] = {(target.name, target.line)}
    kept = []
    for source in sorted(others, key=lambda s: s.line):
        key = (source.name, source.line)
        if key not in seen and not source.nested:
            seen.add(key)
            kept.append(source)
    return kept


def _innermost_function(source: PySource) -> int:
    return max(i for i, kind in enumerate(source.scopes) if kind == "function")


def _module_level(members: list[tuple[PySource, ast.stmt]], base: int) -> list[ast.stmt]:
    """Statements defining `members` below scope index `base`: classes become shells
    holding their members (the last member listed comes last, so its name wins)."""
    body: list[ast.stmt] = []
    shells: dict[tuple[str, ...], ast.ClassDef] = {}
    for source, statement in members:
        path = source.parts[base + 1 : -1]
        container = body
        for depth in range(1, len(path) + 1):
            key = tuple(path[:depth])
            if key not in shells:
                shells[key] = _shell(path[depth - 1], statement)
                container.append(shells[key])
            container = shells[key].body
        container.append(statement)
    return body


def _shell(name: str, first: ast.stmt) -> ast.ClassDef:
    shell = ast.ClassDef(name=name, bases=[], keywords=[], body=[], decorator_list=[])
    return ast.copy_location(shell, first)


def _factory(free: list[str], body: list[ast.stmt], path: list[str]) -> ast.FunctionDef:
    """`def __prooflens_make__(<free>): <body>; return <path>` (classes by `__dict__`)."""
    expression = path[0] + "".join(f".__dict__[{p!r}]" for p in path[1:])
    args = ", ".join(free)
    factory = ast.parse(f"def {MAKE}({args}):\n    return {expression}\n").body[0]
    assert isinstance(factory, ast.FunctionDef)
    factory.body[:0] = body
    return factory


def _statement(source: PySource, constants: Mapping[str, object] | None = None) -> ast.stmt:
    """The unit's `def` (or `name = lambda`), at its file lines, without the code a
    definition runs by itself (method decorators kept)."""
    indent = source.indent if source.indent is not None else " " * (source.column - 1)
    if indent:
        text, shift = "if True:\n" + indent + source.text, source.line - 2
    else:
        text, shift = source.text, source.line - 1
    node = ast.parse(text).body[0]
    if isinstance(node, ast.If):
        node = node.body[0]
    ast.increment_lineno(node, shift)
    if isinstance(node, ast.FunctionDef):
        _strip(node.args, constants or {})
        node.returns = None
        node.decorator_list = _decorators(source, node)
        return node
    if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Lambda):
        _strip(node.value.args, constants or {})
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        return ast.copy_location(ast.Assign(targets=[target], value=node.value), node)
    raise ValueError(f"{source.name} is not a function definition")


def _strip(args: ast.arguments, constants: Mapping[str, object]) -> None:
    """Annotations and defaults go, except defaults that are literals or module constants
    the program defines (they run no code): a callee the analysis inlines may rely on
    them."""
    def kept(node: ast.expr | None) -> bool:
        return node is not None and _literal(node, constants)

    if not all(kept(d) for d in args.defaults):
        args.defaults = []
    args.kw_defaults = [d if kept(d) else None for d in args.kw_defaults]
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if arg is not None:
            arg.annotation = None


def _literal(node: ast.expr, constants: Mapping[str, object]) -> bool:
    """An expression of literals and `constants` names only (arithmetic included)."""
    return all(isinstance(n, ast.Constant | ast.operator | ast.unaryop | ast.expr_context
                          | ast.BinOp | ast.UnaryOp)
               or (isinstance(n, ast.Name) and n.id in constants)
               for n in ast.walk(node))  # fmt: skip


def _decorators(source: PySource, node: ast.FunctionDef) -> list[ast.expr]:
    if not source.in_class:
        return []
    kept = [d for d in source.decorators if d in _KEPT_DECORATORS]
    return [ast.copy_location(ast.parse(f"{_BUILTINS}.{d}", mode="eval").body, node)
            for d in kept]  # fmt: skip


def _call_spec(source: PySource, statement: ast.stmt) -> CallSpec:
    if isinstance(statement, ast.FunctionDef):
        args = statement.args
    else:
        assert isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Lambda)
        args = statement.value.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    kind = "nested" if source.nested else "function"
    if source.in_class and not source.nested:
        kind = next((d for d in source.decorators if d in _KEPT_DECORATORS), "method")
        if any(d == "property" or d.endswith((".setter", ".getter", ".deleter"))
               for d in source.decorators):  # fmt: skip
            kind = "property"
    receiver = source.in_class and kind != "staticmethod" and bool(positional)
    if receiver:
        positional = positional[1:]
    return CallSpec(kind, receiver, tuple(positional), tuple(a.arg for a in args.kwonlyargs))
