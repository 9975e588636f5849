/* Quantities as Kubernetes writes them (memory, CPU), CIDRs, durations,
 * ports and addresses.  Pure functions: no allocation, no locale. */
#include "scenario.h"
#include "scenario-internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static bool is_digit(char ch)
{
  return ch >= '0' && ch <= '9';
}

/* Reads digits at *p into *v (at most max_digits of them, no overflow past
 * UINT64_MAX); returns the number read. */
static int read_digits(const char **p, uint64_t *v, int max_digits, bool *overflow)
{
  int n = 0;
  *v = 0;
  while (is_digit(**p)) {
    uint64_t digit = (uint64_t)(**p - '0');
    if (n >= max_digits || *v > (UINT64_MAX - digit) / 10)
      *overflow = true;
    else
      *v = *v * 10 + digit;
    (*p)++;
    n++;
  }
  return n;
}

struct suffix {
  const char *text;
  uint64_t mult;
};

static const struct suffix memory_suffixes[] = {
    {"Ki", 1ULL << 10},
    {"Mi", 1ULL << 20},
    {"Gi", 1ULL << 30},
    {"Ti", 1ULL << 40},
    {"Pi", 1ULL << 50},
    {"k", 1000ULL},
    {"K", 1000ULL},
    {"M", 1000ULL * 1000},
    {"G", 1000ULL * 1000 * 1000},
    {"T", 1000ULL * 1000 * 1000 * 1000},
    {"P", 1000ULL * 1000 * 1000 * 1000 * 1000},
    {"", 1},
};

int scenario_parse_memory(const char *text, uint64_t *bytes, const char **problem)
{
  static const char bad[] = "is not a memory quantity (use e.g. 64Mi, 1Gi, 500M)";
  const char *p = text;
  uint64_t whole = 0, frac = 0;
  bool overflow = false;
  int nw = read_digits(&p, &whole, 20, &overflow);
  int nf = 0;
  if (*p == '.') {
    p++;
    nf = read_digits(&p, &frac, 9, &overflow);
    if (nf == 0 || nf > 9) {
      *problem = bad;
      return -1;
    }
  }
  if (nw == 0) {
    *problem = bad;
    return -1;
  }
  uint64_t mult = 0;
  for (size_t i = 0; i < sizeof memory_suffixes / sizeof memory_suffixes[0]; i++) {
    if (strcmp(p, memory_suffixes[i].text) == 0) {
      mult = memory_suffixes[i].mult;
      break;
    }
  }
  if (mult == 0) {
    *problem = bad;
    return -1;
  }
  /* whole*mult + ceil(frac*mult / 10^nf): a fraction of a byte rounds up, as
   * Kubernetes does.  128-bit arithmetic so no intermediate overflows. */
  unsigned __int128 scale = 1;
  for (int i = 0; i < nf; i++)
    scale *= 10;
  unsigned __int128 total = (unsigned __int128)whole * mult;
  total += ((unsigned __int128)frac * mult + scale - 1) / scale;
  if (overflow || total > (unsigned __int128)UINT64_MAX) {
    *problem = "is too large";
    return -1;
  }
  *bytes = (uint64_t)total;
  return 0;
}

int scenario_parse_cpu(const char *text, uint64_t *millis, const char **problem)
{
  static const char bad[] = "is not a CPU quantity (use e.g. 500m, 1, 0.5)";
  const char *p = text;
  uint64_t whole = 0, frac = 0;
  bool overflow = false;
  int nw = read_digits(&p, &whole, 20, &overflow);
  if (nw == 0) {
    *problem = bad;
    return -1;
  }
  if (*p == 'm' && p[1] == '\0') {
    if (overflow) {
      *problem = "is too large";
      return -1;
    }
    *millis = whole;
    return 0;
  }
  int nf = 0;
  if (*p == '.') {
    bool ignored = false; /* only the first three digits count; the rest are checked below */
    p++;
    nf = read_digits(&p, &frac, 20, &ignored);
    if (nf == 0) {
      *problem = bad;
      return -1;
    }
  }
  if (*p != '\0') {
    *problem = bad;
    return -1;
  }
  /* Keep three fractional digits; anything finer than 1m must be zeros. */
  uint64_t m = 0;
  const char *f = strchr(text, '.');
  for (int i = 0; i < 3; i++)
    m = m * 10 + (f != NULL && i < nf ? (uint64_t)(f[1 + i] - '0') : 0);
  for (int i = 3; i < nf; i++) {
    if (f[1 + i] != '0') {
      *problem = "is finer than 1m (a thousandth of a CPU)";
      return -1;
    }
  }
  if (overflow || whole > (UINT64_MAX - m) / 1000) {
    *problem = "is too large";
    return -1;
  }
  *millis = whole * 1000 + m;
  return 0;
}

int scenario_parse_ipv4(const char *text, uint32_t *addr)
{
  struct in_addr a;
  if (inet_pton(AF_INET, text, &a) != 1)
    return -1;
  *addr = ntohl(a.s_addr);
  return 0;
}

int scenario_parse_cidr(const char *text, struct scenario_cidr *out, const char **problem)
{
  static const char bad[] = "is not a CIDR (use e.g. 10.1.0.0/16)";
  const char *slash = strchr(text, '/');
  char ip[INET_ADDRSTRLEN];
  if (slash == NULL || (size_t)(slash - text) >= sizeof ip) {
    *problem = bad;
    return -1;
  }
  memcpy(ip, text, (size_t)(slash - text));
  ip[slash - text] = '\0';
  uint32_t addr;
  if (scenario_parse_ipv4(ip, &addr) < 0) {
    *problem = bad;
    return -1;
  }
  const char *p = slash + 1;
  uint64_t prefix = 0;
  bool overflow = false;
  int nd = read_digits(&p, &prefix, 2, &overflow);
  if (nd == 0 || nd > 2 || overflow || *p != '\0' || prefix > 32) {
    *problem = bad;
    return -1;
  }
  uint32_t mask = prefix == 0 ? 0 : UINT32_MAX << (32 - prefix);
  if ((addr & ~mask) != 0) {
    *problem = "has host bits set";
    return -1;
  }
  out->addr = addr;
  out->prefix = (int)prefix;
  return 0;
}

int scenario_parse_duration(const char *text, int *ms, const char **problem)
{
  static const char bad[] = "is not a duration (use e.g. 500ms, 2s, 1m)";
  const char *p = text;
  uint64_t v = 0;
  bool overflow = false;
  if (read_digits(&p, &v, 12, &overflow) == 0) {
    *problem = bad;
    return -1;
  }
  uint64_t mult;
  if (strcmp(p, "ms") == 0)
    mult = 1;
  else if (strcmp(p, "s") == 0)
    mult = 1000;
  else if (strcmp(p, "m") == 0)
    mult = 60 * 1000;
  else if (strcmp(p, "h") == 0)
    mult = 3600 * 1000;
  else {
    *problem = bad;
    return -1;
  }
  const uint64_t max = 24ULL * 3600 * 1000;
  if (overflow || v > max / mult) {
    *problem = "is longer than 24h";
    return -1;
  }
  *ms = (int)(v * mult);
  return 0;
}

int scenario_parse_port(const char *text, int *port)
{
  const char *p = text;
  uint64_t v = 0;
  bool overflow = false;
  int nd = read_digits(&p, &v, 6, &overflow);
  if (nd == 0 || *p != '\0' || overflow || v < 1 || v > 65535)
    return -1;
  *port = (int)v;
  return 0;
}

char *scenario_ip_string(uint32_t addr, char *buf)
{
  snprintf(buf, 16, "%u.%u.%u.%u", (addr >> 24) & 0xff, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
           addr & 0xff);
  return buf;
}
