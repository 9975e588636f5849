/* common/ethtool.c: transmit checksum offload on a veth, in the caller's
 * namespace and through a namespace fd.  Needs root (CAP_NET_ADMIN): runs in
 * a child in a fresh network namespace, so nothing outlives the test; skipped
 * when not root. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit-test.h"

#include "ethtool.h"
#include "netlink.h"

/* Whether the ','-joined list names holds feature. */
static int has_feature(const char *names, const char *feature)
{
  char list[4096], item[128];
  snprintf(list, sizeof list, ",%s,", names);
  snprintf(item, sizeof item, ",%s,", feature);
  return strstr(list, item) != NULL;
}

/* Returns 0 when every step works, else the failing step's number. */
static int child_body(void)
{
  struct lab_error *err = NULL;
  struct nl_sock *sk = NULL;
  int on = -1;
  if (unshare(CLONE_NEWNET) < 0)
    return 1;
  if (netlink_open(-1, &sk, &err) < 0 ||
      netlink_veth_create(sk, "ettest0", "ettest1", -1, 0, &err) < 0)
    return 2;
  if (ethtool_get_tx_csum(-1, "ettest0", &on, &err) < 0 || on != 1)
    return 3; /* veths start with checksum offload on */
  if (ethtool_set_tx_csum(-1, "ettest0", 0, &err) < 0)
    return 4;
  if (ethtool_get_tx_csum(-1, "ettest0", &on, &err) < 0 || on != 0)
    return 5;
  int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ethtool_set_tx_csum(fd, "ettest0", 1, &err) < 0)
    return 6;
  if (ethtool_get_tx_csum(fd, "ettest0", &on, &err) < 0 || on != 1)
    return 7;
  /* An interface that does not exist: ENODEV, with its name in the message. */
  if (ethtool_set_tx_csum(fd, "nosuchif0", 0, &err) != -1 || err->errnum != ENODEV ||
      strstr(err->msg, "nosuchif0") == NULL)
    return 8;
  lab_error_clear(&err);
  /* The features ethtool -k shows on: tx checksum offload and the
   * segmentation that needs it come and go together. */
  char *names = NULL;
  if (ethtool_get_features(fd, "ettest0", &names, &err) < 0 ||
      !has_feature(names, "tx-checksum-ip-generic") || !has_feature(names, "tx-tcp-segmentation"))
    return 9;
  free(names);
  if (ethtool_set_tx_csum(fd, "ettest0", 0, &err) < 0 ||
      ethtool_get_features(fd, "ettest0", &names, &err) < 0 ||
      has_feature(names, "tx-checksum-ip-generic") || has_feature(names, "tx-tcp-segmentation") ||
      !has_feature(names, "rx-checksum"))
    return 10;
  free(names);
  close(fd);
  netlink_close(sk);
  return 0;
}

static void test_tx_csum_on_off(void **state)
{
  (void)state;
  if (geteuid() != 0)
    skip();
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0)
    _exit(child_body());
  assert_child_exited_ok(pid);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_tx_csum_on_off))
