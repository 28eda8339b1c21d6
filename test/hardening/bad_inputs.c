/* Nothing lost: every class of bad input (data-formats.md sections 1-5) and
 * every diagnostic code that readers and validation emit, each with the
 * exact diagnostics and row accounting expected.
 *
 * bad_inputs/NAME.expected describes one case: a configuration, then the
 * expected result. Configuration lines:
 *
 *   # a comment (what the input is for)
 *   input FILE            the input, next to the .expected file
 *   format NAME           auto, events_csv, attributes_csv, cases_csv, sen2_xml
 *   method file           read with ehcp_reader_read_file() (default: a buffer
 *                         of exactly the file's size)
 *   map FIELD=HEADER      ehcp_reader_map_column() before reading (repeatable)
 *   as_of DATE            then also ehcp_validate_set() as of DATE
 *
 * Result lines (in this order; diagnostics in the order reported, fields
 * separated by one tab, "-" for none):
 *
 *   rc ok|parse|io|...    what the read returned
 *   detected FORMAT       ehcp_reader_last_format()
 *   rows READ ACCEPTED REJECTED
 *   cases N               cases in the set afterwards
 *   events N              events in the set afterwards
 *   diag SEVERITY CODE LINE PATH CASE MESSAGE       from the reader
 *   validate SEVERITY CODE LINE PATH CASE MESSAGE   from ehcp_validate_set()
 *
 * The test also checks that rows read = accepted + rejected, that every
 * rejected row has an error diagnostic, and that the expected files between
 * them name every reader and validation code of diagnostic.h.
 *
 * Usage: bad_inputs [DIR]              (default $EHCP_BAD_INPUTS)
 *        bad_inputs --update [DIR]     rewrite the result lines from what the
 *                                      library does now (then review the diff!)
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "hardening.h"

#define MAX_TEXT (1 << 16)

struct config {
  char input[256];
  int format;
  int by_file;
  ehcp_date as_of;
  char maps[8][2][128];
  int nmaps;
  char head[MAX_TEXT];     /* the configuration lines, as written */
  char expected[MAX_TEXT]; /* the result lines */
};

/* Codes that must each appear in some expected file. */
static const int all_codes[] = {100, 101, 102, 103, 104, 105, 106, 107, 108, 200, 201, 202, 203,
                                204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216};
static int code_seen[sizeof all_codes / sizeof all_codes[0]];

static int format_from(const char *name) {
  for (int f = 0; f <= EHCP_FORMAT_SEN2_XML; f++)
    if (strcmp(ehcp_format_name(f), name) == 0)
      return f;
  return -1;
}

static const char *rc_name(int rc) {
  switch (rc) {
  case EHCP_OK: return "ok";
  case EHCP_ERR_NOMEM: return "nomem";
  case EHCP_ERR_INVALID: return "invalid";
  case EHCP_ERR_PARSE: return "parse";
  case EHCP_ERR_RANGE: return "range";
  case EHCP_ERR_IO: return "io";
  case EHCP_ERR_NOT_FOUND: return "not_found";
  case EHCP_ERR_LIMIT: return "limit";
  default: return "?";
  }
}

/* Append printf-style to a text buffer. */
static void add(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(char *buf, const char *fmt, ...) {
  size_t len = strlen(buf);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf + len, MAX_TEXT - len, fmt, ap);
  va_end(ap);
}

static int read_config(struct config *c, const char *path) {
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  memset(c, 0, sizeof *c);
  c->format = EHCP_FORMAT_AUTO;
  c->as_of = EHCP_DATE_NONE;
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    char arg[4000];
    if (line[0] == '#' || strcmp(line, "\n") == 0 || sscanf(line, "input %255s", c->input) == 1 ||
        strcmp(line, "method file\n") == 0) {
      c->by_file |= strcmp(line, "method file\n") == 0;
      add(c->head, "%s", line);
    } else if (sscanf(line, "format %3999s", arg) == 1) {
      c->format = format_from(arg);
      add(c->head, "%s", line);
    } else if (sscanf(line, "as_of %3999s", arg) == 1) {
      if (ehcp_date_parse(&c->as_of, arg, strlen(arg), NULL) != EHCP_OK)
        c->format = -1;
      add(c->head, "%s", line);
    } else if (strncmp(line, "map ", 4) == 0 && c->nmaps < 8) {
      char *eq = strchr(line, '=');
      if (!eq)
        c->format = -1;
      else {
        line[strcspn(line, "\n")] = '\0';
        *eq = '\0';
        snprintf(c->maps[c->nmaps][0], 128, "%.127s", line + 4);
        snprintf(c->maps[c->nmaps][1], 128, "%.127s", eq + 1);
        c->nmaps++;
        *eq = '=';
      }
      add(c->head, "%s\n", line);
    } else {
      add(c->expected, "%s", line);
    }
  }
  fclose(f);
  return c->input[0] && c->format >= 0 ? 0 : -1;
}

static void add_diag(char *out, const char *kind, const struct ehcp_diagnostic *g) {
  add(out, "%s\t%s\t%s\t%u\t%s\t%s\t%s\n", kind, ehcp_severity_name(g->severity),
      ehcp_diag_code_name(g->code) ? ehcp_diag_code_name(g->code) : "?", (unsigned)g->line,
      g->path ? g->path : "-", g->case_id ? g->case_id : "-", g->message);
  for (size_t i = 0; i < sizeof all_codes / sizeof all_codes[0]; i++)
    code_seen[i] |= all_codes[i] == g->code;
}

/* Run one case: the actual result lines into out. */
static void run(const struct config *c, const char *dir, char *out) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, c->input);
  ehcp_case_set *set;
  ehcp_diagnostics *d;
  ehcp_reader *r;
  if (ehcp_case_set_new(&set) || ehcp_diagnostics_new(&d) || ehcp_reader_new(&r, set, d)) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  for (int i = 0; i < c->nmaps; i++)
    CHECK_INT(ehcp_reader_map_column(r, c->maps[i][0], c->maps[i][1]), EHCP_OK);
  int rc;
  if (c->by_file) {
    rc = ehcp_reader_read_file(r, path, c->format);
  } else {
    size_t len;
    char *data = slurp(path, &len);
    rc = ehcp_reader_read_buffer(r, data, len, c->input, c->format);
    free(data);
  }
  uint64_t n, a, j;
  ehcp_reader_last_counts(&n, &a, &j, r);
  size_t events = 0;
  for (size_t i = 0; i < ehcp_case_set_count(set); i++)
    events += ehcp_case_event_count(ehcp_case_set_get(set, i));
  out[0] = '\0';
  add(out, "rc %s\n", rc_name(rc));
  add(out, "detected %s\n", ehcp_format_name(ehcp_reader_last_format(r)));
  add(out, "rows %llu %llu %llu\n", (unsigned long long)n, (unsigned long long)a,
      (unsigned long long)j);
  add(out, "cases %zu\nevents %zu\n", ehcp_case_set_count(set), events);
  size_t read_diags = ehcp_diagnostics_count(d);
  for (size_t i = 0; i < read_diags; i++)
    add_diag(out, "diag", ehcp_diagnostics_get(d, i));

  /* Nothing lost, whatever the expectations say. */
  CHECK(n == a + j);
  size_t errors = ehcp_diagnostics_count_severity(d, EHCP_SEVERITY_ERROR);
  CHECK(j <= errors);
  if (rc != EHCP_OK)
    CHECK(errors > 0);
  for (size_t i = 0; i < read_diags; i++)
    CHECK(strpbrk(ehcp_diagnostics_get(d, i)->message, "\r\n") == NULL);

  if (c->as_of != EHCP_DATE_NONE) {
    CHECK_INT(ehcp_validate_set(d, set, c->as_of), EHCP_OK);
    for (size_t i = read_diags; i < ehcp_diagnostics_count(d); i++)
      add_diag(out, "validate", ehcp_diagnostics_get(d, i));
  }
  ehcp_reader_free(r);
  ehcp_diagnostics_free(d);
  ehcp_case_set_free(set);
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
  int update = argc > 1 && strcmp(argv[1], "--update") == 0;
  const char *dir = argc > 1 + update ? argv[1 + update] : getenv("EHCP_BAD_INPUTS");
  if (!dir)
    dir = "test/hardening/bad_inputs";
  DIR *dh = opendir(dir);
  if (!dh) {
    fprintf(stderr, "cannot open %s (set EHCP_BAD_INPUTS)\n", dir);
    return 2;
  }
  char *names[512];
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(dh)) != NULL && n < 512) {
    size_t len = strlen(e->d_name);
    if (len > 9 && strcmp(e->d_name + len - 9, ".expected") == 0)
      names[n++] = strdup(e->d_name);
  }
  closedir(dh);
  qsort(names, n, sizeof *names, cmp_names);

  static struct config c;
  static char actual[MAX_TEXT];
  int failed = 0;
  for (size_t i = 0; i < n; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    check_count++;
    if (read_config(&c, path) != 0) {
      fprintf(stderr, "%s: no input or a bad format/as_of/map line\n", names[i]);
      check_failures++;
      failed++;
      continue;
    }
    run(&c, dir, actual);
    if (update) {
      FILE *f = fopen(path, "w");
      if (!f || fprintf(f, "%s%s", c.head, actual) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        return 1;
      }
      continue;
    }
    if (strcmp(actual, c.expected) != 0) {
      check_failures++;
      failed++;
      fprintf(stderr, "%s: results differ\n--- expected\n%s--- actual\n%s---\n", names[i],
              c.expected, actual);
    }
  }
  for (size_t i = 0; i < sizeof all_codes / sizeof all_codes[0]; i++) {
    check_count++;
    if (!code_seen[i]) {
      check_failures++;
      fprintf(stderr, "no bad input gives diagnostic %d (%s)\n", all_codes[i],
              ehcp_diag_code_name(all_codes[i]));
    }
  }
  printf("bad_inputs: %zu inputs, %d differ%s\n", n, failed, update ? " (updated)" : "");
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  if (n == 0) {
    fprintf(stderr, "no .expected files in %s\n", dir);
    return 1;
  }
  return check_done("bad_inputs");
}
