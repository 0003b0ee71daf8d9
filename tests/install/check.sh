#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/install/check.sh BUILD_DIR - install libmgm into a temporary
# prefix, then build a porter's program against it two ways, as the README
# says: with `pkg-config --cflags --libs libmgm`, and with
# find_package(libmgm) + target libmgm::mgm.  Both programs must run
# (sim backend) and see the SDK layouts.
set -eu
build=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
# The plug-in header is installed with the API's (issue 19).
test -f "$tmp/prefix/include/mgmd_plugin.h"

cat > "$tmp/porter.c" <<'C'
#include <stdio.h>
#include <windows.h>
#include <iprtrmib.h>
#include <mgm.h>
#include <routprot.h>
#include <libmgm.h>

int main(void) {
  struct libmgm_config cfg;
  ROUTING_PROTOCOL_CONFIG rpc = {0};
  HANDLE h;
  DWORD rc;

  if (SIZEOF_BASIC_MIB_MFE != 60 || sizeof(MGM_IF_ENTRY) != 16 ||
      MS_IP_IGMP != 0x4137000Au)
    return 2;
  libmgm_config_init(&cfg);
  cfg.backend = "sim";
  if ((rc = libmgm_start(&cfg)) != NO_ERROR)
    return 3;
  if ((rc = MgmRegisterMProtocol(&rpc, PROTO_IP_IGMP, 1, &h)) != NO_ERROR)
    return 4;
  if ((rc = MgmTakeInterfaceOwnership(h, 7, 0)) != NO_ERROR)
    return 5;
  MgmReleaseInterfaceOwnership(h, 7, 0);
  MgmDeRegisterMProtocol(h);
  libmgm_stop();
  puts("porter ok");
  return 0;
}
C

# 1. pkg-config
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig:$tmp/prefix/lib/x86_64-linux-gnu/pkgconfig"
cflags=$(pkg-config --cflags libmgm)
libs=$(pkg-config --libs libmgm)
libdir=$(pkg-config --variable=libdir libmgm)
cc -std=c11 -Wall -Wextra -Werror $cflags -o "$tmp/porter-pc" "$tmp/porter.c" $libs
LD_LIBRARY_PATH="$libdir" "$tmp/porter-pc"

# 2. find_package
mkdir -p "$tmp/consumer"
cp "$tmp/porter.c" "$tmp/consumer/"
cat > "$tmp/consumer/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.20)
project(porter C)
find_package(libmgm 0.1 REQUIRED)
add_executable(porter porter.c)
target_link_libraries(porter PRIVATE libmgm::mgm)
CM
cmake -S "$tmp/consumer" -B "$tmp/consumer/build" \
  -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer/build" >/dev/null
LD_LIBRARY_PATH="$libdir" "$tmp/consumer/build/porter"
echo "install: pkg-config and find_package consumers built and ran"
