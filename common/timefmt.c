#include "timefmt.h"

#include <stdio.h>

char *timefmt_iso(char buf[TIMEFMT_ISO_LEN], const struct timespec *ts, int digits)
{
  struct timespec now;
  if (ts == NULL) {
    clock_gettime(CLOCK_REALTIME, &now);
    ts = &now;
  }
  struct tm tm;
  gmtime_r(&ts->tv_sec, &tm);
  size_t n = strftime(buf, TIMEFMT_ISO_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
  if (digits <= 0) {
    snprintf(buf + n, TIMEFMT_ISO_LEN - n, "Z");
    return buf;
  }
  if (digits > 9)
    digits = 9;
  long frac = ts->tv_nsec;
  for (int i = digits; i < 9; i++)
    frac /= 10;
  snprintf(buf + n, TIMEFMT_ISO_LEN - n, ".%0*ldZ", digits, frac);
  return buf;
}
