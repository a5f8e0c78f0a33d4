"""The CLI for CI: the on-disk report cache (keyed like the server's) and diff mode
(`--changed-since REF`: only the units whose key changed, only the new findings)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from prooflens import cli
from prooflens.analysis import check

BEFORE = '''def average(total: int, count: int) -> int:
    return total // count


def helper(x: int) -> int:
    return x + 1


def caller(x: int) -> int:
    return 10 // helper(x)
'''

# `average` is untouched (its old finding is not new), `helper` changed (so `caller`,
# whose key covers its callee, is checked again) and `fresh` is new.
AFTER = BEFORE.replace("return x + 1", "return x - 1") + '''

def fresh(n: int) -> int:
    return 100 // (n - 3)
'''


def _run(args: list[str], capsys) -> dict:
    code = cli.main(["check", *args, "--format", "json", "--jobs", "1", "--no-replay"])
    assert code in (0, 1)
    return json.loads(capsys.readouterr().out)


def _checked(monkeypatch) -> list[str]:
    """The names of the units actually verified (not read from the cache)."""
    names: list[str] = []
    real = check.check_unit

    def spy(parsed, unit, settings, path="<memory>"):
        names.append(unit.name)
        return real(parsed, unit, settings, path)

    monkeypatch.setattr(check, "check_unit", spy)
    return names


def _results(report: dict) -> dict[str, list[tuple[str, str]]]:
    return {fn["name"]: [(r["property"], r["status"]) for r in fn["results"]]
            for f in report["files"] for fn in f["functions"]}  # fmt: skip


def test_second_run_reads_the_cache_and_an_edit_rechecks_only_its_units(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("PROOFLENS_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "m.py"
    source.write_text(BEFORE)
    checked = _checked(monkeypatch)
    first = _run([str(source)], capsys)
    assert sorted(checked) == ["average", "caller", "helper"]
    checked.clear()
    second = _run([str(source)], capsys)
    assert checked == [] and _results(second) == _results(first)
    source.write_text("\n\n" + BEFORE.replace("return x + 1", "return x + 2"))
    third = _run([str(source)], capsys)
    assert sorted(checked) == ["caller", "helper"]  # `average` only moved down: reused
    moved = next(fn for fn in third["files"][0]["functions"] if fn["name"] == "average")
    assert moved["line"] == 3 and moved["results"][0]["line"] == 4  # re-anchored
    checked.clear()
    _run([str(source), "--no-cache"], capsys)
    assert sorted(checked) == ["average", "caller", "helper"]


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
                        "PATH": "/usr/bin:/bin"})  # fmt: skip


def test_changed_since_reports_changed_units_and_new_findings_only(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("PROOFLENS_CACHE_DIR", str(tmp_path / "cache"))
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "m.py").write_text(BEFORE)
    _git(repo, "add", "m.py")
    _git(repo, "commit", "-q", "-m", "before")
    (repo / "m.py").write_text(AFTER)
    report = _run([str(repo / "m.py"), "--changed-since", "HEAD"], capsys)
    results = _results(report)
    assert sorted(results) == ["caller", "fresh", "helper"]
    assert ("division-by-zero", "refuted") in results["fresh"]  # a new finding
    # `caller` is checked again (its callee changed), but `10 // helper(x)` could divide by
    # zero before too (other inputs, same place): not a new finding.
    assert ("division-by-zero", "refuted") not in results["caller"]
    (repo / "m.py").write_text(BEFORE)
    assert _results(_run([str(repo / "m.py"), "--changed-since", "HEAD"], capsys)) == {}


def test_changed_since_outside_git_says_so(tmp_path: Path, capsys) -> None:
    source = tmp_path / "m.py"
    source.write_text(BEFORE)
    code = cli.main(["check", str(source), "--changed-since", "HEAD", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert "not in a git work tree" in (report["files"][0].get("error") or ""), report
    assert code in (0, 2)


@pytest.fixture(autouse=True)
def _no_tty(monkeypatch) -> None:
    monkeypatch.setattr("sys.stderr.isatty", lambda: False, raising=False)
