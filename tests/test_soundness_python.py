"""Differential soundness suite for Python: hypothesis generates small functions in the
supported subset (int arithmetic with floor `//` and `%`, `**` by small constants, `abs`,
`min`, `max`, `int`/`bool` conversions, truth values stored in variables that also hold
ints, comparisons (chained), `and`/`or`/`not`, conditional expressions, `if`,
`for ... in range`, `while`, `break`, `continue`, asserts, preconditions and calls to a
same-file helper), prooflens checks them, and every verdict is held against real runs:

- every "proved" (assertion, division by zero, always returns True) survives random and
  boundary inputs: the real function never fails there (inputs that break a leading
  `assert` -- a precondition -- are not counted);
- every "terminates" survives the same inputs: no run repeats a state at a `while` header
  (a repeated state of a deterministic function is a real infinite loop);
- every refutation's witness reproduces when the real function is run on it;
- nothing escapes as an exception, and no result is an internal error.

Profiles: the default is short (CI: a fixed seed, 24 programs, about 30 s on 2 cores).
Set `PROOFLENS_SOUNDNESS=long` for a long random run (`PROOFLENS_SOUNDNESS_EXAMPLES=N`
sets the number of generated programs; default 400; `PROOFLENS_SOUNDNESS_LOG=FILE` appends
every disagreement to FILE at once, before hypothesis shrinks it). Counts of programs and
cross-checked verdicts are printed at the end (`pytest -s`). A failure prints the program:
add it to tests/test_regressions.py.
"""

from __future__ import annotations

import random
import signal
import sys
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from soundness_support import PROFILE, log_bug

from prooflens.analysis.check import check_text
from prooflens.analysis.settings import Settings

FILENAME = "<soundness>"
STEP_CAP = 4000  # line events per run before it counts as "did not finish" (inconclusive)
RUN_SECONDS = 0.5  # wall budget per run (big-number arithmetic), also inconclusive
BOUNDARY = (0, 1, -1, 2, -2, 3, -3, 5, 7, 10, -10, 100, -101, 2**31 - 1, -(2**31), 2**63)
VARS = ("p", "q", "r", "s")
STATS: Counter[str] = Counter()

# --------------------------------------------------------------------------- programs


@dataclass
class Loop:
    header: int  # line of `while` / `for`
    end: int  # last line of the body
    kind: str  # "while" | "for"


@dataclass
class FunctionInfo:
    name: str
    params: tuple[str, ...]
    first_line: int = 0
    preconditions: set[int] = field(default_factory=set)
    loops: list[Loop] = field(default_factory=list)


@dataclass
class Program:
    source: str
    functions: list[FunctionInfo]
    constants: tuple[int, ...]


class _Writer:
    """Source lines with indentation; records where every function and loop sits."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: set[int] = set()

    def emit(self, depth: int, text: str) -> int:
        self.lines.append("    " * depth + text)
        return len(self.lines)


SMALL = st.sampled_from((0, 1, 2, 3, -1, -2, 5, 7, 10, 100))
ANY_CONST = st.one_of(SMALL, st.sampled_from((2**31 - 1, -(2**31), 2**32, 10**12)),
                      st.integers(-1000, 1000))  # fmt: skip


def expr(draw, scope: list[str], depth: int, writer: _Writer, helper: str | None) -> str:
    """An int expression over `scope`."""
    leaf = draw(st.booleans()) if depth > 0 else True
    if leaf or depth <= 0:
        if scope and draw(st.integers(0, 3)) > 0:
            return draw(st.sampled_from(scope))
        value = draw(ANY_CONST)
        writer.constants.add(value)
        return str(value) if value >= 0 else f"({value})"
    kind = draw(st.sampled_from(("bin", "bin", "bin", "neg", "abs", "minmax", "pow", "ite",
                                 "conv", "call" if helper else "bin")))  # fmt: skip
    sub = lambda: expr(draw, scope, depth - 1, writer, helper)  # noqa: E731
    if kind == "bin":
        op = draw(st.sampled_from(("+", "-", "*", "//", "%", "+", "-")))
        return f"({sub()} {op} {sub()})"
    if kind == "neg":
        return f"-{sub()}"
    if kind == "abs":
        return f"abs({sub()})"
    if kind == "minmax":
        return f"{draw(st.sampled_from(('min', 'max')))}({sub()}, {sub()})"
    if kind == "pow":
        return f"({sub()} ** {draw(st.integers(0, 3))})"
    if kind == "ite":
        return f"({sub()} if {cond(draw, scope, depth - 1, writer, helper)} else {sub()})"
    if kind == "conv":  # bool is an int: int(...) of a truth value, bool(...) of an int
        if draw(st.booleans()):
            return f"int({cond(draw, scope, depth - 1, writer, helper)})"
        return f"bool({sub()})"
    return f"{helper}({sub()}, {sub()})"


def cond(draw, scope: list[str], depth: int, writer: _Writer, helper: str | None) -> str:
    """A truth-valued expression over `scope`."""
    sub = lambda: expr(draw, scope, max(depth - 1, 0), writer, helper)  # noqa: E731
    kind = draw(st.sampled_from(("cmp", "cmp", "cmp", "chain", "and", "or", "not")))
    if kind in ("cmp", "chain") or depth <= 0:
        op = draw(st.sampled_from(("<", "<=", ">", ">=", "==", "!=")))
        if kind == "chain":
            op2 = draw(st.sampled_from(("<", "<=", "!=")))
            return f"{sub()} {op} {sub()} {op2} {sub()}"
        return f"{sub()} {op} {sub()}"
    inner = lambda: cond(draw, scope, depth - 1, writer, helper)  # noqa: E731
    if kind == "not":
        return f"not ({inner()})"
    return f"({inner()}) {kind} ({inner()})"


@dataclass
class _Ctx:
    draw: Any
    writer: _Writer
    info: FunctionInfo
    helper: str | None
    budget: int  # statements left to generate
    in_loop: bool = False


def block(ctx: _Ctx, depth: int, scope: list[str], size: int) -> None:
    """`size` statements (at least one line) at indentation `depth`."""
    emitted = False
    for _ in range(size):
        if ctx.budget <= 0:
            break
        ctx.budget -= 1
        statement(ctx, depth, scope)
        emitted = True
    if not emitted:
        ctx.writer.emit(depth, "pass")


def statement(ctx: _Ctx, depth: int, scope: list[str]) -> None:
    draw, w = ctx.draw, ctx.writer
    nest = depth < 4
    kinds = ["assign", "assign", "aug", "assert", "assert", "flag"]
    kinds += ["if", "while", "for"] if nest else []
    kinds += ["break", "continue"] if ctx.in_loop else []
    kind = draw(st.sampled_from(kinds))
    e = lambda d=2: expr(draw, scope, d, w, ctx.helper)  # noqa: E731
    c = lambda d=1: cond(draw, scope, d, w, ctx.helper)  # noqa: E731
    if kind == "assign":
        target = draw(st.sampled_from(VARS))
        w.emit(depth, f"{target} = {e()}")
        if target not in scope:
            scope.append(target)
    elif kind == "flag":  # a truth value in a variable that may also hold ints
        target = draw(st.sampled_from(VARS))
        w.emit(depth, f"{target} = {c()}")
        if target not in scope:
            scope.append(target)
    elif kind == "aug" and scope:
        target = draw(st.sampled_from(scope))
        w.emit(depth, f"{target} {draw(st.sampled_from(('+=', '-=', '*=')))} {e(1)}")
    elif kind == "assert" or kind == "aug":
        w.emit(depth, f"assert {c()}")
    elif kind == "if":
        w.emit(depth, f"if {c()}:")
        block(ctx, depth + 1, list(scope), draw(st.integers(1, 2)))
        if draw(st.booleans()):
            w.emit(depth, "else:")
            block(ctx, depth + 1, list(scope), draw(st.integers(1, 2)))
    elif kind == "while":
        loop_statement(ctx, depth, scope, "while")
    elif kind == "for":
        loop_statement(ctx, depth, scope, "for")
    else:
        guard = c()
        w.emit(depth, f"if {guard}:")
        w.emit(depth + 1, kind)


def loop_statement(ctx: _Ctx, depth: int, scope: list[str], kind: str) -> None:
    draw, w = ctx.draw, ctx.writer
    inner = list(scope)
    if kind == "while":
        if scope and draw(st.integers(0, 2)) > 0:  # a counting loop, the common shape
            var = draw(st.sampled_from(scope))
            bound = expr(draw, scope, 1, w, ctx.helper)
            op = draw(st.sampled_from(("<", ">", "!=", "<=", ">=")))
            header = w.emit(depth, f"while {var} {op} {bound}:")
            step = draw(st.sampled_from(("+= 1", "-= 1", "+= 2", "-= 3", "//= 2")))
            w.emit(depth + 1, f"{var} {step}")
        else:
            header = w.emit(depth, f"while {cond(draw, scope, 1, w, ctx.helper)}:")
    else:
        bound = draw(st.sampled_from(("K", "K", "v", "v2", "step")))
        k = draw(st.integers(0, 6))
        var = draw(st.sampled_from(scope)) if scope else str(k)
        text = {"K": f"range({k})", "v": f"range({var})", "v2": f"range({k}, {var})",
                "step": f"range({var}, {-k}, -{draw(st.integers(1, 3))})"}[bound]  # fmt: skip
        header = w.emit(depth, f"for i in {text}:")
        inner.append("i")
    was = ctx.in_loop
    ctx.in_loop = True
    block(ctx, depth + 1, inner, draw(st.integers(1, 3)))
    ctx.in_loop = was
    ctx.info.loops.append(Loop(header, len(w.lines), kind))


@st.composite
def programs(draw) -> Program:
    w = _Writer()
    functions = []
    helper = None
    if draw(st.booleans()):
        helper = "h"
        info = FunctionInfo("h", ("u", "w"), w.emit(0, "def h(u, w):"))
        if draw(st.booleans()):
            info.preconditions.add(w.emit(1, f"assert {cond(draw, ['u', 'w'], 1, w, None)}"))
        w.emit(1, f"return {expr(draw, ['u', 'w'], 2, w, None)}")
        w.emit(0, "")
        w.emit(0, "")
        functions.append(info)
    for index in range(draw(st.integers(1, 2))):
        params = tuple(draw(st.sampled_from((("a",), ("a", "b"), ("a", "b", "c")))))
        name = f"f{index}"
        info = FunctionInfo(name, params, w.emit(0, f"def {name}({', '.join(params)}):"))
        scope = list(params)
        for _ in range(draw(st.integers(0, 1))):
            info.preconditions.add(w.emit(1, f"assert {cond(draw, scope, 1, w, None)}"))
        ctx = _Ctx(draw, w, info, helper, budget=draw(st.integers(2, 7)))
        block(ctx, 1, scope, draw(st.integers(1, 4)))
        if draw(st.booleans()):
            w.emit(1, f"return {cond(draw, scope, 2, w, helper)}")
        else:
            w.emit(1, f"return {expr(draw, scope, 2, w, helper)}")
        w.emit(0, "")
        w.emit(0, "")
        functions.append(info)
    return Program("\n".join(w.lines) + "\n", functions, tuple(sorted(w.constants)))


# ------------------------------------------------------------------------- real runs


@dataclass(frozen=True)
class Run:
    """What the real function did: "returned" (value), "raised" (type, lines of the
    traceback in the program), "loops" (a state repeated at `line`: runs forever) or
    "unfinished" (step or time cap: inconclusive)."""

    outcome: str
    value: Any = None
    error: str = ""
    lines: tuple[int, ...] = ()
    line: int = 0
    # (line, first column, last column), 1-based, of each traceback frame's expression
    spans: tuple[tuple[int, int, int], ...] = ()


class _Stop(BaseException):
    def __init__(self, outcome: str, line: int = 0) -> None:
        super().__init__(outcome)
        self.outcome = outcome
        self.line = line


def run_real(namespace: dict, info: FunctionInfo, inputs: dict[str, Any]) -> Run:
    """Call the function under a line tracer that counts steps and watches `while` headers
    for a repeated state (within one entry of the loop)."""
    whiles = {loop.header: loop for loop in info.loops if loop.kind == "while"}
    seen: dict[int, set] = {}
    steps = 0
    previous = [0]

    def local(frame, event, arg):
        nonlocal steps
        if event != "line" or frame.f_code.co_name != info.name:
            return local
        steps += 1
        if steps > STEP_CAP:
            raise _Stop("unfinished", frame.f_lineno)
        line = frame.f_lineno
        loop = whiles.get(line)
        if loop is not None:
            if not loop.header <= previous[0] <= loop.end:  # entered anew
                seen[line] = set()
            state = tuple(sorted((k, v) for k, v in frame.f_locals.items()))
            if state in seen[line]:
                raise _Stop("loops", line)
            seen[line].add(state)
        previous[0] = line
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename == FILENAME else None

    active = [True]

    def alarm(signum, frame):
        if active[0]:  # a late signal (after the call) must not hit the test itself
            signal.setitimer(signal.ITIMER_REAL, 0.05)  # again, if this one is swallowed
            raise _Stop("unfinished")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, RUN_SECONDS)
    sys.settrace(tracer)
    try:
        value = namespace[info.name](**inputs)
        return Run("returned", value=value)
    except _Stop as stop:
        return Run(stop.outcome, line=stop.line)
    except RecursionError:
        return Run("unfinished")
    except Exception as error:  # noqa: BLE001 - the program's own failure is data here
        frames = [f for f in traceback.extract_tb(error.__traceback__)
                  if f.filename == FILENAME]  # fmt: skip
        spans = tuple((f.lineno, (f.colno or 0) + 1, f.end_colno or 10**6) for f in frames)
        return Run("raised", error=type(error).__name__, lines=tuple(f.lineno for f in frames),
                   spans=spans)  # fmt: skip
    finally:
        active[0] = False
        sys.settrace(None)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def input_values(program: Program, rng: random.Random) -> list[int]:
    near = {c + d for c in program.constants for d in (-1, 0, 1) if abs(c) < 10**13}
    return sorted(set(BOUNDARY) | near) + [rng.randint(-50, 50) for _ in range(12)] + [
        rng.randint(-(2**40), 2**40) for _ in range(4)
    ]


def input_tuples(info: FunctionInfo, values: list[int], rng: random.Random) -> list[dict]:
    """Boundary values for every parameter (all pairs for 1-2 parameters), plus random."""
    small = values[:24]
    if len(info.params) == 1:
        grid = [(v,) for v in values]
    elif len(info.params) == 2:
        grid = [(a, b) for a in small for b in small]
    else:
        grid = [tuple(rng.choice(values) for _ in info.params) for _ in range(500)]
    return [dict(zip(info.params, combo, strict=True)) for combo in grid]


# ------------------------------------------------------------------------- the oracle


def precondition_failed(run: Run, info: FunctionInfo) -> bool:
    return run.outcome == "raised" and run.error == "AssertionError" and bool(
        run.lines and run.lines[0] in info.preconditions
    )


def fails_at(run: Run, prop: str, line: int, column: int = 0, statement: bool = False) -> bool:
    """Did this run fail the way a `prop` result at `line`:`column` talks about? An
    `assert` statement (`statement`) is matched by its line; anything else by its column
    too: one line may hold several divisions, or several calls whose callee preconditions
    are checked at the call, and the first one to fail hides the others."""
    error = {"assertion": "AssertionError", "division-by-zero": "ZeroDivisionError"}.get(prop)
    if error is not None:
        return run.outcome == "raised" and run.error == error and any(
            at == line and (statement or first <= column <= last)
            for at, first, last in run.spans
        )
    if prop == "always-true":
        return run.outcome == "returned" and run.value is not True
    if prop == "termination":
        return run.outcome == "loops"
    return False


def loop_at(info: FunctionInfo, line: int) -> Loop | None:
    return next((loop for loop in info.loops if loop.header == line), None)


def refutes_termination(run: Run, info: FunctionInfo, line: int) -> bool:
    """A repeated state inside the loop at `line` (or a loop nested in it)."""
    loop = loop_at(info, line)
    return run.outcome == "loops" and loop is not None and loop.header <= run.line <= loop.end


def is_assert_statement(program: Program, line: int, column: int) -> bool:
    lines = program.source.splitlines()
    return 0 < line <= len(lines) and lines[line - 1][column - 1 :].startswith("assert ")


def cross_check(program: Program, report, namespace: dict, rng: random.Random) -> list[str]:
    """Every disagreement between the verdicts and the real runs."""
    bugs: list[str] = []
    values = input_values(program, rng)
    by_name = {info.name: info for info in program.functions}
    for function in report.functions:
        info = by_name[function.name]
        runs = None
        for result in function.results:
            STATS[f"verdict {result.status}"] += 1
            message = result.message + " " + (result.reason or "")
            if "internal error" in message or "frontend error" in message:
                bugs.append(f"{function.name}: internal error: {message}")
            statement = is_assert_statement(program, result.line, result.column)
            if result.status == "refuted":
                bugs.extend(check_witness(namespace, info, result, statement))
            elif result.status == "proved" and result.property != "unsupported":
                if runs is None:
                    runs = [(i, run_real(namespace, info, i))
                            for i in input_tuples(info, values, rng)]  # fmt: skip
                bugs.extend(check_proof(info, result, runs, statement))
    return bugs


def check_witness(namespace: dict, info: FunctionInfo, result, statement: bool) -> list[str]:
    STATS["witnesses replayed"] += 1
    if result.confirmed is False:
        return [f"{info.name}: refutation shown with confirmed=False: {result.message}"]
    run = run_real(namespace, info, dict(result.witness))
    if result.property == "termination":
        if run.outcome in ("returned", "raised"):
            return [f"{info.name}: non-termination witness {result.witness} ended: {run}"]
        return []
    if not fails_at(run, result.property, result.line, result.column, statement):
        return [f"{info.name}: witness {result.witness} for {result.property} at line "
                f"{result.line} does not reproduce: {run}"]  # fmt: skip
    return []


def check_proof(
    info: FunctionInfo, result, runs: list[tuple[dict, Run]], statement: bool
) -> list[str]:
    STATS[f"proofs cross-checked ({result.property})"] += 1
    for inputs, run in runs:
        STATS["real runs"] += 1
        if precondition_failed(run, info):
            continue
        if result.property == "termination":
            wrong = refutes_termination(run, info, result.line)
        else:
            wrong = fails_at(run, result.property, result.line, result.column, statement)
        if wrong:
            return [f"{info.name}: WRONG PROOF of {result.property} at line {result.line} "
                    f"({result.message}): {info.name}({inputs}) -> {run}"]  # fmt: skip
    return []


# ------------------------------------------------------------------------------ tests


def check_program(program: Program, deep: bool) -> None:
    STATS["programs"] += 1
    STATS["functions"] += len(program.functions)
    budget = Settings(unwind=4, timeout_s=3.0 if deep else 2.0, deep=deep)
    try:
        report = check_text(program.source, "python", budget, FILENAME)
    except Exception:  # noqa: BLE001
        pytest.fail(f"exception escaped check_text:\n{traceback.format_exc()}\n"
                    f"{program.source}")  # fmt: skip
    namespace: dict[str, Any] = {}
    exec(compile(program.source, FILENAME, "exec"), namespace)  # generated code only
    bugs = cross_check(program, report, namespace, random.Random(program.source))
    if bugs:
        STATS["programs with a bug"] += 1
        log_bug(bugs, program.source, deep)
    assert not bugs, "\n".join(bugs) + f"\n--- program (deep={deep}) ---\n{program.source}"


@PROFILE
@given(programs())
def test_quick_verdicts_agree_with_real_runs(program: Program) -> None:
    check_program(program, deep=False)


@PROFILE
@given(programs())
def test_deep_verdicts_agree_with_real_runs(program: Program) -> None:
    check_program(program, deep=True)


def test_oracle_detects_wrong_answers() -> None:
    """The oracle itself: it must see a failing assertion, a division by zero, a False
    return and a repeated loop state (else the suite could never fail)."""
    source = ("def f0(a):\n    p = 0\n    while a > p:\n        a = a\n    return a\n\n\n"
              "def f1(a, b):\n    assert a != 3\n    p = a // b\n    return p == p\n")  # fmt: skip
    loop = Loop(3, 4, "while")
    program = Program(source, [FunctionInfo("f0", ("a",), 1, set(), [loop]),
                               FunctionInfo("f1", ("a", "b"), 8, {9})], ())  # fmt: skip
    namespace: dict[str, Any] = {}
    exec(compile(source, FILENAME, "exec"), namespace)
    f0, f1 = program.functions
    assert run_real(namespace, f0, {"a": 1}).outcome == "loops"
    assert refutes_termination(run_real(namespace, f0, {"a": 1}), f0, 3)
    assert precondition_failed(run_real(namespace, f1, {"a": 3, "b": 1}), f1)
    assert fails_at(run_real(namespace, f1, {"a": 1, "b": 0}), "division-by-zero", 10, 11)
    assert not fails_at(run_real(namespace, f1, {"a": 1, "b": 0}), "division-by-zero", 10, 1)
    assert not fails_at(run_real(namespace, f1, {"a": 1, "b": 1}), "always-true", 1)
    source2 = ("def g(u):\n    assert u < 0\n    return u\n\n\n"
               "def f2(a):\n    b = a\n    assert b != 7\n    return g(g(a))\n")  # fmt: skip
    program2 = Program(source2, [], ())
    f2 = FunctionInfo("f2", ("a",), 6)
    exec(compile(source2, FILENAME, "exec"), namespace)
    assert is_assert_statement(program2, 8, 5) and not is_assert_statement(program2, 9, 12)
    assert fails_at(run_real(namespace, f2, {"a": 7}), "assertion", 8, 5, statement=True)
    inner_first = run_real(namespace, f2, {"a": 1})  # g(a) fails: the outer call is not reached
    assert fails_at(inner_first, "assertion", 9, 14)
    assert not fails_at(inner_first, "assertion", 9, 12)


def test_print_counts() -> None:
    """Runs last in this file: the counts for the closing report (`pytest -s`)."""
    print("\nsoundness (python):", dict(sorted(STATS.items())))
