"""The seed examples of prooflens, over Python's unbounded ints, and a few more."""


def f(x, y):
    return x + y == y + x


def g(x, y):
    assert isinstance(x, int) and isinstance(y, int)
    if y > 0:
        while x > y:
            x = x - y


def g2(x, y):
    while x > y:
        x = x - y


def collatz(n):
    assert n >= 1
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def countdown_fails_late(n):
    # fails only on the 4th iteration: the counterexample needs n == 4
    i = 0
    while i < n:
        i += 1
        assert i != 4


def floor_mod_negative(a):
    # Python's % takes the divisor's sign: -7 % 3 == 2, so r is never negative here...
    r = a % 3
    assert r >= 0
    # ...but // rounds toward minus infinity: -7 // 2 == -4, not -3.
    q = a // 2
    assert 2 * q <= a
    assert a >= 0 or q * 2 == a  # fails for odd negative a


def average(total, count):
    return total // count  # ZeroDivisionError when count == 0


def safe_average(total, count):
    if count == 0:
        return 0
    return total // count


def clamp(x, low, high):
    assert low <= high
    result = min(max(x, low), high)
    assert low <= result <= high
    return result


def abs_is_nonneg(x):
    return abs(x) >= 0


def square_is_even_iff(x):
    # x*x is even exactly when x is even: proved without a loop
    return (x * x % 2 == 0) == (x % 2 == 0)


def sum_below(n):
    assert n >= 0
    total = 0
    for i in range(n):
        total += i
    assert 2 * total == n * (n - 1)
    return total


def is_positive_after_double(x):
    # wrong claim: doubling a negative number keeps it negative
    return 2 * x >= x
