#include "label.h"

#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <selinux/selinux.h>

int label_mcs_pair(const char *label, int *c1, int *c2)
{
  if (label == NULL)
    return -1;
  const char *p = strstr(label, ":s0:c");
  if (p == NULL)
    return -1;
  int a, b, consumed = 0;
  if (sscanf(p, ":s0:c%d,c%d%n", &a, &b, &consumed) != 2 || p[consumed] != '\0')
    return -1;
  if (a < 0 || b < 0 || a >= LABEL_MCS_CATEGORIES || b >= LABEL_MCS_CATEGORIES || a == b)
    return -1;
  *c1 = a < b ? a : b;
  *c2 = a < b ? b : a;
  return 0;
}

static uint64_t draw(unsigned long long *seed, struct lab_error **err, int *failed)
{
  uint64_t r = 0;
  if (seed != NULL) {
    uint64_t z = (*seed += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  if (getrandom(&r, sizeof r, 0) != sizeof r) {
    lab_error_errno(err, "getrandom");
    *failed = 1;
  }
  return r;
}

/* 0 and *label when the pair c1 < c2 is in none of in_use, 1 when it is
 * taken, -1 and *err when the label cannot be made. */
static int take_if_free(const char *const *in_use, size_t n, int c1, int c2, char **label,
                        struct lab_error **err)
{
  for (size_t i = 0; i < n; i++) {
    int u1, u2;
    if (label_mcs_pair(in_use[i], &u1, &u2) == 0 && u1 == c1 && u2 == c2)
      return 1;
  }
  if (asprintf(label, "system_u:system_r:container_t:s0:c%d,c%d", c1, c2) < 0)
    return lab_error_set(err, ENOMEM, "allocating a label");
  return 0;
}

int label_mcs_alloc(const char *const *in_use, size_t n, unsigned long long *seed, char **label,
                    struct lab_error **err)
{
  /* 1024*1023/2 pairs: random draws almost always hit a free one at once; the
   * linear scan after many misses keeps the "no pair free" answer exact. */
  int failed = 0;
  for (int attempt = 0; attempt < 64; attempt++) {
    uint64_t r = draw(seed, err, &failed);
    if (failed)
      return -1;
    int a = (int)(r % LABEL_MCS_CATEGORIES);
    int b = (int)((r >> 16) % LABEL_MCS_CATEGORIES);
    if (a == b)
      continue;
    int rc = take_if_free(in_use, n, a < b ? a : b, a < b ? b : a, label, err);
    if (rc <= 0)
      return rc;
  }
  for (int c1 = 0; c1 < LABEL_MCS_CATEGORIES; c1++) {
    for (int c2 = c1 + 1; c2 < LABEL_MCS_CATEGORIES; c2++) {
      int rc = take_if_free(in_use, n, c1, c2, label, err);
      if (rc <= 0)
        return rc;
    }
  }
  return lab_error_set(err, 0, "every MCS category pair is in use");
}

char *label_file_label(const char *process_label)
{
  int c1, c2;
  if (label_mcs_pair(process_label, &c1, &c2) < 0)
    return NULL;
  char *out = NULL;
  if (asprintf(&out, "system_u:object_r:container_file_t:s0:c%d,c%d", c1, c2) < 0)
    return NULL;
  return out;
}

bool label_selinux_enabled(void)
{
  return is_selinux_enabled() > 0;
}

int label_set_exec(const char *label, struct lab_error **err)
{
  if (!label_selinux_enabled() || label == NULL)
    return 0;
  if (setexeccon(label) < 0)
    return lab_error_errno(err, "setexeccon %s", label);
  return 0;
}

/* nftw has no user pointer: the walk is single-threaded and short. */
static const char *relabel_target;
static int relabel_errno;
static char relabel_failed_path[4096];

static int relabel_one(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
  if (lsetfilecon(fpath, relabel_target) < 0) {
    relabel_errno = errno;
    snprintf(relabel_failed_path, sizeof relabel_failed_path, "%s", fpath);
    return 1;
  }
  return 0;
}

int label_relabel_tree(const char *path, const char *file_label, struct lab_error **err)
{
  if (!label_selinux_enabled())
    return 0;
  relabel_target = file_label;
  relabel_errno = 0;
  int rc = nftw(path, relabel_one, 32, FTW_PHYS);
  if (rc < 0)
    return lab_error_errno(err, "relabel %s", path);
  if (rc > 0)
    return lab_error_set(err, relabel_errno, "relabel %s to %s", relabel_failed_path, file_label);
  return 0;
}
