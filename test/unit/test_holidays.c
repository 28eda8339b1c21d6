/* Built-in bank holidays (lib/holidays.c) against the published GOV.UK list
 * for 2019-2027, hand-checked substitute days, Easter dates and one-offs,
 * and a rule sweep over every supported year.
 *
 * EHCP_TEST_DATA names the directory holding bank-holidays-govuk-2019-2027.csv
 * (set by test/meson.build; for a manual run use test/data). */
#include "check.h"
#include "holidays.h"

#include <stdlib.h>

#define APOS "\xe2\x80\x99" /* U+2019, GOV.UK's apostrophe */
#define NEW_YEAR "New Year" APOS "s Day"
#define JAN2 "2nd January"
#define ST_PATRICK "St Patrick" APOS "s Day"
#define BOYNE "Battle of the Boyne (Orangemen" APOS "s Day)"
#define ST_ANDREW "St Andrew" APOS "s Day"
#define EARLY_MAY "Early May bank holiday"
#define SPRING "Spring bank holiday"
#define SUMMER "Summer bank holiday"

enum { EW = EHCP_REGION_ENGLAND_AND_WALES, SC = EHCP_REGION_SCOTLAND, NI = EHCP_REGION_NORTHERN_IRELAND };
static const int regions[] = {EW, SC, NI};
static const char *const region_names[] = {"", "england-and-wales", "scotland", "northern-ireland"};

static ehcp_date D(int y, int m, int d) {
  ehcp_date out = EHCP_DATE_NONE;
  int rc = ehcp_date_from_ymd(&out, y, m, d);
  CHECK_INT(rc, EHCP_OK);
  return out;
}

static int year_of(ehcp_date d) {
  int y = 0;
  ehcp_date_to_ymd(&y, NULL, NULL, d);
  return y;
}

/* Holidays of region in the year of date; -1 when the call fails. */
static int get(struct holiday h[HOLIDAYS_MAX_PER_YEAR], int region, ehcp_date date) {
  int n = holidays_for_year(h, region, year_of(date));
  CHECK(n >= 0);
  return n;
}

static int find(const struct holiday *h, int n, ehcp_date d) {
  for (int i = 0; i < n; i++)
    if (h[i].date == d)
      return i;
  return -1;
}

static int find_name(const struct holiday *h, int n, const char *name) {
  int at = -1, count = 0;
  for (int i = 0; i < n; i++)
    if (strcmp(h[i].name, name) == 0)
      at = i, count++;
  return count == 1 ? at : -1;
}

/* region has a holiday called name on y-m-d, with that substitute flag. */
static void expect(int region, int y, int m, int d, const char *name, int substitute) {
  struct holiday h[HOLIDAYS_MAX_PER_YEAR];
  int n = get(h, region, D(y, m, d));
  int at = find(h, n, D(y, m, d));
  if (at < 0) {
    fprintf(stderr, "  missing: %s %04d-%02d-%02d %s\n", region_names[region], y, m, d, name);
    CHECK(at >= 0);
    return;
  }
  CHECK_STR(h[at].name, name);
  CHECK_INT(h[at].substitute, substitute);
}

/* y-m-d is not a holiday of region. */
static void expect_none(int region, int y, int m, int d) {
  struct holiday h[HOLIDAYS_MAX_PER_YEAR];
  int n = get(h, region, D(y, m, d));
  int at = find(h, n, D(y, m, d));
  if (at >= 0)
    fprintf(stderr, "  unexpected: %s %04d-%02d-%02d %s\n", region_names[region], y, m, d,
            h[at].name);
  CHECK_INT(at, -1);
}

static void expect_all(int y, int m, int d, const char *name, int substitute) {
  for (int r = 0; r < 3; r++)
    expect(regions[r], y, m, d, name, substitute);
}

static void expect_none_all(int y, int m, int d) {
  for (int r = 0; r < 3; r++)
    expect_none(regions[r], y, m, d);
}

/* ---- GOV.UK 2019-2027 ---------------------------------------------------- */

#define GOVUK_MAX 400
struct govuk {
  int region;
  ehcp_date date;
  char title[96];
  int substitute;
};

/* Read the CSV: '#' comment lines, a header, then region,date,title,notes
 * (no field contains a comma or a quote). Returns the number of rows. */
static int read_govuk(struct govuk *rows) {
  const char *dir = getenv("EHCP_TEST_DATA");
  char path[4096];
  snprintf(path, sizeof path, "%s/bank-holidays-govuk-2019-2027.csv", dir ? dir : "test/data");
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "cannot open %s (set EHCP_TEST_DATA)\n", path);
    CHECK(f != NULL);
    return 0;
  }
  char line[512];
  int n = 0, header = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '#' || line[0] == '\0')
      continue;
    if (!header) {
      CHECK_STR(line, "region,date,title,notes");
      header = 1;
      continue;
    }
    char *field[4] = {line, NULL, NULL, NULL};
    for (int i = 1; i < 4; i++) {
      field[i] = field[i - 1] ? strchr(field[i - 1], ',') : NULL;
      if (field[i])
        *field[i]++ = '\0';
    }
    if (!field[3] || strchr(field[3], ',') || n == GOVUK_MAX) {
      fprintf(stderr, "bad CSV row %d\n", n + 1);
      CHECK(0);
      continue;
    }
    struct govuk *g = &rows[n];
    g->region = 0;
    for (int r = 1; r <= 3; r++)
      if (strcmp(field[0], region_names[r]) == 0)
        g->region = r;
    CHECK(g->region != 0);
    int y, m, d;
    CHECK_INT(sscanf(field[1], "%4d-%2d-%2d", &y, &m, &d), 3);
    g->date = D(y, m, d);
    snprintf(g->title, sizeof g->title, "%s", field[2]);
    CHECK(strcmp(field[3], "") == 0 || strcmp(field[3], "Substitute day") == 0);
    g->substitute = strcmp(field[3], "Substitute day") == 0;
    n++;
  }
  fclose(f);
  return n;
}

static void test_govuk(void) {
  static struct govuk rows[GOVUK_MAX];
  int n = read_govuk(rows);
  CHECK_INT(n, 252); /* a truncated file must fail */
  int per_region[4] = {0};
  for (int i = 0; i < n; i++)
    per_region[rows[i].region]++;
  CHECK_INT(per_region[EW], 75);
  CHECK_INT(per_region[SC], 84);
  CHECK_INT(per_region[NI], 93);

  /* Every GOV.UK day is ours, with the same title and substitute flag. */
  int matched = 0;
  for (int i = 0; i < n; i++) {
    struct holiday h[HOLIDAYS_MAX_PER_YEAR];
    int k = holidays_for_year(h, rows[i].region, year_of(rows[i].date));
    int at = k >= 0 ? find(h, k, rows[i].date) : -1;
    char iso[EHCP_DATE_ISO_SIZE];
    ehcp_date_format(iso, rows[i].date);
    if (at < 0) {
      fprintf(stderr, "  GOV.UK %s %s %s: not ours\n", region_names[rows[i].region], iso,
              rows[i].title);
      CHECK(at >= 0);
      continue;
    }
    matched++;
    CHECK_STR(h[at].name, rows[i].title);
    CHECK_INT(h[at].substitute, rows[i].substitute);
  }
  CHECK_INT(matched, 252);

  /* And we have nothing more, except Scotland's 2026-06-15: proclaimed in
   * February 2026, after this GOV.UK snapshot was taken, so it is ours and
   * not the snapshot's. That one date is the documented difference. */
  ehcp_date world_cup = D(2026, 6, 15);
  int extra = 0, world_cup_ours = 0;
  for (int r = 0; r < 3; r++)
    for (int y = 2019; y <= 2027; y++) {
      struct holiday h[HOLIDAYS_MAX_PER_YEAR];
      int k = holidays_for_year(h, regions[r], y);
      CHECK(k > 0);
      for (int i = 0; i < k; i++) {
        int in_govuk = 0;
        for (int j = 0; j < n; j++)
          if (rows[j].region == regions[r] && rows[j].date == h[i].date)
            in_govuk = 1;
        if (in_govuk)
          continue;
        if (regions[r] == SC && h[i].date == world_cup) {
          world_cup_ours = 1;
          continue;
        }
        char iso[EHCP_DATE_ISO_SIZE];
        ehcp_date_format(iso, h[i].date);
        fprintf(stderr, "  ours, not GOV.UK: %s %s %s\n", region_names[regions[r]], iso,
                h[i].name);
        extra++;
      }
    }
  CHECK_INT(extra, 0);
  CHECK_INT(world_cup_ours, 1);
  int world_cup_govuk = 0;
  for (int j = 0; j < n; j++)
    if (rows[j].date == world_cup)
      world_cup_govuk = 1;
  CHECK_INT(world_cup_govuk, 0);
}

/* ---- Substitute days ----------------------------------------------------- */

static void test_substitutes(void) {
  /* Christmas on Saturday (2021, and 2032 beyond the GOV.UK data). */
  expect_none_all(2021, 12, 25);
  expect_all(2021, 12, 27, "Christmas Day", 1);
  expect_all(2021, 12, 28, "Boxing Day", 1);
  expect_all(2032, 12, 27, "Christmas Day", 1);
  expect_all(2032, 12, 28, "Boxing Day", 1);
  /* Christmas on Sunday: Boxing Day keeps Monday 26, Christmas moves to 27. */
  expect_all(2022, 12, 26, "Boxing Day", 0);
  expect_all(2022, 12, 27, "Christmas Day", 1);
  expect_all(2033, 12, 26, "Boxing Day", 0);
  expect_all(2033, 12, 27, "Christmas Day", 1);
  /* Boxing Day on Saturday. */
  expect_all(2020, 12, 25, "Christmas Day", 0);
  expect_none_all(2020, 12, 26);
  expect_all(2020, 12, 28, "Boxing Day", 1);
  expect_none_all(2020, 12, 29);

  /* 1 January on Saturday. */
  expect(EW, 2022, 1, 3, NEW_YEAR, 1);
  expect_none(EW, 2022, 1, 4);
  expect(SC, 2022, 1, 3, NEW_YEAR, 1);
  expect(SC, 2022, 1, 4, JAN2, 1);
  expect(SC, 2028, 1, 3, NEW_YEAR, 1);
  expect(SC, 2028, 1, 4, JAN2, 1);
  /* 1 January on Sunday: GOV.UK puts New Year's Day on Mon 2 and
   * 2nd January on Tue 3, both substitutes. */
  expect(EW, 2023, 1, 2, NEW_YEAR, 1);
  expect(NI, 2023, 1, 2, NEW_YEAR, 1);
  expect_none(EW, 2023, 1, 3);
  expect(SC, 2023, 1, 2, NEW_YEAR, 1);
  expect(SC, 2023, 1, 3, JAN2, 1);
  expect(SC, 2034, 1, 2, NEW_YEAR, 1);
  expect(SC, 2034, 1, 3, JAN2, 1);
  /* 2 January on Saturday (1 January a Friday). */
  expect(SC, 2021, 1, 1, NEW_YEAR, 0);
  expect(SC, 2021, 1, 4, JAN2, 1);
  expect_none(EW, 2021, 1, 4);
  /* Scotland's 2 January on a weekday. */
  expect(SC, 2025, 1, 2, JAN2, 0);
  expect_none(EW, 2025, 1, 2);
  expect_none(NI, 2025, 1, 2);

  /* St Patrick's Day (Northern Ireland only). */
  expect(NI, 2019, 3, 18, ST_PATRICK, 1); /* Sunday */
  expect(NI, 2018, 3, 19, ST_PATRICK, 1); /* Saturday */
  expect(NI, 2029, 3, 19, ST_PATRICK, 1); /* Saturday */
  expect(NI, 2030, 3, 18, ST_PATRICK, 1); /* Sunday */
  expect(NI, 2025, 3, 17, ST_PATRICK, 0);
  expect_none(NI, 2029, 3, 17);
  expect_none(EW, 2025, 3, 17);
  expect_none(SC, 2025, 3, 17);

  /* Battle of the Boyne (Northern Ireland only). */
  expect(NI, 2020, 7, 13, BOYNE, 1); /* Sunday */
  expect(NI, 2025, 7, 14, BOYNE, 1); /* Saturday */
  expect(NI, 2037, 7, 13, BOYNE, 1); /* Sunday */
  expect(NI, 2024, 7, 12, BOYNE, 0);
  expect_none(NI, 2025, 7, 12);
  expect_none(EW, 2024, 7, 12);
  expect_none(SC, 2024, 7, 12);

  /* St Andrew's Day (Scotland only, from 2007). */
  expect(SC, 2025, 12, 1, ST_ANDREW, 1); /* Sunday */
  expect(SC, 2024, 12, 2, ST_ANDREW, 1); /* Saturday */
  expect(SC, 2030, 12, 2, ST_ANDREW, 1); /* Saturday */
  expect(SC, 2031, 12, 1, ST_ANDREW, 1); /* Sunday */
  expect(SC, 2023, 11, 30, ST_ANDREW, 0);
  expect(SC, 2007, 11, 30, ST_ANDREW, 0);
  expect_none(SC, 2006, 11, 30);
  expect_none(SC, 2025, 11, 30);
  expect_none(EW, 2023, 11, 30);
  expect_none(NI, 2023, 11, 30);
}

/* ---- Easter -------------------------------------------------------------- */

static void test_easter(void) {
  static const struct {
    int y, m, d; /* Easter Sunday */
  } easter[] = {{1980, 4, 6},  {1981, 4, 19}, {1984, 4, 22}, {2000, 4, 23}, {2008, 3, 23},
                {2011, 4, 24}, {2019, 4, 21}, {2038, 4, 25}, {2049, 4, 18}, {2099, 4, 12}};
  for (size_t i = 0; i < sizeof easter / sizeof easter[0]; i++) {
    ehcp_date sunday = D(easter[i].y, easter[i].m, easter[i].d);
    for (int r = 0; r < 3; r++) {
      struct holiday h[HOLIDAYS_MAX_PER_YEAR];
      int n = get(h, regions[r], sunday);
      int gf = find_name(h, n, "Good Friday");
      CHECK(gf >= 0);
      if (gf >= 0)
        CHECK_INT(h[gf].date, sunday - 2);
      int em = find_name(h, n, "Easter Monday");
      if (regions[r] == SC) {
        CHECK_INT(em, -1); /* no Easter Monday in Scotland */
      } else {
        CHECK(em >= 0);
        if (em >= 0)
          CHECK_INT(h[em].date, sunday + 1);
      }
    }
  }
  expect(EW, 1981, 4, 17, "Good Friday", 0);
  expect(EW, 1981, 4, 20, "Easter Monday", 0);
  expect(NI, 2099, 4, 13, "Easter Monday", 0);
  expect_none(SC, 2099, 4, 13);
}

/* ---- One-offs ------------------------------------------------------------ */

static void test_one_offs(void) {
  expect_all(1981, 7, 29, "Royal wedding", 0);

  expect_all(1995, 5, 8, "Early May bank holiday (VE day)", 0);
  expect_none_all(1995, 5, 1);

  expect_all(1999, 12, 31, "Millennium Celebrations", 0);

  expect_all(2002, 6, 3, "Golden Jubilee bank holiday", 0);
  expect_all(2002, 6, 4, SPRING, 0);
  expect_none_all(2002, 5, 27);

  expect_all(2011, 4, 29, "Royal wedding", 0);

  expect_all(2012, 6, 4, SPRING, 0);
  expect_all(2012, 6, 5, "Queen" APOS "s Diamond Jubilee", 0);
  expect_none_all(2012, 5, 28);

  expect_all(2020, 5, 8, "Early May bank holiday (VE day)", 0);
  expect_none_all(2020, 5, 4);

  expect_all(2022, 6, 2, SPRING, 0);
  expect_all(2022, 6, 3, "Platinum Jubilee bank holiday", 0);
  expect_none_all(2022, 5, 30);

  expect_all(2022, 9, 19, "Bank Holiday for the State Funeral of Queen Elizabeth II", 0);

  expect_all(2023, 5, 1, EARLY_MAY, 0); /* not moved: the coronation is extra */
  expect_all(2023, 5, 8, "Bank holiday for the coronation of King Charles III", 0);

  expect(SC, 2026, 6, 15, "FIFA World Cup bank holiday", 0);
  expect_none(EW, 2026, 6, 15);
  expect_none(NI, 2026, 6, 15);

  /* One-offs belong to their year only. */
  expect_none_all(1982, 7, 29);
  expect_none_all(2027, 6, 15);
  expect_all(2013, 5, 27, SPRING, 0);
  expect_all(2021, 5, 3, EARLY_MAY, 0);
}

/* ---- Every year, every region -------------------------------------------- */

/* Easter Sunday by Oudin's algorithm (1940), independent of the library's
 * anonymous Gregorian computus. */
static ehcp_date easter_oudin(int y) {
  int c = y / 100, n = y - 19 * (y / 19), k = (c - 17) / 25;
  int i = c - c / 4 - (c - k) / 3 + 19 * n + 15;
  i = i - 30 * (i / 30);
  i = i - (i / 28) * (1 - (i / 28) * (29 / (i + 1)) * ((21 - n) / 11));
  int j = y + y / 4 + i + 2 - c + c / 4;
  j = j - 7 * (j / 7);
  int l = i - j, m = 3 + (l + 40) / 44, d = l + 28 - 31 * (m / 4);
  return D(y, m, d);
}

static ehcp_date nth_monday(int y, int m, int last) {
  ehcp_date d = last ? D(y, m, ehcp_days_in_month(y, m)) : D(y, m, 1);
  while (ehcp_date_weekday(d) != EHCP_MONDAY)
    d += last ? -1 : 1;
  return d;
}

/* Extra one-off days per region and year (moved days do not change counts). */
static int extras(int region, int y) {
  switch (y) {
  case 1981: case 1999: case 2002: case 2011: case 2012: case 2023: return 1;
  case 2022: return 2;
  case 2026: return region == SC;
  default: return 0;
  }
}

/* A fixed-date holiday: on its day when that is a weekday, else exactly one
 * substitute on the Monday or Tuesday after. */
static void check_fixed(const struct holiday *h, int n, int y, int m, int d, const char *name) {
  ehcp_date nominal = D(y, m, d);
  int at = find_name(h, n, name);
  CHECK(at >= 0);
  if (at < 0)
    return;
  if (ehcp_date_weekday(nominal) < EHCP_SATURDAY) {
    CHECK_INT(h[at].date, nominal);
    CHECK_INT(h[at].substitute, 0);
  } else {
    CHECK(h[at].date > nominal && h[at].date <= nominal + 3);
    CHECK(ehcp_date_weekday(h[at].date) <= EHCP_TUESDAY);
    CHECK_INT(h[at].substitute, 1);
  }
}

static void test_sweep(void) {
  int years = 0;
  for (int y = EHCP_HOLIDAYS_FIRST_YEAR; y <= EHCP_HOLIDAYS_LAST_YEAR; y++)
    for (int r = 0; r < 3; r++) {
      int region = regions[r];
      struct holiday h[HOLIDAYS_MAX_PER_YEAR];
      int n = holidays_for_year(h, region, y);
      int base = region == EW ? 8 : region == SC ? (y >= 2007 ? 9 : 8) : 10;
      CHECK_INT(n, base + extras(region, y));
      if (n < 0)
        continue;
      years++;
      for (int i = 0; i < n; i++) {
        CHECK_INT(year_of(h[i].date), y);
        CHECK(ehcp_date_weekday(h[i].date) < EHCP_SATURDAY);
        CHECK(h[i].name != NULL && h[i].name[0] != '\0');
        CHECK(h[i].substitute == 0 || h[i].substitute == 1);
        if (i > 0)
          CHECK(h[i - 1].date < h[i].date); /* sorted, no duplicates */
      }

      check_fixed(h, n, y, 1, 1, NEW_YEAR);
      check_fixed(h, n, y, 12, 25, "Christmas Day");
      check_fixed(h, n, y, 12, 26, "Boxing Day");
      if (region == NI) {
        check_fixed(h, n, y, 3, 17, ST_PATRICK);
        check_fixed(h, n, y, 7, 12, BOYNE);
      } else {
        CHECK_INT(find_name(h, n, ST_PATRICK), -1);
        CHECK_INT(find_name(h, n, BOYNE), -1);
      }
      if (region == SC && y >= 2007)
        check_fixed(h, n, y, 11, 30, ST_ANDREW);
      else
        CHECK_INT(find_name(h, n, ST_ANDREW), -1);

      /* Scotland's 2 January: the first weekday after New Year's Day as
       * observed. */
      int ny = find_name(h, n, NEW_YEAR), j2 = find_name(h, n, JAN2);
      if (region == SC) {
        CHECK(ny >= 0 && j2 >= 0);
        if (ny >= 0 && j2 >= 0) {
          ehcp_date want = h[ny].date + 1;
          while (ehcp_date_weekday(want) >= EHCP_SATURDAY)
            want++;
          CHECK_INT(h[j2].date, want);
          CHECK_INT(h[j2].substitute, want != D(y, 1, 2));
        }
      } else {
        CHECK_INT(j2, -1);
      }

      ehcp_date easter = easter_oudin(y);
      int gf = find_name(h, n, "Good Friday");
      CHECK(gf >= 0 && h[gf].date == easter - 2);
      int em = find_name(h, n, "Easter Monday");
      if (region == SC)
        CHECK_INT(em, -1);
      else
        CHECK(em >= 0 && h[em].date == easter + 1);

      int early = find_name(h, n, EARLY_MAY);
      if (y == 1995 || y == 2020) {
        CHECK_INT(early, -1);
        int ve = find_name(h, n, "Early May bank holiday (VE day)");
        CHECK(ve >= 0 && h[ve].date == D(y, 5, 8));
      } else {
        CHECK(early >= 0 && h[early].date == nth_monday(y, 5, 0));
      }
      int spring = find_name(h, n, SPRING);
      if (y == 2002 || y == 2012 || y == 2022)
        CHECK(spring >= 0 && h[spring].date > D(y, 6, 1));
      else
        CHECK(spring >= 0 && h[spring].date == nth_monday(y, 5, 1));
      int summer = find_name(h, n, SUMMER);
      CHECK(summer >= 0 && h[summer].date == nth_monday(y, 8, region != SC));

      /* Only fixed-date holidays have substitutes. */
      for (int i = 0; i < n; i++)
        if (h[i].substitute)
          CHECK(strcmp(h[i].name, NEW_YEAR) == 0 || strcmp(h[i].name, JAN2) == 0 ||
                strcmp(h[i].name, ST_PATRICK) == 0 || strcmp(h[i].name, BOYNE) == 0 ||
                strcmp(h[i].name, ST_ANDREW) == 0 || strcmp(h[i].name, "Christmas Day") == 0 ||
                strcmp(h[i].name, "Boxing Day") == 0);
    }
  CHECK_INT(years, 3 * 120);
}

/* ---- Arguments ----------------------------------------------------------- */

static void test_arguments(void) {
  struct holiday h[HOLIDAYS_MAX_PER_YEAR];
  CHECK_INT(holidays_for_year(h, EW, 1979), EHCP_ERR_RANGE);
  CHECK_INT(holidays_for_year(h, SC, 2100), EHCP_ERR_RANGE);
  CHECK_INT(holidays_for_year(h, NI, -5), EHCP_ERR_RANGE);
  CHECK_INT(holidays_for_year(h, EW, 1980), 8);
  CHECK_INT(holidays_for_year(h, NI, 2099), 10);
  CHECK_INT(holidays_for_year(h, 99, 2025), EHCP_ERR_INVALID);
  CHECK_INT(holidays_for_year(h, -1, 2025), EHCP_ERR_INVALID);
  CHECK_INT(holidays_for_year(h, 4, 2025), EHCP_ERR_INVALID);
  CHECK_INT(holidays_for_year(h, EHCP_REGION_NONE, 2025), 0);
  /* No region has no holidays in any year, so no range error either. */
  CHECK_INT(holidays_for_year(h, EHCP_REGION_NONE, 1900), 0);
}

int main(void) {
  test_govuk();
  test_substitutes();
  test_easter();
  test_one_offs();
  test_sweep();
  test_arguments();
  return check_done("test_holidays");
}
