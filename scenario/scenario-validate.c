/* Semantic rules of scenario files: names, the network layout, references
 * between sections, and the table of fault kinds.  The walk in
 * scenario-parse.c calls these with the YAML node to blame. */
#include "scenario.h"
#include "scenario-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool name_char_ok(char ch)
{
  return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
}

int scenario_check_name(struct scenario_ctx *c, const struct ynode *n, const char *key,
                        const char *name, size_t max, const char *why)
{
  bool ok = name[0] >= 'a' && name[0] <= 'z';
  for (const char *p = name; ok && *p; p++)
    ok = name_char_ok(*p);
  char *q = scenario_quote(name);
  int r = 0;
  if (!ok)
    r = scenario_fail(c, n, key,
                      "%s is not a valid name (use lowercase letters, digits and \"-\", starting "
                      "with a letter)",
                      q);
  else if (strlen(name) > max)
    r = scenario_fail(c, n, key, "name %s is longer than %zu bytes%s%s%s", q, max, why ? " (" : "",
                      why ? why : "", why ? ")" : "");
  free(q);
  return r;
}

/* ---- the network layout ---- */

static bool cidr_overlap(struct scenario_cidr a, struct scenario_cidr b)
{
  int prefix = a.prefix < b.prefix ? a.prefix : b.prefix;
  uint32_t mask = prefix == 0 ? 0 : UINT32_MAX << (32 - prefix);
  return (a.addr & mask) == (b.addr & mask);
}

static char *cidr_text(struct scenario_cidr cidr, char *buf)
{
  char ip[16];
  snprintf(buf, 20, "%s/%d", scenario_ip_string(cidr.addr, ip), cidr.prefix);
  return buf;
}

int scenario_layout_nodes(struct scenario_ctx *c, const struct ynode *cluster)
{
  struct scenario *s = c->s;
  const struct ynode *nodes = ynode_lookup(cluster, "nodes");
  const struct ynode *underlay = ynode_lookup(cluster, "underlay");
  const struct ynode *network = ynode_lookup(cluster, "clusterNetwork");
  const struct ynode *hsl = ynode_lookup(cluster, "hostSubnetLength");
  char a[20], b[20], ip[16];

  /* Node i sits at underlay network + 201 + i, below the broadcast address. */
  uint64_t size = 1ULL << (32 - s->underlay.prefix);
  uint64_t room = size > 202 ? size - 202 : 0;
  if (s->n_nodes > room)
    return scenario_fail(c, underlay ? underlay : nodes, "underlay",
                         "%s has room for %llu nodes (addresses from %s up), the lab has %zu",
                         cidr_text(s->underlay, a), (unsigned long long)room,
                         scenario_ip_string(s->underlay.addr + 201, ip), s->n_nodes);

  if (s->host_subnet_length > 32 - s->cluster_network.prefix)
    return scenario_fail(c,
                         hsl       ? hsl
                         : network ? network
                                   : nodes,
                         "hostSubnetLength", "%d does not fit in clusterNetwork %s (at most %d)",
                         s->host_subnet_length, cidr_text(s->cluster_network, a),
                         32 - s->cluster_network.prefix);
  uint64_t subnets = 1ULL << (32 - s->cluster_network.prefix - s->host_subnet_length);
  if (s->n_nodes > subnets)
    return scenario_fail(c, network ? network : nodes, "clusterNetwork",
                         "%s has %llu subnets of /%d, the lab has %zu nodes",
                         cidr_text(s->cluster_network, a), (unsigned long long)subnets,
                         32 - s->host_subnet_length, s->n_nodes);

  if (cidr_overlap(s->underlay, s->cluster_network))
    return scenario_fail(c, network ? network : underlay, network ? "clusterNetwork" : "underlay",
                         "clusterNetwork %s overlaps underlay %s", cidr_text(s->cluster_network, a),
                         cidr_text(s->underlay, b));

  for (size_t i = 0; i < s->n_nodes; i++) {
    struct scenario_node *node = &s->nodes[i];
    node->underlay = s->underlay.addr + 201 + (uint32_t)i;
    node->subnet.addr = s->cluster_network.addr + ((uint32_t)i << s->host_subnet_length);
    node->subnet.prefix = 32 - s->host_subnet_length;
  }
  return 0;
}

static bool cidr_contains(struct scenario_cidr net, uint32_t addr)
{
  uint32_t mask = net.prefix == 0 ? 0 : UINT32_MAX << (32 - net.prefix);
  return (addr & mask) == net.addr;
}

/* Lab traffic must stay inside the lab: an address a scenario names must be
 * on the underlay, in the cluster network, or loopback. */
static int check_lab_address(struct scenario_ctx *c, const struct ynode *n, const char *key,
                             const char *text, uint32_t addr)
{
  const struct scenario *s = c->s;
  if (cidr_contains(s->underlay, addr) || cidr_contains(s->cluster_network, addr) ||
      (addr >> 24) == 127)
    return 0;
  char a[20], b[20];
  return scenario_fail(c, n, key, "%s is outside the lab's networks (%s, %s and loopback)", text,
                       cidr_text(s->underlay, a), cidr_text(s->cluster_network, b));
}

int scenario_check_host(struct scenario_ctx *c, const struct ynode *n, const char *key,
                        const char *host)
{
  uint32_t addr;
  if (scenario_find_pod(c->s, host) != NULL || scenario_find_node(c->s, host) != NULL)
    return 0;
  if (scenario_parse_ipv4(host, &addr) == 0)
    return check_lab_address(c, n, key, host, addr);
  char *q = scenario_quote(host);
  scenario_fail(c, n, key, "%s is not a pod, a node or an IPv4 address", q);
  free(q);
  return -1;
}

/* ---- faults ----
 *
 * The kinds of fault a scenario may declare, and the parameters each takes
 * (besides name, kind, symptom and hints, which every fault has).  The fault
 * engine implements these kinds; adding one here without it there makes
 * `nodelab fault inject` report "not implemented".  Parameters are checked in
 * table order, so "node" precedes "pod", which precedes "container". */
static const struct scenario_fault_kind fault_kinds[] = {
    {"link-mtu",
     "sets the MTU of a node's link (too small: large packets vanish)",
     {{"node", PARAM_NODE, true}, {"link", PARAM_IFNAME, true}, {"mtu", PARAM_MTU, true}}},
    {"link-down",
     "sets a node's link down",
     {{"node", PARAM_NODE, true}, {"link", PARAM_IFNAME, true}}},
    {"tx-checksum-on",
     "turns transmit checksum offload back on for a pod's eth0 (TCP through the userspace "
     "datapath then hangs, ping still works)",
     {{"node", PARAM_NODE, true}, {"pod", PARAM_POD, true}}},
    {"tunnel-dst",
     "points the tunnel flow towards a remote node's subnet at a wrong underlay address",
     {{"node", PARAM_NODE, true}, {"remote", PARAM_REMOTE_NODE, true}, {"ip", PARAM_IPV4, true}}},
    {"flow-delete",
     "deletes the tunnel flow towards a remote node's subnet",
     {{"node", PARAM_NODE, true}, {"remote", PARAM_REMOTE_NODE, true}}},
    {"daemon-kill",
     "kills one of a node's daemons",
     {{"node", PARAM_NODE, true}, {"daemon", PARAM_DAEMON, true}}},
    {"cgroup-memory",
     "sets a container's cgroup memory limit",
     {{"pod", PARAM_POD, true},
      {"container", PARAM_CONTAINER, true},
      {"memory", PARAM_MEMORY, true}}},
    {"seccomp-deny",
     "adds a seccomp rule making a system call fail with EPERM in a container",
     {{"pod", PARAM_POD, true},
      {"container", PARAM_CONTAINER, true},
      {"syscall", PARAM_SYSCALL, true}}},
};

static const char *const daemons[] = {"ovs-vswitchd", "ovsdb-server", "netd", "runtime"};

const struct scenario_fault_kind *scenario_fault_kind_find(const char *name)
{
  for (size_t i = 0; i < sizeof fault_kinds / sizeof fault_kinds[0]; i++)
    if (strcmp(fault_kinds[i].name, name) == 0)
      return &fault_kinds[i];
  return NULL;
}

char *scenario_fault_kind_list(char *buf, size_t size)
{
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof fault_kinds / sizeof fault_kinds[0] && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", fault_kinds[i].name);
  return buf;
}

bool scenario_fault_kind_known(const char *kind)
{
  return scenario_fault_kind_find(kind) != NULL;
}

const char *scenario_fault_param(const struct scenario_fault *f, const char *key)
{
  if (f->param_keys == NULL)
    return NULL;
  for (size_t i = 0; f->param_keys[i] != NULL; i++)
    if (strcmp(f->param_keys[i], key) == 0)
      return f->param_values[i];
  return NULL;
}

static int parse_small_uint(const char *text, long max, long *out)
{
  long v = 0;
  if (*text == '\0')
    return -1;
  for (const char *p = text; *p; p++) {
    if (*p < '0' || *p > '9')
      return -1;
    v = v * 10 + (*p - '0');
    if (v > max)
      return -1;
  }
  *out = v;
  return 0;
}

static int check_param(struct scenario_ctx *c, const struct scenario_fault *f,
                       const struct scenario_fault_param *p, const struct ynode *n,
                       const char *value, const char *q)
{
  const struct scenario *s = c->s;
  const char *k = p->key;
  switch (p->type) {
  case PARAM_NODE:
    if (scenario_find_node(s, value) == NULL)
      return scenario_fail(c, n, k, "node %s does not exist", q);
    return 0;
  case PARAM_REMOTE_NODE:
    if (scenario_find_node(s, value) == NULL)
      return scenario_fail(c, n, k, "node %s does not exist", q);
    if (f->node != NULL && strcmp(f->node, value) == 0)
      return scenario_fail(c, n, k, "remote node %s is the fault's own node", q);
    return 0;
  case PARAM_POD: {
    const struct scenario_pod *pod = scenario_find_pod(s, value);
    if (pod == NULL)
      return scenario_fail(c, n, k, "pod %s does not exist", q);
    if (f->node != NULL && strcmp(pod->node, f->node) != 0)
      return scenario_fail(c, n, k, "pod %s runs on %s, not %s", q, pod->node, f->node);
    return 0;
  }
  case PARAM_CONTAINER: {
    const struct scenario_pod *pod = scenario_find_pod(s, scenario_fault_param(f, "pod"));
    for (size_t i = 0; pod != NULL && i < pod->n_containers; i++)
      if (strcmp(pod->containers[i].name, value) == 0)
        return 0;
    return scenario_fail(c, n, k, "pod \"%s\" has no container %s", pod ? pod->name : "?", q);
  }
  case PARAM_IFNAME: {
    bool ok = value[0] != '\0' && strcmp(value, ".") != 0 && strcmp(value, "..") != 0;
    for (const char *ch = value; ok && *ch; ch++)
      ok = *ch > ' ' && *ch != '/' && *ch != ':' && (unsigned char)*ch < 0x7f;
    if (!ok)
      return scenario_fail(c, n, k, "%s is not an interface name", q);
    if (strlen(value) > SCENARIO_IFNAME_MAX)
      return scenario_fail(c, n, k, "interface name %s is longer than %d bytes", q,
                           SCENARIO_IFNAME_MAX);
    return 0;
  }
  case PARAM_MTU: {
    long mtu;
    if (parse_small_uint(value, 100000, &mtu) < 0 || mtu < 68 || mtu > 65535)
      return scenario_fail(c, n, k, "%s is not an MTU (68..65535)", q);
    return 0;
  }
  case PARAM_IPV4: {
    uint32_t addr;
    if (scenario_parse_ipv4(value, &addr) < 0)
      return scenario_fail(c, n, k, "%s is not an IPv4 address", q);
    return check_lab_address(c, n, k, value, addr);
  }
  case PARAM_DAEMON:
    for (size_t i = 0; i < sizeof daemons / sizeof daemons[0]; i++)
      if (strcmp(daemons[i], value) == 0)
        return 0;
    return scenario_fail(c, n, k,
                         "unknown daemon %s (use ovs-vswitchd, ovsdb-server, netd or runtime)", q);
  case PARAM_MEMORY: {
    uint64_t bytes;
    const char *problem;
    if (scenario_parse_memory(value, &bytes, &problem) < 0)
      return scenario_fail(c, n, k, "%s %s", q, problem);
    if (bytes == 0)
      return scenario_fail(c, n, k, "memory must be greater than 0");
    return 0;
  }
  case PARAM_SYSCALL: {
    bool ok = value[0] != '\0' && strlen(value) <= 64;
    for (const char *ch = value; ok && *ch; ch++)
      ok = (*ch >= 'a' && *ch <= 'z') || (*ch >= '0' && *ch <= '9') || *ch == '_';
    if (!ok)
      return scenario_fail(c, n, k, "%s is not a system call name", q);
    return 0;
  }
  }
  return scenario_fail(c, n, k, "unhandled parameter type");
}

int scenario_check_fault_param(struct scenario_ctx *c, const struct scenario_fault *f,
                               const struct scenario_fault_param *p, const struct ynode *n,
                               const char *value)
{
  char *q = scenario_quote(value);
  int r = check_param(c, f, p, n, value, q);
  free(q);
  return r;
}
