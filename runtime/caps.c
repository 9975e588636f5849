#include "caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};
#define N_CAPS ((int)(sizeof cap_names / sizeof cap_names[0]))

/* podman 3's default_capabilities (containers.conf) — the list of the lab's
 * era.  Podman 4 dropped NET_RAW, AUDIT_WRITE and MKNOD; the lab pings
 * between pods with busybox ping, which needs a raw socket, so NET_RAW stays. */
static const char *const default_caps[] = {
    "CAP_AUDIT_WRITE", "CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",     "CAP_FSETID",
    "CAP_KILL",        "CAP_MKNOD",   "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",    "CAP_SETFCAP",
    "CAP_SETGID",      "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT",
};

int caps_from_name(const char *name)
{
  if (name == NULL)
    return -1;
  const char *bare = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;
  for (int i = 0; i < N_CAPS; i++)
    if (strcasecmp(cap_names[i] + 4, bare) == 0)
      return i;
  return -1;
}

const char *caps_name(int nr)
{
  return nr >= 0 && nr < N_CAPS ? cap_names[nr] : NULL;
}

uint64_t caps_default_mask(void)
{
  uint64_t m = 0;
  for (size_t i = 0; i < sizeof default_caps / sizeof default_caps[0]; i++)
    m |= 1ULL << caps_from_name(default_caps[i]);
  return m;
}

int caps_last_cap(void)
{
  FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
  int last = -1;
  if (f != NULL) {
    if (fscanf(f, "%d", &last) != 1)
      last = -1;
    fclose(f);
  }
  if (last < 0 || last > 63)
    last = N_CAPS - 1;
  return last;
}

int caps_apply(uint64_t keep, struct lab_error **err)
{
  int last = caps_last_cap();
  for (int c = 0; c <= last; c++) {
    if (keep & (1ULL << c))
      continue;
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
      return lab_error_errno(err, "dropping %s from the bounding set",
                             caps_name(c) ? caps_name(c) : "capability");
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return lab_error_errno(err, "clearing the ambient capabilities");
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  for (int i = 0; i < 2; i++) {
    uint32_t word = (uint32_t)(keep >> (32 * i));
    data[i].effective = word;
    data[i].permitted = word;
    data[i].inheritable = word;
  }
  if (syscall(SYS_capset, &hdr, data) < 0)
    return lab_error_errno(err, "capset");
  return 0;
}

char **caps_mask_names(uint64_t mask, size_t *n)
{
  char **out = calloc(65, sizeof *out);
  size_t k = 0;
  if (out == NULL)
    return NULL;
  for (int c = 0; c < N_CAPS; c++)
    if (mask & (1ULL << c))
      out[k++] = strdup(cap_names[c]);
  *n = k;
  return out;
}
