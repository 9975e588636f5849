#include "lab.h"

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

#define UNDERLAY_BRIDGE "underlay"
#define UNDERLAY_MTU 1500
#define NODE_READY_TIMEOUT_S 30

enum node_state { NODE_STARTING, NODE_RUNNING, NODE_EXITED, NODE_FAILED };
static const char *const node_state_names[] = {"starting", "running", "exited", "failed"};
static const char *const lab_state_names[] = {"starting", "up", "failed", "stopping"};

struct lab_node {
  struct lab *lab;
  const struct scenario_node *spec;
  struct node_process proc;
  enum node_state state;
  char fabric_ifname[16]; /* the near end of its eth0, on the fabric bridge */
  char cgroup[PATH_MAX];
  struct event *control_ev;
  struct node_daemon *daemons;
  size_t n_daemons;
  int exit_status;
};

struct lab {
  char *name;
  struct scenario *sc;
  struct event_base *base;
  struct ledger *ledger;
  struct cgroup_manager *cg;
  enum lab_state state;
  time_t created;
  struct node_process fabric;
  struct lab_node *nodes;
  size_t n_nodes;
  char bindir[PATH_MAX]; /* where nodelabd, nodelab-init and the node daemons are */
  struct event *timeout_ev;
  lab_ready_cb *ready_cb;
  void *ready_arg;
};

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

static void finish_start(struct lab *lab, const char *error)
{
  if (lab->state != LAB_STARTING)
    return;
  lab->state = error == NULL ? LAB_UP : LAB_FAILED;
  if (lab->timeout_ev != NULL)
    evtimer_del(lab->timeout_ev);
  if (error == NULL)
    log_info("lab %s is up: %zu nodes", lab->name, lab->n_nodes);
  else
    log_err("lab %s failed to start: %s", lab->name, error);
  if (lab->ready_cb != NULL)
    lab->ready_cb(lab, error, lab->ready_arg);
}

static void node_failed(struct lab_node *node, const char *why)
{
  node->state = NODE_FAILED;
  char msg[512];
  snprintf(msg, sizeof msg, "node %s: %s", node->spec->name, why);
  finish_start(node->lab, msg);
}

/* The lab is up once every node is running and every daemon has settled. */
static void check_lab_ready(struct lab *lab)
{
  if (lab->state != LAB_STARTING)
    return;
  for (size_t i = 0; i < lab->n_nodes; i++) {
    const struct lab_node *node = &lab->nodes[i];
    if (node->state != NODE_RUNNING)
      return;
    for (size_t j = 0; j < node->n_daemons; j++)
      if (!node_daemon_settled(&node->daemons[j]))
        return;
  }
  finish_start(lab, NULL);
}

static void spawn_daemon(struct lab_node *node, struct node_daemon *d)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "op", json_object_new_string("spawn"));
  json_object_object_add(o, "name", json_object_new_string(d->name));
  json_object_object_add(o, "log", json_object_new_string(d->log));
  struct json_object *argv = json_object_new_array();
  for (char **a = d->argv; *a != NULL; a++)
    json_object_array_add(argv, json_object_new_string(*a));
  json_object_object_add(o, "argv", argv);
  if (node_control_send(node->proc.control_fd, o) < 0)
    log_warn("node %s: cannot ask for %s: %s", node->spec->name, d->name, strerror(errno));
  json_object_put(o);
  d->state = DAEMON_STARTED; /* confirmed by "started", or undone by "spawn-failed" */
}

/* Starts every waiting daemon whose dependency is met. */
static void start_due_daemons(struct lab_node *node)
{
  for (size_t i = 0; i < node->n_daemons; i++) {
    struct node_daemon *d = &node->daemons[i];
    if (d->state != DAEMON_WAITING)
      continue;
    const struct node_daemon *dep = NULL;
    for (size_t j = 0; d->after != NULL && j < node->n_daemons; j++)
      if (strcmp(node->daemons[j].name, d->after) == 0)
        dep = &node->daemons[j];
    int due = dep == NULL || (dep->oneshot ? dep->state == DAEMON_EXITED
                                           : dep->state == DAEMON_STARTED ||
                                                 dep->state == DAEMON_READY);
    if (due)
      spawn_daemon(node, d);
  }
}

static struct node_daemon *find_daemon(struct lab_node *node, const char *name)
{
  for (size_t i = 0; name != NULL && i < node->n_daemons; i++)
    if (strcmp(node->daemons[i].name, name) == 0)
      return &node->daemons[i];
  return NULL;
}

static void on_daemon_exit(struct lab_node *node, struct node_daemon *d, int status)
{
  d->pid = 0;
  d->last_status = status;
  int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (d->oneshot && ok) {
    d->state = DAEMON_EXITED;
    start_due_daemons(node);
    check_lab_ready(node->lab);
    return;
  }
  char why[PATH_MAX + 128];
  snprintf(why, sizeof why, "%s %s %d (see %s in the node)", d->name,
           WIFSIGNALED(status) ? "was killed by signal" : "exited with status",
           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), d->log);
  if (node->lab->state == LAB_STARTING) {
    d->state = DAEMON_FAILED;
    node_failed(node, why);
    return;
  }
  /* Up and running: a long-running daemon that dies is reported and restarted. */
  log_warn("node %s: %s; restarting it", node->spec->name, why);
  d->restarts++;
  d->state = DAEMON_WAITING;
  start_due_daemons(node);
}

static void on_node_event(struct lab_node *node, struct json_object *msg)
{
  struct json_object *v;
  const char *event = json_object_object_get_ex(msg, "event", &v) ? json_object_get_string(v) : "";
  const char *name = json_object_object_get_ex(msg, "name", &v) ? json_object_get_string(v) : NULL;
  const char *message =
      json_object_object_get_ex(msg, "message", &v) ? json_object_get_string(v) : "";
  struct node_daemon *d = find_daemon(node, name);
  if (strcmp(event, "ready") == 0) {
    node->state = NODE_RUNNING;
    start_due_daemons(node);
    check_lab_ready(node->lab);
  } else if (strcmp(event, "error") == 0) {
    node_failed(node, message);
  } else if (d == NULL) {
    log_warn("node %s: event %s for unknown daemon %s", node->spec->name, event,
             name ? name : "(none)");
  } else if (strcmp(event, "started") == 0) {
    int ns_pid = json_object_object_get_ex(msg, "pid", &v) ? json_object_get_int(v) : 0;
    d->pid = node_control_host_pid(node->proc.pid, ns_pid);
    start_due_daemons(node);
    check_lab_ready(node->lab);
  } else if (strcmp(event, "notify") == 0) {
    if (strcmp(message, "READY=1") == 0 && d->state == DAEMON_STARTED) {
      d->state = DAEMON_READY;
      check_lab_ready(node->lab);
    }
  } else if (strcmp(event, "spawn-failed") == 0) {
    d->state = DAEMON_FAILED;
    char why[512];
    snprintf(why, sizeof why, "cannot start %s: %s", d->name, message);
    node_failed(node, why);
  } else if (strcmp(event, "exited") == 0) {
    int status = json_object_object_get_ex(msg, "status", &v) ? json_object_get_int(v) : -1;
    on_daemon_exit(node, d, status);
  }
}

static void on_node_control(evutil_socket_t fd, short what, void *arg)
{
  struct lab_node *node = arg;
  struct json_object *msg = NULL;
  int rc = node_control_recv(fd, &msg);
  if (rc < 0 && errno == EAGAIN)
    return;
  if (rc <= 0) {
    /* nodelab-init is gone; on_node_exit tells the rest. */
    event_del(node->control_ev);
    return;
  }
  on_node_event(node, msg);
  json_object_put(msg);
}

static void on_node_exit(pid_t pid, int status, void *arg)
{
  struct lab_node *node = arg;
  node->exit_status = status;
  node->proc.pid = 0;
  log_warn("node %s (pid %d) exited with status %d", node->spec->name, (int)pid, status);
  if (node->state == NODE_STARTING) {
    node_failed(node, "exited before it was ready");
  } else {
    node->state = NODE_EXITED;
  }
}

static void on_start_timeout(evutil_socket_t fd, short what, void *arg)
{
  finish_start(arg, "nodes were not ready within 30 s");
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
  snprintf(node->fabric_ifname, sizeof node->fabric_ifname, "vn%zu", index + 1);
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
  supervise_watch(node->proc.pid, on_node_exit, node);
  cleanup_close int netns = node_process_netns(&node->proc, err);
  if (netns < 0 ||
      netlink_veth_create(fabric_nl, node->fabric_ifname, "eth0", netns, UNDERLAY_MTU, err) < 0 ||
      netlink_link_set_master(fabric_nl, node->fabric_ifname, UNDERLAY_BRIDGE, err) < 0 ||
      netlink_link_set_up(fabric_nl, node->fabric_ifname, 1, err) < 0)
    return lab_error_wrap(err, "node %s", spec->name);
  node->control_ev = event_new(lab->base, node->proc.control_fd, EV_READ | EV_PERSIST,
                               on_node_control, node);
  event_add(node->control_ev, NULL);
  if (node_process_go(&node->proc, err) < 0)
    return lab_error_wrap(err, "node %s", spec->name);
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
  for (size_t i = 0; i < sc->n_nodes; i++) {
    lab->nodes[i].lab = lab;
    lab->nodes[i].spec = &sc->nodes[i];
    lab->nodes[i].proc.control_fd = -1;
    node_daemons_plan(sc, &sc->nodes[i], bindir, &lab->nodes[i].daemons,
                      &lab->nodes[i].n_daemons);
  }

  struct nl_sock *fabric_nl = NULL;
  int rc = ledger_open(paths_rundir(), name, &lab->ledger, err);
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
  /* Killing each PID 1 ends its pid namespace, and with it every process of the node. */
  for (size_t i = 0; i < lab->n_nodes; i++) {
    struct lab_node *node = &lab->nodes[i];
    if (node->control_ev != NULL)
      event_free(node->control_ev);
    node_process_kill(&node->proc);
    node_daemons_free(node->daemons, node->n_daemons);
  }
  node_process_kill(&lab->fabric);
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

enum lab_state lab_state(const struct lab *lab)
{
  return lab->state;
}

static struct json_object *iso_time(time_t t)
{
  char buf[32];
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return json_object_new_string(buf);
}

struct json_object *lab_summary_json(const struct lab *lab)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "name", json_object_new_string(lab->name));
  json_object_object_add(o, "scenario", json_object_new_string(lab->sc->name));
  json_object_object_add(o, "state", json_object_new_string(lab_state_names[lab->state]));
  json_object_object_add(o, "nodes", json_object_new_int((int)lab->n_nodes));
  json_object_object_add(o, "pods", json_object_new_int((int)lab->sc->n_pods));
  json_object_object_add(o, "created", iso_time(lab->created));
  return o;
}

static struct json_object *cidr_json(uint32_t addr, int prefix)
{
  char ip[16], buf[24];
  snprintf(buf, sizeof buf, "%s/%d", scenario_ip_string(addr, ip), prefix);
  return json_object_new_string(buf);
}

static struct json_object *node_json(const struct lab *lab, const struct lab_node *node)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "name", json_object_new_string(node->spec->name));
  json_object_object_add(o, "state", json_object_new_string(node_state_names[node->state]));
  json_object_object_add(o, "pid", json_object_new_int(node->proc.pid));
  json_object_object_add(o, "starttime", json_object_new_int64((int64_t)node->proc.starttime));
  json_object_object_add(o, "hostname", json_object_new_string(node->spec->name));
  json_object_object_add(o, "underlay", cidr_json(node->spec->underlay, lab->sc->underlay.prefix));
  json_object_object_add(o, "subnet",
                         cidr_json(node->spec->subnet.addr, node->spec->subnet.prefix));
  json_object_object_add(o, "cgroup", json_object_new_string(node->cgroup));
  struct json_object *daemons = json_object_new_array();
  for (size_t i = 0; i < node->n_daemons; i++)
    json_object_array_add(daemons, node_daemon_json(&node->daemons[i]));
  json_object_object_add(o, "daemons", daemons);
  return o;
}

struct json_object *lab_status_json(const struct lab *lab)
{
  struct json_object *o = lab_summary_json(lab);
  json_object_object_add(o, "description",
                         json_object_new_string(lab->sc->description ? lab->sc->description : ""));
  json_object_object_add(o, "file", json_object_new_string(lab->sc->file));
  json_object_object_add(
      o, "cgroup_mode",
      json_object_new_string(cgroup_mode_name(cgroup_manager_mode(lab->cg))));
  struct json_object *nodes = json_object_new_array();
  struct json_object *links = json_object_new_array();
  for (size_t i = 0; i < lab->n_nodes; i++) {
    const struct lab_node *node = &lab->nodes[i];
    json_object_array_add(nodes, node_json(lab, node));
    struct json_object *l = json_object_new_object();
    json_object_object_add(l, "node", json_object_new_string(node->spec->name));
    json_object_object_add(l, "ifname", json_object_new_string("eth0"));
    json_object_object_add(l, "peer", json_object_new_string(node->fabric_ifname));
    json_object_object_add(l, "bridge", json_object_new_string(UNDERLAY_BRIDGE));
    json_object_object_add(l, "address",
                           cidr_json(node->spec->underlay, lab->sc->underlay.prefix));
    json_object_array_add(links, l);
  }
  json_object_object_add(o, "nodes", nodes);
  json_object_object_add(o, "links", links);
  struct json_object *fabric = json_object_new_object();
  json_object_object_add(fabric, "pid", json_object_new_int(lab->fabric.pid));
  json_object_object_add(fabric, "starttime", json_object_new_int64((int64_t)lab->fabric.starttime));
  json_object_object_add(fabric, "bridge", json_object_new_string(UNDERLAY_BRIDGE));
  json_object_object_add(o, "fabric", fabric);
  struct json_object *pods = json_object_new_array();
  for (size_t i = 0; i < lab->sc->n_pods; i++) {
    const struct scenario_pod *pod = &lab->sc->pods[i];
    struct json_object *p = json_object_new_object();
    json_object_object_add(p, "name", json_object_new_string(pod->name));
    json_object_object_add(p, "node", json_object_new_string(pod->node));
    /* Honest: pods wait for the runtime (a later issue). */
    json_object_object_add(p, "state", json_object_new_string("pending"));
    json_object_object_add(p, "reason", json_object_new_string("the pod runtime is not built yet"));
    json_object_array_add(pods, p);
  }
  json_object_object_add(o, "pods", pods);
  json_object_object_add(o, "faults", json_object_new_array());
  json_object_object_add(o, "checks", json_object_new_array());
  return o;
}
