"""The server's settings (section `prooflens`), parsed tolerantly from client JSON, and
the analysis `Settings` they imply for quick (while typing) and deep (on save) checks."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

from prooflens.analysis.settings import OPTIONAL_CHECKS, Settings

MODES = ("onChange", "onSave", "manual")
QUICK_MAX_UNWIND = 5
QUICK_MAX_TIMEOUT_S = 2.0
# Client name of a check -> property name of the analysis layer.
CHECK_NAMES = {
    "overflow": "signed-overflow",
    "divisionByZero": "division-by-zero",
    "shifts": "shift-out-of-range",
    "arrayBounds": "array-out-of-bounds",
    "termination": "termination",
}


@dataclass(frozen=True)
class ServerConfig:
    """Every setting of the LSP contract, with its default."""

    mode: str = "onChange"
    debounce_ms: int = 300
    unwind: int = 10
    timeout_s: float = 10.0
    workers: int = 0
    memory_mb: int = 2048
    checks: frozenset[str] = field(default_factory=lambda: frozenset(OPTIONAL_CHECKS))
    replay: bool = True
    inlay_hints: bool = True

    def worker_count(self) -> int:
        """`workers`, or cores - 1 (at least 1) when 0."""
        if self.workers > 0:
            return self.workers
        return max(1, (os.cpu_count() or 2) - 1)

    def deep_settings(self, timeout_s: float | None = None) -> Settings:
        """Settings of a deep check (optionally with a larger budget)."""
        return Settings(
            unwind=self.unwind,
            timeout_s=timeout_s if timeout_s is not None else self.timeout_s,
            deep=True,
            replay=self.replay,
            checks=self.checks,
        )

    def quick_settings(self) -> Settings:
        """Settings of a quick check: small unwinding and budget, no proofs."""
        return Settings.quick(
            unwind=min(self.unwind, QUICK_MAX_UNWIND),
            timeout_s=min(self.timeout_s, QUICK_MAX_TIMEOUT_S),
            replay=self.replay,
            checks=self.checks,
        )


def parse_config(data: Any, base: ServerConfig | None = None) -> tuple[ServerConfig, list[str]]:
    """`base` updated from the client's JSON object; bad values are ignored and reported
    (second element) rather than refused, so a typo never stops the server."""
    config = base or ServerConfig()
    problems: list[str] = []
    if data is None:
        return config, problems
    if not isinstance(data, dict):
        return config, [f"settings must be an object, got {type(data).__name__}"]
    updates: dict[str, Any] = {}
    for name, (attr, parse) in _FIELDS.items():
        if name not in data or data[name] is None:
            continue
        value = parse(data[name])
        if value is None:
            problems.append(f"ignored bad value for {name}: {data[name]!r}")
        else:
            updates[attr] = value
    if "checks" in data and data["checks"] is not None:
        checks, bad = _checks(data["checks"], config.checks)
        updates["checks"] = checks
        problems.extend(bad)
    return replace(config, **updates), problems


def _int_in(low: int, high: int):
    def parse(value: Any) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        number = int(value)
        return number if low <= number <= high and number == value else None

    return parse


def _positive_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 < value <= 3600 else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _mode(value: Any) -> str | None:
    return value if value in MODES else None


_FIELDS = {
    "mode": ("mode", _mode),
    "debounceMs": ("debounce_ms", _int_in(0, 60_000)),
    "unwind": ("unwind", _int_in(1, 10_000)),
    "timeoutSeconds": ("timeout_s", _positive_float),
    "workers": ("workers", _int_in(0, 256)),
    "memoryMb": ("memory_mb", _int_in(64, 1 << 20)),
    "replay": ("replay", _bool),
    "inlayHints": ("inlay_hints", _bool),
}


def _checks(data: Any, current: frozenset[str]) -> tuple[frozenset[str], list[str]]:
    """The enabled optional checks after applying `{"overflow": false, ...}`."""
    if not isinstance(data, dict):
        return current, [f"ignored bad value for checks: {data!r}"]
    enabled = set(current)
    problems = []
    for name, value in data.items():
        prop = CHECK_NAMES.get(name)
        if prop is None or not isinstance(value, bool):
            problems.append(f"ignored bad check setting {name}: {value!r}")
        elif value:
            enabled.add(prop)
        else:
            enabled.discard(prop)
    return frozenset(enabled), problems
