/* prooflens bundled minimal <assert.h>: `assert(e)` stays a call the C frontend understands. */
#ifndef PROOFLENS_ASSERT_H
#define PROOFLENS_ASSERT_H
void assert(int);
#endif
