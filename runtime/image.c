#include "image.h"
#include "strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>

#include "cleanup.h"
#include "timefmt.h"
#include "fileio.h"
#include "json.h"
#include "xalloc.h"

/* Paths here are built into PATH_MAX buffers from a configured root and
 * names validated on the way in, each checked by image_path(): a truncated
 * path could name another object. */

/* snprintf into a path buffer: 0, or -1 and *err (ENAMETOOLONG) when it
 * does not fit.  err may be NULL. */
__attribute__((format(printf, 4, 5))) static int image_path(struct lab_error **err, char *buf,
                                                            size_t len, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, len, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n < len)
    return 0;
  return lab_error_set(err, ENAMETOOLONG, "%.64s...", buf);
}

#define DEFAULT_PATH_ENV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void image_info_free(struct image_info *info)
{
  if (info == NULL)
    return;
  free(info->name);
  free(info->rootfs);
  strv_free(info->entrypoint);
  strv_free(info->cmd);
  strv_free(info->env);
  free(info->workdir);
  free(info->created);
  free(info);
}

int image_name_is_valid(const char *name)
{
  if (name == NULL || *name == '\0' || strlen(name) > 64)
    return 0;
  if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9')))
    return 0;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
          *p == '-'))
      return 0;
  return 1;
}

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
  if (remove(path) < 0 && errno != ENOENT)
    return -1;
  return 0;
}

int image_rm_rf(const char *path, struct lab_error **err)
{
  struct stat st;
  if (lstat(path, &st) < 0) {
    if (errno == ENOENT)
      return 0;
    return lab_error_errno(err, "stat %s", path);
  }
  if (nftw(path, rm_one, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0)
    return lab_error_errno(err, "removing %s", path);
  return 0;
}

static int write_file(const char *path, const char *text, mode_t mode, struct lab_error **err)
{
  cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return lab_error_errno(err, "creating %s", path);
  size_t len = strlen(text);
  if (write(fd, text, len) != (ssize_t)len)
    return lab_error_errno(err, "writing %s", path);
  if (fchmod(fd, mode) < 0)
    return lab_error_errno(err, "chmod %s", path);
  return 0;
}

static int copy_file(const char *src, const char *dst, mode_t mode, struct lab_error **err)
{
  cleanup_close int in = open(src, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return lab_error_errno(err, "opening %s", src);
  cleanup_close int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (out < 0)
    return lab_error_errno(err, "creating %s", dst);
  char buf[65536];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, (size_t)n) != n)
      return lab_error_errno(err, "writing %s", dst);
  if (n < 0)
    return lab_error_errno(err, "reading %s", src);
  if (fchmod(out, mode) < 0)
    return lab_error_errno(err, "chmod %s", dst);
  return 0;
}

static struct json_object *strv_json(const char *const *v)
{
  struct json_object *a = json_object_new_array();
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    json_object_array_add(a, json_object_new_string(v[i]));
  return a;
}

static int write_config(const char *dir, const char *name, struct json_object *entrypoint,
                        struct json_object *cmd, struct json_object *env, const char *workdir,
                        struct lab_error **err)
{
  struct json_object *o = json_object_new_object();
  char created[64];
  timefmt_iso(created, NULL, 0);
  json_object_object_add(o, "Name", json_object_new_string(name));
  json_object_object_add(o, "Created", json_object_new_string(created));
  json_object_object_add(o, "Entrypoint", entrypoint ? entrypoint : json_object_new_array());
  json_object_object_add(o, "Cmd", cmd ? cmd : json_object_new_array());
  json_object_object_add(o, "Env",
                         env ? env : strv_json((const char *const[]){DEFAULT_PATH_ENV, NULL}));
  json_object_object_add(o, "WorkingDir", json_object_new_string(workdir ? workdir : "/"));
  char path[PATH_MAX];
  if (image_path(err, path, sizeof path, "%s/config.json", dir) < 0) {
    json_object_put(o);
    return -1;
  };
  int rc = write_file(
      path,
      json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE),
      0644, err);
  json_object_put(o);
  return rc;
}

/* Moves a fully built tmp directory into place as <store>/<name>. */
static int install_image(const char *store, const char *tmp, const char *name,
                         struct lab_error **err)
{
  char final[PATH_MAX];
  if (image_path(err, final, sizeof final, "%s/%s", store, name) < 0)
    return -1;
  if (image_rm_rf(final, err) < 0)
    return -1;
  if (rename(tmp, final) < 0)
    return lab_error_errno(err, "renaming %s to %s", tmp, final);
  return 0;
}

/* ------------------------------------------------------------------ build */

/* The applets the lab and a learner use; all are links to /bin/busybox. */
static const char *const applets[] = {
    "sh",      "ash",      "top",        "sleep",    "ls",       "chmod",     "chown",    "cat",
    "ping",    "ping6",    "wget",       "httpd",    "nc",       "ip",        "echo",     "touch",
    "id",      "ps",       "hostname",   "mkdir",    "rm",       "rmdir",     "true",     "false",
    "env",     "test",     "[",          "[[",       "grep",     "sed",       "awk",      "head",
    "tail",    "cp",       "mv",         "ln",       "df",       "du",        "free",     "kill",
    "uname",   "vi",       "wc",         "sort",     "uniq",     "cut",       "date",     "dd",
    "find",    "xargs",    "tee",        "tr",       "stat",     "readlink",  "ifconfig", "route",
    "netstat", "nslookup", "traceroute", "whoami",   "pwd",      "printf",    "expr",     "seq",
    "yes",     "dmesg",    "mount",      "umount",   "basename", "dirname",   "less",     "more",
    "tar",     "gzip",     "gunzip",     "timeout",  "watch",    "pidof",     "killall",  "usleep",
    "arping",  "telnet",   "hexdump",    "xxd",      "md5sum",   "sha256sum", "base64",   "nproc",
    "uptime",  "which",    "mktemp",     "realpath", "sync",     "tty",       "stty",     "clear",
    "nsenter", "unshare",  "setpriv",    "diff",     "od",       "strings",   "time",     "rev",
};

static int build_busybox_rootfs(const char *rootfs, const char *busybox, struct lab_error **err)
{
  static const char *const dirs[] = {"bin",  "sbin",    "usr/bin", "usr/sbin", "etc",
                                     "root", "var/tmp", "proc",    "dev",      "sys",
                                     "mnt",  "home",    "run",     "var/log",  "var/www"};
  char path[PATH_MAX];
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    if (image_path(err, path, sizeof path, "%s/%s", rootfs, dirs[i]) < 0)
      return -1;
    if (fileio_mkdir_p(path, 0755) < 0)
      return lab_error_errno(err, "mkdir %s", path);
  }
  if (image_path(err, path, sizeof path, "%s/tmp", rootfs) < 0)
    return -1;
  if (mkdir(path, 01777) < 0 || chmod(path, 01777) < 0)
    return lab_error_errno(err, "mkdir %s", path);
  if (image_path(err, path, sizeof path, "%s/bin/busybox", rootfs) < 0)
    return -1;
  if (copy_file(busybox, path, 0755, err) < 0)
    return -1;
  for (size_t i = 0; i < sizeof applets / sizeof applets[0]; i++) {
    if (image_path(err, path, sizeof path, "%s/bin/%s", rootfs, applets[i]) < 0)
      return -1;
    if (symlink("busybox", path) < 0)
      return lab_error_errno(err, "symlink %s", path);
  }
  static const struct {
    const char *name, *text;
  } files[] = {
      {"etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                     "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"},
      {"etc/group", "root:x:0:\ntty:x:5:\nnobody:x:65534:\n"},
      {"etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"},
      {"etc/resolv.conf", "# nodelab images are offline; pods resolve through /etc/hosts\n"},
      {"etc/os-release", "NAME=\"nodelab ubi\"\nID=nodelab-ubi\nPRETTY_NAME=\"nodelab ubi "
                         "(busybox-static)\"\n"},
      {"var/www/index.html", "<html><body>nodelab</body></html>\n"},
  };
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    if (image_path(err, path, sizeof path, "%s/%s", rootfs, files[i].name) < 0)
      return -1;
    if (write_file(path, files[i].text, 0644, err) < 0)
      return -1;
  }
  return 0;
}

int image_build(const char *store, const char *kind, const char *name, const char *busybox,
                struct lab_error **err)
{
  if (!image_name_is_valid(name))
    return lab_error_set(err, 0, "image name \"%s\": expected [a-z0-9][a-z0-9._-]*", name);
  bool on_off = strcmp(kind, "on-off") == 0;
  if (!on_off && strcmp(kind, "ubi") != 0)
    return lab_error_set(err, 0, "unknown image kind \"%s\" (ubi, on-off)", kind);
  if (access(busybox, X_OK) < 0)
    return lab_error_errno(err, "busybox %s (install busybox-static)", busybox);
  if (fileio_mkdir_p(store, 0755) < 0)
    return lab_error_errno(err, "creating the image store %s", store);
  char tmp[PATH_MAX], rootfs[PATH_MAX];
  if (image_path(err, tmp, sizeof tmp, "%s/.build-%s-%d", store, name, (int)getpid()) < 0)
    return -1;
  if (image_path(err, rootfs, sizeof rootfs, "%s/rootfs", tmp) < 0)
    return -1;
  if (image_rm_rf(tmp, err) < 0)
    return -1;
  if (fileio_mkdir_p(rootfs, 0755) < 0) {
    lab_error_errno(err, "mkdir %s", rootfs);
    goto fail;
  }
  if (build_busybox_rootfs(rootfs, busybox, err) < 0)
    goto fail;
  struct json_object *cmd;
  if (on_off) {
    char path[PATH_MAX];
    if (image_path(err, path, sizeof path, "%s/entrypoint.sh", rootfs) < 0)
      goto fail;
    /* the lab's on-off image: a container that exits at once until the
     * learner creates /mnt/on in its upper directory, then keeps running */
    if (write_file(path,
                   "#!/bin/sh\n"
                   "if [ -e /mnt/on ]; then\n"
                   "  exec top -b\n"
                   "fi\n"
                   "exit 0\n",
                   0755, err) < 0)
      goto fail;
    cmd = strv_json((const char *const[]){"/entrypoint.sh", NULL});
  } else {
    cmd = strv_json((const char *const[]){"/bin/sh", NULL});
  }
  if (write_config(tmp, name, NULL, cmd, NULL, "/", err) < 0)
    goto fail;
  if (install_image(store, tmp, name, err) < 0)
    goto fail;
  return 0;
fail : {
  struct lab_error *ignored = NULL;
  image_rm_rf(tmp, &ignored);
  lab_error_clear(&ignored);
  return -1;
}
}

/* ----------------------------------------------------------------- layers */

/* Cleans an archive path: strips "./" and leading "/", rejects "..".
 * Returns NULL for the archive root itself or an unsafe path. */
static const char *clean_path(const char *p, char *buf, size_t len, bool *unsafe)
{
  *unsafe = false;
  while (*p == '/' || (p[0] == '.' && p[1] == '/'))
    p += p[0] == '/' ? 1 : 2;
  if (*p == '\0' || strcmp(p, ".") == 0)
    return NULL;
  if ((size_t)snprintf(buf, len, "%s", p) >= len) {
    *unsafe = true; /* longer than any path of the rootfs */
    return NULL;
  }
  size_t n = strlen(buf);
  while (n > 0 && buf[n - 1] == '/')
    buf[--n] = '\0';
  /* any ".." component escapes the rootfs */
  const char *s = buf;
  while (s != NULL) {
    if (strncmp(s, "..", 2) == 0 && (s[2] == '/' || s[2] == '\0')) {
      *unsafe = true;
      return NULL;
    }
    s = strchr(s, '/');
    if (s)
      s++;
  }
  return buf;
}

static struct archive *open_archive(const char *path, struct lab_error **err)
{
  struct archive *a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
    lab_error_set(err, 0, "%s: %s", path, archive_error_string(a));
    archive_read_free(a);
    return NULL;
  }
  return a;
}

static int clear_dir(const char *dir, struct lab_error **err)
{
  cleanup_closedir DIR *d = opendir(dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : lab_error_errno(err, "opendir %s", dir);
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    char p[PATH_MAX];
    if (image_path(err, p, sizeof p, "%s/%s", dir, de->d_name) < 0)
      return -1;
    if (image_rm_rf(p, err) < 0)
      return -1;
  }
  return 0;
}

int image_apply_layer(const char *rootfs, const char *layer, struct lab_error **err)
{
  char clean[PATH_MAX], target[PATH_MAX];
  bool unsafe;
  /* Pass 1: whiteouts.  They refer to lower layers only, so applying them
   * before this layer's own entries is right whatever the entry order. */
  struct archive *a = open_archive(layer, err);
  if (a == NULL)
    return -1;
  struct archive_entry *e;
  int r;
  while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    const char *p = clean_path(archive_entry_pathname(e), clean, sizeof clean, &unsafe);
    if (unsafe) {
      lab_error_set(err, 0, "%s: unsafe path \"%s\"", layer, archive_entry_pathname(e));
      archive_read_free(a);
      return -1;
    }
    if (p == NULL)
      continue;
    char *slash = strrchr(clean, '/');
    const char *base = slash ? slash + 1 : clean;
    if (strncmp(base, ".wh.", 4) != 0)
      continue;
    if (slash)
      *slash = '\0';
    const char *dir = slash ? clean : "";
    bool opaque = strcmp(base, ".wh..wh..opq") == 0;
    int n = opaque ? snprintf(target, sizeof target, "%s/%s", rootfs, dir)
                   : snprintf(target, sizeof target, "%s/%s%s%s", rootfs, dir, *dir ? "/" : "",
                              base + 4);
    if (n < 0 || (size_t)n >= sizeof target) {
      lab_error_set(err, ENAMETOOLONG, "%s: whiteout %s/%s", layer, dir, base);
      archive_read_free(a);
      return -1;
    }
    if ((opaque ? clear_dir(target, err) : image_rm_rf(target, err)) < 0) {
      archive_read_free(a);
      return -1;
    }
  }
  if (r != ARCHIVE_EOF) {
    lab_error_set(err, 0, "%s: %s", layer, archive_error_string(a));
    archive_read_free(a);
    return -1;
  }
  archive_read_free(a);

  /* Pass 2: the layer's files. */
  a = open_archive(layer, err);
  if (a == NULL)
    return -1;
  struct archive *w = archive_write_disk_new();
  archive_write_disk_set_options(w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                        ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_UNLINK |
                                        ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                        ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  int rc = 0;
  while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    const char *p = clean_path(archive_entry_pathname(e), clean, sizeof clean, &unsafe);
    if (p == NULL)
      continue;
    const char *slash = strrchr(clean, '/');
    if (strncmp(slash ? slash + 1 : clean, ".wh.", 4) == 0)
      continue;
    if (image_path(err, target, sizeof target, "%s/%s", rootfs, clean) < 0) {
      rc = -1;
      break;
    }
    archive_entry_set_pathname(e, target);
    const char *hl = archive_entry_hardlink(e);
    if (hl != NULL) {
      char hclean[PATH_MAX], htarget[PATH_MAX];
      if (clean_path(hl, hclean, sizeof hclean, &unsafe) == NULL) {
        rc = lab_error_set(err, 0, "%s: unsafe hard link to \"%s\"", layer, hl);
        break;
      }
      if (image_path(err, htarget, sizeof htarget, "%s/%s", rootfs, hclean) < 0) {
        rc = -1;
        break;
      }
      archive_entry_set_hardlink(e, htarget);
    }
    if (archive_write_header(w, e) != ARCHIVE_OK) {
      rc = lab_error_set(err, 0, "%s: %s: %s", layer, clean, archive_error_string(w));
      break;
    }
    const void *buf;
    size_t size;
    int64_t off;
    int dr;
    while ((dr = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK)
      if (archive_write_data_block(w, buf, size, off) != ARCHIVE_OK) {
        dr = ARCHIVE_FATAL;
        break;
      }
    if (dr != ARCHIVE_EOF) {
      rc = lab_error_set(err, 0, "%s: %s: %s", layer, clean, archive_error_string(a));
      break;
    }
    if (archive_write_finish_entry(w) != ARCHIVE_OK) {
      rc = lab_error_set(err, 0, "%s: %s: %s", layer, clean, archive_error_string(w));
      break;
    }
  }
  if (rc == 0 && r != ARCHIVE_EOF)
    rc = lab_error_set(err, 0, "%s: %s", layer, archive_error_string(a));
  archive_write_free(w);
  archive_read_free(a);
  return rc;
}

/* ----------------------------------------------------------------- import */

static int extract_plain(const char *tarball, const char *dest, struct lab_error **err)
{
  /* The outer archive holds only blobs and JSON: no whiteouts apply. */
  return image_apply_layer(dest, tarball, err);
}

static struct json_object *read_json(const char *dir, const char *rel, struct lab_error **err)
{
  char path[PATH_MAX];
  if (image_path(err, path, sizeof path, "%s/%s", dir, rel) < 0)
    return NULL;
  struct json_object *o = json_object_from_file(path);
  if (o == NULL)
    lab_error_set(err, 0, "cannot read JSON %s", rel);
  return o;
}

static int blob_path(const char *digest, char *buf, size_t len, struct lab_error **err)
{
  const char *colon = digest ? strchr(digest, ':') : NULL;
  if (colon == NULL || strchr(colon + 1, '/') != NULL || strstr(digest, "..") != NULL)
    return lab_error_set(err, 0, "bad digest \"%s\"", digest ? digest : "");
  snprintf(buf, len, "blobs/%.*s/%s", (int)(colon - digest), digest, colon + 1);
  return 0;
}

static char *name_from_ref(const char *ref)
{
  if (ref == NULL)
    return NULL;
  const char *slash = strrchr(ref, '/');
  const char *base = slash ? slash + 1 : ref;
  char *name = strdup(base);
  char *colon = strchr(name, ':');
  if (colon)
    *colon = '\0';
  char *at = strchr(name, '@');
  if (at)
    *at = '\0';
  for (char *p = name; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
  return name;
}

static struct json_object *dup_array(struct json_object *a)
{
  if (a == NULL || !json_object_is_type(a, json_type_array))
    return NULL;
  struct json_object *out = json_object_new_array();
  for (size_t i = 0; i < json_object_array_length(a); i++)
    json_object_array_add(out, json_object_get(json_object_array_get_idx(a, i)));
  return out;
}

int image_import(const char *store, const char *path, const char *name, char **imported,
                 struct lab_error **err)
{
  struct stat st;
  if (stat(path, &st) < 0)
    return lab_error_errno(err, "image archive %s", path);
  if (fileio_mkdir_p(store, 0755) < 0)
    return lab_error_errno(err, "creating the image store %s", store);
  char *rstore = realpath(store, NULL);
  if (rstore == NULL)
    return lab_error_errno(err, "%s", store);
  char tmp[PATH_MAX], src[PATH_MAX], rootfs[PATH_MAX];
  if (image_path(err, tmp, sizeof tmp, "%s/.import-%d", rstore, (int)getpid()) < 0) {
    free(rstore);
    return -1;
  }
  free(rstore);
  if (image_path(err, rootfs, sizeof rootfs, "%s/rootfs", tmp) < 0)
    return -1;
  struct json_object *manifest = NULL, *config = NULL, *index = NULL;
  char *final_name = NULL;
  int rc = -1;
  if (image_rm_rf(tmp, err) < 0)
    return -1;
  if (fileio_mkdir_p(rootfs, 0755) < 0) {
    lab_error_errno(err, "mkdir %s", rootfs);
    goto out;
  }
  if (S_ISDIR(st.st_mode)) {
    if (image_path(err, src, sizeof src, "%s", path) < 0)
      goto out;
  } else {
    if (image_path(err, src, sizeof src, "%s/src", tmp) < 0)
      goto out;
    if (mkdir(src, 0700) < 0) {
      lab_error_errno(err, "mkdir %s", src);
      goto out;
    }
    if (extract_plain(path, src, err) < 0)
      goto out;
  }
  char probe[PATH_MAX];
  if (image_path(err, probe, sizeof probe, "%s/manifest.json", src) < 0)
    goto out;
  struct json_object *layers = NULL;
  const char *ref = NULL;
  if (access(probe, F_OK) == 0) {
    /* docker-archive: manifest.json = [{"Config", "RepoTags", "Layers"}] */
    manifest = read_json(src, "manifest.json", err);
    if (manifest == NULL)
      goto out;
    struct json_object *m0 = json_object_is_type(manifest, json_type_array)
                                 ? json_object_array_get_idx(manifest, 0)
                                 : NULL;
    layers = json_get_array(m0, "Layers");
    const char *cfgname = json_get_str(m0, "Config");
    struct json_object *tags = json_get_array(m0, "RepoTags");
    if (layers == NULL || cfgname == NULL) {
      lab_error_set(err, 0, "%s: manifest.json: expected [{\"Config\", \"Layers\"}]", path);
      goto out;
    }
    if (strstr(cfgname, "..") != NULL) {
      lab_error_set(err, 0, "%s: manifest.json: bad Config path", path);
      goto out;
    }
    config = read_json(src, cfgname, err);
    if (config == NULL)
      goto out;
    if (tags && json_object_array_length(tags) > 0)
      ref = json_object_get_string(json_object_array_get_idx(tags, 0));
  } else {
    if (image_path(err, probe, sizeof probe, "%s/index.json", src) < 0)
      goto out;
    if (access(probe, F_OK) != 0) {
      lab_error_set(err, 0,
                    "%s: neither a docker-archive (manifest.json) nor an OCI layout (index.json)",
                    path);
      goto out;
    }
    index = read_json(src, "index.json", err);
    if (index == NULL)
      goto out;
    struct json_object *mans = json_get_array(index, "manifests");
    struct json_object *m0 = mans ? json_object_array_get_idx(mans, 0) : NULL;
    if (m0 == NULL) {
      lab_error_set(err, 0, "%s: index.json has no manifests", path);
      goto out;
    }
    ref = json_get_str(json_get_object(m0, "annotations"), "org.opencontainers.image.ref.name");
    char bp[PATH_MAX];
    /* follow nested indexes to the first image manifest */
    for (int depth = 0; depth < 4; depth++) {
      if (blob_path(json_get_str(m0, "digest"), bp, sizeof bp, err) < 0)
        goto out;
      json_object_put(manifest);
      manifest = read_json(src, bp, err);
      if (manifest == NULL)
        goto out;
      struct json_object *sub = json_get_array(manifest, "manifests");
      if (sub == NULL)
        break;
      m0 = json_object_array_get_idx(sub, 0);
    }
    struct json_object *ol = json_get_array(manifest, "layers");
    if (ol == NULL || !json_object_is_type(ol, json_type_array)) {
      lab_error_set(err, 0, "%s: manifest has no layers", path);
      goto out;
    }
    layers = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(ol); i++) {
      if (blob_path(json_get_str(json_object_array_get_idx(ol, i), "digest"), bp, sizeof bp, err) <
          0) {
        json_object_put(layers);
        goto out;
      }
      json_object_array_add(layers, json_object_new_string(bp));
    }
    json_object_object_add(manifest, "nodelab-layer-paths", layers);
    if (blob_path(json_get_str(json_get_object(manifest, "config"), "digest"), bp, sizeof bp, err) <
        0)
      goto out;
    config = read_json(src, bp, err);
    if (config == NULL)
      goto out;
  }
  final_name = name ? strdup(name) : name_from_ref(ref);
  if (final_name == NULL) {
    lab_error_set(err, 0, "%s: the archive names no image: give a name", path);
    goto out;
  }
  if (!image_name_is_valid(final_name)) {
    lab_error_set(err, 0, "image name \"%s\": expected [a-z0-9][a-z0-9._-]*", final_name);
    goto out;
  }
  for (size_t i = 0; i < json_object_array_length(layers); i++) {
    const char *lp = json_object_get_string(json_object_array_get_idx(layers, i));
    if (lp == NULL || strstr(lp, "..") != NULL || *lp == '/') {
      lab_error_set(err, 0, "%s: layer %zu: bad path", path, i);
      goto out;
    }
    char full[PATH_MAX];
    if (image_path(err, full, sizeof full, "%s/%s", src, lp) < 0)
      goto out;
    if (image_apply_layer(rootfs, full, err) < 0) {
      lab_error_wrap(err, "%s: layer %zu", path, i);
      goto out;
    }
  }
  struct json_object *cc = json_get_object(config, "config");
  if (write_config(tmp, final_name, dup_array(json_get_array(cc, "Entrypoint")),
                   dup_array(json_get_array(cc, "Cmd")), dup_array(json_get_array(cc, "Env")),
                   json_get_str(cc, "WorkingDir"), err) < 0)
    goto out;
  if (image_path(NULL, src, sizeof src, "%s/src", tmp) == 0) {
    struct lab_error *ignored = NULL;
    if (image_rm_rf(src, &ignored) < 0)
      lab_error_clear(&ignored);
  }
  if (install_image(store, tmp, final_name, err) < 0)
    goto out;
  *imported = final_name;
  final_name = NULL;
  rc = 0;
out:
  json_object_put(manifest);
  json_object_put(config);
  json_object_put(index);
  free(final_name);
  if (rc < 0) {
    struct lab_error *ignored = NULL;
    image_rm_rf(tmp, &ignored);
    lab_error_clear(&ignored);
  }
  return rc;
}

/* ----------------------------------------------------------- lookup, list */

/* The strings of the array at key; an empty vector when absent. */
static char **strv_or_empty(struct json_object *o, const char *key)
{
  char **v = json_get_strv(o, key);
  if (v == NULL && (v = calloc(1, sizeof *v)) == NULL)
    abort();
  return v;
}

static int load_info(const char *store, const char *name, struct image_info **out,
                     struct lab_error **err)
{
  char dir[PATH_MAX];
  if (image_path(err, dir, sizeof dir, "%s/%s", store, name) < 0)
    return -1;
  struct json_object *o = read_json(dir, "config.json", err);
  if (o == NULL)
    return -1;
  struct image_info *i = calloc(1, sizeof *i);
  i->name = strdup(name);
  char rootfs[PATH_MAX + 16];
  snprintf(rootfs, sizeof rootfs, "%s/rootfs", dir);
  i->rootfs = realpath(rootfs, NULL);
  if (i->rootfs == NULL) {
    lab_error_errno(err, "image %s: %s", name, rootfs);
    json_object_put(o);
    image_info_free(i);
    return -1;
  }
  i->entrypoint = strv_or_empty(o, "Entrypoint");
  i->cmd = strv_or_empty(o, "Cmd");
  i->env = strv_or_empty(o, "Env");
  const char *wd = json_get_str(o, "WorkingDir");
  i->workdir = strdup(wd && *wd ? wd : "/");
  const char *cr = json_get_str(o, "Created");
  i->created = strdup(cr ? cr : "");
  json_object_put(o);
  *out = i;
  return 0;
}

int image_lookup(const char *store, const char *ref, struct image_info **info,
                 struct lab_error **err)
{
  char probe[PATH_MAX];
  if (ref != NULL && image_name_is_valid(ref)) {
    if (image_path(NULL, probe, sizeof probe, "%s/%s/config.json", store, ref) == 0 &&
        access(probe, F_OK) == 0)
      return load_info(store, ref, info, err);
  }
  cleanup_free char *short_name = name_from_ref(ref);
  if (short_name != NULL && image_name_is_valid(short_name)) {
    if (image_path(NULL, probe, sizeof probe, "%s/%s/config.json", store, short_name) == 0 &&
        access(probe, F_OK) == 0)
      return load_info(store, short_name, info, err);
  }
  return lab_error_set(err, 0,
                       "%s: image not known (nodelab images are offline: see `image ls`, "
                       "`image build`, `image import`)",
                       ref ? ref : "");
}

static int cmp_info(const void *a, const void *b)
{
  return strcmp((*(struct image_info *const *)a)->name, (*(struct image_info *const *)b)->name);
}

int image_list(const char *store, struct image_info ***list, size_t *n, struct lab_error **err)
{
  *list = NULL;
  *n = 0;
  cleanup_closedir DIR *d = opendir(store);
  if (d == NULL)
    return errno == ENOENT ? 0 : lab_error_errno(err, "opendir %s", store);
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.' || !image_name_is_valid(de->d_name))
      continue;
    struct image_info *i = NULL;
    struct lab_error *ignored = NULL;
    if (load_info(store, de->d_name, &i, &ignored) < 0) {
      lab_error_clear(&ignored);
      continue;
    }
    *XAPPEND(*list, *n) = i;
  }
  if (*n > 1)
    qsort(*list, *n, sizeof **list, cmp_info);
  return 0;
}

void image_list_free(struct image_info **list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    image_info_free(list[i]);
  free(list);
}

int image_remove(const char *store, const char *name, struct lab_error **err)
{
  if (!image_name_is_valid(name))
    return lab_error_set(err, 0, "image name \"%s\" is not valid", name);
  char dir[PATH_MAX];
  if (image_path(err, dir, sizeof dir, "%s/%s", store, name) < 0)
    return -1;
  if (access(dir, F_OK) < 0)
    return lab_error_set(err, 0, "%s: image not known", name);
  return image_rm_rf(dir, err);
}
