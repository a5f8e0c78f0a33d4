"""C as people write it (issue 14, part 1): CRLF, `.i` files, preprocessor conditionals
inside functions, the system headers, includes that cannot be found, library calls."""

from __future__ import annotations

import shutil

import c_support
import pytest
from c_support import Case, lower_one, model_outcomes

from prooflens.analysis import check as checker
from prooflens.analysis import ir, syntax
from prooflens.analysis.frontends import c_file, c_preprocess
from prooflens.analysis.settings import Settings

HAVE_GCC = shutil.which("gcc") is not None
needs_gcc = pytest.mark.skipif(not HAVE_GCC, reason="needs gcc (system headers)")
QUICK = Settings.quick(replay=False)


def check(source: str, path: str = "t.c") -> dict[str, list[tuple]]:
    """name -> sorted (property, status, line, column) of every result."""
    report = checker.check_text(source, "c", QUICK, path)
    return {fn.name: sorted((r.property, r.status, r.line, r.column) for r in fn.results)
            for fn in report.functions}  # fmt: skip


def reasons(source: str) -> dict[str, str]:
    report = checker.check_text(source, "c", QUICK)
    return {fn.name: " ".join(r.reason or "" for r in fn.results if r.property == "unsupported")
            for fn in report.functions}  # fmt: skip


OVERFLOW = "int f(int x) {\n  int y = x;\n  return y + 1;\n}\nint g(int a) {\n  return a * 2;\n}\n"


# ------------------------------------------------------------------------ line ends


@pytest.mark.parametrize("eol", ["\r\n", "mixed"])
def test_crlf_and_mixed_line_ends_keep_positions(eol: str) -> None:
    lines = OVERFLOW.split("\n")
    if eol == "mixed":
        text = "".join(ln + ("\r\n" if i % 2 else "\n") for i, ln in enumerate(lines[:-1]))
    else:
        text = OVERFLOW.replace("\n", "\r\n")
    assert check(text) == check(OVERFLOW)
    assert check(OVERFLOW)["f"] == [("signed-overflow", "refuted", 3, 12)]


def test_lone_carriage_return_is_a_clear_error() -> None:
    done = c_preprocess.preprocess_file("int a;\rint f(int x) { return x; }\n")
    assert isinstance(done, c_preprocess.PreprocessError) and "carriage return" in done.construct


# ------------------------------------------------------------------------- .i files

DOT_I = """# 1 "task.c"
# 1 "<built-in>"
# 1 "<command-line>"
# 1 "task.c"
# 1 "/usr/include/helper.h" 1 3 4
static int helper(int a) { return a + 1; }
# 3 "task.c" 2

int f(int x)
{
  return x * 3;
}
"""


def test_dot_i_is_c() -> None:
    assert syntax.language_for_path("task.i") == "c"
    assert syntax.language_for_path("dir.i/task.py") == "python"


def test_dot_i_units_are_the_files_own_with_physical_positions() -> None:
    parsed = syntax.parse(DOT_I, "c")
    assert [u.name for u in parsed.units] == ["f"]  # helper came from a header
    assert check(DOT_I, "task.i") == {"f": [("signed-overflow", "refuted", 11, 12)]}


# ----------------------------------------------------- the preprocessor inside units

IFDEF_BODY = """#define LIMIT 10
int f(int x) {
  auto int y = x;
#ifdef NEVER_DEFINED
  y = y * 1000;
#else
  y = y % LIMIT;
#endif
  return y + 1;
}
"""

MACRO_ATTR = """#define PURE __attribute__((pure))
PURE int f(int x) {
  return x / 2;
}
"""


def test_ifdef_in_a_body_and_auto_are_analysed() -> None:
    assert check(IFDEF_BODY) == {"f": [("signed-overflow", "proved", 9, 12)]}


def test_tree_sitter_error_the_preprocessor_explains_does_not_block() -> None:
    unit = syntax.parse(MACRO_ATTR, "c").units[0]
    assert not unit.has_error
    assert check(MACRO_ATTR) == {"f": []}


def test_a_real_syntax_error_still_is_one() -> None:
    text = "int f(int x) { return x +; }\nint g(int x) { return x; }\n"
    assert "syntax error" in reasons(text)["f"] and reasons(text)["g"] == ""


def test_a_function_left_out_by_the_preprocessor_says_so() -> None:
    text = "#if 0\nint f(int x) { return x; }\n#endif\nint g(int x) { return x; }\n"
    assert "left out by the preprocessor" in reasons(text)["f"]


def test_kr_definition_is_read_and_refused_clearly() -> None:
    text = "int f(a, b)\n  int a;\n  int b;\n{\n  return a - b;\n}\nint g(void) { return 1; }\n"
    assert reasons(text) == {"f": "unsupported K&R-style parameter declarations at line 1", "g": ""}


def test_chunks_split_at_top_level_only() -> None:
    text = 'int a = 1; struct s { int x; } v;\nint f(void) { if (1) { ; } return ";{"[0]; }\nint b;'
    pieces = [text[c.start : c.end] for c in c_file.split_chunks(text)]
    assert pieces == ["int a = 1;", "struct s { int x; } v;",
                      'int f(void) { if (1) { ; } return ";{"[0]; }', "int b;"]  # fmt: skip


# --------------------------------------------------------------------------- headers

HEADERS = ["assert.h", "complex.h", "ctype.h", "errno.h", "fenv.h", "float.h", "inttypes.h",
           "iso646.h", "limits.h", "locale.h", "math.h", "setjmp.h", "signal.h", "stdalign.h",
           "stdarg.h", "stdatomic.h", "stdbool.h", "stddef.h", "stdint.h", "stdio.h", "stdlib.h",
           "stdnoreturn.h", "string.h", "tgmath.h", "threads.h", "time.h", "uchar.h", "wchar.h",
           "wctype.h", "unistd.h", "sys/types.h", "sys/stat.h", "fcntl.h", "strings.h"]  # fmt: skip


@needs_gcc
@pytest.mark.parametrize("header", HEADERS)
def test_every_standard_header(header: str) -> None:
    text = (f"#include <{header}>\n#include <limits.h>\n"
            "int f(int x) {\n  return x < INT_MAX ? x + 1 : 0;\n}\n")  # fmt: skip
    assert check(text) == {"f": [("signed-overflow", "proved", 4, 26)]}, reasons(text)


@needs_gcc
def test_all_headers_together_and_library_types() -> None:
    text = "".join(f"#include <{h}>\n" for h in HEADERS) + (
        "int f(int x) {\n  int64_t w = x; size_t n = sizeof(w);\n"
        "  assert(x != INT_MIN);\n  return (int)(w + (long)n) - (int)n + abs(x) * 0;\n}\n"
        "int g(void) { div_t d; d.quot = 7; return d.quot; }\n"
    )
    # div_t is a struct of two ints: a struct local since C memory (issue 14)
    assert reasons(text) == {"f": "", "g": ""}


@needs_gcc
def test_system_header_constants_are_exact() -> None:
    text = ("#include <stdint.h>\n#include <stdlib.h>\n#include <stdio.h>\n"
            "int f(void) { return RAND_MAX == 2147483647 && SIZE_MAX == 18446744073709551615UL"
            " && EOF == -1 && INT64_MIN < 0; }\n")  # fmt: skip
    fn = lower_one(text, "f")
    assert c_support.model_outcome(fn, {}) == ("returned", 1)


@needs_gcc
def test_missing_include_blocks_only_what_needs_it() -> None:
    text = ('#include <config.h>\n#include "local.h"\n#include <string.h>\n'
            "int ok(int x) { return x - 1; }\n"
            "foo_t uses(int x) { return x; }\n"
            "int ident(int x) { return LOCAL_MAX + x; }\n")
    got = reasons(text)
    assert got["ok"] == ""
    assert "<config.h>" in got["uses"] and "pycparser" in got["uses"]
    assert "LOCAL_MAX" in got["ident"] and '"local.h"' in got["ident"]


@needs_gcc
def test_ndebug_turns_assert_off_as_in_c() -> None:
    text = "#define NDEBUG\n#include <assert.h>\nint f(int x) { assert(x > 0); return 0; }\n"
    assert check(text) == {"f": []}


# --------------------------------------------------------------------- library calls

LIBRARY = """#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int out(int x) {
  printf("x=%d\\n", x + 1);
  fprintf(stderr, "%d\\n", x);
  puts("done");
  putchar('a');
  return 0;
}
int rnd(void) { int r = rand(); return r + 1; }
int rnd_ok(void) { int r = rand(); return r - 1; }
int chr(void) { int c = getchar(); return c >= -1 && c <= 255; }
long now(void) { return time(NULL); }
int leave(int x) { if (x == 0) exit(1); return 10 / x; }
int stop(int x) { if (x == 0) abort(); return 10 / x; }
"""


def test_library_calls_are_modelled() -> None:
    got = check(LIBRARY)
    assert got["out"] == [("signed-overflow", "refuted", 5, 22)]
    assert got["rnd"] == [("signed-overflow", "refuted", 11, 42)]  # rand() == RAND_MAX
    assert got["rnd_ok"] == [("signed-overflow", "proved", 12, 45)]  # rand() >= 0
    assert got["chr"] == [("always-true", "proved", 13, 5)]  # EOF or an unsigned char
    assert got["now"] == []
    assert got["leave"] == [("division-by-zero", "proved", 15, 51)]
    assert got["stop"] == [("division-by-zero", "proved", 16, 50)]


def test_chr_is_in_the_unsigned_char_range_or_eof() -> None:
    fn = lower_one(LIBRARY, "chr")
    assert isinstance(fn, ir.Function)
    for value in (-1, 0, 255):
        assert c_support.model_outcome(fn, {}, (value,)) == ("returned", 1)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('char *s = "a"; return printf("%s", s);', "pointer"),
        ("long t; return time(&t);", "time with a non-NULL argument"),
        ("int n; return scanf(\"%d\", &n);", "scanf"),
        ('return fprintf(f, "x");', "stream other than stdout/stderr"),
        ("return printf(fmt);", "format that is not a string literal"),
    ],
)
def test_library_calls_needing_memory_are_unsupported(body: str, reason: str) -> None:
    text = f"#include <stdio.h>\n#include <time.h>\nvoid *f; char *fmt;\nint g(void) {{ {body} }}\n"
    assert reason in reasons(text)["g"]


ABS_CASES = [
    Case("int", (("int", "x"),), "return abs(x);", (-(2**31),)),
    Case("int", (("int", "x"),), "return abs(x);", (-(2**31) + 1,)),
    Case("long", (("long", "x"),), "return labs(x);", (-(2**63),)),
    Case("long", (("long", "x"),), "return labs(x);", (-(2**63) + 1,)),
    Case("long long", (("long long", "x"),), "return llabs(x);", (-(2**63),)),
    Case("long long", (("long long", "x"),), "return llabs(x);", (-7,)),
    Case("int", (("int", "x"),), 'printf("%d", x); putchar(x & 127); return abs(x) - 1;', (0,)),
    Case("int", (("int", "x"),), 'puts("p"); return abs(x) + abs(-x);', (2**30,)),
]


@needs_gcc
def test_abs_and_output_against_gcc_ubsan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Differential: the model and gcc -fsanitize=undefined agree on boundary inputs."""
    monkeypatch.setattr(c_support, "HEADER", c_support.HEADER + "#include <stdio.h>\n")
    model = [m[:2] for m in model_outcomes(ABS_CASES)]
    real = [r[:2] for r in c_support.gcc_outcomes(ABS_CASES)]
    assert model == real
    assert model[0] == ("failed", "signed-overflow") and model[2] == ("failed", "signed-overflow")


# ------------------------------------------------------------- the file's own headers

LOCAL_HEADER = "#define LIMIT 10\nstatic inline int twice(int x) { return 2 * x; }\n"
NEEDS_CONFIG = '#ifndef CONFIGURED\n#error "include the configuration first"\n#endif\nint cfg;\n'
USER = ('#include <config.h>\n#include "needs_config.h"\n#include "local.h"\n'
        "int g(int x) {\n    if (x > LIMIT)\n        return 0;\n    return x + 2147483640;\n}\n"
        "int h(void) { return cfg; }\n")


@needs_gcc
def test_quoted_includes_are_read_next_to_the_file(tmp_path) -> None:
    """`#include "x.h"` is looked for in the file's folder (for the analysis and for the
    replay harness); a header whose `#error` stops the preprocessor is left out like a
    missing one: it blocks only what needs its declarations, and says so."""
    (tmp_path / "local.h").write_text(LOCAL_HEADER)
    (tmp_path / "needs_config.h").write_text(NEEDS_CONFIG)
    path = tmp_path / "user.c"
    path.write_text(USER)
    report = checker.check_path(str(path), Settings(timeout_s=5.0))
    by_name = {fn.name: fn.results for fn in report.functions}
    (overflow,) = [r for r in by_name["g"] if r.property == "signed-overflow"]
    assert overflow.status == "refuted" and overflow.confirmed is True, overflow
    assert overflow.witness is not None and 7 <= int(overflow.witness["x"]) <= 10
    (blocked,) = by_name["h"]
    assert blocked.property == "unsupported" and "cfg" in (blocked.reason or "")
    assert 'left out, stops the preprocessor: #include "needs_config.h"' in blocked.reason
    # without the folder (text that is not a file) the local header is not found
    text_only = checker.check_text(USER, "c", QUICK)
    (g,) = [fn for fn in text_only.functions if fn.name == "g"]
    assert [r.property for r in g.results] == ["unsupported"]


# ------------------------------------------------------------------ malloc and free

HEAP = """#include <stdlib.h>
int ok(int n) {
    int *p = malloc(4 * sizeof(int));
    if (p == NULL)
        return 0;
    p[3] = n;
    int r = p[3];
    free(p);
    return r;
}
int unchecked(void) {
    int *p = malloc(sizeof(int));
    *p = 5;
    free(p);
    return 0;
}
int after_free(void) {
    int *p = calloc(2, sizeof(int));
    if (!p)
        return 0;
    free(p);
    return p[1];
}
int twice(int k) {
    int *p = malloc(2 * sizeof(int));
    free(p);
    if (k)
        free(p);
    return 1;
}
int inside(void) {
    int *p = calloc(3, sizeof(int));
    if (!p)
        return 0;
    free(p + 1);
    return 0;
}
int stack(void) {
    int b[2] = {0, 1};
    int *p = b;
    free(p);
    return 0;
}
int short_by_one(unsigned long n) {
    char *p = calloc(n, 8);
    if (!p)
        return 0;
    p[8 * n] = 1;
    free(p);
    return 0;
}
int in_a_loop(int n) {
    for (int j = 0; j < n; j++)
        free(malloc(4));
    return 0;
}
"""


@needs_gcc
def test_malloc_calloc_free_against_asan() -> None:
    """A heap object per allocation site (NULL possible: the replay feeds it), checked
    for out-of-bounds, use after free, double/invalid free; every refutation is
    confirmed by AddressSanitizer; malloc in a loop is refused, not guessed."""
    report = checker.check_text(HEAP, "c", Settings(timeout_s=10.0), "heap.c")
    got = {fn.name: {(r.property, r.status, r.line) for r in fn.results if r.status != "proved"}
           for fn in report.functions}  # fmt: skip
    assert got["ok"] == set()
    assert got["unchecked"] == {("null-dereference", "refuted", 13)}
    assert got["after_free"] == {("use-after-free", "refuted", 22)}
    assert got["twice"] == {("invalid-free", "refuted", 28)}
    assert got["inside"] == {("invalid-free", "refuted", 35)}
    assert got["stack"] == {("invalid-free", "refuted", 41)}
    assert got["short_by_one"] == {("out-of-bounds", "refuted", 48)}
    (loop,) = got["in_a_loop"]
    assert loop[:2] == ("unsupported", "unknown")
    for fn in report.functions:
        for r in fn.results:
            if r.status == "refuted":
                assert r.confirmed is True, (fn.name, r.message, r.evidence.replay)
    (unchecked,) = [r for fn in report.functions if fn.name == "unchecked" for r in fn.results
                    if r.status == "refuted"]  # fmt: skip
    assert unchecked.evidence.nondet == (1,) or unchecked.evidence.nondet == (True,)


@needs_gcc
def test_standard_type_names_without_their_header() -> None:
    """`bool` (C23) and the <stdint.h>/<stddef.h> typedefs, used where the header that
    declares them was left out, mean what glibc declares; the harness includes them."""
    text = ("bool even(unsigned n) { return n % 2 == 0; }\n"
            "int add(int32_t a, int32_t b) { return a + b; }\n"
            "size_t twice(size_t n) { return n * 2; }\n"
            "typedef int word;\nword same(word w) { return w; }\n")  # fmt: skip
    report = checker.check_text(text, "c", Settings(timeout_s=5.0), "types.c")
    by_name = {fn.name: fn.results for fn in report.functions}
    assert [r.property for r in by_name["even"]] == ["always-true"]
    (overflow,) = by_name["add"]
    assert overflow.status == "refuted" and overflow.confirmed is True, overflow.evidence
    assert by_name["twice"] == () and by_name["same"] == ()
    assert c_file.implicit_types(text) == ("int32_t", "size_t", "bool")
