/* Output helpers shared by the ehcp commands: the --format choice, a text
 * table that prints aligned for people or as Excel-safe CSV for machines,
 * and JSON printing through jansson. */
#ifndef EHCP_TOOL_OUTPUT_H
#define EHCP_TOOL_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

enum out_format { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON };

/* "table", "csv" or "json"; returns 0 or -1 for an unknown name. */
int format_from_name(enum out_format *out, const char *name);
/* data-formats.md section 6: table on a terminal, else csv. */
enum out_format format_default(FILE *stream);

/* Write one CSV cell: quoted when needed (RFC 4180), and prefixed with ' when
 * Excel would read it as a formula (=, +, -, @, tab, CR). */
void csv_write_cell(FILE *out, const char *text);

/* Write one CSV record of n cells and a newline. */
void csv_write_row(FILE *out, const char *const *cells, size_t n);

/* Rows of text cells with a header. Cells are copied. */
struct table {
  size_t ncols, nrows, cap; /* nrows counts the header row */
  char **cells;             /* nrows * ncols; row 0 is the header */
};

int table_init(struct table *t, size_t ncols, const char *const *header);
/* Append a row of ncols cells (NULL cells print empty). Returns 0 or -1 (no memory). */
int table_add_row(struct table *t, const char *const *cells);
/* Print as aligned columns (FORMAT_TABLE) or CSV (FORMAT_CSV). */
void table_print(const struct table *t, FILE *out, enum out_format format);
void table_free(struct table *t);

/* Print a JSON value followed by a newline and release it. Returns 0 or -1. */
int json_print(json_t *value, FILE *out);

/* A JSON string of text, which may hold any bytes (attribute values from
 * files): jansson refuses invalid UTF-8, so each byte that does not begin a
 * valid sequence is replaced with U+FFFD. NULL text gives JSON null.
 * Returns a new reference, or NULL when out of memory. */
json_t *json_text(const char *text);

#endif
