/* prooflens benchmark corpus: C safety properties (loop-free).
 *
 * Each `// expect:` line labels the function defined on the next line with the TRUE answer
 * for each property under C semantics (int is 32-bit, signed overflow, division by zero and
 * bad shifts are violations): proved, refuted, or open. Optional `tags=`.
 */
#include <assert.h>
#include <limits.h>
#include <stdbool.h>

// expect: always-true=proved
bool add_commutes(unsigned x, unsigned y) {
    return x + y == y + x;
}

// expect: signed-overflow=refuted tags=overflow
int add(int x, int y) {
    return x + y;
}

// expect: signed-overflow=proved tags=overflow
int add_guarded(int x, int y) {
    if (x < 0 || x > 1000 || y < 0 || y > 1000)
        return 0;
    return x + y;
}

// expect: signed-overflow=refuted tags=overflow
int scale(int x) {
    if (x < 0)
        return 0;
    return x * 65536;
}

// expect: signed-overflow=refuted tags=overflow
int average_naive(int a, int b) {
    return (a + b) / 2;
}

// expect: signed-overflow=proved tags=overflow
int average_safe(int a, int b) {
    return a / 2 + b / 2 + (a % 2 + b % 2) / 2;
}

// expect: division-by-zero=refuted signed-overflow=refuted
int divide(int a, int b) {
    return a / b;
}

// expect: division-by-zero=proved signed-overflow=proved
int divide_checked(int a, int b) {
    if (b == 0 || b == -1)
        return 0;
    return a / b;
}

// expect: shift-out-of-range=refuted
unsigned shift_left(unsigned x, int s) {
    return x << s;
}

// expect: shift-out-of-range=proved
unsigned shift_left_checked(unsigned x, int s) {
    if (s < 0 || s > 31)
        return 0;
    return x << s;
}

// expect: signed-overflow=refuted tags=overflow
int abs_naive(int x) {
    return x < 0 ? -x : x;
}

// expect: assertion=proved signed-overflow=proved
int abs_checked(int x) {
    if (x == INT_MIN)
        return 0;
    int r = x < 0 ? -x : x;
    assert(r >= 0);
    return r;
}

// expect: assertion=proved
int clamp(int x, int lo, int hi) {
    if (lo > hi)
        return lo;
    int r = x;
    if (r < lo)
        r = lo;
    if (r > hi)
        r = hi;
    assert(lo <= r && r <= hi);
    return r;
}

// expect: assertion=refuted
unsigned next_is_larger(unsigned x) {
    unsigned y = x + 1;
    assert(y > x);
    return y;
}

// expect: always-true=proved signed-overflow=proved tags=promotion
bool char_sum_grows(unsigned char a, unsigned char b) {
    return a + b >= a;
}

// expect: always-true=refuted tags=wrap
bool decrement_is_smaller(unsigned x) {
    return x - 1 < x;
}

// expect: always-true=refuted tags=conversion
bool compare_with_unsigned(int x) {
    unsigned u = 0;
    return x < u || x >= 0;
}

// expect: signed-overflow=refuted tags=overflow
int midpoint_naive(int lo, int hi) {
    if (lo < 0 || lo > hi)
        return 0;
    return (lo + hi) / 2;
}

// expect: assertion=proved signed-overflow=proved
int midpoint_safe(int lo, int hi) {
    if (lo < 0 || lo > hi)
        return 0;
    int mid = lo + (hi - lo) / 2;
    assert(lo <= mid && mid <= hi);
    return mid;
}

// expect: assertion=refuted tags=needle
int lcg_needle(unsigned seed) {
    unsigned x = seed * 1103515245u + 12345u;
    assert(x != 42u);
    return 0;
}

// expect: assertion=proved signed-overflow=proved tags=nonlinear
int mul_commutes(int a, int b) {
    if (a < -1000 || a > 1000 || b < -1000 || b > 1000)
        return 0;
    assert(a * b == b * a);
    return 1;
}
