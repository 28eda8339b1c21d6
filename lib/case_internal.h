/* The representation of cases and case sets, shared by case.c, the
 * evaluator and validation. Private to lib/. */
#ifndef EHCP_LIB_CASE_INTERNAL_H
#define EHCP_LIB_CASE_INTERNAL_H

#include "ehcp/case.h"

#include "hash.h"

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
  const struct ehcp_case_set *set; /* for string look-ups */
  struct event *events;
  uint32_t nevents, cap;
  struct attribute *attrs;
  uint32_t nattrs, acap;
  UT_hash_handle hh;
};

/* Interned strings: id -> text, and a hash from text to id. Id 0 is "no
 * string". */
struct interned {
  char *text;
  uint32_t id;
  UT_hash_handle hh;
};

/* Cases and their ids live in chunks freed all at once with the set: a
 * million cases then cost a few hundred allocations, not two million. */
struct arena_chunk {
  struct arena_chunk *next;
  size_t used, size;
  _Alignas(max_align_t) unsigned char data[];
};

#define STRING_CACHE 256 /* direct-mapped cache of recently interned strings */

struct ehcp_case_set {
  struct ehcp_case **cases; /* in order first seen */
  size_t ncases, cap;
  struct ehcp_case *by_id;  /* uthash on id */
  struct ehcp_case *last;   /* the case found last: rows of one case come together */
  uint64_t serial;          /* unique per set made in this process (caches key on it,
                               as a freed set's address may come back) */
  struct arena_chunk *arena;
  uint32_t string_cache[STRING_CACHE]; /* string ids by a cheap hash of the text */
  struct interned *strings_by_text;
  char **strings;           /* strings[id], strings[0] = NULL */
  uint32_t nstrings, scap;
  char **sources;
  uint16_t nsources, current_source; /* current_source: index + 1, 0 = none */
  char errmsg[256];
};

/* Text of interned string id (NULL for 0). */
static inline const char *case_string(const struct ehcp_case *c, uint32_t id) {
  return id ? c->set->strings[id] : NULL;
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

#endif
