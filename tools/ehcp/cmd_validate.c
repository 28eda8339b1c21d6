/* `ehcp validate`: every diagnostic of reading and of the cases' chronology,
 * with file and line; exit status 0 only when there is no error. */
#include "cases.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: ehcp validate FILE... [--as-of D] [--format table|csv|json] [--quiet]\n"
    "\n"
    "Reads the files and checks every case: rows that could not be read and\n"
    "inconsistent chronology (a plan before its request, a draft after the\n"
    "final, events after the as-of date, duplicate or unpaired events...).\n"
    "Exit status: 0 no errors (warnings allowed), 1 errors found, 2 bad usage.\n"
    "\n" CASE_OPTIONS_USAGE;

int cmd_validate(int argc, char **argv) {
  static const struct option long_options[] = {CASE_LONG_OPTIONS, {NULL, 0, NULL, 0}};
  struct case_options o = {0};
  enum out_format format = format_default(stdout);
  struct cases c = {0};
  int status = EXIT_USAGE, opt;
  optind = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    int rc = opt == '?' ? -1 : case_options_take(&o, &format, opt, optarg, usage);
    if (rc == 1)
      status = 0;
    if (rc == -1 && opt == '?')
      cli_error("validate: unknown option or missing value '%s'", argv[optind - 1]);
    if (rc)
      goto done;
  }
  if (optind >= argc) {
    cli_error("validate: no input files\n%s", usage);
    goto done;
  }
  if (cases_read(&c, argv + optind, (size_t)(argc - optind), &o) || cases_prepare(&c, &o))
    goto done;
  if (ehcp_validate_set(c.diags, c.set, c.as_of) != EHCP_OK) {
    cli_error("validate: out of memory");
    goto done;
  }

  size_t n = ehcp_diagnostics_count(c.diags);
  size_t errors = ehcp_diagnostics_count_severity(c.diags, EHCP_SEVERITY_ERROR);
  size_t warnings = ehcp_diagnostics_count_severity(c.diags, EHCP_SEVERITY_WARNING);
  json_t *list = format == FORMAT_JSON ? json_array() : NULL;
  struct table t;
  table_init(&t, 6, (const char *const[]){"file", "line", "case", "severity", "code", "message"});
  for (size_t i = 0; i < n; i++) {
    const struct ehcp_diagnostic *g = ehcp_diagnostics_get(c.diags, i);
    char line[32] = "";
    if (g->line)
      snprintf(line, sizeof line, "%" PRIu32, g->line);
    else if (g->path)
      snprintf(line, sizeof line, "%s", g->path);
    if (list)
      json_array_append_new(
          list, json_pack("{s:o, s:o, s:o, s:o, s:s, s:s, s:o}", "file", json_text(g->source),
                          "line", g->line ? json_integer(g->line) : json_null(), "path",
                          json_text(g->path), "case_id", json_text(g->case_id), "severity",
                          ehcp_severity_name(g->severity), "code", ehcp_diag_code_name(g->code),
                          "message", json_text(g->message)));
    else
      table_add_row(&t, (const char *const[]){g->source, line, g->case_id,
                                              ehcp_severity_name(g->severity),
                                              ehcp_diag_code_name(g->code), g->message});
  }
  if (list)
    json_print(json_pack("{s:o, s:I, s:I, s:I}", "diagnostics", list, "errors", (json_int_t)errors,
                         "warnings", (json_int_t)warnings, "cases",
                         (json_int_t)ehcp_case_set_count(c.set)),
               stdout);
  else
    table_print(&t, stdout, format);
  table_free(&t);
  if (!o.quiet)
    fprintf(stderr, "%zu cases: %zu errors, %zu warnings, %zu notes\n",
            ehcp_case_set_count(c.set), errors, warnings, n - errors - warnings);
  status = errors ? EXIT_DATA_ERRORS : 0;
done:
  cases_free(&c);
  case_options_free(&o);
  return status;
}
