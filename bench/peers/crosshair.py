"""CrossHair (symbolic execution of Python) on the corpus's Python functions.

Each function gets a harness appended to a copy of its file, so that CrossHair's
"asserts" mode checks it with the same preconditions prooflens uses (the function's
leading asserts) and, for `always-true`, an `assert` on the returned value:

    def _bench_f(x: int, y: int) -> None:
        assert <f's leading asserts, or True>
        _r = f(x, y)
        assert _r            # only for functions labelled always-true

Mapping: `Confirmed over all paths` -> every safety property proved; an AssertionError at
the `assert _r` line -> always-true refuted, at the call -> assertion refuted;
ZeroDivisionError -> division-by-zero refuted; anything else -> unknown. CrossHair does not
analyse termination (reported as missing = don't know).
"""

from __future__ import annotations

import ast
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

from bench.corpus import Case
from bench.peers import common
from bench.scoring import MISSING, PROVED, REFUTED, UNKNOWN, hard_limit

NAME = "CrossHair"
SAFETY = ("assertion", "always-true", "division-by-zero")
_LINE = re.compile(r"^(?P<path>.*?):(?P<line>\d+): (?P<level>error|info): (?P<message>.*)$")


def available() -> bool:
    return common.which("crosshair") is not None


def version() -> str | None:
    try:
        from importlib.metadata import version as dist_version

        return f"crosshair-tool {dist_version('crosshair-tool')}"
    except Exception:
        return None


@dataclass(frozen=True)
class Harness:
    """Where a case's harness sits in the generated file."""

    path: str
    def_line: int
    call_line: int
    result_line: int | None


def build_harnesses(cases: list[Case], workdir: str) -> dict[str, Harness]:
    """One copy per corpus file with a harness per case appended; keyed by case ident."""
    by_file: dict[str, list[Case]] = {}
    for case in cases:
        if case.language == "python":
            by_file.setdefault(case.path, []).append(case)
    out: dict[str, Harness] = {}
    for path, file_cases in by_file.items():
        stem = os.path.splitext(os.path.basename(path))[0]
        target = os.path.join(workdir, f"{stem}_crosshair.py")
        lines = file_cases[0].text.rstrip("\n").splitlines()
        tree = ast.parse(file_cases[0].text)
        defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        for case in file_cases:
            lines.extend(["", ""])
            harness_lines, offsets = _harness(case, defs[case.name], file_cases[0].text)
            start = len(lines) + 1
            lines.extend(harness_lines)
            result = start + offsets[1] if offsets[1] is not None else None
            out[case.ident] = Harness(target, start, start + offsets[0], result)
        with open(target, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    return out


def _harness(case: Case, node: ast.FunctionDef, text: str) -> tuple[list[str], tuple]:
    signature = ", ".join(
        f"{a.arg}: {ast.unparse(a.annotation)}" if a.annotation else a.arg for a in node.args.args
    )
    leading = []
    for stmt in node.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring
        if not isinstance(stmt, ast.Assert):
            break
        leading.append("    " + (ast.get_source_segment(text, stmt) or "assert True"))
    body = [f"def _bench_{case.name}({signature}) -> None:"]
    body.extend(leading or ["    assert True"])
    call = len(body)
    body.append(f"    _r = {case.name}({', '.join(case.params)})")
    result = None
    if "always-true" in case.expected:
        result = len(body)
        body.append("    assert _r")
    return body, (call, result)


def check(case: Case, harness: Harness, budget_s: float) -> dict[str, Any]:
    argv = [sys.executable, "-m", "crosshair", "check", "--analysis_kind", "asserts",
            "--report_all", "--per_condition_timeout", f"{budget_s:g}",
            f"{harness.path}:{harness.def_line}"]  # fmt: skip
    done = common.run(argv, hard_limit(budget_s), cwd=os.path.dirname(harness.path))
    verdicts, note = _verdicts(case, harness, done)
    return {"verdicts": verdicts, "time_ms": done.elapsed_ms, "note": note,
            "raw": (done.stdout + done.stderr)[-1500:]}  # fmt: skip


def _verdicts(case: Case, harness: Harness, done: common.Completed) -> tuple[dict, str]:
    verdicts = {p: (MISSING if p not in SAFETY else UNKNOWN) for p in case.expected}
    if done.returncode is None:
        return verdicts, "killed at the hard limit"
    confirmed = False
    notes = []
    for line in done.stdout.splitlines():
        match = _LINE.match(line.strip())
        if not match:
            continue
        message, at = match.group("message"), int(match.group("line"))
        if match.group("level") == "info":
            confirmed = confirmed or message.startswith("Confirmed over all paths")
            notes.append(message)
            continue
        prop = _property_of(message, at, harness)
        notes.append(message[:160])
        if prop in verdicts:
            verdicts[prop] = REFUTED
    if confirmed and REFUTED not in verdicts.values():
        for prop in SAFETY:
            if prop in verdicts:
                verdicts[prop] = PROVED
    if done.returncode == 2:
        notes.append("crosshair could not run: " + done.stderr.strip()[-200:])
    return verdicts, "; ".join(notes)[:400]


def _property_of(message: str, line: int, harness: Harness) -> str | None:
    if message.startswith("AssertionError"):
        return "always-true" if line == harness.result_line else "assertion"
    if message.startswith("ZeroDivisionError"):
        return "division-by-zero"
    return None
