/* Proves that libopenvswitch, built from openvswitch-source by
 * cmake/openvswitch.cmake, links and works: a flow in ovs-ofctl syntax goes
 * through OVS's parser, encoder and printer, and the generated Open_vSwitch
 * IDL is present. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit-test.h"

#include "ofp.h"

#include "openflow/openflow.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "ovsdb-idl-provider.h"
#include "vswitch-idl.h"

static void test_flow_round_trip(void **state)
{
  (void)state;
  struct ofputil_flow_mod fm;
  struct lab_error *err = NULL;
  const char *text = "table=90,priority=100,ip,nw_dst=10.1.2.0/24 "
                     "actions=set_field:192.168.122.203->tun_dst,output:1";

  assert_int_equal(netd_ofp_parse_flow(text, OFPFC_ADD, &fm, &err), 0);
  assert_null(err);
  assert_int_equal(fm.table_id, 90);
  assert_int_equal(fm.priority, 100);
  assert_int_equal(fm.command, OFPFC_ADD);

  struct ofpbuf *msg = ofputil_encode_flow_mod(&fm, OFPUTIL_P_OF13_OXM);
  const struct ofp_header *oh = msg->data;
  assert_int_equal(oh->version, OFP13_VERSION);

  char *printed = ofp_to_string(msg->data, msg->size, NULL, NULL, 1);
  assert_non_null(strstr(printed, "OFPT_FLOW_MOD (OF1.3)"));
  assert_non_null(strstr(printed, "nw_dst=10.1.2.0/24"));
  assert_non_null(strstr(printed, "set_field:192.168.122.203->tun_dst"));
  free(printed);
  ofpbuf_delete(msg);
  netd_ofp_flow_mod_uninit(&fm);
}

static void test_bad_flow_is_an_error(void **state)
{
  (void)state;
  struct ofputil_flow_mod fm;
  struct lab_error *err = NULL;

  assert_int_equal(
      netd_ofp_parse_flow("table=0,no_such_field=1 actions=drop", OFPFC_ADD, &fm, &err), -1);
  assert_non_null(err);
  assert_non_null(strstr(err->msg, "no_such_field"));
  lab_error_clear(&err);
}

static void test_versions_and_idl(void **state)
{
  (void)state;
  assert_string_equal(ofputil_version_to_string(OFP13_VERSION), "OpenFlow13");
  assert_string_equal(ovsrec_idl_class.database, "Open_vSwitch");
  assert_string_equal(ovsrec_table_bridge.name, "Bridge");
  assert_string_equal(ovsrec_table_interface.name, "Interface");
}

UNIT_TEST_MAIN(NULL, NULL, cmocka_unit_test(test_flow_round_trip),
               cmocka_unit_test(test_bad_flow_is_an_error), cmocka_unit_test(test_versions_and_idl))
