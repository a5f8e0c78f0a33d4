"""Python units as callers use them (issue 13): methods, static and class methods, named
lambdas, nested functions (free variables are inputs), transparent decorators, defaults
and keyword-only parameters, leading `if ...: raise` guards, module constants, `divmod`
and `pow`. Every case is differential: the real function under CPython and the lowered
unit under `interpreter.run` must agree on every input of a grid (an exception raised by a
leading guard or assert is `blocked`: the input is outside the preconditions)."""

from __future__ import annotations

import ast
import itertools
import textwrap
from dataclasses import dataclass
from typing import Any

import pytest

from prooflens.analysis import interpreter, ir, syntax
from prooflens.analysis.frontends import python as frontend
from prooflens.analysis.settings import Settings


@dataclass(frozen=True)
class Outcome:
    kind: str  # "returned" | "assertion" | "division-by-zero" | "blocked"
    value: Any = None


def real_callable(source: str, qualname: str, inputs: dict[str, Any]):
    """The real function of unit `qualname` and how to call it: a method gets `None` as
    `self` (the unit does not read it), a nested function is defined alone with its free
    variables as globals taken from `inputs`."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "<prog>", "exec"), namespace)  # noqa: S102 - our own programs
    parts = qualname.split(".")
    if parts[0] in namespace and isinstance(namespace[parts[0]], type):
        raw = namespace[parts[0]].__dict__[parts[1]]
        if isinstance(raw, staticmethod):
            return raw.__func__, ()
        if isinstance(raw, classmethod):
            return raw.__func__, (namespace[parts[0]],)
        return raw, (None,)
    if len(parts) == 1:
        return namespace[qualname], ()
    outer = next(n for n in ast.walk(ast.parse(source))
                 if isinstance(n, ast.FunctionDef) and n.name == parts[0])  # fmt: skip
    inner = next(n for n in ast.walk(outer) if getattr(n, "name", None) == parts[-1]
                 or (isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == parts[-1]))
    local = dict(namespace)
    local.update(inputs)
    exec(compile(ast.Module([inner], []), "<prog>", "exec"), local)  # noqa: S102
    return local[parts[-1]], ()


def real_outcome(source: str, fn: ir.Function, inputs: dict[str, Any]) -> Outcome:
    function, receiver = real_callable(source, fn.name, inputs)
    if isinstance(function, property):
        function = function.fget
    code = getattr(function, "__wrapped__", function).__code__
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    kwargs = {k: v for k, v in inputs.items() if k in names}
    try:
        return Outcome("returned", function(*receiver, **kwargs))
    except (AssertionError, ZeroDivisionError, ValueError) as exc:
        frame = exc.__traceback__
        while frame.tb_next is not None and frame.tb_frame.f_code is not code:
            frame = frame.tb_next
        if frame.tb_lineno in leading_lines(source, fn):
            return Outcome("blocked")
        assert not isinstance(exc, ValueError), "a non-leading raise was lowered"
        kind = "assertion" if isinstance(exc, AssertionError) else "division-by-zero"
        return Outcome(kind)


def leading_lines(source: str, fn: ir.Function) -> set[int]:
    """Lines of the unit's leading asserts and `if ...: raise` guards."""
    node = next((n for n in ast.walk(ast.parse(source))
                 if isinstance(n, ast.FunctionDef) and n.lineno == fn.span.line), None)
    if node is None:  # a named lambda: no statements
        return set()
    leading, _ = frontend._split_body(node.body)
    return {line for stmt in leading for line in range(stmt.lineno, stmt.end_lineno + 1)}


def ir_outcome(fn: ir.Function, inputs: dict[str, Any]) -> Outcome:
    run = interpreter.run(fn, inputs, max_steps=1_000_000)
    if run.outcome == "returned":
        return Outcome("returned", run.value)
    if run.outcome == "failed":
        assert run.failed is not None
        return Outcome(run.failed.kind)
    assert run.outcome == "blocked", (run.outcome, run.detail)
    return Outcome("blocked")


def lower(source: str, name: str) -> ir.Function:
    parsed = syntax.parse(source, "python")
    (unit,) = [u for u in parsed.units if u.name == name]
    fn = frontend.lower(parsed, unit, Settings())
    assert isinstance(fn, ir.Function), getattr(fn, "reason", fn)
    return fn


def check(source: str, name: str, low: int = -7, high: int = 7) -> ir.Function:
    source = textwrap.dedent(source)
    fn = lower(source, name)
    names = [p.name for p in fn.params]
    for values in itertools.product(range(low, high + 1), repeat=len(names)):
        inputs = dict(zip(names, values, strict=True))
        for p in fn.params:
            if p.type == ir.BOOL:
                inputs[p.name] = bool(inputs[p.name] % 2)
        real, lowered = real_outcome(source, fn, inputs), ir_outcome(fn, inputs)
        assert real.kind == lowered.kind and (real.kind != "returned" or (
            real.value == lowered.value and type(real.value) is type(lowered.value))), (
            inputs, real, lowered)  # fmt: skip
    return fn


CASES = {
    "method without self": ("""
        class K:
            def m(self, x, y):
                return x // y + x % y
    """, "K.m", ("x", "y")),
    "static and class methods": ("""
        class K:
            @staticmethod
            def s(x):
                return abs(x) >= x
            @classmethod
            def c(cls, x, y):
                return max(x, y) - min(x, y)
    """, "K.s", ("x",)),
    "class method": ("""
        class K:
            @classmethod
            def c(cls, x, y):
                return max(x, y) - min(x, y, 0)
    """, "K.c", ("x", "y")),
    "property getter": ("""
        class K:
            @property
            def p(self):
                return 3
    """, "K.p", ()),
    "named lambda": ("""
        sq = lambda x, y: x * x - y // 3
    """, "sq", ("x", "y")),
    "lambda in a class": ("""
        class K:
            key = lambda self, x: -x
    """, "K.key", ("x",)),
    "nested function with free variables": ("""
        def outer(k):
            t = k * 2
            def inner(w):
                return w // k + t
            return 1
    """, "outer.inner", ("w", "k", "t")),
    "nested lambda": ("""
        def outer(k):
            f = lambda w: w % k
            return 1
    """, "outer.f", ("w", "k")),
    "defaults and keyword-only parameters": ("""
        def f(a, b=2, *, c=-1, d: bool = False):
            return (a + b) // c if d else a - b * c
    """, "f", ("a", "b", "c", "d")),
    "leading raise guards, with elif": ("""
        def f(a, b):
            '''doc'''
            if b == 0:
                raise ValueError("b")
            elif a < 0 or a // b > 3:
                raise ValueError("a")
            assert a != 5
            return a // b
    """, "f", ("a", "b")),
    "module constants and a global read": ("""
        N = 3
        M = -(N ** 2) + (1 << N)
        FLAG = True
        def f(a):
            global N
            q, r = divmod(a, N)
            assert 0 <= r < N
            return q * N + r == a and M == -1 and FLAG
    """, "f", ("a",)),
    "divmod by a variable": ("""
        def f(a, b):
            q, r = divmod(a, b)
            return q * 10 + r
    """, "f", ("a", "b")),
    "pow with constant exponents": ("""
        E = 3
        def f(a):
            return pow(a, 2) - pow(a, E) + a ** E
    """, "f", ("a",)),
    "transparent functools decorators on a callee": ("""
        import functools
        from functools import lru_cache as memo
        @functools.lru_cache(maxsize=None)
        def g(x):
            return x // 2
        @memo
        def h(x):
            return g(x) + 1
        @functools.cache
        def f(a):
            return h(a) * 2
    """, "f", ("a",)),
    "pass, augmented assignment, elif, chained comparison": ("""
        def f(a, b):
            pass
            a += 1
            if a < b:
                a *= 2
            elif a == b:
                a //= 2
            else:
                a -= b
            return -3 < a <= b
    """, "f", ("a", "b")),
}


@pytest.mark.parametrize(("source", "name", "params"), CASES.values(), ids=CASES.keys())
def test_units_match_cpython(source: str, name: str, params: tuple[str, ...]) -> None:
    fn = check(source, name, low=-6, high=6)
    assert tuple(p.name for p in fn.params) == params


def test_a_method_and_a_nested_function_are_named_by_their_path() -> None:
    fn = lower("class K:\n    def m(self, x):\n        return x\n", "K.m")
    assert fn.name == "K.m" and [p.name for p in fn.params] == ["x"]


def test_default_values_suggest_the_type_but_the_parameter_stays_free() -> None:
    fn = lower("N = 4\ndef f(a=N, b=True, *, c=-2):\n    return a\n", "f")
    assert [(p.name, p.type) for p in fn.params] == [("a", ir.INT), ("b", ir.BOOL),
                                                     ("c", ir.INT)]  # fmt: skip
