"""Differential soundness suite for C memory: generated functions with arrays, pointer
parameters, pointer walks, string literals and NULL, checked by prooflens, each verdict
held against the real code compiled with `gcc -fsanitize=address,undefined`:

- every "proved" out-of-bounds / array-out-of-bounds / null-dereference check survives
  random and boundary inputs -- pointer parameters get heap objects of lengths 0..8 with
  random contents -- ASan and UBSan stay silent at that line;
- every refutation is confirmed by prooflens's own replay (ASan + UBSan, exactly-sized
  objects from the witness), and its witness also fails at that line in this oracle;
- the pointer contract: an access of `f` through its parameter `a` is assumed inside the
  object (stated as a don't-know at `a`, never an error); a parameter `f` tests for NULL
  also gets NULL from the oracle, and its null-dereference verdicts are held against it;
  a same-file callee's accesses are checked against the caller's real arrays;
- no counterexample fails to reproduce, nothing escapes as an exception.

Default profile: a fixed seed, 24 programs (about two and a half minutes on 2 cores).
`PROOFLENS_SOUNDNESS=long` runs `PROOFLENS_SOUNDNESS_EXAMPLES` (default 120) programs.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

import pytest

from prooflens.analysis import ir
from prooflens.analysis.check import check_text
from prooflens.analysis.replay import c_memory as replay_memory
from prooflens.analysis.settings import Settings

GCC = shutil.which("gcc")
LONG = os.environ.get("PROOFLENS_SOUNDNESS") == "long"
COUNT = int(os.environ.get("PROOFLENS_SOUNDNESS_EXAMPLES", "120")) if LONG else 24
MEMORY = ("out-of-bounds", "array-out-of-bounds", "null-dereference", "use-after-free",
          "invalid-free")
BOUNDARY = (0, 1, -1, 2, 3, 4, 5, 7, 8, 9, -8, 2**31 - 1, -(2**31))
LENGTHS = (0, 1, 2, 3, 5, 8)
HEADER = "#include <stddef.h>\n#include <stdlib.h>\n"

needs_gcc = pytest.mark.skipif(GCC is None, reason="gcc is not installed")


@dataclass(frozen=True)
class Program:
    text: str
    has_array: bool  # f(int *a, int n, int i) (or struct pt *a) rather than f(int n, int i)
    has_struct: bool = False  # a is a `struct pt *` (fields x, y)
    nullable: bool = False  # f tests a for NULL: the oracle passes NULL too


# ---------------------------------------------------------------------------- programs


def _cmp(rnd: random.Random) -> str:
    return rnd.choice(["<", "<="])


def _items(rnd: random.Random, k: int) -> str:
    return ", ".join(str(rnd.randint(-9, 9)) for _ in range(rnd.randint(1, k)))


def _param_loop(rnd: random.Random) -> str:
    start = rnd.choice([0, 0, 1, -1])
    bound = rnd.choice(["n", "n - 1", "n + 1", "3"])
    guard = rnd.choice(["", "    if (n > 4) return 0;\n"])
    return (f"{guard}    int s = 0;\n    for (int j = {start}; j {_cmp(rnd)} {bound}; j++)\n"
            f"        s ^= a[j];\n    return s;\n")  # fmt: skip


def _param_write(rnd: random.Random) -> str:
    bound = rnd.choice(["n", "n + 1", "2"])
    return (f"    for (int j = 0; j {_cmp(rnd)} {bound}; j++)\n        a[j] = i;\n"
            f"    return n;\n")  # fmt: skip


def _local_index(rnd: random.Random) -> str:
    k = rnd.choice([3, 4, 70])
    high = rnd.choice([k - 1, k, k + 1])
    low = rnd.choice([0, -1, 1])
    return (f"    int b[{k}] = {{{_items(rnd, 3)}}};\n    if (i >= {low} && i < {high})\n"
            f"        return b[i];\n    return 0;\n")  # fmt: skip


def _pointer_walk(rnd: random.Random) -> str:
    k = rnd.choice([3, 5])
    off = rnd.choice([0, 1, 2])
    limit = rnd.choice([k - off, k - off + 1, 2])
    return (f"    int b[{k}] = {{{_items(rnd, k)}}};\n    int *p = b + {off};\n"
            f"    if (i < 0 || i >= {limit})\n        return -1;\n    return p[i];\n")  # fmt: skip


def _string_scan(rnd: random.Random) -> str:
    word = rnd.choice(["abc", "", "hello"])
    extra = rnd.choice([0, 0, 1, 2])
    return (f'    const char *s = "{word}";\n    int j = 0;\n'
            f"    while (s[j] != 0 && j < i)\n        j++;\n"
            f"    return s[j + {extra}];\n")  # fmt: skip


def _null(rnd: random.Random) -> str:
    guard = rnd.choice(["    if (p == NULL)\n        return 0;\n", "    if (!p) return 1;\n", ""])
    cut = rnd.choice([0, 3, -1])
    return (f"    int b[2] = {{{_items(rnd, 2)}}};\n    int *p = 0;\n    if (i > {cut})\n"
            f"        p = &b[1];\n{guard}    return *p;\n")  # fmt: skip


def _local_write(rnd: random.Random) -> str:
    k = rnd.choice([4, 100])
    bound = rnd.choice([str(k), str(k + 1), "n"])
    return (f"    int b[{k}];\n    int m = 0;\n"
            f"    for (int j = 0; j {_cmp(rnd)} {bound} && j < 200; j++) {{\n"
            f"        b[j] = j;\n        m = j;\n    }}\n    return m;\n")  # fmt: skip


def _callee(rnd: random.Random) -> tuple[str, str]:
    k = rnd.choice([2, 4])
    high = rnd.choice([k, k + 1])
    helper = "static int get(const int *q, int k) { return q[k]; }\n"
    body = (f"    int b[{k}] = {{{_items(rnd, k)}}};\n    if (i < 0 || i >= {high})\n"
            f"        return 0;\n    return get(b, i);\n")  # fmt: skip
    return helper, body


def _struct_param(rnd: random.Random) -> str:
    access = rnd.choice(["a->x", "a[j].y", "(a + j)->x"])
    bound = rnd.choice(["n", "n + 1", "1"])
    write = rnd.choice(["", "        a[j].x = s;\n"])
    return (f"    int s = 0;\n    for (int j = 0; j {_cmp(rnd)} {bound}; j++) {{\n"
            f"        s ^= {access};\n{write}    }}\n    return s;\n")  # fmt: skip


def _null_param(rnd: random.Random) -> str:
    guard = rnd.choice(["    if (a == NULL)\n        return -1;\n", "    if (!a) return 0;\n",
                        "    if (a != NULL && n > 0)\n        return a[0];\n",
                        "    if (a) n = 0;\n"])  # fmt: skip
    access = rnd.choice(["*a", "a[0]", "a[1]"])
    return f"{guard}    return {access} ^ n;\n"


def _contract_caller(rnd: random.Random) -> tuple[str, str]:
    """A callee's contract (room for q[0..m-1]) checked against a real array at the call."""
    k = rnd.choice([2, 3, 5])
    off = rnd.choice([0, 0, 1])
    high = rnd.choice([k - off, k - off + 1])
    helper = ("static int total(const int *q, int m) {\n    int s = 0;\n"
              "    for (int j = 0; j < m; j++)\n        s ^= q[j];\n    return s;\n}\n")
    body = (f"    int b[{k}] = {{{_items(rnd, k)}}};\n    if (i < 0 || i > {high})\n"
            f"        return 0;\n    return total(b + {off}, i);\n")  # fmt: skip
    return helper, body


def _heap(rnd: random.Random) -> str:
    """malloc/calloc (may return NULL: the oracle's never does, a subset of C's runs),
    writes, reads, free: out-of-bounds, NULL, use after free, double and invalid free."""
    alloc = rnd.choice(["malloc(n * sizeof(int))", "calloc(n, sizeof(int))",
                        "malloc(3 * sizeof(int))", "calloc(4, sizeof(int))"])  # fmt: skip
    guard = rnd.choice(["    if (!p)\n        return -1;\n", "    if (p == NULL) return 0;\n", ""])
    idx = rnd.choice(["0", "i", "n - 1", "2"])
    tail = rnd.choice([
        f"    int r = p[{idx}];\n    free(p);\n    return r;\n",
        f"    free(p);\n    return p[{idx}];\n",
        f"    int r = p[{idx}];\n    free(p);\n    if (i > 3)\n        free(p);\n    return r;\n",
        f"    int r = p[{idx}];\n    free(p + (i == 1));\n    return r;\n",
    ])  # fmt: skip
    return (f"    int *p = {alloc};\n{guard}    for (int j = 0; j < n && j < 4; j++)\n"
            f"        p[j] = j;\n{tail}")  # fmt: skip


TEMPLATES = (_struct_param, _param_loop, _param_write, _local_index, _pointer_walk,
             _string_scan, _null, _local_write, _callee, _null_param, _contract_caller,
             _heap)  # fmt: skip
# f's own accesses through its parameter `a`: assumed by the contract, never refuted
_CONTRACT_ONLY = (_struct_param, _param_loop, _param_write, _null_param)


def generate(rnd: random.Random, index: int) -> Program:
    template = TEMPLATES[index % len(TEMPLATES)]
    made = template(rnd)
    helper, body = made if isinstance(made, tuple) else ("", made)
    has_struct = template is _struct_param
    has_array = template in _CONTRACT_ONLY
    pointer = "struct pt *a" if has_struct else "int *a"
    params = f"{pointer}, int n, int i" if has_array else "int n, int i"
    if has_struct:
        helper = "struct pt { int x; int y; };\n" + helper
    return Program(f"{HEADER}{helper}int f({params}) {{\n{body}}}\n", has_array, has_struct,
                   template is _null_param)  # fmt: skip


# ---------------------------------------------------------------------------- oracle


@dataclass(frozen=True)
class Input:
    length: int
    contents: tuple[int, ...]  # structs: x0, y0, x1, y1, ...
    n: int
    i: int
    null: bool = False  # a is NULL


def inputs(rnd: random.Random, program: Program) -> list[Input]:
    out = []
    for _ in range(36):
        length = rnd.choice(LENGTHS) if program.has_array else 0
        width = 2 if program.has_struct else 1
        contents = tuple(rnd.randint(-5, 5) for _ in range(length * width))
        null = program.nullable and rnd.random() < 0.3
        out.append(Input(length, contents, rnd.choice(BOUNDARY), rnd.choice(BOUNDARY), null))
    return out


def _call(program: Program, case: Input) -> str:
    if not program.has_array:
        return f"f({case.n}, {case.i})"
    ctype = "struct pt" if program.has_struct else "int"
    if case.null:
        return f"f(({ctype} *)0, {case.n}, {case.i})"
    if program.has_struct:
        fill = " ".join(f"__o[{k // 2}].{'xy'[k % 2]} = {v};" for k, v in enumerate(case.contents))
    else:
        fill = " ".join(f"__o[{k}] = {v};" for k, v in enumerate(case.contents))
    obj = (f"({{ {ctype} *__o = ({ctype} *)malloc(sizeof({ctype}) * {case.length}u); "
           f"{fill} __o; }})")  # fmt: skip
    return f"f({obj}, {case.n}, {case.i})"


def run_oracle(program: Program, cases: list[Input], folder: str) -> list[tuple]:
    """("returned",) or ("failed", family, line) per case, from the compiled program."""
    driver = ['#line 1 "driver.c"', "#include <stdlib.h>", "#include <stdio.h>",
              "int main(int argc, char **argv) {", "  switch (atoi(argv[1])) {"]  # fmt: skip
    driver += [f"  case {k}: printf(\"%d\\n\", {_call(program, c)}); break;"
               for k, c in enumerate(cases)]  # fmt: skip
    driver += ["  }", "  return 0;", "}"]
    src, exe = os.path.join(folder, "t.c"), os.path.join(folder, "t")
    with open(src, "w") as handle:
        handle.write(ALLOCATOR + '#line 1 "program.c"\n' + program.text + "\n".join(driver)
                     + "\n")  # fmt: skip
    flags = ["-std=gnu11", "-O0", "-g", "-w", "-fsanitize=address,undefined",
             "-fno-sanitize-recover=all"]  # fmt: skip
    done = subprocess.run([GCC, *flags, src, "-o", exe], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr + program.text
    env = {"PATH": "/usr/bin:/bin", **replay_memory.env_options()}
    return [_observe(exe, k, env) for k in range(len(cases))]


# The oracle's malloc: the real one, failing (as C allows) past what ASan may map.
ALLOCATOR = """#include <stdlib.h>
static void *o_malloc(size_t n) { return n > (1UL << 28) ? 0 : malloc(n); }
static void *o_calloc(size_t n, size_t s) { return s && n > (1UL << 28) / s ? 0 : calloc(n, s); }
#define malloc(n) o_malloc(n)
#define calloc(n, s) o_calloc(n, s)
"""
_UB = re.compile(r"program\.c:(\d+):\d+: runtime error: (.*)")


def _observe(exe: str, index: int, env: dict[str, str]) -> tuple:
    done = subprocess.run([exe, str(index)], capture_output=True, text=True, timeout=20,
                          env=env)  # fmt: skip
    asan = replay_memory.classify(done.stderr)
    if asan is not None:
        return ("failed", _family(asan[1]), asan[0])
    ub = _UB.search(done.stderr)
    if ub:
        message = ub.group(2)
        kind = "null-dereference" if "null pointer" in message else \
            "bounds" if "out of bounds" in message or "insufficient space" in message \
            else "other"  # fmt: skip
        return ("failed", kind, int(ub.group(1)))
    assert done.returncode == 0, done.stderr[-2000:]
    return ("returned",)


def _family(kind: str) -> str:
    return "bounds" if kind in ("out-of-bounds", "array-out-of-bounds") else kind


# ---------------------------------------------------------------------------- the suite


_CALLEE = re.compile(r"\(in \w+, line (\d+)\)")


def site_line(result) -> int:
    """Where the check is: a callee's check is reported at the call, "(in g, line L)"."""
    found = _CALLEE.search(result.message or "")
    return int(found.group(1)) if found else result.line


def cross_check(program: Program, folder: str, rnd: random.Random) -> list[str]:
    report = check_text(program.text, "c", Settings(timeout_s=10.0), "program.c")
    results = [r for f in report.functions if f.name == "f" for r in f.results]
    bugs = [f"{r.property} at line {r.line}: {r.reason}" for r in results
            if r.status == "unknown" and ("did not reproduce" in (r.message or "")
                                          or "internal error" in (r.reason or ""))]  # fmt: skip
    cases = inputs(rnd, program)
    # A witness in which malloc returns NULL is replayed by prooflens (which feeds the
    # NULL); this oracle's malloc never fails, so it only runs the others.
    refuted = [r for r in results if r.status == "refuted" and r.property in MEMORY
               and not r.evidence.nondet]  # fmt: skip
    cases += [_witness_input(r.witness or {}, program) for r in refuted]
    seen = run_oracle(program, cases, folder)
    for r in results:
        if r.property not in MEMORY:
            continue
        family = _family(r.property)
        failing = [c for c, s in zip(cases, seen, strict=True)
                   if s[0] == "failed" and s[1] == family and s[2] == site_line(r)]  # fmt: skip
        if r.status == "proved" and failing:
            bugs.append(f"proved {r.property} at line {r.line}, but {failing[0]} fails there")
        if r.status == "refuted" and r.confirmed is not True:
            bugs.append(f"refuted {r.property} at line {r.line} not confirmed: {r.evidence}")
    for r, s in zip(refuted, seen[len(seen) - len(refuted) :], strict=True):
        if s != ("failed", _family(r.property), site_line(r)):
            bugs.append(f"witness of {r.property} at line {r.line} ({r.witness}) gave {s}")
    return bugs + contract_bugs(program, results)


def contract_bugs(program: Program, results: list) -> list[str]:
    """f's accesses through `a` are its contract: stated at `a`, never an error."""
    if not program.has_array:
        return []
    bugs = [f"contract violation reported as an error: {r.message}" for r in results
            if r.status == "refuted" and r.property in ("out-of-bounds", "array-out-of-bounds")]
    stated = [r for r in results if r.property == "out-of-bounds" and r.status == "unknown"
              and "assumed by f's contract" in (r.reason or "")]  # fmt: skip
    if not stated:
        bugs.append("the contract on a is not stated")
    return bugs


def _witness_input(witness: dict, program: Program) -> Input:
    length = min(int(witness.get("len(a)", 0)), 64) if program.has_array else 0
    names = ("a->x", "a->y") if program.has_struct else ("a",)
    columns = [_array(witness.get(name)).prefix(length) for name in names]
    values = tuple(int(v) for row in zip(*columns, strict=True) for v in row)
    null = any(k.endswith(".null") and bool(v) for k, v in witness.items())
    return Input(length, values, int(witness.get("n", 0)), int(witness.get("i", 0)), null)


def _array(raw) -> ir.ArrayValue:
    if isinstance(raw, list | tuple) and len(raw) == 2:
        return ir.ArrayValue(raw[0], tuple(tuple(x) for x in raw[1]))
    return ir.ArrayValue(0)


@needs_gcc
@pytest.mark.parametrize("index", range(COUNT))
def test_memory_verdicts_against_asan(index: int) -> None:
    seed = index if not LONG else random.SystemRandom().randrange(1 << 30)
    rnd = random.Random(seed)
    program = generate(rnd, index)
    with tempfile.TemporaryDirectory(prefix="prooflens-memory-") as folder:
        bugs = cross_check(program, folder, rnd)
    assert not bugs, "\n".join(bugs) + f"\nseed {seed}\n" + program.text
