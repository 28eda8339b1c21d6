/* Minimal assertion helpers for ehcp's C tests.
 *
 * Each CHECK records a failure with file and line and carries on, so one run
 * shows every broken expectation; check_done() prints the tally and gives
 * the process exit status. Header-only so that every test stays one file. */
#ifndef EHCP_TEST_CHECK_H
#define EHCP_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                 \
  do {                                                                              \
    check_count++;                                                                  \
    if (!(cond)) {                                                                  \
      check_failures++;                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);      \
    }                                                                               \
  } while (0)

#define CHECK_INT(got, want)                                                        \
  do {                                                                              \
    long long check_g_ = (long long)(got), check_w_ = (long long)(want);            \
    check_count++;                                                                  \
    if (check_g_ != check_w_) {                                                     \
      check_failures++;                                                             \
      fprintf(stderr, "%s:%d: %s == %lld, want %lld\n", __FILE__, __LINE__, #got,   \
              check_g_, check_w_);                                                  \
    }                                                                               \
  } while (0)

#define CHECK_STR(got, want)                                                        \
  do {                                                                              \
    const char *check_g_ = (got), *check_w_ = (want);                               \
    check_count++;                                                                  \
    if (!check_g_ || !check_w_ || strcmp(check_g_, check_w_) != 0) {                \
      check_failures++;                                                             \
      fprintf(stderr, "%s:%d: %s == \"%s\", want \"%s\"\n", __FILE__, __LINE__,     \
              #got, check_g_ ? check_g_ : "(null)", check_w_ ? check_w_ : "(null)"); \
    }                                                                               \
  } while (0)

/* Print the tally; returns the exit status for main(). */
static inline int check_done(const char *name) {
  printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
  return check_failures ? 1 : 0;
}

#endif
