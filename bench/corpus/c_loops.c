/* prooflens benchmark corpus: C loops (termination, invariants, long counterexamples).
 * Labels: see c_safety.c. Termination is labelled for every function with a loop.
 */
#include <assert.h>

// expect: assertion=proved signed-overflow=proved termination=proved tags=invariant
int count_up(int n) {
    if (n < 0)
        return 0;
    int i = 0;
    while (i < n)
        i++;
    assert(i == n);
    return i;
}

// expect: assertion=refuted signed-overflow=proved termination=proved
int fails_late(int n) {
    int i = 0;
    while (i < n) {
        i++;
        assert(i != 4);
    }
    return i;
}

// expect: assertion=refuted signed-overflow=proved termination=proved tags=long-cex
int fails_after_30(int n) {
    int i = 0;
    while (i < n) {
        i++;
        assert(i != 30);
    }
    return i;
}

// expect: assertion=proved signed-overflow=proved termination=proved tags=invariant
int sum_to(int n) {
    if (n < 0 || n > 1000)
        return 0;
    int s = 0;
    for (int i = 1; i <= n; i++)
        s += i;
    assert(s >= 0);
    return s;
}

// expect: signed-overflow=refuted termination=proved tags=long-cex,overflow
int sum_below(int n) {
    int s = 0;
    for (int i = 0; i < n; i++)
        s += i;
    return s;
}

// expect: signed-overflow=refuted termination=refuted tags=nonterm,overflow
int spin(int x, int y) {
    while (x > 0)
        x = x - y;
    return x;
}

// expect: signed-overflow=proved termination=proved
int subtract_guarded(int x, int y) {
    if (y > 0) {
        while (x > y)
            x = x - y;
    }
    return x;
}

// expect: signed-overflow=proved termination=proved tags=lexicographic
int lex_reset(int x, int y) {
    if (x < 0 || y < 0)
        return 0;
    while (x > 0) {
        if (y > 0) {
            y--;
        } else {
            x--;
            y = 100;
        }
    }
    return y;
}

// expect: signed-overflow=proved termination=proved
unsigned nested(int n) {
    unsigned c = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            c++;
    return c;
}

// expect: termination=refuted tags=nonterm,recurrent-set
int skips_zero(unsigned x) {
    while (x != 0)
        x -= 2;
    return 0;
}

// expect: signed-overflow=proved termination=proved tags=disjunctive
int toward_zero(int x) {
    while (x != 0) {
        if (x > 0)
            x--;
        else
            x++;
    }
    return x;
}

// expect: array-out-of-bounds=refuted signed-overflow=proved termination=proved
int table_lookup(int k) {
    int a[10];
    for (int i = 0; i < 10; i++)
        a[i] = i * i;
    if (k < 0 || k > 10)
        return 0;
    return a[k];
}

// expect: array-out-of-bounds=proved signed-overflow=proved termination=proved
int table_lookup_checked(int k) {
    int a[10];
    for (int i = 0; i < 10; i++)
        a[i] = i * i;
    if (k < 0 || k >= 10)
        return 0;
    return a[k];
}

// expect: signed-overflow=proved termination=proved
int countdown(unsigned n) {
    int steps = 0;
    while (n > 0) {
        n--;
        if (steps < 1000)
            steps++;
    }
    return steps;
}

// expect: assertion=proved signed-overflow=proved termination=proved tags=invariant
int lockstep(int n) {
    if (n < 0)
        return 0;
    int x = n;
    int y = 0;
    while (x > 0) {
        x--;
        y++;
    }
    assert(y == n);
    return y;
}

// expect: termination=refuted tags=nonterm
int wait_forever(int x) {
    while (x == 0) {
    }
    return x;
}
