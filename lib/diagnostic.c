/* The diagnostics list.
 *
 * Each diagnostic is one allocation: the public struct followed by copies of
 * its strings. That keeps a reader that reports thousands of bad rows to one
 * malloc per row, frees in one call, and, because the list holds pointers
 * rather than the structs themselves, a pointer returned by
 * ehcp_diagnostics_get() survives later additions (the header promises it
 * lives until the list is freed or cleared). */
#include "ehcp/diagnostic.h"

#include <stdlib.h>
#include <string.h>

struct ehcp_diagnostics {
  struct ehcp_diagnostic **items;
  size_t n, cap;
  size_t by_severity[3]; /* [severity - 1]: counted on add, so queries are O(1) */
};

static int severity_ok(int severity) {
  return severity >= EHCP_SEVERITY_ERROR && severity <= EHCP_SEVERITY_NOTE;
}

int ehcp_diagnostics_new(ehcp_diagnostics **out) {
  if (!out)
    return EHCP_ERR_INVALID;
  ehcp_diagnostics *d = calloc(1, sizeof *d);
  if (!d)
    return EHCP_ERR_NOMEM;
  *out = d;
  return EHCP_OK;
}

void ehcp_diagnostics_clear(ehcp_diagnostics *d) {
  if (!d)
    return;
  for (size_t i = 0; i < d->n; i++)
    free(d->items[i]);
  d->n = 0;
  memset(d->by_severity, 0, sizeof d->by_severity);
}

void ehcp_diagnostics_free(ehcp_diagnostics *d) {
  if (!d)
    return;
  ehcp_diagnostics_clear(d);
  free(d->items);
  free(d);
}

size_t ehcp_diagnostics_count(const ehcp_diagnostics *d) { return d ? d->n : 0; }

size_t ehcp_diagnostics_count_severity(const ehcp_diagnostics *d, int severity) {
  return d && severity_ok(severity) ? d->by_severity[severity - 1] : 0;
}

const struct ehcp_diagnostic *ehcp_diagnostics_get(const ehcp_diagnostics *d, size_t index) {
  return d && index < d->n ? d->items[index] : NULL;
}

/* Length of s with its NUL, 0 for NULL; adds it to *total, flagging overflow. */
static size_t measure(const char *s, size_t *total, int *overflow) {
  if (!s)
    return 0;
  size_t len = strlen(s) + 1;
  if (len > SIZE_MAX - *total)
    *overflow = 1;
  else
    *total += len;
  return len;
}

/* Copy s (len bytes with its NUL) to *at and advance *at; NULL stays NULL. */
static const char *place(char **at, const char *s, size_t len) {
  if (!s)
    return NULL;
  char *copy = *at;
  memcpy(copy, s, len);
  *at += len;
  return copy;
}

int ehcp_diagnostics_add(ehcp_diagnostics *d, int severity, int code, const char *source,
                         uint32_t line, const char *path, const char *case_id,
                         const char *message) {
  if (!d || !message || !severity_ok(severity))
    return EHCP_ERR_INVALID;

  size_t total = sizeof(struct ehcp_diagnostic);
  int overflow = 0;
  size_t ls = measure(source, &total, &overflow);
  size_t lp = measure(path, &total, &overflow);
  size_t lc = measure(case_id, &total, &overflow);
  size_t lm = measure(message, &total, &overflow);
  if (overflow)
    return EHCP_ERR_NOMEM;

  if (d->n == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 16;
    if (cap > SIZE_MAX / sizeof *d->items)
      return EHCP_ERR_NOMEM;
    struct ehcp_diagnostic **grown = realloc(d->items, cap * sizeof *grown);
    if (!grown)
      return EHCP_ERR_NOMEM;
    d->items = grown;
    d->cap = cap;
  }

  /* The strings follow the struct, whose alignment therefore holds. */
  struct ehcp_diagnostic *x = malloc(total);
  if (!x)
    return EHCP_ERR_NOMEM;
  char *at = (char *)(x + 1);
  x->severity = severity;
  x->code = code;
  x->source = place(&at, source, ls);
  x->line = line;
  x->path = place(&at, path, lp);
  x->case_id = place(&at, case_id, lc);
  x->message = place(&at, message, lm);

  d->items[d->n++] = x;
  d->by_severity[severity - 1]++;
  return EHCP_OK;
}

const char *ehcp_diag_code_name(int code) {
  switch (code) {
  case EHCP_DIAG_END_BEFORE_START: return "end_before_start";
  case EHCP_DIAG_PLAN_AFTER_NO: return "plan_after_no";
  case EHCP_DIAG_DRAFT_AFTER_FINAL: return "draft_after_final";
  case EHCP_DIAG_EVENT_AFTER_AS_OF: return "event_after_as_of";
  case EHCP_DIAG_DUPLICATE_EVENT: return "duplicate_event";
  case EHCP_DIAG_UNPAIRED_ADVICE: return "unpaired_advice";
  case EHCP_DIAG_UNPAIRED_CONTACT: return "unpaired_contact";
  case EHCP_DIAG_EXCEPTION_END_BEFORE_START: return "exception_end_before_start";
  case EHCP_DIAG_NO_REQUEST: return "no_request";
  case EHCP_DIAG_BAD_DATE: return "bad_date";
  case EHCP_DIAG_UNKNOWN_EVENT: return "unknown_event";
  case EHCP_DIAG_UNKNOWN_DETAIL: return "unknown_detail";
  case EHCP_DIAG_BAD_QUOTING: return "bad_quoting";
  case EHCP_DIAG_UNTERMINATED_QUOTE: return "unterminated_quote";
  case EHCP_DIAG_COLUMN_COUNT: return "column_count";
  case EHCP_DIAG_MISSING_COLUMN: return "missing_column";
  case EHCP_DIAG_MISSING_VALUE: return "missing_value";
  case EHCP_DIAG_DUPLICATE_CASE: return "duplicate_case";
  case EHCP_DIAG_EMPTY_FILE: return "empty_file";
  case EHCP_DIAG_UNKNOWN_FORMAT: return "unknown_format";
  case EHCP_DIAG_UNKNOWN_CODE: return "unknown_code";
  case EHCP_DIAG_MISPLACED_ELEMENT: return "misplaced_element";
  case EHCP_DIAG_REFERENCE_DATE: return "reference_date";
  case EHCP_DIAG_XML_SYNTAX: return "xml_syntax";
  case EHCP_DIAG_DATE_MISMATCH: return "date_mismatch";
  case EHCP_DIAG_IO: return "io";
  default: return NULL;
  }
}

const char *ehcp_severity_name(int severity) {
  switch (severity) {
  case EHCP_SEVERITY_ERROR: return "error";
  case EHCP_SEVERITY_WARNING: return "warning";
  case EHCP_SEVERITY_NOTE: return "note";
  default: return NULL;
  }
}
