/* Cohort tracking (timescales.md section 7): each month's requests followed
 * through the stages, month end by month end, and time to plan.
 *
 * What one case contributes, as of a date D (its t0 <= D):
 *
 *   t0      the A5 occurrence's start (request_received or
 *           brought_to_attention); a case whose timeline has no A5 is not
 *           counted. The cohort is t0's calendar month.
 *   plan    A5's done date when A5 is met or missed (met = within 20 weeks).
 *           The plan counts from its own date: at a month end before it the
 *           case is still open.
 *   close   when A5 has no plan: the first assessment_decision no|withdrawn
 *           or issue_decision no|withdrawn dated in [t0, as-of], which ends
 *           the request (A5's cancel events in england-2014). It makes the
 *           case assess_no, not_issued or withdrawn from its date on. With a
 *           plan, decisions are not looked at: the case ended with its plan.
 *   stage   of an open case: draft once a draft_issued is dated in [t0, D],
 *           else assessment once an assessment_decision yes is, else
 *           request: the furthest stage reached, in the order
 *           ehcp_timeline_stage() uses (in a sound chronology, the stage of
 *           the latest such event).
 *   past    open and D > A5's due date.
 *
 * Events dated before t0 belong to no request of this case and are ignored,
 * as A5 ignores them. So at every date the case is in exactly one of
 * issued_within_20w, issued_after_20w, assess_no, withdrawn, not_issued,
 * open_request, open_assessment, open_draft: those eight add up to
 * `requests`. assess_yes counts decisions to assess dated in [t0, D],
 * whatever followed.
 *
 * Month on month without re-evaluating: each count of a case, seen across
 * the cohort's month ends D_0 < D_1 < ... < D_{H-1} (D_{H-1} = as-of), is
 * 1 on one run of consecutive month ends [a, b) and 0 elsewhere, because
 * each is "some date <= D < some later date". So adding a case writes +1 at
 * a and -1 at b in a per-cohort difference array (O(1) per case however
 * long the history), and the counts are the prefix sums, formed when first
 * read after a change. Unsigned wrap-around makes the -1s exact. Memory is
 * O(cohorts x months).
 *
 * Kaplan-Meier: each case is one observation, T = days from t0 to its plan
 * (an event), or a censoring: at the close date for a case closed without a
 * plan, at the as-of date for an open case. Per cohort we keep the number
 * of events and of censorings on each day 0..364 (week 52 ends on day 364);
 * with the number of requests (the rest have T >= 365) that is all the
 * estimate up to week 52 needs, and merging tables is adding those counts,
 * so a merge is exact.
 * With n(t) = #{T >= t} (those censored on day t are still at risk on day
 * t: events before censorings at the same time) and d(t) the events on
 * day t, S(t) = prod_{u <= t} (1 - d(u) / n(u)). For week w:
 *   share   = 1 - S(7w): the estimated share with a plan by day 7w, i.e.
 *             within w weeks by the default week counting (t0 + 7w is the
 *             last day of w weeks);
 *   at_risk = n(7w): cases neither planned nor censored before day 7w
 *             (as R's summary(survfit, times = 7w) reports n.risk);
 *   share is NAN when n(7w) = 0 and S has not reached 0: every case still
 *   without a plan was censored before day 7w, so the curve does not
 *   reach that week. */
#include "case_internal.h"

#include "ehcp/cohort.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The counts a case can change over its history (requests never does). */
enum field {
  F_ASSESS_YES,
  F_ASSESS_NO,
  F_WITHDRAWN,
  F_WITHIN,
  F_AFTER,
  F_NOT_ISSUED,
  F_OPEN_REQUEST,
  F_OPEN_ASSESSMENT,
  F_OPEN_DRAFT,
  F_PAST_20W,
  NFIELDS
};

static const size_t field_offset[NFIELDS] = {
    offsetof(struct ehcp_cohort_counts, assess_yes),
    offsetof(struct ehcp_cohort_counts, assess_no),
    offsetof(struct ehcp_cohort_counts, withdrawn),
    offsetof(struct ehcp_cohort_counts, issued_within_20w),
    offsetof(struct ehcp_cohort_counts, issued_after_20w),
    offsetof(struct ehcp_cohort_counts, not_issued),
    offsetof(struct ehcp_cohort_counts, open_request),
    offsetof(struct ehcp_cohort_counts, open_assessment),
    offsetof(struct ehcp_cohort_counts, open_draft),
    offsetof(struct ehcp_cohort_counts, open_past_20w),
};

#define KM_DAYS (52 * 7 + 1) /* days 0..364 */
static const int km_weeks[EHCP_KM_POINTS] = {6, 16, 20, 26, 52};

struct cohort {
  int32_t month;    /* year * 12 + month - 1 */
  size_t nhist;     /* month ends from the cohort's month to the as-of month */
  uint64_t requests;
  uint64_t *delta;  /* (nhist + 1) x NFIELDS, month-end major; wraps mod 2^64 */
  struct ehcp_cohort_counts *hist; /* nhist, formed from delta when read */
  uint64_t events[KM_DAYS], censored[KM_DAYS]; /* T >= KM_DAYS: counted in requests only */
  struct ehcp_km_point km[EHCP_KM_POINTS];
};

struct ehcp_cohorts {
  ehcp_date as_of;
  int32_t as_of_month;
  int32_t first;          /* month of slots[0] */
  size_t nslots;          /* slots cover [first, as_of_month] */
  struct cohort **slots;  /* by month; NULL where no cohort was made */
  size_t ncohorts;        /* cohorts made (some may be empty after a failed merge) */
  struct cohort **order;  /* cohorts with requests, oldest first (capacity ncohorts) */
  size_t norder;
  int dirty;              /* hist, km and order need forming */
};

static int32_t month_of(ehcp_date d) {
  int y, m;
  ehcp_date_to_ymd(&y, &m, NULL, d);
  return y * 12 + m - 1;
}

int ehcp_cohorts_new(ehcp_cohorts **out, ehcp_date as_of) {
  if (!out)
    return EHCP_ERR_INVALID;
  *out = NULL;
  if (as_of < EHCP_DATE_MIN || as_of > EHCP_DATE_MAX)
    return EHCP_ERR_INVALID;
  ehcp_cohorts *co = calloc(1, sizeof *co);
  if (!co)
    return EHCP_ERR_NOMEM;
  co->as_of = as_of;
  co->as_of_month = month_of(as_of);
  co->first = co->as_of_month + 1; /* no slots yet */
  *out = co;
  return EHCP_OK;
}

static void cohort_free(struct cohort *c) {
  if (!c)
    return;
  free(c->delta);
  free(c->hist);
  free(c);
}

void ehcp_cohorts_free(ehcp_cohorts *co) {
  if (!co)
    return;
  for (size_t i = 0; i < co->nslots; i++)
    cohort_free(co->slots[i]);
  free(co->slots);
  free(co->order);
  free(co);
}

/* The cohort of month m (m <= as_of_month), made if new. */
static struct cohort *cohort_get(ehcp_cohorts *co, int32_t month) {
  if (month < co->first) {
    /* Grow downwards, at least doubling, so a stream of ever older months
     * costs amortised O(1) moves. */
    size_t want = (size_t)(co->as_of_month - month) + 1;
    if (want < 2 * co->nslots)
      want = 2 * co->nslots;
    struct cohort **grown = calloc(want, sizeof *grown);
    if (!grown)
      return NULL;
    if (co->nslots)
      memcpy(grown + (want - co->nslots), co->slots, co->nslots * sizeof *grown);
    free(co->slots);
    co->slots = grown;
    co->nslots = want;
    co->first = co->as_of_month + 1 - (int32_t)want;
  }
  struct cohort **slot = &co->slots[month - co->first];
  if (*slot)
    return *slot;
  struct cohort **order = realloc(co->order, (co->ncohorts + 1) * sizeof *order);
  if (!order)
    return NULL;
  co->order = order;
  struct cohort *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  c->month = month;
  c->nhist = (size_t)(co->as_of_month - month) + 1;
  c->delta = calloc((c->nhist + 1) * NFIELDS, sizeof *c->delta);
  c->hist = calloc(c->nhist, sizeof *c->hist);
  if (!c->delta || !c->hist) {
    cohort_free(c);
    return NULL;
  }
  *slot = c;
  co->ncohorts++;
  return c;
}

/* Count 1 in field f at month ends [a, b) of cohort c. */
static inline void span(struct cohort *c, enum field f, size_t a, size_t b) {
  if (a >= b)
    return;
  c->delta[a * NFIELDS + f] += 1;
  c->delta[b * NFIELDS + f] -= 1;
}

static inline size_t min2(size_t a, size_t b) { return a < b ? a : b; }

/* Closing decisions: what a request ended as, when it ended without a plan. */
enum closed { CLOSED_NONE, CLOSED_ASSESS_NO, CLOSED_NOT_ISSUED, CLOSED_WITHDRAWN };

int ehcp_cohorts_add(ehcp_cohorts *co, const ehcp_case *c, const ehcp_timeline *tl) {
  if (!co || !c || !tl || ehcp_timeline_as_of(tl) != co->as_of)
    return EHCP_ERR_INVALID;
  const struct ehcp_milestone_result *a5 = NULL;
  for (size_t i = 0, n = ehcp_timeline_count(tl); i < n && !a5; i++) {
    const struct ehcp_milestone_result *r = ehcp_timeline_get(tl, i);
    if (r->id[0] == 'A' && r->id[1] == '5' && r->id[2] == '\0')
      a5 = r;
  }
  if (!a5 || a5->start > co->as_of)
    return EHCP_OK;
  const ehcp_date t0 = a5->start, as_of = co->as_of;
  const int32_t month = month_of(t0);
  struct cohort *k = cohort_get(co, month);
  if (!k)
    return EHCP_ERR_NOMEM;

  int planned = a5->status == EHCP_STATUS_MET || a5->status == EHCP_STATUS_MISSED;
  ehcp_date plan = planned ? a5->done : EHCP_DATE_NONE;
  ehcp_date yes = EHCP_DATE_NONE, draft = EHCP_DATE_NONE, close = EHCP_DATE_NONE;
  enum closed closed = CLOSED_NONE;
  for (uint32_t i = 0; i < c->nevents; i++) {
    const struct event *e = &c->events[i];
    if (e->date < t0)
      continue;
    if (e->date > as_of)
      break;
    switch (e->type) {
    case EHCP_EV_ASSESSMENT_DECISION:
      if (e->detail == DETAIL_YES) {
        if (yes == EHCP_DATE_NONE)
          yes = e->date;
      } else if (!planned && closed == CLOSED_NONE &&
                 (e->detail == DETAIL_NO || e->detail == DETAIL_WITHDRAWN)) {
        closed = e->detail == DETAIL_NO ? CLOSED_ASSESS_NO : CLOSED_WITHDRAWN;
        close = e->date;
      }
      break;
    case EHCP_EV_ISSUE_DECISION:
      if (!planned && closed == CLOSED_NONE &&
          (e->detail == DETAIL_NO || e->detail == DETAIL_WITHDRAWN)) {
        closed = e->detail == DETAIL_NO ? CLOSED_NOT_ISSUED : CLOSED_WITHDRAWN;
        close = e->date;
      }
      break;
    case EHCP_EV_DRAFT_ISSUED:
      if (draft == EHCP_DATE_NONE)
        draft = e->date;
      break;
    default: break;
    }
  }

  /* Month-end index of the first history date on or after date x:
   * D_k = the end of month (cohort + k), D_{H-1} = as_of. */
  const size_t H = k->nhist;
#define AT(x)                                                                             \
  ((x) == EHCP_DATE_NONE || (x) > as_of ? H                                               \
   : (x) <= t0                          ? 0                                               \
                                        : (size_t)(month_of(x) - month))
  size_t k_yes = AT(yes), k_draft = AT(draft);
  size_t k_end = planned ? AT(plan) : AT(close);
  /* Past 20 weeks from the day after the due date (the due date is within). */
  size_t k_past = a5->due == EHCP_DATE_NONE || a5->due >= as_of ? H : AT(a5->due + 1);
#undef AT

  k->requests++;
  span(k, F_ASSESS_YES, k_yes, H);
  if (planned)
    span(k, a5->status == EHCP_STATUS_MET ? F_WITHIN : F_AFTER, k_end, H);
  else if (closed == CLOSED_ASSESS_NO)
    span(k, F_ASSESS_NO, k_end, H);
  else if (closed == CLOSED_NOT_ISSUED)
    span(k, F_NOT_ISSUED, k_end, H);
  else if (closed == CLOSED_WITHDRAWN)
    span(k, F_WITHDRAWN, k_end, H);
  span(k, F_OPEN_REQUEST, 0, min2(k_end, min2(k_yes, k_draft)));
  span(k, F_OPEN_ASSESSMENT, k_yes, min2(k_end, k_draft));
  span(k, F_OPEN_DRAFT, k_draft, k_end);
  span(k, F_PAST_20W, k_past, k_end);

  /* Time to plan: an event at the plan, else censored at the close or as-of. */
  ehcp_date stop = planned ? plan : closed != CLOSED_NONE ? close : as_of;
  int64_t t = (int64_t)stop - t0;
  if (t < 0)
    t = 0; /* not with A5's pairing, which looks for the plan from t0 on */
  if (t < KM_DAYS) /* a later T is at risk throughout: counted in requests only */
    (planned ? k->events : k->censored)[t]++;
  co->dirty = 1;
  return EHCP_OK;
}

int ehcp_cohorts_merge(ehcp_cohorts *into, const ehcp_cohorts *from) {
  if (!into || !from || into->as_of != from->as_of)
    return EHCP_ERR_INVALID;
  if (into == from) {
    /* Adding a table to itself doubles every count. */
    for (size_t i = 0; i < into->nslots; i++) {
      struct cohort *k = into->slots[i];
      if (!k)
        continue;
      k->requests *= 2;
      for (size_t j = 0; j < (k->nhist + 1) * NFIELDS; j++)
        k->delta[j] *= 2;
      for (size_t t = 0; t < KM_DAYS; t++)
        k->events[t] *= 2, k->censored[t] *= 2;
    }
    into->dirty = 1;
    return EHCP_OK;
  }
  /* Make every cohort first, so that running out of memory leaves the
   * counts as they were (a cohort without requests is not listed). */
  for (size_t i = 0; i < from->nslots; i++)
    if (from->slots[i] && !cohort_get(into, from->slots[i]->month))
      return EHCP_ERR_NOMEM;
  for (size_t i = 0; i < from->nslots; i++) {
    const struct cohort *f = from->slots[i];
    if (!f)
      continue;
    struct cohort *k = into->slots[f->month - into->first];
    k->requests += f->requests;
    for (size_t j = 0; j < (k->nhist + 1) * NFIELDS; j++)
      k->delta[j] += f->delta[j];
    for (size_t t = 0; t < KM_DAYS; t++)
      k->events[t] += f->events[t], k->censored[t] += f->censored[t];
  }
  into->dirty = 1;
  return EHCP_OK;
}

static void km_form(struct cohort *k) {
  uint64_t n = k->requests; /* at risk on the current day */
  double s = 1.0;
  int zero = 0; /* S reached 0: every case at risk had its plan */
  int p = 0;
  for (int t = 0; t < KM_DAYS && p < EHCP_KM_POINTS; t++) {
    uint64_t d = k->events[t];
    uint64_t at_risk = n;
    if (d) {
      if (d == n)
        zero = 1, s = 0.0;
      else
        s *= (double)(n - d) / (double)n;
    }
    n -= d + k->censored[t];
    if (t == 7 * km_weeks[p]) {
      k->km[p] = (struct ehcp_km_point){km_weeks[p], at_risk || zero ? 1.0 - s : NAN, at_risk};
      p++;
    }
  }
}

/* Form the counts from the difference arrays, the curves and the listing. */
static void settle(const ehcp_cohorts *cco) {
  if (!cco->dirty)
    return;
  /* Tables are never defined const: the cache is the table's own. */
  ehcp_cohorts *co = (ehcp_cohorts *)cco;
  co->norder = 0;
  for (size_t i = 0; i < co->nslots; i++) {
    struct cohort *k = co->slots[i];
    if (!k || !k->requests)
      continue;
    co->order[co->norder++] = k;
    uint64_t run[NFIELDS] = {0};
    for (size_t h = 0; h < k->nhist; h++) {
      struct ehcp_cohort_counts *out = &k->hist[h];
      out->requests = k->requests;
      for (int f = 0; f < NFIELDS; f++) {
        run[f] += k->delta[h * NFIELDS + f];
        *(uint64_t *)((char *)out + field_offset[f]) = run[f];
      }
    }
    km_form(k);
  }
  co->dirty = 0;
}

static int compute_one(const ehcp_case *c, const ehcp_timeline *tl, void *payload) {
  return ehcp_cohorts_add(payload, c, tl);
}

int ehcp_cohorts_compute(ehcp_cohorts **out, const ehcp_evaluator *ev, const ehcp_case_set *set,
                         ehcp_date as_of) {
  if (!out)
    return EHCP_ERR_INVALID;
  *out = NULL;
  if (!ev || !set)
    return EHCP_ERR_INVALID;
  ehcp_cohorts *co;
  int rc = ehcp_cohorts_new(&co, as_of);
  if (rc != EHCP_OK)
    return rc;
  rc = ehcp_evaluate_set(ev, set, as_of, 0, compute_one, co);
  if (rc != EHCP_OK) {
    ehcp_cohorts_free(co);
    return rc;
  }
  *out = co;
  return EHCP_OK;
}

size_t ehcp_cohorts_count(const ehcp_cohorts *co) {
  if (!co)
    return 0;
  settle(co);
  return co->norder;
}

static const struct cohort *cohort_at(const ehcp_cohorts *co, size_t index) {
  if (!co)
    return NULL;
  settle(co);
  return index < co->norder ? co->order[index] : NULL;
}

int ehcp_cohorts_month(int *year, int *month, const ehcp_cohorts *co, size_t index) {
  const struct cohort *k = cohort_at(co, index);
  if (!k)
    return EHCP_ERR_NOT_FOUND;
  if (year)
    *year = k->month / 12;
  if (month)
    *month = k->month % 12 + 1;
  return EHCP_OK;
}

const struct ehcp_cohort_counts *ehcp_cohorts_counts(const ehcp_cohorts *co, size_t index) {
  const struct cohort *k = cohort_at(co, index);
  return k ? &k->hist[k->nhist - 1] : NULL;
}

size_t ehcp_cohorts_history_count(const ehcp_cohorts *co, size_t index) {
  const struct cohort *k = cohort_at(co, index);
  return k ? k->nhist : 0;
}

const struct ehcp_cohort_counts *ehcp_cohorts_history(ehcp_date *at, const ehcp_cohorts *co,
                                                      size_t index, size_t h) {
  const struct cohort *k = cohort_at(co, index);
  if (!k || h >= k->nhist)
    return NULL;
  if (at) {
    if (h + 1 == k->nhist) {
      *at = co->as_of;
    } else {
      int32_t m = k->month + (int32_t)h;
      int year = m / 12, mon = m % 12 + 1;
      ehcp_date_from_ymd(at, year, mon, ehcp_days_in_month(year, mon));
    }
  }
  return &k->hist[h];
}

const struct ehcp_km_point *ehcp_cohorts_km(const ehcp_cohorts *co, size_t index) {
  const struct cohort *k = cohort_at(co, index);
  return k ? k->km : NULL;
}
