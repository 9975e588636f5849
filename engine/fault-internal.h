/* The inside of the fault engine: the layout of a fault, the table of kind
 * implementations (one struct fault_kind_ops per enum fault_kind) and the
 * backend vtable, with a fake beside the real one for unit tests.  Only
 * engine/fault*.c and unit tests include this. */
#ifndef NODELAB_FAULT_INTERNAL_H
#define NODELAB_FAULT_INTERNAL_H

#include <netinet/in.h>
#include <stdint.h>

#include "fault.h"
#include "netfault.h"

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
  bool injected;
  struct fault_undo undo[FAULT_MAX_UNDO];
  size_t n_undo;
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
  int (*repair)(void *ctx, int fd, struct netfault_undo *undo, struct lab_error **err);
  /* The namespace's state (permanent neighbours only); caller frees. */
  int (*capture)(void *ctx, int fd, struct netstate **out, struct lab_error **err);
};

struct fault_backend {
  const struct fault_backend_ops *ops;
  void *ctx;
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
  const char *symptom;
  const char *hints[4];
};

/* The kinds' table (fault-net.c), indexed by enum fault_kind. */
extern const struct fault_kind_ops fault_kind_ops[FAULT_KIND__COUNT];

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
/* Opens pid's netns through be into *fd. */
int fault_netns(const struct fault_backend *be, pid_t pid, int *fd, struct lab_error **err);
/* The link ifname of the namespace of pid, captured (NULL when it has none;
 * *st owns it). */
int fault_capture_link(const struct fault_backend *be, pid_t pid, const char *ifname,
                       struct netstate **st, const struct netstate_link **link,
                       struct lab_error **err);

#endif
