/* What the verbs of nodelab-runtime share (cli-runtime.h). */
#include "cli-runtime.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdarg.h>

int rtcli_fail(struct lab_error **err)
{
  fprintf(stderr, "nodelab-runtime: %s\n", (*err)->msg);
  lab_error_clear(err);
  return 1;
}

int rtcli_usage_error(const char *fmt, ...)
{
  fprintf(stderr, "nodelab-runtime: ");
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  return 2;
}

int rtcli_start_detached_and_print(struct ctr_store *s, struct container *c)
{
  struct lab_error *err = NULL;
  if (container_start_detached(s, c, &err) < 0) {
    fprintf(stderr, "nodelab-runtime: %s\n", err->msg);
    lab_error_clear(&err);
    if (container_remove(s, c, true, &err) < 0)
      lab_error_clear(&err);
    ctr_store_close(s);
    return 1;
  }
  printf("%s\n", container_id(c));
  container_free(c);
  ctr_store_close(s);
  return 0;
}

int rtcli_open_store(struct ctr_store **s, struct lab_error **err)
{
  return ctr_store_open(rtcli_g.root, rtcli_g.images, rtcli_g.cgroup_root, rtcli_g.cgroup_parent, s,
                        err);
}

int rtcli_for_each(int first, int argc, char **argv, rtcli_each_fn fn, void *arg, bool print)
{
  if (first >= argc)
    return rtcli_usage_error("missing container name or id");
  struct lab_error *err = NULL;
  struct ctr_store *s = NULL;
  if (rtcli_open_store(&s, &err) < 0)
    return rtcli_fail(&err);
  int rc = 0;
  for (int i = first; i < argc; i++) {
    struct container *c = NULL;
    if (container_lookup(s, argv[i], &c, &err) < 0 || fn(s, c, arg, &err) < 0) {
      fprintf(stderr, "nodelab-runtime: %s\n", err->msg);
      lab_error_clear(&err);
      rc = 1;
    } else if (print) {
      printf("%s\n", argv[i]);
    }
  }
  ctr_store_close(s);
  return rc;
}
