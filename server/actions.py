"""Code actions: turn a counterexample into a regression test in a new file beside the
source (pytest for Python, the replay harness for C), and re-verify with a larger budget."""

from __future__ import annotations

import os
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.uris import from_fs_path

from prooflens.analysis.replay import regression
from prooflens.analysis.verdicts import Result
from prooflens.server.model import UnitView, is_failure, is_unknown
from prooflens.server.render import VERIFY_COMMAND

BUDGET_FACTOR = 4
TERMINATION_WAIT_S = 10  # how long the generated test waits for a call that never returns
MAX_SUFFIX = 100


def uri_to_path(uri: str) -> str | None:
    """The local path of a `file:` URI, else None."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return unquote(parsed.path)


def python_test(module: str, function: str, result: Result) -> str | None:
    """A pytest test that fails today (reproduces the counterexample) and passes once the
    bug is fixed: the analysis's own (its import pointed at `module`), else one made from
    the result by the same generator; None when no test can call the function."""
    harness = result.evidence.harness
    if harness and harness.strip():
        return regression.with_module(harness, module, function)
    return regression.python_test(module, function, result.witness or {}, result.property,
                                  line=result.line, message=result.message,
                                  wait_s=TERMINATION_WAIT_S)  # fmt: skip


def _free_path(directory: str, stem: str, suffix: str) -> str:
    """`stem.suffix` in `directory`, or `stem_2.suffix`, ... if taken."""
    candidate = os.path.join(directory, stem + suffix)
    number = 2
    while os.path.exists(candidate) and number < MAX_SUFFIX:
        candidate = os.path.join(directory, f"{stem}_{number}{suffix}")
        number += 1
    return candidate


def regression_test_action(
    view: UnitView, result: Result, language: str, diagnostic: lsp.Diagnostic | None
) -> lsp.CodeAction | None:
    """"add regression test": CreateFile + insert the test text, or None when there is no
    local file to put it beside or no test can reproduce the run (C: no harness)."""
    source = uri_to_path(view.uri)
    if source is None or not is_failure(result):
        return None
    directory = os.path.dirname(source)
    if language == "python":
        module = os.path.splitext(os.path.basename(source))[0]
        content = python_test(module, view.name, result)
        if content is None:
            return None
        target = _free_path(directory, f"test_prooflens_{view.name}", ".py")
    else:
        harness = result.evidence.harness
        if not harness or not harness.strip():
            return None
        content = harness if harness.endswith("\n") else harness + "\n"
        target = _free_path(directory, f"test_prooflens_{view.name}", ".c")
    target_uri = from_fs_path(target) or "file://" + target
    edit = lsp.WorkspaceEdit(
        document_changes=[
            lsp.CreateFile(uri=target_uri, options=lsp.CreateFileOptions(ignore_if_exists=True)),
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=target_uri),
                edits=[
                    lsp.TextEdit(
                        range=lsp.Range(
                            start=lsp.Position(line=0, character=0),
                            end=lsp.Position(line=0, character=0),
                        ),
                        new_text=content,
                    )
                ],
            ),
        ]
    )
    return lsp.CodeAction(
        title=f"prooflens: add regression test for {result.message}",
        kind=lsp.CodeActionKind.QuickFix,
        diagnostics=[diagnostic] if diagnostic is not None else None,
        edit=edit,
    )


def larger_budget_action(view: UnitView, timeout_s: float) -> lsp.CodeAction:
    budget = timeout_s * BUDGET_FACTOR
    return lsp.CodeAction(
        title=f"prooflens: verify {view.name} again with a larger budget ({budget:g} s)",
        kind=lsp.CodeActionKind.QuickFix,
        command=lsp.Command(
            title=f"verify {view.name} with {budget:g} s",
            command=VERIFY_COMMAND,
            arguments=[view.uri, view.name, {"timeoutSeconds": budget}],
        ),
    )


def code_actions(
    view: UnitView,
    language: str,
    first_line: int,
    last_line: int,
    timeout_s: float,
    diagnostics: list[lsp.Diagnostic],
) -> list[lsp.CodeAction]:
    """Actions for the results of `view` on 1-based lines [first_line, last_line]."""
    if view.report is None:
        return []
    actions: list[lsp.CodeAction] = []
    wants_budget = False
    for result in view.report.results:
        if not first_line <= result.line <= last_line and not (
            first_line <= view.name_line <= last_line
        ):
            continue
        if is_failure(result):
            match = _matching(diagnostics, result)
            action = regression_test_action(view, result, language, match)
            if action is not None:
                actions.append(action)
        elif is_unknown(result) or result.status == "bounded":
            wants_budget = True
    if wants_budget:
        actions.append(larger_budget_action(view, timeout_s))
    return actions


def _matching(diagnostics: list[lsp.Diagnostic], result: Result) -> lsp.Diagnostic | None:
    for diagnostic in diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        if data.get("property") == result.property and data.get("line") == result.line:
            return diagnostic
    return None
