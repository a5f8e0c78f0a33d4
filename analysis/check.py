"""The pipeline for one unit (DESIGN.md): lower, prepare, safety, termination, replay,
anchor. The file is parsed once (`syntax.parse`) and every stage reads that parse.

`check_function` is what a worker process runs; `check_text` / `check_path` check a file.
"""

from __future__ import annotations

import ast
import logging
import os
import stat
import time
from dataclasses import dataclass, replace

import z3

from prooflens.analysis import interpreter, ir, passes, solver, syntax
from prooflens.analysis.engines import bmc, proof, termination
from prooflens.analysis.settings import Settings
from prooflens.analysis.solver import Budget
from prooflens.analysis.verdicts import FileReport, FunctionReport, Result
from prooflens.analysis.witness import ReplayOutcome, Witness

log = logging.getLogger("prooflens")

MAX_FILE_BYTES = 2_000_000


def check_path(path: str, settings: Settings) -> FileReport:
    """Read and check one file; unreadable, binary or huge files give a report with `error`."""
    language = syntax.language_for_path(path)
    if language is None:
        return FileReport(path, "unknown", error="not a C or Python file")
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO or device would block or never end
            return FileReport(path, language, error="not a regular file")
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            return FileReport(path, language, error=f"file too large ({size} bytes) to check")
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return FileReport(path, language, error=f"cannot read: {error.strerror}")
    text, problem = decode(data)
    if problem:
        return FileReport(path, language, error=problem)
    return check_text(text, language, settings, path)


def decode(data: bytes) -> tuple[str, str | None]:
    """Source text, or why it is not text (NUL bytes, invalid UTF-8)."""
    if b"\0" in data[:8192]:
        return "", "binary file (contains NUL bytes)"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        return "", f"not UTF-8 text (invalid byte at offset {error.start})"


def check_text(
    text: str, language: str, settings: Settings, path: str = "<memory>"
) -> FileReport:
    parsed = syntax.parse(text, language)
    functions = tuple(check_unit(parsed, unit, settings, path) for unit in parsed.units)
    return FileReport(path, language, parsed.syntax_errors, functions)


def check_function(
    text: str, language: str, name: str, settings: Settings, path: str = "<memory>",
    line: int | None = None,
) -> FunctionReport:
    """Check the unit called `name` of `text` (worker entry point: plain, picklable data);
    `line` picks among units of the same name (a file may define one name twice)."""
    parsed = syntax.parse(text, language)
    named = [u for u in parsed.units if u.name == name]
    unit = next((u for u in named if u.line == line), named[0] if named else None)
    if unit is not None:
        return check_unit(parsed, unit, settings, path)
    return FunctionReport(name, 1, 1, (_unknown("unsupported", 1, 1, f"no function {name}"),))


# ------------------------------------------------------------------------------ one unit


@dataclass(frozen=True)
class _Context:
    parsed: syntax.ParsedFile
    unit: syntax.Unit
    fn: ir.Function
    settings: Settings
    path: str
    budget: Budget  # what the current phase may spend (see `solver`)
    nonlinear: bool = False  # z3 may give up: said in the reason of a timeout


def check_unit(
    parsed: syntax.ParsedFile, unit: syntax.Unit, settings: Settings, path: str = "<memory>"
) -> FunctionReport:
    began = time.perf_counter()
    try:
        results = _check_unit(parsed, unit, settings, path)
    except MemoryError:
        raise  # the caller knows the memory cap it set, and says so
    except Exception as error:  # a bug in prooflens must not take a whole run down
        log.exception("internal error while checking %s", unit.name)
        results = [_unknown("unsupported", unit.name_line, unit.name_column,
                            f"internal error: {type(error).__name__}: {error}")]  # fmt: skip
    elapsed = (time.perf_counter() - began) * 1000
    return FunctionReport(unit.name, unit.line, unit.end_line, tuple(results), elapsed)


def _check_unit(
    parsed: syntax.ParsedFile, unit: syntax.Unit, settings: Settings, path: str
) -> list[Result]:
    """Lower and prepare the unit; safety (BMC, then proofs) and termination, each
    replaying its witnesses; results anchored in the unit, in source order."""
    if unit.has_error:
        return [_unknown("unsupported", unit.name_line, unit.name_column,
                         "this function has a syntax error")]  # fmt: skip
    lowered = _lower(parsed, unit, settings)
    if isinstance(lowered, ir.Unsupported):
        # A construct without a position (line 0) is reported at the function's name.
        line, column = ((lowered.line, lowered.column) if lowered.line >= 1
                        else (unit.name_line, unit.name_column))  # fmt: skip
        return [_unknown("unsupported", line, column, lowered.reason)]
    enabled = {k for k in _ALL_KINDS if settings.enabled(k)}
    fn = passes.prepare(lowered, enabled)
    if not passes.is_easy(fn):  # its answers then never depend on the units before it
        solver.fresh_context()
    budget = Budget.of_seconds(settings.timeout_s)
    loops = settings.deep and settings.enabled("termination") and _may_not_stop(fn)
    # With loops to prove terminating, safety gets 60% of the budget and termination the
    # rest (plus whatever safety left over); without, safety gets it all.
    share = 0.6 if loops else 1.0
    ctx = _Context(parsed, unit, fn, settings, path, budget.part(share),
                   passes.is_nonlinear(fn))  # fmt: skip
    results = _assertion_results(ctx)
    if loops:
        proved = {(r.property, r.line, r.column) for r in results if r.status == "proved"}
        ctx = replace(ctx, budget=budget)
        results.extend(_termination_results(ctx, passes.for_termination(fn, proved)))
    results = [_anchor_in_unit(ctx, r) for r in results]
    return sorted(results, key=lambda r: (r.line, r.column, r.property))


def _anchor_in_unit(ctx: _Context, result: Result) -> Result:
    """A result inside an inlined callee is shown at the call in this unit, saying where."""
    if ctx.unit.line <= result.line <= ctx.unit.end_line:
        return result
    call = _call_sites(ctx.fn.body).get(result.line)
    if call is None:
        return result
    where = f" (in {call.callee}, line {result.line})"
    return replace(result, line=call.span.line, column=call.span.column,
                   message=result.message + where)  # fmt: skip


def _call_sites(body: tuple[ir.Stmt, ...]) -> dict[int, ir.Inline]:
    """Line of every statement inside an inlined call -> the outermost such call."""
    sites: dict[int, ir.Inline] = {}
    for stmt in body:
        if isinstance(stmt, ir.Inline):
            for inner in ir.walk_stmts(stmt.body):
                sites.setdefault(inner.span.line, stmt)
        elif isinstance(stmt, ir.If):
            sites.update(_call_sites(stmt.then))
            sites.update(_call_sites(stmt.orelse))
        elif isinstance(stmt, ir.Loop):
            sites.update(_call_sites(stmt.body))
            sites.update(_call_sites(stmt.update))
    return sites


_ALL_KINDS = ("assertion", "always-true", "division-by-zero", "signed-overflow",
              "shift-out-of-range", "array-out-of-bounds", "exception",
              "out-of-bounds", "null-dereference")  # fmt: skip  (C memory)


def _lower(parsed: syntax.ParsedFile, unit: syntax.Unit, settings: Settings):
    if parsed.language == "python":
        from prooflens.analysis.frontends import python

        return python.lower(parsed, unit, settings)
    from prooflens.analysis.frontends import c

    return c.lower(parsed, unit, settings)


# ------------------------------------------------------------------- safety properties


# Of the safety budget, what re-checking proofs without the failing checks may count on.
AUDIT_SHARE = 0.2


def _assertion_results(ctx: _Context) -> list[Result]:
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
    replays = _replay_all(ctx, refuted, outcome.asserts)
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
    results = [_at_site(ctx, v, per_site_ms) for v in verdicts]
    return _one_always_true(results)


def _without_help_from_failing_checks(
    ctx: _Context, verdicts: list[Result], query_units: int
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
            v = _unknown(v.property, v.line, v.column, reason)
        out.append(v)
    return out


def _proved_again(
    ctx: _Context, proved: set[bmc.Site], query_units: int
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
    ctx: _Context, wanted: list[bmc.Site], query_units: int
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


def _prove(ctx: _Context, sites: list[bmc.Site]) -> dict:
    """Unbounded proofs (invariants) for the sites BMC could only bound."""
    try:
        proofs = proof.prove_asserts(ctx.fn, ctx.budget)
    except z3.Z3Exception:  # a solver failure costs the proof, not the unit's other results
        log.exception("proof engine failed on %s", ctx.fn.name)
        return {}
    return {site: p for site, p in proofs.items() if site in sites}


def _site_verdict(
    ctx: _Context,
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
        return _unknown(kind, line, column, reason)
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


def _proved_message(ctx: _Context, stmt: ir.Assert) -> str:
    if stmt.kind == "always-true":
        return f"{ctx.fn.name} always returns True"
    if stmt.kind == "assertion":
        return "assertion always holds"
    if stmt.kind == "exception":  # Python: the message starts with the exception's type
        return f"no {stmt.message.split(':')[0]}"
    return f"no {stmt.kind.replace('-', ' ')}"


def _refuted(
    ctx: _Context, stmt: ir.Assert, witness: Witness, run: interpreter.Run, real: ReplayOutcome,
    always_false: bool = False,
) -> Result:
    kind, line, column = stmt.kind, stmt.span.line, stmt.span.column
    call = witness.call_text(ctx.fn.name, tuple(p.name for p in ctx.fn.params), ctx.fn.language)
    if real.confirmed is False:
        log.error("counterexample did not reproduce (tool bug): %s %s: %s", kind, call, real.detail)
        return _unknown(kind, line, column,
                        f"counterexample {call} did not reproduce when run: {real.detail}")
    always_false = always_false and stmt.kind == "always-true"
    # Several checks may share a site (a signed `<<`: count, negative value, result): the
    # message is the one of the check this witness actually fails.
    failed = run.failed if run.failed is not None and run.failed.kind == stmt.kind else stmt
    message = _refuted_message(ctx, failed, call, always_false)
    details: dict = {"replay": real.detail}
    if always_false:
        details["always_false"] = True
    if witness.nondet:
        details["nondet"] = list(witness.nondet)
    if real.harness:
        details["harness"] = real.harness
    return Result(kind, line, column, "refuted", message, witness=dict(witness.inputs),
                  confirmed=real.confirmed, trace=run.trace, details=details)  # fmt: skip


def _refuted_message(ctx: _Context, stmt: ir.Assert, call: str, always_false: bool) -> str:
    if stmt.kind == "always-true":
        if always_false:
            return f"{ctx.fn.name} always returns False, e.g. {call}"
        return f"{ctx.fn.name} can return False: {call}"
    if stmt.kind == "assertion":
        return f"assertion can fail: {call}"
    return f"{stmt.message}: {call}"


def _at_site(ctx: _Context, result: Result, elapsed_ms: float) -> Result:
    """Results about the return value are reported at the function's name."""
    if result.property == "always-true":
        result = replace(result, line=ctx.unit.name_line, column=ctx.unit.name_column)
    return replace(result, time_ms=elapsed_ms)


def _unknown(prop: str, line: int, column: int, reason: str) -> Result:
    return Result(prop, line, column, "unknown", f"don't know: {reason}", reason=reason)


# --------------------------------------------------------------------------------- replay


def _replay_all(
    ctx: _Context, refuted: dict[bmc.Site, bmc.SiteResult], asserts: dict[bmc.Site, ir.Assert]
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
        real = _replay_real(ctx, {s: refuted[s].witness for s in pending}, asserts)
        for site, outcome in real.items():
            runs[site] = (runs[site][0], outcome)
    return runs


def _replay_real(ctx: _Context, witnesses: dict, asserts: dict) -> dict[bmc.Site, ReplayOutcome]:
    """Real runs of `witnesses` (site -> witness; `asserts` has each site's check, none for
    a termination witness): Python in forked children, C compiled once for them all."""
    if ctx.parsed.language == "python":
        return _replay_python(ctx, witnesses, asserts)
    from prooflens.analysis.frontends import c_base, c_source
    from prooflens.analysis.replay import c as replay_c

    sites = list(witnesses)
    try:
        text = c_source.build(ctx.parsed, ctx.unit).text
    except Exception as exc:  # noqa: BLE001 -- replay must never break a check
        why = f"not confirmed (no harness: {type(exc).__name__}: {exc})"
        return {site: ReplayOutcome(None, why) for site in sites}
    nondet = {suffix: t.name for suffix, t in c_base.NONDET_TYPES.items()}
    unit = replay_c.CUnit(ctx.unit.name, text, c_base.GLOBAL_PREFIX, nondet)
    cases = [replay_c.Case(witnesses[site], site[0], asserts.get(site)) for site in sites]
    return dict(zip(sites, replay_c.replay(unit, ctx.fn, cases), strict=True))


def _replay_python(ctx: _Context, witnesses: dict, asserts: dict) -> dict[bmc.Site, ReplayOutcome]:
    from prooflens.analysis.replay import program, regression
    from prooflens.analysis.replay import python as replay_python

    target, others = program.sources_of(ctx.unit, callee_closure(ctx.parsed, ctx.unit),
                                        lambda u: syntax.python_scope(ctx.parsed, u),
                                        ctx.parsed.text)  # fmt: skip
    built = program.build(target, others, [p.name for p in ctx.fn.params], ctx.path)
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


def callee_closure(parsed: syntax.ParsedFile, unit: syntax.Unit) -> list[syntax.Unit]:
    """`unit` and every same-file function it calls, directly or not."""
    by_name = {u.name: u for u in parsed.units}
    seen: dict[str, syntax.Unit] = {}
    stack = [unit]
    while stack:
        current = stack.pop()
        if current.name in seen:
            continue
        seen[current.name] = current
        stack.extend(by_name[c] for c in current.callees if c in by_name)
    return list(seen.values())


# ---------------------------------------------------------------------------- termination


def _may_not_stop(fn: ir.Function) -> bool:
    return passes.has_loops(fn) or passes.has_recursion_cutoff(fn)


def _termination_results(ctx: _Context, unit: passes.TerminationUnit) -> list[Result]:
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
    results = [_termination_result(ctx, v, elapsed, unit.unbounded) for v in verdicts]
    return _outer_needs_inner(results, _nested_loops(relaxed.body))


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


def _termination_result(ctx: _Context, verdict, elapsed_ms: float, unbounded: bool) -> Result:
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


def _nontermination(ctx: _Context, verdict, elapsed_ms: float) -> Result:
    witness: Witness = verdict.witness
    params = tuple(p.name for p in ctx.fn.params)
    call = witness.call_text(ctx.fn.name, params, ctx.fn.language)
    kind = verdict.details.get("kind", "state repeats")
    run = interpreter.run(ctx.fn, witness.inputs, witness.nondet, max_steps=20_000)
    if run.outcome in ("returned", "failed", "blocked", "undefined"):
        log.error("non-termination witness %s ended in the IR run: %s", call, run.outcome)
        return Result("termination", verdict.line, verdict.column, "unknown",
                      f"don't know whether this loop stops (witness {call} ended when run)",
                      reason="witness did not reproduce", time_ms=elapsed_ms)  # fmt: skip
    real = _confirm_nontermination(ctx, verdict, witness)
    if real.confirmed is False:
        log.error("non-termination witness %s not confirmed: %s", call, real.detail)
        return Result("termination", verdict.line, verdict.column, "unknown",
                      f"don't know whether this loop stops ({real.detail})",
                      reason="witness did not reproduce", time_ms=elapsed_ms)  # fmt: skip
    details = {"replay": real.detail, **verdict.details}
    if real.harness:
        details["harness"] = real.harness
    return Result("termination", verdict.line, verdict.column, "refuted",
                  f"{call} never returns: {kind}", witness=dict(witness.inputs),
                  confirmed=real.confirmed, trace=run.trace[:_NONTERMINATION_STEPS],
                  certificate=verdict.certificate, details=details,
                  time_ms=elapsed_ms)  # fmt: skip


def _stops_only_by_undefined_behaviour(ctx: _Context, verdict, elapsed_ms: float) -> Result:
    """A loop that never ends in mathematical integers. C agrees with them until the first
    undefined behaviour, so the real run either never ends or stops at a failing check:
    not terminating either way. When the IR run reaches the failing check, it is replayed
    for real like any counterexample and the loop is refuted as "runs until ..."."""
    witness: Witness = verdict.witness
    call = witness.call_text(ctx.fn.name, tuple(p.name for p in ctx.fn.params), ctx.fn.language)
    run = interpreter.run(ctx.fn, witness.inputs, witness.nondet, max_steps=_UB_SEARCH_STEPS)

    def unknown(reason: str) -> Result:
        return Result("termination", verdict.line, verdict.column, "unknown",
                      f"does not terminate without undefined behaviour: {reason}",
                      reason=reason, time_ms=elapsed_ms)  # fmt: skip

    forever = f"{call} runs forever in mathematical integers"
    if run.outcome == "out-of-steps" and verdict.details.get("kind") == "state repeats":
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
        real = _replay_real(ctx, {site: witness}, {site: failing})[site]
    if real.confirmed is False:
        log.error("termination by undefined behaviour not reproduced: %s: %s", call, real.detail)
        return unknown(f"{forever}; in C it should stop by {where}, not seen when run")
    details = {"kind": "undefined behaviour", "replay": real.detail,
               "stops_by": {"property": failing.kind, "line": failing.span.line}}  # fmt: skip
    if real.harness:
        details["harness"] = real.harness
    return Result("termination", verdict.line, verdict.column, "refuted",
                  f"{call} does not terminate: it runs until {where}",
                  witness=dict(witness.inputs), confirmed=real.confirmed,
                  trace=run.trace[:_NONTERMINATION_STEPS], details=details,
                  time_ms=elapsed_ms)  # fmt: skip


def _until_undefined_when_compiled(ctx: _Context, verdict, witness: Witness, call: str,
                                   run, elapsed_ms: float) -> Result:  # fmt: skip
    """The compiled run of a loop that never ends in mathematical integers: it runs on or
    stops at its first undefined behaviour (sanitizer-reported), and either way the loop
    does not terminate; the replay detail says which."""
    from prooflens.analysis.replay import c as replay_c

    site = (replay_c.UNTIL_UNDEFINED, verdict.line, verdict.column)
    real = _replay_real(ctx, {site: witness}, {})[site]
    if real.confirmed is False:
        log.error("mathematical non-termination not reproduced: %s: %s", call, real.detail)
        reason = f"{call} runs forever in mathematical integers; {real.detail}"
        return Result("termination", verdict.line, verdict.column, "unknown",
                      f"does not terminate without undefined behaviour: {reason}",
                      reason=reason, time_ms=elapsed_ms)  # fmt: skip
    details = {"kind": "undefined behaviour", "replay": real.detail, **verdict.details}
    if real.harness:
        details["harness"] = real.harness
    return Result("termination", verdict.line, verdict.column, "refuted",
                  f"{call} does not terminate: it runs forever in mathematical integers, "
                  f"so in C forever or until undefined behaviour stops it ({real.detail})",
                  witness=dict(witness.inputs), confirmed=real.confirmed,
                  trace=run.trace[:_NONTERMINATION_STEPS], details=details,
                  time_ms=elapsed_ms)  # fmt: skip


# How far the IR run of a mathematical non-termination witness looks for the failing
# check (quadratic growth reaches INT_MAX in about 65,000 iterations; linear growth
# never does within any affordable run: that loop stays "don't know").
_UB_SEARCH_STEPS = 300_000


def _python_loop_lines(unit: syntax.Unit, line: int) -> tuple[int, int] | None:
    """First and last file line of the `while`/`for` statement starting at `line`."""
    try:
        tree = ast.parse(unit.text)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    offset = unit.line - 1
    for node in ast.walk(tree):
        if isinstance(node, ast.While | ast.For) and node.lineno + offset == line:
            return (line, (node.end_lineno or node.lineno) + offset)
    return None


# A run that never ends is shown by its first steps: enough for a period or two.
_NONTERMINATION_STEPS = 12


def _confirm_nontermination(ctx: _Context, verdict, witness: Witness) -> ReplayOutcome:
    if not ctx.settings.replay:
        return ReplayOutcome(None, "replay is off; loop seen not to end in the model run")
    if ctx.parsed.language != "python":
        site = ("termination", verdict.line, verdict.column)
        return _replay_real(ctx, {site: witness}, {})[site]
    from prooflens.analysis.replay import program
    from prooflens.analysis.replay import python as replay_python

    target, others = program.sources_of(ctx.unit, callee_closure(ctx.parsed, ctx.unit),
                                        lambda u: syntax.python_scope(ctx.parsed, u),
                                        ctx.parsed.text)  # fmt: skip
    built = program.build(target, others, [p.name for p in ctx.fn.params], ctx.path)
    if isinstance(built, str):
        return ReplayOutcome(False, built)
    details = dict(verdict.details)
    lines = _python_loop_lines(ctx.unit, verdict.line)
    if lines is not None:  # the real extent: a `pass` body has no IR statement
        details["loop_lines"] = lines
    watch = replay_python.Watch.of(details, witness, verdict.line)
    return replay_python.confirm_nontermination(built, witness, watch)
