/* Progress of long runs on stderr: "reading: 12.3 of 53.0 MB (23%), 45.1 MB/s,
 * 0:01 left" or "evaluating: 120000 of 1000000 cases (12%), 310000 cases/s,
 * 0:03 left", redrawn in place on one line.
 *
 * Shown only when stderr is a terminal and the command was not given
 * --quiet, and only once the run has taken half a second, so short runs
 * and pipes, logs and tests see nothing. A ticker thread redraws the line
 * four times a second, so it stays alive (elapsed time) even while the
 * caller is inside one long library call; the counter itself is set by the
 * caller with progress_set(), from any thread.
 *
 * Every function accepts NULL (what progress_start() returns when nothing
 * is to be shown) and then does nothing. */
#ifndef EHCP_TOOL_PROGRESS_H
#define EHCP_TOOL_PROGRESS_H

#include <stdint.h>

enum progress_unit { PROGRESS_BYTES, PROGRESS_CASES };

struct progress;

/* Start a progress line for `what` ("reading", "evaluating") counting up to
 * `total` (0 if unknown). Returns NULL when it would not be shown: quiet,
 * stderr not a terminal, or no memory. */
struct progress *progress_start(const char *what, enum progress_unit unit, uint64_t total,
                                int quiet);
/* The amount done so far (monotonic; any thread). */
void progress_set(struct progress *p, uint64_t done);
/* Print a whole line to stderr (fmt without the newline) without garbling
 * the progress line: it is cleared, the line printed, and redrawn later. */
void progress_note(struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Stop the ticker, clear the line and free. */
void progress_end(struct progress *p);

/* For library callbacks: int (*)(uint64_t done, uint64_t total, void *p)
 * with the payload a struct progress * (NULL allowed). Always returns 0. */
int progress_callback(uint64_t done, uint64_t total, void *payload);

#endif
