"""z3 formulas over program variables rendered back in the source language.

Used for certificates (loop invariants, ranking functions): Python spells `and`/`or`/
`not`, C spells `&&`/`||`/`!`. Variables are shown by their source names; a conjunct
that mentions a hidden temporary is left out by `conjuncts_text`.
"""

from __future__ import annotations

import z3

_CMP = {
    z3.Z3_OP_LE: "<=", z3.Z3_OP_GE: ">=", z3.Z3_OP_LT: "<", z3.Z3_OP_GT: ">",
    z3.Z3_OP_SLEQ: "<=", z3.Z3_OP_SGEQ: ">=", z3.Z3_OP_SLT: "<", z3.Z3_OP_SGT: ">",
    z3.Z3_OP_ULEQ: "<=", z3.Z3_OP_UGEQ: ">=", z3.Z3_OP_ULT: "<", z3.Z3_OP_UGT: ">",
    z3.Z3_OP_EQ: "==", z3.Z3_OP_DISTINCT: "!=",
}  # fmt: skip
_NEGATED = {"<=": ">", ">=": "<", "<": ">=", ">": "<=", "==": "!=", "!=": "=="}
_ARITH = {
    z3.Z3_OP_ADD: "+", z3.Z3_OP_BADD: "+", z3.Z3_OP_SUB: "-", z3.Z3_OP_BSUB: "-",
    z3.Z3_OP_MUL: "*", z3.Z3_OP_BMUL: "*", z3.Z3_OP_IDIV: "//", z3.Z3_OP_MOD: "%",
}  # fmt: skip


class Unrenderable(Exception):
    """The formula uses an operator with no source spelling here."""


class Renderer:
    def __init__(self, names: dict[str, str], language: str) -> None:
        self.names = names  # z3 constant name -> source name ("" = hidden)
        self.c = language == "c"
        self.hidden_seen = False

    def words(self) -> tuple[str, str, str]:
        return ("&&", "||", "!") if self.c else ("and", "or", "not ")

    def formula(self, f: z3.ExprRef, top: bool = True) -> str:
        and_, or_, not_ = self.words()
        if z3.is_true(f):
            return "true" if self.c else "True"
        if z3.is_false(f):
            return "false" if self.c else "False"
        if z3.is_and(f) or z3.is_or(f):
            word = and_ if z3.is_and(f) else or_
            text = f" {word} ".join(self.formula(c, False) for c in f.children())
            return text if top else f"({text})"
        if z3.is_not(f):
            inner = f.arg(0)
            kind = inner.decl().kind() if z3.is_app(inner) else None
            if kind in _CMP and inner.num_args() == 2:
                return self._compare(_NEGATED[_CMP[kind]], inner.arg(0), inner.arg(1))
            return f"{not_}{self.formula(inner, False)}"
        if z3.is_app(f) and f.decl().kind() in _CMP and f.num_args() == 2:
            return self._compare(_CMP[f.decl().kind()], f.arg(0), f.arg(1))
        if z3.is_implies(f):
            return self.formula(z3.Or(z3.Not(f.arg(0)), f.arg(1)), top)
        if z3.is_const(f) and f.sort() == z3.BoolSort():
            return self._name(f)
        raise Unrenderable(str(f))

    def _compare(self, op: str, a: z3.ExprRef, b: z3.ExprRef) -> str:
        if a.sort() == z3.BoolSort():
            if op in ("==", "!="):
                return f"{self.formula(a, False)} {op} {self.formula(b, False)}"
            raise Unrenderable(str(a))
        # move negative terms of `a - b` sides for readability: keep as given
        return f"{self.term(a)} {op} {self.term(b)}"

    def term(self, t: z3.ExprRef, prec: int = 0) -> str:
        if z3.is_int_value(t) or z3.is_bv_value(t):
            value = t.as_long() if z3.is_int_value(t) else t.as_signed_long()
            text = str(value)
            return f"({text})" if value < 0 and prec > 0 else text
        if z3.is_const(t) and z3.is_app(t) and t.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            return self._name(t)
        if not z3.is_app(t):
            raise Unrenderable(str(t))
        kind = t.decl().kind()
        if kind in (z3.Z3_OP_ADD, z3.Z3_OP_BADD):
            return self._sum(t, prec)
        if kind in (z3.Z3_OP_SUB, z3.Z3_OP_BSUB):
            parts = [self.term(t.arg(0), 1)] + [self.term(c, 2) for c in t.children()[1:]]
            text = " - ".join(parts)
            return f"({text})" if prec > 0 else text
        if kind in (z3.Z3_OP_MUL, z3.Z3_OP_BMUL):
            kids = t.children()
            if len(kids) == 2 and _is_minus_one(kids[0]):
                return f"-{self.term(kids[1], 3)}"
            text = " * ".join(self.term(c, 3) for c in kids)
            return f"({text})" if prec > 2 else text
        if kind in (z3.Z3_OP_UMINUS, z3.Z3_OP_BNEG):
            return f"-{self.term(t.arg(0), 3)}"
        if kind in _ARITH and t.num_args() == 2:
            op = _ARITH[kind]
            if self.c and op == "//":
                raise Unrenderable(str(t))
            text = f"{self.term(t.arg(0), 3)} {op} {self.term(t.arg(1), 3)}"
            return f"({text})" if prec > 2 else text
        raise Unrenderable(str(t))

    def _sum(self, t: z3.ExprRef, prec: int) -> str:
        text = ""
        for i, child in enumerate(t.children()):
            negative, magnitude = _split_negative(child)
            if i == 0:
                text = ("-" if negative else "") + self.term(magnitude, 2)
            else:
                text += (" - " if negative else " + ") + self.term(magnitude, 2)
        return f"({text})" if prec > 1 else text

    def _name(self, t: z3.ExprRef) -> str:
        name = self.names.get(t.decl().name(), "")
        if not name:
            self.hidden_seen = True
            raise Unrenderable(f"hidden variable {t.decl().name()}")
        return name


def _is_minus_one(t: z3.ExprRef) -> bool:
    if z3.is_int_value(t):
        return t.as_long() == -1
    if z3.is_bv_value(t):
        return t.as_signed_long() == -1
    return False


def _split_negative(t: z3.ExprRef) -> tuple[bool, z3.ExprRef]:
    """`-1 * x` -> (True, x); `-3 * x` -> (True, 3 * x); `-4` -> (True, 4)."""
    if z3.is_int_value(t) and t.as_long() < 0:
        return True, z3.IntVal(-t.as_long())
    if z3.is_app(t) and t.decl().kind() == z3.Z3_OP_MUL and t.num_args() == 2:
        coeff = t.arg(0)
        if z3.is_int_value(coeff) and coeff.as_long() < 0:
            if coeff.as_long() == -1:
                return True, t.arg(1)
            return True, z3.IntVal(-coeff.as_long()) * t.arg(1)
    return False, t


def flatten_and(f: z3.ExprRef) -> list[z3.ExprRef]:
    if z3.is_and(f):
        out: list[z3.ExprRef] = []
        for child in f.children():
            out += flatten_and(child)
        return out
    return [f]


def conjuncts_text(f: z3.ExprRef, names: dict[str, str], language: str) -> str | None:
    """`f` as source text, leaving out conjuncts that cannot be shown (hidden
    temporaries, operators without a spelling). None when nothing is left."""
    renderer = Renderer(names, language)
    shown = []
    for part in flatten_and(z3.simplify(f)):
        if z3.is_true(part):
            continue
        try:
            shown.append(renderer.formula(part, False))
        except Unrenderable:
            continue
    if not shown:
        return None
    return f" {renderer.words()[0]} ".join(shown)


def term_text(t: z3.ExprRef, names: dict[str, str], language: str) -> str | None:
    try:
        return Renderer(names, language).term(z3.simplify(t))
    except Unrenderable:
        return None


# ------------------------------------------------------- linear integer constraints

_FLIP = {"<=": ">=", ">=": "<=", "==": "==", "!=": "!="}


def _linear(t: z3.ExprRef) -> dict[str, int] | None:
    """`t` as {constant name: coefficient, "": constant} when it is linear over ints."""
    if z3.is_int_value(t):
        return {"": t.as_long()}
    if z3.is_const(t) and t.decl().kind() == z3.Z3_OP_UNINTERPRETED and z3.is_int(t):
        return {t.decl().name(): 1}
    if not z3.is_app(t):
        return None
    kind = t.decl().kind()
    children = [_linear(c) for c in t.children()]
    parts = [p for p in children if p is not None]
    if len(parts) < len(children):
        return None
    if kind == z3.Z3_OP_ADD:
        return _combine(parts, [1] * len(parts))
    if kind == z3.Z3_OP_SUB:
        return _combine(parts, [1] + [-1] * (len(parts) - 1))
    if kind == z3.Z3_OP_UMINUS:
        return _combine(parts, [-1])
    if kind == z3.Z3_OP_MUL and len(parts) == 2:
        a, b = parts
        if set(a) <= {""}:
            return _combine([b], [a.get("", 0)])
        if set(b) <= {""}:
            return _combine([a], [b.get("", 0)])
    return None


def _combine(parts: list[dict[str, int]], factors: list[int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for part, factor in zip(parts, factors, strict=False):
        for name, coeff in part.items():
            out[name] = out.get(name, 0) + factor * coeff
    return {n: c for n, c in out.items() if c != 0 or n == ""}


def _atom(f: z3.ExprRef) -> tuple[dict[str, int], str] | None:
    """An integer comparison as (linear form of lhs - rhs, op) with op in <=, >=, ==, !=."""
    negate = False
    if z3.is_not(f):
        negate, f = True, f.arg(0)
    if not (z3.is_app(f) and f.num_args() == 2 and f.decl().kind() in _CMP):
        return None
    if not z3.is_int(f.arg(0)):
        return None
    op = _CMP[f.decl().kind()]
    if negate:
        op = _NEGATED[op]
    left, right = _linear(f.arg(0)), _linear(f.arg(1))
    if left is None or right is None:
        return None
    form = _combine([left, right], [1, -1])
    if op == "<":
        form[""] = form.get("", 0) + 1
        op = "<="
    elif op == ">":
        form[""] = form.get("", 0) - 1
        op = ">="
    return form, op


def linear_text(atoms: list[tuple[dict[str, int], str]], names: dict[str, str]) -> list[str]:
    """Bounds on the same linear term merged (`e >= k and e <= k` is `e == k`), each
    shown with positive coefficients on both sides (`x == 2 * i`, `i <= n`)."""
    bounds: dict[tuple, dict[str, int]] = {}
    order: list[tuple] = []
    for form, op in atoms:
        key = tuple(sorted((n, c) for n, c in form.items() if n))
        if key not in bounds:
            bounds[key] = {}
            order.append(key)
        k = -form.get("", 0)  # term op k
        slot = bounds[key]
        if op == ">=":
            slot[">="] = max(slot.get(">=", k), k)
        elif op == "<=":
            slot["<="] = min(slot.get("<=", k), k)
        elif op == "==":
            slot["=="] = k
        else:
            slot.setdefault("!=", k)
    texts = []
    for key in order:
        slot = bounds[key]
        if ">=" in slot and "<=" in slot and slot[">="] == slot["<="]:
            slot = {"==": slot[">="]}
        for op, k in slot.items():
            texts.append(_show_linear(dict(key), op, k, names))
    return texts


def _show_linear(terms: dict[str, int], op: str, k: int, names: dict[str, str]) -> str:
    def side(items: list[tuple[str, int]]) -> str:
        parts = []
        for name, coeff in items:
            label = names.get(name, "")
            if not label:
                raise Unrenderable(name)
            parts.append(label if coeff == 1 else f"{coeff} * {label}")
        return " + ".join(parts)

    pos = [(n, c) for n, c in terms.items() if c > 0]
    neg = [(n, -c) for n, c in terms.items() if c < 0]
    if not pos:
        pos, neg, op, k = neg, [], _FLIP[op], -k
    left = side(pos)
    right = side(neg)
    if right and k:
        right = f"{right} {'+' if k > 0 else '-'} {abs(k)}"
    elif not right:
        right = str(k)
    return f"{left} {op} {right}"


def invariant_text(
    f: z3.ExprRef, names: dict[str, str], language: str, exact: bool = False
) -> str | None:
    """Like `conjuncts_text`, with linear integer bounds normalised and merged. With
    `exact`, None unless every conjunct is shown (and "True" for a valid formula)."""
    renderer = Renderer(names, language)
    if exact and z3.is_true(z3.simplify(f)):
        return "true" if language == "c" else "True"
    linear: list[tuple[dict[str, int], str]] = []
    other: list[str] = []
    for part in flatten_and(z3.simplify(f)):
        if z3.is_true(part):
            continue
        atom = _atom(part)
        if atom is not None and all(n == "" or names.get(n) for n in atom[0]):
            linear.append(atom)
            continue
        try:
            other.append(renderer.formula(part, False))
        except Unrenderable:
            if exact:
                return None
            continue
    try:
        shown = linear_text(linear, names) + other
    except Unrenderable:
        if exact:
            return None
        shown = other
    if not shown:
        return None
    return f" {renderer.words()[0]} ".join(shown)
