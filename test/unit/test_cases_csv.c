/* Unit tests for lib/read_cases.c: the wide cases CSV (data-formats.md
 * section 3) into a case set, column mappings (ehcp_reader_map_column()),
 * exact row accounting and every diagnostic.
 *
 * Fixtures are $EHCP_TEST_DATA/csv/cases-*.csv, read through
 * ehcp_reader_read_file() (mmap) and from exact-size buffers (no NUL after
 * the data, so a read past the end shows up under ASan and valgrind).
 * Expectations are whole: every case, every event (type, date, detail, end,
 * ref, source line), every attribute and every diagnostic (severity, code,
 * line, case, message).
 * For a manual run: EHCP_TEST_DATA=/work/main/test/data ./build/test/test_cases_csv */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ehcp/case.h"
#include "ehcp/date.h"
#include "ehcp/diagnostic.h"
#include "ehcp/reader.h"
#include "reader_internal.h"

static char data_dir[1024];

/* ---- allocation failures ---------------------------------------------------- */

#include "chaos.h"
#include "fixture.h"

static const char *fixture(const char *name) {
  static char path[4][1200];
  static int next;
  char *p = path[next++ % 4];
  snprintf(p, sizeof path[0], "%s/csv/%s", data_dir, name);
  return p;
}


/* An exact-size heap copy of text[0..len). */
static char *exact(const char *text, size_t len) {
  char *p = malloc(len ? len : 1);
  if (!p)
    exit(2);
  memcpy(p, text, len);
  return p;
}

/* ---- rendering ------------------------------------------------------------ */

/* "SEVERITY CODE LINE CASE: MESSAGE" (CASE is "-" when absent). */
static const char *diag_text(const ehcp_diagnostics *d, size_t i) {
  static char buf[1400];
  const struct ehcp_diagnostic *x = ehcp_diagnostics_get(d, i);
  if (!x)
    return "(missing)";
  snprintf(buf, sizeof buf, "%s %s %u %s: %s", ehcp_severity_name(x->severity),
           ehcp_diag_code_name(x->code), x->line, x->case_id ? x->case_id : "-", x->message);
  return buf;
}

/* Compare diagnostics [from, from + n) with want[]; also their count and
 * source. */
static void check_diags(const ehcp_diagnostics *d, size_t from, const char *const *want,
                        size_t n, const char *source) {
  CHECK_INT(ehcp_diagnostics_count(d), from + n);
  for (size_t i = 0; i < n; i++) {
    CHECK_STR(diag_text(d, from + i), want[i]);
    const struct ehcp_diagnostic *x = ehcp_diagnostics_get(d, from + i);
    if (x && source)
      CHECK_STR(x->source, source);
    else if (x)
      CHECK(x->source == NULL);
    if (x)
      CHECK(x->path == NULL);
  }
}

#define CHECK_DIAGS(d, from, want, source)                                          \
  check_diags(d, from, want, sizeof want / sizeof *want, source)

/* Source argument of the event checks that accepts any source. */
static const char ANY_SOURCE[] = "*";

/* "TYPE DATE DETAIL END REF @LINE" ("-" for absent parts); the event's
 * source must be source (NULL: none; ANY_SOURCE: any). */
static const char *event_text(const ehcp_case *c, size_t i, const char *source) {
  static char buf[600];
  int type;
  ehcp_date date, end;
  const char *detail, *ref, *src;
  uint32_t line;
  if (ehcp_case_event(&type, &date, &detail, &end, &ref, c, i) != EHCP_OK ||
      ehcp_case_event_source(&src, &line, c, i) != EHCP_OK)
    return "(missing)";
  char d[EHCP_DATE_ISO_SIZE], e[EHCP_DATE_ISO_SIZE] = "-";
  ehcp_date_format(d, date);
  if (end != EHCP_DATE_NONE)
    ehcp_date_format(e, end);
  if (source != ANY_SOURCE && (source ? !src || strcmp(src, source) != 0 : src != NULL))
    return "(wrong source)";
  snprintf(buf, sizeof buf, "%s %s %s %s %s @%u", ehcp_event_type_name(type), d,
           detail ? detail : "-", e, ref ? ref : "-", line);
  return buf;
}

static void check_events(const ehcp_case_set *set, const char *id, const char *const *want,
                         size_t n, const char *source) {
  const ehcp_case *c = ehcp_case_set_find(set, id);
  CHECK(c != NULL);
  if (!c)
    return;
  CHECK_INT(ehcp_case_event_count(c), n);
  for (size_t i = 0; i < n; i++)
    CHECK_STR(event_text(c, i, source), want[i]);
}

#define CHECK_EVENTS(set, id, want, source)                                         \
  check_events(set, id, want, sizeof want / sizeof *want, source)

/* Attributes as "name=value" in order of setting. */
static void check_attrs(const ehcp_case_set *set, const char *id, const char *const *want,
                        size_t n) {
  const ehcp_case *c = ehcp_case_set_find(set, id);
  CHECK(c != NULL);
  if (!c)
    return;
  CHECK_INT(ehcp_case_attribute_count(c), n);
  for (size_t i = 0; i < n; i++) {
    const char *name = NULL, *value = NULL;
    char buf[600] = "(missing)";
    if (ehcp_case_attribute_at(&name, &value, c, i) == EHCP_OK)
      snprintf(buf, sizeof buf, "%s=%s", name, value);
    CHECK_STR(buf, want[i]);
  }
}

#define CHECK_ATTRS(set, id, want) check_attrs(set, id, want, sizeof want / sizeof *want)

static void check_counts(const ehcp_reader *r, uint64_t read, uint64_t accepted,
                         uint64_t rejected) {
  uint64_t a = 99, b = 99, c = 99;
  ehcp_reader_last_counts(&a, &b, &c, r);
  CHECK_INT(a, read);
  CHECK_INT(b, accepted);
  CHECK_INT(c, rejected);
  CHECK_INT(a, b + c);
}

struct env {
  ehcp_case_set *set;
  ehcp_diagnostics *diags;
  ehcp_reader *r;
};

static void env_new(struct env *e) {
  if (ehcp_case_set_new(&e->set) || ehcp_diagnostics_new(&e->diags) ||
      ehcp_reader_new(&e->r, e->set, e->diags)) {
    fprintf(stderr, "cannot set up\n");
    exit(2);
  }
}

static void env_free(struct env *e) {
  ehcp_reader_free(e->r);
  ehcp_diagnostics_free(e->diags);
  ehcp_case_set_free(e->set);
}

/* Read text (an exact-size copy of it) as a cases CSV named name. */
static int read_text(struct env *e, const char *text, size_t len, const char *name, int format) {
  char *buf = exact(text, len);
  int rc = ehcp_reader_read_buffer(e->r, buf, len, name, format);
  free(buf);
  return rc;
}

#define READ(e, text, name) read_text(e, text, sizeof text - 1, name, EHCP_FORMAT_CASES_CSV)

/* ---- cases-good.csv --------------------------------------------------------- */

/* Every recognised column, every date form, the events in date order (ties
 * in the order of the process). */
static const char *const good_c001[] = {
    "request_received 2025-01-15 parent - - @2",
    "assessment_decision 2025-02-20 yes - - @2",
    "advice_requested 2025-02-21 education - - @2",
    "advice_requested 2025-02-21 early_years - - @2",
    "advice_requested 2025-02-21 health - - @2",
    "advice_requested 2025-02-21 social_care - - @2",
    "advice_requested 2025-02-24 ep - - @2",
    "advice_requested 2025-02-25 other - - @2",
    "exception 2025-03-03 absence 2025-03-30 - @2",
    "advice_received 2025-03-14 social_care - - @2",
    "advice_received 2025-03-20 early_years - - @2",
    "advice_received 2025-03-28 health - - @2",
    "advice_received 2025-04-01 education - - @2",
    "advice_received 2025-04-02 other - - @2",
    "advice_received 2025-04-04 ep - - @2",
    "issue_decision 2025-04-28 yes - - @2",
    "draft_issued 2025-05-06 - - - @2",
    "final_issued 2025-06-02 - - - @2",
    "phase_transfer_amended 2026-02-13 - - - @2",
    "review_meeting 2026-05-12 - - - @2",
    "review_decision 2026-05-26 amend - - @2",
    "review_draft 2026-06-09 - - - @2",
    "review_final 2026-07-07 - - - @2",
    "phase_transfer 2026-09-01 school - - @2",
    "plan_ceased 2027-08-31 - - - @2",
};
static const char *const good_c001_attrs[] = {"person_id=P001", "Team=North East",
                                              "caseworker=Smith, J", "setting=URN123456"};
/* exception 1 without a start: dated at received_date. */
static const char *const good_c002[] = {
    "request_received 2025-01-15 - - - @3",
    "exception 2025-01-15 unspecified 2025-02-10 - @3",
    "assessment_decision 2025-02-26 no - - @3",
};
static const char *const good_c002_attrs[] = {"Team=South"};
/* exception 0; a caseworker over two lines. */
static const char *const good_c003[] = {
    "request_received 2024-12-02 setting - - @4",
    "assessment_decision 2024-12-20 withdrawn - - @4",
};
static const char *const good_c003_attrs[] = {"person_id=P003", "caseworker=Jones,\nA"};
static const char *const good_c004[] = {
    "request_received 2025-03-03 health - - @6",
    "exception 2025-04-01 unspecified - - @6",
    "assessment_decision 2025-04-10 yes - - @6",
    "issue_decision 2025-07-01 no - - @6",
};
static const char *const good_c004_attrs[] = {"Team=West"};
static const char *const good_c005[] = {
    "request_received 2023-09-01 social_care - - @7",
    "assessment_decision 2023-10-10 yes - - @7",
    "exception 2023-11-01 personal_circumstances 2023-12-15 - @7",
    "issue_decision 2024-01-05 yes - - @7",
    "final_issued 2024-01-19 - - - @7",
    "review_meeting 2024-12-10 - - - @7",
    "review_decision 2024-12-20 cease - - @7",
    "plan_ceased 2025-01-31 - - - @7",
    "phase_transfer 2025-09-01 post16_other - - @7",
};
static const char *const good_c005_attrs[] = {"person_id=P005", "Team=\"Quoted\" team",
                                              "setting=URN000001"};
static const char *const good_c006[] = {
    "request_received 2025-05-05 other - - @8",
    "exception 2025-07-01 early_years_closure 2025-08-31 - @8",
    "phase_transfer 2025-09-01 post16 - - @8",
};
static const char *const good_c007[] = {
    "request_received 2025-05-06 - - - @9",
    "exception 2025-06-10 appointment_missed - - @9",
};
static const char *const good_c008[] = {
    "request_received 2020-03-02 - - - @10",
    "exception 2020-05-01 covid 2020-09-25 - @10",
};
static const char *const good_c009[] = {
    "request_received 2024-06-03 - - - @11",
    "exception 2024-07-24 school_closure 2024-09-03 - @11",
    "review_draft 2025-06-01 - - - @11",
    "review_final 2025-07-01 - - - @11",
};
/* The reason word "unspecified" without a start: dated at received_date. */
static const char *const good_c010[] = {
    "request_received 2024-06-04 - - - @12",
    "exception 2024-06-04 unspecified 2024-06-30 - @12",
};

static void check_good_set(const ehcp_case_set *set, const char *source) {
  CHECK_INT(ehcp_case_set_count(set), 10);
  for (int i = 0; i < 10; i++) {
    char id[8];
    snprintf(id, sizeof id, "C%03d", i + 1);
    CHECK_STR(ehcp_case_id(ehcp_case_set_get(set, (size_t)i)), id);
  }
  CHECK_EVENTS(set, "C001", good_c001, source);
  CHECK_EVENTS(set, "C002", good_c002, source);
  CHECK_EVENTS(set, "C003", good_c003, source);
  CHECK_EVENTS(set, "C004", good_c004, source);
  CHECK_EVENTS(set, "C005", good_c005, source);
  CHECK_EVENTS(set, "C006", good_c006, source);
  CHECK_EVENTS(set, "C007", good_c007, source);
  CHECK_EVENTS(set, "C008", good_c008, source);
  CHECK_EVENTS(set, "C009", good_c009, source);
  CHECK_EVENTS(set, "C010", good_c010, source);
  CHECK_ATTRS(set, "C001", good_c001_attrs);
  CHECK_ATTRS(set, "C002", good_c002_attrs);
  CHECK_ATTRS(set, "C003", good_c003_attrs);
  CHECK_ATTRS(set, "C004", good_c004_attrs);
  CHECK_ATTRS(set, "C005", good_c005_attrs);
  for (int i = 6; i <= 10; i++) {
    char id[8];
    snprintf(id, sizeof id, "C%03d", i);
    CHECK_INT(ehcp_case_attribute_count(ehcp_case_set_find(set, id)), 0);
  }
  /* Attribute lookups use the header as written. */
  const ehcp_case *c = ehcp_case_set_find(set, "C001");
  CHECK_STR(ehcp_case_attribute(c, "Team"), "North East");
  CHECK(ehcp_case_attribute(c, "team") == NULL);
}

static void test_good_file(void) {
  struct env e;
  env_new(&e);
  const char *path = fixture("cases-good.csv");
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_AUTO), EHCP_OK);
  CHECK_STR(ehcp_reader_errmsg(e.r), "");
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_CASES_CSV);
  check_counts(e.r, 10, 10, 0);
  CHECK_INT(ehcp_diagnostics_count(e.diags), 0);
  check_good_set(e.set, path);
  env_free(&e);
}

/* The same from a buffer with no name; and checked without adding. */
static void test_good_buffer(void) {
  struct env e;
  env_new(&e);
  size_t len;
  char *buf = slurp(fixture("cases-good.csv"), &len);
  CHECK_INT(ehcp_reader_read_buffer(e.r, buf, len, NULL, EHCP_FORMAT_CASES_CSV), EHCP_OK);
  check_counts(e.r, 10, 10, 0);
  check_good_set(e.set, NULL);
  env_free(&e);

  /* add = 0: the same checks and counts, nothing in the set. */
  env_new(&e);
  struct read_counts counts = {9, 9, 9};
  CHECK_INT(read_cases_csv_ex(e.r, buf, len, "g.csv", &counts, 0), EHCP_OK);
  CHECK_INT(counts.read, 10);
  CHECK_INT(counts.accepted, 10);
  CHECK_INT(counts.rejected, 0);
  CHECK_INT(ehcp_case_set_count(e.set), 0);
  CHECK_INT(ehcp_diagnostics_count(e.diags), 0);
  size_t elen;
  char *errors = slurp(fixture("cases-errors.csv"), &elen);
  CHECK_INT(read_cases_csv_ex(e.r, errors, elen, "e.csv", &counts, 0), EHCP_OK);
  CHECK_INT(counts.read, 41);
  CHECK_INT(counts.accepted, 3);
  CHECK_INT(counts.rejected, 38);
  CHECK_INT(ehcp_case_set_count(e.set), 0);
  CHECK_INT(ehcp_diagnostics_count(e.diags), 42);
  free(errors);
  env_free(&e);
  free(buf);
}

/* ---- cases-errors.csv ----------------------------------------------------------- */

static void test_errors(void) {
  struct env e;
  env_new(&e);
  const char *path = fixture("cases-errors.csv");
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_AUTO), EHCP_OK);
  CHECK_STR(ehcp_reader_errmsg(e.r), "");
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_CASES_CSV);
  check_counts(e.r, 41, 3, 38);
  static const char *const want[] = {
      /* A bad date in every kind of date column. */
      ("error bad_date 3 E002: received_date '2025-02-30' is not a date (no such day in that "
       "month)"),
      ("error bad_date 4 E003: assessment_decision_date '31/04/2025' is not a date (no such day "
       "in that month)"),
      "error bad_date 5 E004: issue_decision_date '2025-13-01' is not a date (month out of range)",
      ("error bad_date 6 E005: draft_issued_date '2025-01-15 ' is not a date (surrounding "
       "whitespace)"),
      "error bad_date 7 E006: final_issued_date '01/15/2025' is not a date (month out of range)",
      ("error bad_date 8 E007: exception_start 'yesterday' is not a date (not a recognised date "
       "form)"),
      "error bad_date 9 E008: exception_end '2025-Foo-01' is not a date (unknown month name)",
      ("error bad_date 10 E009: advice_ep_requested '2025-1-5' is not a date (wrong number of "
       "digits)"),
      "error bad_date 11 E010: advice_ep_received '32/01/2025' is not a date (day out of range)",
      ("error bad_date 12 E011: review_meeting_date '2025-06-01T00:00' is not a date (trailing "
       "characters)"),
      ("error bad_date 13 E012: review_decision_date '2022-Sep-28 01:00:00' is not a date (time "
       "must be 00:00:00)"),
      "error bad_date 14 E013: review_draft_date '0000-01-01' is not a date (year out of range)",
      "error bad_date 15 E014: review_final_date '2025-00-10' is not a date (month out of range)",
      ("error bad_date 16 E015: phase_transfer_date '2026-02-29' is not a date (no such day in "
       "that month)"),
      ("error bad_date 17 E016: phase_transfer_amended_date '2025/01/01' is not a date (not a "
       "recognised date form)"),
      "error bad_date 18 E017: ceased_date '29/02/2023' is not a date (no such day in that month)",
      /* Words outside the vocabulary (exact: 'Yes' is not 'yes'). */
      ("error unknown_detail 19 E018: unknown assessment_decision 'maybe' (expected yes, no or "
       "withdrawn)"),
      "error unknown_detail 20 E019: unknown issue_decision 'Yes' (expected yes, no or withdrawn)",
      ("error unknown_detail 21 E020: unknown review_decision 'continue' (expected maintain, "
       "amend or cease)"),
      ("error unknown_detail 22 E021: unknown request_source 'school' (expected parent, setting, "
       "health, social_care or other)"),
      ("error unknown_detail 23 E022: unknown exception 'holiday' (expected 0, 1, "
       "school_closure, early_years_closure, personal_circumstances, absence, "
       "appointment_missed, covid or unspecified)"),
      ("error unknown_detail 24 E023: unknown phase_transfer_kind 'college' (expected school, "
       "post16 or post16_other)"),
      /* A word without its date, a date without its word. */
      ("error missing_value 25 E024: assessment_decision is 'yes' but assessment_decision_date "
       "is empty"),
      ("error missing_value 26 E025: assessment_decision_date is set but assessment_decision is "
       "empty (expected yes, no or withdrawn)"),
      "error missing_value 27 E026: issue_decision is 'withdrawn' but issue_decision_date is empty",
      ("error missing_value 28 E027: review_decision_date is set but review_decision is empty "
       "(expected maintain, amend or cease)"),
      ("error missing_value 29 E028: phase_transfer_date is set but phase_transfer_kind is empty "
       "(expected school, post16 or post16_other)"),
      "error date_mismatch 30 E029: exception_start is set but exception is 0",
      ("error missing_value 31 E030: exception_end is set but exception is empty (expected 1 or "
       "a reason: school_closure, early_years_closure, personal_circumstances, absence, "
       "appointment_missed, covid or unspecified)"),
      "error missing_value 32 E031: received_date is empty",
      "error missing_value 33 -: case_id is empty",
      ("error duplicate_case 34 E001: case already has a row at line 2; a cases CSV has one row "
       "per case"),
      "error column_count 35 E032: row has 3 fields, the header has 24",
      "error column_count 36 E033: row has 25 fields, the header has 24",
      ("error bad_quoting 37 E034: quote inside unquoted field 24 (team); the rest of the line "
       "is skipped"),
      ("error bad_quoting 38 E035: unexpected 'x' after the closing quote of field 2 "
       "(received_date); the rest of the line is skipped"),
      /* Every problem of a row, in column order, then those between columns. */
      ("error bad_date 39 E036: received_date '2025-02-29' is not a date (no such day in that "
       "month)"),
      ("error unknown_detail 39 E036: unknown request_source 'Parent' (expected parent, "
       "setting, health, social_care or other)"),
      ("error unknown_detail 39 E036: unknown exception '2' (expected 0, 1, school_closure, "
       "early_years_closure, personal_circumstances, absence, appointment_missed, covid or "
       "unspecified)"),
      ("error missing_value 39 E036: assessment_decision is 'yes' but assessment_decision_date "
       "is empty"),
      ("error missing_value 39 E036: phase_transfer_date is set but phase_transfer_kind is empty "
       "(expected school, post16 or post16_other)"),
      ("error unterminated_quote 43 E039: quoted field 24 (team) is never closed: the rest of the "
       "file is part of it"),
  };
  CHECK_DIAGS(e.diags, 0, want, path);
  CHECK_INT(ehcp_diagnostics_count_severity(e.diags, EHCP_SEVERITY_ERROR), 42);
  /* Only the good rows made cases, the duplicate left E001 alone. */
  CHECK_INT(ehcp_case_set_count(e.set), 3);
  static const char *const e001[] = {"request_received 2025-01-15 - - - @2"};
  static const char *const e037[] = {"request_received 2025-01-15 - - - @40"};
  static const char *const e038[] = {"request_received 2025-01-15 setting - - @42"};
  CHECK_EVENTS(e.set, "E001", e001, path);
  CHECK_EVENTS(e.set, "E037", e037, path);
  CHECK_EVENTS(e.set, "E038", e038, path);
  static const char *const e001_attrs[] = {"team=a"};
  static const char *const e037_attrs[] = {"team=two\nlines"};
  CHECK_ATTRS(e.set, "E001", e001_attrs);
  CHECK_ATTRS(e.set, "E037", e037_attrs);
  CHECK_INT(ehcp_case_attribute_count(ehcp_case_set_find(e.set, "E038")), 0);
  CHECK(ehcp_case_set_find(e.set, "E002") == NULL);
  CHECK(ehcp_case_set_find(e.set, "E024") == NULL);
  CHECK(ehcp_case_set_find(e.set, "E039") == NULL);
  env_free(&e);
}

static void test_crlf_bom(void) {
  struct env e;
  env_new(&e);
  const char *path = fixture("cases-crlf-bom.csv");
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_AUTO), EHCP_OK);
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_CASES_CSV);
  check_counts(e.r, 2, 2, 0);
  CHECK_INT(ehcp_diagnostics_count(e.diags), 0);
  CHECK_INT(ehcp_case_set_count(e.set), 2);
  static const char *const b001[] = {"request_received 2025-01-15 parent - - @2"};
  static const char *const b002[] = {"request_received 2025-01-16 - - - @5"};
  CHECK_EVENTS(e.set, "B001", b001, path);
  CHECK_EVENTS(e.set, "B002", b002, path);
  static const char *const b001_attrs[] = {"team=multi\r\nline"};
  static const char *const b002_attrs[] = {"team=North"};
  CHECK_ATTRS(e.set, "B001", b001_attrs);
  CHECK_ATTRS(e.set, "B002", b002_attrs);
  env_free(&e);
}

static void test_header_only_empty_missing(void) {
  struct env e;
  env_new(&e);
  const char *path = fixture("cases-header-only.csv");
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_AUTO), EHCP_OK);
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_CASES_CSV);
  check_counts(e.r, 0, 0, 0);
  CHECK_INT(ehcp_diagnostics_count(e.diags), 0);
  CHECK_INT(ehcp_case_set_count(e.set), 0);

  /* Empty: by detection or forced, and a BOM with blank lines. */
  path = fixture("cases-empty.csv");
  char msg[1400];
  snprintf(msg, sizeof msg, "%s: file is empty", path);
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_AUTO), EHCP_ERR_PARSE);
  CHECK_STR(ehcp_reader_errmsg(e.r), msg);
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_CASES_CSV), EHCP_ERR_PARSE);
  CHECK_STR(ehcp_reader_errmsg(e.r), msg);
  check_counts(e.r, 0, 0, 0);
  static const char *const want_empty[] = {"error empty_file 0 -: file is empty",
                                           "error empty_file 0 -: file is empty"};
  CHECK_DIAGS(e.diags, 0, want_empty, path);
  ehcp_diagnostics_clear(e.diags);
  static const char bom_blank[] = "\xEF\xBB\xBF\n\r\n";
  CHECK_INT(READ(&e, bom_blank, "b.csv"), EHCP_ERR_PARSE);
  CHECK_STR(ehcp_reader_errmsg(e.r), "b.csv: file is empty");
  CHECK_INT(ehcp_diagnostics_count(e.diags), 1);

  /* No received_date column: the header is unusable, nothing is counted. */
  ehcp_diagnostics_clear(e.diags);
  path = fixture("cases-missing-column.csv");
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_CASES_CSV), EHCP_ERR_PARSE);
  snprintf(msg, sizeof msg, "%s:1: missing required column 'received_date'", path);
  CHECK_STR(ehcp_reader_errmsg(e.r), msg);
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_CASES_CSV);
  check_counts(e.r, 0, 0, 0);
  static const char *const want_missing[] = {
      "error missing_column 1 -: missing required column 'received_date' for a cases CSV"};
  CHECK_DIAGS(e.diags, 0, want_missing, path);
  CHECK_INT(ehcp_case_set_count(e.set), 0);

  /* Both missing, after blank lines: both reported, the first in errmsg. */
  ehcp_diagnostics_clear(e.diags);
  static const char neither[] = "\n\nteam,setting\nx,y\n";
  CHECK_INT(READ(&e, neither, "m.csv"), EHCP_ERR_PARSE);
  CHECK_STR(ehcp_reader_errmsg(e.r), "m.csv:3: missing required column 'case_id'");
  static const char *const want_neither[] = {
      "error missing_column 3 -: missing required column 'case_id' for a cases CSV",
      "error missing_column 3 -: missing required column 'received_date' for a cases CSV",
  };
  CHECK_DIAGS(e.diags, 0, want_neither, "m.csv");
  check_counts(e.r, 0, 0, 0);
  uint64_t t = 9;
  ehcp_reader_total_counts(&t, NULL, NULL, e.r);
  CHECK_INT(t, 0);
  env_free(&e);
}

static void test_header_problems(void) {
  struct env e;
  env_new(&e);
  /* The same recognised column twice (in any case): which one is meant? */
  static const char dup[] = "case_id,received_date,RECEIVED_DATE\nC1,2025-01-01,2025-01-02\n";
  CHECK_INT(READ(&e, dup, "d.csv"), EHCP_ERR_PARSE);
  CHECK_STR(ehcp_reader_errmsg(e.r), "d.csv:1: column 'received_date' appears more than once");
  static const char *const want_dup[] = {
      "error missing_column 1 -: column 'received_date' appears more than once (columns 2 and 3)"};
  CHECK_DIAGS(e.diags, 0, want_dup, "d.csv");
  check_counts(e.r, 0, 0, 0);
  CHECK_INT(ehcp_case_set_count(e.set), 0);

  /* Attributes are named by their header: two of a name are refused, and
   * every problem of the header is reported. */
  ehcp_diagnostics_clear(e.diags);
  static const char dup_attr[] =
      "case_id,Team,received_date,team,Case_Id,TEAM\nC1,a,2025-01-01,b,C1,c\n";
  CHECK_INT(READ(&e, dup_attr, "a.csv"), EHCP_ERR_PARSE);
  CHECK_STR(ehcp_reader_errmsg(e.r), "a.csv:1: column 'case_id' appears more than once");
  static const char *const want_dup_attr[] = {
      "error missing_column 1 -: column 'case_id' appears more than once (columns 1 and 5)",
      "error missing_column 1 -: column 'Team' appears more than once (columns 2 and 4)",
      "error missing_column 1 -: column 'Team' appears more than once (columns 2 and 6)",
  };
  CHECK_DIAGS(e.diags, 0, want_dup_attr, "a.csv");

  /* A header that cannot be tokenized. */
  ehcp_diagnostics_clear(e.diags);
  static const char badq[] = "case_id,\"received_date\"x\nC1,2025-01-01\n";
  CHECK_INT(READ(&e, badq, "q.csv"), EHCP_ERR_PARSE);
  CHECK_STR(ehcp_reader_errmsg(e.r), "q.csv:1: header row: bad quoting");
  static const char *const want_badq[] = {
      ("error bad_quoting 1 -: header row: unexpected 'x' after the closing quote of field 2; "
       "the rest of the line is skipped")};
  CHECK_DIAGS(e.diags, 0, want_badq, "q.csv");
  check_counts(e.r, 0, 0, 0);
  ehcp_diagnostics_clear(e.diags);
  static const char open[] = "case_id,\"received_date\n";
  CHECK_INT(READ(&e, open, "o.csv"), EHCP_ERR_PARSE);
  CHECK_STR(ehcp_reader_errmsg(e.r), "o.csv:1: header row: unterminated quote");
  static const char *const want_open[] = {
      ("error unterminated_quote 1 -: header row: quoted field 2 is never closed: the rest of "
       "the file is part of it")};
  CHECK_DIAGS(e.diags, 0, want_open, "o.csv");

  /* Unnamed columns are ignored; an advice column with an adviser we do not
   * know is read as an attribute, with a warning; names are trimmed. */
  ehcp_diagnostics_clear(e.diags);
  static const char odd[] =
      " case_id ,\treceived_date,,advice_teacher_requested,Advice_EP_Received,advice__received,"
      "advice_requested,\n"
      "U1,2025-01-10,x,2025-02-01,2025-03-01,p,q,\n";
  CHECK_INT(READ(&e, odd, "u.csv"), EHCP_OK);
  check_counts(e.r, 1, 1, 0);
  static const char *const want_odd[] = {
      "note column_count 1 -: columns 3, 8 have no name and are ignored",
      ("warning unknown_detail 1 -: column 'advice_teacher_requested' is read as an attribute: "
       "'teacher' is not an adviser (education, early_years, ep, health, social_care or other)"),
  };
  CHECK_DIAGS(e.diags, 0, want_odd, "u.csv");
  static const char *const u1[] = {"request_received 2025-01-10 - - - @2",
                                   "advice_received 2025-03-01 ep - - @2"};
  CHECK_EVENTS(e.set, "U1", u1, "u.csv");
  static const char *const u1_attrs[] = {"advice_teacher_requested=2025-02-01",
                                         "advice__received=p", "advice_requested=q"};
  CHECK_ATTRS(e.set, "U1", u1_attrs);

  ehcp_diagnostics_clear(e.diags);
  static const char one_unnamed[] = "case_id,received_date, \n";
  CHECK_INT(READ(&e, one_unnamed, "n.csv"), EHCP_OK);
  static const char *const want_one[] = {
      "note column_count 1 -: column 3 has no name and is ignored"};
  CHECK_DIAGS(e.diags, 0, want_one, "n.csv");
  env_free(&e);
}

/* ---- column mappings --------------------------------------------------------------- */

static void map_all(ehcp_reader *r) {
  static const char *const maps[][2] = {
      {"case_id", "Case ref"},
      {"PERSON_ID", "child id"},                      /* field names ignore case */
      {"received_date", " Date request received\t"}, /* headers are trimmed */
      {"request_source", "Source"},
      {"assessment_decision", "Decision to assess"},
      {"assessment_decision_date", "Date of decision"},
      {"final_issued_date", "Final EHCP issued"},
      {"exception", "Exception reason"},
      {"exception_start", "Exception from"},
  };
  for (size_t i = 0; i < sizeof maps / sizeof *maps; i++)
    CHECK_INT(ehcp_reader_map_column(r, maps[i][0], maps[i][1]), EHCP_OK);
}

static void test_map_api(void) {
  struct env e;
  env_new(&e);
  CHECK_INT(ehcp_reader_map_column(NULL, "case_id", "x"), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_reader_map_column(e.r, NULL, "x"), EHCP_ERR_INVALID);
  CHECK_STR(ehcp_reader_errmsg(e.r), "field is NULL");
  CHECK_INT(ehcp_reader_map_column(e.r, "case_id", NULL), EHCP_ERR_INVALID);
  CHECK_STR(ehcp_reader_errmsg(e.r), "header is NULL");
  CHECK_INT(ehcp_reader_map_column(e.r, "received", "Date"), EHCP_ERR_INVALID);
  CHECK_STR(ehcp_reader_errmsg(e.r), "unknown field 'received': not a cases CSV column");
  CHECK_INT(ehcp_reader_map_column(e.r, "advice_teacher_requested", "T"), EHCP_ERR_INVALID);
  CHECK_STR(ehcp_reader_errmsg(e.r),
            "unknown field 'advice_teacher_requested': not a cases CSV column");
  CHECK_INT(ehcp_reader_map_column(e.r, "team", "Team name"), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_reader_map_column(e.r, "", "x"), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_reader_map_column(e.r, "received_date", " \t "), EHCP_ERR_INVALID);
  CHECK_STR(ehcp_reader_errmsg(e.r), "header for received_date is empty");
  CHECK_INT(ehcp_reader_map_column(e.r, "received_date", "Date in"), EHCP_OK);
  CHECK_STR(ehcp_reader_errmsg(e.r), "");
  CHECK_INT(ehcp_reader_map_column(e.r, "Received_Date", "DATE IN"), EHCP_OK); /* again */
  CHECK_INT(ehcp_reader_map_column(e.r, "final_issued_date", "date in "), EHCP_ERR_INVALID);
  CHECK_STR(ehcp_reader_errmsg(e.r), "column 'date in' is already mapped to received_date");
  CHECK_INT(ehcp_reader_map_column(e.r, "received_date", "Received on"), EHCP_OK); /* a second */
  CHECK_INT(ehcp_reader_map_column(e.r, "advice_social_care_received", "SC advice"), EHCP_OK);

  /* The mappings are used: a file with either name, or the recognised one. */
  static const char one[] = "case_id,Date in,SC advice\nA1,2025-01-02,2025-02-03\n";
  CHECK_INT(read_text(&e, one, sizeof one - 1, "1.csv", EHCP_FORMAT_CASES_CSV), EHCP_OK);
  static const char other[] = "received on,case_id\n2025-01-03,A2\n";
  CHECK_INT(read_text(&e, other, sizeof other - 1, "2.csv", EHCP_FORMAT_CASES_CSV), EHCP_OK);
  static const char plain[] = "received_date,case_id\n2025-01-04,A3\n";
  CHECK_INT(read_text(&e, plain, sizeof plain - 1, "3.csv", EHCP_FORMAT_CASES_CSV), EHCP_OK);
  CHECK_INT(ehcp_diagnostics_count(e.diags), 0);
  static const char *const a1[] = {"request_received 2025-01-02 - - - @2",
                                   "advice_received 2025-02-03 social_care - - @2"};
  static const char *const a2[] = {"request_received 2025-01-03 - - - @2"};
  static const char *const a3[] = {"request_received 2025-01-04 - - - @2"};
  CHECK_EVENTS(e.set, "A1", a1, "1.csv");
  CHECK_EVENTS(e.set, "A2", a2, "2.csv");
  CHECK_EVENTS(e.set, "A3", a3, "3.csv");
  CHECK_INT(ehcp_case_attribute_count(ehcp_case_set_find(e.set, "A1")), 0);

  /* Two columns for one field, by two names: refused. */
  static const char both[] = "case_id,Date in,received_date,Received On\nA4,2025-01-02,,\n";
  CHECK_INT(read_text(&e, both, sizeof both - 1, "b.csv", EHCP_FORMAT_CASES_CSV),
            EHCP_ERR_PARSE);
  CHECK_STR(ehcp_reader_errmsg(e.r), "b.csv:1: more than one column for received_date");
  static const char *const want_both[] = {
      "error missing_column 1 -: columns 2 ('Date in') and 3 ('received_date') are both received_date",
      "error missing_column 1 -: columns 2 ('Date in') and 4 ('Received On') are both received_date",
  };
  CHECK_DIAGS(e.diags, 0, want_both, "b.csv");
  ehcp_diagnostics_clear(e.diags);
  static const char twice[] = "case_id,Date in,DATE IN\nA5,2025-01-02,\n";
  CHECK_INT(read_text(&e, twice, sizeof twice - 1, "t.csv", EHCP_FORMAT_CASES_CSV),
            EHCP_ERR_PARSE);
  static const char *const want_twice[] = {
      "error missing_column 1 -: column 'Date in' appears more than once (columns 2 and 3)"};
  CHECK_DIAGS(e.diags, 0, want_twice, "t.csv");

  /* The missing required column names its mapped headers too. */
  ehcp_diagnostics_clear(e.diags);
  static const char none[] = "case_id,team\nA6,x\n";
  CHECK_INT(read_text(&e, none, sizeof none - 1, "n.csv", EHCP_FORMAT_CASES_CSV),
            EHCP_ERR_PARSE);
  CHECK_STR(ehcp_reader_errmsg(e.r), "n.csv:1: missing required column 'received_date'");
  static const char *const want_none[] = {
      ("error missing_column 1 -: missing required column 'received_date' (or 'Date in' or "
       "'Received on') for a cases CSV")};
  CHECK_DIAGS(e.diags, 0, want_none, "n.csv");

  /* Mappings are for cases CSV only: an events CSV read ignores them. */
  ehcp_diagnostics_clear(e.diags);
  CHECK_INT(ehcp_reader_map_column(e.r, "case_id", "Ref"), EHCP_OK);
  static const char ev[] = "Ref,event,date\nA7,final_issued,2025-06-01\n";
  CHECK_INT(read_text(&e, ev, sizeof ev - 1, "ev.csv", EHCP_FORMAT_EVENTS_CSV), EHCP_ERR_PARSE);
  static const char *const want_ev[] = {
      "error missing_column 1 -: missing required column 'case_id' for an events CSV"};
  CHECK_DIAGS(e.diags, 0, want_ev, "ev.csv");
  env_free(&e);
}

static void test_mapped_file(void) {
  struct env e;
  env_new(&e);
  map_all(e.r);
  const char *path = fixture("cases-mapped.csv");
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_CASES_CSV), EHCP_OK);
  CHECK_STR(ehcp_reader_errmsg(e.r), "");
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_CASES_CSV);
  check_counts(e.r, 3, 2, 1);
  static const char *const want[] = {
      ("error bad_date 4 M003: received_date (column 'Date request received') '31/02/2025' is "
       "not a date (no such day in that month)"),
  };
  CHECK_DIAGS(e.diags, 0, want, path);
  CHECK_INT(ehcp_case_set_count(e.set), 2);
  static const char *const m001[] = {
      "request_received 2025-01-15 parent - - @2",
      "assessment_decision 2025-02-20 yes - - @2",
      "exception 2025-03-03 absence - - @2",
      "final_issued 2025-06-02 - - - @2",
  };
  static const char *const m002[] = {
      "request_received 2025-01-16 setting - - @3",
      "assessment_decision 2025-02-21 no - - @3",
  };
  CHECK_EVENTS(e.set, "M001", m001, path);
  CHECK_EVENTS(e.set, "M002", m002, path);
  /* A mapped person_id is still the attribute person_id. */
  static const char *const m001_attrs[] = {"person_id=UPN1", "Team=North"};
  static const char *const m002_attrs[] = {"person_id=UPN2", "Team=South"};
  CHECK_ATTRS(e.set, "M001", m001_attrs);
  CHECK_ATTRS(e.set, "M002", m002_attrs);

  /* Detection does not know the mappings (documented): given AUTO, the
   * file is not recognised. */
  ehcp_diagnostics_clear(e.diags);
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_AUTO), EHCP_ERR_PARSE);
  CHECK_INT(ehcp_diagnostics_get(e.diags, 0)->code, EHCP_DIAG_UNKNOWN_FORMAT);
  check_counts(e.r, 0, 0, 0);

  /* Messages name the mapped column in every kind of diagnostic. */
  ehcp_diagnostics_clear(e.diags);
  static const char text[] = "Case ref,Date request received,Decision to assess,Date of decision,"
                             "Exception reason,Exception from\n"
                             "M9,,maybe,,0,2025-01-01\n";
  CHECK_INT(READ(&e, text, "m.csv"), EHCP_OK);
  static const char *const want_text[] = {
      ("error unknown_detail 2 M9: unknown assessment_decision (column 'Decision to assess') "
       "'maybe' (expected yes, no or withdrawn)"),
      "error missing_value 2 M9: received_date (column 'Date request received') is empty",
      ("error missing_value 2 M9: assessment_decision (column 'Decision to assess') is 'maybe' "
       "but assessment_decision_date (column 'Date of decision') is empty"),
      ("error date_mismatch 2 M9: exception_start (column 'Exception from') is set but exception "
       "(column 'Exception reason') is 0"),
  };
  CHECK_DIAGS(e.diags, 0, want_text, "m.csv");
  env_free(&e);

  /* A mapped header takes precedence over a recognised name: columns can
   * be swapped. */
  env_new(&e);
  CHECK_INT(ehcp_reader_map_column(e.r, "draft_issued_date", "final_issued_date"), EHCP_OK);
  CHECK_INT(ehcp_reader_map_column(e.r, "final_issued_date", "draft_issued_date"), EHCP_OK);
  static const char swap[] = "case_id,received_date,draft_issued_date,final_issued_date\n"
                             "S1,2025-01-01,2025-06-01,2025-05-01\n";
  CHECK_INT(READ(&e, swap, "s.csv"), EHCP_OK);
  static const char *const s1[] = {"request_received 2025-01-01 - - - @2",
                                   "draft_issued 2025-05-01 - - - @2",
                                   "final_issued 2025-06-01 - - - @2"};
  CHECK_EVENTS(e.set, "S1", s1, "s.csv");
  CHECK_INT(ehcp_diagnostics_count(e.diags), 0);
  env_free(&e);
}

/* ---- row details ------------------------------------------------------------------ */

static void test_row_details(void) {
  struct env e;
  env_new(&e);
  /* Pairs and exceptions when the partner column is absent from the file. */
  static const char absent[] = "received_date,case_id,assessment_decision,review_decision_date,"
                               "exception_end\n"
                               "2025-01-01,P1,yes,2026-01-01,2025-02-01\n"
                               "2025-01-01\n"                   /* no case id to name */
                               "2025-01-01,\"P2\",\"\",\"\",\"\"\n"; /* quoted empty = empty */
  CHECK_INT(READ(&e, absent, "p.csv"), EHCP_OK);
  check_counts(e.r, 3, 1, 2);
  static const char *const want_absent[] = {
      ("error missing_value 2 P1: assessment_decision is 'yes' but the file has no "
       "assessment_decision_date column"),
      ("error missing_value 2 P1: review_decision_date is set but the file has no "
       "review_decision column (maintain, amend or cease)"),
      "error missing_value 2 P1: exception_end is set but the file has no exception column",
      "error column_count 3 -: row has 1 field, the header has 5",
  };
  CHECK_DIAGS(e.diags, 0, want_absent, "p.csv");
  static const char *const p2[] = {"request_received 2025-01-01 - - - @4"};
  CHECK_EVENTS(e.set, "P2", p2, "p.csv");

  /* Cells are not trimmed; words are exact; long and odd cells are cut and
   * escaped in messages. */
  ehcp_diagnostics_clear(e.diags);
  char longrow[600];
  snprintf(longrow, sizeof longrow,
           "case_id,received_date,request_source,team\n"
           " T1 ,2025-01-01, parent,\" x \"\n"
           "T2,2025-01-01,%s,\n",
           "\"aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffgg"
           "\xE2\x82\xACgggg\ttail\"");
  CHECK_INT(read_text(&e, longrow, strlen(longrow), "l.csv", EHCP_FORMAT_AUTO), EHCP_OK);
  check_counts(e.r, 2, 0, 2);
  static const char *const want_long[] = {
      ("error unknown_detail 2  T1 : unknown request_source ' parent' (expected parent, setting, "
       "health, social_care or other)"),
      ("error unknown_detail 3 T2: unknown request_source "
       "'aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffgg...' (expected parent, "
       "setting, health, social_care or other)"),
  };
  CHECK_DIAGS(e.diags, 0, want_long, "l.csv");

  /* A NUL byte would cut a C string short: such cells are refused. */
  ehcp_diagnostics_clear(e.diags);
  static const char nul[] = "case_id,received_date,person_id,team,exception\n"
                            "N\0001,2025-01-01,,,\n"
                            "N2,2025-01-01,P\0,,\n"
                            "N3,2025-01-01,,t\0x,\n"
                            "N4,2025-01-01,,,1\0\n"
                            "N5,2025-01-0\0,,,\n"
                            "N6,2025-01-01,P6,t6,\n";
  CHECK_INT(READ(&e, nul, "z.csv"), EHCP_OK);
  check_counts(e.r, 6, 1, 5);
  static const char *const want_nul[] = {
      "error missing_value 2 N: case_id contains a NUL byte",
      "error missing_value 3 N2: person_id contains a NUL byte",
      "error missing_value 4 N3: field 4 (team) contains a NUL byte",
      ("error unknown_detail 5 N4: unknown exception '1\\x00' (expected 0, 1, school_closure, "
       "early_years_closure, personal_circumstances, absence, appointment_missed, covid or "
       "unspecified)"),
      "error bad_date 6 N5: received_date '2025-01-0\\x00' is not a date (wrong number of digits)",
  };
  CHECK_DIAGS(e.diags, 0, want_nul, "z.csv");
  CHECK(ehcp_case_set_find(e.set, "N2") == NULL);
  CHECK(ehcp_case_set_find(e.set, "N3") == NULL);
  static const char *const n6_attrs[] = {"person_id=P6", "team=t6"};
  CHECK_ATTRS(e.set, "N6", n6_attrs);

  /* Ids are unique within a file, not across files: a case already in the
   * set (from an events CSV or another cases CSV) gets this row's events. */
  ehcp_diagnostics_clear(e.diags);
  static const char ev[] = "case_id,event,date\nK1,final_issued,2025-06-01\n";
  CHECK_INT(read_text(&e, ev, sizeof ev - 1, "k.csv", EHCP_FORMAT_AUTO), EHCP_OK);
  static const char k1_csv[] = "case_id,received_date,team\nK1,2025-01-01,North\n";
  CHECK_INT(READ(&e, k1_csv, "k1.csv"), EHCP_OK);
  CHECK_INT(READ(&e, k1_csv, "k2.csv"), EHCP_OK);
  CHECK_INT(ehcp_diagnostics_count(e.diags), 0);
  static const char *const k1[] = {"request_received 2025-01-01 - - - @2",
                                   "request_received 2025-01-01 - - - @2",
                                   "final_issued 2025-06-01 - - - @2"};
  CHECK_EVENTS(e.set, "K1", k1, ANY_SOURCE); /* sources differ: checked below */
  const ehcp_case *c = ehcp_case_set_find(e.set, "K1");
  const char *src = NULL;
  ehcp_case_event_source(&src, NULL, c, 0);
  CHECK_STR(src, "k1.csv");
  ehcp_case_event_source(&src, NULL, c, 1);
  CHECK_STR(src, "k2.csv");
  ehcp_case_event_source(&src, NULL, c, 2);
  CHECK_STR(src, "k.csv");

  /* A duplicate of a rejected row is still a duplicate: the first row of an
   * id owns it. */
  ehcp_diagnostics_clear(e.diags);
  static const char dup[] = "case_id,received_date\nD1,2025-02-30\nD1,2025-01-01\nD2,2025-01-01\n";
  CHECK_INT(READ(&e, dup, "dd.csv"), EHCP_OK);
  check_counts(e.r, 3, 1, 2);
  static const char *const want_dup[] = {
      "error bad_date 2 D1: received_date '2025-02-30' is not a date (no such day in that month)",
      "error duplicate_case 3 D1: case already has a row at line 2; a cases CSV has one row per case",
  };
  CHECK_DIAGS(e.diags, 0, want_dup, "dd.csv");
  CHECK(ehcp_case_set_find(e.set, "D1") == NULL);
  env_free(&e);
}

/* The reader's own fast path for YYYY-MM-DD must agree with
 * ehcp_date_parse() on every cell, accepted or not. */
static void test_date_forms(void) {
  static const char *const cells[] = {
      "2024-02-29", "2023-02-29", "2025-00-10", "2025-13-01", "2025-12-31", "2025-12-32",
      "0000-01-01", "0001-01-01", "9999-12-31", "2025-1a-01", "2025-01-3x", "2025-04-31",
      "1900-02-29", "2000-02-29", "2025-06-00", "2025-06-15", "15/06/2025", "2025-Jun-15",
      "2025-06-15 00:00:00", "20250615", "2025-06-15 ", "+025-06-15", "2025_06_15",
      "2025-06-1",  "2025-6-15",  ("\xEF\xBC\x92" "025-06-15"), /* a full-width 2 */
  };
  size_t n = sizeof cells / sizeof *cells;
  char text[4096];
  size_t len = (size_t)snprintf(text, sizeof text, "case_id,received_date\n");
  for (size_t i = 0; i < n; i++)
    len += (size_t)snprintf(text + len, sizeof text - len, "F%zu,%s\n", i, cells[i]);
  struct env e;
  env_new(&e);
  CHECK_INT(read_text(&e, text, len, "f.csv", EHCP_FORMAT_CASES_CSV), EHCP_OK);
  size_t accepted = 0, bad = 0, d = 0;
  for (size_t i = 0; i < n; i++) {
    ehcp_date want;
    const char *why = "";
    int ok = ehcp_date_parse(&want, cells[i], strlen(cells[i]), &why) == EHCP_OK;
    char id[16];
    snprintf(id, sizeof id, "F%zu", i);
    const ehcp_case *c = ehcp_case_set_find(e.set, id);
    ehcp_date got = EHCP_DATE_NONE;
    if (c)
      ehcp_case_event(NULL, &got, NULL, NULL, NULL, c, 0);
    if (ok) {
      accepted++;
      if (!c || got != want)
        bad++;
    } else {
      /* Rejected with the parser's own reason. */
      char msg[200];
      snprintf(msg, sizeof msg, "received_date '%s' is not a date (%s)", cells[i], why);
      const struct ehcp_diagnostic *x = ehcp_diagnostics_get(e.diags, d++);
      if (c || !x || strcmp(x->message, msg) != 0 || strcmp(x->case_id, id) != 0)
        bad++;
    }
  }
  CHECK_INT(bad, 0);
  CHECK_INT(accepted, 8);
  check_counts(e.r, n, accepted, n - accepted);
  CHECK_INT(ehcp_diagnostics_count(e.diags), n - accepted);
  env_free(&e);
}

/* ---- a large generated buffer ------------------------------------------------------ */

struct expect_diag {
  uint32_t line;
  int code;
  char id[12];
};

/* 100,000 rows with bad ones injected at known rows and a two-line quoted
 * cell now and then (so lines drift from row numbers): every bad row is
 * reported once at its line with its case, every good one is a case with
 * exactly its events, each at its line. */
static void test_large(void) {
  enum { ROWS = 100000 };
  size_t cap = (size_t)ROWS * 160 + 200, len = 0;
  char *buf = malloc(cap);
  struct expect_diag *want = malloc(sizeof *want * ROWS);
  uint32_t *row_line = malloc(sizeof *row_line * (ROWS + 1));
  unsigned char *good = calloc(ROWS + 1, 1), *nevents = calloc(ROWS + 1, 1);
  size_t nwant = 0, ngood = 0, events_want = 0;
  len += (size_t)snprintf(buf + len, cap - len,
                          "case_id,received_date,request_source,assessment_decision,"
                          "assessment_decision_date,final_issued_date,exception,"
                          "exception_start,advice_ep_requested,team\n");
  uint32_t line = 2;
  for (int i = 1; i <= ROWS; i++) {
    char d0[16], d1[16], d2[16], id[12], team[32];
    snprintf(id, sizeof id, "L%06d", i);
    snprintf(d0, sizeof d0, "%04d-%02d-%02d", 2019 + i % 7, 1 + i % 12, 1 + i % 28);
    snprintf(d1, sizeof d1, "%02d/%02d/%04d", 1 + i % 28, 1 + (i + 3) % 12, 2019 + i % 7);
    snprintf(d2, sizeof d2, "%04d-%s-%02d", 2020 + i % 6, i % 2 ? "Mar" : "Oct", 1 + i % 28);
    int two_lines = i % 101 == 0;
    snprintf(team, sizeof team, two_lines ? "\"t%d\nx\"" : "t%d", i % 13);
    const char *source = i % 5 == 0 ? "" : "parent";
    int decided = i % 2 == 0, final = i % 4 == 0, exc = i % 10 == 5, ep = i % 3 == 0;
    int code = 0;
    const char *diag_id = id;
    char row[256];
    if (i % 7001 == 0) { /* a field short: the team */
      snprintf(row, sizeof row, "%s,%s,%s,,,,,,\n", id, d0, source);
      code = EHCP_DIAG_COLUMN_COUNT;
      two_lines = 0;
    } else if (i % 4999 == 0) {
      snprintf(row, sizeof row, "%s,%s,%s,,,,,,,t\"q\n", id, d0, source);
      code = EHCP_DIAG_BAD_QUOTING;
      two_lines = 0;
    } else if (i % 3001 == 0) { /* row 1's id again */
      snprintf(row, sizeof row, "L000001,%s,%s,,,,,,,%s\n", d0, source, team);
      code = EHCP_DIAG_DUPLICATE_CASE;
      diag_id = "L000001";
    } else if (i % 2003 == 0) {
      snprintf(row, sizeof row, "%s,%s,%s,yes,,,,,,%s\n", id, d0, source, team);
      code = EHCP_DIAG_MISSING_VALUE;
    } else if (i % 1499 == 0) {
      snprintf(row, sizeof row, "%s,%s,%s,perhaps,%s,,,,,%s\n", id, d0, source, d1, team);
      code = EHCP_DIAG_UNKNOWN_DETAIL;
    } else if (i % 997 == 0) {
      snprintf(row, sizeof row, "%s,2023-02-29,%s,,,,,,,%s\n", id, source, team);
      code = EHCP_DIAG_BAD_DATE;
    } else {
      snprintf(row, sizeof row, "%s,%s,%s,%s,%s,%s,%s,,%s,%s\n", id, d0, source,
               decided ? "yes" : "", decided ? d1 : "", final ? d2 : "", exc ? "1" : "0",
               ep ? d1 : "", team);
      good[i] = 1;
      nevents[i] = (unsigned char)(1 + decided + final + exc + ep);
      events_want += nevents[i];
      ngood++;
    }
    len += (size_t)snprintf(buf + len, cap - len, "%s", row);
    row_line[i] = line;
    if (code) {
      want[nwant].line = line;
      want[nwant].code = code;
      snprintf(want[nwant].id, sizeof want[nwant].id, "%s", diag_id);
      nwant++;
    }
    line += two_lines ? 2 : 1;
  }
  char *data = exact(buf, len);
  free(buf);

  struct env e;
  env_new(&e);
  CHECK_INT(ehcp_reader_read_buffer(e.r, data, len, "big.csv", EHCP_FORMAT_AUTO), EHCP_OK);
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_CASES_CSV);
  check_counts(e.r, ROWS, ngood, nwant);
  CHECK_INT(nwant, 14 + 20 + 33 + 49 + 66 + 100); /* the generator did its job */
  CHECK_INT(ngood, ROWS - 282);
  CHECK_INT(ehcp_diagnostics_count(e.diags), nwant);
  size_t bad = 0;
  for (size_t i = 0; i < nwant && i < ehcp_diagnostics_count(e.diags); i++) {
    const struct ehcp_diagnostic *x = ehcp_diagnostics_get(e.diags, i);
    if (x->line != want[i].line || x->code != want[i].code || !x->case_id ||
        strcmp(x->case_id, want[i].id) != 0 || x->severity != EHCP_SEVERITY_ERROR) {
      if (bad++ < 5)
        fprintf(stderr, "diagnostic %zu: line %u code %d case %s, want line %u code %d case %s\n",
                i, x->line, x->code, x->case_id ? x->case_id : "-", want[i].line,
                want[i].code, want[i].id);
    }
  }
  CHECK_INT(bad, 0);
  /* Every good row is a case with its events, all at its line. */
  CHECK_INT(ehcp_case_set_count(e.set), ngood);
  size_t events_total = 0, wrong = 0;
  for (int i = 1; i <= ROWS; i++) {
    char id[12];
    snprintf(id, sizeof id, "L%06d", i);
    const ehcp_case *c = ehcp_case_set_find(e.set, id);
    if (!good[i]) {
      wrong += c != NULL;
      continue;
    }
    if (!c || ehcp_case_event_count(c) != nevents[i] || ehcp_case_attribute_count(c) != 1) {
      wrong++;
      continue;
    }
    for (size_t k = 0; k < ehcp_case_event_count(c); k++) {
      uint32_t l = 0;
      ehcp_case_event_source(NULL, &l, c, k);
      wrong += l != row_line[i];
      events_total++;
    }
  }
  CHECK_INT(wrong, 0);
  CHECK_INT(events_total, events_want);

  /* Read again into the same set: the ids are new to that file, so only
   * the injected rows are rejected; totals add up, last counts are per read. */
  ehcp_diagnostics_clear(e.diags);
  CHECK_INT(ehcp_reader_read_buffer(e.r, data, len, "big2.csv", EHCP_FORMAT_CASES_CSV),
            EHCP_OK);
  check_counts(e.r, ROWS, ngood, nwant);
  uint64_t a, b, c;
  ehcp_reader_total_counts(&a, &b, &c, e.r);
  CHECK_INT(a, 2 * ROWS);
  CHECK_INT(b, 2 * ngood);
  CHECK_INT(c, 2 * nwant);
  CHECK_INT(ehcp_diagnostics_count(e.diags), nwant);
  CHECK_INT(ehcp_case_set_count(e.set), ngood);
  CHECK_INT(ehcp_case_event_count(ehcp_case_set_find(e.set, "L000002")), 2 * nevents[2]);
  env_free(&e);
  free(data);
  free(want);
  free(row_line);
  free(good);
  free(nevents);
}

/* Totals over a sequence of reads of every kind, failures included. */
static void test_totals(void) {
  struct env e;
  env_new(&e);
  ehcp_reader_read_file(e.r, fixture("cases-good.csv"), 0);
  ehcp_reader_read_file(e.r, fixture("cases-errors.csv"), 0);
  ehcp_reader_read_file(e.r, fixture("cases-empty.csv"), 0);
  ehcp_reader_read_file(e.r, fixture("cases-missing-column.csv"), EHCP_FORMAT_CASES_CSV);
  ehcp_reader_read_file(e.r, fixture("cases-crlf-bom.csv"), 0);
  ehcp_reader_read_file(e.r, fixture("events-good.csv"), 0);
  check_counts(e.r, 14, 14, 0);
  uint64_t a, b, c;
  ehcp_reader_total_counts(&a, &b, &c, e.r);
  CHECK_INT(a, 10 + 41 + 2 + 14);
  CHECK_INT(b, 10 + 3 + 2 + 14);
  CHECK_INT(c, 38);
  env_free(&e);
}

/* Make every allocation fail in turn: reads and mappings return
 * EHCP_ERR_NOMEM (or succeed when the failed allocation had a fallback),
 * counts stay exact, everything is freed and the reader stays usable. */
static void test_allocation_failures(void) {
#ifdef CHAOS
  size_t len_e, len_g, len_m;
  char *errors = slurp(fixture("cases-errors.csv"), &len_e);
  char *good = slurp(fixture("cases-good.csv"), &len_g);
  char *mapped = slurp(fixture("cases-mapped.csv"), &len_m);
  int nomem = 0, bad = 0;
  long n;
  for (n = 1; n < 100000; n++) {
    long live = chaos_live;
    struct env e;
    env_new(&e);
    chaos_count = 0;
    chaos_fail_at = n;
    int rc1 = ehcp_reader_read_buffer(e.r, errors, len_e, "e.csv", EHCP_FORMAT_AUTO);
    int rc2 = ehcp_reader_read_buffer(e.r, good, len_g, "g.csv", EHCP_FORMAT_AUTO);
    int rc3 = ehcp_reader_map_column(e.r, "case_id", "Case ref");
    int rc4 = ehcp_reader_map_column(e.r, "received_date", "Date request received");
    int rc5 = ehcp_reader_read_buffer(e.r, mapped, len_m, "m.csv", EHCP_FORMAT_CASES_CSV);
    long used = chaos_count;
    chaos_fail_at = 0;
    if (used == 0) { /* valgrind replaces malloc before we can */
      env_free(&e);
      printf("allocation failures: skipped, malloc is not ours here\n");
      break;
    }
    int rcs[] = {rc1, rc2, rc3, rc4, rc5};
    uint64_t a, b, c;
    ehcp_reader_total_counts(&a, &b, &c, e.r);
    if (a != b + c)
      bad++;
    int failed = 0;
    for (int k = 0; k < 5; k++) {
      /* The mapped read fails on its header when a mapping was lost. */
      if (rcs[k] == EHCP_ERR_NOMEM)
        failed = 1;
      else if (rcs[k] != EHCP_OK && !(k == 4 && rcs[k] == EHCP_ERR_PARSE && (rc3 || rc4)))
        bad++;
    }
    if (failed) {
      nomem++;
      /* The reader is still usable once memory is back. */
      ehcp_diagnostics_clear(e.diags);
      if (ehcp_reader_read_buffer(e.r, errors, len_e, "e.csv", EHCP_FORMAT_AUTO) != EHCP_OK ||
          ehcp_diagnostics_count(e.diags) != 42)
        bad++;
    }
    env_free(&e);
    if (chaos_live != live) {
      if (bad++ < 5)
        fprintf(stderr, "allocation %ld failed: %ld blocks leaked\n", n, chaos_live - live);
    }
    if (used < n)
      break; /* every allocation has had its turn */
  }
  CHECK_INT(bad, 0);
  if (n > 1) {
    CHECK(nomem > 20);
    CHECK(n > 20);
  }
  free(errors);
  free(good);
  free(mapped);
#endif
}

int main(void) {
  const char *dir = getenv("EHCP_TEST_DATA");
  snprintf(data_dir, sizeof data_dir, "%s", dir ? dir : "test/data");
  test_good_file();
  test_good_buffer();
  test_errors();
  test_crlf_bom();
  test_header_only_empty_missing();
  test_header_problems();
  test_map_api();
  test_mapped_file();
  test_row_details();
  test_date_forms();
  test_large();
  test_totals();
  test_allocation_failures();
  return check_done("cases_csv");
}
