/* An open-addressing hash index from texts to small ids, for the case set
 * (case ids) and its strings. A slot is 8 bytes (the text's hash and its
 * id), so a look-up touches one cache line of the slot array in the usual
 * case and reads the text itself only when the hashes agree; growing
 * rehashes the slot array alone, never the texts. (uthash, used first,
 * walks bucket chains through the objects and rehashes by visiting every
 * one: with a million cases those cache misses were most of the time of a
 * read.) The caller keeps the texts: `same(ctx, id, s, len)` says whether
 * the text of id is s[0..len). Private to lib/. */
#ifndef EHCP_LIB_INDEX_H
#define EHCP_LIB_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h" /* big_alloc() */

struct index_slot {
  uint32_t hash, id; /* id 0: empty */
};

struct index {
  struct index_slot *slots;
  size_t cap; /* a power of two, kept at most half full */
  size_t n;
};

/* Hash of s[0..len): FNV-1a, then a multiply to spread the bits the mask
 * keeps. */
static inline uint32_t index_hash(const char *s, size_t len) {
  uint64_t h = 0xcbf29ce484222325u;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
  h ^= h >> 32;
  return (uint32_t)((h * 0x9e3779b97f4a7c15u) >> 32);
}

typedef int index_same_fn(const void *ctx, uint32_t id, const char *s, size_t len);

/* The slot of s[0..len) (hash h): its own, or the empty one where it would
 * go. The index must have room (cap > 0). */
static inline size_t index_probe(const struct index *x, const char *s, size_t len, uint32_t h,
                                 index_same_fn *same, const void *ctx) {
  size_t mask = x->cap - 1, k = h & mask;
  for (; x->slots[k].id; k = (k + 1) & mask)
    if (x->slots[k].hash == h && same(ctx, x->slots[k].id, s, len))
      break;
  return k;
}

/* Start fetching the slot of hash h: a big index is not in the caches, and
 * a reader has a row's cells to check meanwhile. */
static inline void index_prefetch(const struct index *x, uint32_t h) {
#if defined(__GNUC__)
  if (x->cap)
    __builtin_prefetch(&x->slots[h & (x->cap - 1)]);
#else
  (void)x, (void)h;
#endif
}

/* Make room for n more entries: 0, or -1 when out of memory. */
static inline int index_reserve_n(struct index *x, size_t n) {
  if (n > SIZE_MAX / 4 - x->n)
    return -1;
  if ((x->n + n) * 2 <= x->cap)
    return 0;
  size_t cap = x->cap ? x->cap * 2 : 256;
  while (cap < (x->n + n) * 2)
    cap *= 2;
  if (cap > SIZE_MAX / sizeof(struct index_slot))
    return -1;
  struct index_slot *slots = big_alloc(cap * sizeof *slots, 1);
  if (!slots)
    return -1;
  for (size_t i = 0; i < x->cap; i++) {
    if (!x->slots[i].id)
      continue;
    size_t k = x->slots[i].hash & (cap - 1);
    while (slots[k].id)
      k = (k + 1) & (cap - 1);
    slots[k] = x->slots[i];
  }
  free(x->slots);
  x->slots = slots;
  x->cap = cap;
  return 0;
}

static inline int index_reserve(struct index *x) { return index_reserve_n(x, 1); }

static inline void index_free(struct index *x) {
  free(x->slots);
  *x = (struct index){0};
}

#endif
