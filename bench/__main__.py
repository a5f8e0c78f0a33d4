"""`python -m bench`: run every benchmark section and write RESULTS.md and results.json.

Profiles: `default` (about 20 minutes on 2 cores), `long` (prooflens's own default budgets,
more repetitions), `smoke` (seconds; for the test suite). See bench/README.md.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

from bench import corpus, coverage_python, latency, machine, report, run_corpus, scaling
from bench.peers import crosshair, framac

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SECTIONS = ("corpus", "latency", "scaling", "coverage_py")


@dataclass(frozen=True)
class Profile:
    budget_s: float  # per function: prooflens deep and every peer
    quick_s: float  # prooflens quick (the editor's on-change mode)
    latency_opens: int  # cold didOpen repetitions per seed file
    latency_edits: int  # keystroke repetitions per file
    generated_opens: int  # cold didOpen repetitions of the 2,000-line file
    many_files: int  # documents open at once for the memory figure
    scaling_functions: int
    scaling_args: tuple[str, ...]  # prooflens check flags for the scaling runs
    one_file: tuple[int, ...] = (1000, 4000, 16000)  # trivial functions in one file
    cache_target: str = "samples"  # `prooflens check` cold then warm cache (under ROOT)
    cache_args: tuple[str, ...] = ()  # its flags (none: the README's first command)


PROFILES = {
    "default": Profile(4.0, 2.0, 3, 5, 2, 50, 1000, ("--quick",)),
    "long": Profile(10.0, 2.0, 10, 20, 5, 50, 1000, ("--timeout", "10")),
    "smoke": Profile(1.0, 1.0, 1, 1, 1, 2, 20, ("--quick",), (20, 40),
                     os.path.join("samples", "seed.py"), ("--quick", "--no-replay")),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--profile", choices=sorted(PROFILES), default="default")
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated subset of {','.join(SECTIONS)}",
    )
    parser.add_argument(
        "--only", nargs="*", default=None, help="corpus functions to run (name or file::name)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds per function for prooflens deep and the peers",
    )
    parser.add_argument("--no-peers", action="store_true", help="do not run CrossHair/Frama-C")
    parser.add_argument("--corpus", default=corpus.CORPUS_DIR, help="corpus folder")
    parser.add_argument("--out", default=HERE, help="folder for RESULTS.md and results.json")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument(
        "--render",
        metavar="RESULTS_JSON",
        help="only rewrite RESULTS.md (in --out) from an earlier results.json",
    )
    return parser  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    profile = PROFILES[args.profile]
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    if args.render:
        with open(args.render, encoding="utf-8") as handle:
            earlier = json.load(handle)
        with open(os.path.join(args.out, "RESULTS.md"), "w", encoding="utf-8") as handle:
            handle.write(report.markdown(earlier))
        return 0
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    began = time.perf_counter()
    budget = args.budget if args.budget is not None else profile.budget_s
    peers = {}
    if not args.no_peers:
        peers = {crosshair.NAME: crosshair.version() if crosshair.available() else None,
                 framac.NAME: framac.version() if framac.available() else None}  # fmt: skip
    results: dict[str, Any] = {
        "machine": machine.describe(peers),
        "profile": args.profile,
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "budget_s": budget, "quick_s": profile.quick_s,
    }  # fmt: skip
    if "corpus" in sections:
        results["corpus"] = _corpus(args, budget, profile, log)
    if "latency" in sections:
        results["latency"] = _latency(profile, budget, log)
    if "scaling" in sections:
        results["scaling"] = scaling.run(
            profile.scaling_functions, list(profile.scaling_args), profile.one_file,
            os.path.join(ROOT, profile.cache_target), profile.cache_args, log=log)
    if "coverage_py" in sections:
        results["coverage_py"] = _coverage_py(log)
    results["duration_s"] = round(time.perf_counter() - began, 1)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.json"), "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1)
    with open(os.path.join(args.out, "RESULTS.md"), "w", encoding="utf-8") as handle:
        handle.write(report.markdown(results))
    log(f"wrote {os.path.join(args.out, 'RESULTS.md')} in {results['duration_s']} s")
    return 0


def _corpus(args: argparse.Namespace, budget: float, profile: Profile, log) -> dict[str, Any]:
    cases = corpus.load(args.corpus, args.only)
    settings = run_corpus.budget_for(budget, profile.quick_s)
    out = run_corpus.run(cases, settings, not args.no_peers, log)
    rows = out["rows"]
    return {"functions": len(cases), "rows": rows,
            "summary": run_corpus.summarise(rows),
            "overhead": run_corpus.overhead(rows),
            "wrong": run_corpus.wrong_answers(rows),
            "peer_wins": run_corpus.peer_wins(rows),
            "startup_ms": _startup_costs(args, log)}  # fmt: skip


def _coverage_py(log) -> dict[str, Any]:
    """Python coverage on the interpreter's stdlib (bench/coverage_python.py), printed."""
    data = coverage_python.run(log=log)
    log(coverage_python.render(data))
    return {k: v for k, v in data.items() if k != "outcomes"}


def _startup_costs(args: argparse.Namespace, log) -> dict[str, float]:
    """Process start-up of each tool on an empty input, to read per-function times."""
    from bench.peers import common

    out = {}
    runs = {"prooflens check (CLI)": [sys.executable, "-m", "prooflens", "check", "--help"]}
    if not args.no_peers and crosshair.available():
        runs["CrossHair"] = [sys.executable, "-m", "crosshair", "check", "--help"]
    if not args.no_peers and framac.available():
        runs["Frama-C"] = ["frama-c", "-version"]
    for name, argv in runs.items():
        times = [common.run(argv, 60).elapsed_ms for _ in range(3)]
        out[name] = round(sorted(times)[1], 1)
    log(f"start-up costs: {out}")
    return out


def _latency(profile: Profile, budget_s: float, log) -> dict[str, Any]:
    seeds = sorted(glob.glob(os.path.join(ROOT, "samples", "seed.py")) +
                   glob.glob(os.path.join(ROOT, "samples", "seed.c")))  # not seed.*.expected
    settings = {
        "mode": "onChange",
        "debounceMs": 300,
        "workers": 0,
        "replay": True,
        "timeoutSeconds": budget_s,
    }
    return latency.run(
        seeds,
        settings,
        profile.latency_opens,
        profile.latency_edits,
        profile.generated_opens,
        profile.many_files,
        timeout=180,
        log=log,
    )


if __name__ == "__main__":
    sys.exit(main())
