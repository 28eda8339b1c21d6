#include "civil.h"

/* Howard Hinnant's days_from_civil / civil_from_days. */
day_t civil_to_day(int y, int m, int d) {
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void day_to_civil(day_t day, int *y, int *m, int *d) {
  int z = day + 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  int doe = z - era * 146097;
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

int day_year(day_t day) {
  int y, m, d;
  day_to_civil(day, &y, &m, &d);
  return y;
}

int day_month(day_t day) {
  int y, m, d;
  day_to_civil(day, &y, &m, &d);
  return m;
}

int weekday(day_t day) { return (int)(((int64_t)day % 7 + 7 + 3) % 7); }

static int days_in_month(int y, int m) {
  static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : n[m - 1];
}

day_t add_months(day_t day, int n) {
  int y, m, d;
  day_to_civil(day, &y, &m, &d);
  int months = y * 12 + (m - 1) + n;
  y = months / 12;
  m = months % 12 + 1;
  int last = days_in_month(y, m);
  return civil_to_day(y, m, d < last ? d : last);
}

int parse_iso(const char *s, day_t *out) {
  int v[3] = {0, 0, 0};
  const int width[3] = {4, 2, 2};
  for (int k = 0; k < 3; k++) {
    for (int i = 0; i < width[k]; i++, s++) {
      if (*s < '0' || *s > '9')
        return -1;
      v[k] = v[k] * 10 + (*s - '0');
    }
    if (*s != (k < 2 ? '-' : '\0'))
      return -1;
    if (k < 2)
      s++;
  }
  if (v[0] < 1900 || v[0] > 2200 || v[1] < 1 || v[1] > 12 || v[2] < 1 ||
      v[2] > days_in_month(v[0], v[1]))
    return -1;
  *out = civil_to_day(v[0], v[1], v[2]);
  return 0;
}

void format_iso(char *buf, day_t day) {
  int y, m, d;
  day_to_civil(day, &y, &m, &d);
  buf[0] = (char)('0' + y / 1000 % 10);
  buf[1] = (char)('0' + y / 100 % 10);
  buf[2] = (char)('0' + y / 10 % 10);
  buf[3] = (char)('0' + y % 10);
  buf[4] = '-';
  buf[5] = (char)('0' + m / 10);
  buf[6] = (char)('0' + m % 10);
  buf[7] = '-';
  buf[8] = (char)('0' + d / 10);
  buf[9] = (char)('0' + d % 10);
  buf[10] = '\0';
}

/* Easter Sunday (anonymous Gregorian algorithm). */
static day_t easter(int y) {
  int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
  return civil_to_day(y, month, day);
}

int is_bank_holiday(day_t day) {
  int y, m, d;
  day_to_civil(day, &y, &m, &d);
  int wd = weekday(day);
  if ((m == 1 && d == 1) || (m == 12 && (d == 25 || d == 26)))
    return 1;
  if (wd == 0 && ((m == 5 && (d <= 7 || d >= 25)) || (m == 8 && d >= 25)))
    return 1; /* early May, spring and summer bank holidays */
  day_t e = easter(y);
  return day == e - 2 || day == e + 1;
}

/* Answered from a table built on first use: the simulation asks millions
 * of times. Days outside 1960-2233 are computed. */
#define TABLE_FIRST (-3652) /* 1960-01-01 */
#define TABLE_DAYS (100000)
static unsigned char closed_table[TABLE_DAYS]; /* 0 unknown, 1 open, 2 closed */

int is_closed(day_t day) {
  int64_t i = (int64_t)day - TABLE_FIRST;
  if (i < 0 || i >= TABLE_DAYS)
    return weekday(day) >= 5 || is_bank_holiday(day);
  if (!closed_table[i])
    closed_table[i] = (unsigned char)(weekday(day) >= 5 || is_bank_holiday(day) ? 2 : 1);
  return closed_table[i] == 2;
}

day_t next_working(day_t day) {
  while (is_closed(day))
    day++;
  return day;
}

day_t add_working(day_t day, int n) {
  while (n > 0) {
    day++;
    if (!is_closed(day))
      n--;
  }
  return day;
}
