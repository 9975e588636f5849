/* IPv4 addresses as nodelab keeps them: a uint32_t in host byte order
 * (10.1.1.2 is 0x0a010102). */
#ifndef NODELAB_IPV4_H
#define NODELAB_IPV4_H

#include <stdint.h>

/* Room for "255.255.255.255" and its NUL. */
#define IPV4_STRLEN 16

/* Writes addr as a dotted quad into buf and returns buf, so that a caller can
 * format in place: printf("%s", ipv4_format(a, buf)). */
char *ipv4_format(uint32_t addr, char buf[IPV4_STRLEN]);

/* Parses "A.B.C.D" or "A.B.C.D/P" (host bits allowed: an interface's
 * address, "192.168.122.202/24") into *addr and, when prefix is not NULL,
 * *prefix (-1 without "/P").  Returns 0, or -1 when text is NULL or not so. */
int ipv4_parse(const char *text, uint32_t *addr, int *prefix);

#endif
