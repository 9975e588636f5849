/* Semantic rules of scenario files: names, the network layout and the
 * addresses lab traffic may use.  The schema's walk calls these with the YAML
 * node to blame. */
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
  snprintf(buf, 20, "%s/%d", ipv4_format(cidr.addr, ip), cidr.prefix);
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
                         ipv4_format(s->underlay.addr + 201, ip), s->n_nodes);

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
int scenario_check_lab_address(struct scenario_ctx *c, const struct ynode *n, const char *key,
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
    return scenario_check_lab_address(c, n, key, host, addr);
  char *q = scenario_quote(host);
  scenario_fail(c, n, key, "%s is not a pod, a node or an IPv4 address", q);
  free(q);
  return -1;
}
