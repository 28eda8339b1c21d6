/* The evaluator: a case's milestones as of a date (timescales.md 2-4).
 *
 * Each milestone of the rule set forms occurrences from the case's events
 * according to its pairing (ruleset_internal.h), computes the due date from
 * the start by its limit and the counting conventions, looks for an end
 * event, a cancelling event and any exception, and derives the status.
 * Everything reads the case and the evaluator only; results go into the
 * caller's timeline, whose buffers are reused from case to case. */
#include "case_internal.h"
#include "grow.h"
#include "ruleset_internal.h"

#include "ehcp/timeline.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
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

#define BIT(type) (UINT32_C(1) << (type))
_Static_assert(EHCP_EV_TYPE_COUNT <= 32, "event types are bits of a uint32_t");

/* An event list as the evaluator searches it: by type, so a search visits
 * only the types a case has, with each type's details merged over the
 * list's patterns (review_clock resolved). */
struct patterns {
  uint32_t types; /* bit (1 << type) of each type the list names */
  uint32_t any;   /* the types it takes whatever their detail */
  uint32_t details[EHCP_EV_TYPE_COUNT]; /* for the others, bit (1 << detail) of those it takes */
};

/* A milestone as the hot path reads it, made once by the evaluator: what
 * every case looks at, packed together, with the limit and the counting
 * conventions already worked out. */
struct rule {
  uint32_t start_types;      /* bit (1 << type) of its start (and restart) events */
  enum pairing pairing;
  enum limit_unit unit;      /* UNIT_WEEKS becomes UNIT_DAYS with offset 7N */
  uint32_t exceptions;       /* bit (1 << kind) of the exceptions that switch it off (2.1) */
  int64_t offset;            /* UNIT_DAYS: due = start + offset (3.2) */
  size_t index;              /* in the rule set */
  int8_t memo;               /* PAIR_FIRST: memo slot of a start event shared with
                                other milestones (A1, A3, A5), or -1 */
  bool statutory, window, stop_clock, roll_forward;
  bool plain_days;           /* UNIT_DAYS without rolling forward: the hot path */
  bool everyone;             /* no `when` condition on an attribute */
  const struct milestone *m; /* id, name, limit and `when` */
  struct patterns start, end, cancel, restart, until;
};

/* Memo slots for first start events shared by PAIR_FIRST milestones: one
 * per distinct start list (england-2014 has one, the request). */
#define MEMO_SLOTS 8

struct ehcp_evaluator {
  const ehcp_ruleset *rs;
  const ehcp_calendar *cal;
  struct milestone *m; /* a copy of the rule set's milestones */
  struct rule *rules;  /* per milestone */
  size_t n;
  bool window_end_inclusive; /* the rule set's convention, copied for the hot path */
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
  uint32_t *chain; /* next visible event of the same type, NO_EVENT at the end */
  size_t chain_cap;
  struct derived *derived; /* the case's advice requests that bring in reg 10(4)(a)/(b) */
  size_t nderived, derived_cap;
  int stage;
  ehcp_date as_of;
};

/* The evaluator's inner steps are small and called from several pairings:
 * inlining them saves a call frame per occurrence on the hot path. Rare
 * steps stay out of line, so the inlined path keeps few registers. */
#if defined(__GNUC__)
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#define NOINLINE static __attribute__((noinline))
#else
#define ALWAYS_INLINE static inline
#define NOINLINE static
#endif

#define COVID_FIRST 18383 /* 2020-05-01: SI 2020/471 */
#define COVID_LAST 18530  /* 2020-09-25 */
#define CLOSURE_MIN_DAYS 28

/* ---- evaluator ----------------------------------------------------------- */

/* The patterns of l, with review_clock resolved to its event type. */
static void make_patterns(struct patterns *p, const struct match_list *l, int review_clock) {
  memset(p, 0, sizeof *p);
  for (int i = 0; i < l->n; i++) {
    int type = l->m[i].type == EVENT_REVIEW_CLOCK ? review_clock : l->m[i].type;
    p->types |= BIT(type);
    if (!l->m[i].details)
      p->any |= BIT(type);
    p->details[type] |= l->m[i].details;
  }
}

/* A PAIR_FIRST milestone whose start list an earlier one has too (A1, A3
 * and A5 all start at the request) shares a memo slot with it, so a case
 * looks its start event up once. */
static void share_start(ehcp_evaluator *ev, size_t i, int *slots) {
  for (size_t j = 0; j < i; j++) {
    if (ev->rules[j].pairing != PAIR_FIRST ||
        memcmp(&ev->rules[j].start, &ev->rules[i].start, sizeof ev->rules[i].start) != 0)
      continue;
    if (ev->rules[j].memo < 0) {
      if (*slots == MEMO_SLOTS)
        return;
      ev->rules[j].memo = (int8_t)(*slots)++;
    }
    ev->rules[i].memo = ev->rules[j].memo;
    return;
  }
}

/* The hot-path view of milestone m. */
static struct rule make_rule(const struct milestone *m, bool week_day_one, int review_clock) {
  struct rule r = {.m = m,
                   .exceptions = m->exceptions,
                   .pairing = m->pairing,
                   .unit = m->unit,
                   .memo = -1,
                   .statutory = m->statutory,
                   .window = m->window,
                   .stop_clock = m->stop_clock,
                   .roll_forward = m->roll_forward,
                   .everyone = !m->when_attr[0]};
  make_patterns(&r.start, &m->start, review_clock);
  make_patterns(&r.end, &m->end, review_clock);
  make_patterns(&r.cancel, &m->cancel, review_clock);
  make_patterns(&r.restart, &m->restart, review_clock);
  make_patterns(&r.until, &m->until, review_clock);
  r.start_types = r.start.types | r.restart.types;
  if (m->unit == UNIT_DAYS || m->unit == UNIT_WEEKS) {
    /* "N days/weeks" ends on t0 + N, or t0 + N - 1 when t0 counts as day 1 (3.2). */
    bool day_one = m->day_one == DAY_ONE_CONVENTION ? week_day_one : m->day_one == DAY_ONE_YES;
    int inclusive = m->amount > 0 && day_one;
    r.offset = (m->unit == UNIT_WEEKS ? 7 : 1) * (int64_t)m->amount - inclusive;
    r.unit = UNIT_DAYS;
  }
  r.plain_days = r.unit == UNIT_DAYS && !r.roll_forward;
  return r;
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
  ev->rules = malloc((rs->n ? rs->n : 1) * sizeof *ev->rules);
  if (!ev->m || !ev->rules) {
    free(ev->m);
    free(ev->rules);
    free(ev);
    return EHCP_ERR_NOMEM;
  }
  ev->window_end_inclusive = rs->window_end_inclusive;
  int clock = rs->review_clock == REVIEW_CLOCK_MEETING ? EHCP_EV_REVIEW_MEETING
                                                       : EHCP_EV_REVIEW_DECISION;
  int slots = 0;
  for (size_t i = 0; i < rs->n; i++) {
    ev->m[i] = rs->m[i];
    ev->rules[i] = make_rule(&ev->m[i], rs->week_counting == WEEKS_T0_DAY1, clock);
    ev->rules[i].index = i;
    if (ev->m[i].pairing == PAIR_FIRST)
      share_start(ev, i, &slots);
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
  free(ev->rules);
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

NOINLINE int grow_results(ehcp_timeline *tl) {
  void *p = tl->r;
  int rc = array_grow(&p, &tl->cap, tl->n, sizeof *tl->r, 32);
  tl->r = p;
  return rc;
}

static inline struct ehcp_milestone_result *push_result(ehcp_timeline *tl) {
  if (tl->n == tl->cap && grow_results(tl) != EHCP_OK)
    return NULL;
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

/* Event indexes are unsigned with "none" the largest value, so a chain walk
 * tests "end of chain" and "past the best found so far" in one compare. */
#define NO_EVENT UINT32_MAX

/* What one evaluation needs at hand. */
struct eval {
  const ehcp_evaluator *ev;
  const struct ehcp_case *c;
  const struct event *e;
  uint32_t ne;      /* all events */
  uint32_t visible; /* events [0, visible) are dated on or before as_of */
  ehcp_date as_of;
  ehcp_timeline *tl;
  const uint32_t *chain;             /* tl->chain, at hand */
  uint32_t present;                  /* bit (1 << type) of each visible event's type */
  uint32_t planned;                  /* the same for events after as_of */
  bool exception_sources;            /* an exception event or a derived closure (2.1) */
  uint32_t memo_known;               /* bit (1 << slot) of the memo slots filled */
  uint32_t memo[MEMO_SLOTS];         /* first start event by memo slot (struct rule) */
  uint32_t head[EHCP_EV_TYPE_COUNT]; /* first visible event of each type, or NO_EVENT */
};

/* The lowest type of a non-empty set of type bits. */
static inline int lowest_type(uint32_t types) {
#if defined(__GNUC__)
  return __builtin_ctz(types);
#else
  int t = 0;
  while (!(types >> t & 1u))
    t++;
  return t;
#endif
}

/* Whether p takes an event of a type it names with this detail. */
static inline bool takes(const struct patterns *p, int type, int detail) {
  return (p->any >> type & 1u) || (p->details[type] >> detail & 1u);
}

static inline bool matches(const struct patterns *p, const struct event *e) {
  return (p->types >> e->type & 1u) && takes(p, e->type, e->detail);
}

/* First visible event matching p dated in [from, to), or NO_EVENT. Walks
 * only the chains of the types p names that the case has: a case's events
 * of one type are few. */
static inline uint32_t find_first(const struct eval *x, const struct patterns *p,
                                  ehcp_date from, ehcp_date to) {
  uint32_t best = NO_EVENT;
  for (uint32_t types = x->present & p->types; types; types &= types - 1) {
    int t = lowest_type(types);
    for (uint32_t i = x->head[t]; i < best; i = x->chain[i]) {
      const struct event *e = &x->e[i];
      if (e->date >= to)
        break;
      if (e->date >= from && takes(p, t, e->detail)) {
        best = i;
        break;
      }
    }
  }
  return best;
}

/* The next visible event after index i that matches p, or NO_EVENT. */
static inline uint32_t next_match(const struct eval *x, const struct patterns *p, uint32_t i) {
  uint32_t best = NO_EVENT;
  for (uint32_t types = x->present & p->types; types; types &= types - 1) {
    int t = lowest_type(types);
    /* From event i itself when it is of this type (the usual case: i came
     * from the same list), else from the first event of the type. */
    for (uint32_t j = x->e[i].type == t ? x->chain[i] : x->head[t]; j < best; j = x->chain[j]) {
      if (j > i && takes(p, t, x->e[j].detail)) {
        best = j;
        break;
      }
    }
  }
  return best;
}

/* The first visible event after index i that matches p and is dated after
 * it, or NO_EVENT: the start of the next occurrence of a day-based chain. */
static inline uint32_t next_day_match(const struct eval *x, const struct patterns *p,
                                      uint32_t i) {
  uint32_t j = next_match(x, p, i);
  while (j != NO_EVENT && x->e[j].date == x->e[i].date)
    j = next_match(x, p, j);
  return j;
}

static inline ehcp_date date_of(const struct eval *x, uint32_t i) {
  return i == NO_EVENT ? EHCP_DATE_NONE : x->e[i].date;
}

/* Days from 0000-03-01 to 1970-01-01 (as date.c). */
#define MARCH_0000_TO_EPOCH 719468

/* ehcp_date_add_months(), same results and errors, for the hot path (B1's
 * 12 months, once per review cycle). Dates are counted in March-based
 * years from 0000-03-01, as date.c does, so February, whose length varies,
 * is the year's last month. The day -> year, month, day step is Neri and
 * Schneider's ("Euclidean affine functions and their application to
 * calendar algorithms", 2022): multiplies and shifts where date.c's
 * civil_from_days divides six times. */
static inline int add_months(ehcp_date *out, ehcp_date date, int32_t months) {
  static const unsigned char length[12] = {31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28};
  if (date < EHCP_DATE_MIN || date > EHCP_DATE_MAX || months > 120000 || months < -120000)
    return EHCP_ERR_RANGE;
  /* date -> March-based year y, month m (0 = March .. 11 = February), day d (0-based) */
  uint32_t n1 = 4 * (uint32_t)(date + MARCH_0000_TO_EPOCH) + 3;
  uint32_t century = n1 / 146097, day_of_century = n1 % 146097 / 4;
  uint64_t p2 = (uint64_t)2939745 * (4 * day_of_century + 3);
  uint32_t y = 100 * century + (uint32_t)(p2 >> 32), day_of_year = (uint32_t)p2 / 2939745 / 4;
  uint32_t n3 = 2141 * day_of_year + 197913;
  uint32_t m = (n3 >> 16) - 3, d = (n3 & 0xffff) / 2141;
  /* Months since March of year 0; + 2 counts from January, as date.c
   * does, to keep its range (years 1 to 9999). */
  int32_t t = (int32_t)(y * 12 + m) + months;
  if (t + 2 < 12 || t + 2 >= 12 * 10000)
    return EHCP_ERR_RANGE;
  y = (uint32_t)t / 12, m = (uint32_t)t % 12;
  uint32_t feb = y + 1; /* the Gregorian year of this year's February */
  uint32_t last = length[m] + (m == 11 && feb % 4 == 0 && (feb % 100 != 0 || feb % 400 == 0));
  if (d >= last)
    d = last - 1; /* the corresponding date: 31 March + 1 month = 30 April */
  /* Days to 1 March of year y (its leap days are those of years 1..y),
   * then into the year. */
  uint32_t days = y * 365 + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + d;
  *out = (ehcp_date)days - MARCH_0000_TO_EPOCH;
  return EHCP_OK;
}

/* The last compliant day for the limits other than plain days and weeks,
 * and for any limit that rolls forward to a working day. */
NOINLINE int due_date_other(ehcp_date *due, const struct eval *x, const struct rule *r,
                            ehcp_date start) {
  int rc = EHCP_OK;
  switch (r->unit) {
  case UNIT_DAYS:
  case UNIT_WEEKS: {
    int64_t d = (int64_t)start + r->offset;
    if (d < EHCP_DATE_MIN || d > EHCP_DATE_MAX)
      return EHCP_ERR_RANGE;
    *due = (ehcp_date)d;
    break;
  }
  case UNIT_MONTHS: rc = add_months(due, start, r->m->amount); break;
  case UNIT_WORKING_DAYS: rc = ehcp_calendar_add(due, x->ev->cal, start, r->m->amount); break;
  case UNIT_BEFORE_DATE: {
    int year;
    ehcp_date fixed;
    ehcp_date_to_ymd(&year, NULL, NULL, start);
    rc = ehcp_date_from_ymd(&fixed, year, r->m->fixed_month, r->m->fixed_day);
    if (rc == EHCP_OK)
      *due = fixed - 1; /* "before 15 February": 14 February, no roll (3.4) */
    break;
  }
  }
  if (rc == EHCP_OK && r->roll_forward)
    rc = ehcp_calendar_next(due, x->ev->cal, *due);
  return rc;
}

/* The last compliant day for an occurrence starting on start. */
ALWAYS_INLINE int due_date(ehcp_date *due, const struct eval *x, const struct rule *r,
                           ehcp_date start) {
  if (!r->plain_days)
    return due_date_other(due, x, r, start);
  /* The hot path: plain day arithmetic, checked against the date range. */
  int64_t d = (int64_t)start + r->offset;
  if (d < EHCP_DATE_MIN || d > EHCP_DATE_MAX)
    return EHCP_ERR_RANGE;
  *due = (ehcp_date)d;
  return EHCP_OK;
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
  for (uint32_t i = x->head[EHCP_EV_ADVICE_REQUESTED]; i != NO_EVENT; i = x->chain[i]) {
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
      void *p = tl->derived;
      int rc = array_grow(&p, &tl->derived_cap, tl->nderived, sizeof *tl->derived, 8);
      tl->derived = p;
      if (rc != EHCP_OK)
        return rc;
      tl->derived[tl->nderived++] = (struct derived){a->date, kind, s->runs[k].r - s->runs[k].c};
    }
  }
  return EHCP_OK;
}

/* Exceptions that apply to the period [start, due] (2.1): recorded ones,
 * and closures derived from settings' calendars. ref: the occurrence's ref
 * (an appointment missed with a ref applies to that advice only). */
NOINLINE struct exception_found exceptions(const struct eval *x, const struct rule *r,
                                           ehcp_date start, ehcp_date due, uint32_t ref) {
  struct exception_found f = {0, 0};
  ehcp_date lo = start < due ? start : due, hi = start < due ? due : start;
  for (uint32_t i = x->head[EHCP_EV_EXCEPTION]; i != NO_EVENT; i = x->chain[i]) {
    const struct event *e = &x->e[i];
    if (!(r->exceptions & EXC_BIT(e->detail)))
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
    if (d->requested >= lo && d->requested <= hi && (r->exceptions & EXC_BIT(d->kind)))
      found(&f, d->kind, d->days);
  }
  return f;
}

/* An occurrence's status and the counts that go with it. */
struct verdict {
  int status;
  ehcp_date done;
  int32_t days_late, days_left, working_days_left;
};

/* Days and working days left to due, for what is due. */
NOINLINE void count_days_left(struct verdict *v, const struct eval *x, ehcp_date due) {
  int32_t n;
  v->days_left = due - x->as_of;
  if (ehcp_calendar_count(&n, x->ev->cal, x->as_of + 1, due + 1) == EHCP_OK)
    v->working_days_left = n;
}

/* The status of an occurrence due on due (timescales.md 2-4 and the
 * statuses of ehcp/timeline.h). */
ALWAYS_INLINE struct verdict judge(const struct eval *x, const struct rule *r, ehcp_date due,
                                   ehcp_date done, ehcp_date cancel) {
  struct verdict v = {EHCP_STATUS_NOT_APPLICABLE, done, EHCP_NO_VALUE, EHCP_NO_VALUE,
                      EHCP_NO_VALUE};
  if (r->window) {
    /* The period must be allowed in full: done (the end event) must follow it. */
    if (done != EHCP_DATE_NONE)
      v.status = done > due ? EHCP_STATUS_MET : EHCP_STATUS_MISSED;
    else
      v.status = x->as_of <= due ? EHCP_STATUS_DUE : EHCP_STATUS_MET;
  } else if (cancel != EHCP_DATE_NONE && (done == EHCP_DATE_NONE || cancel <= done)) {
    v.done = EHCP_DATE_NONE;
  } else if (done != EHCP_DATE_NONE) {
    v.status = done <= due ? EHCP_STATUS_MET : EHCP_STATUS_MISSED;
    if (done > due)
      v.days_late = done - due;
  } else if (x->as_of <= due) {
    v.status = EHCP_STATUS_DUE;
  } else {
    v.status = EHCP_STATUS_OVERDUE;
    v.days_late = x->as_of - due;
  }
  if (v.status == EHCP_STATUS_DUE)
    count_days_left(&v, x, due);
  return v;
}

/* Record one occurrence of r from start. detail: the start event's detail
 * for paired occurrences (PAIR_REF), else 0; done/cancel: EHCP_DATE_NONE
 * when absent. The result is worked out in locals and written once. */
ALWAYS_INLINE int occurrence(struct eval *x, const struct rule *r, const struct event *start,
                             int detail, ehcp_date done, ehcp_date cancel) {
  struct ehcp_milestone_result *out = push_result(x->tl);
  if (!out)
    return EHCP_ERR_NOMEM;
  struct exception_found f = {0, 0};
  struct verdict v = {EHCP_STATUS_NOT_APPLICABLE, done, EHCP_NO_VALUE, EHCP_NO_VALUE,
                      EHCP_NO_VALUE};
  ehcp_date due;
  if (due_date(&due, x, r, start->date) != EHCP_OK) {
    due = EHCP_DATE_NONE; /* beyond the calendar: shown as not applicable with no due date */
  } else {
    if (r->exceptions && x->exception_sources) { /* most cases have none to look at */
      f = exceptions(x, r, start->date, due, start->ref);
      if (r->stop_clock)
        due += f.extension; /* local practice only: statutory limits never move */
    }
    v = judge(x, r, due, done, cancel);
  }
  *out = (struct ehcp_milestone_result){.milestone = r->index,
                                        .id = r->m->id,
                                        .name = r->m->name,
                                        .statutory = r->statutory,
                                        .start = start->date,
                                        .due = due,
                                        .done = v.done,
                                        .status = v.status,
                                        .days_late = v.days_late,
                                        .days_left = v.days_left,
                                        .working_days_left = v.working_days_left,
                                        .exception = f.kind != 0,
                                        .exception_kind = f.kind,
                                        .ref = case_string(x->c, start->ref),
                                        .detail = detail};
  return EHCP_OK;
}

/* The first start event of a PAIR_FIRST milestone, looked up once per case
 * for the milestones sharing a memo slot. */
static uint32_t first_start(struct eval *x, const struct rule *r) {
  if (r->memo < 0)
    return find_first(x, &r->start, EHCP_DATE_MIN, INT32_MAX);
  if (!(x->memo_known >> r->memo & 1u)) {
    x->memo[r->memo] = find_first(x, &r->start, EHCP_DATE_MIN, INT32_MAX);
    x->memo_known |= UINT32_C(1) << r->memo;
  }
  return x->memo[r->memo];
}

static int pair_first(struct eval *x, const struct rule *r) {
  uint32_t s = first_start(x, r);
  if (s == NO_EVENT)
    return EHCP_OK;
  ehcp_date t = x->e[s].date;
  return occurrence(x, r, &x->e[s], 0, date_of(x, find_first(x, &r->end, t, INT32_MAX)),
                    date_of(x, find_first(x, &r->cancel, t, INT32_MAX)));
}

static int pair_each(struct eval *x, const struct rule *r) {
  for (uint32_t i = find_first(x, &r->start, EHCP_DATE_MIN, INT32_MAX); i != NO_EVENT;) {
    ehcp_date t = x->e[i].date;
    /* Several start events on one day form one occurrence each, all
     * running to the first start event of a later day. */
    uint32_t after = next_match(x, &r->start, i), following = after;
    while (following != NO_EVENT && x->e[following].date == t)
      following = next_match(x, &r->start, following);
    ehcp_date next = following == NO_EVENT ? INT32_MAX : x->e[following].date;
    int rc = occurrence(x, r, &x->e[i], 0, date_of(x, find_first(x, &r->end, t, next)),
                        date_of(x, find_first(x, &r->cancel, t, next)));
    if (rc != EHCP_OK)
      return rc;
    i = after;
  }
  return EHCP_OK;
}

static int pair_ref(struct eval *x, const struct rule *r) {
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
  for (uint32_t i = find_first(x, &r->start, EHCP_DATE_MIN, INT32_MAX); i != NO_EVENT;
       i = next_match(x, &r->start, i)) {
    const struct event *s = &x->e[i];
    uint32_t end = NO_EVENT;
    for (uint32_t j = find_first(x, &r->end, s->date, INT32_MAX); j != NO_EVENT && end == NO_EVENT;
         j = next_match(x, &r->end, j)) {
      const struct event *e = &x->e[j];
      if (!(used[j / 64] >> (j % 64) & 1u) && e->ref == s->ref &&
          (!s->detail || e->detail == s->detail))
        end = j;
    }
    if (end != NO_EVENT)
      used[end / 64] |= UINT64_C(1) << (end % 64);
    int rc = occurrence(x, r, s, s->detail, date_of(x, end),
                        date_of(x, find_first(x, &r->cancel, s->date, INT32_MAX)));
    if (rc != EHCP_OK)
      return rc;
  }
  return EHCP_OK;
}

/* A chain of occurrences, each from an anchor to the next restart event
 * dated after it; an `until` event ends the chain (the obligation lapses). */
static int pair_repeat(struct eval *x, const struct rule *r) {
  uint32_t a = find_first(x, &r->start, EHCP_DATE_MIN, INT32_MAX);
  uint32_t restart = find_first(x, &r->restart, EHCP_DATE_MIN, INT32_MAX);
  if (restart < a)
    a = restart; /* NO_EVENT is the largest index */
  while (a != NO_EVENT) {
    ehcp_date t = x->e[a].date;
    uint32_t next = next_day_match(x, &r->restart, a);
    uint32_t until = find_first(x, &r->until, t, next == NO_EVENT ? INT32_MAX : x->e[next].date);
    size_t before = x->tl->n;
    int rc = occurrence(x, r, &x->e[a], 0, date_of(x, next), EHCP_DATE_NONE);
    if (rc != EHCP_OK)
      return rc;
    if (until != NO_EVENT) {
      /* The chain ends: no obligation if it lapsed before the due date,
       * otherwise the review was missed by the time it lapsed. */
      struct ehcp_milestone_result *res = &x->tl->r[before];
      ehcp_date u = x->e[until].date;
      if (res->due == EHCP_DATE_NONE || u <= res->due) {
        res->status = EHCP_STATUS_NOT_APPLICABLE;
        res->days_left = res->working_days_left = res->days_late = EHCP_NO_VALUE;
      } else if (res->status == EHCP_STATUS_OVERDUE) {
        res->status = EHCP_STATUS_MISSED;
        res->days_late = u - res->due;
      }
      return EHCP_OK;
    }
    a = next;
  }
  return EHCP_OK;
}

/* Last visible event matching p dated in (after, upto], or NO_EVENT. */
static inline uint32_t find_last(const struct eval *x, const struct patterns *p, ehcp_date after,
                                 ehcp_date upto) {
  uint32_t best = NO_EVENT;
  for (uint32_t types = x->present & p->types; types; types &= types - 1) {
    int t = lowest_type(types);
    for (uint32_t i = x->head[t]; i != NO_EVENT && x->e[i].date <= upto; i = x->chain[i])
      if (x->e[i].date > after && takes(p, t, x->e[i].detail) && (best == NO_EVENT || i > best))
        best = i;
  }
  return best;
}

/* One PAIR_BEFORE occurrence from start s: done by the last end event in
 * (previous start, start]. */
static int before_occurrence(struct eval *x, const struct rule *r, const struct event *s,
                             ehcp_date *prev) {
  uint32_t end = find_last(x, &r->end, *prev, s->date);
  *prev = s->date;
  return occurrence(x, r, s, 0, date_of(x, end), EHCP_DATE_NONE);
}

/* Occurrences whose start is a (possibly future) planned date (B9-B11),
 * in event order: the visible start events by their chains, then the
 * planned ones, which are not chained. */
static int pair_before(struct eval *x, const struct rule *r) {
  ehcp_date prev = EHCP_DATE_MIN - 1;
  int rc = EHCP_OK;
  for (uint32_t i = find_first(x, &r->start, EHCP_DATE_MIN, INT32_MAX);
       i != NO_EVENT && rc == EHCP_OK; i = next_match(x, &r->start, i))
    rc = before_occurrence(x, r, &x->e[i], &prev);
  for (uint32_t i = x->visible; i < x->ne && rc == EHCP_OK; i++)
    if (matches(&r->start, &x->e[i]))
      rc = before_occurrence(x, r, &x->e[i], &prev);
  return rc;
}

static int applies_to(const struct eval *x, const struct rule *r) {
  if (r->everyone)
    return 1;
  const char *v = ehcp_case_attribute(x->c, r->m->when_attr);
  return v && strcmp(v, r->m->when_value) == 0;
}

/* Whether a visible event of the type has the detail. */
static bool any_detail(const struct eval *x, int type, int detail) {
  for (uint32_t i = x->head[type]; i != NO_EVENT; i = x->chain[i])
    if (x->e[i].detail == detail)
      return true;
  return false;
}

/* Whether a review is under way, by the last review event: a meeting, an
 * amend decision or proposed amendments open one; another decision or the
 * final amended plan close it. */
static bool review_open(const struct eval *x) {
  for (uint32_t i = x->visible; i-- > 0;) {
    const struct event *e = &x->e[i];
    switch (e->type) {
    case EHCP_EV_REVIEW_MEETING:
    case EHCP_EV_REVIEW_DRAFT: return true;
    case EHCP_EV_REVIEW_DECISION: return e->detail == REVIEW_AMEND;
    case EHCP_EV_REVIEW_FINAL: return false;
    default: break;
    }
  }
  return false;
}

/* The stage from the visible events (latest state wins in this order):
 * mostly from the types present, looking at details only where they
 * decide. */
static int stage_of(const struct eval *x) {
  const uint32_t review = BIT(EHCP_EV_REVIEW_MEETING) | BIT(EHCP_EV_REVIEW_DECISION) |
                          BIT(EHCP_EV_REVIEW_DRAFT) | BIT(EHCP_EV_REVIEW_FINAL);
  uint32_t p = x->present;
  if (p & BIT(EHCP_EV_PLAN_CEASED))
    return EHCP_STAGE_CEASED;
  if (p & (BIT(EHCP_EV_FINAL_ISSUED) | review))
    return p & review && review_open(x) ? EHCP_STAGE_REVIEW : EHCP_STAGE_PLAN;
  if (any_detail(x, EHCP_EV_ASSESSMENT_DECISION, DETAIL_WITHDRAWN) ||
      any_detail(x, EHCP_EV_ISSUE_DECISION, DETAIL_WITHDRAWN))
    return EHCP_STAGE_WITHDRAWN;
  if (any_detail(x, EHCP_EV_ASSESSMENT_DECISION, DETAIL_NO))
    return EHCP_STAGE_NOT_ASSESSED;
  if (any_detail(x, EHCP_EV_ISSUE_DECISION, DETAIL_NO))
    return EHCP_STAGE_NOT_ISSUED;
  if (p & BIT(EHCP_EV_DRAFT_ISSUED))
    return EHCP_STAGE_DRAFT;
  if (any_detail(x, EHCP_EV_ASSESSMENT_DECISION, DETAIL_YES))
    return EHCP_STAGE_ASSESSMENT;
  return p & (BIT(EHCP_EV_REQUEST_RECEIVED) | BIT(EHCP_EV_BROUGHT_TO_ATTENTION))
             ? EHCP_STAGE_REQUEST
             : EHCP_STAGE_NONE;
}

/* Split the events at as_of and chain the visible ones of each type. In
 * locals: x's fields would be stored back at every step. */
static int index_events(struct eval *x) {
  ehcp_timeline *tl = x->tl;
  const struct event *e = x->e;
  uint32_t visible = x->ne, planned = 0, present = 0;
  /* Events are in date order, so those after as_of (planned dates) are
   * the last few: count back from the end. */
  while (visible > 0 && e[visible - 1].date > x->as_of)
    planned |= BIT(e[--visible].type);
  if (visible > tl->chain_cap) {
    size_t cap = visible < 64 ? 64 : visible;
    uint32_t *grown = realloc(tl->chain, cap * sizeof *grown);
    if (!grown)
      return EHCP_ERR_NOMEM;
    tl->chain = grown;
    tl->chain_cap = cap;
  }
  uint32_t *chain = tl->chain, *head = x->head;
  for (int t = 0; t < EHCP_EV_TYPE_COUNT; t++)
    head[t] = NO_EVENT;
  /* Backwards, so each chain is in date order. */
  for (uint32_t i = visible; i-- > 0;) {
    uint8_t t = e[i].type;
    chain[i] = head[t];
    head[t] = i;
    present |= BIT(t);
  }
  x->chain = chain;
  x->visible = visible;
  x->present = present;
  x->planned = planned;
  return EHCP_OK;
}

int ehcp_evaluate(ehcp_timeline *tl, const ehcp_evaluator *ev, const ehcp_case *c,
                  ehcp_date as_of) {
  if (!tl || !ev || !c)
    return EHCP_ERR_INVALID;
  struct eval x = {.ev = ev, .c = c, .e = c->events, .ne = c->nevents, .as_of = as_of, .tl = tl};
  if (index_events(&x) != EHCP_OK || find_derived(&x) != EHCP_OK)
    return tl->n = 0, EHCP_ERR_NOMEM;
  x.exception_sources = (x.present & BIT(EHCP_EV_EXCEPTION)) || tl->nderived;
  tl->n = 0;
  tl->as_of = as_of;
  tl->stage = stage_of(&x);
  for (const struct rule *r = ev->rules, *end = r + ev->n; r < end; r++) {
    /* pair_before also starts from planned (future) events. */
    uint32_t starts = x.present | (r->pairing == PAIR_BEFORE ? x.planned : 0);
    if (!(starts & r->start_types) || !applies_to(&x, r))
      continue;
    int rc = EHCP_OK;
    switch (r->pairing) {
    case PAIR_FIRST: rc = pair_first(&x, r); break;
    case PAIR_EACH: rc = pair_each(&x, r); break;
    case PAIR_REF: rc = pair_ref(&x, r); break;
    case PAIR_REPEAT: rc = pair_repeat(&x, r); break;
    case PAIR_BEFORE: rc = pair_before(&x, r); break;
    }
    if (rc != EHCP_OK) {
      tl->n = 0;
      return rc;
    }
  }
  return EHCP_OK;
}

/* ---- many cases on several threads --------------------------------------- */

/* The caller's function must see the cases in set order on the calling
 * thread, and it may cost as much as the evaluation (measures and cohorts
 * do). So evaluation runs ahead of it, on every thread, into a ring of
 * chunks of timelines, while the caller takes the chunks in order and runs
 * the function over each:
 *
 *  - a chunk is CHUNK consecutive cases; chunk k goes into slot k % nslots;
 *  - any thread claims the next chunk to evaluate from one atomic counter,
 *    so the work is shared however fast each thread is;
 *  - a chunk's slot is reused only once the caller is done with the chunk
 *    nslots before it ("consumed"): unread timelines are never overwritten
 *    and memory is bounded by the ring, whatever the size of the set;
 *  - when the caller's next chunk is not ready it evaluates a chunk itself
 *    rather than wait, so with a light function every thread evaluates and
 *    with a heavy one the helpers evaluate while the caller aggregates;
 *  - nobody spins for long: a thread with nothing to do blocks on a
 *    condition variable, and whoever makes progress wakes it only when it
 *    is known to be waiting (the flags below, read after the update that
 *    matters, all sequentially consistent, so a wake-up is never lost).
 *
 * Chunks are a few hundred cases: enough that claiming and handing over
 * cost little, few enough that a waiting caller waits for little. The ring
 * has a few chunks per thread (capped), so a helper runs ahead far enough
 * to ride out a slow stretch of the function, and the timelines are still
 * in cache (L3) when the caller reads them. */
#define SMALL_SET 256 /* cases: up to this many, not worth a thread */
#define CHUNK 256     /* cases */
#define SLOTS_PER_THREAD 4
#define MAX_SLOTS 64 /* memory: at most MAX_SLOTS * CHUNK timelines */
#define MAX_THREADS 64
#define SPIN 100 /* checks before blocking: a few microseconds */

/* One chunk's place in the ring. Padded to a cache line: slots are written
 * by different threads. */
struct slot {
  atomic_size_t done; /* k + 1 once chunk k is evaluated into this slot */
  size_t n;           /* cases evaluated: all of the chunk unless rc failed */
  int rc;             /* EHCP_OK, or the error on case n of the chunk */
  char pad[64 - sizeof(atomic_size_t) - sizeof(size_t) - sizeof(int)];
};

struct pool {
  const ehcp_evaluator *ev;
  const ehcp_case_set *set;
  ehcp_date as_of;
  size_t total, nchunks, nslots;
  ehcp_timeline **tls; /* nslots * CHUNK: slot s has tls[s * CHUNK ...] */
  struct slot *slots;
  /* Each on its own cache line: next and consumed are hot, and written by
   * different threads. */
  _Alignas(64) atomic_size_t next; /* the next chunk to claim */
  _Alignas(64) atomic_size_t consumed; /* chunks the caller is done with */
  /* Waiting. A helper whose slot is still in use waits until consumed
   * reaches its space_wanted (the least over waiting helpers); the caller
   * waits for chunk caller_waits - 1 (0: not waiting). */
  _Alignas(64) atomic_size_t space_wanted;
  atomic_size_t caller_waits;
  atomic_int stop; /* set by the caller when it returns: helpers quit */
  pthread_mutex_t lock;
  pthread_cond_t space, ready;
};

static inline void cpu_relax(void) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  __builtin_ia32_pause();
#elif defined(__GNUC__) && defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* Evaluate chunk k into its slot, then publish it: the store of done
 * releases the timelines, rc and n to the caller. The slot must be free.
 * Returns rc: once published, the slot is no longer ours to read. */
static int evaluate_chunk(struct pool *p, size_t k) {
  struct slot *s = &p->slots[k % p->nslots];
  ehcp_timeline **tls = p->tls + (k % p->nslots) * CHUNK;
  size_t base = k * CHUNK, len = p->total - base < CHUNK ? p->total - base : CHUNK, i;
  int rc = EHCP_OK;
  for (i = 0; i < len && rc == EHCP_OK; i++)
    rc = ehcp_evaluate(tls[i], p->ev, ehcp_case_set_get(p->set, base + i), p->as_of);
  s->n = rc == EHCP_OK ? i : i - 1;
  s->rc = rc;
  atomic_store(&s->done, k + 1);
  if (atomic_load(&p->caller_waits) == k + 1) {
    pthread_mutex_lock(&p->lock);
    pthread_cond_signal(&p->ready);
    pthread_mutex_unlock(&p->lock);
  }
  return rc;
}

/* A helper holding chunk k waits until the caller is done with the chunk
 * last in k's slot. If the ring is full the caller is the slower side, so
 * the helper sleeps until half the ring is free rather than waking for
 * every chunk consumed. Returns 0 if the caller stopped meanwhile. */
static int wait_for_space(struct pool *p, size_t k) {
  if (k < atomic_load(&p->consumed) + p->nslots)
    return 1;
  /* k >= nslots here, and need <= k: the caller can always get that far,
   * as every chunk before k has been claimed by a thread that finishes it. */
  size_t need = k + 1 - p->nslots + p->nslots / 2;
  pthread_mutex_lock(&p->lock);
  for (;;) {
    if (need < atomic_load(&p->space_wanted))
      atomic_store(&p->space_wanted, need);
    if (atomic_load(&p->stop) || atomic_load(&p->consumed) >= need)
      break;
    pthread_cond_wait(&p->space, &p->lock);
  }
  pthread_mutex_unlock(&p->lock);
  return !atomic_load(&p->stop);
}

static void *pool_main(void *arg) {
  struct pool *p = arg;
  while (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
    size_t k = atomic_fetch_add(&p->next, 1);
    if (k >= p->nchunks || !wait_for_space(p, k))
      break;
    if (evaluate_chunk(p, k) != EHCP_OK)
      break; /* the caller stops at this chunk: evaluating on is wasted */
  }
  return NULL;
}

/* The caller, waiting for chunk k, evaluates the next unclaimed chunk
 * instead if its slot is free (the chunk is before k + nslots: the caller
 * is done with everything before k). Returns 0 if there was none. */
static int evaluate_ahead(struct pool *p, size_t k) {
  size_t limit = k + p->nslots < p->nchunks ? k + p->nslots : p->nchunks;
  size_t j = atomic_load_explicit(&p->next, memory_order_relaxed);
  while (j < limit)
    if (atomic_compare_exchange_weak(&p->next, &j, j + 1)) {
      (void)evaluate_chunk(p, j); /* the caller sees rc when it reaches chunk j */
      return 1;
    }
  return 0;
}

/* The caller waits for chunk k, which a helper is evaluating: briefly
 * spinning, as the helper may be about to finish, then blocking, as the
 * helper may not be running at all (a busy machine). Nothing else becomes
 * claimable meanwhile: only the caller frees slots. */
static void wait_for_chunk(struct pool *p, const struct slot *s, size_t k) {
  for (int i = 0; i < SPIN; i++) {
    if (atomic_load_explicit(&s->done, memory_order_acquire) == k + 1)
      return;
    cpu_relax();
  }
  pthread_mutex_lock(&p->lock);
  atomic_store(&p->caller_waits, k + 1);
  while (atomic_load(&s->done) != k + 1)
    pthread_cond_wait(&p->ready, &p->lock);
  atomic_store(&p->caller_waits, 0);
  pthread_mutex_unlock(&p->lock);
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
  if (total <= SMALL_SET)
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

  struct pool p = {.ev = ev, .set = set, .as_of = as_of, .total = total};
  p.nchunks = (total + CHUNK - 1) / CHUNK;
  if (nthreads > p.nchunks)
    nthreads = (unsigned)p.nchunks; /* a chunk each at most */
  p.nslots = SLOTS_PER_THREAD * (size_t)nthreads;
  if (p.nslots > MAX_SLOTS)
    p.nslots = MAX_SLOTS;
  if (p.nslots > p.nchunks)
    p.nslots = p.nchunks;
  atomic_init(&p.next, 0);
  atomic_init(&p.consumed, 0);
  atomic_init(&p.space_wanted, SIZE_MAX);
  atomic_init(&p.caller_waits, 0);
  atomic_init(&p.stop, 0);
  p.slots = calloc(p.nslots, sizeof *p.slots);
  p.tls = calloc(p.nslots * CHUNK, sizeof *p.tls);
  int rc = p.slots && p.tls ? EHCP_OK : EHCP_ERR_NOMEM;
  for (size_t s = 0; rc == EHCP_OK && s < p.nslots; s++)
    atomic_init(&p.slots[s].done, 0);
  for (size_t i = 0; rc == EHCP_OK && i < p.nslots * CHUNK; i++)
    rc = ehcp_timeline_new(&p.tls[i]);

  /* Helper threads; if some cannot start, the others and the caller do
   * their share (the caller alone can do it all). */
  pthread_t threads[MAX_THREADS];
  unsigned nhelpers = 0;
  pthread_mutex_init(&p.lock, NULL);
  pthread_cond_init(&p.space, NULL);
  pthread_cond_init(&p.ready, NULL);
  for (unsigned t = 1; rc == EHCP_OK && t < nthreads; t++) {
    if (pthread_create(&threads[nhelpers], NULL, pool_main, &p) != 0)
      break;
    nhelpers++;
  }

  for (size_t k = 0; rc == EHCP_OK && k < p.nchunks; k++) {
    struct slot *s = &p.slots[k % p.nslots];
    while (atomic_load_explicit(&s->done, memory_order_acquire) != k + 1)
      if (!evaluate_ahead(&p, k))
        wait_for_chunk(&p, s, k);
    ehcp_timeline **tls = p.tls + (k % p.nslots) * CHUNK;
    for (size_t i = 0; rc == EHCP_OK && i < s->n; i++)
      rc = fn(ehcp_case_set_get(set, k * CHUNK + i), tls[i], payload);
    if (rc == EHCP_OK)
      rc = s->rc;
    /* The slot is free again: wake the helpers if one waits for this. */
    atomic_store(&p.consumed, k + 1);
    if (atomic_load(&p.space_wanted) <= k + 1) {
      pthread_mutex_lock(&p.lock);
      atomic_store(&p.space_wanted, SIZE_MAX);
      pthread_cond_broadcast(&p.space);
      pthread_mutex_unlock(&p.lock);
    }
  }

  /* Done, stopped by fn or failed: helpers still evaluating finish their
   * chunk and quit; those waiting for space are woken to quit. */
  pthread_mutex_lock(&p.lock);
  atomic_store(&p.stop, 1);
  pthread_cond_broadcast(&p.space);
  pthread_mutex_unlock(&p.lock);
  for (unsigned t = 0; t < nhelpers; t++)
    pthread_join(threads[t], NULL);
  pthread_cond_destroy(&p.ready);
  pthread_cond_destroy(&p.space);
  pthread_mutex_destroy(&p.lock);
  for (size_t i = 0; p.tls && i < p.nslots * CHUNK; i++)
    ehcp_timeline_free(p.tls[i]);
  free(p.tls);
  free(p.slots);
  return rc;
}
