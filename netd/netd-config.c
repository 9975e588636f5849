#include "netd-config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

const char netd_usage[] =
    "usage: nodelab-netd --node NAME --subnet CIDR --underlay ADDR/N [options]\n"
    "  --node NAME            this node's name\n"
    "  --subnet CIDR          this node's pod subnet (gateway = first address, on tun0)\n"
    "  --underlay ADDR/N      this node's underlay address (moved from the NIC to br-phy)\n"
    "  --remote NAME=CIDR@ADDR  a remote node: its pod subnet and underlay address (repeat)\n"
    "  --cluster CIDR         cluster network (default 10.1.0.0/16)\n"
    "  --phys-if IF           underlay NIC (default eth0)\n"
    "  --db REMOTE            OVSDB (default unix:/run/openvswitch/db.sock)\n"
    "  --ovs-rundir DIR       ovs-vswitchd's run directory (default /run/openvswitch)\n"
    "  --ctl PATH             control socket (default /run/nodelab-netd.ctl)\n"
    "  --mtu N                pod and tun0 MTU (default 1450)\n"
    "  --print-flows          print br0's flow table for this configuration and exit\n"
    "   or: nodelab-netd --create-db FILE [SCHEMA]   create an empty OVS database and exit\n";

int netd_parse_cidr(const char *text, int want_prefix, uint32_t *addr, int *prefix,
                    struct lab_error **err)
{
  char buf[32];
  if (strlen(text) >= sizeof buf)
    return lab_error_set(err, EINVAL, "\"%s\": not an IPv4 address", text);
  strcpy(buf, text);
  char *slash = strchr(buf, '/');
  int p = 32;
  if (slash != NULL) {
    *slash = '\0';
    char *end;
    long v = strtol(slash + 1, &end, 10);
    if (slash[1] == '\0' || *end != '\0' || v < 0 || v > 32)
      return lab_error_set(err, EINVAL, "\"%s\": bad prefix length", text);
    p = (int)v;
  } else if (want_prefix) {
    return lab_error_set(err, EINVAL, "\"%s\": a prefix length (/N) is needed", text);
  }
  struct in_addr in;
  if (inet_pton(AF_INET, buf, &in) != 1)
    return lab_error_set(err, EINVAL, "\"%s\": not an IPv4 address", text);
  *addr = ntohl(in.s_addr);
  if (prefix != NULL)
    *prefix = p;
  return 0;
}

static char *dup_or(const char *value, const char *dflt)
{
  char *s = strdup(value != NULL ? value : dflt);
  if (s == NULL)
    abort();
  return s;
}

int netd_config_from_args(const struct netd_args *a, struct netd_config *cfg,
                          struct lab_error **err)
{
  *cfg = (struct netd_config){.cluster = 0x0a010000, .cluster_prefix = 16};
  cfg->node = dup_or(a->node, "");
  cfg->phys_if = dup_or(a->phys_if, "eth0");
  cfg->db = dup_or(a->db, "unix:/run/openvswitch/db.sock");
  cfg->ovs_rundir = dup_or(a->ovs_rundir, "/run/openvswitch");
  cfg->ctl_path = dup_or(a->ctl, "/run/nodelab-netd.ctl");
  cfg->mtu = a->mtu != 0 ? a->mtu : 1450;
  cfg->print_flows = a->print_flows;
  if (netd_parse_cidr(a->subnet, 1, &cfg->subnet, &cfg->prefix, err) < 0)
    return lab_error_wrap(err, "--subnet");
  if (netd_parse_cidr(a->underlay, 1, &cfg->underlay, &cfg->underlay_prefix, err) < 0)
    return lab_error_wrap(err, "--underlay");
  if (a->cluster != NULL &&
      netd_parse_cidr(a->cluster, 1, &cfg->cluster, &cfg->cluster_prefix, err) < 0)
    return lab_error_wrap(err, "--cluster");
  cfg->remotes = calloc(a->n_remotes ? a->n_remotes : 1, sizeof *cfg->remotes);
  if (cfg->remotes == NULL)
    abort();
  for (size_t i = 0; i < a->n_remotes; i++) {
    const struct netd_args_remote *r = &a->remotes[i];
    struct netd_remote_cfg *c = &cfg->remotes[cfg->n_remotes];
    if (netd_parse_cidr(r->subnet, 1, &c->subnet, &c->prefix, err) < 0 ||
        netd_parse_cidr(r->underlay, 0, &c->underlay, NULL, err) < 0)
      return lab_error_wrap(err, "--remote %s=%s@%s", r->name, r->subnet, r->underlay);
    c->name = dup_or(r->name, "");
    cfg->n_remotes++;
  }
  return 0;
}

void netd_config_free(struct netd_config *cfg)
{
  XFREE_ARRAY(cfg->remotes, cfg->n_remotes, name);
  free(cfg->node);
  free(cfg->phys_if);
  free(cfg->db);
  free(cfg->ovs_rundir);
  free(cfg->ctl_path);
  *cfg = (struct netd_config){0};
}
