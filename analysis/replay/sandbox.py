"""Run untrusted code (the user's functions, compiled harnesses) in a child process with
limits: wall time, CPU time, memory, file size, a scratch directory, no inherited secrets."""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
from dataclasses import dataclass

# Only what a child needs to start; API keys and tokens in the editor's environment stay out.
_KEPT_ENV = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")


@dataclass(frozen=True)
class SandboxResult:
    returncode: int | None  # None when it was killed at the time limit
    stdout: str
    stderr: str
    timed_out: bool


def minimal_env() -> dict[str, str]:
    env = {k: os.environ[k] for k in _KEPT_ENV if k in os.environ}
    env.setdefault("PATH", "/usr/bin:/bin")
    env["PYTHONHASHSEED"] = "0"
    return env


def _limits(cpu_s: int, memory_mb: int, file_mb: int):
    def apply() -> None:
        os.setsid()  # own process group: a timeout kills grandchildren too
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
        memory = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        size = file_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return apply


def run_sandboxed(
    argv: list[str],
    stdin: str = "",
    timeout_s: float = 5.0,
    memory_mb: int = 1024,
    file_mb: int = 16,
    cwd: str | None = None,
) -> SandboxResult:
    """Run `argv` with limits; its working directory is a fresh scratch folder unless given."""
    with tempfile.TemporaryDirectory(prefix="prooflens-run-") as scratch:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd or scratch,
            env=minimal_env(),
            text=True,
            errors="replace",
            preexec_fn=_limits(max(1, int(timeout_s) + 1), memory_mb, file_mb),
        )
        try:
            out, err = process.communicate(stdin, timeout=timeout_s)
            return SandboxResult(process.returncode, out, err, False)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            out, err = process.communicate()
            return SandboxResult(None, out, err, True)


def _kill_group(process: subprocess.Popen[str]) -> None:
    try:
        os.killpg(process.pid, 9)
    except (ProcessLookupError, PermissionError):
        process.kill()
