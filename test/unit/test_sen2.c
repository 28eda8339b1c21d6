/* Unit tests for lib/read_sen2.c: SEN2 person-level XML into a case set.
 *
 * Fixtures are hand-written returns in $EHCP_TEST_DATA/sen2/ (2023, 2024
 * and 2025 layouts, one with every kind of mistake, a broken and a
 * truncated one, one namespaced without a header). Each is read through
 * ehcp_reader_read_file() (mmap) and from an exact-size buffer (no NUL after
 * the data, so a read past the end shows under ASan and valgrind).
 * Expectations are whole: counts, every case, every event (type, date,
 * detail, source line), attributes, and every diagnostic (severity, code,
 * line, XML path, case, message). Also: no name, postcode or birth date of
 * any fixture reaches an attribute, event or diagnostic; a generated return
 * of 200,000 persons with exact accounting; the reader's memory not growing
 * with the number of persons; every allocation failing once without a
 * leak. The third-party sample in ../shared/data/sen2/ is read when present.
 *
 * For a manual run: EHCP_TEST_DATA=/work/main/test/data ./build/test/test_sen2 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ehcp/case.h"
#include "ehcp/date.h"
#include "ehcp/diagnostic.h"
#include "ehcp/reader.h"

static char data_dir[1024];

/* ---- allocator: failures on demand, live blocks and bytes -------------------- */

/* On glibc (not under ASan, which owns malloc) the test replaces the
 * allocator to make the n-th allocation fail, to count live blocks (a leak
 * on an error path shows without valgrind) and to follow live bytes and
 * their peak (the reader's memory must not grow with the persons read).
 * Under valgrind the replacement is itself replaced: the test notices that
 * nothing is counted and skips those checks. */
#if defined(__SANITIZE_ADDRESS__)
#define NO_CHAOS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_CHAOS 1
#endif
#endif
#if defined(__GLIBC__) && !defined(NO_CHAOS)
#define CHAOS 1
#include <malloc.h>
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static long chaos_fail_at; /* 0: never fail */
static long chaos_count, chaos_live;
static size_t mem_live, mem_peak;

static int chaos_fails(void) { return chaos_fail_at && ++chaos_count == chaos_fail_at; }

static void mem_add(void *p) {
  mem_live += malloc_usable_size(p);
  if (mem_live > mem_peak)
    mem_peak = mem_live;
}

void *malloc(size_t n) {
  void *p = chaos_fails() ? NULL : __libc_malloc(n);
  if (p)
    chaos_live++, mem_add(p);
  return p;
}

void *calloc(size_t n, size_t size) {
  void *p = chaos_fails() ? NULL : __libc_calloc(n, size);
  if (p)
    chaos_live++, mem_add(p);
  return p;
}

void *realloc(void *old, size_t n) {
  size_t before = old ? malloc_usable_size(old) : 0;
  if (old && n == 0) {
    chaos_live--;
    mem_live -= before;
    return __libc_realloc(old, 0);
  }
  void *p = chaos_fails() ? NULL : __libc_realloc(old, n);
  if (p) {
    mem_live -= before;
    mem_add(p);
    chaos_live += !old;
  }
  return p;
}

void free(void *p) {
  if (p) {
    chaos_live--;
    mem_live -= malloc_usable_size(p);
  }
  __libc_free(p);
}

/* Whether the replacement above is the allocator in use. */
static int counting(void) {
  /* Through volatile pointers: the compiler may drop a malloc/free pair. */
  void *(*volatile get)(size_t) = malloc;
  void (*volatile put)(void *) = free;
  long before = chaos_live;
  void *p = get(16);
  int yes = chaos_live == before + 1;
  put(p);
  return yes;
}
#endif

/* ---- fixtures and rendering -------------------------------------------------- */

static const char *fixture(const char *name) {
  static char path[4][1200];
  static int next;
  char *p = path[next++ % 4];
  snprintf(p, sizeof path[0], "%s/sen2/%s", data_dir, name);
  return p;
}

/* The whole file in a malloc'd buffer of exactly *len bytes, or NULL. */
static char *slurp(const char *path, size_t *len, int required) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    if (required) {
      fprintf(stderr, "cannot open %s (set EHCP_TEST_DATA)\n", path);
      exit(2);
    }
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc(size > 0 ? (size_t)size : 1);
  if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  fclose(f);
  *len = (size_t)size;
  return buf;
}

/* "SEVERITY CODE LINE PATH CASE: MESSAGE" ("-" for what is absent). */
static const char *diag_text(const ehcp_diagnostics *d, size_t i) {
  static char buf[2048];
  const struct ehcp_diagnostic *x = ehcp_diagnostics_get(d, i);
  if (!x)
    return "(missing)";
  snprintf(buf, sizeof buf, "%s %s %u %s %s: %s", ehcp_severity_name(x->severity),
           ehcp_diag_code_name(x->code), x->line, x->path ? x->path : "-",
           x->case_id ? x->case_id : "-", x->message);
  return buf;
}

/* Diagnostics [from, from + n) are want[], all from source, and no more. */
static void check_diags(const ehcp_diagnostics *d, size_t from, const char *const *want,
                        size_t n, const char *source) {
  CHECK_INT(ehcp_diagnostics_count(d), from + n);
  for (size_t i = 0; i < n; i++) {
    CHECK_STR(diag_text(d, from + i), want[i]);
    const struct ehcp_diagnostic *x = ehcp_diagnostics_get(d, from + i);
    if (x)
      CHECK_STR(x->source, source);
  }
}
#define CHECK_DIAGS(d, from, want, source) \
  check_diags(d, from, want, sizeof want / sizeof *want, source)

/* "TYPE DATE DETAIL @LINE" ("-" for no detail). */
static const char *event_text(const ehcp_case *c, size_t i) {
  static char buf[600];
  int type;
  ehcp_date date, end;
  const char *detail, *ref;
  uint32_t line;
  if (ehcp_case_event(&type, &date, &detail, &end, &ref, c, i) != EHCP_OK ||
      ehcp_case_event_source(NULL, &line, c, i) != EHCP_OK)
    return "(missing)";
  char d[EHCP_DATE_ISO_SIZE];
  ehcp_date_format(d, date);
  snprintf(buf, sizeof buf, "%s %s %s @%u%s%s", ehcp_event_type_name(type), d,
           detail ? detail : "-", line, end != EHCP_DATE_NONE ? " end" : "",
           ref ? " ref" : "");
  return buf;
}

/* Case id has exactly the events ev[] and the attributes at[] ("name=value",
 * in the order first set). */
static void check_case(const ehcp_case_set *set, const char *id, const char *const *ev,
                       size_t nev, const char *const *at, size_t nat) {
  const ehcp_case *c = ehcp_case_set_find(set, id);
  CHECK(c != NULL);
  if (!c) {
    fprintf(stderr, "  no case %s\n", id);
    return;
  }
  CHECK_INT(ehcp_case_event_count(c), nev);
  for (size_t i = 0; i < nev; i++)
    CHECK_STR(event_text(c, i), ev[i]);
  if (!at)
    return;
  CHECK_INT(ehcp_case_attribute_count(c), nat);
  for (size_t i = 0; i < nat; i++) {
    const char *name = NULL, *value = NULL;
    char buf[400];
    ehcp_case_attribute_at(&name, &value, c, i);
    snprintf(buf, sizeof buf, "%s=%s", name ? name : "?", value ? value : "?");
    CHECK_STR(buf, at[i]);
  }
}
#define CHECK_CASE(set, id, ev, at) \
  check_case(set, id, ev, sizeof ev / sizeof *ev, at, sizeof at / sizeof *at)
#define CHECK_EVENTS(set, id, ev) check_case(set, id, ev, sizeof ev / sizeof *ev, NULL, 0)

static void check_counts(const ehcp_reader *r, uint64_t read, uint64_t accepted,
                         uint64_t rejected) {
  uint64_t a, b, c;
  ehcp_reader_last_counts(&a, &b, &c, r);
  CHECK_INT(a, read);
  CHECK_INT(b, accepted);
  CHECK_INT(c, rejected);
  CHECK_INT(a, b + c);
}

static const char *date_text(ehcp_date d) {
  static char buf[EHCP_DATE_ISO_SIZE];
  if (d == EHCP_DATE_NONE)
    return "none";
  ehcp_date_format(buf, d);
  return buf;
}

/* One reader over a fresh set and list. */
struct run {
  ehcp_case_set *set;
  ehcp_diagnostics *d;
  ehcp_reader *r;
};

static void run_new(struct run *x) {
  if (ehcp_case_set_new(&x->set) || ehcp_diagnostics_new(&x->d) ||
      ehcp_reader_new(&x->r, x->set, x->d)) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
}

static void run_free(struct run *x) {
  ehcp_reader_free(x->r);
  ehcp_diagnostics_free(x->d);
  ehcp_case_set_free(x->set);
}

/* Read fixture name into x: from the file (mode 0, source = the path) or
 * from an exact-size copy (mode 1, source = the bare name). */
static int read_fixture(struct run *x, const char *name, int mode, const char **source) {
  const char *path = fixture(name);
  if (mode == 0) {
    *source = path;
    return ehcp_reader_read_file(x->r, path, EHCP_FORMAT_AUTO);
  }
  size_t len;
  char *buf = slurp(path, &len, 1);
  *source = name;
  int rc = ehcp_reader_read_buffer(x->r, buf, len, name, EHCP_FORMAT_AUTO);
  free(buf);
  return rc;
}

/* ---- the 2025 return --------------------------------------------------------- */

static const char *const p1_events[] = {
    "request_received 2023-11-20 parent @33", "assessment_decision 2024-01-05 yes @36",
    "issue_decision 2024-04-08 yes @42",      "final_issued 2024-04-08 - @42",
    "review_meeting 2024-11-06 - @75",        "review_decision 2024-11-27 amend @76",
    "review_draft 2024-11-27 - @78"};
static const char *const p1_attrs[] = {
    "person_id=A123456789012", "la=202",           "sen2_year=2025",
    "request_outcome=Y",       "assessment_outcome=Y", "urn=123456",
    "placement_urn=123456",    "sen_type=ASD",     "sen_type_2=SLCN"};

static void check_2025_cases(const ehcp_case_set *set) {
  CHECK_CASE(set, "A123456789012/1", p1_events, p1_attrs);

  /* ULN as the key; a refusal and a pending request (no decision events). */
  static const char *const p2r1[] = {"request_received 2024-02-05 setting @91",
                                     "assessment_decision 2024-03-14 no @94"};
  static const char *const p2r1a[] = {"person_id=4012345678", "la=202", "sen2_year=2025",
                                      "request_outcome=N"};
  CHECK_CASE(set, "4012345678/1", p2r1, p2r1a);
  static const char *const p2r2[] = {"request_received 2024-12-02 health @100"};
  static const char *const p2r2a[] = {"person_id=4012345678", "la=202", "sen2_year=2025",
                                      "request_outcome=A", "assessment_outcome=A"};
  CHECK_CASE(set, "4012345678/2", p2r2, p2r2a);

  /* No UPN or ULN: keyed by position; a withdrawn request. */
  static const char *const p3[] = {"request_received 2024-04-22 social_care @118",
                                   "assessment_decision 2024-05-10 withdrawn @121"};
  static const char *const p3a[] = {"person_id=P3", "la=202", "sen2_year=2025",
                                    "request_outcome=W"};
  CHECK_CASE(set, "P3/1", p3, p3a);

  /* Not to issue; withdrawn after assessing; issued with Week20 = 1, then ceased. */
  static const char *const p4r1[] = {"request_received 2024-01-08 other @134",
                                     "assessment_decision 2024-02-12 yes @136",
                                     "issue_decision 2024-04-29 no @140"};
  CHECK_EVENTS(set, "B234567890123/1", p4r1);
  static const char *const p4r2[] = {"request_received 2024-06-03 parent @144",
                                     "assessment_decision 2024-07-08 yes @146",
                                     "issue_decision 2024-08-19 withdrawn @150"};
  static const char *const p4r2a[] = {"person_id=B234567890123", "la=202", "sen2_year=2025",
                                      "request_outcome=Y", "assessment_outcome=W"};
  CHECK_CASE(set, "B234567890123/2", p4r2, p4r2a);
  static const char *const p4r3[] = {
      "request_received 2024-03-04 parent @154", "exception 2024-03-04 unspecified @161",
      "assessment_decision 2024-04-15 yes @156", "issue_decision 2024-09-30 yes @160",
      "final_issued 2024-09-30 - @160",          "plan_ceased 2024-12-20 5 @168"};
  static const char *const p4r3a[] = {"person_id=B234567890123", "la=202", "sen2_year=2025",
                                      "request_outcome=Y", "assessment_outcome=Y",
                                      "sen_setting=EYP"};
  CHECK_CASE(set, "B234567890123/3", p4r3, p4r3a);

  /* A plan from before the period (H): reviews and a transfer to secondary
   * school (due 15 February: moves 1 September); the open placement wins. */
  static const char *const p5[] = {
      "final_issued 2019-06-14 - @187",         "phase_transfer_amended 2024-02-09 - @214",
      "phase_transfer 2024-09-01 school @213",  "review_meeting 2024-10-15 - @210",
      "review_decision 2024-11-05 maintain @211"};
  static const char *const p5a[] = {"person_id=C345678901234", "la=202",
                                    "sen2_year=2025",          "request_outcome=H",
                                    "assessment_outcome=H",    "urn=654321",
                                    "placement_urn=140123",    "sen_type=SEMH"};
  CHECK_CASE(set, "C345678901234/1", p5, p5a);

  /* ActivePlans in a request without a plan go to the request with it. */
  static const char *const p6r1[] = {
      "final_issued 2018-02-01 - @231",        "review_meeting 2024-01-17 - @244",
      "review_decision 2024-02-12 cease @245", "phase_transfer_amended 2024-03-28 - @248",
      "phase_transfer 2024-09-01 post16 @247"};
  static const char *const p6r1a[] = {"person_id=D456789012345", "la=202", "sen2_year=2025",
                                      "request_outcome=H", "assessment_outcome=H",
                                      "sen_type=MLD"};
  CHECK_CASE(set, "D456789012345/1", p6r1, p6r1a);
  static const char *const p6r2[] = {"request_received 2024-05-13 setting @236",
                                     "assessment_decision 2024-06-20 no @238"};
  static const char *const p6r2a[] = {"person_id=D456789012345", "la=202", "sen2_year=2025",
                                      "request_outcome=N"};
  CHECK_CASE(set, "D456789012345/2", p6r2, p6r2a);

  /* Y without an outcome date: StartDate stands in; another post-16
   * transfer, due 10 April: moves 10 September (5 months later). */
  static const char *const p7[] = {
      "request_received 2023-03-06 parent @261",    "issue_decision 2023-07-24 yes @268",
      "final_issued 2023-07-24 - @268",             "phase_transfer_amended 2024-04-02 - @282",
      "review_meeting 2024-06-25 - @277",           "review_decision 2024-07-16 amend @278",
      "review_draft 2024-07-16 - @280",             "phase_transfer 2024-09-10 post16_other @281"};
  static const char *const p7a[] = {"person_id=E567890123456", "la=202",
                                    "sen2_year=2025",          "request_outcome=H",
                                    "assessment_outcome=Y",    "ukprn=10001234",
                                    "transfer_la=209"};
  CHECK_CASE(set, "E567890123456/1", p7, p7a);
}

static const char *const diags_2025[] = {
    "warning date_mismatch 163 Message/Persons/Person[4]/Requests[3]/Assessment/NamedPlan/"
    "StartDate B234567890123/3: NamedPlan/StartDate 2024-10-01 differs from "
    "AssessmentOutcomeDate 2024-09-30, the date the plan was issued: final_issued uses "
    "AssessmentOutcomeDate",
    "note misplaced_element 240 Message/Persons/Person[6]/Requests[2]/ActivePlans "
    "D456789012345/2: Requests[2] has no plan: its ActivePlans are the plan of Requests[1] and "
    "go to case D456789012345/1",
    "warning missing_value 265 Message/Persons/Person[7]/Requests[1]/Assessment/"
    "AssessmentOutcome E567890123456/1: AssessmentOutcome Y has no AssessmentOutcomeDate: "
    "NamedPlan/StartDate 2023-07-24 is used as the date of the decision to issue and of the "
    "final plan"};

static void test_2025(void) {
  for (int mode = 0; mode < 2; mode++) {
    struct run x;
    const char *source;
    run_new(&x);
    CHECK_INT(read_fixture(&x, "return_2025.xml", mode, &source), EHCP_OK);
    CHECK_INT(ehcp_reader_last_format(x.r), EHCP_FORMAT_SEN2_XML);
    check_counts(x.r, 11, 11, 0);
    CHECK_STR(date_text(ehcp_reader_reference_date(x.r)), "2025-01-16");
    CHECK_INT(ehcp_case_set_count(x.set), 11);
    check_2025_cases(x.set);
    CHECK_DIAGS(x.d, 0, diags_2025, source);
    /* Events remember the file they came from. */
    const ehcp_case *c = ehcp_case_set_find(x.set, "P3/1");
    const char *src = NULL;
    if (c)
      ehcp_case_event_source(&src, NULL, c, 0);
    CHECK_STR(src, source);
    CHECK_STR(ehcp_reader_errmsg(x.r), "");

    /* The same return again: nothing is added twice; only the warnings
     * about the data come again. */
    size_t events = 0;
    for (size_t i = 0; i < ehcp_case_set_count(x.set); i++)
      events += ehcp_case_event_count(ehcp_case_set_get(x.set, i));
    CHECK_INT(events, 44);
    CHECK_INT(read_fixture(&x, "return_2025.xml", mode, &source), EHCP_OK);
    check_counts(x.r, 11, 11, 0);
    CHECK_INT(ehcp_case_set_count(x.set), 11);
    size_t again = 0;
    for (size_t i = 0; i < ehcp_case_set_count(x.set); i++)
      again += ehcp_case_event_count(ehcp_case_set_get(x.set, i));
    CHECK_INT(again, 44);
    check_2025_cases(x.set);
    CHECK_DIAGS(x.d, 3, diags_2025, source);
    uint64_t tr, ta, tj;
    ehcp_reader_total_counts(&tr, &ta, &tj, x.r);
    CHECK_INT(tr, 22);
    CHECK_INT(ta, 22);
    CHECK_INT(tj, 0);
    run_free(&x);
  }
}

/* ---- two returns: 2024 then 2025 --------------------------------------------- */

static void test_two_returns(void) {
  struct run x;
  const char *s24, *s25;
  run_new(&x);
  CHECK_INT(read_fixture(&x, "return_2024.xml", 1, &s24), EHCP_OK);
  check_counts(x.r, 4, 4, 0);
  CHECK_STR(date_text(ehcp_reader_reference_date(x.r)), "2024-01-18");
  CHECK_INT(ehcp_diagnostics_count(x.d), 0);

  static const char *const p1_2024[] = {"request_received 2023-11-20 - @33",
                                        "assessment_decision 2024-01-05 yes @35"};
  static const char *const p1_2024a[] = {"person_id=A123456789012", "la=202", "sen2_year=2024",
                                         "request_outcome=Y", "assessment_outcome=A"};
  CHECK_CASE(x.set, "A123456789012/1", p1_2024, p1_2024a);
  /* 2024 layout: Res and WBP inside PlacementDetail; LastReview after ReviewOutcome. */
  static const char *const h[] = {"final_issued 2021-03-15 - @113",
                                  "review_meeting 2023-09-19 - @128",
                                  "review_decision 2023-10-10 maintain @130"};
  static const char *const ha[] = {"person_id=H789012345678", "la=202",
                                   "sen2_year=2024",          "request_outcome=H",
                                   "assessment_outcome=H",    "placement_ukprn=10004321",
                                   "sen_type=PD"};
  CHECK_CASE(x.set, "H789012345678/1", h, ha);

  CHECK_INT(read_fixture(&x, "return_2025.xml", 1, &s25), EHCP_OK);
  check_counts(x.r, 11, 11, 0);
  CHECK_STR(date_text(ehcp_reader_reference_date(x.r)), "2025-01-16");
  CHECK_INT(ehcp_case_set_count(x.set), 4 + 11 - 3);

  /* The same request in both: identical events are not added again (the
   * 2025 request_received only adds a source: the 2024 one stays); the
   * 2025 return adds what happened since; attributes are the later ones. */
  static const char *const p1[] = {
      "request_received 2023-11-20 - @33",      "assessment_decision 2024-01-05 yes @35",
      "issue_decision 2024-04-08 yes @42",      "final_issued 2024-04-08 - @42",
      "review_meeting 2024-11-06 - @75",        "review_decision 2024-11-27 amend @76",
      "review_draft 2024-11-27 - @78"};
  CHECK_CASE(x.set, "A123456789012/1", p1, p1_attrs);
  const ehcp_case *c = ehcp_case_set_find(x.set, "A123456789012/1");
  const char *src = NULL;
  if (c) {
    ehcp_case_event_source(&src, NULL, c, 0);
    CHECK_STR(src, "return_2024.xml");
    ehcp_case_event_source(&src, NULL, c, 2);
    CHECK_STR(src, "return_2025.xml");
  }

  /* A plan in both returns: one final_issued, both years' reviews. */
  static const char *const p5[] = {
      "final_issued 2019-06-14 - @74",          "review_meeting 2023-10-10 - @93",
      "review_decision 2023-10-31 maintain @95", "phase_transfer_amended 2024-02-09 - @214",
      "phase_transfer 2024-09-01 school @213",  "review_meeting 2024-10-15 - @210",
      "review_decision 2024-11-05 maintain @211"};
  CHECK_EVENTS(x.set, "C345678901234/1", p5);

  /* Requests in another order: position 1 is a different request each year. */
  static const char *const p4[] = {
      "request_received 2023-10-02 - @53",       "assessment_decision 2023-11-13 yes @54",
      "request_received 2024-01-08 other @134", "assessment_decision 2024-02-12 yes @136",
      "issue_decision 2024-04-29 no @140"};
  CHECK_EVENTS(x.set, "B234567890123/1", p4);
  const char *const want[] = {
      "warning duplicate_case 133 Message/Persons/Person[4]/Requests[1] B234567890123/1: case "
      "B234567890123/1 already has a request received on 2023-10-02 (return_2024.xml): this "
      "request, received 2024-01-08, has the same case id and its events join that case (the "
      "person's requests are in another order, or the key is used twice)",
      diags_2025[0], diags_2025[1], diags_2025[2]};
  CHECK_DIAGS(x.d, 0, want, "return_2025.xml");
  uint64_t tr, ta, tj;
  ehcp_reader_total_counts(&tr, &ta, &tj, x.r);
  CHECK_INT(tr, 15);
  CHECK_INT(ta + tj, 15);

  /* A return without a reference date leaves none, not the previous one's. */
  const char *sn;
  CHECK_INT(read_fixture(&x, "namespaced_no_header.xml", 1, &sn), EHCP_OK);
  CHECK_STR(date_text(ehcp_reader_reference_date(x.r)), "none");
  run_free(&x);
}

/* ---- the 2023 layout --------------------------------------------------------- */

static void test_2023(void) {
  for (int mode = 0; mode < 2; mode++) {
    struct run x;
    const char *source;
    run_new(&x);
    CHECK_INT(read_fixture(&x, "return_2023.xml", mode, &source), EHCP_OK);
    check_counts(x.r, 2, 2, 0);
    CHECK_STR(date_text(ehcp_reader_reference_date(x.r)), "2023-01-19");
    static const char *const j[] = {
        "request_received 2022-05-09 - @34", "assessment_decision 2022-06-17 yes @36",
        "issue_decision 2022-09-26 yes @42", "final_issued 2022-09-26 - @42"};
    static const char *const ja[] = {"person_id=J890123456789", "la=202",
                                     "sen2_year=2023",          "request_outcome=Y",
                                     "assessment_outcome=Y",    "urn=100200",
                                     "placement_urn=100200",    "sen_type=SPLD"};
    CHECK_CASE(x.set, "J890123456789/1", j, ja);
    static const char *const k[] = {"final_issued 2017-11-20 - @80"};
    static const char *const ka[] = {"person_id=K901234567890", "la=202",
                                     "sen2_year=2023",          "request_outcome=H",
                                     "assessment_outcome=H",    "placement_ukprn=10007777",
                                     "sen_type=HI"};
    CHECK_CASE(x.set, "K901234567890/1", k, ka);
    static const char *const want[] = {
        "note missing_value 0 - -: this 2023 return has no ReviewOutcome (collected from "
        "2024): 1 LastReview date is not recorded as a review decision"};
    CHECK_DIAGS(x.d, 0, want, source);
    run_free(&x);
  }
}

/* ---- mistakes ---------------------------------------------------------------- */

static void test_errors(void) {
  for (int mode = 0; mode < 2; mode++) {
    struct run x;
    const char *source;
    run_new(&x);
    CHECK_INT(read_fixture(&x, "errors.xml", mode, &source), EHCP_OK);
    check_counts(x.r, 7, 2, 5);
    CHECK_STR(date_text(ehcp_reader_reference_date(x.r)), "2024-01-18");
    CHECK_INT(ehcp_case_set_count(x.set), 7);
    static const char *const want[] = {
        "warning reference_date 9 Message/Header/CollectionDetails/ReferenceDate -: "
        "ReferenceDate 2024-01-18 is not in the collection year 2025: it is still used as the "
        "default as-of date",
        "warning unknown_code 12 Message/Header/Source[1]/LEA -: LEA '2O2' is not a SEN2 code "
        "(a three-digit LA code or XXX): it is not used",
        "error bad_date 27 Message/Persons/Person[1]/Requests[1]/ReceivedDate F678901234567/1: "
        "ReceivedDate 'XXXX-12-01' is not a date (not in the form YYYY-MM-DD): the field is "
        "skipped",
        "warning unknown_code 28 Message/Persons/Person[1]/Requests[1]/RequestSource "
        "F678901234567/1: RequestSource '7' is not a SEN2 code (1-5): the request is recorded "
        "without its source",
        "error bad_date 33 Message/Persons/Person[1]/Requests[2]/ReceivedDate F678901234567/2: "
        "ReceivedDate '2023-02-29' is not a date (no such day in that month): the field is "
        "skipped",
        "error unknown_code 34 Message/Persons/Person[1]/Requests[2]/RequestOutcome "
        "F678901234567/2: RequestOutcome 'X' is not a SEN2 code (Y, N, A, W, H): no assessment "
        "decision is recorded",
        "error unknown_code 42 Message/Persons/Person[1]/Requests[3]/Assessment/Week20 "
        "F678901234567/3: Week20 '2' is not a SEN2 code (0 or 1): no exception is recorded",
        "error missing_value 41 Message/Persons/Person[1]/Requests[3]/Assessment/"
        "AssessmentOutcome F678901234567/3: AssessmentOutcome N has no AssessmentOutcomeDate: "
        "no issue decision is recorded",
        "error misplaced_element 53 Message/Persons/Person[2]/ReceivedDate -: <ReceivedDate> "
        "is not allowed in <Person> (it belongs in <Requests>): it is not read",
        "warning misplaced_element 57 Message/Persons/Person[2]/Requests[1]/CaseWorker P2/1: "
        "unknown element <CaseWorker> in <Requests>: it is not read",
        "error misplaced_element 58 Message/Persons/Person[2]/Requests[1]/Week20 P2/1: "
        "<Week20> is not allowed in <Requests> (it belongs in <Assessment>): it is not read",
        "error missing_value 56 Message/Persons/Person[2]/Requests[1]/RequestOutcome P2/1: "
        "RequestOutcome Y has no RequestOutcomeDate: no assessment decision is recorded",
        "warning misplaced_element 70 Message/Persons/Person[3]/Requests[1] G789012345678/1: "
        "text directly in <Requests> is not part of any element: it is not read",
        "error misplaced_element 72 Message/Persons/Person[3]/Requests[1]/RequestOutcome "
        "G789012345678/1: <RequestOutcome> appears again in <Requests>, where it is allowed "
        "once: the first is used and this one is not read",
        "error missing_value 69 Message/Persons/Person[3]/Requests[1] G789012345678/1: "
        "ReceivedDate is missing: the request has no start date, so its assessment timescales "
        "cannot be measured",
        "warning unknown_code 85 Message/Persons/Person[3]/Requests[2]/Assessment/NamedPlan/"
        "PlanDetail[1]/URN G789012345678/2: URN '1234567' is not a SEN2 code (1 to 6 digits): "
        "it is not used",
        "warning unknown_code 86 Message/Persons/Person[3]/Requests[2]/Assessment/NamedPlan/"
        "PlanDetail[1]/SENSetting G789012345678/2: SENSetting 'ABC' is not a SEN2 code (OLA, "
        "OPA, EHE, EYP, OTH, NEET, NIEC, NIEO): it is not used",
        "warning misplaced_element 92 Message/Persons/Person[3]/ActivePlans -: <ActivePlans> is "
        "directly in <Person> (the schema puts it in <Requests>): it is read as the person's "
        "current plan",
        "warning unknown_code 94 Message/Persons/Person[3]/ActivePlans/SENneed[1]/SENtype -: "
        "SENtype 'ZZZ' is not a SEN2 code (SPLD, MLD, SLD, PMLD, SEMH, SLCN, HI, VI, MSI, PD, "
        "ASD, DS, OTH): it is not used",
        "error bad_date 97 Message/Persons/Person[3]/ActivePlans/LastReview -: LastReview "
        "'2024-13-01' is not a date (month out of range): the field is skipped",
        "warning misplaced_element 111 Message/Persons/Person[4]/UPN -: UPN comes after the "
        "person's first Requests, whose cases are keyed P4: it is not used"};
    CHECK_DIAGS(x.d, 0, want, source);

    /* A rejected request keeps what it could read. */
    static const char *const f1[] = {"assessment_decision 2024-03-01 yes @29"};
    static const char *const f1a[] = {"person_id=F678901234567", "sen2_year=2025",
                                      "request_outcome=Y"};
    CHECK_CASE(x.set, "F678901234567/1", f1, f1a);
    static const char *const f2[] = {"(none)"};
    static const char *const f2a[] = {"person_id=F678901234567", "sen2_year=2025"};
    check_case(x.set, "F678901234567/2", f2, 0, f2a, 2);
    static const char *const f3[] = {"request_received 2024-02-05 - @37",
                                     "assessment_decision 2024-03-15 yes @38"};
    CHECK_EVENTS(x.set, "F678901234567/3", f3);
    static const char *const p2[] = {"request_received 2024-03-04 - @55"};
    CHECK_EVENTS(x.set, "P2/1", p2);
    /* ActivePlans directly in Person go to the request with the plan. */
    static const char *const g2[] = {
        "request_received 2024-07-01 setting @75", "assessment_decision 2024-08-12 yes @77",
        "issue_decision 2024-11-18 yes @81",       "final_issued 2024-11-18 - @81",
        "review_meeting 2024-12-10 - @96"};
    static const char *const g2a[] = {"person_id=G789012345678", "sen2_year=2025",
                                      "request_outcome=Y", "assessment_outcome=Y"};
    CHECK_CASE(x.set, "G789012345678/2", g2, g2a);
    static const char *const p4[] = {"request_received 2024-09-09 - @108"};
    CHECK_EVENTS(x.set, "P4/1", p4);
    run_free(&x);
  }
}

static void test_syntax(void) {
  for (int mode = 0; mode < 2; mode++) {
    struct run x;
    const char *source;
    run_new(&x);
    CHECK_INT(read_fixture(&x, "syntax.xml", mode, &source), EHCP_ERR_PARSE);
    check_counts(x.r, 3, 2, 1);
    CHECK_INT(ehcp_case_set_count(x.set), 2);
    static const char *const m[] = {"request_received 2024-02-19 - @19"};
    CHECK_EVENTS(x.set, "M123456789012/1", m);
    static const char *const n[] = {"request_received 2024-03-11 - @29"};
    CHECK_EVENTS(x.set, "N234567890123/1", n);
    CHECK(ehcp_case_set_find(x.set, "N234567890123/2") == NULL);
    CHECK(ehcp_case_set_find(x.set, "P345678901234/1") == NULL);
    static const char *const want[] = {
        "error xml_syntax 33 Message/Persons/Person[2]/Requests[2]/ReceivedDate "
        "N234567890123/2: XML error at column 31: mismatched tag; the read stops here and what "
        "came before is kept"};
    CHECK_DIAGS(x.d, 0, want, source);
    char msg[1400];
    snprintf(msg, sizeof msg, "%s:33: XML error: mismatched tag", source);
    CHECK_STR(ehcp_reader_errmsg(x.r), msg);
    run_free(&x);
  }
}

static void test_truncated(void) {
  for (int mode = 0; mode < 2; mode++) {
    struct run x;
    const char *source;
    run_new(&x);
    CHECK_INT(read_fixture(&x, "truncated.xml", mode, &source), EHCP_ERR_PARSE);
    check_counts(x.r, 2, 1, 1);
    CHECK_INT(ehcp_case_set_count(x.set), 1);
    static const char *const q[] = {"request_received 2024-04-08 - @19",
                                    "assessment_decision 2024-05-17 yes @20"};
    CHECK_EVENTS(x.set, "Q456789012345/1", q);
    static const char *const want[] = {
        "error xml_syntax 32 Message/Persons/Person[2]/Requests[1]/RequestOutcomeDate "
        "R567890123456/1: the file ends inside <RequestOutcomeDate> (no element found): it is "
        "truncated; what came before is kept"};
    CHECK_DIAGS(x.d, 0, want, source);
    char msg[1400];
    snprintf(msg, sizeof msg, "%s:32: the file is truncated", source);
    CHECK_STR(ehcp_reader_errmsg(x.r), msg);
    run_free(&x);
  }
}

static void test_namespaced_no_header(void) {
  struct run x;
  const char *source;
  run_new(&x);
  CHECK_INT(read_fixture(&x, "namespaced_no_header.xml", 0, &source), EHCP_OK);
  check_counts(x.r, 1, 1, 0);
  CHECK_STR(date_text(ehcp_reader_reference_date(x.r)), "none");
  static const char *const s[] = {"request_received 2024-10-14 parent @12",
                                  "assessment_decision 2024-11-22 yes @14"};
  static const char *const sa[] = {"person_id=S678901234567", "request_outcome=Y"};
  CHECK_CASE(x.set, "S678901234567/1", s, sa);
  static const char *const want[] = {
      "warning reference_date 5 Message/Header -: Header/CollectionDetails has no "
      "ReferenceDate and no Year: the return gives no default as-of date and its collection "
      "year is unknown"};
  CHECK_DIAGS(x.d, 0, want, source);
  run_free(&x);
}

/* ---- no personal data anywhere ----------------------------------------------- */

/* Every text between <tag> and </tag> in text, appended to list. */
static size_t collect(const char **list, size_t n, size_t max, const char *text, const char *tag,
                      char *store, size_t *used, size_t cap) {
  char open[64], close[64];
  snprintf(open, sizeof open, "<%s>", tag);
  snprintf(close, sizeof close, "</%s>", tag);
  for (const char *p = strstr(text, open); p && n < max; p = strstr(p, open)) {
    p += strlen(open);
    const char *e = strstr(p, close);
    if (!e)
      break;
    size_t len = (size_t)(e - p);
    if (*used + len + 1 > cap)
      break;
    memcpy(store + *used, p, len);
    store[*used + len] = '\0';
    list[n++] = store + *used;
    *used += len + 1;
  }
  return n;
}

static int contains_any(const char *s, const char *const *list, size_t n) {
  for (size_t i = 0; s && i < n; i++)
    if (strstr(s, list[i]))
      return 1;
  return 0;
}

static void test_no_personal_data(void) {
  static const char *const files[] = {"return_2023.xml", "return_2024.xml",  "return_2025.xml",
                                      "errors.xml",      "syntax.xml",       "truncated.xml",
                                      "namespaced_no_header.xml"};
  static const char *const tags[] = {"Surname",         "Forename",   "PersonBirthDate",
                                     "PostCode",        "CaseWorker", "SENSettingOther",
                                     "sen2:Surname",    "sen2:Forename",
                                     "sen2:PersonBirthDate"};
  const char *secret[256];
  static char store[16384];
  size_t n = 0, used = 0;
  struct run x;
  run_new(&x);
  for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
    size_t len;
    char *buf = slurp(fixture(files[f]), &len, 1);
    char *text = malloc(len + 1);
    memcpy(text, buf, len);
    text[len] = '\0';
    for (size_t t = 0; t < sizeof tags / sizeof *tags; t++)
      n = collect(secret, n, 256, text, tags[t], store, &used, sizeof store);
    free(text);
    ehcp_reader_read_buffer(x.r, buf, len, files[f], EHCP_FORMAT_AUTO);
    free(buf);
  }
  /* Also what is in no tag of its own. */
  secret[n++] = "Fake";
  secret[n++] = "ZZ99";
  CHECK(n > 60);

  size_t checked = 0;
  for (size_t i = 0; i < ehcp_diagnostics_count(x.d); i++) {
    const struct ehcp_diagnostic *d = ehcp_diagnostics_get(x.d, i);
    CHECK(!contains_any(d->message, secret, n));
    CHECK(!contains_any(d->path, secret, n));
    CHECK(!contains_any(d->case_id, secret, n));
    checked++;
  }
  for (size_t i = 0; i < ehcp_case_set_count(x.set); i++) {
    const ehcp_case *c = ehcp_case_set_get(x.set, i);
    CHECK(!contains_any(ehcp_case_id(c), secret, n));
    for (size_t k = 0; k < ehcp_case_attribute_count(c); k++) {
      const char *name, *value;
      ehcp_case_attribute_at(&name, &value, c, k);
      CHECK(!contains_any(name, secret, n));
      CHECK(!contains_any(value, secret, n));
      checked++;
    }
    for (size_t k = 0; k < ehcp_case_event_count(c); k++) {
      const char *detail, *ref;
      ehcp_date date;
      ehcp_case_event(NULL, &date, &detail, NULL, &ref, c, k);
      CHECK(!contains_any(detail, secret, n));
      CHECK(!contains_any(ref, secret, n));
      /* No event is dated on anyone's birthday: birth dates are not read. */
      CHECK(!contains_any(date_text(date), secret, n));
      checked++;
    }
  }
  CHECK(checked > 200);
  run_free(&x);
}

/* ---- the third-party sample (when the shared data is beside the project) ----- */

static void test_shared_sample(void) {
  char path[1400];
  snprintf(path, sizeof path, "%s/../../../shared/data/sen2/sen2_sample_2025.xml", data_dir);
  size_t len;
  char *buf = slurp(path, &len, 0);
  if (!buf)
    return; /* not present: nothing to check */
  struct run x;
  run_new(&x);
  CHECK_INT(ehcp_reader_read_buffer(x.r, buf, len, "sample", EHCP_FORMAT_AUTO), EHCP_OK);
  free(buf);
  /* Counted by hand: 2 persons, 3 requests, 1 named plan. */
  check_counts(x.r, 3, 3, 0);
  CHECK_INT(ehcp_case_set_count(x.set), 3);
  CHECK_STR(date_text(ehcp_reader_reference_date(x.r)), "2025-01-18");
  size_t plans = 0, persons = 0;
  const char *last_person = "";
  for (size_t i = 0; i < ehcp_case_set_count(x.set); i++) {
    const ehcp_case *c = ehcp_case_set_get(x.set, i);
    const char *p = ehcp_case_attribute(c, "person_id");
    if (p && strcmp(p, last_person) != 0)
      persons++, last_person = p;
    for (size_t k = 0; k < ehcp_case_event_count(c); k++) {
      int t;
      ehcp_case_event(&t, NULL, NULL, NULL, NULL, c, k);
      plans += t == EHCP_EV_FINAL_ISSUED;
    }
  }
  CHECK_INT(persons, 2);
  CHECK_INT(plans, 1);
  static const char *const first[] = {
      "request_received 2023-11-30 parent @31",   "assessment_decision 2023-12-01 yes @34",
      "issue_decision 2023-12-25 yes @40",        "final_issued 2023-12-25 - @40",
      "plan_ceased 2023-12-31 4 @69",             "review_decision 2024-01-08 maintain @105",
      "review_meeting 2024-01-09 - @104",         "review_draft 2024-01-20 - @107",
      "phase_transfer_amended 2024-01-22 - @109", "phase_transfer 2024-06-21 post16_other @108"};
  CHECK_EVENTS(x.set, "X1234567898765/1", first);
  static const char *const second[] = {"request_received 2023-08-31 - @123",
                                       "assessment_decision 2023-12-01 no @125"};
  CHECK_EVENTS(x.set, "X1234567898321/1", second);
  static const char *const third[] = {"request_received 2023-12-03 - @134"};
  CHECK_EVENTS(x.set, "X1234567898321/2", third);
  static const char *const want[] = {
      "warning date_mismatch 47 Message/Persons/Person[1]/Requests[1]/Assessment/NamedPlan/"
      "StartDate X1234567898765/1: NamedPlan/StartDate 2023-12-26 differs from "
      "AssessmentOutcomeDate 2023-12-25, the date the plan was issued: final_issued uses "
      "AssessmentOutcomeDate"};
  CHECK_DIAGS(x.d, 0, want, "sample");
  run_free(&x);
  printf("read the shared SEN2 sample\n");
}

/* ---- small in-memory returns ------------------------------------------------- */

/* Read text (forced to SEN2 when force) into a fresh run; returns rc. */
static int read_text(struct run *x, const char *text, int force) {
  run_new(x);
  size_t len = strlen(text);
  char *buf = malloc(len ? len : 1);
  memcpy(buf, text, len);
  int rc = ehcp_reader_read_buffer(x->r, buf, len, "mem.xml",
                                   force ? EHCP_FORMAT_SEN2_XML : EHCP_FORMAT_AUTO);
  free(buf);
  return rc;
}

#define HEAD                                                                              \
  "<Message><Header><CollectionDetails><Collection>SEN2</Collection><Year>2025</Year>"   \
  "<ReferenceDate>2025-01-16</ReferenceDate></CollectionDetails></Header>"

static void test_in_memory(void) {
  struct run x;

  /* Entities: refused before any is used. */
  CHECK_INT(read_text(&x,
                      "<?xml version=\"1.0\"?>\n<!DOCTYPE Message [\n<!ENTITY a \"aaaa\">\n]>\n"
                      "<Message>&a;</Message>",
                      1),
            EHCP_ERR_PARSE);
  static const char *const ent[] = {
      "error xml_syntax 3 - -: the file declares XML entities, which SEN2 returns never do: "
      "the read stops here"};
  CHECK_DIAGS(x.d, 0, ent, "mem.xml");
  check_counts(x.r, 0, 0, 0);
  run_free(&x);

  /* Not a SEN2 return (read as one on request). */
  CHECK_INT(read_text(&x, "<Root>\n<Persons/>\n</Root>", 1), EHCP_ERR_PARSE);
  static const char *const root[] = {
      "error misplaced_element 1 Root -: the root element is <Root>, not <Message>: this is "
      "not a SEN2 return"};
  CHECK_DIAGS(x.d, 0, root, "mem.xml");
  CHECK_STR(ehcp_reader_errmsg(x.r), "mem.xml: the root element is not <Message>: not a SEN2 "
                                     "return");
  run_free(&x);

  /* An empty return. */
  CHECK_INT(read_text(&x, HEAD "<Persons/></Message>", 0), EHCP_OK);
  check_counts(x.r, 0, 0, 0);
  CHECK_INT(ehcp_diagnostics_count(x.d), 0);
  run_free(&x);

  /* BOM, CDATA, surrounding space and a time zone: all fine. */
  CHECK_INT(read_text(&x,
                      "\xEF\xBB\xBF" HEAD "<Persons><Person><UPN> T1 </UPN><Requests>"
                      "<ReceivedDate> <![CDATA[2024-01-05]]> </ReceivedDate>"
                      "<RequestOutcomeDate>2024-02-01Z</RequestOutcomeDate>"
                      "<RequestOutcome>N</RequestOutcome></Requests></Person></Persons></Message>",
                      0),
            EHCP_OK);
  check_counts(x.r, 1, 1, 0);
  static const char *const t1[] = {"request_received 2024-01-05 - @1",
                                   "assessment_decision 2024-02-01 no @1"};
  CHECK_EVENTS(x.set, "T1/1", t1);
  CHECK_INT(ehcp_diagnostics_count(x.d), 0);
  run_free(&x);

  /* Too long, markup inside a value, a Header after Persons. */
  char longtext[2048];
  char many[301];
  memset(many, '9', 300);
  many[300] = '\0';
  snprintf(longtext, sizeof longtext,
           "<Message>\n<Persons>\n<Person><Requests>\n<ReceivedDate>%s</ReceivedDate>\n"
           "<RequestOutcome>2024-<b>01</b></RequestOutcome>\n</Requests></Person>\n"
           "</Persons>\n<Header/>\n</Message>",
           many);
  CHECK_INT(read_text(&x, longtext, 0), EHCP_OK);
  check_counts(x.r, 1, 0, 1);
  static const char *const odd[] = {
      "warning reference_date 2 Message/Header -: Header/CollectionDetails has no "
      "ReferenceDate and no Year: the return gives no default as-of date and its collection "
      "year is unknown",
      "error bad_date 4 Message/Persons/Person[1]/Requests[1]/ReceivedDate P1/1: ReceivedDate "
      "'9999999999999999999999999999999999999999999999999999999999999999...' is not a date (is "
      "longer than 256 bytes): the field is skipped",
      "warning misplaced_element 5 Message/Persons/Person[1]/Requests[1]/RequestOutcome/b "
      "P1/1: unknown element <b> in <RequestOutcome>: it is not read",
      "error unknown_code 5 Message/Persons/Person[1]/Requests[1]/RequestOutcome P1/1: "
      "RequestOutcome contains markup (expected Y, N, A, W, H): no assessment decision is "
      "recorded",
      "warning misplaced_element 8 Message/Header -: <Header> comes after <Persons>: it is not "
      "read (the persons before it are read without it)"};
  CHECK_DIAGS(x.d, 0, odd, "mem.xml");
  run_free(&x);

  /* The same warning on every person: 20, then one count. */
  size_t cap = 64 * 1024, len = 0;
  char *text = malloc(cap);
  len += (size_t)snprintf(text + len, cap - len, "%s<Persons>\n", HEAD);
  for (int i = 0; i < 30; i++)
    len += (size_t)snprintf(text + len, cap - len,
                            "<Person><UPN>U%d</UPN><Requests><ReceivedDate>2024-01-05"
                            "</ReceivedDate><Team>North</Team></Requests></Person>\n",
                            i);
  snprintf(text + len, cap - len, "</Persons></Message>");
  CHECK_INT(read_text(&x, text, 0), EHCP_OK);
  free(text);
  check_counts(x.r, 30, 30, 0);
  CHECK_INT(ehcp_diagnostics_count(x.d), 21);
  CHECK_STR(diag_text(x.d, 19), "warning misplaced_element 21 "
                                "Message/Persons/Person[20]/Requests[1]/Team U19/1: unknown "
                                "element <Team> in <Requests>: it is not read");
  CHECK_STR(diag_text(x.d, 20), "note misplaced_element 0 - -: 10 more misplaced_element "
                                "diagnostics about <Team> in <Requests> are not listed one by "
                                "one");
  run_free(&x);

  /* A due date no day is "5 months before": 30 September. */
  CHECK_INT(read_text(&x,
                      HEAD "<Persons><Person><UPN>V1</UPN><Requests><RequestOutcome>H"
                           "</RequestOutcome><Assessment><AssessmentOutcome>H</AssessmentOutcome>"
                           "</Assessment><ActivePlans><PhaseTransferDueDate>2024-09-30"
                           "</PhaseTransferDueDate></ActivePlans></Requests></Person></Persons>"
                           "</Message>",
                      0),
            EHCP_OK);
  static const char *const v1[] = {"phase_transfer 2025-02-28 post16_other @1"};
  CHECK_EVENTS(x.set, "V1/1", v1);
  static const char *const pt[] = {
      "note date_mismatch 1 Message/Persons/Person[1]/Requests[1]/ActivePlans/"
      "PhaseTransferDueDate V1/1: PhaseTransferDueDate 2024-09-30 is no day's \"5 months "
      "before\": the transfer is dated 2025-02-28, whose deadline is 2024-09-28"};
  CHECK_DIAGS(x.d, 0, pt, "mem.xml");
  run_free(&x);

  /* What is missing, one branch each: withdrawn without dates (notes), an
   * outcome date without its outcome, a reason without a date, a review
   * outcome without its date and the reverse, a final date without a due
   * date, Week20 with no date to put the exception on. */
  static const char missing[] =
      "<Message><Header><CollectionDetails><Collection>SEN2</Collection><Year>2025</Year>"
      "<ReferenceDate>2025-01-16</ReferenceDate></CollectionDetails></Header>\n"
      "<Persons>\n"
      "<Person><UPN>W1</UPN>\n"
      "<Requests>\n"
      "<ReceivedDate>2024-01-08</ReceivedDate>\n"
      "<RequestOutcome>W</RequestOutcome>\n"
      "</Requests>\n"
      "<Requests>\n"
      "<ReceivedDate>2024-02-05</ReceivedDate>\n"
      "<RequestOutcomeDate>2024-03-01</RequestOutcomeDate>\n"
      "<Assessment>\n"
      "<AssessmentOutcome>W</AssessmentOutcome>\n"
      "<NamedPlan>\n"
      "<CeaseReason>2</CeaseReason>\n"
      "</NamedPlan>\n"
      "</Assessment>\n"
      "</Requests>\n"
      "<Requests>\n"
      "<RequestOutcome>Y</RequestOutcome>\n"
      "<RequestOutcomeDate>oops</RequestOutcomeDate>\n"
      "<Assessment>\n"
      "<AssessmentOutcome>Y</AssessmentOutcome>\n"
      "<AssessmentOutcomeDate>2024-06-01</AssessmentOutcomeDate>\n"
      "</Assessment>\n"
      "</Requests>\n"
      "<Requests>\n"
      "<ReceivedDate>2024-04-02</ReceivedDate>\n"
      "<RequestOutcome>Y</RequestOutcome>\n"
      "<RequestOutcomeDate>2024-05-01</RequestOutcomeDate>\n"
      "<Assessment>\n"
      "<AssessmentOutcome>Y</AssessmentOutcome>\n"
      "<AssessmentOutcomeDate>2024-09-02</AssessmentOutcomeDate>\n"
      "<NamedPlan>\n"
      "<CeaseDate>2024-12-01</CeaseDate>\n"
      "</NamedPlan>\n"
      "</Assessment>\n"
      "<ActivePlans>\n"
      "<ReviewOutcome>M</ReviewOutcome>\n"
      "<PhaseTransferFinalDate>2024-11-01</PhaseTransferFinalDate>\n"
      "</ActivePlans>\n"
      "</Requests>\n"
      "</Person>\n"
      "<Person><UPN>W2</UPN>\n"
      "<Requests>\n"
      "<RequestOutcome>H</RequestOutcome>\n"
      "<Assessment>\n"
      "<AssessmentOutcome>Y</AssessmentOutcome>\n"
      "<AssessmentOutcomeDate>2024-13-40</AssessmentOutcomeDate>\n"
      "<Week20>1</Week20>\n"
      "</Assessment>\n"
      "<ActivePlans>\n"
      "<LastReview>2024-10-01</LastReview>\n"
      "</ActivePlans>\n"
      "</Requests>\n"
      "</Person>\n"
      "</Persons></Message>\n";
  CHECK_INT(read_text(&x, missing, 0), EHCP_OK);
  check_counts(x.r, 5, 3, 2);
  static const char *const w1[] = {"request_received 2024-01-08 - @5"};
  CHECK_EVENTS(x.set, "W1/1", w1);
  static const char *const w3[] = {"issue_decision 2024-06-01 yes @23",
                                   "final_issued 2024-06-01 - @23"};
  CHECK_EVENTS(x.set, "W1/3", w3);
  static const char *const w4[] = {
      "request_received 2024-04-02 - @27",       "assessment_decision 2024-05-01 yes @29",
      "issue_decision 2024-09-02 yes @32",       "final_issued 2024-09-02 - @32",
      "phase_transfer_amended 2024-11-01 - @39", "plan_ceased 2024-12-01 - @34"};
  CHECK_EVENTS(x.set, "W1/4", w4);
  static const char *const w21[] = {"(none)"};
  check_case(x.set, "W2/1", w21, 0, NULL, 0);
  static const char *const miss[] = {
      "note missing_value 6 Message/Persons/Person[1]/Requests[1]/RequestOutcome W1/1: "
      "RequestOutcome W (withdrawn) has no RequestOutcomeDate: no assessment decision is "
      "recorded",
      "warning missing_value 10 Message/Persons/Person[1]/Requests[2]/RequestOutcomeDate W1/2: "
      "RequestOutcomeDate 2024-03-01 has no RequestOutcome: no assessment decision is recorded",
      "note missing_value 12 Message/Persons/Person[1]/Requests[2]/Assessment/AssessmentOutcome "
      "W1/2: AssessmentOutcome W (withdrawn) has no AssessmentOutcomeDate: no issue decision "
      "is recorded",
      "warning missing_value 14 Message/Persons/Person[1]/Requests[2]/Assessment/NamedPlan/"
      "CeaseReason W1/2: CeaseReason 2 has no CeaseDate: the plan's ending is not recorded",
      "error bad_date 20 Message/Persons/Person[1]/Requests[3]/RequestOutcomeDate W1/3: "
      "RequestOutcomeDate 'oops' is not a date (not in the form YYYY-MM-DD): the field is "
      "skipped",
      "error missing_value 18 Message/Persons/Person[1]/Requests[3] W1/3: ReceivedDate is "
      "missing: the request has no start date, so its assessment timescales cannot be measured",
      "warning missing_value 38 Message/Persons/Person[1]/Requests[4]/ActivePlans/ReviewOutcome "
      "W1/4: ReviewOutcome M has no LastReview (the date of the decision): no review decision "
      "is recorded",
      "warning missing_value 39 Message/Persons/Person[1]/Requests[4]/ActivePlans/"
      "PhaseTransferFinalDate W1/4: PhaseTransferFinalDate 2024-11-01 has no "
      "PhaseTransferDueDate: the amended plan is recorded but there is no phase transfer to "
      "measure it against",
      "error bad_date 48 Message/Persons/Person[2]/Requests[1]/Assessment/AssessmentOutcomeDate "
      "W2/1: AssessmentOutcomeDate '2024-13-40' is not a date (month out of range): the field "
      "is skipped",
      "warning missing_value 52 Message/Persons/Person[2]/Requests[1]/ActivePlans/LastReview "
      "W2/1: LastReview 2024-10-01 has no ReviewOutcome: no review decision is recorded",
      "warning missing_value 49 Message/Persons/Person[2]/Requests[1]/Assessment/Week20 W2/1: "
      "Week20 is 1 but the request has no date to record the exception on: it is not "
      "recorded"};
  CHECK_DIAGS(x.d, 0, miss, "mem.xml");
  run_free(&x);
}

/* ---- a large return ---------------------------------------------------------- */

/* A return of n persons, one request each. With same, every person is the
 * same child with the same request (the case set then stays one case). */
static char *generate(size_t n, int same, size_t *len) {
  size_t cap = 512 + n * 900, o = 0;
  char *buf = malloc(cap);
  if (!buf) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  o += (size_t)snprintf(buf + o, cap - o, "%s<Persons>\n", HEAD);
  for (size_t i = 0; i < n; i++) {
    unsigned k = same ? 0 : (unsigned)i;
    char received[16];
    if (!same && i % 1000 == 999)
      snprintf(received, sizeof received, "2024-02-30");
    else
      snprintf(received, sizeof received, "2024-01-%02u", 1 + k % 28);
    o += (size_t)snprintf(
        buf + o, cap - o,
        "<Person><Surname>Fakesurname</Surname><Forename>Fakeforename</Forename>"
        "<PersonBirthDate>2012-06-01</PersonBirthDate><Sex>F</Sex><Ethnicity>WBRI</Ethnicity>"
        "<UPN>T%012u</UPN><Requests><ReceivedDate>%s</ReceivedDate><RequestSource>2"
        "</RequestSource><RequestOutcomeDate>2024-03-01</RequestOutcomeDate><RequestOutcome>Y"
        "</RequestOutcome><Assessment><AssessmentOutcome>Y</AssessmentOutcome>"
        "<AssessmentOutcomeDate>2024-06-03</AssessmentOutcomeDate><Week20>%d</Week20>"
        "<NamedPlan><StartDate>2024-06-03</StartDate><PlanDetail><URN>1%05u</URN>"
        "<PlacementRank>1</PlacementRank></PlanDetail></NamedPlan></Assessment><ActivePlans>"
        "<SENneed><SENtype>ASD</SENtype><SENtypeRank>1</SENtypeRank></SENneed><ReviewMeeting>"
        "2024-11-05</ReviewMeeting><LastReview>2024-11-26</LastReview><ReviewOutcome>M"
        "</ReviewOutcome></ActivePlans></Requests></Person>\n",
        k, received, k % 10 == 3, k % 100000);
  }
  o += (size_t)snprintf(buf + o, cap - o, "</Persons></Message>\n");
  *len = o;
  return buf;
}

/* 200,000 persons; 20,000 under valgrind (the test's allocator is then
 * not the one in use), where the full size takes minutes; the environment
 * variable EHCP_SEN2_BIG_PERSONS chooses another size. */
static size_t big_persons(void) {
  const char *env = getenv("EHCP_SEN2_BIG_PERSONS");
  long n = 200000;
#ifdef CHAOS
  if (!counting())
    n = 20000;
#endif
  if (env)
    n = atol(env);
  return n > 1000 ? (size_t)n : 1000;
}

static void test_large(void) {
  size_t n = big_persons(), len;
  char *buf = generate(n, 0, &len);
  struct run x;
  run_new(&x);
  CHECK_INT(ehcp_reader_read_buffer(x.r, buf, len, "big.xml", EHCP_FORMAT_SEN2_XML), EHCP_OK);
  free(buf);
  printf("read a generated return of %zu persons\n", n);
  size_t bad = n / 1000;
  check_counts(x.r, n, n - bad, bad);
  CHECK_INT(ehcp_case_set_count(x.set), n);
  CHECK_INT(ehcp_diagnostics_count(x.d), bad);
  CHECK_STR(diag_text(x.d, 0),
            "error bad_date 1001 Message/Persons/Person[1000]/Requests[1]/ReceivedDate "
            "T000000000999/1: ReceivedDate '2024-02-30' is not a date (no such day in that "
            "month): the field is skipped");
  static const char *const t3[] = {
      "request_received 2024-01-04 setting @5",  "exception 2024-01-04 unspecified @5",
      "assessment_decision 2024-03-01 yes @5",   "issue_decision 2024-06-03 yes @5",
      "final_issued 2024-06-03 - @5",            "review_meeting 2024-11-05 - @5",
      "review_decision 2024-11-26 maintain @5"};
  static const char *const t3a[] = {"person_id=T000000000003", "sen2_year=2025",
                                    "request_outcome=Y",       "assessment_outcome=Y",
                                    "urn=100003",              "sen_type=ASD"};
  CHECK_CASE(x.set, "T000000000003/1", t3, t3a);
  char last[32];
  snprintf(last, sizeof last, "T%012u/1", (unsigned)(n - 2));
  CHECK(ehcp_case_set_find(x.set, last) != NULL);
  run_free(&x);
}

/* The reader's memory does not grow with the persons read: the same child
 * repeated keeps the case set at one case, so any growth would be the
 * reader's own. Peak live bytes of a read of 10,000 persons (7 MB, several
 * 1 MiB pieces) and of 100,000 persons (70 MB) must agree to within a few
 * kilobytes; most of it is expat's copy of the piece being parsed (expat
 * built with XML_CONTEXT_BYTES copies what XML_Parse is given). */
static void test_memory_flat(void) {
#ifdef CHAOS
  if (!counting()) {
    printf("memory check skipped: the allocator is not the test's (valgrind?)\n");
    return;
  }
  size_t sizes[2] = {10000, 100000}, peak[2] = {0, 0};
  for (int k = 0; k < 2; k++) {
    size_t len;
    char *buf = generate(sizes[k], 1, &len);
    struct run x;
    run_new(&x);
    size_t base = mem_live;
    mem_peak = mem_live;
    CHECK_INT(ehcp_reader_read_buffer(x.r, buf, len, "same.xml", EHCP_FORMAT_SEN2_XML),
              EHCP_OK);
    peak[k] = mem_peak - base;
    check_counts(x.r, sizes[k], sizes[k], 0);
    CHECK_INT(ehcp_case_set_count(x.set), 1);
    CHECK_INT(ehcp_diagnostics_count(x.d), 0);
    run_free(&x);
    free(buf);
  }
  printf("peak memory of a read: %zu bytes for %zu persons, %zu bytes for %zu persons\n",
         peak[0], sizes[0], peak[1], sizes[1]);
  CHECK(peak[1] <= peak[0] + 16384);
  CHECK(peak[1] < 4 * 1024 * 1024); /* expat's copy of a 1 MiB piece, and the reader's state */
#else
  printf("memory check skipped: needs glibc without ASan\n");
#endif
}

/* ---- allocation failures ----------------------------------------------------- */

static void test_chaos(void) {
#ifdef CHAOS
  if (!counting()) {
    printf("allocation-failure check skipped: the allocator is not the test's (valgrind?)\n");
    return;
  }
  size_t len, elen;
  char *buf = slurp(fixture("return_2025.xml"), &len, 1);
  char *errbuf = slurp(fixture("errors.xml"), &elen, 1);
  long tried = 0;
  for (int which = 0; which < 2; which++) {
    const char *data = which ? errbuf : buf;
    size_t dlen = which ? elen : len;
    for (long fail = 1;; fail++) {
      long live = chaos_live;
      struct run x;
      run_new(&x);
      chaos_count = 0;
      chaos_fail_at = fail;
      int rc = ehcp_reader_read_buffer(x.r, data, dlen, "chaos.xml", EHCP_FORMAT_AUTO);
      int hit = chaos_count >= fail;
      chaos_fail_at = 0;
      CHECK(rc == EHCP_OK || rc == EHCP_ERR_NOMEM);
      if (rc == EHCP_ERR_NOMEM)
        CHECK_STR(ehcp_reader_errmsg(x.r), "chaos.xml: out of memory");
      uint64_t r, a, j;
      ehcp_reader_last_counts(&r, &a, &j, x.r);
      CHECK_INT(r, a + j);
      if (rc == EHCP_OK)
        CHECK_INT(r, which ? 7 : 11);
      run_free(&x);
      CHECK_INT(chaos_live, live); /* nothing leaked on the way out */
      tried++;
      if (!hit) {
        CHECK_INT(rc, EHCP_OK);
        break;
      }
    }
  }
  free(buf);
  free(errbuf);
  printf("made each of %ld allocations fail once\n", tried);
#else
  printf("allocation-failure check skipped: needs glibc without ASan\n");
#endif
}

/* No block is left behind by any of the above. */
static void test_no_leak(void) {
#ifdef CHAOS
  if (!counting())
    return;
  long live = chaos_live;
  struct run x;
  const char *source;
  run_new(&x);
  read_fixture(&x, "errors.xml", 1, &source);
  read_fixture(&x, "syntax.xml", 0, &source);
  read_fixture(&x, "truncated.xml", 1, &source);
  run_free(&x);
  CHECK_INT(chaos_live, live);
#endif
}

int main(void) {
  const char *dir = getenv("EHCP_TEST_DATA");
  snprintf(data_dir, sizeof data_dir, "%s", dir ? dir : "test/data");
  test_2025();
  test_two_returns();
  test_2023();
  test_errors();
  test_syntax();
  test_truncated();
  test_namespaced_no_header();
  test_no_personal_data();
  test_shared_sample();
  test_in_memory();
  test_large();
  test_memory_flat();
  test_chaos();
  test_no_leak();
  return check_done("sen2");
}
