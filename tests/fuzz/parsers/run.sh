#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run.sh SECONDS [TARGET[=RUNS]...] [-- LIBFUZZER-ARGS...] - fuzz each
# parser target (default: all of them, one after the other, one job each)
# for at most SECONDS - and at most RUNS inputs where given - and print,
# per target, the number of executed inputs and "clean" or "FOUND".
# Targets: upcall rtnetlink rtmsg igmp_pkt igmp_input mgmd_conf mgmd_ctl
# ctl_reply (README: tests/fuzz/README.md, "Parser fuzzing").  Their
# speeds differ by three orders of magnitude, hence a run count per
# target: with -seed=N, run counts that finish within SECONDS and a fresh
# working directory, a run is reproducible (the CI lane; the two targets
# that run libmgm's loop thread can still vary with thread timing).
#
# Uses the fuzzers of $FUZZ_BUILD (default: build-fuzz at the top of the
# tree), configured and built like tests/fuzz/run.sh does when missing
# (clang, sim backend, ASan + UBSan, libFuzzer coverage).  Its own working
# directory: $PARSERS_FUZZ_WORK (default: $FUZZ_BUILD/fuzz-parsers-work),
# one subdirectory per target with the working corpus (seeded from
# corpus/TARGET), artifacts/ for reproducers and run.log.  Extra libFuzzer
# arguments after "--" go to every target, e.g. a fixed seed and a run
# count for a reproducible lane:  run.sh 90 -- -seed=1 -runs=20000
# Exit status: 0 when every target ran clean, 1 if anything was found.
set -eu
secs=${1:?usage: run.sh SECONDS [TARGET...] [-- libFuzzer args]}
shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}
work=${PARSERS_FUZZ_WORK:-$build/fuzz-parsers-work}
all="upcall rtnetlink rtmsg igmp_pkt igmp_input mgmd_conf mgmd_ctl ctl_reply"

targets=
runs=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  name=${1%%=*}
  case " $all " in
  *" $name "*) targets="$targets $name" ;;
  *) echo "run.sh: unknown target '$name' (targets: $all)" >&2; exit 2 ;;
  esac
  case $1 in
  *=*) runs="$runs $name=${1#*=}" ;;
  esac
  shift
done
[ "${1:-}" = "--" ] && shift
[ -n "$targets" ] || targets=$all

if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "run.sh: configuring $build"
  CC=${CC:-clang} cmake -S "$root" -B "$build" -DLIBMGM_BACKENDS=sim \
    -DLIBMGM_DEFAULT_BACKEND=sim -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLIBMGM_SANITIZE="address;undefined" \
    -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link >/dev/null
fi
bins=
for t in $targets; do
  bins="$bins fuzz_$t"
done
# shellcheck disable=SC2086
cmake --build "$build" --target $bins -j2 >/dev/null

# Reproducible runs: no corpus reloading (one job), and no address-space
# randomisation where setarch can turn it off - the harnesses compare
# pointers, and libFuzzer feeds compared values back into its mutations.
norand=
if setarch "$(uname -m)" -R true 2>/dev/null; then
  norand="setarch $(uname -m) -R"
fi

status=0
for t in $targets; do
  bin=$build/tests/fuzz/parsers/fuzz_$t
  if [ ! -x "$bin" ]; then
    echo "$t: not built (clang on Linux needed)"
    status=1
    continue
  fi
  w=$work/$t
  mkdir -p "$w/corpus" "$w/artifacts"
  cp "$here/corpus/$t"/* "$w/corpus/" 2>/dev/null || true
  limit=
  for r in $runs; do
    if [ "${r%%=*}" = "$t" ]; then
      limit=-runs=${r#*=}
    fi
  done
  rc=0
  start=$(date +%s)
  # shellcheck disable=SC2086
  (cd "$w" && $norand "$bin" -max_total_time="$secs" -timeout=25 \
    -max_len=8192 -reload=0 -print_final_stats=1 \
    -artifact_prefix="$w/artifacts/" $limit "$@" corpus >run.log 2>&1) ||
    rc=$?
  elapsed=$(($(date +%s) - start))
  units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/run.log" |
    tail -1)
  if [ -z "$units" ]; then # stats missing (crash): the last progress line
    units=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$w/run.log" | tail -1)
  fi
  found=$(grep -c -E "FUZZ INVARIANT|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:" \
    "$w/run.log" || true)
  if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
    echo "$t: ${units:-0} inputs in ${elapsed} s: FOUND (exit $rc); see $w/run.log"
    grep -E -A2 "FUZZ INVARIANT|ERROR: |runtime error:" "$w/run.log" |
      head -6 | sed 's/^/    /'
    ls "$w/artifacts" | sed 's/^/    artifact: /'
    status=1
  else
    echo "$t: ${units:-0} inputs in ${elapsed} s: clean"
  fi
done
exit $status
