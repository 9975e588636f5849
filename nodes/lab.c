#include "lab.h"
#include "xalloc.h"
#include "lab-internal.h"
#include "lab-exercises.h"
#include "lab-faults.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "api.h"
#include "cgroup.h"
#include "cleanup.h"
#include "daemon-args.h"
#include "ledger.h"
#include "log.h"
#include "netlink.h"
#include "paths.h"
#include "node-daemons.h"
#include "node-process.h"
#include "scenario.h"
#include "supervise.h"

LOG_MODULE(lab);

#define UNDERLAY_MTU 1500
/* What VXLAN over IPv4 adds to a pod's packet: outer Ethernet 14, IPv4 20,
 * UDP 8, VXLAN 8.  The underlay must carry a full-sized pod packet so
 * wrapped: a pod MTU above 1450 raises it. */
#define VXLAN_OVERHEAD 50

static int underlay_mtu(const struct scenario *sc)
{
  return sc->mtu + VXLAN_OVERHEAD > UNDERLAY_MTU ? sc->mtu + VXLAN_OVERHEAD : UNDERLAY_MTU;
}
/* A start fails when nothing progresses (no node spawned or ready, no
 * daemon or pod ready) for this long. */
#define NODE_READY_TIMEOUT_S 30
/* A removal goes on to the ledger when SIGKILLed inits are not all reaped
 * by then (the ledger's undo kills and waits for them once more). */
#define STOP_REAP_TIMEOUT_S 30

/* snprintf into a fixed buffer, failing with ENAMETOOLONG on truncation. */
static int __attribute__((format(printf, 4, 5)))
format_path(char *buf, size_t size, struct lab_error **err, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= size)
    return lab_error_set(err, ENAMETOOLONG, "name too long: %s...", buf);
  return 0;
}

void lab_progress(struct lab *lab)
{
  if (lab->state != LAB_STARTING || lab->timeout_ev == NULL)
    return;
  struct timeval tv = {NODE_READY_TIMEOUT_S, 0};
  evtimer_add(lab->timeout_ev, &tv);
}

void lab_finish_start(struct lab *lab, const char *error)
{
  if (lab->state != LAB_STARTING)
    return;
  lab->state = error == NULL ? LAB_UP : LAB_FAILED;
  evtimer_del(lab->timeout_ev);
  evtimer_del(lab->step_ev);
  if (error == NULL) {
    log_info("lab %s is up: %zu nodes", lab->name, lab->n_nodes);
    lab_events_add(lab->events, "lab-up", NULL, "%zu nodes and %zu pods are up", lab->n_nodes,
                   lab->n_pods);
    lab_faults_start_timeline(lab); /* the scenario's faults with at/for/every */
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
  cleanup_free char *msg = NULL;
  if (asprintf(&msg, "node %s: %s", node->spec->name, why) < 0)
    abort();
  lab_finish_start(node->lab, msg);
}

static void on_start_timeout(evutil_socket_t fd, short what, void *arg)
{
  lab_finish_start(arg, "nodes made no progress towards ready for 30 s");
}

static void on_stop_step(evutil_socket_t fd, short what, void *arg);

static void on_fabric_exit(pid_t pid, int status, void *arg)
{
  struct lab *lab = arg;
  lab->fabric.pid = 0;
  log_warn("lab %s: the fabric's init (pid %d) exited with status %d", lab->name, (int)pid, status);
  lab_finish_start(lab, "the fabric's init exited");
}

static int spawn_fabric(struct lab *lab, struct lab_error **err)
{
  char cgroup[PATH_MAX];
  if (format_path(cgroup, sizeof cgroup, err, "nodelab/%s/fabric", lab->name) < 0 ||
      cgroup_create(lab->cg, cgroup, lab->ledger, err) < 0)
    return -1;
  struct init_args args = {.name = (char *)"fabric", .fabric = true};
  char **argv = init_args_to_argv(&args, lab->init_path);
  int rc =
      node_process_spawn(lab->init_path, argv, lab->ledger, lab->cg, cgroup, &lab->fabric, err);
  daemon_argv_free(argv);
  if (rc < 0)
    return lab_error_wrap(err, "starting the fabric");
  supervise_watch(lab->fabric.pid, on_fabric_exit, lab);
  cleanup_close int netns = node_process_netns(&lab->fabric, err);
  if (netns < 0 || netlink_open(netns, &lab->fabric_nl, err) < 0 ||
      netlink_bridge_create(lab->fabric_nl, UNDERLAY_BRIDGE, err) < 0)
    return lab_error_wrap(err, "fabric");
  return node_process_go(&lab->fabric, err);
}

static int spawn_node(struct lab *lab, struct lab_node *node, struct lab_error **err)
{
  const struct scenario_node *spec = node->spec;
  if (cgroup_create(lab->cg, node->cgroup, lab->ledger, err) < 0)
    return lab_error_wrap(err, "node %s", spec->name);
  /* The node's own processes live in a leaf, "init", beside the pods' cgroups:
   * cgroup v2 forbids processes in a cgroup whose children get controllers. */
  char init_cgroup[PATH_MAX];
  if (format_path(init_cgroup, sizeof init_cgroup, err, "%s/init", node->cgroup) < 0 ||
      cgroup_create(lab->cg, init_cgroup, lab->ledger, err) < 0)
    return lab_error_wrap(err, "node %s", spec->name);
  struct init_args args = {.name = spec->name, .address = node->underlay};
  char **argv = init_args_to_argv(&args, lab->init_path);
  int rc =
      node_process_spawn(lab->init_path, argv, lab->ledger, lab->cg, init_cgroup, &node->proc, err);
  daemon_argv_free(argv);
  if (rc < 0)
    return lab_error_wrap(err, "node %s", spec->name);
  supervise_watch(node->proc.pid, lab_on_node_exit, node);
  cleanup_close int netns = node_process_netns(&node->proc, err);
  if (netns < 0 ||
      netlink_veth_create(lab->fabric_nl, node->fabric_ifname, "eth0", netns, underlay_mtu(lab->sc),
                          err) < 0 ||
      netlink_link_set_master(lab->fabric_nl, node->fabric_ifname, UNDERLAY_BRIDGE, err) < 0 ||
      netlink_link_set_up(lab->fabric_nl, node->fabric_ifname, 1, err) < 0)
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

static int lab_dir_exists(const char *name, struct lab_error **err)
{
  char path[PATH_MAX];
  if (format_path(path, sizeof path, err, "%s/%s", paths_rundir(), name) < 0)
    return -1;
  struct stat st;
  return stat(path, &st) == 0;
}

static int write_scenario_copy(struct lab *lab, struct lab_error **err)
{
  char path[PATH_MAX];
  if (format_path(path, sizeof path, err, "%s/scenario", ledger_dir(lab->ledger)) < 0 ||
      ledger_record_path(lab->ledger, LEDGER_FILE, path, err) < 0)
    return -1;
  cleanup_fclose FILE *f = fopen(path, "wx");
  if (f == NULL)
    return lab_error_errno(err, "creating %s", path);
  fprintf(f, "%s\n", lab->sc->file);
  return 0;
}

/* The ledger, the scenario's copy, the cgroup manager and the lab's own cgroup
 * (to kill and remove whole; "nodelab" above it is shared by every lab). */
static int prepare(struct lab *lab, struct lab_error **err)
{
  char lab_cgroup[PATH_MAX];
  if (ensure_state_dir(err) < 0 || ledger_open(paths_rundir(), lab->name, &lab->ledger, err) < 0 ||
      write_scenario_copy(lab, err) < 0 ||
      cgroup_manager_open("/sys/fs/cgroup", &lab->cg, err) < 0 ||
      format_path(lab_cgroup, sizeof lab_cgroup, err, "nodelab/%s", lab->name) < 0)
    return -1;
  return cgroup_create(lab->cg, lab_cgroup, lab->ledger, err);
}

static void next_step(struct lab *lab)
{
  struct timeval now = {0, 0};
  evtimer_add(lab->step_ev, &now);
}

/* One step of the start per turn of the loop: the API and the other labs get
 * their turn between two nodes. */
static void on_start_step(evutil_socket_t fd, short what, void *arg)
{
  struct lab *lab = arg;
  if (lab->state != LAB_STARTING)
    return;
  cleanup_error struct lab_error *err = NULL;
  int rc = 0;
  switch (lab->step) {
  case LAB_STEP_PREPARE:
    rc = prepare(lab, &err);
    lab->step = LAB_STEP_FABRIC;
    break;
  case LAB_STEP_FABRIC:
    rc = spawn_fabric(lab, &err);
    lab->step = LAB_STEP_NODES;
    break;
  case LAB_STEP_NODES:
    if (lab->next_node < lab->n_nodes) {
      rc = spawn_node(lab, &lab->nodes[lab->next_node++], &err);
      lab_progress(lab);
    }
    if (lab->next_node == lab->n_nodes) {
      netlink_close(steal_pointer(&lab->fabric_nl));
      lab->step = LAB_STEP_WAITING;
    }
    break;
  case LAB_STEP_WAITING:
    return;
  }
  if (rc < 0) {
    lab_error_wrap(&err, "starting lab %s", lab->name);
    lab_finish_start(lab, err->msg);
    return;
  }
  if (lab->step != LAB_STEP_WAITING) {
    next_step(lab);
  } else {
    lab_check_ready(lab); /* a lab of no node is up at once */
  }
}

int lab_create(struct event_base *base, struct scenario *sc, const char *name, lab_ready_cb *cb,
               void *cb_arg, struct lab **out, struct lab_error **err)
{
  cleanup_free char *init = paths_find_binary("nodelab-init", "nodes");
  if (init == NULL) {
    scenario_free(sc);
    return lab_error_set(err, ENOENT,
                         "finding nodelab-init: not beside nodelabd, nor in $NODELAB_BINDIR, "
                         "nor on PATH");
  }
  int exists = lab_dir_exists(name, err);
  if (exists != 0) {
    scenario_free(sc);
    if (exists < 0)
      return -1;
    return lab_error_set(err, EEXIST,
                         "lab \"%s\" already exists or left objects behind (%s/%s); "
                         "run `nodelab down --force %s` first",
                         name, paths_rundir(), name, name);
  }
  struct lab *lab = xcalloc(1, sizeof *lab);
  lab->name = strdup(name);
  lab->sc = sc;
  lab->base = base;
  lab->state = LAB_STARTING;
  lab->created = time(NULL);
  timefmt_iso(lab->created_iso, &(struct timespec){.tv_sec = lab->created}, 0);
  lab->fabric.control_fd = -1;
  lab->init_path = steal_pointer(&init);
  lab->ready_cb = cb;
  lab->ready_arg = cb_arg;
  lab->n_nodes = sc->n_nodes;
  lab->nodes = calloc(sc->n_nodes ? sc->n_nodes : 1, sizeof *lab->nodes);
  lab->events = lab_events_new();
  lab->n_pods = sc->n_pods;
  lab->pods = calloc(sc->n_pods ? sc->n_pods : 1, sizeof *lab->pods);
  if (lab->name == NULL || lab->nodes == NULL || lab->pods == NULL)
    abort();
  for (size_t i = 0; i < sc->n_pods; i++) {
    lab->pods[i].lab = lab;
    lab->pods[i].spec = &sc->pods[i];
    lab->pods[i].fd = -1;
  }
  int rc = 0;
  for (size_t i = 0; i < sc->n_nodes; i++) {
    struct lab_node *node = &lab->nodes[i];
    node->lab = lab;
    node->spec = &sc->nodes[i];
    node->proc.control_fd = -1;
    if (rc == 0)
      rc = format_path(node->cgroup, sizeof node->cgroup, err, "nodelab/%s/%s", name,
                       node->spec->name);
    if (rc == 0)
      rc = format_path(node->fabric_ifname, sizeof node->fabric_ifname, err, "vn%zu", i + 1);
    char ip[16];
    if (rc == 0)
      rc = format_path(node->underlay, sizeof node->underlay, err, "%s/%d",
                       ipv4_format(node->spec->underlay, ip), sc->underlay.prefix);
    if (rc == 0)
      rc = format_path(node->subnet, sizeof node->subnet, err, "%s/%d",
                       ipv4_format(node->spec->subnet.addr, ip), node->spec->subnet.prefix);
    node_daemons_plan(sc, name, node->spec, &node->daemons, &node->n_daemons);
  }
  lab->step_ev = evtimer_new(base, on_start_step, lab);
  lab->timeout_ev = evtimer_new(base, on_start_timeout, lab);
  lab->stop_ev = evtimer_new(base, on_stop_step, lab);
  if (lab->events == NULL || lab->step_ev == NULL || lab->timeout_ev == NULL ||
      lab->stop_ev == NULL)
    abort();
  if (rc < 0) {
    lab->ready_cb = NULL;
    lab_destroy(lab, NULL, NULL);
    return lab_error_wrap(err, "starting lab %s", name);
  }
  lab_progress(lab);
  next_step(lab);
  *out = lab;
  return 0;
}

/* ---- removal ------------------------------------------------------------- */

static void lab_free(struct lab *lab)
{
  for (size_t i = 0; i < lab->n_nodes; i++) {
    struct lab_node *node = &lab->nodes[i];
    if (node->control_ev != NULL)
      event_free(node->control_ev);
    lab_node_events_free(node);
    node_process_kill(&node->proc); /* reaped already: closes the control socket */
    node_daemons_free(node->daemons, node->n_daemons);
  }
  node_process_kill(&lab->fabric);
  netlink_close(lab->fabric_nl);
  lab_exercise_free(lab);
  lab_faults_free(lab);
  lab_checks_free(lab);
  lab_pods_free(lab);
  lab_events_free(lab->events);
  event_free(lab->step_ev);
  event_free(lab->timeout_ev);
  event_free(lab->stop_ev);
  cgroup_manager_close(lab->cg);
  scenario_free(lab->sc);
  free(lab->nodes);
  free(lab->init_path);
  free(lab->name);
  free(lab);
}

/* Every init is reaped (or the wait timed out): undo the ledger, free, tell. */
static void finish_destroy(struct lab *lab)
{
  evtimer_del(lab->stop_ev);
  cleanup_error struct lab_error *err = NULL;
  bool had_ledger = lab->ledger != NULL;
  ledger_close(steal_pointer(&lab->ledger));
  int rc = had_ledger ? ledger_undo(paths_rundir(), lab->name, &err) : 0;
  log_info("lab %s removed%s", lab->name, rc == 0 ? "" : " (with errors)");
  lab_destroyed_cb *cb = lab->destroyed_cb;
  void *arg = lab->destroyed_arg;
  cleanup_free char *name = steal_pointer(&lab->name);
  lab_free(lab);
  if (cb != NULL)
    cb(name, rc == 0 ? NULL : err->msg, arg);
}

static struct node_process *stopping_process(struct lab *lab, pid_t pid)
{
  if (lab->fabric.pid == pid)
    return &lab->fabric;
  for (size_t i = 0; i < lab->n_nodes; i++)
    if (lab->nodes[i].proc.pid == pid)
      return &lab->nodes[i].proc;
  return NULL;
}

static void on_stopped_exit(pid_t pid, int status, void *arg)
{
  struct lab *lab = arg;
  struct node_process *p = stopping_process(lab, pid);
  if (p != NULL)
    p->pid = 0;
  if (--lab->stop_pending == 0)
    finish_destroy(lab);
}

static void forget_process(struct node_process *p)
{
  if (p->pid > 0)
    supervise_forget(p->pid);
  p->pid = 0;
}

static void on_stop_step(evutil_socket_t fd, short what, void *arg)
{
  struct lab *lab = arg;
  if (lab->stop_pending > 0) {
    log_warn("lab %s: %zu inits not reaped %d s after SIGKILL; undoing the ledger anyway",
             lab->name, lab->stop_pending, STOP_REAP_TIMEOUT_S);
    /* Whatever still exits is reaped as nobody's child (supervise.c). */
    for (size_t i = 0; i < lab->n_nodes; i++)
      forget_process(&lab->nodes[i].proc);
    forget_process(&lab->fabric);
    lab->stop_pending = 0;
  }
  finish_destroy(lab);
}

/* SIGKILLs p, and follows its exit with on_stopped_exit instead of whatever
 * watched it. */
static void stop_process(struct lab *lab, struct node_process *p)
{
  if (p->pid <= 0)
    return;
  node_process_signal_kill(p);
  supervise_forget(p->pid);
  supervise_watch(p->pid, on_stopped_exit, lab);
  lab->stop_pending++;
}

void lab_destroy(struct lab *lab, lab_destroyed_cb *cb, void *cb_arg)
{
  lab_exercise_lab_down(lab); /* recorded before its fault is repaired */
  lab_faults_repair_all(lab); /* best effort, while the nodes still run */
  lab->state = LAB_STOPPING;
  lab->ready_cb = NULL;
  lab->destroyed_cb = cb;
  lab->destroyed_arg = cb_arg;
  evtimer_del(lab->step_ev);
  evtimer_del(lab->timeout_ev);
  for (size_t i = 0; i < lab->n_nodes; i++) {
    struct lab_node *node = &lab->nodes[i];
    if (node->control_ev != NULL)
      event_del(node->control_ev);
    if (node->ready_poll != NULL)
      evtimer_del(node->ready_poll);
  }
  /* Killing each PID 1 ends its pid namespace, and with it every process of
   * the node: all at once, so the kernel tears the nodes down in parallel;
   * each is reaped when its SIGCHLD comes. */
  for (size_t i = 0; i < lab->n_nodes; i++)
    stop_process(lab, &lab->nodes[i].proc);
  stop_process(lab, &lab->fabric);
  struct timeval tv = {lab->stop_pending > 0 ? STOP_REAP_TIMEOUT_S : 0, 0};
  evtimer_add(lab->stop_ev, &tv);
}

const char *lab_name(const struct lab *lab)
{
  return lab->name;
}

pid_t lab_node_pid(const struct lab *lab, const char *node)
{
  if (lab->state == LAB_STOPPING)
    return 0;
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
