#!/bin/sh
# SPDX-License-Identifier: MIT
#
# socket-group.sh MGMD MGMCTL - mgmd's socket-group opens the control
# socket to the members of a group, and to nobody else (issue 19).  As
# root it creates a group and two users (removed at the end), runs mgmd on
# the sim backend and runs mgmctl as them with setpriv:
#  - the socket is mode 0660 with the group;
#  - a member (supplementary group) and a process whose group it is get
#    answers; a user outside the group cannot connect;
#  - with the socket file opened to everyone, mgmd's own peer check
#    (SO_PEERCRED, SO_PEERGROUPS) still turns the outsider away;
#  - without socket-group the member cannot connect (mode 0600);
#  - mgmd run as a member (as the service runs as the user mgmd) gives the
#    socket to the group without privileges; run as a non-member it
#    refuses to start, as it does for an unknown group.
# Not root: skips (77); under CI=true it fails instead.
set -u
mgmd=$1
mgmctl_src=$2
skip() {
  echo "socket-group: $*"
  [ "${CI:-}" = true ] && exit 1
  exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (creates a group and users)"
for t in groupadd useradd userdel groupdel setpriv stat; do
  command -v $t >/dev/null 2>&1 || skip "no $t"
done

g=mgmdtg$$
m=mgmdtm$$
o=mgmdto$$
tmp=$(mktemp -d)
pids=""
cleanup() {
  for p in $pids; do
    kill "$p" 2>/dev/null
  done
  for p in $pids; do
    wait "$p" 2>/dev/null
  done
  userdel "$m" 2>/dev/null
  userdel "$o" 2>/dev/null
  groupdel "$m" 2>/dev/null
  groupdel "$o" 2>/dev/null
  groupdel "$g" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail=0
n=0
ok() {
  n=$((n + 1))
  echo "ok   $*"
}
bad() {
  n=$((n + 1))
  echo "FAIL $*"
  fail=$((fail + 1))
}

groupadd "$g" && useradd -M -U -s /usr/sbin/nologin -G "$g" "$m" &&
  useradd -M -U -s /usr/sbin/nologin "$o" || {
  echo "socket-group: cannot create the test users"
  exit 1
}
# The users must reach mgmctl and the socket: a world-readable copy in a
# directory that everyone may enter.
chmod 755 "$tmp"
cp "$mgmctl_src" "$tmp/mgmctl"
chmod 755 "$tmp/mgmctl"
sock=$tmp/mgmd.sock
conf() {
  {
    echo "backend sim"
    [ -n "$1" ] && echo "socket-group $1"
    echo "[sim]"
    echo "interface lan0 1 10.0.0.1/24"
  } > "$tmp/mgmd.conf"
  chmod 644 "$tmp/mgmd.conf"
}
# start [SETPRIV-ARGS...]: start mgmd (as root, or through setpriv) and
# wait for its socket; 1 if it exited instead.
start() {
  rm -f "$tmp/mgmd.err"
  if [ $# -gt 0 ]; then
    setpriv "$@" "$mgmd" -q -s "$sock" "$tmp/mgmd.conf" 2> "$tmp/mgmd.err" &
  else
    "$mgmd" -q -s "$sock" "$tmp/mgmd.conf" 2> "$tmp/mgmd.err" &
  fi
  pid=$!
  pids="$pids $pid"
  i=0
  while [ ! -S "$sock" ] && [ $i -lt 200 ] && kill -0 $pid 2>/dev/null; do
    sleep 0.05
    i=$((i + 1))
  done
  [ -S "$sock" ]
}
stop() {
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  pids=""
}
# as USER GROUP [--init-groups|--clear-groups]: mgmctl ping as them
as() {
  setpriv --reuid="$1" --regid="$2" "$3" "$tmp/mgmctl" -s "$sock" ping \
    > "$tmp/out" 2>&1
}

# 1. socket-group G, mgmd as root
conf "$g"
start || bad "mgmd did not start: $(cat "$tmp/mgmd.err")"
mode=$(stat -c '%a %G' "$sock")
[ "$mode" = "660 $g" ] && ok "socket mode and group: $mode" ||
  bad "socket mode and group: '$mode', want '660 $g'"
as "$m" "$m" --init-groups && grep -q "mgmd is alive" "$tmp/out" &&
  ok "a member (supplementary group) is answered" ||
  bad "member: $(cat "$tmp/out")"
as "$o" "$g" --clear-groups && ok "a process of the group is answered" ||
  bad "group as primary group: $(cat "$tmp/out")"
as "$o" "$o" --init-groups
rc=$?
[ $rc = 3 ] && grep -q "Permission denied" "$tmp/out" &&
  ok "an outsider cannot connect (exit 3, Permission denied)" ||
  bad "outsider: exit $rc: $(cat "$tmp/out")"
chmod 666 "$sock"
as "$o" "$o" --init-groups
rc=$?
[ $rc = 1 ] && grep -q "permission denied" "$tmp/out" &&
  ok "mgmd's peer check turns the outsider away (exit 1)" ||
  bad "outsider on a 0666 socket: exit $rc: $(cat "$tmp/out")"
as "$m" "$m" --init-groups && ok "the member still is answered" ||
  bad "member on a 0666 socket: $(cat "$tmp/out")"
stop

# 2. no socket-group: owner only
conf ""
start || bad "mgmd did not start: $(cat "$tmp/mgmd.err")"
mode=$(stat -c '%a' "$sock")
[ "$mode" = 600 ] && ok "without socket-group: mode 600" ||
  bad "without socket-group: mode $mode"
as "$m" "$m" --init-groups
rc=$?
[ $rc = 3 ] && ok "without socket-group the member cannot connect" ||
  bad "member without socket-group: exit $rc: $(cat "$tmp/out")"
stop

# 3. mgmd as a member of the group, as the service runs (user mgmd)
conf "$g"
chown "$m" "$tmp"
if start --reuid="$m" --regid="$m" --init-groups; then
  mode=$(stat -c '%a %U %G' "$sock")
  [ "$mode" = "660 $m $g" ] && ok "mgmd as a member: socket $mode" ||
    bad "mgmd as a member: socket '$mode'"
  as "$o" "$g" --clear-groups && ok "... a process of the group is answered" ||
    bad "mgmd as a member, group process: $(cat "$tmp/out")"
  as "$o" "$o" --init-groups
  rc=$?
  [ $rc = 3 ] && ok "... an outsider cannot connect" ||
    bad "mgmd as a member, outsider: exit $rc"
  "$tmp/mgmctl" -s "$sock" ping > "$tmp/out" 2>&1 &&
    ok "... root is answered" || bad "root: $(cat "$tmp/out")"
else
  bad "mgmd as a member did not start: $(cat "$tmp/mgmd.err")"
fi
stop

# 4. mgmd as a non-member, and an unknown group: no start
chown "$o" "$tmp"
start --reuid="$o" --regid="$o" --init-groups
if [ -S "$sock" ]; then
  bad "mgmd outside the group started"
else
  grep -q "cannot give it to group $g" "$tmp/mgmd.err" &&
    ok "mgmd outside the group refuses to start" ||
    bad "mgmd outside the group: $(cat "$tmp/mgmd.err")"
fi
stop
chown root "$tmp"
conf "nosuchgroup$$"
start
if [ -S "$sock" ]; then
  bad "mgmd started with an unknown group"
else
  grep -q "socket-group nosuchgroup$$: no such group" "$tmp/mgmd.err" &&
    ok "an unknown group stops the start" ||
    bad "unknown group: $(cat "$tmp/mgmd.err")"
fi
stop

echo "socket-group: $n checks, $fail failed"
[ $fail = 0 ]
