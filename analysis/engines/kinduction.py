"""k-induction over the Horn-clause system, strengthened with Houdini invariants.

The (linear) clauses of `transition.encode_chc` are read as a transition system whose
locations are the predicates: a step fires one clause. Base case: no failure of a site
within k steps from the start. Inductive step: k failure-free steps, each state meeting
the Houdini invariants of its location, cannot be followed by a failure. Kept as the
alternative engine to Spacer (`proof.py`); `bench/` compares the two.
"""

from __future__ import annotations

import z3

from prooflens.analysis import ir, solver
from prooflens.analysis.engines import certificate, invariants, transition
from prooflens.analysis.engines.certificate import SiteProof
from prooflens.analysis.engines.transition import ChcSystem, Clause, Site
from prooflens.analysis.solver import Answer, Budget

MAX_K = 6
_INIT = "<start>"


def prove_asserts_kind(
    fn: ir.Function, budget: Budget, guesses: bool = False, sites: list[Site] | None = None,
    system: ChcSystem | None = None,
) -> dict[Site, SiteProof]:
    """The same contract as `proof.prove_asserts`, by k-induction; with `guesses`, the
    Houdini candidates include polynomial equalities guessed from concrete runs. `system`
    is `fn`'s Horn-clause system when the caller has it already."""
    system = transition.encode_chc(fn) if system is None else system
    extra = None
    if guesses:
        extra = invariants.sampled_candidates(fn, system, budget.part(1 / 3))
    facts = invariants.houdini(fn, system, budget.part(1 / 2), extra)
    unfold = _Unfolding(system, facts)
    results: dict[Site, SiteProof] = {}
    for site, queries in system.queries.items():
        if sites is not None and site not in sites:
            continue
        proof = _prove(unfold, site, queries, budget, bool(system.depth_queries))
        if proof.status == "proved":
            proof = SiteProof(site, "proved", _certificate(fn, system, facts), None)
        results[site] = proof
    return results


class _Unfolding:
    """Step-indexed copies of the locations' states and of the clauses."""

    def __init__(self, system: ChcSystem, facts: dict[str, z3.BoolRef]) -> None:
        self.system = system
        self.facts = facts
        self.locs = {name: i for i, name in enumerate([_INIT, *system.predicates])}
        self.states: list[dict[str, list[z3.ExprRef]]] = []
        self.loc: list[z3.ArithRef] = []
        self.state_ids: set[int] = set()

    def state(self, i: int) -> None:
        while len(self.states) <= i:
            j = len(self.states)
            self.loc.append(z3.Int(f"loc@{j}"))
            self.states.append({
                name: [z3.Const(f"{a}@s{j}", a.sort()) for a in pred.args]
                for name, pred in self.system.predicates.items()
            })  # fmt: skip
            for values in self.states[-1].values():
                self.state_ids |= {v.get_id() for v in values}

    def _fire(self, clause: Clause, i: int) -> tuple[str, z3.BoolRef]:
        """The clause's constraint at step i (its body atom read from state i)."""
        self.state(i + 1)
        pairs = []
        name = _INIT
        if clause.body is not None:
            name = clause.body.decl().name()
            pairs += list(zip(clause.body.children(), self.states[i][name], strict=True))
        bound = {a.get_id() for a, _ in pairs}
        terms = [clause.constraint] + ([] if clause.head is None else clause.head.children())
        seen: set[int] = set()
        for const in (c for term in terms for c in transition.constants(term)):
            if const.get_id() in seen:
                continue
            seen.add(const.get_id())
            if const.get_id() not in bound and const.get_id() not in self.state_ids:
                pairs.append((const, z3.Const(solver.fresh_name(f"{const}@k"), const.sort())))
        constraint = z3.substitute(clause.constraint, *pairs) if pairs else clause.constraint
        if clause.head is None:
            return name, constraint
        head = clause.head.decl().name()
        values = [z3.substitute(v, *pairs) if pairs else v for v in clause.head.children()]
        equal = [a == v for a, v in zip(self.states[i + 1][head], values, strict=True)]
        return name, z3.And(constraint, self.loc[i + 1] == self.locs[head], *equal)

    def step(self, i: int) -> z3.BoolRef:
        options = []
        for clause in self.system.clauses:
            name, formula = self._fire(clause, i)
            options.append(z3.And(self.loc[i] == self.locs[name], formula))
        return z3.Or(*options) if options else z3.BoolVal(False)

    def bad(self, queries: list[Clause], i: int) -> z3.BoolRef:
        options = []
        for clause in queries:
            name, formula = self._fire(clause, i)
            options.append(z3.And(self.loc[i] == self.locs[name], formula))
        return z3.Or(*options)

    def strengthen(self, i: int) -> z3.BoolRef:
        self.state(i)
        parts = []
        for name, pred in self.system.predicates.items():
            fact = self.facts.get(name, z3.BoolVal(True))
            here = z3.substitute(fact, *zip(pred.args, self.states[i][name], strict=True))
            parts.append(z3.Implies(self.loc[i] == self.locs[name], here))
        return z3.And(*parts) if parts else z3.BoolVal(True)


def _check(facts: list[z3.BoolRef], budget: Budget) -> Answer:
    return solver.solve(facts, budget)


def _prove(unfold: _Unfolding, site: Site, queries, budget: Budget, depth: bool) -> SiteProof:
    unfold.state(0)
    path: list[z3.BoolRef] = [unfold.loc[0] == unfold.locs[_INIT]]
    steps: list[z3.BoolRef] = []
    for k in range(MAX_K + 1):
        base = _check([*path, *steps, unfold.bad(queries, k)], budget)
        if base.sat and not depth:
            return SiteProof(site, "refuted", None, f"fails within {k} steps")
        if not base.unsat:
            return SiteProof(site, "unknown", None, "k-induction base case undecided")
        ind = [unfold.strengthen(i) for i in range(k + 1)]
        good = [z3.Not(unfold.bad(queries, i)) for i in range(k)]
        step_answer = _check([*steps, *ind, *good, unfold.bad(queries, k)], budget)
        if step_answer.unsat:
            return SiteProof(site, "proved", f"{k}-inductive with Houdini invariants", None)
        if step_answer.unknown:
            return SiteProof(site, "unknown", None, step_answer.reason)
        steps.append(unfold.step(k))
    return SiteProof(site, "unknown", None, f"not {MAX_K}-inductive")


def _certificate(fn: ir.Function, system: ChcSystem, facts: dict[str, z3.BoolRef]) -> str | None:
    """The loop-head invariants that made the induction go through, in source syntax."""
    return certificate.invariants_text(fn, system, lambda name, _: facts[name])
