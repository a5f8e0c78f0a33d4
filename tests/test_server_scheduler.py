"""Job queue: dedupe by key, priority, cancellation, runner failures, the job log."""

import asyncio

from prooflens.analysis.settings import Settings
from prooflens.server.scheduler import DEEP, QUICK, Job, Scheduler, budget_for
from prooflens.server.workers import JobRequest, Outcome


def job(key, mode=QUICK, name="f", timeout=2.0):
    request = JobRequest("def f(): pass\n", "python", name, Settings(timeout_s=timeout))
    return Job(key=key, request=request, mode=mode, anchor_line=1)


class Gate:
    """A runner whose jobs finish when released, recording the order they started."""

    def __init__(self, fail=False):
        self.started = []
        self.budgets = []
        self.release = asyncio.Event()
        self.fail = fail

    async def __call__(self, request, budget):
        self.started.append(request.name)
        self.budgets.append(budget)
        await self.release.wait()
        if self.fail:
            raise RuntimeError("boom")
        return Outcome("ok", report=request.name)


async def drain(scheduler):
    for _ in range(100):
        await asyncio.sleep(0.001)
        if not scheduler.jobs():
            return


def test_budget_is_timeout_times_one_and_a_half_plus_one():
    assert budget_for(2.0) == 4.0 and budget_for(10) == 16.0


async def test_same_key_runs_once_for_two_owners_and_quick_goes_first():
    gate = Gate()
    done = []
    scheduler = Scheduler(gate, 1, lambda j, o: done.append((j.key, sorted(j.owners))))
    scheduler.submit(job("k0", QUICK, "first"), ("u", "first"))
    scheduler.submit(job("k1", DEEP, "deep"), ("u", "f"))
    scheduler.submit(job("k1", DEEP, "deep"), ("v", "f"))
    scheduler.submit(job("k2", QUICK, "quick"), ("u", "g"))
    gate.release.set()
    await drain(scheduler)
    assert gate.started == ["first", "quick", "deep"]
    assert ("k1", [("u", "f"), ("v", "f")]) in done
    assert [e["outcome"] for e in scheduler.log] == ["ok", "ok", "ok"]
    assert gate.budgets[0] == budget_for(2.0)


async def test_retain_cancels_only_unwanted_jobs():
    gate = Gate()
    done = []
    scheduler = Scheduler(gate, 1, lambda j, o: done.append(j.key))
    scheduler.submit(job("old", name="f"), ("u", "f"))
    scheduler.submit(job("other", name="g"), ("u", "g"))
    await asyncio.sleep(0.001)
    scheduler.retain("u", {("g", "other")})
    assert scheduler.log[0]["outcome"] == "cancelled"
    gate.release.set()
    await drain(scheduler)
    assert done == ["other"]


async def test_shared_job_survives_while_another_document_wants_it():
    gate = Gate()
    scheduler = Scheduler(gate, 1, lambda j, o: None)
    scheduler.submit(job("k"), ("u", "f"))
    scheduler.submit(job("k"), ("v", "f"))
    scheduler.retain("u", set())
    assert scheduler.active("k") and scheduler.busy_owners("v") == {"f"}
    gate.release.set()
    await drain(scheduler)


async def test_runner_exception_becomes_crashed_outcome_and_queue_goes_on():
    gate = Gate(fail=True)
    outcomes = []
    scheduler = Scheduler(gate, 1, lambda j, o: outcomes.append(o.kind))
    scheduler.submit(job("a", name="a"), ("u", "a"))
    scheduler.submit(job("b", name="b"), ("u", "b"))
    gate.release.set()
    await drain(scheduler)
    assert outcomes == ["crashed", "crashed"] and gate.started == ["a", "b"]


async def test_force_restarts_a_running_job():
    gate = Gate()
    scheduler = Scheduler(gate, 1, lambda j, o: None)
    scheduler.submit(job("k"), ("u", "f"))
    await asyncio.sleep(0.001)
    scheduler.submit(job("k"), ("u", "f"), force=True)
    gate.release.set()
    await drain(scheduler)
    assert [e["outcome"] for e in scheduler.log] == ["cancelled", "ok"]


async def test_concurrency_limit():
    gate = Gate()
    scheduler = Scheduler(gate, 2, lambda j, o: None)
    for name in "abcd":
        scheduler.submit(job(name, name=name), ("u", name))
    await asyncio.sleep(0.001)
    assert len(scheduler.running) == 2 and len(scheduler.pending) == 2
    gate.release.set()
    await drain(scheduler)
    assert sorted(gate.started) == list("abcd")


async def test_quick_job_preempts_a_running_deep_job_which_resumes_later():
    gate = Gate()
    done = []
    scheduler = Scheduler(gate, 1, lambda j, o: done.append(j.key))
    scheduler.submit(job("deep", DEEP, "d"), ("u", "d"))
    await asyncio.sleep(0.001)
    scheduler.submit(job("quick", QUICK, "q"), ("u", "q"))
    await asyncio.sleep(0.001)
    assert list(scheduler.running) == ["quick"] and list(scheduler.pending) == ["deep"]
    gate.release.set()
    await drain(scheduler)
    assert done == ["quick", "deep"] and gate.started == ["d", "q", "d"]
    assert [e["outcome"] for e in scheduler.log] == ["preempted", "ok", "ok"]


async def test_a_larger_boost_goes_first_within_a_priority_but_never_before_quick():
    gate = Gate()
    scheduler = Scheduler(gate, 1, lambda j, o: None)
    scheduler.submit(job("running", QUICK, "running"), ("old", "running"))  # takes the worker
    scheduler.submit(job("old-quick", QUICK, "old_quick"), ("old", "q"))
    scheduler.submit(job("old-deep", DEEP, "old_deep"), ("old", "d"))
    boost = scheduler.next_boost()
    scheduler.submit(job("new-deep", DEEP, "new_deep"), ("new", "d"), boost=boost)
    scheduler.submit(job("new-quick", QUICK, "new_quick"), ("new", "q"), boost=boost)
    gate.release.set()
    await drain(scheduler)
    assert gate.started == ["running", "new_quick", "old_quick", "new_deep", "old_deep"]


async def test_promote_moves_the_queued_jobs_of_an_owner_first():
    gate = Gate()
    scheduler = Scheduler(gate, 1, lambda j, o: None)
    for name in ("a", "b", "c", "d"):
        scheduler.submit(job(f"k{name}", QUICK, name), ("u", name))
        scheduler.submit(job(f"deep-{name}", DEEP, f"deep_{name}"), ("u", name))
    scheduler.promote({("u", "c")})
    gate.release.set()
    await drain(scheduler)
    assert gate.started == ["a", "c", "b", "d", "deep_c", "deep_a", "deep_b", "deep_d"]


async def test_a_joined_job_keeps_the_larger_boost():
    gate = Gate()
    scheduler = Scheduler(gate, 1, lambda j, o: None)
    scheduler.submit(job("busy"), ("u", "busy"))
    scheduler.submit(job("k1", QUICK, "one"), ("u", "one"))
    shared = scheduler.submit(job("k2", QUICK, "two"), ("u", "two"))
    scheduler.submit(job("k2", QUICK, "two"), ("v", "two"), boost=scheduler.next_boost())
    assert shared.boost > 0
    gate.release.set()
    await drain(scheduler)
    assert gate.started == ["f", "two", "one"]
