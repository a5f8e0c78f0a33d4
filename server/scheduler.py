"""Background jobs: a priority queue in front of the worker pool, deduplicated by unit key,
cancelled as soon as no open document wants their key any more (a newer edit of the unit),
and a log of every job started (the `prooflens/jobs` request, for tests and debugging).

The runner is injected (`WorkerPool.run` in the server, a fake in unit tests)."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from prooflens.server.workers import JobRequest, Outcome

log = logging.getLogger(__name__)
QUICK, DEEP, BUDGET = "quick", "deep", "budget"
PRIORITY = {QUICK: 0, BUDGET: 1, DEEP: 2}
MAX_LOG = 10_000

Owner = tuple[str, str]  # (document uri, function name)
Runner = Callable[[JobRequest, float], Awaitable[Outcome]]


def budget_for(timeout_s: float) -> float:
    """Wall-clock allowance of a job before its worker is killed: timeout * 1.5 + 1 s."""
    return timeout_s * 1.5 + 1.0


@dataclass(eq=False)
class Job:
    """One verification of one unit key. `anchor_line`: the unit's first line in
    `request.text` (results are re-anchored from it)."""

    key: str
    request: JobRequest
    mode: str
    anchor_line: int
    name_line: int = 0
    name_column: int = 1
    end_line: int = 0
    owners: set[Owner] = field(default_factory=set)
    seq: int = 0
    boost: int = 0  # larger goes first among jobs of one priority (`Scheduler.next_boost`)
    # Builds the request's text when the job starts (the text a unit is checked in is as
    # long as its file: building it for every unit of a file at once would be quadratic).
    text: Callable[[], str] | None = None
    task: asyncio.Task[None] | None = None
    entry: dict[str, Any] = field(default_factory=dict)

    @property
    def order(self) -> tuple[int, int, int]:
        """Quick before budget before deep; then the latest boost (the newest document,
        the function under the cursor); then the order of submission."""
        return PRIORITY.get(self.mode, 9), -self.boost, self.seq


class Scheduler:
    """Runs at most `concurrency` jobs at once, highest priority (quick) first."""

    def __init__(
        self,
        runner: Runner,
        concurrency: int,
        on_done: Callable[[Job, Outcome], None],
        on_state: Callable[[], None] = lambda: None,
    ) -> None:
        self.runner = runner
        self.concurrency = max(1, concurrency)
        self.on_done = on_done
        self.on_state = on_state
        self.pending: dict[str, Job] = {}
        self.running: dict[str, Job] = {}
        self.log: list[dict[str, Any]] = []
        self._seq = itertools.count(1)
        self._boosts = itertools.count(1)

    # ------------------------------------------------------------------ queries

    def active(self, key: str) -> bool:
        return key in self.pending or key in self.running

    def jobs(self) -> list[Job]:
        return [*self.running.values(), *self.pending.values()]

    def busy_owners(self, uri: str) -> set[str]:
        """Names of the functions of `uri` with a queued or running job."""
        return {name for job in self.jobs() for (u, name) in job.owners if u == uri}

    # ------------------------------------------------------------------ changes

    def next_boost(self) -> int:
        """A boost larger than every one handed out so far."""
        return next(self._boosts)

    def submit(
        self, job: Job, owner: Owner, force: bool = False, boost: int = 0, notify: bool = True
    ) -> Job:
        """Queue `job` for `owner`, or join the queued/running job with the same key.
        `force` restarts a job of that key that is already running; `boost` (see
        `next_boost`) orders it before queued jobs of its priority with a smaller one.
        `notify=False`: the caller reports the new state itself (once for many jobs)."""
        existing = self.pending.get(job.key) or self.running.get(job.key)
        if existing is not None and not (force and job.key in self.running):
            existing.owners.add(owner)
            existing.boost = max(existing.boost, boost)
            if PRIORITY.get(job.mode, 9) < PRIORITY.get(existing.mode, 9):
                existing.mode = job.mode
                self._pump()  # a queued job that became quick may preempt a deep one
            return existing
        if existing is not None:
            job.owners |= existing.owners
            self._cancel(existing)
        job.owners.add(owner)
        job.boost = max(job.boost, boost)
        job.seq = next(self._seq)
        self.pending[job.key] = job
        self._pump()
        if notify:
            self.on_state()
        return job

    def promote(self, owners: set[Owner]) -> None:
        """The queued jobs of `owners` go first among the jobs of their priority."""
        boost = self.next_boost()
        for job in self.pending.values():
            if job.owners & owners:
                job.boost = boost

    def retain(self, uri: str, wanted: set[tuple[str, str]]) -> None:
        """Drop `uri`'s interest in every job whose (name, key) is not in `wanted`;
        jobs nobody wants any more are cancelled (a running one kills its worker)."""
        changed = False
        for job in self.jobs():
            stale = {o for o in job.owners if o[0] == uri and (o[1], job.key) not in wanted}
            if stale:
                job.owners -= stale
                changed = True
                if not job.owners:
                    self._cancel(job)
        if changed:
            self._pump()
            self.on_state()

    def cancel_all(self) -> None:
        for job in self.jobs():
            self._cancel(job)

    def _cancel(self, job: Job) -> None:
        if self.pending.get(job.key) is job:
            del self.pending[job.key]
        if self.running.get(job.key) is job:
            del self.running[job.key]
            job.entry["outcome"] = "cancelled"
            if job.task is not None:
                job.task.cancel()

    # ------------------------------------------------------------------ running

    def _preempt(self) -> None:
        """Quick checks are what the user waits for while typing: when one is queued and
        every worker is busy, a running deep job goes back to the queue (its worker is
        killed) and resumes when no quick work is left."""
        quick_waiting = sum(1 for j in self.pending.values() if j.mode == QUICK)
        if not quick_waiting or len(self.running) < self.concurrency:
            return
        deep = sorted((j for j in self.running.values() if j.mode == DEEP), key=lambda j: j.order)
        for job in reversed(deep[-quick_waiting:]):
            del self.running[job.key]
            job.entry["outcome"] = "preempted"
            if job.task is not None:
                job.task.cancel()
            self.pending[job.key] = job

    def _pump(self) -> None:
        """Start queued jobs while there is capacity."""
        self._preempt()
        while self.pending and len(self.running) < self.concurrency:
            job = min(self.pending.values(), key=lambda j: j.order)
            del self.pending[job.key]
            self.running[job.key] = job
            if job.text is not None:
                job.request = replace(job.request, text=job.text())
                job.text = None
            uri, name = min(job.owners)
            settings = job.request.settings
            job.entry = {"uri": uri, "function": name, "key": job.key, "mode": job.mode,
                         "seq": job.seq, "outcome": "running", "unwind": settings.unwind,
                         "timeout_s": settings.timeout_s}  # fmt: skip
            self.log.append(job.entry)
            del self.log[:-MAX_LOG]
            job.task = asyncio.ensure_future(self._run(job))

    async def _run(self, job: Job) -> None:
        budget = budget_for(job.request.settings.timeout_s)
        try:
            outcome = await self.runner(job.request, budget)
        except asyncio.CancelledError:
            return
        except Exception as error:  # a runner bug must not stop the queue
            log.exception("job %s failed", job.key)
            outcome = Outcome("crashed", detail=f"internal error: {error}")
        if self.running.get(job.key) is not job:
            return  # cancelled while finishing
        del self.running[job.key]
        job.entry["outcome"] = outcome.kind
        job.entry["pid"] = outcome.pid
        job.entry["elapsed_ms"] = round(outcome.elapsed_s * 1000, 1)
        try:
            self.on_done(job, outcome)
        except Exception:
            log.exception("handling the result of job %s failed", job.key)
        self._pump()
        self.on_state()
