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
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import tree_sitter
import tree_sitter_c
import tree_sitter_python

from prooflens.analysis.verdicts import SyntaxError_

LANGUAGES = ("python", "c")
MAX_SYNTAX_ERRORS = 100
_SNIPPET_CHARS = 20
_BOM = "\ufeff".encode()
# `.i`: C already preprocessed (gcc -E output, SV-COMP task files).
_SUFFIXES = {".py": "python", ".pyi": "python", ".c": "c", ".h": "c", ".i": "c"}
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
    tree: tree_sitter.Tree = field(compare=False, repr=False)
    context: str = field(default="", repr=False)

    @cached_property
    def units_by_name(self) -> dict[str, list[Unit]]:
        """The units of each name (a file may define one twice), built once per parse:
        keying every unit of a 16,000-function file must stay linear."""
        by_name: dict[str, list[Unit]] = {}
        for unit in self.units:
            by_name.setdefault(unit.name, []).append(unit)
        return by_name


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
    """`python` for .py/.pyi, `c` for .c/.h/.i, else None."""
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


def _node_text(node: tree_sitter.Node) -> str:
    """A node's source text (`text` is None only for a tree parsed without its bytes)."""
    assert node.text is not None
    return node.text.decode("utf-8", "replace")


def parse(text: str, language: str, old_tree: tree_sitter.Tree | None = None) -> ParsedFile:
    """Parse `text`; with `old_tree` (already brought in sync by `edit_tree`) the parse
    is incremental."""
    data = encode(text)
    parser = tree_sitter.Parser(_language(language))
    tree = parser.parse(data, old_tree) if old_tree is not None else parser.parse(data)
    tmap = _TextMap(text, data)
    root = tree.root_node
    if language == "python":
        units = _python_units(root, tmap, data)
    else:
        nodes = _unit_nodes(root, language, data)
        callees = _callees_by_unit(root, language, nodes)
        units = tuple(
            _make_unit(node, name_node, language, tmap, calls)
            for (node, name_node), calls in zip(nodes, callees, strict=True)
        )
        units = _c_units(units, text)
    gaps = _gaps(tmap, _outermost([(u.start_byte, u.end_byte) for u in units]), root, language)
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


# ---------------------------------------------------------------------- C units

# Directives and macro-like names: text the preprocessor may turn into valid C.
_C_PREPROCESSED = re.compile(r"^[ \t]*#|\b[A-Z_][A-Z0-9_]{2,}\b|\b__\w+", re.M)
_C_MARKER = re.compile(r'^[ \t]*#[ \t]*(\d+)[ \t]+"((?:[^"\\\n]|\\.)*)"', re.M)


def _c_units(units: tuple[Unit, ...], text: str) -> tuple[Unit, ...]:
    """C: a tree-sitter error counts only in a unit the preprocessor cannot change (no
    directive, no macro-like name): otherwise the frontend decides, on the preprocessed
    text. In preprocessed text (a `.i` file) only the functions of the file itself are
    units, not those of the headers it included."""
    if _is_preprocessed_c(text):
        own = _own_lines(text)
        units = tuple(u for u in units if own(u.line))
    return tuple(replace(u, has_error=False) if u.has_error and _C_PREPROCESSED.search(u.text)
                 else u for u in units)  # fmt: skip


def _is_preprocessed_c(text: str) -> bool:
    first = text.lstrip()[:300].split("\n", 1)[0]
    return bool(re.match(r'#[ \t]*\d+[ \t]+"', first))


def _own_lines(text: str) -> Any:
    """For a `.i` text: line -> whether it belongs to the translated file itself (the
    first marker's file that is not `<built-in>`/`<command-line>`)."""
    markers: list[tuple[int, str]] = []
    line, pos = 1, 0
    for match in _C_MARKER.finditer(text):
        line += text.count("\n", pos, match.start())
        pos = match.start()
        markers.append((line, match.group(2)))
    main = next((name for _, name in markers if not name.startswith("<")), None)
    lines = [line for line, _ in markers]

    def own(line: int) -> bool:
        index = bisect_right(lines, line - 1) - 1  # the last marker above the line
        return index < 0 or markers[index][1] == main

    return own


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
    names = {_node_text(name) for _, name in nodes}
    starts = [node.start_byte for node, _ in nodes]
    calls: list[set[str]] = [set() for _ in nodes]
    if not nodes:
        return calls
    captured = tree_sitter.QueryCursor(_call_query(language)).captures(root)
    for ident in captured.get("callee", []):
        name = _node_text(ident)
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


# ---------------------------------------------------------------- Python units

# Statements and clauses a Python function definition may sit in.
_PY_CONTAINERS = frozenset({
    "module", "block", "ERROR", "decorated_definition", "if_statement", "elif_clause",
    "else_clause", "for_statement", "while_statement", "try_statement", "except_clause",
    "except_group_clause", "finally_clause", "with_statement", "match_statement", "case_clause",
})  # fmt: skip
_PY_DEFINITIONS = frozenset({"function_definition", "class_definition", "expression_statement"})
# Nodes between a unit and its scope that do not make its definition conditional.
_PY_PLAIN = frozenset({"block", "module", "decorated_definition", "expression_statement"})
_PY_CALL_QUERY = ("(call function: [(identifier) @callee"
                  " (attribute attribute: (identifier) @method)])")  # fmt: skip


@dataclass(frozen=True)
class PyEnclosing:
    """A class or function around a Python unit."""

    kind: str  # "class" | "function"
    name: str
    start_byte: int
    end_byte: int


@dataclass(frozen=True)
class PyScope:
    """Where a Python unit sits: its decorators (source text without `@`), the classes and
    functions around it (innermost first), and whether a compound statement of its own
    scope (`if`, `try`, a loop, `with`, `match`) contains it."""

    decorators: tuple[str, ...] = ()
    enclosing: tuple[PyEnclosing, ...] = ()
    conditional: bool = False

    @property
    def is_method(self) -> bool:
        return bool(self.enclosing) and self.enclosing[0].kind == "class"

    @property
    def is_module_level(self) -> bool:
        return not self.enclosing


@dataclass(frozen=True)
class _PyFound:
    node: Any
    name: Any
    qualname: str
    parent: int | None  # index of the nearest enclosing function unit
    method: bool  # defined directly in a class body


def _python_units(root: Any, tmap: _TextMap, data: bytes) -> tuple[Unit, ...]:
    """Every Python function definition (methods, nested functions, lambdas assigned to a
    name) as a unit named by its dotted path (`Class.method`, `outer.inner`)."""
    found = _python_unit_nodes(root, tmap, data)
    callees = _python_callees(root, found)
    units = []
    for item, calls in zip(found, callees, strict=True):
        unit = _make_unit(item.node, item.name, "python", tmap, calls)
        units.append(replace(unit, name=item.qualname))
    return tuple(units)


def _python_unit_nodes(root: Any, tmap: _TextMap, data: bytes) -> list[_PyFound]:
    """Function and lambda-assignment nodes in file order. At module level and inside
    broken code (an ERROR node) only a def at the start of a line counts (after a
    byte-order mark at most): an indented one there is recovered from broken code."""
    bom = len(_BOM) if data.startswith(_BOM) else 0
    found: list[_PyFound] = []
    # (node, dotted prefix, enclosing function unit, directly in a class, line start needed)
    stack: list[tuple[Any, str, int | None, bool, bool]] = [
        (child, "", None, False, True) for child in reversed(root.children)
    ]
    while stack:
        node, prefix, parent, in_class, strict = stack.pop()
        kind = node.type
        at_line_start = node.start_point[1] == 0 or (bom > 0 and node.start_byte == bom)
        if strict and not at_line_start and kind in _PY_DEFINITIONS:
            continue
        if kind in ("function_definition", "class_definition"):
            name = node.child_by_field_name("name")
            if name is None or name.type != "identifier":
                continue
            if at_line_start:  # column 0 is module level, whatever error recovery built
                prefix, parent, in_class = "", None, False
            qualname = prefix + tmap.slice(name.start_byte, name.end_byte)
            inner_parent = parent
            if kind == "function_definition":
                found.append(_PyFound(node, name, qualname, parent, in_class))
                inner_parent = len(found) - 1
            body = node.child_by_field_name("body")
            if body is not None:
                is_class = kind == "class_definition"
                inside = strict and node.has_error  # a broken body: still only line starts
                stack.extend((c, qualname + ".", inner_parent, is_class, inside)
                             for c in reversed(body.children))  # fmt: skip
        elif kind == "expression_statement":
            target = _lambda_target(node)
            if target is not None:
                qualname = prefix + tmap.slice(target.start_byte, target.end_byte)
                found.append(_PyFound(node.children[0], target, qualname, parent, in_class))
        elif kind in _PY_CONTAINERS:
            strict_inside = kind == "ERROR" or (strict and not at_line_start)
            stack.extend((c, prefix, parent, in_class, strict_inside)
                         for c in reversed(node.children))  # fmt: skip
    return found


def _lambda_target(statement: Any) -> Any | None:
    """`name = lambda ...` (or `name: T = lambda ...`): the name node."""
    if statement.child_count != 1 or statement.children[0].type != "assignment":
        return None
    assignment = statement.children[0]
    left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
    if left is None or right is None or left.type != "identifier" or right.type != "lambda":
        return None
    return left


def _python_callees(root: Any, found: list[_PyFound]) -> list[set[str]]:
    """For every unit, the units its calls may reach: `f(...)` a module-level function or
    one nested in a function around the call; `x.m(...)` any method `m`. A nested unit
    also depends on the function around it (its free variables, its decorators)."""
    names = {item.qualname for item in found}
    methods: dict[str, set[str]] = {}
    for item in found:
        if item.method:
            methods.setdefault(item.qualname.rsplit(".", 1)[-1], set()).add(item.qualname)
    calls: list[set[str]] = [set() for _ in found]
    for at, item in enumerate(found):
        if item.parent is not None:
            calls[at].add(found[item.parent].qualname)
    if not found:
        return calls
    starts = [item.node.start_byte for item in found]
    captured = tree_sitter.QueryCursor(_py_call_query()).captures(root)
    for capture, nodes in captured.items():
        for ident in nodes:
            index = _innermost(found, starts, ident.start_byte, ident.end_byte)
            if index is None:
                continue
            name = _node_text(ident)
            if capture == "method":
                calls[index].update(methods.get(name, ()))
                continue
            scope: int | None = index
            while scope is not None:  # nested functions of the functions around the call
                candidate = f"{found[scope].qualname}.{name}"
                if candidate in names:
                    calls[index].add(candidate)
                scope = found[scope].parent
            if name in names:
                calls[index].add(name)
    return calls


def _innermost(found: list[_PyFound], starts: list[int], start: int, end: int) -> int | None:
    """Index of the innermost unit containing bytes [start, end): the last unit starting
    before them, or the nearest function around it that contains them."""
    index: int | None = bisect_right(starts, start) - 1
    while index is not None and index >= 0:
        node = found[index].node
        if node.start_byte <= start and end <= node.end_byte:
            return index
        index = found[index].parent
    return None


def _ancestors(node: Any) -> Iterator[Any]:
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


@cache
def _py_call_query() -> tree_sitter.Query:
    return tree_sitter.Query(_language("python"), _PY_CALL_QUERY)


def python_scope(parsed: ParsedFile, unit: Unit) -> PyScope:
    """Decorators and surrounding classes and functions of a Python unit, read from the
    tree (a tree that does not match the unit gives the empty scope)."""
    root = getattr(getattr(parsed, "tree", None), "root_node", None)
    if root is None:
        return PyScope()
    node = root.descendant_for_byte_range(unit.start_byte, unit.end_byte)
    while node is not None and node.type not in ("function_definition", "assignment"):
        if node.start_byte != unit.start_byte:
            return PyScope()
        node = node.parent
    if node is None or node.start_byte != unit.start_byte or node.end_byte != unit.end_byte:
        return PyScope()
    decorators: list[str] = []
    parent = node.parent
    if parent is not None and parent.type == "decorated_definition":
        for child in parent.children:
            if child.type == "decorator":
                decorators.append(_node_text(child).lstrip("@").strip())
    enclosing: list[PyEnclosing] = []
    conditional = False
    ancestor = parent
    # A unit at column 0 is module level, whatever error recovery built around it.
    top = (parent if parent is not None and parent.type == "decorated_definition" else node)
    while ancestor is not None and top.start_point[1] != 0:
        if ancestor.type in ("class_definition", "function_definition"):
            name = ancestor.child_by_field_name("name")
            text = _node_text(name) if name is not None else "?"
            kind = "class" if ancestor.type == "class_definition" else "function"
            enclosing.append(PyEnclosing(kind, text, ancestor.start_byte, ancestor.end_byte))
            if ancestor.start_point[1] == 0:
                break
        elif ancestor.type not in _PY_PLAIN and not enclosing:
            conditional = True
        ancestor = ancestor.parent
    if top.start_point[1] == 0:
        conditional = any(a.type == "ERROR" for a in _ancestors(top))
    return PyScope(tuple(decorators), tuple(enclosing), conditional)


_PY_NEWER = {"type_parameter": "type parameters (PEP 695)",
             "type_alias_statement": "type statement (PEP 695)"}  # fmt: skip


def python_newer_syntax(parsed: ParsedFile, unit: Unit) -> tuple[str, int, int] | None:
    """(feature, line, column) of syntax in a Python unit that tree-sitter knows but this
    interpreter's `ast` may not: PEP 695 type parameters and `type` statements, PEP 758
    `except A, B:` without parentheses."""
    root = getattr(getattr(parsed, "tree", None), "root_node", None)
    if root is None:
        return None
    node = root.descendant_for_byte_range(unit.start_byte, unit.end_byte)
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        feature = _PY_NEWER.get(current.type)
        if current.type == "except_clause" and any(c.type == "," for c in current.children):
            feature = "except with several types without parentheses (PEP 758)"
        if feature is not None:
            return feature, current.start_point[0] + 1, current.start_point[1] + 1
        if current.type not in ("expression_statement", "comment"):
            stack.extend(reversed(current.children))
    return None


# --------------------------------------------------------------- outside the units


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans not inside an earlier one (Python units nest; C units never do)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if not out or start >= out[-1][1]:
            out.append((start, end))
    return out


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
    """The innermost unit whose lines contain the 1-based `line`, if any (a Python method
    or nested function rather than what contains it)."""
    found = None
    for unit in parsed.units:
        if unit.line <= line <= unit.end_line:
            found = unit  # units are in start order: a later match is nested in an earlier
    return found


@cache
def analyser_digest() -> str:
    """sha256 of this analysis package's source and z3's version: a cached verdict is
    reused only by the analyser that made it (an editable install changes with no version
    bump; a z3 upgrade can move a budget-bound answer)."""
    import z3

    root = Path(__file__).parent
    digest = hashlib.sha256(z3.get_version_string().encode())
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def unit_key(parsed: ParsedFile, unit: Unit, settings_fingerprint: str, tool_version: str) -> str:
    """sha256 of everything a unit's verdict depends on, and nothing absolute: its text,
    the texts of its same-file callees (transitively) and their places relative to the
    unit (results mention callee lines), the top-level context (C declarations / Python
    module text), the settings, the tool version and the analyser's own code
    (`analyser_digest`). Moving the unit and its callees together keeps the key."""
    by_name = parsed.units_by_name
    reached: set[str] = set()
    pending = list(unit.callees)
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            for callee in by_name.get(name, []):
                pending.extend(callee.callees)
    digest = hashlib.sha256()
    fields = [tool_version, analyser_digest(), settings_fingerprint, parsed.language,
              parsed.context, unit.text]
    for name in sorted(reached):
        fields.append(name)
        for callee in by_name.get(name, []):
            # Where the callee is relative to the unit: a result may mention its lines.
            fields.extend((callee.text_hash, str(callee.line - unit.line)))
    for item in fields:
        data = item.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()
