"""What an engine hands to replay: concrete inputs, and what replay says back."""

from __future__ import annotations

import math
from dataclasses import dataclass

from prooflens.analysis import ir


@dataclass(frozen=True)
class Witness:
    """Concrete inputs of one run.

    `inputs`: parameter (source name) -> value; `nondet`: the values that successive
    `Havoc` statements take (C's `__VERIFIER_nondet_*()` calls), in execution order;
    `globals_`: initial values of C globals when they are inputs (SV-COMP `main` has none).
    """

    inputs: dict[str, ir.Value]
    nondet: tuple[int, ...] = ()
    globals_: tuple[tuple[str, int], ...] = ()

    def call_text(self, name: str, params: tuple[str, ...], language: str = "python") -> str:
        """How the editor names this run: `g2(x=5, y=0)` in Python, `g2(5, 0)` in C."""
        if language == "c":
            args = ", ".join(_show(self.inputs.get(p)) for p in params)
        else:
            args = ", ".join(f"{p}={_show(self.inputs.get(p))}" for p in params)
        return f"{name}({args})"


def _show(value: object) -> str:
    return python_literal(value)


def python_literal(value: object) -> str:
    """`repr(value)`, but in hex past ~4000 digits: Python refuses to turn such ints into
    decimal text, and a hex literal is still valid Python (and C, for 64-bit values)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 13_000:
        return ("-" if value < 0 else "") + hex(abs(value))
    if isinstance(value, float) and not math.isfinite(value):
        return f"float('{value}')"  # nan, inf, -inf: repr() is not a Python expression
    return repr(value)


@dataclass(frozen=True)
class ReplayOutcome:
    """`confirmed`: True = the real program failed as predicted, False = it did not (a tool
    bug: the result must be downgraded to unknown), None = could not run (no compiler,
    replay switched off). `detail` says what was observed; `harness` is the program that
    reproduces it (a pytest test or a C file), offered to the user as a regression test."""

    confirmed: bool | None
    detail: str
    harness: str | None = None
