"""prooflens benchmark corpus: Python termination and non-termination.

Labels: see py_safety.py. `termination=open` marks loops whose termination is an open
problem of mathematics: any "proved" or "refuted" there is wrong; don't know is right.
"""


# expect: termination=proved
def countdown(n: int) -> int:
    while n > 0:
        n -= 1
    return n


# expect: termination=proved
def subtract_guarded(x: int, y: int) -> int:
    if y > 0:
        while x > y:
            x = x - y
    return x


# expect: termination=refuted tags=nonterm
def subtract_unguarded(x: int, y: int) -> int:
    while x > y:
        x = x - y
    return x


# expect: termination=refuted tags=nonterm
def spin(x: int, y: int) -> int:
    while x > 0:
        x = x - y
    return x


# expect: termination=proved tags=lexicographic
def lex_reset(x: int, y: int) -> int:
    assert x >= 0 and y >= 0
    while x > 0:
        if y > 0:
            y -= 1
        else:
            x -= 1
            y = 100
    return x + y


# expect: termination=proved tags=lexicographic
def lex_copy(x: int, y: int) -> int:
    while x > 0:
        if y > 0:
            y -= 1
        else:
            x -= 1
            y = x
    return y


# expect: termination=proved
def nested(n: int) -> int:
    c = 0
    i = 0
    while i < n:
        j = 0
        while j < i:
            j += 1
            c += 1
        i += 1
    return c


# expect: termination=refuted tags=nonterm
def nested_forgot_step(n: int) -> int:
    c = 0
    i = 0
    while i < n:
        j = 0
        while j < n:
            j += 1
            c += 1
    return c


# expect: termination=proved tags=disjunctive
def toward_zero(x: int) -> int:
    while x != 0:
        if x > 0:
            x -= 1
        else:
            x += 1
    return x


# expect: termination=refuted tags=nonterm,recurrent-set
def skips_zero(x: int) -> int:
    while x != 0:
        x -= 2
    return x


# expect: termination=proved tags=nonlinear
def first_square_above(n: int) -> int:
    i = 0
    while True:
        if i * i >= n:
            break
        i += 1
    return i


# expect: termination=open tags=open
def collatz(n: int) -> int:
    assert n >= 1
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


# expect: always-true=refuted termination=proved division-by-zero=proved tags=nonlinear
def is_prime(k: int) -> bool:
    if k < 2:
        return False
    d = 2
    while d * d <= k:
        if k % d == 0:
            return False
        d += 1
    return True


# expect: always-true=refuted termination=proved division-by-zero=proved
def goldbach_holds(n: int) -> bool:
    p = 2
    while p <= n // 2:
        if is_prime(p) and is_prime(n - p):
            return True
        p += 1
    return False


# expect: termination=open division-by-zero=proved tags=open
def goldbach_counterexample() -> int:
    n = 4
    while goldbach_holds(n):
        n += 2
    return n


# expect: termination=open division-by-zero=proved tags=open
def odd_perfect_number() -> int:
    n = 3
    while True:
        total = 1
        d = 2
        while d * d <= n:
            if n % d == 0:
                total += d
                if d * d != n:
                    total += n // d
            d += 1
        if total == n:
            return n
        n += 2
