/* cgroups: detection of each flavour, creation recorded in the ledger, limit
 * files and values for v1 and v2, attach, paths, destroy, OOM counters — on
 * fake trees — and, as root, the same on this machine's real hierarchy. */
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
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/magic.h>

#include <cmocka.h>

#include "unit-test.h"

#include "cgroup.h"
#include "cgroup-internal.h"
#include "ledger.h"
#include "proc.h"

struct fixture {
  char tmp[64];
  char root[96];   /* the fake cgroup root */
  char rundir[96]; /* ledger run directory */
  /* real-cgroup tests */
  char top[64]; /* "nodelab-unit-<pid>" */
  pid_t children[4];
  struct cgroup_manager *m;
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
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

static void mkdirf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mkdirf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *p = NULL;
  assert_true(vasprintf(&p, fmt, ap) >= 0);
  va_end(ap);
  if (mkdir(p, 0755) < 0 && errno != EEXIST)
    fail_msg("mkdir %s: %s", p, strerror(errno));
  free(p);
}

static void write_text(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  if (f == NULL)
    fail_msg("fopen %s: %s", path, strerror(errno));
  fputs(text, f);
  fclose(f);
}

/* The file's content without a trailing newline, in a static buffer. */
static const char *read_text(const char *path)
{
  static char buf[4096];
  FILE *f = fopen(path, "r");
  if (f == NULL)
    fail_msg("fopen %s: %s", path, strerror(errno));
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  while (n > 0 && buf[n - 1] == '\n')
    buf[--n] = '\0';
  return buf;
}

static bool is_dir(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int setup(void **state)
{
  struct fixture *f = calloc(1, sizeof *f);
  for (size_t i = 0; i < 4; i++)
    f->children[i] = -1;
  snprintf(f->tmp, sizeof f->tmp, "/tmp/nodelab-cgroup-test-XXXXXX");
  if (mkdtemp(f->tmp) == NULL)
    return -1;
  snprintf(f->root, sizeof f->root, "%s/cg", f->tmp);
  snprintf(f->rundir, sizeof f->rundir, "%s/run", f->tmp);
  snprintf(f->top, sizeof f->top, "nodelab-unit-%d", (int)getpid());
  if (mkdir(f->root, 0755) < 0)
    return -1;
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *f = *state;
  struct lab_error *err = NULL;
  /* Real-cgroup tests record everything they create in lab "unit": undoing it
   * removes their cgroups and kills what still runs there, even after a
   * failed assertion. */
  if (ledger_undo(f->rundir, "unit", &err) < 0) {
    fprintf(stderr, "teardown: %s\n", err->msg);
    lab_error_clear(&err);
  }
  for (size_t i = 0; i < 4; i++) {
    if (f->children[i] > 0) {
      kill(f->children[i], SIGKILL);
      waitpid(f->children[i], NULL, 0);
    }
  }
  cgroup_manager_close(f->m);
  nftw(f->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  free(f);
  return 0;
}

/* ---- detection ----------------------------------------------------------- */

static void write_mountinfo(struct fixture *f, const char *path, const char *const lines[][3])
{
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fprintf(fp, "22 1 0:21 / /proc rw,nosuid - proc proc rw\n");
  for (int i = 0; lines[i][0] != NULL; i++) {
    const char *sub = lines[i][0];
    fprintf(fp, "%d 22 0:%d / %s%s%s rw,relatime - %s %s %s\n", 30 + i, 40 + i, f->root,
            sub[0] ? "/" : "", sub, lines[i][1], lines[i][1], lines[i][2]);
  }
  fclose(fp);
}

static void expect_paths(struct cgroup_manager *m, const char *root, const char *const *subs)
{
  char **paths = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(cgroup_paths(m, "x/y", &paths, &err), 0);
  size_t n = 0;
  for (; subs[n] != NULL; n++) {
    assert_non_null(paths[n]);
    char *want = subs[n][0] ? pathf("%s/%s/x/y", root, subs[n]) : pathf("%s/x/y", root);
    assert_string_equal(paths[n], want);
    free(want);
  }
  assert_null(paths[n]);
  for (size_t i = 0; paths[i] != NULL; i++)
    free(paths[i]);
  free(paths);
}

static void test_detect_v1_hybrid_v2(void **state)
{
  struct fixture *f = *state;
  struct lab_error *err = NULL;
  struct cgroup_manager *m = NULL;
  char *mi = pathf("%s/mountinfo", f->tmp);

  const char *const v1[][3] = {
      {"", "tmpfs", "rw,mode=755"},
      {"cpu,cpuacct", "cgroup", "rw,cpu,cpuacct"},
      {"cpuset", "cgroup", "rw,cpuset"},
      {"memory", "cgroup", "rw,memory"},
      {"pids", "cgroup", "rw,pids"},
      {"systemd", "cgroup", "rw,xattr,name=systemd"},
      {NULL, NULL, NULL},
  };
  write_mountinfo(f, mi, v1);
  if (cgroup_manager_open_mountinfo(f->root, mi, true, &m, &err) < 0)
    fail_msg("%s", err->msg);
  assert_int_equal(cgroup_manager_mode(m), CGROUP_MODE_V1);
  assert_string_equal(cgroup_mode_name(cgroup_manager_mode(m)), "v1");
  expect_paths(m, f->root, (const char *const[]){"cpu,cpuacct", "memory", "pids", "systemd", NULL});
  cgroup_manager_close(m);

  /* This machine's layout: cpu and cpuacct apart, unified cgroup2 beside. */
  const char *const hybrid[][3] = {
      {"", "tmpfs", "rw,mode=755"},
      {"cpu", "cgroup", "rw,cpu"},
      {"cpuacct", "cgroup", "rw,cpuacct"},
      {"memory", "cgroup", "rw,memory"},
      {"devices", "cgroup", "rw,devices"},
      {"pids", "cgroup", "rw,pids"},
      {"systemd", "cgroup", "rw,name=systemd"},
      {"unified", "cgroup2", "rw"},
      {NULL, NULL, NULL},
  };
  write_mountinfo(f, mi, hybrid);
  if (cgroup_manager_open_mountinfo(f->root, mi, true, &m, &err) < 0)
    fail_msg("%s", err->msg);
  assert_int_equal(cgroup_manager_mode(m), CGROUP_MODE_HYBRID);
  assert_string_equal(cgroup_mode_name(cgroup_manager_mode(m)), "hybrid");
  expect_paths(m, f->root,
               (const char *const[]){"cpu", "memory", "pids", "systemd", "unified", NULL});
  cgroup_manager_close(m);

  const char *const v2[][3] = {
      {"", "cgroup2", "rw,nsdelegate,memory_recursiveprot"},
      {NULL, NULL, NULL},
  };
  write_mountinfo(f, mi, v2);
  if (cgroup_manager_open_mountinfo(f->root, mi, true, &m, &err) < 0)
    fail_msg("%s", err->msg);
  assert_int_equal(cgroup_manager_mode(m), CGROUP_MODE_V2);
  assert_string_equal(cgroup_mode_name(cgroup_manager_mode(m)), "v2");
  expect_paths(m, f->root, (const char *const[]){"", NULL});
  cgroup_manager_close(m);

  /* A cgroup2 mounted over a v1 layout hides it. */
  const char *const over[][3] = {
      {"", "tmpfs", "rw"},
      {"memory", "cgroup", "rw,memory"},
      {"", "cgroup2", "rw"},
      {NULL, NULL, NULL},
  };
  write_mountinfo(f, mi, over);
  assert_int_equal(cgroup_manager_open_mountinfo(f->root, mi, true, &m, &err), 0);
  assert_int_equal(cgroup_manager_mode(m), CGROUP_MODE_V2);
  cgroup_manager_close(m);

  /* Nothing mounted there. */
  const char *const none[][3] = {{"", "tmpfs", "rw"}, {NULL, NULL, NULL}};
  write_mountinfo(f, mi, none);
  assert_int_equal(cgroup_manager_open_mountinfo(f->root, mi, true, &m, &err), -1);
  assert_int_equal(err->errnum, ENOENT);
  lab_error_clear(&err);
  free(mi);
}

/* The real detector on this host, checked against statfs done here. */
static void test_detect_this_host(void **state)
{
  (void)state;
  struct statfs root, unified;
  if (statfs("/sys/fs/cgroup", &root) < 0)
    skip();
  enum cgroup_mode want = CGROUP_MODE_V1;
  if (root.f_type == CGROUP2_SUPER_MAGIC)
    want = CGROUP_MODE_V2;
  else if (statfs("/sys/fs/cgroup/unified", &unified) == 0 && unified.f_type == CGROUP2_SUPER_MAGIC)
    want = CGROUP_MODE_HYBRID;
  struct cgroup_manager *m = NULL;
  struct lab_error *err = NULL;
  if (cgroup_manager_open("/sys/fs/cgroup", &m, &err) < 0)
    fail_msg("%s", err->msg);
  assert_int_equal(cgroup_manager_mode(m), want);
  cgroup_manager_close(m);
}

static void test_relpath_validation(void **state)
{
  struct fixture *f = *state;
  struct lab_error *err = NULL;
  mkdirf("%s/memory", f->root);
  assert_int_equal(cgroup_manager_open_fake(f->root, CGROUP_MODE_V1, &f->m, &err), 0);
  const char *bad[] = {"", "/abs", "a/../b", "..", ".", "a//b", "a/", "a\tb", "a\nb"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(cgroup_create(f->m, bad[i], NULL, &err), -1);
    assert_int_equal(err->errnum, EINVAL);
    lab_error_clear(&err);
  }
  assert_true(cgroup_relpath_valid("nodelab/default/node1"));
  assert_true(cgroup_relpath_valid("a..b/.c"));
}

/* ---- v1 / hybrid on a fake tree ------------------------------------------ */

static void make_v1_tree(struct fixture *f)
{
  const char *subs[] = {"cpu", "cpuacct", "cpuset", "memory", "pids", "systemd", "unified"};
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
    mkdirf("%s/%s", f->root, subs[i]);
    char *p = pathf("%s/%s/cgroup.procs", f->root, subs[i]);
    write_text(p, "1\n");
    free(p);
  }
}

static const char *const hybrid_dirs[] = {"cpu", "memory", "pids", "systemd", "unified"};
#define NHYBRID (sizeof hybrid_dirs / sizeof hybrid_dirs[0])

static void test_v1_create_records_in_ledger(void **state)
{
  struct fixture *f = *state;
  struct lab_error *err = NULL;
  make_v1_tree(f);
  /* An existing parent is used, not recorded. */
  mkdirf("%s/memory/nodelab", f->root);
  assert_int_equal(cgroup_manager_open_fake(f->root, CGROUP_MODE_HYBRID, &f->m, &err), 0);
  assert_int_equal(cgroup_manager_mode(f->m), CGROUP_MODE_HYBRID);

  struct ledger *l = NULL;
  assert_int_equal(ledger_open(f->rundir, "fake", &l, &err), 0);
  if (cgroup_create(f->m, "nodelab/lab/node1", l, &err) < 0)
    fail_msg("%s", err->msg);
  ledger_close(l);

  for (size_t i = 0; i < NHYBRID; i++) {
    char *p = pathf("%s/%s/nodelab/lab/node1", f->root, hybrid_dirs[i]);
    assert_true(is_dir(p));
    free(p);
  }
  char *unmanaged[] = {pathf("%s/cpuset/nodelab", f->root), pathf("%s/cpuacct/nodelab", f->root)};
  assert_false(is_dir(unmanaged[0]));
  assert_false(is_dir(unmanaged[1]));
  free(unmanaged[0]);
  free(unmanaged[1]);

  char *lpath = pathf("%s/fake/ledger", f->rundir);
  struct ledger_entry *v = NULL;
  size_t n = 0;
  assert_int_equal(ledger_read(lpath, &v, &n, &err), 0);
  /* lab dir + 3 levels x 5 hierarchies - the pre-existing memory/nodelab */
  assert_int_equal(n, 1 + 3 * NHYBRID - 1);
  size_t k = 1;
  for (size_t i = 0; i < NHYBRID; i++) {
    const char *levels[] = {"nodelab", "nodelab/lab", "nodelab/lab/node1"};
    for (size_t j = 0; j < 3; j++) {
      if (strcmp(hybrid_dirs[i], "memory") == 0 && j == 0)
        continue;
      char *want = pathf("%s/%s/%s", f->root, hybrid_dirs[i], levels[j]);
      /* Only the cgroup asked for is ours to kill; its parents may be shared. */
      assert_int_equal(v[k].kind, j == 2 ? LEDGER_CGROUP : LEDGER_CGROUP_PARENT);
      assert_string_equal(v[k].path, want);
      free(want);
      k++;
    }
  }
  ledger_entries_free(v, n);

  /* Creating again is a no-op, and records nothing new. */
  assert_int_equal(ledger_open(f->rundir, "fake", &l, &err), 0);
  assert_int_equal(cgroup_create(f->m, "nodelab/lab/node1", l, &err), 0);
  ledger_close(l);
  assert_int_equal(ledger_read(lpath, &v, &n, &err), 0);
  assert_int_equal(n, 1 + 3 * NHYBRID - 1);
  ledger_entries_free(v, n);

  /* Undo of that ledger removes exactly what was created. */
  if (ledger_undo(f->rundir, "fake", &err) < 0)
    fail_msg("%s", err->msg);
  for (size_t i = 0; i < NHYBRID; i++) {
    char *p = pathf("%s/%s/nodelab", f->root, hybrid_dirs[i]);
    assert_int_equal(is_dir(p), strcmp(hybrid_dirs[i], "memory") == 0);
    free(p);
  }
  free(lpath);
}

static void test_v1_limits_attach_oom_destroy(void **state)
{
  struct fixture *f = *state;
  struct lab_error *err = NULL;
  make_v1_tree(f);
  assert_int_equal(cgroup_manager_open_fake(f->root, CGROUP_MODE_HYBRID, &f->m, &err), 0);
  assert_int_equal(cgroup_create(f->m, "lab/node1", NULL, &err), 0);

  /* The kernel's control files, as the kernel names them. */
  const char *files[][2] = {
      {"memory", "memory.limit_in_bytes"}, {"cpu", "cpu.cfs_period_us"},
      {"cpu", "cpu.cfs_quota_us"},         {"pids", "pids.max"},
      {"memory", "memory.oom_control"},
  };
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char *p = pathf("%s/%s/lab/node1/%s", f->root, files[i][0], files[i][1]);
    write_text(p, "untouched\n");
    free(p);
  }
  for (size_t i = 0; i < NHYBRID; i++) {
    char *p = pathf("%s/%s/lab/node1/cgroup.procs", f->root, hybrid_dirs[i]);
    write_text(p, "");
    free(p);
  }

  struct cgroup_limits lim = {.memory_bytes = 32u << 20, .cpu_millis = 500, .pids = 16};
  if (cgroup_set_limits(f->m, "lab/node1", &lim, &err) < 0)
    fail_msg("%s", err->msg);
  char *mem = pathf("%s/memory/lab/node1/memory.limit_in_bytes", f->root);
  char *period = pathf("%s/cpu/lab/node1/cpu.cfs_period_us", f->root);
  char *quota = pathf("%s/cpu/lab/node1/cpu.cfs_quota_us", f->root);
  char *pids = pathf("%s/pids/lab/node1/pids.max", f->root);
  assert_string_equal(read_text(mem), "33554432");
  assert_string_equal(read_text(period), "100000");
  assert_string_equal(read_text(quota), "50000");
  assert_string_equal(read_text(pids), "16");

  struct cgroup_limits none = {0};
  assert_int_equal(cgroup_set_limits(f->m, "lab/node1", &none, &err), 0);
  assert_string_equal(read_text(mem), "-1");
  assert_string_equal(read_text(quota), "-1");
  assert_string_equal(read_text(pids), "max");

  assert_int_equal(cgroup_attach(f->m, "lab/node1", 4242, &err), 0);
  for (size_t i = 0; i < NHYBRID; i++) {
    char *p = pathf("%s/%s/lab/node1/cgroup.procs", f->root, hybrid_dirs[i]);
    assert_string_equal(read_text(p), "4242");
    free(p);
  }
  char *root_procs = pathf("%s/memory/cgroup.procs", f->root);
  assert_string_equal(read_text(root_procs), "1");
  assert_int_equal(cgroup_attach(f->m, "lab/node1", 0, &err), -1);
  lab_error_clear(&err);

  /* OOM: v1 counts the kill where the limit was hit, possibly a child. */
  char *oom = pathf("%s/memory/lab/node1/memory.oom_control", f->root);
  write_text(oom, "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
  int killed = -1;
  assert_int_equal(cgroup_oom_killed(f->m, "lab/node1", &killed, &err), 0);
  assert_int_equal(killed, 0);
  mkdirf("%s/memory/lab/node1/ctr", f->root);
  char *oom_child = pathf("%s/memory/lab/node1/ctr/memory.oom_control", f->root);
  write_text(oom_child, "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
  assert_int_equal(cgroup_oom_killed(f->m, "lab/node1", &killed, &err), 0);
  assert_int_equal(killed, 1);
  assert_int_equal(cgroup_oom_killed(f->m, "lab/missing", &killed, &err), -1);
  assert_int_equal(err->errnum, ENOENT);
  lab_error_clear(&err);

  /* Destroy removes the tree (files standing in for control files, and the
   * child) in every hierarchy, and leaves the rest. */
  if (cgroup_destroy(f->m, "lab/node1", &err) < 0)
    fail_msg("%s", err->msg);
  for (size_t i = 0; i < NHYBRID; i++) {
    char *p = pathf("%s/%s/lab/node1", f->root, hybrid_dirs[i]);
    char *parent = pathf("%s/%s/lab", f->root, hybrid_dirs[i]);
    assert_false(is_dir(p));
    assert_true(is_dir(parent));
    free(p);
    free(parent);
  }
  assert_string_equal(read_text(root_procs), "1");
  assert_int_equal(cgroup_destroy(f->m, "lab/node1", &err), 0); /* already gone */
  free(mem);
  free(period);
  free(quota);
  free(pids);
  free(root_procs);
  free(oom);
  free(oom_child);
}

/* ---- v2 on a fake tree --------------------------------------------------- */

/* One limit alone, read and written as text, on v1 (from its own files and
 * words) and v2 (the files' own text): what the fault engine snapshots and
 * puts back. */
static void expect_get(struct cgroup_manager *m, enum cgroup_limit_kind kind, const char *want)
{
  struct lab_error *err = NULL;
  char *v = NULL;
  if (cgroup_limit_get(m, "lab/c", kind, &v, &err) < 0)
    fail_msg("%s", err->msg);
  assert_string_equal(v, want);
  free(v);
}

static void put_ok(struct cgroup_manager *m, enum cgroup_limit_kind kind, const char *value)
{
  struct lab_error *err = NULL;
  if (cgroup_limit_put(m, "lab/c", kind, value, &err) < 0)
    fail_msg("%s", err->msg);
}

static void test_limit_get_put(void **state)
{
  struct fixture *f = *state;
  struct lab_error *err = NULL;
  char text[64];
  cgroup_limit_text(CGROUP_LIMIT_CPU, 10, text, sizeof text);
  assert_string_equal(text, "1000 100000");
  cgroup_limit_text(CGROUP_LIMIT_CPU, 0, text, sizeof text);
  assert_string_equal(text, "max 100000");
  cgroup_limit_text(CGROUP_LIMIT_MEMORY, 8u << 20, text, sizeof text);
  assert_string_equal(text, "8388608");
  cgroup_limit_text(CGROUP_LIMIT_PIDS, 0, text, sizeof text);
  assert_string_equal(text, "max");

  make_v1_tree(f);
  assert_int_equal(cgroup_manager_open_fake(f->root, CGROUP_MODE_HYBRID, &f->m, &err), 0);
  assert_int_equal(cgroup_create(f->m, "lab/c", NULL, &err), 0);
  char *mem = pathf("%s/memory/lab/c/memory.limit_in_bytes", f->root);
  char *period = pathf("%s/cpu/lab/c/cpu.cfs_period_us", f->root);
  char *quota = pathf("%s/cpu/lab/c/cpu.cfs_quota_us", f->root);
  char *pids = pathf("%s/pids/lab/c/pids.max", f->root);
  write_text(mem, "9223372036854771712\n");
  write_text(period, "100000\n");
  write_text(quota, "-1\n");
  write_text(pids, "64\n");
  expect_get(f->m, CGROUP_LIMIT_MEMORY, "max");
  expect_get(f->m, CGROUP_LIMIT_CPU, "max 100000");
  expect_get(f->m, CGROUP_LIMIT_PIDS, "64");
  put_ok(f->m, CGROUP_LIMIT_MEMORY, "8388608");
  put_ok(f->m, CGROUP_LIMIT_CPU, "1000 100000");
  put_ok(f->m, CGROUP_LIMIT_PIDS, "6");
  assert_string_equal(read_text(mem), "8388608");
  assert_string_equal(read_text(quota), "1000");
  assert_string_equal(read_text(pids), "6");
  expect_get(f->m, CGROUP_LIMIT_CPU, "1000 100000");
  put_ok(f->m, CGROUP_LIMIT_MEMORY, "max");
  put_ok(f->m, CGROUP_LIMIT_CPU, "max 100000");
  assert_string_equal(read_text(mem), "-1");
  assert_string_equal(read_text(quota), "-1");

  assert_int_equal(cgroup_limit_put(f->m, "lab/c", CGROUP_LIMIT_CPU, "1000", &err), -1);
  assert_int_equal(err->errnum, EINVAL);
  assert_string_equal(
      err->msg,
      "setting the cpu limit of cgroup lab/c to 1000: cpu limit "
      "\"1000\": expected \"QUOTA PERIOD\" (QUOTA max or microseconds): Invalid argument");
  lab_error_clear(&err);
  assert_int_equal(cgroup_limit_put(f->m, "lab/c", CGROUP_LIMIT_PIDS, "6\n7", &err), -1);
  assert_string_equal(err->msg,
                      "pids limit of cgroup lab/c: empty or multi-line value: Invalid argument");
  lab_error_clear(&err);
  assert_int_equal(cgroup_limit_get(f->m, "lab/nope", CGROUP_LIMIT_PIDS, &(char *){NULL}, &err),
                   -1);
  assert_int_equal(err->errnum, ENOENT);
  lab_error_clear(&err);
  free(mem), free(period), free(quota), free(pids);
  cgroup_manager_close(f->m);

  f->m = NULL;
  char *v2 = pathf("%s/v2", f->root);
  mkdirf("%s", v2);
  assert_int_equal(cgroup_manager_open_fake(v2, CGROUP_MODE_V2, &f->m, &err), 0);
  assert_int_equal(cgroup_create(f->m, "lab/c", NULL, &err), 0);
  char *cpu = pathf("%s/lab/c/cpu.max", v2);
  write_text(cpu, "50000 100000\n");
  expect_get(f->m, CGROUP_LIMIT_CPU, "50000 100000");
  put_ok(f->m, CGROUP_LIMIT_CPU, "1000 100000");
  assert_string_equal(read_text(cpu), "1000 100000");
  free(cpu);
  free(v2);
}

static void test_v2_create_enables_controllers(void **state)
{
  struct fixture *f = *state;
  struct lab_error *err = NULL;
  char *ctl = pathf("%s/cgroup.controllers", f->root);
  char *sub = pathf("%s/cgroup.subtree_control", f->root);
  write_text(ctl, "cpuset cpu io memory hugetlb pids rdma misc\n");
  write_text(sub, "\n");
  assert_int_equal(cgroup_manager_open_fake(f->root, CGROUP_MODE_V2, &f->m, &err), 0);
  assert_int_equal(cgroup_manager_mode(f->m), CGROUP_MODE_V2);
  struct ledger *l = NULL;
  assert_int_equal(ledger_open(f->rundir, "fake", &l, &err), 0);
  if (cgroup_create(f->m, "nodelab/a", l, &err) < 0)
    fail_msg("%s", err->msg);
  ledger_close(l);
  assert_string_equal(read_text(sub), "+memory +cpu +pids");

  char *a = pathf("%s/nodelab/a", f->root);
  assert_true(is_dir(a));
  char *lpath = pathf("%s/fake/ledger", f->rundir);
  struct ledger_entry *v = NULL;
  size_t n = 0;
  assert_int_equal(ledger_read(lpath, &v, &n, &err), 0);
  assert_int_equal(n, 3);
  char *nodelab = pathf("%s/nodelab", f->root);
  assert_string_equal(v[1].path, nodelab);
  assert_string_equal(v[2].path, a);
  ledger_entries_free(v, n);

  /* Only what is missing and available is requested. */
  write_text(ctl, "cpu io memory\n");
  write_text(sub, "memory\n");
  assert_int_equal(cgroup_create(f->m, "nodelab/b", NULL, &err), 0);
  assert_string_equal(read_text(sub), "+cpu");
  write_text(ctl, "cpu memory pids\n");
  write_text(sub, "cpu memory pids\n");
  assert_int_equal(cgroup_create(f->m, "nodelab/c", NULL, &err), 0);
  assert_string_equal(read_text(sub), "cpu memory pids"); /* not rewritten */
  free(ctl);
  free(sub);
  free(a);
  free(lpath);
  free(nodelab);
}

static void test_v2_limits_attach_oom_destroy(void **state)
{
  struct fixture *f = *state;
  struct lab_error *err = NULL;
  assert_int_equal(cgroup_manager_open_fake(f->root, CGROUP_MODE_V2, &f->m, &err), 0);
  assert_int_equal(cgroup_create(f->m, "lab/node1", NULL, &err), 0);
  const char *names[] = {"memory.max", "cpu.max", "pids.max", "cgroup.procs", "memory.events"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    char *p = pathf("%s/lab/node1/%s", f->root, names[i]);
    write_text(p, "untouched\n");
    free(p);
  }
  char *mem = pathf("%s/lab/node1/memory.max", f->root);
  char *cpu = pathf("%s/lab/node1/cpu.max", f->root);
  char *pids = pathf("%s/lab/node1/pids.max", f->root);
  char *procs = pathf("%s/lab/node1/cgroup.procs", f->root);
  char *events = pathf("%s/lab/node1/memory.events", f->root);

  struct cgroup_limits lim = {.memory_bytes = 32u << 20, .cpu_millis = 1500, .pids = 16};
  if (cgroup_set_limits(f->m, "lab/node1", &lim, &err) < 0)
    fail_msg("%s", err->msg);
  assert_string_equal(read_text(mem), "33554432");
  assert_string_equal(read_text(cpu), "150000 100000");
  assert_string_equal(read_text(pids), "16");
  struct cgroup_limits none = {0};
  assert_int_equal(cgroup_set_limits(f->m, "lab/node1", &none, &err), 0);
  assert_string_equal(read_text(mem), "max");
  assert_string_equal(read_text(cpu), "max 100000");
  assert_string_equal(read_text(pids), "max");

  /* A missing controller file is an error naming it. */
  assert_int_equal(unlink(pids), 0);
  assert_int_equal(cgroup_set_limits(f->m, "lab/node1", &lim, &err), -1);
  assert_non_null(strstr(err->msg, "pids.max"));
  lab_error_clear(&err);

  assert_int_equal(cgroup_attach(f->m, "lab/node1", 777, &err), 0);
  assert_string_equal(read_text(procs), "777");

  int killed = -1;
  write_text(events, "low 0\nhigh 0\nmax 12\noom 0\noom_kill 0\noom_group_kill 0\n");
  assert_int_equal(cgroup_oom_killed(f->m, "lab/node1", &killed, &err), 0);
  assert_int_equal(killed, 0);
  write_text(events, "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n");
  assert_int_equal(cgroup_oom_killed(f->m, "lab/node1", &killed, &err), 0);
  assert_int_equal(killed, 1);

  if (cgroup_destroy(f->m, "lab", &err) < 0)
    fail_msg("%s", err->msg);
  char *lab = pathf("%s/lab", f->root);
  assert_false(is_dir(lab));
  assert_true(is_dir(f->root));
  free(mem);
  free(cpu);
  free(pids);
  free(procs);
  free(events);
  free(lab);
}

/* ---- the real hierarchy (root only) -------------------------------------- */

/* A child that sleeps; once released (release_sleeper()) it forks nchildren
 * grandchildren, which then inherit its cgroup: not our children, as with
 * any lab process. */
static pid_t fork_sleeper(int nchildren, int *go)
{
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    char c;
    close(fds[1]);
    if (read(fds[0], &c, 1) != 1)
      _exit(2);
    for (int i = 0; i < nchildren; i++) {
      if (fork() == 0)
        break;
    }
    for (;;)
      pause();
  }
  close(fds[0]);
  *go = fds[1];
  return pid;
}

static void release_sleeper(int go)
{
  assert_int_equal(write(go, "x", 1), 1);
  close(go);
}

static void open_real(struct fixture *f)
{
  struct lab_error *err = NULL;
  if (geteuid() != 0)
    skip();
  if (cgroup_manager_open("/sys/fs/cgroup", &f->m, &err) < 0) {
    fprintf(stderr, "skipping: %s\n", err->msg);
    lab_error_clear(&err);
    skip();
  }
}

static void real_create(struct fixture *f, const char *rel)
{
  struct lab_error *err = NULL;
  struct ledger *l = NULL;
  assert_int_equal(ledger_open(f->rundir, "unit", &l, &err), 0);
  int r = cgroup_create(f->m, rel, l, &err);
  ledger_close(l);
  if (r < 0)
    fail_msg("create %s: %s", rel, err->msg);
}

/* How many lines of /proc/PID/cgroup name `path`; *memory_ok when the line of
 * the memory controller (or the v2 line) is one of them. */
static int cgroup_lines_naming(pid_t pid, const char *path, bool *memory_ok)
{
  char *file = pathf("/proc/%d/cgroup", (int)pid);
  FILE *fp = fopen(file, "r");
  assert_non_null(fp);
  char line[1024];
  int count = 0;
  *memory_ok = false;
  while (fgets(line, sizeof line, fp) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    char *c1 = strchr(line, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c2 == NULL)
      continue;
    *c2 = '\0';
    if (strcmp(c2 + 1, path) != 0)
      continue;
    count++;
    if (strstr(c1 + 1, "memory") != NULL || c1[1] == '\0')
      *memory_ok = true;
  }
  fclose(fp);
  free(file);
  return count;
}

static void test_real_create_limits_attach_destroy(void **state)
{
  struct fixture *f = *state;
  struct lab_error *err = NULL;
  open_real(f);
  char *rel = pathf("%s/a", f->top);
  real_create(f, rel);

  char **paths = NULL;
  assert_int_equal(cgroup_paths(f->m, rel, &paths, &err), 0);
  size_t npaths = 0;
  while (paths[npaths] != NULL) {
    assert_true(is_dir(paths[npaths]));
    npaths++;
  }
  assert_true(npaths >= 1);

  int go = -1;
  pid_t pid = fork_sleeper(0, &go);
  f->children[0] = pid;
  if (cgroup_attach(f->m, rel, pid, &err) < 0)
    fail_msg("%s", err->msg);
  release_sleeper(go);
  struct cgroup_limits lim = {.memory_bytes = 32u << 20, .cpu_millis = 500, .pids = 16};
  if (cgroup_set_limits(f->m, rel, &lim, &err) < 0)
    fail_msg("%s", err->msg);

  /* Read the values back from the kernel's own files. */
  enum cgroup_mode mode = cgroup_manager_mode(f->m);
  if (mode == CGROUP_MODE_V2) {
    char *dir = pathf("/sys/fs/cgroup/%s", rel);
    char *p;
    p = pathf("%s/memory.max", dir);
    assert_string_equal(read_text(p), "33554432");
    free(p);
    p = pathf("%s/cpu.max", dir);
    assert_string_equal(read_text(p), "50000 100000");
    free(p);
    p = pathf("%s/pids.max", dir);
    assert_string_equal(read_text(p), "16");
    free(p);
    free(dir);
  } else {
    char *p;
    p = pathf("/sys/fs/cgroup/memory/%s/memory.limit_in_bytes", rel);
    assert_string_equal(read_text(p), "33554432");
    free(p);
    p = pathf("/sys/fs/cgroup/cpu/%s/cpu.cfs_quota_us", rel);
    assert_string_equal(read_text(p), "50000");
    free(p);
    p = pathf("/sys/fs/cgroup/cpu/%s/cpu.cfs_period_us", rel);
    assert_string_equal(read_text(p), "100000");
    free(p);
    p = pathf("/sys/fs/cgroup/pids/%s/pids.max", rel);
    assert_string_equal(read_text(p), "16");
    free(p);
  }

  /* The process is in the cgroup in every managed hierarchy. */
  char *abs = pathf("/%s", rel);
  bool memory_ok = false;
  assert_int_equal(cgroup_lines_naming(pid, abs, &memory_ok), (int)npaths);
  assert_true(memory_ok);
  int killed = -1;
  assert_int_equal(cgroup_oom_killed(f->m, rel, &killed, &err), 0);
  assert_int_equal(killed, 0);

  if (cgroup_destroy(f->m, rel, &err) < 0)
    fail_msg("%s", err->msg);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  f->children[0] = -1;
  assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  for (size_t i = 0; i < npaths; i++) {
    assert_false(is_dir(paths[i]));
    /* The parent stays: destroy removes the named cgroup only... */
    char *parent = strdup(paths[i]);
    *strrchr(parent, '/') = '\0';
    assert_true(is_dir(parent));
    free(parent);
  }
  /* ...and the ledger removes what was created. */
  if (ledger_undo(f->rundir, "unit", &err) < 0)
    fail_msg("%s", err->msg);
  for (size_t i = 0; i < npaths; i++) {
    char *parent = paths[i];
    *strrchr(parent, '/') = '\0';
    assert_false(is_dir(parent));
    free(paths[i]);
  }
  free(paths);
  free(abs);
  free(rel);
}

/* ledger_undo on a real cgroup holding processes that are not our children,
 * one of them in a sub-cgroup nobody recorded. */
static void test_real_ledger_undo_kills_tree(void **state)
{
  struct fixture *f = *state;
  struct lab_error *err = NULL;
  open_real(f);
  char *rel = pathf("%s/b", f->top);
  real_create(f, rel);
  int go = -1;
  pid_t pid = fork_sleeper(2, &go);
  f->children[0] = pid;
  if (cgroup_attach(f->m, rel, pid, &err) < 0)
    fail_msg("%s", err->msg);
  release_sleeper(go);
  /* Let the grandchildren be forked (into the cgroup: they inherit it). */
  char **paths = NULL;
  assert_int_equal(cgroup_paths(f->m, rel, &paths, &err), 0);
  int n = 0;
  for (int tries = 0; tries < 200 && n < 3; tries++) {
    char *procs = pathf("%s/cgroup.procs", paths[0]);
    const char *text = read_text(procs);
    n = 0;
    for (const char *p = text; *p; p++)
      n += *p == '\n';
    n += text[0] != '\0';
    free(procs);
    usleep(10000);
  }
  assert_int_equal(n, 3);
  /* An unrecorded sub-cgroup holding one grandchild (first hierarchy). */
  char *sub = pathf("%s/sub", paths[0]);
  assert_int_equal(mkdir(sub, 0755), 0);
  char *procs = pathf("%s/cgroup.procs", paths[0]);
  pid_t moved = -1;
  for (const char *p = read_text(procs); *p != '\0' && moved < 0; p += strcspn(p, "\n")) {
    p += *p == '\n';
    pid_t q = (pid_t)atoi(p);
    if (q > 0 && q != pid)
      moved = q;
  }
  assert_true(moved > 0);
  uint64_t moved_start = 0;
  assert_int_equal(proc_starttime(moved, &moved_start), 0);
  char *subprocs = pathf("%s/cgroup.procs", sub);
  char buf[32];
  snprintf(buf, sizeof buf, "%d", (int)moved);
  write_text(subprocs, buf);
  assert_string_equal(read_text(subprocs), buf);

  if (ledger_undo(f->rundir, "unit", &err) < 0)
    fail_msg("%s", err->msg);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  f->children[0] = -1;
  assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  /* Grandchildren were reparented away from us; they must be gone too. */
  assert_false(proc_is_same(moved, moved_start));
  for (size_t i = 0; paths[i] != NULL; i++) {
    assert_false(is_dir(paths[i]));
    char *top = paths[i];
    *strrchr(top, '/') = '\0';
    assert_false(is_dir(top));
    free(paths[i]);
  }
  free(paths);
  free(sub);
  free(procs);
  free(subprocs);
  free(rel);
}

static void test_real_oom_kill_counted(void **state)
{
  struct fixture *f = *state;
  struct lab_error *err = NULL;
  open_real(f);
  char *rel = pathf("%s/oom", f->top);
  real_create(f, rel);
  int go[2];
  assert_int_equal(pipe(go), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    char c;
    close(go[1]);
    if (read(go[0], &c, 1) != 1)
      _exit(2);
    /* Touch 256 MiB, page by page, against a 16 MiB limit. */
    for (int i = 0; i < 256; i++) {
      char *p = malloc(1 << 20);
      if (p == NULL)
        _exit(3);
      memset(p, 1, 1 << 20);
    }
    _exit(0);
  }
  f->children[0] = pid;
  close(go[0]);
  if (cgroup_attach(f->m, rel, pid, &err) < 0)
    fail_msg("%s", err->msg);
  struct cgroup_limits lim = {.memory_bytes = 16u << 20};
  if (cgroup_set_limits(f->m, rel, &lim, &err) < 0)
    fail_msg("%s", err->msg);
  assert_int_equal(write(go[1], "x", 1), 1);
  close(go[1]);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  f->children[0] = -1;
  assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  int killed = 0;
  assert_int_equal(cgroup_oom_killed(f->m, rel, &killed, &err), 0);
  assert_int_equal(killed, 1);
  free(rel);
}

/* pids.max really bounds a forking process, and destroy kills every one. */
static void test_real_pids_limit_enforced(void **state)
{
  struct fixture *f = *state;
  struct lab_error *err = NULL;
  open_real(f);
  if (cgroup_manager_mode(f->m) == CGROUP_MODE_V2) {
    /* The pids controller may be unavailable to a v2 child (not delegated). */
    char *ctl = pathf("%s/cgroup.controllers", "/sys/fs/cgroup");
    bool has = strstr(read_text(ctl), "pids") != NULL;
    free(ctl);
    if (!has)
      skip();
  }
  char *rel = pathf("%s/pids", f->top);
  real_create(f, rel);
  struct cgroup_limits lim = {.pids = 16};
  if (cgroup_set_limits(f->m, rel, &lim, &err) < 0)
    fail_msg("%s", err->msg);
  int report[2], go[2];
  assert_int_equal(pipe(report), 0);
  assert_int_equal(pipe(go), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    char c;
    close(report[0]);
    close(go[1]);
    if (read(go[0], &c, 1) != 1)
      _exit(2);
    int forked = 0;
    for (int i = 0; i < 64; i++) {
      pid_t q = fork();
      if (q == 0) {
        for (;;)
          pause();
      }
      if (q < 0)
        break;
      forked++;
    }
    if (write(report[1], &forked, sizeof forked) != sizeof forked)
      _exit(3);
    for (;;)
      pause();
  }
  f->children[0] = pid;
  close(report[1]);
  close(go[0]);
  if (cgroup_attach(f->m, rel, pid, &err) < 0)
    fail_msg("%s", err->msg);
  assert_int_equal(write(go[1], "x", 1), 1);
  close(go[1]);
  int forked = -1;
  assert_int_equal(read(report[0], &forked, sizeof forked), (ssize_t)sizeof forked);
  close(report[0]);
  assert_int_equal(forked, 15); /* 16 with the parent */

  if (cgroup_destroy(f->m, rel, &err) < 0)
    fail_msg("%s", err->msg);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  f->children[0] = -1;
  assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  char **paths = NULL;
  assert_int_equal(cgroup_paths(f->m, rel, &paths, &err), 0);
  for (size_t i = 0; paths[i] != NULL; i++) {
    assert_false(is_dir(paths[i]));
    free(paths[i]);
  }
  free(paths);
  free(rel);
}

/* The v2 backend on a real cgroup2 hierarchy: the host's own root on a v2
 * host, or the unified hierarchy of a hybrid one (which carries no memory,
 * cpu or pids controller here, so only tracking, cgroup.kill and removal are
 * exercised). */
static void test_real_v2_backend(void **state)
{
  struct fixture *f = *state;
  struct lab_error *err = NULL;
  if (geteuid() != 0)
    skip();
  const char *root = "/sys/fs/cgroup";
  struct statfs sfs;
  if (statfs(root, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC) {
    root = "/sys/fs/cgroup/unified";
    if (statfs(root, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
      skip();
  }
  if (cgroup_manager_open(root, &f->m, &err) < 0)
    fail_msg("%s", err->msg);
  assert_int_equal(cgroup_manager_mode(f->m), CGROUP_MODE_V2);
  char *rel = pathf("%s/v2", f->top);
  real_create(f, rel);
  char *dir = pathf("%s/%s", root, rel);
  assert_true(is_dir(dir));

  int go = -1;
  pid_t pid = fork_sleeper(2, &go);
  f->children[0] = pid;
  if (cgroup_attach(f->m, rel, pid, &err) < 0)
    fail_msg("%s", err->msg);
  release_sleeper(go);
  char *abs = pathf("/%s", rel);
  bool memory_ok = false;
  assert_int_equal(cgroup_lines_naming(pid, abs, &memory_ok), 1);
  assert_true(memory_ok); /* the "0::" line */
  int killed = -1;
  if (cgroup_oom_killed(f->m, rel, &killed, &err) < 0)
    fail_msg("%s", err->msg);
  assert_int_equal(killed, 0);

  if (cgroup_destroy(f->m, rel, &err) < 0)
    fail_msg("%s", err->msg);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  f->children[0] = -1;
  assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  assert_false(is_dir(dir));
  if (ledger_undo(f->rundir, "unit", &err) < 0)
    fail_msg("%s", err->msg);
  *strrchr(dir, '/') = '\0';
  assert_false(is_dir(dir));
  free(dir);
  free(abs);
  free(rel);
}

UNIT_TEST_MAIN(NULL, NULL,
               cmocka_unit_test_setup_teardown(test_detect_v1_hybrid_v2, setup, teardown),
               cmocka_unit_test_setup_teardown(test_detect_this_host, setup, teardown),
               cmocka_unit_test_setup_teardown(test_relpath_validation, setup, teardown),
               cmocka_unit_test_setup_teardown(test_v1_create_records_in_ledger, setup, teardown),
               cmocka_unit_test_setup_teardown(test_v1_limits_attach_oom_destroy, setup, teardown),
               cmocka_unit_test_setup_teardown(test_limit_get_put, setup, teardown),
               cmocka_unit_test_setup_teardown(test_v2_create_enables_controllers, setup, teardown),
               cmocka_unit_test_setup_teardown(test_v2_limits_attach_oom_destroy, setup, teardown),
               cmocka_unit_test_setup_teardown(test_real_create_limits_attach_destroy, setup,
                                               teardown),
               cmocka_unit_test_setup_teardown(test_real_ledger_undo_kills_tree, setup, teardown),
               cmocka_unit_test_setup_teardown(test_real_oom_kill_counted, setup, teardown),
               cmocka_unit_test_setup_teardown(test_real_pids_limit_enforced, setup, teardown),
               cmocka_unit_test_setup_teardown(test_real_v2_backend, setup, teardown))
