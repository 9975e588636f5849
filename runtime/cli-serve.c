/* nodelab-runtime serve: the node's runtime daemon (serve.h).  Its flags
 * are proto's (daemon-args.h): one parser, and the *_to_argv() nodelabd uses. */
#include "cli-runtime.h"

#include <stdio.h>

#include "daemon-args.h"
#include "error.h"
#include "paths.h"
#include "serve.h"

/* serve's options are proto's (daemon-args.h), which nodelabd builds too. */
int rtcli_serve(int argc, char **argv)
{
  struct runtime_serve_args a;
  struct lab_error *err = NULL;
  if (runtime_serve_args_parse(argc, argv, &a, &err) < 0) {
    fprintf(stderr, "%s\n", err->msg);
    lab_error_clear(&err);
    return 2;
  }
  struct rt_serve_config cfg = {.socket = a.socket ?: NODE_RUNTIME_SOCKET,
                                .root = a.root ?: NODE_RUNTIME_ROOT,
                                .cgroup_root = a.cgroup_root ?: rtcli_g.cgroup_root,
                                .cgroup_parent = a.cgroup_parent ?: rtcli_g.cgroup_parent,
                                .node = a.node,
                                .subnet = a.subnet,
                                .gateway = a.gateway,
                                .mtu = a.mtu ? a.mtu : 1450,
                                .netd = a.netd,
                                .busybox = a.busybox ?: "/bin/busybox"};
  int rc = rt_serve(&cfg, &err);
  runtime_serve_args_free(&a);
  if (rc < 0)
    return rtcli_fail(&err);
  return 0;
}
