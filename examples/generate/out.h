/* Buffered output with the few formatting helpers the writers need: fast
 * enough to write a million cases in a few seconds. */
#ifndef GENERATE_OUT_H
#define GENERATE_OUT_H

#include <stdio.h>

#include "civil.h"

struct out {
  FILE *f;
  const char *path;
  size_t n;
  int failed;
  char buf[1 << 16];
};

/* Open path for writing ("-" is standard output). Returns 0 or -1 (errno set). */
int out_open(struct out *o, const char *path);
/* Flush and close. Returns 0, or -1 if anything failed to be written. */
int out_close(struct out *o);
void out_flush(struct out *o);
void out_str(struct out *o, const char *s);
void out_char(struct out *o, char c);
void out_uint(struct out *o, unsigned long v);
/* YYYY-MM-DD, or nothing for DAY_NONE. */
void out_date(struct out *o, day_t day);

#endif
