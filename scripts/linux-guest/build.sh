#!/usr/bin/env bash
# Builds the Linux guest used to test Tamp with real kernel initiators (iSCSI, NVMe/TCP):
# Debian bookworm's stock kernel plus a small initramfs holding busybox (static), open-iscsi
# (iscsiadm, iscsid), nvme-cli, e2fsprogs (mkfs.ext4, e2fsck), util-linux (blkdiscard, fstrim),
# kmod (modprobe) and the kernel modules those need. Run it under qemu with run.sh.
#
# Usage: scripts/linux-guest/build.sh        (idempotent: returns at once when the cache is complete)
#   TAMP_GUEST_CACHE=DIR   cache dir (default ${XDG_CACHE_HOME:-$HOME/.cache}/tamp-guest)
#   FORCE=1                rebuild the initramfs even when the cache is complete
# Needs root for apt-get: it installs on this host qemu-system-x86, cpio, kmod, busybox-static's
# deps (none), open-iscsi, nvme-cli, e2fsprogs (the tools are copied from the host with ldd), and
# downloads (does not install) the kernel package linux-image-amd64.
# Writes: $cache/vmlinuz, $cache/initramfs.cpio.gz, $cache/kver, $cache/stamp
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${TAMP_GUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tamp-guest}"
# Bump when the initramfs contents change, so old caches are rebuilt.
recipe=3
if [ -z "${FORCE:-}" ] && [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$recipe" ] \
   && [ -s "$cache/vmlinuz" ] && [ -s "$cache/initramfs.cpio.gz" ]; then
  echo "build.sh: guest cache complete in $cache"
  exit 0
fi
mkdir -p "$cache"
log() { echo "build.sh: $*" >&2; }

# 1. Host tools and the initiator tools (copied from the host into the initramfs).
need=()
for pair in qemu-system-x86_64:qemu-system-x86 cpio:cpio depmod:kmod iscsiadm:open-iscsi nvme:nvme-cli \
            mkfs.ext4:e2fsprogs blkdiscard:util-linux fstrim:util-linux; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "${pair%%:*}" >/dev/null 2>&1 \
    || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
export PATH="$PATH:/usr/sbin:/sbin"

# 2. The kernel and busybox-static: downloaded and unpacked, not installed on the host.
debs="$cache/debs"
mkdir -p "$debs"
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
if [ -z "$kpkg" ]; then apt-get update -qq; kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}'); fi
[ -n "$kpkg" ] || { log "cannot resolve linux-image-amd64"; exit 1; }
for p in "$kpkg" busybox-static; do
  if ! ls "$debs"/"${p}"_*.deb >/dev/null 2>&1; then
    log "apt-get download $p"
    (cd "$debs" && apt-get download -q "$p" >&2)
  fi
done
work=$(mktemp -d "$cache/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
kroot="$work/kernel"
dpkg-deb -x "$(ls "$debs"/"${kpkg}"_*.deb | head -1)" "$kroot"
dpkg-deb -x "$(ls "$debs"/busybox-static_*.deb | head -1)" "$work/bb"
kver=$(ls "$kroot/lib/modules" | head -1)
log "kernel $kver"

# 3. The initramfs tree.
root="$work/root"
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,run,tmp,mnt,root,var/lib,var/lock,lib64,lib/x86_64-linux-gnu,usr/lib/x86_64-linux-gnu,etc/iscsi,etc/nvme,guest}
cp "$work/bb/bin/busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done

# Copies a host binary and every shared library it needs (ldd) into the tree.
copy_bin() {
  local src=$1 dst=$2
  cp -L "$src" "$root/$dst"
  ldd "$src" | grep -o '/[^ ]*' | while read -r lib; do
    [ -e "$lib" ] || continue
    local to="$root$lib"
    [ -e "$to" ] && continue
    mkdir -p "$(dirname "$to")"
    cp -L "$lib" "$to"
  done
}
# Real tools replace busybox's applets of the same name (busybox keeps the rest).
for t in iscsiadm iscsid iscsistart nvme mke2fs e2fsck blkdiscard fstrim kmod lsblk blockdev; do
  src=$(command -v "$t" || true)
  [ -n "$src" ] || { log "missing host tool $t"; exit 1; }
  rm -f "$root/sbin/$t" "$root/bin/$t"
  copy_bin "$src" "sbin/$t"
done
for t in mkfs.ext4 mkfs.ext2 mkfs.ext3; do rm -f "$root/bin/$t" "$root/sbin/$t"; ln -s mke2fs "$root/sbin/$t"; done
for t in fsck.ext4; do rm -f "$root/bin/$t"; ln -s e2fsck "$root/sbin/$t"; done
for t in modprobe insmod rmmod lsmod depmod modinfo; do rm -f "$root/bin/$t" "$root/sbin/$t"; ln -s kmod "$root/sbin/$t"; done
cp /etc/mke2fs.conf "$root/etc/mke2fs.conf"
cp /etc/iscsi/iscsid.conf "$root/etc/iscsi/iscsid.conf"
# The node database, lock and PID places iscsid/iscsiadm use.
mkdir -p "$root/etc/iscsi/nodes" "$root/etc/iscsi/send_targets" "$root/etc/iscsi/ifaces" "$root/run/lock/iscsi" "$root/var/lib/iscsi"
mknod -m 600 "$root/dev/console" c 5 1
mknod -m 666 "$root/dev/null" c 1 3
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
printf '127.0.0.1 localhost\n' > "$root/etc/hosts"

# 4. Kernel modules: the wanted ones plus their dependencies, laid out for modprobe.
depmod -b "$kroot" "$kver"
want=(iscsi_tcp libiscsi scsi_transport_iscsi sd_mod nvme-tcp nvme-fabrics nvme-core nvme ext4 crc32c_generic
      crc32c-intel virtio_net virtio_pci virtio_blk e1000 af_packet)
mods=$(for m in "${want[@]}"; do
         modprobe -d "$kroot" -S "$kver" --show-depends "$m" 2>/dev/null | awk '$1=="insmod"{print $2}'
       done | sort -u)
for m in $mods; do
  rel=${m#"$kroot"}
  mkdir -p "$root$(dirname "$rel")"
  cp "$m" "$root$rel"
done
for m in "${want[@]}"; do
  modprobe -d "$kroot" -S "$kver" --show-depends "$m" >/dev/null 2>&1 || log "note: module $m not found (builtin?)"
done
cp "$kroot/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$kver/" 2>/dev/null || true
depmod -b "$root" "$kver"
echo "$kver" > "$root/etc/kver"

# 5. /init: mounts, loads modules, brings up the network, runs /guest/script.sh (appended by run.sh),
#    prints TAMP-GUEST-EXIT=<code> and powers off.
cp "$here/init" "$root/init"
chmod +x "$root/init"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -6) > "$cache/initramfs.cpio.gz.tmp"
mv "$cache/initramfs.cpio.gz.tmp" "$cache/initramfs.cpio.gz"
cp "$kroot/boot/vmlinuz-$kver" "$cache/vmlinuz"
echo "$kver" > "$cache/kver"
echo "$recipe" > "$cache/stamp"
log "done: $cache (initramfs $(du -h "$cache/initramfs.cpio.gz" | cut -f1), $(echo "$mods" | wc -w) modules)"
