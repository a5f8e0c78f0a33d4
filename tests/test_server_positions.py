"""LSP position conversions: UTF-16 (default), UTF-8, UTF-32, clamping."""

import pytest

from prooflens.server.positions import UTF8, UTF16, UTF32, LineIndex, normalise_encoding

TEXT = "a = 1\nπ = 'x😀y'\n\nlast"


@pytest.mark.parametrize(
    ("line1", "column1", "encoding", "expected"),
    [
        (1, 1, UTF16, (0, 0)),
        (2, 1, UTF16, (1, 0)),
        (2, 2, UTF16, (1, 1)),  # after π: one UTF-16 unit
        (2, 2, UTF8, (1, 2)),  # π is two UTF-8 bytes
        (2, 8, UTF16, (1, 8)),  # after 😀: a surrogate pair
        (2, 8, UTF8, (1, 11)),  # π and 😀: 2 + 4 bytes
        (2, 8, UTF32, (1, 7)),
        (2, 99, UTF16, (1, 10)),  # clamped to the end of the line
        (99, 1, UTF16, (3, 0)),  # clamped to the last line
    ],
)
def test_lsp_position(line1, column1, encoding, expected):
    assert LineIndex.of(TEXT).lsp_position(line1, column1, encoding) == expected


@pytest.mark.parametrize(
    ("line0", "units", "encoding", "offset"),
    [
        (0, 0, UTF16, 0),
        (1, 1, UTF16, 7),  # after π
        (1, 6, UTF16, 12),  # before 😀 (line start 6 + 6 code points)
        (1, 7, UTF16, 12),  # inside the surrogate pair: rounds down to the emoji
        (1, 8, UTF16, 13),  # after 😀
        (1, 11, UTF8, 13),  # after 😀 in bytes: π(2) + " = 'x"(5) + 😀(4)
        (1, 10, UTF8, 12),  # inside 😀's bytes
        (1, 100, UTF16, 15),  # end of line (before the newline)
        (9, 0, UTF16, len(TEXT)),  # past the last line: end of text
        (-1, 0, UTF16, 0),
    ],
)
def test_offset(line0, units, encoding, offset):
    assert LineIndex.of(TEXT).offset(line0, units, encoding) == offset


def test_round_trip_every_character():
    index = LineIndex.of(TEXT)
    for line0 in range(index.line_count):
        text = index.line_text(line0)
        for chars in range(len(text) + 1):
            for encoding in (UTF8, UTF16, UTF32):
                _, units = index.lsp_position(line0 + 1, chars + 1, encoding)
                assert index.offset(line0, units, encoding) == index.starts[line0] + chars
                assert index.analysis_position(line0, units, encoding) == (line0 + 1, chars + 1)


def test_line_end_skips_trailing_blanks():
    index = LineIndex.of("x = 1   \ny")
    assert index.line_end(1) == (0, 5)


@pytest.mark.parametrize(
    ("name", "expected"), [("utf-8", UTF8), ("utf-32", UTF32), (None, UTF16), ("latin1", UTF16)]
)
def test_normalise_encoding(name, expected):
    assert normalise_encoding(name) == expected
