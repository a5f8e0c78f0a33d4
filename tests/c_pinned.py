"""The C semantics table: each row is a tiny function, its inputs and what gcc (x86-64,
LP64, -O0 -fsanitize=undefined) does with it. `test_frontend_c` checks the frontend +
interpreter against the table; `test_c_gcc_e2e` checks the table against gcc itself."""

from __future__ import annotations

from c_support import Case

OK = "returned"
FAIL = "failed"

# (return type, params, body, inputs, expected)
ROWS: list[tuple[str, str, str, tuple[int, ...], tuple]] = [
    # --- integer promotions and the usual arithmetic conversions
    ("int", "unsigned x, int y", "return x > y;", (1, -1), (OK, 0)),  # -1 -> UINT_MAX
    ("int", "long x, unsigned y", "return x > y;", (1, 2**32 - 1), (OK, 0)),  # u32 -> long
    ("int", "unsigned long x, long y", "return y < x;", (1, -1), (OK, 0)),
    ("int", "unsigned char a, unsigned char b", "return a + b;", (200, 100), (OK, 300)),
    ("int", "unsigned short a, unsigned short b", "return a * b;", (65535, 2), (OK, 131070)),
    ("int", "char c", "return c;", (200 - 256,), (OK, -56)),  # plain char is signed
    ("unsigned", "unsigned a, unsigned b", "return a - b;", (0, 1), (OK, 2**32 - 1)),
    ("unsigned", "unsigned a, unsigned b", "return a * b;", (2**31, 2), (OK, 0)),
    ("unsigned long", "unsigned long a", "return a + 1;", (2**64 - 1,), (OK, 0)),
    ("long", "int a, int b", "return (long)a * b;", (2**31 - 1, 2), (OK, 2**32 - 2)),
    ("int", "unsigned a", "return -a > 0;", (5,), (OK, 1)),
    ("int", "int x", "return ~x;", (0,), (OK, -1)),
    ("unsigned", "unsigned short x", "return ~x;", (0,), (OK, 2**32 - 1)),  # promoted to int
    # --- conversions (narrowing to signed wraps in gcc; to _Bool is != 0)
    ("int", "int x", "signed char c = x; return c;", (300,), (OK, 44)),
    ("int", "int x", "short s = (short)x; return s;", (40000,), (OK, 40000 - 65536)),
    ("int", "long x", "int i = x; return i;", (2**32 + 7,), (OK, 7)),
    ("int", "int x", "_Bool b = x; return b;", (256,), (OK, 1)),
    ("int", "int x", "bool b = (bool)x; return b + b;", (-3,), (OK, 2)),
    ("int", "int x", "unsigned char u = x; return u;", (-1,), (OK, 255)),
    ("long", "unsigned x", "return (long)(int)x;", (2**32 - 1,), (OK, -1)),
    ("int", "int x", "bool b = 0; b++; b++; return b;", (0,), (OK, 1)),
    # --- division and remainder truncate toward zero
    ("int", "int a, int b", "return a / b;", (-7, 2), (OK, -3)),
    ("int", "int a, int b", "return a % b;", (-7, 2), (OK, -1)),
    ("int", "int a, int b", "return a % b;", (7, -2), (OK, 1)),
    ("int", "int a, int b", "return a / b;", (1, 0), (FAIL, "division-by-zero")),
    ("int", "int a, int b", "return a % b;", (1, 0), (FAIL, "division-by-zero")),
    ("int", "int a, int b", "return a / b;", (-(2**31), -1), (FAIL, "signed-overflow")),
    ("int", "int a, int b", "return a % b;", (-(2**31), -1), (FAIL, "signed-overflow")),
    ("unsigned", "unsigned a, unsigned b", "return a / b;", (7, 0), (FAIL, "division-by-zero")),
    ("long", "long a, long b", "return a / b;", (-(2**63), -1), (FAIL, "signed-overflow")),
    # --- signed overflow
    ("int", "int a, int b", "return a + b;", (2**31 - 1, 1), (FAIL, "signed-overflow")),
    ("int", "int a, int b", "return a - b;", (-(2**31), 1), (FAIL, "signed-overflow")),
    ("int", "int a, int b", "return a * b;", (65536, 32768), (FAIL, "signed-overflow")),
    ("int", "int a, int b", "return a * b;", (-65536, 32768), (OK, -(2**31))),
    ("int", "int a", "return -a;", (-(2**31),), (FAIL, "signed-overflow")),
    ("int", "int a", "a++; return a;", (2**31 - 1,), (FAIL, "signed-overflow")),
    ("int", "int a", "--a; return a;", (-(2**31),), (FAIL, "signed-overflow")),
    ("int", "int a", "a += 1; return a;", (2**31 - 1,), (FAIL, "signed-overflow")),
    ("int", "char a", "a++; return a;", (127,), (OK, -128)),  # promoted, then wraps
    ("int", "short a", "a *= 2; return a;", (32767,), (OK, -2)),
    ("long", "long a, long b", "return a + b;", (2**63 - 1, 1), (FAIL, "signed-overflow")),
    ("int", "int x", "return abs(x);", (-(2**31),), (FAIL, "signed-overflow")),
    ("int", "int x", "return abs(x);", (-5,), (OK, 5)),
    # --- shifts
    ("int", "int a, int b", "return a << b;", (1, 30), (OK, 2**30)),
    ("int", "int a, int b", "return a << b;", (1, 31), (FAIL, "shift-out-of-range")),
    ("int", "int a, int b", "return a << b;", (3, 30), (FAIL, "shift-out-of-range")),
    ("int", "int a, int b", "return a << b;", (-1, 1), (FAIL, "shift-out-of-range")),
    ("int", "int a, int b", "return a << b;", (1, 32), (FAIL, "shift-out-of-range")),
    ("int", "int a, int b", "return a >> b;", (1, -1), (FAIL, "shift-out-of-range")),
    ("int", "int a, int b", "return a >> b;", (-8, 1), (OK, -4)),  # arithmetic (gcc)
    ("unsigned", "unsigned a, int b", "return a << b;", (2**31 + 1, 1), (OK, 2)),
    ("unsigned", "unsigned a, unsigned b", "return a >> b;", (2**32 - 1, 31), (OK, 1)),
    ("long", "long a, int b", "return a << b;", (1, 40), (OK, 2**40)),
    ("int", "char a, int b", "return a << b;", (1, 24), (OK, 2**24)),  # promoted to int
    ("int", "int a, long b", "return a >> b;", (16, 2**32), (FAIL, "shift-out-of-range")),
    # --- logical operators short-circuit; ?: evaluates one branch
    ("int", "int a, int b", "return a != 0 && 10 / a > b;", (0, 1), (OK, 0)),
    ("int", "int a, int b", "return a == 0 || 10 / a > b;", (0, 1), (OK, 1)),
    ("int", "int a, int b", "return a ? 10 / a : b;", (0, 3), (OK, 3)),
    ("int", "int a, int b", "return !a + !!b;", (0, 5), (OK, 2)),
    ("int", "int a, int b", "int n = 0; if (a > 0 && ++n > 0) n++; return n;", (1, 0), (OK, 2)),
    ("int", "int a, int b", "int n = 0; if (a > 0 && ++n > 0) n++; return n;", (0, 0), (OK, 0)),
    ("int", "int a", "return (a, a + 1);", (4,), (OK, 5)),
    # --- statements
    (
        "int",
        "int n",
        "int s = 0; for (int i = 0; i < n; i++) { if (i == 2) continue; "
        "if (i == 5) break; s += i; } return s;",
        (10,),
        (OK, 0 + 1 + 3 + 4),
    ),
    ("int", "int n", "int s = 0; do { s++; } while (s < n); return s;", (-3,), (OK, 1)),
    ("int", "int n", "int s = 0; while (n-- > 0) s += 2; return s * 100 + n;", (3,), (OK, 599)),
    (
        "int",
        "int x",
        "int r = 0; switch (x) { case 1: r = 10; case 2: r += 1; break; "
        "default: r = -1; case 3: r -= 5; } return r;",
        (1,),
        (OK, 11),
    ),
    (
        "int",
        "int x",
        "int r = 0; switch (x) { case 1: r = 10; case 2: r += 1; break; "
        "default: r = -1; case 3: r -= 5; } return r;",
        (7,),
        (OK, -6),
    ),
    (
        "int",
        "int x",
        "int r = 0; switch (x) { case 1: r = 10; case 2: r += 1; break; "
        "default: r = -1; case 3: r -= 5; } return r;",
        (3,),
        (OK, -5),
    ),
    (
        "int",
        "unsigned char x",
        "switch (x) { case 255: return 1; case -1: return 2; } return 0;",
        (255,),
        (OK, 1),
    ),
    # --- arrays
    (
        "int",
        "int i",
        "int a[4] = {1, 2, 3}; a[i] = 7; return a[0] * 1000 + a[3];",
        (3,),
        (OK, 1007),
    ),
    ("int", "int i", "int a[4] = {1, 2, 3}; return a[i];", (4,), (FAIL, "array-out-of-bounds")),
    ("int", "int i", "int a[4] = {0}; a[i]++; return a[i];", (-1,), (FAIL, "array-out-of-bounds")),
    ("int", "int i", "unsigned char a[2] = {250, 1}; a[i] += 10; return a[0];", (0,), (OK, 4)),
    # --- literals and limits
    ("long", "int x", "return 2147483648 - x;", (1,), (OK, 2**31 - 1)),  # decimal -> long
    ("long", "int x", "return 0xFFFFFFFF + x;", (1,), (OK, 0)),  # hex -> unsigned int, wraps
    ("int", "int x", "return 'a' + '\\n' + x;", (0,), (OK, 107)),
    ("long", "int x", "return INT_MIN + LONG_MAX / LONG_MAX + x;", (0,), (OK, -(2**31) + 1)),
    ("int", "int x", "return sizeof(long) + sizeof(x);", (0,), (OK, 12)),
    ("int", "int8_t a, uint16_t b", "return a * b;", (-2, 65535), (OK, -131070)),
    # --- assertions
    # (not leading: a leading assert is the unit's precondition, tests/test_preconditions.py)
    ("int", "int x", "int y = x; assert(y < 10); return y;", (10,), (FAIL, "assertion")),
    ("int", "int x", "int y = x; assert(y < 10); return y;", (9,), (OK, 9)),
]


def cases() -> list[Case]:
    out = []
    for ret, params, body, inputs, _ in ROWS:
        plist = tuple(tuple(p.strip().rsplit(" ", 1)) for p in params.split(",") if p.strip())
        out.append(Case(ret, plist, body, inputs))  # type: ignore[arg-type]
    return out


def expected() -> list[tuple]:
    return [row[4] for row in ROWS]
