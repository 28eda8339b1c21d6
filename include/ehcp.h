/**
 * @file ehcp.h
 * @brief ehcp: statutory EHC deadlines and compliance on working-day calendars.
 *
 * Include this umbrella header; it pulls in every public module.
 *
 * Thread safety: the library has no hidden global state. Calendars (and,
 * later, rule sets) are built once and immutable afterwards, so any number
 * of threads may share them. Builders and other mutable objects belong to
 * one thread at a time. The library never prints, aborts or exits.
 *
 * Ownership: every `*_new()` / `*_build()` has a matching `*_free()`;
 * `*_free(NULL)` is a no-op. Strings returned by accessors are owned by the
 * object they came from and live as long as it, unless a comment says
 * otherwise.
 */
#ifndef EHCP_H
#define EHCP_H

#include "ehcp/common.h"
#include "ehcp/date.h"
#include "ehcp/calendar.h"
#include "ehcp/case.h"
#include "ehcp/diagnostic.h"
#include "ehcp/reader.h"
#include "ehcp/ruleset.h"
#include "ehcp/timeline.h"
#include "ehcp/measures.h"
#include "ehcp/cohort.h"
#include "ehcp/export.h"

#endif
