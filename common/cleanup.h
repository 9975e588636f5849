/* Scope guards and explicit hand-over of ownership (crun utils.h, bubblewrap utils.h).
 * These use __attribute__((cleanup)), a GCC/Clang extension; nodelab needs one of them. */
#ifndef NODELAB_CLEANUP_H
#define NODELAB_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

static inline void cleanup_free_fn(void *p)
{
  free(*(void **)p);
}
static inline void cleanup_close_fn(int *fd)
{
  if (*fd >= 0) {
    int saved = errno;
    close(*fd);
    errno = saved;
  }
}
static inline void cleanup_fclose_fn(FILE **f)
{
  if (*f != NULL)
    fclose(*f);
}
static inline void cleanup_closedir_fn(DIR **d)
{
  if (*d != NULL)
    closedir(*d);
}

#define cleanup_free __attribute__((cleanup(cleanup_free_fn)))
#define cleanup_close __attribute__((cleanup(cleanup_close_fn)))
#define cleanup_fclose __attribute__((cleanup(cleanup_fclose_fn)))
#define cleanup_closedir __attribute__((cleanup(cleanup_closedir_fn)))

/* Returns *pp and sets *pp to NULL: the caller takes ownership. */
static inline void *steal_pointer_impl(void *pp)
{
  void **p = pp;
  void *v = *p;
  *p = NULL;
  return v;
}
#define steal_pointer(pp) steal_pointer_impl(pp)

/* Returns *fdp and sets *fdp to -1. */
static inline int steal_fd(int *fdp)
{
  int fd = *fdp;
  *fdp = -1;
  return fd;
}

#endif
