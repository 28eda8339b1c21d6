/* Built-in UK bank holidays (calendars.md section 1): the yearly rules of the
 * three GOV.UK divisions, plus one table of one-off changes.
 *
 * Everything here is static const data and pure functions, so it is
 * thread-safe. Names are GOV.UK's titles, with its typographic apostrophe. */
#include "holidays.h"

/* U+2019 RIGHT SINGLE QUOTATION MARK in UTF-8, as GOV.UK writes "New Year’s". */
#define APOS "\xe2\x80\x99"

/* Region bits. */
#define EW (1u << EHCP_REGION_ENGLAND_AND_WALES)
#define SC (1u << EHCP_REGION_SCOTLAND)
#define NI (1u << EHCP_REGION_NORTHERN_IRELAND)
#define ALL (EW | SC | NI)

enum rule_kind {
  ON_DATE,      /* month/day; on a weekend, moves to a substitute day */
  EASTER,       /* Easter Sunday + day */
  FIRST_MONDAY, /* first Monday of month */
  LAST_MONDAY,  /* last Monday of month */
  DAY_AFTER     /* nominally month/day; observed on the first free weekday
                   after the previous rule's observed day */
};

struct rule {
  const char *name;
  unsigned char regions;
  unsigned char kind;
  signed char month, day;
  short since; /* first year the holiday exists */
};

/* The yearly rules, in date order (DAY_AFTER refers to the entry before). */
static const struct rule rules[] = {
    {"New Year" APOS "s Day", ALL, ON_DATE, 1, 1, 0},
    /* GOV.UK keeps Scotland's pair in order: 1 Jan on a Sunday gives
     * Mon 2 "New Year's Day" and Tue 3 "2nd January" (2023), both
     * substitutes, although 2 Jan is itself a weekday. */
    {"2nd January", SC, DAY_AFTER, 1, 2, 0},
    {"St Patrick" APOS "s Day", NI, ON_DATE, 3, 17, 0},
    {"Good Friday", ALL, EASTER, 0, -2, 0},
    {"Easter Monday", EW | NI, EASTER, 0, 1, 0},
    {"Early May bank holiday", ALL, FIRST_MONDAY, 5, 0, 1978},
    {"Spring bank holiday", ALL, LAST_MONDAY, 5, 0, 1971},
    {"Battle of the Boyne (Orangemen" APOS "s Day)", NI, ON_DATE, 7, 12, 0},
    {"Summer bank holiday", SC, FIRST_MONDAY, 8, 0, 0},
    {"Summer bank holiday", EW | NI, LAST_MONDAY, 8, 0, 0},
    /* St Andrew's Day Bank Holiday (Scotland) Act 2007. */
    {"St Andrew" APOS "s Day", SC, ON_DATE, 11, 30, 2007},
    {"Christmas Day", ALL, ON_DATE, 12, 25, 0},
    {"Boxing Day", ALL, ON_DATE, 12, 26, 0},
};

struct one_off {
  short year;
  signed char month, day;
  unsigned char regions;
  const char *name; /* NULL: keeps the name of the rule day it replaces */
  /* The rule day (same year) this one replaces, or 0, 0 for an extra day. */
  signed char from_month, from_day;
};

/* One-off changes made by Royal Proclamation since 1980, in date order.
 * New one-offs keep being announced: add them here (a user can also add
 * closures of their own to a calendar). Names inside 2019-2027 are GOV.UK's;
 * older ones follow GOV.UK's style. */
static const struct one_off one_offs[] = {
    {1981, 7, 29, ALL, "Royal wedding", 0, 0},
    {1995, 5, 8, ALL, "Early May bank holiday (VE day)", 5, 1},
    {1999, 12, 31, ALL, "Millennium Celebrations", 0, 0},
    {2002, 6, 3, ALL, "Golden Jubilee bank holiday", 0, 0},
    {2002, 6, 4, ALL, NULL, 5, 27},
    {2011, 4, 29, ALL, "Royal wedding", 0, 0},
    {2012, 6, 4, ALL, NULL, 5, 28},
    {2012, 6, 5, ALL, "Queen" APOS "s Diamond Jubilee", 0, 0},
    {2020, 5, 8, ALL, "Early May bank holiday (VE day)", 5, 4},
    {2022, 6, 2, ALL, NULL, 5, 30},
    {2022, 6, 3, ALL, "Platinum Jubilee bank holiday", 0, 0},
    {2022, 9, 19, ALL, "Bank Holiday for the State Funeral of Queen Elizabeth II", 0, 0},
    {2023, 5, 8, ALL, "Bank holiday for the coronation of King Charles III", 0, 0},
    /* Scotland's men's team at the FIFA World Cup; proclaimed in 2026, after
     * the GOV.UK snapshot the tests compare against. */
    {2026, 6, 15, SC, "FIFA World Cup bank holiday", 0, 0},
};

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

/* y, m, d are always valid here (year 1980-2099), so this cannot fail. */
static ehcp_date ymd(int y, int m, int d) {
  ehcp_date date = 0;
  ehcp_date_from_ymd(&date, y, m, d);
  return date;
}

static int is_weekend(ehcp_date d) { return ehcp_date_weekday(d) >= EHCP_SATURDAY; }

/* Easter Sunday: the anonymous Gregorian computus (Meeus/Jones/Butcher). */
static ehcp_date easter_sunday(int y) {
  int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  int f = (b + 8) / 25, g = (b - f + 1) / 3;
  int h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4, k = c % 4;
  int l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int n = h + l - 7 * m + 114;
  return ymd(y, n / 31, n % 31 + 1);
}

static ehcp_date first_monday(int y, int m) {
  ehcp_date d = ymd(y, m, 1);
  return d + (7 - ehcp_date_weekday(d)) % 7;
}

static ehcp_date last_monday(int y, int m) {
  ehcp_date d = ymd(y, m, ehcp_days_in_month(y, m));
  return d - ehcp_date_weekday(d);
}

static int find(const struct holiday *h, int n, ehcp_date d) {
  for (int i = 0; i < n; i++)
    if (h[i].date == d)
      return i;
  return -1;
}

/* The first weekday on or after d that is not already a holiday. */
static ehcp_date next_free_weekday(const struct holiday *h, int n, ehcp_date d) {
  while (is_weekend(d) || find(h, n, d) >= 0)
    d++;
  return d;
}

int holidays_for_year(struct holiday out[HOLIDAYS_MAX_PER_YEAR], int region, int year) {
  if (region == EHCP_REGION_NONE)
    return 0;
  if (region < EHCP_REGION_ENGLAND_AND_WALES || region > EHCP_REGION_NORTHERN_IRELAND)
    return EHCP_ERR_INVALID;
  if (year < EHCP_HOLIDAYS_FIRST_YEAR || year > EHCP_HOLIDAYS_LAST_YEAR)
    return EHCP_ERR_RANGE;
  unsigned bit = 1u << region;

  /* Nominal date of each rule of this region (0 = not this region/year). */
  ehcp_date nominal[COUNT(rules)] = {0};
  for (size_t i = 0; i < COUNT(rules); i++) {
    const struct rule *r = &rules[i];
    if (!(r->regions & bit) || year < r->since)
      continue;
    switch (r->kind) {
    case EASTER: nominal[i] = easter_sunday(year) + r->day; break;
    case FIRST_MONDAY: nominal[i] = first_monday(year, r->month); break;
    case LAST_MONDAY: nominal[i] = last_monday(year, r->month); break;
    default: nominal[i] = ymd(year, r->month, r->day); break;
    }
  }

  /* Rule days on a weekday stand, and are placed first so that a substitute
   * skips them: Christmas on a Sunday gives Mon 26 Boxing Day and Tue 27
   * Christmas Day (substitute), as GOV.UK lists it. Then, in date order,
   * each weekend day moves to the next weekday that is not a holiday, and
   * a DAY_AFTER day follows the day before it. */
  int n = 0;
  for (size_t i = 0; i < COUNT(rules); i++)
    if (nominal[i] && rules[i].kind != DAY_AFTER && !is_weekend(nominal[i]))
      out[n++] = (struct holiday){nominal[i], rules[i].name, 0};
  ehcp_date previous = 0;
  for (size_t i = 0; i < COUNT(rules); i++) {
    if (!nominal[i])
      continue;
    ehcp_date d = nominal[i];
    if (rules[i].kind == DAY_AFTER)
      d = next_free_weekday(out, n, previous + 1);
    else if (is_weekend(d))
      d = next_free_weekday(out, n, d);
    else {
      previous = d; /* already placed */
      continue;
    }
    out[n++] = (struct holiday){d, rules[i].name, d != nominal[i]};
    previous = d;
  }

  /* One-offs: replace a rule day, or add an extra day. */
  for (size_t i = 0; i < COUNT(one_offs); i++) {
    const struct one_off *o = &one_offs[i];
    if (o->year != year || !(o->regions & bit))
      continue;
    const char *name = o->name;
    if (o->from_month) {
      int at = find(out, n, ymd(year, o->from_month, o->from_day));
      if (at >= 0) {
        if (!name)
          name = out[at].name;
        out[at] = out[--n];
      }
    }
    if (n == HOLIDAYS_MAX_PER_YEAR) /* cannot happen with the tables above */
      return EHCP_ERR_LIMIT;
    out[n++] = (struct holiday){ymd(year, o->month, o->day), name ? name : "Bank holiday", 0};
  }

  /* Sort by date (insertion sort: at most 16 days). */
  for (int i = 1; i < n; i++) {
    struct holiday h = out[i];
    int j = i;
    for (; j > 0 && out[j - 1].date > h.date; j--)
      out[j] = out[j - 1];
    out[j] = h;
  }
  return n;
}
