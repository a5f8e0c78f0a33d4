"""The benchmark runner works end to end on a tiny input (no peers, tiny budgets), its
corpus labels parse, and its tables have the documented columns. No timing assertions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

# `bench/` is a top-level folder of the repository, not part of the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import __main__ as bench_main  # noqa: E402
from bench import corpus, report, scoring  # noqa: E402

REQUIRED_TAGS = {"invariant", "lexicographic", "long-cex", "nonterm", "overflow", "open"}


def test_corpus_is_large_labelled_and_covers_every_kind():
    cases = corpus.load()
    assert len(cases) >= 60
    assert {c.language for c in cases} == {"python", "c"}
    tags = {t for c in cases for t in c.tags}
    assert tags >= REQUIRED_TAGS
    props = {p for c in cases for p in c.expected}
    assert {"assertion", "termination", "signed-overflow", "always-true"} <= props
    assert len({c.ident for c in cases}) == len(cases)


@pytest.mark.parametrize(
    ("body", "expected", "tags"),
    [
        ("assertion=refuted termination=proved", {"assertion": "refuted",
                                                  "termination": "proved"}, ()),
        ("termination=open tags=open,nonterm", {"termination": "open"}, ("open", "nonterm")),
    ],
)  # fmt: skip
def test_labels_parse(body, expected, tags):
    assert corpus.parse_label(body) == (expected, tags)


@pytest.mark.parametrize("body", ["assertion", "assertoin=proved", "assertion=maybe",
                                  "tags=a", "unsupported=proved"])  # fmt: skip
def test_bad_labels_are_rejected(body):
    with pytest.raises(corpus.LabelError):
        corpus.parse_label(body)


@pytest.mark.parametrize(
    ("truth", "answer", "expected"),
    [
        ("proved", "proved", "correct"), ("proved", "refuted", "wrong"),
        ("refuted", "bounded", "dont-know"), ("refuted", "missing", "dont-know"),
        ("open", "unknown", "correct"), ("open", "proved", "wrong"),
        ("open", "refuted", "wrong"),
    ],
)  # fmt: skip
def test_scoring(truth, answer, expected):
    assert scoring.score(truth, answer) == expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [([], "missing"), (["proved", "refuted"], "refuted"), (["proved", "proved"], "proved"),
     (["proved", "bounded"], "bounded"), (["bounded", "unknown"], "unknown")],
)  # fmt: skip
def test_aggregate(statuses, expected):
    assert scoring.aggregate(statuses) == expected


def test_runner_writes_markdown_and_json(tmp_path):
    code = bench_main.main(["--profile", "smoke", "--sections", "corpus", "--no-peers",
                            "--only", "py_safety.py::ratio", "c_safety.c::add_commutes",
                            "--out", str(tmp_path), "--quiet"])  # fmt: skip
    assert code == 0
    data = json.loads((tmp_path / "results.json").read_text())
    rows = data["corpus"]["rows"]
    assert [r["case"] for r in rows] == ["c_safety.c::add_commutes", "py_safety.py::ratio"]
    for row in rows:
        assert set(row["tools"]) == {"prooflens quick", "prooflens deep"}
        for entry in row["tools"].values():
            assert set(entry["scores"]) == set(row["expected"])
            assert {"z3", "parse", "handoff"} <= set(entry["phases_ms"])
    assert data["corpus"]["wrong"] == []
    text = (tmp_path / "RESULTS.md").read_text()
    for header in ("| tool | language | functions | properties | correct | wrong | don't know",
                   "| parse | lower | bmc | proof | termination | z3 | replay | other | hand-off |",
                   "## Machine", "nproc"):  # fmt: skip
        assert header in text


def test_latency_and_scaling_tables_render():
    pcts = {"n": 2, "p50": 10.0, "p95": 20.0}
    latency = {"settings": {"mode": "onChange"}, "many_files": None, "files": [{
        "file": "seed.py", "lines": 80, "units_with_verdicts": 12,
        "didopen_first_diagnostics_ms": pcts, "didopen_all_verdicts_ms": pcts,
        "didopen_warm_disk_cache_ms": 5.0, "keystroke_syntax_error_ms": pcts,
        "keystroke_syntax_fixed_ms": pcts, "keystroke_updated_verdict_ms": pcts,
        "didopen_each_verdict_ms": {"n": 1, "ms": [50.0, 70.0, 90.0]},
        "didopen_findings_ms": {"g2: non-termination": pcts},
        "didopen_ready_server": {"workers_up_after_initialize_ms": 900.0,
                                 "first_diagnostics_ms": 9.0, "each_verdict_ms": [40.0],
                                 "all_verdicts_ms": 300.0, "findings_ms": {}},
        "peak_rss_mib": 100.0}]}  # fmt: skip
    scaling = {"functions": 1000, "cores": 2, "mode_args": ["--quick"], "cache_note": "none",
               "runs": [{"jobs": 1, "functions": 1000, "wall_s": 10.0, "cpu_s": 9.0,
                         "verdicts": {"proved": 5}, "exit": 0}]}  # fmt: skip
    run = {"wall_s": 2.0, "cpu_s": 1.0, "functions": 10, "exit": 0, "verdicts": {}}
    scaling["one_file"] = {"args": ["--quick", "--no-replay"],
                           "rows": [dict(run, size=1000), dict(run, size=4000, wall_s=4.0)],
                           "growth": [{"from": 1000, "to": 4000, "size_ratio": 4.0,
                                       "time_ratio": 2.0}],
                           "jobs": {"size": 4000, "jobs1": dict(run, wall_s=4.0),
                                    "jobs2": dict(run, wall_s=3.0), "jobs2_over_jobs1": 0.75}}
    scaling["cache"] = {"target": "samples", "args": [], "jobs": 2, "cold": dict(run, wall_s=40),
                        "warm": dict(run), "warm_over_cold": 0.05, "same_results": True}
    latency["before_after"] = {"note": "interleaved", "rows": [
        {"file": "seed.py", "server": "fresh", "n": 2, "before": [1000.0, 2000.0, 3000.0, 4000.0,
                                                                  5000.0, None],
         "after": [100.0, 1000.0, 1500.0, 2000.0, 2500.0, 600.0]}]}  # fmt: skip
    text = report._latency(latency) + report._scaling(scaling)
    assert "keystroke -> updated verdict" in text and "peak RSS MiB" in text
    assert "| seed.py | fresh | 2 | 1000 -> 100 (0.10x) | 2000 -> 1000 (0.50x) |" in text
    assert "| seed.py | fresh | 10 / 20 (n=2) | 50 | 70 | 90 | 10 / 20 (n=2) | g2: " in text
    assert "| seed.py | workers up (900 ms after initialize) | 9 | 40 | 40 | 40 | 300 | - |" in text
    assert "| jobs |" in text and "1.00x" in text
    assert "| 1,000 -> 4,000 | 4x | 2.00x | yes |" in text
    assert "`--jobs 2` / `--jobs 1` on 4,000 functions: 0.75x (not slower" in text
    assert "| warm cache | 2.0 |" in text and "warm / cold: 0.05x (yes" in text
    assert "Skipped: no server" in report._latency({"skipped": "no server"})


def test_scaling_rows_run_in_the_smoke_profile(tmp_path):
    """The smoke profile runs every scaling row for real on tiny inputs: the folder with
    --jobs 1/2, one file of 20 and 40 trivial functions (and --jobs 2), a cold and a warm
    cache run on samples/seed.py. Ratios are recorded; no timing is asserted."""
    code = bench_main.main(["--profile", "smoke", "--sections", "scaling",
                            "--out", str(tmp_path), "--quiet"])  # fmt: skip
    assert code == 0
    scaling = json.loads((tmp_path / "results.json").read_text())["scaling"]
    one = scaling["one_file"]
    assert [r["size"] for r in one["rows"]] == [20, 40]
    assert [r["functions"] for r in one["rows"]] == [20, 40]
    assert one["growth"][0]["size_ratio"] == 2.0 and one["growth"][0]["time_ratio"] > 0
    assert one["jobs"]["jobs2"]["functions"] == 40 and one["jobs"]["jobs2_over_jobs1"] > 0
    cache = scaling["cache"]
    assert cache["target"] == "samples/seed.py" and cache["same_results"]
    assert cache["cold"]["functions"] > 0 and cache["warm_over_cold"] > 0
    text = (tmp_path / "RESULTS.md").read_text()
    assert "### One file of N trivial functions" in text and "warm / cold:" in text
