/* Fuzz target: the CSV readers. Each input is read as an events CSV, an
 * attributes CSV, a cases CSV and with format detection, each into a fresh
 * case set; what was read is then validated, evaluated, measured and put
 * into cohorts.
 *
 * Invariants: the read returns OK or PARSE (never anything else for data in
 * memory); rows read = accepted + rejected; every rejected row has an error
 * diagnostic; diagnostics are well formed (one-line messages, lines within
 * the text); an events CSV adds exactly one event per accepted row; every
 * event added is well formed; detection agrees with what AUTO read; and
 * the engine's results keep their documented relations. */
#include <string.h>

#include "fuzz_common.h"

static void read_as(const uint8_t *data, size_t size, int format) {
  static const char name[] = "fuzz.csv";
  ehcp_case_set *set;
  ehcp_diagnostics *diags;
  ehcp_reader *r;
  FUZZ_CHECK(ehcp_case_set_new(&set) == EHCP_OK);
  FUZZ_CHECK(ehcp_diagnostics_new(&diags) == EHCP_OK);
  FUZZ_CHECK(ehcp_reader_new(&r, set, diags) == EHCP_OK);

  if (format == EHCP_FORMAT_CASES_CSV) {
    /* Mapped headers too (data-formats.md 3): the seeds hold these. */
    FUZZ_CHECK(ehcp_reader_map_column(r, "case_id", "Case ref") == EHCP_OK);
    FUZZ_CHECK(ehcp_reader_map_column(r, "received_date", "Date request received") == EHCP_OK);
  }
  int rc = ehcp_reader_read_buffer(r, (const char *)data, size, name, format);
  FUZZ_CHECK(rc == EHCP_OK || rc == EHCP_ERR_PARSE);
  if (rc != EHCP_OK)
    FUZZ_CHECK(ehcp_reader_errmsg(r)[0] != '\0');
  size_t errors = fuzz_check_diagnostics(diags, 0, name, fuzz_count_lines(data, size));
  if (rc == EHCP_ERR_PARSE)
    FUZZ_CHECK(errors > 0);
  fuzz_check_reader(r, errors);

  uint64_t read, accepted, rejected;
  ehcp_reader_last_counts(&read, &accepted, &rejected, r);
  size_t events = fuzz_check_case_set(set);
  int got = ehcp_reader_last_format(r);
  if (format != EHCP_FORMAT_AUTO && rc == EHCP_OK)
    FUZZ_CHECK(got == format);
  if (got == EHCP_FORMAT_EVENTS_CSV)
    FUZZ_CHECK(events == accepted);
  if (format == EHCP_FORMAT_AUTO) {
    int detected = -1;
    int drc = ehcp_reader_detect(&detected, (const char *)data, size);
    if (got != EHCP_FORMAT_AUTO)
      FUZZ_CHECK(drc == EHCP_OK && detected == got);
  }
  if (rc == EHCP_OK && ehcp_case_set_count(set) > 0) {
    ehcp_date as_of;
    ehcp_date_from_ymd(&as_of, 2025, 12, 31);
    fuzz_evaluate_set(set, fuzz_rules(), fuzz_calendar(), as_of, format == EHCP_FORMAT_AUTO);
  }

  /* The reader, set and list stay usable: read a small good file again. */
  static const char good[] = "case_id,event,date\nF1,request_received,2025-01-15\n";
  size_t before = ehcp_diagnostics_count(diags);
  FUZZ_CHECK(ehcp_reader_read_buffer(r, good, sizeof good - 1, "good.csv", format) == EHCP_OK ||
             format == EHCP_FORMAT_ATTRIBUTES_CSV || format == EHCP_FORMAT_CASES_CSV);
  fuzz_check_diagnostics(diags, before, "good.csv", 3);

  ehcp_reader_free(r);
  ehcp_diagnostics_free(diags);
  ehcp_case_set_free(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  read_as(data, size, EHCP_FORMAT_EVENTS_CSV);
  read_as(data, size, EHCP_FORMAT_ATTRIBUTES_CSV);
  read_as(data, size, EHCP_FORMAT_CASES_CSV);
  read_as(data, size, EHCP_FORMAT_AUTO);
  return 0;
}
