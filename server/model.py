"""What the LSP features render: one view per function unit of an open document, with its
current (re-anchored) report, and the verdict summary used by lenses and status counts."""

from __future__ import annotations

from dataclasses import dataclass

from prooflens.analysis.verdicts import FunctionReport, Result

# Unit states besides having a report.
PENDING = "pending"  # waiting for a worker or for the debounce delay
IDLE = "idle"  # not verified (manual / on-save mode, or nothing asked yet)
BROKEN = "syntax-error"  # the unit has a syntax error: not verified


@dataclass(frozen=True)
class UnitView:
    """One function of an open document as the editor sees it now."""

    uri: str
    name: str
    line: int
    end_line: int
    name_line: int
    name_column: int
    report: FunctionReport | None
    state: str  # "done", PENDING, IDLE, BROKEN
    mode: str = ""  # "quick", "deep" or "budget": which check produced `report`


def is_failure(result: Result) -> bool:
    """A refutation the editor may show as a failure: not disproved by replay."""
    return result.status == "refuted" and result.confirmed is not False


def is_unknown(result: Result) -> bool:
    """Don't know: unknown, or a counterexample that replay did not confirm."""
    return result.status == "unknown" or (result.status == "refuted" and result.confirmed is False)


def summary(report: FunctionReport) -> str:
    """The unit's overall verdict: refuted > unknown > bounded > proved."""
    results = report.results
    if any(is_failure(r) for r in results):
        return "refuted"
    if any(is_unknown(r) for r in results):
        return "unknown"
    if any(r.status == "bounded" for r in results):
        return "bounded"
    return "proved"
