"""The C text one unit is checked against: the file's declarations, the unit and the
same-file functions it calls (so syntax errors elsewhere do not matter), with `#line`
markers so that every coordinate is a line of the user's file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# SV-COMP helpers are modelled by the frontend, whatever the file says their body is.
SVCOMP_BUILTINS = frozenset({"reach_error", "__VERIFIER_assert", "__VERIFIER_assume",
                             "__VERIFIER_error"})  # fmt: skip
NONDET_PREFIX = "__VERIFIER_nondet_"


@dataclass(frozen=True)
class Slice:
    """`text`: declarations + callees + the unit; `units`: the function units it holds."""

    text: str
    units: tuple[Any, ...]
    broken: tuple[Any, ...]  # callees with a syntax error


def is_builtin(name: str) -> bool:
    return name in SVCOMP_BUILTINS or name.startswith(NONDET_PREFIX)


def callees_of(parsed: Any, unit: Any) -> list[Any]:
    """Same-file functions `unit` calls, directly or not (SV-COMP helpers excluded)."""
    by_name: dict[str, Any] = {}
    for other in parsed.units:
        by_name.setdefault(other.name, other)
    seen: dict[str, Any] = {unit.name: unit}
    stack = [unit]
    while stack:
        current = stack.pop()
        for name in _called_names(current, by_name):
            if name not in seen and not is_builtin(name):
                seen[name] = by_name[name]
                stack.append(by_name[name])
    return [u for name, u in seen.items() if name != unit.name]


def _called_names(unit: Any, by_name: dict[str, Any]) -> list[str]:
    names = list(getattr(unit, "callees", ()) or ())
    names += [m.group(1) for m in re.finditer(r"\b([A-Za-z_]\w*)\s*\(", unit.text)]
    return [n for n in dict.fromkeys(names) if n in by_name]


def unit_text(unit: Any) -> str:
    """The unit's text placed at its own line and column."""
    column = max(1, int(getattr(unit, "column", 1) or 1))
    return f"#line {unit.line}\n{' ' * (column - 1)}{unit.text}\n"


def build(parsed: Any, unit: Any) -> Slice:
    callees = callees_of(parsed, unit)
    broken = tuple(u for u in callees if getattr(u, "has_error", False))
    parts = [parsed.declarations or "", "\n"]
    ordered = sorted([*callees, unit], key=lambda u: u.line)
    parts += [unit_text(u) for u in ordered]
    return Slice("".join(parts), tuple(ordered), broken)
