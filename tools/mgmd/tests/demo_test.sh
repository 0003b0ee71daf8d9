#!/bin/sh
# SPDX-License-Identifier: MIT
#
# demo_test.sh - runs examples/demo-mgmd.sh (with the binaries named in
# MGMD, MGMCTL and MGMD_PLUGIN_DIR) and checks that the story happened:
# exit status 0 and the key lines of each step in its output.
set -u
demo=$1
out=$(mktemp "${TMPDIR:-/tmp}/mgmd-demo-test.XXXXXX")
trap 'rm -f "$out"' EXIT
bash "$demo" >"$out" 2>&1
rc=$?
fail=0
for want in \
    'interface lan2 was held by protocol 10/1' \
    'interface lan2: owner static, IGMP co-owner igmp' \
    'membership (\*, 239.1.2.3) on lan3 by igmp added' \
    'local join: MgmAddGroupMembershipEntry(\*, 239.1.2.3) on lan2 -> 0' \
    'RPF callback for (10.1.0.5, 239.1.2.3)' \
    'creation alert for (10.1.0.5, 239.1.2.3)' \
    'MFE (10.1.0.5, 239.1.2.3) created: in up0, out lan2 lan3' \
    'in: 10 packets, 10000 bytes' \
    'MFE (10.1.0.5, 239.1.2.3) updated: in up0, out lan2 (was: out lan2 lan3)' \
    'out nothing (negative entry' \
    'the last one was negative' \
    'MFE (10.1.0.5, 239.1.2.3) deleted' \
    'simulated kernel before libmgm_stop: 0 forwarding entries, 0 interface slots' \
    'mgmd exited with status 0'; do
  if ! grep -q "$want" "$out"; then
    echo "demo_test: missing: $want"
    fail=1
  fi
done
if [ "$rc" != 0 ] || [ "$fail" != 0 ]; then
  echo "demo_test: exit status $rc; the demo's output:"
  cat "$out"
  exit 1
fi
echo "demo_test: the demo ran and told the whole story"
