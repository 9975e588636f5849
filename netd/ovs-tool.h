/* nodelab-ovs: one Open vSwitch (a node's) operated from outside its node,
 * for the fault engine, through libopenvswitch: flows over OpenFlow 1.3
 * (netd's ofp.h), ports over the OVSDB IDL (ovsdb-txn.h), ovs-vswitchd's
 * unixctl commands.  Every operation takes the directory holding the
 * switch's sockets (`rundir`: /run/openvswitch in the node, or
 * /proc/PID/root/run/openvswitch from the host) and a timeout.
 *
 * Text formats (what nodelab-ovs prints, see netd/README.md):
 *   - a flow: "cookie=0xC,table=T,priority=P[,idle_timeout=N][,hard_timeout=N]
 *     [,importance=N][,FLAG...][,MATCH] actions=ACTIONS", in OVS's own
 *     spelling of the match and actions, ports as numbers; it parses back with
 *     ovs_tool_flow_parse() (and `ovs-ofctl add-flow`) into the same flow.
 *   - a port: "key=value" lines (ovs_tool_port_spec_format()).
 *
 * The timeout bounds the waits this code runs itself (connecting, OVSDB
 * transactions, ovs-vswitchd applying them); a switch that accepted the
 * connection and then stops answering in the middle of an OpenFlow or unixctl
 * exchange (OVS's blocking calls) is bounded by the caller: nodelab-ovs arms
 * an alarm for the same timeout.
 *
 * Callers include <config.h> first (OVS convention) when they also include
 * OVS headers. */
#ifndef NODELAB_NETD_OVS_TOOL_H
#define NODELAB_NETD_OVS_TOOL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

struct ofputil_flow_mod;
struct ofputil_flow_stats;

#define OVS_TOOL_RUNDIR "/run/openvswitch"
#define OVS_TOOL_TIMEOUT_MS 10000

/* ---- the command line ---- */

enum ovs_tool_cmd {
  OVS_TOOL_DUMP_FLOWS,
  OVS_TOOL_ADD_FLOWS,
  OVS_TOOL_DEL_FLOWS,
  OVS_TOOL_MOD_FLOWS,
  OVS_TOOL_REPLACE_FLOW,
  OVS_TOOL_PORT_SHOW,
  OVS_TOOL_PORT_DEL,
  OVS_TOOL_PORT_ADD,
  OVS_TOOL_APPCTL,
  OVS_TOOL_N_CMDS
};

/* A parsed command line.  Strings are borrowed from argv. */
struct ovs_tool_args {
  enum ovs_tool_cmd cmd;
  const char *rundir; /* --rundir, default OVS_TOOL_RUNDIR */
  int timeout_ms;     /* --timeout SECONDS, default OVS_TOOL_TIMEOUT_MS */
  int table;          /* dump-flows --table N; -1: every table */
  int strict;         /* del-flows, mod-flows --strict */
  /* The positional words after the subcommand: BRIDGE [PORT] then flows or
   * settings; for appctl TARGET COMMAND [ARG...]. */
  char **words;
  size_t n_words;
};

/* nodelab-ovs --help. */
extern const char ovs_tool_usage[];

/* The subcommand's name ("dump-flows"). */
const char *ovs_tool_cmd_name(enum ovs_tool_cmd cmd);

/* Parses nodelab-ovs's arguments (argv[0] is the program).  Options may come
 * anywhere before "--", except after appctl's COMMAND, from which every word
 * is the command's.  Returns 0 and *a (which borrows argv; a->words is
 * malloc'd, released with ovs_tool_args_free()), 1 when --help was asked for
 * (nothing to free), or -1 and *err on bad usage. */
int ovs_tool_parse_args(int argc, char **argv, struct ovs_tool_args *a, struct lab_error **err);
void ovs_tool_args_free(struct ovs_tool_args *a);

/* Runs the parsed command, writing its output to out.  Returns 0, or -1 and
 * *err (then nothing was changed, except as the failing operation says). */
int ovs_tool_run(const struct ovs_tool_args *a, FILE *out, struct lab_error **err);

/* ---- flows ---- */

/* Returns the flow fs in the canonical text above (counters, durations and
 * ages left out).  Malloc'd (the caller frees it), or NULL when out of memory. */
char *ovs_tool_flow_format(const struct ofputil_flow_stats *fs);

/* Formats the n flows of fses, sorted by table, then priority (high first),
 * then text, one per line each ending in "\n", into *text (malloc'd, the
 * caller frees it; "" for no flow).  fses is not changed.  Returns 0, or -1
 * and *err (ENOMEM). */
int ovs_tool_flows_format(const struct ofputil_flow_stats *fses, size_t n, char **text,
                          struct lab_error **err);

/* Reads the flows of `bridge` (all tables when table < 0) as
 * ovs_tool_flows_format() writes them, into *text (malloc'd).  Returns 0, or
 * -1 and *err (no such bridge, the switch unreachable). */
int ovs_tool_dump_flows(const char *rundir, const char *bridge, int table, int timeout_ms,
                        char **text, struct lab_error **err);

/* How one flow changes. */
enum ovs_tool_flow_op {
  OVS_TOOL_FLOW_ADD,        /* FLOW with actions: added (replacing one of the same identity) */
  OVS_TOOL_FLOW_DEL,        /* flows matching FLOW (non-strict), of any priority, deleted */
  OVS_TOOL_FLOW_DEL_STRICT, /* the flow of FLOW's table, priority and match deleted */
  OVS_TOOL_FLOW_MOD,        /* actions (and cookie, if given) of flows matching FLOW */
  OVS_TOOL_FLOW_MOD_STRICT, /* ... of the flow of FLOW's table, priority and match */
};

struct ovs_tool_flow_change {
  enum ovs_tool_flow_op op;
  const char *flow; /* ovs-ofctl syntax */
};

/* Parses `text` for `op` into *fm (OpenFlow 1.3; released with
 * netd_ofp_flow_mod_uninit()).  For a deletion, `text` may be a match or a
 * whole flow line as ovs_tool_flow_format() writes it: when it has actions,
 * they (and timeouts, flags) are ignored, and its cookie (0 when absent) must
 * match exactly, so that a dumped line deletes exactly that flow.  Returns 0,
 * or -1 and *err (text that does not parse, or that OpenFlow 1.3 cannot say). */
int ovs_tool_flow_parse(const char *text, enum ovs_tool_flow_op op, struct ofputil_flow_mod *fm,
                        struct lab_error **err);

/* Applies the n changes to `bridge` in order, in ONE OpenFlow 1.3 bundle
 * (atomic: all or nothing).  Every flow is parsed before the switch is
 * contacted.  When require_first is set, the first change's flow (a strict
 * deletion: replace-flow's OLD) must exist on the bridge, else nothing is
 * changed.  Returns 0, or -1 and *err naming the flow refused. */
int ovs_tool_change_flows(const char *rundir, const char *bridge,
                          const struct ovs_tool_flow_change *changes, size_t n, int require_first,
                          int timeout_ms, struct lab_error **err);

/* ---- ports ---- */

/* A port of one interface, as port-show prints it and port-add takes it. */
struct ovs_tool_port_spec;

/* Parses settings "key=value" for port `port`:
 *   name=PORT (must be port), type=TYPE, options:K=V, ofport=N (what port-add
 *   checks the new port got; read-only), ofport_request=N, mtu_request=N,
 *   mac=MAC, external_ids:K=V (the Interface's), port_external_ids:K=V (the
 *   Port's).
 * Returns 0 and *out (freed with ovs_tool_port_spec_free()), or -1 and *err
 * (an unknown key, a bad number, a key given twice). */
int ovs_tool_port_spec_parse(const char *port, const char *const *settings, size_t n,
                             struct ovs_tool_port_spec **out, struct lab_error **err);
void ovs_tool_port_spec_free(struct ovs_tool_port_spec *s);

/* The spec as "key=value" lines each ending in "\n", in a fixed order: name,
 * type, options:* (sorted), ofport, ofport_request, mtu_request, mac,
 * external_ids:*, port_external_ids:* (sorted); unset ones left out.  The
 * lines parse back with ovs_tool_port_spec_parse() into the same spec.
 * Malloc'd, or NULL when out of memory. */
char *ovs_tool_port_spec_format(const struct ovs_tool_port_spec *s);

/* Reads port `port` of `bridge` into *text (ovs_tool_port_spec_format()).
 * Returns 0, or -1 and *err (no such bridge or port, a port of several
 * interfaces, a value that does not fit on one line). */
int ovs_tool_port_show(const char *rundir, const char *bridge, const char *port, int timeout_ms,
                       char **text, struct lab_error **err);

/* Removes port `port` from `bridge` and waits until ovs-vswitchd applied it.
 * Returns 0, or -1 and *err (no such bridge or port: nothing changed). */
int ovs_tool_port_del(const char *rundir, const char *bridge, const char *port, int timeout_ms,
                      struct lab_error **err);

/* Creates port `port` on `bridge` as the n settings say
 * (ovs_tool_port_spec_parse()), waits until ovs-vswitchd applied it and
 * gave the interface an OpenFlow port, and checks that port is `ofport=N`
 * (or, without it, `ofport_request=N`) when given.  Returns 0, or -1 and
 * *err: bad settings, no such bridge, a port of that name exists (nothing
 * changed); ovs-vswitchd could not attach the interface or gave it another
 * OpenFlow port (then the port is removed again, and *err says so). */
int ovs_tool_port_add(const char *rundir, const char *bridge, const char *port,
                      const char *const *settings, size_t n, int timeout_ms,
                      struct lab_error **err);

/* ---- unixctl ---- */

/* Runs unixctl command words[0] with arguments words[1..n-1] on `target`: a
 * control socket's path (with a '/'), or a daemon's name ("ovs-vswitchd")
 * whose socket rundir/NAME.PID.ctl is found from rundir/NAME.pid.  Returns 0
 * and *reply (the daemon's answer, malloc'd), or -1 and *err (no such
 * socket, the daemon's error answer). */
int ovs_tool_appctl(const char *rundir, const char *target, char *const *words, size_t n,
                    int timeout_ms, char **reply, struct lab_error **err);

#endif
