/* nodelab-runtime start|stop|kill|rm|mount|umount|inspect|logs: verbs on
 * containers of the store, by name, id or id prefix. */
#include "cli-runtime.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>

#include <json-c/json.h>

#include "units.h"

static int do_start(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err)
{
  int rc = container_start_detached(s, c, err);
  container_free(c);
  return rc;
}

static int do_stop(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err)
{
  int rc = container_stop(s, c, *(int *)arg, err);
  container_free(c);
  return rc;
}

static int do_kill(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err)
{
  int rc = container_kill(s, c, *(int *)arg, err);
  container_free(c);
  return rc;
}

int rtcli_do_rm(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err)
{
  return container_remove(s, c, *(bool *)arg, err);
}

static int do_mount(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err)
{
  int rc = container_mount(s, c, err);
  if (rc == 0)
    printf("%s\n", container_merged_dir(c));
  container_free(c);
  return rc;
}

static int do_umount(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err)
{
  int rc = container_unmount(s, c, err);
  container_free(c);
  return rc;
}

static int do_inspect(struct ctr_store *s, struct container *c, void *arg, struct lab_error **err)
{
  json_object_array_add((struct json_object *)arg, container_inspect_json(s, c));
  container_free(c);
  return 0;
}

int rtcli_start(int argc, char **argv)
{
  int first = 1;
  if (first < argc && (strcmp(argv[first], "-a") == 0 || strcmp(argv[first], "--attach") == 0)) {
    struct lab_error *err = NULL;
    struct ctr_store *s = NULL;
    struct container *c = NULL;
    if (first + 1 >= argc)
      return rtcli_usage_error("missing container name or id");
    if (rtcli_open_store(&s, &err) < 0 || container_lookup(s, argv[first + 1], &c, &err) < 0 ||
        container_start(s, c, false, &err) < 0 || container_wait(s, c, &err) < 0) {
      container_free(c);
      ctr_store_close(s);
      return rtcli_fail(&err);
    }
    int code = container_exit_code(c);
    container_free(c);
    ctr_store_close(s);
    return code;
  }
  return rtcli_for_each(first, argc, argv, do_start, NULL, true);
}

int rtcli_stop(int argc, char **argv)
{
  int timeout = 10, first = 1;
  if (argc > 2 && (strcmp(argv[1], "-t") == 0 || strcmp(argv[1], "--time") == 0)) {
    timeout = atoi(argv[2]);
    first = 3;
  }
  return rtcli_for_each(first, argc, argv, do_stop, &timeout, true);
}

int rtcli_kill(int argc, char **argv)
{
  int sig = SIGKILL, first = 1;
  if (argc > 2 && (strcmp(argv[1], "-s") == 0 || strcmp(argv[1], "--signal") == 0)) {
    sig = units_parse_signal(argv[2]);
    if (sig < 0)
      return rtcli_usage_error("unknown signal %s", argv[2]);
    first = 3;
  }
  return rtcli_for_each(first, argc, argv, do_kill, &sig, true);
}

int rtcli_rm(int argc, char **argv)
{
  bool force = false;
  int first = 1;
  if (argc > 1 && (strcmp(argv[1], "-f") == 0 || strcmp(argv[1], "--force") == 0)) {
    force = true;
    first = 2;
  }
  return rtcli_for_each(first, argc, argv, rtcli_do_rm, &force, true);
}

int rtcli_mount(int argc, char **argv)
{
  return rtcli_for_each(1, argc, argv, do_mount, NULL, false);
}

int rtcli_umount(int argc, char **argv)
{
  return rtcli_for_each(1, argc, argv, do_umount, NULL, true);
}

int rtcli_inspect(int argc, char **argv)
{
  struct json_object *arr = json_object_new_array();
  int rc = rtcli_for_each(1, argc, argv, do_inspect, arr, false);
  printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put(arr);
  return rc;
}

int rtcli_logs(int argc, char **argv)
{
  if (argc < 2)
    return rtcli_usage_error("missing container name or id");
  struct lab_error *err = NULL;
  struct ctr_store *s = NULL;
  struct container *c = NULL;
  if (rtcli_open_store(&s, &err) < 0 || container_lookup(s, argv[1], &c, &err) < 0) {
    ctr_store_close(s);
    return rtcli_fail(&err);
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/../ctr.log", container_merged_dir(c));
  FILE *f = fopen(path, "re");
  if (f != NULL) {
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
      fwrite(buf, 1, n, stdout);
    fclose(f);
  }
  container_free(c);
  ctr_store_close(s);
  return 0;
}
