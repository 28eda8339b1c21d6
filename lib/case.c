/* Cases and case sets: the event vocabulary, interned strings, and events
 * kept in date order as they arrive (so evaluation only ever reads). */
#include "case_internal.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- vocabulary (data-formats.md section 1) ---------------------------- */

static const char *const type_names[EHCP_EV_TYPE_COUNT] = {
    [EHCP_EV_REQUEST_RECEIVED] = "request_received",
    [EHCP_EV_BROUGHT_TO_ATTENTION] = "brought_to_attention",
    [EHCP_EV_ASSESSMENT_DECISION] = "assessment_decision",
    [EHCP_EV_ADVICE_REQUESTED] = "advice_requested",
    [EHCP_EV_ADVICE_RECEIVED] = "advice_received",
    [EHCP_EV_ISSUE_DECISION] = "issue_decision",
    [EHCP_EV_DRAFT_ISSUED] = "draft_issued",
    [EHCP_EV_FINAL_ISSUED] = "final_issued",
    [EHCP_EV_EXCEPTION] = "exception",
    [EHCP_EV_REVIEW_MEETING] = "review_meeting",
    [EHCP_EV_REVIEW_REPORT] = "review_report",
    [EHCP_EV_REVIEW_DECISION] = "review_decision",
    [EHCP_EV_REVIEW_DRAFT] = "review_draft",
    [EHCP_EV_REVIEW_FINAL] = "review_final",
    [EHCP_EV_PHASE_TRANSFER] = "phase_transfer",
    [EHCP_EV_PHASE_TRANSFER_AMENDED] = "phase_transfer_amended",
    [EHCP_EV_PLAN_CEASED] = "plan_ceased",
    [EHCP_EV_CONTACT_RECEIVED] = "contact_received",
    [EHCP_EV_CONTACT_RESPONDED] = "contact_responded",
    [EHCP_EV_FAMILY_UPDATE] = "family_update",
};

/* strlen of each name, for the readers' hot path. */
static const unsigned char type_name_lengths[EHCP_EV_TYPE_COUNT] = {
    [EHCP_EV_REQUEST_RECEIVED] = sizeof "request_received" - 1,
    [EHCP_EV_BROUGHT_TO_ATTENTION] = sizeof "brought_to_attention" - 1,
    [EHCP_EV_ASSESSMENT_DECISION] = sizeof "assessment_decision" - 1,
    [EHCP_EV_ADVICE_REQUESTED] = sizeof "advice_requested" - 1,
    [EHCP_EV_ADVICE_RECEIVED] = sizeof "advice_received" - 1,
    [EHCP_EV_ISSUE_DECISION] = sizeof "issue_decision" - 1,
    [EHCP_EV_DRAFT_ISSUED] = sizeof "draft_issued" - 1,
    [EHCP_EV_FINAL_ISSUED] = sizeof "final_issued" - 1,
    [EHCP_EV_EXCEPTION] = sizeof "exception" - 1,
    [EHCP_EV_REVIEW_MEETING] = sizeof "review_meeting" - 1,
    [EHCP_EV_REVIEW_REPORT] = sizeof "review_report" - 1,
    [EHCP_EV_REVIEW_DECISION] = sizeof "review_decision" - 1,
    [EHCP_EV_REVIEW_DRAFT] = sizeof "review_draft" - 1,
    [EHCP_EV_REVIEW_FINAL] = sizeof "review_final" - 1,
    [EHCP_EV_PHASE_TRANSFER] = sizeof "phase_transfer" - 1,
    [EHCP_EV_PHASE_TRANSFER_AMENDED] = sizeof "phase_transfer_amended" - 1,
    [EHCP_EV_PLAN_CEASED] = sizeof "plan_ceased" - 1,
    [EHCP_EV_CONTACT_RECEIVED] = sizeof "contact_received" - 1,
    [EHCP_EV_CONTACT_RESPONDED] = sizeof "contact_responded" - 1,
    [EHCP_EV_FAMILY_UPDATE] = sizeof "family_update" - 1,
};


static const char *const sources[] = {"parent", "setting", "health", "social_care", "other"};
static const char *const decisions[] = {"yes", "no", "withdrawn"};
static const char *const advisers[] = {"education", "early_years", "ep",
                                       "health",    "social_care", "other"};
/* Order matches enum ehcp_exception_kind (1-based). */
static const char *const exceptions[] = {"school_closure", "early_years_closure",
                                         "personal_circumstances", "absence",
                                         "appointment_missed", "covid", "unspecified"};
static const char *const review_decisions[] = {"maintain", "amend", "cease"};
static const char *const transfers[] = {"school", "post16", "post16_other"};


int event_detail_vocabulary(int type, const char *const **words) {
  int n = 0;
  const char *const *w = NULL;
  switch (type) {
  case EHCP_EV_REQUEST_RECEIVED: n = (int)(sizeof sources / sizeof *sources), w = sources; break;
  case EHCP_EV_ASSESSMENT_DECISION:
  case EHCP_EV_ISSUE_DECISION: n = 3, w = decisions; break;
  case EHCP_EV_ADVICE_REQUESTED:
  case EHCP_EV_ADVICE_RECEIVED: n = (int)(sizeof advisers / sizeof *advisers), w = advisers; break;
  case EHCP_EV_EXCEPTION: n = (int)(sizeof exceptions / sizeof *exceptions), w = exceptions; break;
  case EHCP_EV_REVIEW_DECISION: n = 3, w = review_decisions; break;
  case EHCP_EV_PHASE_TRANSFER: n = 3, w = transfers; break;
  default: break;
  }
  if (words)
    *words = w;
  return n;
}

int event_detail_required(int type) {
  /* request_received's source is often unknown in exports, so optional. */
  return type != EHCP_EV_REQUEST_RECEIVED && event_detail_vocabulary(type, NULL) > 0;
}

int event_detail_index_n(int type, const char *word, size_t len) {
  const char *const *words;
  int n = event_detail_vocabulary(type, &words);
  for (int i = 0; len && i < n; i++)
    if (words[i][0] == word[0] && strlen(words[i]) == len && memcmp(words[i], word, len) == 0)
      return i + 1;
  return 0;
}

int event_detail_index(int type, const char *word) {
  return word ? event_detail_index_n(type, word, strlen(word)) : 0;
}

int ehcp_event_type_from_name(int *out, const char *name, size_t len) {
  if (!out || !name)
    return EHCP_ERR_INVALID;
  /* Called for every row a reader reads: compare lengths first, and only
   * then the text. */
  for (int t = 1; t < EHCP_EV_TYPE_COUNT; t++) {
    if (type_name_lengths[t] == len && memcmp(type_names[t], name, len) == 0) {
      *out = t;
      return EHCP_OK;
    }
  }
  return EHCP_ERR_NOT_FOUND;
}

const char *ehcp_event_type_name(int type) {
  return type > 0 && type < EHCP_EV_TYPE_COUNT ? type_names[type] : NULL;
}

int ehcp_event_detail_check(int type, const char *detail) {
  if (!ehcp_event_type_name(type))
    return EHCP_ERR_INVALID;
  int empty = !detail || !*detail;
  if (type == EHCP_EV_PLAN_CEASED)
    return EHCP_OK; /* free-text reason code */
  if (empty)
    return event_detail_required(type) ? EHCP_ERR_INVALID : EHCP_OK;
  return event_detail_index(type, detail) ? EHCP_OK : EHCP_ERR_INVALID;
}

/* ---- the set ----------------------------------------------------------- */

static int fail(ehcp_case_set *set, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(set->errmsg, sizeof set->errmsg, fmt, ap);
  va_end(ap);
  return code;
}

int ehcp_case_set_new(ehcp_case_set **out) {
  if (!out)
    return EHCP_ERR_INVALID;
  ehcp_case_set *set = calloc(1, sizeof *set);
  if (!set)
    return EHCP_ERR_NOMEM;
  static _Atomic uint64_t serials;
  set->serial = atomic_fetch_add(&serials, 1) + 1;
  *out = set;
  return EHCP_OK;
}

void ehcp_case_set_free(ehcp_case_set *set) {
  if (!set)
    return;
  index_free(&set->by_id);
  arena_free(&set->arena); /* cases, ids, events, attributes and strings */
  strings_free(&set->strings);
  free(set->cases);
  for (uint16_t i = 0; i < set->nsources; i++)
    free(set->sources[i]);
  free(set->sources);
  free(set);
}

const char *ehcp_case_set_errmsg(const ehcp_case_set *set) { return set ? set->errmsg : ""; }

int ehcp_case_set_set_source(ehcp_case_set *set, const char *name) {
  if (!set)
    return EHCP_ERR_INVALID;
  if (!name) {
    set->current_source = 0;
    return EHCP_OK;
  }
  for (uint16_t i = 0; i < set->nsources; i++) {
    if (strcmp(set->sources[i], name) == 0) {
      set->current_source = (uint16_t)(i + 1);
      return EHCP_OK;
    }
  }
  if (set->nsources == UINT16_MAX)
    return fail(set, EHCP_ERR_LIMIT, "more than %u sources", UINT16_MAX);
  char **grown = realloc(set->sources, (set->nsources + 1u) * sizeof *grown);
  if (!grown)
    return fail(set, EHCP_ERR_NOMEM, "out of memory");
  set->sources = grown;
  if (!(grown[set->nsources] = strdup(name)))
    return fail(set, EHCP_ERR_NOMEM, "out of memory");
  set->current_source = ++set->nsources;
  return EHCP_OK;
}

uint32_t case_set_intern(ehcp_case_set *set, const char *text, size_t len, int *rc) {
  return strings_intern(&set->strings, &set->arena, text, len, rc);
}

uint32_t case_set_intern_hashed(ehcp_case_set *set, const char *text, size_t len, uint32_t hash,
                                int *rc) {
  return strings_intern_hashed(&set->strings, &set->arena, text, len, hash, rc);
}

uint32_t case_set_string_id(const ehcp_case_set *set, const char *text, size_t len) {
  return strings_find(&set->strings, text, len);
}

/* Id of a NUL-terminated text (NULL or "" give 0). */
static uint32_t intern(ehcp_case_set *set, const char *text, int *rc) {
  return text ? case_set_intern(set, text, strlen(text), rc) : 0;
}

static int same_id(const void *set, uint32_t index, const char *id, size_t len) {
  const struct ehcp_case *c = ((const struct ehcp_case_set *)set)->cases[index - 1];
  return c->id_len == len && memcmp(c->id, id, len) == 0;
}

/* Whether c is the case of id[0..len). */
static int is_case(const struct ehcp_case *c, const char *id, size_t len) {
  return c && c->id_len == len && memcmp(c->id, id, len) == 0;
}

struct ehcp_case *case_set_case(ehcp_case_set *set, const char *id, size_t len) {
  /* Rows of one case mostly come together: no hashing for those. */
  if (is_case(set->last, id, len))
    return set->last;
  return case_set_case_hashed(set, id, len, index_hash(id, len));
}

struct ehcp_case *case_set_case_hashed(ehcp_case_set *set, const char *id, size_t len,
                                       uint32_t hash) {
  struct ehcp_case *c;
  if (set->ncases >= UINT32_MAX - 1 || len > UINT32_MAX || index_reserve(&set->by_id))
    return NULL;
  size_t k = index_probe(&set->by_id, id, len, hash, same_id, set);
  if (set->by_id.slots[k].id)
    return set->last = set->cases[set->by_id.slots[k].id - 1];
  if (set->ncases == set->cap) {
    size_t cap = set->cap ? set->cap * 2 : 1024;
    struct ehcp_case **grown = realloc(set->cases, cap * sizeof *grown);
    if (!grown)
      return NULL;
    set->cases = grown;
    set->cap = cap;
  }
  /* Arena memory is only reclaimed with the set, so a failure below leaves
   * a few unused bytes there, never a leak. */
  c = arena_alloc(&set->arena, sizeof *c + len + 1, _Alignof(struct ehcp_case));
  if (!c)
    return NULL;
  memset(c, 0, sizeof *c);
  c->id = (char *)(c + 1);
  memcpy(c->id, id, len);
  c->id[len] = '\0';
  c->id_len = (uint32_t)len;
  c->set = set;
  set->cases[set->ncases++] = c;
  set->by_id.slots[k] = (struct index_slot){hash, (uint32_t)set->ncases};
  set->by_id.n++;
  return set->last = c;
}

void case_set_prefetch(const ehcp_case_set *set, const char *id, size_t len) {
  index_prefetch(&set->by_id, index_hash(id, len));
}

int case_set_expect(ehcp_case_set *set, size_t cases, size_t strings) {
  if (index_reserve_n(&set->by_id, cases) || index_reserve_n(&set->strings.index, strings))
    return EHCP_ERR_NOMEM;
  return EHCP_OK;
}

/* case_set_case() for a NUL-terminated id. */
static struct ehcp_case *find_or_add_case(ehcp_case_set *set, const char *id) {
  return case_set_case(set, id, strlen(id));
}

/* Make room for extra more elements of size in the arena block *p of *cap
 * elements (n in use): in place when the block is the arena's latest (the
 * usual case: a case's rows come together), else a new block of twice the
 * size; the old block's bytes stay in the arena until the set is freed. */
static int grow_block(struct arena *a, void **p, uint32_t *cap, uint32_t n, uint32_t extra,
                      size_t size) {
  uint64_t want = (uint64_t)n + extra;
  if (want <= *cap)
    return EHCP_OK;
  uint64_t to = *cap ? (uint64_t)*cap * 2 : 4;
  if (to < want)
    to = want;
  if (to > UINT32_MAX)
    return EHCP_ERR_NOMEM;
  if (*p && arena_extend(a, *p, (size_t)*cap * size, (size_t)to * size)) {
    *cap = (uint32_t)to;
    return EHCP_OK;
  }
  void *block = arena_alloc(a, (size_t)to * size, 8);
  if (!block)
    return EHCP_ERR_NOMEM;
  if (n)
    memcpy(block, *p, (size_t)n * size);
  *p = block;
  *cap = (uint32_t)to;
  return EHCP_OK;
}

int case_reserve_events(ehcp_case_set *set, struct ehcp_case *c, uint32_t n) {
  void *p = c->events;
  int rc = grow_block(&set->arena, &p, &c->cap, c->nevents, n, sizeof *c->events);
  c->events = p;
  return rc;
}

int case_add_event(ehcp_case_set *set, struct ehcp_case *c, const struct event *ev) {
  if (c->nevents == c->cap && case_reserve_events(set, c, 1) != EHCP_OK)
    return EHCP_ERR_NOMEM;
  /* Insertion sort by date: events mostly arrive in order, so this is
   * usually one comparison; equal dates keep their order of arrival. */
  uint32_t i = c->nevents++;
  while (i > 0 && c->events[i - 1].date > ev->date) {
    c->events[i] = c->events[i - 1];
    i--;
  }
  c->events[i] = *ev;
  return EHCP_OK;
}

int case_reserve_attributes(ehcp_case_set *set, struct ehcp_case *c, uint32_t n) {
  void *p = c->attrs;
  int rc = grow_block(&set->arena, &p, &c->acap, c->nattrs, n, sizeof *c->attrs);
  c->attrs = p;
  return rc;
}

int case_set_attribute(ehcp_case_set *set, struct ehcp_case *c, uint32_t name, uint32_t value) {
  for (uint32_t i = 0; i < c->nattrs; i++) {
    if (c->attrs[i].name == name) {
      c->attrs[i].value = value;
      return EHCP_OK;
    }
  }
  if (c->nattrs == c->acap && case_reserve_attributes(set, c, 1) != EHCP_OK)
    return EHCP_ERR_NOMEM;
  c->attrs[c->nattrs++] = (struct attribute){name, value};
  return EHCP_OK;
}

int ehcp_case_set_add_event_at(ehcp_case_set *set, const char *case_id, int type, ehcp_date date,
                               const char *detail, ehcp_date end_date, const char *ref,
                               uint32_t line) {
  if (!set)
    return EHCP_ERR_INVALID;
  if (!case_id || !*case_id)
    return fail(set, EHCP_ERR_INVALID, "empty case id");
  if (!ehcp_event_type_name(type))
    return fail(set, EHCP_ERR_INVALID, "unknown event type %d", type);
  if (date < EHCP_DATE_MIN || date > EHCP_DATE_MAX)
    return fail(set, EHCP_ERR_INVALID, "%s: invalid date", type_names[type]);
  if (end_date != EHCP_DATE_NONE && (end_date < EHCP_DATE_MIN || end_date > EHCP_DATE_MAX))
    return fail(set, EHCP_ERR_INVALID, "%s: invalid end date", type_names[type]);
  /* One look-up of the detail serves both the check and the event. */
  int detail_index = type == EHCP_EV_PLAN_CEASED ? 0 : event_detail_index(type, detail);
  int has_detail = detail && *detail;
  if (type != EHCP_EV_PLAN_CEASED &&
      (has_detail ? !detail_index : event_detail_required(type))) {
    const char *const *words;
    int n = event_detail_vocabulary(type, &words);
    if (!n)
      return fail(set, EHCP_ERR_INVALID, "%s takes no detail, got '%s'", type_names[type], detail);
    char list[160] = "";
    for (int i = 0; i < n; i++)
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", words[i]);
    if (!detail || !*detail)
      return fail(set, EHCP_ERR_INVALID, "%s needs a detail (%s)", type_names[type], list);
    return fail(set, EHCP_ERR_INVALID, "unknown %s detail '%s' (expected %s)", type_names[type],
                detail, list);
  }

  int rc = EHCP_OK;
  struct event ev = {.date = date,
                     .end = end_date,
                     .type = (uint8_t)type,
                     .detail = (uint8_t)detail_index,
                     .source = set->current_source,
                     .line = line};
  ev.ref = intern(set, ref, &rc);
  if (type == EHCP_EV_PLAN_CEASED)
    ev.text = intern(set, detail, &rc);
  struct ehcp_case *c = rc == EHCP_OK ? find_or_add_case(set, case_id) : NULL;
  if (!c || case_add_event(set, c, &ev) != EHCP_OK)
    return fail(set, EHCP_ERR_NOMEM, "out of memory");
  return EHCP_OK;
}

int ehcp_case_set_add_event(ehcp_case_set *set, const char *case_id, int type, ehcp_date date,
                            const char *detail, ehcp_date end_date, const char *ref) {
  return ehcp_case_set_add_event_at(set, case_id, type, date, detail, end_date, ref, 0);
}

int ehcp_case_set_set_attribute(ehcp_case_set *set, const char *case_id, const char *name,
                                const char *value) {
  if (!set || !name || !*name)
    return EHCP_ERR_INVALID;
  if (!case_id || !*case_id)
    return fail(set, EHCP_ERR_INVALID, "empty case id");
  int rc = EHCP_OK;
  uint32_t n = intern(set, name, &rc), v = intern(set, value, &rc);
  struct ehcp_case *c = rc == EHCP_OK ? find_or_add_case(set, case_id) : NULL;
  if (!c || case_set_attribute(set, c, n, v) != EHCP_OK)
    return fail(set, EHCP_ERR_NOMEM, "out of memory");
  return EHCP_OK;
}

size_t ehcp_case_set_count(const ehcp_case_set *set) { return set ? set->ncases : 0; }

const ehcp_case *ehcp_case_set_get(const ehcp_case_set *set, size_t index) {
  return set && index < set->ncases ? set->cases[index] : NULL;
}

struct ehcp_case *case_set_find(const ehcp_case_set *set, const char *id, size_t len,
                               uint32_t hash) {
  if (!set->by_id.cap)
    return NULL;
  uint32_t i = set->by_id.slots[index_probe(&set->by_id, id, len, hash, same_id, set)].id;
  return i ? set->cases[i - 1] : NULL;
}

const ehcp_case *ehcp_case_set_find(const ehcp_case_set *set, const char *case_id) {
  if (!set || !case_id)
    return NULL;
  size_t len = strlen(case_id);
  return case_set_find(set, case_id, len, index_hash(case_id, len));
}

/* ---- reading a case ------------------------------------------------------ */

const char *ehcp_case_id(const ehcp_case *c) { return c->id; }

size_t ehcp_case_event_count(const ehcp_case *c) { return c->nevents; }

int ehcp_case_event(int *type, ehcp_date *date, const char **detail, ehcp_date *end_date,
                    const char **ref, const ehcp_case *c, size_t index) {
  if (index >= c->nevents)
    return EHCP_ERR_NOT_FOUND;
  const struct event *e = &c->events[index];
  if (type)
    *type = e->type;
  if (date)
    *date = e->date;
  if (detail) {
    const char *const *words;
    event_detail_vocabulary(e->type, &words);
    *detail = e->text ? case_string(c, e->text) : e->detail ? words[e->detail - 1] : NULL;
  }
  if (end_date)
    *end_date = e->end;
  if (ref)
    *ref = case_string(c, e->ref);
  return EHCP_OK;
}

int ehcp_case_event_source(const char **source, uint32_t *line, const ehcp_case *c,
                           size_t index) {
  if (index >= c->nevents)
    return EHCP_ERR_NOT_FOUND;
  const struct event *e = &c->events[index];
  if (source)
    *source = e->source ? c->set->sources[e->source - 1] : NULL;
  if (line)
    *line = e->line;
  return EHCP_OK;
}

const char *ehcp_case_attribute(const ehcp_case *c, const char *name) {
  for (uint32_t i = 0; name && i < c->nattrs; i++)
    if (strcmp(c->set->strings.text[c->attrs[i].name], name) == 0)
      return case_string(c, c->attrs[i].value);
  return NULL;
}

size_t ehcp_case_attribute_count(const ehcp_case *c) { return c->nattrs; }

int ehcp_case_attribute_at(const char **name, const char **value, const ehcp_case *c,
                           size_t index) {
  if (index >= c->nattrs)
    return EHCP_ERR_NOT_FOUND;
  if (name)
    *name = c->set->strings.text[c->attrs[index].name];
  if (value)
    *value = case_string(c, c->attrs[index].value);
  return EHCP_OK;
}
