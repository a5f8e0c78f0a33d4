"""Shared pieces of the Python frontend: the `Unsupported` outcome, unit source positions
and scope-local `ast` walks."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from prooflens.analysis import ir

# Nodes that open a new scope: their bodies are not the enclosing function's.
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
          ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)  # fmt: skip


class Located(Protocol):
    """An `ast` node with a position: a statement, expression, argument, keyword, ..."""

    lineno: int
    col_offset: int


class Unsupported(Exception):
    """A construct the frontend does not model, with its file position."""

    def __init__(self, construct: str, line: int, column: int = 1) -> None:
        super().__init__(construct)
        self.construct = construct
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Source:
    """The parsed text of one unit and the map from `ast` positions to file positions."""

    lines: tuple[str, ...]
    line_shift: int

    def pos(self, lineno: int, col_offset: int) -> tuple[int, int]:
        """File (line, 1-based character column) of an `ast` (line, byte offset)."""
        text = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        column = len(text.encode("utf-8")[:col_offset].decode("utf-8", "replace")) + 1
        return lineno + self.line_shift, column

    def span(self, node: Located) -> ir.Span:
        line, column = self.pos(node.lineno, node.col_offset)
        end_lineno = getattr(node, "end_lineno", None) or node.lineno
        end_offset = getattr(node, "end_col_offset", None)
        if end_offset is None:
            return ir.Span(line, column, line, column)
        end_line, end_column = self.pos(end_lineno, end_offset)
        return ir.Span(line, column, end_line, max(end_column - 1, 1))

    def keyword_span(self, node: ast.stmt, keyword: str) -> ir.Span:
        line, column = self.pos(node.lineno, node.col_offset)
        return ir.Span(line, column, line, column + len(keyword) - 1)

    def segment(self, node: ast.AST) -> str:
        return ast.get_source_segment("\n".join(self.lines), node) or ast.unparse(node)


def pos(source: Source, node: Located) -> tuple[int, int]:
    return source.pos(node.lineno, node.col_offset)


def walk_own(fdef: ast.FunctionDef) -> Iterator[ast.AST]:
    """Nodes of the function body, not descending into nested scopes."""
    stack: list[ast.AST] = list(reversed(fdef.body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, SCOPES):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def bound_names(fdef: ast.FunctionDef) -> set[str]:
    """Names local to a function: its parameters and every name its own scope binds."""
    args = fdef.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    declared: set[str] = set()
    for node in walk_own(fdef):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            declared.update(node.names)
    return names - declared
