#include <config.h>

#include "ofp.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "openflow/openflow.h"
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/vconn.h"
#include "util.h"

int netd_ofp_parse_flow(const char *text, int command, struct ofputil_flow_mod *fm,
                        struct lab_error **err)
{
  enum ofputil_protocol usable = 0;
  char *error = parse_ofp_flow_mod_str(fm, text, NULL, NULL, command, &usable);
  if (error != NULL) {
    lab_error_set(err, EINVAL, "flow \"%s\": %s", text, error);
    free(error);
    return -1;
  }
  /* br0 speaks only OpenFlow 1.3 (protocols=OpenFlow13): a flow that needs
   * another dialect would be refused by the switch later, less clearly. */
  if (!(usable & OFPUTIL_P_OF13_OXM)) {
    netd_ofp_flow_mod_uninit(fm);
    return lab_error_set(err, EINVAL, "flow \"%s\": not expressible in OpenFlow 1.3", text);
  }
  return 0;
}

void netd_ofp_flow_mod_uninit(struct ofputil_flow_mod *fm)
{
  minimatch_destroy(&fm->match);
  free(fm->ofpacts);
  fm->ofpacts = NULL;
  fm->ofpacts_len = 0;
}

struct netd_ofconn {
  struct vconn *vconn;
};

int netd_ofconn_open(const char *target, int timeout_ms, struct netd_ofconn **out,
                     struct lab_error **err)
{
  struct vconn *vconn = NULL;
  /* vconn_open_block() retries until the socket exists: ovs-vswitchd creates
   * <bridge>.mgmt a little after the bridge appears in OVSDB. */
  int rc = vconn_open_block(target, 1u << OFP13_VERSION, 0 /* DSCP: meaningless on a unix socket */,
                            timeout_ms, &vconn);
  if (rc != 0)
    return lab_error_set(err, rc, "OpenFlow connection to %s", target);
  struct netd_ofconn *c = calloc(1, sizeof *c);
  if (c == NULL) {
    vconn_close(vconn);
    return lab_error_set(err, ENOMEM, "OpenFlow connection");
  }
  c->vconn = vconn;
  *out = c;
  return 0;
}

void netd_ofconn_close(struct netd_ofconn *c)
{
  if (c == NULL)
    return;
  vconn_close(c->vconn);
  free(c);
}

static int push_flow_mod(struct ovs_list *requests, const char *text, int command,
                         struct lab_error **err)
{
  struct ofputil_flow_mod fm;
  if (netd_ofp_parse_flow(text, command, &fm, err) < 0)
    return -1;
  struct ofpbuf *msg = ofputil_encode_flow_mod(&fm, OFPUTIL_P_OF13_OXM);
  netd_ofp_flow_mod_uninit(&fm);
  ovs_list_push_back(requests, &msg->list_node);
  return 0;
}

static int push_list(struct ovs_list *requests, const struct flows_list *l, int command,
                     struct lab_error **err)
{
  for (size_t i = 0; l != NULL && i < l->n; i++) {
    char *text =
        command == OFPFC_ADD ? flows_entry_format(&l->v[i]) : flows_entry_format_match(&l->v[i]);
    if (text == NULL)
      return lab_error_set(err, ENOMEM, "flow");
    int rc = push_flow_mod(requests, text, command, err);
    free(text);
    if (rc < 0)
      return -1;
  }
  return 0;
}

/* Sends `requests` (encoded OpenFlow 1.3 messages, consumed) in one ordered,
 * atomic bundle.  xids[i], when xids is not NULL, is the xid of the i-th
 * request, so that a refusal names the message (*failed). */
static int bundle_transact(struct netd_ofconn *c, struct ovs_list *requests, const ovs_be32 *xids,
                           size_t n_xids, size_t *failed, struct lab_error **err)
{
  if (failed != NULL)
    *failed = SIZE_MAX;
  if (ovs_list_is_empty(requests))
    return 0;
  struct ovs_list errors;
  int retval = vconn_bundle_transact(c->vconn, requests, OFPBF_ORDERED | OFPBF_ATOMIC, &errors);
  ofpbuf_list_delete(requests);
  int rc = 0;
  struct ofpbuf *reply;
  /* The first error the switch reports is the one worth showing. */
  LIST_FOR_EACH_POP(reply, list_node, &errors)
  {
    if (rc == 0) {
      const struct ofp_header *oh = reply->data;
      enum ofperr e = ofperr_decode_msg(oh, NULL);
      /* A bundled message's error carries that message's xid. */
      for (size_t i = 0; failed != NULL && xids != NULL && i < n_xids; i++)
        if (xids[i] == oh->xid)
          *failed = i;
      rc = lab_error_set(err, EPROTO, "flow bundle on %s: %s", vconn_get_name(c->vconn),
                         ofperr_to_string(e));
    }
    ofpbuf_delete(reply);
  }
  if (retval != 0 && rc == 0)
    rc = lab_error_set(err, retval, "flow bundle on %s", vconn_get_name(c->vconn));
  return rc;
}

int netd_ofconn_apply(struct netd_ofconn *c, int replace_all, const struct flows_list *removed,
                      const struct flows_list *added, struct lab_error **err)
{
  struct ovs_list requests;
  ovs_list_init(&requests);
  int rc = 0;
  if (replace_all)
    rc = push_flow_mod(&requests, "", OFPFC_DELETE, err);
  if (rc == 0)
    rc = push_list(&requests, removed, OFPFC_DELETE_STRICT, err);
  if (rc == 0)
    rc = push_list(&requests, added, OFPFC_ADD, err);
  if (rc < 0) {
    ofpbuf_list_delete(&requests);
    return rc;
  }
  return bundle_transact(c, &requests, NULL, 0, NULL, err);
}

int netd_ofconn_bundle(struct netd_ofconn *c, const struct ofputil_flow_mod *fms, size_t n,
                       size_t *failed, struct lab_error **err)
{
  ovs_be32 *xids = calloc(n ? n : 1, sizeof *xids);
  if (xids == NULL)
    return lab_error_set(err, ENOMEM, "flow bundle");
  struct ovs_list requests;
  ovs_list_init(&requests);
  for (size_t i = 0; i < n; i++) {
    struct ofpbuf *msg = ofputil_encode_flow_mod(&fms[i], OFPUTIL_P_OF13_OXM);
    xids[i] = ((const struct ofp_header *)msg->data)->xid;
    ovs_list_push_back(&requests, &msg->list_node);
  }
  int rc = bundle_transact(c, &requests, xids, n, failed, err);
  free(xids);
  return rc;
}

int netd_ofconn_dump_flows(struct netd_ofconn *c, int table, struct ofputil_flow_stats **fses,
                           size_t *n_fses, struct lab_error **err)
{
  struct ofputil_flow_stats_request fsr = {
      .aggregate = false,
      .out_port = OFPP_ANY,
      .out_group = OFPG_ANY,
      .table_id = table < 0 ? 0xff : (uint8_t)table,
  };
  match_init_catchall(&fsr.match);
  int rc = vconn_dump_flows(c->vconn, &fsr, OFPUTIL_P_OF13_OXM, fses, n_fses);
  if (rc != 0)
    return lab_error_set(err, rc, "dumping the flows of %s", vconn_get_name(c->vconn));
  return 0;
}

void netd_ofp_flow_stats_free(struct ofputil_flow_stats *fses, size_t n)
{
  for (size_t i = 0; fses != NULL && i < n; i++)
    free(CONST_CAST(struct ofpact *, fses[i].ofpacts));
  free(fses);
}

int netd_ofconn_run(struct netd_ofconn *c)
{
  vconn_run(c->vconn);
  for (int i = 0; i < 50; i++) {
    struct ofpbuf *msg = NULL;
    int rc = vconn_recv(c->vconn, &msg);
    if (rc == EAGAIN)
      return 0;
    if (rc != 0)
      return -1;
    const struct ofp_header *oh = msg->data;
    enum ofptype type;
    if (ofptype_decode(&type, oh) == 0 && type == OFPTYPE_ECHO_REQUEST) {
      if (vconn_send(c->vconn, ofputil_encode_echo_reply(oh)) != 0) {
        ofpbuf_delete(msg);
        return -1;
      }
    }
    ofpbuf_delete(msg);
  }
  return 0;
}

void netd_ofconn_wait(struct netd_ofconn *c)
{
  vconn_run_wait(c->vconn);
  vconn_recv_wait(c->vconn);
}
