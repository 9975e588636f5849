#include "link.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "netlink.h"

int netd_link_get_mac(struct nl_sock *sk, const char *ifname, char mac[18], struct lab_error **err)
{
  struct rtnl_link *link = NULL;
  int rc = rtnl_link_get_kernel(sk, 0, ifname, &link);
  if (rc < 0)
    return netlink_fail(err, rc, "looking up link", ifname);
  struct nl_addr *addr = rtnl_link_get_addr(link);
  if (addr == NULL || nl_addr_get_len(addr) != 6) {
    rtnl_link_put(link);
    return lab_error_set(err, EINVAL, "%s: no Ethernet address", ifname);
  }
  const unsigned char *b = nl_addr_get_binary_addr(addr);
  snprintf(mac, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
  rtnl_link_put(link);
  return 0;
}

int netd_link_exists(struct nl_sock *sk, const char *ifname, struct lab_error **err)
{
  struct rtnl_link *link = NULL;
  int rc = rtnl_link_get_kernel(sk, 0, ifname, &link);
  if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV)
    return 0;
  if (rc < 0)
    return netlink_fail(err, rc, "looking up link", ifname);
  rtnl_link_put(link);
  return 1;
}

int netd_link_is_up(struct nl_sock *sk, const char *ifname, struct lab_error **err)
{
  struct rtnl_link *link = NULL;
  int rc = rtnl_link_get_kernel(sk, 0, ifname, &link);
  if (rc < 0)
    return netlink_fail(err, rc, "looking up link", ifname);
  int up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
  rtnl_link_put(link);
  return up;
}

int netd_sysctl_set(const char *key, const char *value, struct lab_error **err)
{
  char path[256];
  if (snprintf(path, sizeof path, "/proc/sys/%s", key) >= (int)sizeof path)
    return lab_error_set(err, ENAMETOOLONG, "sysctl %s", key);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return lab_error_errno(err, "sysctl %s", path);
  size_t len = strlen(value);
  ssize_t n = write(fd, value, len);
  int saved = errno;
  close(fd);
  if (n != (ssize_t)len) {
    errno = n < 0 ? saved : EIO;
    return lab_error_errno(err, "sysctl %s = %s", path, value);
  }
  return 0;
}
