"""Differential soundness suite for C: hypothesis generates small functions in the supported
subset (int / unsigned / long arithmetic, `/` `%` `<<` `>>` `&` `|` `^` `~` `!`, casts,
comparisons, `&&` `||` `?:`, `if`, `while`, `for`, `break`, `continue`,
`__VERIFIER_assert`, `__VERIFIER_assume` preconditions), prooflens checks them, and every
verdict is held against the real code compiled with `gcc -fsanitize=undefined`:

- every "proved" (assertion, signed overflow, division by zero, shift out of range, always
  returns true) survives random and boundary inputs: UBSan and the assert hook stay silent
  at that place (inputs that break a `__VERIFIER_assume` do not count);
- every "terminates" survives the same inputs: no run repeats its whole state at a loop
  header (C locals are the whole state of these functions: a repeat is a real endless loop);
- every refutation's witness reproduces in the compiled code;
- nothing escapes as an exception, and no result is an internal error.

The oracle binary forks one child per input (time-limited) and hooks `__VERIFIER_assert`,
`__VERIFIER_assume` and loop headers with macros placed on the same lines as in the
checked text (`#line 1`), so UBSan's line:column positions match prooflens's.

Profiles: the default is short (CI: a fixed seed, 24 programs, prooflens's own replay off
since this oracle replays every witness; about 30 s on 2 cores). Set
`PROOFLENS_SOUNDNESS=long` for a long random run with replay on
(`PROOFLENS_SOUNDNESS_EXAMPLES=N` sets the number of generated programs; default 400).
Counts are printed at the end
(`pytest -s`). A failure prints the program: add it to tests/test_regressions.py.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import tempfile
import traceback
from collections import Counter
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from soundness_support import EXAMPLES, LONG, PROFILE, log_bug

from prooflens.analysis.check import check_text
from prooflens.analysis.settings import Settings

GCC = shutil.which("gcc")
INT_MIN, INT_MAX, UINT_MAX = -(2**31), 2**31 - 1, 2**32 - 1
BOUNDARY_INT = (0, 1, -1, 2, -2, 3, 7, -8, 31, 32, 100, INT_MAX, INT_MIN, INT_MAX - 1,
                INT_MIN + 1, 65536, -65536, 46341)  # fmt: skip
BOUNDARY_UNSIGNED = (0, 1, 2, 3, 31, 32, 100, INT_MAX, INT_MAX + 1, UINT_MAX, UINT_MAX - 1)
LOCALS = (("int", "p"), ("int", "q"), ("unsigned", "r"), ("long", "s"), ("char", "t"),
          ("unsigned short", "u"), ("unsigned long", "v"))  # fmt: skip
CASTS = ("int", "unsigned", "long", "char", "signed char", "unsigned char", "short",
         "unsigned short", "unsigned long", "long long")  # fmt: skip
STATS: Counter[str] = Counter()
PRELUDE_LINE = "extern void __VERIFIER_assert(int cond); extern void __VERIFIER_assume(int cond);"

# ---------------------------------------------------------------------------- programs


@dataclass
class Loop:
    header: int
    end: int


@dataclass
class FunctionInfo:
    name: str
    params: tuple[tuple[str, str], ...]  # (C type, name)
    line: int = 0
    loops: list[Loop] = field(default_factory=list)
    watch_lines: dict[int, str] = field(default_factory=dict)  # line -> WATCH(...) text


@dataclass
class Program:
    source: str  # what prooflens checks
    oracle: str  # the same lines with the oracle's hooks appended (same line numbers)
    functions: list[FunctionInfo]
    constants: tuple[int, ...]


CONSTS = st.one_of(
    st.sampled_from((0, 1, 2, 3, 7, 31, 32, 100, 65535, INT_MAX, -1, -2)),
    st.integers(-300, 300),
)


class Gen:
    """Source lines, plus the facts the oracle needs (loops, hooks, constants)."""

    def __init__(self, draw) -> None:
        self.draw = draw
        self.lines: list[str] = [PRELUDE_LINE]
        self.constants: set[int] = set()

    def emit(self, depth: int, text: str) -> int:
        self.lines.append("    " * depth + text)
        return len(self.lines)

    def const(self) -> str:
        value = self.draw(CONSTS)
        self.constants.add(value)
        if value == INT_MAX:
            return "2147483647"
        style = self.draw(st.sampled_from(("", "", "", "u", "L", "hex", "char")))
        if style == "hex":  # a hex literal above INT_MAX is unsigned, not long
            return hex(value % 2**32) if self.draw(st.booleans()) else hex(abs(value))
        if style == "char" and 32 <= value < 127 and chr(value) not in "'\\":
            return f"'{chr(value)}'"
        suffix = style if style in ("u", "L") else ""
        return f"{value}{suffix}" if value >= 0 else f"({value})"

    def expr(self, scope: list[str], depth: int) -> str:
        draw = self.draw
        if depth <= 0 or draw(st.integers(0, 2)) == 0:
            return draw(st.sampled_from(scope)) if draw(st.integers(0, 3)) else self.const()
        sub = lambda: self.expr(scope, depth - 1)  # noqa: E731
        kind = draw(st.sampled_from(("bin", "bin", "bin", "bin", "unary", "cast", "ite")))
        if kind == "bin":
            op = draw(st.sampled_from(("+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^",
                                       "+", "-", "*")))  # fmt: skip
            return f"({sub()} {op} {sub()})"
        if kind == "unary":
            return f"{draw(st.sampled_from(('-', '~', '!')))}{sub()}"
        if kind == "cast":
            return f"(({draw(st.sampled_from(CASTS))}) {sub()})"
        return f"({self.cond(scope, depth - 1)} ? {sub()} : {sub()})"

    def cond(self, scope: list[str], depth: int) -> str:
        draw = self.draw
        kind = draw(st.sampled_from(("cmp", "cmp", "cmp", "and", "or", "not")))
        if kind == "cmp" or depth <= 0:
            op = draw(st.sampled_from(("<", "<=", ">", ">=", "==", "!=")))
            sub = max(depth - 1, 0)
            return f"{self.expr(scope, sub)} {op} {self.expr(scope, sub)}"
        if kind == "not":
            return f"!({self.cond(scope, depth - 1)})"
        op = "&&" if kind == "and" else "||"
        return f"({self.cond(scope, depth - 1)}) {op} ({self.cond(scope, depth - 1)})"


@dataclass
class _Ctx:
    gen: Gen
    info: FunctionInfo
    scope: list[str]
    budget: int
    in_loop: bool = False


def block(ctx: _Ctx, depth: int, size: int) -> None:
    for _ in range(size):
        if ctx.budget <= 0:
            return
        ctx.budget -= 1
        statement(ctx, depth)


def statement(ctx: _Ctx, depth: int) -> None:
    gen, draw = ctx.gen, ctx.gen.draw
    kinds = ["assign", "assign", "compound", "assert", "assert"]
    kinds += ["if", "while", "for"] if depth < 4 else []
    kinds += ["break", "continue"] if ctx.in_loop else []
    kind = draw(st.sampled_from(kinds))
    locals_ = [name for _, name in LOCALS]
    if kind == "assign":
        gen.emit(depth, f"{draw(st.sampled_from(locals_))} = {gen.expr(ctx.scope, 2)};")
    elif kind == "compound":
        op = draw(st.sampled_from(("+=", "-=", "*=", "/=", "<<=", "^=")))
        gen.emit(depth, f"{draw(st.sampled_from(locals_))} {op} {gen.expr(ctx.scope, 1)};")
    elif kind == "assert":
        gen.emit(depth, f"__VERIFIER_assert({gen.cond(ctx.scope, 1)});")
    elif kind == "if":
        gen.emit(depth, f"if ({gen.cond(ctx.scope, 1)}) {{")
        block(ctx, depth + 1, draw(st.integers(1, 2)))
        if draw(st.booleans()):
            gen.emit(depth, "} else {")
            block(ctx, depth + 1, draw(st.integers(1, 2)))
        gen.emit(depth, "}")
    elif kind in ("while", "for"):
        loop(ctx, depth, kind)
    else:
        gen.emit(depth, f"if ({gen.cond(ctx.scope, 1)}) {kind};")


def loop(ctx: _Ctx, depth: int, kind: str) -> None:
    gen, draw = ctx.gen, ctx.gen.draw
    var = draw(st.sampled_from([name for _, name in LOCALS]))
    if kind == "for":
        bound = gen.expr(ctx.scope, 1)
        step = draw(st.sampled_from(("++", "--", " += 2", " -= 3", " /= 2")))
        header = gen.emit(depth, f"for ({var} = {gen.expr(ctx.scope, 0)}; "
                                 f"{var} {draw(st.sampled_from(('<', '>', '!=')))} {bound}; "
                                 f"{var}{step}) {{")  # fmt: skip
    elif draw(st.integers(0, 2)):
        op = draw(st.sampled_from(("<", ">", "!=", "<=", ">=")))
        header = gen.emit(depth, f"while ({var} {op} {gen.expr(ctx.scope, 1)}) {{")
        gen.emit(depth + 1, f"{var}{draw(st.sampled_from(('++', '--', ' += 2', ' /= 2')))};")
    else:
        header = gen.emit(depth, f"while ({gen.cond(ctx.scope, 1)}) {{")
    ctx.info.watch_lines[header] = f"PL_WATCH({header}, {', '.join(ctx.scope)});"
    was, ctx.in_loop = ctx.in_loop, True
    block(ctx, depth + 1, draw(st.integers(1, 3)))
    ctx.in_loop = was
    ctx.info.loops.append(Loop(header, gen.emit(depth, "}")))


@st.composite
def programs(draw) -> Program:
    gen = Gen(draw)
    functions = []
    for index in range(draw(st.integers(1, 2))):
        count = draw(st.integers(1, 3))
        params = tuple((draw(st.sampled_from(("int", "int", "unsigned", "char", "long"))), name)
                       for name in ("a", "b", "c")[:count])  # fmt: skip
        info = FunctionInfo(f"f{index}", params)
        signature = ", ".join(f"{t} {n}" for t, n in params)
        info.line = gen.emit(0, f"int f{index}({signature}) {{")
        gen.emit(1, " ".join(f"{t} {n} = 0;" for t, n in LOCALS))
        scope = [n for _, n in params] + [n for _, n in LOCALS]
        if draw(st.booleans()):
            gen.emit(1, f"__VERIFIER_assume({gen.cond(scope, 1)});")
        ctx = _Ctx(gen, info, scope, budget=draw(st.integers(2, 7)))
        block(ctx, 1, draw(st.integers(1, 4)))
        if draw(st.booleans()):
            gen.emit(1, f"return {gen.cond(scope, 2)};")
        else:
            gen.emit(1, f"return {gen.expr(scope, 2)};")
        gen.emit(0, "}")
        gen.emit(0, "")
        functions.append(info)
    source = "\n".join(gen.lines) + "\n"
    hooks = {line: text for info in functions for line, text in info.watch_lines.items()}
    oracle_lines = [line + (" " + hooks[i] if i in hooks else "")
                    for i, line in enumerate(gen.lines, start=1)]  # fmt: skip
    oracle_lines[0] = ""  # the prelude's declarations: the oracle defines them as macros
    return Program(source, "\n".join(oracle_lines) + "\n", functions,
                   tuple(sorted(gen.constants)))  # fmt: skip


# ----------------------------------------------------------------------------- oracle

# Hooks and a driver: one forked child per input line "f a b c"; it reports on its stderr
# (a pipe the parent reads): UBSan's "file:line:col: runtime error: ...", or one of
# PL_RET v / PL_ASSERT line / PL_ASSUME / PL_LOOPS line. The parent prints, per input,
# one line "#k <status> <text>".
_ORACLE_HEAD = r"""
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
static void pl_assert_failed(int line) { fprintf(stderr, "PL_ASSERT %d\n", line); _exit(41); }
static void pl_assume_failed(void) { fprintf(stderr, "PL_ASSUME\n"); _exit(42); }
#define __VERIFIER_assert(c) ((c) ? (void)0 : pl_assert_failed(__LINE__))
#define __VERIFIER_assume(c) ((c) ? (void)0 : pl_assume_failed())
#define PL_SLOTS (1 << 18)
static unsigned long long pl_seen[PL_SLOTS][2];
static long pl_used;
static void pl_watch(int line, int n, const long long *v) {
    unsigned long long h1 = 1469598103934665603ULL ^ (unsigned)line, h2 = 7 + line;
    for (int i = 0; i < n; i++) {
        h1 = (h1 ^ (unsigned long long)v[i]) * 1099511628211ULL;
        h2 = (h2 + (unsigned long long)v[i]) * 6364136223846793005ULL + 1442695040888963407ULL;
    }
    h1 |= 1;
    if (pl_used > PL_SLOTS / 2) return;  /* table full: no more evidence, stay silent */
    for (unsigned long long k = h1 % PL_SLOTS;; k = (k + 1) % PL_SLOTS) {
        if (pl_seen[k][0] == 0) { pl_seen[k][0] = h1; pl_seen[k][1] = h2; pl_used++; return; }
        if (pl_seen[k][0] == h1 && pl_seen[k][1] == h2) {
            fprintf(stderr, "PL_LOOPS %d\n", line);
            _exit(43);
        }
    }
}
#define PL_WATCH(line, ...) do { long long pl_v[] = {__VA_ARGS__}; \
    pl_watch(line, (int)(sizeof pl_v / sizeof pl_v[0]), pl_v); } while (0)
#line 1 "program.c"
"""

_ORACLE_TAIL = r"""
#line 100000 "driver.c"
typedef int (*pl_fn)(long long, long long, long long);
static int pl_call(const char *name, long long a, long long b, long long c);
int main(void) {
    char name[64];
    long long a, b, c;
    int k = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    while (scanf("%63s %lld %lld %lld", name, &a, &b, &c) == 4) {
        int pipefd[2];
        if (pipe(pipefd) != 0) return 2;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            close(pipefd[0]);
            dup2(pipefd[1], 2);
            struct rlimit cpu = {1, 2};
            setrlimit(RLIMIT_CPU, &cpu);
            alarm(2);
            int r = pl_call(name, a, b, c);
            fprintf(stderr, "PL_RET %d\n", r);
            _exit(0);
        }
        close(pipefd[1]);
        char buf[4096];
        ssize_t got, len = 0;
        while ((got = read(pipefd[0], buf + len, sizeof buf - 1 - len)) > 0) len += got;
        buf[len] = 0;
        close(pipefd[0]);
        int status;
        waitpid(pid, &status, 0);
        for (char *p = buf; *p; p++) if (*p == '\n') *p = '|';
        printf("#%d %d %s\n", k++, WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status),
               buf);
    }
    return 0;
}
"""


def oracle_source(program: Program) -> str:
    calls = []
    for info in program.functions:
        args = ", ".join(f"({t}){n}" for (t, _), n in zip(info.params, "abc", strict=False))
        calls.append(f'    if (!strcmp(name, "{info.name}")) return {info.name}({args});')
    dispatch = ("static int pl_call(const char *name, long long a, long long b, long long c) {\n"
                + "\n".join(calls) + "\n    return 0;\n}\n")  # fmt: skip
    return _ORACLE_HEAD + program.oracle + _ORACLE_TAIL + dispatch


@dataclass(frozen=True)
class Run:
    """One real run: "returned" (value), "ub" (kind, line, column), "assert" (line),
    "assume" (precondition failed), "loops" (line), or "unfinished" (limits)."""

    outcome: str
    value: int = 0
    kind: str = ""
    line: int = 0
    column: int = 0


_UB = re.compile(r"program\.c:(\d+):(\d+): runtime error: (.*)")


def ub_kind(message: str) -> str:
    text = message.lower()
    if "shift" in text:
        return "shift-out-of-range"
    if "division by zero" in text or "divide by zero" in text:
        return "division-by-zero"
    if "overflow" in text or "cannot be represented" in text or "negation of" in text:
        return "signed-overflow"
    return "other:" + message[:60]


def parse_run(code: int, text: str) -> Run:
    for part in text.split("|"):
        match = _UB.search(part)
        if match:
            return Run("ub", kind=ub_kind(match.group(3)), line=int(match.group(1)),
                       column=int(match.group(2)))  # fmt: skip
        words = part.split()
        if words[:1] == ["PL_ASSERT"]:
            return Run("assert", line=int(words[1]))
        if words[:1] == ["PL_ASSUME"]:
            return Run("assume")
        if words[:1] == ["PL_LOOPS"]:
            return Run("loops", line=int(words[1]))
        if words[:1] == ["PL_RET"] and code == 0:
            return Run("returned", value=int(words[1]))
    return Run("unfinished")


class Oracle:
    """The program compiled once with UBSan; `run` feeds it many inputs."""

    def __init__(self, program: Program, folder: str) -> None:
        self.program = program
        source = os.path.join(folder, "oracle.c")
        self.binary = os.path.join(folder, "oracle")
        with open(source, "w") as handle:
            handle.write(oracle_source(program))
        done = subprocess.run([GCC, "-O0", "-w", "-fsanitize=undefined",
                               "-fno-sanitize-recover=undefined", source, "-o", self.binary],
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, f"oracle does not compile:\n{done.stderr[-3000:]}"

    def run(self, calls: list[tuple[str, tuple[int, ...]]]) -> list[Run]:
        lines = "".join(f"{name} {' '.join(str(v) for v in (*args, 0, 0, 0)[:3])}\n"
                        for name, args in calls)  # fmt: skip
        env = {"PATH": "/usr/bin:/bin", "UBSAN_OPTIONS": "print_stacktrace=0:halt_on_error=1"}
        done = subprocess.run([self.binary], input=lines, capture_output=True, text=True,
                              timeout=60 + 3 * len(calls), env=env)  # fmt: skip
        runs = {}
        for line in done.stdout.splitlines():
            index, code, *rest = line.split(" ", 2)
            runs[int(index[1:])] = parse_run(int(code), rest[0] if rest else "")
        return [runs.get(i, Run("unfinished")) for i in range(len(calls))]


RANGES = {"int": (INT_MIN, INT_MAX), "unsigned": (0, UINT_MAX), "char": (-128, 127),
          "long": (-(2**63), 2**63 - 1)}  # fmt: skip
BOUNDARY_EXTRA = {"char": (127, -128, 126, -127, 64, -64),
                  "long": (2**63 - 1, -(2**63), 2**32, -(2**32), 2**31, 2**62)}  # fmt: skip


def inputs_for(info: FunctionInfo, constants: tuple[int, ...], rng: random.Random) -> list:
    def values(ctype: str) -> list[int]:
        low, high = RANGES[ctype]
        base = list(BOUNDARY_UNSIGNED if ctype == "unsigned" else BOUNDARY_INT)
        base += BOUNDARY_EXTRA.get(ctype, ())
        base += [c + d for c in constants for d in (-1, 0, 1)]
        base += [rng.randint(-40, 40) for _ in range(6)]
        return sorted({v for v in base if low <= v <= high})

    columns = [values(t) for t, _ in info.params]
    if len(columns) == 1:
        return [(v,) for v in columns[0]]
    count = 260 if len(columns) == 2 else 300
    return [tuple(rng.choice(col) for col in columns) for _ in range(count)]


def fails_at(run: Run, prop: str, line: int, column: int, exact: bool) -> bool:
    if prop == "assertion":
        return run.outcome == "assert" and run.line == line
    if prop == "always-true":
        return run.outcome == "returned" and run.value == 0
    if prop == "termination":
        return run.outcome == "loops"
    if prop in ("signed-overflow", "division-by-zero", "shift-out-of-range"):
        same_place = run.line == line and (run.column == column or not exact)
        return run.outcome == "ub" and run.kind == prop and same_place
    return False


def cross_check(program: Program, report, oracle: Oracle, rng: random.Random) -> list[str]:
    bugs: list[str] = []
    infos = {info.name: info for info in program.functions}
    for function in report.functions:
        info = infos[function.name]
        results = function.results
        # gcc's columns are not always the operator's: match by line unless another result
        # of the same kind on that line is not a proof
        unproved = Counter((r.property, r.line) for r in results if r.status != "proved")
        calls = [(info.name, args) for args in inputs_for(info, program.constants, rng)]
        runs: list[Run] | None = None
        for result in results:
            STATS[f"verdict {result.status}"] += 1
            text = result.message + " " + (result.reason or "")
            if "internal error" in text or "frontend error" in text:
                bugs.append(f"{info.name}: internal error: {text}")
            exact = unproved[(result.property, result.line)] > (result.status != "proved")
            if result.status == "refuted" and result.witness is not None:
                bugs.extend(check_witness(oracle, info, result, exact))
            elif result.status == "proved":
                if runs is None:
                    runs = oracle.run(calls)
                    STATS["real runs"] += len(runs)
                STATS[f"proofs cross-checked ({result.property})"] += 1
                for (_, args), run in zip(calls, runs, strict=True):
                    if result.property == "termination":
                        loop = next((lp for lp in info.loops if lp.header == result.line), None)
                        wrong = run.outcome == "loops" and loop is not None and \
                            loop.header <= run.line <= loop.end  # fmt: skip
                    else:
                        wrong = fails_at(run, result.property, result.line, result.column, exact)
                    if wrong:
                        bugs.append(f"{info.name}: WRONG PROOF of {result.property} at "
                                    f"{result.line}:{result.column} ({result.message}): "
                                    f"{info.name}{args} -> {run}")  # fmt: skip
                        break
    return bugs


def check_witness(oracle: Oracle, info: FunctionInfo, result, exact: bool) -> list[str]:
    STATS["witnesses replayed"] += 1
    if result.confirmed is False:
        return [f"{info.name}: refutation shown with confirmed=False: {result.message}"]
    args = tuple(int(result.witness[name]) for _, name in info.params)
    (run,) = oracle.run([(info.name, args)])
    if result.property == "termination":
        if run.outcome in ("returned", "ub", "assert"):
            return [f"{info.name}: non-termination witness {args} ended: {run}"]
        return []
    if run.outcome == "ub" and run.kind.startswith("other:"):
        return []  # a UBSan check prooflens does not model (not a claim it made)
    if not fails_at(run, result.property, result.line, result.column, exact):
        if result.confirmed is None and LONG:  # its replay could not run: no claim made
            return []
        return [f"{info.name}: witness {args} for {result.property} at "
                f"{result.line}:{result.column} (confirmed) does not reproduce: {run}"]  # fmt: skip
    return []


# ------------------------------------------------------------------------------ tests


def check_program(program: Program, deep: bool) -> None:
    STATS["programs"] += 1
    STATS["functions"] += len(program.functions)
    # the short profile leaves replay to this oracle (one gcc run per program, not per
    # refutation); the long one also checks what prooflens's own replay confirms
    budget = Settings(unwind=4, timeout_s=3.0 if deep else 2.0, deep=deep, replay=LONG)
    try:
        report = check_text(program.source, "c", budget, "program.c")
    except Exception:  # noqa: BLE001
        pytest.fail(f"exception escaped check_text:\n{traceback.format_exc()}\n{program.source}")
    with tempfile.TemporaryDirectory(prefix="prooflens-soundness-") as folder:
        oracle = Oracle(program, folder)
        bugs = cross_check(program, report, oracle, random.Random(program.source))
    if bugs:
        STATS["programs with a bug"] += 1
        log_bug(bugs, program.source, deep)
    assert not bugs, "\n".join(bugs) + f"\n--- program (deep={deep}) ---\n{program.source}"


@PROFILE
@given(programs())
def test_quick_verdicts_agree_with_ubsan(program: Program) -> None:
    check_program(program, deep=False)


# Deep mode costs ~7 s per program: half the default examples (the long profile runs all).
@settings(PROFILE, max_examples=EXAMPLES if LONG else EXAMPLES // 2)
@given(programs())
def test_deep_verdicts_agree_with_ubsan(program: Program) -> None:
    check_program(program, deep=True)


def test_oracle_sees_every_failure(tmp_path) -> None:
    """The oracle itself: UBSan kinds and positions, the assert and assume hooks, a
    repeated loop state and a normal return (else the suite could never fail)."""
    text = (PRELUDE_LINE + "\n"
            "int f0(int a, int b) {\n"
            "    int p = 0;\n"
            "    __VERIFIER_assume(a != 5);\n"
            "    __VERIFIER_assert(a != 4);\n"
            "    p = a + b;\n"
            "    p = a / b;\n"
            "    p = a << b;\n"
            "    while (p > 0) {\n"
            "        p = p;\n"
            "    }\n"
            "    return p;\n"
            "}\n")  # fmt: skip
    info = FunctionInfo("f0", (("int", "a"), ("int", "b")), 2, [Loop(9, 11)])
    oracle_text = text.replace("while (p > 0) {", "while (p > 0) { PL_WATCH(9, a, b, p);")
    program = Program(text, "\n" + oracle_text.split("\n", 1)[1], [info], ())
    oracle = Oracle(program, str(tmp_path))
    runs = oracle.run([("f0", (5, 1)), ("f0", (4, 1)), ("f0", (INT_MAX, 1)), ("f0", (1, 0)),
                       ("f0", (1, 40)), ("f0", (1, 1)), ("f0", (0, 1))])  # fmt: skip
    assert [r.outcome for r in runs] == ["assume", "assert", "ub", "ub", "ub", "loops",
                                         "returned"], runs  # fmt: skip
    assert (runs[2].kind, runs[2].line) == ("signed-overflow", 6) and runs[2].column > 0
    assert (runs[3].kind, runs[3].line) == ("division-by-zero", 7)
    assert (runs[4].kind, runs[4].line) == ("shift-out-of-range", 8)
    assert runs[5].line == 9 and runs[6].value == 0


def test_print_counts() -> None:
    """Runs last in this file: the counts for the closing report (`pytest -s`)."""
    print("\nsoundness (c):", dict(sorted(STATS.items())))
