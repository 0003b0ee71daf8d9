#!/bin/sh
# SPDX-License-Identifier: MIT
#
# regress.sh FUZZER DIR... - replay every file of the given directories
# through the fuzzer once (libFuzzer's reproduce mode: no mutation), one
# process per file, and print PASS/FAIL per file.  Used by the CTest test
# fuzz_regress over the seed corpus and the kept crash reproducers.  A
# failing file's output is shown; MGM_FUZZ_TOLERATE in the environment
# masks known libmgm deviations (see README.md).  Exit status 1 if any
# file fails.
set -u
fuzzer=$1
shift
pass=0
failed=
log=${TMPDIR:-/tmp}/mgm-regress.$$
for dir in "$@"; do
  for f in "$dir"/*; do
    [ -f "$f" ] || continue
    case $(basename "$f") in
    README*) continue ;;
    esac
    if "$fuzzer" -runs=1 "$f" >"$log" 2>&1; then
      pass=$((pass + 1))
      echo "PASS $f"
    else
      echo "FAIL $f"
      grep -E "DIFFERENCE|differ|libmgm returned|ERROR: (Address|Leak|Undefined)|runtime error" "$log" | head -5 | sed 's/^/     /'
      failed="$failed $f"
    fi
  done
done
rm -f "$log"
if [ -n "$failed" ]; then
  echo "fuzz_regress: $pass passed, failures:$failed"
  exit 1
fi
echo "fuzz_regress: $pass passed"
