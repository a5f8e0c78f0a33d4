"""Expressions of the C lowering: values, C's conversions, checked arithmetic,
assignments, `++`/`--`, array elements and calls (SV-COMP helpers, inlining)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pycparser import c_ast

from prooflens.analysis import ir
from prooflens.analysis.frontends import c_library
from prooflens.analysis.frontends import c_memory as cm
from prooflens.analysis.frontends import c_types as ct
from prooflens.analysis.frontends.c_base import (
    _ARITH,
    _COMPARE,
    NONDET_TYPES,
    CVal,
    Frame,
    Unsup,
    VarInfo,
    _and,
    _bool_of,
    _cmp,
    _construct_name,
    _fold,
    _is_expression,
    _need_type,
    _not,
    _or,
    _reads,
    _source_text,
    _writes,
    bconst,
    cond_of,
    need_value,
    span_of,
    value_as,
)
from prooflens.analysis.frontends.c_source import NONDET_PREFIX

if TYPE_CHECKING:
    from prooflens.analysis.settings import Settings


class ExprLowering(cm.MemoryLowering):
    """The expression half of `Lowerer` (a mixin: names, types and statements are
    `Lowerer`'s; pointers and objects: `c_memory`)."""

    # What `c_lower.Lowerer` provides (more: `MemoryLowering`).
    settings: Settings
    lines: list[str]
    counter: int
    depth: int
    enums: dict[str, int]
    in_precondition: bool
    preconditions: list[str]
    if TYPE_CHECKING:

        def ctype_of(self, node: Any, where: Any = None) -> ct.CType: ...
        def declare(self, source: str, info: VarInfo) -> VarInfo: ...
        def block(self, node: c_ast.Compound) -> tuple[ir.Stmt, ...]: ...
        def body_with_preconditions(self, fdef: c_ast.FuncDef, leading: bool = True
                                    ) -> tuple[ir.Stmt, ...]: ...  # fmt: skip
        def param_info(self, d: c_ast.Decl) -> VarInfo: ...
        def _return_type(self, fdef: c_ast.FuncDef, unit: bool = False) -> ct.CType | None: ...
        def _param_decls(self, fdef: c_ast.FuncDef) -> list[c_ast.Decl]: ...
        @staticmethod
        def _is_void(node: Any) -> bool: ...

    # ------------------------------------------------------------------ expressions

    def expr(self, node: Any) -> CVal:
        method = getattr(self, "_e_" + type(node).__name__, None)
        if method is None:
            raise Unsup(_construct_name(node), node)
        return method(node)

    def _e_Constant(self, node: c_ast.Constant) -> CVal:
        span = span_of(node)
        if node.type == "char":
            value = ct.char_literal(node.value)
            if value is None:
                raise Unsup(f"character constant {node.value}", node)
            return CVal((), ct.const(value, ct.INT, span), ct.INT)
        if node.type == "string":
            return self.string_literal(node)
        found = ct.integer_literal(node.value)
        if found is None or node.type not in (
            "int",
            "unsigned int",
            "long int",
            "long long int",
            "unsigned long int",
            "unsigned long long int",
        ):
            kind = "string" if node.type == "string" else f"{node.type} constant"
            raise Unsup(kind, node)
        value, ctype = found
        return CVal((), ct.const(value, ctype, span), ctype)

    def _e_ID(self, node: c_ast.ID) -> CVal:
        if node.name in ("true", "false"):
            return CVal((), ct.const(int(node.name == "true"), ct.INT), ct.INT)
        local = any(node.name in scope for scope in self.frame.scopes)
        if node.name in self.enums and not local:
            return CVal((), ct.const(self.enums[node.name], ct.INT, span_of(node)), ct.INT)
        info = self.lookup(node.name, node)
        if info.struct is not None:
            raise Unsup("struct value", node)
        if info.pointer is not None or info.obj is not None:
            return cm.pointer_value(info, node)
        if info.length is not None:
            if info.is_global:
                raise Unsup("pointer into a global array", node)
            raise cm.ObjectsNeeded()  # a small array used as a pointer: lower again
        return CVal((), ir.Var(info.name, info.ctype.ir, span_of(node)), info.ctype)

    def _e_ExprList(self, node: c_ast.ExprList) -> CVal:
        stmts: list[ir.Stmt] = []
        last = CVal((), None, None)
        for e in node.exprs:
            last = self.expr(e)
            stmts.extend(last.stmts)
        return CVal(tuple(stmts), last.expr, last.ctype, last.ptr)

    def _e_Cast(self, node: c_ast.Cast) -> CVal:
        if isinstance(node.to_type.type, c_ast.PtrDecl):
            if cm.is_null_constant(node):
                return cm.null_pointer()
            raise Unsup("pointer cast", node)
        v = self.expr(node.expr)
        if self._is_void(node.to_type.type):
            return CVal(v.stmts, None, None)
        to = self.ctype_of(node.to_type, node)
        _need_type(v, node.expr)
        return fold_cval(CVal(v.stmts, value_as(v, to, node), to))

    def _e_TernaryOp(self, node: c_ast.TernaryOp) -> CVal:
        c = self.expr(node.cond)
        a = self.expr(node.iftrue)
        b = self.expr(node.iffalse)
        cond = cond_of(c, node.cond)
        if a.ctype is None or b.ctype is None:
            branch = (a.stmts, b.stmts)
            return CVal(c.stmts + (ir.If(cond, branch[0], branch[1], span_of(node)),), None, None)
        if a.ptr is not None or b.ptr is not None:  # (a pointer's ctype is what it points to)
            raise Unsup("conditional expression of pointers", node)
        t = ct.usual(a.ctype, b.ctype)
        if not a.stmts and not b.stmts:
            expr = ir.Ite(cond, value_as(a, t), value_as(b, t), t.ir, span_of(node))
            return CVal(c.stmts, expr, t)
        tmp = self.temp(t.ir)
        then = a.stmts + (ir.Assign(tmp, value_as(a, t), span_of(node)),)
        orelse = b.stmts + (ir.Assign(tmp, value_as(b, t), span_of(node)),)
        return CVal(c.stmts + (ir.If(cond, then, orelse, span_of(node)),), ir.Var(tmp, t.ir), t)

    def _e_UnaryOp(self, node: c_ast.UnaryOp) -> CVal:
        return fold_cval(self._unary(node))

    def _unary(self, node: c_ast.UnaryOp) -> CVal:
        op = node.op
        if op in ("++", "--", "p++", "p--"):
            return self._incdec(node)
        if op == "sizeof":
            return self._sizeof(node)
        if op == "*":
            return self.deref(node)
        if op == "&":
            return self.address_of(node)
        v = self.expr(node.expr)
        if op == "!":
            return CVal(v.stmts, _not(cond_of(v, node.expr)), ct.INT)
        t = _need_type(v, node.expr)
        span = self.op_span(node.expr, _UNARY_TEXT.get(op, op))
        p = ct.promote(t)
        x = value_as(v, p)
        if op == "+":
            return CVal(v.stmts, x, p)
        if op == "~":
            return CVal(v.stmts, ir.Unary("bnot", x, p.ir, span), p)
        if op == "-":
            checks: tuple[ir.Stmt, ...] = ()
            if p.signed:
                ok = _cmp("ne", x, ct.const(p.min, p))
                message = f"negation of {p.min} overflows {p.name}"
                checks = (ir.Assert(ok, "signed-overflow", message, span),)
            return CVal(v.stmts + checks, ir.Unary("neg", x, p.ir, span), p)
        raise Unsup(f"operator {op}", node)

    def _sizeof(self, node: c_ast.UnaryOp) -> CVal:
        if isinstance(node.expr, c_ast.Typename):
            t = self.ctype_of(node.expr, node)
        elif isinstance(node.expr, c_ast.ID):
            info = self.lookup(node.expr.name, node.expr)
            if info.struct is not None:
                raise Unsup("sizeof of a struct", node)
            if info.pointer is not None:
                return CVal((), ct.const(8, ct.SIZE_T), ct.SIZE_T)
            size = (info.ctype.width + 7) // 8 * (info.length or 1)
            return CVal((), ct.const(size, ct.SIZE_T), ct.SIZE_T)
        else:
            t = self._element_type(node.expr, node)  # `sizeof *p`, `sizeof p[0]`
        return CVal((), ct.const((t.width + 7) // 8, ct.SIZE_T), ct.SIZE_T)

    def _element_type(self, expr: Any, node: Any) -> ct.CType:
        """The type of `*p` / `p[i]` for a pointer or array variable `p` (not evaluated)."""
        base = expr.expr if isinstance(expr, c_ast.UnaryOp) and expr.op == "*" else \
            expr.name if isinstance(expr, c_ast.ArrayRef) else None  # fmt: skip
        if isinstance(base, c_ast.ID):
            info = self.lookup(base.name, base)
            elem = info.pointer if info.pointer is not None else \
                info.ctype if info.length is not None and info.struct is None else None  # fmt: skip
            if isinstance(elem, ct.CType):
                return elem
        raise Unsup("sizeof of an expression", node)

    def _e_BinaryOp(self, node: c_ast.BinaryOp) -> CVal:
        return fold_cval(self._binary(node))

    def _binary(self, node: c_ast.BinaryOp) -> CVal:
        op = node.op
        if op in ("&&", "||"):
            return self._logical(node)
        a = self.expr(node.left)
        b = self.expr(node.right)
        self.check_unsequenced(a, b, node)
        span = self.op_span(node.right, op, node)
        if a.ptr is not None or b.ptr is not None:
            return self.pointer_binary(op, a, b, span, node)
        if op in _COMPARE:
            t = ct.usual(_need_type(a, node.left), _need_type(b, node.right))
            expr: ir.Expr = ir.Binary(_COMPARE[op], value_as(a, t), value_as(b, t), ir.BOOL, span)
            return CVal(a.stmts + b.stmts, expr, ct.INT)
        if op not in _ARITH:
            raise Unsup(f"operator {op}", node)
        checks, expr, t = self.arith(op, a, b, span, node)
        return CVal(a.stmts + b.stmts + checks, expr, t)

    def arith(self, op: str, a: CVal, b: CVal, span: ir.Span, node: Any
              ) -> tuple[tuple[ir.Stmt, ...], ir.Expr, ct.CType]:  # fmt: skip
        """Checks and value of `a op b` for an arithmetic/bitwise/shift operator."""
        at, bt = _need_type(a, node.left if node else None), _need_type(b, None)
        if op in ("<<", ">>"):
            return self._shift(op, value_as(a, ct.promote(at)), ct.promote(at),
                               value_as(b, ct.promote(bt)), ct.promote(bt), span)  # fmt: skip
        t = ct.usual(at, bt)
        x, y = value_as(a, t), value_as(b, t)
        checks: list[ir.Stmt] = []
        if op in ("/", "%"):
            checks.append(
                ir.Assert(
                    _cmp("ne", y, ct.const(0, t)),
                    "division-by-zero",
                    f"{'division' if op == '/' else 'remainder'} by zero",
                    span,
                )
            )
            if t.signed:
                bad = _and(_cmp("eq", x, ct.const(t.min, t)), _cmp("eq", y, ct.const(-1, t)))
                checks.append(ir.Assert(_not(bad), "signed-overflow",
                                        f"{t.min} {op} -1 overflows {t.name}", span))  # fmt: skip
        elif op in ("+", "-", "*") and t.signed and not _cannot_overflow(_ARITH[op], x, y, t):
            checks.append(ir.Assert(_fits(_ARITH[op], x, y, t), "signed-overflow",
                                    f"`{op}` may overflow {t.name}", span, op, (x, y)))  # fmt: skip
        return tuple(checks), ir.Binary(_ARITH[op], x, y, t.ir, span), t

    def _shift(self, op: str, x: ir.Expr, lt: ct.CType, y: ir.Expr, rt: ct.CType, span: ir.Span
               ) -> tuple[tuple[ir.Stmt, ...], ir.Expr, ct.CType]:  # fmt: skip
        width = ct.const(lt.width, rt)
        ok = _cmp("lt", y, width)
        if rt.signed:
            ok = _and(_cmp("ge", y, ct.const(0, rt)), ok)
        # Every check sits at the operator, where UBSan reports a bad shift and where the
        # JSON contract puts an operator's finding. They share one site; a refutation's
        # message is that of the check its witness fails (check._refuted), so `1 << 31`
        # is never called "a negative value".
        checks: list[ir.Stmt] = [
            ir.Assert(ok, "shift-out-of-range", f"shift count outside 0..{lt.width - 1}", span)
        ]
        if op == "<<" and lt.signed:
            wide = ct.wide(lt)
            shifted = ir.Binary("shl", ir.Cast(x, wide), ir.Cast(y, wide), wide)
            checks.append(ir.Assert(_cmp("ge", x, ct.const(0, lt)), "shift-out-of-range",
                                    "left shift of a negative value", span))  # fmt: skip
            checks.append(ir.Assert(_cmp("le", shifted, ir.Const(lt.max, wide)),
                                    "shift-out-of-range",
                                    f"left shift result not representable in {lt.name}",
                                    span))  # fmt: skip
        return tuple(checks), ir.Binary(_ARITH[op], x, y, lt.ir, span), lt

    def _logical(self, node: c_ast.BinaryOp) -> CVal:
        a = self.expr(node.left)
        b = self.expr(node.right)
        ca, cb = cond_of(a, node.left), cond_of(b, node.right)
        span = self.op_span(node.right, node.op, node)
        if not b.stmts:
            expr = _and(ca, cb) if node.op == "&&" else _or(ca, cb)
            return CVal(a.stmts, ir.Binary(expr.op, ca, cb, ir.BOOL, span), ct.INT)
        tmp = self.temp(ir.BOOL)
        var = ir.Var(tmp, ir.BOOL)
        run_right = var if node.op == "&&" else _not(var)
        stmts = a.stmts + (
            ir.Assign(tmp, ca, span),
            ir.If(run_right, b.stmts + (ir.Assign(tmp, cb, span),), (), span),
        )
        return CVal(stmts, var, ct.INT)

    # ------------------------------------------------------------------ assignment

    def _e_Assignment(self, node: c_ast.Assignment) -> CVal:
        op = node.op[:-1]
        target = self.lookup(node.lvalue.name, node.lvalue) \
            if isinstance(node.lvalue, c_ast.ID) and not op else None  # fmt: skip
        if target is not None and target.pointer is not None and \
                cm.allocation_call(node.rvalue, self.funcs)[0] is not None:  # fmt: skip
            rhs = self.pointer_operand(node.rvalue, target.pointer)  # `p = malloc(...)`
        else:
            rhs = self.expr(node.rvalue)
        span = self.op_span(node.rvalue, node.op, node)
        return self._store(node.lvalue, rhs, op, span, node)

    def _incdec(self, node: c_ast.UnaryOp) -> CVal:
        post = node.op.startswith("p")
        op = "+" if "+" in node.op else "-"
        one = CVal((), ct.const(1, ct.INT), ct.INT)
        span = self.op_span(node.expr, node.op.lstrip("p"), node, after=post)
        return self._store(node.expr, one, op, span, node, post=post)

    def _store(self, lvalue: Any, rhs: CVal, op: str, span: ir.Span, node: Any,
               post: bool = False) -> CVal:  # fmt: skip
        """`lvalue op= rhs` (plain `=` when `op` is empty); the value of the expression is
        the stored value, or the old one for a postfix `++`/`--`."""
        if isinstance(lvalue, c_ast.ID):
            info = self.lookup(lvalue.name, lvalue)
            if info.pointer is not None:
                return self.store_pointer(info, lvalue, rhs, op, span, node, post)
            if info.length is not None:
                raise Unsup("assignment to an array", lvalue)
            if info.const:
                raise Unsup("assignment to a const global", lvalue)
            if info.name in _writes(rhs):
                raise Unsup("unsequenced modification of " + lvalue.name, node)
            old = CVal((), ir.Var(info.name, info.ctype.ir, span_of(lvalue)), info.ctype)
            return self._store_scalar(info, old, rhs, op, span, node, post)
        if isinstance(lvalue, c_ast.ArrayRef) and self._scalar_array(lvalue) is None:
            return self.store_through(lvalue, rhs, op, span, node, post)
        if isinstance(lvalue, c_ast.UnaryOp) and lvalue.op == "*" or \
                isinstance(lvalue, c_ast.StructRef):  # fmt: skip
            return self.store_through(lvalue, rhs, op, span, node, post)
        if isinstance(lvalue, c_ast.ArrayRef):
            return self._store_element(lvalue, rhs, op, span, node, post)
        raise Unsup(_construct_name(lvalue) if not _is_expression(lvalue) else
                    "assignment to this kind of expression", lvalue)  # fmt: skip

    def _new_value(self, old: CVal, rhs: CVal, op: str, t: ct.CType, span: ir.Span, node: Any
                   ) -> tuple[tuple[ir.Stmt, ...], ir.Expr]:  # fmt: skip
        if not op:
            return (), value_as(rhs, t, node)
        if op not in _ARITH:
            raise Unsup(f"operator {op}=", node)
        checks, expr, _ = self.arith(op, old, rhs, span, None)
        return checks, ct.convert(expr, t) if not t.is_bool else _bool_of(expr)

    def _store_scalar(self, info: VarInfo, old: CVal, rhs: CVal, op: str, span: ir.Span,
                      node: Any, post: bool) -> CVal:  # fmt: skip
        stmts = list(rhs.stmts)
        saved = None
        if post:
            saved = self.temp(info.ctype.ir)
            stmts.append(ir.Assign(saved, need_value(old), span))
        checks, new = self._new_value(old, rhs, op, info.ctype, span, node)
        stmts += [*checks, ir.Assign(info.name, new, span)]
        result = saved if saved is not None else info.name
        return CVal(tuple(stmts), ir.Var(result, info.ctype.ir), info.ctype)

    def _store_element(self, ref: c_ast.ArrayRef, rhs: CVal, op: str, span: ir.Span, node: Any,
                       post: bool) -> CVal:  # fmt: skip
        info, index = self._array_index(ref)
        self.check_unsequenced(index, rhs, node)
        stmts = list(index.stmts) + list(rhs.stmts)
        idx = self.temp(ir.BVType(64, True))
        stmts.append(ir.Assign(idx, value_as(index, ct.LONG, ref.subscript), span))
        ivar = ir.Var(idx, ir.BVType(64, True))
        stmts.append(self._bounds_check(info, ivar, ref))
        old = CVal((), self._element_read(info, ivar), info.ctype)
        checks, new = self._new_value(old, rhs, op, info.ctype, span, node)
        stmts += checks
        saved = self.temp(info.ctype.ir)
        stmts.append(ir.Assign(saved, need_value(old) if post else new, span))
        stored = new if post else ir.Var(saved, info.ctype.ir)
        for k in range(info.length or 0):  # conditional writes: other elements stay unread
            hit = _cmp("eq", ivar, ir.Const(k, ir.BVType(64, True)))
            stmts.append(ir.If(hit, (ir.Assign(info.element(k), stored, span),), (), span))
        return CVal(tuple(stmts), ir.Var(saved, info.ctype.ir), info.ctype)

    def _array_index(self, ref: c_ast.ArrayRef) -> tuple[VarInfo, CVal]:
        if not isinstance(ref.name, c_ast.ID):
            raise Unsup("indexing of a non-array expression", ref)
        info = self.lookup(ref.name.name, ref.name)
        if info.length is None:
            raise Unsup("indexing of a non-array (pointer)", ref)
        index = self.expr(ref.subscript)
        _need_type(index, ref.subscript)
        return info, index

    def _bounds_check(self, info: VarInfo, ivar: ir.Expr, ref: Any) -> ir.Assert:
        i64 = ir.BVType(64, True)
        assert info.length is not None  # an array (the caller checks)
        ok = _and(_cmp("ge", ivar, ir.Const(0, i64)), _cmp("lt", ivar, ir.Const(info.length, i64)))
        name = self.display.get(info.element(0), "a[0]").split("[")[0]
        return ir.Assert(
            ok,
            "array-out-of-bounds",
            f"index outside 0..{(info.length or 1) - 1} of {name}",
            span_of(ref),
        )

    def _element_read(self, info: VarInfo, ivar: ir.Expr) -> ir.Expr:
        i64 = ir.BVType(64, True)
        expr: ir.Expr = ir.Var(info.element((info.length or 1) - 1), info.ctype.ir)
        for k in range((info.length or 1) - 2, -1, -1):
            hit = _cmp("eq", ivar, ir.Const(k, i64))
            expr = ir.Ite(hit, ir.Var(info.element(k), info.ctype.ir), expr, info.ctype.ir)
        return expr

    def _scalar_array(self, ref: c_ast.ArrayRef) -> VarInfo | None:
        """The array `ref` indexes when it is one lowered as scalars (one IR variable per
        element: small arrays never used as pointers), else None."""
        if not isinstance(ref.name, c_ast.ID):
            return None
        info = self.lookup(ref.name.name, ref.name)
        return info if info.length is not None and info.obj is None else None

    def _e_StructRef(self, node: c_ast.StructRef) -> CVal:
        return self.deref(node)

    def _e_ArrayRef(self, node: c_ast.ArrayRef) -> CVal:
        if self._scalar_array(node) is None:
            return self.deref(node)
        info, index = self._array_index(node)
        ivar = value_as(index, ct.LONG, node.subscript)
        check = self._bounds_check(info, ivar, node)
        return CVal(index.stmts + (check,), self._element_read(info, ivar), info.ctype)

    # ------------------------------------------------------------------ calls

    def _e_FuncCall(self, node: c_ast.FuncCall) -> CVal:
        if not isinstance(node.name, c_ast.ID):
            raise Unsup("call through a function pointer", node)
        name = node.name.name
        args = list(node.args.exprs) if node.args is not None else []
        builtin = self._builtin_call(name, args, node)
        if builtin is not None:
            return builtin
        if name in self.funcs:
            return self._inline(name, args, node)
        raise Unsup(f"call to unknown function {name}", node)

    def _args(self, args: list[Any], node: Any) -> list[CVal]:
        vals = [self.expr(a) for a in args]
        for i, a in enumerate(vals):
            for b in vals[i + 1 :]:
                self.check_unsequenced(a, b, node)
        return vals

    def _builtin_call(self, name: str, args: list[Any], node: Any) -> CVal | None:
        span = span_of(node)
        if name.startswith(NONDET_PREFIX):
            t = NONDET_TYPES.get(name[len(NONDET_PREFIX) :])
            if t is None:
                raise Unsup(f"nondeterministic value of a non-integer type ({name})", node)
            tmp = self.temp(t.ir)
            self.display[tmp] = f"{name}()"
            return CVal((ir.Havoc(tmp, t.ir, span),), ir.Var(tmp, t.ir), t)
        if name in ("__VERIFIER_assert", "assert", "__VERIFIER_assume") and name not in \
                self._user_overrides(name):  # fmt: skip
            if len(args) != 1:
                raise Unsup(f"{name} with {len(args)} arguments", node)
            v = self.expr(args[0])
            c = cond_of(v, args[0])
            if name == "__VERIFIER_assume":
                return CVal(v.stmts + (ir.Assume(c, span),), None, None)
            text = _source_text(self.lines, args[0]) or "condition"
            if name == "assert" and self.in_precondition and self.depth == 0:
                self.preconditions.append(f"{text} (line {span.line}: a leading assert)")
                return CVal(v.stmts + (ir.Assume(c, span),), None, None)
            if name == "assert" and self.in_precondition:  # a callee's, checked at the call
                callee = self.frame.prefix.partition("#")[0]
                return CVal(v.stmts + (ir.Assert(c, "assertion",
                                                 f"precondition of {callee}: {text}", span),),
                            None, None)  # fmt: skip
            return CVal(v.stmts + (ir.Assert(c, "assertion", f"{name}({text}) may fail", span),),
                        None, None)  # fmt: skip
        if name == "__assert_fail" and name not in self.funcs:  # glibc's assert() failure
            fail = ir.Assert(bconst(False), "assertion", "__assert_fail() is reachable", span)
            return CVal((fail,), None, None)
        if name in ("reach_error", "__VERIFIER_error"):
            fail = ir.Assert(bconst(False), "assertion", f"{name}() is reachable", span)
            return CVal((fail,), None, None)
        if name in ("abort", "exit", "_Exit") and name not in self.funcs:
            vals = self._args(args, node)
            stmts = tuple(s for v in vals for s in v.stmts)
            return CVal(stmts + (ir.Assume(bconst(False), span),), None, None)
        if name in ("abs", "labs", "llabs") and name not in self.funcs:
            return self._abs(name, args, node)
        if name == "free" and name not in self.funcs:
            return self.free_call(args, node)
        if name in ("malloc", "calloc") and name not in self.funcs:
            raise Unsup(f"{name} whose result is not stored in a typed pointer", node)
        if c_library.is_library(name) and name not in self.funcs:
            return c_library.lower_call(self, name, args, node)
        return None

    def _user_overrides(self, name: str) -> set[str]:
        # `assert` defined by the user is a normal function; the SV-COMP names never are.
        return {"assert"} if name == "assert" and "assert" in self.funcs else set()

    def _abs(self, name: str, args: list[Any], node: Any) -> CVal:
        if len(args) != 1:
            raise Unsup(f"{name} with {len(args)} arguments", node)
        t = {"abs": ct.INT, "labs": ct.LONG, "llabs": ct.LLONG}[name]
        v = self.expr(args[0])
        x = value_as(v, t, args[0])
        span = span_of(node)
        check = ir.Assert(_cmp("ne", x, ct.const(t.min, t)), "signed-overflow",
                          f"{name}({t.min}) overflows {t.name}", span)  # fmt: skip
        neg = _cmp("lt", x, ct.const(0, t))
        value = ir.Ite(neg, ir.Unary("neg", x, t.ir, span), x, t.ir, span)
        return CVal(v.stmts + (check,), value, t)

    def _inline(self, name: str, args: list[Any], node: Any) -> CVal:
        fdef = self.funcs[name]
        ret = self._return_type(fdef)
        decls = self._param_decls(fdef)
        infos = [self.param_info(d) for d in decls]
        if len(decls) == len(args):  # `0`/NULL passed for a pointer is the null pointer
            vals = [self.pointer_operand(a, i.pointer) if i.pointer is not None else self.expr(a)
                    for a, i in zip(args, infos, strict=True)]  # fmt: skip
            for i, a in enumerate(vals):
                for b in vals[i + 1 :]:
                    self.check_unsequenced(a, b, node)
        else:
            vals = self._args(args, node)
        if len(decls) != len(vals):
            raise Unsup(f"call to {name} with {len(vals)} arguments for {len(decls)} parameters",
                        node)  # fmt: skip
        stmts = [s for v in vals for s in v.stmts]
        target = self.temp(ret.ir) if ret is not None else None
        value = CVal((), ir.Var(target, ret.ir), ret) if target and ret else CVal((), None, None)
        span = span_of(node)
        if self.depth >= self.settings.inline_depth:
            stmts.append(ir.Inline(target, name, (), span, depth_exceeded=True))
            return CVal(tuple(stmts), value.expr, value.ctype)
        args_ir = [v if i.pointer is not None else value_as(v, i.ctype, a)
                   for v, i, a in zip(vals, infos, args, strict=True)]  # fmt: skip
        body = self._inline_body(fdef, ret, decls, infos, args_ir)
        stmts.append(ir.Inline(target, name, body, span))
        return CVal(tuple(stmts), value.expr, value.ctype)

    def _inline_body(self, fdef: c_ast.FuncDef, ret: ct.CType | None, decls: list[c_ast.Decl],
                     infos: list[VarInfo],
                     args_ir: list[Any]) -> tuple[ir.Stmt, ...]:  # fmt: skip
        saved = self.frame
        self.counter += 1
        self.frame = Frame(f"{fdef.decl.name}#{self.counter}.", ret, False, [{}])
        self.depth += 1
        try:
            entry: list[ir.Stmt] = []
            for d, info, a in zip(decls, infos, args_ir, strict=True):
                info = self.declare(d.name, info)
                if info.pointer is not None:  # bound to the caller's object
                    entry.extend(cm.bind(info, a, d, span_of(d)))
                else:
                    entry.append(ir.Assign(info.name, a, span_of(d)))
            return tuple(entry) + self.body_with_preconditions(fdef)
        finally:
            self.depth -= 1
            self.frame = saved

    # ------------------------------------------------------------------ helpers

    def check_unsequenced(self, a: CVal, b: CVal, node: Any) -> None:
        """Side effects on one variable in two unsequenced operands are undefined: refuse."""
        wa, wb = _writes(a), _writes(b)
        if not wa and not wb:
            return
        clash = (wa & (_reads(b) | wb)) | (wb & _reads(a))
        clash = {n for n in clash if "_pl_t" not in n}
        if clash:
            shown = ", ".join(sorted(self.display.get(n, n) for n in clash))
            raise Unsup(f"unsequenced side effects on {shown}", node)

    def op_span(self, right: Any, op: str, node: Any = None, after: bool = False) -> ir.Span:
        """Where the operator `op` is: just before its right (or only) operand, on the same
        line or at the end of the line before; just after the operand when `after`."""
        coord = getattr(right, "coord", None)
        fallback = span_of(node) if node is not None else span_of(right)
        if coord is None or not coord.line or coord.line > len(self.lines):
            return fallback
        text = self.lines[coord.line - 1]
        column = (coord.column or 1) - 1
        at = text.find(op, column) if after else text.rfind(op, 0, column)
        if at >= 0:
            return ir.Span(coord.line, at + 1, coord.line, at + len(op))
        previous = self.lines[coord.line - 2].rstrip() if coord.line >= 2 else ""
        if not after and previous.endswith(op):
            at = len(previous) - len(op)
            return ir.Span(coord.line - 1, at + 1, coord.line - 1, at + len(op))
        return fallback


def fold_cval(v: CVal) -> CVal:
    """Constant operands: the value as a `Const`, and no checks that hold anyway."""
    if v.expr is None or v.ptr is not None or ir.expr_vars(v.expr):
        return v
    stmts = tuple(s for s in v.stmts if not (isinstance(s, ir.Assert) and _fold(s.cond) == 1))
    value = _fold(v.expr)
    if value is None:
        return CVal(stmts, v.expr, v.ctype)
    span = getattr(v.expr, "span", ir.NO_SPAN)
    folded = value != 0 if isinstance(v.expr.type, ir.BoolType) else value
    return CVal(stmts, ir.Const(folded, v.expr.type, span), v.ctype)


_UNARY_TEXT = {"-": "-", "+": "+", "~": "~", "!": "!"}


def _fits(op: str, x: ir.Expr, y: ir.Expr, t: ct.CType) -> ir.Expr:
    """`x op y` lies in the range of `t`. + and - compare within the type (friendlier to the
    solvers: no wider bit-vectors); * computes the exact product twice as wide."""
    zero = ct.const(0, t)
    if op == "add":  # y > 0: x <= MAX - y; else x >= MIN - y (neither side can wrap)
        high = _cmp("le", x, ir.Binary("sub", ct.const(t.max, t), y, t.ir))
        low = _cmp("ge", x, ir.Binary("sub", ct.const(t.min, t), y, t.ir))
        return ir.Ite(_cmp("gt", y, zero), high, low, ir.BOOL)
    if op == "sub":  # y < 0: x <= MAX + y; else x >= MIN + y
        high = _cmp("le", x, ir.Binary("add", ct.const(t.max, t), y, t.ir))
        low = _cmp("ge", x, ir.Binary("add", ct.const(t.min, t), y, t.ir))
        return ir.Ite(_cmp("lt", y, zero), high, low, ir.BOOL)
    wide = ct.wide(t)
    exact = ir.Binary(op, ir.Cast(x, wide), ir.Cast(y, wide), wide)
    return _and(_cmp("ge", exact, ir.Const(t.min, wide)), _cmp("le", exact, ir.Const(t.max, wide)))


def _cannot_overflow(op: str, x: ir.Expr, y: ir.Expr, t: ct.CType) -> bool:
    """Operands known to lie in narrower ranges (`(long)a * (long)b` for ints) cannot
    overflow: no check is needed."""
    lo, hi = _exact_range(op, value_range(x), value_range(y))
    return t.min <= lo and hi <= t.max


def _exact_range(op: str, rx: tuple[int, int], ry: tuple[int, int]) -> tuple[int, int]:
    (xl, xh), (yl, yh) = rx, ry
    if op == "add":
        return xl + yl, xh + yh
    if op == "sub":
        return xl - yh, xh - yl
    corners = [xl * yl, xl * yh, xh * yl, xh * yh]
    return min(corners), max(corners)


def value_range(expr: ir.Expr) -> tuple[int, int]:
    """Bounds on the values of `expr` (its type's range unless something narrower is known)."""
    if isinstance(expr.type, ir.BoolType):
        return 0, 1
    if not isinstance(expr.type, ir.BVType):
        raise Unsup("unbounded integer in C")
    full = (expr.type.min, expr.type.max)
    if isinstance(expr, ir.Const):
        return int(expr.value), int(expr.value)
    if isinstance(expr, ir.Cast):
        inner = value_range(expr.operand)
    elif isinstance(expr, ir.Binary) and expr.op in ("add", "sub", "mul"):
        inner = _exact_range(expr.op, value_range(expr.left), value_range(expr.right))
    else:
        return full
    return inner if full[0] <= inner[0] and inner[1] <= full[1] else full
