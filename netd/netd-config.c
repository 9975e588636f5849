#include "netd-config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int parse_remote(const char *text, struct netd_config *cfg, struct lab_error **err)
{
  const char *eq = strchr(text, '=');
  const char *at = eq ? strchr(eq, '@') : NULL;
  if (eq == NULL || at == NULL || eq == text)
    return lab_error_set(err, EINVAL, "--remote \"%s\": expected NAME=CIDR@ADDR", text);
  char cidr[32];
  if ((size_t)(at - eq - 1) >= sizeof cidr)
    return lab_error_set(err, EINVAL, "--remote \"%s\": bad subnet", text);
  memcpy(cidr, eq + 1, at - eq - 1);
  cidr[at - eq - 1] = '\0';
  struct netd_remote_cfg r = {0};
  if (netd_parse_cidr(cidr, 1, &r.subnet, &r.prefix, err) < 0 ||
      netd_parse_cidr(at + 1, 0, &r.underlay, NULL, err) < 0)
    return lab_error_wrap(err, "--remote %s", text);
  struct netd_remote_cfg *v = realloc(cfg->remotes, (cfg->n_remotes + 1) * sizeof *v);
  if (v == NULL)
    return lab_error_set(err, ENOMEM, "--remote");
  cfg->remotes = v;
  r.name = strndup(text, eq - text);
  if (r.name == NULL)
    return lab_error_set(err, ENOMEM, "--remote");
  v[cfg->n_remotes++] = r;
  return 0;
}

static int set_str(char **dst, const char *src, struct lab_error **err)
{
  char *s = strdup(src);
  if (s == NULL)
    return lab_error_set(err, ENOMEM, "option");
  free(*dst);
  *dst = s;
  return 0;
}

int netd_config_parse(int argc, char **argv, struct netd_config *cfg, struct lab_error **err)
{
  enum {
    O_NODE = 256,
    O_SUBNET,
    O_UNDERLAY,
    O_REMOTE,
    O_CLUSTER,
    O_PHYS,
    O_DB,
    O_RUNDIR,
    O_CTL,
    O_MTU,
    O_PRINT,
    O_HELP
  };
  static const struct option opts[] = {
      {"node", required_argument, NULL, O_NODE},
      {"subnet", required_argument, NULL, O_SUBNET},
      {"underlay", required_argument, NULL, O_UNDERLAY},
      {"remote", required_argument, NULL, O_REMOTE},
      {"cluster", required_argument, NULL, O_CLUSTER},
      {"phys-if", required_argument, NULL, O_PHYS},
      {"db", required_argument, NULL, O_DB},
      {"ovs-rundir", required_argument, NULL, O_RUNDIR},
      {"ctl", required_argument, NULL, O_CTL},
      {"mtu", required_argument, NULL, O_MTU},
      {"print-flows", no_argument, NULL, O_PRINT},
      {"help", no_argument, NULL, O_HELP},
      {NULL, 0, NULL, 0},
  };
  *cfg = (struct netd_config){.cluster = 0x0a010000, .cluster_prefix = 16, .mtu = 1450};
  int have_subnet = 0, have_underlay = 0, rc = 0;
  rc |= set_str(&cfg->phys_if, "eth0", err);
  rc |= set_str(&cfg->db, "unix:/run/openvswitch/db.sock", err);
  rc |= set_str(&cfg->ovs_rundir, "/run/openvswitch", err);
  rc |= set_str(&cfg->ctl_path, "/run/nodelab-netd.ctl", err);
  optind = 1;
  opterr = 0;
  int c;
  while (rc == 0 && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case O_NODE:
      rc = set_str(&cfg->node, optarg, err);
      break;
    case O_SUBNET:
      rc = netd_parse_cidr(optarg, 1, &cfg->subnet, &cfg->prefix, err);
      have_subnet = 1;
      break;
    case O_UNDERLAY:
      rc = netd_parse_cidr(optarg, 1, &cfg->underlay, &cfg->underlay_prefix, err);
      have_underlay = 1;
      break;
    case O_REMOTE:
      rc = parse_remote(optarg, cfg, err);
      break;
    case O_CLUSTER:
      rc = netd_parse_cidr(optarg, 1, &cfg->cluster, &cfg->cluster_prefix, err);
      break;
    case O_PHYS:
      rc = set_str(&cfg->phys_if, optarg, err);
      break;
    case O_DB:
      rc = set_str(&cfg->db, optarg, err);
      break;
    case O_RUNDIR:
      rc = set_str(&cfg->ovs_rundir, optarg, err);
      break;
    case O_CTL:
      rc = set_str(&cfg->ctl_path, optarg, err);
      break;
    case O_MTU: {
      char *end;
      long v = strtol(optarg, &end, 10);
      if (*end != '\0' || v < 576 || v > 9000)
        rc = lab_error_set(err, EINVAL, "--mtu %s: expected 576..9000", optarg);
      cfg->mtu = (int)v;
      break;
    }
    case O_PRINT:
      cfg->print_flows = 1;
      break;
    case O_HELP:
      fputs(netd_usage, stdout);
      netd_config_free(cfg);
      return 1;
    default:
      rc = lab_error_set(err, EINVAL, "unknown option or missing argument: %s", argv[optind - 1]);
    }
  }
  if (rc == 0 && optind < argc)
    rc = lab_error_set(err, EINVAL, "unexpected argument: %s", argv[optind]);
  if (rc == 0 && (cfg->node == NULL || !have_subnet || !have_underlay))
    rc = lab_error_set(err, EINVAL, "--node, --subnet and --underlay are required");
  if (rc != 0) {
    netd_config_free(cfg);
    return -1;
  }
  return 0;
}

void netd_config_free(struct netd_config *cfg)
{
  for (size_t i = 0; i < cfg->n_remotes; i++)
    free(cfg->remotes[i].name);
  free(cfg->remotes);
  free(cfg->node);
  free(cfg->phys_if);
  free(cfg->db);
  free(cfg->ovs_rundir);
  free(cfg->ctl_path);
  *cfg = (struct netd_config){0};
}
