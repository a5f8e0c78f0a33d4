"""The lowering itself: statements and expressions of a pycparser AST to the IR.

Expressions lower to a `CVal`: the statements their side effects and checks need (run
first, in C's order), a pure IR expression for the value, and its C type. See `c.py` for
the conventions (globals, shift kinds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pycparser import c_ast

from prooflens.analysis import ir
from prooflens.analysis.frontends import c_types as ct
from prooflens.analysis.frontends.c_source import NONDET_PREFIX
from prooflens.analysis.settings import Settings

GLOBAL_PREFIX = "global:"
MAX_ARRAY = 64

NONDET_TYPES: dict[str, ct.CType] = {
    "int": ct.INT, "uint": ct.UINT, "unsigned": ct.UINT, "unsigned_int": ct.UINT,
    "char": ct.CHAR, "schar": ct.SCHAR, "uchar": ct.UCHAR, "short": ct.SHORT,
    "ushort": ct.USHORT, "long": ct.LONG, "ulong": ct.ULONG, "longlong": ct.LLONG,
    "ulonglong": ct.ULLONG, "bool": ct.BOOL, "_Bool": ct.BOOL, "size_t": ct.SIZE_T,
    "u8": ct.UCHAR, "u16": ct.USHORT, "u32": ct.UINT, "u64": ct.ULONG, "s8": ct.SCHAR,
    "s16": ct.SHORT, "s32": ct.INT, "s64": ct.LONG, "loff_t": ct.LONG, "sector_t": ct.ULONG,
}  # fmt: skip

_ARITH = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "rem", "&": "band",
          "|": "bor", "^": "bxor", "<<": "shl", ">>": "shr"}  # fmt: skip
_COMPARE = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_LOGICAL_OPS = frozenset({"&&", "||", "!", *_COMPARE})

_NODE_NAMES = {
    "StructRef": "struct member access", "Struct": "struct", "Union": "union",
    "PtrDecl": "pointer", "Goto": "goto", "FuncDecl": "function declaration in a function",
    "CompoundLiteral": "compound literal", "InitList": "initializer list", "Enum": "enum",
    "Typedef": "typedef inside a function", "EllipsisParam": "varargs",
    "NamedInitializer": "designated initializer", "StaticAssert": "_Static_assert",
    "Alignas": "_Alignas",
}  # fmt: skip


class Unsup(Exception):
    """Raised inside the lowering; `lower` turns it into `ir.Unsupported`."""

    def __init__(self, construct: str, node: Any = None, line: int = 0, column: int = 1):
        super().__init__(construct)
        coord = getattr(node, "coord", None)
        self.construct = construct
        self.line = coord.line if coord is not None and coord.line else line
        self.column = coord.column if coord is not None and coord.column else column


@dataclass(frozen=True)
class CVal:
    """A lowered expression: `stmts` run first, then `expr` is its value (pure).
    `expr` has IR type BOOL when `ctype` is `_Bool`, or `int` from a comparison."""

    stmts: tuple[ir.Stmt, ...]
    expr: ir.Expr | None  # None: a void expression
    ctype: ct.CType | None


@dataclass
class VarInfo:
    name: str  # IR name (arrays: the prefix of the element names)
    ctype: ct.CType
    length: int | None = None  # arrays
    is_global: bool = False
    const: bool = False
    extern: bool = False  # declared, defined elsewhere: its value is an input even for main
    init: tuple[int, ...] = ()

    def element(self, k: int) -> str:
        return f"{self.name}[{k}]"


@dataclass
class Frame:
    prefix: str
    ret: ct.CType | None
    returns_bool: bool
    scopes: list[dict[str, VarInfo]] = field(default_factory=list)
    breakable: list[str] = field(default_factory=list)  # "loop" | "switch"


def span_of(node: Any) -> ir.Span:
    coord = getattr(node, "coord", None)
    if coord is None or not coord.line:
        return ir.NO_SPAN
    column = coord.column or 1
    return ir.Span(coord.line, column, coord.line, column)


def stmt_reads(stmts: tuple[ir.Stmt, ...]) -> set[str]:
    """Variables the statements read (for the unsequenced-side-effect check)."""
    names: set[str] = set()
    for stmt in ir.walk_stmts(stmts):
        for attr in ("value", "cond"):
            expr = getattr(stmt, attr, None)
            if expr is not None and not isinstance(expr, tuple):
                names |= ir.expr_vars(expr)
    return names


def _reads(v: CVal) -> set[str]:
    return stmt_reads(v.stmts) | (ir.expr_vars(v.expr) if v.expr is not None else set())


def _writes(v: CVal) -> set[str]:
    return ir.assigned_vars(v.stmts)


def cond_of(v: CVal, node: Any = None) -> ir.Expr:
    """The truth value of a scalar C value (`!= 0`)."""
    expr = need_value(v, node)
    if isinstance(expr.type, ir.BoolType):
        return expr
    return ir.Binary("ne", expr, ir.Const(0, expr.type), ir.BOOL, getattr(expr, "span", ir.NO_SPAN))


def need_value(v: CVal, node: Any = None) -> ir.Expr:
    if v.expr is None or v.ctype is None:
        raise Unsup("use of a void value", node)
    return v.expr


def value_as(v: CVal, t: ct.CType, node: Any = None) -> ir.Expr:
    """The value of `v` converted to `t` (C's implicit conversion)."""
    expr = need_value(v, node)
    if isinstance(expr.type, ir.BoolType) and t.is_bool:
        return expr
    return ct.convert(expr, t)


def bconst(value: bool) -> ir.Const:
    return ir.Const(value, ir.BOOL)


def _and(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.Binary("and", a, b, ir.BOOL)


def _or(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.Binary("or", a, b, ir.BOOL)


def _not(a: ir.Expr) -> ir.Expr:
    return ir.Unary("not", a, ir.BOOL)


def _cmp(op: str, a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.Binary(op, a, b, ir.BOOL)


def guard_breaks(stmts: tuple[ir.Stmt, ...], flag: str) -> tuple[tuple[ir.Stmt, ...], bool]:
    """Replace the `break`s of a switch (not those of nested loops) by `flag = True` and
    skip what follows them: a switch needs no loop in the IR."""
    out: list[ir.Stmt] = []
    for i, stmt in enumerate(stmts):
        new, may_break = _guard_one(stmt, flag)
        out.append(new)
        if may_break:
            rest, _ = guard_breaks(stmts[i + 1 :], flag)
            if rest:
                out.append(ir.If(_not(ir.Var(flag, ir.BOOL)), rest, (), new.span))
            return tuple(out), True
    return tuple(out), False


def _guard_one(stmt: ir.Stmt, flag: str) -> tuple[ir.Stmt, bool]:
    if isinstance(stmt, ir.Break):
        return ir.Assign(flag, bconst(True), stmt.span), True
    if isinstance(stmt, ir.If):
        then, b1 = guard_breaks(stmt.then, flag)
        orelse, b2 = guard_breaks(stmt.orelse, flag)
        return ir.If(stmt.cond, then, orelse, stmt.span), b1 or b2
    return stmt, False


class Lowerer:
    """Lowers one unit (and, inlined, the same-file functions it calls)."""

    def __init__(self, ast: c_ast.FileAST, funcs: dict[str, c_ast.FuncDef], settings: Settings,
                 source: str) -> None:  # fmt: skip
        self.funcs = funcs
        self.settings = settings
        self.lines = source.split("\n")
        self.variables: dict[str, ir.Type] = {}
        self.display: dict[str, str] = {}
        self.counter = 0
        self.loop_ids = 0
        self.depth = 0
        self.typedefs: dict[str, ct.CType] = dict(ct.BUILTIN_TYPEDEFS)
        self.globals: dict[str, VarInfo] = {}
        self.used_globals: dict[str, VarInfo] = {}
        self.enums: dict[str, int] = {}
        self.enum_types: dict[str, ct.CType] = {}
        self.frame = Frame("", None, False, [{}])
        self._collect_file_scope(ast)

    # ------------------------------------------------------------------ file scope

    def _collect_file_scope(self, ast: c_ast.FileAST) -> None:
        for ext in ast.ext:
            for enum in _collect(ext, c_ast.Enum):
                self._enumerators(enum)
            if isinstance(ext, c_ast.Typedef):
                self._typedef(ext)
            elif isinstance(ext, c_ast.Decl) and not isinstance(ext.type, c_ast.FuncDecl):
                self._global(ext)

    def _enumerators(self, enum: c_ast.Enum) -> None:
        """File-scope enumeration constants: `int`s, counting on from the previous one."""
        if enum.values is None:
            return
        following = 0
        for item in enum.values.enumerators:
            if item.value is not None:
                try:
                    following = self.const_eval(item.value)[0]
                except Unsup:
                    continue
            self.enums[item.name] = following
            following += 1
        if enum.name:
            self.enum_types[enum.name] = self._enum_type(enum)

    def _enum_type(self, enum: c_ast.Enum) -> ct.CType:
        """gcc's type for an enumeration: unsigned int unless one of its values is negative."""
        if enum.values is None:
            return self.enum_types.get(enum.name or "", ct.UINT)
        values = [self.enums.get(e.name, 0) for e in enum.values.enumerators]
        return ct.INT if min(values, default=0) < 0 else ct.UINT

    def _typedef(self, node: c_ast.Typedef) -> None:
        try:
            self.typedefs[node.name] = self.ctype_of(node.type, node)
        except Unsup:
            self.typedefs.pop(node.name, None)  # a non-integer typedef: unsupported if used

    def _global(self, decl: c_ast.Decl) -> None:
        if decl.name is None:
            return
        try:
            info = self._var_info(decl, GLOBAL_PREFIX + decl.name, is_global=True)
            info.init = self._static_init(decl, info)
        except Unsup as exc:
            self.globals[decl.name] = VarInfo(f"!{exc.construct}", ct.INT)
            return
        info.const = "const" in (decl.quals or []) or "const" in _type_quals(decl.type)
        info.extern = "extern" in (decl.storage or []) and decl.init is None
        old = self.globals.get(decl.name)
        if old is not None and (info.extern or (decl.init is None and not old.extern)):
            return  # a redeclaration: the earlier definition stands
        self.globals[decl.name] = info

    def _static_init(self, decl: c_ast.Decl, info: VarInfo) -> tuple[int, ...]:
        """Initial values of a global (static storage: zero unless initialized)."""
        count = info.length or 1
        if decl.init is None:
            return (0,) * count
        if info.length is None:
            value, vtype = self.const_eval(decl.init)
            return (ct.wrap(value, info.ctype) if not info.ctype.is_bool else int(value != 0),)
        items = self._init_items(decl.init, info)
        values = [ct.wrap(self.const_eval(item)[0], info.ctype) for item in items]
        return tuple(values + [0] * (count - len(values)))

    def _init_items(self, init: Any, info: VarInfo) -> list[Any]:
        if not isinstance(init, c_ast.InitList):
            raise Unsup("array initializer", init)
        items = list(init.exprs)
        if len(items) > (info.length or 0) or any(
            isinstance(i, c_ast.NamedInitializer | c_ast.InitList) for i in items
        ):
            raise Unsup("array initializer", init)
        return items

    # ------------------------------------------------------------------ types

    def ctype_of(self, node: Any, where: Any = None) -> ct.CType:
        """The integer type of a `TypeDecl`/`Typename`/`IdentifierType`."""
        if isinstance(node, c_ast.Typename | c_ast.Decl):
            return self.ctype_of(node.type, node)
        if isinstance(node, c_ast.TypeDecl):
            return self.ctype_of(node.type, node)
        if isinstance(node, c_ast.IdentifierType):
            names = list(node.names)
            if len(names) == 1 and names[0] in self.typedefs:
                return self.typedefs[names[0]]
            found = ct.from_specifiers(names)
            if found is None:
                raise Unsup(f"type {' '.join(names)}", node)
            return found
        if isinstance(node, c_ast.Enum):
            return self._enum_type(node)
        raise Unsup(_construct_name(node), node if getattr(node, "coord", None) else where)

    def _var_info(self, decl: c_ast.Decl, ir_name: str, is_global: bool = False) -> VarInfo:
        node = decl.type
        if isinstance(node, c_ast.ArrayDecl):
            if isinstance(node.type, c_ast.ArrayDecl):
                raise Unsup("multi-dimensional array", decl)
            if node.dim is None:
                raise Unsup("array without a size", decl)
            length, _ = self.const_eval(node.dim)
            if not 0 < length <= MAX_ARRAY:
                raise Unsup(f"array of {length} elements (at most {MAX_ARRAY} are modelled)", decl)
            return VarInfo(ir_name, self.ctype_of(node.type, decl), length, is_global)
        return VarInfo(ir_name, self.ctype_of(node, decl), None, is_global)

    # ------------------------------------------------------------------ names

    def fresh(self, base: str, itype: ir.Type, display: str | None = None) -> str:
        name = base
        while name in self.variables:
            self.counter += 1
            name = f"{base}.{self.counter}"
        self.variables[name] = itype
        self.display[name] = display if display is not None else base
        return name

    def temp(self, itype: ir.Type) -> str:
        self.counter += 1
        name = f"{self.frame.prefix}_pl_t{self.counter}"
        self.variables[name] = itype
        self.display[name] = name
        return name

    def declare(self, source: str, info: VarInfo) -> VarInfo:
        if info.length is None:
            info.name = self.fresh(self.frame.prefix + source, info.ctype.ir, source)
        else:
            base = self.frame.prefix + source
            while any(n.startswith(base + "[") for n in self.variables) or base in self.variables:
                self.counter += 1
                base = f"{self.frame.prefix}{source}.{self.counter}"
            info.name = base
            for k in range(info.length):
                self.variables[info.element(k)] = info.ctype.ir
                self.display[info.element(k)] = f"{source}[{k}]"
        self.frame.scopes[-1][source] = info
        return info

    def lookup(self, name: str, node: Any) -> VarInfo:
        for scope in reversed(self.frame.scopes):
            if name in scope:
                return scope[name]
        info = self.globals.get(name)
        if info is None:
            raise Unsup(f"identifier {name} (undeclared or not an integer variable)", node)
        if info.name.startswith("!"):
            raise Unsup(f"global {name}: {info.name[1:]}", node)
        if name not in self.used_globals:
            self.used_globals[name] = info
            names = (
                [info.name]
                if info.length is None
                else [info.element(k) for k in range(info.length)]
            )
            for n in names:
                self.variables[n] = info.ctype.ir
                self.display[n] = n[len(GLOBAL_PREFIX) :]
        return info

    # ------------------------------------------------------------------ the unit

    def lower_unit(self, fdef: c_ast.FuncDef, end_line: int) -> ir.Function:
        ret = self._return_type(fdef)
        self.frame = Frame("", ret, self._returns_bool(fdef, ret), [{}])
        params = self._params(fdef)
        body = self.block(fdef.body)
        entry = self._global_entry(fdef.decl.name == "main")
        span = span_of(fdef.decl)
        return ir.Function(
            name=fdef.decl.name,
            params=tuple(params),
            return_type=ret.ir if ret is not None else None,
            body=tuple(entry) + body,
            variables=dict(self.variables),
            span=ir.Span(span.line, span.column, max(end_line, span.line), 1),
            language="c",
            display=dict(self.display),
            returns_bool=self.frame.returns_bool,
        )

    def _return_type(self, fdef: c_ast.FuncDef) -> ct.CType | None:
        fdecl = fdef.decl.type
        rtype = fdecl.type
        if isinstance(rtype, c_ast.TypeDecl) and isinstance(rtype.type, c_ast.IdentifierType) \
                and rtype.type.names == ["void"]:  # fmt: skip
            return None
        return self.ctype_of(rtype, fdef.decl)

    def _returns_bool(self, fdef: c_ast.FuncDef, ret: ct.CType | None) -> bool:
        if ret is None:
            return False
        if ret.is_bool:
            return True
        returns = _collect(fdef.body, c_ast.Return)
        if not returns or any(r.expr is None for r in returns):
            return False
        return all(_is_logical(r.expr) for r in returns)

    def _param_decls(self, fdef: c_ast.FuncDef) -> list[c_ast.Decl]:
        args = fdef.decl.type.args
        if fdef.param_decls:
            raise Unsup("K&R-style parameter declarations", fdef.decl)
        if args is None:
            return []
        decls = list(args.params)
        if len(decls) == 1 and isinstance(decls[0], c_ast.Typename) and \
                self._is_void(decls[0].type):  # fmt: skip
            return []
        for d in decls:
            if isinstance(d, c_ast.EllipsisParam):
                raise Unsup("varargs", d)
            if not isinstance(d, c_ast.Decl) or d.name is None:
                raise Unsup("unnamed parameter", d)
            if isinstance(d.type, c_ast.ArrayDecl):
                raise Unsup("array parameter (a pointer)", d)
        return decls

    @staticmethod
    def _is_void(node: Any) -> bool:
        return isinstance(node, c_ast.TypeDecl) and isinstance(node.type, c_ast.IdentifierType) \
            and node.type.names == ["void"]  # fmt: skip

    def _params(self, fdef: c_ast.FuncDef) -> list[ir.Param]:
        params = []
        for d in self._param_decls(fdef):
            info = self.declare(d.name, VarInfo("", self.ctype_of(d.type, d)))
            params.append(ir.Param(info.name, info.ctype.ir, span_of(d)))
        return params

    def _global_entry(self, is_main: bool) -> list[ir.Stmt]:
        """Initial values of the globals the unit uses (inputs unless `main` or `const`)."""
        out: list[ir.Stmt] = []
        order = [n for n in self.globals if n in self.used_globals]
        for name in order:
            info = self.used_globals[name]
            names = (
                [info.name]
                if info.length is None
                else [info.element(k) for k in range(info.length)]
            )
            for k, n in enumerate(names):
                if (is_main and not info.extern) or (info.const and not info.extern):
                    out.append(ir.Assign(n, ct.const(info.init[k], info.ctype)))
                else:
                    out.append(ir.Havoc(n, info.ctype.ir))
        havocs = [s for s in out if isinstance(s, ir.Havoc)]
        assigns = [s for s in out if not isinstance(s, ir.Havoc)]
        return havocs + assigns

    # ------------------------------------------------------------------ statements

    def block(self, node: c_ast.Compound) -> tuple[ir.Stmt, ...]:
        self.frame.scopes.append({})
        out: list[ir.Stmt] = []
        try:
            for item in node.block_items or []:
                self.stmt(item, out)
        finally:
            self.frame.scopes.pop()
        return tuple(out)

    def sub_block(self, node: Any) -> tuple[ir.Stmt, ...]:
        """A statement in its own scope (the body of an if/loop)."""
        if node is None:
            return ()
        if isinstance(node, c_ast.Compound):
            return self.block(node)
        self.frame.scopes.append({})
        out: list[ir.Stmt] = []
        try:
            self.stmt(node, out)
        finally:
            self.frame.scopes.pop()
        return tuple(out)

    def stmt(self, node: Any, out: list[ir.Stmt]) -> None:
        method = getattr(self, "_s_" + type(node).__name__, None)
        if method is not None:
            method(node, out)
            return
        if _is_expression(node):
            out.extend(self.expr(node).stmts)
            return
        raise Unsup(_construct_name(node), node)

    def _s_Compound(self, node: c_ast.Compound, out: list[ir.Stmt]) -> None:
        out.extend(self.block(node))

    def _s_EmptyStatement(self, node: Any, out: list[ir.Stmt]) -> None:
        return None

    def _s_Pragma(self, node: Any, out: list[ir.Stmt]) -> None:
        return None

    def _s_Label(self, node: c_ast.Label, out: list[ir.Stmt]) -> None:
        self.stmt(node.stmt, out)  # a label without a goto changes nothing

    def _s_DeclList(self, node: c_ast.DeclList, out: list[ir.Stmt]) -> None:
        for d in node.decls:
            self._s_Decl(d, out)

    def _s_Decl(self, node: c_ast.Decl, out: list[ir.Stmt]) -> None:
        if isinstance(node.type, c_ast.FuncDecl):
            return  # a local prototype
        if node.storage and set(node.storage) - {"register", "auto"}:
            raise Unsup(f"{' '.join(node.storage)} local variable", node)
        info = self._var_info(node, "")
        if info.length is None:
            init = self.expr(node.init) if node.init is not None else None
            info = self.declare(node.name, info)
            if init is not None:
                out.extend(init.stmts)
                out.append(
                    ir.Assign(info.name, value_as(init, info.ctype, node.init), span_of(node))
                )
            return
        items = self._init_items(node.init, info) if node.init is not None else None
        info = self.declare(node.name, info)
        if items is None:
            return
        for k in range(info.length or 0):
            if k < len(items):
                v = self.expr(items[k])
                out.extend(v.stmts)
                value = value_as(v, info.ctype, items[k])
            else:
                value = ct.const(0, info.ctype)
            out.append(ir.Assign(info.element(k), value, span_of(node)))

    def _s_If(self, node: c_ast.If, out: list[ir.Stmt]) -> None:
        c = self.expr(node.cond)
        out.extend(c.stmts)
        then = self.sub_block(node.iftrue)
        orelse = self.sub_block(node.iffalse)
        out.append(ir.If(cond_of(c, node.cond), then, orelse, span_of(node)))

    def _loop_body(self, node: Any) -> tuple[ir.Stmt, ...]:
        self.frame.breakable.append("loop")
        try:
            return self.sub_block(node)
        finally:
            self.frame.breakable.pop()

    def _next_loop(self) -> int:
        self.loop_ids += 1
        return self.loop_ids

    def _s_While(self, node: c_ast.While, out: list[ir.Stmt]) -> None:
        c = self.expr(node.cond)
        body = self._loop_body(node.stmt)
        out.append(self._test_first_loop(c, node.cond, body, (), "while", node))

    def _test_first_loop(self, c: CVal, cnode: Any, body: tuple[ir.Stmt, ...],
                         update: tuple[ir.Stmt, ...], keyword: str,
                         node: Any) -> ir.Loop:  # fmt: skip
        span = span_of(node)
        loop_id = self._next_loop()
        if not c.stmts:
            return ir.Loop(cond_of(c, cnode), body, update, loop_id, keyword, True, span)
        exit_ = ir.If(_not(cond_of(c, cnode)), (ir.Break(span),), (), span)
        return ir.Loop(
            bconst(True), c.stmts + (exit_,) + body, update, loop_id, keyword, True, span
        )

    def _s_DoWhile(self, node: c_ast.DoWhile, out: list[ir.Stmt]) -> None:
        body = self._loop_body(node.stmt)
        c = self.expr(node.cond)
        out.append(ir.Loop(cond_of(c, node.cond), body, c.stmts, self._next_loop(), "do", False,
                           span_of(node)))  # fmt: skip

    def _s_For(self, node: c_ast.For, out: list[ir.Stmt]) -> None:
        self.frame.scopes.append({})
        try:
            if node.init is not None:
                self.stmt(node.init, out)
            c = self.expr(node.cond) if node.cond is not None else CVal((), bconst(True), ct.BOOL)
            body = self._loop_body(node.stmt)
            update = self.expr(node.next).stmts if node.next is not None else ()
            out.append(self._test_first_loop(c, node.cond, body, update, "for", node))
        finally:
            self.frame.scopes.pop()

    def _s_Break(self, node: c_ast.Break, out: list[ir.Stmt]) -> None:
        if not self.frame.breakable:
            raise Unsup("break outside a loop or switch", node)
        out.append(ir.Break(span_of(node)))

    def _s_Continue(self, node: c_ast.Continue, out: list[ir.Stmt]) -> None:
        if "loop" not in self.frame.breakable:
            raise Unsup("continue outside a loop", node)
        out.append(ir.Continue(span_of(node)))

    def _s_Return(self, node: c_ast.Return, out: list[ir.Stmt]) -> None:
        ret = self.frame.ret
        if node.expr is None:
            if ret is not None:
                raise Unsup("return without a value in a non-void function", node)
            out.append(ir.Return(None, span_of(node)))
            return
        v = self.expr(node.expr)
        out.extend(v.stmts)
        if ret is None:
            out.append(ir.Return(None, span_of(node)))
            return
        out.append(ir.Return(value_as(v, ret, node.expr), span_of(node)))

    def _s_Switch(self, node: c_ast.Switch, out: list[ir.Stmt]) -> None:
        c = self.expr(node.cond)
        out.extend(c.stmts)
        stype = ct.promote(_need_type(c, node.cond))
        sel = self.temp(stype.ir)
        brk = self.temp(ir.BOOL)
        fall = self.temp(ir.BOOL)
        span = span_of(node)
        out += [
            ir.Assign(sel, value_as(c, stype, node.cond), span),
            ir.Assign(brk, bconst(False), span),
            ir.Assign(fall, bconst(False), span),
        ]
        segments = self._switch_segments(node)
        case_values = [self._case_value(seg, stype) for seg in segments]
        svar = ir.Var(sel, stype.ir)
        no_match: ir.Expr = bconst(True)
        for values in case_values:
            for v in values or ():
                no_match = _and(no_match, _cmp("ne", svar, ct.const(v, stype)))
        self.frame.breakable.append("switch")
        try:
            for seg, values in zip(segments, case_values, strict=True):
                match = no_match if values is None else _any_equal(svar, values, stype)
                body = self._segment_body(seg) + (ir.Assign(fall, bconst(True), span),)
                guarded, _ = guard_breaks(body, brk)
                enter = _and(_not(ir.Var(brk, ir.BOOL)), _or(ir.Var(fall, ir.BOOL), match))
                out.append(ir.If(enter, guarded, (), span_of(seg)))
        finally:
            self.frame.breakable.pop()

    def _switch_segments(self, node: c_ast.Switch) -> list[Any]:
        body = node.stmt
        items = body.block_items or [] if isinstance(body, c_ast.Compound) else [body]
        segments = []
        for item in items:
            if isinstance(item, c_ast.Case | c_ast.Default):
                segments.append(item)
            elif segments:
                segments[-1] = _append_stmt(segments[-1], item)
            elif _collect(item, c_ast.Case) or _collect(item, c_ast.Default):
                raise Unsup("case label inside a nested statement", item)
            elif not isinstance(item, c_ast.Decl) or item.init is not None:
                raise Unsup("statement before the first case label", item)
        for seg in segments:
            for s in seg.stmts or []:
                if _collect(s, c_ast.Case) or _collect(s, c_ast.Default):
                    raise Unsup("case label inside a nested statement", s)
        return segments

    def _case_value(self, seg: Any, stype: ct.CType) -> list[int] | None:
        if isinstance(seg, c_ast.Default):
            return None
        value, _ = self.const_eval(seg.expr)
        return [ct.wrap(value, stype)]

    def _segment_body(self, seg: Any) -> tuple[ir.Stmt, ...]:
        out: list[ir.Stmt] = []
        for s in seg.stmts or []:
            self.stmt(s, out)
        return tuple(out)

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
        if info.length is not None:
            raise Unsup("array used as a value (a pointer)", node)
        return CVal((), ir.Var(info.name, info.ctype.ir, span_of(node)), info.ctype)

    def _e_ExprList(self, node: c_ast.ExprList) -> CVal:
        stmts: list[ir.Stmt] = []
        last = CVal((), None, None)
        for e in node.exprs:
            last = self.expr(e)
            stmts.extend(last.stmts)
        return CVal(tuple(stmts), last.expr, last.ctype)

    def _e_Cast(self, node: c_ast.Cast) -> CVal:
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
        if op in ("&", "*"):
            raise Unsup("pointer" if op == "*" else "address-of (&)", node)
        v = self.expr(node.expr)
        t = _need_type(v, node.expr)
        span = self.op_span(node.expr, _UNARY_TEXT.get(op, op))
        if op == "!":
            return CVal(v.stmts, _not(cond_of(v, node.expr)), ct.INT)
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
            size = (info.ctype.width + 7) // 8 * (info.length or 1)
            return CVal((), ct.const(size, ct.SIZE_T), ct.SIZE_T)
        else:
            raise Unsup("sizeof of an expression", node)
        return CVal((), ct.const((t.width + 7) // 8, ct.SIZE_T), ct.SIZE_T)

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
        if op in _COMPARE:
            t = ct.usual(_need_type(a, node.left), _need_type(b, node.right))
            expr = ir.Binary(_COMPARE[op], value_as(a, t), value_as(b, t), ir.BOOL, span)
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
                                    f"`{op}` may overflow {t.name}", span))  # fmt: skip
        return tuple(checks), ir.Binary(_ARITH[op], x, y, t.ir, span), t

    def _shift(self, op: str, x: ir.Expr, lt: ct.CType, y: ir.Expr, rt: ct.CType, span: ir.Span
               ) -> tuple[tuple[ir.Stmt, ...], ir.Expr, ct.CType]:  # fmt: skip
        width = ct.const(lt.width, rt)
        ok = _cmp("lt", y, width)
        if rt.signed:
            ok = _and(_cmp("ge", y, ct.const(0, rt)), ok)
        checks: list[ir.Stmt] = [
            ir.Assert(ok, "shift-out-of-range", f"shift count outside 0..{lt.width - 1}", span)
        ]
        if op == "<<" and lt.signed:
            checks.append(ir.Assert(_cmp("ge", x, ct.const(0, lt)), "shift-out-of-range",
                                    "left shift of a negative value", span))  # fmt: skip
            wide = ct.wide(lt)
            shifted = ir.Binary("shl", ir.Cast(x, wide), ir.Cast(y, wide), wide)
            fits = _cmp("le", shifted, ir.Const(lt.max, wide))
            checks.append(
                ir.Assert(
                    fits,
                    "shift-out-of-range",
                    f"left shift result not representable in {lt.name}",
                    span,
                )
            )
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
        rhs = self.expr(node.rvalue)
        op = node.op[:-1]
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
            if info.length is not None:
                raise Unsup("assignment to an array", lvalue)
            if info.const:
                raise Unsup("assignment to a const global", lvalue)
            if info.name in _writes(rhs):
                raise Unsup("unsequenced modification of " + lvalue.name, node)
            old = CVal((), ir.Var(info.name, info.ctype.ir, span_of(lvalue)), info.ctype)
            return self._store_scalar(info, old, rhs, op, span, node, post)
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

    def _e_ArrayRef(self, node: c_ast.ArrayRef) -> CVal:
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
            return CVal(v.stmts + (ir.Assert(c, "assertion", f"{name}({text}) may fail", span),),
                        None, None)  # fmt: skip
        if name in ("reach_error", "__VERIFIER_error"):
            fail = ir.Assert(bconst(False), "assertion", f"{name}() is reachable", span)
            return CVal((fail,), None, None)
        if name in ("abort", "exit", "_Exit") and name not in self.funcs:
            vals = self._args(args, node)
            stmts = tuple(s for v in vals for s in v.stmts)
            return CVal(stmts + (ir.Assume(bconst(False), span),), None, None)
        if name in ("abs", "labs", "llabs") and name not in self.funcs:
            return self._abs(name, args, node)
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
        vals = self._args(args, node)
        decls = self._param_decls(fdef)
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
        types = [self.ctype_of(d.type, d) for d in decls]
        args_ir = [value_as(v, t, a) for v, t, a in zip(vals, types, args, strict=True)]
        body = self._inline_body(fdef, ret, decls, types, args_ir)
        stmts.append(ir.Inline(target, name, body, span))
        return CVal(tuple(stmts), value.expr, value.ctype)

    def _inline_body(self, fdef: c_ast.FuncDef, ret: ct.CType | None, decls: list[c_ast.Decl],
                     types: list[ct.CType],
                     args_ir: list[ir.Expr]) -> tuple[ir.Stmt, ...]:  # fmt: skip
        saved = self.frame
        self.counter += 1
        self.frame = Frame(f"{fdef.decl.name}#{self.counter}.", ret, False, [{}])
        self.depth += 1
        try:
            entry: list[ir.Stmt] = []
            for d, t, a in zip(decls, types, args_ir, strict=True):
                info = self.declare(d.name, VarInfo("", t))
                entry.append(ir.Assign(info.name, a, span_of(d)))
            return tuple(entry) + self.block(fdef.body)
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

    def const_eval(self, node: Any) -> tuple[int, ct.CType]:
        """The value of an integer constant expression (array sizes, case labels, globals)."""
        saved_vars, saved_display = dict(self.variables), dict(self.display)
        saved_frame = self.frame
        self.frame = Frame("", None, False, [{}])
        try:
            v = self.expr(node)
        finally:
            self.frame = saved_frame
            self.variables, self.display = saved_vars, saved_display
        value = _fold(need_value(v, node)) if not v.stmts or _only_asserts(v.stmts) else None
        if value is None or v.ctype is None:
            raise Unsup("non-constant expression where C needs a constant", node)
        return value, v.ctype


def fold_cval(v: CVal) -> CVal:
    """Constant operands: the value as a `Const`, and no checks that hold anyway."""
    if v.expr is None or ir.expr_vars(v.expr):
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


def _bool_of(expr: ir.Expr) -> ir.Expr:
    return ir.Cast(expr, ir.BOOL)


def _any_equal(svar: ir.Expr, values: list[int], t: ct.CType) -> ir.Expr:
    out: ir.Expr = bconst(False)
    for v in values:
        out = _or(out, _cmp("eq", svar, ct.const(v, t)))
    return out


def _append_stmt(seg: Any, item: Any) -> Any:
    seg.stmts = list(seg.stmts or []) + [item]
    return seg


def _need_type(v: CVal, node: Any) -> ct.CType:
    if v.ctype is None or v.expr is None:
        raise Unsup("use of a void value", node)
    return v.ctype


def _type_quals(node: Any) -> list[str]:
    while node is not None and not isinstance(node, c_ast.TypeDecl):
        node = getattr(node, "type", None)
    return list(node.quals or []) if node is not None else []


def _collect(node: Any, kind: type) -> list[Any]:
    found: list[Any] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, kind):
            found.append(current)
        stack.extend(child for _, child in current.children())
    return found


def _is_logical(node: Any) -> bool:
    return isinstance(node, c_ast.BinaryOp | c_ast.UnaryOp) and node.op in _LOGICAL_OPS


def _is_expression(node: Any) -> bool:
    return isinstance(node, c_ast.BinaryOp | c_ast.UnaryOp | c_ast.Assignment | c_ast.FuncCall
                      | c_ast.ID | c_ast.Constant | c_ast.Cast | c_ast.TernaryOp
                      | c_ast.ExprList | c_ast.ArrayRef)  # fmt: skip


def _construct_name(node: Any) -> str:
    kind = type(node).__name__
    if isinstance(node, c_ast.Decl | c_ast.TypeDecl):
        inner = node.type
        while isinstance(inner, c_ast.TypeDecl):
            inner = inner.type
        return _construct_name(inner)
    if isinstance(node, c_ast.IdentifierType):
        return f"type {' '.join(node.names)}"
    return _NODE_NAMES.get(kind, kind)


def _source_text(lines: list[str], node: Any) -> str:
    coord = getattr(node, "coord", None)
    if coord is None or not coord.line or coord.line > len(lines):
        return ""
    text = lines[coord.line - 1][(coord.column or 1) - 1 :]
    depth, out = 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                break
            depth -= 1
        out.append(ch)
    return "".join(out).strip()


def _only_asserts(stmts: tuple[ir.Stmt, ...]) -> bool:
    return all(isinstance(s, ir.Assert) for s in stmts)


def _fold(expr: ir.Expr) -> int | None:
    """Evaluate a constant IR expression (no variables), or None."""
    if ir.expr_vars(expr):
        return None
    try:
        return int(_eval_const(expr))
    except (ValueError, TypeError, ZeroDivisionError):
        return None


def _eval_const(expr: ir.Expr) -> int | bool:
    from prooflens.analysis import interpreter as it

    if isinstance(expr, ir.Const):
        return it.normalize(expr.value, expr.type)
    if isinstance(expr, ir.Unary):
        return it.unary(expr.op, _eval_const(expr.operand), expr.type)
    if isinstance(expr, ir.Binary):
        a, b = _eval_const(expr.left), _eval_const(expr.right)
        return it.binary(expr.op, a, b, expr.left.type, expr.type, expr.right.type)
    if isinstance(expr, ir.Ite):
        return _eval_const(expr.then) if _eval_const(expr.cond) else _eval_const(expr.orelse)
    if isinstance(expr, ir.Cast):
        return it.cast(_eval_const(expr.operand), expr.operand.type, expr.type)
    raise ValueError("not a constant")
