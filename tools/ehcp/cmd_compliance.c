/* `ehcp compliance`: being written (issue: compliance and cohort analytics). */
#include "cases.h"

int cmd_compliance(int argc, char **argv) {
  (void)argc, (void)argv;
  return cli_error("compliance: not built yet");
}
