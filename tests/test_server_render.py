"""Results -> diagnostics, lenses, hover, inlay hints, status (pure mapping)."""

from dataclasses import replace

import pytest
from lsprotocol import types as lsp

from prooflens.analysis.verdicts import Evidence, FunctionReport, Result, SyntaxError_, TraceStep
from prooflens.server import render
from prooflens.server.model import BROKEN, IDLE, PENDING, UnitView
from prooflens.server.positions import UTF8, LineIndex

URI = "file:///w/m.py"
TEXT = "def g2(x, y):\n    while x > y:\n        x = x - y\n    return x\n"
INDEX = LineIndex.of(TEXT)
TRACE = (TraceStep(2, {"x": 5, "y": 0}), TraceStep(3, {"x": 5, "y": 0}))


def result(status="refuted", confirmed=True, prop="termination", **extra):
    base = dict(property=prop, line=2, column=5, status=status,
                message=extra.pop("message", "g2(x=5, y=0) never returns: state repeats"))
    if status == "refuted":
        base.update(witness={"x": 5, "y": 0}, confirmed=confirmed, trace=TRACE)
    base.update(extra)
    return Result(**base)


def view(*results, state="done", report=True):
    rep = FunctionReport("g2", 1, 4, tuple(results)) if report else None
    return UnitView(URI, "g2", 1, 4, 1, 5, rep, state, "deep")


@pytest.mark.parametrize(
    ("res", "severity", "code"),
    [
        (result(), lsp.DiagnosticSeverity.Error, "non-termination"),
        (result(confirmed=None), lsp.DiagnosticSeverity.Warning, "non-termination"),
        (result(confirmed=False), lsp.DiagnosticSeverity.Hint, "non-termination"),
        (result("bounded", prop="assertion", bound=10, message="no failure within 10 iterations"),
         lsp.DiagnosticSeverity.Hint, "assertion-failure"),
        (result("unknown", prop="always-true", reason="timeout 2 s", message="timeout"),
         lsp.DiagnosticSeverity.Hint, "always-false"),
        (result("unknown", prop="unsupported", reason="unsupported call at line 3",
                message="don't know: unsupported call at line 3"),
         lsp.DiagnosticSeverity.Hint, "unsupported"),
        (result("refuted", prop="division-by-zero"), lsp.DiagnosticSeverity.Error,
         "division-by-zero"),
    ],
)  # fmt: skip
def test_result_diagnostic_severity_and_code(res, severity, code):
    (diag,) = render.result_diagnostics(view(res), INDEX)
    assert (diag.severity, diag.code, diag.source) == (severity, code, "prooflens")
    assert diag.range.start == lsp.Position(line=1, character=4)
    assert diag.range.end == lsp.Position(line=1, character=16)
    assert diag.data["function"] == "g2" and diag.data["line"] == 2
    if severity != lsp.DiagnosticSeverity.Error:
        assert "can fail" not in diag.message or severity == lsp.DiagnosticSeverity.Warning


def test_proved_results_are_not_diagnostics():
    proved = result("proved", prop="termination", certificate="x - y", message="terminates")
    assert render.result_diagnostics(view(proved), INDEX) == []


def test_failure_has_related_information_for_inputs_and_repeating_state():
    (diag,) = render.result_diagnostics(view(result()), INDEX)
    messages = [info.message for info in diag.related_information]
    assert messages == ["inputs: x = 5, y = 0", "repeating state: x = 5, y = 0"]
    assert diag.related_information[1].location.range.start.line == 2
    assert diag.data["witness"] == {"x": 5, "y": 0}


def test_unconfirmed_counterexample_reads_as_dont_know():
    (diag,) = render.result_diagnostics(view(result(confirmed=False)), INDEX)
    assert diag.message.startswith("don't know: counterexample not confirmed")
    assert diag.related_information is None


@pytest.mark.parametrize(
    ("results", "state", "title"),
    [
        ((result(),), "done", "✗ g2(x=5, y=0) never returns: state repeats"),
        ((result(confirmed=None),), "done",
         "⚠ g2(x=5, y=0) never returns: state repeats (not confirmed by a real run)"),
        ((result(), result(prop="assertion", message="assertion can fail: g2(x=1, y=2)")),
         "done", "✗ g2(x=5, y=0) never returns: state repeats (+1 more)"),
        ((result("proved", certificate="x - y", message="terminates"),), "done",
         "✓ terminates (x - y decreases)"),
        ((result("proved", prop="always-true", message="g2 always returns True"),), "done",
         "✓ always returns True"),
        ((result("proved", prop="assertion", message="holds"),), "done", "✓ proved"),
        ((result("bounded", prop="assertion", bound=10, message="no failure"),), "done",
         "~ no failure within 10 iterations"),
        ((result("unknown", prop="assertion", reason="timeout 2 s", message="timeout 2 s"),),
         "done", "? don't know: timeout 2 s"),
        ((result(confirmed=False),), "done",
         "? don't know: counterexample not confirmed (g2(x=5, y=0) never returns: state repeats)"),
        ((), "done", "· nothing to check"),
        ((), "pending", "… verifying"),
    ],
)  # fmt: skip
def test_lens_title(results, state, title):
    assert render.lens_title(view(*results, state=state)) == title


@pytest.mark.parametrize(
    ("state", "title"),
    [
        (PENDING, "… verifying"),
        (IDLE, "▷ not verified yet"),
        (BROKEN, "? don't know: syntax error"),
    ],
)
def test_lens_title_without_report(state, title):
    assert render.lens_title(view(state=state, report=False)) == title


def test_code_lenses_commands():
    lenses = render.code_lenses(view(result()), INDEX)
    commands = [(lens.command.title, lens.command.command, lens.command.arguments)
                for lens in lenses]  # fmt: skip
    assert commands[1] == ("▶ verify", "prooflens.verifyFunction", [URI, "g2"])
    assert commands[2] == ("show trace", "prooflens.showTrace", [URI, "g2", 1])
    assert all(lens.range.start == lsp.Position(line=0, character=4) for lens in lenses)
    unrefuted = render.code_lenses(view(result("proved", message="ok")), INDEX)
    assert [lens.command.title for lens in unrefuted][1:] == ["▶ verify"]


def test_hover_on_loop_line_shows_verdict_inputs_and_trace():
    text = render.hover_markdown(view(result()), 2)
    assert "**refuted (confirmed by a real run)**" in text
    assert "**Inputs:** `x = 5`, `y = 0`" in text
    assert "| 1 | **2** | x = 5, y = 0 |" in text
    assert "| 2 | 3 | x = 5, y = 0 |" in text


def test_hover_on_variable_shows_its_values():
    text = render.hover_markdown(view(result()), 3, "x")
    assert "`x` in the counterexample" in text and "| 3 | `5` |" in text


def test_hover_shows_certificate_and_nothing_off_results():
    proved = result("proved", certificate="x - y", message="terminates")
    assert "**Certificate:** `x - y`" in render.hover_markdown(view(proved), 2)
    assert render.hover_markdown(view(proved), 4) is None
    assert "terminates" in render.hover_markdown(view(proved), 1)  # the name line


def test_long_trace_is_elided():
    long = result(trace=tuple(TraceStep(2, {"i": i}) for i in range(200)))
    rows = [r for r in render.trace_table(long.trace) if r.startswith("| ")]
    assert len(rows) == render.MAX_TRACE_ROWS + 2 and "| … | … | … |" in rows


def test_inlay_hints_at_trace_lines_in_range():
    hints = render.inlay_hints(view(result()), INDEX, 1, 4)
    assert [(h.position.line, h.position.character, h.label) for h in hints] == [
        (1, 16, "x = 5, y = 0"),
        (2, 17, "x = 5, y = 0"),
    ]
    assert render.inlay_hints(view(result()), INDEX, 3, 4) == [hints[1]]
    assert render.inlay_hints(view(result(confirmed=False)), INDEX, 1, 4) == []


def test_syntax_diagnostics_utf16_and_utf8_columns():
    index = LineIndex.of("s = '😀' +\n")
    error = SyntaxError_(1, 10, "syntax error", 1, 10)
    (diag,) = render.syntax_diagnostics([error], index)
    assert (diag.range.start.character, diag.range.end.character) == (10, 11)
    assert diag.source == "prooflens-syntax" and diag.code == "syntax-error"
    (diag8,) = render.syntax_diagnostics([error], index, UTF8)
    assert diag8.range.start.character == 12


def test_status_counts():
    views = [
        view(result()),
        view(result("proved", message="ok")),
        view(result("unknown", reason="x", message="x")),
        view(state=PENDING, report=False),
        view(),  # nothing to check: not counted as proved
    ]
    assert render.status_counts(views, 2) == {
        "proved": 1, "refuted": 1, "bounded": 0, "unknown": 1, "running": 1, "files": 2
    }  # fmt: skip


def predicate(message="g2 can return False: g2(x=5, y=0)"):
    found = result(prop="always-true", message=message, line=1)
    return replace(found, evidence=Evidence(always_false=" always returns False" in message))


def asked(*results):
    return UnitView(URI, "g2", 1, 4, 1, 5,
                    FunctionReport("g2", 1, 4, tuple(results), always_true_requested=True),
                    "done", "deep")  # fmt: skip


def test_a_predicate_that_can_return_false_is_a_fact_in_lens_and_hover_only():
    unit = view(predicate())
    assert render.lens_title(unit) == "✓ can return False"
    assert render.result_diagnostics(unit, INDEX) == []
    assert render.inlay_hints(unit, INDEX, 1, 4) == []
    assert "**can return False**" in render.hover_markdown(unit, 1)
    proved_loop = result("proved", certificate="x - y", message="terminates")
    assert render.lens_title(view(predicate(), proved_loop)) == \
        "✓ can return False, terminates (x - y decreases)"  # fmt: skip


def test_a_requested_always_true_that_can_return_false_is_an_error():
    unit = asked(predicate())
    assert render.lens_title(unit) == "✗ g2 can return False: g2(x=5, y=0)"
    (diag,) = render.result_diagnostics(unit, INDEX)
    assert (diag.severity, diag.code) == (lsp.DiagnosticSeverity.Error, "always-false")
    assert "**refuted (confirmed by a real run)**" in render.hover_markdown(unit, 1)


def test_a_predicate_that_always_returns_false_is_a_warning():
    unit = view(predicate("g2 always returns False, e.g. g2(x=5, y=0)"))
    assert render.lens_title(unit) == "⚠ g2 always returns False, e.g. g2(x=5, y=0)"
    (diag,) = render.result_diagnostics(unit, INDEX)
    assert diag.severity == lsp.DiagnosticSeverity.Warning


def test_lens_leads_with_an_error_over_a_warning():
    unconfirmed = result(confirmed=None, prop="assertion", message="assertion can fail: g2(1, 2)")
    title = render.lens_title(view(unconfirmed, result()))
    assert title == "✗ g2(x=5, y=0) never returns: state repeats (+1 more)"
    (diag,) = render.result_diagnostics(view(unconfirmed), INDEX)
    assert diag.message.endswith("(not confirmed by a real run)")


def test_status_counts_do_not_count_a_predicate_as_refuted():
    counts = render.status_counts([view(predicate()), asked(predicate())], 1)
    assert (counts["proved"], counts["refuted"]) == (1, 1)
