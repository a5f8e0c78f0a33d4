"""The whole C file as pycparser sees it: preprocessed once (`c_preprocess`), split into
top-level declarations, each parsed on its own -- so a declaration pycparser cannot parse
(a GNU extension, a type from an include that was not found) costs only itself and what
uses it --, every coordinate mapped back through the line markers to a line of the
user's file (or, for a `.i` file, to its own physical line).

The parse of a run of header declarations is cached: every file including `<stdio.h>`
shares one parse of it.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from pycparser import c_ast, c_parser

from prooflens.analysis.frontends import c_preprocess as cpp
from prooflens.analysis.frontends import c_types as ct

MAIN = "<main>"  # coord.file of the nodes of the user's file
DEEP = "deeply nested code"  # the failure message of a declaration too deep for pycparser
_TOKEN = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|[{}();=]|^[ \t]*#[^\n]*", re.M)
_MAX_KR_MERGE = 16


@dataclass(frozen=True)
class Failure:
    """A top-level declaration of the user's file pycparser rejected (lines inclusive)."""

    first: int
    last: int
    message: str


@dataclass
class TranslationUnit:
    """What pycparser accepted of a file, and what it did not."""

    ast: c_ast.FileAST
    funcs: dict[str, c_ast.FuncDef]
    failures: tuple[Failure, ...] = ()
    dropped: tuple[str, ...] = ()
    error: cpp.PreprocessError | None = None
    source: str = ""  # the user's text, line ends normalised
    main_defs: list[c_ast.FuncDef] = field(default_factory=list)
    # standard type names used without the header that declares them (see `implicit_types`)
    implicit: tuple[str, ...] = ()

    def definition(self, name: str, first: int, last: int) -> c_ast.FuncDef | None:
        """The user's definition of `name` that starts within lines first..last."""
        for fdef in self.main_defs:
            if fdef.decl.name == name and first <= fdef.decl.coord.line <= last:
                return fdef
        return None

    def failure_in(self, first: int, last: int) -> Failure | None:
        for failure in self.failures:
            if failure.first <= last and first <= failure.last:
                return failure
        return None

    def missing_note(self) -> str:
        """Said with a parse failure: which includes were not found."""
        missing = [d for d in self.dropped if not d.endswith(cpp.UNUSABLE)]
        unusable = [d.split(" ")[0] for d in self.dropped if d.endswith(cpp.UNUSABLE)]
        note = ""
        for what, names in (("not found", missing), ("left out, stops the preprocessor",
                                                      unusable)):  # fmt: skip
            if names:
                shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
                note += f"; {what}: #include {shown}"
        return note


@functools.lru_cache(maxsize=8)
def translation_unit(text: str, use_cpp: bool | None = None, folder: str | None = None
                     ) -> TranslationUnit:  # fmt: skip
    """The file `text` preprocessed and parsed (never raises); `folder`: the file's own,
    for its `#include "x.h"`."""
    done = cpp.preprocess_file(text, use_cpp, folder)
    source = text.replace("\r\n", "\n")
    if isinstance(done, cpp.PreprocessError):
        return TranslationUnit(c_ast.FileAST([]), {}, error=done, source=source)
    blanked, lines = line_table(done)
    implicit = implicit_types(blanked)
    exts, failures = _parse_chunks(blanked, lines, implicit)
    funcs: dict[str, c_ast.FuncDef] = {}
    main_defs = []
    for ext in exts:
        if isinstance(ext, c_ast.FuncDef):
            if ext.decl.coord is not None and ext.decl.coord.file == MAIN:
                main_defs.append(ext)
                funcs[ext.decl.name] = ext  # the user's definition wins over a header's
            else:
                funcs.setdefault(ext.decl.name, ext)
    return TranslationUnit(c_ast.FileAST(exts), funcs, tuple(failures), done.dropped,
                           None, source, main_defs, implicit)  # fmt: skip


# C23's `bool` and the standard typedefs of <stddef.h>, <stdint.h>, <sys/types.h>: a file
# may use them with the header that declares them left out (a missing configuration
# header that would include it). They mean what glibc declares (`c_types.BUILTIN_TYPEDEFS`),
# and the replay harness includes those headers (`replay.c`).
IMPLICIT_TYPES = tuple(ct.BUILTIN_TYPEDEFS)


def implicit_types(text: str) -> tuple[str, ...]:
    """The standard type names `text` uses but never declares with a `typedef`."""
    found = []
    for name in IMPLICIT_TYPES:
        if re.search(rf"\b{name}\b", text) and \
                not re.search(rf"\btypedef\b[^;]*\b{name}\b", text):  # fmt: skip
            found.append(name)
    return tuple(found)


# ------------------------------------------------------------------ line markers


def line_table(done: cpp.Preprocessed) -> tuple[str, list[tuple[str, int]]]:
    """The text with every line marker blanked, and for each physical line (index 0 is
    line 1) the (file, line) it comes from; the user's file is `MAIN`."""
    out = done.text.split("\n")
    table: list[tuple[str, int]] = []
    current, number = MAIN, 1
    for index, line in enumerate(out):
        marker = cpp.MARKER.match(line) if line.lstrip().startswith("#") else None
        if marker is None:
            table.append((current, index + 1 if done.physical and current == MAIN else number))
            number += 1
            continue
        table.append((current, number))
        out[index] = ""
        if marker.group(2) is not None:
            name = marker.group(2)
            current = MAIN if name == done.main else name
        number = int(marker.group(1))
    return "\n".join(out), table


# ----------------------------------------------------------------------- chunks


@dataclass(frozen=True)
class _Chunk:
    start: int  # offset of its first character
    end: int
    line: int  # physical line of `start` (1-based)
    column: int  # 0-based


def split_chunks(text: str) -> list[_Chunk]:
    """Top-level declarations: ended by `;` outside parentheses and braces, or by the `}`
    closing a function body (a `{` after `)` with no `=` before it). A K&R definition
    (`int f(a) int a; {`) is merged back into one chunk."""
    starts = _line_starts(text)
    spans: list[list[int]] = []
    begin, braces, parens, body = 0, 0, 0, False
    for match in _TOKEN.finditer(text):
        tok = match.group()
        pos = match.start()
        if tok.lstrip().startswith("#"):
            if braces == 0 and parens == 0 and not text[begin:pos].strip():
                spans.append([begin, match.end()])
                begin = match.end()
            continue
        if tok == "(":
            parens += 1
        elif tok == ")":
            parens = max(0, parens - 1)
        elif tok == "{":
            if braces == 0:
                body = _opens_body(text, begin, pos, spans)
                if body and not text[begin:pos].strip() and spans:
                    begin = _merge_kr(text, spans)
            braces += 1
        elif tok == "}":
            braces -= 1
            if braces <= 0:
                braces = 0
                if body:
                    spans.append([begin, match.end()])
                    begin, body = match.end(), False
        elif tok == ";" and braces == 0 and parens == 0:
            spans.append([begin, match.end()])
            begin = match.end()
    if text[begin:].strip():
        spans.append([begin, len(text)])
    return [_chunk(text, starts, a, b) for a, b in spans if text[a:b].strip()]


def _opens_body(text: str, begin: int, pos: int, spans: list[list[int]]) -> bool:
    head = text[begin:pos].rstrip()
    if not head:  # K&R: the parameter declarations before were chunks of their own
        return bool(spans) and text[spans[-1][0] : spans[-1][1]].rstrip().endswith(";")
    return head.endswith(")") and "=" not in head


def _merge_kr(text: str, spans: list[list[int]]) -> int:
    """Start of the K&R definition whose body starts here: back to the chunk holding `)`
    followed by a parameter declaration."""
    for back in range(1, min(len(spans), _MAX_KR_MERGE) + 1):
        piece = text[spans[-back][0] : spans[-back][1]]
        if re.search(r"\)\s*[A-Za-z_]", piece):
            start = spans[-back][0]
            del spans[-back:]
            return start
    start = spans[-1][0]
    del spans[-1:]
    return start


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def _chunk(text: str, starts: list[int], a: int, b: int) -> _Chunk:
    while a < b and text[a].isspace():
        a += 1
    row = bisect_right(starts, a) - 1
    return _Chunk(a, b, row + 1, a - starts[row])


# ---------------------------------------------------------------------- parsing


class _ChunkParser(c_parser.CParser):
    """pycparser with the typedef names of the chunks before this one known."""

    base: dict[str, bool] = {}

    def _is_type_in_scope(self, name: str) -> bool:
        for scope in reversed(self._scope_stack):
            known = scope.get(name)
            if known is not None:
                return known
        return self.base.get(name, False)


def _parse_chunks(
    text: str, lines: list[tuple[str, int]], implicit: tuple[str, ...] = ()
) -> tuple[list[c_ast.Node], list[Failure]]:
    chunks = split_chunks(text)
    scope: dict[str, bool] = dict.fromkeys(implicit, True)
    exts: list[c_ast.Node] = []
    failures: list[Failure] = []
    i = 0
    while i < len(chunks):
        j = i
        in_header = lines[chunks[i].line - 1][0] != MAIN
        while j < len(chunks) and (lines[chunks[j].line - 1][0] != MAIN) == in_header:
            j += 1
        run = tuple(chunks[i:j])
        if in_header:
            texts = tuple(text[c.start : c.end] for c in run)
            where = tuple(lines[c.line - 1] for c in run)
            key = frozenset(k for k, v in scope.items() if v)
            got, added, _ = _parse_header_run(texts, where, key)
            exts.extend(got)
            scope.update(added)
        else:
            for chunk in run:
                _parse_one(text, chunk, lines, scope, exts, failures)
        i = j
    return exts, failures


@functools.lru_cache(maxsize=64)
def _parse_header_run(
    texts: tuple[str, ...], where: tuple[tuple[str, int], ...], typedefs: frozenset[str]
) -> tuple[tuple[c_ast.Node, ...], dict[str, bool], int]:
    """Parse the declarations of a header run (position-independent: cached)."""
    scope = dict.fromkeys(typedefs, True)
    exts: list[c_ast.Node] = []
    failed = 0
    for chunk_text, (name, line) in zip(texts, where, strict=True):
        got = _parse_text(chunk_text, line, scope)
        if isinstance(got, str):
            failed += 1
            continue
        for ext in got:
            _remap(ext, [(name, line + k) for k in range(chunk_text.count("\n") + 1)], line)
        exts.extend(got)
    added = {k: v for k, v in scope.items() if k not in typedefs or not v}
    return tuple(exts), added, failed


def _parse_one(text: str, chunk: _Chunk, lines: list[tuple[str, int]], scope: dict[str, bool],
               exts: list[c_ast.Node], failures: list[Failure]) -> None:  # fmt: skip
    got = _parse_text(" " * chunk.column + text[chunk.start : chunk.end], chunk.line, scope)
    last_line = chunk.line + text.count("\n", chunk.start, chunk.end)
    if isinstance(got, str):
        first = _user_line(lines, chunk.line)
        last = _user_line(lines, last_line)
        failures.append(Failure(first, last, _located(got, lines)))
        return
    for ext in got:
        _remap(ext, lines, 1)
    exts.extend(got)


def _parse_text(chunk_text: str, line: int, scope: dict[str, bool]) -> list[c_ast.Node] | str:
    """The declarations of one chunk (its first line is physical line `line`), or the
    parse error; `scope` (typedef names) is updated only on success."""
    parser = _ChunkParser()
    parser.base = scope
    try:
        ast = parser.parse(f"#line {line}\n{chunk_text}\n", filename="<chunk>")
    except c_parser.ParseError as exc:
        return str(exc)
    except RecursionError:
        return DEEP
    except (AssertionError, IndexError, TypeError, ValueError) as exc:
        return f"<chunk>:{line}:1: {type(exc).__name__}"
    scope.update(parser._scope_stack[0])
    return list(ast.ext)


def _user_line(lines: list[tuple[str, int]], physical: int) -> int:
    """The user's line of a physical line (the nearest user line before, in a header)."""
    for index in range(min(physical, len(lines)) - 1, -1, -1):
        if lines[index][0] == MAIN:
            return lines[index][1]
    return 1


def _located(message: str, lines: list[tuple[str, int]]) -> str:
    """A pycparser message with its physical coordinate replaced by the user's line."""
    match = re.match(r"<chunk>:(\d+)(?::\d+)?:\s*", message)
    if match is None:
        return message
    physical = int(match.group(1))
    rest = message[match.end() :]
    if 1 <= physical <= len(lines) and lines[physical - 1][0] != MAIN:
        name, line = lines[physical - 1]
        return f"{rest} (in {name}:{line})"
    return f"{rest} (line {_user_line(lines, physical)})"


def _remap(root: c_ast.Node, lines: list[tuple[str, int]], first: int) -> None:
    """Every node's coordinate: physical line -> (file, line) through `lines`, whose
    index 0 is physical line `first`."""
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        coord = getattr(node, "coord", None)
        if coord is not None and coord.file == "<chunk>":
            index = coord.line - first
            if 0 <= index < len(lines):
                name, line = lines[index]
                node.coord = type(coord)(name, line, coord.column)
        stack.extend(child for _, child in node.children())
