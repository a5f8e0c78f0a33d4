"""C replay: run a counterexample for real, compiled by gcc with UBSan.

The harness is the checked unit's own text (the file's declarations, the unit and the
same-file functions it calls, with `#line` so messages name the user's lines), SV-COMP
helpers that feed the witness's nondeterministic values, and a `main` that sets the
globals and calls the unit with the witness's inputs. It doubles as the regression test
offered to the user. Address sanitizer is not added: the modelled subset has no pointers,
and UBSan's `bounds` check already covers fixed-size arrays.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from typing import Any

from prooflens.analysis import ir
from prooflens.analysis.frontends import c_source
from prooflens.analysis.frontends.c_base import GLOBAL_PREFIX, NONDET_TYPES
from prooflens.analysis.witness import ReplayOutcome, Witness

CFLAGS = ("-std=gnu11", "-O0", "-g", "-w", "-fsanitize=undefined",
          "-fno-sanitize-recover=all")  # fmt: skip
TERMINATION_LIMIT_S = 2.0
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


def compiler() -> str | None:
    return shutil.which("gcc")


# ---------------------------------------------------------------------------- harness


def harness(parsed: Any, unit: Any, fn: ir.Function, witness: Witness) -> str:
    """The C program that runs `unit` on `witness` (the regression test)."""
    piece = c_source.build(parsed, unit)
    is_main = unit.name == "main"
    globals_, nondet = split_values(fn, witness)
    parts = [
        f"/* prooflens regression test: {_call_text(fn, witness)} */",
        "#include <stdio.h>",
        "#include <stdlib.h>",
        _nondet_source(nondet, piece.text),
        _svcomp_helpers(piece.text, unit.name),
        "#define abort __pl_abort",
    ]
    if not is_main:
        parts.append("#define main __pl_user_main")
    parts += [piece.text, "#undef abort"]
    if not is_main:
        parts += ["#undef main", _driver(fn, witness, globals_)]
    return "\n".join(p for p in parts if p) + "\n"


def split_values(fn: ir.Function, witness: Witness) -> tuple[list[tuple[str, int]], list[int]]:
    """Globals' entry values and the values of the nondet calls: `Witness.globals_` when
    given, else the leading global `Havoc`s of `fn` take the first nondet values."""
    nondet = list(witness.nondet)
    if witness.globals_:
        return [(n, int(v)) for n, v in witness.globals_], nondet
    names = []
    for stmt in fn.body:
        if not (isinstance(stmt, ir.Havoc) and stmt.target.startswith(GLOBAL_PREFIX)):
            break
        names.append(stmt.target[len(GLOBAL_PREFIX) :])
    count = min(len(names), len(nondet))
    return list(zip(names[:count], nondet[:count], strict=True)), nondet[count:]


def _call_text(fn: ir.Function, witness: Witness) -> str:
    args = ", ".join(f"{p.name}={_int(witness.inputs.get(p.name, 0))}" for p in fn.params)
    return f"{fn.name}({args})"


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


def _nondet_source(values: list[int], text: str) -> str:
    used = sorted(set(re.findall(r"__VERIFIER_nondet_(\w+)", text)))
    if not used:
        return ""
    items = ", ".join(literal(v) for v in values) or "0"
    lines = [
        f"static const long long __pl_nondet[] = {{{items}}};",
        f"static unsigned long __pl_nondet_i, __pl_nondet_n = {len(values)};",
        "static long long __pl_next(void) {",
        "    if (__pl_nondet_i < __pl_nondet_n) return __pl_nondet[__pl_nondet_i++];",
        "    __pl_nondet_i++;",
        "    return 0;",
        "}",
    ]
    for suffix in used:
        t = NONDET_TYPES.get(suffix)
        if t is not None:
            lines.append(f"{t.name} __VERIFIER_nondet_{suffix}(void) "
                         f"{{ return ({t.name})__pl_next(); }}")  # fmt: skip
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


def _driver(fn: ir.Function, witness: Witness, globals_: list[tuple[str, int]]) -> str:
    lines = ['#line 1 "prooflens_harness.c"', "int main(void) {"]
    lines += [f"    {name} = {literal(value)};" for name, value in globals_]
    args = ", ".join(literal(witness.inputs.get(p.name, 0)) for p in fn.params)
    call = f"{fn.name}({args})"
    rtype = fn.return_type
    if rtype is None:
        lines.append(f"    {call};")
        lines.append('    fputs("prooflens: returned 0\\n", stderr);')
    elif isinstance(rtype, ir.BVType) and not rtype.signed:
        lines.append(f'    fprintf(stderr, "prooflens: returned %llu\\n", '
                     f"(unsigned long long)({call}));")  # fmt: skip
    else:
        lines.append(f'    fprintf(stderr, "prooflens: returned %lld\\n", (long long)({call}));')
    lines += ["    return 0;", "}"]
    return "\n".join(lines)


# ---------------------------------------------------------------------------- running


def replay(parsed: Any, unit: Any, fn: ir.Function, witness: Witness, failing: ir.Assert | None,
           kind: str, timeout_s: float = 5.0) -> ReplayOutcome:  # fmt: skip
    """Compile and run the harness; did the predicted failure (`kind`) really happen?"""
    try:
        text = harness(parsed, unit, fn, witness)
    except Exception as exc:  # noqa: BLE001 -- replay must never break a check
        return ReplayOutcome(None, f"not confirmed (no harness: {type(exc).__name__}: {exc})")
    if compiler() is None:
        return ReplayOutcome(None, "not confirmed (no C compiler)", text)
    limit = min(timeout_s, TERMINATION_LIMIT_S) if kind == "termination" else timeout_s
    observed = run_program(text, limit)
    if isinstance(observed, str):
        return ReplayOutcome(None, f"not confirmed ({observed})", text)
    confirmed, detail = judge(observed, failing, kind, limit)
    return ReplayOutcome(confirmed, detail, text)


def run_program(text: str, limit_s: float) -> Observed | str:
    """Compile `text` with gcc + UBSan and run it; a string says why it could not run."""
    gcc = compiler()
    if gcc is None:
        return "no C compiler"
    with tempfile.TemporaryDirectory(prefix="prooflens-c-") as tmp:
        source = os.path.join(tmp, "harness.c")
        binary = os.path.join(tmp, "harness")
        with open(source, "w") as handle:
            handle.write(text)
        built = _compile(gcc, source, binary, tmp)
        if built is not None:
            return built
        return _execute(binary, tmp, limit_s)


def _compile(gcc: str, source: str, binary: str, cwd: str) -> str | None:
    try:
        done = subprocess.run([gcc, *CFLAGS, source, "-o", binary], capture_output=True,
                              text=True, timeout=60, cwd=cwd, env=_env())  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"compiler failed: {type(exc).__name__}"
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


def _limit_resources() -> None:  # runs in the child before exec
    import resource

    os.setsid()
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 << 20, 16 << 20))  # 16 MB of output files
    resource.setrlimit(resource.RLIMIT_CPU, (30, 31))  # beyond any replay's wall-clock limit


def _execute(binary: str, cwd: str, limit_s: float) -> Observed:
    began = time.monotonic()
    proc = subprocess.Popen([binary], cwd=cwd, env=_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_limit_resources)  # fmt: skip
    try:
        _, err = proc.communicate(timeout=limit_s)
    except subprocess.TimeoutExpired:
        _kill(proc)
        return Observed("timeout", elapsed_s=time.monotonic() - began)
    return classify(proc.returncode, err, time.monotonic() - began)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
    proc.communicate()


def classify(
    returncode: int, stderr: str, elapsed_s: float = 0.0, source_name: str = "harness.c"
) -> Observed:
    """What a finished run did, from its exit status and standard error (`source_name`:
    the compiled file, whose lines an assertion message may name)."""
    ub = _RUNTIME_ERROR.search(stderr)
    if ub:
        message = ub.group(3).strip()
        return Observed("ub", int(ub.group(1)), ub_kind(message), message, elapsed_s=elapsed_s)
    if "prooflens: assumption violated" in stderr:
        return Observed("assume", message="an assumption does not hold", elapsed_s=elapsed_s)
    if "prooflens: abort() called" in stderr:
        return Observed("abort", message="the program called abort()", elapsed_s=elapsed_s)
    assertion = _ASSERT_FAIL.search(stderr)
    if assertion or "prooflens: reach_error" in stderr or "prooflens: __VERIFIER" in stderr:
        ours = assertion is not None and assertion.group(1).endswith(source_name)
        line = int(assertion.group(2)) if ours else None
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
    if ("signed integer overflow" in message or "negation of" in message
            or ("division of" in message and "cannot be represented" in message)):  # fmt: skip
        return "signed-overflow"
    return "other"


def judge(observed: Observed, failing: ir.Assert | None, kind: str, limit_s: float
          ) -> tuple[bool, str]:  # fmt: skip
    """Does `observed` confirm a predicted `kind` failure (at `failing`'s line)?"""
    if kind == "termination":
        if observed.status == "timeout":
            return True, f"still running after {limit_s:g} s"
        return False, f"not confirmed: the program stopped ({_describe(observed)})"
    if observed.status == "timeout":
        return False, f"not confirmed: still running after {limit_s:g} s"
    if kind == "always-true":
        if observed.status == "returned" and observed.value == 0:
            return True, "the compiled program returned 0 (false)"
        return False, f"not confirmed: {_describe(observed)}"
    want_line = failing.span.line if failing is not None and failing.span.line > 0 else None
    if observed.kind == kind and observed.status in ("ub", "assert"):
        if want_line is not None and observed.line is not None and observed.line != want_line:
            return False, (f"not confirmed: {_describe(observed)} at line {observed.line}, "
                           f"expected line {want_line}")  # fmt: skip
        where = f" at line {observed.line}" if observed.line else ""
        return True, f"confirmed by gcc -fsanitize=undefined: {observed.message}{where}"
    return False, f"not confirmed: {_describe(observed)}"


def _describe(observed: Observed) -> str:
    if observed.status == "returned":
        value = "" if observed.value is None else f" (returned {observed.value})"
        return f"the program exited normally{value}"
    if observed.status == "ub":
        return f"runtime error: {observed.message}"
    return observed.message or observed.status
