/* Remote nodes: adding and removing them (netd.h), and priming their tunnels.
 * See netd-internal.h. */
#include <config.h>

#include "netd-internal.h"

#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "timeval.h"

int netd_remote_add(struct netd *n, const char *node, const char *subnet, const char *underlay,
                    struct lab_error **err)
{
  uint32_t s, u;
  int p;
  if (netd_parse_cidr(subnet, 1, &s, &p, err) < 0 ||
      netd_parse_cidr(underlay, 0, &u, NULL, err) < 0)
    return lab_error_wrap(err, "node %s", node);
  if (flows_model_add_remote(n->model, node, s, p, u, err) < 0)
    return -1;
  if (netd_flows_sync(n, err) < 0) {
    flows_model_del_remote(n->model, node, NULL);
    return -1;
  }
  n->prime_at = 0;
  n->n_primes = 0;
  return 0;
}

int netd_remote_del(struct netd *n, const char *node, struct lab_error **err)
{
  if (flows_model_del_remote(n->model, node, err) < 0)
    return -1;
  return netd_flows_sync(n, err);
}

/* ovs-vswitchd's native tunnelling learns a remote node's underlay MAC by
 * snooping ARP on br-phy, and drops the packet that made it ask.  One empty
 * UDP datagram per remote node (discard port) from the node's own stack makes
 * the kernel ARP through br-phy first, so the first pod packet to a node is
 * not lost; repeated so that ARP refreshes keep OVS's entries alive, and
 * soon after start since remote nodes come up in any order. */
void netd_remotes_prime(struct netd *n)
{
  static const int delays_ms[] = {1000, 2000, 5000, 10000};
  long long now = time_msec();
  if (now < n->prime_at)
    return;
  n->prime_at = now + (n->n_primes < 4 ? delays_ms[n->n_primes] : 30000);
  n->n_primes++;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return;
  for (size_t i = 0; i < flows_model_remote_count(n->model); i++) {
    uint32_t underlay;
    flows_model_remote(n->model, i, NULL, NULL, NULL, &underlay);
    struct sockaddr_in sin = {
        .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(underlay)};
    (void)sendto(fd, "", 0, 0, (struct sockaddr *)&sin, sizeof sin);
  }
  close(fd);
}
