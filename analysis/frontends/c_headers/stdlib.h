/* prooflens bundled minimal <stdlib.h>: only what integer programs use. */
#ifndef PROOFLENS_STDLIB_H
#define PROOFLENS_STDLIB_H
typedef unsigned long size_t;
void abort(void);
void exit(int);
int abs(int);
long labs(long);
long long llabs(long long);
#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#endif
