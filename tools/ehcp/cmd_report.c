/* `ehcp report`: the board report, one self-contained HTML file. The cases
 * are evaluated once; each timeline feeds the monthly measures, the advice
 * measures and the cohorts, so the figures are exactly those `ehcp
 * compliance` and `ehcp cohorts` print. The library draws the page
 * (export.h); this file computes its inputs and writes the file. */
#include "cases.h"
#include "progress.h"

#include <ehcp/export.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_report(int argc, char **argv);

static const char usage[] =
    "usage: ehcp report FILE... --html OUT.html [--as-of D] [--target PCT]\n"
    "                   [--review-target PCT] [--advice-target PCT] [--months N]\n"
    "                   [--advice-by month|quarter|year|fy|ay|all] [--title T] [--subtitle T]\n"
    "                   [--rules FILE] [--region R] [--setting REF=FILE.ics ...]\n"
    "\n"
    "Writes a board report as one HTML file that needs nothing else to open or\n"
    "print (inline CSS and SVG, no script, no external links): the monthly 20-week\n"
    "trajectory against the target, annual-review compliance, advice within 6\n"
    "weeks by adviser, waiting times, the cohort table with a heat map and\n"
    "time-to-plan curves. Every chart is followed by a table of its figures, which\n"
    "are those of `ehcp compliance --from F --to D` and `ehcp cohorts` (F: the\n"
    "first day of the first month shown; D: the as-of date).\n"
    "\n"
    "  --html FILE        where to write the report (required)\n"
    "  --target PCT       target for new plans within 20 weeks (default 75)\n"
    "  --review-target PCT target for annual reviews in 4 and 12 weeks (default 90)\n"
    "  --advice-target PCT target for advice within 6 weeks (default 90)\n"
    "  --months N         months shown, ending with the as-of month (default 12)\n"
    "  --advice-by P      periods of the advice chart (default fy: April-March)\n"
    "  --title T, --subtitle T  the report's heading (e.g. the authority's name)\n"
    "  --as-of D          evaluate as of this date (default: today)\n"
    "  --rules FILE       rule-set file extending england-2014 (docs/ruleset-format.md)\n"
    "  --region R         bank holidays: england-and-wales (default), scotland,\n"
    "                     northern-ireland, none (default: the rule set's region)\n"
    "  --closed D[..D]    extra closed days of the authority (repeatable)\n"
    "  --ics FILE         the authority's closures from an .ics file (repeatable)\n"
    "  --setting REF=FILE a setting's term calendar (.ics of closed days), for the\n"
    "                     school-closure exception (repeatable)\n"
    "  --quiet            no row accounting or progress on stderr\n";

enum {
  OPT_HTML = 1, OPT_TARGET, OPT_REVIEW_TARGET, OPT_ADVICE_TARGET, OPT_MONTHS, OPT_ADVICE_BY,
  OPT_TITLE, OPT_SUBTITLE
};

struct accumulate {
  ehcp_measures *monthly, *advice;
  ehcp_cohorts *co;
  struct progress *pg;
  uint64_t done;
  int rc;
};

static int on_case(const ehcp_case *c, const ehcp_timeline *tl, void *payload) {
  struct accumulate *a = payload;
  int rc = ehcp_measures_add(a->monthly, c, tl);
  if (rc == EHCP_OK)
    rc = ehcp_measures_add(a->advice, c, tl);
  if (rc == EHCP_OK)
    rc = ehcp_cohorts_add(a->co, c, tl);
  progress_set(a->pg, ++a->done);
  return a->rc = rc;
}

static int parse_pct(double *out, const char *arg, const char *what) {
  char *end;
  errno = 0;
  double v = strtod(arg, &end);
  if (errno || *end || end == arg || !(v > 0 && v <= 100))
    return cli_error("%s: '%s' is not a percentage (more than 0, at most 100)", what, arg), -1;
  *out = v;
  return 0;
}

/* The first day of the first month shown: the as-of month minus months-1. */
static ehcp_date window_start(ehcp_date as_of, unsigned months) {
  int y, m, d;
  ehcp_date out = EHCP_DATE_NONE;
  ehcp_date_to_ymd(&y, &m, &d, as_of);
  int key = y * 12 + (m - 1) - (int)(months - 1);
  ehcp_date_from_ymd(&out, key / 12, key % 12 + 1, 1);
  return out;
}

int cmd_report(int argc, char **argv) {
  static const struct option long_options[] = {
      CASE_LONG_OPTIONS,
      {"html", required_argument, NULL, OPT_HTML},
      {"target", required_argument, NULL, OPT_TARGET},
      {"review-target", required_argument, NULL, OPT_REVIEW_TARGET},
      {"advice-target", required_argument, NULL, OPT_ADVICE_TARGET},
      {"months", required_argument, NULL, OPT_MONTHS},
      {"advice-by", required_argument, NULL, OPT_ADVICE_BY},
      {"title", required_argument, NULL, OPT_TITLE},
      {"subtitle", required_argument, NULL, OPT_SUBTITLE},
      {NULL, 0, NULL, 0}};
  struct case_options co = {0};
  struct ehcp_report_options ro = {.version = EHCP_REPORT_OPTIONS_VERSION, .months = 12};
  const char *html = NULL;
  int advice_by = EHCP_PERIOD_FY;
  struct cases c = {0};
  struct accumulate acc = {0};
  enum out_format format = FORMAT_TABLE;
  char *tmp = NULL;
  FILE *f = NULL;
  int status = EXIT_USAGE, opt;
  optind = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    switch (opt) {
    case OPT_HTML: html = optarg; continue;
    case OPT_TARGET:
      if (parse_pct(&ro.target_20w, optarg, "--target"))
        goto done;
      continue;
    case OPT_REVIEW_TARGET:
      if (parse_pct(&ro.target_reviews, optarg, "--review-target"))
        goto done;
      continue;
    case OPT_ADVICE_TARGET:
      if (parse_pct(&ro.target_advice, optarg, "--advice-target"))
        goto done;
      continue;
    case OPT_MONTHS: {
      char *end;
      errno = 0;
      long v = strtol(optarg, &end, 10);
      if (errno || *end || end == optarg || v < 1 || v > 240) {
        cli_error("--months: '%s' is not a number of months from 1 to 240", optarg);
        goto done;
      }
      ro.months = (unsigned)v;
      continue;
    }
    case OPT_ADVICE_BY:
      if (ehcp_period_from_name(&advice_by, optarg) != EHCP_OK) {
        cli_error("--advice-by: unknown period '%s' (use month, quarter, year, fy, ay or all)",
                  optarg);
        goto done;
      }
      continue;
    case OPT_TITLE: ro.title = optarg; continue;
    case OPT_SUBTITLE: ro.subtitle = optarg; continue;
    case CASE_OPT_FORMAT:
      cli_error("report: --format does not apply (the report is HTML: --html FILE)");
      goto done;
    default: break;
    }
    int rc = opt == '?' ? -1 : case_options_take(&co, &format, opt, optarg, usage);
    if (rc == 1)
      status = 0;
    if (rc == -1 && opt == '?')
      cli_error("report: unknown option or missing value '%s'", argv[optind - 1]);
    if (rc)
      goto done;
  }
  if (optind >= argc) {
    cli_error("report: no input files\n%s", usage);
    goto done;
  }
  if (!html) {
    cli_error("report: --html FILE is required");
    goto done;
  }
  if (cases_read(&c, argv + optind, (size_t)(argc - optind), &co) || cases_prepare(&c, &co))
    goto done;
  ro.as_of = c.as_of;

  /* Monthly measures over the window, as `ehcp compliance --from F --to D`. */
  struct ehcp_measures_options mo = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                     .period = EHCP_PERIOD_MONTH,
                                     .from = window_start(c.as_of, ro.months), .to = c.as_of};
  static const char *const advice_only[] = {"advice_6w"};
  struct ehcp_measures_options ao = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                     .period = advice_by, .measures = advice_only,
                                     .nmeasures = 1, .from = EHCP_DATE_NONE,
                                     .to = EHCP_DATE_NONE};
  int rc = ehcp_measures_new(&acc.monthly, c.rules, &mo);
  if (rc == EHCP_OK)
    rc = ehcp_measures_new(&acc.advice, c.rules, &ao);
  if (rc == EHCP_OK)
    rc = ehcp_cohorts_new(&acc.co, c.as_of);
  if (rc != EHCP_OK) {
    cli_error("report: %s", ehcp_strerror(rc));
    goto done;
  }
  acc.pg = progress_start("evaluating", PROGRESS_CASES, ehcp_case_set_count(c.set), co.quiet);
  rc = ehcp_evaluate_set(c.ev, c.set, c.as_of, 0, on_case, &acc);
  progress_end(acc.pg);
  if (rc != EHCP_OK) {
    cli_error("report: %s", ehcp_strerror(rc));
    goto done;
  }

  /* Written beside the target and renamed, so a failure leaves no half file. */
  size_t len = strlen(html) + 32;
  tmp = malloc(len);
  if (!tmp) {
    cli_error("out of memory");
    goto done;
  }
  snprintf(tmp, len, "%s.tmp%ld", html, (long)getpid());
  f = fopen(tmp, "wb");
  if (!f) {
    cli_error("report: cannot write '%s': %s", tmp, strerror(errno));
    goto done;
  }
  rc = ehcp_report_write_html(f, acc.monthly, acc.advice, acc.co, &ro);
  int closed = fclose(f);
  f = NULL;
  if (rc == EHCP_OK && closed != 0)
    rc = EHCP_ERR_IO;
  if (rc != EHCP_OK || rename(tmp, html) != 0) {
    cli_error("report: cannot write '%s': %s", html,
              rc != EHCP_OK ? ehcp_strerror(rc) : strerror(errno));
    remove(tmp);
    goto done;
  }
  if (!co.quiet) {
    char as_of[EHCP_DATE_ISO_SIZE];
    ehcp_date_format(as_of, c.as_of);
    fprintf(stderr, "%s: board report, %zu cases, as of %s\n", html, ehcp_case_set_count(c.set),
            as_of);
  }
  status = 0;
done:
  free(tmp);
  ehcp_measures_free(acc.monthly);
  ehcp_measures_free(acc.advice);
  ehcp_cohorts_free(acc.co);
  cases_free(&c);
  case_options_free(&co);
  return status;
}
