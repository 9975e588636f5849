/* nodelab-runtime serve: the node's runtime daemon (serve.h).  Its flags
 * are parsed in one function, serve_parse_args(). */
#include "cli-runtime.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <getopt.h>

#include "serve.h"

/* Fills *cfg from serve's flags in argv (argv[0] is "serve"), with their
 * defaults.  Returns 0, or the exit status of a usage error (printed). */
static int serve_parse_args(int argc, char **argv, struct rt_serve_config *cfg)
{
  static const struct option longopts[] = {
      {"socket", required_argument, NULL, 's'},
      {"root", required_argument, NULL, 'r'},
      {"cgroup-parent", required_argument, NULL, 'c'},
      {"cgroup-root", required_argument, NULL, 'C'},
      {"node", required_argument, NULL, 'n'},
      {"subnet", required_argument, NULL, 'S'},
      {"gateway", required_argument, NULL, 'g'},
      {"mtu", required_argument, NULL, 'm'},
      {"netd", required_argument, NULL, 'N'},
      {"busybox", required_argument, NULL, 'b'},
      {NULL, 0, NULL, 0},
  };
  *cfg = (struct rt_serve_config){.socket = "/run/nodelab/runtime.sock",
                                  .root = "/var/lib/nodelab",
                                  .cgroup_root = rtcli_g.cgroup_root,
                                  .cgroup_parent = rtcli_g.cgroup_parent,
                                  .mtu = 1450,
                                  .busybox = "/bin/busybox"};
  int ch;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    switch (ch) {
    case 's':
      cfg->socket = optarg;
      break;
    case 'r':
      cfg->root = optarg;
      break;
    case 'c':
      cfg->cgroup_parent = optarg;
      break;
    case 'C':
      cfg->cgroup_root = optarg;
      break;
    case 'n':
      cfg->node = optarg;
      break;
    case 'S':
      cfg->subnet = optarg;
      break;
    case 'g':
      cfg->gateway = optarg;
      break;
    case 'm':
      cfg->mtu = atoi(optarg);
      break;
    case 'N':
      cfg->netd = optarg;
      break;
    case 'b':
      cfg->busybox = optarg;
      break;
    default:
      return 2;
    }
  }
  if (optind < argc)
    return rtcli_usage_error("serve: unexpected argument %s", argv[optind]);
  return 0;
}

int rtcli_serve(int argc, char **argv)
{
  struct rt_serve_config cfg;
  int rc = serve_parse_args(argc, argv, &cfg);
  if (rc != 0)
    return rc;
  struct lab_error *err = NULL;
  if (rt_serve(&cfg, &err) < 0)
    return rtcli_fail(&err);
  return 0;
}
