/**
 * @file ehcp/ruleset.h
 * @brief Statutory rule sets as data: milestones, limits, exceptions and the
 *        counting conventions.
 *
 * A rule set is a list of milestones. Each milestone has an id ("A5"), a
 * name ("final_plan"), a start event, an end event, a limit (days, weeks,
 * calendar months, working days, or a fixed date such as "before
 * 15 February of the transfer year"), the exceptions that switch it off,
 * and whether it is statutory or a local target.
 *
 * The built-in `england-2014` rule set covers A1-A5, B1, B4, B5, B7, B7' and
 * B9-B11 of timescales.md; it is the file `rules/england-2014.ini`, compiled
 * in. Local targets and other nations' rule sets are read from INI files in
 * the same format (docs/ruleset-format.md; `rules/wales-2021.ini` and
 * `rules/local-targets-example.ini` ship with ehcp).
 *
 * Conventions are named options, defaulting to timescales.md:
 *
 * | option | values (default first) | meaning |
 * |---|---|---|
 * | `week_counting` | `t0_plus_7n`, `t0_day1` | last compliant day of "N weeks of t0" is t0 + 7N, or t0 + 7N - 1 (3.2) |
 * | `review_clock` | `decision`, `meeting` | which date restarts the 12-month review clock (B1) |
 * | `closure_window_end` | `inclusive`, `exclusive` | is R - 7 inside the reg 10(4)(a) window |
 * | `region` | `england-and-wales`, `scotland`, `northern-ireland`, `none` | bank holidays of the working-day calendar |
 *
 * A rule set is built (created, loaded, options set) on one thread; after
 * that it is only read, and may be shared by any number of threads.
 */
#ifndef EHCP_RULESET_H
#define EHCP_RULESET_H

#include "common.h"
#include "date.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ehcp_ruleset ehcp_ruleset;

/**
 * Create a rule set: a copy of the built-in set @p base ("england-2014"),
 * or an empty one when @p base is NULL or "".
 * @param[out] out the rule set; free with ehcp_ruleset_free().
 * @return ::EHCP_OK, ::EHCP_ERR_NOT_FOUND (unknown built-in), ::EHCP_ERR_NOMEM.
 */
EHCP_EXPORT int ehcp_ruleset_new(ehcp_ruleset **out, const char *base);

/** Free a rule set. NULL is a no-op. */
EHCP_EXPORT void ehcp_ruleset_free(ehcp_ruleset *rs);

/** Message of the last error ("FILE:LINE: reason"), "" if none. Owned by @p rs. */
EHCP_EXPORT const char *ehcp_ruleset_errmsg(const ehcp_ruleset *rs);

/**
 * Read a rule-set INI text into @p rs: `[ruleset]` options and
 * `[milestone ID]` sections that add milestones or replace ones with the
 * same id. A `[ruleset]` key `extends = england-2014` first replaces the
 * contents of @p rs with that built-in set. The text is checked whole
 * before anything changes: on error @p rs is unchanged.
 * @param source_name used in error messages.
 * @return ::EHCP_OK, ::EHCP_ERR_PARSE (message names the line),
 *         ::EHCP_ERR_LIMIT (a text over 1 MiB), ::EHCP_ERR_INVALID (NULL
 *         arguments), ::EHCP_ERR_NOMEM.
 */
EHCP_EXPORT int ehcp_ruleset_load_string(ehcp_ruleset *rs, const char *text, size_t len,
                                         const char *source_name);

/** ehcp_ruleset_load_string() on a file. ::EHCP_ERR_IO if it cannot be read. */
EHCP_EXPORT int ehcp_ruleset_load_file(ehcp_ruleset *rs, const char *path);

/**
 * Set a convention (see the table above).
 * @return ::EHCP_OK or ::EHCP_ERR_INVALID (unknown option or value).
 */
EHCP_EXPORT int ehcp_ruleset_set_option(ehcp_ruleset *rs, const char *option, const char *value);

/** Current value of a convention (static string), or NULL for an unknown option. */
EHCP_EXPORT const char *ehcp_ruleset_option(const ehcp_ruleset *rs, const char *option);

/** @return the rule set's name ("england-2014", or the file's `name`). */
EHCP_EXPORT const char *ehcp_ruleset_name(const ehcp_ruleset *rs);

/** @return the ::ehcp_region its `region` convention names. */
EHCP_EXPORT int ehcp_ruleset_region(const ehcp_ruleset *rs);

/** @return the number of milestones. */
EHCP_EXPORT size_t ehcp_ruleset_count(const ehcp_ruleset *rs);

/**
 * Describe the @p index-th milestone. Out pointers may be NULL; strings are
 * owned by the rule set.
 * @param[out] id        e.g. "A5"
 * @param[out] name      e.g. "final_plan"
 * @param[out] statutory 1 for a statutory limit, 0 for a local target
 * @return ::EHCP_OK or ::EHCP_ERR_NOT_FOUND.
 */
EHCP_EXPORT int ehcp_ruleset_milestone(const char **id, const char **name, int *statutory,
                                       const ehcp_ruleset *rs, size_t index);

/**
 * The @p index-th milestone's description and legal source (e.g.
 * "final plan issued", "reg 13(2)"); either may be "".
 */
EHCP_EXPORT int ehcp_ruleset_milestone_text(const char **label, const char **source,
                                            const ehcp_ruleset *rs, size_t index);

/** Index of the milestone with id @p id. @return ::EHCP_OK or ::EHCP_ERR_NOT_FOUND. */
EHCP_EXPORT int ehcp_ruleset_find(size_t *index, const ehcp_ruleset *rs, const char *id);

#ifdef __cplusplus
}
#endif

#endif
