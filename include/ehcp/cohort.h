/**
 * @file ehcp/cohort.h
 * @brief Cohort tracking: each month's requests followed through the stages,
 *        month on month, and time-to-plan curves (Kaplan-Meier).
 *
 * A cohort is the requests received in one calendar month (by t0, the
 * request_received or brought_to_attention date). As of a date, each cohort
 * counts its requests by where they stand. The month-on-month view repeats
 * the counts at the end of each following month up to the as-of date, so a
 * board sees a month's intake falling behind long before the 20-week figure
 * moves.
 *
 * Time to plan treats open cases correctly: a request with no final plan
 * yet is censored at the as-of date, one closed without a plan (not
 * assessed, not issued, withdrawn) at its closing date; the Kaplan-Meier
 * estimate gives the share with a final plan by week 6, 16, 20, 26 and 52,
 * with the number still at risk.
 *
 * Counts are derived from each case's evaluated timeline (A5: start, due,
 * done) and its decision events. Build the cohorts from one thread, or on
 * several into several objects and merge them. A table belongs to one
 * thread at a time, reading included: the first read after a change
 * completes the counts.
 */
#ifndef EHCP_COHORT_H
#define EHCP_COHORT_H

#include "case.h"
#include "common.h"
#include "timeline.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Where a cohort's requests stand at one date. Fields only ever appended.
 * A request ends with its final plan (A5 met or missed) or with the first
 * decision `no` or `withdrawn` (assessment or issue decision); until then it
 * is open, at the furthest stage reached. So at every date assess_no +
 * withdrawn + not_issued + issued_within_20w + issued_after_20w +
 * open_request + open_assessment + open_draft = requests; assess_yes counts
 * decisions to assess whatever followed.
 */
struct ehcp_cohort_counts {
  uint64_t requests;          /**< requests received in the cohort month */
  uint64_t assess_yes;        /**< decided to assess */
  uint64_t assess_no;         /**< decided not to assess */
  uint64_t withdrawn;         /**< withdrawn at any stage */
  uint64_t issued_within_20w; /**< final plan issued within 20 weeks (A5 met) */
  uint64_t issued_after_20w;  /**< final plan issued after 20 weeks */
  uint64_t not_issued;        /**< decided not to issue a plan */
  uint64_t open_request;      /**< open: awaiting the decision to assess */
  uint64_t open_assessment;   /**< open: assessing, no draft */
  uint64_t open_draft;        /**< open: draft served, no final */
  uint64_t open_past_20w;     /**< open (any stage) and past the 20-week date */
};

/** Kaplan-Meier estimate at one week (see ehcp_cohorts_km()). */
struct ehcp_km_point {
  int week;          /**< 6, 16, 20, 26 or 52 */
  double share;      /**< estimated share with a final plan by the end of that week,
                          i.e. by day 7 x week (0-1); NAN when the curve does not
                          reach that week */
  uint64_t at_risk;  /**< requests neither planned nor censored before day 7 x week */
};

#define EHCP_KM_POINTS 5

typedef struct ehcp_cohorts ehcp_cohorts;

/**
 * Create an empty cohort table as of @p as_of.
 * @return ::EHCP_OK, ::EHCP_ERR_INVALID, ::EHCP_ERR_NOMEM.
 */
EHCP_EXPORT int ehcp_cohorts_new(ehcp_cohorts **out, ehcp_date as_of);

/** Free a cohort table. NULL is a no-op. */
EHCP_EXPORT void ehcp_cohorts_free(ehcp_cohorts *co);

/**
 * Count one case evaluated as of the table's as-of date (a case with no
 * request event is ignored). Uses the timeline's A5 occurrence.
 * @return ::EHCP_OK, ::EHCP_ERR_INVALID (NULL, or @p tl evaluated as of
 *         another date) or ::EHCP_ERR_NOMEM (then nothing is counted).
 */
EHCP_EXPORT int ehcp_cohorts_add(ehcp_cohorts *co, const ehcp_case *c, const ehcp_timeline *tl);

/**
 * Add everything @p from counted into @p into (same as-of date). Exact: the
 * result equals counting both tables' cases into one.
 * @return ::EHCP_OK, ::EHCP_ERR_INVALID (NULL, different as-of dates) or
 *         ::EHCP_ERR_NOMEM (then @p into is unchanged).
 */
EHCP_EXPORT int ehcp_cohorts_merge(ehcp_cohorts *into, const ehcp_cohorts *from);

/** Evaluate every case of @p set and count it into a new table in @p out. */
EHCP_EXPORT int ehcp_cohorts_compute(ehcp_cohorts **out, const ehcp_evaluator *ev,
                                     const ehcp_case_set *set, ehcp_date as_of);

/** @return the number of cohorts (request months), oldest first. */
EHCP_EXPORT size_t ehcp_cohorts_count(const ehcp_cohorts *co);

/**
 * The @p index-th cohort's month (year, month 1-12). Out pointers may be NULL.
 * @return ::EHCP_OK or ::EHCP_ERR_NOT_FOUND.
 */
EHCP_EXPORT int ehcp_cohorts_month(int *year, int *month, const ehcp_cohorts *co, size_t index);

/**
 * The @p index-th cohort's counts as of the as-of date.
 * @return a pointer owned by the table (valid until it is changed or
 *         freed), or NULL when @p index is out of range.
 */
EHCP_EXPORT const struct ehcp_cohort_counts *ehcp_cohorts_counts(const ehcp_cohorts *co,
                                                                 size_t index);

/**
 * Number of month ends in the month-on-month view of cohort @p index: the
 * end of its own month and of each following month up to the as-of date
 * (the as-of date itself standing for the last, partial month).
 */
EHCP_EXPORT size_t ehcp_cohorts_history_count(const ehcp_cohorts *co, size_t index);

/**
 * The counts of cohort @p index at the @p k-th month end of its history
 * (k = 0: the end of the cohort's own month); @p at receives that date (may
 * be NULL).
 * @return a pointer owned by the table, or NULL when out of range.
 */
EHCP_EXPORT const struct ehcp_cohort_counts *ehcp_cohorts_history(ehcp_date *at,
                                                                  const ehcp_cohorts *co,
                                                                  size_t index, size_t k);

/**
 * Kaplan-Meier time to plan of cohort @p index: ::EHCP_KM_POINTS points, at
 * weeks 6, 16, 20, 26 and 52.
 *
 * Each request is one observation of T, in days from t0: the final plan's
 * date (an event), or a censoring at the first decision `no` or `withdrawn`
 * for a request closed without a plan, at the as-of date for an open one.
 * With n(t) = #{T >= t} and d(t) the plans on day t (events before
 * censorings on the same day), S(t) = prod over u <= t of (1 - d(u)/n(u));
 * at week w, share = 1 - S(7w) (day 7w is the last day within w weeks) and
 * at_risk = n(7w). share is NAN when n(7w) = 0 while S > 0: everyone still
 * without a plan was censored before day 7w.
 * @return a pointer to the table's array (valid until the table is changed
 *         or freed), or NULL when out of range.
 */
EHCP_EXPORT const struct ehcp_km_point *ehcp_cohorts_km(const ehcp_cohorts *co, size_t index);

#ifdef __cplusplus
}
#endif

#endif
