#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tests/vm/mrkernel.sh - run a command under a Linux kernel with IPv4
# multicast routing (CONFIG_IP_MROUTE, CONFIG_IP_MROUTE_MULTIPLE_TABLES).
#
#   tests/vm/mrkernel.sh [--vm] CMD [ARG...]
#
# Where the running kernel has it (/proc/net/ip_mr_vif exists), CMD simply
# runs here.  Otherwise (for example a VM image built without it, as some
# CI machines are), CMD runs as root inside a throw-away qemu guest booted
# with Debian's own kernel: the guest's root file system is this machine's
# `/`, shared read-write over virtio-9p, so CMD sees the same binaries,
# build tree and working directory; /run, /tmp and /dev/shm are fresh
# tmpfs in the guest (ip netns state, Unix sockets), except that the
# working directory, the cache and the run directory are bound through
# when they lie under /tmp.  The guest has no network card:
# its only links are the veth pairs the tests create inside it.  Its
# console is this script's standard output, and the script exits with
# CMD's status.  --vm forces the guest even when this kernel would do.
#
# The kernel (linux-image-<abi>-amd64, named by Debian's linux-image-amd64)
# is taken with `apt-get download` and unpacked, never installed; it and a
# busybox initramfs are cached in $LIBMGM_VM_CACHE
# (default /var/cache/libmgm/vm).  Needs root, qemu-system-x86,
# busybox-static, cpio and kmod (tools/deps.sh installs them where this
# kernel has no multicast routing).  The guest runs under TCG (emulated,
# a few times slower) unless LIBMGM_VM_ACCEL=kvm.
#
# Environment: LIBMGM_VM_MEM (MiB, default 2048), LIBMGM_VM_CPUS (default
# the host's, at most 4), LIBMGM_VM_TIMEOUT (s, default 3600: then the guest is
# killed and the script fails).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
force=0
if [ "${1:-}" = "--vm" ]; then
  force=1
  shift
fi
[ $# -gt 0 ] || { echo "usage: $0 [--vm] CMD [ARG...]" >&2; exit 2; }

if [ "$force" = 0 ] && [ -e /proc/net/ip_mr_vif ]; then
  exec "$@"
fi

# Inside the guest already: never nest.
if [ -n "${LIBMGM_IN_VM:-}" ]; then
  echo "mrkernel: the guest kernel has no multicast routing" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "mrkernel: this kernel has no IPv4 multicast routing" \
    "(CONFIG_IP_MROUTE); running the tests in a VM needs root" >&2
  exit 77
fi
for tool in qemu-system-x86_64 cpio depmod apt-get; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "mrkernel: $tool is missing (tools/deps.sh installs it)" >&2
    exit 1
  }
done
[ -x /bin/busybox ] || {
  echo "mrkernel: /bin/busybox is missing (busybox-static)" >&2
  exit 1
}

cache="${LIBMGM_VM_CACHE:-/var/cache/libmgm/vm}"
mkdir -p "$cache"

# ---- The kernel: Debian's, unpacked into the cache ------------------------
# The versioned package linux-image-amd64 currently names.
debian_kernel() {
  apt-cache depends linux-image-amd64 2>/dev/null |
    awk '/Depends: linux-image-[0-9]/ {print $2; exit}'
}
kpkg=$(debian_kernel)
if [ -z "$kpkg" ]; then # no package lists yet
  apt-get update -q >/dev/null
  kpkg=$(debian_kernel)
fi
[ -n "$kpkg" ] || { echo "mrkernel: no linux-image-amd64 in apt" >&2; exit 1; }
kver=${kpkg#linux-image-}
kdir="$cache/$kver"
if [ ! -f "$kdir/ready" ]; then
  echo "mrkernel: fetching $kpkg (unpacked into $kdir, not installed)"
  rm -rf "$kdir"
  # Kernels Debian has since replaced: about 400 MB each.
  find "$cache" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' \
    ! -name "$kver" -exec rm -rf {} +
  mkdir -p "$kdir/pkg"
  (cd "$kdir/pkg" && apt-get download -q "$kpkg" 2>&1 | grep -v unsandboxed) ||
    true
  debs=("$kdir"/pkg/*.deb)
  deb=${debs[0]}
  [ -f "$deb" ] || { echo "mrkernel: apt-get download $kpkg failed" >&2; exit 1; }
  dpkg-deb -x "$deb" "$kdir/root"
  rm -rf "$kdir/pkg"
  grep -q '^CONFIG_IP_MROUTE=y' "$kdir/root/boot/config-$kver" || {
    echo "mrkernel: $kpkg has no CONFIG_IP_MROUTE" >&2
    exit 1
  }
  depmod -b "$kdir/root" "$kver"
  touch "$kdir/ready"
fi
mods="$kdir/root/lib/modules/$kver"

# ---- The initramfs: busybox and the 9p modules ----------------------------
initrd="$kdir/initrd-$(cksum < "$here/init" | cut -d' ' -f1).cpio"
if [ ! -f "$initrd" ]; then
  stage=$(mktemp -d)
  mkdir -p "$stage"/{bin,dev,proc,sys,newroot,modules}
  cp /bin/busybox "$stage/bin/busybox"
  cp "$here/init" "$stage/init"
  chmod 755 "$stage/init"
  # The modules behind `mount -t 9p -o trans=virtio`, dependencies first.
  for m in 9p 9pnet_virtio virtio_pci; do
    modprobe -d "$kdir/root" -S "$kver" --show-depends "$m"
  done | awk '$1 == "insmod" {print $2}' | awk '!seen[$0]++' > "$stage/modules/order"
  while read -r ko; do
    cp "$ko" "$stage/modules/"
  done < "$stage/modules/order"
  sed -i 's|.*/||' "$stage/modules/order"
  (cd "$stage" && find . | cpio -o -H newc --quiet) > "$initrd.tmp"
  mv "$initrd.tmp" "$initrd"
  rm -rf "$stage"
fi

# ---- Boot ---------------------------------------------------------------
run=$(mktemp -d "$cache/run.XXXXXX")
cleanup() {
  rm -rf "$run"
}
trap cleanup EXIT
{
  printf 'export LIBMGM_IN_VM=1\n'
  # Debian's own programs first: a version manager's shims (pyenv's
  # python3 is a shell script that execs pyenv) cost seconds per start
  # under emulation.
  printf 'export PATH=%q\n' "/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
  printf 'export HOME=/root\n'
  if [ -n "${CI:-}" ]; then printf 'export CI=%q\n' "$CI"; fi
  # The caller's settings of libmgm, the tests and the benchmarks
  # (LIBMGM_*, MGMDRV, MCTOOL, SOAK_*, T_*, KB*, KFLOOR, ...) and the
  # sanitizers' options.
  env | { grep -E '^(LIBMGM_|MGM|MCTOOL|LNXSMOKE|IGMPDRV|SOAK_|T_|KB|KFLOOR|ASAN_|UBSAN_|TSAN_|LSAN_)' ||
    true; } | while IFS='=' read -r k v; do
      printf 'export %s=%q\n' "$k" "$v"
    done
  printf 'cd %q\n' "$PWD"
  printf '%q ' "$@"
  printf '\n'
} > "$run/cmd.sh"
printf '%s' "$PWD" > "$run/wd"
echo "mrkernel: this kernel has no multicast routing; running in a" \
  "$kpkg guest: $*"

# TCG by default: nested KVM may open and then hang (seen on a Firecracker
# host: the guest stalls after its decompressor); LIBMGM_VM_ACCEL=kvm
# where it works.
case "${LIBMGM_VM_ACCEL:-tcg}" in
  kvm) accel="-accel kvm -cpu host,-arch-capabilities" ;;
  *) accel="-accel tcg,thread=multi -cpu max" ;;
esac
cpus=${LIBMGM_VM_CPUS:-$(nproc)}
[ "$cpus" -gt 4 ] && cpus=4
# shellcheck disable=SC2086
timeout -s KILL "${LIBMGM_VM_TIMEOUT:-3600}" \
  qemu-system-x86_64 $accel -smp "$cpus" -m "${LIBMGM_VM_MEM:-2048}" \
  -nodefaults -no-user-config -nographic -no-reboot -nic none \
  -serial stdio -monitor none \
  -kernel "$kdir/root/boot/vmlinuz-$kver" -initrd "$initrd" \
  -virtfs "local,path=/,mount_tag=hostroot,security_model=passthrough,multidevs=remap" \
  -append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init \
mrk.run=$run mrk.mods=$mods mrk.stage2=$here/stage2.sh" \
  < /dev/null || echo "mrkernel: qemu ended with status $?" >&2
if [ ! -f "$run/rc" ]; then
  echo "mrkernel: the guest ended without reporting a status" >&2
  exit 1
fi
exit "$(cat "$run/rc")"
