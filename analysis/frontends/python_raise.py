"""`raise` statements in the Python frontend: which exceptions are modelled and how their
arguments are evaluated.

`raise E(args)` (or `raise E`, `raise E(...) from None`) is modelled when `E` is a builtin
subclass of `Exception` whose constructor accepts any positional arguments (not `OSError`,
whose arguments may pick a subclass, nor the `SyntaxError` and `UnicodeError` subclasses or
exception groups, which validate theirs). The arguments are evaluated first, with their
checks; besides every expression the lowerer models, an argument may be an f-string or a
`'...' % values` formatting of modelled values (`%s`/`%r`/`%a` of any value, `%d`/`%i` of an
int or bool; no `*` widths, no mapping keys, no format specs in f-strings). Formatting never
fails then, except for an int of more than 4300 digits: CPython's default limit (set by the
environment, `PYTHONINTMAXSTRDIGITS`, and off in prooflens's replay) makes that a ValueError
at the same line instead. Such inputs are left out of the raise's witnesses (an `Assume`);
nothing runs after a `raise`, so no other result depends on them. A sequence of ints is not
formatted (each item would need that bound).
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import replace
from typing import Any

from prooflens.analysis import ir
from prooflens.analysis.frontends.python_base import Unsupported, pos
from prooflens.analysis.frontends.python_strings import digits_bound

EXPLICIT_RAISE = "explicit raise"  # the message of a `raise` check, after the type's name
CAN_RAISE = "can raise "  # how a reachable `raise` reads (presentation keys on it)
_SPEC = re.compile(r"%(?:\((?P<key>[^)]*)\))?(?P<flags>[-#0 +]*)(?P<width>\*|\d+)?"
                   r"(?:\.(?P<precision>\*|\d+))?(?P<conv>.)", re.S)  # fmt: skip
_ANY = frozenset("sra")
_INTEGER = frozenset("di")


def constructible(name: str) -> bool:
    """Is the builtin `name` an exception class whose construction cannot fail?"""
    cls = getattr(builtins, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        return False
    if issubclass(cls, OSError | SyntaxError | BaseExceptionGroup):
        return False
    return not (issubclass(cls, UnicodeError) and cls is not UnicodeError)


def message_argument(lowerer: Any, frame: Any, node: ast.expr) -> None:
    """Evaluate one argument of an exception constructor for its checks."""
    source = frame.source
    if isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                if part.format_spec is not None:
                    raise Unsupported("format spec in an exception message", *pos(source, part))
                _formatted(lowerer, frame, lowerer.expr(frame, part.value, None), part.value)
        return
    left = node.left if isinstance(node, ast.BinOp) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and \
            isinstance(left, ast.Constant) and isinstance(left.value, str):
        _percent(lowerer, frame, left.value, node.right, node)
        return
    lowerer.expr(frame, node, None)


def _percent(lowerer: Any, frame: Any, template: str, right: ast.expr, node: ast.expr) -> None:
    source = frame.source
    conversions = []
    for match in _SPEC.finditer(template):
        conv = match.group("conv")
        if conv == "%" and match.group(0) == "%%":
            continue
        if match.group("key") is not None or "*" in (match.group("width") or "") + (
            match.group("precision") or ""
        ) or conv not in _ANY | _INTEGER:
            raise Unsupported(f"format %{conv} in an exception message", *pos(source, node))
        conversions.append(conv)
    items = right.elts if isinstance(right, ast.Tuple) else [right]
    if len(items) != len(conversions) or any(isinstance(i, ast.Starred) for i in items):
        raise Unsupported("'%' formatting whose values do not match its specifiers",
                          *pos(source, node))  # fmt: skip
    for conv, item in zip(conversions, items, strict=True):
        value = lowerer.expr(frame, item, None)
        if not isinstance(right, ast.Tuple) and isinstance(value.type, ir.SeqType) and \
                value.type.kind == "tuple":
            raise Unsupported("'%' formatting of a tuple value", *pos(source, item))
        if conv in _INTEGER and value.type not in (ir.INT, ir.BOOL):
            raise Unsupported(f"%{conv} of a {value.type} in an exception message",
                              *pos(source, item))  # fmt: skip
        _formatted(lowerer, frame, value, item)


def _formatted(lowerer: Any, frame: Any, value: ir.Expr, node: ast.expr) -> None:
    """`str`/`repr` of `value`: exact except an int past the digit limit (left out)."""
    t = value.type
    if isinstance(t, ir.SeqType) and t.elem in (ir.INT,):
        raise Unsupported(f"formatting of a {t} in an exception message",
                          *pos(frame.source, node))  # fmt: skip
    if t != ir.INT:
        return
    span = value.span
    value = lowerer.atom(value)
    negative = ir.Binary("lt", value, ir.Const(0, ir.INT, span), ir.BOOL, span)
    magnitude = ir.Ite(negative, ir.Unary("neg", value, ir.INT, span), value, ir.INT, span)
    fits = ir.Binary("lt", magnitude, digits_bound(span), ir.BOOL, span)
    lowerer.out.append(ir.Assume(fits, span))


def state_explicit_raises(results: list[Any]) -> list[Any]:
    """A refuted `raise` check reads "can raise E: f(...)": intended behaviour, which
    `presentation` shows as information, not as a defect."""
    out = []
    for r in results:
        head, sep, rest = r.message.partition(f": {EXPLICIT_RAISE}")
        if r.property == "exception" and r.status == "refuted" and sep and head.isidentifier():
            r = replace(r, message=f"{CAN_RAISE}{head}{rest}",
                        evidence=replace(r.evidence, explicit_raise=True))
        out.append(r)
    return out
