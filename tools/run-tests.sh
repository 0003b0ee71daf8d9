#!/usr/bin/env bash
# tools/run-tests.sh - the README's test command: install what is missing,
# build with warnings as errors, and run every CTest suite: unit,
# conformance, abi, fuzz replays here, then the kernel suites (label netns:
# network namespaces forwarding through the real ipmr code) as root, under
# this kernel when it has multicast routing, else in a throw-away VM with
# Debian's kernel (tests/vm/mrkernel.sh).  As root those may not skip.
set -eu
cd "$(dirname "$0")/.."
tools/deps.sh --full
cmake --preset default
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
