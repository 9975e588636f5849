/* Resolving a scenario check into a probe (nodes/lab-checks.c): pure, over
 * lookups into the running lab, so unit tests give a fake lab. */
#ifndef NODELAB_LAB_CHECKS_H
#define NODELAB_LAB_CHECKS_H

#include <sys/types.h>

#include "error.h"

struct probe_spec;
struct scenario;
struct scenario_check;

/* What resolution asks of the running lab. */
struct lab_check_env {
  /* The host pid of node's init while it runs, else 0. */
  pid_t (*node_pid)(void *ctx, const char *node);
  /* The host pid of the pod's infra process (its network namespace) while it
   * runs, else 0. */
  pid_t (*pod_pid)(void *ctx, const char *pod);
  /* The pod's IPv4 address as text, or NULL with *why saying why ("it is
   * pending"). */
  const char *(*pod_ip)(void *ctx, const char *pod, const char **why);
  void *ctx;
};

/* Builds the probe of check chk of scenario sc into *spec (init'ed here;
 * the caller clears it) and the host pid it runs from into *pid: for a
 * network probe the namespace holder (a pod's infra for from NODE/POD, the
 * node's init for from NODE), for exec the node's init (the spec names the
 * pod and container when there are).  Targets: a node is its underlay
 * address, a pod its IP, else the IPv4 literal.  The check's parameters map
 * to the probe's; ping echoes go SCENARIO_CHECK_PING_INTERVAL_MS apart.
 * Returns 0, or -1 and *err in words ("node node2 is not running", "pod web
 * has no address (it is pending)") with *spec cleared. */
int lab_check_resolve(const struct scenario *sc, const struct scenario_check *chk,
                      const struct lab_check_env *env, struct probe_spec *spec, pid_t *pid,
                      struct lab_error **err);

#endif
