"""The pipeline for one unit (DESIGN.md): lower, prepare, safety, termination, replay,
anchor. The file is parsed once (`syntax.parse`) and every stage reads that parse; the
stages live in `pipeline/` (safety, termination, real runs of witnesses).

`check_function` is what a worker process runs; `check_text` / `check_path` check a file.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from dataclasses import replace

from prooflens.analysis import ir, passes, solver, syntax
from prooflens.analysis.pipeline import assumptions, safety, termination
from prooflens.analysis.pipeline.context import UnitContext, unknown
from prooflens.analysis.settings import Settings
from prooflens.analysis.solver import Budget
from prooflens.analysis.verdicts import FileReport, FunctionReport, Result

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
    return FunctionReport(name, 1, 1, (unknown("unsupported", 1, 1, f"no function {name}"),))


# ------------------------------------------------------------------------------ one unit


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
        results = [unknown("unsupported", unit.name_line, unit.name_column,
                           f"internal error: {type(error).__name__}: {error}")]  # fmt: skip
    elapsed = (time.perf_counter() - began) * 1000
    return FunctionReport(unit.name, unit.line, unit.end_line, tuple(results), elapsed)


def _check_unit(
    parsed: syntax.ParsedFile, unit: syntax.Unit, settings: Settings, path: str
) -> list[Result]:
    """Lower and prepare the unit; safety (BMC, then proofs) and termination, each
    replaying its witnesses; results anchored in the unit, in source order."""
    if unit.has_error:
        return [unknown("unsupported", unit.name_line, unit.name_column,
                        "this function has a syntax error")]  # fmt: skip
    lowered = _lower(parsed, unit, settings, path)
    if isinstance(lowered, ir.Unsupported):
        # A construct without a position (line 0) is reported at the function's name.
        line, column = ((lowered.line, lowered.column) if lowered.line >= 1
                        else (unit.name_line, unit.name_column))  # fmt: skip
        return [unknown("unsupported", line, column, lowered.reason)]
    enabled = {k for k in _ALL_KINDS if settings.enabled(k)}
    fn = passes.prepare(lowered, enabled)
    if not passes.is_easy(fn):  # its answers then never depend on the units before it
        solver.fresh_context()
    budget = Budget.of_seconds(settings.timeout_s)
    loops = settings.deep and settings.enabled("termination") and termination.may_not_stop(fn)
    # With loops to prove terminating, safety gets 60% of the budget and termination the
    # rest (plus whatever safety left over); without, safety gets it all.
    share = 0.6 if loops else 1.0
    ctx = UnitContext(parsed, unit, fn, settings, path, budget.part(share),
                      passes.is_nonlinear(fn))  # fmt: skip
    results = safety.results(ctx)
    if loops:
        proved = {(r.property, r.line, r.column) for r in results if r.status == "proved"}
        ctx = replace(ctx, budget=budget)
        results.extend(termination.results(ctx, passes.for_termination(fn, proved)))
    results = [_anchor_in_unit(ctx, r) for r in results]
    if fn.language == "c":  # C memory: what the unit assumes of its pointer parameters
        from prooflens.analysis.frontends import c_memory

        results = c_memory.state_contract(fn, results)
    if fn.language == "python":  # explicit raises are intended
        from prooflens.analysis.frontends import python

        results = python.finish_results(fn, results)
    results = assumptions.state(fn, results)
    return sorted(results, key=lambda r: (r.line, r.column, r.property))


def _anchor_in_unit(ctx: UnitContext, result: Result) -> Result:
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
              "out-of-bounds", "null-dereference", "use-after-free",
              "invalid-free")  # fmt: skip  (C memory)


def _lower(parsed: syntax.ParsedFile, unit: syntax.Unit, settings: Settings, path: str = ""
           ) -> ir.Function | ir.Unsupported:  # fmt: skip
    if parsed.language == "python":
        from prooflens.analysis.frontends import python

        return python.lower(parsed, unit, settings)
    from prooflens.analysis.frontends import c

    return c.lower(parsed, unit, settings, path=path)  # its folder: `#include "x.h"`
