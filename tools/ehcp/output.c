#include "output.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int format_from_name(enum out_format *out, const char *name) {
  static const char *const names[] = {"table", "csv", "json"};
  for (int i = 0; i < 3; i++) {
    if (strcmp(name, names[i]) == 0) {
      *out = (enum out_format)i;
      return 0;
    }
  }
  return -1;
}

enum out_format format_default(FILE *stream) {
  return isatty(fileno(stream)) ? FORMAT_TABLE : FORMAT_CSV;
}

void csv_write_cell(FILE *out, const char *text) {
  if (!text)
    text = "";
  int formula = strchr("=+-@\t\r", text[0]) != NULL && text[0] != '\0';
  int quote = formula || strpbrk(text, ",\"\r\n") != NULL;
  if (!quote) {
    fputs(text, out);
    return;
  }
  fputc('"', out);
  if (formula)
    fputc('\'', out);
  for (const char *p = text; *p; p++) {
    if (*p == '"')
      fputc('"', out);
    fputc(*p, out);
  }
  fputc('"', out);
}

void csv_write_row(FILE *out, const char *const *cells, size_t n) {
  for (size_t c = 0; c < n; c++) {
    if (c)
      fputc(',', out);
    csv_write_cell(out, cells[c]);
  }
  fputc('\n', out);
}

int table_init(struct table *t, size_t ncols, const char *const *header) {
  *t = (struct table){.ncols = ncols};
  return table_add_row(t, header);
}

int table_add_row(struct table *t, const char *const *cells) {
  if (t->nrows == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    char **grown = realloc(t->cells, cap * t->ncols * sizeof *grown);
    if (!grown)
      return -1;
    t->cells = grown;
    t->cap = cap;
  }
  char **row = t->cells + t->nrows * t->ncols;
  for (size_t c = 0; c < t->ncols; c++) {
    row[c] = strdup(cells[c] ? cells[c] : "");
    if (!row[c]) {
      while (c--)
        free(row[c]);
      return -1;
    }
  }
  t->nrows++;
  return 0;
}

/* Display width in terminal columns: UTF-8 continuation bytes take none. */
static size_t display_width(const char *s) {
  size_t w = 0;
  for (; *s; s++)
    w += ((unsigned char)*s & 0xc0) != 0x80;
  return w;
}

void table_print(const struct table *t, FILE *out, enum out_format format) {
  if (format == FORMAT_CSV) {
    for (size_t r = 0; r < t->nrows; r++)
      csv_write_row(out, (const char *const *)t->cells + r * t->ncols, t->ncols);
    return;
  }
  size_t *width = calloc(t->ncols, sizeof *width);
  if (!width)
    return;
  for (size_t i = 0; i < t->nrows * t->ncols; i++) {
    size_t w = display_width(t->cells[i]);
    if (w > width[i % t->ncols])
      width[i % t->ncols] = w;
  }
  for (size_t r = 0; r < t->nrows; r++) {
    for (size_t c = 0; c < t->ncols; c++) {
      const char *cell = t->cells[r * t->ncols + c];
      fputs(cell, out);
      if (c + 1 < t->ncols)
        fprintf(out, "%*s", (int)(width[c] - display_width(cell) + 2), "");
    }
    fputc('\n', out);
  }
  free(width);
}

void table_free(struct table *t) {
  for (size_t i = 0; i < t->nrows * t->ncols; i++)
    free(t->cells[i]);
  free(t->cells);
  *t = (struct table){0};
}

int json_print(json_t *value, FILE *out) {
  if (!value)
    return -1;
  int rc = json_dumpf(value, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  fputc('\n', out);
  json_decref(value);
  return rc;
}

/* Length of the valid UTF-8 sequence (RFC 3629: no overlongs, surrogates or
 * code points past U+10FFFF, as jansson checks) starting at s, 0 if none. */
static size_t utf8_sequence(const unsigned char *s) {
  unsigned c = s[0];
  if (c < 0x80)
    return 1;
  size_t n;
  uint32_t cp, min;
  if (c >= 0xc2 && c <= 0xdf)
    n = 2, cp = c & 0x1f, min = 0x80;
  else if (c >= 0xe0 && c <= 0xef)
    n = 3, cp = c & 0x0f, min = 0x800;
  else if (c >= 0xf0 && c <= 0xf4)
    n = 4, cp = c & 0x07, min = 0x10000;
  else
    return 0;
  for (size_t i = 1; i < n; i++) { /* stops at the terminating NUL */
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (s[i] & 0x3f);
  }
  return cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : n;
}

json_t *json_text(const char *text) {
  if (!text)
    return json_null();
  json_t *s = json_string(text);
  if (s)
    return s;
  size_t len = strlen(text);
  char *fixed = malloc(len * 3 + 1), *at = fixed;
  if (!fixed)
    return NULL;
  for (const unsigned char *p = (const unsigned char *)text; *p;) {
    size_t n = utf8_sequence(p);
    if (n) {
      memcpy(at, p, n);
      at += n, p += n;
    } else {
      memcpy(at, "\xef\xbf\xbd", 3); /* U+FFFD */
      at += 3, p++;
    }
  }
  s = json_stringn(fixed, (size_t)(at - fixed));
  free(fixed);
  return s;
}
