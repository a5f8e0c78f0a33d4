"""Replay Python counterexamples for real: run the user's own function (see `program`) on
the witness in a sandboxed child forked by the warm replay process, and check it fails as
predicted. One protocol, two modes: `call` (did it raise there, or return non-True?) and
`watch` (does its loop repeat a state, or stay in a recurrent set?)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from prooflens.analysis.replay import sandbox
from prooflens.analysis.replay.program import Program
from prooflens.analysis.verdicts import LoopEvidence
from prooflens.analysis.witness import ReplayOutcome, Witness

_EXCEPTIONS = {"assertion": "AssertionError", "division-by-zero": "ZeroDivisionError"}


@dataclass(frozen=True)
class Expectation:
    """What the real run must do: raise `exception` at a line in [line, end_line], or (for
    always-true) return something other than True."""

    kind: str
    line: int
    end_line: int
    message: str = ""  # kind "exception": "IndexError: ...", the type first

    @property
    def exception(self) -> str | None:
        if self.kind == "exception":
            return self.message.split(":")[0]
        return _EXCEPTIONS.get(self.kind)


@dataclass(frozen=True)
class Watch:
    """The loop a non-termination witness must keep running: `kind` is "state repeats"
    (the `state` variables repeat at `loop_line`) or "recurrent set" (`region` holds for
    `visits` visits); `lines` is the loop statement's extent."""

    loop_line: int
    kind: str = "state repeats"
    state: tuple[str, ...] = ()
    region: str = "True"
    visits: int = 10_000
    lines: tuple[int, int] | None = None

    @classmethod
    def of(cls, evidence: LoopEvidence | None, witness: Witness, loop_line: int) -> Watch:
        """From a termination verdict's evidence (None: watch every input for a repeat)."""
        if evidence is None:
            return cls(loop_line, state=tuple(witness.inputs), lines=(loop_line, 10**9))
        return cls(loop_line, evidence.kind, tuple(evidence.state or witness.inputs),
                   evidence.region or "True", evidence.visits or 10_000,
                   evidence.loop_lines or (loop_line, 10**9))  # fmt: skip


def replay_calls(
    program: Program, cases: list[tuple[Witness, Expectation]], timeout_s: float = 5.0
) -> list[ReplayOutcome]:
    """Call the target once per case, each in its own forked child (`timeout_s` of CPU)."""
    outcomes = []
    for witness, expected in cases:
        run = _run(program, witness, None, timeout_s)
        answer = _answer(run, timeout_s)
        if isinstance(answer, ReplayOutcome):
            outcomes.append(answer)
        else:
            outcomes.append(_judge(answer, expected, witness, program.target))
    return outcomes


def confirm_nontermination(
    program: Program, witness: Witness, watch: Watch, timeout_s: float = 5.0
) -> ReplayOutcome:
    """Run the target from `witness` and watch its loop (see `Watch`)."""
    spec = {"kind": watch.kind, "state": list(watch.state), "loop_line": watch.loop_line,
            "region": watch.region, "visits": watch.visits,
            "lines": list(watch.lines or (watch.loop_line, 10**9))}  # fmt: skip
    run = _run(program, witness, spec, timeout_s)
    if run.over_budget:
        return ReplayOutcome(False, f"no repetition observed within {_budget(run, timeout_s)}")
    answer = _answer(run, timeout_s)
    if isinstance(answer, ReplayOutcome):
        return answer
    if not answer.get("confirmed"):
        return ReplayOutcome(False, answer.get("detail", "not confirmed"))
    if watch.kind == "recurrent set":
        return ReplayOutcome(True, f"still inside the recurrent set after {answer['visits']} "
                             f"iterations of the loop at line {watch.loop_line}")  # fmt: skip
    return ReplayOutcome(True, f"state at line {watch.loop_line} repeats after "
                         f"{answer['after']} iteration(s), period {answer['period']}")  # fmt: skip


def _run(program: Program, witness: Witness, watch: dict | None, timeout_s: float
         ) -> sandbox.SandboxResult:  # fmt: skip
    args, kwargs, free = program.call.split(dict(witness.inputs))
    case = {"args": [_transferable(v) for v in args],
            "kwargs": {k: _transferable(v) for k, v in kwargs.items()},
            "free": {k: _transferable(v) for k, v in free.items()},
            "fields": {k: _transferable(v)
                       for k, v in program.call.fields(dict(witness.inputs)).items()}}  # fmt: skip
    call = {"filename": program.filename, "receiver": program.call.receiver, "case": case,
            "watch": watch}  # fmt: skip
    return sandbox.run_python_code(program.code, call, sandbox.Limits(cpu_s=timeout_s))


def _answer(run: sandbox.SandboxResult, timeout_s: float) -> dict | ReplayOutcome:
    """The child's report, or the outcome that says why there is none."""
    if run.failure is not None:
        return ReplayOutcome(None, f"not confirmed ({run.failure})")
    for line in run.report.splitlines():
        try:
            answer = json.loads(line)
        except json.JSONDecodeError:
            continue
        if answer.get("outcome") == "setup failed":
            return ReplayOutcome(False, f"replay process failed: {answer['type']}: "
                                 f"{answer['message']}")  # fmt: skip
        return answer
    if run.over_budget:
        return ReplayOutcome(False, f"did not finish within {_budget(run, timeout_s)}")
    last = run.stderr.strip().splitlines()[-1:] or [f"exit status {run.returncode}"]
    return ReplayOutcome(False, f"replay process failed: {last[0][:200]}")


def _budget(run: sandbox.SandboxResult, timeout_s: float) -> str:
    if run.cpu_exceeded:
        return f"{sandbox.Limits(cpu_s=timeout_s).cpu_seconds} s of CPU time"
    return f"{run.elapsed_s:.0f} s (the wall-clock safety net)"


def _transferable(value):
    """A witness value as JSON: ints too long for decimal text (Python's 4300-digit limit)
    travel as {"hex": ...}, tuples as {"tuple": [...]}; strs and lists as themselves."""
    if isinstance(value, str | bool | float):  # floats: Python's json keeps NaN, inf, -0.0
        return value
    if isinstance(value, tuple):
        return {"tuple": [_transferable(v) for v in value]}
    if isinstance(value, list):
        return [_transferable(v) for v in value]
    if value.bit_length() <= 13_000:
        return value
    return {"hex": hex(value)}


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
