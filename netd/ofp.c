#include <config.h>

#include "ofp.h"

#include <errno.h>
#include <stdlib.h>

#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-protocol.h"

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
