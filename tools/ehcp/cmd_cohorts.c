/* `ehcp cohorts`: being written (issue: compliance and cohort analytics). */
#include "cases.h"

int cmd_cohorts(int argc, char **argv) {
  (void)argc, (void)argv;
  return cli_error("cohorts: not built yet");
}
