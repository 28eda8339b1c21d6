/* The bump allocator of arena.h. */
/* MADV_HUGEPAGE (Linux, outside POSIX); see big_alloc(). */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE
#endif

#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

struct arena_chunk {
  struct arena_chunk *next;
  size_t used, size;
  alignas(max_align_t) unsigned char data[];
};

enum { FIRST_CHUNK = 16 << 10, LARGEST_CHUNK = 32 << 20, HUGE_PAGE = 2 << 20 };

void *big_alloc(size_t bytes, int zero) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes >= HUGE_PAGE) {
    void *p;
    if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
      return NULL;
    madvise(p, bytes, MADV_HUGEPAGE);
    if (zero)
      memset(p, 0, bytes);
    return p;
  }
#endif
  return zero ? calloc(1, bytes) : malloc(bytes);
}

void *arena_alloc(struct arena *a, size_t size, size_t align) {
  struct arena_chunk *c = a->head;
  size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;
  if (!c || at > c->size || c->size - at < size) {
    /* Chunks (header included) double up to 32 MB: a small set stays
     * small, a big one makes few calls to malloc and fills whole pages. */
    size_t bytes = a->next_size ? a->next_size : FIRST_CHUNK;
    if (bytes < LARGEST_CHUNK)
      a->next_size = bytes * 2;
    if (size > SIZE_MAX - sizeof *c)
      return NULL;
    if (size > bytes - sizeof *c)
      bytes = sizeof *c + size;
    c = malloc(bytes);
    if (!c)
      return NULL;
    size_t chunk = bytes - sizeof *c;
    c->next = a->head, c->used = 0, c->size = chunk;
    a->head = c;
    at = 0;
  }
  c->used = at + size;
  return c->data + at;
}

int arena_extend(struct arena *a, const void *p, size_t old_size, size_t new_size) {
  struct arena_chunk *c = a->head;
  if (!c || (const unsigned char *)p + old_size != c->data + c->used)
    return 0;
  size_t start = (size_t)((const unsigned char *)p - c->data);
  if (new_size > c->size - start)
    return 0;
  c->used = start + new_size;
  return 1;
}

void arena_free(struct arena *a) {
  while (a->head) {
    struct arena_chunk *next = a->head->next;
    free(a->head);
    a->head = next;
  }
  a->next_size = 0;
}
