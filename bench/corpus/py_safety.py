"""prooflens benchmark corpus: Python safety properties (loop-free).

Each `# expect:` line labels the function defined on the next line with the TRUE answer for
each property: proved (holds for every input meeting the leading asserts), refuted (some
such input violates it), or open (nobody knows: "don't know" is the only right answer).
Optional `tags=` name what makes the function interesting.
"""


# expect: always-true=proved
def add_commutes(x: int, y: int) -> bool:
    return x + y == y + x


# expect: always-true=proved division-by-zero=proved
def floor_recombine(a: int, b: int) -> bool:
    assert b != 0
    return (a // b) * b + a % b == a


# expect: always-true=proved division-by-zero=proved
def mod_in_range(a: int, b: int) -> bool:
    assert b > 0
    return 0 <= a % b < b


# expect: assertion=refuted division-by-zero=proved
def truncation_myth(a: int, b: int) -> int:
    assert b > 0
    q = a // b
    assert abs(q) * b <= abs(a)
    return q


# expect: division-by-zero=refuted
def ratio(a: int, b: int) -> int:
    if a > 10:
        return a // (b - 3)
    return a


# expect: always-true=refuted division-by-zero=proved
def guarded_ratio(a: int, b: int) -> bool:
    return b != 3 and a // (b - 3) > 0


# expect: always-true=proved tags=nonlinear
def square_nonneg(x: int) -> bool:
    return x * x >= 0


# expect: always-true=refuted
def double_grows(x: int) -> bool:
    return 2 * x >= x


# expect: assertion=proved
def clamp(x: int, lo: int, hi: int) -> int:
    assert lo <= hi
    r = min(max(x, lo), hi)
    assert lo <= r <= hi
    return r


# expect: assertion=proved
def max3(a: int, b: int, c: int) -> int:
    m = a
    if b > m:
        m = b
    if c > m:
        m = c
    assert m >= a and m >= b and m >= c
    return m


# expect: assertion=refuted
def abs_diff_positive(a: int, b: int) -> int:
    d = a - b if a > b else b - a
    assert d > 0
    return d


# expect: assertion=refuted
def bad_midpoint(lo: int, hi: int) -> int:
    assert 0 <= lo <= hi
    mid = (lo + hi) // 2
    assert lo <= mid < hi
    return mid


# expect: assertion=proved
def midpoint(lo: int, hi: int) -> int:
    assert lo <= hi
    mid = lo + (hi - lo) // 2
    assert lo <= mid <= hi
    return mid


# expect: always-true=refuted tags=nonlinear
def sign_of_product(a: int, b: int) -> bool:
    return (a * b > 0) == ((a > 0) == (b > 0))


# expect: always-true=proved tags=nonlinear
def parity_of_square(x: int) -> bool:
    return (x * x % 2 == 0) == (x % 2 == 0)


# expect: always-true=proved
def bool_is_int(p: bool) -> bool:
    return p + p == 2 * p


# expect: always-true=proved
def chained_comparison(a: int, b: int, c: int) -> bool:
    assert a < b < c
    return a < c


# expect: always-true=proved division-by-zero=proved
def short_circuit_mod(x: int, y: int) -> bool:
    return y <= 0 or x % y < y


# expect: always-true=proved tags=nonlinear
def consecutive_product_even(n: int) -> bool:
    return n * (n + 1) % 2 == 0


# expect: always-true=refuted tags=nonlinear
def cube_minus_self(n: int) -> bool:
    return n * n * n - n != 6


# expect: always-true=refuted tags=nonlinear
def no_pythagorean_triple(x: int, y: int, z: int) -> bool:
    assert x > 0 and y > 0 and z > 0
    return x * x + y * y != z * z


# expect: assertion=refuted tags=needle
def modular_needle(x: int) -> int:
    y = (x * 7919 + 13) % 10007
    assert y != 1234
    return y


# expect: assertion=proved
def modular_range(x: int) -> int:
    y = x % 10007
    assert y != 10007
    return y
