"""Unbounded assertion proofs: the unit as constrained Horn clauses solved by z3's Spacer.

Every loop head gets a predicate (see `transition.encode_chc`); a site is proved when
Spacer finds predicates that make every clause valid and the site's failure clause
unreachable. The solution is re-checked clause by clause with a plain solver before it
is believed, and rendered back as the loop invariant(s): the certificate.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from prooflens.analysis import ir, solver
from prooflens.analysis.engines import certificate, kinduction, transition
from prooflens.analysis.engines.certificate import SiteProof, display_names
from prooflens.analysis.engines.transition import ChcSystem, Clause, Site
from prooflens.analysis.solver import Budget

FIRST_SHARE = 0.25  # of the budget for Spacer's first round
GUESS_SHARE = 0.5  # of what is left, for guess-and-check; Spacer gets the rest again


__all__ = ["SiteProof", "display_names", "interpretation", "prove_asserts", "solution"]


def prove_asserts(fn: ir.Function, budget: Budget, system: ChcSystem | None = None
                  ) -> dict[Site, SiteProof]:  # fmt: skip
    """A verdict for every assert site of `fn` (see the module docstring); `system` is
    `fn`'s Horn-clause system when the caller has it already."""
    sites = _sites(fn)
    if not sites:
        return {}
    try:
        system = transition.encode_chc(fn) if system is None else system
    except Exception as exc:  # noqa: BLE001 - an engine bug must not sink the unit
        return {s: SiteProof(s, "unknown", None, f"cannot encode: {exc!r}") for s in sites}
    results: dict[Site, SiteProof] = {}
    doubtful = _recursion_sites(fn, system)
    for site in sites:
        if site not in system.queries:  # the assert is unreachable by construction
            results[site] = SiteProof(site, "proved", None, None)
    open_sites = [s for s in sites if s not in results]
    nonlinear = [s for s in open_sites if s in _nonlinear_sites(fn) and s not in doubtful]
    if nonlinear:  # Spacer rarely finds nonlinear invariants: guess them first
        _guess_and_check(fn, system, nonlinear, budget.part(GUESS_SHARE), results)
    open_sites = [s for s in open_sites if s not in results or results[s].status == "unknown"]
    _spacer_round(fn, system, open_sites, doubtful, budget.part(FIRST_SHARE), results)
    undecided = [s for s in open_sites if results[s].status == "unknown" and s not in doubtful]
    if undecided:
        _guess_and_check(fn, system, undecided, budget.part(GUESS_SHARE), results)
    again = [s for s in open_sites if results[s].status == "unknown" and s not in doubtful]
    if again:  # what neither settled gets Spacer again, with all the budget left
        _spacer_round(fn, system, again, doubtful, budget, results)
    return results


def _nonlinear_sites(fn: ir.Function) -> set[Site]:
    """Sites whose condition multiplies two variables."""
    return {transition.site_of(stmt) for stmt in ir.walk_stmts(fn.body)
            if isinstance(stmt, ir.Assert) and _multiplies(stmt.cond)}  # fmt: skip


def _multiplies(expr: ir.Expr) -> bool:
    if isinstance(expr, ir.Binary):
        if expr.op == "mul" and ir.expr_vars(expr.left) and ir.expr_vars(expr.right):
            return True
        return _multiplies(expr.left) or _multiplies(expr.right)
    if isinstance(expr, ir.Unary | ir.Cast):
        return _multiplies(expr.operand)
    if isinstance(expr, ir.Ite):
        return any(_multiplies(e) for e in (expr.cond, expr.then, expr.orelse))
    return False


def _spacer_round(fn, system, sites, doubtful, budget: Budget, results) -> None:
    """All sites in one query, then each site still open on its own."""
    if len(sites) > 1:
        _solve_together(fn, system, sites, doubtful, budget, results)
    left = [s for s in sites if s not in results or results[s].status == "unknown"]
    for i, site in enumerate(left):
        results[site] = _solve_one(fn, system, site, doubtful, budget.split(len(left) - i))


def _guess_and_check(fn, system: ChcSystem, sites, budget: Budget, results) -> None:
    """Fallback for what Spacer leaves open (typically nonlinear invariants such as
    2 * t == i * (i - 1)): k-induction with Houdini over equalities guessed from runs."""
    try:
        found = kinduction.prove_asserts_kind(fn, budget, guesses=True, sites=sites,
                                              system=system)  # fmt: skip
    except Exception:  # noqa: BLE001 - a failed fallback leaves the sites unknown
        return
    for site in sites:
        proof = found.get(site)
        if proof is not None and proof.status != "unknown":  # a base case failure is real
            results[site] = proof


def _sites(fn: ir.Function) -> list[Site]:
    seen: dict[Site, None] = {}
    for stmt in ir.walk_stmts(fn.body):
        if isinstance(stmt, ir.Assert):
            seen[transition.site_of(stmt)] = None
    return list(seen)


def _recursion_sites(fn: ir.Function, system: ChcSystem) -> set[Site]:
    """Sites a call beyond the inlining bound could fail: every site inside an inlined
    body, and all of `fn` when `fn` itself is called. Empty when no such call exists."""
    if not system.depth_queries:
        return set()
    doubtful: set[Site] = set()
    recursive_self = False
    for stmt in ir.walk_stmts(fn.body):
        if isinstance(stmt, ir.Inline):
            recursive_self |= stmt.callee == fn.name
            for inner in ir.walk_stmts(stmt.body):
                if isinstance(inner, ir.Assert):
                    doubtful.add(transition.site_of(inner))
    if recursive_self:
        doubtful |= set(_sites(fn))
    return doubtful


# ---------------------------------------------------------------------- solving


@dataclass
class _Outcome:
    status: str  # "safe" | "unsafe" | "unknown"
    model: z3.ModelRef | None
    reason: str


def _solve_together(fn, system, sites, doubtful, budget: Budget, results) -> None:
    """One query for all sites: when it is safe, every site is proved at once."""
    queries = [q for s in sites for q in system.queries[s]]
    outcome = _spacer(system, queries, doubtful, budget.part(0.5))
    if outcome.status != "safe":
        return
    certificate = _certificate(fn, system, outcome.model)
    for site in sites:
        results[site] = _proved_or_doubtful(site, certificate, doubtful)


def _solve_one(fn, system, site, doubtful, budget: Budget) -> SiteProof:
    outcome = _spacer(system, system.queries[site], doubtful, budget)
    if outcome.status == "safe":
        return _proved_or_doubtful(site, _certificate(fn, system, outcome.model), doubtful)
    if outcome.status == "unsafe" and not system.depth_queries:
        return SiteProof(site, "refuted", None, "the Horn-clause solver found a failing run")
    reason = outcome.reason
    if outcome.status == "unsafe":
        reason = "may fail through a recursive call deeper than the inlining bound"
    return SiteProof(site, "unknown", None, reason)


def _proved_or_doubtful(site: Site, certificate: str | None, doubtful: set[Site]) -> SiteProof:
    if site in doubtful:
        reason = "a recursive call deeper than the inlining bound may fail it"
        return SiteProof(site, "unknown", None, reason)
    return SiteProof(site, "proved", certificate, None)


# Of a Spacer query's budget, what re-checking its solution may spend.
VALIDATION_SHARE = 0.25


def _spacer(system: ChcSystem, queries: list[Clause], doubtful: set[Site], budget: Budget):
    """Solve the clauses plus `queries`; a safe answer is re-checked before use."""
    horn = z3.SolverFor("HORN")
    horn.set("spacer.global", True)  # global guidance: without it, sums like t += i diverge
    for clause in system.clauses + queries:
        horn.add(_quantified(clause))
    check = budget.part(1 - VALIDATION_SHARE)
    answer = solver.check(horn, check, weight=solver.HORN_WEIGHT)
    if answer.unsat:
        return _Outcome("unsafe", None, "")
    if not answer.sat:
        return _Outcome("unknown", None, f"the Horn-clause solver gave up: {answer.reason}")
    model = answer.model
    assert model is not None
    if not _validated(system, system.clauses + queries, model, budget):
        return _Outcome("unknown", None, "the solver's invariant did not re-check")
    return _Outcome("safe", model, "")


def _quantified(clause: Clause) -> z3.BoolRef:
    formula = clause.formula()
    consts = transition.constants(formula)
    return z3.ForAll(consts, formula) if consts else formula


def interpretation(system: ChcSystem, model: z3.ModelRef, atom: z3.ExprRef) -> z3.BoolRef:
    """The model's meaning of a predicate application (over its actual arguments)."""
    pred = system.predicates[atom.decl().name()]
    return z3.substitute(solution(pred, model), *zip(pred.args, atom.children(), strict=False))


def solution(pred: transition.Predicate, model: z3.ModelRef) -> z3.BoolRef:
    """The model's predicate over its canonical arguments (`model.eval` of a Horn model's
    predicate is not reliable, so the interpretation is read directly)."""
    interp = model[pred.decl]
    if interp is None:
        return z3.BoolVal(False)  # never derived: no state reaches it
    if isinstance(interp, z3.FuncInterp):
        # z3 hands back an empty interpretation when no state reaches the predicate (an
        # exit after an endless loop): reading it fails with "ast is null". False is then
        # the right reading, and `_validated` re-checks every clause anyway.
        try:
            return _table(interp, pred)
        except z3.Z3Exception:
            return z3.BoolVal(False)
    return z3.substitute_vars(interp, *pred.args)


def _table(interp: z3.FuncInterp, pred: transition.Predicate) -> z3.BoolRef:
    default = interp.else_value()
    result = z3.BoolVal(False) if default is None else default
    for i in range(interp.num_entries()):
        entry = interp.entry(i)
        match = z3.And(*[a == entry.arg_value(j) for j, a in enumerate(pred.args)])
        result = z3.If(match, entry.value(), result)
    return z3.substitute_vars(result, *pred.args)


def _validated(system: ChcSystem, clauses: list[Clause], model: z3.ModelRef, budget: Budget):
    """Every clause is valid under the model's predicates (a guard against solver bugs)."""
    for clause in clauses:
        body = clause.constraint
        if clause.body is not None:
            body = z3.And(interpretation(system, model, clause.body), body)
        head = (
            z3.BoolVal(False)
            if clause.head is None
            else interpretation(system, model, clause.head)
        )
        if not solver.solve([body, z3.Not(head)], budget).unsat:
            return False
    return True


# ---------------------------------------------------------------------- certificate


def _certificate(fn: ir.Function, system: ChcSystem, model: z3.ModelRef) -> str | None:
    """The loop-head invariants in source syntax, one per loop (prefixed by its line
    when there are several); None when they cannot be shown."""
    try:
        return _certificate_text(fn, system, model)
    except (z3.Z3Exception, ValueError, AttributeError):
        return None


def _certificate_text(fn: ir.Function, system: ChcSystem, model: z3.ModelRef) -> str | None:
    return certificate.invariants_text(fn, system, lambda _, pred: solution(pred, model))
