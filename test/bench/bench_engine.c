/* Engine benchmark (issue: lifecycle engine): evaluate 1 million generated
 * cases of mixed stages, with advice, reviews and phase transfers, against
 * england-2014 as of one date; cases per second on one core and on all
 * cores. Prints figures; never fails on time.
 *
 * usage: bench_engine [NCASES] */
#include <ehcp.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng = 88172645463325252u;
static unsigned rnd(unsigned n) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (unsigned)(rng % n);
}

static void ev(ehcp_case_set *set, const char *id, int type, ehcp_date d, const char *detail,
               const char *ref) {
  if (ehcp_case_set_add_event(set, id, type, d, detail, EHCP_DATE_NONE, ref) != EHCP_OK) {
    fprintf(stderr, "%s\n", ehcp_case_set_errmsg(set));
    exit(1);
  }
}

/* One case: a request in 2019-2025 taken to a random stage. */
static void make_case(ehcp_case_set *set, const char *id, ehcp_date as_of) {
  static const char *const advisers[] = {"education", "ep", "health", "social_care"};
  ehcp_date t0 = as_of - 60 - rnd(6 * 365);
  ev(set, id, EHCP_EV_REQUEST_RECEIVED, t0, "parent", NULL);
  unsigned stage = rnd(100);
  if (stage < 5)
    return; /* awaiting a decision */
  ehcp_date d = t0 + 20 + rnd(40);
  if (stage < 20) {
    ev(set, id, EHCP_EV_ASSESSMENT_DECISION, d, "no", NULL);
    return;
  }
  ev(set, id, EHCP_EV_ASSESSMENT_DECISION, d, "yes", NULL);
  for (int a = 0; a < 4; a++) {
    ev(set, id, EHCP_EV_ADVICE_REQUESTED, d + 1, advisers[a], a == 0 ? "URN100001" : NULL);
    if (rnd(10) < 8)
      ev(set, id, EHCP_EV_ADVICE_RECEIVED, d + 20 + rnd(40), advisers[a], a == 0 ? "URN100001" : NULL);
  }
  if (stage < 30)
    return; /* assessing */
  ehcp_date draft = t0 + 90 + rnd(80), final = draft + 16 + rnd(40);
  ev(set, id, EHCP_EV_DRAFT_ISSUED, draft, NULL, NULL);
  if (stage < 35)
    return;
  if (rnd(10) == 0)
    ev(set, id, EHCP_EV_EXCEPTION, t0 + 30, "absence", NULL);
  ev(set, id, EHCP_EV_FINAL_ISSUED, final, NULL, NULL);
  for (ehcp_date review = final + 330 + rnd(60); review < as_of; review += 330 + rnd(70)) {
    ev(set, id, EHCP_EV_REVIEW_MEETING, review, NULL, NULL);
    ev(set, id, EHCP_EV_REVIEW_REPORT, review + 7 + rnd(14), NULL, NULL);
    int amend = rnd(3) == 0;
    ev(set, id, EHCP_EV_REVIEW_DECISION, review + 14 + rnd(28), amend ? "amend" : "maintain", NULL);
    if (amend) {
      ev(set, id, EHCP_EV_REVIEW_DRAFT, review + 20 + rnd(20), NULL, NULL);
      ev(set, id, EHCP_EV_REVIEW_FINAL, review + 60 + rnd(50), NULL, NULL);
    }
  }
  if (stage > 90)
    ev(set, id, EHCP_EV_PHASE_TRANSFER, as_of + rnd(300), "school", NULL);
}

static size_t occurrences;
static int tally(const ehcp_case *c, const ehcp_timeline *tl, void *payload) {
  (void)c, (void)payload;
  occurrences += ehcp_timeline_count(tl);
  return 0;
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
  ehcp_date as_of;
  ehcp_date_from_ymd(&as_of, 2025, 11, 1);

  ehcp_calendar_builder *b;
  ehcp_calendar *cal;
  ehcp_ruleset *rs;
  ehcp_evaluator *evr;
  ehcp_calendar_builder_new(&b);
  ehcp_calendar_builder_set_region(b, EHCP_REGION_ENGLAND_AND_WALES);
  ehcp_calendar_build(&cal, b);
  ehcp_ruleset_new(&rs, "england-2014");
  ehcp_evaluator_new(&evr, rs, cal);
  /* One school with a summer closure, so derived exceptions are looked up. */
  ehcp_date s1, s2;
  ehcp_date_from_ymd(&s1, 2025, 7, 23);
  ehcp_date_from_ymd(&s2, 2025, 9, 2);
  ehcp_calendar_builder_add_closure(b, s1, s2, "Summer");
  ehcp_calendar *school;
  ehcp_calendar_build(&school, b);
  ehcp_evaluator_add_setting_calendar(evr, "URN100001", school);
  ehcp_calendar_free(school);
  ehcp_calendar_builder_free(b);

  ehcp_case_set *set;
  ehcp_case_set_new(&set);
  char id[32];
  double t = now();
  for (size_t i = 0; i < n; i++) {
    snprintf(id, sizeof id, "C%07zu", i);
    make_case(set, id, as_of);
  }
  size_t events = 0;
  for (size_t i = 0; i < n; i++)
    events += ehcp_case_event_count(ehcp_case_set_get(set, i));
  printf("generated %zu cases, %zu events (%.1f per case) in %.2f s\n", n, events,
         (double)events / n, now() - t);

  ehcp_timeline *tl;
  ehcp_timeline_new(&tl);
  double best = 1e9;
  size_t occ = 0;
  for (int run = 0; run < 3; run++) {
    t = now();
    occ = 0;
    for (size_t i = 0; i < n; i++) {
      ehcp_evaluate(tl, evr, ehcp_case_set_get(set, i), as_of);
      occ += ehcp_timeline_count(tl);
    }
    double dt = now() - t;
    best = dt < best ? dt : best;
  }
  printf("one core (ehcp_evaluate loop):  %.3f s, %.2f million cases/s, %.0f ns/case, %zu occurrences\n",
         best, n / best / 1e6, best / n * 1e9, occ);

  long cores = 0;
  for (unsigned threads = 1; threads <= 2; threads++) {
    best = 1e9;
    for (int run = 0; run < 3; run++) {
      occurrences = 0;
      t = now();
      ehcp_evaluate_set(evr, set, as_of, threads, tally, NULL);
      double dt = now() - t;
      best = dt < best ? dt : best;
    }
    cores = threads;
    printf("ehcp_evaluate_set, %ld thread%s:  %.3f s, %.2f million cases/s (%zu occurrences)\n",
           cores, threads > 1 ? "s" : "", best, n / best / 1e6, occurrences);
  }
  ehcp_timeline_free(tl);
  ehcp_case_set_free(set);
  ehcp_evaluator_free(evr);
  ehcp_ruleset_free(rs);
  ehcp_calendar_free(cal);
  return 0;
}
