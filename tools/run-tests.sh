#!/usr/bin/env bash
# tools/run-tests.sh - the README's test command: install what is missing,
# build with warnings as errors, and run every CTest suite: unit,
# conformance, abi, fuzz replays here, then the kernel suites (label netns:
# network namespaces forwarding through the real ipmr code) as root, under
# this kernel when it has multicast routing, else in a throw-away VM with
# Debian's kernel (tests/vm/mrkernel.sh).  As root those may not skip.
#
# The BSD backend's compile check (label bsd, tests/bsd/compile-check.sh)
# needs a BSD /usr/include: $LIBMGM_BSD_SYSROOT, else the FreeBSD 9.2 one
# in shared/sysroots beside this clone.  In CI (CI=true) it must run: a
# missing sysroot, or a check that would skip, fails.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
tools/deps.sh --full
bsd_sysroot=${LIBMGM_BSD_SYSROOT:-}
if [ -z "$bsd_sysroot" ] && [ -d "$here/../../shared/sysroots/freebsd-9.2" ]; then
  bsd_sysroot=$(cd "$here/../../shared/sysroots/freebsd-9.2" && pwd)
fi
if [ "${CI:-}" = true ]; then
  if [ -z "$bsd_sysroot" ] || [ ! -d "$bsd_sysroot/usr/include" ]; then
    echo "run-tests: CI: no BSD sysroot for the BSD compile check:" \
      "LIBMGM_BSD_SYSROOT is unset and" \
      "$here/../../shared/sysroots/freebsd-9.2 does not exist" >&2
    exit 1
  fi
  export LIBMGM_BSD_CHECK_REQUIRED=1
fi
cmake --preset default ${bsd_sysroot:+"-DLIBMGM_BSD_SYSROOT=$bsd_sysroot"}
cmake --build --preset default -j2
ctest --preset default -j2 -LE netns

if [ "$(id -u)" != 0 ]; then
  echo "run-tests: not root: the netns suites are skipped (they create" \
    "network namespaces and drive the kernel's multicast routing)"
  ctest --preset default -L netns
  exit 0
fi
export LIBMGM_NETNS_REQUIRED=1
tests/vm/mrkernel.sh ctest --preset default -L netns
