# SPDX-License-Identifier: MIT
#
# tests/abi/lib.sh - shell helpers shared by the tests/abi scripts (and by
# tests/winbin/run.sh): the skip policy, locating the mingw-w64 cross tools
# and Wine, and running a Windows program under Wine in a private, throw-away
# WINEPREFIX.  Sourced, never run.  The skip policy: a missing tool is an
# error (CI installs mingw-w64 and wine, so these tests must really run
# there) unless LIBMGM_ABI_ALLOW_SKIP=1, in which case the script exits 77,
# which CTest reports as skipped (SKIP_RETURN_CODE 77).

# abi_missing WHAT: a required tool is absent; skip (77) or fail (1).
abi_missing() {
  if [ "${LIBMGM_ABI_ALLOW_SKIP:-0}" = 1 ]; then
    echo "SKIP: $1 (LIBMGM_ABI_ALLOW_SKIP=1)" >&2
    exit 77
  fi
  echo "error: $1." >&2
  echo "error: install gcc-mingw-w64-x86-64 and wine64 (Debian), or set" \
    "LIBMGM_ABI_ALLOW_SKIP=1 to report this test as skipped." >&2
  exit 1
}

# abi_find_mingw: set MINGW_CC, MINGW_NM, MINGW_OBJDUMP (overridable from the
# environment).
abi_find_mingw() {
  MINGW_CC=${MINGW_CC:-x86_64-w64-mingw32-gcc}
  MINGW_NM=${MINGW_NM:-x86_64-w64-mingw32-nm}
  MINGW_OBJDUMP=${MINGW_OBJDUMP:-x86_64-w64-mingw32-objdump}
  command -v "$MINGW_CC" >/dev/null 2>&1 ||
    abi_missing "the mingw-w64 cross compiler '$MINGW_CC' is not installed"
}

# abi_find_wine: set WINE and WINESERVER.  wine64 is preferred (Debian's
# plain 'wine' wrapper complains when wine32 is absent but still works).
abi_find_wine() {
  if [ -n "${WINE:-}" ]; then
    command -v "$WINE" >/dev/null 2>&1 || abi_missing "WINE='$WINE' not found"
  elif command -v wine64 >/dev/null 2>&1; then
    WINE=wine64
  elif [ -x /usr/lib/wine/wine64 ]; then
    WINE=/usr/lib/wine/wine64
  elif command -v wine >/dev/null 2>&1; then
    WINE=wine
  else
    abi_missing "Wine (wine64 or wine) is not installed"
  fi
  if [ -z "${WINESERVER:-}" ]; then
    if command -v wineserver >/dev/null 2>&1; then
      WINESERVER=wineserver
    elif [ -x /usr/lib/wine/wineserver ]; then
      WINESERVER=/usr/lib/wine/wineserver
    else
      WINESERVER=
    fi
  fi
}

# abi_wine PREFIX PROGRAM [ARGS...]: run a Windows program in PREFIX (created
# on first use, which takes a few seconds).  No Mono/Gecko install prompts,
# no debug channels.  ABI_WINE_OVERRIDES adds DLL overrides (e.g. "rtm=n").
abi_wine() {
  _abi_prefix=$1
  shift
  WINEPREFIX=$_abi_prefix WINEDEBUG=-all \
    WINEDLLOVERRIDES="${ABI_WINE_OVERRIDES:+$ABI_WINE_OVERRIDES;}mscoree,mshtml=" \
    "$WINE" "$@"
}

# abi_wine_init PREFIX: create PREFIX now, quietly (its creation messages
# would otherwise mix with the first program's output).
abi_wine_init() {
  if ! abi_wine "$1" wineboot -u >"$1.log" 2>&1; then
    echo "error: could not create a Wine prefix in $1:" >&2
    cat "$1.log" >&2
    return 1
  fi
}

# abi_wine_cleanup PREFIX: stop the wineserver of that prefix only (the one
# this script started) so the directory can be removed.
abi_wine_cleanup() {
  if [ -d "$1" ] && [ -n "${WINESERVER:-}" ]; then
    WINEPREFIX=$1 "$WINESERVER" -k >/dev/null 2>&1 || true
    WINEPREFIX=$1 "$WINESERVER" -w >/dev/null 2>&1 || true
  fi
}

# abi_mktemp: print a new private temporary directory.
abi_mktemp() {
  mktemp -d "${TMPDIR:-/tmp}/libmgm-abi.XXXXXX"
}

# abi_on_exit COMMAND: run COMMAND (cleanup) on exit, including when the
# script is interrupted or its output pipe is closed.
abi_on_exit() {
  # shellcheck disable=SC2064
  trap "$1" EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 141' PIPE
  trap 'exit 143' TERM
}
