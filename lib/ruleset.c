/* Rule sets: creation from the built-in sets, conventions, accessors.
 * Reading INI files is in ruleset_file.c; the built-in sets are the INI
 * files of rules/, compiled in by lib/embed_text.py. */
#include "ruleset_internal.h"

#include "grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char builtin_england_2014[];
extern const size_t builtin_england_2014_len;

static const struct builtin {
  const char *name;
  const char *text;
  const size_t *len;
} builtins[] = {
    {"england-2014", builtin_england_2014, &builtin_england_2014_len},
};

int ruleset_builtin(struct ehcp_ruleset *rs, const char *name) {
  for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++)
    if (strcmp(builtins[i].name, name) == 0)
      return ehcp_ruleset_load_string(rs, builtins[i].text, *builtins[i].len, builtins[i].name);
  return EHCP_ERR_NOT_FOUND;
}

static void set_defaults(struct ehcp_ruleset *rs) {
  rs->week_counting = WEEKS_T0_PLUS_7N;
  rs->review_clock = REVIEW_CLOCK_DECISION;
  rs->window_end_inclusive = true;
  rs->region = EHCP_REGION_ENGLAND_AND_WALES;
}

int ehcp_ruleset_new(ehcp_ruleset **out, const char *base) {
  if (!out)
    return EHCP_ERR_INVALID;
  ehcp_ruleset *rs = calloc(1, sizeof *rs);
  if (!rs)
    return EHCP_ERR_NOMEM;
  set_defaults(rs);
  if (base && *base) {
    int rc = ruleset_builtin(rs, base);
    if (rc != EHCP_OK) {
      ehcp_ruleset_free(rs);
      return rc;
    }
  }
  *out = rs;
  return EHCP_OK;
}

void ehcp_ruleset_free(ehcp_ruleset *rs) {
  if (!rs)
    return;
  free(rs->m);
  free(rs);
}

const char *ehcp_ruleset_errmsg(const ehcp_ruleset *rs) { return rs ? rs->errmsg : ""; }

int ruleset_put(struct ehcp_ruleset *rs, const struct milestone *m) {
  for (size_t i = 0; i < rs->n; i++) {
    if (strcmp(rs->m[i].id, m->id) == 0) {
      rs->m[i] = *m;
      return EHCP_OK;
    }
  }
  void *p = rs->m;
  int rc = array_grow(&p, &rs->cap, rs->n, sizeof *rs->m, 16);
  rs->m = p;
  if (rc != EHCP_OK)
    return rc;
  rs->m[rs->n++] = *m;
  return EHCP_OK;
}

/* The conventions: option name, its values (index = enum value), and where
 * it lives. */
static const char *const week_values[] = {"t0_plus_7n", "t0_day1", NULL};
static const char *const clock_values[] = {"decision", "meeting", NULL};
static const char *const window_values[] = {"exclusive", "inclusive", NULL};

static int value_index(const char *const *values, const char *value) {
  for (int i = 0; values[i]; i++)
    if (strcmp(values[i], value) == 0)
      return i;
  return -1;
}

int ehcp_ruleset_set_option(ehcp_ruleset *rs, const char *option, const char *value) {
  if (!rs || !option || !value)
    return EHCP_ERR_INVALID;
  int i;
  if (strcmp(option, "week_counting") == 0 && (i = value_index(week_values, value)) >= 0)
    rs->week_counting = (enum week_counting)i;
  else if (strcmp(option, "review_clock") == 0 && (i = value_index(clock_values, value)) >= 0)
    rs->review_clock = (enum review_clock)i;
  else if (strcmp(option, "closure_window_end") == 0 &&
           (i = value_index(window_values, value)) >= 0)
    rs->window_end_inclusive = i == 1;
  else if (strcmp(option, "region") == 0 && ehcp_region_from_name(&i, value) == EHCP_OK)
    rs->region = i;
  else {
    snprintf(rs->errmsg, sizeof rs->errmsg, "unknown option or value: %s = %s", option, value);
    return EHCP_ERR_INVALID;
  }
  return EHCP_OK;
}

const char *ehcp_ruleset_option(const ehcp_ruleset *rs, const char *option) {
  if (!rs || !option)
    return NULL;
  if (strcmp(option, "week_counting") == 0)
    return week_values[rs->week_counting];
  if (strcmp(option, "review_clock") == 0)
    return clock_values[rs->review_clock];
  if (strcmp(option, "closure_window_end") == 0)
    return window_values[rs->window_end_inclusive];
  if (strcmp(option, "region") == 0)
    return ehcp_region_name(rs->region);
  return NULL;
}

const char *ehcp_ruleset_name(const ehcp_ruleset *rs) { return rs->name; }

int ehcp_ruleset_region(const ehcp_ruleset *rs) { return rs->region; }

size_t ehcp_ruleset_count(const ehcp_ruleset *rs) { return rs->n; }

int ehcp_ruleset_milestone(const char **id, const char **name, int *statutory,
                           const ehcp_ruleset *rs, size_t index) {
  if (index >= rs->n)
    return EHCP_ERR_NOT_FOUND;
  if (id)
    *id = rs->m[index].id;
  if (name)
    *name = rs->m[index].name;
  if (statutory)
    *statutory = rs->m[index].statutory;
  return EHCP_OK;
}

int ehcp_ruleset_milestone_text(const char **label, const char **source, const ehcp_ruleset *rs,
                                size_t index) {
  if (index >= rs->n)
    return EHCP_ERR_NOT_FOUND;
  if (label)
    *label = rs->m[index].label;
  if (source)
    *source = rs->m[index].source;
  return EHCP_OK;
}

int ehcp_ruleset_find(size_t *index, const ehcp_ruleset *rs, const char *id) {
  for (size_t i = 0; id && i < rs->n; i++) {
    if (strcmp(rs->m[i].id, id) == 0) {
      if (index)
        *index = i;
      return EHCP_OK;
    }
  }
  return EHCP_ERR_NOT_FOUND;
}
