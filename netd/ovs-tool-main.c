/* nodelab-ovs: parses arguments and runs one operation of ovs-tool.h on a
 * node's Open vSwitch (see netd/README.md). */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "error.h"
#include "ovs-tool.h"

#include "fatal-signal.h"
#include "openvswitch/vlog.h"
#include "util.h"

static char timeout_msg[128];

static void on_alarm(int sig)
{
  (void)sig;
  ssize_t rc = write(STDERR_FILENO, timeout_msg, strlen(timeout_msg));
  (void)rc;
  _exit(1);
}

/* The backstop for OVS's blocking exchanges (ovs-tool.h): when the whole
 * invocation outlives its timeout, say so and exit 1.  OVS's fatal-signal
 * module claims SIGALRM when it first runs, so it is set up first. */
static void arm_timeout(const char *cmd, int timeout_ms)
{
  snprintf(timeout_msg, sizeof timeout_msg, "nodelab-ovs: %s: timed out after %d ms\n", cmd,
           timeout_ms);
  fatal_signal_init();
  struct sigaction sa = {.sa_handler = on_alarm};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, NULL);
  /* A little after the library's own deadlines, so that theirs, which say
   * what was awaited, come first. */
  long ms = timeout_ms + 500L;
  struct itimerval it = {.it_value = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000}};
  setitimer(ITIMER_REAL, &it, NULL);
}

int main(int argc, char **argv)
{
  set_program_name(argv[0]);
  /* Errors are reported once, as "nodelab-ovs: WHAT: WHY"; OVS's own
   * modules' warnings would repeat them less clearly. */
  vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);

  cleanup_error struct lab_error *err = NULL;
  struct ovs_tool_args a;
  int rc = ovs_tool_parse_args(argc, argv, &a, &err);
  if (rc == 1) {
    fputs(ovs_tool_usage, stdout);
    return 0;
  }
  if (rc < 0) {
    fprintf(stderr, "nodelab-ovs: %s\n%s", err->msg, ovs_tool_usage);
    return 2;
  }
  const char *cmd = ovs_tool_cmd_name(a.cmd);
  arm_timeout(cmd, a.timeout_ms);
  rc = ovs_tool_run(&a, stdout, &err);
  ovs_tool_args_free(&a);
  if (fflush(stdout) != 0 && rc == 0) {
    perror("nodelab-ovs: writing the output");
    return 1;
  }
  if (rc < 0) {
    fprintf(stderr, "nodelab-ovs: %s: %s\n", cmd, err->msg);
    return 1;
  }
  return 0;
}
