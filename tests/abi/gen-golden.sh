#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/abi/gen-golden.sh - produce the golden ABI table: build layout.c with
# x86_64-w64-mingw32-gcc against mingw-w64's OWN SDK headers (its windows.h,
# iprtrmib.h, routprot.h and mgm.h; none of libmgm's), run it under Wine in a
# fresh WINEPREFIX inside a temporary directory, and write its output (CRLF
# stripped) to OUTPUT.  A few numbers documented in mgm-spec.md 1.4/1.7 are
# spot-checked so that a golden table can never silently drift from the
# spec.  With --our-mgm-h the same is done with libmgm's include/mgm.h in
# front of mingw-w64's headers (how rtm.dll itself is compiled); the output
# must then equal the golden table too.
#
#   tests/abi/gen-golden.sh tests/abi/golden-x86_64.txt      (regenerate)
#   tests/abi/gen-golden.sh --our-mgm-h /tmp/ours.txt
#
# Exit status: 0 ok, 1 failure, 77 tools missing and LIBMGM_ABI_ALLOW_SKIP=1.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/lib.sh"

usage() {
  echo "usage: $0 [--our-mgm-h] OUTPUT" >&2
  exit 2
}

ours=0
if [ $# -ge 1 ] && [ "$1" = "--our-mgm-h" ]; then
  ours=1
  shift
fi
[ $# -eq 1 ] || usage
out=$1

abi_find_mingw
abi_find_wine

tmp=$(abi_mktemp)
# shellcheck disable=SC2016 # expanded when the trap runs
abi_on_exit 'abi_wine_cleanup "$tmp/prefix"; rm -rf "$tmp"'

if [ "$ours" = 1 ]; then
  set -- "-I$root/include"
  what="mingw-w64 headers + libmgm include/mgm.h"
else
  set --
  what="mingw-w64 headers only"
fi

"$MINGW_CC" -std=c11 -Wall -Wextra -Werror "$@" \
  -o "$tmp/layout.exe" "$here/layout.c"

if ! abi_wine "$tmp/prefix" "$tmp/layout.exe" >"$tmp/raw.txt" \
    2>"$tmp/wine.log"; then
  echo "error: layout.exe failed under $WINE; its log:" >&2
  cat "$tmp/wine.log" >&2
  exit 1
fi
tr -d '\r' <"$tmp/raw.txt" >"$tmp/layout.txt"

# Numbers documented (and measured) in mgm-spec.md 1.4 and 1.7.
bad=0
for fact in \
  "sizeof MGM_IF_ENTRY 16" \
  "sizeof SOURCE_GROUP_ENTRY 16" \
  "sizeof ROUTING_PROTOCOL_CONFIG 80" \
  "alignof ROUTING_PROTOCOL_CONFIG 8" \
  "offsetof ROUTING_PROTOCOL_CONFIG.pfnRpfCallback 8" \
  "offsetof ROUTING_PROTOCOL_CONFIG.pfnEnableIgmpCallback 72" \
  "sizeof MIB_IPMCAST_OIF 16" \
  "sizeof MIB_IPMCAST_MFE 76" \
  "offsetof MIB_IPMCAST_MFE.ulTimeOut 44" \
  "offsetof MIB_IPMCAST_MFE.rgmioOutInfo 60" \
  "value SIZEOF_BASIC_MIB_MFE 60" \
  "value SIZEOF_MIB_MFE(2) 92" \
  "sizeof MIB_IPMCAST_OIF_STATS 28" \
  "sizeof MIB_IPMCAST_MFE_STATS 92" \
  "offsetof MIB_IPMCAST_MFE_STATS.ulNumOutIf 44" \
  "value SIZEOF_BASIC_MIB_MFE_STATS 64" \
  "sizeof MIB_IPMCAST_MFE_STATS_EX 112" \
  "offsetof MIB_IPMCAST_MFE_STATS_EX.ulTotalOutPackets 80" \
  "value SIZEOF_BASIC_MIB_MFE_STATS_EX 84" \
  "offsetof MIB_MFE_TABLE.table 4" \
  "sizeof ULONG 4" \
  "sizeof HANDLE 8" \
  "const MS_IP_IGMP 1094123530 0x4137000a" \
  "const MS_IP_MGM 2167875353 0x81372719" \
  "const PROTO_IP_IGMP 10 0x0000000a" \
  "const ERROR_INVALID_PARAMETER 87 0x00000057" \
  "const ERROR_MORE_DATA 234 0x000000ea" \
  "const ERROR_NO_MORE_ITEMS 259 0x00000103" \
  "const ERROR_NOT_FOUND 1168 0x00000490"; do
  if ! grep -qxF "$fact" "$tmp/layout.txt"; then
    echo "error: '$fact' (mgm-spec.md 1.4/1.7) missing from the layout" \
      "built with $what" >&2
    bad=1
  fi
done
[ "$bad" = 0 ] || exit 1

cp "$tmp/layout.txt" "$tmp/out.new"
mv -f "$tmp/out.new" "$out"
echo "$(wc -l <"$out") lines ($what, $MINGW_CC, $WINE) -> $out"
