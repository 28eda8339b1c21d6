/* Tests of the diagnostics list (lib/diagnostic.c) and case validation
 * (lib/validate.c): every validation code 100-108 with its exact severity,
 * location, case id and message; clean cases that must produce nothing; and
 * the list API itself. Cases are built through the public case-set API. */
#include "check.h"

#include "ehcp/case.h"
#include "ehcp/diagnostic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SRC "events.csv"

static ehcp_date day(const char *iso) {
  ehcp_date d = EHCP_DATE_NONE;
  int rc = ehcp_date_parse(&d, iso, strlen(iso), NULL);
  if (rc != EHCP_OK) {
    fprintf(stderr, "test bug: bad date %s\n", iso);
    check_failures++;
  }
  return d;
}

/* Add one event at a source line; a failure to add is a test failure. */
static void ev(ehcp_case_set *set, const char *id, int type, const char *date, const char *detail,
               const char *end, const char *ref, uint32_t line) {
  int rc = ehcp_case_set_add_event_at(set, id, type, day(date), detail,
                                      end ? day(end) : EHCP_DATE_NONE, ref, line);
  if (rc != EHCP_OK) {
    fprintf(stderr, "test bug: cannot add %s line %u: %s\n", id, (unsigned)line,
            ehcp_case_set_errmsg(set));
    check_failures++;
  }
}

/* Clear d and validate case id of set as of as_of ("" = EHCP_DATE_NONE). */
static void run(ehcp_diagnostics *d, const ehcp_case_set *set, const char *id, const char *as_of) {
  ehcp_diagnostics_clear(d);
  const ehcp_case *c = ehcp_case_set_find(set, id);
  CHECK(c != NULL);
  if (c)
    CHECK_INT(ehcp_validate_case(d, c, *as_of ? day(as_of) : EHCP_DATE_NONE), EHCP_OK);
}

static void expect_at(int from, const ehcp_diagnostics *d, size_t index, int severity, int code,
                      const char *code_name, const char *source, uint32_t line,
                      const char *case_id, const char *message) {
  int before = check_failures;
  const struct ehcp_diagnostic *x = ehcp_diagnostics_get(d, index);
  CHECK(x != NULL);
  if (x) {
    CHECK_INT(x->severity, severity);
    CHECK_INT(x->code, code);
    CHECK_STR(ehcp_diag_code_name(x->code), code_name);
    if (source)
      CHECK_STR(x->source, source);
    else
      CHECK(x->source == NULL);
    CHECK_INT(x->line, line);
    CHECK(x->path == NULL);
    CHECK_STR(x->case_id, case_id);
    CHECK_STR(x->message, message);
  }
  if (check_failures != before)
    fprintf(stderr, "  ^ diagnostic %zu as expected at %s:%d\n", index, __FILE__, from);
}
#define EXPECT(...) expect_at(__LINE__, __VA_ARGS__)

#define E EHCP_SEVERITY_ERROR
#define W EHCP_SEVERITY_WARNING

/* ---- the diagnostics list ------------------------------------------------ */

static void test_list(void) {
  ehcp_diagnostics *d = NULL;
  CHECK_INT(ehcp_diagnostics_new(NULL), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_diagnostics_new(&d), EHCP_OK);
  CHECK(d != NULL);
  if (!d)
    return;

  CHECK_INT(ehcp_diagnostics_count(d), 0);
  CHECK(ehcp_diagnostics_get(d, 0) == NULL);
  for (int s = EHCP_SEVERITY_ERROR; s <= EHCP_SEVERITY_NOTE; s++)
    CHECK_INT(ehcp_diagnostics_count_severity(d, s), 0);

  /* Rejected additions leave the list unchanged. */
  CHECK_INT(ehcp_diagnostics_add(NULL, E, 200, "a.csv", 1, NULL, "C1", "m"), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_diagnostics_add(d, E, 200, "a.csv", 1, NULL, "C1", NULL), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_diagnostics_add(d, 0, 200, "a.csv", 1, NULL, "C1", "m"), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_diagnostics_add(d, 4, 200, "a.csv", 1, NULL, "C1", "m"), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_diagnostics_add(d, -1, 200, "a.csv", 1, NULL, "C1", "m"), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_diagnostics_count(d), 0);

  /* Strings are copied: the caller's buffers may change afterwards. */
  char source[] = "a.csv", path[] = "Message/Persons[3]/Requests[1]/ReceivedDate",
       id[] = "C1", message[] = "bad date '2025-02-30'";
  CHECK_INT(ehcp_diagnostics_add(d, E, EHCP_DIAG_BAD_DATE, source, 7, NULL, id, message),
            EHCP_OK);
  CHECK_INT(ehcp_diagnostics_add(d, W, EHCP_DIAG_REFERENCE_DATE, NULL, 0, path, NULL, "w"),
            EHCP_OK);
  /* Codes are not checked (applications add their own); "" is a message. */
  CHECK_INT(ehcp_diagnostics_add(d, EHCP_SEVERITY_NOTE, 9000, NULL, 0, NULL, NULL, ""), EHCP_OK);
  memset(source, 'x', sizeof source - 1);
  memset(path, 'x', sizeof path - 1);
  memset(id, 'x', sizeof id - 1);
  memset(message, 'x', sizeof message - 1);

  CHECK_INT(ehcp_diagnostics_count(d), 3);
  const struct ehcp_diagnostic *x = ehcp_diagnostics_get(d, 0);
  CHECK(x != NULL);
  if (x) {
    CHECK_INT(x->severity, E);
    CHECK_INT(x->code, 200);
    CHECK_STR(x->source, "a.csv");
    CHECK_INT(x->line, 7);
    CHECK(x->path == NULL);
    CHECK_STR(x->case_id, "C1");
    CHECK_STR(x->message, "bad date '2025-02-30'");
  }
  x = ehcp_diagnostics_get(d, 1);
  CHECK(x != NULL);
  if (x) {
    CHECK_INT(x->severity, W);
    CHECK_INT(x->code, EHCP_DIAG_REFERENCE_DATE);
    CHECK(x->source == NULL);
    CHECK_INT(x->line, 0);
    CHECK_STR(x->path, "Message/Persons[3]/Requests[1]/ReceivedDate");
    CHECK(x->case_id == NULL);
    CHECK_STR(x->message, "w");
  }
  x = ehcp_diagnostics_get(d, 2);
  CHECK(x != NULL);
  if (x) {
    CHECK_INT(x->severity, EHCP_SEVERITY_NOTE);
    CHECK_INT(x->code, 9000);
    CHECK_STR(x->message, "");
  }
  CHECK(ehcp_diagnostics_get(d, 3) == NULL);
  CHECK(ehcp_diagnostics_get(d, (size_t)-1) == NULL);
  CHECK_INT(ehcp_diagnostics_count_severity(d, E), 1);
  CHECK_INT(ehcp_diagnostics_count_severity(d, W), 1);
  CHECK_INT(ehcp_diagnostics_count_severity(d, EHCP_SEVERITY_NOTE), 1);
  CHECK_INT(ehcp_diagnostics_count_severity(d, 0), 0);
  CHECK_INT(ehcp_diagnostics_count_severity(d, 4), 0);

  /* NULL lists read as empty. */
  CHECK_INT(ehcp_diagnostics_count(NULL), 0);
  CHECK_INT(ehcp_diagnostics_count_severity(NULL, E), 0);
  CHECK(ehcp_diagnostics_get(NULL, 0) == NULL);

  /* A returned pointer survives the list growing. */
  const struct ehcp_diagnostic *first = ehcp_diagnostics_get(d, 0);
  int rc = EHCP_OK;
  for (int i = 0; i < 1000 && rc == EHCP_OK; i++) {
    char m[32];
    snprintf(m, sizeof m, "n%d", i);
    rc = ehcp_diagnostics_add(d, i % 2 ? W : E, EHCP_DIAG_COLUMN_COUNT, "big.csv",
                              (uint32_t)i + 2, NULL, NULL, m);
  }
  CHECK_INT(rc, EHCP_OK);
  CHECK_INT(ehcp_diagnostics_count(d), 1003);
  CHECK(ehcp_diagnostics_get(d, 0) == first);
  CHECK_STR(first->message, "bad date '2025-02-30'");
  CHECK_INT(ehcp_diagnostics_count_severity(d, E), 501);
  CHECK_INT(ehcp_diagnostics_count_severity(d, W), 501);
  x = ehcp_diagnostics_get(d, 1002);
  CHECK(x != NULL);
  if (x) {
    CHECK_STR(x->message, "n999");
    CHECK_INT(x->line, 1001);
    CHECK_STR(x->source, "big.csv");
  }

  /* Clearing empties the list, which stays usable. */
  ehcp_diagnostics_clear(d);
  ehcp_diagnostics_clear(NULL);
  CHECK_INT(ehcp_diagnostics_count(d), 0);
  CHECK(ehcp_diagnostics_get(d, 0) == NULL);
  for (int s = EHCP_SEVERITY_ERROR; s <= EHCP_SEVERITY_NOTE; s++)
    CHECK_INT(ehcp_diagnostics_count_severity(d, s), 0);
  CHECK_INT(ehcp_diagnostics_add(d, W, EHCP_DIAG_EMPTY_FILE, "e.csv", 0, NULL, NULL, "empty"),
            EHCP_OK);
  CHECK_INT(ehcp_diagnostics_count(d), 1);
  CHECK_INT(ehcp_diagnostics_count_severity(d, W), 1);
  CHECK_INT(ehcp_diagnostics_count_severity(d, E), 0);
  x = ehcp_diagnostics_get(d, 0);
  CHECK(x != NULL);
  if (x)
    CHECK_STR(x->message, "empty");

  ehcp_diagnostics_free(d);
  ehcp_diagnostics_free(NULL);
}

static void test_names(void) {
  static const struct {
    int code;
    const char *name;
  } codes[] = {
      {100, "end_before_start"},
      {101, "plan_after_no"},
      {102, "draft_after_final"},
      {103, "event_after_as_of"},
      {104, "duplicate_event"},
      {105, "unpaired_advice"},
      {106, "unpaired_contact"},
      {107, "exception_end_before_start"},
      {108, "no_request"},
      {200, "bad_date"},
      {201, "unknown_event"},
      {202, "unknown_detail"},
      {203, "bad_quoting"},
      {204, "unterminated_quote"},
      {205, "column_count"},
      {206, "missing_column"},
      {207, "missing_value"},
      {208, "duplicate_case"},
      {209, "empty_file"},
      {210, "unknown_format"},
      {211, "unknown_code"},
      {212, "misplaced_element"},
      {213, "reference_date"},
      {214, "xml_syntax"},
      {215, "date_mismatch"},
      {216, "io"},
  };
  size_t n = sizeof codes / sizeof *codes;
  for (size_t i = 0; i < n; i++)
    CHECK_STR(ehcp_diag_code_name(codes[i].code), codes[i].name);
  /* Every code from 100 to 299 that is not in the table has no name. */
  int unnamed = 0;
  for (int code = 0; code < 300; code++) {
    int listed = 0;
    for (size_t i = 0; i < n; i++)
      listed |= codes[i].code == code;
    if (!listed && ehcp_diag_code_name(code) != NULL) {
      fprintf(stderr, "unexpected name for code %d: %s\n", code, ehcp_diag_code_name(code));
      unnamed++;
    }
  }
  CHECK_INT(unnamed, 0);
  CHECK(ehcp_diag_code_name(-1) == NULL);
  CHECK(ehcp_diag_code_name(9000) == NULL);
  CHECK_INT(EHCP_DIAG_END_BEFORE_START, 100);
  CHECK_INT(EHCP_DIAG_BAD_DATE, 200);
  CHECK_INT(EHCP_DIAG_IO, 216);

  CHECK_STR(ehcp_severity_name(EHCP_SEVERITY_ERROR), "error");
  CHECK_STR(ehcp_severity_name(EHCP_SEVERITY_WARNING), "warning");
  CHECK_STR(ehcp_severity_name(EHCP_SEVERITY_NOTE), "note");
  CHECK(ehcp_severity_name(0) == NULL);
  CHECK(ehcp_severity_name(4) == NULL);
  CHECK_INT(EHCP_SEVERITY_ERROR, 1);
  CHECK_INT(EHCP_SEVERITY_WARNING, 2);
  CHECK_INT(EHCP_SEVERITY_NOTE, 3);
}

/* ---- validation: one scenario per code ------------------------------------- */

static void test_end_before_start(ehcp_diagnostics *d, ehcp_case_set *s) {
  /* The brief's example. */
  ev(s, "C100", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", "parent", NULL, NULL, 2);
  ev(s, "C100", EHCP_EV_FINAL_ISSUED, "2025-01-10", NULL, NULL, NULL, 3);
  run(d, s, "C100", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 1);
  CHECK_INT(ehcp_diagnostics_count_severity(d, E), 1);
  EXPECT(d, 0, E, 100, "end_before_start", SRC, 3, "C100",
         "final_issued 2025-01-10 is before request_received 2025-01-15: A5 is evaluated as if "
         "no final plan had been issued");

  /* A later final on or after the request is the one A5 uses, and is not a
   * duplicate of the unseen one. */
  ev(s, "C101", EHCP_EV_BROUGHT_TO_ATTENTION, "2025-01-15", NULL, NULL, NULL, 2);
  ev(s, "C101", EHCP_EV_FINAL_ISSUED, "2025-01-10", NULL, NULL, NULL, 3);
  ev(s, "C101", EHCP_EV_FINAL_ISSUED, "2025-06-02", NULL, NULL, NULL, 4);
  run(d, s, "C101", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 1);
  EXPECT(d, 0, E, 100, "end_before_start", SRC, 3, "C101",
         "final_issued 2025-01-10 is before brought_to_attention 2025-01-15: it is ignored and "
         "A5 uses final_issued 2025-06-02");
  /* ... unless evaluation does not see that later final yet. */
  run(d, s, "C101", "2025-05-01");
  CHECK_INT(ehcp_diagnostics_count(d), 2);
  EXPECT(d, 0, E, 100, "end_before_start", SRC, 3, "C101",
         "final_issued 2025-01-10 is before brought_to_attention 2025-01-15: A5 is evaluated as "
         "if no final plan had been issued");
  EXPECT(d, 1, W, 103, "event_after_as_of", SRC, 4, "C101",
         "final_issued 2025-06-02 is after the as-of date 2025-05-01: it is ignored");

  /* A final on the request's own day is on or after it. */
  ev(s, "C104", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", NULL, NULL, NULL, 2);
  ev(s, "C104", EHCP_EV_FINAL_ISSUED, "2025-01-10", NULL, NULL, NULL, 3);
  ev(s, "C104", EHCP_EV_FINAL_ISSUED, "2025-01-15", NULL, NULL, NULL, 4);
  run(d, s, "C104", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 1);
  EXPECT(d, 0, E, 100, "end_before_start", SRC, 3, "C104",
         "final_issued 2025-01-10 is before request_received 2025-01-15: it is ignored and "
         "A5 uses final_issued 2025-01-15");

  /* Each end of a step that starts at the request; an end on the request's
   * own day is fine. */
  ev(s, "C102", EHCP_EV_REQUEST_RECEIVED, "2025-03-01", NULL, NULL, NULL, 10);
  ev(s, "C102", EHCP_EV_ASSESSMENT_DECISION, "2025-02-01", "yes", NULL, NULL, 11);
  ev(s, "C102", EHCP_EV_ISSUE_DECISION, "2025-02-10", "yes", NULL, NULL, 12);
  ev(s, "C102", EHCP_EV_DRAFT_ISSUED, "2025-02-20", NULL, NULL, NULL, 13);
  ev(s, "C102", EHCP_EV_FINAL_ISSUED, "2025-03-01", NULL, NULL, NULL, 14);
  run(d, s, "C102", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 3);
  EXPECT(d, 0, E, 100, "end_before_start", SRC, 11, "C102",
         "assessment_decision (yes) 2025-02-01 is before request_received 2025-03-01: A1 is "
         "evaluated as if no decision whether to assess had been made");
  EXPECT(d, 1, E, 100, "end_before_start", SRC, 12, "C102",
         "issue_decision (yes) 2025-02-10 is before request_received 2025-03-01: A3 is "
         "evaluated as if no decision whether to issue a plan had been made");
  EXPECT(d, 2, E, 100, "end_before_start", SRC, 13, "C102",
         "draft_issued 2025-02-20 is before request_received 2025-03-01: steps that end with the "
         "draft are evaluated as if no draft plan had been issued");

  /* Reviews: report and decision before the first meeting, final amended
   * plan before the first proposed amendments. A plan from before the data
   * began (no request) is fine. */
  ev(s, "C103", EHCP_EV_FINAL_ISSUED, "2024-01-10", NULL, NULL, NULL, 1);
  ev(s, "C103", EHCP_EV_REVIEW_REPORT, "2024-11-01", NULL, NULL, NULL, 2);
  ev(s, "C103", EHCP_EV_REVIEW_DECISION, "2024-11-05", "amend", NULL, NULL, 3);
  ev(s, "C103", EHCP_EV_REVIEW_MEETING, "2024-11-20", NULL, NULL, NULL, 4);
  ev(s, "C103", EHCP_EV_REVIEW_REPORT, "2024-11-20", NULL, NULL, NULL, 5);
  ev(s, "C103", EHCP_EV_REVIEW_DECISION, "2024-12-10", "amend", NULL, NULL, 6);
  ev(s, "C103", EHCP_EV_REVIEW_FINAL, "2025-01-05", NULL, NULL, NULL, 7);
  ev(s, "C103", EHCP_EV_REVIEW_DRAFT, "2025-01-10", NULL, NULL, NULL, 8);
  ev(s, "C103", EHCP_EV_REVIEW_FINAL, "2025-02-20", NULL, NULL, NULL, 9);
  ev(s, "C103", EHCP_EV_REVIEW_MEETING, "2025-07-01", NULL, NULL, NULL, 10);
  ev(s, "C103", EHCP_EV_REVIEW_DRAFT, "2025-07-15", NULL, NULL, NULL, 11);
  run(d, s, "C103", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 3);
  EXPECT(d, 0, E, 100, "end_before_start", SRC, 2, "C103",
         "review_report 2024-11-01 is before the first review_meeting 2024-11-20: no review "
         "meeting is on or before it, so B4 ignores it");
  EXPECT(d, 1, E, 100, "end_before_start", SRC, 3, "C103",
         "review_decision (amend) 2024-11-05 is before the first review_meeting 2024-11-20: no "
         "review meeting is on or before it, so B5 ignores it");
  EXPECT(d, 2, E, 100, "end_before_start", SRC, 7, "C103",
         "review_final 2025-01-05 is before the first review_draft 2025-01-10: no proposed "
         "amendments are on or before it, so B7 ignores it");
}

static void test_plan_after_no(ehcp_diagnostics *d, ehcp_case_set *s) {
  ev(s, "C110", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", "parent", NULL, NULL, 2);
  ev(s, "C110", EHCP_EV_ASSESSMENT_DECISION, "2025-02-20", "no", NULL, NULL, 3);
  ev(s, "C110", EHCP_EV_DRAFT_ISSUED, "2025-05-01", NULL, NULL, NULL, 4);
  ev(s, "C110", EHCP_EV_FINAL_ISSUED, "2025-06-02", NULL, NULL, NULL, 5);
  ev(s, "C110", EHCP_EV_ISSUE_DECISION, "2025-04-01", "no", NULL, NULL, 6); /* not the first */
  run(d, s, "C110", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 2);
  EXPECT(d, 0, E, 101, "plan_after_no", SRC, 4, "C110",
         "draft_issued 2025-05-01 is after assessment_decision (no) 2025-02-20: the decision "
         "stands and A5 is evaluated as not applicable");
  EXPECT(d, 1, E, 101, "plan_after_no", SRC, 5, "C110",
         "final_issued 2025-06-02 is after assessment_decision (no) 2025-02-20: the decision "
         "stands and A5 is evaluated as not applicable");

  /* Withdrawn, on the same day. */
  ev(s, "C111", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", NULL, NULL, NULL, 2);
  ev(s, "C111", EHCP_EV_ASSESSMENT_DECISION, "2025-02-20", "yes", NULL, NULL, 3);
  ev(s, "C111", EHCP_EV_ISSUE_DECISION, "2025-05-20", "withdrawn", NULL, NULL, 4);
  ev(s, "C111", EHCP_EV_FINAL_ISSUED, "2025-05-20", NULL, NULL, NULL, 5);
  run(d, s, "C111", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 1);
  EXPECT(d, 0, E, 101, "plan_after_no", SRC, 5, "C111",
         "final_issued 2025-05-20 is on the same day as issue_decision (withdrawn) 2025-05-20: "
         "the decision stands and A5 is evaluated as not applicable");

  /* Without a request: no_request comes at its event, then plan_after_no. */
  ev(s, "C112", EHCP_EV_ASSESSMENT_DECISION, "2025-02-20", "no", NULL, NULL, 2);
  ev(s, "C112", EHCP_EV_FINAL_ISSUED, "2025-06-02", NULL, NULL, NULL, 3);
  run(d, s, "C112", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 2);
  EXPECT(d, 0, E, 108, "no_request", SRC, 2, "C112",
         "assessment_decision (no) 2025-02-20 is on a case with no request_received or "
         "brought_to_attention: A1, A3 and A5, which start at the request, are not evaluated");
  EXPECT(d, 1, E, 101, "plan_after_no", SRC, 3, "C112",
         "final_issued 2025-06-02 is after assessment_decision (no) 2025-02-20: the decision "
         "stands");

  /* A "yes" does not count, nor a "no" before the request (reported as
   * end_before_start instead). */
  ev(s, "C113", EHCP_EV_ASSESSMENT_DECISION, "2025-01-10", "no", NULL, NULL, 2);
  ev(s, "C113", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", NULL, NULL, NULL, 3);
  ev(s, "C113", EHCP_EV_ISSUE_DECISION, "2025-05-01", "yes", NULL, NULL, 4);
  ev(s, "C113", EHCP_EV_FINAL_ISSUED, "2025-06-02", NULL, NULL, NULL, 5);
  run(d, s, "C113", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 1);
  EXPECT(d, 0, E, 100, "end_before_start", SRC, 2, "C113",
         "assessment_decision (no) 2025-01-10 is before request_received 2025-01-15: A1 is "
         "evaluated as if no decision whether to assess had been made");
}

static void test_draft_after_final(ehcp_diagnostics *d, ehcp_case_set *s) {
  ev(s, "C120", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", NULL, NULL, NULL, 2);
  ev(s, "C120", EHCP_EV_DRAFT_ISSUED, "2025-05-01", NULL, NULL, NULL, 3);
  ev(s, "C120", EHCP_EV_FINAL_ISSUED, "2025-06-02", NULL, NULL, NULL, 4);
  ev(s, "C120", EHCP_EV_DRAFT_ISSUED, "2025-07-01", NULL, NULL, NULL, 5);
  ev(s, "C120", EHCP_EV_FINAL_ISSUED, "2025-07-10", NULL, NULL, NULL, 6);
  run(d, s, "C120", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 3);
  /* Two problems with one event: in code order. */
  EXPECT(d, 0, E, 102, "draft_after_final", SRC, 5, "C120",
         "draft_issued 2025-07-01 is after final_issued 2025-06-02: the final plan of 2025-06-02 "
         "stands and this draft does not change it; proposed amendments to a plan are recorded "
         "as review_draft");
  EXPECT(d, 1, W, 104, "duplicate_event", SRC, 5, "C120",
         "draft_issued 2025-07-01 is recorded again: evaluation uses draft_issued 2025-05-01 and "
         "ignores this one");
  EXPECT(d, 2, W, 104, "duplicate_event", SRC, 6, "C120",
         "final_issued 2025-07-10 is recorded again: evaluation uses final_issued 2025-06-02 and "
         "ignores this one");

  /* A draft served with the final on the same day is not after it, even when
   * it arrives second. */
  ev(s, "C121", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", NULL, NULL, NULL, 2);
  ev(s, "C121", EHCP_EV_FINAL_ISSUED, "2025-06-02", NULL, NULL, NULL, 3);
  ev(s, "C121", EHCP_EV_DRAFT_ISSUED, "2025-06-02", NULL, NULL, NULL, 4);
  run(d, s, "C121", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 0);
}

static void test_after_as_of(ehcp_diagnostics *d, ehcp_case_set *s) {
  ev(s, "C130", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", NULL, NULL, NULL, 2);
  ev(s, "C130", EHCP_EV_ASSESSMENT_DECISION, "2025-02-20", "yes", NULL, NULL, 3);
  ev(s, "C130", EHCP_EV_PHASE_TRANSFER, "2026-09-01", "school", NULL, NULL, 4);
  ev(s, "C130", EHCP_EV_FINAL_ISSUED, "2025-06-02", NULL, NULL, NULL, 5);
  ev(s, "C130", EHCP_EV_EXCEPTION, "2025-03-10", "personal_circumstances", "2025-03-20", NULL,
     6);
  /* As of the decision's own day: the decision is seen; the exception and
   * the final are not; the planned phase transfer is not "after". */
  run(d, s, "C130", "2025-02-20");
  CHECK_INT(ehcp_diagnostics_count(d), 2);
  CHECK_INT(ehcp_diagnostics_count_severity(d, W), 2);
  EXPECT(d, 0, W, 103, "event_after_as_of", SRC, 6, "C130",
         "exception (personal_circumstances) 2025-03-10 is after the as-of date 2025-02-20: it "
         "is ignored");
  EXPECT(d, 1, W, 103, "event_after_as_of", SRC, 5, "C130",
         "final_issued 2025-06-02 is after the as-of date 2025-02-20: it is ignored");
  /* No as-of date: no such check. */
  run(d, s, "C130", "");
  CHECK_INT(ehcp_diagnostics_count(d), 0);
  run(d, s, "C130", "2025-06-02");
  CHECK_INT(ehcp_diagnostics_count(d), 0);
}

static void test_duplicate(ehcp_diagnostics *d, ehcp_case_set *s) {
  ev(s, "C140", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", "parent", NULL, NULL, 2);
  ev(s, "C140", EHCP_EV_REQUEST_RECEIVED, "2025-01-20", "setting", NULL, NULL, 3);
  ev(s, "C140", EHCP_EV_BROUGHT_TO_ATTENTION, "2025-01-10", NULL, NULL, NULL, 4);
  ev(s, "C140", EHCP_EV_ASSESSMENT_DECISION, "2025-02-20", "yes", NULL, NULL, 5);
  ev(s, "C140", EHCP_EV_ASSESSMENT_DECISION, "2025-02-25", "yes", NULL, NULL, 6);
  ev(s, "C140", EHCP_EV_ISSUE_DECISION, "2025-05-01", "yes", NULL, NULL, 7);
  ev(s, "C140", EHCP_EV_ISSUE_DECISION, "2025-05-03", "yes", NULL, NULL, 8);
  ev(s, "C140", EHCP_EV_FINAL_ISSUED, "2025-06-02", NULL, NULL, NULL, 9);
  ev(s, "C140", EHCP_EV_FINAL_ISSUED, "2025-06-02", NULL, NULL, NULL, 10);
  ev(s, "C140", EHCP_EV_BROUGHT_TO_ATTENTION, "2025-06-05", NULL, NULL, NULL, 11);
  run(d, s, "C140", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 5);
  CHECK_INT(ehcp_diagnostics_count_severity(d, W), 5);
  CHECK_INT(ehcp_diagnostics_count_severity(d, E), 0);
  /* The request used is the earliest of either kind. */
  EXPECT(d, 0, W, 104, "duplicate_event", SRC, 3, "C140",
         "request_received 2025-01-20 is recorded again: evaluation uses brought_to_attention "
         "2025-01-10 and ignores this one");
  EXPECT(d, 1, W, 104, "duplicate_event", SRC, 6, "C140",
         "assessment_decision (yes) 2025-02-25 is recorded again: evaluation uses "
         "assessment_decision (yes) 2025-02-20 and ignores this one");
  EXPECT(d, 2, W, 104, "duplicate_event", SRC, 8, "C140",
         "issue_decision (yes) 2025-05-03 is recorded again: evaluation uses issue_decision "
         "(yes) 2025-05-01 and ignores this one");
  EXPECT(d, 3, W, 104, "duplicate_event", SRC, 10, "C140",
         "final_issued 2025-06-02 is recorded again: evaluation uses final_issued 2025-06-02 and "
         "ignores this one");
  EXPECT(d, 4, W, 104, "duplicate_event", SRC, 11, "C140",
         "brought_to_attention 2025-06-05 is recorded again: evaluation uses "
         "brought_to_attention 2025-01-10 and ignores this one");

  /* Repeated events that are not single (reviews, advice, contacts,
   * updates, exceptions) are no duplicates. */
  ev(s, "C141", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", NULL, NULL, NULL, 2);
  ev(s, "C141", EHCP_EV_FAMILY_UPDATE, "2025-02-01", NULL, NULL, NULL, 3);
  ev(s, "C141", EHCP_EV_FAMILY_UPDATE, "2025-02-01", NULL, NULL, NULL, 4);
  ev(s, "C141", EHCP_EV_EXCEPTION, "2025-02-03", "absence", "2025-03-30", NULL, 5);
  ev(s, "C141", EHCP_EV_EXCEPTION, "2025-02-03", "absence", "2025-03-30", NULL, 6);
  ev(s, "C141", EHCP_EV_ADVICE_REQUESTED, "2025-02-21", "ep", NULL, NULL, 7);
  ev(s, "C141", EHCP_EV_ADVICE_REQUESTED, "2025-02-21", "ep", NULL, NULL, 8);
  run(d, s, "C141", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 0);
}

static void test_unpaired_advice(ehcp_diagnostics *d, ehcp_case_set *s) {
  ev(s, "C150", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", NULL, NULL, NULL, 2);
  ev(s, "C150", EHCP_EV_ADVICE_REQUESTED, "2025-02-21", "education", NULL, "URN1", 3);
  ev(s, "C150", EHCP_EV_ADVICE_RECEIVED, "2025-04-01", "education", NULL, "URN2", 4);
  ev(s, "C150", EHCP_EV_ADVICE_RECEIVED, "2025-02-10", "ep", NULL, NULL, 5);
  ev(s, "C150", EHCP_EV_ADVICE_REQUESTED, "2025-02-15", "ep", NULL, NULL, 6);
  /* Same day, reply recorded first: paired. */
  ev(s, "C150", EHCP_EV_ADVICE_RECEIVED, "2025-03-01", "health", NULL, NULL, 7);
  ev(s, "C150", EHCP_EV_ADVICE_REQUESTED, "2025-03-01", "health", NULL, NULL, 8);
  /* One request, two replies. */
  ev(s, "C150", EHCP_EV_ADVICE_REQUESTED, "2025-02-21", "social_care", NULL, NULL, 9);
  ev(s, "C150", EHCP_EV_ADVICE_RECEIVED, "2025-03-10", "social_care", NULL, NULL, 10);
  ev(s, "C150", EHCP_EV_ADVICE_RECEIVED, "2025-03-20", "social_care", NULL, NULL, 11);
  /* The adviser must match too. */
  ev(s, "C150", EHCP_EV_ADVICE_REQUESTED, "2025-02-21", "other", NULL, NULL, 12);
  ev(s, "C150", EHCP_EV_ADVICE_RECEIVED, "2025-03-21", "health", NULL, NULL, 13);
  run(d, s, "C150", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 4);
  CHECK_INT(ehcp_diagnostics_count_severity(d, W), 4);
  EXPECT(d, 0, W, 105, "unpaired_advice", SRC, 5, "C150",
         "advice_received (ep) 2025-02-10 has no open advice_requested (ep) on or before it: it "
         "is ignored");
  EXPECT(d, 1, W, 105, "unpaired_advice", SRC, 11, "C150",
         "advice_received (social_care) 2025-03-20 has no open advice_requested (social_care) "
         "on or before it: it is ignored");
  EXPECT(d, 2, W, 105, "unpaired_advice", SRC, 13, "C150",
         "advice_received (health) 2025-03-21 has no open advice_requested (health) on or "
         "before it: it is ignored");
  EXPECT(d, 3, W, 105, "unpaired_advice", SRC, 4, "C150",
         "advice_received (education, ref URN2) 2025-04-01 has no open advice_requested "
         "(education, ref URN2) on or before it: it is ignored");

  /* A long ref with a line break: the message grows past its stack buffer
   * and stays on one line. */
  char ref[601];
  memset(ref, 'R', sizeof ref - 1);
  ref[sizeof ref - 1] = '\0';
  ref[3] = '\n';
  ev(s, "C151", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", NULL, NULL, NULL, 2);
  ev(s, "C151", EHCP_EV_ADVICE_RECEIVED, "2025-04-01", "education", NULL, ref, 3);
  run(d, s, "C151", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 1);
  ref[3] = '?';
  char want[1400];
  snprintf(want, sizeof want,
           "advice_received (education, ref %s) 2025-04-01 has no open advice_requested "
           "(education, ref %s) on or before it: it is ignored",
           ref, ref);
  EXPECT(d, 0, W, 105, "unpaired_advice", SRC, 3, "C151", want);
}

static void test_unpaired_contact(ehcp_diagnostics *d, ehcp_case_set *s) {
  /* A case with only contacts needs no request. */
  ev(s, "C160", EHCP_EV_CONTACT_RECEIVED, "2025-03-01", NULL, NULL, "Q1", 2);
  ev(s, "C160", EHCP_EV_CONTACT_RESPONDED, "2025-03-05", NULL, NULL, "Q1", 3);
  ev(s, "C160", EHCP_EV_CONTACT_RESPONDED, "2025-03-06", NULL, NULL, "Q2", 4);
  ev(s, "C160", EHCP_EV_CONTACT_RESPONDED, "2025-03-07", NULL, NULL, NULL, 5);
  ev(s, "C160", EHCP_EV_CONTACT_RECEIVED, "2025-03-08", NULL, NULL, "Q3", 6); /* still open */
  /* Two contacts with one ref, two replies: one each. */
  ev(s, "C160", EHCP_EV_CONTACT_RECEIVED, "2025-03-10", NULL, NULL, "Q4", 7);
  ev(s, "C160", EHCP_EV_CONTACT_RECEIVED, "2025-03-11", NULL, NULL, "Q4", 8);
  ev(s, "C160", EHCP_EV_CONTACT_RESPONDED, "2025-03-12", NULL, NULL, "Q4", 9);
  ev(s, "C160", EHCP_EV_CONTACT_RESPONDED, "2025-03-13", NULL, NULL, "Q4", 10);
  run(d, s, "C160", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 2);
  EXPECT(d, 0, W, 106, "unpaired_contact", SRC, 4, "C160",
         "contact_responded (ref Q2) 2025-03-06 has no open contact_received (ref Q2) on or "
         "before it: it is ignored");
  EXPECT(d, 1, W, 106, "unpaired_contact", SRC, 5, "C160",
         "contact_responded 2025-03-07 has no open contact_received on or before it: it is "
         "ignored");

  /* More events than the validator's stack buffer: 200 pairs and one stray
   * reply. */
  for (int i = 0; i < 200; i++) {
    char q[16];
    snprintf(q, sizeof q, "Q%d", i);
    ev(s, "C161", EHCP_EV_CONTACT_RECEIVED, "2025-03-01", NULL, NULL, q, (uint32_t)(2 + 2 * i));
    ev(s, "C161", EHCP_EV_CONTACT_RESPONDED, "2025-03-02", NULL, NULL, q, (uint32_t)(3 + 2 * i));
  }
  ev(s, "C161", EHCP_EV_CONTACT_RESPONDED, "2025-03-03", NULL, NULL, "Q0", 999);
  run(d, s, "C161", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 1);
  EXPECT(d, 0, W, 106, "unpaired_contact", SRC, 999, "C161",
         "contact_responded (ref Q0) 2025-03-03 has no open contact_received (ref Q0) on or "
         "before it: it is ignored");
}

static void test_exception(ehcp_diagnostics *d, ehcp_case_set *s) {
  ev(s, "C170", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", NULL, NULL, NULL, 2);
  ev(s, "C170", EHCP_EV_EXCEPTION, "2025-03-03", "absence", "2025-02-01", NULL, 3);
  ev(s, "C170", EHCP_EV_EXCEPTION, "2025-03-05", "personal_circumstances", "2025-03-05", NULL,
     4);                                                               /* one day: fine */
  ev(s, "C170", EHCP_EV_EXCEPTION, "2025-03-06", "unspecified", NULL, NULL, 5); /* no end */
  ev(s, "C170", EHCP_EV_EXCEPTION, "2025-03-10", "school_closure", "2025-03-09", NULL, 6);
  run(d, s, "C170", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 2);
  CHECK_INT(ehcp_diagnostics_count_severity(d, E), 2);
  EXPECT(d, 0, E, 107, "exception_end_before_start", SRC, 3, "C170",
         "exception (absence) 2025-03-03 ends on 2025-02-01, before it starts: the exception is "
         "ignored");
  EXPECT(d, 1, E, 107, "exception_end_before_start", SRC, 6, "C170",
         "exception (school_closure) 2025-03-10 ends on 2025-03-09, before it starts: the "
         "exception is ignored");
}

static void test_no_request(ehcp_diagnostics *d, ehcp_case_set *s) {
  /* Reported once, at the first event that needs a request. */
  ev(s, "C180", EHCP_EV_ADVICE_RECEIVED, "2025-03-01", "ep", NULL, NULL, 3);
  ev(s, "C180", EHCP_EV_ADVICE_REQUESTED, "2025-02-01", "ep", NULL, NULL, 2);
  ev(s, "C180", EHCP_EV_DRAFT_ISSUED, "2025-05-01", NULL, NULL, NULL, 4);
  run(d, s, "C180", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 1);
  EXPECT(d, 0, E, 108, "no_request", SRC, 2, "C180",
         "advice_requested (ep) 2025-02-01 is on a case with no request_received or "
         "brought_to_attention: A1, A3 and A5, which start at the request, are not evaluated");

  /* A draft needs a request, even with a final plan. */
  ev(s, "C184", EHCP_EV_DRAFT_ISSUED, "2025-05-01", NULL, NULL, NULL, 4);
  ev(s, "C184", EHCP_EV_FINAL_ISSUED, "2025-06-02", NULL, NULL, NULL, 5);
  run(d, s, "C184", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 1);
  EXPECT(d, 0, E, 108, "no_request", SRC, 4, "C184",
         "draft_issued 2025-05-01 is on a case with no request_received or "
         "brought_to_attention: A1, A3 and A5, which start at the request, are not evaluated");

  ev(s, "C181", EHCP_EV_ISSUE_DECISION, "2025-05-01", "yes", NULL, NULL, 7);
  run(d, s, "C181", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 1);
  EXPECT(d, 0, E, 108, "no_request", SRC, 7, "C181",
         "issue_decision (yes) 2025-05-01 is on a case with no request_received or "
         "brought_to_attention: A1, A3 and A5, which start at the request, are not evaluated");

  /* A plan from before the data began: final, reviews, a covid exception
   * (it applies to reviews), a transfer and ceasing need no request. */
  ev(s, "C182", EHCP_EV_FINAL_ISSUED, "2019-05-01", NULL, NULL, NULL, 2);
  ev(s, "C182", EHCP_EV_REVIEW_MEETING, "2020-04-10", NULL, NULL, NULL, 3);
  ev(s, "C182", EHCP_EV_EXCEPTION, "2020-05-01", "covid", "2020-09-25", NULL, 4);
  ev(s, "C182", EHCP_EV_REVIEW_DECISION, "2020-06-20", "maintain", NULL, NULL, 5);
  ev(s, "C182", EHCP_EV_PHASE_TRANSFER, "2021-09-01", "school", NULL, NULL, 6);
  ev(s, "C182", EHCP_EV_PHASE_TRANSFER_AMENDED, "2021-02-01", NULL, NULL, NULL, 7);
  ev(s, "C182", EHCP_EV_PLAN_CEASED, "2024-07-31", "moved_away", NULL, NULL, 8);
  run(d, s, "C182", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 0);
  /* A case with only review events. */
  ev(s, "C183", EHCP_EV_REVIEW_MEETING, "2024-04-10", NULL, NULL, NULL, 2);
  run(d, s, "C183", "2025-08-01");
  CHECK_INT(ehcp_diagnostics_count(d), 0);
}

/* ---- clean cases, sets, arguments ------------------------------------------ */

static void test_clean(ehcp_diagnostics *d, ehcp_case_set *s) {
  const char *id = "C001";
  ev(s, id, EHCP_EV_REQUEST_RECEIVED, "2025-01-15", "parent", NULL, NULL, 2);
  ev(s, id, EHCP_EV_ASSESSMENT_DECISION, "2025-02-20", "yes", NULL, NULL, 3);
  ev(s, id, EHCP_EV_ADVICE_REQUESTED, "2025-02-21", "education", NULL, "URN123456", 4);
  ev(s, id, EHCP_EV_ADVICE_REQUESTED, "2025-02-21", "ep", NULL, NULL, 5);
  ev(s, id, EHCP_EV_ADVICE_REQUESTED, "2025-02-21", "health", NULL, NULL, 6);
  ev(s, id, EHCP_EV_ADVICE_REQUESTED, "2025-02-21", "social_care", NULL, NULL, 7); /* open */
  ev(s, id, EHCP_EV_EXCEPTION, "2025-03-03", "absence", "2025-03-30", NULL, 8);
  ev(s, id, EHCP_EV_CONTACT_RECEIVED, "2025-03-10", NULL, NULL, "Q1", 9);
  ev(s, id, EHCP_EV_CONTACT_RESPONDED, "2025-03-12", NULL, NULL, "Q1", 10);
  ev(s, id, EHCP_EV_ADVICE_RECEIVED, "2025-03-20", "ep", NULL, NULL, 11);
  ev(s, id, EHCP_EV_FAMILY_UPDATE, "2025-04-01", NULL, NULL, NULL, 12);
  ev(s, id, EHCP_EV_ADVICE_RECEIVED, "2025-04-01", "education", NULL, "URN123456", 13);
  ev(s, id, EHCP_EV_ADVICE_RECEIVED, "2025-04-02", "health", NULL, NULL, 14);
  ev(s, id, EHCP_EV_ISSUE_DECISION, "2025-05-01", "yes", NULL, NULL, 15);
  ev(s, id, EHCP_EV_DRAFT_ISSUED, "2025-05-02", NULL, NULL, NULL, 16);
  ev(s, id, EHCP_EV_FINAL_ISSUED, "2025-06-02", NULL, NULL, NULL, 17);
  ev(s, id, EHCP_EV_REVIEW_MEETING, "2026-05-20", NULL, NULL, NULL, 18);
  ev(s, id, EHCP_EV_REVIEW_REPORT, "2026-05-28", NULL, NULL, NULL, 19);
  ev(s, id, EHCP_EV_REVIEW_DECISION, "2026-06-10", "amend", NULL, NULL, 20);
  ev(s, id, EHCP_EV_REVIEW_DRAFT, "2026-06-10", NULL, NULL, NULL, 21);
  ev(s, id, EHCP_EV_REVIEW_FINAL, "2026-07-20", NULL, NULL, NULL, 22);
  ev(s, id, EHCP_EV_PHASE_TRANSFER_AMENDED, "2027-02-01", NULL, NULL, NULL, 23);
  ev(s, id, EHCP_EV_PHASE_TRANSFER, "2027-09-01", "school", NULL, NULL, 24); /* planned */
  run(d, s, id, "2027-03-01");
  CHECK_INT(ehcp_diagnostics_count(d), 0);
  run(d, s, id, "");
  CHECK_INT(ehcp_diagnostics_count(d), 0);

  /* Validation appends: a case with one problem, validated twice. */
  ehcp_diagnostics_clear(d);
  const ehcp_case *c = ehcp_case_set_find(s, "C100");
  CHECK(c != NULL);
  if (c) {
    CHECK_INT(ehcp_validate_case(d, c, day("2025-08-01")), EHCP_OK);
    CHECK_INT(ehcp_validate_case(d, c, day("2025-08-01")), EHCP_OK);
    CHECK_INT(ehcp_diagnostics_count(d), 2);
  }
}

static void test_set(ehcp_diagnostics *d) {
  ehcp_case_set *s = NULL;
  CHECK_INT(ehcp_case_set_new(&s), EHCP_OK);
  if (!s)
    return;
  /* Set order is the order cases were first seen: S3, S1, S2. Events added
   * without a source or line are reported without them. */
  CHECK_INT(ehcp_case_set_add_event(s, "S3", EHCP_EV_EXCEPTION, day("2025-03-03"), "absence",
                                    day("2025-02-01"), NULL),
            EHCP_OK);
  CHECK_INT(ehcp_case_set_set_source(s, "one.csv"), EHCP_OK);
  ev(s, "S1", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", NULL, NULL, NULL, 2);
  ev(s, "S2", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", NULL, NULL, NULL, 3);
  CHECK_INT(ehcp_case_set_set_source(s, "two.csv"), EHCP_OK);
  ev(s, "S2", EHCP_EV_FINAL_ISSUED, "2025-01-10", NULL, NULL, NULL, 8);
  ev(s, "S3", EHCP_EV_REQUEST_RECEIVED, "2025-01-15", NULL, NULL, NULL, 9);
  ev(s, "S1", EHCP_EV_FINAL_ISSUED, "2025-06-02", NULL, NULL, NULL, 10);

  ehcp_diagnostics_clear(d);
  CHECK_INT(ehcp_validate_set(d, s, day("2025-08-01")), EHCP_OK);
  CHECK_INT(ehcp_diagnostics_count(d), 2);
  EXPECT(d, 0, E, 107, "exception_end_before_start", NULL, 0, "S3",
         "exception (absence) 2025-03-03 ends on 2025-02-01, before it starts: the exception is "
         "ignored");
  EXPECT(d, 1, E, 100, "end_before_start", "two.csv", 8, "S2",
         "final_issued 2025-01-10 is before request_received 2025-01-15: A5 is evaluated as if "
         "no final plan had been issued");

  /* An empty set adds nothing. */
  ehcp_case_set *empty = NULL;
  CHECK_INT(ehcp_case_set_new(&empty), EHCP_OK);
  ehcp_diagnostics_clear(d);
  CHECK_INT(ehcp_validate_set(d, empty, day("2025-08-01")), EHCP_OK);
  CHECK_INT(ehcp_diagnostics_count(d), 0);
  ehcp_case_set_free(empty);

  /* NULL arguments. */
  const ehcp_case *c = ehcp_case_set_find(s, "S1");
  CHECK(c != NULL);
  CHECK_INT(ehcp_validate_case(NULL, c, day("2025-08-01")), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_validate_case(d, NULL, day("2025-08-01")), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_validate_set(NULL, s, day("2025-08-01")), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_validate_set(d, NULL, day("2025-08-01")), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_diagnostics_count(d), 0);
  ehcp_case_set_free(s);
}

int main(void) {
  test_list();
  test_names();

  ehcp_diagnostics *d = NULL;
  ehcp_case_set *s = NULL;
  CHECK_INT(ehcp_diagnostics_new(&d), EHCP_OK);
  CHECK_INT(ehcp_case_set_new(&s), EHCP_OK);
  if (d && s) {
    CHECK_INT(ehcp_case_set_set_source(s, SRC), EHCP_OK);
    test_end_before_start(d, s);
    test_plan_after_no(d, s);
    test_draft_after_final(d, s);
    test_after_as_of(d, s);
    test_duplicate(d, s);
    test_unpaired_advice(d, s);
    test_unpaired_contact(d, s);
    test_exception(d, s);
    test_no_request(d, s);
    test_clean(d, s);
    test_set(d);
  }
  ehcp_case_set_free(s);
  ehcp_diagnostics_free(d);
  return check_done("validate");
}
