#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# completion.sh COMPLETION MGMCTL - mgmctl's bash completion
# (dist/mgmctl.bash) offers the right words at each position, file names
# after -s, and exactly the show and sim commands that mgmctl --help lists.
set -u
# shellcheck source=/dev/null
source "$1"
mgmctl=$2
fail=0
n=0

# comp EXPECTED WORD... : complete the last WORD of "mgmctl WORD..."
comp() {
  local want=$1
  shift
  COMP_WORDS=(mgmctl "$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _mgmctl
  local got
  got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
  want=$(printf '%s\n' $want | sort | tr '\n' ' ')
  n=$((n + 1))
  if [ "$got" != "$want" ]; then
    echo "FAIL mgmctl $*|: got '$got', want '$want'"
    fail=$((fail + 1))
  fi
}

complete -p mgmctl | grep -q -- '-F _mgmctl' || {
  echo "FAIL complete -p mgmctl: $(complete -p mgmctl)"
  fail=$((fail + 1))
}
help=$("$mgmctl" --help)
show=$(echo "$help" | sed -n 's/^ *show \([a-z]*\).*/\1/p' | tr '\n' ' ')
sim=$(echo "$help" | sed -n 's/^ *sim \([a-z]*\).*/\1/p' | tr '\n' ' ')
comp "$show" show ""
comp "$sim" sim ""
comp "show reload sim ping version help raw" ""
comp "show sim" s
comp "mfe" show m
comp "interfaces igmp" -s /tmp/x.sock show i
comp "inject igmp advance link" --json sim ""
comp "join leave" sim igmp ""
comp "up down" sim link lan2 ""
comp "" sim link lan2 up ""
comp "--json" --j
comp "--stats" show mfe ""
comp "--since" show log ""
tmp=$(mktemp -d)
touch "$tmp/mgmd.sock"
comp "$tmp/mgmd.sock" -s "$tmp/mgmd."
rm -rf "$tmp"
echo "completion: $n checks, $fail failed"
[ $fail = 0 ]
