"""How results read: the one severity policy, summary counts and wording shared by the CLI
text, SARIF and the language server. Each front end only maps `Severity` to its own words.

Pure functions of verdicts (plus, for `always_true_requested`, the unit's text).
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from prooflens.analysis.verdicts import FileReport, FunctionReport, Property, Result, Status


class Severity(StrEnum):
    """How much a result asks for the programmer's attention (most first)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    HINT = "hint"


class Kind(StrEnum):
    """What a result means to the reader; severity and listing follow from it alone."""

    DEFECT = "defect"  # refuted and confirmed by a real run
    UNCONFIRMED = "unconfirmed"  # refuted, not replayed (replay off or no C compiler)
    CONSTANT_FALSE = "constant-false"  # a truth-valued function that never returns True
    CAN_RETURN_FALSE = "can-return-false"  # a predicate returning False: a fact, not a defect
    CAN_RAISE = "can-raise"  # Python: an explicit `raise` is reached -- intended behaviour
    EXTREME_VALUE = "extreme-value"  # fails only at inputs no real program meets
    PROVED = "proved"
    BOUNDED = "bounded"
    TESTED = "tested"
    UNKNOWN = "unknown"  # don't know, or a counterexample that replay did not reproduce


SEVERITY: dict[Kind, Severity] = {
    Kind.DEFECT: Severity.ERROR,
    Kind.UNCONFIRMED: Severity.WARNING,
    Kind.CONSTANT_FALSE: Severity.WARNING,
    Kind.CAN_RETURN_FALSE: Severity.HINT,
    Kind.CAN_RAISE: Severity.INFO,
    Kind.EXTREME_VALUE: Severity.HINT,
    Kind.PROVED: Severity.INFO,
    Kind.BOUNDED: Severity.HINT,
    Kind.TESTED: Severity.HINT,
    Kind.UNKNOWN: Severity.HINT,
}
# Not in problem lists (LSP diagnostics, SARIF results): the lens and hover say these.
UNLISTED = frozenset({Kind.PROVED, Kind.CAN_RETURN_FALSE})
SYNTAX_ERROR = Severity.ERROR  # a syntax error in the file
FILE_ERROR = Severity.WARNING  # a file that could not be read or analysed
NOT_CONFIRMED = " (not confirmed by a real run)"


# ------------------------------------------------------------------- result kinds


def is_failure(result: Result) -> bool:
    """A refutation with evidence standing: not disproved by replay."""
    return result.status == Status.REFUTED and result.confirmed is not False


def is_unknown(result: Result) -> bool:
    """Don't know: unknown, or a counterexample that replay did not confirm."""
    return result.status == Status.UNKNOWN or (
        result.status == Status.REFUTED and result.confirmed is False
    )


def returns_constant_false(result: Result) -> bool:
    """A refuted always-true whose function returns False on every input (the safety
    stage says so in the result's evidence)."""
    return result.evidence.always_false


def kind(result: Result, requested: bool = False) -> Kind:
    """The kind of a result; `requested`: the function was asked to be always true."""
    if result.status == Status.PROVED:
        return Kind.PROVED
    if result.status == Status.BOUNDED:
        return Kind.BOUNDED
    if result.status == Status.TESTED:
        return Kind.TESTED
    if not is_failure(result):
        return Kind.UNKNOWN  # unknown, disproved, or a status this version does not know
    if result.property == Property.ALWAYS_TRUE and not requested:
        return Kind.CONSTANT_FALSE if returns_constant_false(result) else Kind.CAN_RETURN_FALSE
    if result.evidence.explicit_raise:
        return Kind.CAN_RAISE  # an explicit `raise` (frontends/python_raise.py)
    if result.evidence.extreme:
        return Kind.EXTREME_VALUE
    return Kind.DEFECT if result.confirmed else Kind.UNCONFIRMED


def severity(result: Result, requested: bool = False) -> Severity:
    """The one severity of a result, for every front end."""
    return SEVERITY[kind(result, requested)]


def is_listed(result: Result, requested: bool = False) -> bool:
    """Whether a result belongs in problem lists (diagnostics, SARIF results)."""
    return kind(result, requested) not in UNLISTED


def is_alarm(result: Result, requested: bool = False) -> bool:
    """Error or warning: what makes `prooflens check` exit 1 and a lens read ✗/⚠."""
    return severity(result, requested) in (Severity.ERROR, Severity.WARNING)


def alarms(report: FunctionReport) -> list[Result]:
    """The unit's errors and warnings, errors first (stable within a severity)."""
    found = [r for r in report.results if is_alarm(r, report.always_true_requested)]
    return sorted(found, key=lambda r: severity(r, report.always_true_requested) != "error")


# ------------------------------------------------------------------------ verdicts


class Verdict(StrEnum):
    """A unit's overall answer (lens, status bar): refuted > unknown > bounded > proved."""

    REFUTED = "refuted"
    UNKNOWN = "unknown"
    BOUNDED = "bounded"
    PROVED = "proved"


def unit_verdict(report: FunctionReport) -> Verdict:
    """`refuted` only for errors and warnings: a predicate that can return False is not."""
    kinds = {kind(r, report.always_true_requested) for r in report.results}
    if any(SEVERITY[k] in (Severity.ERROR, Severity.WARNING) for k in kinds):
        return Verdict.REFUTED
    if Kind.UNKNOWN in kinds:
        return Verdict.UNKNOWN
    if kinds & {Kind.BOUNDED, Kind.TESTED}:
        return Verdict.BOUNDED
    return Verdict.PROVED


@dataclass(frozen=True)
class Counts:
    """Summary counts: results by status and by severity, functions, syntax errors."""

    files: int
    functions: int
    syntax_errors: int
    statuses: dict[str, int]
    severities: dict[Severity, int]


def counts(reports: Sequence[FileReport]) -> Counts:
    """What the CLI's summary line says."""
    statuses: Counter[str] = Counter()
    severities: Counter[Severity] = Counter()
    for report in reports:
        for function in report.functions:
            for result in function.results:
                statuses[result.status] += 1
                severities[severity(result, function.always_true_requested)] += 1
    return Counts(len(reports), sum(len(r.functions) for r in reports),
                  sum(len(r.syntax_errors) for r in reports),
                  dict(statuses), dict(severities))  # fmt: skip


def any_alarm(reports: Iterable[FileReport]) -> bool:
    """Some result is an error or a warning."""
    return any(is_alarm(r, fn.always_true_requested)
               for f in reports for fn in f.functions for r in fn.results)  # fmt: skip


# ------------------------------------------------------------------------- wording


def message(result: Result) -> str:
    """A result's one-line text: don't-know says why; an unreplayed refutation says so."""
    if result.status == Status.REFUTED and result.confirmed is False:
        return f"don't know: counterexample not confirmed ({result.message})"
    if result.status == Status.UNKNOWN and not result.message.startswith("don't know"):
        return f"don't know: {result.reason or result.message}"
    if result.status == Status.REFUTED and result.confirmed is None:
        return result.message + NOT_CONFIRMED
    return result.message


STATUS_WORDS: dict[Kind, str] = {
    Kind.DEFECT: "refuted (confirmed by a real run)",
    Kind.UNCONFIRMED: "refuted (not confirmed by a real run)",
    Kind.CONSTANT_FALSE: "always returns False",
    Kind.CAN_RETURN_FALSE: "can return False",
    Kind.PROVED: "proved",
    Kind.BOUNDED: "bounded",
    Kind.TESTED: "tested",
    Kind.UNKNOWN: "don't know",
}


def status_word(result: Result, requested: bool = False) -> str:
    """The verdict word of a hover: `refuted (confirmed by a real run)`, `don't know`, ..."""
    return STATUS_WORDS[kind(result, requested)]


def termination_phrase(certificate: str | None) -> str:
    """`terminates (x - y decreases)` from a ranking certificate (`x - y` or a sentence)."""
    if not certificate:
        return "terminates"
    if "decreas" in certificate:
        return f"terminates ({certificate})"
    return f"terminates ({certificate} decreases)"


# ----------------------------------------------------- asked for always-true?

REQUEST_PREFIXES = ("test_", "prop_", "check_")
MARKER = re.compile(r"(#|//|/\*)\s*prooflens:\s*always-true\b")
_C_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
_C_ASSERT = re.compile(r"(assert|__VERIFIER_assert)\s*\(")


class UnitLike(Protocol):
    """What `requested_for_unit` reads of a `syntax.Unit`."""

    name: str
    language: str
    line: int
    name_line: int
    text: str


def always_true_requested(name: str, unit_text: str, language: str, line_above: str = "") -> bool:
    """The programmer asked for always-true: a `test_`/`prop_`/`check_` name, a body that
    ends in an assert, or `# prooflens: always-true` (C: `//` or `/* */`) on the line
    above the function or on its header lines (decorators, the `def` line)."""
    if name.startswith(REQUEST_PREFIXES):
        return True
    if MARKER.search(line_above) or MARKER.search(_header(unit_text, name)):
        return True
    return _ends_in_assert(unit_text, language)


def requested_for_unit(source: str | Sequence[str], unit: UnitLike) -> bool:
    """`always_true_requested` for a parsed unit of `source` (text or its lines)."""
    lines = source.splitlines() if isinstance(source, str) else source
    above = lines[unit.line - 2] if 2 <= unit.line <= len(lines) + 1 else ""
    return always_true_requested(unit.name, unit.text, unit.language, above)


def needs_request(report: FunctionReport) -> bool:
    """Only a refuted always-true reads differently when it was asked for."""
    return any(r.property == Property.ALWAYS_TRUE and r.status == Status.REFUTED
               for r in report.results)  # fmt: skip


def with_request(report: FunctionReport, source: str | Sequence[str], language: str
                 ) -> FunctionReport:  # fmt: skip
    """The report with `always_true_requested` read from the current source text (the
    function's lines `line..end_line`), so a marker added above a cached function counts."""
    if not needs_request(report):
        return report
    lines = source.splitlines() if isinstance(source, str) else source
    text = "\n".join(lines[max(report.line - 1, 0):report.end_line])
    above = lines[report.line - 2] if 2 <= report.line <= len(lines) + 1 else ""
    asked = always_true_requested(report.name, text, language, above)
    return report if asked == report.always_true_requested else replace(
        report, always_true_requested=asked)  # fmt: skip


def with_requests(report: FileReport, source: str) -> FileReport:
    """`with_request` for every function of a file report."""
    if not any(needs_request(f) for f in report.functions):
        return report
    lines = source.splitlines()
    functions = tuple(with_request(f, lines, report.language) for f in report.functions)
    return replace(report, functions=functions)


def _header(unit_text: str, name: str) -> str:
    """The unit's lines up to and including the one that names the function."""
    header = []
    for line in unit_text.splitlines():
        header.append(line)
        if re.search(rf"\b{re.escape(name)}\s*\(", line):
            break
    return "\n".join(header)


def _ends_in_assert(unit_text: str, language: str) -> bool:
    if language == "python":
        return _python_ends_in_assert(unit_text)
    body = _C_COMMENTS.sub(" ", unit_text).rstrip()
    if not body.endswith("}"):
        return False
    statements = [s.strip() for s in body[:-1].split(";") if s.strip()]
    last = statements[-1].rsplit("{", 1)[-1].rsplit("}", 1)[-1].strip() if statements else ""
    return bool(_C_ASSERT.match(last))


def _python_ends_in_assert(unit_text: str) -> bool:
    try:
        tree = ast.parse(unit_text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    return bool(functions) and isinstance(functions[0].body[-1], ast.Assert)
