"""Section 5: `prooflens check` at scale, every comparison a ratio within one run.

- `--jobs N` over a generated folder of functions with 1, 2 and all cores;
- one file of N trivial functions (N = 1,000 / 4,000 / 16,000): the growth with the size
  of a file (linear: 16k within 4x of 4k), then that 4,000-function file with `--jobs 2`
  against `--jobs 1`;
- `prooflens check samples/` on all cores, cold then warm on-disk cache (a fresh
  `PROOFLENS_CACHE_DIR`, the cache the CLI shares with the language server).

Every other run gets a fresh, empty cache directory of its own, so nothing is read from an
earlier run (or from the user's cache)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench import generate

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(os.path.dirname(HERE), "samples")
ONE_FILE_ARGS = ["--quick", "--no-replay"]


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(folder: str, jobs: int, extra: list[str], timeout_s: float,
         cache_dir: str | None = None) -> dict[str, Any]:  # fmt: skip
    """One `prooflens check` run; `cache_dir` is its PROOFLENS_CACHE_DIR (default: a fresh,
    empty one)."""
    out = os.path.join(tempfile.mkdtemp(prefix="bench-scale-"), "report.json")
    argv = [sys.executable, "-m", "prooflens", "check", folder, "--format", "json",
            "--output", out, "--jobs", str(jobs), *extra]  # fmt: skip
    env = dict(os.environ, PROOFLENS_CACHE_DIR=cache_dir or tempfile.mkdtemp(prefix="bench-c-"))
    cpu0, began = _child_cpu(), time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, check=False,
                          env=env)  # fmt: skip
    wall, cpu = time.perf_counter() - began, _child_cpu() - cpu0
    counts: dict[str, int] = {}
    functions = 0
    if os.path.exists(out):
        with open(out, encoding="utf-8") as handle:
            report = json.load(handle)
        for file in report["files"]:
            functions += len(file["functions"])
            for fn in file["functions"]:
                for result in fn["results"]:
                    counts[result["status"]] = counts.get(result["status"], 0) + 1
    return {"jobs": jobs, "args": extra, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
            "functions": functions, "verdicts": counts, "exit": done.returncode,
            "stderr": done.stderr[-400:]}  # fmt: skip


def run(functions: int, mode_args: list[str], one_file: tuple[int, ...] = (),
        samples: str | None = SAMPLES, samples_args: tuple[str, ...] = (),
        timeout_s: float = 1800, log=print) -> dict:  # fmt: skip
    """The folder rows (`functions` functions, `--jobs` 1, 2, cores), the one-file rows
    (`one_file` sizes; the jobs comparison on the size nearest 4,000) and the cache rows
    (`prooflens check samples` with `samples_args`; None: skipped)."""
    folder = generate.scaling_folder(tempfile.mkdtemp(prefix="bench-scale-src-"), functions)
    cores = os.cpu_count() or 1
    runs = []
    for jobs in sorted({1, 2, cores}):
        log(f"scaling: {functions} functions, --jobs {jobs} {' '.join(mode_args)}")
        runs.append(_run(folder, jobs, mode_args, timeout_s))
    out: dict[str, Any] = {"functions": functions, "cores": cores, "mode_args": mode_args,
                           "runs": runs, "cache_note": None}  # fmt: skip
    if one_file:
        out["one_file"] = one_file_rows(one_file, timeout_s, log)
    if samples:
        out["cache"] = cache_rows(samples, list(samples_args), cores, timeout_s, log)
    return out


def one_file_rows(sizes: tuple[int, ...], timeout_s: float, log=print) -> dict[str, Any]:
    """One file of N trivial functions per size, `--jobs 1`; then the size nearest 4,000
    with `--jobs 2`. Ratios: each size's time over the previous one's, jobs 2 over 1."""
    root = tempfile.mkdtemp(prefix="bench-onefile-")
    rows = []
    paths = {}
    for size in sorted(sizes):
        path = os.path.join(root, f"trivial_{size}.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(generate.trivial_file(size))
        paths[size] = path
        log(f"scaling: one file of {size} trivial functions, --jobs 1 {' '.join(ONE_FILE_ARGS)}")
        row = _run(path, 1, ONE_FILE_ARGS, timeout_s)
        row["size"] = size
        rows.append(row)
    growth = []
    for before, after in zip(rows, rows[1:], strict=False):
        growth.append({"from": before["size"], "to": after["size"],
                       "size_ratio": round(after["size"] / before["size"], 2),
                       "time_ratio": _ratio(after["wall_s"], before["wall_s"])})  # fmt: skip
    mid = min(sizes, key=lambda n: abs(n - 4000))
    log(f"scaling: one file of {mid} trivial functions, --jobs 2")
    jobs2 = _run(paths[mid], 2, ONE_FILE_ARGS, timeout_s)
    jobs1 = next(r for r in rows if r["size"] == mid)
    jobs2["size"] = mid
    return {"args": ONE_FILE_ARGS, "rows": rows, "growth": growth,
            "jobs": {"size": mid, "jobs1": jobs1, "jobs2": jobs2,
                     "jobs2_over_jobs1": _ratio(jobs2["wall_s"], jobs1["wall_s"])}}  # fmt: skip


def cache_rows(target: str, args: list[str], cores: int, timeout_s: float,
               log=print) -> dict[str, Any]:  # fmt: skip
    """`prooflens check TARGET` on all cores twice with one fresh PROOFLENS_CACHE_DIR."""
    cache_dir = tempfile.mkdtemp(prefix="bench-cache-")
    shown = os.path.relpath(target, os.path.dirname(HERE))
    log(f"scaling: prooflens check {shown} {' '.join(args)} --jobs {cores}: cold, then warm cache")
    cold = _run(target, cores, args, timeout_s, cache_dir)
    warm = _run(target, cores, args, timeout_s, cache_dir)
    same = cold["verdicts"] == warm["verdicts"] and cold["functions"] == warm["functions"]
    return {"target": shown, "args": args, "jobs": cores, "cold": cold, "warm": warm,
            "warm_over_cold": _ratio(warm["wall_s"], cold["wall_s"]),
            "same_results": same}  # fmt: skip


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator else None
