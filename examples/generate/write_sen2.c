/* SEN2 person-level XML (the 2026 schema's element order). What SEN2 has
 * no element for is left out: advice, drafts, review reports and amended
 * finals, contacts and family updates. An exception is Week20 = 1; only
 * the latest review cycle fits in ActivePlans. The person details the
 * schema requires are obviously synthetic: surname SYNTHETIC, forename
 * Person<n>, born on the first of a month, ethnicity NOBT (not obtained),
 * UPN X999... (999 is no authority's number); LEA XXX (unknown). The
 * optional items the model knows nothing of (RYA, mediation, tribunals,
 * placements beyond the plan's setting) are left out. */
#include "writers.h"

#include <stdio.h>

static int depth;

static void open_tag(struct out *o, const char *name) {
  for (int i = 0; i < depth; i++)
    out_char(o, '\t');
  out_char(o, '<');
  out_str(o, name);
  out_str(o, ">\n");
  depth++;
}

static void close_tag(struct out *o, const char *name) {
  depth--;
  for (int i = 0; i < depth; i++)
    out_char(o, '\t');
  out_str(o, "</");
  out_str(o, name);
  out_str(o, ">\n");
}

static void element(struct out *o, const char *name, const char *text) {
  for (int i = 0; i < depth; i++)
    out_char(o, '\t');
  out_char(o, '<');
  out_str(o, name);
  out_char(o, '>');
  out_str(o, text);
  out_str(o, "</");
  out_str(o, name);
  out_str(o, ">\n");
}

static void element_date(struct out *o, const char *name, day_t day) {
  if (day == DAY_NONE)
    return;
  char buf[11];
  format_iso(buf, day);
  element(o, name, buf);
}

static void element_uint(struct out *o, const char *name, unsigned long v) {
  char buf[24];
  snprintf(buf, sizeof buf, "%lu", v);
  element(o, name, buf);
}

void sen2_begin(struct out *o, const struct world *w) {
  char text[160], as_of[11];
  format_iso(as_of, w->as_of);
  out_str(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  snprintf(text, sizeof text,
           "<!-- Synthetic SEN2 return made by ehcp-generate, seed %llu%s: no real people. -->\n",
           (unsigned long long)w->seed, w->sen2_compatible ? ", SEN2-compatible" : "");
  out_str(o, text);
  depth = 0;
  open_tag(o, "Message");
  open_tag(o, "Header");
  open_tag(o, "CollectionDetails");
  element(o, "Collection", "SEN2");
  element_uint(o, "Year", (unsigned long)day_year(w->as_of)); /* the year of ReferenceDate */
  element_date(o, "ReferenceDate", w->as_of);
  close_tag(o, "CollectionDetails");
  open_tag(o, "Source");
  element(o, "SourceLevel", "L");
  element(o, "LEA", "XXX");
  element(o, "SoftwareCode", "ehcp-generate");
  element(o, "Release", "1");
  element(o, "SerialNo", "001");
  snprintf(text, sizeof text, "%sT00:00:00", as_of);
  element(o, "DateTime", text);
  element(o, "DMO", "Y");
  element(o, "DCO", "Y");
  close_tag(o, "Source");
  close_tag(o, "Header");
  open_tag(o, "Persons");
}

void sen2_end(struct out *o) {
  close_tag(o, "Persons");
  close_tag(o, "Message");
}

static const char outcome_code[] = {'A', 'Y', 'N', 'W'};

static const char *code(char c) {
  static char s[2];
  s[0] = c;
  return s;
}

/* The setting named in the plan: its URN, or the SEN2 setting code. */
static void placement(struct out *o, const struct gcase *g) {
  if (g->school >= 0) {
    element_uint(o, "URN", (unsigned long)school_urns[g->school]);
  } else {
    const char *setting = g->setting == SET_HOME          ? "EHE"
                          : g->setting == SET_ALTERNATIVE ? "OLA"
                          : g->setting == SET_NEET        ? "NEET"
                          : g->setting == SET_EARLY_YEARS ? "EYP"
                                                          : "OPA";
    element(o, "SENSetting", setting);
  }
  element(o, "PlacementRank", "1");
}

static void request(struct out *o, const struct gcase *g) {
  static const char *const needs[12] = {"ASD", "SEMH", "SLCN", "MLD", "SLD", "SPLD",
                                        "PD",  "HI",   "VI",   "PMLD", "MSI", "OTH"};
  static const char source_code[SRC_COUNT] = {'1', '2', '3', '4', '5'};
  open_tag(o, "Requests");
  element_date(o, "ReceivedDate", g->received);
  element(o, "RequestSource", code(source_code[g->brought_to_attention ? SRC_OTHER : g->source]));
  if (g->decision != DEC_PENDING)
    element_date(o, "RequestOutcomeDate", g->decision_date);
  element(o, "RequestOutcome", code(outcome_code[g->decision]));
  if (g->decision == DEC_YES) {
    open_tag(o, "Assessment");
    /* Y is dated when the plan is issued: a decision to issue is "A"
     * (not yet made) in SEN2 until the final plan exists. */
    int issued = g->issue == DEC_YES && g->final != DAY_NONE;
    uint8_t issue = g->issue == DEC_YES && !issued ? DEC_PENDING : g->issue;
    element(o, "AssessmentOutcome", code(outcome_code[issue]));
    if (issue != DEC_PENDING)
      element_date(o, "AssessmentOutcomeDate", issued ? g->final : g->issue_date);
    int week20 = 0;
    for (int i = 0; i < g->nexceptions; i++)
      week20 |= g->exceptions[i].kind != EXC_APPOINTMENT_MISSED;
    element(o, "Week20", week20 ? "1" : "0");
    if (issued) {
      open_tag(o, "NamedPlan");
      element_date(o, "StartDate", g->final);
      open_tag(o, "PlanDetail");
      placement(o, g);
      close_tag(o, "PlanDetail");
      if (g->ceased != DAY_NONE) {
        element_date(o, "CeaseDate", g->ceased);
        element_uint(o, "CeaseReason", g->cease_reason);
      }
      close_tag(o, "NamedPlan");
    }
    close_tag(o, "Assessment");
  }
  if (g->final != DAY_NONE) {
    const struct review *v = latest_review(g);
    open_tag(o, "ActivePlans");
    open_tag(o, "SENneed");
    element(o, "SENtype", needs[g->need]);
    element(o, "SENtypeRank", "1");
    close_tag(o, "SENneed");
    if (v) {
      element_date(o, "ReviewMeeting", v->meeting);
      if (v->outcome != REV_PENDING)
        element(o, "ReviewOutcome", code("?MAC"[v->outcome]));
      element_date(o, "ReviewDraft", v->draft);
    }
    if (g->transfer != PT_NONE) {
      element_date(o, "PhaseTransferDueDate", transfer_due_date(g));
      element_date(o, "PhaseTransferFinalDate", g->transfer_amended);
    }
    if (v && v->outcome != REV_PENDING)
      element_date(o, "LastReview", v->decision);
    close_tag(o, "ActivePlans");
  }
  close_tag(o, "Requests");
}

void sen2_person(struct out *o, const struct gcase *cases, int n) {
  const struct gcase *g = &cases[0];
  char forename[32];
  snprintf(forename, sizeof forename, "Person%lu", (unsigned long)g->person + 1);
  open_tag(o, "Person");
  element(o, "Surname", "SYNTHETIC");
  element(o, "Forename", forename);
  element_date(o, "PersonBirthDate", g->birth);
  element(o, "Sex", g->sex ? "M" : "F");
  element(o, "Ethnicity", "NOBT");
  element(o, "UPN", g->upn);
  for (int i = 0; i < n; i++)
    request(o, &cases[i]);
  close_tag(o, "Person");
}
