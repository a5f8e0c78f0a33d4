"""The lowering of one unit: file scope (typedefs, enums, globals), types, names, the
function itself and its statements. Expressions are in `c_expr` (they lower to a `CVal`:
the statements their side effects and checks need, run first in C's order, then a pure
IR value). See `c.py` for the conventions (globals, shift kinds)."""

from __future__ import annotations

from typing import Any

from pycparser import c_ast

from prooflens.analysis import ir
from prooflens.analysis.frontends import c_memory as cm
from prooflens.analysis.frontends import c_types as ct
from prooflens.analysis.frontends.c_base import (
    GLOBAL_PREFIX,
    MAX_ARRAY,
    CVal,
    Frame,
    Unsup,
    VarInfo,
    _and,
    _cmp,
    _collect,
    _construct_name,
    _fold,
    _is_expression,
    _is_logical,
    _need_type,
    _not,
    _only_asserts,
    _or,
    _type_quals,
    bconst,
    cond_of,
    need_value,
    span_of,
    value_as,
)
from prooflens.analysis.frontends.c_expr import ExprLowering
from prooflens.analysis.settings import Settings


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


def _leading_asserts(items: list[Any], funcs: dict[str, c_ast.FuncDef]) -> int:
    """How many of the body's first items are declarations without an initialiser or
    calls of the standard `assert`, up to the last such call (0: none)."""
    count = 0
    for index, item in enumerate(items):
        if isinstance(item, c_ast.Decl) and item.init is None \
                and not isinstance(item.type, c_ast.FuncDecl):  # fmt: skip
            continue
        if (isinstance(item, c_ast.FuncCall) and isinstance(item.name, c_ast.ID)
                and item.name.name == "assert" and "assert" not in funcs):  # fmt: skip
            count = index + 1
            continue
        break
    return count


class Lowerer(ExprLowering):
    """Lowers one unit (and, inlined, the same-file functions it calls)."""

    def __init__(self, ast: c_ast.FileAST, funcs: dict[str, c_ast.FuncDef], settings: Settings,
                 source: str, objects: bool = False) -> None:  # fmt: skip
        self._ctor = (ast, funcs, settings, source)
        self.funcs = funcs
        self.objects = objects  # every local array an object (see c_memory), not scalars
        self.param_objects: list[cm.MemObject] = []
        self.param_entry: list[ir.Stmt] = []
        self.strings: dict[int, cm.MemObject] = {}  # string literal objects, by AST node
        self.pointer_contract = cm.Contract({})  # accesses assumed inside parameter objects
        self.loop_depth = 0  # inside a loop (its condition and update included)
        # Lowering the unit's leading asserts: they are its preconditions (`Assume`s, each
        # stated in `preconditions`); a callee's leading asserts stay checks at the call.
        self.in_precondition = False
        self.preconditions: list[str] = []
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
        self.structs: dict[str, c_ast.Struct] = {}  # C memory: struct definitions by tag
        self.struct_typedefs: dict[str, tuple[c_ast.Struct, str]] = {}
        self._collect_file_scope(ast)

    # ------------------------------------------------------------------ file scope

    def _collect_file_scope(self, ast: c_ast.FileAST) -> None:
        for ext in ast.ext:
            for enum in _collect(ext, c_ast.Enum):
                self._enumerators(enum)
            for struct in _collect(ext, c_ast.Struct):
                if struct.name and struct.decls is not None:
                    self.structs.setdefault(struct.name, struct)
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
        inner = node.type.type if isinstance(node.type, c_ast.TypeDecl) else None
        if isinstance(inner, c_ast.Struct):  # C memory: `typedef struct {...} T;`
            self.struct_typedefs[node.name] = (inner, node.name)
            return
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

    def struct_of(self, node: Any, where: Any) -> cm.StructType | None:
        """The struct a `TypeDecl` names (tag or typedef), or None when it names none; a
        struct with a field that is not an integer (arrays, pointers, nested) is refused."""
        if not isinstance(node, c_ast.TypeDecl):
            return None
        inner, spelling = node.type, None
        if isinstance(inner, c_ast.IdentifierType) and len(inner.names) == 1 and \
                inner.names[0] in self.struct_typedefs:  # fmt: skip
            inner, spelling = self.struct_typedefs[inner.names[0]]
        if isinstance(inner, c_ast.Union):
            raise Unsup("union", where)
        if not isinstance(inner, c_ast.Struct):
            return None
        definition = inner if inner.decls is not None else self.structs.get(inner.name or "")
        if definition is None:
            raise Unsup(f"struct {inner.name} (incomplete type)", where)
        fields = []
        for d in definition.decls:
            if d.bitsize is not None or not isinstance(d.type, c_ast.TypeDecl) or \
                    not isinstance(d.type.type, c_ast.IdentifierType | c_ast.Enum):  # fmt: skip
                raise Unsup(f"struct field {d.name} that is not an integer", where)
            fields.append((d.name, self.ctype_of(d.type, d)))
        return cm.StructType(spelling or f"struct {definition.name}", tuple(fields))

    def _var_info(self, decl: c_ast.Decl, ir_name: str, is_global: bool = False) -> VarInfo:
        node = decl.type
        struct = self.struct_of(node, decl) if not is_global else None
        if struct is not None:  # C memory: a struct local is an object of one struct
            if decl.init is not None:
                raise Unsup("struct initializer", decl)
            return VarInfo(ir_name, ct.CHAR, 1, obj=True, struct=struct)
        if isinstance(node, c_ast.PtrDecl) and not is_global:
            return VarInfo(ir_name, ct.LONG, pointer=self.pointee(node, decl))
        if isinstance(node, c_ast.ArrayDecl):
            if isinstance(node.type, c_ast.ArrayDecl):
                raise Unsup("multi-dimensional array", decl)
            text = _string_init(decl)
            if node.dim is None and (text is None or is_global):
                raise Unsup("array without a size", decl)
            # `char s[] = "abc"`: the literal's characters and a NUL (C memory)
            length = len(text) + 1 if node.dim is None and text is not None else \
                self.const_eval(node.dim)[0]  # fmt: skip
            if text is not None and not is_global:
                if len(text) > length:
                    raise Unsup("string initializer longer than its array", decl)
                info = VarInfo(ir_name, self.ctype_of(node.type, decl), length, is_global)
                if info.ctype not in (ct.CHAR, ct.SCHAR, ct.UCHAR):
                    raise Unsup("string initializer of a non-char array", decl)
                info.obj = True
                return info
            big = not 0 < length <= MAX_ARRAY
            if big and (is_global or length <= 0):
                raise Unsup(f"array of {length} elements (at most {MAX_ARRAY} are modelled)", decl)
            info = VarInfo(ir_name, self.ctype_of(node.type, decl), length, is_global)
            info.obj = True if (big or self.objects) and not is_global else None  # see declare
            return info
        return VarInfo(ir_name, self.ctype_of(node, decl), None, is_global)

    def pointee(self, node: Any, where: Any) -> ct.CType:
        """The integer type a pointer declarator (or an array parameter) points to."""
        inner = node.type
        if isinstance(inner, c_ast.PtrDecl | c_ast.ArrayDecl):
            raise Unsup("pointer to pointer or to array", where)
        if self._is_void(inner):
            raise Unsup("void pointer", where)
        found = self.struct_of(inner, where)
        if found is not None:
            # a struct pointee: VarInfo.pointer and CVal.ctype (typed CType) hold a
            # c_memory.StructType for a struct pointer, and c_memory reads them as one
            return found  # type: ignore[return-value]
        if isinstance(inner, c_ast.FuncDecl):
            raise Unsup("function pointer", where)
        return self.ctype_of(inner, where)

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
        if info.pointer is not None:  # the offset, and a flag for NULL
            info.name = self.fresh(self.frame.prefix + source, cm.OFF, source)
            self.variables[info.name + ".null"] = ir.BOOL
            self.display[info.name + ".null"] = f"{source} == NULL"
        elif info.obj is not None:
            info.obj = cm.declared_object(self, info, source)
            info.name = info.obj.contents
        elif info.length is None:
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
        try:
            return self._lower_unit(fdef, end_line)
        except cm.ObjectsNeeded:  # a small array used as a pointer: every array an object
            again = Lowerer(*self._ctor, objects=True)
            return again._lower_unit(fdef, end_line)

    def _lower_unit(self, fdef: c_ast.FuncDef, end_line: int) -> ir.Function:
        ret = self._return_type(fdef, unit=True)
        self.frame = Frame("", ret, self._returns_bool(fdef, ret), [{}])
        params = self._params(fdef)
        body = tuple(self.param_entry) + self._unit_body(fdef)
        self._check_aliasing(body, fdef)
        entry = self._global_entry(fdef.decl.name == "main")
        for param in self.pointer_contract.accesses:  # stated in the unit's results
            self.display[cm.CONTRACT_KEY + param] = self.pointer_contract.describe(param)
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
            assumptions=tuple(self.preconditions),
        )

    def _unit_body(self, fdef: c_ast.FuncDef) -> tuple[ir.Stmt, ...]:
        """The unit's body. Its leading `assert`s (after plain declarations) state what its
        callers must pass: preconditions, assumed here and checked at each same-file call
        (where the callee is inlined, they stay assertions). `main` has no callers: its
        asserts are checks."""
        return self.body_with_preconditions(fdef, fdef.decl.name != "main")

    def body_with_preconditions(self, fdef: c_ast.FuncDef, leading: bool = True
                                ) -> tuple[ir.Stmt, ...]:  # fmt: skip
        """`fdef`'s body, its leading asserts lowered as preconditions (see `_unit_body`;
        inlined: assertions named "precondition of f")."""
        items = list(fdef.body.block_items or []) if isinstance(fdef.body, c_ast.Compound) \
            else [fdef.body]  # fmt: skip
        count = _leading_asserts(items, self.funcs) if leading else 0
        self.frame.scopes.append({})
        out: list[ir.Stmt] = []
        saved = self.in_precondition
        try:
            self.in_precondition = True
            for item in items[:count]:
                self.stmt(item, out)
            self.in_precondition = False
            for item in items[count:]:
                self.stmt(item, out)
        finally:
            self.in_precondition = saved
            self.frame.scopes.pop()
        return tuple(out)

    def _return_type(self, fdef: c_ast.FuncDef, unit: bool = False) -> ct.CType | None:
        """The integer return type (None: void). C memory: the checked unit may return a
        pointer -- its checks are what matters, the pointer returned is not a result."""
        fdecl = fdef.decl.type
        rtype = fdecl.type
        if isinstance(rtype, c_ast.PtrDecl):
            if not unit:
                raise Unsup("call to a function returning a pointer", fdef.decl)
            return None
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
        return decls

    @staticmethod
    def _is_void(node: Any) -> bool:
        return isinstance(node, c_ast.TypeDecl) and isinstance(node.type, c_ast.IdentifierType) \
            and node.type.names == ["void"]  # fmt: skip

    def param_info(self, d: c_ast.Decl) -> VarInfo:
        """A parameter's variable: an integer, or a pointer (`T *p`, `T p[]`, `T p[N]`)."""
        if isinstance(d.type, c_ast.PtrDecl | c_ast.ArrayDecl):
            return VarInfo("", ct.LONG, pointer=self.pointee(d.type, d))
        return VarInfo("", self.ctype_of(d.type, d))

    def _params(self, fdef: c_ast.FuncDef) -> list[ir.Param]:
        params = []
        self.param_entry = []
        self.strings = {}  # string literal objects, by AST node
        for d in self._param_decls(fdef):
            info = self.param_info(d)
            if info.pointer is None:
                info = self.declare(d.name, info)
                params.append(ir.Param(info.name, info.ctype.ir, span_of(d)))
                continue
            # Contract: pointing at the start of an object of len(p) elements; not NULL
            # unless the function itself tests it for NULL (then NULL is an input too).
            obj = cm.parameter_object(self, info, d.name, span_of(d))
            info = self.declare(d.name, info)
            info.target, info.nullable = obj, cm.tests_null(fdef.body, d.name)
            self.param_objects.append(obj)
            for part in (obj.fields or {}).values() if obj.fields is not None else (obj,):
                params.append(ir.Param(part.contents, part.array_type, span_of(d)))
            assert isinstance(obj.length, ir.Var)
            params.append(ir.Param(obj.length.name, cm.OFF, span_of(d)))
            if info.nullable:
                params.append(ir.Param(info.name + ".null", ir.BOOL, span_of(d)))
            else:
                self.pointer_contract.non_null.append(d.name)
            self.param_entry.append(ir.Assign(info.name, cm.offset_const(0), span_of(d)))
        return params

    def _check_aliasing(self, body: tuple[ir.Stmt, ...], fdef: c_ast.FuncDef) -> None:
        """Writing through a pointer parameter is exact only when nothing else the unit
        reaches may share its object (another pointer parameter, a global)."""
        written = cm.stored_objects(body)
        for obj in self.param_objects:
            parts = list(obj.fields.values()) if obj.fields is not None else [obj]
            if not any(p.contents in written for p in parts):
                continue
            others = [o.source for o in self.param_objects if o is not obj]
            if others:
                raise Unsup(f"write through pointer parameter {obj.source}, which may alias "
                            f"{others[0]}", fdef.decl)  # fmt: skip
            if self.used_globals:
                raise Unsup(f"write through pointer parameter {obj.source}, which may point "
                            "to a global", fdef.decl)  # fmt: skip

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
            looping = isinstance(node, c_ast.While | c_ast.DoWhile | c_ast.For)
            self.loop_depth += looping
            try:
                method(node, out)
            finally:
                self.loop_depth -= looping
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
        if info.pointer is not None:
            self._pointer_decl(node, info, out)
            return
        if info.obj is not None:
            self._object_decl(node, info, out)
            return
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

    def _pointer_decl(self, node: c_ast.Decl, info: VarInfo, out: list[ir.Stmt]) -> None:
        # the declarator's scope starts before its initializer: `int *p = malloc(sizeof *p)`
        info = self.declare(node.name, info)
        init = self.pointer_operand(node.init, info.pointer) if node.init is not None else None
        if init is not None:
            out.extend(init.stmts)
            out.extend(cm.bind(info, init, node.init, span_of(node)))

    def _object_decl(self, node: c_ast.Decl, info: VarInfo, out: list[ir.Stmt]) -> None:
        """A local array as an object: `= {...}` fills the rest with zeros; without an
        initializer its contents are unknown; a string literal initializes a char array."""
        text = _string_init(node)
        items = self._init_items(node.init, info) if node.init is not None and text is None \
            else None  # fmt: skip
        info = self.declare(node.name, info)
        if text is not None:
            items = [c_ast.Constant("int", str(c)) for c in text]
        if items is None:
            return
        obj = info.obj
        span = span_of(node)
        zero = ir.ArrayInit(ct.const(0, info.ctype), obj.array_type, span)
        out.append(ir.Assign(obj.contents, zero, span))
        for k, item in enumerate(items):
            v = self.expr(item)
            out.extend(v.stmts)
            out.append(cm.write(obj, cm.offset_const(k), value_as(v, info.ctype, item), span))

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


def _string_init(decl: c_ast.Decl) -> list[int] | None:
    """The characters of a plain string literal initializing `decl`, or None."""
    init = decl.init
    if isinstance(init, c_ast.Constant) and init.type == "string":
        chars = cm.string_chars(init.value)
        if chars is None:
            raise Unsup(f"string literal {init.value[:20]}", init)
        return chars
    return None


def _any_equal(svar: ir.Expr, values: list[int], t: ct.CType) -> ir.Expr:
    out: ir.Expr = bconst(False)
    for v in values:
        out = _or(out, _cmp("eq", svar, ct.const(v, t)))
    return out


def _append_stmt(seg: Any, item: Any) -> Any:
    seg.stmts = list(seg.stmts or []) + [item]
    return seg
