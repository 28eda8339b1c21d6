#include "cases.h"
#include "progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int case_options_add_setting(struct case_options *o, const char *value) {
  const char *eq = strchr(value, '=');
  if (!eq || eq == value || !eq[1])
    return cli_error("--setting: expected REF=FILE.ics, got '%s'", value), -1;
  const char **grown = realloc(o->settings, (o->nsettings + 1) * sizeof *grown);
  if (!grown)
    return cli_error("out of memory"), -1;
  grown[o->nsettings++] = value;
  o->settings = grown;
  return 0;
}

int case_options_take(struct case_options *o, enum out_format *format, int c, const char *arg,
                      const char *usage) {
  switch (c) {
  case CASE_OPT_REGION: return calendar_options_add(&o->cal, "region", arg);
  case CASE_OPT_ICS: return calendar_options_add(&o->cal, "ics", arg);
  case CASE_OPT_CLOSED: return calendar_options_add(&o->cal, "closed", arg);
  case CASE_OPT_RULES: o->rules = arg; return 0;
  case CASE_OPT_SETTING: return case_options_add_setting(o, arg);
  case CASE_OPT_AS_OF: o->as_of = arg; return 0;
  case CASE_OPT_QUIET: o->quiet = 1; return 0;
  case CASE_OPT_FORMAT: return cli_format(format, arg);
  case CASE_OPT_HELP: fputs(usage, stdout); return 1;
  case CASE_OPT_MAP: {
    const char **grown = strchr(arg, '=') ? realloc(o->maps, (o->nmaps + 1) * sizeof *grown) : NULL;
    if (!grown)
      return cli_error("--map: expected FIELD=HEADER, got '%s'", arg), -1;
    grown[o->nmaps++] = arg;
    o->maps = grown;
    return 0;
  }
  default: return -1;
  }
}

void case_options_free(struct case_options *o) {
  calendar_options_free(&o->cal);
  free(o->settings);
  free(o->maps);
  *o = (struct case_options){0};
}

int cases_read(struct cases *c, char **files, size_t nfiles, const struct case_options *o) {
  if (ehcp_case_set_new(&c->set) != EHCP_OK || ehcp_diagnostics_new(&c->diags) != EHCP_OK)
    return cli_error("out of memory"), -1;
  ehcp_reader *r;
  if (ehcp_reader_new(&r, c->set, c->diags) != EHCP_OK)
    return cli_error("out of memory"), -1;
  int status = 0;
  for (size_t i = 0; i < o->nmaps && status == 0; i++) {
    char field[128];
    const char *eq = strchr(o->maps[i], '=');
    int len = (int)(eq - o->maps[i]);
    snprintf(field, sizeof field, "%.*s", len, o->maps[i]);
    if (ehcp_reader_map_column(r, field, eq + 1) != EHCP_OK) {
      cli_error("--map %s: %s", o->maps[i], ehcp_reader_errmsg(r));
      status = -1;
    }
  }
  /* Progress in bytes of input (on a terminal, without --quiet). The
   * reader reports nothing inside a file yet, so the line advances file by
   * file and otherwise shows the time elapsed. */
  uint64_t total = 0, done = 0;
  for (size_t i = 0; i < nfiles; i++) {
    struct stat st;
    if (stat(files[i], &st) == 0 && S_ISREG(st.st_mode))
      total += (uint64_t)st.st_size;
  }
  struct progress *pg = progress_start("reading", PROGRESS_BYTES, total, o->quiet);
  for (size_t i = 0; i < nfiles && status == 0; i++) {
    /* With --map, CSV files are cases CSV: their headers may not say so. */
    size_t n = strlen(files[i]);
    int xml = n >= 4 && strcmp(files[i] + n - 4, ".xml") == 0;
    int format = o->nmaps && !xml ? EHCP_FORMAT_CASES_CSV : EHCP_FORMAT_AUTO;
    if (ehcp_reader_read_file(r, files[i], format) != EHCP_OK) {
      progress_end(pg);
      pg = NULL;
      cli_error("%s", ehcp_reader_errmsg(r));
      status = -1;
      break;
    }
    struct stat st;
    if (stat(files[i], &st) == 0 && S_ISREG(st.st_mode))
      progress_set(pg, done += (uint64_t)st.st_size);
    uint64_t read, accepted, rejected;
    ehcp_reader_last_counts(&read, &accepted, &rejected, r);
    c->rejected += rejected;
    if (!o->quiet)
      progress_note(pg, "%s: %s, %" PRIu64 " rows read, %" PRIu64 " accepted, %" PRIu64 " rejected",
                    files[i], ehcp_format_name(ehcp_reader_last_format(r)), read, accepted,
                    rejected);
  }
  progress_end(pg);
  ehcp_reader_free(r);
  return status;
}

/* A setting's term calendar: the authority's bank holidays plus the
 * school's closures from its .ics. */
static int add_setting(struct cases *c, const char *spec) {
  const char *eq = strchr(spec, '=');
  char ref[256];
  size_t len = (size_t)(eq - spec);
  if (len >= sizeof ref)
    return cli_error("--setting: reference too long in '%s'", spec), -1;
  memcpy(ref, spec, len);
  ref[len] = '\0';
  ehcp_calendar_builder *b;
  ehcp_calendar *school = NULL;
  if (ehcp_calendar_builder_new(&b) != EHCP_OK)
    return cli_error("out of memory"), -1;
  int rc = ehcp_calendar_builder_set_region(b, ehcp_calendar_region(c->cal));
  if (rc == EHCP_OK)
    rc = ehcp_calendar_builder_add_ics_file(b, eq + 1);
  if (rc == EHCP_OK)
    rc = ehcp_calendar_build(&school, b);
  if (rc != EHCP_OK)
    cli_error("--setting %s: %s", ref, ehcp_calendar_builder_errmsg(b));
  ehcp_calendar_builder_free(b);
  if (rc == EHCP_OK && ehcp_evaluator_add_setting_calendar(c->ev, ref, school) != EHCP_OK)
    rc = cli_error("out of memory");
  ehcp_calendar_free(school);
  return rc == EHCP_OK ? 0 : -1;
}

int cases_prepare(struct cases *c, const struct case_options *o) {
  if (ehcp_ruleset_new(&c->rules, "england-2014") != EHCP_OK)
    return cli_error("out of memory"), -1;
  if (o->rules && ehcp_ruleset_load_file(c->rules, o->rules) != EHCP_OK)
    return cli_error("%s", ehcp_ruleset_errmsg(c->rules)), -1;
  struct calendar_options cal = o->cal;
  if (!cal.region)
    cal.region = ehcp_ruleset_option(c->rules, "region");
  if (calendar_options_build(&c->cal, &cal) != 0)
    return -1;
  if (ehcp_evaluator_new(&c->ev, c->rules, c->cal) != EHCP_OK)
    return cli_error("out of memory"), -1;
  for (size_t i = 0; i < o->nsettings; i++)
    if (add_setting(c, o->settings[i]) != 0)
      return -1;
  if (o->as_of)
    return cli_date(&c->as_of, o->as_of, "--as-of");
  time_t now = time(NULL);
  struct tm tm;
  localtime_r(&now, &tm);
  ehcp_date_from_ymd(&c->as_of, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return 0;
}

void cases_free(struct cases *c) {
  ehcp_evaluator_free(c->ev);
  ehcp_calendar_free(c->cal);
  ehcp_ruleset_free(c->rules);
  ehcp_diagnostics_free(c->diags);
  ehcp_case_set_free(c->set);
  *c = (struct cases){0};
}
