/* Closures from iCalendar text with libical (calendars.md section 2).
 * Private to lib/. libical is used only here, at build time. */
#ifndef EHCP_LIB_ICS_H
#define EHCP_LIB_ICS_H

#include "closures.h"

/* Parse data[0..len) and append one closure per all-day VEVENT occurrence
 * overlapping [range_first, range_last] to out (kind EHCP_CLOSURE_ICS, name
 * from SUMMARY, or "Closure"). Recurrences are expanded only within the
 * range. On error out is unchanged, a message "SOURCE:LINE: reason" (or
 * "SOURCE: reason" when no line applies) is written to errbuf and an
 * ehcp_error code is returned. */
int ics_load_closures(struct closure_list *out, const char *data, size_t len,
                      const char *source_name, ehcp_date range_first, ehcp_date range_last,
                      char *errbuf, size_t errlen);

#endif
