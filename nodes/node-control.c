#include "node-control.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "proc.h"
#include "rpc.h"

int node_control_send(int fd, struct json_object *o)
{
  return rpc_send(fd, o, NULL, 0);
}

int node_control_recv(int fd, struct json_object **out)
{
  return rpc_recv(fd, out, NULL, 0, NULL);
}

pid_t node_control_host_pid(pid_t init_pid, pid_t ns_pid)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)init_pid, (int)init_pid);
  cleanup_fclose FILE *f = fopen(path, "re");
  if (f == NULL)
    return 0;
  int child;
  while (fscanf(f, "%d", &child) == 1)
    if (proc_ns_pid(child) == ns_pid)
      return child;
  return 0;
}
