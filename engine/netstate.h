/* The network state of one network namespace, as data: what the fault engine
 * snapshots before it injects, and compares after it repairs.
 *
 * netstate_capture() reads a namespace through libnl caches (links with their
 * tx checksum offload and active ethtool features, IPv4 addresses, IPv4 routes of every table, IPv4
 * neighbours, qdiscs with netem's and tbf's parameters: netem's own rate is
 * read from a raw dump, libnl 3.7 does not parse it); netstate_format()
 * writes it as canonical text: one object per line, sorted, objects named by
 * interface name rather than ifindex, no counters, statistics or timers, so
 * that two snapshots compare with strcmp() and netstate_diff() reads well.
 *
 * The records are plain data (a pure model, like netd/flows.h): unit tests
 * build them by hand; netfault.h takes and returns them.  IPv6 is not
 * captured (link-local addresses and their routes come and go with DAD when a
 * link changes state; the engine's faults are IPv4). */
#ifndef NODELAB_NETSTATE_H
#define NODELAB_NETSTATE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define NETSTATE_KIND_MAX 32 /* "veth", "bridge", "openvswitch", "netem" ... */
#define NETSTATE_LLADDR_MAX 32
#define NETSTATE_NEXTHOP_MAX 8
#define NETSTATE_METRIC_MAX 17 /* RTAX_MAX of linux/rtnetlink.h is 17 (RTAX_FASTOPEN_NO_COOKIE) */

struct netstate_link {
  char name[IFNAMSIZ];
  int ifindex;                  /* for resolving only; never formatted */
  char kind[NETSTATE_KIND_MAX]; /* rtnl link info kind ("veth"), "" for none */
  uint16_t arptype;             /* ARPHRD_* */
  uint32_t flags;               /* IFF_* as the kernel reports them (up, lower_up, promisc...) */
  uint8_t operstate;            /* IF_OPER_* */
  uint32_t mtu;
  uint32_t txqlen;
  uint8_t lladdr[NETSTATE_LLADDR_MAX];
  size_t lladdr_len;     /* 0: no link-layer address */
  char master[IFNAMSIZ]; /* "" when none */
  int master_ifindex;    /* for resolving only; never formatted */
  int tx_csum;           /* 1 on, 0 off, -1 not reported (no ethtool support) */
  char *features;        /* the active ethtool features, ',' between (owned by the state);
                            NULL: not reported */
};

struct netstate_addr {
  char ifname[IFNAMSIZ];
  struct in_addr local;
  uint8_t prefix;
  struct in_addr peer; /* shown when it differs from local (point-to-point) */
  struct in_addr broadcast;
  int has_broadcast;
  uint8_t scope;  /* RT_SCOPE_* */
  uint32_t flags; /* IFA_F_* (permanent, secondary...) */
  char label[IFNAMSIZ];
};

struct netstate_nexthop {
  char ifname[IFNAMSIZ]; /* "" when none */
  struct in_addr gateway;
  int has_gateway;
  uint8_t flags;  /* RTNH_F_* (onlink, linkdown...) */
  uint8_t weight; /* 0 when not multipath */
};

struct netstate_route {
  uint32_t table;   /* RT_TABLE_MAIN (254), RT_TABLE_LOCAL (255), ... */
  uint8_t type;     /* RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, ... */
  uint8_t protocol; /* RTPROT_KERNEL, RTPROT_BOOT, RTPROT_STATIC, ... */
  uint8_t scope;    /* RT_SCOPE_* */
  uint8_t tos;
  uint32_t priority; /* the metric */
  struct in_addr dst;
  uint8_t dst_len; /* 0 with dst 0.0.0.0: the default route */
  struct in_addr prefsrc;
  int has_prefsrc;
  uint32_t metrics[NETSTATE_METRIC_MAX + 1]; /* RTAX_*; 0 when not set */
  struct netstate_nexthop nexthops[NETSTATE_NEXTHOP_MAX];
  size_t n_nexthops;
};

struct netstate_neigh {
  char ifname[IFNAMSIZ];
  struct in_addr dst;
  uint8_t lladdr[NETSTATE_LLADDR_MAX];
  size_t lladdr_len; /* 0: none (incomplete, failed) */
  uint16_t state;    /* NUD_* */
  uint8_t flags;     /* NTF_* */
};

/* The netem parameters nodelab reads and writes.  Probabilities are parts
 * per million (30% = 300000), as scenario/fault-kinds.h parses them. */
struct netstate_netem {
  uint32_t limit; /* packets */
  uint32_t delay_us, jitter_us;
  uint32_t loss_ppm, duplicate_ppm, corrupt_ppm, reorder_ppm;
  uint32_t delay_corr_ppm, loss_corr_ppm, duplicate_corr_ppm, reorder_corr_ppm, corrupt_corr_ppm;
  uint32_t gap;
  uint64_t rate_bytes; /* netem's own rate (tc netem rate), bytes per second; 0: none */
};

struct netstate_tbf {
  uint64_t rate_bytes; /* bytes per second */
  uint32_t burst;      /* bytes */
  uint32_t limit;      /* bytes */
};

enum netstate_qdisc_params {
  NETSTATE_QDISC_PLAIN, /* kind, handle and parent only */
  NETSTATE_QDISC_NETEM,
  NETSTATE_QDISC_TBF,
};

struct netstate_qdisc {
  char ifname[IFNAMSIZ];
  char kind[NETSTATE_KIND_MAX];
  uint32_t handle; /* major:minor in the upper:lower 16 bits */
  uint32_t parent; /* TC_H_ROOT, TC_H_INGRESS, or a class handle */
  enum netstate_qdisc_params params;
  union {
    struct netstate_netem netem;
    struct netstate_tbf tbf;
  } u;
};

struct netstate {
  struct netstate_link *links;
  size_t n_links;
  struct netstate_addr *addrs;
  size_t n_addrs;
  struct netstate_route *routes;
  size_t n_routes;
  struct netstate_neigh *neighs;
  size_t n_neighs;
  struct netstate_qdisc *qdiscs;
  size_t n_qdiscs;
};

/* What netstate_capture() leaves out. */
enum netstate_capture_flags {
  /* Only permanent neighbours (NUD_PERMANENT): the dynamic ones (reachable,
   * stale, incomplete, noarp multicast...) change by themselves. */
  NETSTATE_NEIGH_PERMANENT_ONLY = 1u << 0,
};

/* Returns an empty state (no objects), owned by the caller (netstate_free),
 * or NULL when out of memory. */
struct netstate *netstate_new(void);

/* Frees st and everything in it.  Accepts NULL. */
void netstate_free(struct netstate *st);

/* Scope guard: `cleanup_netstate struct netstate *st = NULL;` */
static inline void netstate_freep(struct netstate **st)
{
  netstate_free(*st);
}
#define cleanup_netstate __attribute__((cleanup(netstate_freep)))

/* Appends one zeroed record to st and returns it (owned by st, valid until
 * the next append of the same kind); aborts when out of memory (xalloc.h). */
struct netstate_link *netstate_add_link(struct netstate *st);
struct netstate_addr *netstate_add_addr(struct netstate *st);
struct netstate_route *netstate_add_route(struct netstate *st);
struct netstate_neigh *netstate_add_neigh(struct netstate *st);
struct netstate_qdisc *netstate_add_qdisc(struct netstate *st);

/* Reads the state of the network namespace of netns_fd (an fd on
 * /proc/PID/ns/net or a nsfs bind mount; < 0: the caller's) through a libnl
 * socket opened in it; the calling thread enters the namespace only to open
 * its sockets (netlink_open, ethtool).  flags: enum netstate_capture_flags.
 * Returns 0 and *out (owned by the caller), or -1 and *err. */
int netstate_capture(int netns_fd, unsigned flags, struct netstate **out, struct lab_error **err);

/* Returns the link named ifname in st, or NULL. */
const struct netstate_link *netstate_find_link(const struct netstate *st, const char *ifname);

/* Writes st as canonical text into *text (malloc'd, owned by the caller):
 * one line per object, "link ...", "offload LINK FEATURES" (for a link
 * whose features were read), "addr ...", "route ...", "neigh ...", "qdisc
 * ...", sorted bytewise, each ending in '\n'.  Equal states give equal
 * text.  Returns 0, or -1 and *err (out of memory). */
int netstate_format(const struct netstate *st, char **text, struct lab_error **err);

/* Writes one record as it appears in netstate_format() (without the '\n')
 * into *line (malloc'd, owned by the caller).  Returns 0, or -1 and *err. */
int netstate_format_link(const struct netstate_link *l, char **line, struct lab_error **err);
int netstate_format_addr(const struct netstate_addr *a, char **line, struct lab_error **err);
int netstate_format_route(const struct netstate_route *r, char **line, struct lab_error **err);
int netstate_format_neigh(const struct netstate_neigh *n, char **line, struct lab_error **err);
int netstate_format_qdisc(const struct netstate_qdisc *q, char **line, struct lab_error **err);

/* Compares two formatted states (netstate_format's text, or any sorted
 * lines): writes into *text (malloc'd, owned by the caller) each line only in
 * a as "- LINE\n" and each line only in b as "+ LINE\n", in sorted order; ""
 * when they are equal.  Returns the number of differing lines (>= 0), or -1
 * and *err. */
int netstate_diff_text(const char *a, const char *b, char **text, struct lab_error **err);

/* netstate_diff_text() of the formats of a and b. */
int netstate_diff(const struct netstate *a, const struct netstate *b, char **text,
                  struct lab_error **err);

/* Conversions between parts per million and the kernel's u32 probabilities
 * (UINT32_MAX = 100%), rounded to nearest as tc does. */
uint32_t netstate_ppm_to_prob(uint32_t ppm);
uint32_t netstate_prob_to_ppm(uint32_t prob);

#endif
