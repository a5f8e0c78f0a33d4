"""Section 5: `prooflens check --jobs N` over a generated folder of 1,000 functions with
1, 2 and all cores, and again with a warm on-disk cache when the CLI has one."""

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


def cli_cache_flag() -> str | None:
    """The CLI's cache option if `prooflens check --help` lists one (else None)."""
    done = subprocess.run([sys.executable, "-m", "prooflens", "check", "--help"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    for flag in ("--cache-dir", "--cache"):
        if flag in done.stdout:
            return flag
    return None


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(folder: str, jobs: int, extra: list[str], timeout_s: float) -> dict[str, Any]:
    out = os.path.join(tempfile.mkdtemp(prefix="bench-scale-"), "report.json")
    argv = [sys.executable, "-m", "prooflens", "check", folder, "--format", "json",
            "--output", out, "--jobs", str(jobs), *extra]  # fmt: skip
    cpu0, began = _child_cpu(), time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, check=False)
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


def run(functions: int, mode_args: list[str], timeout_s: float = 1800, log=print) -> dict:
    folder = generate.scaling_folder(tempfile.mkdtemp(prefix="bench-scale-src-"), functions)
    cores = os.cpu_count() or 1
    job_counts = sorted({1, 2, cores})
    runs = []
    for jobs in job_counts:
        log(f"scaling: {functions} functions, --jobs {jobs} {' '.join(mode_args)}")
        runs.append(_run(folder, jobs, mode_args, timeout_s))
    flag = cli_cache_flag()
    cache_note = None
    if flag:
        cache_dir = tempfile.mkdtemp(prefix="bench-cache-")
        args = [*mode_args, flag, cache_dir]
        log(f"scaling: cold then warm cache ({flag})")
        cold = _run(folder, cores, args, timeout_s)
        cold["label"] = "cold cache"
        warm = _run(folder, cores, args, timeout_s)
        warm["label"] = "warm cache"
        runs.extend([cold, warm])
    else:
        cache_note = (
            "`prooflens check` has no on-disk cache option in this version "
            "(the language server caches per unit; the CLI re-checks everything), "
            "so there is no warm-cache row."
        )
    return {"functions": functions, "cores": cores, "mode_args": mode_args, "runs": runs,
            "cache_note": cache_note}  # fmt: skip
