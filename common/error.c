#include "error.h"

#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 2, 0))) static char *format_message(int errnum, const char *fmt,
                                                                  va_list ap)
{
  char *base = xvasprintf(fmt, ap);
  if (errnum == 0)
    return base;
  char *full = xasprintf("%s: %s", base, strerror(errnum));
  free(base);
  return full;
}

__attribute__((format(printf, 3, 0))) static int error_vset(struct lab_error **err, int errnum,
                                                            const char *fmt, va_list ap)
{
  if (err == NULL || *err != NULL)
    return -1;
  struct lab_error *e = xcalloc(1, sizeof *e);
  e->errnum = errnum;
  e->msg = format_message(errnum, fmt, ap);
  *err = e;
  return -1;
}

int lab_error_set(struct lab_error **err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  error_vset(err, errnum, fmt, ap);
  va_end(ap);
  return -1;
}

int lab_error_refuse(struct lab_error **err, int errnum, const char *fmt, ...)
{
  if (err == NULL || *err != NULL)
    return -1;
  va_list ap;
  va_start(ap, fmt);
  error_vset(err, 0, fmt, ap);
  va_end(ap);
  (*err)->errnum = errnum;
  return -1;
}

int lab_error_errno(struct lab_error **err, const char *fmt, ...)
{
  int saved = errno;
  va_list ap;
  va_start(ap, fmt);
  error_vset(err, saved, fmt, ap);
  va_end(ap);
  errno = saved;
  return -1;
}

int lab_error_wrap(struct lab_error **err, const char *fmt, ...)
{
  if (err == NULL || *err == NULL)
    return -1;
  va_list ap;
  va_start(ap, fmt);
  char *ctx = xvasprintf(fmt, ap);
  va_end(ap);
  char *full = xasprintf("%s: %s", ctx, (*err)->msg);
  free(ctx);
  free((*err)->msg);
  (*err)->msg = full;
  return -1;
}

void lab_error_clear(struct lab_error **err)
{
  if (err == NULL || *err == NULL)
    return;
  free((*err)->msg);
  free(*err);
  *err = NULL;
}
