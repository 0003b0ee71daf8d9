#!/usr/bin/env bash
# tools/run-tests.sh - the README's test command: install what is missing,
# build with warnings as errors, and run every CTest suite (unit,
# conformance, abi, netns; the netns scenarios need root and run serially).
set -eu
cd "$(dirname "$0")/.."
tools/deps.sh --full
cmake --preset default
cmake --build --preset default -j2
ctest --preset default -j2
