/* netd's life: creation, start-up and the poll loop (netd.h).  The concerns
 * live beside it (netd-internal.h lists them). */
#include <config.h>

#include "netd-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "netlink.h"
#include "ofp.h"

#include "openvswitch/poll-loop.h"
#include "ovsdb-idl.h"
#include "timeval.h"
#include "unixctl.h"
#include "vswitch-idl.h"

LOG_MODULE(netd);

int netd_create(const struct netd_config *cfg, struct netd **out, struct lab_error **err)
{
  struct netd *n = calloc(1, sizeof *n);
  if (n == NULL)
    return lab_error_set(err, ENOMEM, "netd");
  n->cfg = *cfg;
  n->cfg.remotes = NULL; /* the flow model holds them */
  n->cfg.n_remotes = 0;
  n->cfg.node = strdup(cfg->node);
  n->cfg.phys_if = strdup(cfg->phys_if);
  n->cfg.db = strdup(cfg->db);
  n->cfg.ovs_rundir = strdup(cfg->ovs_rundir);
  n->cfg.ctl_path = strdup(cfg->ctl_path);
  if (!n->cfg.node || !n->cfg.phys_if || !n->cfg.db || !n->cfg.ovs_rundir || !n->cfg.ctl_path) {
    lab_error_set(err, ENOMEM, "netd");
    goto fail;
  }
  n->model = flows_model_new(cfg->node, cfg->cluster, cfg->cluster_prefix, cfg->subnet, cfg->prefix,
                             cfg->underlay, err);
  if (n->model == NULL)
    goto fail;
  for (size_t i = 0; i < cfg->n_remotes; i++) {
    const struct netd_remote_cfg *r = &cfg->remotes[i];
    if (flows_model_add_remote(n->model, r->name, r->subnet, r->prefix, r->underlay, err) < 0)
      goto fail;
  }
  *out = n;
  return 0;
fail:
  netd_destroy(n);
  return -1;
}

void netd_destroy(struct netd *n)
{
  if (n == NULL)
    return;
  if (n->unixctl != NULL)
    unixctl_server_destroy(n->unixctl);
  netd_ofconn_close(n->of);
  if (n->idl != NULL)
    ovsdb_idl_destroy(n->idl);
  netlink_close(n->nl);
  flows_list_free(&n->installed);
  flows_model_free(n->model);
  netd_config_free(&n->cfg);
  free(n);
}

int netd_start(struct netd *n, struct lab_error **err)
{
  if (netlink_open(-1, &n->nl, err) < 0)
    return -1;
  /* Everything monitored: netd writes many columns, and writing an
   * unmonitored one aborts. */
  n->idl = ovsdb_idl_create(n->cfg.db, &ovsrec_idl_class, true, true);
  long long t0 = time_msec();
  /* Pods first, so that the first flow table already has theirs. */
  if (netd_db_commit(n, netd_db_build_topology, NULL, err) < 0)
    return lab_error_wrap(err, "setting up %s and %s", BR_INT, BR_PHY);
  if (netd_pods_adopt(n, err) < 0 || netd_reconcile(n, err) < 0)
    return -1;
  log_info("node %s: OVS and flows ready in %lld ms (%zu pods adopted)", n->cfg.node,
           time_msec() - t0, flows_model_pod_count(n->model));

  return netd_unixctl_start(n, err);
}

/* After the OpenFlow connection broke, probe br0's socket every second;
 * once ovs-vswitchd answers again, reconcile everything. */
static void try_resync(struct netd *n)
{
  if (time_msec() < n->resync_at)
    return;
  n->resync_at = time_msec() + 1000;
  if (n->of == NULL) {
    char target[4200];
    snprintf(target, sizeof target, "unix:%s/%s.mgmt", n->cfg.ovs_rundir, BR_INT);
    if (netd_ofconn_open(target, 200, &n->of, NULL) < 0)
      return;
  }
  struct lab_error *e = NULL;
  if (netd_reconcile(n, &e) < 0) {
    log_warn_rl("reconciling after losing %s: %s", BR_INT, e->msg);
    lab_error_clear(&e);
    return;
  }
  n->need_resync = 0;
  log_info("node %s: OVS reconciled after ovs-vswitchd came back", n->cfg.node);
}

void netd_run(struct netd *n)
{
  while (!n->exiting) {
    unixctl_server_run(n->unixctl);
    ovsdb_idl_run(n->idl);
    if (n->of != NULL && netd_ofconn_run(n->of) < 0) {
      log_warn("OpenFlow connection to %s lost; reconciling when it is back", BR_INT);
      netd_ofconn_close(n->of);
      n->of = NULL;
      n->have_installed = 0;
      n->need_resync = 1;
      n->resync_at = time_msec() + 200;
    }
    if (n->need_resync)
      try_resync(n);
    netd_remotes_prime(n);
    if (n->exiting)
      break;
    unixctl_server_wait(n->unixctl);
    ovsdb_idl_wait(n->idl);
    if (n->of != NULL)
      netd_ofconn_wait(n->of);
    if (n->need_resync)
      poll_timer_wait_until(n->resync_at);
    poll_timer_wait_until(n->prime_at);
    poll_block();
  }
}
