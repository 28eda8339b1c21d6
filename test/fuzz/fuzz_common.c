/* Invariant checks shared by the fuzz targets (see fuzz_common.h). Only
 * the public API is used: a finding is then something a caller could hit. */
#include "fuzz_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fuzz_fail(const char *file, int line, const char *what) {
  fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
  fflush(stderr);
  abort();
}

uint64_t fuzz_count_lines(const uint8_t *data, size_t size) {
  uint64_t lines = 1;
  for (size_t i = 0; i < size; i++) {
    if (data[i] == '\n')
      lines++;
    else if (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'))
      lines++;
  }
  return lines;
}

int fuzz_has_newline(const char *s) { return strpbrk(s, "\r\n") != NULL; }

size_t fuzz_check_diagnostics(const ehcp_diagnostics *d, size_t from, const char *source,
                              uint64_t max_line) {
  size_t n = ehcp_diagnostics_count(d), errors = 0, by_severity = 0;
  for (int s = EHCP_SEVERITY_ERROR; s <= EHCP_SEVERITY_NOTE; s++)
    by_severity += ehcp_diagnostics_count_severity(d, s);
  FUZZ_CHECK(by_severity == n);
  FUZZ_CHECK(ehcp_diagnostics_get(d, n) == NULL);
  FUZZ_CHECK(from <= n);
  for (size_t i = from; i < n; i++) {
    const struct ehcp_diagnostic *g = ehcp_diagnostics_get(d, i);
    FUZZ_CHECK(g != NULL);
    FUZZ_CHECK(ehcp_severity_name(g->severity) != NULL);
    FUZZ_CHECK(g->code >= 1000 || ehcp_diag_code_name(g->code) != NULL);
    FUZZ_CHECK(g->message != NULL && g->message[0] != '\0');
    FUZZ_CHECK(!fuzz_has_newline(g->message));
    FUZZ_CHECK(g->line <= max_line);
    FUZZ_CHECK(g->source == NULL || source == NULL || strcmp(g->source, source) == 0);
    FUZZ_CHECK(g->case_id == NULL || g->case_id[0] != '\0');
    FUZZ_CHECK(g->path == NULL || !fuzz_has_newline(g->path));
    errors += g->severity == EHCP_SEVERITY_ERROR;
  }
  return errors;
}

void fuzz_check_reader(const ehcp_reader *r, size_t errors_in_read) {
  uint64_t read, accepted, rejected;
  ehcp_reader_last_counts(&read, &accepted, &rejected, r);
  FUZZ_CHECK(read == accepted + rejected);
  /* Every rejected row has at least one error diagnostic of its own. */
  FUZZ_CHECK(rejected <= errors_in_read);
  uint64_t tr, ta, tj;
  ehcp_reader_total_counts(&tr, &ta, &tj, r);
  FUZZ_CHECK(tr == ta + tj);
  FUZZ_CHECK(tr >= read && ta >= accepted && tj >= rejected);
  FUZZ_CHECK(!fuzz_has_newline(ehcp_reader_errmsg(r)));
}

const ehcp_calendar *fuzz_calendar(void) {
  static ehcp_calendar *cal;
  if (!cal) {
    ehcp_calendar_builder *b;
    FUZZ_CHECK(ehcp_calendar_builder_new(&b) == EHCP_OK);
    FUZZ_CHECK(ehcp_calendar_builder_set_region(b, EHCP_REGION_ENGLAND_AND_WALES) == EHCP_OK);
    FUZZ_CHECK(ehcp_calendar_build(&cal, b) == EHCP_OK);
    ehcp_calendar_builder_free(b);
  }
  return cal;
}

const ehcp_ruleset *fuzz_rules(void) {
  static ehcp_ruleset *rs;
  if (!rs)
    FUZZ_CHECK(ehcp_ruleset_new(&rs, "england-2014") == EHCP_OK);
  return rs;
}

size_t fuzz_check_case_set(const ehcp_case_set *set) {
  size_t n = ehcp_case_set_count(set), events = 0;
  FUZZ_CHECK(ehcp_case_set_get(set, n) == NULL);
  for (size_t i = 0; i < n; i++) {
    const ehcp_case *c = ehcp_case_set_get(set, i);
    FUZZ_CHECK(c != NULL);
    const char *id = ehcp_case_id(c);
    FUZZ_CHECK(id != NULL && id[0] != '\0');
    FUZZ_CHECK(ehcp_case_set_find(set, id) == c);
    size_t ne = ehcp_case_event_count(c);
    ehcp_date prev = EHCP_DATE_MIN;
    for (size_t k = 0; k < ne; k++) {
      int type;
      ehcp_date date, end;
      const char *detail, *ref;
      FUZZ_CHECK(ehcp_case_event(&type, &date, &detail, &end, &ref, c, k) == EHCP_OK);
      FUZZ_CHECK(ehcp_event_type_name(type) != NULL);
      FUZZ_CHECK(date >= EHCP_DATE_MIN && date <= EHCP_DATE_MAX);
      FUZZ_CHECK(date >= prev); /* kept in date order */
      prev = date;
      FUZZ_CHECK(end == EHCP_DATE_NONE || (end >= EHCP_DATE_MIN && end <= EHCP_DATE_MAX));
      FUZZ_CHECK(ehcp_event_detail_check(type, detail) == EHCP_OK);
    }
    FUZZ_CHECK(ehcp_case_event(NULL, NULL, NULL, NULL, NULL, c, ne) == EHCP_ERR_NOT_FOUND);
    size_t na = ehcp_case_attribute_count(c);
    for (size_t k = 0; k < na; k++) {
      const char *name, *value;
      FUZZ_CHECK(ehcp_case_attribute_at(&name, &value, c, k) == EHCP_OK);
      FUZZ_CHECK(name && value && name[0] != '\0');
      FUZZ_CHECK(ehcp_case_attribute(c, name) == value);
    }
    events += ne;
  }
  return events;
}

void fuzz_check_timeline(const ehcp_timeline *tl, const ehcp_ruleset *rs,
                         const ehcp_calendar *cal, ehcp_date as_of) {
  size_t n = ehcp_timeline_count(tl), nm = ehcp_ruleset_count(rs);
  FUZZ_CHECK(ehcp_timeline_as_of(tl) == as_of);
  FUZZ_CHECK(ehcp_stage_name(ehcp_timeline_stage(tl)) != NULL);
  FUZZ_CHECK(ehcp_timeline_get(tl, n) == NULL);
  ehcp_date earliest = EHCP_DATE_NONE;
  for (size_t i = 0; i < n; i++) {
    const struct ehcp_milestone_result *r = ehcp_timeline_get(tl, i);
    FUZZ_CHECK(r != NULL);
    FUZZ_CHECK(r->milestone < nm);
    FUZZ_CHECK(r->id != NULL && r->name != NULL);
    FUZZ_CHECK(ehcp_status_name(r->status) != NULL);
    FUZZ_CHECK(r->start >= EHCP_DATE_MIN && r->start <= EHCP_DATE_MAX);
    FUZZ_CHECK(r->exception == 0 || r->exception == 1);
    FUZZ_CHECK(r->exception == (r->exception_kind != 0));
    FUZZ_CHECK(r->exception_kind == 0 || ehcp_exception_kind_name(r->exception_kind) != NULL);
    if (r->due == EHCP_DATE_NONE)
      FUZZ_CHECK(r->status == EHCP_STATUS_NOT_APPLICABLE);
    if (r->days_late != EHCP_NO_VALUE)
      FUZZ_CHECK(r->days_late > 0);
    switch (r->status) {
    case EHCP_STATUS_DUE:
      FUZZ_CHECK(r->done == EHCP_DATE_NONE);
      FUZZ_CHECK(as_of <= r->due);
      FUZZ_CHECK(r->days_left == r->due - as_of);
      FUZZ_CHECK(r->days_late == EHCP_NO_VALUE);
      if (r->working_days_left != EHCP_NO_VALUE) {
        FUZZ_CHECK(r->working_days_left >= 0 && r->working_days_left <= r->days_left);
        int32_t wd;
        if (ehcp_calendar_count(&wd, cal, as_of + 1, r->due + 1) == EHCP_OK)
          FUZZ_CHECK(wd == r->working_days_left);
      }
      break;
    case EHCP_STATUS_OVERDUE:
      FUZZ_CHECK(r->done == EHCP_DATE_NONE);
      FUZZ_CHECK(as_of > r->due);
      FUZZ_CHECK(r->days_late == as_of - r->due);
      FUZZ_CHECK(r->days_left == EHCP_NO_VALUE);
      break;
    case EHCP_STATUS_NOT_APPLICABLE:
      FUZZ_CHECK(r->days_late == EHCP_NO_VALUE && r->days_left == EHCP_NO_VALUE &&
                 r->working_days_left == EHCP_NO_VALUE);
      break;
    default: /* met, missed: window milestones count differently */
      FUZZ_CHECK(r->due != EHCP_DATE_NONE);
      FUZZ_CHECK(r->days_left == EHCP_NO_VALUE);
      if (r->status == EHCP_STATUS_MET)
        FUZZ_CHECK(r->days_late == EHCP_NO_VALUE);
      break;
    }
    if ((r->status == EHCP_STATUS_DUE || r->status == EHCP_STATUS_OVERDUE) &&
        (earliest == EHCP_DATE_NONE || r->due < earliest))
      earliest = r->due;
  }
  size_t next;
  int rc = ehcp_timeline_next(&next, tl);
  if (earliest == EHCP_DATE_NONE) {
    FUZZ_CHECK(rc == EHCP_ERR_NOT_FOUND);
  } else {
    FUZZ_CHECK(rc == EHCP_OK && next < n);
    FUZZ_CHECK(ehcp_timeline_get(tl, next)->due == earliest);
  }
}

static void check_measures(const ehcp_measures *m) {
  size_t n = ehcp_measures_count(m);
  FUZZ_CHECK(ehcp_measures_get(m, n) == NULL);
  for (size_t i = 0; i < n; i++) {
    const struct ehcp_measure_row *row = ehcp_measures_get(m, i);
    FUZZ_CHECK(row && row->measure && row->period);
    FUZZ_CHECK(row->numerator <= row->denominator);
    if (row->denominator == 0)
      FUZZ_CHECK(isnan(row->percent));
    else
      FUZZ_CHECK(row->percent >= 0.0 && row->percent <= 100.0);
  }
  size_t ns = ehcp_measures_summary_count(m);
  for (size_t i = 0; i < ns; i++) {
    const struct ehcp_waiting_summary *s = ehcp_measures_summary(m, i);
    FUZZ_CHECK(s != NULL);
    FUZZ_CHECK(s->within_20w + s->within_52w + s->over_52w == s->plans);
  }
}

static void check_counts(const struct ehcp_cohort_counts *k) {
  FUZZ_CHECK(k != NULL);
  FUZZ_CHECK(k->assess_no + k->withdrawn + k->not_issued + k->issued_within_20w +
                 k->issued_after_20w + k->open_request + k->open_assessment + k->open_draft ==
             k->requests);
  FUZZ_CHECK(k->assess_yes <= k->requests);
  FUZZ_CHECK(k->open_past_20w <= k->open_request + k->open_assessment + k->open_draft);
}

static void check_cohorts(const ehcp_cohorts *co) {
  size_t n = ehcp_cohorts_count(co);
  FUZZ_CHECK(ehcp_cohorts_counts(co, n) == NULL);
  for (size_t i = 0; i < n; i++) {
    int y, mo;
    FUZZ_CHECK(ehcp_cohorts_month(&y, &mo, co, i) == EHCP_OK);
    FUZZ_CHECK(mo >= 1 && mo <= 12);
    check_counts(ehcp_cohorts_counts(co, i));
    size_t h = ehcp_cohorts_history_count(co, i);
    for (size_t k = 0; k < h; k++) {
      ehcp_date at;
      check_counts(ehcp_cohorts_history(&at, co, i, k));
    }
    FUZZ_CHECK(ehcp_cohorts_history(NULL, co, i, h) == NULL);
    const struct ehcp_km_point *km = ehcp_cohorts_km(co, i);
    FUZZ_CHECK(km != NULL);
    for (int k = 0; k < EHCP_KM_POINTS; k++)
      FUZZ_CHECK(isnan(km[k].share) || (km[k].share >= 0.0 && km[k].share <= 1.0));
  }
}

void fuzz_evaluate_set(const ehcp_case_set *set, const ehcp_ruleset *rs,
                       const ehcp_calendar *cal, ehcp_date as_of) {
  ehcp_diagnostics *d;
  FUZZ_CHECK(ehcp_diagnostics_new(&d) == EHCP_OK);
  FUZZ_CHECK(ehcp_validate_set(d, set, as_of) == EHCP_OK);
  fuzz_check_diagnostics(d, 0, NULL, UINT32_MAX);
  ehcp_diagnostics_free(d);

  ehcp_evaluator *ev;
  ehcp_timeline *tl;
  ehcp_measures *m;
  ehcp_cohorts *co;
  FUZZ_CHECK(ehcp_evaluator_new(&ev, rs, cal) == EHCP_OK);
  FUZZ_CHECK(ehcp_timeline_new(&tl) == EHCP_OK);
  FUZZ_CHECK(ehcp_measures_new(&m, rs, NULL) == EHCP_OK);
  FUZZ_CHECK(ehcp_cohorts_new(&co, as_of) == EHCP_OK);
  for (size_t i = 0; i < ehcp_case_set_count(set); i++) {
    const ehcp_case *c = ehcp_case_set_get(set, i);
    FUZZ_CHECK(ehcp_evaluate(tl, ev, c, as_of) == EHCP_OK);
    fuzz_check_timeline(tl, rs, cal, as_of);
    FUZZ_CHECK(ehcp_measures_add(m, c, tl) == EHCP_OK);
    FUZZ_CHECK(ehcp_cohorts_add(co, c, tl) == EHCP_OK);
  }
  check_measures(m);
  check_cohorts(co);
  ehcp_cohorts_free(co);
  ehcp_measures_free(m);
  ehcp_timeline_free(tl);
  ehcp_evaluator_free(ev);
}
