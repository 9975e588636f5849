/* seccomp-set and seccomp-get: a running container's seccomp filter cannot
 * be changed from outside (a filter is attached to a process by itself, and
 * only ever tightened), so a deny takes a restart.  seccomp-set records the
 * deny in the container's record (container_set_seccomp_deny) and restarts a
 * running container: its init then starts under its profile plus a second
 * filter making the denied calls fail with EPERM, as does every later exec.
 * The pod's infra keeps the namespaces, so the address stays.  An empty deny
 * and a restart again put the container back under its profile alone. */
#include "serve-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "proc.h"
#include "runtime-rpc.h"
#include "strv.h"

/* A restart kills at once (podman restart -t 0): a container's PID 1
 * ignores SIGTERM unless it handles it (busybox httpd does not), and a
 * fault's inject should take milliseconds, not a stop timeout. */
#define SECCOMP_RESTART_STOP_S 0

static struct json_object *state_reply(const struct container *c)
{
  bool running = container_state(c) == CONTAINER_RUNNING;
  pid_t pid = running ? container_pid(c) : 0;
  struct rt_rpc_seccomp_state st = {
      .id = (char *)container_id(c),
      .name = (char *)container_name(c),
      .pid = pid,
      .deny = (char **)container_seccomp_deny(c),
      .filters = pid > 0 ? (int)proc_status_number(pid, "Seccomp_filters", -1) : -1,
  };
  return rt_rpc_seccomp_state_to_json(&st);
}

/* The container of r, refusing an infra (it runs no command to filter). */
static int lookup(struct server *sv, const struct rt_rpc_seccomp_req *r, struct container **c,
                  struct lab_error **err)
{
  if (serve_lookup_target(sv, r->pod, r->container, c, err) < 0)
    return -1;
  if (container_is_infra(*c)) {
    lab_error_set(err, EINVAL, "%s is a pod's infra container: it runs no command to filter",
                  container_name(*c));
    container_free(*c);
    *c = NULL;
    return -1;
  }
  return 0;
}

int serve_seccomp_set(struct server *sv, struct json_object *req, struct json_object **reply,
                      struct lab_error **err)
{
  struct rt_rpc_seccomp_req r;
  if (rt_rpc_seccomp_req_from_json(RT_OP_SECCOMP_SET, req, &r, err) < 0)
    return -1;
  struct container *c = NULL;
  int rc = lookup(sv, &r, &c, err);
  if (rc == 0)
    rc = container_set_seccomp_deny(c, (const char *const *)r.deny, err);
  if (rc == 0 && container_state(c) == CONTAINER_RUNNING) {
    rc = container_stop(sv->store, c, SECCOMP_RESTART_STOP_S, err);
    if (rc == 0)
      rc = container_start_detached(sv->store, c, err);
    if (rc < 0)
      lab_error_wrap(err, "restarting %s under its new seccomp filters", container_name(c));
  }
  if (rc == 0)
    *reply = state_reply(c);
  container_free(c);
  rt_rpc_seccomp_req_clear(&r);
  return rc;
}

int serve_seccomp_get(struct server *sv, struct json_object *req, struct json_object **reply,
                      struct lab_error **err)
{
  struct rt_rpc_seccomp_req r;
  if (rt_rpc_seccomp_req_from_json(RT_OP_SECCOMP_GET, req, &r, err) < 0)
    return -1;
  struct container *c = NULL;
  int rc = lookup(sv, &r, &c, err);
  if (rc == 0)
    *reply = state_reply(c);
  container_free(c);
  rt_rpc_seccomp_req_clear(&r);
  return rc;
}
