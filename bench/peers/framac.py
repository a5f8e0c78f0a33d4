"""Frama-C (EVA abstract interpretation, then WP deductive proof) on the corpus's C functions.

Each function gets a harness appended to a copy of its file and is analysed from there
(`-main _bench_f`; EVA gives every parameter its whole range, i.e. all inputs):

    void _bench_f(int x, int y) { bool _r = f(x, y); assert(_r); }  /* always-true */
    void _bench_f(int x, int y) { (void)f(x, y); }                  /* otherwise */

One frama-c process per function: `-eva` then `-wp -wp-rte` on f and its harness (WP adds
proofs where EVA stays unsure), `-report-csv` after each step. Mapping of the consolidated
property statuses in f (and the harness's assert for always-true): Valid/Dead -> proved,
Invalid (or an EVA "got status invalid" message at that line) -> refuted, Unknown ->
unknown; a runtime-error kind with no alarm at all after a complete EVA run -> proved.
Termination: EVA's "NON TERMINATING FUNCTION" for f -> refuted; otherwise missing (Frama-C
proves termination only from ACSL `loop variant`s, which the corpus does not have).
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from typing import Any

from bench.corpus import Case
from bench.peers import common
from bench.scoring import MISSING, PROVED, REFUTED, UNKNOWN, aggregate, hard_limit

NAME = "Frama-C"
EVA_PRECISION = 2
_KINDS = {
    "signed_overflow": "signed-overflow",
    "division_by_zero": "division-by-zero",
    "shift": "shift-out-of-range",
    "index_bound": "array-out-of-bounds",
}
_RUNTIME = tuple(_KINDS.values())
_INVALID_MSG = re.compile(r":(\d+): Warning:\s*\n?\s*function __FC_assert: precondition "
                          r"'nonnull_c' got status invalid")  # fmt: skip


def available() -> bool:
    return common.which("frama-c") is not None


def version() -> str | None:
    found = common.version(["frama-c", "-version"])
    return f"Frama-C {found}" if found else None


@dataclass(frozen=True)
class Harness:
    path: str
    main: str
    assert_line: int | None


def build_harnesses(cases: list[Case], workdir: str) -> dict[str, Harness]:
    by_file: dict[str, list[Case]] = {}
    for case in cases:
        if case.language == "c":
            by_file.setdefault(case.path, []).append(case)
    out: dict[str, Harness] = {}
    for path, file_cases in by_file.items():
        stem = os.path.splitext(os.path.basename(path))[0]
        target = os.path.join(workdir, f"{stem}_framac.c")
        lines = file_cases[0].text.rstrip("\n").splitlines()
        lines.extend(["", "#include <assert.h>", "#include <stdbool.h>"])
        for case in file_cases:
            signature = _signature(case)
            args = ", ".join(case.params)
            main = f"_bench_{case.name}"
            lines.append("")
            if "always-true" in case.expected:
                lines.append(f"void {main}({signature}) {{")
                lines.append(f"    bool _r = {case.name}({args});")
                lines.append("    assert(_r);")
                out[case.ident] = Harness(target, main, len(lines))
                lines.append("}")
            else:
                lines.append(f"void {main}({signature}) {{ (void){case.name}({args}); }}")
                out[case.ident] = Harness(target, main, None)
        with open(target, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    return out


def _signature(case: Case) -> str:
    lines = case.text.splitlines()[case.line - 1 : case.end_line]
    head = " ".join(lines).split("{", 1)[0]
    inside = head[head.index("(") + 1 : head.rindex(")")]
    return inside.strip() or "void"


def check(case: Case, harness: Harness, budget_s: float, workdir: str) -> dict[str, Any]:
    eva_csv = os.path.join(workdir, f"{case.name}.eva.csv")
    all_csv = os.path.join(workdir, f"{case.name}.all.csv")
    for stale in (eva_csv, all_csv):
        if os.path.exists(stale):
            os.remove(stale)
    wp_timeout = max(1, int(budget_s / 2))
    argv = ["frama-c", harness.path, "-eva", "-main", harness.main,
            "-eva-precision", str(EVA_PRECISION), "-then", "-report-csv", eva_csv,
            "-then", "-wp", "-wp-rte", "-wp-fct", f"{case.name},{harness.main}",
            "-wp-prover", "z3", "-wp-timeout", str(wp_timeout),
            "-then", "-report-csv", all_csv]  # fmt: skip
    done = common.run(argv, hard_limit(budget_s), cwd=workdir)
    report = all_csv if os.path.exists(all_csv) else eva_csv
    rows = _rows(report, {case.name, harness.main}) if os.path.exists(report) else None
    verdicts = _verdicts(case, harness, rows, done.stdout + done.stderr)
    note = (
        "EVA+WP"
        if report == all_csv
        else (
            "EVA only (WP cut by the budget)"
            if rows is not None
            else "no report (budget exhausted)"
        )
    )
    return {"verdicts": verdicts, "time_ms": done.elapsed_ms, "note": note,
            "raw": (done.stdout + done.stderr)[-1500:]}  # fmt: skip


def _rows(path: str, functions: set[str]) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader, None)
        if header is None:
            return []
        keys = [h.strip().lower() for h in header]
        rows = [dict(zip(keys, row, strict=False)) for row in reader]
    return [r for r in rows if r.get("function") in functions]


def _status(text: str) -> str:
    text = text.lower()
    if text.startswith("invalid"):
        return REFUTED
    if text.startswith("valid") or text.startswith("dead") or "considered valid" in text:
        return PROVED
    return UNKNOWN


def _verdicts(case: Case, harness: Harness, rows: list[dict[str, str]] | None,
              log: str) -> dict[str, str]:  # fmt: skip
    verdicts = dict.fromkeys(case.expected, UNKNOWN)
    if "termination" in verdicts:
        verdicts["termination"] = MISSING
    if rows is None:
        return verdicts
    invalid_lines = {int(m.group(1)) for m in _INVALID_MSG.finditer(log)}
    found: dict[str, list[str]] = {}
    for row in rows:
        prop = _property(row, harness)
        if prop is None:
            continue
        status = _status(row.get("status", ""))
        if (
            status == UNKNOWN
            and _line(row) in invalid_lines
            and prop in ("assertion", "always-true")
        ):
            status = REFUTED
        found.setdefault(prop, []).append(status)
    for prop in verdicts:
        if prop in found:
            verdicts[prop] = aggregate(found[prop])
        elif prop in _RUNTIME:
            verdicts[prop] = PROVED  # EVA ran to the end and raised no alarm of this kind
    if "termination" in verdicts and _nonterminating(log, case.name):
        verdicts["termination"] = REFUTED
    return verdicts


def _line(row: dict[str, str]) -> int:
    try:
        return int(row.get("line", "0"))
    except ValueError:
        return 0


def _property(row: dict[str, str], harness: Harness) -> str | None:
    kind = row.get("property kind", "")
    if kind.startswith("precondition of __FC_assert"):
        return "always-true" if row.get("function") == harness.main else "assertion"
    for key, prop in _KINDS.items():
        if kind.startswith(key):
            return prop
    return None


def _nonterminating(log: str, name: str) -> bool:
    """EVA prints NON TERMINATING FUNCTION in the summary of a function that never returns
    (for every input it reaches)."""
    return "NON TERMINATING FUNCTION" in log
