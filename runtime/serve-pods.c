/* Pods: pod-run makes an infra (net, ipc, uts), gives it an address and a
 * netd port, then starts the pod's containers; pod-rm undoes it; pod-ls
 * lists them.  Each pod has a record <root>/pods/NAME.json. */
#include "serve-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <dirent.h>

#include "cleanup.h"
#include "id.h"
#include "image.h"
#include "json.h"
#include "log.h"
#include "netd-client.h"
#include "netlink.h"
#include "rpc.h"
#include "timefmt.h"

LOG_MODULE(runtime);

int serve_lo_up(pid_t pid, struct lab_error **err)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lab_error_errno(err, "opening %s", path);
  if (netlink_ns_link_set_up(fd, "lo", 1, err) < 0)
    return lab_error_wrap(err, "bringing lo up in the pod");
  return 0;
}

int serve_pod_record_path(struct server *sv, const char *name, char *buf, size_t len,
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
    if (netd_client_pod_del(sv->cfg->netd, &(struct netd_pod_del){.name = name}, &e) < 0) {
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

/* The POD of a pod record: its containers' states as they are now. */
static struct json_object *pod_json(struct server *sv, struct json_object *rec)
{
  struct rt_rpc_pod p = {0};
  p.name = strdup(json_get_str(rec, "name") ?: "");
  const char *ip = json_get_str(rec, "ip");
  p.ip = ip ? strdup(ip) : NULL;
  const char *infra_id = json_get_str(rec, "infra_id");
  p.infra_id = strdup(infra_id ?: "");
  struct lab_error *e = NULL;
  struct container *c = NULL;
  if (infra_id != NULL && container_lookup(sv->store, infra_id, &c, &e) == 0)
    p.infra_pid = container_pid(c);
  lab_error_clear(&e);
  container_free(c);
  p.created = strdup(json_get_str(rec, "created") ?: "");
  bool degraded = false;
  struct json_object *ctrs = json_get_array(rec, "containers");
  for (size_t i = 0; ctrs != NULL && i < json_object_array_length(ctrs); i++) {
    struct json_object *r = json_object_array_get_idx(ctrs, i);
    const char *id = json_get_str(r, "id");
    struct rt_rpc_pod_ctr *x = rt_rpc_pod_add(&p);
    x->id = strdup(id ?: "");
    x->name = strdup(json_get_str(r, "name") ?: "");
    c = NULL;
    if (id != NULL && container_lookup(sv->store, id, &c, &e) == 0) {
      x->state = strdup(container_status(c));
      x->known = true;
      x->pid = container_pid(c);
      x->exit_code = container_exit_code(c);
      x->oom_killed = container_oom_killed(c);
      x->cgroup = container_cgroup_path(c) ? strdup(container_cgroup_path(c)) : NULL;
    } else {
      x->state = strdup("missing");
    }
    lab_error_clear(&e);
    if (c == NULL || container_state(c) != CONTAINER_RUNNING)
      degraded = true;
    container_free(c);
  }
  p.state = strdup(p.infra_pid <= 0 ? "exited" : degraded ? "degraded" : "running");
  struct json_object *o = rt_rpc_pod_to_json(&p);
  rt_rpc_pod_clear(&p);
  return o;
}

int serve_pod_run(struct server *sv, struct json_object *req, struct json_object **reply,
                  struct lab_error **err)
{
  struct rt_rpc_pod_run pr;
  if (rt_rpc_pod_run_from_json(req, &pr, err) < 0)
    return lab_error_wrap(err, "pod %s", json_get_str(req, "name") ?: "");
  const char *name = pr.name;
  struct pod_build b = {0};
  int rc = -1;
  size_t n = pr.n_containers;
  if (serve_pod_record_path(sv, name, b.record, sizeof b.record, err) < 0) {
    rt_rpc_pod_run_clear(&pr);
    return -1;
  }
  struct rt_spec *specs = calloc(n ? n : 1, sizeof *specs);
  char **names = calloc(n ? n : 1, sizeof *names);
  b.ctrs = calloc(n ? n : 1, sizeof *b.ctrs);
  /* Everything that can be checked is checked before anything is made. */
  for (size_t i = 0; i < n; i++) {
    rt_spec_from_rpc(&pr.containers[i], &specs[i]);
    const char *cname = specs[i].spec.name;
    if (cname == NULL || specs[i].spec.pod || specs[i].spec.hostname ||
        pr.containers[i].net != RT_NET_DEFAULT) {
      lab_error_set(err, 0, "pod %s: containers[%zu]: %s", name, i,
                    cname == NULL ? "name: missing" : "pod, net and hostname are the pod's");
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

  char infra_name[160]; /* pod names are at most 100 bytes (serve_pod_record_path) */
  snprintf(infra_name, sizeof infra_name, "%.100s-infra", name);
  struct ctr_spec ispec = {.name = infra_name, .hostname = name, .infra = true};
  if (container_create(sv->store, &ispec, &b.infra, err) < 0 ||
      container_start_detached(sv->store, b.infra, err) < 0 ||
      serve_lo_up(container_pid(b.infra), err) < 0) {
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
    ipv4_format(b.ip, ip);
    char netns[64];
    snprintf(netns, sizeof netns, "/proc/%d/ns/net", (int)container_pid(b.infra));
    struct netd_pod_add add = {.name = name, .netns = netns, .ip = ip};
    if (netd_client_pod_add(sv->cfg->netd, &add, NULL, err) < 0)
      goto out;
    b.attached = true;
    /* for inspect's NetworkSettings of the pod's containers */
    char gw[16] = "";
    if (sv->subnet.gateway != 0)
      ipv4_format(sv->subnet.gateway, gw);
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
  rt_rpc_pod_run_clear(&pr);
  return rc;
}

static int pod_rm(struct server *sv, const char *name, bool force, struct json_object **reply,
                  struct lab_error **err);

int serve_pod_rm(struct server *sv, struct json_object *req, struct json_object **reply,
                 struct lab_error **err)
{
  struct rt_rpc_pod_rm q;
  if (rt_rpc_pod_rm_from_json(req, &q, err) < 0)
    return lab_error_wrap(err, "pod-rm");
  int rc = pod_rm(sv, q.name, q.force, reply, err);
  rt_rpc_pod_rm_clear(&q);
  return rc;
}

static int pod_rm(struct server *sv, const char *name, bool force, struct json_object **reply,
                  struct lab_error **err)
{
  char path[PATH_MAX];
  if (serve_pod_record_path(sv, name, path, sizeof path, err) < 0)
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
      const char *id = json_get_str(json_object_array_get_idx(ctrs, i), "id");
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
  const char *ip = json_get_str(rec, "ip");
  if (ip != NULL && sv->cfg->netd != NULL) {
    if (netd_client_pod_del(sv->cfg->netd, &(struct netd_pod_del){.name = name}, &e) < 0) {
      log_warn("pod %s: %s", name, e->msg);
      lab_error_clear(&e);
    }
  }
  for (size_t i = n; i-- > 0;) {
    const char *id = json_get_str(json_object_array_get_idx(ctrs, i), "id");
    struct container *c = NULL;
    if (id == NULL || container_lookup(sv->store, id, &c, &e) < 0) {
      lab_error_clear(&e);
      continue;
    }
    if (container_remove(sv->store, c, true, err) < 0)
      rc = -1;
  }
  const char *infra = json_get_str(rec, "infra_id");
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
    *reply = rt_rpc_name_reply_to_json(name);
  } else {
    lab_error_wrap(err, "pod %s", name);
  }
  json_object_put(rec);
  return rc;
}

int serve_pod_ls(struct server *sv, struct json_object **reply, struct lab_error **err)
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
    if (rec == NULL || json_get_str(rec, "name") == NULL) {
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

/* The containers of a pod record (its "containers"' ids, looked up; a
 * missing one is NULL), in record order: *n of them, each to container_free. */
static struct container **pod_containers(struct server *sv, struct json_object *rec, size_t *n)
{
  struct json_object *ctrs = json_get_array(rec, "containers");
  *n = ctrs != NULL ? json_object_array_length(ctrs) : 0;
  struct container **out = calloc(*n ? *n : 1, sizeof *out);
  if (out == NULL)
    abort();
  for (size_t i = 0; i < *n; i++) {
    const char *id = json_get_str(json_object_array_get_idx(ctrs, i), "id");
    struct lab_error *e = NULL;
    if (id == NULL || container_lookup(sv->store, id, &out[i], &e) < 0)
      out[i] = NULL;
    lab_error_clear(&e);
  }
  return out;
}

static bool running(const struct container *c)
{
  return c != NULL && container_state(c) == CONTAINER_RUNNING;
}

/* SIGKILL of the running containers, last first, then of the infra; each
 * exit is recorded before the next. */
static int pod_kill(struct server *sv, const char *name, struct container *infra,
                    struct container **ctrs, size_t n, struct lab_error **err)
{
  for (size_t i = n; i-- > 0;)
    if (running(ctrs[i]) && container_kill(sv->store, ctrs[i], SIGKILL, err) < 0)
      return lab_error_wrap(err, "pod %s", name);
  if (running(infra) && container_kill(sv->store, infra, SIGKILL, err) < 0)
    return lab_error_wrap(err, "pod %s", name);
  log_info("pod %s: every process killed", name);
  return 0;
}

/* Runs the pod again as pod-run made it.  Containers still running keep
 * their processes when the infra runs; when it does not, their namespaces
 * are gone with it, so they are killed and started again in the new ones. */
static int pod_start(struct server *sv, const char *name, const char *ip, struct container *infra,
                     struct container **ctrs, size_t n, struct lab_error **err)
{
  if (infra == NULL)
    return lab_error_set(err, ENOENT, "pod %s: its infra container is gone: remove the pod", name);
  if (!running(infra)) {
    if (pod_kill(sv, name, infra, ctrs, n, err) < 0)
      return -1;
    struct lab_error *e = NULL;
    /* Its port and flows still name the veth that died with the old
     * namespace: detached first, as a CNI DEL of the dead sandbox. */
    if (ip != NULL && sv->cfg->netd != NULL &&
        netd_client_pod_del(sv->cfg->netd, &(struct netd_pod_del){.name = name}, &e) < 0) {
      log_info("pod %s: detaching the old namespace: %s", name, e->msg);
      lab_error_clear(&e);
    }
    if (container_start_detached(sv->store, infra, err) < 0 ||
        serve_lo_up(container_pid(infra), err) < 0)
      return lab_error_wrap(err, "pod %s: starting its infra", name);
    if (ip != NULL && sv->cfg->netd != NULL) {
      char netns[64];
      snprintf(netns, sizeof netns, "/proc/%d/ns/net", (int)container_pid(infra));
      struct netd_pod_add add = {.name = name, .netns = netns, .ip = ip};
      if (netd_client_pod_add(sv->cfg->netd, &add, NULL, err) < 0)
        return lab_error_wrap(err, "pod %s: attaching it to netd again", name);
    }
  }
  for (size_t i = 0; i < n; i++) {
    if (ctrs[i] == NULL)
      return lab_error_set(err, ENOENT, "pod %s: its container #%zu is gone: remove the pod", name,
                           i + 1);
    if (!running(ctrs[i]) && container_start_detached(sv->store, ctrs[i], err) < 0)
      return lab_error_wrap(err, "pod %s", name);
  }
  log_info("pod %s: running again", name);
  return 0;
}

int serve_pod_kill_or_start(struct server *sv, enum rt_rpc_op op, struct json_object *req,
                            struct json_object **reply, struct lab_error **err)
{
  struct rt_rpc_pod_ref q;
  if (rt_rpc_pod_ref_from_json(req, &q, err) < 0)
    return lab_error_wrap(err, "%s", rt_rpc_op_name(op));
  char path[PATH_MAX];
  struct json_object *rec = NULL;
  int rc = serve_pod_record_path(sv, q.name, path, sizeof path, err);
  if (rc == 0 && (rec = json_object_from_file(path)) == NULL)
    rc = lab_error_set(err, ENOENT, "pod %s: no such pod (nodelab status lists the pods)", q.name);
  if (rc < 0) {
    rt_rpc_pod_ref_clear(&q);
    return -1;
  }
  size_t n = 0;
  struct container **ctrs = pod_containers(sv, rec, &n);
  struct container *infra = NULL;
  const char *infra_id = json_get_str(rec, "infra_id");
  struct lab_error *e = NULL;
  if (infra_id == NULL || container_lookup(sv->store, infra_id, &infra, &e) < 0)
    infra = NULL;
  lab_error_clear(&e);
  rc = op == RT_OP_POD_KILL ? pod_kill(sv, q.name, infra, ctrs, n, err)
                            : pod_start(sv, q.name, json_get_str(rec, "ip"), infra, ctrs, n, err);
  if (rc == 0) {
    *reply = rpc_reply_ok();
    json_object_object_add(*reply, "pod", pod_json(sv, rec));
  }
  for (size_t i = 0; i < n; i++)
    container_free(ctrs[i]);
  free(ctrs);
  container_free(infra);
  json_object_put(rec);
  rt_rpc_pod_ref_clear(&q);
  return rc;
}
