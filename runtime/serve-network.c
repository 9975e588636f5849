#include "serve-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "id.h"
#include "json.h"
#include "log.h"
#include "netd-client.h"

LOG_MODULE(runtime);

/* podman puts a container run without --pod on its default network: a
 * network namespace of its own, attached to the bridge, with an address from
 * the network's IPAM, kept while the container is stopped and freed when it
 * is removed.  The runtime does the same with the machinery scenario pods
 * already use: an *implicit pod* per standalone container.  Its infra (named
 * "<short id>-infra", its record naming the container as its owner) holds the
 * net, ipc and uts namespaces, with the container's hostname; it gets the
 * next free address of the node's subnet and netd attaches it exactly as a
 * pod (`netd/pod-add ID NETNS IP`, ID being the container's full id, which no
 * pod name can be); the container joins it at every start.
 *
 * Why an infra process rather than podman's bind-mounted netns file: the
 * runtime already creates, adopts after a restart and joins infra processes,
 * the pod path stays the one way onto the cluster network, and no mount is
 * added to the node.  What follows:
 *   - stop/start of the container keep its namespace and address (the infra
 *     does not stop), as podman's netns does;
 *   - `rm` (and `run --rm`) removes the container, then detaches the infra
 *     from netd, removes it and frees the address; a container that failed
 *     to be made takes its implicit pod with it (bad input leaves nothing);
 *   - the infra is the container's, not the user's: `ps` hides it without -a
 *     (as podman hides the infra of a pod it made for you), its "Pod" is
 *     empty, `rm` refuses it while its container lives; inspect shows the
 *     address as NetworkSettings.IPAddress, NetworkMode "bridge";
 *   - `--network none` keeps the old private namespace with lo only, and so
 *     does every standalone container of a runtime without netd (tests that
 *     run `serve` alone).  Known gap: `run -d --rm` is not removed at exit. */

bool serve_wants_cluster_net(const struct server *sv, const struct rt_spec *spec)
{
  return spec->cluster_net && spec->spec.pod == NULL && !spec->spec.infra &&
         sv->cfg->netd != NULL && sv->have_subnet;
}

/* Detaches the implicit pod of infra from netd, removes infra and frees its
 * address.  infra is consumed in every case (container_remove's rule).  A
 * netd failure is logged and the rest still done; returns -1 and *err when
 * infra could not be removed (the address is then kept). */
int serve_implicit_pod_remove(struct server *sv, struct container *infra, struct lab_error **err)
{
  struct lab_error *e = NULL;
  if (container_ip(infra) != NULL &&
      netd_client_pod_del(sv->cfg->netd, &(struct netd_pod_del){.name = container_owner(infra)},
                          &e) < 0) {
    log_warn("container %.12s: %s", container_owner(infra), e->msg);
    lab_error_clear(&e);
  }
  unsigned a, b, c, d;
  bool have_ip = container_ip(infra) != NULL &&
                 sscanf(container_ip(infra), "%u.%u.%u.%u", &a, &b, &c, &d) == 4;
  uint32_t ip = have_ip ? (a << 24) | (b << 16) | (c << 8) | d : 0;
  if (container_remove(sv->store, infra, true, err) < 0)
    return -1;
  if (have_ip && ipam_release(sv->ipam, ip, &e) < 0) {
    log_warn("%s", e->msg);
    lab_error_clear(&e);
  }
  return 0;
}

/* Gives c, just created, its implicit pod (see above).  On failure nothing of
 * the pod is left (c itself is the caller's to remove).  Returns 0, or -1 and *err. */
int serve_implicit_pod_make(struct server *sv, struct container *c, struct lab_error **err)
{
  char name[CTR_SHORT_ID_LEN + 8], ip[16];
  ctr_id_short(container_id(c), name);
  strcat(name, "-infra");
  struct ctr_spec ispec = {
      .name = name, .hostname = container_hostname(c), .infra = true, .owner = container_id(c)};
  struct container *infra = NULL;
  uint32_t addr = 0;
  bool have_ip = false, attached = false;
  if (container_create(sv->store, &ispec, &infra, err) < 0)
    goto fail;
  if (container_start_detached(sv->store, infra, err) < 0 ||
      serve_lo_up(container_pid(infra), err) < 0 ||
      ipam_allocate(sv->ipam, &sv->subnet, container_id(c), &addr, err) < 0)
    goto fail;
  have_ip = true;
  ipv4_format(addr, ip);
  char netns[64];
  snprintf(netns, sizeof netns, "/proc/%d/ns/net", (int)container_pid(infra));
  struct netd_pod_add add = {.name = container_id(c), .netns = netns, .ip = ip};
  if (netd_client_pod_add(sv->cfg->netd, &add, NULL, err) < 0)
    goto fail;
  attached = true;
  char gw[16] = "";
  if (sv->subnet.gateway != 0)
    ipv4_format(sv->subnet.gateway, gw);
  if (container_set_address(sv->store, infra, ip, sv->subnet.prefix, gw[0] ? gw : NULL, err) < 0 ||
      container_join_pod(sv->store, c, infra, err) < 0)
    goto fail;
  container_free(infra);
  return 0;
fail:
  lab_error_wrap(err, "container %s: its network", container_name(c));
  struct lab_error *e = NULL;
  if (attached &&
      netd_client_pod_del(sv->cfg->netd, &(struct netd_pod_del){.name = container_id(c)}, &e) < 0) {
    log_warn("container %s: undo: %s", container_name(c), e->msg);
    lab_error_clear(&e);
  }
  if (have_ip)
    ipam_release(sv->ipam, addr, &e);
  lab_error_clear(&e);
  if (infra != NULL && container_remove(sv->store, infra, true, &e) < 0) {
    log_warn("container %s: undo: %s", container_name(c), e->msg);
    lab_error_clear(&e);
  }
  return -1;
}

/* container_remove (c is freed), then the implicit pod c owned, if any. */
int serve_remove_container(struct server *sv, struct container *c, bool force,
                           struct lab_error **err)
{
  char id[CTR_ID_LEN + 1], pod[CTR_ID_LEN + 1] = "";
  snprintf(id, sizeof id, "%s", container_id(c));
  if (container_pod_id(c) != NULL)
    snprintf(pod, sizeof pod, "%s", container_pod_id(c));
  if (container_remove(sv->store, c, force, err) < 0)
    return -1;
  struct container *infra = NULL;
  struct lab_error *e = NULL;
  if (pod[0] == '\0' || container_lookup(sv->store, pod, &infra, &e) < 0) {
    lab_error_clear(&e);
    return 0;
  }
  if (container_owner(infra) == NULL || strcmp(container_owner(infra), id) != 0) {
    container_free(infra); /* a real pod's: it stays */
    return 0;
  }
  if (serve_implicit_pod_remove(sv, infra, &e) < 0) {
    log_warn("container %.12s: its network: %s", id, e->msg);
    lab_error_clear(&e);
  }
  return 0;
}
