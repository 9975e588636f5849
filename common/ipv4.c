#include "ipv4.h"

#include <stdio.h>

char *ipv4_format(uint32_t addr, char buf[IPV4_STRLEN])
{
  snprintf(buf, IPV4_STRLEN, "%u.%u.%u.%u", (addr >> 24) & 0xff, (addr >> 16) & 0xff,
           (addr >> 8) & 0xff, addr & 0xff);
  return buf;
}
