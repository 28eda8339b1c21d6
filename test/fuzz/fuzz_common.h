/* Shared by the fuzz targets: invariant checks and the objects every target
 * reuses (a calendar and the built-in rule set, built once per process).
 *
 * A broken invariant prints what broke and aborts, which libFuzzer reports
 * as a crash (and saves the input), and which fails the corpus replay test
 * in ordinary builds. */
#ifndef EHCP_FUZZ_COMMON_H
#define EHCP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "ehcp.h"

/* libFuzzer's entry point, defined by each target. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void fuzz_fail(const char *file, int line, const char *what);

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond))                                                                          \
      fuzz_fail(__FILE__, __LINE__, #cond);                                               \
  } while (0)

/* Physical lines of a text (LF, CRLF or a lone CR end a line): an upper
 * bound for any line number a reader may report. */
uint64_t fuzz_count_lines(const uint8_t *data, size_t size);

/* Whether s (NUL-terminated) holds a line break. */
int fuzz_has_newline(const char *s);

/* Check a diagnostics list from index `from` on: counts agree with the
 * entries, every entry has a known severity, a named code (when below
 * 1000), a one-line message, a line no later than max_line, and a source
 * that is NULL or `source`. Returns the number of error diagnostics from
 * `from` on. */
size_t fuzz_check_diagnostics(const ehcp_diagnostics *d, size_t from, const char *source,
                              uint64_t max_line);

/* Check a reader after a read: read == accepted + rejected for the last
 * read, the totals add up over `reads` reads, and each rejected row has at
 * least one error diagnostic. */
void fuzz_check_reader(const ehcp_reader *r, size_t errors_in_read);

/* England and Wales, 1980-2099: built once, never freed. */
const ehcp_calendar *fuzz_calendar(void);

/* The built-in england-2014 rule set: built once, never freed. */
const ehcp_ruleset *fuzz_rules(void);

/* Check a timeline just evaluated as of as_of with rule set rs. */
void fuzz_check_timeline(const ehcp_timeline *tl, const ehcp_ruleset *rs,
                         const ehcp_calendar *cal, ehcp_date as_of);

/* Validate, evaluate, measure and put into cohorts every case of set as of
 * as_of, with rule set rs on calendar cal, checking every result; with
 * `writers`, also write the board report (checked to be well-formed XML)
 * and the .ics export (checked to be read back by the .ics loader). */
void fuzz_evaluate_set(const ehcp_case_set *set, const ehcp_ruleset *rs,
                       const ehcp_calendar *cal, ehcp_date as_of, int writers);

/* Check that every event of every case is well formed. Returns the total
 * number of events. */
size_t fuzz_check_case_set(const ehcp_case_set *set);

#endif
