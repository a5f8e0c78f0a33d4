"""Differential soundness for Python sequences (issue 13): hypothesis generates small
functions of a list, a str and an int (indexing with negative indices, slicing, `+`, `in`,
`==`, iteration, unpacking, `append`/`pop`/`insert`/`extend`/`xs[i] = v`). Every "proved"
(assertion, exception, always returns True) is run for real on boundary inputs (empty
sequences, negative indices) and random ones: the real function must never fail there.
Every counterexample is run for real and must fail as reported. Profile: see
tests/soundness_support.py."""

from __future__ import annotations

import random
import textwrap
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from soundness_support import PROFILE, cross_check

from prooflens.analysis.check import check_text
from prooflens.analysis.settings import Settings

SETTINGS = Settings(unwind=4, timeout_s=3.0, deep=False, replay=False)
LISTS = ([], [0], [1, -1], [3, 3, 3], [2, -5, 7, 0], [-1, 0, 1, 2, 3, 4])
STRS = ("", "a", "ab", "ba", "abc", "\\u{41}", "aXa")
INTS = (0, 1, -1, 2, -2, 3, -4, 5, -7)

STATEMENTS = (
    "y = xs[i]", "y = xs[-1]", "c = s[i]", "c = s[-i]", "ys = xs[i:]", "ys = xs[:i] + xs[i:]",
    "t = s[1:i]", "xs.append(i)", "y = xs.pop()", "y = xs.pop(i)", "xs.insert(i, 9)",
    "xs.extend([i, i])", "xs[i] = 5", "a, b = xs[:2]", "p, q = s", "n = len(xs) - len(s)",
    "for v in xs:\n    n = n + v", "for ch in s:\n    if ch == 'a':\n        n = n + 1",
    "assert len(xs[:i]) <= len(xs)", "assert s[:i] + s[i:] == s", "assert xs == xs[:]",
    "assert not ('b' in s) or len(s) > 0",
    "assert len(s + s) == 2 * len(s)", "assert len(xs) != 3", "assert s != 'ab'",
    "assert xs[i] != 7", "assert len(xs) == 0 or xs[0] in xs", "push(xs, i)",
    "ys = list(xs)\npush(ys, 1)\nassert len(ys) == len(xs) + 1", "ys = xs\npush(xs, 2)",
)
HELPER = "def push(h, v):\n    h.append(v)\n    h[0] = h[-1]\n\n"
RETURNS = ("return len(xs) >= 0", "return s[:1] == s[0:1]", "return i in xs",
           "return 'a' in s or s == ''", "return xs[-1:] == xs[len(xs) - 1:]",
           "return n >= 0")  # fmt: skip


@st.composite
def program(draw: st.DrawFn) -> str:
    body = ["n = 0"] + draw(st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=4))
    body.append(draw(st.sampled_from(RETURNS)))
    text = "\n".join(body) + "\n"
    return HELPER + "def f(xs: list[int], s: str, i: int):\n" + textwrap.indent(text, "    ")


def run_real(source: str, inputs: dict[str, Any]) -> tuple[str, int]:
    """("returned"/"returned-true"/exception name, line) of one real run."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "<soundness>", "exec"), namespace)  # noqa: S102 - generated here
    args = {k: list(v) if isinstance(v, list | tuple) else v for k, v in inputs.items()}
    try:
        value = namespace["f"](**args)
        return ("returned-true" if value is True else "returned"), 0
    except Exception as error:  # noqa: BLE001 - every exception is an outcome here
        tb = error.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        return type(error).__name__, tb.tb_lineno if tb is not None else 0


def expected_failure(result) -> str:
    if result.property == "exception":
        return result.message.split(":")[0]
    return {"assertion": "AssertionError", "always-true": "returned"}[result.property]


def check_program(source: str) -> tuple[int, int]:
    """Cross-check every proved and refuted result; (proved, refuted) counts checked."""
    report = check_text(source, "python", SETTINGS, "<soundness>")
    (function,) = [f for f in report.functions if f.name == "f"]
    rng = random.Random(source)
    inputs = [dict(xs=xs, s=s, i=i) for xs in LISTS for s in STRS[:4] for i in INTS[:6]]
    inputs += [dict(xs=[rng.randint(-3, 3) for _ in range(rng.randint(0, 6))],
                    s="".join(rng.choice("abX") for _ in range(rng.randint(0, 5))),
                    i=rng.randint(-8, 8)) for _ in range(40)]  # fmt: skip
    return cross_check(function, source, inputs, run_real, expected_failure)


@PROFILE
@given(program())
def test_sequence_verdicts_survive_real_runs(source: str) -> None:
    check_program(source)


def test_fixed_programs() -> None:
    """Known answers: an IndexError found, a safe index proved, an aliased mutation refused."""
    found = "def f(xs: list[int], s: str, i: int):\n    return xs[i] == 0\n"
    assert check_program(found)[1] >= 1
    safe = ("def f(xs: list[int], s: str, i: int):\n    if len(xs) > 0:\n"
            "        return xs[-1] == xs[len(xs) - 1]\n    return True\n")  # fmt: skip
    assert check_program(safe)[0] >= 1
    aliased = ("def f(xs: list[int], s: str, i: int):\n    ys = xs\n    ys.append(1)\n"
               "    return xs\n")
    (function,) = check_text(aliased, "python", SETTINGS, "<t>").functions
    assert "aliased list mutation" in function.results[0].message
