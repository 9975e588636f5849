/* The web view's server in nodelabd: HTTP on a loopback TCP port only,
 * behind a random token given in the URL it prints (as Jupyter does).  It
 * serves the page and its assets (installed from npm by the build, never
 * fetched from the internet), the REST API under /api (the same routes as the
 * unix socket), and each lab's events as Server-Sent Events.
 *
 * Every request must name the listen address in Host, and in Origin when it
 * has one (403 otherwise: no DNS rebinding, no cross-site request), and
 * carry the token (401 otherwise): ?token=T (the page's first load, which
 * sets it as a SameSite=Strict cookie), that cookie, or X-Nodelab-Token. */
#ifndef NODELAB_WEB_H
#define NODELAB_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct event_base;
struct evhttp_request;
struct lab_events;

/* What the server needs of nodelabd: the API's dispatcher (path without the
 * /api prefix), and a lab's events by name (NULL: no such lab). */
struct web_hooks {
  void (*dispatch)(struct evhttp_request *req, const char *path);
  struct lab_events *(*lab_events)(const char *lab);
  /* The host pid of a running node's init, or 0 (terminals). */
  pid_t (*node_pid)(const char *lab, const char *node);
};

/* (Re)starts the server on listen ("127.0.0.1:PORT", "localhost:PORT" or
 * "PORT"; port 0: any free one) with a fresh token, stopping a previous one;
 * the view's URL (with the token) into url.  A non-loopback address is
 * refused.  Returns 0, or -1 and *err. */
int web_start(struct event_base *base, const char *listen, const struct web_hooks *hooks, char *url,
              size_t url_size, struct lab_error **err);

/* Stops the server (accepts being called when none runs). */
void web_stop(void);

/* The terminals' WebSocket server (web-terminal.c), which web_start() starts
 * beside the page's: what it asks of the page's server. */
struct web_terminal_gate {
  /* Whether a handshake with these headers (each may be NULL) may proceed,
   * on the terminals' port. */
  bool (*allowed)(const char *host, const char *origin, const char *cookie, int port);
  pid_t (*node_pid)(const char *lab, const char *node);
};
int web_terminal_start(struct event_base *base, const struct web_terminal_gate *gate, int *port,
                       struct lab_error **err);
void web_terminal_stop(void);

#endif
