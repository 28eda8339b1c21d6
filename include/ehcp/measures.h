/**
 * @file ehcp/measures.h
 * @brief Compliance measures as boards and the DfE count them
 *        (timescales.md section 6, data-formats.md section 6).
 *
 * Measures are computed from evaluated timelines, never by deriving
 * deadlines again: feed every case's timeline to an ::ehcp_measures
 * accumulator (or let ehcp_measures_compute() evaluate a whole set), then
 * read the rows. A step counts in the period of its end event (the plan
 * issue date for `final_20w`); its numerator is "met", its denominator
 * "met + missed" (the DfE divides by within + after, not by all steps).
 *
 * Measure ids and the milestones they count:
 *
 * | id | milestone | notes |
 * |---|---|---|
 * | `decision_6w` | A1 | decision whether to assess within 6 weeks |
 * | `advice_6w` | A2 | grouped by adviser unless grouped otherwise |
 * | `not_issue_16w` | A3 | decisions not to issue a plan within 16 weeks |
 * | `final_20w` | A5 | all new plans (including exceptions) |
 * | `final_20w_ex` | A5 | the DfE headline: a case with any exception recorded (SEN2 Week20 = 1) or applying leaves numerator and denominator |
 * | `review_decision_4w` | B5 | |
 * | `review_final_8w` | B7 | |
 * | `review_final_12w` | B7' | |
 * | `phase_transfer` | B9, B10, B11 | |
 * | `contact_5wd` | the milestone paired on contact_received | a local target |
 * | milestone name | any other milestone of the rule set | local targets from a rule-set file |
 *
 * Percentages are rounded to one decimal exactly as the DfE publishes:
 * ehcp_percent().
 *
 * An accumulator belongs to one thread; accumulate on several threads into
 * several accumulators and ehcp_measures_merge() them.
 */
#ifndef EHCP_MEASURES_H
#define EHCP_MEASURES_H

#include "case.h"
#include "common.h"
#include "timeline.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Reporting periods, assigned by the date of a step's end event. */
enum ehcp_period {
  EHCP_PERIOD_MONTH = 0,   /**< "2024-05" */
  EHCP_PERIOD_QUARTER = 1, /**< calendar quarter "2024-Q2" */
  EHCP_PERIOD_YEAR = 2,    /**< calendar year "2024" (SEN2) */
  EHCP_PERIOD_FY = 3,      /**< financial year April-March "FY2024-25" */
  EHCP_PERIOD_AY = 4,      /**< academic year September-August "AY2024-25" */
  EHCP_PERIOD_ALL = 5      /**< one period for everything: "all" */
};

/** Options for ehcp_measures_new(). Zero-initialise, then set version. */
struct ehcp_measures_options {
  unsigned version;               /**< ::EHCP_MEASURES_OPTIONS_VERSION */
  int period;                     /**< ::ehcp_period (default month) */
  const char *const *group_by;    /**< attribute names to group by (borrowed), or NULL */
  size_t ngroup_by;
  const char *const *measures;    /**< measure ids to compute (borrowed), or NULL for all */
  size_t nmeasures;
  ehcp_date from, to;             /**< keep steps ending in [from, to]; ::EHCP_DATE_NONE =
                                       open; both 0 (zero-initialised) = no range */
};
#define EHCP_MEASURES_OPTIONS_VERSION 1

/** One figure. Owned by its ::ehcp_measures; fields only ever appended. */
struct ehcp_measure_row {
  const char *measure;    /**< "final_20w_ex" */
  const char *period;     /**< "2024-05", "2024-Q2", "2024", "FY2024-25", "AY2024-25", "all" */
  const char *group;      /**< attribute values joined by "|" (e.g. "North|AB"), or NULL */
  uint64_t numerator;     /**< steps met */
  uint64_t denominator;   /**< steps met + missed */
  double percent;         /**< ehcp_percent(numerator, denominator); NAN when denominator is 0 */
};

/**
 * Waiting-time summary of new plans and the open caseload (timescales.md
 * sections 6-7). Owned by its ::ehcp_measures; fields only ever appended.
 */
struct ehcp_waiting_summary {
  const char *group;            /**< as in ::ehcp_measure_row, or NULL */
  uint64_t plans;               /**< final plans issued in [from, to] */
  uint64_t within_20w;          /**< DfE band: within 20 weeks */
  uint64_t within_52w;          /**< DfE band: over 20 weeks up to 52 weeks */
  uint64_t over_52w;            /**< DfE band: over 52 weeks */
  double mean_weeks;            /**< weeks from request to plan (NAN if no plans) */
  double median_weeks;
  double p90_weeks;             /**< 90th percentile (nearest rank) */
  double longest_weeks;
  uint64_t open_past_20w;       /**< open requests (no plan, no final decision) past their 20-week date as of the as-of date */
  double open_past_20w_mean_weeks; /**< their mean age in weeks (NAN if none) */
  double open_past_20w_max_weeks;
  uint64_t overdue_reviews;     /**< plans with no review within 12 months (B1 overdue) as of the as-of date */
  uint64_t phase_transfers_due; /**< phase-transfer amendments (B9-B11) due in the as-of date's calendar year and not yet done */
};

typedef struct ehcp_measures ehcp_measures;

/**
 * The DfE's rounding: divide first, in double, then scale and round half
 * up to one decimal: floor((double)a / b * 100.0 * 10 + 0.5) / 10.
 * 23/80 gives 28.7 (not 28.8); 1/8 gives 12.5.
 * @return the percentage, or NAN when @p b is 0.
 */
EHCP_EXPORT double ehcp_percent(uint64_t a, uint64_t b);

/** @return the name of a period kind ("month", "quarter", "year", "fy", "ay", "all") (static), or NULL. */
EHCP_EXPORT const char *ehcp_period_name(int period);

/** Period kind by name. @return ::EHCP_OK or ::EHCP_ERR_INVALID. */
EHCP_EXPORT int ehcp_period_from_name(int *out, const char *name);

/**
 * Create an accumulator for the milestones of rule set @p rs (borrowed; it
 * must outlive the accumulator). @p opts may be NULL for defaults (all
 * measures, by month, no grouping).
 * @return ::EHCP_OK, ::EHCP_ERR_INVALID (unknown measure id or period, bad
 *         version), ::EHCP_ERR_NOMEM. On ::EHCP_ERR_INVALID, @p *out is
 *         still set to an (empty) accumulator whose ehcp_measures_errmsg()
 *         says why: free it with ehcp_measures_free().
 */
EHCP_EXPORT int ehcp_measures_new(ehcp_measures **out, const ehcp_ruleset *rs,
                                  const struct ehcp_measures_options *opts);

/** Free an accumulator. NULL is a no-op. */
EHCP_EXPORT void ehcp_measures_free(ehcp_measures *m);

/** Message of the last error ("" if none); owned by @p m. */
EHCP_EXPORT const char *ehcp_measures_errmsg(const ehcp_measures *m);

/**
 * Count one evaluated case (its timeline from ehcp_evaluate()). All cases
 * must be evaluated as of the same date.
 * @return ::EHCP_OK or ::EHCP_ERR_NOMEM. After ::EHCP_ERR_NOMEM the
 *         accumulator may have counted part of the case, so it is out of
 *         use: it reads as empty, later adds and merges return
 *         ::EHCP_ERR_INVALID; free it. (The same for ehcp_measures_merge(),
 *         whose @p into is then out of use.)
 */
EHCP_EXPORT int ehcp_measures_add(ehcp_measures *m, const ehcp_case *c, const ehcp_timeline *tl);

/** Add everything @p from counted into @p into (same rule set and options). */
EHCP_EXPORT int ehcp_measures_merge(ehcp_measures *into, const ehcp_measures *from);

/**
 * Evaluate every case of @p set as of @p as_of (on all cores) and count it:
 * a new accumulator in @p out.
 */
EHCP_EXPORT int ehcp_measures_compute(ehcp_measures **out, const ehcp_evaluator *ev,
                                      const ehcp_case_set *set, ehcp_date as_of,
                                      const struct ehcp_measures_options *opts);

/**
 * Number of rows, sorted by measure (in the table's order, then local
 * targets in rule-set order), period, then group. Only (measure, period,
 * group) combinations with at least one step are listed.
 */
EHCP_EXPORT size_t ehcp_measures_count(const ehcp_measures *m);

/** The @p index-th row (valid until the next add/merge or free), or NULL. */
EHCP_EXPORT const struct ehcp_measure_row *ehcp_measures_get(const ehcp_measures *m, size_t index);

/** Number of waiting summaries: one per group (one in all when ungrouped). */
EHCP_EXPORT size_t ehcp_measures_summary_count(const ehcp_measures *m);

/** The @p index-th waiting summary (valid until the next add/merge or free), or NULL. */
EHCP_EXPORT const struct ehcp_waiting_summary *ehcp_measures_summary(const ehcp_measures *m,
                                                                      size_t index);

#ifdef __cplusplus
}
#endif

#endif
