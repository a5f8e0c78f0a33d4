"""Preconditions people write (issue 15): a leading assert (C and Python) or a leading
`if c: raise` guard (Python) is what callers must pass. The unit's checks hold under it and
say so in their certificates; a same-file caller that breaks it is refuted at the call;
C's `main` has no callers, so its asserts stay checks. Data-driven on real verdicts."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from prooflens.analysis.check import check_text
from prooflens.analysis.settings import Settings


@dataclass(frozen=True)
class Case:
    name: str
    language: str
    source: str
    function: str
    # (property, line, status, words in the certificate or message)
    expect: tuple[tuple[str, int, str, str], ...]
    absent: tuple[tuple[str, int], ...] = ()  # (property, line) with no result


CASES = [
    Case("c leading assert", "c",
         "#include <assert.h>\nint mid(int lo, int hi) {\n    assert(0 <= lo && lo <= hi);\n"
         "    return lo + (hi - lo) / 2;\n}\n", "mid",
         (("signed-overflow", 4, "proved", "assuming 0 <= lo && lo <= hi (line 3"),),
         absent=(("assertion", 3),)),
    Case("c caller breaks it", "c",
         "#include <assert.h>\nint mid(int lo, int hi) {\n    assert(0 <= lo && lo <= hi);\n"
         "    return lo + (hi - lo) / 2;\n}\nint bad(void) {\n    return mid(5, 2);\n}\n", "bad",
         (("assertion", 7, "refuted", "precondition of mid: 0 <= lo && lo <= hi can fail"),)),
    Case("c caller keeps it", "c",
         "#include <assert.h>\nint mid(int lo, int hi) {\n    assert(0 <= lo && lo <= hi);\n"
         "    return lo + (hi - lo) / 2;\n}\nint good(void) {\n    return mid(2, 5);\n}\n",
         "good", (("assertion", 7, "proved", ""),)),
    Case("c main's asserts are checks", "c",
         "#include <assert.h>\nint main(void) {\n    assert(sizeof(int) == 2);\n"
         "    return 0;\n}\n", "main", (("assertion", 3, "refuted", "assertion can fail"),)),
    Case("c after a statement: a check", "c",
         "#include <assert.h>\nint f(int x) {\n    int y = x + 1;\n    assert(y != 5);\n"
         "    return y;\n}\n", "f", (("assertion", 4, "refuted", "assertion can fail"),)),
    Case("python leading assert", "python",
         "def div(a: int, b: int) -> int:\n    assert b > 0\n    return a // b\n", "div",
         (("division-by-zero", 3, "proved", "assuming b > 0 (line 2: a leading assert)"),)),
    Case("python guard", "python",
         "def div(a: int, b: int) -> int:\n    if b == 0:\n        raise ValueError('b')\n"
         "    return a // b\n", "div",
         (("division-by-zero", 4, "proved", "assuming not (b == 0) (line 2: a leading guard"),)),
    Case("python caller breaks it", "python",
         "def div(a: int, b: int) -> int:\n    assert b > 0\n    return a // b\n\n"
         "def use(a: int) -> int:\n    return div(a, 0)\n", "use",
         (("assertion", 6, "refuted", "precondition of div: b > 0 can fail"),)),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_precondition(case: Case) -> None:
    report = check_text(case.source, case.language, Settings(unwind=4, timeout_s=4.0))
    (fn,) = [f for f in report.functions if f.name == case.function]
    found = {(r.property, r.line): r for r in fn.results}
    for prop, line, status, words in case.expect:
        result = found.get((prop, line))
        assert result is not None and result.status == status, (prop, line, fn.results)
        assert words in (result.certificate or "") + result.message, result
        if status == "refuted":
            assert result.confirmed is True, result
    for prop, line in case.absent:
        assert (prop, line) not in found, fn.results
