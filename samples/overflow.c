/* Integer overflow, division and shift tasks. */
#include <limits.h>
#include <stdint.h>

/* Average of two ints the naive way overflows. */
int avg_naive(int a, int b) {
    return (a + b) / 2;
}

/* Average without overflow (safe). */
int avg_safe(int a, int b) {
    return (a & b) + ((a ^ b) >> 1);
}

/* Multiplication guarded by a division check (safe). */
int mul_checked(int a, int b) {
    if (a > 0 && b > 0 && a > INT_MAX / b)
        return -1;
    if (a < 0 || b < 0)
        return -1;
    return a * b;
}

/* Factorial overflows from 13! on. */
int factorial(int n) {
    int r = 1;
    for (int i = 2; i <= n; i++)
        r = r * i;
    return r;
}

/* Unsigned wrap-around is defined: no error (safe). */
unsigned int hash(unsigned int h, unsigned int c) {
    return h * 31u + c;
}

/* Bit tricks: 1 << n for n up to 31 overflows int at 31. */
int bit(int n) {
    if (n < 0 || n > 31)
        return 0;
    return 1 << n;
}

/* Unsigned shift is fine for 0..31 (safe). */
uint32_t ubit(uint32_t n) {
    if (n > 31)
        return 0;
    return 1u << n;
}

/* Char arithmetic promotes to int: no overflow, the store wraps (safe). */
int char_sum(signed char a, signed char b) {
    signed char c = a + b;
    return c;
}

/* Modulo by a possibly zero value. */
int bucket(int key, int buckets) {
    return key % buckets;
}

/* Guarded: never divides by zero or overflows (safe). */
int bucket_ok(int key, int buckets) {
    if (buckets <= 0)
        return 0;
    return key % buckets;
}

/* Narrowing to short wraps in gcc (implementation-defined, no error) (safe). */
short narrow(int x) {
    return (short)x;
}

/* Absolute difference overflows for far-apart values. */
int absdiff(int a, int b) {
    return a > b ? a - b : b - a;
}

/* Long arithmetic: 64-bit product of two 32-bit values cannot overflow (safe). */
long wide_mul(int a, int b) {
    return (long)a * (long)b;
}
