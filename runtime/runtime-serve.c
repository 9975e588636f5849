#include "notify.h"
#include "unix-socket.h"
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "timefmt.h"
#include "container.h"
#include "id.h"
#include "image.h"
#include "ipam.h"
#include "log.h"
#include "netlink.h"
#include "rpc-ops.h"
#include "rpc.h"
#include "syscalls.h"
#include "fileio.h"

LOG_MODULE(runtime);

/* Paths below are built from the configured root and validated names. */

#define MAX_CONNS 1024

struct conn {
  int fd;
  pid_t worker; /* a worker owns the connection until it exits; 0: none */
};

struct server {
  const struct rt_serve_config *cfg;
  char images[PATH_MAX], pods[PATH_MAX], ipam[PATH_MAX];
  struct ipam_subnet subnet;
  bool have_subnet;
  struct ctr_store *store;
  int listen_fd, sig_fd;
  struct conn conns[MAX_CONNS];
  size_t n_conns;
};

/* ------------------------------------------------------------ small helpers */

static const char *jstr(struct json_object *o, const char *key)
{
  struct json_object *v;
  if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
      !json_object_is_type(v, json_type_string))
    return NULL;
  return json_object_get_string(v);
}

static bool jbool(struct json_object *o, const char *key)
{
  struct json_object *v;
  return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static int64_t jint(struct json_object *o, const char *key, int64_t dflt)
{
  struct json_object *v;
  if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
    return dflt;
  return json_object_get_int64(v);
}

static void send_reply(int fd, struct json_object *reply, const int *fds, size_t n)
{
  if (rpc_send(fd, reply, fds, n) < 0)
    log_debug("reply not sent: %s", strerror(errno));
  json_object_put(reply);
}

static void send_error(int fd, struct lab_error **err)
{
  send_reply(fd, rpc_reply_error((*err)->msg), NULL, 0);
  lab_error_clear(err);
}

static struct json_object *reply_ctr(const struct container *c)
{
  struct json_object *r = rpc_reply_ok();
  json_object_object_add(r, "id", json_object_new_string(container_id(c)));
  json_object_object_add(r, "name", json_object_new_string(container_name(c)));
  return r;
}

/* The pod a container belongs to, by its infra container's name "POD-infra". */
static char *pod_name_of(struct container **list, size_t n, const struct container *c)
{
  const char *infra_id = container_is_infra(c) ? container_id(c) : container_pod_id(c);
  if (infra_id == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(container_id(list[i]), infra_id) != 0)
      continue;
    if (container_owner(list[i]) != NULL)
      return NULL; /* an implicit pod is no pod of the user's */
    const char *name = container_name(list[i]);
    size_t len = strlen(name);
    if (len > 6 && strcmp(name + len - 6, "-infra") == 0)
      return strndup(name, len - 6);
    return strdup(name);
  }
  return NULL;
}

/* ---------------------------------------------------------- netd (CNI-ish) */

/* One JSON-RPC call on netd's unixctl socket (a stream).  Returns 0 and the
 * result text in *result (malloc'd, may be NULL), or -1 and *err. */
static int netd_call(const char *path, const char *method, const char *const *params, char **result,
                     struct lab_error **err)
{
  if (result != NULL)
    *result = NULL;
  cleanup_close int fd = unix_socket_connect(path, SOCK_STREAM, err);
  if (fd < 0)
    return lab_error_wrap(err, "netd");
  struct json_object *req = json_object_new_object();
  struct json_object *arr = json_object_new_array();
  for (size_t i = 0; params[i] != NULL; i++)
    json_object_array_add(arr, json_object_new_string(params[i]));
  json_object_object_add(req, "method", json_object_new_string(method));
  json_object_object_add(req, "params", arr);
  json_object_object_add(req, "id", json_object_new_int(1));
  const char *text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
  size_t len = strlen(text), off = 0;
  while (off < len) {
    ssize_t w = send(fd, text + off, len - off, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0) {
      json_object_put(req);
      return lab_error_errno(err, "writing to netd");
    }
    off += (size_t)w;
  }
  json_object_put(req);
  struct json_tokener *tok = json_tokener_new();
  struct json_object *reply = NULL;
  char buf[4096];
  while (reply == NULL) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int pr = poll(&p, 1, 30000);
    if (pr == 0) {
      json_tokener_free(tok);
      return lab_error_set(err, ETIMEDOUT, "netd %s", method);
    }
    ssize_t n = pr < 0 ? -1 : read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      json_tokener_free(tok);
      return lab_error_set(err, n < 0 ? errno : EPIPE, "netd %s: no reply", method);
    }
    reply = json_tokener_parse_ex(tok, buf, (int)n);
    enum json_tokener_error te = json_tokener_get_error(tok);
    if (reply == NULL && te != json_tokener_continue) {
      json_tokener_free(tok);
      return lab_error_set(err, EPROTO, "netd %s: bad reply: %s", method,
                           json_tokener_error_desc(te));
    }
  }
  json_tokener_free(tok);
  struct json_object *e = NULL, *r = NULL;
  int rc = 0;
  if (json_object_object_get_ex(reply, "error", &e) && !json_object_is_type(e, json_type_null)) {
    const char *m = json_object_get_string(e);
    size_t ml = strlen(m);
    while (ml > 0 && m[ml - 1] == '\n')
      ml--;
    rc = lab_error_set(err, 0, "netd %s: %.*s", method, (int)ml, m);
  } else if (result != NULL && json_object_object_get_ex(reply, "result", &r) &&
             json_object_is_type(r, json_type_string)) {
    *result = strdup(json_object_get_string(r));
  }
  json_object_put(reply);
  return rc;
}

static int lo_up(pid_t pid, struct lab_error **err)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lab_error_errno(err, "opening %s", path);
  struct nl_sock *sk = NULL;
  if (netlink_open(fd, &sk, err) < 0)
    return -1;
  int rc = netlink_link_set_up(sk, "lo", 1, err);
  netlink_close(sk);
  return rc < 0 ? lab_error_wrap(err, "bringing lo up in the pod") : 0;
}

/* --------------------------------------------------------------------- pods */

static int pod_record_path(struct server *sv, const char *name, char *buf, size_t len,
                           struct lab_error **err)
{
  if (!ctr_name_is_valid(name) || strlen(name) > 100)
    return lab_error_set(err, 0, "pod name \"%s\": expected letters, digits, '_', '.', '-'",
                         name ? name : "");
  int n = snprintf(buf, len, "%s/%s.json", sv->pods, name);
  if (n < 0 || (size_t)n >= len)
    return lab_error_set(err, ENAMETOOLONG, "pod %s: its record under %s", name, sv->pods);
  return 0;
}

static int write_json_file(const char *path, struct json_object *o, struct lab_error **err)
{
  char tmp[PATH_MAX];
  int n = snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
  if (n < 0 || (size_t)n >= sizeof tmp)
    return lab_error_set(err, ENAMETOOLONG, "writing %s", path);
  if (json_object_to_file_ext(tmp, o, JSON_C_TO_STRING_PRETTY) < 0) {
    unlink(tmp);
    return lab_error_set(err, EIO, "writing %s", tmp);
  }
  if (rename(tmp, path) < 0) {
    unlink(tmp);
    return lab_error_errno(err, "renaming %s", tmp);
  }
  return 0;
}

/* What pod-run made, for undoing it. */
struct pod_build {
  char record[PATH_MAX];
  bool reserved;
  struct container *infra;
  bool started;
  uint32_t ip;
  bool have_ip, attached;
  struct container **ctrs;
  size_t n_ctrs;
};

static void pod_undo(struct server *sv, const char *name, struct pod_build *b)
{
  struct lab_error *e = NULL;
  for (size_t i = b->n_ctrs; i-- > 0;) {
    if (container_remove(sv->store, b->ctrs[i], true, &e) < 0) {
      log_warn("pod %s: undo: %s", name, e->msg);
      lab_error_clear(&e);
    }
  }
  b->n_ctrs = 0;
  if (b->attached) {
    const char *params[] = {name, NULL};
    if (netd_call(sv->cfg->netd, "netd/pod-del", params, NULL, &e) < 0) {
      log_warn("pod %s: undo: %s", name, e->msg);
      lab_error_clear(&e);
    }
  }
  if (b->have_ip && ipam_release(sv->ipam, b->ip, &e) < 0)
    lab_error_clear(&e);
  if (b->infra != NULL && container_remove(sv->store, b->infra, true, &e) < 0) {
    log_warn("pod %s: undo: %s", name, e->msg);
    lab_error_clear(&e);
  }
  b->infra = NULL;
  if (b->reserved)
    unlink(b->record);
}

static struct json_object *pod_json(struct server *sv, struct json_object *rec)
{
  struct json_object *o = json_object_new_object(), *ctrs, *out = json_object_new_array();
  const char *name = jstr(rec, "name");
  json_object_object_add(o, "name", json_object_new_string(name ? name : ""));
  const char *ip = jstr(rec, "ip");
  json_object_object_add(o, "ip", ip ? json_object_new_string(ip) : NULL);
  const char *infra_id = jstr(rec, "infra_id");
  json_object_object_add(o, "infra_id", json_object_new_string(infra_id ? infra_id : ""));
  pid_t infra_pid = 0;
  struct lab_error *e = NULL;
  struct container *c = NULL;
  if (infra_id != NULL && container_lookup(sv->store, infra_id, &c, &e) == 0)
    infra_pid = container_pid(c);
  lab_error_clear(&e);
  container_free(c);
  json_object_object_add(o, "infra_pid", json_object_new_int(infra_pid));
  const char *created = jstr(rec, "created");
  json_object_object_add(o, "created", json_object_new_string(created ? created : ""));
  const char *state = infra_pid > 0 ? "running" : "exited";
  if (json_object_object_get_ex(rec, "containers", &ctrs) &&
      json_object_is_type(ctrs, json_type_array)) {
    for (size_t i = 0; i < json_object_array_length(ctrs); i++) {
      struct json_object *r = json_object_array_get_idx(ctrs, i), *x = json_object_new_object();
      const char *id = jstr(r, "id"), *cname = jstr(r, "name");
      const char *cstate = "missing";
      bool running = false;
      c = NULL;
      if (id != NULL && container_lookup(sv->store, id, &c, &e) == 0) {
        cstate = container_status(c);
        running = container_state(c) == CONTAINER_RUNNING;
      }
      lab_error_clear(&e);
      json_object_object_add(x, "id", json_object_new_string(id ? id : ""));
      json_object_object_add(x, "name", json_object_new_string(cname ? cname : ""));
      json_object_object_add(x, "state", json_object_new_string(cstate));
      if (c != NULL) {
        json_object_object_add(x, "pid", json_object_new_int(container_pid(c)));
        json_object_object_add(x, "exit_code", json_object_new_int(container_exit_code(c)));
        json_object_object_add(x, "oom_killed", json_object_new_boolean(container_oom_killed(c)));
      }
      if (!running)
        state = "degraded";
      container_free(c);
      json_object_array_add(out, x);
    }
  }
  json_object_object_add(o, "state", json_object_new_string(infra_pid > 0 ? state : "exited"));
  json_object_object_add(o, "containers", out);
  return o;
}

static int op_pod_run(struct server *sv, struct json_object *req, struct json_object **reply,
                      struct lab_error **err)
{
  const char *name = jstr(req, "name");
  struct json_object *jctrs;
  struct pod_build b = {0};
  int rc = -1;
  if (pod_record_path(sv, name, b.record, sizeof b.record, err) < 0)
    return -1;
  if (!json_object_object_get_ex(req, "containers", &jctrs) ||
      !json_object_is_type(jctrs, json_type_array))
    return lab_error_set(err, 0, "pod %s: \"containers\": expected an array", name);
  size_t n = json_object_array_length(jctrs);
  struct rt_spec *specs = calloc(n ? n : 1, sizeof *specs);
  char **names = calloc(n ? n : 1, sizeof *names);
  b.ctrs = calloc(n ? n : 1, sizeof *b.ctrs);
  /* Everything that can be checked is checked before anything is made. */
  for (size_t i = 0; i < n; i++) {
    struct json_object *j = json_object_array_get_idx(jctrs, i);
    if (rt_spec_from_json(j, &specs[i], err) < 0) {
      lab_error_wrap(err, "pod %s: containers[%zu]", name, i);
      goto out;
    }
    const char *cname = specs[i].spec.name;
    if (cname == NULL || specs[i].spec.pod || specs[i].spec.hostname) {
      lab_error_set(err, 0, "pod %s: containers[%zu]: %s", name, i,
                    cname == NULL ? "name: missing" : "pod and hostname are the pod's");
      goto out;
    }
    if (asprintf(&names[i], "%s-%s", name, cname) < 0)
      abort();
    struct image_info *info = NULL;
    if (image_lookup(sv->images, specs[i].spec.image, &info, err) < 0) {
      lab_error_wrap(err, "pod %s: container %s", name, cname);
      goto out;
    }
    image_info_free(info);
  }
  int fd = open(b.record, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      lab_error_set(err, EEXIST, "pod %s already exists", name);
    else
      lab_error_errno(err, "creating %s", b.record);
    goto out;
  }
  close(fd);
  b.reserved = true;

  char infra_name[160];
  snprintf(infra_name, sizeof infra_name, "%s-infra", name);
  struct ctr_spec ispec = {.name = infra_name, .hostname = name, .infra = true};
  if (container_create(sv->store, &ispec, &b.infra, err) < 0 ||
      container_start_detached(sv->store, b.infra, err) < 0 ||
      lo_up(container_pid(b.infra), err) < 0) {
    lab_error_wrap(err, "pod %s", name);
    goto out;
  }
  char ip[16] = "";
  if (sv->cfg->netd != NULL && sv->have_subnet) {
    if (ipam_allocate(sv->ipam, &sv->subnet, name, &b.ip, err) < 0) {
      lab_error_wrap(err, "pod %s", name);
      goto out;
    }
    b.have_ip = true;
    ipam_format(b.ip, ip);
    char netns[64];
    snprintf(netns, sizeof netns, "/proc/%d/ns/net", (int)container_pid(b.infra));
    const char *params[] = {name, netns, ip, NULL};
    cleanup_free char *result = NULL;
    if (netd_call(sv->cfg->netd, "netd/pod-add", params, &result, err) < 0)
      goto out;
    b.attached = true;
    /* for inspect's NetworkSettings of the pod's containers */
    char gw[16] = "";
    if (sv->subnet.gateway != 0)
      ipam_format(sv->subnet.gateway, gw);
    if (container_set_address(sv->store, b.infra, ip, sv->subnet.prefix, gw[0] ? gw : NULL, err) <
        0)
      goto out;
  }
  for (size_t i = 0; i < n; i++) {
    specs[i].spec.name = names[i];
    specs[i].spec.pod = container_id(b.infra);
    if (container_create(sv->store, &specs[i].spec, &b.ctrs[b.n_ctrs], err) < 0) {
      lab_error_wrap(err, "pod %s", name);
      goto out;
    }
    b.n_ctrs++;
    if (container_start_detached(sv->store, b.ctrs[i], err) < 0) {
      lab_error_wrap(err, "pod %s", name);
      goto out;
    }
  }
  struct json_object *rec = json_object_new_object();
  char now[32];
  timefmt_iso(now, NULL, 0);
  json_object_object_add(rec, "name", json_object_new_string(name));
  json_object_object_add(rec, "ip", ip[0] ? json_object_new_string(ip) : NULL);
  json_object_object_add(rec, "infra_id", json_object_new_string(container_id(b.infra)));
  json_object_object_add(rec, "created", json_object_new_string(now));
  struct json_object *arr = json_object_new_array();
  for (size_t i = 0; i < n; i++) {
    struct json_object *x = json_object_new_object();
    json_object_object_add(x, "id", json_object_new_string(container_id(b.ctrs[i])));
    json_object_object_add(x, "name", json_object_new_string(names[i] + strlen(name) + 1));
    json_object_array_add(arr, x);
  }
  json_object_object_add(rec, "containers", arr);
  rc = write_json_file(b.record, rec, err);
  if (rc == 0) {
    *reply = rpc_reply_ok();
    json_object_object_add(*reply, "pod", pod_json(sv, rec));
  }
  json_object_put(rec);
out:
  if (rc < 0)
    pod_undo(sv, name, &b);
  for (size_t i = 0; i < b.n_ctrs; i++)
    container_free(b.ctrs[i]);
  free(b.ctrs);
  container_free(b.infra);
  for (size_t i = 0; i < n; i++)
    rt_spec_release(&specs[i]);
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  free(specs);
  return rc;
}

static int op_pod_rm(struct server *sv, struct json_object *req, struct json_object **reply,
                     struct lab_error **err)
{
  const char *name = jstr(req, "name");
  bool force = jbool(req, "force");
  char path[PATH_MAX];
  if (pod_record_path(sv, name, path, sizeof path, err) < 0)
    return -1;
  struct json_object *rec = json_object_from_file(path);
  if (rec == NULL)
    return lab_error_set(err, ENOENT, "pod %s: no such pod", name);
  struct json_object *ctrs = NULL;
  json_object_object_get_ex(rec, "containers", &ctrs);
  size_t n =
      ctrs && json_object_is_type(ctrs, json_type_array) ? json_object_array_length(ctrs) : 0;
  int rc = 0;
  if (!force) {
    for (size_t i = 0; i < n; i++) {
      struct container *c = NULL;
      const char *id = jstr(json_object_array_get_idx(ctrs, i), "id");
      struct lab_error *e = NULL;
      if (id && container_lookup(sv->store, id, &c, &e) == 0 &&
          container_state(c) == CONTAINER_RUNNING)
        rc = lab_error_set(err, EBUSY, "pod %s: container %s is running: stop it or use --force",
                           name, container_name(c));
      lab_error_clear(&e);
      container_free(c);
      if (rc < 0) {
        json_object_put(rec);
        return -1;
      }
    }
  }
  struct lab_error *e = NULL;
  /* The network first (CNI DEL), while the pod's namespace still exists. */
  const char *ip = jstr(rec, "ip");
  if (ip != NULL && sv->cfg->netd != NULL) {
    const char *params[] = {name, NULL};
    if (netd_call(sv->cfg->netd, "netd/pod-del", params, NULL, &e) < 0) {
      log_warn("pod %s: %s", name, e->msg);
      lab_error_clear(&e);
    }
  }
  for (size_t i = n; i-- > 0;) {
    const char *id = jstr(json_object_array_get_idx(ctrs, i), "id");
    struct container *c = NULL;
    if (id == NULL || container_lookup(sv->store, id, &c, &e) < 0) {
      lab_error_clear(&e);
      continue;
    }
    if (container_remove(sv->store, c, true, err) < 0)
      rc = -1;
  }
  const char *infra = jstr(rec, "infra_id");
  struct container *c = NULL;
  if (rc == 0 && infra != NULL && container_lookup(sv->store, infra, &c, &e) == 0) {
    if (container_remove(sv->store, c, true, err) < 0)
      rc = -1;
  }
  lab_error_clear(&e);
  if (rc == 0 && ip != NULL) {
    unsigned a, bb, cc, d;
    if (sscanf(ip, "%u.%u.%u.%u", &a, &bb, &cc, &d) == 4)
      ipam_release(sv->ipam, (a << 24) | (bb << 16) | (cc << 8) | d, &e);
    lab_error_clear(&e);
  }
  if (rc == 0) {
    unlink(path);
    *reply = rpc_reply_ok();
    json_object_object_add(*reply, "name", json_object_new_string(name));
  } else {
    lab_error_wrap(err, "pod %s", name);
  }
  json_object_put(rec);
  return rc;
}

static int op_pod_ls(struct server *sv, struct json_object **reply, struct lab_error **err)
{
  cleanup_closedir DIR *d = opendir(sv->pods);
  if (d == NULL)
    return lab_error_errno(err, "opendir %s", sv->pods);
  struct json_object *arr = json_object_new_array();
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    size_t len = strlen(de->d_name);
    if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
      continue;
    char path[PATH_MAX];
    int pn = snprintf(path, sizeof path, "%s/%s", sv->pods, de->d_name);
    if (pn < 0 || (size_t)pn >= sizeof path)
      continue; /* not a record of ours: pod names are short */
    struct json_object *rec = json_object_from_file(path);
    if (rec == NULL || jstr(rec, "name") == NULL) {
      json_object_put(rec); /* a pod being made right now */
      continue;
    }
    json_object_array_add(arr, pod_json(sv, rec));
    json_object_put(rec);
  }
  *reply = rpc_reply_ok();
  json_object_object_add(*reply, "pods", arr);
  return 0;
}

/* ------------------------------------------- standalone containers' network */

/* podman puts a container run without --pod on its default network: a
 * network namespace of its own, attached to the bridge, with an address from
 * the network's IPAM, kept while the container is stopped and freed when it
 * is removed.  The runtime does the same with the machinery scenario pods
 * already use: an *implicit pod* per standalone container.  Its infra (named
 * "<short id>-infra", its record naming the container as its owner) holds the
 * net, ipc and uts namespaces, with the container's hostname; it gets the
 * next free address of the node's subnet and netd attaches it exactly as a
 * pod (`netd/pod-add ID NETNS IP`, ID being the container's full id, which no
 * pod name can be); the container joins it at every start.
 *
 * Why an infra process rather than podman's bind-mounted netns file: the
 * runtime already creates, adopts after a restart and joins infra processes,
 * the pod path stays the one way onto the cluster network, and no mount is
 * added to the node.  What follows:
 *   - stop/start of the container keep its namespace and address (the infra
 *     does not stop), as podman's netns does;
 *   - `rm` (and `run --rm`) removes the container, then detaches the infra
 *     from netd, removes it and frees the address; a container that failed
 *     to be made takes its implicit pod with it (bad input leaves nothing);
 *   - the infra is the container's, not the user's: `ps` hides it without -a
 *     (as podman hides the infra of a pod it made for you), its "Pod" is
 *     empty, `rm` refuses it while its container lives; inspect shows the
 *     address as NetworkSettings.IPAddress, NetworkMode "bridge";
 *   - `--network none` keeps the old private namespace with lo only, and so
 *     does every standalone container of a runtime without netd (tests that
 *     run `serve` alone).  Known gap: `run -d --rm` is not removed at exit. */

static bool wants_cluster_net(const struct server *sv, const struct rt_spec *spec)
{
  return spec->cluster_net && spec->spec.pod == NULL && !spec->spec.infra &&
         sv->cfg->netd != NULL && sv->have_subnet;
}

/* Detaches the implicit pod of infra from netd, removes infra and frees its
 * address.  infra is consumed in every case (container_remove's rule).  A
 * netd failure is logged and the rest still done; returns -1 and *err when
 * infra could not be removed (the address is then kept). */
static int implicit_pod_remove(struct server *sv, struct container *infra, struct lab_error **err)
{
  struct lab_error *e = NULL;
  const char *params[] = {container_owner(infra), NULL};
  if (container_ip(infra) != NULL &&
      netd_call(sv->cfg->netd, "netd/pod-del", params, NULL, &e) < 0) {
    log_warn("container %.12s: %s", container_owner(infra), e->msg);
    lab_error_clear(&e);
  }
  unsigned a, b, c, d;
  bool have_ip = container_ip(infra) != NULL &&
                 sscanf(container_ip(infra), "%u.%u.%u.%u", &a, &b, &c, &d) == 4;
  uint32_t ip = have_ip ? (a << 24) | (b << 16) | (c << 8) | d : 0;
  if (container_remove(sv->store, infra, true, err) < 0)
    return -1;
  if (have_ip && ipam_release(sv->ipam, ip, &e) < 0) {
    log_warn("%s", e->msg);
    lab_error_clear(&e);
  }
  return 0;
}

/* Gives c, just created, its implicit pod (see above).  On failure nothing of
 * the pod is left (c itself is the caller's to remove).  Returns 0, or -1 and *err. */
static int implicit_pod_make(struct server *sv, struct container *c, struct lab_error **err)
{
  char name[CTR_SHORT_ID_LEN + 8], ip[16];
  ctr_id_short(container_id(c), name);
  strcat(name, "-infra");
  struct ctr_spec ispec = {
      .name = name, .hostname = container_hostname(c), .infra = true, .owner = container_id(c)};
  struct container *infra = NULL;
  uint32_t addr = 0;
  bool have_ip = false, attached = false;
  if (container_create(sv->store, &ispec, &infra, err) < 0)
    goto fail;
  if (container_start_detached(sv->store, infra, err) < 0 || lo_up(container_pid(infra), err) < 0 ||
      ipam_allocate(sv->ipam, &sv->subnet, container_id(c), &addr, err) < 0)
    goto fail;
  have_ip = true;
  ipam_format(addr, ip);
  char netns[64];
  snprintf(netns, sizeof netns, "/proc/%d/ns/net", (int)container_pid(infra));
  const char *params[] = {container_id(c), netns, ip, NULL};
  if (netd_call(sv->cfg->netd, "netd/pod-add", params, NULL, err) < 0)
    goto fail;
  attached = true;
  char gw[16] = "";
  if (sv->subnet.gateway != 0)
    ipam_format(sv->subnet.gateway, gw);
  if (container_set_address(sv->store, infra, ip, sv->subnet.prefix, gw[0] ? gw : NULL, err) < 0 ||
      container_join_pod(sv->store, c, infra, err) < 0)
    goto fail;
  container_free(infra);
  return 0;
fail:
  lab_error_wrap(err, "container %s: its network", container_name(c));
  struct lab_error *e = NULL;
  if (attached && netd_call(sv->cfg->netd, "netd/pod-del", (const char *[]){container_id(c), NULL},
                            NULL, &e) < 0) {
    log_warn("container %s: undo: %s", container_name(c), e->msg);
    lab_error_clear(&e);
  }
  if (have_ip)
    ipam_release(sv->ipam, addr, &e);
  lab_error_clear(&e);
  if (infra != NULL && container_remove(sv->store, infra, true, &e) < 0) {
    log_warn("container %s: undo: %s", container_name(c), e->msg);
    lab_error_clear(&e);
  }
  return -1;
}

/* container_remove (c is freed), then the implicit pod c owned, if any. */
static int remove_container(struct server *sv, struct container *c, bool force,
                            struct lab_error **err)
{
  char id[CTR_ID_LEN + 1], pod[CTR_ID_LEN + 1] = "";
  snprintf(id, sizeof id, "%s", container_id(c));
  if (container_pod_id(c) != NULL)
    snprintf(pod, sizeof pod, "%s", container_pod_id(c));
  if (container_remove(sv->store, c, force, err) < 0)
    return -1;
  struct container *infra = NULL;
  struct lab_error *e = NULL;
  if (pod[0] == '\0' || container_lookup(sv->store, pod, &infra, &e) < 0) {
    lab_error_clear(&e);
    return 0;
  }
  if (container_owner(infra) == NULL || strcmp(container_owner(infra), id) != 0) {
    container_free(infra); /* a real pod's: it stays */
    return 0;
  }
  if (implicit_pod_remove(sv, infra, &e) < 0) {
    log_warn("container %.12s: its network: %s", id, e->msg);
    lab_error_clear(&e);
  }
  return 0;
}

/* The container an exec names: "container" alone, or "pod" (+ "container",
 * its short name in the pod; default the pod's first container). */
static int lookup_target(struct server *sv, struct json_object *req, struct container **out,
                         struct lab_error **err)
{
  const char *pod = jstr(req, "pod"), *key = jstr(req, "container");
  if (pod == NULL) {
    if (key == NULL)
      return lab_error_set(err, 0, "\"container\": missing");
    return container_lookup(sv->store, key, out, err);
  }
  char path[PATH_MAX];
  if (pod_record_path(sv, pod, path, sizeof path, err) < 0)
    return -1;
  struct json_object *rec = json_object_from_file(path), *ctrs;
  if (rec == NULL)
    return lab_error_set(err, ENOENT, "pod %s: no such pod", pod);
  int rc = lab_error_set(err, ENOENT, "pod %s has no container%s%s", pod, key ? " " : "",
                         key ? key : "");
  if (json_object_object_get_ex(rec, "containers", &ctrs) &&
      json_object_is_type(ctrs, json_type_array)) {
    for (size_t i = 0; i < json_object_array_length(ctrs); i++) {
      struct json_object *x = json_object_array_get_idx(ctrs, i);
      const char *name = jstr(x, "name"), *id = jstr(x, "id");
      if (id == NULL || (key != NULL && (name == NULL || strcmp(name, key) != 0)))
        continue;
      lab_error_clear(err);
      rc = container_lookup(sv->store, id, out, err);
      break;
    }
  }
  json_object_put(rec);
  return rc;
}

/* ------------------------------------------------- attached processes (worker) */

static void ignore_signal(int sig)
{
  (void)sig;
}

/* Sets up the worker's stdio for the process: the client's three fds, or a
 * new pty whose slave becomes our controlling terminal (the process inherits
 * both).  *master is the pty master (tty) or -1. */
static int attach_stdio(struct json_object *req, const int *fds, size_t n_fds, pid_t in_ctr,
                        int *master, struct lab_error **err)
{
  *master = -1;
  if (!jbool(req, "tty")) {
    if (n_fds != 3)
      return lab_error_set(err, 0, "an attached process needs 3 fds (stdin, stdout, stderr)");
    for (int i = 0; i < 3; i++)
      if (dup2(fds[i], i) < 0)
        return lab_error_errno(err, "dup2");
    return 0;
  }
  /* For exec, the pty comes from the container's own devpts, so that inside
   * it the terminal has a name (/dev/pts/N) as with podman. */
  char ptmx[64] = "/dev/ptmx", slave_path[96];
  if (in_ctr > 0)
    snprintf(ptmx, sizeof ptmx, "/proc/%d/root/dev/pts/ptmx", (int)in_ctr);
  int m = open(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC);
  int unlock = 0, ptn = -1;
  if (m < 0 || ioctl(m, TIOCSPTLCK, &unlock) < 0 || ioctl(m, TIOCGPTN, &ptn) < 0) {
    lab_error_errno(err, "allocating a pty (%s)", ptmx);
    if (m >= 0)
      close(m);
    return -1;
  }
  if (in_ctr > 0)
    snprintf(slave_path, sizeof slave_path, "/proc/%d/root/dev/pts/%d", (int)in_ctr, ptn);
  else
    snprintf(slave_path, sizeof slave_path, "/dev/pts/%d", ptn);
  int slave = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) {
    close(m);
    return lab_error_errno(err, "opening the pty slave");
  }
  struct json_object *ws;
  if (json_object_object_get_ex(req, "winsize", &ws)) {
    struct winsize w = {.ws_row = (unsigned short)jint(ws, "rows", 24),
                        .ws_col = (unsigned short)jint(ws, "cols", 80)};
    ioctl(slave, TIOCSWINSZ, &w);
  }
  /* The worker leads a new session whose terminal is the slave: the
   * process, in our process group, is its foreground job. */
  setsid();
  if (ioctl(slave, TIOCSCTTY, 0) < 0) {
    close(slave);
    close(m);
    return lab_error_errno(err, "TIOCSCTTY");
  }
  for (int i = 0; i < 3; i++)
    dup2(slave, i);
  close(slave);
  /* The terminal's signals (^C, ^Z, hangup) are the process's, not ours;
   * handlers, unlike SIG_IGN, do not survive its exec. */
  struct sigaction sa = {.sa_handler = ignore_signal};
  static const int sigs[] = {SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGHUP};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaction(sigs[i], &sa, NULL);
  *master = m;
  return 0;
}

/* Relays resize messages and waits for pid (our child) to exit, or for the
 * client to go away (then the process is killed).  Returns the wait status;
 * *gone tells the client closed the connection. */
static int session_wait(int conn, pid_t pid, bool reap, bool *gone)
{
  *gone = false;
  int pidfd = sys_pidfd_open(pid, 0);
  for (;;) {
    struct pollfd p[2] = {{.fd = conn, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
    int r = poll(p, pidfd >= 0 ? 2 : 1, pidfd >= 0 ? -1 : 100);
    if (r < 0 && errno != EINTR)
      break;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      struct json_object *m = NULL;
      int got = rpc_recv(conn, &m, NULL, 0, NULL);
      if (got <= 0 && !(got < 0 && (errno == EAGAIN || errno == EBADMSG))) {
        *gone = true;
        kill(pid, SIGKILL);
        break;
      }
      const char *op = jstr(m, "op");
      if (op != NULL && strcmp(op, "resize") == 0) {
        struct winsize w = {.ws_row = (unsigned short)jint(m, "rows", 24),
                            .ws_col = (unsigned short)jint(m, "cols", 80)};
        ioctl(0, TIOCSWINSZ, &w); /* a no-op without a terminal */
      }
      json_object_put(m);
    }
    if (pidfd >= 0 && (p[1].revents & POLLIN))
      break;
    if (pidfd < 0 && waitid(P_PID, (id_t)pid, &(siginfo_t){0}, WEXITED | WNOHANG | WNOWAIT) == 0)
      break; /* without pidfds: poll every 100 ms */
  }
  if (pidfd >= 0)
    close(pidfd);
  int status = 0;
  if (reap)
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
  return status;
}

static void send_exit(int conn, int code)
{
  struct json_object *ev = json_object_new_object();
  json_object_object_add(ev, "event", json_object_new_string("exit"));
  json_object_object_add(ev, "status", json_object_new_int(code));
  send_reply(conn, ev, NULL, 0);
}

/* run without detach: this worker is the container's parent (its monitor). */
static void op_run_attached(struct server *sv, int conn, struct json_object *req,
                            struct container *c, const int *fds, size_t n_fds)
{
  struct lab_error *err = NULL;
  int master = -1;
  if (attach_stdio(req, fds, n_fds, 0, &master, &err) < 0 ||
      container_start(sv->store, c, false, &err) < 0) {
    struct lab_error *e = NULL;
    if (remove_container(sv, c, true, &e) < 0)
      lab_error_clear(&e);
    send_error(conn, &err);
    return;
  }
  send_reply(conn, reply_ctr(c), &master, master >= 0 ? 1 : 0);
  if (master >= 0)
    close(master);
  bool gone;
  session_wait(conn, container_pid(c), false, &gone);
  int code = 255;
  if (container_wait(sv->store, c, &err) < 0)
    lab_error_clear(&err);
  else
    code = container_exit_code(c);
  /* the terminal's buffered output is the client's before the exit event */
  if (!gone)
    send_exit(conn, code);
  if (jbool(req, "rm")) {
    if (remove_container(sv, c, true, &err) < 0)
      lab_error_clear(&err);
  } else {
    container_free(c);
  }
}

static void op_exec(struct server *sv, int conn, struct json_object *req, const int *fds,
                    size_t n_fds)
{
  struct lab_error *err = NULL;
  struct container *c = NULL;
  struct json_object *cmd;
  const char **argv = NULL;
  int master = -1;
  if (!json_object_object_get_ex(req, "command", &cmd) ||
      !json_object_is_type(cmd, json_type_array) || json_object_array_length(cmd) == 0) {
    lab_error_set(&err, 0, "exec: \"command\": expected a non-empty array of strings");
    goto fail;
  }
  size_t n = json_object_array_length(cmd);
  argv = calloc(n + 1, sizeof *argv);
  for (size_t i = 0; i < n; i++)
    argv[i] = json_object_get_string(json_object_array_get_idx(cmd, i));
  if (lookup_target(sv, req, &c, &err) < 0 ||
      attach_stdio(req, fds, n_fds, container_pid(c), &master, &err) < 0)
    goto fail;
  pid_t pid;
  if (container_exec_spawn(sv->store, c, argv, &pid, &err) < 0)
    goto fail;
  struct json_object *r = reply_ctr(c);
  json_object_object_add(r, "pid", json_object_new_int(pid));
  send_reply(conn, r, &master, master >= 0 ? 1 : 0);
  if (master >= 0)
    close(master);
  bool gone;
  int status = session_wait(conn, pid, true, &gone);
  if (!gone)
    send_exit(conn, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  free(argv);
  container_free(c);
  return;
fail:
  if (master >= 0)
    close(master);
  free(argv);
  container_free(c);
  send_error(conn, &err);
}

/* ------------------------------------------------------------- worker ops */

/* An op on the container c (the caller's: never freed here): 0 and *reply,
 * or -1 and *err. */
typedef int (*ctr_fn)(struct server *sv, struct container *c, struct json_object *req,
                      struct json_object **reply, struct lab_error **err);

static int do_start(struct server *sv, struct container *c, struct json_object *req,
                    struct json_object **reply, struct lab_error **err)
{
  (void)req;
  if (container_start_detached(sv->store, c, err) < 0)
    return -1;
  *reply = reply_ctr(c);
  return 0;
}

static int do_stop(struct server *sv, struct container *c, struct json_object *req,
                   struct json_object **reply, struct lab_error **err)
{
  if (container_stop(sv->store, c, (int)jint(req, "timeout", 10), err) < 0)
    return -1;
  *reply = reply_ctr(c);
  return 0;
}

static int do_kill(struct server *sv, struct container *c, struct json_object *req,
                   struct json_object **reply, struct lab_error **err)
{
  int64_t sig = jint(req, "signal", SIGKILL);
  if (sig <= 0 || sig >= NSIG)
    return lab_error_set(err, 0, "signal %lld: out of range", (long long)sig);
  if (container_kill(sv->store, c, (int)sig, err) < 0)
    return -1;
  *reply = reply_ctr(c);
  return 0;
}

static int do_rm(struct server *sv, struct container *c, struct json_object *req,
                 struct json_object **reply, struct lab_error **err)
{
  if (container_owner(c) != NULL) {
    /* an implicit pod: it goes with its container, or alone when that is gone */
    struct container *owner = NULL;
    struct lab_error *e = NULL;
    if (container_lookup(sv->store, container_owner(c), &owner, &e) == 0) {
      lab_error_set(err, 0, "%s holds the network of container %s: remove that container",
                    container_name(c), container_name(owner));
      container_free(owner);
      return -1;
    }
    lab_error_clear(&e);
  } else if (container_is_infra(c) && !jbool(req, "force")) {
    return lab_error_set(err, 0, "%s is a pod's infra container: remove the pod",
                         container_name(c));
  }
  /* The removal consumes its record even when it fails; c stays the caller's. */
  struct container *victim = NULL;
  if (container_lookup(sv->store, container_id(c), &victim, err) < 0)
    return -1;
  int rc = container_owner(c) != NULL ? implicit_pod_remove(sv, victim, err)
                                      : remove_container(sv, victim, jbool(req, "force"), err);
  if (rc < 0)
    return -1;
  *reply = reply_ctr(c);
  return 0;
}

static const struct {
  const char *op;
  ctr_fn fn;
} ctr_ops[] = {{"start", do_start}, {"stop", do_stop}, {"kill", do_kill}, {"rm", do_rm}};

static void worker_main(struct server *sv, int conn, const char *op, struct json_object *req,
                        const int *fds, size_t n_fds)
{
  struct lab_error *err = NULL;
  struct json_object *reply = NULL;
  int rc = -1;
  if (strcmp(op, "exec") == 0) {
    op_exec(sv, conn, req, fds, n_fds);
    return;
  }
  if (strcmp(op, "run") == 0 || strcmp(op, "create") == 0) {
    struct rt_spec spec;
    struct container *c = NULL;
    if (rt_spec_from_json(req, &spec, &err) < 0) {
      send_error(conn, &err);
      return;
    }
    rc = container_create(sv->store, &spec.spec, &c, &err);
    if (rc == 0 && wants_cluster_net(sv, &spec) && implicit_pod_make(sv, c, &err) < 0) {
      struct lab_error *e = NULL;
      if (container_remove(sv->store, c, true, &e) < 0)
        lab_error_clear(&e);
      rc = -1;
    }
    rt_spec_release(&spec);
    if (rc < 0) {
      send_error(conn, &err);
      return;
    }
    if (strcmp(op, "create") == 0) {
      send_reply(conn, reply_ctr(c), NULL, 0);
      container_free(c);
      return;
    }
    if (!jbool(req, "detach")) {
      op_run_attached(sv, conn, req, c, fds, n_fds);
      return;
    }
    if (container_start_detached(sv->store, c, &err) < 0) {
      struct lab_error *e = NULL;
      if (remove_container(sv, c, true, &e) < 0)
        lab_error_clear(&e);
      send_error(conn, &err);
      return;
    }
    send_reply(conn, reply_ctr(c), NULL, 0);
    container_free(c);
    return;
  }
  for (size_t i = 0; i < sizeof ctr_ops / sizeof ctr_ops[0]; i++) {
    if (strcmp(op, ctr_ops[i].op) != 0)
      continue;
    struct container *c = NULL;
    const char *key = jstr(req, "container");
    if (key == NULL)
      rc = lab_error_set(&err, 0, "\"container\": missing");
    else if ((rc = container_lookup(sv->store, key, &c, &err)) == 0) {
      rc = ctr_ops[i].fn(sv, c, req, &reply, &err);
      container_free(c);
    }
    goto done;
  }
  if (strcmp(op, "pod-run") == 0) {
    rc = op_pod_run(sv, req, &reply, &err);
  } else if (strcmp(op, "pod-rm") == 0) {
    rc = op_pod_rm(sv, req, &reply, &err);
  } else if (strcmp(op, "image-build") == 0) {
    const char *kind = jstr(req, "kind"), *name = jstr(req, "name");
    if (kind == NULL)
      rc = lab_error_set(&err, 0, "\"kind\": missing (ubi or on-off)");
    else
      rc = image_build(sv->images, kind, name ? name : kind, sv->cfg->busybox, &err);
    if (rc == 0) {
      reply = rpc_reply_ok();
      json_object_object_add(reply, "name", json_object_new_string(name ? name : kind));
    }
  } else if (strcmp(op, "image-import") == 0) {
    const char *path = jstr(req, "path");
    char *name = NULL;
    if (path == NULL || path[0] != '/')
      rc = lab_error_set(&err, 0, "\"path\": expected an absolute path");
    else
      rc = image_import(sv->images, path, jstr(req, "name"), &name, &err);
    if (rc == 0) {
      reply = rpc_reply_ok();
      json_object_object_add(reply, "name", json_object_new_string(name));
    }
    free(name);
  } else {
    rc = lab_error_set(&err, 0, "unknown op \"%s\"", op);
  }
done:
  if (rc < 0)
    send_error(conn, &err);
  else
    send_reply(conn, reply, NULL, 0);
}

/* ------------------------------------------------------------ inline ops */

static int op_ps(struct server *sv, struct json_object *req, struct json_object **reply,
                 struct lab_error **err)
{
  struct container **list = NULL;
  size_t n = 0;
  if (container_list(sv->store, &list, &n, err) < 0)
    return -1;
  bool all = jbool(req, "all"), latest = jbool(req, "latest");
  struct json_object *arr = json_object_new_array();
  /* The infra of an implicit pod is shown with -a only, and is never "the
   * latest" (it is made just after its container). */
  size_t first = 0;
  if (latest) {
    first = n;
    for (size_t i = n; i-- > 0 && first == n;)
      if (container_owner(list[i]) == NULL)
        first = i;
  }
  for (size_t i = first; i < n; i++) {
    if (container_owner(list[i]) != NULL && (!all || latest))
      continue;
    if (!all && !latest && container_state(list[i]) != CONTAINER_RUNNING)
      continue;
    char *pod = pod_name_of(list, n, list[i]);
    json_object_array_add(arr, rt_ps_entry(list[i], pod));
    free(pod);
  }
  container_list_free(list, n);
  *reply = rpc_reply_ok();
  json_object_object_add(*reply, "containers", arr);
  return 0;
}

static int op_image_ls(struct server *sv, struct json_object **reply, struct lab_error **err)
{
  struct image_info **list = NULL;
  size_t n = 0;
  if (image_list(sv->images, &list, &n, err) < 0)
    return -1;
  struct json_object *arr = json_object_new_array();
  for (size_t i = 0; i < n; i++) {
    struct json_object *o = json_object_new_object(), *ep = json_object_new_array(),
                       *cmd = json_object_new_array();
    for (size_t k = 0; list[i]->entrypoint && list[i]->entrypoint[k]; k++)
      json_object_array_add(ep, json_object_new_string(list[i]->entrypoint[k]));
    for (size_t k = 0; list[i]->cmd && list[i]->cmd[k]; k++)
      json_object_array_add(cmd, json_object_new_string(list[i]->cmd[k]));
    json_object_object_add(o, "name", json_object_new_string(list[i]->name));
    json_object_object_add(o, "created",
                           json_object_new_string(list[i]->created ? list[i]->created : ""));
    json_object_object_add(o, "entrypoint", ep);
    json_object_object_add(o, "cmd", cmd);
    json_object_array_add(arr, o);
  }
  image_list_free(list, n);
  *reply = rpc_reply_ok();
  json_object_object_add(*reply, "images", arr);
  return 0;
}

/* Answers the quick operations in the loop.  Returns 1 when op was one of
 * them (a reply was sent), 0 when it needs a worker. */
static int handle_inline(struct server *sv, int conn, const char *op, struct json_object *req)
{
  struct lab_error *err = NULL;
  struct json_object *reply = NULL;
  int rc;
  struct container *c = NULL;
  const char *key = jstr(req, "container");
  if (strcmp(op, "ping") == 0) {
    reply = rpc_reply_ok();
    json_object_object_add(reply, "node",
                           json_object_new_string(sv->cfg->node ? sv->cfg->node : ""));
    json_object_object_add(reply, "pid", json_object_new_int(getpid()));
    rc = 0;
  } else if (strcmp(op, "ps") == 0) {
    rc = op_ps(sv, req, &reply, &err);
  } else if (strcmp(op, "pod-ls") == 0) {
    rc = op_pod_ls(sv, &reply, &err);
  } else if (strcmp(op, "image-ls") == 0) {
    rc = op_image_ls(sv, &reply, &err);
  } else if (strcmp(op, "resize") == 0) {
    return 1; /* the process it was for is gone: no reply, as when it lived */
  } else if (strcmp(op, "inspect") == 0 || strcmp(op, "mount") == 0 || strcmp(op, "umount") == 0 ||
             strcmp(op, "logs") == 0) {
    rc = key == NULL ? lab_error_set(&err, 0, "\"container\": missing")
                     : container_lookup(sv->store, key, &c, &err);
    if (rc == 0 && strcmp(op, "inspect") == 0) {
      reply = rpc_reply_ok();
      json_object_object_add(reply, "inspect", container_inspect_json(sv->store, c));
    } else if (rc == 0 && strcmp(op, "mount") == 0) {
      if ((rc = container_mount(sv->store, c, &err)) == 0) {
        reply = reply_ctr(c);
        json_object_object_add(reply, "merged", json_object_new_string(container_merged_dir(c)));
      }
    } else if (rc == 0 && strcmp(op, "umount") == 0) {
      if ((rc = container_unmount(sv->store, c, &err)) == 0)
        reply = reply_ctr(c);
    } else if (rc == 0) {
      char path[PATH_MAX];
      snprintf(path, sizeof path, "%s/../ctr.log", container_merged_dir(c));
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
      reply = reply_ctr(c);
      send_reply(conn, reply, &fd, fd >= 0 ? 1 : 0);
      if (fd >= 0)
        close(fd);
      container_free(c);
      return 1;
    }
    container_free(c);
  } else {
    return 0;
  }
  if (rc < 0)
    send_error(conn, &err);
  else
    send_reply(conn, reply, NULL, 0);
  return 1;
}

/* ------------------------------------------------------------------- loop */

static void close_conn(struct server *sv, size_t i)
{
  close(sv->conns[i].fd);
  sv->conns[i] = sv->conns[--sv->n_conns];
}

static void spawn_worker(struct server *sv, size_t idx, const char *op, struct json_object *req,
                         int *fds, size_t n_fds)
{
  int conn = sv->conns[idx].fd;
  pid_t pid = fork();
  if (pid < 0) {
    struct lab_error *err = NULL;
    lab_error_errno(&err, "fork");
    send_error(conn, &err);
    return;
  }
  if (pid == 0) {
    /* The worker: its own connection only, default signal handling. */
    close(sv->listen_fd);
    close(sv->sig_fd);
    for (size_t i = 0; i < sv->n_conns; i++)
      if (i != idx)
        close(sv->conns[i].fd);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    worker_main(sv, conn, op, req, fds, n_fds);
    _exit(0);
  }
  sv->conns[idx].worker = pid;
}

static void on_conn(struct server *sv, size_t idx)
{
  int fds[RPC_MAX_FDS];
  size_t n_fds = 0;
  struct json_object *req = NULL;
  int conn = sv->conns[idx].fd;
  int got = rpc_recv(conn, &req, fds, RPC_MAX_FDS, &n_fds);
  if (got < 0 && errno == EAGAIN)
    return;
  if (got < 0 && errno == EBADMSG) {
    send_reply(conn, rpc_reply_error("a request must be a JSON object"), NULL, 0);
    return;
  }
  if (got <= 0) {
    close_conn(sv, idx);
    return;
  }
  const char *op = jstr(req, "op");
  if (op == NULL)
    send_reply(conn, rpc_reply_error("\"op\": missing"), NULL, 0);
  else if (!handle_inline(sv, conn, op, req))
    spawn_worker(sv, idx, op, req, fds, n_fds);
  for (size_t i = 0; i < n_fds; i++)
    close(fds[i]);
  json_object_put(req);
}

static void reap(struct server *sv)
{
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < sv->n_conns; i++)
      if (sv->conns[i].worker == pid)
        sv->conns[i].worker = 0;
  }
}

static int ensure_images(struct server *sv, struct lab_error **err)
{
  static const char *const kinds[] = {"ubi", "on-off"};
  for (size_t i = 0; i < 2; i++) {
    struct image_info *info = NULL;
    struct lab_error *e = NULL;
    if (image_lookup(sv->images, kinds[i], &info, &e) == 0) {
      image_info_free(info);
      continue;
    }
    lab_error_clear(&e);
    if (image_build(sv->images, kinds[i], kinds[i], sv->cfg->busybox, err) < 0)
      return lab_error_wrap(err, "building image %s", kinds[i]);
    log_info("built image %s", kinds[i]);
  }
  return 0;
}

int rt_serve(const struct rt_serve_config *cfg, struct lab_error **err)
{
  struct server *sv = calloc(1, sizeof *sv);
  if (sv == NULL)
    return lab_error_set(err, ENOMEM, "serve");
  sv->cfg = cfg;
  sv->listen_fd = sv->sig_fd = -1;
  int rc = -1;
  snprintf(sv->images, sizeof sv->images, "%s/images", cfg->root);
  snprintf(sv->pods, sizeof sv->pods, "%s/pods", cfg->root);
  snprintf(sv->ipam, sizeof sv->ipam, "%s/ipam", cfg->root);
  if (cfg->subnet != NULL) {
    if (ipam_parse(cfg->subnet, cfg->gateway, &sv->subnet, err) < 0)
      goto out;
    sv->have_subnet = true;
  }
  if (fileio_mkdir_p(cfg->root, 0755) < 0 || fileio_mkdir_p(sv->images, 0755) < 0 ||
      fileio_mkdir_p(sv->pods, 0755) < 0 || fileio_mkdir_p(sv->ipam, 0755) < 0) {
    lab_error_errno(err, "creating the state under %s", cfg->root);
    goto out;
  }
  if (ctr_store_open(cfg->root, sv->images, cfg->cgroup_root, cfg->cgroup_parent, &sv->store, err) <
      0)
    goto out;
  if (ensure_images(sv, err) < 0)
    goto out;
  struct lab_error *cg_err = NULL;
  if (ctr_store_open_cgroups(sv->store, &cg_err) < 0) {
    log_warn("%s (each start will try again)", cg_err->msg);
    lab_error_clear(&cg_err);
  }
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s", cfg->socket);
  char *slash = strrchr(dir, '/');
  if (slash != NULL && slash != dir) {
    *slash = '\0';
    if (fileio_mkdir_p(dir, 0755) < 0) {
      lab_error_errno(err, "creating %s", dir);
      goto out;
    }
  }
  /* SIGPIPE: a handler, not SIG_IGN, which containers would inherit. */
  struct sigaction sa = {.sa_handler = ignore_signal};
  sigaction(SIGPIPE, &sa, NULL);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  sv->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sv->sig_fd < 0) {
    lab_error_errno(err, "signalfd");
    goto out;
  }
  sv->listen_fd = rpc_listen(cfg->socket, err);
  if (sv->listen_fd < 0)
    goto out;
  log_info("serving on %s (root %s, cgroup parent %s%s%s)", cfg->socket, cfg->root,
           cfg->cgroup_parent, cfg->netd ? ", netd " : "", cfg->netd ? cfg->netd : "");
  notify_ready();

  static struct pollfd pfd[MAX_CONNS + 2];
  static size_t owner[MAX_CONNS + 2];
  for (;;) {
    size_t n = 0;
    pfd[n++] = (struct pollfd){.fd = sv->sig_fd, .events = POLLIN};
    pfd[n++] = (struct pollfd){.fd = sv->listen_fd, .events = POLLIN};
    for (size_t i = 0; i < sv->n_conns; i++) {
      if (sv->conns[i].worker != 0)
        continue; /* its worker reads it */
      owner[n] = i;
      pfd[n++] = (struct pollfd){.fd = sv->conns[i].fd, .events = POLLIN};
    }
    if (poll(pfd, n, -1) < 0) {
      if (errno == EINTR)
        continue;
      lab_error_errno(err, "poll");
      goto out;
    }
    if (pfd[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      bool stop = false;
      while (read(sv->sig_fd, &si, sizeof si) == sizeof si)
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
          stop = true;
      reap(sv);
      if (stop) {
        log_info("stopping (containers keep running)");
        rc = 0;
        goto out;
      }
      continue; /* connection indexes may have changed */
    }
    /* Connections from the highest index down: close_conn moves the last one. */
    for (size_t k = n; k-- > 2;)
      if (pfd[k].revents)
        on_conn(sv, owner[k]);
    if (pfd[1].revents & POLLIN) {
      int fd = accept4(sv->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd >= 0 && sv->n_conns == MAX_CONNS) {
        send_reply(fd, rpc_reply_error("too many connections"), NULL, 0);
        close(fd);
      } else if (fd >= 0) {
        sv->conns[sv->n_conns++] = (struct conn){.fd = fd};
      }
    }
  }
out:
  if (sv->listen_fd >= 0) {
    close(sv->listen_fd);
    unlink(cfg->socket);
  }
  if (sv->sig_fd >= 0)
    close(sv->sig_fd);
  for (size_t i = 0; i < sv->n_conns; i++)
    close(sv->conns[i].fd);
  ctr_store_close(sv->store);
  free(sv);
  return rc;
}
