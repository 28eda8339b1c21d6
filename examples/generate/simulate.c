/* The simulation: one function per stage of a case, each drawing its dates
 * from distributions shaped like a council under strain (see --help for
 * the rates aimed at). Dates are drawn "raw" first, then kept only if they
 * fall on or before the as-of date, so the data stops at the same "today"
 * in every stage and every format. */
#include "model.h"

#include <stdio.h>
#include <string.h>

const char *const source_names[SRC_COUNT] = {"parent", "setting", "health", "social_care",
                                             "other"};
const char *const adviser_names[ADV_COUNT] = {"education", "early_years", "ep", "health",
                                              "social_care"};
const char *const exception_names[] = {"", "school_closure", "personal_circumstances", "absence",
                                       "appointment_missed", "unspecified"};
const char *const decision_names[] = {"", "yes", "no", "withdrawn"};
const char *const review_names[] = {"", "maintain", "amend", "cease"};
const char *const transfer_names[] = {"", "school", "post16", "post16_other"};
const char *const age_group_names[AGE_COUNT] = {"under_5", "5_10", "11_15", "16_19", "20_25"};
const char *const setting_names[SET_COUNT] = {
    "early_years", "mainstream_primary", "mainstream_secondary", "special", "independent",
    "post16_college", "home_educated", "alternative_provision", "neet"};
const char *const team_names[4] = {"North", "South", "East", "West"};

/* 999001-999004 primary (999001 has examples/data/school-term.ics),
 * 999005-999007 secondary, 999008 special, 999009-999010 early years,
 * 999011-999012 colleges. */
const int school_urns[SCHOOL_COUNT] = {999001, 999002, 999003, 999004, 999005, 999006,
                                       999007, 999008, 999009, 999010, 999011, 999012};

/* ---- helpers --------------------------------------------------------------- */

static day_t seen(const struct world *w, day_t day) { return day <= w->as_of ? day : DAY_NONE; }

static day_t days(double d) { return d < 0 ? 0 : (day_t)(d + 0.5); }

/* A working day on or before day. */
static day_t working_before(day_t day) {
  while (is_closed(day))
    day--;
  return day;
}

static day_t max_day(day_t a, day_t b) { return a > b ? a : b; }

/* The pressure of the month of day. */
static double pressure_at(const struct world *w, day_t day) {
  int y0, m0, d0, y, m, d;
  day_to_civil(w->first, &y0, &m0, &d0);
  day_to_civil(day, &y, &m, &d);
  int i = (y - y0) * 12 + (m - m0);
  if (i < 0)
    i = 0;
  if (i >= w->npressure)
    i = w->npressure - 1;
  return w->pressure[i];
}

/* The request date at quantile q in [0, 1) of the whole intake. */
static day_t request_date_at(const struct world *w, double q) {
  double target = q * w->cumulative[w->ndays - 1];
  int lo = 0, hi = w->ndays - 1;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (w->cumulative[mid] > target)
      hi = mid;
    else
      lo = mid + 1;
  }
  return w->first + lo;
}

/* The summer closure [C, R) of the schools in the year: the term dates of
 * examples/data/school-term.ics for 2023-2026 (all the authority's schools
 * follow its pattern), a typical pattern otherwise. */
static void summer_closure(int year, day_t *c, day_t *r) {
  static const int known[][5] = {{2023, 7, 22, 9, 5}, {2024, 7, 20, 9, 4},
                                 {2025, 7, 23, 9, 3}, {2026, 7, 22, 9, 3}};
  for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
    if (known[i][0] == year) {
      *c = civil_to_day(year, known[i][1], known[i][2]);
      *r = civil_to_day(year, known[i][3], known[i][4]);
      return;
    }
  }
  *c = civil_to_day(year, 7, 20);
  while (weekday(*c) != 5)
    (*c)++;
  *r = civil_to_day(year, 9, 2);
  while (weekday(*r) >= 5)
    (*r)++;
}

static void add_exception(struct gcase *g, int kind, day_t start, day_t end, int school) {
  if (g->nexceptions < MAX_EXCEPTIONS)
    g->exceptions[g->nexceptions++] = (struct exception){(uint8_t)kind, (int16_t)school, start, end};
}

/* ---- the person ------------------------------------------------------------ */

static int age_at(day_t birth, day_t day) {
  int by, bm, bd, y, m, d;
  day_to_civil(birth, &by, &bm, &bd);
  day_to_civil(day, &y, &m, &d);
  return y - by - (m < bm || (m == bm && d < bd));
}

static int age_group_of(int age) {
  return age < 5 ? AGE_UNDER_5 : age <= 10 ? AGE_5_10 : age <= 15 ? AGE_11_15
         : age <= 19 ? AGE_16_19 : AGE_20_25;
}

/* Who the child is: age, setting, team... drawn once per person. */
static void assign_person(struct gcase *g, struct rng *r, day_t t0) {
  static const double age_weights[AGE_COUNT] = {22, 43, 26, 8, 1};
  static const int age_lo[AGE_COUNT] = {2, 5, 11, 16, 20}, age_hi[AGE_COUNT] = {4, 10, 15, 19, 24};
  int group = rng_pick(r, age_weights, AGE_COUNT);
  int age = rng_int(r, age_lo[group], age_hi[group]);
  /* Born on the first of a month: an obviously synthetic birth date. */
  int y, m, d;
  day_to_civil(t0 - age * 365 - rng_int(r, 0, 360), &y, &m, &d);
  g->birth = civil_to_day(y, m, 1);
  g->sex = (uint8_t)rng_chance(r, 0.7);

  static const double settings[AGE_COUNT][SET_COUNT] = {
      /* EY  pri  sec  spe  ind  p16  home alt  neet */
      {80, 20, 0, 0, 0, 0, 0, 0, 0},
      {0, 80, 0, 10, 3, 0, 3, 4, 0},
      {0, 0, 70, 15, 5, 0, 5, 5, 0},
      {0, 0, 15, 15, 0, 60, 0, 0, 10},
      {0, 0, 0, 0, 0, 70, 0, 0, 30},
  };
  g->setting = (uint8_t)rng_pick(r, settings[age_group_of(age_at(g->birth, t0))], SET_COUNT);
  switch (g->setting) {
  case SET_EARLY_YEARS: g->school = (int16_t)rng_int(r, 8, 9); break;
  case SET_PRIMARY: g->school = (int16_t)rng_int(r, 0, 3); break;
  case SET_SECONDARY: g->school = (int16_t)rng_int(r, 4, 6); break;
  case SET_SPECIAL: g->school = 7; break;
  case SET_POST16: g->school = (int16_t)rng_int(r, 10, 11); break;
  default: g->school = -1; break;
  }
  static const double teams[4] = {30, 25, 25, 20};
  g->team = (uint8_t)rng_pick(r, teams, 4);
  g->caseworker = (uint8_t)rng_int(r, 0, 5);
  /* SEN2 primary need: ASD, SEMH, SLCN, MLD, SLD, SPLD, PD, HI, VI, PMLD, MSI, OTH */
  static const double needs[12] = {35, 20, 20, 8, 4, 4, 3, 1, 1, 1, 0.5, 2.5};
  g->need = (uint8_t)rng_pick(r, needs, 12);
}

/* ---- the stages ------------------------------------------------------------ */

static void stage_request(struct gcase *g, const struct world *w, struct rng *r, day_t t0) {
  static const double sources[SRC_COUNT] = {40, 45, 7, 5, 3};
  g->received = t0;
  g->source = (uint8_t)rng_pick(r, sources, SRC_COUNT);
  g->brought_to_attention = !w->sen2_compatible && rng_chance(r, 0.01);
  g->age_group = (uint8_t)age_group_of(age_at(g->birth, t0));
}

/* A1: mostly within 6 weeks (panels cluster near the limit), later when
 * the month is under pressure; ~25% refused, ~3% withdrawn first. */
static void stage_decision_to_assess(struct gcase *g, const struct world *w, struct rng *r) {
  double p = pressure_at(w, g->received);
  day_t when;
  uint8_t outcome;
  if (rng_chance(r, 0.03)) {
    outcome = DEC_WITHDRAWN;
    when = next_working(g->received + rng_int(r, 7, 50));
  } else {
    outcome = rng_chance(r, 0.25 / 0.97) ? DEC_NO : DEC_YES;
    if (rng_chance(r, 0.92 - 0.3 * p))
      when = working_before(g->received + rng_int(r, 24, 42));
    else
      when = next_working(g->received + 43 + days(rng_exp(r, 10 + 12 * p)));
  }
  g->decision_date = seen(w, when);
  g->decision = g->decision_date == DAY_NONE ? DEC_PENDING : outcome;
}

/* A2: advice from education (the child's setting), the educational
 * psychologist, health and social care. Return times differ by adviser:
 * the EP is slowest. Returns the date the last advice came in (raw). */
static day_t stage_advice(struct gcase *g, const struct world *w, struct rng *r) {
  struct {
    int adviser;
    double chance, base, mean, pressure_mean;
  } const plan[] = {
      {ADV_EDUCATION, 1.00, 12, 14, 10}, {ADV_EP, 0.98, 20, 24, 36},
      {ADV_HEALTH, 0.95, 16, 18, 16},    {ADV_SOCIAL_CARE, 0.80, 12, 14, 12},
      {ADV_HEALTH, 0.15, 16, 18, 16}, /* a second health professional */
  };
  day_t last = g->decision_date;
  for (size_t i = 0; i < sizeof plan / sizeof *plan && g->nadvice < MAX_ADVICE; i++) {
    if (!rng_chance(r, plan[i].chance))
      continue;
    int adviser = plan[i].adviser, school = -1;
    if (adviser == ADV_EDUCATION) {
      school = g->school;
      if (g->setting == SET_EARLY_YEARS)
        adviser = ADV_EARLY_YEARS;
    }
    day_t asked = next_working(g->decision_date + (i == 4 ? rng_int(r, 5, 30) : rng_int(r, 0, 3)));
    double p = pressure_at(w, asked);
    day_t back = next_working(asked + days(plan[i].base +
                                           rng_exp(r, plan[i].mean + plan[i].pressure_mean * p)));
    if (adviser == ADV_EP && rng_chance(r, 0.02)) {
      /* reg 8(2): the family could not keep the EP's appointment */
      day_t missed = next_working(asked + rng_int(r, 10, 30));
      if (missed <= w->as_of)
        add_exception(g, EXC_APPOINTMENT_MISSED, missed, missed, -1);
      back += 21;
    }
    last = max_day(last, back);
    if (asked > w->as_of)
      continue;
    g->advice[g->nadvice++] = (struct advice){(uint8_t)adviser, (int16_t)school, asked,
                                              seen(w, back)};
  }
  return last;
}

/* reg 10(4) exceptions on a few percent: absence of 28+ days, personal
 * circumstances, and (for about a third of the cases whose school was asked
 * for advice in the week before or during the summer closure) the
 * school-closure exception. Returns the delay they cause, in days. */
static int stage_exceptions(struct gcase *g, const struct world *w, struct rng *r) {
  int delay = 0;
  if (rng_chance(r, 0.012)) {
    day_t start = g->decision_date + rng_int(r, 0, 60);
    int length = rng_int(r, 28, 70);
    if (start <= w->as_of)
      add_exception(g, EXC_ABSENCE, start, seen(w, start + length - 1), -1);
    delay += length / 2;
  }
  if (rng_chance(r, 0.012)) {
    day_t start = g->received + rng_int(r, 0, 100);
    int length = rng_int(r, 14, 90);
    if (start <= w->as_of)
      add_exception(g, EXC_PERSONAL_CIRCUMSTANCES, start, seen(w, start + length - 1), -1);
    delay += length / 2;
  }
  for (int i = 0; i < g->nadvice; i++) {
    const struct advice *a = &g->advice[i];
    if (a->adviser != ADV_EDUCATION || a->school < 0)
      continue;
    day_t c, reopen;
    summer_closure(day_year(a->requested), &c, &reopen);
    if (a->requested >= c - 7 && a->requested <= reopen - 7 && rng_chance(r, 0.35)) {
      add_exception(g, EXC_SCHOOL_CLOSURE, c, seen(w, reopen - 1), a->school);
      delay += 14;
    }
  }
  return delay;
}

/* A3/A5: the outcome of the assessment. Drafts come around weeks 14-22
 * (later under pressure, and usually after the last advice); the final
 * follows the 15-day comment window by a pressure-dependent gap, so the
 * share of plans issued within 20 weeks swings between months. */
static void stage_outcome(struct gcase *g, const struct world *w, struct rng *r, day_t last_advice,
                          int delay) {
  double p = 0.5 * (pressure_at(w, g->received) + pressure_at(w, g->received + 98));
  day_t when, draft = DAY_NONE, final = DAY_NONE;
  uint8_t outcome;
  double u = rng_unit(r);
  if (u < 0.015) {
    outcome = DEC_WITHDRAWN;
    when = next_working(g->decision_date + rng_int(r, 14, 90));
  } else if (u < 0.075) {
    outcome = DEC_NO; /* A3: 16 weeks, often late */
    when = max_day(g->decision_date + 21, g->received + days(rng_normal(r, 96 + 14 * p, 14)));
    if (rng_chance(r, 0.7))
      when = max_day(when, last_advice + rng_int(r, 3, 14)); /* on the advice */
    when = next_working(when);
  } else {
    outcome = DEC_YES;
    draft = g->received + days(7 * rng_normal(r, 15.0 + 3.0 * p, 1.8)) + delay;
    draft = max_day(draft, g->decision_date + 28);
    if (rng_chance(r, 0.75))
      draft = max_day(draft, last_advice + rng_int(r, 3, 12));
    if (rng_chance(r, 0.05))
      draft += days(rng_exp(r, 60)); /* stuck: placement disputes, missing advice */
    draft = next_working(draft);
    if (rng_chance(r, 0.015))
      final = draft + rng_int(r, 8, 14); /* family agreed to an early final */
    else
      final = draft + 15 + days(rng_exp(r, 5 + 20 * p));
    if (rng_chance(r, 0.04))
      final += days(rng_exp(r, 100));
    final = next_working(final);
    when = draft; /* the decision to issue goes out with the draft */
  }
  g->issue_date = seen(w, when);
  g->issue = g->issue_date == DAY_NONE ? DEC_PENDING : outcome;
  g->draft = seen(w, draft);
  g->final = seen(w, final);
}

/* How likely a plan is to cease in a year, outside reviews. */
static double cease_hazard(const struct gcase *g) {
  return g->age_group == AGE_20_25 ? 0.25 : g->age_group == AGE_16_19 ? 0.12 : 0.03;
}

static uint8_t cease_reason(const struct gcase *g, struct rng *r) {
  static const double young[9] = {0, 40, 0, 0, 30, 0, 15, 2, 13};
  static const double older[9] = {10, 25, 10, 15, 10, 20, 3, 1, 6};
  return (uint8_t)(1 + rng_pick(r, g->age_group >= AGE_16_19 ? older : young, 9));
}

/* B1-B7: annual reviews of the plan, each within 12 months of the plan or
 * the last review decision; the report (2 weeks), decision (4 weeks) and,
 * for amendments, the proposed amendments and the final amended plan (8
 * weeks), some of each late. Also decides when the plan ceases. */
static void stage_reviews(struct gcase *g, const struct world *w, struct rng *r) {
  day_t ceased = g->final + days(rng_exp(r, 365.0 / cease_hazard(g)));
  uint8_t reason = cease_reason(g, r);
  day_t anchor = g->final;
  while (g->nreviews < MAX_REVIEWS) {
    double p = pressure_at(w, add_months(anchor, 11));
    day_t due = add_months(anchor, 12), meeting;
    if (rng_chance(r, 0.75 - 0.2 * p))
      meeting = due - rng_int(r, 30, 80);
    else
      meeting = due - 20 + days(rng_exp(r, 45));
    meeting = next_working(meeting);
    if (meeting > w->as_of || meeting >= ceased)
      break;
    struct review *v = &g->reviews[g->nreviews++];
    *v = (struct review){meeting, DAY_NONE, DAY_NONE, DAY_NONE, DAY_NONE, REV_PENDING};
    day_t report = meeting + (rng_chance(r, 0.8) ? rng_int(r, 2, 14) : 15 + days(rng_exp(r, 14)));
    v->report = seen(w, next_working(report));
    day_t decision = meeting + (rng_chance(r, 0.75 - 0.25 * p) ? rng_int(r, 5, 28)
                                                               : 29 + days(rng_exp(r, 20)));
    decision = next_working(decision);
    const double outcomes[3] = {55, 40, g->age_group >= AGE_16_19 ? 12 : 4};
    uint8_t outcome = (uint8_t)(1 + rng_pick(r, outcomes, 3));
    day_t draft = decision + (rng_chance(r, 0.7) ? 0 : rng_int(r, 1, 10));
    day_t final = draft + (rng_chance(r, 0.65 - 0.2 * p) ? rng_int(r, 15, 56)
                                                         : 57 + days(rng_exp(r, 30)));
    draft = next_working(draft);
    final = next_working(final);
    if (decision + 14 >= ceased)
      outcome = REV_CEASE; /* the plan was going to end: the review ends it */
    if (outcome == REV_CEASE) {
      ceased = next_working(decision + rng_int(r, 14, 45));
      reason = g->age_group >= AGE_16_19 ? 6 : 2;
    }
    if (decision > w->as_of)
      break;
    v->decision = decision;
    v->outcome = outcome;
    if (outcome == REV_AMEND) {
      v->draft = seen(w, draft);
      v->final = v->draft == DAY_NONE ? DAY_NONE : seen(w, final);
    }
    anchor = decision;
  }
  g->ceased = seen(w, ceased);
  g->cease_reason = g->ceased == DAY_NONE ? 0 : reason;
}

/* B9/B10/B11: the next phase transfer of a plan made in time for it:
 * early years or Year 6 to school (review and amend before 15 February),
 * Year 11 to post-16 (before 31 March), and now and then a move between
 * post-16 institutions (5 months ahead). The transfer itself is a planned
 * date and may be after the as-of date. */
static void stage_phase_transfer(struct gcase *g, const struct world *w, struct rng *r) {
  int by, bm, bd;
  day_to_civil(g->birth, &by, &bm, &bd);
  int reception = bm >= 9 ? by + 5 : by + 4; /* year the child starts Reception */
  int horizon = day_year(w->as_of) + 1;
  day_t raw_ceased = g->ceased; /* ceasing after the as-of date is not known yet */
  struct {
    int year, kind;
  } const candidates[] = {
      {reception, PT_SCHOOL}, {reception + 7, PT_SCHOOL}, {reception + 12, PT_POST16}};
  for (size_t i = 0; i < 3; i++) {
    int year = candidates[i].year;
    day_t deadline = civil_to_day(year, candidates[i].kind == PT_SCHOOL ? 2 : 3,
                                  candidates[i].kind == PT_SCHOOL ? 14 : 30);
    if (year > horizon || g->final > deadline - 60 ||
        (raw_ceased != DAY_NONE && raw_ceased <= deadline))
      continue;
    g->transfer = (uint8_t)candidates[i].kind;
    g->transfer_date = civil_to_day(year, 9, 1);
  }
  if (g->setting == SET_POST16 && g->age_group == AGE_16_19 &&
      rng_chance(r, 0.1)) {
    int year = rng_int(r, day_year(g->final) + 1, horizon);
    day_t move = civil_to_day(year, 9, 1);
    if (g->final <= add_months(move, -5) - 60 && (raw_ceased == DAY_NONE || raw_ceased > move)) {
      g->transfer = PT_POST16_OTHER;
      g->transfer_date = move;
    }
  }
  if (g->transfer == PT_NONE || !rng_chance(r, 0.85)) {
    g->transfer = PT_NONE;
    g->transfer_date = DAY_NONE;
    return;
  }
  day_t deadline = g->transfer == PT_POST16_OTHER ? add_months(g->transfer_date, -5) - 1
                   : transfer_due_date(g) - 1; /* last compliant day */
  day_t amended;
  if (rng_chance(r, 0.6))
    amended = working_before(deadline - rng_int(r, 0, 100));
  else
    amended = next_working(deadline + 1 + days(rng_exp(r, 25)));
  g->transfer_amended = seen(w, amended);
}

day_t transfer_due_date(const struct gcase *g) {
  int year = day_year(g->transfer_date);
  switch (g->transfer) {
  case PT_SCHOOL: return civil_to_day(year, 2, 15);
  case PT_POST16: return civil_to_day(year, 3, 31);
  case PT_POST16_OTHER: return add_months(g->transfer_date, -5);
  default: return DAY_NONE;
  }
}

/* Queries from the family or the school, answered within 5 working days
 * mostly; some late, a few never answered. */
static void stage_contacts(struct gcase *g, const struct world *w, struct rng *r) {
  day_t end = g->ceased != DAY_NONE ? g->ceased - 1 : w->as_of;
  if (g->decision == DEC_NO || g->decision == DEC_WITHDRAWN)
    end = g->decision_date + 30; /* a few questions about the refusal, then quiet */
  else if (g->issue == DEC_NO || g->issue == DEC_WITHDRAWN)
    end = g->issue_date + 30;
  if (end > w->as_of)
    end = w->as_of;
  day_t assessing_until = g->final != DAY_NONE ? g->final : end;
  for (day_t t = g->received;;) {
    t += 1 + days(rng_exp(r, t < assessing_until ? 75 : 240));
    day_t asked = next_working(t);
    if (asked > end || g->ncontacts == MAX_CONTACTS)
      break;
    double u = rng_unit(r);
    day_t reply = u < 0.80 ? add_working(asked, rng_int(r, 0, 5))
                  : u < 0.96 ? add_working(asked, rng_int(r, 6, 15))
                             : DAY_NONE;
    g->contacts[g->ncontacts++] = (struct contact){asked, reply == DAY_NONE ? DAY_NONE : seen(w, reply)};
  }
}

/* Updates to the family while the request and assessment run (local
 * target: at least every 4 weeks), with gaps. */
static void stage_family_updates(struct gcase *g, const struct world *w, struct rng *r) {
  day_t end = w->as_of;
  if (g->decision == DEC_NO || g->decision == DEC_WITHDRAWN)
    end = g->decision_date;
  else if (g->issue == DEC_NO || g->issue == DEC_WITHDRAWN)
    end = g->issue_date;
  else if (g->final != DAY_NONE)
    end = g->final;
  for (day_t t = g->received;;) {
    t = next_working(t + (rng_chance(r, 0.7) ? rng_int(r, 18, 28) : rng_int(r, 29, 50)));
    if (t >= end || g->nupdates == MAX_UPDATES)
      break;
    g->updates[g->nupdates++] = t;
  }
}

/* ---- a case ---------------------------------------------------------------- */

static void simulate_case(struct gcase *g, const struct world *w, struct rng *r) {
  day_t t0 = g->received;
  g->decision_date = g->issue_date = g->draft = g->final = DAY_NONE;
  g->transfer_date = g->transfer_amended = g->ceased = DAY_NONE;
  g->nadvice = g->nexceptions = g->nreviews = g->ncontacts = g->nupdates = 0;
  g->decision = g->issue = DEC_PENDING;
  g->transfer = PT_NONE;
  g->cease_reason = 0;

  stage_request(g, w, r, t0);
  stage_decision_to_assess(g, w, r);
  if (g->decision == DEC_YES) {
    day_t last_advice = stage_advice(g, w, r);
    int delay = stage_exceptions(g, w, r);
    stage_outcome(g, w, r, last_advice, delay);
  }
  if (g->final != DAY_NONE) {
    stage_reviews(g, w, r);
    stage_phase_transfer(g, w, r);
  }
  if (!w->sen2_compatible) {
    stage_contacts(g, w, r);
    stage_family_updates(g, w, r);
  }
}

/* ---- --sen2-compatible ------------------------------------------------------- */

/* SEN2 has no draft, advice, review report or review final; one review
 * cycle (the latest); an exception only as Week20 = 1 in the assessment
 * (read as "unspecified", from the request date); the decision to issue a
 * plan dated on the day the plan is issued. */
static void reduce_to_sen2(struct gcase *g) {
  g->brought_to_attention = 0;
  g->nadvice = g->ncontacts = g->nupdates = 0;
  if (g->issue == DEC_YES) {
    g->issue_date = g->final;
    g->issue = g->final == DAY_NONE ? DEC_PENDING : DEC_YES;
  }
  g->draft = DAY_NONE;
  int exception = 0;
  for (int i = 0; i < g->nexceptions; i++)
    exception |= g->exceptions[i].kind != EXC_APPOINTMENT_MISSED;
  g->nexceptions = 0;
  if (exception && g->decision == DEC_YES)
    add_exception(g, EXC_UNSPECIFIED, g->received, DAY_NONE, -1);
  if (g->nreviews > 1) {
    g->reviews[0] = g->reviews[g->nreviews - 1];
    g->nreviews = 1;
  }
  for (int i = 0; i < g->nreviews; i++) {
    g->reviews[i].report = DAY_NONE;
    g->reviews[i].final = DAY_NONE;
  }
}

/* ---- a person ---------------------------------------------------------------- */

/* Person number `person` of w->npersons: their first request falls at
 * their quantile of the intake, so people come out in request-date order;
 * a request that was refused, withdrawn or not issued is made again, now
 * and then, some months later. Every draw comes from the person's own
 * stream, so a person's cases depend only on the seed and their number. */
int simulate_person(struct gcase cases[MAX_REQUESTS], uint32_t person, const struct world *w) {
  struct rng r;
  rng_seed(&r, w->seed, person);
  struct gcase *g = &cases[0];
  memset(g, 0, sizeof *g);
  g->person = person;
  snprintf(g->upn, sizeof g->upn, "X999%09lu", (unsigned long)(person + 1) % 1000000000UL);
  day_t t0 = request_date_at(w, ((double)person + rng_unit(&r)) / (double)w->npersons);
  assign_person(g, &r, t0);
  g->received = t0;
  int n = 0;
  for (;;) {
    g = &cases[n];
    g->request_index = ++n;
    snprintf(g->id, sizeof g->id, "%s/%d", g->upn, g->request_index);
    simulate_case(g, w, &r);
    day_t ended = g->decision == DEC_NO || g->decision == DEC_WITHDRAWN ? g->decision_date
                  : g->issue == DEC_NO || g->issue == DEC_WITHDRAWN     ? g->issue_date
                                                                        : DAY_NONE;
    day_t again = ended == DAY_NONE ? DAY_NONE : next_working(ended + rng_int(&r, 90, 365));
    int repeat = ended != DAY_NONE && rng_chance(&r, 0.25) && again <= w->last && n < MAX_REQUESTS;
    if (w->sen2_compatible)
      reduce_to_sen2(g);
    if (!repeat)
      return n;
    cases[n] = *g; /* the same child: person attributes carry over */
    cases[n].received = again;
  }
}
