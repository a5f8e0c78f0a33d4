"""Conversions between LSP positions (0-based line, column in the negotiated encoding,
UTF-16 by default) and the analysis layer's positions (1-based line, code-point column).

Lines end at `\\n` (a `\\r` before it stays part of the line, as in the analysis layer).
Out-of-range positions are clamped as LSP prescribes: a line past the end means the end
of the text, a column past the line's end means the line's end, and a column inside a
surrogate pair (UTF-16) or a multi-byte character (UTF-8) rounds to that character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"
_NEWLINE = re.compile("\n")


def char_units(char: str, encoding: str) -> int:
    """How many code units one code point takes in `encoding`."""
    if encoding == UTF16:
        return 2 if ord(char) > 0xFFFF else 1
    if encoding == UTF8:
        return len(char.encode("utf-8", "surrogatepass"))
    return 1


def units_len(text: str, encoding: str) -> int:
    """Length of `text` in code units of `encoding`."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    return sum(char_units(ch, encoding) for ch in text)


def units_to_chars(line_text: str, units: int, encoding: str) -> int:
    """Code points of `line_text` covered by its first `units` code units (clamped)."""
    if units <= 0:
        return 0
    if encoding == UTF32 or line_text.isascii():
        return min(units, len(line_text))
    seen = 0
    for index, ch in enumerate(line_text):
        seen += char_units(ch, encoding)
        if seen > units:
            return index
    return len(line_text)


@dataclass(frozen=True)
class LineIndex:
    """Start offsets (code points) of every line of one text."""

    text: str
    starts: tuple[int, ...]

    @staticmethod
    def of(text: str) -> LineIndex:
        return LineIndex(text, (0, *(m.end() for m in _NEWLINE.finditer(text))))

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_text(self, line0: int) -> str:
        """Text of a 0-based line without its `\\n` (empty past the end)."""
        if not 0 <= line0 < len(self.starts):
            return ""
        end = self.starts[line0 + 1] - 1 if line0 + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[line0] : end]

    def offset(self, line0: int, units: int, encoding: str = UTF16) -> int:
        """Code-point offset of an LSP position (clamped into the text)."""
        if line0 < 0:
            return 0
        if line0 >= len(self.starts):
            return len(self.text)
        return self.starts[line0] + units_to_chars(self.line_text(line0), units, encoding)

    def lsp_position(self, line1: int, column1: int, encoding: str = UTF16) -> tuple[int, int]:
        """LSP (line, character) of a 1-based line and 1-based code-point column."""
        line0 = min(max(line1 - 1, 0), len(self.starts) - 1)
        text = self.line_text(line0)
        chars = min(max(column1 - 1, 0), len(text))
        return line0, units_len(text[:chars], encoding)

    def line_end(self, line1: int, encoding: str = UTF16) -> tuple[int, int]:
        """LSP position of the end of a 1-based line, trailing blanks excluded."""
        line0 = min(max(line1 - 1, 0), len(self.starts) - 1)
        text = self.line_text(line0).rstrip()
        return line0, units_len(text, encoding)

    def analysis_position(self, line0: int, units: int, encoding: str = UTF16) -> tuple[int, int]:
        """1-based (line, code-point column) of an LSP position (clamped)."""
        if line0 >= len(self.starts):
            last = len(self.starts) - 1
            return last + 1, len(self.line_text(last)) + 1
        line0 = max(line0, 0)
        return line0 + 1, units_to_chars(self.line_text(line0), units, encoding) + 1


def normalise_encoding(name: object) -> str:
    """The encoding negotiated with the client (`PositionEncodingKind` or text)."""
    value = getattr(name, "value", name)
    return value if value in (UTF8, UTF16, UTF32) else UTF16
