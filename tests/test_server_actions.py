"""Code actions: regression tests from counterexamples, larger-budget re-verification."""

import importlib.util
import sys

import pytest
from lsprotocol import types as lsp

from prooflens.analysis.verdicts import Evidence, FunctionReport, Result
from prooflens.server import actions
from prooflens.server.model import UnitView


def refuted(prop, witness, message, harness=None):
    return Result(prop, 2, 5, "refuted", message, witness=witness, confirmed=True,
                  evidence=Evidence(harness=harness))  # fmt: skip


def view(uri, name, *results):
    return UnitView(uri, name, 1, 3, 1, 5, FunctionReport(name, 1, 3, tuple(results)), "done")


def apply(action):
    """The text the workspace edit creates, and the path it creates."""
    create, edit = action.edit.document_changes
    assert isinstance(create, lsp.CreateFile) and edit.text_document.uri == create.uri
    return actions.uri_to_path(create.uri), edit.edits[0].new_text


CASES = [
    ("def f(x):\n    assert x != 3\n", "assertion", {"x": 3}, "assertion can fail: f(x=3)"),
    ("def f(x):\n    return 10 // x\n", "division-by-zero", {"x": 0}, "division by zero"),
    ("def f(x):\n    return x > 0\n", "always-true", {"x": 0}, "f can return False"),
    (  # stands for a loop that never ends: it outlasts the generated test's wait
        "import time\n\ndef f(x):\n    end = time.monotonic() + 1\n"
        "    while x != 0 and time.monotonic() < end:\n        time.sleep(0.01)\n",
        "termination", {"x": 1}, "never returns",
    ),
]


def run_generated_test(path, module_dir):
    """Import the generated test file afresh and call its test function: True = passed."""
    sys.path.insert(0, str(module_dir))
    try:
        sys.modules.pop("mod", None)
        spec = importlib.util.spec_from_file_location("generated_test", path)
        generated = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(generated)
        (test,) = [v for k, v in vars(generated).items() if k.startswith("test_")]
        try:
            test()
        except Exception:
            return False
        return True
    finally:
        sys.path.remove(str(module_dir))
        sys.modules.pop("mod", None)


@pytest.mark.parametrize(("source", "prop", "witness", "message"), CASES)
def test_python_regression_test_fails_today_and_passes_after_a_fix(
    tmp_path, monkeypatch, source, prop, witness, message
):
    monkeypatch.setattr(actions, "TERMINATION_WAIT_S", 0.3)
    module = tmp_path / "mod.py"
    module.write_text(source)
    result = refuted(prop, witness, message)
    (action,) = actions.code_actions(view(module.as_uri(), "f", result), "python", 1, 3, 10, [])
    path, text = apply(action)
    assert path == str(tmp_path / "test_prooflens_f.py")
    with open(path, "w") as handle:
        handle.write(text)
    compile(text, path, "exec")
    assert run_generated_test(path, tmp_path) is False
    module.write_text("def f(x):\n    return True\n")
    assert run_generated_test(path, tmp_path) is True


def test_existing_test_file_is_not_overwritten(tmp_path):
    (tmp_path / "test_prooflens_f.py").write_text("# mine\n")
    result = refuted("assertion", {"x": 3}, "assertion can fail: f(x=3)")
    uri = (tmp_path / "m.py").as_uri()
    (action,) = actions.code_actions(view(uri, "f", result), "python", 1, 3, 10, [])
    assert apply(action)[0] == str(tmp_path / "test_prooflens_f_2.py")


def test_harness_import_is_rewritten_to_the_module():
    harness = "from other import f\n\n\ndef test_f():\n    f(x=3)\n"
    result = refuted("assertion", {"x": 3}, "m", harness=harness)
    assert "from mod import f\n" in actions.python_test("mod", "f", result)


def test_c_uses_the_replay_harness_or_offers_nothing(tmp_path):
    uri = (tmp_path / "m.c").as_uri()
    plain = refuted("division-by-zero", {"x": 0}, "division by zero: f(x=0)")
    assert actions.code_actions(view(uri, "f", plain), "c", 1, 3, 10, []) == []
    with_harness = refuted("division-by-zero", {"x": 0}, "m", harness="int main(void){}")
    (action,) = actions.code_actions(view(uri, "f", with_harness), "c", 1, 3, 10, [])
    path, text = apply(action)
    assert path.endswith("test_prooflens_f.c") and text == "int main(void){}\n"


def test_larger_budget_for_unknown_and_bounded_only():
    unknown = Result("assertion", 2, 5, "unknown", "timeout", reason="timeout 10 s")
    (action,) = actions.code_actions(view("file:///m.py", "f", unknown), "python", 2, 2, 10, [])
    assert action.command.command == "prooflens.verifyFunction"
    assert action.command.arguments == ["file:///m.py", "f", {"timeoutSeconds": 40}]
    proved = Result("assertion", 2, 5, "proved", "holds")
    assert actions.code_actions(view("file:///m.py", "f", proved), "python", 2, 2, 10, []) == []


def test_non_file_uri_gets_no_test_file():
    result = refuted("assertion", {"x": 3}, "assertion can fail: f(x=3)")
    assert actions.code_actions(view("untitled:1", "f", result), "python", 1, 3, 10, []) == []


METHODS = (
    "class K:\n"
    "    @staticmethod\n"
    "    def b(y: int, /) -> int:\n"
    "        return 10 // y\n"
    "\n"
    "    def m(self, y: int, *, z: int) -> int:\n"
    "        return 10 // (y - z)\n"
)


@pytest.mark.parametrize("name", ["K.b", "K.m"])
def test_regression_test_of_a_method_fails_today_and_passes_after_a_fix(tmp_path, name):
    """The analysis's own test (one generator: `replay.regression`) reaches methods through
    their class, positional-only and keyword-only parameters as declared."""
    from prooflens.analysis.check import check_text
    from prooflens.analysis.settings import Settings

    module = tmp_path / "mod.py"
    module.write_text(METHODS)
    report = check_text(METHODS, "python", Settings(unwind=4, timeout_s=5.0, deep=False),
                        str(module))  # fmt: skip
    function = next(f for f in report.functions if f.name == name)
    (result,) = [r for r in function.results if r.status == "refuted"]
    assert result.confirmed is True, result
    (action,) = actions.code_actions(view(module.as_uri(), name, result), "python", 1, 7, 10, [])
    path, text = apply(action)
    with open(path, "w") as handle:
        handle.write(text)
    assert run_generated_test(path, tmp_path) is False
    module.write_text(METHODS.replace("10 //", "10 + "))
    assert run_generated_test(path, tmp_path) is True


def test_nested_function_without_a_harness_gets_no_test():
    """No test can call a closure from outside: no action rather than a broken test."""
    result = refuted("division-by-zero", {"y": 0, "k": 0}, "division by zero")
    assert actions.python_test("mod", "outer.inner", result) is None
    uri = "file:///tmp/mod.py"
    assert actions.code_actions(view(uri, "outer.inner", result), "python", 1, 3, 10, []) == []
