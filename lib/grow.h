/* Growing a heap array one item at a time, doubling when full: the one
 * helper for the library's many small arrays. Private to lib/. */
#ifndef EHCP_LIB_GROW_H
#define EHCP_LIB_GROW_H

#include <stdint.h>
#include <stdlib.h>

#include "ehcp/common.h"

/* Make room for one more item in *items (an array of *cap items of size
 * bytes, len of them in use): when full, double it (to first items if
 * empty). EHCP_OK, or EHCP_ERR_NOMEM with the array unchanged. Callers
 * pass a void * copy of their typed pointer and store it back. */
static inline int array_grow(void **items, size_t *cap, size_t len, size_t size, size_t first) {
  if (len < *cap)
    return EHCP_OK;
  size_t ncap = *cap ? *cap * 2 : first;
  if (ncap > SIZE_MAX / size)
    return EHCP_ERR_NOMEM;
  void *p = realloc(*items, ncap * size);
  if (!p)
    return EHCP_ERR_NOMEM;
  *items = p;
  *cap = ncap;
  return EHCP_OK;
}

#endif
