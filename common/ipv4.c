#include "ipv4.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *ipv4_format(uint32_t addr, char buf[IPV4_STRLEN])
{
  snprintf(buf, IPV4_STRLEN, "%u.%u.%u.%u", (addr >> 24) & 0xff, (addr >> 16) & 0xff,
           (addr >> 8) & 0xff, addr & 0xff);
  return buf;
}

int ipv4_parse(const char *text, uint32_t *addr, int *prefix)
{
  if (text == NULL)
    return -1;
  size_t n = strcspn(text, "/");
  char quad[IPV4_STRLEN];
  struct in_addr a;
  if (n >= sizeof quad)
    return -1;
  memcpy(quad, text, n);
  quad[n] = '\0';
  if (inet_pton(AF_INET, quad, &a) != 1)
    return -1;
  int p = -1;
  if (text[n] == '/') {
    char *end;
    long v = strtol(text + n + 1, &end, 10);
    if (end == text + n + 1 || *end != '\0' || v < 0 || v > 32)
      return -1;
    p = (int)v;
  }
  *addr = ntohl(a.s_addr);
  if (prefix != NULL)
    *prefix = p;
  return 0;
}
