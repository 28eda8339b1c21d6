/* `ehcp deadlines`: every case's milestones as of a date (JSON contract of
 * data-formats.md section 6), or the caseworker's list of what is overdue
 * and due, overdue first then soonest due. */
#include "cases.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: ehcp deadlines FILE... [--as-of D] [--due-within N] [--rules FILE] [--region R]\n"
    "                      [--setting REF=FILE.ics ...] [--format table|csv|json]\n"
    "\n"
    "Evaluates every case in the files (events CSV; format detected from the\n"
    "content) against the statutory rule set as of a date.\n"
    "table: what is overdue or due, overdue first, then by due date.\n"
    "csv, json: every milestone of every case; with --due-within, only what is\n"
    "overdue or due within N days.\n"
    "\n"
    "  --due-within N     only milestones overdue or due within N days\n" CASE_OPTIONS_USAGE;

enum { OPT_DUE_WITHIN = 1 };

struct row {
  const char *case_id;
  const char *id, *name;
  int status, exception, stage;
  ehcp_date due;
  int32_t days_late, days_left, working_days_left;
};

struct deadlines {
  enum out_format format;
  int32_t within; /* -1: all milestones */
  FILE *out;
  const ehcp_timeline *tl;
  size_t ncases;
  struct row *rows; /* table: open milestones, sorted at the end */
  size_t nrows, cap;
  int failed;
};

static int open_item(const struct ehcp_milestone_result *r, int32_t within) {
  if (r->status == EHCP_STATUS_OVERDUE)
    return 1;
  return r->status == EHCP_STATUS_DUE && (within < 0 || r->days_left <= within);
}

static void iso(char *buf, ehcp_date d) {
  if (d == EHCP_DATE_NONE || ehcp_date_format(buf, d) != EHCP_OK)
    buf[0] = '\0';
}

static json_t *json_date(ehcp_date d) {
  char buf[EHCP_DATE_ISO_SIZE];
  iso(buf, d);
  return buf[0] ? json_string(buf) : json_null();
}

static json_t *json_int(int32_t v) { return v == EHCP_NO_VALUE ? json_null() : json_integer(v); }

static void int_cell(char *buf, size_t size, int32_t v) {
  if (v == EHCP_NO_VALUE)
    buf[0] = '\0';
  else
    snprintf(buf, size, "%d", v);
}

static const char *const csv_header[] = {"case_id", "stage", "id", "name", "start", "due",
                                          "done", "status", "days_late", "days_left",
                                          "working_days_left", "exception"};

/* Per case: JSON and CSV are streamed case by case; table rows are
 * collected for sorting. */
static int on_case(const ehcp_case *c, const ehcp_timeline *tl, void *payload) {
  struct deadlines *d = payload;
  int stage = ehcp_timeline_stage(tl);
  json_t *milestones = d->format == FORMAT_JSON ? json_array() : NULL;
  for (size_t i = 0; i < ehcp_timeline_count(tl); i++) {
    const struct ehcp_milestone_result *r = ehcp_timeline_get(tl, i);
    int open = open_item(r, d->within);
    if (d->format == FORMAT_TABLE) {
      if (!open)
        continue;
      if (d->nrows == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        struct row *grown = realloc(d->rows, cap * sizeof *grown);
        if (!grown)
          return d->failed = 1;
        d->rows = grown, d->cap = cap;
      }
      d->rows[d->nrows++] = (struct row){ehcp_case_id(c), r->id, r->name, r->status,
                                         r->exception, stage, r->due, r->days_late, r->days_left,
                                         r->working_days_left};
      continue;
    }
    if (d->within >= 0 && !open)
      continue;
    if (d->format == FORMAT_JSON) {
      json_array_append_new(
          milestones,
          json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:b}", "id", r->id, "name",
                    r->name, "start", json_date(r->start), "due", json_date(r->due), "done",
                    json_date(r->done), "status", ehcp_status_name(r->status), "days_late",
                    json_int(r->days_late), "days_left", json_int(r->days_left),
                    "working_days_left", json_int(r->working_days_left), "exception",
                    r->exception));
    } else {
      char start[EHCP_DATE_ISO_SIZE], due[EHCP_DATE_ISO_SIZE], done[EHCP_DATE_ISO_SIZE];
      char late[16], left[16], wleft[16];
      iso(start, r->start), iso(due, r->due), iso(done, r->done);
      int_cell(late, sizeof late, r->days_late);
      int_cell(left, sizeof left, r->days_left);
      int_cell(wleft, sizeof wleft, r->working_days_left);
      csv_write_row(d->out,
                    (const char *const[]){ehcp_case_id(c), ehcp_stage_name(stage), r->id,
                                          r->name, start, due, done, ehcp_status_name(r->status),
                                          late, left, wleft, r->exception ? "true" : "false"},
                    12);
    }
  }
  if (d->format == FORMAT_JSON) {
    if (d->within >= 0 && json_array_size(milestones) == 0) {
      json_decref(milestones);
      return 0;
    }
    json_t *obj = json_pack("{s:o, s:s, s:o}", "case_id", json_text(ehcp_case_id(c)), "stage",
                            ehcp_stage_name(stage), "milestones", milestones);
    /* One string per case: jansson's stream writer makes many tiny writes. */
    char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    if (!text)
      return d->failed = 1;
    fputs(d->ncases++ ? ",\n    " : "\n    ", d->out);
    fputs(text, d->out);
    free(text);
  }
  return 0;
}

/* Overdue first (most late first), then due soonest; ties by case id. */
static int row_cmp(const void *pa, const void *pb) {
  const struct row *a = pa, *b = pb;
  if ((a->status == EHCP_STATUS_OVERDUE) != (b->status == EHCP_STATUS_OVERDUE))
    return a->status == EHCP_STATUS_OVERDUE ? -1 : 1;
  if (a->due != b->due)
    return a->due < b->due ? -1 : 1;
  int c = strcmp(a->case_id, b->case_id);
  return c ? c : strcmp(a->id, b->id);
}

static void print_table(struct deadlines *d) {
  qsort(d->rows, d->nrows, sizeof *d->rows, row_cmp);
  struct table t;
  table_init(&t, 8, (const char *const[]){"case", "step", "milestone", "due", "status", "days",
                                          "working days left", "stage"});
  for (size_t i = 0; i < d->nrows; i++) {
    const struct row *r = &d->rows[i];
    char due[EHCP_DATE_ISO_SIZE], days[32], wleft[16], status[40];
    iso(due, r->due);
    if (r->status == EHCP_STATUS_OVERDUE)
      snprintf(days, sizeof days, "%d late", r->days_late);
    else
      snprintf(days, sizeof days, "%d left", r->days_left);
    int_cell(wleft, sizeof wleft, r->working_days_left);
    snprintf(status, sizeof status, "%s%s", ehcp_status_name(r->status),
             r->exception ? " (exception applies)" : "");
    table_add_row(&t, (const char *const[]){r->case_id, r->id, r->name, due, status, days, wleft,
                                            ehcp_stage_name(r->stage)});
  }
  size_t overdue = 0;
  for (size_t i = 0; i < d->nrows; i++)
    overdue += d->rows[i].status == EHCP_STATUS_OVERDUE;
  table_print(&t, d->out, FORMAT_TABLE);
  fprintf(d->out, "%zu open deadline%s, %zu overdue\n", d->nrows, d->nrows == 1 ? "" : "s",
          overdue);
  table_free(&t);
}

int cmd_deadlines(int argc, char **argv) {
  static const struct option long_options[] = {
      CASE_LONG_OPTIONS, {"due-within", required_argument, NULL, OPT_DUE_WITHIN}, {NULL, 0, NULL, 0}};
  struct case_options o = {0};
  struct deadlines d = {.format = format_default(stdout), .within = -1, .out = stdout};
  struct cases c = {0};
  int status = EXIT_USAGE, opt;
  optind = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    if (opt == OPT_DUE_WITHIN) {
      char *end;
      errno = 0;
      long v = strtol(optarg, &end, 10);
      if (errno || *end || end == optarg || v < 0 || v > 100000) {
        cli_error("--due-within: '%s' is not a number of days", optarg);
        goto done;
      }
      d.within = (int32_t)v;
      continue;
    }
    int rc = opt == '?' ? -1 : case_options_take(&o, &d.format, opt, optarg, usage);
    if (rc == 1)
      status = 0;
    if (rc == -1 && opt == '?')
      cli_error("deadlines: unknown option or missing value '%s'", argv[optind - 1]);
    if (rc)
      goto done;
  }
  if (optind >= argc) {
    cli_error("deadlines: no input files\n%s", usage);
    goto done;
  }
  if (cases_read(&c, argv + optind, (size_t)(argc - optind), &o) || cases_prepare(&c, &o))
    goto done;

  char as_of[EHCP_DATE_ISO_SIZE];
  ehcp_date_format(as_of, c.as_of);
  if (d.format == FORMAT_CSV)
    csv_write_row(d.out, csv_header, 12);
  if (d.format == FORMAT_JSON) {
    json_t *head = json_pack("{s:s, s:s}", "as_of", as_of, "ruleset", ehcp_ruleset_name(c.rules));
    char *text = json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER);
    /* Open the object and leave the cases array open for streaming. */
    fprintf(d.out, "%.*s, \"cases\": [", (int)strlen(text) - 1, text);
    free(text);
    json_decref(head);
  }
  int rc = ehcp_evaluate_set(c.ev, c.set, c.as_of, 0, on_case, &d);
  if (rc != EHCP_OK || d.failed) {
    cli_error("deadlines: %s", ehcp_strerror(rc ? rc : EHCP_ERR_NOMEM));
    goto done;
  }
  if (d.format == FORMAT_JSON)
    fputs(d.ncases ? "\n  ]}\n" : "]}\n", d.out);
  else if (d.format == FORMAT_TABLE)
    print_table(&d);
  status = 0;
done:
  free(d.rows);
  cases_free(&c);
  case_options_free(&o);
  return status;
}
