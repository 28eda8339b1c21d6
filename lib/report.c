/* The board report: one self-contained HTML file (inline CSS and SVG, no
 * script, no external link or font) drawn from measures and cohorts the
 * library has already computed. Nothing here derives a figure: every number
 * printed is a field of an ehcp_measure_row, an ehcp_waiting_summary, an
 * ehcp_cohort_counts or an ehcp_km_point, or a share of two of them rounded
 * the DfE's way with ehcp_percent().
 *
 * The markup is kept well-formed XML as well as HTML (every element closed,
 * void elements self-closed, only the XML entities, no namespace URIs), so
 * any XML parser can check it and pull the tables out. Each table cell that
 * holds a figure says which one in data-* attributes; the CLI tests use them
 * to compare the report with `ehcp compliance` and `ehcp cohorts`. */
#include "ehcp/export.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "svg.h"

static const char *const month_names[12] = {"January", "February", "March",     "April",
                                             "May",     "June",     "July",      "August",
                                             "September", "October", "November", "December"};
static const char *const month_abbr[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Adviser ids (data-formats.md section 1) and how a board names them. */
static const struct {
  const char *id, *name;
} advisers[] = {
    {"ep", "Educational psychology"}, {"health", "Health"},       {"social_care", "Social care"},
    {"education", "Education (school)"}, {"early_years", "Early years"}, {"other", "Other"},
};

struct month {
  int y, m;
  char period[16]; /* "2024-05", as measures name months */
  char label[16]; /* "May 2024" */
  char tick[16];  /* "May 24" */
};

struct report {
  struct sbuf b;
  const ehcp_measures *monthly, *advice;
  const ehcp_cohorts *co;
  struct ehcp_report_options o;
  int ay, am, ad; /* as-of date */
  struct month *months;
  size_t nmonths;
  int figure, table; /* running numbers of figures and tables */
};

/* ---- small pieces ------------------------------------------------------ */

static void date_text(struct sbuf *b, ehcp_date d) {
  int y, m, day;
  if (ehcp_date_to_ymd(&y, &m, &day, d) != EHCP_OK) {
    sbuf_cat(b, "(no date)");
    return;
  }
  sbuf_printf(b, "%d %s %d", day, month_names[m - 1], y);
}

static const struct ehcp_measure_row *find_row(const ehcp_measures *m, const char *measure,
                                               const char *period, const char *group) {
  size_t n = ehcp_measures_count(m);
  for (size_t i = 0; i < n; i++) {
    const struct ehcp_measure_row *r = ehcp_measures_get(m, i);
    if (strcmp(r->measure, measure) != 0 || strcmp(r->period, period) != 0)
      continue;
    if ((group == NULL) != (r->group == NULL))
      continue;
    if (group && strcmp(group, r->group) != 0)
      continue;
    return r;
  }
  return NULL;
}

/* Opening of a figure cell: <td data-...="..." ...>. Attribute values are
 * escaped (groups come from the data). */
static void cell_open(struct sbuf *b, const char *const *kv, size_t n, const char *style) {
  sbuf_cat(b, "<td");
  for (size_t i = 0; i + 1 < n; i += 2) {
    if (!kv[i + 1])
      continue;
    sbuf_printf(b, " data-%s=\"", kv[i]);
    sbuf_html(b, kv[i + 1]);
    sbuf_cat(b, "\"");
  }
  if (style)
    sbuf_printf(b, " style=\"%s\"", style);
  sbuf_cat(b, ">");
}

static void u64_text(struct sbuf *b, uint64_t v) { sbuf_printf(b, "%llu", (unsigned long long)v); }

/* A percentage as ehcp rounds it (already one decimal), or a dash. */
static void percent_text(struct sbuf *b, double p) {
  if (isnan(p))
    sbuf_cat(b, "\xE2\x80\x93");
  else
    sbuf_fixed1(b, p);
}

/* The three cells of a measure row: met, counted, percent. A missing row
 * (nothing counted that period) shows dashes. */
static void measure_cells(struct sbuf *b, const ehcp_measures *m, const char *measure,
                          const char *period, const char *group) {
  const struct ehcp_measure_row *r = find_row(m, measure, period, group);
  static const char *const fields[3] = {"numerator", "denominator", "percent"};
  for (int f = 0; f < 3; f++) {
    const char *kv[] = {"measure", measure, "period", period, "group", group, "field", fields[f]};
    cell_open(b, kv, 8, NULL);
    if (!r)
      sbuf_cat(b, "\xE2\x80\x93");
    else if (f == 0)
      u64_text(b, r->numerator);
    else if (f == 1)
      u64_text(b, r->denominator);
    else
      percent_text(b, r->percent);
    sbuf_cat(b, "</td>");
  }
}

static void target_label(char *buf, size_t size, const char *what, double target) {
  long long t = (long long)floor(target * 10.0 + 0.5);
  if (t % 10 == 0)
    snprintf(buf, size, "%s %lld%%", what, t / 10);
  else
    snprintf(buf, size, "%s %lld.%lld%%", what, t / 10, t % 10);
}

static const char *adviser_name(const char *id) {
  if (!id)
    return "All advisers";
  for (size_t i = 0; i < sizeof advisers / sizeof *advisers; i++)
    if (strcmp(advisers[i].id, id) == 0)
      return advisers[i].name;
  return id;
}

static int adviser_rank(const char *id) {
  if (!id)
    return -1;
  for (size_t i = 0; i < sizeof advisers / sizeof *advisers; i++)
    if (strcmp(advisers[i].id, id) == 0)
      return (int)i;
  return (int)(sizeof advisers / sizeof *advisers);
}

static void section_open(struct report *r, const char *id, const char *title) {
  sbuf_printf(&r->b, "<section id=\"%s\" aria-labelledby=\"%s-h\">\n<h2 id=\"%s-h\">", id, id, id);
  sbuf_cat(&r->b, title);
  sbuf_cat(&r->b, "</h2>\n");
}

static void figure_open(struct report *r) { sbuf_cat(&r->b, "<figure>\n"); }

static void figure_close(struct report *r, const char *caption) {
  sbuf_printf(&r->b, "<figcaption>Figure %d. ", ++r->figure);
  sbuf_cat(&r->b, caption);
  sbuf_cat(&r->b, " The figures are in the table below.</figcaption>\n</figure>\n");
}

static void caption(struct report *r, const char *text) {
  sbuf_printf(&r->b, "<caption>Table %d. ", ++r->table);
  sbuf_cat(&r->b, text);
  sbuf_cat(&r->b, "</caption>\n");
}

/* ---- monthly trajectories ---------------------------------------------- */

struct pair {
  const char *id;   /* section id */
  const char *title;
  const char *intro; /* HTML */
  const char *measure[2];
  const char *name[2];     /* series names */
  const char *colhead[2];  /* column group heads */
  const char *met, *counted; /* column heads */
  double target;
  const char *fig_caption, *table_caption;
  const char *chart_title;
};

static void monthly_pair(struct report *r, const struct pair *p) {
  struct sbuf *b = &r->b;
  section_open(r, p->id, p->title);
  sbuf_cat(b, "<p>");
  sbuf_cat(b, p->intro);
  sbuf_cat(b, "</p>\n");

  size_t n = r->nmonths;
  double *x = calloc(n ? n : 1, sizeof *x), *y0 = calloc(n ? n : 1, sizeof *y0),
         *y1 = calloc(n ? n : 1, sizeof *y1);
  struct svg_tick *ticks = calloc(n ? n : 1, sizeof *ticks);
  if (!x || !y0 || !y1 || !ticks) {
    b->failed = 1;
    free(x), free(y0), free(y1), free(ticks);
    return;
  }
  size_t points = 0;
  for (size_t i = 0; i < n; i++) {
    const struct ehcp_measure_row *a = find_row(r->monthly, p->measure[0], r->months[i].period, NULL);
    const struct ehcp_measure_row *c = find_row(r->monthly, p->measure[1], r->months[i].period, NULL);
    x[i] = (double)i;
    y0[i] = a ? a->percent : NAN;
    y1[i] = c ? c->percent : NAN;
    points += !isnan(y0[i]) + !isnan(y1[i]);
    ticks[i] = (struct svg_tick){(double)i, r->months[i].tick};
  }
  char tl[64];
  target_label(tl, sizeof tl, "Target", p->target);
  if (points) {
    struct svg_series series[2] = {{p->name[0], x, y0, n, 0}, {p->name[1], x, y1, n, 1}};
    struct svg_line_chart chart = {
        .id = p->id, .title = p->chart_title, .desc = p->fig_caption,
        .xmin = -0.5, .xmax = (double)n - 0.5, .ymin = 0, .ymax = 100,
        .xticks = ticks, .nxticks = n, .xlabel = "Month", .ylabel = "% in time",
        .target = p->target, .target_label = tl, .xref = NAN,
        .series = series, .nseries = 2};
    figure_open(r);
    svg_line_chart(b, &chart);
    figure_close(r, p->fig_caption);
  } else {
    sbuf_cat(b, "<p class=\"none\">Nothing was counted in these months.</p>\n");
  }
  free(x), free(y0), free(y1), free(ticks);

  sbuf_printf(b, "<table id=\"%s-table\">\n", p->id);
  caption(r, p->table_caption);
  sbuf_cat(b, "<colgroup><col/></colgroup><colgroup span=\"3\"></colgroup>"
              "<colgroup span=\"3\"></colgroup>\n<thead>\n<tr><td></td>");
  for (int k = 0; k < 2; k++)
    sbuf_printf(b, "<th scope=\"colgroup\" colspan=\"3\">%s</th>", p->colhead[k]);
  sbuf_cat(b, "</tr>\n<tr><th scope=\"col\">Month</th>");
  for (int k = 0; k < 2; k++)
    sbuf_printf(b, "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%%</th>",
                p->met, p->counted);
  sbuf_cat(b, "</tr>\n</thead>\n<tbody>\n");
  for (size_t i = 0; i < n; i++) {
    sbuf_printf(b, "<tr><th scope=\"row\" data-period=\"%s\">%s</th>", r->months[i].period,
                r->months[i].label);
    measure_cells(b, r->monthly, p->measure[0], r->months[i].period, NULL);
    measure_cells(b, r->monthly, p->measure[1], r->months[i].period, NULL);
    sbuf_cat(b, "</tr>\n");
  }
  sbuf_cat(b, "</tbody>\n</table>\n</section>\n");
}

/* ---- advice by adviser -------------------------------------------------- */

static int strp_cmp(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int adviser_cmp(const void *pa, const void *pb) {
  const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
  int ra = adviser_rank(a), rb = adviser_rank(b);
  if (ra != rb)
    return ra < rb ? -1 : 1;
  return a && b ? strcmp(a, b) : 0;
}

/* Distinct strings (NULL counts as one value) into a new array. */
static int add_distinct(const char ***list, size_t *n, const char *s) {
  for (size_t i = 0; i < *n; i++)
    if ((*list)[i] == s || ((*list)[i] && s && strcmp((*list)[i], s) == 0))
      return 0;
  const char **grown = realloc(*list, (*n + 1) * sizeof *grown);
  if (!grown)
    return -1;
  grown[(*n)++] = s;
  *list = grown;
  return 0;
}

static void advice_section(struct report *r) {
  struct sbuf *b = &r->b;
  const ehcp_measures *m = r->advice ? r->advice : r->monthly;
  const char **periods = NULL, **groups = NULL;
  size_t nperiods = 0, ngroups = 0;
  for (size_t i = 0; i < ehcp_measures_count(m); i++) {
    const struct ehcp_measure_row *row = ehcp_measures_get(m, i);
    if (strcmp(row->measure, "advice_6w") != 0)
      continue;
    if (!r->advice) {
      /* Month rows from the monthly measures: only the window's months. */
      bool in = false;
      for (size_t k = 0; k < r->nmonths && !in; k++)
        in = strcmp(r->months[k].period, row->period) == 0;
      if (!in)
        continue;
    }
    if (add_distinct(&periods, &nperiods, row->period) || add_distinct(&groups, &ngroups, row->group))
      b->failed = 1;
  }
  char tl[64];
  target_label(tl, sizeof tl, "Target", r->o.target_advice);
  section_open(r, "advice", "Advice within 6 weeks, by adviser");
  sbuf_cat(b, "<p>Advice requested during an assessment (reg 8(1)) is due within 6 weeks of "
              "the adviser receiving the request. Counted in the period the advice was "
              "returned; the percentage divides advice returned in time by all advice "
              "returned. ");
  sbuf_html(b, tl);
  sbuf_cat(b, ".</p>\n");
  if (b->failed || nperiods == 0) {
    if (!b->failed)
      sbuf_cat(b, "<p class=\"none\">No advice was returned in these periods.</p>\n");
    sbuf_cat(b, "</section>\n");
    free(periods), free(groups);
    return;
  }
  qsort(periods, nperiods, sizeof *periods, strp_cmp);
  qsort(groups, ngroups, sizeof *groups, adviser_cmp);
  size_t keep = r->o.advice_periods;
  const char **shown = periods + (nperiods > keep ? nperiods - keep : 0);
  size_t nshown = nperiods > keep ? keep : nperiods;

  const char **names = calloc(ngroups, sizeof *names);
  double *values = calloc(ngroups * nshown, sizeof *values);
  if (!names || !values) {
    b->failed = 1;
  } else {
    for (size_t g = 0; g < ngroups; g++) {
      names[g] = adviser_name(groups[g]);
      for (size_t s = 0; s < nshown; s++) {
        const struct ehcp_measure_row *row = find_row(m, "advice_6w", shown[s], groups[g]);
        values[g * nshown + s] = row ? row->percent : NAN;
      }
    }
    struct svg_bar_chart chart = {.id = "advice-chart",
                                  .title = "Advice within 6 weeks by adviser",
                                  .desc = "Percentage of advice returned within 6 weeks, one "
                                          "bar per period for each adviser, against the target.",
                                  .groups = names, .ngroups = ngroups,
                                  .series = shown, .nseries = nshown, .values = values,
                                  .ylabel = "% within 6 weeks", .target = r->o.target_advice,
                                  .target_label = tl};
    figure_open(r);
    svg_bar_chart(b, &chart);
    figure_close(r, "Advice returned within 6 weeks, by adviser and period, against the "
                    "target (dashed line).");
  }
  free(names), free(values);

  sbuf_cat(b, "<table id=\"advice-table\">\n");
  caption(r, "Advice within 6 weeks, by adviser and period");
  sbuf_cat(b, "<thead><tr><th scope=\"col\">Adviser</th><th scope=\"col\">Period</th>"
              "<th scope=\"col\">Within 6 weeks</th><th scope=\"col\">Advice returned</th>"
              "<th scope=\"col\">%</th></tr></thead>\n<tbody>\n");
  for (size_t g = 0; g < ngroups; g++)
    for (size_t s = 0; s < nshown; s++) {
      sbuf_cat(b, "<tr><th scope=\"row\"");
      if (groups[g]) {
        sbuf_cat(b, " data-group=\"");
        sbuf_html(b, groups[g]);
        sbuf_cat(b, "\"");
      }
      sbuf_cat(b, ">");
      sbuf_html(b, adviser_name(groups[g]));
      sbuf_cat(b, "</th><td class=\"text\">");
      sbuf_html(b, shown[s]);
      sbuf_cat(b, "</td>");
      measure_cells(b, m, "advice_6w", shown[s], groups[g]);
      sbuf_cat(b, "</tr>\n");
    }
  sbuf_cat(b, "</tbody>\n</table>\n</section>\n");
  free(periods), free(groups);
}

/* ---- waiting times ------------------------------------------------------ */

static void weeks_text(struct sbuf *b, double w) {
  if (isnan(w))
    sbuf_cat(b, "\xE2\x80\x93");
  else
    sbuf_fixed1(b, w);
}

static void waiting_section(struct report *r) {
  struct sbuf *b = &r->b;
  size_t n = ehcp_measures_summary_count(r->monthly);
  section_open(r, "waiting", "Waiting times for a new plan");
  sbuf_cat(b, "<p>Plans issued in the period of the report, in the DfE's bands (within 20 "
              "weeks; over 20 weeks up to 52; over 52), the weeks from request to plan, and, "
              "as of ");
  date_text(b, r->o.as_of);
  sbuf_cat(b, ", the open requests already past their 20-week date, the plans with no "
              "annual review within 12 months and the phase-transfer amendments due this "
              "year.</p>\n");
  if (n == 0) {
    sbuf_cat(b, "<p class=\"none\">No waiting-time summary was computed.</p>\n</section>\n");
    return;
  }
  const struct ehcp_waiting_summary *s0 = ehcp_measures_summary(r->monthly, 0);
  {
    static const char *const colours[3] = {"#009E73", "#E69F00", "#D55E00"};
    const char *labels[3] = {"Within 20 weeks", "Over 20 weeks, up to 52", "Over 52 weeks"};
    uint64_t counts[3] = {s0->within_20w, s0->within_52w, s0->over_52w};
    double values[3];
    struct sbuf names[3] = {{0}, {0}, {0}};
    const char *name_p[3];
    for (int i = 0; i < 3; i++) {
      values[i] = (double)counts[i];
      sbuf_printf(&names[i], "%s: %llu (", labels[i], (unsigned long long)counts[i]);
      percent_text(&names[i], ehcp_percent(counts[i], s0->plans));
      sbuf_cat(&names[i], "%)");
      if (names[i].failed)
        b->failed = 1;
      name_p[i] = names[i].p ? names[i].p : "";
    }
    struct svg_stack_chart chart = {.id = "waiting-chart",
                                    .title = "New plans by time from request to plan",
                                    .desc = "One bar split into the plans issued within 20 "
                                            "weeks, over 20 up to 52 weeks, and over 52 weeks.",
                                    .names = name_p, .values = values, .colours = colours,
                                    .n = 3};
    figure_open(r);
    svg_stack_chart(b, &chart);
    figure_close(r, "New plans issued in the period, by the DfE's bands of weeks from "
                    "request to plan.");
    for (int i = 0; i < 3; i++)
      sbuf_free(&names[i]);
  }

  sbuf_cat(b, "<table id=\"waiting-table\">\n");
  caption(r, "Waiting times for a new plan, and the open caseload");
  sbuf_cat(b, "<thead><tr><th scope=\"col\">Measure</th>");
  for (size_t i = 0; i < n; i++) {
    const struct ehcp_waiting_summary *s = ehcp_measures_summary(r->monthly, i);
    sbuf_cat(b, "<th scope=\"col\"");
    if (s->group) {
      sbuf_cat(b, " data-group=\"");
      sbuf_html(b, s->group);
      sbuf_cat(b, "\">");
      sbuf_html(b, s->group);
    } else {
      sbuf_cat(b, ">All cases");
    }
    sbuf_cat(b, "</th>");
  }
  sbuf_cat(b, "</tr></thead>\n<tbody>\n");
  static const struct {
    const char *field, *label;
    int weeks; /* 0 count, 1 weeks */
  } rows[] = {
      {"plans", "New plans issued", 0},
      {"within_20w", "Within 20 weeks", 0},
      {"within_52w", "Over 20 weeks, up to 52", 0},
      {"over_52w", "Over 52 weeks", 0},
      {"mean_weeks", "Mean weeks from request to plan", 1},
      {"median_weeks", "Median weeks", 1},
      {"p90_weeks", "90th percentile, weeks", 1},
      {"longest_weeks", "Longest, weeks", 1},
      {"open_past_20w", "Open requests past 20 weeks", 0},
      {"open_past_20w_mean_weeks", "Their mean age, weeks", 1},
      {"open_past_20w_max_weeks", "Their longest age, weeks", 1},
      {"overdue_reviews", "Plans with an overdue annual review", 0},
      {"phase_transfers_due", "Phase-transfer amendments due this year", 0},
  };
  for (size_t k = 0; k < sizeof rows / sizeof *rows; k++) {
    sbuf_printf(b, "<tr><th scope=\"row\">%s</th>", rows[k].label);
    for (size_t i = 0; i < n; i++) {
      const struct ehcp_waiting_summary *s = ehcp_measures_summary(r->monthly, i);
      const char *kv[] = {"summary", s->group ? s->group : "", "field", rows[k].field};
      cell_open(b, kv, 4, NULL);
      switch (k) {
      case 0: u64_text(b, s->plans); break;
      case 1: u64_text(b, s->within_20w); break;
      case 2: u64_text(b, s->within_52w); break;
      case 3: u64_text(b, s->over_52w); break;
      case 4: weeks_text(b, s->mean_weeks); break;
      case 5: weeks_text(b, s->median_weeks); break;
      case 6: weeks_text(b, s->p90_weeks); break;
      case 7: weeks_text(b, s->longest_weeks); break;
      case 8: u64_text(b, s->open_past_20w); break;
      case 9: weeks_text(b, s->open_past_20w_mean_weeks); break;
      case 10: weeks_text(b, s->open_past_20w_max_weeks); break;
      case 11: u64_text(b, s->overdue_reviews); break;
      default: u64_text(b, s->phase_transfers_due); break;
      }
      sbuf_cat(b, "</td>");
    }
    sbuf_cat(b, "</tr>\n");
  }
  sbuf_cat(b, "</tbody>\n</table>\n</section>\n");
}

/* ---- cohorts ------------------------------------------------------------ */

/* Heat-map colour: white blended towards the column's colour by share. */
struct rgb {
  int r, g, b;
};

static void heat_style(char *buf, size_t size, double share, struct rgb base) {
  if (isnan(share) || share < 0)
    share = 0;
  if (share > 1)
    share = 1;
  int r = (int)lround(255 + (base.r - 255) * share), g = (int)lround(255 + (base.g - 255) * share),
      bl = (int)lround(255 + (base.b - 255) * share);
  /* Relative luminance (sRGB, approximately): dark cells get white text. */
  double lum = (0.2126 * r + 0.7152 * g + 0.0722 * bl) / 255.0;
  snprintf(buf, size, "background-color:#%02x%02x%02x;color:%s", r, g, bl,
           lum < 0.55 ? "#ffffff" : "#000000");
}

/* Is cohort i inside the report's window? */
static bool cohort_shown(const struct report *r, size_t i) {
  int y, m;
  if (ehcp_cohorts_month(&y, &m, r->co, i) != EHCP_OK || r->nmonths == 0)
    return false;
  int key = y * 12 + m, first = r->months[0].y * 12 + r->months[0].m,
      last = r->months[r->nmonths - 1].y * 12 + r->months[r->nmonths - 1].m;
  return key >= first && key <= last;
}

static void cohort_month(char *period, char *label, const ehcp_cohorts *co, size_t i) {
  int y = 0, m = 1;
  ehcp_cohorts_month(&y, &m, co, i);
  if (m < 1 || m > 12)
    m = 1;
  snprintf(period, 16, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
  snprintf(label, 16, "%s %04u", month_abbr[m - 1], (unsigned)y % 10000u);
}

static const struct rgb good = {0, 120, 80}, bad = {200, 70, 0}, neutral = {0, 90, 160};

static void cohort_section(struct report *r) {
  struct sbuf *b = &r->b;
  section_open(r, "cohorts", "Cohorts: each month's requests, where they stand now");
  sbuf_cat(b, "<p>Each row is the requests received in one month, followed to ");
  date_text(b, r->o.as_of);
  sbuf_cat(b, ": how many were assessed, issued a plan within or after 20 weeks, are still "
              "open and at which stage. A cell's colour deepens with its share of the "
              "month's requests (the share is printed under the count): green for plans in "
              "time, orange for late plans and open cases past 20 weeks, blue for the "
              "rest.</p>\n");
  sbuf_cat(b, "<p class=\"legend\" aria-hidden=\"true\">Share of the month's requests: ");
  for (int k = 0; k <= 4; k++) {
    char style[96];
    heat_style(style, sizeof style, k / 4.0, neutral);
    sbuf_printf(b, "<span class=\"swatch\" style=\"%s\">%d%%</span> ", style, k * 25);
  }
  sbuf_cat(b, "</p>\n");

  static const struct {
    const char *field, *head;
    int kind; /* 0 neutral, 1 good, 2 bad, -1 the requests column */
  } cols[] = {
      {"requests", "ReÂ­quests", -1},
      {"assess_yes", "AsÂ­sessed", 0},
      {"assess_no", "Not asÂ­sessed", 0},
      {"withdrawn", "WithÂ­drawn", 0},
      {"issued_within_20w", "Plan in 20 weeks", 1},
      {"issued_after_20w", "Plan after 20 weeks", 2},
      {"not_issued", "No plan", 0},
      {"open_request", "Open: deÂ­cision", 0},
      {"open_assessment", "Open: asÂ­sessÂ­ing", 0},
      {"open_draft", "Open: draft", 0},
      {"open_past_20w", "Open past 20 weeks", 2},
  };
  size_t ncols = sizeof cols / sizeof *cols;
  sbuf_cat(b, "<table id=\"cohort-table\" class=\"heat\">\n");
  caption(r, "Requests by month received and where they stand (count, and share of the "
             "month's requests)");
  sbuf_cat(b, "<thead><tr><th scope=\"col\">Month received</th>");
  for (size_t k = 0; k < ncols; k++)
    sbuf_printf(b, "<th scope=\"col\">%s</th>", cols[k].head);
  sbuf_cat(b, "<th scope=\"col\">% of plans in 20 weeks</th></tr></thead>\n<tbody>\n");
  size_t shown = 0;
  for (size_t i = 0; i < ehcp_cohorts_count(r->co); i++) {
    if (!cohort_shown(r, i))
      continue;
    const struct ehcp_cohort_counts *c = ehcp_cohorts_counts(r->co, i);
    if (!c)
      continue;
    shown++;
    char period[16], label[16];
    cohort_month(period, label, r->co, i);
    sbuf_printf(b, "<tr><th scope=\"row\" data-cohort=\"%s\">%s</th>", period, label);
    const uint64_t v[] = {c->requests,         c->assess_yes,       c->assess_no,
                          c->withdrawn,        c->issued_within_20w, c->issued_after_20w,
                          c->not_issued,       c->open_request,     c->open_assessment,
                          c->open_draft,       c->open_past_20w};
    for (size_t k = 0; k < ncols; k++) {
      const char *kv[] = {"cohort", period, "field", cols[k].field};
      if (cols[k].kind < 0) {
        cell_open(b, kv, 4, NULL);
        u64_text(b, v[k]);
      } else {
        double p = ehcp_percent(v[k], c->requests);
        char style[96];
        heat_style(style, sizeof style, isnan(p) ? 0 : p / 100.0,
                   cols[k].kind == 1 ? good : cols[k].kind == 2 ? bad : neutral);
        cell_open(b, kv, 4, style);
        u64_text(b, v[k]);
        sbuf_cat(b, "<br/><small>");
        percent_text(b, p);
        if (!isnan(p))
          sbuf_cat(b, "%");
        sbuf_cat(b, "</small>");
      }
      sbuf_cat(b, "</td>");
    }
    const char *kv[] = {"cohort", period, "field", "share_within_20w"};
    cell_open(b, kv, 4, NULL);
    percent_text(b, ehcp_percent(c->issued_within_20w, c->issued_within_20w + c->issued_after_20w));
    sbuf_cat(b, "</td></tr>\n");
  }
  if (!shown)
    sbuf_printf(b, "<tr><td colspan=\"%zu\" class=\"text\">No requests were received in these "
                   "months.</td></tr>\n",
                ncols + 2);
  sbuf_cat(b, "</tbody>\n</table>\n</section>\n");
}

/* Share (0-1) in tenths of a percent, rounded as `ehcp cohorts` rounds it
 * (three decimals, half up). */
static void share_text(struct sbuf *b, double share) {
  if (isnan(share)) {
    sbuf_cat(b, "\xE2\x80\x93");
    return;
  }
  long long t = (long long)floor(share * 1000.0 + 0.5);
  sbuf_printf(b, "%lld.%lld", t / 10, t % 10);
}

static void km_section(struct report *r) {
  struct sbuf *b = &r->b;
  section_open(r, "time-to-plan", "Time to plan, by cohort");
  sbuf_cat(b, "<p>The estimated share of each month's requests with a final plan by week 6, "
              "16, 20, 26 and 52 after the request (Kaplan-Meier: a request still open is "
              "counted up to today and no further, one closed without a plan up to its "
              "closing date). A dash: the curve does not reach that week yet, as every request "
              "still without a plan has been followed for less. \xE2\x80\x9C" "At risk\xE2\x80\x9D is the number of requests still "
              "without a plan and still followed at that week.</p>\n");
  size_t n = ehcp_cohorts_count(r->co);
  struct svg_series *series = calloc(n ? n : 1, sizeof *series);
  double *xs = calloc((n ? n : 1) * (EHCP_KM_POINTS + 1), sizeof *xs);
  double *ys = calloc((n ? n : 1) * (EHCP_KM_POINTS + 1), sizeof *ys);
  char (*labels)[16] = calloc(n ? n : 1, sizeof *labels);
  if (!series || !xs || !ys || !labels) {
    b->failed = 1;
    free(series), free(xs), free(ys), free(labels);
    return;
  }
  size_t ns = 0;
  for (size_t i = 0; i < n; i++) {
    if (!cohort_shown(r, i))
      continue;
    const struct ehcp_km_point *p = ehcp_cohorts_km(r->co, i);
    if (!p)
      continue;
    double *x = xs + ns * (EHCP_KM_POINTS + 1), *y = ys + ns * (EHCP_KM_POINTS + 1);
    size_t k = 0, real = 0;
    x[k] = 0, y[k] = 0, k++;
    for (int q = 0; q < EHCP_KM_POINTS; q++) {
      if (isnan(p[q].share))
        continue;
      x[k] = p[q].week;
      y[k] = floor(p[q].share * 1000.0 + 0.5) / 10.0;
      k++, real++;
    }
    if (!real)
      continue;
    char period[16];
    cohort_month(period, labels[ns], r->co, i);
    series[ns] = (struct svg_series){labels[ns], x, y, k, (int)ns};
    ns++;
  }
  static const struct svg_tick ticks[] = {{0, "0"},   {6, "6"},   {16, "16"},
                                          {20, "20"}, {26, "26"}, {52, "52"}};
  if (ns) {
    struct svg_line_chart chart = {
        .id = "km", .title = "Share of requests with a final plan, by weeks since the request",
        .desc = "One line per cohort (month of request): the estimated share with a final "
                "plan at weeks 6, 16, 20, 26 and 52.",
        .xmin = 0, .xmax = 52, .ymin = 0, .ymax = 100, .xticks = ticks, .nxticks = 6,
        .xlabel = "Weeks since the request", .ylabel = "% with a final plan",
        .target = NAN, .xref = 20, .xref_label = "20 weeks", .series = series, .nseries = ns};
    figure_open(r);
    svg_line_chart(b, &chart);
    figure_close(r, "Time to a final plan for each month's requests (Kaplan-Meier estimate).");
  } else {
    sbuf_cat(b, "<p class=\"none\">No cohort has been followed long enough to draw.</p>\n");
  }
  free(series), free(xs), free(ys), free(labels);

  sbuf_cat(b, "<table id=\"km-table\">\n");
  caption(r, "Estimated share of requests with a final plan (%), and the number at risk, by "
             "week since the request");
  sbuf_cat(b, "<colgroup><col/><col/></colgroup>");
  for (int q = 0; q < EHCP_KM_POINTS; q++)
    sbuf_cat(b, "<colgroup span=\"2\"></colgroup>");
  sbuf_cat(b, "\n<thead><tr><td></td><td></td>");
  static const int weeks[EHCP_KM_POINTS] = {6, 16, 20, 26, 52};
  for (int q = 0; q < EHCP_KM_POINTS; q++)
    sbuf_printf(b, "<th scope=\"colgroup\" colspan=\"2\">Week %d</th>", weeks[q]);
  sbuf_cat(b, "</tr>\n<tr><th scope=\"col\">Month received</th><th scope=\"col\">Requests</th>");
  for (int q = 0; q < EHCP_KM_POINTS; q++)
    sbuf_cat(b, "<th scope=\"col\">% with plan</th><th scope=\"col\">At risk</th>");
  sbuf_cat(b, "</tr></thead>\n<tbody>\n");
  size_t shown = 0;
  for (size_t i = 0; i < n; i++) {
    if (!cohort_shown(r, i))
      continue;
    const struct ehcp_km_point *p = ehcp_cohorts_km(r->co, i);
    const struct ehcp_cohort_counts *c = ehcp_cohorts_counts(r->co, i);
    if (!p || !c)
      continue;
    shown++;
    char period[16], label[16];
    cohort_month(period, label, r->co, i);
    sbuf_printf(b, "<tr><th scope=\"row\" data-cohort=\"%s\">%s</th>", period, label);
    const char *kv[] = {"cohort", period, "field", "requests"};
    cell_open(b, kv, 4, NULL);
    u64_text(b, c->requests);
    sbuf_cat(b, "</td>");
    for (int q = 0; q < EHCP_KM_POINTS; q++) {
      char week[8];
      snprintf(week, sizeof week, "%d", p[q].week);
      bool ok = !isnan(p[q].share);
      const char *kv1[] = {"cohort", period, "week", week, "field", "share"};
      cell_open(b, kv1, 6, NULL);
      share_text(b, ok ? p[q].share : NAN);
      sbuf_cat(b, "</td>");
      const char *kv2[] = {"cohort", period, "week", week, "field", "at_risk"};
      cell_open(b, kv2, 6, NULL);
      if (ok)
        u64_text(b, p[q].at_risk);
      else
        sbuf_cat(b, "\xE2\x80\x93");
      sbuf_cat(b, "</td>");
    }
    sbuf_cat(b, "</tr>\n");
  }
  if (!shown)
    sbuf_cat(b, "<tr><td colspan=\"12\" class=\"text\">No requests were received in these "
                "months.</td></tr>\n");
  sbuf_cat(b, "</tbody>\n</table>\n</section>\n");
}

/* ---- the page ----------------------------------------------------------- */

static const char css[] =
    ":root{color-scheme:light}\n"
    "body{font-family:Arial,Helvetica,'Liberation Sans','DejaVu Sans',sans-serif;color:#1a1a1a;"
    "background:#ffffff;margin:0 auto;max-width:820px;padding:24px;line-height:1.4;"
    "font-size:15px}\n"
    "h1{font-size:26px;margin:0 0 4px}\n"
    "h2{font-size:20px;border-bottom:3px solid #0072B2;padding-bottom:4px;margin:36px 0 8px}\n"
    ".subtitle{font-size:17px;margin:0 0 8px;color:#333333}\n"
    ".meta{color:#444444;font-size:14px}\n"
    "nav ol{margin:4px 0 0;padding-left:22px}\n"
    "nav a{color:#0b4f8a}\n"
    ".tiles{display:flex;flex-wrap:wrap;gap:10px;list-style:none;padding:0;margin:16px 0}\n"
    ".tiles li{flex:1 1 170px;border:1px solid #cccccc;border-left:6px solid #0072B2;"
    "padding:8px 10px;break-inside:avoid}\n"
    ".tiles li.below{border-left-color:#D55E00}\n"
    ".tiles li.met{border-left-color:#009E73}\n"
    ".tiles .value{display:block;font-size:24px;font-weight:bold}\n"
    ".tiles .what{display:block;font-size:13px;color:#333333}\n"
    ".tiles .how{display:block;font-size:12px;color:#555555}\n"
    "figure{margin:12px 0;break-inside:avoid}\n"
    "figcaption{font-size:13px;color:#333333;margin-top:4px}\n"
    "svg.chart{display:block;width:100%;height:auto;max-width:760px}\n"
    "table{border-collapse:collapse;width:100%;margin:8px 0 18px;font-size:13px;"
    "font-variant-numeric:tabular-nums}\n"
    "caption{caption-side:top;text-align:left;font-weight:bold;padding:4px 0}\n"
    "th,td{border:1px solid #bbbbbb;padding:3px 6px}\n"
    "td{text-align:right}\n"
    "td.text{text-align:left}\n"
    "thead th{background:#eef2f6;font-weight:bold;vertical-align:bottom}\n"
    "tbody th{text-align:left;font-weight:normal;white-space:nowrap}\n"
    "table.heat{table-layout:fixed;font-size:12px}\n"
    "table.heat th,table.heat td{padding:2px 3px;overflow-wrap:anywhere}\n"
    "table.heat thead th{font-size:11px;hyphens:manual}\n"
    "table.heat tbody th{white-space:normal}\n"
    "table.heat td small{display:block;font-size:10px}\n"
    ".legend .swatch{display:inline-block;min-width:40px;text-align:center;border:1px solid "
    "#bbbbbb;font-size:12px;padding:1px 4px}\n"
    ".none{font-style:italic}\n"
    "footer{margin-top:36px;font-size:12px;color:#444444;border-top:1px solid #cccccc;"
    "padding-top:8px}\n"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "@page{size:A4;margin:14mm 12mm}\n"
    "@media print{body{max-width:none;padding:0;font-size:10.5pt}"
    "nav{display:none}"
    "section{break-before:page}"
    "main>section:first-child{break-before:auto}"
    "h2{margin-top:0}"
    "svg.chart{max-width:100%;max-height:125mm}"
    "table{font-size:8.5pt}"
    "tr,th,td{break-inside:avoid}"
    "thead{display:table-header-group}"
    "table.heat{font-size:7.5pt}table.heat thead th{font-size:7pt}"
    "table.heat td small{font-size:6.5pt}}\n";

/* Key figures: the latest month with a figure, and the open caseload. */
static void tile_measure(struct report *r, const char *measure, const char *what, double target) {
  struct sbuf *b = &r->b;
  const struct ehcp_measure_row *row = NULL;
  size_t at = 0;
  for (size_t i = r->nmonths; i-- > 0 && !row;) {
    row = find_row(r->monthly, measure, r->months[i].period, NULL);
    at = i;
  }
  if (!row || isnan(row->percent)) {
    sbuf_cat(b, "<li><span class=\"value\">\xE2\x80\x93</span><span class=\"what\">");
    sbuf_cat(b, what);
    sbuf_cat(b, "</span><span class=\"how\">nothing counted in these months</span></li>\n");
    return;
  }
  bool met = row->percent >= target;
  sbuf_printf(b, "<li class=\"%s\"><span class=\"value\">", met ? "met" : "below");
  percent_text(b, row->percent);
  sbuf_printf(b, "%%</span><span class=\"what\">%s, %s</span><span class=\"how\">", what,
              r->months[at].label);
  u64_text(b, row->numerator);
  sbuf_cat(b, " of ");
  u64_text(b, row->denominator);
  char tl[64];
  target_label(tl, sizeof tl, "", target);
  sbuf_printf(b, "; %s the%s target</span></li>\n", met ? "meets" : "below", tl);
}

static void tiles(struct report *r) {
  struct sbuf *b = &r->b;
  sbuf_cat(b, "<ul class=\"tiles\" aria-label=\"Key figures\">\n");
  tile_measure(r, "final_20w_ex", "New plans within 20 weeks (excluding exceptions)",
               r->o.target_20w);
  tile_measure(r, "review_decision_4w", "Annual review decisions within 4 weeks",
               r->o.target_reviews);
  if (ehcp_measures_summary_count(r->monthly) > 0) {
    const struct ehcp_waiting_summary *s = ehcp_measures_summary(r->monthly, 0);
    sbuf_cat(b, "<li><span class=\"value\">");
    u64_text(b, s->open_past_20w);
    sbuf_cat(b, "</span><span class=\"what\">Open requests past 20 weeks</span>"
                "<span class=\"how\">as of ");
    date_text(b, r->o.as_of);
    sbuf_cat(b, "</span></li>\n<li><span class=\"value\">");
    u64_text(b, s->overdue_reviews);
    sbuf_cat(b, "</span><span class=\"what\">Plans with an overdue annual review</span>"
                "<span class=\"how\">target: none</span></li>\n");
  }
  sbuf_cat(b, "</ul>\n");
}

static int build(struct report *r) {
  struct sbuf *b = &r->b;
  const char *title = r->o.title ? r->o.title : "EHC timeliness: board report";
  sbuf_cat(b, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\"/>\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
              "<meta name=\"generator\" content=\"ehcp " EHCP_VERSION_STRING "\"/>\n<title>");
  sbuf_html(b, title);
  sbuf_cat(b, "</title>\n<style>\n");
  sbuf_cat(b, css);
  sbuf_cat(b, "</style>\n</head>\n<body>\n<header>\n<h1>");
  sbuf_html(b, title);
  sbuf_cat(b, "</h1>\n");
  if (r->o.subtitle) {
    sbuf_cat(b, "<p class=\"subtitle\">");
    sbuf_html(b, r->o.subtitle);
    sbuf_cat(b, "</p>\n");
  }
  sbuf_cat(b, "<p class=\"meta\">Figures as of <strong>");
  date_text(b, r->o.as_of);
  sbuf_printf(b, "</strong>; months shown: %s to %s (the last one to the as-of date). ",
              r->months[0].label, r->months[r->nmonths - 1].label);
  sbuf_cat(b, "Counted as the DfE counts them: a step counts in the month of the event that "
              "completes it, the percentage divides the steps done in time by all steps "
              "done, rounded half up to one decimal. Time limits are those of the SEND "
              "Regulations 2014.</p>\n");
  tiles(r);
  sbuf_cat(b, "<nav aria-label=\"Contents\"><strong>Contents</strong><ol>\n"
              "<li><a href=\"#final-20w\">New plans within 20 weeks</a></li>\n"
              "<li><a href=\"#reviews\">Annual reviews</a></li>\n"
              "<li><a href=\"#advice\">Advice within 6 weeks</a></li>\n"
              "<li><a href=\"#waiting\">Waiting times</a></li>\n");
  if (r->co)
    sbuf_cat(b, "<li><a href=\"#cohorts\">Cohorts</a></li>\n"
                "<li><a href=\"#time-to-plan\">Time to plan</a></li>\n");
  sbuf_cat(b, "</ol></nav>\n</header>\n<main>\n");

  char t20[32], trev[32];
  target_label(t20, sizeof t20, "target", r->o.target_20w);
  target_label(trev, sizeof trev, "target", r->o.target_reviews);
  struct sbuf intro = {0};
  sbuf_cat(&intro, "A new plan is due within 20 weeks of the request (reg 13(2)). Plans are "
                   "counted in the month they were issued. <strong>Excluding "
                   "exceptions</strong> is the DfE's headline: a case with an exception "
                   "recorded (reg 10(4)) leaves both counts; including exceptions keeps every "
                   "plan. The dashed line is the ");
  sbuf_cat(&intro, t20);
  sbuf_cat(&intro, ".");
  struct pair p20 = {
      .id = "final-20w", .title = "New EHC plans issued within 20 weeks", .intro = intro.p ? intro.p : "",
      .measure = {"final_20w_ex", "final_20w"},
      .name = {"Excluding exceptions (DfE headline)", "Including exceptions"},
      .colhead = {"Excluding exceptions", "Including exceptions"},
      .met = "Within 20 weeks", .counted = "Plans issued", .target = r->o.target_20w,
      .fig_caption = "Percentage of new plans issued within 20 weeks, by month of issue, "
                     "against the target (dashed line).",
      .table_caption = "New plans issued within 20 weeks, by month of issue",
      .chart_title = "New plans issued within 20 weeks, by month"};
  if (intro.failed)
    b->failed = 1;
  monthly_pair(r, &p20);
  sbuf_free(&intro);

  sbuf_cat(&intro, "After an annual review meeting the authority must notify its decision "
                   "within 4 weeks (reg 20(10)); where it amends the plan, the final amended "
                   "plan follows within 8 weeks of the proposals (reg 22(3)), so within 12 "
                   "weeks of the meeting in all. Counted in the month of the decision (4 "
                   "weeks) or of the final amended plan (12 weeks). The dashed line is the ");
  sbuf_cat(&intro, trev);
  sbuf_cat(&intro, ".");
  struct pair prev = {
      .id = "reviews", .title = "Annual reviews: decisions in 4 weeks, amended plans in 12",
      .intro = intro.p ? intro.p : "",
      .measure = {"review_decision_4w", "review_final_12w"},
      .name = {"Decision within 4 weeks", "Amended plan within 12 weeks"},
      .colhead = {"Decision within 4 weeks", "Amended plan within 12 weeks"},
      .met = "In time", .counted = "Done", .target = r->o.target_reviews,
      .fig_caption = "Percentage of annual reviews with the decision within 4 weeks and the "
                     "amended plan within 12 weeks of the meeting, by month, against the "
                     "target (dashed line).",
      .table_caption = "Annual review decisions within 4 weeks and amended plans within 12 "
                       "weeks, by month",
      .chart_title = "Annual reviews in time, by month"};
  if (intro.failed)
    b->failed = 1;
  monthly_pair(r, &prev);
  sbuf_free(&intro);

  advice_section(r);
  waiting_section(r);
  if (r->co) {
    cohort_section(r);
    km_section(r);
  }
  sbuf_cat(b, "</main>\n<footer>\n<p>Made by ehcp " EHCP_VERSION_STRING " from the case data "
              "as of ");
  date_text(b, r->o.as_of);
  sbuf_cat(b, ". No names or case identifiers appear in this report. Every chart is followed "
              "by a table of the figures it draws.</p>\n</footer>\n</body>\n</html>\n");
  return b->failed ? EHCP_ERR_NOMEM : EHCP_OK;
}

static int report_run(char **out, size_t *len, const ehcp_measures *monthly,
                      const ehcp_measures *advice, const ehcp_cohorts *co,
                      const struct ehcp_report_options *opts) {
  if (!monthly || !opts || opts->version < 1 || opts->version > EHCP_REPORT_OPTIONS_VERSION ||
      opts->as_of == EHCP_DATE_NONE)
    return EHCP_ERR_INVALID;
  struct report r = {.monthly = monthly, .advice = advice, .co = co, .o = *opts};
  if (ehcp_date_to_ymd(&r.ay, &r.am, &r.ad, opts->as_of) != EHCP_OK)
    return EHCP_ERR_INVALID;
  if (r.o.target_20w <= 0)
    r.o.target_20w = 75;
  if (r.o.target_reviews <= 0)
    r.o.target_reviews = 90;
  if (r.o.target_advice <= 0)
    r.o.target_advice = 90;
  if (r.o.months == 0)
    r.o.months = 12;
  if (r.o.months > 1200)
    r.o.months = 1200;
  if (r.o.advice_periods == 0)
    r.o.advice_periods = 3;
  r.nmonths = r.o.months;
  r.months = calloc(r.nmonths, sizeof *r.months);
  if (!r.months)
    return EHCP_ERR_NOMEM;
  int key = r.ay * 12 + (r.am - 1) - (int)(r.nmonths - 1);
  if (key < 12) { /* the window cannot start before the year 1 */
    r.nmonths -= (size_t)(12 - key);
    key = 12;
  }
  for (size_t i = 0; i < r.nmonths; i++, key++) {
    struct month *m = &r.months[i];
    m->y = key / 12, m->m = key % 12 + 1;
    snprintf(m->period, sizeof m->period, "%04u-%02u", (unsigned)m->y % 10000u, (unsigned)m->m % 100u);
    snprintf(m->label, sizeof m->label, "%s %04u", month_abbr[m->m - 1], (unsigned)m->y % 10000u);
    snprintf(m->tick, sizeof m->tick, "%s %02u", month_abbr[m->m - 1], (unsigned)m->y % 100u);
  }
  int rc = build(&r);
  free(r.months);
  if (rc != EHCP_OK) {
    sbuf_free(&r.b);
    return rc;
  }
  *out = sbuf_take(&r.b, len);
  return *out ? EHCP_OK : EHCP_ERR_NOMEM;
}

int ehcp_report_html(char **out, size_t *len, const ehcp_measures *monthly,
                     const ehcp_measures *advice, const ehcp_cohorts *co,
                     const struct ehcp_report_options *opts) {
  if (!out)
    return EHCP_ERR_INVALID;
  *out = NULL;
  if (len)
    *len = 0;
  return report_run(out, len, monthly, advice, co, opts);
}

int ehcp_report_write_html(FILE *out, const ehcp_measures *monthly, const ehcp_measures *advice,
                           const ehcp_cohorts *co, const struct ehcp_report_options *opts) {
  if (!out)
    return EHCP_ERR_INVALID;
  char *text = NULL;
  size_t len = 0;
  int rc = report_run(&text, &len, monthly, advice, co, opts);
  if (rc != EHCP_OK)
    return rc;
  if (fwrite(text, 1, len, out) != len || fflush(out) != 0)
    rc = EHCP_ERR_IO;
  free(text);
  return rc;
}
