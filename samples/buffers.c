/* Buffers, strings and pointers: what prooflens checks about C memory. A pointer
 * parameter is assumed (the function's contract) to point at an object with room for the
 * accesses made through it; a caller in the file is checked against that contract. */

/* Correct bounded copy: at most 7 characters and a NUL always fit in buf. */
int copy_name(int n) {
    char buf[8];
    const char *src = "prooflens";
    int i = 0;
    while (i < n && i < 7 && src[i] != 0) {
        buf[i] = src[i];
        i++;
    }
    buf[i] = 0;
    return i;
}

/* Off by one: the loop also writes buf[8], one past the end. */
int pad(int c) {
    char buf[8];
    for (int i = 0; i <= 8; i++)
        buf[i] = (char)c;
    return buf[0];
}

/* Walking a string with a pointer: stops at the NUL, never past it. */
int length_of_greeting(void) {
    const char *s = "hello";
    const char *p = s;
    while (*p != 0)
        p++;
    return (int)(p - s);
}

/* The caller decides the length: the contract says a has room for a[0] when n > 0. */
int first_or_zero(const int *a, int n) {
    if (n <= 0)
        return 0;
    return a[0];
}

/* A pointer that stays NULL when nothing is found. */
int find_or_crash(int key) {
    int table[4] = {3, 5, 7, 11};
    int *hit = 0;
    for (int i = 0; i < 4; i++)
        if (table[i] == key)
            hit = &table[i];
    return *hit;
}

/* The same search, checked: never dereferences NULL. */
int find_or_minus_one(int key) {
    int table[4] = {3, 5, 7, 11};
    int *hit = 0;
    for (int i = 0; i < 4; i++)
        if (table[i] == key)
            hit = &table[i];
    if (hit == 0)
        return -1;
    return *hit;
}

/* A large table (more than 64 elements) indexed after a range check. */
int histogram_bucket(int value) {
    int counts[256] = {0};
    if (value < 0 || value > 255)
        return -1;
    counts[value]++;
    return counts[value];
}

/* Callers of first_or_zero: one passes a pointer past its array's end, one an element. */
int first_past_the_end(void) {
    int one[1] = {7};
    return first_or_zero(one + 1, 1);
}

int first_of_one(void) {
    int one[1] = {7};
    return first_or_zero(one, 1);
}
