/* Measures benchmark (issue: compliance and cohort analytics): build N
 * simple cases in memory (default 10 million: request, decision, plan, a
 * few exceptions, a team), then time
 *   - evaluation alone (ehcp_evaluate_set, all cores, a callback that does nothing),
 *   - aggregation alone: ehcp_measures_add over timelines already evaluated,
 *     in chunks, with only the adds inside the clock,
 *   - ehcp_measures_compute end to end (evaluation on all cores, counting
 *     on the calling thread).
 * Prints figures; never fails on time (exit 1 only if the two ways of
 * counting disagree).
 *
 * usage: bench_measures [NCASES] */
#include <ehcp.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU time of the calling thread: the figure for work done on one thread,
 * unaffected by other processes on a shared machine. */
static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng = 88172645463325252u;
static unsigned rnd(unsigned n) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (unsigned)(rng % n);
}

static void ev(ehcp_case_set *set, const char *id, int type, ehcp_date d, const char *detail) {
  if (ehcp_case_set_add_event(set, id, type, d, detail, EHCP_DATE_NONE, NULL) != EHCP_OK) {
    fprintf(stderr, "%s\n", ehcp_case_set_errmsg(set));
    exit(2);
  }
}

/* A request in 2016-2025; most assessed, most of those with a plan. */
static void make_case(ehcp_case_set *set, const char *id, ehcp_date first) {
  static const char *const teams[] = {"North", "South", "East", "West", "Central", "Coast"};
  ehcp_date t0 = first + (ehcp_date)rnd(10 * 365);
  ev(set, id, EHCP_EV_REQUEST_RECEIVED, t0, "parent");
  ehcp_case_set_set_attribute(set, id, "team", teams[rnd(6)]);
  unsigned stage = rnd(100);
  if (stage < 5)
    return;
  ehcp_date d = t0 + 20 + (ehcp_date)rnd(40);
  ev(set, id, EHCP_EV_ASSESSMENT_DECISION, d, stage < 25 ? "no" : "yes");
  if (stage < 30)
    return;
  if (rnd(20) == 0)
    ev(set, id, EHCP_EV_EXCEPTION, t0 + 30, "unspecified");
  ev(set, id, EHCP_EV_FINAL_ISSUED, t0 + 100 + (ehcp_date)rnd(120), NULL);
}

static int nothing(const ehcp_case *c, const ehcp_timeline *tl, void *payload) {
  (void)c, (void)tl, (void)payload;
  return 0;
}

#define CHUNK 1024 /* as ehcp_evaluate_set's blocks */

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000000;
  ehcp_date as_of, first;
  ehcp_date_from_ymd(&as_of, 2026, 1, 31);
  ehcp_date_from_ymd(&first, 2016, 1, 1);

  ehcp_calendar_builder *b;
  ehcp_calendar *cal;
  ehcp_ruleset *rs;
  ehcp_evaluator *evr;
  ehcp_calendar_builder_new(&b);
  ehcp_calendar_builder_set_region(b, EHCP_REGION_ENGLAND_AND_WALES);
  ehcp_calendar_build(&cal, b);
  ehcp_calendar_builder_free(b);
  ehcp_ruleset_new(&rs, "england-2014");
  ehcp_evaluator_new(&evr, rs, cal);

  ehcp_case_set *set;
  ehcp_case_set_new(&set);
  char id[32];
  double t = now();
  for (size_t i = 0; i < n; i++) {
    snprintf(id, sizeof id, "C%08zu", i);
    make_case(set, id, first);
  }
  printf("built %zu cases in memory in %.2f s\n", n, now() - t);

  struct ehcp_measures_options opts[2] = {
      {.version = EHCP_MEASURES_OPTIONS_VERSION, .period = EHCP_PERIOD_MONTH,
       .from = EHCP_DATE_NONE, .to = EHCP_DATE_NONE},
      {.version = EHCP_MEASURES_OPTIONS_VERSION, .period = EHCP_PERIOD_MONTH,
       .group_by = (const char *const[]){"team"}, .ngroup_by = 1,
       .from = EHCP_DATE_NONE, .to = EHCP_DATE_NONE},
  };
  const char *names[2] = {"all measures by month", "all measures by month and team"};

  t = now();
  ehcp_evaluate_set(evr, set, as_of, 0, nothing, NULL);
  double t_eval = now() - t;
  printf("evaluation alone (ehcp_evaluate_set, all cores): %.3f s\n", t_eval);

  ehcp_timeline **tls = malloc(CHUNK * sizeof *tls);
  for (size_t i = 0; i < CHUNK; i++)
    ehcp_timeline_new(&tls[i]);
  int status = 0;
  for (int k = 0; k < 2; k++) {
    /* Aggregation alone: evaluate a chunk (off the clock), then add it. */
    ehcp_measures *m;
    ehcp_measures_new(&m, rs, &opts[k]);
    double t_add = 0;
    for (size_t base = 0; base < n; base += CHUNK) {
      size_t len = n - base < CHUNK ? n - base : CHUNK;
      for (size_t i = 0; i < len; i++)
        ehcp_evaluate(tls[i], evr, ehcp_case_set_get(set, base + i), as_of);
      t = cpu_now();
      for (size_t i = 0; i < len; i++)
        if (ehcp_measures_add(m, ehcp_case_set_get(set, base + i), tls[i]) != EHCP_OK)
          return fprintf(stderr, "ehcp_measures_add failed\n"), 1;
      t_add += cpu_now() - t;
    }
    printf("%s: aggregation alone over %zu cases: %.3f s CPU (%.1f ns/case), %zu rows\n", names[k],
           n, t_add, t_add / n * 1e9, ehcp_measures_count(m));

    ehcp_measures *c;
    t = now();
    ehcp_measures_compute(&c, evr, set, as_of, &opts[k]);
    double t_compute = now() - t;
    printf("%s: ehcp_measures_compute end to end: %.3f s (evaluation %.3f s + counting)\n",
           names[k], t_compute, t_eval);
    int same = ehcp_measures_count(m) == ehcp_measures_count(c);
    for (size_t i = 0; same && i < ehcp_measures_count(m); i++)
      same = ehcp_measures_get(m, i)->numerator == ehcp_measures_get(c, i)->numerator &&
             ehcp_measures_get(m, i)->denominator == ehcp_measures_get(c, i)->denominator;
    if (!same) {
      fprintf(stderr, "compute and add disagree\n");
      status = 1;
    }
    if (k == 0) {
      for (size_t i = 0; i < ehcp_measures_count(c); i++) {
        const struct ehcp_measure_row *r = ehcp_measures_get(c, i);
        if (strcmp(r->measure, "final_20w_ex") == 0 && strcmp(r->period, "2025-06") == 0)
          printf("  e.g. final_20w_ex 2025-06: %" PRIu64 " / %" PRIu64 " = %.1f%%\n",
                 r->numerator, r->denominator, r->percent);
      }
    }
    ehcp_measures_free(c);
    ehcp_measures_free(m);
  }
  for (size_t i = 0; i < CHUNK; i++)
    ehcp_timeline_free(tls[i]);
  free(tls);
  ehcp_case_set_free(set);
  ehcp_evaluator_free(evr);
  ehcp_ruleset_free(rs);
  ehcp_calendar_free(cal);
  return status;
}
