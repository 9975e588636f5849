#include "ipam.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse_quad(const char *s, uint32_t *out, const char **end)
{
  unsigned a, b, c, d;
  int n = 0;
  if (sscanf(s, "%3u.%3u.%3u.%3u%n", &a, &b, &c, &d, &n) != 4 || a > 255 || b > 255 || c > 255 ||
      d > 255)
    return -1;
  *out = (a << 24) | (b << 16) | (c << 8) | d;
  *end = s + n;
  return 0;
}

int ipam_parse(const char *cidr, const char *gateway, struct ipam_subnet *out,
               struct lab_error **err)
{
  const char *end;
  unsigned prefix;
  int n = 0;
  if (cidr == NULL || parse_quad(cidr, &out->network, &end) < 0 || *end != '/' ||
      sscanf(end + 1, "%2u%n", &prefix, &n) != 1 || end[1 + n] != '\0' || prefix > 30 || prefix < 8)
    return lab_error_set(err, EINVAL, "subnet \"%s\": expected A.B.C.D/N with 8 <= N <= 30",
                         cidr ? cidr : "");
  out->prefix = (int)prefix;
  uint32_t mask = prefix == 0 ? 0 : ~0U << (32 - prefix);
  if (out->network & ~mask)
    return lab_error_set(err, EINVAL, "subnet \"%s\": host bits are set", cidr);
  out->gateway = 0;
  if (gateway != NULL) {
    if (parse_quad(gateway, &out->gateway, &end) < 0 || *end != '\0')
      return lab_error_set(err, EINVAL, "gateway \"%s\": expected A.B.C.D", gateway);
    if ((out->gateway & mask) != out->network)
      return lab_error_set(err, EINVAL, "gateway %s is outside %s", gateway, cidr);
  }
  return 0;
}

int ipam_allocate(const char *dir, const struct ipam_subnet *sn, const char *owner, uint32_t *addr,
                  struct lab_error **err)
{
  if (mkdir(dir, 0700) < 0 && errno != EEXIST)
    return lab_error_errno(err, "mkdir %s", dir);
  uint32_t size = 1U << (32 - sn->prefix);
  /* .1 is the gateway by convention even when none is given: pods start at .2 */
  for (uint32_t host = 2; host < size - 1; host++) {
    uint32_t a = sn->network + host;
    if (a == sn->gateway)
      continue;
    char ip[16], path[4096];
    ipv4_format(a, ip);
    snprintf(path, sizeof path, "%s/%s", dir, ip);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      if (errno == EEXIST)
        continue;
      return lab_error_errno(err, "allocating %s", path);
    }
    size_t len = strlen(owner);
    ssize_t w = write(fd, owner, len);
    close(fd);
    if (w != (ssize_t)len) {
      unlink(path);
      return lab_error_set(err, EIO, "writing %s", path);
    }
    *addr = a;
    return 0;
  }
  char net[16];
  ipv4_format(sn->network, net);
  return lab_error_set(err, ENOSPC, "subnet %s/%d is full", net, sn->prefix);
}

int ipam_release(const char *dir, uint32_t addr, struct lab_error **err)
{
  char ip[16], path[4096];
  ipv4_format(addr, ip);
  snprintf(path, sizeof path, "%s/%s", dir, ip);
  if (unlink(path) < 0 && errno != ENOENT)
    return lab_error_errno(err, "releasing %s", path);
  return 0;
}
