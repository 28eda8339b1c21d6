/* Interned strings: each distinct text stored once (in an arena) and named
 * by a small id, so events and attributes carry 4-byte ids instead of
 * pointers and equal texts compare as equal ids. Id 0 is "no string".
 * Private to lib/. */
#ifndef EHCP_LIB_INTERN_H
#define EHCP_LIB_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "index.h"

struct string_table {
  struct index index;
  char **text;          /* text[id] (NUL-terminated, its length in the 4
                           bytes before it), text[0] = NULL */
  uint32_t n, text_cap; /* ids in use (counting 0), room in text */
};

/* Id of s[0..len), storing a copy in the arena if it is new; 0 for len 0,
 * or on allocation failure with *rc = EHCP_ERR_NOMEM. s must not contain
 * NUL bytes. */
uint32_t strings_intern(struct string_table *t, struct arena *a, const char *s, size_t len,
                        int *rc);

/* The same, with h = index_hash(s, len) worked out (and perhaps its slot
 * prefetched, see strings_prefetch) beforehand. */
uint32_t strings_intern_hashed(struct string_table *t, struct arena *a, const char *s, size_t len,
                               uint32_t h, int *rc);

static inline void strings_prefetch(const struct string_table *t, uint32_t h) {
  index_prefetch(&t->index, h);
}

/* Id of s[0..len) if interned, else 0. */
uint32_t strings_find(const struct string_table *t, const char *s, size_t len);

void strings_free(struct string_table *t);

#endif
