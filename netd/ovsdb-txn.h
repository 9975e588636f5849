/* OVSDB helpers over libopenvswitch's IDL (vswitch-idl.h), shared by netd and
 * nodelab-ovs: transactions that wait for ovs-vswitchd, lookups of bridges
 * and ports, and ports of one interface.
 *
 * Callers include <config.h> first (OVS convention). */
#ifndef NODELAB_NETD_OVSDB_TXN_H
#define NODELAB_NETD_OVSDB_TXN_H

#include <stdint.h>

#include "error.h"

struct ovsdb_idl;
struct ovsdb_idl_txn;
struct ovsrec_bridge;
struct ovsrec_interface;
struct ovsrec_open_vswitch;
struct ovsrec_port;
struct smap;

/* Lookups in the IDL's current rows; NULL when absent (ovs may be NULL).
 * Borrowed: valid until the next ovsdb_idl_run(). */
const struct ovsrec_bridge *netd_db_find_bridge(const struct ovsrec_open_vswitch *ovs,
                                                const char *name);
const struct ovsrec_port *netd_db_find_port(const struct ovsrec_bridge *br, const char *name);

/* Builds one transaction's content; `ovs` is the Open_vSwitch row. */
typedef int netd_db_txn_fn(struct ovsdb_idl_txn *txn, const struct ovsrec_open_vswitch *ovs,
                           void *aux, struct lab_error **err);

/* Waits until `idl` (created on remote `db`) has connected and received the
 * database's contents, up to the deadline (time_msec()).  Returns 0, or -1
 * and *err (ETIMEDOUT). */
int netd_db_wait_connected(struct ovsdb_idl *idl, const char *db, long long deadline,
                           struct lab_error **err);

/* Runs build() in a transaction of `idl` (on remote `db`, commented with
 * `comment`) until it commits, retrying when the database changed under it,
 * then waits until ovs-vswitchd has applied it (cur_cfg reaches next_cfg, as
 * `ovs-vsctl` waits), all before the deadline (time_msec()).  Every column
 * build() writes must be monitored by idl.  Returns 0, or -1 and *err
 * (build's own, a refused transaction, or ETIMEDOUT). */
int netd_db_transact(struct ovsdb_idl *idl, const char *db, const char *comment, long long deadline,
                     netd_db_txn_fn *build, void *aux, struct lab_error **err);

/* A port of one interface of the same name, as netd_db_ensure_port() wants it. */
struct netd_port_spec {
  const char *name;
  const char *type;                     /* "" for a system device */
  const struct smap *options;           /* NULL: none */
  int64_t ofport_request;               /* 0: none */
  int64_t mtu_request;                  /* 0: none */
  const char *mac;                      /* NULL: default */
  const struct smap *external_ids;      /* NULL: none (on the Interface, and the Port) */
  const struct smap *port_external_ids; /* NULL: the Port gets external_ids */
};

/* In txn: creates port s->name on br (or takes the existing one) and sets its
 * interface's columns to *s.  Returns the interface row (borrowed). */
const struct ovsrec_interface *netd_db_ensure_port(struct ovsdb_idl_txn *txn,
                                                   const struct ovsrec_bridge *br,
                                                   const struct netd_port_spec *s);

/* Removes port (and its interfaces) from br, in the current transaction. */
void netd_db_remove_port(const struct ovsrec_bridge *br, const struct ovsrec_port *port);

#endif
