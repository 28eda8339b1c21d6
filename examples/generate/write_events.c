/* Events CSV: the canonical long form, which carries everything. */
#include "writers.h"

struct event {
  day_t date, end;
  const char *name, *detail;
  const char *ref_prefix; /* ref = prefix + ref_number ("URN999001", "Q2"), or none */
  unsigned ref_number;
};

#define MAX_EVENTS (8 + 2 * MAX_ADVICE + MAX_EXCEPTIONS + 5 * MAX_REVIEWS + 2 * MAX_CONTACTS + \
                    MAX_UPDATES)

struct list {
  struct event e[MAX_EVENTS];
  int n;
};

static struct event *add(struct list *l, day_t date, const char *name, const char *detail) {
  struct event *e = &l->e[l->n++];
  *e = (struct event){date, DAY_NONE, name, detail, NULL, 0};
  return e;
}

static void school_ref(struct event *e, int school) {
  if (school >= 0) {
    e->ref_prefix = "URN";
    e->ref_number = (unsigned)school_urns[school];
  }
}

static void contact_ref(struct event *e, int index) {
  e->ref_prefix = "Q";
  e->ref_number = (unsigned)index + 1;
}

/* The case's events in the order they happened (the simulation's order on
 * the same day: a decision before the draft that goes with it). */
static void collect(struct list *l, const struct gcase *g) {
  l->n = 0;
  if (g->brought_to_attention)
    add(l, g->received, "brought_to_attention", NULL);
  else
    add(l, g->received, "request_received", source_names[g->source]);
  if (g->decision != DEC_PENDING)
    add(l, g->decision_date, "assessment_decision", decision_names[g->decision]);
  for (int i = 0; i < g->nadvice; i++) {
    const struct advice *a = &g->advice[i];
    struct event *e = add(l, a->requested, "advice_requested", adviser_names[a->adviser]);
    school_ref(e, a->school);
    if (a->received != DAY_NONE) {
      e = add(l, a->received, "advice_received", adviser_names[a->adviser]);
      school_ref(e, a->school);
    }
  }
  for (int i = 0; i < g->nexceptions; i++) {
    const struct exception *x = &g->exceptions[i];
    struct event *e = add(l, x->start, "exception", exception_names[x->kind]);
    e->end = x->end;
    school_ref(e, x->school);
  }
  if (g->issue != DEC_PENDING)
    add(l, g->issue_date, "issue_decision", decision_names[g->issue]);
  if (g->draft != DAY_NONE)
    add(l, g->draft, "draft_issued", NULL);
  if (g->final != DAY_NONE)
    add(l, g->final, "final_issued", NULL);
  for (int i = 0; i < g->nreviews; i++) {
    const struct review *v = &g->reviews[i];
    add(l, v->meeting, "review_meeting", NULL);
    if (v->report != DAY_NONE)
      add(l, v->report, "review_report", NULL);
    if (v->outcome != REV_PENDING)
      add(l, v->decision, "review_decision", review_names[v->outcome]);
    if (v->draft != DAY_NONE)
      add(l, v->draft, "review_draft", NULL);
    if (v->final != DAY_NONE)
      add(l, v->final, "review_final", NULL);
  }
  if (g->transfer != PT_NONE) {
    add(l, g->transfer_date, "phase_transfer", transfer_names[g->transfer]);
    if (g->transfer_amended != DAY_NONE)
      add(l, g->transfer_amended, "phase_transfer_amended", NULL);
  }
  if (g->ceased != DAY_NONE) {
    static const char *const reasons[] = {"", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    add(l, g->ceased, "plan_ceased", reasons[g->cease_reason]);
  }
  for (int i = 0; i < g->ncontacts; i++) {
    struct event *e = add(l, g->contacts[i].received, "contact_received", NULL);
    contact_ref(e, i);
    if (g->contacts[i].responded != DAY_NONE) {
      e = add(l, g->contacts[i].responded, "contact_responded", NULL);
      contact_ref(e, i);
    }
  }
  for (int i = 0; i < g->nupdates; i++)
    add(l, g->updates[i], "family_update", NULL);

  /* Stable insertion sort by date: lists are short and nearly sorted. */
  for (int i = 1; i < l->n; i++) {
    struct event e = l->e[i];
    int j = i;
    for (; j > 0 && l->e[j - 1].date > e.date; j--)
      l->e[j] = l->e[j - 1];
    l->e[j] = e;
  }
}

void events_header(struct out *o) { out_str(o, "case_id,event,date,detail,end_date,ref\n"); }

unsigned long events_write(struct out *o, const struct gcase *g) {
  static struct list l; /* large; one writer at a time */
  collect(&l, g);
  for (int i = 0; i < l.n; i++) {
    const struct event *e = &l.e[i];
    out_str(o, g->id);
    out_char(o, ',');
    out_str(o, e->name);
    out_char(o, ',');
    out_date(o, e->date);
    out_char(o, ',');
    if (e->detail)
      out_str(o, e->detail);
    out_char(o, ',');
    out_date(o, e->end);
    out_char(o, ',');
    if (e->ref_prefix) {
      out_str(o, e->ref_prefix);
      out_uint(o, e->ref_number);
    }
    out_char(o, '\n');
  }
  return (unsigned long)l.n;
}
