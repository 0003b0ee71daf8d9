#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# demo-mgmd.sh - a guided tour of mgmd, the multicast router that hosts
# protocols on libmgm: it starts mgmd on the simulated forwarder with
# examples/mgmd-demo.conf (no root, no kernel state, nothing installed),
# plays hosts and a source through mgmd's control socket, shows with
# mgmctl what the Multicast Group Manager did at each step (the seed
# start-up sequence, IGMP joins and local joins, RPF and creation alerts,
# MFE creation, prunes), then stops mgmd by its PID and removes its
# temporary directory.
#
#   examples/demo-mgmd.sh            build if needed (CMake preset
#                                    "default", ./build), then run
# Environment:
#   MGMD_DEMO_BUILD=DIR   build directory to use instead (configured and
#                         built there if needed)
#   MGMD, MGMCTL, MGMD_PLUGIN_DIR   use these binaries, build nothing
#   MGMD_DEMO_PAUSE=1     wait for Enter between the steps
set -eu

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

# ---- build -------------------------------------------------------------------
if [ -z "${MGMD:-}" ] || [ -z "${MGMCTL:-}" ] || [ -z "${MGMD_PLUGIN_DIR:-}" ]; then
  targets="--target mgmd --target mgmctl --target static_proto"
  if [ -n "${MGMD_DEMO_BUILD:-}" ]; then
    bdir="$MGMD_DEMO_BUILD"
    if [ ! -f "$bdir/CMakeCache.txt" ]; then
      echo "Configuring $bdir ..."
      cmake -S "$root" -B "$bdir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    fi
    echo "Building mgmd, mgmctl and the static plug-in in $bdir ..."
    # shellcheck disable=SC2086
    cmake --build "$bdir" -j2 $targets >/dev/null
  else
    bdir="$root/build"
    if [ ! -f "$bdir/CMakeCache.txt" ]; then
      echo "Configuring ./build (CMake preset 'default') ..."
      cmake --preset default >/dev/null
    fi
    echo "Building mgmd, mgmctl and the static plug-in in ./build ..."
    # shellcheck disable=SC2086
    cmake --build --preset default -j2 $targets >/dev/null
  fi
  MGMD="$bdir/tools/mgmd/mgmd"
  MGMCTL="$bdir/tools/mgmctl/mgmctl"
  MGMD_PLUGIN_DIR="$bdir/examples/static_proto"
fi
conf="$here/mgmd-demo.conf"

# ---- a private directory for the socket, the pid file and the log ------------
tmp="$(mktemp -d "${TMPDIR:-/tmp}/mgmd-demo.XXXXXX")"
export MGMD_SOCKET="$tmp/mgmd.sock"
pid=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- presentation ------------------------------------------------------------
step=0
say() { # a paragraph of explanation
  printf '%s\n' "$@" | fold -s -w 78 | sed 's/^/  /'
}
banner() {
  step=$((step + 1))
  if [ "${MGMD_DEMO_PAUSE:-0}" = 1 ] && [ "$step" -gt 1 ]; then
    printf '\n  [Enter] '
    read -r _ || true
  fi
  printf '\n== Step %d: %s\n\n' "$step" "$*"
}
mgmctl() { # show the command, then its output, indented
  printf '  $ mgmctl %s\n' "$*"
  "$MGMCTL" "$@" 2>&1 | sed 's/^/    /'
  echo
}

cat <<'EOF'
mgmd demo: a multicast router built on libmgm (the Windows RRAS Multicast
Group Manager API, mgm.h, on Linux/BSD), running on libmgm's simulated
forwarder: no root, no kernel state.

        source 10.1.0.5 sends to 239.1.2.3
              |
        up0 10.1.0.254/16 ........ owned by "static" (a plug-in protocol)
      +-------------------+
      |  mgmd  (one MGM)  |
      +-------------------+
   lan2 10.2.0.254/24    lan3 10.3.0.254/24
   static + IGMP          IGMP only
   hosts                  hosts

Inside mgmd: MGM (libmgm), the IGMP router component, and the "static"
protocol loaded from static_proto.so - all three speak only the MGM API.
mgmctl talks to mgmd over a Unix socket; here MGMD_SOCKET points at a
private temporary directory.
EOF

# ---- 1: start ------------------------------------------------------------------
banner "mgmd starts: the seed start-up sequence"
echo '  $ mgmd --socket $MGMD_SOCKET --pidfile $TMP/mgmd.pid \'
echo '         --plugin-dir $BUILD/examples/static_proto examples/mgmd-demo.conf &'
"$MGMD" --socket "$MGMD_SOCKET" --pidfile "$tmp/mgmd.pid" \
  --plugin-dir "$MGMD_PLUGIN_DIR" "$conf" 2>"$tmp/mgmd.log" &
pid=$!
for _ in $(seq 100); do
  "$MGMCTL" ping >/dev/null 2>&1 && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "mgmd did not start:" >&2
    cat "$tmp/mgmd.log" >&2
    exit 1
  fi
  sleep 0.05
done
say "mgmd is running (pid $pid). It started the components in the order the" \
  "RRAS documentation describes: IGMP registers with MGM and takes the host" \
  "LANs; then the routing protocol registers, asks MGM who owns each of its" \
  "interfaces (MgmGetProtocolOnInterface) and takes them." \
  "" \
  "Taking lan2, where IGMP already was, makes MGM run its ownership-change" \
  "sequence: IGMP is disabled there, its memberships are purged, IGMP is" \
  "enabled again and replays them - now as a co-owner. The log says so:"
echo
mgmctl show log
say "Every protocol registered with MGM (IGMP is recognised by its protocol id 10):"
echo
mgmctl show protocols
say "Each interface has at most one routing-protocol owner plus an IGMP" \
  "co-owner; MGM gave each one a forwarder slot (a VIF in a kernel):"
echo
mgmctl show interfaces
say "The static protocol's configured join is MGM's first membership:"
echo
mgmctl show groups

# ---- 2: IGMP join on an IGMP-only LAN --------------------------------------------
banner "a host on lan3 joins 239.1.2.3"
say "A host sends an IGMPv2 membership report on lan3 (injected into the" \
  "simulated link). IGMP owns lan3 alone, so its (*,G) membership is" \
  "effective at once; MGM tells the other protocol with a join alert."
echo
mgmctl sim igmp join lan3 239.1.2.3

# ---- 3: IGMP join where the routing protocol owns the interface ------------------
banner "a host on lan2 joins 239.1.2.3: a local join"
say "On lan2 the routing protocol is the owner. MGM keeps IGMP's join as a" \
  "latent membership and gives the owner a local-join callback: the owner" \
  "decides. static adds its own membership - from mgmd's thread, not inside" \
  "the callback, which would deadlock Windows MGM."
echo
mgmctl sim igmp join lan2 239.1.2.3
mgmctl show groups

# ---- 4: a source starts ------------------------------------------------------------
banner "the source 10.1.0.5 starts sending to 239.1.2.3"
say "The first packet has no forwarding entry: the forwarder hands it to MGM." \
  "MGM looks the source up (route 10.1.0.0/16 via up0), asks up0's owner to" \
  "confirm the incoming interface (the RPF callback), computes the outgoing" \
  "interfaces from the memberships, sends a creation alert to each protocol" \
  "owning one of them (static: lan2; IGMP has no callback and takes the" \
  "default, lan3) and installs the MFE."
echo
mgmctl sim inject up0 10.1.0.5 239.1.2.3
mgmctl show mfe
say "The next packets match the MFE in the forwarder; MGM is not involved:"
echo
mgmctl sim inject up0 10.1.0.5 239.1.2.3 count 9
mgmctl show mfe --stats
say "The same as JSON, for scripts (schema in tools/mgmctl/README.md):"
echo
mgmctl --json show mfe --stats

# ---- 5: prune ---------------------------------------------------------------------------
banner "the host on lan3 leaves: a prune"
say "An IGMPv2 leave. The querier asks twice whether anyone else wants the" \
  "group (last-member queries, 1 s apart); nobody answers, so after 2 s IGMP" \
  "deletes its membership and MGM removes lan3 from the MFE. static gets a" \
  "prune alert: no receiver is left on another protocol's interfaces."
echo
mgmctl sim igmp leave lan3 239.1.2.3
mgmctl sim advance 3s
mgmctl show mfe

banner "the last host (lan2) leaves: the MFE becomes negative"
say "This time the latent IGMP membership goes: MGM gives static a local" \
  "leave, static deletes its membership, the MFE loses its last outgoing" \
  "interface and MGM sends the negative-MFE prune alert to the owner of the" \
  "incoming interface - the moment a real protocol would prune upstream."
echo
mgmctl sim igmp leave lan2 239.1.2.3
mgmctl sim advance 3s
say "The source still sends; the negative entry drops its packets in the" \
  "forwarder, without bothering MGM:"
echo
mgmctl sim inject up0 10.1.0.5 239.1.2.3
mgmctl show mfe --stats

banner "15 minutes later the MFE expires"
say "MGM does not refresh an MFE on traffic: it deletes it when its lifetime" \
  "(900 s here) runs out. (IGMP's periodic general queries are left out of" \
  "the output below.)"
echo
mgmctl sim advance 15m | grep -v "general query"
mgmctl show mfe

# ---- stop -----------------------------------------------------------------------------------
banner "mgmd stops (SIGTERM to pid $pid)"
say "On SIGTERM the protocols release their interfaces and deregister, then" \
  "libmgm_stop removes every forwarding entry and interface slot. From" \
  "mgmd's log:"
echo
n_before=$(wc -l <"$tmp/mgmd.log")
kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
pid=""
tail -n +"$((n_before + 1))" "$tmp/mgmd.log" | sed 's/^/    /'
echo
say "mgmd exited with status $rc. Left in the temporary directory: $(ls -A "$tmp" | tr '\n' ' ')- the socket and the pid file are gone; the directory is removed now." \
  "" \
  "Next: tools/mgmd/README.md (configuration, control protocol, plug-ins)," \
  "tools/mgmctl/README.md (the JSON) and tests/netns/mgmd-static.sh (the" \
  "same router on the Linux kernel, as root)."
exit "$rc"
