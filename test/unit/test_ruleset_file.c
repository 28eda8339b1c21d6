/* Rule-set INI files: lib/ruleset_file.c (docs/ruleset-format.md).
 *
 * Fixtures come from $EHCP_TEST_DATA (test/data); the shipped rule sets
 * from $EHCP_TEST_DATA/../../rules. Manual run:
 *   EHCP_TEST_DATA=test/data build-rules/test/test_ruleset_file */
#include "check.h"

#include "case_internal.h"
#include "ruleset_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *data_dir;

static const char *path_of(const char *rel) {
  static char buf[4][1024];
  static int slot;
  char *p = buf[slot++ % 4];
  snprintf(p, sizeof buf[0], "%s/%s", data_dir, rel);
  return p;
}

/* ---- expected values ------------------------------------------------- */

/* Detail bit of a word in a type's vocabulary (checked to exist). */
static uint32_t dbit(int type, const char *word) {
  int i = event_detail_index(type, word);
  CHECK(i > 0);
  return i > 0 ? 1u << i : 0;
}

/* A match list from (type, details) pairs; type 0 ends the list. */
static struct match_list ml(int type, ...) {
  struct match_list l;
  memset(&l, 0, sizeof l);
  va_list ap;
  va_start(ap, type);
  while (type) {
    l.m[l.n].type = (uint8_t)type;
    l.m[l.n].details = va_arg(ap, uint32_t);
    l.n++;
    type = va_arg(ap, int);
  }
  va_end(ap);
  return l;
}

static void check_list(const char *what, const struct match_list *got, const struct match_list *want) {
  int before = check_failures;
  CHECK_INT(got->n, want->n);
  for (int i = 0; i < want->n && i < got->n; i++) {
    CHECK_INT(got->m[i].type, want->m[i].type);
    CHECK_INT(got->m[i].details, want->m[i].details);
  }
  if (check_failures != before) fprintf(stderr, "  ... in list %s\n", what);
}

/* Every field of a parsed milestone. */
static void check_milestone(const struct milestone *got, const struct milestone *want) {
  int before = check_failures;
  CHECK_STR(got->id, want->id);
  CHECK_STR(got->name, want->name);
  CHECK_STR(got->label, want->label);
  CHECK_STR(got->source, want->source);
  CHECK_INT(got->statutory, want->statutory);
  CHECK_INT(got->pairing, want->pairing);
  check_list("start", &got->start, &want->start);
  check_list("end", &got->end, &want->end);
  check_list("cancel", &got->cancel, &want->cancel);
  check_list("restart", &got->restart, &want->restart);
  check_list("until", &got->until, &want->until);
  CHECK_INT(got->amount, want->amount);
  CHECK_INT(got->unit, want->unit);
  CHECK_INT(got->day_one, want->day_one);
  CHECK_INT(got->fixed_month, want->fixed_month);
  CHECK_INT(got->fixed_day, want->fixed_day);
  CHECK_INT(got->exceptions, want->exceptions);
  CHECK_INT(got->window, want->window);
  CHECK_INT(got->stop_clock, want->stop_clock);
  CHECK_INT(got->roll_forward, want->roll_forward);
  CHECK_STR(got->when_attr, want->when_attr);
  CHECK_STR(got->when_value, want->when_value);
  if (check_failures != before) fprintf(stderr, "  ... in milestone %s\n", want->id);
}

/* The milestone with that id, or NULL. */
static const struct milestone *find(const ehcp_ruleset *rs, const char *id) {
  size_t i;
  return ehcp_ruleset_find(&i, rs, id) == EHCP_OK ? &rs->m[i] : NULL;
}

/* The milestone with that id, which must exist. */
static const struct milestone *must_find(const ehcp_ruleset *rs, const char *id) {
  const struct milestone *m = find(rs, id);
  CHECK(m != NULL);
  if (!m) fprintf(stderr, "  ... milestone %s not found\n", id);
  return m;
}

static void check_options(const ehcp_ruleset *rs, const char *wc, const char *clock,
                          const char *window, const char *region) {
  CHECK_STR(ehcp_ruleset_option(rs, "week_counting"), wc);
  CHECK_STR(ehcp_ruleset_option(rs, "review_clock"), clock);
  CHECK_STR(ehcp_ruleset_option(rs, "closure_window_end"), window);
  CHECK_STR(ehcp_ruleset_option(rs, "region"), region);
}

static ehcp_ruleset *new_rs(const char *base) {
  ehcp_ruleset *rs = NULL;
  int rc = ehcp_ruleset_new(&rs, base);
  CHECK_INT(rc, EHCP_OK);
  if (rc != EHCP_OK) {
    fprintf(stderr, "cannot create rule set %s: %s\n", base ? base : "(empty)",
            ehcp_strerror(rc));
    exit(1);
  }
  return rs;
}

/* ---- "rs unchanged after an error" ------------------------------------ */

struct snapshot {
  struct ehcp_ruleset head; /* every scalar, and the milestone pointer */
  struct milestone *m;      /* a byte copy of the milestones */
};

static void snap(struct snapshot *s, const ehcp_ruleset *rs) {
  s->head = *rs;
  s->m = malloc(rs->n * sizeof *rs->m + 1);
  if (rs->n) memcpy(s->m, rs->m, rs->n * sizeof *rs->m);
}

/* Everything but errmsg is as it was. */
static void check_unchanged(struct snapshot *s, const ehcp_ruleset *rs) {
  CHECK_STR(rs->name, s->head.name);
  CHECK(rs->m == s->head.m);
  CHECK_INT(rs->n, s->head.n);
  CHECK_INT(rs->cap, s->head.cap);
  CHECK_INT(rs->week_counting, s->head.week_counting);
  CHECK_INT(rs->review_clock, s->head.review_clock);
  CHECK_INT(rs->window_end_inclusive, s->head.window_end_inclusive);
  CHECK_INT(rs->region, s->head.region);
  CHECK(rs->n == s->head.n && (rs->n == 0 || memcmp(rs->m, s->m, rs->n * sizeof *rs->m) == 0));
  free(s->m);
}

/* A rule set that differs from every default, so that a half-applied
 * load would show. */
static ehcp_ruleset *marked_rs(void) {
  ehcp_ruleset *rs = new_rs("england-2014");
  CHECK_INT(ehcp_ruleset_set_option(rs, "week_counting", "t0_day1"), EHCP_OK);
  CHECK_INT(ehcp_ruleset_set_option(rs, "region", "northern-ireland"), EHCP_OK);
  return rs;
}

/* Load text (its own length) into a marked rule set; expect EHCP_ERR_PARSE,
 * message "t.ini:" want, and the rule set unchanged. */
static void expect_error_at(int line, const char *text, const char *want) {
  ehcp_ruleset *rs = marked_rs();
  struct snapshot s;
  snap(&s, rs);
  int before = check_failures;
  CHECK_INT(ehcp_ruleset_load_string(rs, text, strlen(text), "t.ini"), EHCP_ERR_PARSE);
  char full[600];
  snprintf(full, sizeof full, "t.ini:%s", want);
  CHECK_STR(ehcp_ruleset_errmsg(rs), full);
  check_unchanged(&s, rs);
  if (check_failures != before) fprintf(stderr, "  ... error case at test line %d\n", line);
  ehcp_ruleset_free(rs);
}
#define expect_error(text, want) expect_error_at(__LINE__, text, want)

static void expect_file_error_at(int line, const char *rel, const char *want) {
  ehcp_ruleset *rs = marked_rs();
  struct snapshot s;
  snap(&s, rs);
  int before = check_failures;
  const char *path = path_of(rel);
  CHECK_INT(ehcp_ruleset_load_file(rs, path), EHCP_ERR_PARSE);
  char full[1200];
  snprintf(full, sizeof full, "%s:%s", path, want);
  CHECK_STR(ehcp_ruleset_errmsg(rs), full);
  check_unchanged(&s, rs);
  if (check_failures != before) fprintf(stderr, "  ... fixture %s (test line %d)\n", rel, line);
  ehcp_ruleset_free(rs);
}
#define expect_file_error(rel, want) expect_file_error_at(__LINE__, rel, want)

/* ---- tests -------------------------------------------------------------- */

static void test_match_list(void) {
  struct match_list l;
  const char *why = "unset";
  uint32_t no_wd = dbit(EHCP_EV_ASSESSMENT_DECISION, "no") |
                   dbit(EHCP_EV_ASSESSMENT_DECISION, "withdrawn");

  CHECK_INT(match_list_parse(&l, "final_issued", &why), EHCP_OK);
  struct match_list want = ml(EHCP_EV_FINAL_ISSUED, 0u, 0);
  check_list("final_issued", &l, &want);
  CHECK(why == NULL);

  CHECK_INT(match_list_parse(&l, " assessment_decision : no | withdrawn ,review_clock,"
                                 "advice_received:ep",
                             &why),
            EHCP_OK);
  want = ml(EHCP_EV_ASSESSMENT_DECISION, no_wd, EVENT_REVIEW_CLOCK, 0u, EHCP_EV_ADVICE_RECEIVED,
            dbit(EHCP_EV_ADVICE_RECEIVED, "ep"), 0);
  check_list("three patterns", &l, &want);

  /* Six patterns fit, a seventh does not. */
  CHECK_INT(match_list_parse(&l, "final_issued,final_issued,final_issued,final_issued,"
                                 "final_issued,final_issued",
                             &why),
            EHCP_OK);
  CHECK_INT(l.n, 6);

  static const struct {
    const char *text, *why;
  } bad[] = {
      {"", "no event given"},
      {"  ", "no event given"},
      {"final_issued,", "empty pattern in list"},
      {",final_issued", "empty pattern in list"},
      {"a,b,c,d,e,f,g", "unknown event"},
      {"final_issued,final_issued,final_issued,final_issued,final_issued,final_issued,"
       "final_issued",
       "too many patterns"},
      {"final_issue", "unknown event"},
      {"Final_issued", "unknown event"},
      {":no", "unknown event"},
      {"review_clock:maintain", "detail not allowed"},
      {"final_issued:yes", "detail not allowed"},
      {"plan_ceased:moved", "detail not allowed"},
      {"assessment_decision:", "empty detail"},
      {"assessment_decision:no||withdrawn", "empty detail"},
      {"assessment_decision:maybe", "unknown detail"},
      {"assessment_decision:No", "unknown detail"},
      {"exception:covid19", "unknown detail"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct match_list keep = ml(EHCP_EV_DRAFT_ISSUED, 0u, 0);
    l = keep;
    why = NULL;
    int before = check_failures;
    CHECK_INT(match_list_parse(&l, bad[i].text, &why), EHCP_ERR_PARSE);
    CHECK_STR(why, bad[i].why);
    check_list("untouched on error", &l, &keep);
    if (check_failures != before) fprintf(stderr, "  ... pattern \"%s\"\n", bad[i].text);
  }
  /* why may be NULL. */
  CHECK_INT(match_list_parse(&l, "nope", NULL), EHCP_ERR_PARSE);
  CHECK_INT(match_list_parse(&l, NULL, &why), EHCP_ERR_PARSE);
  CHECK_STR(why, "no event given");
}

static void test_local_targets_example(void) {
  ehcp_ruleset *england = new_rs("england-2014");
  ehcp_ruleset *rs = new_rs(NULL); /* extends = england-2014 fills it */
  CHECK_INT(ehcp_ruleset_load_file(rs, path_of("../../rules/local-targets-example.ini")), EHCP_OK);
  CHECK_STR(ehcp_ruleset_errmsg(rs), "");
  CHECK_STR(ehcp_ruleset_name(rs), "england-2014+local-example");
  CHECK_INT(ehcp_ruleset_count(rs), ehcp_ruleset_count(england) + 5);
  check_options(rs, "t0_plus_7n", "decision", "inclusive", "england-and-wales");

  /* The built-in milestones come first and unchanged. */
  for (size_t i = 0; i < ehcp_ruleset_count(england) && i < ehcp_ruleset_count(rs); i++) {
    CHECK_STR(rs->m[i].id, england->m[i].id);
    check_milestone(&rs->m[i], &england->m[i]);
  }
  CHECK(find(rs, "A5") != NULL);

  const int RR = EHCP_EV_REQUEST_RECEIVED, BA = EHCP_EV_BROUGHT_TO_ATTENTION,
            AD = EHCP_EV_ASSESSMENT_DECISION, ID = EHCP_EV_ISSUE_DECISION;
  uint32_t ad_no_wd = dbit(AD, "no") | dbit(AD, "withdrawn");
  uint32_t id_no_wd = dbit(ID, "no") | dbit(ID, "withdrawn");
  struct milestone w;

  memset(&w, 0, sizeof w);
  strcpy(w.id, "L1");
  strcpy(w.name, "draft_by_week_16");
  strcpy(w.label, "Draft plan by week 16 (local target; no statutory limit for the draft)");
  strcpy(w.source, "local target");
  w.statutory = false;
  w.pairing = PAIR_FIRST;
  w.start = ml(RR, 0u, BA, 0u, 0);
  w.end = ml(EHCP_EV_DRAFT_ISSUED, 0u, 0);
  w.cancel = ml(AD, ad_no_wd, ID, id_no_wd, 0);
  w.amount = 16;
  w.unit = UNIT_WEEKS;
  w.day_one = DAY_ONE_CONVENTION;
  const struct milestone *m = must_find(rs, "L1");
  if (m) check_milestone(m, &w);

  memset(&w, 0, sizeof w);
  strcpy(w.id, "L2");
  strcpy(w.name, "contact_reply_5wd");
  strcpy(w.label, "Reply to a family's or school's query within 5 working days");
  strcpy(w.source, "local target");
  w.pairing = PAIR_REF;
  w.start = ml(EHCP_EV_CONTACT_RECEIVED, 0u, 0);
  w.end = ml(EHCP_EV_CONTACT_RESPONDED, 0u, 0);
  w.amount = 5;
  w.unit = UNIT_WORKING_DAYS;
  if ((m = must_find(rs, "L2"))) check_milestone(m, &w);

  memset(&w, 0, sizeof w);
  strcpy(w.id, "L3");
  strcpy(w.name, "family_update_4w");
  strcpy(w.label, "Update the family at least every 4 weeks while the assessment runs");
  strcpy(w.source, "local target");
  w.pairing = PAIR_REPEAT;
  w.start = ml(RR, 0u, BA, 0u, 0);
  w.end = ml(EHCP_EV_FAMILY_UPDATE, 0u, 0);
  w.restart = ml(EHCP_EV_FAMILY_UPDATE, 0u, 0);
  w.until = ml(EHCP_EV_FINAL_ISSUED, 0u, ID, id_no_wd, AD, ad_no_wd, 0);
  w.amount = 4;
  w.unit = UNIT_WEEKS;
  if ((m = must_find(rs, "L3"))) check_milestone(m, &w);

  memset(&w, 0, sizeof w);
  strcpy(w.id, "L4");
  strcpy(w.name, "review_under_5_6m");
  strcpy(w.label, "Review the plan of a child under 5 every 6 months (CoP 9.178: every 3-6 months)");
  strcpy(w.source, "local target (CoP 9.178)");
  w.pairing = PAIR_REPEAT;
  w.start = ml(EHCP_EV_FINAL_ISSUED, 0u, 0);
  w.end = ml(EVENT_REVIEW_CLOCK, 0u, 0);
  w.restart = ml(EVENT_REVIEW_CLOCK, 0u, 0);
  w.until = ml(EHCP_EV_PLAN_CEASED, 0u, 0);
  w.amount = 6;
  w.unit = UNIT_MONTHS;
  strcpy(w.when_attr, "age_group");
  strcpy(w.when_value, "under_5");
  if ((m = must_find(rs, "L4"))) check_milestone(m, &w);

  memset(&w, 0, sizeof w);
  strcpy(w.id, "L5");
  strcpy(w.name, "final_plan_stop_clock");
  strcpy(w.label,
         "20 weeks, clock stopped for exceptions (local practice, not the statutory due date)");
  strcpy(w.source, "local practice (not reg 13(2))");
  w.statutory = false;
  w.pairing = PAIR_FIRST;
  w.start = ml(RR, 0u, BA, 0u, 0);
  w.end = ml(EHCP_EV_FINAL_ISSUED, 0u, 0);
  w.cancel = ml(AD, ad_no_wd, ID, id_no_wd, 0);
  w.amount = 20;
  w.unit = UNIT_WEEKS;
  w.exceptions = EXC_REG_10_4;
  w.stop_clock = true;
  if ((m = must_find(rs, "L5"))) check_milestone(m, &w);

  /* Order: file order after the built-in ones. */
  size_t n = ehcp_ruleset_count(england);
  const char *ids[] = {"L1", "L2", "L3", "L4", "L5"};
  for (size_t i = 0; i < 5 && n + i < ehcp_ruleset_count(rs); i++) {
    const char *id;
    int statutory = -1;
    CHECK_INT(ehcp_ruleset_milestone(&id, NULL, &statutory, rs, n + i), EHCP_OK);
    CHECK_STR(id, ids[i]);
    CHECK_INT(statutory, 0);
  }
  ehcp_ruleset_free(rs);
  ehcp_ruleset_free(england);
}

static void test_wales(void) {
  ehcp_ruleset *rs = new_rs("england-2014"); /* extends = none empties it */
  CHECK_INT(ehcp_ruleset_set_option(rs, "region", "scotland"), EHCP_OK);
  CHECK_INT(ehcp_ruleset_load_file(rs, path_of("../../rules/wales-2021.ini")), EHCP_OK);
  CHECK_STR(ehcp_ruleset_errmsg(rs), "");
  CHECK_STR(ehcp_ruleset_name(rs), "wales-2021");
  CHECK_INT(ehcp_ruleset_count(rs), 2);
  check_options(rs, "t0_plus_7n", "decision", "inclusive", "england-and-wales");
  CHECK_INT(ehcp_ruleset_region(rs), EHCP_REGION_ENGLAND_AND_WALES);
  CHECK(find(rs, "A5") == NULL);

  const int ID = EHCP_EV_ISSUE_DECISION, AD = EHCP_EV_ASSESSMENT_DECISION;
  uint32_t exc = EXC_BIT(EHCP_EXC_UNSPECIFIED) | EXC_BIT(EHCP_EXC_PERSONAL_CIRCUMSTANCES) |
                 EXC_BIT(EHCP_EXC_ABSENCE);
  struct milestone w;
  memset(&w, 0, sizeof w);
  strcpy(w.id, "W1");
  strcpy(w.name, "school_idp_35_school_days");
  strcpy(w.label, "School decides and gives the IDP, or notice of no ALN, within 35 school days");
  strcpy(w.source, "ALN Code 2021; ALNET Act 2018 ss.11-12");
  w.statutory = true;
  w.pairing = PAIR_FIRST;
  w.start = ml(EHCP_EV_REQUEST_RECEIVED, 0u, EHCP_EV_BROUGHT_TO_ATTENTION, 0u, 0);
  w.end = ml(EHCP_EV_FINAL_ISSUED, 0u, ID, dbit(ID, "no"), 0);
  w.cancel = ml(ID, dbit(ID, "withdrawn"), AD, dbit(AD, "withdrawn"), 0);
  w.amount = 35;
  w.unit = UNIT_WORKING_DAYS;
  w.day_one = DAY_ONE_CONVENTION;
  w.exceptions = exc;
  w.roll_forward = true;
  strcpy(w.when_attr, "responsible");
  strcpy(w.when_value, "school");
  const struct milestone *m = must_find(rs, "W1");
  if (m) check_milestone(m, &w);
  CHECK(m == &rs->m[0]);

  strcpy(w.id, "W2");
  strcpy(w.name, "la_idp_12_weeks");
  strcpy(w.label,
         "Local authority decides and gives the IDP, or notice of no ALN, within 12 weeks");
  strcpy(w.source, "ALN Code 2021; ALNET Act 2018 ss.13-14");
  w.amount = 12;
  w.unit = UNIT_WEEKS;
  w.day_one = DAY_ONE_NO;
  strcpy(w.when_value, "la");
  if ((m = must_find(rs, "W2"))) check_milestone(m, &w);
  ehcp_ruleset_free(rs);
}

/* A valid file with every key and syntax feature. */
static void test_every_key(void) {
  ehcp_ruleset *rs = new_rs("england-2014");
  size_t n = ehcp_ruleset_count(rs);
  CHECK_INT(ehcp_ruleset_load_file(rs, path_of("rules/every-key.ini")), EHCP_OK);
  CHECK_STR(ehcp_ruleset_errmsg(rs), "");
  CHECK_STR(ehcp_ruleset_name(rs), "every-key-test");
  /* no extends: the loaded milestones are added to what rs had */
  CHECK_INT(ehcp_ruleset_count(rs), n + 3);
  check_options(rs, "t0_day1", "meeting", "exclusive", "scotland");
  CHECK_INT(rs->week_counting, WEEKS_T0_DAY1);
  CHECK_INT(rs->review_clock, REVIEW_CLOCK_MEETING);
  CHECK_INT(rs->window_end_inclusive, 0);
  CHECK_INT(rs->region, EHCP_REGION_SCOTLAND);

  const int RR = EHCP_EV_REQUEST_RECEIVED;
  struct milestone w;
  memset(&w, 0, sizeof w);
  strcpy(w.id, "X1");
  strcpy(w.name, "every_key");
  strcpy(w.label, "Every key; set once");
  strcpy(w.source, "test fixture");
  w.statutory = false;
  w.pairing = PAIR_REPEAT;
  w.start = ml(RR, dbit(RR, "parent") | dbit(RR, "setting"), EHCP_EV_BROUGHT_TO_ATTENTION, 0u, 0);
  w.end = ml(EHCP_EV_FINAL_ISSUED, 0u, 0);
  w.restart = ml(EHCP_EV_FAMILY_UPDATE, 0u, EVENT_REVIEW_CLOCK, 0u, 0);
  w.until = ml(EHCP_EV_PLAN_CEASED, 0u, 0);
  w.amount = 10;
  w.unit = UNIT_DAYS;
  w.exceptions = EXC_REG_8_2 | EXC_BIT(EHCP_EXC_SCHOOL_CLOSURE);
  w.day_one = DAY_ONE_YES;
  w.window = true;
  w.stop_clock = true;
  w.roll_forward = true;
  strcpy(w.when_attr, "team");
  strcpy(w.when_value, "North East");
  const struct milestone *m = must_find(rs, "X1");
  if (m) check_milestone(m, &w);
  CHECK(m == &rs->m[n]);

  memset(&w, 0, sizeof w);
  strcpy(w.id, "X2");
  strcpy(w.name, "before_date");
  w.pairing = PAIR_BEFORE;
  w.start = ml(EHCP_EV_PHASE_TRANSFER, dbit(EHCP_EV_PHASE_TRANSFER, "post16"), 0);
  w.end = ml(EHCP_EV_PHASE_TRANSFER_AMENDED, 0u, 0);
  w.unit = UNIT_BEFORE_DATE;
  w.fixed_month = 3;
  w.fixed_day = 31;
  if ((m = must_find(rs, "X2"))) check_milestone(m, &w);

  memset(&w, 0, sizeof w);
  strcpy(w.id, "X3");
  strcpy(w.name, "each_with_cancel");
  w.pairing = PAIR_EACH;
  w.start = ml(EHCP_EV_REVIEW_MEETING, 0u, 0);
  w.end = ml(EHCP_EV_REVIEW_DECISION,
             dbit(EHCP_EV_REVIEW_DECISION, "maintain") | dbit(EHCP_EV_REVIEW_DECISION, "amend"), 0);
  w.cancel = ml(EHCP_EV_ASSESSMENT_DECISION,
                dbit(EHCP_EV_ASSESSMENT_DECISION, "no") |
                    dbit(EHCP_EV_ASSESSMENT_DECISION, "withdrawn"),
                EHCP_EV_ISSUE_DECISION, dbit(EHCP_EV_ISSUE_DECISION, "withdrawn"), 0);
  w.amount = 4;
  w.unit = UNIT_WEEKS;
  if ((m = must_find(rs, "X3"))) check_milestone(m, &w);
  ehcp_ruleset_free(rs);
}

/* A [milestone] with a built-in id replaces it in place. */
static void test_replace_builtin(void) {
  ehcp_ruleset *rs = new_rs("england-2014");
  size_t n = ehcp_ruleset_count(rs), a5;
  CHECK_INT(ehcp_ruleset_find(&a5, rs, "A5"), EHCP_OK);
  CHECK(rs->m[a5].statutory);
  CHECK_INT(rs->m[a5].amount, 20);
  const char *text = "[milestone A5]\n"
                     "name = final_plan_18w\n"
                     "start = request_received\n"
                     "end = final_issued\n"
                     "limit = 18 weeks\n";
  CHECK_INT(ehcp_ruleset_load_string(rs, text, strlen(text), "replace.ini"), EHCP_OK);
  CHECK_STR(ehcp_ruleset_name(rs), "england-2014"); /* no [ruleset]: name kept */
  CHECK_INT(ehcp_ruleset_count(rs), n);
  size_t again;
  CHECK_INT(ehcp_ruleset_find(&again, rs, "A5"), EHCP_OK);
  CHECK_INT(again, a5);
  struct milestone w;
  memset(&w, 0, sizeof w);
  strcpy(w.id, "A5");
  strcpy(w.name, "final_plan_18w");
  w.start = ml(EHCP_EV_REQUEST_RECEIVED, 0u, 0);
  w.end = ml(EHCP_EV_FINAL_ISSUED, 0u, 0);
  w.amount = 18;
  w.unit = UNIT_WEEKS;
  check_milestone(&rs->m[a5], &w); /* nothing of the built-in A5 is left */
  CHECK(find(rs, "A1") != NULL);
  ehcp_ruleset_free(rs);
}

/* [ruleset] keys: options applied to the copy, extends and its forms. */
static void test_ruleset_section(void) {
  ehcp_ruleset *rs = new_rs("england-2014");
  size_t n = ehcp_ruleset_count(rs);
  const char *text = "[ruleset]\n"
                     "name = Council_A.2025+local\n"
                     "review_clock = meeting\n"
                     "region = none\n";
  CHECK_INT(ehcp_ruleset_load_string(rs, text, strlen(text), "opts.ini"), EHCP_OK);
  CHECK_STR(ehcp_ruleset_name(rs), "Council_A.2025+local");
  CHECK_INT(ehcp_ruleset_count(rs), n); /* milestones kept */
  check_options(rs, "t0_plus_7n", "meeting", "inclusive", "none");

  /* extends = england-2014 resets the options and milestones first; the
   * name defaults to the built-in's. */
  text = "[ruleset]\nextends = england-2014\nclosure_window_end = exclusive\n"
         "[milestone Z]\nname = z\nstart = draft_issued\nend = final_issued\nlimit = 3 days\n";
  CHECK_INT(ehcp_ruleset_load_string(rs, text, strlen(text), "ext.ini"), EHCP_OK);
  CHECK_STR(ehcp_ruleset_name(rs), "england-2014");
  CHECK_INT(ehcp_ruleset_count(rs), n + 1);
  check_options(rs, "t0_plus_7n", "decision", "exclusive", "england-and-wales");

  /* extends = none empties it. */
  text = "[ruleset]\nname = empty-set\nextends = none\n";
  CHECK_INT(ehcp_ruleset_load_string(rs, text, strlen(text), "none.ini"), EHCP_OK);
  CHECK_STR(ehcp_ruleset_name(rs), "empty-set");
  CHECK_INT(ehcp_ruleset_count(rs), 0);
  check_options(rs, "t0_plus_7n", "decision", "inclusive", "england-and-wales");
  ehcp_ruleset_free(rs);
}

/* Syntax: CRLF, BOM, continuation, text not NUL-terminated, ':' separator. */
static void test_syntax(void) {
  ehcp_ruleset *rs = new_rs(NULL);
  const char crlf[] = "\xEF\xBB\xBF[milestone C1] ; BOM, CRLF\r\nname = crlf\r\n"
                      "start = request_received,\r\n  brought_to_attention ; comment\r\n"
                      "end = final_issued\r\nlimit = 2 weeks\r\n"
                      "label = x   \r\n"
                      "     y ;c\r\n";
  CHECK_INT(ehcp_ruleset_load_string(rs, crlf, strlen(crlf), "crlf.ini"), EHCP_OK);
  CHECK_STR(ehcp_ruleset_errmsg(rs), "");
  const struct milestone *m = must_find(rs, "C1");
  if (m) {
    CHECK_STR(m->name, "crlf");
    struct match_list want =
        ml(EHCP_EV_REQUEST_RECEIVED, 0u, EHCP_EV_BROUGHT_TO_ATTENTION, 0u, 0);
    check_list("continued start", &m->start, &want);
    CHECK_STR(m->label, "x y");
  }

  /* An indented key right after a header is a key, not a continuation. */
  const char *indented = "[milestone C3]\n  name = c3\nstart = draft_issued\n"
                         "end = final_issued\nlimit = 1 day\n"
                         "[milestone C5]\n  name = c5\nstart = draft_issued\n"
                         "end = final_issued\nlimit = 1 day\n";
  CHECK_INT(ehcp_ruleset_load_string(rs, indented, strlen(indented), "indent.ini"), EHCP_OK);
  CHECK_STR(ehcp_ruleset_errmsg(rs), "");
  if ((m = must_find(rs, "C3"))) {
    CHECK_STR(m->name, "c3");
    CHECK_INT(m->start.n, 1);
    CHECK_INT(m->end.n, 1);
  }
  if ((m = must_find(rs, "C5"))) CHECK_STR(m->name, "c5");
  /* inih's line buffer holds 198 characters; CR LF does not count. */
  char line198[512];
  snprintf(line198, sizeof line198, "[milestone C4]\r\nname = c4\r\nlabel = %0*d\r\n"
           "start = draft_issued\r\nend = final_issued\r\nlimit = 1 day\r\n", 190, 0);
  CHECK_INT(ehcp_ruleset_load_string(rs, line198, strlen(line198), "198.ini"), EHCP_ERR_PARSE);
  CHECK_STR(ehcp_ruleset_errmsg(rs), "198.ini:3: label: longer than 95 bytes"); /* not too long */
  snprintf(line198, sizeof line198, "[milestone C4]\r\nname = c4\r\nlabel = %0*d\r\n", 191, 0);
  CHECK_INT(ehcp_ruleset_load_string(rs, line198, strlen(line198), "199.ini"), EHCP_ERR_PARSE);
  CHECK_STR(ehcp_ruleset_errmsg(rs), "199.ini:3: line longer than 198 characters");
  CHECK_INT(ehcp_ruleset_count(rs), 3);

  /* Only len bytes are read: the rest of the buffer is garbage. */
  const char buf[] = "[milestone C2]\nname = c2\nstart = draft_issued\nend = final_issued\n"
                     "limit = 1 day\nGARBAGE NOT READ";
  size_t len = strlen(buf) - strlen("GARBAGE NOT READ");
  CHECK_INT(ehcp_ruleset_load_string(rs, buf, len, "len.ini"), EHCP_OK);
  CHECK_INT(ehcp_ruleset_count(rs), 4);
  if ((m = must_find(rs, "C2"))) CHECK_INT(m->unit, UNIT_DAYS);

  /* A milestone section with no name after "milestone" but an id, odd
   * spacing, and ids with the characters allowed. */
  const char *text = "[  milestone   B7'-x.y_z  ]\nname = odd\nstart = draft_issued\n"
                     "end = final_issued\nlimit = 0 working_day\n"
                     "exceptions = all\n";
  CHECK_INT(ehcp_ruleset_load_string(rs, text, strlen(text), "odd.ini"), EHCP_OK);
  if ((m = must_find(rs, "B7'-x.y_z"))) {
    CHECK_INT(m->unit, UNIT_WORKING_DAYS);
    CHECK_INT(m->amount, 0);
    uint32_t all = 0;
    for (int k = EHCP_EXC_SCHOOL_CLOSURE; k <= EHCP_EXC_UNSPECIFIED; k++) all |= EXC_BIT(k);
    CHECK_INT(m->exceptions, all);
  }
  /* exceptions = none is the default's value. */
  text = "[milestone N]\nname = n\nstart = draft_issued\nend = final_issued\n"
         "limit = 1 month\nexceptions = none\nstatutory = yes\nday_one = convention\n";
  CHECK_INT(ehcp_ruleset_load_string(rs, text, strlen(text), "none.ini"), EHCP_OK);
  if ((m = must_find(rs, "N"))) {
    CHECK_INT(m->exceptions, 0);
    CHECK_INT(m->statutory, 1);
    CHECK_INT(m->unit, UNIT_MONTHS);
    CHECK_INT(m->day_one, DAY_ONE_CONVENTION);
  }
  /* Longest id, name, label and source fit exactly. */
  char big[1024];
  snprintf(big, sizeof big,
           "[milestone %s]\nname = %s\nlabel = %s\nsource = %s\nstart = draft_issued\n"
           "end = final_issued\nlimit = 1 day\nwhen = %s=%s\n",
           "ABCDEFGHIJKLMNO", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefg",
           "0123456789012345678901234567890123456789012345678901234567890123456789"
           "0123456789012345678901234",
           "01234567890123456789012345678901234567890123456",
           "0123456789012345678901234567890", "é123456789012345678901234567890123456789"
           "0123456789012345678901"); /* é is 2 bytes: 63 in all */
  CHECK_INT(ehcp_ruleset_load_string(rs, big, strlen(big), "big.ini"), EHCP_OK);
  CHECK_STR(ehcp_ruleset_errmsg(rs), "");
  if ((m = must_find(rs, "ABCDEFGHIJKLMNO"))) {
    CHECK_INT(strlen(m->name), 47);
    CHECK_INT(strlen(m->label), 95);
    CHECK_INT(strlen(m->source), 47);
    CHECK_INT(strlen(m->when_attr), 31);
    CHECK_INT(strlen(m->when_value), 63);
  }
  ehcp_ruleset_free(rs);
}

static void test_file_errors(void) {
  expect_file_error("rules/err-unknown-section.ini",
                    "2: unknown section [milestones L1] (expected [ruleset] or [milestone ID])");
  expect_file_error("rules/err-unknown-key.ini", "6: unknown key 'due' in [milestone L1]");
  expect_file_error("rules/err-bad-value.ini",
                    "6: limit: unknown unit 'fortnights' (days, weeks, months or working_days)");
  expect_file_error("rules/err-missing-key.ini", "4: missing required key 'end' in [milestone L1]");
  expect_file_error("rules/err-duplicate-id.ini",
                    "8: duplicate milestone id 'L1' (first at line 2)");
  expect_file_error("rules/err-id-too-long.ini",
                    "2: milestone id 'LOCAL_TARGET_0001' is longer than 15 characters");
  expect_file_error("rules/err-restart-without-repeat.ini",
                    "6: restart: only allowed with pairing = repeat");
  expect_file_error("rules/err-until-without-repeat.ini",
                    "7: until: only allowed with pairing = repeat");
  expect_file_error("rules/err-unknown-event.ini", "4: start: unknown event 'reqest_received'");
  expect_file_error("rules/err-bad-option.ini", "4: region: invalid value 'wales'");
  expect_file_error("rules/err-syntax.ini",
                    "4: expected 'key = value', '[section]' or a comment");

  /* Not found: EHCP_ERR_IO, rs unchanged. */
  ehcp_ruleset *rs = marked_rs();
  struct snapshot s;
  snap(&s, rs);
  const char *path = path_of("rules/no-such-file.ini");
  CHECK_INT(ehcp_ruleset_load_file(rs, path), EHCP_ERR_IO);
  char want[1200];
  snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
  CHECK_STR(ehcp_ruleset_errmsg(rs), want);
  check_unchanged(&s, rs);
  /* A directory opens but cannot be read. */
  snap(&s, rs);
  CHECK_INT(ehcp_ruleset_load_file(rs, data_dir), EHCP_ERR_IO);
  check_unchanged(&s, rs);
  ehcp_ruleset_free(rs);
}

#define MS "[milestone L1]\nname = l1\nstart = request_received\nend = final_issued\n"

static void test_errors(void) {
  /* structure */
  expect_error("", "1: no [ruleset] or [milestone ID] section");
  expect_error("; only\n# comments\n\n", "3: no [ruleset] or [milestone ID] section");
  expect_error("name = x\n[ruleset]\nname = y\n", "1: key 'name' outside a section");
  expect_error("[ruleset]\nname = a\n[ruleset]\nname = b\n",
               "3: duplicate section [ruleset] (first at line 1)");
  expect_error("[ruleset\nname = a\n", "1: section header without a closing ']'");
  expect_error("[ruleset ; ]\nname = a\n", "1: section header without a closing ']'");
  expect_error("[ruleset] name = a\n", "1: text after the section header");
  expect_error("[Ruleset]\nname = a\n",
               "1: unknown section [Ruleset] (expected [ruleset] or [milestone ID])");
  expect_error("[milestoneL1]\n",
               "1: unknown section [milestoneL1] (expected [ruleset] or [milestone ID])");
  expect_error("[milestone]\n", "1: missing milestone id in [milestone]");
  expect_error("[milestone    ]\n", "1: missing milestone id in [milestone]");
  expect_error("[milestone L 1]\n",
               "1: milestone id 'L 1' may only have letters, digits and _ - . '");
  expect_error("[milestone L#1]\n",
               "1: milestone id 'L#1' may only have letters, digits and _ - . '");
  expect_error("[milestone ABCDEFGHIJKLMNOP]\n",
               "1: milestone id 'ABCDEFGHIJKLMNOP' is longer than 15 characters");
  expect_error("[milestone L1]\n", "1: missing required key 'name' in [milestone L1]");
  expect_error("[milestone L1]\nname = a\n\n[milestone L2]\n",
               "1: missing required key 'start' in [milestone L1]");
  expect_error(MS, "1: missing required key 'limit' in [milestone L1]");
  expect_error(MS "limit = 1 day\n" MS "limit = 1 day\n",
               "6: duplicate milestone id 'L1' (first at line 1)");
  expect_error(MS "limit = 1 day\nname = l2\n", "6: duplicate key 'name' in [milestone L1]");
  expect_error(MS "limit = 1 day\nLimit = 2 days\n", "6: unknown key 'Limit' in [milestone L1]");
  expect_error(MS "limit = 1 day\n"
                  "a_very_long_key_name_that_is_not_a_key_at_all = 1\n",
               "6: unknown key 'a_very_long_key_name_that_is_not_a_key_a' in [milestone L1]");
  expect_error(MS "limit = 1 day\nlabel =\n", "6: empty value for 'label' in [milestone L1]");
  expect_error(MS "limit = 1 day\nlabel = ; just a comment\n",
               "6: empty value for 'label' in [milestone L1]");
  expect_error(MS "limit = 1 day\n= x\n", "6: missing key before '='");
  expect_error(MS "limit = 1 day\njust words\n",
               "6: expected 'key = value', '[section]' or a comment");
  /* inih's error (line 2) comes before ours (line 4): the earlier wins. */
  expect_error("[milestone L1]\nbad line\nname = a\nnope = 1\n",
               "2: expected 'key = value', '[section]' or a comment");
  /* Ours first. */
  expect_error("[milestone L1]\nnope = 1\nbad line\n", "2: unknown key 'nope' in [milestone L1]");

  /* [ruleset] */
  expect_error("[ruleset]\nregion = none\n", "1: missing required key 'name' in [ruleset]");
  expect_error("[ruleset]\nextends = none\n", "1: missing required key 'name' in [ruleset]");
  expect_error("[ruleset]\nname = x\nextends = england-2015\n",
               "3: extends: unknown built-in rule set 'england-2015'");
  expect_error("[ruleset]\nname = my council\n",
               "2: name: 'my council' is not 1-63 letters, digits or . _ + -");
  expect_error("[ruleset]\nname = x\nweek_counting = t0\n", "3: week_counting: invalid value 't0'");
  expect_error("[ruleset]\nname = x\nreview_clock = Meeting\n",
               "3: review_clock: invalid value 'Meeting'");
  expect_error("[ruleset]\nname = x\nclosure_window_end = yes\n",
               "3: closure_window_end: invalid value 'yes'");
  expect_error("[ruleset]\nname = x\nlabel = y\n", "3: unknown key 'label' in [ruleset]");
  expect_error("[ruleset]\nname = x\nname = y\n", "3: duplicate key 'name' in [ruleset]");
  /* An error in a milestone after a valid [ruleset] leaves rs unchanged too. */
  expect_error("[ruleset]\nname = x\nextends = none\nregion = scotland\n" MS "limit = 1 yr\n",
               "9: limit: unknown unit 'yr' (days, weeks, months or working_days)");

  /* values */
  expect_error(MS "limit = 1 day\nstatutory = Yes\n", "6: statutory: expected yes or no, got 'Yes'");
  expect_error(MS "limit = 1 day\nwindow = true\n", "6: window: expected yes or no, got 'true'");
  expect_error(MS "limit = 1 day\nroll_forward = 1\n",
               "6: roll_forward: expected yes or no, got '1'");
  expect_error(MS "limit = 1 day\nstop_clock = y\n", "6: stop_clock: expected yes or no, got 'y'");
  expect_error("[milestone L1]\nname = Draft\n",
               "2: name: 'Draft' is not 1-47 lowercase letters, digits or _");
  expect_error("[milestone L1]\nname = abcdefghijabcdefghijabcdefghijabcdefghijabcdefgh\n",
               "2: name: 'abcdefghijabcdefghijabcdefghijabcdefghijabcdefgh' is not 1-47 "
               "lowercase letters, digits or _");
  expect_error(MS "limit = 1 day\nlabel = 0123456789012345678901234567890123456789"
                  "012345678901234567890123456789012345678901234567890123456\n",
               "6: label: longer than 95 bytes");
  expect_error(MS "limit = 1 day\nsource = 0123456789012345678901234567890123456789"
                  "01234567\n",
               "6: source: longer than 47 bytes");
  expect_error(MS "limit = 1 day\nlabel = bad \xff byte\n",
               "6: label: control character or invalid UTF-8");
  expect_error(MS "limit = 1 day\nlabel = tab\there\n",
               "6: label: control character or invalid UTF-8");
  expect_error(MS "limit = 1 day\nsource = overlong \xc0\xaf\n",
               "6: source: control character or invalid UTF-8");
  expect_error("[milestone L1]\nname = l1\nstart = request_received:maybe\n",
               "3: start: unknown detail 'maybe' for event 'request_received'");
  expect_error("[milestone L1]\nname = l1\nend = final_issued:yes\n",
               "3: end: event 'final_issued' has no details to match");
  expect_error("[milestone L1]\nname = l1\ncancel = issue_decision:\n",
               "3: cancel: empty detail in 'issue_decision:'");
  expect_error("[milestone L1]\nname = l1\ncancel = draft_issued,,final_issued\n",
               "3: cancel: empty pattern in list");
  expect_error("[milestone L1]\nname = l1\nstart = review_clock:amend\n",
               "3: start: 'review_clock' takes no detail");
  expect_error("[milestone L1]\nname = l1\nstart = draft_issued,draft_issued,draft_issued,"
               "draft_issued,draft_issued,draft_issued,draft_issued\n",
               "3: start: more than 6 patterns");

  /* limit */
  expect_error(MS "limit = 16\n",
               "5: limit: expected 'N days|weeks|months|working_days' or 'before MM-DD', got '16'");
  expect_error(MS "limit = 16weeks\n",
               "5: limit: expected 'N days|weeks|months|working_days' or 'before MM-DD', got "
               "'16weeks'");
  expect_error(MS "limit = weeks\n",
               "5: limit: expected 'N days|weeks|months|working_days' or 'before MM-DD', got "
               "'weeks'");
  expect_error(MS "limit = +16 weeks\n",
               "5: limit: expected 'N days|weeks|months|working_days' or 'before MM-DD', got "
               "'+16 weeks'");
  expect_error(MS "limit = 16 Weeks\n",
               "5: limit: unknown unit 'Weeks' (days, weeks, months or working_days)");
  expect_error(MS "limit = 10000 days\n", "5: limit: 10000 is more than 9999");
  expect_error(MS "limit = 123456789012345678901234567890 days\n",
               "5: limit: 12345678901234567890 is more than 9999");
  expect_error(MS "limit = -5 months\n", "5: limit: a negative limit needs pairing = before");
  expect_error(MS "limit = before 02-15\n", "5: limit: 'before MM-DD' needs pairing = before");
  expect_error(MS "limit = before 2-15\npairing = before\n",
               "5: limit: expected 'before MM-DD', got 'before 2-15'");
  expect_error(MS "limit = before 02-29\npairing = before\n",
               "5: limit: '02-29' is not a date of every year");
  expect_error(MS "limit = before 13-01\npairing = before\n",
               "5: limit: '13-01' is not a date of every year");
  expect_error(MS "limit = before 04-31\npairing = before\n",
               "5: limit: '04-31' is not a date of every year");
  expect_error(MS "limit = 5 months\npairing = before\n",
               "5: limit: pairing = before needs 'before MM-DD' or a negative limit");

  /* pairing-specific keys */
  expect_error(MS "limit = 1 day\npairing = every\n",
               "6: pairing: expected first, each, ref, repeat or before, got 'every'");
  expect_error(MS "limit = 1 day\npairing = repeat\n", "6: pairing: repeat needs a restart key");
  expect_error(MS "limit = 1 day\nrestart = family_update\npairing = ref\n",
               "6: restart: only allowed with pairing = repeat");
  expect_error(MS "until = plan_ceased\nlimit = 1 day\n",
               "5: until: only allowed with pairing = repeat");
  expect_error(MS "limit = 1 day\npairing = repeat\nrestart = family_update\n"
                  "cancel = plan_ceased\n",
               "8: cancel: only allowed with pairing = first, each or ref");
  expect_error(MS "cancel = plan_ceased\nlimit = before 01-01\npairing = before\n",
               "5: cancel: only allowed with pairing = first, each or ref");
  expect_error(MS "limit = 1 month\nday_one = yes\n",
               "6: day_one: only applies to limits in days or weeks");
  expect_error(MS "limit = 5 working_days\nday_one = no\n",
               "6: day_one: only applies to limits in days or weeks");
  expect_error(MS "limit = 1 day\nday_one = maybe\n",
               "6: day_one: expected convention, yes or no, got 'maybe'");
  expect_error(MS "limit = 1 day\nstop_clock = yes\nexceptions = absence\nstatutory = yes\n",
               "6: stop_clock: a local practice, not allowed with statutory = yes");
  expect_error(MS "limit = 1 day\nstop_clock = yes\n",
               "6: stop_clock: needs exceptions to stop the clock for");

  /* exceptions, when */
  expect_error(MS "limit = 1 day\nexceptions = reg_10_5\n",
               "6: exceptions: unknown exception 'reg_10_5'");
  expect_error(MS "limit = 1 day\nexceptions = none, covid\n",
               "6: exceptions: 'none' cannot be combined with others");
  expect_error(MS "limit = 1 day\nexceptions = covid,\n", "6: exceptions: empty item in list");
  expect_error(MS "limit = 1 day\nwhen = under_5\n",
               "6: when: expected ATTRIBUTE=VALUE, got 'under_5'");
  expect_error(MS "limit = 1 day\nwhen = age_group=\n",
               "6: when: expected ATTRIBUTE=VALUE, got 'age_group='");
  expect_error(MS "limit = 1 day\nwhen = =x\n", "6: when: expected ATTRIBUTE=VALUE, got '=x'");
  expect_error(MS "limit = 1 day\nwhen = 01234567890123456789012345678901=x\n",
               "6: when: attribute longer than 31 or value longer than 63 bytes");
  expect_error(MS "limit = 1 day\nwhen = a=0123456789012345678901234567890123456789"
                  "012345678901234567890123\n",
               "6: when: attribute longer than 31 or value longer than 63 bytes");

  /* raw text */
  static const char nul[] = "[milestone L1]\nname = a\0b\n";
  ehcp_ruleset *rs = marked_rs();
  struct snapshot s;
  snap(&s, rs);
  CHECK_INT(ehcp_ruleset_load_string(rs, nul, sizeof nul - 1, "nul.ini"), EHCP_ERR_PARSE);
  CHECK_STR(ehcp_ruleset_errmsg(rs), "nul.ini:2: NUL byte in the text");
  check_unchanged(&s, rs);
  ehcp_ruleset_free(rs);

  char longline[400];
  snprintf(longline, sizeof longline, "[milestone L1]\nlabel = %0*d\n", 250, 7);
  expect_error(longline, "2: line longer than 198 characters");
}

/* The complete example of docs/ruleset-format.md loads as documented. */
static void test_doc_example(void) {
  const char *path = path_of("../../docs/ruleset-format.md");
  FILE *f = fopen(path, "rb");
  CHECK(f != NULL);
  if (!f) return;
  static char doc[65536];
  size_t n = fread(doc, 1, sizeof doc - 1, f);
  fclose(f);
  doc[n] = '\0';
  const char *anchor = "## A complete example\n\n```ini\n";
  char *b = strstr(doc, anchor), *e = b ? strstr(b + strlen(anchor), "```") : NULL;
  CHECK(b != NULL && e != NULL);
  if (!b || !e) return;
  b += strlen(anchor);
  ehcp_ruleset *rs = new_rs(NULL), *england = new_rs("england-2014");
  CHECK_INT(ehcp_ruleset_load_string(rs, b, (size_t)(e - b), "doc-example"), EHCP_OK);
  CHECK_STR(ehcp_ruleset_errmsg(rs), "");
  CHECK_STR(ehcp_ruleset_name(rs), "my-council-2025");
  CHECK_INT(ehcp_ruleset_count(rs), ehcp_ruleset_count(england) + 6);
  const struct milestone *m;
  if ((m = must_find(rs, "L3"))) CHECK_INT(m->until.n, 3); /* the continued line */
  if ((m = must_find(rs, "B10b"))) {
    CHECK_INT(m->fixed_month, 3);
    CHECK_INT(m->fixed_day, 31);
  }
  ehcp_ruleset_free(rs);
  ehcp_ruleset_free(england);
}

/* Misc API behaviour. */
static void test_api(void) {
  CHECK_INT(ehcp_ruleset_load_string(NULL, "", 0, "x"), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_ruleset_load_file(NULL, "x"), EHCP_ERR_INVALID);
  ehcp_ruleset *rs = new_rs(NULL);
  CHECK_INT(ehcp_ruleset_load_file(rs, NULL), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_ruleset_load_string(rs, NULL, 5, "x"), EHCP_ERR_INVALID);

  /* Source name defaults to "<string>"; a later success clears the message. */
  CHECK_INT(ehcp_ruleset_load_string(rs, "[x]\n", 4, NULL), EHCP_ERR_PARSE);
  CHECK_STR(ehcp_ruleset_errmsg(rs),
            "<string>:1: unknown section [x] (expected [ruleset] or [milestone ID])");
  const char *ok = "[ruleset]\nname = fine\n";
  CHECK_INT(ehcp_ruleset_load_string(rs, ok, strlen(ok), ""), EHCP_OK);
  CHECK_STR(ehcp_ruleset_errmsg(rs), "");
  CHECK_STR(ehcp_ruleset_name(rs), "fine");
  ehcp_ruleset_free(rs);
}

int main(void) {
  data_dir = getenv("EHCP_TEST_DATA");
  if (!data_dir) {
    fprintf(stderr, "EHCP_TEST_DATA is not set (manual run: EHCP_TEST_DATA=test/data)\n");
    return 1;
  }
  test_match_list();
  test_local_targets_example();
  test_wales();
  test_every_key();
  test_replace_builtin();
  test_ruleset_section();
  test_syntax();
  test_file_errors();
  test_errors();
  test_api();
  test_doc_example();
  return check_done("ruleset_file");
}
