"""The warm replay process, a fork server: run as `python -I -S child.py ROOT`, stdlib only.

It reads one JSON request per line on stdin and answers each with one JSON line on stdout.
Every request runs in a clean forked child: its own session, rlimits (CPU time -- the real
budget --, address space, file size, no core files, no new processes where the kernel
enforces it), a scratch folder under ROOT removed afterwards, its standard streams in files,
the server's (minimal) environment, and killed with everything it started when it ends or
overruns the wall-clock safety net. Mode `exec` replaces the child by a program (a compiled
C harness, gcc); mode `python` runs a replay program (see `run_python`).
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import json
import marshal
import os
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback
from typing import Any

OUTPUT_CAP = 1 << 20  # bytes kept of a run's stdout, stderr and reports
_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER = 1, 36
# Audit events a replayed function may not raise: starting processes, sockets, raw memory.
_FORBIDDEN = ("os.fork", "os.forkpty", "os.exec", "os.posix_spawn", "os.spawn", "os.system",
              "os.kill", "os.killpg", "subprocess.Popen", "pty.spawn", "socket.__new__",
              "ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata")  # fmt: skip


# ------------------------------------------------------------------------ the server


def main() -> None:
    root = sys.argv[1]
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)  # orphans of a run become ours, to be killed
    for line in sys.stdin.buffer:
        try:
            answer = serve(json.loads(line), root)
        except Exception as error:  # noqa: BLE001 -- a bad request must not end the server
            answer = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    shutil.rmtree(root, ignore_errors=True)  # EOF: the parent is gone or done


def serve(request: dict, root: str) -> dict:
    """Run one request in a forked child and say what happened."""
    run_dir = tempfile.mkdtemp(prefix="prooflens-run-", dir=root)
    try:
        for name in ("io", "work"):
            os.mkdir(os.path.join(run_dir, name))
        with open(os.path.join(run_dir, "io", "stdin"), "w", encoding="utf-8") as handle:
            handle.write(request.get("stdin", ""))
        return _fork_and_wait(request, run_dir)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def _fork_and_wait(request: dict, run_dir: str) -> dict:
    limits = request["limits"]
    read_fd, write_fd = os.pipe()
    began = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.close(read_fd)
            _child(request, run_dir, write_fd)
        finally:
            os._exit(125)
    os.close(write_fd)
    status, usage, timed_out, report = _wait(pid, read_fd, float(limits["wall_s"]))
    _sweep(pid)
    report += _drain(read_fd)
    os.close(read_fd)
    cpu_s = usage.ru_utime + usage.ru_stime if usage is not None else 0.0
    return {
        **_decode_status(status, timed_out, cpu_s, int(limits["cpu_s"])),
        "elapsed_s": time.monotonic() - began,
        "cpu_s": cpu_s,
        "report": report.decode("utf-8", "replace"),
        "stdout": _read(os.path.join(run_dir, "io", "stdout")),
        "stderr": _read(os.path.join(run_dir, "io", "stderr")),
    }


def _wait(pid: int, read_fd: int, wall_s: float) -> tuple[int, Any, bool, bytes]:
    """Wait for the child (reading its reports meanwhile) until it ends or `wall_s` passes;
    then kill its process group. Returns (wait status, rusage, timed out, reports)."""
    deadline = time.monotonic() + wall_s
    pidfd = _pidfd(pid)
    report, open_fds, timed_out = b"", [read_fd], False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        watched = open_fds + ([pidfd] if pidfd is not None else [])
        step = remaining if pidfd is not None else min(remaining, 0.005)
        ready, _, _ = select.select(watched, [], [], step)
        if read_fd in ready:
            data = os.read(read_fd, 65536)
            if not data:
                open_fds = []
            elif len(report) < OUTPUT_CAP:
                report += data
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            _close(pidfd)
            return status, usage, False, report
        if not open_fds and pidfd is None:
            time.sleep(0.005)
    _kill_group(pid)
    _, status, usage = os.wait4(pid, 0)
    _close(pidfd)
    return status, usage, timed_out, report


def _decode_status(status: int, timed_out: bool, cpu_s: float, cpu_limit: int) -> dict:
    signal_number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    over_cpu = signal_number == signal.SIGXCPU or (
        signal_number == signal.SIGKILL and not timed_out and cpu_s >= cpu_limit
    )
    returncode = None if timed_out else (code if code is not None else -(signal_number or 0))
    return {"returncode": returncode, "signal": signal_number, "timed_out": timed_out,
            "cpu_exceeded": over_cpu}  # fmt: skip


def _sweep(pid: int) -> None:
    """Kill whatever the run left behind: its process group, and orphans handed to us."""
    _kill_group(pid)
    for _ in range(50):
        orphans = _children()
        if not orphans:
            return
        for orphan in orphans:
            _kill_group(orphan)
            with contextlib.suppress(OSError):
                os.kill(orphan, signal.SIGKILL)
        _reap()
        time.sleep(0.002)


def _children() -> list[int]:
    pids: list[int] = []
    try:
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children") as handle:
                pids += [int(p) for p in handle.read().split()]
    except OSError:
        return []
    return pids


def _reap() -> None:
    while True:
        try:
            done, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not done:
            return


def _kill_group(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)


def _drain(fd: int) -> bytes:
    data = b""
    while len(data) < OUTPUT_CAP:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    return data


def _read(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(OUTPUT_CAP).decode("utf-8", "replace")
    except OSError:
        return ""


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _close(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)


def _libc():
    """libc through ctypes, loaded once by the server (children inherit it)."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True)
    except (ImportError, OSError):
        return None


_LIBC = _libc()


def _prctl(option: int, value: int) -> None:
    if _LIBC is not None:
        with contextlib.suppress(OSError, AttributeError):
            _LIBC.prctl(option, value, 0, 0, 0)


# ------------------------------------------------------------------------- the child


def _child(request: dict, run_dir: str, report_fd: int) -> None:
    """Fence the process, then exec the program or run the replay (never returns)."""
    os.setsid()
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    io = os.path.join(run_dir, "io")
    streams = [os.open(os.path.join(io, "stdin"), os.O_RDONLY)]
    for name in ("stdout", "stderr"):
        streams.append(os.open(os.path.join(io, name), os.O_WRONLY | os.O_CREAT, 0o600))
    for target, fd in enumerate(streams):
        os.dup2(fd, target)
    os.closerange(3, report_fd)
    os.closerange(report_fd + 1, 1 << 16)
    os.chdir(request.get("cwd") or os.path.join(run_dir, "work"))
    _limit(request["limits"])
    if request["mode"] == "exec":
        os.close(report_fd)
        for number in (signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(number, signal.SIG_DFL)  # as a fresh program would have them
        env = request.get("env") or dict(os.environ)
        try:
            os.execvpe(request["argv"][0], request["argv"], env)
        except OSError as error:
            os.write(2, f"prooflens: cannot run {request['argv'][0]}: {error}\n".encode())
            os._exit(127)
    run_python(request, report_fd)
    os._exit(0)


def _limit(limits: dict) -> None:
    cpu = int(limits["cpu_s"])
    _cap(resource.RLIMIT_CPU, cpu, cpu + 1)
    memory = int(limits["memory_mb"]) << 20
    _cap(resource.RLIMIT_AS, memory, memory)
    size = int(limits["file_mb"]) << 20
    _cap(resource.RLIMIT_FSIZE, size, size)
    _cap(resource.RLIMIT_CORE, 0, 0)
    if not limits.get("processes", True):
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))  # enforced for non-root users


def _cap(kind: int, soft: int, hard: int) -> None:
    """Set a limit, never above the one inherited: a language-server worker runs under its
    own memory cap, and asking for more (gcc gets 4 GB) fails, so nothing would run."""
    _, inherited = resource.getrlimit(kind)
    if inherited != resource.RLIM_INFINITY:
        soft, hard = min(soft, inherited), min(hard, inherited)
    resource.setrlimit(kind, (soft, hard))


# -------------------------------------------------------------------- python replay


class _Placeholder:
    """The `self`/`cls` a replayed method gets: the analysis only replays methods that
    read nothing of it but data attributes, which the case's `fields` give."""

    def __repr__(self) -> str:
        return "<prooflens placeholder receiver>"


_DEFAULT_DIGITS = 4300  # sys.int_info.default_max_str_digits: str() of larger ints raises


def run_python(request: dict, report_fd: int) -> None:
    """Define the replay program, build the target (`__prooflens_make__(**free)`), and
    call it on the case's arguments (mode `call`), or watch its loop (`watch`)."""

    def report(answer: dict) -> None:
        os.write(report_fd, (json.dumps(answer) + "\n").encode())

    sys.set_int_max_str_digits(0)  # witnesses and results may be huge ints
    sys.setrecursionlimit(10000)
    sys.addaudithook(_refuse)
    case = request["case"]
    try:
        namespace: dict[str, Any] = {"__name__": "prooflens_replay", "__builtins__": builtins}
        exec(marshal.loads(base64.b64decode(request["code"])), namespace)
        target = _unwrap(namespace["__prooflens_make__"](**_keywords(case.get("free", {}))))
    except BaseException as error:  # noqa: BLE001 -- reported, not raised
        report({"outcome": "setup failed", "type": type(error).__name__,
                "message": str(error)[:200]})  # fmt: skip
        return
    receiver = _Placeholder()
    for name, value in _keywords(case.get("fields", {})).items():
        setattr(receiver, name, value)
    args = ([receiver] if request.get("receiver") else []) + _values(case["args"])
    kwargs = _keywords(case.get("kwargs", {}))
    if request.get("watch"):
        watch(target, args, kwargs, request["watch"], report)
    else:
        call(target, args, kwargs, request["filename"], report)


def _refuse(event: str, args: tuple) -> None:
    if event in _FORBIDDEN:
        raise PermissionError(f"prooflens replay: {event} is not allowed")


def _values(values):
    """Witness values from JSON: {"hex": ...} a huge int, {"tuple": [...]} a tuple."""
    if isinstance(values, dict) and set(values) == {"hex"}:
        return int(values["hex"], 16)
    if isinstance(values, dict) and set(values) == {"tuple"}:
        return tuple(_values(v) for v in values["tuple"])
    if isinstance(values, list):
        return [_values(v) for v in values]
    return values


def _keywords(values: dict) -> dict:
    return {k: _values(v) for k, v in values.items()}


def _unwrap(target):
    if isinstance(target, staticmethod | classmethod):
        return target.__func__
    if isinstance(target, property):
        return target.fget
    return target


def call(target, args: list, kwargs: dict, filename: str, report) -> None:
    try:
        sys.set_int_max_str_digits(_DEFAULT_DIGITS)  # the target runs as CPython's default
        try:
            value = target(*args, **kwargs)
        finally:
            sys.set_int_max_str_digits(0)  # the report may show huge ints
        report({"outcome": "returned", "value": repr(value)[:1000], "is_true": value is True})
    except BaseException as error:  # noqa: BLE001 -- what the run did is the answer
        frames = traceback.extract_tb(error.__traceback__)
        lines = [f.lineno for f in frames if f.filename == filename]
        report({"outcome": "raised", "type": type(error).__name__,
                "line": lines[-1] if lines else 0, "lines": lines,
                "message": str(error)[:200]})  # fmt: skip


def watch(target, args: list, kwargs: dict, spec: dict, report) -> None:
    """Run `target` with a trace hook on the loop line of its outermost frame: confirmed
    when the watched variables repeat a state there, or (a recurrent set) when the run is
    still inside the set after `visits` visits; anything else is not confirmed."""
    kind, state, loop_line = spec["kind"], spec["state"], spec["loop_line"]
    first, last = spec["lines"]
    seen: dict[str, int] = {}
    visits = [0]
    outer: list = []

    def finish(answer: dict) -> None:
        sys.settrace(None)
        report(answer)
        os._exit(0)

    def local(frame, event, arg):
        if event != "line" or frame is not outer[0]:
            return local
        if not first <= frame.f_lineno <= last:  # out of the loop: activation ends
            if visits[0] and kind == "recurrent set":
                finish({"confirmed": False, "detail": "left the loop after entering the set"})
            seen.clear()
            return local
        if frame.f_lineno != loop_line:
            return local
        values = dict(frame.f_locals)
        if kind == "recurrent set":
            try:
                inside = bool(eval(spec["region"], {}, values))
            except Exception as exc:  # noqa: BLE001
                finish({"confirmed": False, "detail": f"cannot evaluate the set: {exc!r}"})
            if not inside and visits[0]:
                finish({"confirmed": False, "detail": f"left the set after {visits[0]} visits"})
            if inside:
                visits[0] += 1
            if visits[0] >= spec["visits"]:
                finish({"confirmed": True, "visits": visits[0]})
            return local
        key = repr(tuple(values.get(name) for name in state))
        if key in seen:
            finish({"confirmed": True, "after": seen[key], "period": visits[0] - seen[key]})
        seen[key] = visits[0]
        visits[0] += 1
        return local

    def tracer(frame, event, arg):
        if frame.f_code is target.__code__ and not outer:
            outer.append(frame)
            return local
        return None

    sys.settrace(tracer)
    try:
        target(*args, **kwargs)
    except BaseException as exc:  # noqa: BLE001
        finish({"confirmed": False, "detail": f"the call raised {type(exc).__name__}"})
    finish({"confirmed": False, "detail": "the call returned"})


if __name__ == "__main__":
    main()
