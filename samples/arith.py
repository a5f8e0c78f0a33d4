"""Python arithmetic exactly: unbounded ints, floor // and %, bool is an int."""


def floor_identity(a: int, b: int) -> bool:
    """Floor division and modulo always recombine: always returns True."""
    assert b != 0
    return (a // b) * b + a % b == a


def mod_sign(a: int, b: int) -> bool:
    """The remainder takes the divisor's sign: always True for b > 0."""
    assert b > 0
    return 0 <= a % b < b


def abs_nonneg(x: int) -> bool:
    return abs(x) >= 0 and max(x, -x) == abs(x)


def bool_is_int(p: bool) -> bool:
    return p + 1 == 1 + int(p) and True + True == 2


def risky_ratio(a: int, b: int) -> int:
    """Division by zero when a > 10 and b == 3."""
    if a > 10:
        return a // (b - 3)
    return a


def guarded_ratio(a: int, b: int) -> int:
    """Short-circuit: the division only runs when b != 3, so it never fails."""
    if b != 3 and a // (b - 3) > 0:
        return 1
    return 0


def square_nonneg(x: int) -> bool:
    return x**2 >= 0


def wrong_claim(x: int) -> bool:
    """Refuted: x == 0 (or 2) returns False."""
    return x * x != 2 * x


def clamp(x: int, lo: int, hi: int) -> int:
    assert lo <= hi
    r = min(max(x, lo), hi)
    assert lo <= r <= hi
    return r


def truncation_myth(a: int, b: int) -> int:
    """Python's // rounds toward minus infinity, not toward zero: a = -7, b = 2 gives
    q = -4, so the second assertion fails."""
    assert b > 0
    q = a // b
    assert q * b <= a
    assert abs(q) * b <= abs(a)
    return q
