/* Cases CSV reader (data-formats.md sections 3 and 4): one row per case,
 * each recognised column turned into events of the case model, every other
 * column into an attribute; and the column mappings that let a user read an
 * export whose headers are not ours.
 *
 * The accounting and the messages are those of the events reader (reader.c,
 * whose helpers this file borrows through reader_internal.h): every record
 * after the header is one row read, accepted or rejected with at least one
 * error; every problem of a row is reported, not just the first. A row is
 * all or nothing: an accepted row is represented in full, so a figure never
 * quietly lacks half a case. The only values the reader makes up are the
 * ones data-formats.md asks for: an exception without a start date starts
 * at received_date.
 *
 * Speed: the header is resolved once into a kind per column, so a row is one
 * pass over its fields with a switch; dates go straight to ehcp_date_parse();
 * only the case id and attribute values are copied (into the reader's one
 * reusable buffer) and vocabulary words are passed as the static strings of
 * the vocabulary. Duplicate ids are found with a small open-addressing table
 * over one arena, so a million rows cost no allocation each. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_internal.h"
#include "csv.h"
#include "ehcp/date.h"
#include "reader_internal.h"

/* ---- the recognised columns ------------------------------------------------ */

enum field {
  F_CASE_ID,
  F_PERSON_ID,
  F_RECEIVED,
  F_SOURCE,
  F_ASSESS,
  F_ASSESS_DATE,
  F_ISSUE,
  F_ISSUE_DATE,
  F_DRAFT,
  F_FINAL,
  F_EXC,
  F_EXC_START,
  F_EXC_END,
  F_ADV_REQ,      /* 6 columns, one per adviser in vocabulary order */
  F_ADV_REC = F_ADV_REQ + 6,
  F_REVIEW_MEETING = F_ADV_REC + 6,
  F_REVIEW_DECISION,
  F_REVIEW_DECISION_DATE,
  F_REVIEW_DRAFT,
  F_REVIEW_FINAL,
  F_PT_DATE,
  F_PT_KIND,
  F_PT_AMENDED,
  F_CEASED,
  NFIELDS
};

/* What a column's cells are. */
enum { K_ID, K_PERSON, K_DATE, K_WORD };

/* Column kinds beyond the fields (in col_kind). */
enum { COL_ATTR = NFIELDS, COL_IGNORED };

static const struct field_spec {
  const char *name;
  unsigned char kind;
  unsigned char type; /* K_WORD: the event type whose vocabulary it takes */
} fields[NFIELDS] = {
    [F_CASE_ID] = {"case_id", K_ID, 0},
    [F_PERSON_ID] = {"person_id", K_PERSON, 0},
    [F_RECEIVED] = {"received_date", K_DATE, 0},
    [F_SOURCE] = {"request_source", K_WORD, EHCP_EV_REQUEST_RECEIVED},
    [F_ASSESS] = {"assessment_decision", K_WORD, EHCP_EV_ASSESSMENT_DECISION},
    [F_ASSESS_DATE] = {"assessment_decision_date", K_DATE, 0},
    [F_ISSUE] = {"issue_decision", K_WORD, EHCP_EV_ISSUE_DECISION},
    [F_ISSUE_DATE] = {"issue_decision_date", K_DATE, 0},
    [F_DRAFT] = {"draft_issued_date", K_DATE, 0},
    [F_FINAL] = {"final_issued_date", K_DATE, 0},
    [F_EXC] = {"exception", K_WORD, EHCP_EV_EXCEPTION},
    [F_EXC_START] = {"exception_start", K_DATE, 0},
    [F_EXC_END] = {"exception_end", K_DATE, 0},
    [F_ADV_REQ + 0] = {"advice_education_requested", K_DATE, 0},
    [F_ADV_REQ + 1] = {"advice_early_years_requested", K_DATE, 0},
    [F_ADV_REQ + 2] = {"advice_ep_requested", K_DATE, 0},
    [F_ADV_REQ + 3] = {"advice_health_requested", K_DATE, 0},
    [F_ADV_REQ + 4] = {"advice_social_care_requested", K_DATE, 0},
    [F_ADV_REQ + 5] = {"advice_other_requested", K_DATE, 0},
    [F_ADV_REC + 0] = {"advice_education_received", K_DATE, 0},
    [F_ADV_REC + 1] = {"advice_early_years_received", K_DATE, 0},
    [F_ADV_REC + 2] = {"advice_ep_received", K_DATE, 0},
    [F_ADV_REC + 3] = {"advice_health_received", K_DATE, 0},
    [F_ADV_REC + 4] = {"advice_social_care_received", K_DATE, 0},
    [F_ADV_REC + 5] = {"advice_other_received", K_DATE, 0},
    [F_REVIEW_MEETING] = {"review_meeting_date", K_DATE, 0},
    [F_REVIEW_DECISION] = {"review_decision", K_WORD, EHCP_EV_REVIEW_DECISION},
    [F_REVIEW_DECISION_DATE] = {"review_decision_date", K_DATE, 0},
    [F_REVIEW_DRAFT] = {"review_draft_date", K_DATE, 0},
    [F_REVIEW_FINAL] = {"review_final_date", K_DATE, 0},
    [F_PT_DATE] = {"phase_transfer_date", K_DATE, 0},
    [F_PT_KIND] = {"phase_transfer_kind", K_WORD, EHCP_EV_PHASE_TRANSFER},
    [F_PT_AMENDED] = {"phase_transfer_amended_date", K_DATE, 0},
    [F_CEASED] = {"ceased_date", K_DATE, 0},
};

/* Field named name[0..len) ignoring ASCII case, or -1. */
static int field_by_name(const char *name, size_t len) {
  for (int f = 0; f < NFIELDS; f++)
    if (csv_name_eq(name, len, fields[f].name))
      return f;
  return -1;
}

/* "yes, no or withdrawn" (with "0, 1, " first for the exception column). */
static const char *vocab_list(char *out, size_t size, int field) {
  const char *const *words;
  int n = event_detail_vocabulary(fields[field].type, &words);
  size_t len = (size_t)snprintf(out, size, "%s", field == F_EXC ? "0, 1, " : "");
  for (int i = 0; i < n && len < size; i++)
    len += (size_t)snprintf(out + len, size - len, "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ",
                            words[i]);
  return out;
}

/* ---- column mappings ---------------------------------------------------------- */

struct cases_column_map {
  int field;
  char *header; /* trimmed */
};

void read_cases_free_maps(ehcp_reader *r) {
  for (size_t i = 0; i < r->nmaps; i++)
    free(r->maps[i].header);
  free(r->maps);
  r->maps = NULL;
  r->nmaps = r->maps_cap = 0;
}

int ehcp_reader_map_column(ehcp_reader *r, const char *field, const char *header) {
  if (!r)
    return EHCP_ERR_INVALID;
  r->errmsg[0] = '\0';
  if (!field || !header)
    return reader_set_errmsg(r, "%s is NULL", field ? "header" : "field"), EHCP_ERR_INVALID;
  char a[READER_SHOW_SIZE], b[READER_SHOW_SIZE];
  int f = field_by_name(field, strlen(field));
  if (f < 0)
    return reader_set_errmsg(r, "unknown field '%s': not a cases CSV column",
                             reader_show(a, sizeof a, field, strlen(field))),
           EHCP_ERR_INVALID;
  size_t len = strlen(header);
  while (len > 0 && (*header == ' ' || *header == '\t'))
    header++, len--;
  while (len > 0 && (header[len - 1] == ' ' || header[len - 1] == '\t'))
    len--;
  if (len == 0)
    return reader_set_errmsg(r, "header for %s is empty", fields[f].name), EHCP_ERR_INVALID;
  for (size_t i = 0; i < r->nmaps; i++) {
    if (!csv_name_eq(header, len, r->maps[i].header))
      continue;
    if (r->maps[i].field == f)
      return EHCP_OK;
    return reader_set_errmsg(r, "column '%s' is already mapped to %s",
                             reader_show(b, sizeof b, header, len),
                             fields[r->maps[i].field].name),
           EHCP_ERR_INVALID;
  }
  if (r->nmaps == r->maps_cap) {
    size_t cap = r->maps_cap ? r->maps_cap * 2 : 8;
    struct cases_column_map *m = realloc(r->maps, cap * sizeof *m);
    if (!m)
      return reader_set_errmsg(r, "out of memory"), EHCP_ERR_NOMEM;
    r->maps = m;
    r->maps_cap = cap;
  }
  char *copy = malloc(len + 1);
  if (!copy)
    return reader_set_errmsg(r, "out of memory"), EHCP_ERR_NOMEM;
  memcpy(copy, header, len);
  copy[len] = '\0';
  r->maps[r->nmaps++] = (struct cases_column_map){f, copy};
  return EHCP_OK;
}

/* ---- case ids seen in this file ------------------------------------------------ */

/* The index of intern.h and the case set (index.h) over entries in an
 * arena: a row costs no allocation, and a new id is settled by its slot.
 * The same hash serves this index and the case set's. */
struct id_entry {
  uint64_t line; /* the line the id was first seen at */
  uint32_t len;
  char id[];
};

struct idset {
  struct index index;        /* id -> entry number + 1 */
  struct arena arena;        /* the entries */
  struct id_entry **entries;
  size_t n, cap;
};

static void idset_free(struct idset *s) {
  index_free(&s->index);
  arena_free(&s->arena);
  free(s->entries);
}

static int same_id(const void *set, uint32_t entry, const char *id, size_t len) {
  const struct id_entry *e = ((const struct idset *)set)->entries[entry - 1];
  return e->len == len && memcmp(e->id, id, len) == 0;
}

/* The line id[0..len) (of hash h) was first seen at, or 0 if never. */
static uint64_t idset_find(const struct idset *s, const char *id, size_t len, uint32_t h) {
  if (!s->index.cap)
    return 0;
  uint32_t e = s->index.slots[index_probe(&s->index, id, len, h, same_id, s)].id;
  return e ? s->entries[e - 1]->line : 0;
}

/* Add id[0..len) (of hash h = index_hash(id, len)) first seen at line; if
 * it was already there, *first gets the line it was first seen at (else
 * 0). EHCP_OK or EHCP_ERR_NOMEM (also past 4G ids). */
static int idset_add(struct idset *s, const char *id, size_t len, uint32_t h, uint64_t line,
                     uint64_t *first) {
  *first = 0;
  if (s->n >= UINT32_MAX - 1 || len > UINT32_MAX || index_reserve(&s->index))
    return EHCP_ERR_NOMEM;
  size_t k = index_probe(&s->index, id, len, h, same_id, s);
  if (s->index.slots[k].id) {
    *first = s->entries[s->index.slots[k].id - 1]->line;
    return EHCP_OK;
  }
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 1024;
    struct id_entry **grown = realloc(s->entries, cap * sizeof *grown);
    if (!grown)
      return EHCP_ERR_NOMEM;
    s->entries = grown;
    s->cap = cap;
  }
  struct id_entry *e = arena_alloc(&s->arena, sizeof *e + len, _Alignof(struct id_entry));
  if (!e)
    return EHCP_ERR_NOMEM;
  e->line = line;
  e->len = (uint32_t)len;
  memcpy(e->id, id, len);
  s->entries[s->n++] = e;
  s->index.slots[k] = (struct index_slot){h, (uint32_t)s->n};
  s->index.n++;
  return EHCP_OK;
}

/* ---- one read -------------------------------------------------------------------- */

struct cr {
  ehcp_reader *r;
  const char *name; /* source for diagnostics, may be NULL */
  int add;          /* 0: check only, add nothing to the set */
  const char *data;
  size_t len;
  size_t span;      /* bytes of input the current record took */
  struct csv csv;
  struct csv_header hdr;
  unsigned short *col_kind;   /* per column: a field, COL_ATTR or COL_IGNORED */
  long col[NFIELDS];          /* column of each field, or -1 */
  const char *label[NFIELDS]; /* name in messages: "received_date", or with the mapped
                                 column "received_date (column 'Date request received')" */
  char *labels;               /* storage of the mapped labels */
  struct idset ids;           /* the ids this file has had (see first_seen()) */
  int ids_in_set;             /* accepted rows' ids are found as cases of the set */
  int sized;                  /* the tables are sized for the file (at its first row) */
  uint32_t *attr_name;        /* per column: interned name of an attribute column, else 0 */
  uint32_t *attr_hash;        /* per column: the current row's value's hash */
  size_t *attr_cols, nattr_cols; /* the attribute columns, person_id first */
  uint64_t read, accepted, rejected;
};

enum { ROW_ACCEPTED = 0, ROW_REJECTED = 1 };

static int rejected(int rc) { return rc == EHCP_OK ? ROW_REJECTED : rc; }

static const char *shown(const struct cr *x) { return x->name ? x->name : "(buffer)"; }

/* Resolve the header: which field or attribute each column is. Reports
 * every problem; EHCP_OK, EHCP_ERR_PARSE or EHCP_ERR_NOMEM. */
static int plan_columns(struct cr *x) {
  ehcp_reader *r = x->r;
  size_t n = x->hdr.n;
  char a[READER_SHOW_SIZE], b[READER_SHOW_SIZE];
  int errors = 0;
#define HEADER_ERR(errfmt, errarg, ...)                                                       \
  do {                                                                                     \
    if (reader_diag(r, x->name, EHCP_SEVERITY_ERROR, EHCP_DIAG_MISSING_COLUMN, x->hdr.line, \
                    NULL, __VA_ARGS__))                                                     \
      return EHCP_ERR_NOMEM;                                                               \
    if (!errors++)                                                                         \
      reader_set_errmsg(r, "%s:%u: " errfmt, shown(x), reader_line32(x->hdr.line), errarg); \
  } while (0)

  for (int f = 0; f < NFIELDS; f++)
    x->col[f] = -1;
  if (!(x->col_kind = malloc((n ? n : 1) * sizeof *x->col_kind)))
    return EHCP_ERR_NOMEM;
  size_t label_bytes = 0;
  int mapped[NFIELDS] = {0};
  for (size_t i = 0; i < n; i++) {
    const char *h = x->hdr.names[i];
    size_t hlen = strlen(h);
    int f = -1, via_map = 0;
    for (size_t m = 0; m < r->nmaps && f < 0; m++)
      if (csv_name_eq(h, hlen, r->maps[m].header))
        f = r->maps[m].field, via_map = 1;
    if (f < 0)
      f = field_by_name(h, hlen);
    if (f < 0) {
      x->col_kind[i] = hlen ? COL_ATTR : COL_IGNORED;
      continue;
    }
    x->col_kind[i] = (unsigned short)f;
    if (x->col[f] < 0) {
      x->col[f] = (long)i;
      mapped[f] = via_map && !csv_name_eq(h, hlen, fields[f].name);
      if (mapped[f])
        label_bytes += strlen(fields[f].name) + READER_SHOW_SIZE + 16;
      continue;
    }
    /* A second column for a field: which one would be meant? */
    const char *first = x->hdr.names[x->col[f]];
    x->col_kind[i] = COL_IGNORED;
    if (csv_name_eq(h, hlen, first)) {
      const char *nm = mapped[f] ? reader_show(a, sizeof a, first, strlen(first)) : fields[f].name;
      HEADER_ERR("column '%s' appears more than once", nm,
                 "column '%s' appears more than once (columns %ld and %zu)", nm, x->col[f] + 1,
                 i + 1);
    } else {
      HEADER_ERR("more than one column for %s", fields[f].name,
                 "columns %ld ('%s') and %zu ('%s') are both %s", x->col[f] + 1,
                 reader_show(a, sizeof a, first, strlen(first)), i + 1,
                 reader_show(b, sizeof b, h, hlen), fields[f].name);
    }
  }
  /* Attributes are named by their header, so two columns of one name (in
   * any case) cannot both be read: the attributes reader says the same. */
  for (size_t i = 0; i < n; i++) {
    if (x->col_kind[i] != COL_ATTR)
      continue;
    const char *h = x->hdr.names[i];
    for (size_t j = i + 1; j < n; j++) {
      if (x->col_kind[j] == COL_ATTR && csv_name_eq(h, strlen(h), x->hdr.names[j])) {
        const char *nm = reader_show(a, sizeof a, h, strlen(h));
        HEADER_ERR("column '%s' appears more than once", nm,
                   "column '%s' appears more than once (columns %zu and %zu)", nm, i + 1, j + 1);
        x->col_kind[j] = COL_IGNORED;
      }
    }
  }
  static const int required[] = {F_CASE_ID, F_RECEIVED};
  for (size_t k = 0; k < sizeof required / sizeof *required; k++) {
    int f = required[k];
    if (x->col[f] >= 0)
      continue;
    char also[600] = "";
    size_t len = 0;
    for (size_t m = 0; m < r->nmaps; m++)
      if (r->maps[m].field == f && len < sizeof also - READER_SHOW_SIZE - 16) {
        const char *h = r->maps[m].header;
        len += (size_t)snprintf(also + len, sizeof also - len, "%s'%s'",
                                len ? " or " : " (or ", reader_show(a, sizeof a, h, strlen(h)));
      }
    if (len)
      snprintf(also + len, sizeof also - len, ")");
    HEADER_ERR("missing required column '%s'", fields[f].name,
               "missing required column '%s'%s for a cases CSV", fields[f].name, also);
  }
  if (errors)
    return EHCP_ERR_PARSE;
#undef HEADER_ERR

  if (label_bytes && !(x->labels = malloc(label_bytes)))
    return EHCP_ERR_NOMEM;
  char *at = x->labels;
  for (int f = 0; f < NFIELDS; f++) {
    x->label[f] = fields[f].name;
    if (x->col[f] >= 0 && mapped[f]) {
      const char *h = x->hdr.names[x->col[f]];
      x->label[f] = at;
      at += snprintf(at, label_bytes - (size_t)(at - x->labels), "%s (column '%s')",
                     fields[f].name, reader_show(a, sizeof a, h, strlen(h))) + 1;
    }
  }

  /* Notes and warnings about the columns that become attributes. */
  char list[256];
  size_t len = 0, unnamed = 0;
  for (size_t i = 0; i < n; i++) {
    if (x->hdr.names[i][0])
      continue;
    if (len < sizeof list - 32)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%zu", unnamed ? ", " : "", i + 1);
    else if (len < sizeof list - 8)
      len += (size_t)snprintf(list + len, sizeof list - len, ", ...");
    unnamed++;
  }
  if (unnamed && reader_diag(r, x->name, EHCP_SEVERITY_NOTE, EHCP_DIAG_COLUMN_COUNT, x->hdr.line,
                             NULL,
                             unnamed == 1 ? "column %s has no name and is ignored"
                                          : "columns %s have no name and are ignored",
                             list))
    return EHCP_ERR_NOMEM;
  /* advice_<adviser>_requested with an adviser we do not know is most
   * likely a typing slip: say so rather than quietly make an attribute. */
  for (size_t i = 0; i < n; i++) {
    const char *h = x->hdr.names[i];
    size_t hlen = strlen(h);
    if (x->col_kind[i] != COL_ATTR || hlen < 7 || !csv_name_eq(h, 7, "advice_"))
      continue;
    size_t tail = hlen >= 10 && csv_name_eq(h + hlen - 10, 10, "_requested") ? 10
                  : hlen >= 9 && csv_name_eq(h + hlen - 9, 9, "_received")   ? 9
                                                                              : 0;
    if (!tail || hlen <= 7 + tail)
      continue;
    char words[128];
    const char *const *advisers;
    int na = event_detail_vocabulary(EHCP_EV_ADVICE_REQUESTED, &advisers);
    size_t wl = 0;
    for (int k = 0; k < na && wl < sizeof words; k++)
      wl += (size_t)snprintf(words + wl, sizeof words - wl, "%s%s",
                             k == 0 ? "" : k == na - 1 ? " or " : ", ", advisers[k]);
    if (reader_diag(r, x->name, EHCP_SEVERITY_WARNING, EHCP_DIAG_UNKNOWN_DETAIL, x->hdr.line,
                    NULL,
                    "column '%s' is read as an attribute: '%s' is not an adviser (%s)",
                    reader_show(a, sizeof a, h, hlen),
                    reader_show(b, sizeof b, h + 7, hlen - 7 - tail), words))
      return EHCP_ERR_NOMEM;
  }
  return EHCP_OK;
}

/* The most events one row makes: one per date column. */
enum { ROW_EVENTS_MAX = 32 };

/* Append one checked event to the row's list. */
static void row_event(struct event *evs, uint32_t *n, const struct cr *x, int type, ehcp_date date,
                      int detail, ehcp_date end, uint64_t line) {
  evs[(*n)++] = (struct event){.date = date,
                               .end = end,
                               .type = (uint8_t)type,
                               .detail = (uint8_t)detail,
                               .source = x->r->set->current_source,
                               .line = reader_line32(line)};
}

/* The columns that become attributes (person_id first, then the others in
 * file order) and their names' interned ids, made once per file so that a
 * row's attributes cost no look-up of their names. */
static int plan_attributes(struct cr *x) {
  int rc = EHCP_OK;
  ehcp_case_set *set = x->r->set;
  size_t n = x->hdr.n ? x->hdr.n : 1;
  x->attr_name = calloc(n, sizeof *x->attr_name);
  x->attr_hash = calloc(n, sizeof *x->attr_hash);
  x->attr_cols = calloc(n, sizeof *x->attr_cols);
  if (!x->attr_name || !x->attr_hash || !x->attr_cols)
    return EHCP_ERR_NOMEM;
  long person = x->col[F_PERSON_ID];
  if (person >= 0) {
    x->attr_name[person] = case_set_intern(set, "person_id", 9, &rc);
    x->attr_cols[x->nattr_cols++] = (size_t)person;
  }
  for (size_t i = 0; i < x->hdr.n && rc == EHCP_OK; i++) {
    if (x->col_kind[i] != COL_ATTR)
      continue;
    x->attr_name[i] = case_set_intern(set, x->hdr.names[i], strlen(x->hdr.names[i]), &rc);
    x->attr_cols[x->nattr_cols++] = i;
  }
  return rc;
}

/* Add a checked row: its case, the events in the order of the process (the
 * set sorts them by date; this order settles ties), then its attributes. */
static int add_row(struct cr *x, const char *id, size_t id_len, uint32_t id_hash,
                   const ehcp_date *date, const signed char *word, uint64_t line) {
  ehcp_case_set *set = x->r->set;
  const struct csv_field *cells = x->csv.fields;
  struct event evs[ROW_EVENTS_MAX];
  uint32_t n = 0;
#define ADD(type, d, detail, end) row_event(evs, &n, x, type, d, detail, end, line)
  ADD(EHCP_EV_REQUEST_RECEIVED, date[F_RECEIVED], word[F_SOURCE], EHCP_DATE_NONE);
  if (word[F_EXC] > 0)
    ADD(EHCP_EV_EXCEPTION, date[F_EXC_START] != EHCP_DATE_NONE ? date[F_EXC_START] : date[F_RECEIVED],
        word[F_EXC], date[F_EXC_END]);
  if (word[F_ASSESS] > 0)
    ADD(EHCP_EV_ASSESSMENT_DECISION, date[F_ASSESS_DATE], word[F_ASSESS], EHCP_DATE_NONE);
  for (int k = 0; k < 6; k++)
    if (date[F_ADV_REQ + k] != EHCP_DATE_NONE)
      ADD(EHCP_EV_ADVICE_REQUESTED, date[F_ADV_REQ + k], k + 1, EHCP_DATE_NONE);
  for (int k = 0; k < 6; k++)
    if (date[F_ADV_REC + k] != EHCP_DATE_NONE)
      ADD(EHCP_EV_ADVICE_RECEIVED, date[F_ADV_REC + k], k + 1, EHCP_DATE_NONE);
  if (word[F_ISSUE] > 0)
    ADD(EHCP_EV_ISSUE_DECISION, date[F_ISSUE_DATE], word[F_ISSUE], EHCP_DATE_NONE);
  static const struct {
    unsigned char field, type;
  } plain[] = {{F_DRAFT, EHCP_EV_DRAFT_ISSUED},
               {F_FINAL, EHCP_EV_FINAL_ISSUED},
               {F_REVIEW_MEETING, EHCP_EV_REVIEW_MEETING}};
  for (size_t k = 0; k < sizeof plain / sizeof *plain; k++)
    if (date[plain[k].field] != EHCP_DATE_NONE)
      ADD(plain[k].type, date[plain[k].field], 0, EHCP_DATE_NONE);
  if (word[F_REVIEW_DECISION] > 0)
    ADD(EHCP_EV_REVIEW_DECISION, date[F_REVIEW_DECISION_DATE], word[F_REVIEW_DECISION],
        EHCP_DATE_NONE);
  if (date[F_REVIEW_DRAFT] != EHCP_DATE_NONE)
    ADD(EHCP_EV_REVIEW_DRAFT, date[F_REVIEW_DRAFT], 0, EHCP_DATE_NONE);
  if (date[F_REVIEW_FINAL] != EHCP_DATE_NONE)
    ADD(EHCP_EV_REVIEW_FINAL, date[F_REVIEW_FINAL], 0, EHCP_DATE_NONE);
  if (word[F_PT_KIND] > 0)
    ADD(EHCP_EV_PHASE_TRANSFER, date[F_PT_DATE], word[F_PT_KIND], EHCP_DATE_NONE);
  if (date[F_PT_AMENDED] != EHCP_DATE_NONE)
    ADD(EHCP_EV_PHASE_TRANSFER_AMENDED, date[F_PT_AMENDED], 0, EHCP_DATE_NONE);
  if (date[F_CEASED] != EHCP_DATE_NONE)
    ADD(EHCP_EV_PLAN_CEASED, date[F_CEASED], 0, EHCP_DATE_NONE);
#undef ADD

  /* The case, with one allocation for the row's events. */
  struct ehcp_case *c = case_set_case_hashed(set, id, id_len, id_hash);
  if (!c || case_reserve_events(set, c, n) != EHCP_OK)
    return EHCP_ERR_NOMEM;
  for (uint32_t i = 0; i < n; i++)
    if (case_add_event(set, c, &evs[i]) != EHCP_OK)
      return EHCP_ERR_NOMEM;

  /* Attributes (the person id first), by interned ids, in one block. */
  int rc = EHCP_OK;
  if (case_reserve_attributes(set, c, (uint32_t)x->nattr_cols) != EHCP_OK)
    return EHCP_ERR_NOMEM;
  for (size_t k = 0; k < x->nattr_cols; k++) {
    size_t i = x->attr_cols[k];
    if (cells[i].len == 0)
      continue;
    uint32_t v = case_set_intern_hashed(set, cells[i].ptr, cells[i].len, x->attr_hash[i], &rc);
    if (rc != EHCP_OK || case_set_attribute(set, c, x->attr_name[i], v) != EHCP_OK)
      return EHCP_ERR_NOMEM;
  }
  return ROW_ACCEPTED;
}

/* The line at which this file had the id before, or 0 if it had not (a
 * duplicate is a duplicate even of a rejected row: the first row of an id
 * owns it). Reading into a set that was empty when the file began, the
 * usual single export, an accepted row's id is its case in the set, so
 * only the rejected rows' ids need the file's own index (see
 * note_rejected()): a million rows then cost one table probe each, not
 * two, and no second copy of every id. */
static int first_seen(struct cr *x, const char *id, size_t len, uint32_t h, uint64_t line,
                      uint64_t *first) {
  if (!x->ids_in_set)
    return idset_add(&x->ids, id, len, h, line, first);
  const struct ehcp_case *c = case_set_find(x->r->set, id, len, h);
  *first = c ? c->events[0].line : idset_find(&x->ids, id, len, h);
  return EHCP_OK;
}

/* A rejected row's id, new to the file, when ids are found in the set. */
static int note_rejected(struct cr *x, const char *id, size_t len, uint32_t h, uint64_t line) {
  uint64_t first;
  return x->ids_in_set ? idset_add(&x->ids, id, len, h, line, &first) : EHCP_OK;
}

/* Check one data row and add its case. Returns ROW_ACCEPTED, ROW_REJECTED
 * or EHCP_ERR_NOMEM. */
static int case_row(struct cr *x) {
  ehcp_reader *r = x->r;
  const struct csv *c = &x->csv;
  const struct csv_field *cells = c->fields;
  const uint64_t line = c->line;
  char a[READER_SHOW_SIZE], list[256];
  const long case_col = x->col[F_CASE_ID];

  if (c->nfields != x->hdr.n) {
    const char *id = NULL;
    if ((size_t)case_col < c->nfields && cells[case_col].len &&
        !reader_cells_reserve(r, cells[case_col].len + 1)) {
      memcpy(r->cells, cells[case_col].ptr, cells[case_col].len);
      r->cells[cells[case_col].len] = '\0';
      id = r->cells;
    }
    return rejected(reader_diag(r, x->name, EHCP_SEVERITY_ERROR, EHCP_DIAG_COLUMN_COUNT, line, id,
                                "row has %zu field%s, the header has %zu", c->nfields,
                                c->nfields == 1 ? "" : "s", x->hdr.n));
  }

  /* A copy of the id, NUL-terminated for the messages. */
  const struct csv_field *fid = &cells[case_col];
  if (reader_cells_reserve(r, fid->len + 1))
    return EHCP_ERR_NOMEM;
  char *id = r->cells;
  memcpy(id, fid->ptr, fid->len);
  id[fid->len] = '\0';

  int errors = 0, rc;
#define ERR(code, ...)                                                                   \
  do {                                                                                   \
    errors++;                                                                            \
    if ((rc = reader_diag(r, x->name, EHCP_SEVERITY_ERROR, code, line, id, __VA_ARGS__)) \
        != EHCP_OK)                                                                      \
      return rc;                                                                         \
  } while (0)

  int id_ok = 0;
  uint32_t id_h = 0; /* the id's hash, in this file's ids and the case set */
  if (fid->len == 0) {
    ERR(EHCP_DIAG_MISSING_VALUE, "case_id is empty");
  } else if (memchr(fid->ptr, '\0', fid->len)) {
    ERR(EHCP_DIAG_MISSING_VALUE, "case_id contains a NUL byte");
  } else {
    id_ok = 1;
    if (!x->sized) {
      x->sized = 1;
      /* Size the table for the rows the rest of the input seems to hold
       * (by the first row, at most 2M ids' worth): growing a big table
       * means rehashing into cold memory. */
      size_t rest = x->len - csv_offset(&x->csv, x->data), per = x->span > 64 ? x->span : 64;
      size_t rows = rest / per + 1;
      rows = rows < ((size_t)1 << 21) ? rows : (size_t)1 << 21;
      if (!x->ids_in_set && index_reserve_n(&x->ids.index, rows))
        return EHCP_ERR_NOMEM;
      /* The case set too: a case a row, and a person id a row. */
      if (x->add && case_set_expect(r->set, rows, x->col[F_PERSON_ID] >= 0 ? rows : 0))
        return EHCP_ERR_NOMEM;
    }
    id_h = index_hash(fid->ptr, fid->len);
    index_prefetch(x->ids_in_set ? &r->set->by_id : &x->ids.index, id_h);
    if (x->add && !x->ids_in_set)
      index_prefetch(&r->set->by_id, id_h);
  }
  /* Attribute values may be (nearly) unique, as person ids are: start
   * fetching their string slots now, while the row is checked. */
  if (x->add)
    for (size_t i = 0; i < c->nfields; i++)
      if (x->attr_name[i] && cells[i].len) {
        x->attr_hash[i] = index_hash(cells[i].ptr, cells[i].len);
        strings_prefetch(&r->set->strings, x->attr_hash[i]);
      }

  ehcp_date date[NFIELDS];
  signed char word[NFIELDS]; /* vocabulary index + 1; 0 empty; -1 unknown; exception: -2 "0" */
  for (int f = 0; f < NFIELDS; f++)
    date[f] = EHCP_DATE_NONE;
  memset(word, 0, sizeof word);

  const unsigned short *kind = x->col_kind;
  for (size_t i = 0; i < c->nfields; i++) {
    const struct csv_field *cell = &cells[i];
    unsigned k = kind[i];
    if (k < NFIELDS) {
      if (cell->len == 0)
        continue;
      const char *why;
      switch (fields[k].kind) {
      case K_DATE:
        if (ehcp_date_parse(&date[k], cell->ptr, cell->len, &why) != EHCP_OK) {
          date[k] = EHCP_DATE_NONE;
          ERR(EHCP_DIAG_BAD_DATE, "%s '%s' is not a date (%s)", x->label[k],
              reader_show(a, sizeof a, cell->ptr, cell->len), why);
        }
        break;
      case K_WORD:
        if (k == F_EXC && cell->len == 1 && (cell->ptr[0] == '0' || cell->ptr[0] == '1')) {
          word[k] = cell->ptr[0] == '0' ? -2 : EHCP_EXC_UNSPECIFIED;
        } else if (!(word[k] = (signed char)event_detail_index_n(fields[k].type, cell->ptr, cell->len))) {
          word[k] = -1;
          ERR(EHCP_DIAG_UNKNOWN_DETAIL, "unknown %s '%s' (expected %s)", x->label[k],
              reader_show(a, sizeof a, cell->ptr, cell->len), vocab_list(list, sizeof list, (int)k));
        }
        break;
      case K_PERSON:
        if (memchr(cell->ptr, '\0', cell->len)) {
          ERR(EHCP_DIAG_MISSING_VALUE, "%s contains a NUL byte", x->label[k]);
        }
        break;
      default: /* K_ID: done above */
        break;
      }
    } else if (k == COL_ATTR && cell->len && memchr(cell->ptr, '\0', cell->len)) {
      char label[READER_SHOW_SIZE + 32];
      ERR(EHCP_DIAG_MISSING_VALUE, "%s contains a NUL byte",
          reader_field_label(label, sizeof label, &x->hdr, i));
    }
  }

  uint64_t first = 0;
  if (id_ok) {
    if (first_seen(x, fid->ptr, fid->len, id_h, line, &first))
      return EHCP_ERR_NOMEM;
    if (first)
      ERR(EHCP_DIAG_DUPLICATE_CASE,
          "case already has a row at line %llu; a cases CSV has one row per case",
          (unsigned long long)first);
  }

  /* Whether field f's cell is not empty (its column may be absent). */
#define HAS(f) (x->col[f] >= 0 && cells[x->col[f]].len > 0)

  if (x->col[F_RECEIVED] >= 0 && !HAS(F_RECEIVED))
    ERR(EHCP_DIAG_MISSING_VALUE, "%s is empty", x->label[F_RECEIVED]);

  /* A decision word and its date come together. */
  static const int pairs[][2] = {{F_ASSESS, F_ASSESS_DATE},
                                 {F_ISSUE, F_ISSUE_DATE},
                                 {F_REVIEW_DECISION, F_REVIEW_DECISION_DATE},
                                 {F_PT_KIND, F_PT_DATE}};
  for (size_t p = 0; p < sizeof pairs / sizeof *pairs; p++) {
    int w = pairs[p][0], d = pairs[p][1];
    if (HAS(w) && !HAS(d)) {
      if (x->col[d] >= 0)
        ERR(EHCP_DIAG_MISSING_VALUE, "%s is '%s' but %s is empty", x->label[w],
            reader_show(a, sizeof a, cells[x->col[w]].ptr, cells[x->col[w]].len), x->label[d]);
      else
        ERR(EHCP_DIAG_MISSING_VALUE, "%s is '%s' but the file has no %s column", x->label[w],
            reader_show(a, sizeof a, cells[x->col[w]].ptr, cells[x->col[w]].len),
            fields[d].name);
    } else if (HAS(d) && !HAS(w)) {
      if (x->col[w] >= 0)
        ERR(EHCP_DIAG_MISSING_VALUE, "%s is set but %s is empty (expected %s)", x->label[d],
            x->label[w], vocab_list(list, sizeof list, w));
      else
        ERR(EHCP_DIAG_MISSING_VALUE, "%s is set but the file has no %s column (%s)",
            x->label[d], fields[w].name, vocab_list(list, sizeof list, w));
    }
  }

  /* Exception dates without an exception. */
  if (word[F_EXC] == 0 || word[F_EXC] == -2) {
    static const int ends[] = {F_EXC_START, F_EXC_END};
    for (size_t e = 0; e < 2; e++) {
      int f = ends[e];
      if (!HAS(f))
        continue;
      if (word[F_EXC] == -2)
        ERR(EHCP_DIAG_DATE_MISMATCH, "%s is set but %s is 0", x->label[f], x->label[F_EXC]);
      else if (x->col[F_EXC] >= 0)
        ERR(EHCP_DIAG_MISSING_VALUE, "%s is set but %s is empty (expected 1 or a reason: %s)",
            x->label[f], x->label[F_EXC], vocab_list(list, sizeof list, F_EXC) + 6);
      else
        ERR(EHCP_DIAG_MISSING_VALUE, "%s is set but the file has no exception column",
            x->label[f]);
    }
  }
#undef HAS
#undef ERR
  if (errors)
    return id_ok && !first && note_rejected(x, fid->ptr, fid->len, id_h, line) ? EHCP_ERR_NOMEM
                                                                               : ROW_REJECTED;

  if (!x->add)
    return ROW_ACCEPTED;
  return add_row(x, id, fid->len, id_h, date, word, line);
}

static int read_rows(struct cr *x) {
  for (;;) {
    size_t before = csv_offset(&x->csv, x->data);
    int t = csv_next(&x->csv), rc;
    x->span = csv_offset(&x->csv, x->data) - before;
    if (t == CSV_EOF)
      return EHCP_OK;
    if (t == CSV_NOMEM)
      return EHCP_ERR_NOMEM;
    rc = t == CSV_RECORD ? case_row(x)
                         : rejected(reader_quoting_diag(x->r, x->name, &x->csv, &x->hdr, t,
                                                        x->col[F_CASE_ID], ""));
    if (rc < 0)
      return rc;
    x->read++;
    if (rc == ROW_REJECTED)
      x->rejected++;
    else
      x->accepted++;
  }
}

int read_cases_csv_ex(ehcp_reader *r, const char *data, size_t len, const char *name,
                      struct read_counts *counts, int add) {
  /* Lines past 2^32 would not fit the events' line numbers, which
   * first_seen() reads: such a file is over 4 GB, and uses the index. */
  struct cr x = {.r = r, .name = name, .add = add, .data = data, .len = len,
                 .ids_in_set = add && ehcp_case_set_count(r->set) == 0 && len <= UINT32_MAX};
  int rc = EHCP_OK;
  if (add && (rc = ehcp_case_set_set_source(r->set, name)) != EHCP_OK) {
    reader_set_errmsg(r, "%s: %s", shown(&x), ehcp_case_set_errmsg(r->set));
    return rc;
  }
  csv_init(&x.csv, data, len);
  rc = reader_read_header(r, name, &x.csv, &x.hdr);
  if (rc == EHCP_OK)
    rc = plan_columns(&x);
  if (rc == EHCP_OK && add)
    rc = plan_attributes(&x);
  if (rc == EHCP_OK)
    rc = read_rows(&x);
  if (rc == EHCP_ERR_NOMEM)
    reader_set_errmsg(r, "%s: out of memory", shown(&x));
  idset_free(&x.ids);
  free(x.labels);
  free(x.attr_name);
  free(x.attr_hash);
  free(x.attr_cols);
  free(x.col_kind);
  csv_header_free(&x.hdr);
  csv_free(&x.csv);
  /* A failed header counts nothing; a read cut short by memory counts what
   * was done, so the totals stay exact. */
  counts->read = x.read;
  counts->accepted = x.accepted;
  counts->rejected = x.rejected;
  return rc;
}

int read_cases_csv(ehcp_reader *r, const char *data, size_t len, const char *name,
                   struct read_counts *counts) {
  return read_cases_csv_ex(r, data, len, name, counts, 1);
}
