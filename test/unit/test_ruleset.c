/* The built-in england-2014 rule set (rules/england-2014.ini compiled in)
 * and the conventions. */
#include "check.h"
#include "ruleset_internal.h"

static void test_builtin(void) {
  ehcp_ruleset *rs;
  CHECK_INT(ehcp_ruleset_new(&rs, "england-2014"), EHCP_OK);
  CHECK_STR(ehcp_ruleset_name(rs), "england-2014");
  static const struct {
    const char *id, *name;
    int statutory;
    enum pairing pairing;
    int32_t amount;
    enum limit_unit unit;
  } want[] = {
      {"A1", "decision_to_assess", 1, PAIR_FIRST, 6, UNIT_WEEKS},
      {"A2", "advice", 1, PAIR_REF, 6, UNIT_WEEKS},
      {"A3", "decision_not_to_issue", 1, PAIR_FIRST, 16, UNIT_WEEKS},
      {"A4", "draft_comment_window", 1, PAIR_FIRST, 15, UNIT_DAYS},
      {"A5", "final_plan", 1, PAIR_FIRST, 20, UNIT_WEEKS},
      {"B1", "annual_review", 1, PAIR_REPEAT, 12, UNIT_MONTHS},
      {"B4", "review_report", 1, PAIR_EACH, 2, UNIT_WEEKS},
      {"B5", "review_decision", 1, PAIR_EACH, 4, UNIT_WEEKS},
      {"B7", "review_final_8w", 1, PAIR_EACH, 8, UNIT_WEEKS},
      {"B7'", "review_final_12w", 0, PAIR_EACH, 12, UNIT_WEEKS},
      {"B9", "phase_transfer_school", 1, PAIR_BEFORE, 0, UNIT_BEFORE_DATE},
      {"B10", "phase_transfer_post16", 1, PAIR_BEFORE, 0, UNIT_BEFORE_DATE},
      {"B11", "phase_transfer_other", 1, PAIR_BEFORE, -5, UNIT_MONTHS},
  };
  size_t n = sizeof want / sizeof *want;
  CHECK_INT(ehcp_ruleset_count(rs), n);
  for (size_t i = 0; i < n && i < ehcp_ruleset_count(rs); i++) {
    const char *id, *name;
    int statutory;
    CHECK_INT(ehcp_ruleset_milestone(&id, &name, &statutory, rs, i), EHCP_OK);
    CHECK_STR(id, want[i].id);
    CHECK_STR(name, want[i].name);
    CHECK_INT(statutory, want[i].statutory);
    CHECK_INT(rs->m[i].pairing, want[i].pairing);
    CHECK_INT(rs->m[i].amount, want[i].amount);
    CHECK_INT(rs->m[i].unit, want[i].unit);
  }
  /* A few details that carry the law. */
  CHECK_INT(rs->m[0].exceptions, EXC_REG_10_4);
  CHECK_INT(rs->m[1].exceptions, EXC_REG_8_2);
  CHECK_INT(rs->m[3].day_one, DAY_ONE_YES);
  CHECK(rs->m[3].window);
  CHECK_INT(rs->m[10].fixed_month, 2);
  CHECK_INT(rs->m[10].fixed_day, 15);
  CHECK_INT(rs->m[11].fixed_month, 3);
  CHECK_INT(rs->m[11].fixed_day, 31);
  CHECK_INT(rs->m[5].restart.m[0].type, EVENT_REVIEW_CLOCK);

  const char *label, *source;
  size_t index = 99;
  CHECK_INT(ehcp_ruleset_find(&index, rs, "A5"), EHCP_OK);
  CHECK_INT(index, 4);
  CHECK_INT(ehcp_ruleset_milestone_text(&label, &source, rs, index), EHCP_OK);
  CHECK_STR(label, "Final EHC plan issued");
  CHECK_STR(source, "reg 13(2)");
  CHECK_INT(ehcp_ruleset_find(&index, rs, "Z9"), EHCP_ERR_NOT_FOUND);
  CHECK_INT(ehcp_ruleset_milestone(NULL, NULL, NULL, rs, n), EHCP_ERR_NOT_FOUND);
  ehcp_ruleset_free(rs);
}

static void test_options(void) {
  ehcp_ruleset *rs;
  CHECK_INT(ehcp_ruleset_new(&rs, NULL), EHCP_OK);
  CHECK_INT(ehcp_ruleset_count(rs), 0);
  CHECK_STR(ehcp_ruleset_option(rs, "week_counting"), "t0_plus_7n");
  CHECK_STR(ehcp_ruleset_option(rs, "review_clock"), "decision");
  CHECK_STR(ehcp_ruleset_option(rs, "closure_window_end"), "inclusive");
  CHECK_STR(ehcp_ruleset_option(rs, "region"), "england-and-wales");
  CHECK_INT(ehcp_ruleset_set_option(rs, "week_counting", "t0_day1"), EHCP_OK);
  CHECK_INT(ehcp_ruleset_set_option(rs, "review_clock", "meeting"), EHCP_OK);
  CHECK_INT(ehcp_ruleset_set_option(rs, "closure_window_end", "exclusive"), EHCP_OK);
  CHECK_INT(ehcp_ruleset_set_option(rs, "region", "scotland"), EHCP_OK);
  CHECK_STR(ehcp_ruleset_option(rs, "week_counting"), "t0_day1");
  CHECK_STR(ehcp_ruleset_option(rs, "review_clock"), "meeting");
  CHECK_STR(ehcp_ruleset_option(rs, "closure_window_end"), "exclusive");
  CHECK_INT(ehcp_ruleset_region(rs), EHCP_REGION_SCOTLAND);
  CHECK_INT(ehcp_ruleset_set_option(rs, "week_counting", "working_days"), EHCP_ERR_INVALID);
  CHECK_STR(ehcp_ruleset_errmsg(rs), "unknown option or value: week_counting = working_days");
  CHECK_INT(ehcp_ruleset_set_option(rs, "colour", "red"), EHCP_ERR_INVALID);
  CHECK(ehcp_ruleset_option(rs, "colour") == NULL);
  ehcp_ruleset_free(rs);

  CHECK_INT(ehcp_ruleset_new(&rs, "atlantis-2030"), EHCP_ERR_NOT_FOUND);
  ehcp_ruleset_free(NULL);
}

int main(void) {
  test_builtin();
  test_options();
  return check_done("ruleset");
}
