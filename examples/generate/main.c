/* ehcp-generate: seeded synthetic case data of one English council, in the
 * four input formats ehcp reads. See usage[] below, or --help. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "writers.h"

static const char usage[] =
    "usage: ehcp-generate [--seed N] [--years Y] [--requests-per-year N] [--start-year YYYY]\n"
    "                     [--as-of YYYY-MM-DD] [--sen2-compatible] [--quiet]\n"
    "                     [--events FILE] [--attributes FILE] [--cases FILE] [--sen2 FILE]\n"
    "\n"
    "Writes synthetic EHC case data for one council (no real people) in any of\n"
    "ehcp's input formats; FILE '-' is standard output. The same seed and options\n"
    "give the same bytes. Case ids are <UPN>/<request index>, the ids the SEN2\n"
    "reader derives, so the formats can be compared case by case.\n"
    "\n"
    "  --seed N               random seed (default 1)\n"
    "  --years Y              years of requests (default 3)\n"
    "  --requests-per-year N  about N requests a year (default 3000)\n"
    "  --start-year YYYY      first year of requests (default 2023)\n"
    "  --as-of D              the data's today (default 31 December of the last\n"
    "                         year): no event is dated after it except planned\n"
    "                         phase transfers; later steps are left pending\n"
    "  --sen2-compatible      only what all three case formats carry, so that the\n"
    "                         events CSV, the cases CSV and the SEN2 XML describe\n"
    "                         exactly the same cases (see below)\n"
    "  --quiet                no summary on stderr\n"
    "  --events FILE          events CSV: case_id,event,date,detail,end_date,ref\n"
    "  --attributes FILE      attributes CSV: case_id,team,caseworker,setting_type,\n"
    "                         age_group\n"
    "  --cases FILE           cases CSV, one row per case (with the attributes). The\n"
    "                         wide form has one cell per step: it holds the FIRST\n"
    "                         advice request of each adviser and the LATEST review\n"
    "                         cycle, one exception, and no contacts, family updates\n"
    "                         or review reports; brought_to_attention is written as\n"
    "                         a request from 'other'\n"
    "  --sen2 FILE            SEN2 person-level XML (2026 schema), one <Person> per\n"
    "                         child; synthetic UPNs X999..., names SYNTHETIC/\n"
    "                         Person<n>, birth dates on the 1st of a month. SEN2 has\n"
    "                         no advice, drafts, review reports or amended finals;\n"
    "                         an exception is only Week20 = 1; one review cycle\n"
    "\n"
    "The council: requests peak in autumn and dip in August; ~25% refused and ~3%\n"
    "withdrawn at the decision to assess, which mostly comes within 6 weeks;\n"
    "advice from education, the EP (slowest), health and social care; drafts in\n"
    "weeks 14-22; some decisions not to issue; exceptions on a few percent;\n"
    "20-week compliance swinging between about 15% and 40% with a seeded monthly\n"
    "'pressure'; annual reviews (some late), amendments, ceased plans, phase\n"
    "transfers (before 15 Feb / 31 Mar), contacts and family updates. No request\n"
    "comes before the first year, so its first months have few plans (the quick\n"
    "ones).\n"
    "\n"
    "--sen2-compatible leaves out advice, drafts, contacts, family updates, review\n"
    "reports and amended finals and brought_to_attention; keeps one review cycle;\n"
    "dates the decision to issue on the day of the final plan; and records an\n"
    "exception as 'unspecified' from the request date (SEN2 Week20 = 1).\n";

enum { OPT_SEED = 1, OPT_YEARS, OPT_RATE, OPT_START, OPT_AS_OF, OPT_COMPAT, OPT_QUIET,
       OPT_EVENTS, OPT_ATTRIBUTES, OPT_CASES, OPT_SEN2, OPT_HELP };

static int number(unsigned long long *out, const char *arg, const char *name,
                  unsigned long long lo, unsigned long long hi) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(arg, &end, 10);
  if (errno || end == arg || *end || arg[0] == '-' || v < lo || v > hi) {
    fprintf(stderr, "ehcp-generate: %s: '%s' is not a number from %llu to %llu\n", name, arg,
            lo, hi);
    return -1;
  }
  *out = v;
  return 0;
}

/* Request dates: weekdays only (a trickle at weekends), fewer in August
 * and at Christmas, more in the autumn, growing ~6% a year. */
static int build_intake(struct world *w) {
  static const double month_weight[12] = {1.0, 1.0, 1.1, 0.85, 1.0, 1.1,
                                          1.0, 0.45, 0.9, 1.2, 1.25, 0.75};
  w->ndays = w->last - w->first + 1;
  w->cumulative = malloc((size_t)w->ndays * sizeof *w->cumulative);
  if (!w->cumulative)
    return -1;
  double total = 0.0;
  for (int i = 0; i < w->ndays; i++) {
    day_t day = w->first + i;
    double weight = is_closed(day) ? 0.01 : month_weight[day_month(day) - 1];
    weight *= 1.0 + 0.06 * (double)i / 365.25;
    total += weight;
    w->cumulative[i] = total;
  }
  return 0;
}

/* The monthly pressure: a mean-reverting random walk, worse in summer
 * (schools shut, EPs on leave) and at Christmas. */
static int build_pressure(struct world *w) {
  int y0 = day_year(w->first), y1 = day_year(w->as_of);
  w->npressure = (y1 - y0 + 5) * 12;
  w->pressure = malloc((size_t)w->npressure * sizeof *w->pressure);
  if (!w->pressure)
    return -1;
  struct rng r;
  rng_seed(&r, w->seed, UINT64_C(0xFFFFFFFFFFFF));
  double level = 0.35 + 0.3 * rng_unit(&r);
  for (int i = 0; i < w->npressure; i++) {
    level += 0.3 * (0.5 - level) + rng_normal(&r, 0.0, 0.10);
    level = level < 0.0 ? 0.0 : level > 1.0 ? 1.0 : level;
    int month = i % 12 + 1;
    double p = level + (month == 7 || month == 8 ? 0.15 : month == 12 ? 0.1 : 0.0);
    w->pressure[i] = p > 1.0 ? 1.0 : p;
  }
  return 0;
}

int main(int argc, char **argv) {
  static const struct option options[] = {
      {"seed", required_argument, NULL, OPT_SEED},
      {"years", required_argument, NULL, OPT_YEARS},
      {"requests-per-year", required_argument, NULL, OPT_RATE},
      {"start-year", required_argument, NULL, OPT_START},
      {"as-of", required_argument, NULL, OPT_AS_OF},
      {"sen2-compatible", no_argument, NULL, OPT_COMPAT},
      {"quiet", no_argument, NULL, OPT_QUIET},
      {"events", required_argument, NULL, OPT_EVENTS},
      {"attributes", required_argument, NULL, OPT_ATTRIBUTES},
      {"cases", required_argument, NULL, OPT_CASES},
      {"sen2", required_argument, NULL, OPT_SEN2},
      {"help", no_argument, NULL, OPT_HELP},
      {NULL, 0, NULL, 0}};
  unsigned long long seed = 1, years = 3, rate = 3000, start = 2023;
  const char *as_of_arg = NULL, *paths[4] = {NULL, NULL, NULL, NULL};
  int compat = 0, quiet = 0, opt;
  enum { EVENTS, ATTRIBUTES, CASES, SEN2 };
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
    int rc = 0;
    switch (opt) {
    case OPT_SEED: rc = number(&seed, optarg, "--seed", 0, UINT64_MAX); break;
    case OPT_YEARS: rc = number(&years, optarg, "--years", 1, 50); break;
    case OPT_RATE: rc = number(&rate, optarg, "--requests-per-year", 1, 100000000); break;
    case OPT_START: rc = number(&start, optarg, "--start-year", 1990, 2150); break;
    case OPT_AS_OF: as_of_arg = optarg; break;
    case OPT_COMPAT: compat = 1; break;
    case OPT_QUIET: quiet = 1; break;
    case OPT_EVENTS: paths[EVENTS] = optarg; break;
    case OPT_ATTRIBUTES: paths[ATTRIBUTES] = optarg; break;
    case OPT_CASES: paths[CASES] = optarg; break;
    case OPT_SEN2: paths[SEN2] = optarg; break;
    case OPT_HELP: fputs(usage, stdout); return 0;
    default:
      fprintf(stderr, "ehcp-generate: unknown option or missing value '%s' (--help for usage)\n",
              argv[optind - 1]);
      return 2;
    }
    if (rc)
      return 2;
  }
  if (optind < argc) {
    fprintf(stderr, "ehcp-generate: unexpected argument '%s' (--help for usage)\n", argv[optind]);
    return 2;
  }
  if (!paths[EVENTS] && !paths[ATTRIBUTES] && !paths[CASES] && !paths[SEN2]) {
    fputs("ehcp-generate: nothing to write: give --events, --attributes, --cases or --sen2 "
          "(--help for usage)\n", stderr);
    return 2;
  }

  struct world w = {.seed = seed, .sen2_compatible = compat};
  w.first = civil_to_day((int)start, 1, 1);
  day_t end = civil_to_day((int)(start + years - 1), 12, 31);
  w.as_of = end;
  if (as_of_arg && (parse_iso(as_of_arg, &w.as_of) != 0 || w.as_of < w.first)) {
    fprintf(stderr, "ehcp-generate: --as-of: '%s' is not a date (YYYY-MM-DD) on or after %llu-01-01\n",
            as_of_arg, start);
    return 2;
  }
  w.last = w.as_of < end ? w.as_of : end;
  double requests = (double)rate * (double)(w.last - w.first + 1) / 365.25;
  /* About 6% of people make a second request after a refusal. */
  if (requests / 1.06 >= 999999999.0) {
    fputs("ehcp-generate: too many requests: UPNs have room for 999,999,999 people\n", stderr);
    return 2;
  }
  w.npersons = (uint32_t)(requests / 1.06 + 0.5);
  if (w.npersons == 0)
    w.npersons = 1;
  if (build_intake(&w) || build_pressure(&w)) {
    fputs("ehcp-generate: out of memory\n", stderr);
    return 1;
  }

  static struct out outs[4];
  for (int i = 0; i < 4; i++) {
    if (paths[i] && out_open(&outs[i], paths[i]) != 0) {
      fprintf(stderr, "ehcp-generate: %s: %s\n", paths[i], strerror(errno));
      return 1;
    }
  }
  if (paths[EVENTS])
    events_header(&outs[EVENTS]);
  if (paths[ATTRIBUTES])
    attributes_header(&outs[ATTRIBUTES]);
  if (paths[CASES])
    cases_header(&outs[CASES]);
  if (paths[SEN2])
    sen2_begin(&outs[SEN2], &w);

  clock_t began = clock();
  unsigned long ncases = 0, nevents = 0;
  for (uint32_t person = 0; person < w.npersons; person++) {
    struct gcase cases[MAX_REQUESTS];
    int n = simulate_person(cases, person, &w);
    for (int i = 0; i < n; i++) {
      if (paths[EVENTS])
        nevents += events_write(&outs[EVENTS], &cases[i]);
      if (paths[ATTRIBUTES])
        attributes_write(&outs[ATTRIBUTES], &cases[i]);
      if (paths[CASES])
        cases_write(&outs[CASES], &cases[i]);
    }
    if (paths[SEN2])
      sen2_person(&outs[SEN2], cases, n);
    ncases += (unsigned long)n;
  }
  if (paths[SEN2])
    sen2_end(&outs[SEN2]);

  int status = 0;
  for (int i = 0; i < 4; i++) {
    if (paths[i] && out_close(&outs[i]) != 0) {
      fprintf(stderr, "ehcp-generate: %s: write failed\n", paths[i]);
      status = 1;
    }
  }
  if (!quiet) {
    char from[11], to[11], today[11];
    format_iso(from, w.first), format_iso(to, w.last), format_iso(today, w.as_of);
    fprintf(stderr, "ehcp-generate: seed %llu: %lu cases of %lu people, requests %s..%s, as of %s",
            seed, ncases, (unsigned long)w.npersons, from, to, today);
    if (paths[EVENTS])
      fprintf(stderr, ", %lu events", nevents);
    fprintf(stderr, " (%.1f s)\n", (double)(clock() - began) / CLOCKS_PER_SEC);
  }
  free(w.cumulative);
  free(w.pressure);
  return status;
}
