/* Between probe.c (the model) and probe-net.c (the sockets). */
#ifndef NODELAB_ENGINE_PROBE_INTERNAL_H
#define NODELAB_ENGINE_PROBE_INTERNAL_H

#include <stddef.h>

#include "probe.h"

/* An echo's payload starts with a 64-bit nonce and the sender's timestamp. */
#define PROBE_PING_MIN_SIZE 16

/* Each runs one kind of probe as probe_run() describes (spec validated). */
int probe_run_ping(const struct probe_spec *spec, struct probe_result *r, struct lab_error **err);
int probe_run_tcp(const struct probe_spec *spec, struct probe_result *r, struct lab_error **err);
int probe_run_http(const struct probe_spec *spec, struct probe_result *r, struct lab_error **err);
int probe_run_udp(const struct probe_spec *spec, struct probe_result *r, struct lab_error **err);

/* Parses the head of an HTTP response in buf[0..len): returns 1 when it is
 * complete, with *status, *body_off (where the body starts) and
 * *content_length (-1 when the response has none); 0 when more bytes are
 * needed; -1 when it is no HTTP response. */
int probe_http_parse_head(const char *buf, size_t len, int *status, size_t *body_off,
                          long *content_length);

/* A latency in words: "0.042 ms", "12.3 ms", "250 ms".  Returns buf. */
char *probe_ms_format(double ms, char buf[PROBE_DURATION_LEN]);

/* s between double quotes, with control bytes escaped and cut to fit size
 * (at least 16) with "...".  Returns buf. */
char *probe_quote(const char *s, char *buf, size_t size);

#endif
