#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/abi/check-golden.sh - CTest driver for abi_golden_fresh and
# abi_layout_mingw: regenerate the layout table with gen-golden.sh (mingw-w64
# + Wine, fresh WINEPREFIX) into a temporary file and diff it against the
# checked-in golden table.  Without options this proves the golden table still
# is what mingw-w64's own SDK headers give; with --our-mgm-h it proves that
# libmgm's mgm.h, compiled for Windows the way rtm.dll is, has the same
# layout.
#
#   tests/abi/check-golden.sh [--our-mgm-h] tests/abi/golden-x86_64.txt
#
# Exit status: 0 same, 1 different or failed, 77 skipped (see lib.sh).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

opt=
what="mingw-w64's own headers"
if [ $# -ge 1 ] && [ "$1" = "--our-mgm-h" ]; then
  opt=$1
  what="mingw-w64's headers and libmgm's mgm.h"
  shift
fi
if [ $# -ne 1 ]; then
  echo "usage: $0 [--our-mgm-h] GOLDEN" >&2
  exit 2
fi
golden=$1

tmp=$(abi_mktemp)
# shellcheck disable=SC2016 # expanded when the trap runs
abi_on_exit 'rm -rf "$tmp"'

rc=0
if [ -n "$opt" ]; then
  set -- "$opt" "$tmp/fresh.txt"
else
  set -- "$tmp/fresh.txt"
fi
"$here/gen-golden.sh" "$@" || rc=$?
[ "$rc" = 0 ] || exit "$rc"

if ! diff -u "$golden" "$tmp/fresh.txt"; then
  echo "FAIL: the layout built with $what differs from $golden" \
    "(- golden, + fresh)" >&2
  exit 1
fi
echo "PASS: $(wc -l <"$golden") facts equal to $golden"
