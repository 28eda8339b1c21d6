/* Unit tests for ehcp/date.h: conversions, weekday, parsing, formatting and
 * day/week/month arithmetic. The calendar walk compares the library against
 * a naive day-by-day counter written here, independent of the library. */
#include "check.h"
#include "ehcp/date.h"

#include <stdlib.h>

/* ---- independent reference calendar ------------------------------------ */

static int naive_leap(int y) {
  if (y % 400 == 0)
    return 1;
  if (y % 100 == 0)
    return 0;
  return y % 4 == 0;
}

static int naive_dim(int y, int m) {
  switch (m) {
  case 2: return naive_leap(y) ? 29 : 28;
  case 4: case 6: case 9: case 11: return 30;
  default: return 31;
  }
}

/* Build a date through the API from an ISO literal; the literal is trusted. */
static ehcp_date D(const char *iso) {
  ehcp_date d = EHCP_DATE_NONE;
  ehcp_date_from_ymd(&d, atoi(iso), atoi(iso + 5), atoi(iso + 8));
  return d;
}

static const char *fmt(ehcp_date d) {
  static char buf[EHCP_DATE_ISO_SIZE];
  ehcp_date_format(buf, d);
  return buf;
}

/* Walk every supported day with a naive y/m/d counter. The start value is
 * computed by summing year lengths, not taken from the header. */
static void test_calendar_walk(void) {
  long start = 0;
  for (int y = 1; y < 1970; y++)
    start -= naive_leap(y) ? 366 : 365;
  CHECK_INT(start, EHCP_DATE_MIN);

  int y = 1, m = 1, d = 1;
  long days = start, bad = 0, walked = 0;
  int wd = EHCP_MONDAY; /* 0001-01-01, proleptic Gregorian */
  long in_1600_2400 = 0;
  for (;;) {
    int gy = -1, gm = -1, gd = -1;
    ehcp_date back = EHCP_DATE_NONE;
    int rc1 = ehcp_date_to_ymd(&gy, &gm, &gd, (ehcp_date)days);
    int rc2 = ehcp_date_from_ymd(&back, y, m, d);
    if (rc1 != EHCP_OK || rc2 != EHCP_OK || gy != y || gm != m || gd != d ||
        back != days || ehcp_date_weekday((ehcp_date)days) != wd) {
      if (bad++ < 5)
        fprintf(stderr, "walk: day %ld want %04d-%02d-%02d wd %d: to_ymd %d %d-%d-%d, "
                "from_ymd %d %ld, weekday %d\n", days, y, m, d, wd, rc1, gy, gm, gd, rc2,
                (long)back, ehcp_date_weekday((ehcp_date)days));
    }
    /* Formatting and parsing in the centuries data actually lives in. */
    if (y >= 1600 && y <= 2400) {
      char want[32], got[EHCP_DATE_ISO_SIZE];
      ehcp_date p = EHCP_DATE_NONE;
      in_1600_2400++;
      snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
      if (ehcp_date_format(got, (ehcp_date)days) != EHCP_OK || strcmp(got, want) != 0 ||
          ehcp_date_parse(&p, want, 10, NULL) != EHCP_OK || p != days) {
        if (bad++ < 5)
          fprintf(stderr, "walk: day %ld format \"%s\" want \"%s\", parse %ld\n", days, got,
                  want, (long)p);
      }
    }
    walked++;
    if (y == 9999 && m == 12 && d == 31)
      break;
    days++;
    wd = (wd + 1) % 7;
    if (++d > naive_dim(y, m)) {
      d = 1;
      if (++m > 12) {
        m = 1;
        y++;
      }
    }
  }
  CHECK_INT(bad, 0);
  CHECK_INT(days, EHCP_DATE_MAX);
  CHECK_INT(walked, (long)EHCP_DATE_MAX - EHCP_DATE_MIN + 1);
  CHECK_INT(in_1600_2400, 292194 + 366); /* 800 years = 2 eras, plus year 2400 */
}

static void test_anchors(void) {
  ehcp_date d = 12345;
  CHECK_INT(ehcp_date_from_ymd(&d, 1970, 1, 1), EHCP_OK);
  CHECK_INT(d, 0);
  CHECK_INT(ehcp_date_from_ymd(&d, 2000, 3, 1), EHCP_OK);
  CHECK_INT(d, 11017);
  CHECK_INT(ehcp_date_from_ymd(&d, 1, 1, 1), EHCP_OK);
  CHECK_INT(d, -719162);
  CHECK_INT(ehcp_date_from_ymd(&d, 9999, 12, 31), EHCP_OK);
  CHECK_INT(d, 2932896);
  CHECK_INT(D("1969-12-31"), -1);

  CHECK_INT(ehcp_date_weekday(D("2025-01-15")), EHCP_WEDNESDAY);
  CHECK_INT(ehcp_date_weekday(0), EHCP_THURSDAY);
  CHECK_INT(ehcp_date_weekday(D("1600-01-01")), EHCP_SATURDAY);
  CHECK_INT(ehcp_date_weekday(-1), EHCP_WEDNESDAY);
  CHECK_INT(ehcp_date_weekday(-7), EHCP_THURSDAY);
  CHECK_INT(ehcp_date_weekday(EHCP_DATE_MIN), EHCP_MONDAY);
  CHECK_INT(ehcp_date_weekday(EHCP_DATE_MAX), EHCP_FRIDAY);
  int wn = ehcp_date_weekday(EHCP_DATE_NONE); /* meaningless but must be sane */
  CHECK(wn >= 0 && wn <= 6);

  int y = -1, m = -1, dd = -1;
  CHECK_INT(ehcp_date_to_ymd(&y, &m, &dd, 11017), EHCP_OK);
  CHECK_INT(y, 2000);
  CHECK_INT(m, 3);
  CHECK_INT(dd, 1);
  CHECK_INT(ehcp_date_to_ymd(NULL, &m, NULL, D("2024-02-29")), EHCP_OK);
  CHECK_INT(m, 2);
}

static void test_ymd_errors(void) {
  static const int bad[][3] = {
      {0, 12, 31}, {10000, 1, 1}, {2023, 2, 29}, {2025, 4, 31}, {2025, 13, 1},
      {2025, 0, 1}, {2025, 1, 0}, {2025, 1, 32}, {-1, 1, 1}, {1900, 2, 29},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ehcp_date d = 777;
    CHECK_INT(ehcp_date_from_ymd(&d, bad[i][0], bad[i][1], bad[i][2]), EHCP_ERR_RANGE);
    CHECK_INT(d, 777);
  }
  CHECK_INT(ehcp_date_from_ymd(NULL, 2025, 1, 1), EHCP_ERR_INVALID);

  int y = 42, m = 42, d = 42;
  CHECK_INT(ehcp_date_to_ymd(&y, &m, &d, EHCP_DATE_MIN - 1), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_to_ymd(&y, &m, &d, EHCP_DATE_MAX + 1), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_to_ymd(&y, &m, &d, EHCP_DATE_NONE), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_to_ymd(&y, &m, &d, INT32_MAX), EHCP_ERR_RANGE);
  CHECK(y == 42 && m == 42 && d == 42);
}

static void test_leap_and_month_lengths(void) {
  CHECK_INT(ehcp_is_leap_year(2024), 1);
  CHECK_INT(ehcp_is_leap_year(2023), 0);
  CHECK_INT(ehcp_is_leap_year(2000), 1);
  CHECK_INT(ehcp_is_leap_year(1900), 0);
  CHECK_INT(ehcp_is_leap_year(1600), 1);
  CHECK_INT(ehcp_is_leap_year(2100), 0);
  CHECK_INT(ehcp_days_in_month(2024, 2), 29);
  CHECK_INT(ehcp_days_in_month(2023, 2), 28);
  CHECK_INT(ehcp_days_in_month(2100, 2), 28);
  CHECK_INT(ehcp_days_in_month(2025, 1), 31);
  CHECK_INT(ehcp_days_in_month(2025, 4), 30);
  CHECK_INT(ehcp_days_in_month(2025, 12), 31);
  CHECK_INT(ehcp_days_in_month(2025, 0), 0);
  CHECK_INT(ehcp_days_in_month(2025, 13), 0);
  CHECK_INT(ehcp_days_in_month(2025, -1), 0);
}

/* ---- parsing ----------------------------------------------------------- */

struct parse_case {
  const char *text;
  int code;
  const char *want; /* ISO output when code is EHCP_OK, else the reason */
};

static const struct parse_case parse_cases[] = {
    {"2025-01-15", EHCP_OK, "2025-01-15"},
    {"15/01/2025", EHCP_OK, "2025-01-15"},
    {"2025-Jan-15", EHCP_OK, "2025-01-15"},
    {"2025-jan-15", EHCP_OK, "2025-01-15"},
    {"2025-JAN-15", EHCP_OK, "2025-01-15"},
    {"2022-Sep-28 00:00:00", EHCP_OK, "2022-09-28"},
    {"29/02/2024", EHCP_OK, "2024-02-29"},
    {"2024-Dec-31", EHCP_OK, "2024-12-31"},
    {"0001-01-01", EHCP_OK, "0001-01-01"},
    {"31/12/9999", EHCP_OK, "9999-12-31"},
    {"2000-02-29", EHCP_OK, "2000-02-29"},

    {"", EHCP_ERR_PARSE, "empty"},
    {" 2025-01-15", EHCP_ERR_PARSE, "surrounding whitespace"},
    {"2025-01-15 ", EHCP_ERR_PARSE, "surrounding whitespace"},
    {"2025-01-15\n", EHCP_ERR_PARSE, "surrounding whitespace"},
    {"2025-1-15", EHCP_ERR_PARSE, "wrong number of digits"},
    {"2025-01-5", EHCP_ERR_PARSE, "wrong number of digits"},
    {"2025-01-155", EHCP_ERR_PARSE, "wrong number of digits"},
    {"15/01/25", EHCP_ERR_PARSE, "wrong number of digits"},
    {"15/1/2025", EHCP_ERR_PARSE, "wrong number of digits"},
    {"1/15/2025", EHCP_ERR_PARSE, "not a recognised date form"},
    {"01/15/2025", EHCP_ERR_RANGE, "month out of range"},
    {"2023-02-29", EHCP_ERR_RANGE, "no such day in that month"},
    {"1900-02-29", EHCP_ERR_RANGE, "no such day in that month"},
    {"31/04/2025", EHCP_ERR_RANGE, "no such day in that month"},
    {"2025-Apr-31", EHCP_ERR_RANGE, "no such day in that month"},
    {"2025-13-01", EHCP_ERR_RANGE, "month out of range"},
    {"2025-00-10", EHCP_ERR_RANGE, "month out of range"},
    {"2025-01-00", EHCP_ERR_RANGE, "day out of range"},
    {"2025-01-32", EHCP_ERR_RANGE, "day out of range"},
    {"0000-01-01", EHCP_ERR_RANGE, "year out of range"},
    {"2025-Foo-01", EHCP_ERR_PARSE, "unknown month name"},
    {"2025-Sept-01", EHCP_ERR_PARSE, "unknown month name"},
    {"2022-Sep-28 00:00:01", EHCP_ERR_PARSE, "time must be 00:00:00"},
    {"2022-Sep-28 12:30:00", EHCP_ERR_PARSE, "time must be 00:00:00"},
    {"2022-Sep-28 00:00", EHCP_ERR_PARSE, "trailing characters"},
    {"2022-09-28 00:00:00", EHCP_ERR_PARSE, "trailing characters"},
    {"2025-01-15x", EHCP_ERR_PARSE, "trailing characters"},
    {"15/01/2025x", EHCP_ERR_PARSE, "trailing characters"},
    {"2025/01/15", EHCP_ERR_PARSE, "not a recognised date form"},
    {"+2025-01-15", EHCP_ERR_PARSE, "not a recognised date form"},
    {"-2025-01-15", EHCP_ERR_PARSE, "not a recognised date form"},
    {"2025-+1-15", EHCP_ERR_PARSE, "not a recognised date form"},
    {"XXXX-12-01", EHCP_ERR_PARSE, "not a recognised date form"},
    {"2025-01", EHCP_ERR_PARSE, "not a recognised date form"},
    {"2025-Jan", EHCP_ERR_PARSE, "not a recognised date form"},
    {"2025", EHCP_ERR_PARSE, "not a recognised date form"},
    {"15/01", EHCP_ERR_PARSE, "not a recognised date form"},
    {"2025-01-", EHCP_ERR_PARSE, "wrong number of digits"},
};

static void test_parse_table(void) {
  for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
    const struct parse_case *c = &parse_cases[i];
    size_t len = strlen(c->text);
    /* An exact-size copy with no NUL: sanitizers catch any read past len. */
    char *copy = malloc(len ? len : 1);
    if (!copy)
      abort();
    memcpy(copy, c->text, len);
    ehcp_date d = 999999;
    const char *why = "untouched";
    int rc = ehcp_date_parse(&d, copy, len, &why);
    free(copy);
    CHECK_INT(rc, c->code);
    if (rc != c->code)
      fprintf(stderr, "  case \"%s\"\n", c->text);
    if (c->code == EHCP_OK) {
      CHECK_STR(fmt(d), c->want);
    } else {
      CHECK_STR(why, c->want);
      CHECK_INT(d, 999999);
    }
  }
}

static void test_parse_misc(void) {
  ehcp_date d = 5;
  const char *why = NULL;
  /* len is honoured: the text need not end where the date does. */
  CHECK_INT(ehcp_date_parse(&d, "2025-01-15junk", 10, &why), EHCP_OK);
  CHECK_STR(fmt(d), "2025-01-15");
  CHECK_INT(ehcp_date_parse(&d, "15/01/2025 and more", 10, NULL), EHCP_OK);
  CHECK_INT(d, D("2025-01-15"));
  CHECK_INT(ehcp_date_parse(&d, "2025-01-15", 9, &why), EHCP_ERR_PARSE);
  CHECK_STR(why, "wrong number of digits");
  CHECK_INT(ehcp_date_parse(&d, "2025-01-15", 0, &why), EHCP_ERR_PARSE);
  CHECK_STR(why, "empty");
  CHECK_INT(ehcp_date_parse(&d, NULL, 0, &why), EHCP_ERR_PARSE);
  CHECK_STR(why, "empty");
  CHECK_INT(d, D("2025-01-15"));
  /* An embedded NUL is junk, not an end of string. */
  CHECK_INT(ehcp_date_parse(&d, "2025-01-15\0", 11, &why), EHCP_ERR_PARSE);
  CHECK_STR(why, "trailing characters");
  /* reason may be NULL. */
  CHECK_INT(ehcp_date_parse(&d, "2023-02-29", 10, NULL), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_parse(NULL, "2025-01-15", 10, &why), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_date_parse(&d, NULL, 10, &why), EHCP_ERR_INVALID);
  /* Every month name, in both cases. */
  static const char *names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                "Jul", "Aug", "Sep", "Oct", "Nov", "DEC"};
  for (int m = 0; m < 12; m++) {
    char text[16];
    snprintf(text, sizeof text, "2025-%s-01", names[m]);
    d = EHCP_DATE_NONE;
    CHECK_INT(ehcp_date_parse(&d, text, 11, NULL), EHCP_OK);
    int gm = 0;
    ehcp_date_to_ymd(NULL, &gm, NULL, d);
    CHECK_INT(gm, m + 1);
  }
}

/* ---- formatting -------------------------------------------------------- */

static void test_format(void) {
  char buf[EHCP_DATE_ISO_SIZE];
  memset(buf, 'x', sizeof buf);
  CHECK_INT(ehcp_date_format(buf, EHCP_DATE_MIN), EHCP_OK);
  CHECK_STR(buf, "0001-01-01");
  CHECK_INT(ehcp_date_format(buf, EHCP_DATE_MAX), EHCP_OK);
  CHECK_STR(buf, "9999-12-31");
  CHECK_INT(ehcp_date_format(buf, -1), EHCP_OK);
  CHECK_STR(buf, "1969-12-31");
  CHECK_INT(ehcp_date_format(buf, 0), EHCP_OK);
  CHECK_STR(buf, "1970-01-01");
  CHECK_INT(ehcp_date_format(buf, EHCP_DATE_MAX + 1), EHCP_ERR_RANGE);
  CHECK_STR(buf, "");
  memset(buf, 'x', sizeof buf);
  CHECK_INT(ehcp_date_format(buf, EHCP_DATE_MIN - 1), EHCP_ERR_RANGE);
  CHECK_STR(buf, "");
  memset(buf, 'x', sizeof buf);
  CHECK_INT(ehcp_date_format(buf, EHCP_DATE_NONE), EHCP_ERR_RANGE);
  CHECK_STR(buf, "");
  CHECK_INT(ehcp_date_format(NULL, 0), EHCP_ERR_INVALID);
}

/* ---- arithmetic -------------------------------------------------------- */

static void test_add_days_weeks(void) {
  ehcp_date d = 0;
  /* timescales.md 3.2: received Wed 15 Jan 2025. */
  ehcp_date t0 = D("2025-01-15");
  CHECK_INT(ehcp_date_add_weeks(&d, t0, 6), EHCP_OK);
  CHECK_STR(fmt(d), "2025-02-26");
  CHECK_INT(ehcp_date_add_weeks(&d, t0, 16), EHCP_OK);
  CHECK_STR(fmt(d), "2025-05-07");
  CHECK_INT(ehcp_date_add_weeks(&d, t0, 20), EHCP_OK);
  CHECK_STR(fmt(d), "2025-06-04");
  CHECK_INT(ehcp_date_add_days(&d, t0, 139), EHCP_OK); /* day-1 convention */
  CHECK_STR(fmt(d), "2025-06-03");
  CHECK_INT(ehcp_date_add_weeks(&d, t0, -2), EHCP_OK);
  CHECK_STR(fmt(d), "2025-01-01");
  CHECK_INT(ehcp_date_add_days(&d, D("2024-02-28"), 1), EHCP_OK);
  CHECK_STR(fmt(d), "2024-02-29");
  CHECK_INT(ehcp_date_add_days(&d, D("2024-12-31"), 1), EHCP_OK);
  CHECK_STR(fmt(d), "2025-01-01");

  CHECK_INT(ehcp_date_add_days(&d, EHCP_DATE_MIN, (int64_t)EHCP_DATE_MAX - EHCP_DATE_MIN),
            EHCP_OK);
  CHECK_INT(d, EHCP_DATE_MAX);
  CHECK_INT(ehcp_date_add_days(&d, EHCP_DATE_MAX, (int64_t)EHCP_DATE_MIN - EHCP_DATE_MAX),
            EHCP_OK);
  CHECK_INT(d, EHCP_DATE_MIN);

  d = 4242;
  CHECK_INT(ehcp_date_add_days(&d, EHCP_DATE_MAX, 1), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_days(&d, EHCP_DATE_MIN, -1), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_days(&d, 0, INT64_MAX), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_days(&d, 0, INT64_MIN), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_days(&d, EHCP_DATE_NONE, 0), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_days(&d, EHCP_DATE_MAX + 1, -1), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_weeks(&d, D("9999-12-25"), 1), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_weeks(&d, D("0001-01-07"), -1), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_weeks(&d, 0, INT64_MAX), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_weeks(&d, 0, INT64_MIN), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_weeks(&d, 0, INT64_MAX / 7 + 1), EHCP_ERR_RANGE);
  /* 7 * this is 2^64 - 2: a wrapping multiply would land on day -2. */
  CHECK_INT(ehcp_date_add_weeks(&d, 0, INT64_C(2635249153387078802)), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_weeks(&d, EHCP_DATE_NONE, 0), EHCP_ERR_RANGE);
  CHECK_INT(d, 4242);
  CHECK_INT(ehcp_date_add_days(NULL, 0, 1), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_date_add_weeks(NULL, 0, 1), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_date_add_weeks(&d, D("9999-12-24"), 1), EHCP_OK);
  CHECK_STR(fmt(d), "9999-12-31");
}

static void test_add_months(void) {
  static const struct {
    const char *from;
    int64_t months;
    const char *want;
  } cases[] = {
      {"2025-01-31", 1, "2025-02-28"},   {"2024-01-31", 1, "2024-02-29"},
      {"2024-02-29", 12, "2025-02-28"},  {"2024-02-29", 48, "2028-02-29"},
      {"2025-03-31", -1, "2025-02-28"},  {"2024-03-31", -1, "2024-02-29"},
      {"2024-10-31", 1, "2024-11-30"},   {"2025-12-15", 1, "2026-01-15"},
      {"2025-01-15", -13, "2023-12-15"}, {"2025-01-15", 0, "2025-01-15"},
      {"2025-01-15", 12, "2026-01-15"},  {"2025-01-15", -12, "2024-01-15"},
      {"2025-05-31", 1, "2025-06-30"},   {"2025-08-31", -2, "2025-06-30"},
      {"2099-02-28", 12, "2100-02-28"},  {"1999-11-30", 3, "2000-02-29"},
      {"0001-01-31", 1, "0001-02-28"},   {"9999-11-30", 1, "9999-12-30"},
      {"0001-12-31", -11, "0001-01-31"}, {"9999-12-31", -119987, "0001-01-31"},
      {"0001-01-01", 119987, "9999-12-01"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ehcp_date d = EHCP_DATE_NONE;
    CHECK_INT(ehcp_date_add_months(&d, D(cases[i].from), cases[i].months), EHCP_OK);
    CHECK_STR(fmt(d), cases[i].want);
  }

  ehcp_date d = 31337;
  CHECK_INT(ehcp_date_add_months(&d, D("9999-12-01"), 1), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_months(&d, D("0001-01-31"), -1), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_months(&d, D("0001-01-01"), 119988), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_months(&d, 0, INT64_MAX), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_months(&d, 0, INT64_MIN), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_months(&d, EHCP_DATE_NONE, 0), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_date_add_months(&d, EHCP_DATE_MAX + 1, -1), EHCP_ERR_RANGE);
  CHECK_INT(d, 31337);
  CHECK_INT(ehcp_date_add_months(NULL, 0, 1), EHCP_ERR_INVALID);
}

int main(void) {
  test_anchors();
  test_ymd_errors();
  test_leap_and_month_lengths();
  test_calendar_walk();
  test_parse_table();
  test_parse_misc();
  test_format();
  test_add_days_weeks();
  test_add_months();
  return check_done("date");
}
