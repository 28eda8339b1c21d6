/* The string table of intern.h. */
#include "intern.h"

#include <string.h>

#include "ehcp/common.h"

static uint32_t length_of(const char *text) {
  uint32_t len;
  memcpy(&len, text - sizeof len, sizeof len);
  return len;
}

static int same_text(const void *table, uint32_t id, const char *s, size_t len) {
  const char *have = ((const struct string_table *)table)->text[id];
  return length_of(have) == len && memcmp(have, s, len) == 0;
}

uint32_t strings_find(const struct string_table *t, const char *s, size_t len) {
  if (!len || !t->index.cap)
    return 0;
  size_t k = index_probe(&t->index, s, len, index_hash(s, len), same_text, t);
  return t->index.slots[k].id;
}

uint32_t strings_intern(struct string_table *t, struct arena *a, const char *s, size_t len,
                        int *rc) {
  return len ? strings_intern_hashed(t, a, s, len, index_hash(s, len), rc) : 0;
}

uint32_t strings_intern_hashed(struct string_table *t, struct arena *a, const char *s, size_t len,
                               uint32_t h, int *rc) {
  if (!len)
    return 0;
  if (len > UINT32_MAX - 8 || index_reserve(&t->index))
    return *rc = EHCP_ERR_NOMEM, 0;
  size_t k = index_probe(&t->index, s, len, h, same_text, t);
  if (t->index.slots[k].id)
    return t->index.slots[k].id;
  if (!t->n)
    t->n = 1; /* id 0 is "no string" */
  if (t->n == UINT32_MAX)
    return *rc = EHCP_ERR_NOMEM, 0;
  if (t->n >= t->text_cap) {
    uint32_t cap = t->text_cap > UINT32_MAX / 2 ? UINT32_MAX : t->text_cap ? t->text_cap * 2 : 256;
    char **grown = realloc(t->text, (size_t)cap * sizeof *grown);
    if (!grown)
      return *rc = EHCP_ERR_NOMEM, 0;
    grown[0] = NULL;
    t->text = grown;
    t->text_cap = cap;
  }
  uint32_t len32 = (uint32_t)len;
  char *copy = arena_alloc(a, sizeof len32 + len + 1, 1);
  if (!copy)
    return *rc = EHCP_ERR_NOMEM, 0;
  memcpy(copy, &len32, sizeof len32);
  copy += sizeof len32;
  memcpy(copy, s, len);
  copy[len] = '\0';
  t->text[t->n] = copy;
  t->index.slots[k] = (struct index_slot){h, t->n};
  t->index.n++;
  return t->n++;
}

void strings_free(struct string_table *t) {
  index_free(&t->index);
  free(t->text);
  *t = (struct string_table){0};
}
