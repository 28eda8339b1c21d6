/* Cases CSV: the wide form analysts export, one row per case. One cell
 * per step, so it keeps the first advice request of each adviser, the
 * latest review cycle and one exception (the first that bears on the
 * 20 weeks, else the first); contacts, family updates, review reports and
 * the brought_to_attention start (written as a request from "other") have
 * no column. */
#include "writers.h"

const struct review *latest_review(const struct gcase *g) {
  return g->nreviews ? &g->reviews[g->nreviews - 1] : NULL;
}

static void cell_date(struct out *o, day_t day) {
  out_char(o, ',');
  out_date(o, day);
}

static void cell_str(struct out *o, const char *s) {
  out_char(o, ',');
  out_str(o, s);
}

void cases_header(struct out *o) {
  out_str(o, "case_id,person_id,received_date,request_source,assessment_decision,"
             "assessment_decision_date,issue_decision,issue_decision_date,draft_issued_date,"
             "final_issued_date,exception,exception_start,exception_end");
  for (int a = 0; a < ADV_COUNT; a++) {
    out_str(o, ",advice_");
    out_str(o, adviser_names[a]);
    out_str(o, "_requested,advice_");
    out_str(o, adviser_names[a]);
    out_str(o, "_received");
  }
  out_str(o, ",review_meeting_date,review_decision,review_decision_date,review_draft_date,"
             "review_final_date,phase_transfer_date,phase_transfer_kind,"
             "phase_transfer_amended_date,ceased_date,team,caseworker,setting_type,age_group\n");
}

void cases_write(struct out *o, const struct gcase *g) {
  out_str(o, g->id);
  cell_str(o, g->upn);
  cell_date(o, g->received);
  cell_str(o, source_names[g->brought_to_attention ? SRC_OTHER : g->source]);
  cell_str(o, decision_names[g->decision]);
  cell_date(o, g->decision == DEC_PENDING ? DAY_NONE : g->decision_date);
  cell_str(o, decision_names[g->issue]);
  cell_date(o, g->issue == DEC_PENDING ? DAY_NONE : g->issue_date);
  cell_date(o, g->draft);
  cell_date(o, g->final);

  const struct exception *x = g->nexceptions ? &g->exceptions[0] : NULL;
  for (int i = 0; i < g->nexceptions; i++) {
    if (g->exceptions[i].kind != EXC_APPOINTMENT_MISSED) {
      x = &g->exceptions[i];
      break;
    }
  }
  cell_str(o, x ? exception_names[x->kind] : "0");
  cell_date(o, x ? x->start : DAY_NONE);
  cell_date(o, x ? x->end : DAY_NONE);

  for (int a = 0; a < ADV_COUNT; a++) {
    const struct advice *first = NULL;
    for (int i = 0; i < g->nadvice && !first; i++)
      if (g->advice[i].adviser == a)
        first = &g->advice[i];
    cell_date(o, first ? first->requested : DAY_NONE);
    cell_date(o, first ? first->received : DAY_NONE);
  }

  const struct review *v = latest_review(g);
  cell_date(o, v ? v->meeting : DAY_NONE);
  cell_str(o, v ? review_names[v->outcome] : "");
  cell_date(o, v && v->outcome != REV_PENDING ? v->decision : DAY_NONE);
  cell_date(o, v ? v->draft : DAY_NONE);
  cell_date(o, v ? v->final : DAY_NONE);

  cell_date(o, g->transfer != PT_NONE ? g->transfer_date : DAY_NONE);
  cell_str(o, transfer_names[g->transfer]);
  cell_date(o, g->transfer != PT_NONE ? g->transfer_amended : DAY_NONE);
  cell_date(o, g->ceased);

  cell_str(o, team_names[g->team]);
  cell_str(o, caseworker_initials(g));
  cell_str(o, setting_names[g->setting]);
  cell_str(o, age_group_names[g->age_group]);
  out_char(o, '\n');
}
