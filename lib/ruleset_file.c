/* Rule-set INI files (docs/ruleset-format.md) read with inih.
 *
 * inih splits lines into sections, keys and values; this file adds what the
 * packaged inih (Debian r55) does not give us:
 *
 * - line numbers: r55 is built without INI_HANDLER_LINENO and has no
 *   run-time switch for it, so we feed it through ini_parse_stream() with our
 *   own reader. The reader hands over exactly one line per call, so the
 *   number of reader calls is the line the handler is looking at. It also
 *   means the text needs no NUL-terminated copy.
 * - lines longer than inih's buffer: inih would silently split them into
 *   two lines; the reader refuses them instead.
 * - structure: inih calls the handler only for key = value lines, so an
 *   empty section or two sections with the same name would go unseen. The
 *   reader classifies each line the way inih will (blank/comment, section
 *   header, continuation, key) and tracks sections itself.
 * - continuation lines: r55 passes an indented line after a key to the
 *   handler as a further value of that key, but without stripping its
 *   inline " ;" comment. We join continued values with one space and strip
 *   such comments ourselves.
 *
 * We never touch inih's run-time globals (ini_allow_multiline ...): they are
 * process-wide, and changing them would be hidden global state.
 *
 * Everything is parsed and checked into a scratch rule set (a copy of the
 * caller's, or the built-in named by `extends`); only when the whole text
 * has been accepted are the two swapped, so on error the caller's rule set
 * is untouched except for its message. */
#include "case_internal.h"
#include "ruleset_internal.h"

#include <ini.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ENTRIES 32               /* keys per section; every key is unique */
#define MAX_FILE_SIZE (1024L * 1024) /* a rule set larger than this is a mistake */
#define MAX_AMOUNT 9999

/* ------------------------------------------------------------------ */
/* Event patterns                                                       */

static bool is_space(char c) { return isspace((unsigned char)c) != 0; }

/* Trim [*b, *e) of white space. */
static void trim(const char **b, const char **e) {
  while (*b < *e && is_space(**b)) (*b)++;
  while (*e > *b && is_space((*e)[-1])) (*e)--;
}

/* The parser behind match_list_parse(). *why gets a short static reason;
 * when msg is not NULL it also gets a reason naming the offending word. */
static int match_list_parse_msg(struct match_list *list, const char *text, const char **why,
                                char *msg, size_t msgsz) {
  struct match_list out;
  memset(&out, 0, sizeof out);
  const char *p = text ? text : "";
  const char *end = p + strlen(p);
  const char *b0 = p, *e0 = end;
  trim(&b0, &e0);
  if (b0 == e0) {
    *why = "no event given";
    if (msg) snprintf(msg, msgsz, "no event given");
    return EHCP_ERR_PARSE;
  }
  for (;;) {
    const char *comma = memchr(p, ',', (size_t)(end - p));
    const char *ie = comma ? comma : end;
    const char *ib = p;
    trim(&ib, &ie);
    if (ib == ie) {
      *why = "empty pattern in list";
      if (msg) snprintf(msg, msgsz, "empty pattern in list");
      return EHCP_ERR_PARSE;
    }
    if (out.n == MAX_MATCHES) {
      *why = "too many patterns";
      if (msg) snprintf(msg, msgsz, "more than %d patterns", MAX_MATCHES);
      return EHCP_ERR_PARSE;
    }
    const char *colon = memchr(ib, ':', (size_t)(ie - ib));
    const char *nb = ib, *ne = colon ? colon : ie;
    trim(&nb, &ne);
    int len = (int)(ne - nb);
    struct event_match m = {0, 0};
    int type;
    if ((size_t)len == strlen("review_clock") && memcmp(nb, "review_clock", (size_t)len) == 0) {
      m.type = EVENT_REVIEW_CLOCK;
      if (colon) {
        *why = "detail not allowed";
        if (msg) snprintf(msg, msgsz, "'review_clock' takes no detail");
        return EHCP_ERR_PARSE;
      }
    } else if (len == 0 || ehcp_event_type_from_name(&type, nb, (size_t)len) != EHCP_OK ||
               type <= 0 || type >= EVENT_REVIEW_CLOCK) {
      *why = "unknown event";
      if (msg) snprintf(msg, msgsz, "unknown event '%.*s'", len > 60 ? 60 : len, nb);
      return EHCP_ERR_PARSE;
    } else {
      m.type = (uint8_t)type;
    }
    if (colon) {
      const char *const *words;
      if (event_detail_vocabulary(m.type, &words) <= 0) {
        *why = "detail not allowed";
        if (msg) snprintf(msg, msgsz, "event '%.*s' has no details to match", len, nb);
        return EHCP_ERR_PARSE;
      }
      const char *d = colon + 1;
      for (;;) {
        const char *bar = memchr(d, '|', (size_t)(ie - d));
        const char *db = d, *de = bar ? bar : ie;
        trim(&db, &de);
        if (db == de) {
          *why = "empty detail";
          if (msg) snprintf(msg, msgsz, "empty detail in '%.*s'", (int)(ie - ib), ib);
          return EHCP_ERR_PARSE;
        }
        char word[64];
        int idx = 0;
        if ((size_t)(de - db) < sizeof word) {
          memcpy(word, db, (size_t)(de - db));
          word[de - db] = '\0';
          idx = event_detail_index(m.type, word);
        }
        if (idx <= 0 || idx > 31) {
          *why = "unknown detail";
          if (msg)
            snprintf(msg, msgsz, "unknown detail '%.*s' for event '%.*s'",
                     (int)(de - db) > 60 ? 60 : (int)(de - db), db, len, nb);
          return EHCP_ERR_PARSE;
        }
        m.details |= 1u << idx;
        if (!bar) break;
        d = bar + 1;
      }
    }
    out.m[out.n++] = m;
    if (!comma) break;
    p = comma + 1;
  }
  *list = out;
  *why = NULL;
  return EHCP_OK;
}

int match_list_parse(struct match_list *list, const char *text, const char **why) {
  const char *dummy;
  return match_list_parse_msg(list, text, why ? why : &dummy, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* Parser state                                                         */

enum section_kind { SEC_RULESET, SEC_MILESTONE };

struct entry {
  char key[40]; /* longer keys are unknown ones */
  char *value; /* malloc'd; continuation lines are appended */
  uint32_t line;
};

struct section {
  enum section_kind kind;
  char id[16];
  uint32_t line;
  struct entry e[MAX_ENTRIES];
  size_t n;
};

struct parsed_milestone {
  struct milestone m;
  uint32_t line;
};

struct parser {
  struct ehcp_ruleset *target;
  const char *source;
  const char *p, *end; /* text not yet handed to inih */
  uint32_t line;       /* line inih is working on */
  bool cont;           /* that line continues the previous key's value */
  bool have_key;       /* inih's "previous key" (continuations need one) */
  int err;             /* first error, or EHCP_OK */
  uint32_t err_line;
  char errmsg[sizeof ((struct ehcp_ruleset *)0)->errmsg];

  bool in_section;
  struct section cur;
  uint32_t ruleset_line; /* line of [ruleset], 0 if none yet */
  struct ehcp_ruleset *tmp;
  struct parsed_milestone *ms;
  size_t nms, capms;
};

static void fail(struct parser *p, int code, uint32_t line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Record the first error: "SOURCE:LINE: reason" (line 0: "SOURCE: reason"). */
static void fail(struct parser *p, int code, uint32_t line, const char *fmt, ...) {
  if (p->err) return;
  p->err = code;
  p->err_line = line;
  int n = line ? snprintf(p->errmsg, sizeof p->errmsg, "%s:%lu: ", p->source, (unsigned long)line)
               : snprintf(p->errmsg, sizeof p->errmsg, "%s: ", p->source);
  if (n < 0) n = 0;
  if ((size_t)n < sizeof p->errmsg) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->errmsg + n, sizeof p->errmsg - (size_t)n, fmt, ap);
    va_end(ap);
  }
  for (char *q = p->errmsg; *q; q++) if ((unsigned char)*q < 0x20 || *q == 0x7f) *q = '?'; /* one line, whatever the input quoted */
}

static void nomem(struct parser *p) { fail(p, EHCP_ERR_NOMEM, 0, "out of memory"); }

static void section_clear(struct section *s) {
  for (size_t i = 0; i < s->n; i++) free(s->e[i].value);
  s->n = 0;
}

static const struct entry *section_get(const struct section *s, const char *key) {
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->e[i].key, key) == 0) return &s->e[i];
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Values                                                               */

static bool parse_bool(bool *out, const char *v) {
  if (strcmp(v, "yes") == 0) return *out = true, true;
  if (strcmp(v, "no") == 0) return *out = false, true;
  return false;
}

/* Text for labels and sources: valid UTF-8 without control characters. */
static bool text_ok(const char *s) {
  const unsigned char *u = (const unsigned char *)s;
  while (*u) {
    if (*u < 0x20 || *u == 0x7f) return false;
    if (*u < 0x80) {
      u++;
      continue;
    }
    int n;
    uint32_t cp;
    if ((*u & 0xe0) == 0xc0) n = 1, cp = *u & 0x1f;
    else if ((*u & 0xf0) == 0xe0) n = 2, cp = *u & 0x0f;
    else if ((*u & 0xf8) == 0xf0) n = 3, cp = *u & 0x07;
    else return false;
    for (int i = 1; i <= n; i++) {
      if ((u[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (u[i] & 0x3f);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    u += n + 1;
  }
  return true;
}

/* Milestone names: [a-z0-9_]+. */
static bool name_ok(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return false;
  return true;
}

/* Rule-set names: [A-Za-z0-9._+-]+. */
static bool ruleset_name_ok(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (!(isalnum((unsigned char)*s) || strchr("._+-", *s))) return false;
  return true;
}

/* Milestone ids: letters, digits and _ - . ' (B7' is an id). */
static bool id_char(char c) { return isalnum((unsigned char)c) || (c && strchr("_-.'", c)); }

/* Exception kinds are the details of the exception event, whose vocabulary
 * is in the order of enum ehcp_exception_kind (1-based). */
static uint32_t exceptions_all(void) {
  uint32_t all = 0;
  int n = event_detail_vocabulary(EHCP_EV_EXCEPTION, NULL);
  for (int kind = 1; kind <= n && kind < 32; kind++) all |= EXC_BIT(kind);
  return all;
}

static bool parse_exceptions(struct parser *p, const struct entry *e, uint32_t *out) {
  uint32_t bits = 0;
  bool none = false;
  size_t items = 0;
  const char *s = e->value, *end = s + strlen(s);
  for (;;) {
    const char *comma = memchr(s, ',', (size_t)(end - s));
    const char *b = s, *t = comma ? comma : end;
    trim(&b, &t);
    size_t len = (size_t)(t - b);
    items++;
    if (len == 0) {
      fail(p, EHCP_ERR_PARSE, e->line, "exceptions: empty item in list");
      return false;
    }
#define IS(w) (len == strlen(w) && memcmp(b, w, len) == 0)
    if (IS("none")) none = true;
    else if (IS("all")) bits |= exceptions_all();
    else if (IS("reg_10_4")) bits |= EXC_REG_10_4;
    else if (IS("reg_8_2")) bits |= EXC_REG_8_2;
    else {
      char word[32];
      int kind = 0;
      if (len < sizeof word) {
        memcpy(word, b, len);
        word[len] = '\0';
        kind = event_detail_index(EHCP_EV_EXCEPTION, word);
      }
      if (kind <= 0 || kind >= 32) {
        fail(p, EHCP_ERR_PARSE, e->line, "exceptions: unknown exception '%.*s'",
             len > 60 ? 60 : (int)len, b);
        return false;
      }
      bits |= EXC_BIT(kind);
    }
#undef IS
    if (!comma) break;
    s = comma + 1;
  }
  if (none && items > 1) {
    fail(p, EHCP_ERR_PARSE, e->line, "exceptions: 'none' cannot be combined with others");
    return false;
  }
  *out = bits;
  return true;
}

static bool parse_limit(struct parser *p, const struct entry *e, struct milestone *m) {
  const char *v = e->value;
  if (strncmp(v, "before", 6) == 0 && is_space(v[6])) {
    const char *d = v + 6;
    while (is_space(*d)) d++;
    static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(d) != 5 || !isdigit((unsigned char)d[0]) || !isdigit((unsigned char)d[1]) ||
        d[2] != '-' || !isdigit((unsigned char)d[3]) || !isdigit((unsigned char)d[4])) {
      fail(p, EHCP_ERR_PARSE, e->line, "limit: expected 'before MM-DD', got '%.60s'", v);
      return false;
    }
    int mon = (d[0] - '0') * 10 + (d[1] - '0'), day = (d[3] - '0') * 10 + (d[4] - '0');
    /* 29 Feb is refused: "before 29 February" has no meaning in most years. */
    if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1]) {
      fail(p, EHCP_ERR_PARSE, e->line, "limit: '%s' is not a date of every year", d);
      return false;
    }
    m->unit = UNIT_BEFORE_DATE;
    m->amount = 0;
    m->fixed_month = (uint8_t)mon;
    m->fixed_day = (uint8_t)day;
    return true;
  }
  const char *s = v;
  bool neg = false;
  if (*s == '-') neg = true, s++;
  long n = 0;
  const char *digits = s;
  for (; isdigit((unsigned char)*s); s++)
    if (n <= MAX_AMOUNT) n = n * 10 + (*s - '0');
  if (s == digits || !is_space(*s)) {
    fail(p, EHCP_ERR_PARSE, e->line,
         "limit: expected 'N days|weeks|months|working_days' or 'before MM-DD', got '%.60s'", v);
    return false;
  }
  if (n > MAX_AMOUNT) {
    fail(p, EHCP_ERR_PARSE, e->line, "limit: %.*s is more than %d",
         (int)(s - digits) > 20 ? 20 : (int)(s - digits), digits, MAX_AMOUNT);
    return false;
  }
  while (is_space(*s)) s++;
  static const struct {
    const char *word;
    enum limit_unit unit;
  } units[] = {
      {"days", UNIT_DAYS},     {"day", UNIT_DAYS},
      {"weeks", UNIT_WEEKS},   {"week", UNIT_WEEKS},
      {"months", UNIT_MONTHS}, {"month", UNIT_MONTHS},
      {"working_days", UNIT_WORKING_DAYS}, {"working_day", UNIT_WORKING_DAYS},
  };
  size_t i, nu = sizeof units / sizeof units[0];
  for (i = 0; i < nu && strcmp(s, units[i].word) != 0; i++) {
  }
  if (i == nu) {
    fail(p, EHCP_ERR_PARSE, e->line,
         "limit: unknown unit '%.40s' (days, weeks, months or working_days)", s);
    return false;
  }
  m->unit = units[i].unit;
  m->amount = (int32_t)(neg ? -n : n);
  return true;
}

static bool parse_when(struct parser *p, const struct entry *e, struct milestone *m) {
  const char *eq = strchr(e->value, '=');
  if (!eq) {
    fail(p, EHCP_ERR_PARSE, e->line, "when: expected ATTRIBUTE=VALUE, got '%.60s'", e->value);
    return false;
  }
  const char *ab = e->value, *ae = eq, *vb = eq + 1, *ve = eq + 1 + strlen(eq + 1);
  trim(&ab, &ae);
  trim(&vb, &ve);
  if (ab == ae || vb == ve) {
    fail(p, EHCP_ERR_PARSE, e->line, "when: expected ATTRIBUTE=VALUE, got '%.60s'", e->value);
    return false;
  }
  if ((size_t)(ae - ab) >= sizeof m->when_attr || (size_t)(ve - vb) >= sizeof m->when_value) {
    fail(p, EHCP_ERR_PARSE, e->line, "when: attribute longer than %zu or value longer than %zu bytes",
         sizeof m->when_attr - 1, sizeof m->when_value - 1);
    return false;
  }
  memcpy(m->when_attr, ab, (size_t)(ae - ab));
  m->when_attr[ae - ab] = '\0';
  memcpy(m->when_value, vb, (size_t)(ve - vb));
  m->when_value[ve - vb] = '\0';
  if (!text_ok(m->when_attr) || !text_ok(m->when_value)) {
    fail(p, EHCP_ERR_PARSE, e->line, "when: control character or invalid UTF-8");
    return false;
  }
  return true;
}

static bool parse_text(struct parser *p, const struct entry *e, char *dst, size_t size) {
  size_t len = strlen(e->value);
  if (len >= size) {
    fail(p, EHCP_ERR_PARSE, e->line, "%s: longer than %zu bytes", e->key, size - 1);
    return false;
  }
  if (!text_ok(e->value)) {
    fail(p, EHCP_ERR_PARSE, e->line, "%s: control character or invalid UTF-8", e->key);
    return false;
  }
  memcpy(dst, e->value, len + 1);
  return true;
}

static bool parse_list(struct parser *p, const struct entry *e, struct match_list *list) {
  const char *why;
  char msg[256];
  if (match_list_parse_msg(list, e->value, &why, msg, sizeof msg) != EHCP_OK) {
    fail(p, EHCP_ERR_PARSE, e->line, "%s: %s", e->key, msg);
    return false;
  }
  return true;
}

static bool parse_yes_no(struct parser *p, const struct entry *e, bool *out) {
  if (!parse_bool(out, e->value)) {
    fail(p, EHCP_ERR_PARSE, e->line, "%s: expected yes or no, got '%.60s'", e->key, e->value);
    return false;
  }
  return true;
}

/* ------------------------------------------------------------------ */
/* Sections                                                             */

static const char *const milestone_keys[] = {
    "name",    "label",      "source",     "statutory", "start",  "end",
    "cancel",  "limit",      "pairing",    "restart",   "until",  "exceptions",
    "day_one", "window",     "stop_clock", "roll_forward", "when",
};

static bool is_milestone_key(const char *k) {
  for (size_t i = 0; i < sizeof milestone_keys / sizeof milestone_keys[0]; i++)
    if (strcmp(k, milestone_keys[i]) == 0) return true;
  return false;
}

static bool milestone_from_section(struct parser *p, const struct section *s, struct milestone *m) {
  static const char *const required[] = {"name", "start", "end", "limit"};
  memset(m, 0, sizeof *m);
  memcpy(m->id, s->id, sizeof m->id);
  m->pairing = PAIR_FIRST;
  m->unit = UNIT_DAYS;
  m->day_one = DAY_ONE_CONVENTION;
  /* Values first (their errors name their own lines), then missing keys,
   * then the rules between keys. */
  for (size_t i = 0; i < s->n; i++) {
    const struct entry *e = &s->e[i];
    const char *k = e->key, *v = e->value;
    bool ok = true;
    if (strcmp(k, "name") == 0) {
      if (strlen(v) >= sizeof m->name || !name_ok(v)) {
        fail(p, EHCP_ERR_PARSE, e->line,
             "name: '%.60s' is not 1-%zu lowercase letters, digits or _", v, sizeof m->name - 1);
        ok = false;
      } else {
        memcpy(m->name, v, strlen(v) + 1);
      }
    } else if (strcmp(k, "label") == 0) {
      ok = parse_text(p, e, m->label, sizeof m->label);
    } else if (strcmp(k, "source") == 0) {
      ok = parse_text(p, e, m->source, sizeof m->source);
    } else if (strcmp(k, "statutory") == 0) {
      ok = parse_yes_no(p, e, &m->statutory);
    } else if (strcmp(k, "start") == 0) {
      ok = parse_list(p, e, &m->start);
    } else if (strcmp(k, "end") == 0) {
      ok = parse_list(p, e, &m->end);
    } else if (strcmp(k, "cancel") == 0) {
      ok = parse_list(p, e, &m->cancel);
    } else if (strcmp(k, "restart") == 0) {
      ok = parse_list(p, e, &m->restart);
    } else if (strcmp(k, "until") == 0) {
      ok = parse_list(p, e, &m->until);
    } else if (strcmp(k, "limit") == 0) {
      ok = parse_limit(p, e, m);
    } else if (strcmp(k, "pairing") == 0) {
      static const char *const names[] = {"first", "each", "ref", "repeat", "before"};
      static const enum pairing values[] = {PAIR_FIRST, PAIR_EACH, PAIR_REF, PAIR_REPEAT,
                                            PAIR_BEFORE};
      size_t j;
      for (j = 0; j < 5 && strcmp(v, names[j]) != 0; j++) {
      }
      if (j == 5) {
        fail(p, EHCP_ERR_PARSE, e->line,
             "pairing: expected first, each, ref, repeat or before, got '%.60s'", v);
        ok = false;
      } else {
        m->pairing = values[j];
      }
    } else if (strcmp(k, "exceptions") == 0) {
      ok = parse_exceptions(p, e, &m->exceptions);
    } else if (strcmp(k, "day_one") == 0) {
      if (strcmp(v, "convention") == 0) m->day_one = DAY_ONE_CONVENTION;
      else if (strcmp(v, "yes") == 0) m->day_one = DAY_ONE_YES;
      else if (strcmp(v, "no") == 0) m->day_one = DAY_ONE_NO;
      else {
        fail(p, EHCP_ERR_PARSE, e->line, "day_one: expected convention, yes or no, got '%.60s'",
             v);
        ok = false;
      }
    } else if (strcmp(k, "window") == 0) {
      ok = parse_yes_no(p, e, &m->window);
    } else if (strcmp(k, "stop_clock") == 0) {
      ok = parse_yes_no(p, e, &m->stop_clock);
    } else if (strcmp(k, "roll_forward") == 0) {
      ok = parse_yes_no(p, e, &m->roll_forward);
    } else if (strcmp(k, "when") == 0) {
      ok = parse_when(p, e, m);
    }
    if (!ok) return false;
  }
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
    if (!section_get(s, required[i])) {
      fail(p, EHCP_ERR_PARSE, s->line, "missing required key '%s' in [milestone %s]", required[i],
           s->id);
      return false;
    }

  /* Keys that only make sense together. */
  const struct entry *e;
  if (m->pairing != PAIR_REPEAT) {
    if ((e = section_get(s, "restart"))) {
      fail(p, EHCP_ERR_PARSE, e->line, "restart: only allowed with pairing = repeat");
      return false;
    }
    if ((e = section_get(s, "until"))) {
      fail(p, EHCP_ERR_PARSE, e->line, "until: only allowed with pairing = repeat");
      return false;
    }
  } else if (!section_get(s, "restart")) {
    fail(p, EHCP_ERR_PARSE, section_get(s, "pairing")->line,
         "pairing: repeat needs a restart key");
    return false;
  }
  /* The evaluator forms repeat and before occurrences without cancel
   * events: refuse the key rather than ignore it. */
  if ((m->pairing == PAIR_REPEAT || m->pairing == PAIR_BEFORE) && (e = section_get(s, "cancel"))) {
    fail(p, EHCP_ERR_PARSE, e->line, "cancel: only allowed with pairing = first, each or ref");
    return false;
  }
  e = section_get(s, "limit");
  if (m->pairing == PAIR_BEFORE) {
    if (m->unit != UNIT_BEFORE_DATE && m->amount >= 0) {
      fail(p, EHCP_ERR_PARSE, e->line,
           "limit: pairing = before needs 'before MM-DD' or a negative limit");
      return false;
    }
  } else if (m->unit == UNIT_BEFORE_DATE) {
    fail(p, EHCP_ERR_PARSE, e->line, "limit: 'before MM-DD' needs pairing = before");
    return false;
  } else if (m->amount < 0) {
    fail(p, EHCP_ERR_PARSE, e->line, "limit: a negative limit needs pairing = before");
    return false;
  }
  if ((e = section_get(s, "day_one")) && m->day_one != DAY_ONE_CONVENTION &&
      m->unit != UNIT_DAYS && m->unit != UNIT_WEEKS) {
    fail(p, EHCP_ERR_PARSE, e->line, "day_one: only applies to limits in days or weeks");
    return false;
  }
  if (m->stop_clock) {
    e = section_get(s, "stop_clock");
    if (m->statutory) {
      fail(p, EHCP_ERR_PARSE, e->line,
           "stop_clock: a local practice, not allowed with statutory = yes");
      return false;
    }
    if (!m->exceptions) {
      fail(p, EHCP_ERR_PARSE, e->line, "stop_clock: needs exceptions to stop the clock for");
      return false;
    }
  }
  return true;
}

static bool clone_target(struct parser *p) {
  struct ehcp_ruleset *c;
  int rc = ehcp_ruleset_new(&c, NULL);
  if (rc != EHCP_OK) {
    fail(p, rc, 0, "cannot create a rule set: %s", ehcp_strerror(rc));
    return false;
  }
  /* Take every scalar (name, conventions) from the target, keep c's own
   * milestone storage and copy the milestones into it. */
  struct milestone *m = c->m;
  size_t cap = c->cap;
  *c = *p->target;
  c->m = m;
  c->n = 0;
  c->cap = cap;
  p->tmp = c;
  for (size_t i = 0; i < p->target->n; i++)
    if ((rc = ruleset_put(c, &p->target->m[i])) != EHCP_OK) {
      fail(p, rc, 0, "cannot copy the rule set: %s", ehcp_strerror(rc));
      return false;
    }
  return true;
}

static bool ruleset_from_section(struct parser *p, const struct section *s) {
  const struct entry *name = section_get(s, "name"), *ext = section_get(s, "extends");
  if (name && (strlen(name->value) >= sizeof p->target->name || !ruleset_name_ok(name->value))) {
    fail(p, EHCP_ERR_PARSE, name->line,
         "name: '%.60s' is not 1-%zu letters, digits or . _ + -", name->value,
         sizeof p->target->name - 1);
    return false;
  }
  if (!name && (!ext || strcmp(ext->value, "none") == 0)) {
    fail(p, EHCP_ERR_PARSE, s->line, "missing required key 'name' in [ruleset]");
    return false;
  }
  if (ext) {
    const char *base = strcmp(ext->value, "none") == 0 ? NULL : ext->value;
    struct ehcp_ruleset *t = NULL;
    int rc = ehcp_ruleset_new(&t, base);
    if (rc == EHCP_ERR_NOT_FOUND) {
      fail(p, EHCP_ERR_PARSE, ext->line, "extends: unknown built-in rule set '%.60s'",
           ext->value);
      return false;
    }
    if (rc != EHCP_OK) {
      fail(p, rc, 0, "cannot create a rule set: %s", ehcp_strerror(rc));
      return false;
    }
    p->tmp = t;
  } else if (!clone_target(p)) {
    return false;
  }
  if (name) memcpy(p->tmp->name, name->value, strlen(name->value) + 1);
  for (size_t i = 0; i < s->n; i++) {
    const struct entry *e = &s->e[i];
    if (e == name || e == ext) continue;
    if (ehcp_ruleset_set_option(p->tmp, e->key, e->value) != EHCP_OK) {
      fail(p, EHCP_ERR_PARSE, e->line, "%s: invalid value '%.60s'", e->key, e->value);
      return false;
    }
  }
  return true;
}

/* Turn the section just finished into a rule-set base or a milestone. */
static bool close_section(struct parser *p) {
  if (!p->in_section) return true;
  struct section *s = &p->cur;
  bool ok;
  if (s->kind == SEC_RULESET) {
    ok = ruleset_from_section(p, s);
  } else {
    struct milestone m;
    ok = milestone_from_section(p, s, &m);
    if (ok) {
      if (p->nms == p->capms) {
        size_t cap = p->capms ? p->capms * 2 : 8;
        struct parsed_milestone *n = realloc(p->ms, cap * sizeof *n);
        if (!n) {
          nomem(p);
          ok = false;
        } else {
          p->ms = n;
          p->capms = cap;
        }
      }
      if (ok) {
        p->ms[p->nms].m = m;
        p->ms[p->nms].line = s->line;
        p->nms++;
      }
    }
  }
  section_clear(s);
  p->in_section = false;
  return ok;
}

/* A section header: inih's text between '[' and ']' is name[0..len). */
static bool open_section(struct parser *p, const char *name, size_t len) {
  if (!close_section(p)) return false;
  const char *b = name, *e = name + len;
  trim(&b, &e);
  size_t n = (size_t)(e - b);
  struct section *s = &p->cur;
  memset(s, 0, sizeof *s);
  s->line = p->line;
  if (n == 7 && memcmp(b, "ruleset", 7) == 0) {
    if (p->ruleset_line) {
      fail(p, EHCP_ERR_PARSE, p->line, "duplicate section [ruleset] (first at line %lu)",
           (unsigned long)p->ruleset_line);
      return false;
    }
    p->ruleset_line = p->line;
    s->kind = SEC_RULESET;
  } else if (n >= 9 && memcmp(b, "milestone", 9) == 0 && (n == 9 || is_space(b[9]))) {
    const char *ib = b + 9, *ie = e;
    trim(&ib, &ie);
    size_t idlen = (size_t)(ie - ib);
    if (idlen == 0) {
      fail(p, EHCP_ERR_PARSE, p->line, "missing milestone id in [milestone]");
      return false;
    }
    if (idlen >= sizeof s->id) {
      fail(p, EHCP_ERR_PARSE, p->line, "milestone id '%.*s' is longer than %zu characters",
           idlen > 60 ? 60 : (int)idlen, ib, sizeof s->id - 1);
      return false;
    }
    for (size_t i = 0; i < idlen; i++)
      if (!id_char(ib[i])) {
        fail(p, EHCP_ERR_PARSE, p->line,
             "milestone id '%.*s' may only have letters, digits and _ - . '", (int)idlen, ib);
        return false;
      }
    memcpy(s->id, ib, idlen);
    s->id[idlen] = '\0';
    for (size_t i = 0; i < p->nms; i++)
      if (strcmp(p->ms[i].m.id, s->id) == 0) {
        fail(p, EHCP_ERR_PARSE, p->line, "duplicate milestone id '%s' (first at line %lu)", s->id,
             (unsigned long)p->ms[i].line);
        return false;
      }
    s->kind = SEC_MILESTONE;
  } else {
    fail(p, EHCP_ERR_PARSE, p->line,
         "unknown section [%.*s] (expected [ruleset] or [milestone ID])",
         n > 60 ? 60 : (int)n, b);
    return false;
  }
  p->in_section = true;
  return true;
}

/* inih's find_chars_or_comment(): the first of chars, or an inline ';'
 * comment (a ';' after white space), or the end of the string. */
static const char *find_chars_or_comment(const char *s, const char *chars) {
  bool was_space = false;
  while (*s && !(chars && strchr(chars, *s)) && !(was_space && *s == ';')) {
    was_space = is_space(*s);
    s++;
  }
  return s;
}

/* Classify a line as inih will see it and follow the section structure.
 * Returns false on error. */
static bool classify(struct parser *p, const char *line) {
  const char *s = line;
  while (is_space(*s)) s++;
  p->cont = false;
  if (*s == '\0' || *s == ';' || *s == '#') return true; /* blank or comment */
  if (p->have_key && s > line) {
    p->cont = true; /* inih: an indented line continues the previous key */
    return true;
  }
  if (*s == '[') {
    const char *close = find_chars_or_comment(s + 1, "]");
    if (*close != ']') {
      fail(p, EHCP_ERR_PARSE, p->line, "section header without a closing ']'");
      return false;
    }
    const char *rest = close + 1;
    while (is_space(*rest)) rest++;
    if (*rest && *rest != ';' && *rest != '#') {
      fail(p, EHCP_ERR_PARSE, p->line, "text after the section header");
      return false;
    }
    p->have_key = false;
    return open_section(p, s + 1, (size_t)(close - (s + 1)));
  }
  const char *sep = find_chars_or_comment(s, "=:");
  if (*sep == '=' || *sep == ':') {
    const char *ne = sep;
    while (ne > s && is_space(ne[-1])) ne--;
    p->have_key = ne > s;
  }
  /* A line without '=' or ':' is an error that inih itself reports. */
  return true;
}

/* inih reader: one line per call, so p->line numbers the handler's line. */
static char *reader(char *buf, int num, void *stream) {
  struct parser *p = stream;
  if (p->err || p->p >= p->end) return NULL;
  const char *nl = memchr(p->p, '\n', (size_t)(p->end - p->p));
  const char *eol = nl ? nl : p->end;
  size_t n = (size_t)(eol - p->p);
  if (n > 0 && p->p[n - 1] == '\r') n--;
  p->line++;
  if (num < 3 || n > (size_t)num - 2) {
    fail(p, EHCP_ERR_PARSE, p->line, "line longer than %d characters", num < 3 ? 0 : num - 2);
    return NULL;
  }
  memcpy(buf, p->p, n);
  buf[n] = '\n';
  buf[n + 1] = '\0';
  p->p = nl ? nl + 1 : p->end;
  return classify(p, buf) ? buf : NULL;
}

/* Cut an inline comment (";" after white space) and trailing space. inih
 * r55 does this for key lines but not for continuation lines. */
static void strip_comment(char *v) {
  char *c = (char *)find_chars_or_comment(v, NULL);
  while (c > v && is_space(c[-1])) c--;
  *c = '\0';
}

static int handler(void *user, const char *section, const char *name, const char *value) {
  struct parser *p = user;
  if (p->err) return 0;
  if (!p->in_section) {
    fail(p, EHCP_ERR_PARSE, p->line, "key '%.40s' outside a section", name);
    return 0;
  }
  struct section *s = &p->cur;
  (void)section; /* we follow sections ourselves (see classify()) */
  size_t vlen = strlen(value);
  char *v = malloc(vlen + 1);
  if (!v) {
    nomem(p);
    return 0;
  }
  memcpy(v, value, vlen + 1);
  strip_comment(v);
  if (p->cont) {
    struct entry *e = s->n ? &s->e[s->n - 1] : NULL;
    if (!e || strcmp(e->key, name) != 0) {
      free(v);
      fail(p, EHCP_ERR_PARSE, p->line, "unexpected indented line");
      return 0;
    }
    size_t old = strlen(e->value), add = strlen(v);
    char *joined = realloc(e->value, old + 1 + add + 1);
    if (!joined) {
      free(v);
      nomem(p);
      return 0;
    }
    joined[old] = ' ';
    memcpy(joined + old + 1, v, add + 1);
    e->value = joined;
    free(v);
    return 1;
  }
  const char *err = NULL;
  if (!*name) err = "missing key before '='";
  else if (strlen(name) >= sizeof s->e[0].key) err = "unknown key";
  else if (s->kind == SEC_MILESTONE && !is_milestone_key(name)) err = "unknown key";
  else if (s->kind == SEC_RULESET && strcmp(name, "name") != 0 && strcmp(name, "extends") != 0 &&
           !ehcp_ruleset_option(p->target, name))
    err = "unknown key";
  else if (section_get(s, name)) err = "duplicate key";
  else if (!*v) err = "empty value for";
  if (err) {
    free(v);
    if (!*name) fail(p, EHCP_ERR_PARSE, p->line, "%s", err);
    else if (s->kind == SEC_MILESTONE)
      fail(p, EHCP_ERR_PARSE, p->line, "%s '%.40s' in [milestone %s]", err, name, s->id);
    else
      fail(p, EHCP_ERR_PARSE, p->line, "%s '%.40s' in [ruleset]", err, name);
    return 0;
  }
  if (s->n == MAX_ENTRIES) { /* only with many rule-set options */
    free(v);
    fail(p, EHCP_ERR_PARSE, p->line, "more than %d keys in one section", MAX_ENTRIES);
    return 0;
  }
  struct entry *e = &s->e[s->n++];
  memcpy(e->key, name, strlen(name) + 1);
  e->value = v;
  e->line = p->line;
  return 1;
}

/* ------------------------------------------------------------------ */
/* Entry points                                                         */

int ehcp_ruleset_load_string(ehcp_ruleset *rs, const char *text, size_t len,
                             const char *source_name) {
  if (!rs) return EHCP_ERR_INVALID;
  struct parser *p = calloc(1, sizeof *p);
  if (!p) {
    snprintf(rs->errmsg, sizeof rs->errmsg, "out of memory");
    return EHCP_ERR_NOMEM;
  }
  p->target = rs;
  p->source = source_name && *source_name ? source_name : "<string>";
  if (!text && len) {
    fail(p, EHCP_ERR_INVALID, 0, "no text");
    goto done;
  }
  p->p = text ? text : "";
  p->end = p->p + len;
  const char *nul = memchr(p->p, '\0', len);
  if (nul) {
    uint32_t line = 1;
    for (const char *c = p->p; c < nul; c++) line += *c == '\n';
    fail(p, EHCP_ERR_PARSE, line, "NUL byte in the text");
    goto done;
  }
  if (len >= 3 && memcmp(p->p, "\xEF\xBB\xBF", 3) == 0) p->p += 3; /* UTF-8 BOM */

  int rc = ini_parse_stream(reader, p, handler, p);
  if (rc > 0 && (!p->err || (uint32_t)rc < p->err_line)) {
    p->err = EHCP_OK; /* inih found an earlier error than ours: report that one */
    fail(p, EHCP_ERR_PARSE, (uint32_t)rc,
         "expected 'key = value', '[section]' or a comment");
  } else if (rc < 0 && !p->err) {
    fail(p, rc == -2 ? EHCP_ERR_NOMEM : EHCP_ERR_IO, 0, "inih could not read the text");
  }
  if (p->err) goto done;
  if (!p->in_section && !p->ruleset_line && !p->nms) {
    fail(p, EHCP_ERR_PARSE, p->line ? p->line : 1, "no [ruleset] or [milestone ID] section");
    goto done;
  }
  if (!close_section(p)) goto done;
  if (!p->tmp && !clone_target(p)) goto done;
  for (size_t i = 0; i < p->nms; i++) {
    int prc = ruleset_put(p->tmp, &p->ms[i].m);
    if (prc != EHCP_OK) {
      fail(p, prc, p->ms[i].line, "cannot add milestone %s: %s", p->ms[i].m.id,
           ehcp_strerror(prc));
      goto done;
    }
  }
  /* Accepted: the scratch set becomes rs; rs's old contents are freed. */
  struct ehcp_ruleset old = *rs;
  *rs = *p->tmp;
  *p->tmp = old;
  rs->errmsg[0] = '\0';

done:;
  int result = p->err;
  if (result) memcpy(rs->errmsg, p->errmsg, sizeof rs->errmsg);
  section_clear(&p->cur);
  ehcp_ruleset_free(p->tmp);
  free(p->ms);
  free(p);
  return result;
}

int ehcp_ruleset_load_file(ehcp_ruleset *rs, const char *path) {
  if (!rs || !path) return EHCP_ERR_INVALID;
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(rs->errmsg, sizeof rs->errmsg, "%s: cannot open: %s", path, strerror(errno));
    return EHCP_ERR_IO;
  }
  char *buf = NULL;
  size_t len = 0, cap = 0;
  int rc = EHCP_OK;
  for (;;) {
    if (len > (size_t)MAX_FILE_SIZE) {
      snprintf(rs->errmsg, sizeof rs->errmsg, "%s: larger than %ld bytes", path, MAX_FILE_SIZE);
      rc = EHCP_ERR_LIMIT;
      break;
    }
    if (len == cap) {
      size_t ncap = cap ? cap * 2 : 4096;
      char *n = realloc(buf, ncap);
      if (!n) {
        snprintf(rs->errmsg, sizeof rs->errmsg, "%s: out of memory", path);
        rc = EHCP_ERR_NOMEM;
        break;
      }
      buf = n;
      cap = ncap;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) {
      if (ferror(f)) {
        snprintf(rs->errmsg, sizeof rs->errmsg, "%s: read error", path);
        rc = EHCP_ERR_IO;
      }
      break;
    }
  }
  fclose(f);
  if (rc == EHCP_OK) rc = ehcp_ruleset_load_string(rs, buf ? buf : "", len, path);
  free(buf);
  return rc;
}
