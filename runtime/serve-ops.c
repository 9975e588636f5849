/* The operations of rpc-ops.h: the quick read-only ones answered in the
 * loop, the rest in a worker process forked per request. */
#include "serve-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <signal.h>

#include "id.h"
#include "image.h"
#include "json.h"
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
  *reply = serve_reply_ctr(c);
  return 0;
}

static int do_stop(struct server *sv, struct container *c, struct json_object *req,
                   struct json_object **reply, struct lab_error **err)
{
  if (container_stop(sv->store, c, (int)json_get_int(req, "timeout", 10), err) < 0)
    return -1;
  *reply = serve_reply_ctr(c);
  return 0;
}

static int do_kill(struct server *sv, struct container *c, struct json_object *req,
                   struct json_object **reply, struct lab_error **err)
{
  int64_t sig = json_get_int(req, "signal", SIGKILL);
  if (sig <= 0 || sig >= NSIG)
    return lab_error_set(err, 0, "signal %lld: out of range", (long long)sig);
  if (container_kill(sv->store, c, (int)sig, err) < 0)
    return -1;
  *reply = serve_reply_ctr(c);
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
  } else if (container_is_infra(c) && !json_get_bool(req, "force", false)) {
    return lab_error_set(err, 0, "%s is a pod's infra container: remove the pod",
                         container_name(c));
  }
  /* The removal consumes its record even when it fails; c stays the caller's. */
  struct container *victim = NULL;
  if (container_lookup(sv->store, container_id(c), &victim, err) < 0)
    return -1;
  int rc = container_owner(c) != NULL
               ? serve_implicit_pod_remove(sv, victim, err)
               : serve_remove_container(sv, victim, json_get_bool(req, "force", false), err);
  if (rc < 0)
    return -1;
  *reply = serve_reply_ctr(c);
  return 0;
}

static const struct {
  const char *op;
  ctr_fn fn;
} ctr_ops[] = {{"start", do_start}, {"stop", do_stop}, {"kill", do_kill}, {"rm", do_rm}};

void serve_worker_main(struct server *sv, int conn, const char *op, struct json_object *req,
                       const int *fds, size_t n_fds)
{
  struct lab_error *err = NULL;
  struct json_object *reply = NULL;
  int rc = -1;
  if (strcmp(op, "exec") == 0) {
    serve_exec(sv, conn, req, fds, n_fds);
    return;
  }
  if (strcmp(op, "run") == 0 || strcmp(op, "create") == 0) {
    struct rt_spec spec;
    struct container *c = NULL;
    if (rt_spec_from_json(req, &spec, &err) < 0) {
      serve_send_error(conn, &err);
      return;
    }
    rc = container_create(sv->store, &spec.spec, &c, &err);
    if (rc == 0 && serve_wants_cluster_net(sv, &spec) && serve_implicit_pod_make(sv, c, &err) < 0) {
      struct lab_error *e = NULL;
      if (container_remove(sv->store, c, true, &e) < 0)
        lab_error_clear(&e);
      rc = -1;
    }
    rt_spec_release(&spec);
    if (rc < 0) {
      serve_send_error(conn, &err);
      return;
    }
    if (strcmp(op, "create") == 0) {
      serve_send_reply(conn, serve_reply_ctr(c), NULL, 0);
      container_free(c);
      return;
    }
    if (!json_get_bool(req, "detach", false)) {
      serve_run_attached(sv, conn, req, c, fds, n_fds);
      return;
    }
    if (container_start_detached(sv->store, c, &err) < 0) {
      struct lab_error *e = NULL;
      if (serve_remove_container(sv, c, true, &e) < 0)
        lab_error_clear(&e);
      serve_send_error(conn, &err);
      return;
    }
    serve_send_reply(conn, serve_reply_ctr(c), NULL, 0);
    container_free(c);
    return;
  }
  for (size_t i = 0; i < sizeof ctr_ops / sizeof ctr_ops[0]; i++) {
    if (strcmp(op, ctr_ops[i].op) != 0)
      continue;
    struct container *c = NULL;
    const char *key = json_get_str(req, "container");
    if (key == NULL)
      rc = lab_error_set(&err, 0, "\"container\": missing");
    else if ((rc = container_lookup(sv->store, key, &c, &err)) == 0) {
      rc = ctr_ops[i].fn(sv, c, req, &reply, &err);
      container_free(c);
    }
    goto done;
  }
  if (strcmp(op, "pod-run") == 0) {
    rc = serve_pod_run(sv, req, &reply, &err);
  } else if (strcmp(op, "pod-rm") == 0) {
    rc = serve_pod_rm(sv, req, &reply, &err);
  } else if (strcmp(op, "image-build") == 0) {
    const char *kind = json_get_str(req, "kind"), *name = json_get_str(req, "name");
    if (kind == NULL)
      rc = lab_error_set(&err, 0, "\"kind\": missing (ubi or on-off)");
    else
      rc = image_build(sv->images, kind, name ? name : kind, sv->cfg->busybox, &err);
    if (rc == 0) {
      reply = rpc_reply_ok();
      json_object_object_add(reply, "name", json_object_new_string(name ? name : kind));
    }
  } else if (strcmp(op, "image-import") == 0) {
    const char *path = json_get_str(req, "path");
    char *name = NULL;
    if (path == NULL || path[0] != '/')
      rc = lab_error_set(&err, 0, "\"path\": expected an absolute path");
    else
      rc = image_import(sv->images, path, json_get_str(req, "name"), &name, &err);
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
    serve_send_error(conn, &err);
  else
    serve_send_reply(conn, reply, NULL, 0);
}

static int op_ps(struct server *sv, struct json_object *req, struct json_object **reply,
                 struct lab_error **err)
{
  struct container **list = NULL;
  size_t n = 0;
  if (container_list(sv->store, &list, &n, err) < 0)
    return -1;
  bool all = json_get_bool(req, "all", false), latest = json_get_bool(req, "latest", false);
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
int serve_handle_inline(struct server *sv, int conn, const char *op, struct json_object *req)
{
  struct lab_error *err = NULL;
  struct json_object *reply = NULL;
  int rc;
  struct container *c = NULL;
  const char *key = json_get_str(req, "container");
  if (strcmp(op, "ping") == 0) {
    reply = rpc_reply_ok();
    json_object_object_add(reply, "node",
                           json_object_new_string(sv->cfg->node ? sv->cfg->node : ""));
    json_object_object_add(reply, "pid", json_object_new_int(getpid()));
    rc = 0;
  } else if (strcmp(op, "ps") == 0) {
    rc = op_ps(sv, req, &reply, &err);
  } else if (strcmp(op, "pod-ls") == 0) {
    rc = serve_pod_ls(sv, &reply, &err);
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
        reply = serve_reply_ctr(c);
        json_object_object_add(reply, "merged", json_object_new_string(container_merged_dir(c)));
      }
    } else if (rc == 0 && strcmp(op, "umount") == 0) {
      if ((rc = container_unmount(sv->store, c, &err)) == 0)
        reply = serve_reply_ctr(c);
    } else if (rc == 0) {
      char path[PATH_MAX];
      snprintf(path, sizeof path, "%s/../ctr.log", container_merged_dir(c));
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
      reply = serve_reply_ctr(c);
      serve_send_reply(conn, reply, &fd, fd >= 0 ? 1 : 0);
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
    serve_send_error(conn, &err);
  else
    serve_send_reply(conn, reply, NULL, 0);
  return 1;
}
