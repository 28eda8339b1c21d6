/* Worked scenarios for the evaluator (issue: lifecycle engine), each with
 * dates computed by hand from timescales.md; ids (A5, B7...) are its. */
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
static ehcp_case_set *set;

/* A fresh case set for one scenario. */
static void begin(void) {
  ehcp_case_set_free(set);
  CHECK_INT(ehcp_case_set_new(&set), EHCP_OK);
}

static void add(const char *id, const char *event, const char *date, const char *detail,
                const char *end, const char *ref) {
  int type;
  if (ehcp_event_type_from_name(&type, event, strlen(event)) != EHCP_OK) {
    fprintf(stderr, "bad event in test: %s\n", event);
    exit(2);
  }
  int rc = ehcp_case_set_add_event(set, id, type, D(date), detail, end ? D(end) : EHCP_DATE_NONE,
                                   ref);
  if (rc != EHCP_OK)
    fprintf(stderr, "add %s %s: %s\n", id, event, ehcp_case_set_errmsg(set));
  CHECK_INT(rc, EHCP_OK);
}

static void evaluate(const char *id, const char *as_of) {
  const ehcp_case *c = ehcp_case_set_find(set, id);
  CHECK(c != NULL);
  CHECK_INT(ehcp_evaluate(tl, ev, c, D(as_of)), EHCP_OK);
}

/* The k-th occurrence (0-based) of milestone id in the timeline, or NULL. */
static const struct ehcp_milestone_result *find(const char *id, int k) {
  for (size_t i = 0; i < ehcp_timeline_count(tl); i++) {
    const struct ehcp_milestone_result *r = ehcp_timeline_get(tl, i);
    if (strcmp(r->id, id) == 0 && k-- == 0)
      return r;
  }
  return NULL;
}

/* Check one occurrence: "start due done status days_late days_left exception". */
#define EXPECT(id_, k_, start_, due_, done_, status_, late_, left_, exc_)              \
  do {                                                                                     \
    const struct ehcp_milestone_result *r_ = find(id_, k_);                                \
    CHECK(r_ != NULL);                                                                     \
    if (r_) {                                                                              \
      CHECK_STR(S(r_->start), start_);                                                     \
      CHECK_STR(S(r_->due), due_);                                                         \
      CHECK_STR(S(r_->done), done_);                                                       \
      CHECK_STR(ehcp_status_name(r_->status), status_);                                    \
      CHECK_INT(r_->days_late, late_);                                                     \
      CHECK_INT(r_->days_left, left_);                                                     \
      CHECK_INT(r_->exception, exc_);                                                      \
    }                                                                                      \
  } while (0)
#define NONE EHCP_NO_VALUE

static void use_rules(ehcp_ruleset *rs) {
  ehcp_evaluator_free(ev);
  CHECK_INT(ehcp_evaluator_new(&ev, rs, england), EHCP_OK);
}

static void test_week_conventions(void) {
  /* timescales.md 3.2: received Wed 15 Jan 2025 -> 6 wks 26 Feb, 16 wks
   * 7 May, 20 wks 4 Jun (t0 + 7N); day-1 convention 20 wks Tue 3 Jun. */
  begin();
  add("C1", "request_received", "2025-01-15", "parent", NULL, NULL);
  evaluate("C1", "2025-03-01");
  EXPECT("A1", 0, "2025-01-15", "2025-02-26", "none", "overdue", 3, NONE, 0);
  EXPECT("A3", 0, "2025-01-15", "2025-05-07", "none", "due", NONE, 67, 0);
  EXPECT("A5", 0, "2025-01-15", "2025-06-04", "none", "due", NONE, 95, 0);
  /* Working days in (1 Mar, 4 Jun]: 21 in March, 20 in April (Easter), 20 in
   * May (two bank holidays), 3 in June. */
  CHECK_INT(find("A5", 0)->working_days_left, 64);
  CHECK_INT(ehcp_timeline_stage(tl), EHCP_STAGE_REQUEST);
  size_t next;
  CHECK_INT(ehcp_timeline_next(&next, tl), EHCP_OK);
  CHECK_STR(ehcp_timeline_get(tl, next)->id, "A1");

  ehcp_ruleset *day1;
  CHECK_INT(ehcp_ruleset_new(&day1, "england-2014"), EHCP_OK);
  CHECK_INT(ehcp_ruleset_set_option(day1, "week_counting", "t0_day1"), EHCP_OK);
  use_rules(day1);
  evaluate("C1", "2025-03-01");
  EXPECT("A1", 0, "2025-01-15", "2025-02-25", "none", "overdue", 4, NONE, 0);
  EXPECT("A5", 0, "2025-01-15", "2025-06-03", "none", "due", NONE, 94, 0);
  use_rules(rules);
  ehcp_ruleset_free(day1);

  /* Day 140 and day 141 (t0 + 140 = 4 Jun). */
  add("C1", "assessment_decision", "2025-02-20", "yes", NULL, NULL);
  add("C1", "final_issued", "2025-06-04", NULL, NULL, NULL);
  evaluate("C1", "2025-07-01");
  EXPECT("A1", 0, "2025-01-15", "2025-02-26", "2025-02-20", "met", NONE, NONE, 0);
  EXPECT("A5", 0, "2025-01-15", "2025-06-04", "2025-06-04", "met", NONE, NONE, 0);
  EXPECT("A3", 0, "2025-01-15", "2025-05-07", "none", "not_applicable", NONE, NONE, 0);
  begin();
  add("C2", "request_received", "2025-01-15", NULL, NULL, NULL);
  add("C2", "final_issued", "2025-06-05", NULL, NULL, NULL);
  evaluate("C2", "2025-07-01");
  EXPECT("A5", 0, "2025-01-15", "2025-06-04", "2025-06-05", "missed", 1, NONE, 0);
  CHECK_INT(ehcp_timeline_stage(tl), EHCP_STAGE_PLAN);
}

/* A school whose summer closure runs Wed 23 Jul - Tue 2 Sep 2025 (reopens
 * Wed 3 Sep: R - C = 42 days) and October half-term 27-31 Oct. */
static ehcp_calendar *school_calendar(void) {
  ehcp_calendar_builder *b;
  ehcp_calendar *cal = NULL;
  CHECK_INT(ehcp_calendar_builder_new(&b), EHCP_OK);
  CHECK_INT(ehcp_calendar_builder_set_region(b, EHCP_REGION_ENGLAND_AND_WALES), EHCP_OK);
  CHECK_INT(ehcp_calendar_builder_add_closure(b, D("2025-07-23"), D("2025-09-02"), "Summer"),
            EHCP_OK);
  CHECK_INT(ehcp_calendar_builder_add_closure(b, D("2025-10-27"), D("2025-10-31"), "Half term"),
            EHCP_OK);
  CHECK_INT(ehcp_calendar_build(&cal, b), EHCP_OK);
  ehcp_calendar_builder_free(b);
  return cal;
}

static void test_school_closure(void) {
  ehcp_calendar *school = school_calendar();
  CHECK_INT(ehcp_evaluator_add_setting_calendar(ev, "URN100001", school), EHCP_OK);
  ehcp_calendar_free(school); /* the evaluator keeps what it needs */

  /* Window [C - 7, R - 7] = [16 Jul, 27 Aug] 2025, end inclusive. */
  static const struct {
    const char *requested, *adviser, *ref;
    int exception;
  } cases[] = {
      {"2025-07-16", "education", "URN100001", 1}, /* first day of the window */
      {"2025-07-15", "education", "URN100001", 0}, /* one day early */
      {"2025-08-27", "education", "URN100001", 1}, /* R - 7, inclusive by default */
      {"2025-08-28", "education", "URN100001", 0},
      {"2025-07-16", "health", "URN100001", 0},    /* not a school's advice */
      {"2025-07-16", "education", "URN999999", 0}, /* a school with no calendar */
      {"2025-10-20", "education", "URN100001", 0}, /* half-term: 9 days, never qualifies */
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    begin();
    add("S", "request_received", "2025-06-23", "parent", NULL, NULL);
    add("S", "assessment_decision", "2025-07-10", "yes", NULL, NULL);
    add("S", "advice_requested", cases[i].requested, cases[i].adviser, NULL, cases[i].ref);
    evaluate("S", "2025-12-01");
    /* 23 Jun 2025 + 140 days = 10 Nov 2025. */
    EXPECT("A5", 0, "2025-06-23", "2025-11-10", "none", "overdue", 21, NONE, cases[i].exception);
    CHECK_INT(find("A5", 0)->exception_kind, cases[i].exception ? EHCP_EXC_SCHOOL_CLOSURE : 0);
    /* Advice (A2) never takes the school-closure exception. */
    CHECK_INT(find("A2", 0)->exception, 0);
  }

  /* With the window end exclusive, R - 7 itself is outside. */
  ehcp_ruleset *excl;
  CHECK_INT(ehcp_ruleset_new(&excl, "england-2014"), EHCP_OK);
  CHECK_INT(ehcp_ruleset_set_option(excl, "closure_window_end", "exclusive"), EHCP_OK);
  ehcp_evaluator *ev2;
  CHECK_INT(ehcp_evaluator_new(&ev2, excl, england), EHCP_OK);
  school = school_calendar();
  CHECK_INT(ehcp_evaluator_add_setting_calendar(ev2, "URN100001", school), EHCP_OK);
  ehcp_calendar_free(school);
  begin();
  add("S", "request_received", "2025-06-23", "parent", NULL, NULL);
  add("S", "advice_requested", "2025-08-27", "education", NULL, "URN100001");
  CHECK_INT(ehcp_evaluate(tl, ev2, ehcp_case_set_find(set, "S"), D("2025-12-01")), EHCP_OK);
  CHECK_INT(find("A5", 0)->exception, 0);
  ehcp_evaluator_free(ev2);
  ehcp_ruleset_free(excl);
}

static void test_absence_and_appointments(void) {
  /* (d) needs one continuous absence of 28+ days: 3-29 Mar is 27 days. */
  begin();
  add("A", "request_received", "2025-01-15", NULL, NULL, NULL);
  add("A", "exception", "2025-03-03", "absence", "2025-03-29", NULL);
  evaluate("A", "2025-06-10");
  EXPECT("A5", 0, "2025-01-15", "2025-06-04", "none", "overdue", 6, NONE, 0);
  begin();
  add("A", "request_received", "2025-01-15", NULL, NULL, NULL);
  add("A", "exception", "2025-03-03", "absence", "2025-03-30", NULL); /* 28 days */
  evaluate("A", "2025-06-10");
  EXPECT("A5", 0, "2025-01-15", "2025-06-04", "none", "overdue", 6, NONE, 1);
  CHECK_INT(find("A5", 0)->exception_kind, EHCP_EXC_ABSENCE);
  /* The exception switches the limit off; it does not move the due date. */
  CHECK_STR(S(find("A5", 0)->due), "2025-06-04");

  /* A missed appointment excuses advice (reg 8(2)) but not the 20 weeks. */
  begin();
  add("M", "request_received", "2025-01-15", NULL, NULL, NULL);
  add("M", "assessment_decision", "2025-02-10", "yes", NULL, NULL);
  add("M", "advice_requested", "2025-02-11", "ep", NULL, NULL);
  add("M", "advice_requested", "2025-02-11", "health", NULL, NULL);
  add("M", "exception", "2025-03-05", "appointment_missed", "2025-03-05", NULL);
  add("M", "advice_received", "2025-03-20", "health", NULL, NULL);
  evaluate("M", "2025-04-01");
  EXPECT("A2", 0, "2025-02-11", "2025-03-25", "none", "overdue", 7, NONE, 1);             /* ep */
  EXPECT("A2", 1, "2025-02-11", "2025-03-25", "2025-03-20", "met", NONE, NONE, 1); /* health */
  CHECK_INT(find("A2", 0)->exception_kind, EHCP_EXC_APPOINTMENT_MISSED);
  EXPECT("A5", 0, "2025-01-15", "2025-06-04", "none", "due", NONE, 64, 0);
  CHECK_INT(ehcp_timeline_stage(tl), EHCP_STAGE_ASSESSMENT);
}

static void test_draft_window(void) {
  /* A4: at least 15 days beginning with the day served: served 1 May ->
   * last day 15 May; the final must come after it. */
  begin();
  add("W", "request_received", "2025-01-15", NULL, NULL, NULL);
  add("W", "draft_issued", "2025-05-01", NULL, NULL, NULL);
  evaluate("W", "2025-05-10");
  EXPECT("A4", 0, "2025-05-01", "2025-05-15", "none", "due", NONE, 5, 0);
  CHECK_INT(ehcp_timeline_stage(tl), EHCP_STAGE_DRAFT);
  add("W", "final_issued", "2025-05-15", NULL, NULL, NULL);
  evaluate("W", "2025-06-01");
  EXPECT("A4", 0, "2025-05-01", "2025-05-15", "2025-05-15", "missed", NONE, NONE, 0);
  begin();
  add("W", "request_received", "2025-01-15", NULL, NULL, NULL);
  add("W", "draft_issued", "2025-05-01", NULL, NULL, NULL);
  add("W", "final_issued", "2025-05-16", NULL, NULL, NULL);
  evaluate("W", "2025-06-01");
  EXPECT("A4", 0, "2025-05-01", "2025-05-15", "2025-05-16", "met", NONE, NONE, 0);
}

static void test_not_to_issue(void) {
  begin();
  add("N", "request_received", "2025-01-15", NULL, NULL, NULL);
  add("N", "assessment_decision", "2025-02-20", "yes", NULL, NULL);
  add("N", "issue_decision", "2025-05-08", "no", NULL, NULL);
  evaluate("N", "2025-06-30");
  EXPECT("A3", 0, "2025-01-15", "2025-05-07", "2025-05-08", "missed", 1, NONE, 0);
  EXPECT("A5", 0, "2025-01-15", "2025-06-04", "none", "not_applicable", NONE, NONE, 0);
  CHECK_INT(ehcp_timeline_stage(tl), EHCP_STAGE_NOT_ISSUED);
  CHECK_INT(ehcp_timeline_next(NULL, tl), EHCP_ERR_NOT_FOUND);

  begin();
  add("R", "request_received", "2025-01-15", NULL, NULL, NULL);
  add("R", "assessment_decision", "2025-02-20", "no", NULL, NULL);
  evaluate("R", "2025-06-30");
  EXPECT("A1", 0, "2025-01-15", "2025-02-26", "2025-02-20", "met", NONE, NONE, 0);
  EXPECT("A5", 0, "2025-01-15", "2025-06-04", "none", "not_applicable", NONE, NONE, 0);
  CHECK_INT(ehcp_timeline_stage(tl), EHCP_STAGE_NOT_ASSESSED);
}

static void test_annual_reviews(void) {
  /* IPSEA: meeting 1 Nov 2024, decision due 29 Nov, sent 25 Nov -> next
   * review due by 25 Nov 2025 (review clock restarts at the decision). */
  begin();
  add("R", "final_issued", "2023-12-01", NULL, NULL, NULL);
  add("R", "review_meeting", "2024-11-01", NULL, NULL, NULL);
  add("R", "review_decision", "2024-11-25", "maintain", NULL, NULL);
  evaluate("R", "2025-01-10");
  EXPECT("B1", 0, "2023-12-01", "2024-12-01", "2024-11-25", "met", NONE, NONE, 0);
  EXPECT("B1", 1, "2024-11-25", "2025-11-25", "none", "due", NONE, 319, 0);
  EXPECT("B5", 0, "2024-11-01", "2024-11-29", "2024-11-25", "met", NONE, NONE, 0);
  EXPECT("B4", 0, "2024-11-01", "2024-11-15", "none", "overdue", 56, NONE, 0);
  EXPECT("B7'", 0, "2024-11-01", "2025-01-24", "none", "not_applicable", NONE, NONE, 0);
  CHECK_INT(ehcp_timeline_stage(tl), EHCP_STAGE_PLAN);

  ehcp_ruleset *meeting;
  CHECK_INT(ehcp_ruleset_new(&meeting, "england-2014"), EHCP_OK);
  CHECK_INT(ehcp_ruleset_set_option(meeting, "review_clock", "meeting"), EHCP_OK);
  use_rules(meeting);
  evaluate("R", "2025-01-10");
  EXPECT("B1", 0, "2023-12-01", "2024-12-01", "2024-11-01", "met", NONE, NONE, 0);
  EXPECT("B1", 1, "2024-11-01", "2025-11-01", "none", "due", NONE, 295, 0);
  use_rules(rules);
  ehcp_ruleset_free(meeting);

  /* Month ends and leap years: a plan of 29 Feb 2024 is due for review by
   * 28 Feb 2025; overdue from 1 Mar. */
  begin();
  add("L", "final_issued", "2024-02-29", NULL, NULL, NULL);
  evaluate("L", "2025-03-03");
  EXPECT("B1", 0, "2024-02-29", "2025-02-28", "none", "overdue", 3, NONE, 0);
  begin();
  add("L", "final_issued", "2024-01-31", NULL, NULL, NULL);
  add("L", "review_decision", "2025-01-31", "maintain", NULL, NULL);
  add("L", "plan_ceased", "2025-06-30", "moved_away", NULL, NULL);
  evaluate("L", "2026-03-01");
  EXPECT("B1", 0, "2024-01-31", "2025-01-31", "2025-01-31", "met", NONE, NONE, 0);
  /* Ceased before the next review fell due: the obligation lapsed. */
  EXPECT("B1", 1, "2025-01-31", "2026-01-31", "none", "not_applicable", NONE, NONE, 0);
  CHECK_INT(ehcp_timeline_stage(tl), EHCP_STAGE_CEASED);
}

static void test_amendment(void) {
  /* Meeting Mon 6 Jan 2025; proposed amendments sent 31 Jan (B5: due 3 Feb);
   * final amended plan 28 Mar: B7 8 weeks from 31 Jan = 28 Mar (met on the
   * day); B7' 12 weeks from 6 Jan = 31 Mar. */
  begin();
  add("X", "final_issued", "2024-03-01", NULL, NULL, NULL);
  add("X", "review_meeting", "2025-01-06", NULL, NULL, NULL);
  add("X", "review_report", "2025-01-17", NULL, NULL, NULL);
  add("X", "review_decision", "2025-01-31", "amend", NULL, NULL);
  add("X", "review_draft", "2025-01-31", NULL, NULL, NULL);
  evaluate("X", "2025-03-01");
  CHECK_INT(ehcp_timeline_stage(tl), EHCP_STAGE_REVIEW);
  EXPECT("B7", 0, "2025-01-31", "2025-03-28", "none", "due", NONE, 27, 0);
  add("X", "review_final", "2025-03-28", NULL, NULL, NULL);
  evaluate("X", "2025-04-01");
  EXPECT("B4", 0, "2025-01-06", "2025-01-20", "2025-01-17", "met", NONE, NONE, 0);
  EXPECT("B5", 0, "2025-01-06", "2025-02-03", "2025-01-31", "met", NONE, NONE, 0);
  EXPECT("B7", 0, "2025-01-31", "2025-03-28", "2025-03-28", "met", NONE, NONE, 0);
  EXPECT("B7'", 0, "2025-01-06", "2025-03-31", "2025-03-28", "met", NONE, NONE, 0);
  CHECK_INT(ehcp_timeline_stage(tl), EHCP_STAGE_PLAN);
}

static void test_phase_transfer(void) {
  /* Before 15 February of the transfer year: last day 14 Feb 2026, a
   * Saturday, with no roll-forward (3.4). */
  begin();
  add("P", "final_issued", "2020-06-01", NULL, NULL, NULL);
  add("P", "phase_transfer", "2026-09-01", "school", NULL, NULL);
  add("P", "phase_transfer_amended", "2026-02-16", NULL, NULL, NULL);
  evaluate("P", "2026-03-01");
  EXPECT("B9", 0, "2026-09-01", "2026-02-14", "2026-02-16", "missed", 2, NONE, 0);
  begin();
  add("P", "phase_transfer", "2026-09-01", "school", NULL, NULL);
  add("P", "phase_transfer_amended", "2026-02-13", NULL, NULL, NULL);
  evaluate("P", "2026-03-01");
  EXPECT("B9", 0, "2026-09-01", "2026-02-14", "2026-02-13", "met", NONE, NONE, 0);
  /* A planned transfer after the as-of date still counts. */
  begin();
  add("P", "phase_transfer", "2026-09-01", "post16", NULL, NULL);
  add("P", "phase_transfer", "2027-01-04", "post16_other", NULL, NULL);
  evaluate("P", "2026-01-05");
  EXPECT("B10", 0, "2026-09-01", "2026-03-30", "none", "due", NONE, 84, 0);
  EXPECT("B11", 0, "2027-01-04", "2026-08-04", "none", "due", NONE, 211, 0);
  evaluate("P", "2026-03-31");
  EXPECT("B10", 0, "2026-09-01", "2026-03-30", "none", "overdue", 1, NONE, 0);
}

static void test_local_targets(void) {
  static const char local[] =
      "[ruleset]\n"
      "name = test-local\n"
      "extends = england-2014\n"
      "[milestone L2]\n"
      "name = contact_reply\n"
      "start = contact_received\n"
      "end = contact_responded\n"
      "pairing = ref\n"
      "limit = 5 working_days\n"
      "[milestone L5]\n"
      "name = final_plan_stop_clock\n"
      "label = 20 weeks with the clock stopped (local practice)\n"
      "start = request_received\n"
      "end = final_issued\n"
      "limit = 20 weeks\n"
      "exceptions = reg_10_4\n"
      "stop_clock = yes\n";
  ehcp_ruleset *rs;
  CHECK_INT(ehcp_ruleset_new(&rs, NULL), EHCP_OK);
  int rc = ehcp_ruleset_load_string(rs, local, sizeof local - 1, "local.ini");
  if (rc != EHCP_OK)
    fprintf(stderr, "%s\n", ehcp_ruleset_errmsg(rs));
  CHECK_INT(rc, EHCP_OK);
  CHECK_STR(ehcp_ruleset_name(rs), "test-local");
  use_rules(rs);
  /* Contact on Thu 17 Apr 2025, before Good Friday and Easter Monday: the
   * 5th working day after is Mon 28 Apr. */
  begin();
  add("T", "request_received", "2025-01-15", NULL, NULL, NULL);
  add("T", "contact_received", "2025-04-17", NULL, NULL, "Q1");
  add("T", "contact_received", "2025-04-17", NULL, NULL, "Q2");
  add("T", "contact_responded", "2025-04-29", NULL, NULL, "Q2");
  add("T", "contact_responded", "2025-04-28", NULL, NULL, "Q1");
  add("T", "exception", "2025-03-03", "absence", "2025-03-30", NULL);
  evaluate("T", "2025-05-01");
  EXPECT("L2", 0, "2025-04-17", "2025-04-28", "2025-04-28", "met", NONE, NONE, 0);
  EXPECT("L2", 1, "2025-04-17", "2025-04-28", "2025-04-29", "missed", 1, NONE, 0);
  CHECK_STR(find("L2", 1)->ref, "Q2");
  /* Stop the clock: 4 Jun + 28 days of absence = 2 Jul; the statutory A5
   * keeps 4 Jun. */
  EXPECT("L5", 0, "2025-01-15", "2025-07-02", "none", "due", NONE, 62, 1);
  EXPECT("A5", 0, "2025-01-15", "2025-06-04", "none", "due", NONE, 34, 1);
  use_rules(rules);
  ehcp_ruleset_free(rs);
}

static void test_covid(void) {
  begin();
  add("V", "request_received", "2020-03-02", NULL, NULL, NULL);
  add("V", "exception", "2020-05-01", "covid", "2020-09-25", NULL);
  add("V", "final_issued", "2020-08-03", NULL, NULL, NULL);
  evaluate("V", "2020-12-31");
  EXPECT("A5", 0, "2020-03-02", "2020-07-20", "2020-08-03", "missed", 14, NONE, 1);
  CHECK_INT(find("A5", 0)->exception_kind, EHCP_EXC_COVID);
}

static void test_events_after_as_of_ignored(void) {
  begin();
  add("F", "request_received", "2025-01-15", NULL, NULL, NULL);
  add("F", "assessment_decision", "2025-03-10", "yes", NULL, NULL);
  evaluate("F", "2025-03-01");
  EXPECT("A1", 0, "2025-01-15", "2025-02-26", "none", "overdue", 3, NONE, 0);
  CHECK_INT(ehcp_timeline_stage(tl), EHCP_STAGE_REQUEST);
  CHECK(ehcp_timeline_as_of(tl) == D("2025-03-01"));
}

static int count_cases(const ehcp_case *c, const ehcp_timeline *t, void *payload) {
  (void)c;
  size_t *n = payload;
  n[0]++;
  n[1] += ehcp_timeline_count(t);
  return 0;
}

static void test_evaluate_set_threads(void) {
  begin();
  char id[32];
  for (int i = 0; i < 20000; i++) {
    snprintf(id, sizeof id, "K%05d", i);
    ehcp_date t0 = D("2024-01-01") + i % 500;
    ehcp_case_set_add_event(set, id, EHCP_EV_REQUEST_RECEIVED, t0, NULL, EHCP_DATE_NONE, NULL);
    if (i % 3)
      ehcp_case_set_add_event(set, id, EHCP_EV_FINAL_ISSUED, t0 + 100 + i % 90, NULL,
                              EHCP_DATE_NONE, NULL);
  }
  size_t one[2] = {0, 0}, four[2] = {0, 0};
  CHECK_INT(ehcp_evaluate_set(ev, set, D("2026-01-01"), 1, count_cases, one), EHCP_OK);
  CHECK_INT(ehcp_evaluate_set(ev, set, D("2026-01-01"), 4, count_cases, four), EHCP_OK);
  CHECK_INT(one[0], 20000);
  CHECK_INT(four[0], 20000);
  /* Each case: A1, A3, A5; those with a plan (all issued by the as-of date) also B1. */
  CHECK_INT(one[1], 20000 * 3 + 13333);
  CHECK_INT(four[1], one[1]);
}

int main(void) {
  ehcp_calendar_builder *b;
  CHECK_INT(ehcp_calendar_builder_new(&b), EHCP_OK);
  CHECK_INT(ehcp_calendar_builder_set_region(b, EHCP_REGION_ENGLAND_AND_WALES), EHCP_OK);
  CHECK_INT(ehcp_calendar_build(&england, b), EHCP_OK);
  ehcp_calendar_builder_free(b);
  int rc = ehcp_ruleset_new(&rules, "england-2014");
  if (rc != EHCP_OK)
    fprintf(stderr, "england-2014: %s\n", ehcp_ruleset_errmsg(rules));
  CHECK_INT(rc, EHCP_OK);
  CHECK_INT(ehcp_timeline_new(&tl), EHCP_OK);
  use_rules(rules);

  test_week_conventions();
  test_school_closure();
  test_absence_and_appointments();
  test_draft_window();
  test_not_to_issue();
  test_annual_reviews();
  test_amendment();
  test_phase_transfer();
  test_local_targets();
  test_covid();
  test_events_after_as_of_ignored();
  test_evaluate_set_threads();

  ehcp_case_set_free(set);
  ehcp_timeline_free(tl);
  ehcp_evaluator_free(ev);
  ehcp_ruleset_free(rules);
  ehcp_calendar_free(england);
  return check_done("timeline");
}
