/* Fuzz target: the SEN2 person-level XML reader (expat), then validation,
 * evaluation, measures and cohorts of what it read.
 *
 * Invariants: OK or PARSE; rows (Requests) read = accepted + rejected, each
 * rejected row with an error diagnostic; diagnostics well formed (one-line
 * messages and XML paths); every event well formed; the engine's results
 * keep their documented relations. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char name[] = "fuzz.xml";
  ehcp_case_set *set;
  ehcp_diagnostics *diags;
  ehcp_reader *r;
  FUZZ_CHECK(ehcp_case_set_new(&set) == EHCP_OK);
  FUZZ_CHECK(ehcp_diagnostics_new(&diags) == EHCP_OK);
  FUZZ_CHECK(ehcp_reader_new(&r, set, diags) == EHCP_OK);

  int rc = ehcp_reader_read_buffer(r, (const char *)data, size, name, EHCP_FORMAT_SEN2_XML);
  FUZZ_CHECK(rc == EHCP_OK || rc == EHCP_ERR_PARSE);
  if (rc != EHCP_OK)
    FUZZ_CHECK(ehcp_reader_errmsg(r)[0] != '\0');
  size_t errors = fuzz_check_diagnostics(diags, 0, name, fuzz_count_lines(data, size));
  if (rc == EHCP_ERR_PARSE)
    FUZZ_CHECK(errors > 0);
  fuzz_check_reader(r, errors);
  fuzz_check_case_set(set);

  if (ehcp_case_set_count(set) > 0) {
    ehcp_date as_of = ehcp_reader_reference_date(r);
    /* The tool's default as-of date is the return's reference date,
     * whatever it is. */
    if (as_of == EHCP_DATE_NONE)
      ehcp_date_from_ymd(&as_of, 2025, 1, 16);
    fuzz_evaluate_set(set, fuzz_rules(), fuzz_calendar(), as_of, 1);
  }

  ehcp_reader_free(r);
  ehcp_diagnostics_free(diags);
  ehcp_case_set_free(set);
  return 0;
}
