"""The termination stage: every loop and recursion of the unit proved to stop (with its
ranking certificate) or refuted with a witness that is run for real; a C loop whose checks
can fail is analysed in mathematical integers (`passes.for_termination`)."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import z3

from prooflens.analysis import interpreter, ir, passes
from prooflens.analysis.engines import termination
from prooflens.analysis.pipeline import real_runs
from prooflens.analysis.pipeline.context import UnitContext
from prooflens.analysis.replay import c as replay_c
from prooflens.analysis.verdicts import Evidence, LoopEvidence, Result, StopsBy
from prooflens.analysis.witness import ReplayOutcome, Witness

log = logging.getLogger("prooflens")


def may_not_stop(fn: ir.Function) -> bool:
    """Has the unit anything to prove terminating (loops, recursion)?"""
    return passes.has_loops(fn) or passes.has_recursion_cutoff(fn)


def results(ctx: UnitContext, unit: passes.TerminationUnit) -> list[Result]:
    """Loops and recursion of `unit.fn` (see `passes.for_termination`) checked for
    termination; witnesses are then run on the real unit."""
    began = time.perf_counter()
    relaxed = unit.fn
    try:
        verdicts = termination.check_termination(relaxed, ctx.budget)
    except z3.Z3Exception as error:  # keep the safety results; termination is don't know
        log.exception("termination engine failed on %s", ctx.fn.name)
        reason = f"solver error: {error}"
        return [Result("termination", s.span.line, s.span.column, "unknown",
                       f"don't know whether this loop stops: {reason}", reason=reason)
                for s in ir.walk_stmts(relaxed.body) if isinstance(s, ir.Loop)]  # fmt: skip
    elapsed = (time.perf_counter() - began) * 1000 / max(1, len(verdicts))
    found = [_termination_result(ctx, v, elapsed, unit.unbounded) for v in verdicts]
    return _outer_needs_inner(found, _nested_loops(relaxed.body))


def _nested_loops(body: tuple[ir.Stmt, ...]) -> dict[tuple[int, int], set[tuple[int, int]]]:
    """(line, column) of each loop keyword -> those of the loops (and inlined calls' loops)
    inside its body."""
    inside: dict[tuple[int, int], set[tuple[int, int]]] = {}
    for stmt in ir.walk_stmts(body):
        if isinstance(stmt, ir.Loop):
            inner = {(s.span.line, s.span.column) for s in ir.walk_stmts(stmt.body + stmt.update)
                     if isinstance(s, ir.Loop)}  # fmt: skip
            inside[(stmt.span.line, stmt.span.column)] = inner
    return inside


def _outer_needs_inner(
    results: list[Result], nested: dict[tuple[int, int], set[tuple[int, int]]]
) -> list[Result]:
    """A ranking function of an outer loop only counts the iterations that end: the loop
    terminates only if every loop inside it does too."""
    status = {(r.line, r.column): r.status for r in results}
    out = []
    for result in results:
        inner = nested.get((result.line, result.column), set())
        open_inner = sorted(i for i in inner if status.get(i) != "proved")
        if result.status == "proved" and open_inner:
            line = open_inner[0][0]
            reason = f"its ranking function holds, but the inner loop at line {line} may not stop"
            result = replace(result, status="unknown", reason=reason, certificate=None,
                             message=f"don't know whether this loop stops: {reason}")  # fmt: skip
        out.append(result)
    return out


def _termination_result(ctx: UnitContext, verdict: termination.LoopVerdict, elapsed_ms: float,
                        unbounded: bool) -> Result:  # fmt: skip
    line, column = verdict.line, verdict.column
    if verdict.status == "proved":
        return Result("termination", line, column, "proved",
                      f"loop terminates: {verdict.certificate}",
                      certificate=verdict.certificate, time_ms=elapsed_ms)  # fmt: skip
    if verdict.status == "refuted" and verdict.witness is not None:
        if unbounded:
            return _stops_only_by_undefined_behaviour(ctx, verdict, elapsed_ms)
        return _nontermination(ctx, verdict, elapsed_ms)
    return Result("termination", line, column, "unknown",
                  f"don't know whether this loop stops: {verdict.reason}",
                  reason=verdict.reason, time_ms=elapsed_ms)  # fmt: skip


def _nontermination(ctx: UnitContext, verdict: termination.LoopVerdict, elapsed_ms: float
                    ) -> Result:  # fmt: skip
    witness = verdict.witness
    assert witness is not None  # a refutation carries its witness
    call = ctx.call_text(witness)
    kind = verdict.evidence.kind if verdict.evidence else "state repeats"
    run = interpreter.run(ctx.fn, witness.inputs, witness.nondet, max_steps=20_000)
    if run.outcome in ("returned", "failed", "blocked", "undefined"):
        log.error("non-termination witness %s ended in the IR run: %s", call, run.outcome)
        return Result("termination", verdict.line, verdict.column, "unknown",
                      f"don't know whether this loop stops (witness {call} ended when run)",
                      reason="witness did not reproduce", time_ms=elapsed_ms)  # fmt: skip
    real = real_runs.confirm_nontermination(ctx, verdict, witness)
    if real.confirmed is False:
        log.error("non-termination witness %s not confirmed: %s", call, real.detail)
        return Result("termination", verdict.line, verdict.column, "unknown",
                      f"don't know whether this loop stops ({real.detail})",
                      reason="witness did not reproduce", time_ms=elapsed_ms)  # fmt: skip
    evidence = Evidence(real.detail, real.harness or None, loop=verdict.evidence)
    return Result("termination", verdict.line, verdict.column, "refuted",
                  f"{call} never returns: {kind}", witness=dict(witness.inputs),
                  confirmed=real.confirmed, trace=run.trace[:_NONTERMINATION_STEPS],
                  certificate=verdict.certificate, evidence=evidence,
                  time_ms=elapsed_ms)  # fmt: skip


def _stops_only_by_undefined_behaviour(ctx: UnitContext, verdict: termination.LoopVerdict,
                                       elapsed_ms: float) -> Result:  # fmt: skip
    """A loop that never ends in mathematical integers. C agrees with them until the first
    undefined behaviour, so the real run either never ends or stops at a failing check:
    not terminating either way. When the IR run reaches the failing check, it is replayed
    for real like any counterexample and the loop is refuted as "runs until ..."."""
    witness = verdict.witness
    assert witness is not None  # a refutation carries its witness
    call = ctx.call_text(witness)
    run = interpreter.run(ctx.fn, witness.inputs, witness.nondet, max_steps=_UB_SEARCH_STEPS)

    def unknown(reason: str) -> Result:
        return Result("termination", verdict.line, verdict.column, "unknown",
                      f"does not terminate without undefined behaviour: {reason}",
                      reason=reason, time_ms=elapsed_ms)  # fmt: skip

    forever = f"{call} runs forever in mathematical integers"
    repeats = verdict.evidence is not None and verdict.evidence.kind == "state repeats"
    if run.outcome == "out-of-steps" and repeats:
        # A repeating state whose cycle passes every check (the model run, with C's checks,
        # went on): C computes exactly the mathematical values, so it repeats forever too.
        return _nontermination(ctx, verdict, elapsed_ms)
    if run.outcome == "out-of-steps" and ctx.parsed.language == "c" and ctx.settings.replay:
        # Not seen within the model run's steps: the compiled run goes further, faster.
        return _until_undefined_when_compiled(ctx, verdict, witness, call, run, elapsed_ms)
    if run.outcome != "failed" or run.failed is None:
        # No check fails on the way: the C run is the mathematical one, replayed as usual.
        return _nontermination(ctx, verdict, elapsed_ms)
    failing = run.failed
    where = f"the {failing.kind} check at line {failing.span.line} fails ({failing.message})"
    site = (failing.kind, failing.span.line, failing.span.column)
    if not ctx.settings.replay:
        real = ReplayOutcome(None, "replay is off; failure seen in the model run")
    else:
        real = real_runs.replay_real(ctx, {site: witness}, {site: failing})[site]
    if real.confirmed is False:
        log.error("termination by undefined behaviour not reproduced: %s: %s", call, real.detail)
        return unknown(f"{forever}; in C it should stop by {where}, not seen when run")
    stops = LoopEvidence("undefined behaviour", stops_by=StopsBy(failing.kind, failing.span.line))
    evidence = Evidence(real.detail, real.harness or None, loop=stops)
    return Result("termination", verdict.line, verdict.column, "refuted",
                  f"{call} does not terminate: it runs until {where}",
                  witness=dict(witness.inputs), confirmed=real.confirmed,
                  trace=run.trace[:_NONTERMINATION_STEPS], evidence=evidence,
                  time_ms=elapsed_ms)  # fmt: skip


def _until_undefined_when_compiled(ctx: UnitContext, verdict: termination.LoopVerdict,
                                   witness: Witness, call: str, run: interpreter.Run,
                                   elapsed_ms: float) -> Result:  # fmt: skip
    """The compiled run of a loop that never ends in mathematical integers: it runs on or
    stops at its first undefined behaviour (sanitizer-reported), and either way the loop
    does not terminate; the replay detail says which."""
    site = (replay_c.UNTIL_UNDEFINED, verdict.line, verdict.column)
    real = real_runs.replay_real(ctx, {site: witness}, {})[site]
    if real.confirmed is False:
        log.error("mathematical non-termination not reproduced: %s: %s", call, real.detail)
        reason = f"{call} runs forever in mathematical integers; {real.detail}"
        return Result("termination", verdict.line, verdict.column, "unknown",
                      f"does not terminate without undefined behaviour: {reason}",
                      reason=reason, time_ms=elapsed_ms)  # fmt: skip
    evidence = Evidence(real.detail, real.harness or None, loop=verdict.evidence)
    return Result("termination", verdict.line, verdict.column, "refuted",
                  f"{call} does not terminate: it runs forever in mathematical integers, "
                  f"so in C forever or until undefined behaviour stops it ({real.detail})",
                  witness=dict(witness.inputs), confirmed=real.confirmed,
                  trace=run.trace[:_NONTERMINATION_STEPS], evidence=evidence,
                  time_ms=elapsed_ms)  # fmt: skip


# How far the IR run of a mathematical non-termination witness looks for the failing
# check (quadratic growth reaches INT_MAX in about 65,000 iterations; linear growth
# never does within any affordable run: that loop stays "don't know").
_UB_SEARCH_STEPS = 300_000

# A run that never ends is shown by its first steps: enough for a period or two.
_NONTERMINATION_STEPS = 12

