/* netd's control socket: the unixctl commands the runtime (and a human, with
 * `ovs-appctl -t /run/nodelab-netd.ctl netd/pod-add ...`) sends to
 * nodelab-netd, typed once for both ends.
 *
 * unixctl carries JSON-RPC over a stream socket: {"method": M, "params":
 * [strings], "id": N} answered by {"result": TEXT, "error": null, "id": N} or
 * {"result": null, "error": TEXT, "id": N}.  A command handler is given
 * argv[0] = M and argv[1..] = the params, so each request here is encoded to
 * and decoded from that argv; each reply is a text.
 *
 * This library uses no JSON library: netd links it, and libopenvswitch
 * exports json names that clash with json-c's (see netd/CMakeLists.txt).  The
 * JSON-RPC framing lives in each end (OVS's unixctl in netd, the runtime's
 * netd-client.c). */
#ifndef NODELAB_PROTO_NETD_CTL_H
#define NODELAB_PROTO_NETD_CTL_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define NETD_CTL_SHOW "netd/show"
#define NETD_CTL_POD_ADD "netd/pod-add"
#define NETD_CTL_POD_DEL "netd/pod-del"

/* Number of params (argv minus the method) of each command, for unixctl's
 * registration and the decoders. */
enum {
  NETD_CTL_SHOW_MIN_ARGS = 0,
  NETD_CTL_SHOW_MAX_ARGS = 1,
  NETD_CTL_POD_ADD_ARGS = 3,
  NETD_CTL_POD_DEL_ARGS = 1,
};

/* Usage strings unixctl prints in its help. */
#define NETD_CTL_SHOW_USAGE "[--json]"
#define NETD_CTL_POD_ADD_USAGE "NAME NETNS_PATH|PID IP"
#define NETD_CTL_POD_DEL_USAGE "NAME"

/* A pod's name: 1 to NETD_CTL_POD_NAME_MAX bytes. */
#define NETD_CTL_POD_NAME_MAX 253

/* Checks a pod name's length.  Returns 0, or -1 and *err (EINVAL) naming it. */
int netd_ctl_pod_name_check(const char *name, struct lab_error **err);

/* netd/show [--json]: the node, its remote nodes and pods, as text lines
 * ("node N subnet S/P gateway G underlay U/P mtu M", "remote ...", "pod NAME
 * ip IP mac MAC port VETH ofport N", "flows N") or as one JSON object
 * (netd_show_json() in netd/netd.h documents both). */
struct netd_show {
  bool json;
};

/* netd/pod-add NAME NETNS IP (CNI ADD).  Strings are borrowed: from the
 * caller's own when encoding, from argv when decoded. */
struct netd_pod_add {
  const char *name;  /* the pod's name, 1 to NETD_CTL_POD_NAME_MAX bytes */
  const char *netns; /* the pod's network namespace: a nsfs path, or a PID */
  const char *ip;    /* its address, dotted quad (the node subnet's prefix) */
};

/* The reply to netd/pod-add: "pod NAME attached, ofport N, MS ms". */
struct netd_pod_add_reply {
  char name[NETD_CTL_POD_NAME_MAX + 1];
  int ofport;           /* the pod port's OpenFlow port on br0 */
  long long elapsed_ms; /* how long netd took to attach it */
};

/* netd/pod-del NAME (CNI DEL); the reply is empty. */
struct netd_pod_del {
  const char *name;
};

/* Room for the argv of any command here, the method and a NULL included. */
#define NETD_CTL_ARGV_MAX 5

/* Room for a formatted pod-add reply, its NUL included. */
#define NETD_CTL_POD_ADD_REPLY_MAX (NETD_CTL_POD_NAME_MAX + 64)

/* Encoders: fill argv (room for NETD_CTL_ARGV_MAX pointers) with the method
 * and the params, NULL-terminated, pointing into *req (and static strings),
 * so argv lives as long as the strings *req points to.  Return argc. */
int netd_ctl_show_to_argv(const struct netd_show *req, const char *argv[NETD_CTL_ARGV_MAX]);
int netd_ctl_pod_add_to_argv(const struct netd_pod_add *req, const char *argv[NETD_CTL_ARGV_MAX]);
int netd_ctl_pod_del_to_argv(const struct netd_pod_del *req, const char *argv[NETD_CTL_ARGV_MAX]);

/* Decoders: argc/argv as a unixctl handler gets them (argv[0] the method).
 * Fill *out (its strings borrowed from argv) and return 0, or return -1 and
 * *err (EINVAL) saying what is wrong: another method, a wrong number of
 * params, an unknown option, a pod name that is empty or too long, an empty
 * namespace or address.  The address is checked by netd itself (it must be a
 * host address of the node's subnet). */
int netd_ctl_show_from_argv(int argc, const char *const argv[], struct netd_show *out,
                            struct lab_error **err);
int netd_ctl_pod_add_from_argv(int argc, const char *const argv[], struct netd_pod_add *out,
                               struct lab_error **err);
int netd_ctl_pod_del_from_argv(int argc, const char *const argv[], struct netd_pod_del *out,
                               struct lab_error **err);

/* Formats the pod-add reply into buf (NETD_CTL_POD_ADD_REPLY_MAX bytes; a
 * name of NETD_CTL_POD_NAME_MAX bytes fits). */
void netd_ctl_pod_add_reply_format(const struct netd_pod_add_reply *r,
                                   char buf[NETD_CTL_POD_ADD_REPLY_MAX]);

/* Parses a pod-add reply (a trailing newline is allowed).  Returns 0 and
 * *out, or -1 and *err (EPROTO) quoting the text. */
int netd_ctl_pod_add_reply_parse(const char *text, struct netd_pod_add_reply *out,
                                 struct lab_error **err);

#endif
