#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tests/vm/stage2.sh - PID 1 of mrkernel.sh's guest, on the host's root
# file system: fresh /run, /tmp and /dev/shm (the paths it needs under
# /tmp are bound through), module loading from the unpacked kernel, then
# the command; its status goes to $run/rc and the guest powers off.
run="" mods=""
for a in $(cat /proc/cmdline); do
  case "$a" in
    mrk.run=*) run=${a#mrk.run=} ;;
    mrk.mods=*) mods=${a#mrk.mods=} ;;
  esac
done
finish() {
  [ -n "$run" ] && echo "$1" > "$run/rc"
  sync
  echo b > /proc/sysrq-trigger
  sleep 10
}
if [ -z "$run" ] || [ ! -f "$run/cmd.sh" ]; then
  echo "stage2: no command"
  finish 1
fi

mount -t tmpfs -o mode=755 run /run
mkdir -p /run/host-tmp /run/lock
mount --bind /tmp /run/host-tmp
mount -t tmpfs -o mode=1777 tmp /tmp
mkdir -p /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null
# Paths under the host's /tmp that the guest needs (the working directory,
# the run directory, the unpacked kernel): bind their top directory through.
keep_tmp() {
  local top
  case "$1" in
    /tmp/*)
      top=${1#/tmp/}
      top=${top%%/*}
      mountpoint -q "/tmp/$top" && return 0
      mkdir -p "/tmp/$top"
      mount --bind "/run/host-tmp/$top" "/tmp/$top"
      ;;
  esac
}
keep_tmp "$run"
keep_tmp "$(cat "$run/wd")"
keep_tmp "$mods"

# Modules from the unpacked kernel: the kernel's own requests and ours.
kroot=${mods%/lib/modules/*}
cat > /run/modprobe <<EOS
#!/bin/sh
exec /usr/sbin/modprobe -d $kroot "\$@"
EOS
chmod 755 /run/modprobe
echo /run/modprobe > /proc/sys/kernel/modprobe
for m in veth bridge dummy; do
  /run/modprobe "$m" 2>/dev/null || echo "stage2: modprobe $m failed"
done
ip link set lo up
hostname mrkernel 2>/dev/null || true

bash "$run/cmd.sh"
finish $?
