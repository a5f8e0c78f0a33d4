"""Loops: termination, range with negative steps, continue, tuple assignment."""


def count_down(n: int) -> int:
    while n > 0:
        n -= 1
    return n


def sum_to(n: int) -> int:
    assert n >= 0
    s = 0
    for i in range(n + 1):
        s += i
    assert 2 * s == n * (n + 1)
    return s


def skip_odd(n: int) -> int:
    s = 0
    for i in range(n, 0, -1):
        if i % 2:
            continue
        s += i
    assert s % 2 == 0
    return s


def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    assert a >= 0
    return a


def spin(x: int, y: int) -> int:
    """Never returns when x > 0 and y <= 0."""
    while x > 0:
        x = x - y
    return x


def isqrt_ceil(n: int) -> int:
    i = 0
    while True:
        if i * i >= n:
            break
        i += 1
    return i


def gcd(a: int, b: int) -> int:
    assert a > 0 and b > 0
    while b != 0:
        a, b = b, a % b
    return a


def off_by_one(n: int) -> int:
    """The loop runs once more than intended: i ends at n + 1."""
    assert n >= 1
    i = 0
    while i <= n:
        i += 1
    assert i == n
    return i


def uses_helper(n: int) -> int:
    """`gcd`'s precondition (a > 0 and b > 0) fails at the call for n == 0."""
    assert n >= 0
    return gcd(n, 4)
