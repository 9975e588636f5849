#include "probe-helper.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "cleanup.h"
#include "probe.h"

/* ENOENT on /proc/PID/ns/net means "no such process" when /proc/PID is gone. */
static int open_errno(const char *path)
{
  int e = errno;
  unsigned pid;
  int used = 0;
  if (e == ENOENT && sscanf(path, "/proc/%u/ns/net%n", &pid, &used) == 1 &&
      (size_t)used == strlen(path)) {
    char dir[32];
    snprintf(dir, sizeof dir, "/proc/%u", pid);
    struct stat st;
    if (stat(dir, &st) < 0 && errno == ENOENT)
      return ESRCH;
  }
  return e;
}

int probe_enter_netns(const char *path, struct lab_error **err)
{
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lab_error_set(err, open_errno(path), "setns %s", path);
  if (setns(fd, CLONE_NEWNET) < 0)
    return lab_error_errno(err, "setns %s", path);
  return 0;
}

int probe_helper_run(const char *netns_path, pid_t exec_pid, const char *spec_json, FILE *out,
                     struct lab_error **err)
{
  struct probe_spec spec;
  if (probe_spec_from_text(spec_json, &spec, err) < 0)
    return -1;
  struct probe_result result;
  int rc = 0;
  if (spec.kind == PROBE_EXEC) {
    rc = probe_exec_run(exec_pid, &spec, &result, err);
  } else {
    if (netns_path != NULL)
      rc = probe_enter_netns(netns_path, err);
    if (rc == 0)
      rc = probe_run(&spec, &result, err);
  }
  probe_spec_clear(&spec);
  if (rc < 0)
    return -1;
  struct json_object *o = probe_result_to_json(&result);
  const char *line = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
  int w = fprintf(out, "%s\n", line);
  json_object_put(o);
  if (w < 0 || fflush(out) != 0)
    return lab_error_errno(err, "writing the result");
  return 0;
}
