"""Hostile inputs: every file of the corpus (tests/hostile/: hand-written files plus big ones
generated here -- 10 MB, 50 000-character lines, 10 000-deep nesting, binary, non-UTF-8,
syntax errors everywhere, every unsupported C construct, every Python statement kind)
goes through `check_path`, `check_text`, `syntax.parse` and `prooflens check`.

For each: no exception escapes, the answer is clear (a file-level error, syntax errors, or
per-function verdicts whose "don't know" carries a reason), no internal error is reported,
no refutation is shown unconfirmed as an error, and the run ends. Runs happen in child
processes with generous timeouts, so a hang fails one case instead of the whole suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from soundness_support import LONG

from prooflens.analysis.check import MAX_FILE_BYTES
from prooflens.analysis.verdicts import STATUSES

sys.path.insert(0, str(Path(__file__).parent))
from hostile.generate import GENERATED, STATIC, Expect, write_corpus  # noqa: E402

pytestmark = pytest.mark.e2e

API_TIMEOUT_S = 180  # generous: a hang, not slowness, is what these catch
CLI_TIMEOUT_S = 600
EXPECT = {case.name: case.expect for case in GENERATED} | STATIC

# The child: check one file every way the library offers, print the reports as JSON.
_API_CHILD = textwrap.dedent(
    """
    import json, sys
    from prooflens.analysis import syntax
    from prooflens.analysis.check import MAX_FILE_BYTES, check_path, check_text
    from prooflens.analysis.settings import Settings

    path, deep = sys.argv[1], sys.argv[2] == "deep"
    settings = Settings(unwind=3, timeout_s=2.0, deep=deep)
    out = {"path_report": check_path(path, settings).to_json()}
    data = open(path, "rb").read()
    language = syntax.language_for_path(path)
    for errors in ("surrogateescape", "replace"):
        text = data.decode("utf-8", errors)
        parsed = syntax.parse(text, language)
        out["parse_" + errors] = [len(parsed.units), len(parsed.syntax_errors)]
        if len(data) <= MAX_FILE_BYTES:
            out["text_" + errors] = check_text(text, language, settings, path).to_json()
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {path.name: path for path in write_corpus(folder)}


def run_child(argv: list[str], timeout_s: float, cwd: Path) -> subprocess.CompletedProcess:
    """Run a child with no stdin (a file may `#include "/dev/stdin"`) and a hard timeout."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, errors="replace",
                              timeout=timeout_s, cwd=cwd, stdin=subprocess.DEVNULL)  # fmt: skip
    except subprocess.TimeoutExpired:
        files = [a for a in argv if a.endswith((".py", ".c"))]
        pytest.fail(f"{files or argv[:4]}: no answer within {timeout_s} s (hang or runaway)")


def problems(report: dict[str, Any], expect: Expect) -> list[str]:
    """Everything unclear or wrong about one file report (empty list: all good)."""
    found = []
    if report.get("error") is not None and not report["error"].strip():
        found.append("empty error text")
    if expect.error and expect.error.lower() not in (report.get("error") or "").lower():
        found.append(f"error should mention {expect.error!r}: {report.get('error')!r}")
    if expect.syntax_errors and not report["syntax_errors"]:
        found.append("no syntax error reported")
    if len(report["functions"]) < expect.functions:
        found.append(f"{len(report['functions'])} functions, expected >= {expect.functions}")
    reasons = []
    for function in report["functions"]:
        for result in function["results"]:
            found.extend(f"{function['name']}: {p}" for p in result_problems(result))
            reasons.append((result.get("reason") or "").lower())
    for word in expect.unknown:
        if not any(word in reason for reason in reasons):
            found.append(f"no don't-know reason mentions {word!r}")
    return found


def result_problems(result: dict[str, Any]) -> list[str]:
    found = []
    status = result["status"]
    if status not in STATUSES:
        found.append(f"status {status!r}")
    if not result["message"].strip():
        found.append("empty message")
    if status == "unknown" and not (result.get("reason") or "").strip():
        found.append("don't know without a reason")
    if status == "bounded" and not isinstance(result.get("bound"), int):
        found.append("bounded without a bound")
    if status == "refuted" and result.get("confirmed") is False:
        found.append("refutation shown although its replay failed")
    if "internal error" in result["message"] or "frontend error" in result["message"]:
        found.append(f"internal error: {result['message'][:300]}")
    if result["line"] < 1 or result["column"] < 1:
        found.append(f"position {result['line']}:{result['column']}")
    return found


def assert_clear(report: dict[str, Any], expect: Expect, what: str) -> None:
    found = problems(report, expect)
    assert not found, f"{what}:\n  " + "\n  ".join(found[:30])


NAMES = sorted(EXPECT)


@pytest.mark.parametrize("name", NAMES)
def test_library_answers_clearly(corpus: dict[str, Path], name: str, tmp_path: Path) -> None:
    """check_path, check_text (two decodings) and syntax.parse, quick mode."""
    path = corpus[name]
    done = run_child([sys.executable, "-c", _API_CHILD, str(path), "quick"], API_TIMEOUT_S,
                     tmp_path)  # fmt: skip
    assert done.returncode == 0, f"{name}: exception escaped:\n{done.stderr[-3000:]}"
    out = json.loads(done.stdout)
    expect = EXPECT[name]
    assert_clear(out["path_report"], expect, f"{name} via check_path")
    if path.stat().st_size <= MAX_FILE_BYTES:
        # check_text sees decoded text even where check_path refuses the bytes
        text_expect = Expect()
        if not expect.error:
            text_expect = Expect(syntax_errors=expect.syntax_errors, unknown=expect.unknown,
                                 functions=expect.functions)  # fmt: skip
        for errors in ("surrogateescape", "replace"):
            assert_clear(out["text_" + errors], text_expect, f"{name} via check_text ({errors})")
    assert not list(tmp_path.iterdir()), "the check wrote files into its working directory"


DEEP_NAMES = [n for n in NAMES if Path(n).stem in (
    "every_statement", "unsupported", "syntax_errors", "tricky_top_level", "nested_binary_300",
    "nested_blocks", "long_line", "many_params", "huge_constants", "unicode_names", "bom_crlf",
)]  # fmt: skip


# The API in deep mode over each file (~130 s): the long profile. By default deep mode meets
# the same files through `prooflens check --deep` (test_cli_answers_every_file).
@pytest.mark.skipif(not LONG, reason="long profile: PROOFLENS_SOUNDNESS=long")
@pytest.mark.parametrize("name", DEEP_NAMES)
def test_library_deep_mode(corpus: dict[str, Path], name: str, tmp_path: Path) -> None:
    """Deep mode adds proofs and termination: they meet the same inputs."""
    done = run_child([sys.executable, "-c", _API_CHILD, str(corpus[name]), "deep"],
                     API_TIMEOUT_S, tmp_path)  # fmt: skip
    assert done.returncode == 0, f"{name}: exception escaped:\n{done.stderr[-3000:]}"
    assert_clear(json.loads(done.stdout)["path_report"], EXPECT[name], f"{name} (deep)")
    assert not list(tmp_path.iterdir()), "the check wrote files into its working directory"


@pytest.mark.parametrize("mode", ["--quick", "--deep"])
def test_cli_answers_every_file(corpus: dict[str, Path], mode: str, tmp_path: Path) -> None:
    """`prooflens check` over the whole corpus folder: one JSON report, every file in it."""
    folder = next(iter(corpus.values())).parent
    names = [n for n in NAMES if (folder / n).exists()]
    argv = [sys.executable, "-m", "prooflens", "check", "--format", "json", "--timeout", "2",
            "--unwind", "3", "-j", "2"] + (["--quick"] if mode == "--quick" else [])  # fmt: skip
    if mode == "--deep":  # deep over the big generated files is what test_library_deep_mode does
        names = [n for n in names if n in DEEP_NAMES]
    done = run_child(argv + [str(corpus[n]) for n in names], CLI_TIMEOUT_S, tmp_path)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode in (0, 1), (done.returncode, done.stderr[-2000:])
    report = json.loads(done.stdout)
    by_name = {Path(f["path"]).name: f for f in report["files"]}
    assert sorted(by_name) == sorted(names)
    for name in names:
        assert_clear(by_name[name], EXPECT[name], f"{name} via prooflens check {mode}")
    assert not list(tmp_path.iterdir()), "prooflens check wrote files into its working directory"


@pytest.mark.parametrize("name", ["binary.c", "latin1.py", "huge_comment.py", "empty.py"])
def test_cli_single_file(corpus: dict[str, Path], name: str, tmp_path: Path) -> None:
    """One refused file: exit code 2 with the reason on stderr, still a JSON report."""
    argv = [sys.executable, "-m", "prooflens", "check", "--quick", "--format", "json",
            str(corpus[name])]  # fmt: skip
    done = run_child(argv, CLI_TIMEOUT_S, tmp_path)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    (report,) = json.loads(done.stdout)["files"]
    expect = EXPECT[name]
    assert_clear(report, expect, name)
    if expect.error:
        assert done.returncode == 2 and expect.error.lower() in done.stderr.lower()
    else:
        assert done.returncode == 0, done.stderr


def test_unreadable_and_odd_paths(tmp_path: Path) -> None:
    """A folder named like a source file, a dangling symlink, a file without permission."""
    from prooflens.analysis.check import check_path
    from prooflens.analysis.settings import Settings

    settings = Settings(unwind=2, timeout_s=1.0, deep=False)
    (tmp_path / "folder.py").mkdir()
    (tmp_path / "dangling.c").symlink_to(tmp_path / "missing.c")
    fifo = tmp_path / "pipe.py"
    import os

    os.mkfifo(fifo)
    for path in ("folder.py", "dangling.c"):
        report = check_path(str(tmp_path / path), settings)
        assert report.error and report.error.strip(), path
    # a FIFO would block a naive open(); it must be refused, not waited on
    done = run_child([sys.executable, "-c", textwrap.dedent(f"""
        from prooflens.analysis.check import check_path
        from prooflens.analysis.settings import Settings
        print(check_path({str(fifo)!r}, Settings(deep=False)).error)
        """)], 60, tmp_path)  # fmt: skip
    assert done.returncode == 0 and done.stdout.strip() not in ("", "None"), done
