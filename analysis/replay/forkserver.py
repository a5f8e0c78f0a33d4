"""The parent's side of the warm replay process (`child.py`): started on first use, one per
process that replays (a worker forked from a parent starts its own), restarted if it dies,
stopped at exit. `run` sends one request and waits for its answer."""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child.py")
ANSWER_GRACE_S = 30.0  # beyond a run's own wall-clock net: the server itself is stuck


class ForkServer:
    """One `python -I -S child.py` process and the pipes to it."""

    def __init__(self, env: dict[str, str]) -> None:
        self._env = env
        self._process: subprocess.Popen[bytes] | None = None
        self._owner = 0
        self._root = ""
        self._buffer = b""
        self._lock = threading.Lock()

    def run(self, request: dict, wait_s: float) -> dict | str:
        """The server's answer to `request`, or why there is none (the server failed twice)."""
        line = (json.dumps(request) + "\n").encode()
        with self._lock:
            problem = "no answer"
            for _ in range(2):
                try:
                    process = self._ensure()
                    assert process.stdin is not None
                    process.stdin.write(line)
                    process.stdin.flush()
                    answer = self._answer(process, wait_s + ANSWER_GRACE_S)
                except (OSError, ValueError) as error:
                    answer, problem = None, f"{type(error).__name__}: {error}"
                if isinstance(answer, dict):
                    return answer
                self._stop()
            return f"the replay process failed ({problem})"

    def pid(self) -> int | None:
        """The server's process id, if it runs (for tests)."""
        process = self._process
        return process.pid if process is not None and self._owner == os.getpid() else None

    def stop(self) -> None:
        with self._lock:
            self._stop()

    # ----------------------------------------------------------------------- private

    def _ensure(self) -> subprocess.Popen[bytes]:
        if self._owner != os.getpid():  # inherited through fork: the parent's, not ours
            self._process, self._buffer = None, b""
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stop()
        self._root = tempfile.mkdtemp(prefix="prooflens-replay-")
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-S", CHILD, self._root],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=self._root, env=self._env, start_new_session=True,
        )  # fmt: skip
        self._owner = os.getpid()
        return self._process

    def _answer(self, process: subprocess.Popen[bytes], wait_s: float) -> dict | None:
        """The next line the server writes, read within `wait_s` (None: EOF or too late)."""
        assert process.stdout is not None
        fd = process.stdout.fileno()
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([fd], [], [], wait_s)
            if not ready:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        answer = json.loads(line)
        return answer if isinstance(answer, dict) and "error" not in answer else None

    def _stop(self) -> None:
        process, self._process, self._buffer = self._process, None, b""
        if process is not None and self._owner == os.getpid():
            try:
                if process.stdin is not None:
                    process.stdin.close()  # the server ends at EOF
                process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._root and self._owner == os.getpid():
            shutil.rmtree(self._root, ignore_errors=True)
        self._root = ""


_SERVER: list[ForkServer] = []  # at most one: the process's warm replay process
_SERVER_LOCK = threading.Lock()


def server(env: dict[str, str]) -> ForkServer:
    """The process's fork server (its children get `env` unless a request says otherwise)."""
    with _SERVER_LOCK:
        if not _SERVER:
            _SERVER.append(ForkServer(env))
        return _SERVER[0]


@atexit.register
def shutdown() -> None:
    """Stop the fork server, if this process started one."""
    with _SERVER_LOCK:
        servers = list(_SERVER)
    for each in servers:
        each.stop()
