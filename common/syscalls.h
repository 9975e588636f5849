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
#endif

/* Numbers older C libraries do not name (the same on every architecture
 * since Linux 5.1's unified table); a kernel without the call answers ENOSYS. */
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* fork() with namespace flags: clone(2) without a new stack, so the child
 * returns here like fork's does.  glibc's atfork handlers do not run: the
 * child must only do async-signal-safe work and exec. Returns as fork(). */
static inline pid_t sys_clone_fork(unsigned long ns_flags)
{
  return (pid_t)syscall(SYS_clone, ns_flags | SIGCHLD, NULL, NULL, NULL, 0UL);
}

/* pidfd_open(2): a descriptor for process pid, or -1 with errno. */
static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
  return (int)syscall(SYS_pidfd_open, pid, flags);
}

/* pidfd_send_signal(2) without siginfo: 0, or -1 with errno. */
static inline int sys_pidfd_send_signal(int pidfd, int sig)
{
  return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0U);
}

#endif
