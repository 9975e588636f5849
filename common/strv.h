/* NULL-terminated vectors of strings (argv, env): char **v, v[n] == NULL,
 * each string and the vector malloc'd. */
#ifndef NODELAB_STRV_H
#define NODELAB_STRV_H

#include <stddef.h>

/* The number of strings in v; 0 when v is NULL. */
size_t strv_len(const char *const *v);

/* A deep copy of v, owned by the caller (release with strv_free()); NULL when
 * v is NULL.  Aborts when out of memory. */
char **strv_dup(char *const *v);

/* Appends a copy of s to *v (NULL: an empty vector), keeping it
 * NULL-terminated.  Aborts when out of memory. */
void strv_push(char ***v, const char *s);

/* Frees each string of v, then v.  Accepts NULL. */
void strv_free(char **v);

#endif
