/* Validation: chronology and consistency of a case (diagnostic codes 100-108).
 *
 * Every message says how evaluation treats the problem, so it has to follow
 * the evaluator's rules (lib/ruleset_internal.h, enum pairing): a step's end
 * event is the first one on or after its start, so an end event dated
 * before its start is simply not seen by that step; advice and contacts pair
 * each start with the first unused end of the same detail and ref on or
 * after it; events after the as-of date are ignored, except phase_transfer,
 * which is a planned date. The step ids named (A1, A5, B4...) are those of
 * the built-in england-2014 rule set (rules/england-2014.ini).
 *
 * One pass finds the anchors (the request, the first review meeting...),
 * one pairs advice and contacts, and a last pass walks the events in date
 * order running the checks in code order, so the output is deterministic:
 * by event, then by code. */
#include "case_internal.h"
#include "ehcp/diagnostic.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- messages ------------------------------------------------------------ */

/* A growable message buffer that starts on the stack: a message only needs
 * the heap when a ref (user data) is long. */
struct msg {
  char *p;
  size_t len, cap;
  int oom;
  char local[256];
};

static void msg_init(struct msg *m) {
  m->p = m->local;
  m->cap = sizeof m->local;
  m->len = 0;
  m->oom = 0;
  m->local[0] = '\0';
}

static void msg_free(struct msg *m) {
  if (m->p != m->local)
    free(m->p);
}

/* Make room for extra more bytes and the NUL; on failure set m->oom, after
 * which appends are dropped and report() returns EHCP_ERR_NOMEM. */
static int msg_reserve(struct msg *m, size_t extra) {
  if (m->oom)
    return 0;
  size_t cap = m->cap;
  while (cap - m->len <= extra && cap <= SIZE_MAX / 2)
    cap *= 2;
  if (cap - m->len <= extra) {
    m->oom = 1;
    return 0;
  }
  if (cap == m->cap)
    return 1;
  char *p = m->p == m->local ? malloc(cap) : realloc(m->p, cap);
  if (!p) {
    m->oom = 1;
    return 0;
  }
  if (m->p == m->local)
    memcpy(p, m->local, m->len + 1);
  m->p = p;
  m->cap = cap;
  return 1;
}

/* Append s[0..n); control characters (a ref is user data) become '?' so
 * that a message stays on one line. */
static void msg_putn(struct msg *m, const char *s, size_t n) {
  if (!msg_reserve(m, n))
    return;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    m->p[m->len++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
  }
  m->p[m->len] = '\0';
}

static void msg_put(struct msg *m, const char *s) { msg_putn(m, s, strlen(s)); }

static void msg_date(struct msg *m, ehcp_date d) {
  char buf[EHCP_DATE_ISO_SIZE];
  ehcp_date_format(buf, d);
  msg_put(m, buf);
}

/* "advice_received (education, ref URN1)": the name, then the detail where
 * it matters to evaluation (not a request's source) and the ref. */
static void msg_event_name(struct msg *m, const struct ehcp_case *c, const struct event *e) {
  msg_put(m, ehcp_event_type_name(e->type));
  const char *const *words;
  int nwords = event_detail_vocabulary(e->type, &words);
  int detail = e->type != EHCP_EV_REQUEST_RECEIVED && e->detail && e->detail <= nwords;
  if (!detail && !e->ref)
    return;
  msg_put(m, " (");
  if (detail)
    msg_put(m, words[e->detail - 1]);
  if (e->ref) {
    msg_put(m, detail ? ", ref " : "ref ");
    msg_put(m, case_string(c, e->ref));
  }
  msg_put(m, ")");
}

/* A tiny printf: %s text, %D an ehcp_date, %E an event with its date, %N an
 * event without its date. Nothing else is needed, and %E keeps every
 * message naming events the same way. */
static void msg_vformat(struct msg *m, const struct ehcp_case *c, const char *fmt, va_list ap) {
  for (const char *f = fmt; *f; f++) {
    if (*f != '%' || !f[1]) {
      size_t run = strcspn(f + 1, "%") + 1;
      msg_putn(m, f, run);
      f += run - 1;
      continue;
    }
    switch (*++f) {
    case 's': msg_put(m, va_arg(ap, const char *)); break;
    case 'D': msg_date(m, va_arg(ap, ehcp_date)); break;
    case 'N': msg_event_name(m, c, va_arg(ap, const struct event *)); break;
    case 'E': {
      const struct event *e = va_arg(ap, const struct event *);
      msg_event_name(m, c, e);
      msg_put(m, " ");
      msg_date(m, e->date);
      break;
    }
    default: msg_putn(m, f, 1); break;
    }
  }
}

/* ---- the checks ---------------------------------------------------------- */

struct validator {
  ehcp_diagnostics *d;
  ehcp_date as_of; /* EHCP_DATE_NONE: no as-of check */
  struct msg m;
};

/* Append one diagnostic located at event e of case c. */
static int report(struct validator *v, const struct ehcp_case *c, const struct event *e,
                  int severity, int code, const char *fmt, ...) {
  va_list ap;
  v->m.len = 0;
  v->m.p[0] = '\0';
  va_start(ap, fmt);
  msg_vformat(&v->m, c, fmt, ap);
  va_end(ap);
  if (v->m.oom) {
    v->m.oom = 0;
    return EHCP_ERR_NOMEM;
  }
  const char *source = e->source ? c->set->sources[e->source - 1] : NULL;
  return ehcp_diagnostics_add(v->d, severity, code, source, e->line, NULL, c->id, v->m.p);
}

/* Whether evaluation as of the as-of date sees the event. */
static int seen(const struct validator *v, const struct event *e) {
  return v->as_of == EHCP_DATE_NONE || e->date <= v->as_of ||
         e->type == EHCP_EV_PHASE_TRANSFER;
}

static int is_request(int type) {
  return type == EHCP_EV_REQUEST_RECEIVED || type == EHCP_EV_BROUGHT_TO_ATTENTION;
}

static int is_no_decision(const struct event *e) {
  return (e->type == EHCP_EV_ASSESSMENT_DECISION || e->type == EHCP_EV_ISSUE_DECISION) &&
         e->detail &&
         (e->detail == event_detail_index(e->type, "no") ||
          e->detail == event_detail_index(e->type, "withdrawn"));
}

/* The events that end a step started by the request, and what an end
 * before the request means for that step: it is unseen (`unseen`), or a
 * later one is used instead (`uses` + that event). */
static const struct request_end {
  int type;
  const char *unseen, *uses;
} request_ends[] = {
    {EHCP_EV_ASSESSMENT_DECISION,
     "A1 is evaluated as if no decision whether to assess had been made", "A1 uses"},
    {EHCP_EV_ISSUE_DECISION,
     "A3 is evaluated as if no decision whether to issue a plan had been made", "A3 uses"},
    {EHCP_EV_DRAFT_ISSUED,
     "steps that end with the draft are evaluated as if no draft plan had been issued",
     "steps that end with the draft use"},
    {EHCP_EV_FINAL_ISSUED, "A5 is evaluated as if no final plan had been issued", "A5 uses"},
};

static const struct request_end *request_end(int type) {
  for (size_t i = 0; i < sizeof request_ends / sizeof *request_ends; i++)
    if (request_ends[i].type == type)
      return &request_ends[i];
  return NULL;
}

/* Events that the evaluator takes once per case: a repeat is a duplicate. */
static int is_single(int type) {
  return is_request(type) || request_end(type) != NULL;
}

/* Events that only make sense after a request: a case that has them but no
 * request cannot be evaluated from t0. Exceptions are not among them (covid
 * applies to reviews), nor plan or review events (a plan from before the
 * data began). */
static int is_assessment_stage(int type) {
  switch (type) {
  case EHCP_EV_ASSESSMENT_DECISION:
  case EHCP_EV_ADVICE_REQUESTED:
  case EHCP_EV_ADVICE_RECEIVED:
  case EHCP_EV_ISSUE_DECISION:
  case EHCP_EV_DRAFT_ISSUED: return 1;
  default: return 0;
  }
}

/* Pair start and end events as the evaluator's `pairing = ref` does: each
 * start, in date order, takes the first unused end of the same detail and
 * ref dated on or after it. Marks the paired ends in paired[]. */
static void pair(const struct event *ev, uint32_t n, int start, int end, unsigned char *paired) {
  for (uint32_t i = 0; i < n; i++) {
    if (ev[i].type != start)
      continue;
    uint32_t j = i; /* an end on the same day may have arrived first */
    while (j > 0 && ev[j - 1].date == ev[i].date)
      j--;
    for (; j < n; j++) {
      if (ev[j].type == end && !paired[j] && ev[j].detail == ev[i].detail &&
          ev[j].ref == ev[i].ref) {
        paired[j] = 1;
        break;
      }
    }
  }
}

static int validate(struct validator *v, const struct ehcp_case *c) {
  const struct event *ev = c->events;
  uint32_t n = c->nevents;

  /* Anchors. Events are in date order, so "first" is "earliest". */
  const struct event *t0 = NULL, *meeting = NULL, *review_draft = NULL;
  const struct event *final = NULL, *no = NULL;
  uint32_t first_assessment = n;
  for (uint32_t i = 0; i < n; i++) {
    const struct event *e = &ev[i];
    if (!t0 && is_request(e->type))
      t0 = e;
    else if (!meeting && e->type == EHCP_EV_REVIEW_MEETING)
      meeting = e;
    else if (!review_draft && e->type == EHCP_EV_REVIEW_DRAFT)
      review_draft = e;
    if (first_assessment == n && is_assessment_stage(e->type))
      first_assessment = i;
  }
  /* The final plan and the "no" decision that evaluation uses: the first on
   * or after the request (one before it is reported and unseen). */
  for (uint32_t i = 0; i < n; i++) {
    const struct event *e = &ev[i];
    if (t0 && e->date < t0->date)
      continue;
    if (!final && e->type == EHCP_EV_FINAL_ISSUED)
      final = e;
    if (!no && is_no_decision(e))
      no = e;
  }

  unsigned char local[256];
  unsigned char *paired = n > sizeof local ? malloc(n) : local;
  if (!paired)
    return EHCP_ERR_NOMEM;
  memset(paired, 0, n);
  pair(ev, n, EHCP_EV_ADVICE_REQUESTED, EHCP_EV_ADVICE_RECEIVED, paired);
  pair(ev, n, EHCP_EV_CONTACT_RECEIVED, EHCP_EV_CONTACT_RESPONDED, paired);

  int rc = EHCP_OK;
  for (uint32_t i = 0; i < n && rc == EHCP_OK; i++) {
    const struct event *e = &ev[i];
    const struct request_end *re = request_end(e->type);

    /* 100 end_before_start */
    if (re && t0 && e->date < t0->date) {
      const struct event *later = NULL;
      for (uint32_t k = i + 1; k < n && !later; k++)
        if (ev[k].type == e->type && ev[k].date >= t0->date && seen(v, &ev[k]))
          later = &ev[k];
      if (later)
        rc = report(v, c, e, EHCP_SEVERITY_ERROR, EHCP_DIAG_END_BEFORE_START,
                    "%E is before %E: it is ignored and %s %E", e, t0, re->uses, later);
      else
        rc = report(v, c, e, EHCP_SEVERITY_ERROR, EHCP_DIAG_END_BEFORE_START,
                    "%E is before %E: %s", e, t0, re->unseen);
    } else if ((e->type == EHCP_EV_REVIEW_REPORT || e->type == EHCP_EV_REVIEW_DECISION) &&
               meeting && e->date < meeting->date) {
      rc = report(v, c, e, EHCP_SEVERITY_ERROR, EHCP_DIAG_END_BEFORE_START,
                  "%E is before the first %E: no review meeting is on or before it, so %s "
                  "ignores it",
                  e, meeting, e->type == EHCP_EV_REVIEW_REPORT ? "B4" : "B5");
    } else if (e->type == EHCP_EV_REVIEW_FINAL && review_draft &&
               e->date < review_draft->date) {
      rc = report(v, c, e, EHCP_SEVERITY_ERROR, EHCP_DIAG_END_BEFORE_START,
                  "%E is before the first %E: no proposed amendments are on or before it, so "
                  "B7 ignores it",
                  e, review_draft);
    }

    /* 101 plan_after_no */
    if (rc == EHCP_OK && no && e->date >= no->date &&
        (e->type == EHCP_EV_DRAFT_ISSUED || e->type == EHCP_EV_FINAL_ISSUED))
      rc = report(v, c, e, EHCP_SEVERITY_ERROR, EHCP_DIAG_PLAN_AFTER_NO, "%E is %s %E: %s", e,
                  e->date > no->date ? "after" : "on the same day as", no,
                  t0 ? "the decision stands and A5 is evaluated as not applicable"
                     : "the decision stands");

    /* 102 draft_after_final */
    if (rc == EHCP_OK && final && e->type == EHCP_EV_DRAFT_ISSUED && e->date > final->date)
      rc = report(v, c, e, EHCP_SEVERITY_ERROR, EHCP_DIAG_DRAFT_AFTER_FINAL,
                  "%E is after %E: the final plan of %D stands and this draft does not "
                  "change it; proposed amendments to a plan are recorded as review_draft",
                  e, final, final->date);

    /* 103 event_after_as_of */
    if (rc == EHCP_OK && !seen(v, e))
      rc = report(v, c, e, EHCP_SEVERITY_WARNING, EHCP_DIAG_EVENT_AFTER_AS_OF,
                  "%E is after the as-of date %D: it is ignored", e, v->as_of);

    /* 104 duplicate_event: the one used is the request (t0) or, for an end,
     * the first of its type on or after the request. */
    if (rc == EHCP_OK && is_single(e->type)) {
      const struct event *used = NULL;
      for (uint32_t k = 0; k < i && !used; k++)
        if (ev[k].type == e->type && (!t0 || ev[k].date >= t0->date))
          used = is_request(e->type) ? t0 : &ev[k];
      if (used)
        rc = report(v, c, e, EHCP_SEVERITY_WARNING, EHCP_DIAG_DUPLICATE_EVENT,
                    "%E is recorded again: evaluation uses %E and ignores this one", e, used);
    }

    /* 105 unpaired_advice, 106 unpaired_contact */
    if (rc == EHCP_OK && !paired[i] &&
        (e->type == EHCP_EV_ADVICE_RECEIVED || e->type == EHCP_EV_CONTACT_RESPONDED)) {
      int advice = e->type == EHCP_EV_ADVICE_RECEIVED;
      struct event start = *e;
      start.type = advice ? EHCP_EV_ADVICE_REQUESTED : EHCP_EV_CONTACT_RECEIVED;
      rc = report(v, c, e, EHCP_SEVERITY_WARNING,
                  advice ? EHCP_DIAG_UNPAIRED_ADVICE : EHCP_DIAG_UNPAIRED_CONTACT,
                  "%E has no open %N on or before it: it is ignored", e, &start);
    }

    /* 107 exception_end_before_start */
    if (rc == EHCP_OK && e->type == EHCP_EV_EXCEPTION && e->end != EHCP_DATE_NONE &&
        e->end < e->date)
      rc = report(v, c, e, EHCP_SEVERITY_ERROR, EHCP_DIAG_EXCEPTION_END_BEFORE_START,
                  "%E ends on %D, before it starts: the exception is ignored", e, e->end);

    /* 108 no_request, at the first event that needs a request */
    if (rc == EHCP_OK && !t0 && i == first_assessment)
      rc = report(v, c, e, EHCP_SEVERITY_ERROR, EHCP_DIAG_NO_REQUEST,
                  "%E is on a case with no request_received or brought_to_attention: A1, A3 "
                  "and A5, which start at the request, are not evaluated",
                  e);
  }

  if (paired != local)
    free(paired);
  return rc;
}

int ehcp_validate_case(ehcp_diagnostics *d, const ehcp_case *c, ehcp_date as_of) {
  if (!d || !c)
    return EHCP_ERR_INVALID;
  struct validator v = {.d = d, .as_of = as_of};
  msg_init(&v.m);
  int rc = validate(&v, c);
  msg_free(&v.m);
  return rc;
}

int ehcp_validate_set(ehcp_diagnostics *d, const ehcp_case_set *set, ehcp_date as_of) {
  if (!d || !set)
    return EHCP_ERR_INVALID;
  struct validator v = {.d = d, .as_of = as_of};
  msg_init(&v.m);
  int rc = EHCP_OK;
  for (size_t i = 0; i < set->ncases && rc == EHCP_OK; i++)
    rc = validate(&v, set->cases[i]);
  msg_free(&v.m);
  return rc;
}
