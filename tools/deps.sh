#!/usr/bin/env bash
# tools/deps.sh - install libmgm's build and test dependencies from Debian
# (the README's package table says why each one is there).
#   tools/deps.sh          build + unit/conformance/netns test packages
#   tools/deps.sh --full   also the Windows lane (mingw-w64, wine), peers
#                          and the Debian lane (debhelper, lintian, mmdebstrap)
# Where this kernel has no multicast routing, both add what runs the netns
# suites in a VM (qemu, busybox, cpio, kmod: tests/vm/mrkernel.sh).
# Installs only what is missing; needs root (or sudo) when something is.
set -eu

pkgs="cmake make gcc clang pkg-config libuv1-dev libcriterion-dev iproute2
      python3 scdoc mandoc groff-base systemd"
if [ "${1:-}" = "--full" ]; then
  pkgs="$pkgs gcc-mingw-w64-x86-64 mingw-w64-x86-64-dev wine wine64
        libclang-rt-14-dev smcroute clang-format debhelper lintian mmdebstrap"
fi

# A kernel without IPv4 multicast routing: the netns suites run in a VM
# with Debian's kernel (tests/vm/mrkernel.sh).
if [ ! -e /proc/net/ip_mr_vif ]; then
  pkgs="$pkgs qemu-system-x86 busybox-static cpio kmod"
fi

missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "deps: missing packages:$missing; install them as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
