/* prooflens overlay <assert.h>, searched before the system headers when gcc preprocesses:
   glibc's assert() is a GNU statement expression pycparser cannot parse; here it stays a
   call the C frontend checks as an assertion. No include guard, as in C: NDEBUG is
   looked at on every inclusion. */
#undef assert
#ifdef NDEBUG
# define assert(ignore) ((void) 0)
#else
void assert(int);
#endif
#ifndef static_assert
# define static_assert _Static_assert
#endif
