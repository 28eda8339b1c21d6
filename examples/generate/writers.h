/* One writer per format, each a projection of the same simulated cases
 * (model.h). Every writer has a header/begin, a per-person or per-case
 * call, and (SEN2) an end. */
#ifndef GENERATE_WRITERS_H
#define GENERATE_WRITERS_H

#include "model.h"
#include "out.h"

/* Caseworker initials: six per team. */
const char *caseworker_initials(const struct gcase *g);
/* The review cycle the one-row-per-case forms carry: the latest, or NULL. */
const struct review *latest_review(const struct gcase *g);

/* Events CSV (data-formats.md 2): every event of every case, in date
 * order within a case. Returns the number of events written. */
void events_header(struct out *o);
unsigned long events_write(struct out *o, const struct gcase *g);

/* Attributes CSV: case_id,team,caseworker,setting_type,age_group. */
void attributes_header(struct out *o);
void attributes_write(struct out *o, const struct gcase *g);

/* Cases CSV (data-formats.md 3): one row per case, with the attributes. */
void cases_header(struct out *o);
void cases_write(struct out *o, const struct gcase *g);

/* SEN2 XML (data-formats.md 5, the 2026 schema): one Person per child. */
void sen2_begin(struct out *o, const struct world *w);
void sen2_person(struct out *o, const struct gcase *cases, int n);
void sen2_end(struct out *o);

#endif
