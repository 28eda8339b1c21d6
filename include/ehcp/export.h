/**
 * @file ehcp/export.h
 * @brief What people open: open deadlines as an iCalendar (RFC 5545) file
 *        for a caseworker's calendar, and a self-contained HTML board report
 *        with charts.
 *
 * Both are writers: they format results the library has already computed
 * (evaluated timelines, ::ehcp_measures, ::ehcp_cohorts) and never derive a
 * deadline or a figure of their own.
 *
 * **iCalendar.** ehcp_ics_write() evaluates the chosen cases as of a date and
 * writes one `VCALENDAR` holding an all-day `VEVENT` per open (due or
 * overdue) milestone occurrence: `DTSTART;VALUE=DATE` is the due date (the
 * last compliant day), `DTEND` the day after. Each event has a stable `UID`
 * (ehcp_ics_uid()), so importing a newer file updates events instead of
 * duplicating them; `DTSTAMP` is the as-of date at 00:00:00Z, so the same
 * input and date always give the same bytes. `SUMMARY` names only the case
 * id and the step ("C001: A5 final_plan"), never a child's name, and no
 * attribute or free text from the data; `DESCRIPTION` adds the start event
 * and its date, the step's label and legal source, the status and the days
 * late or left. The file is written with libical: text is escaped and lines
 * are folded at 75 octets, never inside a UTF-8 sequence, with CRLF line ends.
 *
 * @code
 *   struct ehcp_ics_options o = {.version = EHCP_ICS_OPTIONS_VERSION, .as_of = today,
 *                                .use_within = 1, .within = 28};
 *   size_t n;
 *   if (ehcp_ics_write(f, &n, ev, rules, set, &o) != EHCP_OK) ...
 * @endcode
 *
 * **Board report.** ehcp_report_write_html() writes one HTML file with
 * inline CSS and inline SVG charts, and no script, external link or font,
 * so it opens on a council's locked-down network and prints on A4: the
 * monthly 20-week trajectory (excluding and including exceptions) against
 * the target, annual-review 4- and 12-week compliance against 90%, advice
 * within 6 weeks by adviser, the waiting-time summary, the cohort table with
 * a heat map and time-to-plan curves per cohort. Every chart is followed by
 * a table (`<table>` with `<caption>` and `<th scope>`) holding the figures
 * it draws, so the report reads without the charts. The markup is also
 * well-formed XML. Text from the data (group names) is escaped.
 *
 * @code
 *   struct ehcp_measures_options mo = {.version = EHCP_MEASURES_OPTIONS_VERSION,
 *                                      .period = EHCP_PERIOD_MONTH,
 *                                      .from = EHCP_DATE_NONE, .to = EHCP_DATE_NONE};
 *   struct ehcp_report_options ro = {.version = EHCP_REPORT_OPTIONS_VERSION,
 *                                    .as_of = today, .target_20w = 75};
 *   ehcp_measures_compute(&monthly, ev, set, today, &mo);
 *   ehcp_cohorts_compute(&co, ev, set, today);
 *   ehcp_report_write_html(f, monthly, NULL, co, &ro);
 * @endcode
 *
 * Thread safety: the writers keep no state between calls and only read
 * the evaluator, rule set, case set, measures and cohorts they are given
 * (a cohort table still belongs to one thread at a time: cohort.h).
 * ehcp_ics_write() uses libical on the calling thread (evaluation runs on
 * worker threads and hands each case back); libical itself is not
 * thread-safe, so do not write two calendars on two threads at once, nor
 * load .ics calendars on one thread while writing on another. The report
 * does not use libical.
 */
#ifndef EHCP_EXPORT_H
#define EHCP_EXPORT_H

#include <stdio.h>

#include "case.h"
#include "cohort.h"
#include "common.h"
#include "measures.h"
#include "ruleset.h"
#include "timeline.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Free a buffer returned by ehcp_ics_string() or ehcp_report_html(). NULL is
 * a no-op.
 */
EHCP_EXPORT void ehcp_export_free(char *buf);

/* ------------------------------------------------------------------------ */
/* iCalendar                                                                 */

/** Options for ehcp_ics_write() and ehcp_ics_string(). Zero-initialise, then
 *  set version and as_of. */
struct ehcp_ics_options {
  unsigned version;            /**< ::EHCP_ICS_OPTIONS_VERSION */
  ehcp_date as_of;             /**< evaluate as of this date; also the DTSTAMP of every event */
  int use_within;              /**< 1: keep only what is overdue or due within @c within
                                    days; 0: every open deadline */
  int32_t within;              /**< with @c use_within: days from the as-of date (0: what
                                    is overdue or due on the as-of date itself) */
  const char *const *case_ids; /**< the cases to write, each once (borrowed), or NULL for every
                                    case of the set */
  size_t ncase_ids;
  int local_targets;           /**< 1: also local targets; 0: statutory limits only */
  const char *name;            /**< calendar name (X-WR-CALNAME), or NULL for "EHC deadlines" */
  /** Called on the calling thread after each case with the number of cases
   *  done and the total; a non-zero return stops the writer, which returns it.
   *  NULL: none. */
  int (*progress)(uint64_t done, uint64_t total, void *payload);
  void *payload;               /**< passed to @c progress */
};
#define EHCP_ICS_OPTIONS_VERSION 1

/** Size of the buffer ehcp_ics_uid() fills: 32 hex digits, "@ehcp", NUL. */
#define EHCP_ICS_UID_SIZE 38

/**
 * The stable UID of a milestone occurrence: 32 lowercase hex digits of a
 * 128-bit hash of the case id, the milestone id, the occurrence's start
 * date, its ref and detail, followed by "@ehcp" ("3f2a...9c@ehcp"). The
 * UID does not spell out the case id (though a short id could be guessed
 * back from it: it is not a secret) and stays the same from run to run and
 * version to version while those five things do. (Should two occurrences of
 * one case still share a UID, ehcp_ics_write() appends "-2", "-3" to the
 * later ones, in timeline order.)
 * @param[out] buf at least ::EHCP_ICS_UID_SIZE bytes.
 * @return ::EHCP_OK or ::EHCP_ERR_INVALID (a NULL argument).
 */
EHCP_EXPORT int ehcp_ics_uid(char *buf, const char *case_id,
                             const struct ehcp_milestone_result *r);

/**
 * Evaluate the chosen cases of @p set with @p ev as of @c opts->as_of and
 * write their open deadlines to @p out as one VCALENDAR (see the file
 * comment). Cases are written in set order (or in @c opts->case_ids order),
 * each case's milestones in timeline order. A case id that is not in the set
 * is an error and nothing is written.
 * @param out        an open stream (not closed).
 * @param[out] nevents number of VEVENTs written (may be NULL).
 * @param ev         the evaluator (borrowed).
 * @param rs         the rule set @p ev was made with (borrowed): labels and legal sources.
 * @return ::EHCP_OK; ::EHCP_ERR_INVALID (NULL argument, a version this library does not
 *         know, no as-of date); ::EHCP_ERR_RANGE (the as-of date or a due date to write
 *         lies after 3000-12-31, beyond what iCalendar files are written for);
 *         ::EHCP_ERR_NOT_FOUND (a case id not in the set); ::EHCP_ERR_IO (a write
 *         failed); ::EHCP_ERR_NOMEM; or the progress callback's non-zero value.
 */
EHCP_EXPORT int ehcp_ics_write(FILE *out, size_t *nevents, const ehcp_evaluator *ev,
                               const ehcp_ruleset *rs, const ehcp_case_set *set,
                               const struct ehcp_ics_options *opts);

/**
 * As ehcp_ics_write(), into a new NUL-terminated buffer.
 * @param[out] out the text; free it with ehcp_export_free(). NULL on error.
 * @param[out] len its length in bytes, without the NUL (may be NULL).
 */
EHCP_EXPORT int ehcp_ics_string(char **out, size_t *len, size_t *nevents,
                                const ehcp_evaluator *ev, const ehcp_ruleset *rs,
                                const ehcp_case_set *set, const struct ehcp_ics_options *opts);

/* ------------------------------------------------------------------------ */
/* HTML board report                                                         */

/** Options for ehcp_report_write_html(). Zero-initialise, then set version
 *  and as_of; a zero field takes its default. */
struct ehcp_report_options {
  unsigned version;      /**< ::EHCP_REPORT_OPTIONS_VERSION */
  ehcp_date as_of;       /**< the date the figures are as of: shown, and ends the window */
  const char *title;     /**< NULL: "EHC timeliness: board report" */
  const char *subtitle;  /**< e.g. the authority's name, or NULL */
  double target_20w;     /**< % target for new plans within 20 weeks; 0: 75 */
  double target_reviews; /**< % target for annual reviews (4 and 12 weeks); 0: 90 */
  double target_advice;  /**< % target for advice within 6 weeks; 0: 90 */
  unsigned months;       /**< months shown in the monthly charts and the cohort table,
                              ending with the as-of month; 0: 12 */
  unsigned advice_periods; /**< latest periods of the advice chart; 0: 3 */
};
#define EHCP_REPORT_OPTIONS_VERSION 1

/**
 * Write the board report (see the file comment) to @p out.
 * @param out     an open stream (not closed).
 * @param monthly measures by month (::EHCP_PERIOD_MONTH), not grouped:
 *                `final_20w_ex`, `final_20w`, `review_decision_4w`,
 *                `review_final_12w` are drawn month by month, and its
 *                waiting summaries are tabled (borrowed).
 * @param advice  measures holding `advice_6w` grouped by adviser, in any
 *                period (a financial year, say), or NULL to use the
 *                `advice_6w` rows of @p monthly (borrowed).
 * @param co      the cohorts, as of the same date (borrowed), or NULL to
 *                leave the cohort sections out.
 * @return ::EHCP_OK; ::EHCP_ERR_INVALID (NULL @p out or @p monthly, bad version,
 *         no as-of date); ::EHCP_ERR_IO (a write failed); ::EHCP_ERR_NOMEM.
 */
EHCP_EXPORT int ehcp_report_write_html(FILE *out, const ehcp_measures *monthly,
                                       const ehcp_measures *advice, const ehcp_cohorts *co,
                                       const struct ehcp_report_options *opts);

/**
 * As ehcp_report_write_html(), into a new NUL-terminated buffer.
 * @param[out] out the HTML; free it with ehcp_export_free(). NULL on error.
 * @param[out] len its length in bytes, without the NUL (may be NULL).
 */
EHCP_EXPORT int ehcp_report_html(char **out, size_t *len, const ehcp_measures *monthly,
                                 const ehcp_measures *advice, const ehcp_cohorts *co,
                                 const struct ehcp_report_options *opts);

#ifdef __cplusplus
}
#endif

#endif
