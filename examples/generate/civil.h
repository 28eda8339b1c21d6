/* Civil dates as day numbers (days since 1970-01-01), with no time zone:
 * just enough calendar for the generator, self-contained so that the
 * example needs nothing beyond libc. */
#ifndef GENERATE_CIVIL_H
#define GENERATE_CIVIL_H

#include <stdint.h>

typedef int32_t day_t;
#define DAY_NONE INT32_MIN

day_t civil_to_day(int y, int m, int d);
void day_to_civil(day_t day, int *y, int *m, int *d);
int day_year(day_t day);
int day_month(day_t day);
/* 0 Monday .. 6 Sunday. */
int weekday(day_t day);
/* The corresponding date n calendar months later (31 Jan + 1 = 28/29 Feb). */
day_t add_months(day_t day, int n);
/* Parse YYYY-MM-DD (a real date); returns 0 or -1. */
int parse_iso(const char *s, day_t *out);
/* Write YYYY-MM-DD and a NUL into buf (11 bytes). */
void format_iso(char *buf, day_t day);

/* England and Wales bank holidays by rule (no one-off days, no substitute
 * days: close enough for synthetic data). */
int is_bank_holiday(day_t day);
/* Weekend or bank holiday. */
int is_closed(day_t day);
/* day itself if it is a working day, else the next one. */
day_t next_working(day_t day);
/* The n-th working day after day (day excluded), n >= 1. */
day_t add_working(day_t day, int n);

#endif
