"""IR-to-IR passes run before the engines: what to check is decided here, once."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, replace

import z3

from prooflens.analysis import ir, semantics, unbounded


def prepare(fn: ir.Function, enabled: set[str]) -> ir.Function:
    """`fn` with the asserts of disabled kinds removed and, when it returns truth values,
    an `always-true` assert before each return."""
    body = _map_body(fn.body, lambda stmt: _rewrite(stmt, fn, enabled))
    return replace(fn, body=body)


def _rewrite(stmt: ir.Stmt, fn: ir.Function, enabled: set[str]) -> list[ir.Stmt]:
    if isinstance(stmt, ir.Assert) and stmt.kind not in enabled:
        return []
    # Implicit checks that cannot fail (`x % 2`) are noise; the user's own asserts are
    # always reported, so a valid one gets its ✓.
    if isinstance(stmt, ir.Assert) and stmt.kind != "assertion" and _valid(stmt.cond, fn):
        return []
    if isinstance(stmt, ir.Return) and fn.returns_bool and "always-true" in enabled:
        return [ir.Assert(_truthy(stmt.value, stmt.span), "always-true",
                          "returns a value other than True", stmt.span), stmt]  # fmt: skip
    return [stmt]


def _truthy(value: ir.Expr | None, span: ir.Span) -> ir.Expr:
    """The return value is True (Python) / non-zero (C); falling off the end is not."""
    if value is None:
        return ir.Const(False, ir.BOOL, span)
    if isinstance(value.type, ir.BoolType):
        return value
    return ir.Cast(value, ir.BOOL, span)


def _map_body(body: tuple[ir.Stmt, ...], rewrite) -> tuple[ir.Stmt, ...]:
    """Apply `rewrite` (stmt -> list of stmts) to the top-level statements of `body`, after
    rewriting nested bodies -- except inside inlined calls, whose returns are not `fn`'s."""
    out: list[ir.Stmt] = []
    for stmt in body:
        if isinstance(stmt, ir.If):
            stmt = replace(stmt, then=_map_body(stmt.then, rewrite),
                           orelse=_map_body(stmt.orelse, rewrite))  # fmt: skip
        elif isinstance(stmt, ir.Loop):
            stmt = replace(stmt, body=_map_body(stmt.body, rewrite),
                           update=_map_body(stmt.update, rewrite))  # fmt: skip
        elif isinstance(stmt, ir.Inline):
            stmt = replace(stmt, body=_map_body(stmt.body, _keep_returns(rewrite)))
        out.extend(rewrite(stmt))
    return tuple(out)


def _keep_returns(rewrite):
    def inner(stmt: ir.Stmt) -> list[ir.Stmt]:
        return [stmt] if isinstance(stmt, ir.Return) else rewrite(stmt)

    return inner


@dataclass(frozen=True)
class TerminationUnit:
    """The function termination is proved on, and whether C's signed arithmetic in it was
    made mathematical (`unbounded.lift`) because some check of the unit can fail."""

    fn: ir.Function
    unbounded: bool


Site = tuple[str, int, int]  # (assert kind, line, column)


def for_termination(fn: ir.Function, proved: set[Site], keep: Set[Site] = frozenset()
                    ) -> TerminationUnit:  # fmt: skip
    """The unit termination is proved on. A loop terminates only if it stops without help
    from a failing check. When every check is proved, no run ever stops at one: `fn` is
    exact as it is. Otherwise every check goes (a proved check may have been proved only
    because an earlier, failing one stops the run: `y + 1` cannot overflow in C only
    because `x + y` overflows first), and signed C arithmetic becomes mathematical, so no
    wrap-around that only undefined behaviour could cause ends a loop."""
    checks = {(s.kind, s.span.line, s.span.column) for s in ir.walk_stmts(fn.body)
              if isinstance(s, ir.Assert) and s.kind != "always-true"}  # fmt: skip
    if checks <= proved:
        return TerminationUnit(drop_checks(fn, {"always-true"}), False)
    relaxed = drop_checks(fn, None, keep)
    if unbounded.needs_lifting(relaxed):
        return TerminationUnit(unbounded.lift(relaxed), True)
    return TerminationUnit(relaxed, False)


def drop_checks(fn: ir.Function, kinds: set[str] | None, keep: Set[Site] = frozenset()
                ) -> ir.Function:  # fmt: skip
    """`fn` without its asserts of `kinds` (all of them for None) except the sites in
    `keep` (asserts kept to be checked again): runs go on past them. The `always-true`
    asserts stand before a return, so dropping them changes no run."""

    def rewrite(stmt: ir.Stmt) -> list[ir.Stmt]:
        if not isinstance(stmt, ir.Assert) or (kinds is not None and stmt.kind not in kinds):
            return [stmt]
        return [stmt] if (stmt.kind, stmt.span.line, stmt.span.column) in keep else []

    return replace(fn, body=_map_body(fn.body, rewrite))


def has_loops(fn: ir.Function) -> bool:
    return any(isinstance(s, ir.Loop) for s in ir.walk_stmts(fn.body))


def has_recursion_cutoff(fn: ir.Function) -> bool:
    return any(isinstance(s, ir.Inline) and s.depth_exceeded for s in ir.walk_stmts(fn.body))


def _valid(cond: ir.Expr, fn: ir.Function) -> bool:
    """True when `cond` holds whatever the variables are (e.g. `2 != 0` guarding `x % 2`):
    such checks cannot fail, so they are not reported."""
    names = ir.expr_vars(cond)
    env = {n: semantics.variable(n, fn.variables.get(n, ir.INT)) for n in names}
    for param in fn.params:
        env.setdefault(param.name, semantics.variable(param.name, param.type))
    return z3.is_true(z3.simplify(semantics.encode(cond, env)))


def is_easy(fn: ir.Function) -> bool:
    """No loops, no recursion cut-off, linear arithmetic: every query of such a unit is
    decided far below any budget, so z3's history in the process cannot change a verdict
    (only, at most, which of several witnesses is shown). A fresh z3 context per unit
    costs 3-10 ms; it is kept for the units where it matters."""
    return not (has_loops(fn) or has_recursion_cutoff(fn) or is_nonlinear(fn))


def is_nonlinear(fn: ir.Function) -> bool:
    """Multiplication of two variables, or division by one: where z3 may give up."""
    return any(_nonlinear_expr(e) for e in _exprs(fn.body))


def _nonlinear_expr(expr: ir.Expr) -> bool:
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Binary):
            arithmetic = node.op in ("mul", "floordiv", "floormod", "div", "rem")
            if arithmetic and not isinstance(node.type, ir.BVType) and not (
                _literal(node.left) or _literal(node.right)
            ):
                return True
            stack.extend((node.left, node.right))
        elif isinstance(node, ir.Unary | ir.Cast):
            stack.append(node.operand)
        elif isinstance(node, ir.Ite):
            stack.extend((node.cond, node.then, node.orelse))
    return False


def _literal(expr: ir.Expr) -> bool:
    """A constant, possibly negated or converted (cheap: no walk of the whole operand)."""
    while isinstance(expr, ir.Unary | ir.Cast):
        expr = expr.operand
    return isinstance(expr, ir.Const)


def _exprs(body: tuple[ir.Stmt, ...]):
    for stmt in ir.walk_stmts(body):
        if isinstance(stmt, ir.Assign):
            yield stmt.value
        elif isinstance(stmt, ir.Assume | ir.Assert | ir.If | ir.Loop):
            yield stmt.cond
        elif isinstance(stmt, ir.Return) and stmt.value is not None:
            yield stmt.value
