#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 2, 0))) static char *format_message(int errnum, const char *fmt,
                                                                  va_list ap)
{
  char *base = NULL;
  if (vasprintf(&base, fmt, ap) < 0)
    abort();
  if (errnum == 0)
    return base;
  char *full = NULL;
  if (asprintf(&full, "%s: %s", base, strerror(errnum)) < 0)
    abort();
  free(base);
  return full;
}

__attribute__((format(printf, 3, 0))) static int error_vset(struct lab_error **err, int errnum,
                                                            const char *fmt, va_list ap)
{
  if (err == NULL || *err != NULL)
    return -1;
  struct lab_error *e = calloc(1, sizeof *e);
  if (e == NULL)
    abort();
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
  char *ctx = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&ctx, fmt, ap) < 0)
    abort();
  va_end(ap);
  char *full = NULL;
  if (asprintf(&full, "%s: %s", ctx, (*err)->msg) < 0)
    abort();
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
