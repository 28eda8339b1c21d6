#include "closures.h"

#include <stdlib.h>
#include <string.h>

static int closure_list_reserve(struct closure_list *list, size_t extra) {
  if (list->len + extra <= list->cap)
    return EHCP_OK;
  size_t cap = list->cap ? list->cap : 16;
  while (cap < list->len + extra)
    cap *= 2;
  struct closure *items = realloc(list->items, cap * sizeof *items);
  if (!items)
    return EHCP_ERR_NOMEM;
  list->items = items;
  list->cap = cap;
  return EHCP_OK;
}

int closure_list_add(struct closure_list *list, ehcp_date first, ehcp_date last,
                     const char *name, int kind) {
  if (closure_list_reserve(list, 1) != EHCP_OK)
    return EHCP_ERR_NOMEM;
  char *copy = strdup(name ? name : "Closure");
  if (!copy)
    return EHCP_ERR_NOMEM;
  list->items[list->len++] = (struct closure){first, last, copy, kind};
  return EHCP_OK;
}

int closure_list_append(struct closure_list *dst, struct closure_list *src) {
  if (closure_list_reserve(dst, src->len) != EHCP_OK)
    return EHCP_ERR_NOMEM;
  if (src->len)
    memcpy(dst->items + dst->len, src->items, src->len * sizeof *src->items);
  dst->len += src->len;
  src->len = 0;
  return EHCP_OK;
}

void closure_list_clear(struct closure_list *list) {
  for (size_t i = 0; i < list->len; i++)
    free(list->items[i].name);
  free(list->items);
  *list = (struct closure_list){0};
}
