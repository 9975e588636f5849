/* The process kinds: daemon-kill (a node's daemon SIGKILLed, its
 * supervision paused) and pod-kill (every process of a pod SIGKILLed).
 * Processes are nodelabd's (it supervises the daemons) and the runtime's
 * (it owns the pods), so the engine acts through the backend's struct
 * fault_procs; what it snapshots is only which daemon or pod it was, since
 * "repaired" means running again as it was started at up. */
#include "fault-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_DAEMON "ovs-vswitchd" /* the one whose death stops the node's pod traffic */

static const struct fault_procs *procs(const struct fault *f, const struct fault_backend *be,
                                       struct lab_error **err)
{
  if (be->procs == NULL) {
    fault_refuse(err, ENOTSUP, "kind %s: this backend supervises no processes", f->spec->name);
    return NULL;
  }
  return be->procs;
}

/* ---- daemon-kill {node, daemon} ---- */

static const struct fault_view_daemon *view_daemon(const struct fault_view_node *n,
                                                   const char *name)
{
  for (size_t i = 0; name != NULL && i < n->n_daemons; i++)
    if (strcmp(n->daemons[i].name, name) == 0)
      return &n->daemons[i];
  return NULL;
}

static int daemon_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  const struct fault_view_node *node;
  if (fault_resolve_node(f, v, "node", &node, err) < 0 ||
      fault_default_param(f, "daemon", DEFAULT_DAEMON, err) < 0)
    return -1;
  const char *name = fault_param(f, "daemon");
  const struct fault_view_daemon *d = view_daemon(node, name);
  if (d == NULL) {
    char list[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < node->n_daemons && len < sizeof list; i++)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                              node->daemons[i].name);
    return fault_refuse(err, ENOENT,
                        "kind daemon-kill: node %s runs no daemon %s (its daemons: %s)", node->name,
                        name, list[0] ? list : "none");
  }
  if (!d->running)
    return fault_refuse(err, ESRCH, "kind daemon-kill: %s on node %s is not running", name,
                        node->name);
  fault_set_target(f, d->pid, "", "%s daemon %s", node->name, name);
  return 0;
}

static int daemon_inject(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  const struct fault_procs *p = procs(f, be, err);
  return p == NULL ? -1
                   : p->daemon_kill(p->ctx, fault_param(f, "node"), fault_param(f, "daemon"), err);
}

/* Present while the daemon does not run: a `nodelab service NODE start
 * DAEMON` by a learner is a repair by hand. */
static int daemon_present(struct fault *f, const struct fault_backend *be, bool *present,
                          struct lab_error **err)
{
  const struct fault_procs *p = procs(f, be, err);
  bool running = false;
  if (p == NULL || p->daemon_running(p->ctx, fault_param(f, "node"), fault_param(f, "daemon"),
                                     &running, err) < 0)
    return -1;
  *present = !running;
  return 0;
}

static int daemon_repair(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  const struct fault_procs *p = procs(f, be, err);
  return p == NULL ? -1
                   : p->daemon_start(p->ctx, fault_param(f, "node"), fault_param(f, "daemon"), err);
}

/* ---- pod-kill {pod} ---- */

static int pod_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  const struct fault_view_pod *pod;
  if (fault_resolve_pod(f, v, &pod, err) < 0)
    return -1;
  fault_set_target(f, pod->infra_pid, "", "%s/%s (its infra and containers)", pod->node, pod->name);
  return 0;
}

static int pod_inject(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  const struct fault_procs *p = procs(f, be, err);
  return p == NULL ? -1 : p->pod_kill(p->ctx, fault_param(f, "pod"), err);
}

/* Present while the pod's infra or one of its containers does not run. */
static int pod_present(struct fault *f, const struct fault_backend *be, bool *present,
                       struct lab_error **err)
{
  const struct fault_procs *p = procs(f, be, err);
  bool running = false;
  if (p == NULL || p->pod_running(p->ctx, fault_param(f, "pod"), &running, err) < 0)
    return -1;
  *present = !running;
  return 0;
}

static int pod_repair(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  const struct fault_procs *p = procs(f, be, err);
  return p == NULL ? -1 : p->pod_start(p->ctx, fault_param(f, "pod"), err);
}

const struct fault_kind_ops fault_ops_daemon_kill = {
    .resolve = daemon_resolve,
    .inject = daemon_inject,
    .present = daemon_present,
    .repair = daemon_repair,
    .symptom = "Pods on the node reach nothing, not even each other; the node itself answers.",
    .hints = {"Is every daemon of the node running? nodelab service NODE status",
              "nodelab events shows which daemon exited, and that nothing restarted it.",
              "nodelab service NODE start DAEMON (netd puts its flows back once the switch "
              "is up)."},
};

const struct fault_kind_ops fault_ops_pod_kill = {
    .resolve = pod_resolve,
    .inject = pod_inject,
    .present = pod_present,
    .repair = pod_repair,
    .symptom = "Nothing answers on the pod's address: connections time out.",
    .hints = {"nodelab status: is every pod running?",
              "nodelab ps -a --node NODE: the pod's containers exited (killed by signal 9).",
              "nodelab pod start NODE/POD runs it again, with its address and containers."},
};
