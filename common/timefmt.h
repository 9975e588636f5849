/* Timestamps as nodelab writes them everywhere (API, events, inspect, logs):
 * ISO-8601 in UTC, "2026-12-01T21:59:18Z", with 0, 3 (events) or 9 (podman's
 * inspect) fractional digits: "2026-12-01T21:59:18.123Z". */
#ifndef NODELAB_TIMEFMT_H
#define NODELAB_TIMEFMT_H

#include <stddef.h>
#include <time.h>

/* Enough for 9 digits and the terminating NUL. */
#define TIMEFMT_ISO_LEN 32

/* Writes ts (NULL: now, CLOCK_REALTIME) with `digits` fractional digits
 * (0..9) into buf (at least TIMEFMT_ISO_LEN bytes).  Returns buf. */
char *timefmt_iso(char buf[TIMEFMT_ISO_LEN], const struct timespec *ts, int digits);

#endif
