/* The generator's model of a case: one request for an EHC needs assessment
 * and what followed it, as plain dates. A date is DAY_NONE when the step has
 * not happened by the data's "today" (the as-of date): the simulation is
 * causal, so a step that would come later is simply left out, and every
 * writer projects the same struct into its format. */
#ifndef GENERATE_MODEL_H
#define GENERATE_MODEL_H

#include <stdint.h>

#include "civil.h"
#include "rng.h"

/* Outcome of the decision to assess and of the decision to issue a plan. */
enum decision { DEC_PENDING, DEC_YES, DEC_NO, DEC_WITHDRAWN };
enum source { SRC_PARENT, SRC_SETTING, SRC_HEALTH, SRC_SOCIAL_CARE, SRC_OTHER, SRC_COUNT };
enum adviser { ADV_EDUCATION, ADV_EARLY_YEARS, ADV_EP, ADV_HEALTH, ADV_SOCIAL_CARE, ADV_COUNT };
enum exception_kind {
  EXC_SCHOOL_CLOSURE = 1, EXC_PERSONAL_CIRCUMSTANCES, EXC_ABSENCE, EXC_APPOINTMENT_MISSED,
  EXC_UNSPECIFIED
};
enum review_outcome { REV_PENDING, REV_MAINTAIN, REV_AMEND, REV_CEASE };
enum transfer_kind { PT_NONE, PT_SCHOOL, PT_POST16, PT_POST16_OTHER };
enum age_group { AGE_UNDER_5, AGE_5_10, AGE_11_15, AGE_16_19, AGE_20_25, AGE_COUNT };
enum setting_type {
  SET_EARLY_YEARS, SET_PRIMARY, SET_SECONDARY, SET_SPECIAL, SET_INDEPENDENT, SET_POST16,
  SET_HOME, SET_ALTERNATIVE, SET_NEET, SET_COUNT
};

extern const char *const source_names[SRC_COUNT];
extern const char *const adviser_names[ADV_COUNT];
extern const char *const exception_names[];
extern const char *const decision_names[];
extern const char *const review_names[];
extern const char *const transfer_names[];
extern const char *const age_group_names[AGE_COUNT];
extern const char *const setting_names[SET_COUNT];
extern const char *const team_names[4];

/* Settings: the schools, early-years providers and colleges asked for
 * advice (ref = "URN" + URN) and named in plans; URN999001 is the school
 * whose term calendar is examples/data/school-term.ics. */
#define SCHOOL_COUNT 12
extern const int school_urns[SCHOOL_COUNT];

#define MAX_REQUESTS 3
#define MAX_ADVICE 8
#define MAX_EXCEPTIONS 3
#define MAX_REVIEWS 8
#define MAX_CONTACTS 32
#define MAX_UPDATES 32

struct advice {
  uint8_t adviser;
  int16_t school; /* index in school_urns for education/early years, else -1 */
  day_t requested, received;
};

struct exception {
  uint8_t kind;
  int16_t school; /* the setting closed, for school_closure; else -1 */
  day_t start, end; /* end: last day, inclusive; DAY_NONE when open or unknown */
};

struct review {
  day_t meeting, report, decision, draft, final;
  uint8_t outcome;
};

struct contact {
  day_t received, responded;
};

struct gcase {
  char id[24];     /* "<UPN>/<request index>" */
  char upn[16];
  int request_index; /* 1-based within the person */
  uint32_t person;

  /* attributes */
  uint8_t team, caseworker, setting, age_group, need, sex;
  int16_t school; /* the child's setting (index in school_urns), or -1 */
  day_t birth;

  /* the request and the decision to assess (A1) */
  day_t received;
  uint8_t source, brought_to_attention;
  uint8_t decision;
  day_t decision_date;

  /* the assessment (A2 advice, A3, A5) */
  struct advice advice[MAX_ADVICE];
  int nadvice;
  struct exception exceptions[MAX_EXCEPTIONS];
  int nexceptions;
  uint8_t issue;
  day_t issue_date, draft, final;

  /* the plan: reviews (B1-B7), phase transfer (B9-B11), ceasing */
  struct review reviews[MAX_REVIEWS];
  int nreviews;
  uint8_t transfer;
  day_t transfer_date, transfer_amended;
  day_t ceased;
  uint8_t cease_reason; /* SEN2 CeaseReason 1-9 */

  /* what councils track beside the law */
  struct contact contacts[MAX_CONTACTS];
  int ncontacts;
  day_t updates[MAX_UPDATES];
  int nupdates;
};

/* What every case of a run shares. */
struct world {
  uint64_t seed;
  day_t first, last; /* requests are received in [first, last] */
  day_t as_of;       /* the data's today: no event after it but planned transfers */
  int sen2_compatible;
  uint32_t npersons;
  /* A monthly "pressure" (0 calm .. 1 overwhelmed) that slows every stage:
   * a random walk from the seed, indexed by months since first. */
  double *pressure;
  int npressure;
  /* Inverse distribution of request dates: cumulative weight per day. */
  double *cumulative;
  int ndays;
};

/* Simulate person number `person`: fills cases[0..n) (their requests, in
 * date order) and returns n. Unreached steps stay DAY_NONE. With
 * w->sen2_compatible the cases are reduced to what the SEN2 return, the
 * cases CSV and the events CSV can all carry. */
int simulate_person(struct gcase cases[MAX_REQUESTS], uint32_t person, const struct world *w);

/* SEN2 PhaseTransferDueDate of a transfer: 15 February or 31 March of the
 * year of transfer (the "before" date), or 5 months before the transfer. */
day_t transfer_due_date(const struct gcase *g);

#endif
