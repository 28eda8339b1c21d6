/* Cohort tracking (issue: compliance and cohort analytics): each month's
 * requests followed through the stages month end by month end, and the
 * Kaplan-Meier time to plan, against counts worked out by hand. Cases are
 * built through the public API and evaluated with the built-in
 * england-2014 rule set on the England and Wales calendar. */
#include "check.h"
#include "ehcp.h"

#include <math.h>
#include <stdlib.h>

/* On glibc (not under ASan, which owns malloc) the test replaces the
 * allocator to make the n-th allocation fail and to count live blocks, as
 * test_reader.c does, so a leak on an error path is caught without
 * valgrind. */
#include "chaos.h"

static ehcp_date D(const char *iso) {
  ehcp_date d = EHCP_DATE_NONE;
  if (ehcp_date_parse(&d, iso, strlen(iso), NULL) != EHCP_OK) {
    fprintf(stderr, "bad date in test: %s\n", iso);
    exit(2);
  }
  return d;
}

static const char *S(ehcp_date d) {
  static char buf[8][EHCP_DATE_ISO_SIZE];
  static int slot;
  slot = (slot + 1) % 8;
  if (d == EHCP_DATE_NONE)
    return "none";
  if (ehcp_date_format(buf[slot], d) != EHCP_OK)
    return "(out of range)";
  return buf[slot];
}

static ehcp_calendar *england;
static ehcp_ruleset *rules;
static ehcp_evaluator *ev;
static ehcp_timeline *tl;

static void add(ehcp_case_set *set, const char *id, const char *event, const char *date,
                const char *detail) {
  int type;
  if (ehcp_event_type_from_name(&type, event, strlen(event)) != EHCP_OK) {
    fprintf(stderr, "bad event in test: %s\n", event);
    exit(2);
  }
  int rc = ehcp_case_set_add_event(set, id, type, D(date), detail, EHCP_DATE_NONE, NULL);
  if (rc != EHCP_OK)
    fprintf(stderr, "add %s %s: %s\n", id, event, ehcp_case_set_errmsg(set));
  CHECK_INT(rc, EHCP_OK);
}

/* Evaluate cases [from, to) of the set (every step-th) into co. */
static void count(ehcp_cohorts *co, const ehcp_case_set *set, ehcp_date as_of, size_t from,
                  size_t to, size_t step) {
  for (size_t i = from; i < to; i += step) {
    const ehcp_case *c = ehcp_case_set_get(set, i);
    CHECK_INT(ehcp_evaluate(tl, ev, c, as_of), EHCP_OK);
    CHECK_INT(ehcp_cohorts_add(co, c, tl), EHCP_OK);
  }
}

/* Want: requests, assess yes/no, withdrawn, within, after, not issued,
 * open request/assessment/draft, past 20 weeks. */
typedef uint64_t want_row[11];

static void expect(const struct ehcp_cohort_counts *c, const want_row w, const char *what) {
  int before = check_failures;
  CHECK(c != NULL);
  if (!c)
    return;
  CHECK_INT(c->requests, w[0]);
  CHECK_INT(c->assess_yes, w[1]);
  CHECK_INT(c->assess_no, w[2]);
  CHECK_INT(c->withdrawn, w[3]);
  CHECK_INT(c->issued_within_20w, w[4]);
  CHECK_INT(c->issued_after_20w, w[5]);
  CHECK_INT(c->not_issued, w[6]);
  CHECK_INT(c->open_request, w[7]);
  CHECK_INT(c->open_assessment, w[8]);
  CHECK_INT(c->open_draft, w[9]);
  CHECK_INT(c->open_past_20w, w[10]);
  /* Every request is in exactly one outcome or open stage. */
  CHECK_INT(c->assess_no + c->withdrawn + c->issued_within_20w + c->issued_after_20w +
                c->not_issued + c->open_request + c->open_assessment + c->open_draft,
            c->requests);
  if (check_failures != before)
    fprintf(stderr, "  ... in %s\n", what);
}

/* Cohort index by "YYYY-MM", or SIZE_MAX. */
static size_t cohort(const ehcp_cohorts *co, int year, int month) {
  for (size_t i = 0; i < ehcp_cohorts_count(co); i++) {
    int y, m;
    CHECK_INT(ehcp_cohorts_month(&y, &m, co, i), EHCP_OK);
    if (y == year && m == month)
      return i;
  }
  return SIZE_MAX;
}

/* Check a cohort's history: dates and counts at every month end. */
static void expect_history(const ehcp_cohorts *co, size_t index, size_t n,
                           const char *const *dates, const want_row *rows) {
  CHECK_INT(ehcp_cohorts_history_count(co, index), n);
  for (size_t k = 0; k < n; k++) {
    ehcp_date at = EHCP_DATE_NONE;
    const struct ehcp_cohort_counts *c = ehcp_cohorts_history(&at, co, index, k);
    CHECK_STR(S(at), dates[k]);
    char what[64];
    snprintf(what, sizeof what, "cohort %zu at %s", index, dates[k]);
    expect(c, rows[k], what);
  }
  CHECK(ehcp_cohorts_history(NULL, co, index, n) == NULL);
  /* The last month end is the as-of date: the same counts. */
  CHECK(ehcp_cohorts_history(NULL, co, index, n - 1) == ehcp_cohorts_counts(co, index));
}

#define CHECK_NEAR(got, want)                                                              \
  do {                                                                                     \
    double g_ = (got), w_ = (want);                                                        \
    CHECK(fabs(g_ - w_) < 1e-12);                                                          \
    if (!(fabs(g_ - w_) < 1e-12))                                                          \
      fprintf(stderr, "  %s == %.15g, want %.15g\n", #got, g_, w_);                         \
  } while (0)

static void expect_km(const ehcp_cohorts *co, size_t index, const double share[5],
                      const uint64_t at_risk[5]) {
  static const int weeks[5] = {6, 16, 20, 26, 52};
  const struct ehcp_km_point *km = ehcp_cohorts_km(co, index);
  CHECK(km != NULL);
  if (!km)
    return;
  for (int p = 0; p < EHCP_KM_POINTS; p++) {
    CHECK_INT(km[p].week, weeks[p]);
    CHECK_INT(km[p].at_risk, at_risk[p]);
    if (isnan(share[p]))
      CHECK(isnan(km[p].share));
    else
      CHECK_NEAR(km[p].share, share[p]);
  }
}

/* ---- the worked case set ---------------------------------------------------
 *
 * As of Tue 15 Jul 2025. A5 due = t0 + 140 days.
 *
 * Cohort 2024-12 (month ends Dec 31, Jan 31 ... Jun 30, then Jul 15):
 *   D1 t0 2024-12-20 (due 2025-05-09): yes 01-31, draft 04-01, final 05-09
 *      (on the due day: within). Dec: request; Jan-Mar: assessment (the
 *      decision on Jan 31 counts at the Jan 31 month end); Apr: draft;
 *      May on: within.
 *   D2 t0 2024-12-31 (due 2025-05-20): nothing more: open request, past
 *      20 weeks from the May 31 month end.
 *
 * Cohort 2025-01 (11 requests; month ends E0 Jan 31 .. E5 Jun 30, E6 Jul 15):
 *   J1  t0 01-06 due 05-26  yes 02-10, draft 04-14, final 05-20 (within)
 *       E0 req, E1-E2 assess, E3 draft, E4- within
 *   J2  t0 01-08 due 05-28  yes 02-18, draft 05-12, final 06-16 (after)
 *       E0 req, E1-E3 assess, E4 draft + past (May 31 > May 28), E5- after
 *   J3  t0 01-10            assessment no 02-14: E0 req, E1- assess_no
 *   J4  t0 01-13            yes 02-20, issue_decision no 04-25:
 *       E0 req, E1-E2 assess, E3- not_issued
 *   J5  t0 01-15            assessment withdrawn 01-28: E0- withdrawn
 *   J6  t0 01-20 due 06-09  yes 03-03, issue_decision withdrawn 06-02:
 *       E0-E1 req, E2-E4 assess, E5- withdrawn
 *   J7  t0 01-22 due 06-11  nothing: req throughout, past E5-E6
 *   J8  t0 01-27 due 06-16  yes 03-10: E0-E1 req, E2- assess, past E5-E6
 *   J9  brought_to_attention 01-31, due 06-20, yes 03-12, draft 06-20:
 *       E0-E1 req, E2-E4 assess, E5-E6 draft, past E5-E6
 *   J10 t0 01-02 due 05-22  yes 02-05, draft 03-20, final 07-10 (after):
 *       E0 req, E1 assess, E2-E5 draft, past E4-E5, E6 after
 *   J11 t0 01-09 due 05-29  yes 02-12, draft 04-30, final 05-29 (within,
 *       on the due day): E0 req, E1-E2 assess, E3 draft, E4- within
 *
 * Cohort 2025-02 (month ends Feb 28 .. Jun 30, Jul 15):
 *   F1 t0 02-03 due 06-23   yes 03-14: open assessment, past from Jun 30
 *   F2 t0 02-28 due 07-18   nothing: open request, not past on Jul 15
 *   F3 t0 02-25 due 07-15   nothing: due on the as-of date, so not past
 *   F4 an assessment_decision no dated 2025-01-20, before its request
 *      (2025-02-05, due 06-25), is ignored, as A5 ignores it; yes 03-01:
 *      open assessment, past from Jun 30.
 *   F5 t0 02-10 due 06-30   nothing: not past at the Jun 30 month end (its
 *      due date), past on Jul 15.
 *
 * Cohort 2025-07: S1 t0 07-01, S2 t0 07-15 (the as-of date): open requests;
 *   S4 t0 07-02, assessment no 07-08, then withdrawn 07-10: the first
 *   decision that ends the request says what it ended as (assess_no).
 * Cohort 2019-03: O1 t0 2019-03-04 (due 2019-07-22), final 2019-07-01.
 *
 * Not counted: S3 (request 2025-07-16, after the as-of date), N1 (a plan
 * and a review, no request). */
static void build_main(ehcp_case_set *set) {
  /* Newest first, so the table grows towards older months. */
  add(set, "S1", "request_received", "2025-07-01", "parent");
  add(set, "S2", "request_received", "2025-07-15", "parent");
  add(set, "S3", "request_received", "2025-07-16", "parent");
  add(set, "S4", "request_received", "2025-07-02", "parent");
  add(set, "S4", "assessment_decision", "2025-07-08", "no");
  add(set, "S4", "assessment_decision", "2025-07-10", "withdrawn");
  add(set, "N1", "final_issued", "2024-03-01", NULL);
  add(set, "N1", "review_meeting", "2025-02-01", NULL);

  add(set, "F1", "request_received", "2025-02-03", "parent");
  add(set, "F1", "assessment_decision", "2025-03-14", "yes");
  add(set, "F2", "request_received", "2025-02-28", "setting");
  add(set, "F3", "request_received", "2025-02-25", "parent");
  add(set, "F5", "request_received", "2025-02-10", "parent");
  add(set, "F4", "assessment_decision", "2025-01-20", "no");
  add(set, "F4", "request_received", "2025-02-05", "parent");
  add(set, "F4", "assessment_decision", "2025-03-01", "yes");

  add(set, "J1", "request_received", "2025-01-06", "parent");
  add(set, "J1", "assessment_decision", "2025-02-10", "yes");
  add(set, "J1", "draft_issued", "2025-04-14", NULL);
  add(set, "J1", "final_issued", "2025-05-20", NULL);
  add(set, "J2", "request_received", "2025-01-08", "parent");
  add(set, "J2", "assessment_decision", "2025-02-18", "yes");
  add(set, "J2", "draft_issued", "2025-05-12", NULL);
  add(set, "J2", "final_issued", "2025-06-16", NULL);
  add(set, "J3", "request_received", "2025-01-10", "parent");
  add(set, "J3", "assessment_decision", "2025-02-14", "no");
  add(set, "J4", "request_received", "2025-01-13", "parent");
  add(set, "J4", "assessment_decision", "2025-02-20", "yes");
  add(set, "J4", "issue_decision", "2025-04-25", "no");
  add(set, "J5", "request_received", "2025-01-15", "parent");
  add(set, "J5", "assessment_decision", "2025-01-28", "withdrawn");
  add(set, "J6", "request_received", "2025-01-20", "parent");
  add(set, "J6", "assessment_decision", "2025-03-03", "yes");
  add(set, "J6", "issue_decision", "2025-06-02", "withdrawn");
  add(set, "J7", "request_received", "2025-01-22", "parent");
  add(set, "J8", "request_received", "2025-01-27", "parent");
  add(set, "J8", "assessment_decision", "2025-03-10", "yes");
  add(set, "J9", "brought_to_attention", "2025-01-31", NULL);
  add(set, "J9", "assessment_decision", "2025-03-12", "yes");
  add(set, "J9", "draft_issued", "2025-06-20", NULL);
  add(set, "J10", "request_received", "2025-01-02", "parent");
  add(set, "J10", "assessment_decision", "2025-02-05", "yes");
  add(set, "J10", "draft_issued", "2025-03-20", NULL);
  add(set, "J10", "final_issued", "2025-07-10", NULL);
  add(set, "J11", "request_received", "2025-01-09", "parent");
  add(set, "J11", "assessment_decision", "2025-02-12", "yes");
  add(set, "J11", "draft_issued", "2025-04-30", NULL);
  add(set, "J11", "final_issued", "2025-05-29", NULL);

  add(set, "D1", "request_received", "2024-12-20", "parent");
  add(set, "D1", "assessment_decision", "2025-01-31", "yes");
  add(set, "D1", "draft_issued", "2025-04-01", NULL);
  add(set, "D1", "final_issued", "2025-05-09", NULL);
  add(set, "D2", "request_received", "2024-12-31", "parent");

  add(set, "O1", "request_received", "2019-03-04", "parent");
  add(set, "O1", "final_issued", "2019-07-01", NULL);
}

static void check_main(const ehcp_cohorts *co) {
  CHECK_INT(ehcp_cohorts_count(co), 5);
  int y = 0, m = 0;
  CHECK_INT(ehcp_cohorts_month(&y, &m, co, 0), EHCP_OK);
  CHECK_INT(y * 100 + m, 201903);
  CHECK_INT(ehcp_cohorts_month(&y, &m, co, 1), EHCP_OK);
  CHECK_INT(y * 100 + m, 202412);
  CHECK_INT(ehcp_cohorts_month(&y, &m, co, 2), EHCP_OK);
  CHECK_INT(y * 100 + m, 202501);
  CHECK_INT(ehcp_cohorts_month(&y, &m, co, 3), EHCP_OK);
  CHECK_INT(y * 100 + m, 202502);
  CHECK_INT(ehcp_cohorts_month(&y, &m, co, 4), EHCP_OK);
  CHECK_INT(y * 100 + m, 202507);
  CHECK_INT(ehcp_cohorts_month(NULL, NULL, co, 4), EHCP_OK);
  CHECK_INT(ehcp_cohorts_month(&y, &m, co, 5), EHCP_ERR_NOT_FOUND);
  CHECK(ehcp_cohorts_counts(co, 5) == NULL);
  CHECK(ehcp_cohorts_km(co, 5) == NULL);
  CHECK_INT(ehcp_cohorts_history_count(co, 5), 0);
  CHECK(ehcp_cohorts_history(NULL, co, 5, 0) == NULL);

  /* 2019-03: 77 month ends, Mar 2019 .. Jun 2025 and Jul 15. */
  size_t o = cohort(co, 2019, 3);
  CHECK_INT(o, 0);
  CHECK_INT(ehcp_cohorts_history_count(co, o), 77);
  ehcp_date at;
  expect(ehcp_cohorts_history(&at, co, o, 0), (want_row){1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0},
         "2019-03 at its month end");
  CHECK_STR(S(at), "2019-03-31");
  expect(ehcp_cohorts_history(&at, co, o, 3), (want_row){1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0},
         "2019-03 at 2019-06-30");
  CHECK_STR(S(at), "2019-06-30");
  expect(ehcp_cohorts_history(&at, co, o, 4), (want_row){1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0},
         "2019-03 at 2019-07-31");
  CHECK_STR(S(at), "2019-07-31");
  expect(ehcp_cohorts_history(&at, co, o, 11), (want_row){1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0},
         "2019-03 at 2020-02-29");
  CHECK_STR(S(at), "2020-02-29");
  expect(ehcp_cohorts_counts(co, o), (want_row){1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, "2019-03");

  static const char *const dec_dates[] = {"2024-12-31", "2025-01-31", "2025-02-28",
                                          "2025-03-31", "2025-04-30", "2025-05-31",
                                          "2025-06-30", "2025-07-15"};
  static const want_row dec_rows[] = {
      {2, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0}, {2, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0},
      {2, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0}, {2, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0},
      {2, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0}, {2, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1},
      {2, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1}, {2, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1}};
  expect_history(co, cohort(co, 2024, 12), 8, dec_dates, dec_rows);

  static const char *const jan_dates[] = {"2025-01-31", "2025-02-28", "2025-03-31",
                                          "2025-04-30", "2025-05-31", "2025-06-30",
                                          "2025-07-15"};
  /* Tallied from the per-case lines above. */
  static const want_row jan_rows[] = {
      /* E0: J5 withdrawn; the other ten awaiting a decision */
      {11, 0, 0, 1, 0, 0, 0, 10, 0, 0, 0},
      /* E1: yes J1 J2 J4 J10 J11; no J3; req J6-J9 */
      {11, 5, 1, 1, 0, 0, 0, 4, 5, 0, 0},
      /* E2: yes + J6 J8 J9; req J7; assess J1 J2 J4 J6 J8 J9 J11; draft J10 */
      {11, 8, 1, 1, 0, 0, 0, 1, 7, 1, 0},
      /* E3: J4 not issued; assess J2 J6 J8 J9; draft J1 J10 J11 */
      {11, 8, 1, 1, 0, 0, 1, 1, 4, 3, 0},
      /* E4: within J1 J11; assess J6 J8 J9; draft J2 J10 (both past) */
      {11, 8, 1, 1, 2, 0, 1, 1, 3, 2, 2},
      /* E5: J6 withdrawn, J2 after; req J7, assess J8, draft J9 J10: all past */
      {11, 8, 1, 2, 2, 1, 1, 1, 1, 2, 4},
      /* E6: J10 after; J7 J8 J9 open and past */
      {11, 8, 1, 2, 2, 2, 1, 1, 1, 1, 3}};
  size_t jan = cohort(co, 2025, 1);
  expect_history(co, jan, 7, jan_dates, jan_rows);
  expect(ehcp_cohorts_counts(co, jan), jan_rows[6], "2025-01 as of");

  static const char *const feb_dates[] = {"2025-02-28", "2025-03-31", "2025-04-30",
                                          "2025-05-31", "2025-06-30", "2025-07-15"};
  static const want_row feb_rows[] = {
      {5, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0}, {5, 2, 0, 0, 0, 0, 0, 3, 2, 0, 0},
      {5, 2, 0, 0, 0, 0, 0, 3, 2, 0, 0}, {5, 2, 0, 0, 0, 0, 0, 3, 2, 0, 0},
      {5, 2, 0, 0, 0, 0, 0, 3, 2, 0, 2}, /* F1 F4 past; F5 due that day */
      {5, 2, 0, 0, 0, 0, 0, 3, 2, 0, 3}}; /* F5 past too; F3 due that day */
  expect_history(co, cohort(co, 2025, 2), 6, feb_dates, feb_rows);

  static const char *const jul_dates[] = {"2025-07-15"};
  static const want_row jul_rows[] = {{3, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0}};
  expect_history(co, cohort(co, 2025, 7), 1, jul_dates, jul_rows);

  /* Time to plan of 2025-01, days from t0 (e event, c censored):
   *   J5 13c  J3 35c  J4 102c  J6 133c  J1 134e  J11 140e  J2 159e
   *   J9 165c J8 169c J7 174c  J10 189e
   * day 42:  n = 9 (J5, J3 gone), no event yet: S = 1, share 0
   * day 112: n = 8 (J4 gone), S = 1
   * day 134: n = 7, d = 1: S = 6/7
   * day 140: n = 6, d = 1: S = 6/7 * 5/6 = 5/7; week 20: share 2/7, n = 6
   * day 159: n = 5, d = 1: S = 4/7; then J9 J8 J7 censored
   * day 182: n = 1 (J10): share 3/7
   * day 189: n = 1, d = 1: S = 0, so week 52 has share 1 with none at risk. */
  expect_km(co, jan, (const double[]){0, 0, 2.0 / 7, 3.0 / 7, 1},
            (const uint64_t[]){9, 8, 6, 1, 0});
  /* 2025-02: all open, censored at Jul 15: F1 162, F2 137, F3 140, F4 160,
   * F5 155 days. At risk on day 140: all but F2. Nobody is followed to
   * day 182: no estimate at weeks 26 and 52. */
  expect_km(co, cohort(co, 2025, 2), (const double[]){0, 0, 0, NAN, NAN},
            (const uint64_t[]){5, 5, 4, 0, 0});
}

/* ---- Kaplan-Meier worked example -------------------------------------------
 *
 * Ten requests received on 2024-01-10, as of 2025-03-01 (day 416):
 *   A plan on day 42         B assessment no on day 42 (censored)
 *   C plan on day 100        D plan on day 100 (two events, one day)
 *   E withdrawn on day 120   F plan on day 140 (20 weeks exactly: within)
 *   G plan on day 141        I plan on day 400 (beyond week 52)
 *   H, J open: censored on day 416
 * Events before censorings on the same day, n(t) = #{T >= t}:
 *   day 42:  n = 10, d = 1: S = 9/10 = 0.9            week 6: share 0.1, at risk 10
 *            A and B leave: n = 8
 *   day 100: n = 8, d = 2: S = 0.9 * 6/8 = 0.675, n = 6
 *   day 112: n = 6                                      week 16: share 0.325, at risk 6
 *   day 120: E censored, n = 5
 *   day 140: n = 5, d = 1: S = 0.675 * 4/5 = 0.54      week 20: share 0.46, at risk 5
 *   day 141: n = 4, d = 1: S = 0.54 * 3/4 = 0.405, n = 3
 *   day 182: n = 3 (H, I, J)                            week 26: share 0.595, at risk 3
 *   day 364: n = 3                                      week 52: share 0.595, at risk 3
 * (A censoring on day 42 counted before the event would have given
 * S(42) = 8/9 instead: the tie order matters.) */
static void build_km(ehcp_case_set *set) {
  static const struct {
    const char *id, *event, *date, *detail;
  } rows[] = {
      {"A", "final_issued", "2024-02-21", NULL},      /* day 42 */
      {"B", "assessment_decision", "2024-02-21", "no"},
      {"C", "final_issued", "2024-04-19", NULL},      /* day 100 */
      {"D", "final_issued", "2024-04-19", NULL},
      {"E", "issue_decision", "2024-05-09", "withdrawn"}, /* day 120 */
      {"F", "final_issued", "2024-05-29", NULL},      /* day 140 */
      {"G", "final_issued", "2024-05-30", NULL},      /* day 141 */
      {"I", "final_issued", "2025-02-13", NULL},      /* day 400 */
      {"H", NULL, NULL, NULL},
      {"J", NULL, NULL, NULL},
  };
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    add(set, rows[i].id, "request_received", "2024-01-10", "parent");
    if (rows[i].event)
      add(set, rows[i].id, rows[i].event, rows[i].date, rows[i].detail);
  }
}

static void test_km(void) {
  CHECK_INT(D("2024-02-21") - D("2024-01-10"), 42);
  CHECK_INT(D("2024-04-19") - D("2024-01-10"), 100);
  CHECK_INT(D("2024-05-09") - D("2024-01-10"), 120);
  CHECK_INT(D("2024-05-29") - D("2024-01-10"), 140);
  CHECK_INT(D("2025-02-13") - D("2024-01-10"), 400);
  CHECK_INT(D("2025-03-01") - D("2024-01-10"), 416);
  ehcp_case_set *set;
  CHECK_INT(ehcp_case_set_new(&set), EHCP_OK);
  build_km(set);
  ehcp_cohorts *co;
  ehcp_date as_of = D("2025-03-01");
  CHECK_INT(ehcp_cohorts_new(&co, as_of), EHCP_OK);
  count(co, set, as_of, 0, ehcp_case_set_count(set), 1);
  CHECK_INT(ehcp_cohorts_count(co), 1);
  expect_km(co, 0, (const double[]){0.1, 0.325, 0.46, 0.595, 0.595},
            (const uint64_t[]){10, 6, 5, 3, 3});
  /* F on day 140 is within 20 weeks, G on day 141 after; I after. */
  expect(ehcp_cohorts_counts(co, 0), (want_row){10, 0, 1, 1, 4, 2, 0, 2, 0, 0, 2},
         "KM cohort as of");
  ehcp_cohorts_free(co);

  /* Before anything happened: as of the day of the requests, everyone is
   * censored on day 0: no estimate at any week. */
  CHECK_INT(ehcp_cohorts_new(&co, D("2024-01-10")), EHCP_OK);
  count(co, set, D("2024-01-10"), 0, ehcp_case_set_count(set), 1);
  expect_km(co, 0, (const double[]){NAN, NAN, NAN, NAN, NAN},
            (const uint64_t[]){0, 0, 0, 0, 0});
  expect(ehcp_cohorts_counts(co, 0), (want_row){10, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0},
         "KM cohort on day 0");
  ehcp_cohorts_free(co);
  ehcp_case_set_free(set);
}

/* ---- merge ----------------------------------------------------------------- */

/* Whether two tables list the same cohorts with the same counts at every
 * month end and the same curves (exactly: merging adds integers). */
static int tables_equal(const ehcp_cohorts *a, const ehcp_cohorts *b) {
  if (ehcp_cohorts_count(a) != ehcp_cohorts_count(b))
    return 0;
  for (size_t i = 0; i < ehcp_cohorts_count(a); i++) {
    int ya, ma, yb, mb;
    ehcp_cohorts_month(&ya, &ma, a, i);
    ehcp_cohorts_month(&yb, &mb, b, i);
    size_t n = ehcp_cohorts_history_count(a, i);
    if (ya != yb || ma != mb || ehcp_cohorts_history_count(b, i) != n)
      return 0;
    for (size_t k = 0; k < n; k++) {
      ehcp_date da, db;
      const struct ehcp_cohort_counts *ca = ehcp_cohorts_history(&da, a, i, k);
      const struct ehcp_cohort_counts *cb = ehcp_cohorts_history(&db, b, i, k);
      if (da != db || !ca || !cb || memcmp(ca, cb, sizeof *ca) != 0)
        return 0;
    }
    const struct ehcp_km_point *ka = ehcp_cohorts_km(a, i), *kb = ehcp_cohorts_km(b, i);
    for (int p = 0; p < EHCP_KM_POINTS; p++)
      if (ka[p].week != kb[p].week || ka[p].at_risk != kb[p].at_risk ||
          !(ka[p].share == kb[p].share || (isnan(ka[p].share) && isnan(kb[p].share))))
        return 0;
  }
  return 1;
}

#define CHECK_SAME_TABLES(a, b) CHECK(tables_equal(a, b))

static void test_merge(void) {
  ehcp_case_set *set;
  CHECK_INT(ehcp_case_set_new(&set), EHCP_OK);
  build_main(set);
  build_km(set); /* a 2024-01 cohort too */
  ehcp_date as_of = D("2025-07-15");
  size_t n = ehcp_case_set_count(set);
  ehcp_cohorts *whole, *odd, *even, *late;
  CHECK_INT(ehcp_cohorts_new(&whole, as_of), EHCP_OK);
  CHECK_INT(ehcp_cohorts_new(&odd, as_of), EHCP_OK);
  CHECK_INT(ehcp_cohorts_new(&even, as_of), EHCP_OK);
  CHECK_INT(ehcp_cohorts_new(&late, as_of), EHCP_OK);
  count(whole, set, as_of, 0, n, 1);
  count(even, set, as_of, 0, n, 2);
  count(odd, set, as_of, 1, n, 2);
  CHECK(!tables_equal(even, whole)); /* the comparison tells them apart */
  CHECK(!tables_equal(late, whole));
  CHECK_INT(ehcp_cohorts_merge(even, odd), EHCP_OK);
  CHECK_SAME_TABLES(even, whole);
  CHECK_INT(ehcp_cohorts_count(whole), 6);

  /* Merging into an empty table copies; merging a table with itself
   * doubles. */
  CHECK_INT(ehcp_cohorts_merge(late, whole), EHCP_OK);
  CHECK_SAME_TABLES(late, whole);
  CHECK_INT(ehcp_cohorts_merge(late, late), EHCP_OK);
  size_t jan = cohort(late, 2025, 1);
  const struct ehcp_cohort_counts *c = ehcp_cohorts_counts(late, jan);
  CHECK(c && c->requests == 22 && c->issued_after_20w == 4 && c->open_past_20w == 6);
  const struct ehcp_km_point *km = ehcp_cohorts_km(late, jan);
  CHECK(km && km[2].at_risk == 12);
  CHECK_NEAR(km[2].share, 2.0 / 7); /* the same curve from twice the cases */

  /* ehcp_cohorts_compute: evaluate and count the whole set in one call. */
  ehcp_cohorts *computed;
  CHECK_INT(ehcp_cohorts_compute(&computed, ev, set, as_of), EHCP_OK);
  CHECK_SAME_TABLES(computed, whole);
  ehcp_cohorts_free(computed);

  /* Tables as of different dates do not mix; nor do timelines evaluated
   * as of another date. */
  ehcp_cohorts *other;
  CHECK_INT(ehcp_cohorts_new(&other, D("2025-07-16")), EHCP_OK);
  CHECK_INT(ehcp_cohorts_merge(other, whole), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_evaluate(tl, ev, ehcp_case_set_find(set, "J1"), as_of), EHCP_OK);
  CHECK_INT(ehcp_cohorts_add(other, ehcp_case_set_find(set, "J1"), tl), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_cohorts_count(other), 0);
  ehcp_cohorts_free(other);

  ehcp_cohorts_free(whole);
  ehcp_cohorts_free(odd);
  ehcp_cohorts_free(even);
  ehcp_cohorts_free(late);
  ehcp_case_set_free(set);
}

/* Make every allocation of building two tables and merging them fail in
 * turn: each call returns EHCP_ERR_NOMEM or succeeds, a failed call counts
 * nothing (so repeating it once memory is back gives the exact table),
 * and nothing leaks. */
static void test_allocation_failures(void) {
#ifdef CHAOS
  ehcp_case_set *set;
  CHECK_INT(ehcp_case_set_new(&set), EHCP_OK);
  build_main(set);
  build_km(set);
  ehcp_date as_of = D("2025-07-15");
  size_t ncases = ehcp_case_set_count(set);
  ehcp_cohorts *whole;
  CHECK_INT(ehcp_cohorts_new(&whole, as_of), EHCP_OK);
  count(whole, set, as_of, 0, ncases, 1); /* also sizes the timeline for good */
  int nomem = 0, bad = 0;
  long n;
#define TRY(call)                                                                          \
  do {                                                                                     \
    int rc_ = (call);                                                                      \
    if (rc_ == EHCP_ERR_NOMEM) {                                                           \
      nomem++;                                                                             \
      long at_ = chaos_fail_at;                                                            \
      chaos_fail_at = 0;                                                                   \
      rc_ = (call);                                                                        \
      chaos_fail_at = at_;                                                                 \
    }                                                                                      \
    bad += rc_ != EHCP_OK;                                                                 \
  } while (0)
  for (n = 1; n < 100000; n++) {
    long live = chaos_live;
    ehcp_cohorts *a = NULL, *b = NULL;
    chaos_count = 0;
    chaos_fail_at = n;
    TRY(ehcp_cohorts_new(&a, as_of));
    TRY(ehcp_cohorts_new(&b, as_of));
    for (size_t i = 0; i < ncases; i++) {
      const ehcp_case *c = ehcp_case_set_get(set, i);
      bad += ehcp_evaluate(tl, ev, c, as_of) != EHCP_OK;
      /* b alone has 2025-07 (S1, S2, S4), its latest month: merging
       * makes that cohort after adding into the older ones. */
      TRY(ehcp_cohorts_add(i % 3 && ehcp_case_id(c)[0] != 'S' ? a : b, c, tl));
    }
    TRY(ehcp_cohorts_merge(a, b));
    long used = chaos_count;
    chaos_fail_at = 0;
    if (used == 0) { /* valgrind replaces malloc before we can */
      ehcp_cohorts_free(a);
      ehcp_cohorts_free(b);
      printf("allocation failures: skipped, malloc is not ours here\n");
      break;
    }
    bad += !tables_equal(a, whole);
    ehcp_cohorts_free(a);
    ehcp_cohorts_free(b);
    if (chaos_live != live && bad++ < 5)
      fprintf(stderr, "allocation %ld failed: %ld blocks leaked\n", n, chaos_live - live);
    if (used < n)
      break; /* every allocation has had its turn */
  }
#undef TRY
  CHECK_INT(bad, 0);
  if (n > 1) {
    CHECK(nomem >= 20);
    CHECK(n >= 20);
  }
  ehcp_cohorts_free(whole);
  ehcp_case_set_free(set);
#endif
}

static void test_main(void) {
  ehcp_case_set *set;
  CHECK_INT(ehcp_case_set_new(&set), EHCP_OK);
  build_main(set);
  ehcp_date as_of = D("2025-07-15");
  ehcp_cohorts *co;
  CHECK_INT(ehcp_cohorts_new(&co, as_of), EHCP_OK);
  count(co, set, as_of, 0, ehcp_case_set_count(set), 1);
  check_main(co);
  /* Reading does not change anything: a second pass agrees. */
  check_main(co);
  ehcp_cohorts_free(co);
  ehcp_case_set_free(set);
}

static void test_empty_and_invalid(void) {
  ehcp_cohorts *co = NULL;
  CHECK_INT(ehcp_cohorts_new(&co, EHCP_DATE_NONE), EHCP_ERR_INVALID);
  CHECK(co == NULL);
  CHECK_INT(ehcp_cohorts_new(NULL, D("2025-01-01")), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_cohorts_new(&co, D("2025-01-01")), EHCP_OK);
  CHECK_INT(ehcp_cohorts_count(co), 0);
  CHECK_INT(ehcp_cohorts_month(NULL, NULL, co, 0), EHCP_ERR_NOT_FOUND);
  CHECK(ehcp_cohorts_counts(co, 0) == NULL);
  CHECK(ehcp_cohorts_km(co, 0) == NULL);
  CHECK_INT(ehcp_cohorts_history_count(co, 0), 0);
  CHECK(ehcp_cohorts_history(NULL, co, 0, 0) == NULL);

  /* Cases without a request event leave no cohort. */
  ehcp_case_set *set;
  CHECK_INT(ehcp_case_set_new(&set), EHCP_OK);
  add(set, "P1", "final_issued", "2024-03-01", NULL);
  add(set, "P2", "assessment_decision", "2024-11-01", "yes");
  add(set, "P2", "draft_issued", "2024-12-01", NULL);
  count(co, set, D("2025-01-01"), 0, ehcp_case_set_count(set), 1);
  CHECK_INT(ehcp_cohorts_count(co), 0);
  CHECK_INT(ehcp_cohorts_add(NULL, ehcp_case_set_get(set, 0), tl), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_cohorts_add(co, NULL, tl), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_cohorts_add(co, ehcp_case_set_get(set, 0), NULL), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_cohorts_merge(co, NULL), EHCP_ERR_INVALID);
  ehcp_cohorts *empty;
  CHECK_INT(ehcp_cohorts_compute(&empty, ev, set, D("2025-01-01")), EHCP_OK);
  CHECK_INT(ehcp_cohorts_count(empty), 0);
  CHECK_INT(ehcp_cohorts_merge(co, empty), EHCP_OK);
  CHECK_INT(ehcp_cohorts_count(co), 0);
  ehcp_cohorts_free(empty);
  CHECK_INT(ehcp_cohorts_compute(&empty, NULL, set, D("2025-01-01")), EHCP_ERR_INVALID);
  CHECK(empty == NULL);
  ehcp_cohorts_free(co);
  ehcp_cohorts_free(NULL);
  ehcp_case_set_free(set);
}

int main(void) {
  ehcp_calendar_builder *b;
  CHECK_INT(ehcp_calendar_builder_new(&b), EHCP_OK);
  CHECK_INT(ehcp_calendar_builder_set_region(b, EHCP_REGION_ENGLAND_AND_WALES), EHCP_OK);
  CHECK_INT(ehcp_calendar_build(&england, b), EHCP_OK);
  ehcp_calendar_builder_free(b);
  CHECK_INT(ehcp_ruleset_new(&rules, "england-2014"), EHCP_OK);
  CHECK_INT(ehcp_evaluator_new(&ev, rules, england), EHCP_OK);
  CHECK_INT(ehcp_timeline_new(&tl), EHCP_OK);

  test_main();
  test_km();
  test_merge();
  test_empty_and_invalid();
  test_allocation_failures();

  ehcp_timeline_free(tl);
  ehcp_evaluator_free(ev);
  ehcp_ruleset_free(rules);
  ehcp_calendar_free(england);
  return check_done("cohort");
}
