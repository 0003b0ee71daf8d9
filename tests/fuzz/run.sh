#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run.sh SECONDS [-- LIBFUZZER-ARGS...] - fuzz libmgm against the reference
# model for a bounded time and print how many sequences were executed.
#
# Uses the fuzzer of $FUZZ_BUILD (default: build-fuzz at the top of the
# tree); when it is missing, configures that directory with clang, the sim
# backend, ASan + UBSan and libFuzzer coverage, and builds it (the top-level
# CMakeLists.txt must add tests/model and tests/fuzz).  The working corpus
# lives in $FUZZ_WORK (default: $FUZZ_BUILD/fuzz-work), seeded from
# tests/fuzz/corpus; crash reproducers are written to $FUZZ_WORK/artifacts.
# FUZZ_JOBS=N runs N workers in parallel (each for SECONDS).  Environment
# of the harness (MGM_FUZZ_TOLERATE, MGM_FUZZ_ANCHORED) passes through.
# Exit status: 0 for a clean run, 1 if anything was found.
set -eu
secs=${1:?usage: run.sh SECONDS [-- libFuzzer args]}
shift
[ "${1:-}" = "--" ] && shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}
work=${FUZZ_WORK:-$build/fuzz-work}
jobs=${FUZZ_JOBS:-1}
bin=$build/tests/fuzz/fuzz_mgm

if [ ! -x "$bin" ]; then
  echo "run.sh: building $bin"
  CC=${CC:-clang} cmake -S "$root" -B "$build" -DLIBMGM_BACKENDS=sim \
    -DLIBMGM_DEFAULT_BACKEND=sim -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLIBMGM_SANITIZE="address;undefined" \
    -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link >/dev/null
  cmake --build "$build" --target fuzz_mgm -j2 >/dev/null
fi

mkdir -p "$work/corpus" "$work/artifacts"
cp "$here"/corpus/* "$work/corpus/" 2>/dev/null || true
cd "$work"
rm -f fuzz-*.log
start=$(date +%s)
status=0
if [ "$jobs" -gt 1 ]; then
  "$bin" -max_total_time="$secs" -max_len=2048 -timeout=30 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    -jobs="$jobs" -workers="$jobs" "$@" corpus >run.log 2>&1 || status=$?
  cat fuzz-*.log >>run.log 2>/dev/null || true
else
  "$bin" -max_total_time="$secs" -max_len=2048 -timeout=30 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    "$@" corpus >run.log 2>&1 || status=$?
fi
elapsed=$(($(date +%s) - start))

units=$(sed -n 's/^stat::number_of_executed_units: *//p' run.log |
  awk '{s += $1} END {print s + 0}')
if [ "$units" = 0 ]; then # stats missing (crash): use the last progress line
  units=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' run.log | tail -1)
fi
found=$(grep -c -E "MGM DIFFERENCE|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:" run.log || true)
echo "run.sh: executed sequences: ${units:-0} in ${elapsed} s (${jobs} job(s))"
grep -E "^Done [0-9]+ runs" run.log || true
if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then
  echo "run.sh: FOUND something (exit $status); see $work/run.log"
  grep -E -A3 "MGM DIFFERENCE|ERROR: " run.log | head -20
  ls "$work/artifacts"
  exit 1
fi
echo "run.sh: clean (no difference, no sanitizer report, no leak)"
