/* The network primitives the fault kinds call: each acts in the network
 * namespace of a given fd (through a libnl socket opened in it, or the
 * ethtool ioctl), and fills a struct netfault_undo with what it replaced, so
 * that netfault_repair() puts the namespace back exactly: the state captured
 * by netstate_capture() after repair equals the one captured before inject.
 *
 * Where the kernel takes more down with the change (a link set down loses its
 * routes and neighbours; an address deleted loses the routes through it and
 * its secondaries), the undo record holds a snapshot of the namespace taken
 * before, and repair reconciles toward it (netfault_reconcile).
 *
 * Every function returns 0, or -1 and *err; on failure the namespace is as it
 * was and *undo is empty (kind NETFAULT_UNDO_NONE). */
#ifndef NODELAB_NETFAULT_H
#define NODELAB_NETFAULT_H

#include <netinet/in.h>
#include <stdint.h>

#include "error.h"
#include "netstate.h"

enum netfault_undo_kind {
  NETFAULT_UNDO_NONE,       /* nothing to undo */
  NETFAULT_UNDO_MTU,        /* set ifname's MTU back to value */
  NETFAULT_UNDO_LINK_STATE, /* set ifname up (value 1) or down (0), then reconcile to saved */
  NETFAULT_UNDO_TX_CSUM,    /* set ifname's tx checksum offload back to value */
  NETFAULT_UNDO_QDISC,      /* delete the root qdisc of ifname: the default (qdisc) comes back */
  NETFAULT_UNDO_ROUTE_ADD,  /* add route back */
  NETFAULT_UNDO_ROUTE_DEL,  /* delete route */
  NETFAULT_UNDO_NEIGH,      /* put neigh back (had_neigh) or delete the entry for neigh_dst */
  NETFAULT_UNDO_ADDR_DEL,   /* delete addr */
  NETFAULT_UNDO_RECONCILE,  /* reconcile to saved (an address deleted, with what went with it) */
};

struct netfault_undo {
  enum netfault_undo_kind kind;
  char ifname[IFNAMSIZ];
  int value;                   /* MTU, LINK_STATE, TX_CSUM: the previous value */
  struct netstate_route route; /* ROUTE_ADD, ROUTE_DEL */
  struct netstate_neigh neigh; /* NEIGH: the previous entry, when had_neigh */
  int had_neigh;
  struct netstate_addr addr;   /* ADDR_DEL */
  struct netstate_qdisc qdisc; /* QDISC: the previous root qdisc, to check it came back */
  struct netstate *saved;      /* LINK_STATE, RECONCILE: the namespace before (owned) */
};

/* What netfault_netem_set() installs.  Zero fields are left out; at least one
 * of them must be non-zero.  jitter and reorder need delay (as tc says). */
struct netfault_netem {
  uint32_t delay_us, jitter_us;
  uint32_t loss_ppm, duplicate_ppm, corrupt_ppm, reorder_ppm; /* parts per million */
  uint32_t limit;                                             /* packets; 0: 1000, tc's default */
  uint64_t rate_bits; /* bits per second, 0: no rate limit */
};

/* The handles netfault_netem_set() uses: netem (or a lone tbf) as root 1:,
 * the tbf rate limit under netem as its child 10: on class 1:1. */
#define NETFAULT_NETEM_HANDLE 0x00010000u
#define NETFAULT_TBF_HANDLE 0x00100000u

/* Undoes what the primitive that filled *undo did (see enum
 * netfault_undo_kind), then empties *undo (netfault_undo_clear).  On failure
 * *undo is kept, so that a repair can be retried.  NONE: nothing, 0. */
int netfault_repair(int netns_fd, struct netfault_undo *undo, struct lab_error **err);

/* Frees what *undo owns and sets it to NONE.  Accepts an empty record. */
void netfault_undo_clear(struct netfault_undo *undo);

/* Reads ifname's MTU into *mtu. */
int netfault_link_get_mtu(int netns_fd, const char *ifname, int *mtu, struct lab_error **err);

/* Sets ifname's MTU to mtu; undo: the MTU before. */
int netfault_link_set_mtu(int netns_fd, const char *ifname, int mtu, struct netfault_undo *undo,
                          struct lab_error **err);

/* Sets ifname administratively up (up != 0) or down; undo: the state before,
 * and a snapshot of the namespace (the kernel drops the link's routes and
 * neighbours when it goes down; repair puts them back). */
int netfault_link_set_up(int netns_fd, const char *ifname, int up, struct netfault_undo *undo,
                         struct lab_error **err);

/* Turns ifname's tx checksum offload on (on != 0) or off (common/ethtool);
 * undo: the state before.  EOPNOTSUPP when the driver does not report it. */
int netfault_tx_csum_set(int netns_fd, const char *ifname, int on, struct netfault_undo *undo,
                         struct lab_error **err);

/* Replaces ifname's root qdisc with netem (handle 1:) holding spec, and when
 * spec->rate_bits is set, a tbf child (10:) limiting the rate (libnl 3.7 has
 * no API for netem's own rate); a rate alone is a root tbf (1:), which needs
 * no sch_netem in the kernel.  Only a default root qdisc (handle 0: the
 * kernel's noqueue, pfifo_fast, mq...) is replaced: anything else fails with
 * EBUSY, since repair could not restore it exactly.  undo: that root qdisc;
 * repair deletes ours and checks the same default came back. */
int netfault_netem_set(int netns_fd, const char *ifname, const struct netfault_netem *spec,
                       struct netfault_undo *undo, struct lab_error **err);

/* Deletes the route of table (0: main) to dst/dst_len with the lowest
 * metric; *removed (when not NULL) and undo: the whole route as captured, to
 * add it back identically.  ESRCH when there is none. */
int netfault_route_delete(int netns_fd, uint32_t table, struct in_addr dst, uint8_t dst_len,
                          struct netstate_route *removed, struct netfault_undo *undo,
                          struct lab_error **err);

/* Adds route r (as netstate_capture() reads routes: table, type, protocol,
 * scope, tos, metric, prefsrc, metrics, nexthops by interface name); EEXIST
 * when a route with its key is there.  undo: delete it. */
int netfault_route_add(int netns_fd, const struct netstate_route *r, struct netfault_undo *undo,
                       struct lab_error **err);

/* Replaces the IPv4 neighbour ip on ifname with a permanent entry for mac
 * (6 bytes); undo: the entry before, or none.  Repair puts a permanent or
 * noarp entry back as it was, a dynamic one as stale with its lladdr (the
 * kernel then revalidates it), and deletes the entry when there was none. */
int netfault_neigh_replace(int netns_fd, const char *ifname, struct in_addr ip,
                           const uint8_t mac[6], struct netfault_undo *undo,
                           struct lab_error **err);

/* Deletes the IPv4 neighbour ip on ifname; ESRCH when there is none.  undo:
 * the entry, restored as netfault_neigh_replace() says. */
int netfault_neigh_delete(int netns_fd, const char *ifname, struct in_addr ip,
                          struct netfault_undo *undo, struct lab_error **err);

/* Adds IPv4 address ip/prefix to ifname (no broadcast, scope global, as `ip
 * addr add` does); EEXIST when ifname has it.  undo: delete it. */
int netfault_addr_add(int netns_fd, const char *ifname, struct in_addr ip, uint8_t prefix,
                      struct netfault_undo *undo, struct lab_error **err);

/* Deletes IPv4 address ip/prefix from ifname; ESRCH when it has not.  undo: a
 * snapshot of the namespace before (the address, the secondaries and the
 * routes the kernel removes with it), reconciled to on repair. */
int netfault_addr_delete(int netns_fd, const char *ifname, struct in_addr ip, uint8_t prefix,
                         struct netfault_undo *undo, struct lab_error **err);

/* Adds back what saved has and the namespace lacks: IPv4 addresses (primary
 * before secondary), routes (by key: table, dst, tos, metric; narrower scope
 * first, so that gateways are reachable), permanent neighbours.  Removes
 * nothing.  Fails on the first object the kernel refuses. */
int netfault_reconcile(int netns_fd, const struct netstate *saved, struct lab_error **err);

#endif
