/* Throughput of the CSV tokenizer and of the events CSV reader.
 *
 * Generates an events CSV of 1,000,000 cases in memory (8 events per case,
 * realistic cell lengths), then reports the best of a few runs of:
 *  - tokenizing it (lib/csv.c alone), plain and with every field quoted
 *    (as Excel's "quote all" exports write it);
 *  - reading it into a fresh case set through ehcp_reader_read_buffer()
 *    (tokenizing, checking every cell, parsing dates, building cases).
 * Prints figures; never fails on time.
 *
 * Built by meson (it links the static library, for the private headers):
 *   build/test/bench/bench_csv [CASES] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "ehcp/case.h"
#include "ehcp/diagnostic.h"
#include "ehcp/reader.h"

/* CPU time of this (single-threaded) process: the figures are per core and
 * do not depend on what else the machine is running. */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* An events CSV of ncases cases (8 rows each); *rows gets the data row count. */
static char *generate(size_t ncases, size_t *len, size_t *rows, int quote_all) {
  static const char *const ev[] = {
      "request_received,%s,parent,,",   "assessment_decision,%s,yes,,",
      "advice_requested,%s,education,,URN1%05u", "advice_received,%s,education,,URN1%05u",
      "advice_requested,%s,health,,",   "advice_received,%s,health,,",
      "draft_issued,%s,,,",             "final_issued,%s,,,"};
  size_t cap = ncases * 8 * 96 + 4096, n = 0, r = 0;
  char *buf = malloc(cap);
  if (!buf)
    exit(2);
  n += (size_t)sprintf(buf, "case_id,event,date,detail,end_date,ref\n");
  while (r < ncases * 8) {
    unsigned c = (unsigned)(r / 8);
    char date[16], row[160], cells[128];
    snprintf(date, sizeof date, "%04u-%02u-%02u", 2020 + c % 6, 1 + (unsigned)(r % 12),
             1 + (unsigned)((r * 7) % 28));
    snprintf(cells, sizeof cells, ev[r % 8], date, c % 100000);
    if (!quote_all) {
      snprintf(row, sizeof row, "LA%07u,%s\n", c, cells);
    } else {
      /* "a","b",... : quote every cell of the row. */
      char *o = row;
      o += sprintf(o, "\"LA%07u\"", c);
      for (char *p = cells, *start = cells;; p++) {
        if (*p == ',' || *p == '\0') {
          o += sprintf(o, ",\"%.*s\"", (int)(p - start), start);
          start = p + 1;
          if (!*p)
            break;
        }
      }
      *o++ = '\n';
      *o = '\0';
    }
    size_t rl = strlen(row);
    if (n + rl > cap)
      break;
    memcpy(buf + n, row, rl);
    n += rl;
    r++;
  }
  *len = n;
  *rows = r;
  return buf;
}

static void bench_tokenize(const char *label, const char *buf, size_t len, size_t rows) {
  double best = 1e9;
  size_t got = 0, fields = 0;
  for (int rep = 0; rep < 5; rep++) {
    struct csv c;
    double t0 = now();
    csv_init(&c, buf, len);
    got = fields = 0;
    int rc;
    while ((rc = csv_next(&c)) == CSV_RECORD) {
      got++;
      fields += c.nfields;
    }
    double t = now() - t0;
    csv_free(&c);
    if (rc != CSV_EOF)
      fprintf(stderr, "tokenizer stopped with %d\n", rc);
    if (t < best)
      best = t;
  }
  printf("tokenize %-10s %7.1f MB in %.3f s: %7.0f MB/s, %6.1f M rows/s (%zu rows, %zu fields)\n",
         label, (double)len / 1e6, best, (double)len / 1e6 / best, (double)got / 1e6 / best,
         got - 1, fields);
  if (got - 1 != rows)
    printf("  MISMATCH: %zu rows generated\n", rows);
}

static void bench_reader(const char *label, const char *buf, size_t len, size_t rows) {
  double best = 1e9;
  uint64_t read = 0, accepted = 0, rejected = 0;
  size_t cases = 0;
  for (int rep = 0; rep < 3; rep++) {
    ehcp_case_set *set;
    ehcp_diagnostics *d;
    ehcp_reader *r;
    if (ehcp_case_set_new(&set) || ehcp_diagnostics_new(&d) || ehcp_reader_new(&r, set, d))
      exit(2);
    double t0 = now();
    int rc = ehcp_reader_read_buffer(r, buf, len, "bench.csv", EHCP_FORMAT_AUTO);
    double t = now() - t0;
    if (rc != EHCP_OK)
      fprintf(stderr, "read failed: %s\n", ehcp_reader_errmsg(r));
    ehcp_reader_last_counts(&read, &accepted, &rejected, r);
    cases = ehcp_case_set_count(set);
    ehcp_reader_free(r);
    ehcp_diagnostics_free(d);
    ehcp_case_set_free(set);
    if (t < best)
      best = t;
  }
  printf("read     %-10s %7.1f MB in %.3f s: %7.0f MB/s, %6.1f M rows/s, %5.2f M cases/s (%llu "
         "read, %llu accepted, %llu rejected, %zu cases)\n",
         label, (double)len / 1e6, best, (double)len / 1e6 / best, (double)read / 1e6 / best,
         (double)cases / 1e6 / best,
         (unsigned long long)read, (unsigned long long)accepted, (unsigned long long)rejected,
         cases);
  if (read != rows || accepted != rows)
    printf("  MISMATCH: %zu rows generated\n", rows);
}

int main(int argc, char **argv) {
  size_t ncases = argc > 1 ? (size_t)atol(argv[1]) : 1000000;
  size_t len, rows;
  char *plain = generate(ncases, &len, &rows, 0);
  bench_tokenize("plain", plain, len, rows);
  bench_reader("plain", plain, len, rows);
  free(plain);
  char *quoted = generate(ncases, &len, &rows, 1);
  bench_tokenize("quoted", quoted, len, rows);
  bench_reader("quoted", quoted, len, rows);
  free(quoted);
  return 0;
}
