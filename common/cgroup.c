/* Detection of the cgroup flavour, dispatch to its backend, and the helpers
 * both backends share (directory creation recorded in the ledger, control
 * file I/O, killing and removing a cgroup tree). */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#include "cgroup-internal.h"
#include "cleanup.h"
#include "fileio.h"
#include "ledger.h"
#include "log.h"
#include "xalloc.h"

LOG_MODULE(cgroup);

#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* How long destroy waits for killed processes to leave and for the kernel to
 * let go of the directories. */
#define CGROUP_REMOVE_WAIT_MS 5000
#define CGROUP_POLL_MS 10

static void sleep_ms(long ms)
{
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

static long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

const char *cgroup_mode_name(enum cgroup_mode mode)
{
  switch (mode) {
  case CGROUP_MODE_V1:
    return "v1";
  case CGROUP_MODE_HYBRID:
    return "hybrid";
  case CGROUP_MODE_V2:
    return "v2";
  }
  return "unknown";
}

bool cgroup_relpath_valid(const char *relpath)
{
  if (relpath == NULL || relpath[0] == '\0' || relpath[0] == '/' ||
      strpbrk(relpath, "\t\n") != NULL)
    return false;
  const char *p = relpath;
  while (*p != '\0') {
    size_t len = strcspn(p, "/");
    if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
      return false;
    p += len;
    if (*p == '/') {
      p++;
      if (*p == '\0')
        return false; /* trailing '/' */
    }
  }
  return true;
}

char *cgroup_hier_path(const struct cgroup_hierarchy *h, const char *relpath)
{
  char *p = NULL;
  if (asprintf(&p, "%s/%s", h->dir, relpath) < 0)
    abort();
  return p;
}

const struct cgroup_hierarchy *cgroup_find_hierarchy(const struct cgroup_manager *m, unsigned ctrl)
{
  for (size_t i = 0; i < m->nhier; i++)
    if (m->hier[i].controllers & ctrl)
      return &m->hier[i];
  return NULL;
}

void cgroup_free_strv(char **v, size_t n)
{
  if (v == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

/* ---- the manager --------------------------------------------------------- */

static void manager_add(struct cgroup_manager *m, const char *dir, unsigned controllers,
                        bool unified)
{
  *XAPPEND(m->hier, m->nhier) = (struct cgroup_hierarchy){
      .dir = xstrdup(dir), .controllers = controllers, .unified = unified};
}

static struct cgroup_manager *manager_new(const char *root, enum cgroup_mode mode, bool fake)
{
  struct cgroup_manager *m = xcalloc(1, sizeof *m);
  m->root = xstrdup(root);
  m->mode = mode;
  m->fake = fake;
  m->ops = mode == CGROUP_MODE_V2 ? &cgroup_v2_ops : &cgroup_v1_ops;
  return m;
}

void cgroup_manager_close(struct cgroup_manager *m)
{
  if (m == NULL)
    return;
  XFREE_ARRAY(m->hier, m->nhier, dir);
  free(m->root);
  free(m);
}

enum cgroup_mode cgroup_manager_mode(const struct cgroup_manager *m)
{
  return m->mode;
}

static unsigned v1_controllers(const char *superopts)
{
  unsigned bits = 0;
  cleanup_free char *copy = xstrdup(superopts);
  char *save = NULL;
  for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
    if (strcmp(tok, "cpu") == 0)
      bits |= CGROUP_CTRL_CPU;
    else if (strcmp(tok, "memory") == 0)
      bits |= CGROUP_CTRL_MEMORY;
    else if (strcmp(tok, "pids") == 0)
      bits |= CGROUP_CTRL_PIDS;
    else if (strcmp(tok, "name=systemd") == 0)
      bits |= CGROUP_CTRL_SYSTEMD;
  }
  return bits;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
  char *w = s;
  for (char *r = s; *r != '\0';) {
    if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
        r[3] <= '7') {
      *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
      r += 4;
    } else {
      *w++ = *r++;
    }
  }
  *w = '\0';
}

struct mount_seen {
  char *dir;
  char *fstype;
  unsigned controllers;
};

int cgroup_manager_open_mountinfo(const char *root, const char *mountinfo, bool fake,
                                  struct cgroup_manager **out, struct lab_error **err)
{
  char rootbuf[PATH_MAX];
  /* Compare canonical paths: mountinfo has them canonical. */
  if (realpath(root, rootbuf) == NULL)
    return lab_error_errno(err, "cgroup root %s", root);
  size_t rootlen = strlen(rootbuf);

  cleanup_fclose FILE *f = fopen(mountinfo, "re");
  if (f == NULL)
    return lab_error_errno(err, "opening %s", mountinfo);

  struct mount_seen *seen = NULL;
  size_t nseen = 0;
  char *root_fstype = NULL;
  cleanup_free char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    line[strcspn(line, "\n")] = '\0';
    /* id parent maj:min root mountpoint options [optional...] - fstype source superopts */
    char *fields[6] = {0};
    char *save = NULL;
    char *tok = strtok_r(line, " ", &save);
    int nf = 0;
    for (; tok != NULL && nf < 6; tok = strtok_r(NULL, " ", &save))
      fields[nf++] = tok;
    while (tok != NULL && strcmp(tok, "-") != 0)
      tok = strtok_r(NULL, " ", &save);
    if (nf < 5 || tok == NULL)
      continue;
    char *fstype = strtok_r(NULL, " ", &save);
    char *source = strtok_r(NULL, " ", &save);
    char *superopts = strtok_r(NULL, " ", &save);
    if (fstype == NULL || source == NULL)
      continue;
    char *mnt = fields[4];
    unescape_octal(mnt);
    if (strcmp(mnt, rootbuf) == 0) {
      /* A mount on root hides whatever was mounted below it before. */
      for (size_t i = 0; i < nseen; i++) {
        free(seen[i].dir);
        free(seen[i].fstype);
      }
      nseen = 0;
      free(root_fstype);
      root_fstype = xstrdup(fstype);
      continue;
    }
    if (strncmp(mnt, rootbuf, rootlen) != 0 || mnt[rootlen] != '/' ||
        strchr(mnt + rootlen + 1, '/') != NULL)
      continue; /* not directly below root */
    if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
      continue;
    size_t i;
    for (i = 0; i < nseen && strcmp(seen[i].dir, mnt) != 0; i++)
      ;
    if (i == nseen) {
      seen = xnonnull(realloc(seen, (nseen + 1) * sizeof *seen));
      seen[nseen++] = (struct mount_seen){.dir = xstrdup(mnt)};
    } else {
      free(seen[i].fstype);
    }
    seen[i].fstype = xstrdup(fstype);
    seen[i].controllers = superopts ? v1_controllers(superopts) : 0;
  }

  enum cgroup_mode mode = CGROUP_MODE_V1;
  bool have_v1 = false, have_unified = false;
  for (size_t i = 0; i < nseen; i++) {
    if (strcmp(seen[i].fstype, "cgroup") == 0 && seen[i].controllers != 0)
      have_v1 = true;
    if (strcmp(seen[i].fstype, "cgroup2") == 0)
      have_unified = true;
  }
  int ret = 0;
  struct cgroup_manager *m = NULL;
  if (root_fstype != NULL && strcmp(root_fstype, "cgroup2") == 0) {
    m = manager_new(rootbuf, CGROUP_MODE_V2, fake);
    manager_add(m, rootbuf, CGROUP_CTRL_CPU | CGROUP_CTRL_MEMORY | CGROUP_CTRL_PIDS, true);
  } else if (have_v1) {
    mode = have_unified ? CGROUP_MODE_HYBRID : CGROUP_MODE_V1;
    m = manager_new(rootbuf, mode, fake);
    for (size_t i = 0; i < nseen; i++) {
      if (strcmp(seen[i].fstype, "cgroup") == 0 && seen[i].controllers != 0)
        manager_add(m, seen[i].dir, seen[i].controllers, false);
    }
    /* Hybrid: the unified hierarchy carries no controller we use, but a
     * process's cgroup there is what cgroup-aware tools show. */
    for (size_t i = 0; i < nseen; i++) {
      if (strcmp(seen[i].fstype, "cgroup2") == 0) {
        manager_add(m, seen[i].dir, 0, true);
        break;
      }
    }
  } else {
    ret = lab_error_set(err, ENOENT, "no cgroup hierarchy mounted at %s", rootbuf);
  }
  for (size_t i = 0; i < nseen; i++) {
    free(seen[i].dir);
    free(seen[i].fstype);
  }
  free(seen);
  free(root_fstype);
  if (ret == 0)
    *out = m;
  return ret;
}

int cgroup_manager_open(const char *root, struct cgroup_manager **out, struct lab_error **err)
{
  struct statfs sfs;
  if (statfs(root, &sfs) < 0)
    return lab_error_errno(err, "statfs %s", root);
  /* The filesystem type settles v2 by itself; v1 and hybrid need to know what
   * is mounted below root, which only mountinfo tells. */
  if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
    char rootbuf[PATH_MAX];
    if (realpath(root, rootbuf) == NULL)
      return lab_error_errno(err, "cgroup root %s", root);
    struct cgroup_manager *m = manager_new(rootbuf, CGROUP_MODE_V2, false);
    manager_add(m, rootbuf, CGROUP_CTRL_CPU | CGROUP_CTRL_MEMORY | CGROUP_CTRL_PIDS, true);
    *out = m;
    return 0;
  }
  if (sfs.f_type == CGROUP_SUPER_MAGIC)
    return lab_error_set(err, EINVAL,
                         "%s is a single v1 hierarchy; pass the directory holding them", root);
  if (cgroup_manager_open_mountinfo(root, "/proc/self/mountinfo", false, out, err) < 0)
    return -1;
  log_debug("cgroup %s at %s with %zu hierarchies", cgroup_mode_name((*out)->mode), (*out)->root,
            (*out)->nhier);
  return 0;
}

int cgroup_manager_open_fake(const char *root, enum cgroup_mode mode, struct cgroup_manager **out,
                             struct lab_error **err)
{
  char rootbuf[PATH_MAX];
  if (realpath(root, rootbuf) == NULL)
    return lab_error_errno(err, "fake cgroup root %s", root);
  struct cgroup_manager *m = manager_new(rootbuf, mode, true);
  if (mode == CGROUP_MODE_V2) {
    manager_add(m, rootbuf, CGROUP_CTRL_CPU | CGROUP_CTRL_MEMORY | CGROUP_CTRL_PIDS, true);
    *out = m;
    return 0;
  }
  static const struct {
    const char *name;
    unsigned controllers;
  } v1[] = {
      {"cpu,cpuacct", CGROUP_CTRL_CPU}, {"cpu", CGROUP_CTRL_CPU},
      {"memory", CGROUP_CTRL_MEMORY},   {"pids", CGROUP_CTRL_PIDS},
      {"systemd", CGROUP_CTRL_SYSTEMD},
  };
  for (size_t i = 0; i < sizeof v1 / sizeof v1[0]; i++) {
    cleanup_free char *dir = NULL;
    if (asprintf(&dir, "%s/%s", rootbuf, v1[i].name) < 0)
      abort();
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
        (cgroup_find_hierarchy(m, v1[i].controllers) == NULL))
      manager_add(m, dir, v1[i].controllers, false);
  }
  if (mode == CGROUP_MODE_HYBRID) {
    cleanup_free char *dir = NULL;
    if (asprintf(&dir, "%s/unified", rootbuf) < 0)
      abort();
    manager_add(m, dir, 0, true);
  }
  if (m->nhier == 0) {
    cgroup_manager_close(m);
    return lab_error_set(err, ENOENT, "fake cgroup root %s has no hierarchy directory", rootbuf);
  }
  *out = m;
  return 0;
}

/* ---- dispatch ------------------------------------------------------------ */

static int check_relpath(const char *relpath, struct lab_error **err)
{
  if (!cgroup_relpath_valid(relpath))
    return lab_error_set(err, EINVAL, "invalid cgroup name '%s'", relpath ? relpath : "(null)");
  return 0;
}

int cgroup_create(struct cgroup_manager *m, const char *relpath, struct ledger *ledger,
                  struct lab_error **err)
{
  if (check_relpath(relpath, err) < 0)
    return -1;
  return m->ops->create(m, relpath, ledger, err);
}

int cgroup_attach(struct cgroup_manager *m, const char *relpath, pid_t pid, struct lab_error **err)
{
  if (check_relpath(relpath, err) < 0)
    return -1;
  if (pid <= 0)
    return lab_error_set(err, EINVAL, "cgroup attach: invalid pid %d", (int)pid);
  return m->ops->attach(m, relpath, pid, err);
}

int cgroup_set_limits(struct cgroup_manager *m, const char *relpath,
                      const struct cgroup_limits *limits, struct lab_error **err)
{
  if (check_relpath(relpath, err) < 0)
    return -1;
  return m->ops->set_limits(m, relpath, limits, err);
}

int cgroup_destroy(struct cgroup_manager *m, const char *relpath, struct lab_error **err)
{
  if (check_relpath(relpath, err) < 0)
    return -1;
  return m->ops->destroy(m, relpath, err);
}

int cgroup_oom_killed(struct cgroup_manager *m, const char *relpath, int *killed,
                      struct lab_error **err)
{
  if (check_relpath(relpath, err) < 0)
    return -1;
  return m->ops->oom_killed(m, relpath, killed, err);
}

const char *cgroup_limit_name(enum cgroup_limit_kind kind)
{
  switch (kind) {
  case CGROUP_LIMIT_MEMORY:
    return "memory";
  case CGROUP_LIMIT_CPU:
    return "cpu";
  case CGROUP_LIMIT_PIDS:
    return "pids";
  }
  return "unknown";
}

void cgroup_limit_text(enum cgroup_limit_kind kind, uint64_t n, char *buf, size_t len)
{
  if (kind == CGROUP_LIMIT_CPU) {
    /* millicores -> quota per 100 ms period: 500m = "50000 100000" */
    if (n == 0 || n > UINT64_MAX / 100)
      snprintf(buf, len, "max 100000");
    else
      snprintf(buf, len, "%" PRIu64 " 100000", n * 100);
  } else if (n == 0) {
    snprintf(buf, len, "max");
  } else {
    snprintf(buf, len, "%" PRIu64, n);
  }
}

int cgroup_limit_get(struct cgroup_manager *m, const char *relpath, enum cgroup_limit_kind kind,
                     char **value, struct lab_error **err)
{
  *value = NULL;
  if (check_relpath(relpath, err) < 0)
    return -1;
  if (m->ops->limit_get(m, relpath, kind, value, err) < 0)
    return lab_error_wrap(err, "reading the %s limit of cgroup %s", cgroup_limit_name(kind),
                          relpath);
  return 0;
}

int cgroup_limit_put(struct cgroup_manager *m, const char *relpath, enum cgroup_limit_kind kind,
                     const char *value, struct lab_error **err)
{
  if (check_relpath(relpath, err) < 0)
    return -1;
  if (value == NULL || value[0] == '\0' || strpbrk(value, "\n\t") != NULL)
    return lab_error_set(err, EINVAL, "%s limit of cgroup %s: empty or multi-line value",
                         cgroup_limit_name(kind), relpath);
  if (m->ops->limit_put(m, relpath, kind, value, err) < 0)
    return lab_error_wrap(err, "setting the %s limit of cgroup %s to %s", cgroup_limit_name(kind),
                          relpath, value);
  return 0;
}

int cgroup_paths(struct cgroup_manager *m, const char *relpath, char ***paths,
                 struct lab_error **err)
{
  if (check_relpath(relpath, err) < 0)
    return -1;
  char **v = xcalloc(m->nhier + 1, sizeof *v);
  for (size_t i = 0; i < m->nhier; i++)
    v[i] = cgroup_hier_path(&m->hier[i], relpath);
  *paths = v;
  return 0;
}

/* ---- shared helpers ------------------------------------------------------ */

int cgroup_mkdir_recorded(const char *base, const char *relpath, struct ledger *ledger,
                          cgroup_parent_hook hook, struct lab_error **err)
{
  cleanup_free char *path = NULL;
  if (asprintf(&path, "%s/%s", base, relpath) < 0)
    abort();
  size_t baselen = strlen(base);
  /* Walk the components: path[..end] is the prefix being handled. */
  for (char *p = path + baselen + 1;; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    char saved = *p;
    *p = '\0';
    if (hook != NULL) {
      char *slash = strrchr(path, '/');
      *slash = '\0';
      int r = hook(path, err);
      *slash = '/';
      if (r < 0)
        return -1;
    }
    struct stat st;
    if (stat(path, &st) < 0) {
      if (errno != ENOENT)
        return lab_error_errno(err, "stat %s", path);
      /* Parents may come to be shared by other labs: they are only ever
       * removed when empty.  The cgroup asked for is ours to kill and remove. */
      enum ledger_kind kind = saved == '\0' ? LEDGER_CGROUP : LEDGER_CGROUP_PARENT;
      if (ledger != NULL && ledger_record_path(ledger, kind, path, err) < 0)
        return -1;
      if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return lab_error_errno(err, "mkdir %s", path);
    } else if (!S_ISDIR(st.st_mode)) {
      return lab_error_set(err, ENOTDIR, "%s exists and is not a directory", path);
    }
    *p = saved;
    if (saved == '\0')
      break;
  }
  return 0;
}

int cgroup_write_file(const char *dir, const char *file, const char *value, struct lab_error **err)
{
  cleanup_free char *path = NULL;
  if (asprintf(&path, "%s/%s", dir, file) < 0)
    abort();
  cleanup_close int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0)
    return lab_error_errno(err, "open %s", path);
  size_t len = strlen(value);
  ssize_t n;
  do
    n = write(fd, value, len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return lab_error_errno(err, "writing '%s' to %s", value, path);
  if ((size_t)n != len)
    return lab_error_set(err, EIO, "short write of '%s' to %s", value, path);
  return 0;
}

int cgroup_read_file(const char *dir, const char *file, char **out, struct lab_error **err)
{
  cleanup_free char *path = NULL;
  if (asprintf(&path, "%s/%s", dir, file) < 0)
    abort();
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lab_error_errno(err, "open %s", path);
  if (fileio_read_fd(fd, out, NULL) < 0)
    return lab_error_errno(err, "reading %s", path);
  return 0;
}

int cgroup_read_value(const char *dir, const char *file, char **out, struct lab_error **err)
{
  if (cgroup_read_file(dir, file, out, err) < 0)
    return -1;
  size_t len = strlen(*out);
  while (len > 0 && ((*out)[len - 1] == '\n' || (*out)[len - 1] == ' '))
    (*out)[--len] = '\0';
  return 0;
}

static bool all_digits(const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s != '\0'; s++)
    if (*s < '0' || *s > '9')
      return false;
  return true;
}

int cgroup_cpu_text_split(const char *value, char quota[24], char period[24],
                          struct lab_error **err)
{
  char extra;
  if (sscanf(value, "%23s %23s %c", quota, period, &extra) != 2 ||
      !(strcmp(quota, "max") == 0 || all_digits(quota)) || !all_digits(period))
    return lab_error_set(err, EINVAL,
                         "cpu limit \"%s\": expected \"QUOTA PERIOD\" (QUOTA max or "
                         "microseconds)",
                         value);
  return 0;
}

int cgroup_read_keyed(const char *dir, const char *file, const char *key, uint64_t *value,
                      struct lab_error **err)
{
  cleanup_free char *text = NULL;
  if (cgroup_read_file(dir, file, &text, err) < 0)
    return -1;
  size_t klen = strlen(key);
  for (char *line = text; line != NULL && *line != '\0';) {
    char *nl = strchr(line, '\n');
    if (nl != NULL)
      *nl = '\0';
    if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
      char *end;
      errno = 0;
      unsigned long long v = strtoull(line + klen + 1, &end, 10);
      if (errno != 0 || end == line + klen + 1)
        return lab_error_set(err, EINVAL, "%s/%s: unreadable value for %s", dir, file, key);
      *value = v;
      return 1;
    }
    line = nl ? nl + 1 : NULL;
  }
  return 0;
}

static int list_tree_rec(const char *path, char ***v, size_t *n, size_t *cap, int depth,
                         struct lab_error **err)
{
  if (depth > 64)
    return lab_error_set(err, ELOOP, "cgroup tree under %s is too deep", path);
  if (*n == *cap) {
    *cap = *cap ? *cap * 2 : 8;
    *v = xnonnull(realloc(*v, *cap * sizeof **v));
  }
  (*v)[(*n)++] = xstrdup(path);
  cleanup_closedir DIR *d = opendir(path);
  if (d == NULL) {
    if (errno == ENOENT)
      return 0; /* removed meanwhile */
    return lab_error_errno(err, "opendir %s", path);
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    bool isdir = de->d_type == DT_DIR;
    if (de->d_type == DT_UNKNOWN) {
      struct stat st;
      isdir = fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    if (!isdir)
      continue;
    cleanup_free char *child = NULL;
    if (asprintf(&child, "%s/%s", path, de->d_name) < 0)
      abort();
    if (list_tree_rec(child, v, n, cap, depth + 1, err) < 0)
      return -1;
  }
  return 0;
}

int cgroup_list_tree(const char *path, char ***dirs, size_t *n, struct lab_error **err)
{
  char **v = NULL;
  size_t count = 0, cap = 0;
  struct stat st;
  if (lstat(path, &st) < 0) {
    if (errno != ENOENT)
      return lab_error_errno(err, "stat %s", path);
    *dirs = NULL;
    *n = 0;
    return 0;
  }
  if (!S_ISDIR(st.st_mode))
    return lab_error_set(err, ENOTDIR, "%s is not a directory", path);
  if (list_tree_rec(path, &v, &count, &cap, 0, err) < 0) {
    cgroup_free_strv(v, count);
    return -1;
  }
  *dirs = v;
  *n = count;
  return 0;
}

/* Parses a cgroup.procs text into pids; returns the count written to out
 * (at most max) and sets *self when our own pid is among them. */
static size_t parse_procs(char *text, pid_t *out, size_t max, bool *self)
{
  size_t n = 0;
  pid_t me = getpid();
  char *save = NULL;
  for (char *tok = strtok_r(text, "\n", &save); tok != NULL; tok = strtok_r(NULL, "\n", &save)) {
    long pid = strtol(tok, NULL, 10);
    if (pid <= 0)
      continue;
    if (pid == me)
      *self = true;
    if (n < max)
      out[n++] = (pid_t)pid;
  }
  return n;
}

/* One pass over the tree: SIGKILL every listed process.  Returns how many
 * processes were still listed, or -1 and *err. */
static int kill_pass(char **dirs, size_t ndirs, struct lab_error **err)
{
  int listed = 0;
  for (size_t i = ndirs; i-- > 0;) {
    cleanup_free char *text = NULL;
    struct lab_error *rerr = NULL;
    if (cgroup_read_file(dirs[i], "cgroup.procs", &text, &rerr) < 0) {
      bool gone = rerr->errnum == ENOENT;
      if (gone) {
        lab_error_clear(&rerr);
        continue;
      }
      if (err != NULL && *err == NULL)
        *err = rerr;
      else
        lab_error_clear(&rerr);
      return -1;
    }
    pid_t pids[256];
    bool self = false;
    size_t n = parse_procs(text, pids, sizeof pids / sizeof pids[0], &self);
    if (self)
      return lab_error_set(err, EDEADLK, "refusing to empty %s: the calling process is in it",
                           dirs[i]);
    for (size_t j = 0; j < n; j++) {
      if (kill(pids[j], SIGKILL) < 0 && errno != ESRCH)
        log_warn("kill %d in %s: %s", (int)pids[j], dirs[i], strerror(errno));
    }
    listed += (int)n;
  }
  return listed;
}

/* Removes the regular files a fake tree holds in place of control files. */
static void fake_remove_files(const char *dir)
{
  cleanup_closedir DIR *d = opendir(dir);
  if (d == NULL)
    return;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    struct stat st;
    if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
      unlinkat(dirfd(d), de->d_name, 0);
  }
}

int cgroup_remove_tree(const char *path, bool fake, struct lab_error **err)
{
  char real[PATH_MAX];
  if (realpath(path, real) == NULL) {
    if (errno == ENOENT)
      return 0;
    return lab_error_errno(err, "cgroup %s", path);
  }
  struct statfs sfs;
  if (statfs(real, &sfs) < 0)
    return errno == ENOENT ? 0 : lab_error_errno(err, "statfs %s", real);
  bool cgroupfs = sfs.f_type == CGROUP_SUPER_MAGIC || sfs.f_type == CGROUP2_SUPER_MAGIC;

  /* Not on a cgroup filesystem (a test's plain tree), nothing is killed and
   * nothing but empty directories is removed.  On one, the root of a
   * hierarchy holds every process of the host: never touch it. */
  if (cgroupfs) {
    struct stat st, pst;
    cleanup_free char *parent = NULL;
    if (asprintf(&parent, "%s/..", real) < 0)
      abort();
    if (strcmp(real, "/") == 0 || stat(real, &st) < 0 || stat(parent, &pst) < 0 ||
        st.st_dev != pst.st_dev)
      return lab_error_set(err, EINVAL, "refusing to remove %s: the root of a cgroup hierarchy",
                           real);
  }

  char **dirs = NULL;
  size_t ndirs = 0;
  if (cgroup_list_tree(real, &dirs, &ndirs, err) < 0)
    return -1;
  int ret = 0;
  long deadline = now_ms() + CGROUP_REMOVE_WAIT_MS;
  if (cgroupfs) {
    /* Look for ourselves before killing anything. */
    bool self = false;
    for (size_t i = 0; i < ndirs && !self; i++) {
      cleanup_free char *text = NULL;
      struct lab_error *rerr = NULL;
      pid_t dummy[1];
      if (cgroup_read_file(dirs[i], "cgroup.procs", &text, &rerr) == 0)
        parse_procs(text, dummy, 0, &self);
      lab_error_clear(&rerr);
    }
    if (self) {
      ret = lab_error_set(err, EDEADLK, "refusing to empty %s: the calling process is in it", real);
      goto out;
    }
    /* v2 since Linux 5.14: one write kills the whole subtree, forks included. */
    struct lab_error *kerr = NULL;
    if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
      cleanup_free char *killf = NULL;
      if (asprintf(&killf, "%s/cgroup.kill", real) < 0)
        abort();
      if (access(killf, F_OK) == 0 && cgroup_write_file(real, "cgroup.kill", "1", &kerr) < 0) {
        log_debug("%s", kerr->msg);
        lab_error_clear(&kerr);
      }
    }
    /* Otherwise (v1), kill what is listed until nothing is: a process forking
     * meanwhile shows up in the next pass, and a cgroup it created in the
     * next listing of the tree. */
    for (;;) {
      int listed_now = kill_pass(dirs, ndirs, err);
      if (listed_now > 0) {
        cgroup_free_strv(dirs, ndirs);
        dirs = NULL;
        ndirs = 0;
        if (cgroup_list_tree(real, &dirs, &ndirs, err) < 0) {
          ret = -1;
          goto out;
        }
      }
      if (listed_now < 0) {
        ret = -1;
        goto out;
      }
      if (listed_now == 0)
        break;
      if (now_ms() > deadline) {
        ret = lab_error_set(err, ETIMEDOUT, "%d processes still in %s after SIGKILL", listed_now,
                            real);
        goto out;
      }
      sleep_ms(CGROUP_POLL_MS);
    }
  }
  for (size_t i = ndirs; i-- > 0;) {
    if (fake)
      fake_remove_files(dirs[i]);
    for (;;) {
      if (rmdir(dirs[i]) == 0 || errno == ENOENT)
        break;
      /* The kernel may still be releasing the last exiting task. */
      if (errno == EBUSY && cgroupfs && now_ms() < deadline) {
        sleep_ms(CGROUP_POLL_MS);
        continue;
      }
      if (ret == 0)
        ret = lab_error_errno(err, "rmdir %s", dirs[i]);
      break;
    }
  }
out:
  cgroup_free_strv(dirs, ndirs);
  return ret;
}

int cgroup_remove_dir(const char *path, struct lab_error **err)
{
  if (path == NULL || path[0] != '/')
    return lab_error_set(err, EINVAL, "cgroup path '%s' is not absolute", path ? path : "(null)");
  return cgroup_remove_tree(path, false, err);
}

int cgroup_write_limit(const char *dir, const char *file, uint64_t v, const char *unlimited,
                       struct lab_error **err)
{
  char value[32];
  if (v == 0)
    snprintf(value, sizeof value, "%s", unlimited);
  else
    snprintf(value, sizeof value, "%" PRIu64, v);
  return cgroup_write_file(dir, file, value, err);
}

int cgroup_hier_attach(const struct cgroup_hierarchy *h, const char *relpath, pid_t pid,
                       struct lab_error **err)
{
  char value[32];
  snprintf(value, sizeof value, "%d", (int)pid);
  cleanup_free char *dir = cgroup_hier_path(h, relpath);
  if (cgroup_write_file(dir, "cgroup.procs", value, err) < 0)
    return lab_error_wrap(err, "moving %d into cgroup %s", (int)pid, relpath);
  return 0;
}
