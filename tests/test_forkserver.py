"""The warm replay process: one server per process, a clean forked child per run, and the
same fences as a fresh process -- a child that allocates too much, computes forever, writes
a huge file or forks is stopped; the server survives a crashing child; the CPU budget is
the limit (the wall clock only a net several times larger)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from prooflens.analysis.replay import forkserver, program, sandbox
from prooflens.analysis.replay import python as replay
from prooflens.analysis.witness import Witness

PY = sys.executable


def server_pid() -> int | None:
    return forkserver.server(sandbox.minimal_env()).pid()


def replay_f(source: str, inputs: dict, line: int, kind: str = "assertion", cpu_s: float = 2.0):
    built = program.build(program.PySource("f", 1, source), [], list(inputs), "<t>")
    assert not isinstance(built, str), built
    (outcome,) = replay.replay_calls(built, [(Witness(inputs), replay.Expectation(kind, line,
                                                                                  line))],
                                     timeout_s=cpu_s)  # fmt: skip
    return outcome


def test_runs_share_one_warm_server() -> None:
    first = replay_f("def f(x):\n    assert x != 1\n", {"x": 1}, 2)
    pid = server_pid()
    second = replay_f("def f(x):\n    assert x != 2\n", {"x": 2}, 2)
    assert first.confirmed is True and second.confirmed is True
    assert pid is not None and server_pid() == pid


def test_runs_do_not_see_each_other() -> None:
    """A clean child each time: what one run sets up is gone in the next."""
    leak = "def f(x):\n    import builtins\n    builtins.LEAKED = x\n    assert x != 4\n"
    assert replay_f(leak, {"x": 4}, 4).confirmed is True
    probe = "def f(x):\n    import builtins\n    assert not hasattr(builtins, 'LEAKED')\n"
    assert replay_f(probe, {"x": 0}, 3).confirmed is False  # no AssertionError: clean


def test_busy_loop_is_stopped_by_its_cpu_budget() -> None:
    began = time.monotonic()
    run = sandbox.run_sandboxed([PY, "-I", "-c", "while True: pass"], timeout_s=1.0)
    assert run.cpu_exceeded and not run.timed_out, run
    assert time.monotonic() - began < sandbox.Limits(1.0).wall_s + 10


def test_wall_clock_is_only_a_net_several_times_the_budget() -> None:
    limits = sandbox.Limits(cpu_s=2.0)
    assert limits.wall_s >= 3 * limits.cpu_seconds
    run = sandbox.run_sandboxed([PY, "-I", "-c", "import time; time.sleep(600)"], timeout_s=1.0)
    assert run.timed_out and not run.cpu_exceeded, run
    assert run.elapsed_s >= sandbox.Limits(1.0).wall_s - 0.5


RUNAWAYS = {
    "allocates": "def f(x):\n    b = bytearray(10 * 1024 ** 3)\n    assert x != 3\n",
    "loops": "def f(x):\n    while True:\n        x += 1\n    assert x != 3\n",
    "writes": ("def f(x):\n    h = open('huge', 'wb')\n    for i in range(100):\n"
               "        h.write(b'x' * 2 ** 20)\n    assert x != 3\n"),
    "forks": "def f(x):\n    import os\n    os.fork()\n    assert x != 3\n",
    "spawns": ("def f(x):\n    import subprocess\n    subprocess.Popen(['sleep', '600'])\n"
               "    assert x != 3\n"),
    "crashes": "def f(x):\n    import os, signal\n    os.abort()\n    assert x != 3\n",
    "exits": "def f(x):\n    import os\n    os._exit(3)\n    assert x != 3\n",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(RUNAWAYS))
def test_runaway_children_are_stopped_and_the_server_survives(name: str) -> None:
    source = RUNAWAYS[name]
    replay_f("def f(x):\n    assert x != 0\n", {"x": 0}, 2)  # the server runs
    pid = server_pid()
    began = time.monotonic()
    outcome = replay_f(source, {"x": 3}, source.count("\n"), cpu_s=1.0)
    assert outcome.confirmed is False, outcome  # never reached the assert
    assert time.monotonic() - began < 30
    after = replay_f("def f(x):\n    assert x != 5\n", {"x": 5}, 2)
    assert after.confirmed is True and server_pid() == pid, after


def test_a_forking_program_leaves_nothing_behind(tmp_path: Path) -> None:
    """Exec mode (no audit hook): a program whose child escapes into its own session is
    still killed when the run ends (the server is their subreaper)."""
    pid_file = tmp_path / "pid"
    code = ("import os, sys, time\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            f"        open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
            "        time.sleep(600)\n"
            "    os._exit(0)\n"
            "time.sleep(0.5)\n")  # fmt: skip
    run = sandbox.run_sandboxed([PY, "-I", "-c", code], timeout_s=2.0)
    assert run.returncode == 0, run
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(grandchild):
        time.sleep(0.05)
    assert not _alive(grandchild), "an escaped grandchild outlived its run"


def test_the_server_is_restarted_when_it_dies() -> None:
    replay_f("def f(x):\n    assert x != 0\n", {"x": 0}, 2)
    pid = server_pid()
    assert pid is not None
    os.kill(pid, 9)
    assert replay_f("def f(x):\n    assert x != 1\n", {"x": 1}, 2).confirmed is True
    assert server_pid() not in (None, pid)


def test_a_worker_forked_from_a_parent_starts_its_own_server() -> None:
    replay_f("def f(x):\n    assert x != 0\n", {"x": 0}, 2)
    parent_server = server_pid()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover -- the forked worker
        try:
            ok = replay_f("def f(x):\n    assert x != 1\n", {"x": 1}, 2).confirmed is True
            mine = server_pid()
            os.write(write, f"{ok} {mine}".encode())
        finally:
            forkserver.shutdown()
            os._exit(0)
    os.close(write)
    ok, mine = os.read(read, 100).decode().split()
    os.waitpid(child, 0)
    assert ok == "True" and int(mine) != parent_server
    assert server_pid() == parent_server  # the parent's server was left alone
    assert replay_f("def f(x):\n    assert x != 2\n", {"x": 2}, 2).confirmed is True


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"
