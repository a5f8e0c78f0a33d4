"""C replay of units with memory (pointer parameters, arrays as objects): the objects a
witness describes, allocated exactly, and AddressSanitizer to see the bad accesses.

A pointer parameter `p` of the IR is two inputs, its object's contents `p` (an
`ir.ArrayValue`) and `len(p)`; the driver passes a fresh heap object of exactly `len(p)`
elements holding the witness's values, so reading `p[len(p)]` is a heap-buffer-overflow
that ASan reports. ASan reserves terabytes of shadow memory, which an address-space limit
forbids: its runs are capped by ASan's own `mmap_limit_mb` instead.
"""

from __future__ import annotations

import re
from typing import Any

from prooflens.analysis import ir

MARKER = "/* prooflens: AddressSanitizer */"
ASAN_FLAGS = ("-fsanitize=address",)
MEMORY_MB = 1024  # what ASan may map besides its shadow
ADDRESS_SPACE_MB = 1 << 26  # the address-space limit of an ASan run (no real cap)
MAX_REPLAY_ELEMENTS = 1 << 16  # a larger object is not allocated: no harness

_ASAN_ERROR = re.compile(r"ERROR: AddressSanitizer: ([\w-]+)(?: on (?:unknown )?address "
                         r"(0x[0-9a-f]+))?")  # fmt: skip
_FRAME = re.compile(r"#\d+ 0x[0-9a-f]+ in (\S+) (\S+?):(\d+)")
_KINDS = {
    "heap-buffer-overflow": "out-of-bounds", "stack-buffer-overflow": "out-of-bounds",
    "stack-buffer-underflow": "out-of-bounds", "global-buffer-overflow": "out-of-bounds",
    "heap-use-after-free": "use-after-free", "double-free": "invalid-free",
    "bad-free": "invalid-free",
}  # fmt: skip


def uses_memory(fn: ir.Function) -> bool:
    """Does the unit touch objects (then its harness is built with ASan)?"""
    types = list(fn.variables.values()) + [p.type for p in fn.params]
    return any(isinstance(t, ir.ArrayType) for t in types)


def wants_asan(text: str) -> bool:
    return MARKER in text


def env_options() -> dict[str, str]:
    """ASan's options: no leak report (the driver never frees), stop at the first error,
    a memory cap of its own."""
    return {"ASAN_OPTIONS": f"detect_leaks=0:halt_on_error=1:abort_on_error=0:"
                            f"mmap_limit_mb={MEMORY_MB}:allocator_may_return_null=1"}  # fmt: skip


def c_type(t: ir.Type) -> str:
    """The C spelling of an element type (gcc, LP64)."""
    if isinstance(t, ir.BoolType):
        return "_Bool"
    assert isinstance(t, ir.BVType)
    base = {8: "char", 16: "short", 32: "int", 64: "long long"}[t.width]
    return ("signed " if t.signed else "unsigned ") + base


def arguments(fn: ir.Function, witness: Witness_, literal: Any) -> list[str]:
    """The C arguments of the call: an object parameter is a GNU statement expression
    allocating and filling it (its length input `len(p)` is not an argument)."""
    args: list[str] = []
    done: set[str] = set()
    null = _null_inputs(fn, witness)
    for param in fn.params:
        if param.name.startswith("len(") and param.name.endswith(")"):
            continue
        if param.name.endswith(".null"):  # a pointer parameter's NULL flag: not an argument
            continue
        if "->" in param.name:  # a field of a struct parameter: one argument per struct
            owner = param.name.split("->")[0]
            if owner not in done:
                done.add(owner)
                spelling = fn.display.get(f"struct:{owner}", "void")
                args.append(f"(({spelling} *)0)" if owner in null else
                            _struct_argument(fn, witness, literal, owner))  # fmt: skip
            continue
        value = witness.inputs.get(param.name, 0)
        if not isinstance(param.type, ir.ArrayType):
            args.append(literal(value))
            continue
        if fn.display.get(param.name, param.name) in null:
            args.append(f"(({c_type(param.type.elem)} *)0)")
            continue
        length = int(witness.inputs.get(f"len({param.name})", 0))
        if length > MAX_REPLAY_ELEMENTS:
            raise ValueError(f"object of {length} elements is too large to replay")
        array = value if isinstance(value, ir.ArrayValue) else ir.ArrayValue(0)
        elem = c_type(param.type.elem)
        parts = [f"{elem} *__pl_o = ({elem} *){_allocation(elem, length)};"]
        parts += [f"__pl_o[{k}] = ({elem}){literal(item)};"
                  for k, item in enumerate(array.prefix(length)) if item]  # fmt: skip
        args.append("({ " + " ".join(parts) + " __pl_o; })")
    return args


def _null_inputs(fn: ir.Function, witness: Witness_) -> set[str]:
    """The pointer parameters (source names) the witness passes as NULL: a parameter the
    function tests for NULL has a flag input, shown as `p == NULL`."""
    out = set()
    for param in fn.params:
        shown = fn.display.get(param.name, "")
        if param.name.endswith(".null") and shown.endswith(" == NULL") and \
                witness.inputs.get(param.name):  # fmt: skip
            out.add(shown[: -len(" == NULL")])
    return out


def _allocation(ctype: str, length: int) -> str:
    """Exactly `length` zeroed elements (malloc(0) for none: a valid, empty object)."""
    return f"calloc({length}u, sizeof({ctype}))" if length else "malloc(0)"


def _struct_argument(fn: ir.Function, witness: Witness_, literal: Any, owner: str) -> str:
    """An exactly-sized heap array of the struct parameter `owner`'s type, its fields
    filled from the witness (the field inputs `owner->f`)."""
    spelling = fn.display.get(f"struct:{owner}")
    if spelling is None:
        raise ValueError(f"no C type for struct parameter {owner}")
    length = int(witness.inputs.get(f"len({owner})", 0))
    if length > MAX_REPLAY_ELEMENTS:
        raise ValueError(f"object of {length} elements is too large to replay")
    parts = [f"{spelling} *__pl_o = ({spelling} *){_allocation(spelling, length)};"]
    for param in fn.params:
        if not param.name.startswith(owner + "->"):
            continue
        field = param.name[len(owner) + 2 :]
        value = witness.inputs.get(param.name, 0)
        array = value if isinstance(value, ir.ArrayValue) else ir.ArrayValue(0)
        parts += [f"__pl_o[{k}].{field} = {literal(item)};"
                  for k, item in enumerate(array.prefix(length)) if item]  # fmt: skip
    return "({ " + " ".join(parts) + " __pl_o; })"


def classify(stderr: str) -> tuple[int | None, str, str] | None:
    """An ASan report as (line of the first frame, property, message), or None."""
    found = _ASAN_ERROR.search(stderr)
    if found is None:
        return None
    what, address = found.group(1), found.group(2)
    if what == "attempting":  # "attempting double-free on", "attempting free on address
        # which was not malloc()-ed"
        rest = stderr[found.end() : found.end() + 40]
        what = "double-free" if rest.lstrip().startswith("double-free") else "bad-free"
    kind = _KINDS.get(what, "other")
    if what == "SEGV" and address is not None and int(address, 16) < 4096:
        kind = "null-dereference"
    # the first frame in the program (not in the sanitizer's own free/malloc)
    frames = [f for f in _FRAME.finditer(stderr[found.end() :])
              if "sanitizer" not in f.group(2) and not f.group(2).endswith((".cpp", ".cc"))]
    line = int(frames[0].group(3)) if frames else None
    return line, kind, f"AddressSanitizer: {what}"


Witness_ = Any  # witness.Witness (kept loose: replay never imports the frontends)
