/* Throughput of the cases CSV reader (lib/read_cases.c).
 *
 * Generates a wide cases CSV in memory (1,000,000 cases by default: 33
 * columns, cases at every stage from "request received" to "plan ceased",
 * empty cells where a case has not got that far, ISO and UK dates, quoted
 * cells with commas), then reports the best of a few runs of:
 *  - tokenizing it (lib/csv.c alone), for reference;
 *  - parsing it: header resolution, every cell checked, every date parsed,
 *    duplicate ids looked for, events and attributes worked out, but nothing
 *    added to a case set (read_cases_csv_ex(..., add = 0));
 *  - reading it into a fresh case set through ehcp_reader_read_buffer().
 * Times are CPU time of the process (one core), best of the runs. Prints
 * figures; never fails on time.
 *
 * Built by meson (it links the static library, for the private headers):
 *   build/test/bench/bench_cases_csv [CASES] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "ehcp/case.h"
#include "ehcp/date.h"
#include "ehcp/diagnostic.h"
#include "ehcp/reader.h"
#include "reader_internal.h"

/* CPU time of this (single-threaded) process: the figures are per core and
 * do not depend on what else the machine is running. */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char header[] =
    "case_id,person_id,received_date,request_source,assessment_decision,"
    "assessment_decision_date,issue_decision,issue_decision_date,draft_issued_date,"
    "final_issued_date,exception,exception_start,exception_end,advice_education_requested,"
    "advice_education_received,advice_ep_requested,advice_ep_received,advice_health_requested,"
    "advice_health_received,advice_social_care_requested,advice_social_care_received,"
    "review_meeting_date,review_decision,review_decision_date,review_draft_date,"
    "review_final_date,phase_transfer_date,phase_transfer_kind,phase_transfer_amended_date,"
    "ceased_date,team,caseworker,setting\n";

/* Date d (days since 1970) written ISO, or UK day first for every 5th case. */
static char *put_date(char *o, ehcp_date d, int uk) {
  int y, m, day;
  ehcp_date_to_ymd(&y, &m, &day, d);
  if (uk)
    return o + sprintf(o, "%02d/%02d/%04d", day, m, y);
  return o + sprintf(o, "%04d-%02d-%02d", y, m, day);
}

/* A cases CSV of n cases. */
static char *generate(size_t n, size_t *len) {
  static const char *const sources[] = {"parent", "setting", "health", "social_care", "other"};
  static const char *const teams[] = {"North", "South", "East", "West", "\"Central, Hub\""};
  static const char *const kinds[] = {"school", "post16", "post16_other"};
  size_t cap = n * 400 + sizeof header, used = 0;
  char *buf = malloc(cap);
  if (!buf)
    exit(2);
  memcpy(buf, header, sizeof header - 1);
  used = sizeof header - 1;
  ehcp_date base;
  ehcp_date_from_ymd(&base, 2019, 1, 1);
  unsigned long long seed = 88172645463325252ull;
  for (size_t i = 0; i < n; i++) {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    unsigned stage = (unsigned)(seed % 10); /* how far the case got */
    int uk = i % 5 == 4;
    ehcp_date t0 = base + (ehcp_date)(i % 2400);
    char *o = buf + used;
#define DATE(off) (o = put_date(o, t0 + (off), uk))
#define SEP (*o++ = ',')
    o += sprintf(o, "LA%07zu,P%08zu,", i, i * 7 % 100000000);
    DATE(0), SEP;
    o += sprintf(o, "%s,", sources[seed % 5]);
    if (stage >= 1) {
      o += sprintf(o, "%s,", stage == 1 ? "no" : "yes");
      DATE(38), SEP;
    } else {
      o += sprintf(o, ",,");
    }
    if (stage >= 3) {
      o += sprintf(o, "yes,"), DATE(95), SEP, DATE(100), SEP, DATE(135), SEP;
    } else {
      o += sprintf(o, ",,,,");
    }
    if (stage == 4)
      o += sprintf(o, "absence,"), DATE(50), SEP, DATE(80), SEP;
    else if (stage == 5)
      o += sprintf(o, "1,,,");
    else
      o += sprintf(o, "0,,,");
    for (int a = 0; a < 4; a++) { /* four advisers */
      if (stage >= 2)
        DATE(40 + a), SEP, DATE(70 + 3 * a), SEP;
      else
        o += sprintf(o, ",,");
    }
    if (stage >= 6) {
      DATE(400), SEP;
      o += sprintf(o, "%s,", stage == 9 ? "cease" : "amend");
      DATE(410), SEP, DATE(440), SEP, DATE(480), SEP;
    } else {
      o += sprintf(o, ",,,,,");
    }
    if (stage >= 7) {
      DATE(600), SEP;
      o += sprintf(o, "%s,", kinds[seed % 3]);
      DATE(560), SEP;
    } else {
      o += sprintf(o, ",,,");
    }
    if (stage == 9)
      DATE(700), SEP;
    else
      SEP;
    /* A large county has some 800 schools and settings (URNs). */
    o += sprintf(o, "%s,Caseworker %u,URN%06u\n", teams[i % 5], (unsigned)(i % 97),
                 (unsigned)(100000 + seed % 800));
#undef DATE
#undef SEP
    used = (size_t)(o - buf);
  }
  *len = used;
  return buf;
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
  if (n == 0)
    n = 1;
  size_t len;
  char *gen = generate(n, &len);
  /* Exactly len bytes, as a file mapped by ehcp_reader_read_file() would be. */
  char *buf = malloc(len);
  if (!buf)
    return 2;
  memcpy(buf, gen, len);
  free(gen);
  double mb = (double)len / 1e6;
  printf("cases CSV: %zu cases, %.1f MB (%.0f bytes a row)\n", n, mb, (double)len / (double)n);

  /* Tokenizing alone. */
  double best = 1e9;
  size_t rows = 0;
  for (int run = 0; run < 5; run++) {
    struct csv c;
    double t = now();
    csv_init(&c, buf, len);
    rows = 0;
    while (csv_next(&c) == CSV_RECORD)
      rows++;
    csv_free(&c);
    t = now() - t;
    if (t < best)
      best = t;
  }
  printf("tokenize          %7.1f MB in %.3f s: %6.0f MB/s, %5.2f M rows/s\n", mb, best,
         mb / best, (double)rows / best / 1e6);

  /* Parsing: everything but adding to the case set. */
  ehcp_case_set *set;
  ehcp_diagnostics *diags;
  ehcp_reader *r;
  ehcp_case_set_new(&set);
  ehcp_diagnostics_new(&diags);
  ehcp_reader_new(&r, set, diags);
  best = 1e9;
  struct read_counts counts = {0, 0, 0};
  for (int run = 0; run < 5; run++) {
    double t = now();
    int rc = read_cases_csv_ex(r, buf, len, "bench.csv", &counts, 0);
    t = now() - t;
    if (rc != EHCP_OK || counts.accepted != n || ehcp_diagnostics_count(diags) != 0) {
      fprintf(stderr, "parse failed: rc %d, %llu accepted, %zu diagnostics\n", rc,
              (unsigned long long)counts.accepted, ehcp_diagnostics_count(diags));
      return 1;
    }
    if (t < best)
      best = t;
  }
  printf("parse (no set)    %7.1f MB in %.3f s: %6.0f MB/s, %5.2f M cases/s\n", mb, best,
         mb / best, (double)n / best / 1e6);
  ehcp_reader_free(r);
  ehcp_case_set_free(set);

  /* The whole read, into a fresh case set each time. */
  best = 1e9;
  size_t events = 0;
  for (int run = 0; run < 3; run++) {
    ehcp_case_set_new(&set);
    ehcp_reader_new(&r, set, diags);
    double t = now();
    int rc = ehcp_reader_read_buffer(r, buf, len, "bench.csv", EHCP_FORMAT_AUTO);
    t = now() - t;
    uint64_t read, acc, rej;
    ehcp_reader_last_counts(&read, &acc, &rej, r);
    if (rc != EHCP_OK || acc != n || ehcp_case_set_count(set) != n) {
      fprintf(stderr, "read failed: rc %d, %llu accepted\n", rc, (unsigned long long)acc);
      return 1;
    }
    events = 0;
    for (size_t i = 0; i < ehcp_case_set_count(set); i++)
      events += ehcp_case_event_count(ehcp_case_set_get(set, i));
    if (t < best)
      best = t;
    ehcp_reader_free(r);
    ehcp_case_set_free(set);
  }
  printf("read into a set   %7.1f MB in %.3f s: %6.0f MB/s, %5.2f M cases/s (%.1f M events)\n",
         mb, best, mb / best, (double)n / best / 1e6, (double)events / 1e6);
  ehcp_diagnostics_free(diags);
  free(buf);
  return 0;
}
