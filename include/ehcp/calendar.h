/**
 * @file ehcp/calendar.h
 * @brief Working-day calendars: bank holidays of the UK nations, closures,
 *        iCalendar feeds, and O(1) working-day arithmetic.
 *
 * A calendar is composed with a builder, then compiled once into an
 * immutable ::ehcp_calendar. A compiled calendar is never modified, so any
 * number of threads may query one calendar at the same time without locks.
 * Builders are not thread-safe; build calendars on one thread (libical,
 * used for .ics files, is only touched while building).
 *
 * Working-day semantics (calendars.md section 3):
 *  - ehcp_calendar_count() counts working days in the half-open range
 *    [b, e); when e < b the count is minus the count over [e, b), so that
 *    count(a, b) + count(b, c) == count(a, c) for any a, b, c.
 *    (numpy >= 1.25 `busday_count` counts a reversed range over (e, b]
 *    instead; the two differ when b or e is a working day.)
 *  - ehcp_calendar_add() gives the N-th working day after d, d itself
 *    excluded; negative N gives the N-th working day before d; N = 0 gives d.
 *  - ehcp_calendar_next() / ehcp_calendar_previous() roll a non-working day
 *    forward / back ("following" / "preceding"); a working day is returned
 *    unchanged.
 *
 * Every query is O(1): one or two reads from tables compiled at build time.
 * A query that needs a day outside the calendar's range returns
 * ::EHCP_ERR_RANGE and never reads out of bounds.
 *
 * @code
 *   ehcp_calendar_builder *b;
 *   ehcp_calendar *cal;
 *   ehcp_calendar_builder_new(&b);
 *   ehcp_calendar_builder_set_region(b, EHCP_REGION_ENGLAND_AND_WALES);
 *   ehcp_calendar_builder_add_closure(b, dec24, jan1, "Office closure");
 *   if (ehcp_calendar_build(&cal, b) != EHCP_OK)
 *     fprintf(stderr, "%s\n", ehcp_calendar_builder_errmsg(b));
 *   ehcp_calendar_builder_free(b);       // the calendar does not need it
 *   int32_t n;
 *   ehcp_calendar_count(&n, cal, from, to);
 *   ehcp_calendar_free(cal);
 * @endcode
 */
#ifndef EHCP_CALENDAR_H
#define EHCP_CALENDAR_H

#include "common.h"
#include "date.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bank-holiday regions (GOV.UK divisions). */
enum ehcp_region {
  EHCP_REGION_NONE = 0,              /**< no bank holidays */
  EHCP_REGION_ENGLAND_AND_WALES = 1, /**< "england-and-wales" */
  EHCP_REGION_SCOTLAND = 2,          /**< "scotland" */
  EHCP_REGION_NORTHERN_IRELAND = 3   /**< "northern-ireland" */
};

/** First and last years for which built-in bank holidays are defined. */
#define EHCP_HOLIDAYS_FIRST_YEAR 1980
#define EHCP_HOLIDAYS_LAST_YEAR 2099

/** Weekday bits for weekend masks: bit (1 << ehcp_weekday). */
#define EHCP_WEEKEND_SAT_SUN ((1u << EHCP_SATURDAY) | (1u << EHCP_SUNDAY))

/** Where a closure came from. */
enum ehcp_closure_kind {
  EHCP_CLOSURE_BANK_HOLIDAY = 0, /**< built-in bank holiday of the region */
  EHCP_CLOSURE_USER = 1,         /**< added with ehcp_calendar_builder_add_closure() */
  EHCP_CLOSURE_ICS = 2           /**< loaded from an iCalendar file or buffer */
};

typedef struct ehcp_calendar_builder ehcp_calendar_builder;
typedef struct ehcp_calendar ehcp_calendar;

/**
 * Look up a region by its GOV.UK division name ("england-and-wales",
 * "scotland", "northern-ireland") or "none".
 * @param[out] out the region.
 * @return ::EHCP_OK or ::EHCP_ERR_INVALID for an unknown name.
 */
EHCP_EXPORT int ehcp_region_from_name(int *out, const char *name);

/** @return the division name of @p region (static string), or NULL if unknown. */
EHCP_EXPORT const char *ehcp_region_name(int region);

/**
 * Create an empty builder: no region, weekend Saturday + Sunday, range
 * 1980-01-01 .. 2099-12-31, no closures.
 * @param[out] out the new builder; free it with ehcp_calendar_builder_free().
 * @return ::EHCP_OK or ::EHCP_ERR_NOMEM.
 */
EHCP_EXPORT int ehcp_calendar_builder_new(ehcp_calendar_builder **out);

/** Free a builder. NULL is a no-op. Calendars built from it stay valid. */
EHCP_EXPORT void ehcp_calendar_builder_free(ehcp_calendar_builder *b);

/**
 * The message of the builder's last error, naming the file, line and reason
 * where there is one. Owned by the builder; valid until its next call.
 * @return "" when there has been no error.
 */
EHCP_EXPORT const char *ehcp_calendar_builder_errmsg(const ehcp_calendar_builder *b);

/** Use the bank holidays of @p region (::ehcp_region). @return ::EHCP_OK or ::EHCP_ERR_INVALID. */
EHCP_EXPORT int ehcp_calendar_builder_set_region(ehcp_calendar_builder *b, int region);

/**
 * Set the weekend: bit (1 << ::ehcp_weekday) set means that weekday is never
 * a working day. Default ::EHCP_WEEKEND_SAT_SUN. 0 makes every day a working
 * day unless closed (useful for a school calendar that lists every closed day).
 * @return ::EHCP_OK or ::EHCP_ERR_INVALID when bits above Sunday are set.
 */
EHCP_EXPORT int ehcp_calendar_builder_set_weekend(ehcp_calendar_builder *b, unsigned mask);

/**
 * Set the inclusive range of days the calendar covers (default 1980-01-01 ..
 * 2099-12-31). At most 400 years. With a region, the range must lie within
 * the years bank holidays are defined for (1980-2099).
 * @return ::EHCP_OK, ::EHCP_ERR_INVALID if @p last < @p first, or
 *         ::EHCP_ERR_RANGE (checked again by ehcp_calendar_build()).
 */
EHCP_EXPORT int ehcp_calendar_builder_set_range(ehcp_calendar_builder *b, ehcp_date first,
                                                ehcp_date last);

/**
 * Close the days @p first .. @p last inclusive (e.g. a council's 24 Dec -
 * 1 Jan office closure). @p name is copied; NULL gives "Closure".
 * @return ::EHCP_OK, ::EHCP_ERR_INVALID if @p last < @p first, ::EHCP_ERR_NOMEM.
 */
EHCP_EXPORT int ehcp_calendar_builder_add_closure(ehcp_calendar_builder *b, ehcp_date first,
                                                  ehcp_date last, const char *name);

/**
 * Add the closures of an iCalendar (RFC 5545) text: every all-day VEVENT
 * closes [DTSTART, DTEND) (DTEND exclusive; a missing DTEND or DTEND equal to
 * DTSTART closes one day); RRULE recurrences are expanded up to the end of
 * the builder's range, minus EXDATE dates. Reads a GOV.UK bank-holiday feed
 * and a school's term calendar (its closed days) alike.
 *
 * The whole text is checked before anything is added: on error the builder
 * is unchanged and ehcp_calendar_builder_errmsg() names @p source_name, the
 * line and the reason.
 * @param data        the text; need not be NUL-terminated.
 * @param len         its length in bytes.
 * @param source_name name used in error messages (e.g. the file name).
 * @return ::EHCP_OK, ::EHCP_ERR_PARSE (malformed text, timed events,
 *         impossible dates), ::EHCP_ERR_LIMIT (recurrence expansion too
 *         large), ::EHCP_ERR_NOMEM.
 */
EHCP_EXPORT int ehcp_calendar_builder_add_ics(ehcp_calendar_builder *b, const char *data,
                                              size_t len, const char *source_name);

/**
 * ehcp_calendar_builder_add_ics() on the contents of file @p path.
 * @return as ehcp_calendar_builder_add_ics(), or ::EHCP_ERR_IO when the file
 *         cannot be read.
 */
EHCP_EXPORT int ehcp_calendar_builder_add_ics_file(ehcp_calendar_builder *b, const char *path);

/**
 * Compile the builder into an immutable calendar. The builder keeps its
 * composition (only its error message may change) and may be reused.
 * @param[out] out the calendar; free it with ehcp_calendar_free().
 * @return ::EHCP_OK, ::EHCP_ERR_RANGE or ::EHCP_ERR_NOMEM.
 */
EHCP_EXPORT int ehcp_calendar_build(ehcp_calendar **out, ehcp_calendar_builder *b);

/** Free a calendar. NULL is a no-op. */
EHCP_EXPORT void ehcp_calendar_free(ehcp_calendar *cal);

/** The calendar's inclusive range of days. Either pointer may be NULL. */
EHCP_EXPORT void ehcp_calendar_range(ehcp_date *first, ehcp_date *last,
                                     const ehcp_calendar *cal);

/** @return the calendar's region (::ehcp_region). */
EHCP_EXPORT int ehcp_calendar_region(const ehcp_calendar *cal);

/**
 * @return 1 if @p day is a working day, 0 if not, ::EHCP_ERR_RANGE if it
 *         lies outside the calendar's range.
 */
EHCP_EXPORT int ehcp_calendar_is_working_day(const ehcp_calendar *cal, ehcp_date day);

/**
 * Working days in [@p b, @p e) (minus the count over [e, b) when e < b).
 * Valid for first <= b, e <= last + 1.
 * @return ::EHCP_OK or ::EHCP_ERR_RANGE (@p out untouched).
 */
EHCP_EXPORT int ehcp_calendar_count(int32_t *out, const ehcp_calendar *cal, ehcp_date b,
                                    ehcp_date e);

/**
 * The @p n-th working day after @p day (@p day excluded); negative @p n
 * counts back; 0 returns @p day. ::EHCP_ERR_RANGE when @p day or the result
 * is outside the range (@p out untouched).
 */
EHCP_EXPORT int ehcp_calendar_add(ehcp_date *out, const ehcp_calendar *cal, ehcp_date day,
                                  int32_t n);

/** @p day if it is a working day, else the next working day. ::EHCP_ERR_RANGE if none in range. */
EHCP_EXPORT int ehcp_calendar_next(ehcp_date *out, const ehcp_calendar *cal, ehcp_date day);

/** @p day if it is a working day, else the previous working day. ::EHCP_ERR_RANGE if none in range. */
EHCP_EXPORT int ehcp_calendar_previous(ehcp_date *out, const ehcp_calendar *cal, ehcp_date day);

/**
 * Batch ehcp_calendar_count() over @p n pairs: out[i] = count(b[i], e[i]).
 * A pair outside the range gives out[i] = INT32_MIN.
 * @return ::EHCP_OK when every pair was in range, else ::EHCP_ERR_RANGE
 *         (all other pairs are still computed).
 */
EHCP_EXPORT int ehcp_calendar_count_batch(int32_t *out, const ehcp_calendar *cal,
                                          const ehcp_date *b, const ehcp_date *e, size_t n);

/**
 * Batch ehcp_calendar_add(): out[i] = add(day[i], nth[i]); out of range gives
 * ::EHCP_DATE_NONE. Return value as ehcp_calendar_count_batch().
 */
EHCP_EXPORT int ehcp_calendar_add_batch(ehcp_date *out, const ehcp_calendar *cal,
                                        const ehcp_date *day, const int32_t *nth, size_t n);

/**
 * Batch ehcp_calendar_is_working_day(): out[i] = 1, 0, or -1 when out of
 * range. Return value as ehcp_calendar_count_batch().
 */
EHCP_EXPORT int ehcp_calendar_is_working_day_batch(int8_t *out, const ehcp_calendar *cal,
                                                   const ehcp_date *day, size_t n);

/**
 * Number of named closures (bank holidays, user closures, .ics events) that
 * overlap the calendar's range, sorted by first day then name.
 */
EHCP_EXPORT size_t ehcp_calendar_closure_count(const ehcp_calendar *cal);

/**
 * The @p index-th closure: its first and last day (inclusive), name and
 * ::ehcp_closure_kind. Any out pointer may be NULL. @p name is owned by the
 * calendar and lives as long as it.
 * @return ::EHCP_OK or ::EHCP_ERR_NOT_FOUND when @p index >= the count.
 */
EHCP_EXPORT int ehcp_calendar_closure(ehcp_date *first, ehcp_date *last, const char **name,
                                      int *kind, const ehcp_calendar *cal, size_t index);

#ifdef __cplusplus
}
#endif

#endif
