/* Quantities as Kubernetes writes them (memory, CPU), rates as tc writes
 * them, durations, percentages, CIDRs, ports and addresses.  Pure functions: no allocation, no
 * locale. */
#include "scenario.h"
#include "scenario-internal.h"

#include <arpa/inet.h>
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Says why the text was refused: *problem = why; returns -1. */
static int refuse(const char **problem, const char *why)
{
  *problem = why;
  return -1;
}

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
    if (nf == 0 || nf > 9)
      return refuse(problem, bad);
  }
  if (nw == 0)
    return refuse(problem, bad);
  uint64_t mult = 0;
  for (size_t i = 0; i < sizeof memory_suffixes / sizeof memory_suffixes[0]; i++) {
    if (strcmp(p, memory_suffixes[i].text) == 0) {
      mult = memory_suffixes[i].mult;
      break;
    }
  }
  if (mult == 0)
    return refuse(problem, bad);
  /* whole*mult + ceil(frac*mult / 10^nf): a fraction of a byte rounds up, as
   * Kubernetes does.  128-bit arithmetic so no intermediate overflows. */
  unsigned __int128 scale = 1;
  for (int i = 0; i < nf; i++)
    scale *= 10;
  unsigned __int128 total = (unsigned __int128)whole * mult;
  total += ((unsigned __int128)frac * mult + scale - 1) / scale;
  if (overflow || total > (unsigned __int128)UINT64_MAX)
    return refuse(problem, "is too large");
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
  if (nw == 0)
    return refuse(problem, bad);
  if (*p == 'm' && p[1] == '\0') {
    if (overflow)
      return refuse(problem, "is too large");
    *millis = whole;
    return 0;
  }
  int nf = 0;
  if (*p == '.') {
    bool ignored = false; /* only the first three digits count; the rest are checked below */
    p++;
    nf = read_digits(&p, &frac, 20, &ignored);
    if (nf == 0)
      return refuse(problem, bad);
  }
  if (*p != '\0')
    return refuse(problem, bad);
  /* Keep three fractional digits; anything finer than 1m must be zeros. */
  uint64_t m = 0;
  const char *f = strchr(text, '.');
  for (int i = 0; i < 3; i++)
    m = m * 10 + (f != NULL && i < nf ? (uint64_t)(f[1 + i] - '0') : 0);
  for (int i = 3; i < nf; i++) {
    if (f[1 + i] != '0')
      return refuse(problem, "is finer than 1m (a thousandth of a CPU)");
  }
  if (overflow || whole > (UINT64_MAX - m) / 1000)
    return refuse(problem, "is too large");
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
  if (slash == NULL || (size_t)(slash - text) >= sizeof ip)
    return refuse(problem, bad);
  memcpy(ip, text, (size_t)(slash - text));
  ip[slash - text] = '\0';
  uint32_t addr;
  if (scenario_parse_ipv4(ip, &addr) < 0)
    return refuse(problem, bad);
  const char *p = slash + 1;
  uint64_t prefix = 0;
  bool overflow = false;
  int nd = read_digits(&p, &prefix, 2, &overflow);
  if (nd == 0 || nd > 2 || overflow || *p != '\0' || prefix > 32)
    return refuse(problem, bad);
  uint32_t mask = prefix == 0 ? 0 : UINT32_MAX << (32 - prefix);
  if ((addr & ~mask) != 0)
    return refuse(problem, "has host bits set");
  out->addr = addr;
  out->prefix = (int)prefix;
  return 0;
}

/* How a "DECIMAL UNIT" quantity read. */
enum scaled_status { SCALED_OK, SCALED_BAD, SCALED_FINER, SCALED_TOO_LARGE };

/* Reads "DIGITS[.DIGITS]UNIT", UNIT one of units (compared ignoring case
 * when nocase), as the exact integer DECIMAL * the unit's multiplier:
 * SCALED_FINER when the fraction leaves a remainder, SCALED_TOO_LARGE past
 * UINT64_MAX (or with more digits than that holds). */
static enum scaled_status parse_scaled(const char *text, const struct suffix *units, size_t n,
                                       bool nocase, uint64_t *out)
{
  const char *p = text;
  uint64_t whole, frac = 0;
  int nf = 0;
  bool overflow = false;
  if (read_digits(&p, &whole, 20, &overflow) == 0)
    return SCALED_BAD;
  if (*p == '.') {
    p++;
    nf = read_digits(&p, &frac, 18, &overflow);
    if (nf == 0)
      return SCALED_BAD;
  }
  uint64_t mult = 0;
  for (size_t i = 0; i < n && mult == 0; i++)
    if ((nocase ? strcasecmp(p, units[i].text) : strcmp(p, units[i].text)) == 0)
      mult = units[i].mult;
  if (mult == 0)
    return SCALED_BAD;
  if (overflow)
    return SCALED_TOO_LARGE;
  unsigned __int128 scale = 1;
  for (int i = 0; i < nf; i++)
    scale *= 10;
  unsigned __int128 f = (unsigned __int128)frac * mult;
  if (f % scale != 0)
    return SCALED_FINER;
  unsigned __int128 total = (unsigned __int128)whole * mult + f / scale;
  if (total > (unsigned __int128)UINT64_MAX)
    return SCALED_TOO_LARGE;
  *out = (uint64_t)total;
  return SCALED_OK;
}

/* Sets *problem for status (bad, finer, too_large) and returns -1; 0 for
 * SCALED_OK. */
static int scaled_problem(enum scaled_status status, const char *bad, const char *finer,
                          const char *too_large, const char **problem)
{
  static_assert(SCALED_OK == 0, "SCALED_OK is 0");
  const char *const texts[] = {[SCALED_OK] = NULL,
                               [SCALED_BAD] = bad,
                               [SCALED_FINER] = finer,
                               [SCALED_TOO_LARGE] = too_large};
  if (status == SCALED_OK)
    return 0;
  return refuse(problem, texts[status]);
}

int scenario_parse_duration_us(const char *text, uint64_t *us, const char **problem)
{
  static const struct suffix units[] = {
      {"us", 1}, {"ms", 1000}, {"s", 1000000}, {"m", 60000000}, {"h", 3600000000ULL}};
  static const char too_long[] = "is longer than 24h";
  uint64_t v = 0;
  enum scaled_status st = parse_scaled(text, units, sizeof units / sizeof units[0], false, &v);
  if (st == SCALED_OK && v > 24ULL * 3600 * 1000000)
    st = SCALED_TOO_LARGE;
  if (scaled_problem(st, "is not a duration (use e.g. 500ms, 2s, 1m)",
                     "is finer than a microsecond", too_long, problem) < 0)
    return -1;
  *us = v;
  return 0;
}

int scenario_parse_duration(const char *text, int *ms, const char **problem)
{
  uint64_t us;
  if (scenario_parse_duration_us(text, &us, problem) < 0)
    return -1;
  if (us % 1000 != 0)
    return refuse(problem, "is finer than a millisecond");
  *ms = (int)(us / 1000);
  return 0;
}

int scenario_parse_percent(const char *text, uint32_t *ppm, const char **problem)
{
  static const struct suffix percent[] = {{"%", 10000}};
  uint64_t v = 0;
  enum scaled_status st = parse_scaled(text, percent, 1, false, &v);
  if (st == SCALED_OK && v > 1000000)
    st = SCALED_TOO_LARGE;
  if (scaled_problem(st, "is not a percentage (use e.g. 30%, 0.5%)", "is finer than 0.0001%",
                     "is more than 100%", problem) < 0)
    return -1;
  *ppm = (uint32_t)v;
  return 0;
}

/* tc's units (tc(8), "RATES"): bit and bps are bits and bytes per second,
 * SI prefixes are powers of 1000 and IEC ones powers of 1024. */
static const struct suffix rate_units[] = {
    {"bit", 1},
    {"kbit", 1000ULL},
    {"mbit", 1000000ULL},
    {"gbit", 1000000000ULL},
    {"tbit", 1000000000000ULL},
    {"kibit", 1ULL << 10},
    {"mibit", 1ULL << 20},
    {"gibit", 1ULL << 30},
    {"tibit", 1ULL << 40},
    {"bps", 8},
    {"kbps", 8 * 1000ULL},
    {"mbps", 8 * 1000000ULL},
    {"gbps", 8 * 1000000000ULL},
    {"tbps", 8 * 1000000000000ULL},
    {"kibps", 8ULL << 10},
    {"mibps", 8ULL << 20},
    {"gibps", 8ULL << 30},
    {"tibps", 8ULL << 40},
};

int scenario_parse_rate(const char *text, uint64_t *bits_per_sec, const char **problem)
{
  uint64_t v = 0;
  enum scaled_status st =
      parse_scaled(text, rate_units, sizeof rate_units / sizeof rate_units[0], true, &v);
  if (scaled_problem(st, "is not a rate (use e.g. 1mbit, 100kbit, 500bps)", "is finer than 1bit",
                     "is too large", problem) < 0)
    return -1;
  *bits_per_sec = v;
  return 0;
}

static int hex_value(char ch)
{
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  if (ch >= 'a' && ch <= 'f')
    return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F')
    return ch - 'A' + 10;
  return -1;
}

int scenario_parse_mac(const char *text, uint8_t mac[6], const char **problem)
{
  uint8_t out[6];
  const char *p = text;
  for (int i = 0; i < 6; i++) {
    int hi = hex_value(p[0]), lo = hi < 0 ? -1 : hex_value(p[1]);
    if (lo < 0 || p[2] != (i < 5 ? ':' : '\0'))
      return refuse(problem, "is not a MAC address (use e.g. 02:00:0a:01:00:02)");
    out[i] = (uint8_t)(hi << 4 | lo);
    p += 3;
  }
  memcpy(mac, out, sizeof out);
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
