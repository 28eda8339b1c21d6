/* Throughput and memory of the SEN2 XML reader.
 *
 * Writes SEN2 returns of 100,000 and 1,000,000 persons to temporary files
 * (realistic elements, names and all: about 1.3 KB a person, a third with a
 * second request, most with a plan and its ActivePlans), then reads each
 * with ehcp_reader_read_file() in a child process of its own and reports:
 * MB/s, persons/s and cases/s, the peak RSS of the child (getrusage
 * ru_maxrss) and the growth of that peak from 100,000 to 1,000,000 persons.
 *
 * The peak RSS holds the input (the reader maps the file, and the pages it
 * has read stay resident), the case set and the reader's own state. To show
 * the last alone, the same sizes are read again with every person the same
 * child and request: the case set then stays one case, and what is left of
 * the growth is the mapped file; the heap in use (glibc mallinfo2) is
 * printed too. Prints figures; never fails on time.
 *
 * Build and run (public API only):
 *   cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude test/bench/bench_sen2.c \
 *      -Lbuild/lib -lehcp -Wl,-rpath,$PWD/build/lib -o build/bench_sen2
 *   ./build/bench_sen2 [PERSONS]        (default 1000000; TMPDIR for the files)
 * or, once registered in test/bench/meson.build, `meson test -C build --benchmark sen2`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "ehcp/case.h"
#include "ehcp/diagnostic.h"
#include "ehcp/reader.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Write a return of n persons to a new temporary file; its path goes to
 * path. With same, every person is the same child with the same request. */
static long write_return(char *path, size_t size, size_t n, int same) {
  const char *dir = getenv("TMPDIR");
  snprintf(path, size, "%s/bench_sen2_XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(path);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f) {
    perror(path);
    exit(2);
  }
  static char iobuf[1 << 20];
  setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Message>\n\t<Header>\n"
        "\t\t<CollectionDetails>\n\t\t\t<Collection>SEN2</Collection>\n\t\t\t<Year>2025</Year>\n"
        "\t\t\t<ReferenceDate>2025-01-16</ReferenceDate>\n\t\t</CollectionDetails>\n"
        "\t\t<Source>\n\t\t\t<SourceLevel>L</SourceLevel>\n\t\t\t<LEA>202</LEA>\n"
        "\t\t\t<SoftwareCode>Local Authority</SoftwareCode>\n\t\t\t<Release>1</Release>\n"
        "\t\t\t<SerialNo>001</SerialNo>\n\t\t\t<DateTime>2025-05-23T11:14:05</DateTime>\n"
        "\t\t\t<DMO>Y</DMO>\n\t\t\t<DCO>Y</DCO>\n\t\t</Source>\n\t</Header>\n\t<Persons>\n",
        f);
  static const char outcomes[] = "YYYYNNAWH";
  for (size_t i = 0; i < n; i++) {
    unsigned k = same ? 7 : (unsigned)i;
    fprintf(f,
            "\t\t<Person>\n\t\t\t<Surname>Surname%u</Surname>\n\t\t\t<Forename>Forename%u"
            "</Forename>\n\t\t\t<PersonBirthDate>20%02u-%02u-%02u</PersonBirthDate>\n"
            "\t\t\t<Sex>%c</Sex>\n\t\t\t<Ethnicity>WBRI</Ethnicity>\n\t\t\t<PostCode>ZZ99 %uAA"
            "</PostCode>\n\t\t\t<UPN>A%012u</UPN>\n",
            k, k, 5 + k % 15, 1 + k % 12, 1 + k % 28, k % 2 ? 'M' : 'F', k % 10, k);
    int requests = k % 3 == 0 ? 2 : 1;
    for (int q = 0; q < requests; q++) {
      char ro = outcomes[(k + (unsigned)q) % 9];
      char ao = ro == 'Y' ? "YYYNWA"[k % 6] : ro == 'H' ? 'H' : 0;
      fprintf(f,
              "\t\t\t<Requests>\n\t\t\t\t<ReceivedDate>2024-%02u-%02u</ReceivedDate>\n"
              "\t\t\t\t<RequestSource>%u</RequestSource>\n\t\t\t\t<RYA>0</RYA>\n",
              1 + (k + (unsigned)q) % 12, 1 + k % 28, 1 + k % 5);
      if (ro != 'A' && ro != 'H')
        fprintf(f, "\t\t\t\t<RequestOutcomeDate>2024-%02u-%02u</RequestOutcomeDate>\n",
                1 + (k + (unsigned)q + 1) % 12, 1 + k % 28);
      fprintf(f,
              "\t\t\t\t<RequestOutcome>%c</RequestOutcome>\n\t\t\t\t<RequestMediation>0"
              "</RequestMediation>\n\t\t\t\t<RequestTribunal>0</RequestTribunal>\n",
              ro);
      if (ao) {
        fprintf(f, "\t\t\t\t<Assessment>\n\t\t\t\t\t<AssessmentOutcome>%c</AssessmentOutcome>\n",
                ao);
        if (ao != 'A' && ao != 'H')
          fprintf(f, "\t\t\t\t\t<AssessmentOutcomeDate>2024-%02u-%02u</AssessmentOutcomeDate>\n",
                  1 + (k + 5) % 12, 1 + k % 28);
        fprintf(f, "\t\t\t\t\t<Week20>%d</Week20>\n", k % 10 == 3);
        if (ao == 'Y' || ao == 'H')
          fprintf(f,
                  "\t\t\t\t\t<NamedPlan>\n\t\t\t\t\t\t<StartDate>20%02u-%02u-%02u</StartDate>\n"
                  "\t\t\t\t\t\t<PlanDetail>\n\t\t\t\t\t\t\t<URN>1%05u</URN>\n"
                  "\t\t\t\t\t\t\t<PlacementRank>1</PlacementRank>\n\t\t\t\t\t\t</PlanDetail>\n"
                  "\t\t\t\t\t\t<PB>0</PB>\n\t\t\t\t\t</NamedPlan>\n",
                  ao == 'H' ? 19 : 24, 1 + (k + 5) % 12, 1 + k % 28, k % 100000);
        fputs("\t\t\t\t</Assessment>\n", f);
        if (ao == 'Y' || ao == 'H')
          fprintf(f,
                  "\t\t\t\t<ActivePlans>\n\t\t\t\t\t<PlacementDetail>\n\t\t\t\t\t\t<URN>1%05u"
                  "</URN>\n\t\t\t\t\t\t<PlacementRank>1</PlacementRank>\n\t\t\t\t\t\t<EntryDate>"
                  "2024-09-04</EntryDate>\n\t\t\t\t\t</PlacementDetail>\n\t\t\t\t\t<SENneed>\n"
                  "\t\t\t\t\t\t<SENtype>ASD</SENtype>\n\t\t\t\t\t\t<SENtypeRank>1</SENtypeRank>\n"
                  "\t\t\t\t\t</SENneed>\n\t\t\t\t\t<ReviewMeeting>2024-10-%02u</ReviewMeeting>\n"
                  "\t\t\t\t\t<LastReview>2024-11-%02u</LastReview>\n\t\t\t\t\t<ReviewOutcome>%c"
                  "</ReviewOutcome>\n\t\t\t\t</ActivePlans>\n",
                  k % 100000, 1 + k % 28, 1 + k % 28, "MMAC"[k % 4]);
      }
      fputs("\t\t\t</Requests>\n", f);
    }
    fputs("\t\t</Person>\n", f);
  }
  fputs("\t</Persons>\n</Message>\n", f);
  long bytes = ftell(f);
  if (fclose(f) != 0) {
    perror(path);
    exit(2);
  }
  return bytes;
}

struct result {
  int rc;
  double seconds;
  unsigned long long read, cases, diags;
  long maxrss_kb;
  unsigned long long heap;
};

/* Read path in a child process, so that its peak RSS is its own. */
static struct result measure(const char *path) {
  int fds[2];
  struct result res;
  memset(&res, 0, sizeof res);
  if (pipe(fds) != 0) {
    perror("pipe");
    exit(2);
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    ehcp_case_set *set;
    ehcp_diagnostics *d;
    ehcp_reader *r;
    if (ehcp_case_set_new(&set) || ehcp_diagnostics_new(&d) || ehcp_reader_new(&r, set, d))
      _exit(3);
    double t0 = now();
    res.rc = ehcp_reader_read_file(r, path, EHCP_FORMAT_AUTO);
    res.seconds = now() - t0;
    uint64_t read;
    ehcp_reader_last_counts(&read, NULL, NULL, r);
    res.read = read;
    res.cases = ehcp_case_set_count(set);
    res.diags = ehcp_diagnostics_count(d);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    res.heap = mallinfo2().uordblks;
#endif
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    res.maxrss_kb = ru.ru_maxrss;
    if (write(fds[1], &res, sizeof res) != (ssize_t)sizeof res)
      _exit(4);
    _exit(0);
  }
  close(fds[1]);
  if (pid < 0 || read(fds[0], &res, sizeof res) != (ssize_t)sizeof res) {
    fprintf(stderr, "the measuring child failed\n");
    exit(2);
  }
  close(fds[0]);
  waitpid(pid, NULL, 0);
  return res;
}

static void report(const char *what, size_t persons, long bytes, const struct result *r) {
  double mb = (double)bytes / 1e6;
  printf("%-9s %8zu persons %8.1f MB %6.2f s %7.1f MB/s %9.0f persons/s %9.0f cases/s  "
         "peak RSS %7.1f MB  heap %7.1f MB  (%llu cases, %llu rows, %llu diagnostics, rc %d)\n",
         what, persons, mb, r->seconds, mb / r->seconds, (double)persons / r->seconds,
         (double)r->cases / r->seconds, (double)r->maxrss_kb / 1024.0, (double)r->heap / 1e6,
         r->cases, r->read, r->diags, r->rc);
}

int main(int argc, char **argv) {
  size_t big = argc > 1 ? (size_t)atol(argv[1]) : 1000000, small = big / 10;
  if (small < 1)
    small = 1;
  for (int same = 0; same < 2; same++) {
    const char *what = same ? "same" : "distinct";
    char p1[1024], p2[1024];
    long b1 = write_return(p1, sizeof p1, small, same);
    long b2 = write_return(p2, sizeof p2, big, same);
    struct result r1 = measure(p1), r2 = measure(p2);
    remove(p1);
    remove(p2);
    report(what, small, b1, &r1);
    report(what, big, b2, &r2);
    double growth = (double)(r2.maxrss_kb - r1.maxrss_kb) * 1024.0;
    printf("%-9s peak RSS growth from %zu to %zu persons: %.1f MB (%.0f bytes per added "
           "person; the input file grew by %.1f MB)\n\n",
           what, small, big, growth / 1e6, growth / (double)(big - small),
           (double)(b2 - b1) / 1e6);
  }
  return 0;
}
