/* The container kinds: cgroup-memory, cgroup-pids and cgroup-cpu tighten a
 * running container's limit in its cgroup (cgroup.h's one-limit text, the
 * same on v1 and v2: the snapshot is the text read before, put back as is);
 * seccomp-deny makes the node's runtime restart the container under its
 * profile plus a filter denying a system call (seccomp-set), since a running
 * process's filters cannot be changed from outside.  The predicates read the
 * real state: the limit file still holding what inject wrote, the runtime's
 * record still holding the deny or the process started under it still
 * running. */
#include "fault-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "paths.h"
#include "rpc.h"
#include "strv.h"
#include "xalloc.h"

#define DEFAULT_MEMORY "8Mi" /* web/httpd lives in less, dd bs=16M does not */
#define DEFAULT_PIDS "6"     /* httpd and a shell, and 4 more: web-forks wants 8 */
#define DEFAULT_CPU "10m"    /* the kernel's least quota, 1 ms per 100 ms */
#define DEFAULT_SYSCALL "chmod"

/* The pod's container named by "container" (default: its first), running. */
static int resolve_container(struct fault *f, const struct fault_view *v,
                             const struct fault_view_pod **pod,
                             const struct fault_view_container **out, struct lab_error **err)
{
  if (fault_resolve_pod(f, v, pod, err) < 0)
    return -1;
  if ((*pod)->n_containers > 0 &&
      fault_default_param(f, "container", (*pod)->containers[0].name, err) < 0)
    return -1;
  const char *name = fault_param(f, "container");
  *out = NULL;
  for (size_t i = 0; name != NULL && i < (*pod)->n_containers; i++)
    if (strcmp((*pod)->containers[i].name, name) == 0)
      *out = &(*pod)->containers[i];
  if (*out == NULL)
    return fault_refuse(err, ENOENT, "kind %s: pod %s has no container %s", f->spec->name,
                        (*pod)->name, name ? name : "(none known)");
  if (!(*out)->running)
    return fault_refuse(err, ESRCH, "kind %s: container %s of pod %s is not running", f->spec->name,
                        name, (*pod)->name);
  const struct fault_view_node *node = fault_view_node(v, (*pod)->node);
  if (node == NULL || node->pid <= 0)
    return fault_refuse(err, ESRCH, "kind %s: node %s of pod %s is not running", f->spec->name,
                        (*pod)->node, (*pod)->name);
  f->pid = node->pid;
  snprintf(f->ctr_key, sizeof f->ctr_key, "%s", (*out)->id ? (*out)->id : "");
  return 0;
}

static int runtime_seccomp(const struct fault_backend *be, const struct fault *f,
                           const char *const *deny, struct rt_rpc_seccomp_state *out,
                           struct lab_error **err);

/* ---- cgroup-memory, cgroup-pids, cgroup-cpu {pod, container, LIMIT} ----
 *
 * A limit below what the container holds OOM-kills its main process (v2;
 * v1 refuses the limit): the container exits and its cgroup goes with it,
 * and nothing in nodelab restarts it.  So a cgroup that is gone is the
 * fault still present while the container does not run, and repair starts
 * it again (its new cgroup gets the limits of its record, those before). */

static int limit_resolve(struct fault *f, const struct fault_view *v, enum cgroup_limit_kind kind,
                         const char *param, const char *dflt, struct lab_error **err)
{
  const struct fault_view_pod *pod;
  const struct fault_view_container *c;
  if (resolve_container(f, v, &pod, &c, err) < 0 || fault_default_param(f, param, dflt, err) < 0)
    return -1;
  if (c->cgroup == NULL)
    return fault_refuse(err, ENOENT, "kind %s: the runtime did not tell the cgroup of %s/%s",
                        f->spec->name, pod->name, c->name);
  f->ctr_limit = kind;
  snprintf(f->ctr_cgroup, sizeof f->ctr_cgroup, "%s", c->cgroup);
  snprintf(f->target, sizeof f->target, "%s/%s/%s %s limit %s", pod->node, pod->name, c->name,
           cgroup_limit_name(kind), fault_param(f, param));
  return 0;
}

static int memory_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  return limit_resolve(f, v, CGROUP_LIMIT_MEMORY, "memory", DEFAULT_MEMORY, err);
}

static int pids_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  return limit_resolve(f, v, CGROUP_LIMIT_PIDS, "pids", DEFAULT_PIDS, err);
}

static int cpu_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  return limit_resolve(f, v, CGROUP_LIMIT_CPU, "cpu", DEFAULT_CPU, err);
}

static int cgroup_get(const struct fault_backend *be, const struct fault *f, char **value,
                      struct lab_error **err)
{
  if (be->ops->cgroup_get == NULL)
    return fault_refuse(err, ENOTSUP, "this backend has no cgroups");
  return be->ops->cgroup_get(be->ctx, f->ctr_cgroup, f->ctr_limit, value, err);
}

static int cgroup_put(const struct fault_backend *be, const struct fault *f, const char *value,
                      struct lab_error **err)
{
  if (be->ops->cgroup_put == NULL)
    return fault_refuse(err, ENOTSUP, "this backend has no cgroups");
  return be->ops->cgroup_put(be->ctx, f->ctr_cgroup, f->ctr_limit, value, err);
}

/* The new limit's text, from the parsed parameter. */
static void limit_text(const struct fault *f, char *buf, size_t len)
{
  uint64_t n = 0;
  switch (f->ctr_limit) {
  case CGROUP_LIMIT_MEMORY:
    n = fault_value(f, "memory")->bytes;
    break;
  case CGROUP_LIMIT_PIDS:
    n = (uint64_t)fault_value(f, "pids")->integer;
    break;
  case CGROUP_LIMIT_CPU:
    n = fault_value(f, "cpu")->cpu_millis;
    break;
  }
  cgroup_limit_text(f->ctr_limit, n, buf, len);
}

/* Snapshot (the text as read), write, and read back what the kernel made
 * of it (a memory limit is rounded to pages): the predicate compares with
 * that. */
static int limit_inject(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  char value[64];
  limit_text(f, value, sizeof value);
  free(f->cg_old); /* a previous inject's, repaired since */
  free(f->cg_new);
  f->cg_old = f->cg_new = NULL;
  if (cgroup_get(be, f, &f->cg_old, err) < 0)
    return -1;
  if (cgroup_put(be, f, value, err) < 0) {
    if (err != NULL && *err != NULL && (*err)->errnum == EBUSY &&
        f->ctr_limit == CGROUP_LIMIT_MEMORY)
      lab_error_wrap(err,
                     "the container uses more than %s and cgroup v1 cannot reclaim it "
                     "(it refuses instead of OOM-killing); give a larger memory",
                     fault_param(f, "memory"));
    free(f->cg_old);
    f->cg_old = NULL;
    return -1;
  }
  cleanup_error struct lab_error *get_err = NULL;
  if (cgroup_get(be, f, &f->cg_new, &get_err) < 0 && get_err != NULL && get_err->errnum == ENOENT) {
    f->cg_new = xstrdup(value); /* the container died of it already */
    return 0;
  }
  if (f->cg_new == NULL) {
    if (err != NULL) {
      *err = get_err;
      get_err = NULL;
    }
    cleanup_error struct lab_error *undo_err = NULL;
    cgroup_put(be, f, f->cg_old, &undo_err);
    free(f->cg_old);
    f->cg_old = NULL;
    return -1;
  }
  return 0;
}

/* Whether the container runs, as its runtime says. */
static int ctr_running(const struct fault_backend *be, const struct fault *f, bool *running,
                       struct lab_error **err)
{
  struct rt_rpc_seccomp_state st;
  if (runtime_seccomp(be, f, NULL, &st, err) < 0)
    return -1;
  *running = st.pid > 0;
  rt_rpc_seccomp_state_clear(&st);
  return 0;
}

/* Present while the limit reads as inject left it, or, its cgroup gone,
 * while the container does not run (a container started again has a new
 * cgroup with the limits of its record). */
static int limit_present(struct fault *f, const struct fault_backend *be, bool *present,
                         struct lab_error **err)
{
  cleanup_free char *now = NULL;
  cleanup_error struct lab_error *get_err = NULL;
  if (cgroup_get(be, f, &now, &get_err) < 0) {
    if (get_err != NULL && get_err->errnum == ENOENT) {
      bool running = false;
      if (ctr_running(be, f, &running, err) < 0)
        return -1;
      *present = !running;
      return 0;
    }
    if (err != NULL) {
      *err = get_err;
      get_err = NULL;
    }
    return -1;
  }
  *present = strcmp(now, f->cg_new) == 0;
  return 0;
}

/* Puts the text read before inject back (a no-op when already back); a
 * cgroup that is gone: starts the container again when it does not run. */
static int limit_repair(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  cleanup_error struct lab_error *put_err = NULL;
  if (cgroup_put(be, f, f->cg_old, &put_err) < 0) {
    if (put_err != NULL && put_err->errnum == ENOENT) {
      bool running = false;
      if (ctr_running(be, f, &running, err) < 0)
        return -1;
      if (running)
        return 0;
      if (be->ops->ctr_start == NULL)
        return fault_refuse(err, ENOTSUP, "this backend has no runtime");
      return be->ops->ctr_start(be->ctx, f->pid, f->ctr_key, err);
    }
    if (err != NULL) {
      *err = put_err;
      put_err = NULL;
    }
    return -1;
  }
  return 0;
}

/* ---- seccomp-deny {pod, container, syscall} ---- */

/* The system calls doing what a name does, denied together (as
 * scenarios/profiles/chmod.json does): a libc may use any of them. */
static const char *const syscall_families[][5] = {
    {"chmod", "fchmod", "fchmodat", "fchmodat2"},
    {"chown", "fchown", "lchown", "fchownat"},
    {"mkdir", "mkdirat"},
    {"unlink", "unlinkat"},
    {"rename", "renameat", "renameat2"},
    {"link", "linkat"},
    {"symlink", "symlinkat"},
    {"mknod", "mknodat"},
    {"open", "openat", "openat2"},
};

/* The family of name (itself alone when it heads none), NULL-terminated. */
static const char *const *syscall_family(const char *name, const char *one[2])
{
  for (size_t i = 0; i < sizeof syscall_families / sizeof syscall_families[0]; i++)
    if (strcmp(syscall_families[i][0], name) == 0)
      return syscall_families[i];
  one[0] = name;
  one[1] = NULL;
  return one;
}

static int seccomp_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  const struct fault_view_pod *pod;
  const struct fault_view_container *c;
  if (resolve_container(f, v, &pod, &c, err) < 0 ||
      fault_default_param(f, "syscall", DEFAULT_SYSCALL, err) < 0)
    return -1;
  if (f->ctr_key[0] == '\0')
    snprintf(f->ctr_key, sizeof f->ctr_key, "%s-%s", pod->name, c->name);
  const char *one[2];
  const char *const *family = syscall_family(fault_param(f, "syscall"), one);
  size_t len = (size_t)snprintf(f->target, sizeof f->target, "%s/%s/%s seccomp denies", pod->node,
                                pod->name, c->name);
  for (size_t i = 0; family[i] != NULL && len < sizeof f->target; i++)
    len += (size_t)snprintf(f->target + len, sizeof f->target - len, " %s", family[i]);
  return 0;
}

static int runtime_seccomp(const struct fault_backend *be, const struct fault *f,
                           const char *const *deny, struct rt_rpc_seccomp_state *out,
                           struct lab_error **err)
{
  memset(out, 0, sizeof *out);
  if (be->ops->seccomp == NULL)
    return fault_refuse(err, ENOTSUP, "this backend has no runtime");
  if (f->pid <= 0)
    return fault_refuse(err, ESRCH, "the node is not running");
  return be->ops->seccomp(be->ctx, f->pid, f->ctr_key, deny, out, err);
}

static bool strv_has(char *const *v, const char *s)
{
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    if (strcmp(v[i], s) == 0)
      return true;
  return false;
}

static bool strv_same(char *const *a, char *const *b)
{
  size_t na = strv_len((const char *const *)a), nb = strv_len((const char *const *)b);
  if (na != nb)
    return false;
  for (size_t i = 0; i < na; i++)
    if (!strv_has(b, a[i]))
      return false;
  return true;
}

/* The deny recorded before, plus the family of "syscall". */
static char **deny_with_family(const struct fault *f, char *const *old)
{
  const char *one[2];
  const char *const *family = syscall_family(fault_param(f, "syscall"), one);
  size_t n = strv_len((const char *const *)old);
  char **deny = xcalloc(n + strv_len(family) + 1, sizeof *deny);
  for (size_t i = 0; i < n; i++)
    deny[i] = xstrdup(old[i]);
  for (size_t i = 0; family[i] != NULL; i++)
    if (!strv_has(deny, family[i]))
      deny[n++] = xstrdup(family[i]);
  return deny;
}

static int seccomp_inject(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  struct rt_rpc_seccomp_state st;
  strv_free(f->sc_old); /* a previous inject's, repaired since */
  strv_free(f->sc_deny);
  f->sc_old = f->sc_deny = NULL;
  if (runtime_seccomp(be, f, NULL, &st, err) < 0)
    return -1;
  f->sc_old = st.deny ? strv_dup(st.deny) : xcalloc(1, sizeof *f->sc_old);
  rt_rpc_seccomp_state_clear(&st);
  f->sc_deny = deny_with_family(f, f->sc_old);
  if (runtime_seccomp(be, f, (const char *const *)f->sc_deny, &st, err) < 0) {
    /* The record may hold the deny already (a failed restart): put it back. */
    cleanup_error struct lab_error *undo_err = NULL;
    struct rt_rpc_seccomp_state back;
    if (runtime_seccomp(be, f, (const char *const *)f->sc_old, &back, &undo_err) == 0)
      rt_rpc_seccomp_state_clear(&back);
    return -1;
  }
  f->sc_pid = st.pid;
  f->sc_filters = st.filters;
  rt_rpc_seccomp_state_clear(&st);
  return 0;
}

/* Present while the runtime's record still holds the deny (every new
 * process gets it), or the process restarted under it still runs (its
 * filters stay with it, whatever the record says now). */
static int seccomp_present(struct fault *f, const struct fault_backend *be, bool *present,
                           struct lab_error **err)
{
  struct rt_rpc_seccomp_state st;
  if (runtime_seccomp(be, f, NULL, &st, err) < 0)
    return -1;
  const char *one[2];
  const char *const *family = syscall_family(fault_param(f, "syscall"), one);
  bool recorded = true;
  for (size_t i = 0; family[i] != NULL; i++)
    recorded = recorded && strv_has(st.deny, family[i]);
  *present = recorded || (st.pid > 0 && st.pid == f->sc_pid);
  rt_rpc_seccomp_state_clear(&st);
  return 0;
}

/* The deny recorded before, and a restart under it; nothing when a learner
 * did both already. */
static int seccomp_repair(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  struct rt_rpc_seccomp_state st;
  if (runtime_seccomp(be, f, NULL, &st, err) < 0)
    return -1;
  bool back = strv_same(st.deny, f->sc_old) && st.pid != f->sc_pid;
  rt_rpc_seccomp_state_clear(&st);
  if (back)
    return 0;
  if (runtime_seccomp(be, f, (const char *const *)f->sc_old, &st, err) < 0)
    return -1;
  rt_rpc_seccomp_state_clear(&st);
  return 0;
}

/* ---- the real backend's container calls ---- */

/* The host's hierarchies, found once (nodelabd's mountinfo does not change
 * under it; the nodes bind the same trees). */
static struct cgroup_manager *host_cgroups(struct lab_error **err)
{
  static struct cgroup_manager *m;
  if (m == NULL && cgroup_manager_open("/sys/fs/cgroup", &m, err) < 0)
    return NULL;
  return m;
}

int fault_real_cgroup_get(void *ctx, const char *relpath, enum cgroup_limit_kind kind, char **value,
                          struct lab_error **err)
{
  (void)ctx;
  struct cgroup_manager *m = host_cgroups(err);
  return m == NULL ? -1 : cgroup_limit_get(m, relpath, kind, value, err);
}

int fault_real_cgroup_put(void *ctx, const char *relpath, enum cgroup_limit_kind kind,
                          const char *value, struct lab_error **err)
{
  (void)ctx;
  struct cgroup_manager *m = host_cgroups(err);
  return m == NULL ? -1 : cgroup_limit_put(m, relpath, kind, value, err);
}

/* How long nodelabd's loop may wait for the runtime: a get is answered in
 * its loop (the predicate asks every second), a set restarts a container
 * (killed at once, tens of ms). */
#define RUNTIME_GET_TIMEOUT_S 1
#define RUNTIME_SET_TIMEOUT_S 10

int fault_real_seccomp(void *ctx, pid_t node_pid, const char *container, const char *const *deny,
                       struct rt_rpc_seccomp_state *out, struct lab_error **err)
{
  (void)ctx;
  memset(out, 0, sizeof *out);
  char sock[128];
  snprintf(sock, sizeof sock, "/proc/%d/root%s", (int)node_pid, NODE_RUNTIME_SOCKET);
  cleanup_close int fd = rpc_connect(sock, err);
  if (fd < 0)
    return lab_error_wrap(err, "the runtime of the node");
  enum rt_rpc_op op = deny != NULL ? RT_OP_SECCOMP_SET : RT_OP_SECCOMP_GET;
  struct timeval tv = {.tv_sec =
                           op == RT_OP_SECCOMP_SET ? RUNTIME_SET_TIMEOUT_S : RUNTIME_GET_TIMEOUT_S};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct rt_rpc_seccomp_req r = {.container = (char *)container, .deny = (char **)deny};
  struct json_object *req = rt_rpc_seccomp_req_to_json(op, &r);
  struct json_object *reply = NULL;
  int rc = rpc_call(fd, req, NULL, 0, &reply, err);
  json_object_put(req);
  if (rc == 0)
    rc = rt_rpc_seccomp_state_from_json(reply, out, err);
  json_object_put(reply);
  return rc < 0 ? lab_error_wrap(err, "the runtime's %s of %s", rt_rpc_op_name(op), container) : 0;
}

int fault_real_ctr_start(void *ctx, pid_t node_pid, const char *container, struct lab_error **err)
{
  (void)ctx;
  char sock[128];
  snprintf(sock, sizeof sock, "/proc/%d/root%s", (int)node_pid, NODE_RUNTIME_SOCKET);
  cleanup_close int fd = rpc_connect(sock, err);
  if (fd < 0)
    return lab_error_wrap(err, "the runtime of the node");
  struct timeval tv = {.tv_sec = RUNTIME_SET_TIMEOUT_S};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct rt_rpc_ctr_req r;
  rt_rpc_ctr_req_init(&r);
  r.container = (char *)container;
  struct json_object *req = rt_rpc_ctr_req_to_json(RT_OP_START, &r), *reply = NULL;
  int rc = rpc_call(fd, req, NULL, 0, &reply, err);
  json_object_put(req);
  json_object_put(reply);
  return rc < 0 ? lab_error_wrap(err, "the runtime's start of %s", container) : 0;
}

const struct fault_kind_ops fault_ops_cgroup_memory = {
    .resolve = memory_resolve,
    .inject = limit_inject,
    .present = limit_present,
    .repair = limit_repair,
    .symptom = "Big allocations in the container are OOM-killed (killed by signal 9); its main "
               "process lives on.  With a memory below what the container already uses, its main "
               "process is OOM-killed and the container stays down (cgroup v2; v1 refuses such "
               "a limit).",
    .hints = {"Was something OOM-killed? dmesg, or memory.events (v2) / memory.oom_control (v1) "
              "of the container's cgroup.",
              "nodelab-runtime inspect shows the container's CgroupPath; compare memory.max (v2) "
              "or memory.limit_in_bytes (v1) with the scenario's resources.",
              "Write the scenario's limit back into that file, e.g. echo 67108864 > "
              "/sys/fs/cgroup/memory/CGROUP/memory.limit_in_bytes"},
};

const struct fault_kind_ops fault_ops_cgroup_pids = {
    .resolve = pids_resolve,
    .inject = limit_inject,
    .present = limit_present,
    .repair = limit_repair,
    .symptom = "Commands in the container fail with \"can't fork\" (Resource temporarily "
               "unavailable); what already runs goes on.",
    .hints = {"fork fails with EAGAIN: compare pids.current and pids.max of the container's "
              "cgroup.",
              "nodelab-runtime inspect shows the container's CgroupPath; the pids controller is "
              "/sys/fs/cgroup/pids/CGROUP (v1) or /sys/fs/cgroup/CGROUP (v2).",
              "echo the scenario's pids limit (e.g. 64) > pids.max of that cgroup"},
};

const struct fault_kind_ops fault_ops_cgroup_cpu = {
    .resolve = cpu_resolve,
    .inject = limit_inject,
    .present = limit_present,
    .repair = limit_repair,
    .symptom = "Everything in the container is slow: commands time out, responses take long; "
               "nothing fails outright.",
    .hints = {"Is the container throttled? cpu.stat's nr_throttled grows.",
              "Compare cpu.max (v2), or cpu.cfs_quota_us / cpu.cfs_period_us (v1), of the "
              "container's cgroup with the scenario's cpu.",
              "500m is a quota of 50000 per period of 100000: echo 50000 > cpu.cfs_quota_us"},
};

const struct fault_kind_ops fault_ops_seccomp_deny = {
    .resolve = seccomp_resolve,
    .inject = seccomp_inject,
    .present = seccomp_present,
    .repair = seccomp_repair,
    .symptom = "A command in the container fails with \"Operation not permitted\", as root, "
               "whatever the file's permissions.",
    .hints = {"EPERM for root with the right capabilities: a seccomp filter? grep Seccomp "
              "/proc/PID/status of the container's process.",
              "nodelab seccomp --node NODE POD-CONTAINER shows the system calls the runtime "
              "denies in it beyond its profile.",
              "nodelab seccomp --node NODE POD-CONTAINER --clear (it restarts the container)"},
};
