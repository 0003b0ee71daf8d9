#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/abi/check-prototypes.sh - CTest driver for the abi_prototypes_* tests:
# compile prototypes.c (which includes <windows.h>, <iprtrmib.h>, <mgm.h>
# and then sdk_prototypes.inc) with -Werror at test time, so that a changed
# prototype, typedef or field type fails the test run and not only the
# build.  Three modes pick the headers:
#
#   native      CC (default cc) with libmgm's include/ + compat/
#   mingw-ours  x86_64-w64-mingw32-gcc: mingw-w64's windows.h/iprtrmib.h,
#               libmgm's include/mgm.h (how rtm.dll and its clients build)
#   mingw-sdk   x86_64-w64-mingw32-gcc with mingw-w64's own mgm.h: proves
#               sdk_prototypes.inc itself agrees with the SDK header
#
# Before compiling, the script asks the compiler (-M) which mgm.h and
# windows.h it really picks up and fails if that is not the intended one.
#
#   tests/abi/check-prototypes.sh native [CC]
#   tests/abi/check-prototypes.sh mingw-ours | mingw-sdk
#
# Exit status: 0 ok, 1 failure, 77 skipped (mingw missing and
# LIBMGM_ABI_ALLOW_SKIP=1; see lib.sh).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/lib.sh"

if [ $# -lt 1 ]; then
  echo "usage: $0 native [CC] | mingw-ours | mingw-sdk" >&2
  exit 2
fi
mode=$1

case $mode in
native)
  cc=${2:-${CC:-cc}}
  command -v "$cc" >/dev/null 2>&1 || {
    echo "error: compiler '$cc' not found" >&2
    exit 1
  }
  set -- "-I$root/include" "-I$root/compat"
  want_mgm=$root/include/mgm.h
  want_windows=$root/compat/windows.h
  want_iprtrmib=$root/compat/iprtrmib.h
  ;;
mingw-ours)
  abi_find_mingw
  cc=$MINGW_CC
  set -- "-I$root/include"
  want_mgm=$root/include/mgm.h
  want_windows=sdk
  want_iprtrmib=sdk
  ;;
mingw-sdk)
  abi_find_mingw
  cc=$MINGW_CC
  set --
  want_mgm=sdk
  want_windows=sdk
  want_iprtrmib=sdk
  ;;
*)
  echo "error: unknown mode '$mode'" >&2
  exit 2
  ;;
esac

tmp=$(abi_mktemp)
# shellcheck disable=SC2016 # expanded when the trap runs
abi_on_exit 'rm -rf "$tmp"'

flags="-std=c11 -pedantic -Wall -Wextra -Wstrict-prototypes -Werror
       -Werror=incompatible-pointer-types"

# Which headers does this compiler really use?  One dependency per line.
# shellcheck disable=SC2086
"$cc" $flags "$@" -M "$here/prototypes.c" >"$tmp/deps.mk"
sed 's/\\$//' "$tmp/deps.mk" | tr ' ' '\n' | sed '/^$/d' >"$tmp/deps.txt"

# check_header NAME WANT: WANT is an exact path, or "sdk" for "anything not
# from this source tree".
check_header() {
  got=$(grep "/$1\$" "$tmp/deps.txt" | head -n 1 || true)
  if [ -z "$got" ]; then
    echo "FAIL: $1 was not included at all" >&2
    exit 1
  fi
  case $2 in
  sdk)
    case $got in
    "$root"/*)
      echo "FAIL: $1 came from libmgm ($got), expected the SDK's" >&2
      exit 1
      ;;
    esac
    ;;
  *)
    if [ "$got" != "$2" ]; then
      echo "FAIL: $1 came from $got, expected $2" >&2
      exit 1
    fi
    ;;
  esac
  echo "  $1: $got"
}
echo "mode $mode, compiler $cc"
check_header mgm.h "$want_mgm"
check_header windows.h "$want_windows"
check_header iprtrmib.h "$want_iprtrmib"

# shellcheck disable=SC2086
if ! "$cc" $flags "$@" -c "$here/prototypes.c" -o "$tmp/prototypes.o"; then
  if [ "$mode" = mingw-sdk ]; then
    echo "FAIL: sdk_prototypes.inc disagrees with mingw-w64's own SDK" \
      "headers: the .inc is wrong" >&2
  else
    echo "FAIL: the headers listed above do not declare the SDK API" \
      "re-stated in sdk_prototypes.inc" >&2
  fi
  exit 1
fi
echo "PASS: 17 prototypes, 9 callback typedefs and all field types match"
