/* Control groups behind one small interface, one backend per flavour
 * (after crun's libcrun_cgroup_manager): v1 (and hybrid, where the v1
 * controllers do the limiting and the unified hierarchy only tracks) and v2.
 *
 * A cgroup is named by a relative path, e.g. "nodelab/default/node1"; the
 * backend creates it in every hierarchy it manages under its root (normally
 * /sys/fs/cgroup; unit tests pass a fake directory tree). */
#ifndef NODELAB_CGROUP_H
#define NODELAB_CGROUP_H

/* The directory every lab's cgroup lives under, in each hierarchy
 * ("nodelab/LAB/NODE"): shared by the labs, removed when empty. */
#define CGROUP_NODELAB_ROOT "nodelab"

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
 * the parents' cgroup.subtree_control where available (best effort, logged):
 * v2 refuses that in a cgroup that holds processes, so put processes only in
 * leaves (e.g. ".../node1/init" beside ".../node1/pod-x").  v1: the cpu,
 * memory, pids and name=systemd hierarchies (cpuset is not managed), plus
 * the unified one in hybrid mode, for tracking.  relpath: no leading '/', no
 * "." or ".." component, no tab or newline (EINVAL). */
int cgroup_create(struct cgroup_manager *m, const char *relpath, struct ledger *ledger,
                  struct lab_error **err);

/* Moves pid into relpath in every managed hierarchy. */
int cgroup_attach(struct cgroup_manager *m, const char *relpath, pid_t pid, struct lab_error **err);

/* Limits; 0 (or for cpu, 0 millicores) means "no limit", and is written as
 * such, so a call states all three limits.  memory in bytes, cpu in
 * millicores (500 = half a CPU, as period 100000 / quota 50000; the kernel
 * refuses less than 10), pids a count.  v1 writes memory.limit_in_bytes,
 * cpu.cfs_period_us + cpu.cfs_quota_us, pids.max; v2 memory.max, cpu.max,
 * pids.max.  A non-zero limit whose controller is missing is an error. */
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

/* Sets *killed to 1 when the memory controller reports an OOM kill in relpath
 * or a descendant since creation (v1: "oom_kill" of memory.oom_control; v2:
 * memory.events), else 0 (also when no memory controller covers relpath).
 * A cgroup that does not exist is an error (ENOENT). */
int cgroup_oom_killed(struct cgroup_manager *m, const char *relpath, int *killed,
                      struct lab_error **err);

#endif
