"""Precision of findings (issue 15): every error-level finding prooflens shows on real,
unmodified code, with a manual label kept in `bench/precision_labels.json`.

Corpora (installed by `bench/setup_corpora.sh`, never committed): the PyPI package
`algorithms` (an algorithm collection), the interpreter's own algorithmic stdlib modules
(read in place) and a sample of Debian's gnulib. Each file is checked as `prooflens check`
does (deep, replay on; a smaller budget per function to keep the run short), and each
finding whose severity is error (`presentation.severity`) is one row.

A label says what a maintainer would make of the finding, read against the code:
`real bug` (they would fix it), `extreme value` (a true defect only at extreme inputs,
e.g. INT_MAX), `precondition` (depends on a precondition the code states nowhere),
`noise` (not worth a programmer's attention). The table gives the share of real bugs and
extreme-value defects (issue 15's target: at least 70 %), and says how many rows have no
label yet: a new finding is listed, never silently counted.

`python -m bench.precision [--corpus NAME ...] [--json OUT]`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import sysconfig
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from prooflens.analysis import presentation
from prooflens.analysis.check import check_path
from prooflens.analysis.settings import Settings

LABELS_FILE = Path(__file__).with_name("precision_labels.json")
LABELS = ("real bug", "extreme value", "precondition", "noise")
GOOD = ("real bug", "extreme value")
TIMEOUT_S = 3.0  # per function: smaller than the CLI's 10 s, so the run stays short
GNULIB_FILES = 150  # an evenly spread sample of gnulib's 1,481 files


def corpora() -> dict[str, tuple[str, list[str]]]:
    """Corpus name -> (root, its files): only the corpora that are installed."""
    from bench import coverage_c, coverage_python

    out: dict[str, tuple[str, list[str]]] = {}
    algorithms = os.environ.get("PROOFLENS_CORPUS_ALGORITHMS",
                                os.path.expanduser("~/.cache/prooflens-corpora/algorithms"))
    if os.path.isdir(algorithms):
        out["algorithms"] = (algorithms, sorted(str(p) for p in Path(algorithms).rglob("*.py")))
    stdlib = sysconfig.get_paths()["stdlib"]
    out["stdlib"] = (stdlib, [os.path.join(stdlib, f"{m}.py") for m in coverage_python.MODULES])
    gnulib = coverage_c.CORPORA.get("gnulib", "")
    if os.path.isdir(gnulib):
        out["gnulib"] = (gnulib, coverage_c.corpus_files(gnulib, GNULIB_FILES))
    return out


@dataclass(frozen=True)
class Finding:
    """One error-level finding: where, what, and its label (None: not labelled yet)."""

    key: str  # corpus/relative path::function::property#n (no line: stable across versions)
    line: int
    message: str
    label: str | None
    why: str | None


def findings(name: str, root: str, files: list[str], labels: dict[str, dict[str, str]],
             settings: Settings, log: Any = None) -> list[Finding]:  # fmt: skip
    """The error-level findings of `files`; `log` (print-like) sees each as it is found."""
    out = []
    for path in files:
        report = check_path(path, settings)
        relative = os.path.relpath(path, root)
        for fn in report.functions:
            seen: Counter[str] = Counter()
            for result in fn.results:
                if presentation.severity(result, fn.always_true_requested) != "error":
                    continue
                seen[result.property] += 1
                key = f"{name}/{relative}::{fn.name}::{result.property}#{seen[result.property]}"
                label = labels.get(key, {})
                out.append(Finding(key, result.line, result.message, label.get("label"),
                                   label.get("why")))  # fmt: skip
                if log is not None:
                    log(f"precision: {key} (line {result.line}): {result.message}")
    return out


def summary(rows: list[Finding]) -> dict[str, Any]:
    counts = Counter(r.label or "unlabelled" for r in rows)
    labelled = sum(counts[label] for label in LABELS)
    good = sum(counts[label] for label in GOOD)
    predicates = sum(1 for r in rows if "::always-true#" in r.key)
    return {"errors": len(rows), "by_label": dict(counts), "labelled": labelled,
            "good_share": round(good / labelled, 3) if labelled else None,
            "predicates": predicates}  # fmt: skip


def render(data: dict[str, Any]) -> str:
    s = data["summary"]
    share = "n/a" if s["good_share"] is None else f"{100 * s['good_share']:.0f} %"
    lines = [f"precision: {s['errors']} error-level findings, {s['labelled']} labelled; "
             f"real bugs + extreme values: {share} (target >= 70 %); predicates among them: "
             f"{s['predicates']}",
             "| label | findings |", "|---|---|"]  # fmt: skip
    lines += [f"| {label} | {s['by_label'].get(label, 0)} |" for label in (*LABELS, "unlabelled")]
    lines += ["", "| finding | line | label | why / message |", "|---|---|---|---|"]
    for row in data["rows"]:
        text = row["why"] or row["message"]
        lines.append(f"| `{row['key']}` | {row['line']} | {row['label'] or '**unlabelled**'} "
                     f"| {text.replace('|', '/')[:160]} |")  # fmt: skip
    return "\n".join(lines)


def run(names: list[str] | None = None, quiet: bool = False) -> dict[str, Any]:
    """The bench section: findings of every installed corpus, with their labels."""
    labels = json.loads(LABELS_FILE.read_text(encoding="utf-8")) if LABELS_FILE.exists() else {}
    settings = Settings(timeout_s=TIMEOUT_S)
    rows: list[Finding] = []
    seconds: dict[str, float] = {}
    for name, (root, files) in corpora().items():
        if names and name not in names:
            continue
        began = time.perf_counter()
        rows += findings(name, root, files, labels, settings, None if quiet else print)
        seconds[name] = round(time.perf_counter() - began, 1)
        if not quiet:
            print(f"precision: {name}: {len(files)} files in {seconds[name]} s", flush=True)
    data = {"summary": summary(rows), "seconds": seconds, "rows": [asdict(r) for r in rows]}
    if not quiet:
        print(render(data), flush=True)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.precision", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", nargs="*", help="only these corpora (algorithms, stdlib, "
                        "gnulib)")  # fmt: skip
    parser.add_argument("--json", help="write the rows here")
    args = parser.parse_args(argv)
    data = run(args.corpus)
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
