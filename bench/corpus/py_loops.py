"""prooflens benchmark corpus: Python loops (invariants, long counterexamples).

Labels: see py_safety.py. Termination is labelled for every function with a loop.
"""


# expect: assertion=proved termination=proved tags=invariant,nonlinear
def sum_formula(n: int) -> int:
    assert n >= 0
    s = 0
    i = 0
    while i < n:
        i += 1
        s += i
    assert 2 * s == n * (n + 1)
    return s


# expect: assertion=proved termination=proved tags=invariant
def count_up(n: int) -> int:
    assert n >= 0
    i = 0
    while i < n:
        i += 1
    assert i == n
    return i


# expect: assertion=refuted termination=proved
def off_by_one(n: int) -> int:
    assert n >= 1
    i = 0
    while i <= n:
        i += 1
    assert i == n
    return i


# expect: assertion=refuted termination=proved
def fails_late(n: int) -> int:
    i = 0
    while i < n:
        i += 1
        assert i != 4
    return i


# expect: assertion=refuted termination=proved tags=long-cex
def fails_after_25(n: int) -> int:
    i = 0
    while i < n:
        i += 1
        assert i != 25
    return i


# expect: assertion=proved termination=proved tags=invariant
def two_counters(n: int) -> int:
    i = 0
    j = 0
    while i < n:
        i += 1
        j += 2
    assert j == 2 * i
    return j


# expect: assertion=proved termination=proved tags=invariant
def even_steps(n: int) -> int:
    x = 0
    while x < n:
        x += 2
    assert x % 2 == 0
    return x


# expect: assertion=proved termination=proved tags=invariant
def lockstep(n: int) -> int:
    assert n >= 0
    x = n
    y = 0
    while x > 0:
        x -= 1
        y += 1
    assert y == n
    return y


# expect: assertion=proved division-by-zero=proved termination=proved tags=invariant
def gcd(a: int, b: int) -> int:
    assert a > 0 and b > 0
    while b != 0:
        a, b = b, a % b
    assert a > 0
    return a


# expect: assertion=proved termination=proved tags=invariant
def fib_nonneg(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    assert a >= 0
    return a


# expect: assertion=proved termination=proved tags=invariant
def range_sum_nonneg(n: int) -> int:
    s = 0
    for i in range(n):
        s += i
    assert s >= 0
    return s


# expect: assertion=proved termination=proved tags=invariant,nonlinear
def isqrt(n: int) -> int:
    assert n >= 0
    r = 0
    while (r + 1) * (r + 1) <= n:
        r += 1
    assert r * r <= n
    return r


# expect: assertion=proved termination=proved tags=invariant
def skip_odd(n: int) -> int:
    s = 0
    for i in range(n, 0, -1):
        if i % 2:
            continue
        s += i
    assert s % 2 == 0
    return s


# expect: assertion=refuted termination=refuted tags=long-cex,nonterm
def walk_to(n: int) -> int:
    x = 0
    steps = 0
    while x != n:
        x += 1
        steps += 1
    assert steps < 40
    return steps
