#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/winbin/run.sh - run an SDK-built Windows client against libmgm's
# rtm.dll under Wine.  mgm_win.c is compiled with x86_64-w64-mingw32-gcc
# against mingw-w64's OWN headers (the script checks with -M that no libmgm
# header is used) and linked with mingw-w64's import library librtm.a; the
# given rtm.dll is copied beside the exe in a temporary directory and the exe
# runs there under Wine with a fresh WINEPREFIX (rtm forced native).  The
# DLL's export table is first compared with src/exports.txt.  Not part of the
# CMake build; run it by hand or from CI after the mingw build:
#
#   cmake --preset mingw && cmake --build build-mingw
#   tests/winbin/run.sh build-mingw/rtm.dll
#
# Exit status: 0 all checks passed, 1 failure, 77 skipped (mingw-w64 or Wine
# missing and LIBMGM_ABI_ALLOW_SKIP=1; see tests/abi/lib.sh).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/abi/lib.sh"

if [ $# -ne 1 ]; then
  echo "usage: $0 path/to/rtm.dll" >&2
  exit 2
fi
dll=$1
if [ ! -f "$dll" ]; then
  echo "error: $dll not found (build it: cmake --preset mingw &&" \
    "cmake --build build-mingw)" >&2
  exit 1
fi

abi_find_mingw
abi_find_wine

tmp=$(abi_mktemp)
# shellcheck disable=SC2016 # expanded when the trap runs
abi_on_exit 'abi_wine_cleanup "$tmp/prefix"; rm -rf "$tmp"'

# 1. The DLL exports exactly the names of src/exports.txt.
"$root/tests/abi/check-exports.sh" "$root/src/exports.txt" --dll "$dll"

# 2. Build the client from the SDK alone.
cflags="-std=c11 -Wall -Wextra -Werror -O1"
# shellcheck disable=SC2086
"$MINGW_CC" $cflags -M "$here/mgm_win.c" >"$tmp/deps.mk"
tr ' ' '\n' <"$tmp/deps.mk" | grep "^$root/.*\.h\$" >"$tmp/ours.txt" || true
if [ -s "$tmp/ours.txt" ]; then
  echo "FAIL: mgm_win.c picked up libmgm headers:" >&2
  cat "$tmp/ours.txt" >&2
  exit 1
fi
grep -q "/mgm\.h" "$tmp/deps.mk" || {
  echo "FAIL: mgm_win.c did not include an SDK mgm.h" >&2
  exit 1
}
# shellcheck disable=SC2086
"$MINGW_CC" $cflags -o "$tmp/mgm_win.exe" "$here/mgm_win.c" -lrtm
"$MINGW_OBJDUMP" -p "$tmp/mgm_win.exe" >"$tmp/exe.txt"
if ! grep -qi 'DLL Name: rtm.dll' "$tmp/exe.txt"; then
  echo "FAIL: mgm_win.exe does not import rtm.dll" >&2
  exit 1
fi

# 3. Run it beside our rtm.dll.
cp "$dll" "$tmp/rtm.dll"
abi_wine_init "$tmp/prefix"
rc=0
(cd "$tmp" && ABI_WINE_OVERRIDES="rtm=n" abi_wine "$tmp/prefix" \
  ./mgm_win.exe) || rc=$?
if [ "$rc" != 0 ]; then
  echo "FAIL: mgm_win.exe under $WINE with $dll: exit status $rc" >&2
  exit 1
fi
echo "PASS: SDK-built client ran against $dll under $WINE"
