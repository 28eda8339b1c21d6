/* Shared pieces of the ehcp commands: error reporting, date arguments and
 * the calendar options (--region, --ics, --closed) several commands take. */
#ifndef EHCP_TOOL_CLI_H
#define EHCP_TOOL_CLI_H

#include <ehcp.h>

#include "output.h"

/* Exit statuses: 0 ok, 1 the data has errors, 2 bad usage or input. */
enum { EXIT_DATA_ERRORS = 1, EXIT_USAGE = 2 };

/* Print "ehcp: MESSAGE" to stderr. Returns EXIT_USAGE for `return fail(...)`. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a command-line date (any form ehcp_date_parse accepts); on failure
 * print "ehcp: WHAT: 'TEXT' is not a date (REASON)" and return -1. */
int cli_date(ehcp_date *out, const char *text, const char *what);

/* Parse --format NAME; on failure print the error and return -1. */
int cli_format(enum out_format *out, const char *name);

/* The calendar options. Arrays point into argv. */
struct calendar_options {
  const char *region; /* default "england-and-wales" */
  const char **ics;
  size_t nics;
  const char **closed; /* "D" or "D..D" */
  size_t nclosed;
};

/* Record one calendar option (opt is "region", "ics" or "closed"). Returns 0
 * or -1 (out of memory). */
int calendar_options_add(struct calendar_options *o, const char *opt, const char *value);
/* Build the calendar; prints the reason and returns -1 on failure. */
int calendar_options_build(ehcp_calendar **out, const struct calendar_options *o);
void calendar_options_free(struct calendar_options *o);

/* Commands: each gets argv with argv[0] = the command name. */
int cmd_holidays(int argc, char **argv);
int cmd_workdays(int argc, char **argv);

#endif
