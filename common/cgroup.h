/* Control groups behind one small interface, one backend per flavour
 * (after crun's libcrun_cgroup_manager): v1 (and hybrid, where the v1
 * controllers do the limiting and the unified hierarchy only tracks) and v2.
 *
 * A cgroup is named by a relative path, e.g. "nodelab/default/node1"; the
 * backend creates it in every hierarchy it manages under its root (normally
 * /sys/fs/cgroup; unit tests pass a fake directory tree). */
#ifndef NODELAB_CGROUP_H
#define NODELAB_CGROUP_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct ledger;

enum cgroup_mode { CGROUP_MODE_V1, CGROUP_MODE_HYBRID, CGROUP_MODE_V2 };

struct cgroup_manager;

/* Detects the flavour of the hierarchy mounted at root (normally "/sys/fs/cgroup")
 * and returns a manager for it in *out. */
int cgroup_manager_open(const char *root, struct cgroup_manager **out, struct lab_error **err);
void cgroup_manager_close(struct cgroup_manager *m);
enum cgroup_mode cgroup_manager_mode(const struct cgroup_manager *m);
const char *cgroup_mode_name(enum cgroup_mode mode); /* "v1", "hybrid", "v2" */

/* Creates relpath (and missing parents) in every managed hierarchy.  Each
 * directory actually created is first recorded in ledger (LEDGER_CGROUP) when
 * ledger is not NULL.  On v2, enables the memory, cpu and pids controllers in
 * the parents' cgroup.subtree_control where available. */
int cgroup_create(struct cgroup_manager *m, const char *relpath, struct ledger *ledger,
                  struct lab_error **err);

/* Moves pid into relpath in every managed hierarchy. */
int cgroup_attach(struct cgroup_manager *m, const char *relpath, pid_t pid, struct lab_error **err);

/* Limits; 0 (or for cpu, 0 millicores) means "no limit". memory in bytes,
 * cpu in millicores (500 = half a CPU, as period 100000 / quota 50000), pids a count. */
struct cgroup_limits {
  uint64_t memory_bytes;
  uint64_t cpu_millis;
  uint64_t pids;
};
int cgroup_set_limits(struct cgroup_manager *m, const char *relpath,
                      const struct cgroup_limits *limits, struct lab_error **err);

/* The absolute directories of relpath, one per managed hierarchy, written to
 * *paths (malloc'd NULL-terminated array of malloc'd strings). */
int cgroup_paths(struct cgroup_manager *m, const char *relpath, char ***paths,
                 struct lab_error **err);

/* Kills (SIGKILL) every process in relpath and its descendants, waits until
 * they are gone, then removes the directories, deepest first.  A cgroup that
 * does not exist is not an error. */
int cgroup_destroy(struct cgroup_manager *m, const char *relpath, struct lab_error **err);

/* Removes the cgroup directory at the absolute path `path` (as recorded in a
 * ledger): kills (SIGKILL) every process in it and its descendant cgroups
 * (v2: through cgroup.kill when the kernel has it), waits up to a few seconds
 * until they are gone, then removes the directories, deepest first.  A path
 * that does not exist is not an error.  Refuses (EINVAL) a hierarchy's root
 * and (EDEADLK) a cgroup holding the calling process.  A directory that is not
 * on a cgroup filesystem is only rmdir'd with its (empty) subdirectories,
 * nothing is killed.
 * Returns 0 or -1 and *err. */
int cgroup_remove_dir(const char *path, struct lab_error **err);

/* True when the memory controller reports an OOM kill in relpath since creation. */
int cgroup_oom_killed(struct cgroup_manager *m, const char *relpath, int *killed,
                      struct lab_error **err);

#endif
