/* The inside of the cgroup manager: the backend vtable (one implementation
 * per flavour, after crun's libcrun_cgroup_manager) and the helpers the
 * backends share.  Only cgroup*.c and unit tests include this. */
#ifndef NODELAB_CGROUP_INTERNAL_H
#define NODELAB_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"

/* Controllers nodelab cares about, as carried by one hierarchy. */
enum {
  CGROUP_CTRL_CPU = 1u << 0,
  CGROUP_CTRL_MEMORY = 1u << 1,
  CGROUP_CTRL_PIDS = 1u << 2,
  CGROUP_CTRL_SYSTEMD = 1u << 3, /* v1 "name=systemd": no controller, tracking only */
};

struct cgroup_hierarchy {
  char *dir;            /* absolute directory where the hierarchy is mounted */
  unsigned controllers; /* CGROUP_CTRL_* bits it carries (v2: all of them) */
  bool unified;         /* a cgroup2 hierarchy (the v2 root, or hybrid's tracking-only one) */
};

struct cgroup_backend_ops {
  const char *name;
  int (*create)(struct cgroup_manager *m, const char *relpath, struct ledger *ledger,
                struct lab_error **err);
  int (*attach)(struct cgroup_manager *m, const char *relpath, pid_t pid, struct lab_error **err);
  int (*set_limits)(struct cgroup_manager *m, const char *relpath,
                    const struct cgroup_limits *limits, struct lab_error **err);
  int (*destroy)(struct cgroup_manager *m, const char *relpath, struct lab_error **err);
  int (*oom_killed)(struct cgroup_manager *m, const char *relpath, int *killed,
                    struct lab_error **err);
  /* cgroup_limit_get/put: relpath checked; value in the canonical text. */
  int (*limit_get)(struct cgroup_manager *m, const char *relpath, enum cgroup_limit_kind kind,
                   char **value, struct lab_error **err);
  int (*limit_put)(struct cgroup_manager *m, const char *relpath, enum cgroup_limit_kind kind,
                   const char *value, struct lab_error **err);
};

struct cgroup_manager {
  enum cgroup_mode mode;
  char *root;
  struct cgroup_hierarchy *hier; /* the managed hierarchies */
  size_t nhier;
  const struct cgroup_backend_ops *ops;
  bool fake; /* a plain directory tree standing in for cgroupfs (unit tests) */
};

extern const struct cgroup_backend_ops cgroup_v1_ops; /* v1 and hybrid */
extern const struct cgroup_backend_ops cgroup_v2_ops;

/* Detects the flavour under root from a mountinfo file (normally
 * /proc/self/mountinfo) instead of the running system's, so tests can describe
 * a fake tree.  With fake, the manager treats its directories as a plain tree
 * (see cgroup_manager_open_fake()).  Returns 0 and *out, or -1 and *err. */
int cgroup_manager_open_mountinfo(const char *root, const char *mountinfo, bool fake,
                                  struct cgroup_manager **out, struct lab_error **err);

/* A manager over a plain directory tree, for unit tests: for v1 and hybrid,
 * the hierarchies are those of root's subdirectories "cpu" (or "cpu,cpuacct"),
 * "memory", "pids" and "systemd" that exist, plus "unified" for hybrid; for v2,
 * root itself.  It plays the kernel's part where a plain tree cannot: destroy
 * removes the regular files (the "control files") of a directory before its
 * rmdir, and never signals a process.  Control files are never created by it:
 * a test creates the ones it expects to be written. */
int cgroup_manager_open_fake(const char *root, enum cgroup_mode mode, struct cgroup_manager **out,
                             struct lab_error **err);

/* True when relpath is a usable relative cgroup name: non-empty, no leading or
 * doubled '/', no "." or ".." component, no tab or newline. */
bool cgroup_relpath_valid(const char *relpath);

/* malloc'd "<h->dir>/<relpath>"; aborts on out of memory like asprintf users. */
char *cgroup_hier_path(const struct cgroup_hierarchy *h, const char *relpath);

/* The managed hierarchy carrying controller bit ctrl, or NULL. */
const struct cgroup_hierarchy *cgroup_find_hierarchy(const struct cgroup_manager *m, unsigned ctrl);

/* Called before descending into (and maybe creating) a child of `parent`. */
typedef int (*cgroup_parent_hook)(const char *parent, struct lab_error **err);

/* Creates base/relpath component by component; each directory that does not
 * exist is recorded in ledger (when not NULL) before its mkdir.  hook (may be
 * NULL) runs on every parent, base included, before its child is handled. */
int cgroup_mkdir_recorded(const char *base, const char *relpath, struct ledger *ledger,
                          cgroup_parent_hook hook, struct lab_error **err);

/* Writes value to dir/file (one write, O_TRUNC: what the kernel expects and
 * what keeps a fake file equal to the last value). */
int cgroup_write_file(const char *dir, const char *file, const char *value, struct lab_error **err);

/* Writes v in decimal to dir/file, or the word unlimited when v is 0 (how
 * the limits say "none").  Returns as cgroup_write_file(). */
int cgroup_write_limit(const char *dir, const char *file, uint64_t v, const char *unlimited,
                       struct lab_error **err);

/* Moves pid into relpath of hierarchy h (its cgroup.procs).  Returns 0, or -1
 * and *err "moving PID into cgroup RELPATH: ...". */
int cgroup_hier_attach(const struct cgroup_hierarchy *h, const char *relpath, pid_t pid,
                       struct lab_error **err);

/* Reads dir/file into *out (malloc'd) without its trailing whitespace. */
int cgroup_read_value(const char *dir, const char *file, char **out, struct lab_error **err);

/* Splits a cpu limit text "QUOTA PERIOD" into its words (quota "max" or a
 * number, period a number): 0, or -1 and *err (EINVAL). */
int cgroup_cpu_text_split(const char *value, char quota[24], char period[24],
                          struct lab_error **err);

/* Reads dir/file into a malloc'd NUL-terminated string *out. */
int cgroup_read_file(const char *dir, const char *file, char **out, struct lab_error **err);

/* Finds a "key value" line in dir/file (memory.events, memory.oom_control).
 * Returns 1 and *value when found, 0 when the key is absent, -1 and *err when
 * the file cannot be read (errno ENOENT included). */
int cgroup_read_keyed(const char *dir, const char *file, const char *key, uint64_t *value,
                      struct lab_error **err);

/* cgroup_remove_dir() with the fake tree's behaviour when fake is true. */
int cgroup_remove_tree(const char *path, bool fake, struct lab_error **err);

/* Every directory of the tree at path, parents before children, as a malloc'd
 * array of malloc'd strings in *dirs (count *n).  A missing path gives 0 dirs. */
int cgroup_list_tree(const char *path, char ***dirs, size_t *n, struct lab_error **err);
void cgroup_free_strv(char **v, size_t n);

#endif
