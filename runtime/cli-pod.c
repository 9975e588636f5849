/* nodelab-runtime pod create|rm: bare pod infra containers. */
#include "cli-runtime.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rtcli_pod(int argc, char **argv)
{
  if (argc >= 3 && strcmp(argv[1], "create") == 0) {
    struct ctr_spec spec = {.name = argv[2], .infra = true};
    if (argc >= 5 && strcmp(argv[3], "--hostname") == 0)
      spec.hostname = argv[4];
    struct lab_error *err = NULL;
    struct ctr_store *s = NULL;
    struct container *c = NULL;
    if (rtcli_open_store(&s, &err) < 0 || container_create(s, &spec, &c, &err) < 0) {
      ctr_store_close(s);
      return rtcli_fail(&err);
    }
    return rtcli_start_detached_and_print(s, c);
  }
  if (argc >= 3 && strcmp(argv[1], "rm") == 0) {
    bool force = true;
    return rtcli_for_each(2, argc, argv, rtcli_do_rm, &force, true);
  }
  return rtcli_usage_error("usage: pod create NAME [--hostname H] | pod rm NAME");
}
