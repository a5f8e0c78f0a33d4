"""Verdicts depend only on the input and the settings (issue 11): solver budgets are z3
resource units, not seconds, so the same file gives the same answers whether the machine
is idle or busy, and whatever the process checked before.

The programs below include queries that run out of budget (nonlinear arithmetic, a
Collatz loop): with wall-clock budgets those are exactly the answers that flipped."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from prooflens.analysis.check import check_text
from prooflens.analysis.settings import Settings

PYTHON = '''
def square_is_even_iff(x: int) -> bool:
    return (x * x % 2 == 0) == (x % 2 == 0)


def collatz(n: int) -> int:
    assert n >= 1
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def sum_squares(n: int) -> int:
    assert n >= 0
    t = 0
    i = 0
    while i < n:
        t += i * i
        i += 1
    assert 6 * t == (n - 1) * n * (2 * n - 1)
    return t


def g2(x: int, y: int) -> int:
    while x > y:
        x = x - y
    return x
'''

C = '''
int grow(int x, int y) {
    if (y > 0 && x > 0) {
        while (x > 0) {
            x = x + y;
            y = y + 1;
        }
    }
    return x;
}

int cubes(int a, int b) {
    if (a < 0 || a > 1000 || b < 0 || b > 1000) return 0;
    return a * a * a + b * b * b != 1729 || a == 1 || a == 12 || a == 9 || a == 10;
}
'''


def _verdicts(report: dict) -> list[tuple]:
    """What a verdict is, without the timings."""
    return [(fn["name"], r["property"], r["line"], r["column"], r["status"], r["message"],
             r.get("certificate"), json.dumps(r.get("witness"), sort_keys=True))
            for f in report["files"] for fn in f["functions"] for r in fn["results"]]  # fmt: skip


def _check_cli(folder: Path, hash_seed: int) -> list[tuple]:
    """`prooflens check` in a fresh process; each run gets another string-hash seed, so an
    answer that follows set iteration order shows up as a difference too."""
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    done = subprocess.run(
        [sys.executable, "-m", "prooflens", "check", "--format", "json", "--timeout", "1",
         "--jobs", "1", "--no-cache", str(folder)],
        capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return _verdicts(json.loads(done.stdout))


def _burn(stop) -> None:  # a CPU-heavy neighbour
    while not stop.is_set():
        sum(i * i for i in range(10_000))


@pytest.mark.e2e
def test_same_verdicts_idle_and_loaded(tmp_path: Path) -> None:
    (tmp_path / "numbers.py").write_text(PYTHON)
    (tmp_path / "numbers.c").write_text(C)
    idle = [_check_cli(tmp_path, seed) for seed in (1, 2)]
    stop = multiprocessing.Event()
    burners = [multiprocessing.Process(target=_burn, args=(stop,), daemon=True)
               for _ in range(os.cpu_count() or 2)]  # fmt: skip
    for burner in burners:
        burner.start()
    try:
        loaded = [_check_cli(tmp_path, seed) for seed in (3, 4)]
    finally:
        stop.set()
        for burner in burners:
            burner.join(timeout=10)
    assert idle[0], "nothing was checked"
    for run in idle[1:] + loaded:
        assert run == idle[0]


def test_same_verdicts_whatever_was_checked_before() -> None:
    """One process, the same unit before and after others: the z3 context is fresh per
    unit, so its answers do not depend on the history."""
    settings = Settings(timeout_s=1.0, replay=False)
    first = check_text(PYTHON, "python", settings)
    check_text(C, "c", settings)
    again = check_text(PYTHON, "python", settings)

    def strip(report) -> list:
        return [(fn.name, r.property, r.line, r.status, r.message, r.certificate)
                for fn in report.functions for r in fn.results]  # fmt: skip

    assert strip(first) == strip(again)
