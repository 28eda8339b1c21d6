/* Closures from iCalendar text (calendars.md section 2).
 *
 * libical does the RFC 5545 work we do not want to redo (unfolding,
 * unescaping, value parsing, RRULE arithmetic). What it gets wrong or leaves
 * out for us is done here:
 *  - it keeps no line numbers, returns NULL with icalerrno 0 for garbage or
 *    truncated text, and keeps only the first VCALENDAR of a stream: so the
 *    raw text is first checked for structure (scan_structure), which also
 *    records the line of every BEGIN:VEVENT for error messages;
 *  - bad values become X-LIC-ERROR properties rather than errors: they are
 *    counted and reported;
 *  - it accepts impossible dates such as 2024-02-30: every date goes through
 *    ehcp_date_from_ymd();
 *  - its span helpers include the exclusive DTEND: spans are computed here in
 *    day numbers;
 *  - the raw recurrence iterator ignores EXDATE and can run for a long time:
 *    EXDATE is applied here and expansion is bounded by the caller's range
 *    and by a step budget shared by the whole file;
 *  - its recurrence calendar is Julian before 1753 and ends in 2582, and it
 *    skips a DTSTART its RRULE does not produce: such rules are refused;
 *  - its parser prints to stderr on an unbalanced END: the raw scan, which
 *    splits lines exactly as libical does, refuses those files first;
 *  - it flags empty TEXT values as errors: accepted for free-text properties.
 * Time zones are never looked up (only DATE values are accepted), so the
 * racy built-in zone cache of libical is not touched. */
#include "ics.h"
#include "grow.h"

#include <libical/ical.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ehcp/date.h"

/* Recurrence iterator steps allowed per call, shared by all events, so a
 * file of many rules is bounded too. One step costs about 2 us in libical;
 * a daily rule over all the years libical handles (1753..2582) takes about
 * 303,000 steps, so a real calendar never comes near the limit, and a
 * hostile one fails in about two seconds. */
#define ICS_MAX_STEPS 1000000L
/* Years in which libical's recurrence calendar agrees with ours. */
#define ICS_LIBICAL_FIRST_YEAR 1753
#define ICS_LIBICAL_LAST_YEAR 2582
/* Deepest BEGIN nesting accepted (VCALENDAR > VEVENT > VALARM is 3). */
#define ICS_MAX_DEPTH 16
/* Characters of a logical line kept to recognise BEGIN:/END: lines. */
#define ICS_KEY_SIZE 64

struct ics_ctx {
  const char *source;
  char *errbuf;
  size_t errlen;
  ehcp_date range_first, range_last;
  long steps;           /* iterator steps spent so far */
  size_t *vevent_lines; /* line of the n-th BEGIN:VEVENT, from the raw text */
  size_t n_vevents, cap_vevents;
};

struct date_vec {
  ehcp_date *v;
  size_t len, cap;
};

/* A RECURRENCE-ID event: it replaces the occurrence of the event with the
 * same UID that starts on day `date`. */
struct override {
  const char *uid; /* borrowed from the libical tree */
  ehcp_date date;
};

struct override_vec {
  struct override *v;
  size_t len, cap;
};

/* Write "SOURCE:LINE: reason" (or "SOURCE: reason" when line is 0) and
 * return code, so that every error path is one `return fail(...)`. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int fail(const struct ics_ctx *cx, int code, size_t line, const char *fmt, ...) {
  if (!cx->errbuf || cx->errlen == 0)
    return code;
  int n = line ? snprintf(cx->errbuf, cx->errlen, "%s:%zu: ", cx->source, line)
               : snprintf(cx->errbuf, cx->errlen, "%s: ", cx->source);
  if (n >= 0 && (size_t)n < cx->errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cx->errbuf + n, cx->errlen - (size_t)n, fmt, ap);
    va_end(ap);
  }
  for (char *q = cx->errbuf; *q; q++) if ((unsigned char)*q < 0x20 || *q == 0x7f) *q = '?'; /* one line, whatever the input quoted */
  return code;
}

static int nomem(const struct ics_ctx *cx) {
  return fail(cx, EHCP_ERR_NOMEM, 0, "out of memory");
}

static int date_vec_push(struct date_vec *dv, ehcp_date d) {
  void *p = dv->v;
  if (array_grow(&p, &dv->cap, dv->len, sizeof *dv->v, 16) != EHCP_OK)
    return EHCP_ERR_NOMEM;
  dv->v = p;
  dv->v[dv->len++] = d;
  return EHCP_OK;
}

static int cmp_date(const void *a, const void *b) {
  ehcp_date x = *(const ehcp_date *)a, y = *(const ehcp_date *)b;
  return (x > y) - (x < y);
}

/* ---- Raw text: structure and line numbers ----------------------------- */

/* The raw scan must see BEGIN and END exactly where libical's parser does,
 * or an END it takes for an extra one makes it print "Encountered END before
 * BEGIN" on stderr. So lines are split and unfolded its way (libical 3.0
 * icalparser.c): LF ends a line, and so does a lone CR after the last LF; a
 * line is folded into the previous one when it starts with a space or tab
 * and the previous one is not empty; the property name runs to the first
 * ';' or ':' with trailing blanks dropped, compared without case. */
struct line_reader {
  const char *text;
  size_t len, pos;
  size_t tail;   /* after the last LF: there a lone CR ends a line too */
  size_t lineno; /* physical line at pos, 1-based */
};

static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
static int ascii_upper(int c) { return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c; }

/* Length of the line break at i (CRLF, LF, or a lone CR in the tail), or 0. */
static size_t eol_at(const struct line_reader *r, size_t i) {
  if (r->text[i] == '\n')
    return 1;
  if (r->text[i] == '\r') {
    if (i + 1 < r->len && r->text[i + 1] == '\n')
      return 2;
    if (i >= r->tail)
      return 1;
  }
  return 0;
}

/* Next character of the current logical line, or -1 at its end (the reader
 * is then at the next line). *seen counts the raw characters of the line so
 * far, which decides whether a following blank-led line is a fold. */
static int next_char(struct line_reader *r, size_t *seen) {
  for (;;) {
    if (r->pos >= r->len)
      return -1;
    size_t eol = eol_at(r, r->pos);
    if (!eol) {
      (*seen)++;
      return (unsigned char)r->text[r->pos++];
    }
    *seen += eol - 1; /* libical counts the CR of a CRLF here */
    r->pos += eol;
    r->lineno++;
    if (*seen > 0 && r->pos < r->len && (r->text[r->pos] == ' ' || r->text[r->pos] == '\t')) {
      r->pos++; /* a fold: the blank is dropped and the line goes on */
      continue;
    }
    return -1;
  }
}

enum line_kind { LINE_BLANK, LINE_OTHER, LINE_BEGIN, LINE_END };

struct raw_line {
  size_t lineno;  /* physical line where it starts */
  int kind;       /* enum line_kind */
  int has_params; /* BEGIN;...: or END;...: */
  int has_nul;
  char name[ICS_KEY_SIZE]; /* component of BEGIN/END, upper-cased */
};

/* Read one logical line. Returns 0 at the end of the text. */
static int read_line(struct line_reader *r, struct raw_line *out) {
  if (r->pos >= r->len)
    return 0;
  *out = (struct raw_line){.lineno = r->lineno, .kind = LINE_BLANK};
  char key[8];
  size_t k = 0, n = 0, seen = 0, blanks = 0;
  int c, bad_key = 0, in_value = 0, value_done = 0;
  while ((c = next_char(r, &seen)) != -1) {
    if (c == '\0')
      out->has_nul = 1;
    if (out->kind == LINE_BLANK && !is_blank(c))
      out->kind = LINE_OTHER;
    if (!in_value) {
      /* The property name: BEGIN or END, then only blanks, then ; or : */
      if (out->kind != LINE_BLANK && (c == ';' || c == ':') && seen > 1) {
        in_value = 1;
        key[k] = '\0';
        if (!bad_key && (strcmp(key, "BEGIN") == 0 || strcmp(key, "END") == 0)) {
          out->kind = key[0] == 'B' ? LINE_BEGIN : LINE_END;
          out->has_params = c == ';';
        }
      } else if (is_blank(c)) {
        blanks++;
      } else if (blanks || k == sizeof key - 1) {
        bad_key = 1; /* blank inside the name, or too long for a keyword */
      } else {
        key[k++] = (char)ascii_upper(c);
      }
    } else if (!value_done && out->kind >= LINE_BEGIN) {
      /* The component name runs to a comma, trailing blanks dropped. */
      if (c == ',')
        value_done = 1;
      else if (n < sizeof out->name - 1)
        out->name[n++] = (char)ascii_upper(c);
    }
  }
  while (n > 0 && is_blank(out->name[n - 1]))
    n--;
  out->name[n] = '\0';
  return 1;
}

/* Check that the text is exactly one well-nested VCALENDAR (blank lines
 * aside) and record the line of each BEGIN:VEVENT. This is where garbage,
 * truncated files and a second calendar are caught, since libical either
 * returns NULL without a reason or silently drops what follows the first
 * calendar. VEVENTs must sit directly in the VCALENDAR, so the n-th
 * BEGIN:VEVENT here is the n-th VEVENT child in libical's tree. */
static int scan_structure(struct ics_ctx *cx, const char *text, size_t len) {
  struct {
    char name[ICS_KEY_SIZE];
    size_t line;
  } stack[ICS_MAX_DEPTH];
  int depth = 0, calendars = 0;
  struct line_reader r = {.text = text, .len = len, .tail = 0, .lineno = 1};
  struct raw_line ln;

  for (size_t i = len; i > 0; i--)
    if (text[i - 1] == '\n') {
      r.tail = i;
      break;
    }
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
    r.pos = 3; /* UTF-8 byte order mark, written by some Windows tools */
  while (read_line(&r, &ln)) {
    if (ln.has_nul)
      return fail(cx, EHCP_ERR_PARSE, ln.lineno, "NUL byte in iCalendar text");
    if (ln.kind == LINE_BLANK)
      continue;
    int is_vcalendar = ln.kind == LINE_BEGIN && strcmp(ln.name, "VCALENDAR") == 0;

    if (depth == 0 && !is_vcalendar) {
      if (calendars)
        return fail(cx, EHCP_ERR_PARSE, ln.lineno, "unexpected text after END:VCALENDAR");
      return fail(cx, EHCP_ERR_PARSE, ln.lineno,
                  "expected BEGIN:VCALENDAR (not iCalendar data?)");
    }
    if (ln.has_params)
      return fail(cx, EHCP_ERR_PARSE, ln.lineno, "%s with parameters",
                  ln.kind == LINE_BEGIN ? "BEGIN" : "END");
    if (ln.kind == LINE_BEGIN) {
      if (is_vcalendar && depth > 0)
        return fail(cx, EHCP_ERR_PARSE, ln.lineno, "BEGIN:VCALENDAR inside BEGIN:%s on line %zu",
                    stack[depth - 1].name, stack[depth - 1].line);
      if (is_vcalendar && calendars++)
        return fail(cx, EHCP_ERR_PARSE, ln.lineno,
                    "a second VCALENDAR: only one calendar per file is supported");
      if (strcmp(ln.name, "VEVENT") == 0) {
        if (depth != 1)
          return fail(cx, EHCP_ERR_PARSE, ln.lineno, "BEGIN:VEVENT inside BEGIN:%s on line %zu",
                      stack[depth - 1].name, stack[depth - 1].line);
        void *p = cx->vevent_lines;
        if (array_grow(&p, &cx->cap_vevents, cx->n_vevents, sizeof *cx->vevent_lines, 16) != EHCP_OK)
          return nomem(cx);
        cx->vevent_lines = p;
        cx->vevent_lines[cx->n_vevents++] = ln.lineno;
      }
      if (depth == ICS_MAX_DEPTH)
        return fail(cx, EHCP_ERR_PARSE, ln.lineno, "components nested more than %d deep",
                    ICS_MAX_DEPTH);
      memcpy(stack[depth].name, ln.name, sizeof ln.name);
      stack[depth++].line = ln.lineno;
    } else if (ln.kind == LINE_END) {
      if (strcmp(ln.name, stack[depth - 1].name) != 0)
        return fail(cx, EHCP_ERR_PARSE, ln.lineno, "END:%s does not match BEGIN:%s on line %zu",
                    ln.name, stack[depth - 1].name, stack[depth - 1].line);
      depth--;
    }
  }
  if (depth > 0)
    return fail(cx, EHCP_ERR_PARSE, stack[depth - 1].line,
                "BEGIN:%s is never closed (truncated file?)", stack[depth - 1].name);
  if (!calendars)
    return fail(cx, EHCP_ERR_PARSE, 0, "no VCALENDAR (empty input)");
  return EHCP_OK;
}

/* Line of the n-th VEVENT, or 0 if the raw scan and libical disagree. */
static size_t event_line(const struct ics_ctx *cx, size_t n) {
  return n < cx->n_vevents ? cx->vevent_lines[n] : 0;
}

/* ---- Values ------------------------------------------------------------ */

/* Not icaltime_null_date(): it sets the time fields to -1, which the
 * recurrence iterator takes literally (UNTIL and DTSTART shift by a day). */
static struct icaltimetype ical_date(ehcp_date d) {
  struct icaltimetype t = {0};
  t.is_date = 1;
  ehcp_date_to_ymd(&t.year, &t.month, &t.day, d);
  return t;
}

/* The day of an all-day (DATE) property such as DTSTART, DTEND, EXDATE,
 * RDATE. DATE-TIME and PERIOD values are refused: a closure is whole days,
 * and converting a time would need libical's time-zone cache. */
static int prop_day(const struct ics_ctx *cx, size_t line, icalproperty *p, const char *what,
                    ehcp_date *out) {
  icalvalue *v = icalproperty_get_value(p);
  if (!v || icalvalue_isa(v) != ICAL_DATE_VALUE)
    return fail(cx, EHCP_ERR_PARSE, line, "%s is not an all-day date", what);
  struct icaltimetype t = icalvalue_get_date(v);
  if (ehcp_date_from_ymd(out, t.year, t.month, t.day) != EHCP_OK)
    return fail(cx, EHCP_ERR_PARSE, line, "%s %04d-%02d-%02d is not a valid date", what, t.year,
                t.month, t.day);
  return EHCP_OK;
}

/* Refuse a property that RFC 5545 allows at most once, rather than guess
 * which one was meant. */
static int at_most_once(const struct ics_ctx *cx, size_t line, icalcomponent *ev,
                        icalproperty_kind kind, const char *what) {
  if (icalcomponent_count_properties(ev, kind) > 1)
    return fail(cx, EHCP_ERR_PARSE, line, "VEVENT has more than one %s", what);
  return EHCP_OK;
}

/* libical flags an empty value as an error ("No value for SUMMARY
 * property"), but RFC 5545 allows empty TEXT. As Cyrus IMAP does, accept it
 * for the free-text properties, which are then simply absent. */
static int is_empty_text_error(const char *text) {
  static const char *const names[] = {"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT"};
  static const char prefix[] = "No value for ";
  if (strncmp(text, prefix, sizeof prefix - 1) != 0)
    return 0;
  text += sizeof prefix - 1;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    size_t n = strlen(names[i]);
    if (strncmp(text, names[i], n) == 0 && strncmp(text + n, " property", 9) == 0)
      return 1;
  }
  return 0;
}

/* Count the X-LIC-ERROR properties of comp and its subcomponents that are
 * real errors; *first (if still NULL) gets the text of the first one. */
static int count_libical_errors(icalcomponent *comp, const char **first) {
  int count = 0;
  for (icalproperty *p = icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY); p;
       p = icalcomponent_get_next_property(comp, ICAL_XLICERROR_PROPERTY)) {
    const char *text = icalproperty_get_xlicerror(p);
    if (!text)
      text = "invalid value";
    if (is_empty_text_error(text))
      continue;
    if (!*first)
      *first = text;
    count++;
  }
  for (icalcomponent *c = icalcomponent_get_first_component(comp, ICAL_ANY_COMPONENT); c;
       c = icalcomponent_get_next_component(comp, ICAL_ANY_COMPONENT))
    count += count_libical_errors(c, first);
  return count;
}

/* libical turns a value it cannot parse into an X-LIC-ERROR property and
 * carries on; for us they are errors. The first one is reported, with its
 * VEVENT's line when it is inside one. */
static int check_libical_errors(const struct ics_ctx *cx, icalcomponent *cal) {
  const char *text = NULL;
  int total = count_libical_errors(cal, &text);
  if (total == 0)
    return EHCP_OK;
  size_t line = 0, n = 0;
  for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
       ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT), n++) {
    const char *ev_text = NULL;
    if (count_libical_errors(ev, &ev_text) > 0) {
      text = ev_text;
      line = event_line(cx, n);
      break;
    }
  }
  if (total > 1)
    return fail(cx, EHCP_ERR_PARSE, line, "invalid iCalendar: %s (%d errors in all)",
                text ? text : "invalid value", total);
  return fail(cx, EHCP_ERR_PARSE, line, "invalid iCalendar: %s", text ? text : "invalid value");
}

/* ---- Events -------------------------------------------------------------- */

/* [first, first + ndays) of the event: DTEND is exclusive; a missing DTEND
 * or one equal to DTSTART (old feeds) means one day; DURATION in whole days
 * may replace DTEND. */
static int event_span(const struct ics_ctx *cx, size_t line, icalcomponent *ev, ehcp_date *first,
                      int64_t *ndays) {
  int rc;
  if ((rc = at_most_once(cx, line, ev, ICAL_DTSTART_PROPERTY, "DTSTART")) != EHCP_OK ||
      (rc = at_most_once(cx, line, ev, ICAL_DTEND_PROPERTY, "DTEND")) != EHCP_OK ||
      (rc = at_most_once(cx, line, ev, ICAL_DURATION_PROPERTY, "DURATION")) != EHCP_OK)
    return rc;
  icalproperty *start = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
  icalproperty *end = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
  icalproperty *dur = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
  if (!start)
    return fail(cx, EHCP_ERR_PARSE, line, "VEVENT has no DTSTART");
  if ((rc = prop_day(cx, line, start, "DTSTART", first)) != EHCP_OK)
    return rc;

  *ndays = 1;
  if (end && dur)
    return fail(cx, EHCP_ERR_PARSE, line, "VEVENT has both DTEND and DURATION");
  if (end) {
    ehcp_date last_excl;
    if ((rc = prop_day(cx, line, end, "DTEND", &last_excl)) != EHCP_OK)
      return rc;
    if (last_excl < *first)
      return fail(cx, EHCP_ERR_PARSE, line, "DTEND is before DTSTART");
    if (last_excl > *first)
      *ndays = (int64_t)last_excl - *first;
  } else if (dur) {
    struct icaldurationtype d = icalproperty_get_duration(dur);
    if (d.is_neg)
      return fail(cx, EHCP_ERR_PARSE, line, "DURATION is negative");
    if (d.hours || d.minutes || d.seconds)
      return fail(cx, EHCP_ERR_PARSE, line, "DURATION is not a whole number of days");
    int64_t days = (int64_t)d.weeks * 7 + d.days;
    if (days > 0)
      *ndays = days;
  }
  if (*ndays - 1 > (int64_t)EHCP_DATE_MAX - *first)
    return fail(cx, EHCP_ERR_PARSE, line, "event ends after 9999-12-31");
  return EHCP_OK;
}

/* Does [d, d + ndays) meet the caller's range? */
static int in_range(const struct ics_ctx *cx, ehcp_date d, int64_t ndays) {
  return d <= cx->range_last && (int64_t)d + ndays - 1 >= cx->range_first;
}

/* Push the starts of the RRULE's occurrences after DTSTART that meet the
 * range. DTSTART itself is the caller's business. */
static int expand_rrule(struct ics_ctx *cx, size_t line, icalproperty *p, ehcp_date dtstart,
                        int64_t ndays, struct date_vec *occ) {
  struct icalrecurrencetype rule = icalproperty_get_rrule(p);
  switch (rule.freq) {
  case ICAL_SECONDLY_RECURRENCE:
  case ICAL_MINUTELY_RECURRENCE:
  case ICAL_HOURLY_RECURRENCE:
    /* Would repeat the same day up to 86400 times: refuse it rather than
     * burn the step budget on duplicates. */
    return fail(cx, EHCP_ERR_PARSE, line,
                "RRULE FREQ=%s repeats within a day: not valid for an all-day event",
                icalrecur_freq_to_string(rule.freq));
  case ICAL_NO_RECURRENCE:
    return fail(cx, EHCP_ERR_PARSE, line, "RRULE has no FREQ");
  default:
    break;
  }

  /* libical's calendar is not ours outside these years: before 1753 it
   * counts Julian leap years (it yields 1700-02-29), after 2582 its
   * iterator stops. */
  ehcp_date lo, hi;
  ehcp_date_from_ymd(&lo, ICS_LIBICAL_FIRST_YEAR, 1, 1);
  ehcp_date_from_ymd(&hi, ICS_LIBICAL_LAST_YEAR, 12, 31);
  if (dtstart < lo || dtstart > hi)
    return fail(cx, EHCP_ERR_PARSE, line,
                "RRULE needs DTSTART in %d..%d (libical's calendar range)",
                ICS_LIBICAL_FIRST_YEAR, ICS_LIBICAL_LAST_YEAR);

  /* libical's inner loops stop only at UNTIL or at its horizon, so bring
   * UNTIL down to the end of the range: nothing after it is wanted, and
   * COUNT still counts from DTSTART so the occurrences kept are the same.
   * Not below DTSTART: the first step must still see DTSTART. */
  ehcp_date stop = cx->range_last > dtstart ? cx->range_last : dtstart;
  ehcp_date until = EHCP_DATE_NONE;
  if (!icaltime_is_null_time(rule.until) &&
      ehcp_date_from_ymd(&until, rule.until.year, rule.until.month, rule.until.day) != EHCP_OK)
    until = EHCP_DATE_NONE;
  if (until != EHCP_DATE_NONE && until < dtstart)
    return fail(cx, EHCP_ERR_PARSE, line, "RRULE UNTIL is before DTSTART");
  if (until == EHCP_DATE_NONE || until > stop)
    rule.until = ical_date(stop);
  /* Can libical's horizon cut the occurrences we want? Only if the range
   * goes past it and no UNTIL ends the rule before it (COUNT is checked as
   * the occurrences come). */
  int horizon_matters = cx->range_last > hi && (until == EHCP_DATE_NONE || until > hi);

  icalerror_clear_errno();
  icalrecur_iterator *it = icalrecur_iterator_new(rule, ical_date(dtstart));
  if (!it) {
    if (icalerrno == ICAL_NEWFAILED_ERROR)
      return nomem(cx);
    return fail(cx, EHCP_ERR_PARSE, line, "RRULE is rejected by libical (can it ever match?)");
  }

  int rc = EHCP_OK;
  long produced = 0;
  for (int first_step = 1;; first_step = 0) {
    if (++cx->steps > ICS_MAX_STEPS) {
      rc = fail(cx, EHCP_ERR_LIMIT, line, "recurrence expansion exceeds %ld occurrences",
                ICS_MAX_STEPS);
      break;
    }
    struct icaltimetype t = icalrecur_iterator_next(it);
    ehcp_date d = EHCP_DATE_NONE;
    if (icaltime_is_null_time(t)) {
      /* Out of occurrences. If that may be libical's horizon rather than
       * the rule's end, occurrences in the range would be lost silently. */
      if (!first_step && horizon_matters && !(rule.count > 0 && produced >= rule.count))
        rc = fail(cx, EHCP_ERR_PARSE, line,
                  "RRULE continues past %d, where libical stops: end the range or the rule "
                  "by then",
                  ICS_LIBICAL_LAST_YEAR);
      else if (first_step)
        rc = fail(cx, EHCP_ERR_PARSE, line, "DTSTART is not an occurrence of its RRULE");
      break;
    }
    if (ehcp_date_from_ymd(&d, t.year, t.month, t.day) != EHCP_OK) {
      rc = fail(cx, EHCP_ERR_PARSE, line, "RRULE gives the invalid date %04d-%02d-%02d", t.year,
                t.month, t.day);
      break;
    }
    produced++;
    if (first_step) {
      /* RFC 5545 counts DTSTART as the first occurrence, but libical skips a
       * DTSTART that its rule does not produce; the result is "undefined"
       * in the RFC, so refuse it rather than pick one reading. */
      if (d != dtstart) {
        rc = fail(cx, EHCP_ERR_PARSE, line, "DTSTART is not an occurrence of its RRULE");
        break;
      }
      continue;
    }
    if (d > cx->range_last)
      break;
    if (in_range(cx, d, ndays) && date_vec_push(occ, d) != EHCP_OK) {
      rc = nomem(cx);
      break;
    }
  }
  icalrecur_iterator_free(it);
  return rc;
}

/* Collect the days named by every property of `kind` (EXDATE or RDATE;
 * libical gives one property per comma-separated value). */
static int collect_days(const struct ics_ctx *cx, size_t line, icalcomponent *ev,
                        icalproperty_kind kind, const char *what, struct date_vec *out) {
  for (icalproperty *p = icalcomponent_get_first_property(ev, kind); p;
       p = icalcomponent_get_next_property(ev, kind)) {
    ehcp_date d;
    int rc = prop_day(cx, line, p, what, &d);
    if (rc != EHCP_OK)
      return rc;
    if (date_vec_push(out, d) != EHCP_OK)
      return nomem(cx);
  }
  return EHCP_OK;
}

/* A RECURRENCE-ID event replaces one occurrence of its master. Record it so
 * the master skips that occurrence; the replacement is loaded as an event of
 * its own (or not at all when it is cancelled). */
static int collect_override(const struct ics_ctx *cx, size_t line, icalcomponent *ev,
                            struct override_vec *ov) {
  int rc = at_most_once(cx, line, ev, ICAL_RECURRENCEID_PROPERTY, "RECURRENCE-ID");
  icalproperty *p = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY);
  if (rc != EHCP_OK || !p)
    return rc;
  icalparameter *range = icalproperty_get_first_parameter(p, ICAL_RANGE_PARAMETER);
  if (range && icalparameter_get_range(range) == ICAL_RANGE_THISANDFUTURE)
    return fail(cx, EHCP_ERR_PARSE, line, "RECURRENCE-ID;RANGE=THISANDFUTURE is not supported");
  ehcp_date d;
  if ((rc = prop_day(cx, line, p, "RECURRENCE-ID", &d)) != EHCP_OK)
    return rc;
  const char *uid = icalcomponent_get_uid(ev);
  if (!uid)
    return EHCP_OK; /* nothing to match it with */
  void *items = ov->v;
  if (array_grow(&items, &ov->cap, ov->len, sizeof *ov->v, 16) != EHCP_OK)
    return nomem(cx);
  ov->v = items;
  ov->v[ov->len++] = (struct override){uid, d};
  return EHCP_OK;
}

static int is_overridden(const struct override_vec *ov, const char *uid, ehcp_date d) {
  for (size_t i = 0; uid && i < ov->len; i++)
    if (ov->v[i].date == d && strcmp(ov->v[i].uid, uid) == 0)
      return 1;
  return 0;
}

/* Append the closures of one VEVENT that meet the range to `list`. */
static int load_event(struct ics_ctx *cx, size_t line, icalcomponent *ev,
                      const struct override_vec *ov, struct closure_list *list) {
  ehcp_date first = 0;
  int64_t ndays = 1;
  int rc = event_span(cx, line, ev, &first, &ndays);
  if (rc != EHCP_OK)
    return rc;
  if ((rc = at_most_once(cx, line, ev, ICAL_RRULE_PROPERTY, "RRULE")) != EHCP_OK)
    return rc;
  if (icalcomponent_get_first_property(ev, ICAL_EXRULE_PROPERTY))
    return fail(cx, EHCP_ERR_PARSE, line, "EXRULE is not supported (deprecated by RFC 5545)");

  struct date_vec occ = {0}, ex = {0};
  icalproperty *rrule = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
  if (in_range(cx, first, ndays) && date_vec_push(&occ, first) != EHCP_OK)
    rc = nomem(cx);
  if (rc == EHCP_OK && rrule)
    rc = expand_rrule(cx, line, rrule, first, ndays, &occ);
  if (rc == EHCP_OK) {
    /* RDATEs are collected whole then filtered: there are few of them. */
    size_t before = occ.len;
    rc = collect_days(cx, line, ev, ICAL_RDATE_PROPERTY, "RDATE", &occ);
    size_t kept = before;
    for (size_t i = before; rc == EHCP_OK && i < occ.len; i++)
      if (in_range(cx, occ.v[i], ndays))
        occ.v[kept++] = occ.v[i];
    occ.len = kept;
  }
  if (rc == EHCP_OK)
    rc = collect_days(cx, line, ev, ICAL_EXDATE_PROPERTY, "EXDATE", &ex);

  /* Cancelled events are still validated above, so a broken file fails the
   * same way whatever STATUS says, but they close nothing. */
  if (rc == EHCP_OK && icalcomponent_get_status(ev) != ICAL_STATUS_CANCELLED) {
    icalproperty *summary = icalcomponent_get_first_property(ev, ICAL_SUMMARY_PROPERTY);
    const char *name = summary ? icalproperty_get_summary(summary) : NULL;
    if (name && name[0] == '\0')
      name = NULL;
    /* Only a master (no RECURRENCE-ID) has occurrences replaced by others. */
    const char *uid = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY)
                          ? NULL
                          : icalcomponent_get_uid(ev);
    if (occ.len > 1) /* qsort(NULL, 0, ...) is undefined behaviour */
      qsort(occ.v, occ.len, sizeof *occ.v, cmp_date);
    if (ex.len > 1)
      qsort(ex.v, ex.len, sizeof *ex.v, cmp_date);
    for (size_t i = 0; rc == EHCP_OK && i < occ.len; i++) {
      ehcp_date d = occ.v[i];
      if (i > 0 && d == occ.v[i - 1])
        continue; /* an RDATE that repeats an RRULE occurrence */
      if (ex.len && bsearch(&d, ex.v, ex.len, sizeof *ex.v, cmp_date))
        continue;
      if (is_overridden(ov, uid, d))
        continue;
      if (closure_list_add(list, d, (ehcp_date)(d + ndays - 1), name, EHCP_CLOSURE_ICS) != EHCP_OK)
        rc = nomem(cx);
    }
  }
  free(occ.v);
  free(ex.v);
  return rc;
}

/* Everything after the raw scan: libical's tree to closures in `list`. */
static int load_calendar(struct ics_ctx *cx, icalcomponent *cal, struct closure_list *list) {
  int rc = check_libical_errors(cx, cal);
  if (rc != EHCP_OK)
    return rc;
  /* The raw scan and libical should agree on the VEVENTs; if not, a wrong
   * line number would mislead, so give none. */
  if ((size_t)icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT) != cx->n_vevents)
    cx->n_vevents = 0;

  /* Two passes: overrides first, since one may come before its master. */
  struct override_vec ov = {0};
  size_t n = 0;
  for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
       ev && rc == EHCP_OK; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
    rc = collect_override(cx, event_line(cx, n++), ev, &ov);
  n = 0;
  for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
       ev && rc == EHCP_OK; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
    rc = load_event(cx, event_line(cx, n++), ev, &ov, list);
  free(ov.v);
  return rc;
}

int ics_load_closures(struct closure_list *out, const char *data, size_t len,
                      const char *source_name, ehcp_date range_first, ehcp_date range_last,
                      char *errbuf, size_t errlen) {
  struct ics_ctx cx = {
      .source = source_name ? source_name : "(ics)",
      .errbuf = errbuf,
      .errlen = errlen,
      .range_first = range_first,
      .range_last = range_last,
  };
  if (errbuf && errlen)
    errbuf[0] = '\0';
  if (!out || (!data && len))
    return fail(&cx, EHCP_ERR_INVALID, 0, "invalid argument");
  if (range_first < EHCP_DATE_MIN || range_last > EHCP_DATE_MAX || range_first > range_last)
    return fail(&cx, EHCP_ERR_INVALID, 0, "invalid date range");

  int rc = scan_structure(&cx, data, len);
  if (rc != EHCP_OK) {
    free(cx.vevent_lines);
    return rc;
  }

  /* libical wants a NUL-terminated string; the scan has ruled out NULs. */
  char *text = len < SIZE_MAX ? malloc(len + 1) : NULL;
  if (!text) {
    free(cx.vevent_lines);
    return nomem(&cx);
  }
  memcpy(text, data, len);
  text[len] = '\0';
  icalerror_clear_errno();
  icalcomponent *root = icalparser_parse_string(text);
  free(text);

  struct closure_list tmp = {0};
  if (!root)
    rc = icalerrno == ICAL_NEWFAILED_ERROR
             ? nomem(&cx)
             : fail(&cx, EHCP_ERR_PARSE, 0, "libical could not parse the calendar");
  else if (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT)
    rc = fail(&cx, EHCP_ERR_PARSE, 0, "not a single VCALENDAR");
  else
    rc = load_calendar(&cx, root, &tmp);
  if (root)
    icalcomponent_free(root);
  free(cx.vevent_lines);

  /* Built aside so that `out` is untouched on any error. */
  if (rc == EHCP_OK && closure_list_append(out, &tmp) != EHCP_OK)
    rc = nomem(&cx);
  closure_list_clear(&tmp);
  return rc;
}
