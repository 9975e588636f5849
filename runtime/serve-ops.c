/* The operations of proto/runtime-rpc.h: the quick read-only ones answered
 * in the loop, the rest in a worker process forked per request.  Each
 * request is decoded, and each reply encoded, by proto/runtime-rpc. */
#include "serve-internal.h"
#include "strv.h"

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

#include "image.h"
#include "log.h"
#include "rpc.h"

LOG_MODULE(runtime);

void serve_send_reply(int fd, struct json_object *reply, const int *fds, size_t n)
{
  if (rpc_send(fd, reply, fds, n) < 0)
    log_debug("reply not sent: %s", strerror(errno));
  json_object_put(reply);
}

void serve_send_error(int fd, struct lab_error **err)
{
  serve_send_reply(fd, rpc_reply_error((*err)->msg), NULL, 0);
  lab_error_clear(err);
}

struct json_object *serve_reply_ctr(const struct container *c)
{
  struct rt_rpc_ctr_reply r = {.id = (char *)container_id(c), .name = (char *)container_name(c)};
  return rt_rpc_ctr_reply_to_json(&r);
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

/* An op on the container c (the caller's: never freed here): 0 and *reply,
 * or -1 and *err. */
typedef int (*ctr_fn)(struct server *sv, struct container *c, const struct rt_rpc_ctr_req *req,
                      struct json_object **reply, struct lab_error **err);

static int do_start(struct server *sv, struct container *c, const struct rt_rpc_ctr_req *req,
                    struct json_object **reply, struct lab_error **err)
{
  (void)req;
  if (container_start_detached(sv->store, c, err) < 0)
    return -1;
  *reply = serve_reply_ctr(c);
  return 0;
}

static int do_stop(struct server *sv, struct container *c, const struct rt_rpc_ctr_req *req,
                   struct json_object **reply, struct lab_error **err)
{
  if (container_stop(sv->store, c, req->timeout, err) < 0)
    return -1;
  *reply = serve_reply_ctr(c);
  return 0;
}

static int do_kill(struct server *sv, struct container *c, const struct rt_rpc_ctr_req *req,
                   struct json_object **reply, struct lab_error **err)
{
  if (req->signal <= 0 || req->signal >= NSIG)
    return lab_error_set(err, 0, "signal %d: out of range", req->signal);
  if (container_kill(sv->store, c, req->signal, err) < 0)
    return -1;
  *reply = serve_reply_ctr(c);
  return 0;
}

static int do_rm(struct server *sv, struct container *c, const struct rt_rpc_ctr_req *req,
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
  } else if (container_is_infra(c) && !req->force) {
    return lab_error_set(err, 0, "%s is a pod's infra container: remove the pod",
                         container_name(c));
  }
  /* The removal consumes its record even when it fails; c stays the caller's. */
  struct container *victim = NULL;
  if (container_lookup(sv->store, container_id(c), &victim, err) < 0)
    return -1;
  int rc = container_owner(c) != NULL ? serve_implicit_pod_remove(sv, victim, err)
                                      : serve_remove_container(sv, victim, req->force, err);
  if (rc < 0)
    return -1;
  *reply = serve_reply_ctr(c);
  return 0;
}

static const ctr_fn ctr_ops[RT_OP_N] = {
    [RT_OP_START] = do_start,
    [RT_OP_STOP] = do_stop,
    [RT_OP_KILL] = do_kill,
    [RT_OP_RM] = do_rm,
};

/* create and run. */
static void create_or_run(struct server *sv, int conn, enum rt_rpc_op op, struct json_object *req,
                          const int *fds, size_t n_fds)
{
  struct lab_error *err = NULL;
  struct rt_spec spec;
  struct container *c = NULL;
  if (rt_spec_from_json(req, &spec, &err) < 0) {
    serve_send_error(conn, &err);
    return;
  }
  int rc = container_create(sv->store, &spec.spec, &c, &err);
  if (rc == 0 && serve_wants_cluster_net(sv, &spec) && serve_implicit_pod_make(sv, c, &err) < 0) {
    struct lab_error *e = NULL;
    if (container_remove(sv->store, c, true, &e) < 0)
      lab_error_clear(&e);
    rc = -1;
  }
  if (rc < 0) {
    rt_spec_release(&spec);
    serve_send_error(conn, &err);
    return;
  }
  if (op == RT_OP_CREATE) {
    serve_send_reply(conn, serve_reply_ctr(c), NULL, 0);
    container_free(c);
  } else if (!spec.run.detach) {
    serve_run_attached(sv, conn, &spec.run, c, fds, n_fds);
  } else if (container_start_detached(sv->store, c, &err) < 0) {
    struct lab_error *e = NULL;
    if (serve_remove_container(sv, c, true, &e) < 0)
      lab_error_clear(&e);
    serve_send_error(conn, &err);
  } else {
    serve_send_reply(conn, serve_reply_ctr(c), NULL, 0);
    container_free(c);
  }
  rt_spec_release(&spec);
}

static int image_op(struct server *sv, enum rt_rpc_op op, struct json_object *req,
                    struct json_object **reply, struct lab_error **err)
{
  struct rt_rpc_image_req r;
  if (rt_rpc_image_req_from_json(op, req, &r, err) < 0)
    return -1;
  char *name = NULL;
  int rc;
  if (op == RT_OP_IMAGE_BUILD) {
    name = strdup(r.name ? r.name : r.kind);
    rc = image_build(sv->images, r.kind, name, sv->cfg->busybox, err);
  } else {
    rc = image_import(sv->images, r.path, r.name, &name, err);
  }
  if (rc == 0)
    *reply = rt_rpc_name_reply_to_json(name);
  free(name);
  rt_rpc_image_req_clear(&r);
  return rc;
}

void serve_worker_main(struct server *sv, int conn, enum rt_rpc_op op, struct json_object *req,
                       const int *fds, size_t n_fds)
{
  struct lab_error *err = NULL;
  struct json_object *reply = NULL;
  int rc = -1;
  switch (op) {
  case RT_OP_EXEC:
    serve_exec(sv, conn, req, fds, n_fds);
    return;
  case RT_OP_CREATE:
  case RT_OP_RUN:
    create_or_run(sv, conn, op, req, fds, n_fds);
    return;
  case RT_OP_START:
  case RT_OP_STOP:
  case RT_OP_KILL:
  case RT_OP_RM: {
    struct rt_rpc_ctr_req r;
    struct container *c = NULL;
    if ((rc = rt_rpc_ctr_req_from_json(op, req, &r, &err)) == 0 &&
        (rc = container_lookup(sv->store, r.container, &c, &err)) == 0) {
      rc = ctr_ops[op](sv, c, &r, &reply, &err);
      container_free(c);
    }
    rt_rpc_ctr_req_clear(&r);
    break;
  }
  case RT_OP_POD_RUN:
    rc = serve_pod_run(sv, req, &reply, &err);
    break;
  case RT_OP_POD_RM:
    rc = serve_pod_rm(sv, req, &reply, &err);
    break;
  case RT_OP_POD_KILL:
  case RT_OP_POD_START:
    rc = serve_pod_kill_or_start(sv, op, req, &reply, &err);
    break;
  case RT_OP_IMAGE_BUILD:
  case RT_OP_IMAGE_IMPORT:
    rc = image_op(sv, op, req, &reply, &err);
    break;
  case RT_OP_SECCOMP_SET:
    rc = serve_seccomp_set(sv, req, &reply, &err);
    break;
  default:
    rc = lab_error_set(&err, 0, "unknown op \"%s\"", rt_rpc_op_name(op));
    break;
  }
  if (rc < 0)
    serve_send_error(conn, &err);
  else
    serve_send_reply(conn, reply, NULL, 0);
}

/* ------------------------------------------------------------ inline ops */

static int op_ps(struct server *sv, struct json_object *req, struct json_object **reply,
                 struct lab_error **err)
{
  struct rt_rpc_ps_req q;
  if (rt_rpc_ps_req_from_json(req, &q, err) < 0)
    return -1;
  struct container **list = NULL;
  size_t n = 0;
  if (container_list(sv->store, &list, &n, err) < 0)
    return -1;
  struct rt_rpc_ps_reply r = {.entries = calloc(n ? n : 1, sizeof *r.entries)};
  if (r.entries == NULL)
    abort();
  /* The infra of an implicit pod is shown with -a only, and is never "the
   * latest" (it is made just after its container). */
  size_t first = 0;
  if (q.latest) {
    first = n;
    for (size_t i = n; i-- > 0 && first == n;)
      if (container_owner(list[i]) == NULL)
        first = i;
  }
  for (size_t i = first; i < n; i++) {
    if (container_owner(list[i]) != NULL && (!q.all || q.latest))
      continue;
    if (!q.all && !q.latest && container_state(list[i]) != CONTAINER_RUNNING)
      continue;
    char *pod = pod_name_of(list, n, list[i]);
    rt_ps_entry(list[i], pod, &r.entries[r.n++]);
    free(pod);
  }
  container_list_free(list, n);
  *reply = rt_rpc_ps_reply_to_json(&r);
  rt_rpc_ps_reply_clear(&r);
  return 0;
}

static int op_image_ls(struct server *sv, struct json_object **reply, struct lab_error **err)
{
  struct image_info **list = NULL;
  size_t n = 0;
  if (image_list(sv->images, &list, &n, err) < 0)
    return -1;
  struct rt_rpc_image_ls_reply r = {0};
  for (size_t i = 0; i < n; i++) {
    struct rt_rpc_image *im = rt_rpc_image_ls_add(&r);
    im->name = strdup(list[i]->name);
    im->created = strdup(list[i]->created ? list[i]->created : "");
    im->entrypoint = strv_dup(list[i]->entrypoint);
    im->cmd = strv_dup(list[i]->cmd);
  }
  image_list_free(list, n);
  *reply = rt_rpc_image_ls_reply_to_json(&r);
  rt_rpc_image_ls_reply_clear(&r);
  return 0;
}

/* inspect, mount, umount, logs: on the container the request names. */
static int op_on_container(struct server *sv, int conn, enum rt_rpc_op op, struct json_object *req,
                           struct json_object **reply, struct lab_error **err)
{
  struct rt_rpc_ctr_req r;
  struct container *c = NULL;
  if (rt_rpc_ctr_req_from_json(op, req, &r, err) < 0)
    return -1;
  int rc = container_lookup(sv->store, r.container, &c, err);
  rt_rpc_ctr_req_clear(&r);
  if (rc < 0)
    return -1;
  switch (op) {
  case RT_OP_INSPECT:
    *reply = rpc_reply_ok();
    json_object_object_add(*reply, "inspect", container_inspect_json(sv->store, c));
    break;
  case RT_OP_MOUNT:
    if ((rc = container_mount(sv->store, c, err)) == 0) {
      struct rt_rpc_ctr_reply m = {.id = (char *)container_id(c),
                                   .name = (char *)container_name(c),
                                   .merged = (char *)container_merged_dir(c)};
      *reply = rt_rpc_ctr_reply_to_json(&m);
    }
    break;
  case RT_OP_UMOUNT:
    if ((rc = container_unmount(sv->store, c, err)) == 0)
      *reply = serve_reply_ctr(c);
    break;
  default: { /* logs: the reply carries the log, read-only */
    char path[PATH_MAX];
    int fd = -1, n = snprintf(path, sizeof path, "%s/../ctr.log", container_merged_dir(c));
    if (n > 0 && (size_t)n < sizeof path)
      fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    serve_send_reply(conn, serve_reply_ctr(c), &fd, fd >= 0 ? 1 : 0);
    if (fd >= 0)
      close(fd);
    *reply = NULL; /* sent */
    break;
  }
  }
  container_free(c);
  return rc;
}

int serve_handle_inline(struct server *sv, int conn, enum rt_rpc_op op, struct json_object *req)
{
  struct lab_error *err = NULL;
  struct json_object *reply = NULL;
  int rc;
  switch (op) {
  case RT_OP_PING:
    reply = rpc_reply_ok();
    json_object_object_add(reply, "node",
                           json_object_new_string(sv->cfg->node ? sv->cfg->node : ""));
    json_object_object_add(reply, "pid", json_object_new_int(getpid()));
    rc = 0;
    break;
  case RT_OP_PS:
    rc = op_ps(sv, req, &reply, &err);
    break;
  case RT_OP_POD_LS:
    rc = serve_pod_ls(sv, &reply, &err);
    break;
  case RT_OP_IMAGE_LS:
    rc = op_image_ls(sv, &reply, &err);
    break;
  case RT_OP_SECCOMP_GET:
    rc = serve_seccomp_get(sv, req, &reply, &err);
    break;
  case RT_OP_RESIZE:
    return 1; /* the process it was for is gone: no reply, as when it lived */
  case RT_OP_INSPECT:
  case RT_OP_MOUNT:
  case RT_OP_UMOUNT:
  case RT_OP_LOGS:
    rc = op_on_container(sv, conn, op, req, &reply, &err);
    if (rc == 0 && reply == NULL)
      return 1;
    break;
  default:
    return 0;
  }
  if (rc < 0)
    serve_send_error(conn, &err);
  else
    serve_send_reply(conn, reply, NULL, 0);
  return 1;
}
