#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/abi/compare-layout.sh - CTest driver for abi_layout_native and
# abi_layout_win: run an already built layout program, strip CRs, and diff
# its output against the golden table.  Any difference means libmgm's
# headers no longer give the Windows x64 layout.  With --wine the program is
# a Windows .exe (the mingw cross build) and runs under Wine in a fresh
# WINEPREFIX in a temporary directory, never the user's ~/.wine.
#
#   tests/abi/compare-layout.sh [--wine] GOLDEN PROGRAM
#
# Exit status: 0 same, 1 different, 77 skipped (--wine without Wine and
# LIBMGM_ABI_ALLOW_SKIP=1; see lib.sh).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

wine=0
if [ $# -ge 1 ] && [ "$1" = "--wine" ]; then
  wine=1
  shift
fi
if [ $# -ne 2 ]; then
  echo "usage: $0 [--wine] GOLDEN PROGRAM" >&2
  exit 2
fi
golden=$1
prog=$2

tmp=$(abi_mktemp)
# shellcheck disable=SC2016 # expanded when the trap runs
abi_on_exit 'abi_wine_cleanup "$tmp/prefix"; rm -rf "$tmp"'

if [ "$wine" = 1 ]; then
  abi_find_wine
  if ! abi_wine "$tmp/prefix" "$prog" >"$tmp/raw.txt" 2>"$tmp/wine.log"; then
    echo "error: $prog failed under $WINE; its log:" >&2
    cat "$tmp/wine.log" >&2
    exit 1
  fi
else
  "$prog" >"$tmp/raw.txt"
fi
tr -d '\r' <"$tmp/raw.txt" >"$tmp/layout.txt"
if ! diff -u "$golden" "$tmp/layout.txt"; then
  echo "FAIL: layout printed by $prog differs from $golden" \
    "(- golden, + ours)" >&2
  exit 1
fi
echo "PASS: $(wc -l <"$golden") facts equal to $golden"
