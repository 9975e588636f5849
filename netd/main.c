/* nodelab-netd: parses arguments and runs netd (netd.h); see README.md. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon-args.h"
#include "netd-config.h"
#include "error.h"
#include "flows.h"
#include "log.h"
#include "netd.h"
#include "notify.h"
#include "ovsdb-file.h"

#include "openvswitch/vlog.h"
#include "util.h"

LOG_MODULE(main);

static int print_flows(const struct netd_config *cfg, struct lab_error **err)
{
  struct flows_model *m = flows_model_new(cfg->node, cfg->cluster, cfg->cluster_prefix, cfg->subnet,
                                          cfg->prefix, cfg->underlay, err);
  if (m == NULL)
    return -1;
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < cfg->n_remotes; i++)
    rc = flows_model_add_remote(m, cfg->remotes[i].name, cfg->remotes[i].subnet,
                                cfg->remotes[i].prefix, cfg->remotes[i].underlay, err);
  struct flows_list l = {0};
  if (rc == 0)
    rc = flows_generate(m, &l, err);
  for (size_t i = 0; rc == 0 && i < l.n; i++) {
    char *s = flows_entry_format(&l.v[i]);
    printf("%s\n", s);
    free(s);
  }
  flows_list_free(&l);
  flows_model_free(m);
  return rc;
}

int main(int argc, char **argv)
{
  set_program_name(argv[0]);
  /* OVS's own modules log reconnects and the like at INFO; netd's log is
   * what matters to a learner reading the node's logs. */
  vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_WARN);

  cleanup_error struct lab_error *err = NULL;
  struct netd_args args;
  if (netd_args_parse(argc, argv, &args, &err) < 0) {
    fprintf(stderr, "%s\n%s", err->msg, netd_usage);
    return 2;
  }
  if (args.mode == NETD_ARGS_HELP) {
    fputs(netd_usage, stdout);
    netd_args_free(&args);
    return 0;
  }
  /* nodelab-netd --create-db FILE [SCHEMA]: the node's empty OVS database,
   * made before ovsdb-server starts (what `ovsdb-tool create` does). */
  if (args.mode == NETD_ARGS_CREATE_DB) {
    int rc = netd_ovsdb_create(args.db_file, args.schema ? args.schema : NETD_VSWITCH_SCHEMA, &err);
    netd_args_free(&args);
    if (rc < 0) {
      fprintf(stderr, "nodelab-netd: %s\n", err->msg);
      return 1;
    }
    return 0;
  }

  struct netd_config cfg;
  int rc = netd_config_from_args(&args, &cfg, &err);
  netd_args_free(&args);
  if (rc < 0) {
    netd_config_free(&cfg);
    fprintf(stderr, "nodelab-netd: %s\n%s", err->msg, netd_usage);
    return 2;
  }
  if (cfg.print_flows) {
    rc = print_flows(&cfg, &err);
    netd_config_free(&cfg);
    if (rc < 0)
      fprintf(stderr, "nodelab-netd: %s\n", err->msg);
    return rc < 0 ? 1 : 0;
  }

  struct netd *n = NULL;
  if (netd_create(&cfg, &n, &err) < 0 || netd_start(n, &err) < 0) {
    log_err("%s", err->msg);
    netd_destroy(n);
    netd_config_free(&cfg);
    return 1;
  }
  netd_config_free(&cfg);
  notify_ready(); /* OVS is set up and the control socket answers */
  netd_run(n);
  netd_destroy(n);
  return 0;
}
