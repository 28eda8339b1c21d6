/* Fuzz target: ehcp_date_parse() on any bytes.
 *
 * Invariants: only the four documented forms are accepted, and an accepted
 * date formats back to the same year, month and day (the ISO form byte for
 * byte); a refusal is PARSE or RANGE with a static one-line reason; the
 * arithmetic on an accepted date keeps the corresponding-date rule. */
#include <string.h>

#include "fuzz_common.h"

static int digits(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] < '0' || p[i] > '9')
      return 0;
  return 1;
}

static void check_accepted(const uint8_t *data, size_t size, ehcp_date d) {
  FUZZ_CHECK(d >= EHCP_DATE_MIN && d <= EHCP_DATE_MAX);
  char iso[EHCP_DATE_ISO_SIZE];
  FUZZ_CHECK(ehcp_date_format(iso, d) == EHCP_OK);
  FUZZ_CHECK(strlen(iso) == 10);
  ehcp_date again;
  FUZZ_CHECK(ehcp_date_parse(&again, iso, 10, NULL) == EHCP_OK && again == d);

  /* The text was one of the four forms, and says the same date. */
  if (size == 10 && data[4] == '-' && digits(data + 5, 2)) { /* ISO */
    FUZZ_CHECK(memcmp(iso, data, 10) == 0);
  } else if (size == 10 && data[2] == '/') { /* DD/MM/YYYY */
    FUZZ_CHECK(data[5] == '/' && digits(data, 2) && digits(data + 3, 2) && digits(data + 6, 4));
    FUZZ_CHECK(memcmp(iso, data + 6, 4) == 0 && memcmp(iso + 5, data + 3, 2) == 0 &&
               memcmp(iso + 8, data, 2) == 0);
  } else { /* YYYY-Mon-DD, optionally with " 00:00:00" */
    FUZZ_CHECK(size == 11 || size == 20);
    FUZZ_CHECK(digits(data, 4) && data[4] == '-' && data[8] == '-' && digits(data + 9, 2));
    FUZZ_CHECK(memcmp(iso, data, 4) == 0 && memcmp(iso + 8, data + 9, 2) == 0);
    if (size == 20)
      FUZZ_CHECK(memcmp(data + 11, " 00:00:00", 9) == 0);
    static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    int y, m, day;
    FUZZ_CHECK(ehcp_date_to_ymd(&y, &m, &day, d) == EHCP_OK);
    for (int k = 0; k < 3; k++)
      FUZZ_CHECK((data[5 + k] | 0x20) == months[3 * (m - 1) + k]);
  }

  int y, m, day;
  FUZZ_CHECK(ehcp_date_to_ymd(&y, &m, &day, d) == EHCP_OK);
  ehcp_date back;
  FUZZ_CHECK(ehcp_date_from_ymd(&back, y, m, day) == EHCP_OK && back == d);
  int wd = ehcp_date_weekday(d);
  FUZZ_CHECK(wd >= EHCP_MONDAY && wd <= EHCP_SUNDAY);

  /* Arithmetic from the parsed date; the amounts come from the text. */
  int64_t k = (int64_t)(data[0] ^ data[size - 1]) - 128;
  ehcp_date t;
  if (ehcp_date_add_days(&t, d, k) == EHCP_OK) {
    FUZZ_CHECK(t - d == k);
    FUZZ_CHECK(ehcp_date_weekday(t) == (int)(((wd + k) % 7 + 7) % 7));
  }
  if (ehcp_date_add_weeks(&t, d, k) == EHCP_OK)
    FUZZ_CHECK(t - d == 7 * k);
  if (ehcp_date_add_months(&t, d, k) == EHCP_OK) {
    int ty, tm, td;
    FUZZ_CHECK(ehcp_date_to_ymd(&ty, &tm, &td, t) == EHCP_OK);
    FUZZ_CHECK((int64_t)ty * 12 + tm - ((int64_t)y * 12 + m) == k);
    int last = ehcp_days_in_month(ty, tm);
    FUZZ_CHECK(td == (day < last ? day : last)); /* corresponding date */
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const reasons[] = {
      "empty", "surrounding whitespace", "wrong number of digits", "unknown month name",
      "not a recognised date form", "time must be 00:00:00", "trailing characters",
      "year out of range", "month out of range", "day out of range",
      "no such day in that month"};
  ehcp_date d = 12345;
  const char *why = NULL;
  int rc = ehcp_date_parse(&d, (const char *)data, size, &why);
  if (rc == EHCP_OK) {
    FUZZ_CHECK(why == NULL);
    check_accepted(data, size, d);
  } else {
    FUZZ_CHECK(rc == EHCP_ERR_PARSE || rc == EHCP_ERR_RANGE);
    FUZZ_CHECK(d == 12345); /* untouched */
    FUZZ_CHECK(why != NULL);
    int known = 0;
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
      known |= strcmp(why, reasons[i]) == 0;
    FUZZ_CHECK(known);
    /* A range error is a well-formed date: 10, 11 or 20 characters. */
    if (rc == EHCP_ERR_RANGE)
      FUZZ_CHECK(size == 10 || size == 11 || size == 20);
  }
  /* The reason pointer is optional. */
  ehcp_date d2;
  FUZZ_CHECK(ehcp_date_parse(&d2, (const char *)data, size, NULL) == rc);
  if (rc == EHCP_OK)
    FUZZ_CHECK(d2 == d);
  return 0;
}
