/* The fault engine: the kinds of scenario/fault-kinds.h made real.  A fault
 * is prepared from its kind and k=v parameters (checked against the kind's
 * schema, the missing ones filled with a target in the running lab where the
 * fault bites), injected (what it touches is snapshotted first), asked
 * whether it is still present (by looking at the real state, so a repair by
 * hand with ip, ethtool or ovs-ofctl counts), and repaired exactly from the
 * snapshot.
 *
 * The engine sees the lab only through a struct fault_view of plain data
 * that its caller (nodelabd) fills, and acts through a struct fault_backend
 * (fault_backend_real(), or a fake in unit tests: fault-internal.h).
 *
 * Fallible functions return 0, or -1 and *err (errnum EINVAL for a bad
 * parameter, ENOENT for a target that is not in the lab, ENOTSUP for a kind
 * not implemented yet or needing what this kernel lacks). */
#ifndef NODELAB_FAULT_H
#define NODELAB_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "fault-kinds.h"

/* A daemon of a node (nodes/node-daemons.h), as its supervisor sees it. */
struct fault_view_daemon {
  const char *name; /* "ovs-vswitchd", as daemon-kill's daemon parameter names it */
  pid_t pid;        /* host pid while running, else 0 */
  bool running;     /* started (or ready) and not exited */
};

/* A node of the running lab, as the engine sees it.  Strings are borrowed. */
struct fault_view_node {
  const char *name;
  pid_t pid;                 /* its init's host pid: /proc/PID/ns/net is the node's netns */
  const char *underlay;      /* its underlay address, "A.B.C.D/P" */
  const char *subnet;        /* its pod subnet, CIDR */
  const char *fabric_ifname; /* the fabric-side end of its eth0 (in the fabric's netns) */
  const struct fault_view_daemon *daemons; /* in start order */
  size_t n_daemons;
};

/* A container of a pod, as the node's runtime described it. */
struct fault_view_container {
  const char *name;   /* short, as in the scenario ("httpd") */
  const char *id;     /* the runtime's id (a KEY of its RPC) */
  const char *cgroup; /* its relative cgroup path (cgroup.h), the same on the host; NULL: unknown */
  bool running;       /* as the runtime last said (a restart keeps it running) */
  pid_t pid;          /* host pid of its main process when found; 0: not (any more) */
};

/* A pod of the running lab. */
struct fault_view_pod {
  const char *name;
  const char *node;
  const char *ip;  /* NULL: not known (not running) */
  pid_t infra_pid; /* host pid of its infra process (holds its netns); 0: not running */
  const struct fault_view_container *containers;
  size_t n_containers;
};

struct fault_view {
  const struct fault_view_node *nodes;
  size_t n_nodes;
  const struct fault_view_pod *pods;
  size_t n_pods;
  pid_t fabric_pid; /* the fabric's init (holds the underlay bridge) */
  /* Which of the targets where a kind bites fills the parameters left unset
   * (an exercise's seed): the pick-th candidate, modulo their number.  0:
   * the first, today's choice. */
  uint32_t pick;
};

/* One k=v parameter given by a user or a scenario. */
struct fault_kv {
  const char *key, *value;
};

struct fault;
struct fault_backend;

/* What the process kinds (daemon-kill, pod-kill) ask of whoever supervises
 * the lab's processes (nodelabd): the engine holds no nodes/ state, only
 * these callbacks, each given ctx.  Each returns 0, or -1 and *err naming
 * the node, daemon or pod. */
struct fault_procs {
  void *ctx;
  /* SIGKILLs the daemon and pauses its supervision: nothing restarts it. */
  int (*daemon_kill)(void *ctx, const char *node, const char *daemon, struct lab_error **err);
  /* Starts it again as at up (same argv, readiness) and resumes its
   * supervision; a daemon that runs already: 0. */
  int (*daemon_start)(void *ctx, const char *node, const char *daemon, struct lab_error **err);
  /* Whether its process runs now (looked at, not remembered). */
  int (*daemon_running)(void *ctx, const char *node, const char *daemon, bool *running,
                        struct lab_error **err);
  /* SIGKILLs every process of the pod (containers and infra) through its
   * runtime; nothing restarts them. */
  int (*pod_kill)(void *ctx, const char *pod, struct lab_error **err);
  /* Runs the pod again as it was (same name, address, containers and
   * commands); a pod that runs already: 0. */
  int (*pod_start)(void *ctx, const char *pod, struct lab_error **err);
  /* Whether its infra and every container run now. */
  int (*pod_running)(void *ctx, const char *pod, bool *running, struct lab_error **err);
};

/* The backend acting on the real system (netns fds from /proc/PID/ns/net,
 * netfault.h primitives, netstate capture), without process callbacks (the
 * process kinds are refused).  Static; never freed. */
const struct fault_backend *fault_backend_real(void);

/* The real backend with procs (copied; its ctx must outlive the backend).
 * Free with fault_backend_free. */
struct fault_backend *fault_backend_real_new(const struct fault_procs *procs);
void fault_backend_free(struct fault_backend *be);

/* Whether the engine implements kind (the others are refused with ENOTSUP). */
bool fault_kind_implemented(enum fault_kind kind);

/* The symptom a learner notices, and a NULL-terminated ladder of hints, for
 * kind (static storage; never NULL). */
const char *fault_kind_symptom(enum fault_kind kind);
const char *const *fault_kind_hints(enum fault_kind kind);

/* Prepares a fault of kind with the n parameters kv (copied): each key must
 * be a parameter of the kind ("kind link-mtu: unknown parameter colour"),
 * each value parse as its type; the missing ones are filled from view (a
 * target where the fault bites, e.g. the node of the first running pod) and
 * named ones checked against it ("kind link-mtu: no node named x").  Nothing
 * is touched.  Returns 0 and *out (free with fault_free), or -1 and *err. */
int fault_prepare(enum fault_kind kind, const struct fault_kv *kv, size_t n,
                  const struct fault_view *view, struct fault **out, struct lab_error **err);

/* Injects f: snapshots what it touches, then breaks it.  On failure nothing
 * is left broken (what was done is undone).  Call once. */
int fault_inject(struct fault *f, const struct fault_view *view, const struct fault_backend *be,
                 struct lab_error **err);

/* Repairs f exactly from its snapshot (also when it was repaired by hand
 * meanwhile: putting back what is already back is a no-op).  On failure the
 * snapshot is kept, so repair can be retried.  An uninjected f: 0. */
int fault_repair(struct fault *f, const struct fault_backend *be, struct lab_error **err);

/* Whether f, injected, is still present in the real state (*present false:
 * someone put back what it broke). */
int fault_present(struct fault *f, const struct fault_backend *be, bool *present,
                  struct lab_error **err);

enum fault_kind fault_get_kind(const struct fault *f);

/* The resolved parameters, in the kind's table order: n of them (all the
 * kind's parameters once prepared).  Strings are f's. */
size_t fault_n_params(const struct fault *f);
void fault_param_at(const struct fault *f, size_t i, const char **key, const char **value);
/* The value of parameter key, or NULL. */
const char *fault_param(const struct fault *f, const char *key);

/* Where f acts, in words: "node2 eth0 (mtu 1300)". f's string. */
const char *fault_target(const struct fault *f);

/* What a learner types to repair f by hand, with the values of its snapshot
 * (the old MTU, the flow as it was): a new NULL-terminated list of shell
 * command lines run from the host (nodelab exec NODE -- ..., or nsenter into
 * a pod's or the fabric's namespace), free with strv_free(); NULL for an
 * uninjected fault or a kind without a recipe (fault-explain.c). */
char **fault_hand_repair(const struct fault *f);

/* The state of what f touches, as canonical text (*text malloc'd): the
 * network state of each namespace it acts in (netstate_format), and for the
 * OVS kinds the node's tunnel flows or its vxlan0 port.  Equal texts before
 * inject and after a repair: nothing was left behind. */
int fault_capture_touched(const struct fault *f, const struct fault_backend *be, char **text,
                          struct lab_error **err);

/* Frees f (accepts NULL).  An injected fault is not repaired by this. */
void fault_free(struct fault *f);

#endif
