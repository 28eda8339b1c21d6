/* A bump allocator: many small objects freed all at once. The case set
 * keeps its cases, their events and attributes and its strings in one, so
 * a million cases cost a few hundred allocations instead of millions, and
 * freeing the set frees a handful of chunks. Private to lib/. */
#ifndef EHCP_LIB_ARENA_H
#define EHCP_LIB_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
  struct arena_chunk *head; /* the chunk allocations come from; older ones follow */
  size_t next_size;         /* size of the next chunk: grows with the arena */
};

/* size bytes aligned to align (a power of two, at most that of
 * max_align_t), or NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t size, size_t align);

/* Grow the block p of old_size bytes (the arena's latest allocation) to
 * new_size in place when the chunk has room: returns 1 if it did, else 0
 * (the caller then allocates anew and copies). A block that is not the
 * latest is never grown. */
int arena_extend(struct arena *a, const void *p, size_t old_size, size_t new_size);

void arena_free(struct arena *a);

/* bytes of memory (released with free()), zeroed if zero is set, in 2 MB
 * pages on Linux when it is big (a hint; without them it is the same
 * memory). For the big tables probed at random (the indexes): with 4 KB
 * pages nearly every probe of a big table also misses the TLB. Not for
 * memory filled in order (the arena's chunks): there the kernel's work to
 * find and clear 2 MB pages cost more than it saved. */
void *big_alloc(size_t bytes, int zero);

#endif
