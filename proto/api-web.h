/* The REST API's web view messages:
 *
 *   POST /v1/web   {"listen": "127.0.0.1:8765"} (absent: a free port)   struct api_web_start
 *                  200 {"url": "http://127.0.0.1:8765/?token=..."}       struct api_web_started
 *                  400 a listen address that is not loopback
 *
 * The view itself (nodes/web.h) serves the same API under /api on that
 * port, and GET /api/v1/labs/LAB/stream as Server-Sent Events. */
#ifndef NODELAB_PROTO_API_WEB_H
#define NODELAB_PROTO_API_WEB_H

#include "error.h"

struct json_object;

struct api_web_start {
  const char *listen; /* NULL: 127.0.0.1 on a free port */
};
struct json_object *api_web_start_encode(const struct api_web_start *m);
/* Strings borrowed from o.  A listen that is not a string: EPROTO. */
int api_web_start_decode(struct json_object *o, struct api_web_start *out, struct lab_error **err);

struct api_web_started {
  const char *url;
};
struct json_object *api_web_started_encode(const struct api_web_started *m);
/* A reply without a url: EPROTO. */
int api_web_started_decode(struct json_object *o, struct api_web_started *out,
                           struct lab_error **err);

#endif
