"""User functions named like gcc builtins (`abs`, `strlen`): compiled as the user's.

gcc replaces a call to `abs` by its builtin even when the file defines its own `abs`, so
the user's body (and its overflow) would never run. A blanket `-fno-builtin` would also
hide what UBSan sees in the library's `abs(INT_MIN)` (then a call into an uninstrumented
libc), so only the names the harness defines lose their builtin: `-fno-builtin-NAME`.
"""

from __future__ import annotations

import re

_DEFINITION = re.compile(r"\b([A-Za-z_]\w*)\s*\([^;{}()]*(?:\([^;{}()]*\)[^;{}()]*)*\)\s*\{")
_KEYWORDS = frozenset({"if", "while", "for", "switch", "return", "sizeof", "do", "else"})


def flags(text: str) -> tuple[str, ...]:
    """`-fno-builtin-NAME` for every function `text` defines (harmless for non-builtins)."""
    names = sorted({m.group(1) for m in _DEFINITION.finditer(text)} - _KEYWORDS)
    return tuple(f"-fno-builtin-{n}" for n in names if not n.startswith("__pl_"))
