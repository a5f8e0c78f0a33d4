"""Worker processes that run `check_function`, one job at a time each.

The solver cannot be interrupted politely, so cancelling a job or overrunning its budget
kills the worker process and starts a fresh one. Workers come from a `forkserver` (a
clean single-threaded parent with the analysis modules preloaded), so a respawn is a
cheap fork and never inherits the LSP server's threads. Each worker caps its address
space (`RLIMIT_AS`) and dies with the server (parent-death signal + a pid watchdog).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from prooflens.analysis.settings import Settings

if TYPE_CHECKING:
    from prooflens.analysis.verdicts import FunctionReport

log = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1
_M_ARENA_MAX = -8  # mallopt parameter (glibc)
_WATCHDOG_STACK = 256 * 1024
# The forkserver imports these before forking any worker; `warm` warms the pipeline up.
_PRELOAD = ["prooflens.analysis.check", "prooflens.server.warm"]


@dataclass(frozen=True)
class JobRequest:
    """Everything a worker needs (picklable)."""

    text: str
    language: str
    name: str
    settings: Settings
    path: str = "<memory>"


@dataclass(frozen=True)
class Outcome:
    """How a job ended. `kind`: ok | timeout | crashed | error | memory."""

    kind: str
    report: Any = None  # FunctionReport when kind == "ok"
    detail: str = ""
    pid: int | None = None
    elapsed_s: float = 0.0


# ------------------------------------------------------------------ worker side


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent (the forkserver) dies."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _lean_threads() -> None:
    """Keep the watchdog thread from costing address space under `RLIMIT_AS`: glibc
    reserves a 64 MB malloc arena per thread and Python an 8 MB stack, which would
    otherwise leave the solver ~70 MB less than `memoryMb`."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 1)
    with contextlib.suppress(ValueError, RuntimeError):
        threading.stack_size(_WATCHDOG_STACK)


def _watch_server(server_pid: int) -> None:
    """Exit when the LSP server process is gone (covers a server killed with -9)."""
    while True:
        time.sleep(1.0)
        try:
            os.kill(server_pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            continue


def _limit_memory(memory_mb: int) -> None:
    if memory_mb <= 0:
        return
    limit = memory_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def worker_main(conn: Connection, memory_mb: int, server_pid: int) -> None:
    """Loop: receive a JobRequest, send back (job id, kind, report or detail)."""
    _die_with_parent()
    sys.set_int_max_str_digits(0)  # witnesses may have thousands of digits
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _lean_threads()
    threading.Thread(target=_watch_server, args=(server_pid,), daemon=True).start()
    from prooflens.analysis.check import check_function
    from prooflens.server.warm import warm_worker

    # A first solver query before the first job (jobs queue in the pipe), and before the
    # memory cap: z3 starts its timer threads there, and under a small cap creating them
    # aborts the process (std::system_error) -- every respawned worker would die at once.
    warm_worker()
    _limit_memory(memory_mb)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        job_id, request = message
        reply: tuple[Any, str, FunctionReport | str]
        try:
            report = check_function(
                request.text, request.language, request.name, request.settings, request.path
            )
            reply = (job_id, "ok", report)
        except MemoryError:
            reply = (job_id, "memory", f"out of memory (limit {memory_mb} MB)")
        except Exception as error:  # the analysis failed: report, keep the worker
            last = traceback.format_exception_only(type(error), error)[-1].strip()
            reply = (job_id, "error", f"internal error: {last}")
        try:
            conn.send(reply)
        except (OSError, ValueError, TypeError) as error:
            conn.send((job_id, "error", f"internal error: unsendable result: {error}"))


# ------------------------------------------------------------------ server side


def _context() -> multiprocessing.context.BaseContext:
    try:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    except ValueError:
        return multiprocessing.get_context("spawn")


def start_forkserver() -> None:
    """Start the workers' forkserver now, on a thread, so that its preload (the analysis
    imports and `warm`) overlaps whatever the caller does next; the first worker then
    forks from a parent that is already warm."""
    ctx = _context()
    if ctx.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    threading.Thread(target=forkserver.ensure_running, name="prooflens-forkserver",
                     daemon=True).start()  # fmt: skip


@dataclass
class Worker:
    """One worker process and the server's end of its pipe."""

    memory_mb: int
    ctx: Any = field(default_factory=_context)
    process: Any = None
    conn: Connection | None = None
    retired: bool = False

    def start(self) -> None:
        parent, child = self.ctx.Pipe(duplex=True)
        self.process = self.ctx.Process(
            target=worker_main,
            args=(child, self.memory_mb, os.getpid()),
            daemon=True,
            name="prooflens-worker",
        )
        self.process.start()
        child.close()
        self.conn = parent

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def alive(self) -> bool:
        return self.process is not None and self.process.is_alive()

    def kill(self) -> None:
        """SIGKILL the process and reap it."""
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.close()
            self.conn = None
        if self.process is not None:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                self.process.kill()
                self.process.join(2.0)
            self.process = None

    def restart(self) -> None:
        """Kill and start again, unless the pool has retired this worker."""
        self.kill()
        if not self.retired:
            self.start()

    def retire(self) -> None:
        self.retired = True
        self.kill()

    async def run(self, job_id: int, request: JobRequest, budget_s: float) -> Outcome:
        """Send one job and wait for its reply; kill and restart on overrun, death or
        cancellation (the CancelledError is re-raised after the restart)."""
        if not self.alive() or self.conn is None:
            self.restart()
        if self.conn is None:
            return Outcome("crashed", detail="worker pool stopped")
        pid = self.pid
        started = time.monotonic()
        try:
            self.conn.send((job_id, request))
            reply = await asyncio.wait_for(self._receive(job_id), budget_s)
        except TimeoutError:
            self.restart()
            return Outcome("timeout", detail=f"timeout {budget_s:g} s", pid=pid,
                           elapsed_s=time.monotonic() - started)  # fmt: skip
        except asyncio.CancelledError:
            self.restart()
            raise
        except (EOFError, OSError) as error:
            code = self._exit_code()
            self.restart()
            detail = f"exit code {code}" if code is not None else str(error) or "no reply"
            log.warning("worker %s crashed: %s", pid, detail)
            return Outcome("crashed", detail=f"worker crashed ({detail})", pid=pid,
                           elapsed_s=time.monotonic() - started)  # fmt: skip
        _, kind, payload = reply
        elapsed = time.monotonic() - started
        if kind == "ok":
            return Outcome("ok", report=payload, pid=pid, elapsed_s=elapsed)
        return Outcome(kind, detail=str(payload), pid=pid, elapsed_s=elapsed)

    def _exit_code(self) -> int | None:
        """The exit code of a worker that just died (waits briefly to reap it)."""
        if self.process is None:
            return None
        with contextlib.suppress(OSError, ValueError, AssertionError):
            self.process.join(0.5)
            return self.process.exitcode
        return None

    async def _receive(self, job_id: int) -> tuple[Any, ...]:
        """The reply to `job_id` (skipping stale replies), read when the pipe is ready."""
        loop = asyncio.get_running_loop()
        while True:
            if self.conn is None:
                raise EOFError("worker stopped")
            conn = self.conn
            ready: asyncio.Future[None] = loop.create_future()
            fd = conn.fileno()
            loop.add_reader(fd, _wake, ready)
            try:
                await ready
            finally:
                loop.remove_reader(fd)
            reply = conn.recv()  # raises EOFError when the worker died
            if isinstance(reply, tuple) and len(reply) == 3 and reply[0] == job_id:
                return reply


def _wake(ready: asyncio.Future[None]) -> None:
    if not ready.done():
        ready.set_result(None)


class WorkerPool:
    """A fixed number of workers; `run` waits for an idle one."""

    def __init__(self, size: int, memory_mb: int) -> None:
        self.size = max(1, size)
        self.memory_mb = memory_mb
        self._workers: list[Worker] = []
        self._idle: asyncio.Queue[Worker] | None = None
        self._next_id = 0
        self.busy: dict[int, tuple[Worker, JobRequest]] = {}
        self._starting: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start every worker now (blocks until each process is up)."""
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            worker = Worker(self.memory_mb)
            worker.start()
            self._workers.append(worker)
            self._idle.put_nowait(worker)

    def start_soon(self) -> asyncio.Task[None]:
        """Start the workers without blocking the event loop (the server calls this at
        `initialize`): the first process start waits for the forkserver to preload and warm
        up, so processes start on a thread, and each joins the idle queue once it is up;
        `run` meanwhile waits for the first. Returns the starting task."""
        self._idle = asyncio.Queue()
        self._starting = asyncio.ensure_future(self._start_all(self._idle))
        return self._starting

    async def _start_all(self, idle: asyncio.Queue[Worker]) -> None:
        loop = asyncio.get_running_loop()
        for _ in range(self.size):
            worker = Worker(self.memory_mb)
            self._workers.append(worker)
            try:
                await loop.run_in_executor(None, worker.start)
            except Exception:
                log.exception("could not start a worker process")
                worker.kill()  # `Worker.run` starts it again when it gets a job
            if worker.retired or self._idle is not idle:  # stopped meanwhile
                worker.kill()
                return
            idle.put_nowait(worker)

    def pids(self) -> list[int]:
        return [w.pid for w in self._workers if w.pid is not None]

    def pid_running(self, request: JobRequest) -> int | None:
        """The pid of the worker running `request`, if one is."""
        for worker, running in self.busy.values():
            if running is request:
                return worker.pid
        return None

    async def run(self, request: JobRequest, budget_s: float) -> Outcome:
        if self._idle is None:
            self.start()
        assert self._idle is not None
        worker = await self._idle.get()
        self._next_id += 1
        job_id = self._next_id
        self.busy[job_id] = (worker, request)
        try:
            return await worker.run(job_id, request, budget_s)
        finally:
            self.busy.pop(job_id, None)
            if worker in self._workers:
                self._idle.put_nowait(worker)

    def stop(self) -> None:
        """Kill every worker (shutdown/exit, or before a resize)."""
        for worker in self._workers:
            worker.retire()
        self._workers.clear()
        self._idle = None  # a worker still starting on the thread is killed once it is up
        self._starting = None
