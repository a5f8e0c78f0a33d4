"""Witnesses a person can read (issue 15): small magnitudes, non-negative inputs where the
failure has such a witness, and the failing operation's values in the message. Data-driven:
(source, function, property, the largest magnitude allowed), checked on real verdicts."""

from __future__ import annotations

import re

import pytest

from prooflens.analysis.check import check_text
from prooflens.analysis.settings import Settings

INT_MAX = 2**31 - 1

CASES = [
    # an ordinary product: the smallest witness is 46341 * 46341
    ("int area(int w, int h) {\n    return w * h;\n}\n", "area", 65_536),
    # behind a guard and a callee: still an ordinary-sized witness
    ("int gcd(int a, int b) {\n    while (b != 0) { int t = a % b; a = b; b = t; }\n"
     "    return a;\n}\n"
     "int lcm(int a, int b) {\n    if (a <= 0 || b <= 0) return 0;\n"
     "    return a * b / gcd(a, b);\n}\n", "lcm", 65_536),
    ("int grow(int x) {\n    return x + 2147483000;\n}\n", "grow", 1_000),
]

OPERATION = re.compile(r"\((-?\d+) ([-+*]) (-?\d+) = (-?\d+)\)")


@pytest.mark.parametrize(("source", "name", "largest"), CASES)
def test_overflow_witness_is_small_and_shows_its_values(source: str, name: str,
                                                        largest: int) -> None:  # fmt: skip
    report = check_text(source, "c", Settings(unwind=4, timeout_s=10.0))
    (fn,) = [f for f in report.functions if f.name == name]
    (found,) = [r for r in fn.results if r.property == "signed-overflow"
                and r.status == "refuted"]  # fmt: skip
    assert found.witness is not None and found.confirmed is True, found
    values = [v for v in found.witness.values() if isinstance(v, int)]
    assert all(0 <= v <= largest for v in values), found.message
    shown = OPERATION.search(found.message)
    assert shown is not None, found.message
    a, op, b, exact = int(shown[1]), shown[2], int(shown[3]), int(shown[4])
    assert exact == {"+": a + b, "-": a - b, "*": a * b}[op]
    assert not -INT_MAX - 1 <= exact <= INT_MAX, found.message
