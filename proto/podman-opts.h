/* podman's run/create options, parsed once for both `nodelab run` (tools/)
 * and `nodelab-runtime run` (runtime/) into the runtime's typed request
 * (proto/runtime-rpc.h):
 *
 *   --name N  -d|--detach  --rm  -t|--tty  -i|--interactive
 *   -e|--env K=V  -v|--volume HOST:CTR[:Z][:ro][:rw]  -m|--memory SIZE
 *   --cpus 0.5|500m  --pids-limit N  --security-opt seccomp=FILE|unconfined
 *   --network|--net bridge|private|none|host  --hostname H  --pod POD
 *   --privileged  --entrypoint CMD ("" for none)
 *
 * then IMAGE [COMMAND...].  Relative paths (a volume's host path, a seccomp
 * profile) are made absolute against the working directory, as podman does. */
#ifndef NODELAB_PROTO_PODMAN_OPTS_H
#define NODELAB_PROTO_PODMAN_OPTS_H

#include <stdbool.h>

#include "error.h"
#include "runtime-rpc.h"

/* An option of the caller's own, parsed with podman's (e.g. the CLI's
 * --node): *value is set to its argument (or to "" for a flag). */
struct podman_extra_opt {
  const char *name;
  bool has_arg;
  const char **value;
};

struct podman_run_opts {
  struct rt_rpc_run run; /* spec, detach, rm, tty */
  bool interactive;      /* -i: keep stdin open */
};

/* Parses argv[1..argc-1] (argv[0] is the verb, for messages) into *out;
 * extra, NULL or terminated by a NULL name, lists the caller's own options.
 * Stops at the first argument that is not an option: the image, then the
 * command.  Returns 0, or -1 and *err ("--cpus x: expected a number such as
 * 0.5 or 500m", "unknown option --colour", "missing IMAGE"); *out is then
 * cleared.  Free *out with podman_run_opts_clear(). */
int podman_run_opts_parse(int argc, char **argv, const struct podman_extra_opt *extra,
                          struct podman_run_opts *out, struct lab_error **err);
void podman_run_opts_clear(struct podman_run_opts *o);

/* podman's --cpus: "0.5" (CPUs) or "500m" (millicores) -> millicores.
 * Returns 0, or -1 when s is neither. */
int podman_parse_cpus(const char *s, uint64_t *millis);

#endif
