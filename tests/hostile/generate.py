"""The generated part of the hostile-input corpus: files too big (or too binary) to commit.

Each `Hostile` names a file, makes its bytes on demand and says what a correct answer looks
like (`Expect`). `write_corpus(folder)` writes every generated file plus the hand-written
ones next to this module; `python tests/hostile/generate.py OUT` does it from a shell.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
DEEP = 10_000  # nesting depth of the "deeply nested" files
LONG_LINE = 50_000  # characters on the "long line" files
BIG = 10 * 1024 * 1024  # bytes of the "huge" files


@dataclass(frozen=True)
class Expect:
    """What a clear answer to a hostile file contains (all optional, all must hold).

    error: words the report's `error` must contain (the file was refused as a whole).
    syntax_errors: the report lists at least one syntax error.
    unknown: words some "don't know" reason must contain.
    functions: at least this many function reports.
    """

    error: str | None = None
    syntax_errors: bool = False
    unknown: tuple[str, ...] = ()
    functions: int = 0


@dataclass(frozen=True)
class Hostile:
    name: str  # file name, with the extension that picks the language
    make: Callable[[], bytes] = field(repr=False)
    expect: Expect = Expect()


def _py(body: str) -> bytes:
    return body.encode()


def _nested_python(open_: str, close: str) -> bytes:
    return _py(f"def f(x):\n    return {open_ * DEEP}x{close * DEEP} >= 0\n")


def _nested_c(open_: str, close: str) -> bytes:
    return _py(f"int f(int x) {{\n    return {open_ * DEEP}x{close * DEEP};\n}}\n")


def _long_line_python() -> bytes:
    terms = LONG_LINE // 6
    expr = " + ".join(f"x{i % 10}" for i in range(terms))  # flat, 50 000 characters
    return _py(f"def f(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9):\n    return {expr} >= 0\n")


def _long_string_python() -> bytes:
    return _py(f"def f(x):\n    s = '{'a' * LONG_LINE}'\n    return x == x\n")


def _long_comment_c() -> bytes:
    return _py(f"int f(int x) {{ // {'z' * LONG_LINE}\n    return x;\n}}\n")


def _long_line_c() -> bytes:
    body = " ".join(f"x = x ^ {i % 7};" for i in range(LONG_LINE // 12))
    return _py(f"unsigned f(unsigned x) {{ {body} return x; }}\n")


def _many_functions_python(size: int) -> bytes:
    chunks = []
    total, i = 0, 0
    while total < size:
        chunk = f"def f{i}(x):\n    assert x + {i} > x - 1\n    return x * 2 >= x\n\n\n"
        chunks.append(chunk)
        total += len(chunk)
        i += 1
    return _py("".join(chunks))


def _many_functions_c(size: int) -> bytes:
    chunks = []
    total, i = 0, 0
    while total < size:
        chunk = f"int f{i}(int x) {{\n    return x / {i % 5};\n}}\n\n"
        chunks.append(chunk)
        total += len(chunk)
        i += 1
    return _py("".join(chunks))


def _huge_comment_python() -> bytes:
    line = "# " + "c" * 98 + "\n"
    return _py(line * (BIG // len(line)) + "def f(x):\n    return x == x\n")


def _binary() -> bytes:
    # every byte value, repeated: NUL bytes, control characters, invalid UTF-8
    return bytes(range(256)) * 4096


def _elf_like() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + bytes(64) + b"def f(x):\n    return x\n"


def _latin1() -> bytes:
    return "def f(x):\n    # caf\u00e9 na\u00efve\n    return x == x\n".encode("latin-1")


def _lone_surrogate_bytes() -> bytes:
    return b"def f(x):\n    s = '\xed\xa0\x80'\n    return x == x\n"


def _bom_and_crlf() -> bytes:
    return "\ufeffdef f(x):\r\n    assert x > 0\r\n    return x + 1 > x\r\n".encode()


def _utf16() -> bytes:
    return "def f(x):\n    return x == x\n".encode("utf-16")


def _empty() -> bytes:
    return b""


def _only_whitespace() -> bytes:
    return b"   \n\t\n\x0c\n" * 1000


def _unicode_names() -> bytes:
    text = (
        "def \u0444(\u00e4, \u03b2):\n"
        "    \U0001d4b3 = \u00e4 + \u03b2  # math-script identifier, NFKC-normalised by Python\n"
        "    assert \U0001d4b3 != 7\n"
        "    return \u00e4 >= \u00e4\n"
        "# \U0001f600 emoji in a comment, \u202e bidi override \u202c\n"
        "def g(x):\n"
        "    return '\U0001f600' == '\U0001f600'\n"
    )
    return _py(text)


def _mixed_tabs() -> bytes:
    return _py("def f(x):\n\tif x:\n        return 1\n\treturn 0\n")


def _deep_blocks_python() -> bytes:
    lines = ["def f(x):"]
    for depth in range(1, 120):  # beyond CPython's 100 indentation levels
        lines.append("    " * depth + f"if x > {depth}:")
    lines.append("    " * 120 + "assert x != 200")
    return _py("\n".join(lines) + "\n")


def _deep_blocks_c() -> bytes:
    body = "".join(f"if (x > {d}) {{ " for d in range(2000))
    return _py(f"int f(int x) {{ {body} return 1 / (x - 5000); {'} ' * 2000} return 0; }}\n")


def _truncated_python() -> bytes:
    return _py("def f(x):\n    while x > 0:\n        x = x -")


def _truncated_c() -> bytes:
    return _py("int f(int x) {\n    while (x > 0) {\n        x = x -")


def _unterminated_python() -> bytes:
    return _py('def f(x):\n    """never closed\n    return x\n\ndef g(y):\n    return y\n')


def _unterminated_c() -> bytes:
    return _py("int f(int x) {\n    /* never closed\n    return x;\n}\n"
               "int g(int y) { return y; }\n")


def _many_params_python() -> bytes:
    params = ", ".join(f"p{i}" for i in range(3000))
    return _py(f"def f({params}):\n    return p0 + p2999 >= p1\n")


def _many_params_c() -> bytes:
    params = ", ".join(f"int p{i}" for i in range(3000))
    return _py(f"int f({params}) {{\n    return p0 / p2999;\n}}\n")


def _many_statements_python() -> bytes:
    body = "".join(f"    x = x + {i % 3}\n" for i in range(20_000))
    return _py(f"def f(x):\n{body}    assert x != 12345\n    return x\n")


def _huge_constants_python() -> bytes:
    big = "9" * 4000
    return _py(f"def f(x):\n    y = x * {big} + {big}\n    assert y != {big}\n"
               "    return 2 ** 4096 > x\n")


def _huge_constants_c() -> bytes:
    return _py("int f(int x) {\n    return x + 99999999999999999999999999999999;\n}\n")


def _null_in_middle() -> bytes:
    return b"def f(x):\n    return x == x\n" + b"\x00" * 16 + b"\ndef g(x):\n    return x\n"


def _null_late() -> bytes:
    # a NUL byte far beyond any quick binary sniff
    return b"def f(x):\n    return x == x\n" + b"#" * 20_000 + b"\x00\ndef g(x):\n    return x\n"


def _cr_only() -> bytes:
    return b"def f(x):\r    assert x != 3\r    return x\r"


def _all_broken_python() -> bytes:
    """A syntax error on every line, between and inside functions."""
    lines = []
    for i in range(500):
        lines.append(f"def f{i}(x:\n    return x +* {i}\n)) ]] }}\n")
    return _py("".join(lines))


def _all_broken_c() -> bytes:
    lines = []
    for i in range(500):
        lines.append(f"int f{i}(int x {{ return x +* {i}; }} }} ;; int int ;\n")
    return _py("".join(lines))


GENERATED: tuple[Hostile, ...] = (
    Hostile("nested_parens.py", lambda: _nested_python("(", ")"),
            Expect(unknown=("nested",), functions=1)),
    Hostile("nested_calls.py", lambda: _nested_python("abs(", ")"),
            Expect(unknown=("nested",), functions=1)),
    Hostile("nested_unary.py", lambda: _nested_python("-", ""), Expect(functions=1)),
    Hostile("nested_not.py", lambda: _nested_python("not ", ""), Expect(functions=1)),
    Hostile("nested_binary.py",
            lambda: _py("def f(x):\n    return " + "x + " * DEEP + "x >= 0\n"),
            Expect(functions=1)),
    Hostile("nested_ternary.py",
            lambda: _py("def f(x):\n    return " + "x if x else " * DEEP + "0\n"),
            Expect(functions=1)),
    Hostile("nested_parens.c", lambda: _nested_c("(", ")"), Expect(functions=1)),
    Hostile("nested_unary.c", lambda: _nested_c("- ", ""), Expect(functions=1)),
    Hostile("nested_not.c", lambda: _nested_c("!", ""), Expect(functions=1)),
    Hostile("nested_binary.c",
            lambda: _py("int f(int x) {\n    return " + "x + " * DEEP + "x;\n}\n"),
            Expect(functions=1)),
    Hostile("nested_binary_300.c",
            lambda: _py("int f(int x) {\n    return " + "x + " * 300 + "x;\n}\n"),
            Expect(functions=1)),
    Hostile("nested_binary_300.py",
            lambda: _py("def f(x):\n    y = 0\n    assert " + "x + " * 300 + "x != 7\n"),
            Expect(functions=1)),
    Hostile("nested_blocks.py", _deep_blocks_python, Expect(functions=1)),
    Hostile("nested_blocks.c", _deep_blocks_c, Expect(functions=1)),
    Hostile("long_line.py", _long_line_python, Expect(functions=1)),
    Hostile("long_string.py", _long_string_python, Expect(functions=1)),
    Hostile("long_line.c", _long_line_c, Expect(functions=1)),
    Hostile("long_comment.c", _long_comment_c, Expect(functions=1)),
    Hostile("huge_many_functions.py", lambda: _many_functions_python(BIG),
            Expect(error="too large")),
    Hostile("huge_many_functions.c", lambda: _many_functions_c(BIG), Expect(error="too large")),
    Hostile("huge_comment.py", _huge_comment_python, Expect(error="too large")),
    Hostile("binary.py", _binary, Expect(error="binary")),
    Hostile("binary.c", _binary, Expect(error="binary")),
    Hostile("elf_header.c", _elf_like, Expect(error="binary")),
    Hostile("latin1.py", _latin1, Expect(error="UTF-8")),
    Hostile("surrogate_bytes.py", _lone_surrogate_bytes, Expect(error="UTF-8")),
    Hostile("utf16.py", _utf16),
    Hostile("nul_in_middle.py", _null_in_middle, Expect(error="binary")),
    Hostile("nul_late.py", _null_late),
    Hostile("bom_crlf.py", _bom_and_crlf, Expect(functions=1)),
    Hostile("cr_only.py", _cr_only),
    Hostile("empty.py", _empty),
    Hostile("empty.c", _empty),
    Hostile("whitespace.py", _only_whitespace),
    Hostile("unicode_names.py", _unicode_names, Expect(functions=2)),
    Hostile("mixed_tabs.py", _mixed_tabs),
    Hostile("truncated.py", _truncated_python, Expect(syntax_errors=True)),
    Hostile("truncated.c", _truncated_c, Expect(syntax_errors=True)),
    Hostile("unterminated.py", _unterminated_python, Expect(syntax_errors=True)),
    Hostile("unterminated.c", _unterminated_c, Expect(syntax_errors=True)),
    Hostile("all_broken.py", _all_broken_python, Expect(syntax_errors=True)),
    Hostile("all_broken.c", _all_broken_c, Expect(syntax_errors=True)),
    Hostile("many_params.py", _many_params_python, Expect(functions=1)),
    Hostile("many_params.c", _many_params_c, Expect(functions=1)),
    Hostile("many_statements.py", _many_statements_python, Expect(functions=1)),
    Hostile("huge_constants.py", _huge_constants_python, Expect(functions=1)),
    Hostile("huge_constants.c", _huge_constants_c, Expect(functions=1)),
    Hostile("huge_trace_values.py", lambda: _py(
        "def f(x):\n    y = x * 10 ** 4000\n    y = y * 10 ** 400\n    assert y < 5\n"),
        Expect(functions=1)),
    Hostile("include_dev_zero.c",
            lambda: _py('#include "/dev/zero"\nint f(int x) { return 1 / x; }\n'),
            Expect(functions=1)),
    Hostile("include_self.c",
            lambda: _py('#include __FILE__\nint f(int x) { return 1 / x; }\n'),
            Expect(functions=1)),
    Hostile("include_stdin.c",
            lambda: _py('#include "/dev/stdin"\nint f(int x) { return 1 / x; }\n'),
            Expect(functions=1)),
)  # fmt: skip

# The hand-written files next to this module, with what their answers must contain.
STATIC: dict[str, Expect] = {
    "syntax_errors.py": Expect(syntax_errors=True),
    "syntax_errors.c": Expect(syntax_errors=True),
    "every_statement.py": Expect(unknown=("unsupported",), functions=40),
    "unsupported.c": Expect(unknown=("unsupported",), functions=30),
    "tricky_top_level.py": Expect(functions=3),
}


def static_files() -> list[Path]:
    return [HERE / name for name in STATIC]


def write_corpus(folder: Path) -> list[Path]:
    """Write every generated file into `folder`; return them and the static files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for case in GENERATED:
        path = folder / case.name
        path.write_bytes(case.make())
        written.append(path)
    return written + static_files()


if __name__ == "__main__":
    for written_path in write_corpus(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-out")):
        print(written_path)
