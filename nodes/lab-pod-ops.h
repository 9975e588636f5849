/* A running lab's pods, acted on after up (lab-pod-ops.c): killed and
 * started again through their node's runtime (proto/runtime-rpc.h pod-kill,
 * pod-start), for the fault engine's pod-kill and `nodelab pod start`.
 * Each call is one round trip on the runtime's socket, bounded by
 * LAB_POD_OP_TIMEOUT_S; the lab's record of the pod (its address, infra
 * and containers, what checks resolve) follows the runtime's answer. */
#ifndef NODELAB_LAB_POD_OPS_H
#define NODELAB_LAB_POD_OPS_H

#include <stdbool.h>

#include "error.h"

struct json_object;
struct lab;

#define LAB_POD_OP_TIMEOUT_S 15

/* SIGKILL of every process of the pod; nothing restarts it.  0, or -1 and
 * *err (ENOENT: no such pod, its message lists them). */
int lab_pod_kill(struct lab *lab, const char *pod, struct lab_error **err);
/* Runs it again as it was (same name, address, containers); a running pod: 0. */
int lab_pod_start(struct lab *lab, const char *pod, struct lab_error **err);
/* Whether its infra and every container run, as its runtime says now. */
int lab_pod_running(struct lab *lab, const char *pod, bool *running, struct lab_error **err);

/* POST /v1/labs/LAB/pods/POD/start: lab_pod_start, and the pod as status
 * shows it (*code 200), or {"error"} (404, 409, 500).  New object. */
struct json_object *lab_pod_start_reply(struct lab *lab, const char *pod, int *code);

#endif
