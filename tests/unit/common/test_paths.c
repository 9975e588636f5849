/* paths_find_binary(): $NODELAB_BINDIR and its build-tree sibling, beside
 * the running program, $PATH; only executable regular files count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit-test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

static char tmp[64];

static void touch(const char *rel, mode_t mode)
{
  char path[256];
  snprintf(path, sizeof path, "%s/%s", tmp, rel);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fclose(f);
  assert_int_equal(chmod(path, mode), 0);
}

static void mkdir_in(const char *rel)
{
  char path[256];
  snprintf(path, sizeof path, "%s/%s", tmp, rel);
  assert_int_equal(mkdir(path, 0755), 0);
}

static void assert_found(const char *name, const char *subdir, const char *rel)
{
  char *p = paths_find_binary(name, subdir);
  assert_non_null(p);
  char want[256];
  snprintf(want, sizeof want, "%s/%s", tmp, rel);
  assert_string_equal(p, want);
  free(p);
}

static int setup(void **state)
{
  snprintf(tmp, sizeof tmp, "/tmp/test-paths.XXXXXX");
  if (mkdtemp(tmp) == NULL)
    return -1;
  mkdir_in("bin");
  mkdir_in("nodes");
  mkdir_in("path");
  touch("bin/nodelab-init", 0755);
  touch("nodes/nodelabd", 0755);
  touch("bin/not-executable", 0644);
  mkdir_in("bin/a-directory");
  touch("path/on-path", 0755);
  return 0;
}

static int teardown(void **state)
{
  char cmd[128];
  setenv("PATH", "/usr/bin:/bin", 1);
  snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
  return system(cmd);
}

static void test_bindir(void **state)
{
  char bindir[128];
  snprintf(bindir, sizeof bindir, "%s/bin", tmp);
  setenv("NODELAB_BINDIR", bindir, 1);
  assert_found("nodelab-init", "nodes", "bin/nodelab-init");
  /* The build tree's sibling folder: bin/../nodes/nodelabd. */
  assert_found("nodelabd", "nodes", "bin/../nodes/nodelabd");
  /* No subdir: only the directory itself. */
  errno = 0;
  assert_null(paths_find_binary("nodelabd", NULL));
  assert_int_equal(errno, ENOENT);
  /* Not executable, or not a file: not found. */
  assert_null(paths_find_binary("not-executable", NULL));
  assert_null(paths_find_binary("a-directory", NULL));
  /* NODELAB_BINDIR set: $PATH is not searched. */
  char path[128];
  snprintf(path, sizeof path, "%s/path", tmp);
  setenv("PATH", path, 1);
  assert_null(paths_find_binary("on-path", NULL));
  unsetenv("NODELAB_BINDIR");
}

static void test_path(void **state)
{
  unsetenv("NODELAB_BINDIR");
  char path[256];
  snprintf(path, sizeof path, "/nonexistent::%s/path", tmp);
  setenv("PATH", path, 1);
  assert_found("on-path", "nodes", "path/on-path");
  errno = 0;
  assert_null(paths_find_binary("no-such-program-anywhere", "nodes"));
  assert_int_equal(errno, ENOENT);
}

static void test_beside_self(void **state)
{
  unsetenv("NODELAB_BINDIR");
  setenv("PATH", "/nonexistent", 1);
  /* This test program itself is beside itself. */
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  assert_true(n > 0);
  self[n] = '\0';
  char *p = paths_find_binary(strrchr(self, '/') + 1, NULL);
  assert_non_null(p);
  assert_string_equal(p, self);
  free(p);
}

UNIT_TEST_MAIN(setup, teardown, cmocka_unit_test(test_bindir), cmocka_unit_test(test_path),
               cmocka_unit_test(test_beside_self))
