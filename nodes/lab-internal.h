/* What the lab's files share: the layout of a lab and its nodes, and the
 * steps of a node's life that more than one file takes. Not a public header. */
#ifndef NODELAB_LAB_INTERNAL_H
#define NODELAB_LAB_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <time.h>

#include <event2/event.h>

#include "lab.h"
#include "lab-events.h"
#include "node-daemons.h"
#include "node-process.h"
#include "timefmt.h"

struct json_object;
struct nl_sock;
struct scenario;
struct scenario_pod;
struct scenario_node;
struct lab_faults;
struct lab_exercise;

#define UNDERLAY_BRIDGE "underlay"

/* The API's states (proto/api.h) are the lab's own: status casts them. */
enum node_state {
  NODE_STARTING = API_NODE_STARTING,
  NODE_RUNNING = API_NODE_RUNNING,
  NODE_EXITED = API_NODE_EXITED,
  NODE_FAILED = API_NODE_FAILED
};

struct lab_node {
  struct lab *lab;
  const struct scenario_node *spec;
  struct node_process proc;
  enum node_state state;
  char fabric_ifname[16]; /* the near end of its eth0, on the fabric bridge */
  char cgroup[PATH_MAX];
  char underlay[24]; /* its eth0's address, A.B.C.D/P */
  char subnet[24];   /* its pod subnet, CIDR */
  struct event *control_ev;
  struct event *ready_poll; /* polls ready_socket of daemons that cannot notify */
  struct node_daemon *daemons;
  size_t n_daemons;
  int exit_status;
};

enum lab_pod_state {
  LAB_POD_PENDING = API_POD_PENDING,
  LAB_POD_STARTING = API_POD_STARTING,
  LAB_POD_RUNNING = API_POD_RUNNING,
  LAB_POD_FAILED = API_POD_FAILED
};

/* A pod of the scenario, as nodelabd follows it (lab-pods.c). */
struct lab_pod {
  struct lab *lab;
  const struct scenario_pod *spec;
  enum lab_pod_state state;
  int fd; /* the pod-run request's connection, -1 when none */
  struct event *ev;
  struct json_object *info; /* the runtime's description of the running pod */
  char *error;
};

/* Where an asynchronous start stands (lab.c): one step per turn of the
 * event loop, so that the API answers while a big lab comes up. */
enum lab_start_step {
  LAB_STEP_PREPARE, /* ledger, the lab's cgroup */
  LAB_STEP_FABRIC,  /* the fabric's init and its bridge */
  LAB_STEP_NODES,   /* one node per turn: nodes[next_node] */
  LAB_STEP_WAITING, /* every node spawned: waiting for them to be ready */
};

struct lab {
  char *name;
  struct scenario *sc;
  struct event_base *base;
  struct ledger *ledger;
  struct cgroup_manager *cg;
  enum lab_state state;
  time_t created;
  char created_iso[TIMEFMT_ISO_LEN];
  struct node_process fabric;
  struct lab_node *nodes;
  size_t n_nodes;
  struct lab_pod *pods;
  size_t n_pods;
  struct lab_events *events;
  char *init_path; /* nodelab-init */
  enum lab_start_step step;
  size_t next_node;          /* LAB_STEP_NODES: the next node to spawn */
  struct nl_sock *fabric_nl; /* the fabric's netlink socket while nodes are spawned */
  struct event *step_ev;     /* a zero timeout: the next start step */
  struct event *timeout_ev;  /* NODE_READY_TIMEOUT_S without progress: the start fails */
  lab_ready_cb *ready_cb;
  void *ready_arg;
  /* Removal (lab_destroy): the inits not yet reaped, a safety timer, and who waits. */
  size_t stop_pending;
  struct event *stop_ev;
  lab_destroyed_cb *destroyed_cb;
  void *destroyed_arg;
  struct lab_faults *faults;     /* lab-faults.c; NULL until the first fault request */
  struct lab_exercise *exercise; /* lab-exercises.c: the running or the last one, or NULL */
  /* Checks (lab-checks.c): the last result of each, the runs in flight. */
  struct lab_check_last *check_results;
  struct lab_check_run *check_runs;
};

/* The start made progress (a node spawned or ready, a daemon or pod ready):
 * the readiness timeout starts again. */
void lab_progress(struct lab *lab);
/* Ends the start of the lab (error NULL: it is up) and tells whoever waits. */
void lab_finish_start(struct lab *lab, const char *error);
/* A node failed to start: the lab fails with why. */
void lab_node_failed(struct lab_node *node, const char *why);
/* Declares the lab up once every node runs and every daemon has settled. */
void lab_check_ready(struct lab *lab);
/* Starts every waiting daemon of node whose dependency is met (node-events.c). */
void lab_node_start_due_daemons(struct lab_node *node);
/* libevent callback for a node's control socket (node-events.c). */
void lab_on_node_control(evutil_socket_t fd, short what, void *arg);
/* Frees what node-events.c keeps for a node. */
void lab_node_events_free(struct lab_node *node);
/* supervise.h callback: a node's init exited (node-events.c). */
void lab_on_node_exit(pid_t pid, int status, void *arg);

/* Pods (lab-pods.c): start those of a node whose runtime is ready; true when
 * every pod that can run does; "pending", "starting"...; free them all. */
void lab_pods_start(struct lab_node *node);
bool lab_pods_settled(const struct lab *lab);
bool lab_node_has_runtime(const struct lab_node *node);
void lab_pods_free(struct lab *lab);

/* Checks (lab-checks.c): the last results as LAB_STATUS's "checks" (a new
 * array of those that ran, strings borrowed from the lab); free them all. */
struct api_check;
void lab_checks_status(const struct lab *lab, struct api_check **out, size_t *n);
void lab_checks_free(struct lab *lab);

#endif
