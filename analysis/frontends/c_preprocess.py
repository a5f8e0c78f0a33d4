"""Preprocessing for the C frontend, without the system's headers.

With a preprocessor on the machine (`gcc -E` or `cpp`) the text is run through it with
`-nostdinc` and the small bundled headers of `c_headers/` (integer types, limits, the
SV-COMP helpers). Without one, a built-in fallback understands exactly what integer
programs need -- the known `#include`s, object-like `#define`s, `#undef`, `#line` -- and
reports anything else as a clear error. Line markers are kept so pycparser's coordinates
are lines of the user's file.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

HEADER_DIR = Path(__file__).with_name("c_headers")
KNOWN_HEADERS = ("assert.h", "limits.h", "stdbool.h", "stddef.h", "stdint.h", "stdio.h",
                 "stdlib.h")  # fmt: skip
_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
_DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)(\(?)(.*)$")
_DIRECTIVE = re.compile(r"^\s*#\s*([A-Za-z_]\w*)?")
_IDENT = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True)
class PreprocessError:
    """Why the text could not be preprocessed, and where (a line of the user's file)."""

    construct: str
    line: int


@functools.lru_cache(maxsize=1)
def find_preprocessor() -> tuple[str, ...] | None:
    """The command that preprocesses C from stdin, or None when there is none."""
    gcc = shutil.which("gcc")
    if gcc:
        return (gcc, "-E", "-std=gnu11", "-x", "c")
    cpp = shutil.which("cpp")
    if cpp:
        return (cpp,)
    return None


def preprocess(text: str, use_cpp: bool | None = None) -> str | PreprocessError:
    """`text` preprocessed for pycparser, GNU extensions that do not change integer
    semantics removed (`__attribute__((...))`, `__extension__`, ...)."""
    done = _preprocess(text, use_cpp)
    return done if isinstance(done, PreprocessError) else scrub_gnu(done)


def _preprocess(text: str, use_cpp: bool | None) -> str | PreprocessError:
    """By default the built-in preprocessor handles what
    it can (it is exact on its subset and 50x faster than starting gcc) and the real one
    the rest; `use_cpp=False` forces the built-in one, `use_cpp=True` the real one."""
    if use_cpp is not True:
        quick = fallback_preprocess(text)
        if not isinstance(quick, PreprocessError) or use_cpp is False:
            return quick
    command = find_preprocessor()
    if command is None:
        if use_cpp:
            return PreprocessError("preprocessing (no C preprocessor found)", 1)
        assert isinstance(quick, PreprocessError)
        return PreprocessError(f"{quick.construct} (no C preprocessor found)", quick.line)
    return _run_cpp(command, text)


@functools.lru_cache(maxsize=256)
def _run_cpp(command: tuple[str, ...], text: str) -> str | PreprocessError:
    args = [*command, "-nostdinc", "-I", str(HEADER_DIR), "-"]
    try:
        done = subprocess.run(args, input=text, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return PreprocessError(f"preprocessing ({type(exc).__name__})", 1)
    if done.returncode != 0:
        return PreprocessError(_cpp_error(done.stderr), _cpp_error_line(done.stderr))
    return done.stdout


def _cpp_error(stderr: str) -> str:
    for line in stderr.splitlines():
        if "error:" in line:
            message = line.split("error:", 1)[1].strip()
            if "No such file" in message or "no include path" in message:
                return f"#include ({message})"
            return f"preprocessor directive ({message})"
    return "preprocessor directive"


def _cpp_error_line(stderr: str) -> int:
    match = re.search(r"<stdin>:(\d+):", stderr)
    return int(match.group(1)) if match else 1


# ------------------------------------------------------------------------- GNU C

_GNU_WORDS = {"__extension__": "", "__inline__": "inline", "__inline": "inline",
              "__restrict__": "", "__restrict": "", "__const": "const", "__const__": "const",
              "__signed__": "signed", "__signed": "signed", "__volatile__": "volatile",
              "__volatile": "volatile", "__thread": "", "_Noreturn": "",
              "__always_inline": "inline"}  # fmt: skip
_GNU_CALLS = ("__attribute__", "__attribute", "__asm__", "__asm", "asm", "__declspec")
_GNU_RE = re.compile(r"\b(" + "|".join(map(re.escape, [*_GNU_WORDS, *_GNU_CALLS])) + r")\b")


def scrub_gnu(text: str) -> str:
    """Drop GNU annotations pycparser cannot parse (attributes, asm labels, `__extension__`)
    and map GNU spellings of keywords to standard ones; nothing here changes a value.
    Line structure is kept (a removed attribute never spans a newline in the output)."""
    out: list[str] = []
    pos = 0
    for match in _GNU_RE.finditer(text):
        if match.start() < pos:
            continue
        out.append(text[pos : match.start()])
        word = match.group(1)
        if word in _GNU_WORDS:
            out.append(_GNU_WORDS[word])
            pos = match.end()
            continue
        end = _balanced_end(text, match.end())
        if end is None:
            out.append(word)
            pos = match.end()
            continue
        out.append(" " + "\n" * text.count("\n", match.start(), end))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _balanced_end(text: str, start: int) -> int | None:
    """The index after the parenthesised group that starts at `start` (after blanks)."""
    i = start
    while i < len(text) and text[i] in " \t":
        i += 1
    if i >= len(text) or text[i] != "(":
        return None
    depth = 0
    while i < len(text):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


# ------------------------------------------------------------------------- fallback


def strip_comments(text: str) -> str:
    """`text` without comments; newlines inside block comments are kept (lines stay put)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(" " + "\n" * text.count("\n", i, j))
            i = j
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@dataclass
class _State:
    defines: dict[str, str]
    included: set[str]


def fallback_preprocess(text: str) -> str | PreprocessError:
    """The built-in preprocessor: known includes, object-like defines, `#undef`, `#line`."""
    state = _State({}, set())
    out: list[str] = []
    # A line marker after every directive keeps the following lines at their own numbers.
    lines = strip_comments(text).replace("\\\n", " ").split("\n")
    physical = 1
    for line in lines:
        error = _fallback_line(line, physical, state, out)
        if error is not None:
            return error
        physical = _next_physical(line, physical)
    return "\n".join(out) + "\n"


def _next_physical(line: str, physical: int) -> int:
    match = re.match(r"^\s*#\s*line\s+(\d+)", line)
    return int(match.group(1)) if match else physical + 1


def _fallback_line(
    line: str, physical: int, state: _State, out: list[str]
) -> PreprocessError | None:
    directive = _DIRECTIVE.match(line)
    if directive is None:
        out.append(_expand(line, state.defines))
        return None
    name = directive.group(1) or ""
    if name == "include":
        return _fallback_include(line, physical, state, out)
    if name == "define":
        match = _DEFINE.match(line)
        if match is None or match.group(2):
            return PreprocessError("function-like macro", physical)
        state.defines[match.group(1)] = match.group(3).strip()
    elif name == "undef":
        state.defines.pop(line.split()[-1], None)
    elif name == "line":
        out.append(line.strip())
        return None
    elif name not in ("pragma", ""):
        return PreprocessError(f"preprocessor directive #{name}", physical)
    out.append("")
    return None


def _fallback_include(
    line: str, physical: int, state: _State, out: list[str]
) -> PreprocessError | None:
    match = _INCLUDE.match(line)
    header = match.group(1) if match else ""
    if header not in KNOWN_HEADERS:
        return PreprocessError(f"#include <{header}>", physical)
    if header not in state.included:
        state.included.add(header)
        for body_line in _header_lines(header):
            _fallback_line(body_line, physical, state, [])
            if not _DIRECTIVE.match(body_line) and body_line.strip():
                out.append(f'#line 1 "{header}"')
                out.append(_expand(body_line, state.defines))
    out.append(f'#line {physical + 1} "<stdin>"')
    return None


@functools.lru_cache(maxsize=16)
def _header_lines(header: str) -> tuple[str, ...]:
    text = strip_comments((HEADER_DIR / header).read_text())
    return tuple(line for line in text.split("\n") if line.strip())


def _expand(line: str, defines: dict[str, str], depth: int = 0) -> str:
    """Object-like macro expansion of one line (nested up to a fixed depth)."""
    if not defines or depth > 16:
        return line

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        if word not in defines:
            return word
        inner = {k: v for k, v in defines.items() if k != word}
        return _expand(defines[word], inner, depth + 1)

    return _IDENT.sub(replace, line)
