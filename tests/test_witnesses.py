"""Witnesses a person can read (issue 15): small magnitudes, non-negative inputs where the
failure has such a witness, and the failing operation's values in the message. Data-driven
over real verdicts (deep mode, replayed)."""

from __future__ import annotations

import re

import pytest

from prooflens.analysis.check import check_text
from prooflens.analysis.settings import Settings

INT_MAX = 2**31 - 1

# (source, function, the smallest magnitude of an input that makes the overflow happen:
# the witness shown must be within a factor of 2 of it -- issue 15's criterion)
CASES = [
    # 46341 * 46341 = 2147488281 is the first product past INT_MAX
    ("int area(int w, int h) {\n    return w * h;\n}\n", "area", 46_341),
    ("int scale(int a, int b, int c) {\n    if (c == 0) return 0;\n    return a * b / c;\n}\n",
     "scale", 46_341),
    # behind a guard and a callee
    ("int gcd(int a, int b) {\n    while (b != 0) { int t = a % b; a = b; b = t; }\n"
     "    return a;\n}\n"
     "int lcm(int a, int b) {\n    if (a <= 0 || b <= 0) return 0;\n"
     "    return a * b / gcd(a, b);\n}\n", "lcm", 46_341),
    # the classic binary-search midpoint: lo + hi passes INT_MAX from 2^30 on
    ("int mid(int lo, int hi) {\n    return (lo + hi) / 2;\n}\n", "mid", 1 << 30),
    ("int grow(int x) {\n    return x + 2147483000;\n}\n", "grow", 648),
]

OPERATION = re.compile(r"\((-?\d+) ([-+*]) (-?\d+) = (-?\d+)\)")


@pytest.mark.parametrize(("source", "name", "smallest"), CASES)
def test_overflow_witness_is_small_and_shows_its_values(source: str, name: str,
                                                        smallest: int) -> None:  # fmt: skip
    report = check_text(source, "c", Settings(unwind=4, timeout_s=10.0))
    (fn,) = [f for f in report.functions if f.name == name]
    (found,) = [r for r in fn.results if r.property == "signed-overflow"
                and r.status == "refuted" and "/ -1" not in r.message]  # fmt: skip
    assert found.witness is not None and found.confirmed is True, found
    values = [v for v in found.witness.values() if isinstance(v, int)]
    assert all(v >= 0 for v in values) and max(values) <= 2 * smallest, found.message
    shown = OPERATION.search(found.message)
    assert shown is not None, found.message
    a, op, b, exact = int(shown[1]), shown[2], int(shown[3]), int(shown[4])
    assert exact == {"+": a + b, "-": a - b, "*": a * b}[op]
    assert not -INT_MAX - 1 <= exact <= INT_MAX, found.message


def test_an_int_too_long_to_print_is_an_extreme_value_not_a_defect() -> None:
    """CPython refuses str() of an int of over 4,300 digits: true, and refuted, but no
    maintainer fixes code for it (issue 15's precision bench: 14 of 35 errors were this)."""
    from prooflens.analysis import presentation

    report = check_text("def show(n: int) -> str:\n    return 'n = ' + str(n)\n", "python",
                        Settings(unwind=4, timeout_s=4.0))  # fmt: skip
    (found,) = [r for r in report.functions[0].results if r.status == "refuted"]
    assert found.property == "exception" and found.evidence.extreme, found
    assert presentation.severity(found) == presentation.Severity.HINT
