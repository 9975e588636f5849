#include "node-process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "ledger.h"
#include "node-control.h"
#include "proc.h"
#include "supervise.h"
#include "syscalls.h"

#define NODE_NS_FLAGS (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWIPC)

/* In the child, between clone and exec: async-signal-safe calls only. */
static void exec_child(const char *init_path, char *const argv[], int control)
{
  /* dup2's copy on NODE_CONTROL_FD does not inherit O_CLOEXEC. */
  if (control == NODE_CONTROL_FD) {
    if (fcntl(control, F_SETFD, 0) < 0)
      _exit(127);
  } else if (dup2(control, NODE_CONTROL_FD) < 0) {
    _exit(127);
  }
  execv(init_path, argv);
  _exit(127); /* the parent sees the control socket close before "ready" */
}

int node_process_spawn(const char *init_path, char *const argv[], struct ledger *ledger,
                       struct cgroup_manager *cg, const char *cgroup_rel, struct node_process *out,
                       struct lab_error **err)
{
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return lab_error_errno(err, "socketpair");
  pid_t pid = sys_clone_fork(NODE_NS_FLAGS);
  if (pid < 0) {
    lab_error_errno(err, "clone (new pid, net, uts, mount, ipc namespaces)");
    close(sv[0]);
    close(sv[1]);
    return -1;
  }
  if (pid == 0) {
    close(sv[0]);
    exec_child(init_path, argv, sv[1]);
  }
  close(sv[1]);
  out->pid = pid;
  out->control_fd = sv[0];
  out->started = 0;
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
  close(out->control_fd);
  out->pid = 0;
  out->control_fd = -1;
  return -1;
}

int node_process_go(struct node_process *p, struct lab_error **err)
{
  if (node_control_send_request(p->control_fd,
                                &(struct node_control_request){.op = NODE_CONTROL_GO}) < 0)
    return lab_error_errno(err, "starting process %d", (int)p->pid);
  p->started = 1;
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

void node_process_signal_kill(struct node_process *p)
{
  if (p->pid > 0 && proc_is_same(p->pid, p->starttime))
    kill(p->pid, SIGKILL);
}

void node_process_kill(struct node_process *p)
{
  if (p->pid > 0) {
    node_process_signal_kill(p);
    supervise_reap_now(p->pid);
    p->pid = 0;
  }
  if (p->control_fd >= 0)
    close(p->control_fd);
  p->control_fd = -1;
}

pid_t node_process_host_pid(const struct node_process *p, pid_t ns_pid)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)p->pid, (int)p->pid);
  cleanup_fclose FILE *f = fopen(path, "re");
  if (f == NULL)
    return 0;
  int child;
  while (fscanf(f, "%d", &child) == 1)
    if (proc_ns_pid(child) == ns_pid)
      return child;
  return 0;
}
