#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"

static int read_stat(pid_t pid, char *state, uint64_t *starttime)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      errno = ESRCH;
    return -1;
  }
  char buf[1024];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  /* comm may contain spaces and parentheses: fields start after the last ')'. */
  char *p = strrchr(buf, ')');
  if (p == NULL || p[1] != ' ') {
    errno = EINVAL;
    return -1;
  }
  p += 2;
  *state = *p;
  /* p points at field 3 (state); starttime is field 22. */
  for (int field = 3; field < 22; field++) {
    p = strchr(p, ' ');
    if (p == NULL) {
      errno = EINVAL;
      return -1;
    }
    p++;
  }
  *starttime = strtoull(p, NULL, 10);
  return 0;
}

int proc_starttime(pid_t pid, uint64_t *starttime)
{
  char state;
  return read_stat(pid, &state, starttime);
}

bool proc_is_same(pid_t pid, uint64_t starttime)
{
  char state;
  uint64_t st;
  if (pid <= 0 || read_stat(pid, &state, &st) < 0)
    return false;
  return st == starttime && state != 'Z' && state != 'X';
}
