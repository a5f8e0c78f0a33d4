"""Open documents: text, line index, incremental tree-sitter parse, unit keys, and the
text a worker gets for one unit.

pygls applies an edit to its own copy before our handler runs, but `Tree.edit` needs
offsets into the text *before* the edit, so every document keeps its own text and
applies each change itself (in order, as LSP requires)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from prooflens.analysis import syntax
from prooflens.server.cache import CachedReport
from prooflens.server.positions import UTF16, LineIndex

log = logging.getLogger(__name__)
# Larger documents are kept in sync but not parsed or verified.
MAX_ANALYSED_CHARS = 3_000_000


@dataclass(frozen=True)
class Change:
    """One `contentChanges` entry: range (start line, start char, end line, end char in
    the negotiated encoding) or None for the whole text."""

    range: tuple[int, int, int, int] | None
    text: str


@dataclass(frozen=True)
class UnitKeys:
    """Keys of one unit under the quick, deep and larger-budget settings."""

    quick: str
    deep: str
    budget: str | None = None

    def all(self) -> tuple[str, ...]:
        return (self.quick, self.deep) + ((self.budget,) if self.budget else ())


@dataclass
class Document:
    uri: str
    language: str
    version: int
    text: str
    index: LineIndex
    parsed: syntax.ParsedFile | None = None
    keys: list[UnitKeys] = field(default_factory=list)
    budgets: dict[str, float] = field(default_factory=dict)  # name -> larger timeout
    pinned: dict[str, CachedReport] = field(default_factory=dict)  # key -> report
    debouncing: bool = False
    progress_total: int = 0

    @property
    def too_large(self) -> bool:
        return len(self.text) > MAX_ANALYSED_CHARS

    def units(self) -> tuple[syntax.Unit, ...]:
        return self.parsed.units if self.parsed is not None else ()


def open_document(uri: str, language: str, version: int, text: str) -> Document:
    doc = Document(uri, language, version, text, LineIndex.of(text))
    reparse(doc, incremental=False)
    return doc


def apply_changes(doc: Document, changes: list[Change], encoding: str = UTF16) -> None:
    """Apply changes in order to the text and (if parsed) the tree, then reparse."""
    incremental = doc.parsed is not None
    for change in changes:
        if change.range is None:
            doc.text = change.text
            incremental = False
        else:
            start_line, start_char, end_line, end_char = change.range
            start = doc.index.offset(start_line, start_char, encoding)
            end = doc.index.offset(end_line, end_char, encoding)
            start, end = min(start, end), max(start, end)
            if incremental and doc.parsed is not None:
                doc.text = syntax.edit_tree(doc.parsed.tree, doc.text, start, end, change.text)
            else:
                doc.text = doc.text[:start] + change.text + doc.text[end:]
        doc.index = LineIndex.of(doc.text)
    reparse(doc, incremental=incremental)


def reparse(doc: Document, incremental: bool) -> None:
    """Parse the current text (reusing the edited tree when `incremental`)."""
    if doc.too_large:
        doc.parsed = None
        return
    old_tree = doc.parsed.tree if incremental and doc.parsed is not None else None
    doc.parsed = syntax.parse(doc.text, doc.language, old_tree)


def unit_span(index: LineIndex, unit: syntax.Unit) -> tuple[int, int]:
    """Code-point offsets [start, end) of a unit's text."""
    start = index.starts[unit.line - 1] + unit.column - 1
    end = index.starts[unit.end_line - 1] + unit.end_column
    return start, end


def reached(parsed: syntax.ParsedFile, unit: syntax.Unit) -> set[str]:
    """Names of the same-file functions `unit` calls, transitively, and its own."""
    by_name: dict[str, list[syntax.Unit]] = {}
    for other in parsed.units:
        by_name.setdefault(other.name, []).append(other)
    seen = {unit.name}
    pending = list(unit.callees)
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            for callee in by_name.get(name, []):
                pending.extend(callee.callees)
    return seen


def job_text(parsed: syntax.ParsedFile, index: LineIndex, unit: syntax.Unit) -> str:
    """The file text with every function that `unit` does not (transitively) call
    replaced by a stub on the same lines: the verdict then depends only on what its key
    covers (sound caching), and a broken function elsewhere cannot spoil it."""
    keep = reached(parsed, unit)
    pieces: list[str] = []
    pos = 0
    own = unit_span(index, unit)
    for other in parsed.units:
        if other is unit or (other.name in keep and not other.has_error):
            continue
        start, end = unit_span(index, other)
        if start <= own[0] < end or own[0] <= start < own[1]:
            continue  # around the unit (its context) or inside it (its own text)
        if start < pos:
            continue
        pieces.append(parsed.text[pos:start])
        pieces.append(_stub(parsed.language, other, parsed.text[start:end]))
        pos = end
    pieces.append(parsed.text[pos:])
    return "".join(pieces)


def _stub(language: str, unit: syntax.Unit, text: str) -> str:
    """A declaration of `unit` spanning exactly as many lines as `text`."""
    newlines = text.count("\n")
    if language == "python":
        name = unit.name.rsplit(".", 1)[-1]  # a method `K.m` is declared as `def m`
        return f"def {name}(*args, **kwargs): pass" + "\n" * newlines
    brace = text.find("{")
    if unit.has_error or brace < 0:
        return "\n" * newlines
    signature = text[:brace].rstrip()
    return signature + ";" + "\n" * (newlines - signature.count("\n"))
