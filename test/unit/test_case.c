/* Cases and case sets: vocabulary, events kept in date order, attributes,
 * interned strings, sources and errors. */
#include "check.h"
#include "ehcp.h"

static ehcp_date D(const char *iso) {
  ehcp_date d = EHCP_DATE_NONE;
  ehcp_date_parse(&d, iso, strlen(iso), NULL);
  return d;
}

static void test_vocabulary(void) {
  int t = 0;
  CHECK_INT(ehcp_event_type_from_name(&t, "final_issued", 12), EHCP_OK);
  CHECK_INT(t, EHCP_EV_FINAL_ISSUED);
  CHECK_INT(ehcp_event_type_from_name(&t, "final_issued_x", 12), EHCP_OK); /* length honoured */
  CHECK_INT(ehcp_event_type_from_name(&t, "final", 5), EHCP_ERR_NOT_FOUND);
  CHECK_INT(ehcp_event_type_from_name(&t, "Final_issued", 12), EHCP_ERR_NOT_FOUND);
  CHECK_STR(ehcp_event_type_name(EHCP_EV_FAMILY_UPDATE), "family_update");
  CHECK(ehcp_event_type_name(0) == NULL);
  CHECK(ehcp_event_type_name(EHCP_EV_TYPE_COUNT) == NULL);
  for (int i = 1; i < EHCP_EV_TYPE_COUNT; i++) {
    const char *name = ehcp_event_type_name(i);
    CHECK_INT(ehcp_event_type_from_name(&t, name, strlen(name)), EHCP_OK);
    CHECK_INT(t, i);
  }
  CHECK_INT(ehcp_event_detail_check(EHCP_EV_ASSESSMENT_DECISION, "yes"), EHCP_OK);
  CHECK_INT(ehcp_event_detail_check(EHCP_EV_ASSESSMENT_DECISION, "maybe"), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_event_detail_check(EHCP_EV_ASSESSMENT_DECISION, NULL), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_event_detail_check(EHCP_EV_REQUEST_RECEIVED, NULL), EHCP_OK);
  CHECK_INT(ehcp_event_detail_check(EHCP_EV_REQUEST_RECEIVED, "social_care"), EHCP_OK);
  CHECK_INT(ehcp_event_detail_check(EHCP_EV_FINAL_ISSUED, "yes"), EHCP_ERR_INVALID);
  CHECK_INT(ehcp_event_detail_check(EHCP_EV_PLAN_CEASED, "moved_la"), EHCP_OK);
  CHECK_INT(ehcp_event_detail_check(EHCP_EV_EXCEPTION, "absence"), EHCP_OK);
  CHECK_INT(ehcp_event_detail_check(99, NULL), EHCP_ERR_INVALID);
}

static void test_events_sorted(void) {
  ehcp_case_set *set;
  CHECK_INT(ehcp_case_set_new(&set), EHCP_OK);
  CHECK_INT(ehcp_case_set_set_source(set, "events.csv"), EHCP_OK);
  /* Out of order, with a tie on 2025-02-20 that must keep arrival order. */
  CHECK_INT(ehcp_case_set_add_event_at(set, "C1", EHCP_EV_FINAL_ISSUED, D("2025-06-02"), NULL,
                                       EHCP_DATE_NONE, NULL, 6),
            EHCP_OK);
  CHECK_INT(ehcp_case_set_add_event_at(set, "C1", EHCP_EV_REQUEST_RECEIVED, D("2025-01-15"),
                                       "parent", EHCP_DATE_NONE, NULL, 2),
            EHCP_OK);
  CHECK_INT(ehcp_case_set_add_event_at(set, "C1", EHCP_EV_ASSESSMENT_DECISION, D("2025-02-20"),
                                       "yes", EHCP_DATE_NONE, NULL, 3),
            EHCP_OK);
  CHECK_INT(ehcp_case_set_set_source(set, "more.csv"), EHCP_OK);
  CHECK_INT(ehcp_case_set_add_event_at(set, "C1", EHCP_EV_ADVICE_REQUESTED, D("2025-02-20"),
                                       "education", EHCP_DATE_NONE, "URN123456", 4),
            EHCP_OK);
  CHECK_INT(ehcp_case_set_add_event(set, "C2", EHCP_EV_EXCEPTION, D("2025-03-03"), "absence",
                                    D("2025-03-30"), NULL),
            EHCP_OK);
  CHECK_INT(ehcp_case_set_add_event(set, "C2", EHCP_EV_PLAN_CEASED, D("2025-04-01"), "moved_la",
                                    EHCP_DATE_NONE, NULL),
            EHCP_OK);
  CHECK_INT(ehcp_case_set_count(set), 2);

  const ehcp_case *c = ehcp_case_set_find(set, "C1");
  CHECK(c == ehcp_case_set_get(set, 0));
  CHECK_STR(ehcp_case_id(c), "C1");
  CHECK_INT(ehcp_case_event_count(c), 4);
  static const int want_types[] = {EHCP_EV_REQUEST_RECEIVED, EHCP_EV_ASSESSMENT_DECISION,
                                   EHCP_EV_ADVICE_REQUESTED, EHCP_EV_FINAL_ISSUED};
  static const uint32_t want_lines[] = {2, 3, 4, 6};
  static const char *const want_sources[] = {"events.csv", "events.csv", "more.csv",
                                             "events.csv"};
  for (size_t i = 0; i < 4; i++) {
    int type;
    const char *source;
    uint32_t line;
    CHECK_INT(ehcp_case_event(&type, NULL, NULL, NULL, NULL, c, i), EHCP_OK);
    CHECK_INT(type, want_types[i]);
    CHECK_INT(ehcp_case_event_source(&source, &line, c, i), EHCP_OK);
    CHECK_STR(source, want_sources[i]);
    CHECK_INT(line, want_lines[i]);
  }
  int type;
  ehcp_date date, end;
  const char *detail, *ref;
  CHECK_INT(ehcp_case_event(&type, &date, &detail, &end, &ref, c, 2), EHCP_OK);
  CHECK_INT(date, D("2025-02-20"));
  CHECK_STR(detail, "education");
  CHECK_STR(ref, "URN123456");
  CHECK_INT(end, EHCP_DATE_NONE);
  CHECK_INT(ehcp_case_event(&type, NULL, &detail, NULL, &ref, c, 0), EHCP_OK);
  CHECK_STR(detail, "parent");
  CHECK(ref == NULL);
  CHECK_INT(ehcp_case_event(NULL, NULL, NULL, NULL, NULL, c, 4), EHCP_ERR_NOT_FOUND);

  const ehcp_case *c2 = ehcp_case_set_get(set, 1);
  CHECK_INT(ehcp_case_event(&type, &date, &detail, &end, NULL, c2, 0), EHCP_OK);
  CHECK_STR(detail, "absence");
  CHECK_INT(end, D("2025-03-30"));
  CHECK_INT(ehcp_case_event(&type, NULL, &detail, NULL, NULL, c2, 1), EHCP_OK);
  CHECK_STR(detail, "moved_la");
  CHECK(ehcp_case_set_get(set, 2) == NULL);
  CHECK(ehcp_case_set_find(set, "C3") == NULL);
  ehcp_case_set_free(set);
}

static void test_attributes_and_errors(void) {
  ehcp_case_set *set;
  CHECK_INT(ehcp_case_set_new(&set), EHCP_OK);
  CHECK_INT(ehcp_case_set_set_attribute(set, "C9", "team", "North"), EHCP_OK);
  CHECK_INT(ehcp_case_set_set_attribute(set, "C9", "caseworker", "AB"), EHCP_OK);
  CHECK_INT(ehcp_case_set_set_attribute(set, "C9", "team", "South"), EHCP_OK); /* replaces */
  const ehcp_case *c = ehcp_case_set_find(set, "C9");
  CHECK_STR(ehcp_case_attribute(c, "team"), "South");
  CHECK_STR(ehcp_case_attribute(c, "caseworker"), "AB");
  CHECK(ehcp_case_attribute(c, "setting") == NULL);
  CHECK_INT(ehcp_case_attribute_count(c), 2);
  const char *name, *value;
  CHECK_INT(ehcp_case_attribute_at(&name, &value, c, 1), EHCP_OK);
  CHECK_STR(name, "caseworker");
  CHECK_STR(value, "AB");
  CHECK_INT(ehcp_case_attribute_at(&name, &value, c, 2), EHCP_ERR_NOT_FOUND);
  CHECK_INT(ehcp_case_event_count(c), 0);

  CHECK_INT(ehcp_case_set_add_event(set, "", EHCP_EV_FINAL_ISSUED, D("2025-01-01"), NULL,
                                    EHCP_DATE_NONE, NULL),
            EHCP_ERR_INVALID);
  CHECK_STR(ehcp_case_set_errmsg(set), "empty case id");
  CHECK_INT(ehcp_case_set_add_event(set, "C9", EHCP_EV_ISSUE_DECISION, D("2025-01-01"), "maybe",
                                    EHCP_DATE_NONE, NULL),
            EHCP_ERR_INVALID);
  CHECK_STR(ehcp_case_set_errmsg(set),
            "unknown issue_decision detail 'maybe' (expected yes, no, withdrawn)");
  CHECK_INT(ehcp_case_set_add_event(set, "C9", EHCP_EV_ADVICE_RECEIVED, D("2025-01-01"), NULL,
                                    EHCP_DATE_NONE, NULL),
            EHCP_ERR_INVALID);
  CHECK_STR(ehcp_case_set_errmsg(set),
            "advice_received needs a detail (education, early_years, ep, health, social_care, other)");
  CHECK_INT(ehcp_case_set_add_event(set, "C9", EHCP_EV_DRAFT_ISSUED, D("2025-01-01"), "x",
                                    EHCP_DATE_NONE, NULL),
            EHCP_ERR_INVALID);
  CHECK_STR(ehcp_case_set_errmsg(set), "draft_issued takes no detail, got 'x'");
  CHECK_INT(ehcp_case_set_add_event(set, "C9", 0, D("2025-01-01"), NULL, EHCP_DATE_NONE, NULL),
            EHCP_ERR_INVALID);
  CHECK_INT(ehcp_case_set_add_event(set, "C9", EHCP_EV_DRAFT_ISSUED, EHCP_DATE_NONE, NULL,
                                    EHCP_DATE_NONE, NULL),
            EHCP_ERR_INVALID);
  CHECK_STR(ehcp_case_set_errmsg(set), "draft_issued: invalid date");
  /* Nothing was added by the failed calls, and no case was created. */
  CHECK_INT(ehcp_case_event_count(c), 0);
  CHECK_INT(ehcp_case_set_count(set), 1);
  ehcp_case_set_free(set);
  ehcp_case_set_free(NULL);
}

static void test_many_cases(void) {
  ehcp_case_set *set;
  CHECK_INT(ehcp_case_set_new(&set), EHCP_OK);
  char id[32];
  for (int i = 0; i < 50000; i++) {
    snprintf(id, sizeof id, "P%d", i);
    ehcp_case_set_add_event(set, id, EHCP_EV_REQUEST_RECEIVED, D("2025-01-01") + i % 300, NULL,
                            EHCP_DATE_NONE, NULL);
    ehcp_case_set_set_attribute(set, id, "team", i % 2 ? "East" : "West");
  }
  CHECK_INT(ehcp_case_set_count(set), 50000);
  CHECK_STR(ehcp_case_id(ehcp_case_set_get(set, 49999)), "P49999");
  CHECK_STR(ehcp_case_attribute(ehcp_case_set_find(set, "P12345"), "team"), "East");
  ehcp_case_set_free(set);
}

int main(void) {
  test_vocabulary();
  test_events_sorted();
  test_attributes_and_errors();
  test_many_cases();
  return check_done("case");
}
