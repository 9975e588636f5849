#include "paths.h"

#include <stdio.h>
#include <stdlib.h>

#include "ledger.h"

const char *paths_rundir(void)
{
  const char *env = getenv("NODELAB_RUNDIR");
  return env != NULL && env[0] == '/' ? env : NODELAB_RUNDIR;
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
