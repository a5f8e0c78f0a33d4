"""Every real bug the robustness suites found (hostile inputs, sandbox, soundness), kept as
a data-driven case. Each case runs in a child process with a generous timeout (a hang fails
the case, not the suite): `check_text` on the source, the report serialised as JSON, and
`prooflens check` in each listed output format.

A case says what must hold: `forbid` (property, line, status) triples that must not appear
(a wrong "proved"), `require` triples that must appear, and that the whole run finishes
within `timeout_s`. `found_by` names the suite and the date.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Regression:
    name: str
    language: str
    source: str
    found_by: str
    settings: dict = field(default_factory=lambda: {"unwind": 4, "timeout_s": 2.0,
                                                    "deep": False})  # fmt: skip
    forbid: tuple[tuple[str, int, str], ...] = ()
    require: tuple[tuple[str, int, str], ...] = ()
    # (property, line, words): the result there must say these words.
    wording: tuple[tuple[str, int, str], ...] = ()
    formats: tuple[str, ...] = ("json",)
    timeout_s: float = 120.0


_DEEP = {"unwind": 4, "timeout_s": 4.0, "deep": True}

_GROW_C = """int grow(int x, int y) {
    if (y > 0 && x > 0) {
        while (x > 0) {
            x = x + y;
            y = y + 1;
        }
    }
    return x;
}
"""

_NEVER_STOPS_PY = """def has_small_factor(n):
    d = 2
    while d * d <= n:
        if n % d == 0:
            return True
        d += 1
    return False


def never_stops(n):
    m = 2 * n + 4
    if m < 4:
        m = 4
    while (  # the call on its own line: the callee's own loop verdict is anchored there
        has_small_factor(m)
    ):
        m += 2
    return m
"""

_HAS_FACTOR_C = """int has_factor(int n, int k) {
    int d = 2;
    while (d < k) {
        if (n % d == 0) return 1;
        d++;
    }
    return 0;
}
int f(int m) {
    while (  /* the call on its own line: the callee's own loop verdict is anchored there */
           has_factor(m, 4))
        m = 4;
    return m;
}
"""

_FIND_IN_BODY_PY = """def first_even(n):
    i = 0
    while i < 10:
        if (n + i) % 2 == 0:
            return i
        i += 1
    return 0


def spin(n):
    k = 2 * n
    while k >= 0:
        k = k + first_even(k)
    return k
"""


REGRESSIONS = [
    Regression(
        # A trace value above 4300 digits: json.dumps raised ValueError (int -> str limit),
        # so `prooflens check --format json|sarif` crashed with a traceback.
        "trace_value_over_4300_digits",
        "python",
        "def f(x):\n    y = x * 10 ** 4000\n    y = y * 10 ** 400\n    assert y < 5\n",
        "hostile inputs, 2026-11-25",
        require=(("assertion", 4, "refuted"),),
        formats=("json", "sarif", "text"),
    ),
    Regression(
        # The only witness has 4401 digits: z3's as_long() (int(str)) hit the int -> str
        # limit in semantics.from_model and the unit became "internal error".
        "witness_over_4300_digits",
        "python",
        "def f(x):\n    y = x\n    assert y < 10 ** 4000 * 10 ** 400\n",
        "hostile inputs, 2026-11-25",
        require=(("assertion", 3, "refuted"),),
        formats=("json", "text"),
    ),
    Regression(
        # Positional-only parameters are accepted by the frontend, but the replay child
        # called f(**inputs): TypeError, so a real refutation became "don't know
        # (counterexample did not reproduce)".
        "positional_only_parameters_replay",
        "python",
        "def f(x, /, y):\n    z = x\n    assert z != 3\n    return x // y\n",
        "hostile inputs (every statement kind), 2026-11-25",
        require=(("assertion", 3, "refuted"), ("division-by-zero", 4, "refuted")),
    ),
    Regression(
        # WRONG PROOF. The outer loop was "proved: loop terminates (c - range counter
        # decreases)" while its inner loop never stops for c == 1 (also reported, as
        # refuted): the ranking argument only covers iterations that finish.
        "outer_loop_proved_although_inner_loop_never_stops",
        "python",
        "def k(c):\n    for i in range(c):\n        s = c\n        while s <= 3:\n"
        "            s = s\n    return c\n",
        "soundness suite (python, deep), 2026-11-25",
        settings={"unwind": 4, "timeout_s": 5.0, "deep": True},
        forbid=(("termination", 2, "proved"),),
        require=(("termination", 4, "refuted"),),
    ),
    Regression(
        # The same wrong proof with a while loop outside.
        "outer_while_proved_although_inner_loop_never_stops",
        "python",
        "def k(x, c):\n    while x > 0:\n        x -= 1\n        while c <= 3:\n"
        "            c = c\n    return c\n",
        "soundness suite (python, deep), 2026-11-25",
        settings={"unwind": 4, "timeout_s": 5.0, "deep": True},
        forbid=(("termination", 2, "proved"),),
        require=(("termination", 4, "refuted"),),
    ),
    Regression(
        # The same wrong proof in C ("-i decreases, within its bit-vector range").
        "c_outer_loop_proved_although_inner_loop_never_stops",
        "c",
        "int k(int c) {\n    for (int i = 0; i < c; i++) {\n        int s = c;\n"
        "        while (s <= 3) {\n            s = s;\n        }\n    }\n    return c;\n}\n",
        "soundness suite (python) finding, checked in C, 2026-11-25",
        settings={"unwind": 4, "timeout_s": 5.0, "deep": True},
        forbid=(("termination", 2, "proved"),),
        require=(("termination", 4, "refuted"),),
    ),
    Regression(
        # The code after an endless loop is unreachable; Spacer's answer for it has an
        # empty interpretation and FuncInterp.else_value() raised "Z3Exception: ast is
        # null" in engines/proof.py (solution): the whole unit became "internal error",
        # losing the non-termination verdict too.
        "proof_engine_unreachable_exit_ast_is_null",
        "python",
        "def f0(a):\n    while a >= a:\n        a -= 3\n    s = a\n    s -= a\n"
        "    return s == 0\n",
        "soundness suite (python, deep), 2026-11-25",
        settings={"unwind": 4, "timeout_s": 3.0, "deep": True},
        require=(("termination", 2, "refuted"),),
    ),
    Regression(
        # `while s <= 3: pass` never stops for s == 3 (the state repeats), but the replay
        # saw "no repetition within 5 s" (a body of only `pass` has no line events), so a
        # real non-termination became "don't know".
        "nontermination_with_pass_body_replays",
        "python",
        "def k(c):\n    s = c\n    while s <= 3:\n        pass\n    return s\n",
        "soundness suite (python, deep), 2026-11-25",
        settings={"unwind": 4, "timeout_s": 5.0, "deep": True},
        require=(("termination", 3, "refuted"),),
    ),
    Regression(
        # 300 checked additions in one C expression: quick mode with a 2 s budget ran for
        # many minutes (is_nonlinear re-walked every expression once per site: cubic).
        "c_sum_of_300_terms_finishes",
        "c",
        "int f(int x) {\n    return " + "x + " * 300 + "x;\n}\n",
        "hostile inputs, 2026-11-25",
        timeout_s=180.0,
    ),
    # ---- issue 11: wrong "terminates" proofs, and proofs resting on failing checks ----
    Regression(
        # "-y decreases, within its bit-vector range": the loop only stops because
        # `x + y` overflows (undefined behaviour). Now refuted as "runs until ...".
        "terminates_only_by_signed_overflow",
        "c",
        _GROW_C,
        "issue 11 (user report), 2026-12-02",
        settings=_DEEP,
        forbid=(("termination", 3, "proved"),),
        # In mathematical integers it never ends; the compiled run stops at the overflow.
        require=(("signed-overflow", 4, "refuted"), ("termination", 3, "refuted")),
    ),
    Regression(
        # `y + 1` was "proved" not to overflow: only because `x + y` overflows first.
        "proof_resting_on_a_failing_overflow_check",
        "c",
        _GROW_C,
        "issue 11 audit, 2026-12-02",
        settings=_DEEP,
        forbid=(("signed-overflow", 5, "proved"),),
    ),
    Regression(
        # The callee's `return True` inside its own loop was dropped when the loop was
        # summarised: "the loop body never returns to the loop head".
        "early_return_in_loop_guard_callee_python",
        "python",
        _NEVER_STOPS_PY,
        "issue 11 (user report), 2026-12-02",
        settings=_DEEP,
        forbid=(("termination", 14, "proved"),),
    ),
    Regression(
        "early_return_in_loop_guard_callee_c",
        "c",
        _HAS_FACTOR_C,
        "issue 11 (user report), 2026-12-02",
        settings=_DEEP,
        forbid=(("termination", 10, "proved"),),
    ),
    Regression(
        # The same early return, in a callee called from the loop body.
        "early_return_in_loop_body_callee",
        "python",
        _FIND_IN_BODY_PY,
        "issue 11 audit, 2026-12-02",
        settings=_DEEP,
        forbid=(("termination", 12, "proved"),),
    ),
    Regression(
        # Two returns: "always returns True" (the `return True` site) was shown next to
        # "can return False" (the other site). One verdict per function now.
        "always_true_one_verdict_per_function",
        "python",
        _NEVER_STOPS_PY,
        "issue 11 audit, 2026-12-02",
        settings=_DEEP,
        forbid=(("always-true", 1, "proved"),),
    ),
    Regression(
        # Unsigned wrap-around is defined: this loop does terminate, and may be proved.
        "unsigned_wrap_is_not_undefined",
        "c",
        "unsigned f(unsigned i) {\n    if (i == 0) return 0;\n    while (i != 0)\n"
        "        i = i + 1u;\n    return i;\n}\n",
        "issue 11, 2026-12-02",
        settings=_DEEP,
        forbid=(("termination", 3, "refuted"),),
    ),
    Regression(
        # A C loop with a failing overflow check is analysed in mathematical integers;
        # its repeating state (x = 1, y = 0) passes every check, so it repeats in C too:
        # "never returns", not the weaker "forever or until undefined behaviour".
        "c_repeating_state_is_plain_nontermination",
        "c",
        "int g2(int x, int y) {\n    while (x > y)\n        x = x - y;\n    return x;\n}\n",
        "VS Code e2e in CI, 2026-12-02",
        settings=_DEEP,
        require=(("termination", 2, "refuted"), ("signed-overflow", 3, "refuted")),
        wording=(("termination", 2, "never returns: state repeats"),),
    ),
]

# The child: one regression case, every way it is reported.
_CHILD = textwrap.dedent(
    """
    import json, subprocess, sys
    from prooflens.analysis.check import check_text
    from prooflens.analysis.settings import Settings

    case = json.loads(sys.argv[1])
    report = check_text(case["source"], case["language"], Settings(**case["settings"]),
                        case["path"])
    text = json.dumps(report.to_json())
    open(case["path"], "w").write(case["source"])
    s = case["settings"]
    for fmt in case["formats"]:
        argv = [sys.executable, "-m", "prooflens", "check", "--format", fmt,
                "--unwind", str(s["unwind"]), "--timeout", str(s["timeout_s"]), case["path"]]
        if not s["deep"]:
            argv.append("--quick")
        done = subprocess.run(argv, capture_output=True, text=True)
        if done.returncode not in (0, 1) or "Traceback" in done.stderr:
            print("prooflens check --format", fmt, "failed:", done.stderr[-2000:],
                  file=sys.stderr)
            sys.exit(3)
    print(text)
    """
)


def run_case(case: Regression, folder: Path) -> dict:
    suffix = ".py" if case.language == "python" else ".c"
    payload = {"source": case.source, "language": case.language, "settings": case.settings,
               "formats": list(case.formats), "path": str(folder / f"case{suffix}")}  # fmt: skip
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(payload)],
                              capture_output=True, text=True, timeout=case.timeout_s,
                              cwd=folder, stdin=subprocess.DEVNULL)  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case.name}: no answer within {case.timeout_s} s")
    assert done.returncode == 0, f"{case.name}:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout)


def triples(report: dict) -> set[tuple[str, int, str]]:
    return {(r["property"], r["line"], r["status"])
            for fn in report["functions"] for r in fn["results"]}  # fmt: skip


@pytest.mark.parametrize("case", REGRESSIONS, ids=lambda c: c.name)
def test_regression(case: Regression, tmp_path: Path) -> None:
    report = run_case(case, tmp_path)
    found = triples(report)
    for triple in case.forbid:
        assert triple not in found, f"{case.name}: {triple} is back: {sorted(found)}"
    for triple in case.require:
        assert triple in found, f"{case.name}: {triple} missing: {sorted(found)}"
    messages = {(r["property"], r["line"]): r["message"]
                for fn in report["functions"] for r in fn["results"]}  # fmt: skip
    for prop, line, words in case.wording:
        assert words in messages.get((prop, line), ""), f"{case.name}: {messages}"
    for fn in report["functions"]:
        for result in fn["results"]:
            assert not (result["status"] == "refuted" and result["confirmed"] is False)
            assert "internal error" not in result["message"], result["message"]


def test_regression_fifo_named_like_source(tmp_path: Path) -> None:
    """A named pipe called `pipe.py` (e.g. in a folder given to `prooflens check`):
    check_path opened it and blocked forever waiting for a writer (found by the hostile
    inputs suite, 2026-11-25). It must be refused as "not a regular file"."""
    import os

    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    child = ("from prooflens.analysis.check import check_path\n"
             "from prooflens.analysis.settings import Settings\n"
             f"print(check_path({str(fifo)!r}, Settings(deep=False)).error)\n")  # fmt: skip
    try:
        done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                              timeout=60, cwd=tmp_path, stdin=subprocess.DEVNULL)  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail("check_path blocked on a FIFO")
    assert done.returncode == 0 and done.stdout.strip() not in ("", "None"), done
