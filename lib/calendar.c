/* Working-day calendars: composition (builder) and O(1) queries.
 *
 * A compiled calendar keeps two tables over its range [first, last]:
 *   cum[i]  = working days in [first, first + i), for i = 0 .. ndays
 *   work[k] = the k-th working day (0-based), the inverse of cum.
 * count() is a difference of two cum entries; add() looks up the rank of
 * the start day in cum and reads work[] at rank + n; next/previous are
 * add() in disguise. Every index is range-checked before it is read. */
#include "closures.h"
#include "holidays.h"
#include "ics.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 400 Gregorian years: enough for any case history, small enough (~600 KB
 * of tables) to build in a millisecond. */
#define MAX_RANGE_DAYS 146097

struct ehcp_calendar_builder {
  int region;
  unsigned weekend;
  ehcp_date first, last;
  /* .ics recurrences were expanded up to this day; a later, longer range
   * would leave them silently short, so set_range refuses it. */
  ehcp_date ics_expanded_to;
  struct closure_list closures; /* user and .ics closures, in insertion order */
  char errmsg[512];
};

struct ehcp_calendar {
  int region;
  ehcp_date first, last;
  int32_t ndays, nwork;
  int32_t *cum;    /* ndays + 1 entries */
  ehcp_date *work; /* nwork entries */
  struct closure_list closures; /* sorted by first day, then name */
};

static const char *const region_names[] = {"none", "england-and-wales", "scotland",
                                           "northern-ireland"};

int ehcp_region_from_name(int *out, const char *name) {
  if (!out || !name)
    return EHCP_ERR_INVALID;
  for (int r = 0; r < (int)(sizeof region_names / sizeof *region_names); r++) {
    if (strcmp(name, region_names[r]) == 0) {
      *out = r;
      return EHCP_OK;
    }
  }
  return EHCP_ERR_INVALID;
}

const char *ehcp_region_name(int region) {
  if (region < 0 || region >= (int)(sizeof region_names / sizeof *region_names))
    return NULL;
  return region_names[region];
}

/* ---- builder ---------------------------------------------------------- */

static int fail(ehcp_calendar_builder *b, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(b->errmsg, sizeof b->errmsg, fmt, ap);
  va_end(ap);
  return code;
}

static ehcp_date ymd(int y, int m, int d) {
  ehcp_date out = EHCP_DATE_NONE;
  ehcp_date_from_ymd(&out, y, m, d);
  return out;
}

int ehcp_calendar_builder_new(ehcp_calendar_builder **out) {
  if (!out)
    return EHCP_ERR_INVALID;
  ehcp_calendar_builder *b = calloc(1, sizeof *b);
  if (!b)
    return EHCP_ERR_NOMEM;
  b->weekend = EHCP_WEEKEND_SAT_SUN;
  b->first = ymd(EHCP_HOLIDAYS_FIRST_YEAR, 1, 1);
  b->last = ymd(EHCP_HOLIDAYS_LAST_YEAR, 12, 31);
  b->ics_expanded_to = EHCP_DATE_NONE;
  *out = b;
  return EHCP_OK;
}

void ehcp_calendar_builder_free(ehcp_calendar_builder *b) {
  if (!b)
    return;
  closure_list_clear(&b->closures);
  free(b);
}

const char *ehcp_calendar_builder_errmsg(const ehcp_calendar_builder *b) {
  return b ? b->errmsg : "";
}

int ehcp_calendar_builder_set_region(ehcp_calendar_builder *b, int region) {
  if (!b)
    return EHCP_ERR_INVALID;
  if (!ehcp_region_name(region))
    return fail(b, EHCP_ERR_INVALID, "unknown region %d", region);
  b->region = region;
  return EHCP_OK;
}

int ehcp_calendar_builder_set_weekend(ehcp_calendar_builder *b, unsigned mask) {
  if (!b)
    return EHCP_ERR_INVALID;
  if (mask > 0x7fu)
    return fail(b, EHCP_ERR_INVALID, "weekend mask 0x%x has bits above Sunday", mask);
  b->weekend = mask;
  return EHCP_OK;
}

/* The range rules, shared by set_range and build. */
static int check_range(ehcp_calendar_builder *b, ehcp_date first, ehcp_date last, int region) {
  char f[EHCP_DATE_ISO_SIZE], l[EHCP_DATE_ISO_SIZE];
  if (ehcp_date_format(f, first) != EHCP_OK || ehcp_date_format(l, last) != EHCP_OK)
    return fail(b, EHCP_ERR_RANGE, "calendar range outside 0001-01-01..9999-12-31");
  if (last < first)
    return fail(b, EHCP_ERR_INVALID, "calendar range %s..%s ends before it starts", f, l);
  if ((int64_t)last - first + 1 > MAX_RANGE_DAYS)
    return fail(b, EHCP_ERR_RANGE, "calendar range %s..%s is longer than 400 years", f, l);
  if (region != EHCP_REGION_NONE &&
      (first < ymd(EHCP_HOLIDAYS_FIRST_YEAR, 1, 1) || last > ymd(EHCP_HOLIDAYS_LAST_YEAR, 12, 31)))
    return fail(b, EHCP_ERR_RANGE,
                "calendar range %s..%s: bank holidays are only defined for %d-%d", f, l,
                EHCP_HOLIDAYS_FIRST_YEAR, EHCP_HOLIDAYS_LAST_YEAR);
  return EHCP_OK;
}

int ehcp_calendar_builder_set_range(ehcp_calendar_builder *b, ehcp_date first, ehcp_date last) {
  if (!b)
    return EHCP_ERR_INVALID;
  int rc = check_range(b, first, last, EHCP_REGION_NONE);
  if (rc != EHCP_OK)
    return rc;
  if (b->ics_expanded_to != EHCP_DATE_NONE && last > b->ics_expanded_to)
    return fail(b, EHCP_ERR_INVALID,
                "set the calendar range before adding .ics files (their recurrences "
                "were expanded for the old range)");
  b->first = first;
  b->last = last;
  return EHCP_OK;
}

int ehcp_calendar_builder_add_closure(ehcp_calendar_builder *b, ehcp_date first, ehcp_date last,
                                      const char *name) {
  if (!b)
    return EHCP_ERR_INVALID;
  if (first == EHCP_DATE_NONE || last < first)
    return fail(b, EHCP_ERR_INVALID, "closure ends before it starts");
  if (closure_list_add(&b->closures, first, last, name, EHCP_CLOSURE_USER) != EHCP_OK)
    return fail(b, EHCP_ERR_NOMEM, "out of memory");
  return EHCP_OK;
}

int ehcp_calendar_builder_add_ics(ehcp_calendar_builder *b, const char *data, size_t len,
                                  const char *source_name) {
  if (!b || (!data && len))
    return EHCP_ERR_INVALID;
  int rc = ics_load_closures(&b->closures, data ? data : "", len,
                             source_name ? source_name : "(ics)", b->first, b->last, b->errmsg,
                             sizeof b->errmsg);
  if (rc == EHCP_OK && (b->ics_expanded_to == EHCP_DATE_NONE || b->last < b->ics_expanded_to))
    b->ics_expanded_to = b->last;
  return rc;
}

/* Read a whole file; *out is malloc'ed (caller frees). */
static int read_file(ehcp_calendar_builder *b, const char *path, char **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return fail(b, EHCP_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  int rc = buf ? EHCP_OK : fail(b, EHCP_ERR_NOMEM, "%s: out of memory", path);
  while (rc == EHCP_OK) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap)
      break;
    char *bigger = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
    if (!bigger)
      rc = fail(b, EHCP_ERR_NOMEM, "%s: out of memory", path);
    else
      buf = bigger, cap *= 2;
  }
  if (rc == EHCP_OK && ferror(f))
    rc = fail(b, EHCP_ERR_IO, "%s: read error", path);
  fclose(f);
  if (rc != EHCP_OK) {
    free(buf);
    return rc;
  }
  *out = buf;
  *len = n;
  return EHCP_OK;
}

int ehcp_calendar_builder_add_ics_file(ehcp_calendar_builder *b, const char *path) {
  if (!b || !path)
    return EHCP_ERR_INVALID;
  char *data = NULL;
  size_t len = 0;
  int rc = read_file(b, path, &data, &len);
  if (rc != EHCP_OK)
    return rc;
  rc = ehcp_calendar_builder_add_ics(b, data, len, path);
  free(data);
  return rc;
}

/* ---- compile ---------------------------------------------------------- */

static int closure_cmp(const void *pa, const void *pb) {
  const struct closure *a = pa, *b = pb;
  if (a->first != b->first)
    return a->first < b->first ? -1 : 1;
  int c = strcmp(a->name, b->name);
  if (c != 0)
    return c;
  /* A total order: qsort is not stable, and glibc's falls back from merge
   * sort to quicksort when it cannot allocate, so ties must not exist. */
  if (a->last != b->last)
    return a->last < b->last ? -1 : 1;
  return (a->kind > b->kind) - (a->kind < b->kind);
}

/* Bank holidays of every year the range touches, clipped to the range. */
static int add_bank_holidays(struct closure_list *out, int region, ehcp_date first,
                             ehcp_date last) {
  int y0, y1;
  ehcp_date_to_ymd(&y0, NULL, NULL, first);
  ehcp_date_to_ymd(&y1, NULL, NULL, last);
  for (int y = y0; y <= y1 && region != EHCP_REGION_NONE; y++) {
    struct holiday h[HOLIDAYS_MAX_PER_YEAR];
    int n = holidays_for_year(h, region, y);
    if (n < 0)
      return n;
    for (int i = 0; i < n; i++) {
      if (h[i].date < first || h[i].date > last)
        continue;
      char name[128];
      snprintf(name, sizeof name, "%s%s", h[i].name, h[i].substitute ? " (substitute day)" : "");
      if (closure_list_add(out, h[i].date, h[i].date, name, EHCP_CLOSURE_BANK_HOLIDAY) != EHCP_OK)
        return EHCP_ERR_NOMEM;
    }
  }
  return EHCP_OK;
}

static int copy_closures(struct closure_list *out, const struct closure_list *in,
                         ehcp_date first, ehcp_date last) {
  for (size_t i = 0; i < in->len; i++) {
    const struct closure *c = &in->items[i];
    if (c->last < first || c->first > last)
      continue;
    if (closure_list_add(out, c->first, c->last, c->name, c->kind) != EHCP_OK)
      return EHCP_ERR_NOMEM;
  }
  return EHCP_OK;
}

int ehcp_calendar_build(ehcp_calendar **out, ehcp_calendar_builder *b) {
  if (!out || !b)
    return EHCP_ERR_INVALID;
  int rc = check_range(b, b->first, b->last, b->region);
  if (rc != EHCP_OK)
    return rc;

  ehcp_calendar *cal = calloc(1, sizeof *cal);
  if (!cal)
    return fail(b, EHCP_ERR_NOMEM, "out of memory");
  cal->region = b->region;
  cal->first = b->first;
  cal->last = b->last;
  cal->ndays = b->last - b->first + 1;
  cal->cum = malloc(((size_t)cal->ndays + 1) * sizeof *cal->cum);
  unsigned char *closed = calloc((size_t)cal->ndays, 1);
  rc = cal->cum && closed ? EHCP_OK : EHCP_ERR_NOMEM;
  if (rc == EHCP_OK)
    rc = add_bank_holidays(&cal->closures, b->region, b->first, b->last);
  if (rc == EHCP_OK)
    rc = copy_closures(&cal->closures, &b->closures, b->first, b->last);
  if (rc != EHCP_OK) {
    free(closed);
    ehcp_calendar_free(cal);
    return fail(b, rc, "building calendar: %s", ehcp_strerror(rc));
  }
  if (cal->closures.len)
    qsort(cal->closures.items, cal->closures.len, sizeof *cal->closures.items, closure_cmp);

  for (size_t i = 0; i < cal->closures.len; i++) {
    const struct closure *c = &cal->closures.items[i];
    ehcp_date lo = c->first > cal->first ? c->first : cal->first;
    ehcp_date hi = c->last < cal->last ? c->last : cal->last;
    for (ehcp_date d = lo; d <= hi; d++)
      closed[d - cal->first] = 1;
  }
  int weekday = ehcp_date_weekday(cal->first);
  int32_t n = 0;
  for (int32_t i = 0; i < cal->ndays; i++) {
    cal->cum[i] = n;
    n += !closed[i] && !(b->weekend >> weekday & 1u);
    weekday = weekday == EHCP_SUNDAY ? EHCP_MONDAY : weekday + 1;
  }
  cal->cum[cal->ndays] = n;
  cal->nwork = n;
  free(closed);

  cal->work = malloc((n ? (size_t)n : 1) * sizeof *cal->work);
  if (!cal->work) {
    ehcp_calendar_free(cal);
    return fail(b, EHCP_ERR_NOMEM, "out of memory");
  }
  for (int32_t i = 0; i < cal->ndays; i++)
    if (cal->cum[i + 1] != cal->cum[i])
      cal->work[cal->cum[i]] = cal->first + i;
  *out = cal;
  return EHCP_OK;
}

void ehcp_calendar_free(ehcp_calendar *cal) {
  if (!cal)
    return;
  free(cal->cum);
  free(cal->work);
  closure_list_clear(&cal->closures);
  free(cal);
}

/* ---- queries ---------------------------------------------------------- */

void ehcp_calendar_range(ehcp_date *first, ehcp_date *last, const ehcp_calendar *cal) {
  if (first)
    *first = cal->first;
  if (last)
    *last = cal->last;
}

int ehcp_calendar_region(const ehcp_calendar *cal) { return cal->region; }

/* Offset of day into cum[] when 0 <= offset <= limit; the unsigned compare
 * rejects both sides (and EHCP_DATE_NONE) in one branch. */
static inline int in_table(uint32_t *offset, const ehcp_calendar *cal, ehcp_date day,
                           int32_t limit) {
  *offset = (uint32_t)((int64_t)day - cal->first);
  return (int64_t)day - cal->first >= 0 && *offset <= (uint32_t)limit;
}

int ehcp_calendar_is_working_day(const ehcp_calendar *cal, ehcp_date day) {
  uint32_t i;
  if (!in_table(&i, cal, day, cal->ndays - 1))
    return EHCP_ERR_RANGE;
  return cal->cum[i + 1] != cal->cum[i];
}

int ehcp_calendar_count(int32_t *out, const ehcp_calendar *cal, ehcp_date b, ehcp_date e) {
  uint32_t i, j;
  if (!in_table(&i, cal, b, cal->ndays) || !in_table(&j, cal, e, cal->ndays))
    return EHCP_ERR_RANGE;
  *out = cal->cum[j] - cal->cum[i];
  return EHCP_OK;
}

/* Working day of rank k, if there is one. */
static inline int work_at(ehcp_date *out, const ehcp_calendar *cal, int64_t k) {
  if (k < 0 || k >= cal->nwork)
    return EHCP_ERR_RANGE;
  *out = cal->work[k];
  return EHCP_OK;
}

int ehcp_calendar_add(ehcp_date *out, const ehcp_calendar *cal, ehcp_date day, int32_t n) {
  uint32_t i;
  if (!in_table(&i, cal, day, cal->ndays - 1))
    return EHCP_ERR_RANGE;
  if (n == 0) {
    *out = day;
    return EHCP_OK;
  }
  /* cum[i + 1] working days lie in [first, day]; the n-th after day has
   * rank cum[i + 1] + n - 1. cum[i] lie before day; the |n|-th before it
   * has rank cum[i] + n. */
  int64_t k = n > 0 ? (int64_t)cal->cum[i + 1] + n - 1 : (int64_t)cal->cum[i] + n;
  return work_at(out, cal, k);
}

int ehcp_calendar_next(ehcp_date *out, const ehcp_calendar *cal, ehcp_date day) {
  uint32_t i;
  if (!in_table(&i, cal, day, cal->ndays - 1))
    return EHCP_ERR_RANGE;
  return work_at(out, cal, cal->cum[i]); /* first working day >= day */
}

int ehcp_calendar_previous(ehcp_date *out, const ehcp_calendar *cal, ehcp_date day) {
  uint32_t i;
  if (!in_table(&i, cal, day, cal->ndays - 1))
    return EHCP_ERR_RANGE;
  return work_at(out, cal, (int64_t)cal->cum[i + 1] - 1); /* last working day <= day */
}

int ehcp_calendar_count_batch(int32_t *out, const ehcp_calendar *cal, const ehcp_date *b,
                              const ehcp_date *e, size_t n) {
  /* The loop body is branch-free so the compiler can keep the gathers
   * streaming; an out-of-range pair reads index 0 and is overwritten. */
  const uint32_t limit = (uint32_t)cal->ndays;
  const int32_t *cum = cal->cum;
  unsigned bad = 0;
  for (size_t k = 0; k < n; k++) {
    uint32_t i = (uint32_t)b[k] - (uint32_t)cal->first;
    uint32_t j = (uint32_t)e[k] - (uint32_t)cal->first;
    unsigned ok = (i <= limit) & (j <= limit);
    i = ok ? i : 0;
    j = ok ? j : 0;
    out[k] = ok ? cum[j] - cum[i] : INT32_MIN;
    bad |= !ok;
  }
  return bad ? EHCP_ERR_RANGE : EHCP_OK;
}

int ehcp_calendar_add_batch(ehcp_date *out, const ehcp_calendar *cal, const ehcp_date *day,
                            const int32_t *nth, size_t n) {
  int bad = 0;
  for (size_t k = 0; k < n; k++) {
    if (ehcp_calendar_add(&out[k], cal, day[k], nth[k]) != EHCP_OK) {
      out[k] = EHCP_DATE_NONE;
      bad = 1;
    }
  }
  return bad ? EHCP_ERR_RANGE : EHCP_OK;
}

int ehcp_calendar_is_working_day_batch(int8_t *out, const ehcp_calendar *cal,
                                       const ehcp_date *day, size_t n) {
  int bad = 0;
  for (size_t k = 0; k < n; k++) {
    int r = ehcp_calendar_is_working_day(cal, day[k]);
    out[k] = (int8_t)(r < 0 ? -1 : r);
    bad |= r < 0;
  }
  return bad ? EHCP_ERR_RANGE : EHCP_OK;
}

size_t ehcp_calendar_closure_count(const ehcp_calendar *cal) { return cal->closures.len; }

int ehcp_calendar_closure(ehcp_date *first, ehcp_date *last, const char **name, int *kind,
                          const ehcp_calendar *cal, size_t index) {
  if (index >= cal->closures.len)
    return EHCP_ERR_NOT_FOUND;
  const struct closure *c = &cal->closures.items[index];
  if (first)
    *first = c->first;
  if (last)
    *last = c->last;
  if (name)
    *name = c->name;
  if (kind)
    *kind = c->kind;
  return EHCP_OK;
}
