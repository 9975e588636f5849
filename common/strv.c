#include "strv.h"

#include <stdlib.h>

#include "xalloc.h"

size_t strv_len(const char *const *v)
{
  size_t n = 0;
  while (v != NULL && v[n] != NULL)
    n++;
  return n;
}

char **strv_dup(char *const *v)
{
  if (v == NULL)
    return NULL;
  size_t n = strv_len((const char *const *)v);
  char **out = xcalloc(n + 1, sizeof *out);
  for (size_t i = 0; i < n; i++)
    out[i] = xstrdup(v[i]);
  return out;
}

void strv_free(char **v)
{
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    free(v[i]);
  free(v);
}

void strv_push(char ***v, const char *s)
{
  size_t n = strv_len((const char *const *)*v);
  *v = xnonnull(realloc(*v, (n + 2) * sizeof **v));
  (*v)[n] = xstrdup(s);
  (*v)[n + 1] = NULL;
}
