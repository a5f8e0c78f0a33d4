"""The labelled corpus: every function of bench/corpus/ with its expected verdicts.

A label is the comment line right above a function: `# expect: assertion=refuted
termination=proved tags=long-cex` (Python) or `// expect: ...` (C). Values are the TRUE
answers: `proved`, `refuted`, or `open` (an open problem: only "don't know" is right).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from prooflens.analysis import syntax
from prooflens.analysis.verdicts import PROPERTIES

CORPUS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
TRUTHS = ("proved", "refuted", "open")
_LABEL = re.compile(r"^\s*(?:#|//)\s*expect:\s*(?P<body>.*)$")


@dataclass(frozen=True)
class Case:
    """One labelled function of the corpus."""

    path: str
    language: str
    name: str
    line: int
    end_line: int
    text: str  # the whole file's text (functions may call same-file helpers)
    expected: dict[str, str]
    tags: tuple[str, ...] = ()
    params: tuple[str, ...] = field(default=(), compare=False)

    @property
    def ident(self) -> str:
        return f"{os.path.basename(self.path)}::{self.name}"


class LabelError(ValueError):
    """A malformed `expect:` line (unknown property or value)."""


def parse_label(body: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """`assertion=refuted tags=a,b` -> ({"assertion": "refuted"}, ("a", "b"))."""
    expected: dict[str, str] = {}
    tags: tuple[str, ...] = ()
    for item in body.split():
        key, sep, value = item.partition("=")
        if not sep:
            raise LabelError(f"expected KEY=VALUE, got {item!r}")
        if key == "tags":
            tags = tuple(t for t in value.split(",") if t)
        elif key not in PROPERTIES or key == "unsupported":
            raise LabelError(f"unknown property {key!r}")
        elif value not in TRUTHS:
            raise LabelError(f"{key}: value must be one of {TRUTHS}, got {value!r}")
        else:
            expected[key] = value
    if not expected:
        raise LabelError("a label needs at least one property")
    return expected, tags


def cases_in_file(path: str) -> list[Case]:
    """The labelled functions of one corpus file (a label must sit right above a unit)."""
    language = syntax.language_for_path(path)
    if language is None:
        return []
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    parsed = syntax.parse(text, language)
    by_line = {unit.line: unit for unit in parsed.units}
    cases = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _LABEL.match(line)
        if not match:
            continue
        unit = by_line.get(number + 1)
        if unit is None:
            raise LabelError(f"{path}:{number}: no function starts on the next line")
        try:
            expected, tags = parse_label(match.group("body"))
        except LabelError as error:
            raise LabelError(f"{path}:{number}: {error}") from None
        cases.append(Case(path, language, unit.name, unit.line, unit.end_line, text,
                          expected, tags, _params(unit.text, language)))  # fmt: skip
    return cases


def _params(text: str, language: str) -> tuple[str, ...]:
    """Parameter names of a function from its source text (for peer harnesses)."""
    head = text.split(")", 1)[0]
    inside = head.split("(", 1)[1] if "(" in head else ""
    names = []
    for part in inside.split(","):
        part = part.strip()
        if not part or part == "void":
            continue
        if language == "python":
            names.append(part.split(":")[0].split("=")[0].strip())
        else:
            names.append(re.findall(r"[A-Za-z_]\w*", part)[-1])
    return tuple(names)


def load(directory: str = CORPUS_DIR, only: list[str] | None = None) -> list[Case]:
    """Every labelled case below `directory`, sorted by file; `only` filters by name or
    `file::name` (for quick runs)."""
    cases: list[Case] = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            cases.extend(cases_in_file(path))
    if only:
        wanted = set(only)
        cases = [c for c in cases if c.name in wanted or c.ident in wanted]
    return cases
