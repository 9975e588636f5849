/* SELinux and sVirt: every container gets container_t with a unique MCS pair
 * (s0:cX,cY, X < Y, from c0..c1023), as podman does.  When SELinux is disabled
 * the label is still computed and recorded, and reported "not enforced". */
#ifndef NODELAB_RUNTIME_LABEL_H
#define NODELAB_RUNTIME_LABEL_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define LABEL_MCS_CATEGORIES 1024

/* Picks a pair of categories that no label in in_use (n process or file
 * labels; NULL entries and labels without a pair are ignored) already has,
 * from getrandom(2) or, when seed is not NULL, from the deterministic state
 * *seed (advanced).  Returns 0 and a malloc'd
 * "system_u:system_r:container_t:s0:cX,cY" in *label, or -1 and *err when no
 * pair is free. */
int label_mcs_alloc(const char *const *in_use, size_t n, unsigned long long *seed, char **label,
                    struct lab_error **err);

/* Parses the trailing ":s0:cX,cY" of label.  Returns 0 with c1 < c2, or -1
 * when the label has no MCS pair. */
int label_mcs_pair(const char *label, int *c1, int *c2);

/* The file label matching a process label: same MCS pair, type
 * container_file_t.  Returns a malloc'd string, or NULL when label has no pair. */
char *label_file_label(const char *process_label);

/* True when SELinux is enabled on this host (libselinux is_selinux_enabled). */
bool label_selinux_enabled(void);

/* Makes the next execve(2) of the calling thread run with `label`
 * (setexeccon).  A no-op returning 0 when SELinux is disabled. */
int label_set_exec(const char *label, struct lab_error **err);

/* Relabels path and everything below it with file_label (lsetfilecon), for
 * `-v host:ctr:Z`.  A no-op returning 0 when SELinux is disabled. */
int label_relabel_tree(const char *path, const char *file_label, struct lab_error **err);

#endif
