/* netd's control messages (netd-ctl.h).  No JSON library here: netd links it. */
#include "netd-ctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int netd_ctl_pod_name_check(const char *name, struct lab_error **err)
{
  size_t len = strlen(name);
  if (len == 0 || len > NETD_CTL_POD_NAME_MAX)
    return lab_error_set(err, EINVAL, "pod name \"%s\": expected 1 to %d characters", name,
                         NETD_CTL_POD_NAME_MAX);
  return 0;
}

/* Checks argv[0] and the number of params (min..max). */
static int check_argv(int argc, const char *const argv[], const char *method, int min, int max,
                      struct lab_error **err)
{
  if (argc < 1 || argv[0] == NULL || strcmp(argv[0], method) != 0)
    return lab_error_set(err, EINVAL, "not a %s request", method);
  if (argc - 1 < min || argc - 1 > max) {
    if (min == max)
      return lab_error_set(err, EINVAL, "%s: expected %d argument%s, got %d", method, min,
                           min == 1 ? "" : "s", argc - 1);
    return lab_error_set(err, EINVAL, "%s: expected %d to %d arguments, got %d", method, min, max,
                         argc - 1);
  }
  for (int i = 1; i < argc; i++)
    if (argv[i] == NULL)
      return lab_error_set(err, EINVAL, "%s: argument %d is missing", method, i);
  return 0;
}

int netd_ctl_show_to_argv(const struct netd_show *req, const char *argv[NETD_CTL_ARGV_MAX])
{
  int argc = 0;
  argv[argc++] = NETD_CTL_SHOW;
  if (req->json)
    argv[argc++] = "--json";
  argv[argc] = NULL;
  return argc;
}

int netd_ctl_show_from_argv(int argc, const char *const argv[], struct netd_show *out,
                            struct lab_error **err)
{
  if (check_argv(argc, argv, NETD_CTL_SHOW, NETD_CTL_SHOW_MIN_ARGS, NETD_CTL_SHOW_MAX_ARGS, err) <
      0)
    return -1;
  if (argc > 1 && strcmp(argv[1], "--json") != 0)
    return lab_error_set(err, EINVAL, "usage: %s %s", NETD_CTL_SHOW, NETD_CTL_SHOW_USAGE);
  *out = (struct netd_show){.json = argc > 1};
  return 0;
}

/* A pod verb's argv: exactly n words, the first after the verb a pod name. */
static int check_pod_argv(int argc, const char *const argv[], const char *verb, int n,
                          struct lab_error **err)
{
  if (check_argv(argc, argv, verb, n, n, err) < 0 || netd_ctl_pod_name_check(argv[1], err) < 0)
    return -1;
  return 0;
}

int netd_ctl_pod_add_to_argv(const struct netd_pod_add *req, const char *argv[NETD_CTL_ARGV_MAX])
{
  argv[0] = NETD_CTL_POD_ADD;
  argv[1] = req->name;
  argv[2] = req->netns;
  argv[3] = req->ip;
  argv[4] = NULL;
  return 4;
}

int netd_ctl_pod_add_from_argv(int argc, const char *const argv[], struct netd_pod_add *out,
                               struct lab_error **err)
{
  if (check_pod_argv(argc, argv, NETD_CTL_POD_ADD, NETD_CTL_POD_ADD_ARGS, err) < 0)
    return -1;
  if (argv[2][0] == '\0')
    return lab_error_set(err, EINVAL, "pod %s: no network namespace given", argv[1]);
  if (argv[3][0] == '\0')
    return lab_error_set(err, EINVAL, "pod %s: no address given", argv[1]);
  *out = (struct netd_pod_add){.name = argv[1], .netns = argv[2], .ip = argv[3]};
  return 0;
}

int netd_ctl_pod_del_to_argv(const struct netd_pod_del *req, const char *argv[NETD_CTL_ARGV_MAX])
{
  argv[0] = NETD_CTL_POD_DEL;
  argv[1] = req->name;
  argv[2] = NULL;
  return 2;
}

int netd_ctl_pod_del_from_argv(int argc, const char *const argv[], struct netd_pod_del *out,
                               struct lab_error **err)
{
  if (check_pod_argv(argc, argv, NETD_CTL_POD_DEL, NETD_CTL_POD_DEL_ARGS, err) < 0)
    return -1;
  *out = (struct netd_pod_del){.name = argv[1]};
  return 0;
}

void netd_ctl_pod_add_reply_format(const struct netd_pod_add_reply *r,
                                   char buf[NETD_CTL_POD_ADD_REPLY_MAX])
{
  snprintf(buf, NETD_CTL_POD_ADD_REPLY_MAX, "pod %.*s attached, ofport %d, %lld ms",
           NETD_CTL_POD_NAME_MAX, r->name, r->ofport, r->elapsed_ms);
}

int netd_ctl_pod_add_reply_parse(const char *text, struct netd_pod_add_reply *out,
                                 struct lab_error **err)
{
  static const char head[] = "pod ", mid[] = " attached, ofport ";
  size_t len = strlen(text);
  while (len > 0 && text[len - 1] == '\n')
    len--;
  /* The name may hold anything but ends at the last " attached, ofport ". */
  const char *m = NULL;
  for (const char *p = text; (p = strstr(p, mid)) != NULL && (size_t)(p - text) < len; p++)
    m = p;
  size_t name_len = m ? (size_t)(m - text) - (sizeof head - 1) : 0;
  if (strncmp(text, head, sizeof head - 1) != 0 || m == NULL || m < text + sizeof head - 1 ||
      name_len == 0 || name_len > NETD_CTL_POD_NAME_MAX)
    goto bad;
  const char *nums = m + sizeof mid - 1;
  int ofport, used = 0;
  long long ms;
  if (sscanf(nums, "%d, %lld ms%n", &ofport, &ms, &used) != 2 || used == 0 ||
      (size_t)(nums + used - text) != len || ofport < 0 || ms < 0)
    goto bad;
  memcpy(out->name, text + sizeof head - 1, name_len);
  out->name[name_len] = '\0';
  out->ofport = ofport;
  out->elapsed_ms = ms;
  return 0;
bad:
  return lab_error_set(err, EPROTO, "%s: unexpected reply \"%.*s\"", NETD_CTL_POD_ADD, (int)len,
                       text);
}
