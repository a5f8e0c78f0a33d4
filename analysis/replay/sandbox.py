"""Run untrusted code (the user's functions, compiled harnesses) with limits: CPU time (the
real budget), a wall-clock safety net several times larger, memory, file size, a scratch
directory, no inherited secrets. Every run is a clean child forked by the warm replay
process (`forkserver`), so a run does not pay an interpreter's start-up."""

from __future__ import annotations

import base64
import math
import os
from dataclasses import dataclass, replace

from prooflens.analysis.replay import forkserver

# Only what a child needs to start; API keys and tokens in the editor's environment stay out.
_KEPT_ENV = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
WALL_FACTOR = 4.0  # the wall-clock net: this many times the CPU budget...
WALL_GRACE_S = 2.0  # ...plus this, so that a loaded machine does not change a verdict


@dataclass(frozen=True)
class Limits:
    """What one run may use. `cpu_s` is the budget (RLIMIT_CPU, whole seconds, rounded up);
    the wall clock only stops a run that waits without computing."""

    cpu_s: float = 5.0
    memory_mb: int = 1024
    file_mb: int = 16
    processes: bool = True  # False: RLIMIT_NPROC 0 (the kernel enforces it for non-root)

    @property
    def cpu_seconds(self) -> int:
        return max(1, math.ceil(self.cpu_s))

    @property
    def wall_s(self) -> float:
        return self.cpu_seconds * WALL_FACTOR + WALL_GRACE_S

    def as_request(self) -> dict:
        return {"cpu_s": self.cpu_seconds, "wall_s": self.wall_s, "memory_mb": self.memory_mb,
                "file_mb": self.file_mb, "processes": self.processes}  # fmt: skip


@dataclass(frozen=True)
class SandboxResult:
    returncode: int | None  # None when it was killed at the wall-clock net; -N: signal N
    stdout: str
    stderr: str
    timed_out: bool  # killed at the wall-clock net
    cpu_exceeded: bool = False  # stopped at its CPU budget
    report: str = ""  # what a Python replay reported (JSON lines)
    elapsed_s: float = 0.0
    failure: str | None = None  # the run could not be made at all (why)

    @property
    def over_budget(self) -> bool:
        return self.timed_out or self.cpu_exceeded


def minimal_env() -> dict[str, str]:
    env = {k: os.environ[k] for k in _KEPT_ENV if k in os.environ}
    env.setdefault("PATH", "/usr/bin:/bin")
    env["PYTHONHASHSEED"] = "0"
    return env


def run_sandboxed(
    argv: list[str],
    stdin: str = "",
    timeout_s: float = 5.0,
    memory_mb: int = 1024,
    file_mb: int = 16,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    processes: bool = True,
) -> SandboxResult:
    """Run the program `argv` with limits (`timeout_s`: CPU seconds); its working directory
    is a fresh scratch folder unless given; `env` replaces the minimal environment."""
    limits = Limits(timeout_s, memory_mb, file_mb, processes)
    request = {"mode": "exec", "argv": argv, "stdin": stdin, "cwd": cwd,
               "env": env or minimal_env()}  # fmt: skip
    return run(request, limits)


def run_python_code(code: bytes, call: dict, limits: Limits) -> SandboxResult:
    """Run a compiled replay program (marshalled code) in a forked child: `call` says what
    to call with what (see `child.run_python`); what it saw is in `report`."""
    request = {"mode": "python", "code": base64.b64encode(code).decode("ascii"), **call}
    return run(request, replace(limits, processes=False))  # replays never start processes


def run(request: dict, limits: Limits) -> SandboxResult:
    answer = forkserver.server(minimal_env()).run({**request, "limits": limits.as_request()},
                                                  limits.wall_s)  # fmt: skip
    if isinstance(answer, str):
        return SandboxResult(None, "", answer, False, failure=answer)
    return SandboxResult(
        answer["returncode"], answer["stdout"], answer["stderr"], answer["timed_out"],
        answer["cpu_exceeded"], answer["report"], answer["elapsed_s"],
    )  # fmt: skip
