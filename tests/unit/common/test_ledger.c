/* The ledger: record/replay, crash tolerance, undo (files, dirs, cgroup dirs,
 * real processes, the reused-pid guard), idempotence, listing labs. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit-test.h"

#include "ledger.h"
#include "proc.h"

struct fixture {
  char rundir[64];
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static int setup(void **state)
{
  struct fixture *f = calloc(1, sizeof *f);
  snprintf(f->rundir, sizeof f->rundir, "/tmp/nodelab-ledger-test-XXXXXX");
  if (mkdtemp(f->rundir) == NULL)
    return -1;
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *f = *state;
  /* Whatever a failed test left, inside our own temporary directory only. */
  nftw(f->rundir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  free(f);
  return 0;
}

static char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *pathf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *p = NULL;
  assert_true(vasprintf(&p, fmt, ap) >= 0);
  va_end(ap);
  return p;
}

static bool exists(const char *path)
{
  struct stat st;
  return lstat(path, &st) == 0;
}

static char *slurp(const char *path)
{
  FILE *fp = fopen(path, "r");
  assert_non_null(fp);
  static char buf[8192];
  size_t n = fread(buf, 1, sizeof buf - 1, fp);
  buf[n] = '\0';
  fclose(fp);
  return buf;
}

static void open_ledger(struct fixture *f, const char *lab, struct ledger **l)
{
  struct lab_error *err = NULL;
  int r = ledger_open(f->rundir, lab, l, &err);
  if (r < 0)
    fail_msg("ledger_open: %s", err->msg);
}

static void record(struct ledger *l, enum ledger_kind kind, const char *path)
{
  struct lab_error *err = NULL;
  if (ledger_record_path(l, kind, path, &err) < 0)
    fail_msg("record %s: %s", path, err->msg);
}

static int undo(struct fixture *f, const char *lab, struct lab_error **err)
{
  return ledger_undo(f->rundir, lab, err);
}

static void test_round_trip(void **state)
{
  struct fixture *f = *state;
  struct ledger *l = NULL;
  struct lab_error *err = NULL;
  open_ledger(f, "lab1", &l);
  char *labdir = pathf("%s/lab1", f->rundir);
  assert_string_equal(ledger_dir(l), labdir);

  record(l, LEDGER_DIR, "/run/nodelab/x/dir");
  record(l, LEDGER_FILE, "/run/nodelab/x/file with space");
  record(l, LEDGER_CGROUP, "/sys/fs/cgroup/memory/nodelab/default/node1");
  record(l, LEDGER_MOUNT, "/run/nodelab/x/mnt");
  record(l, LEDGER_NETNS, "/run/nodelab/x/netns/node1");
  assert_int_equal(ledger_record_process(l, 1234, 5678901, &err), 0);
  ledger_close(l);

  char *lpath = pathf("%s/ledger", labdir);
  char *expect = pathf("dir\t%s\n"
                       "dir\t/run/nodelab/x/dir\n"
                       "file\t/run/nodelab/x/file with space\n"
                       "cgroup\t/sys/fs/cgroup/memory/nodelab/default/node1\n"
                       "mount\t/run/nodelab/x/mnt\n"
                       "netns\t/run/nodelab/x/netns/node1\n"
                       "process\t1234\t5678901\n",
                       labdir);
  assert_string_equal(slurp(lpath), expect);
  struct stat st;
  assert_int_equal(stat(lpath, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(stat(labdir, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0700);

  struct ledger_entry *v = NULL;
  size_t n = 0;
  assert_int_equal(ledger_read(lpath, &v, &n, &err), 0);
  assert_int_equal(n, 7);
  assert_int_equal(v[0].kind, LEDGER_DIR);
  assert_string_equal(v[0].path, labdir);
  assert_int_equal(v[2].kind, LEDGER_FILE);
  assert_string_equal(v[2].path, "/run/nodelab/x/file with space");
  assert_int_equal(v[3].kind, LEDGER_CGROUP);
  assert_string_equal(v[3].path, "/sys/fs/cgroup/memory/nodelab/default/node1");
  assert_int_equal(v[4].kind, LEDGER_MOUNT);
  assert_int_equal(v[5].kind, LEDGER_NETNS);
  assert_int_equal(v[6].kind, LEDGER_PROCESS);
  assert_null(v[6].path);
  assert_int_equal(v[6].pid, 1234);
  assert_int_equal(v[6].starttime, 5678901);
  ledger_entries_free(v, n);

  /* Reopening appends; the lab directory is not recorded twice. */
  open_ledger(f, "lab1", &l);
  record(l, LEDGER_FILE, "/run/nodelab/x/later");
  ledger_close(l);
  assert_int_equal(ledger_read(lpath, &v, &n, &err), 0);
  assert_int_equal(n, 8);
  assert_string_equal(v[7].path, "/run/nodelab/x/later");
  ledger_entries_free(v, n);
  free(expect);
  free(lpath);
  free(labdir);
}

static void test_rejects_bad_input(void **state)
{
  struct fixture *f = *state;
  struct ledger *l = NULL;
  struct lab_error *err = NULL;
  open_ledger(f, "lab1", &l);
  assert_int_equal(ledger_record_path(l, LEDGER_FILE, "/tmp/a\tb", &err), -1);
  assert_int_equal(err->errnum, EINVAL);
  lab_error_clear(&err);
  assert_int_equal(ledger_record_path(l, LEDGER_FILE, "/tmp/a\nb", &err), -1);
  lab_error_clear(&err);
  assert_int_equal(ledger_record_path(l, LEDGER_DIR, "relative/path", &err), -1);
  lab_error_clear(&err);
  assert_int_equal(ledger_record_path(l, LEDGER_PROCESS, "/x", &err), -1);
  lab_error_clear(&err);
  assert_int_equal(ledger_record_process(l, 0, 1, &err), -1);
  lab_error_clear(&err);
  ledger_close(l);

  /* Only the lab directory line was written. */
  char *lpath = pathf("%s/lab1/ledger", f->rundir);
  struct ledger_entry *v = NULL;
  size_t n = 0;
  assert_int_equal(ledger_read(lpath, &v, &n, &err), 0);
  assert_int_equal(n, 1);
  ledger_entries_free(v, n);
  free(lpath);

  const char *bad[] = {"", ".", "..", "a/b", "a\tb"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(ledger_open(f->rundir, bad[i], &l, &err), -1);
    assert_int_equal(err->errnum, EINVAL);
    lab_error_clear(&err);
  }
}

static void test_partial_trailing_line_ignored(void **state)
{
  struct fixture *f = *state;
  struct ledger *l = NULL;
  struct lab_error *err = NULL;
  open_ledger(f, "lab1", &l);
  record(l, LEDGER_FILE, "/tmp/nodelab-ledger-test-complete");
  ledger_close(l);

  /* What a writer killed in the middle of a line, and a garbled line, leave. */
  char *lpath = pathf("%s/lab1/ledger", f->rundir);
  int fd = open(lpath, O_WRONLY | O_APPEND);
  assert_true(fd >= 0);
  const char junk[] = "bogus\tline\nfile\t/tmp/nodelab-ledger-test-cut";
  assert_int_equal(write(fd, junk, sizeof junk - 1), (ssize_t)(sizeof junk - 1));
  close(fd);

  struct ledger_entry *v = NULL;
  size_t n = 0;
  assert_int_equal(ledger_read(lpath, &v, &n, &err), 0);
  assert_int_equal(n, 2);
  assert_int_equal(v[1].kind, LEDGER_FILE);
  assert_string_equal(v[1].path, "/tmp/nodelab-ledger-test-complete");
  ledger_entries_free(v, n);

  /* Undo still works on such a ledger. */
  assert_int_equal(undo(f, "lab1", &err), 0);
  assert_false(exists(lpath));
  free(lpath);
}

static void test_undo_reverse_order(void **state)
{
  struct fixture *f = *state;
  struct ledger *l = NULL;
  struct lab_error *err = NULL;
  open_ledger(f, "lab1", &l);
  /* Each object is inside the previous one: only reverse order can remove them. */
  char *a = pathf("%s/lab1/a", f->rundir);
  char *file = pathf("%s/lab1/a/file", f->rundir);
  char *b = pathf("%s/lab1/a/b", f->rundir);
  char *cg = pathf("%s/lab1/a/b/cg", f->rundir);
  char *cgchild = pathf("%s/lab1/a/b/cg/child", f->rundir);
  record(l, LEDGER_DIR, a);
  assert_int_equal(mkdir(a, 0755), 0);
  record(l, LEDGER_FILE, file);
  int fd = open(file, O_CREAT | O_WRONLY, 0600);
  assert_true(fd >= 0);
  close(fd);
  record(l, LEDGER_DIR, b);
  assert_int_equal(mkdir(b, 0755), 0);
  /* A cgroup-like directory with an unrecorded empty subdirectory. */
  record(l, LEDGER_CGROUP, cg);
  assert_int_equal(mkdir(cg, 0755), 0);
  assert_int_equal(mkdir(cgchild, 0755), 0);
  /* Recorded but never created (killed before creating it). */
  record(l, LEDGER_FILE, "/tmp/nodelab-ledger-test-never-created");
  record(l, LEDGER_MOUNT, "/tmp/nodelab-ledger-test-never-mounted");
  record(l, LEDGER_NETNS, "/tmp/nodelab-ledger-test-never-netns");
  ledger_close(l);

  if (undo(f, "lab1", &err) < 0)
    fail_msg("undo: %s", err->msg);
  assert_false(exists(a));
  char *labdir = pathf("%s/lab1", f->rundir);
  assert_false(exists(labdir));
  assert_true(exists(f->rundir));

  /* Twice is fine. */
  assert_int_equal(undo(f, "lab1", &err), 0);
  assert_null(err);
  free(a);
  free(file);
  free(b);
  free(cg);
  free(cgchild);
  free(labdir);
}

static void test_undo_keeps_going_and_keeps_ledger(void **state)
{
  struct fixture *f = *state;
  struct ledger *l = NULL;
  struct lab_error *err = NULL;
  open_ledger(f, "lab1", &l);
  char *busy = pathf("%s/busy", f->rundir);
  char *foreign = pathf("%s/busy/foreign", f->rundir);
  char *other = pathf("%s/other", f->rundir);
  record(l, LEDGER_DIR, other);
  assert_int_equal(mkdir(other, 0755), 0);
  record(l, LEDGER_DIR, busy);
  assert_int_equal(mkdir(busy, 0755), 0);
  /* Something we did not create: undo must not remove it. */
  int fd = open(foreign, O_CREAT | O_WRONLY, 0600);
  assert_true(fd >= 0);
  close(fd);
  ledger_close(l);

  assert_int_equal(undo(f, "lab1", &err), -1);
  assert_int_equal(err->errnum, ENOTEMPTY);
  assert_non_null(strstr(err->msg, busy));
  lab_error_clear(&err);
  assert_true(exists(foreign));
  assert_false(exists(other)); /* kept going past the failure */
  char *lpath = pathf("%s/lab1/ledger", f->rundir);
  assert_true(exists(lpath)); /* kept for a retry */

  assert_int_equal(unlink(foreign), 0);
  if (undo(f, "lab1", &err) < 0)
    fail_msg("second undo: %s", err->msg);
  assert_false(exists(busy));
  assert_false(exists(lpath));
  free(busy);
  free(foreign);
  free(other);
  free(lpath);
}

static pid_t fork_sleeper(void)
{
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    for (;;)
      pause();
  }
  return pid;
}

static long elapsed_ms(const struct timespec *t0)
{
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_undo_kills_recorded_process(void **state)
{
  struct fixture *f = *state;
  struct ledger *l = NULL;
  struct lab_error *err = NULL;
  pid_t pid = fork_sleeper();
  uint64_t st = 0;
  assert_int_equal(proc_starttime(pid, &st), 0);
  open_ledger(f, "lab1", &l);
  assert_int_equal(ledger_record_process(l, pid, st, &err), 0);
  ledger_close(l);

  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int r = undo(f, "lab1", &err);
  long ms = elapsed_ms(&t0);
  if (r < 0) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    fail_msg("undo: %s", err->msg);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, WNOHANG), pid);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGKILL);
  assert_true(ms < 2000);
}

static void test_undo_spares_reused_pid(void **state)
{
  struct fixture *f = *state;
  struct ledger *l = NULL;
  struct lab_error *err = NULL;
  pid_t pid = fork_sleeper();
  uint64_t st = 0;
  assert_int_equal(proc_starttime(pid, &st), 0);
  open_ledger(f, "lab1", &l);
  /* The same pid, but a different start time: another process now. */
  assert_int_equal(ledger_record_process(l, pid, st + 1, &err), 0);
  ledger_close(l);

  int r = undo(f, "lab1", &err);
  int alive = waitpid(pid, NULL, WNOHANG) == 0 && kill(pid, 0) == 0;
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  assert_int_equal(r, 0);
  assert_true(alive);
}

static void test_list_labs(void **state)
{
  struct fixture *f = *state;
  struct ledger *l = NULL;
  struct lab_error *err = NULL;
  char **names = NULL;

  assert_int_equal(ledger_list_labs(f->rundir, &names, &err), 0);
  assert_null(names[0]);
  free(names);

  open_ledger(f, "zeta", &l);
  ledger_close(l);
  open_ledger(f, "alpha", &l);
  ledger_close(l);
  char *nolab = pathf("%s/no-ledger", f->rundir);
  assert_int_equal(mkdir(nolab, 0700), 0);
  char *plain = pathf("%s/plain-file", f->rundir);
  int fd = open(plain, O_CREAT | O_WRONLY, 0600);
  close(fd);

  assert_int_equal(ledger_list_labs(f->rundir, &names, &err), 0);
  assert_string_equal(names[0], "alpha");
  assert_string_equal(names[1], "zeta");
  assert_null(names[2]);
  for (size_t i = 0; names[i] != NULL; i++)
    free(names[i]);
  free(names);

  /* A missing run directory simply has no labs. */
  char *missing = pathf("%s/missing", f->rundir);
  assert_int_equal(ledger_list_labs(missing, &names, &err), 0);
  assert_null(names[0]);
  free(names);

  assert_int_equal(undo(f, "alpha", &err), 0);
  assert_int_equal(undo(f, "zeta", &err), 0);
  assert_int_equal(ledger_list_labs(f->rundir, &names, &err), 0);
  assert_null(names[0]);
  free(names);
  free(nolab);
  free(plain);
  free(missing);
}

/* Lab "a" created the shared parent cgroup; lab "b" lives below it.  Undoing
 * "a" must leave "b" alone and hand the parent over to "b". */
static void test_shared_cgroup_parent_handed_over(void **state)
{
  struct fixture *f = *state;
  struct ledger *la = NULL, *lb = NULL;
  struct lab_error *err = NULL;
  char *parent = pathf("%s/cgroot", f->rundir);
  char *child = pathf("%s/cgroot/b", f->rundir);
  open_ledger(f, "a", &la);
  record(la, LEDGER_CGROUP_PARENT, parent);
  assert_int_equal(mkdir(parent, 0755), 0);
  ledger_close(la);
  open_ledger(f, "b", &lb);
  record(lb, LEDGER_CGROUP, child);
  assert_int_equal(mkdir(child, 0755), 0);
  ledger_close(lb);

  if (undo(f, "a", &err) < 0)
    fail_msg("undo a: %s", err->msg);
  assert_true(exists(child));
  char *lbpath = pathf("%s/b/ledger", f->rundir);
  struct ledger_entry *v = NULL;
  size_t n = 0;
  assert_int_equal(ledger_read(lbpath, &v, &n, &err), 0);
  assert_int_equal(n, 3);
  assert_int_equal(v[2].kind, LEDGER_CGROUP_PARENT);
  assert_string_equal(v[2].path, parent);
  ledger_entries_free(v, n);

  if (undo(f, "b", &err) < 0)
    fail_msg("undo b: %s", err->msg);
  assert_false(exists(parent));
  free(parent);
  free(child);
  free(lbpath);
}

/* A parent still used by something this run directory does not know (a lab
 * run beside it with another NODELAB_RUNDIR) is left in place: undo never
 * kills or removes below a CGROUP_PARENT entry. */
static void test_cgroup_parent_in_use_left_alone(void **state)
{
  struct fixture *f = *state;
  struct ledger *la = NULL;
  struct lab_error *err = NULL;
  char *parent = pathf("%s/cgroot", f->rundir);
  char *foreign = pathf("%s/cgroot/other", f->rundir);
  open_ledger(f, "a", &la);
  record(la, LEDGER_CGROUP_PARENT, parent);
  assert_int_equal(mkdir(parent, 0755), 0);
  ledger_close(la);
  assert_int_equal(mkdir(foreign, 0755), 0);

  if (undo(f, "a", &err) < 0)
    fail_msg("undo a: %s", err->msg);
  assert_true(exists(foreign));
  assert_int_equal(rmdir(foreign), 0);
  assert_int_equal(rmdir(parent), 0);
  free(parent);
  free(foreign);
}

UNIT_TEST_MAIN(
    NULL, NULL, cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
    cmocka_unit_test_setup_teardown(test_rejects_bad_input, setup, teardown),
    cmocka_unit_test_setup_teardown(test_partial_trailing_line_ignored, setup, teardown),
    cmocka_unit_test_setup_teardown(test_undo_reverse_order, setup, teardown),
    cmocka_unit_test_setup_teardown(test_undo_keeps_going_and_keeps_ledger, setup, teardown),
    cmocka_unit_test_setup_teardown(test_undo_kills_recorded_process, setup, teardown),
    cmocka_unit_test_setup_teardown(test_undo_spares_reused_pid, setup, teardown),
    cmocka_unit_test_setup_teardown(test_list_labs, setup, teardown),
    cmocka_unit_test_setup_teardown(test_cgroup_parent_in_use_left_alone, setup, teardown),
    cmocka_unit_test_setup_teardown(test_shared_cgroup_parent_handed_over, setup, teardown))
