"""`prooflens check`: output formats, exit codes, parallel runs, bad paths."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from prooflens.cli import main

PROVED = "def f(x, y):\n    return x + y == y + x\n"
REFUTED = "def h(a, b):\n    return a // b\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "ok.py").write_text(PROVED)
    (tmp_path / "bad.py").write_text(REFUTED)
    (tmp_path / "notes.txt").write_text("not code")
    return {"ok": tmp_path / "ok.py", "bad": tmp_path / "bad.py", "dir": tmp_path}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["check", "--quick", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_zero_when_nothing_refuted(capsys, files):
    code, out, _ = run(capsys, str(files["ok"]))
    assert code == 0
    assert f"{files['ok']}:1:5: info: f: f always returns True [always-true]" in out


def test_exit_one_and_quickfix_line_when_refuted(capsys, files):
    code, out, _ = run(capsys, str(files["bad"]))
    assert code == 1
    line = f"{files['bad']}:2:14: error: h: division by zero: h(a=0, b=0) [division-by-zero]"
    assert line in out.splitlines()
    assert out.splitlines()[-1].startswith("prooflens: 1 files, 1 functions: 0 proved, 1 refuted")


def test_exit_two_on_missing_path(capsys, tmp_path):
    code, _, err = run(capsys, str(tmp_path / "nope.py"))
    assert code == 2 and "nope.py" in err


def test_exit_two_on_usage_error(capsys):
    assert main(["check", "--format", "xml", "x.py"]) == 2


def test_exit_two_on_non_utf8_file(capsys, tmp_path):
    path = tmp_path / "latin.py"
    path.write_bytes(b"def f(x):\n    return x == x  # caf\xe9\n")
    code, _, err = run(capsys, str(path))
    assert code == 2 and "not UTF-8" in err


def test_folder_is_walked_for_c_and_python_only(capsys, files):
    code, out, _ = run(capsys, str(files["dir"]))
    assert code == 1
    assert "notes.txt" not in out and "ok.py" in out and "bad.py" in out


def test_json_report_follows_the_contract(capsys, files):
    _, out, _ = run(capsys, "--format", "json", str(files["bad"]))
    report = json.loads(out)
    assert report["version"] == 1 and report["tool"].startswith("prooflens ")
    (file_,) = report["files"]
    assert file_["language"] == "python" and file_["syntax_errors"] == []
    (function,) = file_["functions"]
    assert (function["name"], function["line"], function["end_line"]) == ("h", 1, 2)
    (result,) = function["results"]
    assert set(result) >= {"property", "line", "column", "status", "message", "witness",
                           "confirmed", "trace", "certificate", "bound", "reason", "time_ms"}
    assert result["status"] == "refuted" and result["confirmed"] is True
    assert result["witness"] == {"a": 0, "b": 0}
    assert result["trace"][0] == {"line": 2, "values": {"a": 0, "b": 0}}


def test_sarif_has_rules_results_and_code_flows(capsys, files):
    _, out, _ = run(capsys, "--format", "sarif", str(files["bad"]))
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    run_ = sarif["runs"][0]
    assert "division-by-zero" in {r["id"] for r in run_["tool"]["driver"]["rules"]}
    (result,) = run_["results"]
    assert result["ruleId"] == "division-by-zero" and result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 2, "startColumn": 14}
    assert result["codeFlows"][0]["threadFlows"][0]["locations"]


def test_parallel_jobs_give_the_same_report(capsys, files):
    _, serial, _ = run(capsys, "--format", "json", str(files["dir"]))
    _, parallel, _ = run(capsys, "--format", "json", "--jobs", "2", str(files["dir"]))

    def strip(text: str):
        report = json.loads(text)
        for f in report["files"]:
            for fn in f["functions"]:
                for r in fn["results"]:
                    r.pop("time_ms")
        return report

    assert strip(serial) == strip(parallel)


def test_python_dash_m_and_explain(files):
    done = subprocess.run(
        [sys.executable, "-m", "prooflens", "check", "--quick", "--explain", str(files["bad"])],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "    line 2: a=0, b=0" in done.stdout
    assert "replay: h(a=0, b=0) raised ZeroDivisionError at line 2" in done.stdout


PREDICATE = "def is_pos(x):\n    return x > 0\n"


def test_a_predicate_that_can_return_false_is_a_note_and_exits_zero(capsys, tmp_path):
    path = tmp_path / "pred.py"
    path.write_text(PREDICATE)
    code, out, _ = run(capsys, str(path))
    assert code == 0
    assert f"{path}:1:5: note: is_pos: is_pos can return False: is_pos(x=0) [always-true]" in out
    assert out.splitlines()[-1].endswith(
        "0 proved, 1 refuted, 0 bounded, 0 unknown; 0 syntax errors; 0 errors, 0 warnings "
        f"({out.splitlines()[-1].rsplit('(', 1)[1]}")
    _, sarif, _ = run(capsys, "--format", "sarif", str(path))
    assert json.loads(sarif)["runs"][0]["results"] == []


def report_with(result, requested=False):
    from prooflens.analysis.verdicts import FileReport, FunctionReport

    function = FunctionReport("t", 1, 2, (result,), always_true_requested=requested)
    return [FileReport("m.py", "python", (), (function,))]


def test_text_severity_words_follow_the_presentation_policy():
    from prooflens.analysis.verdicts import Result
    from prooflens.cli import render

    refuted = Result("always-true", 1, 5, "refuted", "t can return False: t(x=0)",
                     witness={"x": 0}, confirmed=True)  # fmt: skip
    assert ": note: t: " in render(report_with(refuted), "text", False, 0.0)
    assert ": error: t: " in render(report_with(refuted, True), "text", False, 0.0)
    unconfirmed = Result("assertion", 2, 5, "refuted", "assertion can fail: t(x=0)",
                         witness={"x": 0}, confirmed=None)  # fmt: skip
    text = render(report_with(unconfirmed), "text", False, 0.0)
    assert ": warning: t: assertion can fail: t(x=0) (not confirmed by a real run)" in text
    assert "0 errors, 1 warning (0.00 s)" in text
    bounded = Result("assertion", 2, 5, "bounded", "no failure within 10 iterations", bound=10)
    assert ": note: t: no failure within 10 iterations" in render(report_with(bounded), "text",
                                                                    False, 0.0)  # fmt: skip


@pytest.mark.parametrize(
    "source",
    [
        "def test_pos(x):\n    return x > 0\n",
        "# prooflens: always-true\ndef pos(x):\n    return x > 0\n",
        "def pos(x):  # prooflens: always-true\n    return x > 0\n",
    ],
)
def test_asked_for_always_true_is_an_error(capsys, tmp_path, source):
    path = tmp_path / "asked.py"
    path.write_text(source)
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert ": error: " in out and "can return False" in out
    _, report, _ = run(capsys, "--format", "json", str(path))
    assert json.loads(report)["files"][0]["functions"][0]["always_true_requested"] is True
