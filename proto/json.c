#include "json.h"
#include "strv.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

static struct json_object *member(struct json_object *o, const char *key, enum json_type type)
{
  struct json_object *v;
  if (o == NULL || !json_object_is_type(o, json_type_object) ||
      !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
    return NULL;
  return v;
}

const char *json_get_str(struct json_object *o, const char *key)
{
  struct json_object *v = member(o, key, json_type_string);
  return v ? json_object_get_string(v) : NULL;
}

int64_t json_get_int(struct json_object *o, const char *key, int64_t dflt)
{
  struct json_object *v = member(o, key, json_type_int);
  return v ? json_object_get_int64(v) : dflt;
}

bool json_get_bool(struct json_object *o, const char *key, bool dflt)
{
  struct json_object *v = member(o, key, json_type_boolean);
  return v ? json_object_get_boolean(v) : dflt;
}

struct json_object *json_get_object(struct json_object *o, const char *key)
{
  return member(o, key, json_type_object);
}

struct json_object *json_get_array(struct json_object *o, const char *key)
{
  return member(o, key, json_type_array);
}

char **json_get_strv(struct json_object *o, const char *key)
{
  struct json_object *a = json_get_array(o, key);
  if (a == NULL)
    return NULL;
  size_t n = json_object_array_length(a);
  char **v = xcalloc(n + 1, sizeof *v);
  for (size_t i = 0; i < n; i++) {
    struct json_object *s = json_object_array_get_idx(a, i);
    if (!json_object_is_type(s, json_type_string)) {
      strv_free(v);
      return NULL;
    }
    v[i] = xstrdup(json_object_get_string(s));
  }
  return v;
}

void json_add_str(struct json_object *o, const char *key, const char *value)
{
  if (value != NULL)
    json_object_object_add(o, key, json_object_new_string(value));
}
