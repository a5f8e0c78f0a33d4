"""Shared helpers of the C frontend tests: run tiny C functions through the frontend +
interpreter (the model) and through gcc + UBSan (the reality), with comparable outcomes."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass

from prooflens.analysis import interpreter, ir, syntax
from prooflens.analysis.frontends import c
from prooflens.analysis.replay import c as replay_c
from prooflens.analysis.settings import Settings

HEADERS = ("assert.h", "limits.h", "stdbool.h", "stdint.h", "stdlib.h")
HEADER = "".join(f"#include <{h}>\n" for h in HEADERS)


@dataclass(frozen=True)
class Case:
    """`ret name(params) { body }` called with `inputs`."""

    ret: str
    params: tuple[tuple[str, str], ...]  # (C type, name)
    body: str
    inputs: tuple[int, ...] = ()


def function_text(case: Case, name: str) -> str:
    params = ", ".join(f"{t} {n}" for t, n in case.params) or "void"
    return f"{case.ret} {name}({params}) {{\n{case.body}\n}}\n"


def source(cases: list[Case]) -> str:
    return HEADER + "".join(function_text(case, f"f{i}") for i, case in enumerate(cases))


def lower_all(
    text: str, settings: Settings | None = None
) -> dict[str, ir.Function | ir.Unsupported]:
    parsed = syntax.parse(text, "c")
    return {u.name: c.lower(parsed, u, settings or Settings()) for u in parsed.units}


def lower_one(text: str, name: str, settings: Settings | None = None):
    parsed = syntax.parse(text, "c")
    unit = next(u for u in parsed.units if u.name == name)
    return c.lower(parsed, unit, settings or Settings())


def model_outcome(fn: ir.Function | ir.Unsupported, inputs: dict, nondet=()) -> tuple:
    """("returned", int) | ("failed", kind, line) | ("blocked",) | ("unsupported", reason)."""
    if isinstance(fn, ir.Unsupported):
        return ("unsupported", fn.reason)
    run = interpreter.run(fn, inputs, nondet, max_steps=200_000)
    if run.outcome == "returned":
        return ("returned", None if run.value is None else int(run.value))
    if run.outcome == "failed":
        return ("failed", run.failed.kind, run.failed.span.line)
    return (run.outcome,)


def model_outcomes(cases: list[Case]) -> list[tuple]:
    fns = lower_all(source(cases))
    out = []
    for i, case in enumerate(cases):
        fn = fns[f"f{i}"]
        names = [n for _, n in case.params]
        out.append(model_outcome(fn, dict(zip(names, case.inputs, strict=True))))
    return out


def _driver(cases: list[Case]) -> str:
    lines = ["#include <stdio.h>", "int main(int argc, char **argv) {",
             "  switch (atoi(argv[1])) {"]  # fmt: skip
    for i, case in enumerate(cases):
        args = ", ".join(replay_c.literal(v) for v in case.inputs)
        fmt, cast = ("%llu", "unsigned long long") if _unsigned_long(case.ret) else \
            ("%lld", "long long")  # fmt: skip
        lines.append(f'  case {i}: fprintf(stderr, "prooflens: returned {fmt}\\n", '
                     f"({cast})f{i}({args})); break;")  # fmt: skip
    lines += ["  }", "  return 0;", "}"]
    return "\n".join(lines) + "\n"


def _unsigned_long(ret: str) -> bool:
    return ret in ("unsigned long", "uint64_t", "size_t", "unsigned long long")


def gcc_outcomes(cases: list[Case], timeout_s: float = 5.0) -> list[tuple]:
    """Compile every case into one program and run each (UBSan stops at the first error)."""
    text = source(cases) + '#line 1 "driver.c"\n' + _driver(cases)
    with tempfile.TemporaryDirectory(prefix="prooflens-ctest-") as tmp:
        src, exe = os.path.join(tmp, "t.c"), os.path.join(tmp, "t")
        with open(src, "w") as handle:
            handle.write(text)
        done = subprocess.run(["gcc", *replay_c.CFLAGS, src, "-o", exe], capture_output=True,
                              text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return [_gcc_case(exe, i, timeout_s) for i in range(len(cases))]


def _gcc_case(exe: str, index: int, timeout_s: float) -> tuple:
    try:
        done = subprocess.run([exe, str(index)], capture_output=True, text=True,
                              timeout=timeout_s)  # fmt: skip
    except subprocess.TimeoutExpired:
        return ("timeout",)
    seen = replay_c.classify(done.returncode, done.stderr, source_name="t.c")
    if seen.status == "returned":
        return ("returned", seen.value)
    if seen.status in ("ub", "assert"):
        return ("failed", seen.kind, seen.line)
    if seen.status in ("abort", "assume"):
        return ("blocked",)
    return (seen.status, seen.message)
