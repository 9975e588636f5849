/* nodelab-probe: runs one check probe inside a network namespace and prints
 * its result as one line of JSON.  nodelabd spawns it (probe-runner.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe-helper.h"

static void usage(FILE *f)
{
  fputs("usage: nodelab-probe [--netns-pid PID | --netns PATH | --pid PID] SPEC_JSON\n"
        "Runs one probe (ping, tcp, http, udp) in the network namespace of PID (or at PATH,\n"
        "default: the current one) and prints its result as one line of JSON.\n"
        "An exec probe runs for the node whose init is --pid PID: in all its namespaces,\n"
        "or, when the spec names a pod, in that container through the node's runtime.\n"
        "Exit status: 0 when the probe ran, whatever its verdict; 2 on a usage or setup error.\n",
        f);
}

int main(int argc, char **argv)
{
  static const struct option opts[] = {
      {"netns-pid", required_argument, NULL, 'p'},
      {"netns", required_argument, NULL, 'n'},
      {"pid", required_argument, NULL, 'P'},
      {"help", no_argument, NULL, 'h'},
      {0},
  };
  char path[64];
  const char *netns = NULL;
  pid_t exec_pid = 0;
  int c;
  while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
    switch (c) {
    case 'p':
    case 'P': {
      char *end;
      long pid = strtol(optarg, &end, 10);
      if (*optarg == '\0' || *end != '\0' || pid <= 0 || pid > 0x3fffffff) {
        fprintf(stderr, "nodelab-probe: --%s %s: not a process id\n",
                c == 'p' ? "netns-pid" : "pid", optarg);
        return 2;
      }
      if (c == 'P') {
        exec_pid = (pid_t)pid;
        break;
      }
      snprintf(path, sizeof path, "/proc/%ld/ns/net", pid);
      netns = path;
      break;
    }
    case 'n':
      netns = optarg;
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      usage(stderr);
      return 2;
    }
  }
  if (optind != argc - 1) {
    usage(stderr);
    return 2;
  }
  cleanup_error struct lab_error *err = NULL;
  if (probe_helper_run(netns, exec_pid, argv[optind], stdout, &err) < 0) {
    fprintf(stderr, "nodelab-probe: %s\n", err->msg);
    return 2;
  }
  return 0;
}
