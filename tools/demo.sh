#!/usr/bin/env bash
# tools/demo.sh - the README's main command: install what is missing, then
# run the embedded default: mgmd (libmgm's multicast router) on the
# simulated forwarder with the shipped demo configuration, walked through
# step by step with mgmctl output (examples/demo-mgmd.sh).  No root needed
# to run it, no configuration.  The library-only tour is
# build/examples/mgm-demo.
set -eu
cd "$(dirname "$0")/.."
tools/deps.sh
exec examples/demo-mgmd.sh
