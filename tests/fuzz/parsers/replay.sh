#!/bin/sh
# SPDX-License-Identifier: MIT
#
# replay.sh FUZZER DIR... - run every file of the directories through the
# fuzzer once, without mutation, in one process (libFuzzer's reproduce
# mode with a file list; a process per file costs more than the inputs).
# If that fails, ../regress.sh replays them again one process per file to
# say which file fails and why.  Used by the CTest tests fuzz_parsers_*.
# Exit status 1 if any file fails.
set -u
fuzzer=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
log=${TMPDIR:-/tmp}/mgm-replay.$$
n=0
set -- "$@" --
for dir in "$@"; do
  [ "$dir" = "--" ] && break
  for f in "$dir"/*; do
    [ -f "$f" ] || continue
    case $(basename "$f") in
    README*) continue ;;
    esac
    set -- "$@" "$f"
    n=$((n + 1))
  done
done
dirs=
while [ "$1" != "--" ]; do
  dirs="$dirs $1"
  shift
done
shift
if [ "$n" -eq 0 ]; then
  echo "replay: no files"
  exit 0
fi
if "$fuzzer" -runs=1 "$@" >"$log" 2>&1; then
  rm -f "$log"
  echo "replay: $n files passed ($(basename "$fuzzer"))"
  exit 0
fi
grep -E "FUZZ INVARIANT|ERROR: |runtime error" "$log" | head -5
rm -f "$log"
echo "replay: a file failed; one process per file:"
# shellcheck disable=SC2086
exec "$here/../regress.sh" "$fuzzer" $dirs
