/* Civil dates as day numbers since 1970-01-01 (proleptic Gregorian).
 *
 * The conversions follow the shape of Howard Hinnant's public-domain
 * days_from_civil / civil_from_days: count years from 1 March, so the leap
 * day is the last day of the year and month lengths follow a fixed 5-month
 * pattern that (153 * m + 2) / 5 reproduces. That turns each conversion into
 * a few multiplies and divides with no table and no loop, which matters
 * because readers convert every date of every row. Because the supported
 * range starts at 0001-01-01, every intermediate value is non-negative, so
 * plain C division (which truncates) is floor division here and needs none
 * of the negative-era corrections of the general algorithm. */
#include "ehcp/date.h"

#include <string.h>

/* Days from 0000-03-01 (start of a 400-year era in March-based counting)
 * to 1970-01-01. */
#define DAYS_0000_03_01_TO_EPOCH 719468
#define DAYS_PER_ERA 146097 /* 400 Gregorian years */

static int in_range(int64_t d) { return d >= EHCP_DATE_MIN && d <= EHCP_DATE_MAX; }

/* Caller guarantees a valid date in 0001-01-01 .. 9999-12-31. Unsigned,
 * as every value is non-negative: the divisions by constants are then
 * multiplications whatever the optimiser does with the code around. */
static ehcp_date days_from_civil(int year, int month, int day) {
  unsigned y = (unsigned)year - (month <= 2); /* Jan and Feb: the previous March-based year */
  unsigned m = (unsigned)month, d = (unsigned)day;
  unsigned era = y / 400;
  unsigned yoe = y - era * 400;                                   /* [0, 399] */
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
  return (ehcp_date)(era * DAYS_PER_ERA + doe) - DAYS_0000_03_01_TO_EPOCH;
}

/* Caller guarantees in_range(z). */
static void civil_from_days(int *y, int *m, int *d, ehcp_date z) {
  int n = z + DAYS_0000_03_01_TO_EPOCH; /* >= 306 for 0001-01-01 */
  int era = n / DAYS_PER_ERA;
  int doe = n - era * DAYS_PER_ERA;
  /* Remove the leap days seen so far so that dividing by 365 gives the year;
   * the last day of an era (doe 146096) is a 366th day of year 399. */
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int mp = (5 * doy + 2) / 153; /* 0 = March .. 11 = February */
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = era * 400 + yoe + (*m <= 2);
}

int ehcp_is_leap_year(int year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

/* Days in month m (1-12) of year y >= 1, unsigned for the reason given at
 * days_from_civil(). */
static int month_length(unsigned y, unsigned m) {
  static const unsigned char len[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return len[m] + (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

int ehcp_days_in_month(int year, int month) {
  if (month < 1 || month > 12)
    return 0;
  if (year >= 1)
    return month_length((unsigned)year, (unsigned)month);
  return month == 2 ? 28 + ehcp_is_leap_year(year) : month_length(1, (unsigned)month);
}

int ehcp_date_from_ymd(ehcp_date *out, int year, int month, int day) {
  if (!out)
    return EHCP_ERR_INVALID;
  /* days_in_month() is 0 for a bad month, so that case fails here too. */
  if (year < 1 || year > 9999 || day < 1 || day > ehcp_days_in_month(year, month))
    return EHCP_ERR_RANGE;
  *out = days_from_civil(year, month, day);
  return EHCP_OK;
}

int ehcp_date_to_ymd(int *year, int *month, int *day, ehcp_date date) {
  int y, m, d;
  if (!in_range(date))
    return EHCP_ERR_RANGE;
  civil_from_days(&y, &m, &d, date);
  if (year)
    *year = y;
  if (month)
    *month = m;
  if (day)
    *day = d;
  return EHCP_OK;
}

int ehcp_date_weekday(ehcp_date date) {
  int r = date % 7; /* C truncates toward zero: negative days give r < 0 */
  if (r < 0)
    r += 7;
  return (r + EHCP_THURSDAY) % 7; /* day 0, 1970-01-01, was a Thursday */
}

/* ---- parsing ---------------------------------------------------------- */

static int is_digit(unsigned char c) { return (unsigned)(c - '0') < 10u; }
static int is_alpha(unsigned char c) { return (unsigned)((c | 0x20) - 'a') < 26u; }
static int is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static size_t run(const char *s, size_t len, size_t i, int (*pred)(unsigned char)) {
  size_t k = i;
  while (k < len && pred((unsigned char)s[k]))
    k++;
  return k - i;
}

/* Value of n digits already known to be digits (n <= 4, so no overflow). */
static int num(const char *s, size_t n) {
  int v = 0;
  for (size_t k = 0; k < n; k++)
    v = v * 10 + (s[k] - '0');
  return v;
}

/* 1..12 for a three-letter English abbreviation in any case, else 0. */
static int month_from_name(const char *s) {
  static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
  char low[3] = {(char)(s[0] | 0x20), (char)(s[1] | 0x20), (char)(s[2] | 0x20)};
  for (int m = 0; m < 12; m++)
    if (memcmp(low, names + 3 * m, 3) == 0)
      return m + 1;
  return 0;
}

/* Sets *why on every error. Shape is checked completely before values, so
 * a malformed string is always EHCP_ERR_PARSE even if its numbers are also
 * impossible; RANGE means "this is a date form, but no such date". */
static int parse(int *year, int *month, int *day, const char *s, size_t len, const char **why) {
#define FAIL(code, msg) return (*why = (msg), (code))
  int y, m, d;
  size_t i, k;
  if (!s && len)
    FAIL(EHCP_ERR_INVALID, "null argument");
  if (len == 0)
    FAIL(EHCP_ERR_PARSE, "empty");
  /* Named separately: padded CSV cells are the commonest near miss. */
  if (is_space((unsigned char)s[0]) || is_space((unsigned char)s[len - 1]))
    FAIL(EHCP_ERR_PARSE, "surrounding whitespace");

  k = run(s, len, 0, is_digit);
  if (k == 4 && len > 4 && s[4] == '-') { /* YYYY-MM-DD, YYYY-Mon-DD[ 00:00:00] */
    int named = 0;
    y = num(s, 4);
    i = 5;
    if ((k = run(s, len, i, is_digit)) > 0) {
      if (k != 2)
        FAIL(EHCP_ERR_PARSE, "wrong number of digits");
      m = num(s + i, 2);
    } else if ((k = run(s, len, i, is_alpha)) > 0) {
      if (k != 3 || !(m = month_from_name(s + i)))
        FAIL(EHCP_ERR_PARSE, "unknown month name");
      named = 1;
    } else {
      FAIL(EHCP_ERR_PARSE, "not a recognised date form");
    }
    i += k;
    if (i >= len || s[i] != '-')
      FAIL(EHCP_ERR_PARSE, "not a recognised date form");
    i++;
    if ((k = run(s, len, i, is_digit)) != 2)
      FAIL(EHCP_ERR_PARSE, "wrong number of digits");
    d = num(s + i, 2);
    i += 2;
    /* DfE COLLECT writes a midnight time stamp; any other time means the
     * value is a date-time, which the caller must not silently truncate. */
    if (named && len - i == 9 && s[i] == ' ' && run(s, len, i + 1, is_digit) == 2 &&
        s[i + 3] == ':' && run(s, len, i + 4, is_digit) == 2 && s[i + 6] == ':' &&
        run(s, len, i + 7, is_digit) == 2) {
      if (memcmp(s + i, " 00:00:00", 9) != 0)
        FAIL(EHCP_ERR_PARSE, "time must be 00:00:00");
      i = len;
    }
  } else if (k == 2 && len > 2 && s[2] == '/') { /* DD/MM/YYYY, never MM/DD */
    d = num(s, 2);
    i = 3;
    if (run(s, len, i, is_digit) != 2)
      FAIL(EHCP_ERR_PARSE, "wrong number of digits");
    m = num(s + i, 2);
    i += 2;
    if (i >= len || s[i] != '/')
      FAIL(EHCP_ERR_PARSE, "not a recognised date form");
    i++;
    if (run(s, len, i, is_digit) != 4)
      FAIL(EHCP_ERR_PARSE, "wrong number of digits");
    y = num(s + i, 4);
    i += 4;
  } else {
    FAIL(EHCP_ERR_PARSE, "not a recognised date form");
  }
  if (i != len)
    FAIL(EHCP_ERR_PARSE, "trailing characters");

  if (y < 1)
    FAIL(EHCP_ERR_RANGE, "year out of range");
  if (m < 1 || m > 12)
    FAIL(EHCP_ERR_RANGE, "month out of range");
  if (d < 1 || d > 31)
    FAIL(EHCP_ERR_RANGE, "day out of range");
  if (d > ehcp_days_in_month(y, m))
    FAIL(EHCP_ERR_RANGE, "no such day in that month");
  *year = y, *month = m, *day = d;
  return EHCP_OK;
#undef FAIL
}

static inline int digit(char ch) { return (unsigned)(ch - '0') < 10u; }

int ehcp_date_parse(ehcp_date *out, const char *text, size_t len, const char **reason) {
  if (!out) {
    if (reason)
      *reason = "null argument";
    return EHCP_ERR_INVALID;
  }
  int y, m, d;
  /* The form nearly every cell of a file has, YYYY-MM-DD, straight away:
   * readers parse a dozen dates a row. Anything else, and any such date
   * that does not exist, goes through parse() for its message. */
  if (text && len == 10 && text[4] == '-' && text[7] == '-' && digit(text[0]) &&
      digit(text[1]) && digit(text[2]) && digit(text[3]) && digit(text[5]) && digit(text[6]) &&
      digit(text[8]) && digit(text[9])) {
    y = num(text, 4), m = num(text + 5, 2), d = num(text + 8, 2);
    if (y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= month_length((unsigned)y, (unsigned)m)) {
      *out = days_from_civil(y, m, d);
      return EHCP_OK;
    }
  }
  const char *why = NULL;
  int rc = parse(&y, &m, &d, text, len, &why);
  if (rc != EHCP_OK) {
    if (reason)
      *reason = why;
    return rc;
  }
  *out = days_from_civil(y, m, d);
  return EHCP_OK;
}

/* ---- formatting and arithmetic ----------------------------------------- */

static void put2(char *p, int v) {
  p[0] = (char)('0' + v / 10);
  p[1] = (char)('0' + v % 10);
}

int ehcp_date_format(char *buf, ehcp_date date) {
  int y, m, d;
  if (!buf)
    return EHCP_ERR_INVALID;
  if (!in_range(date)) {
    buf[0] = '\0';
    return EHCP_ERR_RANGE;
  }
  civil_from_days(&y, &m, &d, date);
  /* Hand-rolled rather than snprintf: writers format millions of dates. */
  put2(buf, y / 100);
  put2(buf + 2, y % 100);
  buf[4] = '-';
  put2(buf + 5, m);
  buf[7] = '-';
  put2(buf + 8, d);
  buf[10] = '\0';
  return EHCP_OK;
}

int ehcp_date_add_days(ehcp_date *out, ehcp_date date, int64_t days) {
  if (!out)
    return EHCP_ERR_INVALID;
  /* Compare against the distance to each end instead of adding first, so
   * that any int64 count is safe. */
  if (!in_range(date) || days > (int64_t)EHCP_DATE_MAX - date ||
      days < (int64_t)EHCP_DATE_MIN - date)
    return EHCP_ERR_RANGE;
  *out = (ehcp_date)(date + days);
  return EHCP_OK;
}

int ehcp_date_add_weeks(ehcp_date *out, ehcp_date date, int64_t weeks) {
  const int64_t span = (int64_t)EHCP_DATE_MAX - EHCP_DATE_MIN;
  if (!out)
    return EHCP_ERR_INVALID;
  if (weeks > span / 7 || weeks < -span / 7) /* also keeps 7 * weeks in int64 */
    return EHCP_ERR_RANGE;
  return ehcp_date_add_days(out, date, weeks * 7);
}

int ehcp_date_add_months(ehcp_date *out, ehcp_date date, int64_t months) {
  const int64_t span = 12 * 10000; /* more months than the range holds */
  int y, m, d;
  if (!out)
    return EHCP_ERR_INVALID;
  if (ehcp_date_to_ymd(&y, &m, &d, date) != EHCP_OK || months > span || months < -span)
    return EHCP_ERR_RANGE;
  /* Months since January of year 0: division then stays non-negative. */
  int64_t t = (int64_t)y * 12 + (m - 1) + months;
  if (t < 12 || t >= 12 * 10000)
    return EHCP_ERR_RANGE;
  int ny = (int)(t / 12), nm = (int)(t % 12) + 1;
  int last = ehcp_days_in_month(ny, nm);
  return ehcp_date_from_ymd(out, ny, nm, d < last ? d : last); /* corresponding date */
}
