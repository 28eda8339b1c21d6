/* The representation of rule sets, shared by the built-in rule sets, the
 * INI loader and the evaluator. Private to lib/.
 *
 * The INI format that fills these structs is specified in
 * docs/ruleset-format.md. */
#ifndef EHCP_LIB_RULESET_INTERNAL_H
#define EHCP_LIB_RULESET_INTERNAL_H

#include "ehcp/calendar.h"
#include "ehcp/case.h"
#include "ehcp/ruleset.h"

#include <stdbool.h>

/* An event pattern: a type and the details it accepts (bit i set = detail
 * index i accepted; 0 = any detail). Type EVENT_REVIEW_CLOCK stands for the
 * event the review_clock convention names (review_decision or
 * review_meeting). */
#define EVENT_REVIEW_CLOCK 255
struct event_match {
  uint8_t type;
  uint32_t details;
};

#define MAX_MATCHES 6

struct match_list {
  struct event_match m[MAX_MATCHES];
  uint8_t n;
};

/* How a milestone's occurrences are formed from the case's events. */
enum pairing {
  PAIR_FIRST,  /* one occurrence: the first start event; end = first end event on/after it */
  PAIR_EACH,   /* one per start event; end = first end event in [start, next start) */
  PAIR_REF,    /* one per start event; end = first unused end event with the same
                  ref and detail on/after it (advice, contacts) */
  PAIR_REPEAT, /* a chain: anchor = first start-or-restart event; each occurrence
                  runs from an anchor to the next restart event (B1, "every 4 weeks");
                  `end` is not used: the restart events complete occurrences */
  PAIR_BEFORE  /* one per start event (a future date, e.g. phase transfer); end = the
                  last end event in (previous start, start] (B9-B11) */
};

enum limit_unit {
  UNIT_DAYS,
  UNIT_WEEKS,
  UNIT_MONTHS,
  UNIT_WORKING_DAYS,
  UNIT_BEFORE_DATE /* due = the day before fixed_month/fixed_day of the start's year */
};

/* Whether "N days/weeks" counts t0 as day 1 (due = t0 + N - 1). */
enum day_one { DAY_ONE_CONVENTION, DAY_ONE_NO, DAY_ONE_YES };

struct milestone {
  /* Fields the evaluator reads for every case come first (cache lines). */
  enum pairing pairing;
  int32_t amount; /* may be negative: "at least 5 months before" = -5 months */
  enum limit_unit unit;
  enum day_one day_one;
  uint8_t fixed_month, fixed_day;
  bool statutory;
  bool window;         /* A4: a period to allow; the end event must come after due */
  bool stop_clock;     /* local "stop the clock": due moves by the exception's length */
  bool roll_forward;   /* a due date on a non-working day moves to the next working day (Wales) */
  uint32_t exceptions; /* bit (1 << enum ehcp_exception_kind) */
  struct match_list start, end, cancel, restart, until;
  char when_attr[32];  /* applies only to cases whose attribute when_attr ... */
  char when_value[64]; /* ... equals when_value (when_attr "" = all cases) */
  char id[16];
  char name[48];
  char label[96];
  char source[48];
};

enum week_counting { WEEKS_T0_PLUS_7N, WEEKS_T0_DAY1 };
enum review_clock { REVIEW_CLOCK_DECISION, REVIEW_CLOCK_MEETING };

struct ehcp_ruleset {
  char name[64];
  struct milestone *m;
  size_t n, cap;
  enum week_counting week_counting;
  enum review_clock review_clock;
  bool window_end_inclusive;
  int region; /* enum ehcp_region */
  char errmsg[512];
};

#define EXC_BIT(kind) (1u << (kind))
/* reg 10(4)(a)-(d) plus covid and unrecorded reasons: A1, A3, A5. */
#define EXC_REG_10_4                                                                     \
  (EXC_BIT(EHCP_EXC_SCHOOL_CLOSURE) | EXC_BIT(EHCP_EXC_EARLY_YEARS_CLOSURE) |           \
   EXC_BIT(EHCP_EXC_PERSONAL_CIRCUMSTANCES) | EXC_BIT(EHCP_EXC_ABSENCE) |               \
   EXC_BIT(EHCP_EXC_COVID) | EXC_BIT(EHCP_EXC_UNSPECIFIED))
/* reg 8(2): advice (A2). */
#define EXC_REG_8_2                                                                      \
  (EXC_BIT(EHCP_EXC_PERSONAL_CIRCUMSTANCES) | EXC_BIT(EHCP_EXC_ABSENCE) |               \
   EXC_BIT(EHCP_EXC_APPOINTMENT_MISSED) | EXC_BIT(EHCP_EXC_COVID))

/* Append a milestone, or replace the one with the same id. */
int ruleset_put(struct ehcp_ruleset *rs, const struct milestone *m);
/* Fill rs (already zeroed) with the built-in set called name; EHCP_ERR_NOT_FOUND if none. */
int ruleset_builtin(struct ehcp_ruleset *rs, const char *name);
/* Parse "event" or "event:detail|detail" (several patterns separated by ',')
 * into list; returns EHCP_OK or EHCP_ERR_PARSE with a reason in *why. */
int match_list_parse(struct match_list *list, const char *text, const char **why);

#endif
