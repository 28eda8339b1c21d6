/* Unit tests for lib/csv.c: the RFC 4180 tokenizer.
 *
 * Every input is copied into a malloc'd buffer of exactly its length (no
 * NUL after it), so a read past the end shows up under ASan and valgrind.
 * Results are rendered to one line per input and compared whole:
 *   1['a',"b,c"]       a record starting on line 1: 'unquoted' and "quoted" fields
 *   1!bad1@1:2['a']    bad quoting (1 quote in unquoted field, 2 junk after a
 *                      closing quote) at line 1 in field index 2, fields before it
 *   2!open@3:0[]       unterminated quote opened on line 3 in field index 0
 * Inside a field \n, \r, \0, \" and \\ are escaped. */
#include "csv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ---- rendering ---------------------------------------------------------- */

struct out {
  char *s;
  size_t len, cap;
};

static void put(struct out *o, const char *p, size_t n) {
  if (o->len + n + 1 > o->cap) {
    size_t cap = o->cap ? o->cap : 256;
    while (o->len + n + 1 > cap)
      cap *= 2;
    o->s = realloc(o->s, cap);
    if (!o->s)
      abort();
    o->cap = cap;
  }
  memcpy(o->s + o->len, p, n);
  o->len += n;
  o->s[o->len] = '\0';
}

static void puts_(struct out *o, const char *s) { put(o, s, strlen(s)); }

static void putf(struct out *o, const char *fmt, unsigned long long a, unsigned long long b,
                 unsigned long long c) {
  char buf[128];
  snprintf(buf, sizeof buf, fmt, a, b, c);
  puts_(o, buf);
}

static void put_field(struct out *o, const char *p, size_t n, int quoted) {
  char q = quoted ? '"' : '\'';
  put(o, &q, 1);
  for (size_t i = 0; i < n; i++) {
    switch (p[i]) {
    case '\n': puts_(o, "\\n"); break;
    case '\r': puts_(o, "\\r"); break;
    case '\0': puts_(o, "\\0"); break;
    case '"': puts_(o, "\\\""); break;
    case '\\': puts_(o, "\\\\"); break;
    default: put(o, p + i, 1);
    }
  }
  put(o, &q, 1);
}

static void put_fields(struct out *o, const struct csv *c) {
  puts_(o, "[");
  for (size_t i = 0; i < c->nfields; i++) {
    if (i)
      puts_(o, ",");
    put_field(o, c->fields[i].ptr, c->fields[i].len, c->fields[i].quoted);
  }
  puts_(o, "]");
}

/* Tokenize text[0..len) (copied to an exact-size buffer) and render. */
static char *tokenize(const char *text, size_t len) {
  char *buf = malloc(len ? len : 1);
  if (!buf)
    abort();
  if (len)
    memcpy(buf, text, len);
  struct csv c;
  csv_init(&c, buf, len);
  struct out o = {0};
  puts_(&o, "");
  int rc, n = 0;
  while ((rc = csv_next(&c)) != CSV_EOF) {
    if (n++)
      puts_(&o, " ");
    if (rc == CSV_RECORD) {
      putf(&o, "%llu", c.line, 0, 0);
    } else if (rc == CSV_BAD_QUOTING) {
      putf(&o, "%llu!bad%llu@%llu", c.line, (unsigned long long)c.err_kind, c.err_line);
      putf(&o, ":%llu", c.err_field, 0, 0);
    } else if (rc == CSV_UNTERMINATED_QUOTE) {
      putf(&o, "%llu!open@%llu:%llu", c.line, c.err_line, c.err_field);
    } else {
      puts_(&o, "NOMEM");
      break;
    }
    put_fields(&o, &c);
  }
  /* EOF is sticky. */
  if (csv_next(&c) != CSV_EOF)
    puts_(&o, " (EOF not sticky)");
  csv_free(&c);
  free(buf);
  return o.s;
}

#define TOK(lit) tokenize(lit, sizeof(lit) - 1)

/* CHECK_STR on a freshly rendered string, then free it. */
#define CHECK_TOK(lit, want)                                                       \
  do {                                                                             \
    char *got_ = TOK(lit);                                                         \
    CHECK_STR(got_, want);                                                         \
    free(got_);                                                                    \
  } while (0)

/* ---- fixed cases -------------------------------------------------------- */

static void test_line_ends(void) {
  CHECK_TOK("a,b,c\nd,e,f\n", "1['a','b','c'] 2['d','e','f']");
  CHECK_TOK("a,b\r\nc,d\r\n", "1['a','b'] 2['c','d']");
  CHECK_TOK("a\r\nb\nc\rd", "1['a'] 2['b'] 3['c'] 4['d']");
  CHECK_TOK("a,b\nc,d", "1['a','b'] 2['c','d']");
  CHECK_TOK("a,b\r\nc,d\re,f\r\n", "1['a','b'] 2['c','d'] 3['e','f']");
  CHECK_TOK("a\r", "1['a']");
  CHECK_TOK("a\r\r\nb", "1['a'] 3['b']"); /* CR, then a blank CRLF line */
  CHECK_TOK("x", "1['x']");
}

static void test_bom_and_blank(void) {
  CHECK_TOK("\xEF\xBB\xBF"
            "case_id,x\n1,2\n",
            "1['case_id','x'] 2['1','2']");
  CHECK_TOK("\xEF\xBB\xBF", "");
  CHECK_TOK("\xEF\xBB\xBF\r\n\r\na\r\n", "3['a']");
  /* Only a BOM at the very start is skipped. */
  CHECK_TOK("a\n\xEF\xBB\xBF"
            "b\n",
            "1['a'] 2['\xEF\xBB\xBF"
            "b']");
  CHECK_TOK("\xEF\xBB"
            "a\n",
            "1['\xEF\xBB"
            "a']");
  CHECK_TOK("", "");
  CHECK_TOK("\n\n\r\n\r", "");
  CHECK_TOK("\n\na\n\r\n\nb\n\n", "3['a'] 6['b']");
  /* A line of spaces is not blank; a quoted empty field is a record. */
  CHECK_TOK(" \n\"\"\n", "1[' '] 2[\"\"]");
}

static void test_empty_fields(void) {
  CHECK_TOK(",,\n,\n", "1['','',''] 2['','']");
  CHECK_TOK("a,b,\n", "1['a','b','']");
  CHECK_TOK("a,", "1['a','']");
  CHECK_TOK(",", "1['','']");
  CHECK_TOK("\"\",\"\"", "1[\"\",\"\"]");
  CHECK_TOK("a,\"\",\n", "1['a',\"\",'']");
  /* Nothing is trimmed. */
  CHECK_TOK(" a , b \n", "1[' a ',' b ']");
  /* Any byte but the four specials is data, NUL included. */
  CHECK_TOK("a\0b,c\n", "1['a\\0b','c']");
}

static void test_quoted(void) {
  CHECK_TOK("\"a,b\",\"he said \"\"hi\"\"\",\"x\ny\"\nnext,1\n",
            "1[\"a,b\",\"he said \\\"hi\\\"\",\"x\\ny\"] 3['next','1']");
  CHECK_TOK("\"x\r\ny\"\r\nz\r\n", "1[\"x\\r\\ny\"] 3['z']");
  CHECK_TOK("\"x\ry\"\nz", "1[\"x\\ry\"] 3['z']");
  CHECK_TOK("\"\"\"\"\n", "1[\"\\\"\"]");
  CHECK_TOK("\"\"\"\"\"\"", "1[\"\\\"\\\"\"]");
  CHECK_TOK("\"a\"\"b\",c,\"d\"\"\"\"e\",\"f\"\n\"g\"\"\"\n",
            "1[\"a\\\"b\",'c',\"d\\\"\\\"e\",\"f\"] 2[\"g\\\"\"]");
  /* A field of many lines: the next record's line is right. */
  CHECK_TOK("1,\"a\n\nb\r\nc\rd\"\n2,x\n\n3,y\n",
            "1['1',\"a\\n\\nb\\r\\nc\\rd\"] 6['2','x'] 8['3','y']");
  /* A CR right before the closing quote is a line of its own. */
  CHECK_TOK("\"a\r\"\nb\n", "1[\"a\\r\"] 3['b']");
  /* The last record may end with a quoted field and no newline. */
  CHECK_TOK("a,\"b\"", "1['a',\"b\"]");
  CHECK_TOK("\"b\"\r", "1[\"b\"]");
}

static void test_bad_quoting(void) {
  /* Quote inside an unquoted field: that line is skipped, the next is read. */
  CHECK_TOK("a,b\"c,d\nx,y\n", "1!bad1@1:1['a'] 2['x','y']");
  CHECK_TOK("ab\"\r\nx\r\n", "1!bad1@1:0[] 2['x']");
  CHECK_TOK(" \"a\",b\nx\n", "1!bad1@1:0[] 2['x']");
  /* Junk after a closing quote. */
  CHECK_TOK("\"ab\"c,d\nx\n", "1!bad2@1:0[] 2['x']");
  CHECK_TOK("\"ab\" ,d\nx\n", "1!bad2@1:0[] 2['x']");
  CHECK_TOK("\"a\"\"b\"x\nq\n", "1!bad2@1:0[] 2['q']");
  CHECK_TOK("\"x\",\"a\"\"b\"c\nq\n", "1!bad2@1:1[\"x\"] 2['q']");
  /* ... after a quoted field that spans lines: the error is on line 2. */
  CHECK_TOK("a,\"b\nc\"d,e\nx\n", "1!bad2@2:1['a'] 3['x']");
  /* Recovery skips to the end of the physical line, whatever quotes follow. */
  CHECK_TOK("a\"b,\"c\nd\"\ne\n", "1!bad1@1:0[] 2!bad1@2:0[] 3['e']");
  /* At the end of the buffer. */
  CHECK_TOK("a\"", "1!bad1@1:0[]");
  CHECK_TOK("\"a\"b", "1!bad2@1:0[]");
  CHECK_TOK("x\n\"a\"b\r", "1['x'] 2!bad2@2:0[]");
  CHECK_TOK("\"a\"b\r\nc", "1!bad2@1:0[] 2['c']");
  /* Good rows around a bad one keep their lines. */
  CHECK_TOK("h1,h2\n1,2\n3,4\"\n5,6\n", "1['h1','h2'] 2['1','2'] 3!bad1@3:1['3'] 4['5','6']");

  /* The error details. */
  const char text[] = "\"ok\",\"a\"z\n";
  struct csv c;
  csv_init(&c, text, sizeof text - 1);
  CHECK_INT(csv_next(&c), CSV_BAD_QUOTING);
  CHECK_INT(c.err_kind, CSV_JUNK_AFTER_QUOTE);
  CHECK_INT(c.err_char, 'z');
  CHECK_INT(c.err_field, 1);
  CHECK_INT(c.nfields, 1);
  CHECK_INT(c.fields[0].len, 2);
  CHECK(memcmp(c.fields[0].ptr, "ok", 2) == 0);
  CHECK_INT(csv_next(&c), CSV_EOF);
  csv_free(&c);
  const char text2[] = "ab\"c\n";
  csv_init(&c, text2, sizeof text2 - 1);
  CHECK_INT(csv_next(&c), CSV_BAD_QUOTING);
  CHECK_INT(c.err_kind, CSV_QUOTE_IN_UNQUOTED);
  CHECK_INT(c.err_char, '"');
  csv_free(&c);
}

static void test_unterminated(void) {
  CHECK_TOK("a,b\n\"c,d\ne,f\n", "1['a','b'] 2!open@2:0[]");
  CHECK_TOK("x,\"abc", "1!open@1:1['x']");
  CHECK_TOK("\"", "1!open@1:0[]");
  CHECK_TOK("a,\"b\nc\",\"d\n", "1!open@2:2['a',\"b\\nc\"]");
  CHECK_TOK("\"a\"\"", "1!open@1:0[]");
  CHECK_TOK("\"a\"\"b\",\"c\"\"", "1!open@1:1[\"a\\\"b\"]");
  CHECK_TOK("a\n\n\"\r\n\r\n", "1['a'] 3!open@3:0[]");
}

static void test_wide_and_long(void) {
  /* More fields than the initial capacity, and a long escaped field that
   * makes scratch grow while earlier scratch fields are pending. */
  struct out in = {0}, want = {0};
  puts_(&want, "1[");
  for (int i = 0; i < 1000; i++) {
    char f[32];
    snprintf(f, sizeof f, "%s%d", i ? "," : "", i);
    puts_(&in, f);
    snprintf(f, sizeof f, "%s'%d'", i ? "," : "", i);
    puts_(&want, f);
  }
  puts_(&in, ",\"q\"\"1\",\"");
  puts_(&want, ",\"q\\\"1\",\"");
  for (int i = 0; i < 5000; i++) {
    puts_(&in, "x\"\"");
    puts_(&want, "x\\\"");
  }
  puts_(&in, "\",\"z\"\"\"\nlast\n");
  puts_(&want, "\",\"z\\\"\"] 2['last']");
  char *got = tokenize(in.s, in.len);
  CHECK_STR(got, want.s);
  free(got);
  free(in.s);
  free(want.s);
}

static void test_offset_and_reuse(void) {
  const char text[] = "a,b\n\"c\"\"\",d\n";
  struct csv c;
  csv_init(&c, text, sizeof text - 1);
  CHECK_INT(csv_offset(&c, text), 0);
  CHECK_INT(csv_next(&c), CSV_RECORD);
  CHECK_INT(csv_offset(&c, text), 4);
  CHECK(c.fields[0].ptr == text); /* unquoted fields are in place */
  CHECK_INT(csv_next(&c), CSV_RECORD);
  CHECK(c.fields[0].ptr != text + 5); /* unescaped copy */
  CHECK_INT(c.fields[0].len, 2);
  CHECK(memcmp(c.fields[0].ptr, "c\"", 2) == 0);
  CHECK(c.fields[1].ptr == text + 10);
  CHECK_INT(csv_offset(&c, text), sizeof text - 1);
  CHECK_INT(csv_next(&c), CSV_EOF);
  csv_free(&c);
  csv_free(&c); /* twice is fine */

  const char quoted[] = "\"in place\"\n";
  csv_init(&c, quoted, sizeof quoted - 1);
  CHECK_INT(csv_next(&c), CSV_RECORD);
  CHECK(c.fields[0].ptr == quoted + 1);
  CHECK_INT(c.fields[0].quoted, 1);
  csv_free(&c);

  csv_init(&c, NULL, 0);
  CHECK_INT(csv_next(&c), CSV_EOF);
  csv_free(&c);
}

static void test_header(void) {
  const char text[] = "\xEF\xBB\xBF Case_ID ,\tEvent\t,\"date\",,event\nx\n";
  struct csv c;
  struct csv_header h;
  csv_init(&c, text, sizeof text - 1);
  CHECK_INT(csv_next(&c), CSV_RECORD);
  CHECK_INT(csv_header_init(&h, &c), 0);
  CHECK_INT(h.n, 5);
  CHECK_INT(h.line, 1);
  CHECK_STR(h.names[0], "Case_ID");
  CHECK_STR(h.names[1], "Event");
  CHECK_STR(h.names[2], "date");
  CHECK_STR(h.names[3], "");
  CHECK_STR(h.names[4], "event");
  CHECK_INT(csv_header_find(&h, "case_id", 0), 0);
  CHECK_INT(csv_header_find(&h, "EVENT", 0), 1);
  CHECK_INT(csv_header_find(&h, "event", 2), 4);
  CHECK_INT(csv_header_find(&h, "event", 5), -1);
  CHECK_INT(csv_header_find(&h, "ref", 0), -1);
  CHECK_INT(csv_header_find(&h, "", 0), 3);
  CHECK_INT(csv_header_find(&h, "dat", 0), -1);
  CHECK_INT(csv_header_find(&h, "dates", 0), -1);
  csv_header_free(&h);
  csv_header_free(&h);
  csv_free(&c);

  CHECK(csv_name_eq("ReF", 3, "ref"));
  CHECK(!csv_name_eq("ref", 2, "ref"));
  CHECK(!csv_name_eq("refs", 4, "ref"));
  CHECK(csv_name_eq("", 0, ""));
  CHECK(!csv_name_eq("[", 1, "{")); /* only letters fold */
}

/* ---- a reference tokenizer --------------------------------------------- */

/* The same dialect written the slow, obvious way, one byte at a time, to
 * compare with on random input (including garbage). Renders like tokenize(). */
static char *reference(const char *t, size_t len) {
  struct out o = {0}, rec = {0};
  puts_(&o, "");
  size_t pos = 0;
  unsigned long long line = 1;
  int n = 0;
  if (len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
    pos = 3;
#define EAT_EOL()                                                                  \
  do {                                                                             \
    if (pos < len && t[pos] == '\r') {                                             \
      pos++;                                                                       \
      if (pos < len && t[pos] == '\n')                                             \
        pos++;                                                                     \
      line++;                                                                      \
    } else if (pos < len && t[pos] == '\n') {                                      \
      pos++;                                                                       \
      line++;                                                                      \
    }                                                                              \
  } while (0)
  for (;;) {
    while (pos < len && (t[pos] == '\n' || t[pos] == '\r'))
      EAT_EOL();
    if (pos == len)
      break;
    if (n++)
      puts_(&o, " ");
    unsigned long long rec_line = line;
    size_t nf = 0;
    rec.len = 0;
    puts_(&rec, "");
    struct out field = {0};
    for (;;) {
      field.len = 0;
      puts_(&field, "");
      if (pos < len && t[pos] == '"') {
        unsigned long long open_line = line;
        pos++;
        for (;;) {
          if (pos == len) {
            putf(&o, "%llu!open@%llu:%llu[", rec_line, open_line, nf);
            puts_(&o, rec.s);
            puts_(&o, "]");
            free(field.s);
            free(rec.s);
            return o.s;
          }
          char ch = t[pos];
          if (ch == '"') {
            if (pos + 1 < len && t[pos + 1] == '"') {
              put(&field, "\"", 1);
              pos += 2;
              continue;
            }
            pos++;
            break;
          }
          if (ch == '\n' || (ch == '\r' && (pos + 1 == len || t[pos + 1] != '\n')))
            line++;
          put(&field, &ch, 1);
          pos++;
        }
        if (pos < len && t[pos] != ',' && t[pos] != '\n' && t[pos] != '\r') {
          putf(&o, "%llu!bad2@%llu:%llu[", rec_line, line, nf);
          goto bad;
        }
        if (nf++)
          puts_(&rec, ",");
        put_field(&rec, field.s, field.len, 1);
      } else {
        while (pos < len && t[pos] != ',' && t[pos] != '"' && t[pos] != '\n' && t[pos] != '\r')
          put(&field, &t[pos++], 1);
        if (pos < len && t[pos] == '"') {
          putf(&o, "%llu!bad1@%llu:%llu[", rec_line, line, nf);
          goto bad;
        }
        if (nf++)
          puts_(&rec, ",");
        put_field(&rec, field.s, field.len, 0);
      }
      if (pos < len && t[pos] == ',') {
        pos++;
        continue;
      }
      EAT_EOL();
      putf(&o, "%llu[", rec_line, 0, 0);
      puts_(&o, rec.s);
      puts_(&o, "]");
      break;
    bad:
      puts_(&o, rec.s);
      puts_(&o, "]");
      while (pos < len && t[pos] != '\n' && t[pos] != '\r')
        pos++;
      EAT_EOL();
      break;
    }
    free(field.s);
  }
#undef EAT_EOL
  free(rec.s);
  return o.s;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)((rng_state >> 32) % n);
}

/* Random bytes from a CSV-heavy alphabet: the fast tokenizer and the
 * reference must agree exactly, errors and recovery included. */
static void test_random_garbage(void) {
  static const char alphabet[] = {'a', 'b', ',', '"', '"', '\n', '\r', ' ', '\0'};
  int mismatches = 0;
  char text[64];
  for (int iter = 0; iter < 200000; iter++) {
    size_t len = rnd(sizeof text + 1);
    for (size_t i = 0; i < len; i++)
      text[i] = alphabet[rnd(sizeof alphabet)];
    if (len >= 3 && rnd(8) == 0)
      memcpy(text, "\xEF\xBB\xBF", 3);
    char *got = tokenize(text, len), *want = reference(text, len);
    if (strcmp(got, want) != 0 && mismatches++ < 5) {
      struct out shown = {0};
      put_field(&shown, text, len, 0);
      fprintf(stderr, "input %s\n  got  %s\n  want %s\n", shown.s, got, want);
      free(shown.s);
    }
    free(got);
    free(want);
  }
  CHECK_INT(mismatches, 0);
  /* The reference itself must render what the fixed cases expect. */
  static const char bad[] = "a,\"b\nc\"d,e\nx\n";
  char *r = reference(bad, sizeof bad - 1);
  CHECK_STR(r, "1!bad2@2:1['a'] 3['x']");
  free(r);
  static const char many[] = "1,\"a\n\nb\r\nc\rd\"\n2,x\n\n3,y\n";
  r = reference(many, sizeof many - 1);
  CHECK_STR(r, "1['1',\"a\\n\\nb\\r\\nc\\rd\"] 6['2','x'] 8['3','y']");
  free(r);
}

/* ---- randomized round trip ------------------------------------------------ */

/* Random records written as RFC 4180 (fields quoted when they must be, and
 * sometimes when they need not), with random line ends and blank lines, are
 * read back exactly: same records, fields, quoting and start lines. */
static void test_round_trip(void) {
  static const char *const pieces[] = {"a", "b", "Z", "0", " ", ",", "\"", "\r", "\n",
                                       "\r\n", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                                       "\t", "\0"};
  enum { MAXREC = 40, MAXF = 8 };
  int failures = 0;
  for (int iter = 0; iter < 3000 && failures < 5; iter++) {
    struct out text = {0};
    puts_(&text, "");
    if (rnd(4) == 0)
      puts_(&text, "\xEF\xBB\xBF");
    size_t nrec = 1 + rnd(MAXREC);
    /* Expected records: field texts, lengths, quoting, start offset. */
    char *fields[MAXREC][MAXF];
    size_t lens[MAXREC][MAXF], nf[MAXREC], starts[MAXREC];
    int quoted[MAXREC][MAXF];
    int last_was_cr = 0;
    for (size_t r = 0; r < nrec; r++) {
      while (rnd(6) == 0) { /* blank lines */
        const char *b = last_was_cr ? (rnd(2) ? "\r" : "\r\n") : (rnd(2) ? "\n" : "\r\n");
        if (!last_was_cr && rnd(3) == 0)
          b = "\r";
        puts_(&text, b);
        last_was_cr = b[strlen(b) - 1] == '\r';
      }
      starts[r] = text.len;
      nf[r] = 1 + rnd(MAXF);
      for (size_t f = 0; f < nf[r]; f++) {
        struct out v = {0};
        puts_(&v, "");
        size_t np = rnd(5) == 0 ? 0 : rnd(12);
        int special = 0;
        for (size_t k = 0; k < np; k++) {
          const char *p = pieces[rnd(sizeof pieces / sizeof *pieces)];
          size_t pl = p[0] ? strlen(p) : 1;
          put(&v, p, pl);
          special |= strpbrk(p, ",\"\r\n") != NULL;
        }
        int q = special || rnd(4) == 0 || (nf[r] == 1 && v.len == 0);
        if (f)
          puts_(&text, ",");
        if (q) {
          puts_(&text, "\"");
          for (size_t k = 0; k < v.len; k++) {
            if (v.s[k] == '"')
              puts_(&text, "\"");
            put(&text, &v.s[k], 1);
          }
          puts_(&text, "\"");
        } else {
          put(&text, v.s, v.len);
        }
        fields[r][f] = v.s;
        lens[r][f] = v.len;
        quoted[r][f] = q;
      }
      if (r + 1 < nrec || rnd(2)) {
        const char *eol = rnd(3) == 0 ? "\r" : rnd(2) ? "\n" : "\r\n";
        puts_(&text, eol);
        last_was_cr = eol[strlen(eol) - 1] == '\r';
      }
    }
    /* Exact-size copy; expected lines from counting line ends (LF, CRLF or
     * a lone CR) before each record's start. */
    char *buf = malloc(text.len);
    memcpy(buf, text.s, text.len);
    struct csv c;
    csv_init(&c, buf, text.len);
    int ok = 1;
    for (size_t r = 0; r < nrec && ok; r++) {
      unsigned long long want_line = 1;
      for (size_t i = 0; i < starts[r]; i++)
        if (buf[i] == '\n' || (buf[i] == '\r' && (i + 1 >= text.len || buf[i + 1] != '\n')))
          want_line++;
      if (csv_next(&c) != CSV_RECORD || c.line != want_line || c.nfields != nf[r]) {
        ok = 0;
        fprintf(stderr, "round trip %d record %zu: line %llu (want %llu), %zu fields (want %zu)\n",
                iter, r, (unsigned long long)c.line, want_line, c.nfields, nf[r]);
        break;
      }
      for (size_t f = 0; f < nf[r]; f++) {
        if (c.fields[f].len != lens[r][f] || memcmp(c.fields[f].ptr, fields[r][f], lens[r][f]) ||
            c.fields[f].quoted != quoted[r][f]) {
          ok = 0;
          fprintf(stderr, "round trip %d record %zu field %zu differs\n", iter, r, f);
          break;
        }
      }
    }
    if (ok && csv_next(&c) != CSV_EOF) {
      ok = 0;
      fprintf(stderr, "round trip %d: extra record\n", iter);
    }
    if (!ok)
      failures++;
    csv_free(&c);
    free(buf);
    free(text.s);
    for (size_t r = 0; r < nrec; r++)
      for (size_t f = 0; f < nf[r]; f++)
        free(fields[r][f]);
  }
  CHECK_INT(failures, 0);
}

int main(void) {
  test_line_ends();
  test_bom_and_blank();
  test_empty_fields();
  test_quoted();
  test_bad_quoting();
  test_unterminated();
  test_wide_and_long();
  test_offset_and_reuse();
  test_header();
  test_random_garbage();
  test_round_trip();
  return check_done("csv");
}
