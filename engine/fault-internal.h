/* The inside of the fault engine: the layout of a fault, the table of kind
 * implementations (one struct fault_kind_ops per enum fault_kind) and the
 * backend vtable, with a fake beside the real one for unit tests.  Only
 * engine/fault*.c, engine/labstate-real.c (its nodelab-ovs runner) and unit
 * tests include this. */
#ifndef NODELAB_FAULT_INTERNAL_H
#define NODELAB_FAULT_INTERNAL_H

#include <netinet/in.h>
#include <stdint.h>

#include "cgroup.h"
#include "fault.h"
#include "netfault.h"
#include "runtime-rpc.h"

/* A fault touches at most this many objects (partition: a route in each of
 * two nodes). */
#define FAULT_MAX_UNDO 4

/* One thing changed, in the network namespace of pid, and how to undo it. */
struct fault_undo {
  pid_t pid;
  struct netfault_undo nf;
};

struct fault {
  enum fault_kind kind;
  const struct fault_kind_spec *spec;
  size_t n_params;
  char *keys[FAULT_KIND_MAX_PARAMS];
  char *values[FAULT_KIND_MAX_PARAMS];
  union fault_value parsed[FAULT_KIND_MAX_PARAMS];
  char target[160];
  /* Resolved by the kind: where it acts. */
  pid_t pid; /* the netns holder (node, pod infra, fabric) */
  char ifname[16];
  struct in_addr addr; /* duplicate-ip: the address added */
  /* partition: each side's pid, and the address of the other side */
  pid_t side_pid[2];
  struct in_addr side_dst[2], side_gw[2];
  bool injected;
  struct fault_undo undo[FAULT_MAX_UNDO];
  size_t n_undo;
  /* OVS kinds (fault-ovs.c): the node's init pid, the flow before and the
   * flow installed instead (NULL: none), or a port's settings lines. */
  char ovs_match[64]; /* what the flow's dump line holds: ",nw_dst=10.1.2.0/24 " */
  bool ovs_cache;     /* neighbour-poison: OVS's tunnel neighbour cache is poisoned too */
  char ovs_mac[18];   /* ... and the MAC it held before ("": none) */
  char *ovs_old, *ovs_new;
  char **ovs_port; /* NULL-terminated */
  /* Container kinds (fault-container.c): the container's cgroup and the
   * limit's text before and as read back once injected; the runtime's key
   * of the container, its deny list before, and the pid and filter count
   * its restart under the deny gave. */
  char ctr_cgroup[256];
  enum cgroup_limit_kind ctr_limit;
  char *cg_old, *cg_new;
  char ctr_key[128];
  char **sc_old, **sc_deny; /* NULL-terminated */
  int sc_pid, sc_filters;
};

/* The execution backend.  Every call acts in the network namespace of fd
 * (from netns_open), as the netfault.h primitive of the same name does. */
struct fault_backend_ops {
  int (*netns_open)(void *ctx, pid_t pid, int *fd, struct lab_error **err);
  int (*link_set_mtu)(void *ctx, int fd, const char *ifname, int mtu, struct netfault_undo *undo,
                      struct lab_error **err);
  int (*link_set_up)(void *ctx, int fd, const char *ifname, int up, struct netfault_undo *undo,
                     struct lab_error **err);
  int (*tx_csum_set)(void *ctx, int fd, const char *ifname, int on, struct netfault_undo *undo,
                     struct lab_error **err);
  int (*route_delete)(void *ctx, int fd, uint32_t table, struct in_addr dst, uint8_t dst_len,
                      struct netfault_undo *undo, struct lab_error **err);
  int (*netem_set)(void *ctx, int fd, const char *ifname, const struct netfault_netem *spec,
                   struct netfault_undo *undo, struct lab_error **err);
  int (*route_add)(void *ctx, int fd, const struct netstate_route *r, struct netfault_undo *undo,
                   struct lab_error **err);
  int (*addr_add)(void *ctx, int fd, const char *ifname, struct in_addr ip, uint8_t prefix,
                  struct netfault_undo *undo, struct lab_error **err);
  int (*neigh_replace)(void *ctx, int fd, const char *ifname, struct in_addr ip,
                       const uint8_t mac[6], struct netfault_undo *undo, struct lab_error **err);
  int (*repair)(void *ctx, int fd, struct netfault_undo *undo, struct lab_error **err);
  /* The namespace's state (permanent neighbours only); caller frees. */
  int (*capture)(void *ctx, int fd, struct netstate **out, struct lab_error **err);
  /* Runs nodelab-ovs on node_pid's switch with args (NULL-terminated, after
   * the program's options); *out (when not NULL) its stdout, malloc'd.  A
   * failure's message is nodelab-ovs's stderr line. */
  int (*ovs)(void *ctx, pid_t node_pid, const char *const *args, char **out,
             struct lab_error **err);
  /* cgroup.h's cgroup_limit_get/put on the host's hierarchies. */
  int (*cgroup_get)(void *ctx, const char *relpath, enum cgroup_limit_kind kind, char **value,
                    struct lab_error **err);
  int (*cgroup_put)(void *ctx, const char *relpath, enum cgroup_limit_kind kind, const char *value,
                    struct lab_error **err);
  /* The runtime of node_pid (its socket through /proc/PID/root): with deny
   * (NULL-terminated, maybe empty) seccomp-set on container (a KEY), which
   * restarts it; with deny NULL seccomp-get.  *out: the SECCOMP reply
   * (rt_rpc_seccomp_state_clear it). */
  int (*seccomp)(void *ctx, pid_t node_pid, const char *container, const char *const *deny,
                 struct rt_rpc_seccomp_state *out, struct lab_error **err);
  /* The runtime's start of container (a KEY), which is not running. */
  int (*ctr_start)(void *ctx, pid_t node_pid, const char *container, struct lab_error **err);
};

struct fault_backend {
  const struct fault_backend_ops *ops;
  void *ctx;
  const struct fault_procs *procs; /* the process kinds' (fault-proc.c); NULL: refused */
  struct fault_procs procs_copy;   /* fault_backend_real_new()'s */
};

/* One kind's implementation. */
struct fault_kind_ops {
  /* Fills f's missing parameters from view and checks the given ones; sets
   * f->pid, f->ifname and f->target. NULL: not implemented. */
  int (*resolve)(struct fault *f, const struct fault_view *view, struct lab_error **err);
  /* Acts, recording undo records in f->undo (repair applies them in reverse). */
  int (*inject)(struct fault *f, const struct fault_backend *be, struct lab_error **err);
  /* Looks at the real state. */
  int (*present)(struct fault *f, const struct fault_backend *be, bool *present,
                 struct lab_error **err);
  /* Exact repair when not from f->undo (OVS kinds); NULL: f->undo's records. */
  int (*repair)(struct fault *f, const struct fault_backend *be, struct lab_error **err);
  const char *symptom;
  const char *hints[4];
};

/* The kinds' table (fault-table.c), indexed by enum fault_kind; NULL: not
 * implemented.  One struct per kind, in its family's file. */
extern const struct fault_kind_ops *const fault_kind_ops[FAULT_KIND__COUNT];
extern const struct fault_kind_ops fault_ops_link_mtu, fault_ops_link_down,
    fault_ops_tx_checksum_on, fault_ops_underlay_down, fault_ops_pod_route_delete,
    fault_ops_duplicate_ip, fault_ops_partition, fault_ops_netem;
extern const struct fault_kind_ops fault_ops_flow_delete, fault_ops_tunnel_dst,
    fault_ops_vni_mismatch, fault_ops_tunnel_port_delete;
extern const struct fault_kind_ops fault_ops_neighbour_poison;
extern const struct fault_kind_ops fault_ops_cgroup_memory, fault_ops_cgroup_pids,
    fault_ops_cgroup_cpu, fault_ops_seccomp_deny;
extern const struct fault_kind_ops fault_ops_daemon_kill, fault_ops_pod_kill;
/* Helpers of the network kinds shared with the others (fault-net.c). */
int fault_resolve_node(struct fault *f, const struct fault_view *v, const char *key,
                       const struct fault_view_node **out, struct lab_error **err);
/* Fills "pod" when absent (the first running pod with an address) and finds it, running. */
int fault_resolve_pod(struct fault *f, const struct fault_view *v,
                      const struct fault_view_pod **out, struct lab_error **err);
/* Runs nodelab-ovs with args on the switch of the node whose init is pid (fault-ovs.c). */
int fault_ovs(const struct fault_backend *be, pid_t pid, const char *const *args, char **out,
              struct lab_error **err);
void fault_set_target(struct fault *f, pid_t pid, const char *ifname, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The real backend's container calls (fault-container.c): the host's
 * /sys/fs/cgroup, and the node's runtime socket. */
int fault_real_cgroup_get(void *ctx, const char *relpath, enum cgroup_limit_kind kind, char **value,
                          struct lab_error **err);
int fault_real_cgroup_put(void *ctx, const char *relpath, enum cgroup_limit_kind kind,
                          const char *value, struct lab_error **err);
int fault_real_seccomp(void *ctx, pid_t node_pid, const char *container, const char *const *deny,
                       struct rt_rpc_seccomp_state *out, struct lab_error **err);
int fault_real_ctr_start(void *ctx, pid_t node_pid, const char *container, struct lab_error **err);

/* Helpers the kinds share (fault.c). */
/* Fills *err with the message alone (no strerror: it is whole) and errnum,
 * which tells the API's status.  Returns -1. */
int fault_refuse(struct lab_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const struct fault_view_node *fault_view_node(const struct fault_view *v, const char *name);
const struct fault_view_pod *fault_view_pod(const struct fault_view *v, const char *name);
/* Sets parameter key's value when it was not given; its parsed value too. */
int fault_default_param(struct fault *f, const char *key, const char *value,
                        struct lab_error **err);
/* The parsed value of key (zeroed when absent). */
const union fault_value *fault_value(const struct fault *f, const char *key);
/* Applies f's undo records from the last, dropping each once applied (a
 * kind's own repair calls it for the netfault part). */
int fault_undo_records(struct fault *f, const struct fault_backend *be, struct lab_error **err);
/* A new undo record of f, in the namespace of pid (at most FAULT_MAX_UNDO). */
struct fault_undo *fault_new_undo(struct fault *f, pid_t pid);
/* Runs one netfault primitive through the backend, keeping its undo record
 * only when it succeeded. */
#define FAULT_ACT(f, be, call, ...)                                                                \
  ({                                                                                               \
    cleanup_close int fd_ = -1;                                                                    \
    int rc_ = fault_netns((be), (f)->pid, &fd_, err);                                              \
    if (rc_ == 0) {                                                                                \
      struct fault_undo *u_ = fault_new_undo((f), (f)->pid);                                       \
      rc_ = (be)->ops->call((be)->ctx, fd_, __VA_ARGS__, &u_->nf, err);                            \
      if (rc_ < 0)                                                                                 \
        (f)->n_undo--;                                                                             \
    }                                                                                              \
    rc_;                                                                                           \
  })

/* Opens pid's netns through be into *fd. */
int fault_netns(const struct fault_backend *be, pid_t pid, int *fd, struct lab_error **err);
/* The namespace of pid, captured into *st (the caller frees it). */
int fault_capture(const struct fault_backend *be, pid_t pid, struct netstate **st,
                  struct lab_error **err);
/* The link ifname of the namespace of pid, captured (NULL when it has none;
 * *st owns it). */
int fault_capture_link(const struct fault_backend *be, pid_t pid, const char *ifname,
                       struct netstate **st, const struct netstate_link **link,
                       struct lab_error **err);

#endif
