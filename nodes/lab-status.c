/* The lab as the API shows it: LAB_SUMMARY and LAB_STATUS (proto/api.h),
 * filled from the lab and encoded by proto. */
#include "lab-internal.h"
#include "lab-faults.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api.h"
#include "cgroup.h"
#include "json.h"
#include "proc.h"
#include "scenario.h"

/* The lab's states are the API's (lab.h, lab-internal.h, node-daemons.h). */
#define API_STATE(type, s) ((enum type)(s))

void lab_summary(const struct lab *lab, struct api_lab_summary *out)
{
  *out = (struct api_lab_summary){.name = lab->name,
                                  .scenario = lab->sc->name,
                                  .state = API_STATE(api_lab_state, lab->state),
                                  .nodes = (int64_t)lab->n_nodes,
                                  .pods = (int64_t)lab->sc->n_pods,
                                  .created = lab->created_iso};
}

struct json_object *lab_summary_json(const struct lab *lab)
{
  struct api_lab_summary s;
  lab_summary(lab, &s);
  return api_lab_summary_encode(&s);
}

static void fill_node(const struct lab_node *node, struct api_node *out)
{
  *out = (struct api_node){.name = node->spec->name,
                           .state = API_STATE(api_node_state, node->state),
                           .pid = node->proc.pid,
                           .starttime = (int64_t)node->proc.starttime,
                           .hostname = node->spec->name,
                           .underlay = node->underlay,
                           .subnet = node->subnet,
                           .cgroup = node->cgroup,
                           .daemons = xcalloc(node->n_daemons, sizeof *out->daemons),
                           .n_daemons = node->n_daemons};
  for (size_t i = 0; i < node->n_daemons; i++) {
    const struct node_daemon *d = &node->daemons[i];
    out->daemons[i] = (struct api_daemon){.name = d->name,
                                          .state = API_STATE(api_daemon_state, d->state),
                                          .pid = d->pid,
                                          .restarts = d->restarts,
                                          .last_status = d->last_status,
                                          .log = d->log};
  }
}

/* What the runtime said of the running pod (its pod-run reply): its
 * address, infra and containers; strings borrowed from pod->info. */
static void fill_pod(const struct lab *lab, const struct lab_pod *pod, struct api_pod *out)
{
  *out = (struct api_pod){.name = pod->spec->name,
                          .node = pod->spec->node,
                          .state = API_STATE(api_pod_state, pod->state),
                          .error = pod->error};
  struct json_object *info = pod->info;
  if (info == NULL)
    return;
  out->has_info = true;
  out->ip = json_get_str(info, "ip");
  out->infra_id = json_get_str(info, "infra_id");
  out->infra_pid = json_get_int(info, "infra_pid", 0);
  out->created = json_get_str(info, "created");
  struct json_object *ctrs = json_get_array(info, "containers");
  size_t n = ctrs != NULL ? json_object_array_length(ctrs) : 0;
  out->containers = xcalloc(n, sizeof *out->containers);
  for (size_t i = 0; i < n; i++) {
    struct json_object *c = json_object_array_get_idx(ctrs, i);
    out->containers[out->n_containers++] =
        (struct api_container){.id = json_get_str(c, "id"),
                               .name = json_get_str(c, "name"),
                               .state = json_get_str(c, "state"),
                               .has_process = json_object_object_get_ex(c, "pid", NULL),
                               .pid = json_get_int(c, "pid", 0),
                               .exit_code = json_get_int(c, "exit_code", 0),
                               .oom_killed = json_get_bool(c, "oom_killed", false)};
  }
  /* The runtime counts pids in its node's namespace; on the host, where
   * ps and nsenter run, the infra has another. */
  pid_t node_pid = lab_node_pid(lab, pod->spec->node);
  if (node_pid > 0 && json_object_object_get_ex(info, "infra_pid", NULL)) {
    out->has_infra_host_pid = true;
    out->infra_host_pid = proc_host_pid(node_pid, (pid_t)out->infra_pid);
  }
}

struct json_object *lab_status_json(const struct lab *lab)
{
  struct api_lab_status st = {
      .name = lab->name,
      .scenario = lab->sc->name,
      .state = API_STATE(api_lab_state, lab->state),
      .created = lab->created_iso,
      .description = lab->sc->description ? lab->sc->description : "",
      .file = lab->sc->file,
      .cgroup_mode = lab->cg != NULL ? cgroup_mode_name(cgroup_manager_mode(lab->cg)) : "",
      .nodes = xcalloc(lab->n_nodes, sizeof *st.nodes),
      .n_nodes = lab->n_nodes,
      .links = xcalloc(lab->n_nodes, sizeof *st.links),
      .n_links = lab->n_nodes,
      .pods = xcalloc(lab->n_pods, sizeof *st.pods),
      .n_pods = lab->n_pods,
      .fabric = {.pid = lab->fabric.pid,
                 .starttime = (int64_t)lab->fabric.starttime,
                 .bridge = UNDERLAY_BRIDGE},
  };
  for (size_t i = 0; i < lab->n_nodes; i++) {
    const struct lab_node *node = &lab->nodes[i];
    fill_node(node, &st.nodes[i]);
    st.links[i] = (struct api_link){.node = node->spec->name,
                                    .ifname = "eth0",
                                    .peer = node->fabric_ifname,
                                    .bridge = UNDERLAY_BRIDGE,
                                    .address = node->underlay};
  }
  for (size_t i = 0; i < lab->n_pods; i++)
    fill_pod(lab, &lab->pods[i], &st.pods[i]);
  st.n_faults = lab_faults_status(lab, &st.faults);
  lab_checks_status(lab, &st.checks, &st.n_checks);
  struct json_object *o = api_lab_status_encode(&st);
  api_lab_status_release(&st);
  return o;
}
