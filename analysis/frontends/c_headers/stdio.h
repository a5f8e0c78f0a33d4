/* prooflens bundled minimal <stdio.h>: declarations only (calls are unsupported). */
#ifndef PROOFLENS_STDIO_H
#define PROOFLENS_STDIO_H
typedef unsigned long size_t;
int printf(const char *, ...);
#endif
