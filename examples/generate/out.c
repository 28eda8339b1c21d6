#include "out.h"

#include <string.h>

int out_open(struct out *o, const char *path) {
  o->path = path;
  o->n = 0;
  o->failed = 0;
  o->f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
  return o->f ? 0 : -1;
}

void out_flush(struct out *o) {
  if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n)
    o->failed = 1;
  o->n = 0;
}

int out_close(struct out *o) {
  out_flush(o);
  if (o->f == stdout) {
    if (fflush(o->f) != 0)
      o->failed = 1;
  } else if (fclose(o->f) != 0) {
    o->failed = 1;
  }
  o->f = NULL;
  return o->failed ? -1 : 0;
}

static char *room(struct out *o, size_t n) {
  if (sizeof o->buf - o->n < n)
    out_flush(o);
  return o->buf + o->n;
}

void out_str(struct out *o, const char *s) {
  size_t len = strlen(s);
  if (len > sizeof o->buf) {
    out_flush(o);
    if (fwrite(s, 1, len, o->f) != len)
      o->failed = 1;
    return;
  }
  memcpy(room(o, len), s, len);
  o->n += len;
}

void out_char(struct out *o, char c) {
  *room(o, 1) = c;
  o->n++;
}

void out_uint(struct out *o, unsigned long v) {
  char tmp[24];
  int i = 0;
  do
    tmp[i++] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  char *p = room(o, (size_t)i);
  while (i > 0)
    *p++ = tmp[--i];
  o->n = (size_t)(p - o->buf);
}

void out_date(struct out *o, day_t day) {
  if (day == DAY_NONE)
    return;
  char *p = room(o, 11);
  format_iso(p, day);
  o->n += 10;
}
