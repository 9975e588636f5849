/* The scenario's pods, started at `up`: once a node's runtime is ready,
 * nodelabd sends it one "pod-run" per pod of that node (proto/runtime-rpc.h)
 * and follows the replies without blocking; the lab is up when every pod
 * runs. */
#include "lab-internal.h"
#include "strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "api.h"
#include "log.h"
#include "rpc.h"
#include "runtime-rpc.h"
#include "scenario.h"
#include "tunnel.h"

LOG_MODULE(pods);

/* The pod-run request for a pod of the scenario (proto/runtime-rpc.h). */
static struct json_object *pod_run_request(const struct scenario_pod *pod)
{
  struct rt_rpc_pod_run r = {.name = strdup(pod->name)};
  for (size_t i = 0; i < pod->n_containers; i++) {
    const struct scenario_container *c = &pod->containers[i];
    struct rt_rpc_spec *s = rt_rpc_pod_run_add(&r);
    s->name = strdup(c->name);
    s->image = strdup(c->image);
    s->command = strv_dup(c->command);
    s->env = strv_dup(c->env);
    s->memory_bytes = c->resources.memory_bytes;
    s->cpu_millis = c->resources.cpu_millis;
    s->pids = c->resources.pids;
    s->seccomp_profile = c->seccomp_profile ? strdup(c->seccomp_profile) : NULL;
    s->privileged = c->privileged;
    for (size_t j = 0; j < c->n_volumes; j++)
      rt_rpc_spec_add_volume(s, c->volumes[j].host_path, c->volumes[j].container_path,
                             c->volumes[j].relabel, c->volumes[j].readonly);
  }
  struct json_object *req = rt_rpc_pod_run_to_json(&r);
  rt_rpc_pod_run_clear(&r);
  return req;
}

static void pod_close(struct lab_pod *pod)
{
  if (pod->ev != NULL)
    event_free(pod->ev);
  pod->ev = NULL;
  if (pod->fd >= 0)
    close(pod->fd);
  pod->fd = -1;
}

static void pod_failed(struct lab_pod *pod, const char *why)
{
  pod->state = LAB_POD_FAILED;
  free(pod->error);
  pod->error = strdup(why);
  pod_close(pod);
  lab_events_add(pod->lab->events, "pod-failed", pod->spec->name, "%s", why);
  char msg[1024];
  snprintf(msg, sizeof msg, "pod %s on node %s: %s", pod->spec->name, pod->spec->node, why);
  lab_finish_start(pod->lab, msg);
}

static void on_pod_reply(evutil_socket_t fd, short what, void *arg)
{
  struct lab_pod *pod = arg;
  struct json_object *reply = NULL;
  int rc = rpc_recv(fd, &reply, NULL, 0, NULL);
  if (rc < 0 && errno == EAGAIN)
    return;
  if (rc <= 0) {
    pod_failed(pod, "the runtime closed the connection");
    return;
  }
  struct json_object *ok = NULL, *v = NULL;
  if (!json_object_object_get_ex(reply, "ok", &ok) || !json_object_get_boolean(ok)) {
    json_object_object_get_ex(reply, "error", &v);
    pod_failed(pod, v ? json_object_get_string(v) : "the runtime refused it");
  } else {
    pod->state = LAB_POD_RUNNING;
    if (json_object_object_get_ex(reply, "pod", &v))
      pod->info = json_object_get(v);
    pod_close(pod);
    log_info("pod %s runs on node %s", pod->spec->name, pod->spec->node);
    lab_events_add(pod->lab->events, "pod-running", pod->spec->name, "on node %s", pod->spec->node);
    lab_progress(pod->lab);
    lab_check_ready(pod->lab);
  }
  json_object_put(reply);
}

bool lab_node_has_runtime(const struct lab_node *node)
{
  for (size_t i = 0; i < node->n_daemons; i++)
    if (strcmp(node->daemons[i].name, "runtime") == 0)
      return true;
  return false;
}

void lab_pods_start(struct lab_node *node)
{
  struct lab *lab = node->lab;
  for (size_t i = 0; i < lab->n_pods; i++) {
    struct lab_pod *pod = &lab->pods[i];
    if (pod->state != LAB_POD_PENDING || strcmp(pod->spec->node, node->spec->name) != 0)
      continue;
    struct lab_error *err = NULL;
    pod->fd = tunnel_connect_in_node(node->proc.pid, NODE_RUNTIME_SOCKET, SOCK_SEQPACKET, &err);
    if (pod->fd < 0) {
      pod_failed(pod, err->msg);
      lab_error_clear(&err);
      continue;
    }
    struct json_object *req = pod_run_request(pod->spec);
    int rc = rpc_send(pod->fd, req, NULL, 0);
    json_object_put(req);
    if (rc < 0) {
      pod_failed(pod, strerror(errno));
      continue;
    }
    pod->state = LAB_POD_STARTING;
    pod->ev = event_new(lab->base, pod->fd, EV_READ | EV_PERSIST, on_pod_reply, pod);
    event_add(pod->ev, NULL);
  }
}

bool lab_pods_settled(const struct lab *lab)
{
  for (size_t i = 0; i < lab->n_pods; i++) {
    const struct lab_pod *pod = &lab->pods[i];
    const struct lab_node *node = NULL;
    for (size_t j = 0; j < lab->n_nodes; j++)
      if (strcmp(lab->nodes[j].spec->name, pod->spec->node) == 0)
        node = &lab->nodes[j];
    /* A build without the runtime brings the nodes up and says why pods wait. */
    if (node != NULL && !lab_node_has_runtime(node))
      continue;
    if (pod->state != LAB_POD_RUNNING)
      return false;
  }
  return true;
}

void lab_pods_free(struct lab *lab)
{
  for (size_t i = 0; i < lab->n_pods; i++) {
    pod_close(&lab->pods[i]);
    json_object_put(lab->pods[i].info);
    free(lab->pods[i].error);
  }
  free(lab->pods);
  lab->pods = NULL;
}
