/* Pod addresses of one node: the node's subnet, the gateway at .1, pods from
 * .2 upward, the lowest free address first.  Each allocation is a file named
 * after the address in a directory of the runtime's root, created with
 * O_EXCL: concurrent allocators never hand out one address twice, and a
 * restarted runtime sees every live pod's address. */
#ifndef NODELAB_RUNTIME_IPAM_H
#define NODELAB_RUNTIME_IPAM_H

#include <stdint.h>

#include "error.h"
#include "ipv4.h"

struct ipam_subnet {
  uint32_t network; /* host byte order */
  int prefix;
  uint32_t gateway; /* host byte order; 0: none */
};

/* Parses "10.1.1.0/24" (host bits must be zero) and an optional gateway
 * ("10.1.1.1", inside the subnet; NULL: none).  Returns 0, or -1 and *err. */
int ipam_parse(const char *cidr, const char *gateway, struct ipam_subnet *out,
               struct lab_error **err);

/* Allocates the lowest free address of sn (not the network, broadcast or
 * gateway address) for owner, recording it in dir (created when missing).
 * Returns 0 and *addr, or -1 and *err ("subnet 10.1.1.0/24 is full"). */
int ipam_allocate(const char *dir, const struct ipam_subnet *sn, const char *owner, uint32_t *addr,
                  struct lab_error **err);

/* Frees addr.  Freeing a free address is not an error. */
int ipam_release(const char *dir, uint32_t addr, struct lab_error **err);

#endif
