/**
 * @file ehcp/reader.h
 * @brief Reading case data into a case set: events CSV, attributes CSV,
 *        cases CSV and SEN2 XML, with exact row accounting.
 *
 * A reader adds what it reads to a case set and reports every problem as a
 * diagnostic naming the file, line and reason. Nothing is silently lost:
 * for every file, rows read = rows accepted + rows rejected, where a row is
 * a data row (the header is not counted) and a rejected row has at least
 * one error diagnostic. The CSV dialect is data-formats.md section 4:
 * RFC 4180 quoting with embedded commas, quotes and newlines; CRLF or LF; a
 * UTF-8 byte-order mark is ignored; dates in any form ehcp_date_parse()
 * accepts; an empty cell is unknown.
 *
 * For SEN2 XML a row is one `<Requests>` element, read as the case "KEY/N"
 * (KEY the person's UPN, else ULN, else "P" and the person's position in
 * the file; N the request's position within the person); it is rejected
 * when it has an error diagnostic (e.g. a missing or malformed
 * ReceivedDate), and what else it holds is still read. Names, postcodes and
 * birth dates are never copied anywhere.
 *
 * A cases CSV (::EHCP_FORMAT_CASES_CSV, data-formats.md 3) has one row per
 * case. Header names ignore ASCII case; `case_id` and `received_date` are
 * required; every column that is not a recognised one becomes an attribute
 * named by its header as written (`person_id` becomes the attribute
 * `person_id`). A row is taken whole or rejected: a decision word without
 * its date or a date without its word (`assessment_decision`,
 * `issue_decision`, `review_decision`, `phase_transfer_kind`), a word
 * outside the vocabulary (words are exact: `Yes` is not `yes`), an
 * `exception_start` or `exception_end` with `exception` empty or `0`, an
 * empty `case_id` or `received_date`, and a case id already on an earlier
 * row of the same file (`duplicate_case`) are errors on the row.
 * `exception` is `0`, `1` (= `unspecified`) or a reason; without
 * `exception_start` the exception starts on `received_date`. Ids are unique
 * per file only: a case already in the set gets the row's events added.
 * See ehcp_reader_map_column() for exports with other headers.
 *
 * @code
 *   ehcp_reader *r;
 *   ehcp_reader_new(&r, set, diags);
 *   if (ehcp_reader_read_file(r, "events.csv", EHCP_FORMAT_AUTO) != EHCP_OK)
 *     fprintf(stderr, "%s\n", ehcp_reader_errmsg(r));
 *   printf("%llu rows read, %llu accepted, %llu rejected\n", ...);
 *   ehcp_reader_free(r);
 * @endcode
 */
#ifndef EHCP_READER_H
#define EHCP_READER_H

#include "case.h"
#include "common.h"
#include "diagnostic.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Input formats. Never renumbered. */
enum ehcp_format {
  EHCP_FORMAT_AUTO = 0,           /**< detect from the content */
  EHCP_FORMAT_EVENTS_CSV = 1,     /**< `case_id,event,date[,detail,end_date,ref]` (data-formats.md 2) */
  EHCP_FORMAT_ATTRIBUTES_CSV = 2, /**< `case_id` plus any columns */
  EHCP_FORMAT_CASES_CSV = 3,      /**< wide, one row per case (data-formats.md 3) */
  EHCP_FORMAT_SEN2_XML = 4        /**< SEN2 person-level return (data-formats.md 5) */
};

typedef struct ehcp_reader ehcp_reader;

/**
 * Create a reader that adds to @p set and reports to @p diags (both
 * borrowed; they must outlive the reader).
 */
EHCP_EXPORT int ehcp_reader_new(ehcp_reader **out, ehcp_case_set *set, ehcp_diagnostics *diags);

/** Free a reader (not the set or diagnostics). NULL is a no-op. */
EHCP_EXPORT void ehcp_reader_free(ehcp_reader *r);

/** Message of the last failed call ("" if none). Owned by the reader. */
EHCP_EXPORT const char *ehcp_reader_errmsg(const ehcp_reader *r);

/**
 * Detect the format of a text from its start: an XML root element, or the
 * CSV header (events: has `event` and `date` columns; cases: has
 * `received_date`; attributes: otherwise with a `case_id` column).
 * @return ::EHCP_OK or ::EHCP_ERR_PARSE when nothing fits.
 */
EHCP_EXPORT int ehcp_reader_detect(int *format, const char *data, size_t len);

/**
 * Read a file. Problems in rows are diagnostics, not failures.
 * @param format an ::ehcp_format, or ::EHCP_FORMAT_AUTO.
 * @return ::EHCP_OK when the file was read (with or without row errors);
 *         ::EHCP_ERR_IO if it cannot be opened or read; ::EHCP_ERR_PARSE if
 *         its format is unknown or its header unusable (also a diagnostic);
 *         ::EHCP_ERR_NOMEM.
 */
EHCP_EXPORT int ehcp_reader_read_file(ehcp_reader *r, const char *path, int format);

/** As ehcp_reader_read_file() on @p data[0..len), named @p name in diagnostics. */
EHCP_EXPORT int ehcp_reader_read_buffer(ehcp_reader *r, const char *data, size_t len,
                                        const char *name, int format);

/** Rows read, accepted and rejected by the last read (any pointer may be NULL). */
EHCP_EXPORT void ehcp_reader_last_counts(uint64_t *read, uint64_t *accepted, uint64_t *rejected,
                                         const ehcp_reader *r);

/** The same, totalled over every read of this reader. */
EHCP_EXPORT void ehcp_reader_total_counts(uint64_t *read, uint64_t *accepted,
                                          uint64_t *rejected, const ehcp_reader *r);

/** @return the ::ehcp_format of the last read. */
EHCP_EXPORT int ehcp_reader_last_format(const ehcp_reader *r);

/**
 * @return the `Header/CollectionDetails/ReferenceDate` of the last SEN2
 *         return read (the default as-of date for its figures), or
 *         ::EHCP_DATE_NONE when none has been read.
 */
EHCP_EXPORT ehcp_date ehcp_reader_reference_date(const ehcp_reader *r);

/** @return the name of a format ("events_csv", ...) (static), or NULL. */
EHCP_EXPORT const char *ehcp_format_name(int format);

/**
 * Read the cases CSV column @p field from the file's column named @p header,
 * for an export whose headers are not the recognised names
 * (data-formats.md 3):
 *
 * @code
 *   ehcp_reader_map_column(r, "case_id", "Case ref");
 *   ehcp_reader_map_column(r, "received_date", "Date request received");
 *   ehcp_reader_read_file(r, "export.csv", EHCP_FORMAT_CASES_CSV);
 * @endcode
 *
 * @p field is a recognised column name (`case_id`, `received_date`,
 * `advice_ep_requested`, ...); both it and @p header are matched ignoring
 * ASCII case, and @p header is trimmed of spaces and tabs as file headers
 * are. A mapping adds a name: the recognised name still works, a field may
 * be mapped to several headers (exports from different systems), and a file
 * that has more than one column for the same field is refused. A mapped
 * header takes precedence over the recognised names, so columns can be
 * swapped. Diagnostics about a mapped column name both, e.g.
 * "received_date (column 'Date request received') '31/02/2025' is not a
 * date (...)"; a mapped `person_id` is still the attribute `person_id`.
 *
 * Mappings stay with the reader for every later read and apply to cases CSV
 * only: events and attributes CSV reads ignore them. Format detection does
 * not know them either (ehcp_reader_detect() looks for `received_date`), so
 * pass ::EHCP_FORMAT_CASES_CSV when the file's header lacks that name.
 *
 * @param field  a recognised cases CSV column name (borrowed for the call).
 * @param header the file's column name (copied; the reader owns the copy
 *               and frees it in ehcp_reader_free()).
 * @return ::EHCP_OK (also when the same mapping is given again);
 *         ::EHCP_ERR_INVALID for a NULL argument, an unknown @p field, an
 *         empty @p header, or a @p header already mapped to another field
 *         (ehcp_reader_errmsg() says which); ::EHCP_ERR_NOMEM.
 */
EHCP_EXPORT int ehcp_reader_map_column(ehcp_reader *r, const char *field, const char *header);

#ifdef __cplusplus
}
#endif

#endif
