#include "ethtool.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "cleanup.h"

/* An ioctl socket lives in the namespace it was created in, so the thread
 * enters the target namespace only for socket(2). */
static int socket_in_netns(int netns_fd, struct lab_error **err)
{
  if (netns_fd < 0) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    return s < 0 ? lab_error_errno(err, "socket") : s;
  }
  cleanup_close int saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (saved < 0)
    return lab_error_errno(err, "open /proc/thread-self/ns/net");
  if (setns(netns_fd, CLONE_NEWNET) < 0)
    return lab_error_errno(err, "setns(net)");
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int saved_errno = errno;
  if (setns(saved, CLONE_NEWNET) < 0)
    abort(); /* stuck in a foreign namespace: nothing sane can follow */
  if (s < 0) {
    errno = saved_errno;
    return lab_error_errno(err, "socket");
  }
  return s;
}

static int ethtool_ioctl(int netns_fd, const char *ifname, struct ethtool_value *ev,
                         struct lab_error **err)
{
  struct ifreq ifr;
  if (strlen(ifname) >= sizeof ifr.ifr_name)
    return lab_error_set(err, EINVAL, "interface name %s: too long", ifname);
  cleanup_close int s = socket_in_netns(netns_fd, err);
  if (s < 0)
    return -1;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, ifname);
  ifr.ifr_data = (void *)ev;
  if (ioctl(s, SIOCETHTOOL, &ifr) < 0)
    return lab_error_errno(err, "ethtool %s", ifname);
  return 0;
}

int ethtool_set_tx_csum(int netns_fd, const char *ifname, int on, struct lab_error **err)
{
  struct ethtool_value ev = {.cmd = ETHTOOL_STXCSUM, .data = on ? 1 : 0};
  return ethtool_ioctl(netns_fd, ifname, &ev, err);
}

int ethtool_get_tx_csum(int netns_fd, const char *ifname, int *on, struct lab_error **err)
{
  struct ethtool_value ev = {.cmd = ETHTOOL_GTXCSUM};
  if (ethtool_ioctl(netns_fd, ifname, &ev, err) < 0)
    return -1;
  *on = ev.data != 0;
  return 0;
}
