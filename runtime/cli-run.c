/* nodelab-runtime run|create: podman's options (proto/podman-opts.h), the
 * container made in the store; `run` in the foreground makes this process
 * the container's parent (no monitor), `run -d` starts it under one. */
#include "cli-runtime.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podman-opts.h"
#include "rpc-ops.h"

static int create_or_run(int argc, char **argv, bool run)
{
  struct podman_run_opts o;
  struct lab_error *err = NULL;
  if (podman_run_opts_parse(argc, argv, NULL, &o, &err) < 0) {
    rtcli_usage_error("%s", err->msg);
    lab_error_clear(&err);
    return 2;
  }
  /* -i and -t: the container inherits our stdio (a TTY comes with the daemon) */
  struct rt_spec spec = {0};
  rt_spec_from_rpc(&o.run.spec, &spec);
  struct ctr_store *s = NULL;
  struct container *c = NULL;
  int rc;
  if (rtcli_open_store(&s, &err) < 0 || container_create(s, &spec.spec, &c, &err) < 0) {
    ctr_store_close(s);
    rc = rtcli_fail(&err);
  } else if (!run) {
    printf("%s\n", container_id(c));
    container_free(c);
    ctr_store_close(s);
    rc = 0;
  } else if (o.run.detach) {
    rc = rtcli_start_detached_and_print(s, c);
  } else {
    /* foreground: this process is the container's parent (no monitor) */
    signal(SIGINT, SIG_IGN);
    if (container_start(s, c, false, &err) < 0) {
      fprintf(stderr, "nodelab-runtime: %s\n", err->msg);
      lab_error_clear(&err);
      if (container_remove(s, c, true, &err) < 0)
        lab_error_clear(&err);
      rc = 125;
    } else if (container_wait(s, c, &err) < 0) {
      container_free(c);
      rc = rtcli_fail(&err);
    } else {
      rc = container_exit_code(c);
      if (!o.run.rm)
        container_free(c);
      else if (container_remove(s, c, true, &err) < 0)
        rc = rtcli_fail(&err);
    }
    ctr_store_close(s);
  }
  rt_spec_release(&spec);
  podman_run_opts_clear(&o);
  return rc;
}

int rtcli_run(int argc, char **argv)
{
  return create_or_run(argc, argv, true);
}

int rtcli_create(int argc, char **argv)
{
  return create_or_run(argc, argv, false);
}
