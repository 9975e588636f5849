/* nodelab-netstate: a debug tool over engine/netstate.h and netfault.h.
 *
 *   nodelab-netstate capture [--permanent-neigh] NETNS_PATH
 *   nodelab-netstate bench NETNS_PATH COUNT      median time of one capture
 *   nodelab-netstate session NETNS_PATH          commands on stdin, one a line
 *   nodelab-netstate diff FILE_A FILE_B          netstate_diff_text of two captures
 *
 * A session holds the undo records in memory, as nodelabd will.  Commands:
 *   capture [permanent-neigh] | mtu IF N | up IF | down IF | txcsum IF on|off
 *   netem IF [delay=US] [jitter=US] [loss=PPM] [duplicate=PPM] [corrupt=PPM]
 *            [reorder=PPM] [limit=N] [rate=BITS]
 *   route-del [TABLE] DST/LEN | route-add DST/LEN [via GW] dev IF [table T] [metric M]
 *   neigh IF IP MAC | neigh-del IF IP
 *   addr-add IF IP/LEN | addr-del IF IP/LEN
 *   repair        undoes the last fault still in place
 *   forget        drops the last undo record without repairing (a repair by hand)
 * Each reply ends with a line "."; a failure is one line "error: ...". */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "error.h"
#include "netfault.h"
#include "names.h"
#include "netstate.h"

#define MAX_UNDO 32

static int parse_prefix(const char *s, struct in_addr *ip, uint8_t *len)
{
  char buf[64];
  snprintf(buf, sizeof buf, "%s", s);
  char *slash = strchr(buf, '/');
  long n = 32;
  if (slash != NULL) {
    *slash = '\0';
    char *end;
    n = strtol(slash + 1, &end, 10);
    if (*end != '\0' || n < 0 || n > 32)
      return -1;
  }
  if (strcmp(buf, "default") == 0) {
    ip->s_addr = 0;
    n = 0;
  } else if (inet_pton(AF_INET, buf, ip) != 1) {
    return -1;
  }
  *len = (uint8_t)n;
  return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
  unsigned b[6];
  if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
    return -1;
  for (int i = 0; i < 6; i++)
    mac[i] = (uint8_t)b[i];
  return 0;
}

static int print_capture(int fd, unsigned flags, struct lab_error **err)
{
  cleanup_netstate struct netstate *st = NULL;
  cleanup_free char *text = NULL;
  if (netstate_capture(fd, flags, &st, err) < 0 || netstate_format(st, &text, err) < 0)
    return -1;
  fputs(text, stdout);
  return 0;
}

/* netem's KEY=VALUE words that set a uint32_t of struct netfault_netem
 * ("rate", 64 bits, is read apart). */
static const struct {
  const char *key;
  size_t off;
} netem_u32_keys[] = {
    {"delay", offsetof(struct netfault_netem, delay_us)},
    {"jitter", offsetof(struct netfault_netem, jitter_us)},
    {"loss", offsetof(struct netfault_netem, loss_ppm)},
    {"duplicate", offsetof(struct netfault_netem, duplicate_ppm)},
    {"corrupt", offsetof(struct netfault_netem, corrupt_ppm)},
    {"reorder", offsetof(struct netfault_netem, reorder_ppm)},
    {"limit", offsetof(struct netfault_netem, limit)},
};

static int netem_args(char **argv, int argc, struct netfault_netem *s, struct lab_error **err)
{
  for (int i = 0; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (eq == NULL)
      return lab_error_set(err, EINVAL, "netem: %s: not KEY=VALUE", argv[i]);
    *eq = '\0';
    unsigned long long v = strtoull(eq + 1, NULL, 10);
    const char *k = argv[i];
    size_t j = 0;
    while (j < NAMES_N(netem_u32_keys) && strcmp(k, netem_u32_keys[j].key) != 0)
      j++;
    if (j < NAMES_N(netem_u32_keys))
      *(uint32_t *)((char *)s + netem_u32_keys[j].off) = (uint32_t)v;
    else if (strcmp(k, "rate") == 0)
      s->rate_bits = v;
    else
      return lab_error_set(err, EINVAL, "netem: unknown parameter %s", k);
  }
  return 0;
}

/* route-add's words into a route of protocol static (scope link without a gateway). */
static int route_args(char **argv, int argc, struct netstate_route *r, struct lab_error **err)
{
  memset(r, 0, sizeof *r);
  r->table = 254;  /* main */
  r->type = 1;     /* unicast */
  r->protocol = 4; /* static */
  r->n_nexthops = 1;
  struct netstate_nexthop *nh = &r->nexthops[0];
  if (argc < 1 || parse_prefix(argv[0], &r->dst, &r->dst_len) < 0)
    return lab_error_set(err, EINVAL, "route-add: DST/LEN first");
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "via") == 0 && inet_pton(AF_INET, argv[i + 1], &nh->gateway) == 1)
      nh->has_gateway = 1;
    else if (strcmp(argv[i], "dev") == 0)
      snprintf(nh->ifname, sizeof nh->ifname, "%s", argv[i + 1]);
    else if (strcmp(argv[i], "table") == 0)
      r->table = (uint32_t)atoi(argv[i + 1]);
    else if (strcmp(argv[i], "metric") == 0)
      r->priority = (uint32_t)atoi(argv[i + 1]);
    else
      return lab_error_set(err, EINVAL, "route-add: %s %s?", argv[i], argv[i + 1]);
  }
  r->scope = nh->has_gateway ? 0 : 253; /* global : link */
  return 0;
}

/* Runs one session command; a fault pushes its undo record on *undo. */
static int session_command(int fd, char **argv, int argc, struct netfault_undo *undo, int *n_undo,
                           struct lab_error **err)
{
  const char *cmd = argv[0];
  struct netfault_undo *u = &undo[*n_undo];
  struct in_addr ip;
  uint8_t len;
  int rc;
  if (strcmp(cmd, "capture") == 0)
    return print_capture(fd, argc > 1 ? NETSTATE_NEIGH_PERMANENT_ONLY : 0, err);
  if (strcmp(cmd, "repair") == 0 || strcmp(cmd, "forget") == 0) {
    if (*n_undo == 0)
      return lab_error_set(err, 0, "nothing to %s", cmd);
    struct netfault_undo *last = &undo[*n_undo - 1];
    if (strcmp(cmd, "repair") == 0 && netfault_repair(fd, last, err) < 0)
      return -1;
    netfault_undo_clear(last);
    (*n_undo)--;
    return 0;
  }
  if (*n_undo == MAX_UNDO)
    return lab_error_set(err, 0, "too many faults in place");
  if (strcmp(cmd, "mtu") == 0 && argc == 3)
    rc = netfault_link_set_mtu(fd, argv[1], atoi(argv[2]), u, err);
  else if ((strcmp(cmd, "up") == 0 || strcmp(cmd, "down") == 0) && argc == 2)
    rc = netfault_link_set_up(fd, argv[1], strcmp(cmd, "up") == 0, u, err);
  else if (strcmp(cmd, "txcsum") == 0 && argc == 3)
    rc = netfault_tx_csum_set(fd, argv[1], strcmp(argv[2], "on") == 0, u, err);
  else if (strcmp(cmd, "netem") == 0 && argc >= 3) {
    struct netfault_netem spec = {0};
    rc = netem_args(argv + 2, argc - 2, &spec, err);
    if (rc == 0)
      rc = netfault_netem_set(fd, argv[1], &spec, u, err);
  } else if (strcmp(cmd, "route-del") == 0 && (argc == 2 || argc == 3)) {
    if (parse_prefix(argv[argc - 1], &ip, &len) < 0)
      return lab_error_set(err, EINVAL, "route-del: %s: not DST/LEN", argv[argc - 1]);
    rc = netfault_route_delete(fd, argc == 3 ? (uint32_t)atoi(argv[1]) : 0, ip, len, NULL, u, err);
  } else if (strcmp(cmd, "route-add") == 0 && argc >= 2) {
    struct netstate_route r;
    rc = route_args(argv + 1, argc - 1, &r, err);
    if (rc == 0)
      rc = netfault_route_add(fd, &r, u, err);
  } else if (strcmp(cmd, "neigh") == 0 && argc == 4) {
    uint8_t mac[6];
    if (inet_pton(AF_INET, argv[2], &ip) != 1 || parse_mac(argv[3], mac) < 0)
      return lab_error_set(err, EINVAL, "neigh: IF IP MAC");
    rc = netfault_neigh_replace(fd, argv[1], ip, mac, u, err);
  } else if (strcmp(cmd, "neigh-del") == 0 && argc == 3) {
    if (inet_pton(AF_INET, argv[2], &ip) != 1)
      return lab_error_set(err, EINVAL, "neigh-del: IF IP");
    rc = netfault_neigh_delete(fd, argv[1], ip, u, err);
  } else if ((strcmp(cmd, "addr-add") == 0 || strcmp(cmd, "addr-del") == 0) && argc == 3) {
    if (parse_prefix(argv[2], &ip, &len) < 0)
      return lab_error_set(err, EINVAL, "%s: IF IP/LEN", cmd);
    rc = strcmp(cmd, "addr-add") == 0 ? netfault_addr_add(fd, argv[1], ip, len, u, err)
                                      : netfault_addr_delete(fd, argv[1], ip, len, u, err);
  } else {
    return lab_error_set(err, EINVAL, "unknown command or wrong arguments: %s", cmd);
  }
  if (rc == 0)
    (*n_undo)++;
  return rc;
}

static int session(int fd)
{
  struct netfault_undo undo[MAX_UNDO] = {0};
  int n_undo = 0;
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, stdin) > 0) {
    char *argv[16];
    int argc = 0;
    for (char *tok = strtok(line, " \t\n"); tok != NULL && argc < 16; tok = strtok(NULL, " \t\n"))
      argv[argc++] = tok;
    if (argc == 0)
      continue;
    if (strcmp(argv[0], "quit") == 0)
      break;
    struct lab_error *err = NULL;
    if (session_command(fd, argv, argc, undo, &n_undo, &err) < 0) {
      printf("error: %s\n", err->msg);
      lab_error_clear(&err);
    }
    printf(".\n");
    fflush(stdout);
  }
  free(line);
  for (int i = 0; i < n_undo; i++)
    netfault_undo_clear(&undo[i]);
  return 0;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int bench(int fd, int count)
{
  if (count < 1 || count > 10000)
    count = 20;
  double *t = calloc((size_t)count, sizeof *t);
  if (t == NULL)
    return 1;
  size_t lines = 0;
  for (int i = 0; i < count; i++) {
    struct timespec a, b;
    struct netstate *st = NULL;
    char *text = NULL;
    struct lab_error *err = NULL;
    clock_gettime(CLOCK_MONOTONIC, &a);
    if (netstate_capture(fd, 0, &st, &err) < 0 || netstate_format(st, &text, &err) < 0) {
      fprintf(stderr, "nodelab-netstate: %s\n", err->msg);
      lab_error_clear(&err);
      netstate_free(st);
      free(t);
      return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    t[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    lines = 0;
    for (const char *p = text; *p; p++)
      lines += *p == '\n';
    netstate_free(st);
    free(text);
  }
  qsort(t, (size_t)count, sizeof *t, cmp_double);
  printf("capture+format: median %.3f ms, min %.3f ms, max %.3f ms over %d runs (%zu lines)\n",
         t[count / 2], t[0], t[count - 1], count, lines);
  free(t);
  return 0;
}

static int usage(void)
{
  fprintf(stderr, "usage: nodelab-netstate capture [--permanent-neigh] NETNS_PATH\n"
                  "       nodelab-netstate bench NETNS_PATH COUNT\n"
                  "       nodelab-netstate session NETNS_PATH\n"
                  "       nodelab-netstate diff FILE_A FILE_B\n");
  return 2;
}

static char *read_all(const char *path)
{
  cleanup_fclose FILE *f = fopen(path, "re");
  if (f == NULL)
    return NULL;
  char *buf = NULL;
  size_t len = 0;
  cleanup_fclose FILE *m = open_memstream(&buf, &len);
  if (m == NULL)
    return NULL;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    fwrite(chunk, 1, n, m);
  if (fclose(steal_pointer(&m)) != 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

/* Prints the diff; exits 0 when equal, 1 when they differ, 2 on error. */
static int diff_files(const char *a, const char *b)
{
  cleanup_free char *ta = read_all(a);
  cleanup_free char *tb = read_all(b);
  if (ta == NULL || tb == NULL) {
    fprintf(stderr, "nodelab-netstate: reading %s: %s\n", ta == NULL ? a : b, strerror(errno));
    return 2;
  }
  struct lab_error *err = NULL;
  cleanup_free char *text = NULL;
  int n = netstate_diff_text(ta, tb, &text, &err);
  if (n < 0) {
    fprintf(stderr, "nodelab-netstate: %s\n", err->msg);
    lab_error_clear(&err);
    return 2;
  }
  fputs(text, stdout);
  return n > 0;
}

int main(int argc, char **argv)
{
  if (argc < 3)
    return usage();
  if (strcmp(argv[1], "diff") == 0)
    return argc == 4 ? diff_files(argv[2], argv[3]) : usage();
  const char *path = argv[argc - 1];
  if (strcmp(argv[1], "bench") == 0) {
    if (argc != 4)
      return usage();
    path = argv[2];
  }
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fprintf(stderr, "nodelab-netstate: open %s: %s\n", path, strerror(errno));
    return 1;
  }
  if (strcmp(argv[1], "capture") == 0) {
    unsigned flags =
        argc == 4 && strcmp(argv[2], "--permanent-neigh") == 0 ? NETSTATE_NEIGH_PERMANENT_ONLY : 0;
    if (argc > 4 || (argc == 4 && flags == 0))
      return usage();
    struct lab_error *err = NULL;
    if (print_capture(fd, flags, &err) < 0) {
      fprintf(stderr, "nodelab-netstate: %s\n", err->msg);
      lab_error_clear(&err);
      return 1;
    }
    return 0;
  }
  if (strcmp(argv[1], "bench") == 0)
    return bench(fd, atoi(argv[3]));
  if (strcmp(argv[1], "session") == 0 && argc == 3)
    return session(fd);
  return usage();
}
