/**
 * @file ehcp/date.h
 * @brief Civil dates as day numbers: conversion, strict parsing, arithmetic.
 *
 * A date is an ::ehcp_date, the number of days since 1970-01-01 (proleptic
 * Gregorian calendar, no time, no time zone). Supported dates run from
 * 0001-01-01 (::EHCP_DATE_MIN) to 9999-12-31 (::EHCP_DATE_MAX). All functions
 * here are pure and thread-safe.
 *
 * @code
 *   ehcp_date d, due;
 *   const char *why;
 *   if (ehcp_date_parse(&d, "15/01/2025", 10, &why) == EHCP_OK) {
 *     ehcp_date_add_weeks(&due, d, 20);       // 2025-06-04, timescales A5
 *     char buf[EHCP_DATE_ISO_SIZE];
 *     ehcp_date_format(buf, due);
 *   }
 * @endcode
 */
#ifndef EHCP_DATE_H
#define EHCP_DATE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Days since 1970-01-01. */
typedef int32_t ehcp_date;

/** 0001-01-01, the first supported date. */
#define EHCP_DATE_MIN ((ehcp_date)-719162)
/** 9999-12-31, the last supported date. */
#define EHCP_DATE_MAX ((ehcp_date)2932896)
/** "No date" marker (unknown / not applicable). Never a valid date. */
#define EHCP_DATE_NONE ((ehcp_date)INT32_MIN)
/** Buffer size for ehcp_date_format(): "YYYY-MM-DD" plus NUL. */
#define EHCP_DATE_ISO_SIZE 11

/** ISO weekdays as returned by ehcp_date_weekday(). */
enum ehcp_weekday {
  EHCP_MONDAY = 0,
  EHCP_TUESDAY,
  EHCP_WEDNESDAY,
  EHCP_THURSDAY,
  EHCP_FRIDAY,
  EHCP_SATURDAY,
  EHCP_SUNDAY
};

/*
 * Every function that takes an output pointer returns ::EHCP_ERR_INVALID when
 * it is NULL (and writes nothing).
 */

/**
 * Build a date from year, month (1-12) and day (1-31).
 * @param[out] out the day number; untouched on error.
 * @return ::EHCP_OK, or ::EHCP_ERR_RANGE when the date does not exist
 *         (2023-02-29, 2025-04-31, month 13) or lies outside 0001..9999.
 */
EHCP_EXPORT int ehcp_date_from_ymd(ehcp_date *out, int year, int month, int day);

/**
 * Split a date into year, month and day. Any pointer may be NULL.
 * @return ::EHCP_OK, or ::EHCP_ERR_RANGE when @p date is outside
 *         [::EHCP_DATE_MIN, ::EHCP_DATE_MAX] (outputs untouched).
 */
EHCP_EXPORT int ehcp_date_to_ymd(int *year, int *month, int *day, ehcp_date date);

/** @return the weekday of @p date, ::EHCP_MONDAY (0) .. ::EHCP_SUNDAY (6). */
EHCP_EXPORT int ehcp_date_weekday(ehcp_date date);

/** @return 1 if @p year is a Gregorian leap year, else 0. */
EHCP_EXPORT int ehcp_is_leap_year(int year);

/** @return the number of days in @p month (1-12) of @p year, or 0 if month is invalid. */
EHCP_EXPORT int ehcp_days_in_month(int year, int month);

/**
 * Parse a date strictly. Accepted forms (nothing else, no surrounding space):
 *  - ISO `2025-01-15`
 *  - UK `15/01/2025` (day first; never month first; two-digit day and month)
 *  - `2025-Jan-15` (English month abbreviation, case-insensitive)
 *  - DfE COLLECT `2022-Sep-28 00:00:00` (the time must be exactly 00:00:00)
 *
 * @param[out] out    the day number; untouched on error.
 * @param text        the characters to parse; need not be NUL-terminated.
 * @param len         number of characters in @p text.
 * @param[out] reason on error, a static English reason such as "empty" or
 *                    "no such day in that month" (never freed by the
 *                    caller); may be NULL.
 * @return ::EHCP_OK (then @p reason is untouched), ::EHCP_ERR_PARSE for a
 *         malformed string, ::EHCP_ERR_RANGE for a well-formed but impossible
 *         date, ::EHCP_ERR_INVALID when @p out is NULL or @p text is NULL with
 *         @p len > 0.
 *
 * The empty string is an error ("empty"): a reader that treats an empty cell
 * as "unknown" (data-formats.md 4) checks for it before calling this and
 * stores ::EHCP_DATE_NONE. The reason strings are stable and may be matched.
 */
EHCP_EXPORT int ehcp_date_parse(ehcp_date *out, const char *text, size_t len,
                                const char **reason);

/**
 * Write @p date as ISO `YYYY-MM-DD` into @p buf (at least
 * ::EHCP_DATE_ISO_SIZE bytes), NUL-terminated.
 * @return ::EHCP_OK, or ::EHCP_ERR_RANGE if the date is outside 0001..9999
 *         (then @p buf holds the empty string).
 */
EHCP_EXPORT int ehcp_date_format(char *buf, ehcp_date date);

/**
 * @p date plus @p days calendar days.
 * @return ::EHCP_OK, or ::EHCP_ERR_RANGE if either date is outside 0001..9999.
 */
EHCP_EXPORT int ehcp_date_add_days(ehcp_date *out, ehcp_date date, int64_t days);

/** @p date plus 7 * @p weeks days (timescales.md 3.1: weeks are calendar weeks). */
EHCP_EXPORT int ehcp_date_add_weeks(ehcp_date *out, ehcp_date date, int64_t weeks);

/**
 * @p date plus @p months calendar months (negative to go back), with the
 * corresponding-date rule of timescales.md 3.5: same day number in the later
 * month, or that month's last day when it has no such day
 * (31 Jan + 1 month = 28/29 Feb; 29 Feb 2024 + 12 months = 28 Feb 2025).
 * @return ::EHCP_OK, or ::EHCP_ERR_RANGE if a date is outside 0001..9999.
 */
EHCP_EXPORT int ehcp_date_add_months(ehcp_date *out, ehcp_date date, int64_t months);

#ifdef __cplusplus
}
#endif

#endif
