/* The fault engine's core: parameters checked against the kind's schema,
 * dispatch to the kinds' table, the snapshot bookkeeping of inject and
 * repair, and the real backend over netfault.h and netstate.h. */
#include "fault.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "paths.h"
#include "strv.h"
#include "fault-internal.h"

int fault_refuse(struct lab_error **err, int errnum, const char *fmt, ...)
{
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  lab_error_set(err, 0, "%s", msg);
  if (err != NULL && *err != NULL)
    (*err)->errnum = errnum;
  return -1;
}

bool fault_kind_implemented(enum fault_kind kind)
{
  return kind < FAULT_KIND__COUNT && fault_kind_ops[kind] != NULL;
}

const char *fault_kind_symptom(enum fault_kind kind)
{
  const char *s = fault_kind_implemented(kind) ? fault_kind_ops[kind]->symptom : NULL;
  return s ? s : "";
}

const char *const *fault_kind_hints(enum fault_kind kind)
{
  static const char *const none[] = {NULL};
  return fault_kind_implemented(kind) ? fault_kind_ops[kind]->hints : none;
}

const struct fault_view_node *fault_view_node(const struct fault_view *v, const char *name)
{
  for (size_t i = 0; name != NULL && i < v->n_nodes; i++)
    if (strcmp(v->nodes[i].name, name) == 0)
      return &v->nodes[i];
  return NULL;
}

const struct fault_view_pod *fault_view_pod(const struct fault_view *v, const char *name)
{
  for (size_t i = 0; name != NULL && i < v->n_pods; i++)
    if (strcmp(v->pods[i].name, name) == 0)
      return &v->pods[i];
  return NULL;
}

static int param_index(const struct fault *f, const char *key)
{
  for (size_t i = 0; f->spec->params[i].name != NULL; i++)
    if (strcmp(f->spec->params[i].name, key) == 0)
      return (int)i;
  return -1;
}

static int set_param(struct fault *f, int i, const char *value, struct lab_error **err)
{
  const struct fault_param_spec *p = &f->spec->params[i];
  char problem[256];
  union fault_value v;
  if (fault_value_parse(p, value, &v, problem, sizeof problem) < 0)
    return fault_refuse(err, EINVAL, "kind %s: %s: %s", f->spec->name, p->name, problem);
  free(f->values[i]);
  f->values[i] = strdup(value);
  if (f->values[i] == NULL)
    abort();
  f->parsed[i] = v;
  return 0;
}

int fault_default_param(struct fault *f, const char *key, const char *value, struct lab_error **err)
{
  int i = param_index(f, key);
  if (i < 0 || f->values[i] != NULL)
    return 0;
  return set_param(f, i, value, err);
}

const char *fault_param(const struct fault *f, const char *key)
{
  int i = param_index(f, key);
  return i < 0 ? NULL : f->values[i];
}

const union fault_value *fault_value(const struct fault *f, const char *key)
{
  static const union fault_value zero;
  int i = param_index(f, key);
  return i < 0 ? &zero : &f->parsed[i];
}

int fault_prepare(enum fault_kind kind, const struct fault_kv *kv, size_t n,
                  const struct fault_view *view, struct fault **out, struct lab_error **err)
{
  if (kind >= FAULT_KIND__COUNT)
    return fault_refuse(err, EINVAL, "unknown fault kind %d", (int)kind);
  const struct fault_kind_spec *spec = fault_kind_spec(kind);
  if (!fault_kind_implemented(kind))
    return fault_refuse(err, ENOTSUP, "kind %s: not implemented yet", spec->name);
  struct fault *f = calloc(1, sizeof *f);
  if (f == NULL)
    abort();
  f->kind = kind;
  f->spec = spec;
  f->n_params = fault_kind_n_params(spec);
  for (size_t i = 0; i < f->n_params; i++) {
    f->keys[i] = strdup(spec->params[i].name);
    if (f->keys[i] == NULL)
      abort();
  }
  for (size_t i = 0; i < n; i++) {
    int idx = param_index(f, kv[i].key);
    if (idx < 0) {
      char names[256];
      fault_refuse(err, EINVAL, "kind %s: unknown parameter %s (it takes %s)", spec->name,
                   kv[i].key, fault_kind_params_text(spec, names, sizeof names));
      fault_free(f);
      return -1;
    }
    if (set_param(f, idx, kv[i].value, err) < 0) {
      fault_free(f);
      return -1;
    }
  }
  if (fault_kind_ops[kind]->resolve(f, view, err) < 0) {
    fault_free(f);
    return -1;
  }
  for (size_t i = 0; i < f->n_params; i++) {
    if (f->values[i] == NULL && spec->params[i].need == FAULT_PARAM_REQUIRED) {
      fault_refuse(err, EINVAL, "kind %s: parameter %s is required", spec->name,
                   spec->params[i].name);
      fault_free(f);
      return -1;
    }
  }
  *out = f;
  return 0;
}

int fault_netns(const struct fault_backend *be, pid_t pid, int *fd, struct lab_error **err)
{
  if (pid <= 0)
    return fault_refuse(err, ESRCH, "the target is not running");
  return be->ops->netns_open(be->ctx, pid, fd, err);
}

int fault_capture(const struct fault_backend *be, pid_t pid, struct netstate **st,
                  struct lab_error **err)
{
  cleanup_close int fd = -1;
  *st = NULL;
  return fault_netns(be, pid, &fd, err) < 0 || be->ops->capture(be->ctx, fd, st, err) < 0 ? -1 : 0;
}

int fault_capture_link(const struct fault_backend *be, pid_t pid, const char *ifname,
                       struct netstate **st, const struct netstate_link **link,
                       struct lab_error **err)
{
  *link = NULL;
  if (fault_capture(be, pid, st, err) < 0)
    return -1;
  for (size_t i = 0; i < (*st)->n_links; i++)
    if (strcmp((*st)->links[i].name, ifname) == 0)
      *link = &(*st)->links[i];
  return 0;
}

int fault_undo_records(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  while (f->n_undo > 0) {
    struct fault_undo *u = &f->undo[f->n_undo - 1];
    cleanup_close int fd = -1;
    if (fault_netns(be, u->pid, &fd, err) < 0 || be->ops->repair(be->ctx, fd, &u->nf, err) < 0)
      return -1;
    netfault_undo_clear(&u->nf);
    f->n_undo--;
  }
  return 0;
}

static int undo_all(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  if (fault_undo_records(f, be, err) < 0)
    return lab_error_wrap(err, "repairing %s on %s", f->spec->name, f->target);
  return 0;
}

int fault_inject(struct fault *f, const struct fault_view *view, const struct fault_backend *be,
                 struct lab_error **err)
{
  (void)view;
  if (f->injected)
    return fault_refuse(err, EALREADY, "%s on %s is injected already", f->spec->name, f->target);
  if (fault_kind_ops[f->kind]->inject(f, be, err) < 0) {
    cleanup_error struct lab_error *undo_err = NULL;
    undo_all(f, be, &undo_err);
    return lab_error_wrap(err, "injecting %s on %s", f->spec->name, f->target);
  }
  f->injected = true;
  return 0;
}

int fault_repair(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  if (!f->injected)
    return 0;
  const struct fault_kind_ops *ops = fault_kind_ops[f->kind];
  if (ops->repair != NULL) {
    if (ops->repair(f, be, err) < 0)
      return lab_error_wrap(err, "repairing %s on %s", f->spec->name, f->target);
  } else if (undo_all(f, be, err) < 0) {
    return -1;
  }
  f->injected = false;
  return 0;
}

int fault_present(struct fault *f, const struct fault_backend *be, bool *present,
                  struct lab_error **err)
{
  *present = false;
  if (!f->injected)
    return 0;
  return fault_kind_ops[f->kind]->present(f, be, present, err);
}

enum fault_kind fault_get_kind(const struct fault *f)
{
  return f->kind;
}

size_t fault_n_params(const struct fault *f)
{
  return f->n_params;
}

void fault_param_at(const struct fault *f, size_t i, const char **key, const char **value)
{
  *key = f->keys[i];
  *value = f->values[i];
}

const char *fault_target(const struct fault *f)
{
  return f->target;
}

void fault_free(struct fault *f)
{
  if (f == NULL)
    return;
  for (size_t i = 0; i < FAULT_KIND_MAX_PARAMS; i++) {
    free(f->keys[i]);
    free(f->values[i]);
  }
  for (size_t i = 0; i < f->n_undo; i++)
    netfault_undo_clear(&f->undo[i].nf);
  free(f->ovs_old);
  free(f->ovs_new);
  for (size_t i = 0; f->ovs_port != NULL && f->ovs_port[i] != NULL; i++)
    free(f->ovs_port[i]);
  free(f->ovs_port);
  free(f->cg_old);
  free(f->cg_new);
  strv_free(f->sc_old);
  strv_free(f->sc_deny);
  free(f);
}

/* ---- the real backend ---- */

static int real_netns_open(void *ctx, pid_t pid, int *fd, struct lab_error **err)
{
  (void)ctx;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
  *fd = open(path, O_RDONLY | O_CLOEXEC);
  if (*fd < 0)
    return lab_error_errno(err, "opening %s", path);
  return 0;
}

static int real_link_set_mtu(void *ctx, int fd, const char *ifname, int mtu,
                             struct netfault_undo *undo, struct lab_error **err)
{
  (void)ctx;
  return netfault_link_set_mtu(fd, ifname, mtu, undo, err);
}

static int real_link_set_up(void *ctx, int fd, const char *ifname, int up,
                            struct netfault_undo *undo, struct lab_error **err)
{
  (void)ctx;
  return netfault_link_set_up(fd, ifname, up, undo, err);
}

static int real_tx_csum_set(void *ctx, int fd, const char *ifname, int on,
                            struct netfault_undo *undo, struct lab_error **err)
{
  (void)ctx;
  return netfault_tx_csum_set(fd, ifname, on, undo, err);
}

static int real_route_delete(void *ctx, int fd, uint32_t table, struct in_addr dst, uint8_t dst_len,
                             struct netfault_undo *undo, struct lab_error **err)
{
  (void)ctx;
  return netfault_route_delete(fd, table, dst, dst_len, NULL, undo, err);
}

static int real_netem_set(void *ctx, int fd, const char *ifname, const struct netfault_netem *spec,
                          struct netfault_undo *undo, struct lab_error **err)
{
  (void)ctx;
  return netfault_netem_set(fd, ifname, spec, undo, err);
}

static int real_neigh_replace(void *ctx, int fd, const char *ifname, struct in_addr ip,
                              const uint8_t mac[6], struct netfault_undo *undo,
                              struct lab_error **err)
{
  (void)ctx;
  return netfault_neigh_replace(fd, ifname, ip, mac, undo, err);
}

static int real_route_add(void *ctx, int fd, const struct netstate_route *r,
                          struct netfault_undo *undo, struct lab_error **err)
{
  (void)ctx;
  return netfault_route_add(fd, r, undo, err);
}

static int real_addr_add(void *ctx, int fd, const char *ifname, struct in_addr ip, uint8_t prefix,
                         struct netfault_undo *undo, struct lab_error **err)
{
  (void)ctx;
  return netfault_addr_add(fd, ifname, ip, prefix, undo, err);
}

static int real_repair(void *ctx, int fd, struct netfault_undo *undo, struct lab_error **err)
{
  (void)ctx;
  return netfault_repair(fd, undo, err);
}

static int real_capture(void *ctx, int fd, struct netstate **out, struct lab_error **err)
{
  (void)ctx;
  return netstate_capture(fd, NETSTATE_NEIGH_PERMANENT_ONLY, out, err);
}

/* Reads fd to its end into a malloc'd string. */
static char *read_all(int fd)
{
  size_t len = 0, cap = 4096;
  char *buf = malloc(cap);
  if (buf == NULL)
    abort();
  for (;;) {
    if (len + 1024 > cap && (buf = realloc(buf, cap *= 2)) == NULL)
      abort();
    ssize_t n = read(fd, buf + len, cap - len - 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    len += (size_t)n;
  }
  buf[len] = '\0';
  return buf;
}

/* nodelab-ovs on the switch of node_pid (its rundir seen through
 * /proc/PID/root), bounded by OVS_TIMEOUT_S; waits for it (a few ms). */
#define OVS_TIMEOUT_S "5"
static int real_ovs(void *ctx, pid_t node_pid, const char *const *args, char **out,
                    struct lab_error **err)
{
  (void)ctx;
  static char *tool;
  if (tool == NULL && (tool = paths_find_binary("nodelab-ovs", "netd")) == NULL)
    return lab_error_set(err, ENOENT, "nodelab-ovs not found (is netd built?)");
  char rundir[64];
  snprintf(rundir, sizeof rundir, "/proc/%d/root/run/openvswitch", (int)node_pid);
  const char *argv[32] = {tool, "--rundir", rundir, "--timeout", OVS_TIMEOUT_S};
  size_t n = 5;
  for (size_t i = 0; args[i] != NULL && n < 31; i++)
    argv[n++] = args[i];
  argv[n] = NULL;
  int o[2], e[2];
  if (pipe2(o, O_CLOEXEC) < 0)
    return lab_error_errno(err, "pipe");
  if (pipe2(e, O_CLOEXEC) < 0) {
    close(o[0]);
    close(o[1]);
    return lab_error_errno(err, "pipe");
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(o[0]), close(o[1]), close(e[0]), close(e[1]);
    return lab_error_errno(err, "fork");
  }
  if (pid == 0) {
    dup2(o[1], STDOUT_FILENO);
    dup2(e[1], STDERR_FILENO);
    execv(tool, (char *const *)argv);
    _exit(127);
  }
  close(o[1]);
  close(e[1]);
  char *text = read_all(o[0]);
  char *errtext = read_all(e[0]);
  close(o[0]);
  close(e[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    errtext[strcspn(errtext, "\n")] = '\0';
    lab_error_set(err, 0, "%s", errtext[0] ? errtext : "nodelab-ovs failed");
    free(text);
    free(errtext);
    return -1;
  }
  free(errtext);
  if (out != NULL)
    *out = text;
  else
    free(text);
  return 0;
}

static const struct fault_backend_ops real_ops = {
    .netns_open = real_netns_open,
    .link_set_mtu = real_link_set_mtu,
    .link_set_up = real_link_set_up,
    .tx_csum_set = real_tx_csum_set,
    .route_delete = real_route_delete,
    .netem_set = real_netem_set,
    .route_add = real_route_add,
    .addr_add = real_addr_add,
    .neigh_replace = real_neigh_replace,
    .repair = real_repair,
    .capture = real_capture,
    .ovs = real_ovs,
    .cgroup_get = fault_real_cgroup_get,
    .cgroup_put = fault_real_cgroup_put,
    .seccomp = fault_real_seccomp,
    .ctr_start = fault_real_ctr_start,
};

const struct fault_backend *fault_backend_real(void)
{
  static const struct fault_backend real = {.ops = &real_ops, .ctx = NULL};
  return &real;
}

struct fault_backend *fault_backend_real_new(const struct fault_procs *procs)
{
  struct fault_backend *be = calloc(1, sizeof *be);
  if (be == NULL)
    abort();
  be->ops = &real_ops;
  be->procs_copy = *procs;
  be->procs = &be->procs_copy;
  return be;
}

void fault_backend_free(struct fault_backend *be)
{
  free(be);
}

struct fault_undo *fault_new_undo(struct fault *f, pid_t pid)
{
  assert(f->n_undo < FAULT_MAX_UNDO);
  struct fault_undo *u = &f->undo[f->n_undo++];
  memset(u, 0, sizeof *u);
  u->pid = pid;
  return u;
}
