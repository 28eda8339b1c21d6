/* The one CSV tokenizer of the library (data-formats.md section 4): RFC 4180
 * over a byte buffer, one record at a time, with physical line numbers.
 * Private to lib/.
 *
 *   struct csv c;
 *   csv_init(&c, data, len);
 *   while ((rc = csv_next(&c)) != CSV_EOF) {
 *     if (rc == CSV_NOMEM) ...;
 *     if (rc == CSV_RECORD) use c.fields[0 .. c.nfields) and c.line;
 *     else report c.err_* (bad quoting: the rest of that line was skipped)
 *   }
 *   csv_free(&c);
 *
 * Dialect: fields separated by ',', records by LF, CRLF or a lone CR; a
 * field that starts with '"' is quoted and may hold commas, doubled quotes
 * and line breaks (kept byte for byte); a UTF-8 BOM at the very start is
 * skipped; empty lines are skipped and are not records. Nothing is trimmed.
 *
 * The buffer is never written and need not be NUL-terminated. Field texts
 * point into it, or into the tokenizer's scratch buffer when a quoted field
 * held doubled quotes; either way they stay valid until the next csv_next()
 * or csv_free(). Memory is only allocated when a record has more fields, or
 * more unescaped text, than any before it. */
#ifndef EHCP_LIB_CSV_H
#define EHCP_LIB_CSV_H

#include <stddef.h>
#include <stdint.h>

/* csv_next() results. */
enum csv_result {
  CSV_NOMEM = -1,             /* an allocation failed; the tokenizer stays freeable */
  CSV_EOF = 0,                /* no more records */
  CSV_RECORD = 1,             /* a record: fields, nfields, line */
  CSV_BAD_QUOTING = 2,        /* a quote in an unquoted field, or a character after a
                                 closing quote: the rest of the line was skipped */
  CSV_UNTERMINATED_QUOTE = 3  /* a quoted field still open at the end of the buffer:
                                 the rest of the buffer was consumed */
};

/* Kinds of CSV_BAD_QUOTING. */
enum csv_quote_error {
  CSV_QUOTE_IN_UNQUOTED = 1, /* `ab"c`: err_char is '"' */
  CSV_JUNK_AFTER_QUOTE = 2   /* `"ab"c`: err_char is the character after the closing quote */
};

struct csv_field {
  const char *ptr; /* not NUL-terminated; may contain any byte */
  size_t len;
  int quoted;      /* 1 when the field was written between quotes */
};

struct csv {
  /* The current record (CSV_RECORD), or on CSV_BAD_QUOTING /
   * CSV_UNTERMINATED_QUOTE the fields completed before the faulty one. */
  struct csv_field *fields;
  size_t nfields;
  uint64_t line;      /* 1-based physical line the record starts on */
  /* Where the last error was: the line of the bad quote, or of the opening
   * quote of an unterminated field; the 0-based index of that field; for a
   * bad quote its kind and the offending byte. */
  uint64_t err_line;
  size_t err_field;
  int err_kind;
  unsigned char err_char;

  /* Private. */
  const char *pos, *end;
  uint64_t cur_line;  /* physical line of `pos` */
  size_t cap;         /* of fields */
  char *scratch;      /* unescaped text of fields with doubled quotes */
  size_t scratch_len, scratch_cap;
  int nomem;          /* sticky CSV_NOMEM */
};

/* Start tokenizing data[0..len) (skipping a leading UTF-8 BOM). Does not
 * allocate. */
void csv_init(struct csv *c, const char *data, size_t len);

/* Free what the tokenizer allocated (fields, scratch). Safe to call twice. */
void csv_free(struct csv *c);

/* Read the next record. Returns an enum csv_result. After CSV_EOF,
 * CSV_UNTERMINATED_QUOTE or CSV_NOMEM, further calls return CSV_EOF (or
 * CSV_NOMEM again). */
int csv_next(struct csv *c);

/* The first field of the next record, without reading it: its length,
 * with *text pointing at it, when it is plain (no quotes) and ends with a
 * comma within max bytes; else 0. For look-ahead hints (prefetching). */
size_t csv_peek_first_field(const struct csv *c, const char **text, size_t max);

/* Bytes of input consumed so far (for progress and benchmarks). */
size_t csv_offset(const struct csv *c, const char *data);

/* Column names from a header record. Names are copies of the fields with
 * surrounding spaces and tabs removed, NUL-terminated; lookup ignores ASCII
 * case. */
struct csv_header {
  char **names;
  size_t n;
  uint64_t line;
};

/* Take c's current record as the header. Returns 0 or CSV_NOMEM (h is then
 * empty and freeable). */
int csv_header_init(struct csv_header *h, const struct csv *c);

void csv_header_free(struct csv_header *h);

/* Index of the first column named @name at or after column @from (ASCII
 * case-insensitive, @name already trimmed), or -1. */
long csv_header_find(const struct csv_header *h, const char *name, size_t from);

/* Whether text[0..len) equals NUL-terminated b ignoring ASCII case. */
int csv_name_eq(const char *text, size_t len, const char *b);

#endif
