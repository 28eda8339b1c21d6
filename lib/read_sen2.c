/* SEN2 person-level XML (data-formats.md section 5) into a case set.
 *
 * Streaming: expat is fed the buffer in 1 MiB pieces and the reader keeps
 * only the open elements, the current person (its requests' plan facts and
 * its ActivePlans, a few hundred bytes each) and the current request. A
 * return of any number of persons is read in memory that does not grow with
 * them; only the case set (and diagnostics, for data that has problems) do.
 *
 * What becomes what (the decisions the mapping table leaves open):
 *
 * - Rows. A row is one <Requests> element, and each becomes the case
 *   "KEY/N": KEY is the person's UPN, else UniqueLearnerNumber, else "P" and
 *   the person's position in the file (1-based), N the request's position
 *   within the person (1-based). The key is fixed at the person's first
 *   <Requests>; a UPN after it is reported and not used. Every request read
 *   gets its case (attributes at least), also when it is rejected: rows read
 *   = accepted + rejected, where a rejected request has at least one error
 *   diagnostic (e.g. a missing or malformed ReceivedDate: the case then has
 *   no start, but what else the request holds is still read). A request cut
 *   short by an XML error is counted rejected and nothing of it is kept.
 * - Personal data. Surname, Forename, PersonBirthDate, PostCode, Sex /
 *   GenderCurrent, Ethnicity and the free-text SENSettingOther are never
 *   read: their text is not even buffered, so it cannot reach an attribute,
 *   an event or a diagnostic.
 * - Requests: ReceivedDate -> request_received (RequestSource 1-5 ->
 *   parent, setting, health, social_care, other; an unknown source is a
 *   warning and the event has no detail). RequestOutcome Y/N/W +
 *   RequestOutcomeDate -> assessment_decision yes/no/withdrawn; A (pending)
 *   and H (decided before the period) give no event. H also makes
 *   ReceivedDate optional, as the DfE guide says.
 * - Assessment: AssessmentOutcome Y/N/W + AssessmentOutcomeDate ->
 *   issue_decision; for Y the outcome date is also the plan's issue date ->
 *   final_issued. Without an outcome date, NamedPlan/StartDate gives
 *   final_issued (and, for Y, the issue decision), with a warning when the
 *   date was missing rather than malformed; a StartDate that differs from
 *   the Y outcome date is a date_mismatch warning (the outcome date is used:
 *   the DfE guide defines it as the date the plan was issued). A and H give
 *   no event.
 * - Week20 = 1 -> exception `unspecified` dated ReceivedDate (else the
 *   first of the request's other dates), open-ended: the DfE counts any
 *   exception anywhere on the case.
 * - NamedPlan/CeaseDate -> plan_ceased, detail the CeaseReason code (1-9).
 * - ActivePlans: ReviewMeeting -> review_meeting; LastReview + ReviewOutcome
 *   M/A/C -> review_decision maintain/amend/cease dated LastReview (the
 *   decision date); ReviewDraft -> review_draft; PhaseTransferFinalDate ->
 *   phase_transfer_amended. PhaseTransferDueDate is the deadline, not the
 *   move: our model dates the move and derives the deadline from it, so a
 *   due date of 15 (or 14) February of year Y becomes phase_transfer
 *   `school` on 1 September Y, 31 (or 30) March becomes `post16` on
 *   1 September Y (reg 18(1)(b), (a)), and any other due date D becomes
 *   `post16_other` on the day whose "5 months before" (reg 18(2)) is D, so
 *   the engine gives back exactly D as the deadline (D + 5 months, nudged a
 *   day or two where month ends make it inexact; a note says so when no day
 *   fits).
 * - Whose ActivePlans. The schema nests ActivePlans in a <Requests>; they
 *   describe the person's current plan. They go to the request they are in
 *   when that request has a plan (AssessmentOutcome Y or H, or a
 *   NamedPlan/StartDate); otherwise to the person's request that has one -
 *   if several, the latest (a plan not ceased before a ceased one, then the
 *   latest plan date, undated historic plans counting earliest, then the
 *   last in the file), with a note; when no request of the person has a
 *   plan they stay where they are. ActivePlans written directly in <Person>
 *   (not schema-valid) are read the same way, with a warning, and go to the
 *   last request when none has a plan.
 * - Attributes (codes only): la (Header/Source/LEA), sen2_year, person_id,
 *   request_outcome, assessment_outcome, exported; urn, ukprn, sen_setting
 *   from the plan's primary PlanDetail (PlacementRank 1, else the first);
 *   from ActivePlans: transfer_la, placement_urn, placement_ukprn,
 *   placement_sen_setting (the primary placement still open, else the one
 *   entered last), sen_type and sen_type_2 (SENneed rank 1 and 2). A code
 *   that is not in the schema's list is a warning and is not copied.
 * - Several returns. Reading a second return adds to the same set; case ids
 *   are the same for the same person and request position, so the returns'
 *   events meet in one case. An event the case already has (same type and
 *   date, no end or ref, details equal or one of them absent) is not added
 *   again: the first read is kept as it was, so a 2025 return read after the
 *   2024 one does not add the RequestSource to a request_received already
 *   there (the public case API cannot change an event). Attributes take the
 *   later return's values. A case id that already holds a request received
 *   on another date is a duplicate_case warning: the person's requests are
 *   in another order than in the earlier return, or a key is used twice.
 * - Years. Read as the 2026 schema, accepting what 2023-2025 returns carry
 *   and the schema has since changed: GenderCurrent (renamed Sex in 2024),
 *   Res and WBP directly in ActivePlans (moved into PlacementDetail in
 *   2024), PlacementDetail/AttendancePattern (dropped in 2024), LastReview
 *   before ReviewOutcome (2025 order); element order is never enforced.
 *   Items a year lacks (RequestSource before 2025, ReviewOutcome before
 *   2024...) are simply absent. A 2023 return has LastReview but no
 *   ReviewOutcome, so its review decisions cannot become events: one note
 *   says how many.
 * - Problems. A malformed date is a bad_date error and the field is
 *   skipped; an unknown code is an unknown_code error when the event it
 *   carries is lost (RequestOutcome, AssessmentOutcome, ReviewOutcome,
 *   Week20), else a warning (RequestSource, CeaseReason, settings, needs,
 *   LA codes: the event is kept without it, the attribute is not set). An
 *   element in the wrong place (or a second one where one is allowed) is a
 *   misplaced_element error when it holds data this reader reads, else a
 *   warning (unknown elements, RYA...); its content is not read. Values
 *   longer than 256 bytes are reported, never cut. Malformed XML is an
 *   xml_syntax error and the read stops with EHCP_ERR_PARSE; a file that
 *   ends inside an element is reported as truncated; entity declarations
 *   (never in SEN2, the stuff of XML bombs) stop the read too.
 * - Diagnostics carry the XML path ("Message/Persons/Person[3]/Requests[1]/
 *   ReceivedDate", 1-based positions on repeatable elements) and the line of
 *   the element. Errors are every one reported; a warning or note of the
 *   same kind on the same element is reported 20 times and then counted, so
 *   a return with the same quirk on every person stays readable; the count
 *   comes in one closing note.
 */
#include "reader_internal.h"

#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ehcp/date.h"

#define CHUNK ((size_t)1 << 20) /* bytes per XML_Parse call */
#define VALUE_MAX 256           /* longest element text read; longer is a diagnostic */
#define SHOW_MAX 64             /* longest piece of a value quoted in a message */
#define SHOW_SIZE (SHOW_MAX * 4 + 8)
#define PATH_SIZE 1024
#define LIMIT_EACH 20 /* warnings/notes of one kind on one element, before counting */
#define LIMIT_KEYS 64
#define MAX_FRAMES 16 /* deeper than the schema's deepest known element (9) */
#define KEY_MAX 32    /* longest UPN or ULN used as a key */
#define CODE_SIZE 12  /* codes are at most 8 bytes (UKPRN) */

/* ---- the elements ------------------------------------------------------------ */

enum id {
  /* containers */
  C_DOC, C_MESSAGE, C_HEADER, C_COLLECTION_DETAILS, C_SOURCE, C_PERSONS, C_PERSON, C_REQUESTS,
  C_ASSESSMENT, C_NAMED_PLAN, C_PLAN_DETAIL, C_ACTIVE_PLANS, C_PLACEMENT_DETAIL, C_SEN_NEED,
  /* values read */
  V_FIRST, V_COLLECTION = V_FIRST, V_YEAR, V_REFERENCE_DATE, V_LEA, V_UPN, V_ULN,
  V_RECEIVED_DATE, V_REQUEST_SOURCE, V_REQUEST_OUTCOME_DATE, V_REQUEST_OUTCOME, V_EXPORTED,
  V_ASSESSMENT_OUTCOME, V_ASSESSMENT_OUTCOME_DATE, V_WEEK20, V_START_DATE, V_URN, V_UKPRN,
  V_SEN_SETTING, V_PLACEMENT_RANK, V_CEASE_DATE, V_CEASE_REASON, V_TRANSFER_LA, V_ENTRY_DATE,
  V_LEAVING_DATE, V_SEN_TYPE, V_SEN_TYPE_RANK, V_REVIEW_MEETING, V_REVIEW_OUTCOME,
  V_REVIEW_DRAFT, V_PHASE_TRANSFER_DUE, V_PHASE_TRANSFER_FINAL, V_LAST_REVIEW,
  /* known elements that are not read */
  X_IGNORED, /* codes with no use here (RYA, mediation, ...) */
  X_PERSONAL /* names, birth date, postcode, sex, ethnicity, free text: never read */
};

/* One allowed (parent, child) pair. rep: 0 = at most once; 1 or 2 =
 * repeatable, counted in the parent frame's slot rep - 1 (and shown with
 * its position in paths). */
struct elem {
  unsigned char parent, id, rep;
  const char *name;
};

static const struct elem elems[] = {
    {C_DOC, C_MESSAGE, 0, "Message"},
    {C_MESSAGE, C_HEADER, 0, "Header"},
    {C_MESSAGE, C_PERSONS, 0, "Persons"},
    {C_HEADER, C_COLLECTION_DETAILS, 0, "CollectionDetails"},
    {C_HEADER, C_SOURCE, 1, "Source"},
    {C_COLLECTION_DETAILS, V_COLLECTION, 0, "Collection"},
    {C_COLLECTION_DETAILS, V_YEAR, 0, "Year"},
    {C_COLLECTION_DETAILS, V_REFERENCE_DATE, 0, "ReferenceDate"},
    {C_SOURCE, X_IGNORED, 0, "SourceLevel"},
    {C_SOURCE, V_LEA, 0, "LEA"},
    {C_SOURCE, X_IGNORED, 0, "SoftwareCode"},
    {C_SOURCE, X_IGNORED, 0, "Release"},
    {C_SOURCE, X_IGNORED, 0, "SerialNo"},
    {C_SOURCE, X_IGNORED, 0, "DateTime"},
    {C_SOURCE, X_IGNORED, 0, "DMO"},
    {C_SOURCE, X_IGNORED, 0, "DCO"},
    {C_SOURCE, X_IGNORED, 0, "DSCO"},
    {C_PERSONS, C_PERSON, 1, "Person"},
    {C_PERSON, X_PERSONAL, 0, "Surname"},
    {C_PERSON, X_PERSONAL, 0, "Forename"},
    {C_PERSON, X_PERSONAL, 0, "PersonBirthDate"},
    {C_PERSON, X_PERSONAL, 0, "Sex"},
    {C_PERSON, X_PERSONAL, 0, "GenderCurrent"}, /* 2023; Sex from 2024 */
    {C_PERSON, X_PERSONAL, 0, "Ethnicity"},
    {C_PERSON, X_PERSONAL, 0, "PostCode"},
    {C_PERSON, V_UPN, 0, "UPN"},
    {C_PERSON, V_ULN, 0, "UniqueLearnerNumber"},
    {C_PERSON, X_IGNORED, 0, "UPNunknown"},
    {C_PERSON, C_REQUESTS, 1, "Requests"},
    {C_PERSON, C_ACTIVE_PLANS, 0, "ActivePlans"}, /* not schema-valid: read, with a warning */
    {C_REQUESTS, V_RECEIVED_DATE, 0, "ReceivedDate"},
    {C_REQUESTS, V_REQUEST_SOURCE, 0, "RequestSource"}, /* from 2025 */
    {C_REQUESTS, X_IGNORED, 0, "RYA"},
    {C_REQUESTS, V_REQUEST_OUTCOME_DATE, 0, "RequestOutcomeDate"},
    {C_REQUESTS, V_REQUEST_OUTCOME, 0, "RequestOutcome"},
    {C_REQUESTS, X_IGNORED, 0, "RequestMediation"},
    {C_REQUESTS, X_IGNORED, 0, "RequestTribunal"},
    {C_REQUESTS, V_EXPORTED, 0, "Exported"},
    {C_REQUESTS, C_ASSESSMENT, 0, "Assessment"},
    {C_REQUESTS, C_ACTIVE_PLANS, 0, "ActivePlans"},
    {C_ASSESSMENT, V_ASSESSMENT_OUTCOME, 0, "AssessmentOutcome"},
    {C_ASSESSMENT, V_ASSESSMENT_OUTCOME_DATE, 0, "AssessmentOutcomeDate"},
    {C_ASSESSMENT, X_IGNORED, 0, "AssessmentMediation"},
    {C_ASSESSMENT, X_IGNORED, 0, "AssessmentTribunal"},
    {C_ASSESSMENT, X_IGNORED, 0, "OtherMediation"},
    {C_ASSESSMENT, X_IGNORED, 0, "OtherTribunal"},
    {C_ASSESSMENT, V_WEEK20, 0, "Week20"},
    {C_ASSESSMENT, C_NAMED_PLAN, 0, "NamedPlan"},
    {C_NAMED_PLAN, V_START_DATE, 0, "StartDate"},
    {C_NAMED_PLAN, C_PLAN_DETAIL, 1, "PlanDetail"},
    {C_NAMED_PLAN, X_IGNORED, 0, "PlanRes"},
    {C_NAMED_PLAN, X_IGNORED, 0, "PlanWBP"},
    {C_NAMED_PLAN, X_IGNORED, 0, "PB"},
    {C_NAMED_PLAN, X_IGNORED, 0, "OA"},
    {C_NAMED_PLAN, X_IGNORED, 0, "DP"},
    {C_NAMED_PLAN, V_CEASE_DATE, 0, "CeaseDate"},
    {C_NAMED_PLAN, V_CEASE_REASON, 0, "CeaseReason"},
    {C_PLAN_DETAIL, V_URN, 0, "URN"},
    {C_PLAN_DETAIL, V_UKPRN, 0, "UKPRN"},
    {C_PLAN_DETAIL, V_SEN_SETTING, 0, "SENSetting"},
    {C_PLAN_DETAIL, X_PERSONAL, 0, "SENSettingOther"}, /* free text */
    {C_PLAN_DETAIL, V_PLACEMENT_RANK, 0, "PlacementRank"},
    {C_PLAN_DETAIL, X_IGNORED, 0, "SENunitIndicator"},
    {C_PLAN_DETAIL, X_IGNORED, 0, "ResourcedProvisionIndicator"},
    {C_ACTIVE_PLANS, V_TRANSFER_LA, 0, "TransferLA"},
    {C_ACTIVE_PLANS, C_PLACEMENT_DETAIL, 1, "PlacementDetail"},
    {C_ACTIVE_PLANS, C_SEN_NEED, 2, "SENneed"},
    {C_ACTIVE_PLANS, V_REVIEW_MEETING, 0, "ReviewMeeting"},       /* from 2024 */
    {C_ACTIVE_PLANS, V_REVIEW_OUTCOME, 0, "ReviewOutcome"},       /* from 2024 */
    {C_ACTIVE_PLANS, V_REVIEW_DRAFT, 0, "ReviewDraft"},           /* from 2025 */
    {C_ACTIVE_PLANS, V_PHASE_TRANSFER_DUE, 0, "PhaseTransferDueDate"},     /* from 2025 */
    {C_ACTIVE_PLANS, V_PHASE_TRANSFER_FINAL, 0, "PhaseTransferFinalDate"}, /* from 2025 */
    {C_ACTIVE_PLANS, V_LAST_REVIEW, 0, "LastReview"},
    {C_ACTIVE_PLANS, X_IGNORED, 0, "Res"}, /* 2023; in PlacementDetail from 2024 */
    {C_ACTIVE_PLANS, X_IGNORED, 0, "WBP"}, /* 2023 */
    {C_PLACEMENT_DETAIL, V_URN, 0, "URN"},
    {C_PLACEMENT_DETAIL, V_UKPRN, 0, "UKPRN"},
    {C_PLACEMENT_DETAIL, V_SEN_SETTING, 0, "SENSetting"},
    {C_PLACEMENT_DETAIL, X_PERSONAL, 0, "SENSettingOther"},
    {C_PLACEMENT_DETAIL, V_PLACEMENT_RANK, 0, "PlacementRank"},
    {C_PLACEMENT_DETAIL, V_ENTRY_DATE, 0, "EntryDate"},
    {C_PLACEMENT_DETAIL, V_LEAVING_DATE, 0, "LeavingDate"},
    {C_PLACEMENT_DETAIL, X_IGNORED, 0, "SENunitIndicator"},
    {C_PLACEMENT_DETAIL, X_IGNORED, 0, "ResourcedProvisionIndicator"},
    {C_PLACEMENT_DETAIL, X_IGNORED, 0, "Res"},
    {C_PLACEMENT_DETAIL, X_IGNORED, 0, "WBP"},
    {C_PLACEMENT_DETAIL, X_IGNORED, 0, "AttendancePattern"}, /* 2023 */
    {C_SEN_NEED, V_SEN_TYPE, 0, "SENtype"},
    {C_SEN_NEED, V_SEN_TYPE_RANK, 0, "SENtypeRank"},
};
#define NELEMS (sizeof elems / sizeof *elems)
_Static_assert(NELEMS <= 128, "a frame's seen[] holds 128 bits");

/* Names of the containers, for messages. */
static const char *const container_names[] = {
    [C_DOC] = "(document)",     [C_MESSAGE] = "Message",
    [C_HEADER] = "Header",      [C_COLLECTION_DETAILS] = "CollectionDetails",
    [C_SOURCE] = "Source",      [C_PERSONS] = "Persons",
    [C_PERSON] = "Person",      [C_REQUESTS] = "Requests",
    [C_ASSESSMENT] = "Assessment", [C_NAMED_PLAN] = "NamedPlan",
    [C_PLAN_DETAIL] = "PlanDetail", [C_ACTIVE_PLANS] = "ActivePlans",
    [C_PLACEMENT_DETAIL] = "PlacementDetail", [C_SEN_NEED] = "SENneed",
};

static const char *const request_sources[] = {"parent", "setting", "health", "social_care",
                                              "other"};
static const char *const sen_types[] = {"SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI",
                                        "VI",   "MSI", "PD",  "ASD",  "DS",   "OTH",  NULL};
static const char *const sen_settings[] = {"OLA",  "OPA",  "EHE",  "EYP", "OTH",
                                           "NEET", "NIEC", "NIEO", NULL};

/* ---- state ------------------------------------------------------------------- */

/* One open element. */
struct frame {
  unsigned char id;
  unsigned char elem;       /* index in elems[]; unused for the document */
  unsigned char text_noted; /* stray text in this container already reported */
  uint32_t index;           /* 1-based position among same-named siblings, if repeatable */
  uint32_t line;
  uint64_t seen[2]; /* children (by elems[] index) met once already */
  uint32_t nrep[2]; /* repeatable children met */
};

struct dval {
  ehcp_date d; /* EHCP_DATE_NONE when absent or malformed */
  uint32_t line;
  int bad; /* malformed (already reported) */
};

/* A setting named in a plan or a placement. */
struct setting {
  char urn[CODE_SIZE], ukprn[CODE_SIZE], sen_setting[CODE_SIZE];
  int rank; /* 0 = not given */
  ehcp_date entry, leaving;
};

/* The request being read. */
struct req {
  uint32_t index, line, errors;
  char id[KEY_MAX + 32]; /* case id */
  struct dval received, request_outcome_date, assessment_outcome_date, start, cease;
  int source;  /* 1-5, 0 absent, -1 unknown */
  char request_outcome, assessment_outcome; /* 0 absent, '?' unknown */
  uint32_t request_outcome_line, assessment_outcome_line;
  int week20; /* -1 absent or unknown, 0, 1 */
  uint32_t week20_line;
  char cease_reason[CODE_SIZE];
  uint32_t cease_reason_line;
  char exported[CODE_SIZE];
  struct setting plan; /* primary PlanDetail */
  int have_plan_detail;
};

/* What later ActivePlans need to know of a finished request of the person. */
struct reqinfo {
  uint32_t index;
  int has_plan, ceased;
  ehcp_date plan_date;
};

/* One ActivePlans of the current person, kept until the person ends. */
struct ap {
  uint32_t from; /* index of the request it is in, 0 = directly in Person */
  uint32_t line;
  int complete;
  struct dval meeting, last_review, draft, pt_due, pt_final;
  char outcome; /* 0, 'M', 'A', 'C', '?' */
  uint32_t outcome_line;
  ehcp_date transfer; /* derived phase_transfer date, or NONE */
  const char *transfer_kind;
  char transfer_la[CODE_SIZE];
  struct setting place;
  int have_place;
  char sen_type[CODE_SIZE], sen_type_2[CODE_SIZE];
};

struct limit {
  int code;
  unsigned char parent;
  char what[48];
  uint64_t count;
};

struct sx {
  ehcp_reader *r;
  const char *name;
  XML_Parser p;
  struct read_counts *counts;
  int rc;          /* first fatal error; the parser is stopped */
  int entity_decl; /* stopped on an entity declaration */

  struct frame f[MAX_FRAMES];
  unsigned depth;  /* f[1..depth] are open; f[0] is the document */
  uint64_t skip;   /* > 0: inside an element that is not read */
  int saw_message;

  /* text of the value element being read */
  int collecting, vlong, vmixed;
  size_t vlen;
  char val[VALUE_MAX + 1];

  /* header */
  int header_checked, persons_started, year_bad;
  int year; /* 0 = unknown */
  struct dval reference;
  uint32_t cd_line;
  char la[CODE_SIZE];

  /* person */
  uint64_t person_pos;
  int in_person, key_fixed;
  char upn[KEY_MAX + 1], uln[KEY_MAX + 1], key[KEY_MAX + 24];
  struct reqinfo *reqs;
  size_t nreqs, reqcap;
  struct ap *aps;
  size_t naps, apcap;
  long cur_ap; /* index in aps of the open ActivePlans, or -1 */

  /* request */
  int in_req;
  struct req q;

  /* the PlanDetail / PlacementDetail / SENneed being read */
  struct setting cur;
  char need[CODE_SIZE];
  int need_rank;

  struct limit lim[LIMIT_KEYS];
  size_t nlim;
  uint64_t unrecorded_reviews; /* 2023: LastReview without ReviewOutcome */
};

/* ---- small helpers ----------------------------------------------------------- */

static uint32_t line32(XML_Size line) { return line <= UINT32_MAX ? (uint32_t)line : 0; }

static uint32_t cur_line(const struct sx *x) { return line32(XML_GetCurrentLineNumber(x->p)); }

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* A value as it may appear in a one-line message: at most SHOW_MAX bytes
 * (cut on a UTF-8 boundary, then "..."), control bytes escaped. */
static const char *show(char *out, size_t size, const char *text, size_t len) {
  size_t o = 0, i = 0;
  int cut = 0;
  if (len > SHOW_MAX) {
    len = SHOW_MAX;
    while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
      len--;
    cut = 1;
  }
  for (; i < len && o + 5 < size; i++) {
    unsigned char ch = (unsigned char)text[i];
    if (ch < 0x20 || ch == 0x7F)
      o += (size_t)snprintf(out + o, size - o, "\\x%02x", ch);
    else
      out[o++] = (char)ch;
  }
  if ((cut || i < len) && o + 4 <= size) {
    memcpy(out + o, "...", 3);
    o += 3;
  }
  out[o] = '\0';
  return out;
}

static int digits(const char *s, size_t n, size_t min, size_t max) {
  if (n < min || n > max)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

static int alnum(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
      return 0;
  }
  return 1;
}

/* 1-based position of s[0..n) in a NULL-terminated list, or 0. */
static int one_of(const char *s, size_t n, const char *const *list) {
  for (int i = 0; list[i]; i++)
    if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
      return i + 1;
  return 0;
}

static void copy_code(char out[CODE_SIZE], const char *s, size_t n) {
  if (n >= CODE_SIZE)
    n = CODE_SIZE - 1;
  memcpy(out, s, n);
  out[n] = '\0';
}

/* A local-authority code: three digits, or XXX (unknown / outside the UK). */
static int la_code(const char *s, size_t n) {
  return digits(s, n, 3, 3) || (n == 3 && !memcmp(s, "XXX", 3));
}

static const char *fmt_date(char buf[EHCP_DATE_ISO_SIZE], ehcp_date d) {
  if (ehcp_date_format(buf, d) != EHCP_OK)
    strcpy(buf, "?");
  return buf;
}

/* Stop everything on a fatal error (out of memory). */
static void fatal(struct sx *x, int rc) {
  if (!x->rc) {
    x->rc = rc;
    reader_set_errmsg(x->r, "%s: %s", x->name ? x->name : "(buffer)",
                      rc == EHCP_ERR_NOMEM ? "out of memory" : ehcp_case_set_errmsg(x->r->set));
  }
  XML_StopParser(x->p, XML_FALSE);
}

/* Path of the open elements f[1..depth], then "/leaf" if given. */
static const char *path_of(const struct sx *x, char *buf, unsigned depth, const char *leaf) {
  size_t o = 0;
  buf[0] = '\0';
  for (unsigned i = 1; i <= depth && o < PATH_SIZE; i++) {
    const struct elem *e = &elems[x->f[i].elem];
    o += (size_t)snprintf(buf + o, PATH_SIZE - o, i > 1 ? "/%s" : "%s", e->name);
    if (e->rep && o < PATH_SIZE)
      o += (size_t)snprintf(buf + o, PATH_SIZE - o, "[%u]", (unsigned)x->f[i].index);
  }
  if (leaf && o < PATH_SIZE)
    snprintf(buf + o, PATH_SIZE - o, o ? "/%s" : "%s", leaf);
  return buf;
}

/* Whether a warning or note of this kind on this element has been reported
 * LIMIT_EACH times already (then it is only counted). */
static int limited(struct sx *x, int code, unsigned char parent, const char *what) {
  struct limit *l = NULL;
  for (size_t i = 0; i < x->nlim && !l; i++)
    if (x->lim[i].code == code && x->lim[i].parent == parent &&
        strncmp(x->lim[i].what, what, sizeof x->lim[i].what - 1) == 0)
      l = &x->lim[i];
  if (!l) {
    if (x->nlim == LIMIT_KEYS) /* a pathological file: share the last slot */
      l = &x->lim[LIMIT_KEYS - 1];
    else {
      l = &x->lim[x->nlim++];
      l->code = code;
      l->parent = parent;
      snprintf(l->what, sizeof l->what, "%s", what);
    }
  }
  return ++l->count > LIMIT_EACH;
}

/* Append a diagnostic. An error inside a request marks the request rejected. */
#if defined(__GNUC__)
__attribute__((format(printf, 7, 8)))
#endif
static void diag(struct sx *x, int severity, int code, uint32_t line, const char *path,
                 const char *case_id, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (severity == EHCP_SEVERITY_ERROR && x->in_req)
    x->q.errors++;
  if (ehcp_diagnostics_add(x->r->diags, severity, code, x->name, line, path, case_id, msg) ==
      EHCP_ERR_NOMEM)
    fatal(x, EHCP_ERR_NOMEM);
}

/* Case id for diagnostics at the current point: the open request's. */
static const char *here_case(const struct sx *x) { return x->in_req ? x->q.id : NULL; }

/* ---- adding to the set ------------------------------------------------------- */

/* Details agree when equal or when one of them is absent: a later return
 * that only adds a detail (RequestSource is collected from 2025) describes
 * the same event. */
static int same_detail(const char *a, const char *b) {
  return !a || !*a || !b || !*b || strcmp(a, b) == 0;
}

/* Add an event unless the case already has the same one (type, date, no
 * end or ref, details agreeing): the first read is kept as it was. fresh:
 * the case did not exist before this request, whose events are all of
 * different types, so there is nothing to compare with. */
static void add_event(struct sx *x, const char *id, int fresh, int type, ehcp_date date,
                      const char *detail, uint32_t line) {
  if (x->rc)
    return;
  const ehcp_case *c = fresh ? NULL : ehcp_case_set_find(x->r->set, id);
  size_t n = c ? ehcp_case_event_count(c) : 0;
  for (size_t i = 0; i < n; i++) {
    int t;
    ehcp_date d, end;
    const char *det, *ref;
    if (ehcp_case_event(&t, &d, &det, &end, &ref, c, i) == EHCP_OK && t == type && d == date &&
        end == EHCP_DATE_NONE && !ref && same_detail(det, detail))
      return;
  }
  int rc = ehcp_case_set_add_event_at(x->r->set, id, type, date, detail, EHCP_DATE_NONE, NULL,
                                      line);
  if (rc != EHCP_OK)
    fatal(x, rc);
}

static void add_attr(struct sx *x, const char *id, const char *name, const char *value) {
  if (x->rc || !value || !*value)
    return;
  int rc = ehcp_case_set_set_attribute(x->r->set, id, name, value);
  if (rc != EHCP_OK)
    fatal(x, rc);
}

static int grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap)
    return EHCP_OK;
  size_t n = *cap ? *cap : 8;
  while (n < need) {
    if (n > SIZE_MAX / 2 / size)
      return EHCP_ERR_NOMEM;
    n *= 2;
  }
  void *q = realloc(*p, n * size);
  if (!q)
    return EHCP_ERR_NOMEM;
  *p = q;
  *cap = n;
  return EHCP_OK;
}

/* ---- values ------------------------------------------------------------------ */

/* xs:date: YYYY-MM-DD with an optional time zone (ignored: dates are civil). */
static int xs_date(ehcp_date *out, const char *s, size_t n, const char **why) {
  static const char form[] = "not in the form YYYY-MM-DD";
  if (n < 10) {
    *why = form;
    return -1;
  }
  for (size_t i = 0; i < 10; i++) {
    int dash = i == 4 || i == 7;
    if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) {
      *why = form;
      return -1;
    }
  }
  const char *z = s + 10;
  size_t zn = n - 10;
  int zone_ok = zn == 0 || (zn == 1 && *z == 'Z') ||
                (zn == 6 && (z[0] == '+' || z[0] == '-') && digits(z + 1, 2, 2, 2) &&
                 z[3] == ':' && digits(z + 4, 2, 2, 2));
  if (!zone_ok) {
    *why = form;
    return -1;
  }
  return ehcp_date_parse(out, s, 10, why) == EHCP_OK ? 0 : -1;
}

/* The value just read, trimmed. Returns its length; 0 = empty (absent). */
static size_t value(struct sx *x, const char **v) {
  const char *s = x->val;
  size_t n = x->vlen;
  x->val[n] = '\0';
  while (n > 0 && is_ws(*s))
    s++, n--;
  while (n > 0 && is_ws(s[n - 1]))
    n--;
  *v = s;
  return n;
}

/* Why a value cannot be used at all, or NULL. */
static const char *unusable(const struct sx *x) {
  if (x->vlong)
    return "is longer than 256 bytes";
  if (x->vmixed)
    return "contains markup";
  return NULL;
}

/* Read a date element. Returns 1 with *out set, 0 when empty, -1 when
 * malformed (reported as an error). */
static int get_date(struct sx *x, const struct frame *f, struct dval *out) {
  const char *v, *why = NULL;
  size_t n = value(x, &v);
  const char *name = elems[f->elem].name;
  char path[PATH_SIZE], shown[SHOW_SIZE];
  ehcp_date d;
  if (!unusable(x) && n == 0)
    return 0;
  if (unusable(x) || xs_date(&d, v, n, &why) != 0) {
    if (unusable(x))
      why = unusable(x);
    diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_BAD_DATE, f->line, path_of(x, path, x->depth, NULL),
         here_case(x), "%s '%s' is not a date (%s): the field is skipped", name,
         show(shown, sizeof shown, v, n), why);
    if (out) {
      out->bad = 1;
      out->line = f->line;
    }
    return -1;
  }
  if (out) {
    out->d = d;
    out->line = f->line;
    out->bad = 0;
  }
  return 1;
}

/* Report a code that is not in the schema's list. */
static void unknown_code(struct sx *x, const struct frame *f, int severity, const char *v,
                         size_t n, const char *expected, const char *consequence) {
  const char *name = elems[f->elem].name;
  if (severity != EHCP_SEVERITY_ERROR &&
      limited(x, EHCP_DIAG_UNKNOWN_CODE, elems[f->elem].parent, name))
    return;
  char path[PATH_SIZE], shown[SHOW_SIZE];
  if (unusable(x))
    diag(x, severity, EHCP_DIAG_UNKNOWN_CODE, f->line, path_of(x, path, x->depth, NULL),
         here_case(x), "%s %s (expected %s): %s", name, unusable(x), expected, consequence);
  else
    diag(x, severity, EHCP_DIAG_UNKNOWN_CODE, f->line, path_of(x, path, x->depth, NULL),
         here_case(x), "%s '%s' is not a SEN2 code (%s): %s", name,
         show(shown, sizeof shown, v, n), expected, consequence);
}

/* A code attribute (URN, LA, SENtype...): copied when valid. */
static void get_code(struct sx *x, const struct frame *f, char out[CODE_SIZE], int ok,
                     const char *expected) {
  const char *v;
  size_t n = value(x, &v);
  if (!unusable(x) && n == 0)
    return;
  if (!unusable(x) && ok) {
    copy_code(out, v, n);
    return;
  }
  unknown_code(x, f, EHCP_SEVERITY_WARNING, v, n, expected, "it is not used");
}

/* A one-letter outcome code: the letter, 0 when empty, '?' when unknown
 * (reported as an error: the decision it carries is lost). */
static char get_letter(struct sx *x, const struct frame *f, const char *letters,
                       const char *expected, const char *consequence) {
  const char *v;
  size_t n = value(x, &v);
  if (!unusable(x) && n == 0)
    return 0;
  if (!unusable(x) && n == 1 && v[0] && strchr(letters, v[0]))
    return v[0];
  unknown_code(x, f, EHCP_SEVERITY_ERROR, v, n, expected, consequence);
  return '?';
}

static struct ap *cur_ap(struct sx *x) { return x->cur_ap >= 0 ? &x->aps[x->cur_ap] : NULL; }

/* The person's key from a UPN or ULN element. */
static void get_key(struct sx *x, const struct frame *f, char out[KEY_MAX + 1]) {
  const char *v;
  size_t n = value(x, &v);
  const char *name = elems[f->elem].name;
  char path[PATH_SIZE];
  if (!unusable(x) && n == 0)
    return;
  if (x->key_fixed) {
    if (!limited(x, EHCP_DIAG_MISPLACED_ELEMENT, C_PERSON, name))
      diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_MISPLACED_ELEMENT, f->line,
           path_of(x, path, x->depth, NULL), NULL,
           "%s comes after the person's first Requests, whose cases are keyed %s: it is not "
           "used",
           name, x->key);
    return;
  }
  if (unusable(x) || n > KEY_MAX || !alnum(v, n)) {
    /* The value is an identifier: it is not quoted. */
    if (!limited(x, EHCP_DIAG_UNKNOWN_CODE, C_PERSON, name))
      diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_UNKNOWN_CODE, f->line,
           path_of(x, path, x->depth, NULL), NULL,
           "%s is not 1 to %d letters and digits: it is not used as the person's key", name,
           KEY_MAX);
    return;
  }
  memcpy(out, v, n);
  out[n] = '\0';
}

/* A value element has ended: f is its frame (still on the stack). */
static void value_end(struct sx *x, const struct frame *f) {
  struct ap *ap = cur_ap(x);
  struct req *q = &x->q;
  const char *v;
  size_t n = value(x, &v);
  int bad = unusable(x) != NULL;
  switch (f->id) {
  case V_COLLECTION: {
    if (bad || n != 4 || memcmp(v, "SEN2", 4) != 0) {
      char path[PATH_SIZE], shown[SHOW_SIZE];
      diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_REFERENCE_DATE, f->line,
           path_of(x, path, x->depth, NULL), NULL,
           "Collection is '%s', not SEN2: the file is read as a SEN2 return",
           bad ? unusable(x) : show(shown, sizeof shown, v, n));
    }
    break;
  }
  case V_YEAR:
    if (!bad && digits(v, n, 4, 4)) {
      x->year = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
    } else if (bad || n) {
      char path[PATH_SIZE], shown[SHOW_SIZE];
      x->year_bad = 1;
      diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_REFERENCE_DATE, f->line,
           path_of(x, path, x->depth, NULL), NULL,
           "Year '%s' is not a year (YYYY): the collection year is unknown",
           bad ? unusable(x) : show(shown, sizeof shown, v, n));
    }
    break;
  case V_REFERENCE_DATE: get_date(x, f, &x->reference); break;
  case V_LEA:
    if (!x->la[0])
      get_code(x, f, x->la, la_code(v, n), "a three-digit LA code or XXX");
    break;
  case V_UPN: get_key(x, f, x->upn); break;
  case V_ULN: get_key(x, f, x->uln); break;
  case V_RECEIVED_DATE: get_date(x, f, &q->received); break;
  case V_REQUEST_SOURCE: {
    int s = !bad && n == 1 && v[0] >= '1' && v[0] <= '5' ? v[0] - '0' : 0;
    if (s)
      q->source = s;
    else if (bad || n) {
      q->source = -1;
      unknown_code(x, f, EHCP_SEVERITY_WARNING, v, n, "1-5",
                   "the request is recorded without its source");
    }
    break;
  }
  case V_REQUEST_OUTCOME_DATE: get_date(x, f, &q->request_outcome_date); break;
  case V_REQUEST_OUTCOME:
    q->request_outcome = get_letter(x, f, "YNAWH", "Y, N, A, W, H",
                                    "no assessment decision is recorded");
    q->request_outcome_line = f->line;
    break;
  case V_EXPORTED:
    get_code(x, f, q->exported, la_code(v, n), "a three-digit LA code or XXX");
    break;
  case V_ASSESSMENT_OUTCOME:
    q->assessment_outcome = get_letter(x, f, "YNAWH", "Y, N, A, W, H",
                                       "no issue decision is recorded");
    q->assessment_outcome_line = f->line;
    break;
  case V_ASSESSMENT_OUTCOME_DATE: get_date(x, f, &q->assessment_outcome_date); break;
  case V_WEEK20: {
    char c = get_letter(x, f, "01", "0 or 1", "no exception is recorded");
    q->week20 = c == '1' ? 1 : c == '0' ? 0 : -1;
    q->week20_line = f->line;
    break;
  }
  case V_START_DATE: get_date(x, f, &q->start); break;
  case V_CEASE_DATE: get_date(x, f, &q->cease); break;
  case V_CEASE_REASON:
    if (!bad && n == 0)
      break;
    q->cease_reason_line = f->line;
    if (!bad && n == 1 && v[0] >= '1' && v[0] <= '9')
      copy_code(q->cease_reason, v, n);
    else
      unknown_code(x, f, EHCP_SEVERITY_WARNING, v, n, "1-9",
                   "the plan's ending is recorded without a reason");
    break;
  case V_URN: get_code(x, f, x->cur.urn, digits(v, n, 1, 6), "1 to 6 digits"); break;
  case V_UKPRN: get_code(x, f, x->cur.ukprn, digits(v, n, 8, 8), "8 digits"); break;
  case V_SEN_SETTING:
    get_code(x, f, x->cur.sen_setting, one_of(v, n, sen_settings) != 0,
             "OLA, OPA, EHE, EYP, OTH, NEET, NIEC, NIEO");
    break;
  case V_PLACEMENT_RANK: {
    char rank[CODE_SIZE] = "";
    get_code(x, f, rank, n == 1 && (v[0] == '1' || v[0] == '2'), "1 or 2");
    x->cur.rank = rank[0] ? rank[0] - '0' : 0;
    break;
  }
  case V_ENTRY_DATE: {
    struct dval d = {EHCP_DATE_NONE, 0, 0};
    if (get_date(x, f, &d) == 1)
      x->cur.entry = d.d;
    break;
  }
  case V_LEAVING_DATE: {
    struct dval d = {EHCP_DATE_NONE, 0, 0};
    if (get_date(x, f, &d) == 1)
      x->cur.leaving = d.d;
    break;
  }
  case V_SEN_TYPE:
    get_code(x, f, x->need, one_of(v, n, sen_types) != 0,
             "SPLD, MLD, SLD, PMLD, SEMH, SLCN, HI, VI, MSI, PD, ASD, DS, OTH");
    break;
  case V_SEN_TYPE_RANK: {
    char rank[CODE_SIZE] = "";
    get_code(x, f, rank, n == 1 && (v[0] == '1' || v[0] == '2'), "1 or 2");
    x->need_rank = rank[0] ? rank[0] - '0' : 0;
    break;
  }
  case V_TRANSFER_LA:
    if (ap)
      get_code(x, f, ap->transfer_la, la_code(v, n), "a three-digit LA code or XXX");
    break;
  case V_REVIEW_MEETING: if (ap) get_date(x, f, &ap->meeting); break;
  case V_LAST_REVIEW: if (ap) get_date(x, f, &ap->last_review); break;
  case V_REVIEW_DRAFT: if (ap) get_date(x, f, &ap->draft); break;
  case V_PHASE_TRANSFER_DUE: if (ap) get_date(x, f, &ap->pt_due); break;
  case V_PHASE_TRANSFER_FINAL: if (ap) get_date(x, f, &ap->pt_final); break;
  case V_REVIEW_OUTCOME:
    if (ap) {
      ap->outcome = get_letter(x, f, "MAC", "M, A, C", "no review decision is recorded");
      ap->outcome_line = f->line;
    }
    break;
  default: break;
  }
}

/* ---- the header -------------------------------------------------------------- */

/* Check CollectionDetails once: at its end, or where it should have been. */
static void check_header(struct sx *x, uint32_t line, const char *path) {
  if (x->header_checked)
    return;
  x->header_checked = 1;
  char ref[EHCP_DATE_ISO_SIZE];
  if (x->reference.d != EHCP_DATE_NONE) {
    x->r->reference_date = x->reference.d;
    int y;
    ehcp_date_to_ymd(&y, NULL, NULL, x->reference.d);
    if (x->year && y != x->year)
      diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_REFERENCE_DATE, x->reference.line,
           "Message/Header/CollectionDetails/ReferenceDate", NULL,
           "ReferenceDate %s is not in the collection year %d: it is still used as the "
           "default as-of date",
           fmt_date(ref, x->reference.d), x->year);
  } else if (!x->reference.bad && !x->year && !x->year_bad) {
    diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_REFERENCE_DATE, line, path, NULL,
         "Header/CollectionDetails has no ReferenceDate and no Year: the return gives no "
         "default as-of date and its collection year is unknown");
    return;
  } else if (!x->reference.bad) {
    diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_REFERENCE_DATE, line, path, NULL,
         "Header/CollectionDetails/ReferenceDate is missing: the return gives no default "
         "as-of date");
  }
  if (!x->year && !x->year_bad)
    diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_REFERENCE_DATE, line, path, NULL,
         "Header/CollectionDetails/Year is missing: the collection year is unknown");
  else if (x->year && (x->year < 2023 || x->year > 2026))
    diag(x, EHCP_SEVERITY_NOTE, EHCP_DIAG_REFERENCE_DATE, line, path, NULL,
         "collection year %d is not one of 2023-2026: it is read as a 2026 return", x->year);
}

/* ---- requests and persons ---------------------------------------------------- */

static void fix_key(struct sx *x) {
  if (x->key_fixed)
    return;
  if (x->upn[0])
    snprintf(x->key, sizeof x->key, "%s", x->upn);
  else if (x->uln[0])
    snprintf(x->key, sizeof x->key, "%s", x->uln);
  else
    snprintf(x->key, sizeof x->key, "P%llu", (unsigned long long)x->person_pos);
  x->key_fixed = 1;
}

/* Keep the better of a setting and a candidate: the primary (rank 1 or
 * not given), then still open, then entered later, then the later one. */
static int better_setting(const struct setting *cand, const struct setting *best) {
  int pc = cand->rank != 2, pb = best->rank != 2;
  if (pc != pb)
    return pc;
  int oc = cand->leaving == EHCP_DATE_NONE, ob = best->leaving == EHCP_DATE_NONE;
  if (oc != ob)
    return oc;
  return cand->entry >= best->entry; /* NONE is the smallest date */
}

static void set_setting_attrs(struct sx *x, const char *id, const struct setting *s,
                              const char *urn, const char *ukprn, const char *sen_setting) {
  add_attr(x, id, urn, s->urn);
  add_attr(x, id, ukprn, s->ukprn);
  add_attr(x, id, sen_setting, s->sen_setting);
}

/* path + "/" + leaf, in buf. */
static const char *sub(char *buf, const char *path, const char *leaf) {
  size_t a = strlen(path), b = strlen(leaf);
  if (a + 1 + b >= PATH_SIZE) { /* cannot happen: paths are a few hundred bytes */
    snprintf(buf, PATH_SIZE, "%s", path);
    return buf;
  }
  memcpy(buf, path, a);
  buf[a] = '/';
  memcpy(buf + a + 1, leaf, b);
  buf[a + 1 + b] = '\0';
  return buf;
}

/* A request has ended: its events, attributes and accounting. */
static void finish_request(struct sx *x) {
  struct req *q = &x->q;
  const char *id = q->id;
  char path[PATH_SIZE], p2[PATH_SIZE], a[EHCP_DATE_ISO_SIZE], b[EHCP_DATE_ISO_SIZE];
  path_of(x, path, x->depth, NULL);
  static const char *const decision[] = {['Y'] = "yes", ['N'] = "no", ['W'] = "withdrawn"};

  if (q->received.d == EHCP_DATE_NONE && !q->received.bad && q->request_outcome != 'H')
    diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_MISSING_VALUE, q->line, path, id,
         "ReceivedDate is missing: the request has no start date, so its assessment "
         "timescales cannot be measured");

  /* The same case id for a different request: say so once. */
  const ehcp_case *c = ehcp_case_set_find(x->r->set, id);
  int fresh = c == NULL;
  if (c && q->received.d != EHCP_DATE_NONE) {
    size_t n = ehcp_case_event_count(c);
    for (size_t i = 0; i < n; i++) {
      int t;
      ehcp_date d;
      const char *src = NULL;
      ehcp_case_event(&t, &d, NULL, NULL, NULL, c, i);
      if (t != EHCP_EV_REQUEST_RECEIVED || d == q->received.d)
        continue;
      ehcp_case_event_source(&src, NULL, c, i);
      if (!limited(x, EHCP_DIAG_DUPLICATE_CASE, C_PERSON, "Requests"))
        diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_DUPLICATE_CASE, q->line, path, id,
             "case %s already has a request received on %s%s%s%s: this request, received %s, "
             "has the same case id and its events join that case (the person's requests are "
             "in another order, or the key is used twice)",
             id, fmt_date(a, d), src ? " (" : "", src ? src : "", src ? ")" : "",
             fmt_date(b, q->received.d));
      break;
    }
  }

  if (q->received.d != EHCP_DATE_NONE)
    add_event(x, id, fresh, EHCP_EV_REQUEST_RECEIVED, q->received.d,
              q->source > 0 ? request_sources[q->source - 1] : NULL, q->received.line);

  /* Decision to assess. */
  char ro = q->request_outcome;
  if (ro == 'Y' || ro == 'N' || ro == 'W') {
    if (q->request_outcome_date.d != EHCP_DATE_NONE)
      add_event(x, id, fresh, EHCP_EV_ASSESSMENT_DECISION, q->request_outcome_date.d,
                decision[(unsigned char)ro], q->request_outcome_date.line);
    else if (!q->request_outcome_date.bad && ro != 'W')
      diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_MISSING_VALUE, q->request_outcome_line,
           sub(p2, path, "RequestOutcome"), id,
           "RequestOutcome %c has no RequestOutcomeDate: no assessment decision is recorded",
           ro);
    else if (!q->request_outcome_date.bad &&
             !limited(x, EHCP_DIAG_MISSING_VALUE, C_REQUESTS, "RequestOutcomeDate"))
      diag(x, EHCP_SEVERITY_NOTE, EHCP_DIAG_MISSING_VALUE, q->request_outcome_line,
           sub(p2, path, "RequestOutcome"), id,
           "RequestOutcome W (withdrawn) has no RequestOutcomeDate: no assessment decision is "
           "recorded");
  } else if (!ro && q->request_outcome_date.d != EHCP_DATE_NONE &&
             !limited(x, EHCP_DIAG_MISSING_VALUE, C_REQUESTS, "RequestOutcome")) {
    diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_MISSING_VALUE, q->request_outcome_date.line,
         sub(p2, path, "RequestOutcomeDate"), id,
         "RequestOutcomeDate %s has no RequestOutcome: no assessment decision is recorded",
         fmt_date(a, q->request_outcome_date.d));
  }

  /* Decision to issue, and the plan. */
  char ao = q->assessment_outcome;
  ehcp_date final = EHCP_DATE_NONE;
  uint32_t final_line = 0;
  if (ao == 'Y') {
    if (q->assessment_outcome_date.d != EHCP_DATE_NONE) {
      final = q->assessment_outcome_date.d;
      final_line = q->assessment_outcome_date.line;
      if (q->start.d != EHCP_DATE_NONE && q->start.d != final &&
          !limited(x, EHCP_DIAG_DATE_MISMATCH, C_NAMED_PLAN, "StartDate"))
        diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_DATE_MISMATCH, q->start.line,
             sub(p2, path, "Assessment/NamedPlan/StartDate"), id,
             "NamedPlan/StartDate %s differs from AssessmentOutcomeDate %s, the date the plan "
             "was issued: final_issued uses AssessmentOutcomeDate",
             fmt_date(a, q->start.d), fmt_date(b, final));
    } else if (q->start.d != EHCP_DATE_NONE) {
      final = q->start.d;
      final_line = q->start.line;
      if (!q->assessment_outcome_date.bad &&
          !limited(x, EHCP_DIAG_MISSING_VALUE, C_ASSESSMENT, "AssessmentOutcomeDate"))
        diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_MISSING_VALUE, q->assessment_outcome_line,
             sub(p2, path, "Assessment/AssessmentOutcome"), id,
             "AssessmentOutcome Y has no AssessmentOutcomeDate: NamedPlan/StartDate %s is used "
             "as the date of the decision to issue and of the final plan",
             fmt_date(a, final));
    } else if (!q->assessment_outcome_date.bad && !q->start.bad) {
      diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_MISSING_VALUE, q->assessment_outcome_line,
           sub(p2, path, "Assessment/AssessmentOutcome"), id,
           "AssessmentOutcome Y has neither AssessmentOutcomeDate nor NamedPlan/StartDate: no "
           "issue decision or final plan is recorded");
    }
    if (final != EHCP_DATE_NONE)
      add_event(x, id, fresh, EHCP_EV_ISSUE_DECISION, final, "yes", final_line);
  } else if (ao == 'N' || ao == 'W') {
    if (q->assessment_outcome_date.d != EHCP_DATE_NONE)
      add_event(x, id, fresh, EHCP_EV_ISSUE_DECISION, q->assessment_outcome_date.d,
                decision[(unsigned char)ao], q->assessment_outcome_date.line);
    else if (!q->assessment_outcome_date.bad && ao == 'N')
      diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_MISSING_VALUE, q->assessment_outcome_line,
           sub(p2, path, "Assessment/AssessmentOutcome"), id,
           "AssessmentOutcome N has no AssessmentOutcomeDate: no issue decision is recorded");
    else if (!q->assessment_outcome_date.bad &&
             !limited(x, EHCP_DIAG_MISSING_VALUE, C_ASSESSMENT, "AssessmentOutcomeDate"))
      diag(x, EHCP_SEVERITY_NOTE, EHCP_DIAG_MISSING_VALUE, q->assessment_outcome_line,
           sub(p2, path, "Assessment/AssessmentOutcome"), id,
           "AssessmentOutcome W (withdrawn) has no AssessmentOutcomeDate: no issue decision is "
           "recorded");
  } else if (!ao && q->assessment_outcome_date.d != EHCP_DATE_NONE &&
             !limited(x, EHCP_DIAG_MISSING_VALUE, C_ASSESSMENT, "AssessmentOutcome")) {
    diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_MISSING_VALUE, q->assessment_outcome_date.line,
         sub(p2, path, "Assessment/AssessmentOutcomeDate"), id,
         "AssessmentOutcomeDate %s has no AssessmentOutcome: no issue decision is recorded",
         fmt_date(a, q->assessment_outcome_date.d));
  }
  if (final == EHCP_DATE_NONE && q->start.d != EHCP_DATE_NONE) {
    final = q->start.d; /* a plan issued before the period (H), or after N/W: kept as read */
    final_line = q->start.line;
  }
  if (final != EHCP_DATE_NONE)
    add_event(x, id, fresh, EHCP_EV_FINAL_ISSUED, final, NULL, final_line);

  /* Week20: an exception somewhere on the case. */
  if (q->week20 == 1) {
    const struct dval *on[] = {&q->received, &q->request_outcome_date,
                               &q->assessment_outcome_date, &q->start};
    ehcp_date d = EHCP_DATE_NONE;
    for (size_t i = 0; i < sizeof on / sizeof *on && d == EHCP_DATE_NONE; i++)
      d = on[i]->d;
    if (d != EHCP_DATE_NONE)
      add_event(x, id, fresh, EHCP_EV_EXCEPTION, d, "unspecified", q->week20_line);
    else if (!limited(x, EHCP_DIAG_MISSING_VALUE, C_ASSESSMENT, "Week20"))
      diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_MISSING_VALUE, q->week20_line,
           sub(p2, path, "Assessment/Week20"), id,
           "Week20 is 1 but the request has no date to record the exception on: it is not "
           "recorded");
  }

  /* The plan's end. */
  if (q->cease.d != EHCP_DATE_NONE)
    add_event(x, id, fresh, EHCP_EV_PLAN_CEASED, q->cease.d,
              q->cease_reason[0] ? q->cease_reason : NULL, q->cease.line);
  else if (q->cease_reason[0] && !q->cease.bad &&
           !limited(x, EHCP_DIAG_MISSING_VALUE, C_NAMED_PLAN, "CeaseDate"))
    diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_MISSING_VALUE, q->cease_reason_line,
         sub(p2, path, "Assessment/NamedPlan/CeaseReason"), id,
         "CeaseReason %s has no CeaseDate: the plan's ending is not recorded", q->cease_reason);

  /* Attributes: codes only. The first one creates the case even when the
   * request has no event, so every request read has its case. */
  char year[16] = "";
  if (x->year)
    snprintf(year, sizeof year, "%d", x->year);
  char ros[2] = {ro != '?' ? ro : 0, 0}, aos[2] = {ao != '?' ? ao : 0, 0};
  add_attr(x, id, "person_id", x->key);
  add_attr(x, id, "la", x->la);
  add_attr(x, id, "sen2_year", year);
  add_attr(x, id, "request_outcome", ros);
  add_attr(x, id, "assessment_outcome", aos);
  add_attr(x, id, "exported", q->exported);
  if (q->have_plan_detail)
    set_setting_attrs(x, id, &q->plan, "urn", "ukprn", "sen_setting");

  /* What later ActivePlans need. */
  if (grow((void **)&x->reqs, &x->reqcap, x->nreqs + 1, sizeof *x->reqs)) {
    fatal(x, EHCP_ERR_NOMEM);
    return;
  }
  struct reqinfo *ri = &x->reqs[x->nreqs++];
  ri->index = q->index;
  ri->has_plan = ao == 'Y' || ao == 'H' || q->start.d != EHCP_DATE_NONE;
  ri->ceased = q->cease.d != EHCP_DATE_NONE;
  ri->plan_date = final;

  if (x->rc)
    return; /* not handled in full: not counted */
  x->counts->read++;
  if (q->errors)
    x->counts->rejected++;
  else
    x->counts->accepted++;
}

/* ActivePlans has ended: check what needs its parts together. */
static void finish_active_plans(struct sx *x) {
  struct ap *ap = cur_ap(x);
  char path[PATH_SIZE], p2[PATH_SIZE], a[EHCP_DATE_ISO_SIZE];
  path_of(x, path, x->depth, NULL);
  const char *id = here_case(x);
  if (ap->last_review.d != EHCP_DATE_NONE && !ap->outcome) {
    if (x->year && x->year <= 2023)
      x->unrecorded_reviews++; /* no ReviewOutcome before 2024: one note at the end */
    else if (!limited(x, EHCP_DIAG_MISSING_VALUE, C_ACTIVE_PLANS, "ReviewOutcome"))
      diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_MISSING_VALUE, ap->last_review.line,
           sub(p2, path, "LastReview"), id,
           "LastReview %s has no ReviewOutcome: no review decision is recorded",
           fmt_date(a, ap->last_review.d));
  } else if (ap->outcome && ap->outcome != '?' && ap->last_review.d == EHCP_DATE_NONE &&
             !ap->last_review.bad &&
             !limited(x, EHCP_DIAG_MISSING_VALUE, C_ACTIVE_PLANS, "LastReview")) {
    diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_MISSING_VALUE, ap->outcome_line,
         sub(p2, path, "ReviewOutcome"), id,
         "ReviewOutcome %c has no LastReview (the date of the decision): no review decision is "
         "recorded",
         ap->outcome);
  }
  if (ap->pt_due.d != EHCP_DATE_NONE) {
    int y, m, d;
    ehcp_date_to_ymd(&y, &m, &d, ap->pt_due.d);
    if ((m == 2 && (d == 14 || d == 15)) || (m == 3 && (d == 30 || d == 31))) {
      ap->transfer_kind = m == 2 ? "school" : "post16";
      ehcp_date_from_ymd(&ap->transfer, y, 9, 1);
    } else {
      /* post16_other: the engine's deadline is the transfer date minus 5
       * months; find the day that gives back exactly the due date. */
      ehcp_date t, back;
      ap->transfer_kind = "post16_other";
      if (ehcp_date_add_months(&t, ap->pt_due.d, 5) != EHCP_OK) {
        ap->transfer = EHCP_DATE_NONE;
      } else {
        ap->transfer = t;
        int exact = 0;
        for (int k = 0; k <= 3 && !exact; k++)
          if (ehcp_date_add_months(&back, t + k, -5) == EHCP_OK && back == ap->pt_due.d)
            ap->transfer = t + k, exact = 1;
        if (!exact &&
            !limited(x, EHCP_DIAG_DATE_MISMATCH, C_ACTIVE_PLANS, "PhaseTransferDueDate")) {
          char b[EHCP_DATE_ISO_SIZE], c[EHCP_DATE_ISO_SIZE];
          ehcp_date_add_months(&back, t, -5);
          diag(x, EHCP_SEVERITY_NOTE, EHCP_DIAG_DATE_MISMATCH, ap->pt_due.line,
               sub(p2, path, "PhaseTransferDueDate"), id,
               "PhaseTransferDueDate %s is no day's \"5 months before\": the transfer is dated "
               "%s, whose deadline is %s",
               fmt_date(a, ap->pt_due.d), fmt_date(b, t), fmt_date(c, back));
        }
      }
    }
  } else if (ap->pt_final.d != EHCP_DATE_NONE && !ap->pt_due.bad &&
             !limited(x, EHCP_DIAG_MISSING_VALUE, C_ACTIVE_PLANS, "PhaseTransferDueDate")) {
    diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_MISSING_VALUE, ap->pt_final.line,
         sub(p2, path, "PhaseTransferFinalDate"), id,
         "PhaseTransferFinalDate %s has no PhaseTransferDueDate: the amended plan is recorded "
         "but there is no phase transfer to measure it against",
         fmt_date(a, ap->pt_final.d));
  }
  ap->complete = 1;
  x->cur_ap = -1;
}

static const struct reqinfo *find_req(const struct sx *x, uint32_t index) {
  for (size_t i = 0; i < x->nreqs; i++)
    if (x->reqs[i].index == index)
      return &x->reqs[i];
  return NULL;
}

/* The request an ActivePlans belongs to (see the top of the file), or 0. */
static uint32_t ap_target(const struct sx *x, const struct ap *ap) {
  const struct reqinfo *own = ap->from ? find_req(x, ap->from) : NULL;
  if (own && own->has_plan)
    return own->index;
  const struct reqinfo *best = NULL;
  for (size_t i = 0; i < x->nreqs; i++) {
    const struct reqinfo *r = &x->reqs[i];
    if (!r->has_plan)
      continue;
    if (!best || r->ceased < best->ceased ||
        (r->ceased == best->ceased && r->plan_date >= best->plan_date))
      best = r;
  }
  if (best)
    return best->index;
  if (own)
    return own->index;
  return x->nreqs ? x->reqs[x->nreqs - 1].index : 0;
}

/* The person has ended (or the read stops inside it): its ActivePlans go
 * to their requests' cases. */
static void finish_person(struct sx *x) {
  char path[PATH_SIZE], id[sizeof x->key + 16];
  for (size_t i = 0; i < x->naps && !x->rc; i++) {
    struct ap *ap = &x->aps[i];
    if (!ap->complete || (ap->from && !find_req(x, ap->from)))
      continue; /* cut short by an XML error */
    uint32_t t = ap_target(x, ap);
    unsigned pd = 0; /* depth of the Person frame */
    for (unsigned k = 1; k <= x->depth; k++)
      if (x->f[k].id == C_PERSON)
        pd = k;
    path_of(x, path, pd, NULL);
    size_t o = strlen(path);
    if (ap->from)
      snprintf(path + o, sizeof path - o, "/Requests[%u]/ActivePlans", (unsigned)ap->from);
    else
      snprintf(path + o, sizeof path - o, "/ActivePlans");
    if (!t) {
      diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_MISPLACED_ELEMENT, ap->line, path, NULL,
           "the person has no Requests to attach these ActivePlans to: they are not read");
      continue;
    }
    snprintf(id, sizeof id, "%s/%u", x->key, (unsigned)t);
    if (ap->from && t != ap->from) {
      char from[sizeof x->key + 16];
      snprintf(from, sizeof from, "%s/%u", x->key, (unsigned)ap->from);
      if (!limited(x, EHCP_DIAG_MISPLACED_ELEMENT, C_REQUESTS, "ActivePlans"))
        diag(x, EHCP_SEVERITY_NOTE, EHCP_DIAG_MISPLACED_ELEMENT, ap->line, path, from,
             "Requests[%u] has no plan: its ActivePlans are the plan of Requests[%u] and go to "
             "case %s",
             (unsigned)ap->from, (unsigned)t, id);
    }
    if (ap->meeting.d != EHCP_DATE_NONE)
      add_event(x, id, 0, EHCP_EV_REVIEW_MEETING, ap->meeting.d, NULL, ap->meeting.line);
    if (ap->last_review.d != EHCP_DATE_NONE && ap->outcome && ap->outcome != '?')
      add_event(x, id, 0, EHCP_EV_REVIEW_DECISION, ap->last_review.d,
                ap->outcome == 'M' ? "maintain" : ap->outcome == 'A' ? "amend" : "cease",
                ap->last_review.line);
    if (ap->draft.d != EHCP_DATE_NONE)
      add_event(x, id, 0, EHCP_EV_REVIEW_DRAFT, ap->draft.d, NULL, ap->draft.line);
    if (ap->transfer != EHCP_DATE_NONE)
      add_event(x, id, 0, EHCP_EV_PHASE_TRANSFER, ap->transfer, ap->transfer_kind, ap->pt_due.line);
    if (ap->pt_final.d != EHCP_DATE_NONE)
      add_event(x, id, 0, EHCP_EV_PHASE_TRANSFER_AMENDED, ap->pt_final.d, NULL, ap->pt_final.line);
    add_attr(x, id, "transfer_la", ap->transfer_la);
    if (ap->have_place)
      set_setting_attrs(x, id, &ap->place, "placement_urn", "placement_ukprn",
                        "placement_sen_setting");
    add_attr(x, id, "sen_type", ap->sen_type);
    add_attr(x, id, "sen_type_2", ap->sen_type_2);
  }
  x->nreqs = 0;
  x->naps = 0;
  x->cur_ap = -1;
  x->in_person = 0;
}

/* ---- element events ---------------------------------------------------------- */

static const struct elem *lookup(unsigned char parent, const char *name, size_t *index) {
  for (size_t i = 0; i < NELEMS; i++)
    if (elems[i].parent == parent && strcmp(elems[i].name, name) == 0) {
      *index = i;
      return &elems[i];
    }
  return NULL;
}

static int is_read(unsigned char id) { return id < X_IGNORED; }

/* An element that is not allowed where it is: say where it belongs. An
 * element this reader would have read is an error (its data is lost: inside
 * a request, the request is rejected); others are warnings. */
static void misplaced(struct sx *x, const char *name) {
  const struct frame *top = &x->f[x->depth];
  char path[PATH_SIZE], shown[SHOW_SIZE], where[128] = "";
  show(shown, sizeof shown, name, strlen(name));
  path_of(x, path, x->depth, shown);
  if (top->id == C_DOC) {
    diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_MISPLACED_ELEMENT, cur_line(x), path, NULL,
         "the root element is <%s>, not <Message>: this is not a SEN2 return", shown);
    return;
  }
  size_t o = 0, found = 0;
  int read = 0;
  for (size_t i = 0; i < NELEMS; i++) {
    if (strcmp(elems[i].name, name) != 0 ||
        (elems[i].parent == C_PERSON && elems[i].id == C_ACTIVE_PLANS))
      continue; /* ActivePlans in Person is tolerated, not where it belongs */
    read |= is_read(elems[i].id);
    if (found < 2 && o < sizeof where)
      o += (size_t)snprintf(where + o, sizeof where - o, "%s<%s>", found ? " or " : "",
                            container_names[elems[i].parent]);
    found++;
  }
  const char *in = top->id < V_FIRST ? container_names[top->id] : elems[top->elem].name;
  if (top->id >= V_FIRST)
    x->vmixed = 1; /* the value it is inside is unusable */
  if (!read && limited(x, EHCP_DIAG_MISPLACED_ELEMENT, top->id, name))
    return;
  int severity = read ? EHCP_SEVERITY_ERROR : EHCP_SEVERITY_WARNING;
  if (found)
    diag(x, severity, EHCP_DIAG_MISPLACED_ELEMENT, cur_line(x), path, here_case(x),
         "<%s> is not allowed in <%s> (it belongs in %s): it is not read", shown, in, where);
  else
    diag(x, severity, EHCP_DIAG_MISPLACED_ELEMENT, cur_line(x), path, here_case(x),
         "unknown element <%s> in <%s>: it is not read", shown, in);
}

static void start_container(struct sx *x, struct frame *f) {
  switch (f->id) {
  case C_MESSAGE: x->saw_message = 1; break;
  case C_PERSONS: {
    char path[PATH_SIZE];
    x->persons_started = 1;
    check_header(x, f->line, path_of(x, path, x->depth - 1, "Header"));
    break;
  }
  case C_PERSON:
    x->person_pos++;
    x->in_person = 1;
    x->key_fixed = 0;
    x->upn[0] = x->uln[0] = x->key[0] = '\0';
    x->nreqs = x->naps = 0;
    x->cur_ap = -1;
    break;
  case C_REQUESTS:
    fix_key(x);
    memset(&x->q, 0, sizeof x->q);
    x->q.index = f->index;
    x->q.line = f->line;
    x->q.week20 = -1;
    x->q.received.d = x->q.request_outcome_date.d = x->q.assessment_outcome_date.d =
        x->q.start.d = x->q.cease.d = EHCP_DATE_NONE;
    snprintf(x->q.id, sizeof x->q.id, "%s/%u", x->key, (unsigned)f->index);
    x->in_req = 1;
    break;
  case C_PLAN_DETAIL:
  case C_PLACEMENT_DETAIL:
    memset(&x->cur, 0, sizeof x->cur);
    x->cur.entry = x->cur.leaving = EHCP_DATE_NONE;
    break;
  case C_SEN_NEED:
    x->need[0] = '\0';
    x->need_rank = 0;
    break;
  case C_ACTIVE_PLANS: {
    if (grow((void **)&x->aps, &x->apcap, x->naps + 1, sizeof *x->aps)) {
      fatal(x, EHCP_ERR_NOMEM);
      return;
    }
    struct ap *ap = &x->aps[x->naps];
    memset(ap, 0, sizeof *ap);
    ap->from = x->f[x->depth - 1].id == C_REQUESTS ? x->q.index : 0;
    ap->line = f->line;
    ap->meeting.d = ap->last_review.d = ap->draft.d = ap->pt_due.d = ap->pt_final.d =
        ap->transfer = ap->place.entry = ap->place.leaving = EHCP_DATE_NONE;
    x->cur_ap = (long)x->naps++;
    if (!ap->from && !limited(x, EHCP_DIAG_MISPLACED_ELEMENT, C_PERSON, "ActivePlans")) {
      char path[PATH_SIZE];
      diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_MISPLACED_ELEMENT, f->line,
           path_of(x, path, x->depth, NULL), NULL,
           "<ActivePlans> is directly in <Person> (the schema puts it in <Requests>): it is "
           "read as the person's current plan");
    }
    break;
  }
  default: break;
  }
}

static void end_container(struct sx *x, struct frame *f) {
  switch (f->id) {
  case C_COLLECTION_DETAILS: {
    char path[PATH_SIZE];
    check_header(x, f->line, path_of(x, path, x->depth, NULL));
    break;
  }
  case C_PLAN_DETAIL:
    if (x->cur.urn[0] || x->cur.ukprn[0] || x->cur.sen_setting[0]) {
      /* The plan's primary setting: rank 1, else the first. */
      if (!x->q.have_plan_detail || (x->cur.rank == 1 && x->q.plan.rank != 1)) {
        x->q.plan = x->cur;
        x->q.have_plan_detail = 1;
      }
    }
    break;
  case C_PLACEMENT_DETAIL: {
    struct ap *ap = cur_ap(x);
    if (ap && (x->cur.urn[0] || x->cur.ukprn[0] || x->cur.sen_setting[0]) &&
        (!ap->have_place || better_setting(&x->cur, &ap->place))) {
      ap->place = x->cur;
      ap->have_place = 1;
    }
    break;
  }
  case C_SEN_NEED: {
    struct ap *ap = cur_ap(x);
    if (!ap || !x->need[0])
      break;
    char *slot = x->need_rank == 2   ? ap->sen_type_2
                 : x->need_rank == 1 ? ap->sen_type
                 : !ap->sen_type[0]  ? ap->sen_type
                                     : ap->sen_type_2;
    memcpy(slot, x->need, CODE_SIZE);
    break;
  }
  case C_ACTIVE_PLANS:
    if (cur_ap(x))
      finish_active_plans(x);
    break;
  case C_REQUESTS:
    finish_request(x);
    x->in_req = 0;
    break;
  case C_PERSON: finish_person(x); break;
  default: break;
  }
}

static const char *local_name(const char *name) {
  const char *colon = strrchr(name, ':');
  return colon ? colon + 1 : name;
}

static void XMLCALL on_start(void *data, const XML_Char *qname, const XML_Char **atts) {
  struct sx *x = data;
  (void)atts;
  if (x->rc)
    return;
  if (x->skip) {
    x->skip++;
    return;
  }
  const char *name = local_name(qname);
  struct frame *top = &x->f[x->depth];
  size_t ei = 0;
  const struct elem *e = top->id < V_FIRST ? lookup(top->id, name, &ei) : NULL;
  if (!e || x->depth + 1 >= MAX_FRAMES) {
    misplaced(x, name);
    x->skip = 1;
    return;
  }
  if (!e->rep) {
    uint64_t bit = (uint64_t)1 << (ei % 64);
    if (top->seen[ei / 64] & bit) {
      char path[PATH_SIZE];
      int read = is_read(e->id);
      if (read || !limited(x, EHCP_DIAG_MISPLACED_ELEMENT, top->id, name))
        diag(x, read ? EHCP_SEVERITY_ERROR : EHCP_SEVERITY_WARNING, EHCP_DIAG_MISPLACED_ELEMENT,
             cur_line(x), path_of(x, path, x->depth, name), here_case(x),
             "<%s> appears again in <%s>, where it is allowed once: the first is used and this "
             "one is not read",
             name, container_names[top->id]);
      x->skip = 1;
      return;
    }
    top->seen[ei / 64] |= bit;
  }
  if (e->id >= X_IGNORED) {
    x->skip = 1; /* known, not read (personal data is never even buffered) */
    return;
  }
  if (e->id == C_HEADER && x->persons_started) {
    char path[PATH_SIZE];
    diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_MISPLACED_ELEMENT, cur_line(x),
         path_of(x, path, x->depth, name), NULL,
         "<Header> comes after <Persons>: it is not read (the persons before it are read "
         "without it)");
    x->skip = 1;
    return;
  }
  struct frame *f = &x->f[++x->depth];
  memset(f, 0, sizeof *f);
  f->id = e->id;
  f->elem = (unsigned char)ei;
  f->line = cur_line(x);
  if (e->rep)
    f->index = ++top->nrep[e->rep - 1];
  if (e->id >= V_FIRST) {
    x->collecting = 1;
    x->vlen = 0;
    x->vlong = x->vmixed = 0;
  } else {
    start_container(x, f);
  }
}

static void XMLCALL on_end(void *data, const XML_Char *qname) {
  struct sx *x = data;
  (void)qname;
  if (x->rc)
    return;
  if (x->skip) {
    x->skip--;
    return;
  }
  struct frame *f = &x->f[x->depth];
  if (f->id >= V_FIRST) {
    x->collecting = 0;
    value_end(x, f);
  } else {
    end_container(x, f);
  }
  x->depth--;
}

static void XMLCALL on_text(void *data, const XML_Char *s, int len) {
  struct sx *x = data;
  if (x->rc || x->skip || len <= 0)
    return;
  if (x->collecting) {
    size_t n = (size_t)len;
    if (x->vlen + n > VALUE_MAX) {
      x->vlong = 1;
      n = VALUE_MAX - x->vlen;
    }
    memcpy(x->val + x->vlen, s, n);
    x->vlen += n;
    return;
  }
  struct frame *top = &x->f[x->depth];
  if (top->text_noted || top->id == C_DOC)
    return;
  for (int i = 0; i < len; i++) {
    if (is_ws(s[i]))
      continue;
    top->text_noted = 1;
    if (!limited(x, EHCP_DIAG_MISPLACED_ELEMENT, top->id, "(text)")) {
      char path[PATH_SIZE];
      /* The text is not quoted: it could be anything, names included. */
      diag(x, EHCP_SEVERITY_WARNING, EHCP_DIAG_MISPLACED_ELEMENT, cur_line(x),
           path_of(x, path, x->depth, NULL), here_case(x),
           "text directly in <%s> is not part of any element: it is not read",
           container_names[top->id]);
    }
    return;
  }
}

/* Entities are not part of SEN2 and are how XML bombs are built: stop. */
static void XMLCALL on_entity_decl(void *data, const XML_Char *name, int is_param,
                                   const XML_Char *value, int value_len, const XML_Char *base,
                                   const XML_Char *system_id, const XML_Char *public_id,
                                   const XML_Char *notation) {
  struct sx *x = data;
  (void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)system_id;
  (void)public_id, (void)notation;
  x->entity_decl = 1;
  XML_StopParser(x->p, XML_FALSE);
}

/* ---- the read ---------------------------------------------------------------- */

/* Report what the limits held back and the 2023 review note. */
static void closing_notes(struct sx *x) {
  for (size_t i = 0; i < x->nlim && !x->rc; i++) {
    const struct limit *l = &x->lim[i];
    if (l->count <= LIMIT_EACH)
      continue;
    int text = l->what[0] == '(';
    diag(x, EHCP_SEVERITY_NOTE, l->code, 0, NULL, NULL,
         "%llu more %s diagnostics about %s%s%s in <%s> are not listed one by one",
         (unsigned long long)(l->count - LIMIT_EACH), ehcp_diag_code_name(l->code),
         text ? "" : "<", text ? "text" : l->what, text ? "" : ">", container_names[l->parent]);
  }
  if (x->unrecorded_reviews && !x->rc)
    diag(x, EHCP_SEVERITY_NOTE, EHCP_DIAG_MISSING_VALUE, 0, NULL, NULL,
         "this %d return has no ReviewOutcome (collected from 2024): %llu LastReview %s",
         x->year, (unsigned long long)x->unrecorded_reviews,
         x->unrecorded_reviews == 1 ? "date is not recorded as a review decision"
                                    : "dates are not recorded as review decisions");
}

/* Report an XML error where it happened. */
static void syntax_error(struct sx *x, int final) {
  enum XML_Error code = XML_GetErrorCode(x->p);
  uint32_t line = cur_line(x);
  unsigned long col = (unsigned long)XML_GetCurrentColumnNumber(x->p) + 1;
  char path[PATH_SIZE];
  const char *shown = x->name ? x->name : "(buffer)";
  path_of(x, path, x->depth, NULL);
  int open = x->depth > 0 || x->skip > 0;
  int truncated = final && open &&
                  (code == XML_ERROR_NO_ELEMENTS || code == XML_ERROR_UNCLOSED_TOKEN ||
                   code == XML_ERROR_PARTIAL_CHAR || code == XML_ERROR_UNCLOSED_CDATA_SECTION);
  const char *cid = here_case(x);
  if (x->entity_decl) {
    diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_XML_SYNTAX, line, path[0] ? path : NULL, cid,
         "the file declares XML entities, which SEN2 returns never do: the read stops here");
    reader_set_errmsg(x->r, "%s:%u: XML entity declarations are not accepted", shown, line);
  } else if (truncated) {
    const char *in = x->depth ? (x->f[x->depth].id < V_FIRST ? container_names[x->f[x->depth].id]
                                                             : elems[x->f[x->depth].elem].name)
                              : "Message";
    diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_XML_SYNTAX, line, path[0] ? path : NULL, cid,
         "the file ends inside <%s> (%s): it is truncated; what came before is kept", in,
         XML_ErrorString(code));
    reader_set_errmsg(x->r, "%s:%u: the file is truncated", shown, line);
  } else {
    diag(x, EHCP_SEVERITY_ERROR, EHCP_DIAG_XML_SYNTAX, line, path[0] ? path : NULL, cid,
         "XML error at column %lu: %s; the read stops here and what came before is kept", col,
         XML_ErrorString(code));
    reader_set_errmsg(x->r, "%s:%u: XML error: %s", shown, line, XML_ErrorString(code));
  }
}

int read_sen2_xml(ehcp_reader *r, const char *data, size_t len, const char *name,
                  struct read_counts *counts) {
  const char *shown = name ? name : "(buffer)";
  r->reference_date = EHCP_DATE_NONE;
  int rc = ehcp_case_set_set_source(r->set, name);
  if (rc != EHCP_OK) {
    reader_set_errmsg(r, "%s: %s", shown, ehcp_case_set_errmsg(r->set));
    return rc;
  }
  struct sx *x = calloc(1, sizeof *x);
  if (!x)
    return reader_set_errmsg(r, "%s: out of memory", shown), EHCP_ERR_NOMEM;
  x->r = r;
  x->name = name;
  x->counts = counts;
  x->cur_ap = -1;
  x->reference.d = EHCP_DATE_NONE;
  x->f[0].id = C_DOC;
  x->p = XML_ParserCreate(NULL);
  if (!x->p) {
    free(x);
    return reader_set_errmsg(r, "%s: out of memory", shown), EHCP_ERR_NOMEM;
  }
  XML_SetUserData(x->p, x);
  XML_SetElementHandler(x->p, on_start, on_end);
  XML_SetCharacterDataHandler(x->p, on_text);
  XML_SetEntityDeclHandler(x->p, on_entity_decl);

  int failed = 0, final = 0;
  size_t off = 0;
  do {
    size_t n = len - off < CHUNK ? len - off : CHUNK;
    final = off + n == len;
    if (XML_Parse(x->p, data + off, (int)n, final) != XML_STATUS_OK) {
      failed = 1;
      break;
    }
    off += n;
  } while (!final);

  rc = EHCP_OK;
  if (x->rc) {
    rc = x->rc;
  } else if (failed && XML_GetErrorCode(x->p) == XML_ERROR_NO_MEMORY) {
    rc = EHCP_ERR_NOMEM;
    reader_set_errmsg(r, "%s: out of memory", shown);
  } else if (failed) {
    syntax_error(x, final);
    if (x->in_req && !x->rc) { /* the request cut short: read, rejected, not kept */
      counts->read++;
      counts->rejected++;
      x->in_req = 0;
    }
    if (x->in_person && !x->rc)
      finish_person(x);
    rc = x->rc ? x->rc : EHCP_ERR_PARSE;
  } else if (!x->saw_message) {
    reader_set_errmsg(r, "%s: the root element is not <Message>: not a SEN2 return", shown);
    rc = EHCP_ERR_PARSE;
  } else {
    if (!x->header_checked)
      check_header(x, 1, "Message/Header");
  }
  if (rc != EHCP_ERR_NOMEM)
    closing_notes(x);
  if (x->rc == EHCP_ERR_NOMEM)
    rc = EHCP_ERR_NOMEM;
  XML_ParserFree(x->p);
  free(x->reqs);
  free(x->aps);
  free(x);
  return rc;
}
