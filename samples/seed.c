/* prooflens C seed examples: what `prooflens check samples/seed.c` should decide. */
#include <limits.h>
#include <stdlib.h>

extern int __VERIFIER_nondet_int(void);
extern unsigned int __VERIFIER_nondet_uint(void);
extern void __VERIFIER_assume(int cond);
extern void __VERIFIER_assert(int cond);

/* Unsigned arithmetic wraps, so addition commutes: always returns true. */
int f(unsigned int x, unsigned int y) {
    return x + y == y + x;
}

/* Terminates (ranking function x - y); x - y never overflows. */
int g(int x, int y) {
    if (y > 0)
        while (x > y)
            x = x - y;
    return x;
}

/* No guard: g2(5, 0) never returns (the state repeats). */
int g2(int x, int y) {
    while (x > y)
        x = x - y;
    return x;
}

/* The int variant of f: x + y overflows near INT_MAX (undefined behaviour).
   (The sum is named so that gcc -O0 cannot fold `x + y == y + x` to 1 before its
   sanitizer sees the addition: the replay then shows the overflow for real.) */
int f_int(int x, int y) {
    int sum = x + y;
    return sum == y + x;
}

/* The classic binary-search bug: (lo + hi) / 2 overflows for large indices. */
int midpoint(int lo, int hi) {
    if (lo < 0 || hi < lo)
        return -1;
    return (lo + hi) / 2;
}

/* The fix: never overflows. */
int midpoint_fixed(int lo, int hi) {
    if (lo < 0 || hi < lo)
        return -1;
    return lo + (hi - lo) / 2;
}

/* abs(INT_MIN) is not representable: -x overflows. */
int my_abs(int x) {
    return x < 0 ? -x : x;
}

/* C's % truncates toward zero: -7 % 2 == -1, so "n % 2 is 0 or 1" fails for negative odd n. */
int mod2_is_bit(int n) {
    return n % 2 == 0 || n % 2 == 1;
}

/* The correct test: always agrees with n & 1 (for every n, including INT_MIN). */
int is_odd_ok(int n) {
    return (n % 2 != 0) == ((n & 1) == 1);
}

/* An unsigned count-down loop that never ends: i >= 0 always holds, i wraps around. */
unsigned int countdown(unsigned int n) {
    unsigned int steps = 0;
    for (unsigned int i = n; i >= 0; i--)
        steps = steps + 1;
    return steps;
}

/* Division by a value that can be zero. */
int average(int total, int count) {
    return total / count;
}

/* An SV-COMP-style task: nondeterministic inputs, an assumption and an assertion. */
int main(void) {
    int x = __VERIFIER_nondet_int();
    int y = __VERIFIER_nondet_int();
    __VERIFIER_assume(x >= 0 && x <= 1000);
    __VERIFIER_assume(y >= 0 && y <= 1000);
    int s = 0;
    for (int i = 0; i < x; i++)
        s = s + y;
    __VERIFIER_assert(s == x * y);
    return 0;
}
