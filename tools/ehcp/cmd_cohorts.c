/* `ehcp cohorts`: each month's requests followed through the stages as of a
 * date (JSON contract of data-formats.md section 6), month on month with
 * --history, and the Kaplan-Meier time to plan. The table is the board
 * pack's: one row per request month and a total. */
#include "cases.h"
#include "cohorts_out.h"

#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: ehcp cohorts FILE... [--as-of D] [--history] [--rules FILE] [--region R]\n"
    "                    [--setting REF=FILE.ics ...] [--format table|csv|json]\n"
    "\n"
    "Follows each month's requests (by the date the request was received) through\n"
    "the stages as of a date: decisions to assess, plans issued within and after\n"
    "20 weeks, decisions not to issue, withdrawals, open requests by stage and\n"
    "those already past 20 weeks, the % issued within 20 weeks so far (DfE\n"
    "rounding), and the Kaplan-Meier share with a final plan by weeks 6, 16, 20,\n"
    "26 and 52 (open requests censored at the as-of date, closed ones at their\n"
    "closing decision).\n"
    "\n"
    "  --history          the same counts at the end of each month since the\n"
    "                     cohort's own (the last row is the as-of date)\n" CASE_OPTIONS_USAGE;

enum { OPT_HISTORY = 1 };

int cmd_cohorts(int argc, char **argv) {
  static const struct option long_options[] = {
      CASE_LONG_OPTIONS, {"history", no_argument, NULL, OPT_HISTORY}, {NULL, 0, NULL, 0}};
  struct case_options o = {0};
  enum out_format format = format_default(stdout);
  struct cases c = {0};
  ehcp_cohorts *co = NULL;
  int status = EXIT_USAGE, opt, history = 0;
  optind = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    if (opt == OPT_HISTORY) {
      history = 1;
      continue;
    }
    int rc = opt == '?' ? -1 : case_options_take(&o, &format, opt, optarg, usage);
    if (rc == 1)
      status = 0;
    if (rc == -1 && opt == '?')
      cli_error("cohorts: unknown option or missing value '%s'", argv[optind - 1]);
    if (rc)
      goto done;
  }
  if (optind >= argc) {
    cli_error("cohorts: no input files\n%s", usage);
    goto done;
  }
  if (cases_read(&c, argv + optind, (size_t)(argc - optind), &o) || cases_prepare(&c, &o))
    goto done;
  int rc = ehcp_cohorts_compute(&co, c.ev, c.set, c.as_of);
  if (rc != EHCP_OK) {
    cli_error("cohorts: %s", ehcp_strerror(rc));
    goto done;
  }
  char as_of[EHCP_DATE_ISO_SIZE];
  ehcp_date_format(as_of, c.as_of);
  if (cohorts_print(stdout, co, format, as_of, history) != 0) {
    cli_error("cohorts: out of memory");
    goto done;
  }
  status = 0;
done:
  ehcp_cohorts_free(co);
  cases_free(&c);
  case_options_free(&o);
  return status;
}
