/* Names of enum values, kept in tables indexed by the enum:
 *
 *   static const char *const state_names[] = {[S_UP] = "up", [S_DOWN] = "down"};
 *   static_assert(NAMES_N(state_names) == S_N, "a name per state");
 *
 * and read, in both directions, through the two functions here. */
#ifndef NODELAB_NAMES_H
#define NODELAB_NAMES_H

#include <stddef.h>

/* The number of entries of a names table (an array, not a pointer). */
#define NAMES_N(table) (sizeof(table) / sizeof((table)[0]))

/* table[v], or dflt when v is out of range or has no name (NULL). */
const char *names_get(const char *const *table, size_t n, size_t v, const char *dflt);

/* The index of name in table[0..n), or -1 when name is NULL or not there. */
int names_find(const char *const *table, size_t n, const char *name);

#endif
