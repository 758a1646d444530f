# Runs inside the Linux guest (run.sh puts it there): mounts a Tamp iSCSI volume with the kernel
# initiator (open-iscsi + iscsi_tcp) and checks the data survives a remount and a new session.
# Args: PORT INITIATOR_IQN   (the portal is the host's 127.0.0.1:PORT, seen here as 10.0.2.2:PORT)
set -u
port=$1
init_iqn=$2
portal=10.0.2.2:$port
t0=$(cut -d' ' -f1 /proc/uptime)
step() { echo "== [$(cut -d' ' -f1 /proc/uptime)s] $*"; }
diag() {
  echo "--- guest kernel messages (dmesg, SCSI/iSCSI/ext4/block) ---"
  dmesg | grep -aiE 'scsi|iscsi|sd[a-z]|connection|conn |sense|error|fail|ext4|blk|I/O|discard|session' | tail -60
  echo "--- iscsid log ---"
  tail -30 /tmp/iscsid.log 2>/dev/null
}
fail() { echo "FAIL: $*"; diag; echo "iSCSI mount test: FAIL"; exit 1; }
run() { echo "\$ $*"; "$@" || fail "command failed (exit $?): $*"; }

# The SCSI disk that session's LUN 0 became: /sys/class/scsi_disk/H:C:T:L/device/block/sdX.
wait_disk() {
  disk=
  for _ in $(seq 1 100); do
    for d in /sys/class/scsi_disk/*/device/block/*; do
      [ -e "$d" ] && { disk=${d##*/}; break; }
    done
    [ -n "$disk" ] && [ -b "/dev/$disk" ] && return 0
    sleep 0.2
  done
  fail "no SCSI disk appeared after login"
}

step "modules"
for m in iscsi_tcp sd_mod ext4 crc32c_generic; do run modprobe "$m"; done
echo "InitiatorName=$init_iqn" > /etc/iscsi/initiatorname.iscsi
iscsid -f > /tmp/iscsid.log 2>&1 &
for _ in $(seq 1 50); do iscsiadm -m session >/dev/null 2>&1; [ $? -ne 20 ] && break; sleep 0.1; done  # 20: cannot reach iscsid

step "discovery (SendTargets) at $portal"
out=$(iscsiadm -m discovery -t st -p "$portal" 2>&1) || { echo "$out"; fail "discovery"; }
echo "$out"
target=$(echo "$out" | awk '{print $2}' | head -1)
[ -n "$target" ] || fail "discovery found no target"
reported=$(echo "$out" | awk '{print $1}' | head -1 | sed 's/,.*//')
if [ "$reported" != "$portal" ]; then
  # The target reports the address the connection reached it on; behind qemu's user-mode NAT that is
  # the host's own address, which this guest cannot reach, so record the node at the NATed portal.
  echo "note: target reports portal $reported; using $portal (qemu user networking NAT)"
  run iscsiadm -m node -o new -T "$target" -p "$portal"
fi

step "login $target at $portal"
run iscsiadm -m node -T "$target" -p "$portal" --login
wait_disk
dev=/dev/$disk
step "disk $dev: $(blockdev --getsize64 $dev) bytes, logical $(blockdev --getss $dev) B, physical $(blockdev --getpbsz $dev) B, discard_max $(cat /sys/block/$disk/queue/discard_max_bytes) B, wc $(cat /sys/block/$disk/queue/write_cache), vendor/model $(cat /sys/block/$disk/device/vendor) $(cat /sys/block/$disk/device/model)"
iscsiadm -m session -P 1 | sed -n '1,40p' | grep -E 'Target|Portal|SID|State|Iface Initiatorname' 

step "mkfs.ext4 $dev (discards the device first when it can: UNMAP)"
run mkfs.ext4 -F -q "$dev"
mkdir -p /mnt/t
run mount -t ext4 "$dev" /mnt/t

step "write: 20 MiB random + copy + text"
run dd if=/dev/urandom of=/mnt/t/random.bin bs=1M count=20
run cp /mnt/t/random.bin /mnt/t/random.copy
mkdir -p /mnt/t/dir
for i in 1 2 3 4 5; do echo "Tamp guest line $i $(date)" >> /mnt/t/dir/notes.txt; done
echo "hello from the Linux kernel initiator" > /mnt/t/hello.txt
run sync
(cd /mnt/t && md5sum random.bin random.copy hello.txt dir/notes.txt) > /tmp/sums
cat /tmp/sums
[ "$(awk 'NR==1{print $1}' /tmp/sums)" = "$(awk 'NR==2{print $1}' /tmp/sums)" ] || fail "copy differs from original"

step "unmount, drop caches, remount, verify"
run umount /mnt/t
blockdev --flushbufs "$dev"
echo 3 > /proc/sys/vm/drop_caches
run mount -t ext4 "$dev" /mnt/t
(cd /mnt/t && md5sum -c /tmp/sums) || fail "md5sums differ after remount"

step "delete the copy, fstrim (UNMAP)"
run rm /mnt/t/random.copy
run sync
if [ "$(cat /sys/block/$disk/queue/discard_max_bytes)" -gt 0 ]; then
  run fstrim -v /mnt/t
else
  echo "note: $dev reports no discard support (discard_max_bytes 0): fstrim skipped"
fi
run umount /mnt/t
step "e2fsck -fn $dev"
run e2fsck -fn "$dev"

step "logout, login again (new session), verify"
run iscsiadm -m node -T "$target" -p "$portal" --logout
sleep 0.5
run iscsiadm -m node -T "$target" -p "$portal" --login
wait_disk
dev=/dev/$disk
run mount -t ext4 "$dev" /mnt/t
grep -v random.copy /tmp/sums > /tmp/sums2
(cd /mnt/t && md5sum -c /tmp/sums2) || fail "md5sums differ in the new session"
[ ! -e /mnt/t/random.copy ] || fail "deleted file came back"
df -k /mnt/t | tail -1
run umount /mnt/t
run iscsiadm -m node -T "$target" -p "$portal" --logout

diag
# mke2fs ignores a failed discard and the block layer retries some errors quietly: any I/O error,
# sense data, reset or timeout the kernel logged during the run fails the test.
bad=$(dmesg | grep -aiE 'I/O error|Sense Key|Add\. Sense|critical (target|medium)|reset|timed out|abort|detected conn error' \
      | grep -v -e 'reset_devices' -e 'Power-on or device reset occurred')  # the UA a new I_T nexus gets (SAM-5 6.3)
[ -z "$bad" ] || { echo "$bad"; fail "the kernel logged errors during the run (above)"; }
step "iSCSI mount test: PASS ($(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN{printf "%.1f", b-a}')s in the guest)"
exit 0
