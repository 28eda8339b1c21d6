/* `ehcp compliance`: compliance rates by period and group as the DfE counts
 * them (JSON contract of data-formats.md section 6), and the waiting-time
 * summary boards ask for beside them (timescales.md sections 6-7). The
 * figures come from the library (measures.h); this file only formats them. */
#include "cases.h"
#include "cohorts_out.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: ehcp compliance FILE... [--by month|quarter|year|fy|ay|all]\n"
    "                       [--group-by ATTR[,ATTR]] [--measure M ...] [--from D] [--to D]\n"
    "                       [--as-of D] [--target PCT] [--rules FILE] [--region R]\n"
    "                       [--setting REF=FILE.ics ...] [--format table|csv|json]\n"
    "\n"
    "Compliance with each time limit as the DfE counts it: a step counts in the\n"
    "period of its end event (the plan issue date for final_20w); the numerator is\n"
    "the steps done in time, the denominator those done in time or late; the\n"
    "percentage is rounded to one decimal as the DfE publishes it.\n"
    "\n"
    "Measures: decision_6w (A1), advice_6w (A2, by adviser unless grouped),\n"
    "not_issue_16w (A3), final_20w (A5, all plans), final_20w_ex (A5, the DfE\n"
    "headline: cases with any exception leave both counts), review_decision_4w\n"
    "(B5), review_final_8w (B7), review_final_12w (B7'), phase_transfer (B9-B11),\n"
    "contact_5wd (the rule set's milestone started by contact_received), and one\n"
    "per other milestone of the rule set, named by its name (local targets).\n"
    "\n"
    "The waiting summary: plans issued in the range, in the DfE's bands (within 20\n"
    "weeks; over 20 up to 52 weeks, i.e. issued by day 364; over 52 weeks), weeks\n"
    "from request to plan (mean, median, 90th percentile by nearest rank,\n"
    "longest); and as of the as-of date, open requests past their 20-week date,\n"
    "overdue annual reviews and phase transfers due in the as-of year.\n"
    "\n"
    "table: one block per measure, the trajectory by period against the target.\n"
    "csv: the measure rows (measure,period,group,numerator,denominator,percent).\n"
    "json: {\"measures\": [...], \"summary\": [...]}.\n"
    "\n"
    "With --cohorts, the cohort table of `ehcp cohorts` too, from the same reading\n"
    "and evaluation of the cases (the board's two views in one pass): after the\n"
    "measures in the table view, as \"cohorts\": [...] in JSON (not with csv).\n"
    "\n"
    "  --by P             period: month (default), quarter, year, fy (April-March),\n"
    "                     ay (September-August) or all\n"
    "  --group-by A[,A]   split every measure by case attributes (values joined by |)\n"
    "  --measure M        only these measures (repeatable, or comma-separated)\n"
    "  --from D, --to D   only steps ending in [D, D]\n"
    "  --target PCT       target for the table view (default 75)\n"
    "  --cohorts          the cohort table too (see ehcp cohorts)\n" CASE_OPTIONS_USAGE;

enum { OPT_BY = 1, OPT_GROUP_BY, OPT_MEASURE, OPT_FROM, OPT_TO, OPT_TARGET, OPT_COHORTS };

/* The DfE's rounding to one decimal, for weeks (ehcp_percent rounds percentages). */
static double round1(double x) { return isnan(x) ? x : floor(x * 10.0 + 0.5) / 10.0; }

static json_t *json_number(double x) { return isnan(x) ? json_null() : json_real(round1(x)); }

/* Split "a,b" into list (pointers into a copy kept in *store). */
static int push_list(const char ***list, size_t *n, char **store, size_t *nstore,
                     const char *arg, const char *option) {
  char *copy = strdup(arg);
  if (!copy)
    return cli_error("out of memory"), -1;
  store[(*nstore)++] = copy;
  for (char *p = copy;;) {
    char *comma = strchr(p, ',');
    if (comma)
      *comma = '\0';
    if (!*p) {
      cli_error("%s: empty name in '%s'", option, arg);
      return -1;
    }
    const char **grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown)
      return cli_error("out of memory"), -1;
    grown[(*n)++] = p;
    *list = grown;
    if (!comma)
      return 0;
    p = comma + 1;
  }
}

struct compliance {
  enum out_format format;
  struct ehcp_measures_options opts;
  const char **group_by, **measures;
  char *store[256]; /* copies of --group-by and --measure arguments */
  size_t nstore;
  double target;
  int cohorts; /* --cohorts */
  const ehcp_ruleset *rules;
  ehcp_date as_of;
};

static json_t *to_json(const ehcp_measures *m) {
  json_t *root = json_object(), *rows = json_array(), *sums = json_array();
  if (!root || !rows || !sums) {
    json_decref(root), json_decref(rows), json_decref(sums);
    return NULL;
  }
  json_object_set_new(root, "measures", rows);
  json_object_set_new(root, "summary", sums);
  for (size_t i = 0; i < ehcp_measures_count(m); i++) {
    const struct ehcp_measure_row *r = ehcp_measures_get(m, i);
    json_t *o = json_object();
    if (!o || json_array_append_new(rows, o))
      return json_decref(root), NULL;
    json_object_set_new(o, "measure", json_text(r->measure));
    json_object_set_new(o, "period", json_text(r->period));
    json_object_set_new(o, "group", json_text(r->group));
    json_object_set_new(o, "numerator", json_integer((json_int_t)r->numerator));
    json_object_set_new(o, "denominator", json_integer((json_int_t)r->denominator));
    json_object_set_new(o, "percent", isnan(r->percent) ? json_null() : json_real(r->percent));
    if (json_object_size(o) != 6)
      return json_decref(root), NULL;
  }
  for (size_t i = 0; i < ehcp_measures_summary_count(m); i++) {
    const struct ehcp_waiting_summary *s = ehcp_measures_summary(m, i);
    json_t *o = json_object();
    if (!o || json_array_append_new(sums, o))
      return json_decref(root), NULL;
    json_object_set_new(o, "group", json_text(s->group));
    json_object_set_new(o, "plans", json_integer((json_int_t)s->plans));
    json_object_set_new(o, "within_20w", json_integer((json_int_t)s->within_20w));
    json_object_set_new(o, "within_52w", json_integer((json_int_t)s->within_52w));
    json_object_set_new(o, "over_52w", json_integer((json_int_t)s->over_52w));
    json_object_set_new(o, "mean_weeks", json_number(s->mean_weeks));
    json_object_set_new(o, "median_weeks", json_number(s->median_weeks));
    json_object_set_new(o, "p90_weeks", json_number(s->p90_weeks));
    json_object_set_new(o, "longest_weeks", json_number(s->longest_weeks));
    json_object_set_new(o, "open_past_20w", json_integer((json_int_t)s->open_past_20w));
    json_object_set_new(o, "open_past_20w_mean_weeks", json_number(s->open_past_20w_mean_weeks));
    json_object_set_new(o, "open_past_20w_max_weeks", json_number(s->open_past_20w_max_weeks));
    json_object_set_new(o, "overdue_reviews", json_integer((json_int_t)s->overdue_reviews));
    json_object_set_new(o, "phase_transfers_due",
                        json_integer((json_int_t)s->phase_transfers_due));
    if (json_object_size(o) != 14)
      return json_decref(root), NULL;
  }
  return root;
}

static int print_json(const ehcp_measures *m, const ehcp_cohorts *co, FILE *out) {
  json_t *root = to_json(m);
  if (!root)
    return -1;
  if (co) {
    json_t *rows = json_array();
    if (!rows || json_object_set_new(root, "cohorts", rows))
      return json_decref(root), -1;
    for (size_t i = 0; i < ehcp_cohorts_count(co); i++)
      if (json_array_append_new(rows, cohort_json(co, i, 0)))
        return json_decref(root), -1;
  }
  /* Every real is rounded to one decimal: 15 significant digits print it
   * as written (28.7, not 28.699999999999999). */
  int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
  fputc('\n', out);
  json_decref(root);
  return rc;
}

static void percent_cell(char *buf, size_t size, double p) {
  if (isnan(p))
    buf[0] = '\0';
  else
    snprintf(buf, size, "%.1f", p);
}

static void print_csv(const ehcp_measures *m, FILE *out) {
  csv_write_row(out,
                (const char *const[]){"measure", "period", "group", "numerator", "denominator",
                                      "percent"},
                6);
  for (size_t i = 0; i < ehcp_measures_count(m); i++) {
    const struct ehcp_measure_row *r = ehcp_measures_get(m, i);
    char num[24], den[24], pct[16];
    snprintf(num, sizeof num, "%" PRIu64, r->numerator);
    snprintf(den, sizeof den, "%" PRIu64, r->denominator);
    percent_cell(pct, sizeof pct, r->percent);
    csv_write_row(out, (const char *const[]){r->measure, r->period, r->group, num, den, pct}, 6);
  }
}

/* ---- table view --------------------------------------------------------------- */

static const struct {
  const char *id, *text;
} descriptions[] = {
    {"decision_6w", "decisions whether to assess within 6 weeks (A1)"},
    {"advice_6w", "advice within 6 weeks of the request for it (A2)"},
    {"not_issue_16w", "decisions not to issue a plan within 16 weeks (A3)"},
    {"final_20w", "final plans within 20 weeks, including exceptions (A5)"},
    {"final_20w_ex", "final plans within 20 weeks, excluding exceptions (A5, DfE headline)"},
    {"review_decision_4w", "review decisions within 4 weeks of the meeting (B5)"},
    {"review_final_8w", "amended plans within 8 weeks of the proposed amendments (B7)"},
    {"review_final_12w", "amended plans within 12 weeks of the review meeting (B7')"},
    {"phase_transfer", "plans amended for a phase transfer by the deadline (B9-B11)"},
    {"contact_5wd", "replies to families and schools within 5 working days"},
};

static const char *describe(const ehcp_ruleset *rs, const char *measure) {
  for (size_t i = 0; i < sizeof descriptions / sizeof *descriptions; i++)
    if (strcmp(descriptions[i].id, measure) == 0)
      return descriptions[i].text;
  for (size_t i = 0; i < ehcp_ruleset_count(rs); i++) {
    const char *name, *label;
    if (ehcp_ruleset_milestone(NULL, &name, NULL, rs, i) == EHCP_OK &&
        strcmp(name, measure) == 0 &&
        ehcp_ruleset_milestone_text(&label, NULL, rs, i) == EHCP_OK && label[0])
      return label;
  }
  return "local target";
}

/* A 20-column bar of the percentage with the target marked. */
static void bar(char *buf, double percent, double target) {
  int filled = isnan(percent) ? 0 : (int)(percent / 5.0 + 0.5);
  int mark = (int)(target / 5.0 + 0.5);
  for (int i = 0; i < 20; i++)
    buf[i] = i < filled ? '#' : '.';
  if (mark >= 0 && mark < 20 && mark >= filled)
    buf[mark] = '|';
  buf[20] = '\0';
}

static void print_table(const struct compliance *x, const ehcp_measures *m, FILE *out) {
  int grouped = 0;
  size_t n = ehcp_measures_count(m);
  for (size_t i = 0; i < n; i++)
    grouped |= ehcp_measures_get(m, i)->group != NULL;
  char vs[32];
  snprintf(vs, sizeof vs, "vs %g%%", x->target);
  for (size_t i = 0; i < n;) {
    const char *measure = ehcp_measures_get(m, i)->measure;
    fprintf(out, "%s: %s\n", measure, describe(x->rules, measure));
    struct table t;
    const char *header[] = {"period", "group", "in time", "of", "%", vs, "0%                100%"};
    const char *header_ungrouped[] = {header[0], header[2], header[3], header[4], header[5],
                                      header[6]};
    size_t ncols = grouped ? 7 : 6;
    if (table_init(&t, ncols, grouped ? header : header_ungrouped) != 0)
      return;
    uint64_t num = 0, den = 0;
    for (; i < n && strcmp(ehcp_measures_get(m, i)->measure, measure) == 0; i++) {
      const struct ehcp_measure_row *r = ehcp_measures_get(m, i);
      char a[24], b[24], pct[16], diff[16], graph[21];
      snprintf(a, sizeof a, "%" PRIu64, r->numerator);
      snprintf(b, sizeof b, "%" PRIu64, r->denominator);
      num += r->numerator, den += r->denominator;
      percent_cell(pct, sizeof pct, r->percent);
      if (isnan(r->percent))
        diff[0] = '\0';
      else
        snprintf(diff, sizeof diff, "%+.1f", round1(r->percent - x->target));
      bar(graph, r->percent, x->target);
      const char *cells[] = {r->period, r->group ? r->group : "", a, b, pct, diff, graph};
      const char *ungrouped[] = {cells[0], cells[2], cells[3], cells[4], cells[5], cells[6]};
      table_add_row(&t, grouped ? cells : ungrouped);
    }
    table_print(&t, out, FORMAT_TABLE);
    table_free(&t);
    char pct[16];
    percent_cell(pct, sizeof pct, ehcp_percent(num, den));
    fprintf(out, "all periods: %" PRIu64 " of %" PRIu64 " in time (%s%%)\n\n", num, den,
            pct[0] ? pct : "-");
  }
  if (!n)
    fputs("no steps ended in the range\n\n", out);

  char as_of[EHCP_DATE_ISO_SIZE], from[EHCP_DATE_ISO_SIZE] = "", to[EHCP_DATE_ISO_SIZE] = "";
  ehcp_date_format(as_of, x->as_of);
  if (x->opts.from != EHCP_DATE_NONE)
    ehcp_date_format(from, x->opts.from);
  if (x->opts.to != EHCP_DATE_NONE)
    ehcp_date_format(to, x->opts.to);
  fprintf(out, "Waiting for a new plan: plans issued %s%s%s%s; open cases as of %s\n",
          from[0] ? "from " : "", from, to[0] ? " to " : "", to[0] ? to : from[0] ? "" : "at any date",
          as_of);
  struct table t;
  table_init(&t, 14,
             (const char *const[]){"group", "plans", "<=20w", "20-52w", ">52w", "mean wks",
                                   "median", "p90", "longest", "open >20w", "mean age",
                                   "max age", "overdue reviews", "transfers due"});
  for (size_t i = 0; i < ehcp_measures_summary_count(m); i++) {
    const struct ehcp_waiting_summary *s = ehcp_measures_summary(m, i);
    char c[13][24];
    uint64_t counts[] = {s->plans, s->within_20w, s->within_52w, s->over_52w};
    for (int k = 0; k < 4; k++)
      snprintf(c[k], sizeof c[k], "%" PRIu64, counts[k]);
    double weeks[] = {s->mean_weeks, s->median_weeks, s->p90_weeks, s->longest_weeks};
    for (int k = 0; k < 4; k++)
      isnan(weeks[k]) ? snprintf(c[4 + k], sizeof c[4 + k], "-")
                      : snprintf(c[4 + k], sizeof c[4 + k], "%.1f", round1(weeks[k]));
    snprintf(c[8], sizeof c[8], "%" PRIu64, s->open_past_20w);
    double ages[] = {s->open_past_20w_mean_weeks, s->open_past_20w_max_weeks};
    for (int k = 0; k < 2; k++)
      isnan(ages[k]) ? snprintf(c[9 + k], sizeof c[9 + k], "-")
                     : snprintf(c[9 + k], sizeof c[9 + k], "%.1f", round1(ages[k]));
    snprintf(c[11], sizeof c[11], "%" PRIu64, s->overdue_reviews);
    snprintf(c[12], sizeof c[12], "%" PRIu64, s->phase_transfers_due);
    table_add_row(&t, (const char *const[]){s->group ? s->group : "(all)", c[0], c[1], c[2],
                                            c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10],
                                            c[11], c[12]});
  }
  table_print(&t, out, FORMAT_TABLE);
  table_free(&t);
}

/* ---- the command ----------------------------------------------------------------- */

struct both {
  ehcp_measures *m;
  ehcp_cohorts *co;
};

static int add_both(const ehcp_case *c, const ehcp_timeline *tl, void *payload) {
  struct both *b = payload;
  int rc = ehcp_measures_add(b->m, c, tl);
  return rc == EHCP_OK ? ehcp_cohorts_add(b->co, c, tl) : rc;
}

/* --cohorts: the measures and the cohort table from one evaluation of each
 * case, not one each: reading and evaluating are nearly all of the time. */
static int compute_both(ehcp_measures **m, ehcp_cohorts **co, const struct cases *c,
                        const struct ehcp_measures_options *opts) {
  int rc = ehcp_measures_new(m, c->rules, opts);
  if (rc == EHCP_OK)
    rc = ehcp_cohorts_new(co, c->as_of);
  if (rc == EHCP_OK)
    rc = ehcp_evaluate_set(c->ev, c->set, c->as_of, 0, add_both, &(struct both){*m, *co});
  return rc;
}

static int take_option(struct compliance *x, int opt, const char *arg) {
  switch (opt) {
  case OPT_BY: {
    int period;
    if (ehcp_period_from_name(&period, arg) != EHCP_OK) {
      cli_error("--by: unknown period '%s' (use month, quarter, year, fy, ay or all)", arg);
      return -1;
    }
    x->opts.period = period;
    return 0;
  }
  case OPT_GROUP_BY:
  case OPT_MEASURE:
    if (x->nstore == sizeof x->store / sizeof *x->store) {
      cli_error("too many --group-by and --measure options");
      return -1;
    }
    return opt == OPT_GROUP_BY
               ? push_list(&x->group_by, &x->opts.ngroup_by, x->store, &x->nstore, arg, "--group-by")
               : push_list(&x->measures, &x->opts.nmeasures, x->store, &x->nstore, arg, "--measure");
  case OPT_FROM: return cli_date(&x->opts.from, arg, "--from");
  case OPT_TO: return cli_date(&x->opts.to, arg, "--to");
  case OPT_COHORTS: x->cohorts = 1; return 0;
  case OPT_TARGET: {
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !(v >= 0 && v <= 100)) {
      cli_error("--target: '%s' is not a percentage from 0 to 100", arg);
      return -1;
    }
    x->target = v;
    return 0;
  }
  default: return -1;
  }
}

int cmd_compliance(int argc, char **argv) {
  static const struct option long_options[] = {CASE_LONG_OPTIONS,
                                               {"by", required_argument, NULL, OPT_BY},
                                               {"group-by", required_argument, NULL, OPT_GROUP_BY},
                                               {"measure", required_argument, NULL, OPT_MEASURE},
                                               {"from", required_argument, NULL, OPT_FROM},
                                               {"to", required_argument, NULL, OPT_TO},
                                               {"target", required_argument, NULL, OPT_TARGET},
                                               {"cohorts", no_argument, NULL, OPT_COHORTS},
                                               {NULL, 0, NULL, 0}};
  struct case_options o = {0};
  struct compliance x = {.format = format_default(stdout),
                         .opts = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                  .period = EHCP_PERIOD_MONTH,
                                  .from = EHCP_DATE_NONE,
                                  .to = EHCP_DATE_NONE},
                         .target = 75};
  struct cases c = {0};
  ehcp_measures *m = NULL;
  ehcp_cohorts *co = NULL;
  int status = EXIT_USAGE, opt;
  optind = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    if (opt >= OPT_BY && opt <= OPT_COHORTS) {
      if (take_option(&x, opt, optarg) != 0)
        goto done;
      continue;
    }
    int rc = opt == '?' ? -1 : case_options_take(&o, &x.format, opt, optarg, usage);
    if (rc == 1)
      status = 0;
    if (rc == -1 && opt == '?')
      cli_error("compliance: unknown option or missing value '%s'", argv[optind - 1]);
    if (rc)
      goto done;
  }
  if (optind >= argc) {
    cli_error("compliance: no input files\n%s", usage);
    goto done;
  }
  if (x.cohorts && x.format == FORMAT_CSV) {
    cli_error("compliance: --cohorts needs --format table or json (a CSV holds one table)");
    goto done;
  }
  if (x.opts.from != EHCP_DATE_NONE && x.opts.to != EHCP_DATE_NONE && x.opts.from > x.opts.to) {
    cli_error("compliance: --from is after --to");
    goto done;
  }
  x.opts.group_by = x.group_by;
  x.opts.measures = x.measures;
  /* The rule set first, so that a misspelt measure is reported before a
   * large file is read. */
  if (cases_prepare(&c, &o))
    goto done;
  int rc = ehcp_measures_new(&m, c.rules, &x.opts);
  if (rc != EHCP_OK) {
    cli_error("compliance: %s", m ? ehcp_measures_errmsg(m) : ehcp_strerror(rc));
    goto done;
  }
  ehcp_measures_free(m);
  m = NULL;
  if (cases_read(&c, argv + optind, (size_t)(argc - optind), &o))
    goto done;
  x.rules = c.rules;
  x.as_of = c.as_of;
  rc = x.cohorts ? compute_both(&m, &co, &c, &x.opts)
                 : ehcp_measures_compute(&m, c.ev, c.set, c.as_of, &x.opts);
  if (rc != EHCP_OK) {
    cli_error("compliance: %s", m ? ehcp_measures_errmsg(m) : ehcp_strerror(rc));
    goto done;
  }
  char as_of[EHCP_DATE_ISO_SIZE];
  ehcp_date_format(as_of, c.as_of);
  if (x.format == FORMAT_JSON) {
    rc = print_json(m, co, stdout);
  } else if (x.format == FORMAT_CSV) {
    print_csv(m, stdout);
  } else {
    print_table(&x, m, stdout);
    if (co) {
      fputs("\nCohorts (requests by the month received), as of ", stdout);
      fputs(as_of, stdout);
      fputs(":\n", stdout);
      rc = cohorts_print(stdout, co, FORMAT_TABLE, as_of, 0);
    }
  }
  if (rc != 0) {
    cli_error("compliance: out of memory");
    goto done;
  }
  status = 0;
done:
  ehcp_measures_free(m);
  ehcp_cohorts_free(co);
  for (size_t i = 0; i < x.nstore; i++)
    free(x.store[i]);
  free(x.group_by);
  free(x.measures);
  cases_free(&c);
  case_options_free(&o);
  return status;
}
