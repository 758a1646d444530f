# Runs inside the Linux guest (run.sh puts it there): mounts a Tamp NVMe/TCP namespace with nvme-cli
# and the kernel's nvme-tcp, and checks the data survives a remount and a new connection.
# Args: PORT HOSTNQN   (the port is the host's 127.0.0.1:PORT, seen here as 10.0.2.2:PORT)
set -u
port=$1
hostnqn=$2
addr=10.0.2.2
subnqn=nqn.2026-11.io.tamp:controller
t0=$(cut -d' ' -f1 /proc/uptime)
step() { echo "== [$(cut -d' ' -f1 /proc/uptime)s] $*"; }
diag() {
  echo "--- guest kernel messages (dmesg, nvme/ext4/block) ---"
  dmesg | grep -aiE 'nvme|error|fail|ext4|blk|I/O|discard|reset|timeout|keep.alive' | tail -60
}
fail() { echo "FAIL: $*"; diag; echo "NVMe/TCP mount test: FAIL"; exit 1; }
run() { echo "\$ $*"; "$@" || fail "command failed (exit $?): $*"; }

wait_ns() {
  dev=
  for _ in $(seq 1 100); do
    for d in /sys/class/nvme/nvme*/nvme*n1 /sys/block/nvme*n1; do
      [ -e "$d" ] && { dev=/dev/${d##*/}; break; }
    done
    [ -n "$dev" ] && [ -b "$dev" ] && return 0
    sleep 0.2
  done
  fail "no namespace block device appeared after connect"
}

step "modules"
for m in nvme-tcp ext4 crc32c_generic; do run modprobe "$m"; done
mkdir -p /etc/nvme
echo "$hostnqn" > /etc/nvme/hostnqn

step "discover at $addr:$port"
out=$(nvme discover -t tcp -a "$addr" -s "$port" -q "$hostnqn" 2>&1) || { echo "$out"; fail "discovery"; }
echo "$out"
echo "$out" | grep -q "subnqn: *$subnqn" || fail "discovery log does not list $subnqn"

step "connect $subnqn"
run nvme connect -t tcp -a "$addr" -s "$port" -n "$subnqn" -q "$hostnqn"
wait_ns
disk=${dev#/dev/}
[ "$(blockdev --getpbsz $dev)" = 4096 ] || fail "physical block size is not 4 KiB"
[ "$(cat /sys/block/$disk/queue/write_cache)" = "write back" ] || fail "the volatile write cache is not reported"
step "namespace $dev: $(blockdev --getsize64 $dev) bytes, logical $(blockdev --getss $dev) B, physical $(blockdev --getpbsz $dev) B, discard_max $(cat /sys/block/$disk/queue/discard_max_bytes) B, wc $(cat /sys/block/$disk/queue/write_cache)"
nvme list 2>&1 | head -5
nvme id-ctrl "$dev" 2>/dev/null | grep -E '^(mn|sn|subnqn|mdts|cntlid|ver|oncs|vwc|sgls) ' || true
nvme id-ns "$dev" 2>/dev/null | grep -E '^(nsze|ncap|nuse|nsfeat|dlfeat|npwg|nows) ' || true
nvme smart-log "$dev" 2>/dev/null | grep -iE 'data_units|host_(read|write)_commands' || true

step "mkfs.ext4 $dev (discards the device first: Dataset Management)"
run mkfs.ext4 -F -q "$dev"
mkdir -p /mnt/n
run mount -t ext4 "$dev" /mnt/n

step "write: 20 MiB random + copy + text"
run dd if=/dev/urandom of=/mnt/n/random.bin bs=1M count=20
run cp /mnt/n/random.bin /mnt/n/random.copy
echo "hello from the Linux NVMe/TCP host" > /mnt/n/hello.txt
run sync
(cd /mnt/n && md5sum random.bin random.copy hello.txt) > /tmp/sums
cat /tmp/sums
[ "$(awk 'NR==1{print $1}' /tmp/sums)" = "$(awk 'NR==2{print $1}' /tmp/sums)" ] || fail "copy differs from original"

step "unmount, drop caches, remount, verify"
run umount /mnt/n
blockdev --flushbufs "$dev"
echo 3 > /proc/sys/vm/drop_caches
run mount -t ext4 "$dev" /mnt/n
(cd /mnt/n && md5sum -c /tmp/sums) || fail "md5sums differ after remount"

step "delete the copy, fstrim (deallocate)"
run rm /mnt/n/random.copy
run sync
run fstrim -v /mnt/n
run umount /mnt/n
step "e2fsck -fn $dev"
run e2fsck -fn "$dev"

step "disconnect, connect again (new controller), verify"
run nvme disconnect -n "$subnqn"
sleep 0.5
run nvme connect -t tcp -a "$addr" -s "$port" -n "$subnqn" -q "$hostnqn"
wait_ns
run mount -t ext4 "$dev" /mnt/n
grep -v random.copy /tmp/sums > /tmp/sums2
(cd /mnt/n && md5sum -c /tmp/sums2) || fail "md5sums differ after reconnecting"
[ ! -e /mnt/n/random.copy ] || fail "deleted file came back"
df -k /mnt/n | tail -1
run umount /mnt/n
run nvme disconnect -n "$subnqn"

diag
bad=$(dmesg | grep -aiE 'I/O error|I/O Cmd|Error \(sct|reset controller|resetting|timed out|timeout|abort|failed' | grep -v -e 'reset_devices')
[ -z "$bad" ] || { echo "$bad"; fail "the kernel logged errors during the run (above)"; }
step "NVMe/TCP mount test: PASS ($(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN{printf "%.1f", b-a}')s in the guest)"
exit 0
