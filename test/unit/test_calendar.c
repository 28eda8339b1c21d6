/* Working-day calendars (calendars.md section 3): composition, count, add,
 * roll, batch forms and range limits, against hand-worked dates and a
 * straightforward day-by-day reference. */
#include "check.h"
#include "ehcp.h"

#include <stdlib.h>

static ehcp_date D(const char *iso) {
  ehcp_date d = EHCP_DATE_NONE;
  if (ehcp_date_parse(&d, iso, strlen(iso), NULL) != EHCP_OK) {
    fprintf(stderr, "bad date in test: %s\n", iso);
    exit(2);
  }
  return d;
}

static const char *S(ehcp_date d) {
  static char buf[4][EHCP_DATE_ISO_SIZE];
  static int slot;
  slot = (slot + 1) % 4;
  if (ehcp_date_format(buf[slot], d) != EHCP_OK)
    return "(out of range)";
  return buf[slot];
}

static ehcp_calendar *build(int region, unsigned weekend) {
  ehcp_calendar_builder *b;
  ehcp_calendar *cal = NULL;
  CHECK_INT(ehcp_calendar_builder_new(&b), EHCP_OK);
  CHECK_INT(ehcp_calendar_builder_set_region(b, region), EHCP_OK);
  CHECK_INT(ehcp_calendar_builder_set_weekend(b, weekend), EHCP_OK);
  CHECK_INT(ehcp_calendar_build(&cal, b), EHCP_OK);
  ehcp_calendar_builder_free(b);
  return cal;
}

static const char *add(const ehcp_calendar *cal, const char *from, int n) {
  ehcp_date out;
  if (ehcp_calendar_add(&out, cal, D(from), n) != EHCP_OK)
    return "(error)";
  return S(out);
}

static int count(const ehcp_calendar *cal, const char *b, const char *e) {
  int32_t n = -999999;
  CHECK_INT(ehcp_calendar_count(&n, cal, D(b), D(e)), EHCP_OK);
  return n;
}

static void test_regions(void) {
  int r = -1;
  CHECK_INT(ehcp_region_from_name(&r, "scotland"), EHCP_OK);
  CHECK_INT(r, EHCP_REGION_SCOTLAND);
  CHECK_INT(ehcp_region_from_name(&r, "england"), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_region_from_name(&r, "Scotland"), EHCP_ERR_INVALID);
  CHECK_STR(ehcp_region_name(EHCP_REGION_NORTHERN_IRELAND), "northern-ireland");
  CHECK(ehcp_region_name(4) == NULL);
  CHECK(ehcp_region_name(-1) == NULL);
}

static void test_england(void) {
  ehcp_calendar *cal = build(EHCP_REGION_ENGLAND_AND_WALES, EHCP_WEEKEND_SAT_SUN);
  /* 2025: 261 weekdays, 8 bank holidays, all on weekdays. */
  CHECK_INT(count(cal, "2025-01-01", "2026-01-01"), 253);
  CHECK_INT(count(cal, "2026-01-01", "2025-01-01"), -253);
  CHECK_INT(count(cal, "2025-05-02", "2025-05-02"), 0);
  /* Fri 2 May 2025 -> Mon 5 May is the Early May bank holiday. */
  CHECK_INT(count(cal, "2025-05-02", "2025-05-07"), 2); /* Fri, Tue */
  CHECK_STR(add(cal, "2025-05-02", 1), "2025-05-06");
  CHECK_STR(add(cal, "2025-05-06", -1), "2025-05-02");
  /* A 5-working-day reply across the Easter weekend 2025 (Fri 18 - Mon 21 April). */
  CHECK_STR(add(cal, "2025-04-16", 5), "2025-04-25");
  CHECK_STR(add(cal, "2025-12-24", 1), "2025-12-29");
  CHECK_STR(add(cal, "2025-12-29", -1), "2025-12-24");
  CHECK_STR(add(cal, "2025-12-27", 0), "2025-12-27"); /* 0 returns the day itself */
  CHECK_STR(add(cal, "2025-12-27", 1), "2025-12-29"); /* from a non-working day */
  CHECK_STR(add(cal, "2025-12-27", -1), "2025-12-24");

  ehcp_date d;
  CHECK_INT(ehcp_calendar_next(&d, cal, D("2025-12-25")), EHCP_OK);
  CHECK_STR(S(d), "2025-12-29");
  CHECK_INT(ehcp_calendar_previous(&d, cal, D("2025-12-28")), EHCP_OK);
  CHECK_STR(S(d), "2025-12-24");
  CHECK_INT(ehcp_calendar_next(&d, cal, D("2025-12-24")), EHCP_OK);
  CHECK_STR(S(d), "2025-12-24");

  CHECK_INT(ehcp_calendar_is_working_day(cal, D("2025-08-25")), 0); /* Summer bank holiday */
  CHECK_INT(ehcp_calendar_is_working_day(cal, D("2025-08-26")), 1);
  CHECK_INT(ehcp_calendar_is_working_day(cal, D("2025-08-23")), 0); /* Saturday */
  CHECK_INT(ehcp_calendar_region(cal), EHCP_REGION_ENGLAND_AND_WALES);

  /* Closures listed for the range: the first is New Year's Day 1980. */
  ehcp_date f, l;
  const char *name;
  int kind;
  CHECK(ehcp_calendar_closure_count(cal) > 900);
  CHECK_INT(ehcp_calendar_closure(&f, &l, &name, &kind, cal, 0), EHCP_OK);
  CHECK_STR(S(f), "1980-01-01");
  CHECK_STR(S(l), "1980-01-01");
  CHECK_STR(name, "New Year’s Day");
  CHECK_INT(kind, EHCP_CLOSURE_BANK_HOLIDAY);
  CHECK_INT(ehcp_calendar_closure(&f, &l, &name, &kind, cal, ehcp_calendar_closure_count(cal)),
            EHCP_ERR_NOT_FOUND);
  ehcp_calendar_free(cal);
}

static void test_scotland_differs(void) {
  ehcp_calendar *sc = build(EHCP_REGION_SCOTLAND, EHCP_WEEKEND_SAT_SUN);
  ehcp_calendar *ni = build(EHCP_REGION_NORTHERN_IRELAND, EHCP_WEEKEND_SAT_SUN);
  CHECK_INT(ehcp_calendar_is_working_day(sc, D("2025-01-02")), 0); /* 2nd January */
  CHECK_INT(ehcp_calendar_is_working_day(sc, D("2025-04-21")), 1); /* no Easter Monday */
  CHECK_INT(ehcp_calendar_is_working_day(sc, D("2025-08-04")), 0); /* first Monday of August */
  CHECK_INT(ehcp_calendar_is_working_day(sc, D("2025-08-25")), 1);
  CHECK_INT(ehcp_calendar_is_working_day(sc, D("2025-12-01")), 0); /* St Andrew's substitute */
  CHECK_INT(ehcp_calendar_is_working_day(ni, D("2025-03-17")), 0); /* St Patrick's Day */
  CHECK_INT(ehcp_calendar_is_working_day(ni, D("2025-07-14")), 0); /* Boyne substitute */
  ehcp_calendar_free(sc);
  ehcp_calendar_free(ni);
}

static void test_user_closures(void) {
  ehcp_calendar_builder *b;
  ehcp_calendar *cal;
  CHECK_INT(ehcp_calendar_builder_new(&b), EHCP_OK);
  CHECK_INT(ehcp_calendar_builder_set_region(b, EHCP_REGION_ENGLAND_AND_WALES), EHCP_OK);
  CHECK_INT(ehcp_calendar_builder_add_closure(b, D("2025-12-24"), D("2026-01-01"), "Office closure"),
            EHCP_OK);
  CHECK_INT(ehcp_calendar_builder_add_closure(b, D("2025-12-24"), D("2025-12-23"), "x"),
            EHCP_ERR_INVALID);
  CHECK_STR(ehcp_calendar_builder_errmsg(b), "closure ends before it starts");
  CHECK_INT(ehcp_calendar_build(&cal, b), EHCP_OK);
  CHECK_STR(add(cal, "2025-12-23", 1), "2026-01-02");
  CHECK_INT(count(cal, "2025-12-22", "2026-01-05"), 3); /* Mon 22, Tue 23, Fri 2 */
  ehcp_calendar_free(cal);
  ehcp_calendar_builder_free(b);
}

static void test_weekend_masks(void) {
  /* A six-day week (only Sunday off), no holidays: 6 working days a week. */
  ehcp_calendar *six = build(EHCP_REGION_NONE, 1u << EHCP_SUNDAY);
  CHECK_INT(count(six, "2025-01-06", "2025-01-20"), 12);
  CHECK_STR(add(six, "2025-01-11", 1), "2025-01-13"); /* Sat -> Mon */
  ehcp_calendar_free(six);
  /* No weekend and no closures: working days are calendar days. */
  ehcp_calendar *all = build(EHCP_REGION_NONE, 0);
  CHECK_INT(count(all, "2024-01-01", "2025-01-01"), 366);
  CHECK_STR(add(all, "2024-02-28", 1), "2024-02-29");
  ehcp_calendar_free(all);

  ehcp_calendar_builder *b;
  CHECK_INT(ehcp_calendar_builder_new(&b), EHCP_OK);
  CHECK_INT(ehcp_calendar_builder_set_weekend(b, 0x80), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_calendar_builder_set_region(b, 7), EHCP_ERR_INVALID);
  CHECK_STR(ehcp_calendar_builder_errmsg(b), "unknown region 7");
  ehcp_calendar_builder_free(b);
}

static void test_range_limits(void) {
  ehcp_calendar *cal = build(EHCP_REGION_ENGLAND_AND_WALES, EHCP_WEEKEND_SAT_SUN);
  ehcp_date first, last, d = 12345;
  int32_t n = 777;
  ehcp_calendar_range(&first, &last, cal);
  CHECK_STR(S(first), "1980-01-01");
  CHECK_STR(S(last), "2099-12-31");
  CHECK_INT(ehcp_calendar_count(&n, cal, first - 1, last), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_calendar_count(&n, cal, first, last + 2), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_calendar_count(&n, cal, EHCP_DATE_NONE, first), EHCP_ERR_RANGE);
  CHECK_INT(n, 777); /* untouched on error */
  CHECK_INT(ehcp_calendar_count(&n, cal, first, last + 1), EHCP_OK);
  CHECK_INT(ehcp_calendar_is_working_day(cal, last + 1), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_calendar_is_working_day(cal, first - 1), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_calendar_is_working_day(cal, INT32_MAX), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_calendar_add(&d, cal, last, 1), EHCP_ERR_RANGE); /* 2099-12-31 is a Thursday, but New Year 2100 is outside */
  CHECK_INT(d, 12345);
  CHECK_INT(ehcp_calendar_add(&d, cal, first, -1), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_calendar_add(&d, cal, first, INT32_MAX), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_calendar_add(&d, cal, last, INT32_MIN), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_calendar_add(&d, cal, last + 1, 1), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_calendar_next(&d, cal, last + 1), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_calendar_add(&d, cal, first, 1), EHCP_OK);
  CHECK_STR(S(d), "1980-01-02");
  ehcp_calendar_free(cal);

  /* A range whose last day is a Saturday: no working day follows it. */
  ehcp_calendar_builder *b;
  CHECK_INT(ehcp_calendar_builder_new(&b), EHCP_OK);
  CHECK_INT(ehcp_calendar_builder_set_range(b, D("2025-01-06"), D("2025-01-11")), EHCP_OK);
  CHECK_INT(ehcp_calendar_build(&cal, b), EHCP_OK);
  CHECK_INT(ehcp_calendar_next(&d, cal, D("2025-01-11")), EHCP_ERR_RANGE);
  CHECK_INT(ehcp_calendar_previous(&d, cal, D("2025-01-11")), EHCP_OK);
  CHECK_STR(S(d), "2025-01-10");
  ehcp_calendar_free(cal);

  CHECK_INT(ehcp_calendar_builder_set_range(b, D("2025-01-11"), D("2025-01-06")), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_calendar_builder_set_range(b, D("1900-01-01"), D("2400-01-01")), EHCP_ERR_RANGE);
  CHECK_STR(ehcp_calendar_builder_errmsg(b),
            "calendar range 1900-01-01..2400-01-01 is longer than 400 years");
  /* Bank holidays are only defined for 1980-2099. */
  CHECK_INT(ehcp_calendar_builder_set_range(b, D("1970-01-01"), D("2000-01-01")), EHCP_OK);
  CHECK_INT(ehcp_calendar_builder_set_region(b, EHCP_REGION_SCOTLAND), EHCP_OK);
  CHECK_INT(ehcp_calendar_build(&cal, b), EHCP_ERR_RANGE);
  CHECK_STR(ehcp_calendar_builder_errmsg(b),
            "calendar range 1970-01-01..2000-01-01: bank holidays are only defined for 1980-2099");
  ehcp_calendar_builder_free(b);
}

/* Day-by-day reference: working iff not a weekend day and not inside any
 * closure the calendar lists. Independent of cum[] and work[]. */
static unsigned char *reference_days(const ehcp_calendar *cal, ehcp_date first, ehcp_date last,
                                     unsigned weekend) {
  size_t n = (size_t)(last - first + 1);
  unsigned char *w = malloc(n);
  for (size_t i = 0; i < n; i++)
    w[i] = !(weekend >> ehcp_date_weekday(first + (ehcp_date)i) & 1u);
  for (size_t c = 0; c < ehcp_calendar_closure_count(cal); c++) {
    ehcp_date f, l;
    ehcp_calendar_closure(&f, &l, NULL, NULL, cal, c);
    for (ehcp_date d = f; d <= l; d++)
      if (d >= first && d <= last)
        w[d - first] = 0;
  }
  return w;
}

static void test_against_reference(void) {
  ehcp_calendar *cal = build(EHCP_REGION_ENGLAND_AND_WALES, EHCP_WEEKEND_SAT_SUN);
  ehcp_date first, last;
  ehcp_calendar_range(&first, &last, cal);
  unsigned char *w = reference_days(cal, first, last, EHCP_WEEKEND_SAT_SUN);
  int32_t span = last - first + 1;
  srand(20250115);
  int count_bad = 0, add_bad = 0, work_bad = 0, tried = 0;
  for (int32_t i = 0; i < span; i++)
    work_bad += ehcp_calendar_is_working_day(cal, first + i) != w[i];
  for (int t = 0; t < 40000; t++) {
    /* Mostly spans up to ~3 years, reversed half the time, some anchored at
     * the range ends. */
    int32_t b = rand() % (span + 1), len = rand() % 1100 - 550;
    if (t % 50 == 0)
      b = t % 100 ? 0 : span;
    int32_t e = b + len;
    if (e < 0 || e > span)
      continue;
    tried++;
    int32_t want = 0;
    for (int32_t d = b < e ? b : e; d < (b < e ? e : b); d++)
      want += w[d];
    if (e < b)
      want = -want;
    int32_t got;
    if (ehcp_calendar_count(&got, cal, first + b, first + e) != EHCP_OK || got != want)
      count_bad++;

    if (b == span)
      continue;
    int32_t nth = len / 2; /* the N-th working day, N in about -275..275 */
    int32_t d = b, k = nth;
    while (k != 0 && d >= 0 && d < span) {
      d += k > 0 ? 1 : -1;
      if (d >= 0 && d < span && w[d])
        k += k > 0 ? -1 : 1;
    }
    ehcp_date out;
    int rc = ehcp_calendar_add(&out, cal, first + b, nth);
    if (d < 0 || d >= span ? rc != EHCP_ERR_RANGE : (rc != EHCP_OK || out != first + d))
      add_bad++;
  }
  CHECK(tried > 30000);
  CHECK_INT(work_bad, 0);
  CHECK_INT(count_bad, 0);
  CHECK_INT(add_bad, 0);
  free(w);
  ehcp_calendar_free(cal);
}

static void test_batches(void) {
  ehcp_calendar *cal = build(EHCP_REGION_SCOTLAND, EHCP_WEEKEND_SAT_SUN);
  enum { N = 5000 };
  static ehcp_date b[N], e[N], addout[N];
  static int32_t cnt[N], nth[N];
  static int8_t work[N];
  ehcp_date first, last;
  ehcp_calendar_range(&first, &last, cal);
  srand(7);
  for (int i = 0; i < N; i++) {
    /* b keeps 200 days from the ends so every add() stays in range. */
    b[i] = first + 200 + rand() % (last - first + 1 - 400);
    e[i] = first + rand() % (last - first + 1);
    nth[i] = rand() % 200 - 100;
  }
  CHECK_INT(ehcp_calendar_count_batch(cnt, cal, b, e, N), EHCP_OK);
  CHECK_INT(ehcp_calendar_add_batch(addout, cal, b, nth, N), EHCP_OK);
  CHECK_INT(ehcp_calendar_is_working_day_batch(work, cal, e, N), EHCP_OK);
  int bad = 0;
  for (int i = 0; i < N; i++) {
    int32_t c;
    ehcp_date a;
    ehcp_calendar_count(&c, cal, b[i], e[i]);
    ehcp_calendar_add(&a, cal, b[i], nth[i]);
    bad += c != cnt[i] || a != addout[i] || work[i] != ehcp_calendar_is_working_day(cal, e[i]);
  }
  CHECK_INT(bad, 0);
  /* Out-of-range entries are marked; the others still computed. */
  b[3] = first - 1;
  e[4] = last + 2;
  b[5] = EHCP_DATE_NONE;
  CHECK_INT(ehcp_calendar_count_batch(cnt, cal, b, e, 10), EHCP_ERR_RANGE);
  CHECK_INT(cnt[3], INT32_MIN);
  CHECK_INT(cnt[4], INT32_MIN);
  CHECK_INT(cnt[5], INT32_MIN);
  CHECK(cnt[6] != INT32_MIN);
  CHECK_INT(ehcp_calendar_add_batch(addout, cal, b, nth, 10), EHCP_ERR_RANGE);
  CHECK_INT(addout[3], EHCP_DATE_NONE);
  e[4] = last + 1;
  CHECK_INT(ehcp_calendar_is_working_day_batch(work, cal, e, 10), EHCP_ERR_RANGE);
  CHECK_INT(work[4], -1);
  CHECK_INT(ehcp_calendar_count_batch(cnt, cal, b, e, 0), EHCP_OK);
  ehcp_calendar_free(cal);
}

static void test_free_null(void) {
  ehcp_calendar_free(NULL);
  ehcp_calendar_builder_free(NULL);
  CHECK_STR(ehcp_calendar_builder_errmsg(NULL), "");
  CHECK_INT(ehcp_calendar_builder_new(NULL), EHCP_ERR_INVALID);
  CHECK_STR(ehcp_strerror(EHCP_ERR_RANGE), "date or value out of range");
  CHECK_STR(ehcp_strerror(-99), "unknown error");
  CHECK_STR(ehcp_version(), EHCP_VERSION_STRING);
}

int main(void) {
  test_regions();
  test_england();
  test_scotland_differs();
  test_user_closures();
  test_weekend_masks();
  test_range_limits();
  test_against_reference();
  test_batches();
  test_free_null();
  return check_done("calendar");
}
