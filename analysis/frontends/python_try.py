"""`try: ... except E: ... else: ...` in the Python frontend, for the exceptions the IR models.

The body is lowered as usual; every check in it (its own, those of inlined calls, explicit
raises) names the exception it raises: `ZeroDivisionError` (division-by-zero),
`AssertionError` (assertion), or the type its `exception` message starts with. A modelled
body fails only at those checks, so they are all the exceptions it can raise. A check some
handler catches (the first whose builtin classes include its type, a bare `except:` any)
becomes a branch that records the handler's number in a hidden flag; the rest of the body
then does not run -- it is guarded by "flag is 0", a loop of the body is left by a `break`,
and an inlined call's remaining statements are skipped --, and after the body the flag
picks the handler (0: the `else` block). A handler starts from the names assigned before
the `try` (the body may stop anywhere). Checks no handler catches stay checks: the
exception leaves the `try`.

Unsupported, with the reason: `finally`, `except*`, handler classes that are not builtin
exception classes, `except E as name` where `name` is a variable of the function (Python
unbinds it after the handler) or is read in the handler (exception objects are not
modelled), and a check of an unknown exception type under a handler that could catch it.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from prooflens.analysis import ir
from prooflens.analysis.frontends.python_base import Unsupported, pos

Classify = Callable[[ir.Assert], int]  # the handler (1, 2, ...) that catches it, or 0


def raised_type(stmt: ir.Assert) -> type | None:
    """The exception class a failing check raises (None: not known)."""
    if stmt.kind == "division-by-zero":
        return ZeroDivisionError
    if stmt.kind == "assertion":
        return AssertionError
    if stmt.kind == "exception":
        cls = getattr(builtins, stmt.message.split(":")[0].strip(), None)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            return cls
    return None


def handler_classes(lowerer: Any, frame: Any, handler: ast.ExceptHandler) -> tuple[type, ...]:
    """The classes an `except` clause catches (a bare `except:` catches BaseException)."""
    source = frame.source
    if handler.type is None:
        return (BaseException,)
    elts = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    classes: list[type] = []
    for elt in elts:
        name = elt.id if isinstance(elt, ast.Name) else ""
        cls = getattr(builtins, name, None) if name else None
        if not (isinstance(cls, type) and issubclass(cls, BaseException)
                and lowerer.is_builtin_name(frame, name)):  # fmt: skip
            raise Unsupported(f"except {source.segment(elt)[:40]} (only builtin exception "
                              "classes are modelled)", *pos(source, elt))  # fmt: skip
        classes.append(cls)
    return tuple(classes)


def check_handler_name(frame: Any, handler: ast.ExceptHandler) -> None:
    """`except E as name`: `name` must be no variable of the function nor read there."""
    if handler.name is None:
        return
    source = frame.source
    if handler.name in frame.params or handler.name in frame.locals:
        raise Unsupported(f"except ... as {handler.name}, a variable of the function (unbound "
                          "after the handler)", *pos(source, handler))  # fmt: skip
    for stmt in handler.body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and node.id == handler.name:
                raise Unsupported(f"use of the exception object {handler.name}",
                                  *pos(source, node))  # fmt: skip


def classifier(handlers: list[tuple[type, ...]], span: ir.Span) -> Classify:
    def classify(stmt: ir.Assert) -> int:
        cls = raised_type(stmt)
        for index, classes in enumerate(handlers, start=1):
            if cls is None:
                if any(c in (BaseException, Exception) for c in classes):
                    raise Unsupported(f"check of an unknown exception type ({stmt.message[:40]}) "
                                      "inside try", stmt.span.line, stmt.span.column)  # fmt: skip
                continue
            if issubclass(cls, classes):
                return index
        return 0

    return classify


def catch(body: tuple[ir.Stmt, ...], classify: Classify, flag: ir.Var, in_loop: bool
          ) -> tuple[tuple[ir.Stmt, ...], bool]:  # fmt: skip
    """`body` with its caught checks turned into setting `flag` and leaving the body; and
    whether it may set the flag. `in_loop`: `body` is (inside) a loop body of the `try`
    body, which a `break` leaves; else the statements after are guarded."""
    out: list[ir.Stmt] = []
    items = list(body)
    for index, stmt in enumerate(items):
        new, may = _catch_stmt(stmt, classify, flag, in_loop)
        out.extend(new)
        if not may:
            continue
        span = stmt.span
        if in_loop:
            raised = ir.Binary("ne", flag, ir.Const(0, ir.INT, span), ir.BOOL, span)
            out.append(ir.If(raised, (ir.Break(span),), (), span))
            rest, _ = catch(tuple(items[index + 1 :]), classify, flag, in_loop)
            return (*out, *rest), True
        rest, _ = catch(tuple(items[index + 1 :]), classify, flag, in_loop)
        if rest:
            clear = ir.Binary("eq", flag, ir.Const(0, ir.INT, span), ir.BOOL, span)
            out.append(ir.If(clear, rest, (), span))
        return tuple(out), True
    return tuple(out), False


def _catch_stmt(stmt: ir.Stmt, classify: Classify, flag: ir.Var, in_loop: bool
                ) -> tuple[tuple[ir.Stmt, ...], bool]:  # fmt: skip
    span = stmt.span
    if isinstance(stmt, ir.Assert):
        handler = classify(stmt)
        if not handler:
            return (stmt,), False
        failed = ir.Unary("not", stmt.cond, ir.BOOL, span)
        mark = ir.Assign(flag.name, ir.Const(handler, ir.INT, span), span)
        return (ir.If(failed, (mark,), (), span),), True
    if isinstance(stmt, ir.If):
        then, may_then = catch(stmt.then, classify, flag, in_loop)
        orelse, may_else = catch(stmt.orelse, classify, flag, in_loop)
        return (replace(stmt, then=then, orelse=orelse),), may_then or may_else
    if isinstance(stmt, ir.Loop):
        body, may = catch(stmt.body, classify, flag, True)
        update, may_update = catch(stmt.update, classify, flag, True)
        if may_update:
            raise Unsupported("a caught check in a loop's update", span.line, span.column)
        return (replace(stmt, body=body, update=update),), may
    if isinstance(stmt, ir.Inline):
        body, may = catch(stmt.body, classify, flag, False)  # its own block: guard the rest
        return (replace(stmt, body=body),), may
    return (stmt,), False
