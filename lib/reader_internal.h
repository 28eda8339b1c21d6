/* What the format readers share: the reader object and the entry point of
 * each format. reader.c detects the format, keeps the accounting and reads
 * events and attributes CSV; read_cases.c reads the wide cases CSV;
 * read_sen2.c reads SEN2 XML. Private to lib/. */
#ifndef EHCP_LIB_READER_INTERNAL_H
#define EHCP_LIB_READER_INTERNAL_H

#include "ehcp/reader.h"

struct ehcp_reader {
  ehcp_case_set *set;
  ehcp_diagnostics *diags;
  int last_format;
  uint64_t last_read, last_accepted, last_rejected;
  uint64_t total_read, total_accepted, total_rejected;
  ehcp_date reference_date; /* of the last SEN2 return read, or EHCP_DATE_NONE */
  char *cells;              /* NUL-terminated copies of the current row's cells */
  size_t cells_cap;
  char errmsg[512];
  /* Column mappings of cases CSV reads (ehcp_reader_map_column()), owned;
   * kept by read_cases.c, freed by read_cases_free_maps(). */
  struct cases_column_map *maps;
  size_t nmaps, maps_cap;
};

/* Rows read, accepted and rejected by one read: read == accepted + rejected. */
struct read_counts {
  uint64_t read, accepted, rejected;
};

/* Set r->errmsg (printf-style); returns 0. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int reader_set_errmsg(ehcp_reader *r, const char *fmt, ...);

/* Read one format from data[0..len) (named name in diagnostics, may be NULL)
 * into r->set, reporting to r->diags and filling counts. Return EHCP_OK when
 * the input was read (row problems are diagnostics), EHCP_ERR_PARSE when it
 * is unusable as a whole (with a diagnostic and r->errmsg), EHCP_ERR_NOMEM. */
int read_sen2_xml(ehcp_reader *r, const char *data, size_t len, const char *name,
                  struct read_counts *counts);
int read_cases_csv(ehcp_reader *r, const char *data, size_t len, const char *name,
                   struct read_counts *counts);

/* ---- cases CSV (read_cases.c) --------------------------------------------- */

/* read_cases_csv() with add = 0 checks every row, reports and counts exactly
 * as a read does, but adds nothing to r->set (benchmarks time the parsing
 * alone with it); add = 1 is read_cases_csv(). */
int read_cases_csv_ex(ehcp_reader *r, const char *data, size_t len, const char *name,
                      struct read_counts *counts, int add);

/* Free r's column mappings (from ehcp_reader_free()). */
void read_cases_free_maps(ehcp_reader *r);

/* ---- helpers of reader.c shared with the other CSV readers ---------------- */

struct csv;
struct csv_header;

/* Longest piece of a cell quoted in a message, in bytes, and the size of
 * the buffer reader_show() needs for it. */
#define READER_SHOW_MAX 64
#define READER_SHOW_SIZE (READER_SHOW_MAX * 4 + 8)

/* Diagnostics and events take 32-bit lines; beyond that the line is 0. */
uint32_t reader_line32(uint64_t line);

/* text[0..len) as it may appear inside a one-line message: at most
 * READER_SHOW_MAX bytes (cut on a UTF-8 boundary, then "..."), control bytes
 * escaped, into out[0..size) (READER_SHOW_SIZE bytes). Returns out. */
const char *reader_show(char *out, size_t size, const char *text, size_t len);

/* Append a diagnostic from source (may be NULL) at line (case_id NULL or ""
 * for none); returns EHCP_OK or EHCP_ERR_NOMEM. */
#if defined(__GNUC__)
__attribute__((format(printf, 7, 8)))
#endif
int reader_diag(ehcp_reader *r, const char *source, int severity, int code, uint64_t line,
                const char *case_id, const char *fmt, ...);

/* Make room for n bytes in r->cells (the reusable buffer for NUL-terminated
 * copies of a row's cells). EHCP_OK or EHCP_ERR_NOMEM. */
int reader_cells_reserve(ehcp_reader *r, size_t n);

/* Read the header record of c (csv_init()ed) into h, reporting an empty
 * file or bad quoting as the events reader does. EHCP_OK, EHCP_ERR_PARSE
 * (diagnostic and r->errmsg set) or EHCP_ERR_NOMEM. h needs
 * csv_header_free() in every case. */
int reader_read_header(ehcp_reader *r, const char *source, struct csv *c, struct csv_header *h);

/* Report the CSV_BAD_QUOTING or CSV_UNTERMINATED_QUOTE rc that csv_next(c)
 * just returned, naming the case from column case_col (-1: none) when the
 * row got that far; what prefixes the message ("" or "header row: "). Uses
 * r->cells. EHCP_OK or EHCP_ERR_NOMEM. */
int reader_quoting_diag(ehcp_reader *r, const char *source, const struct csv *c,
                        const struct csv_header *h, int rc, long case_col, const char *what);

/* "field 3 (date)", or "field 9" past the header or for a column without a
 * name, into out[0..size) (READER_SHOW_SIZE + 32 bytes). Returns out. */
const char *reader_field_label(char *out, size_t size, const struct csv_header *h,
                               size_t index);

#endif
