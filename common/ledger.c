#include "ledger.h"
#include "names.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "log.h"
#include "proc.h"

LOG_MODULE(ledger);

/* How long undo waits for a killed process to disappear.  The process is not
 * our child when the CLI runs undo, so we can only poll /proc. */
#define LEDGER_KILL_WAIT_MS 5000
#define LEDGER_POLL_MS 10

struct ledger {
  int fd;
  char *dir;
};

static const char *const kind_names[] = {
    [LEDGER_DIR] = "dir",
    [LEDGER_FILE] = "file",
    [LEDGER_CGROUP] = "cgroup",
    [LEDGER_PROCESS] = "process",
    [LEDGER_MOUNT] = "mount",
    [LEDGER_NETNS] = "netns",
    [LEDGER_CGROUP_PARENT] = "cgroup-parent",
};

static int kind_from_name(const char *name, enum ledger_kind *kind)
{
  int i = names_find(kind_names, NAMES_N(kind_names), name);
  if (i < 0)
    return -1;
  *kind = (enum ledger_kind)i;
  return 0;
}

static bool kind_valid(enum ledger_kind kind)
{
  return (unsigned)kind < sizeof kind_names / sizeof kind_names[0] && kind != LEDGER_PROCESS;
}

static bool lab_name_valid(const char *lab)
{
  return lab != NULL && lab[0] != '\0' && strcmp(lab, ".") != 0 && strcmp(lab, "..") != 0 &&
         strpbrk(lab, "/\t\n") == NULL && strlen(lab) < NAME_MAX;
}

/* Appends one complete line with a single write(2): O_APPEND makes concurrent
 * writers (daemon and its helpers) interleave whole lines, and a writer killed
 * at any moment leaves at worst one trailing partial line, which replay ignores. */
static int ledger_append(struct ledger *l, const char *line, size_t len, struct lab_error **err)
{
  ssize_t n;
  do
    n = write(l->fd, line, len);
  while (n < 0 && errno == EINTR);
  if (n == (ssize_t)len)
    return 0;
  if (n < 0)
    return lab_error_errno(err, "appending to ledger %s/ledger", l->dir);
  /* Short write (disk full): terminate the fragment so the next line starts
   * clean; the fragment itself fails to parse and is skipped on replay. */
  if (write(l->fd, "\n", 1) < 0)
    log_warn("cannot terminate a short ledger line in %s: %s", l->dir, strerror(errno));
  return lab_error_set(err, ENOSPC, "appending to ledger %s/ledger: short write", l->dir);
}

int ledger_open(const char *rundir, const char *lab, struct ledger **out, struct lab_error **err)
{
  if (!lab_name_valid(lab))
    return lab_error_set(err, EINVAL, "invalid lab name '%s'", lab ? lab : "(null)");
  if (mkdir(rundir, 0700) < 0 && errno != EEXIST)
    return lab_error_errno(err, "mkdir %s", rundir);

  cleanup_free char *dir = NULL;
  if (asprintf(&dir, "%s/%s", rundir, lab) < 0)
    return lab_error_set(err, ENOMEM, "out of memory");
  if (strpbrk(dir, "\t\n") != NULL)
    return lab_error_set(err, EINVAL, "run directory '%s' contains a tab or newline", rundir);
  if (mkdir(dir, 0700) < 0 && errno != EEXIST)
    return lab_error_errno(err, "mkdir %s", dir);

  cleanup_free char *path = NULL;
  if (asprintf(&path, "%s/ledger", dir) < 0)
    return lab_error_set(err, ENOMEM, "out of memory");
  cleanup_close int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return lab_error_errno(err, "opening ledger %s", path);
  struct stat st;
  if (fstat(fd, &st) < 0)
    return lab_error_errno(err, "fstat %s", path);

  struct ledger *l = calloc(1, sizeof *l);
  if (l == NULL)
    return lab_error_set(err, ENOMEM, "out of memory");
  l->fd = steal_fd(&fd);
  l->dir = steal_pointer(&dir);
  /* A fresh ledger names its own directory first, so undo removes it last.
   * (The directory necessarily exists before the file that records it; a
   * kill in between leaves an empty directory that undo also removes.) */
  if (st.st_size == 0 && ledger_record_path(l, LEDGER_DIR, l->dir, err) < 0) {
    ledger_close(l);
    return -1;
  }
  *out = l;
  return 0;
}

void ledger_close(struct ledger *l)
{
  if (l == NULL)
    return;
  if (l->fd >= 0)
    close(l->fd);
  free(l->dir);
  free(l);
}

const char *ledger_dir(const struct ledger *l)
{
  return l->dir;
}

int ledger_record_path(struct ledger *l, enum ledger_kind kind, const char *path,
                       struct lab_error **err)
{
  if (!kind_valid(kind))
    return lab_error_set(err, EINVAL, "ledger: kind %d does not take a path", (int)kind);
  /* Undo must not depend on the working directory, and a tab or newline would
   * split the line. */
  if (path == NULL || path[0] != '/' || strpbrk(path, "\t\n") != NULL)
    return lab_error_set(err, EINVAL,
                         "ledger: refusing path '%s' (not absolute, or has a tab "
                         "or newline)",
                         path ? path : "(null)");
  cleanup_free char *line = NULL;
  int len = asprintf(&line, "%s\t%s\n", kind_names[kind], path);
  if (len < 0)
    return lab_error_set(err, ENOMEM, "out of memory");
  return ledger_append(l, line, (size_t)len, err);
}

int ledger_record_process(struct ledger *l, pid_t pid, uint64_t starttime, struct lab_error **err)
{
  if (pid <= 0)
    return lab_error_set(err, EINVAL, "ledger: invalid pid %d", (int)pid);
  char line[96];
  int len = snprintf(line, sizeof line, "process\t%d\t%" PRIu64 "\n", (int)pid, starttime);
  return ledger_append(l, line, (size_t)len, err);
}

/* Parses one complete line (without its '\n').  Returns 0, or -1 when the
 * line is not a valid entry. */
static int parse_line(char *line, struct ledger_entry *e)
{
  char *tab = strchr(line, '\t');
  if (tab == NULL)
    return -1;
  *tab = '\0';
  char *rest = tab + 1;
  if (kind_from_name(line, &e->kind) < 0)
    return -1;
  if (e->kind == LEDGER_PROCESS) {
    char *end;
    errno = 0;
    long pid = strtol(rest, &end, 10);
    if (errno != 0 || end == rest || *end != '\t' || pid <= 0 || pid > INT_MAX)
      return -1;
    char *st = end + 1;
    uint64_t starttime = strtoull(st, &end, 10);
    if (errno != 0 || end == st || *end != '\0')
      return -1;
    e->pid = (pid_t)pid;
    e->starttime = starttime;
    e->path = NULL;
    return 0;
  }
  if (rest[0] != '/' || strchr(rest, '\t') != NULL)
    return -1;
  e->path = strdup(rest);
  if (e->path == NULL)
    return -1;
  e->pid = 0;
  e->starttime = 0;
  return 0;
}

int ledger_read(const char *path, struct ledger_entry **entries, size_t *n, struct lab_error **err)
{
  cleanup_fclose FILE *f = fopen(path, "re");
  if (f == NULL)
    return lab_error_errno(err, "opening ledger %s", path);

  struct ledger_entry *v = NULL;
  size_t count = 0, cap = 0;
  cleanup_free char *line = NULL;
  size_t linecap = 0;
  ssize_t len;
  size_t lineno = 0;
  while ((len = getline(&line, &linecap, f)) > 0) {
    lineno++;
    /* A line without its newline is a write cut short by a kill: the object
     * it names was not created yet, so it is safe to ignore. */
    if (line[len - 1] != '\n')
      break;
    line[len - 1] = '\0';
    struct ledger_entry e;
    if (parse_line(line, &e) < 0) {
      log_warn("%s:%zu: skipping unreadable ledger line", path, lineno);
      continue;
    }
    if (count == cap) {
      size_t ncap = cap ? cap * 2 : 16;
      struct ledger_entry *nv = realloc(v, ncap * sizeof *nv);
      if (nv == NULL) {
        free(e.path);
        ledger_entries_free(v, count);
        return lab_error_set(err, ENOMEM, "out of memory");
      }
      v = nv;
      cap = ncap;
    }
    v[count++] = e;
  }
  if (ferror(f)) {
    int saved = errno;
    ledger_entries_free(v, count);
    return lab_error_set(err, saved, "reading ledger %s", path);
  }
  *entries = v;
  *n = count;
  return 0;
}

void ledger_entries_free(struct ledger_entry *entries, size_t n)
{
  if (entries == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    free(entries[i].path);
  free(entries);
}

static void sleep_ms(long ms)
{
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

static int undo_process(const struct ledger_entry *e, struct lab_error **err)
{
  if (!proc_is_same(e->pid, e->starttime))
    return 0; /* gone, a zombie, or the pid now belongs to someone else */
  if (kill(e->pid, SIGKILL) < 0 && errno != ESRCH)
    return lab_error_errno(err, "kill %d", (int)e->pid);
  for (int waited = 0; waited < LEDGER_KILL_WAIT_MS; waited += LEDGER_POLL_MS) {
    if (!proc_is_same(e->pid, e->starttime))
      return 0;
    sleep_ms(LEDGER_POLL_MS);
  }
  return lab_error_set(err, ETIMEDOUT, "process %d still alive %d ms after SIGKILL", (int)e->pid,
                       LEDGER_KILL_WAIT_MS);
}

static int undo_umount(const char *path, struct lab_error **err)
{
  /* EINVAL: not (or no longer) a mount point; ENOENT: already gone. */
  if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return lab_error_errno(err, "umount %s", path);
  return 0;
}

/* CGROUP paths that another lab's ledger under rundir places strictly below
 * `path`: such a cgroup is a shared parent (e.g. ".../nodelab" created by the
 * first lab and used by the next), so undoing it must not kill or remove the
 * other lab's cgroups.  Returns the other lab's name (malloc'd) or NULL. */
static char *cgroup_shared_with(const char *rundir, const char *lab, const char *path)
{
  char **labs = NULL;
  struct lab_error *lerr = NULL;
  if (ledger_list_labs(rundir, &labs, &lerr) < 0) {
    lab_error_clear(&lerr);
    return NULL;
  }
  char *owner = NULL;
  size_t plen = strlen(path);
  for (size_t i = 0; labs[i] != NULL; i++) {
    if (owner == NULL && strcmp(labs[i], lab) != 0) {
      cleanup_free char *lpath = NULL;
      struct ledger_entry *v = NULL;
      size_t n = 0;
      if (asprintf(&lpath, "%s/%s/ledger", rundir, labs[i]) >= 0 &&
          ledger_read(lpath, &v, &n, &lerr) == 0) {
        for (size_t j = 0; j < n && owner == NULL; j++) {
          if ((v[j].kind == LEDGER_CGROUP || v[j].kind == LEDGER_CGROUP_PARENT) &&
              strncmp(v[j].path, path, plen) == 0 && v[j].path[plen] == '/')
            owner = strdup(labs[i]);
        }
        ledger_entries_free(v, n);
      }
      lab_error_clear(&lerr);
    }
    free(labs[i]);
  }
  free(labs);
  return owner;
}

/* A shared parent cgroup: remove it if it is already empty, otherwise hand it
 * over to the lab still using it, which removes it when it goes down. */
static int undo_shared_cgroup(const char *rundir, const char *owner, const char *path,
                              struct lab_error **err)
{
  if (rmdir(path) == 0 || errno == ENOENT)
    return 0;
  if (errno != EBUSY && errno != ENOTEMPTY)
    return lab_error_errno(err, "rmdir %s", path);
  if (owner == NULL) {
    /* Used by something this run directory does not know (another lab run
     * beside it): it removes the directory when it is done, or a later undo does. */
    log_info("cgroup %s is still in use; left in place", path);
    return 0;
  }
  struct ledger *other = NULL;
  if (ledger_open(rundir, owner, &other, err) < 0)
    return lab_error_wrap(err, "handing cgroup %s over to lab %s", path, owner);
  int ret = ledger_record_path(other, LEDGER_CGROUP_PARENT, path, err);
  ledger_close(other);
  if (ret == 0)
    log_info("cgroup %s is still used by lab %s; handed over to its ledger", path, owner);
  return ret;
}

/* After the lab's own cgroup PATH is gone: the shared "nodelab" directory
 * above it, when now empty.  A lab run beside this one from another run
 * directory (NODELAB_RUNDIR) may have made it, and then neither ledger
 * names it for the lab that goes down last; any lab removes it once empty. */
static void remove_empty_root(const char *path)
{
  const char *slash = strrchr(path, '/');
  if (slash == NULL || slash == path)
    return;
  cleanup_free char *parent = strndup(path, (size_t)(slash - path));
  if (parent == NULL)
    abort();
  const char *base = strrchr(parent, '/');
  if (base == NULL || strcmp(base + 1, CGROUP_NODELAB_ROOT) != 0)
    return;
  if (rmdir(parent) < 0 && errno != ENOENT && errno != EBUSY && errno != ENOTEMPTY)
    log_warn("rmdir %s: %s", parent, strerror(errno));
}

static int undo_entry(const char *rundir, const char *lab, const char *labdir,
                      const struct ledger_entry *e, struct lab_error **err)
{
  switch (e->kind) {
  case LEDGER_PROCESS:
    return undo_process(e, err);
  case LEDGER_CGROUP: {
    cleanup_free char *owner = cgroup_shared_with(rundir, lab, e->path);
    if (owner != NULL)
      return undo_shared_cgroup(rundir, owner, e->path, err);
    if (cgroup_remove_dir(e->path, err) < 0)
      return -1;
    remove_empty_root(e->path);
    return 0;
  }
  case LEDGER_CGROUP_PARENT: {
    cleanup_free char *owner = cgroup_shared_with(rundir, lab, e->path);
    return undo_shared_cgroup(rundir, owner, e->path, err);
  }
  case LEDGER_MOUNT:
    return undo_umount(e->path, err);
  case LEDGER_NETNS:
    if (undo_umount(e->path, err) < 0)
      return -1;
    if (unlink(e->path) < 0 && errno != ENOENT)
      return lab_error_errno(err, "unlink %s", e->path);
    return 0;
  case LEDGER_FILE:
    if (unlink(e->path) < 0 && errno != ENOENT)
      return lab_error_errno(err, "unlink %s", e->path);
    return 0;
  case LEDGER_DIR:
    /* The lab directory still holds the ledger: removed last, below. */
    if (strcmp(e->path, labdir) == 0)
      return 0;
    if (rmdir(e->path) < 0 && errno != ENOENT)
      return lab_error_errno(err, "rmdir %s", e->path);
    return 0;
  }
  return lab_error_set(err, EINVAL, "unknown ledger entry kind %d", (int)e->kind);
}

int ledger_undo(const char *rundir, const char *lab, struct lab_error **err)
{
  if (!lab_name_valid(lab))
    return lab_error_set(err, EINVAL, "invalid lab name '%s'", lab ? lab : "(null)");
  cleanup_free char *labdir = NULL;
  cleanup_free char *path = NULL;
  if (asprintf(&labdir, "%s/%s", rundir, lab) < 0 || asprintf(&path, "%s/ledger", labdir) < 0)
    return lab_error_set(err, ENOMEM, "out of memory");

  struct ledger_entry *v = NULL;
  size_t n = 0;
  struct lab_error *rerr = NULL;
  if (ledger_read(path, &v, &n, &rerr) < 0) {
    if (rerr->errnum != ENOENT) {
      *err = rerr;
      return -1;
    }
    lab_error_clear(&rerr);
    /* No ledger: nothing of ours to undo.  An empty lab directory is what a
     * kill between mkdir and the ledger's creation leaves. */
    if (rmdir(labdir) < 0 && errno != ENOENT)
      log_warn("lab %s has no ledger; leaving %s: %s", lab, labdir, strerror(errno));
    return 0;
  }

  /* Everything in reverse order, except shared parent cgroups: those go last,
   * deepest first, once every cgroup below them is gone (one handed over by
   * another lab stands late in the ledger but high in the tree). */
  size_t order_n = 0;
  size_t *order = calloc(n ? n : 1, sizeof *order);
  for (size_t i = n; i-- > 0;)
    if (v[i].kind != LEDGER_CGROUP_PARENT)
      order[order_n++] = i;
  size_t first_parent = order_n;
  for (size_t i = n; i-- > 0;)
    if (v[i].kind == LEDGER_CGROUP_PARENT)
      order[order_n++] = i;
  for (size_t a = first_parent; a < order_n; a++)
    for (size_t b = a + 1; b < order_n; b++)
      if (strlen(v[order[b]].path) > strlen(v[order[a]].path)) {
        size_t t = order[a];
        order[a] = order[b];
        order[b] = t;
      }

  int ret = 0;
  for (size_t k = 0; k < order_n; k++) {
    size_t i = order[k];
    struct lab_error *eerr = NULL;
    if (undo_entry(rundir, lab, labdir, &v[i], &eerr) < 0) {
      log_warn("undo %s: %s", lab, eerr->msg);
      if (ret == 0 && err != NULL && *err == NULL)
        *err = eerr;
      else
        lab_error_clear(&eerr);
      ret = -1;
    }
  }
  free(order);
  ledger_entries_free(v, n);
  /* On failure the ledger stays, so that undo can be run again: every entry
   * already undone is then a no-op. */
  if (ret < 0)
    return lab_error_wrap(err, "undoing lab %s", lab);
  if (unlink(path) < 0 && errno != ENOENT)
    return lab_error_errno(err, "unlink %s", path);
  if (rmdir(labdir) < 0 && errno != ENOENT)
    return lab_error_errno(err, "rmdir %s", labdir);
  return 0;
}

static int cmp_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int ledger_list_labs(const char *rundir, char ***names, struct lab_error **err)
{
  size_t count = 0, cap = 4;
  char **v = calloc(cap + 1, sizeof *v);
  if (v == NULL)
    return lab_error_set(err, ENOMEM, "out of memory");
  cleanup_closedir DIR *d = opendir(rundir);
  if (d == NULL) {
    if (errno == ENOENT) {
      *names = v;
      return 0;
    }
    free(v);
    return lab_error_errno(err, "opendir %s", rundir);
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.' || !lab_name_valid(de->d_name))
      continue;
    char rel[NAME_MAX + 16];
    snprintf(rel, sizeof rel, "%s/ledger", de->d_name);
    struct stat st;
    if (fstatat(dirfd(d), rel, &st, 0) < 0 || !S_ISREG(st.st_mode))
      continue;
    if (count == cap) {
      char **nv = realloc(v, (cap * 2 + 1) * sizeof *nv);
      if (nv == NULL)
        goto oom;
      v = nv;
      cap *= 2;
    }
    v[count] = strdup(de->d_name);
    if (v[count] == NULL)
      goto oom;
    v[++count] = NULL;
  }
  qsort(v, count, sizeof *v, cmp_names);
  *names = v;
  return 0;
oom:
  for (size_t i = 0; i < count; i++)
    free(v[i]);
  free(v);
  return lab_error_set(err, ENOMEM, "out of memory");
}
