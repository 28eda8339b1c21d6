/* Compliance measures (measures.h): hand-computed case sets where every
 * figure is known, built through the public API. */
#include <ehcp.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static ehcp_date D(const char *iso) {
  ehcp_date d;
  const char *why;
  if (ehcp_date_parse(&d, iso, strlen(iso), &why) != EHCP_OK) {
    fprintf(stderr, "bad test date %s\n", iso);
    exit(2);
  }
  return d;
}

static void ev_full(ehcp_case_set *set, const char *id, int type, ehcp_date date,
                    const char *detail, ehcp_date end, const char *ref) {
  if (ehcp_case_set_add_event(set, id, type, date, detail, end, ref) != EHCP_OK) {
    fprintf(stderr, "add_event %s: %s\n", id, ehcp_case_set_errmsg(set));
    exit(2);
  }
}

static void ev(ehcp_case_set *set, const char *id, int type, const char *date, const char *detail) {
  ev_full(set, id, type, D(date), detail, EHCP_DATE_NONE, NULL);
}

static void attr(ehcp_case_set *set, const char *id, const char *name, const char *value) {
  if (ehcp_case_set_set_attribute(set, id, name, value) != EHCP_OK)
    exit(2);
}

/* Evaluation context over a rule set, England's bank holidays. */
struct ctx {
  ehcp_ruleset *rs;
  ehcp_calendar *cal;
  ehcp_evaluator *ev;
};

static void ctx_init(struct ctx *x, ehcp_ruleset *rs) {
  ehcp_calendar_builder *b;
  x->rs = rs;
  if (ehcp_calendar_builder_new(&b) != EHCP_OK ||
      ehcp_calendar_builder_set_region(b, EHCP_REGION_ENGLAND_AND_WALES) != EHCP_OK ||
      ehcp_calendar_build(&x->cal, b) != EHCP_OK || ehcp_evaluator_new(&x->ev, rs, x->cal) != EHCP_OK)
    exit(2);
  ehcp_calendar_builder_free(b);
}

static void ctx_free(struct ctx *x) {
  ehcp_evaluator_free(x->ev);
  ehcp_calendar_free(x->cal);
  ehcp_ruleset_free(x->rs);
}

static ehcp_ruleset *england(const char *week_counting) {
  ehcp_ruleset *rs;
  if (ehcp_ruleset_new(&rs, "england-2014") != EHCP_OK)
    exit(2);
  if (week_counting && ehcp_ruleset_set_option(rs, "week_counting", week_counting) != EHCP_OK)
    exit(2);
  return rs;
}

/* Count every case of the set (one thread, ehcp_measures_add) into a new accumulator. */
static ehcp_measures *count(const struct ctx *x, const ehcp_case_set *set, ehcp_date as_of,
                            const struct ehcp_measures_options *o) {
  ehcp_measures *m;
  int rc = ehcp_measures_new(&m, x->rs, o);
  if (rc != EHCP_OK) {
    fprintf(stderr, "ehcp_measures_new: %s\n", m ? ehcp_measures_errmsg(m) : ehcp_strerror(rc));
    exit(2);
  }
  ehcp_timeline *tl;
  ehcp_timeline_new(&tl);
  for (size_t i = 0; i < ehcp_case_set_count(set); i++) {
    const ehcp_case *c = ehcp_case_set_get(set, i);
    if (ehcp_evaluate(tl, x->ev, c, as_of) != EHCP_OK || ehcp_measures_add(m, c, tl) != EHCP_OK)
      exit(2);
  }
  ehcp_timeline_free(tl);
  return m;
}

static int same_group(const char *a, const char *b) {
  return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The row (measure, period, group), or NULL. */
static const struct ehcp_measure_row *row(const ehcp_measures *m, const char *measure,
                                          const char *period, const char *group) {
  for (size_t i = 0; i < ehcp_measures_count(m); i++) {
    const struct ehcp_measure_row *r = ehcp_measures_get(m, i);
    if (strcmp(r->measure, measure) == 0 && strcmp(r->period, period) == 0 &&
        same_group(r->group, group))
      return r;
  }
  return NULL;
}

/* Check one row's counts (and that it exists). */
#define CHECK_ROW(m, measure, period, group, num, den)                                   \
  do {                                                                                   \
    const struct ehcp_measure_row *r_ = row(m, measure, period, group);                  \
    CHECK(r_ != NULL);                                                                   \
    if (r_) {                                                                            \
      CHECK_INT(r_->numerator, num);                                                     \
      CHECK_INT(r_->denominator, den);                                                   \
    }                                                                                    \
  } while (0)

static int near(double a, double b) { return fabs(a - b) < 1e-9; }

/* ---- rounding and names ---------------------------------------------------------- */

static void test_percent(void) {
  CHECK(ehcp_percent(23, 80) == 28.7); /* 0.2875 is not exact in binary: 28.749999... */
  CHECK(ehcp_percent(1, 8) == 12.5);
  CHECK(ehcp_percent(2, 3) == 66.7);
  CHECK(ehcp_percent(1, 3) == 33.3);
  CHECK(ehcp_percent(0, 5) == 0.0);
  CHECK(ehcp_percent(7, 7) == 100.0);
  CHECK(isnan(ehcp_percent(0, 0)));
  CHECK(isnan(ehcp_percent(3, 0)));
  /* timescales.md section 6: England 2024, excluding and including exceptions. */
  CHECK(ehcp_percent(39407, 84866) == 46.4);
  CHECK(ehcp_percent(41448, 90392) == 45.9);
  /* Half up: 1/16 = 6.25 exactly -> 6.3; 1/32 = 3.125 -> 3.1. */
  CHECK(ehcp_percent(1, 16) == 6.3);
  CHECK(ehcp_percent(1, 32) == 3.1);
}

static void test_period_names(void) {
  static const char *const names[] = {"month", "quarter", "year", "fy", "ay", "all"};
  for (int i = 0; i < 6; i++) {
    int p = -1;
    CHECK_STR(ehcp_period_name(i), names[i]);
    CHECK_INT(ehcp_period_from_name(&p, names[i]), EHCP_OK);
    CHECK_INT(p, i);
  }
  int p = 42;
  CHECK(ehcp_period_name(6) == NULL);
  CHECK(ehcp_period_name(-1) == NULL);
  CHECK_INT(ehcp_period_from_name(&p, "weekly"), EHCP_ERR_INVALID);
  CHECK_INT(p, 42);
  CHECK_INT(ehcp_period_from_name(&p, "Month"), EHCP_ERR_INVALID);
}

/* ---- options and errors ---------------------------------------------------------- */

static void test_options_errors(void) {
  ehcp_ruleset *rs = england(NULL);
  ehcp_measures *m = (ehcp_measures *)1;
  CHECK_INT(ehcp_measures_new(&m, NULL, NULL), EHCP_ERR_INVALID);
  CHECK(m == NULL);
  CHECK_INT(ehcp_measures_new(NULL, rs, NULL), EHCP_ERR_INVALID);

  struct ehcp_measures_options o = {0};
  CHECK_INT(ehcp_measures_new(&m, rs, &o), EHCP_ERR_INVALID); /* version 0 */
  CHECK_STR(ehcp_measures_errmsg(m), "unsupported options version 0");
  ehcp_measures_free(m);

  o.version = EHCP_MEASURES_OPTIONS_VERSION;
  o.period = 9;
  CHECK_INT(ehcp_measures_new(&m, rs, &o), EHCP_ERR_INVALID);
  CHECK_STR(ehcp_measures_errmsg(m), "unknown period 9");
  ehcp_measures_free(m);

  o.period = EHCP_PERIOD_YEAR;
  const char *bad[] = {"final_20w", "final_20w_exc"};
  o.measures = bad;
  o.nmeasures = 2;
  CHECK_INT(ehcp_measures_new(&m, rs, &o), EHCP_ERR_INVALID);
  CHECK_STR(ehcp_measures_errmsg(m), "unknown measure 'final_20w_exc'");
  /* A failed accumulator only reports: it counts nothing. */
  CHECK_INT(ehcp_measures_count(m), 0);
  CHECK_INT(ehcp_measures_summary_count(m), 0);
  ehcp_measures_free(m);

  /* A local target's name is a measure only where the rule set has it. */
  const char *local[] = {"draft_by_week_16"};
  o.measures = local;
  o.nmeasures = 1;
  CHECK_INT(ehcp_measures_new(&m, rs, &o), EHCP_ERR_INVALID);
  ehcp_measures_free(m);

  const char *empty_name[] = {"team", ""};
  o.measures = NULL;
  o.nmeasures = 0;
  o.group_by = empty_name;
  o.ngroup_by = 2;
  CHECK_INT(ehcp_measures_new(&m, rs, &o), EHCP_ERR_INVALID);
  CHECK_STR(ehcp_measures_errmsg(m), "empty group-by attribute name");
  ehcp_measures_free(m);

  /* Defaults: one (empty) summary, no rows, no message. */
  CHECK_INT(ehcp_measures_new(&m, rs, NULL), EHCP_OK);
  CHECK_STR(ehcp_measures_errmsg(m), "");
  CHECK_INT(ehcp_measures_count(m), 0);
  CHECK(ehcp_measures_get(m, 0) == NULL);
  CHECK_INT(ehcp_measures_summary_count(m), 1);
  const struct ehcp_waiting_summary *s = ehcp_measures_summary(m, 0);
  CHECK(s && s->group == NULL && s->plans == 0 && isnan(s->mean_weeks) && isnan(s->median_weeks));
  CHECK(ehcp_measures_summary(m, 1) == NULL);
  CHECK_INT(ehcp_measures_add(m, NULL, NULL), EHCP_ERR_INVALID);
  ehcp_measures_free(m);
  ehcp_measures_free(NULL);
  CHECK_STR(ehcp_measures_errmsg(NULL), "");
  ehcp_ruleset_free(rs);
}

/* ---- final_20w and final_20w_ex --------------------------------------------------- */

static void test_exceptions(void) {
  struct ctx x;
  ctx_init(&x, england(NULL));
  ehcp_case_set *set;
  ehcp_case_set_new(&set);
  /* E1 day 140: met. E2 day 141: missed. */
  ev(set, "E1", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", "parent");
  ev(set, "E1", EHCP_EV_FINAL_ISSUED, "2025-06-04", NULL);
  ev(set, "E2", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", "parent");
  ev(set, "E2", EHCP_EV_FINAL_ISSUED, "2025-06-05", NULL);
  /* E3: personal circumstances in the 20 weeks (A5 exception applies), late. */
  ev(set, "E3", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", "parent");
  ev_full(set, "E3", EHCP_EV_EXCEPTION, D("2025-02-01"), "personal_circumstances", D("2025-02-10"),
          NULL);
  ev(set, "E3", EHCP_EV_FINAL_ISSUED, "2025-07-01", NULL);
  /* E4: a missed appointment (an advice exception, not A5's), plan in time:
   * any exception on the case is SEN2 Week20 = 1, so out of the headline. */
  ev(set, "E4", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", "parent");
  ev(set, "E4", EHCP_EV_EXCEPTION, "2025-02-01", "appointment_missed");
  ev(set, "E4", EHCP_EV_FINAL_ISSUED, "2025-05-01", NULL);
  /* E5: an exception recorded only after the as-of date is not yet on the case. */
  ev(set, "E5", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", "parent");
  ev(set, "E5", EHCP_EV_FINAL_ISSUED, "2025-05-02", NULL);
  ev(set, "E5", EHCP_EV_EXCEPTION, "2026-01-05", "unspecified");
  /* E6: an unspecified exception recorded after the plan: Week20 = 1. */
  ev(set, "E6", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", "parent");
  ev(set, "E6", EHCP_EV_FINAL_ISSUED, "2025-05-03", NULL);
  ev(set, "E6", EHCP_EV_EXCEPTION, "2025-11-01", "unspecified");

  /* E7: advice asked of a school a week before its summer closure (reg
   * 10(4)(a), derived from its term calendar): the exception applies to A5
   * with no exception event on the case. */
  ev(set, "E7", EHCP_EV_REQUEST_RECEIVED, "2025-06-02", "parent");
  ev_full(set, "E7", EHCP_EV_ADVICE_REQUESTED, D("2025-07-15"), "education", EHCP_DATE_NONE,
          "URN9");
  ev(set, "E7", EHCP_EV_FINAL_ISSUED, "2025-07-31", NULL);
  ehcp_calendar_builder *b;
  ehcp_calendar *school;
  if (ehcp_calendar_builder_new(&b) != EHCP_OK ||
      ehcp_calendar_builder_add_closure(b, D("2025-07-22"), D("2025-09-02"), "Summer") != EHCP_OK ||
      ehcp_calendar_build(&school, b) != EHCP_OK ||
      ehcp_evaluator_add_setting_calendar(x.ev, "URN9", school) != EHCP_OK)
    exit(2);
  ehcp_calendar_builder_free(b);
  ehcp_calendar_free(school);

  ehcp_measures *m = count(&x, set, D("2025-12-31"), NULL);
  CHECK_ROW(m, "final_20w", "2025-05", NULL, 3, 3);
  CHECK_ROW(m, "final_20w", "2025-06", NULL, 1, 2);
  CHECK_ROW(m, "final_20w", "2025-07", NULL, 1, 2);
  CHECK_ROW(m, "final_20w_ex", "2025-05", NULL, 1, 1);
  CHECK_ROW(m, "final_20w_ex", "2025-06", NULL, 1, 2);
  CHECK(row(m, "final_20w_ex", "2025-07", NULL) == NULL); /* E3 and E7 left both counts */
  /* Nothing else ended: no decisions, no reviews yet (B1 is due). */
  CHECK_INT(ehcp_measures_count(m), 5);
  /* Sorted: final_20w before final_20w_ex, periods in order. */
  const char *order[][2] = {{"final_20w", "2025-05"}, {"final_20w", "2025-06"},
                            {"final_20w", "2025-07"}, {"final_20w_ex", "2025-05"},
                            {"final_20w_ex", "2025-06"}};
  for (size_t i = 0; i < 5; i++) {
    const struct ehcp_measure_row *r = ehcp_measures_get(m, i);
    CHECK(r && strcmp(r->measure, order[i][0]) == 0 && strcmp(r->period, order[i][1]) == 0);
  }
  const struct ehcp_measure_row *r = row(m, "final_20w", "2025-06", NULL);
  CHECK(r && r->percent == 50.0 && r->group == NULL);
  ehcp_measures_free(m);

  /* The measure filter. */
  const char *only[] = {"final_20w_ex"};
  struct ehcp_measures_options o = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                    .period = EHCP_PERIOD_YEAR,
                                    .measures = only,
                                    .nmeasures = 1,
                                    .from = EHCP_DATE_NONE,
                                    .to = EHCP_DATE_NONE};
  m = count(&x, set, D("2025-12-31"), &o);
  CHECK_INT(ehcp_measures_count(m), 1);
  CHECK_ROW(m, "final_20w_ex", "2025", NULL, 2, 3);
  r = ehcp_measures_get(m, 0);
  CHECK(r && r->percent == 66.7);
  ehcp_measures_free(m);
  ehcp_case_set_free(set);
  ctx_free(&x);
}

/* ---- week counting: day 139, 140, 141 ---------------------------------------------- */

static void test_week_counting(void) {
  static const char *const conventions[] = {"t0_plus_7n", "t0_day1"};
  for (int k = 0; k < 2; k++) {
    struct ctx x;
    ctx_init(&x, england(conventions[k]));
    ehcp_case_set *set;
    ehcp_case_set_new(&set);
    /* Received Wed 15 Jan 2025: day 139 is 3 Jun, 140 is 4 Jun, 141 is 5 Jun. */
    const char *finals[] = {"2025-06-03", "2025-06-04", "2025-06-05"};
    const char *ids[] = {"D139", "D140", "D141"};
    for (int i = 0; i < 3; i++) {
      ev(set, ids[i], EHCP_EV_REQUEST_RECEIVED, "2025-01-15", "parent");
      ev(set, ids[i], EHCP_EV_FINAL_ISSUED, finals[i], NULL);
    }
    struct ehcp_measures_options o = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                      .period = EHCP_PERIOD_ALL,
                                      .from = EHCP_DATE_NONE,
                                      .to = EHCP_DATE_NONE};
    ehcp_measures *m = count(&x, set, D("2025-12-31"), &o);
    /* t0 + 140 is the last compliant day by default; t0 + 139 counting t0 as day 1. */
    CHECK_ROW(m, "final_20w", "all", NULL, k == 0 ? 2 : 1, 3);
    CHECK_ROW(m, "final_20w_ex", "all", NULL, k == 0 ? 2 : 1, 3);
    const struct ehcp_waiting_summary *s = ehcp_measures_summary(m, 0);
    CHECK_INT(s->within_20w, k == 0 ? 2 : 1);
    CHECK_INT(s->within_52w, k == 0 ? 1 : 2);
    ehcp_measures_free(m);
    ehcp_case_set_free(set);
    ctx_free(&x);
  }
}

/* ---- period boundaries --------------------------------------------------------------- */

static void test_periods(void) {
  struct ctx x;
  ctx_init(&x, england(NULL));
  ehcp_case_set *set;
  ehcp_case_set_new(&set);
  /* Decisions to assess (A1, met: 10 days after the request) on each side
   * of the year, quarter, financial-year and academic-year ends. */
  static const char *const done[] = {"2024-12-31", "2025-01-01", "2025-03-31", "2025-04-01",
                                     "2025-06-30", "2025-07-01", "2025-08-31", "2025-09-01"};
  for (int i = 0; i < 8; i++) {
    char id[8];
    snprintf(id, sizeof id, "P%d", i);
    ev_full(set, id, EHCP_EV_REQUEST_RECEIVED, D(done[i]) - 10, "parent", EHCP_DATE_NONE, NULL);
    ev(set, id, EHCP_EV_ASSESSMENT_DECISION, done[i], "yes");
  }
  /* One late decision on the last day of the financial year. */
  ev(set, "LATE", EHCP_EV_REQUEST_RECEIVED, "2025-01-01", "parent");
  ev(set, "LATE", EHCP_EV_ASSESSMENT_DECISION, "2025-03-31", "yes");

  static const struct {
    int period;
    const char *labels[8];
    int met[8], steps[8];
  } want[] = {
      {EHCP_PERIOD_MONTH,
       {"2024-12", "2025-01", "2025-03", "2025-04", "2025-06", "2025-07", "2025-08", "2025-09"},
       {1, 1, 1, 1, 1, 1, 1, 1},
       {1, 1, 2, 1, 1, 1, 1, 1}},
      {EHCP_PERIOD_QUARTER, {"2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3"}, {1, 2, 2, 3}, {1, 3, 2, 3}},
      {EHCP_PERIOD_YEAR, {"2024", "2025"}, {1, 7}, {1, 8}},
      {EHCP_PERIOD_FY, {"FY2024-25", "FY2025-26"}, {3, 5}, {4, 5}},
      {EHCP_PERIOD_AY, {"AY2024-25", "AY2025-26"}, {7, 1}, {8, 1}},
      {EHCP_PERIOD_ALL, {"all"}, {8}, {9}},
  };
  for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
    const char *only[] = {"decision_6w"};
    struct ehcp_measures_options o = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                      .period = want[k].period,
                                      .measures = only,
                                      .nmeasures = 1,
                                      .from = EHCP_DATE_NONE,
                                      .to = EHCP_DATE_NONE};
    ehcp_measures *m = count(&x, set, D("2025-09-30"), &o);
    size_t n = 0;
    while (n < 8 && want[k].labels[n])
      n++;
    CHECK_INT(ehcp_measures_count(m), n);
    for (size_t i = 0; i < n; i++) {
      const struct ehcp_measure_row *r = ehcp_measures_get(m, i); /* chronological */
      CHECK(r != NULL);
      if (!r)
        continue;
      CHECK_STR(r->period, want[k].labels[i]);
      CHECK_INT(r->numerator, want[k].met[i]);
      CHECK_INT(r->denominator, want[k].steps[i]);
    }
    ehcp_measures_free(m);
  }

  /* --from/--to keep steps ending in [from, to], both ends included. */
  const char *only[] = {"decision_6w"};
  struct ehcp_measures_options o = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                    .period = EHCP_PERIOD_YEAR,
                                    .measures = only,
                                    .nmeasures = 1,
                                    .from = D("2025-01-01"),
                                    .to = D("2025-06-30")};
  ehcp_measures *m = count(&x, set, D("2025-09-30"), &o);
  CHECK_INT(ehcp_measures_count(m), 1);
  CHECK_ROW(m, "decision_6w", "2025", NULL, 4, 5);
  ehcp_measures_free(m);
  o.from = D("2025-04-01");
  o.to = EHCP_DATE_NONE;
  m = count(&x, set, D("2025-09-30"), &o);
  CHECK_ROW(m, "decision_6w", "2025", NULL, 5, 5);
  ehcp_measures_free(m);
  ehcp_case_set_free(set);
  ctx_free(&x);
}

/* ---- grouping -------------------------------------------------------------------------- */

static void plan_case(ehcp_case_set *set, const char *id, int met) {
  ev(set, id, EHCP_EV_REQUEST_RECEIVED, "2025-01-15", "parent");
  ev(set, id, EHCP_EV_FINAL_ISSUED, met ? "2025-06-04" : "2025-06-05", NULL);
}

static void test_grouping(void) {
  struct ctx x;
  ctx_init(&x, england(NULL));
  ehcp_case_set *set;
  ehcp_case_set_new(&set);
  plan_case(set, "G1", 1), attr(set, "G1", "team", "North"), attr(set, "G1", "caseworker", "AB");
  plan_case(set, "G2", 0), attr(set, "G2", "team", "North"), attr(set, "G2", "caseworker", "AB");
  plan_case(set, "G3", 1), attr(set, "G3", "team", "North"), attr(set, "G3", "caseworker", "CD");
  plan_case(set, "G4", 1), attr(set, "G4", "caseworker", "AB"), attr(set, "G4", "team", "South");
  plan_case(set, "G5", 0), attr(set, "G5", "caseworker", "AB"); /* no team: "" */
  plan_case(set, "G6", 1), attr(set, "G6", "team", ""), attr(set, "G6", "caseworker", "CD");

  const char *only[] = {"final_20w"};
  const char *by_team[] = {"team"};
  struct ehcp_measures_options o = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                    .period = EHCP_PERIOD_ALL,
                                    .group_by = by_team,
                                    .ngroup_by = 1,
                                    .measures = only,
                                    .nmeasures = 1,
                                    .from = EHCP_DATE_NONE,
                                    .to = EHCP_DATE_NONE};
  ehcp_measures *m = count(&x, set, D("2025-12-31"), &o);
  CHECK_INT(ehcp_measures_count(m), 3);
  static const struct {
    const char *group;
    int met, steps;
    double percent;
  } team[] = {{"", 1, 2, 50.0}, {"North", 2, 3, 66.7}, {"South", 1, 1, 100.0}};
  for (size_t i = 0; i < 3; i++) {
    const struct ehcp_measure_row *r = ehcp_measures_get(m, i);
    CHECK(r != NULL);
    if (!r)
      continue;
    CHECK_STR(r->group, team[i].group);
    CHECK_INT(r->numerator, team[i].met);
    CHECK_INT(r->denominator, team[i].steps);
    CHECK(r->percent == team[i].percent);
  }
  CHECK_INT(ehcp_measures_summary_count(m), 3);
  static const int plans[] = {2, 3, 1};
  for (size_t i = 0; i < 3; i++) {
    const struct ehcp_waiting_summary *s = ehcp_measures_summary(m, i);
    CHECK_STR(s->group, team[i].group);
    CHECK_INT(s->plans, plans[i]);
    CHECK_INT(s->within_20w, team[i].met);
  }
  ehcp_measures_free(m);

  const char *by_two[] = {"team", "caseworker"};
  o.group_by = by_two;
  o.ngroup_by = 2;
  m = count(&x, set, D("2025-12-31"), &o);
  CHECK_INT(ehcp_measures_count(m), 5);
  static const struct {
    const char *group;
    int met, steps;
  } two[] = {{"North|AB", 1, 2}, {"North|CD", 1, 1}, {"South|AB", 1, 1}, {"|AB", 0, 1},
             {"|CD", 1, 1}}; /* byte order: '|' sorts after letters */
  for (size_t i = 0; i < 5; i++) {
    const struct ehcp_measure_row *r = ehcp_measures_get(m, i);
    CHECK(r != NULL);
    if (!r)
      continue;
    CHECK_STR(r->group, two[i].group);
    CHECK_INT(r->numerator, two[i].met);
    CHECK_INT(r->denominator, two[i].steps);
  }
  ehcp_measures_free(m);

  /* A case of another set whose attribute values were interned in another
   * order still lands in the same group. */
  ehcp_case_set *other;
  ehcp_case_set_new(&other);
  attr(other, "Z0", "region", "x");
  plan_case(other, "Z1", 1), attr(other, "Z1", "caseworker", "CD"), attr(other, "Z1", "team", "North");
  o.group_by = by_team;
  o.ngroup_by = 1;
  m = count(&x, set, D("2025-12-31"), &o);
  ehcp_timeline *tl;
  ehcp_timeline_new(&tl);
  const ehcp_case *z1 = ehcp_case_set_find(other, "Z1");
  CHECK_INT(ehcp_evaluate(tl, x.ev, z1, D("2025-12-31")), EHCP_OK);
  CHECK_INT(ehcp_measures_add(m, z1, tl), EHCP_OK);
  CHECK_ROW(m, "final_20w", "all", "North", 3, 4);
  CHECK_INT(ehcp_measures_count(m), 3);
  /* Back to the first set. */
  const ehcp_case *g4 = ehcp_case_set_find(set, "G4");
  CHECK_INT(ehcp_evaluate(tl, x.ev, g4, D("2025-12-31")), EHCP_OK);
  CHECK_INT(ehcp_measures_add(m, g4, tl), EHCP_OK);
  CHECK_ROW(m, "final_20w", "all", "South", 2, 2);
  ehcp_case_set_free(other);

  /* Sets freed and made again (perhaps at the same address), and a set
   * growing between counts: value ids are never taken for another set's. */
  for (int round = 0; round < 3; round++) {
    ehcp_case_set *again;
    ehcp_case_set_new(&again);
    char id[16];
    /* Intern other strings first, so that "South" gets North's old id. */
    for (int k = 0; k <= round; k++) {
      snprintf(id, sizeof id, "pad%d", k);
      attr(again, "Y0", id, "South");
    }
    snprintf(id, sizeof id, "Y%d", round + 1);
    plan_case(again, id, 0), attr(again, id, "team", "South");
    const ehcp_case *y = ehcp_case_set_find(again, id);
    CHECK_INT(ehcp_evaluate(tl, x.ev, y, D("2025-12-31")), EHCP_OK);
    CHECK_INT(ehcp_measures_add(m, y, tl), EHCP_OK);
    /* The set grows; its next case is counted with the new strings. */
    snprintf(id, sizeof id, "Y%dB", round + 1);
    plan_case(again, id, 1), attr(again, id, "team", "West");
    y = ehcp_case_set_find(again, id);
    CHECK_INT(ehcp_evaluate(tl, x.ev, y, D("2025-12-31")), EHCP_OK);
    CHECK_INT(ehcp_measures_add(m, y, tl), EHCP_OK);
    ehcp_case_set_free(again);
  }
  CHECK_ROW(m, "final_20w", "all", "South", 2, 5);
  CHECK_ROW(m, "final_20w", "all", "West", 3, 3);
  CHECK_ROW(m, "final_20w", "all", "North", 3, 4);
  ehcp_timeline_free(tl);
  ehcp_measures_free(m);
  ehcp_case_set_free(set);
  ctx_free(&x);
}

/* ---- advice by adviser ------------------------------------------------------------------- */

static void test_advice(void) {
  struct ctx x;
  ctx_init(&x, england(NULL));
  ehcp_case_set *set;
  ehcp_case_set_new(&set);
  /* Asked 1 Feb 2025; due 15 Mar 2025 (6 weeks). */
  ev(set, "V1", EHCP_EV_REQUEST_RECEIVED, "2025-01-20", "parent");
  attr(set, "V1", "team", "North");
  ev(set, "V1", EHCP_EV_ADVICE_REQUESTED, "2025-02-01", "ep");
  ev(set, "V1", EHCP_EV_ADVICE_RECEIVED, "2025-03-15", "ep"); /* day 42: met */
  ev(set, "V1", EHCP_EV_ADVICE_REQUESTED, "2025-02-01", "health");
  ev(set, "V1", EHCP_EV_ADVICE_RECEIVED, "2025-03-16", "health"); /* day 43: missed */
  ev_full(set, "V1", EHCP_EV_ADVICE_REQUESTED, D("2025-02-01"), "education", EHCP_DATE_NONE,
          "URN1");
  ev_full(set, "V1", EHCP_EV_ADVICE_RECEIVED, D("2025-03-01"), "education", EHCP_DATE_NONE,
          "URN1");
  ev(set, "V2", EHCP_EV_REQUEST_RECEIVED, "2025-01-20", "parent");
  attr(set, "V2", "team", "South");
  ev(set, "V2", EHCP_EV_ADVICE_REQUESTED, "2025-02-10", "ep");
  ev(set, "V2", EHCP_EV_ADVICE_RECEIVED, "2025-03-20", "ep"); /* met */
  ev(set, "V2", EHCP_EV_ADVICE_REQUESTED, "2025-02-10", "social_care"); /* not back yet */

  const char *only[] = {"advice_6w"};
  struct ehcp_measures_options o = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                    .period = EHCP_PERIOD_MONTH,
                                    .measures = only,
                                    .nmeasures = 1,
                                    .from = EHCP_DATE_NONE,
                                    .to = EHCP_DATE_NONE};
  ehcp_measures *m = count(&x, set, D("2025-06-30"), &o);
  CHECK_INT(ehcp_measures_count(m), 3);
  static const struct {
    const char *group;
    int met, steps;
  } by_adviser[] = {{"education", 1, 1}, {"ep", 2, 2}, {"health", 0, 1}};
  for (size_t i = 0; i < 3; i++) {
    const struct ehcp_measure_row *r = ehcp_measures_get(m, i);
    CHECK(r && strcmp(r->measure, "advice_6w") == 0 && strcmp(r->period, "2025-03") == 0);
    if (!r)
      continue;
    CHECK_STR(r->group, by_adviser[i].group);
    CHECK_INT(r->numerator, by_adviser[i].met);
    CHECK_INT(r->denominator, by_adviser[i].steps);
  }
  /* Ungrouped: one summary for all, whatever advice was grouped by. */
  CHECK_INT(ehcp_measures_summary_count(m), 1);
  CHECK(ehcp_measures_summary(m, 0)->group == NULL);
  ehcp_measures_free(m);

  /* Grouped otherwise: advice by that attribute, not by adviser. */
  const char *by_team[] = {"team"};
  o.group_by = by_team;
  o.ngroup_by = 1;
  m = count(&x, set, D("2025-06-30"), &o);
  CHECK_INT(ehcp_measures_count(m), 2);
  CHECK_ROW(m, "advice_6w", "2025-03", "North", 2, 3);
  CHECK_ROW(m, "advice_6w", "2025-03", "South", 1, 1);
  ehcp_measures_free(m);
  ehcp_case_set_free(set);
  ctx_free(&x);
}

/* ---- reviews and phase transfers ---------------------------------------------------------- */

static void test_reviews_and_transfers(void) {
  struct ctx x;
  ctx_init(&x, england(NULL));
  ehcp_case_set *set;
  ehcp_case_set_new(&set);
  /* R1: decision on day 28 (met), amended plan 8 weeks after the draft
   * (met), 12 weeks after the meeting (met). */
  ev(set, "R1", EHCP_EV_FINAL_ISSUED, "2024-04-01", NULL);
  ev(set, "R1", EHCP_EV_REVIEW_MEETING, "2025-03-03", NULL);
  ev(set, "R1", EHCP_EV_REVIEW_DECISION, "2025-03-31", "amend");
  ev(set, "R1", EHCP_EV_REVIEW_DRAFT, "2025-03-31", NULL);
  ev(set, "R1", EHCP_EV_REVIEW_FINAL, "2025-05-26", NULL);
  /* R2: decision on day 29 (missed), amended plan a day late on both. */
  ev(set, "R2", EHCP_EV_FINAL_ISSUED, "2024-03-31", NULL);
  ev(set, "R2", EHCP_EV_REVIEW_MEETING, "2025-03-03", NULL);
  ev(set, "R2", EHCP_EV_REVIEW_DECISION, "2025-04-01", "amend");
  ev(set, "R2", EHCP_EV_REVIEW_DRAFT, "2025-03-31", NULL);
  ev(set, "R2", EHCP_EV_REVIEW_FINAL, "2025-05-27", NULL);
  /* T1: amended on 14 Feb for a September school transfer (met); T2 on
   * 15 Feb (missed); T3 a post-16 transfer amended by 30 March (met). */
  ev(set, "T1", EHCP_EV_PHASE_TRANSFER, "2025-09-01", "school");
  ev(set, "T1", EHCP_EV_PHASE_TRANSFER_AMENDED, "2025-02-14", NULL);
  ev(set, "T2", EHCP_EV_PHASE_TRANSFER, "2025-09-01", "school");
  ev(set, "T2", EHCP_EV_PHASE_TRANSFER_AMENDED, "2025-02-15", NULL);
  ev(set, "T3", EHCP_EV_PHASE_TRANSFER, "2025-09-01", "post16");
  ev(set, "T3", EHCP_EV_PHASE_TRANSFER_AMENDED, "2025-03-30", NULL);

  /* C1: a plan of 10 Jan 2023 never reviewed, ceased 1 Mar 2024: the
   * review was missed, and the step ended when the plan ceased. */
  ev(set, "C1", EHCP_EV_FINAL_ISSUED, "2023-01-10", NULL);
  ev(set, "C1", EHCP_EV_PLAN_CEASED, "2024-03-01", NULL);
  /* A4: the final plan after the 15-day window counts when issued; a
   * window that has passed with no final plan has not ended. */
  ev(set, "W1", EHCP_EV_DRAFT_ISSUED, "2025-01-10", NULL);
  ev(set, "W1", EHCP_EV_FINAL_ISSUED, "2025-02-10", NULL);
  ev(set, "W2", EHCP_EV_DRAFT_ISSUED, "2025-01-10", NULL);

  struct ehcp_measures_options o = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                    .period = EHCP_PERIOD_QUARTER,
                                    .from = EHCP_DATE_NONE,
                                    .to = EHCP_DATE_NONE};
  ehcp_measures *m = count(&x, set, D("2025-06-30"), &o);
  CHECK_ROW(m, "review_decision_4w", "2025-Q1", NULL, 1, 1);
  CHECK_ROW(m, "review_decision_4w", "2025-Q2", NULL, 0, 1);
  CHECK_ROW(m, "review_final_8w", "2025-Q2", NULL, 1, 2);
  CHECK_ROW(m, "review_final_12w", "2025-Q2", NULL, 1, 2);
  CHECK_ROW(m, "phase_transfer", "2025-Q1", NULL, 2, 3);
  /* B1 (annual_review, a statutory milestone outside the table) is a
   * measure by its name: R1's review decision on 31 Mar 2025 within 12
   * months of the plan (met); R2's on 1 Apr 2025 for a plan of 31 Mar
   * 2024, a day late. */
  CHECK_ROW(m, "annual_review", "2025-Q1", NULL, 1, 1);
  CHECK_ROW(m, "annual_review", "2025-Q2", NULL, 0, 1);
  CHECK_ROW(m, "annual_review", "2024-Q1", NULL, 0, 1);
  CHECK_ROW(m, "draft_comment_window", "2025-Q1", NULL, 1, 1);
  /* Measures in the table's order, then other milestones in rule-set order. */
  static const char *const order[] = {
      "review_decision_4w", "review_decision_4w",   "review_final_8w", "review_final_12w",
      "phase_transfer",     "draft_comment_window", "annual_review",   "annual_review",
      "annual_review"};
  CHECK_INT(ehcp_measures_count(m), 9);
  for (size_t i = 0; i < 9; i++) {
    const struct ehcp_measure_row *r = ehcp_measures_get(m, i);
    CHECK(r && strcmp(r->measure, order[i]) == 0);
  }
  ehcp_measures_free(m);
  ehcp_case_set_free(set);
  ctx_free(&x);
}

/* ---- local targets, contact_5wd, rule sets without a milestone ---------------------------- */

static const char local_ini[] =
    "[ruleset]\n"
    "name = test-local\n"
    "extends = england-2014\n"
    "[milestone L1]\n"
    "name = draft_by_week_16\n"
    "statutory = no\n"
    "start = request_received\n"
    "end = draft_issued\n"
    "limit = 16 weeks\n"
    "[milestone L2]\n"
    "name = contact_reply_5wd\n"
    "statutory = no\n"
    "start = contact_received\n"
    "end = contact_responded\n"
    "pairing = ref\n"
    "limit = 5 working_days\n";

static void test_local_targets(void) {
  ehcp_ruleset *rs = england(NULL);
  CHECK_INT(ehcp_ruleset_load_string(rs, local_ini, strlen(local_ini), "local.ini"), EHCP_OK);
  struct ctx x;
  ctx_init(&x, rs);
  ehcp_case_set *set;
  ehcp_case_set_new(&set);
  ev(set, "L", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", "parent");
  ev(set, "L", EHCP_EV_DRAFT_ISSUED, "2025-05-07", NULL); /* week 16: met */
  /* Fri 3 Jan 2025: the 5th working day after is Fri 10 Jan. */
  ev_full(set, "L", EHCP_EV_CONTACT_RECEIVED, D("2025-01-03"), NULL, EHCP_DATE_NONE, "Q1");
  ev_full(set, "L", EHCP_EV_CONTACT_RESPONDED, D("2025-01-10"), NULL, EHCP_DATE_NONE, "Q1");
  ev_full(set, "L", EHCP_EV_CONTACT_RECEIVED, D("2025-01-03"), NULL, EHCP_DATE_NONE, "Q2");
  ev_full(set, "L", EHCP_EV_CONTACT_RESPONDED, D("2025-01-13"), NULL, EHCP_DATE_NONE, "Q2");
  struct ehcp_measures_options o = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                    .period = EHCP_PERIOD_ALL,
                                    .from = EHCP_DATE_NONE,
                                    .to = EHCP_DATE_NONE};
  ehcp_measures *m = count(&x, set, D("2025-06-30"), &o);
  CHECK_ROW(m, "contact_5wd", "all", NULL, 1, 2);
  CHECK_ROW(m, "draft_by_week_16", "all", NULL, 1, 1);
  CHECK(row(m, "contact_reply_5wd", "all", NULL) == NULL); /* it is contact_5wd */
  CHECK_INT(ehcp_measures_count(m), 2);
  const struct ehcp_measure_row *r = ehcp_measures_get(m, 0);
  CHECK(r && strcmp(r->measure, "contact_5wd") == 0);
  ehcp_measures_free(m);
  const char *only[] = {"draft_by_week_16"};
  o.measures = only;
  o.nmeasures = 1;
  m = count(&x, set, D("2025-06-30"), &o);
  CHECK_INT(ehcp_measures_count(m), 1);
  ehcp_measures_free(m);
  ehcp_case_set_free(set);
  ctx_free(&x);

  /* A rule set without A5: final_20w is still a measure, with no rows. */
  static const char bare[] = "[milestone X1]\nname = decision_only\nstart = request_received\n"
                             "end = assessment_decision\nlimit = 6 weeks\n";
  CHECK_INT(ehcp_ruleset_new(&rs, NULL), EHCP_OK);
  CHECK_INT(ehcp_ruleset_load_string(rs, bare, strlen(bare), "bare.ini"), EHCP_OK);
  ctx_init(&x, rs);
  ehcp_case_set_new(&set);
  ev(set, "B", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", "parent");
  ev(set, "B", EHCP_EV_ASSESSMENT_DECISION, "2025-02-01", "yes");
  ev(set, "B", EHCP_EV_FINAL_ISSUED, "2025-05-01", NULL);
  const char *finals[] = {"final_20w", "decision_only"};
  o.measures = finals;
  o.nmeasures = 2;
  m = count(&x, set, D("2025-06-30"), &o);
  CHECK_INT(ehcp_measures_count(m), 1);
  CHECK_ROW(m, "decision_only", "all", NULL, 1, 1);
  CHECK_INT(ehcp_measures_summary(m, 0)->plans, 0); /* no A5: no plans to summarise */
  ehcp_measures_free(m);
  ehcp_case_set_free(set);
  ctx_free(&x);
}

/* ---- the waiting summary ---------------------------------------------------------------- */

static void add_plan(ehcp_case_set *set, const char *id, ehcp_date final, int days) {
  ev_full(set, id, EHCP_EV_REQUEST_RECEIVED, final - days, "parent", EHCP_DATE_NONE, NULL);
  ev_full(set, id, EHCP_EV_FINAL_ISSUED, final, NULL, EHCP_DATE_NONE, NULL);
}

static void test_summary(void) {
  for (int k = 0; k < 2; k++) {
    struct ctx x;
    ctx_init(&x, england(k ? "t0_day1" : NULL));
    ehcp_case_set *set;
    ehcp_case_set_new(&set);
    ehcp_date as_of = D("2026-03-01"), final = D("2025-06-01");
    /* Ten plans issued 1 Jun 2025 (reviews not yet due). */
    static const int days[] = {300, 100, 141, 500, 140, 364, 120, 365, 200, 400};
    for (int i = 0; i < 10; i++) {
      char id[8];
      snprintf(id, sizeof id, "W%d", i);
      add_plan(set, id, final, days[i]);
    }
    /* A plan of 2024 (outside the range) whose review is overdue. */
    add_plan(set, "OLD", D("2024-01-10"), 131);
    /* Open requests past 20 weeks: 150 days (awaiting the decision) and
     * 200 days (assessing). Not counted: 100 days old (not past 20 weeks),
     * refused (A5 no longer applies), and a plan issued before the request
     * was logged (a plan exists). */
    ev_full(set, "O1", EHCP_EV_REQUEST_RECEIVED, as_of - 150, "parent", EHCP_DATE_NONE, NULL);
    ev_full(set, "O2", EHCP_EV_REQUEST_RECEIVED, as_of - 200, "parent", EHCP_DATE_NONE, NULL);
    ev_full(set, "O2", EHCP_EV_ASSESSMENT_DECISION, as_of - 170, "yes", EHCP_DATE_NONE, NULL);
    ev_full(set, "O3", EHCP_EV_REQUEST_RECEIVED, as_of - 100, "parent", EHCP_DATE_NONE, NULL);
    ev_full(set, "O4", EHCP_EV_REQUEST_RECEIVED, as_of - 200, "parent", EHCP_DATE_NONE, NULL);
    ev_full(set, "O4", EHCP_EV_ASSESSMENT_DECISION, as_of - 180, "no", EHCP_DATE_NONE, NULL);
    ev_full(set, "O5", EHCP_EV_FINAL_ISSUED, as_of - 210, NULL, EHCP_DATE_NONE, NULL);
    ev_full(set, "O5", EHCP_EV_REQUEST_RECEIVED, as_of - 200, "parent", EHCP_DATE_NONE, NULL);
    /* Phase transfers: due in 2026 and not done (B9 overdue since 14 Feb,
     * B10 due 30 Mar); not counted: done, or due in 2027. */
    ev(set, "T1", EHCP_EV_PHASE_TRANSFER, "2026-09-01", "school");
    ev(set, "T2", EHCP_EV_PHASE_TRANSFER, "2026-09-01", "post16");
    ev(set, "T3", EHCP_EV_PHASE_TRANSFER, "2026-09-01", "school");
    ev(set, "T3", EHCP_EV_PHASE_TRANSFER_AMENDED, "2026-01-20", NULL);
    ev(set, "T4", EHCP_EV_PHASE_TRANSFER, "2027-09-01", "post16");

    struct ehcp_measures_options o = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                      .period = EHCP_PERIOD_YEAR,
                                      .from = D("2025-01-01"),
                                      .to = D("2025-12-31")};
    ehcp_measures *m = count(&x, set, as_of, &o);
    CHECK_INT(ehcp_measures_summary_count(m), 1);
    const struct ehcp_waiting_summary *s = ehcp_measures_summary(m, 0);
    CHECK(s->group == NULL);
    CHECK_INT(s->plans, 10);
    if (k == 0) {
      /* Within 20 weeks: 100, 120, 140. Up to 52 weeks (day 364): 141, 200,
       * 300, 364. Over: 365, 400, 500. */
      CHECK_INT(s->within_20w, 3);
      CHECK_INT(s->within_52w, 4);
      CHECK_INT(s->over_52w, 3);
    } else {
      /* Counting t0 as day 1: 20 weeks end on day 139, 52 weeks on day 363. */
      CHECK_INT(s->within_20w, 2);
      CHECK_INT(s->within_52w, 4);
      CHECK_INT(s->over_52w, 4);
    }
    /* Sorted: 100 120 140 141 200 | 300 364 365 400 500; sum 2630. */
    CHECK(near(s->mean_weeks, 2630.0 / 10 / 7));
    CHECK(near(s->median_weeks, 250.0 / 7)); /* (200 + 300) / 2 */
    CHECK(near(s->p90_weeks, 400.0 / 7));    /* rank ceil(0.9 * 10) = 9 */
    CHECK(near(s->longest_weeks, 500.0 / 7));
    CHECK_INT(s->open_past_20w, 2);
    CHECK(near(s->open_past_20w_mean_weeks, 175.0 / 7));
    CHECK(near(s->open_past_20w_max_weeks, 200.0 / 7));
    CHECK_INT(s->overdue_reviews, 1);
    CHECK_INT(s->phase_transfers_due, 2);
    /* The final_20w figure agrees with the band. */
    CHECK_ROW(m, "final_20w", "2025", NULL, k ? 2 : 3, 10);
    ehcp_measures_free(m);

    /* An odd count: the median is the middle value; p90 of 11 is rank 10. */
    add_plan(set, "W10", final, 50);
    m = count(&x, set, as_of, &o);
    s = ehcp_measures_summary(m, 0);
    CHECK_INT(s->plans, 11);
    CHECK(near(s->median_weeks, 200.0 / 7));
    CHECK(near(s->p90_weeks, 400.0 / 7));
    ehcp_measures_free(m);
    ehcp_case_set_free(set);
    ctx_free(&x);
  }

  /* One plan; and a plan taking longer than the histogram holds. */
  struct ctx x;
  ctx_init(&x, england(NULL));
  ehcp_case_set *set;
  ehcp_case_set_new(&set);
  add_plan(set, "A", D("2025-06-01"), 70);
  ehcp_measures *m = count(&x, set, D("2025-12-31"), NULL);
  const struct ehcp_waiting_summary *s = ehcp_measures_summary(m, 0);
  CHECK(s->plans == 1 && near(s->median_weeks, 10) && near(s->p90_weeks, 10) &&
        near(s->mean_weeks, 10) && near(s->longest_weeks, 10));
  CHECK(isnan(s->open_past_20w_mean_weeks) && isnan(s->open_past_20w_max_weeks));
  ehcp_measures_free(m);
  add_plan(set, "B", D("2025-06-01"), 7000);
  add_plan(set, "C", D("2025-06-01"), 5000);
  m = count(&x, set, D("2025-12-31"), NULL);
  s = ehcp_measures_summary(m, 0);
  CHECK_INT(s->plans, 3);
  CHECK(near(s->median_weeks, 5000.0 / 7));
  CHECK(near(s->p90_weeks, 1000.0));
  CHECK(near(s->longest_weeks, 1000.0));
  CHECK_INT(s->over_52w, 2);
  ehcp_measures_free(m);
  ehcp_case_set_free(set);
  ctx_free(&x);
}

/* ---- merge and compute --------------------------------------------------------------------- */

static uint64_t lcg = 12345;
static unsigned rnd(unsigned n) {
  lcg = lcg * 6364136223846793005u + 1442695040888963407u;
  return (unsigned)((lcg >> 33) % n);
}

/* A mixed set: requests over 2022-2025, decisions, advice, plans (some
 * very late), exceptions, reviews, transfers; teams and caseworkers. */
static void mixed_set(ehcp_case_set *set, size_t n) {
  static const char *const teams[] = {"North", "South", "East", "=SUM(A1)"};
  static const char *const advisers[] = {"education", "ep", "health", "social_care"};
  ehcp_date base = D("2022-01-01");
  for (size_t i = 0; i < n; i++) {
    char id[16], cw[8];
    snprintf(id, sizeof id, "M%zu", i);
    ehcp_date t0 = base + (ehcp_date)rnd(4 * 365);
    ev_full(set, id, EHCP_EV_REQUEST_RECEIVED, t0, "parent", EHCP_DATE_NONE, NULL);
    if (rnd(5))
      attr(set, id, "team", teams[rnd(4)]);
    snprintf(cw, sizeof cw, "C%u", rnd(7));
    attr(set, id, "caseworker", cw);
    if (rnd(10) == 0)
      continue;
    ehcp_date d = t0 + 20 + (ehcp_date)rnd(40);
    if (rnd(5) == 0) {
      ev_full(set, id, EHCP_EV_ASSESSMENT_DECISION, d, "no", EHCP_DATE_NONE, NULL);
      continue;
    }
    ev_full(set, id, EHCP_EV_ASSESSMENT_DECISION, d, "yes", EHCP_DATE_NONE, NULL);
    for (int a = 0; a < 4; a++) {
      ev_full(set, id, EHCP_EV_ADVICE_REQUESTED, d + 1, advisers[a], EHCP_DATE_NONE, NULL);
      if (rnd(4))
        ev_full(set, id, EHCP_EV_ADVICE_RECEIVED, d + 20 + (ehcp_date)rnd(40), advisers[a],
                EHCP_DATE_NONE, NULL);
    }
    if (rnd(6) == 0)
      ev_full(set, id, EHCP_EV_EXCEPTION, t0 + 30, rnd(2) ? "absence" : "unspecified",
              t0 + 30 + (ehcp_date)rnd(60), NULL);
    if (rnd(5) == 0)
      continue; /* still assessing */
    ehcp_date final = t0 + 90 + (ehcp_date)(rnd(8) ? rnd(200) : rnd(6000));
    ev_full(set, id, EHCP_EV_FINAL_ISSUED, final, NULL, EHCP_DATE_NONE, NULL);
    ehcp_date review = final + 330 + (ehcp_date)rnd(80);
    ev_full(set, id, EHCP_EV_REVIEW_MEETING, review, NULL, EHCP_DATE_NONE, NULL);
    ev_full(set, id, EHCP_EV_REVIEW_DECISION, review + 14 + (ehcp_date)rnd(28),
            rnd(3) ? "maintain" : "amend", EHCP_DATE_NONE, NULL);
    if (rnd(4) == 0)
      ev_full(set, id, EHCP_EV_PHASE_TRANSFER, D("2026-09-01"), "school", EHCP_DATE_NONE, NULL);
  }
}

static int same_rows(const ehcp_measures *a, const ehcp_measures *b) {
  if (ehcp_measures_count(a) != ehcp_measures_count(b) ||
      ehcp_measures_summary_count(a) != ehcp_measures_summary_count(b))
    return 0;
  for (size_t i = 0; i < ehcp_measures_count(a); i++) {
    const struct ehcp_measure_row *x = ehcp_measures_get(a, i), *y = ehcp_measures_get(b, i);
    if (strcmp(x->measure, y->measure) || strcmp(x->period, y->period) ||
        !same_group(x->group, y->group) || x->numerator != y->numerator ||
        x->denominator != y->denominator ||
        (x->percent != y->percent && !(isnan(x->percent) && isnan(y->percent))))
      return 0;
  }
  for (size_t i = 0; i < ehcp_measures_summary_count(a); i++) {
    const struct ehcp_waiting_summary *x = ehcp_measures_summary(a, i);
    const struct ehcp_waiting_summary *y = ehcp_measures_summary(b, i);
    double dx[] = {x->mean_weeks, x->median_weeks, x->p90_weeks, x->longest_weeks,
                   x->open_past_20w_mean_weeks, x->open_past_20w_max_weeks};
    double dy[] = {y->mean_weeks, y->median_weeks, y->p90_weeks, y->longest_weeks,
                   y->open_past_20w_mean_weeks, y->open_past_20w_max_weeks};
    if (!same_group(x->group, y->group) || x->plans != y->plans || x->within_20w != y->within_20w ||
        x->within_52w != y->within_52w || x->over_52w != y->over_52w ||
        x->open_past_20w != y->open_past_20w || x->overdue_reviews != y->overdue_reviews ||
        x->phase_transfers_due != y->phase_transfers_due)
      return 0;
    for (int k = 0; k < 6; k++)
      if (dx[k] != dy[k] && !(isnan(dx[k]) && isnan(dy[k])))
        return 0;
  }
  return 1;
}

static void test_merge_and_compute(void) {
  struct ctx x;
  ctx_init(&x, england(NULL));
  ehcp_case_set *set;
  ehcp_case_set_new(&set);
  mixed_set(set, 3000); /* enough for ehcp_evaluate_set to use several threads */
  ehcp_date as_of = D("2026-01-31");
  const char *by_team[] = {"team"};
  const char *by_two[] = {"team", "caseworker"};
  struct ehcp_measures_options opts[] = {
      {.version = 1, .period = EHCP_PERIOD_MONTH, .from = EHCP_DATE_NONE, .to = EHCP_DATE_NONE},
      {.version = 1, .period = EHCP_PERIOD_QUARTER, .group_by = by_team, .ngroup_by = 1,
       .from = EHCP_DATE_NONE, .to = EHCP_DATE_NONE},
      {.version = 1, .period = EHCP_PERIOD_FY, .group_by = by_two, .ngroup_by = 2,
       .from = D("2023-01-01"), .to = D("2025-06-30")},
  };
  for (size_t k = 0; k < sizeof opts / sizeof *opts; k++) {
    ehcp_measures *all = count(&x, set, as_of, &opts[k]);
    CHECK(ehcp_measures_count(all) > 50);
    /* Three accumulators over interleaved thirds, merged in a scrambled order. */
    ehcp_measures *part[3];
    ehcp_timeline *tl;
    ehcp_timeline_new(&tl);
    for (int p = 0; p < 3; p++)
      CHECK_INT(ehcp_measures_new(&part[p], x.rs, &opts[k]), EHCP_OK);
    int failed = 0;
    for (size_t i = 0; i < ehcp_case_set_count(set); i++) {
      const ehcp_case *c = ehcp_case_set_get(set, i);
      failed |= ehcp_evaluate(tl, x.ev, c, as_of) != EHCP_OK ||
                ehcp_measures_add(part[(i * 7) % 3], c, tl) != EHCP_OK;
    }
    CHECK(!failed);
    ehcp_timeline_free(tl);
    ehcp_measures *merged;
    CHECK_INT(ehcp_measures_new(&merged, x.rs, &opts[k]), EHCP_OK);
    CHECK_INT(ehcp_measures_merge(merged, part[2]), EHCP_OK);
    CHECK_INT(ehcp_measures_merge(part[1], part[0]), EHCP_OK);
    CHECK_INT(ehcp_measures_merge(merged, part[1]), EHCP_OK);
    CHECK(same_rows(all, merged));
    CHECK(!same_rows(all, part[1])); /* the check can tell */
    CHECK_INT(ehcp_measures_merge(merged, merged), EHCP_ERR_INVALID);
    for (int p = 0; p < 3; p++)
      ehcp_measures_free(part[p]);

    /* ehcp_measures_compute on all cores gives the same. */
    ehcp_measures *computed;
    CHECK_INT(ehcp_measures_compute(&computed, x.ev, set, as_of, &opts[k]), EHCP_OK);
    CHECK(same_rows(all, computed));
    ehcp_measures_free(computed);
    ehcp_measures_free(merged);
    ehcp_measures_free(all);
  }
  /* Accumulators of other options do not merge. */
  ehcp_measures *a, *b;
  CHECK_INT(ehcp_measures_new(&a, x.rs, &opts[0]), EHCP_OK);
  CHECK_INT(ehcp_measures_new(&b, x.rs, &opts[1]), EHCP_OK);
  CHECK_INT(ehcp_measures_merge(a, b), EHCP_ERR_INVALID);
  CHECK(strlen(ehcp_measures_errmsg(a)) > 0);
  ehcp_measures_free(a);
  ehcp_measures_free(b);
  ehcp_measures *bad = (ehcp_measures *)1;
  const char *nope[] = {"nope"};
  struct ehcp_measures_options o = opts[0];
  o.measures = nope;
  o.nmeasures = 1;
  CHECK_INT(ehcp_measures_compute(&bad, x.ev, set, as_of, &o), EHCP_ERR_INVALID);
  CHECK_STR(ehcp_measures_errmsg(bad), "unknown measure 'nope'");
  ehcp_measures_free(bad);
  ehcp_case_set_free(set);
  ctx_free(&x);
}

/* Rows stay sorted, and counts current, as cases keep arriving. */
static void test_incremental(void) {
  struct ctx x;
  ctx_init(&x, england(NULL));
  ehcp_case_set *set;
  ehcp_case_set_new(&set);
  add_plan(set, "I1", D("2025-03-10"), 100);
  add_plan(set, "I2", D("2025-01-10"), 200);
  ehcp_measures *m;
  const char *only[] = {"final_20w"};
  struct ehcp_measures_options o = {.version = 1, .period = EHCP_PERIOD_MONTH, .measures = only,
                                    .nmeasures = 1, .from = EHCP_DATE_NONE, .to = EHCP_DATE_NONE};
  CHECK_INT(ehcp_measures_new(&m, x.rs, &o), EHCP_OK);
  ehcp_timeline *tl;
  ehcp_timeline_new(&tl);
  const ehcp_case *c = ehcp_case_set_find(set, "I1");
  ehcp_evaluate(tl, x.ev, c, D("2025-12-31"));
  CHECK_INT(ehcp_measures_add(m, c, tl), EHCP_OK);
  CHECK_STR(ehcp_measures_get(m, 0)->period, "2025-03");
  c = ehcp_case_set_find(set, "I2");
  ehcp_evaluate(tl, x.ev, c, D("2025-12-31"));
  CHECK_INT(ehcp_measures_add(m, c, tl), EHCP_OK);
  CHECK_INT(ehcp_measures_count(m), 2);
  CHECK_STR(ehcp_measures_get(m, 0)->period, "2025-01");
  CHECK(ehcp_measures_get(m, 0)->percent == 0.0);
  CHECK_STR(ehcp_measures_get(m, 1)->period, "2025-03");
  CHECK(ehcp_measures_get(m, 1)->percent == 100.0);
  CHECK_INT(ehcp_measures_add(m, c, tl), EHCP_OK); /* counted twice if added twice */
  CHECK_INT(ehcp_measures_get(m, 0)->denominator, 2);
  ehcp_timeline_free(tl);
  ehcp_measures_free(m);
  ehcp_case_set_free(set);
  ctx_free(&x);
}

int main(void) {
  test_percent();
  test_period_names();
  test_options_errors();
  test_exceptions();
  test_week_counting();
  test_periods();
  test_grouping();
  test_advice();
  test_reviews_and_transfers();
  test_local_targets();
  test_summary();
  test_merge_and_compute();
  test_incremental();
  return check_done("measures");
}
