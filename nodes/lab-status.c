/* The lab as JSON: the API's LAB_SUMMARY and LAB_STATUS (common/api.h). */
#include "lab-internal.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cgroup.h"
#include "proc.h"
#include "scenario.h"
#include "timefmt.h"

static const char *const node_state_names[] = {"starting", "running", "exited", "failed"};
static const char *const lab_state_names[] = {"starting", "up", "failed", "stopping"};

static struct json_object *iso_time(time_t t)
{
  char buf[TIMEFMT_ISO_LEN];
  return json_object_new_string(timefmt_iso(buf, &(struct timespec){.tv_sec = t}, 0));
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
  json_object_object_add(o, "cgroup_mode",
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
    json_object_object_add(l, "address", cidr_json(node->spec->underlay, lab->sc->underlay.prefix));
    json_object_array_add(links, l);
  }
  json_object_object_add(o, "nodes", nodes);
  json_object_object_add(o, "links", links);
  struct json_object *fabric = json_object_new_object();
  json_object_object_add(fabric, "pid", json_object_new_int(lab->fabric.pid));
  json_object_object_add(fabric, "starttime",
                         json_object_new_int64((int64_t)lab->fabric.starttime));
  json_object_object_add(fabric, "bridge", json_object_new_string(UNDERLAY_BRIDGE));
  json_object_object_add(o, "fabric", fabric);
  struct json_object *pods = json_object_new_array();
  for (size_t i = 0; i < lab->n_pods; i++) {
    const struct lab_pod *pod = &lab->pods[i];
    struct json_object *p = json_object_new_object();
    json_object_object_add(p, "name", json_object_new_string(pod->spec->name));
    json_object_object_add(p, "node", json_object_new_string(pod->spec->node));
    json_object_object_add(p, "state", json_object_new_string(lab_pod_state_name(pod->state)));
    if (pod->error != NULL)
      json_object_object_add(p, "error", json_object_new_string(pod->error));
    /* What the runtime said of the running pod: its address, infra and containers. */
    if (pod->info != NULL) {
      json_object_object_foreach(pod->info, key, val)
      {
        if (strcmp(key, "name") != 0 && strcmp(key, "state") != 0)
          json_object_object_add(p, key, json_object_get(val));
      }
    }
    if (json_object_object_get_ex(p, "containers", NULL) == 0)
      json_object_object_add(p, "containers", json_object_new_array());
    /* The runtime counts pids in its node's namespace; on the host, where
     * ps and nsenter run, the infra has another. */
    struct json_object *infra = NULL;
    pid_t node_pid = lab_node_pid(lab, pod->spec->node);
    if (node_pid > 0 && json_object_object_get_ex(p, "infra_pid", &infra))
      json_object_object_add(
          p, "infra_host_pid",
          json_object_new_int(proc_host_pid(node_pid, (pid_t)json_object_get_int(infra))));
    json_object_array_add(pods, p);
  }
  json_object_object_add(o, "pods", pods);
  json_object_object_add(o, "faults", json_object_new_array());
  json_object_object_add(o, "checks", json_object_new_array());
  return o;
}
