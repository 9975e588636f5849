/* Sizes and signals as podman and docker take them on the command line. */
#ifndef NODELAB_UNITS_H
#define NODELAB_UNITS_H

#include <stdint.h>

/* "32m", "64M", "1g", "512k", "100b", "1048576", "1.5g", "64Mi", "1GB": bytes
 * (k, m, g are powers of 1024, as in `podman run --memory`).  Returns 0, or -1
 * when s is not such a size. */
int units_parse_bytes(const char *s, uint64_t *bytes);

/* "TERM", "SIGTERM", "sigterm" or "15": the signal's number, as `kill -s`
 * takes it.  Returns the number, or -1 when s names no signal. */
int units_parse_signal(const char *s);

#endif
