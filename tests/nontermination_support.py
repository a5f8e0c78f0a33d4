"""Replay of a Python non-termination witness from a source text (the termination tests):
`replay.program` builds the program, `replay.python`'s watch mode runs it."""

from __future__ import annotations

from prooflens.analysis.replay import program
from prooflens.analysis.replay import python as replay_python
from prooflens.analysis.verdicts import LoopEvidence
from prooflens.analysis.witness import ReplayOutcome, Witness


def confirm_python(
    source_text: str,
    function: str,
    callee_sources: dict[str, str],
    witness: Witness,
    loop_line: int,
    evidence: LoopEvidence | None,
    timeout_s: float = 5.0,
    first_line: int | None = None,
) -> ReplayOutcome:
    """Run the module-level `function` (its text starts on file line `first_line`; None:
    `source_text` is padded so that its lines are file lines) and watch `loop_line`."""
    target = program.PySource(function, first_line or 1, source_text)
    others = [program.PySource(name, 1, text) for name, text in callee_sources.items()]
    built = program.build(target, others, tuple(witness.inputs), "<unit>")
    if isinstance(built, str):
        return ReplayOutcome(False, built)
    watch = replay_python.Watch.of(evidence, witness, loop_line)
    return replay_python.confirm_nontermination(built, witness, watch, timeout_s)
