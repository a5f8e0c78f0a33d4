"""The one symbolic executor (`engines/symbolic.py`) and what is built on it: BMC's
unrolling, the CHC system shared by the proof engines, the pipeline's wording."""

from __future__ import annotations

import z3

from prooflens.analysis import check, ir, passes, solver, syntax
from prooflens.analysis.engines import bmc, kinduction, proof, symbolic, transition
from prooflens.analysis.frontends import python as pyfront
from prooflens.analysis.settings import Settings
from prooflens.analysis.solver import Budget


def lower(source: str, index: int = 0) -> ir.Function:
    parsed = syntax.parse(source, "python")
    fn = pyfront.lower(parsed, parsed.units[index], Settings())
    assert isinstance(fn, ir.Function), fn
    return fn


LOOP = """
def f(n: int) -> int:
    i = 0
    while i < n:
        i += 1
    assert i <= 3
    return i
"""


def test_unroll_cuts_off_runs_longer_than_the_bound():
    fn = lower(LOOP)
    loops = symbolic.Unroll(2)
    ex = symbolic.Executor(fn, loops, exact=True)
    ex.run()
    assert len(ex.cutoffs) == 1 and len(ex.checks) == 1
    assert ex.checks[0].bad is None and not ex.exits  # BMC records no exit conditions
    assert solver.solve([ex.cutoffs[0], z3.Int("n") == 2], Budget.of_seconds(1)).unsat
    assert solver.solve([ex.cutoffs[0], z3.Int("n") == 3], Budget.of_seconds(1)).sat


def test_bmc_on_the_executor_refutes_beyond_three():
    outcome = bmc.check(lower(LOOP), 6, Budget.of_seconds(5))
    (result,) = outcome.sites.values()
    assert result.status == "refuted" and result.witness.inputs["n"] >= 4
    assert outcome.checks is not None and not outcome.complete


def test_summarised_loop_havocs_what_it_writes():
    fn = lower("""
def f(n: int) -> int:
    k = 0
    while k < 5:
        i = 0
        while i < n:
            i += 1
        k += 1
    return k
""")
    outer = transition.loops_of(fn)[0]
    it = transition.iteration(fn, outer)
    assert it.inner_loops and len(it.back) == 1
    guard, post = it.back[0]
    assert not post["i"].eq(it.pre["i"])  # the inner loop's write is forgotten
    assert solver.solve([guard, it.pre["k"] == 0, post["k"] != 1], Budget.of_seconds(1)).unsat


def test_entries_are_exact_paths_to_the_loop():
    fn = lower("""
def f(n: int) -> int:
    i = 0
    while i < n:
        i += 1
    j = i
    while j > 0:
        j -= 1
    return j
""")
    second = transition.loops_of(fn)[1]
    entries = transition.unrolled_entries(fn, second.loop_id, 3)
    assert len(entries) == 1  # the first loop left after 0, 1 or 2 rounds, merged


def test_one_chc_system_serves_spacer_and_k_induction():
    fn = lower("""
def f(n: int) -> int:
    assert n >= 0
    t = 0
    i = 0
    while i < n:
        t += i
        i += 1
    assert 2 * t == i * (i - 1)
    return t
""")
    system = transition.encode_chc(fn)
    shared = proof.prove_asserts(fn, Budget.of_seconds(8), system=system)
    alone = proof.prove_asserts(fn, Budget.of_seconds(8))
    assert {s: p.status for s, p in shared.items()} == {s: p.status for s, p in alone.items()}
    kind = kinduction.prove_asserts_kind(fn, Budget.of_seconds(4), guesses=True, system=system)
    assert set(kind) <= set(system.queries)


def test_can_hold_reads_the_unrolling_already_made():
    fn = passes.prepare(lower("def f(x):\n    return x != x\n"), {"always-true"})
    outcome = bmc.check(fn, 4, Budget.of_seconds(2))
    assert [c.stmt.kind for c in outcome.checks] == ["always-true"]
    assert bmc.can_hold(outcome, "always-true", Budget.of_seconds(1)) is False
    fn = passes.prepare(lower("def f(x):\n    return x > 0\n"), {"always-true"})
    maybe = bmc.check(fn, 4, Budget.of_seconds(2))
    assert bmc.can_hold(maybe, "always-true", Budget.of_seconds(1)) is True


def test_always_false_is_flagged_in_the_evidence():
    report = check.check_function("def f(x):\n    return x != x\n", "python", "f",
                                  Settings(unwind=4, timeout_s=5))  # fmt: skip
    (result,) = report.results
    assert "always returns False" in result.message
    assert result.evidence.always_false is True
    report = check.check_function("def f(x):\n    return x > 0\n", "python", "f",
                                  Settings(unwind=4, timeout_s=5))  # fmt: skip
    assert report.results[0].evidence.always_false is False


def test_check_function_picks_the_unit_at_line():
    text = "def f(x):\n    return x == x\n\ndef f(x):\n    return x > 0\n"
    settings = Settings(unwind=4, timeout_s=5)
    first = check.check_function(text, "python", "f", settings)
    second = check.check_function(text, "python", "f", settings, line=4)
    assert first.line == 1 and first.results[0].status == "proved"
    assert second.line == 4 and second.results[0].status == "refuted"
