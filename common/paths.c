#include "paths.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger.h"

const char *paths_rundir(void)
{
  const char *env = getenv("NODELAB_RUNDIR");
  return env != NULL && env[0] == '/' ? env : NODELAB_RUNDIR;
}

const char *paths_history_dir(void)
{
  const char *env = getenv("NODELAB_HISTORY_DIR");
  return env != NULL && env[0] == '/' ? env : NODE_RUNTIME_ROOT "/history";
}

static const char *in_rundir(char *buf, size_t size, const char *name)
{
  snprintf(buf, size, "%s/%s", paths_rundir(), name);
  return buf;
}

const char *paths_socket(void)
{
  static char buf[108]; /* sun_path */
  return in_rundir(buf, sizeof buf, "nodelab.sock");
}

const char *paths_pidfile(void)
{
  static char buf[4096];
  return in_rundir(buf, sizeof buf, "nodelabd.pid");
}

const char *paths_logfile(void)
{
  static char buf[4096];
  return in_rundir(buf, sizeof buf, "nodelabd.log");
}

const char *paths_rpc_socket(void)
{
  static char buf[108]; /* sun_path */
  return in_rundir(buf, sizeof buf, "nodelab-rpc.sock");
}

static char *executable_at(const char *dir, const char *subdir, const char *name)
{
  char *path = NULL;
  int n = subdir != NULL ? asprintf(&path, "%s/../%s/%s", dir, subdir, name)
                         : asprintf(&path, "%s/%s", dir, name);
  if (n < 0)
    abort();
  struct stat st;
  if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
    return path;
  free(path);
  return NULL;
}

static char *in_dir(const char *dir, const char *subdir, const char *name)
{
  char *path = executable_at(dir, NULL, name);
  if (path == NULL && subdir != NULL)
    path = executable_at(dir, subdir, name);
  return path;
}

char *paths_find_binary(const char *name, const char *subdir)
{
  const char *env = getenv("NODELAB_BINDIR");
  char *path = NULL;
  if (env != NULL && env[0] != '\0') {
    path = in_dir(env, subdir, name);
  } else {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
      self[n] = '\0';
      char *slash = strrchr(self, '/');
      if (slash != NULL) {
        *slash = '\0';
        path = in_dir(self[0] != '\0' ? self : "/", subdir, name);
      }
    }
    const char *search = getenv("PATH");
    if (path == NULL) {
      char *copy = xstrdup(search != NULL ? search : "/usr/local/bin:/usr/bin:/bin");
      char *save = NULL;
      for (char *d = strtok_r(copy, ":", &save); path == NULL && d != NULL;
           d = strtok_r(NULL, ":", &save))
        path = executable_at(d[0] != '\0' ? d : ".", NULL, name);
      free(copy);
    }
  }
  if (path == NULL)
    errno = ENOENT;
  return path;
}
