"""What the LSP features render: one view per function unit of an open document, with its
current (re-anchored) report, and the verdict summary used by lenses and status counts."""

from __future__ import annotations

from dataclasses import dataclass

from prooflens.analysis import presentation
from prooflens.analysis.presentation import is_failure, is_unknown
from prooflens.analysis.verdicts import FunctionReport

__all__ = ["BROKEN", "IDLE", "PENDING", "UnitView", "is_failure", "is_unknown", "summary"]

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


def summary(report: FunctionReport) -> str:
    """The unit's overall verdict (refuted > unknown > bounded > proved), as the
    presentation policy decides it: a predicate that can return False is not refuted."""
    return str(presentation.unit_verdict(report))
