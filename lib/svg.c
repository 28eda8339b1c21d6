/* Text and SVG helpers for the writers. See svg.h for why they exist. */
#include "svg.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- buffer ------------------------------------------------------------- */

void sbuf_free(struct sbuf *b) {
  free(b->p);
  *b = (struct sbuf){0};
}

static int sbuf_reserve(struct sbuf *b, size_t more) {
  if (b->failed)
    return -1;
  if (more < b->cap - b->len)
    return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap - b->len <= more) {
    if (cap > SIZE_MAX / 2) {
      b->failed = 1;
      return -1;
    }
    cap *= 2;
  }
  char *p = realloc(b->p, cap);
  if (!p) {
    b->failed = 1;
    return -1;
  }
  b->p = p, b->cap = cap;
  return 0;
}

void sbuf_add(struct sbuf *b, const void *data, size_t len) {
  if (sbuf_reserve(b, len) != 0)
    return;
  memcpy(b->p + b->len, data, len);
  b->len += len;
  b->p[b->len] = '\0';
}

void sbuf_cat(struct sbuf *b, const char *s) { sbuf_add(b, s, strlen(s)); }

void sbuf_printf(struct sbuf *b, const char *fmt, ...) {
  if (b->failed)
    return;
  va_list ap;
  va_start(ap, fmt);
  char small[256];
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->failed = 1;
    return;
  }
  if ((size_t)n < sizeof small) {
    sbuf_add(b, small, (size_t)n);
    return;
  }
  if (sbuf_reserve(b, (size_t)n) != 0)
    return;
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

char *sbuf_take(struct sbuf *b, size_t *len) {
  if (!b->failed && !b->p && sbuf_reserve(b, 0) == 0)
    b->p[0] = '\0';
  if (b->failed) {
    sbuf_free(b);
    return NULL;
  }
  char *p = b->p;
  if (len)
    *len = b->len;
  *b = (struct sbuf){0};
  return p;
}

/* ---- text --------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (1-4), or 0 if s does not
 * start one. Follows the Unicode table of well-formed byte sequences, so
 * overlong forms and surrogates are rejected. */
static size_t utf8_len(const unsigned char *s) {
  unsigned c = s[0];
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    return (s[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 ? 4 : 0;
  }
  return 0;
}

static const char replacement[] = "\xEF\xBF\xBD";

static void clean(struct sbuf *b, const char *text, int html) {
  const unsigned char *s = (const unsigned char *)text;
  while (*s) {
    size_t n = utf8_len(s);
    if (n == 0) {
      sbuf_cat(b, replacement);
      s++;
      continue;
    }
    if (n == 1) {
      unsigned c = *s++;
      if (c == '\r') {
        if (*s != '\n')
          sbuf_add(b, "\n", 1);
      } else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
        sbuf_cat(b, replacement);
      } else if (html && c == '&') {
        sbuf_cat(b, "&amp;");
      } else if (html && c == '<') {
        sbuf_cat(b, "&lt;");
      } else if (html && c == '>') {
        sbuf_cat(b, "&gt;");
      } else if (html && c == '"') {
        sbuf_cat(b, "&quot;");
      } else if (html && c == '\'') {
        sbuf_cat(b, "&#39;");
      } else {
        char ch = (char)c;
        sbuf_add(b, &ch, 1);
      }
      continue;
    }
    /* C1 controls (U+0080-U+009F) and the non-characters U+FFFE/U+FFFF are
     * not allowed in XML text. */
    if ((n == 2 && s[0] == 0xC2 && s[1] < 0xA0) ||
        (n == 3 && s[0] == 0xEF && s[1] == 0xBF && s[2] >= 0xBE))
      sbuf_cat(b, replacement);
    else
      sbuf_add(b, s, n);
    s += n;
  }
}

void sbuf_clean(struct sbuf *b, const char *s) { clean(b, s, 0); }
void sbuf_html(struct sbuf *b, const char *s) { clean(b, s, 1); }

void sbuf_fixed1(struct sbuf *b, double v) {
  if (!isfinite(v)) {
    sbuf_cat(b, "0");
    return;
  }
  /* Half up, as the DfE rounds (and as ehcp's JSON writers do). */
  long long t = (long long)floor(v * 10.0 + 0.5);
  const char *sign = t < 0 ? "-" : "";
  unsigned long long a = t < 0 ? (unsigned long long)-(t + 1) + 1 : (unsigned long long)t;
  sbuf_printf(b, "%s%llu.%llu", sign, a / 10, a % 10);
}

void sbuf_int(struct sbuf *b, double v) {
  sbuf_printf(b, "%lld", isfinite(v) ? llround(v) : 0LL);
}

/* ---- charts ------------------------------------------------------------- */

/* Okabe-Ito: blue, vermillion, bluish green, reddish purple, orange, sky blue. */
static const char *const colours[SVG_STYLES] = {"#0072B2", "#D55E00", "#009E73",
                                                "#CC79A7", "#E69F00", "#56B4E9"};
static const char *const dashes[SVG_STYLES] = {"", "7 4", "2 3", "10 3 2 3", "", "7 4"};

const char *svg_colour(int style) { return colours[((unsigned)style) % SVG_STYLES]; }

enum { WIDTH = 760, LEFT = 64, RIGHT = 24, TOP = 24, PLOT_H = 220 };
#define PLOT_W (WIDTH - LEFT - RIGHT)
#define FONT "font-family=\"Arial, Helvetica, 'Liberation Sans', 'DejaVu Sans', sans-serif\""

/* A rough text width for layout: SVG cannot measure text without a script. */
static double text_width(const char *s, double size) {
  size_t chars = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    chars += (*p & 0xC0) != 0x80;
  return (double)chars * size * 0.56;
}

static void attr_num(struct sbuf *b, const char *name, double v) {
  sbuf_printf(b, " %s=\"", name);
  sbuf_fixed1(b, v);
  sbuf_cat(b, "\"");
}

static void text_at(struct sbuf *b, double x, double y, const char *anchor, int size,
                    const char *extra, const char *text) {
  sbuf_cat(b, "<text");
  attr_num(b, "x", x);
  attr_num(b, "y", y);
  sbuf_printf(b, " font-size=\"%d\" text-anchor=\"%s\"%s%s>", size, anchor, extra ? " " : "",
              extra ? extra : "");
  sbuf_html(b, text);
  sbuf_cat(b, "</text>\n");
}

static void line(struct sbuf *b, double x1, double y1, double x2, double y2, const char *stroke,
                 double width, const char *dash) {
  sbuf_cat(b, "<line");
  attr_num(b, "x1", x1);
  attr_num(b, "y1", y1);
  attr_num(b, "x2", x2);
  attr_num(b, "y2", y2);
  sbuf_printf(b, " stroke=\"%s\"", stroke);
  attr_num(b, "stroke-width", width);
  if (dash && *dash)
    sbuf_printf(b, " stroke-dasharray=\"%s\"", dash);
  sbuf_cat(b, "/>\n");
}

static void rect(struct sbuf *b, double x, double y, double w, double h, const char *fill,
                 const char *extra) {
  sbuf_cat(b, "<rect");
  attr_num(b, "x", x);
  attr_num(b, "y", y);
  attr_num(b, "width", w < 0 ? 0 : w);
  attr_num(b, "height", h < 0 ? 0 : h);
  sbuf_printf(b, " fill=\"%s\"%s%s/>\n", fill, extra ? " " : "", extra ? extra : "");
}

static void marker(struct sbuf *b, int style, double x, double y) {
  const char *c = svg_colour(style);
  switch (((unsigned)style) % 4) {
  case 0:
    sbuf_cat(b, "<circle");
    attr_num(b, "cx", x);
    attr_num(b, "cy", y);
    sbuf_printf(b, " r=\"3.5\" fill=\"%s\"/>\n", c);
    break;
  case 1:
    rect(b, x - 3.5, y - 3.5, 7, 7, c, NULL);
    break;
  case 2:
  case 3: {
    /* triangle or diamond */
    sbuf_cat(b, "<path d=\"M");
    if (style % 4 == 2) {
      sbuf_fixed1(b, x), sbuf_cat(b, " "), sbuf_fixed1(b, y - 4.5), sbuf_cat(b, " L");
      sbuf_fixed1(b, x + 4.5), sbuf_cat(b, " "), sbuf_fixed1(b, y + 3.5), sbuf_cat(b, " L");
      sbuf_fixed1(b, x - 4.5), sbuf_cat(b, " "), sbuf_fixed1(b, y + 3.5);
    } else {
      sbuf_fixed1(b, x), sbuf_cat(b, " "), sbuf_fixed1(b, y - 5), sbuf_cat(b, " L");
      sbuf_fixed1(b, x + 5), sbuf_cat(b, " "), sbuf_fixed1(b, y), sbuf_cat(b, " L");
      sbuf_fixed1(b, x), sbuf_cat(b, " "), sbuf_fixed1(b, y + 5), sbuf_cat(b, " L");
      sbuf_fixed1(b, x - 5), sbuf_cat(b, " "), sbuf_fixed1(b, y);
    }
    sbuf_printf(b, " Z\" fill=\"%s\"/>\n", c);
    break;
  }
  }
}

/* Legend items laid out in rows from y; returns the height used. */
struct legend_item {
  const char *name;
  int style;    /* line + marker style, or -1 for a filled swatch */
  const char *fill;
  const char *dash; /* for reference lines */
};

static double legend_height(const struct legend_item *items, size_t n) {
  double x = LEFT, rows = n ? 1 : 0;
  for (size_t i = 0; i < n; i++) {
    double w = 34 + text_width(items[i].name, 12) + 18;
    if (x + w > WIDTH - RIGHT && x > LEFT)
      rows++, x = LEFT;
    x += w;
  }
  return rows * 20;
}

static void legend(struct sbuf *b, const struct legend_item *items, size_t n, double y) {
  double x = LEFT;
  for (size_t i = 0; i < n; i++) {
    double w = 34 + text_width(items[i].name, 12) + 18;
    if (x + w > WIDTH - RIGHT && x > LEFT)
      y += 20, x = LEFT;
    if (items[i].fill) {
      rect(b, x, y - 10, 24, 12, items[i].fill, NULL);
    } else if (items[i].style < 0) {
      line(b, x, y - 4, x + 24, y - 4, "#333333", 1.5, items[i].dash);
    } else {
      line(b, x, y - 4, x + 24, y - 4, svg_colour(items[i].style), 2.5,
           dashes[items[i].style % SVG_STYLES]);
      marker(b, items[i].style, x + 12, y - 4);
    }
    text_at(b, x + 30, y, "start", 12, NULL, items[i].name);
    x += w;
  }
}

static void open_svg(struct sbuf *b, const char *id, const char *title, const char *desc,
                     double height) {
  sbuf_printf(b, "<svg class=\"chart\" viewBox=\"0 0 %d ", WIDTH);
  sbuf_int(b, ceil(height));
  sbuf_printf(b, "\" width=\"%d\" height=\"", WIDTH);
  sbuf_int(b, ceil(height));
  sbuf_printf(b, "\" role=\"img\" aria-labelledby=\"%s-t %s-d\" " FONT ">\n", id, id);
  sbuf_printf(b, "<title id=\"%s-t\">", id);
  sbuf_html(b, title ? title : "");
  sbuf_printf(b, "</title>\n<desc id=\"%s-d\">", id);
  sbuf_html(b, desc ? desc : "");
  sbuf_cat(b, "</desc>\n");
  rect(b, 0, 0, WIDTH, height, "#ffffff", NULL);
}

/* Horizontal grid, y tick labels (percent) and the y axis title. */
static void y_axis(struct sbuf *b, double ymin, double ymax, const char *ylabel) {
  for (int i = 0; i <= 4; i++) {
    double v = ymin + (ymax - ymin) * i / 4.0;
    double y = TOP + PLOT_H - PLOT_H * i / 4.0;
    line(b, LEFT, y, LEFT + PLOT_W, y, i ? "#dddddd" : "#555555", 1, NULL);
    struct sbuf t = {0};
    sbuf_int(&t, v);
    sbuf_cat(&t, "%");
    if (!t.failed)
      text_at(b, LEFT - 8, y + 4, "end", 12, NULL, t.p);
    else
      b->failed = 1;
    sbuf_free(&t);
  }
  if (ylabel) {
    sbuf_cat(b, "<text");
    attr_num(b, "x", 0);
    attr_num(b, "y", 0);
    sbuf_cat(b, " font-size=\"12\" text-anchor=\"middle\" transform=\"translate(16 ");
    sbuf_fixed1(b, TOP + PLOT_H / 2.0);
    sbuf_cat(b, ") rotate(-90)\">");
    sbuf_html(b, ylabel);
    sbuf_cat(b, "</text>\n");
  }
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

void svg_line_chart(struct sbuf *b, const struct svg_line_chart *c) {
  size_t nleg = c->nseries + (isnan(c->target) ? 0 : 1);
  struct legend_item *items = calloc(nleg ? nleg : 1, sizeof *items);
  if (!items) {
    b->failed = 1;
    return;
  }
  for (size_t i = 0; i < c->nseries; i++)
    items[i] = (struct legend_item){c->series[i].name, c->series[i].style, NULL, NULL};
  if (!isnan(c->target))
    items[c->nseries] = (struct legend_item){c->target_label ? c->target_label : "target", -1,
                                             NULL, "6 4"};
  double axis_h = 22 + (c->xlabel ? 18 : 0);
  double height = TOP + PLOT_H + axis_h + 14 + legend_height(items, nleg) + 6;
  open_svg(b, c->id, c->title, c->desc, height);
  y_axis(b, c->ymin, c->ymax, c->ylabel);

  double span = c->xmax - c->xmin;
#define PX(x) (span > 0 ? LEFT + ((x) - c->xmin) / span * PLOT_W : LEFT + PLOT_W / 2.0)
#define PY(y) (TOP + PLOT_H - (clampd((y), c->ymin, c->ymax) - c->ymin) / (c->ymax - c->ymin) * PLOT_H)

  /* x ticks: thin the labels until they fit. */
  double widest = 0;
  for (size_t i = 0; i < c->nxticks; i++) {
    double w = text_width(c->xticks[i].label, 12);
    widest = w > widest ? w : widest;
  }
  size_t step = 1;
  while (c->nxticks / step > 1 && (double)PLOT_W / ((double)c->nxticks / step) < widest + 10)
    step++;
  for (size_t i = 0; i < c->nxticks; i++) {
    double x = PX(c->xticks[i].v);
    line(b, x, TOP + PLOT_H, x, TOP + PLOT_H + 4, "#555555", 1, NULL);
    /* Keep the last label when thinning: it is the latest month. */
    size_t from_end = c->nxticks - 1 - i;
    if (from_end % step == 0)
      text_at(b, x, TOP + PLOT_H + 18, "middle", 12, NULL, c->xticks[i].label);
  }
  if (c->xlabel)
    text_at(b, LEFT + PLOT_W / 2.0, TOP + PLOT_H + 38, "middle", 12, NULL, c->xlabel);

  if (!isnan(c->xref)) {
    double x = PX(c->xref);
    line(b, x, TOP, x, TOP + PLOT_H, "#777777", 1, "3 3");
    if (c->xref_label)
      text_at(b, x + 4, TOP + 12, "start", 11, "fill=\"#444444\"", c->xref_label);
  }
  if (!isnan(c->target)) {
    double y = PY(c->target);
    line(b, LEFT, y, LEFT + PLOT_W, y, "#333333", 1.5, "6 4");
    if (c->target_label)
      text_at(b, LEFT + PLOT_W - 4, y - 5, "end", 11, "fill=\"#333333\"", c->target_label);
  }

  for (size_t s = 0; s < c->nseries; s++) {
    const struct svg_series *se = &c->series[s];
    const char *dash = dashes[((unsigned)se->style) % SVG_STYLES];
    int open = 0;
    for (size_t i = 0; i < se->n; i++) {
      if (isnan(se->y[i])) {
        if (open)
          sbuf_cat(b, "\"/>\n");
        open = 0;
        continue;
      }
      if (!open) {
        sbuf_printf(b, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\"%s%s%s d=\"M",
                    svg_colour(se->style), *dash ? " stroke-dasharray=\"" : "", dash,
                    *dash ? "\"" : "");
        open = 1;
      } else {
        sbuf_cat(b, " L");
      }
      sbuf_fixed1(b, PX(se->x[i]));
      sbuf_cat(b, " ");
      sbuf_fixed1(b, PY(se->y[i]));
    }
    if (open)
      sbuf_cat(b, "\"/>\n");
    for (size_t i = 0; i < se->n; i++)
      if (!isnan(se->y[i]))
        marker(b, se->style, PX(se->x[i]), PY(se->y[i]));
  }
#undef PX
#undef PY
  legend(b, items, nleg, TOP + PLOT_H + axis_h + 14);
  free(items);
  sbuf_cat(b, "</svg>\n");
}

void svg_bar_chart(struct sbuf *b, const struct svg_bar_chart *c) {
  size_t nleg = c->nseries + (isnan(c->target) ? 0 : 1);
  struct legend_item *items = calloc(nleg ? nleg : 1, sizeof *items);
  if (!items) {
    b->failed = 1;
    return;
  }
  for (size_t i = 0; i < c->nseries; i++)
    items[i] = (struct legend_item){c->series[i], 0, svg_colour((int)i), NULL};
  if (!isnan(c->target))
    items[c->nseries] = (struct legend_item){c->target_label ? c->target_label : "target", -1,
                                             NULL, "6 4"};
  double height = TOP + PLOT_H + 24 + 14 + legend_height(items, nleg) + 6;
  open_svg(b, c->id, c->title, c->desc, height);
  y_axis(b, 0, 100, c->ylabel);
  double gw = c->ngroups ? (double)PLOT_W / (double)c->ngroups : PLOT_W;
  double bw = c->nseries ? gw * 0.8 / (double)c->nseries : 0;
  if (bw > 48)
    bw = 48;
  for (size_t g = 0; g < c->ngroups; g++) {
    double gx = LEFT + gw * (double)g + (gw - bw * (double)c->nseries) / 2;
    for (size_t s = 0; s < c->nseries; s++) {
      double v = c->values[g * c->nseries + s];
      if (isnan(v))
        continue;
      double h = clampd(v, 0, 100) / 100.0 * PLOT_H;
      double x = gx + bw * (double)s;
      rect(b, x + 1, TOP + PLOT_H - h, bw - 2, h, svg_colour((int)s), NULL);
      if (bw >= 30) {
        struct sbuf t = {0};
        sbuf_fixed1(&t, v);
        if (t.failed)
          b->failed = 1;
        else
          text_at(b, x + bw / 2, TOP + PLOT_H - h - 4, "middle", 10, NULL, t.p);
        sbuf_free(&t);
      }
    }
    text_at(b, LEFT + gw * ((double)g + 0.5), TOP + PLOT_H + 18, "middle", 12, NULL,
            c->groups[g]);
  }
  if (!isnan(c->target)) {
    double y = TOP + PLOT_H - clampd(c->target, 0, 100) / 100.0 * PLOT_H;
    line(b, LEFT, y, LEFT + PLOT_W, y, "#333333", 1.5, "6 4");
  }
  legend(b, items, nleg, TOP + PLOT_H + 24 + 14);
  free(items);
  sbuf_cat(b, "</svg>\n");
}

void svg_stack_chart(struct sbuf *b, const struct svg_stack_chart *c) {
  struct legend_item *items = calloc(c->n ? c->n : 1, sizeof *items);
  if (!items) {
    b->failed = 1;
    return;
  }
  for (size_t i = 0; i < c->n; i++)
    items[i] = (struct legend_item){c->names[i], 0, c->colours[i], NULL};
  double bar_h = 40, top = 16;
  double height = top + bar_h + 30 + legend_height(items, c->n) + 6;
  open_svg(b, c->id, c->title, c->desc, height);
  double total = 0;
  for (size_t i = 0; i < c->n; i++)
    total += c->values[i] > 0 ? c->values[i] : 0;
  double x = LEFT;
  if (total > 0) {
    for (size_t i = 0; i < c->n; i++) {
      if (!(c->values[i] > 0))
        continue;
      double w = c->values[i] / total * PLOT_W;
      rect(b, x, top, w, bar_h, c->colours[i], "stroke=\"#ffffff\" stroke-width=\"1\"");
      x += w;
    }
  } else {
    rect(b, LEFT, top, PLOT_W, bar_h, "#eeeeee", NULL);
    text_at(b, LEFT + PLOT_W / 2.0, top + bar_h / 2 + 4, "middle", 12, NULL, "no plans");
  }
  line(b, LEFT, top + bar_h + 6, LEFT + PLOT_W, top + bar_h + 6, "#555555", 1, NULL);
  text_at(b, LEFT, top + bar_h + 20, "start", 11, NULL, "0%");
  text_at(b, LEFT + PLOT_W, top + bar_h + 20, "end", 11, NULL, "100%");
  legend(b, items, c->n, top + bar_h + 30 + 14);
  free(items);
  sbuf_cat(b, "</svg>\n");
}
