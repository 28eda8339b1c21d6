/**
 * @file ehcp/timeline.h
 * @brief Evaluation: every milestone of a case as of a date.
 *
 * An evaluator joins a rule set, the authority's working-day calendar and
 * the term calendars of settings (schools, early-years providers, looked up
 * by an advice request's `ref`). It is immutable once set up, so any number
 * of threads may evaluate cases with one evaluator, each into its own
 * ::ehcp_timeline.
 *
 * Evaluating a case fills a timeline: for every applicable milestone
 * occurrence (one per advice request, one per review cycle...), its start,
 * due and done dates, status, days late or left, working days left and
 * whether an exception applies; plus the case's stage and next deadline.
 * A timeline is reused from case to case: evaluation allocates only when a
 * case has more occurrences than any case before it.
 *
 * Statuses (timescales.md; D = due date, the last compliant day):
 *  - `met`: done on or before D; `missed`: done after D (days_late = done - D);
 *  - `due`: not done, as-of <= D (days_left = D - as-of, working_days_left =
 *    working days in (as-of, D]);
 *  - `overdue`: not done, as-of > D (days_late = as-of - D);
 *  - `not_applicable`: the step no longer applies (e.g. A5 after a decision
 *    not to assess); also an occurrence whose working-day due date would
 *    fall outside the calendar's range (then `due` is ::EHCP_DATE_NONE).
 * An exception (timescales.md 2.1) switches a limit off but never moves it:
 * the status is still shown against the plain due date, with `exception`
 * set. Events dated after the as-of date are ignored (phase_transfer, a
 * planned date, excepted).
 */
#ifndef EHCP_TIMELINE_H
#define EHCP_TIMELINE_H

#include "calendar.h"
#include "case.h"
#include "common.h"
#include "ruleset.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Milestone status. Never renumbered. */
enum ehcp_status {
  EHCP_STATUS_MET = 1,
  EHCP_STATUS_MISSED = 2,
  EHCP_STATUS_DUE = 3,
  EHCP_STATUS_OVERDUE = 4,
  EHCP_STATUS_NOT_APPLICABLE = 5
};

/** Stage of a case. Never renumbered. */
enum ehcp_stage {
  EHCP_STAGE_NONE = 0,         /**< "none": no request event */
  EHCP_STAGE_REQUEST = 1,      /**< "request": awaiting the decision whether to assess */
  EHCP_STAGE_ASSESSMENT = 2,   /**< "assessment": assessing, no draft yet */
  EHCP_STAGE_DRAFT = 3,        /**< "draft": draft served, final not issued */
  EHCP_STAGE_PLAN = 4,         /**< "plan": final plan issued */
  EHCP_STAGE_REVIEW = 5,       /**< "review": a review or amendment is under way */
  EHCP_STAGE_NOT_ASSESSED = 6, /**< "not_assessed": decided not to assess */
  EHCP_STAGE_NOT_ISSUED = 7,   /**< "not_issued": decided not to issue a plan */
  EHCP_STAGE_WITHDRAWN = 8,    /**< "withdrawn" */
  EHCP_STAGE_CEASED = 9        /**< "ceased": plan ceased */
};

/** Marks an absent integer field of ::ehcp_milestone_result. */
#define EHCP_NO_VALUE INT32_MIN

/** One milestone occurrence. Allocated and owned by its timeline; fields
 *  are only ever appended in later versions. */
struct ehcp_milestone_result {
  size_t milestone;          /**< index in the rule set */
  const char *id;            /**< "A5" (owned by the rule set) */
  const char *name;          /**< "final_plan" (owned by the rule set) */
  int statutory;             /**< 1 statutory, 0 local target */
  ehcp_date start;           /**< start event date */
  ehcp_date due;             /**< last compliant day */
  ehcp_date done;            /**< end event date, or ::EHCP_DATE_NONE */
  int status;                /**< ::ehcp_status */
  int32_t days_late;         /**< or ::EHCP_NO_VALUE */
  int32_t days_left;         /**< or ::EHCP_NO_VALUE */
  int32_t working_days_left; /**< or ::EHCP_NO_VALUE */
  int exception;             /**< 1 when an exception applies */
  int exception_kind;        /**< the first applying ::ehcp_exception_kind, or 0 */
  const char *ref;           /**< the occurrence's ref (adviser setting, contact id), or NULL; owned by the case set */
  int detail;                /**< for paired occurrences, the start event's detail index (e.g. adviser), else 0 */
};

typedef struct ehcp_evaluator ehcp_evaluator;
typedef struct ehcp_timeline ehcp_timeline;

/**
 * Create an evaluator over a rule set and the authority's calendar. Both are
 * borrowed and must outlive the evaluator.
 * @return ::EHCP_OK, ::EHCP_ERR_INVALID, ::EHCP_ERR_NOMEM.
 */
EHCP_EXPORT int ehcp_evaluator_new(ehcp_evaluator **out, const ehcp_ruleset *rs,
                                   const ehcp_calendar *cal);

/** @return the rule set the evaluator was made with (borrowed). */
EHCP_EXPORT const ehcp_ruleset *ehcp_evaluator_ruleset(const ehcp_evaluator *ev);

/** @return the authority's calendar the evaluator was made with (borrowed). */
EHCP_EXPORT const ehcp_calendar *ehcp_evaluator_calendar(const ehcp_evaluator *ev);

/** Free an evaluator (not the rule set or calendars). NULL is a no-op. */
EHCP_EXPORT void ehcp_evaluator_free(ehcp_evaluator *ev);

/**
 * Give the term calendar of setting @p ref (as used in advice_requested's
 * ref). The setting's closures are its runs of non-working days; a run from
 * C to the re-opening day R with R - C >= 28 days brings in the reg
 * 10(4)(a)/(b) exception for an education / early-years advice request dated
 * in [C - 7, R - 7]. The calendar is read now and not kept.
 * @return ::EHCP_OK, ::EHCP_ERR_INVALID, ::EHCP_ERR_NOMEM.
 */
EHCP_EXPORT int ehcp_evaluator_add_setting_calendar(ehcp_evaluator *ev, const char *ref,
                                                    const ehcp_calendar *setting);

/** Create an empty timeline. Free with ehcp_timeline_free(). */
EHCP_EXPORT int ehcp_timeline_new(ehcp_timeline **out);

/** Free a timeline. NULL is a no-op. */
EHCP_EXPORT void ehcp_timeline_free(ehcp_timeline *tl);

/**
 * Evaluate case @p c as of @p as_of into @p tl (replacing its contents).
 * @return ::EHCP_OK, ::EHCP_ERR_INVALID, ::EHCP_ERR_NOMEM (tl then empty).
 */
EHCP_EXPORT int ehcp_evaluate(ehcp_timeline *tl, const ehcp_evaluator *ev, const ehcp_case *c,
                              ehcp_date as_of);

/** @return the number of milestone occurrences in the timeline. */
EHCP_EXPORT size_t ehcp_timeline_count(const ehcp_timeline *tl);

/**
 * The @p index-th occurrence, in rule-set order then start date.
 * @return a pointer owned by the timeline, valid until its next evaluation
 *         or free; NULL when out of range.
 */
EHCP_EXPORT const struct ehcp_milestone_result *ehcp_timeline_get(const ehcp_timeline *tl,
                                                                  size_t index);

/** @return the case's ::ehcp_stage as of the evaluation date. */
EHCP_EXPORT int ehcp_timeline_stage(const ehcp_timeline *tl);

/**
 * Index of the next deadline: the due or overdue occurrence with the
 * earliest due date (statutory before local on a tie).
 * @return ::EHCP_OK or ::EHCP_ERR_NOT_FOUND when nothing is due.
 */
EHCP_EXPORT int ehcp_timeline_next(size_t *index, const ehcp_timeline *tl);

/** @return the as-of date of the last evaluation. */
EHCP_EXPORT ehcp_date ehcp_timeline_as_of(const ehcp_timeline *tl);

/** @return the name of a status ("met", ...) (static), or NULL if unknown. */
EHCP_EXPORT const char *ehcp_status_name(int status);

/** @return the name of a stage ("request", ...) (static), or NULL if unknown. */
EHCP_EXPORT const char *ehcp_stage_name(int stage);

/** @return the name of an exception kind ("absence", ...) (static), or NULL. */
EHCP_EXPORT const char *ehcp_exception_kind_name(int kind);

/**
 * Evaluate every case of @p set on @p nthreads threads (0 = one per core)
 * and call @p fn for each case, in set order, from the calling thread.
 * @p fn sees the case and its timeline (valid during the call only) and
 * returns 0 to go on or non-zero to stop (returned as is).
 * @return ::EHCP_OK, ::EHCP_ERR_NOMEM, or @p fn's non-zero value.
 */
EHCP_EXPORT int ehcp_evaluate_set(const ehcp_evaluator *ev, const ehcp_case_set *set,
                                  ehcp_date as_of, unsigned nthreads,
                                  int (*fn)(const ehcp_case *c, const ehcp_timeline *tl,
                                            void *payload),
                                  void *payload);

#ifdef __cplusplus
}
#endif

#endif
