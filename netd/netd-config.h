/* nodelab-netd's configuration: what the coordinator tells it about the node
 * and the cluster (command line, see README.md). */
#ifndef NODELAB_NETD_NETD_CONFIG_H
#define NODELAB_NETD_NETD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct netd_remote_cfg {
  char *name;
  uint32_t subnet; /* host byte order */
  int prefix;
  uint32_t underlay;
};

/* Addresses in host byte order.  Strings are owned by the config. */
struct netd_config {
  char *node;
  uint32_t cluster;
  int cluster_prefix;
  uint32_t subnet;
  int prefix;
  uint32_t underlay;
  int underlay_prefix;
  char *phys_if;    /* underlay NIC moved into br-phy (default eth0) */
  char *db;         /* OVSDB remote (default unix:/run/openvswitch/db.sock) */
  char *ovs_rundir; /* where ovs-vswitchd puts <bridge>.mgmt (default /run/openvswitch) */
  char *ctl_path;   /* unixctl socket (default /run/nodelab-netd.ctl) */
  int mtu;          /* pod and tun0 MTU (default 1450) */
  int print_flows;  /* print the flow table and exit */
  struct netd_remote_cfg *remotes;
  size_t n_remotes;
};

/* Parses "A.B.C.D/N" (or "A.B.C.D" when prefix may be omitted: want_prefix
 * 0, *prefix set to 32).  Returns 0, or -1 and *err naming the text. */
int netd_parse_cidr(const char *text, int want_prefix, uint32_t *addr, int *prefix,
                    struct lab_error **err);

/* Parses the command line into *cfg (zeroed first, defaults applied).
 * Returns 0, 1 when --help was printed to stdout, or -1 and *err.  On failure
 * *cfg holds nothing to release; otherwise release it with netd_config_free(). */
int netd_config_parse(int argc, char **argv, struct netd_config *cfg, struct lab_error **err);

void netd_config_free(struct netd_config *cfg);

/* Usage text for --help. */
extern const char netd_usage[];

#endif
