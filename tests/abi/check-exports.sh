#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/abi/check-exports.sh - compare exported symbol sets with
# src/exports.txt, the single list of libmgm's exported names (comment and
# blank lines ignored).  Each option adds one check:
#
#   --so LIB       the dynamic symbols LIB defines (nm -D --defined-only,
#                  version suffixes and the version-node symbol dropped) must
#                  equal the list exactly: nothing missing, nothing extra.
#   --dll DLL      the export name table of a rtm.dll (objdump -p) must equal
#                  the list exactly.
#   --librtm [A]   every Mgm* name exported by mingw-w64's import library A
#                  (default: the cross compiler's librtm.a) must be in the
#                  list, so code linked against the SDK finds all of them.
#
#   tests/abi/check-exports.sh src/exports.txt --so build-abi/libmgm.so
#   tests/abi/check-exports.sh src/exports.txt --dll build-mingw/rtm.dll
#   tests/abi/check-exports.sh src/exports.txt --librtm
#
# Exit status: 0 ok, 1 mismatch, 77 skipped (cross tools missing and
# LIBMGM_ABI_ALLOW_SKIP=1; see lib.sh).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

usage() {
  echo "usage: $0 EXPORTS.txt [--so LIB] [--dll DLL] [--librtm [LIBRTM.a]]" >&2
  exit 2
}

[ $# -ge 2 ] || usage
exports=$1
shift
[ -f "$exports" ] || {
  echo "error: $exports not found" >&2
  exit 1
}

tmp=$(abi_mktemp)
# shellcheck disable=SC2016 # expanded when the trap runs
abi_on_exit 'rm -rf "$tmp"'

# The expected set: names only, one per line, sorted; duplicates are an error.
sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$exports" >"$tmp/list"
LC_ALL=C sort "$tmp/list" >"$tmp/expected"
LC_ALL=C sort -u "$tmp/list" >"$tmp/expected.u"
if ! cmp -s "$tmp/expected" "$tmp/expected.u"; then
  echo "FAIL: $exports lists a name twice:" >&2
  LC_ALL=C uniq -d "$tmp/expected" >&2
  exit 1
fi
echo "$exports: $(wc -l <"$tmp/expected") names"

fail=0

# compare_exact WHAT FILE: FILE (sorted names) must equal the expected set.
compare_exact() {
  if diff -u "$tmp/expected" "$2" >"$tmp/diff"; then
    echo "PASS: $1 exports exactly the $(wc -l <"$2") names of $exports"
  else
    echo "FAIL: $1 differs from $exports" \
      "(- listed but not exported, + exported but not listed):" >&2
    sed -n '3,$p' "$tmp/diff" | grep '^[-+]' >&2 || true
    fail=1
  fi
}

while [ $# -gt 0 ]; do
  case $1 in
  --so)
    [ $# -ge 2 ] || usage
    lib=$2
    shift 2
    if [ ! -f "$lib" ]; then
      echo "FAIL: $lib does not exist (is the mgm target built?)" >&2
      fail=1
      continue
    fi
    # "ADDR TYPE NAME[@@VERSION]"; type A is the version node (LIBMGM_0).
    nm -D --defined-only "$lib" >"$tmp/nm.txt"
    awk 'NF == 3 && $2 != "A" { sub(/@.*/, "", $3); print $3 }' \
      "$tmp/nm.txt" | LC_ALL=C sort -u >"$tmp/so"
    compare_exact "$lib" "$tmp/so"
    ;;
  --dll)
    [ $# -ge 2 ] || usage
    dll=$2
    shift 2
    abi_find_mingw
    if [ ! -f "$dll" ]; then
      echo "FAIL: $dll does not exist (is the mgm target built?)" >&2
      fail=1
      continue
    fi
    command -v "$MINGW_OBJDUMP" >/dev/null 2>&1 ||
      abi_missing "'$MINGW_OBJDUMP' is not installed"
    "$MINGW_OBJDUMP" -p "$dll" >"$tmp/objdump.txt"
    # The "[Ordinal/Name Pointer] Table" lists "[   n] Name" up to a blank.
    awk '/^\[Ordinal\/Name Pointer\] Table/ { on = 1; next }
         on && NF == 0 { on = 0 }
         on && /^[[:space:]]*\[/ { sub(/^[[:space:]]*\[[^]]*\][[:space:]]*/, "");
                                   print }' \
      "$tmp/objdump.txt" | LC_ALL=C sort -u >"$tmp/dll"
    compare_exact "$dll" "$tmp/dll"
    ;;
  --librtm)
    shift
    abi_find_mingw
    if [ $# -ge 1 ] && [ "${1#--}" = "$1" ]; then
      librtm=$1
      shift
    else
      librtm=$("$MINGW_CC" -print-file-name=librtm.a)
    fi
    [ -f "$librtm" ] ||
      abi_missing "mingw-w64's import library librtm.a was not found ($librtm)"
    command -v "$MINGW_NM" >/dev/null 2>&1 ||
      abi_missing "'$MINGW_NM' is not installed"
    "$MINGW_NM" "$librtm" >"$tmp/librtm.nm"
    awk '$2 == "T" && $3 ~ /^Mgm/ { print $3 }' "$tmp/librtm.nm" |
      LC_ALL=C sort -u >"$tmp/librtm"
    if [ ! -s "$tmp/librtm" ]; then
      echo "FAIL: no Mgm* exports found in $librtm" >&2
      fail=1
      continue
    fi
    LC_ALL=C comm -23 "$tmp/librtm" "$tmp/expected" >"$tmp/missing"
    if [ -s "$tmp/missing" ]; then
      echo "FAIL: Mgm* names exported by $librtm but missing from" \
        "$exports:" >&2
      sed 's/^/  /' "$tmp/missing" >&2
      fail=1
    else
      echo "PASS: all $(wc -l <"$tmp/librtm") Mgm* exports of $librtm" \
        "are listed"
    fi
    grep '^Mgm' "$tmp/expected" | LC_ALL=C comm -23 - "$tmp/librtm" |
      sed 's/^/  note: listed, not in librtm.a (libmgm addition): /'
    ;;
  *)
    usage
    ;;
  esac
done

exit "$fail"
