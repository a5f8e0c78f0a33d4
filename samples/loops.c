/* SV-COMP-style integer loop tasks (nondeterministic inputs, assertions). */
#include <limits.h>
extern int __VERIFIER_nondet_int(void);
extern unsigned int __VERIFIER_nondet_uint(void);
extern void __VERIFIER_assume(int cond);
extern void __VERIFIER_assert(int cond);
extern void abort(void);
void reach_error(void) { abort(); }

/* Counting up to n: i == n at the end (safe). */
void count_up(void) {
    int n = __VERIFIER_nondet_int();
    __VERIFIER_assume(n >= 0 && n < 100000);
    int i = 0;
    while (i < n)
        i++;
    __VERIFIER_assert(i == n);
}

/* Two counters in lockstep (safe: x == y throughout). */
void lockstep(void) {
    unsigned int n = __VERIFIER_nondet_uint();
    unsigned int x = 0, y = 0;
    while (x < n) {
        x++;
        y++;
    }
    __VERIFIER_assert(x == y);
}

/* Off-by-one: the loop runs one step too many (unsafe). */
void off_by_one(void) {
    int n = __VERIFIER_nondet_int();
    __VERIFIER_assume(n > 0 && n < 1000);
    int i = 0;
    int a[8] = {0};
    for (i = 0; i <= n && i <= 8; i++)
        a[i] = i;
    __VERIFIER_assert(a[0] == 0);
}

/* Euclid by subtraction: the gcd divides both (checked for a small case) (safe). */
int gcd(int a, int b) {
    if (a <= 0 || b <= 0)
        return 0;
    while (a != b) {
        if (a > b)
            a = a - b;
        else
            b = b - a;
    }
    return a;
}

/* Even numbers stay even (safe, needs an invariant). */
void evens(void) {
    unsigned int x = 0;
    unsigned int n = __VERIFIER_nondet_uint();
    while (x < n)
        x += 2;
    __VERIFIER_assert(x % 2 == 0);
}

/* A bug after many iterations: reach_error when the counter hits 1000 (unsafe). */
void deep_bug(void) {
    int i = 0;
    int n = __VERIFIER_nondet_int();
    __VERIFIER_assume(n <= 2000);
    while (i < n) {
        i++;
        if (i == 1000)
            reach_error();
    }
}

/* A switch-driven state machine (safe: state stays within 0..2). */
void states(void) {
    int state = 0;
    int steps = __VERIFIER_nondet_int();
    __VERIFIER_assume(steps >= 0 && steps <= 50);
    for (int k = 0; k < steps; k++) {
        switch (state) {
        case 0: state = 1; break;
        case 1: state = __VERIFIER_nondet_int() ? 2 : 0; break;
        default: state = 0;
        }
    }
    __VERIFIER_assert(state >= 0 && state <= 2);
}

/* A write through a pointer parameter: checked against the object p points to. */
void by_pointer(int *p) {
    *p = 1;
    __VERIFIER_assert(*p == 1);
}

/* A bubble pass on a local array (safe: the maximum ends last). */
void bubble(void) {
    int a[4];
    for (int i = 0; i < 4; i++)
        a[i] = __VERIFIER_nondet_int();
    for (int i = 0; i < 3; i++) {
        if (a[i] > a[i + 1]) {
            int t = a[i];
            a[i] = a[i + 1];
            a[i + 1] = t;
        }
    }
    __VERIFIER_assert(a[3] >= a[0] && a[3] >= a[1] && a[3] >= a[2]);
}
