"""C library calls the IR can express soundly without a memory model.

- output (`printf`, `fprintf` to `stdout`/`stderr`, `puts`, `putchar`): no effect on the
  state the IR tracks; the arguments are still evaluated (their checks and side effects
  count); the result is nondeterministic (`Havoc`), within what C allows.
- inputs (`rand`, `getchar`, `time(NULL)`): a nondeterministic result in the range the
  standard (and glibc) gives.
A string literal argument is skipped (it is never written); any other argument that is
not an integer (a `char *` variable, `%n`'s pointer) is unsupported, as are the calls
that would need memory (`scanf`, `time(&t)`, `strlen`, ...). `abs`/`exit`/`abort` are
lowered in `c_expr`.
"""

from __future__ import annotations

from typing import Any

from pycparser import c_ast

from prooflens.analysis import ir
from prooflens.analysis.frontends import c_types as ct
from prooflens.analysis.frontends.c_base import CVal, Unsup, _and, _cmp, span_of

RAND_MAX = 2147483647  # glibc
EOF = -1
_OUTPUT = {"printf": 0, "fprintf": 1, "puts": 0, "putchar": 0}  # name -> stream arguments
_STREAMS = frozenset({"stdout", "stderr"})
# name -> (result type, lowest, highest value); None: any value of the type.
_INPUT = {"rand": (ct.INT, 0, RAND_MAX), "getchar": (ct.INT, EOF, 255),
          "time": (ct.LONG, None, None)}  # fmt: skip
_ARITY = {"rand": 0, "getchar": 0, "time": 1, "putchar": 1, "puts": 1}


def is_library(name: str) -> bool:
    return name in _OUTPUT or name in _INPUT


def lower_call(lowering: Any, name: str, args: list[Any], node: Any) -> CVal:
    """The call `name(args)` of a library function `is_library` accepts."""
    arity = _ARITY.get(name)
    if arity is not None and len(args) != arity:
        raise Unsup(f"{name} with {len(args)} arguments", node)
    if name in _INPUT:
        if name == "time" and not _is_null(args[0]):
            raise Unsup("time with a non-NULL argument (writes through a pointer)", node)
        t, low, high = _INPUT[name]
        return _nondet(lowering, name, t, low, high, (), node)
    stmts = _output_args(lowering, name, args, node)
    low, high = (EOF, 255) if name == "putchar" else (None, None)
    return _nondet(lowering, name, ct.INT, low, high, stmts, node)


def _output_args(lowering: Any, name: str, args: list[Any], node: Any) -> tuple[ir.Stmt, ...]:
    streams = _OUTPUT[name]
    if name in ("printf", "fprintf", "puts") and len(args) <= streams:
        raise Unsup(f"{name} without a format", node)
    stmts: list[ir.Stmt] = []
    values: list[CVal] = []
    for i, arg in enumerate(args):
        if i < streams:
            if not (isinstance(arg, c_ast.ID) and arg.name in _STREAMS):
                raise Unsup(f"{name} to a stream other than stdout/stderr", arg)
            continue
        if isinstance(arg, c_ast.Constant) and arg.type == "string":
            continue
        if i == streams and name != "putchar":
            raise Unsup(f"{name} with a format that is not a string literal", arg)
        value = lowering.expr(arg)
        if value.ptr is not None:  # `%s` reads memory: not modelled
            raise Unsup(f"{name} of a pointer argument", arg)
        if value.ctype is None or value.expr is None:
            raise Unsup(f"{name} argument that is not an integer", arg)
        for other in values:  # arguments are unsequenced
            lowering.check_unsequenced(other, value, node)
        values.append(value)
        stmts.extend(value.stmts)
    return tuple(stmts)


def _nondet(lowering: Any, name: str, t: ct.CType, low: int | None, high: int | None,
            stmts: tuple[ir.Stmt, ...], node: Any) -> CVal:  # fmt: skip
    span = span_of(node)
    tmp = lowering.temp(t.ir)
    lowering.display[tmp] = f"{name}()"
    out: list[ir.Stmt] = [*stmts, ir.Havoc(tmp, t.ir, span)]
    var = ir.Var(tmp, t.ir)
    if low is not None and high is not None:
        within = _and(_cmp("ge", var, ct.const(low, t)), _cmp("le", var, ct.const(high, t)))
        out.append(ir.Assume(within, span))
    return CVal(tuple(out), var, t)


def _is_null(arg: Any) -> bool:
    """`0`, `NULL` as glibc spells it (`((void *)0)`)."""
    while isinstance(arg, c_ast.Cast):
        arg = arg.expr
    return isinstance(arg, c_ast.Constant) and arg.value in ("0", "0L", "0UL")
