/* Nothing lost at scale: a 1,000,000-row events CSV, written at test time
 * into a temporary directory, with bad rows of eight kinds injected at known
 * places, valid rows whose quoted ref spans two physical lines (so rows and
 * lines drift apart), and an unterminated quote as the very last row. Read
 * with ehcp_reader_read_file() (the mmap path):
 *  - every bad row is reported exactly once, with its code, at its
 *    physical line, in file order, and nothing else is reported;
 *  - rows read = 1,000,000 = accepted + rejected, rejected = rows injected;
 *  - the case set holds exactly one event per accepted row.
 *
 * Usage: million_rows [ROWS]   (default 1000000) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"
#include "hardening.h"

#define BAD_EVERY 997         /* every 997th row is bad */
#define MULTILINE_EVERY 50021 /* every 50021st row has a two-line ref */

struct bad {
  uint64_t line;
  int code;
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  uint64_t rows = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
  const char *tmp = getenv("TMPDIR");
  char dir[512], path[600];
  snprintf(dir, sizeof dir, "%s/ehcp-million-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  snprintf(path, sizeof path, "%s/events.csv", dir);
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    return 1;
  }
  static char buf[1 << 20];
  setvbuf(f, buf, _IOFBF, sizeof buf);

  double t0 = now();
  size_t cap = rows / BAD_EVERY + 16, nbad = 0;
  struct bad *bad = malloc(cap * sizeof *bad);
  if (!bad)
    return 1;
  uint64_t line = 1;
  fputs("case_id,event,date,detail,end_date,ref\n", f);
  line++;
  for (uint64_t r = 1; r <= rows; r++) {
    unsigned long k = (unsigned long)(r / 4); /* four events per case */
    if (r == rows) { /* the last row: a quote never closed */
      fprintf(f, "C%07lu,final_issued,2025-06-02,,,\"never closed\n", k);
      bad[nbad++] = (struct bad){line, EHCP_DIAG_UNTERMINATED_QUOTE};
      line++;
      continue;
    }
    if (r % BAD_EVERY == 0) {
      static const int codes[8] = {EHCP_DIAG_BAD_DATE,      EHCP_DIAG_UNKNOWN_EVENT,
                                   EHCP_DIAG_UNKNOWN_DETAIL, EHCP_DIAG_COLUMN_COUNT,
                                   EHCP_DIAG_MISSING_VALUE, EHCP_DIAG_BAD_QUOTING,
                                   EHCP_DIAG_MISSING_VALUE, EHCP_DIAG_BAD_DATE};
      unsigned kind = (unsigned)((r / BAD_EVERY) % 8);
      switch (kind) {
      case 0: fprintf(f, "C%07lu,request_received,2025-02-30,parent,,\n", k); break;
      case 1: fprintf(f, "C%07lu,request_recieved,2025-01-15,parent,,\n", k); break;
      case 2: fprintf(f, "C%07lu,assessment_decision,2025-02-20,maybe,,\n", k); break;
      case 3: fprintf(f, "C%07lu,final_issued,2025-06-02\n", k); break;
      case 4: fputs(",final_issued,2025-06-02,,,\n", f); break;
      case 5: fprintf(f, "C%07lu,final\"issued,2025-06-02,,,\n", k); break;
      case 6:
        fprintf(f, "C%07lu", k);
        fputc('\0', f);
        fputs("x,final_issued,2025-06-02,,,\n", f);
        break;
      default: fprintf(f, "C%07lu,exception,2025-03-01,absence,2025-13-01,\n", k); break;
      }
      bad[nbad++] = (struct bad){line, codes[kind]};
      line++;
      continue;
    }
    if (r % MULTILINE_EVERY == 0) {
      fprintf(f, "C%07lu,family_update,2025-04-01,,,\"first line\nsecond line\"\n", k);
      line += 2;
      continue;
    }
    /* Dates vary with k so that cases differ. */
    int d = 1 + (int)(k % 28), m = 1 + (int)(k % 9);
    switch (r % 4) {
    case 0: fprintf(f, "C%07lu,request_received,2024-%02d-%02d,parent,,\n", k, m, d); break;
    case 1: fprintf(f, "C%07lu,assessment_decision,2024-%02d-%02d,yes,,\n", k, m + 1, d); break;
    case 2: fprintf(f, "C%07lu,advice_requested,2024-%02d-%02d,ep,,\n", k, m + 1, d); break;
    default: fprintf(f, "C%07lu,final_issued,2024-%02d-%02d,,,\n", k, m + 3, d); break;
    }
    line++;
  }
  if (fclose(f) != 0) {
    perror(path);
    return 1;
  }
  double t1 = now();

  ehcp_case_set *set;
  ehcp_diagnostics *d;
  ehcp_reader *r;
  if (ehcp_case_set_new(&set) || ehcp_diagnostics_new(&d) || ehcp_reader_new(&r, set, d))
    return 1;
  CHECK_INT(ehcp_reader_read_file(r, path, EHCP_FORMAT_AUTO), EHCP_OK);
  double t2 = now();
  CHECK_INT(ehcp_reader_last_format(r), EHCP_FORMAT_EVENTS_CSV);
  uint64_t n, a, j;
  ehcp_reader_last_counts(&n, &a, &j, r);
  CHECK_INT(n, rows);
  CHECK_INT(j, nbad);
  CHECK_INT(a, rows - nbad);
  CHECK_INT(n, a + j);

  /* Every bad row reported once, at its line, in order; nothing else. */
  size_t nd = ehcp_diagnostics_count(d);
  CHECK_INT(nd, nbad);
  size_t wrong = 0;
  for (size_t i = 0; i < nd && i < nbad; i++) {
    const struct ehcp_diagnostic *g = ehcp_diagnostics_get(d, i);
    if (g->line != bad[i].line || g->code != bad[i].code ||
        g->severity != EHCP_SEVERITY_ERROR || strcmp(g->source, path) != 0) {
      if (wrong++ < 10)
        fprintf(stderr, "diagnostic %zu: line %u code %d, want line %llu code %d: %s\n", i,
                (unsigned)g->line, g->code, (unsigned long long)bad[i].line, bad[i].code,
                g->message);
    }
  }
  CHECK_INT(wrong, 0);
  size_t events = 0;
  for (size_t i = 0; i < ehcp_case_set_count(set); i++)
    events += ehcp_case_event_count(ehcp_case_set_get(set, i));
  CHECK_INT(events, a);

  printf("million_rows: %llu rows (%llu physical lines) written in %.1f s, read in %.1f s "
         "(%.0f rows/s): %llu accepted, %llu rejected, %zu diagnostics, all at their lines\n",
         (unsigned long long)rows, (unsigned long long)(line - 1), t1 - t0, t2 - t1,
         (double)rows / (t2 - t1), (unsigned long long)a, (unsigned long long)j, nd);
  ehcp_reader_free(r);
  ehcp_diagnostics_free(d);
  ehcp_case_set_free(set);
  free(bad);
  unlink(path);
  rmdir(dir);
  return check_done("million_rows");
}
