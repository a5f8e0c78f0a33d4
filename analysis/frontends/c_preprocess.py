"""Preprocessing for the C frontend.

Two ways, chosen by measurement (gnulib, 1481 `.c` files; `python -m bench.coverage_c`):

- With a compiler on the machine (`gcc -E` or `cpp`), the whole file is preprocessed
  against the SYSTEM headers (glibc + gcc's own), with `c_headers/overlay/` first on the
  include path (only `assert.h`: glibc's `assert` is a GNU statement expression) and the
  GNU extensions pycparser does not know neutralised (`scrub_gnu`: `__attribute__`,
  `__extension__`, `__asm__`, `__restrict`, `__inline`, `_Float128`, `__builtin_va_list`,
  ...). Measured: every C11 header plus `unistd.h sys/types.h sys/stat.h fcntl.h
  strings.h` included together preprocess in 0.06 s and pycparser parses the result
  (7,300 lines) in 0.47 s; `stdio.h stdlib.h string.h` in 0.02 + 0.08 s, and a file's
  header part is parsed once and cached (`c_file`). The declarations are then exactly the
  ones gcc compiles the replay harness against (RAND_MAX, SIZE_MAX, `div_t`, `FILE`, ...):
  complete bundled declarations would be a second copy of glibc to keep in step, and every
  difference a silent wrong constant.
- Without a compiler, a built-in preprocessor understands exactly what integer programs
  need -- the minimal bundled headers of `c_headers/`, object-like `#define`s, `#undef`,
  `#line` -- and reports anything else as a clear error. It is also used, with a
  compiler present, for a file without any `#include` (exact there, and 50x faster).

An `#include` that cannot be found is dropped (its line left blank) and the file
preprocessed again: functions that do not use what it would declare are unaffected, the
others fail to parse and say which includes were missing. Line markers are kept so that
every coordinate is a line of the user's file; CRLF line ends become LF first (the CR is
the last character of its line, so no column moves).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

HEADER_DIR = Path(__file__).with_name("c_headers")
OVERLAY_DIR = HEADER_DIR / "overlay"  # searched before the system headers (gcc mode)
KNOWN_HEADERS = ("assert.h", "limits.h", "stdbool.h", "stddef.h", "stdint.h", "stdio.h",
                 "stdlib.h")  # fmt: skip
_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
_DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)(\(?)(.*)$")
_DIRECTIVE = re.compile(r"^\s*#\s*([A-Za-z_]\w*)?")
_IDENT = re.compile(r"[A-Za-z_]\w*")
_ANY_INCLUDE = re.compile(r"^[ \t]*#[ \t]*include\b", re.M)
_INCLUDE_LINE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]', re.M)
# A line marker of preprocessed text (`# 12 "file.c" 1 3 4`) or a `#line` directive.
MARKER = re.compile(r'^[ \t]*#[ \t]*(?:line[ \t]+)?(\d+)(?:[ \t]+"((?:[^"\\\n]|\\.)*)")?[^\n]*$',
                    re.M)  # fmt: skip
_MISSING = re.compile(r"^(.*?):(\d+):\d+: fatal error: (.+?): No such file or directory", re.M)
MAX_DROPPED = 32


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
    text = text.replace("\r\n", "\n")
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


# ---------------------------------------------------------------- a whole file


@dataclass(frozen=True)
class Preprocessed:
    """A whole file preprocessed for pycparser (line markers kept). `main` is the file name
    the markers give the user's file; `physical`: the input was already preprocessed (a
    `.i` file), so coordinates are its own physical lines, not those its markers name.
    `dropped`: includes that could not be found, as written (`<config.h>`)."""

    text: str
    main: str
    physical: bool = False
    dropped: tuple[str, ...] = ()


def normalise_newlines(text: str) -> str | PreprocessError:
    """CRLF -> LF (the CR is the last character of its line: no column moves); a lone CR
    (old Mac line end) would move every later line, so it is refused."""
    if "\r" not in text:
        return text
    text = text.replace("\r\n", "\n")
    lone = text.find("\r")
    if lone >= 0:
        return PreprocessError("carriage return without a line feed", text.count("\n", 0, lone) + 1)
    return text


def is_preprocessed(text: str) -> bool:
    """Already preprocessed (a `.i` file): the first non-blank line is a line marker
    `# N "file"` (gcc -E output; a `#line` directive is ordinary C)."""
    first = text.lstrip()[:300].split("\n", 1)[0]
    return bool(re.match(r'#[ \t]*\d+[ \t]+"', first))


def main_file_of(text: str) -> str:
    """The file a preprocessed text is the translation of: the first marker's file that is
    not gcc's `<built-in>`/`<command-line>`."""
    for match in MARKER.finditer(text[:20000]):
        name = match.group(2)
        if name and not name.startswith("<"):
            return name
    return "<stdin>"


def preprocess_file(text: str, use_cpp: bool | None = None, folder: str | None = None
                    ) -> Preprocessed | PreprocessError:  # fmt: skip
    """A whole C file ready for pycparser (see the module docstring for the two ways);
    `folder`: the file's own folder, where its `#include "x.h"` are looked for first (as
    a compiler does; gcc's `-iquote`)."""
    normalised = normalise_newlines(text)
    if isinstance(normalised, PreprocessError):
        return normalised
    text = normalised
    if is_preprocessed(text):
        return Preprocessed(scrub_gnu(text), main_file_of(text), physical=True)
    command = find_preprocessor() if use_cpp is not False else None
    if command is None or (use_cpp is None and not _ANY_INCLUDE.search(text)):
        quick = fallback_preprocess(text)
        if not isinstance(quick, PreprocessError):
            return Preprocessed(scrub_gnu(quick), "<stdin>")
        if command is None:
            if use_cpp is False:
                return quick
            return PreprocessError(f"{quick.construct} (no C preprocessor found)", quick.line)
    return _system_preprocess(command, text, quote_dirs(folder))


def quote_dirs(folder: str | None) -> tuple[str, ...]:
    """The folders searched for `#include "x.h"` before the system ones: the file's own."""
    if folder is None or not Path(folder).is_dir():
        return ()
    return (str(Path(folder).resolve()),)


def _system_preprocess(command: tuple[str, ...], text: str, quoted: tuple[str, ...] = ()
                       ) -> Preprocessed | PreprocessError:  # fmt: skip
    """gcc -E against the system headers; a missing include is blanked out and the text
    preprocessed again (at most `MAX_DROPPED` times)."""
    text, dropped = drop_missing_includes(text, quoted)
    for _ in range(MAX_DROPPED):
        done = _run_system_cpp(command, text, quoted)
        if isinstance(done, str):
            return Preprocessed(scrub_gnu(done), "<stdin>", dropped=tuple(dropped))
        missing = _MISSING.search(done.stderr)
        if missing is not None and missing.group(1) == "<stdin>":
            line = int(missing.group(2))
            dropped.append(f"<{missing.group(3)}>")
            text = _blank_line(text, line)
            continue
        blocking = _blocking_include(done.stderr, text)
        if blocking is None:
            return PreprocessError(_cpp_error(done.stderr), _cpp_error_line(done.stderr))
        line, name = blocking
        dropped.append(f"{name} {UNUSABLE}")
        text = _blank_line(text, line)
    return PreprocessError(f"#include (more than {MAX_DROPPED} missing headers)", 1)


UNUSABLE = "(unusable)"  # marks a dropped include that was found but stopped the preprocessor
_INCLUDED_FROM = re.compile(r"^(?:In file included from|\s+from) <stdin>:(\d+)[:,]", re.M)
_ERROR_AT = re.compile(r"^([^\n:]+):\d+:\d+: (?:fatal )?error: ", re.M)


def _blocking_include(stderr: str, text: str) -> tuple[int, str] | None:
    """An error inside a header (an `#error` that wants a configuration this file does not
    give, a header it includes that is missing): the line of the user's `#include` that
    brought it in, and that include as written -- it is dropped like a missing header (the
    functions that need its declarations then fail to parse and say so). An error in the
    user's own text is not one."""
    error = _ERROR_AT.search(stderr)
    if error is None or error.group(1) == "<stdin>":
        return None
    chain = [m for m in _INCLUDED_FROM.finditer(stderr) if m.start() < error.start()]
    if not chain:
        return None
    line = int(chain[-1].group(1))
    lines = text.split("\n")
    include = _INCLUDE_LINE.match(lines[line - 1]) if 1 <= line <= len(lines) else None
    if include is None:
        return None
    opening = include.group(1)
    return line, f"{opening}{include.group(2).strip()}{'>' if opening == '<' else chr(34)}"


@dataclass(frozen=True)
class _Failed:
    stderr: str


@functools.lru_cache(maxsize=64)
def _run_system_cpp(command: tuple[str, ...], text: str, quoted: tuple[str, ...] = ()
                    ) -> str | _Failed:  # fmt: skip
    # __NO_CTYPE: glibc's <ctype.h> then declares isdigit & co. as functions instead of
    # macros that index a table through a pointer.
    args = [*command, *(f"-iquote{d}" for d in quoted), "-I", str(OVERLAY_DIR),
            "-D__NO_CTYPE=1", "-"]  # fmt: skip
    try:
        # cwd: gcc looks for `#include "x.h"` of stdin in the working folder; the overlay
        # keeps that independent of where prooflens runs.
        done = subprocess.run(args, input=text, capture_output=True, text=True, timeout=20,
                              cwd=OVERLAY_DIR)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return _Failed(f"<stdin>:1:1: error: preprocessing ({type(exc).__name__})")
    return done.stdout if done.returncode == 0 else _Failed(done.stderr)


def _blank_line(text: str, line: int) -> str:
    lines = text.split("\n")
    if 1 <= line <= len(lines):
        lines[line - 1] = ""
    return "\n".join(lines)


def drop_missing_includes(text: str, quoted: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """Blank the `#include`s no search folder has (one gcc run instead of one per header);
    includes inside headers, or naming a macro, are left to the retry loop. `quoted`:
    the folders searched first for `#include "x.h"`. The replay harness is built from the
    text the same way, so that it compiles what was analysed."""
    dirs = search_dirs()
    dropped: list[str] = []

    def keep_or_blank(match: re.Match[str]) -> str:
        name = match.group(2).strip()
        first = [Path(d) for d in quoted] if match.group(1) == '"' else []
        if any((folder / name).is_file() for folder in [*first, *dirs]):
            return match.group(0)
        dropped.append(f"<{name}>" if match.group(1) == "<" else f'"{name}"')
        return ""

    return _INCLUDE_LINE.sub(keep_or_blank, text), dropped


@functools.lru_cache(maxsize=1)
def search_dirs() -> tuple[Path, ...]:
    """The overlay and the compiler's `#include <...>` folders, in search order."""
    dirs = [OVERLAY_DIR]
    command = find_preprocessor()
    if command is None:
        return tuple(dirs)
    try:
        done = subprocess.run([*command, "-v", "-"], input="", capture_output=True, text=True,
                              timeout=20)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return tuple(dirs)
    listing = False
    for line in done.stderr.splitlines():
        if line.startswith("#include <...> search starts here"):
            listing = True
        elif line.startswith("End of search list"):
            break
        elif listing and line.startswith(" "):
            dirs.append(Path(line.strip().split(" (")[0]))
    return tuple(dirs)


# ------------------------------------------------------------------------- GNU C

_GNU_WORDS = {"__extension__": "", "__inline__": "inline", "__inline": "inline",
              "__restrict__": "", "__restrict": "", "__const": "const", "__const__": "const",
              "__signed__": "signed", "__signed": "signed", "__volatile__": "volatile",
              "__volatile": "volatile", "__thread": "", "_Noreturn": "",
              "__always_inline": "inline",
              # Types pycparser does not know. Floating and va_list values are unsupported
              # whatever their type here, so these only let the declarations parse.
              "__builtin_va_list": "void *", "_Float128": "long double",
              "_Float64x": "long double", "_Float32": "float", "_Float64": "double",
              "_Float32x": "double", "_Float16": "float", "__float128": "long double"}  # fmt: skip
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
