#include "lab-events.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <json-c/json.h>

#include "timefmt.h"

#define LAB_EVENTS_KEPT 1024

struct lab_event {
  uint64_t seq;
  struct timeval when;
  char *kind, *object, *message;
};

struct waiter {
  uint64_t since;
  lab_events_wait_cb *cb;
  void *arg;
  struct waiter *next;
};

struct lab_events {
  struct lab_event ring[LAB_EVENTS_KEPT];
  uint64_t next_seq; /* the number of the next event; the ring holds the last LAB_EVENTS_KEPT */
  struct waiter *waiters;
};

struct lab_events *lab_events_new(void)
{
  struct lab_events *ev = calloc(1, sizeof *ev);
  if (ev == NULL)
    abort();
  ev->next_seq = 1;
  return ev;
}

static void event_clear(struct lab_event *e)
{
  free(e->kind);
  free(e->object);
  free(e->message);
  memset(e, 0, sizeof *e);
}

void lab_events_free(struct lab_events *ev)
{
  if (ev == NULL)
    return;
  while (ev->waiters != NULL) {
    struct waiter *w = ev->waiters;
    ev->waiters = w->next;
    w->cb(NULL, w->arg);
    free(w);
  }
  for (size_t i = 0; i < LAB_EVENTS_KEPT; i++)
    event_clear(&ev->ring[i]);
  free(ev);
}

uint64_t lab_events_next(const struct lab_events *ev)
{
  return ev->next_seq;
}

static struct json_object *event_json(const struct lab_event *e)
{
  struct json_object *o = json_object_new_object();
  char stamp[TIMEFMT_ISO_LEN];
  timefmt_iso(stamp,
              &(struct timespec){.tv_sec = e->when.tv_sec, .tv_nsec = e->when.tv_usec * 1000}, 3);
  json_object_object_add(o, "seq", json_object_new_int64((int64_t)e->seq));
  json_object_object_add(o, "time", json_object_new_string(stamp));
  json_object_object_add(o, "kind", json_object_new_string(e->kind));
  json_object_object_add(o, "object", e->object ? json_object_new_string(e->object) : NULL);
  json_object_object_add(o, "message", json_object_new_string(e->message));
  return o;
}

struct json_object *lab_events_json(const struct lab_events *ev, uint64_t since)
{
  uint64_t oldest = ev->next_seq > LAB_EVENTS_KEPT ? ev->next_seq - LAB_EVENTS_KEPT : 1;
  if (since < oldest)
    since = oldest;
  struct json_object *arr = json_object_new_array();
  for (uint64_t s = since; s < ev->next_seq; s++)
    json_object_array_add(arr, event_json(&ev->ring[s % LAB_EVENTS_KEPT]));
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "events", arr);
  json_object_object_add(o, "next", json_object_new_int64((int64_t)ev->next_seq));
  return o;
}

void lab_events_add(struct lab_events *ev, const char *kind, const char *object, const char *fmt,
                    ...)
{
  struct lab_event *e = &ev->ring[ev->next_seq % LAB_EVENTS_KEPT];
  event_clear(e);
  e->seq = ev->next_seq++;
  gettimeofday(&e->when, NULL);
  e->kind = strdup(kind);
  e->object = object ? strdup(object) : NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&e->message, fmt, ap) < 0)
    abort();
  va_end(ap);
  /* Wake every waiter: each gets what it has not seen yet. */
  struct waiter *w = ev->waiters;
  ev->waiters = NULL;
  while (w != NULL) {
    struct waiter *next = w->next;
    w->cb(lab_events_json(ev, w->since), w->arg);
    free(w);
    w = next;
  }
}

void *lab_events_wait(struct lab_events *ev, uint64_t since, lab_events_wait_cb *cb, void *arg)
{
  struct waiter *w = calloc(1, sizeof *w);
  if (w == NULL)
    abort();
  w->since = since;
  w->cb = cb;
  w->arg = arg;
  w->next = ev->waiters;
  ev->waiters = w;
  return w;
}

void lab_events_cancel(struct lab_events *ev, void *handle)
{
  for (struct waiter **p = &ev->waiters; *p != NULL; p = &(*p)->next) {
    if (*p == handle) {
      struct waiter *w = *p;
      *p = w->next;
      free(w);
      return;
    }
  }
}
