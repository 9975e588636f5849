/* Allocation that does not fail: on out-of-memory these abort(), which is
 * what every nodelab component does (there is no recovery worth writing).
 *
 * The names and meanings are Open vSwitch's (lib/util.h).  They are static
 * inline so that no object file defines them: netd links libopenvswitch,
 * whose util.o defines the same symbols; a netd file that wants them includes
 * OVS's util.h instead of this header. */
#ifndef NODELAB_XALLOC_H
#define NODELAB_XALLOC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns p; aborts when p is NULL (an allocation that failed). */
static inline void *xnonnull(void *p)
{
  if (p == NULL)
    abort();
  return p;
}

/* calloc(n, size), never NULL (a zero-sized request still gets a block). */
static inline void *xcalloc(size_t n, size_t size)
{
  return xnonnull(calloc(n ? n : 1, size ? size : 1));
}

/* A copy of s owned by the caller; NULL when s is NULL (callers that want a
 * default write `xstrdup(s ?: "")`). */
static inline char *xstrdup(const char *s)
{
  return s != NULL ? xnonnull(strdup(s)) : NULL;
}

/* The first n bytes of s (or all of it when shorter), NUL-terminated. */
static inline char *xstrndup(const char *s, size_t n)
{
  return xnonnull(strndup(s, n));
}

/* vasprintf() into a string the caller owns. */
static inline __attribute__((format(printf, 1, 0))) char *xvasprintf(const char *fmt, va_list ap)
{
  char *s = NULL;
  if (vasprintf(&s, fmt, ap) < 0)
    abort();
  return s;
}

/* asprintf() into a string the caller owns. */
static inline __attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *s = xvasprintf(fmt, ap);
  va_end(ap);
  return s;
}

/* Appends one zeroed element of size elem to the array *arrp points to (of *n
 * elements) and returns it; *n counts it.  arrp is the address of the array
 * pointer (T **, NULL for an empty array); XAPPEND() says it with types. */
static inline void *xappend(void *arrp, size_t *n, size_t elem)
{
  char **arr = arrp;
  *arr = xnonnull(realloc(*arr, (*n + 1) * elem));
  return memset(*arr + (*n)++ * elem, 0, elem);
}
#define XAPPEND(arr, n) ((__typeof__(&(arr)[0]))xappend(&(arr), &(n), sizeof *(arr)))

/* Frees the pointer at byte offset off in each of the n elements (of size
 * elem) of arr, then arr.  Accepts NULL.  XFREE_ARRAY() names the member. */
static inline void xfree_array(void *arr, size_t n, size_t elem, size_t off)
{
  for (size_t i = 0; arr != NULL && i < n; i++)
    free(*(void **)((char *)arr + i * elem + off));
  free(arr);
}
#define XFREE_ARRAY(arr, n, member)                                                                \
  xfree_array((arr), (n), sizeof *(arr), offsetof(__typeof__(*(arr)), member))

#endif
