"""Replay safety: running the user's code must not leak secrets, escape its scratch folder,
outlive its limits, or run anything but the function under test.

Three levels: `sandbox.run_sandboxed` itself (limits, environment, working folder, process
group), `replay.replay_calls` (the user's function text in the sandbox), and the whole
pipeline (`check_text` / `check_path` / `prooflens check` on files whose module top level
has side effects). A marker file at an absolute path shows whether forbidden code ran.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from prooflens.analysis.check import check_path, check_text
from prooflens.analysis.replay import forkserver, program, sandbox
from prooflens.analysis.replay import python as replay
from prooflens.analysis.settings import Settings
from prooflens.analysis.witness import Witness

SECRET = "AKIA-prooflens-test-secret-do-not-leak"
QUICK = Settings(unwind=4, timeout_s=5.0, deep=False)
PY = sys.executable


def python(code: str, **limits) -> sandbox.SandboxResult:
    return sandbox.run_sandboxed([PY, "-I", "-c", textwrap.dedent(code)], **limits)


def replay_python(source: str, cases, timeout_s: float = 5.0):
    """Replay the module-level function `f` defined by `source` (from line 1)."""
    built = program.build(program.PySource("f", 1, source), [], ["x"], "<prooflens>")
    assert not isinstance(built, str), built
    return replay.replay_calls(built, cases, timeout_s)


# ------------------------------------------------------------------------ environment


def test_child_gets_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    monkeypatch.setenv("PYTHONPATH", "/tmp/evil-python-path")
    result = python("import json, os; print(json.dumps(dict(os.environ)))")
    assert result.returncode == 0, result.stderr
    env = json.loads(result.stdout)
    assert SECRET not in json.dumps(env)
    assert "AWS_SECRET_ACCESS_KEY" not in env and "GITHUB_TOKEN" not in env
    assert "PYTHONPATH" not in env
    allowed = {"PATH", "LANG", "LC_ALL", "LC_CTYPE", "SYSTEMROOT", "TMPDIR", "PYTHONHASHSEED"}
    assert set(env) <= allowed, set(env) - allowed


def test_replayed_function_sees_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Through `replay_python`: the function itself asserts the secret is visible; the
    replay must observe the AssertionError, i.e. the secret was not there."""
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    source = ("def f(x):\n"
              "    import os\n"
              "    assert os.environ.get('AWS_SECRET_ACCESS_KEY') is not None\n")  # fmt: skip
    (outcome,) = replay_python(source, [(Witness({"x": 1}), replay.Expectation("assertion", 3, 3))])
    assert outcome.confirmed is True, outcome.detail


def test_c_replay_environment_has_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from prooflens.analysis.replay import c as replay_c

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    program = textwrap.dedent("""
        #include <stdio.h>
        #include <stdlib.h>
        int main(void) {
            const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
            int leaked = secret != 0;
            int zero = 0;
            if (leaked) return 7;
            return 1 / zero;  /* UBSan: division by zero -- reached only without the secret */
        }
        """)
    observed = replay_c.run_program(program, 10.0)
    assert not isinstance(observed, str), observed
    assert "division" in json.dumps(observed.__dict__, default=str).lower(), observed


C_RUNAWAYS = {
    # name: (program, what must be observed)
    "loops": ("int main(void) { volatile unsigned x = 1; while (x) { x |= 1; } return 0; }",
              "timeout"),
    "allocates": ('#include <stdlib.h>\n#include <string.h>\n'
                  "int main(void) { size_t n = (size_t)10 << 30; char *p = malloc(n);\n"
                  "  if (!p) return 3; memset(p, 1, n); return 0; }", "not-returned-0"),
    "writes": ('#include <stdio.h>\n'
               'int main(void) { FILE *f = fopen("huge", "wb"); static char b[1 << 20];\n'
               "  for (int i = 0; i < 100; i++) if (fwrite(b, 1, sizeof b, f) != sizeof b)\n"
               "    return 4;\n  return fclose(f) == 0 ? 0 : 4; }", "not-returned-0"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(C_RUNAWAYS))
def test_c_replay_limits(name: str) -> None:
    """The compiled harness runs under the same kind of fences: wall time, memory, file
    size (a replayed C function that writes 100 MB must be stopped, like a Python one)."""
    from prooflens.analysis.replay import c as replay_c

    text, expected = C_RUNAWAYS[name]
    began = time.monotonic()
    observed = replay_c.run_program(text, 3.0)
    assert not isinstance(observed, str), observed
    assert time.monotonic() - began < 120
    if expected == "timeout":
        assert observed.status == "timeout", observed
    else:
        assert not (observed.status == "returned" and observed.value in (0, None)), observed


# ---------------------------------------------------------------------- working folder


def test_child_runs_in_a_fresh_scratch_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = python("import os; open('left-behind', 'w').write('x'); print(os.getcwd())")
    scratch = Path(result.stdout.strip())
    assert scratch != tmp_path and tmp_path not in scratch.parents
    assert not scratch.exists(), "the scratch folder outlived the run"
    assert not (tmp_path / "left-behind").exists()


def test_replayed_function_writes_only_into_scratch(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    source = "def f(x):\n    open('written-by-f', 'w').write('x')\n    assert x != 3\n"
    (outcome,) = replay_python(source, [(Witness({"x": 3}), replay.Expectation("assertion", 3, 3))])
    assert outcome.confirmed is True, outcome.detail
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- limits


def test_limits_are_set_in_the_child() -> None:
    result = python(
        """
        import resource, json
        print(json.dumps([resource.getrlimit(r) for r in
              (resource.RLIMIT_CPU, resource.RLIMIT_AS, resource.RLIMIT_FSIZE)]))
        """,
        timeout_s=3.0, memory_mb=512, file_mb=4,
    )
    cpu, memory, size = json.loads(result.stdout)
    assert 0 < cpu[0] <= 10 and 0 < cpu[1] <= 11
    assert memory == [512 * 2**20, 512 * 2**20]
    assert size == [4 * 2**20, 4 * 2**20]


def test_endless_loop_is_stopped() -> None:
    began = time.monotonic()
    result = python("while True:\n    pass\n", timeout_s=2.0)
    assert result.timed_out or result.returncode != 0
    assert time.monotonic() - began < 60


def test_sleeping_child_is_killed_at_the_wall_clock() -> None:
    began = time.monotonic()
    result = python("import time\ntime.sleep(600)\n", timeout_s=2.0)
    assert result.timed_out
    assert time.monotonic() - began < 60


def test_huge_allocation_fails_inside_the_child() -> None:
    result = python(
        """
        try:
            block = bytearray(10 * 1024 ** 3)
            print("allocated")
        except MemoryError:
            print("refused")
        """,
        memory_mb=512,
    )
    assert result.stdout.strip() == "refused", result


def test_growing_allocation_is_stopped() -> None:
    result = python(
        """
        blocks = []
        try:
            while True:
                blocks.append(bytearray(50 * 1024 ** 2))
        except MemoryError:
            print(len(blocks))
        """,
        memory_mb=512,
        timeout_s=30.0,
    )
    assert result.stdout.strip() and int(result.stdout) * 50 <= 512, result


def test_huge_file_write_is_stopped() -> None:
    result = python(
        """
        import os
        written = 0
        try:
            with open("big", "wb") as handle:
                for _ in range(1024):
                    handle.write(b"x" * 2 ** 20)
                    handle.flush()
                    written += 1
            print("wrote", written)
        except OSError as error:
            print("stopped", os.path.getsize("big") // 2 ** 20)
        """,
        file_mb=8,
        timeout_s=30.0,
    )
    words = result.stdout.split()
    assert words and words[0] == "stopped" and int(words[1]) <= 8, result


def test_grandchildren_die_with_the_child() -> None:
    result = python(
        """
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        print(child.pid, flush=True)
        time.sleep(600)
        """,
        timeout_s=3.0,
    )
    assert result.timed_out
    pid = int(result.stdout.split()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    assert not _alive(pid), f"grandchild {pid} outlived the sandbox"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_replay_of_a_runaway_function_is_not_confirmed() -> None:
    """Replay of a function that loops, allocates 10 GB or writes 100 MB: the outcome says
    so (not confirmed), the check goes on, and the parent is unharmed."""
    cases = {
        "loops": "def f(x):\n    while True:\n        pass\n    assert x != 3\n",
        "allocates": "def f(x):\n    b = bytearray(10 * 1024 ** 3)\n    assert x != 3\n",
        "writes": ("def f(x):\n    h = open('huge', 'wb')\n    for i in range(100):\n"
                   "        h.write(b'x' * 2 ** 20)\n    assert x != 3\n"),
    }  # fmt: skip
    for name, source in cases.items():
        began = time.monotonic()
        last = source.count("\n")
        expected = replay.Expectation("assertion", last, last)
        (outcome,) = replay_python(source, [(Witness({"x": 3}), expected)], timeout_s=3.0)
        assert outcome.confirmed is False, (name, outcome)
        assert time.monotonic() - began < 60, name


# ----------------------------------------------------------- what code runs at all

TOP_LEVEL = '''
import os
open({marker!r}, "w").write(os.environ.get("AWS_SECRET_ACCESS_KEY", "none"))


def helper(x):
    return x - 3


def f(x):
    y = helper(x)
    assert y != 0
    return x


def g(a, b):
    return a // b


def h(x):
    return x * 2 >= x


if __name__ == "__main__":
    open({marker!r} + ".main", "w")
'''


@pytest.mark.parametrize("deep", [False, True])
def test_module_top_level_never_runs(tmp_path: Path, monkeypatch, deep: bool) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    marker = tmp_path / "PWNED"
    path = tmp_path / "user_module.py"
    path.write_text(TOP_LEVEL.format(marker=str(marker)))
    monkeypatch.chdir(tmp_path)
    report = check_path(str(path), Settings(unwind=4, timeout_s=5.0, deep=deep))
    confirmed = [r for fn in report.functions for r in fn.results if r.confirmed]
    assert len(confirmed) >= 3, report  # f, g and h were replayed for real...
    assert not marker.exists() and not Path(str(marker) + ".main").exists()  # ...alone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["user_module.py"]


def test_cli_never_runs_top_level(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    path = tmp_path / "user_module.py"
    path.write_text(TOP_LEVEL.format(marker=str(marker)))
    env = dict(os.environ, AWS_SECRET_ACCESS_KEY=SECRET)
    done = subprocess.run([PY, "-m", "prooflens", "check", "--quick", "--format", "json",
                           str(path)], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path, env=env)  # fmt: skip
    assert done.returncode == 1, done.stderr  # refutations found and replayed
    assert SECRET not in done.stdout + done.stderr
    assert not marker.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["user_module.py"]


# Definitions whose `def` statement itself would run code (defaults, decorators,
# annotations) when a replay defines the callee: each must stay unreplayed or harmless.
DEF_TIME_CODE = [
    "def helper(x, y=open({marker!r}, 'w')):\n    return x - y\n\n\n"
    "def f(x):\n    y = x\n    assert helper(y, 3) != 0\n",
    "def deco(fn):\n    open({marker!r}, 'w')\n    return fn\n\n\n"
    "@deco\ndef helper(x):\n    return x - 3\n\n\n"
    "def f(x):\n    y = x\n    assert helper(y) != 0\n",
    "def helper(x: open({marker!r}, 'w')) -> int:\n    return x - 3\n\n\n"
    "def f(x):\n    y = x\n    assert helper(y) != 0\n",
    "def helper(x) -> open({marker!r}, 'w'):\n    return x - 3\n\n\n"
    "def f(x):\n    y = x\n    assert helper(y) != 0\n",
    "def f(x: open({marker!r}, 'w')):\n    y = x\n    assert y != 3\n",
]


@pytest.mark.parametrize("template", DEF_TIME_CODE)
def test_definition_time_code_never_runs(tmp_path: Path, template: str) -> None:
    marker = tmp_path / "PWNED"
    source = template.format(marker=str(marker))
    report = check_text(source, "python", QUICK, str(tmp_path / "m.py"))
    assert not marker.exists(), report
    for result in (r for fn in report.functions for r in fn.results):
        assert result.status != "refuted" or result.confirmed is not False, result


def test_replay_off_runs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """`replay: off` (untrusted workspaces): no child process is started at all."""

    def forbidden(*args, **kwargs):
        raise AssertionError("a process was started with replay off")

    monkeypatch.setattr(sandbox, "run", forbidden)
    monkeypatch.setattr(forkserver.ForkServer, "run", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)
    source = "def f(a, b):\n    return a // b\n\n\ndef g(x):\n    y = x\n    assert y != 3\n"
    settings = Settings(unwind=4, timeout_s=5.0, deep=False, replay=False)
    report = check_text(source, "python", settings)
    refuted = [r for fn in report.functions for r in fn.results if r.status == "refuted"]
    assert len(refuted) == 2
    assert all(r.confirmed is None for r in refuted)
