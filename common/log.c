#include "log.h"
#include "timefmt.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static enum log_level max_level = LOG_LEVEL_INFO;
static FILE *log_file;

void log_set_level(enum log_level level)
{
  max_level = level;
}

void log_set_file(FILE *f)
{
  log_file = f;
}

int log_level_from_string(const char *s, enum log_level *level)
{
  static const char *const names[] = {"err", "warn", "info", "debug"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcasecmp(s, names[i]) == 0) {
      *level = (enum log_level)i;
      return 0;
    }
  }
  return -1;
}

void log_write(enum log_level level, const char *module, const char *fmt, ...)
{
  static const char *const tags[] = {"ERR", "WARN", "INFO", "DBG"};
  if (level > max_level)
    return;
  FILE *out = log_file != NULL ? log_file : stderr;
  char stamp[TIMEFMT_ISO_LEN];
  fprintf(out, "%s|%s|%s|", timefmt_iso(stamp, NULL, 3), module, tags[level]);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(out, fmt, ap);
  va_end(ap);
  fputc('\n', out);
  fflush(out);
}

int log_rate_allow(struct log_rate *rl, int burst, int seconds)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (now.tv_sec - rl->window_start >= seconds) {
    rl->window_start = now.tv_sec;
    rl->count = 0;
  }
  return rl->count++ < burst;
}
