"""Differential test of termination verdicts: generated C and Python loops (tests/
termination_programs.py) are checked by prooflens (deep, replay on) and run by an oracle in
mathematical integers (C: signed arithmetic unbounded, unsigned modulo 2^w) with an
iteration cap, on random and boundary inputs.

- every "terminates" must stop in the oracle: a run that repeats a state at the loop's head,
  or (on a small input) runs past the cap while the loop is active, is a wrong proof -- a C
  loop that ends only because signed arithmetic overflows does not terminate;
- every refuted termination must be confirmed by a real run, and its witness must not stop
  in the oracle.

Generators: loops whose only exit is signed overflow, loops calling same-file functions
(early returns, loops of their own, nested calls), random affine loops, loops that stop,
unsigned C loops that wrap. Plus a table of known wrong answers. Profiles as in
tests/soundness_support.py (`PROOFLENS_SOUNDNESS=long`, `PROOFLENS_SOUNDNESS_LOG=FILE`);
`pytest -s` prints the counts at the end.
"""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from soundness_support import EXAMPLES, LONG, PROFILE, log_bug
from termination_programs import (
    Assign,
    Bin,
    Break,
    Call,
    Cmp,
    Const,
    Function,
    If,
    Logic,
    Oracle,
    Program,
    Rendered,
    Return,
    Truth,
    Var,
    add,
    fn,
    generators,
    inputs,
    is_small,
    loop,
    mul,
    render,
    sub,
)

from prooflens.analysis.check import check_text
from prooflens.analysis.settings import Settings
from prooflens.analysis.verdicts import FileReport, FunctionReport, Result

CHECK = Settings(timeout_s=3.0, deep=True, replay=True)
RANDOM_INPUTS = 40 if LONG else 10  # per function; C adds about half as many at the limits
# No shrinking: each shrink step is a full check (seconds); the programs are small, the
# failure message shows the program and the bug log has it at once.
GENERATOR_PROFILE = settings(PROFILE, max_examples=EXAMPLES if LONG else 1,
                             phases=(Phase.generate,))
GENERATORS = generators()
STATS: Counter[str] = Counter()
WHERE = re.compile(r"\(in \w+, line (\d+)\)$")

# ------------------------------------------------------------------------ cross-check


def loop_line(result: Result, rendered: Rendered) -> int | None:
    """The header line of the loop a termination result is about (inlined callees say
    "(in callee, line N)" and are shown at the call)."""
    where = WHERE.search(result.message)
    line = int(where.group(1)) if where else result.line
    return line if line in rendered.loops else None


def function_of(program: Program, name: str) -> Function:
    return next(f for f in program.functions if f.name == name)


def check_proofs(program: Program, oracle: Oracle, report: FunctionReport,
                 proved: dict[int, Result], rnd: random.Random) -> list[str]:  # fmt: skip
    """Run the function on many inputs: no proved loop may be active in a run that loops."""
    function = function_of(program, report.name)
    bugs: dict[int, str] = {}
    for args in inputs(function.params, program.language == "c", rnd, RANDOM_INPUTS):
        run = oracle.run(function.name, args)
        STATS[f"oracle runs ({run.outcome})"] += 1
        for line in set(run.active) & set(proved) - set(bugs):
            if not run.loops_forever(is_small(args)):
                STATS["capped on a large input (inconclusive)"] += 1
                continue
            result = proved[line]
            bugs[line] = (f"{report.name}: loop at line {line} proved terminating "
                          f"({result.message}) but {report.name}{args} does not stop: "
                          f"{run.outcome} at the loop of line {run.line}"
                          f" ({run.overflows} signed results outside their type)")  # fmt: skip
        if len(bugs) == len(proved):
            break
    return list(bugs.values())


def check_refutation(program: Program, oracle: Oracle, report: FunctionReport, line: int,
                     result: Result) -> list[str]:  # fmt: skip
    """A refuted loop: confirmed for real, and its witness does not stop in the oracle."""
    STATS["refutations replayed"] += 1
    function = function_of(program, report.name)
    if result.confirmed is not True:
        return [f"{report.name}: refuted termination at {line} not confirmed: {result.message}"]
    try:
        args = tuple(int(result.witness[name]) for _, name in function.params)
    except (KeyError, TypeError, ValueError):
        return [f"{report.name}: witness {result.witness} does not give every parameter"]
    run = oracle.run(function.name, args)
    if run.outcome == "returned" or line not in run.active:
        return [f"{report.name}: loop at line {line} refuted ({result.message}) but "
                f"{report.name}{args} stops in the oracle: {run.outcome}"]  # fmt: skip
    return []


def cross_check(program: Program, rendered: Rendered, report: FileReport) -> list[str]:
    """Every termination verdict of every function, against the oracle."""
    oracle, bugs = Oracle(rendered), []
    rnd = random.Random(rendered.source)
    for fn_report in report.functions:
        proved: dict[int, Result] = {}
        for result in fn_report.results:
            STATS[f"verdict {result.property} {result.status}"] += 1
            if "internal error" in result.message:
                bugs.append(f"{fn_report.name}: {result.message}")
            if result.property != "termination" or result.status not in ("proved", "refuted"):
                continue
            line = loop_line(result, rendered)
            if line is None:
                bugs.append(f"{fn_report.name}: termination verdict at line {result.line} "
                            f"names no loop: {result.message}")  # fmt: skip
            elif result.status == "proved":
                proved[line] = result
            else:
                bugs += check_refutation(program, oracle, fn_report, line, result)
        if proved:
            STATS["proved loops cross-checked"] += len(proved)
            bugs += check_proofs(program, oracle, fn_report, proved, rnd)
    return bugs


def check_program(program: Program) -> None:
    """Check, cross-check, log and fail with the program on any wrong verdict."""
    rendered = render(program)
    report = check_text(rendered.source, program.language, CHECK,
                        f"program.{'c' if program.language == 'c' else 'py'}")  # fmt: skip
    STATS["programs"] += 1
    STATS[f"programs ({program.kind})"] += 1
    STATS["functions"] += len(program.functions)
    STATS["loops"] += len(rendered.loops)
    bugs = cross_check(program, rendered, report)
    if bugs:
        STATS["programs with a wrong verdict"] += 1
        log_bug(bugs, rendered.source, deep=True)
    assert not bugs, "\n".join(bugs) + "\n--- program ---\n" + rendered.source


# ------------------------------------------------------------------------------ tests


@pytest.mark.e2e
@pytest.mark.parametrize("generator", sorted(GENERATORS))
@GENERATOR_PROFILE
@given(data=st.data())
def test_no_wrong_termination_verdict(generator: str, data: st.DataObject) -> None:
    check_program(data.draw(GENERATORS[generator], label="program"))


V, K = Var, Const
TRUE, FALSE = K(1, boolean=True), K(0, boolean=True)
POSITIVE = Logic("and", Cmp(">", V("x"), K(0)), Cmp(">", V("y"), K(0)))


def _one_loop(language: str, types: tuple[str, str], guard, *body, pre=POSITIVE,
              locals_=()) -> Program:  # fmt: skip
    """`f(x, y)` with one loop, returning x."""
    main = fn("f", [(types[0], "x"), (types[1], "y")], [loop(guard, *body), Return(V("x"))],
              pre=pre, locals_=locals_)  # fmt: skip
    return Program(language, (main,), "regression")


def _has_factor(t: str, early: bool = True) -> Function:
    """`has_factor(m, k)`: some d in [2, k) divides m (an early return inside its loop)."""
    d = V("d")
    hit = (Return(TRUE),) if early else (Assign("d", V("k")), Break())
    return fn("has_factor", [(t, "m"), (t, "k")], [
        loop(Cmp("<", d, V("k")), If(Cmp("==", Bin("%", V("m"), d), K(0)), hit),
             Assign("d", add(d, K(1)))),
        Return(FALSE)], locals_=[(t, "d", K(2))], predicate=True)  # fmt: skip


def _factor_loop(language: str, update, t: str = "int", pre=None, wrap: bool = False,
                 limit: int = 4, negate: bool = False) -> Program:  # fmt: skip
    """`while (has_factor(m, limit)) m = update;`, optionally through a wrapper or negated."""
    functions = [_has_factor(t)]
    callee = "has_factor"
    if wrap:
        functions.append(fn("check", [(t, "m")], [
            If(Cmp("<", V("m"), K(0)), (Return(FALSE),)),
            Return(Call("has_factor", (V("m"), K(limit))))], predicate=True))  # fmt: skip
        guard = Truth(Call("check", (V("m"),)))
    else:
        guard = Truth(Call(callee, (V("m"), K(limit))))
    guard = Logic("not", guard) if negate else guard
    main = fn("g", [(t, "m")], [loop(guard, Assign("m", update)), Return(V("m"))], pre=pre)
    return Program(language, (*functions, main), "regression")


x, y, m = V("x"), V("y"), V("m")
# Each case checks in seconds to half a minute today; those over ~15 s run in the long
# profile only, to keep this file within CI's budget.
COSTLY = {"c-counter", "c-short-addend", "c-never-hit", "c-has-factor-step",
          "c-has-factor-wrapped", "python-has-small-factor-wrapped"}  # fmt: skip
REGRESSIONS: dict[str, Program] = {
    # 1. termination by overflow
    "c-quadratic": _one_loop("c", ("int", "int"), Cmp(">", x, K(0)),
                             Assign("x", add(x, y)), Assign("y", add(y, K(1)))),
    "c-counter": _one_loop("c", ("int", "int"), Cmp(">", x, K(0)), Assign("x", add(x, K(1)))),
    "c-long-double": _one_loop("c", ("long", "long"), Cmp(">", x, K(0)),
                               Assign("x", mul(x, K(2)))),
    "c-short-addend": _one_loop("c", ("int", "short"), Cmp(">", x, K(0)),
                                Assign("x", add(x, y))),
    "c-never-hit": _one_loop("c", ("int", "int"), Cmp("!=", x, mul(K(2), V("i"))),
                             Assign("i", add(V("i"), K(1))), Assign("x", add(x, K(3))),
                             locals_=[("int", "i", K(0))]),
    "python-quadratic": _one_loop("python", ("int", "int"), Cmp(">", x, K(0)),
                                  Assign("x", add(x, y)), Assign("y", add(y, K(1)))),
    # 2. early returns inside functions called from a loop guard
    "python-has-small-factor": _factor_loop("python", add(m, K(2)), pre=Cmp(">=", m, K(2))),
    "python-has-small-factor-wrapped": _factor_loop("python", add(m, K(2)),
                                                    pre=Cmp(">=", m, K(2)), wrap=True),
    "c-has-factor-constant": _factor_loop("c", K(4)),
    "c-has-factor-step": _factor_loop("c", add(m, K(2)), pre=Cmp(">=", m, K(2))),
    "c-has-factor-wrapped": _factor_loop("c", K(4), wrap=True),
    # found by the long profile: a negated guard through such a function, "proved" as
    # "the loop body never returns to the loop head"
    "python-not-has-factor": _factor_loop("python", add(m, K(4)), pre=Cmp(">=", m, K(2)),
                                          limit=3, negate=True),
    "c-not-has-factor": _factor_loop("c", m, negate=True),
    # found by the long profile: an internal error (a 4300-digit int printed) on x = 3x + 1
    "python-triple-growth": _one_loop("python", ("int", "int"), Cmp(">=", x, y),
                                      Assign("x", add(mul(K(3), x), K(1)))),
    "c-triple-growth": _one_loop("c", ("int", "short"), Cmp(">", x, K(0)),
                                 Assign("x", add(mul(K(3), x), K(1)))),
    # loops that do stop: a real proof, and a defined unsigned wrap-around
    "c-count-down": _one_loop("c", ("int", "int"), Cmp(">", x, y), Assign("x", sub(x, K(1))),
                              pre=None),
    "c-unsigned-char-wraps": _one_loop("c", ("unsigned char", "int"), Cmp("!=", x, K(0)),
                                       Assign("x", add(x, K(1))), pre=None),
    "c-unsigned-doubles": _one_loop("c", ("unsigned", "int"), Cmp("!=", x, K(0, "unsigned")),
                                    Assign("x", mul(x, K(2, "unsigned"))), pre=None),
}  # fmt: skip


@pytest.mark.e2e
@pytest.mark.parametrize("case", sorted(REGRESSIONS))
def test_regression_no_wrong_termination(case: str) -> None:
    if case in COSTLY and not LONG:
        pytest.skip("costly today: long profile only (PROOFLENS_SOUNDNESS=long)")
    check_program(REGRESSIONS[case])


# ------------------------------------------------------------------ the oracle itself


def test_oracle_sees_loops_that_do_not_stop() -> None:
    """Overflow-only exits, repeated states and defined wrap-around, as the oracle sees
    them (else the suite could never fail -- or would fail on correct proofs)."""
    cases = {  # case -> (inputs, outcome)
        "c-quadratic": ((1, 1), "capped"),
        "c-never-hit": ((1, 1), "capped"),
        "python-has-small-factor": ((4,), "capped"),
        "c-has-factor-constant": ((9,), "repeats"),
        "c-unsigned-char-wraps": ((5, 0), "returned"),
        "c-unsigned-doubles": ((5, 0), "returned"),
        "c-count-down": ((2**31 - 1, -(2**31)), "capped"),
    }  # fmt: skip
    for case, (args, outcome) in cases.items():
        program = REGRESSIONS[case]
        run = Oracle(render(program)).run(program.functions[-1].name, args)
        assert run.outcome == outcome, (case, run)
    assert not Oracle(render(REGRESSIONS["c-count-down"])).run("f", (2**31 - 1, -(2**31))) \
        .loops_forever(is_small((2**31 - 1, -(2**31))))  # a long, legitimate run  # fmt: skip


def test_oracle_c_conversions() -> None:
    """Promotions, usual arithmetic conversions, narrowing and truncating division."""
    x_ = V("x")
    cases = [  # (types of x and y, returned expression, inputs, expected)
        (("unsigned", "int"), Cmp("<", V("y"), x_), (1, -1), 0),  # -1 becomes UINT_MAX
        (("long", "unsigned"), Cmp("<", V("y"), x_), (1, 2), 0),  # long holds unsigned
        (("short", "int"), add(x_, K(1)), (32767, 0), -32768),  # narrowing wraps
        (("int", "int"), Bin("/", x_, K(2)), (-7, 0), -3),
        (("unsigned char", "int"), sub(x_, K(1)), (0, 0), 255),
    ]  # fmt: skip
    for types, expr, args, expected in cases:
        value = expr if not isinstance(expr, Cmp) else None
        body = [Return(value)] if value is not None else \
            [If(expr, (Return(K(1)),)), Return(K(0))]  # fmt: skip
        ret = types[0] if value is not None else "int"
        program = Program("c", (fn("f", [(types[0], "x"), (types[1], "y")], body, ret=ret),))
        namespace = Oracle(render(program)).namespace
        assert namespace["f"](*args) == expected, (types, expr, args)


def test_print_counts() -> None:
    """Runs last in this file: the counts for the closing report (`pytest -s`)."""
    print("\ntermination soundness:", dict(sorted(STATS.items())))
