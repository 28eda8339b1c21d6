/* The representation of cases and case sets, shared by case.c, the
 * evaluator and validation. Private to lib/. */
#ifndef EHCP_LIB_CASE_INTERNAL_H
#define EHCP_LIB_CASE_INTERNAL_H

#include "ehcp/case.h"

#include "arena.h"
#include "hash.h" /* for the files that include this one and use uthash */
#include "intern.h"

#include <stddef.h>

/* One dated event: 24 bytes, kept in date order inside its case. */
struct event {
  ehcp_date date;
  ehcp_date end;    /* exceptions: last day (inclusive), else EHCP_DATE_NONE */
  uint8_t type;     /* enum ehcp_event_type */
  uint8_t detail;   /* 1-based index in the type's vocabulary, 0 = none */
  uint16_t source;  /* index into set->sources + 1, 0 = unknown */
  uint32_t ref;     /* interned string id, 0 = none */
  uint32_t text;    /* interned free-text detail (plan_ceased reason), 0 = none */
  uint32_t line;    /* source line, 0 = unknown */
};

struct attribute {
  uint32_t name, value; /* interned string ids */
};

struct ehcp_case {
  char *id;
  uint32_t id_len;
  const struct ehcp_case_set *set; /* for string look-ups */
  struct event *events;            /* in the set's arena */
  uint32_t nevents, cap;
  struct attribute *attrs;         /* in the set's arena */
  uint32_t nattrs, acap;
};

struct ehcp_case_set {
  struct ehcp_case **cases; /* in order first seen */
  size_t ncases, cap;
  struct index by_id;       /* case ids -> index in cases + 1 */
  struct ehcp_case *last;   /* the case found last: rows of one case come together */
  uint64_t serial;          /* unique per set made in this process (caches key on it,
                               as a freed set's address may come back) */
  struct arena arena;       /* cases, their ids, events and attributes, strings */
  struct string_table strings; /* refs, attribute names and values, free texts */
  char **sources;
  uint16_t nsources, current_source; /* current_source: index + 1, 0 = none */
  char errmsg[256];
};

/* Text of interned string id (NULL for 0). */
static inline const char *case_string(const struct ehcp_case *c, uint32_t id) {
  return id ? c->set->strings.text[id] : NULL;
}

/* Detail indexes the engine tests often, fixed by the vocabulary tables in
 * case.c (test_case checks they agree). */
enum { DETAIL_YES = 1, DETAIL_NO = 2, DETAIL_WITHDRAWN = 3 };
enum { ADVISER_EDUCATION = 1, ADVISER_EARLY_YEARS = 2 };
enum { REVIEW_MAINTAIN = 1, REVIEW_AMEND = 2, REVIEW_CEASE = 3 };

/* Vocabulary of a type's details: detail index i (1-based) is words[i - 1].
 * Returns the number of words (0 for types without a vocabulary). */
int event_detail_vocabulary(int type, const char *const **words);
/* Whether a detail is required for the type. */
int event_detail_required(int type);

/* Detail index of word in the type's vocabulary (1-based), or 0 if absent. */
int event_detail_index(int type, const char *word);
/* The same for word[0..len) (no NUL inside; 0 for len 0). */
int event_detail_index_n(int type, const char *word, size_t len);

/* ---- building cases fast (the readers) ----------------------------------
 * The public ehcp_case_set_add_event() checks its arguments and finds the
 * case by id for every event; a reader that has already checked a row and
 * holds its case uses these instead. */

/* The case of id[0..len) (no NUL inside), added if new; NULL when out of
 * memory. The _hashed form takes hash = index_hash(id, len) worked out
 * beforehand (and its slot perhaps prefetched with index_prefetch). */
struct ehcp_case *case_set_case(ehcp_case_set *set, const char *id, size_t len);
struct ehcp_case *case_set_case_hashed(ehcp_case_set *set, const char *id, size_t len,
                                       uint32_t hash);

/* The case of id[0..len) (hash index_hash(id, len)), or NULL. */
struct ehcp_case *case_set_find(const ehcp_case_set *set, const char *id, size_t len,
                               uint32_t hash);

/* Start fetching the index slot of case id[0..len): a hint for a reader
 * that sees the next row's case coming. */
void case_set_prefetch(const ehcp_case_set *set, const char *id, size_t len);

/* A hint from a reader that about cases more cases and strings more
 * strings are coming: the indexes are sized once instead of growing (and
 * rehashing) as they fill. EHCP_OK or EHCP_ERR_NOMEM. */
int case_set_expect(ehcp_case_set *set, size_t cases, size_t strings);

/* Room for n more events in c: one allocation for a row's events. */
int case_reserve_events(ehcp_case_set *set, struct ehcp_case *c, uint32_t n);

/* Add a checked event to c, keeping date order (ties in arrival order). */
int case_add_event(ehcp_case_set *set, struct ehcp_case *c, const struct event *ev);

/* Room for n more attributes in c. */
int case_reserve_attributes(ehcp_case_set *set, struct ehcp_case *c, uint32_t n);

/* Set attribute name (an interned id, not 0) of c to value (id, 0 = empty). */
int case_set_attribute(ehcp_case_set *set, struct ehcp_case *c, uint32_t name, uint32_t value);

/* Interned id of text[0..len) (added if new; 0 for len 0 or out of memory,
 * which sets *rc), and the id of an already interned text (0 if none). */
uint32_t case_set_intern(ehcp_case_set *set, const char *text, size_t len, int *rc);
uint32_t case_set_string_id(const ehcp_case_set *set, const char *text, size_t len);
/* case_set_intern() with hash = index_hash(text, len) worked out beforehand. */
uint32_t case_set_intern_hashed(ehcp_case_set *set, const char *text, size_t len, uint32_t hash,
                                int *rc);

#endif
