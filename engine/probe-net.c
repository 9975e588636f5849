/* The probes' network work: ICMP echo, TCP connect/send/expect, HTTP GET and
 * a UDP exchange, each bounded by one deadline (ppoll on non-blocking
 * sockets), in the current network namespace. */
#include "probe-internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"

#ifndef ICMP_FILTER
#define ICMP_FILTER 1 /* <linux/icmp.h>, which clashes with <netinet/ip_icmp.h> */
#endif

/* What a TCP or HTTP probe reads at most: enough for a page with its body. */
#define PROBE_READ_MAX (1024 * 1024)

/* "Our deadline passed", beside errno values in a connect's outcome. */
#define DEADLINE_PASSED (-1)

static int64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double ms_since(int64_t start)
{
  return (double)(now_ns() - start) / 1e6;
}

/* Waits until fd has one of events or deadline passes.  Returns 1 (ready),
 * 0 (deadline), or -1 and *err. */
static int wait_fd(int fd, short events, int64_t deadline, struct lab_error **err)
{
  for (;;) {
    int64_t left = deadline - now_ns();
    if (left <= 0)
      return 0;
    struct timespec ts = {.tv_sec = left / 1000000000, .tv_nsec = left % 1000000000};
    struct pollfd p = {.fd = fd, .events = events};
    int n = ppoll(&p, 1, &ts, NULL);
    if (n < 0 && errno != EINTR)
      return lab_error_errno(err, "poll");
    if (n > 0)
      return 1;
  }
}

static struct sockaddr_in target_sockaddr(const struct probe_spec *s)
{
  return (struct sockaddr_in){
      .sin_family = AF_INET, .sin_port = htons(s->port), .sin_addr = s->addr};
}

/* ---- ping ---- */

static uint16_t inet_checksum(const void *data, size_t len)
{
  const uint8_t *p = data;
  uint32_t sum = 0;
  for (; len > 1; p += 2, len -= 2)
    sum += (uint32_t)p[0] << 8 | p[1];
  if (len == 1)
    sum += (uint32_t)p[0] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return htons((uint16_t)~sum);
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n)
{
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const char *icmp_error_words(int type, int code)
{
  if (type == ICMP_TIME_EXCEEDED)
    return "ICMP time exceeded";
  switch (code) {
  case ICMP_NET_UNREACH:
    return "ICMP network unreachable";
  case ICMP_HOST_UNREACH:
    return "ICMP host unreachable";
  case ICMP_PKT_FILTERED:
  case ICMP_NET_ANO:
  case ICMP_HOST_ANO:
    return "ICMP administratively prohibited";
  default:
    return "ICMP destination unreachable";
  }
}

struct ping_state {
  const struct probe_spec *spec;
  bool raw;       /* a raw socket: we see IP headers and others' ICMP */
  uint16_t id;    /* raw only; the kernel picks it for a datagram socket */
  uint64_t nonce; /* in every echo's payload, so stray replies are ignored */
  int64_t sent_at[PROBE_MAX_PING_COUNT];
  bool answered[PROBE_MAX_PING_COUNT];
  double rtt[PROBE_MAX_PING_COUNT];
  int sent, received;
  int send_errno;                 /* the last failed sendto's */
  int err_type, err_code;         /* an ICMP error about one of our echoes */
  char err_from[INET_ADDRSTRLEN]; /* ... and who sent it */
};

static void ping_error_seen(struct ping_state *st, const uint8_t *icmp, size_t len,
                            const struct sockaddr_in *from)
{
  /* type, code, checksum, unused (8 bytes), then the offending IP header and
   * the first 8 bytes of our echo. */
  if (len < 8 + sizeof(struct iphdr))
    return;
  const struct iphdr *inner = (const struct iphdr *)(icmp + 8);
  size_t ihl = (size_t)inner->ihl * 4;
  if (ihl < sizeof *inner || len < 8 + ihl + 8 || inner->protocol != IPPROTO_ICMP ||
      inner->daddr != st->spec->addr.s_addr)
    return;
  const struct icmphdr *echo = (const struct icmphdr *)(icmp + 8 + ihl);
  if (echo->type != ICMP_ECHO || ntohs(echo->un.echo.id) != st->id)
    return;
  st->err_type = icmp[0];
  st->err_code = icmp[1];
  inet_ntop(AF_INET, &from->sin_addr, st->err_from, sizeof st->err_from);
}

static void ping_packet(struct ping_state *st, const uint8_t *buf, size_t n,
                        const struct sockaddr_in *from)
{
  const uint8_t *icmp = buf;
  if (st->raw) {
    if (n < sizeof(struct iphdr))
      return;
    size_t ihl = (size_t)((const struct iphdr *)buf)->ihl * 4;
    if (ihl < sizeof(struct iphdr) || n < ihl + 8)
      return;
    icmp = buf + ihl;
    n -= ihl;
  }
  if (n < 8)
    return;
  const struct icmphdr *h = (const struct icmphdr *)icmp;
  if (st->raw && (h->type == ICMP_DEST_UNREACH || h->type == ICMP_TIME_EXCEEDED)) {
    ping_error_seen(st, icmp, n, from);
    return;
  }
  if (h->type != ICMP_ECHOREPLY || from->sin_addr.s_addr != st->spec->addr.s_addr)
    return;
  if (st->raw && ntohs(h->un.echo.id) != st->id)
    return;
  int seq = ntohs(h->un.echo.sequence);
  if (seq >= st->sent || st->answered[seq] || n < 8 + sizeof st->nonce ||
      memcmp(icmp + 8, &st->nonce, sizeof st->nonce) != 0)
    return;
  st->answered[seq] = true;
  st->rtt[st->received++] = (double)(now_ns() - st->sent_at[seq]) / 1e6;
}

/* Returns 0, or -1 when the network is unreachable (nothing will answer). */
static int ping_send(struct ping_state *st, int fd, uint8_t *pkt, size_t len)
{
  int seq = st->sent;
  struct icmphdr *h = (struct icmphdr *)pkt;
  *h = (struct icmphdr){.type = ICMP_ECHO};
  h->un.echo.id = htons(st->id);
  h->un.echo.sequence = htons((uint16_t)seq);
  memcpy(pkt + 8, &st->nonce, sizeof st->nonce);
  h->checksum = inet_checksum(pkt, len);
  struct sockaddr_in to = target_sockaddr(st->spec);
  to.sin_port = 0;
  st->sent_at[seq] = now_ns();
  st->sent++;
  if (sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof to) < 0) {
    st->send_errno = errno;
    if (errno == ENETUNREACH)
      return -1;
  }
  return 0;
}

int probe_run_ping(const struct probe_spec *s, struct probe_result *r, struct lab_error **err)
{
  const int64_t start = now_ns(), deadline = start + (int64_t)s->timeout_ms * 1000000;
  struct ping_state st = {.spec = s, .raw = true};
  cleanup_close int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (fd < 0 && (errno == EPERM || errno == EACCES)) {
    st.raw = false;
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  }
  if (fd < 0)
    return lab_error_errno(err, "ICMP socket (a raw one needs CAP_NET_RAW, a datagram one "
                                "net.ipv4.ping_group_range)");
  if (st.raw) {
    uint32_t pass = 1u << ICMP_ECHOREPLY | 1u << ICMP_DEST_UNREACH | 1u << ICMP_TIME_EXCEEDED;
    uint32_t filter = ~pass;
    (void)setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter); /* an optimisation */
  }
  /* Don't fragment, as `ping -M do`: a packet too big for a link on the way
   * is lost (or refused here: EMSGSIZE), which is what an MTU check looks for. */
  int pmtu = IP_PMTUDISC_DO;
  (void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
  if (getrandom(&st.nonce, sizeof st.nonce, 0) != sizeof st.nonce ||
      getrandom(&st.id, sizeof st.id, 0) != sizeof st.id)
    return lab_error_errno(err, "getrandom");

  size_t len = 8 + (size_t)s->ping.size;
  cleanup_free uint8_t *pkt = malloc(len);
  size_t cap = len + 1024; /* room for an IP header, or an ICMP error's quote */
  cleanup_free uint8_t *buf = malloc(cap);
  if (pkt == NULL || buf == NULL)
    return lab_error_errno(err, "allocating ICMP buffers");
  for (size_t i = 8; i < len; i++)
    pkt[i] = (uint8_t)i;

  char dur[PROBE_DURATION_LEN], ms[PROBE_DURATION_LEN];
  int64_t next_send = start;
  for (;;) {
    int64_t now = now_ns();
    if (st.sent < s->ping.count && now >= next_send) {
      if (ping_send(&st, fd, pkt, len) < 0) {
        probe_result_fail(r, "network unreachable");
        r->sent = st.sent;
        return 0;
      }
      next_send += (int64_t)s->ping.interval_ms * 1000000;
      continue;
    }
    if (st.received == s->ping.count || now >= deadline)
      break;
    int64_t wake = st.sent < s->ping.count && next_send < deadline ? next_send : deadline;
    int w = wait_fd(fd, POLLIN, wake, err);
    if (w < 0)
      return -1;
    for (;;) { /* drain */
      struct sockaddr_in from;
      socklen_t fromlen = sizeof from;
      ssize_t n = recvfrom(fd, buf, cap, MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break; /* EAGAIN; an error queued on a datagram socket says nothing we need */
      ping_packet(&st, buf, (size_t)n, &from);
    }
  }

  if (st.received == 0) {
    probe_result_fail(r, "no ICMP reply in %s", probe_duration_format(s->timeout_ms, dur));
    size_t o = strlen(r->reason);
    if (st.err_type != 0)
      snprintf(r->reason + o, sizeof r->reason - o, "; %s from %s",
               icmp_error_words(st.err_type, st.err_code), st.err_from);
    else if (st.send_errno != 0)
      snprintf(r->reason + o, sizeof r->reason - o, " (sending: %s)", strerror(st.send_errno));
    r->sent = st.sent;
    return 0;
  }
  double med = median(st.rtt, st.received);
  int lost = s->ping.count - st.received;
  int loss = lost * 100 / s->ping.count;
  if (s->ping.max_loss_percent != PROBE_LOSS_ANY_REPLY && loss > s->ping.max_loss_percent)
    probe_result_fail(r, "%d of %d ICMP echoes lost", lost, s->ping.count);
  else if (s->ping.max_rtt_ms > 0 && med > s->ping.max_rtt_ms)
    probe_result_fail(r, "RTT %s over maxRtt %g ms", probe_ms_format(med, ms), s->ping.max_rtt_ms);
  else {
    *r = (struct probe_result){.ok = true};
    snprintf(r->reason, sizeof r->reason, "%d of %d ICMP echoes answered, RTT %s", st.received,
             s->ping.count, probe_ms_format(med, ms));
  }
  r->latency_ms = med;
  r->sent = st.sent;
  r->received = st.received;
  return 0;
}

/* ---- TCP ---- */

static void connect_failed(struct probe_result *r, int e, int timeout_ms)
{
  char dur[PROBE_DURATION_LEN];
  switch (e) {
  case ECONNREFUSED:
    probe_result_fail(r, "TCP connect refused");
    break;
  case DEADLINE_PASSED:
  case ETIMEDOUT:
    probe_result_fail(r, "TCP connect timed out after %s", probe_duration_format(timeout_ms, dur));
    break;
  case EHOSTUNREACH:
    probe_result_fail(r, "no route to host");
    break;
  case ENETUNREACH:
    probe_result_fail(r, "network unreachable");
    break;
  default:
    probe_result_fail(r, "TCP connect: %s", strerror(e));
    break;
  }
}

/* Connects to the spec's target before deadline.  Returns 0 with *fdp the
 * connected socket, or with *fdp = -1 and the verdict in *r; -1 and *err
 * when no socket could be made. */
static int tcp_connect(const struct probe_spec *s, int64_t deadline, struct probe_result *r,
                       int *fdp, struct lab_error **err)
{
  *fdp = -1;
  cleanup_close int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return lab_error_errno(err, "TCP socket");
  struct sockaddr_in sa = target_sockaddr(s);
  int e = 0;
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    if (errno != EINPROGRESS) {
      e = errno;
    } else {
      int w = wait_fd(fd, POLLOUT, deadline, err);
      if (w < 0)
        return -1;
      socklen_t l = sizeof e;
      if (w == 0)
        e = DEADLINE_PASSED;
      else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
        e = errno;
    }
  }
  if (e != 0) {
    connect_failed(r, e, s->timeout_ms);
    return 0;
  }
  *fdp = steal_fd(&fd);
  return 0;
}

enum io_outcome { IO_DONE, IO_DEADLINE, IO_RESET, IO_EOF };

/* Sends all of data[0..len) before deadline.  Returns an outcome, or -1 and
 * *err. */
static int send_all(int fd, const char *data, size_t len, int64_t deadline, struct lab_error **err)
{
  while (len > 0) {
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data += n;
      len -= (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno != EAGAIN)
      return IO_RESET;
    int w = wait_fd(fd, POLLOUT, deadline, err);
    if (w <= 0)
      return w < 0 ? -1 : IO_DEADLINE;
  }
  return IO_DONE;
}

struct rbuf {
  char *data;
  size_t len, cap;
};

static void rbuf_free(struct rbuf *b)
{
  free(b->data);
}

/* Reads what fd has into b (NUL-terminated), waiting until deadline.  Returns
 * IO_DONE (bytes came), IO_EOF (end, or b holds PROBE_READ_MAX), IO_DEADLINE,
 * IO_RESET, or -1 and *err. */
static int read_some(int fd, struct rbuf *b, int64_t deadline, struct lab_error **err)
{
  if (b->len >= PROBE_READ_MAX)
    return IO_EOF;
  if (b->cap - b->len < 4096 + 1) {
    size_t cap = b->cap ? b->cap * 2 : 16384;
    char *d = realloc(b->data, cap);
    if (d == NULL)
      return lab_error_errno(err, "allocating a read buffer");
    b->data = d;
    b->cap = cap;
  }
  for (;;) {
    size_t room = b->cap - b->len - 1;
    if (room > PROBE_READ_MAX - b->len)
      room = PROBE_READ_MAX - b->len;
    ssize_t n = recv(fd, b->data + b->len, room, MSG_DONTWAIT);
    if (n > 0) {
      b->len += (size_t)n;
      b->data[b->len] = '\0';
      return IO_DONE;
    }
    if (n == 0)
      return IO_EOF;
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN)
      return IO_RESET;
    int w = wait_fd(fd, POLLIN, deadline, err);
    if (w <= 0)
      return w < 0 ? -1 : IO_DEADLINE;
  }
}

int probe_run_tcp(const struct probe_spec *s, struct probe_result *r, struct lab_error **err)
{
  const int64_t start = now_ns(), deadline = start + (int64_t)s->timeout_ms * 1000000;
  char dur[PROBE_DURATION_LEN], ms[PROBE_DURATION_LEN], q[96];
  cleanup_close int fd = -1;
  if (tcp_connect(s, deadline, r, &fd, err) < 0)
    return -1;
  if (fd < 0)
    return 0;
  double connect_ms = ms_since(start);
  probe_duration_format(s->timeout_ms, dur);

  if (s->tcp.send != NULL) {
    int o = send_all(fd, s->tcp.send, strlen(s->tcp.send), deadline, err);
    if (o < 0)
      return -1;
    if (o == IO_DEADLINE) {
      probe_result_fail(r, "TCP send timed out after %s", dur);
      return 0;
    }
    if (o == IO_RESET) {
      probe_result_fail(r, "TCP connection reset while sending");
      return 0;
    }
  }
  if (s->tcp.expect != NULL) {
    __attribute__((cleanup(rbuf_free))) struct rbuf b = {0};
    probe_quote(s->tcp.expect, q, sizeof q);
    for (;;) {
      int o = read_some(fd, &b, deadline, err);
      if (o < 0)
        return -1;
      if (o == IO_DONE && memmem(b.data, b.len, s->tcp.expect, strlen(s->tcp.expect)) != NULL)
        break;
      if (o == IO_DONE)
        continue;
      if (o == IO_RESET)
        probe_result_fail(r, "TCP connection reset");
      else if (b.len == 0 && o == IO_EOF)
        probe_result_fail(r, "TCP connection closed without an answer");
      else if (b.len == 0)
        probe_result_fail(r, "no TCP answer in %s", dur);
      else if (o == IO_EOF)
        probe_result_fail(r, "TCP answer lacks %s", q);
      else
        probe_result_fail(r, "TCP answer lacks %s after %s", q, dur);
      r->latency_ms = connect_ms;
      return 0;
    }
  }
  *r = (struct probe_result){.ok = true, .latency_ms = connect_ms};
  snprintf(r->reason, sizeof r->reason, "TCP connected in %s%s%s", probe_ms_format(connect_ms, ms),
           s->tcp.expect ? ", answer has " : "", s->tcp.expect ? q : "");
  return 0;
}

/* ---- HTTP ---- */

int probe_http_parse_head(const char *buf, size_t len, int *status, size_t *body_off,
                          long *content_length)
{
  const char *end = memmem(buf, len, "\r\n\r\n", 4);
  size_t sep = 4;
  const char *lf = memmem(buf, len, "\n\n", 2);
  if (end == NULL || (lf != NULL && lf < end)) {
    end = lf;
    sep = 2;
  }
  if (len >= 5 && memcmp(buf, "HTTP/", 5) != 0)
    return -1;
  if (end == NULL)
    return len > 65536 ? -1 : 0;
  /* "HTTP/1.1 200 OK" */
  const char *sp = memchr(buf, ' ', (size_t)(end - buf));
  if (sp == NULL || end - sp < 4)
    return -1;
  int st = 0;
  for (int i = 1; i <= 3; i++) {
    if (sp[i] < '0' || sp[i] > '9')
      return -1;
    st = st * 10 + (sp[i] - '0');
  }
  if ((sp + 4 < end && sp[4] != ' ' && sp[4] != '\r' && sp[4] != '\n') || st < 100)
    return -1;
  *status = st;
  *body_off = (size_t)(end - buf) + sep;
  *content_length = -1;
  for (const char *line = memchr(buf, '\n', (size_t)(end - buf)); line != NULL && line < end;
       line = memchr(line + 1, '\n', (size_t)(end - line - 1))) {
    const char *h = line + 1;
    if (end - h > 15 && strncasecmp(h, "Content-Length:", 15) == 0) {
      char *e;
      long v = strtol(h + 15, &e, 10);
      if (e != h + 15 && v >= 0)
        *content_length = v;
    }
  }
  return 1;
}

int probe_run_http(const struct probe_spec *s, struct probe_result *r, struct lab_error **err)
{
  const int64_t start = now_ns(), deadline = start + (int64_t)s->timeout_ms * 1000000;
  char dur[PROBE_DURATION_LEN], ms[PROBE_DURATION_LEN], q[96], host[PROBE_TARGET_LEN];
  probe_duration_format(s->timeout_ms, dur);
  cleanup_close int fd = -1;
  if (tcp_connect(s, deadline, r, &fd, err) < 0)
    return -1;
  if (fd < 0)
    return 0;

  probe_target_format(s, host);
  if (s->port == 80)
    *strchr(host, ':') = '\0';
  cleanup_free char *req = NULL;
  int n = asprintf(&req,
                   "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: nodelab-probe\r\nAccept: */*\r\n"
                   "Connection: close\r\n\r\n",
                   s->http.path, s->http.host ?: host);
  if (n < 0)
    return lab_error_errno(err, "formatting the HTTP request");
  int o = send_all(fd, req, (size_t)n, deadline, err);
  if (o < 0)
    return -1;
  if (o != IO_DONE) {
    if (o == IO_DEADLINE)
      probe_result_fail(r, "HTTP request timed out after %s", dur);
    else
      probe_result_fail(r, "TCP connection reset while sending the HTTP request");
    return 0;
  }

  __attribute__((cleanup(rbuf_free))) struct rbuf b = {0};
  int head = 0, status = 0;
  size_t body_off = 0;
  long clen = -1;
  for (;;) {
    o = read_some(fd, &b, deadline, err);
    if (o < 0)
      return -1;
    if (head == 0 && b.len > 0)
      head = probe_http_parse_head(b.data, b.len, &status, &body_off, &clen);
    if (head < 0) {
      probe_result_fail(r, "malformed HTTP response");
      return 0;
    }
    if (o == IO_DONE && !(head == 1 && clen >= 0 && b.len - body_off >= (size_t)clen))
      continue;
    if (o == IO_DONE || o == IO_EOF)
      break;
    if (o == IO_RESET && head == 0)
      probe_result_fail(r, "TCP connection reset before an HTTP response");
    else if (o == IO_RESET)
      probe_result_fail(r, "HTTP %d, then the TCP connection was reset", status);
    else if (head == 0)
      probe_result_fail(r, "no HTTP response in %s", dur);
    else
      probe_result_fail(r, "HTTP %d, body not complete in %s", status, dur);
    r->http_status = status;
    return 0;
  }
  if (head == 0) {
    probe_result_fail(r, "%s",
                      b.len == 0 ? "HTTP connection closed without a response"
                                 : "malformed HTTP response");
    return 0;
  }
  double total_ms = ms_since(start);
  const char *body = b.data + body_off;
  size_t body_len = b.len - body_off;
  if (clen >= 0 && body_len > (size_t)clen)
    body_len = (size_t)clen;
  if (s->http.status == 0 ? (status < 200 || status > 399) : status != s->http.status) {
    if (s->http.status == 0)
      probe_result_fail(r, "HTTP %d", status);
    else
      probe_result_fail(r, "HTTP %d, expected %d", status, s->http.status);
  } else if (s->http.body != NULL &&
             memmem(body, body_len, s->http.body, strlen(s->http.body)) == NULL) {
    probe_result_fail(r, "HTTP body lacks %s", probe_quote(s->http.body, q, sizeof q));
  } else {
    *r = (struct probe_result){.ok = true};
    snprintf(r->reason, sizeof r->reason, "HTTP %d in %s", status, probe_ms_format(total_ms, ms));
  }
  r->latency_ms = total_ms;
  r->http_status = status;
  return 0;
}

/* ---- UDP ---- */

static bool udp_error_verdict(struct probe_result *r, int e)
{
  switch (e) {
  case ECONNREFUSED:
    probe_result_fail(r, "ICMP port unreachable");
    return true;
  case EHOSTUNREACH:
    probe_result_fail(r, "no route to host");
    return true;
  case ENETUNREACH:
    probe_result_fail(r, "network unreachable");
    return true;
  default:
    return false;
  }
}

int probe_run_udp(const struct probe_spec *s, struct probe_result *r, struct lab_error **err)
{
  const int64_t start = now_ns(), deadline = start + (int64_t)s->timeout_ms * 1000000;
  char dur[PROBE_DURATION_LEN], ms[PROBE_DURATION_LEN], q[96];
  probe_duration_format(s->timeout_ms, dur);
  cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return lab_error_errno(err, "UDP socket");
  struct sockaddr_in sa = target_sockaddr(s);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    if (udp_error_verdict(r, errno))
      return 0;
    return lab_error_errno(err, "UDP connect");
  }
  if (send(fd, s->udp.payload, strlen(s->udp.payload), MSG_NOSIGNAL) < 0 && errno != EAGAIN &&
      errno != ENOBUFS) {
    if (udp_error_verdict(r, errno))
      return 0;
    probe_result_fail(r, "UDP send: %s", strerror(errno));
    return 0;
  }
  char buf[65536];
  bool other = false; /* an answer came that lacks the expected bytes */
  for (;;) {
    int w = wait_fd(fd, POLLIN, deadline, err);
    if (w < 0)
      return -1;
    if (w == 0)
      break;
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN)
        continue;
      if (udp_error_verdict(r, errno))
        return 0;
      return lab_error_errno(err, "UDP recv");
    }
    if (s->udp.expect == NULL || memmem(buf, (size_t)n, s->udp.expect, strlen(s->udp.expect))) {
      double t = ms_since(start);
      *r = (struct probe_result){.ok = true, .latency_ms = t};
      snprintf(r->reason, sizeof r->reason, "UDP answer in %s", probe_ms_format(t, ms));
      return 0;
    }
    other = true;
  }
  if (other)
    probe_result_fail(r, "UDP answer lacks %s", probe_quote(s->udp.expect, q, sizeof q));
  else
    probe_result_fail(r, "no UDP answer in %s", dur);
  return 0;
}
