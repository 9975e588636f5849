/* exec: a new process in a running container's namespaces, cgroup, label,
 * capabilities and seccomp filter. */
#include "container.h"
#include "strv.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seccomp.h>

#include "container-internal.h"
#include "json.h"
#include "proc.h"
#include "seccomp-profile.h"

int container_exec_spawn(struct ctr_store *s, struct container *c, const char *const *argv,
                         pid_t *out_pid, struct lab_error **err)
{
  if (c->state != CONTAINER_RUNNING || !proc_is_same(c->pid, c->starttime))
    return lab_error_set(err, 0, "container %s is not running", c->name);
  if (c->infra)
    return lab_error_set(err, 0, "%s is a pod infra container", c->name);
  if (argv == NULL || argv[0] == NULL)
    return lab_error_set(err, 0, "exec: no command");
  if (ctr_store_cgroups(s, err) < 0)
    return -1;
  static const char *const types[] = {"ipc", "uts", "net", "pid", "mnt"};
  static const int flags[] = {CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWNS};
  int fds[5] = {-1, -1, -1, -1, -1};
  scmp_filter_ctx seccomp = NULL, deny = NULL;
  struct sec_profile *prof = NULL;
  int sync_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  int rc = -1;
  pid_t pid = -1;
  int self_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  for (int i = 0; i < 5; i++) {
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/ns/%s", (int)c->pid, types[i]);
    if ((fds[i] = open(p, O_RDONLY | O_CLOEXEC)) < 0) {
      lab_error_errno(err, "opening %s", p);
      goto out;
    }
  }
  if (ctr_load_seccomp(c, &seccomp, &prof, err) < 0 || ctr_load_seccomp_deny(c, &deny, err) < 0)
    goto out;
  /* The pid namespace applies to children only: enter it here, fork, and let
   * the child enter the rest (the mount namespace last) once it is in the
   * cgroup — which is written from here, where /sys/fs/cgroup is visible. */
  if (setns(fds[3], CLONE_NEWPID) < 0) {
    lab_error_errno(err, "entering the pid namespace of %s", c->name);
    goto out;
  }
  if (pipe2(sync_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) {
    lab_error_errno(err, "pipe");
    goto out;
  }
  char **envp = ctr_build_env(c);
  pid = fork();
  if (pid == 0) {
    close(sync_pipe[1]);
    close(err_pipe[0]);
    ctr_child_wait_go(sync_pipe[0]);
    for (int i = 0; i < 5; i++)
      if (i != 3 && setns(fds[i], flags[i]) < 0)
        ctr_child_fail(err_pipe[1], "entering the %s namespace", types[i]);
    if (chdir("/") < 0)
      ctr_child_fail(err_pipe[1], "chdir /");
    /* exec runs argv instead of the container's command */
    c->argv = strv_dup((char *const *)argv);
    ctr_child_exec(err_pipe[1], c, envp, ctr_caps(c), seccomp, deny);
  }
  strv_free(envp);
  if (self_pidns >= 0)
    setns(self_pidns, CLONE_NEWPID); /* later forks of the caller stay outside */
  if (pid < 0) {
    lab_error_errno(err, "fork");
    goto out;
  }
  close(sync_pipe[0]);
  sync_pipe[0] = -1;
  close(err_pipe[1]);
  err_pipe[1] = -1;
  if (cgroup_attach(s->cg, c->cgroup, pid, err) < 0) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    goto out;
  }
  (void)!write(sync_pipe[1], "g", 1);
  close(sync_pipe[1]);
  sync_pipe[1] = -1;
  char msg[1200];
  ssize_t got = ctr_read_all(err_pipe[0], msg, sizeof msg);
  if (got != 0) {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
      ;
    lab_error_set(err, 0, "exec in %s: %s", c->name, got > 0 ? msg : "failed");
    goto out;
  }
  *out_pid = pid;
  rc = 0;
out:
  if (self_pidns >= 0)
    close(self_pidns);
  for (int i = 0; i < 5; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  for (int i = 0; i < 2; i++) {
    if (sync_pipe[i] >= 0)
      close(sync_pipe[i]);
    if (err_pipe[i] >= 0)
      close(err_pipe[i]);
  }
  if (seccomp)
    seccomp_release(seccomp);
  if (deny)
    seccomp_release(deny);
  sec_profile_free(prof);
  return rc;
}

int container_exec(struct ctr_store *s, struct container *c, const char *const *argv,
                   struct lab_error **err)
{
  pid_t pid;
  if (container_exec_spawn(s, c, argv, &pid, err) < 0)
    return -1;
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
