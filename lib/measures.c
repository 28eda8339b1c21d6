/* Compliance measures (timescales.md section 6, data-formats.md section 6),
 * counted from evaluated timelines, never from deadlines derived again.
 *
 * The accumulator is built for speed on ten million cases: everything that
 * can be settled once is settled in ehcp_measures_new() (which measures each
 * milestone of the rule set feeds), so counting one occurrence is a table
 * look-up by milestone index, a civil-date split of its done date into an
 * integer period key, and an increment of a counter found through a dense
 * index by period (a "lane" per measure and group) in front of the uthash
 * table keyed by (measure, period, group). Nothing is formatted or
 * allocated per occurrence: a period label is formatted once per distinct
 * period, a group string once per distinct combination of attribute values
 * (cases are mapped to groups through the case set's interned string ids),
 * and a cell is allocated once. At ten million cases the cost is memory
 * traffic, not arithmetic: see ehcp_measures_add() and count_step().
 *
 * Everything counted is an integer (counts, sums of days, a histogram of
 * days to plan), so merging accumulators is exact and gives the figures one
 * accumulator would have given; doubles appear only when a row or summary
 * is read. */
#include "case_internal.h"
#include "ruleset_internal.h"

#include "ehcp/measures.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the measures --------------------------------------------------------- */

/* The table of measures.h, in its order (rows sort in this order). */
enum {
  M_DECISION_6W,
  M_ADVICE_6W,
  M_NOT_ISSUE_16W,
  M_FINAL_20W,
  M_FINAL_20W_EX,
  M_REVIEW_DECISION_4W,
  M_REVIEW_FINAL_8W,
  M_REVIEW_FINAL_12W,
  M_PHASE_TRANSFER,
  M_CONTACT_5WD,
  M_FIXED
};

static const struct {
  const char *id;
  const char *milestones[3]; /* ids in the rule set; contact_5wd is found by its start */
} fixed_measures[M_FIXED] = {
    [M_DECISION_6W] = {"decision_6w", {"A1"}},
    [M_ADVICE_6W] = {"advice_6w", {"A2"}},
    [M_NOT_ISSUE_16W] = {"not_issue_16w", {"A3"}},
    [M_FINAL_20W] = {"final_20w", {"A5"}},
    [M_FINAL_20W_EX] = {"final_20w_ex", {"A5"}},
    [M_REVIEW_DECISION_4W] = {"review_decision_4w", {"B5"}},
    [M_REVIEW_FINAL_8W] = {"review_final_8w", {"B7"}},
    [M_REVIEW_FINAL_12W] = {"review_final_12w", {"B7'"}},
    [M_PHASE_TRANSFER] = {"phase_transfer", {"B9", "B10", "B11"}},
    [M_CONTACT_5WD] = {"contact_5wd", {NULL}},
};

struct measure {
  char id[72]; /* a fixed id, or a local milestone's name (its id if that is taken) */
  bool selected;
};

/* What one milestone of the rule set feeds. */
enum { ROLE_PLAN = 1, ROLE_REVIEW = 2, ROLE_TRANSFER = 4 };
struct target {
  int16_t measure[2];   /* selected measures it counts in, -1 = none (A5 feeds two) */
  uint8_t role;         /* ROLE_* bits: what the waiting summary takes from it */
  uint8_t detail_type;  /* advice_6w ungrouped: the event type whose words name r->detail */
};

/* ---- cells, periods, groups, summaries ---------------------------------- */

struct cell_key {
  uint32_t measure;
  int32_t period;
  uint32_t group; /* index into group_text; 0 = no group */
};

struct cell {
  struct cell_key key; /* three 32-bit fields: no padding, so memcmp-able */
  uint32_t index;      /* its counters: counters[index] */
  struct ehcp_measure_row row; /* filled in when read */
  UT_hash_handle hh;
};

/* A cell's counts, in one dense array so that the counters of every cell
 * in use stay in the first-level cache while timelines stream past. The
 * two are updated by separate statements on purpose: see count_step(). */
struct counter {
  uint64_t met, steps;
};

struct period {
  int32_t key;
  char label[16];
  UT_hash_handle hh;
};

struct group {
  char *text;
  uint32_t index;
  UT_hash_handle hh;
};

/* One attribute: the case set's value id -> group index. */
struct vslot {
  uint32_t gen, group;
};

/* Several attributes: the case set's value ids -> group index. */
struct tuple {
  UT_hash_handle hh;
  uint32_t group;
  uint32_t ids[]; /* the key: one value id per group_by attribute */
};

/* Days to plan: a histogram over [0, HIST_MAX) and, sorted, any value
 * outside it (a plan issued more than eleven years after the request is a
 * data error, but it must still be counted exactly). */
#define HIST_MAX 4096

struct summary {
  struct ehcp_waiting_summary out; /* filled when read */
  uint32_t group;
  uint64_t plans, within_20w, within_52w, over_52w;
  uint64_t plan_days; /* sum of (done - start) */
  int32_t longest;
  uint64_t *hist;
  uint32_t hist_len;
  int32_t *outside; /* sorted */
  size_t noutside, outside_cap;
  uint64_t open, open_days;
  int32_t open_max;
  uint64_t overdue_reviews, transfers_due;
};

/* The cells of one (measure, group) by period: a dense index in front of
 * the hash table, so that the hot path finds a cell with one subtraction.
 * A lane spans at most LANE_SPAN periods (170 years of months); groups
 * past LANE_GROUPS, and periods outside a full lane (dates in bad data),
 * are found through the hash table alone. */
#define LANE_SPAN 2048
#define LANE_GROUPS 4096
struct lane {
  int32_t lo; /* period key of slot[0] */
  uint32_t len;
  uint32_t *slot; /* cell index + 1, 0 = none yet */
};

#if defined(__GNUC__)
#define HOT static inline __attribute__((always_inline))
#define COLD static __attribute__((noinline))
#else
#define HOT static inline
#define COLD static
#endif

struct ehcp_measures {
  const ehcp_ruleset *rs;
  int period_kind;
  ehcp_date from, to;
  char **group_by;
  size_t ngroup_by;
  struct measure *measures;
  size_t nmeasures;
  struct target *targets; /* one per milestone of rs */
  size_t ntargets;
  int32_t limit_52w; /* last day of "up to 52 weeks": start + 364 (t0_day1: 363) */

  struct cell *cells; /* uthash on key */
  struct cell **order;
  struct counter *counters; /* by cell index */
  size_t ncells, order_cap;
  bool sorted;
  struct lane *lanes; /* [group * nmeasures + measure] for groups < lane_groups */
  uint32_t lane_groups;

  struct period *periods;

  struct group *groups; /* uthash on text */
  char **group_text;    /* index -> text; [0] = NULL (no group) */
  uint32_t ngroups, gcap;
  uint32_t adviser_group[256]; /* advice_6w ungrouped: detail index -> group, 0 = not yet */

  struct summary **sums; /* by group index, NULL where none */
  uint32_t sums_cap;
  struct summary **sum_order;
  size_t nsums, sum_order_cap;
  bool sums_sorted;

  /* Per case set: group_by names as interned ids, and value ids -> group. */
  uint64_t cache_serial;
  uint32_t cache_nstrings, gen;
  uint32_t *name_ids;
  bool names_missing;
  struct vslot *vgroup; /* one attribute: value id -> group, valid when gen matches */
  size_t vgroup_len;
  struct tuple *tuples; /* several attributes */
  uint32_t *ids;        /* scratch: one case's value ids */
  char *join;           /* scratch: "v1|v2" */
  size_t join_cap;

  ehcp_date as_of_cached; /* as-of date whose year is in as_of_year */
  int as_of_year;
  int failed; /* created with invalid options: only errmsg and free work */
  char errmsg[256];
};

static int fail(ehcp_measures *m, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(ehcp_measures *m, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(m->errmsg, sizeof m->errmsg, fmt, ap);
  va_end(ap);
  return code;
}

/* An allocation failed after part of a case (or of another accumulator) was
 * counted: that cannot be taken back, so the accumulator is put out of use
 * (it refuses adds and merges and reads as empty) rather than ever give a
 * wrong figure. */
static int lost_count(ehcp_measures *m) {
  m->failed = 1;
  return fail(m, EHCP_ERR_NOMEM, "out of memory: the accumulator lost count; free it");
}

/* ---- percentages, periods ------------------------------------------------- */

double ehcp_percent(uint64_t a, uint64_t b) {
  if (b == 0)
    return NAN;
  double p = (double)a / b * 100.0;
  /* Kept in memory so that no compiler fuses p * 10 + 0.5 into one
   * fused multiply-add, whose single rounding would turn 23/80's
   * 287.4999... into 287.5 and publish 28.8 where the DfE has 28.7. */
  volatile double scaled = p * 10.0;
  return floor(scaled + 0.5) / 10.0;
}

static const char *const period_names[] = {"month", "quarter", "year", "fy", "ay", "all"};

const char *ehcp_period_name(int period) {
  return period >= 0 && period <= EHCP_PERIOD_ALL ? period_names[period] : NULL;
}

int ehcp_period_from_name(int *out, const char *name) {
  if (!out || !name)
    return EHCP_ERR_INVALID;
  for (int i = 0; i <= EHCP_PERIOD_ALL; i++) {
    if (strcmp(name, period_names[i]) == 0) {
      *out = i;
      return EHCP_OK;
    }
  }
  return EHCP_ERR_INVALID;
}

/* Year and month of a day number (Hinnant's civil_from_days), inline for
 * the hot path. Day numbers of valid dates are >= -719162, so z >= 306. */
static inline void year_month(int *year, int *month, ehcp_date d) {
  uint32_t z = (uint32_t)((int64_t)d + 719468);
  uint32_t era = z / 146097;
  uint32_t doe = z - era * 146097;
  uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  uint32_t mp = (5 * doy + 2) / 153;
  uint32_t mo = mp < 10 ? mp + 3 : mp - 9;
  *year = (int)(yoe + era * 400 + (mo <= 2));
  *month = (int)mo;
}

/* An integer that orders periods chronologically. */
static inline int32_t period_key(int kind, ehcp_date d) {
  int y, mo;
  year_month(&y, &mo, d);
  switch (kind) {
  case EHCP_PERIOD_MONTH: return y * 12 + (mo - 1);
  case EHCP_PERIOD_QUARTER: return y * 4 + (mo - 1) / 3;
  case EHCP_PERIOD_YEAR: return y;
  case EHCP_PERIOD_FY: return mo >= 4 ? y : y - 1;
  case EHCP_PERIOD_AY: return mo >= 9 ? y : y - 1;
  default: return 0;
  }
}

static void period_label(char *buf, size_t size, int kind, int32_t key) {
  switch (kind) {
  case EHCP_PERIOD_MONTH: snprintf(buf, size, "%04d-%02d", key / 12, key % 12 + 1); break;
  case EHCP_PERIOD_QUARTER: snprintf(buf, size, "%04d-Q%d", key / 4, key % 4 + 1); break;
  case EHCP_PERIOD_YEAR: snprintf(buf, size, "%04d", key); break;
  case EHCP_PERIOD_FY: snprintf(buf, size, "FY%04d-%02d", key, (key + 1) % 100); break;
  case EHCP_PERIOD_AY: snprintf(buf, size, "AY%04d-%02d", key, (key + 1) % 100); break;
  default: snprintf(buf, size, "all"); break;
  }
}

static const char *period_for(ehcp_measures *m, int32_t key) {
  struct period *p;
  HASH_FIND(hh, m->periods, &key, sizeof key, p);
  if (p)
    return p->label;
  if (!(p = calloc(1, sizeof *p)))
    return NULL;
  p->key = key;
  period_label(p->label, sizeof p->label, m->period_kind, key);
  int hash_oom = 0;
  HASH_ADD(hh, m->periods, key, sizeof p->key, p);
  if (hash_oom) {
    free(p);
    return NULL;
  }
  return p->label;
}

/* ---- groups --------------------------------------------------------------- */

/* Index of group text (interned; NULL is group 0), or UINT32_MAX when out of memory. */
static uint32_t group_intern(ehcp_measures *m, const char *text, size_t len) {
  if (!text)
    return 0;
  struct group *g;
  HASH_FIND(hh, m->groups, text, len, g);
  if (g)
    return g->index;
  if (m->ngroups == m->gcap) {
    uint32_t cap = m->gcap * 2;
    char **grown = realloc(m->group_text, cap * sizeof *grown);
    if (!grown)
      return UINT32_MAX;
    m->group_text = grown;
    m->gcap = cap;
  }
  if (!(g = malloc(sizeof *g)))
    return UINT32_MAX;
  if (!(g->text = malloc(len + 1))) {
    free(g);
    return UINT32_MAX;
  }
  memcpy(g->text, text, len);
  g->text[len] = '\0';
  g->index = m->ngroups;
  int hash_oom = 0;
  HASH_ADD_KEYPTR(hh, m->groups, g->text, len, g);
  if (hash_oom) {
    free(g->text);
    free(g);
    return UINT32_MAX;
  }
  m->group_text[m->ngroups++] = g->text;
  return g->index;
}

/* The case set's id of an interned string, 0 if it has none. */
static uint32_t set_string_id(const struct ehcp_case_set *set, const char *text) {
  return case_set_string_id(set, text, strlen(text));
}

static void clear_tuples(ehcp_measures *m) {
  struct tuple *t, *tmp;
  HASH_ITER(hh, m->tuples, t, tmp) {
    HASH_DEL(m->tuples, t);
    free(t);
  }
}

/* Settle the group_by names as ids of the case's set. Value ids mean
 * other strings in another set, so the caches start again whenever the set
 * may have changed: another set (by its serial: a freed set's address may
 * come back), or the same one with new strings (names it did not know may
 * be there now). Starting again is a
 * new generation, not a sweep, so counting while building stays linear. */
static void use_set(ehcp_measures *m, const struct ehcp_case_set *set) {
  if (set->serial == m->cache_serial && set->strings.n == m->cache_nstrings)
    return;
  m->cache_serial = set->serial;
  m->cache_nstrings = set->strings.n;
  if (++m->gen == 0) { /* wrapped: every slot is stale anyway */
    if (m->vgroup)
      memset(m->vgroup, 0, m->vgroup_len * sizeof *m->vgroup);
    m->gen = 1;
  }
  clear_tuples(m);
  for (size_t k = 0; k < m->ngroup_by; k++)
    m->name_ids[k] = set_string_id(set, m->group_by[k]);
}

static uint32_t value_id(const struct ehcp_case *c, uint32_t name) {
  if (!name)
    return 0;
  for (uint32_t i = 0; i < c->nattrs; i++)
    if (c->attrs[i].name == name)
      return c->attrs[i].value;
  return 0;
}

/* The group string of value ids: values joined by "|", "" for a missing one. */
static uint32_t group_of_ids(ehcp_measures *m, const struct ehcp_case_set *set,
                             const uint32_t *ids) {
  size_t len = 0;
  for (size_t k = 0; k < m->ngroup_by; k++)
    len += (ids[k] ? strlen(set->strings.text[ids[k]]) : 0) + 1;
  if (len > m->join_cap) {
    size_t cap = len * 2;
    char *grown = realloc(m->join, cap);
    if (!grown)
      return UINT32_MAX;
    m->join = grown;
    m->join_cap = cap;
  }
  char *at = m->join;
  for (size_t k = 0; k < m->ngroup_by; k++) {
    if (k)
      *at++ = '|';
    if (ids[k]) {
      size_t n = strlen(set->strings.text[ids[k]]);
      memcpy(at, set->strings.text[ids[k]], n);
      at += n;
    }
  }
  return group_intern(m, m->join, (size_t)(at - m->join));
}

/* The case's group (0 when ungrouped). Looked up once per case. */
static int case_group(ehcp_measures *m, const struct ehcp_case *c, uint32_t *out) {
  *out = 0;
  if (!m->ngroup_by)
    return EHCP_OK;
  const struct ehcp_case_set *set = c->set;
  use_set(m, set);
  if (m->ngroup_by == 1) {
    uint32_t v = value_id(c, m->name_ids[0]);
    if (v >= m->vgroup_len) {
      size_t len = set->strings.n > v ? set->strings.n : (size_t)v + 1;
      len = len < 64 ? 64 : len + len / 2;
      struct vslot *grown = realloc(m->vgroup, len * sizeof *grown);
      if (!grown)
        return fail(m, EHCP_ERR_NOMEM, "out of memory");
      memset(grown + m->vgroup_len, 0, (len - m->vgroup_len) * sizeof *grown);
      m->vgroup = grown;
      m->vgroup_len = len;
    }
    struct vslot *slot = &m->vgroup[v];
    if (slot->gen != m->gen) {
      uint32_t g = group_of_ids(m, set, &v);
      if (g == UINT32_MAX)
        return fail(m, EHCP_ERR_NOMEM, "out of memory");
      *slot = (struct vslot){m->gen, g};
    }
    *out = slot->group;
    return EHCP_OK;
  }
  for (size_t k = 0; k < m->ngroup_by; k++)
    m->ids[k] = value_id(c, m->name_ids[k]);
  size_t keylen = m->ngroup_by * sizeof *m->ids;
  struct tuple *t;
  HASH_FIND(hh, m->tuples, m->ids, keylen, t);
  if (t) {
    *out = t->group;
    return EHCP_OK;
  }
  uint32_t g = group_of_ids(m, set, m->ids);
  if (g == UINT32_MAX || !(t = malloc(sizeof *t + keylen)))
    return fail(m, EHCP_ERR_NOMEM, "out of memory");
  t->group = g;
  memcpy(t->ids, m->ids, keylen);
  int hash_oom = 0;
  HASH_ADD(hh, m->tuples, ids, keylen, t);
  if (hash_oom) {
    free(t);
    return fail(m, EHCP_ERR_NOMEM, "out of memory");
  }
  *out = g;
  return EHCP_OK;
}

/* advice_6w ungrouped: the adviser's word as a group. */
static uint32_t adviser_group(ehcp_measures *m, int type, int detail) {
  if (detail < 0 || detail > 255)
    detail = 0;
  if (m->adviser_group[detail])
    return m->adviser_group[detail];
  const char *const *words;
  int n = event_detail_vocabulary(type, &words);
  const char *w = detail >= 1 && detail <= n ? words[detail - 1] : "";
  uint32_t g = group_intern(m, w, strlen(w));
  if (g != UINT32_MAX)
    m->adviser_group[detail] = g;
  return g;
}

/* ---- cells and summaries ---------------------------------------------------- */

static struct cell *cell_new(ehcp_measures *m, const struct cell_key *key) {
  if (m->ncells == m->order_cap) {
    size_t cap = m->order_cap ? m->order_cap * 2 : 64;
    struct cell **grown = realloc(m->order, cap * sizeof *grown);
    if (!grown)
      return NULL;
    m->order = grown;
    struct counter *counters = realloc(m->counters, cap * sizeof *counters);
    if (!counters)
      return NULL;
    m->counters = counters;
    m->order_cap = cap;
  }
  const char *label = period_for(m, key->period);
  struct cell *c = label ? calloc(1, sizeof *c) : NULL;
  if (!c)
    return NULL;
  c->key = *key;
  c->index = (uint32_t)m->ncells;
  c->row.measure = m->measures[key->measure].id;
  c->row.period = label;
  c->row.group = m->group_text[key->group];
  int hash_oom = 0;
  HASH_ADD(hh, m->cells, key, sizeof c->key, c);
  if (hash_oom) {
    free(c);
    return NULL;
  }
  m->counters[c->index] = (struct counter){0, 0};
  m->order[m->ncells++] = c;
  m->sorted = false;
  return c;
}

/* Index cell c in its lane, if the lane can hold it (else the hash table
 * alone finds it: nothing is lost when this fails). */
static void lane_put(ehcp_measures *m, const struct cell *c) {
  uint32_t group = c->key.group;
  if (group >= LANE_GROUPS)
    return;
  if (group >= m->lane_groups) {
    uint32_t groups = m->lane_groups ? m->lane_groups : 16;
    while (groups <= group)
      groups *= 2;
    if (groups > LANE_GROUPS)
      groups = LANE_GROUPS;
    struct lane *grown = realloc(m->lanes, (size_t)groups * m->nmeasures * sizeof *grown);
    if (!grown)
      return;
    memset(grown + (size_t)m->lane_groups * m->nmeasures, 0,
           (size_t)(groups - m->lane_groups) * m->nmeasures * sizeof *grown);
    m->lanes = grown;
    m->lane_groups = groups;
  }
  struct lane *l = &m->lanes[(size_t)group * m->nmeasures + c->key.measure];
  int64_t period = c->key.period;
  if (l->len && period >= l->lo && period < (int64_t)l->lo + l->len) {
    l->slot[period - l->lo] = c->index + 1;
    return;
  }
  /* Grow towards the new period, at least doubling, within LANE_SPAN. */
  int64_t lo = l->len ? l->lo : period, hi = l->len ? (int64_t)l->lo + l->len - 1 : period;
  if (period < lo)
    lo = period;
  if (period > hi)
    hi = period;
  int64_t want = hi - lo + 1, cap = want < 2 * (int64_t)l->len ? 2 * (int64_t)l->len : want;
  if (want > LANE_SPAN)
    return;
  if (cap < 16)
    cap = 16;
  if (cap > LANE_SPAN)
    cap = LANE_SPAN;
  if (l->len && period < l->lo)
    lo = hi - cap + 1; /* growing downwards: the slack goes below */
  uint32_t *slot = calloc((size_t)cap, sizeof *slot);
  if (!slot)
    return;
  if (l->len)
    memcpy(slot + (l->lo - lo), l->slot, l->len * sizeof *slot);
  free(l->slot);
  l->slot = slot;
  l->lo = (int32_t)lo;
  l->len = (uint32_t)cap;
  l->slot[period - lo] = c->index + 1;
}

/* Counters of (measure, period, group), created if new; NULL when out of memory. */
COLD struct counter *cell_slow(ehcp_measures *m, uint32_t measure, int32_t period,
                               uint32_t group) {
  struct cell_key key = {measure, period, group};
  struct cell *c;
  HASH_FIND(hh, m->cells, &key, sizeof key, c);
  if (!c && !(c = cell_new(m, &key)))
    return NULL;
  lane_put(m, c);
  return &m->counters[c->index];
}

HOT struct counter *cell_for(ehcp_measures *m, uint32_t measure, int32_t period,
                             uint32_t group) {
  if (group < m->lane_groups) {
    const struct lane *l = &m->lanes[(size_t)group * m->nmeasures + measure];
    uint32_t off = (uint32_t)period - (uint32_t)l->lo;
    if (off < l->len && l->slot[off])
      return &m->counters[l->slot[off] - 1];
  }
  return cell_slow(m, measure, period, group);
}

static struct summary *summary_for(ehcp_measures *m, uint32_t group) {
  if (group < m->sums_cap && m->sums[group])
    return m->sums[group];
  if (group >= m->sums_cap) {
    uint32_t cap = m->sums_cap ? m->sums_cap : 16;
    while (cap <= group)
      cap *= 2;
    struct summary **grown = realloc(m->sums, cap * sizeof *grown);
    if (!grown)
      return NULL;
    memset(grown + m->sums_cap, 0, (cap - m->sums_cap) * sizeof *grown);
    m->sums = grown;
    m->sums_cap = cap;
  }
  if (m->nsums == m->sum_order_cap) {
    size_t cap = m->sum_order_cap ? m->sum_order_cap * 2 : 16;
    struct summary **grown = realloc(m->sum_order, cap * sizeof *grown);
    if (!grown)
      return NULL;
    m->sum_order = grown;
    m->sum_order_cap = cap;
  }
  struct summary *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  s->group = group;
  m->sums[group] = s;
  m->sum_order[m->nsums++] = s;
  m->sums_sorted = false;
  return s;
}

/* Record `count` plans that took `days` days. */
static int summary_days(struct summary *s, int32_t days, uint64_t count) {
  if (days >= 0 && days < HIST_MAX) {
    if ((uint32_t)days >= s->hist_len) {
      uint32_t len = s->hist_len ? s->hist_len * 2 : 256;
      while (len <= (uint32_t)days)
        len *= 2;
      if (len > HIST_MAX)
        len = HIST_MAX;
      uint64_t *grown = realloc(s->hist, len * sizeof *grown);
      if (!grown)
        return EHCP_ERR_NOMEM;
      memset(grown + s->hist_len, 0, (len - s->hist_len) * sizeof *grown);
      s->hist = grown;
      s->hist_len = len;
    }
    s->hist[days] += count;
    return EHCP_OK;
  }
  for (; count; count--) {
    if (s->noutside == s->outside_cap) {
      size_t cap = s->outside_cap ? s->outside_cap * 2 : 8;
      int32_t *grown = realloc(s->outside, cap * sizeof *grown);
      if (!grown)
        return EHCP_ERR_NOMEM;
      s->outside = grown;
      s->outside_cap = cap;
    }
    size_t i = s->noutside++;
    while (i > 0 && s->outside[i - 1] > days) {
      s->outside[i] = s->outside[i - 1];
      i--;
    }
    s->outside[i] = days;
  }
  return EHCP_OK;
}

/* ---- creation ---------------------------------------------------------------- */

static int add_target(struct target *t, int measure) {
  if (t->measure[0] < 0)
    t->measure[0] = (int16_t)measure;
  else
    t->measure[1] = (int16_t)measure;
  return 0;
}

static bool measure_taken(const ehcp_measures *m, size_t n, const char *id) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(m->measures[i].id, id) == 0)
      return true;
  return false;
}

static bool starts_with_contact(const struct milestone *ms) {
  for (int k = 0; k < ms->start.n; k++)
    if (ms->start.m[k].type == EHCP_EV_CONTACT_RECEIVED)
      return true;
  return false;
}

/* Which measures each milestone feeds, and the measure list (the table of
 * measures.h, then a measure per other milestone in rule-set order). */
static int plan_measures(ehcp_measures *m) {
  const ehcp_ruleset *rs = m->rs;
  size_t n = rs->n;
  m->ntargets = n;
  m->targets = malloc((n ? n : 1) * sizeof *m->targets);
  m->measures = calloc(M_FIXED + n, sizeof *m->measures);
  bool *mapped = calloc(n ? n : 1, sizeof *mapped);
  if (!m->targets || !m->measures || !mapped) {
    free(mapped);
    return fail(m, EHCP_ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < n; i++)
    m->targets[i] = (struct target){{-1, -1}, 0, 0};
  for (int f = 0; f < M_FIXED; f++)
    snprintf(m->measures[f].id, sizeof m->measures[f].id, "%s", fixed_measures[f].id);
  m->nmeasures = M_FIXED;

  for (int f = 0; f < M_FIXED; f++) {
    for (int k = 0; k < 3 && fixed_measures[f].milestones[k]; k++) {
      size_t i;
      if (ehcp_ruleset_find(&i, rs, fixed_measures[f].milestones[k]) == EHCP_OK) {
        add_target(&m->targets[i], f);
        mapped[i] = true;
      }
    }
  }
  for (size_t i = 0; i < n; i++) {
    if (!mapped[i] && starts_with_contact(&rs->m[i])) {
      add_target(&m->targets[i], M_CONTACT_5WD);
      mapped[i] = true;
      break;
    }
  }
  for (size_t i = 0; i < n; i++) {
    const struct milestone *ms = &rs->m[i];
    if (mapped[i])
      continue;
    struct measure *me = &m->measures[m->nmeasures];
    if (ms->name[0] && !measure_taken(m, m->nmeasures, ms->name))
      snprintf(me->id, sizeof me->id, "%s", ms->name);
    else if (!measure_taken(m, m->nmeasures, ms->id))
      snprintf(me->id, sizeof me->id, "%s", ms->id);
    else
      snprintf(me->id, sizeof me->id, "%s@%s", ms->name, ms->id);
    add_target(&m->targets[i], (int)m->nmeasures++);
  }
  free(mapped);

  /* The waiting summary's sources, and the adviser vocabulary. */
  static const struct {
    const char *id;
    uint8_t role;
  } roles[] = {{"A5", ROLE_PLAN}, {"B1", ROLE_REVIEW}, {"B9", ROLE_TRANSFER},
               {"B10", ROLE_TRANSFER}, {"B11", ROLE_TRANSFER}};
  for (size_t k = 0; k < sizeof roles / sizeof *roles; k++) {
    size_t i;
    if (ehcp_ruleset_find(&i, rs, roles[k].id) == EHCP_OK)
      m->targets[i].role |= roles[k].role;
  }
  size_t a2;
  if (ehcp_ruleset_find(&a2, rs, "A2") == EHCP_OK && rs->m[a2].start.n)
    m->targets[a2].detail_type = rs->m[a2].start.m[0].type;
  return EHCP_OK;
}

static int take_options(ehcp_measures *m, const struct ehcp_measures_options *o) {
  if (!o)
    return EHCP_OK;
  if (o->version < 1 || o->version > EHCP_MEASURES_OPTIONS_VERSION)
    return fail(m, EHCP_ERR_INVALID, "unsupported options version %u", o->version);
  if (!ehcp_period_name(o->period))
    return fail(m, EHCP_ERR_INVALID, "unknown period %d", o->period);
  m->period_kind = o->period;
  /* Zero-initialised options mean "no range": from = to = 1970-01-01 would
   * be a range nobody asks for. */
  int zeroed = o->from == 0 && o->to == 0;
  m->from = zeroed ? EHCP_DATE_NONE : o->from;
  m->to = zeroed ? EHCP_DATE_NONE : o->to;
  if (o->ngroup_by && !o->group_by)
    return fail(m, EHCP_ERR_INVALID, "group_by is NULL");
  if (o->nmeasures && !o->measures)
    return fail(m, EHCP_ERR_INVALID, "measures is NULL");
  if (o->ngroup_by) {
    m->group_by = calloc(o->ngroup_by, sizeof *m->group_by);
    m->name_ids = calloc(o->ngroup_by, sizeof *m->name_ids);
    m->ids = calloc(o->ngroup_by, sizeof *m->ids);
    if (!m->group_by || !m->name_ids || !m->ids)
      return fail(m, EHCP_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < o->ngroup_by; k++) {
      if (!o->group_by[k] || !o->group_by[k][0])
        return fail(m, EHCP_ERR_INVALID, "empty group-by attribute name");
      if (!(m->group_by[k] = strdup(o->group_by[k])))
        return fail(m, EHCP_ERR_NOMEM, "out of memory");
      m->ngroup_by = k + 1;
    }
  }
  for (size_t k = 0; k < o->nmeasures; k++) {
    const char *id = o->measures[k];
    size_t i = 0;
    while (id && i < m->nmeasures && strcmp(m->measures[i].id, id) != 0)
      i++;
    if (!id || i == m->nmeasures)
      return fail(m, EHCP_ERR_INVALID, "unknown measure '%s'", id ? id : "(null)");
  }
  return EHCP_OK;
}

int ehcp_measures_new(ehcp_measures **out, const ehcp_ruleset *rs,
                      const struct ehcp_measures_options *opts) {
  if (!out)
    return EHCP_ERR_INVALID;
  *out = NULL;
  if (!rs)
    return EHCP_ERR_INVALID;
  ehcp_measures *m = calloc(1, sizeof *m);
  if (!m)
    return EHCP_ERR_NOMEM;
  m->rs = rs;
  m->period_kind = EHCP_PERIOD_MONTH;
  m->from = m->to = EHCP_DATE_NONE;
  m->as_of_cached = EHCP_DATE_NONE;
  m->sorted = m->sums_sorted = true;
  m->limit_52w = 364 - (rs->week_counting == WEEKS_T0_DAY1);
  m->gcap = 16;
  m->group_text = calloc(m->gcap, sizeof *m->group_text);
  m->ngroups = 1; /* group 0: no group */
  int rc = m->group_text ? plan_measures(m) : EHCP_ERR_NOMEM;
  if (rc == EHCP_OK)
    rc = take_options(m, opts);
  if (rc == EHCP_OK) {
    /* Select, then unhook the measures not selected from the milestones. */
    for (size_t i = 0; i < m->nmeasures; i++) {
      m->measures[i].selected = !opts || !opts->nmeasures;
      for (size_t k = 0; opts && k < opts->nmeasures; k++)
        m->measures[i].selected |= strcmp(m->measures[i].id, opts->measures[k]) == 0;
    }
    for (size_t i = 0; i < m->ntargets; i++) {
      struct target *t = &m->targets[i];
      if (t->measure[1] >= 0 && !m->measures[t->measure[1]].selected)
        t->measure[1] = -1;
      if (t->measure[0] >= 0 && !m->measures[t->measure[0]].selected) {
        t->measure[0] = t->measure[1];
        t->measure[1] = -1;
      }
    }
    /* One summary in all when ungrouped, even with nothing counted. */
    if (!m->ngroup_by && !summary_for(m, 0))
      rc = fail(m, EHCP_ERR_NOMEM, "out of memory");
  }
  if (rc == EHCP_ERR_INVALID) {
    m->failed = 1; /* handed back so that ehcp_measures_errmsg() can say why */
    *out = m;
    return rc;
  }
  if (rc != EHCP_OK) {
    ehcp_measures_free(m);
    return rc;
  }
  *out = m;
  return EHCP_OK;
}

void ehcp_measures_free(ehcp_measures *m) {
  if (!m)
    return;
  HASH_CLEAR(hh, m->cells);
  for (size_t i = 0; i < (size_t)m->lane_groups * m->nmeasures; i++)
    free(m->lanes[i].slot);
  free(m->lanes);
  free(m->counters);
  for (size_t i = 0; i < m->ncells; i++)
    free(m->order[i]);
  free(m->order);
  struct period *p, *ptmp;
  HASH_ITER(hh, m->periods, p, ptmp) {
    HASH_DEL(m->periods, p);
    free(p);
  }
  struct group *g, *gtmp;
  HASH_ITER(hh, m->groups, g, gtmp) {
    HASH_DEL(m->groups, g);
    free(g->text);
    free(g);
  }
  free(m->group_text);
  for (size_t i = 0; i < m->nsums; i++) {
    free(m->sum_order[i]->hist);
    free(m->sum_order[i]->outside);
    free(m->sum_order[i]);
  }
  free(m->sums);
  free(m->sum_order);
  clear_tuples(m);
  for (size_t k = 0; k < m->ngroup_by; k++)
    free(m->group_by[k]);
  free(m->group_by);
  free(m->name_ids);
  free(m->ids);
  free(m->vgroup);
  free(m->join);
  free(m->measures);
  free(m->targets);
  free(m);
}

const char *ehcp_measures_errmsg(const ehcp_measures *m) { return m ? m->errmsg : ""; }

/* ---- counting ------------------------------------------------------------------ */

/* SEN2 Week20 = 1: any exception recorded on the case (as of the date). */
static bool case_has_exception(const struct ehcp_case *c, ehcp_date as_of) {
  for (uint32_t i = 0; i < c->nevents && c->events[i].date <= as_of; i++)
    if (c->events[i].type == EHCP_EV_EXCEPTION)
      return true;
  return false;
}

static inline bool in_range(const ehcp_measures *m, ehcp_date d) {
  return (m->from == EHCP_DATE_NONE || d >= m->from) && (m->to == EHCP_DATE_NONE || d <= m->to);
}

static bool open_stage(int stage) {
  return stage == EHCP_STAGE_REQUEST || stage == EHCP_STAGE_ASSESSMENT ||
         stage == EHCP_STAGE_DRAFT;
}

static int summarise(ehcp_measures *m, struct summary *s, int role,
                     const struct ehcp_milestone_result *r, ehcp_date as_of, int stage) {
  int status = r->status;
  if (role & ROLE_PLAN) {
    if ((status == EHCP_STATUS_MET || status == EHCP_STATUS_MISSED) && r->done != EHCP_DATE_NONE &&
        in_range(m, r->done)) {
      int32_t days = r->done - r->start;
      s->plans++;
      if (status == EHCP_STATUS_MET)
        s->within_20w++;
      else if (days <= m->limit_52w)
        s->within_52w++;
      else
        s->over_52w++;
      s->plan_days += (uint64_t)(int64_t)days; /* days >= 0: A5 ends on or after its start */
      if (s->plans == 1 || days > s->longest)
        s->longest = days;
      if (summary_days(s, days, 1) != EHCP_OK)
        return EHCP_ERR_NOMEM;
    } else if (status == EHCP_STATUS_OVERDUE && open_stage(stage)) {
      int32_t age = as_of - r->start;
      s->open++;
      s->open_days += (uint64_t)age;
      if (s->open == 1 || age > s->open_max)
        s->open_max = age;
    }
  }
  if ((role & ROLE_REVIEW) && status == EHCP_STATUS_OVERDUE)
    s->overdue_reviews++;
  if ((role & ROLE_TRANSFER) && (status == EHCP_STATUS_DUE || status == EHCP_STATUS_OVERDUE) &&
      r->due != EHCP_DATE_NONE) {
    if (m->as_of_cached != as_of) {
      int mo;
      year_month(&m->as_of_year, &mo, as_of);
      m->as_of_cached = as_of;
    }
    int y, mo;
    year_month(&y, &mo, r->due);
    if (y == m->as_of_year)
      s->transfers_due++;
  }
  return EHCP_OK;
}

/* One step counted. Side by side, compilers fuse the two increments into
 * one vector add assembled on the stack, and the failed store-to-load
 * forwarding costs more than the rest of counting the step: an empty asm
 * keeps them apart where it is understood. */
HOT void count_step(struct counter *count, uint64_t met) {
  count->steps++;
#if defined(__GNUC__)
  __asm__("" : "+m"(count->steps));
#endif
  count->met += met;
}

int ehcp_measures_add(ehcp_measures *m, const ehcp_case *c, const ehcp_timeline *tl) {
  if (!m || !c || !tl)
    return EHCP_ERR_INVALID;
  if (m->failed)
    return EHCP_ERR_INVALID;
  size_t n = ehcp_timeline_count(tl);
  /* The results are one array in the timeline: walk it directly (checked,
   * so that a timeline laid out otherwise is still read right). Memory,
   * not arithmetic, is the cost of counting a case: ask for the results'
   * cache lines, and the case's attributes and events, all at once rather
   * than meeting one miss after another. */
  const struct ehcp_milestone_result *first = n ? ehcp_timeline_get(tl, 0) : NULL;
  bool array = n && ehcp_timeline_get(tl, n - 1) == first + (n - 1);
#if defined(__GNUC__)
  if (array)
    for (const char *p = (const char *)first, *end = (const char *)(first + n); p < end; p += 64)
      __builtin_prefetch(p);
  if (m->ngroup_by)
    __builtin_prefetch(c->attrs);
  if (m->measures[M_FINAL_20W_EX].selected)
    __builtin_prefetch(c->events);
#endif
  uint32_t group;
  int rc = case_group(m, c, &group);
  if (rc != EHCP_OK)
    return rc;
  struct summary *s = summary_for(m, group);
  if (!s)
    return fail(m, EHCP_ERR_NOMEM, "out of memory");
  ehcp_date as_of = ehcp_timeline_as_of(tl);
  int stage = ehcp_timeline_stage(tl);
  int excepted = -1; /* the case's Week20, looked up when first needed */
  for (size_t i = 0; i < n; i++) {
    const struct ehcp_milestone_result *r = array ? first + i : ehcp_timeline_get(tl, i);
    if (r->milestone >= m->ntargets)
      continue;
    const struct target *t = &m->targets[r->milestone];
    if (t->role && summarise(m, s, t->role, r, as_of, stage) != EHCP_OK)
      return lost_count(m);
    if (t->measure[0] < 0 || (r->status != EHCP_STATUS_MET && r->status != EHCP_STATUS_MISSED))
      continue;
    /* The step's end: its end event; for a chain that lapsed late (B1 when
     * the plan ceased after the due date) the lapse. A window that passed
     * with no end event yet (A4) has not ended. */
    ehcp_date end = r->done;
    if (end == EHCP_DATE_NONE) {
      if (r->status != EHCP_STATUS_MISSED || r->due == EHCP_DATE_NONE ||
          r->days_late == EHCP_NO_VALUE)
        continue;
      end = r->due + r->days_late;
    }
    if (!in_range(m, end))
      continue;
    int32_t period = period_key(m->period_kind, end);
    uint64_t met = r->status == EHCP_STATUS_MET;
    for (int k = 0; k < 2 && t->measure[k] >= 0; k++) {
      uint32_t measure = (uint32_t)t->measure[k], g = group;
      if (measure == M_FINAL_20W_EX) {
        if (r->exception)
          continue;
        if (excepted < 0)
          excepted = case_has_exception(c, as_of);
        if (excepted)
          continue;
      } else if (measure == M_ADVICE_6W && !m->ngroup_by) {
        if ((g = adviser_group(m, t->detail_type, r->detail)) == UINT32_MAX)
          return lost_count(m);
      }
      struct counter *count = cell_for(m, measure, period, g);
      if (!count)
        return lost_count(m);
      count_step(count, met);
    }
  }
  return EHCP_OK;
}

static bool same_setup(const ehcp_measures *a, const ehcp_measures *b) {
  if (a->rs != b->rs || a->period_kind != b->period_kind || a->from != b->from ||
      a->to != b->to || a->nmeasures != b->nmeasures || a->ngroup_by != b->ngroup_by)
    return false;
  for (size_t i = 0; i < a->nmeasures; i++)
    if (a->measures[i].selected != b->measures[i].selected)
      return false;
  for (size_t k = 0; k < a->ngroup_by; k++)
    if (strcmp(a->group_by[k], b->group_by[k]) != 0)
      return false;
  return true;
}

static uint32_t group_in(ehcp_measures *into, const ehcp_measures *from, uint32_t g) {
  const char *text = from->group_text[g];
  return group_intern(into, text, text ? strlen(text) : 0);
}

int ehcp_measures_merge(ehcp_measures *into, const ehcp_measures *from) {
  if (!into || !from || into->failed || from->failed)
    return EHCP_ERR_INVALID;
  if (into == from)
    return fail(into, EHCP_ERR_INVALID, "cannot merge an accumulator into itself");
  if (!same_setup(into, from))
    return fail(into, EHCP_ERR_INVALID,
                "accumulators differ in rule set, period, range, measures or grouping");
  for (size_t i = 0; i < from->ncells; i++) {
    const struct cell *fc = from->order[i];
    const struct counter *fcount = &from->counters[fc->index];
    uint32_t g = group_in(into, from, fc->key.group);
    struct counter *count =
        g == UINT32_MAX ? NULL : cell_for(into, fc->key.measure, fc->key.period, g);
    if (!count)
      return lost_count(into);
    count->met += fcount->met;
    count->steps += fcount->steps;
  }
  for (size_t i = 0; i < from->nsums; i++) {
    const struct summary *fs = from->sum_order[i];
    uint32_t g = group_in(into, from, fs->group);
    struct summary *s = g == UINT32_MAX ? NULL : summary_for(into, g);
    if (!s)
      return lost_count(into);
    if (fs->plans && (!s->plans || fs->longest > s->longest))
      s->longest = fs->longest;
    if (fs->open && (!s->open || fs->open_max > s->open_max))
      s->open_max = fs->open_max;
    s->plans += fs->plans;
    s->within_20w += fs->within_20w;
    s->within_52w += fs->within_52w;
    s->over_52w += fs->over_52w;
    s->plan_days += fs->plan_days;
    s->open += fs->open;
    s->open_days += fs->open_days;
    s->overdue_reviews += fs->overdue_reviews;
    s->transfers_due += fs->transfers_due;
    for (uint32_t d = fs->hist_len; d-- > 0;)
      if (fs->hist[d] && summary_days(s, (int32_t)d, fs->hist[d]) != EHCP_OK)
        return lost_count(into);
    for (size_t k = 0; k < fs->noutside; k++)
      if (summary_days(s, fs->outside[k], 1) != EHCP_OK)
        return lost_count(into);
  }
  return EHCP_OK;
}

static int compute_case(const ehcp_case *c, const ehcp_timeline *tl, void *payload) {
  return ehcp_measures_add(payload, c, tl);
}

int ehcp_measures_compute(ehcp_measures **out, const ehcp_evaluator *ev,
                          const ehcp_case_set *set, ehcp_date as_of,
                          const struct ehcp_measures_options *opts) {
  if (!out)
    return EHCP_ERR_INVALID;
  *out = NULL;
  if (!ev || !set)
    return EHCP_ERR_INVALID;
  ehcp_measures *m;
  int rc = ehcp_measures_new(&m, ehcp_evaluator_ruleset(ev), opts);
  if (rc != EHCP_OK) {
    *out = m; /* on EHCP_ERR_INVALID, carries the reason */
    return rc;
  }
  rc = ehcp_evaluate_set(ev, set, as_of, 0, compute_case, m);
  if (rc != EHCP_OK) {
    ehcp_measures_free(m);
    return rc;
  }
  *out = m;
  return EHCP_OK;
}

/* ---- reading --------------------------------------------------------------------- */

static int group_cmp(const char *a, const char *b) {
  if (!a || !b)
    return a ? 1 : b ? -1 : 0;
  return strcmp(a, b);
}

static int cell_cmp(const void *pa, const void *pb) {
  const struct cell *a = *(const struct cell *const *)pa, *b = *(const struct cell *const *)pb;
  if (a->key.measure != b->key.measure)
    return a->key.measure < b->key.measure ? -1 : 1;
  if (a->key.period != b->key.period)
    return a->key.period < b->key.period ? -1 : 1;
  return group_cmp(a->row.group, b->row.group);
}

size_t ehcp_measures_count(const ehcp_measures *m) { return m && !m->failed ? m->ncells : 0; }

const struct ehcp_measure_row *ehcp_measures_get(const ehcp_measures *cm, size_t index) {
  if (!cm || cm->failed || index >= cm->ncells)
    return NULL;
  /* Rows are sorted, and percentages worked out, when first read after a
   * change: the accumulator is not const underneath, only to its readers. */
  ehcp_measures *m = (ehcp_measures *)cm;
  if (!m->sorted) {
    qsort(m->order, m->ncells, sizeof *m->order, cell_cmp);
    m->sorted = true;
  }
  struct cell *c = m->order[index];
  struct ehcp_measure_row *row = &c->row;
  row->numerator = m->counters[c->index].met;
  row->denominator = m->counters[c->index].steps;
  row->percent = ehcp_percent(row->numerator, row->denominator);
  return row;
}

static int summary_cmp(const void *pa, const void *pb) {
  const struct summary *a = *(const struct summary *const *)pa;
  const struct summary *b = *(const struct summary *const *)pb;
  return group_cmp(a->out.group, b->out.group);
}

size_t ehcp_measures_summary_count(const ehcp_measures *m) { return m && !m->failed ? m->nsums : 0; }

/* Days to plan at a 1-based rank among s->plans. */
static int32_t day_at_rank(const struct summary *s, uint64_t rank) {
  size_t neg = 0;
  while (neg < s->noutside && s->outside[neg] < 0)
    neg++;
  if (rank <= neg)
    return s->outside[rank - 1];
  rank -= neg;
  for (uint32_t d = 0; d < s->hist_len; d++) {
    if (rank <= s->hist[d])
      return (int32_t)d;
    rank -= s->hist[d];
  }
  return s->outside[neg + rank - 1];
}

const struct ehcp_waiting_summary *ehcp_measures_summary(const ehcp_measures *cm, size_t index) {
  if (!cm || cm->failed || index >= cm->nsums)
    return NULL;
  ehcp_measures *m = (ehcp_measures *)cm;
  if (!m->sums_sorted) {
    for (size_t i = 0; i < m->nsums; i++)
      m->sum_order[i]->out.group = m->group_text[m->sum_order[i]->group];
    qsort(m->sum_order, m->nsums, sizeof *m->sum_order, summary_cmp);
    m->sums_sorted = true;
  }
  struct summary *s = m->sum_order[index];
  struct ehcp_waiting_summary *o = &s->out;
  uint64_t n = s->plans;
  *o = (struct ehcp_waiting_summary){
      .group = m->group_text[s->group],
      .plans = n,
      .within_20w = s->within_20w,
      .within_52w = s->within_52w,
      .over_52w = s->over_52w,
      .mean_weeks = n ? (double)s->plan_days / (double)n / 7.0 : NAN,
      .median_weeks = NAN,
      .p90_weeks = NAN,
      .longest_weeks = n ? s->longest / 7.0 : NAN,
      .open_past_20w = s->open,
      .open_past_20w_mean_weeks = s->open ? (double)s->open_days / (double)s->open / 7.0 : NAN,
      .open_past_20w_max_weeks = s->open ? s->open_max / 7.0 : NAN,
      .overdue_reviews = s->overdue_reviews,
      .phase_transfers_due = s->transfers_due};
  if (n) {
    /* The median of an even count is the mean of the two middle values;
     * the 90th percentile is the nearest rank, ceil(0.9 n). */
    o->median_weeks = n % 2 ? day_at_rank(s, n / 2 + 1) / 7.0
                            : ((double)day_at_rank(s, n / 2) + day_at_rank(s, n / 2 + 1)) / 14.0;
    o->p90_weeks = day_at_rank(s, (9 * n + 9) / 10) / 7.0;
  }
  return o;
}
