/* The writers of export.h (issue: what people open).
 *
 * iCalendar: the file parses back with libical to exactly the deadlines the
 * evaluator gives, UIDs are stable, text is escaped and lines are folded at
 * 75 octets without splitting a UTF-8 sequence.
 *
 * Board report: well-formed XML (checked with expat), text from the data
 * escaped, the same bytes every time, to a FILE or a buffer, and arguments
 * checked. (Its figures are compared with the CLI's in test/cli/test_report.py.) */
#include "check.h"
#include "ehcp.h"
#include "ehcp/export.h"

#include <expat.h>
#include <libical/ical.h>
#include <math.h>
#include <stdlib.h>

static ehcp_date D(const char *iso) {
  ehcp_date d = EHCP_DATE_NONE;
  if (ehcp_date_parse(&d, iso, strlen(iso), NULL) != EHCP_OK) {
    fprintf(stderr, "bad date in test: %s\n", iso);
    exit(2);
  }
  return d;
}

static ehcp_calendar *england;
static ehcp_ruleset *rules;
static ehcp_evaluator *ev;
static ehcp_case_set *set;

static void add(const char *id, int type, const char *date, const char *detail, const char *ref) {
  int rc = ehcp_case_set_add_event(set, id, type, D(date), detail, EHCP_DATE_NONE, ref);
  if (rc != EHCP_OK)
    fprintf(stderr, "add %s: %s\n", id, ehcp_case_set_errmsg(set));
  CHECK_INT(rc, EHCP_OK);
}

/* Case ids chosen to be awkward: RFC 5545 specials, a newline, non-ASCII
 * of 2, 3 and 4 bytes, and one long enough to be folded several times. */
static const char *const id_specials = "C,1;x\\y";
static const char *const id_newline = "Zo\xC3\xAB\nline two";
static const char *const id_long =
    "\xC3\x9Cn\xC3\xAF""c\xC3\xB6""d\xC3\xA9-\xE2\x82\xAC-\xF0\x9D\x84\x9E-"
    "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC"
    "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC"
    "\xF0\x9D\x84\x9E\xF0\x9D\x84\x9E\xF0\x9D\x84\x9E\xF0\x9D\x84\x9E\xF0\x9D\x84\x9E"
    "-abcdefghijklmnopqrstuvwxyz-0123456789";

static void build_cases(void) {
  CHECK_INT(ehcp_case_set_new(&set), EHCP_OK);
  /* t0 Wed 15 Jan 2025: A1 due 26 Feb, A3 7 May, A5 4 Jun. */
  add(id_specials, EHCP_EV_REQUEST_RECEIVED, "2025-01-15", "parent", NULL);
  add(id_newline, EHCP_EV_REQUEST_RECEIVED, "2025-02-03", "setting", NULL);
  add(id_newline, EHCP_EV_ASSESSMENT_DECISION, "2025-02-20", "yes", NULL);
  add(id_newline, EHCP_EV_ADVICE_REQUESTED, "2025-02-21", "ep", NULL);
  add(id_long, EHCP_EV_REQUEST_RECEIVED, "2025-02-20", "parent", NULL);
  /* Two identical advice requests: same case, milestone, start, ref, detail. */
  add("DUP", EHCP_EV_REQUEST_RECEIVED, "2025-02-03", "parent", NULL);
  add("DUP", EHCP_EV_ASSESSMENT_DECISION, "2025-02-10", "yes", NULL);
  add("DUP", EHCP_EV_ADVICE_REQUESTED, "2025-02-11", "health", NULL);
  add("DUP", EHCP_EV_ADVICE_REQUESTED, "2025-02-11", "health", NULL);
  add("DUP", EHCP_EV_ADVICE_REQUESTED, "2025-02-11", "education", "URN123456");
  /* All done: nothing open. */
  add("DONE", EHCP_EV_REQUEST_RECEIVED, "2024-01-10", "parent", NULL);
  add("DONE", EHCP_EV_ASSESSMENT_DECISION, "2024-02-01", "no", NULL);
  /* An exception recorded (absence): still listed, with its plain due date. */
  add("EXC", EHCP_EV_REQUEST_RECEIVED, "2025-01-06", "parent", NULL);
  add("EXC", EHCP_EV_ASSESSMENT_DECISION, "2025-02-10", "yes", NULL);
  CHECK_INT(ehcp_case_set_add_event(set, "EXC", EHCP_EV_EXCEPTION, D("2025-03-01"), "absence",
                                    D("2025-04-15"), NULL),
            EHCP_OK);
}

/* The deadlines the evaluator gives, as "UID|due" lines, for comparison. */
struct expected {
  char uid[64];
  ehcp_date due;
  const char *case_id;
  const char *milestone;
  int status;
  int exception;
  int seen;
};

static struct expected want[64];
static size_t nwant;

static void expect_all(ehcp_date as_of, int use_within, int32_t within) {
  ehcp_timeline *tl;
  nwant = 0;
  CHECK_INT(ehcp_timeline_new(&tl), EHCP_OK);
  for (size_t i = 0; i < ehcp_case_set_count(set); i++) {
    const ehcp_case *c = ehcp_case_set_get(set, i);
    CHECK_INT(ehcp_evaluate(tl, ev, c, as_of), EHCP_OK);
    char prev[64] = "";
    int repeat = 1;
    for (size_t k = 0; k < ehcp_timeline_count(tl); k++) {
      const struct ehcp_milestone_result *r = ehcp_timeline_get(tl, k);
      if (!r->statutory)
        continue;
      if (r->status != EHCP_STATUS_OVERDUE &&
          !(r->status == EHCP_STATUS_DUE && (!use_within || r->days_left <= within)))
        continue;
      struct expected *e = &want[nwant++];
      *e = (struct expected){.due = r->due, .case_id = ehcp_case_id(c), .milestone = r->id,
                             .status = r->status, .exception = r->exception};
      CHECK_INT(ehcp_ics_uid(e->uid, ehcp_case_id(c), r), EHCP_OK);
      if (strcmp(e->uid, prev) == 0) {
        char base[40];
        memcpy(base, e->uid, 32);
        base[32] = '\0';
        snprintf(e->uid, sizeof e->uid, "%s-%d@ehcp", base, ++repeat % 1000);
      } else {
        strcpy(prev, e->uid);
        repeat = 1;
      }
    }
  }
  ehcp_timeline_free(tl);
}

static ehcp_date from_ical(struct icaltimetype t) {
  ehcp_date d = EHCP_DATE_NONE;
  ehcp_date_from_ymd(&d, t.year, t.month, t.day);
  return d;
}

/* Every physical line: CRLF-terminated, at most 75 octets, valid UTF-8 on
 * its own (so a fold never splits a sequence). */
static void check_lines(const char *text) {
  const unsigned char *p = (const unsigned char *)text;
  size_t lines = 0, bad_len = 0, bad_end = 0, bad_utf8 = 0, folded = 0;
  while (*p) {
    const unsigned char *e = (const unsigned char *)strstr((const char *)p, "\r\n");
    if (!e) {
      bad_end++;
      break;
    }
    size_t len = (size_t)(e - p);
    lines++;
    if (len > 75)
      bad_len++;
    if (p[0] == ' ')
      folded++;
    for (size_t i = 0; i < len;) {
      unsigned c = p[i];
      size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                                : (c & 0xF8) == 0xF0 ? 4 : 0;
      if (n == 0 || i + n > len) {
        bad_utf8++;
        break;
      }
      for (size_t k = 1; k < n; k++)
        if ((p[i + k] & 0xC0) != 0x80)
          bad_utf8++;
      if (c < 0x20 && c != '\t')
        bad_utf8++; /* no raw control characters: newlines are escaped */
      i += n;
    }
    p = e + 2;
  }
  CHECK(lines > 10);
  CHECK_INT(bad_len, 0);
  CHECK_INT(bad_end, 0);
  CHECK_INT(bad_utf8, 0);
  CHECK(folded > 0); /* the long ids and descriptions must have been folded */
}

/* Parse with libical and match every VEVENT against want[]. */
static void check_parse(const char *text, ehcp_date as_of) {
  icalcomponent *cal = icalparser_parse_string(text);
  CHECK(cal != NULL);
  if (!cal)
    return;
  CHECK_INT(icalcomponent_isa(cal), ICAL_VCALENDAR_COMPONENT);
  CHECK_STR(icalproperty_get_version(icalcomponent_get_first_property(cal, ICAL_VERSION_PROPERTY)),
            "2.0");
  CHECK(icalcomponent_get_first_property(cal, ICAL_PRODID_PROPERTY) != NULL);
  CHECK_INT(icalcomponent_count_errors(cal), 0);
  for (size_t i = 0; i < nwant; i++)
    want[i].seen = 0;
  size_t n = 0;
  for (icalcomponent *e = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); e;
       e = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
    n++;
    const char *uid = icalcomponent_get_uid(e);
    struct expected *w = NULL;
    for (size_t i = 0; uid && i < nwant; i++)
      if (strcmp(want[i].uid, uid) == 0)
        w = &want[i];
    CHECK(w != NULL);
    if (!w) {
      fprintf(stderr, "unexpected UID %s\n", uid ? uid : "(none)");
      continue;
    }
    CHECK_INT(w->seen, 0);
    w->seen = 1;
    struct icaltimetype start = icalcomponent_get_dtstart(e);
    struct icaltimetype end = icalcomponent_get_dtend(e);
    CHECK(start.is_date && end.is_date);
    CHECK_INT(from_ical(start), w->due);
    CHECK_INT(from_ical(end), w->due + 1);
    struct icaltimetype stamp = icalcomponent_get_dtstamp(e);
    CHECK_INT(from_ical(stamp), as_of);
    CHECK(stamp.hour == 0 && stamp.minute == 0 && stamp.second == 0 && !stamp.is_date);
    CHECK(icaltime_is_utc(stamp));
    /* SUMMARY: the exact case id (unescaped), then ": A5 final_plan". */
    const char *summary = icalcomponent_get_summary(e);
    CHECK(summary != NULL);
    if (!summary)
      continue;
    size_t idlen = strlen(w->case_id);
    CHECK(strncmp(summary, w->case_id, idlen) == 0);
    char tail[128];
    snprintf(tail, sizeof tail, ": %s ", w->milestone);
    CHECK(strncmp(summary + idlen, tail, strlen(tail)) == 0);
    CHECK_INT(strstr(summary, "(overdue") != NULL, w->status == EHCP_STATUS_OVERDUE);
    CHECK_INT(strstr(summary, "exception applies") != NULL, w->exception);
    const char *desc = icalcomponent_get_description(e);
    CHECK(desc && strstr(desc, "Legal source: reg "));
    CHECK(desc && strstr(desc, w->status == EHCP_STATUS_OVERDUE ? "overdue, " : "due, "));
    CHECK(desc && strstr(desc, "Start: "));
    CHECK(desc && strncmp(desc, "Case ", 5) == 0 && strncmp(desc + 5, w->case_id, idlen) == 0);
  }
  CHECK_INT(n, nwant);
  for (size_t i = 0; i < nwant; i++)
    CHECK(want[i].seen);
  icalcomponent_free(cal);
}

static int progress_calls;
static int progress(uint64_t done, uint64_t total, void *payload) {
  (void)payload;
  progress_calls++;
  CHECK(done >= 1 && done <= total);
  return 0;
}
static int stop_early(uint64_t done, uint64_t total, void *payload) {
  (void)total;
  (void)payload;
  return done == 2 ? 42 : 0;
}

static void test_roundtrip(void) {
  ehcp_date as_of = D("2025-03-01");
  struct ehcp_ics_options o = {.version = EHCP_ICS_OPTIONS_VERSION, .as_of = as_of,
                               .progress = progress};
  char *text = NULL, *again = NULL;
  size_t len = 0, n = 0, n2 = 0;
  CHECK_INT(ehcp_ics_string(&text, &len, &n, ev, rules, set, &o), EHCP_OK);
  CHECK(text != NULL);
  if (!text)
    return;
  CHECK_INT(strlen(text), len);
  CHECK_INT(progress_calls, ehcp_case_set_count(set));
  expect_all(as_of, 0, 0);
  CHECK_INT(n, nwant);
  CHECK(nwant >= 10);
  check_lines(text);
  check_parse(text, as_of);
  /* Escaping as RFC 5545 writes it: \, \; \\ \n. */
  CHECK(strstr(text, "SUMMARY:C\\,1\\;x\\\\y: A1 decision_to_assess (overdue)\r\n") != NULL);
  CHECK(strstr(text, "SUMMARY:Zo\xC3\xAB\\nline two: A2 advice\r\n") != NULL);
  CHECK(strstr(text, "DTSTART;VALUE=DATE:20250226\r\n") != NULL);
  CHECK(strstr(text, "DTEND;VALUE=DATE:20250227\r\n") != NULL);
  CHECK(strstr(text, "DTSTAMP:20250301T000000Z\r\n") != NULL);
  CHECK(strncmp(text, "BEGIN:VCALENDAR\r\n", 17) == 0);
  CHECK(len > 15 && strcmp(text + len - 15, "END:VCALENDAR\r\n") == 0);
  /* The duplicate advice request gets a suffixed UID. */
  CHECK(strstr(text, "-2@ehcp\r\n") != NULL);
  /* The exception case is listed, marked. */
  CHECK(strstr(text, "EXC: A5 final_plan (exception applies)") != NULL);
  /* DONE has nothing open. */
  CHECK(strstr(text, "DONE") == NULL);

  /* Stable: the same bytes on a second run, and to a FILE. */
  CHECK_INT(ehcp_ics_string(&again, NULL, &n2, ev, rules, set, &o), EHCP_OK);
  CHECK(again && strcmp(again, text) == 0);
  CHECK_INT(n2, n);
  FILE *f = tmpfile();
  CHECK(f != NULL);
  if (f) {
    CHECK_INT(ehcp_ics_write(f, &n2, ev, rules, set, &o), EHCP_OK);
    long size = ftell(f);
    CHECK_INT(size, (long)len);
    rewind(f);
    char *buf = malloc(len + 1);
    CHECK(buf && fread(buf, 1, len, f) == len);
    if (buf) {
      buf[len] = '\0';
      CHECK(strcmp(buf, text) == 0);
    }
    free(buf);
    fclose(f);
  }
  ehcp_export_free(again);
  ehcp_export_free(text);

  /* A stop from the progress callback is returned as is. */
  o.progress = stop_early;
  text = (char *)1;
  CHECK_INT(ehcp_ics_string(&text, NULL, NULL, ev, rules, set, &o), 42);
  CHECK(text == NULL);
}

static void test_uid(void) {
  struct ehcp_milestone_result r = {.id = "A5", .name = "final_plan", .start = D("2025-01-15")};
  char a[EHCP_ICS_UID_SIZE], b[EHCP_ICS_UID_SIZE];
  CHECK_INT(ehcp_ics_uid(a, "C001", &r), EHCP_OK);
  CHECK_INT(strlen(a), EHCP_ICS_UID_SIZE - 1);
  CHECK(strcmp(a + 32, "@ehcp") == 0);
  CHECK(strstr(a, "C001") == NULL);
  /* Pinned: a changed UID makes every calendar import its events twice. */
  CHECK_STR(a, "27a957a4259d18a5f1c2c223f7439a70@ehcp");
  CHECK_INT(ehcp_ics_uid(b, "C001", &r), EHCP_OK);
  CHECK_STR(b, a);
  /* Each input changes it. */
  CHECK_INT(ehcp_ics_uid(b, "C002", &r), EHCP_OK);
  CHECK(strcmp(a, b) != 0);
  r.start++;
  CHECK_INT(ehcp_ics_uid(b, "C001", &r), EHCP_OK);
  CHECK(strcmp(a, b) != 0);
  r.start--, r.id = "A1";
  CHECK_INT(ehcp_ics_uid(b, "C001", &r), EHCP_OK);
  CHECK(strcmp(a, b) != 0);
  r.id = "A5", r.ref = "URN1";
  CHECK_INT(ehcp_ics_uid(b, "C001", &r), EHCP_OK);
  CHECK(strcmp(a, b) != 0);
  r.ref = NULL, r.detail = 2;
  CHECK_INT(ehcp_ics_uid(b, "C001", &r), EHCP_OK);
  CHECK(strcmp(a, b) != 0);
  /* Field boundaries matter: ("C0", "01A5") vs ("C00", "1A5"). */
  struct ehcp_milestone_result r1 = {.id = "01A5"}, r2 = {.id = "1A5"};
  CHECK_INT(ehcp_ics_uid(a, "C0", &r1), EHCP_OK);
  CHECK_INT(ehcp_ics_uid(b, "C00", &r2), EHCP_OK);
  CHECK(strcmp(a, b) != 0);
  CHECK_INT(ehcp_ics_uid(NULL, "C", &r), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_ics_uid(a, NULL, &r), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_ics_uid(a, "C", NULL), EHCP_ERR_INVALID);
}

static void test_selection(void) {
  ehcp_date as_of = D("2025-03-01");
  /* --within 7: overdue, plus due within a week. */
  struct ehcp_ics_options o = {.version = EHCP_ICS_OPTIONS_VERSION, .as_of = as_of,
                               .use_within = 1, .within = 7};
  char *text;
  size_t n;
  CHECK_INT(ehcp_ics_string(&text, NULL, &n, ev, rules, set, &o), EHCP_OK);
  expect_all(as_of, 1, 7);
  CHECK_INT(n, nwant);
  size_t overdue = 0;
  for (size_t i = 0; i < nwant; i++)
    overdue += want[i].status == EHCP_STATUS_OVERDUE;
  CHECK(overdue > 0 && overdue < nwant + 1);
  if (text)
    check_parse(text, as_of);
  ehcp_export_free(text);

  /* Chosen cases, in the order given. */
  const char *ids[] = {"DUP", id_specials};
  o.use_within = 0;
  o.case_ids = ids, o.ncase_ids = 2;
  o.name = "Team A, north; \\ east";
  CHECK_INT(ehcp_ics_string(&text, NULL, &n, ev, rules, set, &o), EHCP_OK);
  CHECK(text && strstr(text, "X-WR-CALNAME:Team A  north    east\r\n"));
  CHECK(text && strstr(text, "DUP: A2") < strstr(text, "C\\,1"));
  CHECK(text && !strstr(text, "Zo"));
  icalcomponent *cal = text ? icalparser_parse_string(text) : NULL;
  CHECK(cal != NULL);
  CHECK_INT(cal ? icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT) : 0, (int)n);
  icalcomponent_free(cal);
  ehcp_export_free(text);

  /* An unknown id: an error, and nothing written. */
  const char *bad[] = {"DUP", "NOPE"};
  o.case_ids = bad;
  FILE *f = tmpfile();
  CHECK_INT(ehcp_ics_write(f, &n, ev, rules, set, &o), EHCP_ERR_NOT_FOUND);
  CHECK_INT(ftell(f), 0);
  CHECK_INT(n, 0);
  fclose(f);

  /* An empty selection is a valid, empty calendar. */
  o.case_ids = ids, o.ncase_ids = 0;
  CHECK_INT(ehcp_ics_string(&text, NULL, &n, ev, rules, set, &o), EHCP_OK);
  CHECK_INT(n, 0);
  cal = text ? icalparser_parse_string(text) : NULL;
  CHECK(cal != NULL);
  icalcomponent_free(cal);
  ehcp_export_free(text);
}

static void test_invalid(void) {
  struct ehcp_ics_options o = {.version = EHCP_ICS_OPTIONS_VERSION, .as_of = D("2025-03-01")};
  char *text = (char *)1;
  CHECK_INT(ehcp_ics_string(&text, NULL, NULL, NULL, rules, set, &o), EHCP_ERR_INVALID);
  CHECK(text == NULL);
  CHECK_INT(ehcp_ics_string(&text, NULL, NULL, ev, NULL, set, &o), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_ics_string(&text, NULL, NULL, ev, rules, NULL, &o), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_ics_string(&text, NULL, NULL, ev, rules, set, NULL), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_ics_string(NULL, NULL, NULL, ev, rules, set, &o), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_ics_write(NULL, NULL, ev, rules, set, &o), EHCP_ERR_INVALID);
  o.version = 0;
  CHECK_INT(ehcp_ics_string(&text, NULL, NULL, ev, rules, set, &o), EHCP_ERR_INVALID);
  o.version = EHCP_ICS_OPTIONS_VERSION + 1;
  CHECK_INT(ehcp_ics_string(&text, NULL, NULL, ev, rules, set, &o), EHCP_ERR_INVALID);
  o.version = EHCP_ICS_OPTIONS_VERSION, o.as_of = EHCP_DATE_NONE;
  CHECK_INT(ehcp_ics_string(&text, NULL, NULL, ev, rules, set, &o), EHCP_ERR_INVALID);
  o.as_of = D("2025-03-01"), o.ncase_ids = 1;
  CHECK_INT(ehcp_ics_string(&text, NULL, NULL, ev, rules, set, &o), EHCP_ERR_INVALID);
  ehcp_export_free(NULL);
}

/* Local targets only with local_targets = 1. */
static void test_local_targets(void) {
  static const char ini[] = "[ruleset]\nname = t\nextends = england-2014\n"
                            "[milestone L1]\nname = draft_by_week_16\nlabel = Draft by week 16\n"
                            "statutory = no\nstart = request_received, brought_to_attention\n"
                            "end = draft_issued\nlimit = 16 weeks\n";
  ehcp_ruleset *rs;
  ehcp_evaluator *lev;
  CHECK_INT(ehcp_ruleset_new(&rs, NULL), EHCP_OK);
  CHECK_INT(ehcp_ruleset_load_string(rs, ini, sizeof ini - 1, "local.ini"), EHCP_OK);
  CHECK_INT(ehcp_evaluator_new(&lev, rs, england), EHCP_OK);
  const char *ids[] = {id_specials};
  struct ehcp_ics_options o = {.version = EHCP_ICS_OPTIONS_VERSION, .as_of = D("2025-03-01"),
                               .case_ids = ids, .ncase_ids = 1};
  char *text;
  size_t n0, n1;
  CHECK_INT(ehcp_ics_string(&text, NULL, &n0, lev, rs, set, &o), EHCP_OK);
  CHECK(text && !strstr(text, "L1 draft_by_week_16"));
  ehcp_export_free(text);
  o.local_targets = 1;
  CHECK_INT(ehcp_ics_string(&text, NULL, &n1, lev, rs, set, &o), EHCP_OK);
  CHECK(text && strstr(text, "L1 draft_by_week_16"));
  CHECK(text && strstr(text, "CATEGORIES:EHC local target"));
  CHECK(text && strstr(text, "Local target\\, not a statutory limit"));
  CHECK_INT(n1, n0 + 1);
  ehcp_export_free(text);
  ehcp_evaluator_free(lev);
  ehcp_ruleset_free(rs);
}

/* ---- board report ---------------------------------------------------- */

static int well_formed(const char *text, size_t len) {
  XML_Parser p = XML_ParserCreate("UTF-8");
  int ok = XML_Parse(p, text, (int)len, 1) == XML_STATUS_OK;
  if (!ok)
    fprintf(stderr, "report: XML error at line %lu: %s\n",
            (unsigned long)XML_GetCurrentLineNumber(p), XML_ErrorString(XML_GetErrorCode(p)));
  XML_ParserFree(p);
  return ok;
}

struct accum {
  ehcp_measures *monthly, *advice;
  ehcp_cohorts *co;
};

static int accumulate(const ehcp_case *c, const ehcp_timeline *t, void *payload) {
  struct accum *a = payload;
  CHECK_INT(ehcp_measures_add(a->monthly, c, t), EHCP_OK);
  CHECK_INT(ehcp_measures_add(a->advice, c, t), EHCP_OK);
  CHECK_INT(ehcp_cohorts_add(a->co, c, t), EHCP_OK);
  return 0;
}

static void test_report(void) {
  ehcp_date as_of = D("2025-05-01");
  /* Advice grouped by a team name that is markup, with a stray control
   * character and a byte that is not UTF-8: all must come out as text. */
  static const char nasty[] = "<b>North & \"East\" 'x'\x01\xff</b>";
  CHECK_INT(ehcp_case_set_set_attribute(set, "DUP", "team", nasty), EHCP_OK);
  CHECK_INT(ehcp_case_set_set_attribute(set, id_newline, "team", "South"), EHCP_OK);
  const char *team[] = {"team"}, *advice_only[] = {"advice_6w"};
  struct ehcp_measures_options mo = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                     .period = EHCP_PERIOD_MONTH, .from = EHCP_DATE_NONE,
                                     .to = EHCP_DATE_NONE};
  struct ehcp_measures_options ao = {.version = EHCP_MEASURES_OPTIONS_VERSION,
                                     .period = EHCP_PERIOD_YEAR, .group_by = team, .ngroup_by = 1,
                                     .measures = advice_only, .nmeasures = 1,
                                     .from = EHCP_DATE_NONE, .to = EHCP_DATE_NONE};
  struct accum a = {0};
  CHECK_INT(ehcp_measures_new(&a.monthly, rules, &mo), EHCP_OK);
  CHECK_INT(ehcp_measures_new(&a.advice, rules, &ao), EHCP_OK);
  CHECK_INT(ehcp_cohorts_new(&a.co, as_of), EHCP_OK);
  if (!a.monthly || !a.advice || !a.co)
    return;
  /* Advice received, so that advice rows exist. */
  CHECK_INT(ehcp_case_set_add_event(set, "DUP", EHCP_EV_ADVICE_RECEIVED, D("2025-03-01"), "health",
                                    EHCP_DATE_NONE, NULL),
            EHCP_OK);
  CHECK_INT(ehcp_evaluate_set(ev, set, as_of, 0, accumulate, &a), EHCP_OK);

  struct ehcp_report_options o = {.version = EHCP_REPORT_OPTIONS_VERSION, .as_of = as_of,
                                  .title = "Q1 <pack> & more", .subtitle = "Shire \xC2\xB7 SEND"};
  char *html = NULL, *again = NULL;
  size_t len = 0, len2 = 0;
  CHECK_INT(ehcp_report_html(&html, &len, a.monthly, a.advice, a.co, &o), EHCP_OK);
  CHECK(html != NULL);
  if (html) {
    CHECK_INT(strlen(html), len);
    CHECK(well_formed(html, len));
    CHECK(strncmp(html, "<!DOCTYPE html>\n<html lang=\"en-GB\">", 35) == 0);
    CHECK(strstr(html, "<title>Q1 &lt;pack&gt; &amp; more</title>") != NULL);
    CHECK(strstr(html, "Shire \xC2\xB7 SEND") != NULL);
    /* The group name, escaped, with U+FFFD for the control and the bad byte. */
    CHECK(strstr(html, "&lt;b&gt;North &amp; &quot;East&quot; &#39;x&#39;\xEF\xBF\xBD\xEF\xBF\xBD"
                       "&lt;/b&gt;") != NULL);
    CHECK(strstr(html, "<b>North") == NULL);
    CHECK(strstr(html, "http") == NULL);
    CHECK(strstr(html, "<script") == NULL);
    /* Default targets, and all six sections with a cohort table. */
    CHECK(strstr(html, "the target 75%.") != NULL);
    CHECK(strstr(html, "Target 90%") != NULL);
    CHECK(strstr(html, "id=\"cohort-table\"") != NULL);
    CHECK(strstr(html, "id=\"km-table\"") != NULL);
    CHECK(strstr(html, "data-period=\"2025-05\"") != NULL); /* the as-of month closes the window */
    CHECK(strstr(html, "data-period=\"2024-06\"") != NULL); /* twelve months */
    CHECK(strstr(html, "data-period=\"2024-05\"") == NULL);
  }
  /* Same bytes again, and through a FILE. */
  CHECK_INT(ehcp_report_html(&again, &len2, a.monthly, a.advice, a.co, &o), EHCP_OK);
  CHECK(html && again && len2 == len && memcmp(html, again, len) == 0);
  ehcp_export_free(again);
  FILE *f = tmpfile();
  CHECK(f != NULL);
  if (f && html) {
    CHECK_INT(ehcp_report_write_html(f, a.monthly, a.advice, a.co, &o), EHCP_OK);
    CHECK_INT(ftell(f), (long)len);
    rewind(f);
    char *buf = malloc(len + 1);
    CHECK(buf && fread(buf, 1, len, f) == len && memcmp(buf, html, len) == 0);
    free(buf);
  }
  if (f)
    fclose(f);
  ehcp_export_free(html);

  /* No cohorts, other targets, six months, advice from the monthly rows. */
  o.target_20w = 62.5, o.months = 6, o.title = NULL, o.subtitle = NULL;
  CHECK_INT(ehcp_report_html(&html, &len, a.monthly, NULL, NULL, &o), EHCP_OK);
  if (html) {
    CHECK(well_formed(html, len));
    CHECK(strstr(html, "the target 62.5%.") != NULL);
    CHECK(strstr(html, "EHC timeliness: board report") != NULL);
    CHECK(strstr(html, "cohort-table") == NULL);
    CHECK(strstr(html, "data-period=\"2024-12\"") != NULL);
    CHECK(strstr(html, "data-period=\"2024-11\"") == NULL);
  }
  ehcp_export_free(html);

  /* Arguments. */
  html = (char *)1;
  CHECK_INT(ehcp_report_html(&html, NULL, NULL, NULL, NULL, &o), EHCP_ERR_INVALID);
  CHECK(html == NULL);
  CHECK_INT(ehcp_report_html(&html, NULL, a.monthly, NULL, NULL, NULL), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_report_html(NULL, NULL, a.monthly, NULL, NULL, &o), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_report_write_html(NULL, a.monthly, NULL, NULL, &o), EHCP_ERR_INVALID);
  o.version = 0;
  CHECK_INT(ehcp_report_html(&html, NULL, a.monthly, NULL, NULL, &o), EHCP_ERR_INVALID);
  o.version = EHCP_REPORT_OPTIONS_VERSION + 1;
  CHECK_INT(ehcp_report_html(&html, NULL, a.monthly, NULL, NULL, &o), EHCP_ERR_INVALID);
  o.version = EHCP_REPORT_OPTIONS_VERSION, o.as_of = EHCP_DATE_NONE;
  CHECK_INT(ehcp_report_html(&html, NULL, a.monthly, NULL, NULL, &o), EHCP_ERR_INVALID);

  ehcp_measures_free(a.monthly);
  ehcp_measures_free(a.advice);
  ehcp_cohorts_free(a.co);
}

int main(void) {
  ehcp_calendar_builder *b;
  CHECK_INT(ehcp_calendar_builder_new(&b), EHCP_OK);
  CHECK_INT(ehcp_calendar_builder_set_region(b, EHCP_REGION_ENGLAND_AND_WALES), EHCP_OK);
  CHECK_INT(ehcp_calendar_build(&england, b), EHCP_OK);
  ehcp_calendar_builder_free(b);
  CHECK_INT(ehcp_ruleset_new(&rules, "england-2014"), EHCP_OK);
  CHECK_INT(ehcp_evaluator_new(&ev, rules, england), EHCP_OK);
  build_cases();

  test_uid();
  test_roundtrip();
  test_selection();
  test_invalid();
  test_local_targets();
  test_report();

  ehcp_case_set_free(set);
  ehcp_evaluator_free(ev);
  ehcp_ruleset_free(rules);
  ehcp_calendar_free(england);
  return check_done("export_ics");
}
