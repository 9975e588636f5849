/* Raw system calls and kernel fallbacks, in one place (after crun's syscalls.h). */
#ifndef NODELAB_SYSCALLS_H
#define NODELAB_SYSCALLS_H

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
static inline int sys_pidfd_send_signal(int pidfd, int sig)
{
#ifdef SYS_pidfd_send_signal
  return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0U);
#else
  (void)pidfd;
  (void)sig;
  errno = ENOSYS;
  return -1;
#endif
}

#endif

/* fork() with namespace flags: clone(2) without a new stack, so the child
 * returns here like fork's does.  glibc's atfork handlers do not run: the
 * child must only do async-signal-safe work and exec. Returns as fork(). */
static inline pid_t sys_clone_fork(unsigned long ns_flags)
{
  return (pid_t)syscall(SYS_clone, ns_flags | SIGCHLD, NULL, NULL, NULL, 0UL);
}

static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
#ifdef SYS_pidfd_open
  return (int)syscall(SYS_pidfd_open, pid, flags);
#else
  (void)pid;
  (void)flags;
  errno = ENOSYS;
  return -1;
  static inline int sys_pidfd_send_signal(int pidfd, int sig)
  {
#ifdef SYS_pidfd_send_signal
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0U);
#else
    (void)pidfd;
    (void)sig;
    errno = ENOSYS;
    return -1;
#endif
  }

#endif
}

static inline int sys_pidfd_send_signal(int pidfd, int sig)
{
#ifdef SYS_pidfd_send_signal
  return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0U);
#else
  (void)pidfd;
  (void)sig;
  errno = ENOSYS;
  return -1;
#endif
}

#endif
