/* Termination tasks: loops that stop, loops that do not, and unknowns. */

/* Counts down: terminates (ranking function n). */
int down(int n) {
    while (n > 0)
        n--;
    return n;
}

/* Steps by k, which may be 0: does not terminate for k == 0. */
int steps(int i, int n, int k) {
    while (i < n)
        i = i + k;
    return i;
}

/* Guarded stepping: terminates. */
int steps_ok(int i, int n, int k) {
    if (k <= 0)
        return i;
    while (i < n && i < 1000000)
        i = i + k;
    return i;
}

/* Collatz: nobody knows (for n >= 1); n == 0 loops forever. */
int collatz(unsigned int n) {
    int count = 0;
    while (n != 1) {
        if (n % 2 == 0)
            n = n / 2;
        else
            n = 3 * n + 1;
        count++;
    }
    return count;
}

/* Two variables, lexicographic: terminates. */
int lex(int x, int y) {
    while (x > 0 && y > 0) {
        if (y > 1)
            y--;
        else {
            x--;
            y = 100;
        }
    }
    return x + y;
}

/* An unsigned loop that wraps forever: i >= 0 always holds. */
int wraps(unsigned int n) {
    int s = 0;
    for (unsigned int i = n; i >= 0; i--)
        s = 1;
    return s;
}

/* A nested loop: terminates. */
int nested(int n) {
    int s = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            s = 1;
    return s;
}

/* do-while that may never stop: x stays 0. */
int doubling(int x) {
    do {
        x = x * 2;
    } while (x != 64 && x < 1000 && x > -1000);
    return x;
}
