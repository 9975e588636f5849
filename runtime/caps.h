/* Linux capabilities of a container: the default set (podman's), applied to
 * the bounding, effective, permitted and inheritable sets and clearing the
 * ambient set — with prctl(2) and capset(2) directly, no libcap. */
#ifndef NODELAB_RUNTIME_CAPS_H
#define NODELAB_RUNTIME_CAPS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Bit i set = capability i kept. */
uint64_t caps_default_mask(void);

/* Parses a capability name ("CAP_CHOWN", "chown" or "CHOWN").  Returns the
 * number (>= 0), or -1 when unknown. */
int caps_from_name(const char *name);
/* Name of capability nr ("CAP_CHOWN"), or NULL when unknown.  Static storage. */
const char *caps_name(int nr);

/* Highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap),
 * falling back to the highest this program knows. */
int caps_last_cap(void);

/* Reduces the calling thread's capabilities to `keep`: drops every other
 * capability from the bounding set (PR_CAPBSET_DROP), clears the ambient set,
 * and sets effective = permitted = inheritable = keep (capset).  Needs
 * CAP_SETPCAP.  Returns 0, or -1 and *err. */
int caps_apply(uint64_t keep, struct lab_error **err);

/* The mask as a malloc'd array of names in capability order (*n entries, the
 * array and strings malloc'd) — for config.json and inspect. */
char **caps_mask_names(uint64_t mask, size_t *n);

#endif
