/* Reservations that make names and MCS pairs unique without reading other
 * containers' records (see container.h): names/<name> -> id symlinks,
 * labels/cX,cY files holding the id, and an infra's members/ directory. */
#include "container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "container-internal.h"
#include "fileio.h"
#include "image.h"
#include "label.h"

/* ------------------------------------------------------------------ names */

int ctr_name_reserve(struct ctr_store *s, const char *name, const char *id, struct lab_error **err)
{
  char link[PATH_MAX];
  if (ctr_path_err(err, link, sizeof link, "%s/%s", s->names, name) < 0)
    return -1;
  if (symlink(id, link) == 0)
    return 0;
  int saved = errno;
  if (saved != EEXIST)
    lab_error_errno(err, "reserving the name %s", name);
  errno = saved;
  return -1;
}

void ctr_name_release(struct ctr_store *s, const char *name)
{
  char link[PATH_MAX];
  if (name != NULL && ctr_path(link, sizeof link, "%s/%s", s->names, name) == 0)
    unlink(link);
}

/* ------------------------------------------------------- pod membership */

/* Every container of a pod has a file <infra dir>/members/<its id>, so that
 * removing the infra asks "does anyone still use it?" of one directory
 * rather than of every container's record.  An infra made before members/
 * existed has none: its members are then found by reading every record. */
static int member_path(const struct ctr_store *s, const char *infra, const char *id, char *buf,
                       size_t len, struct lab_error **err)
{
  return ctr_path_err(err, buf, len, "%s/%s/members/%s", s->containers, infra, id ? id : "");
}

int ctr_members_dir(struct ctr_store *s, const char *infra, struct lab_error **err)
{
  char members[PATH_MAX];
  if (member_path(s, infra, NULL, members, sizeof members, err) < 0)
    return -1;
  if (mkdir(members, 0700) < 0)
    return lab_error_errno(err, "creating %s", members);
  return 0;
}

int ctr_member_add(struct ctr_store *s, const char *infra, const char *id, struct lab_error **err)
{
  char path[PATH_MAX];
  if (member_path(s, infra, id, path, sizeof path, err) < 0)
    return -1;
  int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 && errno != ENOENT) /* ENOENT: an infra from before members/ */
    return lab_error_errno(err, "recording %s", path);
  if (fd >= 0)
    close(fd);
  return 0;
}

void ctr_member_remove(struct ctr_store *s, const char *infra, const char *id)
{
  char path[PATH_MAX];
  if (member_path(s, infra, id, path, sizeof path, NULL) == 0)
    unlink(path);
}

int ctr_members_none(struct ctr_store *s, const struct container *c, struct lab_error **err)
{
  char dir[PATH_MAX];
  if (member_path(s, c->id, NULL, dir, sizeof dir, err) < 0)
    return -1;
  cleanup_closedir DIR *d = opendir(dir);
  if (d != NULL) {
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
      if (!ctr_id_is_valid(de->d_name))
        continue;
      cleanup_container struct container *m = NULL;
      struct lab_error *e = NULL;
      if (ctr_state_load(s, de->d_name, &m, &e) < 0) {
        lab_error_clear(&e); /* gone without saying so */
        ctr_member_remove(s, c->id, de->d_name);
        continue;
      }
      return lab_error_set(err, 0, "pod %s still has container %s", c->name, m->name);
    }
    return 0;
  }
  struct container **list = NULL;
  size_t n = 0;
  if (container_list(s, &list, &n, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    if (list[i]->pod != NULL && strcmp(list[i]->pod, c->id) == 0)
      rc = lab_error_set(err, 0, "pod %s still has container %s", c->name, list[i]->name);
  container_list_free(list, n);
  return rc;
}

/* ------------------------------------------------------- MCS reservations */

/* Each container's MCS pair is reserved by a file <root>/labels/cX,cY created
 * with O_EXCL (holding the container id), as names are by names/<name>: a
 * create costs one open(2) instead of reading every container's record, and
 * concurrent creates, other processes and restarted daemons all agree.  A
 * store made before the reservations existed is indexed once, into a
 * temporary directory renamed into place, so no create ever sees a partial
 * index. */
static int labels_dir_ensure(struct ctr_store *s, struct lab_error **err)
{
  struct stat st;
  if (stat(s->labels, &st) == 0)
    return 0;
  char tmp[PATH_MAX];
  if (ctr_path_err(err, tmp, sizeof tmp, "%s.new.%d", s->labels, (int)getpid()) < 0)
    return -1;
  if (mkdir(tmp, 0700) < 0)
    return lab_error_errno(err, "creating %s", tmp);
  struct container **list = NULL;
  size_t n = 0;
  if (container_list(s, &list, &n, err) < 0) {
    rmdir(tmp);
    return -1;
  }
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    int c1, c2;
    if (label_mcs_pair(list[i]->label, &c1, &c2) < 0)
      continue;
    char path[PATH_MAX];
    if (ctr_path_err(err, path, sizeof path, "%s/c%d,c%d", tmp, c1, c2) < 0) {
      rc = -1;
      break;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || fileio_write_all(fd, list[i]->id, CTR_ID_LEN) < 0)
      rc = lab_error_errno(err, "indexing the labels in %s", tmp);
    if (fd >= 0)
      close(fd);
  }
  container_list_free(list, n);
  if (rc == 0 && rename(tmp, s->labels) < 0 && errno != EEXIST && errno != ENOTEMPTY)
    rc = lab_error_errno(err, "renaming %s", tmp);
  struct lab_error *e = NULL;
  image_rm_rf(tmp, &e); /* left only when another process won the rename */
  lab_error_clear(&e);
  return rc;
}

int ctr_label_reserve(struct ctr_store *s, const char *id, char **label, struct lab_error **err)
{
  if (labels_dir_ensure(s, err) < 0)
    return -1;
  /* 523776 pairs: a random one is almost always free at once. */
  for (int attempt = 0; attempt < 256; attempt++) {
    char *l = NULL, path[PATH_MAX];
    int c1, c2;
    if (label_mcs_alloc(NULL, 0, NULL, &l, err) < 0)
      return -1;
    if (label_mcs_pair(l, &c1, &c2) < 0)
      abort(); /* label_mcs_alloc makes pairs */
    if (ctr_path_err(err, path, sizeof path, "%s/c%d,c%d", s->labels, c1, c2) < 0) {
      free(l);
      return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      int w = fileio_write_all(fd, id, CTR_ID_LEN);
      close(fd);
      if (w < 0) {
        unlink(path);
        free(l);
        return lab_error_errno(err, "writing %s", path);
      }
      *label = l;
      return 0;
    }
    free(l);
    if (errno != EEXIST)
      return lab_error_errno(err, "reserving %s", path);
  }
  return lab_error_set(err, ENOSPC, "no free MCS pair after 256 draws (%s)", s->labels);
}

void ctr_label_release(struct ctr_store *s, const struct container *c)
{
  int c1, c2;
  if (label_mcs_pair(c->label, &c1, &c2) < 0)
    return;
  char path[PATH_MAX], holder[CTR_ID_LEN + 2];
  if (ctr_path(path, sizeof path, "%s/c%d,c%d", s->labels, c1, c2) < 0)
    return;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  ssize_t n = ctr_read_all(fd, holder, sizeof holder);
  close(fd);
  if (n == CTR_ID_LEN && strcmp(holder, c->id) == 0)
    unlink(path);
}
