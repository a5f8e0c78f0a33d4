"""The tree-sitter syntax layer: units, spans, callees, syntax errors, incremental
parsing and unit keys (prooflens.analysis.syntax)."""

from __future__ import annotations

import hashlib

import pycparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prooflens.analysis.syntax import (
    MAX_SYNTAX_ERRORS,
    ParsedFile,
    byte_to_position,
    edit_tree,
    encode,
    language_for_path,
    parse,
    python_newer_syntax,
    python_scope,
    unit_at,
    unit_key,
)

PY = """import os
N = 3  # a constant

@decorator
def f(x):
    s = 'ü€'
    return g(x) + f(x)

def g(y):
    if y > 0:
        return h(y - 1)
    return y

async def a():
    pass

class K:
    def method(self):
        return f(1)

def h(z):
    return os.path.join(z) * 2
"""

C = """#include <stdio.h>
/* a comment */ int N = 3;
typedef unsigned int u32;
int g(int y);
int f(int x) { char *s = "ü€"; return g(x) + f(x); }
static int g(int y) {
  if (y > 0) return h(y - 1);
  return y;
}
#ifdef FAST
unsigned h(int z) { return z << 1; }
#else
unsigned h(int z) { return z * 2; }
#endif
int (*getfn(void))(int) { return 0; } int tail = 1;
"""

# (name, line, column, end_line, end_column, name_line, name_column, callees, has_error)
PY_UNITS = [
    ("f", 5, 1, 7, 22, 5, 5, ("f", "g"), False),
    ("g", 9, 1, 12, 12, 9, 5, ("h",), False),
    ("a", 14, 1, 15, 8, 14, 11, (), False),
    ("K.method", 18, 5, 19, 19, 18, 9, ("f",), False),
    ("h", 21, 1, 22, 30, 21, 5, (), False),
]
C_UNITS = [
    ("f", 5, 1, 5, 52, 5, 5, ("f", "g"), False),
    ("g", 6, 1, 9, 1, 6, 12, ("h",), False),
    ("h", 11, 1, 11, 36, 11, 10, (), False),
    ("h", 13, 1, 13, 35, 13, 10, (), False),
    ("getfn", 15, 1, 15, 37, 15, 7, (), False),
]


def summary(parsed: ParsedFile) -> list[tuple]:
    return [
        (u.name, u.line, u.column, u.end_line, u.end_column, u.name_line, u.name_column,
         u.callees, u.has_error)
        for u in parsed.units
    ]  # fmt: skip


def errors(parsed: ParsedFile) -> list[tuple[int, int, str]]:
    return [(e.line, e.column, e.message) for e in parsed.syntax_errors]


def char_offset(text: str, line: int, column: int) -> int:
    """Character offset of a 1-based (line, column)."""
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[: line - 1]) + column - 1


def check_consistent(parsed: ParsedFile) -> None:
    """Every unit's text, hash, byte range and span agree with the file text."""
    text = parsed.text
    data = encode(text)
    for unit in parsed.units:
        start = char_offset(text, unit.line, unit.column)
        end = char_offset(text, unit.end_line, unit.end_column) + 1
        assert text[start:end] == unit.text
        raw = unit.text.encode("utf-8", "surrogatepass")
        assert unit.text_hash == hashlib.sha256(raw).hexdigest()
        assert data[unit.start_byte : unit.end_byte] == encode(unit.text)
        name_at = char_offset(text, unit.name_line, unit.name_column)
        short = unit.name.rsplit(".", 1)[-1]  # a Python method or nested function: `K.m`
        assert text[name_at : name_at + len(short)] == short
    for error in parsed.syntax_errors:
        assert 1 <= error.line <= error.end_line
        assert error.message


# ------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    ("path", "expected"),
    [("a.py", "python"), ("dir/b.pyi", "python"), ("x.c", "c"), ("inc/x.h", "c"),
     ("X.C", "c"), ("a.cpp", None), ("Makefile", None), ("a.py/b", None), ("a.txt", None),
     (".py", "python")],
)  # fmt: skip
def test_language_for_path(path: str, expected: str | None) -> None:
    assert language_for_path(path) == expected


# ------------------------------------------------------------------------- units


@pytest.mark.parametrize(("language", "source", "expected"), [("python", PY, PY_UNITS),
                                                              ("c", C, C_UNITS)])  # fmt: skip
def test_units(language: str, source: str, expected: list[tuple]) -> None:
    parsed = parse(source, language)
    assert summary(parsed) == expected
    assert parsed.syntax_errors == ()
    assert all(u.language == language for u in parsed.units)
    check_consistent(parsed)


def test_unit_text_starts_at_def_not_decorator() -> None:
    unit = parse(PY, "python").units[0]
    assert unit.text.startswith("def f(x):") and unit.text.endswith("f(x)")


def test_python_declarations_empty_and_c_declarations_map_lines() -> None:
    assert parse(PY, "python").declarations == ""
    decls = parse(C, "c").declarations
    assert "a comment" not in decls and "return" not in decls
    assert "#line 1\n" in decls and "#line 15\n" in decls
    conditional = ("#include", "#if", "#else", "#endif")  # pycparser wants them gone
    stripped = "\n".join("" if x.startswith(conditional) else x for x in decls.split("\n"))
    ast = pycparser.CParser().parse(stripped, "x.c")
    coords = {getattr(node, "name", None): (node.coord.line, node.coord.column) for node in ast.ext}
    assert coords["N"] == (2, 21)
    assert coords["u32"][0] == 3
    assert coords["g"][0] == 4
    assert coords["tail"] == (15, 43)


@pytest.mark.parametrize(
    ("language", "source", "expected"),
    [
        ("python", "def f(x):\n    return x +\n\ndef g(y):\n    return g(y)\n",
         [("f", True, ()), ("g", False, ("g",))]),
        ("python", "x = )\ndef g(y):\n    return y\n", [("g", False, ())]),
        ("python", "def f(x):\n    return x\n\ndef g(:\n    return f(1)\n",
         [("f", False, ()), ("g", True, ("f",))]),
        ("c", "int f(int x) { return x; }\nint g(int y) { return y +* ; }\n"
              "int h(void) { return f(1); }\n",
         [("f", False, ()), ("g", True, ()), ("h", False, ("f",))]),
        ("c", "int f(int x) { return x }\nint g(int y) { return f(y); }\n",
         [("f", True, ()), ("g", False, ("f",))]),
    ],
)  # fmt: skip
def test_error_in_one_unit_leaves_others_clean(
    language: str, source: str, expected: list[tuple]
) -> None:
    parsed = parse(source, language)
    assert [(u.name, u.has_error, u.callees) for u in parsed.units] == expected
    assert parsed.syntax_errors
    check_consistent(parsed)


@pytest.mark.parametrize(
    ("language", "source", "expected"),
    [("python", "\ufeffdef f():\n    return 1\n", [("f", 1, 2)]),
     ("c", "\ufeffint f(void) { return 1; }\n", [("f", 1, 2)]),
     ("python", "x = (\n    def g():\n        pass\ndef h():\n    return 1\n", [("h", 4, 1)])],
)  # fmt: skip
def test_bom_and_recovered_defs(language: str, source: str, expected: list[tuple]) -> None:
    parsed = parse(source, language)
    assert [(u.name, u.line, u.column) for u in parsed.units] == expected
    check_consistent(parsed)


PY_NESTED = """class K:
    @staticmethod
    def m(x):
        return x
    f = lambda self: 1
    def n(self, x):
        return self.m(x) + g(x)
if X:
    def g(): pass
h: int = lambda y: y
def outer(a):
    inner = lambda q: q + a
    def f2(x):
        return inner(x) + f2(x) + g()
    return 1
@lru_cache(maxsize=None)
def g(x):
    return x
"""


def test_methods_nested_functions_and_named_lambdas_are_units() -> None:
    """Every def is a unit named by its dotted path; callees: a bare call reaches module
    functions and functions nested around it, `x.m()` any method m; a nested unit also
    depends on the function around it."""
    parsed = parse(PY_NESTED, "python")
    assert [(u.name, u.line, u.column, u.callees) for u in parsed.units] == [
        ("K.m", 3, 5, ()),
        ("K.f", 5, 5, ()),
        ("K.n", 6, 5, ("K.m", "g")),
        ("g", 9, 5, ()),
        ("h", 10, 1, ()),
        ("outer", 11, 1, ()),
        ("outer.inner", 12, 5, ("outer",)),
        ("outer.f2", 13, 5, ("g", "outer", "outer.f2", "outer.inner")),
        ("g", 17, 1, ()),
    ]
    check_consistent(parsed)
    # the module text outside the outermost units: class and `if` headers, decorators
    assert parsed.context == "class K:\n    @staticmethod\nif X:\n@lru_cache(maxsize=None)"


def test_python_scope_of_units() -> None:
    parsed = parse(PY_NESTED, "python")
    scopes = {(u.name, u.line): python_scope(parsed, u) for u in parsed.units}
    method = scopes[("K.m", 3)]
    assert method.decorators == ("staticmethod",) and method.is_method
    assert [e.name for e in scopes[("outer.f2", 13)].enclosing] == ["outer"]
    assert scopes[("g", 9)].conditional and scopes[("g", 9)].is_module_level
    assert scopes[("g", 17)].decorators == ("lru_cache(maxsize=None)",)
    assert not scopes[("h", 10)].conditional and scopes[("h", 10)].is_module_level


@pytest.mark.parametrize(
    ("source", "feature", "line"),
    [("def f[T](x):\n    return x\n", "type parameters (PEP 695)", 1),
     ("def f(x):\n    type X = int\n    return x\n", "type statement (PEP 695)", 2),
     ("def f(x):\n    try:\n        pass\n    except A, B:\n        pass\n",
      "except with several types without parentheses (PEP 758)", 4),
     ("def f(x):\n    return x\n", None, 0)],
)  # fmt: skip
def test_python_syntax_newer_than_the_interpreter(source: str, feature: str | None,
                                                  line: int) -> None:  # fmt: skip
    parsed = parse(source, "python")
    assert not parsed.syntax_errors  # tree-sitter knows the syntax: no error is claimed
    found = python_newer_syntax(parsed, parsed.units[0])
    assert (found[:2] if found else None) == ((feature, line) if feature else None)


def test_unit_at_prefers_the_innermost_unit() -> None:
    parsed = parse(PY_NESTED, "python")
    assert unit_at(parsed, 3).name == "K.m"
    assert unit_at(parsed, 14).name == "outer.f2"
    assert unit_at(parsed, 15).name == "outer"


# ------------------------------------------------------------------ syntax errors


@pytest.mark.parametrize(
    ("language", "source", "expected"),
    [
        ("c", 'int f(int x) { char *s = "ü€"; return (x + 1; }\n', [(1, 45, "missing `)`")]),
        ("c", "int f(int x) { return x }\n", [(1, 24, "missing `;`")]),
        ("c", "int f(int x) { int y = ; return y; }\n", [(1, 23, "missing identifier")]),
        ("c", 'int f(int x) { char *s = "ü€"; return x @ 1; }\n',
         [(1, 41, "syntax error: unexpected `@ 1`")]),
        ("python", "def f(x):\n    s = 'ü€'; return (x +)\n",
         [(2, 25, "syntax error: unexpected `+`")]),
        ("python", "def f(x):\n    return x\n\ndef g(:\n    return 1\n", [(4, 7, "missing `)`")]),
        ("python", "x = 1\n\U0001f600 = 2 + )\n", None),
        ("python", "def f():\n    return 1\n", []),
        ("c", "int f(void) { return 1; }\n", []),
    ],
)  # fmt: skip
def test_syntax_errors(language: str, source: str, expected: list | None) -> None:
    parsed = parse(source, language)
    if expected is None:  # only: reported, on line 2, inside the line
        assert parsed.syntax_errors and all(e.line == 2 for e in parsed.syntax_errors)
        assert all(1 <= e.column <= len("\U0001f600 = 2 + )") for e in parsed.syntax_errors)
    else:
        assert errors(parsed) == expected
    check_consistent(parsed)


def test_error_span_and_truncated_snippet() -> None:
    source = "def f(x):\n    return [1, 2\n\ndef g():\n    return 1\n"
    (error,) = parse(source, "python").syntax_errors
    assert (error.line, error.column, error.end_line, error.end_column) == (2, 5, 4, 8)
    assert error.message == "syntax error: unexpected `return [1, 2 def g()…`"


def test_missing_node_has_empty_span() -> None:
    (error,) = parse("int f(int x) { return x }\n", "c").syntax_errors
    assert (error.end_line, error.end_column) == (1, error.column - 1)


def test_nested_errors_reported_once() -> None:
    source = "def f(x):\n    return (x\n\ndef g(y):\n    return y\n"
    parsed = parse(source, "python")
    assert str(parsed.tree.root_node).count("(ERROR") == 2  # one ERROR inside another
    assert errors(parsed) == [(2, 5, "syntax error: unexpected `return (x def g(y):`")]


def test_error_count_is_capped() -> None:
    source = "".join(f"def f{i}():\n    return )\n" for i in range(150))
    parsed = parse(source, "python")
    assert len(parsed.syntax_errors) == MAX_SYNTAX_ERRORS
    assert "not shown" in parsed.syntax_errors[-1].message
    assert all("not shown" not in e.message for e in parsed.syntax_errors[:-1])
    assert len(parse(source.replace("return )", "return 1", 60), "python").syntax_errors) == 90


@pytest.mark.parametrize(
    ("language", "deep", "units"),
    [("python", "def f(x):\n    return " + "(" * 10000 + "x" + ")" * 10000 + "\n",
      [("g", ("f",), False), ("f", (), False)]),
     ("c", "int f(int x) { return " + "(" * 10000 + "x" + ")" * 10000 + "; }\n",
      [("g", ("f",), False), ("f", (), False)]),
     ("c", "int f(int x) { return " + "(" * 10000 + "x" + ")" * 9999 + "; }\n",
      [("g", ("f",), False), ("f", (), True)]),
     ("python", "def f(x):\n    return " + "[" * 10000 + "\n", [("g", (), False)])],
    ids=["python-parens", "c-parens", "c-unbalanced", "python-unclosed"],
)  # fmt: skip
def test_deep_nesting(language: str, deep: str, units: list[tuple]) -> None:
    g = "def g(): return f(1)\n\n" if language == "python" else "int g(void) { return f(1); }\n"
    parsed = parse(g + deep, language)
    assert [(u.name, u.callees, u.has_error) for u in parsed.units] == units
    assert bool(parsed.syntax_errors) == (units[-1][2] or len(units) == 1)
    check_consistent(parsed)


@pytest.mark.parametrize(
    "source",
    ["def f():\n    return 1\x00\ndef g(): pass\n", "def f():\n    x = '\ud800'\n    return )\n",
     "\ud800\udfff\x00\xff" * 50, "int f(void){return 1;}\x00 int g(void) { return 2; }",
     "\ufeffdef f():\n    return '\udcff'\n", "\x00" * 100, "", "\n\n",
     "\r\n\r\ndef f():\r\n  pass\r\n", bytes(range(256)).decode("latin-1"),
     b"\xff\xfe\x00d\x00e\x00f".decode("utf-8", "surrogateescape")],
    ids=lambda source: ascii(source)[:30],
)  # fmt: skip
@pytest.mark.parametrize("language", ["python", "c"])
def test_binary_input_does_not_crash(source: str, language: str) -> None:
    parsed = parse(source, language)
    check_consistent(parsed)
    for error in parsed.syntax_errors:
        error.message.encode("utf-8")  # printable: no lone surrogates in messages


def test_byte_to_position_counts_characters() -> None:
    text = "é = 'ü'\nx = '\U0001f600' + )\n"
    offset = len(encode("é = 'ü'\nx = '\U0001f600' + "))
    assert byte_to_position(text, offset) == (2, 11)
    assert byte_to_position(text, 0) == (1, 1)
    assert byte_to_position("\ud800x", 1) == (1, 2)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["python", "c"]))
def test_any_text_parses_consistently(text: str, language: str) -> None:
    check_consistent(parse(text, language))


# --------------------------------------------------------------- incremental edits

EDIT_ALPHABET = list("abxyz ()[]{}:;,+-*/=\n\t'\"#é€\U0001f600") + ["def ", "return ", "int "]


@st.composite
def edit_scripts(draw):
    language, text = draw(st.sampled_from([("python", PY), ("c", C)]))
    edits = []
    length = len(text)
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, length))
        end = draw(st.integers(start, min(length, start + 6)))
        new = "".join(draw(st.lists(st.sampled_from(EDIT_ALPHABET), max_size=4)))
        edits.append((start, end, new))
        length += len(new) - (end - start)
    return language, text, edits


@settings(max_examples=200, deadline=None)
@given(edit_scripts())
def test_incremental_parse_matches_fresh_parse(script) -> None:
    language, text, edits = script
    parsed = parse(text, language)
    for start, end, new in edits:
        expected_text = text[:start] + new + text[end:]
        text = edit_tree(parsed.tree, text, start, end, new)
        assert text == expected_text
        parsed = parse(text, language, old_tree=parsed.tree)
    check_consistent(parsed)
    fresh = parse(text, language)
    # tree-sitter's error recovery may depend on history; error-free results must agree.
    if not fresh.syntax_errors:
        assert parsed.units == fresh.units
        assert parsed.syntax_errors == ()
        assert (parsed.declarations, parsed.context) == (fresh.declarations, fresh.context)


@pytest.mark.parametrize(
    ("language", "source", "old", "new"),
    [("python", PY, "return y\n", "return y + 'ü€'\n"),
     ("python", PY, "import os\n", "import os\n\n\n# é\n"),
     ("c", C, "return y;", "return y /* € */ + 1;"),
     ("c", C, "#include <stdio.h>\n", ""),
     ("c", C, "int N = 3;", "int N = 3; int M = 4;\n\n")],
)  # fmt: skip
def test_edit_examples(language: str, source: str, old: str, new: str) -> None:
    parsed = parse(source, language)
    start = source.index(old)
    text = edit_tree(parsed.tree, source, start, start + len(old), new)
    incremental = parse(text, language, old_tree=parsed.tree)
    fresh = parse(text, language)
    assert incremental.units == fresh.units and incremental.syntax_errors == ()
    assert incremental.declarations == fresh.declarations


def test_edit_tree_rejects_bad_range() -> None:
    parsed = parse("def f(): pass\n", "python")
    with pytest.raises(ValueError):
        edit_tree(parsed.tree, parsed.text, 5, 3, "x")
    with pytest.raises(ValueError):
        edit_tree(parsed.tree, parsed.text, 0, 100, "x")


# ---------------------------------------------------------------------- unit keys


def keys(text: str, language: str, fingerprint: str = "s", version: str = "v") -> dict[str, str]:
    parsed = parse(text, language)
    return {u.name: unit_key(parsed, u, fingerprint, version) for u in parsed.units}


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


PY_BASE = "N = 3\n\ndef f(x):\n    return g(x)\n\ndef g(y):\n    return h(y)\n\ndef h(z):\n    return z\n\ndef k():\n    return k()\n"  # noqa: E501
C_BASE = "int N = 3;\nint f(int x) { return g(x); }\nint g(int y) { return h(y); }\nint h(int z) { return z; }\nint k(void) { return k(); }\n"  # noqa: E501


@pytest.mark.parametrize(
    ("language", "base", "old", "new", "changed"),
    [
        # moves, blank lines and comments outside units change nothing
        ("python", PY_BASE, "N = 3\n", "\n\n# comment\nN = 3  # é\n\n", set()),
        ("python", PY_BASE, "    return z\n", "    return z\n\n\n", set()),
        ("c", C_BASE, "int N = 3;\n", "/* moved\n down */\n\nint N = 3; // c\n", set()),
        ("c", C_BASE, "int f(int x) {", "\n\nint f(int x) {", set()),
        # a unit, a direct or transitive callee
        ("python", PY_BASE, "return z", "return z + 1", {"f", "g", "h"}),
        ("python", PY_BASE, "return g(x)", "return g(x) - 1", {"f"}),
        ("python", PY_BASE, "return k()", "return 0", {"k"}),
        ("c", C_BASE, "return z;", "return z + 1;", {"f", "g", "h"}),
        ("c", C_BASE, "return h(y);", "return h(y) * 2;", {"f", "g"}),
        # a line moved inside a unit changes that unit only
        ("python", PY_BASE, "def k():\n", "def k():\n\n", {"k"}),
        # top-level declarations / module text
        ("c", C_BASE, "int N = 3;", "int N = 4;", {"f", "g", "h", "k"}),
        ("c", C_BASE, "int N = 3;\n", "int N = 3;\ntypedef int T;\n", {"f", "g", "h", "k"}),
        ("python", PY_BASE, "N = 3", "N = 4", {"f", "g", "h", "k"}),
    ],
)  # fmt: skip
def test_unit_key_changes_exactly_when_dependencies_change(
    language: str, base: str, old: str, new: str, changed: set[str]
) -> None:
    before = keys(base, language)
    after = keys(replace_once(base, old, new), language)
    assert before.keys() == after.keys()
    assert {name for name in before if before[name] != after[name]} == changed


def test_unit_key_moves_with_unit_and_depends_on_settings_and_version() -> None:
    parsed = parse(PY_BASE, "python")
    edited = PY_BASE.replace("def f", "def zz").replace("return g(x)", "return 0")
    moved = parse("\n\n\n" + edited, "python")
    same = {u.name: unit_key(parsed, u, "s", "v") for u in parsed.units}
    assert unit_key(moved, moved.units[-1], "s", "v") == same["k"]
    assert moved.units[-1].line == parsed.units[-1].line + 3
    base = keys(PY_BASE, "python")
    assert keys(PY_BASE, "python", fingerprint="t")["h"] != base["h"]
    assert keys(PY_BASE, "python", version="w")["h"] != base["h"]
    assert keys(C_BASE.replace("int N = 3;\n", ""), "c")["h"] != keys(PY_BASE, "python")["h"]


def test_unit_key_changes_when_a_callee_moves_relative_to_the_unit() -> None:
    """A result may mention a callee's line ("in g, line 7"): reusing it after the callee
    moved apart from the caller would show a stale line."""
    base = keys(PY_BASE, "python")
    apart = keys(PY_BASE.replace("def g(y):", "\n\ndef g(y):"), "python")
    assert apart["f"] != base["f"]  # its callees g and h moved away from it
    assert apart["g"] == base["g"] and apart["h"] == base["h"]  # moved together


def test_unit_key_depends_on_the_analyser_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """An editable install changes the analyser without a version bump: its cached
    verdicts must not be reused by the changed code."""
    from prooflens.analysis import syntax

    base = keys(PY_BASE, "python")
    monkeypatch.setattr(syntax, "analyser_digest", lambda: "another analyser")
    assert keys(PY_BASE, "python")["h"] != base["h"]


def test_unit_key_with_mutual_recursion_terminates() -> None:
    source = "def a(n):\n    return b(n)\n\ndef b(n):\n    return a(n)\n"
    result = keys(source, "python")
    assert result["a"] != result["b"]
    changed = keys(source.replace("return a(n)", "return a(n - 1)"), "python")
    assert changed["a"] != result["a"] and changed["b"] != result["b"]


# ------------------------------------------------------------------------ unit_at


@pytest.mark.parametrize(
    ("line", "expected"),
    [(1, None), (4, None), (5, "f"), (7, "f"), (8, None), (10, "g"), (22, "h"), (99, None)],
)
def test_unit_at(line: int, expected: str | None) -> None:
    unit = unit_at(parse(PY, "python"), line)
    assert (unit.name if unit else None) == expected
