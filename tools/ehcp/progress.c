#include "progress.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Nothing is drawn before this many seconds: a quick run stays silent. */
#define FIRST_DRAW 0.5
#define TICK_NS 250000000L

struct progress {
  char what[48];
  enum progress_unit unit;
  uint64_t total;
  _Atomic uint64_t done;
  struct timespec start;
  pthread_t ticker;
  pthread_mutex_t lock; /* stderr writes and `stop` */
  pthread_cond_t wake;
  int stop, drawn;
};

static double seconds_since(const struct timespec *t0) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* "12.3 MB" style amounts, decimal units. */
static void amount(char *buf, size_t size, double v, enum progress_unit unit) {
  if (unit == PROGRESS_CASES) {
    snprintf(buf, size, "%.0f", v);
    return;
  }
  static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (v >= 1000 && u < 4)
    v /= 1000, u++;
  snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void duration(char *buf, size_t size, double s) {
  if (s < 0 || s > 360000)
    s = 0;
  long t = (long)(s + 0.5);
  if (t >= 3600)
    snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else
    snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

/* Draw the line; the caller holds the lock. */
static void draw(struct progress *p) {
  double el = seconds_since(&p->start);
  if (el < FIRST_DRAW)
    return;
  uint64_t done = atomic_load(&p->done);
  char d[32], t[32], rate[32], left[32], elapsed[32];
  amount(d, sizeof d, (double)done, p->unit);
  amount(t, sizeof t, (double)p->total, p->unit);
  amount(rate, sizeof rate, el > 0 ? (double)done / el : 0, p->unit);
  duration(elapsed, sizeof elapsed, el);
  const char *unit = p->unit == PROGRESS_CASES ? " cases" : "";
  char line[256];
  if (p->total > 0 && done > 0) {
    double r = (double)done / el;
    duration(left, sizeof left, done >= p->total ? 0 : (double)(p->total - done) / r);
    snprintf(line, sizeof line, "%s: %s of %s%s (%.0f%%), %s%s/s, %s left", p->what, d, t, unit,
             100.0 * (double)done / (double)p->total, rate,
             p->unit == PROGRESS_CASES ? " cases" : "", left);
  } else if (p->total > 0) {
    snprintf(line, sizeof line, "%s: 0 of %s%s, %s elapsed", p->what, t, unit, elapsed);
  } else {
    snprintf(line, sizeof line, "%s: %s%s, %s%s/s, %s elapsed", p->what, d, unit, rate,
             p->unit == PROGRESS_CASES ? " cases" : "", elapsed);
  }
  /* \r to the start, the text, then erase whatever a longer line left. */
  fprintf(stderr, "\r%s\033[K", line);
  fflush(stderr);
  p->drawn = 1;
}

static void clear(struct progress *p) {
  if (p->drawn) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->drawn = 0;
  }
}

static void *tick(void *arg) {
  struct progress *p = arg;
  pthread_mutex_lock(&p->lock);
  while (!p->stop) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += TICK_NS;
    if (until.tv_nsec >= 1000000000L)
      until.tv_sec++, until.tv_nsec -= 1000000000L;
    int rc = pthread_cond_timedwait(&p->wake, &p->lock, &until);
    if (p->stop)
      break;
    if (rc == ETIMEDOUT || rc == 0)
      draw(p);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

struct progress *progress_start(const char *what, enum progress_unit unit, uint64_t total,
                                int quiet) {
  if (quiet || !isatty(STDERR_FILENO))
    return NULL;
  struct progress *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  snprintf(p->what, sizeof p->what, "%s", what);
  p->unit = unit;
  p->total = total;
  atomic_init(&p->done, 0);
  clock_gettime(CLOCK_MONOTONIC, &p->start);
  if (pthread_mutex_init(&p->lock, NULL) != 0) {
    free(p);
    return NULL;
  }
  if (pthread_cond_init(&p->wake, NULL) != 0) {
    pthread_mutex_destroy(&p->lock);
    free(p);
    return NULL;
  }
  if (pthread_create(&p->ticker, NULL, tick, p) != 0) {
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
    return NULL;
  }
  return p;
}

void progress_set(struct progress *p, uint64_t done) {
  if (p)
    atomic_store(&p->done, done);
}

void progress_note(struct progress *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (p)
    pthread_mutex_lock(&p->lock), clear(p);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  if (p)
    pthread_mutex_unlock(&p->lock);
  va_end(ap);
}

void progress_end(struct progress *p) {
  if (!p)
    return;
  pthread_mutex_lock(&p->lock);
  p->stop = 1;
  pthread_cond_signal(&p->wake);
  pthread_mutex_unlock(&p->lock);
  pthread_join(p->ticker, NULL);
  clear(p);
  pthread_cond_destroy(&p->wake);
  pthread_mutex_destroy(&p->lock);
  free(p);
}

int progress_callback(uint64_t done, uint64_t total, void *payload) {
  (void)total;
  progress_set(payload, done);
  return 0;
}
