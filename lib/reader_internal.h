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

#endif
