/* Unit tests for lib/ics.c: closures from iCalendar text.
 *
 * Fixtures are read from $EHCP_TEST_DATA/ics/ into buffers of exactly their
 * length (no NUL), so a read past `len` shows up under ASan and valgrind.
 * For a manual run: EHCP_TEST_DATA=/work/main/test/data ./build/test/test_ics */
#include "ics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ehcp/date.h"

static ehcp_date D(const char *iso) {
  ehcp_date d = EHCP_DATE_NONE;
  if (ehcp_date_parse(&d, iso, strlen(iso), NULL) != EHCP_OK) {
    fprintf(stderr, "bad date in test: %s\n", iso);
    exit(2);
  }
  return d;
}

/* The whole file in a malloc'd buffer of exactly *len bytes. */
static char *read_fixture(const char *name, size_t *len) {
  const char *dir = getenv("EHCP_TEST_DATA");
  char path[1024];
  snprintf(path, sizeof path, "%s/ics/%s", dir ? dir : "test/data", name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s (set EHCP_TEST_DATA)\n", path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc(size > 0 ? (size_t)size : 1);
  if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  fclose(f);
  *len = (size_t)size;
  return buf;
}

/* "FIRST..LAST NAME" for item i, for one-line comparisons. */
static const char *item(const struct closure_list *l, size_t i) {
  static char buf[512];
  char f[EHCP_DATE_ISO_SIZE], t[EHCP_DATE_ISO_SIZE];
  if (i >= l->len)
    return "(missing)";
  ehcp_date_format(f, l->items[i].first);
  ehcp_date_format(t, l->items[i].last);
  snprintf(buf, sizeof buf, "%s..%s %s", f, t, l->items[i].name);
  return buf;
}

/* Compare the whole list with `want` (n strings as item() gives them) and
 * check that every closure is of kind ICS. */
static void check_list(const char *what, const struct closure_list *l, const char *const *want,
                       size_t n) {
  int before = check_failures;
  CHECK_INT(l->len, n);
  for (size_t i = 0; i < n; i++)
    CHECK_STR(item(l, i), want[i]);
  for (size_t i = 0; i < l->len; i++)
    CHECK_INT(l->items[i].kind, EHCP_CLOSURE_ICS);
  if (check_failures != before)
    fprintf(stderr, "  ... in %s\n", what);
}

#define N(a) (sizeof(a) / sizeof(a)[0])

static char err[512];

/* Load a NUL-terminated string over [first, last]. */
static int load_str(struct closure_list *l, const char *text, const char *first,
                    const char *last) {
  return ics_load_closures(l, text, strlen(text), "x.ics", D(first), D(last), err, sizeof err);
}

static int load_file(struct closure_list *l, const char *name, const char *first,
                     const char *last) {
  size_t len;
  char *buf = read_fixture(name, &len);
  int rc = ics_load_closures(l, buf, len, name, D(first), D(last), err, sizeof err);
  free(buf);
  return rc;
}

/* ---- good files --------------------------------------------------------- */

static void test_govuk(void) {
  static const char *const all[] = {
      "2023-01-02..2023-01-02 New Year\u2019s Day",
      "2023-04-07..2023-04-07 Good Friday",
      "2023-04-10..2023-04-10 Easter Monday",
      "2023-05-01..2023-05-01 Early May bank holiday",
      "2023-05-08..2023-05-08 Bank holiday for the coronation of King Charles III",
      "2023-05-29..2023-05-29 Spring bank holiday",
      "2023-08-28..2023-08-28 Summer bank holiday",
      "2023-12-25..2023-12-25 Christmas Day",
      "2023-12-26..2023-12-26 Boxing Day",
      "2024-01-01..2024-01-01 New Year\u2019s Day",
      "2024-03-29..2024-03-29 Good Friday",
      "2024-04-01..2024-04-01 Easter Monday",
      "2024-05-06..2024-05-06 Early May bank holiday",
      "2024-05-27..2024-05-27 Spring bank holiday",
      "2024-08-26..2024-08-26 Summer bank holiday",
      "2024-12-25..2024-12-25 Christmas Day",
      "2024-12-26..2024-12-26 Boxing Day",
      "2025-01-01..2025-01-01 New Year\u2019s Day",
      "2025-04-18..2025-04-18 Good Friday",
      "2025-04-21..2025-04-21 Easter Monday",
      "2025-05-05..2025-05-05 Early May bank holiday",
      "2025-05-26..2025-05-26 Spring bank holiday",
      "2025-08-25..2025-08-25 Summer bank holiday",
      "2025-12-25..2025-12-25 Christmas Day",
      "2025-12-26..2025-12-26 Boxing Day",
      "2026-01-01..2026-01-01 New Year\u2019s Day",
      "2026-04-03..2026-04-03 Good Friday",
      "2026-04-06..2026-04-06 Easter Monday",
      "2026-05-04..2026-05-04 Early May bank holiday",
      "2026-05-25..2026-05-25 Spring bank holiday",
      "2026-08-31..2026-08-31 Summer bank holiday",
      "2026-12-25..2026-12-25 Christmas Day",
      "2026-12-28..2026-12-28 Boxing Day",
  };
  struct closure_list l = {0};
  CHECK_INT(load_file(&l, "govuk-england-and-wales.ics", "2020-01-01", "2030-12-31"), EHCP_OK);
  CHECK_STR(err, "");
  check_list("govuk all", &l, all, N(all));
  closure_list_clear(&l);

  /* Only events meeting the range are kept; the range ends are inclusive. */
  CHECK_INT(load_file(&l, "govuk-england-and-wales.ics", "2024-01-01", "2024-12-26"), EHCP_OK);
  check_list("govuk 2024", &l, all + 9, 8);
  closure_list_clear(&l);
  CHECK_INT(load_file(&l, "govuk-england-and-wales.ics", "2024-01-02", "2024-12-25"), EHCP_OK);
  check_list("govuk 2024 inner", &l, all + 10, 6);
  closure_list_clear(&l);
}

static void test_school(void) {
  static const char *const all[] = {
      "2024-09-02..2024-09-02 INSET day (staff training, school closed to pupils)",
      "2024-10-28..2024-11-01 Autumn half term",
      "2024-12-23..2025-01-03 Christmas holidays",
      "2025-02-17..2025-02-21 Spring half term",
      "2025-04-07..2025-04-21 Easter holidays (including Easter Monday)",
      "2025-05-26..2025-05-30 Summer half term",
      "2025-07-23..2025-08-29 Summer holidays",
      "2025-09-01..2025-09-01 INSET day", /* legacy DTEND == DTSTART */
      "2025-10-27..2025-10-31 Autumn half term",
      "2025-12-22..2026-01-02 Christmas holidays",
      /* RRULE every Friday x6 from 9 Jan 2026, EXDATE 30 Jan */
      "2026-01-09..2026-01-09 Closed Fridays: heating replacement",
      "2026-01-16..2026-01-16 Closed Fridays: heating replacement",
      "2026-01-23..2026-01-23 Closed Fridays: heating replacement",
      "2026-02-06..2026-02-06 Closed Fridays: heating replacement",
      "2026-02-13..2026-02-13 Closed Fridays: heating replacement",
      "2026-02-16..2026-02-20 Spring half term",
      "2026-03-30..2026-04-10 Easter holidays",
      "2026-05-07..2026-05-07 Closed: polling station (local elections)", /* DURATION:P1D */
      "2026-05-25..2026-05-29 Summer half term",
      "2026-07-22..2026-08-31 Summer holidays",
  };
  struct closure_list l = {0};
  CHECK_INT(load_file(&l, "school-term.ics", "2024-09-01", "2026-08-31"), EHCP_OK);
  CHECK_STR(err, "");
  check_list("school all", &l, all, N(all));
  for (size_t i = 0; i < l.len; i++)
    CHECK(l.items[i].first != D("2026-01-30"));
  closure_list_clear(&l);

  /* Events straddling the range keep their own first and last day. */
  static const char *const part[] = {
      "2024-12-23..2025-01-03 Christmas holidays",
      "2025-02-17..2025-02-21 Spring half term",
  };
  CHECK_INT(load_file(&l, "school-term.ics", "2025-01-03", "2025-02-17"), EHCP_OK);
  check_list("school part", &l, part, N(part));
  closure_list_clear(&l);

  /* Range inside the RRULE: only the in-range occurrences, 30 Jan excluded. */
  static const char *const fridays[] = {
      "2026-02-06..2026-02-06 Closed Fridays: heating replacement",
  };
  CHECK_INT(load_file(&l, "school-term.ics", "2026-01-24", "2026-02-10"), EHCP_OK);
  check_list("school fridays", &l, fridays, N(fridays));
  closure_list_clear(&l);

  CHECK_INT(load_file(&l, "school-term.ics", "2030-01-01", "2030-12-31"), EHCP_OK);
  CHECK_INT(l.len, 0);
  closure_list_clear(&l);
}

static void test_huge_rrule(void) {
  /* COUNT=100000000 daily: expansion stops at the end of the range. */
  struct closure_list l = {0};
  CHECK_INT(load_file(&l, "huge-rrule.ics", "2025-01-01", "2025-01-03"), EHCP_OK);
  static const char *const want[] = {
      "2025-01-01..2025-01-01 Site closed",
      "2025-01-02..2025-01-02 Site closed",
      "2025-01-03..2025-01-03 Site closed",
  };
  check_list("huge daily", &l, want, N(want));
  closure_list_clear(&l);

  CHECK_INT(load_file(&l, "huge-rrule.ics", "2024-01-01", "2026-12-31"), EHCP_OK);
  CHECK_INT(l.len, 366 + 365 + 365);
  CHECK_STR(item(&l, 0), "2024-01-01..2024-01-01 Site closed");
  CHECK_STR(item(&l, 365), "2024-12-31..2024-12-31 Site closed");
  CHECK_STR(item(&l, l.len - 1), "2026-12-31..2026-12-31 Site closed");
  closure_list_clear(&l);
}

/* ---- broken files: exact message and code, `out` untouched -------------- */

static void check_error_keeps_out(const char *name, int want_rc, const char *want_msg) {
  struct closure_list l = {0};
  CHECK_INT(closure_list_add(&l, D("2020-06-01"), D("2020-06-02"), "Existing", 1), EHCP_OK);
  int rc = load_file(&l, name, "2020-01-01", "2030-12-31");
  CHECK_INT(rc, want_rc);
  CHECK_STR(err, want_msg);
  CHECK_INT(l.len, 1);
  CHECK_STR(item(&l, 0), "2020-06-01..2020-06-02 Existing");
  CHECK_INT(l.items[0].kind, 1);
  closure_list_clear(&l);
}

static void test_broken_files(void) {
  check_error_keeps_out("garbage.ics", EHCP_ERR_PARSE,
                        "garbage.ics:1: expected BEGIN:VCALENDAR (not iCalendar data?)");
  check_error_keeps_out("truncated.ics", EHCP_ERR_PARSE,
                        "truncated.ics:22: BEGIN:VEVENT is never closed (truncated file?)");
  check_error_keeps_out("impossible-date.ics", EHCP_ERR_PARSE,
                        "impossible-date.ics:11: DTSTART 2024-02-30 is not a valid date");
  check_error_keeps_out("timed-event.ics", EHCP_ERR_PARSE,
                        "timed-event.ics:11: DTSTART is not an all-day date");
  check_error_keeps_out("huge-rrule-secondly.ics", EHCP_ERR_PARSE,
                        "huge-rrule-secondly.ics:4: RRULE FREQ=SECONDLY repeats within a day: "
                        "not valid for an all-day event");
  check_error_keeps_out("end-before-start.ics", EHCP_ERR_PARSE,
                        "end-before-start.ics:4: DTEND is before DTSTART");
  check_error_keeps_out("empty.ics", EHCP_ERR_PARSE, "empty.ics: no VCALENDAR (empty input)");
  check_error_keeps_out(
      "two-calendars.ics", EHCP_ERR_PARSE,
      "two-calendars.ics:11: a second VCALENDAR: only one calendar per file is supported");
}

/* ---- inline cases -------------------------------------------------------- */

#define CAL(events) "BEGIN:VCALENDAR\nVERSION:2.0\n" events "END:VCALENDAR\n"

/* Expect an error with message `msg` and code `rc`, and `out` left empty. */
static void check_inline_error(const char *text, int want_rc, const char *want_msg) {
  struct closure_list l = {0};
  CHECK_INT(load_str(&l, text, "2000-01-01", "2099-12-31"), want_rc);
  CHECK_STR(err, want_msg);
  CHECK_INT(l.len, 0);
  CHECK(l.items == NULL);
  closure_list_clear(&l);
}

static void check_inline(const char *what, const char *text, const char *first, const char *last,
                         const char *const *want, size_t n) {
  struct closure_list l = {0};
  int rc = load_str(&l, text, first, last);
  CHECK_INT(rc, EHCP_OK);
  if (rc != EHCP_OK)
    fprintf(stderr, "  ... %s: %s\n", what, err);
  check_list(what, &l, want, n);
  closure_list_clear(&l);
}

static void test_inline_spans(void) {
  static const char *const one[] = {"2024-03-04..2024-03-04 Closure"};
  /* No DTEND, no SUMMARY: one day, default name. */
  check_inline("no dtend", CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240304\nEND:VEVENT\n"),
               "2024-01-01", "2024-12-31", one, 1);
  /* Empty SUMMARY is no name either; DTSTART without VALUE=DATE but with a
   * date value is still all-day. */
  check_inline("empty summary",
               CAL("BEGIN:VEVENT\nDTSTART:20240304\nDTEND:20240305\nSUMMARY:\nEND:VEVENT\n"),
               "2024-01-01", "2024-12-31", one, 1);

  /* CRLF, folding (including a fold inside the keyword), escapes, lower case. */
  static const char *const folded[] = {"2024-05-06..2024-05-08 Trip; staff away, school shut"};
  check_inline("folded",
               "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEV\r\n ENT\r\n"
               "dtstart;value=date:20240506\r\ndtend;value=date:2024\r\n\t0509\r\n"
               "SUMMARY:Trip\\; staff away\\, sch\r\n ool shut\r\nend:vevent\r\nEND:VCALENDAR\r\n",
               "2024-01-01", "2024-12-31", folded, N(folded));

  static const char *const durations[] = {
      "2024-01-08..2024-01-14 Week",
      "2024-02-01..2024-02-03 Three days",
      "2024-03-01..2024-03-01 Zero",
  };
  check_inline("durations",
               CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240108\nDURATION:P1W\nSUMMARY:Week\n"
                   "END:VEVENT\n"
                   "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240201\nDURATION:P3D\nSUMMARY:Three days\n"
                   "END:VEVENT\n"
                   "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240301\nDURATION:P0D\nSUMMARY:Zero\n"
                   "END:VEVENT\n"),
               "2024-01-01", "2024-12-31", durations, N(durations));

  /* Straddling the start of the range: kept whole. */
  static const char *const straddle[] = {"2023-12-20..2024-01-05 Christmas"};
  check_inline("straddle",
               CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20231220\nDTEND;VALUE=DATE:20240106\n"
                   "SUMMARY:Christmas\nEND:VEVENT\n"),
               "2024-01-01", "2024-12-31", straddle, N(straddle));

  /* A byte order mark and blank lines are fine; BEGIN:VEVENT lines of a
   * calendar with a VTIMEZONE and a VALARM still map to the right events. */
  static const char *const bom[] = {"2024-07-01..2024-07-01 BOM"};
  check_inline("bom",
               "\xEF\xBB\xBF" CAL("\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20240701\nSUMMARY:BOM\n"
                                  "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\nEND:VALARM\n"
                                  "END:VEVENT\n\n"),
               "2024-01-01", "2024-12-31", bom, N(bom));

  /* Old Mac line ends (CR only): libical splits on CR after the last LF, and
   * so do line numbers. A blank before the colon of BEGIN/END is allowed. */
  static const char *const mac[] = {"2024-07-01..2024-07-01 Old Mac"};
  check_inline("cr only",
               "BEGIN:VCALENDAR\rBEGIN:VEVENT\rDTSTART;VALUE=DATE:20240701\rSUMMARY:Old Mac\r"
               "END:VEVENT\rEND:VCALENDAR\r",
               "2024-01-01", "2024-12-31", mac, N(mac));
  check_inline("blank before colon",
               "BEGIN:VCALENDAR\nbegin :vevent\nDTSTART;VALUE=DATE:20240701\nSUMMARY:Old Mac\n"
               "END\t:VEVENT\nEND:VCALENDAR\n",
               "2024-01-01", "2024-12-31", mac, N(mac));

  static const char *const cancelled[] = {"2024-07-02..2024-07-02 Kept"};
  check_inline("cancelled",
               CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240701\nSTATUS:CANCELLED\nSUMMARY:Gone\n"
                   "END:VEVENT\n"
                   "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240702\nSUMMARY:Kept\nEND:VEVENT\n"),
               "2024-01-01", "2024-12-31", cancelled, N(cancelled));

  /* An empty calendar is valid and closes nothing. */
  check_inline("no events", CAL(""), "2024-01-01", "2024-12-31", NULL, 0);
}

static void test_inline_recurrence(void) {
  /* UNTIL (inclusive), two EXDATE properties, one with two values. */
  static const char *const mondays[] = {
      "2025-01-06..2025-01-06 Mon",
      "2025-01-27..2025-01-27 Mon",
      "2025-02-10..2025-02-10 Mon",
  };
  check_inline("until+exdate",
               CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20250106\nDTEND;VALUE=DATE:20250107\n"
                   "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20250210\n"
                   "EXDATE;VALUE=DATE:20250113,20250120\nEXDATE;VALUE=DATE:20250203\n"
                   "SUMMARY:Mon\nEND:VEVENT\n"),
               "2025-01-01", "2025-12-31", mondays, N(mondays));

  /* Multi-day occurrences: one that starts before the range but overlaps it
   * is kept whole; RDATE adds a date, repeats of RRULE dates are merged. */
  static const char *const trips[] = {
      "2024-01-08..2024-01-10 Trip",
      "2024-01-15..2024-01-17 Trip",
      "2024-03-04..2024-03-06 Trip",
  };
  check_inline("multi-day rrule + rdate",
               CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240101\nDTEND;VALUE=DATE:20240104\n"
                   "RRULE:FREQ=WEEKLY;COUNT=3\nRDATE;VALUE=DATE:20240304,20240115\n"
                   "SUMMARY:Trip\nEND:VEVENT\n"),
               "2024-01-10", "2024-12-31", trips, N(trips));

  /* The last Friday of each month: BYSETPOS through libical. */
  static const char *const last_fri[] = {
      "2024-01-26..2024-01-26 Last Friday",
      "2024-02-23..2024-02-23 Last Friday",
      "2024-03-29..2024-03-29 Last Friday",
  };
  check_inline("bysetpos",
               CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240126\n"
                   "RRULE:FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1\nSUMMARY:Last Friday\nEND:VEVENT\n"),
               "2024-01-01", "2024-03-31", last_fri, N(last_fri));

  /* An override (RECURRENCE-ID) moves the 2nd Friday to Monday; a cancelled
   * one removes the 3rd. The override comes before its master. */
  static const char *const moved[] = {
      "2024-02-12..2024-02-12 Moved",
      "2024-02-02..2024-02-02 Club",
      "2024-02-23..2024-02-23 Club",
  };
  check_inline("overrides",
               CAL("BEGIN:VEVENT\nUID:club@example\nRECURRENCE-ID;VALUE=DATE:20240209\n"
                   "DTSTART;VALUE=DATE:20240212\nSUMMARY:Moved\nEND:VEVENT\n"
                   "BEGIN:VEVENT\nUID:club@example\nDTSTART;VALUE=DATE:20240202\n"
                   "RRULE:FREQ=WEEKLY;COUNT=4\nSUMMARY:Club\nEND:VEVENT\n"
                   "BEGIN:VEVENT\nUID:club@example\nRECURRENCE-ID;VALUE=DATE:20240216\n"
                   "DTSTART;VALUE=DATE:20240216\nSTATUS:CANCELLED\nEND:VEVENT\n"),
               "2024-01-01", "2024-12-31", moved, N(moved));

  /* Range entirely before DTSTART: the rule is still validated, nothing kept. */
  check_inline("future rule",
               CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20300101\nRRULE:FREQ=DAILY\nEND:VEVENT\n"),
               "2024-01-01", "2024-12-31", NULL, 0);

  /* A daily rule from 1900 without end: only the range is expanded. */
  static const char *const old[] = {
      "2024-02-28..2024-02-28 Old",
      "2024-02-29..2024-02-29 Old",
      "2024-03-01..2024-03-01 Old",
  };
  check_inline("old rule",
               CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:19000101\nRRULE:FREQ=DAILY\nSUMMARY:Old\n"
                   "END:VEVENT\n"),
               "2024-02-28", "2024-03-01", old, N(old));
}

static void test_inline_errors(void) {
  check_inline_error(CAL("BEGIN:VEVENT\nSUMMARY:No start\nEND:VEVENT\n"), EHCP_ERR_PARSE,
                     "x.ics:3: VEVENT has no DTSTART");
  check_inline_error(
      CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240101\nDTSTART;VALUE=DATE:20240102\nEND:VEVENT\n"),
      EHCP_ERR_PARSE, "x.ics:3: VEVENT has more than one DTSTART");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240101\nDTEND:20240102T120000Z\n"
                         "END:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:3: DTEND is not an all-day date");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240101\nDTEND;VALUE=DATE:20241301\n"
                         "END:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:3: DTEND 2024-13-01 is not a valid date");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240101\nDTEND;VALUE=DATE:20240102\n"
                         "DURATION:P1D\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:3: VEVENT has both DTEND and DURATION");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240101\nDURATION:PT12H\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:3: DURATION is not a whole number of days");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240101\nDURATION:-P1D\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:3: DURATION is negative");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:99991201\nDURATION:P5W\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:3: event ends after 9999-12-31");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\n"
                         "RRULE:FREQ=WEEKLY;COUNT=3\nEXDATE:20240112T000000Z\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:3: EXDATE is not an all-day date");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\n"
                         "RDATE;VALUE=PERIOD:20240112T000000Z/P1D\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:3: RDATE is not an all-day date");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\n"
                         "RRULE:FREQ=WEEKLY;COUNT=3\nRRULE:FREQ=DAILY;COUNT=3\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:3: VEVENT has more than one RRULE");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\n"
                         "EXRULE:FREQ=WEEKLY;COUNT=3\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:3: EXRULE is not supported (deprecated by RFC 5545)");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\nRRULE:FREQ=HOURLY\n"
                         "END:VEVENT\n"),
                     EHCP_ERR_PARSE,
                     "x.ics:3: RRULE FREQ=HOURLY repeats within a day: not valid for an all-day "
                     "event");
  /* 2024-01-03 is a Wednesday: libical would skip it, RFC 5545 would count it. */
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240103\n"
                         "RRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=3\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:3: DTSTART is not an occurrence of its RRULE");
  /* Rules that can never match: libical refuses the yearly one outright and
   * gives up on the monthly one at its horizon (about 0.3 s). */
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240101\n"
                         "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:3: RRULE is rejected by libical (can it ever match?)");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240130\n"
                         "RRULE:FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:3: DTSTART is not an occurrence of its RRULE");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\n"
                         "RRULE:FREQ=WEEKLY;UNTIL=20231231\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:3: RRULE UNTIL is before DTSTART");
  /* Outside libical's years its calendar differs from ours. */
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:17000101\nRRULE:FREQ=DAILY\n"
                         "END:VEVENT\n"),
                     EHCP_ERR_PARSE,
                     "x.ics:3: RRULE needs DTSTART in 1753..2582 (libical's calendar range)");
  {
    struct closure_list l = {0};
    CHECK_INT(load_str(&l,
                       CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\nRRULE:FREQ=YEARLY\n"
                           "END:VEVENT\n"),
                       "2580-01-01", "2599-12-31"),
              EHCP_ERR_PARSE);
    CHECK_STR(err, "x.ics:3: RRULE continues past 2582, where libical stops: end the range or "
                   "the rule by then");
    CHECK_INT(l.len, 0);
    /* A rule that ends by COUNT or UNTIL before then is fine. */
    static const char *const ends[] = {"2580-01-05..2580-01-05 Closure",
                                       "2581-01-05..2581-01-05 Closure"};
    check_inline("count before horizon",
                 CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\nRRULE:FREQ=YEARLY;COUNT=558\n"
                     "END:VEVENT\n"),
                 "2580-01-01", "2599-12-31", ends, N(ends));
    check_inline("until before horizon",
                 CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\n"
                     "RRULE:FREQ=YEARLY;UNTIL=25810105\nEND:VEVENT\n"),
                 "2580-01-01", "2599-12-31", ends, N(ends));
    /* A single event needs no libical arithmetic: any year works. */
    static const char *const early[] = {"1215-06-15..1215-06-15 Magna Carta"};
    check_inline("early single",
                 CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:12150615\nSUMMARY:Magna Carta\n"
                     "END:VEVENT\n"),
                 "1200-01-01", "1299-12-31", early, N(early));
  }
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\nRECURRENCE-ID;VALUE=DATE;"
                         "RANGE=THISANDFUTURE:20240105\nUID:a\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE,
                     "x.ics:3: RECURRENCE-ID;RANGE=THISANDFUTURE is not supported");

  /* Structure, found in the raw text with line numbers. */
  check_inline_error("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\n"
                     "BEGIN:VALARM\nEND:VEVENT\nEND:VCALENDAR\n",
                     EHCP_ERR_PARSE, "x.ics:5: END:VEVENT does not match BEGIN:VALARM on line 4");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\nEND:VEVENT\n") "junk\n",
                     EHCP_ERR_PARSE, "x.ics:7: unexpected text after END:VCALENDAR");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\nBEGIN:VEVENT\n"
                         "DTSTART;VALUE=DATE:20240106\nEND:VEVENT\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:5: BEGIN:VEVENT inside BEGIN:VEVENT on line 3");
  check_inline_error("BEGIN:VCALENDAR\nBEGIN:VCALENDAR\nEND:VCALENDAR\nEND:VCALENDAR\n",
                     EHCP_ERR_PARSE, "x.ics:2: BEGIN:VCALENDAR inside BEGIN:VCALENDAR on line 1");
  check_inline_error("BEGIN:VCALENDAR\nVERSION:2.0\n", EHCP_ERR_PARSE,
                     "x.ics:1: BEGIN:VCALENDAR is never closed (truncated file?)");
  check_inline_error("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\nEND:VEVENT\n", EHCP_ERR_PARSE,
                     "x.ics:1: expected BEGIN:VCALENDAR (not iCalendar data?)");
  check_inline_error("\n\r\n  \n", EHCP_ERR_PARSE, "x.ics: no VCALENDAR (empty input)");
  check_inline_error("BEGIN:VCALENDAR\rBEGIN:VEVENT\rDTSTART;VALUE=DATE:20240230\rEND:VEVENT\r"
                     "END:VCALENDAR\r",
                     EHCP_ERR_PARSE, "x.ics:2: DTSTART 2024-02-30 is not a valid date");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\nEND;X=1:VEVENT\n"),
                     EHCP_ERR_PARSE, "x.ics:5: END with parameters");
  /* A blank-led line after an empty line is not a fold (libical's rule), so
   * this " BEGIN:VEVENT" is not a BEGIN. */
  check_inline_error(CAL("\n BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE,
                     "x.ics:6: END:VEVENT does not match BEGIN:VCALENDAR on line 1");

  /* Values libical cannot parse become X-LIC-ERROR properties: reported. */
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\nDTEND;VALUE=DATE:2024011\n"
                         "END:VEVENT\n"),
                     EHCP_ERR_PARSE,
                     "x.ics:3: invalid iCalendar: Can't parse as DATE value in DTEND property. "
                     "Removing entire property: 2024011");
  check_inline_error(CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\nEND:VEVENT\n"
                         "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240106\nRRULE:FREQ=FORTNIGHTLY\n"
                         "a line with no colon\nEND:VEVENT\n"),
                     EHCP_ERR_PARSE,
                     "x.ics:6: invalid iCalendar: Can't parse as RECUR value in RRULE property. "
                     "Removing entire property: FREQ=FORTNIGHTLY (2 errors in all)");
  check_inline_error(CAL("this is not a property\n"), EHCP_ERR_PARSE,
                     "x.ics: invalid iCalendar: Got a data line, but could not find a property "
                     "name or component begin tag: this is not a property");
}

static void test_limit(void) {
  /* Four daily rules over all of libical's years (1753..2582) take about
   * 303,000 steps each: the shared budget of 1,000,000 runs out in the
   * fourth. One rule alone never reaches it. */
  const char *text =
      CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:17530101\nRRULE:FREQ=DAILY\nEND:VEVENT\n"
          "BEGIN:VEVENT\nDTSTART;VALUE=DATE:17530101\nRRULE:FREQ=DAILY\nEND:VEVENT\n"
          "BEGIN:VEVENT\nDTSTART;VALUE=DATE:17530101\nRRULE:FREQ=DAILY\nEND:VEVENT\n"
          "BEGIN:VEVENT\nDTSTART;VALUE=DATE:17530101\nRRULE:FREQ=DAILY\nEND:VEVENT\n");
  struct closure_list l = {0};
  CHECK_INT(closure_list_add(&l, D("2020-06-01"), D("2020-06-01"), NULL, 1), EHCP_OK);
  CHECK_INT(load_str(&l, text, "2582-12-01", "2582-12-31"), EHCP_ERR_LIMIT);
  CHECK_STR(err, "x.ics:15: recurrence expansion exceeds 1000000 occurrences");
  CHECK_INT(l.len, 1);
  CHECK_STR(item(&l, 0), "2020-06-01..2020-06-01 Closure");
  closure_list_clear(&l);
}

static void test_buffers_and_args(void) {
  struct closure_list l = {0};
  /* `len` is honoured: what follows it (here a second calendar and a NUL
   * terminator) is never read. */
  const char *text = CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\nSUMMARY:First\nEND:VEVENT\n")
      "BEGIN:VCALENDAR\ngarbage";
  size_t len = strlen(text) - strlen("BEGIN:VCALENDAR\ngarbage");
  char *exact = malloc(len);
  memcpy(exact, text, len);
  CHECK_INT(ics_load_closures(&l, exact, len, "x.ics", D("2024-01-01"), D("2024-12-31"), err,
                              sizeof err),
            EHCP_OK);
  CHECK_INT(l.len, 1);
  CHECK_STR(item(&l, 0), "2024-01-05..2024-01-05 First");
  /* Appends to what is there. */
  CHECK_INT(ics_load_closures(&l, exact, len, "x.ics", D("2024-01-01"), D("2024-12-31"), err,
                              sizeof err),
            EHCP_OK);
  CHECK_INT(l.len, 2);
  CHECK_STR(item(&l, 1), "2024-01-05..2024-01-05 First");
  free(exact);
  closure_list_clear(&l);

  /* A NUL byte inside the data is an error, not the end of the text. */
  static const char nul[] = "BEGIN:VCALENDAR\nX-A:b\0c\nEND:VCALENDAR\n";
  CHECK_INT(ics_load_closures(&l, nul, sizeof nul - 1, "n.ics", D("2024-01-01"), D("2024-12-31"),
                              err, sizeof err),
            EHCP_ERR_PARSE);
  CHECK_STR(err, "n.ics:2: NUL byte in iCalendar text");
  CHECK_INT(l.len, 0);

  /* Empty input, NULL data with len 0, default source name. */
  CHECK_INT(ics_load_closures(&l, NULL, 0, NULL, D("2024-01-01"), D("2024-12-31"), err, sizeof err),
            EHCP_ERR_PARSE);
  CHECK_STR(err, "(ics): no VCALENDAR (empty input)");
  CHECK_INT(ics_load_closures(&l, NULL, 5, "x.ics", D("2024-01-01"), D("2024-12-31"), err,
                              sizeof err),
            EHCP_ERR_INVALID);
  CHECK_INT(ics_load_closures(NULL, "", 0, "x.ics", D("2024-01-01"), D("2024-12-31"), err,
                              sizeof err),
            EHCP_ERR_INVALID);
  CHECK_INT(ics_load_closures(&l, "", 0, "x.ics", D("2024-12-31"), D("2024-01-01"), err,
                              sizeof err),
            EHCP_ERR_INVALID);
  CHECK_STR(err, "x.ics: invalid date range");

  /* Small and absent error buffers: truncated, always terminated. */
  char small[8];
  memset(small, 'X', sizeof small);
  CHECK_INT(ics_load_closures(&l, "junk", 4, "x.ics", D("2024-01-01"), D("2024-12-31"), small,
                              sizeof small),
            EHCP_ERR_PARSE);
  CHECK_STR(small, "x.ics:1");
  CHECK_INT(ics_load_closures(&l, "junk", 4, "a-very-long-source-name.ics", D("2024-01-01"),
                              D("2024-12-31"), small, sizeof small),
            EHCP_ERR_PARSE);
  CHECK_STR(small, "a-very-");
  CHECK_INT(ics_load_closures(&l, "junk", 4, "x.ics", D("2024-01-01"), D("2024-12-31"), NULL, 0),
            EHCP_ERR_PARSE);
  /* The message is cleared on success. */
  CHECK_INT(load_str(&l, CAL(""), "2024-01-01", "2024-12-31"), EHCP_OK);
  CHECK_STR(err, "");
  CHECK_INT(l.len, 0);
  closure_list_clear(&l);
}

/* libical writes some complaints straight to stderr (e.g. "Encountered END
 * before BEGIN"); the library must never print, so the raw scan has to stop
 * such input first. Run inputs that would trigger it with fd 2 captured. */
static void test_quiet(void) {
  static const char *const inputs[] = {
      /* END in a CR-split tail after END:VCALENDAR */
      "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20240101\nEND:VEVENT\nEND:VCALENDAR\r"
      "junk\rEND:VEVENT\r",
      /* END with parameters ends a component for libical */
      CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\nEND;VALUE=DATE:20240106\nEND:VEVENT\n"),
      /* a folded END */
      CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\nE\n ND:VEVENT\nEND:VEVENT\n"),
      "END:VCALENDAR\n",
      CAL("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20240105\nDTEND;VALUE=DATE:x\nfoo\nEND:VEVENT\n"),
  };
  static const char *const files[] = {"garbage.ics", "truncated.ics", "two-calendars.ics",
                                      "timed-event.ics", "school-term.ics"};
  FILE *capture = tmpfile();
  CHECK(capture != NULL);
  if (!capture)
    return;
  fflush(stderr);
  int saved = dup(2);
  dup2(fileno(capture), 2);
  int rcs[N(inputs) + N(files)];
  for (size_t i = 0; i < N(inputs); i++) {
    struct closure_list l = {0};
    rcs[i] = load_str(&l, inputs[i], "2024-01-01", "2024-12-31");
    closure_list_clear(&l);
  }
  for (size_t i = 0; i < N(files); i++) {
    struct closure_list l = {0};
    rcs[N(inputs) + i] = load_file(&l, files[i], "2024-01-01", "2026-12-31");
    closure_list_clear(&l);
  }
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  fseek(capture, 0, SEEK_END);
  CHECK_INT(ftell(capture), 0); /* bytes written to stderr */
  fclose(capture);
  for (size_t i = 0; i < N(inputs); i++)
    CHECK_INT(rcs[i], EHCP_ERR_PARSE);
  CHECK_INT(rcs[N(inputs) + N(files) - 1], EHCP_OK);
}

int main(void) {
  test_govuk();
  test_school();
  test_huge_rrule();
  test_broken_files();
  test_inline_spans();
  test_inline_recurrence();
  test_inline_errors();
  test_limit();
  test_buffers_and_args();
  test_quiet();
  return check_done("test_ics");
}
