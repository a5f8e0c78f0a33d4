"""Python frontend: the `ast` of one function unit -> `ir.Function` (or `ir.Unsupported`).

The subset is int/bool code: arithmetic, comparisons, `and`/`or`/`not`, `if`, `while`,
`for ... in range(...)`, asserts and calls to other functions of the same file (inlined);
and `str`, `list[T]`, `tuple[T, ...]` (T int, bool or str) as z3 sequences: literals,
`len`, indexing (IndexError checks: property `exception`), slices, `+`, `in`, `==`,
`for x in s`, unpacking (ValueError check), `list()`/`tuple()`, `append`/`extend`/
`insert`/`pop`/`xs[i] = v` as functional updates under python_seq's aliasing rule (a list
a callee mutates is copied back out). An unannotated parameter that is indexed, measured,
iterated or mutated is assumed `list[int]`, as one used as a number is assumed `int`.
Semantics are Python's exactly: unbounded ints, floor `//` and `%`, `bool` is an `int`,
`& | ^` with a constant operand, short-circuit `and`/`or` returning an operand, chained
comparisons, `isinstance` decided by the value's type. Text from values (`str()`,
f-strings, `%`): python_strings.py; `try`/`except`: python_try.py; objects (`self.x`):
python_objects.py; `raise`: python_raise.py. Anything else makes the unit `Unsupported`
with the construct and its file line; lowering never raises.

Naming: source variables keep their names; variables of an inlined call are renamed
`callee#k.name`; hidden temporaries start with `$` (`$t3`, `$for2.ctr`). `display` maps
every source and renamed variable to its source name; hidden temporaries are not in it.

Typing: a variable's type is the type of its first assignment (in source order). A
variable that is assigned both truth values and ints becomes INT and its truth values
are cast (True -> 1), which preserves every int-level result; a `bool` parameter that is
later assigned an int is unsupported. A call beyond the inlining bound yields a BOOL when
the callee syntactically returns only truth values, else an INT (its value is never used:
engines cut every path that reaches it).

Units (python_units.py): every def is one -- module functions, methods (`K.m`; `self`/
`cls` is no input itself, its data attributes `self.x` are: python_objects), static and
class methods,
properties, nested functions (`outer.inner`: free variables bound by a function around it
are extra int inputs) and named lambdas. Parameters: positional and keyword-only, typed
by an `int`/`bool` annotation, else by their default (which stays unused: the parameter
is free), else INT; any other annotation or default is unsupported with its type named.
Only module-level functions are inlined at calls (positional and keyword arguments,
constant defaults). Module context (python_module.py): int/bool constants and str/tuple/
unmutated list literals are known values (`global N` may read int/bool ones; the unit
records what it read in `module_values`, which replay defines); a name rebound at module
level is never taken for a builtin or a function.

Checks: leading asserts of the unit (after a docstring) are `Assume`s, and so are leading
`if c: raise ...` guards (with `elif`s: `Assume(not c)`); a `raise` anywhere else, or in a
called function, is a check that always fails (`exception`, "E: explicit raise", shown as
"can raise E") followed by `Assume(False)`: the path ends there. Every check evaluated
inside a precondition is an assumption too (a precondition that crashes excludes the
input). A callee's
leading asserts become `Assert(kind="assertion")` at the call's span; every other node of
an inlined body keeps the callee's own span (its lines are outside the caller's range).
Checks under a short-circuit (`and`, `or`, `x if c else y`, chained comparisons) are
`Assert(implies(guard, cond))`, and calls there are inlined inside `If(guard, ...)`.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, cast

from prooflens.analysis import ir
from prooflens.analysis.frontends import python_raise as raise_
from prooflens.analysis.frontends import python_seq as seq
from prooflens.analysis.frontends import python_strings as strings
from prooflens.analysis.frontends import python_try as trying
from prooflens.analysis.frontends.python_base import Source as _Source
from prooflens.analysis.frontends.python_base import Unsupported as _Unsupported
from prooflens.analysis.frontends.python_base import is_docstring as _is_docstring
from prooflens.analysis.frontends.python_base import pos as _pos
from prooflens.analysis.frontends.python_base import walk_own as _walk_own
from prooflens.analysis.frontends.python_module import ModuleInfo, constant_value, module_info
from prooflens.analysis.frontends.python_objects import (
    class_view,
    plain_class,
    receiver_fields,
)
from prooflens.analysis.frontends.python_units import ParsedUnit, free_variables, parse_unit
from prooflens.analysis.settings import Settings

if TYPE_CHECKING:
    from prooflens.analysis.syntax import ParsedFile, Unit

FLOAT_LIMIT = 2**1024 - 2**970  # the smallest int magnitude float() refuses
MAX_SHIFT = 4096  # largest constant shift lowered
MAX_POWER = 64  # largest `x ** n` lowered to multiplications (non-constant base)
MAX_FOLDED_POWER = 4096  # largest `c ** n` folded when both are constants
MAX_NESTING = 300  # deepest expression lowered (AST depth, counted across inlined calls)
MAX_INLINES = 2000  # inlined calls per function before giving up (size guard)
BUILTIN_CALLS = frozenset({"abs", "min", "max", "isinstance", "range", "int", "bool", "divmod",
                           "pow", "len", "list", "tuple", "float", "str"})  # fmt: skip

_STMT_NAMES: dict[type, str] = {
    ast.Try: "try statement", ast.With: "with statement", ast.Raise: "raise statement",
    ast.Global: "global statement", ast.Nonlocal: "nonlocal statement",
    ast.FunctionDef: "nested function definition", ast.ClassDef: "nested class definition",
    ast.AsyncFunctionDef: "nested async function", ast.AsyncFor: "async for",
    ast.AsyncWith: "async with", ast.Import: "import statement",
    ast.ImportFrom: "import statement", ast.Delete: "del statement",
    ast.Match: "match statement", ast.TryStar: "try statement",
}  # fmt: skip
_EXPR_NAMES: dict[type, str] = {
    ast.List: "list", ast.Tuple: "tuple", ast.Dict: "dict", ast.Set: "set",
    ast.ListComp: "list comprehension", ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension", ast.GeneratorExp: "generator expression",
    ast.Lambda: "lambda", ast.Attribute: "attribute access", ast.Subscript: "subscript",
    ast.JoinedStr: "f-string", ast.FormattedValue: "f-string", ast.Await: "await",
    ast.Yield: "yield", ast.YieldFrom: "yield", ast.NamedExpr: "assignment expression :=",
    ast.Starred: "starred expression", ast.Slice: "slice",
}  # fmt: skip
_BINOPS: dict[type, str] = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.FloorDiv: "floordiv", ast.Mod: "floormod",
}  # fmt: skip
_BINOP_SYMBOLS: dict[type, str] = {
    ast.Div: "/", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
    ast.LShift: "<<", ast.RShift: ">>", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
}  # fmt: skip
_CMPOPS: dict[type, str] = {
    ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge",
}  # fmt: skip
_CMP_NAMES: dict[type, str] = {
    ast.Is: "'is' comparison", ast.IsNot: "'is not' comparison",
    ast.In: "'in' operator", ast.NotIn: "'not in' operator",
}  # fmt: skip


# ------------------------------------------------------------------------ entry point


def _stated_precondition(source: _Source, stmt: ast.stmt) -> list[str]:
    """How a leading assert or `if c: raise` guard (with its `elif`s) reads as an
    assumption of the unit's results."""
    line = source.span(stmt).line
    if isinstance(stmt, ast.Assert):
        return [f"{source.segment(stmt.test)} (line {line}: a leading assert)"]
    tests = []
    node: ast.stmt | None = stmt
    while isinstance(node, ast.If):
        tests.append(f"not ({source.segment(node.test)})")
        node = node.orelse[0] if node.orelse else None
    return [f"{' and '.join(tests)} (line {line}: a leading guard raises otherwise)"]


def finish_results(fn: ir.Function, results: list) -> list:
    """The results of a Python unit as shown: its explicit raises marked as intended
    (python_raise)."""
    return raise_.state_explicit_raises(results)


def lower(parsed: ParsedFile, unit: Unit, settings: Settings) -> ir.Function | ir.Unsupported:
    """Lower one Python function unit of `parsed` to the IR."""
    try:
        return _lower(parsed, unit, settings)
    except _Unsupported as exc:
        return ir.Unsupported(exc.construct, exc.line, exc.column)
    except (RecursionError, MemoryError):
        return ir.Unsupported("expression nested too deeply", unit.line, unit.column)
    except Exception as exc:  # noqa: BLE001 - last resort: a frontend bug must not crash checks
        return ir.Unsupported(f"internal error: {exc!r}", unit.line, unit.column)


def _lower(parsed: ParsedFile, unit: Unit, settings: Settings) -> ir.Function:
    """Lower, re-running with widened variable types until every type is consistent."""
    forced: set[str] = set()
    forced_types: dict[str, ir.Type] = {}
    module = module_info(parsed)
    while True:
        lowerer = _Lowerer(parsed, module, settings, frozenset(forced))
        lowerer.forced_types = dict(forced_types)
        try:
            return lowerer.function(unit)
        except _Retype as retype:
            if retype.type is not None:  # an empty display first typed list[int]
                if retype.name in forced_types:
                    raise _Unsupported(f"variable {retype.name} of mixed type",
                                       unit.line) from None  # fmt: skip
                forced_types[retype.name] = retype.type
                continue
            if retype.name in forced:  # cannot happen: widening is monotone
                raise _Unsupported(f"variable {retype.name} of mixed type", unit.line) from None
            forced.add(retype.name)


class _Retype(Exception):
    """A variable first typed BOOL is assigned an int: lower again with it INT (or, `type`
    given, a list first bound to an empty display gets items of another type)."""

    def __init__(self, name: str, type: ir.Type | None = None) -> None:
        super().__init__(name)
        self.name = name
        self.type = type



# --------------------------------------------------------------------- lowering state


@dataclass
class _Frame:
    """One function being lowered: the top-level unit or an inlined call of it."""

    name: str
    prefix: str  # "" for the unit itself, "callee#k." for an inlined call
    source: _Source
    params: frozenset[str]
    locals: frozenset[str]
    depth: int
    precondition: bool = False  # lowering a leading assert of the unit: checks are assumes
    receiver: str | None = None  # a method's `self`/`cls`
    fields: dict[str, str] = field(default_factory=dict)  # receiver field -> its input
    returns: list[ir.Expr | None] = field(default_factory=list)
    loops: list[list[frozenset[str]]] = field(default_factory=list)  # break states per loop
    mutated: frozenset[str] = frozenset()  # names mutated in place (python_seq aliasing)
    parents: dict[int, ast.AST] = field(default_factory=dict)


Assigned = frozenset[str] | None  # definitely assigned source names; None = unreachable


def _meet(a: Assigned, b: Assigned) -> Assigned:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _conj(guard: ir.Expr | None, cond: ir.Expr) -> ir.Expr:
    return cond if guard is None else ir.Binary("and", guard, cond, ir.BOOL, cond.span)


def _truth(expr: ir.Expr) -> ir.Expr:
    """Python truthiness as a BOOL expression (a sequence is true when it is not empty)."""
    if isinstance(expr.type, ir.SeqType):
        length = ir.SeqLen(expr, ir.INT, expr.span)
        return ir.Binary("ne", length, ir.Const(0, ir.INT, expr.span), ir.BOOL, expr.span)
    if isinstance(expr.type, ir.FloatType):  # NaN is true, like every nonzero float
        return ir.FloatCmp("ne", expr, ir.FloatLit(0.0, ir.FLOAT, expr.span), ir.BOOL, expr.span)
    return expr if expr.type == ir.BOOL else ir.Cast(expr, ir.BOOL, expr.span)


def _as_int(expr: ir.Expr) -> ir.Expr:
    """`bool` is an `int`: True -> 1, False -> 0. A sequence or float is not an int."""
    if isinstance(expr.type, ir.SeqType | ir.FloatType):
        raise _Unsupported(f"{expr.type} value used as a number", expr.span.line,
                           expr.span.column)  # fmt: skip
    return expr if expr.type == ir.INT else ir.Cast(expr, ir.INT, expr.span)


def _not(expr: ir.Expr) -> ir.Expr:
    return ir.Unary("not", expr, ir.BOOL, expr.span)


def _int(value: int, span: ir.Span = ir.NO_SPAN) -> ir.Const:
    return ir.Const(value, ir.INT, span)


def _annotation_type(ann: ast.expr | None, source: _Source, what: str) -> ir.Type | None:
    """The type of an `int`/`bool`/`str`/`list[T]`/`tuple[T, ...]` annotation (T: int,
    bool or str); None when there is none."""
    if ann is None:
        return None
    t = seq.annotation_type(ann)
    if t is not None:
        return t
    raise _Unsupported(f"{what} type {source.segment(ann)}", *_pos(source, ann))


def _default_type(
    default: ast.expr, source: _Source, module: ModuleInfo, param: str
) -> ir.Type:
    """The type a parameter's default value suggests (the parameter itself stays free)."""
    if isinstance(default, ast.Constant) and default.value is None:
        raise _Unsupported(f"parameter {param} with default None (Optional is not modelled)",
                           *_pos(source, default))  # fmt: skip
    if isinstance(default, ast.Constant) and type(default.value) is str:
        return ir.STR
    if isinstance(default, ast.Constant) and type(default.value) is float:
        return ir.FLOAT
    if isinstance(default, ast.Constant) and type(default.value) not in (int, bool):
        raise _Unsupported(f"parameter type {type(default.value).__name__} (default of {param})",
                           *_pos(source, default))  # fmt: skip
    value = constant_value(default, module.constants)
    if value is None:
        raise _Unsupported(f"parameter {param} with default {source.segment(default)[:40]}",
                           *_pos(source, default))  # fmt: skip
    return ir.BOOL if isinstance(value, bool) else ir.INT


def _signature(unit: ParsedUnit, module: ModuleInfo) -> list[tuple[ast.arg, ir.Type]]:
    """The parameters a caller passes, with their types (from the annotation, else the
    default, else INT): positional, then keyword-only; `self`/`cls` of a method is left
    out (it is an input only if the body reads it, which is unsupported)."""
    fdef, source = unit.fdef, unit.source
    args = fdef.args
    if args.vararg is not None:
        raise _Unsupported("*args parameter", *_pos(source, args.vararg))
    if args.kwarg is not None:
        raise _Unsupported("**kwargs parameter", *_pos(source, args.kwarg))
    if fdef.returns is not None and not (
        isinstance(fdef.returns, ast.Constant) and fdef.returns.value is None
    ):
        _annotation_type(fdef.returns, source, "return")
    positional = args.posonlyargs + args.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += args.defaults
    pairs = list(zip(positional, defaults, strict=True))
    pairs += list(zip(args.kwonlyargs, args.kw_defaults, strict=True))
    receiver = unit.receiver
    out: list[tuple[ast.arg, ir.Type]] = []
    for arg, default in pairs:
        if arg is receiver:
            continue
        t = _annotation_type(arg.annotation, source, "parameter")
        if t is not None and default is not None:
            default_t = _default_type(default, source, module, arg.arg)
            if default_t != t and (t == ir.BOOL or ir.STR in (t, default_t)
                                   or (default_t == ir.FLOAT and t != ir.FLOAT)):
                raise _Unsupported(f"{t} parameter {arg.arg} with an {default_t} default",
                                   *_pos(source, default))  # fmt: skip
        elif default is not None:
            t = _default_type(default, source, module, arg.arg)
        out.append((arg, t or seq.demanded_type(fdef, arg.arg) or ir.INT))
    return out


def _assumed_types(
    unit: ParsedUnit, signature: list[tuple[ast.arg, ir.Type]]
) -> list[str]:
    """The input types a unit assumes beyond plain `int` (annotated ones are stated by the
    programmer): `xs: list[int] (assumed from its uses)`, `y: float (from its default)`."""
    out = []
    for arg, t in signature:
        if arg.annotation is None and t not in (ir.INT, ir.BOOL):
            out.append(f"{arg.arg}: {t} (assumed from its default or uses)")
    return out


def _callee_signature(unit: ParsedUnit, module: ModuleInfo) -> None:
    """A same-file function inlined at a call: positional and keyword-only parameters of
    the modelled types; a default must be a constant (`_default_value`)."""
    fdef, source = unit.fdef, unit.source
    args = fdef.args
    if args.vararg is not None:
        raise _Unsupported("*args parameter", *_pos(source, args.vararg))
    if args.kwarg is not None:
        raise _Unsupported("**kwargs parameter", *_pos(source, args.kwarg))
    for default in [*args.defaults, *args.kw_defaults]:
        if default is not None and _default_value(default, module) is None:
            raise _Unsupported(f"default argument value {source.segment(default)[:40]}",
                               *_pos(source, default))  # fmt: skip
    if fdef.returns is not None and not (
        isinstance(fdef.returns, ast.Constant) and fdef.returns.value is None
    ):
        _annotation_type(fdef.returns, source, "return")
    for arg in args.posonlyargs + args.args + args.kwonlyargs:
        _annotation_type(arg.annotation, source, "parameter")


def _default_value(default: ast.expr, module: ModuleInfo) -> ir.Expr | None:
    """The value of a callee's default, evaluated once when its `def` runs: an int, bool,
    str or float constant (a literal or a module constant); None when it is not one."""
    span = ir.NO_SPAN
    if isinstance(default, ast.Constant) and type(default.value) is str:
        try:
            return seq.string_literal(default.value, span)
        except _Unsupported:
            return None
    if isinstance(default, ast.Constant) and type(default.value) is float:
        return ir.FloatLit(default.value, ir.FLOAT, span)
    value = constant_value(default, module.constants)
    if value is None:
        return None
    return ir.Const(value, ir.BOOL if isinstance(value, bool) else ir.INT, span)


def _scope_check(fdef: ast.FunctionDef, source: _Source, module: ModuleInfo) -> frozenset[str]:
    """The function's local names (assigned anywhere, as Python decides scope); rejects
    constructs that change the whole function's meaning (generators, nonlocal, nested
    scopes). `global N` is allowed for a module constant the function only reads."""
    names: set[str] = set()
    declared: dict[str, ast.Global] = {}
    for node in _walk_own(fdef):
        if isinstance(node, ast.Yield | ast.YieldFrom | ast.Await):
            raise _Unsupported("yield" if not isinstance(node, ast.Await) else "await",
                               *_pos(source, node))  # fmt: skip
        if isinstance(node, ast.Nonlocal):
            raise _Unsupported(_STMT_NAMES[type(node)], *_pos(source, node))
        if isinstance(node, ast.Global):
            for name in node.names:
                if name not in module.constants:
                    raise _Unsupported(f"global statement for {name}, which is not a module "
                                       "constant", *_pos(source, node))  # fmt: skip
                declared.setdefault(name, node)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
    for name, node in declared.items():
        if name in names:
            raise _Unsupported(f"assignment to global {name}", *_pos(source, node))
    return frozenset(names)


def _split_body(body: list[ast.stmt]) -> tuple[list[ast.Assert | ast.If], list[ast.stmt]]:
    """(leading asserts and `if ...: raise` guards after an optional docstring, the rest)."""
    index = 0
    if body and _is_docstring(body[0]):
        index = 1
    leading: list[ast.Assert | ast.If] = []
    while index < len(body):
        stmt = body[index]
        if not (isinstance(stmt, ast.Assert) or isinstance(stmt, ast.If) and _is_guard(stmt)):
            break
        leading.append(stmt)
        index += 1
    return leading, body[index:]


def _is_guard(stmt: ast.stmt) -> bool:
    """`if c: raise ...` (with `elif`s of the same shape and no `else`)."""
    while isinstance(stmt, ast.If):
        if len(stmt.body) != 1 or not isinstance(stmt.body[0], ast.Raise):
            return False
        if not stmt.orelse:
            return True
        if len(stmt.orelse) != 1:
            return False
        stmt = stmt.orelse[0]
    return False


# -------------------------------------------------------------------------- lowerer


class _Lowerer:
    """Lowers one unit (with its inlined callees) into one `ir.Function`."""

    def __init__(
        self,
        parsed: ParsedFile,
        module: ModuleInfo,
        settings: Settings,
        forced_int: frozenset[str],
    ) -> None:
        self.parsed = parsed
        self.module = module
        self.units = module.functions
        self.settings = settings
        self.forced_int = forced_int
        self.variables: dict[str, ir.Type] = {}
        self.display: dict[str, str] = {}
        self.bool_params: set[str] = set()
        self.out: list[ir.Stmt] = []
        self.assigned: Assigned = frozenset()
        self.temps = 0
        self.loop_ids = 0
        self.inlines = 0
        self.cache: dict[str, ParsedUnit] = {}
        self.bool_fns: frozenset[str] | None = None
        self.nesting = 0
        self.forced_types: dict[str, ir.Type] = {}
        self.copy_outs: list[ir.Stmt] = []
        self.empty_first: set[str] = set()  # lists first bound to an empty display
        self.retypable: set[str] = set()  # fields of `self` typed by assumption only
        self.module_values: dict[str, object] = {}  # module constants read (for replay)
        # Int variables (or lists of ints) that may hold a Python bool (a truth value cast
        # to INT keeps every int-level result, not its text), and those turned into text.
        self.may_bool: set[str] = set()
        self.texted: set[str] = set()
        self.call_certain = True  # the last inlined call returns certainly-int values

    # ---------------------------------------------------------------- function

    def function(self, unit: Unit) -> ir.Function:
        parsed = parse_unit(self.parsed, unit, self.module)
        fdef, source = parsed.fdef, parsed.source
        signature = _signature(parsed, self.module)
        inputs = [(arg.arg, t, source.span(arg)) for arg, t in signature]
        assumptions = list(_assumed_types(parsed, signature))
        for free in free_variables(self.parsed, unit, parsed, self.module):
            inputs.append((free.name, ir.INT, source.span(free.node)))
        fields = self.receiver_inputs(parsed)
        for name, t, span, assumption in fields.values():
            inputs.append((name, t, span))
            assumptions.append(assumption)
        params: list[ir.Param] = []
        for name, t, span in inputs:
            params.append(ir.Param(name, t, span))
            self.variables[name] = t
            self.display[name] = name
            if t == ir.BOOL:
                self.bool_params.add(name)
        names = frozenset(p.name for p in params)
        local_names = _scope_check(fdef, source, self.module) - names
        frame = _Frame(unit.name, "", source, names, local_names, 0)
        self.aliasing(frame, fdef, params)
        receiver = parsed.receiver
        if receiver is not None:
            frame.receiver = receiver.arg
            frame.fields = {attr: entry[0] for attr, entry in fields.items()}
        self.assigned = names
        leading, rest = _split_body(fdef.body)
        for first in leading:
            if isinstance(first, ast.If):
                self.guard(frame, first)
            else:
                self.precondition(frame, first)
            assumptions.extend(_stated_precondition(source, first))
        for stmt in rest:
            if self.assigned is None:
                break
            self.stmt(frame, stmt)
        span = source.span(fdef)
        if self.assigned is not None:
            end = ir.Span(span.end_line, span.end_column, span.end_line, span.end_column)
            self.out.append(ir.Return(None, end))
            frame.returns.append(None)
        values = frame.returns
        returns_bool = bool(values) and all(v is not None and v.type == ir.BOOL for v in values)
        typed = [v for v in values if v is not None]
        return_type = _return_type(typed, span)
        return ir.Function(
            name=unit.name,
            params=tuple(params),
            return_type=return_type,
            body=tuple(self.out),
            variables=dict(self.variables),
            span=span,
            language="python",
            display=dict(self.display),
            returns_bool=returns_bool,
            assumptions=tuple(assumptions),
            module_values=tuple(sorted(self.module_values.items())),
        )

    def receiver_inputs(
        self, parsed: ParsedUnit
    ) -> dict[str, tuple[str, ir.Type, ir.Span, str]]:
        """The fields of `self` a method reads (python_objects): attr -> (input name, type,
        span, assumption). A receiver the body rebinds is left to `read` (unsupported)."""
        receiver = parsed.receiver
        if receiver is None or parsed.kind not in ("method", "property", "classmethod"):
            return {}
        fdef = parsed.fdef
        if seq.rebinds(fdef, receiver.arg) or any(
            isinstance(n, ast.Name) and n.id == receiver.arg and isinstance(n.ctx, ast.Del)
            for n in _walk_own(fdef)
        ):
            return {}
        view = class_view(self.parsed, parsed.scope)
        forced = {name: t for name, t in self.forced_types.items() if "." in name}
        forced.update({name: ir.INT for name in self.forced_int if "." in name})
        found = receiver_fields(fdef, receiver.arg, view, parsed.source, forced)
        self.retypable = {f"{receiver.arg}.{f.attr}" for f in found
                          if "(assumed)" in f.assumption}  # fmt: skip
        return {f.attr: (f"{receiver.arg}.{f.attr}", f.type, parsed.source.span(f.node),
                         f.assumption) for f in found}  # fmt: skip

    def aliasing(self, frame: _Frame, fdef: ast.FunctionDef, params: list[ir.Param]) -> None:
        """Record what python_seq's aliasing rule needs; a mutated list parameter must not
        be the same object as another list parameter."""
        frame.mutated = seq.mutated_names(fdef, self.callee_def)
        frame.parents = seq.parent_map(fdef)
        lists = [p for p in params if seq.is_list(p.type)]
        for p in lists:
            if p.name in frame.mutated and len(lists) > 1:
                raise _Unsupported(f"aliased list mutation (list parameter {p.name} is mutated "
                                   "and may be the same list as another parameter)",
                                   p.span.line, p.span.column)  # fmt: skip

    def callee_def(self, name: str) -> ast.FunctionDef | None:
        """The def of the same-file function `name` (None if it cannot be parsed)."""
        if name not in self.units:
            return None
        try:
            return parse_unit(self.parsed, self.units[name], self.module).fdef
        except _Unsupported:
            return None

    def precondition(self, frame: _Frame, stmt: ast.Assert) -> None:
        """A leading assert of the unit: inputs that fail it (or crash it) are not considered
        (its message is evaluated only for those: any message will do)."""
        frame.precondition = True
        cond = _truth(self.expr(frame, stmt.test, None))
        frame.precondition = False
        self.out.append(ir.Assume(cond, frame.source.span(stmt)))

    def guard(self, frame: _Frame, stmt: ast.If) -> None:
        """A leading `if c: raise ...` (with `elif`s): inputs where it raises are not
        considered, exactly as for a leading `assert not c`."""
        frame.precondition = True
        cond = self.atom(_truth(self.expr(frame, stmt.test, None)))
        frame.precondition = False
        span = frame.source.span(stmt.test)
        if stmt.orelse:  # `elif`: evaluated only when this test is false
            saved, self.out = self.out, []
            self.guard(frame, cast(ast.If, stmt.orelse[0]))  # a guard's elif (`_is_guard`)
            inner, self.out = tuple(self.out), saved
            self.out.append(ir.If(cond, (), inner, span))
        self.out.append(ir.Assume(_not(cond), span))

    def assert_message(self, frame: _Frame, stmt: ast.Assert) -> None:
        """A checked assert's message must evaluate without failing when the assert fails
        (else that failure, not AssertionError, is what happens): a constant, a definitely
        assigned variable or a field of `self`."""
        msg = stmt.msg
        if msg is None or isinstance(msg, ast.Constant):
            return
        if isinstance(msg, ast.Name) and (msg.id in frame.params or msg.id in frame.locals) \
                and self.assigned is not None and msg.id in self.assigned:
            return
        if self.field_target(frame, msg) is not None:
            return
        raise _Unsupported("assert message that is not a constant or a variable",
                           *_pos(frame.source, msg))  # fmt: skip

    # -------------------------------------------------------------- statements

    def block(self, frame: _Frame, stmts: list[ast.stmt]) -> tuple[ir.Stmt, ...]:
        """Lower `stmts` into a new block; code after a jump is unreachable and skipped."""
        saved, self.out = self.out, []
        for stmt in stmts:
            if self.assigned is None:
                break
            self.stmt(frame, stmt)
        body, self.out = tuple(self.out), saved
        return body

    def stmt(self, frame: _Frame, stmt: ast.stmt) -> None:
        source = frame.source
        handler = getattr(self, f"stmt_{type(stmt).__name__}", None)
        if handler is not None:
            handler(frame, stmt)
            return
        name = _STMT_NAMES.get(type(stmt), f"{type(stmt).__name__} statement")
        raise _Unsupported(name, *_pos(source, stmt))

    def stmt_Pass(self, frame: _Frame, stmt: ast.Pass) -> None:  # noqa: N802
        return None

    def stmt_Global(self, frame: _Frame, stmt: ast.Global) -> None:  # noqa: N802
        return None  # `_scope_check` allowed it: module constants that are only read

    def stmt_Expr(self, frame: _Frame, stmt: ast.Expr) -> None:  # noqa: N802
        value = stmt.value
        if isinstance(value, ast.Constant):
            return  # a docstring, `...` or another literal: no effect
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and self.is_same_file_call(frame, value.func.id)
        ):
            self.inline_call(frame, value, None, want_value=False)
            return
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in seq.MUTATORS
        ):
            self.method_call(frame, value, None, frame.source.span(value), want_value=False)
            return
        self.expr(frame, value, None)  # evaluated for its checks only

    def stmt_Assert(self, frame: _Frame, stmt: ast.Assert) -> None:  # noqa: N802
        self.assert_message(frame, stmt)
        cond = _truth(self.expr(frame, stmt.test, None))
        message = frame.source.segment(stmt.test)
        self.out.append(ir.Assert(cond, "assertion", message, frame.source.span(stmt)))

    def stmt_Return(self, frame: _Frame, stmt: ast.Return) -> None:  # noqa: N802
        value: ir.Expr | None = None
        is_none = stmt.value is None or (
            isinstance(stmt.value, ast.Constant) and stmt.value.value is None
        )
        if stmt.value is not None and not is_none:
            value = self.expr(frame, stmt.value, None)
        frame.returns.append(value)
        self.out.append(ir.Return(value, frame.source.span(stmt)))
        self.assigned = None

    def stmt_Try(self, frame: _Frame, stmt: ast.Try) -> None:  # noqa: N802
        """`try`/`except`/`else` for the exceptions the IR models (python_try)."""
        source = frame.source
        if stmt.finalbody:
            raise _Unsupported("try ... finally", *_pos(source, stmt.finalbody[0]))
        classes = []
        for handler in stmt.handlers:
            classes.append(trying.handler_classes(self, frame, handler))
            trying.check_handler_name(frame, handler)
        span = source.keyword_span(stmt, "try")
        self.temps += 1
        flag = ir.Var(f"$exc{self.temps}", ir.INT, span)
        self.variables[flag.name] = ir.INT
        self.out.append(ir.Assign(flag.name, _int(0, span), span))
        entry = self.assigned
        body = self.block(frame, stmt.body)
        body, _ = trying.catch(body, trying.classifier(classes, span), flag, False)
        self.out.extend(body)
        after = self.out
        branches: list[tuple[ir.Expr, tuple[ir.Stmt, ...]]] = []
        states: list[Assigned] = []
        orelse = self.block(frame, stmt.orelse)  # from the state after the body
        states.append(self.assigned)
        branches.append((ir.Binary("eq", flag, _int(0, span), ir.BOOL, span), orelse))
        for index, handler in enumerate(stmt.handlers, start=1):
            self.assigned = entry
            block = self.block(frame, handler.body)
            states.append(self.assigned)
            branches.append((ir.Binary("eq", flag, _int(index, span), ir.BOOL, span), block))
        chain: tuple[ir.Stmt, ...] = ()
        for cond, block in reversed(branches):
            chain = (ir.If(cond, block, chain, span),)
        after.extend(chain)
        self.assigned = None
        for state in states:
            self.assigned = _meet(self.assigned, state)

    def stmt_Raise(self, frame: _Frame, stmt: ast.Raise) -> None:  # noqa: N802
        """`raise E(...)` of a builtin exception class whose construction cannot fail
        (python_raise): the path ends there, a check that fails whenever it is reached (the
        property `exception`, "can raise E": intended behaviour, not a defect)."""
        name = self.raised_class(frame, stmt)
        span = frame.source.span(stmt)
        false = ir.Const(False, ir.BOOL, span)
        self.check(frame, false, "exception", f"{name}: {raise_.EXPLICIT_RAISE}", span, None)
        self.out.append(ir.Assume(false, span))  # nothing runs after it (termination too)
        self.assigned = None

    def raised_class(self, frame: _Frame, stmt: ast.Raise) -> str:
        """The exception class `stmt` raises; its arguments are evaluated for their checks."""
        source = frame.source
        exc = stmt.exc
        if exc is None:
            raise _Unsupported("bare raise (re-raise)", *_pos(source, stmt))
        if stmt.cause is not None and not (
            isinstance(stmt.cause, ast.Constant) and stmt.cause.value is None
        ):
            raise _Unsupported("raise ... from a cause other than None", *_pos(source, stmt))
        func, args = (exc.func, exc.args) if isinstance(exc, ast.Call) else (exc, [])
        if isinstance(exc, ast.Call) and exc.keywords:
            raise _Unsupported("exception constructed with keyword arguments", *_pos(source, exc))
        name = func.id if isinstance(func, ast.Name) else None
        if name is None or not self.is_builtin_name(frame, name) or not raise_.constructible(name):
            text = source.segment(func)[:40]
            raise _Unsupported(f"raise of {text} (only builtin exception classes are modelled)",
                               *_pos(source, func))  # fmt: skip
        for arg in args:
            raise_.message_argument(self, frame, arg)
        return name

    def is_builtin_name(self, frame: _Frame, name: str) -> bool:
        """`name` means the builtin of that name here (not rebound in the unit or module)."""
        return (not self.shadowed(frame, name) and name not in self.units
                and self.module.describe(name) is None and name not in self.module.constants
                and name != frame.receiver)  # fmt: skip

    def stmt_Break(self, frame: _Frame, stmt: ast.Break) -> None:  # noqa: N802
        if self.assigned is not None and frame.loops:
            frame.loops[-1].append(self.assigned)
        self.out.append(ir.Break(frame.source.span(stmt)))
        self.assigned = None

    def stmt_Continue(self, frame: _Frame, stmt: ast.Continue) -> None:  # noqa: N802
        self.out.append(ir.Continue(frame.source.span(stmt)))
        self.assigned = None

    def stmt_If(self, frame: _Frame, stmt: ast.If) -> None:  # noqa: N802
        cond = _truth(self.expr(frame, stmt.test, None))
        before = self.assigned
        then = self.block(frame, stmt.body)
        after_then, self.assigned = self.assigned, before
        orelse = self.block(frame, stmt.orelse)
        self.assigned = _meet(after_then, self.assigned)
        self.out.append(ir.If(cond, then, orelse, frame.source.span(stmt)))

    def stmt_While(self, frame: _Frame, stmt: ast.While) -> None:  # noqa: N802
        source = frame.source
        if stmt.orelse:
            raise _Unsupported("while ... else", *_pos(source, stmt))
        span = source.keyword_span(stmt, "while")
        entry = self.assigned
        saved, self.out = self.out, []
        cond = _truth(self.expr(frame, stmt.test, None))
        pre, self.out = self.out, saved
        loop_id = self.next_loop_id()
        frame.loops.append([])
        body = self.block(frame, stmt.body)
        breaks = frame.loops.pop()
        if pre:  # the condition needs statements: test it at the top of the body
            exit_ = ir.If(_not(cond), (ir.Break(span),), (), span)
            body = (*pre, exit_, *body)
            cond = ir.Const(True, ir.BOOL, span)
        forever = isinstance(cond, ir.Const) and cond.value is True and not pre
        self.assigned = entry
        if forever:
            self.assigned = None
            for state in breaks:
                self.assigned = _meet(self.assigned, state)
        self.out.append(ir.Loop(cond, body, (), loop_id, "while", True, span,
                                last_line=source.span(stmt).end_line))

    def stmt_For(self, frame: _Frame, stmt: ast.For) -> None:  # noqa: N802
        source = frame.source
        if stmt.orelse:
            raise _Unsupported("for ... else", *_pos(source, stmt))
        if not isinstance(stmt.target, ast.Name):
            raise _Unsupported("for-loop target that is not a name", *_pos(source, stmt.target))
        if not self.is_builtin_call(frame, stmt.iter, "range"):
            self.for_sequence(frame, stmt)
            return
        start, stop, step = self.range_bounds(frame, stmt.iter)
        span = source.keyword_span(stmt, "for")
        loop_id = self.next_loop_id()
        ctr, end = f"$for{loop_id}.ctr", f"$for{loop_id}.stop"
        self.variables[ctr] = ir.INT
        self.variables[end] = ir.INT
        self.out.append(ir.Assign(ctr, start, span))
        self.out.append(ir.Assign(end, stop, span))
        ctr_var, end_var = ir.Var(ctr, ir.INT, span), ir.Var(end, ir.INT, span)
        cond = ir.Binary("lt" if step > 0 else "gt", ctr_var, end_var, ir.BOOL, span)
        entry = self.assigned
        saved, self.out = self.out, []
        self.store(frame, stmt.target.id, ctr_var, source.span(stmt.target))
        first = self.out[0]
        self.out = saved
        frame.loops.append([])
        body = self.block(frame, stmt.body)
        frame.loops.pop()
        update = ir.Assign(ctr, ir.Binary("add", ctr_var, _int(step, span), ir.INT, span), span)
        self.assigned = entry
        self.out.append(ir.Loop(cond, (first, *body), (update,), loop_id, "for", True, span,
                                last_line=source.span(stmt).end_line))

    def for_sequence(self, frame: _Frame, stmt: ast.For) -> None:
        """`for x in s` over a str, list or tuple: a counter loop over a copy of the value
        (exact: a list iterated here is never mutated in place, see python_seq)."""
        source = frame.source
        iterable = self.expr(frame, stmt.iter, None)
        t = iterable.type
        if not isinstance(t, ir.SeqType):
            raise _Unsupported("for-loop over a non-range iterable", *_pos(source, stmt.iter))
        span = source.keyword_span(stmt, "for")
        loop_id = self.next_loop_id()
        items, ctr, end = f"$for{loop_id}.seq", f"$for{loop_id}.ctr", f"$for{loop_id}.stop"
        self.variables.update({items: t, ctr: ir.INT, end: ir.INT})
        items_var = ir.Var(items, t, span)
        ctr_var, end_var = ir.Var(ctr, ir.INT, span), ir.Var(end, ir.INT, span)
        self.out.append(ir.Assign(items, iterable, span))
        self.out.append(ir.Assign(ctr, _int(0, span), span))
        self.out.append(ir.Assign(end, ir.SeqLen(items_var, ir.INT, span), span))
        cond = ir.Binary("lt", ctr_var, end_var, ir.BOOL, span)
        entry = self.assigned
        saved, self.out = self.out, []
        assert isinstance(stmt.target, ast.Name)
        item = ir.SeqAt(items_var, ctr_var, t.item, span)
        self.store(frame, stmt.target.id, item, source.span(stmt.target))
        first, self.out = self.out[0], saved
        frame.loops.append([])
        body = self.block(frame, stmt.body)
        frame.loops.pop()
        update = ir.Assign(ctr, ir.Binary("add", ctr_var, _int(1, span), ir.INT, span), span)
        self.assigned = entry
        self.out.append(ir.Loop(cond, (first, *body), (update,), loop_id, "for", True, span,
                                last_line=source.span(stmt).end_line))

    def range_bounds(self, frame: _Frame, node: ast.expr) -> tuple[ir.Expr, ir.Expr, int]:
        """(start, stop, constant step) of `range(...)`, evaluated once in order."""
        source = frame.source
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "range"
            and not self.shadowed(frame, "range")
        ):
            raise _Unsupported("for-loop over a non-range iterable", *_pos(source, node))
        self.plain_call_args(frame, node)
        args = node.args
        if not 1 <= len(args) <= 3:
            raise _Unsupported(f"range with {len(args)} arguments", *_pos(source, node))
        step = 1
        if len(args) == 3:
            step_value = _constant_int(args[2])
            if step_value is None or step_value == 0:
                raise _Unsupported("range step that is not a nonzero integer constant",
                                   *_pos(source, args[2]))  # fmt: skip
            step = step_value
        values = [_as_int(self.expr(frame, a, None)) for a in args[:2]]
        if len(values) == 1:
            return _int(0, source.span(node)), values[0], step
        return values[0], values[1], step

    def stmt_Assign(self, frame: _Frame, stmt: ast.Assign) -> None:  # noqa: N802
        source = frame.source
        targets = stmt.targets
        if len(targets) == 1 and isinstance(targets[0], ast.Tuple | ast.List):
            self.tuple_assign(frame, targets[0], stmt.value)
            return
        if len(targets) == 1 and isinstance(targets[0], ast.Subscript):
            self.item_assign(frame, targets[0], stmt.value, source.span(stmt))
            return
        if (len(targets) == 1 and isinstance(targets[0], ast.Attribute)
                and self.field_target(frame, targets[0]) is not None):  # fmt: skip
            value = self.expr(frame, stmt.value, None)
            self.store_field(frame, targets[0], value, source.span(stmt))
            return
        names = _plain_names(targets, source)
        value = self.expr(frame, stmt.value, None)
        for target in names:
            if target.id in frame.mutated and seq.is_list(value.type):
                seq.check_fresh(target.id, stmt.value, source)
        if len(targets) > 1:
            value = self.atom(value)
        for target in names:
            self.store(frame, target.id, value, source.span(stmt))

    def item_assign(
        self, frame: _Frame, target: ast.Subscript, value_node: ast.expr, span: ir.Span
    ) -> None:
        """`xs[i] = v` on a list variable: v, then xs, then i are evaluated (as CPython does),
        i is checked, and xs is assigned the updated list."""
        source = frame.source
        if not isinstance(target.value, ast.Name) or isinstance(target.slice, ast.Slice):
            raise _Unsupported(_target_name(target), *_pos(source, target))
        value = self.atom(self.expr(frame, value_node, None))
        current = self.expr(frame, target.value, None)
        t = current.type
        if not seq.is_list(t):
            what = f"of a {t} value" if isinstance(t, ir.SeqType) else "(not a list)"
            raise _Unsupported(f"{_target_name(target)} {what}", *_pos(source, target))
        assert isinstance(t, ir.SeqType)
        var = frame.prefix + target.value.id
        index = self.atom(_as_int(self.expr(frame, target.slice, None)))
        where = source.span(target)
        index = self.checked_index(frame, current, index, None, where,
                                   seq.index_error(t, "assignment index"))  # fmt: skip
        item = self.item_value(var, t, value, span)
        self.out.append(ir.Assign(var, ir.SeqUpdate(current, index, item, t, span), span))

    def tuple_assign(self, frame: _Frame, target: ast.Tuple | ast.List, value: ast.expr) -> None:
        """`a, b = x, y`: every right side is evaluated before any name is bound."""
        source = frame.source
        if (isinstance(value, ast.Call) and self.is_builtin_call(frame, value, "divmod")
                and len(target.elts) == 2):  # fmt: skip
            self.divmod_assign(frame, target, value)
            return
        if not isinstance(value, ast.Tuple):
            self.unpack_sequence(frame, target, value)
            return
        names = _plain_names(target.elts, source)
        if any(isinstance(e, ast.Starred) for e in value.elts) or len(value.elts) != len(names):
            raise _Unsupported("tuple assignment with mismatched lengths", *_pos(source, value))
        values = [self.temp(self.expr(frame, e, None)) for e in value.elts]
        for name, val in zip(names, values, strict=True):
            self.store(frame, name.id, val, source.span(name))

    def unpack_sequence(self, frame: _Frame, target: ast.Tuple | ast.List, node: ast.expr) -> None:
        """`a, b = s` for a str, list or tuple value: ValueError unless it has exactly as
        many items as there are names."""
        source = frame.source
        names = _plain_names(target.elts, source)
        value = self.expr(frame, node, None)
        t = value.type
        if not isinstance(t, ir.SeqType):
            raise _Unsupported("unpacking of a value that is not a tuple display",
                               *_pos(source, node))  # fmt: skip
        value = self.atom(value)
        span = source.span(node)
        count = len(names)
        length = ir.SeqLen(value, ir.INT, span)
        exact = ir.Binary("eq", length, _int(count, span), ir.BOOL, span)
        self.check(frame, exact, "exception",
                   f"ValueError: wrong number of values to unpack (expected {count})", span, None)
        items = [self.temp(ir.SeqAt(value, _int(k, span), t.item, span)) for k in range(count)]
        for name, item in zip(names, items, strict=True):
            self.store(frame, name.id, item, source.span(name))

    def divmod_assign(self, frame: _Frame, target: ast.Tuple | ast.List, call: ast.Call) -> None:
        """`q, r = divmod(a, b)`: `q = a // b` and `r = a % b`, one zero check."""
        source = frame.source
        names = _plain_names(target.elts, source)
        self.plain_call_args(frame, call)
        dividend, divisor = self.builtin_args(frame, call, None, 2, 2)
        dividend, divisor = self.atom(_as_int(dividend)), self.atom(_as_int(divisor))
        span = source.span(call)
        nonzero = ir.Binary("ne", divisor, _int(0, span), ir.BOOL, span)
        self.check(frame, nonzero, "division-by-zero", "division by zero", span, None)
        quotient = self.temp(ir.Binary("floordiv", dividend, divisor, ir.INT, span))
        remainder = self.temp(ir.Binary("floormod", dividend, divisor, ir.INT, span))
        for name, value in zip(names, (quotient, remainder), strict=True):
            self.store(frame, name.id, value, source.span(name))

    def field_target(self, frame: _Frame, target: ast.expr) -> str | None:
        """The input variable of `self.x` when `target` is that field, else None."""
        if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                and target.value.id == frame.receiver and target.attr in frame.fields):  # fmt: skip
            return frame.fields[target.attr]
        return None

    def store_field(
        self, frame: _Frame, target: ast.Attribute, value: ir.Expr, span: ir.Span
    ) -> None:
        """`self.x = value`: later reads of the field see `value` (python_objects)."""
        var = frame.fields[target.attr]
        known = self.variables[var]
        if known != value.type and not (known == ir.INT and value.type == ir.BOOL):
            if var in self.retypable and var not in self.forced_types:
                raise _Retype(var, value.type)
            raise _Unsupported(f"field {var} of mixed type ({known} and {value.type})",
                               span.line, span.column)  # fmt: skip
        if _holds_ints(known) and not self.certainly_int(value):
            self.taint(var, span)
        if known == ir.INT:
            value = _as_int(value)
        self.out.append(ir.Assign(var, value, span))

    def stmt_AugAssign(self, frame: _Frame, stmt: ast.AugAssign) -> None:  # noqa: N802
        source = frame.source
        if (isinstance(stmt.target, ast.Attribute)
                and self.field_target(frame, stmt.target) is not None):  # fmt: skip
            current = self.expr(frame, stmt.target, None)
            span = source.span(stmt)
            value = self.binop(frame, stmt, stmt.op, current, stmt.value, None, span)
            self.store_field(frame, stmt.target, value, span)
            return
        if not isinstance(stmt.target, ast.Name):
            raise _Unsupported(_target_name(stmt.target), *_pos(source, stmt.target))
        current = self.read(frame, stmt.target.id, stmt.target)
        span = source.span(stmt)
        value = self.binop(frame, stmt, stmt.op, current, stmt.value, None, span)
        self.store(frame, stmt.target.id, value, span)

    def stmt_AnnAssign(self, frame: _Frame, stmt: ast.AnnAssign) -> None:  # noqa: N802
        source = frame.source
        if not isinstance(stmt.target, ast.Name):
            raise _Unsupported(_target_name(stmt.target), *_pos(source, stmt.target))
        ann = stmt.annotation
        t = seq.annotation_type(ann)
        if t is None:
            raise _Unsupported(f"variable annotation {source.segment(ann)}", *_pos(source, ann))
        if stmt.value is not None:
            value = self.expr(frame, stmt.value, None)
            if isinstance(value, ir.SeqLit) and not value.items and isinstance(t, ir.SeqType):
                value = ir.SeqLit((), t, value.span)
            if stmt.target.id in frame.mutated and seq.is_list(value.type):
                seq.check_fresh(stmt.target.id, stmt.value, source)
            self.store(frame, stmt.target.id, value, source.span(stmt))
            self.empty_first.discard(frame.prefix + stmt.target.id)

    # --------------------------------------------------------------- variables

    def next_loop_id(self) -> int:
        self.loop_ids += 1
        return self.loop_ids

    def store(self, frame: _Frame, name: str, value: ir.Expr, span: ir.Span) -> None:
        """`name = value`, keeping each variable at one type (see the module docstring)."""
        var = frame.prefix + name
        known = self.variables.get(var)
        if known is None:
            known = self.forced_types.get(var) or (
                ir.INT if var in self.forced_int else value.type)  # fmt: skip
            self.variables[var] = known
            self.display[var] = name
            if isinstance(value, ir.SeqLit) and not value.items:
                self.empty_first.add(var)
        if known != value.type:
            if isinstance(known, ir.SeqType) or isinstance(value.type, ir.SeqType):
                value = self.coerce_seq(var, name, known, value, span)
            elif ir.FLOAT in (known, value.type):
                raise _Unsupported(f"variable {name} of mixed type ({known} and "
                                   f"{value.type})", span.line, span.column)  # fmt: skip
            elif known == ir.INT:
                value = _as_int(value)
                self.taint(var, span)
            elif var in self.bool_params:
                raise _Unsupported(f"bool parameter {name} assigned an int", span.line,
                                   span.column)  # fmt: skip
            else:
                raise _Retype(var)
        if _holds_ints(known) and not self.certainly_int(value):
            self.taint(var, span)
        self.out.append(ir.Assign(var, value, span))
        if self.assigned is not None:
            self.assigned = self.assigned | {name}

    def certainly_int(self, e: ir.Expr) -> bool:
        """Is `e` (an int, or a list or tuple of ints) certainly no Python bool (nor holds
        one)? Arithmetic always gives an int; a truth value cast to INT is a bool."""
        if isinstance(e, ir.Const):
            return type(e.value) is int
        if isinstance(e, ir.Var):
            return e.name not in self.may_bool
        if isinstance(e, ir.Binary):
            return e.op in ("add", "sub", "mul", "floordiv", "floormod")
        if isinstance(e, ir.Unary):
            return e.op == "neg"
        if isinstance(e, ir.Ite):
            return self.certainly_int(e.then) and self.certainly_int(e.orelse)
        if isinstance(e, ir.SeqLen):
            return True
        if isinstance(e, ir.SeqAt | ir.SeqSlice):
            return self.certainly_int(e.seq)
        if isinstance(e, ir.SeqLit):
            return all(self.certainly_int(i) for i in e.items)
        if isinstance(e, ir.SeqConcat):
            return self.certainly_int(e.left) and self.certainly_int(e.right)
        if isinstance(e, ir.SeqUpdate):
            return self.certainly_int(e.seq) and self.certainly_int(e.value)
        return False

    def taint(self, var: str, span: ir.Span) -> None:
        """`var` may hold a Python bool from now on (see `certainly_int`)."""
        if var in self.texted:
            raise _Unsupported(f"text of {self.display.get(var, var)}, which may hold a bool",
                               span.line, span.column)  # fmt: skip
        self.may_bool.add(var)

    def coerce_seq(
        self, var: str, name: str, known: ir.Type, value: ir.Expr, span: ir.Span
    ) -> ir.Expr:
        """`value` for a variable of sequence type `known` (an empty display takes any item
        type; a list first bound to one is retyped by the items it later gets)."""
        same_kind = (isinstance(known, ir.SeqType) and isinstance(value.type, ir.SeqType)
                     and known.kind == value.type.kind)  # fmt: skip
        if same_kind and isinstance(value, ir.SeqLit) and not value.items:
            return ir.SeqLit((), cast(ir.SeqType, known), value.span)  # same_kind: a sequence
        if same_kind and var in self.empty_first and var not in self.forced_types:
            raise _Retype(var, value.type)
        raise _Unsupported(f"variable {name} of mixed type ({known} and {value.type})",
                           span.line, span.column)  # fmt: skip

    def item_value(self, var: str, t: ir.SeqType, value: ir.Expr, span: ir.Span) -> ir.Expr:
        """`value` as an item of a list or tuple of type `t` (stored in `var`)."""
        if value.type == t.elem:
            return value
        if t.elem == ir.INT and value.type == ir.BOOL:
            self.taint(var, span)
            return _as_int(value)
        if t.elem == ir.INT and not self.certainly_int(value):
            self.taint(var, span)
        if var in self.empty_first and var not in self.forced_types:
            raise _Retype(var, ir.SeqType(t.kind, value.type))
        raise _Unsupported(f"{value.type} item in a {t}", span.line, span.column)

    def read(self, frame: _Frame, name: str, node: ast.expr) -> ir.Expr:
        source = frame.source
        span = source.span(node)
        if name in frame.params or name in frame.locals:
            if self.assigned is None or name not in self.assigned:
                raise _Unsupported(f"possibly unassigned variable {name}", span.line, span.column)
            var = frame.prefix + name
            return ir.Var(var, self.variables[var], span)
        if name == frame.receiver:
            raise _Unsupported(f"use of {name} as a value (only reads of its data "
                               "attributes are modelled)", span.line, span.column)  # fmt: skip
        constants = self.module.constants
        if name in constants:
            value = constants[name]
            self.module_values[name] = value
            return ir.Const(value, ir.BOOL if isinstance(value, bool) else ir.INT, span)
        if name in self.module.sequences:
            self.module_values[name] = self.module.sequences[name]
            return _sequence_constant(self.module.sequences[name], span)
        if name in self.units:
            raise _Unsupported(f"function {name} used as a value", span.line, span.column)
        what = self.module.describe(name)
        if what is not None:
            raise _Unsupported(f"global name {name} ({what})", span.line, span.column)
        if name in BUILTIN_CALLS:
            raise _Unsupported(f"builtin {name} used as a value", span.line, span.column)
        raise _Unsupported(f"global name {name}", span.line, span.column)

    def shadowed(self, frame: _Frame, name: str) -> bool:
        return name in frame.params or name in frame.locals

    def temp(self, value: ir.Expr) -> ir.Expr:
        """A fresh hidden variable holding `value` (constants need none)."""
        if isinstance(value, ir.Const):
            return value
        self.temps += 1
        name = f"$t{self.temps}"
        self.variables[name] = value.type
        if _holds_ints(value.type) and not self.certainly_int(value):
            self.may_bool.add(name)
        self.out.append(ir.Assign(name, value, value.span))
        return ir.Var(name, value.type, value.span)

    def atom(self, value: ir.Expr) -> ir.Expr:
        """`value` as a variable or constant, so that repeating it does not grow terms.
        Expressions are pure and total, so evaluating one early is harmless."""
        return value if isinstance(value, ir.Var | ir.Const) else self.temp(value)

    def check(
        self, frame: _Frame, cond: ir.Expr, kind: str, message: str, span: ir.Span,
        guard: ir.Expr | None, extreme: bool = False,
    ) -> None:  # fmt: skip
        """The check `cond` where it is evaluated (under `guard`); `extreme`: it fails only
        at inputs no real program meets (see `ir.Assert`)."""
        if guard is not None:
            cond = ir.Binary("implies", guard, cond, ir.BOOL, span)
        if frame.precondition:
            self.out.append(ir.Assume(cond, span))
        else:
            self.out.append(ir.Assert(cond, kind, message, span, extreme=extreme))

    # ------------------------------------------------------------- expressions

    def expr(self, frame: _Frame, node: ast.expr, guard: ir.Expr | None) -> ir.Expr:
        """Lower `node`, emitting its checks and calls (under `guard`: evaluated only
        when `guard` holds) before the current statement."""
        self.nesting += 1
        try:
            if self.nesting > MAX_NESTING:  # also keeps the IR shallow for its consumers
                line, column = _pos(frame.source, node)
                raise _Unsupported("expression nested too deeply", line, column)
            return self.expr_node(frame, node, guard)
        finally:
            self.nesting -= 1

    def expr_node(self, frame: _Frame, node: ast.expr, guard: ir.Expr | None) -> ir.Expr:
        source = frame.source
        span = source.span(node)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return seq.string_literal(node.value, span)
            if isinstance(node.value, float):
                return ir.FloatLit(node.value, ir.FLOAT, span)
            return _constant(node.value, span)
        if isinstance(node, ast.Name):
            value = self.read(frame, node.id, node)
            if node.id in frame.mutated and seq.is_list(value.type):
                functions = frozenset(n for n in self.units if not self.shadowed(frame, n))
                seq.check_read(node, frame.parents, frame.depth == 0, source, functions)
            return value
        if isinstance(node, ast.List | ast.Tuple) and isinstance(node.ctx, ast.Load):
            return self.seq_display(frame, node, guard, span)
        if isinstance(node, ast.Subscript):
            return self.subscript(frame, node, guard, span)
        if isinstance(node, ast.BinOp):
            left = self.expr(frame, node.left, guard)
            return self.binop(frame, node, node.op, left, node.right, guard, span)
        if isinstance(node, ast.UnaryOp):
            return self.unaryop(frame, node, guard, span)
        if isinstance(node, ast.BoolOp):
            return self.boolop(frame, node.op, node.values, guard, span)
        if isinstance(node, ast.Compare):
            return self.compare(frame, node, guard, span)
        if isinstance(node, ast.IfExp):
            return self.ifexp(frame, node, guard, span)
        if isinstance(node, ast.Call):
            return self.call(frame, node, guard, span)
        if isinstance(node, ast.JoinedStr):
            return strings.fstring(self, frame, node, guard, span)
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id == frame.receiver and node.attr in frame.fields):  # fmt: skip
            var = frame.fields[node.attr]
            return ir.Var(var, self.variables[var], span)
        name = _EXPR_NAMES.get(type(node), f"{type(node).__name__} expression")
        raise _Unsupported(name, span.line, span.column)

    def seq_display(
        self, frame: _Frame, node: ast.List | ast.Tuple, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        """`[a, b]` / `(a, b)`: items of one type (int and bool mix as int); `[]` is a
        list[int] until its variable gets items of another type."""
        kind = "list" if isinstance(node, ast.List) else "tuple"
        if any(isinstance(e, ast.Starred) for e in node.elts):
            raise _Unsupported("starred expression", span.line, span.column)
        items = [self.expr(frame, e, guard) for e in node.elts]
        types = {i.type for i in items}
        if types == {ir.INT, ir.BOOL}:
            items, types = [_as_int(i) for i in items], {ir.INT}
        if len(types) > 1:
            raise _Unsupported(f"{kind} of mixed item types", span.line, span.column)
        elem = types.pop() if types else ir.INT
        if elem not in seq.ITEM_TYPES.values():
            raise _Unsupported(f"{kind} of {elem} items", span.line, span.column)
        return ir.SeqLit(tuple(items), ir.SeqType(kind, elem), span)

    def subscript(
        self, frame: _Frame, node: ast.Subscript, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        """`s[i]` (negative counts from the end; IndexError out of range) and `s[a:b]`."""
        value = self.expr(frame, node.value, guard)
        if not isinstance(value.type, ir.SeqType):
            raise _Unsupported(f"subscript of a {value.type} value", span.line, span.column)
        t = value.type
        if isinstance(node.slice, ast.Slice):
            if node.slice.step is not None:
                raise _Unsupported("slice with a step", span.line, span.column)
            bounds = [None if b is None else self.atom(_as_int(self.expr(frame, b, guard)))
                      for b in (node.slice.lower, node.slice.upper)]  # fmt: skip
            return ir.SeqSlice(value, bounds[0], bounds[1], t, span)
        value = self.atom(value)
        index = self.atom(_as_int(self.expr(frame, node.slice, guard)))
        index = self.checked_index(frame, value, index, guard, span, seq.index_error(t))
        return ir.SeqAt(value, index, t.item, span)

    def checked_index(
        self, frame: _Frame, value: ir.Expr, index: ir.Expr, guard: ir.Expr | None,
        span: ir.Span, message: str,
    ) -> ir.Expr:  # fmt: skip
        """`index` counted from the front, after the check that it is in range."""
        length = self.atom(ir.SeqLen(value, ir.INT, span))
        negative = ir.Binary("lt", index, _int(0, span), ir.BOOL, span)
        shifted = ir.Binary("add", index, length, ir.INT, span)
        index = self.atom(ir.Ite(negative, shifted, index, ir.INT, span))
        low = ir.Binary("ge", index, _int(0, span), ir.BOOL, span)
        high = ir.Binary("lt", index, length, ir.BOOL, span)
        inside = ir.Binary("and", low, high, ir.BOOL, span)
        self.check(frame, inside, "exception", message, span, guard)
        return index

    def binop(
        self, frame: _Frame, node: ast.AST, op: ast.operator, left: ir.Expr,
        right_node: ast.expr, guard: ir.Expr | None, span: ir.Span,
    ) -> ir.Expr:  # fmt: skip
        source = frame.source
        if isinstance(op, ast.Pow):
            return self.power(frame, left, right_node, guard, span)
        if isinstance(op, ast.Mod) and left.type == ir.STR and isinstance(node, ast.BinOp) \
                and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            return strings.percent(self, frame, node.left.value, right_node, guard, span)
        if isinstance(left.type, ir.SeqType):
            return self.seq_binop(frame, op, left, right_node, guard, span)
        if isinstance(op, ast.LShift | ast.RShift) and left.type != ir.FLOAT:
            return self.shift(frame, op, left, right_node, guard, span)
        if isinstance(op, ast.Div) or left.type == ir.FLOAT:
            right = self.expr(frame, right_node, guard)
            return self.float_binop(frame, node, op, left, right, right_node, guard, span)
        if isinstance(op, ast.BitAnd | ast.BitOr | ast.BitXor):
            left = self.atom(left)
            right = self.atom(self.expr(frame, right_node, guard))
            return _bitwise(op, left, right, span)
        if type(op) not in _BINOPS:
            symbol = _BINOP_SYMBOLS.get(type(op), type(op).__name__)
            kind = "true division /" if isinstance(op, ast.Div) else f"operator {symbol}"
            raise _Unsupported(kind, span.line, span.column)
        right = self.expr(frame, right_node, guard)
        if right.type == ir.FLOAT:
            return self.float_binop(frame, node, op, left, right, right_node, guard, span)
        right, left = _as_int(right), _as_int(left)
        name = _BINOPS[type(op)]
        if name in ("floordiv", "floormod"):
            right = self.atom(right)
            where = _operator_span(source, node, right_node, _BINOP_SYMBOLS[type(op)]) or span
            if where.line != span.line:  # Python reports the operation at its first line
                where = ir.Span(span.line, span.column, where.end_line, where.end_column)
            nonzero = ir.Binary("ne", right, _int(0, where), ir.BOOL, where)
            self.check(frame, nonzero, "division-by-zero", "division by zero", where, guard)
        return ir.Binary(name, left, right, ir.INT, span)

    def shift(
        self, frame: _Frame, op: ast.operator, left: ir.Expr, right_node: ast.expr,
        guard: ir.Expr | None, span: ir.Span,
    ) -> ir.Expr:  # fmt: skip
        """`x >> k` / `x << k` on unbounded ints for a constant k >= 0: floor division by
        / multiplication with 2**k (exactly Python's shifts)."""
        self.expr(frame, right_node, guard)  # evaluated for its checks, as Python does
        k = _constant_int(right_node)
        if k is None or k < 0 or k > MAX_SHIFT:
            symbol = ">>" if isinstance(op, ast.RShift) else "<<"
            raise _Unsupported(f"operator {symbol} by an amount that is not a constant in "
                               f"[0, {MAX_SHIFT}]", span.line, span.column)  # fmt: skip
        name = "floordiv" if isinstance(op, ast.RShift) else "mul"
        return ir.Binary(name, _as_int(left), _int(2**k, span), ir.INT, span)

    def float_binop(
        self, frame: _Frame, node: ast.AST, op: ast.operator, left: ir.Expr, right: ir.Expr,
        right_node: ast.expr, guard: ir.Expr | None, span: ir.Span,
    ) -> ir.Expr:  # fmt: skip
        """`+ - * /` with a float operand (the int one converted as Python does), and `/`
        of two ints (the exact quotient, correctly rounded); ZeroDivisionError and
        OverflowError checked first."""
        names = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div"}
        if type(op) not in names:
            symbol = _BINOP_SYMBOLS.get(type(op), type(op).__name__)
            raise _Unsupported(f"operator {symbol} on a float", span.line, span.column)
        where = _operator_span(frame.source, node, right_node, "/") or span
        if where.line != span.line:
            where = ir.Span(span.line, span.column, where.end_line, where.end_column)
        if left.type != ir.FLOAT and right.type != ir.FLOAT:  # int / int
            left, right = self.atom(_as_int(left)), self.atom(_as_int(right))
            nonzero: ir.Expr = ir.Binary("ne", right, _int(0, where), ir.BOOL, where)
            self.check(frame, nonzero, "division-by-zero", "division by zero", where, guard)
            limit = ir.Binary("mul", _int(FLOAT_LIMIT, span), _abs_int(right, span), ir.INT, span)
            fits = ir.Binary("lt", _abs_int(left, span), limit, ir.BOOL, span)
            self.check(frame, fits, "exception", "OverflowError: integer division result too "
                       "large for a float", span, guard)  # fmt: skip
            return ir.IntToFloat(left, ir.FLOAT, span, right)
        left, right = self.to_float(frame, left, guard), self.to_float(frame, right, guard)
        if isinstance(op, ast.Div):
            right = self.atom(right)
            zero = ir.FloatLit(0.0, ir.FLOAT, where)
            nonzero = ir.FloatCmp("ne", right, zero, ir.BOOL, where)
            self.check(frame, nonzero, "division-by-zero", "float division by zero", where, guard)
        return ir.FloatOp(names[type(op)], left, right, ir.FLOAT, span)

    def to_float(self, frame: _Frame, value: ir.Expr, guard: ir.Expr | None) -> ir.Expr:
        """An int operand of a float operation as Python converts it (OverflowError past
        the largest float)."""
        if value.type == ir.FLOAT:
            return value
        if isinstance(value, ir.Const):
            try:
                return ir.FloatLit(float(value.value), ir.FLOAT, value.span)
            except OverflowError:
                pass
        value = self.atom(_as_int(value))
        span = value.span
        fits = ir.Binary("lt", _abs_int(value, span), _int(FLOAT_LIMIT, span), ir.BOOL, span)
        self.check(frame, fits, "exception", "OverflowError: int too large to convert to float",
                   span, guard)  # fmt: skip
        return ir.IntToFloat(value, ir.FLOAT, span)

    def seq_binop(
        self, frame: _Frame, op: ast.operator, left: ir.Expr, right_node: ast.expr,
        guard: ir.Expr | None, span: ir.Span,
    ) -> ir.Expr:  # fmt: skip
        """`a + b` on two sequences of one type: concatenation."""
        if not isinstance(op, ast.Add):
            symbol = _BINOP_SYMBOLS.get(type(op), "*" if isinstance(op, ast.Mult) else "-")
            raise _Unsupported(f"operator {symbol} on a {left.type}", span.line, span.column)
        right = self.expr(frame, right_node, guard)
        t = cast(ir.SeqType, left.type)  # the caller's condition
        if isinstance(right, ir.SeqLit) and not right.items and isinstance(right.type, ir.SeqType):
            right = ir.SeqLit((), t, right.span)
        if right.type != left.type:
            raise _Unsupported(f"{left.type} + {right.type}", span.line, span.column)
        return ir.SeqConcat(left, right, t, span)

    def power(
        self, frame: _Frame, base: ir.Expr, exponent: ast.expr, guard: ir.Expr | None,
        span: ir.Span,
    ) -> ir.Expr:  # fmt: skip
        """`base ** n` for a constant `n >= 0` (a literal or a module constant), as
        multiplications."""
        n = _constant_int(exponent)
        if n is None and isinstance(exponent, ast.Name) and not self.shadowed(frame, exponent.id):
            value = self.module.constants.get(exponent.id)
            n = value if type(value) is int else None
            if n is not None:
                self.module_values[exponent.id] = n
        if n is None or n < 0:
            raise _Unsupported("** with an exponent that is not a non-negative integer constant",
                               span.line, span.column)  # fmt: skip
        base = _as_int(base)
        if isinstance(base, ir.Const) and n <= MAX_FOLDED_POWER:
            return _int(int(base.value) ** n, span)
        if n > MAX_POWER:
            raise _Unsupported(f"** with an exponent above {MAX_POWER}", span.line, span.column)
        if n == 0:
            return _int(1, span)
        base = self.atom(base)
        result = base
        for _ in range(n - 1):
            result = ir.Binary("mul", result, base, ir.INT, span)
        return result

    def unaryop(
        self, frame: _Frame, node: ast.UnaryOp, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        operand = self.expr(frame, node.operand, guard)
        if isinstance(node.op, ast.Not):
            return ir.Unary("not", _truth(operand), ir.BOOL, span)
        if operand.type == ir.FLOAT and not isinstance(node.op, ast.Invert):
            if isinstance(node.op, ast.USub):
                return ir.FloatOp("neg", operand, None, ir.FLOAT, span)
            return operand
        if isinstance(node.op, ast.USub):
            if isinstance(operand, ir.Const):
                return _int(-int(operand.value), span)
            return ir.Unary("neg", _as_int(operand), ir.INT, span)
        if isinstance(node.op, ast.UAdd):
            return _as_int(operand)
        # ~x == -x - 1 on unbounded ints
        negated = ir.Unary("neg", _as_int(operand), ir.INT, span)
        return ir.Binary("sub", negated, _int(1, span), ir.INT, span)

    def boolop(
        self, frame: _Frame, op: ast.boolop, values: list[ast.expr], guard: ir.Expr | None,
        span: ir.Span,
    ) -> ir.Expr:  # fmt: skip
        """`a and b` / `a or b`: the value of the operand that decides, with the right
        operand evaluated (and checked) only when the left does not decide."""
        first = self.atom(self.expr(frame, values[0], guard))
        if len(values) == 1:
            return first
        is_and = isinstance(op, ast.And)
        decides = _truth(first)
        go_on = decides if is_and else _not(decides)
        rest = self.boolop(frame, op, values[1:], _conj(guard, go_on), span)
        if first.type == ir.BOOL and rest.type == ir.BOOL:
            return ir.Binary("and" if is_and else "or", first, rest, ir.BOOL, span)
        if isinstance(first.type, ir.SeqType) and first.type == rest.type:
            pair = (rest, first) if is_and else (first, rest)
            return ir.Ite(decides, *pair, first.type, span)
        first_i, rest_i = _as_int(first), _as_int(rest)
        if is_and:
            return ir.Ite(decides, rest_i, first_i, ir.INT, span)
        return ir.Ite(decides, first_i, rest_i, ir.INT, span)

    def compare(
        self, frame: _Frame, node: ast.Compare, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        """`a < b < c` is `a < b and b < c` with `b` evaluated once and `c` only if needed."""
        left = self.expr(frame, node.left, guard)
        result: ir.Expr | None = None
        count = len(node.ops)
        for index, (op, right_node) in enumerate(zip(node.ops, node.comparators, strict=True)):
            membership = isinstance(op, ast.In | ast.NotIn)
            if type(op) not in _CMPOPS and not membership:
                line, column = _pos(frame.source, node)
                raise _Unsupported(_CMP_NAMES.get(type(op), "comparison"), line, column)
            right = self.expr(frame, right_node, guard)
            if index + 1 < count:
                right = self.atom(right)
            if membership:
                part = _membership(left, right, span)
                part = _not(part) if isinstance(op, ast.NotIn) else part
            elif isinstance(left.type, ir.SeqType) or isinstance(right.type, ir.SeqType):
                part = _seq_comparison(_CMPOPS[type(op)], left, right, span)
            elif ir.FLOAT in (left.type, right.type):
                part = _float_comparison(_CMPOPS[type(op)], left, right, span)
            else:
                part = _comparison(_CMPOPS[type(op)], left, right, span)
            result = part if result is None else ir.Binary("and", result, part, ir.BOOL, span)
            if index + 1 < count:
                result = self.atom(result)
                guard = _conj(guard, result)
            left = right
        assert result is not None  # ast guarantees at least one comparator
        return result

    def ifexp(
        self, frame: _Frame, node: ast.IfExp, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        test = self.atom(_truth(self.expr(frame, node.test, guard)))
        then = self.expr(frame, node.body, _conj(guard, test))
        orelse = self.expr(frame, node.orelse, _conj(guard, _not(test)))
        if then.type != orelse.type:
            then, orelse = _as_int(then), _as_int(orelse)
        return ir.Ite(test, then, orelse, then.type, span)

    # ------------------------------------------------------------------- calls

    def is_builtin_call(self, frame: _Frame, node: ast.expr, name: str) -> bool:
        """Is `node` a call of the builtin `name` (not shadowed or rebound)?"""
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == name and not self.shadowed(frame, name)
                and name not in self.units and self.module.describe(name) is None
                and name not in self.module.constants)  # fmt: skip

    def is_same_file_call(self, frame: _Frame, name: str) -> bool:
        return name in self.units and not self.shadowed(frame, name)

    def plain_call_args(self, frame: _Frame, node: ast.Call) -> None:
        """Only positional arguments without `*`."""
        if node.keywords:
            raise _Unsupported("keyword argument in a call", *_pos(frame.source, node))
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise _Unsupported("*args in a call", *_pos(frame.source, arg))

    def call(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in seq.MUTATORS:
            result = self.method_call(frame, node, guard, span, want_value=True)
            if result is None:
                raise _Unsupported(f"use of the value of .{func.attr} (None)", span.line,
                                   span.column)  # fmt: skip
            return result
        if not isinstance(func, ast.Name):
            text = frame.source.segment(func)
            raise _Unsupported(f"call to {text[:40]}", span.line, span.column)
        name = func.id
        if self.shadowed(frame, name):
            raise _Unsupported(f"call to local variable {name}", span.line, span.column)
        if name in self.units:
            result = self.inline_call(frame, node, guard, want_value=True)
            assert result is not None
            return result
        self.plain_call_args(frame, node)
        if name == frame.receiver or name in self.module.constants:
            raise _Unsupported(f"call to {name}", span.line, span.column)
        what = self.module.describe(name)
        if what is not None:
            raise _Unsupported(f"call to {name} ({what})", span.line, span.column)
        handler = getattr(self, f"builtin_{name}", None) if name in BUILTIN_CALLS else None
        if handler is None:
            raise _Unsupported(f"call to {name}", span.line, span.column)
        return handler(frame, node, guard, span)

    def method_call(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span,
        want_value: bool,
    ) -> ir.Expr | None:  # fmt: skip
        """`xs.append(v)`, `xs.extend(ys)`, `xs.insert(i, v)`, `xs.pop()`, `xs.pop(i)` on a
        list variable: the variable is assigned the new list (python_seq keeps this exact)."""
        func = node.func
        assert isinstance(func, ast.Attribute)
        receiver, attr = func.value, func.attr
        if not isinstance(receiver, ast.Name):
            text = frame.source.segment(func)
            raise _Unsupported(f"call to {text[:40]}", span.line, span.column)
        current = self.expr(frame, receiver, guard)
        t = current.type
        if not seq.is_list(t):
            raise _Unsupported(f"call to {receiver.id}.{attr} on a {t} value", span.line,
                               span.column)  # fmt: skip
        assert isinstance(t, ir.SeqType)
        self.plain_call_args(frame, node)
        counts = {"append": (1, 1), "extend": (1, 1), "insert": (2, 2), "pop": (0, 1)}[attr]
        args = self.builtin_args(frame, node, guard, *counts)
        var = frame.prefix + receiver.id
        xs = ir.Var(var, t, span)  # read after the arguments: they may change the list
        result: ir.Expr | None = None
        if attr == "append":
            item = ir.SeqLit((self.item_value(var, t, args[0], span),), t, span)
            new: ir.Expr = ir.SeqConcat(xs, item, t, span)
        elif attr == "extend":
            other = args[0]
            if not (isinstance(other.type, ir.SeqType) and other.type.elem == t.elem):
                raise _Unsupported(f"extend of a {t} with a {other.type}", span.line,
                                   span.column)  # fmt: skip
            if not self.certainly_int(other):
                self.taint(var, span)
            new = ir.SeqConcat(xs, other, t, span)
        elif attr == "insert":  # list.insert clamps its index exactly as slicing does
            where = self.atom(_as_int(args[0]))
            item = ir.SeqLit((self.item_value(var, t, args[1], span),), t, span)
            front = ir.SeqConcat(ir.SeqSlice(xs, None, where, t, span), item, t, span)
            new = ir.SeqConcat(front, ir.SeqSlice(xs, where, None, t, span), t, span)
        else:
            index = self.pop_index(frame, xs, args, guard, span)
            result = self.temp(ir.SeqAt(xs, index, t.item, span))
            after = ir.Binary("add", index, _int(1, span), ir.INT, span)
            new = ir.SeqConcat(ir.SeqSlice(xs, None, index, t, span),
                               ir.SeqSlice(xs, after, None, t, span), t, span)  # fmt: skip
        self.emit_guarded(ir.Assign(var, new, span), guard, span)
        return result if want_value else None

    def pop_index(
        self, frame: _Frame, xs: ir.Expr, args: list[ir.Expr], guard: ir.Expr | None,
        span: ir.Span,
    ) -> ir.Expr:  # fmt: skip
        """The index `xs.pop(...)` removes, after its IndexError check."""
        if args:
            index = self.atom(_as_int(args[0]))
            return self.checked_index(frame, xs, index, guard, span,
                                      "IndexError: pop index out of range")  # fmt: skip
        length = self.atom(ir.SeqLen(xs, ir.INT, span))
        nonempty = ir.Binary("gt", length, _int(0, span), ir.BOOL, span)
        self.check(frame, nonempty, "exception", "IndexError: pop from empty list", span, guard)
        return self.atom(ir.Binary("sub", length, _int(1, span), ir.INT, span))

    def builtin_float(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        """`float(x)` of an int, bool or float (a str argument is not modelled)."""
        (value,) = self.builtin_args(frame, node, guard, 1, 1)
        if isinstance(value.type, ir.SeqType):
            raise _Unsupported(f"float of a {value.type} value", span.line, span.column)
        return self.to_float(frame, value, guard)

    def builtin_str(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        """`str(x)` of an int, bool or str (python_strings)."""
        args = self.builtin_args(frame, node, guard, 0, 1)
        if not args:
            return ir.StrLit("", ir.STR, span)
        return strings.to_str(self, frame, args[0], "s", guard, span)

    def builtin_len(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        (value,) = self.builtin_args(frame, node, guard, 1, 1)
        if not isinstance(value.type, ir.SeqType):
            raise _Unsupported(f"len of a {value.type} value", span.line, span.column)
        return ir.SeqLen(value, ir.INT, span)

    def builtin_list(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        return self.sequence_copy(frame, node, guard, span, "list")

    def builtin_tuple(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        return self.sequence_copy(frame, node, guard, span, "tuple")

    def sequence_copy(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span, kind: str
    ) -> ir.Expr:
        """`list(xs)` / `tuple(xs)` of a list or tuple: a new sequence of the same items."""
        args = self.builtin_args(frame, node, guard, 0, 1)
        if not args:
            return ir.SeqLit((), ir.SeqType(kind, ir.INT), span)
        t = args[0].type
        if not (isinstance(t, ir.SeqType) and t.elem is not None):
            raise _Unsupported(f"{kind} of a {t} value", span.line, span.column)
        return ir.SeqSlice(args[0], None, None, ir.SeqType(kind, t.elem), span)

    def builtin_args(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, low: int, high: int | None
    ) -> list[ir.Expr]:
        count = len(node.args)
        func = node.func
        # a builtin (by name) or a method (an attribute)
        name = func.id if isinstance(func, ast.Name) else f".{cast(ast.Attribute, func).attr}"
        if count < low or (high is not None and count > high):
            raise _Unsupported(f"{name} with {count} arguments", *_pos(frame.source, node))
        return [self.expr(frame, a, guard) for a in node.args]

    def builtin_abs(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        (value,) = self.builtin_args(frame, node, guard, 1, 1)
        if value.type == ir.FLOAT:
            return ir.FloatOp("abs", value, None, ir.FLOAT, span)
        value = self.atom(_as_int(value))
        negative = ir.Binary("lt", value, _int(0, span), ir.BOOL, span)
        return ir.Ite(negative, ir.Unary("neg", value, ir.INT, span), value, ir.INT, span)

    def builtin_min(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        return self.extremum(frame, node, guard, span, "lt")

    def builtin_max(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        return self.extremum(frame, node, guard, span, "gt")

    def extremum(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span, op: str
    ) -> ir.Expr:
        """min/max: the first argument that is strictly smaller/larger than all before."""
        if len(node.args) < 2:
            raise _Unsupported(f"{cast(ast.Name, node.func).id} of an iterable",  # builtin
                               *_pos(frame.source, node))  # fmt: skip
        values = self.builtin_args(frame, node, guard, 2, None)
        if any(v.type != ir.BOOL for v in values):
            values = [_as_int(v) for v in values]
        best = self.atom(values[0])
        for value in values[1:]:
            value = self.atom(value)
            better = ir.Binary(op, _as_int(value), _as_int(best), ir.BOOL, span)
            best = self.atom(ir.Ite(better, value, best, value.type, span))
        return best

    def builtin_int(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        (value,) = self.builtin_args(frame, node, guard, 1, 1)
        return _as_int(value)

    def builtin_bool(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        (value,) = self.builtin_args(frame, node, guard, 1, 1)
        return _truth(value)

    def builtin_divmod(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        raise _Unsupported("divmod outside `q, r = divmod(a, b)`", span.line, span.column)

    def builtin_pow(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        """`pow(x, n)` is `x ** n` (three-argument pow is not modelled)."""
        if len(node.args) != 2:
            raise _Unsupported(f"pow with {len(node.args)} arguments", span.line, span.column)
        base = self.expr(frame, node.args[0], guard)
        return self.power(frame, base, node.args[1], guard, span)

    def builtin_range(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        raise _Unsupported("range outside a for-loop header", span.line, span.column)

    def builtin_isinstance(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, span: ir.Span
    ) -> ir.Expr:
        """`isinstance(x, C)` (C a class or a tuple of classes) is decided by x's type: for
        a builtin class as Python's subclass relation says (a bool is an int; an int value
        may hold a bool, so `isinstance(n, bool)` is unsupported), and a same-file class
        never holds (no modelled value is an instance of one)."""
        source = frame.source
        if len(node.args) != 2:
            raise _Unsupported(f"isinstance with {len(node.args)} arguments", span.line,
                               span.column)  # fmt: skip
        value = self.expr(frame, node.args[0], guard)
        classes = node.args[1]
        elts = classes.elts if isinstance(classes, ast.Tuple) else [classes]
        held = False
        for elt in elts:
            decided = self.instance_of(frame, value, elt) if isinstance(elt, ast.Name) else None
            if decided is None:
                what = f"isinstance check against {source.segment(elt)}"
                if isinstance(elt, ast.Name) and elt.id == "bool" and value.type == ir.INT:
                    what = "isinstance(..., bool) on an int value"
                raise _Unsupported(what, *_pos(source, elt))
            held = held or decided
        return ir.Const(held, ir.BOOL, span)

    def instance_of(self, frame: _Frame, value: ir.Expr, cls: ast.Name) -> bool | None:
        """Is `value` an instance of the class `cls` names (None: not decided here)?"""
        name = cls.id
        if self.shadowed(frame, name) or name == frame.receiver:
            return None
        if self.module.describe(name) == "a class" and name not in self.units:
            return False if plain_class(self.parsed, name) else None
        if not self.is_builtin_name(frame, name):
            return None
        builtin = getattr(builtins, name, None)
        t = value.type
        kinds = {ir.INT: int, ir.BOOL: bool, ir.FLOAT: float}
        if isinstance(t, ir.SeqType):
            actual: type = {"str": str, "list": list, "tuple": tuple}[t.kind]
        elif t in kinds:
            actual = kinds[t]
        else:
            return None
        if not isinstance(builtin, type):
            return None
        if actual is int and builtin is bool:
            return None  # an int value may hold a bool (see the module docstring)
        return issubclass(actual, builtin)

    # --------------------------------------------------------------- inlining

    def inline_call(
        self, frame: _Frame, node: ast.Call, guard: ir.Expr | None, want_value: bool
    ) -> ir.Expr | None:
        """A call of a same-file function, inlined with its variables renamed apart."""
        source = frame.source
        span = source.span(node)
        name = cast(ast.Name, node.func).id  # a same-file function, called by its name
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise _Unsupported("*args in a call", *_pos(frame.source, arg))
        if any(k.arg is None for k in node.keywords):
            raise _Unsupported("**kwargs in a call", *_pos(frame.source, node))
        args = [self.expr(frame, a, guard) for a in node.args]
        keywords = {k.arg: self.expr(frame, k.value, guard) for k in node.keywords}
        for key, value in keywords.items():
            if seq.is_list(value.type):  # the aliasing rule follows positional lists only
                raise _Unsupported(f"list passed by keyword ({key}) to {name}", span.line,
                                   span.column)  # fmt: skip
        self.inlines += 1
        if self.inlines > MAX_INLINES:
            raise _Unsupported("too many inlined calls", span.line, span.column)
        self.call_certain = False
        if frame.depth >= self.settings.inline_depth:
            t = ir.BOOL if name in self.bool_functions() else ir.INT
            target = self.call_target(t, guard, span) if want_value else None
            call = ir.Inline(target, name, (), span, depth_exceeded=True)
            self.emit_guarded(call, guard, span)
            return ir.Var(target, t, span) if target is not None else None
        callee = self.parse_callee(name, span)
        args, arg_nodes = self.bind_arguments(callee, name, args, node.args, keywords, span)
        self.copy_outs = []
        body, ret_type = self.inline_body(frame, callee, name, args, span, want_value, arg_nodes)
        copy_outs = self.copy_outs
        if frame.precondition:  # a crash while evaluating a precondition excludes the input
            body = _as_assumes(body)
        target = self.call_target(ret_type, guard, span) if want_value else None
        self.emit_guarded(ir.Inline(target, name, body, span), guard, span)
        for copy in copy_outs:  # lists the callee mutated, back in the caller's variables
            if isinstance(copy, ir.Assign) and not self.certainly_int(copy.value):
                self.taint(copy.target, span)
            self.emit_guarded(copy, guard, span)
        return ir.Var(target, ret_type, span) if target is not None else None

    def bind_arguments(
        self, callee: ParsedUnit, name: str, args: list[ir.Expr], nodes: list[ast.expr],
        keywords: dict[str | None, ir.Expr], span: ir.Span,
    ) -> tuple[list[ir.Expr], list[ast.expr]]:  # fmt: skip
        """The callee's parameters' values, in its order (positional, then keyword-only):
        the positional arguments, the keyword ones by name, else the constant defaults; a
        call Python would reject (TypeError) is unsupported."""
        fargs = callee.fdef.args
        positional = fargs.posonlyargs + fargs.args
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(fargs.defaults))
        defaults += fargs.defaults
        params = list(zip(positional, defaults, strict=True))
        params += list(zip(fargs.kwonlyargs, fargs.kw_defaults, strict=True))
        if len(args) > len(positional):
            raise _Unsupported(f"call to {name} with {len(args)} positional arguments "
                               f"(it takes {len(positional)})", span.line, span.column)  # fmt: skip
        names = {a.arg for a, _ in params[len(fargs.posonlyargs):]}
        for key in keywords:
            if key not in names or key in {a.arg for a in positional[: len(args)]}:
                raise _Unsupported(f"call to {name} with keyword argument {key} it does not "
                                   "take there", span.line, span.column)  # fmt: skip
        values, value_nodes = list(args), list(nodes)
        for arg, default in params[len(args):]:
            constant = None if default is None else _default_value(default, self.module)
            if constant is not None and default is not None:
                for node in ast.walk(default):  # module constants it names: for replay
                    if isinstance(node, ast.Name) and node.id in self.module.constants:
                        self.module_values[node.id] = self.module.constants[node.id]
            if arg.arg in keywords:
                value = keywords[arg.arg]
            elif constant is not None:
                value = replace(constant, span=span)
            else:
                raise _Unsupported(f"call to {name} without argument {arg.arg}", span.line,
                                   span.column)  # fmt: skip
            values.append(value)
            value_nodes.append(ast.Constant(value=None))  # not a name: never copied back
        return values, value_nodes

    def bool_functions(self) -> frozenset[str]:
        """Same-file functions whose every `return` gives a truth value, judged from the
        syntax (the greatest fixpoint over calls): the type of a call beyond the inlining
        bound. Its value is never used (engines cut such paths), so this affects typing only."""
        if self.bool_fns is None:
            returns: dict[str, list[ast.expr]] = {}
            for name, unit in self.units.items():
                try:
                    fdef = parse_unit(self.parsed, unit, self.module).fdef
                except _Unsupported:
                    continue
                values = [n.value for n in _walk_own(fdef) if isinstance(n, ast.Return)]
                given = [v for v in values if v is not None]
                if values and len(given) == len(values):
                    returns[name] = given
            bools = set(returns)
            changed = True
            while changed:
                changed = False
                for name in sorted(bools):
                    if not all(_syntactic_bool(v, bools) for v in returns[name]):
                        bools.discard(name)
                        changed = True
            self.bool_fns = frozenset(bools)
        return self.bool_fns

    def call_target(self, t: ir.Type, guard: ir.Expr | None, span: ir.Span) -> str:
        """A hidden variable for a call's result; defined even when the call is skipped."""
        self.temps += 1
        target = f"$t{self.temps}"
        self.variables[target] = t
        if _holds_ints(t) and not self.call_certain:
            self.may_bool.add(target)
        if guard is not None:
            self.out.append(ir.Assign(target, seq.empty_value(t, span), span))
        return target

    def emit_guarded(self, stmt: ir.Stmt, guard: ir.Expr | None, span: ir.Span) -> None:
        self.out.append(stmt if guard is None else ir.If(guard, (stmt,), (), span))

    def parse_callee(self, name: str, span: ir.Span) -> ParsedUnit:
        if name not in self.cache:
            unit = self.units[name]
            if unit.has_error:
                raise _Unsupported(f"call to {name}, which has a syntax error", span.line,
                                   span.column)  # fmt: skip
            try:
                parsed = parse_unit(self.parsed, unit, self.module)
                _callee_signature(parsed, self.module)
            except _Unsupported as exc:
                raise _nested(exc, name, span) from None
            self.cache[name] = parsed
        return self.cache[name]

    def inline_body(
        self, frame: _Frame, callee: ParsedUnit, name: str, args: list[ir.Expr], span: ir.Span,
        want_value: bool, arg_nodes: list[ast.expr],
    ) -> tuple[tuple[ir.Stmt, ...], ir.Type]:  # fmt: skip
        """The callee's statements in a fresh frame, and the type of its result."""
        fdef, source = callee.fdef, callee.source
        params = [a.arg for a in fdef.args.posonlyargs + fdef.args.args + fdef.args.kwonlyargs]
        prefix = f"{name}#{self.inlines}."
        try:
            local_names = _scope_check(fdef, source, self.module) - set(params)
        except _Unsupported as exc:
            raise _nested(exc, name, span) from None
        inner = _Frame(name, prefix, source, frozenset(params), local_names, frame.depth + 1)
        inner.mutated = seq.mutated_names(fdef, self.callee_def, frozenset({frame.name}))
        inner.parents = seq.parent_map(fdef)
        copies = self.list_arguments(frame, inner, fdef, params, args, arg_nodes, span)
        saved_out, saved_assigned = self.out, self.assigned
        self.out, self.assigned = [], frozenset()
        try:
            for param, arg in zip(params, args, strict=True):
                self.store(inner, param, arg, span)
            leading, rest = _split_body(fdef.body)
            for first in leading:
                if isinstance(first, ast.If):  # a guard of the callee raises in the caller
                    self.stmt(inner, first)
                    continue
                self.callee_precondition(inner, first, span)
            for stmt in rest:
                if self.assigned is None:
                    break
                self.stmt(inner, stmt)
        except _Unsupported as exc:
            raise _nested(exc, name, span) from None
        if self.assigned is not None:
            self.out.append(ir.Return(None, span))
            inner.returns.append(None)
        body = tuple(self.out)
        self.out, self.assigned = saved_out, saved_assigned
        if want_value and any(v is None for v in inner.returns):
            raise _Unsupported(f"use of the result of {name}, which may return None",
                               span.line, span.column)  # fmt: skip
        typed = [v for v in inner.returns if v is not None]
        ret_type = _return_type(typed, span) or ir.INT
        self.call_certain = all(self.certainly_int(v) for v in typed)
        if ret_type == ir.INT:
            body = _cast_returns(body)
        self.copy_outs = copies  # read by inline_call (nested calls have set theirs by now)
        return body, ret_type

    def list_arguments(
        self, frame: _Frame, inner: _Frame, fdef: ast.FunctionDef, params: list[str],
        args: list[ir.Expr], arg_nodes: list[ast.expr], span: ir.Span,
    ) -> list[ir.Stmt]:  # fmt: skip
        """A list variable passed to a callee that mutates it is copied back out after the
        call (exact: python_seq's rule keeps both names single; the callee may not rebind
        the parameter, and one list may not be passed twice)."""
        copies: list[ir.Stmt] = []
        passed: set[str] = set()
        for param, arg, node in zip(params, args, arg_nodes, strict=True):
            if not seq.is_list(arg.type) or param not in inner.mutated:
                continue
            if not isinstance(node, ast.Name) or not self.shadowed(frame, node.id):
                continue  # a fresh list: the caller cannot see the mutation
            if node.id in passed or seq.rebinds(fdef, param):
                raise _Unsupported(f"aliased list mutation (list {node.id} passed to "
                                   f"{inner.name}, which mutates it)", span.line,
                                   span.column)  # fmt: skip
            passed.add(node.id)
            inner.mutated |= {param}
            source_var = ir.Var(inner.prefix + param, arg.type, span)
            copies.append(ir.Assign(frame.prefix + node.id, source_var, span))
        return copies

    def callee_precondition(self, frame: _Frame, stmt: ast.Assert, call: ir.Span) -> None:
        """A callee's leading assert: the caller must meet it, checked at the call."""
        self.assert_message(frame, stmt)
        cond = _truth(self.expr(frame, stmt.test, None))
        message = f"precondition of {frame.name}: {frame.source.segment(stmt.test)}"
        self.out.append(ir.Assert(cond, "assertion", message, call))


# ------------------------------------------------------------------------- helpers


def _return_type(typed: list[ir.Expr], span: ir.Span) -> ir.Type | None:
    """BOOL when every value returned is a truth value, one sequence type, else INT."""
    if not typed:
        return None
    if all(v.type == ir.BOOL for v in typed):
        return ir.BOOL
    kinds = {v.type for v in typed}
    if any(isinstance(t, ir.SeqType | ir.FloatType) for t in kinds):
        if len(kinds) > 1:
            names = " and ".join(sorted(str(t) for t in kinds))
            raise _Unsupported(f"returns of different types ({names})", span.line, span.column)
        return typed[0].type
    return ir.INT


def _sequence_constant(value: str | tuple | list, span: ir.Span) -> ir.Expr:
    """The IR value of a module-level sequence constant (python_module)."""
    if isinstance(value, str):
        return seq.string_literal(value, span)
    kind = "list" if isinstance(value, list) else "tuple"
    if value and all(isinstance(v, str) for v in value):
        return ir.SeqLit(tuple(seq.string_literal(v, span) for v in value),
                         ir.SeqType(kind, ir.STR), span)  # fmt: skip
    if value and all(isinstance(v, bool) for v in value):
        return ir.SeqLit(tuple(ir.Const(v, ir.BOOL, span) for v in value),
                         ir.SeqType(kind, ir.BOOL), span)  # fmt: skip
    return ir.SeqLit(tuple(ir.Const(int(v), ir.INT, span) for v in value),
                     ir.SeqType(kind, ir.INT), span)  # fmt: skip


MAX_MASK_RUNS = 16  # runs of one bits in a constant operand of `&`, `|`, `^`


def _bitwise(op: ast.operator, left: ir.Expr, right: ir.Expr, span: ir.Span) -> ir.Expr:
    """`&`, `|`, `^` on unbounded ints (infinite two's complement) when one operand is a
    constant, by arithmetic: `x & c` adds up, for each run of one bits [lo, hi) of c >= 0,
    `(x // 2**lo) % 2**(hi - lo) * 2**lo` (for c < 0, `x - (x & ~c)`); `x | c` is
    `x + c - (x & c)` and `x ^ c` is `x + c - 2 * (x & c)`. On two truth values the
    result is a truth value, as in Python."""
    symbol = _BINOP_SYMBOLS[type(op)]
    if isinstance(left.type, ir.SeqType | ir.FloatType) or isinstance(
        right.type, ir.SeqType | ir.FloatType
    ):
        raise _Unsupported(f"operator {symbol} on a {left.type} and a {right.type}", span.line,
                           span.column)  # fmt: skip
    if left.type == ir.BOOL and right.type == ir.BOOL:
        name = {ast.BitAnd: "and", ast.BitOr: "or", ast.BitXor: "ne"}[type(op)]
        return ir.Binary(name, left, right, ir.BOOL, span)
    left, right = _as_int(left), _as_int(right)
    if isinstance(left, ir.Const) and isinstance(right, ir.Const):
        a, b = int(left.value), int(right.value)
        value = a & b if isinstance(op, ast.BitAnd) else a | b if isinstance(op, ast.BitOr) \
            else a ^ b
        return _int(value, span)
    if isinstance(left, ir.Const):
        left, right = right, left
    if not isinstance(right, ir.Const):
        raise _Unsupported(f"operator {symbol} of two ints that are not constants", span.line,
                           span.column)  # fmt: skip
    c = int(right.value)
    if abs(c).bit_length() > MAX_SHIFT:
        raise _Unsupported(f"operator {symbol} with a constant above 2**{MAX_SHIFT}",
                           span.line, span.column)  # fmt: skip
    both = _and_constant(left, c, span)
    if isinstance(op, ast.BitAnd):
        return both
    total = ir.Binary("add", left, _int(c, span), ir.INT, span)
    if isinstance(op, ast.BitOr):
        return ir.Binary("sub", total, both, ir.INT, span)
    twice = ir.Binary("mul", _int(2, span), both, ir.INT, span)
    return ir.Binary("sub", total, twice, ir.INT, span)


def _and_constant(x: ir.Expr, c: int, span: ir.Span) -> ir.Expr:
    """`x & c` for an int expression x and a constant c (see `_bitwise`)."""
    if c < 0:
        return ir.Binary("sub", x, _and_constant(x, ~c, span), ir.INT, span)
    runs: list[tuple[int, int]] = []
    bit = 0
    while c >> bit:
        if (c >> bit) & 1:
            lo = bit
            while (c >> bit) & 1:
                bit += 1
            runs.append((lo, bit))
        else:
            bit += 1
    if len(runs) > MAX_MASK_RUNS:
        raise _Unsupported(f"& with a constant of more than {MAX_MASK_RUNS} runs of one bits",
                           span.line, span.column)  # fmt: skip
    result: ir.Expr = _int(0, span)
    for lo, hi in runs:
        shifted = ir.Binary("floordiv", x, _int(2**lo, span), ir.INT, span)
        part = ir.Binary("floormod", shifted, _int(2 ** (hi - lo), span), ir.INT, span)
        if lo:
            part = ir.Binary("mul", part, _int(2**lo, span), ir.INT, span)
        result = part if isinstance(result, ir.Const) and result.value == 0 else \
            ir.Binary("add", result, part, ir.INT, span)
    return result


def _holds_ints(t: ir.Type) -> bool:
    return t == ir.INT or (isinstance(t, ir.SeqType) and t.elem == ir.INT)


def _abs_int(value: ir.Expr, span: ir.Span) -> ir.Expr:
    negative = ir.Binary("lt", value, _int(0, span), ir.BOOL, span)
    return ir.Ite(negative, ir.Unary("neg", value, ir.INT, span), value, ir.INT, span)


def _nested(exc: _Unsupported, callee: str, span: ir.Span) -> _Unsupported:
    """An unsupported construct inside a callee, reported at the call."""
    construct = f"{exc.construct} (line {exc.line}, in called function {callee})"
    return _Unsupported(construct, span.line, span.column)


def _cast_returns(body: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
    """This frame's truth-valued `return`s as ints (nested inlined frames untouched)."""
    out: list[ir.Stmt] = []
    for stmt in body:
        if isinstance(stmt, ir.Return) and stmt.value is not None:
            stmt = replace(stmt, value=_as_int(stmt.value))
        elif isinstance(stmt, ir.If):
            stmt = replace(stmt, then=_cast_returns(stmt.then), orelse=_cast_returns(stmt.orelse))
        elif isinstance(stmt, ir.Loop):
            stmt = replace(stmt, body=_cast_returns(stmt.body))
        out.append(stmt)
    return tuple(out)


def _as_assumes(body: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
    """Every check in `body` (nested blocks and inlined calls included) as an assumption."""
    out: list[ir.Stmt] = []
    for stmt in body:
        if isinstance(stmt, ir.Assert):
            stmt = ir.Assume(stmt.cond, stmt.span)
        elif isinstance(stmt, ir.If):
            stmt = replace(stmt, then=_as_assumes(stmt.then), orelse=_as_assumes(stmt.orelse))
        elif isinstance(stmt, ir.Loop):
            stmt = replace(stmt, body=_as_assumes(stmt.body), update=_as_assumes(stmt.update))
        elif isinstance(stmt, ir.Inline):
            stmt = replace(stmt, body=_as_assumes(stmt.body))
        out.append(stmt)
    return tuple(out)


def _syntactic_bool(node: ast.expr, bools: set[str]) -> bool:
    """Does `node` lower to a truth value, given that calls of `bools` do?"""
    if isinstance(node, ast.Compare):
        return True
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.Not)
    if isinstance(node, ast.Constant):
        return isinstance(node.value, bool)
    if isinstance(node, ast.BoolOp):
        return all(_syntactic_bool(v, bools) for v in node.values)
    if isinstance(node, ast.IfExp):
        return _syntactic_bool(node.body, bools) and _syntactic_bool(node.orelse, bools)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in bools or node.func.id in ("bool", "isinstance")
    return False


def _constant(value: object, span: ir.Span) -> ir.Const:
    if isinstance(value, bool):
        return ir.Const(value, ir.BOOL, span)
    if isinstance(value, int):
        return ir.Const(value, ir.INT, span)
    kinds = {str: "string literal", float: "float literal", complex: "complex literal",
             bytes: "bytes literal", type(None): "None value",
             type(Ellipsis): "Ellipsis"}  # fmt: skip
    raise _Unsupported(kinds.get(type(value), "constant"), span.line, span.column)


def _constant_int(node: ast.expr) -> int | None:
    """The value of an int literal, possibly negated (bools excluded)."""
    sign = 1
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return sign * node.value
    return None


def _membership(item: ir.Expr, container: ir.Expr, span: ir.Span) -> ir.Expr:
    """`item in container`: an item of a list or tuple, a substring of a str."""
    t = container.type
    if not isinstance(t, ir.SeqType):
        raise _Unsupported(f"'in' on a {t} value", span.line, span.column)
    want = ir.STR if t.elem is None else t.elem
    if want == ir.FLOAT:  # `x in [nan]` is True by identity: not modelled
        raise _Unsupported(f"'in' on a {t}", span.line, span.column)
    if item.type != want:
        if not (want == ir.INT and item.type == ir.BOOL):
            raise _Unsupported(f"'in' of a {item.type} in a {t}", span.line, span.column)
        item = _as_int(item)
    return ir.SeqContains(container, item, ir.BOOL, span)


def _seq_comparison(op: str, left: ir.Expr, right: ir.Expr, span: ir.Span) -> ir.Expr:
    """`==`/`!=` with a sequence: by value for one type; values of different kinds
    (a list and a tuple, a str and an int) are never equal."""
    if op not in ("eq", "ne"):
        raise _Unsupported("ordering comparison of sequences", span.line, span.column)
    lt, rt = left.type, right.type
    if isinstance(left, ir.SeqLit) and not left.items and isinstance(rt, ir.SeqType):
        left, lt = ir.SeqLit((), rt, left.span), rt
    if isinstance(right, ir.SeqLit) and not right.items and isinstance(lt, ir.SeqType):
        right, rt = ir.SeqLit((), lt, right.span), lt
    kinds = [t.kind if isinstance(t, ir.SeqType) else "number" for t in (lt, rt)]
    if kinds[0] != kinds[1]:
        return ir.Const(op == "ne", ir.BOOL, span)
    if lt != rt:
        raise _Unsupported(f"comparison of {lt} and {rt}", span.line, span.column)
    if isinstance(lt, ir.SeqType) and lt.elem == ir.FLOAT:  # items compared by identity first
        raise _Unsupported(f"comparison of two {lt} values", span.line, span.column)
    equal = ir.SeqEq(left, right, ir.BOOL, span)
    return equal if op == "eq" else _not(equal)


def _float_comparison(op: str, left: ir.Expr, right: ir.Expr, span: ir.Span) -> ir.Expr:
    """A float against a float or an int: exact, as Python compares (bool as int)."""
    left = left if left.type == ir.FLOAT else _as_int(left)
    right = right if right.type == ir.FLOAT else _as_int(right)
    return ir.FloatCmp(op, left, right, ir.BOOL, span)


def _comparison(op: str, left: ir.Expr, right: ir.Expr, span: ir.Span) -> ir.Expr:
    if not (op in ("eq", "ne") and left.type == ir.BOOL and right.type == ir.BOOL):
        left, right = _as_int(left), _as_int(right)
    return ir.Binary(op, left, right, ir.BOOL, span)


def _plain_names(targets: list[ast.expr], source: _Source) -> list[ast.Name]:
    """Assignment targets that must be plain names (else unsupported, at the first one
    that is not)."""
    for target in targets:
        if not isinstance(target, ast.Name):
            raise _Unsupported(_target_name(target), *_pos(source, target))
    return [target for target in targets if isinstance(target, ast.Name)]


def _target_name(target: ast.AST) -> str:
    names = {ast.Attribute: "assignment to an attribute",
             ast.Subscript: "assignment to a subscript",
             ast.Starred: "starred assignment", ast.Tuple: "nested tuple assignment",
             ast.List: "nested tuple assignment"}  # fmt: skip
    return names.get(type(target), "assignment target")


def _operator_span(
    source: _Source, node: ast.AST, right: ast.expr, symbol: str
) -> ir.Span | None:
    """The span of a binary operator token: the first `symbol` before the right operand,
    outside comments (for `x //= y`, the `//=` token)."""
    lines = source.lines
    if not isinstance(node, ast.BinOp | ast.AugAssign):
        return None
    start = node.left if isinstance(node, ast.BinOp) else node.target
    line, offset = start.end_lineno, start.end_col_offset
    if line is None or offset is None:
        return None
    stop = (right.lineno, right.col_offset)
    while (line, offset) < stop and line <= len(lines):
        data = lines[line - 1].encode("utf-8")
        chunk = data[offset:] if line < stop[0] else data[offset : stop[1]]
        text = chunk.decode("utf-8", "replace").split("#", 1)[0]
        found = text.find(symbol)
        if found >= 0:
            byte = offset + len(text[:found].encode("utf-8"))
            file_line, column = source.pos(line, byte)
            return ir.Span(file_line, column, file_line, column + len(symbol) - 1)
        line, offset = line + 1, 0
    return None
