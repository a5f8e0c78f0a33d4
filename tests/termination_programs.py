"""Abstract loop programs for tests/test_termination_soundness.py: one program renders to the
source prooflens checks (Python or C) and to an oracle (a Python module) that runs it in
mathematical integers with an iteration cap.

Oracle semantics. Python: the program itself (unbounded ints, floor `//` and `%`). C: signed
arithmetic is unbounded (a result outside its type's range is recorded as an overflow and
the run goes on with the exact value), unsigned arithmetic is modulo 2^w, integer
promotions and the usual arithmetic conversions (LP64), `/` and `%` truncate, and
narrowing to a signed type wraps (gcc's implementation-defined choice, which prooflens
models too). Every loop counts its iterations per activation and records its function's
state at its head: a repeated state, or more than `CAP` iterations, stops the run and
names every loop active at that moment (those loops do not stop on that input).

Generator discipline (what makes "capped" trustworthy): for inputs of magnitude at most
`SMALL` (and the programs' own constants), every generated loop that stops does so within
`CAP` iterations, and nested loops stay within `BUDGET` iterations in all.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from hypothesis import strategies as st

CAP = 70_000  # iterations of one loop activation (a short wrap needs 65,535)
BUDGET = 400_000  # iterations of all loops of one run
SMALL = 300  # inputs of at most this magnitude: a capped run is a loop that does not stop

# ---------------------------------------------------------------------------- C types

CTYPES: dict[str, tuple[int, bool, int]] = {  # name -> (bits, signed, rank)
    "signed char": (8, True, 1), "unsigned char": (8, False, 1),
    "short": (16, True, 2), "unsigned short": (16, False, 2),
    "int": (32, True, 3), "unsigned": (32, False, 3),
    "long": (64, True, 4), "unsigned long": (64, False, 4),
}  # fmt: skip
UNSIGNED_OF = {"int": "unsigned", "long": "unsigned long"}


def type_range(ctype: str) -> tuple[int, int]:
    """The values of a C integer type."""
    bits, signed, _ = CTYPES[ctype]
    return (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)


def promote(ctype: str) -> str:
    """Integer promotion: every type narrower than int becomes int."""
    return "int" if CTYPES[ctype][2] < 3 else ctype


def common_type(left: str, right: str) -> str:
    """The usual arithmetic conversions (LP64)."""
    a, b = promote(left), promote(right)
    if a == b:
        return a
    (abits, asigned, arank), (bbits, bsigned, brank) = CTYPES[a], CTYPES[b]
    if asigned == bsigned:
        return a if arank > brank else b
    (u, urank), (s, srank, sbits) = ((a, arank), (b, brank, bbits)) if not asigned else \
        ((b, brank), (a, arank, abits))  # fmt: skip
    if urank >= srank:
        return u
    return s if sbits > CTYPES[u][0] else UNSIGNED_OF[s]


# ------------------------------------------------------------------------ the programs


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Const:
    value: int
    ctype: str = "int"  # C: the literal's type (suffix u / L / UL)
    boolean: bool = False  # Python: True / False; C: 1 / 0


@dataclass(frozen=True)
class Bin:
    op: str  # + - * / %  (`/` and `%` only by values that cannot be 0)
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Cmp:
    op: str  # < <= > >= == !=
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Logic:
    op: str  # and / or / not (`not` uses `left` only)
    left: Cond
    right: Cond | None = None


@dataclass(frozen=True)
class Truth:
    """An int or bool value used as a condition (a call in a loop guard)."""

    expr: Expr


Expr = Var | Const | Bin | Call
Cond = Cmp | Logic | Truth


@dataclass(frozen=True)
class Assign:
    var: str
    expr: Expr


@dataclass(frozen=True)
class If:
    cond: Cond
    then: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...] = ()


@dataclass(frozen=True)
class While:
    cond: Cond
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class Return:
    expr: Expr


@dataclass(frozen=True)
class Break:
    pass


Stmt = Assign | If | While | Return | Break


@dataclass(frozen=True)
class Function:
    """`params` and `locals_` are (C type, name[, initial value]); Python ignores types."""

    name: str
    params: tuple[tuple[str, str], ...]
    body: tuple[Stmt, ...]
    locals_: tuple[tuple[str, str, Expr], ...] = ()
    pre: Cond | None = None  # Python: a leading assert; C: __VERIFIER_assume
    ret: str = "int"
    predicate: bool = False  # Python: annotated `-> bool`


@dataclass(frozen=True)
class Program:
    language: str  # "python" or "c"
    functions: tuple[Function, ...]  # callees before callers
    kind: str = ""  # which generator made it (for the counts)


# ------------------------------------------------------------------------- rendering


@dataclass
class Rendered:
    """The checked source and what the oracle needs to know about its lines."""

    source: str
    oracle: str
    loops: dict[int, str] = field(default_factory=dict)  # header line -> function name
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # function -> lines


class _Writer:
    """Source and oracle lines side by side; the loop order is the same in both."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.c = program.language == "c"
        self.src: list[str] = []
        self.orc: list[str] = []
        self.funcs = {f.name: f for f in program.functions}
        self.types: dict[str, str] = {}
        self.fn: Function | None = None
        self.shift = 0  # how much deeper the oracle's lines are (try: / while inside it)
        self.result = Rendered("", "")

    # -- expressions, in the checked language
    def expr(self, e: Expr) -> str:
        if isinstance(e, Var):
            return e.name
        if isinstance(e, Const):
            return _const(e, self.c)
        if isinstance(e, Bin):
            op = "//" if e.op == "/" and not self.c else e.op
            return f"({self.expr(e.left)} {op} {self.expr(e.right)})"
        return f"{e.func}({', '.join(self.expr(a) for a in e.args)})"

    def cond(self, c: Cond) -> str:
        if isinstance(c, Cmp):
            return f"{self.expr(c.left)} {c.op} {self.expr(c.right)}"
        if isinstance(c, Truth):
            return self.expr(c.expr)
        if c.op == "not":
            return f"!({self.cond(c.left)})" if self.c else f"not ({self.cond(c.left)})"
        op = {"and": "&&", "or": "||"}[c.op] if self.c else c.op
        return f"({self.cond(c.left)}) {op} ({self.cond(c.right)})"

    # -- expressions, in the oracle (Python with C's semantics spelled out)
    def oexpr(self, e: Expr) -> tuple[str, str]:
        if isinstance(e, Var):
            return e.name, self.types.get(e.name, "int")
        if isinstance(e, Const):
            return (str(bool(e.value)) if e.boolean and not self.c else str(e.value)), e.ctype
        if isinstance(e, Call):
            callee = self.funcs[e.func]
            args = [self.convert(*self.oexpr(a), t) for a, (t, _) in
                    zip(e.args, callee.params, strict=True)]  # fmt: skip
            return f"{e.func}({', '.join(args)})", callee.ret
        (left, lt), (right, rt) = self.oexpr(e.left), self.oexpr(e.right)
        if not self.c:
            op = "//" if e.op == "/" else e.op
            return f"({left} {op} {right})", "int"
        ctype = common_type(lt, rt)
        a, b = self.convert(left, lt, ctype), self.convert(right, rt, ctype)
        raw = {"/": f"_cdiv({a}, {b})", "%": f"_cmod({a}, {b})"}.get(e.op, f"({a} {e.op} {b})")
        lo, hi = type_range(ctype)
        if CTYPES[ctype][1]:
            return f"_chk({raw}, {lo}, {hi})", ctype
        return f"({raw} % {hi + 1})", ctype

    def convert(self, text: str, src: str, dst: str) -> str:
        """C's conversion of a value of type `src` to `dst` (the identity in Python)."""
        if not self.c or src == dst:
            return text
        (sbits, ssigned, _), (dbits, dsigned, _) = CTYPES[src], CTYPES[dst]
        if not dsigned:
            return f"({text} % {2**dbits})"
        if (ssigned and dbits >= sbits) or (not ssigned and dbits > sbits):
            return text  # every value fits (an overflowed one stays exact)
        return f"_wrap({text}, {dbits})"

    def ocond(self, c: Cond) -> str:
        if isinstance(c, Cmp):
            (left, lt), (right, rt) = self.oexpr(c.left), self.oexpr(c.right)
            ctype = common_type(lt, rt) if self.c else "int"
            return f"({self.convert(left, lt, ctype)} {c.op} {self.convert(right, rt, ctype)})"
        if isinstance(c, Truth):
            return f"({self.oexpr(c.expr)[0]} != 0)"
        if c.op == "not":
            return f"(not {self.ocond(c.left)})"
        return f"({self.ocond(c.left)} {c.op} {self.ocond(c.right)})"

    # -- statements
    def both(self, depth: int, src: str, orc: str | list[str]) -> None:
        """One source line at `depth`; oracle lines at `depth` plus the loops' extra depth."""
        self.src.append("    " * depth + src)
        for line in [orc] if isinstance(orc, str) else orc:
            self.orc.append("    " * (depth + self.shift) + line)

    def stmts(self, body: tuple[Stmt, ...], depth: int) -> None:
        for stmt in body:
            self.stmt(stmt, depth)

    def stmt(self, s: Stmt, depth: int) -> None:
        semi = ";" if self.c else ""
        if isinstance(s, Assign):
            text, ctype = self.oexpr(s.expr)
            self.both(depth, f"{s.var} = {self.expr(s.expr)}{semi}",
                      f"{s.var} = {self.convert(text, ctype, self.types[s.var])}")  # fmt: skip
        elif isinstance(s, Return):
            text, ctype = self.oexpr(s.expr)
            self.both(depth, f"return {self.expr(s.expr)}{semi}",
                      f"return {self.convert(text, ctype, self.fn.ret)}")  # fmt: skip
        elif isinstance(s, Break):
            self.both(depth, f"break{semi}", "break")
        elif isinstance(s, If):
            self.if_(s, depth)
        else:
            self.loop(s, depth)

    def if_(self, s: If, depth: int) -> None:
        head = f"if ({self.cond(s.cond)}) {{" if self.c else f"if {self.cond(s.cond)}:"
        self.both(depth, head, f"if {self.ocond(s.cond)}:")
        self.stmts(s.then, depth + 1)
        if s.orelse:
            self.both(depth, "} else {" if self.c else "else:", "else:")
            self.stmts(s.orelse, depth + 1)
        if self.c:
            self.src.append("    " * depth + "}")

    def loop(self, s: While, depth: int) -> None:
        line = len(self.src) + 1
        state = f"({', '.join(self.types)},)" if self.types else "()"
        head = f"while ({self.cond(s.cond)}) {{" if self.c else f"while {self.cond(s.cond)}:"
        self.both(depth, head, [
            f"_st.append({line}); _c{line} = 0; _s{line} = set()", "try:",
            f"    while {self.ocond(s.cond)}:",
            f"        _c{line} += 1; _n[0] += 1; _k = {state}",
            f"        if _k in _s{line} or _c{line} > CAP or _n[0] > BUDGET:",
            f"            _stop({line}, _k in _s{line}, _c{line} > CAP)",
            f"        _s{line}.add(_k)",
        ])  # fmt: skip
        self.result.loops[line] = self.fn.name
        self.shift += 1
        self.stmts(s.body, depth + 1)
        self.shift -= 1
        pad = "    " * (depth + self.shift)
        self.orc.extend([pad + "finally:", pad + "    _st.pop()"])
        if self.c:
            self.src.append("    " * depth + "}")

    def function(self, fn: Function) -> None:
        self.fn = fn
        self.types = {n: t for t, n in fn.params} | {n: t for t, n, _ in fn.locals_}
        first = len(self.src) + 1
        if self.c:
            params = ", ".join(f"{t} {n}" for t, n in fn.params) or "void"
            self.both(0, f"{fn.ret} {fn.name}({params}) {{",
                      f"def {fn.name}({', '.join(n for _, n in fn.params)}):")  # fmt: skip
        else:
            ret = "bool" if fn.predicate else "int"
            params = ", ".join(f"{n}: int" for _, n in fn.params)
            self.both(0, f"def {fn.name}({params}) -> {ret}:",
                      f"def {fn.name}({', '.join(n for _, n in fn.params)}):")  # fmt: skip
        if fn.pre is not None:
            src = f"__VERIFIER_assume({self.cond(fn.pre)});" if self.c else \
                f"assert {self.cond(fn.pre)}"  # fmt: skip
            self.both(1, src, f"_pre({self.ocond(fn.pre)})")
        for ctype, name, init in fn.locals_:
            text, itype = self.oexpr(init)
            src = f"{name} = {self.expr(init)}"
            src = f"{ctype} {src};" if self.c else src
            self.both(1, src, f"{name} = {self.convert(text, itype, ctype)}")
        self.stmts(fn.body, 1)
        if self.c:
            self.src.append("}")
        self.result.spans[fn.name] = (first, len(self.src))
        self.src.append("")


def _const(e: Const, c: bool) -> str:
    if e.boolean and not c:
        return str(bool(e.value))
    suffix = {"unsigned": "u", "long": "L", "unsigned long": "UL"}.get(e.ctype, "") if c else ""
    return f"{e.value}{suffix}" if e.value >= 0 else f"({e.value}{suffix})"


PRELUDE = "extern void __VERIFIER_assume(int cond);"


def render(program: Program) -> Rendered:
    """The checked source (C gets a one-line prelude) and its oracle module."""
    writer = _Writer(program)
    if writer.c:
        writer.src.append(PRELUDE)
    for fn in program.functions:
        writer.function(fn)
    writer.result.source = "\n".join(writer.src) + "\n"
    writer.result.oracle = "\n".join(writer.orc) + "\n"
    return writer.result


# ---------------------------------------------------------------------------- oracle


class Stop(Exception):  # noqa: N818 - not an error: how a capped run ends
    """A run stopped at loop `line`: its state repeated, it ran past the cap, or all loops
    together ran past the budget."""

    def __init__(self, kind: str, line: int, active: tuple[int, ...]) -> None:
        super().__init__(kind, line)
        self.kind, self.line, self.active = kind, line, active


class Skip(Exception):  # noqa: N818
    """The input breaks the function's precondition."""


@dataclass
class Run:
    outcome: str  # "returned", "repeats", "capped", "budget", "skipped"
    line: int = 0  # the loop that stopped the run
    active: tuple[int, ...] = ()  # every loop active when it stopped
    overflows: int = 0  # signed results outside their type (C)

    def loops_forever(self, small: bool) -> bool:
        """Sure that the loops in `active` do not stop: a repeated state, or the cap on a
        small input (generator discipline)."""
        return self.outcome == "repeats" or (self.outcome == "capped" and small)


def _support(state: dict) -> dict:
    """The helpers and constants the oracle module uses."""
    stack: list[int] = []

    def stop(line: int, seen: bool, capped: bool) -> None:
        kind = "repeats" if seen else "capped" if capped else "budget"
        raise Stop(kind, line, tuple(stack))

    def chk(value: int, lo: int, hi: int) -> int:
        if not lo <= value <= hi:
            state["overflows"] += 1
        return value

    def pre(ok: bool) -> None:
        if not ok:
            raise Skip

    return {"_st": stack, "_n": state["steps"], "_stop": stop, "_chk": chk, "_pre": pre,
            "_cdiv": _cdiv, "_cmod": lambda a, b: a - b * _cdiv(a, b), "_wrap": _wrap,
            "CAP": CAP, "BUDGET": BUDGET}  # fmt: skip


def _cdiv(a: int, b: int) -> int:
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b > 0) else -quotient


def _wrap(value: int, bits: int) -> int:
    value %= 2**bits
    return value - 2**bits if value >= 2 ** (bits - 1) else value


class Oracle:
    """The program's oracle module, loaded once; `run` calls one function on one input
    (only entry functions have preconditions)."""

    def __init__(self, rendered: Rendered) -> None:
        self.state = {"steps": [0], "overflows": 0}
        self.namespace = _support(self.state)
        exec(compile(rendered.oracle, "<oracle>", "exec"), self.namespace)  # noqa: S102

    def run(self, name: str, args: tuple[int, ...]) -> Run:
        self.state["steps"][0], self.state["overflows"] = 0, 0
        self.namespace["_st"].clear()
        try:
            self.namespace[name](*args)
        except Skip:
            return Run("skipped")
        except Stop as stop:
            return Run(stop.kind, stop.line, stop.active, self.state["overflows"])
        return Run("returned", overflows=self.state["overflows"])


def inputs(params: tuple[tuple[str, str], ...], c: bool, rnd: random.Random,
           count: int) -> list[tuple[int, ...]]:  # fmt: skip
    """Small random inputs, then (C) inputs at and near each parameter type's limits."""
    out = [tuple(0 for _ in params), tuple(1 for _ in params)]
    for _ in range(count):
        out.append(tuple(_small(t, c, rnd) for t, _ in params))
    if c:
        for _ in range(count // 2 + 1):
            out.append(tuple(_boundary(t, rnd) for t, _ in params))
    return list(dict.fromkeys(out))


def is_small(args: tuple[int, ...]) -> bool:
    return all(abs(a) <= SMALL for a in args)


def _small(ctype: str, c: bool, rnd: random.Random) -> int:
    lo, hi = type_range(ctype) if c else (-SMALL, SMALL)
    return rnd.randint(max(lo, -SMALL), min(hi, SMALL))


def _boundary(ctype: str, rnd: random.Random) -> int:
    lo, hi = type_range(ctype)
    value = rnd.choice((lo, hi, lo + rnd.randint(0, 40), hi - rnd.randint(0, 40), 0, 1, -1))
    return min(max(value, lo), hi)


# ------------------------------------------------------------------------ generators

V, K = Var, Const


def add(a: Expr, b: Expr) -> Bin:
    return Bin("+", a, b)


def sub(a: Expr, b: Expr) -> Bin:
    return Bin("-", a, b)


def mul(a: Expr, b: Expr) -> Bin:
    return Bin("*", a, b)


def fn(name: str, params: list[tuple[str, str]], body: list[Stmt], **kw) -> Function:
    """A function from lists (and keyword fields of `Function`)."""
    kw["locals_"] = tuple(kw.get("locals_", ()))
    return Function(name, tuple(params), tuple(body), **kw)


def loop(cond: Cond, *body: Stmt) -> While:
    return While(cond, tuple(body))


SIGNED = ("int", "int", "long", "short", "signed char")


@st.composite
def overflow_exit(draw, language: str) -> Program:
    """A loop whose only way out (in C) is signed overflow: growing counters, quadratic and
    multiplicative growth, a `j == 2 * i` guard that is never hit."""
    c = language == "c"
    x_t, y_t = (draw(st.sampled_from(SIGNED)) for _ in "xy") if c else ("int", "int")
    if c and CTYPES[y_t][2] > CTYPES[x_t][2]:
        x_t, y_t = y_t, x_t  # no narrowing into x: that wraps (defined), in 2^31 steps
    if c and x_t in ("short", "signed char") and draw(st.booleans()):
        x_t = "int"  # growth through promotion: a narrow addend, an int accumulator
    pattern = draw(st.sampled_from(("counter", "quadratic", "multiply", "never-hit", "affine")))
    step = draw(st.integers(1, 3))
    pre = Logic("and", Cmp(">", V("x"), K(0)), Cmp(">", V("y"), K(0)))
    local: list = []
    if pattern == "counter":
        body = [Assign("x", add(V("x"), draw(st.sampled_from([K(step), V("y")]))))]
    elif pattern == "quadratic":
        body = [Assign("x", add(V("x"), V("y"))), Assign("y", add(V("y"), K(step)))]
    elif pattern == "multiply":
        body = [Assign("x", draw(st.sampled_from([mul(V("x"), K(step + 1)),
                                                  add(mul(K(3), V("x")), K(1)),
                                                  mul(V("x"), add(V("y"), K(1)))])))]  # fmt: skip
    elif pattern == "affine":
        body = [Assign("y", add(V("y"), K(step))), Assign("x", add(V("x"), sub(V("y"), K(1))))]
    else:
        local = [("long" if x_t == "long" else "int", "i", K(0))]
        body = [Assign("i", add(V("i"), K(1))), Assign("x", add(V("x"), K(step + 2)))]
        guard = Cmp("!=", V("x"), mul(K(2), V("i")))
        return _single(language, "never-hit", [(x_t, "x"), (y_t, "y")], guard, body, pre, local)
    guard = draw(st.sampled_from([Cmp(">", V("x"), K(0)), Cmp(">=", V("x"), V("y")),
                                  Cmp("!=", V("x"), K(0))]))  # fmt: skip
    return _single(language, f"overflow-{pattern}", [(x_t, "x"), (y_t, "y")], guard, body,
                   pre, local)  # fmt: skip


def _single(language: str, kind: str, params, guard: Cond, body, pre, locals_=()) -> Program:
    """`f(params)`: optional locals, one loop, `return x`."""
    main = fn("f", params, [loop(guard, *body), Return(V("x"))], pre=pre, locals_=locals_)
    return Program(language, (main,), kind)


ATOMS = ("x", "y", "0", "1", "2", "-1", "x + y", "x - y", "2 * x")
UPDATES = ("x + 1", "x - 1", "x + 2", "y + 1", "y - 1", "x + y", "x - y", "y - x", "2 * x",
           "x * y", "3 * x + 1", "x / 2", "0 - x", "y")  # fmt: skip


def parse_expr(text: str) -> Expr:
    """The tiny expression language of ATOMS / UPDATES: `a`, `a op b`, `k * a op b`."""
    parts = text.split()
    if len(parts) == 1:
        return K(int(parts[0])) if parts[0].lstrip("-").isdigit() else V(parts[0])
    if len(parts) == 3:
        return Bin(parts[1], parse_expr(parts[0]), parse_expr(parts[2]))
    return Bin(parts[3], parse_expr(" ".join(parts[:3])), parse_expr(parts[4]))


@st.composite
def random_loop(draw, language: str) -> Program:
    """Random affine-ish loops over two signed variables: growing, shrinking, cycling."""
    c = language == "c"
    ctype = draw(st.sampled_from(SIGNED[:3])) if c else "int"
    types = [(ctype, n) for n in "xy"]  # one type: narrowing long into int wraps, slowly
    guard = Cmp(draw(st.sampled_from(("<", "<=", ">", ">=", "!=", "=="))),
                parse_expr(draw(st.sampled_from(ATOMS))),
                parse_expr(draw(st.sampled_from(ATOMS))))  # fmt: skip
    body = [Assign(draw(st.sampled_from("xy")), parse_expr(draw(st.sampled_from(UPDATES))))
            for _ in range(draw(st.integers(1, 3)))]  # fmt: skip
    pre = draw(st.sampled_from([None, Cmp(">", V("y"), K(0)), Cmp(">=", V("x"), K(0)),
                                Logic("and", Cmp(">", V("x"), K(0)), Cmp(">", V("y"), K(0)))]))
    return _single(language, "random", types, guard, body, pre)


@st.composite
def terminating(draw, language: str) -> Program:
    """Loops that do stop (counting, halving, converging, nested, through a helper)."""
    c = language == "c"
    t = draw(st.sampled_from(SIGNED[:3])) if c else "int"
    kind = draw(st.sampled_from(("count", "halve", "converge", "nested", "helper")))
    n, x = V("n"), V("x")
    if kind == "count":
        step = draw(st.integers(1, 3))
        body = [loop(Cmp("<", V("i"), n), Assign("i", add(V("i"), K(step))),
                     Assign("x", add(x, K(1))))]  # fmt: skip
        locals_ = [(t, "i", K(0))]
    elif kind == "halve":
        guard = draw(st.sampled_from([Cmp(">", x, K(0)), Cmp("!=", x, K(0)), Cmp(">", x, K(1))]))
        body = [loop(guard, Assign("x", Bin("/", x, K(2))))]
        locals_ = []
    elif kind == "converge":
        body = [loop(Cmp(">", x, n), Assign("x", sub(x, K(1))), Assign("n", add(n, K(1))))]
        locals_ = []
    elif kind == "nested":
        inner = loop(Cmp("<", V("j"), V("i")), Assign("j", add(V("j"), K(1))))
        body = [loop(Cmp("<", V("i"), n), Assign("i", add(V("i"), K(1))), Assign("j", K(0)),
                     inner)]  # fmt: skip
        locals_ = [(t, "i", K(0)), (t, "j", K(0))]
    else:
        return _with_helper(language, t, draw(st.integers(2, 6)))
    pre = Logic("and", Cmp("<=", n, K(1000)), Cmp(">=", n, K(-1000))) if kind == "nested" else None
    main = fn("f", [(t, "x"), (t, "n")], [*body, Return(x)], pre=pre, locals_=locals_)
    return Program(language, (main,), f"terminating-{kind}")


def _with_helper(language: str, t: str, limit: int) -> Program:
    """A guard through a helper whose own loop and early return are fine."""
    d = V("d")
    helper = fn("small", [(t, "m")], [
        loop(Cmp("<", d, K(limit)), If(Cmp("==", V("m"), d), (Return(K(1, boolean=True)),)),
             Assign("d", add(d, K(1)))),
        Return(K(0, boolean=True))], locals_=[(t, "d", K(0))], predicate=True)  # fmt: skip
    main = fn("f", [(t, "x"), (t, "n")], [
        loop(Logic("and", Cmp(">", V("x"), K(0)), Truth(Call("small", (V("x"),)))),
             Assign("x", sub(V("x"), K(1)))),
        Return(V("x"))])  # fmt: skip
    return Program(language, (helper, main), "terminating-helper")


@st.composite
def calls(draw, language: str) -> Program:
    """Guards and bodies calling same-file functions with early returns, loops of their
    own and nested calls (`while has_small_factor(m): m += 2`)."""
    c = language == "c"
    t = draw(st.sampled_from(("int", "int", "long"))) if c else "int"
    limit, bump = draw(st.integers(3, 6)), draw(st.sampled_from((0, 1, 2, 3, 4, 6)))
    d, m = V("d"), V("m")
    early = draw(st.sampled_from(("factor", "equal", "above")))
    hit = {"factor": Cmp("==", Bin("%", m, d), K(0)), "equal": Cmp("==", m, d),
           "above": Cmp(">", m, add(d, K(draw(st.integers(0, 5)))))}[early]  # fmt: skip
    probe = fn("probe", [(t, "m"), (t, "k")], [
        loop(Cmp("<", d, V("k")), If(hit, (Return(K(1, boolean=True)),)),
             Assign("d", add(d, K(1)))),
        Return(K(0, boolean=True))], locals_=[(t, "d", K(2))], predicate=True)  # fmt: skip
    functions = [probe]
    target = "probe"
    if draw(st.booleans()):  # a nested call: the guard calls a wrapper that calls probe
        functions.append(fn("wrap", [(t, "m"), (t, "k")], [
            If(Cmp("<", m, K(draw(st.integers(-5, 5)))), (Return(K(0, boolean=True)),)),
            Return(Call("probe", (m, V("k"))))], predicate=True))  # fmt: skip
        target = "wrap"
    guard = Truth(Call(target, (m, K(limit))))
    if draw(st.booleans()):
        guard = Logic("not", guard)
    update = draw(st.sampled_from([K(limit), add(m, K(bump)), sub(m, K(bump)),
                                   Call("step", (m,))]))  # fmt: skip
    if isinstance(update, Call):
        functions.append(_step_function(t, bump))
    pre = draw(st.sampled_from([None, Cmp(">", m, K(0)), Cmp(">=", m, K(2))]))
    main = fn("g", [(t, "m")], [loop(guard, Assign("m", update)), Return(m)], pre=pre)
    return Program(language, (*functions, main), f"calls-{early}")


def _step_function(t: str, bump: int) -> Function:
    """A loop-body helper with an early return and a loop of its own."""
    m, i = V("m"), V("i")
    return fn("step", [(t, "m")], [
        If(Cmp(">", m, K(100)), (Return(m),)),
        loop(Cmp("<", i, K(bump)), Assign("m", add(m, K(1))), Assign("i", add(i, K(1)))),
        Return(m)], locals_=[(t, "i", K(0))])  # fmt: skip


UNSIGNED_STEPS = {  # type -> steps that stop any wrap-around loop within CAP iterations
    "unsigned char": (1, 3, 255), "unsigned short": (1, 7, 65535),
    "unsigned": (2**28, 2**31, 2**32 - 1), "unsigned long": (2**60, 2**63, 2**64 - 1),
}  # fmt: skip


@st.composite
def unsigned_wrap(draw) -> Program:
    """Unsigned C loops that wrap around: defined behaviour, and some stop by it
    (`unsigned i = 5; while (i != 0) i += 1;` for a narrow type)."""
    t = draw(st.sampled_from(tuple(UNSIGNED_STEPS)))
    lit = "unsigned" if t in ("unsigned char", "unsigned short", "unsigned") else t
    step = K(draw(st.sampled_from(UNSIGNED_STEPS[t])), lit)
    i = V("i")
    pattern = draw(st.sampled_from(("add", "double", "down", "sub")))
    update = {"add": add(i, step), "double": mul(i, K(2, lit)), "down": sub(i, K(1, lit)),
              "sub": sub(i, step)}[pattern]  # fmt: skip
    bound = K(draw(st.sampled_from((0, 1, 10, 100))), lit)
    guard = draw(st.sampled_from([Cmp("!=", i, bound), Cmp(">", i, bound), Cmp("<", i, bound),
                                  Cmp(">=", i, bound)]))  # fmt: skip
    start = draw(st.sampled_from([V("a"), K(5, lit), add(V("a"), K(1, lit))]))
    main = fn("f", [(t, "a")], [loop(guard, Assign("i", update)), Return(K(0))],
              locals_=[(t, "i", start)])  # fmt: skip
    return Program("c", (main,), f"unsigned-{pattern}")


def generators() -> dict[str, st.SearchStrategy[Program]]:
    """Every generator of the suite, by name."""
    return {
        "overflow-c": overflow_exit("c"), "overflow-python": overflow_exit("python"),
        "calls-c": calls("c"), "calls-python": calls("python"),
        "random-c": random_loop("c"), "random-python": random_loop("python"),
        "terminating-c": terminating("c"), "terminating-python": terminating("python"),
        "unsigned-c": unsigned_wrap(),
    }  # fmt: skip
