/* nodelabd: the coordinator.  Started by `nodelab up` when it is not running;
 * see nodes/daemon.h for what it does. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "api.h"
#include "daemon.h"
#include "error.h"
#include "log.h"
#include "paths.h"

LOG_MODULE(main);

static void usage(FILE *out)
{
  fprintf(out, "usage: nodelabd [--socket PATH] [--log-level err|warn|info|debug]\n"
               "The nodelab coordinator; `nodelab up` starts it when needed.\n");
}

int main(int argc, char **argv)
{
  /* `nodelab up` starts us from whatever shell ran it: a descriptor it left
   * open (a pipe a script waits on for EOF, make's jobserver) must not live on
   * here and, through every node we clone, as long as the lab. */
  close_range(3, ~0U, 0);
  static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
                                       {"log-level", required_argument, NULL, 'l'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *socket_path = paths_socket();
  int c;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 's':
      socket_path = optarg;
      break;
    case 'l': {
      enum log_level level;
      if (log_level_from_string(optarg, &level) < 0) {
        fprintf(stderr, "nodelabd: unknown log level \"%s\"\n", optarg);
        return 2;
      }
      log_set_level(level);
      break;
    }
    case 'h':
      usage(stdout);
      return 0;
    default:
      usage(stderr);
      return 2;
    }
  }
  cleanup_error struct lab_error *err = NULL;
  if (daemon_run(socket_path, paths_pidfile(), &err) < 0) {
    log_err("%s", err->msg);
    return 1;
  }
  return 0;
}
