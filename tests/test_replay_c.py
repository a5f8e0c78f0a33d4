"""C replay: the harness text (one witness, and the batch of several compiled once), how a
run's output is read, and the verdict on it; a few real gcc runs of a batch. (More runs
through gcc are in `test_c_gcc_e2e.py`.)"""

from __future__ import annotations

import pytest

from prooflens.analysis import ir, syntax
from prooflens.analysis.frontends import c, c_base, c_source
from prooflens.analysis.replay import c as replay_c
from prooflens.analysis.settings import Settings
from prooflens.analysis.witness import Witness

SOURCE = """#include <limits.h>
extern int __VERIFIER_nondet_int(void);
int total;
int step(int x) {
  int k = __VERIFIER_nondet_int();
  total = total + x + k;
  return total;
}
int main(void) {
  return step(1);
}
"""


def _lowered(name: str, source: str = SOURCE):
    """The replay view of unit `name` (as the pipeline builds it) and its IR."""
    parsed = syntax.parse(source, "c")
    unit = next(u for u in parsed.units if u.name == name)
    fn = c.lower(parsed, unit, Settings())
    assert isinstance(fn, ir.Function)
    nondet = {suffix: t.name for suffix, t in c_base.NONDET_TYPES.items()}
    text = c_source.build(parsed, unit).text
    return replay_c.CUnit(name, text, c_base.GLOBAL_PREFIX, nondet), fn


def test_harness_sets_globals_nondet_and_calls_the_unit() -> None:
    unit, fn = _lowered("step")
    text = replay_c.harness(unit, fn, Witness({"x": -3}, (2147483647, 5)))
    assert "total = 2147483647LL;" in text  # the leading global havoc takes nondet[0]
    assert "__pl_nondet_0[] = {5LL}" in text
    assert "int __VERIFIER_nondet_int(void)" in text
    assert "step((-3LL))" in text
    assert "#define main __pl_user_main" in text and "#line 4" in text


def test_harness_prefers_explicit_globals() -> None:
    unit, fn = _lowered("step")
    witness = Witness({"x": 1}, (7,), (("total", -1),))
    text = replay_c.harness(unit, fn, witness)
    assert "total = (-1LL);" in text and "__pl_nondet_0[] = {7LL}" in text


def test_harness_runs_main_itself() -> None:
    unit, fn = _lowered("main")
    text = replay_c.harness(unit, fn, Witness({}, (4,)))
    assert "__pl_user_main" not in text and "prooflens_harness.c" not in text


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0LL"), (-5, "(-5LL)"), (2**64 - 1, "18446744073709551615ULL"),
     (-(2**63), "(-9223372036854775807LL - 1)"), (True, "1LL")],
)  # fmt: skip
def test_literals(value: int, text: str) -> None:
    assert replay_c.literal(value) == text


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'",
         "signed-overflow"),
        ("negation of -2147483648 cannot be represented in type 'int'", "signed-overflow"),
        ("division of -2147483648 by -1 cannot be represented in type 'int'", "signed-overflow"),
        ("division by zero", "division-by-zero"),
        ("shift exponent 32 is too large for 32-bit type 'int'", "shift-out-of-range"),
        ("shift exponent -1 is negative", "shift-out-of-range"),
        ("left shift of negative value -1", "shift-out-of-range"),
        ("left shift of 1 by 31 places cannot be represented in type 'int'",
         "shift-out-of-range"),
        ("index 4 out of bounds for type 'int [4]'", "array-out-of-bounds"),
        ("load of misaligned address", "other"),
    ],
)  # fmt: skip
def test_ubsan_messages(message: str, kind: str) -> None:
    assert replay_c.ub_kind(message) == kind


def _assert_at(line: int, kind: str) -> ir.Assert:
    return ir.Assert(ir.Const(False, ir.BOOL), kind, "", ir.Span(line, 1, line, 1))


@pytest.mark.parametrize(
    ("rc", "stderr", "kind", "line", "confirmed"),
    [
        (1, "h.c:6:9: runtime error: signed integer overflow: 1 + 2147483647", "signed-overflow",
         6, True),
        (1, "h.c:7:9: runtime error: signed integer overflow: 1 + 2147483647", "signed-overflow",
         6, False),  # a different place failed: the model was wrong somewhere
        (1, "h.c:6:9: runtime error: division by zero", "signed-overflow", 6, False),
        (0, "prooflens: returned 1\n", "signed-overflow", 6, None),  # gcc may fold it
        # ... and run on past it into a memory error (`j < n + 1` made `j <= n`)
        (1, "==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602\n"
            "    #0 0x4011 in f harness.c:7\n", "signed-overflow", 6, None),
        (0, "prooflens: an allocation failed in the compiled run\n", "out-of-bounds", 6, None),
        (1, "==1==ERROR: AddressSanitizer: attempting double-free on 0x602 in thread T0:\n"
            "    #0 0x7f in free ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52\n"
            "    #1 0x4011 in f harness.c:6\n", "invalid-free", 6, True),
        (1, "==1==ERROR: AddressSanitizer: attempting free on address which was not "
            "malloc()-ed: 0x7ff in thread T0\n    #0 0x7f in free asan_malloc_linux.cpp:52\n"
            "    #1 0x4011 in f harness.c:6\n", "invalid-free", 6, True),
        (1, "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x602\n"
            "    #0 0x4011 in f harness.c:6\n", "use-after-free", 6, True),
        (-6, "a.out: /t/harness.c:12: main: Assertion `x != 5' failed.\n", "assertion", 12, True),
        (-6, "a.out: /t/harness.c:13: main: Assertion `x != 5' failed.\n", "assertion", 12,
         False),  # another assert failed
        (-6, "a.out: sum.c:3: reach_error: Assertion `0' failed.\n", "assertion", 9, True),
        (-6, "prooflens: reach_error() reached\n", "assertion", 9, True),
        (0, "prooflens: abort() called\n", "assertion", 9, False),
        (0, "prooflens: assumption violated\n", "assertion", 9, False),
        (0, "prooflens: returned 0\n", "always-true", 3, True),
        (0, "prooflens: returned 2\n", "always-true", 3, False),
        (0, "prooflens: returned 2\n", "termination", 3, False),
    ],
)  # fmt: skip
def test_judging_a_run(rc: int, stderr: str, kind: str, line: int, confirmed: bool | None
                       ) -> None:  # fmt: skip
    seen = replay_c.classify(rc, stderr)
    verdict, detail = replay_c.judge(seen, _assert_at(line, kind), kind, 5.0)
    assert verdict is confirmed, detail


def test_timeouts() -> None:
    seen = replay_c.Observed("timeout")
    assert replay_c.judge(seen, None, "termination", 2.0) == (
        True, "still running after 2 s of CPU time")  # fmt: skip
    assert replay_c.judge(seen, _assert_at(3, "assertion"), "assertion", 2.0)[0] is False


def test_no_compiler_is_said_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay_c, "compiler", lambda: None)
    unit, fn = _lowered("step")
    (outcome,) = replay_c.replay(unit, fn, [replay_c.Case(Witness({"x": 1}, (0, 0)), "assertion")])
    assert outcome.confirmed is None
    assert outcome.detail == "not confirmed (no C compiler)"
    assert outcome.harness and "step(1LL)" in outcome.harness


# ------------------------------------------------------------------- batches (gcc)

BATCH = """extern int __VERIFIER_nondet_int(void);
int total;
int ratio(int x) {
  int k = __VERIFIER_nondet_int();
  total = total + k;
  return 100 / (x - total);
}
"""
G = (("total", 0),)  # the global's entry value


def test_batch_harness_selects_each_case_by_its_argument() -> None:
    unit, fn = _lowered("ratio", BATCH)
    witnesses = [Witness({"x": 3}, (3,), G), Witness({"x": 5}, (1,), G), Witness({"x": 9}, (), G)]
    text = replay_c.batch_harness(unit, fn, witnesses)
    assert "int main(int argc, char **argv)" in text
    assert text.count("case ") == 3 and "__pl_nondet_n = 0;" in text
    assert "__pl_nondet_1[] = {1LL}" in text and "ratio(5LL)" in text


needs_gcc = pytest.mark.skipif(replay_c.compiler() is None, reason="no gcc")


@needs_gcc
def test_a_batch_is_compiled_once_and_each_case_runs_alone(monkeypatch) -> None:
    """Three witnesses, one gcc run; each case fails (or not) exactly as on its own."""
    unit, fn = _lowered("ratio", BATCH)
    failing = next(s for s in ir.walk_stmts(fn.body)
                   if isinstance(s, ir.Assert) and s.kind == "division-by-zero")  # fmt: skip
    cases = [replay_c.Case(Witness({"x": 3}, (3,), G), "division-by-zero", failing),  # 3 - 3
             replay_c.Case(Witness({"x": 5}, (1,), G), "division-by-zero", failing),  # 5 - 1
             replay_c.Case(Witness({"x": 0}, (), G), "division-by-zero", failing)]  # fmt: skip
    compiles = []
    real_compile = replay_c._compile
    monkeypatch.setattr(replay_c, "_compile", lambda *a: compiles.append(a) or real_compile(*a))
    outcomes = replay_c.replay(unit, fn, cases)
    assert len(compiles) == 1
    assert [o.confirmed for o in outcomes] == [True, False, True], outcomes
    singles = [replay_c.replay(unit, fn, [c])[0].confirmed for c in cases]
    assert singles == [True, False, True]
    assert outcomes[0].harness == replay_c.harness(unit, fn, cases[0].witness)


def test_a_mathematically_endless_loop_is_confirmed_by_running_on_or_by_its_first_ub() -> None:
    """A loop that never ends in mathematical integers: the compiled run agrees with them up
    to its first undefined behaviour, so a sanitizer stop or a timeout both confirm that it
    does not terminate; a normal return does not."""
    kind = replay_c.UNTIL_UNDEFINED
    ub = replay_c.Observed("ub", line=5, kind="signed-overflow",
                           message="signed integer overflow: 2147450881 + 65536")  # fmt: skip
    confirmed, detail = replay_c.judge(ub, None, kind, 2.0)
    assert confirmed is True and "at line 5" in detail and "seen" in detail
    assert replay_c.judge(replay_c.Observed("timeout"), None, kind, 2.0)[0] is True
    assert replay_c.judge(replay_c.Observed("returned", value=0), None, kind, 2.0)[0] is False
    assert replay_c.judge(replay_c.Observed("crash"), None, kind, 2.0)[0] is False
