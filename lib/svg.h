/* Text and SVG helpers for the writers (export_ics.c, report.c): a growable
 * byte buffer, UTF-8 clean-up and HTML escaping, locale-free numbers, and
 * three small chart kinds drawn as inline SVG. Private to lib/.
 *
 * Why hand-written: a board report needs a line chart, a grouped bar chart
 * and a stacked bar, nothing more, and councils' machines must open the
 * file without any plotting library or script. Charts use presentation
 * attributes rather than CSS so they look the same on screen, in print
 * and in a screenshot; colours are the Okabe-Ito palette (distinct with
 * colour-blindness) and every series also differs by marker and dash, so a
 * black-and-white print still tells them apart. */
#ifndef EHCP_LIB_SVG_H
#define EHCP_LIB_SVG_H

#include <stdarg.h>
#include <stddef.h>

/* A growable NUL-terminated buffer. After an allocation failure `failed` is
 * set and every later append is a no-op, so callers check once at the end. */
struct sbuf {
  char *p;
  size_t len, cap;
  int failed;
};

void sbuf_free(struct sbuf *b);
void sbuf_add(struct sbuf *b, const void *data, size_t len);
void sbuf_cat(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take the text: the caller frees it with free(). NULL after a failure. */
char *sbuf_take(struct sbuf *b, size_t *len);

/* Append s as valid UTF-8 text: bytes that are not well-formed UTF-8, C0
 * controls other than tab and newline, DEL and C1 controls become U+FFFD;
 * CR LF becomes LF and a lone CR becomes LF. */
void sbuf_clean(struct sbuf *b, const char *s);
/* sbuf_clean() then escape & < > " ' as entities, for HTML/XML text and
 * attribute values. */
void sbuf_html(struct sbuf *b, const char *s);

/* Numbers without the C locale's help (a host application may have set
 * LC_NUMERIC to a decimal comma): v rounded to one decimal ("28.7", "-3.0"),
 * "–" style empty text is the caller's business. */
void sbuf_fixed1(struct sbuf *b, double v);
/* v rounded to the nearest integer. */
void sbuf_int(struct sbuf *b, double v);

/* Palette and series styles. */
#define SVG_STYLES 6
const char *svg_colour(int style);

struct svg_tick {
  double v;
  const char *label;
};

struct svg_series {
  const char *name;
  const double *x, *y; /* n points; a NAN y leaves a gap */
  size_t n;
  int style;
};

/* A line chart of percentages (or any y range) over a numeric x axis;
 * categorical axes pass x = 0, 1, 2... and their labels as ticks. */
struct svg_line_chart {
  const char *id; /* unique in the page: ids of <title> and <desc> */
  const char *title, *desc;
  double xmin, xmax, ymin, ymax;
  const struct svg_tick *xticks;
  size_t nxticks;
  const char *xlabel, *ylabel;
  double target; /* horizontal reference line, NAN for none */
  const char *target_label;
  double xref; /* vertical reference line, NAN for none */
  const char *xref_label;
  const struct svg_series *series;
  size_t nseries;
};
void svg_line_chart(struct sbuf *b, const struct svg_line_chart *c);

/* Vertical bars: ngroups groups of nseries bars (values[g * nseries + s],
 * NAN = no bar), y from 0 to 100. */
struct svg_bar_chart {
  const char *id, *title, *desc;
  const char *const *groups;
  size_t ngroups;
  const char *const *series;
  size_t nseries;
  const double *values;
  const char *ylabel;
  double target;
  const char *target_label;
};
void svg_bar_chart(struct sbuf *b, const struct svg_bar_chart *c);

/* One horizontal bar split into parts proportional to values (counts),
 * each with its own colour, and a legend with counts and shares. */
struct svg_stack_chart {
  const char *id, *title, *desc;
  const char *const *names;
  const double *values;
  const char *const *colours;
  size_t n;
};
void svg_stack_chart(struct sbuf *b, const struct svg_stack_chart *c);

#endif
