"""Python replay of units that are not plain module functions: methods (a placeholder
`self`), static and class methods, properties, nested functions (free variables from the
witness), lambdas, keyword-only and positional-only parameters -- through the program
builder, and through the whole pipeline (`check_text`), where each refutation must be
confirmed by the real run."""

from __future__ import annotations

import textwrap

import pytest

from prooflens.analysis.check import check_text
from prooflens.analysis.replay import program
from prooflens.analysis.replay import python as replay
from prooflens.analysis.settings import Settings
from prooflens.analysis.witness import Witness

QUICK = Settings(unwind=4, timeout_s=5.0, deep=False)


def refutations(source: str, settings: Settings = QUICK) -> dict[str, list]:
    """Function name -> its refuted results, checked from `source`."""
    report = check_text(textwrap.dedent(source), "python", settings, "/tmp/units_mod.py")
    return {f.name: [r for r in f.results if r.status == "refuted"] for f in report.functions}


UNITS = {
    "K.b": """
        class K:
            @staticmethod
            def b(y: int) -> int:
                return 10 // y
        """,
    "K.m": """
        class K:
            def m(self, y: int) -> int:
                return 10 // y
        """,
    "K.c": """
        class K:
            @classmethod
            def c(cls, y: int) -> int:
                return 10 // (y - 7)
        """,
    "K.Inner.d": """
        class K:
            class Inner:
                @staticmethod
                def d(y: int) -> int:
                    return 10 // (y - 2)
        """,
    "outer.inner": """
        def outer(a: int) -> int:
            k = a + 1

            def inner(y: int) -> int:
                return 10 // (y - k)

            return inner(3)
        """,
    "kw": """
        def kw(x: int, *, y: int) -> int:
            return 10 // (x - y)
        """,
    "posonly": """
        def posonly(x: int, /, y: int) -> int:
            return 10 // (x + y)
        """,
    "half": """
        half = lambda x: 10 // (x - 4)
        """,
    "K.uses": """
        def helper(y: int) -> int:
            return 10 // y


        class K:
            @staticmethod
            def uses(y: int) -> int:
                return helper(y - 1)
        """,
}


@pytest.mark.parametrize("name", sorted(UNITS))
def test_refutations_of_dotted_units_are_confirmed(name: str) -> None:
    found = refutations(UNITS[name])
    assert found.get(name), found
    for result in found[name]:
        assert result.confirmed is True, result
        assert "did not reproduce" not in result.message


def test_nested_unit_is_not_defined_twice() -> None:
    """`outer.inner`'s closure holds `outer`, whose text contains `inner`: the program has
    `outer` once, and `inner` once, inside the factory of its free variables."""
    source = textwrap.dedent(UNITS["outer.inner"]).lstrip("\n")
    outer = program.PySource("outer", 1, source)
    inner_text = "\n".join(source.splitlines()[3:5])
    inner = program.PySource("outer.inner", 4, inner_text.lstrip(), 5, ("function",))
    nested_twice = program.PySource("outer.inner", 4, inner_text.lstrip(), 5, ("function",))
    built = program.build(inner, [outer, nested_twice], ["y", "k"], "m.py")
    assert not isinstance(built, str), built
    assert built.call.kind == "nested" and built.call.positional == ("y",)
    (ok, fails) = replay.replay_calls(built, [
        (Witness({"y": 5, "k": 1}), replay.Expectation("division-by-zero", 5, 5)),
        (Witness({"y": 5, "k": 5}), replay.Expectation("division-by-zero", 5, 5)),
    ])  # fmt: skip
    assert ok.confirmed is False and fails.confirmed is True, (ok, fails)


def test_definition_time_code_of_a_method_never_runs(tmp_path) -> None:
    """Decorators other than staticmethod/classmethod, defaults and annotations are left
    out of the program: every argument is passed."""
    marker = tmp_path / "PWNED"
    source = (f"class K:\n    @staticmethod\n    def b(y: int, z=open({str(marker)!r}, 'w')):\n"
              f"        return 10 // y\n")  # fmt: skip
    built = program.build(program.PySource("K.b", 3, source.splitlines(True)[2].lstrip()
                                            + "".join(source.splitlines(True)[3:]), 5,
                                            ("class",), ("staticmethod",)),
                          [], ["y", "z"], "m.py")  # fmt: skip
    assert not isinstance(built, str), built
    (outcome,) = replay.replay_calls(
        built, [(Witness({"y": 0, "z": 1}), replay.Expectation("division-by-zero", 4, 4))]
    )
    assert outcome.confirmed is True, outcome
    assert not marker.exists()


def test_keyword_only_parameters_are_passed_as_keywords() -> None:
    source = "def f(x, *, y):\n    assert x != y\n"
    built = program.build(program.PySource("f", 1, source), [], ["x", "y"], "m.py")
    assert not isinstance(built, str) and built.call.keyword == ("y",)
    (outcome,) = replay.replay_calls(
        built, [(Witness({"x": 2, "y": 2}), replay.Expectation("assertion", 2, 2))]
    )
    assert outcome.confirmed is True, outcome


def test_nontermination_of_a_method_is_confirmed() -> None:
    found = refutations("""
        class K:
            @staticmethod
            def spin(x: int, y: int) -> None:
                while x > y:
                    x = x - y
        """, Settings(unwind=4, timeout_s=5.0))
    termination = [r for r in found["K.spin"] if r.property == "termination"]
    assert termination and termination[0].confirmed is True, found
