/* An SV-COMP-style task with the usual preamble (GNU attributes, __assert_fail). */
extern void abort(void);
extern void __assert_fail(const char *, const char *, unsigned int, const char *) __attribute__ ((__nothrow__ , __leaf__)) __attribute__ ((__noreturn__));
void reach_error() { __assert_fail("0", "sum.c", 3, "reach_error"); }
extern int __VERIFIER_nondet_int(void);
extern unsigned int __VERIFIER_nondet_uint(void) __attribute__((__nothrow__));
void __VERIFIER_assert(int cond) {
  if (!(cond)) {
    ERROR: {reach_error();abort();}
  }
  return;
}
static __inline__ int twice(int x) { return x + x; }
int main() {
  unsigned int n = __VERIFIER_nondet_uint();
  int i = 0, s = 0;
  while (__VERIFIER_nondet_int() && i < 10) {
    s = twice(s) + 1;
    i++;
  }
  __VERIFIER_assert(s != 1023);
  return 0;
}
