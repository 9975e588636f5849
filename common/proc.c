#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dirent.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

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

pid_t proc_ns_pid(pid_t pid)
{
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  cleanup_fclose FILE *f = fopen(path, "re");
  while (f != NULL && fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, "NSpid:", 6) == 0) {
      char *last = strrchr(line, '\t');
      return last ? (pid_t)atoi(last + 1) : 0;
    }
  }
  return 0;
}

long proc_status_number(pid_t pid, const char *key, long dflt)
{
  char path[64], line[256];
  size_t len = strlen(key);
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  cleanup_fclose FILE *f = pid > 0 ? fopen(path, "re") : NULL;
  while (f != NULL && fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, key, len) == 0 && line[len] == ':') {
      char *end;
      long v = strtol(line + len + 1, &end, 10);
      return end == line + len + 1 ? dflt : v;
    }
  }
  return dflt;
}

pid_t proc_host_pid(pid_t member, pid_t ns_pid)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)member);
  struct stat want;
  if (ns_pid <= 0 || stat(path, &want) < 0)
    return 0;
  cleanup_closedir DIR *d = opendir("/proc");
  struct dirent *e;
  while (d != NULL && (e = readdir(d)) != NULL) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9')
      continue;
    pid_t pid = (pid_t)atoi(e->d_name);
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)pid);
    if (stat(path, &st) == 0 && st.st_ino == want.st_ino && st.st_dev == want.st_dev &&
        proc_ns_pid(pid) == ns_pid)
      return pid;
  }
  return 0;
}

int proc_signalfd(int flags, sigset_t *blocked)
{
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_BLOCK, &set, NULL);
  if (blocked != NULL)
    *blocked = set;
  return signalfd(-1, &set, flags);
}
