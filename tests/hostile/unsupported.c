/* Hostile input: C with every construct a small verifier may not model, one function each.
   Each has an operation that can fail for some input, so a construct that is silently
   ignored (instead of reported as unsupported) tends to show up as a wrong verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <setjmp.h>
#include <math.h>
#include "does_not_exist.h"

#define SQUARE(x) ((x) * (x))
#define CONCAT(a, b) a##b
#define STR(x) #x

typedef struct point { int x; int y; } point;
typedef int (*binop)(int, int);
union number { int i; float f; };
enum color { RED, GREEN = 5, BLUE };
struct bits { unsigned a : 3; signed b : 5; };

int global_counter;
static int table[4] = {1, 2, 3, 4};
const char *message = "hello";
extern int defined_elsewhere;
__thread int thread_local_value;
_Atomic int atomic_value;
jmp_buf jump_target;

int u_pointer(int *p) { return *p / 1; }
int u_pointer_arith(int *p, int n) { return *(p + n); }
int u_address_of(int x) { int *p = &x; *p = 0; return 10 / x; }
int u_struct(point pt) { return 100 / pt.x; }
int u_struct_ptr(point *pt) { return 100 / pt->y; }
int u_union(union number n) { return 100 / n.i; }
int u_bitfield(struct bits b) { return 100 / b.a; }
int u_enum(enum color c) { return 100 / (c - GREEN); }
float u_float(float f) { return 1.0f / f; }
double u_double(double d) { return sqrt(d) / d; }
long double u_long_double(long double d) { return d / 0.0L; }
int u_string(const char *s) { return strlen(s) / (s[0] - 'a'); }
int u_char_array(int i) { char buf[8] = "abcdefg"; return buf[i]; }
int u_malloc(int n) { int *a = malloc(n * sizeof(int)); a[n] = 1; free(a); return 0; }
int u_printf(int x) { printf("%d\n", x); return 100 / x; }
int u_variadic(int count, ...) { va_list ap; va_start(ap, count); int v = va_arg(ap, int); va_end(ap); return 100 / v; }
int u_function_pointer(binop f, int x) { return f(x, 1) / x; }
int u_goto(int x) { again: x--; if (x > 0) goto again; return 100 / x; }
int u_computed_goto(int x) { void *l = &&done; goto *l; done: return 100 / x; }
int u_switch(int x) { switch (x) { case 1: return 100 / (x - 1); case 2: x++; default: break; } return x; }
int u_setjmp(int x) { if (setjmp(jump_target)) return 100 / x; longjmp(jump_target, 1); }
int u_inline_asm(int x) { __asm__("nop"); return 100 / x; }
int u_statement_expression(int x) { int y = ({ int t = x; t * 2; }); return 100 / y; }
int u_nested_function(int x) { int inner(int y) { return y + 1; } return 100 / inner(x); }
int u_vla(int n) { int a[n]; a[0] = 1; return 100 / a[n - 1]; }
int u_compound_literal(int x) { point p = (point){ .x = x, .y = 0 }; return 100 / p.x; }
int u_designated(int x) { int a[3] = { [1] = 5 }; return 100 / a[x]; }
int u_generic(int x) { return _Generic(x, int: 100 / x, default: 0); }
int u_sizeof(int x) { return (int)sizeof(x) / (x - 4); }
int u_comma(int x) { int y = (x++, x--, x); return 100 / y; }
int u_side_effect_ternary(int x) { int y = x ? x-- : ++x; return 100 / y; }
int u_increment_in_index(int i) { int a[2]; a[i++] = i; return a[0]; }
int u_static_local(int x) { static int calls; calls++; return 100 / (calls - x); }
int u_global_write(int x) { global_counter = x; return 100 / global_counter; }
int u_extern(int x) { return 100 / (defined_elsewhere - x); }
int u_volatile(int x) { volatile int y = x; return 100 / y; }
int u_register_restrict(int * restrict p) { register int y = *p; return 100 / y; }
int u_recursion(int n) { if (n == 0) return 1; return 100 / u_recursion(n - 1); }
int u_unknown_call(int x) { return 100 / undeclared_function(x); }
int u_macros(int x) { int CONCAT(v, 1) = SQUARE(x); return 100 / (v1 - 4); }
int u_string_macro(int x) { return STR(x)[0] / x; }
int u_wide(int x) { wchar_t c = L'x'; return 100 / (x - c); }
int u_atomic(int x) { atomic_value = x; return 100 / atomic_value; }
int u_thread_local(int x) { thread_local_value = x; return 100 / thread_local_value; }
int u_cast_pointer(long x) { int *p = (int *)x; return *p; }
int u_long_long_mix(long long a, unsigned long long b) { return (a / b) > 0; }
int u_char_arith(char c) { return 100 / (c - 'a'); }
int u_attribute(int x) __attribute__((pure));
int u_attribute(int x) { return 100 / x; }
int u_do_while_continue(int x) { do { if (x == 3) continue; x--; } while (x > 0); return 100 / x; }
int u_knr(a, b) int a; int b; { return a / b; }
int u_unicode_\u00e9(int x) { return 100 / x; }
int u_trigraph(int x) { return x ??! 1; }
int u_huge_array(int i) { static int big[100000000]; return big[i]; }
int u_alloca(int n) { int *p = __builtin_alloca(n); return p[0]; }
int u_abort(int x) { if (x == 3) abort(); return x; }
int u_exit(int x) { if (x == 3) exit(1); return 100 / (x - 3); }
void u_void_return(int x) { int y = 100 / x; (void)y; }
int u_no_params() { return 100 / global_counter; }
int u_implicit_int_decl(x) { return 100 / x; }
int main(int argc, char **argv) { return u_pointer(&argc); }
