/* The evaluator: a case's milestones as of a date (timescales.md 2-4).
 *
 * Each milestone of the rule set forms occurrences from the case's events
 * according to its pairing (ruleset_internal.h), computes the due date from
 * the start by its limit and the counting conventions, looks for an end
 * event, a cancelling event and any exception, and derives the status.
 * Everything reads the case and the evaluator only; results go into the
 * caller's timeline, whose buffers are reused from case to case. */
#include "case_internal.h"
#include "ruleset_internal.h"

#include "ehcp/timeline.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A setting's closures long enough for reg 10(4)(a)/(b): [c, r), r - c >= 28. */
struct long_closure {
  ehcp_date c, r;
};

struct setting {
  char *ref;
  struct long_closure *runs;
  size_t n;
  UT_hash_handle hh;
};

struct ehcp_evaluator {
  const ehcp_ruleset *rs;
  const ehcp_calendar *cal;
  struct milestone *m; /* the rule set's milestones with review_clock resolved */
  uint32_t *start_types; /* per milestone: bit (1 << type) of its start (and restart) events */
  size_t n;
  bool week_day_one;         /* the rule set's conventions, copied for the hot path */
  bool window_end_inclusive;
  struct setting *settings;
};

/* An education / early-years advice request dated in [C - 7, R - 7] of a
 * 28+ day closure of its setting: the exception it brings and the closure's
 * length (for stop-the-clock targets). */
struct derived {
  ehcp_date requested;
  int kind;
  int32_t days;
};

struct ehcp_timeline {
  struct ehcp_milestone_result *r;
  size_t n, cap;
  uint64_t *used; /* PAIR_REF: end events already paired (bitmap over events) */
  size_t used_words;
  int32_t *chain; /* next visible event of the same type, -1 at the end */
  size_t chain_cap;
  struct derived *derived; /* the case's advice requests that bring in reg 10(4)(a)/(b) */
  size_t nderived, derived_cap;
  int stage;
  ehcp_date as_of;
};

/* The evaluator's inner steps are small and called from several pairings:
 * inlining them saves a call frame per occurrence on the hot path. */
#if defined(__GNUC__)
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE static inline
#endif

#define COVID_FIRST 18383 /* 2020-05-01: SI 2020/471 */
#define COVID_LAST 18530  /* 2020-09-25 */
#define CLOSURE_MIN_DAYS 28

/* ---- evaluator ----------------------------------------------------------- */

/* Resolve review_clock to its event type and note the list's types, so a
 * look-up can stop at once when the case has none of them. */
static void resolve_list(struct match_list *l, int review_clock) {
  l->types = 0;
  for (int i = 0; i < l->n; i++) {
    if (l->m[i].type == EVENT_REVIEW_CLOCK)
      l->m[i].type = (uint8_t)review_clock;
    l->types |= UINT32_C(1) << l->m[i].type;
  }
}

int ehcp_evaluator_new(ehcp_evaluator **out, const ehcp_ruleset *rs, const ehcp_calendar *cal) {
  if (!out || !rs || !cal)
    return EHCP_ERR_INVALID;
  ehcp_evaluator *ev = calloc(1, sizeof *ev);
  if (!ev)
    return EHCP_ERR_NOMEM;
  ev->rs = rs;
  ev->cal = cal;
  ev->n = rs->n;
  ev->m = malloc((rs->n ? rs->n : 1) * sizeof *ev->m);
  ev->start_types = malloc((rs->n ? rs->n : 1) * sizeof *ev->start_types);
  if (!ev->m || !ev->start_types) {
    free(ev->m);
    free(ev->start_types);
    free(ev);
    return EHCP_ERR_NOMEM;
  }
  ev->week_day_one = rs->week_counting == WEEKS_T0_DAY1;
  ev->window_end_inclusive = rs->window_end_inclusive;
  int clock = rs->review_clock == REVIEW_CLOCK_MEETING ? EHCP_EV_REVIEW_MEETING
                                                       : EHCP_EV_REVIEW_DECISION;
  for (size_t i = 0; i < rs->n; i++) {
    ev->m[i] = rs->m[i];
    struct milestone *m = &ev->m[i];
    resolve_list(&m->start, clock);
    resolve_list(&m->end, clock);
    resolve_list(&m->cancel, clock);
    resolve_list(&m->restart, clock);
    resolve_list(&m->until, clock);
    ev->start_types[i] = m->start.types | m->restart.types;
  }
  *out = ev;
  return EHCP_OK;
}

const ehcp_ruleset *ehcp_evaluator_ruleset(const ehcp_evaluator *ev) { return ev->rs; }

const ehcp_calendar *ehcp_evaluator_calendar(const ehcp_evaluator *ev) { return ev->cal; }

void ehcp_evaluator_free(ehcp_evaluator *ev) {
  if (!ev)
    return;
  struct setting *s, *tmp;
  HASH_ITER(hh, ev->settings, s, tmp) {
    HASH_DEL(ev->settings, s);
    free(s->ref);
    free(s->runs);
    free(s);
  }
  free(ev->m);
  free(ev->start_types);
  free(ev);
}

int ehcp_evaluator_add_setting_calendar(ehcp_evaluator *ev, const char *ref,
                                        const ehcp_calendar *setting) {
  if (!ev || !ref || !*ref || !setting)
    return EHCP_ERR_INVALID;
  struct setting *s;
  HASH_FIND_STR(ev->settings, ref, s);
  if (!s) {
    if (!(s = calloc(1, sizeof *s)) || !(s->ref = strdup(ref))) {
      free(s);
      return EHCP_ERR_NOMEM;
    }
    int hash_oom = 0;
    HASH_ADD_KEYPTR(hh, ev->settings, s->ref, strlen(s->ref), s);
    if (hash_oom) {
      free(s->ref);
      free(s);
      return EHCP_ERR_NOMEM;
    }
  }
  /* Runs of days the setting is not open; keep those of 28+ days. */
  ehcp_date first, last;
  ehcp_calendar_range(&first, &last, setting);
  size_t n = 0, cap = 0;
  struct long_closure *runs = NULL;
  for (ehcp_date d = first; d <= last;) {
    if (ehcp_calendar_is_working_day(setting, d) == 1) {
      d++;
      continue;
    }
    ehcp_date c = d, r;
    if (ehcp_calendar_next(&r, setting, d) != EHCP_OK)
      r = last + 1;
    if (r - c >= CLOSURE_MIN_DAYS) {
      if (n == cap) {
        cap = cap ? cap * 2 : 16;
        struct long_closure *grown = realloc(runs, cap * sizeof *grown);
        if (!grown) {
          free(runs);
          return EHCP_ERR_NOMEM;
        }
        runs = grown;
      }
      runs[n++] = (struct long_closure){c, r};
    }
    d = r;
  }
  free(s->runs);
  s->runs = runs;
  s->n = n;
  return EHCP_OK;
}

/* ---- timeline ------------------------------------------------------------ */

int ehcp_timeline_new(ehcp_timeline **out) {
  if (!out)
    return EHCP_ERR_INVALID;
  *out = calloc(1, sizeof **out);
  return *out ? EHCP_OK : EHCP_ERR_NOMEM;
}

void ehcp_timeline_free(ehcp_timeline *tl) {
  if (!tl)
    return;
  free(tl->r);
  free(tl->used);
  free(tl->chain);
  free(tl->derived);
  free(tl);
}

size_t ehcp_timeline_count(const ehcp_timeline *tl) { return tl->n; }

const struct ehcp_milestone_result *ehcp_timeline_get(const ehcp_timeline *tl, size_t index) {
  return index < tl->n ? &tl->r[index] : NULL;
}

int ehcp_timeline_stage(const ehcp_timeline *tl) { return tl->stage; }

ehcp_date ehcp_timeline_as_of(const ehcp_timeline *tl) { return tl->as_of; }

int ehcp_timeline_next(size_t *index, const ehcp_timeline *tl) {
  size_t best = SIZE_MAX;
  for (size_t i = 0; i < tl->n; i++) {
    const struct ehcp_milestone_result *r = &tl->r[i];
    if (r->status != EHCP_STATUS_DUE && r->status != EHCP_STATUS_OVERDUE)
      continue;
    if (best == SIZE_MAX || r->due < tl->r[best].due ||
        (r->due == tl->r[best].due && r->statutory > tl->r[best].statutory))
      best = i;
  }
  if (best == SIZE_MAX)
    return EHCP_ERR_NOT_FOUND;
  if (index)
    *index = best;
  return EHCP_OK;
}

static struct ehcp_milestone_result *push_result(ehcp_timeline *tl) {
  if (tl->n == tl->cap) {
    size_t cap = tl->cap ? tl->cap * 2 : 32;
    struct ehcp_milestone_result *grown = realloc(tl->r, cap * sizeof *grown);
    if (!grown)
      return NULL;
    tl->r = grown;
    tl->cap = cap;
  }
  return &tl->r[tl->n++];
}

/* ---- names --------------------------------------------------------------- */

const char *ehcp_status_name(int status) {
  static const char *const names[] = {NULL, "met", "missed", "due", "overdue", "not_applicable"};
  return status >= 1 && status <= 5 ? names[status] : NULL;
}

const char *ehcp_stage_name(int stage) {
  static const char *const names[] = {"none",         "request",    "assessment", "draft",
                                      "plan",         "review",     "not_assessed",
                                      "not_issued",   "withdrawn",  "ceased"};
  return stage >= 0 && stage <= 9 ? names[stage] : NULL;
}

const char *ehcp_exception_kind_name(int kind) {
  const char *const *words;
  int n = event_detail_vocabulary(EHCP_EV_EXCEPTION, &words);
  return kind >= 1 && kind <= n ? words[kind - 1] : NULL;
}

/* ---- evaluation ---------------------------------------------------------- */

/* What one evaluation needs at hand. */
struct eval {
  const ehcp_evaluator *ev;
  const struct ehcp_case *c;
  const struct event *e;
  uint32_t ne;      /* all events */
  uint32_t visible; /* events [0, visible) are dated on or before as_of */
  ehcp_date as_of;
  ehcp_timeline *tl;
  const int32_t *chain;             /* tl->chain, at hand */
  uint32_t present;                 /* bit (1 << type) of each visible event's type */
  uint32_t planned;                 /* the same for events after as_of */
  int32_t head[EHCP_EV_TYPE_COUNT]; /* first visible event of each type, -1 if none */
};

static inline int matches(const struct match_list *l, const struct event *e) {
  for (int i = 0; i < l->n; i++)
    if (l->m[i].type == e->type && (!l->m[i].details || l->m[i].details >> e->detail & 1u))
      return 1;
  return 0;
}

/* First visible event matching l dated in [from, to), or -1. Walks only
 * the chains of the types l names: a case's events of one type are few. */
static inline int64_t find_first(const struct eval *x, const struct match_list *l, ehcp_date from,
                          ehcp_date to) {
  int64_t best = -1;
  if (!(x->present & l->types))
    return -1;
  for (int k = 0; k < l->n; k++) {
    const struct event_match *m = &l->m[k];
    if (!(x->present >> m->type & 1u))
      continue;
    for (int32_t i = x->head[m->type]; i >= 0 && (best < 0 || i < best); i = x->chain[i]) {
      const struct event *e = &x->e[i];
      if (e->date >= to)
        break;
      if (e->date >= from && (!m->details || m->details >> e->detail & 1u)) {
        best = i;
        break;
      }
    }
  }
  return best;
}

static int day_one(const struct eval *x, const struct milestone *m) {
  if (m->day_one == DAY_ONE_CONVENTION)
    return x->ev->week_day_one;
  return m->day_one == DAY_ONE_YES;
}

/* The last compliant day for an occurrence starting on start. */
static int due_date(ehcp_date *due, const struct eval *x, const struct milestone *m,
                    ehcp_date start) {
  int rc = EHCP_OK, inclusive = m->amount > 0 && day_one(x, m);
  switch (m->unit) {
  case UNIT_DAYS:
  case UNIT_WEEKS: {
    /* The hot path: plain day arithmetic, checked against the date range. */
    int64_t d = (int64_t)start + (m->unit == UNIT_WEEKS ? 7 : 1) * (int64_t)m->amount - inclusive;
    if (d < EHCP_DATE_MIN || d > EHCP_DATE_MAX)
      return EHCP_ERR_RANGE;
    *due = (ehcp_date)d;
    break;
  }
  case UNIT_MONTHS: rc = ehcp_date_add_months(due, start, m->amount); break;
  case UNIT_WORKING_DAYS: rc = ehcp_calendar_add(due, x->ev->cal, start, m->amount); break;
  case UNIT_BEFORE_DATE: {
    int year;
    ehcp_date fixed;
    ehcp_date_to_ymd(&year, NULL, NULL, start);
    rc = ehcp_date_from_ymd(&fixed, year, m->fixed_month, m->fixed_day);
    if (rc == EHCP_OK)
      *due = fixed - 1; /* "before 15 February": 14 February, no roll (3.4) */
    break;
  }
  }
  if (rc == EHCP_OK && m->roll_forward)
    rc = ehcp_calendar_next(due, x->ev->cal, *due);
  return rc;
}

struct exception_found {
  int kind;             /* first applying kind, 0 = none */
  int32_t extension;    /* stop-the-clock days */
};

static void found(struct exception_found *f, int kind, int64_t days) {
  if (!f->kind)
    f->kind = kind;
  if (days > 0 && f->extension < INT32_MAX - days)
    f->extension += (int32_t)days;
}

/* Derived reg 10(4)(a)/(b) (2.1): find, once per case, the education and
 * early-years advice requests dated in [C - 7, R - 7] of a 28+ day closure
 * of their setting. */
static int find_derived(struct eval *x) {
  ehcp_timeline *tl = x->tl;
  tl->nderived = 0;
  if (!x->ev->settings)
    return EHCP_OK;
  int window_end = x->ev->window_end_inclusive ? 0 : 1;
  for (int32_t i = x->head[EHCP_EV_ADVICE_REQUESTED]; i >= 0; i = x->chain[i]) {
    const struct event *a = &x->e[i];
    int kind = a->detail == ADVISER_EDUCATION     ? EHCP_EXC_SCHOOL_CLOSURE
               : a->detail == ADVISER_EARLY_YEARS ? EHCP_EXC_EARLY_YEARS_CLOSURE
                                                  : 0;
    if (!kind || !a->ref)
      continue;
    struct setting *s;
    const char *ref = case_string(x->c, a->ref);
    HASH_FIND_STR(x->ev->settings, ref, s);
    for (size_t k = 0; s && k < s->n; k++) {
      if (a->date < s->runs[k].c - 7 || a->date > s->runs[k].r - 7 - window_end)
        continue;
      if (tl->nderived == tl->derived_cap) {
        size_t cap = tl->derived_cap ? tl->derived_cap * 2 : 8;
        struct derived *grown = realloc(tl->derived, cap * sizeof *grown);
        if (!grown)
          return EHCP_ERR_NOMEM;
        tl->derived = grown;
        tl->derived_cap = cap;
      }
      tl->derived[tl->nderived++] = (struct derived){a->date, kind, s->runs[k].r - s->runs[k].c};
    }
  }
  return EHCP_OK;
}

/* Exceptions that apply to the period [start, due] (2.1): recorded ones,
 * and closures derived from settings' calendars. ref: the occurrence's ref
 * (an appointment missed with a ref applies to that advice only). */
static struct exception_found exceptions(const struct eval *x, const struct milestone *m,
                                         ehcp_date start, ehcp_date due, uint32_t ref) {
  struct exception_found f = {0, 0};
  if (!m->exceptions)
    return f;
  ehcp_date lo = start < due ? start : due, hi = start < due ? due : start;
  for (int32_t i = x->head[EHCP_EV_EXCEPTION]; i >= 0; i = x->chain[i]) {
    const struct event *e = &x->e[i];
    if (!(m->exceptions & EXC_BIT(e->detail)))
      continue;
    ehcp_date end = e->end != EHCP_DATE_NONE ? e->end : x->as_of; /* open: ongoing */
    if (end < e->date)
      continue; /* reported by validation (exception_end_before_start) */
    ehcp_date from = e->date > lo ? e->date : lo, to = end < hi ? end : hi;
    int64_t overlap = (int64_t)to - from + 1, length = (int64_t)end - e->date + 1;
    switch (e->detail) {
    case EHCP_EXC_UNSPECIFIED: found(&f, e->detail, 0); break;
    case EHCP_EXC_ABSENCE:
      if (overlap >= CLOSURE_MIN_DAYS) /* one continuous absence of 4+ weeks in the period */
        found(&f, e->detail, length);
      break;
    case EHCP_EXC_COVID:
      if (overlap > 0 && from <= COVID_LAST && to >= COVID_FIRST)
        found(&f, e->detail, 0);
      break;
    case EHCP_EXC_APPOINTMENT_MISSED:
      if (overlap > 0 && (!e->ref || e->ref == ref))
        found(&f, e->detail, length);
      break;
    default:
      if (overlap > 0)
        found(&f, e->detail, length);
      break;
    }
  }
  for (size_t i = 0; i < x->tl->nderived; i++) {
    const struct derived *d = &x->tl->derived[i];
    if (d->requested >= lo && d->requested <= hi && (m->exceptions & EXC_BIT(d->kind)))
      found(&f, d->kind, d->days);
  }
  return f;
}

/* Record one occurrence. done/cancel are EHCP_DATE_NONE when absent. */
static int occurrence(struct eval *x, size_t mi, const struct event *start, ehcp_date done,
                      ehcp_date cancel) {
  const struct milestone *m = &x->ev->m[mi];
  struct ehcp_milestone_result *r = push_result(x->tl);
  if (!r)
    return EHCP_ERR_NOMEM;
  *r = (struct ehcp_milestone_result){.milestone = mi,
                                      .id = m->id,
                                      .name = m->name,
                                      .statutory = m->statutory,
                                      .start = start->date,
                                      .due = EHCP_DATE_NONE,
                                      .done = done,
                                      .status = EHCP_STATUS_NOT_APPLICABLE,
                                      .days_late = EHCP_NO_VALUE,
                                      .days_left = EHCP_NO_VALUE,
                                      .working_days_left = EHCP_NO_VALUE,
                                      .ref = case_string(x->c, start->ref),
                                      .detail = m->pairing == PAIR_REF ? start->detail : 0};
  ehcp_date due;
  if (due_date(&due, x, m, start->date) != EHCP_OK)
    return EHCP_OK; /* beyond the calendar: shown as not applicable with no due date */
  struct exception_found f = exceptions(x, m, start->date, due, start->ref);
  r->exception = f.kind != 0;
  r->exception_kind = f.kind;
  if (m->stop_clock)
    due += f.extension; /* local practice only: statutory limits never move */
  r->due = due;

  if (m->window) {
    /* The period must be allowed in full: done (the end event) must follow it. */
    if (done != EHCP_DATE_NONE)
      r->status = done > due ? EHCP_STATUS_MET : EHCP_STATUS_MISSED;
    else
      r->status = x->as_of <= due ? EHCP_STATUS_DUE : EHCP_STATUS_MET;
  } else if (cancel != EHCP_DATE_NONE && (done == EHCP_DATE_NONE || cancel <= done)) {
    r->done = EHCP_DATE_NONE;
    r->status = EHCP_STATUS_NOT_APPLICABLE;
  } else if (done != EHCP_DATE_NONE) {
    r->status = done <= due ? EHCP_STATUS_MET : EHCP_STATUS_MISSED;
    if (done > due)
      r->days_late = done - due;
  } else if (x->as_of <= due) {
    r->status = EHCP_STATUS_DUE;
  } else {
    r->status = EHCP_STATUS_OVERDUE;
    r->days_late = x->as_of - due;
  }
  if (r->status == EHCP_STATUS_DUE) {
    int32_t n;
    r->days_left = due - x->as_of;
    if (ehcp_calendar_count(&n, x->ev->cal, x->as_of + 1, due + 1) == EHCP_OK)
      r->working_days_left = n;
  }
  return EHCP_OK;
}

static ehcp_date date_of(const struct eval *x, int64_t i) {
  return i < 0 ? EHCP_DATE_NONE : x->e[i].date;
}

/* The next visible event after index i that matches l, or -1. */
static inline int64_t next_match(const struct eval *x, const struct match_list *l, int64_t i) {
  int64_t best = -1;
  if (!(x->present & l->types))
    return -1;
  for (int k = 0; k < l->n; k++) {
    const struct event_match *m = &l->m[k];
    if (!(x->present >> m->type & 1u))
      continue;
    /* From event i itself when it is of this type (the usual case: i came
     * from the same list), else from the first event of the type. */
    int32_t j = x->e[i].type == m->type ? x->chain[i] : x->head[m->type];
    for (; j >= 0 && (best < 0 || j < best); j = x->chain[j]) {
      if (j > i && (!m->details || m->details >> x->e[j].detail & 1u)) {
        best = j;
        break;
      }
    }
  }
  return best;
}

static int pair_first(struct eval *x, size_t mi) {
  const struct milestone *m = &x->ev->m[mi];
  int64_t s = find_first(x, &m->start, EHCP_DATE_MIN, INT32_MAX);
  if (s < 0)
    return EHCP_OK;
  ehcp_date t = x->e[s].date;
  return occurrence(x, mi, &x->e[s], date_of(x, find_first(x, &m->end, t, INT32_MAX)),
                    date_of(x, find_first(x, &m->cancel, t, INT32_MAX)));
}

static int pair_each(struct eval *x, size_t mi) {
  const struct milestone *m = &x->ev->m[mi];
  for (int64_t i = find_first(x, &m->start, EHCP_DATE_MIN, INT32_MAX); i >= 0;) {
    ehcp_date t = x->e[i].date;
    int64_t following = find_first(x, &m->start, t + 1, INT32_MAX);
    ehcp_date next = following < 0 ? INT32_MAX : x->e[following].date;
    int rc = occurrence(x, mi, &x->e[i], date_of(x, find_first(x, &m->end, t, next)),
                        date_of(x, find_first(x, &m->cancel, t, next)));
    if (rc != EHCP_OK)
      return rc;
    /* Several start events on one day form one occurrence each. */
    i = next_match(x, &m->start, i);
  }
  return EHCP_OK;
}

static int pair_ref(struct eval *x, size_t mi) {
  const struct milestone *m = &x->ev->m[mi];
  /* Most cases have under 64 events: keep the bitmap in a register then. */
  uint64_t small = 0, *used = &small;
  size_t words = (x->ne + 63) / 64;
  if (words > 1) {
    if (words > x->tl->used_words) {
      uint64_t *grown = realloc(x->tl->used, words * sizeof *grown);
      if (!grown)
        return EHCP_ERR_NOMEM;
      x->tl->used = grown;
      x->tl->used_words = words;
    }
    used = x->tl->used;
    memset(used, 0, words * sizeof *used);
  }
  for (int64_t i = find_first(x, &m->start, EHCP_DATE_MIN, INT32_MAX); i >= 0;
       i = next_match(x, &m->start, i)) {
    const struct event *s = &x->e[i];
    int64_t end = -1;
    for (int64_t j = find_first(x, &m->end, s->date, INT32_MAX); j >= 0 && end < 0;
         j = next_match(x, &m->end, j)) {
      const struct event *e = &x->e[j];
      if (!(used[j / 64] >> (j % 64) & 1u) && e->ref == s->ref &&
          (!s->detail || e->detail == s->detail))
        end = j;
    }
    if (end >= 0)
      used[end / 64] |= UINT64_C(1) << (end % 64);
    int rc = occurrence(x, mi, s, date_of(x, end),
                        date_of(x, find_first(x, &m->cancel, s->date, INT32_MAX)));
    if (rc != EHCP_OK)
      return rc;
  }
  return EHCP_OK;
}

/* A chain of occurrences, each from an anchor to the next restart event;
 * an `until` event ends the chain (the obligation lapses). */
static int pair_repeat(struct eval *x, size_t mi) {
  const struct milestone *m = &x->ev->m[mi];
  int64_t a = find_first(x, &m->start, EHCP_DATE_MIN, INT32_MAX);
  int64_t r = find_first(x, &m->restart, EHCP_DATE_MIN, INT32_MAX);
  if (a < 0 || (r >= 0 && r < a))
    a = r;
  while (a >= 0) {
    ehcp_date t = x->e[a].date;
    int64_t next = find_first(x, &m->restart, t + 1, INT32_MAX);
    int64_t until = find_first(x, &m->until, t, next < 0 ? INT32_MAX : x->e[next].date);
    size_t before = x->tl->n;
    int rc = occurrence(x, mi, &x->e[a], date_of(x, next), EHCP_DATE_NONE);
    if (rc != EHCP_OK)
      return rc;
    if (until >= 0) {
      /* The chain ends: no obligation if it lapsed before the due date,
       * otherwise the review was missed by the time it lapsed. */
      struct ehcp_milestone_result *r = &x->tl->r[before];
      ehcp_date u = x->e[until].date;
      if (r->due == EHCP_DATE_NONE || u <= r->due) {
        r->status = EHCP_STATUS_NOT_APPLICABLE;
        r->days_left = r->working_days_left = r->days_late = EHCP_NO_VALUE;
      } else if (r->status == EHCP_STATUS_OVERDUE) {
        r->status = EHCP_STATUS_MISSED;
        r->days_late = u - r->due;
      }
      return EHCP_OK;
    }
    a = next;
  }
  return EHCP_OK;
}

/* Occurrences whose start is a (possibly future) planned date: done by the
 * last end event in (previous start, start]. */
static int pair_before(struct eval *x, size_t mi) {
  const struct milestone *m = &x->ev->m[mi];
  ehcp_date prev = EHCP_DATE_MIN - 1;
  for (uint32_t i = 0; i < x->ne; i++) {
    const struct event *s = &x->e[i];
    if (!matches(&m->start, s))
      continue;
    int64_t end = -1;
    for (uint32_t j = 0; j < x->visible && x->e[j].date <= s->date; j++)
      if (x->e[j].date > prev && matches(&m->end, &x->e[j]))
        end = j;
    int rc = occurrence(x, mi, s, date_of(x, end), EHCP_DATE_NONE);
    if (rc != EHCP_OK)
      return rc;
    prev = s->date;
  }
  return EHCP_OK;
}

static int applies_to(const struct eval *x, const struct milestone *m) {
  if (!m->when_attr[0])
    return 1;
  const char *v = ehcp_case_attribute(x->c, m->when_attr);
  return v && strcmp(v, m->when_value) == 0;
}

/* The stage from the visible events (latest state wins in this order). */
static int stage_of(const struct eval *x) {
  int request = 0, assessing = 0, draft = 0, plan = 0, not_assessed = 0, not_issued = 0;
  int gone = 0, ceased = 0, review_open = 0;
  for (uint32_t i = 0; i < x->visible; i++) {
    const struct event *e = &x->e[i];
    switch (e->type) {
    case EHCP_EV_REQUEST_RECEIVED:
    case EHCP_EV_BROUGHT_TO_ATTENTION: request = 1; break;
    case EHCP_EV_ASSESSMENT_DECISION:
      assessing |= e->detail == DETAIL_YES;
      not_assessed |= e->detail == DETAIL_NO;
      gone |= e->detail == DETAIL_WITHDRAWN;
      break;
    case EHCP_EV_ISSUE_DECISION:
      not_issued |= e->detail == DETAIL_NO;
      gone |= e->detail == DETAIL_WITHDRAWN;
      break;
    case EHCP_EV_DRAFT_ISSUED: draft = 1; break;
    case EHCP_EV_FINAL_ISSUED: plan = 1; break;
    case EHCP_EV_REVIEW_MEETING: plan = 1, review_open = 1; break;
    case EHCP_EV_REVIEW_DECISION:
      plan = 1;
      review_open = e->detail == REVIEW_AMEND;
      break;
    case EHCP_EV_REVIEW_DRAFT: plan = 1, review_open = 1; break;
    case EHCP_EV_REVIEW_FINAL: plan = 1, review_open = 0; break;
    case EHCP_EV_PLAN_CEASED: ceased = 1; break;
    default: break;
    }
  }
  if (ceased)
    return EHCP_STAGE_CEASED;
  if (plan)
    return review_open ? EHCP_STAGE_REVIEW : EHCP_STAGE_PLAN;
  if (gone)
    return EHCP_STAGE_WITHDRAWN;
  if (not_assessed)
    return EHCP_STAGE_NOT_ASSESSED;
  if (not_issued)
    return EHCP_STAGE_NOT_ISSUED;
  if (draft)
    return EHCP_STAGE_DRAFT;
  if (assessing)
    return EHCP_STAGE_ASSESSMENT;
  return request ? EHCP_STAGE_REQUEST : EHCP_STAGE_NONE;
}

int ehcp_evaluate(ehcp_timeline *tl, const ehcp_evaluator *ev, const ehcp_case *c,
                  ehcp_date as_of) {
  if (!tl || !ev || !c)
    return EHCP_ERR_INVALID;
  struct eval x = {ev, c, c->events, c->nevents, 0, as_of, tl, NULL, 0, 0, {0}};
  while (x.visible < x.ne && x.e[x.visible].date <= as_of)
    x.visible++;
  if (x.visible > tl->chain_cap) {
    size_t cap = x.visible < 64 ? 64 : x.visible;
    int32_t *grown = realloc(tl->chain, cap * sizeof *grown);
    if (!grown)
      return tl->n = 0, EHCP_ERR_NOMEM;
    tl->chain = grown;
    tl->chain_cap = cap;
  }
  x.chain = tl->chain;
  /* Chain the visible events of each type, walking backwards so each
   * chain is in date order. */
  for (int t = 0; t < EHCP_EV_TYPE_COUNT; t++)
    x.head[t] = -1;
  for (int32_t i = (int32_t)x.visible - 1; i >= 0; i--) {
    uint8_t t = x.e[i].type;
    tl->chain[i] = x.head[t];
    x.head[t] = i;
    x.present |= UINT32_C(1) << t;
  }
  for (uint32_t i = x.visible; i < x.ne; i++)
    x.planned |= UINT32_C(1) << x.e[i].type;
  if (find_derived(&x) != EHCP_OK)
    return tl->n = 0, EHCP_ERR_NOMEM;
  tl->n = 0;
  tl->as_of = as_of;
  tl->stage = stage_of(&x);
  for (size_t i = 0; i < ev->n; i++) {
    const struct milestone *m = &ev->m[i];
    /* pair_before also starts from planned (future) events. */
    uint32_t starts = x.present | (m->pairing == PAIR_BEFORE ? x.planned : 0);
    if (!(starts & ev->start_types[i]) || !applies_to(&x, m))
      continue;
    int rc = EHCP_OK;
    switch (m->pairing) {
    case PAIR_FIRST: rc = pair_first(&x, i); break;
    case PAIR_EACH: rc = pair_each(&x, i); break;
    case PAIR_REF: rc = pair_ref(&x, i); break;
    case PAIR_REPEAT: rc = pair_repeat(&x, i); break;
    case PAIR_BEFORE: rc = pair_before(&x, i); break;
    }
    if (rc != EHCP_OK) {
      tl->n = 0;
      return rc;
    }
  }
  return EHCP_OK;
}

/* ---- many cases on several threads --------------------------------------- */

/* Cases are evaluated in blocks: a pool of threads fills one timeline per
 * case of the block, then the caller's function sees them in set order.
 * Blocks are small so the timelines stay in cache between being written
 * and being read; memory stays bounded whatever the size of the set. */
#define BLOCK 1024
#define MAX_THREADS 64

struct pool {
  const ehcp_evaluator *ev;
  const ehcp_case_set *set;
  ehcp_timeline **tls;
  ehcp_date as_of;
  size_t base, count; /* the block being evaluated */
  unsigned nthreads;  /* threads sharing each block, the caller's included */
  pthread_mutex_t lock;
  pthread_cond_t go, finished;
  unsigned long generation; /* bumped for each block */
  unsigned pending;         /* helper threads still on the current block */
  int quit;
  int rc[MAX_THREADS];
};

/* Thread t's share of the current block. */
static void evaluate_slice(struct pool *p, unsigned t) {
  size_t from = p->count * t / p->nthreads, to = p->count * (t + 1) / p->nthreads;
  for (size_t i = from; i < to && p->rc[t] == EHCP_OK; i++)
    p->rc[t] = ehcp_evaluate(p->tls[i], p->ev, ehcp_case_set_get(p->set, p->base + i), p->as_of);
}

struct pool_thread {
  struct pool *pool;
  unsigned index;
};

static void *pool_main(void *arg) {
  struct pool_thread *pt = arg;
  struct pool *p = pt->pool;
  unsigned long seen = 0;
  for (;;) {
    pthread_mutex_lock(&p->lock);
    while (p->generation == seen && !p->quit)
      pthread_cond_wait(&p->go, &p->lock);
    seen = p->generation;
    int quit = p->quit;
    pthread_mutex_unlock(&p->lock);
    if (quit)
      return NULL;
    evaluate_slice(p, pt->index);
    pthread_mutex_lock(&p->lock);
    if (--p->pending == 0)
      pthread_cond_signal(&p->finished);
    pthread_mutex_unlock(&p->lock);
  }
}

int ehcp_evaluate_set(const ehcp_evaluator *ev, const ehcp_case_set *set, ehcp_date as_of,
                      unsigned nthreads,
                      int (*fn)(const ehcp_case *c, const ehcp_timeline *tl, void *payload),
                      void *payload) {
  if (!ev || !set || !fn)
    return EHCP_ERR_INVALID;
  if (nthreads == 0) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    nthreads = cores > 0 ? (unsigned)cores : 1;
  }
  if (nthreads > MAX_THREADS)
    nthreads = MAX_THREADS;
  size_t total = ehcp_case_set_count(set);
  if (total <= BLOCK / 4)
    nthreads = 1; /* not worth a thread */
  if (nthreads == 1) {
    /* One timeline, reused: it stays in cache. */
    ehcp_timeline *tl;
    int rc = ehcp_timeline_new(&tl);
    for (size_t i = 0; rc == EHCP_OK && i < total; i++) {
      const ehcp_case *c = ehcp_case_set_get(set, i);
      rc = ehcp_evaluate(tl, ev, c, as_of);
      if (rc == EHCP_OK)
        rc = fn(c, tl, payload);
    }
    ehcp_timeline_free(tl);
    return rc;
  }
  struct pool p = {.ev = ev, .set = set, .as_of = as_of, .nthreads = 1};
  p.tls = calloc(BLOCK, sizeof *p.tls);
  int rc = p.tls ? EHCP_OK : EHCP_ERR_NOMEM;
  for (size_t i = 0; rc == EHCP_OK && i < BLOCK; i++)
    rc = ehcp_timeline_new(&p.tls[i]);

  /* Helper threads; if some cannot start, the block is shared among those
   * that did. */
  pthread_t threads[MAX_THREADS];
  struct pool_thread pts[MAX_THREADS];
  pthread_mutex_init(&p.lock, NULL);
  pthread_cond_init(&p.go, NULL);
  pthread_cond_init(&p.finished, NULL);
  for (unsigned t = 1; rc == EHCP_OK && t < nthreads; t++) {
    pts[t] = (struct pool_thread){&p, t};
    if (pthread_create(&threads[t], NULL, pool_main, &pts[t]) != 0)
      break;
    p.nthreads++;
  }

  for (size_t base = 0; rc == EHCP_OK && base < total; base += BLOCK) {
    pthread_mutex_lock(&p.lock);
    p.base = base;
    p.count = total - base < BLOCK ? total - base : BLOCK;
    for (unsigned t = 0; t < p.nthreads; t++)
      p.rc[t] = EHCP_OK;
    p.pending = p.nthreads - 1;
    p.generation++;
    pthread_cond_broadcast(&p.go);
    pthread_mutex_unlock(&p.lock);
    evaluate_slice(&p, 0);
    pthread_mutex_lock(&p.lock);
    while (p.pending)
      pthread_cond_wait(&p.finished, &p.lock);
    pthread_mutex_unlock(&p.lock);
    for (unsigned t = 0; t < p.nthreads && rc == EHCP_OK; t++)
      rc = p.rc[t];
    for (size_t i = 0; rc == EHCP_OK && i < p.count; i++)
      rc = fn(ehcp_case_set_get(set, base + i), p.tls[i], payload);
  }

  pthread_mutex_lock(&p.lock);
  p.quit = 1;
  pthread_cond_broadcast(&p.go);
  pthread_mutex_unlock(&p.lock);
  for (unsigned t = 1; t < p.nthreads; t++)
    pthread_join(threads[t], NULL);
  pthread_cond_destroy(&p.finished);
  pthread_cond_destroy(&p.go);
  pthread_mutex_destroy(&p.lock);
  for (size_t i = 0; p.tls && i < BLOCK; i++)
    ehcp_timeline_free(p.tls[i]);
  free(p.tls);
  return rc;
}
