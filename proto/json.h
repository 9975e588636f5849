/* Reading JSON objects, once for every component that speaks json-c (the CLI,
 * nodelabd, nodelab-init, the runtime; never netd, whose libopenvswitch has
 * json names of its own).
 *
 * Each getter returns what is there when it has the right type, and a "not
 * there" value otherwise (absent, null or of another type alike): NULL for
 * strings, objects and arrays, dflt for numbers and booleans.  A caller that
 * wants a placeholder picks it itself: `json_get_str(o, "ip") ?: "-"`.
 * o may be NULL.  Returned strings and objects are borrowed from o. */
#ifndef NODELAB_PROTO_JSON_H
#define NODELAB_PROTO_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "strv.h"

struct json_object;

const char *json_get_str(struct json_object *o, const char *key);
int64_t json_get_int(struct json_object *o, const char *key, int64_t dflt);
bool json_get_bool(struct json_object *o, const char *key, bool dflt);
/* An object or array member, or NULL. */
struct json_object *json_get_object(struct json_object *o, const char *key);
struct json_object *json_get_array(struct json_object *o, const char *key);

/* A new NULL-terminated copy of the array of strings at key (NULL when absent
 * or not an array of strings); free it with strv_free() (common/strv.h). */
char **json_get_strv(struct json_object *o, const char *key);

/* Adds key: value when value is not NULL (json-c's object_add would store
 * null); the common case of optional string fields. */
void json_add_str(struct json_object *o, const char *key, const char *value);

#endif
