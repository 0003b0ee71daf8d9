#!/usr/bin/env bash
# tools/demo.sh - the README's main command: install what is missing, build,
# and run the guided MGM demo on the simulated forwarder (no root needed to
# run it, no configuration).
set -eu
cd "$(dirname "$0")/.."
tools/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j2 --target mgm-demo >/dev/null
exec build/examples/mgm-demo
