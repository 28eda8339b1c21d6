/* RFC 4180 tokenizer (see csv.h).
 *
 * Why hand-written: the Debian-packaged CSV libraries either allocate per
 * field, lose physical line numbers, or cannot resume after a bad quote, and
 * readers need all three (a GB-sized export with one stray quote must still
 * yield every other row, each with its line). No packaged one fits, so this
 * is the small central piece engineering.md allows us to write.
 *
 * Speed comes from never looking at a byte twice in the common case: an
 * unquoted field is a run of bytes that are not ',', '"', CR or LF, found
 * with a table lookup eight bytes per iteration, and the field is returned
 * in place. Quoted fields are also returned in place unless they contain a
 * doubled quote; only then is text copied, into one scratch buffer reused
 * by every record. */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

/* Bytes that end an unquoted field, and bytes that need a look inside a
 * quoted one. Indexed by unsigned char. */
static const unsigned char unquoted_special[256] = {
    [','] = 1, ['"'] = 1, ['\n'] = 1, ['\r'] = 1};
static const unsigned char quoted_special[256] = {['"'] = 1, ['\n'] = 1, ['\r'] = 1};
static const unsigned char eol_special[256] = {['\n'] = 1, ['\r'] = 1};

/* First byte in [p, end) marked in table t, or end. */
static inline const char *scan(const char *p, const char *end, const unsigned char *t) {
  while (end - p >= 8) {
    if (t[(unsigned char)p[0]])
      return p;
    if (t[(unsigned char)p[1]])
      return p + 1;
    if (t[(unsigned char)p[2]])
      return p + 2;
    if (t[(unsigned char)p[3]])
      return p + 3;
    if (t[(unsigned char)p[4]])
      return p + 4;
    if (t[(unsigned char)p[5]])
      return p + 5;
    if (t[(unsigned char)p[6]])
      return p + 6;
    if (t[(unsigned char)p[7]])
      return p + 7;
    p += 8;
  }
  while (p < end && !t[(unsigned char)*p])
    p++;
  return p;
}

void csv_init(struct csv *c, const char *data, size_t len) {
  memset(c, 0, sizeof *c);
  if (!data)
    len = 0;
  c->pos = data;
  c->end = data + len;
  if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
      (unsigned char)data[2] == 0xBF)
    c->pos += 3;
  c->cur_line = 1;
}

void csv_free(struct csv *c) {
  free(c->fields);
  free(c->scratch);
  c->fields = NULL;
  c->scratch = NULL;
  c->cap = c->nfields = c->scratch_cap = c->scratch_len = 0;
}

size_t csv_offset(const struct csv *c, const char *data) { return (size_t)(c->pos - data); }

size_t csv_peek_first_field(const struct csv *c, const char **text, size_t max) {
  size_t left = (size_t)(c->end - c->pos), n = 0;
  if (max > left)
    max = left;
  while (n < max && c->pos[n] != ',' && c->pos[n] != '"' && c->pos[n] != '\n' &&
         c->pos[n] != '\r')
    n++;
  if (n == 0 || n == max || c->pos[n] != ',')
    return 0;
  *text = c->pos;
  return n;
}

/* Marker in csv_field.quoted for a field whose text is in scratch; its
 * pointer is set once the record is complete, because scratch may move
 * while the record is read. */
#define IN_SCRATCH 2

static int grow_fields(struct csv *c) {
  size_t cap = c->cap ? c->cap * 2 : 16;
  if (cap > SIZE_MAX / sizeof *c->fields)
    return -1;
  struct csv_field *f = realloc(c->fields, cap * sizeof *f);
  if (!f)
    return -1;
  c->fields = f;
  c->cap = cap;
  return 0;
}

/* Called for every field: the growth is kept out of line. */
static inline int push(struct csv *c, const char *ptr, size_t len, int quoted) {
  if (c->nfields == c->cap && grow_fields(c))
    return -1;
  struct csv_field *f = &c->fields[c->nfields++];
  f->ptr = ptr;
  f->len = len;
  f->quoted = quoted;
  return 0;
}

static int scratch_append(struct csv *c, const char *p, size_t n) {
  if (n > c->scratch_cap - c->scratch_len) {
    size_t cap = c->scratch_cap ? c->scratch_cap : 256;
    while (n > cap - c->scratch_len) {
      if (cap > SIZE_MAX / 2)
        return -1;
      cap *= 2;
    }
    char *s = realloc(c->scratch, cap);
    if (!s)
      return -1;
    c->scratch = s;
    c->scratch_cap = cap;
  }
  memcpy(c->scratch + c->scratch_len, p, n);
  c->scratch_len += n;
  return 0;
}

/* Scratch fields were appended to scratch in field order. */
static void fix_scratch_fields(struct csv *c) {
  size_t off = 0;
  for (size_t i = 0; i < c->nfields; i++) {
    if (c->fields[i].quoted == IN_SCRATCH) {
      c->fields[i].ptr = c->scratch + off;
      c->fields[i].quoted = 1;
      off += c->fields[i].len;
    }
  }
}

/* Consume one line end at p (CRLF, LF or CR) if there is one. */
static inline const char *eat_eol(struct csv *c, const char *p) {
  if (p < c->end) {
    if (*p == '\r') {
      p++;
      if (p < c->end && *p == '\n')
        p++;
      c->cur_line++;
    } else if (*p == '\n') {
      p++;
      c->cur_line++;
    }
  }
  return p;
}

static int nomem(struct csv *c) {
  c->nomem = 1;
  c->pos = c->end;
  return CSV_NOMEM;
}

/* A bad quote at p in field number nfields: skip the rest of the line. */
static int bad_quoting(struct csv *c, const char *p, int kind, int used_scratch) {
  c->err_line = c->cur_line;
  c->err_field = c->nfields;
  c->err_kind = kind;
  c->err_char = (unsigned char)*p;
  if (used_scratch)
    fix_scratch_fields(c);
  c->pos = eat_eol(c, scan(p, c->end, eol_special));
  return CSV_BAD_QUOTING;
}

int csv_next(struct csv *c) {
  if (c->nomem)
    return CSV_NOMEM;
  const char *p = c->pos, *end = c->end;
  c->nfields = 0;
  c->scratch_len = 0;

  /* Blank lines are not records. */
  for (;;) {
    if (p == end) {
      c->pos = p;
      return CSV_EOF;
    }
    if (*p != '\n' && *p != '\r')
      break;
    p = eat_eol(c, p);
  }
  c->line = c->cur_line;
  int used_scratch = 0;

  for (;;) {
    /* At the start of a field. */
    if (p < end && *p == '"') {
      uint64_t open_line = c->cur_line;
      const char *start = ++p, *seg = p;
      size_t scratch_start = c->scratch_len;
      int escaped = 0;
      for (;;) {
        p = scan(p, end, quoted_special);
        if (p == end) {
          c->err_line = open_line;
          c->err_field = c->nfields;
          c->err_kind = 0;
          c->err_char = 0;
          if (used_scratch)
            fix_scratch_fields(c);
          c->pos = end;
          return CSV_UNTERMINATED_QUOTE;
        }
        if (*p == '\n') {
          c->cur_line++;
          p++;
        } else if (*p == '\r') {
          p++;
          if (p == end || *p != '\n') /* lone CR; a CRLF counts at its LF */
            c->cur_line++;
        } else if (p + 1 < end && p[1] == '"') { /* doubled quote */
          if (scratch_append(c, seg, (size_t)(p + 1 - seg)))
            return nomem(c);
          escaped = 1;
          p += 2;
          seg = p;
        } else { /* closing quote */
          int rc;
          if (escaped) {
            if (scratch_append(c, seg, (size_t)(p - seg)))
              return nomem(c);
            rc = push(c, NULL, c->scratch_len - scratch_start, IN_SCRATCH);
            used_scratch = 1;
          } else {
            rc = push(c, start, (size_t)(p - start), 1);
          }
          if (rc)
            return nomem(c);
          p++;
          break;
        }
      }
      if (p == end)
        break;
      if (*p == ',') {
        p++;
        continue;
      }
      if (*p == '\n' || *p == '\r') {
        p = eat_eol(c, p);
        break;
      }
      c->nfields--; /* the quoted field is not complete after all */
      return bad_quoting(c, p, CSV_JUNK_AFTER_QUOTE, used_scratch);
    }

    const char *start = p;
    p = scan(p, end, unquoted_special);
    if (p < end && *p == '"')
      return bad_quoting(c, p, CSV_QUOTE_IN_UNQUOTED, used_scratch);
    if (push(c, start, (size_t)(p - start), 0))
      return nomem(c);
    if (p == end)
      break;
    if (*p == ',') {
      p++;
      continue;
    }
    p = eat_eol(c, p);
    break;
  }
  if (used_scratch)
    fix_scratch_fields(c);
  c->pos = p;
  return CSV_RECORD;
}

static int lower(int ch) { return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch; }

int csv_name_eq(const char *text, size_t len, const char *b) {
  for (size_t i = 0; i < len; i++) {
    if (b[i] == '\0' || lower((unsigned char)text[i]) != lower((unsigned char)b[i]))
      return 0;
  }
  return b[len] == '\0';
}

int csv_header_init(struct csv_header *h, const struct csv *c) {
  h->names = NULL;
  h->n = 0;
  h->line = c->line;
  if (c->nfields == 0)
    return 0;
  char **names = calloc(c->nfields, sizeof *names);
  if (!names)
    return CSV_NOMEM;
  for (size_t i = 0; i < c->nfields; i++) {
    const char *s = c->fields[i].ptr;
    size_t len = c->fields[i].len;
    while (len > 0 && (*s == ' ' || *s == '\t')) {
      s++;
      len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
      len--;
    names[i] = malloc(len + 1);
    if (!names[i]) {
      h->names = names;
      h->n = i;
      csv_header_free(h);
      return CSV_NOMEM;
    }
    if (len)
      memcpy(names[i], s, len);
    names[i][len] = '\0';
  }
  h->names = names;
  h->n = c->nfields;
  return 0;
}

void csv_header_free(struct csv_header *h) {
  for (size_t i = 0; i < h->n; i++)
    free(h->names[i]);
  free(h->names);
  h->names = NULL;
  h->n = 0;
}

long csv_header_find(const struct csv_header *h, const char *name, size_t from) {
  size_t len = strlen(name);
  for (size_t i = from; i < h->n; i++) {
    if (csv_name_eq(name, len, h->names[i]))
      return (long)i;
  }
  return -1;
}
