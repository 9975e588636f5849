/* nodelab-runtime: the node's container runtime, podman-like verbs over
 * nodelab-runtime-lib, one file per verb or group of verbs (cli-*.c,
 * cli-runtime.h).  main() only reads the global options and picks the
 * verb from the table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-runtime.h"

struct rtcli_globals rtcli_g;

static const struct {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *help;
} verbs[] = {
    {"run", rtcli_run,
     "run [-d] [--rm] [--name N] [--memory M] [--cpus C] [--pids-limit P] [-v "
     "H:C[:Z]] [--security-opt seccomp=F] [--network M] [--pod P] [--privileged] IMAGE "
     "[CMD...]"},
    {"create", rtcli_create, "create [options as run] IMAGE [CMD...]"},
    {"start", rtcli_start, "start [-a] CONTAINER..."},
    {"stop", rtcli_stop, "stop [-t SECONDS] CONTAINER..."},
    {"kill", rtcli_kill, "kill [-s SIGNAL] CONTAINER..."},
    {"rm", rtcli_rm, "rm [-f] CONTAINER..."},
    {"mount", rtcli_mount, "mount CONTAINER..."},
    {"umount", rtcli_umount, "umount CONTAINER..."},
    {"inspect", rtcli_inspect, "inspect CONTAINER..."},
    {"logs", rtcli_logs, "logs CONTAINER"},
    {"exec", rtcli_exec, "exec [-it] CONTAINER CMD..."},
    {"ps", rtcli_ps, "ps [-a] [-q] [-l] [--no-trunc] [-Z] [--json]"},
    {"pod", rtcli_pod, "pod create NAME [--hostname H] | pod rm NAME"},
    {"image", rtcli_image, "image build|import|ls|rm ..."},
    {"serve", rtcli_serve,
     "serve [--socket S] [--root DIR] [--cgroup-parent P] [--node N] [--subnet CIDR "
     "--gateway IP] [--mtu N] [--netd CTL] [--busybox PATH]"},
    {"call", rtcli_call, "call [--socket S] REQUEST-JSON"},
};

static void usage(FILE *f)
{
  fprintf(f, "usage: nodelab-runtime [--root DIR] [--images DIR] [--cgroup-parent PATH] "
             "[--cgroup-root DIR] VERB ...\n");
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    fprintf(f, "  %s\n", verbs[i].help);
}

int main(int argc, char **argv)
{
  rtcli_g.root = getenv("NODELAB_RUNTIME_ROOT") ? getenv("NODELAB_RUNTIME_ROOT")
                                                : "/var/lib/nodelab/containers";
  rtcli_g.images =
      getenv("NODELAB_IMAGE_STORE") ? getenv("NODELAB_IMAGE_STORE") : "/var/lib/nodelab/images";
  rtcli_g.cgroup_parent =
      getenv("NODELAB_CGROUP_PARENT") ? getenv("NODELAB_CGROUP_PARENT") : "nodelab/runtime";
  rtcli_g.cgroup_root = "/sys/fs/cgroup";
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i += 2) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    }
    if (i + 1 >= argc)
      return rtcli_usage_error("%s needs a value", argv[i]);
    if (strcmp(argv[i], "--root") == 0)
      rtcli_g.root = argv[i + 1];
    else if (strcmp(argv[i], "--images") == 0)
      rtcli_g.images = argv[i + 1];
    else if (strcmp(argv[i], "--cgroup-parent") == 0)
      rtcli_g.cgroup_parent = argv[i + 1];
    else if (strcmp(argv[i], "--cgroup-root") == 0)
      rtcli_g.cgroup_root = argv[i + 1];
    else
      return rtcli_usage_error("unknown option %s", argv[i]);
  }
  if (i >= argc) {
    usage(stderr);
    return 2;
  }
  for (size_t v = 0; v < sizeof verbs / sizeof verbs[0]; v++)
    if (strcmp(verbs[v].name, argv[i]) == 0)
      return verbs[v].fn(argc - i, argv + i);
  usage(stderr);
  return rtcli_usage_error("unknown verb %s", argv[i]);
}
