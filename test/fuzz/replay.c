/* Replay driver: runs a fuzz target's LLVMFuzzerTestOneInput() once over
 * every file named on the command line (directories are walked, in name
 * order, dot files skipped), so each corpus is an ordinary test in every
 * build, gcc included. Each input is passed in a malloc'd buffer of exactly
 * its size, so a read past the end shows under ASan and valgrind.
 *
 *   replay_csv test/fuzz/corpus/csv            # the corpus
 *   replay_csv crash-1234abcd                  # one input from libFuzzer
 *
 * Exit status 0 when every input ran (an invariant broken aborts), 1 when
 * a file cannot be read or there was no input at all. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    return -1;
  }
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (!buf) {
      fclose(f);
      fprintf(stderr, "replay: out of memory\n");
      return -1;
    }
    len += fread(buf + len, 1, cap - len, f);
    if (len < cap)
      break;
    char *grown = realloc(buf, cap * 2);
    if (!grown)
      free(buf);
    buf = grown;
    cap *= 2;
  }
  int err = ferror(f);
  fclose(f);
  if (err) {
    free(buf);
    fprintf(stderr, "replay: cannot read %s\n", path);
    return -1;
  }
  /* Exactly len bytes, so that nothing past the input is addressable. */
  char *exact = malloc(len ? len : 1);
  if (!exact) {
    free(buf);
    return -1;
  }
  if (len)
    memcpy(exact, buf, len);
  free(buf);
  LLVMFuzzerTestOneInput((const uint8_t *)exact, len);
  free(exact);
  return 0;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Returns the number of inputs run, or -1. */
static long run_path(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "replay: cannot stat %s\n", path);
    return -1;
  }
  if (!S_ISDIR(st.st_mode))
    return run_file(path) == 0 ? 1 : -1;
  DIR *dir = opendir(path);
  if (!dir) {
    fprintf(stderr, "replay: cannot open directory %s\n", path);
    return -1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      char **grown = realloc(names, cap * sizeof *names);
      if (!grown)
        break;
      names = grown;
    }
    size_t len = strlen(path) + strlen(e->d_name) + 2;
    if (!(names[n] = malloc(len)))
      break;
    snprintf(names[n++], len, "%s/%s", path, e->d_name);
  }
  closedir(dir);
  if (n > 1)
    qsort(names, n, sizeof *names, cmp_names);
  long total = 0;
  for (size_t i = 0; i < n; i++) {
    long got = total >= 0 ? run_path(names[i]) : 0;
    total = got < 0 ? -1 : total + got;
    free(names[i]);
  }
  free(names);
  return total;
}

int main(int argc, char **argv) {
  long total = 0;
  for (int i = 1; i < argc; i++) {
    long got = run_path(argv[i]);
    if (got < 0)
      return 1;
    total += got;
  }
  printf("replay: %ld inputs\n", total);
  return total > 0 ? 0 : 1;
}
