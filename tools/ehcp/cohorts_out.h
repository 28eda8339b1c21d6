/* The cohort table (ehcp/cohort.h) in the tool's output formats. */
#ifndef EHCP_TOOL_COHORTS_OUT_H
#define EHCP_TOOL_COHORTS_OUT_H

#include <stdio.h>

#include "ehcp.h"
#include "output.h"

/* Print the table (--format): JSON is {"as_of": ..., "cohorts": [...]}, one
 * cohort a line; history adds each cohort's month-end counts. 0 or -1
 * (out of memory). */
int cohorts_print(FILE *out, const ehcp_cohorts *co, enum out_format format, const char *as_of,
                  int history);

/* Cohort i as a JSON object (the rows of the JSON above); NULL when out of
 * memory. */
json_t *cohort_json(const ehcp_cohorts *co, size_t i, int history);

#endif
