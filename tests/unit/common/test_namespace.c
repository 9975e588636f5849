/* ns_open / ns_enter against a real process in fresh namespaces (needs root;
 * skipped otherwise).  Everything lives in child processes: the namespaces
 * and the tmpfs die with them, and the temp directory is removed. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit-test.h"

#include "error.h"
#include "namespace.h"

static ino_t ns_inode(const char *path)
{
  struct stat st;
  if (stat(path, &st) < 0)
    return 0;
  return st.st_ino;
}

static ino_t self_ns(const char *type)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/self/ns/%s", type);
  return ns_inode(path);
}

static void test_ns_open_errors(void **state)
{
  struct lab_error *err = NULL;
  int fd = ns_open(getpid(), "net", &err);
  assert_true(fd >= 0);
  struct stat st;
  assert_int_equal(fstat(fd, &st), 0);
  assert_int_equal(st.st_ino, self_ns("net"));
  assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  close(fd);

  assert_int_equal(ns_open(getpid(), "bogus", &err), -1);
  assert_int_equal(err->errnum, EINVAL);
  assert_non_null(strstr(err->msg, "unknown namespace type \"bogus\""));
  lab_error_clear(&err);

  /* A pid that exists no more. */
  pid_t gone = fork();
  if (gone == 0)
    _exit(0);
  waitpid(gone, NULL, 0);
  assert_int_equal(ns_open(gone, "uts", &err), -1);
  assert_int_equal(err->errnum, ENOENT);
  char expect[64];
  snprintf(expect, sizeof expect, "opening /proc/%d/ns/uts", (int)gone);
  assert_non_null(strstr(err->msg, expect));
  lab_error_clear(&err);
}

/* A child in new uts, net, ipc, pid and mount namespaces: its pid-ns init
 * sets a hostname and mounts a tmpfs holding a marker file, then waits. */
struct target {
  pid_t outer; /* the process that unshared */
  pid_t init;  /* pid 1 of the new pid namespace, host view */
  char dir[64];
};

static void target_start(struct target *t)
{
  strcpy(t->dir, "/tmp/nodelab-ns-test-XXXXXX");
  assert_non_null(mkdtemp(t->dir));
  int pid_pipe[2], ready_pipe[2];
  assert_int_equal(pipe(pid_pipe), 0);
  assert_int_equal(pipe(ready_pipe), 0);
  t->outer = fork();
  assert_true(t->outer >= 0);
  if (t->outer == 0) {
    close(pid_pipe[0]);
    close(ready_pipe[0]);
    if (unshare(CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS) < 0)
      _exit(10);
    pid_t init = fork();
    if (init < 0)
      _exit(11);
    if (init == 0) {
      if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        _exit(12);
      if (mount("tmpfs", t->dir, "tmpfs", 0, "size=64k") < 0)
        _exit(13);
      char marker[128];
      snprintf(marker, sizeof marker, "%s/marker", t->dir);
      int fd = open(marker, O_CREAT | O_WRONLY, 0600);
      if (fd < 0)
        _exit(14);
      close(fd);
      if (sethostname("nl-ns-test", 10) < 0)
        _exit(15);
      if (write(ready_pipe[1], "R", 1) != 1)
        _exit(16);
      pause();
      _exit(0);
    }
    /* The init's pid as the host sees it: only this process knows it. */
    if (write(pid_pipe[1], &init, sizeof init) != sizeof init)
      _exit(17);
    waitpid(init, NULL, 0);
    _exit(0);
  }
  close(pid_pipe[1]);
  close(ready_pipe[1]);
  pid_t init = 0;
  char r = 0;
  assert_int_equal(read(pid_pipe[0], &init, sizeof init), sizeof init);
  assert_int_equal(read(ready_pipe[0], &r, 1), 1);
  assert_int_equal(r, 'R');
  close(pid_pipe[0]);
  close(ready_pipe[0]);
  t->init = init;
}

static void target_stop(struct target *t)
{
  kill(t->init, SIGKILL);
  int status;
  waitpid(t->outer, &status, 0);
  rmdir(t->dir);
}

/* Runs in a child: enters the target and checks what it sees. Exit code = failed check. */
static int enter_and_check(const struct target *t)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)t->init);
  ino_t target_pid_ns = ns_inode(path);
  snprintf(path, sizeof path, "/proc/%d/ns/net", (int)t->init);
  ino_t target_net_ns = ns_inode(path);
  if (chdir("/tmp") < 0)
    return 20;
  static const char *const types[] = {"net", "uts", "ipc", "pid", "cgroup", "mnt", NULL};
  struct lab_error *err = NULL;
  if (ns_enter(t->init, types, &err) < 0) {
    fprintf(stderr, "ns_enter: %s\n", err->msg);
    return 21;
  }
  char host[64] = "";
  gethostname(host, sizeof host);
  if (strcmp(host, "nl-ns-test") != 0)
    return 22;
  if (self_ns("net") != target_net_ns)
    return 23;
  char cwd[64];
  if (getcwd(cwd, sizeof cwd) == NULL || strcmp(cwd, "/") != 0)
    return 24;
  char marker[128];
  snprintf(marker, sizeof marker, "%s/marker", t->dir);
  if (access(marker, F_OK) < 0)
    return 25; /* the tmpfs is visible only in the target's mount namespace */
  /* The pid namespace applies to children. */
  pid_t c = fork();
  if (c == 0)
    _exit(self_ns("pid") == target_pid_ns && getpid() > 1 && getpid() < 10 ? 0 : 1);
  int status;
  waitpid(c, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return 26;
  return 0;
}

static void test_ns_enter(void **state)
{
  if (geteuid() != 0)
    skip();
  struct target t;
  target_start(&t);
  /* The marker is not visible from the host: the mount stayed in the target. */
  char marker[128];
  snprintf(marker, sizeof marker, "%s/marker", t.dir);
  assert_int_equal(access(marker, F_OK), -1);

  pid_t c = fork();
  if (c == 0)
    _exit(enter_and_check(&t));
  int status;
  waitpid(c, &status, 0);
  target_stop(&t);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_ns_enter_failure_changes_nothing(void **state)
{
  if (geteuid() != 0)
    skip();
  struct target t;
  target_start(&t);
  pid_t c = fork();
  if (c == 0) {
    ino_t uts = self_ns("uts"), net = self_ns("net");
    /* A bad type after good ones: nothing may be entered. */
    static const char *const types[] = {"net", "uts", "nonsense", NULL};
    struct lab_error *err = NULL;
    if (ns_enter(t.init, types, &err) != -1 || err == NULL)
      _exit(30);
    if (strstr(err->msg, "entering the namespaces of pid") == NULL)
      _exit(31);
    _exit(self_ns("uts") == uts && self_ns("net") == net ? 0 : 32);
  }
  int status;
  waitpid(c, &status, 0);
  target_stop(&t);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);

  /* A process that is gone. */
  struct lab_error *err = NULL;
  static const char *const types[] = {"net", NULL};
  assert_int_equal(ns_enter(t.init, types, &err), -1);
  assert_int_equal(err->errnum, ENOENT);
  lab_error_clear(&err);
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_ns_open_errors), cmocka_unit_test(test_ns_enter),
               cmocka_unit_test(test_ns_enter_failure_changes_nothing))
