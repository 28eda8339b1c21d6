/**
 * @file ehcp/case.h
 * @brief Cases, their dated events and attributes, and case sets.
 *
 * A case is one request for an EHC needs assessment and everything that
 * follows it, including the plan's reviews (data-formats.md section 1). It
 * holds an id, free-form string attributes (team, caseworker, setting...)
 * and typed, dated events. A case set holds many cases keyed by id; it is
 * built incrementally and events may arrive in any order (each case keeps
 * its events sorted by date as they arrive).
 *
 * A case set is not thread-safe while it is being built. Once built, any
 * number of threads may read it and evaluate its cases at the same time.
 *
 * @code
 *   ehcp_case_set *set;
 *   ehcp_case_set_new(&set);
 *   ehcp_case_set_add_event(set, "C001", EHCP_EV_REQUEST_RECEIVED, received,
 *                           "parent", EHCP_DATE_NONE, NULL);
 *   ehcp_case_set_set_attribute(set, "C001", "team", "North");
 *   const ehcp_case *c = ehcp_case_set_find(set, "C001");
 *   ehcp_case_set_free(set);
 * @endcode
 */
#ifndef EHCP_CASE_H
#define EHCP_CASE_H

#include "common.h"
#include "date.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Event types: the vocabulary of data-formats.md section 1. Never renumbered. */
enum ehcp_event_type {
  EHCP_EV_REQUEST_RECEIVED = 1,    /**< t0; detail: parent, setting, health, social_care, other */
  EHCP_EV_BROUGHT_TO_ATTENTION,    /**< t0 alternative (s.24) */
  EHCP_EV_ASSESSMENT_DECISION,     /**< yes, no, withdrawn */
  EHCP_EV_ADVICE_REQUESTED,        /**< adviser; ref = setting id for education/early_years */
  EHCP_EV_ADVICE_RECEIVED,         /**< adviser; pairs with the open request of that adviser and ref */
  EHCP_EV_ISSUE_DECISION,          /**< yes, no, withdrawn */
  EHCP_EV_DRAFT_ISSUED,            /**< draft plan served */
  EHCP_EV_FINAL_ISSUED,            /**< final plan issued */
  EHCP_EV_EXCEPTION,               /**< a statutory exception; date = first day, end = last day */
  EHCP_EV_REVIEW_MEETING,          /**< annual review meeting held */
  EHCP_EV_REVIEW_REPORT,           /**< review report sent */
  EHCP_EV_REVIEW_DECISION,         /**< maintain, amend, cease */
  EHCP_EV_REVIEW_DRAFT,            /**< proposed amendments sent */
  EHCP_EV_REVIEW_FINAL,            /**< final amended plan issued */
  EHCP_EV_PHASE_TRANSFER,          /**< date the child moves phase: school, post16, post16_other */
  EHCP_EV_PHASE_TRANSFER_AMENDED,  /**< plan amended to name the new setting */
  EHCP_EV_PLAN_CEASED,             /**< plan ceased; detail = free-text reason code */
  EHCP_EV_CONTACT_RECEIVED,        /**< a query from a family or school (pair by ref) */
  EHCP_EV_CONTACT_RESPONDED,       /**< the reply */
  EHCP_EV_FAMILY_UPDATE,           /**< update sent to the family */
  EHCP_EV_TYPE_COUNT               /**< one past the last type (may grow) */
};

/** Exception kinds (detail of ::EHCP_EV_EXCEPTION), timescales.md 2.1. */
enum ehcp_exception_kind {
  EHCP_EXC_SCHOOL_CLOSURE = 1,     /**< reg 10(4)(a) */
  EHCP_EXC_EARLY_YEARS_CLOSURE,    /**< reg 10(4)(b) */
  EHCP_EXC_PERSONAL_CIRCUMSTANCES, /**< reg 10(4)(c) */
  EHCP_EXC_ABSENCE,                /**< reg 10(4)(d): 28+ continuous days */
  EHCP_EXC_APPOINTMENT_MISSED,     /**< reg 8(2): advice limits only */
  EHCP_EXC_COVID,                  /**< SI 2020/471, 2020-05-01..2020-09-25 */
  EHCP_EXC_UNSPECIFIED             /**< recorded without a reason (SEN2 Week20 = 1) */
};

typedef struct ehcp_case_set ehcp_case_set;
typedef struct ehcp_case ehcp_case;

/**
 * Event type by name ("request_received", ...), from @p name[0..len).
 * @return ::EHCP_OK or ::EHCP_ERR_NOT_FOUND.
 */
EHCP_EXPORT int ehcp_event_type_from_name(int *out, const char *name, size_t len);

/** @return the name of an event type (static), or NULL if unknown. */
EHCP_EXPORT const char *ehcp_event_type_name(int type);

/**
 * Check a detail for an event type. Types with a fixed vocabulary accept only
 * its words (and the empty detail where the vocabulary allows none:
 * request_received, advice events and phase_transfer require one);
 * plan_ceased takes any reason code; the others take none.
 * @return ::EHCP_OK or ::EHCP_ERR_INVALID.
 */
EHCP_EXPORT int ehcp_event_detail_check(int type, const char *detail);

/** Create an empty case set. Free with ehcp_case_set_free(). */
EHCP_EXPORT int ehcp_case_set_new(ehcp_case_set **out);

/** Free a case set and every case in it. NULL is a no-op. */
EHCP_EXPORT void ehcp_case_set_free(ehcp_case_set *set);

/** Message of the set's last error ("" if none); owned by the set. */
EHCP_EXPORT const char *ehcp_case_set_errmsg(const ehcp_case_set *set);

/**
 * Name the source of the events added next (a file name), kept with each
 * event so diagnostics can say "FILE:LINE". @p name is copied.
 */
EHCP_EXPORT int ehcp_case_set_set_source(ehcp_case_set *set, const char *name);

/**
 * Add an event to case @p case_id (created if new).
 * @param type     an ::ehcp_event_type.
 * @param date     the event's date (must be a valid date).
 * @param detail   checked with ehcp_event_detail_check(); NULL = none.
 * @param end_date last day (inclusive) for exceptions, else ::EHCP_DATE_NONE.
 * @param ref      pairing reference (setting id, contact id) or NULL.
 * @return ::EHCP_OK, ::EHCP_ERR_INVALID (bad type, detail, date or empty id:
 *         nothing is added and ehcp_case_set_errmsg() says why), ::EHCP_ERR_NOMEM.
 */
EHCP_EXPORT int ehcp_case_set_add_event(ehcp_case_set *set, const char *case_id, int type,
                                        ehcp_date date, const char *detail, ehcp_date end_date,
                                        const char *ref);

/**
 * As ehcp_case_set_add_event(), recording the line of the source it came
 * from (0 = unknown) for diagnostics.
 */
EHCP_EXPORT int ehcp_case_set_add_event_at(ehcp_case_set *set, const char *case_id, int type,
                                           ehcp_date date, const char *detail,
                                           ehcp_date end_date, const char *ref, uint32_t line);

/**
 * Set attribute @p name of case @p case_id to @p value (both copied),
 * creating the case if new and replacing an earlier value.
 */
EHCP_EXPORT int ehcp_case_set_set_attribute(ehcp_case_set *set, const char *case_id,
                                            const char *name, const char *value);

/** @return the number of cases. */
EHCP_EXPORT size_t ehcp_case_set_count(const ehcp_case_set *set);

/**
 * The @p index-th case in the order cases were first seen.
 * @return a pointer owned by the set (valid until the set is freed or a
 *         case is added), or NULL when @p index is out of range.
 */
EHCP_EXPORT const ehcp_case *ehcp_case_set_get(const ehcp_case_set *set, size_t index);

/** The case with id @p case_id, or NULL. Ownership as ehcp_case_set_get(). */
EHCP_EXPORT const ehcp_case *ehcp_case_set_find(const ehcp_case_set *set, const char *case_id);

/** @return the case's id (owned by the set). */
EHCP_EXPORT const char *ehcp_case_id(const ehcp_case *c);

/** @return the number of events of the case. */
EHCP_EXPORT size_t ehcp_case_event_count(const ehcp_case *c);

/**
 * The @p index-th event in date order (ties keep the order of arrival).
 * Out pointers may be NULL; strings are owned by the set (NULL when absent).
 * @return ::EHCP_OK or ::EHCP_ERR_NOT_FOUND.
 */
EHCP_EXPORT int ehcp_case_event(int *type, ehcp_date *date, const char **detail,
                                ehcp_date *end_date, const char **ref, const ehcp_case *c,
                                size_t index);

/**
 * Where the @p index-th event came from: source name (or NULL) and line (0
 * if unknown). @return ::EHCP_OK or ::EHCP_ERR_NOT_FOUND.
 */
EHCP_EXPORT int ehcp_case_event_source(const char **source, uint32_t *line, const ehcp_case *c,
                                       size_t index);

/** Value of attribute @p name, or NULL if unset. Owned by the set. */
EHCP_EXPORT const char *ehcp_case_attribute(const ehcp_case *c, const char *name);

/** @return the number of attributes of the case. */
EHCP_EXPORT size_t ehcp_case_attribute_count(const ehcp_case *c);

/** The @p index-th attribute (in order of first setting). @return ::EHCP_OK or ::EHCP_ERR_NOT_FOUND. */
EHCP_EXPORT int ehcp_case_attribute_at(const char **name, const char **value, const ehcp_case *c,
                                       size_t index);

#ifdef __cplusplus
}
#endif

#endif
