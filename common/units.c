#include "units.h"

#include <errno.h>
#include <stdlib.h>

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
