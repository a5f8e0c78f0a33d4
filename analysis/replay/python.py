"""Replay Python counterexamples for real: run the user's own function on the witness in a
sandboxed interpreter, without the rest of its module, and check it fails as predicted."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from prooflens.analysis.sandbox import run_sandboxed
from prooflens.analysis.witness import ReplayOutcome, Witness, python_literal

# The child reads {"source", "function", "cases": [{"inputs": {...}}]} on stdin, defines the
# functions (placed at their own line numbers, so tracebacks name real lines), calls the
# function once per case and prints one JSON line per case.
_CHILD = r"""
import json, sys, traceback
sys.set_int_max_str_digits(0)  # witnesses and results may be huge ints
request = json.loads(sys.stdin.read())
sys.setrecursionlimit(10000)
namespace = {"__name__": "prooflens_replay"}
exec(compile(request["source"], request["filename"], "exec"), namespace)
function = namespace[request["function"]]
for case in request["cases"]:
    try:
        args = [int(a, 16) if isinstance(a, str) else a for a in case["args"]]
        value = function(*args)  # positional: parameters may be positional-only
        print(json.dumps({"outcome": "returned", "value": repr(value),
                          "is_true": value is True}), flush=True)
    except Exception as error:
        frames = traceback.extract_tb(error.__traceback__)
        lines = [f.lineno for f in frames if f.filename == request["filename"]]
        print(json.dumps({"outcome": "raised", "type": type(error).__name__,
                          "line": lines[-1] if lines else 0, "lines": lines,
                          "message": str(error)[:200]}),
              flush=True)
"""


@dataclass(frozen=True)
class Expectation:
    """What the real run must do: raise `exception` at a line in [line, end_line], or (for
    always-true) return something other than True."""

    kind: str
    line: int
    end_line: int

    @property
    def exception(self) -> str | None:
        return {"assertion": "AssertionError", "division-by-zero": "ZeroDivisionError"}.get(
            self.kind
        )


def program_text(units: list[tuple[int, str]]) -> str:
    """Function texts placed at their original lines (blank lines in between)."""
    lines: list[str] = []
    for start, text in sorted(units):
        while len(lines) < start - 1:
            lines.append("")
        lines.extend(text.splitlines())
    return "\n".join(lines) + "\n"


def replay_python(
    units: list[tuple[int, str]],
    function: str,
    cases: list[tuple[Witness, Expectation]],
    filename: str = "<prooflens>",
    timeout_s: float = 5.0,
) -> list[ReplayOutcome]:
    """Run `function` (defined by `units`: the function and the same-file functions it calls,
    as (start line, text)) once per case, in one sandboxed child process."""
    request = {
        "source": program_text(units),
        "filename": filename,
        "function": function,
        "cases": [{"args": [_transferable(v) for v in w.inputs.values()]} for w, _ in cases],
    }
    result = run_sandboxed([sys.executable, "-I", "-c", _CHILD], json.dumps(request), timeout_s)
    answers = [_parse(line) for line in result.stdout.splitlines() if line.startswith("{")]
    outcomes = []
    for index, (witness, expected) in enumerate(cases):
        if index < len(answers):
            outcomes.append(_judge(answers[index], expected, witness, function))
        elif result.timed_out:
            outcomes.append(ReplayOutcome(False, f"did not finish within {timeout_s:g} s"))
        else:
            outcomes.append(ReplayOutcome(False, _child_failure(result.stderr)))
    return outcomes


def _transferable(value: int | bool) -> int | bool | str:
    """Ints too long for decimal text (Python's 4300-digit limit) travel as hex strings."""
    if isinstance(value, bool) or value.bit_length() <= 13_000:
        return value
    return hex(value)


def _parse(line: str) -> dict:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return {"outcome": "garbled"}


def _child_failure(stderr: str) -> str:
    last = stderr.strip().splitlines()[-1:] or ["no output"]
    return f"replay process failed: {last[0][:200]}"


def _judge(answer: dict, expected: Expectation, witness: Witness, function: str) -> ReplayOutcome:
    call = witness.call_text(function, tuple(witness.inputs))
    if expected.kind == "always-true":
        if answer["outcome"] == "returned" and not answer["is_true"]:
            return ReplayOutcome(True, f"{call} returned {answer['value']}")
        return ReplayOutcome(False, f"{call} did not return a non-True value: {answer}")
    if answer["outcome"] != "raised":
        return ReplayOutcome(False, f"{call} returned {answer.get('value')} without failing")
    right_kind = answer["type"] == expected.exception
    # The failing line itself, or (for a check inlined from a callee) the call on the stack.
    span = range(expected.line, max(expected.end_line, expected.line) + 1)
    right_line = any(line in span for line in answer.get("lines", [answer["line"]]))
    if right_kind and right_line:
        return ReplayOutcome(True, f"{call} raised {answer['type']} at line {answer['line']}")
    return ReplayOutcome(
        False, f"{call} raised {answer['type']} at line {answer['line']}, expected "
        f"{expected.exception} at line {expected.line}"
    )


def pytest_harness(module: str, function: str, witness: Witness, kind: str) -> str:
    """A regression test the user can keep: it fails today, passes once the bug is fixed."""
    args = ", ".join(f"{name}={python_literal(value)}" for name, value in witness.inputs.items())
    test = f"test_{function}_{kind.replace('-', '_')}"
    if kind == "always-true":
        body = f"    assert {function}({args}) is True\n"
    else:
        body = f"    {function}({args})  # raised {Expectation(kind, 0, 0).exception} here\n"
    return (
        f'"""Regression test generated by prooflens from a counterexample."""\n\n'
        f"from {module} import {function}\n\n\n"
        f"def {test}():\n{body}"
    )
