"""The C frontend: exact semantics (the pinned table, run by the interpreter), SV-COMP
conventions, globals, inlining, loops and what is refused as unsupported."""

from __future__ import annotations

import pytest
from c_pinned import ROWS, cases, expected
from c_support import lower_all, lower_one, model_outcome, model_outcomes, source

from prooflens.analysis import ir
from prooflens.analysis.frontends import c, c_preprocess
from prooflens.analysis.frontends import c_types as ct
from prooflens.analysis.settings import Settings


@pytest.fixture(scope="module")
def pinned_model() -> list[tuple]:
    return model_outcomes(cases())


@pytest.mark.parametrize("index", range(len(ROWS)), ids=[r[2][:40] for r in ROWS])
def test_pinned_semantics(pinned_model: list[tuple], index: int) -> None:
    """Each row's outcome under the frontend + interpreter is what gcc does (see e2e)."""
    assert pinned_model[index][:2] == expected()[index], ROWS[index]


def test_failures_point_at_the_body_line(pinned_model: list[tuple]) -> None:
    """Every body is one line (the line after the function's header): failures are there."""
    lines = source(cases()).split("\n")
    for index, outcome in enumerate(pinned_model):
        if outcome[0] == "failed":
            header = lines.index(next(ln for ln in lines if f" f{index}(" in ln)) + 1
            assert outcome[2] == header + 1, (ROWS[index], outcome)


# ---------------------------------------------------------------------------- types


@pytest.mark.parametrize(
    ("a", "b", "common"),
    [
        (ct.INT, ct.UINT, ct.UINT), (ct.LONG, ct.UINT, ct.LONG), (ct.LLONG, ct.ULONG, ct.ULLONG),
        (ct.CHAR, ct.UCHAR, ct.INT), (ct.SHORT, ct.USHORT, ct.INT), (ct.BOOL, ct.BOOL, ct.INT),
        (ct.ULONG, ct.LONG, ct.ULONG), (ct.UINT, ct.LLONG, ct.LLONG),
    ],
)  # fmt: skip
def test_usual_arithmetic_conversions(a: ct.CType, b: ct.CType, common: ct.CType) -> None:
    assert ct.usual(a, b) == common == ct.usual(b, a)


@pytest.mark.parametrize(
    ("text", "value", "ctype"),
    [
        ("2147483647", 2**31 - 1, ct.INT), ("2147483648", 2**31, ct.LONG),
        ("0x7fffffff", 2**31 - 1, ct.INT), ("0xffffffff", 2**32 - 1, ct.UINT),
        ("4294967296", 2**32, ct.LONG), ("1u", 1, ct.UINT), ("1UL", 1, ct.ULONG),
        ("1ll", 1, ct.LLONG), ("017", 15, ct.INT), ("0", 0, ct.INT),
        ("18446744073709551615u", 2**64 - 1, ct.ULONG),
        ("0xffffffffffffffff", 2**64 - 1, ct.ULONG),
    ],
)  # fmt: skip
def test_integer_literal_types(text: str, value: int, ctype: ct.CType) -> None:
    assert ct.integer_literal(text) == (value, ctype)


def test_specifier_words() -> None:
    assert ct.from_specifiers(["unsigned", "long", "long", "int"]) == ct.ULLONG
    assert ct.from_specifiers(["signed", "char"]) == ct.SCHAR
    assert ct.from_specifiers(["char"]) == ct.CHAR
    assert ct.from_specifiers(["unsigned"]) == ct.UINT
    assert ct.from_specifiers(["float"]) is None


# ---------------------------------------------------------------------------- structure


def _fn(text: str, name: str, settings: Settings | None = None) -> ir.Function:
    fn = lower_one(text, name, settings)
    assert isinstance(fn, ir.Function), fn
    return fn


def _stmts(fn: ir.Function, kind: type) -> list:
    return [s for s in ir.walk_stmts(fn.body) if isinstance(s, kind)]


def test_seed_functions_lower() -> None:
    with open("samples/seed.c") as handle:
        fns = lower_all(handle.read())
    assert all(isinstance(f, ir.Function) for f in fns.values()), fns
    assert fns["f"].returns_bool and not fns["g"].returns_bool
    assert [p.type for p in fns["f"].params] == [ir.BVType(32, False)] * 2
    loops = _stmts(fns["g"], ir.Loop)
    assert [(lp.keyword, lp.span.line) for lp in loops] == [("while", 18)]


def test_loop_shapes() -> None:
    text = """int h(int n) {
  int s = 0;
  for (int i = 0; i < n; i++) s++;
  do s--; while (s > 3);
  while (n-- > 0) s++;
  return s;
}
"""
    loops = _stmts(_fn(text, "h"), ir.Loop)
    assert [(lp.keyword, lp.test_first, lp.span.line) for lp in loops] == [
        ("for", True, 3), ("do", False, 4), ("while", True, 5)]  # fmt: skip
    assert loops[0].update and not loops[1].update
    # a condition with a side effect is evaluated at the top of the body, then tested
    assert loops[2].cond == ir.Const(True, ir.BOOL)
    exits = [s for s in loops[2].body if isinstance(s, ir.If) and s.then == (ir.Break(s.span),)]
    assert len(exits) == 1
    assert all(s.span.line == 5 for s in ir.walk_stmts(loops[2].body) if isinstance(s, ir.Assert))


@pytest.mark.parametrize(
    ("body", "returns_bool"),
    [
        ("return x > 0;", True), ("return x > 0 && x < 9;", True), ("return !x;", True),
        ("if (x) return x == 1; return 0;", False), ("return x;", False),
    ],
)  # fmt: skip
def test_returns_bool(body: str, returns_bool: bool) -> None:
    assert _fn(f"int h(int x) {{ {body} }}\n", "h").returns_bool is returns_bool
    assert _fn("_Bool b(int x) { return x; }\n", "b").returns_bool


def test_bool_conversion_is_not_truncation() -> None:
    fn = _fn("_Bool b(int x) { return x; }\n", "b")
    assert fn.return_type == ir.BOOL
    assert model_outcome(fn, {"x": 256}) == ("returned", 1)
    assert model_outcome(fn, {"x": 0}) == ("returned", 0)


# ---------------------------------------------------------------------------- SV-COMP


SVCOMP = """#include <stdbool.h>
extern int __VERIFIER_nondet_int(void);
extern unsigned char __VERIFIER_nondet_uchar(void);
extern _Bool __VERIFIER_nondet_bool(void);
extern void __VERIFIER_assume(int);
void reach_error() { __assert_fail("0", "t.c", 3, "reach_error"); }
void __VERIFIER_assert(int cond) { if (!(cond)) { ERROR: {reach_error(); abort();} } return; }
int main(void) {
  int x = __VERIFIER_nondet_int();
  unsigned char c = __VERIFIER_nondet_uchar();
  bool b = __VERIFIER_nondet_bool();
  __VERIFIER_assume(x > 0);
  if (b && c == 255) reach_error();
  if (x == 7) abort();
  __VERIFIER_assert(x != 5);
  return 0;
}
"""


@pytest.mark.parametrize(
    ("nondet", "outcome"),
    [
        ((1, 0, 0), ("returned", 0)),
        ((0, 0, 0), ("blocked",)),  # the assumption x > 0 is false
        ((5, 0, 0), ("failed", "assertion", 15)),
        ((1, 255, 1), ("failed", "assertion", 13)),  # reach_error()
        ((1, 511, 1), ("failed", "assertion", 13)),  # nondet values wrap into the type
        ((7, 0, 0), ("blocked",)),  # abort(): the run ends, no violation
    ],
)
def test_svcomp_conventions(nondet: tuple[int, ...], outcome: tuple) -> None:
    fn = _fn(SVCOMP, "main")
    havocs = _stmts(fn, ir.Havoc)
    assert [h.type for h in havocs] == [ir.BVType(32, True), ir.BVType(8, False), ir.BOOL]
    assert model_outcome(fn, {}, nondet) == outcome


def test_svcomp_helpers_are_units_of_their_own() -> None:
    fns = lower_all(SVCOMP)
    assert model_outcome(fns["reach_error"], {}) == ("failed", "assertion", 6)  # __assert_fail
    assert isinstance(fns["__VERIFIER_assert"], ir.Function)  # the label is harmless


# ---------------------------------------------------------------------------- globals


GLOBALS = """int counter;
int table[3] = {4, 5};
const int LIMIT = 10;
int bump(int k) { counter += k; return counter + table[2] + LIMIT; }
int main(void) { return bump(1); }
"""


def test_globals_are_inputs_except_in_main() -> None:
    bump = _fn(GLOBALS, "bump")
    havocs = [s.target for s in bump.body if isinstance(s, ir.Havoc)]
    assert havocs == ["global:counter", "global:table[0]", "global:table[1]", "global:table[2]"]
    assert model_outcome(bump, {"k": 2}, (40, 0, 0, 7)) == ("returned", 42 + 7 + 10)
    main = _fn(GLOBALS, "main")
    assert not _stmts(main, ir.Havoc)
    assert model_outcome(main, {}) == ("returned", 1 + 0 + 10)


# ---------------------------------------------------------------------------- inlining


RECURSIVE = """int sum(int n) { if (n <= 0) return 0; return n + sum(n - 1); }
int twice(int x) { return sum(x) + sum(x); }
"""


def test_inlining_renames_apart_and_bounds_depth() -> None:
    fn = _fn(RECURSIVE, "twice", Settings(inline_depth=3))
    inlines = _stmts(fn, ir.Inline)
    assert any(i.depth_exceeded and not i.body for i in inlines)
    assert model_outcome(fn, {"x": 2}) == ("returned", 6)
    assert model_outcome(fn, {"x": 5})[0] == "depth-exceeded"
    params = {n for n in fn.variables if n.endswith(".n")}
    assert len(params) >= 4  # every inlined frame has its own `n`
    assert all(fn.display[n] == "n" for n in params)


def test_syntax_errors_elsewhere_do_not_matter() -> None:
    text = "int ok(int x) { return x + 1; }\nint broken(int x) { return x +; }\n"
    assert isinstance(lower_one(text, "ok"), ir.Function)


def test_calling_a_broken_function_is_unsupported() -> None:
    text = "int broken(int x) { return x +; }\nint ok(int x) { return broken(x); }\n"
    result = lower_one(text, "ok")
    assert isinstance(result, ir.Unsupported) and "syntax error" in result.reason


# ---------------------------------------------------------------------------- unsupported


@pytest.mark.parametrize(
    ("text", "construct", "line"),
    [
        ("int f(long x) {\n  int *p = (int *)x;\n  return *p;\n}\n", "pointer cast", 2),
        ("void f(int *p, int *q) {\n  *p = *q;\n}\n", "may alias q", 1),
        ("int f(int **p) {\n  return **p;\n}\n", "pointer to pointer", 1),
        ("int f(int x) {\n  float y = x;\n  return y;\n}\n", "float", 2),
        ("struct s { int a; };\nint f(struct s v) {\n  return v.a;\n}\n", "struct", 2),
        ("int f(int x) {\n  goto out;\nout:\n  return x;\n}\n", "goto", 2),
        ('int f(int x) {\n  return scanf("%d", x);\n}\n', "unknown function scanf", 2),
        ("int f(int x) {\n  return g(x);\n}\n", "unknown function g", 2),
        ("int f(int x) {\n  int a[2][3];\n  return 0;\n}\n", "multi-dimensional", 2),
        ("int f(int x) {\n  int y = x++ + x;\n  return y;\n}\n", "unsequenced", 2),
        ("int f(int x) {\n  x = x++;\n  return x;\n}\n", "unsequenced", 2),
        ("int f(int x) {\n  static int n;\n  return n;\n}\n", "static", 2),
        ("int f(int x, ...) {\n  return x;\n}\n", "varargs", 1),
        ("#include <no_such_header.h>\nint f(int x) {\n  return y;\n}\n", "<no_such_header.h>", 3),
        ("double f(int x) {\n  return x;\n}\n", "double", 1),
        # a pointer's C type is its pointee's: a struct pointer's once made `usual` crash
        ("struct s { int x; };\nint f(struct s *p, struct s *q, int c) {\n"
         "  struct s *r = c ? p : q;\n  return r->x;\n}\n",
         "conditional expression of pointers", 3),
        ("int f(int *p, int *q, int c) {\n  int *r = c ? p : q;\n  return *r;\n}\n",
         "conditional expression of pointers", 2),
    ],
)
def test_unsupported_constructs(text: str, construct: str, line: int) -> None:
    result = lower_one(text, "f")
    assert isinstance(result, ir.Unsupported), result
    assert construct in result.reason and result.line == line, result


def test_deep_nesting_is_unsupported_not_a_crash() -> None:
    depth = 3000
    text = "int f(int x) {\n  return " + "(" * depth + "x" + ")" * depth + ";\n}\n"
    result = lower_one(text, "f")
    assert isinstance(result, ir.Unsupported) and result.construct == "deeply nested code"
    shallow = "int f(int x) {\n  return " + "(" * 200 + "x" + ")" * 200 + ";\n}\n"
    assert isinstance(lower_one(shallow, "f"), ir.Function)


# ---------------------------------------------------------------------------- preprocessing


DEFINES = """#include <limits.h>
#include <stdint.h>
#define N 4
#define TOP (INT_MAX - N)
int f(int32_t x) {
  return x > TOP ? N : -N;
}
"""


@pytest.mark.parametrize("use_cpp", [False, True, None])
def test_preprocessing_with_and_without_cpp(use_cpp: bool | None) -> None:
    text = c_preprocess.preprocess(DEFINES, use_cpp)
    assert isinstance(text, str)
    ast = c.parse_translation_unit(DEFINES, use_cpp)
    assert not isinstance(ast, ir.Unsupported)
    func = ast.ext[-1]
    assert func.coord.line == 5 and func.body.block_items[0].coord.line == 6


def test_fallback_refuses_what_it_cannot_do() -> None:
    text = "#define SQ(x) ((x) * (x))\nint f(int x) { return SQ(x); }\n"
    error = c_preprocess.fallback_preprocess(text)
    assert isinstance(error, c_preprocess.PreprocessError)
    assert error.construct == "function-like macro" and error.line == 1
    ifdef = c_preprocess.fallback_preprocess("int a;\n#ifdef X\nint b;\n#endif\n")
    assert isinstance(ifdef, c_preprocess.PreprocessError) and ifdef.line == 2
    assert "#ifdef" in ifdef.construct


def test_comments_are_stripped_and_lines_kept() -> None:
    text = 'int a; /* one\ntwo */ int b; // x\nchar *s = "/* not */";\n'
    out = c_preprocess.strip_comments(text)
    assert out.count("\n") == text.count("\n") and "two" not in out and "/* not */" in out


def test_operator_columns() -> None:
    fn = _fn("int f(int x, int y) {\n  return x  +  y;\n}\n", "f")
    check = _stmts(fn, ir.Assert)[0]
    assert (check.kind, check.span.line, check.span.column) == ("signed-overflow", 2, 13)


def test_extern_globals_are_inputs_even_in_main() -> None:
    text = "extern int seen;\nint made;\nint made = 3;\nint main(void) { return seen + made; }\n"
    main = _fn(text, "main")
    assert [s.target for s in main.body if isinstance(s, ir.Havoc)] == ["global:seen"]
    assert model_outcome(main, {}, (4,)) == ("returned", 7)


def test_no_check_where_the_operand_ranges_rule_overflow_out() -> None:
    fn = _fn("long f(int a, int b, long c) { return (long)a * (long)b + 1 + c; }\n", "f")
    assert [s.kind for s in _stmts(fn, ir.Assert)] == ["signed-overflow"]  # only the `+ c`
    fn = _fn("int g(signed char a, short b) { return a * b - 7; }\n", "g")
    assert not _stmts(fn, ir.Assert)


ENUMS = """enum color { RED, GREEN = 5, BLUE };
typedef enum { OFF = -1, ON = 1 } mode;
int f(enum color c, mode m) {
  int r = 0;
  switch (c) { case RED: r = 1; break; case BLUE: r = BLUE; break; default: r = m; }
  return r + GREEN;
}
int g(int x) { return (enum color)x > 0; }
"""


@pytest.mark.parametrize(
    ("name", "inputs", "value"),
    [("f", {"c": 0, "m": -1}, 6), ("f", {"c": 6, "m": -1}, 11), ("f", {"c": 5, "m": -1}, 4),
     ("g", {"x": -1}, 1)],  # gcc: an enum without negative values is unsigned int
)  # fmt: skip
def test_enumerations(name: str, inputs: dict, value: int) -> None:
    assert model_outcome(_fn(ENUMS, name), inputs) == ("returned", value)


def test_function_like_macros_need_the_real_preprocessor() -> None:
    text = "#define SQ(x) ((x) * (x))\nint f(int x) {\n  return SQ(x);\n}\n"
    fn = _fn(text, "f")
    assert [(s.kind, s.span.line) for s in _stmts(fn, ir.Assert)] == [("signed-overflow", 3)]
    parsed = c.parse_translation_unit(text, use_cpp=False)
    assert isinstance(parsed, ir.Unsupported) and "function-like macro" in parsed.reason


def test_gnu_annotations_are_scrubbed() -> None:
    text = ("extern void __assert_fail(const char *, unsigned int) __attribute__ ((__nothrow__ ,\n"
            "  __leaf__)) __attribute__ ((__noreturn__));\n"
            "static __inline__ int id(int x) { return __extension__ x; }\n")  # fmt: skip
    out = c_preprocess.scrub_gnu(text)
    assert "__attribute__" not in out and "__extension__" not in out and "inline int id" in out
    assert out.count("\n") == text.count("\n")


def test_svcomp_preamble_sample_lowers() -> None:
    with open("samples/svcomp_style.c") as handle:
        fns = lower_all(handle.read())
    assert isinstance(fns["main"], ir.Function) and isinstance(fns["twice"], ir.Function)
    assert isinstance(fns["__VERIFIER_assert"], ir.Function)
    assert model_outcome(fns["reach_error"], {}) == ("failed", "assertion", 4)


# ---------------------------------------------------------------------------- C memory

MEMORY = """struct pt { int x; int y; };
int sum(const int *a, int n) {
    int s = 0;
    for (int i = 0; i < n; i++)
        s ^= a[i];
    return s;
}
int walk(void) {
    int b[3] = {1, 2, 3};
    int *p = b;
    int s = 0;
    while (p < b + 3) { s += *p; p++; }
    return s;
}
int strl(void) { char s[] = "abc"; int n = 0; while (s[n]) n++; return n; }
int pts(struct pt *p) { p->y = p->x + 1; return p->y; }
int nul(int k) { int b[1] = {5}; int *q = 0; if (k) q = &b[0]; return *q; }
int big(int i) { int t[300] = {0}; t[299] = 4; return t[i]; }
"""


def test_memory_model_runs() -> None:
    """Objects, pointers, strings, structs and NULL on the IR interpreter (the same
    meaning as z3's: tests/test_soundness_c_memory.py holds both against ASan)."""
    fns = lower_all(MEMORY)
    arr = ir.ArrayValue(0, ((0, 5), (1, 6), (2, 7)))
    assert model_outcome(fns["sum"], {"a": arr, "len(a)": 3, "n": 3}) == ("returned", 5 ^ 6 ^ 7)
    # the pointer contract: an access through a parameter outside its object is the
    # caller's violation (the run is outside the assumption), not the function's failure
    assert model_outcome(fns["sum"], {"a": arr, "len(a)": 2, "n": 3}) == ("blocked",)
    assert model_outcome(fns["walk"], {}) == ("returned", 6)
    assert model_outcome(fns["strl"], {}) == ("returned", 3)
    point = {"p->x": ir.ArrayValue(0, ((0, 41),)), "p->y": ir.ArrayValue(0), "len(p)": 1}
    assert model_outcome(fns["pts"], point) == ("returned", 42)
    assert model_outcome(fns["pts"], {**point, "len(p)": 0}) == ("blocked",)
    assert model_outcome(fns["nul"], {"k": 1}) == ("returned", 5)
    assert model_outcome(fns["nul"], {"k": 0}) == ("failed", "null-dereference", 17)
    assert model_outcome(fns["big"], {"i": 299}) == ("returned", 4)
    assert model_outcome(fns["big"], {"i": 300}) == ("failed", "array-out-of-bounds", 18)
