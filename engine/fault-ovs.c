/* The OVS kinds, through netd's nodelab-ovs helper on the node's switch
 * (nodelabd links no libopenvswitch): flow-delete, tunnel-dst and
 * vni-mismatch act on the tunnel flow of table 90 towards a remote node's
 * subnet, tunnel-port-delete on br0's vxlan0.  The snapshot is the flow's canonical dump line (or
 * the port's settings), which nodelab-ovs reads back into the same flow. */
#include "fault-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ipv4.h"
#include "sdn-layout.h"

#define BRIDGE SDN_BRIDGE
#define TUNNEL_TABLE "90"
#define VXLAN_PORT SDN_VXLAN_PORT
#define WRONG_VNI "1"  /* vni-mismatch's default: any VNI but SDN_VNI */
#define WRONG_HOST 250 /* tunnel-dst's default: .250 of the remote's underlay */

int fault_ovs(const struct fault_backend *be, pid_t pid, const char *const *args, char **out,
              struct lab_error **err)
{
  if (be->ops->ovs == NULL)
    return fault_refuse(err, ENOTSUP, "this backend has no OVS");
  if (pid <= 0)
    return fault_refuse(err, ESRCH, "the node is not running");
  return be->ops->ovs(be->ctx, pid, args, out, err);
}

/* The line of text (a dump of flows) holding needle, malloc'd into *line, or NULL. */
static char *find_line(const char *text, const char *needle)
{
  for (const char *p = text; p != NULL && *p != '\0';) {
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    char *line = strndup(p, len);
    if (line == NULL)
      abort();
    if (strstr(line, needle) != NULL)
      return line;
    free(line);
    p = end ? end + 1 : NULL;
  }
  return NULL;
}

static bool has_line(const char *text, const char *line)
{
  size_t len = strlen(line);
  for (const char *p = text; p != NULL && *p != '\0';) {
    if (strncmp(p, line, len) == 0 && (p[len] == '\n' || p[len] == '\0'))
      return true;
    p = strchr(p, '\n');
    p = p ? p + 1 : NULL;
  }
  return false;
}

static int dump_tunnel_flows(const struct fault_backend *be, pid_t pid, char **out,
                             struct lab_error **err)
{
  const char *args[] = {"dump-flows", BRIDGE, "--table", TUNNEL_TABLE, NULL};
  return fault_ovs(be, pid, args, out, err);
}

/* node and remote, both running and different; the target names them. */
static int resolve_pair(struct fault *f, const struct fault_view *v,
                        const struct fault_view_node **node, const struct fault_view_node **remote,
                        struct lab_error **err)
{
  if (fault_resolve_node(f, v, "node", node, err) < 0 ||
      fault_resolve_node(f, v, "remote", remote, err) < 0)
    return -1;
  if (*node == *remote)
    return fault_refuse(err, EINVAL, "kind %s: remote must be another node than %s", f->spec->name,
                        (*node)->name);
  return 0;
}

/* ---- flow-delete {node, remote} ---- */

static int flow_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  const struct fault_view_node *node, *remote;
  if (resolve_pair(f, v, &node, &remote, err) < 0)
    return -1;
  fault_set_target(f, node->pid, "", "%s " BRIDGE " table " TUNNEL_TABLE " flow to %s (%s)",
                   node->name, remote->name, remote->subnet);
  snprintf(f->ovs_match, sizeof f->ovs_match, ",nw_dst=%s ", remote->subnet);
  return 0;
}

static const char *flow_needle(const struct fault *f)
{
  return f->ovs_match;
}

static int snapshot_tunnel_flow(struct fault *f, const struct fault_backend *be,
                                struct lab_error **err)
{
  cleanup_free char *dump = NULL;
  if (dump_tunnel_flows(be, f->pid, &dump, err) < 0)
    return -1;
  f->ovs_old = find_line(dump, flow_needle(f));
  if (f->ovs_old == NULL)
    return fault_refuse(err, ENOENT, "no tunnel flow matching%s in table " TUNNEL_TABLE,
                        flow_needle(f));
  return 0;
}

static int flow_delete_inject(struct fault *f, const struct fault_backend *be,
                              struct lab_error **err)
{
  if (snapshot_tunnel_flow(f, be, err) < 0)
    return -1;
  const char *args[] = {"del-flows", BRIDGE, "--strict", f->ovs_old, NULL};
  return fault_ovs(be, f->pid, args, NULL, err);
}

/* Puts the snapshotted flow back (add-flows replaces a flow of the same
 * table, priority and match: whatever a learner left there). */
static int flow_put_back(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  const char *args[] = {"add-flows", BRIDGE, f->ovs_old, NULL};
  return fault_ovs(be, f->pid, args, NULL, err);
}

/* Present while the flow as snapshotted is not in the table. */
static int flow_present(struct fault *f, const struct fault_backend *be, bool *present,
                        struct lab_error **err)
{
  cleanup_free char *dump = NULL;
  if (dump_tunnel_flows(be, f->pid, &dump, err) < 0)
    return -1;
  *present = !has_line(dump, f->ovs_old);
  return 0;
}

/* ---- tunnel-dst {node, remote, ip} ---- */

static int tunnel_dst_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  if (flow_resolve(f, v, err) < 0)
    return -1;
  const struct fault_view_node *remote = fault_view_node(v, fault_param(f, "remote"));
  uint32_t a;
  char wrong[IPV4_STRLEN];
  if (ipv4_parse(remote->underlay, &a, NULL) == 0 &&
      fault_default_param(f, "ip", ipv4_format((a & ~0xffu) | WRONG_HOST, wrong), err) < 0)
    return -1;
  if (fault_param(f, "ip") != NULL) {
    size_t len = strlen(f->target);
    snprintf(f->target + len, sizeof f->target - len, " -> %s", fault_param(f, "ip"));
  }
  return 0;
}

/* OLD's line with its tun_dst set to ip, into a new string. */
static char *with_tun_dst(const char *old, const char *ip)
{
  const char *set = strstr(old, "set_field:");
  const char *arrow = set ? strstr(set, "->tun_dst") : NULL;
  if (arrow == NULL)
    return NULL;
  char *out = NULL;
  if (asprintf(&out, "%.*sset_field:%s%s", (int)(set - old), old, ip, arrow) < 0)
    abort();
  return out;
}

static int tunnel_dst_inject(struct fault *f, const struct fault_backend *be,
                             struct lab_error **err)
{
  if (snapshot_tunnel_flow(f, be, err) < 0)
    return -1;
  f->ovs_new = with_tun_dst(f->ovs_old, fault_param(f, "ip"));
  if (f->ovs_new == NULL)
    return fault_refuse(err, ENOENT, "the tunnel flow sets no tun_dst: %s", f->ovs_old);
  const char *args[] = {"add-flows", BRIDGE, f->ovs_new, NULL};
  return fault_ovs(be, f->pid, args, NULL, err);
}

/* ---- vni-mismatch {node, remote, vni} ---- */

static int vni_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  if (flow_resolve(f, v, err) < 0 || fault_default_param(f, "vni", WRONG_VNI, err) < 0)
    return -1;
  if (fault_value(f, "vni")->integer == SDN_VNI)
    return fault_refuse(
        err, EINVAL, "kind vni-mismatch: vni %d is the cluster's own VNI: pick another", SDN_VNI);
  size_t len = strlen(f->target);
  snprintf(f->target + len, sizeof f->target - len, " with VNI %s", fault_param(f, "vni"));
  return 0;
}

/* OLD's line with set_field:VNI->tun_id first among its actions, into a new string. */
static char *with_tun_id(const char *old, const char *vni)
{
  const char *actions = strstr(old, "actions=");
  if (actions == NULL)
    return NULL;
  actions += strlen("actions=");
  char *out = NULL;
  if (asprintf(&out, "%.*sset_field:%s->tun_id,%s", (int)(actions - old), old, vni, actions) < 0)
    abort();
  return out;
}

static int vni_inject(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  if (snapshot_tunnel_flow(f, be, err) < 0)
    return -1;
  f->ovs_new = with_tun_id(f->ovs_old, fault_param(f, "vni"));
  if (f->ovs_new == NULL)
    return fault_refuse(err, ENOENT, "the tunnel flow has no actions: %s", f->ovs_old);
  const char *args[] = {"add-flows", BRIDGE, f->ovs_new, NULL};
  return fault_ovs(be, f->pid, args, NULL, err);
}

/* ---- tunnel-port-delete {node} ---- */

static int port_resolve(struct fault *f, const struct fault_view *v, struct lab_error **err)
{
  const struct fault_view_node *node;
  if (fault_resolve_node(f, v, "node", &node, err) < 0)
    return -1;
  fault_set_target(f, node->pid, VXLAN_PORT, "%s " BRIDGE " port " VXLAN_PORT, node->name);
  return 0;
}

static int port_inject(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  cleanup_free char *show = NULL;
  const char *show_args[] = {"port-show", BRIDGE, VXLAN_PORT, NULL};
  if (fault_ovs(be, f->pid, show_args, &show, err) < 0)
    return -1;
  size_t n = 0;
  for (const char *p = show; *p; p++)
    n += *p == '\n';
  f->ovs_port = calloc(n + 2, sizeof *f->ovs_port);
  if (f->ovs_port == NULL)
    abort();
  size_t k = 0;
  for (char *save = NULL, *line = strtok_r(show, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    if (strncmp(line, "name=", 5) == 0 || strncmp(line, "ofport=", 7) == 0)
      continue; /* the name is an argument; the ofport comes from ofport_request */
    f->ovs_port[k] = strdup(line);
    if (f->ovs_port[k++] == NULL)
      abort();
  }
  const char *del_args[] = {"port-del", BRIDGE, VXLAN_PORT, NULL};
  return fault_ovs(be, f->pid, del_args, NULL, err);
}

static int port_repair(struct fault *f, const struct fault_backend *be, struct lab_error **err)
{
  bool present = false;
  cleanup_error struct lab_error *show_err = NULL;
  cleanup_free char *show = NULL;
  const char *show_args[] = {"port-show", BRIDGE, VXLAN_PORT, NULL};
  if (fault_ovs(be, f->pid, show_args, &show, &show_err) < 0)
    present = true;
  if (present) {
    size_t n = 0;
    while (f->ovs_port[n] != NULL)
      n++;
    cleanup_free const char **args = calloc(n + 4, sizeof *args);
    if (args == NULL)
      abort();
    args[0] = "port-add";
    args[1] = BRIDGE;
    args[2] = VXLAN_PORT;
    for (size_t i = 0; i < n; i++)
      args[3 + i] = f->ovs_port[i];
    return fault_ovs(be, f->pid, args, NULL, err);
  }
  return 0; /* put back by hand: ovs-vsctl add-port */
}

/* Present while br0 has no vxlan0. */
static int port_present(struct fault *f, const struct fault_backend *be, bool *present,
                        struct lab_error **err)
{
  cleanup_error struct lab_error *show_err = NULL;
  cleanup_free char *show = NULL;
  const char *show_args[] = {"port-show", BRIDGE, VXLAN_PORT, NULL};
  (void)err;
  *present = fault_ovs(be, f->pid, show_args, &show, &show_err) < 0 && show_err != NULL &&
             strstr(show_err->msg, "no port") != NULL;
  return 0;
}

const struct fault_kind_ops fault_ops_flow_delete = {
    .resolve = flow_resolve,
    .inject = flow_delete_inject,
    .present = flow_present,
    .repair = flow_put_back,
    .symptom = "Pods on the node reach no pod on the remote node; everything else works.",
    .hints = {"Compare the tunnel flows of the nodes: ovs-ofctl -O OpenFlow13 dump-flows br0 "
              "table=90",
              "Each remote node's subnet has one flow setting tun_dst and output:1.",
              "ovs-ofctl -O OpenFlow13 add-flow br0 \"table=90,priority=100,ip,nw_dst=SUBNET,"
              "actions=set_field:UNDERLAY->tun_dst,output:1\""},
};

const struct fault_kind_ops fault_ops_tunnel_dst = {
    .resolve = tunnel_dst_resolve,
    .inject = tunnel_dst_inject,
    .present = flow_present,
    .repair = flow_put_back,
    .symptom = "Nothing on the node reaches pods on the remote node.",
    .hints = {"Look at the tunnel flows: ovs-ofctl -O OpenFlow13 dump-flows br0 table=90",
              "Which underlay address does the remote node really have?",
              "ovs-ofctl -O OpenFlow13 mod-flows br0 with the right tun_dst."},
};

const struct fault_kind_ops fault_ops_vni_mismatch = {
    .resolve = vni_resolve,
    .inject = vni_inject,
    .present = flow_present,
    .repair = flow_put_back,
    .symptom = "Pods on the node reach no pod on the remote node; the remote answers nothing, "
               "though packets leave.",
    .hints = {"Follow a packet: ovs-ofctl -O OpenFlow13 dump-flows br0 on both nodes; which "
              "table's counters stop growing on the remote?",
              "The remote's table 10 accepts tunnelled packets from known nodes on one VNI "
              "(tun_id) only.",
              "Does this node's table 90 flow for the remote set a tun_id it should not?",
              "ovs-ofctl -O OpenFlow13 mod-flows br0 \"table=90,ip,nw_dst=SUBNET,"
              "actions=set_field:UNDERLAY->tun_dst,output:1\""},
};

const struct fault_kind_ops fault_ops_tunnel_port_delete = {
    .resolve = port_resolve,
    .inject = port_inject,
    .present = port_present,
    .repair = port_repair,
    .symptom = "No pod on the node reaches another node.",
    .hints = {"ovs-vsctl show: is every port of br0 there?",
              "vxlan0 is OpenFlow port 1: type vxlan, remote_ip=flow, key=flow.",
              "ovs-vsctl add-port br0 vxlan0 -- set interface vxlan0 type=vxlan "
              "options:remote_ip=flow options:key=flow ofport_request=1"},
};
