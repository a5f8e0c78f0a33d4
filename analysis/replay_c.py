"""The C replay as older callers call it, from a parsed file and a unit (tests/c_support.py,
tests/test_c_gcc_e2e.py): an adapter over `prooflens.analysis.replay.c`, which knows
nothing of the C frontend -- this module builds its `CUnit`. Delete once they import
the package."""

from __future__ import annotations

from typing import Any

from prooflens.analysis import ir
from prooflens.analysis.frontends import c_base, c_source
from prooflens.analysis.replay.c import (  # noqa: F401 -- the old names
    CFLAGS,
    TERMINATION_LIMIT_S,
    Case,
    CUnit,
    Observed,
    classify,
    compiler,
    judge,
    literal,
    run_program,
    ub_kind,
)
from prooflens.analysis.replay.c import harness as _harness
from prooflens.analysis.replay.c import replay as _replay
from prooflens.analysis.witness import ReplayOutcome, Witness


def c_unit(parsed: Any, unit: Any) -> CUnit:
    """What replay needs of a C unit: its program text and the frontend's naming."""
    nondet = {suffix: t.name for suffix, t in c_base.NONDET_TYPES.items()}
    return CUnit(unit.name, c_source.build(parsed, unit).text, c_base.GLOBAL_PREFIX, nondet)


def harness(parsed: Any, unit: Any, fn: ir.Function, witness: Witness) -> str:
    return _harness(c_unit(parsed, unit), fn, witness)


def replay(parsed: Any, unit: Any, fn: ir.Function, witness: Witness, failing: ir.Assert | None,
           kind: str, timeout_s: float = 5.0) -> ReplayOutcome:  # fmt: skip
    try:
        cunit = c_unit(parsed, unit)
    except Exception as exc:  # noqa: BLE001 -- replay must never break a check
        return ReplayOutcome(None, f"not confirmed (no harness: {type(exc).__name__}: {exc})")
    return _replay(cunit, fn, [Case(witness, kind, failing)], timeout_s)[0]
