/* The layout of a container record and of the store, shared by the files of
 * the container core (container-store.c, container-names.c,
 * container-inspect.c, rootfs.c, container-lifecycle.c, container-exec.c).
 * Nothing outside runtime/container-*.c and rootfs.c includes it: the public
 * API is container.h, with an opaque struct container. */
#ifndef NODELAB_RUNTIME_CONTAINER_INTERNAL_H
#define NODELAB_RUNTIME_CONTAINER_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <seccomp.h>

#include "container.h"
#include "strv.h"
#include "id.h"
#include "xalloc.h"

struct sec_profile;

#define CTR_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* podman's floor: below this the container cannot even exec reliably. */
#define CTR_MIN_MEMORY_BYTES (6ULL * 1024 * 1024)

struct ctr_store {
  char *root, *containers, *names, *labels, *images;
  char *cgroup_root, *cgroup_parent;
  struct cgroup_manager *cg; /* opened on first use */
};

struct ctr_vol {
  char *host, *ctr;
  bool relabel, readonly;
};

struct container {
  char *dir;
  char id[CTR_ID_LEN + 1];
  char *name, *image, *lower;
  char **argv, **env;
  char *workdir, *hostname;
  char *pod; /* id of the infra container joined, or NULL */
  struct ctr_vol *vols;
  size_t n_vols;
  struct cgroup_limits limits;
  char *seccomp; /* "default", "unconfined" or an absolute path */
  /* seccomp-set: system calls denied (EPERM) by a second filter, on top of
   * the profile, at every start and exec; NULL: none */
  char **seccomp_deny;
  enum ctr_net net;
  bool infra;
  bool privileged;    /* every capability, no seccomp filter, no masked paths */
  char *owner;        /* an implicit pod's infra: the container it serves */
  char *ip, *gateway; /* an infra: its pod's address (container_set_address) */
  int ip_prefix;
  char *label;
  bool label_enforced;
  char *cgroup;
  enum container_state state;
  pid_t pid;
  uint64_t starttime;
  pid_t monitor; /* the parent waiting for pid: a monitor, or the foreground CLI */
  uint64_t monitor_starttime;
  int exit_code;
  bool oom_killed;
  char *created, *started, *finished;
  bool mounted, user_mounted;
  /* the merged/upper/work paths, derived */
  char *merged, *upper, *work;
};

/* ------------------------------------------------- helpers (container-store.c) */

/* Allocation failures abort (common/xalloc.h): the runtime cannot do anything
 * useful then. */
/* Reads until EOF into a NUL-terminated buffer of at most cap-1 bytes. */
ssize_t ctr_read_all(int fd, char *buf, size_t cap);
/* snprintf into a path buffer: 0, or -1 with errno ENAMETOOLONG when the
 * result does not fit (a truncated path could name another object). */
int ctr_path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same, failing with *err "NAME: path too long". */
int ctr_path_err(struct lab_error **err, char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A new JSON string of s, or NULL (json-c's null) when s is NULL; a new
 * array of the strings of v (empty when v is NULL). */
struct json_object *ctr_json_str(const char *s);
struct json_object *ctr_json_strv(char *const *v);
/* Replaces *field with a copy of v. */
void ctr_set_str(char **field, const char *v);

/* Opens the store's cgroup manager on first use.  Returns 0, or -1 and *err. */
int ctr_store_cgroups(struct ctr_store *s, struct lab_error **err);

/* The record on disk (<dir>/state.json), written atomically.  Returns 0, or
 * -1 and *err. */
int ctr_state_save(struct container *c, struct lab_error **err);
/* Loads the record of container id: a new container in *out, or -1 and *err.
 * A "running" record whose process and monitor are gone is reported exited. */
int ctr_state_load(struct ctr_store *s, const char *id, struct container **out,
                   struct lab_error **err);
/* Re-reads c's record from disk into c (the monitor may have changed it). */
int ctr_state_reload(struct ctr_store *s, struct container *c, struct lab_error **err);
/* Fills c->merged, upper, work from c->dir. */
void ctr_derive_paths(struct container *c);

void ctr_cleanup_container_fn(struct container **c);
#define cleanup_container __attribute__((cleanup(ctr_cleanup_container_fn)))

/* --------------------------------------- reservations (container-names.c) */

/* The name's reservation, names/<name> -> id (a symlink made with O_EXCL
 * semantics).  Returns 0, -1 and *err; EEXIST in errno when taken. */
int ctr_name_reserve(struct ctr_store *s, const char *name, const char *id, struct lab_error **err);
void ctr_name_release(struct ctr_store *s, const char *name);

/* Reserves a free MCS pair for container id: *label (malloc'd).  Returns 0,
 * or -1 and *err. */
int ctr_label_reserve(struct ctr_store *s, const char *id, char **label, struct lab_error **err);
/* Frees c's MCS pair when c holds it. */
void ctr_label_release(struct ctr_store *s, const struct container *c);

/* Pod membership: <infra dir>/members/<id>.  ctr_members_dir makes the
 * directory of a new infra. */
int ctr_members_dir(struct ctr_store *s, const char *infra, struct lab_error **err);
int ctr_member_add(struct ctr_store *s, const char *infra, const char *id, struct lab_error **err);
void ctr_member_remove(struct ctr_store *s, const char *infra, const char *id);
/* Fails with "pod X still has container Y" when infra c still has a member. */
int ctr_members_none(struct ctr_store *s, const struct container *c, struct lab_error **err);

/* ------------------------------------------------ the child (rootfs.c) */

/* Reports "fmt: strerror(errno)" on fd and exits 127 (in a child only). */
__attribute__((noreturn, format(printf, 2, 3))) void ctr_child_fail(int fd, const char *fmt, ...);
/* Mounts c's overlay at merged/ in the caller's mount namespace. */
int ctr_rootfs_mount_overlay(struct container *c, struct lab_error **err);
/* In the child, in its new mount namespace: volumes, /proc, /dev, /sys,
 * pivot_root into merged/, masked and read-only paths (unless privileged).
 * Failures go to efd (ctr_child_fail). */
void ctr_rootfs_setup(int efd, struct container *c);
/* Waits for the parent's "go" byte on sync_fd (exits when it gave up). */
void ctr_child_wait_go(int sync_fd);
/* The last steps of every process entering a container (init and exec):
 * workdir, label, no_new_privs, capabilities, then seccomp (the deny
 * filter first: the profile's may forbid seccomp(2) itself), then exec. */
__attribute__((noreturn)) void ctr_child_exec(int efd, struct container *c, char **envp,
                                              uint64_t caps, scmp_filter_ctx seccomp,
                                              scmp_filter_ctx deny);

/* ------------------------------------------ shared by start and exec */

/* The process environment: defaults, then image/spec env; a later KEY
 * replaces an earlier one.  A new NULL-terminated vector (strv_free). */
char **ctr_build_env(struct container *c);
/* c's seccomp filter (NULL *ctx when unconfined or privileged) and the
 * profile it came from.  Returns 0, or -1 and *err. */
int ctr_load_seccomp(struct container *c, scmp_filter_ctx *ctx, struct sec_profile **prof,
                     struct lab_error **err);
/* The second filter of c's processes, denying c->seccomp_deny with EPERM
 * (NULL *ctx when none).  Returns 0, or -1 and *err. */
int ctr_load_seccomp_deny(const struct container *c, scmp_filter_ctx *ctx, struct lab_error **err);
/* The capability set of c's processes. */
uint64_t ctr_caps(const struct container *c);

#endif
