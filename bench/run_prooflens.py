"""prooflens on the corpus, one function at a time, in a worker process with phase timers.

The bench process hands each function to a one-process pool (as the language server hands
units to its workers); the time between submitting and receiving, minus the worker's own
time, is the process hand-off cost.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from bench import phases
from bench.corpus import Case
from bench.scoring import UNKNOWN, aggregate, hard_limit


@dataclass(frozen=True)
class Mode:
    """A prooflens configuration under test."""

    name: str  # "quick" | "deep"
    unwind: int
    timeout_s: float
    deep: bool

    def settings(self):
        from prooflens.analysis.settings import Settings

        return Settings(unwind=self.unwind, timeout_s=self.timeout_s, deep=self.deep)


def _worker_init() -> None:
    phases.install()


def _worker_check(text: str, language: str, name: str, mode: Mode, path: str) -> dict[str, Any]:
    from prooflens.analysis import check

    phases.CLOCK.reset()
    phases.CLOCK.enter("other")
    began = time.perf_counter()
    report = check.check_function(text, language, name, mode.settings(), path)
    wall = (time.perf_counter() - began) * 1000
    phases.CLOCK.leave()
    return {"report": report.to_json(), "worker_ms": wall, "phases": phases.CLOCK.milliseconds()}


class Runner:
    """A one-worker pool that is replaced when a job overruns its hard limit."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def _ensure(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, initializer=_worker_init)
            self._pool.submit(int).result()  # start it now, not inside the first measurement
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            for pid in list(getattr(self._pool, "_processes", {}) or {}):
                _kill(pid)
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def run(self, case: Case, mode: Mode) -> dict[str, Any]:
        pool = self._ensure()
        limit = hard_limit(mode.timeout_s)
        began = time.perf_counter()
        future = pool.submit(_worker_check, case.text, case.language, case.name, mode, case.path)
        try:
            out = future.result(timeout=limit)
        except FutureTimeout:
            self.close()
            return _failed(case, f"no answer within the hard limit of {limit:.0f} s", limit)
        except Exception as error:  # a crashed worker: record it, go on with a fresh one
            self.close()
            return _failed(case, f"worker failed: {type(error).__name__}: {error}",
                           (time.perf_counter() - began) * 1000)  # fmt: skip
        total = (time.perf_counter() - began) * 1000
        out["phases"]["handoff"] = round(max(0.0, total - out["worker_ms"]), 3)
        out["time_ms"] = total
        out["verdicts"] = verdicts_of(out["report"], case)
        return out


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def _failed(case: Case, reason: str, elapsed_ms: float) -> dict[str, Any]:
    return {"report": None, "error": reason, "time_ms": elapsed_ms, "phases": {},
            "verdicts": dict.fromkeys(case.expected, UNKNOWN)}  # fmt: skip


def verdicts_of(report: dict[str, Any], case: Case) -> dict[str, str]:
    """Per labelled property, the aggregate of the function's results (see scoring)."""
    results = report.get("results", [])
    out = {}
    for prop in case.expected:
        out[prop] = aggregate(r["status"] for r in results if r["property"] == prop)
    return out


def unlabelled(report: dict[str, Any] | None, case: Case) -> list[str]:
    """Properties the tool reported that the label does not mention (to audit labels)."""
    if not report:
        return []
    seen = {r["property"] for r in report.get("results", [])}
    return sorted(seen - set(case.expected) - {"unsupported"})
