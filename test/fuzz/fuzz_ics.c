/* Fuzz target: ehcp_calendar_builder_add_ics() (libical plus our own raw
 * scan and recurrence expansion), then building and querying the calendar.
 *
 * The builder's setup depends on the input's length, not its bytes, so the
 * text stays free for the fuzzer: 2015-2035 with bank holidays, or the
 * first or the last twelve years ehcp supports (no region; the last with no
 * weekend), so that recurrences and spans meet both ends of the date range.
 *
 * Invariants: OK, PARSE or LIMIT; an error leaves a one-line message naming
 * the source and the builder unchanged; a calendar built after a success
 * has every closure inside its range and sorted, every day of an .ics
 * closure is not a working day, and counts add up. */
#include <string.h>

#include "fuzz_common.h"

#define VARIANTS 3
#define MAX_DAYS_CHECKED 4000

static void setup(ehcp_calendar_builder *b, int variant) {
  /* Short ranges: compiling the calendar is most of the work per input. */
  static const int years[VARIANTS][2] = {{2015, 2035}, {1, 12}, {9988, 9999}};
  ehcp_date first, last;
  if (variant == 0)
    FUZZ_CHECK(ehcp_calendar_builder_set_region(b, EHCP_REGION_ENGLAND_AND_WALES) == EHCP_OK);
  else if (variant == 2)
    FUZZ_CHECK(ehcp_calendar_builder_set_weekend(b, 0) == EHCP_OK);
  ehcp_date_from_ymd(&first, years[variant][0], 1, 1);
  ehcp_date_from_ymd(&last, years[variant][1], 12, 31);
  FUZZ_CHECK(ehcp_calendar_builder_set_range(b, first, last) == EHCP_OK);
}

static size_t base_closures(int variant) {
  static size_t base[VARIANTS];
  static int done[VARIANTS];
  if (!done[variant]) {
    ehcp_calendar_builder *b;
    ehcp_calendar *cal;
    FUZZ_CHECK(ehcp_calendar_builder_new(&b) == EHCP_OK);
    setup(b, variant);
    FUZZ_CHECK(ehcp_calendar_build(&cal, b) == EHCP_OK);
    base[variant] = ehcp_calendar_closure_count(cal);
    done[variant] = 1;
    ehcp_calendar_free(cal);
    ehcp_calendar_builder_free(b);
  }
  return base[variant];
}

static void check_calendar(const ehcp_calendar *cal) {
  ehcp_date first, last;
  ehcp_calendar_range(&first, &last, cal);
  size_t n = ehcp_calendar_closure_count(cal), checked = 0;
  ehcp_date prev = EHCP_DATE_MIN;
  for (size_t i = 0; i < n; i++) {
    ehcp_date a, z;
    const char *name;
    int kind;
    FUZZ_CHECK(ehcp_calendar_closure(&a, &z, &name, &kind, cal, i) == EHCP_OK);
    FUZZ_CHECK(a <= z && z >= first && a <= last); /* overlaps the range */
    FUZZ_CHECK(a >= prev);
    prev = a;
    FUZZ_CHECK(name != NULL);
    FUZZ_CHECK(kind >= EHCP_CLOSURE_BANK_HOLIDAY && kind <= EHCP_CLOSURE_ICS);
    for (ehcp_date d = a > first ? a : first; d <= z && d <= last && checked < MAX_DAYS_CHECKED;
         d++, checked++)
      FUZZ_CHECK(ehcp_calendar_is_working_day(cal, d) == 0);
  }
  FUZZ_CHECK(ehcp_calendar_closure(NULL, NULL, NULL, NULL, cal, n) == EHCP_ERR_NOT_FOUND);

  /* count(a, b) + count(b, c) == count(a, c), and add() inverts count(). */
  ehcp_date a = first + (last - first) / 7, b = first + (last - first) / 2, c = last + 1;
  int32_t ab, bc, ac;
  FUZZ_CHECK(ehcp_calendar_count(&ab, cal, a, b) == EHCP_OK);
  FUZZ_CHECK(ehcp_calendar_count(&bc, cal, b, c) == EHCP_OK);
  FUZZ_CHECK(ehcp_calendar_count(&ac, cal, a, c) == EHCP_OK);
  FUZZ_CHECK(ab + bc == ac);
  ehcp_date w;
  if (ab > 0 && ehcp_calendar_add(&w, cal, a, ab) == EHCP_OK) {
    int32_t back;
    FUZZ_CHECK(ehcp_calendar_count(&back, cal, a + 1, w + 1) == EHCP_OK);
    FUZZ_CHECK(back == ab); /* (a, w] holds the ab working days */
    FUZZ_CHECK(ehcp_calendar_is_working_day(cal, w) == 1);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char source[] = "fuzz.ics";
  int variant = (int)(size % VARIANTS);
  ehcp_calendar_builder *b;
  FUZZ_CHECK(ehcp_calendar_builder_new(&b) == EHCP_OK);
  setup(b, variant);

  int rc = ehcp_calendar_builder_add_ics(b, (const char *)data, size, source);
  const char *msg = ehcp_calendar_builder_errmsg(b);
  FUZZ_CHECK(msg != NULL && !fuzz_has_newline(msg));
  ehcp_calendar *cal = NULL;
  if (rc != EHCP_OK) {
    FUZZ_CHECK(rc == EHCP_ERR_PARSE || rc == EHCP_ERR_LIMIT);
    FUZZ_CHECK(strncmp(msg, source, sizeof source - 1) == 0);
    /* The builder is unchanged: it builds the calendar it would have. */
    FUZZ_CHECK(ehcp_calendar_build(&cal, b) == EHCP_OK);
    FUZZ_CHECK(ehcp_calendar_closure_count(cal) == base_closures(variant));
  } else {
    FUZZ_CHECK(ehcp_calendar_build(&cal, b) == EHCP_OK);
    FUZZ_CHECK(ehcp_calendar_closure_count(cal) >= base_closures(variant));
    check_calendar(cal);
  }
  ehcp_calendar_free(cal);
  ehcp_calendar_builder_free(b);
  return 0;
}
