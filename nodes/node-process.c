#include "node-process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "ledger.h"
#include "proc.h"
#include "supervise.h"
#include "syscalls.h"

#define NODE_NS_FLAGS (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWIPC)

/* In the child, between clone and exec: async-signal-safe calls only. */
static void exec_child(const char *init_path, char *const argv[], int sync_rd, int report_wr)
{
  /* Move both ends out of the way first, then to fd 3 (barrier) and 4 (report);
   * dup2's copies do not inherit O_CLOEXEC. */
  int s = fcntl(sync_rd, F_DUPFD_CLOEXEC, 10);
  int r = fcntl(report_wr, F_DUPFD_CLOEXEC, 10);
  if (s < 0 || r < 0 || dup2(s, 3) < 0 || dup2(r, 4) < 0)
    _exit(127);
  execv(init_path, argv);
  static const char msg[] = "error: cannot exec nodelab-init\n";
  if (write(4, msg, sizeof msg - 1) < 0) {
    /* nobody to tell */
  }
  _exit(127);
}

int node_process_spawn(const char *init_path, char *const argv[], struct ledger *ledger,
                       struct cgroup_manager *cg, const char *cgroup_rel, struct node_process *out,
                       struct lab_error **err)
{
  int sync_pipe[2], report_pipe[2];
  if (pipe2(sync_pipe, O_CLOEXEC) < 0)
    return lab_error_errno(err, "pipe");
  if (pipe2(report_pipe, O_CLOEXEC) < 0) {
    close(sync_pipe[0]);
    close(sync_pipe[1]);
    return lab_error_errno(err, "pipe");
  }
  pid_t pid = sys_clone_fork(NODE_NS_FLAGS);
  if (pid < 0) {
    lab_error_errno(err, "clone (new pid, net, uts, mount, ipc namespaces)");
    goto fail_pipes;
  }
  if (pid == 0)
    exec_child(init_path, argv, sync_pipe[0], report_pipe[1]);

  close(sync_pipe[0]);
  close(report_pipe[1]);
  out->pid = pid;
  out->sync_fd = sync_pipe[1];
  out->report_fd = report_pipe[0];
  if (proc_starttime(pid, &out->starttime) < 0) {
    lab_error_errno(err, "reading start time of %d", (int)pid);
    goto fail_child;
  }
  if (ledger_record_process(ledger, pid, out->starttime, err) < 0)
    goto fail_child;
  if (cgroup_attach(cg, cgroup_rel, pid, err) < 0)
    goto fail_child;
  return 0;

fail_child:
  kill(pid, SIGKILL);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
  close(out->sync_fd);
  close(out->report_fd);
  out->pid = 0;
  out->sync_fd = out->report_fd = -1;
  return -1;
fail_pipes:
  close(sync_pipe[0]);
  close(sync_pipe[1]);
  close(report_pipe[0]);
  close(report_pipe[1]);
  return -1;
}

int node_process_go(struct node_process *p, struct lab_error **err)
{
  if (p->sync_fd < 0)
    return 0;
  ssize_t n = write(p->sync_fd, "go", 2);
  int saved = errno;
  close(p->sync_fd);
  p->sync_fd = -1;
  if (n != 2) {
    errno = saved;
    return lab_error_errno(err, "starting process %d", (int)p->pid);
  }
  return 0;
}

int node_process_netns(const struct node_process *p, struct lab_error **err)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/net", (int)p->pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lab_error_errno(err, "open %s", path);
  return fd;
}

void node_process_kill(struct node_process *p)
{
  if (p->pid > 0) {
    if (proc_is_same(p->pid, p->starttime))
      kill(p->pid, SIGKILL);
    supervise_reap_now(p->pid);
    p->pid = 0;
  }
  if (p->sync_fd >= 0)
    close(p->sync_fd);
  if (p->report_fd >= 0)
    close(p->report_fd);
  p->sync_fd = p->report_fd = -1;
}
