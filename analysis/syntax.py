"""The syntax layer: tree-sitter parses of Python and C files, their function units,
syntax errors, and position-independent unit keys.

Text is handed to tree-sitter as UTF-8 with lone surrogates replaced by `?`, so every
code point has a fixed byte length (1 for a surrogate) and character <-> byte offsets
stay exact. Positions reported here are 1-based lines and 1-based CHARACTER columns;
an `end_column` is the column of the last character (Python's `end_col_offset`).
Trees are walked iteratively: nesting depth never meets Python's recursion limit.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import tree_sitter
import tree_sitter_c
import tree_sitter_python

from prooflens.analysis.verdicts import SyntaxError_

LANGUAGES = ("python", "c")
MAX_SYNTAX_ERRORS = 100
_SNIPPET_CHARS = 20
_BOM = "\ufeff".encode()
_SUFFIXES = {".py": "python", ".pyi": "python", ".c": "c", ".h": "c"}
_CALL_QUERIES = {
    "python": "(call function: (identifier) @callee)",
    "c": "(call_expression function: (identifier) @callee)",
}
# Nodes a top-level function may sit in: error recovery and C's conditional compilation.
_TRANSPARENT = {
    "python": frozenset({"ERROR", "decorated_definition"}),
    "c": frozenset({"ERROR", "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif",
                    "preproc_elifdef"}),
}  # fmt: skip


@dataclass(frozen=True)
class Unit:
    """One top-level function: its spans, exact text and same-file direct callees."""

    name: str
    language: str
    line: int
    column: int
    end_line: int
    end_column: int
    name_line: int
    name_column: int
    start_byte: int
    end_byte: int
    text: str
    text_hash: str
    callees: tuple[str, ...]
    has_error: bool


@dataclass(frozen=True)
class ParsedFile:
    """A parsed file. `declarations` (C only) is the top-level text outside the units,
    comments blanked, each piece preceded by `#line N`. `context` is the normalised
    top-level text outside the units (both languages): part of every unit key."""

    language: str
    text: str
    units: tuple[Unit, ...]
    syntax_errors: tuple[SyntaxError_, ...]
    declarations: str
    tree: object = field(compare=False, repr=False)
    context: str = field(default="", repr=False)


# ------------------------------------------------------------------ text and positions


def encode(text: str) -> bytes:
    """The bytes tree-sitter sees: UTF-8, a lone surrogate becomes one `?` byte."""
    return text.encode("utf-8", "replace")


def byte_len(text: str) -> int:
    """Length of `encode(text)`."""
    return len(encode(text)) if not text.isascii() else len(text)


def byte_to_position(text: str, byte_offset: int) -> tuple[int, int]:
    """1-based (line, character column) of a byte offset into `encode(text)`."""
    data = encode(text)
    byte_offset = max(0, min(byte_offset, len(data)))
    line_start = data.rfind(b"\n", 0, byte_offset) + 1
    column = len(data[line_start:byte_offset].decode("utf-8", "ignore"))
    return data.count(b"\n", 0, byte_offset) + 1, column + 1


def _point_of(text: str, offset: int) -> tuple[int, int]:
    """tree-sitter point (row, byte column) of a character offset into `text`."""
    row = text.count("\n", 0, offset)
    line_start = text.rfind("\n", 0, offset) + 1
    return row, byte_len(text[line_start:offset])


class _TextMap:
    """Byte -> character conversions for one text; tables only for non-ASCII text."""

    def __init__(self, text: str, data: bytes) -> None:
        self.text = text
        self.data = data
        self.ascii = len(text) == len(data)
        self._byte_starts: list[int] = []
        self._char_starts: list[int] = []

    def column(self, point: Any, byte: int) -> int:
        """0-based character column of the byte at tree-sitter `point`."""
        col = point[1]
        if self.ascii:
            return col
        return len(self.data[byte - col : byte].decode("utf-8", "ignore"))

    def char_offset(self, byte: int) -> int:
        """Character offset of a byte offset."""
        if self.ascii:
            return byte
        if not self._byte_starts:
            self._build_tables()
        row = bisect_right(self._byte_starts, byte) - 1
        start = self._byte_starts[row]
        return self._char_starts[row] + len(self.data[start:byte].decode("utf-8", "ignore"))

    def _build_tables(self) -> None:
        byte_pos = char_pos = 0
        for line in self.text.split("\n"):
            self._byte_starts.append(byte_pos)
            self._char_starts.append(char_pos)
            byte_pos += byte_len(line) + 1
            char_pos += len(line) + 1

    def slice(self, start_byte: int, end_byte: int) -> str:
        return self.text[self.char_offset(start_byte) : self.char_offset(end_byte)]


# ---------------------------------------------------------------------- parsing


def language_for_path(path: str) -> str | None:
    """`python` for .py/.pyi, `c` for .c/.h, else None."""
    dot = path.rfind(".")
    if dot < 0 or "/" in path[dot:] or "\\" in path[dot:]:
        return None
    return _SUFFIXES.get(path[dot:].lower())


@cache
def _language(language: str) -> tree_sitter.Language:
    if language == "python":
        return tree_sitter.Language(tree_sitter_python.language())
    if language == "c":
        return tree_sitter.Language(tree_sitter_c.language())
    raise ValueError(f"unsupported language: {language!r}")


@cache
def _call_query(language: str) -> tree_sitter.Query:
    return tree_sitter.Query(_language(language), _CALL_QUERIES[language])


@cache
def _comment_query(language: str) -> tree_sitter.Query:
    return tree_sitter.Query(_language(language), "(comment) @comment")


def parse(text: str, language: str, old_tree: object | None = None) -> ParsedFile:
    """Parse `text`; with `old_tree` (already brought in sync by `edit_tree`) the parse
    is incremental."""
    data = encode(text)
    parser = tree_sitter.Parser(_language(language))
    tree = parser.parse(data, old_tree) if old_tree is not None else parser.parse(data)
    tmap = _TextMap(text, data)
    root = tree.root_node
    nodes = _unit_nodes(root, language, data)
    callees = _callees_by_unit(root, language, nodes)
    units = tuple(
        _make_unit(node, name_node, language, tmap, calls)
        for (node, name_node), calls in zip(nodes, callees, strict=True)
    )
    gaps = _gaps(tmap, [(u.start_byte, u.end_byte) for u in units], root, language)
    declarations = _declarations(tmap, gaps) if language == "c" else ""
    return ParsedFile(
        language=language,
        text=text,
        units=units,
        syntax_errors=_syntax_errors(root, tmap),
        declarations=declarations,
        tree=tree,
        context=_normalise("\n".join(piece for _, piece in gaps)),
    )


def _unit_nodes(root: Any, language: str, data: bytes) -> list[tuple[Any, Any]]:
    """(function node, name node) of every top-level function, in file order. A Python
    def not at column 0 (only after a byte-order mark) is code recovered from inside
    broken code, not a top-level function."""
    found: list[tuple[Any, Any]] = []
    stack = list(reversed(root.children))
    transparent = _TRANSPARENT[language]
    bom = len(_BOM) if data.startswith(_BOM) else 0
    while stack:
        node = stack.pop()
        if node.type == "function_definition":
            name = _function_name(node, language)
            at_line_start = node.start_point[1] == 0 or (bom > 0 and node.start_byte == bom)
            if name is not None and (language == "c" or at_line_start):
                found.append((node, name))
        elif node.type in transparent:
            stack.extend(reversed(node.children))
    return found


def _function_name(node: Any, language: str) -> Any | None:
    """The identifier naming a function definition, or None (no usable name)."""
    if language == "python":
        name = node.child_by_field_name("name")
        return name if name is not None and name.type == "identifier" else None
    declarator = node.child_by_field_name("declarator")
    seen_function = False
    while declarator is not None and declarator.type != "identifier":
        seen_function = seen_function or declarator.type == "function_declarator"
        inner = declarator.child_by_field_name("declarator")
        if inner is None and declarator.type == "parenthesized_declarator":
            inner = declarator.named_children[0] if declarator.named_child_count else None
        declarator = inner
    return declarator if declarator is not None and seen_function else None


def _callees_by_unit(root: Any, language: str, nodes: list[tuple[Any, Any]]) -> list[set[str]]:
    """For every unit, the identifiers it calls that name a unit of the file."""
    names = {name.text.decode("utf-8", "replace") for _, name in nodes}
    starts = [node.start_byte for node, _ in nodes]
    calls: list[set[str]] = [set() for _ in nodes]
    if not nodes:
        return calls
    captured = tree_sitter.QueryCursor(_call_query(language)).captures(root)
    for ident in captured.get("callee", []):
        name = ident.text.decode("utf-8", "replace")
        index = bisect_right(starts, ident.start_byte) - 1
        if name in names and index >= 0 and ident.end_byte <= nodes[index][0].end_byte:
            calls[index].add(name)
    return calls


def _make_unit(node: Any, name: Any, language: str, tmap: _TextMap, calls: set[str]) -> Unit:
    text = tmap.slice(node.start_byte, node.end_byte)
    return Unit(
        name=tmap.slice(name.start_byte, name.end_byte),
        language=language,
        line=node.start_point[0] + 1,
        column=tmap.column(node.start_point, node.start_byte) + 1,
        end_line=node.end_point[0] + 1,
        end_column=tmap.column(node.end_point, node.end_byte),
        name_line=name.start_point[0] + 1,
        name_column=tmap.column(name.start_point, name.start_byte) + 1,
        start_byte=node.start_byte,
        end_byte=node.end_byte,
        text=text,
        text_hash=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        callees=tuple(sorted(calls)),
        has_error=node.has_error,
    )


# --------------------------------------------------------------- outside the units


def _gaps(
    tmap: _TextMap, spans: list[tuple[int, int]], root: Any, language: str
) -> list[tuple[int, str]]:
    """(start byte, text) of every stretch between units, comments blanked, dropping
    stretches that are only whitespace."""
    bounds = [0] + [b for span in spans for b in span] + [len(tmap.data)]
    gaps = []
    for start, end in zip(bounds[::2], bounds[1::2], strict=True):
        if tmap.data[start:end].isspace():
            continue
        piece = _blank_comments(tmap, start, end, _comments_in(root, language, start, end))
        if piece.strip():
            gaps.append((start, piece))
    return gaps


def _comments_in(root: Any, language: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sorted byte ranges of the comments inside bytes [start, end)."""
    cursor = tree_sitter.QueryCursor(_comment_query(language))
    cursor.set_byte_range(start, end)
    found = cursor.captures(root).get("comment", [])
    return sorted((c.start_byte, c.end_byte) for c in found if start <= c.start_byte < end)


def _blank_comments(tmap: _TextMap, start: int, end: int, comments: list[tuple[int, int]]) -> str:
    """Text of bytes [start, end) with every comment inside replaced by spaces (its
    newlines kept, so lines do not move)."""
    parts = []
    pos = start
    for c_start, c_end in comments:
        parts.append(tmap.slice(pos, c_start))
        parts.append("".join(ch if ch == "\n" else " " for ch in tmap.slice(c_start, c_end)))
        pos = c_end
    parts.append(tmap.slice(pos, end))
    return "".join(parts)


def _declarations(tmap: _TextMap, gaps: list[tuple[int, str]]) -> str:
    """C text outside the units, each piece after a `#line N` (and padded to its column)
    so a C parser reports the original positions."""
    out: list[str] = []
    for start, piece in gaps:
        if out and not out[-1].endswith("\n"):
            out.append("\n")
        line, column = _position(tmap, start)
        out.append(f"#line {line}\n{' ' * (column - 1)}{piece}")
    if out and not out[-1].endswith("\n"):
        out.append("\n")
    return "".join(out)


def _position(tmap: _TextMap, byte: int) -> tuple[int, int]:
    """1-based (line, character column) of a byte offset, using a prepared text map."""
    char = tmap.char_offset(byte)
    line_start = tmap.text.rfind("\n", 0, char) + 1
    return tmap.text.count("\n", 0, char) + 1, char - line_start + 1


def _normalise(text: str) -> str:
    """Position-independent form: trailing blanks and blank lines dropped, indentation
    kept (it is meaningful in Python)."""
    lines = (line.rstrip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# ----------------------------------------------------------------- syntax errors


def _syntax_errors(root: Any, tmap: _TextMap) -> tuple[SyntaxError_, ...]:
    """ERROR and MISSING nodes in file order; none reported inside a reported ERROR."""
    errors: list[SyntaxError_] = []
    stack = [root] if root.has_error else []
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            if len(errors) == MAX_SYNTAX_ERRORS:
                last = errors[-1]
                message = f"{last.message} (more than {MAX_SYNTAX_ERRORS} syntax errors;"
                errors[-1] = _with_message(last, message + " the rest are not shown)")
                break
            errors.append(_error_of(node, tmap))
            continue
        stack.extend(child for child in reversed(node.children) if child.has_error)
    return tuple(errors)


def _with_message(error: SyntaxError_, message: str) -> SyntaxError_:
    return SyntaxError_(error.line, error.column, message, error.end_line, error.end_column)


def _printable(text: str) -> str:
    """`text` with control characters and lone surrogates escaped (`\\x00`, `\\ud800`)."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def _error_of(node: Any, tmap: _TextMap) -> SyntaxError_:
    if node.is_missing:
        kind = node.type
        message = f"missing {kind}" if node.is_named else f"missing `{kind}`"
    else:
        head = tmap.slice(node.start_byte, min(node.end_byte, node.start_byte + 8 * _SNIPPET_CHARS))
        snippet = _printable(" ".join(head.split()))
        if len(snippet) > _SNIPPET_CHARS:
            snippet = snippet[:_SNIPPET_CHARS] + "…"
        message = f"syntax error: unexpected `{snippet}`" if snippet else "syntax error"
    return SyntaxError_(
        line=node.start_point[0] + 1,
        column=tmap.column(node.start_point, node.start_byte) + 1,
        message=message,
        end_line=node.end_point[0] + 1,
        end_column=tmap.column(node.end_point, node.end_byte),
    )


# -------------------------------------------------------------- incremental edits


def edit_tree(tree: Any, old_text: str, start: int, old_end: int, new_text: str) -> str:
    """Replace characters [start, old_end) of `old_text` by `new_text`, tell `tree` about
    it (byte offsets and (row, byte column) points), and return the new full text."""
    if not 0 <= start <= old_end <= len(old_text):
        raise ValueError(f"bad edit range [{start}, {old_end}) for text of {len(old_text)}")
    start_byte = byte_len(old_text[:start])
    old_end_byte = start_byte + byte_len(old_text[start:old_end])
    start_point = _point_of(old_text, start)
    old_end_point = _point_of(old_text, old_end)
    newlines = new_text.count("\n")
    if newlines:
        tail = new_text[new_text.rfind("\n") + 1 :]
        new_end_point = (start_point[0] + newlines, byte_len(tail))
    else:
        new_end_point = (start_point[0], start_point[1] + byte_len(new_text))
    tree.edit(
        start_byte=start_byte,
        old_end_byte=old_end_byte,
        new_end_byte=start_byte + byte_len(new_text),
        start_point=start_point,
        old_end_point=old_end_point,
        new_end_point=new_end_point,
    )
    return old_text[:start] + new_text + old_text[old_end:]


# ------------------------------------------------------------------------ queries


def unit_at(parsed: ParsedFile, line: int) -> Unit | None:
    """The unit whose lines contain the 1-based `line`, if any."""
    for unit in parsed.units:
        if unit.line <= line <= unit.end_line:
            return unit
    return None


def unit_key(parsed: ParsedFile, unit: Unit, settings_fingerprint: str, tool_version: str) -> str:
    """sha256 of everything a unit's verdict depends on, and nothing positional: its
    text, the texts of its same-file callees (transitively), the top-level context
    (C declarations / Python module text), the settings and the tool version."""
    by_name: dict[str, list[Unit]] = {}
    for other in parsed.units:
        by_name.setdefault(other.name, []).append(other)
    reached: set[str] = set()
    pending = list(unit.callees)
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            for callee in by_name.get(name, []):
                pending.extend(callee.callees)
    digest = hashlib.sha256()
    fields = [tool_version, settings_fingerprint, parsed.language, parsed.context, unit.text]
    for name in sorted(reached):
        fields.append(name)
        fields.extend(callee.text_hash for callee in by_name.get(name, []))
    for item in fields:
        data = item.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()
