/* Pods after up: pod-kill and pod-start on their node's runtime.  The
 * runtime owns pods (their record, containers, address and netd port), so
 * nodelabd only asks it, and keeps the answer as the pod's info.  The round
 * trip blocks the loop for its duration (a kill or start takes tens of ms,
 * as nodelab-ovs does for the OVS kinds), bounded by a receive timeout. */
#include "lab-pod-ops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "api.h"
#include "cleanup.h"
#include "json.h"
#include "lab-internal.h"
#include "log.h"
#include "paths.h"
#include "rpc.h"
#include "runtime-rpc.h"
#include "scenario.h"
#include "tunnel.h"

LOG_MODULE(pods);

static struct lab_pod *find_pod(struct lab *lab, const char *name, struct lab_error **err)
{
  char list[512] = "";
  size_t len = 0;
  for (size_t i = 0; i < lab->n_pods; i++) {
    if (name != NULL && strcmp(lab->pods[i].spec->name, name) == 0)
      return &lab->pods[i];
    if (len < sizeof list)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                              lab->pods[i].spec->name);
  }
  lab_error_refuse(err, ENOENT, "lab %s has no pod %s (its pods: %s)", lab->name,
                   name ? name : "(none)", list[0] ? list : "none");
  return NULL;
}

/* One request to the runtime of pod's node; *reply the whole answer. */
static int runtime_call(struct lab *lab, struct lab_pod *pod, struct json_object *req,
                        struct json_object **reply, struct lab_error **err)
{
  pid_t node_pid = lab_node_pid(lab, pod->spec->node);
  if (node_pid <= 0)
    return lab_error_refuse(err, ESRCH, "pod %s: its node %s is not running", pod->spec->name,
                            pod->spec->node);
  cleanup_close int fd = tunnel_connect_in_node(node_pid, NODE_RUNTIME_SOCKET, SOCK_SEQPACKET, err);
  if (fd < 0)
    return lab_error_wrap(err, "pod %s: the runtime of node %s", pod->spec->name, pod->spec->node);
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0)
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  struct timeval tv = {LAB_POD_OP_TIMEOUT_S, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (rpc_call(fd, req, NULL, 0, reply, err) < 0)
    return lab_error_wrap(err, "node %s's runtime", pod->spec->node);
  return 0;
}

/* The pod's info (api's POD) is the runtime's answer from now on. */
static void keep_info(struct lab_pod *pod, struct json_object *info)
{
  if (info == NULL)
    return;
  json_object_put(pod->info);
  pod->info = json_object_get(info);
}

static bool pod_info_running(struct json_object *info)
{
  const char *state = info != NULL ? json_get_str(info, "state") : NULL;
  return state != NULL && strcmp(state, "running") == 0;
}

static int pod_op(struct lab *lab, enum rt_rpc_op op, const char *name, struct lab_error **err)
{
  struct lab_pod *pod = find_pod(lab, name, err);
  if (pod == NULL)
    return -1;
  if (pod->info == NULL)
    return lab_error_refuse(err, ESRCH, "pod %s never ran (it is %s)", name,
                            api_pod_state_name((enum api_pod_state)pod->state));
  struct rt_rpc_pod_ref ref = {.name = (char *)name};
  struct json_object *req = rt_rpc_pod_ref_to_json(op, &ref);
  struct json_object *reply = NULL, *info = NULL;
  int rc = runtime_call(lab, pod, req, &reply, err);
  json_object_put(req);
  if (rc == 0) {
    json_object_object_get_ex(reply, "pod", &info);
    keep_info(pod, info);
    bool up = pod_info_running(info);
    /* Killed: not running, as status and checks say; started: running. */
    pod->state = up ? LAB_POD_RUNNING : LAB_POD_FAILED;
    free(pod->error);
    pod->error = up ? NULL : strdup("its processes were killed");
    lab_events_add(lab->events, up ? "pod-running" : "pod-killed", name, "%s on node %s",
                   up ? "running again" : "every process killed", pod->spec->node);
  }
  json_object_put(reply);
  return rc;
}

int lab_pod_kill(struct lab *lab, const char *pod, struct lab_error **err)
{
  return pod_op(lab, RT_OP_POD_KILL, pod, err);
}

int lab_pod_start(struct lab *lab, const char *pod, struct lab_error **err)
{
  return pod_op(lab, RT_OP_POD_START, pod, err);
}

int lab_pod_running(struct lab *lab, const char *name, bool *running, struct lab_error **err)
{
  struct lab_pod *pod = find_pod(lab, name, err);
  if (pod == NULL)
    return -1;
  struct json_object *req = rt_rpc_request_new(RT_OP_POD_LS);
  struct json_object *reply = NULL;
  int rc = runtime_call(lab, pod, req, &reply, err);
  json_object_put(req);
  if (rc < 0)
    return -1;
  *running = false;
  struct json_object *pods = json_get_array(reply, "pods");
  for (size_t i = 0; pods != NULL && i < json_object_array_length(pods); i++) {
    struct json_object *p = json_object_array_get_idx(pods, i);
    const char *n = json_get_str(p, "name");
    if (n == NULL || strcmp(n, name) != 0)
      continue;
    *running = pod_info_running(p);
    if (*running && !pod_info_running(pod->info)) {
      /* Started again by someone else (nodelab-runtime call pod-start): follow it. */
      keep_info(pod, p);
      pod->state = LAB_POD_RUNNING;
    }
  }
  json_object_put(reply);
  return 0;
}

struct json_object *lab_pod_start_reply(struct lab *lab, const char *pod, int *code)
{
  cleanup_error struct lab_error *err = NULL;
  if (lab->state != LAB_UP) {
    *code = 409;
    return api_error_encode(&(struct api_error){.error = "the lab is not up"});
  }
  if (lab_pod_start(lab, pod, &err) < 0) {
    *code = err->errnum == ENOENT ? 404 : err->errnum == ESRCH ? 409 : 500;
    return api_error_encode(&(struct api_error){.error = err->msg});
  }
  struct lab_pod *p = find_pod(lab, pod, NULL);
  *code = 200;
  return json_object_get(p->info);
}
