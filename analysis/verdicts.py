"""Result types: plain, frozen, JSON-serialisable data (the report schema of DESIGN.md).

Lines and columns are 1-based. `to_json` gives exactly the stable report contract.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Property(StrEnum):
    """What a result is about (the report's `property`; equal to its string)."""

    ASSERTION = "assertion"
    TERMINATION = "termination"
    ALWAYS_TRUE = "always-true"
    DIVISION_BY_ZERO = "division-by-zero"
    SIGNED_OVERFLOW = "signed-overflow"
    SHIFT_OUT_OF_RANGE = "shift-out-of-range"
    ARRAY_OUT_OF_BOUNDS = "array-out-of-bounds"
    EXCEPTION = "exception"  # Python: an exception the function does not catch
    # C memory: an access through a pointer outside its object; `*p` on NULL; the last two
    # are reserved for malloc/free (named, replay classifies them, not produced yet).
    OUT_OF_BOUNDS = "out-of-bounds"
    NULL_DEREFERENCE = "null-dereference"
    USE_AFTER_FREE = "use-after-free"
    INVALID_FREE = "invalid-free"
    UNSUPPORTED = "unsupported"


class Status(StrEnum):
    """The answer (the report's `status`; equal to its string). `tested` is in the
    contract (no failure on N generated inputs) but not produced yet."""

    PROVED = "proved"
    REFUTED = "refuted"
    BOUNDED = "bounded"
    TESTED = "tested"
    UNKNOWN = "unknown"


PROPERTIES = tuple(p.value for p in Property)
STATUSES = ("proved", "refuted", "bounded", "unknown")
REPORT_VERSION = 1


def json_values(values: dict[str, Any]) -> dict[str, Any]:
    """Values as JSON values, except what JSON cannot say: ints past ~4000 digits become
    hex strings ("0x..."; Python refuses to print them in decimal), the floats NaN and
    infinity become the strings "nan", "inf", "-inf" (json.dumps would write the bare
    `NaN`, which is not JSON), tuples become arrays."""
    return {name: _json_value(value) for name, value in values.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 13_000:
        return ("-" if value < 0 else "") + hex(abs(value))
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value


@dataclass(frozen=True)
class TraceStep:
    """One executed statement of a concrete run: its line and the values after it (the
    language's concrete values, as in a witness: see `json_values`)."""

    line: int
    values: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "values": json_values(self.values)}


@dataclass(frozen=True)
class StopsBy:
    """The failing check that stops a loop which never ends in mathematical integers."""

    property: str
    line: int


@dataclass(frozen=True)
class LoopEvidence:
    """How a loop was seen not to stop; what the watcher of a real run checks.

    "state repeats": the state (`state`, source names) after `after` iterations recurs
    every `period` (`fixed_point`: period 1). "recurrent set": once inside `region` (a
    condition in source syntax), every iteration stays there (`visits` watched).
    "undefined behaviour": a C loop endless in mathematical integers (`stops_by`: the
    check where the compiled run stops, when seen in the model run)."""

    kind: str
    period: int | None = None
    after: int | None = None
    state: tuple[str, ...] | None = None
    fixed_point: bool | None = None
    region: str | None = None
    visits: int | None = None
    loop_lines: tuple[int, int] | None = None  # first and last line of the loop statement
    stops_by: StopsBy | None = None

    def shifted(self, lines: int) -> LoopEvidence:
        moved = self.loop_lines and (self.loop_lines[0] + lines, self.loop_lines[1] + lines)
        stops = self.stops_by and replace(self.stops_by, line=self.stops_by.line + lines)
        return replace(self, loop_lines=moved or None, stops_by=stops or None)


@dataclass(frozen=True)
class Evidence:
    """What backs a result beyond its message: the real run (`replay`: what it showed;
    `harness`: the program or regression test that reproduces it), C's nondeterministic
    values, whether an always-true check fails on every input, how a loop was seen not to
    stop, why the server could not finish a job, and what the unit assumed of its inputs.
    JSON: the report's `details`."""

    replay: str | None = None
    harness: str | None = None
    nondet: tuple[int, ...] = ()
    always_false: bool = False
    loop: LoopEvidence | None = None
    server: str | None = None
    assumed: tuple[str, ...] = ()  # what the unit assumed of its inputs beyond `int`
    explicit_raise: bool = False  # Python: the failure is a `raise` the code itself states
    extreme: bool = False  # the failing check fails only at extreme inputs (`ir.Assert`)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.loop is not None:
            data["kind"] = self.loop.kind
        if self.replay is not None:
            data["replay"] = self.replay
        if self.always_false:
            data["always_false"] = True
        if self.nondet:
            data["nondet"] = list(self.nondet)
        if self.loop is not None:
            data.update(_loop_json(self.loop))
        if self.harness is not None:
            data["harness"] = self.harness
        if self.server is not None:
            data["server"] = self.server
        if self.assumed:
            data["assumed"] = list(self.assumed)
        if self.explicit_raise:
            data["explicit_raise"] = True
        if self.extreme:
            data["extreme_value"] = True
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> Evidence:
        loop = None
        if "kind" in data:
            lines = data.get("loop_lines")
            stops = data.get("stops_by")
            loop = LoopEvidence(
                data["kind"], data.get("period"), data.get("after"),
                tuple(data["state"]) if "state" in data else None, data.get("fixed point"),
                data.get("set"), data.get("visits"),
                (int(lines[0]), int(lines[1])) if lines else None,
                StopsBy(stops["property"], stops["line"]) if stops else None)  # fmt: skip
        return Evidence(data.get("replay"), data.get("harness"), tuple(data.get("nondet", ())),
                        bool(data.get("always_false", False)), loop, data.get("server"),
                        tuple(data.get("assumed", ())),
                        bool(data.get("explicit_raise", False)),
                        bool(data.get("extreme_value", False)))  # fmt: skip

    def shifted(self, lines: int) -> Evidence:
        return replace(self, loop=self.loop.shifted(lines)) if self.loop else self


def _loop_json(loop: LoopEvidence) -> dict[str, Any]:
    """A loop's evidence under the report's keys (`set` and `fixed point` as before)."""
    fields = {"period": loop.period, "after": loop.after,
              "state": list(loop.state) if loop.state is not None else None,
              "fixed point": loop.fixed_point, "set": loop.region, "visits": loop.visits,
              "loop_lines": list(loop.loop_lines) if loop.loop_lines else None,
              "stops_by": ({"property": loop.stops_by.property, "line": loop.stops_by.line}
                           if loop.stops_by else None)}  # fmt: skip
    return {key: value for key, value in fields.items() if value is not None}


@dataclass(frozen=True)
class Result:
    """The verdict on one property at one place.

    proved: `certificate` may say why (invariant, ranking function).
    refuted: `witness` (inputs), `trace`, `confirmed` (replayed for real?).
    bounded: `bound` (no failure within that many loop iterations / call depth).
    unknown: `reason`.
    """

    property: str
    line: int
    column: int
    status: str
    message: str
    witness: dict[str, Any] | None = None
    confirmed: bool | None = None
    trace: tuple[TraceStep, ...] = ()
    certificate: str | None = None
    bound: int | None = None
    reason: str | None = None
    time_ms: float = 0.0
    evidence: Evidence = field(default_factory=Evidence)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "property": self.property,
            "line": self.line,
            "column": self.column,
            "status": self.status,
            "message": self.message,
            "witness": json_values(self.witness) if self.witness is not None else None,
            "confirmed": self.confirmed,
            "trace": [step.to_json() for step in self.trace],
            "certificate": self.certificate,
            "bound": self.bound,
            "reason": self.reason,
            "time_ms": round(self.time_ms, 3),
        }
        details = self.evidence.to_json()
        if details:
            data["details"] = details
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> Result:
        return Result(
            property=data["property"],
            line=data["line"],
            column=data["column"],
            status=data["status"],
            message=data["message"],
            witness=data.get("witness"),
            confirmed=data.get("confirmed"),
            trace=tuple(TraceStep(s["line"], s["values"]) for s in data.get("trace", [])),
            certificate=data.get("certificate"),
            bound=data.get("bound"),
            reason=data.get("reason"),
            time_ms=data.get("time_ms", 0.0),
            evidence=Evidence.from_json(data.get("details", {})),
        )

    def shifted(self, lines: int) -> Result:
        """The same result for the unit moved down by `lines` (re-anchoring). Every line
        the texts mention moves too: unit keys fix the places of the unit's callees
        relative to it (`syntax.unit_key`), so whatever it mentions moved with it."""
        evidence = self.evidence.shifted(lines)
        return replace(
            self,
            line=self.line + lines,
            message=shift_mentions(self.message, lines),
            trace=tuple(TraceStep(s.line + lines, s.values) for s in self.trace),
            certificate=self.certificate and shift_mentions(self.certificate, lines),
            reason=self.reason and shift_mentions(self.reason, lines),
            evidence=replace(evidence, replay=evidence.replay
                             and shift_mentions(evidence.replay, lines)),  # fmt: skip
        )


# How every text of a result names a source line: "line 5", "lines 5, 7" (not "#line").
_MENTION = re.compile(r"(?<![#\w])(lines? )(\d+(?:, \d+)*)")


def shift_mentions(text: str, lines: int) -> str:
    """`text` with every line it mentions moved down by `lines`."""
    def moved(match: re.Match[str]) -> str:
        numbers = (str(int(n) + lines) for n in match.group(2).split(", "))
        return match.group(1) + ", ".join(numbers)

    return _MENTION.sub(moved, text) if lines else text


@dataclass(frozen=True)
class FunctionReport:
    """One function's results. `always_true_requested`: the programmer said the function
    must always return True (see `presentation.always_true_requested`); written to JSON
    only when set, so reports of other functions keep their exact shape."""

    name: str
    line: int
    end_line: int
    results: tuple[Result, ...] = ()
    time_ms: float = 0.0
    always_true_requested: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "line": self.line,
            "end_line": self.end_line,
            "results": [r.to_json() for r in self.results],
        }
        if self.always_true_requested:
            data["always_true_requested"] = True
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> FunctionReport:
        return FunctionReport(
            name=data["name"],
            line=data["line"],
            end_line=data["end_line"],
            results=tuple(Result.from_json(r) for r in data["results"]),
            always_true_requested=bool(data.get("always_true_requested", False)),
        )

    def shifted(self, lines: int) -> FunctionReport:
        return replace(
            self,
            line=self.line + lines,
            end_line=self.end_line + lines,
            results=tuple(r.shifted(lines) for r in self.results),
        )


@dataclass(frozen=True)
class SyntaxError_:
    """A syntax error found by the parser (named so as not to shadow the builtin)."""

    line: int
    column: int
    message: str
    end_line: int = 0
    end_column: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class FileReport:
    path: str
    language: str
    syntax_errors: tuple[SyntaxError_, ...] = ()
    functions: tuple[FunctionReport, ...] = ()
    error: str | None = None  # the file could not be read or analysed at all

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "language": self.language,
            "syntax_errors": [e.to_json() for e in self.syntax_errors],
            "functions": [f.to_json() for f in self.functions],
        }
        if self.error:
            data["error"] = self.error
        return data


def report_json(files: list[FileReport], tool: str) -> dict[str, Any]:
    return {"version": REPORT_VERSION, "tool": tool, "files": [f.to_json() for f in files]}
