"""Turning tool results into per-property verdicts and scoring them against the labels."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

# A tool's answer for one property of one function.
PROVED, REFUTED, BOUNDED, UNKNOWN, MISSING = "proved", "refuted", "bounded", "unknown", "missing"
# The score of an answer against the truth.
CORRECT, WRONG, DONT_KNOW = "correct", "wrong", "dont-know"


def hard_limit(budget_s: float) -> float:
    """Wall-clock seconds after which any tool's run on one function is killed (and counts
    as don't know): the same rule for prooflens and every peer."""
    return 2 * budget_s + 5


def aggregate(statuses: Iterable[str]) -> str:
    """One verdict for a property from the verdicts at its sites (all asserts, all loops,
    inlined callees included): refuted if any site is refuted, proved if all are proved,
    otherwise the weakest of bounded/unknown; missing when the tool said nothing."""
    found = list(statuses)
    if not found:
        return MISSING
    if REFUTED in found:
        return REFUTED
    if all(s == PROVED for s in found):
        return PROVED
    return UNKNOWN if UNKNOWN in found else BOUNDED


def score(truth: str, answer: str) -> str:
    """correct / wrong / dont-know. For `open` truths only a non-answer is right."""
    if truth == "open":
        return WRONG if answer in (PROVED, REFUTED) else CORRECT
    if answer in (PROVED, REFUTED):
        return CORRECT if answer == truth else WRONG
    return DONT_KNOW


@dataclass(frozen=True)
class Stats:
    """Median, 90th percentile and maximum of a list of times (ms)."""

    count: int
    median: float
    p90: float
    max: float

    def to_json(self) -> dict[str, float]:
        return {"count": self.count, "median_ms": round(self.median, 1),
                "p90_ms": round(self.p90, 1), "max_ms": round(self.max, 1)}  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def stats(values: list[float]) -> Stats | None:
    if not values:
        return None
    return Stats(len(values), percentile(values, 50), percentile(values, 90), max(values))
