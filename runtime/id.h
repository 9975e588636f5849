/* Container identity: 64-hex ids, 12-character short ids, generated names,
 * and podman's lookup rules (exact name, then full id, then unique id prefix). */
#ifndef NODELAB_RUNTIME_ID_H
#define NODELAB_RUNTIME_ID_H

#include <stddef.h>

#include "error.h"

#define CTR_ID_LEN 64
#define CTR_SHORT_ID_LEN 12

/* Fills out (CTR_ID_LEN + 1 bytes) with 64 lowercase hex digits from
 * getrandom(2) and a terminating NUL.  Returns 0, or -1 and *err. */
int ctr_id_generate(char out[CTR_ID_LEN + 1], struct lab_error **err);

/* True when s is exactly 64 lowercase hex digits. */
int ctr_id_is_valid(const char *s);

/* Copies the first 12 characters of id into out (13 bytes, NUL-terminated). */
void ctr_id_short(const char *id, char out[CTR_SHORT_ID_LEN + 1]);

/* True when name is a valid container name: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most
 * 128 bytes (podman's rule). */
int ctr_name_is_valid(const char *name);

/* One known container, for allocation and lookup. */
struct ctr_ref {
  const char *id;
  const char *name;
};

/* Allocates a name not used by any of the n refs: "<adjective>_<noun>" like
 * podman, drawing from getrandom(2) (or, when seed is not NULL, from the
 * deterministic generator state *seed, which is advanced).  Returns 0 and a
 * malloc'd name in *name, or -1 and *err when no free name was found. */
int ctr_name_generate(const struct ctr_ref *refs, size_t n, unsigned long long *seed, char **name,
                      struct lab_error **err);

/* Finds `key` among refs with podman's rules: an exact name wins, then an
 * exact full id, then a unique id prefix (at least 1 character).  Returns the
 * index (>= 0), or -1 and *err: "KEY: no such container" or
 * "ambiguous" when a prefix matches several ids. */
int ctr_lookup(const struct ctr_ref *refs, size_t n, const char *key, struct lab_error **err);

#endif
