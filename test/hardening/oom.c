/* Allocation failures on the main paths: for every n, the n-th allocation
 * fails (once), and the library must
 *  - return an error, not crash (EHCP_ERR_NOMEM is expected; any other
 *    error is reported as a note, since it misnames the problem);
 *  - leak nothing: live blocks are counted by the allocator below;
 *  - leave its objects usable or freed: after the failure memory "comes
 *    back" and the scenario retries the failed call on the same objects,
 *    which must then give exactly the results of a run without failures
 *    (where the API promises the object is unchanged on error), or at least
 *    work again (readers, which keep what they read before the failure);
 *  - never swallow a failure: a run that returns OK must give exactly the
 *    results of a run without failures.
 *
 * The paths: building calendars (closures and an .ics), reading events,
 * attributes and cases CSV and SEN2 XML, validation, evaluating one case at
 * a time and a whole set on threads, measures and cohorts (computed, and
 * accumulated then merged), loading rule-set files, and the two writers.
 *
 * glibc only, and not under a sanitizer or valgrind (they own malloc): the
 * test program defines malloc, calloc, realloc, free and the aligned
 * allocators itself and forwards to glibc's __libc_* functions; glibc routes
 * its own allocations (strdup, open_memstream, ...) and those of libical,
 * expat and inih through them. Otherwise the test is skipped (status 77).
 *
 * libical is not allocation-failure safe (3.0.16 dereferences NULL when its
 * own allocations fail, e.g. icalparser_new() in icalparser_parse_string()
 * and pvl_newlist() in icalproperty_new()), so an allocation made with
 * libical on the stack is never failed: the failure passes to the next
 * allocation. What ehcp allocates around libical is still tested.
 * (OOM_FAIL_LIBICAL=1 oom calendar shows the crash.)
 *
 * Usage: oom [SCENARIO...]   (default: all; EHCP_TEST_DATA and
 * EHCP_RULES_DIR give the fixtures, as in the meson test.)
 * To look at one failure: OOM_ONLY=N OOM_BACKTRACE=1 oom SCENARIO runs the
 * scenario once with allocation N failing and prints where it failed. */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include <execinfo.h>
#include <link.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardening.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NO_CHAOS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                  \
    __has_feature(memory_sanitizer)
#define NO_CHAOS 1
#endif
#endif

#if defined(__GLIBC__) && !defined(NO_CHAOS)
#define CHAOS 1
#endif

/* ---- the allocator ------------------------------------------------------------ */

static atomic_long fail_at;  /* 0: never fail */
static atomic_long counter;  /* allocations since the count was reset */
static atomic_long live;     /* blocks allocated and not freed */
static atomic_long failures; /* allocations made to fail */

/* Where libical is mapped. */
#define MAX_RANGES 16
static uintptr_t ical_lo[MAX_RANGES], ical_hi[MAX_RANGES];
static int ical_ranges;
static atomic_long passed_on; /* failures passed on by libical */
static int trace_failures;
static atomic_long last_failed; /* index of the allocation that failed last */

static int find_libical(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size, (void)data;
  if (!info->dlpi_name || !strstr(info->dlpi_name, "libical"))
    return 0;
  for (int i = 0; i < info->dlpi_phnum && ical_ranges < MAX_RANGES; i++) {
    if (info->dlpi_phdr[i].p_type != PT_LOAD)
      continue;
    ical_lo[ical_ranges] = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
    ical_hi[ical_ranges] = ical_lo[ical_ranges] + info->dlpi_phdr[i].p_memsz;
    ical_ranges++;
  }
  return 0;
}

#ifdef CHAOS
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static int libical_on_stack(void) {
  void *frames[64];
  int n = backtrace(frames, 64);
  for (int i = 1; i < n; i++)
    for (int k = 0; k < ical_ranges; k++)
      if ((uintptr_t)frames[i] >= ical_lo[k] && (uintptr_t)frames[i] < ical_hi[k])
        return 1;
  return 0;
}

static int chaos_fails(void) {
  long n = atomic_fetch_add(&counter, 1) + 1;
  long at = atomic_load(&fail_at);
  if (!at || n != at)
    return 0;
  if (ical_ranges && libical_on_stack()) {
    /* Not this one: the next allocation fails instead. */
    atomic_compare_exchange_strong(&fail_at, &at, at + 1);
    atomic_fetch_add(&passed_on, 1);
    return 0;
  }
  atomic_fetch_add(&failures, 1);
  atomic_store(&last_failed, n);
  if (trace_failures) { /* OOM_BACKTRACE=1: where each failure happens */
    void *frames[64];
    int depth = backtrace(frames, 64);
    fprintf(stderr, "-- allocation %ld fails here:\n", n);
    backtrace_symbols_fd(frames, depth, 2);
  }
  return 1;
}

void *malloc(size_t n) {
  void *p = chaos_fails() ? NULL : __libc_malloc(n);
  if (p)
    atomic_fetch_add(&live, 1);
  return p;
}

void *calloc(size_t n, size_t size) {
  void *p = chaos_fails() ? NULL : __libc_calloc(n, size);
  if (p)
    atomic_fetch_add(&live, 1);
  return p;
}

void *realloc(void *old, size_t n) {
  if (old && n == 0) { /* glibc frees and returns NULL */
    atomic_fetch_sub(&live, 1);
    return __libc_realloc(old, 0);
  }
  void *p = chaos_fails() ? NULL : __libc_realloc(old, n);
  if (!old && p)
    atomic_fetch_add(&live, 1);
  return p;
}

void *memalign(size_t align, size_t n) {
  void *p = chaos_fails() ? NULL : __libc_memalign(align, n);
  if (p)
    atomic_fetch_add(&live, 1);
  return p;
}

void *aligned_alloc(size_t align, size_t n) { return memalign(align, n); }

int posix_memalign(void **out, size_t align, size_t n) {
  void *p = memalign(align, n);
  if (!p)
    return 12; /* ENOMEM */
  *out = p;
  return 0;
}

void free(void *p) {
  if (p)
    atomic_fetch_sub(&live, 1);
  __libc_free(p);
}
#endif

/* Memory is back: no further allocation of this run fails. */
static void recovered(void) { atomic_store(&fail_at, 0); }

/* ---- shared fixtures, built before any failure ---------------------------------- */

static ehcp_date as_of;
static const ehcp_calendar *cal;   /* England and Wales */
static const ehcp_calendar *school; /* a term calendar from school-term.ics */
static const ehcp_ruleset *rules;   /* england-2014 + local targets */
static const ehcp_case_set *small;  /* a few dozen cases read from fixtures */
static const ehcp_case_set *large;  /* enough cases for evaluate_set's threads */
static const ehcp_evaluator *shared_ev;
static const ehcp_measures *shared_monthly;
static const ehcp_cohorts *shared_cohorts;

static char *events_good, *events_errors, *attributes, *cases_good, *cases_errors,
    *cases_mapped, *sen2_good, *sen2_errors, *school_ics, *rules_every, *rules_local,
    *rules_wales;
static size_t events_good_len, events_errors_len, attributes_len, cases_good_len,
    cases_errors_len, cases_mapped_len, sen2_good_len, sen2_errors_len, school_ics_len,
    rules_every_len, rules_local_len, rules_wales_len;

static _Noreturn void die(const char *what) {
  fprintf(stderr, "oom: setup failed: %s\n", what);
  exit(1);
}

static void setup(void) {
  events_good = slurp(data_path("csv/events-good.csv"), &events_good_len);
  events_errors = slurp(data_path("csv/events-errors.csv"), &events_errors_len);
  attributes = slurp(data_path("csv/attributes.csv"), &attributes_len);
  cases_good = slurp(data_path("csv/cases-good.csv"), &cases_good_len);
  cases_errors = slurp(data_path("csv/cases-errors.csv"), &cases_errors_len);
  cases_mapped = slurp(data_path("csv/cases-mapped.csv"), &cases_mapped_len);
  sen2_good = slurp(data_path("sen2/return_2025.xml"), &sen2_good_len);
  sen2_errors = slurp(data_path("sen2/errors.xml"), &sen2_errors_len);
  school_ics = slurp(data_path("ics/school-term.ics"), &school_ics_len);
  rules_every = slurp(data_path("rules/every-key.ini"), &rules_every_len);
  rules_local = slurp(rules_path("local-targets-example.ini"), &rules_local_len);
  rules_wales = slurp(rules_path("wales-2021.ini"), &rules_wales_len);
  ehcp_date_from_ymd(&as_of, 2025, 12, 31);

  ehcp_calendar_builder *b;
  ehcp_calendar *c;
  if (ehcp_calendar_builder_new(&b) || ehcp_calendar_builder_set_region(b, 1) ||
      ehcp_calendar_build(&c, b))
    die("calendar");
  cal = c;
  ehcp_calendar_builder_free(b);
  if (ehcp_calendar_builder_new(&b) ||
      ehcp_calendar_builder_add_ics(b, school_ics, school_ics_len, "school.ics") ||
      ehcp_calendar_build(&c, b))
    die("school calendar");
  school = c;
  ehcp_calendar_builder_free(b);

  ehcp_ruleset *rs;
  if (ehcp_ruleset_new(&rs, "england-2014") ||
      ehcp_ruleset_load_string(rs, rules_local, rules_local_len, "local.ini"))
    die("rules");
  rules = rs;

  ehcp_case_set *set;
  ehcp_diagnostics *d;
  ehcp_reader *r;
  if (ehcp_case_set_new(&set) || ehcp_diagnostics_new(&d) || ehcp_reader_new(&r, set, d))
    die("small set");
  ehcp_reader_read_buffer(r, events_good, events_good_len, "events-good.csv", 0);
  ehcp_reader_read_buffer(r, attributes, attributes_len, "attributes.csv", 0);
  ehcp_reader_read_buffer(r, cases_good, cases_good_len, "cases-good.csv", 0);
  ehcp_reader_read_buffer(r, sen2_good, sen2_good_len, "return_2025.xml", 0);
  ehcp_reader_free(r);
  ehcp_diagnostics_free(d);
  if (ehcp_case_set_count(set) < 20)
    die("small set: too few cases read");
  small = set;
  if (ehcp_case_set_new(&set) || generate_cases(set, 400, 42) != EHCP_OK)
    die("large set");
  large = set;

  ehcp_evaluator *ev;
  if (ehcp_evaluator_new(&ev, rules, cal) ||
      ehcp_evaluator_add_setting_calendar(ev, "URN100001", school))
    die("evaluator");
  shared_ev = ev;
  ehcp_measures *m;
  ehcp_cohorts *co;
  if (ehcp_measures_compute(&m, ev, small, as_of, NULL) ||
      ehcp_cohorts_compute(&co, ev, small, as_of))
    die("measures");
  shared_monthly = m;
  shared_cohorts = co;
}

/* ---- scenarios ------------------------------------------------------------------ */

/* What a scenario run gives: the first error it met (EHCP_OK if none) and,
 * when `compare` is set, a digest of its results that must equal the
 * digest of a run without failures. */
struct outcome {
  int rc;
  int compare;
  uint64_t digest;
  int unusable; /* an object did not work again once memory was back */
  const char *unusable_what;
};

static void first_error(struct outcome *o, int rc) {
  if (rc != EHCP_OK && o->rc == EHCP_OK)
    o->rc = rc;
}

/* Call expr; if it fails, note the error, let memory come back and call it
 * again, which must now succeed. */
#define RETRY(o, expr)                                                                   \
  do {                                                                                   \
    int rc_ = (expr);                                                                    \
    if (rc_ != EHCP_OK) {                                                                \
      first_error(o, rc_);                                                               \
      recovered();                                                                       \
      if ((rc_ = (expr)) != EHCP_OK && !(o)->unusable) {                                 \
        (o)->unusable = 1;                                                               \
        (o)->unusable_what = #expr;                                                      \
      }                                                                                  \
    }                                                                                    \
  } while (0)

/* A constructor that fails leaves nothing to free; the scenario stops. */
#define NEW(o, expr)                                                                     \
  do {                                                                                   \
    int rc_ = (expr);                                                                    \
    if (rc_ != EHCP_OK) {                                                                \
      first_error(o, rc_);                                                               \
      (o)->compare = 0;                                                                  \
      goto out;                                                                          \
    }                                                                                    \
  } while (0)

static uint64_t calendar_digest(const ehcp_calendar *c) {
  uint64_t h = FNV_START;
  for (size_t i = 0; i < ehcp_calendar_closure_count(c); i++) {
    ehcp_date a, z;
    const char *name;
    int kind;
    ehcp_calendar_closure(&a, &z, &name, &kind, c, i);
    h = fnv_i64(fnv_i64(fnv_i64(fnv_str(h, name), a), z), kind);
  }
  ehcp_date first, last;
  int32_t n = 0;
  ehcp_calendar_range(&first, &last, c);
  ehcp_calendar_count(&n, c, first, last + 1);
  return fnv_i64(fnv_i64(fnv_i64(h, first), last), n);
}

/* Builder: region, range, a closure, an .ics text, an .ics file; build. */
static struct outcome s_calendar(void) {
  struct outcome o = {0};
  ehcp_calendar_builder *b = NULL;
  ehcp_calendar *c = NULL;
  ehcp_date first, last, x, y;
  ehcp_date_from_ymd(&first, 2015, 1, 1);
  ehcp_date_from_ymd(&last, 2030, 12, 31);
  ehcp_date_from_ymd(&x, 2025, 12, 24);
  ehcp_date_from_ymd(&y, 2026, 1, 1);
  NEW(&o, ehcp_calendar_builder_new(&b));
  RETRY(&o, ehcp_calendar_builder_set_region(b, EHCP_REGION_ENGLAND_AND_WALES));
  RETRY(&o, ehcp_calendar_builder_set_range(b, first, last));
  RETRY(&o, ehcp_calendar_builder_add_closure(b, x, y, "Office closure"));
  RETRY(&o, ehcp_calendar_builder_add_ics(b, school_ics, school_ics_len, "school.ics"));
  RETRY(&o, ehcp_calendar_builder_add_ics_file(b, data_path("ics/govuk-england-and-wales.ics")));
  RETRY(&o, ehcp_calendar_build(&c, b));
  if (c) {
    o.compare = 1;
    o.digest = calendar_digest(c);
  }
out:
  ehcp_calendar_free(c);
  ehcp_calendar_builder_free(b);
  return o;
}

/* Read buffers (and one file) with a reader; after a failed read, the
 * counts must still add up and the reader must read again. */
static void read_one(struct outcome *o, ehcp_reader *r, ehcp_diagnostics *d, const char *data,
                     size_t len, const char *name, int format) {
  int rc = ehcp_reader_read_buffer(r, data, len, name, format);
  uint64_t n, a, j;
  ehcp_reader_last_counts(&n, &a, &j, r);
  if (n != a + j && !o->unusable) {
    o->unusable = 1;
    o->unusable_what = "row accounting after a failed read";
  }
  if (rc == EHCP_OK)
    return;
  first_error(o, rc);
  o->compare = 0; /* the set keeps what was read before the failure */
  recovered();
  static const char again[] = "case_id,event,date\nZ1,final_issued,2025-06-02\n";
  (void)d;
  if (ehcp_reader_read_buffer(r, again, sizeof again - 1, "again.csv",
                              EHCP_FORMAT_EVENTS_CSV) != EHCP_OK &&
      !o->unusable) {
    o->unusable = 1;
    o->unusable_what = "reader after a failed read";
  }
}

static struct outcome read_scenario(int which) {
  struct outcome o = {.compare = 1};
  ehcp_case_set *set = NULL;
  ehcp_diagnostics *d = NULL;
  ehcp_reader *r = NULL;
  NEW(&o, ehcp_case_set_new(&set));
  NEW(&o, ehcp_diagnostics_new(&d));
  NEW(&o, ehcp_reader_new(&r, set, d));
  switch (which) {
  case EHCP_FORMAT_EVENTS_CSV:
    read_one(&o, r, d, events_good, events_good_len, "events-good.csv", EHCP_FORMAT_AUTO);
    read_one(&o, r, d, events_errors, events_errors_len, "events-errors.csv", 1);
    if (o.rc == EHCP_OK) { /* the file path: mmap */
      int rc = ehcp_reader_read_file(r, data_path("csv/events-crlf-bom.csv"), 0);
      if (rc != EHCP_OK) {
        first_error(&o, rc);
        o.compare = 0;
      }
    }
    break;
  case EHCP_FORMAT_ATTRIBUTES_CSV:
    read_one(&o, r, d, attributes, attributes_len, "attributes.csv", EHCP_FORMAT_AUTO);
    read_one(&o, r, d, attributes, attributes_len, "attributes.csv", 2);
    break;
  case EHCP_FORMAT_CASES_CSV:
    read_one(&o, r, d, cases_good, cases_good_len, "cases-good.csv", EHCP_FORMAT_AUTO);
    read_one(&o, r, d, cases_errors, cases_errors_len, "cases-errors.csv", 3);
    RETRY(&o, ehcp_reader_map_column(r, "case_id", "Case ref"));
    RETRY(&o, ehcp_reader_map_column(r, "received_date", "Date request received"));
    read_one(&o, r, d, cases_mapped, cases_mapped_len, "cases-mapped.csv", 3);
    break;
  default:
    read_one(&o, r, d, sen2_good, sen2_good_len, "return_2025.xml", EHCP_FORMAT_AUTO);
    read_one(&o, r, d, sen2_errors, sen2_errors_len, "errors.xml", 4);
    break;
  }
  if (o.compare) {
    uint64_t n, a, j;
    ehcp_reader_total_counts(&n, &a, &j, r);
    o.digest = fnv_i64(fnv_i64(fnv_i64(case_set_digest(set) ^ diagnostics_digest(d, 0), n), a), j);
  }
out:
  ehcp_reader_free(r);
  ehcp_diagnostics_free(d);
  ehcp_case_set_free(set);
  return o;
}

static struct outcome s_read_events(void) { return read_scenario(EHCP_FORMAT_EVENTS_CSV); }
static struct outcome s_read_attributes(void) { return read_scenario(EHCP_FORMAT_ATTRIBUTES_CSV); }
static struct outcome s_read_cases(void) { return read_scenario(EHCP_FORMAT_CASES_CSV); }
static struct outcome s_read_sen2(void) { return read_scenario(EHCP_FORMAT_SEN2_XML); }

/* Validation appends to a list: after a failure, clear it and validate again. */
static struct outcome s_validate(void) {
  struct outcome o = {.compare = 1};
  ehcp_diagnostics *d = NULL;
  NEW(&o, ehcp_diagnostics_new(&d));
  int rc = ehcp_validate_set(d, small, as_of);
  if (rc != EHCP_OK) {
    first_error(&o, rc);
    recovered();
    ehcp_diagnostics_clear(d);
    if (ehcp_validate_set(d, small, as_of) != EHCP_OK) {
      o.unusable = 1;
      o.unusable_what = "ehcp_validate_set() after clearing";
    }
  }
  o.digest = diagnostics_digest(d, 0);
out:
  ehcp_diagnostics_free(d);
  return o;
}

/* One case at a time with one timeline; "on NOMEM the timeline is empty". */
static struct outcome s_evaluate(void) {
  struct outcome o = {.compare = 1, .digest = FNV_START};
  ehcp_evaluator *ev = NULL;
  ehcp_timeline *tl = NULL;
  NEW(&o, ehcp_evaluator_new(&ev, rules, cal));
  RETRY(&o, ehcp_evaluator_add_setting_calendar(ev, "URN100001", school));
  RETRY(&o, ehcp_evaluator_add_setting_calendar(ev, "URN100002", school));
  NEW(&o, ehcp_timeline_new(&tl));
  for (size_t i = 0; i < ehcp_case_set_count(small); i++) {
    const ehcp_case *c = ehcp_case_set_get(small, i);
    int rc = ehcp_evaluate(tl, ev, c, as_of);
    if (rc != EHCP_OK) {
      if (ehcp_timeline_count(tl) != 0 && !o.unusable) {
        o.unusable = 1;
        o.unusable_what = "timeline not empty after a failed ehcp_evaluate()";
      }
      first_error(&o, rc);
      recovered();
      if (ehcp_evaluate(tl, ev, c, as_of) != EHCP_OK && !o.unusable) {
        o.unusable = 1;
        o.unusable_what = "ehcp_evaluate() again";
      }
    }
    o.digest = fnv_i64(o.digest, (int64_t)timeline_digest(c, tl));
  }
out:
  ehcp_timeline_free(tl);
  ehcp_evaluator_free(ev);
  return o;
}

struct set_digest {
  uint64_t h;
  size_t n;
};

static int on_case(const ehcp_case *c, const ehcp_timeline *tl, void *payload) {
  struct set_digest *s = payload;
  s->h = fnv_i64(s->h, (int64_t)timeline_digest(c, tl));
  s->n++;
  return 0;
}

/* A whole set on helper threads (the set is large enough to use them). */
static struct outcome s_evaluate_set(void) {
  struct outcome o = {.compare = 1};
  struct set_digest s = {FNV_START, 0};
  int rc = ehcp_evaluate_set(shared_ev, large, as_of, 3, on_case, &s);
  if (rc != EHCP_OK) {
    first_error(&o, rc);
    recovered();
    s = (struct set_digest){FNV_START, 0};
    if (ehcp_evaluate_set(shared_ev, large, as_of, 3, on_case, &s) != EHCP_OK) {
      o.unusable = 1;
      o.unusable_what = "ehcp_evaluate_set() again";
    }
  }
  o.digest = fnv_i64(s.h, (int64_t)s.n);
  return o;
}

/* After ehcp_measures_add() or _merge() returned rc: on a failure, once
 * memory is back, the call must either work (the failed call changed
 * nothing) or be refused with the accumulator reading as empty (it lost
 * count and says so); counting on with figures half-counted is the bug.
 * Returns 1 when the accumulator is out of use. */
static int measures_step(struct outcome *o, ehcp_measures *acc, int rc, const ehcp_case *c,
                         const ehcp_timeline *tl, const ehcp_measures *from) {
  if (rc == EHCP_OK)
    return 0;
  first_error(o, rc);
  recovered();
  rc = from ? ehcp_measures_merge(acc, from) : ehcp_measures_add(acc, c, tl);
  if (rc == EHCP_OK)
    return 0;
  if (rc == EHCP_ERR_INVALID && ehcp_measures_count(acc) == 0 &&
      ehcp_measures_summary_count(acc) == 0) {
    o->compare = 0;
    return 1;
  }
  if (!o->unusable) {
    o->unusable = 1;
    o->unusable_what = from ? "ehcp_measures_merge() again" : "ehcp_measures_add() again";
  }
  return 1;
}

/* ehcp_measures_compute(), then the same by hand: two accumulators over
 * the two halves of the set, merged. Both must give the same figures. */
static struct outcome s_measures(void) {
  struct outcome o = {.compare = 1};
  ehcp_measures *m = NULL, *a = NULL, *b = NULL;
  ehcp_timeline *tl = NULL;
  const char *group[] = {"team"};
  struct ehcp_measures_options opts = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                       .period = EHCP_PERIOD_QUARTER,
                                       .group_by = group,
                                       .ngroup_by = 1,
                                       .from = EHCP_DATE_NONE,
                                       .to = EHCP_DATE_NONE};
  RETRY(&o, ehcp_measures_compute(&m, shared_ev, large, as_of, &opts));
  NEW(&o, ehcp_measures_new(&a, rules, &opts));
  NEW(&o, ehcp_measures_new(&b, rules, &opts));
  NEW(&o, ehcp_timeline_new(&tl));
  size_t n = ehcp_case_set_count(large);
  int poisoned = 0;
  for (size_t i = 0; i < n && !poisoned; i++) {
    const ehcp_case *c = ehcp_case_set_get(large, i);
    RETRY(&o, ehcp_evaluate(tl, shared_ev, c, as_of));
    poisoned = measures_step(&o, i < n / 2 ? a : b, ehcp_measures_add(i < n / 2 ? a : b, c, tl),
                             c, tl, NULL);
  }
  if (!poisoned)
    poisoned = measures_step(&o, a, ehcp_measures_merge(a, b), NULL, NULL, b);
  if (!poisoned && m && measures_digest(m) != measures_digest(a) && !o.unusable) {
    o.unusable = 1;
    o.unusable_what = "merged accumulators differ from ehcp_measures_compute()";
  }
  o.digest = m ? measures_digest(m) : 0;
out:
  ehcp_timeline_free(tl);
  ehcp_measures_free(b);
  ehcp_measures_free(a);
  ehcp_measures_free(m);
  return o;
}

static struct outcome s_cohorts(void) {
  struct outcome o = {.compare = 1};
  ehcp_cohorts *co = NULL, *a = NULL, *b = NULL;
  ehcp_timeline *tl = NULL;
  RETRY(&o, ehcp_cohorts_compute(&co, shared_ev, large, as_of));
  NEW(&o, ehcp_cohorts_new(&a, as_of));
  NEW(&o, ehcp_cohorts_new(&b, as_of));
  NEW(&o, ehcp_timeline_new(&tl));
  size_t n = ehcp_case_set_count(large);
  for (size_t i = 0; i < n; i++) {
    const ehcp_case *c = ehcp_case_set_get(large, i);
    RETRY(&o, ehcp_evaluate(tl, shared_ev, c, as_of));
    RETRY(&o, ehcp_cohorts_add(i % 2 ? a : b, c, tl));
  }
  RETRY(&o, ehcp_cohorts_merge(a, b));
  /* Reading completes the counts (the first read after a change). */
  if (co && cohorts_digest(co) != cohorts_digest(a) && !o.unusable) {
    o.unusable = 1;
    o.unusable_what = "merged cohort tables differ from ehcp_cohorts_compute()";
  }
  o.digest = co ? cohorts_digest(co) : 0;
out:
  ehcp_timeline_free(tl);
  ehcp_cohorts_free(b);
  ehcp_cohorts_free(a);
  ehcp_cohorts_free(co);
  return o;
}

static uint64_t ruleset_digest(const ehcp_ruleset *rs) {
  static const char *const options[] = {"week_counting", "review_clock", "closure_window_end",
                                        "region"};
  uint64_t h = fnv_str(FNV_START, ehcp_ruleset_name(rs));
  for (size_t i = 0; i < 4; i++)
    h = fnv_str(h, ehcp_ruleset_option(rs, options[i]));
  for (size_t i = 0; i < ehcp_ruleset_count(rs); i++) {
    const char *id, *name, *label, *src;
    int statutory;
    ehcp_ruleset_milestone(&id, &name, &statutory, rs, i);
    ehcp_ruleset_milestone_text(&label, &src, rs, i);
    h = fnv_i64(fnv_str(fnv_str(fnv_str(fnv_str(h, id), name), label), src), statutory);
  }
  return h;
}

/* Rule sets: on error "rs is unchanged", so a retry must give the same. */
static struct outcome s_ruleset(void) {
  struct outcome o = {.compare = 1};
  ehcp_ruleset *rs = NULL, *wales = NULL;
  ehcp_evaluator *ev = NULL;
  ehcp_timeline *tl = NULL;
  NEW(&o, ehcp_ruleset_new(&rs, "england-2014"));
  RETRY(&o, ehcp_ruleset_load_string(rs, rules_every, rules_every_len, "every-key.ini"));
  RETRY(&o, ehcp_ruleset_load_string(rs, rules_local, rules_local_len, "local.ini"));
  RETRY(&o, ehcp_ruleset_load_file(rs, rules_path("local-targets-example.ini")));
  RETRY(&o, ehcp_ruleset_set_option(rs, "week_counting", "t0_day1"));
  NEW(&o, ehcp_ruleset_new(&wales, NULL));
  RETRY(&o, ehcp_ruleset_load_string(wales, rules_wales, rules_wales_len, "wales-2021.ini"));
  /* The loaded rules evaluate. */
  NEW(&o, ehcp_evaluator_new(&ev, rs, cal));
  NEW(&o, ehcp_timeline_new(&tl));
  uint64_t h = ruleset_digest(rs) ^ ruleset_digest(wales);
  for (size_t i = 0; i < ehcp_case_set_count(small); i++) {
    const ehcp_case *c = ehcp_case_set_get(small, i);
    RETRY(&o, ehcp_evaluate(tl, ev, c, as_of));
    h = fnv_i64(h, (int64_t)timeline_digest(c, tl));
  }
  o.digest = h;
out:
  ehcp_timeline_free(tl);
  ehcp_evaluator_free(ev);
  ehcp_ruleset_free(wales);
  ehcp_ruleset_free(rs);
  return o;
}

/* The writers into buffers: NULL and an error, or the same text. */
static struct outcome s_writers(void) {
  struct outcome o = {.compare = 1};
  struct ehcp_ics_options io = {.version = EHCP_ICS_OPTIONS_VERSION, .as_of = as_of,
                                .local_targets = 1};
  struct ehcp_report_options ro = {.version = EHCP_REPORT_OPTIONS_VERSION, .as_of = as_of,
                                   .subtitle = "Countyshire"};
  char *ics = NULL, *html = NULL;
  size_t ics_len = 0, html_len = 0, nevents = 0;
  RETRY(&o, ehcp_ics_string(&ics, &ics_len, &nevents, shared_ev, rules, small, &io));
  RETRY(&o, ehcp_report_html(&html, &html_len, shared_monthly, NULL, shared_cohorts, &ro));
  o.digest = fnv_i64(fnv(fnv(FNV_START, ics ? ics : "", ics_len), html ? html : "", html_len),
                     (int64_t)nevents);
  ehcp_export_free(ics);
  ehcp_export_free(html);
  return o;
}

/* ---- the driver ------------------------------------------------------------------ */

struct scenario {
  const char *name;
  struct outcome (*run)(void);
};

static const struct scenario scenarios[] = {
    {"calendar", s_calendar},
    {"read_events", s_read_events},
    {"read_attributes", s_read_attributes},
    {"read_cases", s_read_cases},
    {"read_sen2", s_read_sen2},
    {"validate", s_validate},
    {"evaluate", s_evaluate},
    {"evaluate_set", s_evaluate_set},
    {"measures", s_measures},
    {"cohorts", s_cohorts},
    {"ruleset", s_ruleset},
    {"writers", s_writers},
};

static int problems;

/* Problems found, reported and not fixed yet: seen, they are listed but do
 * not fail the test; once fixed, the test says so and the entry should go.
 * (Set OOM_STRICT=1 to count them as failures.) */
static struct known {
  const char *scenario, *problem, *why;
  long seen;
} known[] = {
    {"calendar", "a failure was swallowed",
     "lib/calendar.c closure_cmp() orders closures by first day then name only; ties (a bank "
     "holiday and the same day from an .ics) come out in a different order when glibc's qsort "
     "cannot allocate its merge buffer and falls back to quicksort", 0},
    {"measures", "merged accumulators differ",
     "ehcp_measures_add() and ehcp_measures_merge() are not atomic: on NOMEM part of the case "
     "(or of the other accumulator) is already counted, so the accumulator's figures are wrong "
     "and nothing says so (fixed when a failed call changes nothing, or when it puts the "
     "accumulator out of use: it then reads as empty and refuses adds and merges)", 0},
};

static void problem(const char *name, long n, const char *fmt, const char *what) {
  char msg[300];
  snprintf(msg, sizeof msg, fmt, what);
  if (!getenv("OOM_STRICT")) {
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
      if (strcmp(known[i].scenario, name) == 0 && strstr(msg, known[i].problem)) {
        if (known[i].seen++ == 0)
          fprintf(stderr, "%s: allocation %ld failing: %s (known issue)\n", name, n, msg);
        return;
      }
    }
  }
  if (problems++ < 40)
    fprintf(stderr, "%s: allocation %ld failing: %s\n", name, n, msg);
}

/* Run one scenario with every allocation failing in turn. */
static void run_scenario(const struct scenario *s) {
  atomic_store(&fail_at, 0);
  struct outcome ref = s->run(); /* also fills one-time caches */
  long before = atomic_load(&live);
  atomic_store(&counter, 0);
  struct outcome ref2 = s->run();
  long total = atomic_load(&counter);
  if (ref.rc != EHCP_OK || ref2.rc != EHCP_OK || ref.unusable || ref.digest != ref2.digest) {
    fprintf(stderr, "%s: a run without failures is not clean (rc %d, %d)\n", s->name, ref.rc,
            ref2.rc);
    problems++;
    return;
  }
  if (atomic_load(&live) != before) {
    fprintf(stderr, "%s: a run without failures leaks %ld blocks\n", s->name,
            atomic_load(&live) - before);
    problems++;
  }
  long nomem = 0, other = 0, runs = 0, n, passed0 = atomic_load(&passed_on);
  for (n = 1;; n++) {
    long live0 = atomic_load(&live), failed0 = atomic_load(&failures);
    atomic_store(&counter, 0);
    atomic_store(&fail_at, n);
    struct outcome o = s->run();
    atomic_store(&fail_at, 0);
    runs++;
    int failed = atomic_load(&failures) != failed0;
    if (atomic_load(&live) != live0) {
      char what[64];
      snprintf(what, sizeof what, "%ld", atomic_load(&live) - live0);
      problem(s->name, n, "%s blocks leaked", what);
    }
    if (o.unusable)
      problem(s->name, n, "unusable afterwards: %s", o.unusable_what);
    if (!failed) { /* every allocation has had its turn: this run is the reference */
      if (o.rc != EHCP_OK || o.digest != ref.digest)
        problem(s->name, n, "%s", "a run with no failure differs from the reference");
      break;
    }
    if (o.rc == EHCP_ERR_NOMEM) {
      nomem++;
    } else if (o.rc != EHCP_OK) {
      other++;
      if (other <= 3)
        fprintf(stderr, "%s: note: allocation %ld failing gave %s, not \"%s\"\n", s->name, n,
                ehcp_strerror(o.rc), ehcp_strerror(EHCP_ERR_NOMEM));
    } else if (o.compare && o.digest != ref.digest) {
      problem(s->name, n, "%s", "returned OK with results that differ: a failure was swallowed");
    }
    if (o.rc != EHCP_OK && o.compare && o.digest != ref.digest && !o.unusable)
      problem(s->name, n, "%s", "after the retry the results differ from the reference");
    long failed_at = atomic_load(&last_failed);
    if (failed && failed_at > n)
      n = failed_at; /* n+1 .. failed_at would pass on to the same allocation */
  }
  printf("%-16s %6ld allocations, %5ld runs with one failing: %ld NOMEM, %ld other errors, "
         "%ld recovered silently; %ld failures passed on by libical\n",
         s->name, total, runs - 1, nomem, other, runs - 1 - nomem - other,
         atomic_load(&passed_on) - passed0);
}

int main(int argc, char **argv) {
#ifndef CHAOS
  printf("oom: skipped (needs glibc and no sanitizer: the test replaces malloc)\n");
  return 77;
#endif
  printf("oom: every allocation of each path fails in turn\n"); /* stdout's buffer */
  void *frames[4];
  backtrace(frames, 4); /* loads the unwinder now, not inside malloc */
  setup();
  if (!getenv("OOM_FAIL_LIBICAL")) /* OOM_FAIL_LIBICAL=1: see libical crash */
    dl_iterate_phdr(find_libical, NULL);
  /* Is our malloc the one in use? Not under valgrind, for one. */
  atomic_store(&counter, 0);
  void *volatile probe = malloc(16); /* volatile: the pair must not be optimised away */
  free(probe);
  if (atomic_load(&counter) == 0) {
    printf("oom: skipped (malloc is not ours here, e.g. under valgrind)\n");
    return 77;
  }
  trace_failures = getenv("OOM_BACKTRACE") != NULL;
  long only = getenv("OOM_ONLY") ? atol(getenv("OOM_ONLY")) : 0;
  if (only) { /* OOM_ONLY=n: one run of each scenario with allocation n failing */
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
      int wanted = argc < 2;
      for (int k = 1; k < argc; k++)
        wanted |= strcmp(argv[k], scenarios[i].name) == 0;
      if (!wanted)
        continue;
      scenarios[i].run();
      atomic_store(&counter, 0);
      atomic_store(&fail_at, only);
      struct outcome o = scenarios[i].run();
      atomic_store(&fail_at, 0);
      printf("%s: allocation %ld failing: rc %d (%s)%s%s\n", scenarios[i].name, only, o.rc,
             ehcp_strerror(o.rc), o.unusable ? ", unusable: " : "",
             o.unusable ? o.unusable_what : "");
    }
    return 0;
  }
  int ran = 0;
  for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
    int wanted = argc < 2;
    for (int k = 1; k < argc; k++)
      wanted |= strcmp(argv[k], scenarios[i].name) == 0;
    if (!wanted)
      continue;
    run_scenario(&scenarios[i]);
    ran++;
  }
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    int ran_it = argc < 2;
    for (int k = 1; k < argc; k++)
      ran_it |= strcmp(argv[k], known[i].scenario) == 0;
    if (known[i].seen)
      printf("oom: known issue, %ld runs: %s: %s\n", known[i].seen, known[i].scenario,
             known[i].why);
    else if (ran_it)
      printf("oom: known issue no longer seen (remove it from the list): %s: %s\n",
             known[i].scenario, known[i].problem);
  }
  if (problems)
    printf("oom: %d problems\n", problems);
  else
    printf("oom: %d paths, no crash, no leak, nothing swallowed\n", ran);
  return problems || !ran ? 1 : 0;
}
