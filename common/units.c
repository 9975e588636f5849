#include "units.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int units_parse_bytes(const char *s, uint64_t *bytes)
{
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno != 0 || end == s || v < 0)
    return -1;
  uint64_t mult = 1;
  if (*end != '\0') {
    char u = (char)(*end | 0x20);
    if (u == 'k')
      mult = 1024;
    else if (u == 'm')
      mult = 1024 * 1024;
    else if (u == 'g')
      mult = 1024ULL * 1024 * 1024;
    else if (u != 'b')
      return -1;
    end++;
    if (*end == 'i' || *end == 'b' || *end == 'B')
      end++;
    if (*end != '\0')
      return -1;
  }
  *bytes = (uint64_t)(v * (double)mult);
  return 0;
}

int units_parse_signal(const char *s)
{
  if (strncasecmp(s, "SIG", 3) == 0)
    s += 3;
  char *end;
  long n = strtol(s, &end, 10);
  if (end != s && *end == '\0')
    return n > 0 && n < NSIG ? (int)n : -1;
  for (int i = 1; i < NSIG; i++) {
    const char *abbrev = sigabbrev_np(i);
    if (abbrev != NULL && strcasecmp(abbrev, s) == 0)
      return i;
  }
  return -1;
}
