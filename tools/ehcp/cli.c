#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("ehcp: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return EXIT_USAGE;
}

int cli_date(ehcp_date *out, const char *text, const char *what) {
  const char *why = NULL;
  if (ehcp_date_parse(out, text, strlen(text), &why) != EHCP_OK) {
    cli_error("%s: '%s' is not a date (%s)", what, text, why);
    return -1;
  }
  return 0;
}

int cli_format(enum out_format *out, const char *name) {
  if (format_from_name(out, name) != 0) {
    cli_error("--format: unknown format '%s' (use table, csv or json)", name);
    return -1;
  }
  return 0;
}

static int push(const char ***list, size_t *n, const char *value) {
  const char **grown = realloc(*list, (*n + 1) * sizeof *grown);
  if (!grown)
    return -1;
  grown[(*n)++] = value;
  *list = grown;
  return 0;
}

int calendar_options_add(struct calendar_options *o, const char *opt, const char *value) {
  if (strcmp(opt, "region") == 0) {
    o->region = value;
    return 0;
  }
  if (strcmp(opt, "ics") == 0)
    return push(&o->ics, &o->nics, value);
  return push(&o->closed, &o->nclosed, value);
}

/* "D" or "D..D" into an inclusive range. */
static int parse_closed(ehcp_date *first, ehcp_date *last, const char *text) {
  const char *dots = strstr(text, "..");
  if (!dots)
    return cli_date(first, text, "--closed") || (*last = *first, 0);
  size_t len = (size_t)(dots - text);
  char head[64];
  if (len >= sizeof head)
    return cli_error("--closed: '%s' is not a date or range", text), -1;
  memcpy(head, text, len);
  head[len] = '\0';
  if (cli_date(first, head, "--closed") || cli_date(last, dots + 2, "--closed"))
    return -1;
  if (*last < *first)
    return cli_error("--closed: range '%s' ends before it starts", text), -1;
  return 0;
}

int calendar_options_build(ehcp_calendar **out, const struct calendar_options *o) {
  int region;
  const char *name = o->region ? o->region : "england-and-wales";
  if (ehcp_region_from_name(&region, name) != EHCP_OK)
    return cli_error("--region: unknown region '%s' (use england-and-wales, scotland, "
                     "northern-ireland or none)",
                     name),
           -1;
  ehcp_calendar_builder *b;
  if (ehcp_calendar_builder_new(&b) != EHCP_OK)
    return cli_error("out of memory"), -1;
  int rc = ehcp_calendar_builder_set_region(b, region);
  for (size_t i = 0; rc == EHCP_OK && i < o->nclosed; i++) {
    ehcp_date first, last;
    if (parse_closed(&first, &last, o->closed[i]) != 0) {
      ehcp_calendar_builder_free(b);
      return -1;
    }
    rc = ehcp_calendar_builder_add_closure(b, first, last, "Closure (--closed)");
  }
  for (size_t i = 0; rc == EHCP_OK && i < o->nics; i++)
    rc = ehcp_calendar_builder_add_ics_file(b, o->ics[i]);
  if (rc == EHCP_OK)
    rc = ehcp_calendar_build(out, b);
  if (rc != EHCP_OK)
    cli_error("%s", ehcp_calendar_builder_errmsg(b));
  ehcp_calendar_builder_free(b);
  return rc == EHCP_OK ? 0 : -1;
}

void calendar_options_free(struct calendar_options *o) {
  free(o->ics);
  free(o->closed);
  *o = (struct calendar_options){0};
}
