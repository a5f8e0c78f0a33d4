"""Sections 1-3: every corpus function through prooflens (quick, deep) and the peers, in
the same run, one function at a time; scores, times and the phase split per verdict."""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from typing import Any

from bench import scoring
from bench.corpus import Case
from bench.peers import crosshair, framac
from bench.phases import PHASES
from bench.run_prooflens import Mode, Runner, unlabelled


@dataclass(frozen=True)
class Budget:
    """Per-function time budgets (seconds): deep prooflens and every peer get `deep_s`."""

    quick: Mode
    deep: Mode
    deep_s: float


def budget_for(deep_s: float, quick_s: float = 2.0) -> Budget:
    return Budget(Mode("quick", 5, quick_s, False), Mode("deep", 10, deep_s, True), deep_s)


def run(cases: list[Case], budget: Budget, use_peers: bool, log=print) -> dict[str, Any]:
    tools: dict[str, Any] = {}
    peers = _peers(cases, use_peers, log)
    rows = []
    runner = Runner()
    try:
        for index, case in enumerate(cases, 1):
            row = {"case": case.ident, "language": case.language, "expected": case.expected,
                   "tags": list(case.tags), "tools": {}}  # fmt: skip
            for mode in (budget.quick, budget.deep):
                out = runner.run(case, mode)
                row["tools"][f"prooflens {mode.name}"] = _prooflens_entry(case, out)
            for name, (module, harnesses, workdir) in peers.items():
                if case.ident in harnesses:
                    out = _peer(module, case, harnesses[case.ident], budget.deep_s, workdir)
                    row["tools"][name] = _peer_entry(case, out)
            rows.append(row)
            log(
                f"[{index}/{len(cases)}] {case.ident}: "
                + ", ".join(f"{t}={_short(v['scores'])}" for t, v in row["tools"].items())
            )
    finally:
        runner.close()
    tools = {name: {"available": True} for name in peers}
    return {"rows": rows, "peers": tools}


def _peers(cases: list[Case], use_peers: bool, log) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    if not use_peers:
        return out
    for module in (crosshair, framac):
        if not module.available():
            log(f"{module.NAME} is not installed: its columns stay empty (see bench/setup.sh)")
            continue
        workdir = tempfile.mkdtemp(prefix=f"bench-{module.NAME.lower()}-")
        out[module.NAME] = (module, module.build_harnesses(cases, workdir), workdir)
    return out


def _peer(module, case: Case, harness, budget_s: float, workdir: str) -> dict[str, Any]:
    if module is framac:
        return framac.check(case, harness, budget_s, workdir)
    return crosshair.check(case, harness, budget_s)


def _scores(case: Case, verdicts: dict[str, str]) -> dict[str, str]:
    return {p: scoring.score(truth, verdicts.get(p, scoring.MISSING))
            for p, truth in case.expected.items()}  # fmt: skip


def _prooflens_entry(case: Case, out: dict[str, Any]) -> dict[str, Any]:
    report = out.get("report") or {}
    messages = {}
    for result in report.get("results", []):
        messages.setdefault(result["property"], []).append(
            f"{result['status']}: {result['message']}"[:200]
        )
    return {
        "verdicts": out["verdicts"],
        "scores": _scores(case, out["verdicts"]),
        "time_ms": round(out["time_ms"], 1),
        "phases_ms": out.get("phases", {}),
        "messages": messages,
        "unlabelled": unlabelled(out.get("report"), case),
        "error": out.get("error"),
    }


def _peer_entry(case: Case, out: dict[str, Any]) -> dict[str, Any]:
    return {"verdicts": out["verdicts"], "scores": _scores(case, out["verdicts"]),
            "time_ms": round(out["time_ms"], 1), "note": out.get("note", ""),
            "raw": out.get("raw", "")}  # fmt: skip


def _short(scores: dict[str, str]) -> str:
    marks = {"correct": "+", "wrong": "!", "dont-know": "?"}
    return "".join(marks[s] for s in scores.values())


# ----------------------------------------------------------------------------- summaries


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per tool and language: correct / wrong / don't know and time statistics."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        for tool, entry in row["tools"].items():
            groups.setdefault((tool, row["language"]), []).append(entry)
            groups.setdefault((tool, "all"), []).append(entry)
    out = []
    for (tool, language), entries in sorted(groups.items()):
        counts = {s: 0 for s in (scoring.CORRECT, scoring.WRONG, scoring.DONT_KNOW)}
        for entry in entries:
            for value in entry["scores"].values():
                counts[value] += 1
        times = [e["time_ms"] for e in entries]
        decisive = [e["time_ms"] for e in entries
                    if scoring.CORRECT in e["scores"].values()]  # fmt: skip
        all_stats, decisive_stats = scoring.stats(times), scoring.stats(decisive)
        out.append(
            {
                "tool": tool,
                "language": language,
                "functions": len(entries),
                "properties": sum(counts.values()),
                **counts,
                "time": all_stats.to_json() if all_stats else None,
                "time_correct": decisive_stats.to_json() if decisive_stats else None,
            }
        )
    return out


def dominant_verdict(verdicts: dict[str, str]) -> str:
    """The class a function's run is filed under for the overhead table."""
    values = set(verdicts.values())
    for status in (scoring.REFUTED, scoring.UNKNOWN, scoring.BOUNDED, scoring.PROVED):
        if status in values:
            return status
    return scoring.MISSING


def overhead(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per prooflens mode and verdict class: the share of time in each phase."""
    groups: dict[tuple[str, str], list[dict[str, float]]] = {}
    for row in rows:
        for tool, entry in row["tools"].items():
            if not tool.startswith("prooflens") or not entry["phases_ms"]:
                continue
            key = (tool, dominant_verdict(entry["verdicts"]))
            groups.setdefault(key, []).append(entry["phases_ms"])
    out = []
    names = (*PHASES, "handoff")
    for (tool, verdict), samples in sorted(groups.items()):
        totals = {p: sum(s.get(p, 0.0) for s in samples) for p in names}
        whole = sum(totals.values()) or 1.0
        out.append(
            {
                "tool": tool,
                "verdict": verdict,
                "functions": len(samples),
                "mean_ms": round(whole / len(samples), 1),
                "share": {p: round(100 * totals[p] / whole, 1) for p in names},
            }
        )
    return out


def peer_wins(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Where a peer was more decisive than prooflens deep, or decisive and faster."""
    out = []
    for row in rows:
        deep = row["tools"].get("prooflens deep")
        if deep is None:
            continue
        for tool, entry in row["tools"].items():
            if tool.startswith("prooflens"):
                continue
            for prop, peer_score in entry["scores"].items():
                ours = deep["scores"].get(prop)
                if peer_score == scoring.CORRECT and ours != scoring.CORRECT:
                    out.append({"case": row["case"], "property": prop, "peer": tool,
                                "kind": "more decisive", "truth": row["expected"][prop],
                                "prooflens_answer": deep["verdicts"].get(prop),
                                "peer_ms": entry["time_ms"],
                                "prooflens_ms": deep["time_ms"],
                                "prooflens_said": "; ".join(deep["messages"].get(prop, [])
                                                            or ["(nothing)"])[:240]})  # fmt: skip
                elif (peer_score == ours == scoring.CORRECT
                      and entry["time_ms"] < deep["time_ms"]):  # fmt: skip
                    out.append(
                        {
                            "case": row["case"],
                            "property": prop,
                            "peer": tool,
                            "kind": "faster",
                            "peer_ms": entry["time_ms"],
                            "prooflens_ms": deep["time_ms"],
                            "prooflens_said": "",
                        }
                    )
    return out


def wrong_answers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        for tool, entry in row["tools"].items():
            for prop, value in entry["scores"].items():
                if value == scoring.WRONG:
                    out.append({"case": row["case"], "tool": tool, "property": prop,
                                "expected": row["expected"][prop],
                                "answer": entry["verdicts"].get(prop),
                                "detail": "; ".join(entry.get("messages", {}).get(prop, []))
                                or entry.get("note", "")})  # fmt: skip
    return out


def _eprint(*args: object) -> None:
    print(*args, file=sys.stderr)
