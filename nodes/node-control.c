#include "node-control.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "cleanup.h"

int node_control_send(int fd, struct json_object *o)
{
  const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
  size_t len = strlen(text);
  if (len > NODE_CONTROL_MAX) {
    errno = EMSGSIZE;
    return -1;
  }
  ssize_t n;
  do {
    n = send(fd, text, len, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n == (ssize_t)len ? 0 : -1;
}

int node_control_recv(int fd, struct json_object **out)
{
  cleanup_free char *buf = malloc(NODE_CONTROL_MAX + 1);
  if (buf == NULL)
    return -1;
  ssize_t n;
  do {
    n = recv(fd, buf, NODE_CONTROL_MAX, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0)
    return n == 0 ? 0 : -1;
  buf[n] = '\0';
  struct json_object *o = json_tokener_parse(buf);
  if (o == NULL || !json_object_is_type(o, json_type_object)) {
    json_object_put(o);
    errno = EBADMSG;
    return -1;
  }
  *out = o;
  return 1;
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
