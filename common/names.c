#include "names.h"

#include <string.h>

const char *names_get(const char *const *table, size_t n, size_t v, const char *dflt)
{
  return v < n && table[v] != NULL ? table[v] : dflt;
}

int names_find(const char *const *table, size_t n, const char *name)
{
  for (size_t i = 0; name != NULL && i < n; i++)
    if (table[i] != NULL && strcmp(table[i], name) == 0)
      return (int)i;
  return -1;
}
