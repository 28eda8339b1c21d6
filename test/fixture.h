/* Reading test fixtures. */
#ifndef EHCP_TEST_FIXTURE_H
#define EHCP_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

/* The whole file in a malloc'd buffer of exactly *len bytes (so ASan sees a
 * read past the end); exits with status 2 when the fixture is missing. */
static inline char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s (set EHCP_TEST_DATA)\n", path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc(size > 0 ? (size_t)size : 1);
  if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  fclose(f);
  *len = (size_t)size;
  return buf;
}

#endif
