"""Loops and assertions for the unbounded engines: invariants, ranking functions,
non-termination witnesses, and what stays "don't know"."""


def g(x: int, y: int) -> int:
    """Terminates: y > 0 before the loop, ranking function x - y."""
    assert y > 0
    while x > y:
        x = x - y
    return x


def g2(x: int, y: int) -> int:
    """Never returns from g2(5, 0): the state repeats."""
    while x > y:
        x = x - y
    return x


def flip(x: int) -> int:
    """Never returns from flip(-1): the state repeats with period 2."""
    while x != 0:
        x = 1 - x
    return x


def grow(x: int) -> int:
    """Diverges by growing: x > 0 is a recurrent set over unbounded ints."""
    while x > 0:
        x += 1
    return x


def gcd(a: int, b: int) -> int:
    """gcd by repeated subtraction: needs the supporting invariant a > 0 and b > 0."""
    assert a > 0 and b > 0
    while a != b:
        if a > b:
            a = a - b
        else:
            b = b - a
    return a


def double_until(x: int, n: int) -> int:
    """Doubling until above a bound: terminates because x >= 1 stays true."""
    assert x >= 1
    while x < n:
        x = 2 * x
    return x


def step_three(n: int) -> int:
    """Steps larger than 1."""
    i = 0
    while i < n:
        i += 3
    return i


def two_phase(x: int, y: int) -> int:
    """Two phases: lexicographic ranking (x, y)."""
    while x > 0:
        if y > 0:
            y -= 1
        else:
            x -= 1
            y = x
    return x


def nested(n: int, m: int) -> int:
    """Nested loops: each has its own ranking function."""
    t = 0
    for _i in range(n):
        j = 0
        while j < m:
            j += 1
            t += 1
    return t


def sum_below(n: int) -> int:
    """The sum of 0..n-1 is never negative: needs an inductive invariant."""
    t = 0
    for i in range(n):
        t += i
    assert t >= 0
    return t


def twice(n: int) -> int:
    """x == 2 * i after the loop: proved with the invariant 2 * i == x."""
    assert n >= 0
    x = 0
    i = 0
    while i < n:
        x += 2
        i += 1
    assert x == 2 * i
    return x


def late_failure(n: int) -> int:
    """Fails only at the 15th iteration, beyond the default unwinding of 10."""
    i = 0
    while i < 100:
        i += 1
        assert i != 15
    return i


def countdown(n: int) -> int:
    """Recursion with a ranking function over the argument."""
    if n <= 0:
        return 0
    return countdown(n - 1) + 1


def collatz(n: int) -> int:
    """Collatz: nobody can prove this terminates for n >= 1 (n <= 0 really diverges)."""
    assert n >= 1
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def after_loop(n: int, y: int) -> int:
    """The second loop never stops from after_loop(2, 0): reached past the first loop."""
    i = 0
    while i < n:
        i += 1
    while i > y:
        i = i - y
    return i


def inner_odd(n: int) -> int:
    """The inner loop never stops once x is odd: x = 1 in the second outer iteration."""
    k = 0
    for i in range(n):
        x = i
        while x != 0:
            x = x - 2
        k += 1
    return k


def until_flag(b: bool, x: int) -> int:
    """A boolean in the ranking function: (b, x) decreases lexicographically."""
    while b:
        x -= 1
        if x < 0:
            b = False
    return x


def triangle(n: int) -> int:
    """2 * t == n * (n - 1): needs the nonlinear invariant 2 * t == i * i - i (guessed from
    runs, then checked by induction)."""
    assert n >= 0
    t = 0
    i = 0
    while i < n:
        t += i
        i += 1
    assert 2 * t == n * (n - 1)
    return t


def needs_invariant(n: int) -> int:
    """Terminates because j == 2 * i holds at the loop head (found by Spacer): then i
    grows by one per iteration; without that invariant i could shrink."""
    assert n >= 0
    i = 0
    j = 0
    while i < n:
        j = j + 2
        i = j - i - 1
    return i
