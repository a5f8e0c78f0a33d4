"""Small pure helpers of the pygls layer."""

import pytest
from lsprotocol import types as lsp

from prooflens.server import lsp as server_lsp
from prooflens.server.documents import Change


@pytest.mark.parametrize(
    ("uri", "language_id", "expected"),
    [
        ("file:///a.py", "python", "python"),
        ("file:///a.txt", "c", "c"),
        ("file:///a.c", "plaintext", "c"),
        ("file:///a.h", None, "c"),
        ("file:///a.rs", "rust", None),
    ],
)
def test_language(uri, language_id, expected):
    assert server_lsp._language(uri, language_id) == expected


@pytest.mark.parametrize(
    ("line", "char", "word"),
    [("    x = y_1 + 2", 4, "x"), ("    x = y_1 + 2", 10, "y_1"), ("    x = y_1 + 2", 2, None),
     ("", 0, None)],
)  # fmt: skip
def test_word_at(line, char, word):
    assert server_lsp._word_at(line, char) == word


def test_change_conversion():
    partial = lsp.TextDocumentContentChangePartial(
        range=lsp.Range(start=lsp.Position(line=1, character=2),
                        end=lsp.Position(line=3, character=4)), text="z")  # fmt: skip
    assert server_lsp._change(partial) == Change((1, 2, 3, 4), "z")
    whole = lsp.TextDocumentContentChangeWholeDocument(text="all")
    assert server_lsp._change(whole) == Change(None, "all")


def test_server_registers_the_contract():
    server = server_lsp.build_server()
    commands = set(server.protocol.fm.commands)
    assert commands == {"prooflens.verifyFile", "prooflens.verifyFunction", "prooflens.showTrace"}
    features = set(server.protocol.fm.features)
    for method in (lsp.TEXT_DOCUMENT_CODE_LENS, lsp.TEXT_DOCUMENT_HOVER,
                   lsp.TEXT_DOCUMENT_INLAY_HINT, lsp.TEXT_DOCUMENT_CODE_ACTION,
                   lsp.TEXT_DOCUMENT_DID_SAVE, lsp.WORKSPACE_DID_CHANGE_CONFIGURATION,
                   "prooflens/jobs"):  # fmt: skip
        assert method in features
