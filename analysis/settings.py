"""What a check is asked to do: depth, budget, which properties. Part of every unit key."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Properties that can be switched off; assertions and always-true are always checked.
OPTIONAL_CHECKS = ("division-by-zero", "signed-overflow", "shift-out-of-range",
                   "array-out-of-bounds", "termination")  # fmt: skip


@dataclass(frozen=True)
class Settings:
    """`deep` adds unbounded proofs and termination; quick mode is bounded model checking
    with a small bound and budget, for checks while typing."""

    unwind: int = 10
    timeout_s: float = 10.0
    deep: bool = True
    replay: bool = True
    inline_depth: int = 3
    checks: frozenset[str] = field(default_factory=lambda: frozenset(OPTIONAL_CHECKS))

    @staticmethod
    def quick(**overrides: Any) -> Settings:
        base: dict[str, Any] = {"unwind": 5, "timeout_s": 2.0, "deep": False}
        base.update(overrides)
        return Settings(**base)

    def enabled(self, prop: str) -> bool:
        return prop not in OPTIONAL_CHECKS or prop in self.checks

    def fingerprint(self) -> str:
        """A stable text of every field (for cache keys)."""
        data = asdict(self)
        data["checks"] = sorted(self.checks)
        return repr(sorted(data.items()))
