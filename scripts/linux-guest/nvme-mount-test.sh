#!/usr/bin/env bash
# Proves a real Linux host mounts a Tamp iSCSI volume: boots Debian's kernel under qemu (run.sh) and
# has its kernel initiator (open-iscsi + iscsi_tcp) discover, log in, mkfs.ext4, mount, write,
# remount and verify md5sums, fstrim (UNMAP), log out and in again, verify again
# (guest-nvme-mount.sh). Tamp serves on 127.0.0.1 only; the guest reaches it as 10.0.2.2.
# Build Tamp first: mvn -B -q -DskipTests package. The guest is built (once, cached) by build.sh.
# Usage: scripts/linux-guest/nvme-mount-test.sh   KEEP=DIR keeps serve.log and console.log
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
t0=$(date +%s.%N)
"$here/build.sh"
work="$(mktemp -d)"
host_nqn=nqn.2014-08.org.nvmexpress:uuid:7a3b6e52-0000-4000-8000-00000000beef
"$top/tamp" serve --data "$work/data" --devices 2 --device-gib 2 --bind 127.0.0.1 --iscsi-port -1 --nvme-port 0 \
  --volume vol1:512M --map "vol1:$host_nqn:0" > "$work/serve.log" 2>&1 &
pid=$!
cleanup() {
  kill -TERM $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP"; cp "$work"/*.log "$KEEP"/; fi
  rm -rf "$work"
}
trap cleanup EXIT
port=
for _ in $(seq 1 120); do
  port=$(grep -o 'NVMe/TCP port 127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  kill -0 $pid 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.5
done
[ -n "$port" ] || { echo "serve did not open its NVMe/TCP port" >&2; exit 1; }
echo "nvme-mount-test: tamp serve pid $pid, NVMe/TCP 127.0.0.1:$port (guest: 10.0.2.2:$port)"
set +e
TAMP_GUEST_LOG="$work/console.log" "$here/run.sh" "$here/guest-nvme-mount.sh" "$port" "$host_nqn"
rc=$?
set -e
kill -TERM $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
echo "--- serve log (tail) ---"
tail -40 "$work/serve.log"
echo "nvme-mount-test: $([ $rc -eq 0 ] && echo PASS || echo "FAIL (exit $rc)") in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s"
exit $rc
