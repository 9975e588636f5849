/* The REST API's web view messages (api-web.h). */
#include "api-web.h"

#include <errno.h>

#include <json-c/json.h>

#include "json.h"

static int not_object(struct json_object *o, const char *what, struct lab_error **err)
{
  if (o == NULL || !json_object_is_type(o, json_type_object))
    return lab_error_refuse(err, EPROTO, "%s is not a JSON object", what);
  return 0;
}

struct json_object *api_web_start_encode(const struct api_web_start *m)
{
  struct json_object *o = json_object_new_object();
  if (m->listen != NULL)
    json_object_object_add(o, "listen", json_object_new_string(m->listen));
  return o;
}

int api_web_start_decode(struct json_object *o, struct api_web_start *out, struct lab_error **err)
{
  *out = (struct api_web_start){0};
  if (not_object(o, "web request", err) < 0)
    return -1;
  struct json_object *v;
  if (json_object_object_get_ex(o, "listen", &v) && !json_object_is_type(v, json_type_null)) {
    if (!json_object_is_type(v, json_type_string))
      return lab_error_refuse(err, EPROTO, "listen: not a string (give 127.0.0.1:PORT)");
    out->listen = json_object_get_string(v);
  }
  return 0;
}

struct json_object *api_web_started_encode(const struct api_web_started *m)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "url", json_object_new_string(m->url));
  return o;
}

int api_web_started_decode(struct json_object *o, struct api_web_started *out,
                           struct lab_error **err)
{
  *out = (struct api_web_started){0};
  if (not_object(o, "web reply", err) < 0)
    return -1;
  out->url = json_get_str(o, "url");
  if (out->url == NULL)
    return lab_error_refuse(err, EPROTO, "web reply: no url");
  return 0;
}
