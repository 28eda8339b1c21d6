/* ehcp: command-line front end. Dispatches to one function per command;
 * every command uses only the public API of libehcp. */
#include "cases.h"

#include <stdio.h>
#include <string.h>

static const struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} commands[] = {
    {"deadlines", cmd_deadlines, "every case's statutory deadlines as of a date"},
    {"compliance", cmd_compliance, "compliance rates by period and group, as the DfE counts them"},
    {"cohorts", cmd_cohorts, "each month's requests followed through the stages, and time to plan"},
    {"ics", cmd_ics, "open deadlines as an iCalendar (.ics) file, for Outlook or any calendar"},
    {"report", cmd_report, "a board report: one self-contained HTML file with charts and tables"},
    {"validate", cmd_validate, "check input files and cases; list every problem with file and line"},
    {"holidays", cmd_holidays, "list bank holidays and closures between two dates"},
    {"workdays", cmd_workdays, "count working days, or find the N-th working day after a date"},
};

static void usage(FILE *out) {
  fprintf(out, "usage: ehcp COMMAND [OPTIONS]   (ehcp COMMAND --help for details)\n\n");
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\n  --version  print the library version\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("ehcp %s\n", ehcp_version());
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    if (strcmp(argv[1], commands[i].name) == 0)
      return commands[i].run(argc - 1, argv + 1);
  cli_error("unknown command '%s'", argv[1]);
  usage(stderr);
  return EXIT_USAGE;
}
