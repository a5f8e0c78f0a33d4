"""Coverage on real, unmodified C: how many function definitions prooflens analyses.

The corpus is installed by `bench/setup_corpora.sh` (Debian's `gnulib`: portable C library
sources under /usr/share/gnulib/lib), never committed. Every `.c` file is checked in quick
mode without replay (the question is "is the function read and modelled", not "is it
proved"); a function counts as *analysed* when it has any result other than `unsupported`.
Run alone: `python -m bench.coverage_c [--limit N] [--json OUT] [PATH ...]`.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

CORPORA = {"gnulib": os.environ.get("PROOFLENS_CORPUS_GNULIB", "/usr/share/gnulib/lib")}
TOP_BLOCKERS = 15


@dataclass
class Coverage:
    """Totals over one corpus."""

    corpus: str
    files: int = 0
    file_errors: int = 0
    definitions: int = 0
    analysed: int = 0
    seconds: float = 0.0
    blockers: Counter = field(default_factory=Counter)

    def percent(self) -> float:
        return 100.0 * self.analysed / self.definitions if self.definitions else 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["blockers"] = self.blockers.most_common()
        data["analysed_percent"] = round(self.percent(), 1)
        data["ms_per_function"] = round(1000 * self.seconds / max(1, self.definitions), 1)
        return data


# A reason's specific parts (names, numbers, quoted text) are replaced so that reasons
# with the same cause count together: "call to foo" and "call to bar" are one blocker.
_NORMALISERS = (
    (re.compile(r"; (?:not found|left out[^:;]*): #include .*?(?=\)|;|$)"), ""),
    (re.compile(r" \((line \d+|in [^)]*)\)"), ""),
    (re.compile(r"\(at [^)]*\)"), ""),
    (re.compile(r"<stdin>:\d+(:\d+)?:?"), ""),
    (re.compile(r"'[^']*'|`[^`]*`|\"[^\"]*\""), "X"),
    (re.compile(r"#include <[^>]*>"), "#include <X>"),
    (re.compile(r"\bcall to (unknown function )?[A-Za-z_]\w*"), r"call to \1X"),
    (re.compile(r"\b(function|identifier|type|global|variable) (?!has\b|which\b)[A-Za-z_]\w*"),
     r"\1 X"),
    (re.compile(r"\b0x[0-9a-fA-F]+\b|\b\d+\b"), "N"),
    (re.compile(r" at line N.*$"), ""),
)


def normalise(reason: str) -> str:
    """The blocker class of an `unsupported` reason."""
    text = reason.strip()
    for pattern, repl in _NORMALISERS:
        text = pattern.sub(repl, text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:110]


def corpus_files(root: str, limit: int | None = None) -> list[str]:
    """The `.c` files under `root`, sorted; with `limit`, an evenly spread sample."""
    files = sorted(glob.glob(os.path.join(root, "**", "*.c"), recursive=True))
    if limit and len(files) > limit:
        step = len(files) / limit
        files = [files[int(i * step)] for i in range(limit)]
    return files


def measure(name: str, files: list[str], timeout_s: float = 2.0) -> Coverage:
    """Check every file (quick, no replay) and count definitions and their outcome."""
    from prooflens.analysis import check
    from prooflens.analysis.settings import Settings

    settings = Settings.quick(timeout_s=timeout_s, replay=False)
    cov = Coverage(name)
    for path in files:
        began = time.perf_counter()
        report = check.check_path(path, settings)
        cov.seconds += time.perf_counter() - began
        cov.files += 1
        if report.error:
            cov.file_errors += 1
            cov.blockers[f"file: {normalise(report.error)}"] += 1
            continue
        for fn in report.functions:
            cov.definitions += 1
            unsupported = [r for r in fn.results if r.status == "unknown"
                           and r.property == "unsupported"]  # fmt: skip
            if unsupported and len(unsupported) == len(fn.results):
                cov.blockers[normalise(unsupported[0].reason or "")] += 1
            else:
                cov.analysed += 1
    return cov


def render(cov: Coverage) -> str:
    """The text table printed by the bench."""
    lines = [
        f"## C coverage: {cov.corpus}",
        f"files: {cov.files} ({cov.file_errors} not readable as C)",
        f"function definitions: {cov.definitions}",
        f"analysed: {cov.analysed} ({cov.percent():.1f} %)",
        f"time: {cov.seconds:.1f} s, {1000 * cov.seconds / max(1, cov.definitions):.1f} ms"
        " per function",
        f"top {TOP_BLOCKERS} blockers (functions not analysed):",
    ]
    for reason, count in cov.blockers.most_common(TOP_BLOCKERS):
        lines.append(f"  {count:6d}  {reason}")
    return "\n".join(lines)


def run(limit: int | None = None, quiet: bool = False) -> dict[str, Any]:
    """The bench section: every installed corpus (a missing one is reported, not fatal)."""
    out: dict[str, Any] = {}
    for name, root in CORPORA.items():
        if not os.path.isdir(root):
            out[name] = {"error": f"{root} not found: run bench/setup_corpora.sh"}
            continue
        cov = measure(name, corpus_files(root, limit))
        if not quiet:
            print(render(cov), flush=True)
        out[name] = cov.to_json()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.coverage_c", description=__doc__)
    parser.add_argument("paths", nargs="*", help="files or folders (default: the corpora)")
    parser.add_argument("--limit", type=int, default=None, help="files per corpus (a sample)")
    parser.add_argument("--json", default=None, help="write the totals here")
    args = parser.parse_args(argv)
    if args.paths:
        files = [f for p in args.paths
                 for f in ([p] if os.path.isfile(p) else corpus_files(p))]  # fmt: skip
        cov = measure("paths", files[: args.limit] if args.limit else files)
        print(render(cov))
        result: dict[str, Any] = {"paths": cov.to_json()}
    else:
        result = run(args.limit)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(result, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
