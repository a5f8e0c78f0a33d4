"""What an assertion-proof engine answers (`SiteProof`) and how loop invariants read as
its certificate: shared by Spacer (`proof`) and k-induction (`kinduction`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import z3

from prooflens.analysis import ir
from prooflens.analysis.engines import render
from prooflens.analysis.engines.transition import ChcSystem, Predicate, Site


@dataclass(frozen=True)
class SiteProof:
    site: Site
    status: str  # "proved" | "refuted" | "unknown"
    certificate: str | None
    reason: str | None


def invariants_text(fn: ir.Function, system: ChcSystem,
                    formula_of: Callable[[str, Predicate], z3.BoolRef]) -> str | None:  # fmt: skip
    """The loop-head invariants (`formula_of(name, predicate)`) in source syntax, one per
    loop (prefixed by its line when there are several); None when none can be shown."""
    texts = []
    for name, pred in system.predicates.items():
        if name.startswith("inv"):
            formula = formula_of(name, pred)
            text = render.invariant_text(formula, display_names(fn, pred), fn.language)
            if text is not None:
                texts.append((pred.loop.span.line, text))
    if not texts:
        return None
    if len(texts) == 1:
        return texts[0][1]
    return "; ".join(f"line {line}: {text}" for line, text in texts)


def display_names(fn: ir.Function, pred: Predicate) -> dict[str, str]:
    """Source names of a predicate's arguments; hidden temporaries, and inlined copies
    whose source name clashes with another argument's, map to "" (not shown)."""
    shown = {name: fn.display.get(name, "") for name in pred.names if name}
    counts: dict[str, int] = {}
    for label in shown.values():
        counts[label] = counts.get(label, 0) + 1
    names = {}
    for arg, name in zip(pred.args, pred.names, strict=False):
        label = shown.get(name, "")
        if name.startswith(("$", "_pl_")) or ("#" in name and counts.get(label, 0) > 1):
            label = ""
        names[arg.decl().name()] = label
    return names
