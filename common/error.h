/* One error convention for all of nodelab (after crun's libcrun/error.h).
 *
 * A fallible function returns int: 0 (or a non-negative value) on success,
 * -1 on failure, and on failure fills its last parameter `struct lab_error **err`
 * with an errno value and a message.  A caller that adds context wraps the
 * message: "creating node1: mkdir /sys/fs/cgroup/...: Permission denied".
 * A library never exits the process; only main() decides to. */
#ifndef NODELAB_ERROR_H
#define NODELAB_ERROR_H

#include <stdarg.h>

struct lab_error {
  int errnum; /* errno value, or 0 when the failure is not a system error */
  char *msg;  /* owned; never NULL */
};

/* Fills *err (when err is not NULL and *err is still NULL) with errnum and the
 * formatted message; when errnum != 0, ": strerror(errnum)" is appended.
 * Returns -1 always, so callers can write `return lab_error_set(err, ...)`. */
int lab_error_set(struct lab_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like lab_error_set(), but the message is whole (no strerror appended):
 * for a refusal whose errnum only classifies it (ENOENT: no such object,
 * EINVAL: a bad argument...), which the caller maps to a status. */
int lab_error_refuse(struct lab_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like lab_error_set() with errnum = errno (captured before formatting). */
int lab_error_errno(struct lab_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefixes the message of an existing *err with "context: ".  Returns -1. */
int lab_error_wrap(struct lab_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Frees *err and sets it to NULL.  Accepts NULL and *err == NULL. */
void lab_error_clear(struct lab_error **err);

/* Scope guard: `cleanup_error struct lab_error *err = NULL;` */
#define cleanup_error __attribute__((cleanup(lab_error_clear)))

#endif
