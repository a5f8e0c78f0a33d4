"""Runs IR concretely: the source of every trace, and the first check of every witness.

The operators mean exactly what `semantics.py` says they mean in z3.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prooflens.analysis import ir
from prooflens.analysis.verdicts import TraceStep

# Which kind of value a node evaluates to is fixed by its IR type (the IR is well typed).
Value = ir.Value
# Called at every loop-condition test with the loop and the current variable values;
# returning True stops the run with outcome "observed" (used to watch for repeated states).
LoopObserver = Callable[[ir.Loop, dict[str, Value]], bool]

MAX_TRACE = 500


@dataclass(frozen=True)
class Run:
    """How a run ended: "returned" (with `value`), "failed" (the `failed` assert was false),
    "blocked" (an assume was false: the input is outside the preconditions), "undefined"
    (read of a variable never assigned), "out-of-steps", "depth-exceeded" (reached a call
    beyond the inlining bound), "observed" (the loop observer stopped it)."""

    outcome: str
    value: Value | None
    failed: ir.Assert | None
    trace: tuple[TraceStep, ...]
    steps: int
    detail: str = ""
    operands: tuple[Value, ...] = ()  # "failed": the values of `failed.operands` there


class _Stop(Exception):
    def __init__(self, outcome: str, failed: ir.Assert | None = None, detail: str = "",
                 operands: tuple[Value, ...] = ()) -> None:  # fmt: skip
        super().__init__(outcome)
        self.outcome = outcome
        self.failed = failed
        self.detail = detail
        self.operands = operands


@dataclass(frozen=True)
class _Signal:
    kind: str  # "break" | "continue" | "return"
    value: Value | None = None


def run(
    fn: ir.Function,
    inputs: Mapping[str, Value],
    nondet: Iterable[int] = (),
    max_steps: int = 100_000,
    observer: LoopObserver | None = None,
    record: bool = True,
) -> Run:
    """Run `fn` on `inputs` (by parameter name); `nondet` feeds `Havoc`s in order."""
    machine = _Machine(fn, iter(nondet), max_steps, observer, record)
    for param in fn.params:
        machine.env[param.name] = normalize(inputs.get(param.name, 0), param.type)
    try:
        signal = machine.block(fn.body)
    except _Stop as stop:
        return Run(stop.outcome, None, stop.failed, tuple(machine.trace), machine.steps,
                   stop.detail, stop.operands)  # fmt: skip
    except RecursionError:
        return Run("out-of-steps", None, None, tuple(machine.trace), machine.steps,
                   "nesting too deep to run")  # fmt: skip
    value = signal.value if signal is not None and signal.kind == "return" else None
    return Run("returned", value, None, tuple(machine.trace), machine.steps)


class _Machine:
    def __init__(
        self,
        fn: ir.Function,
        nondet: Iterator[int],
        max_steps: int,
        observer: LoopObserver | None,
        record: bool,
    ) -> None:
        self.fn = fn
        self.env: dict[str, Value] = {}
        self.nondet = nondet
        self.max_steps = max_steps
        self.observer = observer
        self.record = record
        self.steps = 0
        self.trace: list[TraceStep] = []

    # -- statements

    def block(self, body: tuple[ir.Stmt, ...]) -> _Signal | None:
        for stmt in body:
            signal = self.stmt(stmt)
            if signal is not None:
                return signal
        return None

    def stmt(self, stmt: ir.Stmt) -> _Signal | None:
        self._tick()
        if isinstance(stmt, ir.Assign):
            self.env[stmt.target] = self.eval(stmt.value)
            self._note(stmt.span)
        elif isinstance(stmt, ir.Havoc):
            self.env[stmt.target] = normalize(next(self.nondet, 0), stmt.type)
            self._note(stmt.span)
        elif isinstance(stmt, ir.Assume):
            if not self.eval(stmt.cond):
                raise _Stop("blocked")
        elif isinstance(stmt, ir.Assert):
            if not self.eval(stmt.cond):
                self._note(stmt.span)
                raise _Stop("failed", stmt, operands=tuple(self.eval(e) for e in stmt.operands))
        elif isinstance(stmt, ir.If):
            taken = stmt.then if self.eval(stmt.cond) else stmt.orelse
            return self.block(taken)
        elif isinstance(stmt, ir.Loop):
            return self.loop(stmt)
        elif isinstance(stmt, ir.Break):
            return _Signal("break")
        elif isinstance(stmt, ir.Continue):
            return _Signal("continue")
        elif isinstance(stmt, ir.Return):
            value = None if stmt.value is None else self.eval(stmt.value)
            self._note(stmt.span)
            return _Signal("return", value)
        elif isinstance(stmt, ir.Inline):
            return self.inline(stmt)
        return None

    def loop(self, loop: ir.Loop) -> _Signal | None:
        first = True
        while True:
            if loop.test_first or not first:
                if self.observer is not None and self.observer(loop, dict(self.env)):
                    raise _Stop("observed")
                self._tick()
                holds = self.eval(loop.cond)
                self._note(loop.span)
                if not holds:
                    return None
            first = False
            signal = self.block(loop.body)
            if signal is not None and signal.kind in ("break", "return"):
                return None if signal.kind == "break" else signal
            self.block(loop.update)

    def inline(self, call: ir.Inline) -> _Signal | None:
        if call.depth_exceeded:
            raise _Stop("depth-exceeded", detail=f"call to {call.callee} beyond the inlining bound")
        signal = self.block(call.body)
        if call.target is not None:
            value = signal.value if signal is not None and signal.kind == "return" else None
            if value is None:
                raise _Stop("undefined", detail=f"{call.callee} returned no value")
            self.env[call.target] = value
        return None

    # -- expressions

    def eval(self, expr: ir.Expr) -> Value:
        if isinstance(expr, ir.MEM_NODES):  # C memory
            return mem_op(expr, [self.eval(e) for e in ir.mem_children(expr)])
        if isinstance(expr, ir.Var) and isinstance(expr.type, ir.ArrayType) and \
                expr.name not in self.env:  # C memory: an uninitialized array reads as 0s
            return ir.ArrayValue(_scalar(normalize(0, expr.type.elem)))  # fmt: skip
        if isinstance(expr, ir.Const):
            return normalize(expr.value, expr.type)
        if isinstance(expr, ir.Var):
            if expr.name not in self.env:
                raise _Stop("undefined", detail=f"read of unassigned variable {expr.name}")
            return self.env[expr.name]
        if isinstance(expr, ir.Unary):
            return unary(expr.op, self.eval(expr.operand), expr.type)
        if isinstance(expr, ir.Binary):
            left, right = self.eval(expr.left), self.eval(expr.right)
            return binary(expr.op, left, right, expr.left.type, expr.type, expr.right.type)
        if isinstance(expr, ir.Ite):
            return self.eval(expr.then) if self.eval(expr.cond) else self.eval(expr.orelse)
        if isinstance(expr, ir.SEQ_NODES):
            return seq_op(expr, [self.eval(e) for e in ir.seq_children(expr)])
        if isinstance(expr, ir.FLOAT_NODES):
            return float_op(expr, [self.eval(e) for e in ir.float_children(expr)])
        return cast(self.eval(expr.operand), expr.operand.type, expr.type)

    # -- bookkeeping

    def _tick(self) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            raise _Stop("out-of-steps", detail=f"no end within {self.max_steps} steps")

    def _note(self, span: ir.Span) -> None:
        if not self.record or len(self.trace) >= MAX_TRACE or span.line <= 0:
            return
        step = TraceStep(span.line, visible_values(self.fn, self.env))
        if not self.trace or self.trace[-1] != step:  # one step per line, not per temp
            self.trace.append(step)


def visible_values(fn: ir.Function, env: dict[str, Value]) -> dict[str, Value | list[Value]]:
    """The variables a user recognises: source identifiers (no renamed or hidden temps);
    a Python list is shown as a list."""
    shown: dict[str, Value | list[Value]] = {}
    for name, value in env.items():
        label = fn.display.get(name, name)
        if name.isidentifier() and not name.startswith("_pl_"):
            t = fn.variables.get(name)
            is_list = isinstance(t, ir.SeqType) and t.kind == "list"
            shown[label] = list(_items(value)) if is_list else value
    return shown


# ---------------------------------------------------------------- concrete operators
# The IR is well typed, so the Python type of a value follows from its IR type; these
# name that fact where an operator needs it (they convert nothing).


if TYPE_CHECKING:

    def _int(value: Value) -> int:
        """A value of an integer or truth type (an int or a bool) as an int."""
        return int(typing.cast(int, value))

else:
    _int = int  # the same at run time, without a call on the hot path


def _scalar(value: Value) -> int | bool:
    """A value of a C scalar type (an array element): an int or a bool."""
    return typing.cast("int | bool", value)


def _items(value: Value) -> Iterable[Value]:
    """The items of a value of a sequence type (a str or a tuple; a list from JSON)."""
    return typing.cast("Iterable[Value]", value)


def normalize(value: Value, t: ir.Type) -> Value:
    """`value` as a member of type `t` (BVs wrap into their range)."""
    if isinstance(t, ir.ArrayType):  # C memory
        return normalize_array(value, t)
    if isinstance(t, ir.BoolType):
        return bool(value)
    if isinstance(t, ir.IntType):
        return _int(value)
    if isinstance(t, ir.SeqType):
        return value if t.elem is None else tuple(normalize(v, t.elem) for v in _items(value))
    if isinstance(t, ir.FloatType):
        return float(typing.cast(float, value))
    number = _int(value) & ((1 << t.width) - 1)
    if t.signed and number > t.max:
        number -= 1 << t.width
    return number


def unary(op: str, value: Value, t: ir.Type) -> Value:
    if op == "not":
        return not value
    if op == "neg":
        return normalize(-_int(value), t)
    if op == "bnot":
        return normalize(~_int(value), t)
    raise ValueError(f"unknown unary operator {op}")


def binary(
    op: str, a: Value, b: Value, operand: ir.Type, result: ir.Type, right: ir.Type | None = None
) -> Value:
    if op == "and":
        return bool(a) and bool(b)
    if op == "or":
        return bool(a) or bool(b)
    if op == "implies":
        return (not a) or bool(b)
    if op in ir.COMPARE_OPS:
        return _compare(op, _int(a), _int(b))
    if op in ("shl", "shr") and isinstance(right, ir.BVType):
        b = _unsigned(_int(b), right)  # z3 reads a count's bits as unsigned
    return normalize(_arith(op, _int(a), _int(b), operand), result)


def _compare(op: str, a: int, b: int) -> bool:
    return {
        "eq": a == b, "ne": a != b, "lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b,
    }[op]  # fmt: skip


def _arith(op: str, a: int, b: int, t: ir.Type) -> int:
    """Exact integer result before wrapping; division by zero yields 0 (always guarded by
    an assert that fails first, so the value is never observed)."""
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        return a * b
    if op in ("floordiv", "floormod", "div", "rem") and b == 0:
        return 0
    if op == "floordiv":
        return a // b
    if op == "floormod":
        return a % b
    if op == "div":
        q = abs(a) // abs(b)
        return q if (a < 0) == (b < 0) else -q
    if op == "rem":
        q = abs(a) // abs(b)
        return a - b * (q if (a < 0) == (b < 0) else -q)
    if op in ("band", "bor", "bxor"):
        a, b = _unsigned(a, t), _unsigned(b, t)
        return {"band": a & b, "bor": a | b, "bxor": a ^ b}[op]
    if op == "shl":
        return _unsigned(a, t) << _shift_count(b, t)
    if op == "shr":
        count = _shift_count(b, t)
        return a >> count if isinstance(t, ir.BVType) and t.signed else _unsigned(a, t) >> count
    raise ValueError(f"unknown operator {op}")


def _unsigned(value: int, t: ir.Type) -> int:
    return value & ((1 << t.width) - 1) if isinstance(t, ir.BVType) else value


def _shift_count(count: int, t: ir.Type) -> int:
    """z3 shifts by the count as an unsigned number of the value's width; counts >= width
    give 0 (or all sign bits). Such shifts are guarded by asserts, but agree anyway."""
    if not isinstance(t, ir.BVType):
        return count
    count &= (1 << t.width) - 1
    return min(count, t.width)


# ------------------------------------------------------------------------ C memory


def mem_op(expr: ir.MemExpr, args: list[Any]) -> Value:
    """A memory node on its evaluated operands (`ir.mem_children` order; an array operand
    is an `ir.ArrayValue`)."""
    if isinstance(expr, ir.Select):
        return args[0].get(args[1])
    if isinstance(expr, ir.Store):
        return args[0].set(args[1], args[2])
    return ir.ArrayValue(args[0])


def normalize_array(value: Value | list[Any], t: ir.ArrayType) -> ir.ArrayValue:
    """An `ArrayValue` (or its JSON form, a pair) with every element in `t.elem`."""
    default, items = (value[0], value[1]) if isinstance(value, tuple | list) else (0, ())
    return ir.ArrayValue(_scalar(normalize(default, t.elem)),
                         tuple((int(k) & (2**64 - 1), normalize(v, t.elem)) for k, v in items))


def cast(value: Value, source: ir.Type, target: ir.Type) -> Value:
    if isinstance(target, ir.BoolType):
        return bool(value)
    return normalize(_int(value), target)


# ------------------------------------------------------------------ Python sequences


_DIGITS_LIMIT = 10**4300  # str() of an int below this in magnitude (CPython's default)


def seq_op(expr: ir.SeqExpr, args: list[Any]) -> Value:
    """A sequence node on its evaluated operands (`ir.seq_children` order), as Python does
    it; a str is a str, a list or tuple a tuple (each operand's Python type follows from
    its IR type)."""
    if isinstance(expr, ir.StrLit):
        return expr.value
    if isinstance(expr, ir.SeqLit):
        return tuple(args)
    if isinstance(expr, ir.SeqLen):
        return len(args[0])
    if isinstance(expr, ir.IntToStr):  # past the digit limit: never observed (checked first)
        return str(args[0]) if abs(args[0]) < _DIGITS_LIMIT else ""
    if isinstance(expr, ir.SeqAt):
        seq, index = args
        if isinstance(seq, str):
            return seq[index : index + 1] if index >= 0 else ""  # z3's str.at
        return seq[index] if 0 <= index < len(seq) else _default(expr.type)
    if isinstance(expr, ir.SeqSlice):
        bounds = iter(args[1:])
        start = next(bounds) if expr.start is not None else None
        stop = next(bounds) if expr.stop is not None else None
        return args[0][start:stop]
    if isinstance(expr, ir.SeqConcat):
        return args[0] + args[1]
    if isinstance(expr, ir.SeqContains):
        seq, item = args
        return item in seq
    if isinstance(expr, ir.SeqUpdate):
        seq, index, value = args
        return seq[:index] + (value,) + seq[index + 1 :]
    return args[0] == args[1]


def _default(t: ir.Type) -> Value:
    """A value for an unspecified result (an item read out of range: never observed,
    because a failing check always comes first)."""
    if isinstance(t, ir.SeqType):
        return "" if t.elem is None else ()
    return False if isinstance(t, ir.BoolType) else 0


# --------------------------------------------------------------------- Python floats


def float_op(expr: ir.FloatExpr, args: list[Any]) -> Value:
    """A float node on its evaluated operands, as CPython computes it (each operand's
    Python type follows from its IR type)."""
    if isinstance(expr, ir.FloatLit):
        return expr.value
    if isinstance(expr, ir.IntToFloat):
        if expr.divisor is not None:
            return _int_true_div(args[0], args[1])
        return _int_to_float(args[0])
    if isinstance(expr, ir.FloatCmp):
        return _compare_exact(expr.op, args[0], args[1])
    if expr.op == "neg":
        return -args[0]
    if expr.op == "abs":
        return abs(args[0])
    a, b = args
    if expr.op == "div":
        return a / b if b != 0 else math.nan  # guarded: never observed
    return {"add": a + b, "sub": a - b, "mul": a * b}[expr.op]


def _int_to_float(n: int) -> float:
    try:
        return float(n)
    except OverflowError:  # guarded: never observed; z3 rounds to an infinity
        return math.inf if n > 0 else -math.inf


def _int_true_div(a: int, b: int) -> float:
    """Python's `a / b` on ints: the exact quotient correctly rounded."""
    if b == 0:
        return math.nan  # guarded: never observed
    try:
        return a / b
    except OverflowError:  # guarded: never observed
        return math.inf if (a > 0) == (b > 0) else -math.inf


def _compare_exact(op: str, a: float, b: float) -> bool:
    """Python's own comparison: exact between an int and a float, NaN unequal."""
    return {"eq": a == b, "ne": a != b, "lt": a < b, "le": a <= b, "gt": a > b,
            "ge": a >= b}[op]  # fmt: skip
