/* labstate.h's backend on the real system: a namespace through netstate.h,
 * a switch through the fault engine's own nodelab-ovs runner (one way to run
 * it, fault-internal.h), files read whole. */
#include "labstate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cleanup.h"
#include "fault-internal.h"
#include "fileio.h"
#include "netstate.h"

static int real_netns_text(void *ctx, pid_t pid, char **text, struct lab_error **err)
{
  (void)ctx;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lab_error_errno(err, "opening %s", path);
  cleanup_netstate struct netstate *st = NULL;
  if (netstate_capture(fd, NETSTATE_NEIGH_PERMANENT_ONLY, &st, err) < 0)
    return -1;
  return netstate_format(st, text, err);
}

static int real_ovs(void *ctx, pid_t node_pid, const char *const *args, char **out,
                    struct lab_error **err)
{
  (void)ctx;
  const struct fault_backend *fb = fault_backend_real();
  return fb->ops->ovs(fb->ctx, node_pid, args, out, err);
}

static int real_read_file(void *ctx, const char *path, char **text, struct lab_error **err)
{
  (void)ctx;
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lab_error_errno(err, "opening %s", path);
  if (fileio_read_fd(fd, text, NULL) < 0)
    return lab_error_errno(err, "reading %s", path);
  return 0;
}

static const struct labstate_backend_ops real_ops = {
    .netns_text = real_netns_text,
    .ovs = real_ovs,
    .read_file = real_read_file,
};

const struct labstate_backend *labstate_backend_real(void)
{
  static const struct labstate_backend real = {.ops = &real_ops, .ctx = NULL};
  return &real;
}
