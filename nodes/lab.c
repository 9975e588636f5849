#include "lab.h"
#include "lab-internal.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "api.h"
#include "cgroup.h"
#include "cleanup.h"
#include "ledger.h"
#include "log.h"
#include "netlink.h"
#include "paths.h"
#include "node-control.h"
#include "node-daemons.h"
#include "node-process.h"
#include "scenario.h"
#include "supervise.h"

LOG_MODULE(lab);

#define UNDERLAY_MTU 1500
#define NODE_READY_TIMEOUT_S 30

/* nodelab-init and the node daemons live next to nodelabd (build tree and
 * install alike); NODELAB_BINDIR overrides. */
static int find_bindir(char *buf, size_t size, struct lab_error **err)
{
  const char *env = getenv("NODELAB_BINDIR");
  if (env != NULL) {
    snprintf(buf, size, "%s", env);
  } else {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0)
      return lab_error_errno(err, "readlink /proc/self/exe");
    self[n] = '\0';
    *strrchr(self, '/') = '\0';
    snprintf(buf, size, "%s", self);
  }
  char init[PATH_MAX + 16];
  snprintf(init, sizeof init, "%s/nodelab-init", buf);
  if (access(init, X_OK) < 0)
    return lab_error_errno(err, "%s", init);
  return 0;
}

void lab_finish_start(struct lab *lab, const char *error)
{
  if (lab->state != LAB_STARTING)
    return;
  lab->state = error == NULL ? LAB_UP : LAB_FAILED;
  if (lab->timeout_ev != NULL)
    evtimer_del(lab->timeout_ev);
  if (error == NULL) {
    log_info("lab %s is up: %zu nodes", lab->name, lab->n_nodes);
    lab_events_add(lab->events, "lab-up", NULL, "%zu nodes and %zu pods are up", lab->n_nodes,
                   lab->n_pods);
  } else {
    log_err("lab %s failed to start: %s", lab->name, error);
    lab_events_add(lab->events, "lab-failed", NULL, "%s", error);
  }
  if (lab->ready_cb != NULL)
    lab->ready_cb(lab, error, lab->ready_arg);
}

void lab_node_failed(struct lab_node *node, const char *why)
{
  node->state = NODE_FAILED;
  lab_events_add(node->lab->events, "node-failed", node->spec->name, "%s", why);
  char msg[512];
  snprintf(msg, sizeof msg, "node %s: %s", node->spec->name, why);
  lab_finish_start(node->lab, msg);
}

static void on_start_timeout(evutil_socket_t fd, short what, void *arg)
{
  lab_finish_start(arg, "nodes were not ready within 30 s");
}

static int spawn_fabric(struct lab *lab, const char *init, struct nl_sock **fabric_nl,
                        struct lab_error **err)
{
  char cgroup[PATH_MAX];
  snprintf(cgroup, sizeof cgroup, "nodelab/%s/fabric", lab->name);
  if (cgroup_create(lab->cg, cgroup, lab->ledger, err) < 0)
    return -1;
  /* execv takes char *const[]; it does not write to the strings. */
  char *argv[] = {(char *)init, (char *)"--name", (char *)"fabric", (char *)"--fabric", NULL};
  if (node_process_spawn(init, argv, lab->ledger, lab->cg, cgroup, &lab->fabric, err) < 0)
    return lab_error_wrap(err, "starting the fabric");
  cleanup_close int netns = node_process_netns(&lab->fabric, err);
  if (netns < 0 || netlink_open(netns, fabric_nl, err) < 0 ||
      netlink_bridge_create(*fabric_nl, UNDERLAY_BRIDGE, err) < 0)
    return lab_error_wrap(err, "fabric");
  return node_process_go(&lab->fabric, err);
}

static int spawn_node(struct lab *lab, struct lab_node *node, size_t index, const char *init,
                      struct nl_sock *fabric_nl, struct lab_error **err)
{
  const struct scenario_node *spec = node->spec;
  snprintf(node->cgroup, sizeof node->cgroup, "nodelab/%s/%s", lab->name, spec->name);
  snprintf(node->fabric_ifname, sizeof node->fabric_ifname, "vn%u", (unsigned)index + 1u);
  if (cgroup_create(lab->cg, node->cgroup, lab->ledger, err) < 0)
    return lab_error_wrap(err, "node %s", spec->name);
  /* The node's own processes live in a leaf, "init", beside the pods' cgroups:
   * cgroup v2 forbids processes in a cgroup whose children get controllers. */
  char init_cgroup[PATH_MAX + 8];
  snprintf(init_cgroup, sizeof init_cgroup, "%s/init", node->cgroup);
  if (cgroup_create(lab->cg, init_cgroup, lab->ledger, err) < 0)
    return lab_error_wrap(err, "node %s", spec->name);
  char ip[16], address[32];
  snprintf(address, sizeof address, "%s/%d", scenario_ip_string(spec->underlay, ip),
           lab->sc->underlay.prefix);
  char *argv[] = {(char *)init,        (char *)"--name", (char *)spec->name,
                  (char *)"--address", address,          NULL};
  if (node_process_spawn(init, argv, lab->ledger, lab->cg, init_cgroup, &node->proc, err) < 0)
    return lab_error_wrap(err, "node %s", spec->name);
  supervise_watch(node->proc.pid, lab_on_node_exit, node);
  cleanup_close int netns = node_process_netns(&node->proc, err);
  if (netns < 0 ||
      netlink_veth_create(fabric_nl, node->fabric_ifname, "eth0", netns, UNDERLAY_MTU, err) < 0 ||
      netlink_link_set_master(fabric_nl, node->fabric_ifname, UNDERLAY_BRIDGE, err) < 0 ||
      netlink_link_set_up(fabric_nl, node->fabric_ifname, 1, err) < 0)
    return lab_error_wrap(err, "node %s", spec->name);
  node->control_ev =
      event_new(lab->base, node->proc.control_fd, EV_READ | EV_PERSIST, lab_on_node_control, node);
  event_add(node->control_ev, NULL);
  if (node_process_go(&node->proc, err) < 0)
    return lab_error_wrap(err, "node %s", spec->name);
  return 0;
}

/* NODE_RUNTIME_ROOT is nodelab's one permanent directory on the host (like
 * podman's /var/lib/containers): an empty mount point on which every node
 * mounts its own storage.  It belongs to the installation, not to a lab, so
 * no ledger names it. */
static int ensure_state_dir(struct lab_error **err)
{
  if (mkdir(NODE_RUNTIME_ROOT, 0700) < 0 && errno != EEXIST)
    return lab_error_errno(err, "mkdir %s", NODE_RUNTIME_ROOT);
  return 0;
}

static int lab_dir_exists(const char *name)
{
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", paths_rundir(), name);
  struct stat st;
  return stat(path, &st) == 0;
}

static int write_scenario_copy(struct lab *lab, struct lab_error **err)
{
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/scenario", ledger_dir(lab->ledger));
  if (ledger_record_path(lab->ledger, LEDGER_FILE, path, err) < 0)
    return -1;
  cleanup_fclose FILE *f = fopen(path, "wx");
  if (f == NULL)
    return lab_error_errno(err, "creating %s", path);
  fprintf(f, "%s\n", lab->sc->file);
  return 0;
}

int lab_create(struct event_base *base, struct scenario *sc, const char *name, lab_ready_cb *cb,
               void *cb_arg, struct lab **out, struct lab_error **err)
{
  char bindir[PATH_MAX];
  if (find_bindir(bindir, sizeof bindir, err) < 0) {
    scenario_free(sc);
    return lab_error_wrap(err, "finding nodelab-init");
  }
  if (lab_dir_exists(name)) {
    scenario_free(sc);
    return lab_error_set(err, EEXIST,
                         "lab \"%s\" already exists or left objects behind (%s/%s); "
                         "run `nodelab down --force %s` first",
                         name, NODELAB_RUNDIR, name, name);
  }
  struct lab *lab = calloc(1, sizeof *lab);
  lab->name = strdup(name);
  lab->sc = sc;
  lab->base = base;
  lab->state = LAB_STARTING;
  lab->created = time(NULL);
  lab->fabric.control_fd = -1;
  snprintf(lab->bindir, sizeof lab->bindir, "%s", bindir);
  char init[PATH_MAX + 16];
  snprintf(init, sizeof init, "%s/nodelab-init", bindir);
  lab->ready_cb = cb;
  lab->ready_arg = cb_arg;
  lab->n_nodes = sc->n_nodes;
  lab->nodes = calloc(sc->n_nodes, sizeof *lab->nodes);
  lab->events = lab_events_new();
  lab->n_pods = sc->n_pods;
  lab->pods = calloc(sc->n_pods ? sc->n_pods : 1, sizeof *lab->pods);
  for (size_t i = 0; i < sc->n_pods; i++) {
    lab->pods[i].lab = lab;
    lab->pods[i].spec = &sc->pods[i];
    lab->pods[i].fd = -1;
  }
  for (size_t i = 0; i < sc->n_nodes; i++) {
    lab->nodes[i].lab = lab;
    lab->nodes[i].spec = &sc->nodes[i];
    lab->nodes[i].proc.control_fd = -1;
    node_daemons_plan(sc, name, &sc->nodes[i], bindir, &lab->nodes[i].daemons,
                      &lab->nodes[i].n_daemons);
  }

  struct nl_sock *fabric_nl = NULL;
  int rc = ensure_state_dir(err);
  if (rc == 0)
    rc = ledger_open(paths_rundir(), name, &lab->ledger, err);
  if (rc == 0)
    rc = write_scenario_copy(lab, err);
  if (rc == 0)
    rc = cgroup_manager_open("/sys/fs/cgroup", &lab->cg, err);
  /* The lab's cgroup is its own, to kill and remove whole; "nodelab" above it
   * is shared by every lab. */
  char lab_cgroup[PATH_MAX];
  snprintf(lab_cgroup, sizeof lab_cgroup, "nodelab/%s", name);
  if (rc == 0)
    rc = cgroup_create(lab->cg, lab_cgroup, lab->ledger, err);
  if (rc == 0)
    rc = spawn_fabric(lab, init, &fabric_nl, err);
  for (size_t i = 0; rc == 0 && i < lab->n_nodes; i++)
    rc = spawn_node(lab, &lab->nodes[i], i, init, fabric_nl, err);
  netlink_close(fabric_nl);
  if (rc < 0) {
    lab->ready_cb = NULL;
    lab_destroy(lab, NULL);
    return lab_error_wrap(err, "starting lab %s", name);
  }
  lab->timeout_ev = evtimer_new(base, on_start_timeout, lab);
  struct timeval tv = {NODE_READY_TIMEOUT_S, 0};
  evtimer_add(lab->timeout_ev, &tv);
  *out = lab;
  return 0;
}

int lab_destroy(struct lab *lab, struct lab_error **err)
{
  lab->state = LAB_STOPPING;
  /* Killing each PID 1 ends its pid namespace, and with it every process of
   * the node: all at once first, so the kernel tears the nodes down in
   * parallel, then each is reaped. */
  for (size_t i = 0; i < lab->n_nodes; i++)
    node_process_signal_kill(&lab->nodes[i].proc);
  node_process_signal_kill(&lab->fabric);
  for (size_t i = 0; i < lab->n_nodes; i++) {
    struct lab_node *node = &lab->nodes[i];
    if (node->control_ev != NULL)
      event_free(node->control_ev);
    lab_node_events_free(node);
    node_process_kill(&node->proc);
    node_daemons_free(node->daemons, node->n_daemons);
  }
  node_process_kill(&lab->fabric);
  lab_pods_free(lab);
  lab_events_free(lab->events);
  if (lab->timeout_ev != NULL)
    event_free(lab->timeout_ev);
  ledger_close(lab->ledger);
  int rc = 0;
  if (lab->ledger != NULL)
    rc = ledger_undo(paths_rundir(), lab->name, err);
  cgroup_manager_close(lab->cg);
  log_info("lab %s removed%s", lab->name, rc == 0 ? "" : " (with errors)");
  scenario_free(lab->sc);
  free(lab->nodes);
  free(lab->name);
  free(lab);
  return rc;
}

const char *lab_name(const struct lab *lab)
{
  return lab->name;
}

pid_t lab_node_pid(const struct lab *lab, const char *node)
{
  for (size_t i = 0; i < lab->n_nodes; i++)
    if (strcmp(lab->nodes[i].spec->name, node) == 0)
      return lab->nodes[i].state == NODE_RUNNING ? lab->nodes[i].proc.pid : 0;
  return 0;
}

struct lab_events *lab_events(const struct lab *lab)
{
  return lab->events;
}

enum lab_state lab_state(const struct lab *lab)
{
  return lab->state;
}
