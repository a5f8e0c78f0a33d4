"""The one presentation policy: severity of every result kind, the same in CLI text, SARIF
and LSP; "asked for always-true" detection; verdicts, counts and wording."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import pytest
from lsprotocol import types as lsp

from prooflens import cli, sarif
from prooflens.analysis import presentation, syntax
from prooflens.analysis.presentation import Kind, Severity, Verdict
from prooflens.analysis.verdicts import (
    PROPERTIES,
    Evidence,
    FileReport,
    FunctionReport,
    LoopEvidence,
    Property,
    Result,
    Status,
    StopsBy,
    TraceStep,
)
from prooflens.server import render
from prooflens.server.model import UnitView
from prooflens.server.positions import LineIndex

TEXT = "def f(x):\n    while x > 0:\n        x = x - 1\n    return x > 0\n"
MESSAGES = {
    "can-return-false": "f can return False: f(x=0)",
    "always-false": "f always returns False, e.g. f(x=0)",
    "other": "assertion can fail: f(x=0)",
}


def make(status: str, prop: str, confirmed: bool | None, wording: str = "other") -> Result:
    """A result of the given kind at line 2 (witness and trace for refutations)."""
    refuted = status == "refuted"
    return Result(prop, 2, 5, status, MESSAGES[wording] if refuted else f"{status} {prop}",
                  witness={"x": 0} if refuted else None, confirmed=confirmed if refuted else None,
                  trace=(TraceStep(2, {"x": 0}),) if refuted else (),
                  bound=10 if status == "bounded" else None,
                  reason="timeout" if status == "unknown" else None,
                  evidence=Evidence(always_false=refuted and wording == "always-false"),
                  )  # fmt: skip


# (status, property, confirmed, requested, wording) -> severity
TABLE = [
    ("refuted", "assertion", True, False, "other", Severity.ERROR),
    ("refuted", "termination", True, False, "other", Severity.ERROR),
    ("refuted", "signed-overflow", None, False, "other", Severity.WARNING),
    ("refuted", "assertion", False, False, "other", Severity.HINT),  # replay disproved it
    ("refuted", "always-true", True, False, "can-return-false", Severity.HINT),
    ("refuted", "always-true", None, False, "can-return-false", Severity.HINT),
    ("refuted", "always-true", True, False, "always-false", Severity.WARNING),
    ("refuted", "always-true", None, False, "always-false", Severity.WARNING),
    ("refuted", "always-true", True, True, "can-return-false", Severity.ERROR),
    ("refuted", "always-true", True, True, "always-false", Severity.ERROR),
    ("refuted", "always-true", None, True, "can-return-false", Severity.WARNING),
    ("proved", "always-true", None, False, "other", Severity.INFO),
    ("proved", "assertion", None, True, "other", Severity.INFO),
    ("bounded", "assertion", None, False, "other", Severity.HINT),
    ("tested", "always-true", None, True, "other", Severity.HINT),
    ("unknown", "termination", None, False, "other", Severity.HINT),
    ("unknown", "always-true", None, True, "other", Severity.HINT),
]


@pytest.mark.parametrize(("status", "prop", "confirmed", "requested", "wording", "expected"),
                         TABLE)  # fmt: skip
def test_severity_table(status, prop, confirmed, requested, wording, expected):
    result = make(status, prop, confirmed, wording)
    assert presentation.severity(result, requested) == expected


def every_kind():
    """Every combination the policy distinguishes."""
    statuses = ("proved", "refuted", "bounded", "tested", "unknown")
    props = ("assertion", "always-true")
    for status, prop, confirmed, requested, wording in itertools.product(
        statuses, props, (True, None, False), (False, True), ("other", "can-return-false",
                                                              "always-false")):  # fmt: skip
        if status != "refuted" and (confirmed is not None or wording != "other"):
            continue
        if prop != "always-true" and wording != "other":
            continue
        yield make(status, prop, confirmed, wording), requested


CASES = list(every_kind())


def ids(case):
    result, requested = case
    return f"{result.status}-{result.property}-{result.confirmed}-{requested}-{result.message}"


@pytest.mark.parametrize("case", CASES, ids=[ids(c) for c in CASES])
def test_same_severity_in_text_sarif_and_lsp(case):
    result, requested = case
    expected = presentation.severity(result, requested)
    function = FunctionReport("f", 1, 4, (result,), always_true_requested=requested)
    report = FileReport("m.py", "python", (), (function,))

    text = cli.render([report], "text", False, 0.0).splitlines()[0]
    assert text.split(": ")[1] == cli.WORDS[expected]

    results = sarif.sarif_report([report], "prooflens test", "0")["runs"][0]["results"]
    view = UnitView("file:///m.py", "f", 1, 4, 1, 5, function, "done")
    diagnostics = render.result_diagnostics(view, LineIndex.of(TEXT))
    if presentation.is_listed(result, requested):
        (found,) = results
        assert found["level"] == sarif.LEVEL[expected]
        assert found["properties"]["severity"] == expected.value
        (diagnostic,) = diagnostics
        assert diagnostic.severity == render.SEVERITY[expected]
    else:
        assert results == [] and diagnostics == []
        assert presentation.kind(result, requested) in (Kind.PROVED, Kind.CAN_RETURN_FALSE)


def test_every_severity_has_a_word_in_every_front_end():
    for severity in Severity:
        assert severity in cli.WORDS and severity in sarif.LEVEL and severity in render.SEVERITY
    assert set(presentation.SEVERITY) == set(Kind)


def test_lsp_and_sarif_map_severity_in_order():
    order = [render.SEVERITY[s] for s in Severity]
    assert order == sorted(order)  # Error=1 < Warning=2 < Information=3 < Hint=4
    assert render.SEVERITY[Severity.ERROR] == lsp.DiagnosticSeverity.Error


def test_an_unconfirmed_refutation_is_never_an_error():
    for result, requested in CASES:
        if result.status == "refuted" and result.confirmed is not True:
            assert presentation.severity(result, requested) != Severity.ERROR, result


def test_bounded_unknown_and_tested_are_never_errors_nor_warnings():
    for result, requested in CASES:
        if result.status in ("bounded", "unknown", "tested"):
            assert presentation.severity(result, requested) == Severity.HINT


# -------------------------------------------------------------- asked for always-true


@pytest.mark.parametrize(
    ("name", "text", "language", "above", "asked"),
    [
        ("test_commutes", "def test_commutes(x, y):\n    return x + y == y + x\n", "python", "",
         True),
        ("prop_sorted", "def prop_sorted(x):\n    return x <= x\n", "python", "", True),
        ("check_bounds", "int check_bounds(int x) { return x < 10; }\n", "c", "", True),
        ("is_even", "def is_even(n):\n    return n % 2 == 0\n", "python", "", False),
        ("contest_", "def contest_(n):\n    return n > 0\n", "python", "", False),
        ("even", "def even(n):\n    return n % 2 == 0\n", "python", "# prooflens: always-true",
         True),
        ("even", "def even(n):  # prooflens: always-true\n    return n % 2 == 0\n", "python", "",
         True),
        ("even", "@cache\ndef even(n):  # prooflens:always-true\n    return n % 2 == 0\n",
         "python", "", True),
        ("even", "def even(n):\n    return n % 2 == 0  # prooflens: always-true\n", "python", "",
         False),
        ("even", "def even(n):\n    return n % 2 == 0\n", "python", "# prooflens: always", False),
        ("even", "int even(int n) { return n % 2 == 0; }\n", "c", "// prooflens: always-true",
         True),
        ("even", "int even(int n) /* prooflens: always-true */ {\n  return n % 2 == 0;\n}\n",
         "c", "", True),
        ("p", "def p(x):\n    y = x + 1\n    assert y > x\n", "python", "", True),
        ("p", "def p(x):\n    assert x > 0\n    return x > 1\n", "python", "", False),
        ("p", "int p(int x) {\n  int y = x + 1;\n  assert(y > x);  /* done */\n}\n", "c", "",
         True),
        ("p", "int p(int x) {\n  __VERIFIER_assert(x != 3);\n}\n", "c", "", True),
        ("p", "int p(int x) {\n  assert(x > 0);\n  return x > 1;\n}\n", "c", "", False),
        ("p", "int p(int x) {\n}\n", "c", "", False),
        ("p", "def p(x:\n    assert x\n", "python", "", False),  # syntax error: not asked
    ],
)  # fmt: skip
def test_always_true_requested(name, text, language, above, asked):
    assert presentation.always_true_requested(name, text, language, above) is asked


def test_requested_for_unit_reads_the_line_above_the_unit():
    source = "x = 1\n# prooflens: always-true\ndef even(n):\n    return n % 2 == 0\n\n" \
             "def odd(n):\n    return n % 2 == 1\n"  # fmt: skip
    units = {u.name: u for u in syntax.parse(source, "python").units}
    assert presentation.requested_for_unit(source, units["even"])
    assert not presentation.requested_for_unit(source.splitlines(), units["odd"])
    first = syntax.parse("def test_x(a):\n    return a == a\n", "python").units[0]
    assert presentation.requested_for_unit("def test_x(a):\n    return a == a\n", first)


# ------------------------------------------------------------- verdicts and counts


def report_of(*results: Result, requested: bool = False) -> FunctionReport:
    return FunctionReport("f", 1, 4, results, always_true_requested=requested)


def test_a_predicate_that_can_return_false_is_not_a_refuted_unit():
    answer = make("refuted", "always-true", True, "can-return-false")
    assert presentation.unit_verdict(report_of(answer)) == Verdict.PROVED
    assert presentation.unit_verdict(report_of(answer, requested=True)) == Verdict.REFUTED
    constant = make("refuted", "always-true", True, "always-false")
    assert presentation.unit_verdict(report_of(constant)) == Verdict.REFUTED
    unknown = make("unknown", "termination", None)
    assert presentation.unit_verdict(report_of(answer, unknown)) == Verdict.UNKNOWN
    bounded = make("bounded", "assertion", None)
    assert presentation.unit_verdict(report_of(bounded, answer)) == Verdict.BOUNDED
    assert presentation.unit_verdict(report_of()) == Verdict.PROVED


def test_alarms_put_errors_first():
    unconfirmed = make("refuted", "assertion", None)
    confirmed = make("refuted", "termination", True)
    answer = make("refuted", "always-true", True, "can-return-false")
    assert presentation.alarms(report_of(unconfirmed, answer, confirmed)) == [confirmed,
                                                                              unconfirmed]


def test_counts_and_exit_alarm():
    answer = make("refuted", "always-true", True, "can-return-false")
    proved = make("proved", "assertion", None)
    quiet = FileReport("a.py", "python", (), (report_of(answer, proved),))
    counted = presentation.counts([quiet])
    assert (counted.files, counted.functions, counted.syntax_errors) == (1, 1, 0)
    assert counted.statuses == {"refuted": 1, "proved": 1}
    assert counted.severities == {Severity.HINT: 1, Severity.INFO: 1}
    assert not presentation.any_alarm([quiet])
    loud = FileReport("b.py", "python", (), (report_of(answer, requested=True),))
    assert presentation.any_alarm([quiet, loud])


# ------------------------------------------------------------------------- wording


def test_messages():
    assert presentation.message(make("refuted", "assertion", True)) == MESSAGES["other"]
    assert presentation.message(make("refuted", "assertion", None)).endswith(
        "(not confirmed by a real run)")
    assert presentation.message(make("refuted", "assertion", False)).startswith(
        "don't know: counterexample not confirmed (")
    unknown = Result("termination", 2, 5, "unknown", "timeout", reason="timeout 2 s")
    assert presentation.message(unknown) == "don't know: timeout 2 s"


def test_status_words():
    assert presentation.status_word(make("refuted", "assertion", True)) == \
        "refuted (confirmed by a real run)"  # fmt: skip
    answer = make("refuted", "always-true", True, "can-return-false")
    assert presentation.status_word(answer) == "can return False"
    assert presentation.status_word(answer, requested=True).startswith("refuted")
    assert presentation.status_word(make("unknown", "assertion", None)) == "don't know"


@pytest.mark.parametrize(
    ("certificate", "phrase"),
    [
        (None, "terminates"),
        ("x - y", "terminates (x - y decreases)"),
        ("n decreases and stays >= 0", "terminates (n decreases and stays >= 0)"),
    ],
)
def test_termination_phrase(certificate, phrase):
    assert presentation.termination_phrase(certificate) == phrase


@pytest.mark.parametrize(("evidence", "expected"), [
    (Evidence(explicit_raise=True), Severity.INFO),  # "can raise ValueError": intended
    (Evidence(extreme=True), Severity.HINT),  # an int of over 4,300 digits: not a defect
    (Evidence(), Severity.ERROR),
])  # fmt: skip
def test_evidence_decides_the_kind_of_an_exception(evidence, expected):
    found = Result("exception", 2, 5, "refuted", "can raise ValueError: f(x=0)",
                   witness={"x": 0}, confirmed=True, evidence=evidence)  # fmt: skip
    assert presentation.severity(found) == expected
    function = FunctionReport("f", 1, 4, (found,))
    text = cli.render([FileReport("m.py", "python", (), (function,))], "text", False, 0.0)
    assert text.splitlines()[0].split(": ")[1] == cli.WORDS[expected]


def test_constant_false_is_read_from_the_evidence_not_the_wording():
    result = make("refuted", "always-true", True, "can-return-false")
    flagged = replace(result, evidence=Evidence(always_false=True))
    assert presentation.returns_constant_false(flagged)
    assert not presentation.returns_constant_false(result)
    worded = replace(make("refuted", "always-true", True, "always-false"), evidence=Evidence())
    assert not presentation.returns_constant_false(worded)


# ------------------------------------------------------------- verdict types and JSON


def test_re_anchoring_moves_every_line_a_result_mentions():
    result = Result("assertion", 4, 5, "unknown", "don't know: x (in g, line 12)",
                    certificate="line 3: x >= 0", reason="check that can fail (line 5, 7)",
                    evidence=Evidence(replay="stopped it at line 5; #line 9 kept"))  # fmt: skip
    moved = result.shifted(10)
    assert (moved.line, moved.message) == (14, "don't know: x (in g, line 22)")
    assert moved.certificate == "line 13: x >= 0"
    assert moved.reason == "check that can fail (line 15, 17)"
    assert moved.evidence.replay == "stopped it at line 15; #line 9 kept"
    loop = LoopEvidence("undefined behaviour", loop_lines=(4, 6), stops_by=StopsBy("x", 5))
    assert Evidence(loop=loop).shifted(2).loop == LoopEvidence(
        "undefined behaviour", loop_lines=(6, 8), stops_by=StopsBy("x", 7))


@pytest.mark.parametrize("evidence", [
    Evidence(),
    Evidence("confirmed", "int main(void) {}", (1, 2), True, assumed=("xs: list[int]",)),
    Evidence("still running", loop=LoopEvidence("state repeats", 2, 1, ("x",), False,
                                                loop_lines=(3, 5))),
    Evidence(loop=LoopEvidence("recurrent set", state=(), region="x > 0", visits=10,
                               loop_lines=(3, 3))),
    Evidence(loop=LoopEvidence("undefined behaviour", stops_by=StopsBy("signed-overflow", 4))),
    Evidence(server="timeout", explicit_raise=True),
])  # fmt: skip
def test_evidence_survives_json(evidence):
    text = json.dumps(evidence.to_json())
    assert Evidence.from_json(json.loads(text)) == evidence


def test_enums_are_the_report_strings():
    assert tuple(Property) == PROPERTIES
    assert json.dumps([Status.PROVED, Property.ALWAYS_TRUE]) == '["proved", "always-true"]'
    assert Status.REFUTED == "refuted"


def test_requested_flag_is_only_in_json_when_set():
    plain = report_of(make("proved", "assertion", None))
    assert "always_true_requested" not in plain.to_json()
    asked = report_of(make("proved", "assertion", None), requested=True)
    assert asked.to_json()["always_true_requested"] is True
    assert FunctionReport.from_json(asked.to_json()).always_true_requested
    assert not FunctionReport.from_json(plain.to_json()).always_true_requested


# ------------------------------------------------ reading the request from the text


SOURCE = ("def even(n):\n    return n % 2 == 0\n\n"
          "# prooflens: always-true\ndef odd(n):\n    return n % 2 == 1\n")  # fmt: skip


def refuted_at(name: str, line: int, end_line: int) -> FunctionReport:
    answer = Result("always-true", line, 5, "refuted", f"{name} can return False: {name}(n=0)",
                    witness={"n": 0}, confirmed=True)  # fmt: skip
    return FunctionReport(name, line, end_line, (answer,))


def test_with_requests_reads_markers_from_the_source():
    report = FileReport("m.py", "python", (), (refuted_at("even", 1, 2), refuted_at("odd", 5, 6)))
    marked = presentation.with_requests(report, SOURCE)
    assert [f.always_true_requested for f in marked.functions] == [False, True]
    assert presentation.any_alarm([marked]) and not presentation.any_alarm([report])


def test_with_request_follows_the_text_both_ways():
    asked = presentation.with_request(refuted_at("odd", 5, 6), SOURCE, "python")
    assert asked.always_true_requested
    unmarked = SOURCE.replace("# prooflens: always-true", "# a comment")
    assert not presentation.with_request(asked, unmarked, "python").always_true_requested


def test_with_request_leaves_reports_it_cannot_change_alone():
    proved = report_of(make("proved", "always-true", None))
    assert presentation.with_request(proved, SOURCE, "python") is proved
    report = FileReport("m.py", "python", (), (proved,))
    assert presentation.with_requests(report, SOURCE) is report
