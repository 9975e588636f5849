#include "lab-events.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "api.h"
#include "timefmt.h"
#include "xalloc.h"

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
  struct lab_events *ev = xcalloc(1, sizeof *ev);
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

struct json_object *lab_events_json(const struct lab_events *ev, uint64_t since)
{
  uint64_t oldest = ev->next_seq > LAB_EVENTS_KEPT ? ev->next_seq - LAB_EVENTS_KEPT : 1;
  if (since < oldest)
    since = oldest;
  size_t n = since < ev->next_seq ? (size_t)(ev->next_seq - since) : 0;
  struct api_events out = {.next = (int64_t)ev->next_seq};
  out.events = calloc(n ? n : 1, sizeof *out.events);
  char(*stamps)[TIMEFMT_ISO_LEN] = calloc(n ? n : 1, sizeof *stamps);
  if (out.events == NULL || stamps == NULL)
    abort();
  for (uint64_t s = since; s < ev->next_seq; s++) {
    const struct lab_event *e = &ev->ring[s % LAB_EVENTS_KEPT];
    size_t i = out.n_events++;
    timefmt_iso(stamps[i],
                &(struct timespec){.tv_sec = e->when.tv_sec, .tv_nsec = e->when.tv_usec * 1000}, 3);
    out.events[i] = (struct api_event){.seq = (int64_t)e->seq,
                                       .time = stamps[i],
                                       .kind = e->kind,
                                       .object = e->object,
                                       .message = e->message};
  }
  struct json_object *o = api_events_encode(&out);
  api_events_release(&out);
  free(stamps);
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
  e->message = xvasprintf(fmt, ap);
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
  struct waiter *w = xcalloc(1, sizeof *w);
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
