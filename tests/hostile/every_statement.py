"""Hostile input: every Python statement and expression kind, one function each.

Each function also holds an assertion that fails for some input, so a construct that is
silently ignored (instead of reported as unsupported) tends to show up as a wrong verdict.
The module's top level does things a checker must never run.
"""
import os
import sys as system
from os import path as p, sep
from collections import *  # noqa

PWNED = open("PWNED_every_statement", "w")  # must never run during analysis
GLOBAL_COUNT = 0
os.environ["PROOFLENS_HOSTILE"] = "1"


class Point:
    x: int = 0

    def method(self, y):
        assert y != 3
        return y


def s_pass(x):
    pass
    assert x != 3


def s_expr(x):
    x + 1
    assert x != 3


def s_assign_chain(x):
    a = b = x
    assert a + b != 6


def s_augassign_all(x):
    y = x
    y += 1
    y -= 2
    y *= 3
    y //= 2
    y %= 7
    y **= 2
    y <<= 1
    y >>= 1
    y |= 1
    y &= 5
    y ^= 2
    assert y != 4


def s_annassign(x):
    y: int = x
    z: "int"
    assert y != 3


def s_tuple_unpack(x):
    a, b = x, x + 1
    (c, d), e = (1, 2), 3
    assert a + b != 7


def s_star_unpack(x):
    a, *rest = (x, 1, 2)
    assert a != 3


def s_for_range(x):
    for i in range(x):
        assert i != 5


def s_for_list(x):
    for i in [1, 2, 3]:
        assert i != x


def s_for_else(x):
    for i in range(3):
        pass
    else:
        assert x != 3


def s_while_else(x):
    while x > 10:
        x -= 1
    else:
        assert x != 3


def s_if_elif_else(x):
    if x > 5:
        y = 1
    elif x > 2:
        y = 2
    else:
        y = 3
    assert y != 2


def s_with(x):
    with open("f") as handle:
        assert x != 3


def s_raise(x):
    if x == 3:
        raise ValueError("three")
    return x


def s_try(x):
    try:
        assert x != 3
    except AssertionError:
        return 0
    finally:
        x = 1
    return x


def s_try_else(x):
    try:
        y = 1 // x
    except ZeroDivisionError as error:
        y = 0
    else:
        y = 2
    assert y != 2


def s_import(x):
    import math
    assert math.floor(x) != 3


def s_import_from(x):
    from math import floor
    assert floor(x) != 3


def s_global(x):
    global GLOBAL_COUNT
    GLOBAL_COUNT += 1
    assert x != 3


def s_nonlocal(x):
    def inner():
        nonlocal x
        x += 1
    inner()
    assert x != 4


def s_del(x):
    y = x
    del y
    assert x != 3


def s_return_tuple(x):
    return x, x


def s_break_continue(x):
    i = 0
    while True:
        i += 1
        if i == 2:
            continue
        if i > x:
            break
    assert i != 4


def s_match(x):
    match x:
        case 1:
            return 1
        case [a, b]:
            return a
        case {"k": v}:
            return v
        case Point(x=0):
            return 0
        case _:
            assert x != 3


def s_class_def(x):
    class Local:
        pass
    assert x != 3


def s_nested_def(x):
    def helper(y):
        return y + 1
    assert helper(x) != 4


async def s_async_def(x):
    assert x != 3


async def s_async_for_with(x):
    async for item in x:
        pass
    async with x as y:
        pass
    await x


def s_yield(x):
    yield x
    assert x != 3


def s_yield_from(x):
    yield from range(x)


def e_lambda(x):
    f = lambda y: y + 1
    assert f(x) != 4


def e_comprehensions(x):
    a = [i for i in range(x)]
    b = {i for i in range(x)}
    c = {i: i for i in range(x)}
    d = sum(i for i in range(x))
    assert d != 3


def e_walrus(x):
    if (y := x + 1) == 4:
        assert False


def e_fstring(x):
    s = f"{x!r:>10} {x=}"
    assert len(s) != 3


def e_strings_bytes(x):
    s = "abc" + 'd' + """e""" + r"\f"
    b = b"bytes" + rb"\x00"
    assert x != 3


def e_float_complex(x):
    y = x * 1.5 + 2j
    assert y != 4.5


def e_none_ellipsis(x):
    y = None
    z = ...
    assert y is None and x != 3


def e_subscript_slice(x):
    a = [1, 2, 3]
    assert a[x] != 2 and a[1:x:2] != []


def e_attribute(x):
    assert x.real != 3


def e_starred_call(x):
    args = (x,)
    assert max(*args, 0) != 3


def e_keyword_call(x):
    assert int(x, base=10) != 3


def e_true_division(x):
    assert x / 2 != 1.5


def e_bitwise(x):
    assert (x & 1) | (x ^ 2) != 3 and ~x != -4


def e_shifts(x):
    assert (x << 2) >> 1 != 6


def e_matmul(x):
    assert x @ x != 3


def e_is_in(x):
    assert x is not None and x not in (3,)


def e_conditional_expr(x):
    y = 1 if x > 0 else -1
    assert y * x != -3


def e_big_power(x):
    assert 2 ** 10000 != x


def e_negative_power(x):
    assert x ** -1 != 3


def e_unknown_call(x):
    assert print(x) is None


def e_recursion(x):
    if x <= 0:
        return 0
    return 1 + e_recursion(x - 1)


def e_mutual_a(x):
    return e_mutual_b(x - 1) if x > 0 else 0


def e_mutual_b(x):
    return e_mutual_a(x - 1) if x > 0 else 1


def e_calls_unsupported(x):
    assert s_raise(x) != 4


def decorated_helper(fn):
    return fn


@decorated_helper
def d_decorated(x):
    assert x != 3


def d_defaults(x, y=open("PWNED_default", "w")):
    assert x != 3


def d_star_args(*args, **kwargs):
    assert len(args) != 3


def d_kw_only(x, *, y):
    assert x != y


def d_pos_only(x, /, y):
    assert x != y


def d_annotations(x: list[int], y: "dict") -> float:
    assert x != 3


def d_docstring_only(x):
    """Nothing but a docstring."""


def d_redefined(x):
    assert x != 1


def d_redefined(x):  # noqa: F811 -- the later definition wins at run time
    assert x != 2


if __name__ == "__main__":
    open("PWNED_main", "w").write("top level ran")
    system.exit(s_pass(3))
