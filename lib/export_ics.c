/* Open deadlines as iCalendar (RFC 5545), written with libical.
 *
 * The calendar is streamed: the VCALENDAR envelope is serialised by libical
 * once, with no events, and split at its "END:VCALENDAR" line; then each
 * VEVENT is built, serialised and freed in turn. A whole tree of a million
 * events would cost gigabytes in libical's representation; one event at a
 * time costs a few hundred bytes, and every content line is still libical's
 * (escaping, folding at 75 octets without splitting UTF-8, CRLF).
 *
 * libical is only touched on the calling thread: ehcp_evaluate_set()
 * evaluates on worker threads but hands each case back on this one. */
#include "ehcp/export.h"

#include <libical/ical.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ruleset_internal.h"
#include "svg.h"

void ehcp_export_free(char *buf) { free(buf); }

/* ---- UIDs --------------------------------------------------------------- */

/* 128 bits from two 64-bit FNV-1a lanes with different offsets, each run
 * through the splitmix64 finaliser so that every input bit reaches every
 * output bit. Not cryptographic; it only has to be stable and spread. */
static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

struct hash128 {
  uint64_t a, b;
};

static void hash_bytes(struct hash128 *h, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) {
    h->a = (h->a ^ p[i]) * 0x100000001B3u;
    h->b = (h->b ^ p[i]) * 0x100000001B3u;
  }
}

/* A field and its terminating NUL, so that ("ab", "c") and ("a", "bc")
 * hash differently. */
static void hash_field(struct hash128 *h, const char *s) { hash_bytes(h, s, strlen(s) + 1); }

int ehcp_ics_uid(char *buf, const char *case_id, const struct ehcp_milestone_result *r) {
  if (!buf || !case_id || !r || !r->id)
    return EHCP_ERR_INVALID;
  struct hash128 h = {0xCBF29CE484222325u, 0x84222325CBF29CE4u};
  char start[EHCP_DATE_ISO_SIZE] = "", detail[16];
  if (r->start != EHCP_DATE_NONE)
    ehcp_date_format(start, r->start);
  snprintf(detail, sizeof detail, "%d", r->detail);
  hash_field(&h, "ehcp-uid-1");
  hash_field(&h, case_id);
  hash_field(&h, r->id);
  hash_field(&h, start);
  hash_field(&h, r->ref ? r->ref : "");
  hash_field(&h, detail);
  snprintf(buf, EHCP_ICS_UID_SIZE, "%016llx%016llx@ehcp", (unsigned long long)mix64(h.a),
           (unsigned long long)mix64(h.b ^ 0x9E3779B97F4A7C15u));
  return EHCP_OK;
}

/* ---- output ------------------------------------------------------------- */

struct out {
  FILE *f;
  struct sbuf *b;
  int err;
};

static void out_write(struct out *o, const char *p, size_t n) {
  if (o->err || n == 0)
    return;
  if (o->f) {
    if (fwrite(p, 1, n, o->f) != n)
      o->err = EHCP_ERR_IO;
  } else {
    sbuf_add(o->b, p, n);
    if (o->b->failed)
      o->err = EHCP_ERR_NOMEM;
  }
}

/* ---- the writer --------------------------------------------------------- */

struct writer {
  struct out out;
  const ehcp_ruleset *rs;
  const struct ehcp_ics_options *o;
  size_t nevents;
  uint64_t done, total;
  struct icaltimetype stamp;
  char uid_prev[EHCP_ICS_UID_SIZE]; /* duplicate UIDs within a case get -2, -3 */
  unsigned uid_repeat;
  int stop; /* the progress callback's value */
};

/* libical writes no date after this year: its time normalisation turns
 * them into "00000000T000000", which no reader (ours included) accepts. */
#define ICS_LAST_YEAR 3000

/* Callers pass dates in [EHCP_DATE_MIN, EHCP_DATE_MAX] (keep() sees to it). */
static struct icaltimetype ical_date(ehcp_date d) {
  int y = 1970, m = 1, day = 1;
  ehcp_date_to_ymd(&y, &m, &day, d);
  struct icaltimetype t = icaltime_null_date();
  t.year = y, t.month = m, t.day = day;
  t.is_date = 1;
  return t;
}

/* Does event type `type` match a pattern list (review_clock resolved)? */
static bool matches(const struct match_list *l, int type, const ehcp_ruleset *rs) {
  for (uint8_t i = 0; i < l->n; i++) {
    int t = l->m[i].type;
    if (t == EVENT_REVIEW_CLOCK)
      t = rs->review_clock == REVIEW_CLOCK_MEETING ? EHCP_EV_REVIEW_MEETING
                                                   : EHCP_EV_REVIEW_DECISION;
    if (t == type)
      return true;
  }
  return false;
}

/* The event that started occurrence r: one of the milestone's start (or
 * restart) events dated on r->start, preferring one with the same ref.
 * Returns its index, or -1. */
static long find_start_event(const ehcp_case *c, const struct ehcp_milestone_result *r,
                             const ehcp_ruleset *rs) {
  if (r->milestone >= rs->n || r->start == EHCP_DATE_NONE)
    return -1;
  const struct milestone *m = &rs->m[r->milestone];
  long found = -1;
  for (size_t i = 0; i < ehcp_case_event_count(c); i++) {
    int type;
    ehcp_date date;
    const char *ref;
    if (ehcp_case_event(&type, &date, NULL, NULL, &ref, c, i) != EHCP_OK || date != r->start)
      continue;
    if (!matches(&m->start, type, rs) && !matches(&m->restart, type, rs))
      continue;
    bool same_ref = (!ref && !r->ref) || (ref && r->ref && strcmp(ref, r->ref) == 0);
    if (same_ref)
      return (long)i;
    if (found < 0)
      found = (long)i;
  }
  return found;
}

static void plural(struct sbuf *b, int32_t n, const char *unit) {
  sbuf_printf(b, "%d %s%s", n, unit, n == 1 || n == -1 ? "" : "s");
}

static void describe(struct sbuf *d, const ehcp_case *c, const struct ehcp_milestone_result *r,
                     const struct writer *w) {
  const char *label = "", *source = "";
  ehcp_ruleset_milestone_text(&label, &source, w->rs, r->milestone);
  char date[EHCP_DATE_ISO_SIZE];

  sbuf_cat(d, "Case ");
  sbuf_clean(d, ehcp_case_id(c));
  sbuf_printf(d, ", step %s (%s)", r->id, r->name);
  if (label && *label) {
    sbuf_cat(d, ": ");
    sbuf_clean(d, label);
  }
  sbuf_cat(d, ".\n");

  long ev = find_start_event(c, r, w->rs);
  if (r->start != EHCP_DATE_NONE) {
    ehcp_date_format(date, r->start);
    sbuf_cat(d, "Start: ");
    if (ev >= 0) {
      int type;
      const char *detail;
      ehcp_case_event(&type, NULL, &detail, NULL, NULL, c, (size_t)ev);
      sbuf_cat(d, ehcp_event_type_name(type));
      /* Details are a fixed vocabulary except plan_ceased's free-text
       * reason, which is never a start event; checked all the same. */
      if (detail && *detail && type != EHCP_EV_PLAN_CEASED &&
          ehcp_event_detail_check(type, detail) == EHCP_OK)
        sbuf_printf(d, " (%s)", detail);
      sbuf_cat(d, " on ");
    }
    sbuf_printf(d, "%s.\n", date);
  }
  ehcp_date_format(date, r->due);
  sbuf_printf(d, "Due: %s (the last compliant day).\n", date);
  if (r->statutory) {
    sbuf_cat(d, "Legal source: ");
    sbuf_clean(d, source && *source ? source : "statutory");
    sbuf_cat(d, ".\n");
  } else {
    sbuf_cat(d, "Local target, not a statutory limit");
    if (source && *source) {
      sbuf_cat(d, " (");
      sbuf_clean(d, source);
      sbuf_cat(d, ")");
    }
    sbuf_cat(d, ".\n");
  }
  ehcp_date_format(date, w->o->as_of);
  sbuf_printf(d, "Status as of %s: %s", date, ehcp_status_name(r->status));
  if (r->status == EHCP_STATUS_OVERDUE && r->days_late != EHCP_NO_VALUE) {
    sbuf_cat(d, ", ");
    plural(d, r->days_late, "day");
    sbuf_cat(d, " late");
  } else if (r->status == EHCP_STATUS_DUE && r->days_left != EHCP_NO_VALUE) {
    sbuf_cat(d, ", ");
    plural(d, r->days_left, "day");
    sbuf_cat(d, " left");
    if (r->working_days_left != EHCP_NO_VALUE) {
      sbuf_cat(d, " (");
      plural(d, r->working_days_left, "working day");
      sbuf_cat(d, ")");
    }
  }
  sbuf_cat(d, ".");
  if (r->exception) {
    const char *kind = ehcp_exception_kind_name(r->exception_kind);
    sbuf_printf(d, "\nException applies%s%s%s: the time limit does not apply, but the step "
                   "is still due as soon as practicable.",
                kind ? " (" : "", kind ? kind : "", kind ? ")" : "");
  }
}

static int keep(const struct ehcp_milestone_result *r, const struct ehcp_ics_options *o) {
  /* DTEND is the day after: a due date must leave room for it. */
  if (r->due == EHCP_DATE_NONE || r->due < EHCP_DATE_MIN || r->due >= EHCP_DATE_MAX ||
      (!r->statutory && !o->local_targets))
    return 0;
  if (r->status == EHCP_STATUS_OVERDUE)
    return 1;
  return r->status == EHCP_STATUS_DUE &&
         (!o->use_within || (r->days_left != EHCP_NO_VALUE && r->days_left <= o->within));
}

/* A component holding the properties, or NULL (and nothing leaked) when
 * any of them, or the component, could not be allocated. */
static icalcomponent *component(icalcomponent_kind kind, icalproperty **props, size_t n) {
  icalcomponent *c = icalcomponent_new(kind);
  bool ok = c != NULL;
  for (size_t i = 0; i < n; i++)
    ok = ok && props[i];
  for (size_t i = 0; i < n; i++) {
    if (ok)
      icalcomponent_add_property(c, props[i]);
    else if (props[i])
      icalproperty_free(props[i]);
  }
  if (!ok && c) {
    icalcomponent_free(c);
    c = NULL;
  }
  return c;
}

/* Build, serialise and write one VEVENT. Returns 0 or an error code. */
static int write_event(struct writer *w, const ehcp_case *c,
                       const struct ehcp_milestone_result *r) {
  int year;
  ehcp_date_to_ymd(&year, NULL, NULL, r->due + 1);
  if (year > ICS_LAST_YEAR)
    return EHCP_ERR_RANGE; /* written as 00000000T000000 by libical */
  char uid[EHCP_ICS_UID_SIZE + 12];
  ehcp_ics_uid(uid, ehcp_case_id(c), r);
  if (strcmp(uid, w->uid_prev) == 0) {
    char base[EHCP_ICS_UID_SIZE];
    memcpy(base, uid, sizeof base);
    *strchr(base, '@') = '\0';
    snprintf(uid, sizeof uid, "%s-%u@ehcp", base, ++w->uid_repeat);
  } else {
    memcpy(w->uid_prev, uid, sizeof w->uid_prev);
    w->uid_repeat = 1;
  }

  struct sbuf summary = {0}, desc = {0};
  sbuf_clean(&summary, ehcp_case_id(c));
  sbuf_printf(&summary, ": %s %s", r->id, r->name);
  if (r->status == EHCP_STATUS_OVERDUE || r->exception)
    sbuf_printf(&summary, " (%s%s%s)", r->status == EHCP_STATUS_OVERDUE ? "overdue" : "",
                r->status == EHCP_STATUS_OVERDUE && r->exception ? ", " : "",
                r->exception ? "exception applies" : "");
  describe(&desc, c, r, w);
  if (summary.failed || desc.failed) {
    sbuf_free(&summary), sbuf_free(&desc);
    return EHCP_ERR_NOMEM;
  }

  icalproperty *props[] = {
      icalproperty_new_uid(uid),
      icalproperty_new_dtstamp(w->stamp),
      icalproperty_new_dtstart(ical_date(r->due)),
      icalproperty_new_dtend(ical_date(r->due + 1)),
      icalproperty_new_summary(summary.p),
      icalproperty_new_description(desc.p),
      icalproperty_new_categories(r->statutory ? "EHC statutory deadline" : "EHC local target"),
      icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT),
  };
  sbuf_free(&summary), sbuf_free(&desc);
  icalcomponent *ev = component(ICAL_VEVENT_COMPONENT, props, sizeof props / sizeof *props);
  if (!ev)
    return EHCP_ERR_NOMEM;
  char *text = icalcomponent_as_ical_string_r(ev);
  icalcomponent_free(ev);
  if (!text)
    return EHCP_ERR_NOMEM;
  out_write(&w->out, text, strlen(text));
  icalmemory_free_buffer(text);
  w->nevents++;
  return w->out.err;
}

static int write_case(struct writer *w, const ehcp_case *c, const ehcp_timeline *tl) {
  w->uid_prev[0] = '\0';
  for (size_t i = 0; i < ehcp_timeline_count(tl); i++) {
    const struct ehcp_milestone_result *r = ehcp_timeline_get(tl, i);
    if (!keep(r, w->o))
      continue;
    int rc = write_event(w, c, r);
    if (rc != EHCP_OK)
      return rc;
  }
  w->done++;
  if (w->o->progress) {
    int rc = w->o->progress(w->done, w->total, w->o->payload);
    if (rc)
      return w->stop = rc;
  }
  return EHCP_OK;
}

static int on_case(const ehcp_case *c, const ehcp_timeline *tl, void *payload) {
  return write_case(payload, c, tl);
}

/* The calendar's display name: libical writes X- property values without
 * escaping commas and semicolons, so those (and backslashes) become spaces. */
static char *calendar_name(const char *name) {
  struct sbuf b = {0};
  sbuf_clean(&b, name ? name : "EHC deadlines");
  for (size_t i = 0; i < b.len; i++)
    if (b.p[i] == ',' || b.p[i] == ';' || b.p[i] == '\\' || b.p[i] == '\n' || b.p[i] == '\t')
      b.p[i] = ' ';
  return sbuf_take(&b, NULL);
}

static const char cal_end[] = "END:VCALENDAR\r\n";

/* The envelope, split into what comes before the events and cal_end. */
static int envelope(char **head, const struct ehcp_ics_options *o) {
  char *name = calendar_name(o->name);
  if (!name)
    return EHCP_ERR_NOMEM;
  icalproperty *xname = icalproperty_new_x(name);
  free(name);
  if (xname)
    icalproperty_set_x_name(xname, "X-WR-CALNAME");
  icalproperty *props[] = {
      icalproperty_new_prodid("-//ehcp//ehcp " EHCP_VERSION_STRING "//EN"),
      icalproperty_new_version("2.0"),
      icalproperty_new_calscale("GREGORIAN"),
      icalproperty_new_method(ICAL_METHOD_PUBLISH),
      xname,
  };
  icalcomponent *cal = component(ICAL_VCALENDAR_COMPONENT, props, sizeof props / sizeof *props);
  if (!cal)
    return EHCP_ERR_NOMEM;
  char *text = icalcomponent_as_ical_string_r(cal);
  icalcomponent_free(cal);
  if (!text)
    return EHCP_ERR_NOMEM;
  size_t len = strlen(text), tail = sizeof cal_end - 1;
  if (len < tail || strcmp(text + len - tail, cal_end) != 0) {
    icalmemory_free_buffer(text);
    return EHCP_ERR_INVALID; /* libical changed its output: refuse rather than guess */
  }
  *head = malloc(len - tail + 1);
  if (*head) {
    memcpy(*head, text, len - tail);
    (*head)[len - tail] = '\0';
  }
  icalmemory_free_buffer(text);
  return *head ? EHCP_OK : EHCP_ERR_NOMEM;
}

static int ics_run(struct out out, size_t *nevents, const ehcp_evaluator *ev,
                   const ehcp_ruleset *rs, const ehcp_case_set *set,
                   const struct ehcp_ics_options *o) {
  if (nevents)
    *nevents = 0;
  if (!ev || !rs || !set || !o || o->version < 1 || o->version > EHCP_ICS_OPTIONS_VERSION ||
      o->as_of == EHCP_DATE_NONE ||
      (o->ncase_ids && !o->case_ids))
    return EHCP_ERR_INVALID;
  int y, m, d;
  if (ehcp_date_to_ymd(&y, &m, &d, o->as_of) != EHCP_OK)
    return EHCP_ERR_INVALID;
  if (y > ICS_LAST_YEAR)
    return EHCP_ERR_RANGE; /* DTSTAMP is the as-of date */
  /* Every id must exist before a byte is written. */
  for (size_t i = 0; o->case_ids && i < o->ncase_ids; i++)
    if (!o->case_ids[i] || !ehcp_case_set_find(set, o->case_ids[i]))
      return EHCP_ERR_NOT_FOUND;

  struct writer w = {.out = out, .rs = rs, .o = o};
  w.total = o->case_ids ? o->ncase_ids : ehcp_case_set_count(set);
  w.stamp = icaltime_null_time();
  ehcp_date_to_ymd(&w.stamp.year, &w.stamp.month, &w.stamp.day, o->as_of);
  w.stamp.zone = icaltimezone_get_utc_timezone();

  char *head = NULL;
  int rc = envelope(&head, o);
  if (rc != EHCP_OK)
    return rc;
  out_write(&w.out, head, strlen(head));
  free(head);
  if (w.out.err)
    return w.out.err;

  if (!o->case_ids) {
    rc = ehcp_evaluate_set(ev, set, o->as_of, 0, on_case, &w);
  } else {
    ehcp_timeline *tl;
    rc = ehcp_timeline_new(&tl);
    for (size_t i = 0; rc == EHCP_OK && i < o->ncase_ids; i++) {
      const ehcp_case *c = ehcp_case_set_find(set, o->case_ids[i]);
      rc = ehcp_evaluate(tl, ev, c, o->as_of);
      if (rc == EHCP_OK)
        rc = write_case(&w, c, tl);
    }
    ehcp_timeline_free(tl);
  }
  if (w.stop)
    return w.stop;
  if (rc == EHCP_OK)
    out_write(&w.out, cal_end, sizeof cal_end - 1);
  if (rc == EHCP_OK && w.out.f && fflush(w.out.f) != 0)
    w.out.err = EHCP_ERR_IO;
  if (rc == EHCP_OK)
    rc = w.out.err;
  if (rc == EHCP_OK && nevents)
    *nevents = w.nevents;
  return rc;
}

int ehcp_ics_write(FILE *out, size_t *nevents, const ehcp_evaluator *ev, const ehcp_ruleset *rs,
                   const ehcp_case_set *set, const struct ehcp_ics_options *opts) {
  if (!out) {
    if (nevents)
      *nevents = 0;
    return EHCP_ERR_INVALID;
  }
  return ics_run((struct out){.f = out}, nevents, ev, rs, set, opts);
}

int ehcp_ics_string(char **out, size_t *len, size_t *nevents, const ehcp_evaluator *ev,
                    const ehcp_ruleset *rs, const ehcp_case_set *set,
                    const struct ehcp_ics_options *opts) {
  if (!out)
    return EHCP_ERR_INVALID;
  *out = NULL;
  if (len)
    *len = 0;
  struct sbuf b = {0};
  int rc = ics_run((struct out){.b = &b}, nevents, ev, rs, set, opts);
  if (rc != EHCP_OK) {
    sbuf_free(&b);
    return rc;
  }
  *out = sbuf_take(&b, len);
  return *out ? EHCP_OK : EHCP_ERR_NOMEM;
}
