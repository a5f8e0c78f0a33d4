"""What every peer adapter shares: finding the tool, running it with a hard time limit."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Completed:
    """A finished (or killed) peer process."""

    stdout: str
    stderr: str
    returncode: int | None  # None: killed at the hard limit
    elapsed_ms: float


def which(program: str) -> str | None:
    return shutil.which(program)


def run(argv: list[str], limit_s: float, cwd: str | None = None) -> Completed:
    """Run `argv` in its own process group; kill the whole group at `limit_s`."""
    began = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)  # fmt: skip
    try:
        out, err = proc.communicate(timeout=limit_s)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        code = None
    return Completed(out, err, code, (time.perf_counter() - began) * 1000)


def version(argv: list[str]) -> str | None:
    try:
        done = run(argv, 30)
    except OSError:
        return None
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else None
