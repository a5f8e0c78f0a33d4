"""What every stage of one unit's check reads (DESIGN.md's pipeline): the parse, the
unit, its prepared IR, the settings and the budget of the current stage."""

from __future__ import annotations

from dataclasses import dataclass

from prooflens.analysis import ir, syntax
from prooflens.analysis.settings import Settings
from prooflens.analysis.solver import Budget
from prooflens.analysis.verdicts import Result
from prooflens.analysis.witness import Witness


@dataclass(frozen=True)
class UnitContext:
    parsed: syntax.ParsedFile
    unit: syntax.Unit
    fn: ir.Function
    settings: Settings
    path: str
    budget: Budget  # what the current stage may spend (see `solver`)
    nonlinear: bool = False  # z3 may give up: said in the reason of a timeout

    def call_text(self, witness: Witness) -> str:
        """The witness as a call of this unit's function, as its language writes it."""
        return witness.call_text(self.fn.name, tuple(p.name for p in self.fn.params),
                                 self.fn.language)  # fmt: skip


def unknown(prop: str, line: int, column: int, reason: str) -> Result:
    return Result(prop, line, column, "unknown", f"don't know: {reason}", reason=reason)


def callee_closure(parsed: syntax.ParsedFile, unit: syntax.Unit) -> list[syntax.Unit]:
    """`unit` and every same-file function it calls, directly or not."""
    by_name = {u.name: u for u in parsed.units}
    seen: dict[str, syntax.Unit] = {}
    stack = [unit]
    while stack:
        current = stack.pop()
        if current.name in seen:
            continue
        seen[current.name] = current
        stack.extend(by_name[c] for c in current.callees if c in by_name)
    return list(seen.values())
