/* Attributes CSV: what performance teams group by. */
#include "writers.h"

const char *caseworker_initials(const struct gcase *g) {
  static const char *const initials[4][6] = {
      {"AB", "CK", "DM", "EP", "FR", "GT"}, {"HL", "JW", "KS", "LN", "MB", "NH"},
      {"OD", "PC", "RA", "SG", "TV", "VE"}, {"WF", "YK", "ZR", "AJ", "BT", "CM"}};
  return initials[g->team][g->caseworker];
}

void attributes_header(struct out *o) {
  out_str(o, "case_id,team,caseworker,setting_type,age_group\n");
}

void attributes_write(struct out *o, const struct gcase *g) {
  out_str(o, g->id);
  out_char(o, ',');
  out_str(o, team_names[g->team]);
  out_char(o, ',');
  out_str(o, caseworker_initials(g));
  out_char(o, ',');
  out_str(o, setting_names[g->setting]);
  out_char(o, ',');
  out_str(o, age_group_names[g->age_group]);
  out_char(o, '\n');
}
