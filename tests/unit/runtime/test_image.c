#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "unit-test.h"

#include "image.h"

struct tentry {
  const char *name;
  char type; /* 'f' file, 'd' dir, 'l' symlink */
  const char *data;
};

static void write_tar(const char *path, const struct tentry *e, size_t n, int gzip)
{
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (gzip)
    archive_write_add_filter_gzip(a);
  assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
  for (size_t i = 0; i < n; i++) {
    struct archive_entry *ae = archive_entry_new();
    archive_entry_set_pathname(ae, e[i].name);
    size_t len = e[i].data && e[i].type == 'f' ? strlen(e[i].data) : 0;
    if (e[i].type == 'd') {
      archive_entry_set_filetype(ae, AE_IFDIR);
      archive_entry_set_perm(ae, 0755);
    } else if (e[i].type == 'l') {
      archive_entry_set_filetype(ae, AE_IFLNK);
      archive_entry_set_symlink(ae, e[i].data);
      archive_entry_set_perm(ae, 0777);
    } else {
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_entry_set_perm(ae, 0644);
      archive_entry_set_size(ae, (la_int64_t)len);
    }
    assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
    if (len)
      assert_int_equal(archive_write_data(a, e[i].data, len), (la_ssize_t)len);
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
}

static void write_text(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* dir/rel, in a buffer the next call reuses. */
static const char *in(const char *dir, const char *rel)
{
  static char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, rel);
  return path;
}

static int exists(const char *root, const char *rel)
{
  struct stat st;
  return lstat(in(root, rel), &st) == 0;
}

static char tmpdir[64];

static int setup(void **state)
{
  snprintf(tmpdir, sizeof tmpdir, "/tmp/nodelab-image-test-XXXXXX");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
  struct lab_error *err = NULL;
  image_rm_rf(tmpdir, &err);
  lab_error_clear(&err);
  return 0;
}

static const struct tentry layer1[] = {
    {"etc/", 'd', NULL},    {"etc/a", 'f', "a\n"},     {"etc/b", 'f', "b\n"},
    {"opq/", 'd', NULL},    {"opq/old", 'f', "old\n"}, {"keep/", 'd', NULL},
    {"keep/x", 'f', "x\n"}, {"bin/", 'd', NULL},       {"bin/sh", 'l', "busybox"},
};
/* whiteouts first and last, to show entry order does not matter */
static const struct tentry layer2[] = {
    {"etc/.wh.a", 'f', ""},  {"opq/", 'd', NULL},           {"opq/new", 'f', "new\n"},
    {"top.txt", 'f', "t\n"}, {"opq/.wh..wh..opq", 'f', ""},
};

static void check_rootfs(const char *rootfs)
{
  assert_false(exists(rootfs, "etc/a"));
  assert_true(exists(rootfs, "etc/b"));
  assert_false(exists(rootfs, "opq/old"));
  assert_true(exists(rootfs, "opq/new"));
  assert_true(exists(rootfs, "keep/x"));
  assert_true(exists(rootfs, "top.txt"));
  assert_true(exists(rootfs, "bin/sh"));
  assert_false(exists(rootfs, "etc/.wh.a"));
  assert_false(exists(rootfs, "opq/.wh..wh..opq"));
}

/* Imports src into store (named as, or NULL for the name src gives), checks
 * that the image is called want, and returns it as image_lookup(ref) finds
 * it, its rootfs checked (check_rootfs). */
static struct image_info *import_ok(const char *store, const char *src, const char *as,
                                    const char *want, const char *ref)
{
  char *name = NULL;
  struct lab_error *err = NULL;
  if (image_import(store, src, as, &name, &err) < 0)
    fail_msg("%s", err->msg);
  assert_string_equal(name, want);
  free(name);
  struct image_info *info = NULL;
  assert_int_equal(image_lookup(store, ref, &info, &err), 0);
  check_rootfs(info->rootfs);
  return info;
}

static void test_docker_archive(void **state)
{
  char src[128], p[256], archive[256], store[128];
  snprintf(src, sizeof src, "%s/src", tmpdir);
  snprintf(store, sizeof store, "%s/store", tmpdir);
  mkdir(src, 0755);
  mkdir(in(src, "l1"), 0755);
  mkdir(in(src, "l2"), 0755);
  write_tar(in(src, "l1/layer.tar"), layer1, sizeof layer1 / sizeof layer1[0], 0);
  write_tar(in(src, "l2/layer.tar"), layer2, sizeof layer2 / sizeof layer2[0], 0);
  write_text(in(src, "manifest.json"),
             "[{\"Config\": \"cfg.json\", \"RepoTags\": [\"example.com/team/Tiny:1.0\"],"
             " \"Layers\": [\"l1/layer.tar\", \"l2/layer.tar\"]}]");
  write_text(in(src, "cfg.json"),
             "{\"config\": {\"Cmd\": [\"/bin/sh\", \"-c\", \"echo hi\"], \"Env\": "
             "[\"PATH=/bin\", \"A=1\"], \"WorkingDir\": \"/keep\"}}");
  /* the outer docker-archive tarball, built from the directory */
  const char *names[] = {"manifest.json", "cfg.json", "l1/layer.tar", "l2/layer.tar"};
  struct tentry outer[4];
  char *bufs[4];
  for (int i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "%s/%s", src, names[i]);
    FILE *f = fopen(p, "rb");
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    bufs[i] = calloc(1, (size_t)len + 1);
    assert_int_equal(fread(bufs[i], 1, (size_t)len, f), (size_t)len);
    fclose(f);
    /* tar data: text-safe here only for JSON; layers go in by file below */
    outer[i] = (struct tentry){names[i], 'f', bufs[i]};
  }
  /* layer tars contain NUL bytes: write the outer archive entry by entry */
  snprintf(archive, sizeof archive, "%s/tiny.tar", tmpdir);
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  assert_int_equal(archive_write_open_filename(a, archive), ARCHIVE_OK);
  for (int i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "%s/%s", src, names[i]);
    struct stat st;
    stat(p, &st);
    struct archive_entry *ae = archive_entry_new();
    archive_entry_set_pathname(ae, names[i]);
    archive_entry_set_filetype(ae, AE_IFREG);
    archive_entry_set_perm(ae, 0644);
    archive_entry_set_size(ae, st.st_size);
    archive_write_header(a, ae);
    archive_write_data(a, bufs[i], (size_t)st.st_size);
    archive_entry_free(ae);
    free(bufs[i]);
  }
  (void)outer;
  archive_write_close(a);
  archive_write_free(a);

  struct image_info *info = import_ok(store, archive, NULL, "tiny", "example.com/team/tiny:1.0");
  struct lab_error *err = NULL;
  assert_string_equal(info->cmd[2], "echo hi");
  assert_string_equal(info->env[1], "A=1");
  assert_string_equal(info->workdir, "/keep");
  image_info_free(info);
  /* nothing temporary left in the store */
  assert_false(exists(store, ".import-0"));
  struct image_info **list = NULL;
  size_t n = 0;
  assert_int_equal(image_list(store, &list, &n, &err), 0);
  assert_int_equal(n, 1);
  image_list_free(list, n);
}

static void test_oci_layout_dir(void **state)
{
  char oci[128], store[128];
  snprintf(oci, sizeof oci, "%s/oci", tmpdir);
  snprintf(store, sizeof store, "%s/store2", tmpdir);
  mkdir(oci, 0755);
  mkdir(in(oci, "blobs"), 0755);
  mkdir(in(oci, "blobs/sha256"), 0755);
  write_text(in(oci, "oci-layout"), "{\"imageLayoutVersion\": \"1.0.0\"}");
  write_text(in(oci, "index.json"),
             "{\"schemaVersion\": 2, \"manifests\": [{\"digest\": \"sha256:m1\", "
             "\"annotations\": {\"org.opencontainers.image.ref.name\": \"latest\"}}]}");
  write_text(in(oci, "blobs/sha256/m1"),
             "{\"schemaVersion\": 2, \"config\": {\"digest\": \"sha256:c1\"}, \"layers\": "
             "[{\"digest\": \"sha256:l1\"}, {\"digest\": \"sha256:l2\"}]}");
  write_text(in(oci, "blobs/sha256/c1"), "{\"config\": {\"Entrypoint\": [\"/bin/sh\"]}}");
  write_tar(in(oci, "blobs/sha256/l1"), layer1, sizeof layer1 / sizeof layer1[0],
            1); /* gzip, as registries ship */
  write_tar(in(oci, "blobs/sha256/l2"), layer2, sizeof layer2 / sizeof layer2[0], 1);
  struct image_info *info = import_ok(store, oci, "mini", "mini", "mini");
  assert_string_equal(info->entrypoint[0], "/bin/sh");
  image_info_free(info);
}

static void test_unsafe_layer_leaves_nothing(void **state)
{
  char oci[128], store[128];
  snprintf(oci, sizeof oci, "%s/evil", tmpdir);
  snprintf(store, sizeof store, "%s/store3", tmpdir);
  mkdir(oci, 0755);
  write_text(in(oci, "manifest.json"),
             "[{\"Config\": \"c.json\", \"RepoTags\": [\"evil:1\"], \"Layers\": [\"l.tar\"]}]");
  write_text(in(oci, "c.json"), "{}");
  static const struct tentry bad[] = {{"ok", 'f', "x"}, {"../../escaped", 'f', "x"}};
  write_tar(in(oci, "l.tar"), bad, 2, 0);
  char *name = NULL;
  struct lab_error *err = NULL;
  assert_int_equal(image_import(store, oci, NULL, &name, &err), -1);
  assert_non_null(strstr(err->msg, "unsafe path"));
  lab_error_clear(&err);
  struct image_info **list = NULL;
  size_t n = 0;
  assert_int_equal(image_list(store, &list, &n, &err), 0);
  assert_int_equal(n, 0);
  char escaped[256];
  snprintf(escaped, sizeof escaped, "%s/escaped", tmpdir);
  assert_int_equal(access(escaped, F_OK), -1);
  /* the store holds no leftover temporary directory */
  char tmp[64];
  snprintf(tmp, sizeof tmp, ".import-%d", (int)getpid());
  assert_int_equal(access(in(store, tmp), F_OK), -1);
}

static void test_build_ubi_and_on_off(void **state)
{
  if (access("/bin/busybox", X_OK) != 0)
    skip();
  char store[128];
  snprintf(store, sizeof store, "%s/built", tmpdir);
  struct lab_error *err = NULL;
  assert_int_equal(image_build(store, "ubi", "ubi", "/bin/busybox", &err), 0);
  assert_int_equal(image_build(store, "on-off", "on-off", "/bin/busybox", &err), 0);
  struct image_info *info = NULL;
  assert_int_equal(image_lookup(store, "registry.access.redhat.com/ubi7/ubi", &info, &err), 0);
  assert_string_equal(info->name, "ubi");
  for (const char *const *a =
           (const char *const[]){"bin/sh", "bin/top", "bin/chmod", "bin/ping", "bin/httpd",
                                 "bin/ip", "etc/passwd", "etc/hosts", NULL};
       *a; a++)
    assert_true(exists(info->rootfs, *a));
  image_info_free(info);
  assert_int_equal(image_lookup(store, "on-off", &info, &err), 0);
  assert_string_equal(info->cmd[0], "/entrypoint.sh");
  assert_true(exists(info->rootfs, "entrypoint.sh"));
  image_info_free(info);
  assert_int_equal(image_lookup(store, "nope", &info, &err), -1);
  assert_non_null(strstr(err->msg, "nope: image not known"));
  lab_error_clear(&err);
  assert_int_equal(image_build(store, "windows", "w", "/bin/busybox", &err), -1);
  lab_error_clear(&err);
}

UNIT_TEST_MAIN(setup, teardown, cmocka_unit_test(test_docker_archive),
               cmocka_unit_test(test_oci_layout_dir),
               cmocka_unit_test(test_unsafe_layer_leaves_nothing),
               cmocka_unit_test(test_build_ubi_and_on_off))
