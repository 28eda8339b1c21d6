/* What the case commands share: reading input files into a case set with
 * the row accounting printed, and building the rule set, the authority's
 * calendar and setting calendars into an evaluator from the options. */
#ifndef EHCP_TOOL_CASES_H
#define EHCP_TOOL_CASES_H

#include "cli.h"

struct case_options {
  struct calendar_options cal; /* --region (overrides the rule set's), --ics, --closed */
  const char *rules;           /* --rules FILE */
  const char **settings;       /* --setting REF=FILE.ics */
  size_t nsettings;
  const char *as_of;           /* --as-of D */
  const char **maps;           /* --map FIELD=HEADER (cases CSV columns) */
  size_t nmaps;
  int quiet;                   /* --quiet */
};

/* The loaded inputs and evaluation context. */
struct cases {
  ehcp_case_set *set;
  ehcp_diagnostics *diags;
  ehcp_ruleset *rules;
  ehcp_calendar *cal;
  ehcp_evaluator *ev;
  ehcp_date as_of;
  uint64_t rejected;
};

/* Read files (format detected from content); print "FILE: N rows read, N
 * accepted, N rejected" per file to stderr unless quiet. Returns 0, or -1
 * after printing why (unreadable file, unknown format). */
int cases_read(struct cases *c, char **files, size_t nfiles, const struct case_options *o);
/* Rule set, calendar, settings and evaluator, and the as-of date (today by
 * default). Returns 0 or -1 after printing why. */
int cases_prepare(struct cases *c, const struct case_options *o);
void cases_free(struct cases *c);
void case_options_free(struct case_options *o);

/* Long options every case command takes, for getopt_long tables. */
enum {
  CASE_OPT_REGION = 2000, CASE_OPT_ICS, CASE_OPT_CLOSED, CASE_OPT_RULES, CASE_OPT_SETTING,
  CASE_OPT_AS_OF, CASE_OPT_QUIET, CASE_OPT_FORMAT, CASE_OPT_HELP, CASE_OPT_MAP
};
#define CASE_LONG_OPTIONS                                                                  \
  {"region", required_argument, NULL, CASE_OPT_REGION},                                    \
      {"ics", required_argument, NULL, CASE_OPT_ICS},                                      \
      {"closed", required_argument, NULL, CASE_OPT_CLOSED},                                \
      {"rules", required_argument, NULL, CASE_OPT_RULES},                                  \
      {"setting", required_argument, NULL, CASE_OPT_SETTING},                              \
      {"as-of", required_argument, NULL, CASE_OPT_AS_OF},                                  \
      {"quiet", no_argument, NULL, CASE_OPT_QUIET},                                        \
      {"format", required_argument, NULL, CASE_OPT_FORMAT},                                \
      {"help", no_argument, NULL, CASE_OPT_HELP},                                          \
      {"map", required_argument, NULL, CASE_OPT_MAP}
#define CASE_OPTIONS_USAGE                                                                 \
  "  --as-of D          evaluate as of this date (default: today)\n"                       \
  "  --rules FILE       rule-set file extending england-2014 (docs/ruleset-format.md)\n"   \
  "  --region R         bank holidays: england-and-wales (default), scotland,\n"           \
  "                     northern-ireland, none (default: the rule set's region)\n"         \
  "  --closed D[..D]    extra closed days of the authority (repeatable)\n"                 \
  "  --ics FILE         the authority's closures from an .ics file (repeatable)\n"         \
  "  --setting REF=FILE a setting's term calendar (.ics of closed days), for the\n"        \
  "                     school-closure exception (repeatable)\n"                           \
  "  --format F         table (default on a terminal), csv or json\n"                      \
  "  --quiet            no row accounting on stderr\n"                                   \
  "  --map FIELD=HEADER read cases CSV column FIELD (e.g. received_date) from the\n"     \
  "                     file's column HEADER (repeatable)\n"

/* Take one of the common options (c is its CASE_OPT_ code). Returns 0, 1 for
 * --help (usage already printed), or -1 after printing the error. */
int case_options_take(struct case_options *o, enum out_format *format, int c, const char *arg,
                      const char *usage);

int cmd_deadlines(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_compliance(int argc, char **argv);
int cmd_cohorts(int argc, char **argv);
int cmd_ics(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
