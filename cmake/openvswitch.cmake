# libopenvswitch, built from Debian's openvswitch-source tarball.
#
# Debian 12 ships no libopenvswitch-dev, but it ships the OVS 3.1 source tarball
# (package openvswitch-source) of exactly the version the installed daemons run,
# so the OpenFlow and OVSDB code netd links speaks the same dialect as
# ovs-vswitchd and ovsdb-server.  The tarball is unpacked into the build tree,
# configured for a static, position-independent library without SSL or
# libcap-ng, and built in two make steps: first the generated headers that
# users of the library need (they are not part of the tarball), then the
# library alone (not the daemons or utilities: a full OVS build takes ~10x
# longer).  Nothing is downloaded.
#
# Result: the IMPORTED target openvswitch::lib.  Code that uses it includes
# <config.h> first, as every OVS source file does.

include(ExternalProject)

set(NODELAB_OVS_TARBALL /usr/src/openvswitch/openvswitch.tar.gz
  CACHE FILEPATH "OVS source tarball (Debian package openvswitch-source)")
if(NOT EXISTS ${NODELAB_OVS_TARBALL})
  message(FATAL_ERROR "${NODELAB_OVS_TARBALL} not found: install openvswitch-source "
    "(tools/setup-deps.sh) or configure with -DNODELAB_WITH_OVS=OFF")
endif()

set(OVS_PREFIX ${CMAKE_BINARY_DIR}/openvswitch)
set(OVS_SOURCE_DIR ${OVS_PREFIX}/source)
set(OVS_BUILD_DIR ${OVS_PREFIX}/build)
set(OVS_LIBRARY ${OVS_BUILD_DIR}/lib/.libs/libopenvswitch.a)

# Make inside make: $(MAKE) shares the outer jobserver (cmake --build -jN).
if(CMAKE_GENERATOR MATCHES "Makefiles")
  set(OVS_MAKE $(MAKE))
else()
  set(OVS_MAKE make -j2)
endif()

# Optional libraries configure would pick up when their -dev package happens to
# be installed (unbound, libunwind) are switched off, so the link line below is
# the same on every machine.  Optimised but not debug-free: OVS asserts stay.
ExternalProject_Add(openvswitch-build
  URL ${NODELAB_OVS_TARBALL}
  PREFIX ${OVS_PREFIX}
  SOURCE_DIR ${OVS_SOURCE_DIR}
  BINARY_DIR ${OVS_BUILD_DIR}
  DOWNLOAD_EXTRACT_TIMESTAMP TRUE
  CONFIGURE_COMMAND ${OVS_SOURCE_DIR}/configure
    --enable-static --disable-shared --with-pic --disable-ssl --disable-libcapng
    ac_cv_lib_unbound_ub_ctx_create=no ac_cv_lib_unwind_unw_backtrace=no
    "CFLAGS=-O2 -g"
  BUILD_COMMAND ${OVS_MAKE} include/odp-netlink.h include/odp-netlink-macros.h lib/vswitch-idl.h
    lib/ovsdb-server-idl.h V=0
    COMMAND ${OVS_MAKE} lib/libopenvswitch.la V=0
  INSTALL_COMMAND ""
  BUILD_BYPRODUCTS ${OVS_LIBRARY}
  LOG_CONFIGURE TRUE
  LOG_BUILD FALSE  # $(MAKE) is expanded only when make runs the step itself
  LOG_OUTPUT_ON_FAILURE TRUE)

# Imported targets refuse include directories that do not exist at configure
# time; the external build fills them later.
set(OVS_INCLUDE_DIRS
  ${OVS_BUILD_DIR}            # config.h
  ${OVS_BUILD_DIR}/include    # generated: odp-netlink.h, openvswitch/version.h
  ${OVS_SOURCE_DIR}/include
  ${OVS_BUILD_DIR}/lib        # generated: vswitch-idl.h
  ${OVS_SOURCE_DIR}/lib)
foreach(dir ${OVS_INCLUDE_DIRS})
  file(MAKE_DIRECTORY ${dir})
endforeach()

# The build also produces lib/.libs/libopenvswitchavx512.a (AVX-512 variants of
# the userspace datapath's classifier); netd does not link the datapath, so it
# is left out.
# -latomic: OVS's atomics use 8- and 16-byte __atomic calls libgcc does not inline.
set(OVS_LINK_LIBRARIES atomic m pthread rt)

add_library(openvswitch::lib STATIC IMPORTED GLOBAL)
set_target_properties(openvswitch::lib PROPERTIES
  IMPORTED_LOCATION ${OVS_LIBRARY}
  # Imported include directories are SYSTEM for consumers: OVS headers are not
  # held to our warning set.
  INTERFACE_INCLUDE_DIRECTORIES "${OVS_INCLUDE_DIRS}"
  INTERFACE_LINK_LIBRARIES "${OVS_LINK_LIBRARIES}")
add_dependencies(openvswitch::lib openvswitch-build)
