/* A growable list of named closures [first, last] (inclusive day ranges).
 * Shared by the calendar builder and the .ics loader; private to lib/. */
#ifndef EHCP_LIB_CLOSURES_H
#define EHCP_LIB_CLOSURES_H

#include "ehcp/calendar.h"

struct closure {
  ehcp_date first, last; /* inclusive */
  char *name;            /* owned */
  int kind;              /* enum ehcp_closure_kind */
};

struct closure_list {
  struct closure *items;
  size_t len, cap;
};

/* Append a copy of name (NULL -> "Closure"). Returns EHCP_OK or EHCP_ERR_NOMEM
 * (list unchanged). */
int closure_list_add(struct closure_list *list, ehcp_date first, ehcp_date last,
                     const char *name, int kind);
/* Move every item of src to the end of dst; src is left empty. */
int closure_list_append(struct closure_list *dst, struct closure_list *src);
/* Free the names and the array; the list is left empty and reusable. */
void closure_list_clear(struct closure_list *list);

#endif
