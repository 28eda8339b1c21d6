/* cases CSV reader: being written (issue: case data in). Until then the
 * format is detected and refused with a diagnostic. */
#include "reader_internal.h"

int read_cases_csv(ehcp_reader *r, const char *data, size_t len, const char *name,
        struct read_counts *counts) {
  (void)data, (void)len, (void)counts;
  ehcp_diagnostics_add(r->diags, EHCP_SEVERITY_ERROR, EHCP_DIAG_UNKNOWN_FORMAT, name, 0, NULL,
                       NULL, "cases CSV files are not supported yet");
  reader_set_errmsg(r, "%s: cases CSV files are not supported yet", name ? name : "(buffer)");
  return EHCP_ERR_PARSE;
}
