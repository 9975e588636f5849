#include "ethtool.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
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

/* One SIOCETHTOOL request (data: a struct ethtool_* starting with its cmd)
 * on socket s. */
static int ethtool_ioctl_on(int s, const char *ifname, void *data, struct lab_error **err)
{
  struct ifreq ifr;
  if (strlen(ifname) >= sizeof ifr.ifr_name)
    return lab_error_set(err, EINVAL, "interface name %s: too long", ifname);
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, ifname);
  ifr.ifr_data = data;
  if (ioctl(s, SIOCETHTOOL, &ifr) < 0)
    return lab_error_errno(err, "ethtool %s", ifname);
  return 0;
}

static int ethtool_ioctl(int netns_fd, const char *ifname, struct ethtool_value *ev,
                         struct lab_error **err)
{
  cleanup_close int s = socket_in_netns(netns_fd, err);
  if (s < 0)
    return -1;
  return ethtool_ioctl_on(s, ifname, ev, err);
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

int ethtool_get_features(int netns_fd, const char *ifname, char **names, struct lab_error **err)
{
  cleanup_close int s = socket_in_netns(netns_fd, err);
  if (s < 0)
    return -1;
  /* How many feature names, their names, then their state (ethtool -k's three steps). */
  struct {
    struct ethtool_sset_info hdr;
    uint32_t len;
  } info = {.hdr = {.cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ull << ETH_SS_FEATURES}};
  if (ethtool_ioctl_on(s, ifname, &info, err) < 0)
    return -1;
  uint32_t n = info.hdr.sset_mask ? info.len : 0;
  if (n > 4096)
    return lab_error_set(err, EIO, "ethtool %s: %u features?", ifname, n);
  uint32_t blocks = (n + 31) / 32;
  cleanup_free struct ethtool_gstrings *str = calloc(1, sizeof *str + (size_t)n * ETH_GSTRING_LEN);
  cleanup_free struct ethtool_gfeatures *feat =
      calloc(1, sizeof *feat + (size_t)blocks * sizeof feat->features[0]);
  if (str == NULL || feat == NULL)
    return lab_error_set(err, ENOMEM, "ethtool %s", ifname);
  str->cmd = ETHTOOL_GSTRINGS;
  str->string_set = ETH_SS_FEATURES;
  str->len = n;
  feat->cmd = ETHTOOL_GFEATURES;
  feat->size = blocks;
  if (n > 0 &&
      (ethtool_ioctl_on(s, ifname, str, err) < 0 || ethtool_ioctl_on(s, ifname, feat, err) < 0))
    return -1;
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    return lab_error_errno(err, "ethtool %s", ifname);
  const char *sep = "";
  for (uint32_t i = 0; i < n; i++) {
    if (!(feat->features[i / 32].active & (1u << (i % 32))))
      continue;
    const char *name = (const char *)str->data + (size_t)i * ETH_GSTRING_LEN;
    fprintf(f, "%s%.*s", sep, ETH_GSTRING_LEN, name);
    sep = ",";
  }
  if (fclose(f) != 0) {
    free(buf);
    return lab_error_set(err, ENOMEM, "ethtool %s", ifname);
  }
  *names = buf;
  return 0;
}
