/* nodelab-netd's configuration: what the coordinator tells it about the node
 * and the cluster (its command line, proto/daemon-args.h). */
#ifndef NODELAB_NETD_NETD_CONFIG_H
#define NODELAB_NETD_NETD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "daemon-args.h"
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

/* The configuration named by the command line a (proto/daemon-args.h parsed
 * it: the one parser of netd's flags), with netd's defaults for what it leaves
 * out and the addresses parsed.  Returns 0, or -1 and *err naming the flag;
 * release *cfg with netd_config_free() either way. */
int netd_config_from_args(const struct netd_args *a, struct netd_config *cfg,
                          struct lab_error **err);

void netd_config_free(struct netd_config *cfg);

/* Usage text for --help. */
extern const char netd_usage[];

#endif
