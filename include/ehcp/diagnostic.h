/**
 * @file ehcp/diagnostic.h
 * @brief Diagnostics: what is wrong or doubtful in the data, with stable codes.
 *
 * Readers and validation append diagnostics to an ::ehcp_diagnostics list.
 * Each has a severity, a stable code (numbers and names are never changed or
 * reused), the source file and line (or an XML path), the case id when
 * known, and a message. Errors never stop evaluation: a case with errors is
 * still evaluated as far as it can be, and the diagnostic says what was
 * skipped or how the data was read.
 */
#ifndef EHCP_DIAGNOSTIC_H
#define EHCP_DIAGNOSTIC_H

#include "case.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Severity of a diagnostic. */
enum ehcp_severity {
  EHCP_SEVERITY_ERROR = 1,   /**< the data is wrong; results that depend on it are affected */
  EHCP_SEVERITY_WARNING = 2, /**< doubtful; read as described in the message */
  EHCP_SEVERITY_NOTE = 3     /**< information */
};

/** Diagnostic codes. Never renumbered; the names are stable too. */
enum ehcp_diag_code {
  /* Chronology and consistency of a case (validation). */
  EHCP_DIAG_END_BEFORE_START = 100,       /**< "end_before_start": an end event before its start */
  EHCP_DIAG_PLAN_AFTER_NO = 101,          /**< "plan_after_no": draft/final after a "no" or withdrawn decision */
  EHCP_DIAG_DRAFT_AFTER_FINAL = 102,      /**< "draft_after_final" */
  EHCP_DIAG_EVENT_AFTER_AS_OF = 103,      /**< "event_after_as_of": ignored by evaluation */
  EHCP_DIAG_DUPLICATE_EVENT = 104,        /**< "duplicate_event": a single event recorded twice */
  EHCP_DIAG_UNPAIRED_ADVICE = 105,        /**< "unpaired_advice": advice received with no open request */
  EHCP_DIAG_UNPAIRED_CONTACT = 106,       /**< "unpaired_contact": a reply with no open contact */
  EHCP_DIAG_EXCEPTION_END_BEFORE_START = 107, /**< "exception_end_before_start" */
  EHCP_DIAG_NO_REQUEST = 108,             /**< "no_request": events but no request_received/brought_to_attention */
  /* Reading input (readers). */
  EHCP_DIAG_BAD_DATE = 200,               /**< "bad_date" */
  EHCP_DIAG_UNKNOWN_EVENT = 201,          /**< "unknown_event" */
  EHCP_DIAG_UNKNOWN_DETAIL = 202,         /**< "unknown_detail" */
  EHCP_DIAG_BAD_QUOTING = 203,            /**< "bad_quoting" */
  EHCP_DIAG_UNTERMINATED_QUOTE = 204,     /**< "unterminated_quote" */
  EHCP_DIAG_COLUMN_COUNT = 205,           /**< "column_count": a row with the wrong number of fields */
  EHCP_DIAG_MISSING_COLUMN = 206,         /**< "missing_column": a required header is absent */
  EHCP_DIAG_MISSING_VALUE = 207,          /**< "missing_value": a required cell is empty */
  EHCP_DIAG_DUPLICATE_CASE = 208,         /**< "duplicate_case": a case id seen twice where ids are unique */
  EHCP_DIAG_EMPTY_FILE = 209,             /**< "empty_file" */
  EHCP_DIAG_UNKNOWN_FORMAT = 210,         /**< "unknown_format" */
  EHCP_DIAG_UNKNOWN_CODE = 211,           /**< "unknown_code": an unknown SEN2 code */
  EHCP_DIAG_MISPLACED_ELEMENT = 212,      /**< "misplaced_element": an XML element in the wrong place */
  EHCP_DIAG_REFERENCE_DATE = 213,         /**< "reference_date": header/reference-date mismatch */
  EHCP_DIAG_XML_SYNTAX = 214,             /**< "xml_syntax" */
  EHCP_DIAG_DATE_MISMATCH = 215,          /**< "date_mismatch": two fields that should agree do not */
  EHCP_DIAG_IO = 216                      /**< "io": a file could not be read */
};

/** One diagnostic. Allocated and owned by its ::ehcp_diagnostics list;
 *  fields are only ever appended in later versions. */
struct ehcp_diagnostic {
  int severity;          /**< ::ehcp_severity */
  int code;              /**< ::ehcp_diag_code */
  const char *source;    /**< file name, or NULL */
  uint32_t line;         /**< 1-based line, 0 if none */
  const char *path;      /**< XML path such as "Message/Persons/Person[3]/Requests[1]/ReceivedDate", or NULL */
  const char *case_id;   /**< or NULL */
  const char *message;   /**< English, one line */
};

typedef struct ehcp_diagnostics ehcp_diagnostics;

/** Create an empty list. Free with ehcp_diagnostics_free(). */
EHCP_EXPORT int ehcp_diagnostics_new(ehcp_diagnostics **out);

/** Free a list. NULL is a no-op. */
EHCP_EXPORT void ehcp_diagnostics_free(ehcp_diagnostics *d);

/** @return the number of diagnostics. */
EHCP_EXPORT size_t ehcp_diagnostics_count(const ehcp_diagnostics *d);

/** @return the number of diagnostics of @p severity. */
EHCP_EXPORT size_t ehcp_diagnostics_count_severity(const ehcp_diagnostics *d, int severity);

/**
 * The @p index-th diagnostic, in the order added.
 * @return a pointer owned by the list, valid until the list is freed or
 *         cleared; NULL when out of range.
 */
EHCP_EXPORT const struct ehcp_diagnostic *ehcp_diagnostics_get(const ehcp_diagnostics *d,
                                                               size_t index);

/** Remove every diagnostic (the list stays usable). */
EHCP_EXPORT void ehcp_diagnostics_clear(ehcp_diagnostics *d);

/**
 * Append a diagnostic (strings are copied; any may be NULL but @p message).
 * Used by readers; available to applications that add their own checks,
 * which may use codes of their own (any int; 1000 and up are never used by
 * ehcp). Messages are stored as given: keep them to one line.
 * @return ::EHCP_OK, ::EHCP_ERR_INVALID (NULL list or message, severity not
 *         1-3), ::EHCP_ERR_NOMEM.
 */
EHCP_EXPORT int ehcp_diagnostics_add(ehcp_diagnostics *d, int severity, int code,
                                     const char *source, uint32_t line, const char *path,
                                     const char *case_id, const char *message);

/** @return the stable name of a code ("end_before_start"), or NULL if unknown. */
EHCP_EXPORT const char *ehcp_diag_code_name(int code);

/** @return "error", "warning" or "note" (static), or NULL if unknown. */
EHCP_EXPORT const char *ehcp_severity_name(int severity);

/**
 * Check a case's chronology and consistency as of @p as_of and append what
 * is found (codes 100-108). Each message says how evaluation treats the
 * problem (e.g. "A5 is evaluated as if no final plan had been issued"; the
 * step ids are those of england-2014). With @p as_of ::EHCP_DATE_NONE the
 * event_after_as_of check is skipped. Thread-safe for distinct lists.
 * @return ::EHCP_OK, ::EHCP_ERR_INVALID (NULL list or case), ::EHCP_ERR_NOMEM.
 */
EHCP_EXPORT int ehcp_validate_case(ehcp_diagnostics *d, const ehcp_case *c, ehcp_date as_of);

/** ehcp_validate_case() for every case of a set, in set order. */
EHCP_EXPORT int ehcp_validate_set(ehcp_diagnostics *d, const ehcp_case_set *set,
                                  ehcp_date as_of);

#ifdef __cplusplus
}
#endif

#endif
