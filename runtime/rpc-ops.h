/* The runtime's side of its RPC contract (proto/runtime-rpc.h, where every
 * operation and message is defined): the typed messages converted to and
 * from the container core's own types. */
#ifndef NODELAB_RUNTIME_RPC_OPS_H
#define NODELAB_RUNTIME_RPC_OPS_H

#include <stdbool.h>

#include "container.h"
#include "error.h"
#include "runtime-rpc.h"

struct json_object;

/* A ctr_spec made from a SPEC message: its strings point into the message
 * (rpc, which must outlive it, or the decoded request held in run);
 * arrays are owned (rt_spec_release). */
struct rt_spec {
  struct ctr_spec spec;
  /* "net" absent, "bridge" or "private": the node's cluster network when the
   * runtime has one (an implicit pod, serve-network.c); spec.net is then
   * CTR_NET_PRIVATE, as for "none". */
  bool cluster_net;
  struct rt_rpc_run run;   /* what rt_spec_from_json decoded */
  const char **argv;       /* NULL-terminated or NULL */
  const char **env;        /* NULL-terminated or NULL */
  const char **entrypoint; /* NULL-terminated (may be empty) or NULL */
  struct ctr_volume *volumes;
};

/* Fills *out from rpc (borrowed). */
void rt_spec_from_rpc(const struct rt_rpc_spec *rpc, struct rt_spec *out);

/* Decodes a create/run request o (rt_rpc_run_from_json: types checked,
 * unknown fields refused, paths absolute) into *out, which then owns the
 * decoded request.  Returns 0, or -1 and *err naming the field
 * ("volumes[1].host: must be an absolute path"). */
int rt_spec_from_json(struct json_object *o, struct rt_spec *out, struct lab_error **err);
void rt_spec_release(struct rt_spec *s);

/* The PS_ENTRY of a container (copies in *out, rt_rpc_ps_entry_clear it);
 * pod_name may be NULL. */
void rt_ps_entry(const struct container *c, const char *pod_name, struct rt_rpc_ps_entry *out);

/* The message's name of a container state. */
enum rt_rpc_state rt_state_to_rpc(enum container_state s);

#endif
