#!/bin/sh
# SPDX-License-Identifier: MIT
#
# compile-check.sh - syntax-check the BSD backend against a real BSD
# /usr/include: every src/platform/bsd/*.c and the syscall table it calls
# through (src/platform/posix/sys.c; registry.c too when it compiles
# there), plus layout-check.c, which asserts that the documented layouts
# the Linux unit tests use equal the sysroot's own headers.
#
# Usage: tests/bsd/compile-check.sh SYSROOT [TARGET]
#   SYSROOT  a directory holding usr/include of the target (never commit it)
#   TARGET   clang target triple (default x86_64-unknown-freebsd9)
# Without a usable SYSROOT or clang it prints why and exits 77 (CTest's
# skip code), or 1 when LIBMGM_BSD_CHECK_REQUIRED=1 (tools/run-tests.sh in
# CI): there the check must run.
set -u

sysroot=${1:-}
target=${2:-x86_64-unknown-freebsd9}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cc=${CLANG:-clang}

skip() {
  if [ "${LIBMGM_BSD_CHECK_REQUIRED:-0}" = 1 ]; then
    echo "compile-check: FAILED: $* (LIBMGM_BSD_CHECK_REQUIRED=1: the check" \
      "may not skip)"
    exit 1
  fi
  echo "SKIP: $*"
  exit 77
}

if [ -z "$sysroot" ] || [ ! -d "$sysroot/usr/include" ]; then
  skip "no BSD sysroot given (need SYSROOT/usr/include): '${sysroot}'"
fi
if ! command -v "$cc" >/dev/null 2>&1; then
  skip "$cc not found"
fi

flags="--target=$target --sysroot=$sysroot -fsyntax-only -Wall -Wextra
  -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -std=c11
  -I$top/include -I$top/compat -I$top/src"
fail=0
n=0

check() {
  n=$((n + 1))
  if $cc $flags "$@"; then
    echo "ok   $*"
  else
    echo "FAIL $*"
    fail=1
  fi
}

cd "$top" || exit 1
for f in src/platform/bsd/*.c; do
  check "$f"
done
# The syscall table the backend calls through: as CMake builds it on a BSD
# (sysctl found) and without any probe result (the fallbacks).
check -DHAVE_SYSCTL=1 src/platform/posix/sys.c
check src/platform/posix/sys.c
check -DLIBMGM_HAVE_BACKEND_BSD=1 -DLIBMGM_HAVE_BACKEND_SIM=1 \
  -DLIBMGM_DEFAULT_BACKEND='"bsd"' -I"$here" "$here/layout-check.c"

# registry.c is someone else's file: report, but do not fail on it.
if [ -f src/platform/registry.c ]; then
  if $cc $flags -DLIBMGM_HAVE_BACKEND_BSD=1 -DLIBMGM_HAVE_BACKEND_SIM=1 \
      -DLIBMGM_DEFAULT_BACKEND='"bsd"' src/platform/registry.c 2>/dev/null; then
    echo "ok   src/platform/registry.c"
  else
    echo "note src/platform/registry.c does not compile for $target (not ours)"
  fi
fi

if [ "$fail" -ne 0 ]; then
  echo "compile-check: FAILED ($target, $sysroot)"
  exit 1
fi
echo "compile-check: $n file(s) clean ($target, $sysroot)"
exit 0
