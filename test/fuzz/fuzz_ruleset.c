/* Fuzz target: ehcp_ruleset_load_string() (inih plus our line reader and
 * milestone checks), then evaluating a fixed set of cases that uses every
 * event type with whatever rule set was loaded, and measuring it.
 *
 * The text is loaded into a copy of england-2014 (even lengths) or into an
 * empty rule set (odd lengths).
 *
 * Invariants: OK, PARSE or LIMIT; on error the rule set is unchanged and the
 * message is one line naming the source; on success every milestone can be
 * described and found by id, and evaluation, measures and cohorts with the
 * new rules keep their documented relations. */
#include <string.h>

#include "fuzz_common.h"

/* Every event type and detail, in cases shaped like real ones. */
static const char cases_csv[] =
    "case_id,event,date,detail,end_date,ref\n"
    "C1,request_received,2025-01-15,parent,,\n"
    "C1,assessment_decision,2025-02-20,yes,,\n"
    "C1,advice_requested,2025-02-21,education,,URN1\n"
    "C1,advice_received,2025-04-01,education,,URN1\n"
    "C1,advice_requested,2025-02-21,ep,,\n"
    "C1,advice_received,2025-04-20,ep,,\n"
    "C1,exception,2025-03-01,absence,2025-04-05,\n"
    "C1,issue_decision,2025-04-25,yes,,\n"
    "C1,draft_issued,2025-05-01,,,\n"
    "C1,final_issued,2025-06-02,,,\n"
    "C1,review_meeting,2026-05-01,,,\n"
    "C1,review_report,2026-05-10,,,\n"
    "C1,review_decision,2026-05-20,amend,,\n"
    "C1,review_draft,2026-05-25,,,\n"
    "C1,review_final,2026-07-01,,,\n"
    "C1,phase_transfer,2027-09-01,school,,\n"
    "C1,phase_transfer_amended,2027-02-10,,,\n"
    "C1,contact_received,2025-03-03,,,Q1\n"
    "C1,contact_responded,2025-03-12,,,Q1\n"
    "C1,family_update,2025-03-20,,,\n"
    "C2,brought_to_attention,2024-11-04,,,\n"
    "C2,assessment_decision,2024-12-20,no,,\n"
    "C3,request_received,2025-03-03,setting,,\n"
    "C3,assessment_decision,2025-04-10,yes,,\n"
    "C3,advice_requested,2025-04-11,early_years,,URN2\n"
    "C3,exception,2025-04-20,personal_circumstances,,\n"
    "C3,issue_decision,2025-07-01,no,,\n"
    "C4,request_received,2023-09-01,health,,\n"
    "C4,assessment_decision,2023-10-01,yes,,\n"
    "C4,final_issued,2024-03-01,,,\n"
    "C4,review_meeting,2025-02-20,,,\n"
    "C4,review_decision,2025-03-01,cease,,\n"
    "C4,plan_ceased,2025-04-01,3,,\n"
    "C4,phase_transfer,2026-09-01,post16,,\n"
    "C5,request_received,2025-05-01,social_care,,\n"
    "C5,assessment_decision,2025-05-20,withdrawn,,\n"
    "C5,exception,2025-05-02,appointment_missed,,\n"
    "C5,exception,2020-05-01,covid,2020-09-25,\n"
    "C6,request_received,2025-08-01,other,,\n"
    "C6,exception,2025-08-01,unspecified,,\n"
    "C6,exception,2025-08-01,school_closure,2025-08-31,\n"
    "C6,exception,2025-08-01,early_years_closure,,\n"
    "C6,phase_transfer,2026-09-01,post16_other,,\n"
    "C6,review_decision,2025-09-01,maintain,,\n";

static const ehcp_case_set *fixed_cases(void) {
  static ehcp_case_set *set;
  if (!set) {
    ehcp_diagnostics *d;
    ehcp_reader *r;
    FUZZ_CHECK(ehcp_case_set_new(&set) == EHCP_OK);
    FUZZ_CHECK(ehcp_diagnostics_new(&d) == EHCP_OK);
    FUZZ_CHECK(ehcp_reader_new(&r, set, d) == EHCP_OK);
    FUZZ_CHECK(ehcp_reader_read_buffer(r, cases_csv, sizeof cases_csv - 1, "cases.csv",
                                       EHCP_FORMAT_EVENTS_CSV) == EHCP_OK);
    FUZZ_CHECK(ehcp_diagnostics_count(d) == 0);
    ehcp_reader_free(r);
    ehcp_diagnostics_free(d);
  }
  return set;
}

/* What a caller can see of a rule set, to check it did not change. */
static void describe(char *out, size_t size, const ehcp_ruleset *rs) {
  static const char *const options[] = {"week_counting", "review_clock", "closure_window_end",
                                        "region"};
  size_t len = (size_t)snprintf(out, size, "%s|%zu", ehcp_ruleset_name(rs), ehcp_ruleset_count(rs));
  for (size_t i = 0; i < 4 && len < size; i++)
    len += (size_t)snprintf(out + len, size - len, "|%s", ehcp_ruleset_option(rs, options[i]));
  for (size_t i = 0; i < ehcp_ruleset_count(rs) && len < size; i++) {
    const char *id, *name, *label, *src;
    int statutory;
    FUZZ_CHECK(ehcp_ruleset_milestone(&id, &name, &statutory, rs, i) == EHCP_OK);
    FUZZ_CHECK(ehcp_ruleset_milestone_text(&label, &src, rs, i) == EHCP_OK);
    len += (size_t)snprintf(out + len, size - len, "|%s,%s,%d,%s,%s", id, name, statutory, label,
                            src);
  }
}

static void check_loaded(const ehcp_ruleset *rs) {
  size_t n = ehcp_ruleset_count(rs);
  FUZZ_CHECK(ehcp_ruleset_name(rs) != NULL);
  FUZZ_CHECK(ehcp_region_name(ehcp_ruleset_region(rs)) != NULL);
  FUZZ_CHECK(ehcp_ruleset_milestone(NULL, NULL, NULL, rs, n) == EHCP_ERR_NOT_FOUND);
  for (size_t i = 0; i < n; i++) {
    const char *id, *name, *label, *src;
    int statutory;
    FUZZ_CHECK(ehcp_ruleset_milestone(&id, &name, &statutory, rs, i) == EHCP_OK);
    FUZZ_CHECK(id && name && id[0] && name[0]);
    FUZZ_CHECK(statutory == 0 || statutory == 1);
    FUZZ_CHECK(ehcp_ruleset_milestone_text(&label, &src, rs, i) == EHCP_OK);
    FUZZ_CHECK(label && src);
    size_t at;
    FUZZ_CHECK(ehcp_ruleset_find(&at, rs, id) == EHCP_OK && at == i); /* ids are unique */
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char source[] = "fuzz.ini";
  static char before[1 << 16], after[1 << 16];
  ehcp_ruleset *rs;
  FUZZ_CHECK(ehcp_ruleset_new(&rs, size % 2 ? NULL : "england-2014") == EHCP_OK);
  describe(before, sizeof before, rs);
  int rc = ehcp_ruleset_load_string(rs, (const char *)data, size, source);
  const char *msg = ehcp_ruleset_errmsg(rs);
  FUZZ_CHECK(msg != NULL && !fuzz_has_newline(msg));
  if (rc != EHCP_OK) {
    FUZZ_CHECK(rc == EHCP_ERR_PARSE || rc == EHCP_ERR_LIMIT);
    FUZZ_CHECK(strncmp(msg, source, sizeof source - 1) == 0);
    describe(after, sizeof after, rs);
    FUZZ_CHECK(strcmp(before, after) == 0);
  } else {
    check_loaded(rs);
    ehcp_date as_of;
    ehcp_date_from_ymd(&as_of, 2025, 12, 31);
    fuzz_evaluate_set(fixed_cases(), rs, fuzz_calendar(), as_of, 1);
  }
  ehcp_ruleset_free(rs);
  return 0;
}
