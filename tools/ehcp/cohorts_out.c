/* The cohort table in the tool's three formats, for `ehcp cohorts` and
 * `ehcp compliance --cohorts`. */
#include "cohorts_out.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

static const char *const count_names[] = {
    "requests",   "assess_yes",   "assess_no",       "withdrawn",  "issued_within_20w",
    "issued_after_20w", "not_issued", "open_request", "open_assessment", "open_draft",
    "open_past_20w"};
#define NCOUNTS 11

static void counts_array(uint64_t v[NCOUNTS], const struct ehcp_cohort_counts *c) {
  const uint64_t a[NCOUNTS] = {c->requests,   c->assess_yes,        c->assess_no,
                               c->withdrawn,  c->issued_within_20w, c->issued_after_20w,
                               c->not_issued, c->open_request,      c->open_assessment,
                               c->open_draft, c->open_past_20w};
  memcpy(v, a, sizeof a);
}

static double within_percent(const struct ehcp_cohort_counts *c) {
  return ehcp_percent(c->issued_within_20w, c->issued_within_20w + c->issued_after_20w);
}

static void month_text(char *buf, size_t size, const ehcp_cohorts *co, size_t i) {
  int y = 0, m = 0;
  ehcp_cohorts_month(&y, &m, co, i);
  snprintf(buf, size, "%04d-%02d", y, m);
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *json_number(double v) { return isnan(v) ? json_null() : json_real(v); }

/* KM shares (0-1) to 3 decimals, half up. Truncation is floor for shares,
 * which are never negative, and keeps the tool off libm. */
static double round3(double v) {
  return isnan(v) ? v : (double)(int64_t)(v * 1000.0 + 0.5) / 1000.0;
}

/* The counts of one date, into obj (after its leading fields). */
static void json_counts(json_t *obj, const struct ehcp_cohort_counts *c) {
  json_object_set_new(obj, "requests", json_integer((json_int_t)c->requests));
  json_object_set_new(obj, "assess_yes", json_integer((json_int_t)c->assess_yes));
  json_object_set_new(obj, "assess_no", json_integer((json_int_t)c->assess_no));
  json_object_set_new(obj, "withdrawn", json_integer((json_int_t)c->withdrawn));
  json_object_set_new(obj, "issued_within_20w", json_integer((json_int_t)c->issued_within_20w));
  json_object_set_new(obj, "issued_after_20w", json_integer((json_int_t)c->issued_after_20w));
  json_object_set_new(obj, "not_issued", json_integer((json_int_t)c->not_issued));
  json_object_set_new(obj, "open",
                      json_pack("{s:I, s:I, s:I}", "request", (json_int_t)c->open_request,
                                "assessment", (json_int_t)c->open_assessment, "draft",
                                (json_int_t)c->open_draft));
  json_object_set_new(obj, "open_past_20w", json_integer((json_int_t)c->open_past_20w));
  json_object_set_new(obj, "share_within_20w", json_number(within_percent(c)));
}

json_t *cohort_json(const ehcp_cohorts *co, size_t i, int history) {
  char month[16];
  month_text(month, sizeof month, co, i);
  json_t *obj = json_object();
  json_object_set_new(obj, "month", json_string(month));
  json_counts(obj, ehcp_cohorts_counts(co, i));
  json_t *km = json_array();
  const struct ehcp_km_point *p = ehcp_cohorts_km(co, i);
  for (int k = 0; k < EHCP_KM_POINTS; k++)
    json_array_append_new(km, json_pack("{s:i, s:o, s:I}", "week", p[k].week, "share",
                                        json_number(round3(p[k].share)), "at_risk",
                                        (json_int_t)p[k].at_risk));
  json_object_set_new(obj, "time_to_plan", km);
  if (history) {
    json_t *h = json_array();
    for (size_t k = 0; k < ehcp_cohorts_history_count(co, i); k++) {
      ehcp_date at;
      const struct ehcp_cohort_counts *c = ehcp_cohorts_history(&at, co, i, k);
      char date[EHCP_DATE_ISO_SIZE];
      ehcp_date_format(date, at);
      json_t *entry = json_object();
      json_object_set_new(entry, "at", json_string(date));
      json_counts(entry, c);
      json_array_append_new(h, entry);
    }
    json_object_set_new(obj, "history", h);
  }
  return obj;
}

/* One cohort a line: a history makes a big document, and this keeps it
 * readable and streamable. */
static int print_json(FILE *out, const ehcp_cohorts *co, const char *as_of, int history) {
  fprintf(out, "{\"as_of\": \"%s\", \"cohorts\": [", as_of);
  size_t n = ehcp_cohorts_count(co);
  for (size_t i = 0; i < n; i++) {
    json_t *obj = cohort_json(co, i, history);
    fputs(i ? ",\n    " : "\n    ", out);
    /* 15 significant digits print the rounded shares as written (0.286, 46.4). */
    int rc = obj ? json_dumpf(obj, out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
                 : -1;
    json_decref(obj);
    if (rc != 0)
      return -1;
  }
  fputs(n ? "\n  ]}\n" : "]}\n", out);
  return 0;
}

/* ---- CSV and table ------------------------------------------------------- */

static void u64_cell(char *buf, size_t size, uint64_t v) { snprintf(buf, size, "%" PRIu64, v); }

/* A percentage (one decimal) or a share as a percentage; "" or "-" if none. */
static void percent_cell(char *buf, size_t size, double p, const char *none) {
  if (isnan(p))
    snprintf(buf, size, "%s", none);
  else
    snprintf(buf, size, "%.1f", p);
}

static void share_cell(char *buf, size_t size, double s) {
  if (isnan(s))
    buf[0] = '\0';
  else
    snprintf(buf, size, "%.3f", round3(s));
}

static void print_csv(FILE *out, const ehcp_cohorts *co, int history) {
  const char *cells[2 + NCOUNTS + 1 + 2 * EHCP_KM_POINTS];
  char text[2 + NCOUNTS + 1 + 2 * EHCP_KM_POINTS][32];
  size_t nc = 0;
  cells[nc++] = "month";
  if (history)
    cells[nc++] = "at";
  for (int f = 0; f < NCOUNTS; f++)
    cells[nc++] = count_names[f];
  cells[nc++] = "share_within_20w";
  static const char *const km_head[] = {"plan_by_week_6",  "at_risk_week_6",  "plan_by_week_16",
                                        "at_risk_week_16", "plan_by_week_20", "at_risk_week_20",
                                        "plan_by_week_26", "at_risk_week_26", "plan_by_week_52",
                                        "at_risk_week_52"};
  if (!history)
    for (int k = 0; k < 2 * EHCP_KM_POINTS; k++)
      cells[nc++] = km_head[k];
  csv_write_row(out, cells, nc);

  for (size_t i = 0; i < ehcp_cohorts_count(co); i++) {
    size_t nh = history ? ehcp_cohorts_history_count(co, i) : 1;
    for (size_t k = 0; k < nh; k++) {
      nc = 0;
      month_text(text[nc], sizeof text[nc], co, i);
      cells[nc] = text[nc], nc++;
      const struct ehcp_cohort_counts *c = ehcp_cohorts_counts(co, i);
      if (history) {
        ehcp_date at;
        c = ehcp_cohorts_history(&at, co, i, k);
        ehcp_date_format(text[nc], at);
        cells[nc] = text[nc], nc++;
      }
      uint64_t v[NCOUNTS];
      counts_array(v, c);
      for (int f = 0; f < NCOUNTS; f++) {
        u64_cell(text[nc], sizeof text[nc], v[f]);
        cells[nc] = text[nc], nc++;
      }
      percent_cell(text[nc], sizeof text[nc], within_percent(c), "");
      cells[nc] = text[nc], nc++;
      if (!history) {
        const struct ehcp_km_point *p = ehcp_cohorts_km(co, i);
        for (int q = 0; q < EHCP_KM_POINTS; q++) {
          share_cell(text[nc], sizeof text[nc], p[q].share);
          cells[nc] = text[nc], nc++;
          u64_cell(text[nc], sizeof text[nc], p[q].at_risk);
          cells[nc] = text[nc], nc++;
        }
      }
      csv_write_row(out, cells, nc);
    }
  }
}

static const char *const table_head[] = {
    "assess yes",   "assess no",       "withdrawn",  "within 20w",    "after 20w",   "not issued",
    "open request", "open assessment", "open draft", "open past 20w", "% within 20w"};

/* The counts columns of a table row (from "assess yes" to "% within 20w"). */
static void count_cells(char text[][32], const char **cells, const struct ehcp_cohort_counts *c) {
  uint64_t v[NCOUNTS];
  counts_array(v, c);
  for (int f = 1; f < NCOUNTS; f++) {
    u64_cell(text[f - 1], 32, v[f]);
    cells[f - 1] = text[f - 1];
  }
  percent_cell(text[NCOUNTS - 1], 32, within_percent(c), "-");
  cells[NCOUNTS - 1] = text[NCOUNTS - 1];
}

/* Board pack: one row per cohort and a total row. */
static int print_table(FILE *out, const ehcp_cohorts *co) {
  const char *head[3 + NCOUNTS];
  head[0] = "month", head[1] = "requests";
  memcpy(head + 2, table_head, sizeof table_head);
  head[2 + NCOUNTS] = "% plan by wk 20 (KM)";
  struct table t;
  if (table_init(&t, 3 + NCOUNTS, head) != 0)
    return -1;
  struct ehcp_cohort_counts total = {0};
  int rc = 0;
  for (size_t i = 0; i < ehcp_cohorts_count(co) && rc == 0; i++) {
    const struct ehcp_cohort_counts *c = ehcp_cohorts_counts(co, i);
    char text[3 + NCOUNTS][32];
    const char *cells[3 + NCOUNTS];
    month_text(text[0], sizeof text[0], co, i);
    u64_cell(text[1], sizeof text[1], c->requests);
    cells[0] = text[0], cells[1] = text[1];
    count_cells(text + 2, cells + 2, c);
    percent_cell(text[2 + NCOUNTS], 32, round3(ehcp_cohorts_km(co, i)[2].share) * 100.0, "-");
    cells[2 + NCOUNTS] = text[2 + NCOUNTS];
    rc = table_add_row(&t, cells);
    total.requests += c->requests, total.assess_yes += c->assess_yes;
    total.assess_no += c->assess_no, total.withdrawn += c->withdrawn;
    total.issued_within_20w += c->issued_within_20w;
    total.issued_after_20w += c->issued_after_20w, total.not_issued += c->not_issued;
    total.open_request += c->open_request, total.open_assessment += c->open_assessment;
    total.open_draft += c->open_draft, total.open_past_20w += c->open_past_20w;
  }
  if (rc == 0) {
    char text[3 + NCOUNTS][32];
    const char *cells[3 + NCOUNTS];
    u64_cell(text[1], sizeof text[1], total.requests);
    cells[0] = "total", cells[1] = text[1];
    count_cells(text + 2, cells + 2, &total);
    cells[2 + NCOUNTS] = "-"; /* the curves are per cohort */
    rc = table_add_row(&t, cells);
  }
  if (rc == 0)
    table_print(&t, out, FORMAT_TABLE);
  table_free(&t);
  return rc;
}

/* --history: a block per cohort, its curve, then a row per month end. */
static int print_history_table(FILE *out, const ehcp_cohorts *co) {
  int rc = 0;
  for (size_t i = 0; i < ehcp_cohorts_count(co) && rc == 0; i++) {
    char month[16];
    month_text(month, sizeof month, co, i);
    const struct ehcp_km_point *p = ehcp_cohorts_km(co, i);
    fprintf(out, "%s%s: %" PRIu64 " request%s; plan by week (Kaplan-Meier):", i ? "\n" : "",
            month, ehcp_cohorts_counts(co, i)->requests,
            ehcp_cohorts_counts(co, i)->requests == 1 ? "" : "s");
    for (int k = 0; k < EHCP_KM_POINTS; k++) {
      char share[32];
      percent_cell(share, sizeof share, round3(p[k].share) * 100.0, "-");
      fprintf(out, "%s %d: %s%s (%" PRIu64 " at risk)", k ? "," : "", p[k].week, share,
              isnan(p[k].share) ? "" : "%", p[k].at_risk);
    }
    fputc('\n', out);
    const char *head[1 + NCOUNTS];
    head[0] = "at";
    memcpy(head + 1, table_head, sizeof table_head);
    struct table t;
    if (table_init(&t, 1 + NCOUNTS, head) != 0)
      return -1;
    for (size_t k = 0; k < ehcp_cohorts_history_count(co, i) && rc == 0; k++) {
      ehcp_date at;
      const struct ehcp_cohort_counts *c = ehcp_cohorts_history(&at, co, i, k);
      char text[1 + NCOUNTS][32];
      const char *cells[1 + NCOUNTS];
      ehcp_date_format(text[0], at);
      cells[0] = text[0];
      count_cells(text + 1, cells + 1, c);
      rc = table_add_row(&t, cells);
    }
    if (rc == 0)
      table_print(&t, out, FORMAT_TABLE);
    table_free(&t);
  }
  if (rc == 0 && ehcp_cohorts_count(co) == 0)
    fputs("no requests\n", out);
  return rc;
}

int cohorts_print(FILE *out, const ehcp_cohorts *co, enum out_format format, const char *as_of,
                  int history) {
  switch (format) {
  case FORMAT_JSON: return print_json(out, co, as_of, history);
  case FORMAT_CSV: print_csv(out, co, history); return 0;
  case FORMAT_TABLE: return history ? print_history_table(out, co) : print_table(out, co);
  }
  return -1;
}
