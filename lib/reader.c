/* Readers: events CSV and attributes CSV into a case set (data-formats.md
 * sections 2 and 4), format detection, and the file plumbing.
 *
 * Accounting is the contract here: every record after the header is one row
 * read, and it is either accepted or rejected with at least one error
 * diagnostic. Rows are checked cell by cell and every problem of a row is
 * reported (not just the first), so one pass over a bad export lists all
 * there is to fix. Nothing is allocated per row: cells are copied into one
 * reusable buffer to get the NUL-terminated strings the case set takes. */
/* MAP_POPULATE (Linux, outside POSIX); see ehcp_reader_read_file(). */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE
#endif


#include "ehcp/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case_internal.h"
#include "csv.h"
#include "reader_internal.h"
#include "ehcp/date.h"


/* State of one read. */
struct rd {
  ehcp_reader *r;
  const char *name; /* source for diagnostics, may be NULL */
  struct csv csv;
  struct csv_header hdr;
  uint64_t read, accepted, rejected;
};

/* Longest piece of a cell quoted in a message, in bytes. */
#define SHOW_MAX READER_SHOW_MAX

/* ---- small helpers --------------------------------------------------------- */

/* Diagnostics and events take 32-bit lines; beyond that the line is unknown
 * (0) rather than wrong. */
static uint32_t line32(uint64_t line) { return line <= UINT32_MAX ? (uint32_t)line : 0; }

int reader_set_errmsg(ehcp_reader *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->errmsg, sizeof r->errmsg, fmt, ap);
  va_end(ap);
  return 0;
}

/* A cell's text as it may appear inside a one-line message: at most SHOW_MAX
 * bytes (cut on a UTF-8 boundary, then "..."), control bytes escaped. */
static const char *show(char *out, size_t size, const char *text, size_t len) {
  size_t o = 0, i = 0;
  int cut = 0;
  if (len > SHOW_MAX) {
    len = SHOW_MAX;
    while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
      len--;
    cut = 1;
  }
  for (; i < len && o + 5 < size; i++) {
    unsigned char ch = (unsigned char)text[i];
    if (ch == '\n' || ch == '\r' || ch == '\t') {
      out[o++] = '\\';
      out[o++] = ch == '\n' ? 'n' : ch == '\r' ? 'r' : 't';
    } else if (ch < 0x20 || ch == 0x7F) {
      o += (size_t)snprintf(out + o, size - o, "\\x%02x", ch);
    } else {
      out[o++] = (char)ch;
    }
  }
  if ((cut || i < len) && o + 4 <= size) {
    memcpy(out + o, "...", 3);
    o += 3;
  }
  out[o] = '\0';
  return out;
}

#define SHOW_SIZE (SHOW_MAX * 4 + 8)

/* Append a diagnostic; returns EHCP_OK or EHCP_ERR_NOMEM. */
#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
static int diag(struct rd *x, int severity, int code, uint64_t line, const char *case_id,
                const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  int rc = ehcp_diagnostics_add(x->r->diags, severity, code, x->name, line32(line), NULL,
                                case_id && *case_id ? case_id : NULL, msg);
  return rc == EHCP_ERR_NOMEM ? EHCP_ERR_NOMEM : EHCP_OK;
}

/* Make room for n bytes of NUL-terminated cell copies. */
static int cells_reserve(ehcp_reader *r, size_t n) {
  if (n <= r->cells_cap)
    return EHCP_OK;
  size_t cap = r->cells_cap ? r->cells_cap : 256;
  while (cap < n) {
    if (cap > SIZE_MAX / 2)
      return EHCP_ERR_NOMEM;
    cap *= 2;
  }
  char *p = realloc(r->cells, cap);
  if (!p)
    return EHCP_ERR_NOMEM;
  r->cells = p;
  r->cells_cap = cap;
  return EHCP_OK;
}

/* Copy field f to *at as a C string; returns its start. */
static char *cell_copy(char **at, const struct csv_field *f) {
  char *s = *at;
  if (f->len)
    memcpy(s, f->ptr, f->len);
  s[f->len] = '\0';
  *at = s + f->len + 1;
  return s;
}

/* "field 3 (date)", or "field 9" past the header. */
static const char *field_label(char *out, size_t size, const struct rd *x, size_t index) {
  if (index < x->hdr.n && x->hdr.names[index][0]) {
    char name[SHOW_SIZE];
    const char *n = x->hdr.names[index];
    snprintf(out, size, "field %zu (%s)", index + 1, show(name, sizeof name, n, strlen(n)));
  } else {
    snprintf(out, size, "field %zu", index + 1);
  }
  return out;
}

/* Case id of a partly read row, for diagnostics: the cell of the case_id
 * column when the row got that far and it is not empty. */
static const char *row_case_id(struct rd *x, long col) {
  if (col < 0 || (size_t)col >= x->csv.nfields || x->csv.fields[col].len == 0)
    return NULL;
  if (cells_reserve(x->r, x->csv.fields[col].len + 1))
    return NULL;
  char *at = x->r->cells;
  return cell_copy(&at, &x->csv.fields[col]);
}

/* Report a CSV_BAD_QUOTING or CSV_UNTERMINATED_QUOTE from the tokenizer. */
static int quoting_diag(struct rd *x, int rc, long case_col, const char *what) {
  char label[SHOW_SIZE + 32];
  field_label(label, sizeof label, x, x->csv.err_field);
  const char *id = row_case_id(x, case_col);
  if (rc == CSV_UNTERMINATED_QUOTE)
    return diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_UNTERMINATED_QUOTE, x->csv.err_line, id,
                "%squoted %s is never closed: the rest of the file is part of it",
                what, label);
  if (x->csv.err_kind == CSV_QUOTE_IN_UNQUOTED)
    return diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_BAD_QUOTING, x->csv.err_line, id,
                "%squote inside unquoted %s; the rest of the line is skipped", what, label);
  char ch[SHOW_SIZE];
  char c = (char)x->csv.err_char;
  return diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_BAD_QUOTING, x->csv.err_line, id,
              "%sunexpected '%s' after the closing quote of %s; the rest of the line is "
              "skipped",
              what, show(ch, sizeof ch, &c, 1), label);
}

/* Whether data holds no record at all: nothing, a BOM, blank lines. */
static int is_empty(const char *data, size_t len) {
  size_t i = 0;
  if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
      (unsigned char)data[2] == 0xBF)
    i = 3;
  for (; i < len; i++)
    if (data[i] != '\n' && data[i] != '\r')
      return 0;
  return 1;
}

/* ---- format detection ------------------------------------------------------- */

/* Whether field f, trimmed of spaces and tabs, is name (ASCII case ignored). */
static int field_is(const struct csv_field *f, const char *name) {
  const char *s = f->ptr;
  size_t len = f->len;
  while (len > 0 && (*s == ' ' || *s == '\t'))
    s++, len--;
  while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
    len--;
  return csv_name_eq(s, len, name);
}

static int starts(const char *p, const char *end, const char *lit) {
  size_t n = strlen(lit);
  return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* Skip past the first occurrence of lit in [p, end), or return end. */
static const char *skip_past(const char *p, const char *end, const char *lit) {
  size_t n = strlen(lit);
  for (; (size_t)(end - p) >= n; p++)
    if (memcmp(p, lit, n) == 0)
      return p + n;
  return end;
}

static int is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

/* SEN2 when the root element is Message (any namespace prefix), after the
 * XML declaration, comments and a DOCTYPE. */
static int detect_xml(const char *p, const char *end) {
  for (;;) {
    while (p < end && is_space(*p))
      p++;
    if (starts(p, end, "<?"))
      p = skip_past(p, end, "?>");
    else if (starts(p, end, "<!--"))
      p = skip_past(p, end, "-->");
    else if (starts(p, end, "<!"))
      p = skip_past(p, end, ">");
    else
      break;
  }
  if (p == end || *p != '<')
    return EHCP_ERR_PARSE;
  const char *name = ++p;
  while (p < end && !is_space(*p) && *p != '>' && *p != '/')
    p++;
  const char *colon = memchr(name, ':', (size_t)(p - name));
  if (colon)
    name = colon + 1;
  if ((size_t)(p - name) == 7 && memcmp(name, "Message", 7) == 0 && p < end)
    return EHCP_FORMAT_SEN2_XML;
  return EHCP_ERR_PARSE;
}

int ehcp_reader_detect(int *format, const char *data, size_t len) {
  if (!format || (!data && len))
    return EHCP_ERR_INVALID;
  if (!data)
    return EHCP_ERR_PARSE;
  const char *p = data, *end = data + len;
  if (len >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
      (unsigned char)p[2] == 0xBF)
    p += 3;
  const char *q = p;
  while (q < end && is_space(*q))
    q++;
  if (q < end && *q == '<') {
    int f = detect_xml(q, end);
    if (f < 0)
      return f;
    *format = f;
    return EHCP_OK;
  }
  struct csv c;
  csv_init(&c, data, len);
  int rc = csv_next(&c);
  int has_case = 0, has_event = 0, has_date = 0, has_received = 0;
  if (rc == CSV_RECORD) {
    for (size_t i = 0; i < c.nfields; i++) {
      const struct csv_field *f = &c.fields[i];
      has_case |= field_is(f, "case_id");
      has_event |= field_is(f, "event");
      has_date |= field_is(f, "date");
      has_received |= field_is(f, "received_date");
    }
  }
  csv_free(&c);
  if (rc == CSV_NOMEM)
    return EHCP_ERR_NOMEM;
  if (has_event && has_date)
    *format = EHCP_FORMAT_EVENTS_CSV;
  else if (has_received)
    *format = EHCP_FORMAT_CASES_CSV;
  else if (has_case)
    *format = EHCP_FORMAT_ATTRIBUTES_CSV;
  else
    return EHCP_ERR_PARSE;
  return EHCP_OK;
}

/* ---- header ----------------------------------------------------------------- */

/* Read the header record into x->hdr. Returns EHCP_OK, EHCP_ERR_PARSE (with
 * a diagnostic) or EHCP_ERR_NOMEM. */
static int read_header(struct rd *x) {
  int rc = csv_next(&x->csv);
  if (rc == CSV_NOMEM)
    return EHCP_ERR_NOMEM;
  if (rc == CSV_EOF) { /* callers check for empty input first */
    if (diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_EMPTY_FILE, 0, NULL, "file is empty"))
      return EHCP_ERR_NOMEM;
    reader_set_errmsg(x->r, "%s: file is empty", x->name ? x->name : "(buffer)");
    return EHCP_ERR_PARSE;
  }
  if (rc != CSV_RECORD) {
    if (quoting_diag(x, rc, -1, "header row: "))
      return EHCP_ERR_NOMEM;
    reader_set_errmsg(x->r, "%s:%u: header row: %s", x->name ? x->name : "(buffer)",
               line32(x->csv.err_line),
               rc == CSV_UNTERMINATED_QUOTE ? "unterminated quote" : "bad quoting");
    return EHCP_ERR_PARSE;
  }
  if (csv_header_init(&x->hdr, &x->csv))
    return EHCP_ERR_NOMEM;
  return EHCP_OK;
}

/* Find column name; a second column of that name makes the header unusable
 * (which one would be meant?). *col is -1 when absent. */
static int find_column(struct rd *x, long *col, const char *name) {
  *col = csv_header_find(&x->hdr, name, 0);
  if (*col < 0)
    return EHCP_OK;
  long again = csv_header_find(&x->hdr, name, (size_t)*col + 1);
  if (again < 0)
    return EHCP_OK;
  if (diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_MISSING_COLUMN, x->hdr.line, NULL,
           "column '%s' appears more than once (columns %ld and %ld)", name, *col + 1,
           again + 1))
    return EHCP_ERR_NOMEM;
  reader_set_errmsg(x->r, "%s:%u: column '%s' appears more than once", x->name ? x->name : "(buffer)",
             line32(x->hdr.line), name);
  return EHCP_ERR_PARSE;
}

static int missing_column(struct rd *x, const char *name, const char *kind) {
  if (diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_MISSING_COLUMN, x->hdr.line, NULL,
           "missing required column '%s' for %s", name, kind))
    return EHCP_ERR_NOMEM;
  if (!x->r->errmsg[0])
    reader_set_errmsg(x->r, "%s:%u: missing required column '%s'", x->name ? x->name : "(buffer)",
               line32(x->hdr.line), name);
  return EHCP_ERR_PARSE;
}

/* One note listing the header's columns for which used[i] is 0: "column
 * 'x' is not <one> and is ignored" / "columns 'x', 'y' are not <many> and
 * are ignored". */
static int note_ignored(struct rd *x, const unsigned char *used, const char *one,
                        const char *many) {
  char msg[900];
  size_t len = 0, n = 0;
  msg[0] = '\0';
  for (size_t i = 0; i < x->hdr.n; i++) {
    if (used[i])
      continue;
    char name[SHOW_SIZE];
    const char *h = x->hdr.names[i];
    if (len < sizeof msg - SHOW_SIZE - 8)
      len += (size_t)snprintf(msg + len, sizeof msg - len, "%s'%s'", n ? ", " : "",
                              show(name, sizeof name, h, strlen(h)));
    else if (len < sizeof msg - 8)
      len += (size_t)snprintf(msg + len, sizeof msg - len, ", ...");
    n++;
  }
  if (!n)
    return EHCP_OK;
  if (n == 1)
    return diag(x, EHCP_SEVERITY_NOTE, EHCP_DIAG_COLUMN_COUNT, x->hdr.line, NULL,
                "column %s is not %s and is ignored", msg, one);
  return diag(x, EHCP_SEVERITY_NOTE, EHCP_DIAG_COLUMN_COUNT, x->hdr.line, NULL,
              "columns %s are not %s and are ignored", msg, many);
}

/* What became of a row; errors (< 0) abort the read and leave the row
 * uncounted, so the counts only ever cover rows that were fully handled. */
enum { ROW_ACCEPTED = 0, ROW_REJECTED = 1 };

/* Turn a diagnostic's result into a row outcome. */
static int rejected(int rc) { return rc == EHCP_OK ? ROW_REJECTED : rc; }

/* Count a handled row. */
static int count_row(struct rd *x, int outcome) {
  if (outcome < 0)
    return outcome;
  x->read++;
  if (outcome == ROW_REJECTED)
    x->rejected++;
  else
    x->accepted++;
  return EHCP_OK;
}

/* ---- events CSV --------------------------------------------------------------- */

enum { COL_CASE, COL_EVENT, COL_DATE, COL_DETAIL, COL_END, COL_REF, NCOLS };
static const char *const event_columns[NCOLS] = {"case_id", "event",    "date",
                                                 "detail",  "end_date", "ref"};

/* Add the event of a checked row through the case set's fast path. */
static int add_row_event(struct rd *x, const struct csv_field *fid, int type, ehcp_date date,
                         const char *detail, size_t detail_len, int detail_index,
                         ehcp_date end, const struct csv_field *fref, uint64_t line) {
  ehcp_case_set *set = x->r->set;
  int rc = EHCP_OK;
  struct event ev = {.date = date,
                     .end = end,
                     .type = (uint8_t)type,
                     .source = set->current_source,
                     .line = line32(line)};
  if (type == EHCP_EV_PLAN_CEASED) /* a free-text reason code */
    ev.text = case_set_intern(set, detail, detail_len, &rc);
  else
    ev.detail = (uint8_t)detail_index;
  if (fref && fref->len)
    ev.ref = case_set_intern(set, fref->ptr, fref->len, &rc);
  struct ehcp_case *c = rc == EHCP_OK ? case_set_case(set, fid->ptr, fid->len) : NULL;
  if (!c || case_add_event(set, c, &ev) != EHCP_OK)
    return EHCP_ERR_NOMEM;
  return ROW_ACCEPTED;
}

/* Check one data row of an events CSV and add its event. Returns
 * ROW_ACCEPTED, ROW_REJECTED or EHCP_ERR_NOMEM. */
static int event_row(struct rd *x, const long col[NCOLS]) {
  const struct csv *c = &x->csv;
  const struct csv_field *f = c->fields;
  uint64_t line = c->line;
  char a[SHOW_SIZE], b[SHOW_SIZE];

  if (c->nfields != x->hdr.n)
    return rejected(diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_COLUMN_COUNT, line,
                         row_case_id(x, col[COL_CASE]), "row has %zu field%s, the header has %zu",
                         c->nfields, c->nfields == 1 ? "" : "s", x->hdr.n));

  const struct csv_field *fid = &f[col[COL_CASE]], *fev = &f[col[COL_EVENT]],
                         *fdate = &f[col[COL_DATE]];
  const struct csv_field *fdet = col[COL_DETAIL] >= 0 ? &f[col[COL_DETAIL]] : NULL;
  const struct csv_field *fend = col[COL_END] >= 0 ? &f[col[COL_END]] : NULL;
  const struct csv_field *fref = col[COL_REF] >= 0 ? &f[col[COL_REF]] : NULL;

  size_t need = fid->len + 1 + (fdet ? fdet->len : 0) + 1;
  if (cells_reserve(x->r, need))
    return EHCP_ERR_NOMEM;
  char *at = x->r->cells;
  const char *id = cell_copy(&at, fid);
  const char *detail = fdet && fdet->len ? cell_copy(&at, fdet) : NULL;

  int errors = 0, rc = EHCP_OK;
#define ERR(code, ...)                                                                  \
  do {                                                                                  \
    errors++;                                                                           \
    if ((rc = diag(x, EHCP_SEVERITY_ERROR, code, line, id, __VA_ARGS__)) != EHCP_OK)    \
      return rc;                                                                        \
  } while (0)

  if (fid->len == 0)
    ERR(EHCP_DIAG_MISSING_VALUE, "case_id is empty");
  else if (memchr(fid->ptr, '\0', fid->len))
    ERR(EHCP_DIAG_MISSING_VALUE, "case_id contains a NUL byte");

  int type = 0;
  if (fev->len == 0)
    ERR(EHCP_DIAG_MISSING_VALUE, "event is empty");
  else if (ehcp_event_type_from_name(&type, fev->ptr, fev->len) != EHCP_OK) {
    type = 0;
    ERR(EHCP_DIAG_UNKNOWN_EVENT, "unknown event '%s'", show(a, sizeof a, fev->ptr, fev->len));
  }

  ehcp_date date = EHCP_DATE_NONE, end = EHCP_DATE_NONE;
  const char *why = "";
  if (fdate->len == 0)
    ERR(EHCP_DIAG_MISSING_VALUE, "date is empty");
  else if (ehcp_date_parse(&date, fdate->ptr, fdate->len, &why) != EHCP_OK)
    ERR(EHCP_DIAG_BAD_DATE, "date '%s' is not a date (%s)",
        show(a, sizeof a, fdate->ptr, fdate->len), why);

  /* The detail's index, worked out once for the check and the event. */
  int detail_index = detail ? event_detail_index_n(type, detail, strlen(detail)) : 0;
  int detail_ok = type == EHCP_EV_PLAN_CEASED ||
                  (detail ? detail_index > 0 : !event_detail_required(type));
  if (type && !detail_ok) {
    const char *const *words;
    int n = event_detail_vocabulary(type, &words);
    char list[256] = "";
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof list; i++)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
                              i == 0 ? "" : i == n - 1 ? " or " : ", ", words[i]);
    const char *name = ehcp_event_type_name(type);
    if (!detail)
      ERR(EHCP_DIAG_MISSING_VALUE, "detail is empty: %s needs one (%s)", name, list);
    else if (n == 0)
      ERR(EHCP_DIAG_UNKNOWN_DETAIL, "%s takes no detail, got '%s'", name,
          show(a, sizeof a, fdet->ptr, fdet->len));
    else
      ERR(EHCP_DIAG_UNKNOWN_DETAIL, "unknown detail '%s' for %s (expected %s)",
          show(a, sizeof a, fdet->ptr, fdet->len), name, list);
  } else if (detail && memchr(fdet->ptr, '\0', fdet->len)) {
    ERR(EHCP_DIAG_UNKNOWN_DETAIL, "detail contains a NUL byte");
  }

  if (fend && fend->len && ehcp_date_parse(&end, fend->ptr, fend->len, &why) != EHCP_OK) {
    end = EHCP_DATE_NONE;
    ERR(EHCP_DIAG_BAD_DATE, "end_date '%s' is not a date (%s)",
        show(b, sizeof b, fend->ptr, fend->len), why);
  }

  if (fref && fref->len && memchr(fref->ptr, '\0', fref->len))
    ERR(EHCP_DIAG_MISSING_VALUE, "ref contains a NUL byte");
#undef ERR

  if (errors)
    return ROW_REJECTED;
  return add_row_event(x, fid, type, date, detail, fdet ? fdet->len : 0, detail_index, end, fref,
                       line);
}

/* Rows of one case come together, so the reader meets a new case every few
 * rows, and looking it up in a big case index misses the caches. When the
 * case id is the first column, peek at the next record's first field and,
 * if it names another case, start fetching its slot while this row is
 * checked. A hint only: nothing depends on it. */
static void prefetch_next_case(const struct rd *x) {
  const struct csv_field *current = &x->csv.fields[0];
  const char *next;
  size_t n = csv_peek_first_field(&x->csv, &next, 64);
  if (n && (n != current->len || memcmp(next, current->ptr, n) != 0))
    case_set_prefetch(x->r->set, next, n);
}

static int read_events(struct rd *x) {
  int rc = read_header(x);
  if (rc)
    return rc;
  long col[NCOLS];
  for (int k = 0; k < NCOLS; k++)
    if ((rc = find_column(x, &col[k], event_columns[k])) != EHCP_OK)
      return rc;
  for (int k = COL_CASE; k <= COL_DATE; k++)
    if (col[k] < 0 && (rc = missing_column(x, event_columns[k], "an events CSV")) ==
                          EHCP_ERR_NOMEM)
      return rc;
  if (col[COL_CASE] < 0 || col[COL_EVENT] < 0 || col[COL_DATE] < 0)
    return EHCP_ERR_PARSE;

  unsigned char *used = calloc(x->hdr.n, 1);
  if (!used)
    return EHCP_ERR_NOMEM;
  for (int k = 0; k < NCOLS; k++)
    if (col[k] >= 0)
      used[col[k]] = 1;
  rc = note_ignored(x, used, "an events CSV column", "events CSV columns");
  free(used);
  if (rc)
    return rc;

  for (;;) {
    int t = csv_next(&x->csv);
    if (t == CSV_EOF)
      return EHCP_OK;
    if (t == CSV_NOMEM)
      return EHCP_ERR_NOMEM;
    if (t == CSV_RECORD && col[COL_CASE] == 0 && x->csv.nfields > 0)
      prefetch_next_case(x);
    rc = count_row(x, t == CSV_RECORD ? event_row(x, col)
                                      : rejected(quoting_diag(x, t, col[COL_CASE], "")));
    if (rc)
      return rc;
  }
}

/* ---- attributes CSV ------------------------------------------------------------- */

/* Case ids seen in this attributes file, to warn about a second row. */
struct seen {
  UT_hash_handle hh;
  uint64_t line;
  char id[];
};

static void seen_free(struct seen **table) {
  struct seen *s, *tmp;
  HASH_ITER(hh, *table, s, tmp) {
    HASH_DEL(*table, s);
    free(s);
  }
}

/* Check one data row of an attributes CSV and set its attributes. Returns
 * ROW_ACCEPTED, ROW_REJECTED or EHCP_ERR_NOMEM. */
static int attribute_row(struct rd *x, long case_col, struct seen **seen) {
  const struct csv *c = &x->csv;
  uint64_t line = c->line;
  if (c->nfields != x->hdr.n)
    return rejected(diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_COLUMN_COUNT, line,
                         row_case_id(x, case_col), "row has %zu field%s, the header has %zu",
                         c->nfields, c->nfields == 1 ? "" : "s", x->hdr.n));
  size_t need = 0;
  for (size_t i = 0; i < c->nfields; i++)
    need += c->fields[i].len + 1;
  if (cells_reserve(x->r, need))
    return EHCP_ERR_NOMEM;
  char *at = x->r->cells;
  const struct csv_field *fid = &c->fields[case_col];
  const char *id = cell_copy(&at, fid);
  if (fid->len == 0)
    return rejected(
        diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_MISSING_VALUE, line, NULL, "case_id is empty"));
  int errors = 0;
  for (size_t i = 0; i < c->nfields; i++) {
    const struct csv_field *f = &c->fields[i];
    if (f->len && memchr(f->ptr, '\0', f->len)) {
      char label[SHOW_SIZE + 32];
      errors++;
      if (diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_MISSING_VALUE, line, id,
               "%s contains a NUL byte", field_label(label, sizeof label, x, i)))
        return EHCP_ERR_NOMEM;
    }
  }
  if (errors)
    return ROW_REJECTED;

  struct seen *s;
  HASH_FIND_STR(*seen, id, s);
  if (s) {
    if (diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_DUPLICATE_CASE, line, id,
             "case already has a row at line %llu; its non-empty cells replace earlier values",
             (unsigned long long)s->line))
      return EHCP_ERR_NOMEM;
  } else {
    size_t n = strlen(id);
    if (!(s = malloc(sizeof *s + n + 1)))
      return EHCP_ERR_NOMEM;
    memcpy(s->id, id, n + 1);
    s->line = line;
    int hash_oom = 0;
    HASH_ADD(hh, *seen, id[0], n, s); /* uthash keys the flexible member */
    if (hash_oom) {
      free(s);
      return EHCP_ERR_NOMEM;
    }
  }

  for (size_t i = 0; i < c->nfields; i++) {
    const struct csv_field *f = &c->fields[i];
    if ((long)i == case_col || f->len == 0 || !x->hdr.names[i][0])
      continue;
    const char *value = cell_copy(&at, f);
    int rc = ehcp_case_set_set_attribute(x->r->set, id, x->hdr.names[i], value);
    if (rc == EHCP_ERR_NOMEM)
      return rc;
    if (rc != EHCP_OK) /* not expected: the id and name are not empty */
      return rejected(diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_MISSING_VALUE, line, id, "%s",
                           ehcp_case_set_errmsg(x->r->set)));
  }
  return ROW_ACCEPTED;
}

static int read_attributes(struct rd *x) {
  int rc = read_header(x);
  if (rc)
    return rc;
  long case_col;
  if ((rc = find_column(x, &case_col, "case_id")) != EHCP_OK)
    return rc;
  if (case_col < 0)
    return missing_column(x, "case_id", "an attributes CSV");
  for (size_t i = 0; i < x->hdr.n; i++) {
    if ((long)i == case_col || !x->hdr.names[i][0])
      continue;
    long again = csv_header_find(&x->hdr, x->hdr.names[i], i + 1);
    if (again >= 0) {
      char name[SHOW_SIZE];
      const char *h = x->hdr.names[i];
      if (diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_MISSING_COLUMN, x->hdr.line, NULL,
               "column '%s' appears more than once (columns %zu and %ld)",
               show(name, sizeof name, h, strlen(h)), i + 1, again + 1))
        return EHCP_ERR_NOMEM;
      reader_set_errmsg(x->r, "%s:%u: column '%s' appears more than once",
                 x->name ? x->name : "(buffer)", line32(x->hdr.line), name);
      return EHCP_ERR_PARSE;
    }
  }
  /* Columns without a name cannot name an attribute (Excel exports often
   * end with a few). */
  char list[256];
  size_t len = 0, unnamed = 0;
  for (size_t i = 0; i < x->hdr.n; i++) {
    if (x->hdr.names[i][0])
      continue;
    if (len < sizeof list - 32)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%zu", unnamed ? ", " : "", i + 1);
    else if (len < sizeof list - 8)
      len += (size_t)snprintf(list + len, sizeof list - len, ", ...");
    unnamed++;
  }
  if (unnamed &&
      diag(x, EHCP_SEVERITY_NOTE, EHCP_DIAG_COLUMN_COUNT, x->hdr.line, NULL,
           unnamed == 1 ? "column %s has no name and is ignored"
                        : "columns %s have no name and are ignored",
           list))
    return EHCP_ERR_NOMEM;

  struct seen *seen = NULL;
  for (;;) {
    int t = csv_next(&x->csv);
    if (t == CSV_EOF)
      break;
    if (t == CSV_NOMEM) {
      rc = EHCP_ERR_NOMEM;
      break;
    }
    rc = count_row(x, t == CSV_RECORD ? attribute_row(x, case_col, &seen)
                                      : rejected(quoting_diag(x, t, case_col, "")));
    if (rc)
      break;
  }
  seen_free(&seen);
  return rc;
}

/* ---- the reader ----------------------------------------------------------------- */

int ehcp_reader_new(ehcp_reader **out, ehcp_case_set *set, ehcp_diagnostics *diags) {
  if (!out || !set || !diags)
    return EHCP_ERR_INVALID;
  ehcp_reader *r = calloc(1, sizeof *r);
  if (!r)
    return EHCP_ERR_NOMEM;
  r->set = set;
  r->diags = diags;
  r->reference_date = EHCP_DATE_NONE;
  *out = r;
  return EHCP_OK;
}

ehcp_date ehcp_reader_reference_date(const ehcp_reader *r) {
  return r ? r->reference_date : EHCP_DATE_NONE;
}

void ehcp_reader_free(ehcp_reader *r) {
  if (!r)
    return;
  read_cases_free_maps(r);
  free(r->cells);
  free(r);
}

const char *ehcp_reader_errmsg(const ehcp_reader *r) { return r ? r->errmsg : ""; }

const char *ehcp_format_name(int format) {
  switch (format) {
  case EHCP_FORMAT_AUTO: return "auto";
  case EHCP_FORMAT_EVENTS_CSV: return "events_csv";
  case EHCP_FORMAT_ATTRIBUTES_CSV: return "attributes_csv";
  case EHCP_FORMAT_CASES_CSV: return "cases_csv";
  case EHCP_FORMAT_SEN2_XML: return "sen2_xml";
  default: return NULL;
  }
}

void ehcp_reader_last_counts(uint64_t *read, uint64_t *accepted, uint64_t *rejected,
                             const ehcp_reader *r) {
  if (read)
    *read = r ? r->last_read : 0;
  if (accepted)
    *accepted = r ? r->last_accepted : 0;
  if (rejected)
    *rejected = r ? r->last_rejected : 0;
}

void ehcp_reader_total_counts(uint64_t *read, uint64_t *accepted, uint64_t *rejected,
                              const ehcp_reader *r) {
  if (read)
    *read = r ? r->total_read : 0;
  if (accepted)
    *accepted = r ? r->total_accepted : 0;
  if (rejected)
    *rejected = r ? r->total_rejected : 0;
}

int ehcp_reader_last_format(const ehcp_reader *r) { return r ? r->last_format : EHCP_FORMAT_AUTO; }

int ehcp_reader_read_buffer(ehcp_reader *r, const char *data, size_t len, const char *name,
                            int format) {
  if (!r)
    return EHCP_ERR_INVALID;
  r->errmsg[0] = '\0';
  r->last_read = r->last_accepted = r->last_rejected = 0;
  r->last_format = EHCP_FORMAT_AUTO;
  if (!data && len)
    return reader_set_errmsg(r, "data is NULL"), EHCP_ERR_INVALID;
  if (!ehcp_format_name(format))
    return reader_set_errmsg(r, "unknown format %d", format), EHCP_ERR_INVALID;
  if (!data)
    data = "";

  struct rd x = {.r = r, .name = name};
  const char *shown = name ? name : "(buffer)";
  if (is_empty(data, len)) {
    if (diag(&x, EHCP_SEVERITY_ERROR, EHCP_DIAG_EMPTY_FILE, 0, NULL, "file is empty"))
      return reader_set_errmsg(r, "out of memory"), EHCP_ERR_NOMEM;
    return reader_set_errmsg(r, "%s: file is empty", shown), EHCP_ERR_PARSE;
  }
  if (format == EHCP_FORMAT_AUTO) {
    int rc = ehcp_reader_detect(&format, data, len);
    if (rc == EHCP_ERR_NOMEM)
      return reader_set_errmsg(r, "out of memory"), rc;
    if (rc != EHCP_OK) {
      /* Excel's "Unicode text" is the usual way to get here with good data. */
      int utf16 = len >= 2 && (((unsigned char)data[0] == 0xFF && (unsigned char)data[1] == 0xFE) ||
                               ((unsigned char)data[0] == 0xFE && (unsigned char)data[1] == 0xFF));
      if (diag(&x, EHCP_SEVERITY_ERROR, EHCP_DIAG_UNKNOWN_FORMAT, 0, NULL, "%s",
               utf16 ? "unknown format: the file is UTF-16 text; save it as CSV UTF-8"
                     : "unknown format: neither a CSV header with case_id (or event and date) "
                       "columns nor SEN2 XML"))
        return reader_set_errmsg(r, "out of memory"), EHCP_ERR_NOMEM;
      return reader_set_errmsg(r, "%s: unknown format", shown), EHCP_ERR_PARSE;
    }
  }
  r->last_format = format;
  if (format == EHCP_FORMAT_CASES_CSV || format == EHCP_FORMAT_SEN2_XML) {
    struct read_counts counts = {0, 0, 0};
    int rc = format == EHCP_FORMAT_SEN2_XML ? read_sen2_xml(r, data, len, name, &counts)
                                           : read_cases_csv(r, data, len, name, &counts);
    r->last_read = counts.read, r->last_accepted = counts.accepted;
    r->last_rejected = counts.rejected;
    r->total_read += counts.read, r->total_accepted += counts.accepted;
    r->total_rejected += counts.rejected;
    return rc;
  }

  int rc = ehcp_case_set_set_source(r->set, name);
  if (rc != EHCP_OK) {
    reader_set_errmsg(r, "%s: %s", shown, ehcp_case_set_errmsg(r->set));
    return rc;
  }
  csv_init(&x.csv, data, len);
  rc = format == EHCP_FORMAT_EVENTS_CSV ? read_events(&x) : read_attributes(&x);
  csv_header_free(&x.hdr);
  csv_free(&x.csv);
  if (rc == EHCP_ERR_NOMEM)
    reader_set_errmsg(r, "%s: out of memory", shown);
  /* A failed header counts nothing; a read cut short by memory counts what
   * was done, so the totals stay exact. */
  r->last_read = x.read;
  r->last_accepted = x.accepted;
  r->last_rejected = x.rejected;
  r->total_read += x.read;
  r->total_accepted += x.accepted;
  r->total_rejected += x.rejected;
  return rc;
}

/* ---- files ---------------------------------------------------------------------- */

static int io_error(ehcp_reader *r, const char *path, const char *what, int err) {
  char why[256] = "";
  if (err && strerror_r(err, why, sizeof why) != 0)
    snprintf(why, sizeof why, "error %d", err);
  reader_set_errmsg(r, "%s: %s: %s", path, what, why);
  char msg[400];
  snprintf(msg, sizeof msg, "%s: %s", what, why);
  if (ehcp_diagnostics_add(r->diags, EHCP_SEVERITY_ERROR, EHCP_DIAG_IO, path, 0, NULL, NULL,
                           msg) == EHCP_ERR_NOMEM)
    return EHCP_ERR_NOMEM;
  return EHCP_ERR_IO;
}

/* Read all of fd into a malloc'd buffer (pipes, terminals, /proc files). */
static int slurp(char **out, size_t *len, int fd) {
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  if (!buf)
    return EHCP_ERR_NOMEM;
  for (;;) {
    if (n == cap) {
      if (cap > SIZE_MAX / 2) {
        free(buf);
        return EHCP_ERR_NOMEM;
      }
      char *b = realloc(buf, cap * 2);
      if (!b) {
        free(buf);
        return EHCP_ERR_NOMEM;
      }
      buf = b;
      cap *= 2;
    }
    ssize_t got = read(fd, buf + n, cap - n);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      int err = errno;
      free(buf);
      errno = err;
      return EHCP_ERR_IO;
    }
    if (got == 0)
      break;
    n += (size_t)got;
  }
  *out = buf;
  *len = n;
  return EHCP_OK;
}

int ehcp_reader_read_file(ehcp_reader *r, const char *path, int format) {
  if (!r)
    return EHCP_ERR_INVALID;
  r->errmsg[0] = '\0';
  r->last_read = r->last_accepted = r->last_rejected = 0;
  r->last_format = EHCP_FORMAT_AUTO;
  if (!path)
    return reader_set_errmsg(r, "path is NULL"), EHCP_ERR_INVALID;
  if (!ehcp_format_name(format))
    return reader_set_errmsg(r, "unknown format %d", format), EHCP_ERR_INVALID;

  int fd;
  do
    fd = open(path, O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return io_error(r, path, "cannot open", errno);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return io_error(r, path, "cannot read", err);
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return io_error(r, path, "cannot read", EISDIR);
  }

  char *data = NULL;
  size_t len = 0;
  int mapped = 0;
  /* Regular files are mapped, not copied: exports can be gigabytes. Size 0
   * may be a /proc-style file whose size is unknown, so it is read. */
  if (S_ISREG(st.st_mode) && st.st_size > 0 && (uintmax_t)st.st_size <= SIZE_MAX) {
    /* MAP_POPULATE (Linux) maps the whole file up front: one call instead
     * of a page fault every 4 KB, which was a third of the time of
     * reading a 200 MB export. */
#ifdef MAP_POPULATE
    const int populate = MAP_POPULATE;
#else
    const int populate = 0;
#endif
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | populate, fd, 0);
    if (p != MAP_FAILED) {
      data = p;
      len = (size_t)st.st_size;
      mapped = 1;
      posix_madvise(p, len, POSIX_MADV_SEQUENTIAL);
    }
  }
  if (!mapped) {
    int rc = slurp(&data, &len, fd);
    if (rc != EHCP_OK) {
      int err = errno;
      close(fd);
      if (rc == EHCP_ERR_NOMEM)
        return reader_set_errmsg(r, "%s: out of memory", path), rc;
      return io_error(r, path, "cannot read", err);
    }
  }
  close(fd);
  int rc = ehcp_reader_read_buffer(r, data, len, path, format);
  if (mapped)
    munmap(data, len);
  else
    free(data);
  return rc;
}

/* ---- shared with the other CSV readers (reader_internal.h) ---------------------- */

/* The helpers above work on a struct rd. Readers in other files keep their
 * own state, so these lend it to the helpers in a temporary struct rd: the
 * messages and the accounting rules then stay in one place. None of this is
 * on a per-row path except when a row is bad. */

uint32_t reader_line32(uint64_t line) { return line32(line); }

const char *reader_show(char *out, size_t size, const char *text, size_t len) {
  return show(out, size, text, len);
}

int reader_diag(ehcp_reader *r, const char *source, int severity, int code, uint64_t line,
                const char *case_id, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  struct rd x = {.r = r, .name = source};
  return diag(&x, severity, code, line, case_id, "%s", msg);
}

int reader_cells_reserve(ehcp_reader *r, size_t n) { return cells_reserve(r, n); }

int reader_read_header(ehcp_reader *r, const char *source, struct csv *c, struct csv_header *h) {
  struct rd x = {.r = r, .name = source, .csv = *c};
  int rc = read_header(&x);
  *c = x.csv;
  *h = x.hdr;
  return rc;
}

int reader_quoting_diag(ehcp_reader *r, const char *source, const struct csv *c,
                        const struct csv_header *h, int rc, long case_col, const char *what) {
  struct rd x = {.r = r, .name = source, .csv = *c, .hdr = *h};
  return quoting_diag(&x, rc, case_col, what);
}

const char *reader_field_label(char *out, size_t size, const struct csv_header *h,
                               size_t index) {
  struct rd x = {.hdr = *h};
  return field_label(out, size, &x, index);
}
