/* Threads: a large generated case set evaluated and aggregated on several
 * threads that share one calendar, one rule set and one evaluator, with
 * results identical to the single-threaded run. Meant to run under
 * ThreadSanitizer as well (a build with -Db_sanitize=thread).
 *
 *  1. Reference, on this thread: every case evaluated in turn with
 *     ehcp_evaluate(); a digest of each timeline; measures (monthly, and by
 *     team per financial year) and cohorts accumulated case by case.
 *  2. ehcp_evaluate_set() on 4 threads: the callback sees every case once,
 *     in set order, with the reference timeline.
 *  3. Our own threads, each with its own timeline, measures and cohorts
 *     over interleaved blocks of the set, also validating cases into their
 *     own lists and querying the shared calendar; the accumulators merged
 *     afterwards equal the reference, and so do the per-case digests.
 *  4. ehcp_measures_compute() and ehcp_cohorts_compute() (threads inside)
 *     equal the reference.
 *  5. Readers and rule-set loading on several threads at once, each into
 *     its own objects (no hidden global state): the same results as on one
 *     thread.
 *
 * Usage: threads [NCASES [NTHREADS]]   (default 100000 cases, 4 threads) */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "hardening.h"

static size_t ncases = 100000;
static unsigned nthreads = 4;
static ehcp_date as_of;
static ehcp_calendar *cal, *school;
static ehcp_ruleset *rules;
static ehcp_case_set *set;
static ehcp_evaluator *ev;
static uint64_t *ref_digest;

static const char *const by_team[] = {"team"};
static struct ehcp_measures_options monthly_opts = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                                    .period = EHCP_PERIOD_MONTH,
                                                    .from = EHCP_DATE_NONE,
                                                    .to = EHCP_DATE_NONE};
static struct ehcp_measures_options team_opts = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                                 .period = EHCP_PERIOD_FY,
                                                 .group_by = by_team,
                                                 .ngroup_by = 1,
                                                 .from = EHCP_DATE_NONE,
                                                 .to = EHCP_DATE_NONE};

static _Noreturn void die(const char *what) {
  fprintf(stderr, "threads: setup failed: %s\n", what);
  exit(1);
}

static void setup(void) {
  ehcp_date_from_ymd(&as_of, 2025, 12, 31);
  ehcp_calendar_builder *b;
  ehcp_date x, y;
  ehcp_date_from_ymd(&x, 2024, 12, 24);
  ehcp_date_from_ymd(&y, 2025, 1, 1);
  if (ehcp_calendar_builder_new(&b) || ehcp_calendar_builder_set_region(b, 1) ||
      ehcp_calendar_builder_add_closure(b, x, y, "Office closure") ||
      ehcp_calendar_build(&cal, b))
    die("calendar");
  ehcp_calendar_builder_free(b);
  if (ehcp_calendar_builder_new(&b) ||
      ehcp_calendar_builder_add_ics_file(b, data_path("ics/school-term.ics")) ||
      ehcp_calendar_build(&school, b))
    die("school calendar");
  ehcp_calendar_builder_free(b);
  if (ehcp_ruleset_new(&rules, "england-2014") ||
      ehcp_ruleset_load_file(rules, rules_path("local-targets-example.ini")))
    die("rules");
  if (ehcp_case_set_new(&set) || generate_cases(set, ncases, 2025) != EHCP_OK)
    die("cases");
  if (ehcp_evaluator_new(&ev, rules, cal) ||
      ehcp_evaluator_add_setting_calendar(ev, "URN100001", school) ||
      ehcp_evaluator_add_setting_calendar(ev, "URN100002", school))
    die("evaluator");
  ref_digest = calloc(ncases, sizeof *ref_digest);
  if (!ref_digest)
    die("memory");
}

/* ---- 1. the reference -------------------------------------------------------- */

static uint64_t ref_monthly, ref_team, ref_cohorts, ref_validate;

static uint64_t validate_digest_range(size_t from, size_t to, size_t step, size_t block) {
  /* Per case, so that any partition gives the same combined digest. */
  uint64_t sum = 0;
  ehcp_diagnostics *d;
  if (ehcp_diagnostics_new(&d))
    return 0;
  for (size_t b = from; b < to; b += step)
    for (size_t i = b; i < b + block && i < to; i++) {
      ehcp_diagnostics_clear(d);
      ehcp_validate_case(d, ehcp_case_set_get(set, i), as_of);
      sum += diagnostics_digest(d, 0) * (i + 1);
    }
  ehcp_diagnostics_free(d);
  return sum;
}

static void reference(void) {
  ehcp_timeline *tl;
  ehcp_measures *m, *t;
  ehcp_cohorts *co;
  if (ehcp_timeline_new(&tl) || ehcp_measures_new(&m, rules, &monthly_opts) ||
      ehcp_measures_new(&t, rules, &team_opts) || ehcp_cohorts_new(&co, as_of))
    die("reference objects");
  for (size_t i = 0; i < ncases; i++) {
    const ehcp_case *c = ehcp_case_set_get(set, i);
    CHECK_INT(ehcp_evaluate(tl, ev, c, as_of), EHCP_OK);
    ref_digest[i] = timeline_digest(c, tl);
    CHECK_INT(ehcp_measures_add(m, c, tl), EHCP_OK);
    CHECK_INT(ehcp_measures_add(t, c, tl), EHCP_OK);
    CHECK_INT(ehcp_cohorts_add(co, c, tl), EHCP_OK);
  }
  ref_monthly = measures_digest(m);
  ref_team = measures_digest(t);
  ref_cohorts = cohorts_digest(co);
  ref_validate = validate_digest_range(0, ncases, 1, 1);
  CHECK(ehcp_measures_count(m) > 50);
  CHECK(ehcp_cohorts_count(co) > 24);
  printf("reference: %zu cases, %zu monthly rows, %zu team rows, %zu cohorts\n", ncases,
         ehcp_measures_count(m), ehcp_measures_count(t), ehcp_cohorts_count(co));
  ehcp_cohorts_free(co);
  ehcp_measures_free(t);
  ehcp_measures_free(m);
  ehcp_timeline_free(tl);
}

/* ---- 2. ehcp_evaluate_set() ------------------------------------------------------- */

struct in_order {
  size_t next;
  size_t wrong_case, wrong_result;
};

static int check_case(const ehcp_case *c, const ehcp_timeline *tl, void *payload) {
  struct in_order *o = payload;
  if (o->next >= ncases || c != ehcp_case_set_get(set, o->next))
    o->wrong_case++;
  else if (timeline_digest(c, tl) != ref_digest[o->next])
    o->wrong_result++;
  o->next++;
  return 0;
}

static void evaluate_set(unsigned threads) {
  struct in_order o = {0};
  CHECK_INT(ehcp_evaluate_set(ev, set, as_of, threads, check_case, &o), EHCP_OK);
  CHECK_INT(o.next, ncases);
  CHECK_INT(o.wrong_case, 0);
  CHECK_INT(o.wrong_result, 0);
  printf("ehcp_evaluate_set, %u threads: %zu cases in order, %zu results differ\n", threads,
         o.next, o.wrong_result);
}

/* ---- 3. our own threads ------------------------------------------------------------- */

#define BLOCK 97 /* cases per block; blocks go to threads in turn */

struct worker {
  pthread_t thread;
  unsigned index;
  ehcp_measures *monthly, *team;
  ehcp_cohorts *co;
  uint64_t validate;
  int rc;
  size_t cases;
  int64_t calendar_sum;
};

static uint64_t *thread_digest;

static void *work(void *arg) {
  struct worker *w = arg;
  ehcp_timeline *tl;
  if ((w->rc = ehcp_timeline_new(&tl)) != EHCP_OK)
    return NULL;
  size_t step = (size_t)BLOCK * nthreads;
  for (size_t b = (size_t)w->index * BLOCK; b < ncases && w->rc == EHCP_OK; b += step) {
    for (size_t i = b; i < b + BLOCK && i < ncases; i++) {
      const ehcp_case *c = ehcp_case_set_get(set, i);
      if ((w->rc = ehcp_evaluate(tl, ev, c, as_of)) != EHCP_OK ||
          (w->rc = ehcp_measures_add(w->monthly, c, tl)) != EHCP_OK ||
          (w->rc = ehcp_measures_add(w->team, c, tl)) != EHCP_OK ||
          (w->rc = ehcp_cohorts_add(w->co, c, tl)) != EHCP_OK)
        break;
      thread_digest[i] = timeline_digest(c, tl);
      w->cases++;
      /* The shared calendar, directly too. */
      const struct ehcp_milestone_result *r =
          ehcp_timeline_count(tl) ? ehcp_timeline_get(tl, 0) : NULL;
      int32_t n;
      if (r && r->due != EHCP_DATE_NONE &&
          ehcp_calendar_count(&n, cal, r->start, r->due) == EHCP_OK)
        w->calendar_sum += n;
    }
  }
  w->validate = validate_digest_range((size_t)w->index * BLOCK, ncases, step, BLOCK);
  ehcp_timeline_free(tl);
  return NULL;
}

static void own_threads(void) {
  struct worker *w = calloc(nthreads, sizeof *w);
  thread_digest = calloc(ncases, sizeof *thread_digest);
  if (!w || !thread_digest)
    die("memory");
  for (unsigned k = 0; k < nthreads; k++) {
    w[k].index = k;
    if (ehcp_measures_new(&w[k].monthly, rules, &monthly_opts) ||
        ehcp_measures_new(&w[k].team, rules, &team_opts) || ehcp_cohorts_new(&w[k].co, as_of))
      die("accumulators");
  }
  for (unsigned k = 0; k < nthreads; k++)
    if (pthread_create(&w[k].thread, NULL, work, &w[k]) != 0)
      die("pthread_create");
  size_t done = 0;
  uint64_t validate = 0;
  for (unsigned k = 0; k < nthreads; k++) {
    pthread_join(w[k].thread, NULL);
    CHECK_INT(w[k].rc, EHCP_OK);
    done += w[k].cases;
    validate += w[k].validate;
  }
  CHECK_INT(done, ncases);
  CHECK(validate == ref_validate);
  size_t differ = 0;
  for (size_t i = 0; i < ncases; i++)
    differ += thread_digest[i] != ref_digest[i];
  CHECK_INT(differ, 0);

  /* Merge the per-thread accumulators, in two orders. */
  ehcp_measures *monthly, *team;
  ehcp_cohorts *co;
  if (ehcp_measures_new(&monthly, rules, &monthly_opts) ||
      ehcp_measures_new(&team, rules, &team_opts) || ehcp_cohorts_new(&co, as_of))
    die("merged accumulators");
  for (unsigned k = nthreads; k-- > 0;) {
    CHECK_INT(ehcp_measures_merge(monthly, w[k].monthly), EHCP_OK);
    CHECK_INT(ehcp_measures_merge(team, w[k].team), EHCP_OK);
    CHECK_INT(ehcp_cohorts_merge(co, w[k].co), EHCP_OK);
  }
  CHECK(measures_digest(monthly) == ref_monthly);
  CHECK(measures_digest(team) == ref_team);
  CHECK(cohorts_digest(co) == ref_cohorts);
  for (unsigned k = 1; k < nthreads; k++) { /* and into thread 0's, in order */
    CHECK_INT(ehcp_measures_merge(w[0].monthly, w[k].monthly), EHCP_OK);
    CHECK_INT(ehcp_measures_merge(w[0].team, w[k].team), EHCP_OK);
    CHECK_INT(ehcp_cohorts_merge(w[0].co, w[k].co), EHCP_OK);
  }
  CHECK(measures_digest(w[0].monthly) == ref_monthly);
  CHECK(measures_digest(w[0].team) == ref_team);
  CHECK(cohorts_digest(w[0].co) == ref_cohorts);
  printf("%u threads of our own: %zu cases, %zu results differ; merged measures %s, cohorts %s\n",
         nthreads, done, differ,
         measures_digest(monthly) == ref_monthly && measures_digest(team) == ref_team
             ? "identical"
             : "DIFFER",
         cohorts_digest(co) == ref_cohorts ? "identical" : "DIFFER");
  ehcp_cohorts_free(co);
  ehcp_measures_free(team);
  ehcp_measures_free(monthly);
  for (unsigned k = 0; k < nthreads; k++) {
    ehcp_measures_free(w[k].monthly);
    ehcp_measures_free(w[k].team);
    ehcp_cohorts_free(w[k].co);
  }
  free(w);
  free(thread_digest);
}

/* ---- 4. the computing entry points ------------------------------------------------- */

static void compute(void) {
  ehcp_measures *m, *t;
  ehcp_cohorts *co;
  CHECK_INT(ehcp_measures_compute(&m, ev, set, as_of, &monthly_opts), EHCP_OK);
  CHECK_INT(ehcp_measures_compute(&t, ev, set, as_of, &team_opts), EHCP_OK);
  CHECK_INT(ehcp_cohorts_compute(&co, ev, set, as_of), EHCP_OK);
  CHECK(measures_digest(m) == ref_monthly);
  CHECK(measures_digest(t) == ref_team);
  CHECK(cohorts_digest(co) == ref_cohorts);
  printf("ehcp_measures_compute, ehcp_cohorts_compute: %s\n",
         measures_digest(m) == ref_monthly && measures_digest(t) == ref_team &&
                 cohorts_digest(co) == ref_cohorts
             ? "identical"
             : "DIFFER");
  ehcp_cohorts_free(co);
  ehcp_measures_free(t);
  ehcp_measures_free(m);
}

/* ---- 5. readers and rule-set files on several threads ----------------------------- */

static char *texts[5];
static size_t lens[5];
static const char *const names[5] = {"events-good.csv", "attributes.csv", "cases-good.csv",
                                     "return_2025.xml", "local-targets-example.ini"};

struct reading {
  pthread_t thread;
  uint64_t digest;
  int rc;
};

static uint64_t read_all(int *rc) {
  ehcp_case_set *s;
  ehcp_diagnostics *d;
  ehcp_reader *r;
  ehcp_ruleset *rs;
  *rc = EHCP_OK;
  if (ehcp_case_set_new(&s) || ehcp_diagnostics_new(&d) || ehcp_reader_new(&r, s, d) ||
      ehcp_ruleset_new(&rs, "england-2014")) {
    *rc = EHCP_ERR_NOMEM;
    return 0;
  }
  for (int i = 0; i < 4; i++) {
    int k = ehcp_reader_read_buffer(r, texts[i], lens[i], names[i], EHCP_FORMAT_AUTO);
    if (k != EHCP_OK)
      *rc = k;
  }
  int k = ehcp_ruleset_load_string(rs, texts[4], lens[4], names[4]);
  if (k != EHCP_OK)
    *rc = k;
  uint64_t h = case_set_digest(s) ^ diagnostics_digest(d, 0);
  h = fnv_i64(h, (int64_t)ehcp_ruleset_count(rs));
  h = fnv_str(h, ehcp_ruleset_name(rs));
  ehcp_ruleset_free(rs);
  ehcp_reader_free(r);
  ehcp_diagnostics_free(d);
  ehcp_case_set_free(s);
  return h;
}

static void *reading(void *arg) {
  struct reading *x = arg;
  for (int round = 0; round < 20; round++) {
    uint64_t h = read_all(&x->rc);
    if (round && h != x->digest)
      x->rc = -100;
    x->digest = h;
  }
  return NULL;
}

static void readers(void) {
  texts[0] = slurp(data_path("csv/events-good.csv"), &lens[0]);
  texts[1] = slurp(data_path("csv/attributes.csv"), &lens[1]);
  texts[2] = slurp(data_path("csv/cases-good.csv"), &lens[2]);
  texts[3] = slurp(data_path("sen2/return_2025.xml"), &lens[3]);
  texts[4] = slurp(rules_path("local-targets-example.ini"), &lens[4]);
  int rc;
  uint64_t want = read_all(&rc);
  CHECK_INT(rc, EHCP_OK);
  struct reading x[8] = {{0}};
  unsigned n = nthreads < 8 ? nthreads : 8;
  for (unsigned k = 0; k < n; k++)
    if (pthread_create(&x[k].thread, NULL, reading, &x[k]) != 0)
      die("pthread_create");
  int same = 1;
  for (unsigned k = 0; k < n; k++) {
    pthread_join(x[k].thread, NULL);
    CHECK_INT(x[k].rc, EHCP_OK);
    CHECK(x[k].digest == want);
    same &= x[k].rc == EHCP_OK && x[k].digest == want;
  }
  printf("readers and rule-set files on %u threads: %s\n", n, same ? "identical" : "DIFFER");
  for (int i = 0; i < 5; i++)
    free(texts[i]);
}

int main(int argc, char **argv) {
  if (argc > 1)
    ncases = (size_t)strtoul(argv[1], NULL, 10);
  if (argc > 2)
    nthreads = (unsigned)strtoul(argv[2], NULL, 10);
  if (ncases < 1000 || nthreads < 2) {
    fprintf(stderr, "usage: threads [NCASES >= 1000 [NTHREADS >= 2]]\n");
    return 2;
  }
  setup();
  reference();
  evaluate_set(nthreads);
  evaluate_set(0); /* one per core */
  own_threads();
  compute();
  readers();
  free(ref_digest);
  ehcp_evaluator_free(ev);
  ehcp_case_set_free(set);
  ehcp_ruleset_free(rules);
  ehcp_calendar_free(school);
  ehcp_calendar_free(cal);
  return check_done("threads");
}
