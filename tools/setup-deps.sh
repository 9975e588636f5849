#!/usr/bin/env bash
# Installs every Debian package nodelab needs, when missing.  Idempotent; run as root.
set -euo pipefail

packages=(
  # xmllint, which checks the JUnit XML of nodelab test in CI
  libxml2-utils
  # build
  build-essential cmake pkg-config clang clang-format autoconf automake libtool python3
  # libraries
  libevent-dev libyaml-dev libnl-3-dev libnl-route-3-dev libseccomp-dev libselinux1-dev
  libjson-c-dev libarchive-dev libcmocka-dev
  # pictures (nodelab graph): Graphviz's library; xmllint checks SVG and JUnit XML
  libgraphviz-dev libxml2-utils
  # the web view's terminals: SHA-1 of the WebSocket handshake
  libssl-dev
  # Open vSwitch daemons, and its source for libopenvswitch
  openvswitch-switch openvswitch-source
  # images and the tools a learner uses inside a node
  busybox-static iproute2 ethtool iputils-ping tcpdump iperf3 strace procps psmisc
  # integration tests (reading --json output) and benchmarks; the web view's
  # browser test drives Debian's chromium
  jq chromium
  hyperfine time runc mininet
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# The web view's JavaScript libraries come through npm: Debian's, unless a
# Node.js with its npm is installed already.
if ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# openvswitch-switch's maintainer scripts must not start OVS on the host: every
# node runs its own.  A policy-rc.d that denies service starts keeps it so.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}"
