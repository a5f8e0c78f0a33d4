"""Coverage of real Python: how many function definitions prooflens analyses.

The corpus is the pure-Python algorithmic modules of the interpreter's own standard library,
read in place (`sysconfig.get_paths()["stdlib"]`; never copied into the repository). Every
`def`, `async def` and lambda assigned to a name (at any depth, found with `ast`) is one
definition; each is classified by what `check_text` reports for it in quick mode:

- analysed: reported, and lowered to the IR (a result other than unsupported or tested);
- tested: only `tested` results (run on generated inputs, not analysed symbolically);
- unsupported: an `unsupported` result; its reason "unsupported X at line L" counts as X;
- not reported: no unit at the definition's line.

`python -m bench.coverage_python [--modules a,b] [--json FILE] [--verbose]` prints the
per-module table and the top blockers; `python -m bench --sections coverage_py` runs it too.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import statistics
import sys
import sysconfig
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from prooflens.analysis.check import check_text
from prooflens.analysis.settings import Settings
from prooflens.analysis.verdicts import FunctionReport

MODULES = ("bisect", "heapq", "colorsys", "fractions", "statistics", "textwrap", "calendar",
           "base64", "ipaddress", "datetime", "random", "string")  # fmt: skip
TOP_BLOCKERS = 15
_AT_LINE = re.compile(r"^unsupported (.*) at line \d+$", re.S)
_IN_CALLEE = re.compile(r" \(line \d+, in called function [\w.]+\)")
# Reasons that name a variable or function: counted without the name.
_NAMED = re.compile(r"^(global name|possibly unassigned variable|variable|call to local variable"
                    r"|function|use of the result of|bool parameter|call to [\w.]+ with)"
                    r" [\w.]+")  # fmt: skip


@dataclass(frozen=True)
class Definition:
    """One function definition of the corpus, as `ast` sees it."""

    module: str
    qualname: str
    line: int  # the `def` keyword's line (a lambda: its assignment's line)
    kind: str  # "function" | "method" | "nested" | "lambda"


@dataclass(frozen=True)
class Outcome:
    """What prooflens reported for one definition."""

    definition: Definition
    status: str  # "analysed" | "tested" | "unsupported" | "not reported"
    reason: str | None = None  # normalised blocker of an unsupported unit
    raw_reason: str | None = None
    time_ms: float = 0.0


@dataclass
class ModuleRow:
    module: str
    definitions: int = 0
    analysed: int = 0
    tested: int = 0
    unsupported: int = 0
    not_reported: int = 0
    seconds: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)


# ------------------------------------------------------------------------- definitions


def definitions(module: str, text: str) -> list[Definition]:
    """Every function definition of `text`, with a dotted name (`Class.method`, `f.inner`)."""
    tree = ast.parse(text)
    found: list[Definition] = []
    stack: list[tuple[ast.AST, str, str]] = [(tree, "", "module")]
    while stack:
        node, prefix, scope = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                kind = {"module": "function", "class": "method"}.get(scope, "nested")
                found.append(Definition(module, prefix + child.name, child.lineno, kind))
                stack.append((child, f"{prefix}{child.name}.", "function"))
            elif isinstance(child, ast.ClassDef):
                stack.append((child, f"{prefix}{child.name}.", "class"))
            elif isinstance(child, ast.Assign | ast.AnnAssign) and isinstance(
                child.value, ast.Lambda
            ):
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        found.append(Definition(module, prefix + target.id, child.lineno,
                                                "lambda"))  # fmt: skip
            else:
                stack.append((child, prefix, scope))
    return sorted(found, key=lambda d: (d.line, d.qualname))


# ---------------------------------------------------------------------- classification


def normalise(reason: str | None) -> str:
    """`unsupported X at line L` -> X, without callee positions and variable names."""
    text = (reason or "no reason").strip()
    match = _AT_LINE.match(text)
    if match:
        text = match.group(1)
    text, nested = _IN_CALLEE.subn("", text)
    if nested:
        text += " (in a called function)"
    named = _NAMED.match(text)
    if named:
        text = named.group(1) + " X" + text[named.end():]
    if text.startswith("call to ") and "." in text.split()[2]:
        text = "call to a method or attribute (." + text.split()[2].rsplit(".", 1)[1] + ")"
    if text.startswith("internal error"):
        text = "internal error"
    return text


def classify(definition: Definition, report: FunctionReport | None) -> Outcome:
    if report is None:
        return Outcome(definition, "not reported")
    unsupported = [r for r in report.results if r.property == "unsupported"]
    if unsupported:
        raw = unsupported[0].reason or unsupported[0].message
        return Outcome(definition, "unsupported", normalise(raw), raw, report.time_ms)
    if report.results and all(r.status == "tested" for r in report.results):
        return Outcome(definition, "tested", time_ms=report.time_ms)
    return Outcome(definition, "analysed", time_ms=report.time_ms)


def match(defs: list[Definition], reports: tuple[FunctionReport, ...]) -> list[Outcome]:
    """Pair definitions with reports by line, then by name (full or last component)."""
    by_line: dict[int, list[FunctionReport]] = {}
    for report in reports:
        by_line.setdefault(report.line, []).append(report)
    outcomes = []
    for definition in defs:
        short = definition.qualname.rsplit(".", 1)[-1]
        candidates = [r for r in by_line.get(definition.line, [])
                      if r.name in (definition.qualname, short)]  # fmt: skip
        outcomes.append(classify(definition, candidates[0] if candidates else None))
    return outcomes


# ------------------------------------------------------------------------------ running


def module_path(module: str) -> str:
    return os.path.join(sysconfig.get_paths()["stdlib"], module + ".py")


def run(modules: tuple[str, ...] = MODULES, settings: Settings | None = None,
        log=print) -> dict[str, Any]:  # fmt: skip
    """Check every module; the per-module rows, the blockers and per-function times."""
    settings = settings or Settings.quick()
    rows: list[ModuleRow] = []
    outcomes: list[Outcome] = []
    for module in modules:
        path = module_path(module)
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        began = time.perf_counter()
        report = check_text(text, "python", settings, path)
        row = ModuleRow(module, seconds=time.perf_counter() - began)
        for outcome in match(definitions(module, text), report.functions):
            outcomes.append(outcome)
            _count(row, outcome)
        rows.append(row)
        log(f"{module}: {row.definitions} definitions, {row.analysed} analysed "
            f"({row.seconds:.1f} s)")  # fmt: skip
    return summarise(rows, outcomes)


def _count(row: ModuleRow, outcome: Outcome) -> None:
    row.definitions += 1
    status = outcome.status
    if status == "analysed":
        row.analysed += 1
    elif status == "tested":
        row.tested += 1
    elif status == "unsupported":
        row.unsupported += 1
        row.reasons[outcome.reason or "?"] += 1
    else:
        row.not_reported += 1


def summarise(rows: list[ModuleRow], outcomes: list[Outcome]) -> dict[str, Any]:
    blockers: Counter[str] = Counter()
    for row in rows:
        blockers.update(row.reasons)
    times = [o.time_ms for o in outcomes if o.status != "not reported"]
    analysed_times = [o.time_ms for o in outcomes if o.status == "analysed"]
    total = sum(r.definitions for r in rows)
    return {
        "python": sys.version.split()[0],
        "definitions": total,
        "analysed": sum(r.analysed for r in rows),
        "tested": sum(r.tested for r in rows),
        "unsupported": sum(r.unsupported for r in rows),
        "not_reported": sum(r.not_reported for r in rows),
        "median_ms": round(statistics.median(times), 2) if times else None,
        "median_analysed_ms": round(statistics.median(analysed_times), 2)
        if analysed_times else None,
        "rows": [{**asdict(r), "reasons": dict(r.reasons.most_common())} for r in rows],
        "blockers": blockers.most_common(),
        "outcomes": [{**asdict(o.definition), "status": o.status, "reason": o.reason,
                      "raw_reason": o.raw_reason, "time_ms": round(o.time_ms, 2)}
                     for o in outcomes],
    }  # fmt: skip


# ------------------------------------------------------------------------------ output


def render(data: dict[str, Any], top: int = TOP_BLOCKERS) -> str:
    """The per-module table and the top blockers, as plain text."""
    lines = [f"Python coverage (CPython {data['python']} stdlib, quick mode)", "",
             f"{'module':<12} {'defs':>5} {'analysed':>9} {'tested':>6} {'unsupp':>6} "
             f"{'unlisted':>8} {'s':>6}  top reasons"]  # fmt: skip
    for row in data["rows"]:
        reasons = ", ".join(f"{k} ({v})" for k, v in list(row["reasons"].items())[:3])
        lines.append(f"{row['module']:<12} {row['definitions']:>5} {row['analysed']:>9} "
                     f"{row['tested']:>6} {row['unsupported']:>6} {row['not_reported']:>8} "
                     f"{row['seconds']:>6.1f}  {reasons}")  # fmt: skip
    total = data["definitions"] or 1
    lines += ["", f"total: {data['definitions']} definitions, {data['analysed']} analysed "
              f"({100 * data['analysed'] / total:.1f} %), {data['tested']} tested, "
              f"{data['unsupported']} unsupported, {data['not_reported']} not reported",
              f"median time per reported function: {data['median_ms']} ms "
              f"(analysed only: {data['median_analysed_ms']} ms)", "",
              f"top {top} blockers:"]  # fmt: skip
    for reason, count in data["blockers"][:top]:
        lines.append(f"{count:>6}  {reason}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.coverage_python",
                                     description=__doc__.split("\n\n")[0])  # fmt: skip
    parser.add_argument("--modules", default=",".join(MODULES))
    parser.add_argument("--json", help="also write the full data (every definition) here")
    parser.add_argument("--no-replay", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="list every unsupported unit")
    args = parser.parse_args(argv)
    modules = tuple(m.strip() for m in args.modules.split(",") if m.strip())
    settings = Settings.quick(replay=not args.no_replay)
    data = run(modules, settings, log=lambda *a: print(*a, file=sys.stderr, flush=True))
    print(render(data))
    if args.verbose:
        for o in data["outcomes"]:
            if o["status"] != "analysed":
                print(f"{o['module']}:{o['line']}: {o['qualname']}: {o['status']}: "
                      f"{o['raw_reason'] or ''}")  # fmt: skip
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
