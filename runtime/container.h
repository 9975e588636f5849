/* Containers: state directory per container, overlay root, namespaces,
 * cgroup, capabilities, seccomp and label, and the podman-like verbs.
 *
 * Layout under the state root (configurable, tests use a temporary one):
 *   <root>/containers/<id>/state.json   the record (see container_inspect_json)
 *                         config.json  OCI-style config, written at first start
 *                         upper/ work/ merged/   overlay directories
 *                         ctr.log      stdout and stderr of a detached container
 *                         members/<id> (an infra) one file per container of its pod
 *   <root>/names/<name> -> <id>         the name's reservation (symlink, O_EXCL)
 *   <root>/labels/cX,cY                 the MCS pair's reservation, holding the id
 *
 * Uniqueness of names and MCS pairs comes from these reservations, made with
 * O_EXCL: creating a container reads no other container's record, so its
 * cost does not grow with their number, and concurrent creators, separate
 * processes and restarted daemons agree without any in-memory index.
 *
 * Who collects the exit code?  The process that starts the container is its
 * parent and waits for it: for `run` in the foreground that is the CLI
 * itself (no extra process, which keeps create+start+exit fast), for a
 * detached start it is a small per-container monitor forked by
 * container_start_detached() (like conmon).  A monitor rather than the
 * runtime daemon, so that a daemon restart (nodelabd supervises and may
 * restart it) never loses a running container's exit code or OOM status.
 *
 * The core behind this header: container-store.c (the store, records,
 * lookup, accessors), container-names.c (name, MCS and membership
 * reservations), container-inspect.c, container-lifecycle.c (create to
 * remove), rootfs.c (the child's setup before exec) and container-exec.c,
 * sharing the layout in container-internal.h. */
#ifndef NODELAB_RUNTIME_CONTAINER_H
#define NODELAB_RUNTIME_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "cgroup.h"
#include "error.h"

struct ctr_store;
struct container;

struct ctr_volume {
  const char *host, *ctr;
  bool relabel;  /* ":Z" */
  bool readonly; /* ":ro" */
};

enum ctr_net { CTR_NET_PRIVATE, CTR_NET_HOST, CTR_NET_POD };

/* A container's lifecycle state.  Recorded in state.json as its name. */
enum container_state {
  CONTAINER_CREATED, /* made, never started */
  CONTAINER_RUNNING, /* its init runs (or its monitor is about to record the exit) */
  CONTAINER_EXITED,  /* started once, and its init is gone */
  CONTAINER_N_STATES
};

/* "created", "running", "exited" (static storage; "unknown" out of range). */
const char *container_state_name(enum container_state state);
/* The state of a name; 0 and *out, or -1 when name is none of them. */
int container_state_from_name(const char *name, enum container_state *out);

/* What `create` takes.  Strings are borrowed for the duration of the call. */
struct ctr_spec {
  const char *name;        /* NULL: a generated name */
  const char *image;       /* image name in the image store */
  const char *const *argv; /* NULL: the image's Entrypoint + Cmd */
  /* NULL: the image's Entrypoint; else replaces it (may be empty) and
   * clears the image's Cmd (podman's --entrypoint) */
  const char *const *entrypoint;
  const char *const *env; /* extra KEY=VALUE entries, may be NULL */
  const char *hostname;   /* NULL: the short id (or the pod's) */
  const char *pod;        /* NULL, or the name/id of a pod infra container to join */
  const struct ctr_volume *volumes;
  size_t n_volumes;
  struct cgroup_limits limits;
  const char *seccomp_profile; /* NULL: default profile; "unconfined"; or a JSON file */
  enum ctr_net net;            /* ignored when pod is set */
  bool infra;                  /* a pod infra container: holds net/ipc/uts, runs no image */
  /* podman's --privileged: every capability, no seccomp filter, no SELinux
   * label applied, /proc and /sys without masked or read-only paths. */
  bool privileged;
  /* infra only: the id of the standalone container whose network this infra
   * holds (an implicit pod, see serve-network.c); NULL for a pod's infra. */
  const char *owner;
};

/* Opens the store rooted at state_root (created when missing) using images
 * from image_root, with container cgroups created under cgroup_parent (a
 * relative cgroup path, e.g. "nodelab/LAB/NODE").  cgroup_root is normally
 * "/sys/fs/cgroup".  Returns 0 and *out, or -1 and *err. */
int ctr_store_open(const char *state_root, const char *image_root, const char *cgroup_root,
                   const char *cgroup_parent, struct ctr_store **out, struct lab_error **err);
void ctr_store_close(struct ctr_store *s);

/* Finds the cgroup hierarchies now rather than at the first start, so that
 * processes forked from the caller (a daemon's workers and monitors) inherit
 * them instead of each reading its mountinfo, which grows by a mount per
 * running container.  Returns 0, or -1 and *err (a later start retries). */
int ctr_store_open_cgroups(struct ctr_store *s, struct lab_error **err);

/* Validates spec (image exists, name free and valid, profile parses, volume
 * sources exist, limits sane) and creates the container's state: id, name,
 * MCS label, upper/work dirs, status "created".  Nothing is mounted.  On any
 * failure nothing is left behind.  Returns 0 and the new container in *out
 * (container_free it), or -1 and *err. */
int container_create(struct ctr_store *s, const struct ctr_spec *spec, struct container **out,
                     struct lab_error **err);

/* Loads the container named by key (name, id, or unique id prefix). */
int container_lookup(struct ctr_store *s, const char *key, struct container **out,
                     struct lab_error **err);

/* Every container of the store, in creation order (*out: malloc'd array of *n). */
int container_list(struct ctr_store *s, struct container ***out, size_t *n, struct lab_error **err);
void container_list_free(struct container **list, size_t n);

void container_free(struct container *c);

const char *container_id(const struct container *c);
const char *container_name(const struct container *c);
const char *container_image(const struct container *c);
const char *container_label(const struct container *c);
/* True when the label was applied (SELinux enabled at create time). */
bool container_label_enforced(const struct container *c);
enum container_state container_state(const struct container *c);
/* container_state_name(container_state(c)) */
const char *container_status(const struct container *c);
bool container_privileged(const struct container *c);
pid_t container_pid(const struct container *c);
int container_exit_code(const struct container *c);
bool container_oom_killed(const struct container *c);
const char *container_merged_dir(const struct container *c);
const char *container_upper_dir(const struct container *c);
const char *container_cgroup_path(const struct container *c); /* relative */
/* ISO-8601 times: created always; started/finished NULL until they happened. */
const char *container_created(const struct container *c);
const char *container_started(const struct container *c);
const char *container_finished(const struct container *c);
/* True for a pod infra container; the id of the infra a container joined, or NULL. */
bool container_is_infra(const struct container *c);
const char *container_pod_id(const struct container *c);
/* For the infra of an implicit pod: the id of the container it serves (ctr_spec.owner);
 * NULL otherwise. */
const char *container_owner(const struct container *c);
const char *container_hostname(const struct container *c);
/* The system calls a second seccomp filter denies (EPERM) in c's processes,
 * NULL-terminated (empty: none); owned by c. */
const char *const *container_seccomp_deny(const struct container *c);
/* Records deny (NULL or empty: none) for c's next start and every exec from
 * now on; a running init keeps the filter it started with.  Returns 0, or -1
 * and *err (c unchanged). */
int container_set_seccomp_deny(struct container *c, const char *const *deny,
                               struct lab_error **err);

/* The pod address recorded by container_set_address (on an infra), or NULL. */
const char *container_ip(const struct container *c);

/* Records the address netd gave the pod of infra c (ip "10.1.1.2", the
 * subnet's prefix length, the gateway or NULL), for inspect's NetworkSettings
 * of c and of every container that joined it.  Returns 0, or -1 and *err. */
int container_set_address(struct ctr_store *s, struct container *c, const char *ip, int prefix_len,
                          const char *gateway, struct lab_error **err);

/* Makes c, a created (never started) standalone container with a private
 * network namespace, join infra's net, ipc and uts namespaces at its every
 * start from now on, as a member of infra's pod.  infra's hostname should be
 * c's own (the container then keeps seeing it).  Returns 0, or -1 and *err
 * (c unchanged). */
int container_join_pod(struct ctr_store *s, struct container *c, const struct container *infra,
                       struct lab_error **err);
/* podman-like `ps` status: "Created", "Up", "Exited (0)", "OOMKilled". */
char *container_ps_status(const struct container *c);
/* The argv the container runs, NULL-terminated, owned by c. */
const char *const *container_command(const struct container *c);

/* podman-inspect-shaped JSON (Id, Name, State.Status/Pid/ExitCode/OOMKilled,
 * ProcessLabel, GraphDriver.Data.{LowerDir,UpperDir,WorkDir,MergedDir},
 * NetworkSettings.{IPAddress,IPPrefixLen,Gateway} from the pod's infra...).
 * A new reference. */
struct json_object *container_inspect_json(struct ctr_store *s, const struct container *c);

/* Mounts the overlay at merged/ (in the caller's mount namespace) when not
 * mounted yet, and records it.  Returns 0, or -1 and *err. */
int container_mount(struct ctr_store *s, struct container *c, struct lab_error **err);
/* Unmounts merged/ when mounted and the container is not running. */
int container_unmount(struct ctr_store *s, struct container *c, struct lab_error **err);

/* Starts the container with the caller as its parent and returns at once:
 * the caller must call container_wait().  When log_to_file is true stdin is
 * /dev/null and stdout/stderr go to ctr.log; otherwise they are inherited.
 * The container is in its namespaces and cgroup, with its limits, and has
 * exec'd its command (or failed with an error here) when this returns.
 * Writes config.json at the first start.  Returns 0, or -1 and *err (nothing
 * left running; status unchanged). */
int container_start(struct ctr_store *s, struct container *c, bool log_to_file,
                    struct lab_error **err);

/* Waits for the started container to exit, then records exit code, OOM kill
 * and finish time, unmounts merged/ (unless mounted by container_mount) and
 * removes the cgroup.  Returns 0 (the code is in container_exit_code), or -1
 * and *err. */
int container_wait(struct ctr_store *s, struct container *c, struct lab_error **err);

/* Forks a monitor that starts the container and waits for it, and returns
 * once the container runs (0) or failed to start (-1 and *err). */
int container_start_detached(struct ctr_store *s, struct container *c, struct lab_error **err);

/* Sends sig to the container's init.  For SIGKILL, waits (up to a few
 * seconds) until the monitor recorded the exit.  Error when not running. */
int container_kill(struct ctr_store *s, struct container *c, int sig, struct lab_error **err);

/* SIGTERM, then SIGKILL after timeout_s seconds; waits until recorded. A
 * container that is not running is not an error. */
int container_stop(struct ctr_store *s, struct container *c, int timeout_s, struct lab_error **err);

/* Removes a container that is not running (force: kill it first): cgroup,
 * mount, state directory.  c is freed in every case. */
int container_remove(struct ctr_store *s, struct container *c, bool force, struct lab_error **err);

/* Runs argv inside the running container: every namespace of it, its cgroup,
 * capabilities, no_new_privs, label and seccomp filter; stdio inherited.
 * Returns the command's exit status (0..255, 128+signal), or -1 and *err. */
int container_exec(struct ctr_store *s, struct container *c, const char *const *argv,
                   struct lab_error **err);

/* Like container_exec() but returns once argv was exec'd inside the
 * container: *pid is the caller's child (waitpid it; its status is the
 * command's).  A failure to enter or exec is -1 and *err, nothing left. */
int container_exec_spawn(struct ctr_store *s, struct container *c, const char *const *argv,
                         pid_t *pid, struct lab_error **err);

#endif
