#include "node-control.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "rpc.h"

int node_control_send(int fd, struct json_object *o)
{
  return rpc_send(fd, o, NULL, 0);
}

int node_control_recv(int fd, struct json_object **out)
{
  return rpc_recv(fd, out, NULL, 0, NULL);
}

/* The last NSpid entry of /proc/PID/status is the pid in the innermost namespace. */
static pid_t innermost_pid(pid_t pid)
{
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  cleanup_fclose FILE *f = fopen(path, "re");
  if (f == NULL)
    return 0;
  while (fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, "NSpid:", 6) != 0)
      continue;
    char *last = strrchr(line, '\t');
    return last ? (pid_t)atoi(last + 1) : 0;
  }
  return 0;
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
    if (innermost_pid(child) == ns_pid)
      return child;
  return 0;
}
