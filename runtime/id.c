#include "id.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static int fill_random(void *buf, size_t len, struct lab_error **err)
{
  unsigned char *p = buf;
  while (len > 0) {
    ssize_t n = getrandom(p, len, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return lab_error_errno(err, "getrandom");
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int ctr_id_generate(char out[CTR_ID_LEN + 1], struct lab_error **err)
{
  static const char hex[] = "0123456789abcdef";
  unsigned char raw[CTR_ID_LEN / 2];
  if (fill_random(raw, sizeof raw, err) < 0)
    return -1;
  for (size_t i = 0; i < sizeof raw; i++) {
    out[2 * i] = hex[raw[i] >> 4];
    out[2 * i + 1] = hex[raw[i] & 0xf];
  }
  out[CTR_ID_LEN] = '\0';
  return 0;
}

int ctr_id_is_valid(const char *s)
{
  if (s == NULL || strlen(s) != CTR_ID_LEN)
    return 0;
  for (const char *p = s; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
      return 0;
  return 1;
}

void ctr_id_short(const char *id, char out[CTR_SHORT_ID_LEN + 1])
{
  snprintf(out, CTR_SHORT_ID_LEN + 1, "%s", id);
}

static int is_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int ctr_name_is_valid(const char *name)
{
  if (name == NULL || !is_alnum(name[0]) || strlen(name) > 128)
    return 0;
  for (const char *p = name + 1; *p; p++)
    if (!is_alnum(*p) && *p != '_' && *p != '.' && *p != '-')
      return 0;
  return 1;
}

/* A short list in podman's spirit (its namesgenerator is Docker's). */
static const char *const adjectives[] = {
    "admiring", "brave",   "clever", "dazzling", "eager",      "focused",    "gallant",  "happy",
    "jolly",    "keen",    "loving", "modest",   "nifty",      "optimistic", "peaceful", "quirky",
    "relaxed",  "serene",  "tender", "upbeat",   "vibrant",    "wizardly",   "xenial",   "youthful",
    "zealous",  "amazing", "bold",   "charming", "determined", "elegant",    "festive",  "gifted",
};
static const char *const nouns[] = {
    "babbage", "curie",    "darwin",   "einstein", "feynman", "galileo",  "hopper",    "hypatia",
    "johnson", "kepler",   "lovelace", "meitner",  "newton",  "noether",  "pascal",    "ritchie",
    "shannon", "thompson", "turing",   "volta",    "wozniak", "yalow",    "zhukovsky", "archimedes",
    "bohr",    "cerf",     "dijkstra", "euclid",   "fermat",  "goldberg", "hawking",   "kilby",
};
#define N_ADJ (sizeof adjectives / sizeof adjectives[0])
#define N_NOUN (sizeof nouns / sizeof nouns[0])

static uint64_t next_seeded(unsigned long long *seed)
{
  /* splitmix64: small, good enough to pick names deterministically in tests. */
  uint64_t z = (*seed += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static int name_taken(const struct ctr_ref *refs, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (refs[i].name != NULL && strcmp(refs[i].name, name) == 0)
      return 1;
  return 0;
}

int ctr_name_generate(const struct ctr_ref *refs, size_t n, unsigned long long *seed, char **name,
                      struct lab_error **err)
{
  /* Random draws first; when the space is crowded, suffix a number like
   * Docker does after collisions. */
  for (int attempt = 0; attempt < 1000; attempt++) {
    uint64_t r;
    if (seed != NULL)
      r = next_seeded(seed);
    else if (fill_random(&r, sizeof r, err) < 0)
      return -1;
    char *cand = NULL;
    const char *adj = adjectives[r % N_ADJ];
    const char *noun = nouns[(r / N_ADJ) % N_NOUN];
    int rc = attempt < 100 ? asprintf(&cand, "%s_%s", adj, noun)
                           : asprintf(&cand, "%s_%s%d", adj, noun, (int)((r >> 32) % 1000));
    if (rc < 0)
      return lab_error_set(err, ENOMEM, "allocating a name");
    if (!name_taken(refs, n, cand)) {
      *name = cand;
      return 0;
    }
    free(cand);
  }
  return lab_error_set(err, 0, "no free container name after 1000 attempts");
}

int ctr_lookup(const struct ctr_ref *refs, size_t n, const char *key, struct lab_error **err)
{
  if (key == NULL || *key == '\0')
    return lab_error_set(err, 0, "empty container name or id");
  for (size_t i = 0; i < n; i++)
    if (refs[i].name != NULL && strcmp(refs[i].name, key) == 0)
      return (int)i;
  for (size_t i = 0; i < n; i++)
    if (strcmp(refs[i].id, key) == 0)
      return (int)i;
  int found = -1;
  size_t klen = strlen(key);
  for (size_t i = 0; i < n; i++) {
    if (strncmp(refs[i].id, key, klen) == 0) {
      if (found >= 0)
        return lab_error_set(err, 0, "%s: ambiguous id prefix: matches %.12s and %.12s", key,
                             refs[found].id, refs[i].id);
      found = (int)i;
    }
  }
  if (found < 0)
    return lab_error_set(err, 0, "%s: no such container", key);
  return found;
}
