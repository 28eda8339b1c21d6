/* Unit tests for lib/reader.c: events and attributes CSV into a case set,
 * format detection, exact row accounting and diagnostics.
 *
 * Fixtures are in $EHCP_TEST_DATA/csv/ and are read through
 * ehcp_reader_read_file() (mmap) as well as from exact-size buffers (no NUL
 * after the data, so a read past the end shows up under ASan and valgrind).
 * Expectations are whole: every case, every event (type, date, detail, end,
 * ref, source line) and every diagnostic (severity, code, line, case, message).
 * For a manual run: EHCP_TEST_DATA=/work/main/test/data ./build/test/test_reader */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "ehcp/case.h"
#include "ehcp/diagnostic.h"
#include "ehcp/reader.h"

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

/* "TYPE DATE DETAIL END REF @LINE" ("-" for absent parts). */
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
  if (source && (!src || strcmp(src, source) != 0))
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

static void check_counts(const ehcp_reader *r, uint64_t read, uint64_t accepted,
                         uint64_t rejected) {
  uint64_t a = 99, b = 99, c = 99;
  ehcp_reader_last_counts(&a, &b, &c, r);
  CHECK_INT(a, read);
  CHECK_INT(b, accepted);
  CHECK_INT(c, rejected);
  CHECK_INT(a, b + c);
}

/* Running totals the test expects of its reader. */
static uint64_t want_total[3];

static void add_total(uint64_t read, uint64_t accepted, uint64_t rejected) {
  want_total[0] += read;
  want_total[1] += accepted;
  want_total[2] += rejected;
}

static void check_totals(const ehcp_reader *r) {
  uint64_t a = 0, b = 0, c = 0;
  ehcp_reader_total_counts(&a, &b, &c, r);
  CHECK_INT(a, want_total[0]);
  CHECK_INT(b, want_total[1]);
  CHECK_INT(c, want_total[2]);
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

/* ---- fixtures --------------------------------------------------------------- */

static const char *const good_c001[] = {
    "request_received 2025-01-15 parent - - @2",
    "assessment_decision 2025-02-20 yes - - @3",
    "advice_requested 2025-02-21 education - URN123456 @4",
    "advice_received 2025-04-01 education - URN123456 @5",
    "draft_issued 2025-05-06 - - - @13",
    "final_issued 2025-06-02 - - - @6",
};
static const char *const good_c002[] = {
    "request_received 2025-01-15 setting - - @7",
    "assessment_decision 2025-02-26 no - - @9",
    "exception 2025-03-03 absence 2025-03-30 - @8",
};
static const char *const good_c003[] = {
    "brought_to_attention 2024-12-02 - - - @10",
    "contact_received 2025-01-06 - - Q-1, \"urgent\" @11",
    "contact_responded 2025-01-10 - - Q-1, \"urgent\" @15",
    "plan_ceased 2025-07-01 moved, out of area - - @12",
};
static const char *const good_c004[] = {
    "request_received 2025-03-03 health - - @14",
};

static void check_good_set(const ehcp_case_set *set, const char *source) {
  CHECK_INT(ehcp_case_set_count(set), 4);
  CHECK_STR(ehcp_case_id(ehcp_case_set_get(set, 0)), "C001");
  CHECK_STR(ehcp_case_id(ehcp_case_set_get(set, 1)), "C002");
  CHECK_STR(ehcp_case_id(ehcp_case_set_get(set, 2)), "C003");
  CHECK_STR(ehcp_case_id(ehcp_case_set_get(set, 3)), "C004");
  CHECK_EVENTS(set, "C001", good_c001, source);
  CHECK_EVENTS(set, "C002", good_c002, source);
  CHECK_EVENTS(set, "C003", good_c003, source);
  CHECK_EVENTS(set, "C004", good_c004, source);
}

static void test_good_file(void) {
  struct env e;
  env_new(&e);
  const char *path = fixture("events-good.csv");
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_AUTO), EHCP_OK);
  CHECK_STR(ehcp_reader_errmsg(e.r), "");
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_EVENTS_CSV);
  check_counts(e.r, 14, 14, 0);
  CHECK_INT(ehcp_diagnostics_count(e.diags), 0);
  check_good_set(e.set, path);

  /* Attributes into the same set. */
  path = fixture("attributes.csv");
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_AUTO), EHCP_OK);
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_ATTRIBUTES_CSV);
  check_counts(e.r, 6, 4, 2);
  static const char *const want[] = {
      "note column_count 1 -: columns 5, 6 have no name and are ignored",
      "error missing_value 5 -: case_id is empty",
      ("warning duplicate_case 6 C001: case already has a row at line 2; its non-empty cells "
       "replace earlier values"),
      "error column_count 7 C004: row has 3 fields, the header has 6",
  };
  CHECK_DIAGS(e.diags, 0, want, path);
  CHECK_INT(ehcp_case_set_count(e.set), 4);
  const ehcp_case *c = ehcp_case_set_find(e.set, "C001");
  CHECK_INT(ehcp_case_attribute_count(c), 3);
  const char *n = NULL, *v = NULL;
  CHECK_INT(ehcp_case_attribute_at(&n, &v, c, 0), EHCP_OK);
  CHECK_STR(n, "team");
  CHECK_STR(v, "North East");
  CHECK_INT(ehcp_case_attribute_at(&n, &v, c, 1), EHCP_OK);
  CHECK_STR(n, "caseworker");
  CHECK_STR(v, "Smith, J");
  CHECK_INT(ehcp_case_attribute_at(&n, &v, c, 2), EHCP_OK);
  CHECK_STR(n, "setting");
  CHECK_STR(v, "URN123456");
  c = ehcp_case_set_find(e.set, "C002");
  CHECK_INT(ehcp_case_attribute_count(c), 1);
  CHECK_STR(ehcp_case_attribute(c, "team"), "South");
  CHECK_INT(ehcp_case_attribute_count(ehcp_case_set_find(e.set, "C003")), 0);
  CHECK_INT(ehcp_case_attribute_count(ehcp_case_set_find(e.set, "C004")), 0);
  /* The events are untouched. */
  check_good_set(e.set, fixture("events-good.csv"));

  uint64_t a, b, d;
  ehcp_reader_total_counts(&a, &b, &d, e.r);
  CHECK_INT(a, 20);
  CHECK_INT(b, 18);
  CHECK_INT(d, 2);
  env_free(&e);
}

/* The same file from a buffer, with no name and forced format. */
static void test_good_buffer(void) {
  struct env e;
  env_new(&e);
  size_t len;
  char *buf = slurp(fixture("events-good.csv"), &len);
  CHECK_INT(ehcp_reader_read_buffer(e.r, buf, len, NULL, EHCP_FORMAT_EVENTS_CSV), EHCP_OK);
  check_counts(e.r, 14, 14, 0);
  const ehcp_case *c = ehcp_case_set_find(e.set, "C001");
  const char *src = "x";
  uint32_t line = 0;
  CHECK_INT(ehcp_case_event_source(&src, &line, c, 0), EHCP_OK);
  CHECK(src == NULL);
  CHECK_INT(line, 2);
  check_good_set(e.set, NULL);
  free(buf);
  env_free(&e);
}

static void test_crlf_bom(void) {
  struct env e;
  env_new(&e);
  const char *path = fixture("events-crlf-bom.csv");
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_AUTO), EHCP_OK);
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_EVENTS_CSV);
  check_counts(e.r, 5, 5, 0);
  static const char *const want[] = {
      "note column_count 1 -: column 'Team' is not an events CSV column and is ignored",
  };
  CHECK_DIAGS(e.diags, 0, want, path);
  static const char *const c010[] = {
      "request_received 2025-01-15 parent - URN1 @2",
      "assessment_decision 2025-02-10 yes - - @3",
      "advice_requested 2025-02-11 ep - multi\r\nline ref @4",
      "advice_received 2025-03-01 ep - - @7",
  };
  static const char *const c011[] = {"request_received 2025-03-02 other - - @8"};
  CHECK_INT(ehcp_case_set_count(e.set), 2);
  CHECK_EVENTS(e.set, "C010", c010, path);
  CHECK_EVENTS(e.set, "C011", c011, path);
  /* No attribute comes from an events file's extra column. */
  CHECK_INT(ehcp_case_attribute_count(ehcp_case_set_find(e.set, "C010")), 0);
  env_free(&e);
}

static void test_errors(void) {
  struct env e;
  env_new(&e);
  const char *path = fixture("events-errors.csv");
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_AUTO), EHCP_OK);
  CHECK_STR(ehcp_reader_errmsg(e.r), "");
  check_counts(e.r, 20, 3, 17);
  static const char *const want[] = {
      "error column_count 3 E001: row has 7 fields, the header has 6",
      "error missing_value 5 -: case_id is empty",
      "error missing_value 6 E002: event is empty",
      "error missing_value 7 E002: date is empty",
      "error unknown_event 8 E002: unknown event 'final_issud'",
      ("error unknown_detail 9 E002: unknown detail 'maybe' for assessment_decision (expected "
       "yes, no or withdrawn)"),
      "error unknown_detail 10 E002: draft_issued takes no detail, got 'yes'",
      ("error missing_value 11 E002: detail is empty: advice_requested needs one (education, "
       "early_years, ep, health, social_care or other)"),
      "error bad_date 12 E003: date '2023-02-29' is not a date (no such day in that month)",
      "error bad_date 13 E003: date '31/04/2025' is not a date (no such day in that month)",
      "error bad_date 14 E003: date '2025-01-15 ' is not a date (surrounding whitespace)",
      "error bad_date 15 E003: end_date '2025-13-01' is not a date (month out of range)",
      "error bad_date 16 E003: date '01/15/2025' is not a date (month out of range)",
      ("error bad_quoting 17 E004: unexpected 'b' after the closing quote of field 6 (ref); the "
       "rest of the line is skipped"),
      ("error bad_quoting 18 E004: quote inside unquoted field 2 (event); the rest of the line "
       "is skipped"),
      "error missing_value 20 -: case_id is empty",
      "error unknown_event 20 -: unknown event 'nonsense'",
      "error bad_date 20 -: date '32/01/2025' is not a date (day out of range)",
      ("error unterminated_quote 21 E005: quoted field 6 (ref) is never closed: the rest of the "
       "file is part of it"),
  };
  CHECK_DIAGS(e.diags, 0, want, path);
  CHECK_INT(ehcp_diagnostics_count_severity(e.diags, EHCP_SEVERITY_ERROR), 19);
  /* Only the good rows made events. */
  CHECK_INT(ehcp_case_set_count(e.set), 3);
  static const char *const e001[] = {"request_received 2025-01-15 parent - - @2"};
  static const char *const e002[] = {"request_received 2025-01-10 parent - - @4"};
  static const char *const e004[] = {"request_received 2025-01-20 other - - @19"};
  CHECK_EVENTS(e.set, "E001", e001, path);
  CHECK_EVENTS(e.set, "E002", e002, path);
  CHECK_EVENTS(e.set, "E004", e004, path);
  CHECK(ehcp_case_set_find(e.set, "E003") == NULL);
  CHECK(ehcp_case_set_find(e.set, "E005") == NULL);
  env_free(&e);
}

static void test_header_only_empty_missing(void) {
  struct env e;
  env_new(&e);
  memset(want_total, 0, sizeof want_total);

  const char *path = fixture("events-header-only.csv");
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_AUTO), EHCP_OK);
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_EVENTS_CSV);
  check_counts(e.r, 0, 0, 0);
  CHECK_INT(ehcp_diagnostics_count(e.diags), 0);

  path = fixture("empty.csv");
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_AUTO), EHCP_ERR_PARSE);
  char msg[1400];
  snprintf(msg, sizeof msg, "%s: file is empty", path);
  CHECK_STR(ehcp_reader_errmsg(e.r), msg);
  check_counts(e.r, 0, 0, 0);
  static const char *const want_empty[] = {"error empty_file 0 -: file is empty"};
  CHECK_DIAGS(e.diags, 0, want_empty, path);

  /* Still empty: a BOM and blank lines, whatever the format asked for. */
  ehcp_diagnostics_clear(e.diags);
  static const char bom_blank[] = "\xEF\xBB\xBF\r\n\n";
  for (int f = EHCP_FORMAT_AUTO; f <= EHCP_FORMAT_SEN2_XML; f++) {
    CHECK_INT(ehcp_reader_read_buffer(e.r, bom_blank, sizeof bom_blank - 1, "b.csv", f),
              EHCP_ERR_PARSE);
    CHECK_STR(ehcp_reader_errmsg(e.r), "b.csv: file is empty");
  }
  CHECK_INT(ehcp_diagnostics_count(e.diags), 5);
  CHECK_INT(ehcp_diagnostics_get(e.diags, 4)->code, EHCP_DIAG_EMPTY_FILE);

  /* Missing case_id: the header is unusable and nothing is counted. */
  ehcp_diagnostics_clear(e.diags);
  path = fixture("events-missing-column.csv");
  CHECK_INT(ehcp_reader_read_file(e.r, path, EHCP_FORMAT_AUTO), EHCP_ERR_PARSE);
  snprintf(msg, sizeof msg, "%s:1: missing required column 'case_id'", path);
  CHECK_STR(ehcp_reader_errmsg(e.r), msg);
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_EVENTS_CSV);
  check_counts(e.r, 0, 0, 0);
  static const char *const want_missing[] = {
      "error missing_column 1 -: missing required column 'case_id' for an events CSV"};
  CHECK_DIAGS(e.diags, 0, want_missing, path);
  CHECK_INT(ehcp_case_set_count(e.set), 0);

  /* Every missing column is reported; attributes need case_id. */
  ehcp_diagnostics_clear(e.diags);
  static const char only_ref[] = "\n\nref,Team\nx,y\n";
  CHECK_INT(ehcp_reader_read_buffer(e.r, only_ref, sizeof only_ref - 1, "m.csv",
                                    EHCP_FORMAT_EVENTS_CSV),
            EHCP_ERR_PARSE);
  CHECK_STR(ehcp_reader_errmsg(e.r), "m.csv:3: missing required column 'case_id'");
  static const char *const want_three[] = {
      "error missing_column 3 -: missing required column 'case_id' for an events CSV",
      "error missing_column 3 -: missing required column 'event' for an events CSV",
      "error missing_column 3 -: missing required column 'date' for an events CSV",
  };
  CHECK_DIAGS(e.diags, 0, want_three, "m.csv");
  ehcp_diagnostics_clear(e.diags);
  CHECK_INT(ehcp_reader_read_buffer(e.r, only_ref, sizeof only_ref - 1, "m.csv",
                                    EHCP_FORMAT_ATTRIBUTES_CSV),
            EHCP_ERR_PARSE);
  static const char *const want_attr[] = {
      "error missing_column 3 -: missing required column 'case_id' for an attributes CSV"};
  CHECK_DIAGS(e.diags, 0, want_attr, "m.csv");
  check_counts(e.r, 0, 0, 0);
  uint64_t t = 9;
  ehcp_reader_total_counts(&t, NULL, NULL, e.r);
  CHECK_INT(t, 0);
  env_free(&e);
}

static void test_header_problems(void) {
  struct env e;
  env_new(&e);
  /* Duplicate columns: which one is meant? The file is refused. */
  static const char dup[] = "case_id,event,date,DATE\nC1,final_issued,2025-01-01,2025-01-02\n";
  CHECK_INT(ehcp_reader_read_buffer(e.r, dup, sizeof dup - 1, "d.csv", EHCP_FORMAT_AUTO),
            EHCP_ERR_PARSE);
  CHECK_STR(ehcp_reader_errmsg(e.r), "d.csv:1: column 'date' appears more than once");
  static const char *const want_dup[] = {
      "error missing_column 1 -: column 'date' appears more than once (columns 3 and 4)"};
  CHECK_DIAGS(e.diags, 0, want_dup, "d.csv");
  check_counts(e.r, 0, 0, 0);

  ehcp_diagnostics_clear(e.diags);
  static const char dup_attr[] = "case_id,Team,team\nC1,a,b\n";
  CHECK_INT(ehcp_reader_read_buffer(e.r, dup_attr, sizeof dup_attr - 1, "a.csv",
                                    EHCP_FORMAT_ATTRIBUTES_CSV),
            EHCP_ERR_PARSE);
  static const char *const want_dup_attr[] = {
      "error missing_column 1 -: column 'Team' appears more than once (columns 2 and 3)"};
  CHECK_DIAGS(e.diags, 0, want_dup_attr, "a.csv");

  /* A header that cannot be tokenized. */
  ehcp_diagnostics_clear(e.diags);
  static const char badq[] = "case_id,\"event\"x,date\nC1,final_issued,2025-01-01\n";
  CHECK_INT(ehcp_reader_read_buffer(e.r, badq, sizeof badq - 1, "q.csv",
                                    EHCP_FORMAT_EVENTS_CSV),
            EHCP_ERR_PARSE);
  CHECK_STR(ehcp_reader_errmsg(e.r), "q.csv:1: header row: bad quoting");
  static const char *const want_badq[] = {
      ("error bad_quoting 1 -: header row: unexpected 'x' after the closing quote of field 2; "
       "the rest of the line is skipped")};
  CHECK_DIAGS(e.diags, 0, want_badq, "q.csv");
  check_counts(e.r, 0, 0, 0);

  ehcp_diagnostics_clear(e.diags);
  static const char open[] = "case_id,event,\"date\n";
  CHECK_INT(ehcp_reader_read_buffer(e.r, open, sizeof open - 1, "o.csv",
                                    EHCP_FORMAT_EVENTS_CSV),
            EHCP_ERR_PARSE);
  static const char *const want_open[] = {
      ("error unterminated_quote 1 -: header row: quoted field 3 is never closed: the rest of "
       "the file is part of it")};
  CHECK_DIAGS(e.diags, 0, want_open, "o.csv");
  CHECK_STR(ehcp_reader_errmsg(e.r), "o.csv:1: header row: unterminated quote");

  /* Unknown columns: one note listing them all; rows still read. */
  ehcp_diagnostics_clear(e.diags);
  static const char extra[] = "notes,case_id,,event,date,team\nn,C1,,final_issued,2025-01-01,t\n";
  CHECK_INT(ehcp_reader_read_buffer(e.r, extra, sizeof extra - 1, "x.csv", EHCP_FORMAT_AUTO),
            EHCP_OK);
  static const char *const want_extra[] = {
      ("note column_count 1 -: columns 'notes', '', 'team' are not events CSV columns and are "
       "ignored")};
  CHECK_DIAGS(e.diags, 0, want_extra, "x.csv");
  check_counts(e.r, 1, 1, 0);
  CHECK_INT(ehcp_diagnostics_count_severity(e.diags, EHCP_SEVERITY_ERROR), 0);
  env_free(&e);
}

/* Row-level details beyond the fixture: messages quote cells safely, empty
 * optional cells are unknown, the case id is reported when known. */
static void test_row_details(void) {
  struct env e;
  env_new(&e);
  static const char text[] =
      "date,event,case_id,detail,end_date,ref\n"
      "2025-01-01,exception,K1,covid,,\n"                 /* 2 no end date: unknown */
      "2025-01-01,\"bad\nevent\",K1,,,\n"                 /* 3-4 */
      "2025-01-01,final_issued,\"K 2\",,,\"\"\n"          /* 5: "" ref = none */
      "2025-01-01,final_issued,K3\n"                      /* 6 */
      "\"2025-01-01\",x\"y,K4,,,\n"                       /* 7 */
      "2025-01-01,final_issued,\"K5\"junk,,,\n"           /* 8: id not complete */
      "2025-01-01,final_issued,K6,,,a\"b\n"               /* 9: id complete */
      "31/02/2025,\xC3\xA9v\xC3\xA9nement,K7,,,\n"        /* 10 */
      "2025-01-01,request_received,K8,Parent,,\n"         /* 11: details are exact */
      "2025-01-01,request_received,K9,parent,,\n";        /* 12 */
  CHECK_INT(ehcp_reader_read_buffer(e.r, text, sizeof text - 1, "r.csv", EHCP_FORMAT_AUTO),
            EHCP_OK);
  check_counts(e.r, 10, 3, 7);
  static const char *const want[] = {
      "error unknown_event 3 K1: unknown event 'bad\\nevent'",
      "error column_count 6 K3: row has 3 fields, the header has 6",
      ("error bad_quoting 7 -: quote inside unquoted field 2 (event); the rest of the line is "
       "skipped"),
      ("error bad_quoting 8 -: unexpected 'j' after the closing quote of field 3 (case_id); the "
       "rest of the line is skipped"),
      ("error bad_quoting 9 K6: quote inside unquoted field 6 (ref); the rest of the line is "
       "skipped"),
      "error unknown_event 10 K7: unknown event '\xC3\xA9v\xC3\xA9nement'",
      "error bad_date 10 K7: date '31/02/2025' is not a date (no such day in that month)",
      ("error unknown_detail 11 K8: unknown detail 'Parent' for request_received (expected "
       "parent, setting, health, social_care or other)"),
  };
  CHECK_DIAGS(e.diags, 0, want, "r.csv");
  static const char *const k1[] = {"exception 2025-01-01 covid - - @2"};
  static const char *const k2[] = {"final_issued 2025-01-01 - - - @5"};
  static const char *const k9[] = {"request_received 2025-01-01 parent - - @12"};
  CHECK_EVENTS(e.set, "K1", k1, "r.csv");
  CHECK_EVENTS(e.set, "K 2", k2, "r.csv");
  CHECK_EVENTS(e.set, "K9", k9, "r.csv");
  CHECK_INT(ehcp_case_set_count(e.set), 3);

  /* A NUL byte would cut a C string short: such cells are refused. */
  ehcp_diagnostics_clear(e.diags);
  static const char nul[] = "case_id,event,date,detail,ref\n"
                            "N\0001,request_received,2025-01-01,parent,\n"
                            "N2,request_received,2025-01-01,parent\0x,\n"
                            "N3,plan_ceased,2025-01-01,moved\0x,\n"
                            "N4,final_issued,2025-01-01,,r\0\n"
                            "N5,final_issued,2025-01-01,,r\n";
  CHECK_INT(ehcp_reader_read_buffer(e.r, nul, sizeof nul - 1, "z.csv", EHCP_FORMAT_AUTO),
            EHCP_OK);
  check_counts(e.r, 5, 1, 4);
  static const char *const want_nul[] = {
      "error missing_value 2 N: case_id contains a NUL byte",
      "error unknown_detail 3 N2: detail contains a NUL byte",
      "error unknown_detail 4 N3: detail contains a NUL byte",
      "error missing_value 5 N4: ref contains a NUL byte",
  };
  CHECK_DIAGS(e.diags, 0, want_nul, "z.csv");
  CHECK(ehcp_case_set_find(e.set, "N2") == NULL);
  CHECK(ehcp_case_set_find(e.set, "N5") != NULL);
  ehcp_diagnostics_clear(e.diags);
  static const char nul_attr[] = "case_id,team\nA1,x\0y\nA2,z\n";
  CHECK_INT(ehcp_reader_read_buffer(e.r, nul_attr, sizeof nul_attr - 1, "za.csv",
                                    EHCP_FORMAT_AUTO),
            EHCP_OK);
  check_counts(e.r, 2, 1, 1);
  CHECK_INT(ehcp_diagnostics_count(e.diags), 1);
  CHECK_STR(diag_text(e.diags, 0), "error missing_value 2 A1: field 2 (team) contains a NUL byte");
  CHECK(ehcp_case_set_find(e.set, "A1") == NULL);
  CHECK_STR(ehcp_case_attribute(ehcp_case_set_find(e.set, "A2"), "team"), "z");

  /* A long or multi-line cell is cut and escaped in the message. */
  ehcp_diagnostics_clear(e.diags);
  char longrow[400];
  snprintf(longrow, sizeof longrow,
           "case_id,event,date\nL1,%s,2025-01-01\n",
           "\"aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffgg"
           "\xE2\x82\xACgggg\ttail\"");
  CHECK_INT(ehcp_reader_read_buffer(e.r, longrow, strlen(longrow), "l.csv", EHCP_FORMAT_AUTO),
            EHCP_OK);
  static const char *const want_long[] = {
      ("error unknown_event 2 L1: unknown event "
       "'aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffgg...'")};
  CHECK_DIAGS(e.diags, 0, want_long, "l.csv");
  env_free(&e);
}

/* ---- detection and formats --------------------------------------------------- */

static int detect(const char *text) {
  int f = -1;
  size_t len = strlen(text);
  char *buf = malloc(len ? len : 1);
  memcpy(buf, text, len);
  int rc = ehcp_reader_detect(&f, buf, len);
  free(buf);
  return rc == EHCP_OK ? f : rc;
}

static void test_detect(void) {
  CHECK_INT(detect("case_id,event,date\n"), EHCP_FORMAT_EVENTS_CSV);
  CHECK_INT(detect("\xEF\xBB\xBF Event , DATE\r\n"), EHCP_FORMAT_EVENTS_CSV);
  CHECK_INT(detect("\n\nref,event,\"date\""), EHCP_FORMAT_EVENTS_CSV);
  CHECK_INT(detect("case_id,received_date,team\n"), EHCP_FORMAT_CASES_CSV);
  CHECK_INT(detect("Received_Date\n"), EHCP_FORMAT_CASES_CSV);
  CHECK_INT(detect("case_id,team\n"), EHCP_FORMAT_ATTRIBUTES_CSV);
  CHECK_INT(detect("CASE_ID"), EHCP_FORMAT_ATTRIBUTES_CSV);
  CHECK_INT(detect("case_id,event,when\n"), EHCP_FORMAT_ATTRIBUTES_CSV);
  CHECK_INT(detect("id,team\n"), EHCP_ERR_PARSE);
  CHECK_INT(detect("caseid,dates,events\n"), EHCP_ERR_PARSE);
  CHECK_INT(detect(""), EHCP_ERR_PARSE);
  CHECK_INT(detect("\xEF\xBB\xBF"), EHCP_ERR_PARSE);
  CHECK_INT(detect("case_\"id\n"), EHCP_ERR_PARSE);
  CHECK_INT(detect("<Message>\r\n\t<Header>"), EHCP_FORMAT_SEN2_XML);
  CHECK_INT(detect("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Message xmlns=\"x\">"),
            EHCP_FORMAT_SEN2_XML);
  CHECK_INT(detect("<?xml version=\"1.0\"?><!-- a <Message> --><!DOCTYPE m>\n <sen2:Message/>"),
            EHCP_FORMAT_SEN2_XML);
  CHECK_INT(detect("  \n<Message"), EHCP_ERR_PARSE); /* cut off: no end to the name */
  CHECK_INT(detect("<Messages>"), EHCP_ERR_PARSE);
  CHECK_INT(detect("<Header><Message>"), EHCP_ERR_PARSE);
  CHECK_INT(detect("<?xml version=\"1.0\"?>"), EHCP_ERR_PARSE);
  CHECK_INT(detect("<!-- never closed <Message>"), EHCP_ERR_PARSE);
  int f = 7;
  CHECK_INT(ehcp_reader_detect(NULL, "a", 1), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_reader_detect(&f, NULL, 1), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_reader_detect(&f, NULL, 0), EHCP_ERR_PARSE);
  CHECK_INT(f, 7);

  /* The project's own SEN2 fixture (test_sen2 also reads the third-party
   * sample when it is there). */
  char sen2[1200];
  snprintf(sen2, sizeof sen2, "%s/sen2/return_2025.xml", data_dir);
  size_t len;
  char *buf = slurp(sen2, &len);
  CHECK_INT(ehcp_reader_detect(&f, buf, len), EHCP_OK);
  CHECK_INT(f, EHCP_FORMAT_SEN2_XML);
  free(buf);

  CHECK_STR(ehcp_format_name(EHCP_FORMAT_AUTO), "auto");
  CHECK_STR(ehcp_format_name(EHCP_FORMAT_EVENTS_CSV), "events_csv");
  CHECK_STR(ehcp_format_name(EHCP_FORMAT_ATTRIBUTES_CSV), "attributes_csv");
  CHECK_STR(ehcp_format_name(EHCP_FORMAT_CASES_CSV), "cases_csv");
  CHECK_STR(ehcp_format_name(EHCP_FORMAT_SEN2_XML), "sen2_xml");
  CHECK(ehcp_format_name(5) == NULL);
  CHECK(ehcp_format_name(-1) == NULL);

  /* Detected formats go to their readers (their own tests: test_sen2,
   * test_cases_csv); a forced format is read as that format. */
  struct env e;
  env_new(&e);
  static const char cases[] = "case_id,received_date\nC1,2025-01-01\n";
  CHECK_INT(ehcp_reader_read_buffer(e.r, cases, sizeof cases - 1, "c.csv", EHCP_FORMAT_AUTO),
            EHCP_OK);
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_CASES_CSV);
  check_counts(e.r, 1, 1, 0);
  CHECK_INT(ehcp_case_event_count(ehcp_case_set_find(e.set, "C1")), 1);
  CHECK_INT(ehcp_reader_read_buffer(e.r, cases, sizeof cases - 1, "c.csv",
                                    EHCP_FORMAT_SEN2_XML),
            EHCP_ERR_PARSE);
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_SEN2_XML);
  CHECK_INT(ehcp_diagnostics_count(e.diags), 1);
  CHECK_INT(ehcp_diagnostics_get(e.diags, 0)->code, EHCP_DIAG_XML_SYNTAX);

  ehcp_diagnostics_clear(e.diags);
  static const char junk[] = "hello,world\n1,2\n";
  CHECK_INT(ehcp_reader_read_buffer(e.r, junk, sizeof junk - 1, "j.csv", EHCP_FORMAT_AUTO),
            EHCP_ERR_PARSE);
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_AUTO);
  CHECK_STR(ehcp_reader_errmsg(e.r), "j.csv: unknown format");
  static const char *const want_junk[] = {
      ("error unknown_format 0 -: unknown format: neither a CSV header with case_id (or event "
       "and date) columns nor SEN2 XML")};
  CHECK_DIAGS(e.diags, 0, want_junk, "j.csv");

  ehcp_diagnostics_clear(e.diags);
  static const char utf16[] = "\xFF\xFE" "c\0a\0s\0e\0_\0i\0d\0\n\0";
  CHECK_INT(ehcp_reader_read_buffer(e.r, utf16, sizeof utf16 - 1, "u.csv", EHCP_FORMAT_AUTO),
            EHCP_ERR_PARSE);
  CHECK_INT(ehcp_diagnostics_count(e.diags), 1);
  CHECK_STR(diag_text(e.diags, 0),
            "error unknown_format 0 -: unknown format: the file is UTF-16 text; save it as CSV "
            "UTF-8");

  /* A forced format overrides detection: an events file read as attributes. */
  ehcp_diagnostics_clear(e.diags);
  static const char ev[] = "case_id,event,date\nC9,final_issued,2025-01-01\n";
  CHECK_INT(ehcp_reader_read_buffer(e.r, ev, sizeof ev - 1, "e.csv",
                                    EHCP_FORMAT_ATTRIBUTES_CSV),
            EHCP_OK);
  CHECK_INT(ehcp_reader_last_format(e.r), EHCP_FORMAT_ATTRIBUTES_CSV);
  CHECK_STR(ehcp_case_attribute(ehcp_case_set_find(e.set, "C9"), "event"), "final_issued");
  CHECK_INT(ehcp_case_event_count(ehcp_case_set_find(e.set, "C9")), 0);
  env_free(&e);
}

static void test_arguments_and_io(void) {
  ehcp_case_set *set;
  ehcp_diagnostics *d;
  ehcp_reader *r = (ehcp_reader *)1;
  ehcp_case_set_new(&set);
  ehcp_diagnostics_new(&d);
  CHECK_INT(ehcp_reader_new(NULL, set, d), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_reader_new(&r, NULL, d), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_reader_new(&r, set, NULL), EHCP_ERR_INVALID);
  CHECK(r == (ehcp_reader *)1);
  CHECK_INT(ehcp_reader_new(&r, set, d), EHCP_OK);
  CHECK_STR(ehcp_reader_errmsg(r), "");
  CHECK_INT(ehcp_reader_last_format(r), EHCP_FORMAT_AUTO);
  check_counts(r, 0, 0, 0);
  CHECK_INT(ehcp_reader_read_buffer(r, "x", 1, "n", 5), EHCP_ERR_INVALID);
  CHECK_STR(ehcp_reader_errmsg(r), "unknown format 5");
  CHECK_INT(ehcp_reader_read_buffer(r, NULL, 3, "n", 0), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_reader_read_buffer(NULL, "x", 1, "n", 0), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_reader_read_file(r, NULL, 0), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_reader_read_file(r, "x", -1), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_reader_read_file(NULL, "x", 0), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_reader_read_buffer(r, NULL, 0, "n", 0), EHCP_ERR_PARSE); /* empty */
  CHECK_INT(ehcp_diagnostics_count(d), 1);
  ehcp_diagnostics_clear(d);

  /* Files that cannot be read: an io diagnostic and EHCP_ERR_IO. */
  const char *missing = fixture("no-such-file.csv");
  CHECK_INT(ehcp_reader_read_file(r, missing, EHCP_FORMAT_AUTO), EHCP_ERR_IO);
  char msg[1400];
  snprintf(msg, sizeof msg, "%s: cannot open: No such file or directory", missing);
  CHECK_STR(ehcp_reader_errmsg(r), msg);
  static const char *const want_io[] = {
      "error io 0 -: cannot open: No such file or directory",
      "error io 0 -: cannot read: Is a directory",
  };
  char dir[1200];
  snprintf(dir, sizeof dir, "%s/csv", data_dir);
  CHECK_INT(ehcp_reader_read_file(r, dir, EHCP_FORMAT_AUTO), EHCP_ERR_IO);
  CHECK_INT(ehcp_diagnostics_count(d), 2);
  CHECK_STR(diag_text(d, 0), want_io[0]);
  CHECK_STR(ehcp_diagnostics_get(d, 0)->source, missing);
  CHECK_STR(diag_text(d, 1), want_io[1]);
  CHECK_STR(ehcp_diagnostics_get(d, 1)->source, dir);
  check_counts(r, 0, 0, 0);

  /* A pipe is not mmap-able: it is read. */
  ehcp_diagnostics_clear(d);
  int fds[2];
  CHECK_INT(pipe(fds), 0);
  static const char piped[] = "case_id,event,date\nP1,final_issued,2025-06-02\nP1,x,y\n";
  CHECK_INT(write(fds[1], piped, sizeof piped - 1), sizeof piped - 1);
  close(fds[1]);
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fds[0]);
  CHECK_INT(ehcp_reader_read_file(r, path, EHCP_FORMAT_AUTO), EHCP_OK);
  close(fds[0]);
  check_counts(r, 2, 1, 1);
  static const char *const p1[] = {"final_issued 2025-06-02 - - - @2"};
  CHECK_EVENTS(set, "P1", p1, path);
  CHECK_INT(ehcp_diagnostics_count(d), 2);
  CHECK_STR(diag_text(d, 0), "error unknown_event 3 P1: unknown event 'x'");
  CHECK_STR(diag_text(d, 1),
            "error bad_date 3 P1: date 'y' is not a date (not a recognised date form)");

  /* An empty regular file goes the read() way too. */
  ehcp_diagnostics_clear(d);
  CHECK_INT(ehcp_reader_read_file(r, fixture("empty.csv"), EHCP_FORMAT_EVENTS_CSV),
            EHCP_ERR_PARSE);
  CHECK_INT(ehcp_diagnostics_get(d, 0)->code, EHCP_DIAG_EMPTY_FILE);

  ehcp_reader_free(r);
  ehcp_reader_free(NULL);
  ehcp_diagnostics_free(d);
  ehcp_case_set_free(set);
  ehcp_reader_last_counts(NULL, NULL, NULL, NULL);
  CHECK_STR(ehcp_reader_errmsg(NULL), "");
}

/* ---- a large generated file --------------------------------------------------- */

struct expect_diag {
  uint32_t line;
  int code;
};

/* 200,000 rows with bad ones injected at known rows, and multi-line quoted
 * refs now and then so physical lines drift from row numbers: every bad row
 * is reported at its line, every good one becomes an event at its line. */
static void test_large(void) {
  enum { ROWS = 200000 };
  static const char *const events[] = {"request_received,%s,parent", "assessment_decision,%s,yes",
                                       "advice_requested,%s,ep", "final_issued,%s,"};
  size_t cap = (size_t)ROWS * 80 + 100, len = 0;
  char *buf = malloc(cap);
  struct expect_diag *want = malloc(sizeof *want * ROWS);
  uint32_t *good_line = malloc(sizeof *good_line * ROWS);
  size_t nwant = 0, ngood = 0;
  len += (size_t)snprintf(buf + len, cap - len, "case_id,event,date,detail,ref\n");
  uint32_t line = 2;
  for (int i = 1; i <= ROWS; i++) {
    char date[16], row[160], ev[64];
    snprintf(date, sizeof date, "2024-%02d-%02d", 1 + i % 12, 1 + i % 28);
    snprintf(ev, sizeof ev, events[i % 4], date);
    const char *ref = i % 101 == 0 ? "\"two\nlines\"" : "r";
    uint32_t lines = i % 101 == 0 ? 2 : 1;
    int code = 0;
    if (i % 7001 == 0) {
      snprintf(row, sizeof row, "G%05d,%s\n", i / 8, ev);
      code = EHCP_DIAG_COLUMN_COUNT;
      lines = 1;
    } else if (i % 4999 == 0) {
      snprintf(row, sizeof row, "G%05d,%s,\"x\"y\n", i / 8, ev);
      code = EHCP_DIAG_BAD_QUOTING;
      lines = 1;
    } else if (i % 997 == 0) {
      snprintf(row, sizeof row, "G%05d,request_received,2023-02-29,parent,%s\n", i / 8, ref);
      code = EHCP_DIAG_BAD_DATE;
    } else if (i % 1499 == 0) {
      snprintf(row, sizeof row, "G%05d,nope,%s,,%s\n", i / 8, date, ref);
      code = EHCP_DIAG_UNKNOWN_EVENT;
    } else {
      snprintf(row, sizeof row, "G%05d,%s,%s\n", i / 8, ev, ref);
    }
    len += (size_t)snprintf(buf + len, cap - len, "%s", row);
    if (code)
      want[nwant++] = (struct expect_diag){line, code};
    else
      good_line[ngood++] = line;
    line += lines;
  }
  char *exact = malloc(len);
  memcpy(exact, buf, len);
  free(buf);

  struct env e;
  env_new(&e);
  CHECK_INT(ehcp_reader_read_buffer(e.r, exact, len, "big.csv", EHCP_FORMAT_AUTO), EHCP_OK);
  check_counts(e.r, ROWS, ngood, nwant);
  CHECK_INT(nwant, 28 + 40 + 200 + 133); /* the generator did its job */
  CHECK_INT(ehcp_diagnostics_count(e.diags), nwant);
  size_t bad = 0;
  for (size_t i = 0; i < nwant && i < ehcp_diagnostics_count(e.diags); i++) {
    const struct ehcp_diagnostic *x = ehcp_diagnostics_get(e.diags, i);
    if (x->line != want[i].line || x->code != want[i].code || !x->case_id ||
        x->case_id[0] != 'G') {
      if (bad++ < 5)
        fprintf(stderr, "diagnostic %zu: line %u code %d, want line %u code %d\n", i, x->line,
                x->code, want[i].line, want[i].code);
    }
  }
  CHECK_INT(bad, 0);
  /* Every accepted row is an event at its line. */
  size_t events_total = 0, lines_ok = 1;
  unsigned char *seen = calloc(line + 1, 1);
  for (size_t i = 0; i < ehcp_case_set_count(e.set); i++) {
    const ehcp_case *c = ehcp_case_set_get(e.set, i);
    for (size_t k = 0; k < ehcp_case_event_count(c); k++) {
      uint32_t l = 0;
      ehcp_case_event_source(NULL, &l, c, k);
      if (l == 0 || l > line || seen[l])
        lines_ok = 0;
      else
        seen[l] = 1;
      events_total++;
    }
  }
  CHECK_INT(events_total, ngood);
  for (size_t i = 0; i < ngood; i++)
    if (!seen[good_line[i]])
      lines_ok = 0;
  CHECK(lines_ok);
  CHECK_INT(ehcp_case_set_count(e.set), ROWS / 8 + 1);
  free(seen);

  /* Read again into the same set: totals add up, last counts are per read. */
  ehcp_diagnostics_clear(e.diags);
  CHECK_INT(ehcp_reader_read_buffer(e.r, exact, len, "big2.csv", EHCP_FORMAT_EVENTS_CSV),
            EHCP_OK);
  check_counts(e.r, ROWS, ngood, nwant);
  uint64_t a, b, c;
  ehcp_reader_total_counts(&a, &b, &c, e.r);
  CHECK_INT(a, 2 * ROWS);
  CHECK_INT(b, 2 * ngood);
  CHECK_INT(c, 2 * nwant);
  CHECK_INT(ehcp_diagnostics_count(e.diags), nwant);
  env_free(&e);
  free(exact);
  free(want);
  free(good_line);
}

/* Totals over a sequence of reads of every kind, failures included. */
static void test_totals(void) {
  struct env e;
  env_new(&e);
  memset(want_total, 0, sizeof want_total);
  ehcp_reader_read_file(e.r, fixture("events-good.csv"), 0);
  add_total(14, 14, 0);
  ehcp_reader_read_file(e.r, fixture("events-errors.csv"), 0);
  add_total(20, 3, 17);
  ehcp_reader_read_file(e.r, fixture("empty.csv"), 0);
  ehcp_reader_read_file(e.r, fixture("events-missing-column.csv"), 0);
  ehcp_reader_read_file(e.r, fixture("no-such-file.csv"), 0);
  ehcp_reader_read_file(e.r, fixture("events-crlf-bom.csv"), 0);
  add_total(5, 5, 0);
  ehcp_reader_read_file(e.r, fixture("attributes.csv"), 0);
  add_total(6, 4, 2);
  check_counts(e.r, 6, 4, 2);
  check_totals(e.r);
  env_free(&e);
}

/* Make every allocation of a read fail in turn: the read returns
 * EHCP_ERR_NOMEM (or succeeds when the failed allocation had a fallback),
 * counts stay exact, everything is freed and the reader stays usable. */
static void test_allocation_failures(void) {
#ifdef CHAOS
  size_t len_e, len_a, len_g;
  char *ev = slurp(fixture("events-errors.csv"), &len_e);
  char *at = slurp(fixture("attributes.csv"), &len_a);
  char *good = slurp(fixture("events-good.csv"), &len_g); /* doubled quotes */
  int nomem = 0, bad = 0;
  long n;
  for (n = 1; n < 100000; n++) {
    long live = chaos_live;
    struct env e;
    env_new(&e);
    chaos_count = 0;
    chaos_fail_at = n;
    int rc1 = ehcp_reader_read_buffer(e.r, ev, len_e, "e.csv", EHCP_FORMAT_AUTO);
    int rc2 = ehcp_reader_read_buffer(e.r, at, len_a, "a.csv", EHCP_FORMAT_AUTO);
    int rc3 = ehcp_reader_read_buffer(e.r, good, len_g, "g.csv", EHCP_FORMAT_AUTO);
    long used = chaos_count;
    chaos_fail_at = 0;
    if (used == 0) { /* valgrind replaces malloc before we can */
      env_free(&e);
      printf("allocation failures: skipped, malloc is not ours here\n");
      break;
    }
    uint64_t a, b, c;
    ehcp_reader_total_counts(&a, &b, &c, e.r);
    if (a != b + c || (rc1 != EHCP_OK && rc1 != EHCP_ERR_NOMEM) ||
        (rc2 != EHCP_OK && rc2 != EHCP_ERR_NOMEM) || (rc3 != EHCP_OK && rc3 != EHCP_ERR_NOMEM))
      bad++;
    if (rc1 == EHCP_ERR_NOMEM || rc2 == EHCP_ERR_NOMEM || rc3 == EHCP_ERR_NOMEM) {
      nomem++;
      /* The reader is still usable once memory is back. */
      ehcp_diagnostics_clear(e.diags);
      if (ehcp_reader_read_buffer(e.r, ev, len_e, "e.csv", EHCP_FORMAT_AUTO) != EHCP_OK ||
          ehcp_diagnostics_count(e.diags) != 19)
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
  free(ev);
  free(at);
  free(good);
#endif
}

int main(void) {
  const char *dir = getenv("EHCP_TEST_DATA");
  snprintf(data_dir, sizeof data_dir, "%s", dir ? dir : "test/data");
  test_good_file();
  test_good_buffer();
  test_crlf_bom();
  test_errors();
  test_header_only_empty_missing();
  test_header_problems();
  test_row_details();
  test_detect();
  test_arguments_and_io();
  test_large();
  test_totals();
  test_allocation_failures();
  return check_done("reader");
}
