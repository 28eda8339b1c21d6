/* Allocation-failure testing for the unit tests: on glibc (not under ASan,
 * which owns malloc) a test that includes this header replaces the
 * allocator, so that setting chaos_fail_at = n makes the n-th allocation
 * fail, and chaos_live counts live blocks: a leak on an error path shows
 * without valgrind. CHAOS is defined when the replacement is in force.
 * Include it in exactly one file of a test program. */
#ifndef EHCP_TEST_CHAOS_H
#define EHCP_TEST_CHAOS_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define NO_CHAOS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_CHAOS 1
#endif
#endif
#if defined(__GLIBC__) && !defined(NO_CHAOS)
#define CHAOS 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static long chaos_fail_at; /* 0: never fail */
static long chaos_count, chaos_live;

static int chaos_fails(void) { return chaos_fail_at && ++chaos_count == chaos_fail_at; }

void *malloc(size_t n) {
  void *p = chaos_fails() ? NULL : __libc_malloc(n);
  chaos_live += p != NULL;
  return p;
}

void *calloc(size_t n, size_t size) {
  void *p = chaos_fails() ? NULL : __libc_calloc(n, size);
  chaos_live += p != NULL;
  return p;
}

void *realloc(void *old, size_t n) {
  if (old && n == 0) {
    chaos_live--;
    return __libc_realloc(old, 0);
  }
  void *p = chaos_fails() ? NULL : __libc_realloc(old, n);
  chaos_live += !old && p;
  return p;
}

void free(void *p) {
  chaos_live -= p != NULL;
  __libc_free(p);
}
#endif

#endif
