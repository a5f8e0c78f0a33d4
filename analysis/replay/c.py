"""C replay: run a counterexample for real, compiled by gcc with UBSan, in the sandbox.

The harness is the checked unit's own text (`CUnit.text`: the file's declarations, the unit
and the same-file functions it calls, with `#line` so messages name the user's lines),
SV-COMP helpers that feed the witness's nondeterministic values, and a `main` that sets the
globals and calls the unit with the witness's inputs. It doubles as the regression test
offered to the user. The witnesses of one unit are compiled once, into one batch harness
whose `main` runs the case named by its argument, each case in its own sandboxed process
(the unit `main` itself has no driver: one harness per witness). Address sanitizer is not
added: the modelled subset has no pointers, and UBSan's `bounds` check already covers
fixed-size arrays.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from prooflens.analysis import ir
from prooflens.analysis.replay import c_builtins, c_memory, sandbox
from prooflens.analysis.witness import ReplayOutcome, Witness

CFLAGS = ("-std=gnu11", "-O0", "-g", "-w", "-fsanitize=undefined",
          "-fno-sanitize-recover=all")  # fmt: skip
TERMINATION_LIMIT_S = 2.0  # CPU seconds a non-terminating run must keep running
COMPILE_LIMITS = sandbox.Limits(cpu_s=60, memory_mb=4096, file_mb=256)
_RUNTIME_ERROR = re.compile(r":(\d+):(\d+): runtime error: (.*)")
# glibc: "prog: FILE:LINE: FUNC: Assertion `x' failed." -- FILE:LINE are the harness's
# own (assert() uses __LINE__, which follows #line) unless __assert_fail was called directly.
_ASSERT_FAIL = re.compile(r"([^\s:]*):(\d+): [^\n]*Assertion `")
_RETURNED = re.compile(r"prooflens: returned (-?\d+)")


@dataclass(frozen=True)
class Observed:
    """What one real run did."""

    status: str  # "returned" | "ub" | "assert" | "abort" | "assume" | "timeout" | "crash"
    line: int | None = None
    kind: str | None = None  # the property a runtime error belongs to
    message: str = ""
    value: int | None = None
    elapsed_s: float = 0.0


@dataclass(frozen=True)
class CUnit:
    """What the C frontend says about a unit, for replay: its program text (see the module
    docstring), how globals are named in the IR, and the C type of each
    `__VERIFIER_nondet_<suffix>`."""

    name: str
    text: str
    global_prefix: str
    nondet_types: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """One witness to replay, and what it must show (`failing`: the check, if any)."""

    witness: Witness
    kind: str
    failing: ir.Assert | None = None


def compiler() -> str | None:
    return shutil.which("gcc")


# ---------------------------------------------------------------------------- harness


def harness(unit: CUnit, fn: ir.Function, witness: Witness) -> str:
    """The C program that runs `unit` on `witness` (the regression test)."""
    return _harness(unit, fn, [witness])


def batch_harness(unit: CUnit, fn: ir.Function, witnesses: Sequence[Witness]) -> str:
    """One program for several witnesses of a unit other than `main`: `./harness K` runs
    the K-th exactly as its own `harness` would."""
    return _harness(unit, fn, witnesses)


def _harness(unit: CUnit, fn: ir.Function, witnesses: Sequence[Witness]) -> str:
    split = [split_values(fn, w, unit.global_prefix) for w in witnesses]
    nondet = _nondet_source([n for _, n in split], unit, ALLOC_KEY in fn.display)
    cases = [(w, g, len(n) if nondet else None)
             for w, (g, n) in zip(witnesses, split, strict=True)]  # fmt: skip
    driver = _driver(fn, cases) if unit.name != "main" else ""
    return _program(unit, fn, witnesses[0], nondet, driver)


def _program(unit: CUnit, fn: ir.Function, witness: Witness, nondet: str, driver: str) -> str:
    is_main = unit.name == "main"
    parts = [
        f"/* prooflens regression test: {_call_text(fn, witness)} */",
        c_memory.MARKER if c_memory.uses_memory(fn) else "",  # C memory: built with ASan
        "#include <stdio.h>",
        "#include <stdlib.h>",
        # standard type names the text uses without their header (`bool`, `uint8_t`, ...)
        _IMPLICIT_HEADERS if fn.display.get(IMPLICIT_KEY) else "",
        nondet,
        _svcomp_helpers(unit.text, unit.name),
        "#define abort __pl_abort",
    ]
    if not is_main:
        parts.append("#define main __pl_user_main")
    parts += [without_dropped_includes(unit.text, fn), "#undef abort"]
    if not is_main:
        parts += ["#undef main", "#undef malloc", "#undef calloc", driver]
    return "\n".join(p for p in parts if p) + "\n"


# What the C frontend says of the file (`ir.Function.display`): the folder of its
# `#include "x.h"` headers, and the includes the analysis had to drop (not found, one a
# line, as written): the harness is compiled the same way, so it compiles what was analysed.
# (Set by `frontends/c.py`, which names them alike: neither layer imports the other.)
QUOTE_DIR_KEY = "c:quote-dir"
DROPPED_KEY = "c:dropped-includes"
IMPLICIT_KEY = "c:implicit-types"
_IMPLICIT_HEADERS = ("#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n"
                     "#include <sys/types.h>")  # fmt: skip
ALLOC_KEY = "c:allocates"  # the unit calls malloc/calloc: the witness says which return NULL
# An allocation the witness makes succeed failed for real (larger than the run may map).
ALLOCATION_FAILED = "an allocation failed in the compiled run"
MAX_REPLAY_BYTES = 1 << 28  # larger allocations are not made (AddressSanitizer's mmap cap)
_INCLUDE_LINE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*[<"]([^>"\n]+)[>"][^\n]*$', re.M)


def quote_dirs(fn: ir.Function) -> tuple[str, ...]:
    folder = fn.display.get(QUOTE_DIR_KEY)
    return (folder,) if folder else ()


def without_dropped_includes(text: str, fn: ir.Function) -> str:
    """`text` with the `#include`s of headers the analysis did not find blanked."""
    dropped = {name.split(" ")[0].strip("<>\"")
               for name in fn.display.get(DROPPED_KEY, "").split("\n") if name}  # fmt: skip
    if not dropped:
        return text
    return _INCLUDE_LINE.sub(lambda m: "" if m.group(1).strip() in dropped else m.group(0), text)


def split_values(
    fn: ir.Function, witness: Witness, prefix: str
) -> tuple[list[tuple[str, int]], list[int]]:
    """Globals' entry values and the values of the nondet calls: `Witness.globals_` when
    given, else the leading global `Havoc`s of `fn` take the first nondet values."""
    nondet = list(witness.nondet)
    if witness.globals_:
        return [(n, int(v)) for n, v in witness.globals_], nondet
    names = []
    for stmt in fn.body:
        if not (isinstance(stmt, ir.Havoc) and stmt.target.startswith(prefix)):
            break
        names.append(stmt.target[len(prefix) :])
    count = min(len(names), len(nondet))
    return list(zip(names[:count], nondet[:count], strict=True)), nondet[count:]


def _call_text(fn: ir.Function, witness: Witness) -> str:
    args = ", ".join(f"{p.name}={_shown(witness.inputs.get(p.name, 0))}" for p in fn.params)
    return f"{fn.name}({args})"


def _shown(value: Any) -> str:
    """An input in the harness's comment (C memory: an object's contents as listed)."""
    return repr(value) if isinstance(value, ir.ArrayValue) else str(_int(value))


def _int(value: Any) -> int:
    return int(bool(value)) if isinstance(value, bool) else int(value)


def literal(value: Any) -> str:
    """A C literal of `value` that means the same in any integer context."""
    v = _int(value)
    if v == -(1 << 63):
        return "(-9223372036854775807LL - 1)"
    if v < 0:
        return f"({v}LL)"
    return f"{v}ULL" if v > (1 << 63) - 1 else f"{v}LL"


def _nondet_source(tables: list[list[int]], unit: CUnit, allocates: bool = False) -> str:
    """The `__VERIFIER_nondet_*` the text uses, fed from one value table per case (the
    driver selects the table); `allocates`: malloc/calloc, whose NULL results are choices
    of the witness too (in the order the model made them, with the other nondet values)."""
    used = sorted(set(re.findall(r"__VERIFIER_nondet_(\w+)", unit.text)))
    if not used and not allocates:
        return ""
    lines = []
    for index, values in enumerate(tables):
        items = ", ".join(literal(v) for v in values) or "0"
        lines.append(f"static const long long __pl_nondet_{index}[] = {{{items}}};")
    lines += [
        "static const long long *__pl_nondet = __pl_nondet_0;",
        f"static unsigned long __pl_nondet_i, __pl_nondet_n = {len(tables[0])};",
        "static long long __pl_next(void) {",
        "    if (__pl_nondet_i < __pl_nondet_n) return __pl_nondet[__pl_nondet_i++];",
        "    __pl_nondet_i++;",
        "    return 0;",
        "}",
    ]
    for suffix in used:
        name = unit.nondet_types.get(suffix)
        if name is not None:
            lines.append(f"{name} __VERIFIER_nondet_{suffix}(void) "
                         f"{{ return ({name})__pl_next(); }}")  # fmt: skip
    if allocates:
        lines += [
            "static void *__pl_allocated(void *p) { if (!p) { fputs(\"prooflens: "
            f"{ALLOCATION_FAILED}\\n\", stderr); exit(0); }} return p; }}",
            "static void *__pl_malloc(unsigned long n) { return __pl_next() ? (void *)0 : "
            f"__pl_allocated(n > {MAX_REPLAY_BYTES}UL ? (void *)0 : malloc(n)); }}",
            "static void *__pl_calloc(unsigned long n, unsigned long s) "
            "{ return __pl_next() ? (void *)0 : __pl_allocated(s && n > "
            f"{MAX_REPLAY_BYTES}UL / s ? (void *)0 : calloc(n, s)); }}",
            "#define malloc(n) __pl_malloc(n)",
            "#define calloc(n, s) __pl_calloc(n, s)",
        ]
    return "\n".join(lines)


def _svcomp_helpers(text: str, unit_name: str) -> str:
    """Definitions of the SV-COMP helpers the text uses -- except the checked unit itself
    when it is one of them: then its own body runs."""
    lines = [
        'void __pl_abort(void) { fputs("prooflens: abort() called\\n", stderr); exit(0); }',
    ]
    text = re.sub(rf"\b{re.escape(unit_name)}\b", "", text)
    if re.search(r"\breach_error\b", text):
        lines.append(
            "void reach_error(void) "
            '{ fputs("prooflens: reach_error() reached\\n", stderr); abort(); }'
        )
    if "__VERIFIER_error" in text:
        lines.append(
            "void __VERIFIER_error(void) "
            '{ fputs("prooflens: __VERIFIER_error() reached\\n", stderr); abort(); }'
        )
    if "__VERIFIER_assert" in text:
        lines.append(
            "void __VERIFIER_assert(int cond) { if (!cond) "
            '{ fputs("prooflens: __VERIFIER_assert failed\\n", stderr); abort(); } }'
        )
    if "__VERIFIER_assume" in text:
        lines.append(
            "void __VERIFIER_assume(int cond) { if (!cond) "
            '{ fputs("prooflens: assumption violated\\n", stderr); exit(0); } }'
        )
    return "\n".join(lines)


_Case = tuple[Witness, list[tuple[str, int]], int | None]  # witness, globals, nondet count


def _driver(fn: ir.Function, cases: list[_Case]) -> str:
    """`main`: one case runs unconditionally; several are selected by `argv[1]`."""
    lines = ['#line 1 "prooflens_harness.c"']
    if len(cases) == 1:
        witness, globals_, _ = cases[0]
        lines.append("int main(void) {")
        lines += _case_lines(fn, witness, globals_, "    ")
    else:
        lines += ["int main(int argc, char **argv) {",
                  "    int which = argc > 1 ? atoi(argv[1]) : 0;", "    switch (which) {"]
        for index, (witness, globals_, count) in enumerate(cases):
            lines.append(f"    case {index}:")
            if count is not None:
                lines += [f"        __pl_nondet = __pl_nondet_{index};",
                          f"        __pl_nondet_n = {count};"]  # fmt: skip
            lines += _case_lines(fn, witness, globals_, "        ")
            lines.append("        break;")
        lines.append("    }")
    lines += ["    return 0;", "}"]
    return "\n".join(lines)


def _case_lines(
    fn: ir.Function, witness: Witness, globals_: list[tuple[str, int]], pad: str
) -> list[str]:
    lines = [f"{pad}{name} = {literal(value)};" for name, value in globals_]
    # C memory: pointer parameters get exactly-sized heap objects (see c_memory).
    call = f"{fn.name}({', '.join(c_memory.arguments(fn, witness, literal))})"
    rtype = fn.return_type
    if rtype is None:
        lines.append(f"{pad}{call};")
        lines.append(f'{pad}fputs("prooflens: returned 0\\n", stderr);')
    elif isinstance(rtype, ir.BVType) and not rtype.signed:
        lines.append(f'{pad}fprintf(stderr, "prooflens: returned %llu\\n", '
                     f"(unsigned long long)({call}));")  # fmt: skip
    else:
        lines.append(f'{pad}fprintf(stderr, "prooflens: returned %lld\\n", '
                     f"(long long)({call}));")  # fmt: skip
    return lines


# ---------------------------------------------------------------------------- running


def replay(unit: CUnit, fn: ir.Function, cases: Sequence[Case], timeout_s: float = 5.0
           ) -> list[ReplayOutcome]:  # fmt: skip
    """Compile the cases' harness once (per case for `main`) and run each case in its own
    sandboxed process: did the predicted failure really happen?"""
    try:
        texts = [harness(unit, fn, c.witness) for c in cases]
        batch = batch_harness(unit, fn, [c.witness for c in cases]) \
            if len(cases) > 1 and unit.name != "main" else None
    except Exception as exc:  # noqa: BLE001 -- replay must never break a check
        return [ReplayOutcome(None, f"not confirmed (no harness: {type(exc).__name__}: {exc})")
                for _ in cases]  # fmt: skip
    if compiler() is None:
        return [ReplayOutcome(None, "not confirmed (no C compiler)", t) for t in texts]
    limits = [min(timeout_s, TERMINATION_LIMIT_S)
              if c.kind in ("termination", UNTIL_UNDEFINED) else timeout_s
              for c in cases]  # fmt: skip
    if batch is not None:
        observed = run_cases(batch, [[str(i)] for i in range(len(cases))], limits,
                             quote_dirs(fn))  # fmt: skip
    else:
        observed = [run_program(t, limit, quote_dirs(fn))
                    for t, limit in zip(texts, limits, strict=True)]  # fmt: skip
    outcomes = []
    for case, text, seen, limit in zip(cases, texts, observed, limits, strict=True):
        if isinstance(seen, str):
            outcomes.append(ReplayOutcome(None, f"not confirmed ({seen})", text))
        else:
            confirmed, detail = judge(seen, case.failing, case.kind, limit)
            outcomes.append(ReplayOutcome(confirmed, detail, text))
    return outcomes


def run_program(text: str, limit_s: float, quote_dirs: tuple[str, ...] = ()) -> Observed | str:
    """Compile `text` with gcc + UBSan and run it once (`limit_s`: CPU seconds); a string
    says why it could not run."""
    return run_cases(text, [[]], [limit_s], quote_dirs)[0]


def run_cases(text: str, arguments: list[list[str]], limits: list[float],
              quote_dirs: tuple[str, ...] = ()) -> list[Observed | str]:  # fmt: skip
    """Compile `text` once and run it once per argument list, each run in its own process
    (`quote_dirs`: where its `#include "x.h"` are)."""
    gcc = compiler()
    if gcc is None:
        return ["no C compiler" for _ in arguments]
    with tempfile.TemporaryDirectory(prefix="prooflens-c-") as tmp:
        source = os.path.join(tmp, "harness.c")
        binary = os.path.join(tmp, "harness")
        with open(source, "w") as handle:
            handle.write(text)
        built = _compile(gcc, source, binary, tmp, quote_dirs)
        if built is not None:
            return [built for _ in arguments]
        asan = c_memory.wants_asan(text)
        return [_execute(binary, args, limit, asan)
                for args, limit in zip(arguments, limits, strict=True)]


def _compile(gcc: str, source: str, binary: str, cwd: str, quote_dirs: tuple[str, ...] = ()
             ) -> str | None:  # fmt: skip
    with open(source) as handle:  # C memory: ASan for units with objects
        text = handle.read()
    flags = CFLAGS + (c_memory.ASAN_FLAGS if c_memory.wants_asan(text) else ())
    flags += c_builtins.flags(text)  # a user's `abs` is not gcc's builtin
    flags += tuple(f"-iquote{d}" for d in quote_dirs)
    done = sandbox.run_sandboxed([gcc, *flags, source, "-o", binary], cwd=cwd, env=_env(),
                                 timeout_s=COMPILE_LIMITS.cpu_s,
                                 memory_mb=COMPILE_LIMITS.memory_mb,
                                 file_mb=COMPILE_LIMITS.file_mb)  # fmt: skip
    if done.failure is not None:
        return f"compiler failed: {done.failure}"
    if done.over_budget:
        return "compiler failed: it ran out of time"
    if done.returncode != 0:
        first = next((ln for ln in done.stderr.splitlines() if "error" in ln), done.stderr[:200])
        return f"harness does not compile: {first.strip()}"
    return None


def _env() -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C",
        "UBSAN_OPTIONS": "print_stacktrace=0:halt_on_error=1:abort_on_error=0",
    }


def _execute(binary: str, args: list[str], limit_s: float, asan: bool = False) -> Observed | str:
    # C memory: an ASan run has ASan's own memory cap instead of an address-space limit.
    env = {**_env(), **c_memory.env_options()} if asan else _env()
    memory: dict[str, Any] = {"memory_mb": c_memory.ADDRESS_SPACE_MB} if asan else {}
    done = sandbox.run_sandboxed([binary, *args], timeout_s=limit_s, env=env,
                                 processes=False, **memory)  # fmt: skip
    if done.failure is not None:
        return done.failure
    if done.over_budget:
        return Observed("timeout", elapsed_s=done.elapsed_s)
    return classify(done.returncode if done.returncode is not None else -9, done.stderr,
                    done.elapsed_s)  # fmt: skip


def classify(
    returncode: int, stderr: str, elapsed_s: float = 0.0, source_name: str = "harness.c"
) -> Observed:
    """What a finished run did, from its exit status and standard error (`source_name`:
    the compiled file, whose lines an assertion message may name)."""
    asan = c_memory.classify(stderr)  # C memory
    if asan is not None:
        return Observed("ub", asan[0], asan[1], asan[2], elapsed_s=elapsed_s)
    ub = _RUNTIME_ERROR.search(stderr)
    if ub:
        message = ub.group(3).strip()
        return Observed("ub", int(ub.group(1)), ub_kind(message), message, elapsed_s=elapsed_s)
    if f"prooflens: {ALLOCATION_FAILED}" in stderr:
        return Observed("alloc", message=ALLOCATION_FAILED, elapsed_s=elapsed_s)
    if "prooflens: assumption violated" in stderr:
        return Observed("assume", message="an assumption does not hold", elapsed_s=elapsed_s)
    if "prooflens: abort() called" in stderr:
        return Observed("abort", message="the program called abort()", elapsed_s=elapsed_s)
    assertion = _ASSERT_FAIL.search(stderr)
    if assertion or "prooflens: reach_error" in stderr or "prooflens: __VERIFIER" in stderr:
        ours = assertion is not None and assertion.group(1).endswith(source_name)
        line = int(assertion.group(2)) if ours and assertion is not None else None
        text = stderr.strip().splitlines()[-1] if stderr.strip() else "assertion failed"
        return Observed("assert", line, "assertion", text, elapsed_s=elapsed_s)
    returned = _RETURNED.search(stderr)
    if returncode == 0:
        value = int(returned.group(1)) if returned else None
        return Observed("returned", value=value, message="exited normally", elapsed_s=elapsed_s)
    return Observed("crash", message=f"exit status {returncode}", elapsed_s=elapsed_s)


def ub_kind(message: str) -> str:
    """The property of a UBSan runtime error message."""
    if "division by zero" in message:
        return "division-by-zero"
    if "shift exponent" in message or "left shift of" in message:
        return "shift-out-of-range"
    if "out of bounds" in message:
        return "array-out-of-bounds"
    if "null pointer" in message:  # C memory: load of / store to null pointer
        return "null-dereference"
    if "insufficient space for an object" in message:  # C memory: UBSan's object-size
        return "out-of-bounds"
    if ("signed integer overflow" in message or "negation of" in message
            or ("division of" in message and "cannot be represented" in message)):  # fmt: skip
        return "signed-overflow"
    return "other"


# Undefined arithmetic gcc may fold away even at -O0 (`j < n + 1` becomes `j <= n`): a
# compiled run that shows nothing does not refute the IR run that fails (issue 14, item 8).
_FOLDABLE = frozenset({"signed-overflow", "shift-out-of-range"})
_MEMORY_KINDS = frozenset({"out-of-bounds", "array-out-of-bounds", "null-dereference",
                           "use-after-free", "invalid-free"})  # fmt: skip


# The replay kind of a loop that never ends in mathematical integers (see `judge`).
UNTIL_UNDEFINED = "termination-until-undefined"


def judge(observed: Observed, failing: ir.Assert | None, kind: str, limit_s: float
          ) -> tuple[bool | None, str]:  # fmt: skip
    """Does `observed` confirm a predicted `kind` failure (at `failing`'s line)? None: the
    C semantics (the IR run) show it, the compiled run did not (no second compiler yet)."""
    if kind == "termination":
        if observed.status == "timeout":
            return True, f"still running after {limit_s:g} s of CPU time"
        return False, f"not confirmed: the program stopped ({_describe(observed)})"
    if kind == UNTIL_UNDEFINED:
        # A loop that never ends in mathematical integers: the C run agrees with them up
        # to its first undefined behaviour, so running on or stopping there both confirm.
        if observed.status == "timeout":
            return True, f"still running after {limit_s:g} s of CPU time"
        if observed.status == "ub" and observed.line is not None:
            return True, (f"seen: gcc -fsanitize=undefined stopped it at line "
                          f"{observed.line}: {observed.message}")  # fmt: skip
        return False, f"not confirmed: the program stopped ({_describe(observed)})"
    if observed.status == "alloc":  # the run could not follow the witness: no evidence
        return None, f"not confirmed ({ALLOCATION_FAILED}: too large to replay)"
    want_line = failing.span.line if failing is not None and failing.span.line > 0 else None
    # ... or the run goes on past it into another undefined behaviour (`p[n - 1]` computed
    # in 64 bits, then p NULL; `j < n + 1` made `j <= n`, then an access past the object)
    later = observed.status == "ub" and observed.kind in _MEMORY_KINDS
    if kind in _FOLDABLE and (observed.status in ("returned", "timeout") or later):
        return None, (f"confirmed by the C semantics, not observed in a compiled run "
                      f"({_describe(observed)}; gcc may fold the failing expression)")
    if observed.status == "timeout":
        return False, f"not confirmed: still running after {limit_s:g} s of CPU time"
    if kind == "always-true":
        if observed.status == "returned" and observed.value == 0:
            return True, "the compiled program returned 0 (false)"
        return False, f"not confirmed: {_describe(observed)}"
    if observed.kind == kind and observed.status in ("ub", "assert"):
        if want_line is not None and observed.line is not None and observed.line != want_line:
            return False, (f"not confirmed: {_describe(observed)} at line {observed.line}, "
                           f"expected line {want_line}")  # fmt: skip
        where = f" at line {observed.line}" if observed.line else ""
        tool = "address" if observed.message.startswith("AddressSanitizer") else "undefined"
        return True, f"confirmed by gcc -fsanitize={tool}: {observed.message}{where}"
    return False, f"not confirmed: {_describe(observed)}"


def _describe(observed: Observed) -> str:
    if observed.status == "returned":
        value = "" if observed.value is None else f" (returned {observed.value})"
        return f"the program exited normally{value}"
    if observed.status == "ub":
        return f"runtime error: {observed.message}"
    return observed.message or observed.status
