"""C frontend: one function (pycparser AST) -> `ir.Function`, with exact gcc/LP64 semantics.

Every operation that is undefined in C gets an `Assert` before it (`signed-overflow`,
`division-by-zero`, `shift-out-of-range`, `array-out-of-bounds`); conversions follow gcc
(narrowing to a signed type wraps; an enum without negative values is `unsigned int`).
Anything not modelled -- pointers, structs, floats, unknown calls, goto -- makes the whole
unit `ir.Unsupported`, never a guess. The text lowered is the file's declarations, the
whole file, preprocessed by `c_preprocess` and parsed declaration by declaration by `c_file`.

Conventions the engines and `replay.c` rely on:
- globals are IR variables named `global:NAME` (`global:a[3]` for array elements). For
  `main` they start with their initializers; for other functions (and `extern` ones) they
  are inputs: a `Havoc` at entry, before any other statement (`const` globals use their
  initializer). Those entry havocs take the first `Witness.nondet` values unless
  `Witness.globals_` is given.
- shifts: a negative or too-large count, a left shift of a negative value and a signed
  left shift whose result is not representable are all `shift-out-of-range` (UBSan's
  `-fsanitize=shift`: "shift exponent ...", "left shift of ...").
- `INT_MIN / -1`, `INT_MIN % -1`, `-INT_MIN`, `abs(INT_MIN)` are `signed-overflow`.
- checks inside the right operand of `&&`/`||`/`?:` (and their side effects) sit inside an
  `If` on the guard, so they apply only when C evaluates them.
- SV-COMP: `__VERIFIER_nondet_T()` is a `Havoc`; `__VERIFIER_assert`, `assert`,
  `reach_error()` and glibc's `__assert_fail()` are `assertion` asserts; `__VERIFIER_assume`
  an `Assume`; `abort()`/`exit()` an `Assume(false)` (the run ends, no violation).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from pycparser import c_ast, c_parser

from prooflens.analysis import ir
from prooflens.analysis.frontends import c_file, c_preprocess
from prooflens.analysis.frontends import c_types as ct
from prooflens.analysis.frontends.c_base import Unsup
from prooflens.analysis.frontends.c_lower import Lowerer
from prooflens.analysis.settings import Settings

_RECURSION_LIMIT = 6000
# `ir.Function.display` keys read by the replay (`replay.c`, same names there): the folder of
# the file's `#include "x.h"` headers, and the includes dropped as not found.
QUOTE_DIR_KEY = "c:quote-dir"
DROPPED_KEY = "c:dropped-includes"
IMPLICIT_KEY = "c:implicit-types"  # standard type names used without their header


def lower(
    parsed: Any, unit: Any, settings: Settings, use_cpp: bool | None = None,
    path: str | None = None,
) -> ir.Function | ir.Unsupported:
    """`unit` of `parsed` as an IR function, or why it cannot be (never raises); `path`:
    the file's, whose folder holds its `#include "x.h"` headers."""
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, _RECURSION_LIMIT))
    try:
        return _lower(parsed, unit, settings, use_cpp, folder_of(path))
    except Unsup as exc:
        return ir.Unsupported(exc.construct, exc.line, exc.column)
    except RecursionError:
        return ir.Unsupported("deeply nested code", unit.line, 1)
    except Exception as exc:  # noqa: BLE001 -- a frontend bug must not take the checker down
        return ir.Unsupported(f"construct (frontend error: {type(exc).__name__}: {exc})",
                              unit.line, 1)  # fmt: skip
    finally:
        sys.setrecursionlimit(old_limit)


def folder_of(path: str | None) -> str | None:
    """The folder of a file's path (None for text that is not a file)."""
    if not path or path.startswith("<"):
        return None
    return os.path.dirname(os.path.abspath(path))


def _lower(
    parsed: Any, unit: Any, settings: Settings, use_cpp: bool | None, folder: str | None
) -> ir.Function | ir.Unsupported:
    # The whole file is preprocessed and parsed (cached per text): a tree-sitter error in
    # the unit (an `#ifdef` splitting a statement, a macro) does not matter when the
    # preprocessor and pycparser accept it.
    tu = c_file.translation_unit(parsed.text, use_cpp, folder)
    if tu.error is not None:
        return ir.Unsupported(tu.error.construct, tu.error.line)
    last = getattr(unit, "end_line", unit.line)
    target = tu.definition(unit.name, unit.line, last)
    if target is None:
        return _not_found(tu, unit, last)
    blocked = _blocked_callee(tu, target, parsed.units)
    if blocked is not None:
        return blocked
    lowerer = Lowerer(tu.ast, tu.funcs, settings, tu.source)
    try:
        fn = lowerer.lower_unit(target, last)
    except Unsup as exc:
        if tu.dropped and ("undeclared" in exc.construct or "unknown" in exc.construct):
            exc.construct += tu.missing_note()  # maybe declared where we could not look
        raise
    # For the replay harness (`replay.c`): compiled as the text was preprocessed here.
    if folder is not None:
        fn.display[QUOTE_DIR_KEY] = folder
    if tu.dropped:
        fn.display[DROPPED_KEY] = "\n".join(tu.dropped)
    if tu.implicit:
        fn.display[IMPLICIT_KEY] = " ".join(tu.implicit)
    return fn


def _not_found(tu: c_file.TranslationUnit, unit: Any, last: int) -> ir.Unsupported:
    failure = tu.failure_in(unit.line, last)
    if failure is not None and failure.message == c_file.DEEP:
        return ir.Unsupported(c_file.DEEP, unit.line, 1)
    if failure is not None:
        reason = f"C syntax pycparser cannot parse ({failure.message}{tu.missing_note()})"
        return ir.Unsupported(reason, max(unit.line, failure.first))
    return ir.Unsupported(f"function {unit.name} (not compiled: left out by the preprocessor)",
                          unit.line)  # fmt: skip


def _blocked_callee(
    tu: c_file.TranslationUnit, target: c_ast.FuncDef, units: Any
) -> ir.Unsupported | None:
    """A call to a function of the file that pycparser could not parse."""
    broken = {u.name for u in units if tu.failure_in(u.line, u.end_line) is not None}
    seen: set[str] = set()
    stack = [target]
    while stack:
        fdef = stack.pop()
        for call in _calls(fdef):
            name = call.name.name
            if name in seen:
                continue
            seen.add(name)
            if name in tu.funcs:
                stack.append(tu.funcs[name])
            elif name in broken:
                return ir.Unsupported(f"call to {name}, which has a syntax error",
                                      call.coord.line if call.coord else 1)  # fmt: skip
    return None


def _calls(fdef: c_ast.FuncDef) -> list[c_ast.FuncCall]:
    found = []
    stack: list[Any] = [fdef.body]
    while stack:
        node = stack.pop()
        if isinstance(node, c_ast.FuncCall) and isinstance(node.name, c_ast.ID):
            found.append(node)
        stack.extend(child for _, child in node.children())
    return found


def parse_translation_unit(
    text: str, use_cpp: bool | None = None
) -> c_ast.FileAST | ir.Unsupported:
    """Preprocess and parse `text`; errors become `Unsupported` at the right line."""
    done = c_preprocess.preprocess(text, use_cpp)
    if isinstance(done, c_preprocess.PreprocessError):
        return ir.Unsupported(done.construct, done.line)
    try:
        return c_parser.CParser().parse(done, filename="<stdin>")
    except c_parser.ParseError as exc:
        line = _error_line(str(exc))
        return ir.Unsupported(f"C syntax pycparser cannot parse ({exc})", line)


def _error_line(message: str) -> int:
    parts = message.split(":")
    for part in parts[1:3]:
        if part.strip().isdigit():
            return int(part)
    return 1


def _function_defs(ast: c_ast.FileAST) -> dict[str, c_ast.FuncDef]:
    funcs: dict[str, c_ast.FuncDef] = {}
    for ext in ast.ext:
        if isinstance(ext, c_ast.FuncDef):
            funcs.setdefault(ext.decl.name, ext)
    return funcs


def _find_unit(funcs: dict[str, c_ast.FuncDef], unit: Any) -> c_ast.FuncDef | None:
    return funcs.get(unit.name)


__all__ = ["lower", "parse_translation_unit", "ct"]
