"""Where a check spends its time, measured from the outside: the bench process (or its
worker) wraps a few prooflens and z3 entry points with timers. Nothing in `analysis/` is
changed; the wrappers are installed only inside the benchmark's own processes.

Time is exclusive: a z3 call made while encoding counts as z3, not as encoding.
"""

from __future__ import annotations

import ast
import functools
import time
import types
from collections.abc import Callable
from typing import Any

# bmc / proof / termination: each engine's own Python work (encoding IR to z3 terms,
# unrolling, CHC systems, ranking search), without the time spent inside z3 calls.
PHASES = ("parse", "lower", "bmc", "proof", "termination", "z3", "replay", "other")


class PhaseClock:
    """A stack of phases; elapsed time is charged to the phase on top."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        self._stack: list[str] = []
        self._mark = time.perf_counter()

    def reset(self) -> None:
        self.totals = dict.fromkeys(PHASES, 0.0)
        self._stack = []
        self._mark = time.perf_counter()

    def _charge(self) -> None:
        now = time.perf_counter()
        if self._stack:
            self.totals[self._stack[-1]] += now - self._mark
        self._mark = now

    def enter(self, phase: str) -> None:
        self._charge()
        self._stack.append(phase)

    def leave(self) -> None:
        self._charge()
        self._stack.pop()

    def wrap(self, phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        """`fn`, with its running time charged to `phase`."""
        if getattr(fn, "_bench_phase", None):
            return fn

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.enter(phase)
            try:
                return fn(*args, **kwargs)
            finally:
                self.leave()

        timed._bench_phase = phase  # type: ignore[attr-defined]
        return timed

    def milliseconds(self) -> dict[str, float]:
        return {k: round(v * 1000, 3) for k, v in self.totals.items()}


CLOCK = PhaseClock()


def _patch(owner: Any, name: str, phase: str) -> bool:
    original = getattr(owner, name, None)
    if original is None:
        return False
    setattr(owner, name, CLOCK.wrap(phase, original))
    return True


def _proxy_module(module: types.ModuleType, wrapped: dict[str, str]) -> types.SimpleNamespace:
    """A stand-in for `module` whose listed functions are timed (so only the caller that
    holds the proxy is measured, not every other user of the module)."""
    names = {k: v for k, v in vars(module).items() if not k.startswith("__")}
    for name, phase in wrapped.items():
        if name in names:
            names[name] = CLOCK.wrap(phase, names[name])
    return types.SimpleNamespace(**names)


def install() -> list[str]:
    """Install the timers in this process; returns what was instrumented (for the report)."""
    import z3

    from prooflens.analysis import check, interpreter, passes, syntax

    done = []
    for owner, name, phase in (
        (z3.Solver, "check", "z3"),
        (z3.Fixedpoint, "query", "z3"),
        (z3.Optimize, "check", "z3"),
        (z3, "simplify", "z3"),
        (z3.z3, "simplify", "z3"),
        (syntax, "parse", "parse"),
        (ast, "parse", "parse"),
        (passes, "prepare", "lower"),
    ):
        if _patch(owner, name, phase):
            done.append(f"{getattr(owner, '__name__', owner)}.{name} -> {phase}")
    done.extend(_install_frontends())
    done.extend(_install_engines())
    check.interpreter = _proxy_module(interpreter, {"run": "replay"})  # type: ignore[assignment]
    done.append("check: interpreter.run -> replay")
    for name in ("_replay_real", "_confirm_nontermination"):
        if _patch(check, name, "replay"):
            done.append(f"check.{name} -> replay")
    return done


def _install_frontends() -> list[str]:
    done = []
    try:
        from prooflens.analysis.frontends import python as py_frontend

        if _patch(py_frontend, "lower", "lower"):
            done.append("frontends.python.lower -> lower")
    except ImportError:
        pass
    try:
        from prooflens.analysis.frontends import c as c_frontend

        if _patch(c_frontend, "lower", "lower"):
            done.append("frontends.c.lower -> lower")
        import pycparser.c_parser

        if _patch(pycparser.c_parser.CParser, "parse", "parse"):
            done.append("pycparser.CParser.parse -> parse")
    except ImportError:
        pass
    return done


def _install_engines() -> list[str]:
    """The engines' own work (building z3 terms, CHC systems, rankings), per engine."""
    done = []
    for module_name, names in (
        ("bmc", ("check", "can_hold")),
        ("proof", ("prove_asserts",)),
        ("termination", ("check_termination",)),
    ):
        try:
            module = __import__(f"prooflens.analysis.engines.{module_name}", fromlist=["x"])
        except ImportError:
            continue
        for name in names:
            if _patch(module, name, module_name):
                done.append(f"engines.{module_name}.{name} -> {module_name}")
    return done
