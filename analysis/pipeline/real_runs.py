"""Witnesses run for real (DESIGN.md's replay stage): each safety witness once on the IR
(trace; encoding bugs) and once as the real program -- Python in a forked sandboxed
child, C compiled once per batch with the sanitizers; non-termination witnesses watched."""

from __future__ import annotations

import os

from prooflens.analysis import interpreter, ir, syntax
from prooflens.analysis.engines import bmc, termination
from prooflens.analysis.pipeline.context import UnitContext, callee_closure
from prooflens.analysis.replay import c as replay_c
from prooflens.analysis.replay import program, regression
from prooflens.analysis.replay import python as replay_python
from prooflens.analysis.witness import ReplayOutcome, Witness


def replay_all(
    ctx: UnitContext, refuted: dict[bmc.Site, bmc.SiteResult], asserts: dict[bmc.Site, ir.Assert]
) -> dict[bmc.Site, tuple[interpreter.Run, ReplayOutcome]]:
    """Each witness runs twice: on the IR (for the trace, and to catch encoding bugs) and,
    unless replay is off, for real (Python in a sandboxed child; C compiled with UBSan)."""
    runs: dict[bmc.Site, tuple[interpreter.Run, ReplayOutcome]] = {}
    for site, found in refuted.items():
        assert found.witness is not None
        run = interpreter.run(ctx.fn, found.witness.inputs, found.witness.nondet)
        if run.outcome != "failed" or run.failed is None or bmc.site_of(run.failed) != site:
            detail = f"the IR run ended with {run.outcome} {run.detail}".strip()
            runs[site] = (run, ReplayOutcome(False, detail))
        elif not ctx.settings.replay:
            runs[site] = (run, ReplayOutcome(None, "replay is off; failure seen in the model run"))
        else:
            runs[site] = (run, ReplayOutcome(None, "pending"))
    pending = {s: r for s, r in runs.items() if r[1].detail == "pending"}
    if pending:
        # every refuted site has a witness (asserted above)
        witnesses = {s: w for s in pending if (w := refuted[s].witness) is not None}
        real = replay_real(ctx, witnesses, asserts)
        for site, outcome in real.items():
            runs[site] = (runs[site][0], outcome)
    return runs


def replay_real(
    ctx: UnitContext, witnesses: dict[bmc.Site, Witness], asserts: dict[bmc.Site, ir.Assert]
) -> dict[bmc.Site, ReplayOutcome]:
    """Real runs of `witnesses` (site -> witness; `asserts` has each site's check, none for
    a termination witness): Python in forked children, C compiled once for them all."""
    if ctx.parsed.language == "python":
        return _replay_python(ctx, witnesses, asserts)
    sites = list(witnesses)
    try:
        unit = c_replay_unit(ctx.parsed, ctx.unit)
    except Exception as exc:  # noqa: BLE001 -- replay must never break a check
        why = f"not confirmed (no harness: {type(exc).__name__}: {exc})"
        return {site: ReplayOutcome(None, why) for site in sites}
    cases = [replay_c.Case(witnesses[site], site[0], asserts.get(site)) for site in sites]
    return dict(zip(sites, replay_c.replay(unit, ctx.fn, cases), strict=True))


def c_replay_unit(parsed: syntax.ParsedFile, unit: syntax.Unit) -> replay_c.CUnit:
    """What C replay needs of a unit: its program text and the C frontend's naming."""
    from prooflens.analysis.frontends import c_base, c_source  # pycparser: only for C

    nondet = {suffix: t.name for suffix, t in c_base.NONDET_TYPES.items()}
    return replay_c.CUnit(unit.name, c_source.build(parsed, unit).text, c_base.GLOBAL_PREFIX,
                          nondet)  # fmt: skip


def _python_program(ctx: UnitContext) -> program.Program | str:
    """The unit and its same-file callees as a program the replay child runs, or why not."""
    target, others = program.sources_of(ctx.unit, callee_closure(ctx.parsed, ctx.unit),
                                        lambda u: syntax.python_scope(ctx.parsed, u),
                                        ctx.parsed.text)  # fmt: skip
    return program.build(target, others, [p.name for p in ctx.fn.params], ctx.path,
                         dict(ctx.fn.module_values))  # fmt: skip


def _replay_python(
    ctx: UnitContext, witnesses: dict[bmc.Site, Witness], asserts: dict[bmc.Site, ir.Assert]
) -> dict[bmc.Site, ReplayOutcome]:
    built = _python_program(ctx)
    sites = list(witnesses)
    if isinstance(built, str):
        return {site: ReplayOutcome(False, built) for site in sites}
    cases = []
    for site in sites:
        stmt = asserts[site]
        cases.append((witnesses[site], replay_python.Expectation(
            site[0], stmt.span.line, stmt.span.end_line, stmt.message)))  # fmt: skip
    outcomes = replay_python.replay_calls(built, cases)
    module = os.path.splitext(os.path.basename(ctx.path))[0]
    result = {}
    for site, outcome, (witness, _) in zip(sites, outcomes, cases, strict=True):
        harness = regression.python_test(module, ctx.unit.name, dict(witness.inputs), site[0],
                                         built.call, message=asserts[site].message)  # fmt: skip
        result[site] = ReplayOutcome(outcome.confirmed, outcome.detail, harness)
    return result


def confirm_nontermination(ctx: UnitContext, verdict: termination.LoopVerdict,
                           witness: Witness) -> ReplayOutcome:  # fmt: skip
    """Run a non-termination witness for real: does the loop go on as predicted?"""
    if not ctx.settings.replay:
        return ReplayOutcome(None, "replay is off; loop seen not to end in the model run")
    if ctx.parsed.language != "python":
        site = ("termination", verdict.line, verdict.column)
        return replay_real(ctx, {site: witness}, {})[site]
    built = _python_program(ctx)
    if isinstance(built, str):
        return ReplayOutcome(False, built)
    watch = replay_python.Watch.of(verdict.evidence, witness, verdict.line)
    return replay_python.confirm_nontermination(built, witness, watch)
