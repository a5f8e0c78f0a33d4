"""Real worker processes: a job runs, an overrun or a cancellation kills and replaces the
worker, a killed worker is a crash (not a hang), memory is capped, stop leaves no orphan."""

import asyncio
import os
import signal

import pytest

from prooflens.analysis.settings import Settings
from prooflens.server.workers import JobRequest, WorkerPool

SOURCE = "def average(total, count):\n    return total // count\n"
REQUEST = JobRequest(SOURCE, "python", "average", Settings.quick(), "/tmp/m.py")


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as handle:  # a zombie is not alive
        return handle.read().split()[2] != "Z"


@pytest.fixture
async def pool():
    workers = WorkerPool(1, 1024)
    workers.start()
    yield workers
    workers.stop()


async def test_job_runs_and_reports(pool):
    outcome = await pool.run(REQUEST, 60)
    assert outcome.kind == "ok" and outcome.pid == pool.pids()[0]
    (result,) = outcome.report.results
    assert (result.property, result.status, result.line) == ("division-by-zero", "refuted", 2)


async def test_overrun_kills_and_replaces_the_worker(pool):
    (first,) = pool.pids()
    outcome = await pool.run(REQUEST, 0.0001)
    assert outcome.kind == "timeout" and not alive(first)
    (second,) = pool.pids()
    assert second != first and (await pool.run(REQUEST, 60)).kind == "ok"


async def test_killed_worker_is_a_crash_and_the_pool_recovers(pool):
    (pid,) = pool.pids()
    task = asyncio.ensure_future(pool.run(REQUEST, 60))
    await asyncio.sleep(0)
    os.kill(pid, signal.SIGKILL)
    outcome = await task
    assert outcome.kind == "crashed" and "exit code" in outcome.detail
    assert (await pool.run(REQUEST, 60)).kind == "ok"


async def test_cancel_kills_the_running_worker(pool):
    (pid,) = pool.pids()
    task = asyncio.ensure_future(pool.run(REQUEST, 60))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not alive(pid) and pool.pids()[0] != pid
    assert (await pool.run(REQUEST, 60)).kind == "ok"


async def test_memory_is_capped(pool):
    (pid,) = pool.pids()
    await pool.run(REQUEST, 60)  # the worker has set its limit once it answered
    with open(f"/proc/{pid}/limits") as handle:
        line = next(row for row in handle if row.startswith("Max address space"))
    assert line.split()[3] == str(1024 * 1024 * 1024)


async def test_stop_leaves_no_worker_behind(pool):
    pids = pool.pids()
    pool.stop()
    await asyncio.sleep(0.05)
    assert pids and not any(alive(pid) for pid in pids)


async def test_start_soon_does_not_wait_for_the_workers_and_run_waits_for_one():
    workers = WorkerPool(2, 1024)
    try:
        starting = workers.start_soon()
        assert not starting.done()  # the processes start on a thread
        outcome = await workers.run(REQUEST, 60)
        assert outcome.kind == "ok" and outcome.pid in workers.pids()
        await starting
        assert len(workers.pids()) == 2
    finally:
        workers.stop()


async def test_stop_while_starting_leaves_no_worker_behind():
    workers = WorkerPool(1, 1024)
    starting = workers.start_soon()
    await asyncio.sleep(0)
    (worker,) = workers._workers  # its process is starting on the thread
    workers.stop()
    await starting
    assert worker.retired and worker.process is None and not workers.pids()


def test_the_forkserver_warm_up_asks_z3_nothing_and_starts_no_thread():
    """A process forked from a parent with z3's timer threads would wait on a thread it
    does not have: the preloaded warm-up must leave the forkserver single-threaded."""
    import subprocess
    import sys

    code = ("import os, sys\nimport prooflens.server.warm as w\n"
            "print(w.WARMED, len(os.listdir('/proc/self/task')), 'z3' in sys.modules)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    assert done.stdout.split() == ["True", "1", "True"]


def test_a_worker_warms_up_with_a_first_solver_query():
    from prooflens.server import warm

    assert warm.warm_worker()
