/* A small blocking HTTP/1.1 client over a unix socket: what the CLI needs to
 * talk to nodelabd (proto/api.h).  One request per connection
 * ("Connection: close"); replies framed by Content-Length, chunked
 * transfer-encoding, or the end of the connection are all understood.
 *
 * Errors follow common/error.h.  The errnum of a failure tells the caller
 * what kind it was: ENOENT or ECONNREFUSED (nobody listens on the socket),
 * ETIMEDOUT (the deadline passed), EPROTO (the peer did not speak HTTP/1.x
 * as expected; the message says what was wrong), other values (a system call
 * failed). */
#ifndef NODELAB_HTTP_CLIENT_H
#define NODELAB_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct http_response;

/* Connects to the unix socket at socket_path, sends `method target` with body
 * (JSON text, may be NULL: no body) and reads the whole reply.  timeout_ms
 * bounds the whole exchange, connect included (<= 0: no bound).  On success
 * returns 0 and a new response in *out, whatever its status code (404 is a
 * reply, not a failure); free it with http_response_free().  On failure
 * returns -1, *out is untouched, and *err says what and where. */
int http_request(const char *socket_path, const char *method, const char *target, const char *body,
                 int timeout_ms, struct http_response **out, struct lab_error **err);

/* Like http_request() on an already connected stream socket fd, which is
 * neither closed nor shut down (tests use a socketpair). */
int http_request_fd(int fd, const char *method, const char *target, const char *body,
                    int timeout_ms, struct http_response **out, struct lab_error **err);

/* The status code (100..599). */
int http_response_status(const struct http_response *r);

/* The decoded body (chunked framing removed), always NUL-terminated; owned by r.
 * An empty body is "". */
const char *http_response_body(const struct http_response *r);
size_t http_response_body_length(const struct http_response *r);

/* The value of the first header called `name` (case-insensitive), leading and
 * trailing blanks removed; owned by r.  NULL when absent. */
const char *http_response_header(const struct http_response *r, const char *name);

/* Frees r; accepts NULL. */
void http_response_free(struct http_response *r);

/* True when err says that nothing listens on the socket (no daemon). */
bool http_error_is_unreachable(const struct lab_error *err);

#endif
