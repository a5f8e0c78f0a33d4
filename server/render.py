"""Results -> LSP data: diagnostics, code lenses, hover Markdown, inlay hints, status.

Pure functions of a `UnitView` and the document's `LineIndex`; positions leave here in the
negotiated LSP encoding. Severity and wording come from `analysis.presentation` (shared with
the CLI and SARIF); this module only maps them to LSP.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lsprotocol import types as lsp

from prooflens.analysis import presentation
from prooflens.analysis.presentation import Severity
from prooflens.analysis.verdicts import Result, SyntaxError_, TraceStep
from prooflens.server.model import BROKEN, PENDING, UnitView, is_failure, is_unknown, summary
from prooflens.server.positions import UTF16, LineIndex

SOURCE = "prooflens"
SYNTAX_SOURCE = "prooflens-syntax"
CODES = {
    "assertion": "assertion-failure",
    "termination": "non-termination",
    "always-true": "always-false",
    "division-by-zero": "division-by-zero",
    "signed-overflow": "signed-overflow",
    "shift-out-of-range": "shift-out-of-range",
    "array-out-of-bounds": "array-out-of-bounds",
    "unsupported": "unsupported",
}
SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
    Severity.HINT: lsp.DiagnosticSeverity.Hint,
}
GLYPH = {Severity.ERROR: "✗", Severity.WARNING: "⚠"}  # lens of a refuted unit
MAX_HINT_CHARS = 60
MAX_TRACE_ROWS = 40
VERIFY_COMMAND = "prooflens.verifyFunction"
TRACE_COMMAND = "prooflens.showTrace"


# ------------------------------------------------------------------------ helpers


def show_value(value: Any) -> str:
    return repr(value)


def show_values(values: dict[str, Any]) -> str:
    """`x = 5, y = 0`."""
    return ", ".join(f"{name} = {show_value(v)}" for name, v in values.items())


def _point(index: LineIndex, line: int, column: int, encoding: str) -> lsp.Position:
    line0, char = index.lsp_position(line, column, encoding)
    return lsp.Position(line=line0, character=char)


def line_range(index: LineIndex, line: int, column: int, encoding: str = UTF16) -> lsp.Range:
    """From (line, column) to the end of that line's text (at least one character)."""
    start = _point(index, line, max(column, 1), encoding)
    end_line0, end_char = index.line_end(line, encoding)
    if end_line0 != start.line or end_char <= start.character:
        end_char = start.character + 1 if index.line_text(start.line)[start.character:] else 0
        end_char = max(end_char, start.character)
    return lsp.Range(start=start, end=lsp.Position(line=start.line, character=end_char))


def _requested(view: UnitView) -> bool:
    """The programmer asked this function to be always true (see `presentation`)."""
    return view.report is not None and view.report.always_true_requested


_message = presentation.message


# -------------------------------------------------------------------- diagnostics


def syntax_diagnostics(
    errors: Iterable[SyntaxError_], index: LineIndex, encoding: str = UTF16
) -> list[lsp.Diagnostic]:
    """One Error per syntax error, spanning the erroneous text (or one character)."""
    out = []
    for error in errors:
        start = _point(index, error.line, error.column, encoding)
        if error.end_line:
            end = _point(index, error.end_line, error.end_column + 1, encoding)
        else:
            end = start
        if (end.line, end.character) <= (start.line, start.character):
            end = lsp.Position(line=start.line, character=start.character + 1)
        out.append(
            lsp.Diagnostic(
                range=lsp.Range(start=start, end=end),
                message=error.message,
                severity=SEVERITY[presentation.SYNTAX_ERROR],
                source=SYNTAX_SOURCE,
                code="syntax-error",
            )
        )
    return out


def diagnostic_severity(result: Result, requested: bool = False) -> lsp.DiagnosticSeverity | None:
    """The LSP severity of a result; None for what only the lens and hover show (proofs,
    a predicate that can return False)."""
    if not presentation.is_listed(result, requested):
        return None
    return SEVERITY[presentation.severity(result, requested)]


def result_diagnostics(
    view: UnitView, index: LineIndex, encoding: str = UTF16
) -> list[lsp.Diagnostic]:
    """Diagnostics of the non-proved results of one unit."""
    if view.report is None:
        return []
    out = []
    for result in view.report.results:
        severity = diagnostic_severity(result, _requested(view))
        if severity is None:
            continue
        line = result.line if result.line > 0 else view.name_line
        column = result.column if result.line > 0 else view.name_column
        out.append(
            lsp.Diagnostic(
                range=line_range(index, line, column, encoding),
                message=_message(result),
                severity=severity,
                source=SOURCE,
                code=CODES.get(result.property, result.property),
                related_information=_related(view, result, index, encoding) or None,
                data={
                    "uri": view.uri,
                    "function": view.name,
                    "property": result.property,
                    "witness": result.witness,
                    "line": line,
                },
            )
        )
    return out


def _related(
    view: UnitView, result: Result, index: LineIndex, encoding: str
) -> list[lsp.DiagnosticRelatedInformation]:
    """The inputs (at the function's name) and the last state of the trace."""
    if not is_failure(result):
        return []
    info = []
    if result.witness:
        info.append(
            lsp.DiagnosticRelatedInformation(
                location=lsp.Location(
                    uri=view.uri,
                    range=line_range(index, view.name_line, view.name_column, encoding),
                ),
                message=f"inputs: {show_values(result.witness)}",
            )
        )
    if result.trace:
        last = result.trace[-1]
        evidence = result.evidence
        kind = evidence.replay or (evidence.loop.kind if evidence.loop else None)
        label = "repeating state" if result.property == "termination" else "last state"
        text = f"{label}: {show_values(last.values)}" + (f" ({kind})" if kind else "")
        info.append(
            lsp.DiagnosticRelatedInformation(
                location=lsp.Location(
                    uri=view.uri, range=line_range(index, last.line, 1, encoding)
                ),
                message=text,
            )
        )
    return info


# -------------------------------------------------------------------- code lenses


def lens_title(view: UnitView) -> str:
    """`✓ proved`, `✗ <counterexample>`, `~ no failure within N iterations`, ..."""
    if view.state == BROKEN:
        return "? don't know: syntax error"
    if view.report is None:
        return "… verifying" if view.state == PENDING else "▷ not verified yet"
    results = view.report.results
    if not results and view.state == PENDING:  # a quick check found nothing; deep is running
        return "… verifying"
    verdict = summary(view.report)
    if verdict == "refuted":
        alarms = presentation.alarms(view.report)
        more = f" (+{len(alarms) - 1} more)" if len(alarms) > 1 else ""
        glyph = GLYPH[presentation.severity(alarms[0], _requested(view))]
        return f"{glyph} {_message(alarms[0])}{more}"
    if verdict == "unknown":
        first = next(r for r in results if is_unknown(r))
        text = _message(first)
        return "? " + (text if text.startswith("don't know") else f"don't know: {text}")
    if verdict == "bounded":
        bounded = [r for r in results if r.status in ("bounded", "tested")]
        if all(r.status == "tested" for r in bounded):
            return "~ no failure on generated inputs"
        bound = min(r.bound or 0 for r in bounded if r.status == "bounded")
        return f"~ no failure within {bound} iterations"
    return _proved_title(results)


def _proved_title(results: tuple[Result, ...]) -> str:
    """`✓ proved, terminates (x - y decreases)`; a predicate's answer as a fact."""
    if not results:
        return "· nothing to check"
    parts = []
    always_true = [r for r in results if r.property == "always-true"]
    if any(r.status == "proved" for r in always_true):
        parts.append("always returns True")
    elif always_true:  # refuted, not asked for: a fact about the predicate
        parts.append("can return False")
    termination = [r for r in results if r.property == "termination"]
    if termination:
        parts.append(presentation.termination_phrase(termination[0].certificate))
    others = [r for r in results if r.property not in ("always-true", "termination")]
    if others or not parts:
        parts.insert(0, "proved")
    return "✓ " + ", ".join(parts)


def code_lenses(view: UnitView, index: LineIndex, encoding: str = UTF16) -> list[lsp.CodeLens]:
    """Verdict lens, `▶ verify`, and `show trace` for refuted units, at the name line."""
    where = line_range(index, view.name_line, view.name_column, encoding)
    show_trace = lsp.Command(
        title="show trace", command=TRACE_COMMAND, arguments=[view.uri, view.name, view.name_line]
    )
    title_command = show_trace if view.report is not None and view.report.results else None
    lenses = [
        lsp.CodeLens(
            range=where,
            command=lsp.Command(
                title=lens_title(view),
                command=title_command.command if title_command else "",
                arguments=title_command.arguments if title_command else None,
            ),
        ),
        lsp.CodeLens(
            range=where,
            command=lsp.Command(
                title="▶ verify", command=VERIFY_COMMAND, arguments=[view.uri, view.name]
            ),
        ),
    ]
    if view.report is not None and summary(view.report) == "refuted":
        lenses.append(lsp.CodeLens(range=where, command=show_trace))
    return lenses


# ------------------------------------------------------------------------- hover


def result_markdown(
    name: str, result: Result, mark_line: int | None = None, requested: bool = False
) -> str:
    """Verdict, inputs, and the trace table or the certificate of one result."""
    head = f"**prooflens** · `{name}` · {result.property} at line {result.line}: "
    word = presentation.status_word(result, requested)
    lines = [head + f"**{word}**", "", _message(result)]
    if result.witness:
        inputs = ", ".join(f"`{k} = {show_value(v)}`" for k, v in result.witness.items())
        lines += ["", f"**Inputs:** {inputs}"]
    if result.certificate:
        lines += ["", f"**Certificate:** `{result.certificate}`"]
    if result.status == "bounded" and result.bound is not None:
        lines += ["", f"No failure within {result.bound} iterations (nothing more is claimed)."]
    if result.trace:
        lines += ["", *trace_table(result.trace, mark_line)]
    return "\n".join(lines)


def trace_table(trace: tuple[TraceStep, ...], mark_line: int | None = None) -> list[str]:
    """A Markdown table `| step | line | values |`, long traces elided in the middle."""
    rows = ["| step | line | values |", "|---:|---:|---|"]
    steps: list[tuple[int, TraceStep | None]] = list(enumerate(trace, 1))
    if len(steps) > MAX_TRACE_ROWS:
        half = MAX_TRACE_ROWS // 2
        steps = steps[:half] + [(0, None)] + steps[-half:]
    for number, step in steps:
        if step is None:
            rows.append("| … | … | … |")
            continue
        values = show_values(step.values).replace("|", "\\|") or "–"
        line = f"**{step.line}**" if step.line == mark_line else str(step.line)
        rows.append(f"| {number} | {line} | {values} |")
    return rows


def hover_markdown(view: UnitView, line: int, word: str | None = None) -> str | None:
    """Hover text for a 1-based line of the unit: results at that line; else a variable's
    values along a failing trace; else the trace through that line; at the name line,
    every result of the function. None when there is nothing to say."""
    if view.report is None:
        if view.line <= line <= view.end_line and line == view.name_line:
            return f"**prooflens** · `{view.name}` · {lens_title(view)}"
        return None
    results = view.report.results
    here = [r for r in results if r.line == line]
    if here:
        return "\n\n---\n\n".join(result_markdown(view.name, r, line, _requested(view))
                                  for r in here)  # fmt: skip
    if word:
        text = _variable_markdown(view, word)
        if text:
            return text
    through = [r for r in results if any(s.line == line for s in r.trace)]
    if through:
        return "\n\n---\n\n".join(result_markdown(view.name, r, line, _requested(view))
                                  for r in through)  # fmt: skip
    if line == view.name_line:
        return function_markdown(view)
    return None


def function_markdown(view: UnitView) -> str:
    """Every result of the unit (the `show trace` text at the name line)."""
    if view.report is None or not view.report.results:
        return f"**prooflens** · `{view.name}` · {lens_title(view)}"
    parts = [result_markdown(view.name, r, None, _requested(view)) for r in view.report.results]
    return "\n\n---\n\n".join(parts)


def _variable_markdown(view: UnitView, word: str) -> str | None:
    """The values a variable takes along the first failing trace that mentions it."""
    assert view.report is not None
    for result in view.report.results:
        if not is_failure(result):
            continue
        steps = [(s.line, s.values[word]) for s in result.trace if word in s.values]
        initial = (result.witness or {}).get(word, None)
        if not steps and initial is None:
            continue
        lines = [f"**prooflens** · `{word}` in the counterexample of `{view.name}`: "
                 f"{_message(result)}", ""]  # fmt: skip
        if initial is not None:
            lines.append(f"input: `{word} = {show_value(initial)}`")
        if steps:
            lines += ["", "| line | value |", "|---:|---|"]
            lines += [f"| {ln} | `{show_value(v)}` |" for ln, v in steps[:MAX_TRACE_ROWS]]
        return "\n".join(lines)
    return None


# -------------------------------------------------------------------- inlay hints


def inlay_hints(
    view: UnitView, index: LineIndex, first_line: int, last_line: int, encoding: str = UTF16
) -> list[lsp.InlayHint]:
    """At the end of each line of a failing trace (1-based lines in [first, last]): the
    values after that line's last step."""
    if view.report is None:
        return []
    out = []
    shown: set[int] = set()
    for result in view.report.results:
        listed = presentation.is_listed(result, _requested(view))
        if not is_failure(result) or not listed or not result.trace:
            continue
        last_values: dict[int, TraceStep] = {}
        for step in result.trace:
            last_values[step.line] = step
        for line, step in sorted(last_values.items()):
            if line in shown or not first_line <= line <= last_line or not step.values:
                continue
            shown.add(line)
            label = show_values(step.values)
            if len(label) > MAX_HINT_CHARS:
                label = label[: MAX_HINT_CHARS - 1] + "…"
            line0, char = index.line_end(line, encoding)
            out.append(
                lsp.InlayHint(
                    position=lsp.Position(line=line0, character=char),
                    label=label,
                    padding_left=True,
                    tooltip=f"counterexample: {result.message}",
                )
            )
    return out


# ------------------------------------------------------------------------- status


def status_counts(views: Iterable[UnitView], files: int) -> dict[str, int]:
    """Counts of the `prooflens/status` notification."""
    counts = {"proved": 0, "refuted": 0, "bounded": 0, "unknown": 0, "running": 0, "files": files}
    for view in views:
        if view.state == PENDING:
            counts["running"] += 1
        if view.report is not None and view.report.results:
            counts[summary(view.report)] += 1
        elif view.state == BROKEN:
            counts["unknown"] += 1
    return counts

