/* Helpers shared by the hardening tests: fixtures, a digest of evaluation
 * results, and exact comparison of measures and cohort tables. Header-only
 * (static functions), like test/check.h. */
#ifndef EHCP_TEST_HARDENING_H
#define EHCP_TEST_HARDENING_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ehcp.h"

#if defined(__GNUC__)
#define HARDENING_UNUSED __attribute__((unused))
#else
#define HARDENING_UNUSED
#endif

/* $EHCP_TEST_DATA/rel (the project's test/data), or rules/... with
 * $EHCP_RULES_DIR. Returns a static buffer (one of four, reused). */
static HARDENING_UNUSED const char *data_path(const char *rel) {
  static char path[4][1200];
  static int next;
  char *p = path[next++ % 4];
  const char *dir = getenv("EHCP_TEST_DATA");
  snprintf(p, sizeof path[0], "%s/%s", dir ? dir : "test/data", rel);
  return p;
}

static HARDENING_UNUSED const char *rules_path(const char *rel) {
  static char path[2][1200];
  static int next;
  char *p = path[next++ % 2];
  const char *dir = getenv("EHCP_RULES_DIR");
  snprintf(p, sizeof path[0], "%s/%s", dir ? dir : "rules", rel);
  return p;
}

/* The whole file in a malloc'd buffer of exactly *len bytes (never NULL);
 * exits with status 2 when it cannot be read. */
static HARDENING_UNUSED char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s (set EHCP_TEST_DATA / EHCP_RULES_DIR)\n", path);
    exit(2);
  }
  size_t cap = 1 << 14, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap)
      break;
    char *grown = realloc(buf, cap * 2);
    if (!grown)
      free(buf);
    buf = grown;
    cap *= 2;
  }
  fclose(f);
  if (!buf) {
    fprintf(stderr, "out of memory reading %s\n", path);
    exit(2);
  }
  *len = n;
  return buf;
}

/* ---- digests ---------------------------------------------------------------- */

/* FNV-1a, 64 bits: enough to tell two result sets apart in a test. */
static HARDENING_UNUSED uint64_t fnv(uint64_t h, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

#define FNV_START 0xcbf29ce484222325ULL

static HARDENING_UNUSED uint64_t fnv_str(uint64_t h, const char *s) {
  return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "\xff", 1);
}

static HARDENING_UNUSED uint64_t fnv_i64(uint64_t h, int64_t v) { return fnv(h, &v, sizeof v); }

/* Everything a timeline says about a case. */
static HARDENING_UNUSED uint64_t timeline_digest(const ehcp_case *c, const ehcp_timeline *tl) {
  uint64_t h = fnv_str(FNV_START, ehcp_case_id(c));
  h = fnv_i64(h, ehcp_timeline_stage(tl));
  h = fnv_i64(h, ehcp_timeline_as_of(tl));
  size_t next = (size_t)-1;
  if (ehcp_timeline_next(&next, tl) != EHCP_OK)
    next = (size_t)-1;
  h = fnv_i64(h, (int64_t)next);
  for (size_t i = 0; i < ehcp_timeline_count(tl); i++) {
    const struct ehcp_milestone_result *r = ehcp_timeline_get(tl, i);
    h = fnv_i64(h, (int64_t)r->milestone);
    h = fnv_str(h, r->id);
    h = fnv_str(h, r->name);
    h = fnv_i64(h, r->statutory);
    h = fnv_i64(h, r->start);
    h = fnv_i64(h, r->due);
    h = fnv_i64(h, r->done);
    h = fnv_i64(h, r->status);
    h = fnv_i64(h, r->days_late);
    h = fnv_i64(h, r->days_left);
    h = fnv_i64(h, r->working_days_left);
    h = fnv_i64(h, r->exception);
    h = fnv_i64(h, r->exception_kind);
    h = fnv_str(h, r->ref);
    h = fnv_i64(h, r->detail);
  }
  return h;
}

static HARDENING_UNUSED uint64_t fnv_double(uint64_t h, double v) {
  if (isnan(v))
    return fnv(h, "nan", 3);
  return fnv(h, &v, sizeof v);
}

/* Every row and waiting summary of an accumulator. */
static HARDENING_UNUSED uint64_t measures_digest(const ehcp_measures *m) {
  uint64_t h = FNV_START;
  size_t n = ehcp_measures_count(m);
  h = fnv_i64(h, (int64_t)n);
  for (size_t i = 0; i < n; i++) {
    const struct ehcp_measure_row *r = ehcp_measures_get(m, i);
    h = fnv_str(h, r->measure);
    h = fnv_str(h, r->period);
    h = fnv_str(h, r->group);
    h = fnv_i64(h, (int64_t)r->numerator);
    h = fnv_i64(h, (int64_t)r->denominator);
    h = fnv_double(h, r->percent);
  }
  size_t ns = ehcp_measures_summary_count(m);
  h = fnv_i64(h, (int64_t)ns);
  for (size_t i = 0; i < ns; i++) {
    const struct ehcp_waiting_summary *s = ehcp_measures_summary(m, i);
    h = fnv_str(h, s->group);
    const uint64_t u[] = {s->plans,         s->within_20w,      s->within_52w,
                          s->over_52w,      s->open_past_20w,   s->overdue_reviews,
                          s->phase_transfers_due};
    h = fnv(h, u, sizeof u);
    h = fnv_double(h, s->mean_weeks);
    h = fnv_double(h, s->median_weeks);
    h = fnv_double(h, s->p90_weeks);
    h = fnv_double(h, s->longest_weeks);
    h = fnv_double(h, s->open_past_20w_mean_weeks);
    h = fnv_double(h, s->open_past_20w_max_weeks);
  }
  return h;
}

static HARDENING_UNUSED uint64_t counts_digest(uint64_t h, const struct ehcp_cohort_counts *k) {
  const uint64_t u[] = {k->requests,          k->assess_yes,       k->assess_no,
                        k->withdrawn,         k->issued_within_20w, k->issued_after_20w,
                        k->not_issued,        k->open_request,     k->open_assessment,
                        k->open_draft,        k->open_past_20w};
  return fnv(h, u, sizeof u);
}

/* Every cohort: month, counts, month-on-month history, Kaplan-Meier. */
static HARDENING_UNUSED uint64_t cohorts_digest(const ehcp_cohorts *co) {
  uint64_t h = FNV_START;
  size_t n = ehcp_cohorts_count(co);
  h = fnv_i64(h, (int64_t)n);
  for (size_t i = 0; i < n; i++) {
    int y = 0, mo = 0;
    ehcp_cohorts_month(&y, &mo, co, i);
    h = fnv_i64(h, y * 100 + mo);
    h = counts_digest(h, ehcp_cohorts_counts(co, i));
    size_t hc = ehcp_cohorts_history_count(co, i);
    h = fnv_i64(h, (int64_t)hc);
    for (size_t k = 0; k < hc; k++) {
      ehcp_date at = 0;
      h = counts_digest(h, ehcp_cohorts_history(&at, co, i, k));
      h = fnv_i64(h, at);
    }
    const struct ehcp_km_point *km = ehcp_cohorts_km(co, i);
    for (int k = 0; k < EHCP_KM_POINTS; k++) {
      h = fnv_i64(h, km[k].week);
      h = fnv_double(h, km[k].share);
      h = fnv_i64(h, (int64_t)km[k].at_risk);
    }
  }
  return h;
}

/* Every event and attribute of every case, in set order. */
static HARDENING_UNUSED uint64_t case_set_digest(const ehcp_case_set *set) {
  uint64_t h = FNV_START;
  for (size_t i = 0; i < ehcp_case_set_count(set); i++) {
    const ehcp_case *c = ehcp_case_set_get(set, i);
    h = fnv_str(h, ehcp_case_id(c));
    for (size_t k = 0; k < ehcp_case_event_count(c); k++) {
      int type;
      ehcp_date date, end;
      const char *detail, *ref, *source;
      uint32_t line;
      ehcp_case_event(&type, &date, &detail, &end, &ref, c, k);
      ehcp_case_event_source(&source, &line, c, k);
      h = fnv_i64(h, type);
      h = fnv_i64(h, date);
      h = fnv_i64(h, end);
      h = fnv_str(h, detail);
      h = fnv_str(h, ref);
      h = fnv_str(h, source);
      h = fnv_i64(h, line);
    }
    for (size_t k = 0; k < ehcp_case_attribute_count(c); k++) {
      const char *name, *value;
      ehcp_case_attribute_at(&name, &value, c, k);
      h = fnv_str(h, name);
      h = fnv_str(h, value);
    }
  }
  return h;
}

/* Every diagnostic from index `from` on. */
static HARDENING_UNUSED uint64_t diagnostics_digest(const ehcp_diagnostics *d, size_t from) {
  uint64_t h = FNV_START;
  for (size_t i = from; i < ehcp_diagnostics_count(d); i++) {
    const struct ehcp_diagnostic *g = ehcp_diagnostics_get(d, i);
    h = fnv_i64(h, g->severity);
    h = fnv_i64(h, g->code);
    h = fnv_str(h, g->source);
    h = fnv_i64(h, g->line);
    h = fnv_str(h, g->path);
    h = fnv_str(h, g->case_id);
    h = fnv_str(h, g->message);
  }
  return h;
}

/* ---- a generated case set --------------------------------------------------- */

/* Deterministic pseudo-random numbers (a 64-bit LCG; the high bits). */
struct rng {
  uint64_t s;
};

static HARDENING_UNUSED unsigned rng_next(struct rng *r, unsigned n) {
  r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
  return n ? (unsigned)((r->s >> 33) % n) : 0;
}

/* Add an event, failing the program if the set refuses it. */
static HARDENING_UNUSED int gen_event(ehcp_case_set *set, const char *id, int type, ehcp_date d,
                                      const char *detail, ehcp_date end, const char *ref) {
  return ehcp_case_set_add_event(set, id, type, d, detail, end, ref);
}

/* n cases shaped like a council's caseload (requests from 2023 to 2025,
 * decisions, advice from three schools and the EP, exceptions, plans on
 * time and late, reviews, phase transfers, contacts, ceased plans), plus
 * team and caseworker attributes. Ids are "H000001" on. Returns EHCP_OK or
 * the first error of the set. */
static HARDENING_UNUSED int generate_cases(ehcp_case_set *set, size_t n, uint64_t seed) {
  static const char *const sources[] = {"parent", "setting", "health", "social_care", "other"};
  static const char *const teams[] = {"North", "South", "East", "West"};
  static const char *const kinds[] = {"school_closure", "early_years_closure",
                                      "personal_circumstances", "absence",
                                      "appointment_missed", "unspecified"};
  static const char *const reviews[] = {"maintain", "amend", "cease"};
  struct rng r = {seed};
  ehcp_date base;
  ehcp_date_from_ymd(&base, 2023, 1, 2);
  int rc = EHCP_OK;
#define EV(type, d, detail, end, ref)                                                   \
  do {                                                                              \
    if ((rc = gen_event(set, id, type, d, detail, end, ref)) != EHCP_OK)            \
      return rc;                                                                    \
  } while (0)
  for (size_t i = 0; i < n; i++) {
    char id[32], ref[32], worker[16];
    snprintf(id, sizeof id, "H%06zu", i + 1);
    ehcp_date t0 = base + (ehcp_date)rng_next(&r, 1000);
    if (rng_next(&r, 10) == 0)
      EV(EHCP_EV_BROUGHT_TO_ATTENTION, t0, NULL, EHCP_DATE_NONE, NULL);
    else
      EV(EHCP_EV_REQUEST_RECEIVED, t0, sources[rng_next(&r, 5)], EHCP_DATE_NONE, NULL);
    if ((rc = ehcp_case_set_set_attribute(set, id, "team", teams[rng_next(&r, 4)])) != EHCP_OK)
      return rc;
    snprintf(worker, sizeof worker, "CW%02u", rng_next(&r, 25));
    if ((rc = ehcp_case_set_set_attribute(set, id, "caseworker", worker)) != EHCP_OK)
      return rc;
    if (rng_next(&r, 8) == 0) {
      ehcp_date e = t0 + (ehcp_date)rng_next(&r, 60);
      EV(EHCP_EV_EXCEPTION, e, kinds[rng_next(&r, 6)], e + (ehcp_date)rng_next(&r, 40), NULL);
    }
    if (rng_next(&r, 4) == 0) {
      snprintf(ref, sizeof ref, "Q%zu", i);
      ehcp_date q = t0 + (ehcp_date)rng_next(&r, 200);
      EV(EHCP_EV_CONTACT_RECEIVED, q, NULL, EHCP_DATE_NONE, ref);
      if (rng_next(&r, 3))
        EV(EHCP_EV_CONTACT_RESPONDED, q + (ehcp_date)rng_next(&r, 12), NULL, EHCP_DATE_NONE, ref);
    }
    if (rng_next(&r, 7) == 0)
      continue; /* still awaiting the decision to assess */
    ehcp_date dec = t0 + 20 + (ehcp_date)rng_next(&r, 40);
    unsigned what = rng_next(&r, 20);
    if (what < 3) {
      EV(EHCP_EV_ASSESSMENT_DECISION, dec, what == 0 ? "withdrawn" : "no", EHCP_DATE_NONE, NULL);
      continue;
    }
    EV(EHCP_EV_ASSESSMENT_DECISION, dec, "yes", EHCP_DATE_NONE, NULL);
    snprintf(ref, sizeof ref, "URN%u", 100001 + rng_next(&r, 3));
    ehcp_date asked = dec + 1 + (ehcp_date)rng_next(&r, 5);
    EV(EHCP_EV_ADVICE_REQUESTED, asked, "education", EHCP_DATE_NONE, ref);
    EV(EHCP_EV_ADVICE_REQUESTED, asked, "ep", EHCP_DATE_NONE, NULL);
    if (rng_next(&r, 2))
      EV(EHCP_EV_ADVICE_REQUESTED, asked, "health", EHCP_DATE_NONE, NULL);
    if (rng_next(&r, 5))
      EV(EHCP_EV_ADVICE_RECEIVED, asked + 20 + (ehcp_date)rng_next(&r, 40), "education",
         EHCP_DATE_NONE, ref);
    if (rng_next(&r, 5))
      EV(EHCP_EV_ADVICE_RECEIVED, asked + 25 + (ehcp_date)rng_next(&r, 40), "ep", EHCP_DATE_NONE,
         NULL);
    if (rng_next(&r, 6) == 0)
      continue; /* still assessing */
    ehcp_date issue = dec + 50 + (ehcp_date)rng_next(&r, 60);
    if (rng_next(&r, 12) == 0) {
      EV(EHCP_EV_ISSUE_DECISION, issue, "no", EHCP_DATE_NONE, NULL);
      continue;
    }
    EV(EHCP_EV_ISSUE_DECISION, issue, "yes", EHCP_DATE_NONE, NULL);
    ehcp_date draft = issue + (ehcp_date)rng_next(&r, 10);
    EV(EHCP_EV_DRAFT_ISSUED, draft, NULL, EHCP_DATE_NONE, NULL);
    if (rng_next(&r, 5) == 0)
      continue; /* draft served */
    ehcp_date final = draft + 10 + (ehcp_date)rng_next(&r, 70);
    EV(EHCP_EV_FINAL_ISSUED, final, NULL, EHCP_DATE_NONE, NULL);
    if (rng_next(&r, 3)) {
      ehcp_date meet = final + 320 + (ehcp_date)rng_next(&r, 80);
      EV(EHCP_EV_REVIEW_MEETING, meet, NULL, EHCP_DATE_NONE, NULL);
      EV(EHCP_EV_REVIEW_REPORT, meet + (ehcp_date)rng_next(&r, 14), NULL, EHCP_DATE_NONE, NULL);
      unsigned rv = rng_next(&r, 3);
      ehcp_date rd = meet + 5 + (ehcp_date)rng_next(&r, 40);
      EV(EHCP_EV_REVIEW_DECISION, rd, reviews[rv], EHCP_DATE_NONE, NULL);
      if (rv == 1) {
        EV(EHCP_EV_REVIEW_DRAFT, rd + (ehcp_date)rng_next(&r, 20), NULL, EHCP_DATE_NONE, NULL);
        if (rng_next(&r, 2))
          EV(EHCP_EV_REVIEW_FINAL, rd + 20 + (ehcp_date)rng_next(&r, 80), NULL, EHCP_DATE_NONE,
             NULL);
      } else if (rv == 2) {
        EV(EHCP_EV_PLAN_CEASED, rd + (ehcp_date)rng_next(&r, 60), "3", EHCP_DATE_NONE, NULL);
      }
    }
    if (rng_next(&r, 6) == 0) {
      int y = 2024 + (int)rng_next(&r, 3);
      ehcp_date move;
      ehcp_date_from_ymd(&move, y, 9, 1);
      EV(EHCP_EV_PHASE_TRANSFER, move, rng_next(&r, 2) ? "school" : "post16", EHCP_DATE_NONE,
         NULL);
      if (rng_next(&r, 2)) {
        ehcp_date amended;
        ehcp_date_from_ymd(&amended, y, 1 + (int)rng_next(&r, 4), 1 + (int)rng_next(&r, 28));
        EV(EHCP_EV_PHASE_TRANSFER_AMENDED, amended, NULL, EHCP_DATE_NONE, NULL);
      }
    }
  }
#undef EV
  return EHCP_OK;
}

#endif
