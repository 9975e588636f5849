/* podman's `ps` table of the runtime's PS_ENTRY list (proto/runtime-rpc.h):
 * pure functions of the entries and the current time, shared by `nodelab ps`
 * and `nodelab-runtime ps`, so unit tests can pin them. */
#ifndef NODELAB_PROTO_PS_FORMAT_H
#define NODELAB_PROTO_PS_FORMAT_H

#include <stddef.h>

#include "runtime-rpc.h"

enum {
  PS_FORMAT_QUIET = 0x1,   /* -q: ids only */
  PS_FORMAT_NOTRUNC = 0x2, /* --no-trunc: full ids and commands */
  PS_FORMAT_LABELS = 0x4,  /* -Z: a LABEL column */
};

/* go-units' HumanDuration, as podman prints it: "Less than a second",
 * "3 seconds", "About a minute", "5 minutes", "About an hour", ... */
void ps_format_duration(long secs, char *buf, size_t len);

/* "2026-11-29T02:43:19.18Z" (fraction ignored, UTC) -> *out.  Returns 0, or
 * -1 when s is NULL, empty or unparsable. */
int ps_format_parse_iso(const char *s, long long *out);

/* The STATUS column of e at time now: "Created", "Up 3 seconds",
 * "Exited (0) 2 seconds ago", "OOMKilled". */
void ps_format_status(const struct rt_rpc_ps_entry *e, long long now, char *buf, size_t len);

/* The whole table of the n entries (a header unless quiet; each column as
 * wide as its widest cell, two spaces between, as podman's tabwriter).
 * Returns a malloc'd string. */
char *ps_format_table(const struct rt_rpc_ps_entry *entries, size_t n, unsigned flags,
                      long long now);

#endif
