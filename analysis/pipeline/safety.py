"""The safety stage: bounded model checking of every check of the unit, unbounded proofs
of what BMC could only bound, deeper searches for witnesses, the audit of proofs that rest
on a failing check, and one verdict per site (refutations replayed by `real_runs`)."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import z3

from prooflens.analysis import interpreter, ir, passes, solver
from prooflens.analysis.engines import bmc, proof
from prooflens.analysis.pipeline import real_runs
from prooflens.analysis.pipeline.context import UnitContext, unknown
from prooflens.analysis.verdicts import Evidence, Result
from prooflens.analysis.witness import ReplayOutcome, Witness

log = logging.getLogger("prooflens")

# Of the safety budget, what re-checking proofs without the failing checks may count on.
AUDIT_SHARE = 0.2


def results(ctx: UnitContext) -> list[Result]:
    """One verdict per check site of the unit (and one always-true verdict)."""
    began = time.perf_counter()
    audit_ctx = ctx
    ctx = replace(ctx, budget=ctx.budget.part(1 - AUDIT_SHARE))
    query_units = int(max(0.5, ctx.settings.timeout_s / 3) * solver.UNITS_PER_SECOND)
    outcome = bmc.check(ctx.fn, ctx.settings.unwind, ctx.budget, query_units)
    undecided = [s for s, r in outcome.sites.items() if r.status == "safe" and not outcome.complete]
    proofs = _prove(ctx, undecided) if undecided and ctx.settings.deep else {}
    sites = dict(outcome.sites)
    # Not proved within the bound: look for a witness deeper down -- the proof engine may
    # have said false, or the failure may just need more iterations than the bound.
    unproved = [s for s in undecided if s not in proofs or proofs[s].status != "proved"]
    if unproved and ctx.settings.deep:
        sites.update(_deeper_witnesses(ctx, unproved, query_units))
    refuted = {s: r for s, r in sites.items() if r.status == "refuted"}
    replays = real_runs.replay_all(ctx, refuted, outcome.asserts)
    always_false = any(s[0] == "always-true" for s in refuted) and bmc.can_hold(
        outcome, "always-true", ctx.budget) is False  # fmt: skip
    verdicts = []
    for site, site_result in sites.items():
        stmt = outcome.asserts[site]
        verdicts.append(_site_verdict(ctx, stmt, site_result, outcome, proofs.get(site),
                                      replays.get(site), always_false))  # fmt: skip
    if ctx.settings.deep:
        verdicts = _without_help_from_failing_checks(audit_ctx, verdicts, query_units)
    per_site_ms = (time.perf_counter() - began) * 1000 / max(1, len(outcome.sites))
    return _one_always_true([_at_site(ctx, v, per_site_ms) for v in verdicts])


def _without_help_from_failing_checks(
    ctx: UnitContext, verdicts: list[Result], query_units: int
) -> list[Result]:
    """A check proved only because an earlier one that can fail stops the run first (in C,
    `y + 1` cannot overflow only because `x + y` overflows before it) is not proved: every
    proof is re-checked on the unit where the checks that are not proved stop nothing (C's
    signed arithmetic then mathematical: `passes.for_termination`)."""
    proved = {(v.property, v.line, v.column) for v in verdicts if v.status == "proved"}
    failing = sorted({v.line for v in verdicts
                      if v.status != "proved" and v.property != "always-true"})  # fmt: skip
    if not proved or not failing:
        return verdicts
    fails: set[bmc.Site] = set()
    while proved:  # a proof may rest on one that just fell: until nothing changes
        still, refuted = _proved_again(ctx, proved, query_units)
        fails |= refuted
        if still == proved:
            break
        proved = still
    lines = ", ".join(str(line) for line in failing)
    out = []
    for v in verdicts:
        site = (v.property, v.line, v.column)
        if v.status == "proved" and site not in proved:
            reason = (f"holds only because a check that can fail (line {lines}) stops the run "
                      "first" if site in fails else f"proved only with the checks that can "
                      f"fail (line {lines}) stopping the run; not without them, within the "
                      "budget")  # fmt: skip
            v = unknown(v.property, v.line, v.column, reason)
        out.append(v)
    return out


def _proved_again(
    ctx: UnitContext, proved: set[bmc.Site], query_units: int
) -> tuple[set[bmc.Site], set[bmc.Site]]:
    """The sites of `proved` that still hold when no other check stops a run, and those
    that then fail."""
    relaxed = passes.for_termination(ctx.fn, proved, keep=proved).fn
    outcome = bmc.check(relaxed, ctx.settings.unwind, ctx.budget, query_units)
    refuted = {s for s in proved if s in outcome.sites and outcome.sites[s].status == "refuted"}
    safe = {s for s in proved if s in outcome.sites and outcome.sites[s].status == "safe"}
    if outcome.complete:
        return safe, refuted
    still = {s for s in safe if not outcome.sites[s].reachable}
    undecided = sorted(safe - still)
    if undecided:
        proofs = _prove(replace(ctx, fn=relaxed), undecided)
        still |= {s for s, p in proofs.items() if p.status == "proved"}
    return still, refuted


def _one_always_true(results: list[Result]) -> list[Result]:
    """One `always-true` answer per function: each return has its own check, and "always
    returns True" may only be said when every one of them is proved."""
    answers = [r for r in results if r.property == "always-true"]
    if len(answers) <= 1:
        return results
    rank = {"refuted": 0, "unknown": 1, "bounded": 2, "tested": 3, "proved": 4}
    chosen = min(answers, key=lambda r: rank.get(r.status, 1))
    if chosen.status == "proved":
        certificates = [r.certificate for r in answers if r.certificate]
        chosen = replace(chosen, certificate="; ".join(dict.fromkeys(certificates)) or None)
    return [r for r in results if r.property != "always-true"] + [chosen]


def _deeper_witnesses(
    ctx: UnitContext, wanted: list[bmc.Site], query_units: int
) -> dict[bmc.Site, bmc.SiteResult]:
    """BMC again with larger bounds, keeping the refutations of the `wanted` sites."""
    found: dict[bmc.Site, bmc.SiteResult] = {}
    for bound in (ctx.settings.unwind * 4, ctx.settings.unwind * 16):
        if ctx.budget.exhausted() or len(found) == len(wanted):
            break
        deeper = bmc.check(ctx.fn, bound, ctx.budget, query_units)
        for site in wanted:
            result = deeper.sites.get(site)
            if result is not None and result.status == "refuted" and site not in found:
                found[site] = result
    return found


def _prove(ctx: UnitContext, sites: list[bmc.Site]) -> dict:
    """Unbounded proofs (invariants) for the sites BMC could only bound."""
    try:
        proofs = proof.prove_asserts(ctx.fn, ctx.budget)
    except z3.Z3Exception:  # a solver failure costs the proof, not the unit's other results
        log.exception("proof engine failed on %s", ctx.fn.name)
        return {}
    return {site: p for site, p in proofs.items() if site in sites}


def _site_verdict(
    ctx: UnitContext,
    stmt: ir.Assert,
    found: bmc.SiteResult,
    outcome: bmc.BmcOutcome,
    proof,
    replay: tuple[interpreter.Run, ReplayOutcome] | None,
    always_false: bool = False,
) -> Result:
    """`always_false`: no return of the function gives True (within the bound)."""
    kind, line, column = found.site
    if found.status == "refuted" and found.witness is not None and replay is not None:
        return _refuted(ctx, stmt, found.witness, *replay, always_false=always_false)
    if found.status == "unknown":
        reason = found.reason or "solver gave up"
        if ctx.nonlinear:
            reason += " (nonlinear integer arithmetic)"
        return unknown(kind, line, column, reason)
    if not found.reachable:
        return Result(kind, line, column, "proved", _proved_message(ctx, stmt),
                      certificate="never reached")  # fmt: skip
    if outcome.complete:
        certificate = None
        if passes.has_loops(ctx.fn) or passes.has_recursion_cutoff(ctx.fn):
            certificate = f"every execution ends within {outcome.bound} loop iterations"
        return Result(kind, line, column, "proved", _proved_message(ctx, stmt),
                      certificate=certificate)  # fmt: skip
    if proof is not None and proof.status == "proved":
        return Result(kind, line, column, "proved", _proved_message(ctx, stmt),
                      certificate=proof.certificate)  # fmt: skip
    return Result(kind, line, column, "bounded", f"no failure within {outcome.bound} iterations",
                  bound=outcome.bound)  # fmt: skip


def _proved_message(ctx: UnitContext, stmt: ir.Assert) -> str:
    if stmt.kind == "always-true":
        return f"{ctx.fn.name} always returns True"
    if stmt.kind == "assertion":
        return "assertion always holds"
    if stmt.kind == "exception":  # Python: the message starts with the exception's type
        return f"no {stmt.message.split(':')[0]}"
    return f"no {stmt.kind.replace('-', ' ')}"


def _refuted(
    ctx: UnitContext, stmt: ir.Assert, witness: Witness, run: interpreter.Run, real: ReplayOutcome,
    always_false: bool = False,
) -> Result:
    kind, line, column = stmt.kind, stmt.span.line, stmt.span.column
    call = ctx.call_text(witness)
    if real.confirmed is False:
        log.error("counterexample did not reproduce (tool bug): %s %s: %s", kind, call, real.detail)
        return unknown(kind, line, column,
                        f"counterexample {call} did not reproduce when run: {real.detail}")
    always_false = always_false and stmt.kind == "always-true"
    # Several checks may share a site (a signed `<<`: count, negative value, result): the
    # message is the one of the check this witness actually fails.
    failed = run.failed if run.failed is not None and run.failed.kind == stmt.kind else stmt
    operation = _operation_text(failed, run.operands) if failed is run.failed else None
    message = _refuted_message(ctx, failed, call, always_false, operation)
    evidence = Evidence(real.detail, real.harness or None, tuple(witness.nondet), always_false,
                        extreme=failed.extreme)
    return Result(kind, line, column, "refuted", message, witness=dict(witness.inputs),
                  confirmed=real.confirmed, trace=run.trace, evidence=evidence)  # fmt: skip


def _refuted_message(ctx: UnitContext, stmt: ir.Assert, call: str, always_false: bool,
                     operation: str | None = None) -> str:  # fmt: skip
    if stmt.kind == "always-true":
        if always_false:
            return f"{ctx.fn.name} always returns False, e.g. {call}"
        return f"{ctx.fn.name} can return False: {call}"
    if stmt.kind == "assertion" and stmt.message.startswith("precondition of "):
        return f"{stmt.message} can fail: {call}"  # a callee's, broken by this call
    if stmt.kind == "assertion":
        return f"assertion can fail: {call}"
    if operation:
        return f"{stmt.message} ({operation}): {call}"
    return f"{stmt.message}: {call}"


# The exact (mathematical) result of an operation whose check failed, to show its values.
_EXACT = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}


def _operation_text(stmt: ir.Assert, values: tuple[object, ...]) -> str | None:
    """"46341 * 46341 = 2147488281": the failing operation with its operands' values."""
    exact = _EXACT.get(stmt.operation)
    if exact is None or len(values) != 2 or not all(type(v) is int for v in values):
        return None
    a, b = values
    return f"{a} {stmt.operation} {b} = {exact(a, b)}"


def _at_site(ctx: UnitContext, result: Result, elapsed_ms: float) -> Result:
    """Results about the return value are reported at the function's name."""
    if result.property == "always-true":
        result = replace(result, line=ctx.unit.name_line, column=ctx.unit.name_column)
    return replace(result, time_ms=elapsed_ms)
