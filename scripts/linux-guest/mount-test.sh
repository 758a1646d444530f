#!/usr/bin/env bash
# Proves a real Linux host mounts a Tamp volume: boots Debian's kernel under qemu (run.sh) and has
# its own initiator discover, connect, mkfs.ext4, mount, write, remount and verify md5sums, trim,
# reconnect and verify again: open-iscsi + iscsi_tcp (guest-iscsi-mount.sh) or nvme-cli +
# nvme-tcp (guest-nvme-mount.sh). Tamp serves on 127.0.0.1 only; the guest reaches it as 10.0.2.2.
# Build Tamp first: mvn -B -q -DskipTests package. The guest is built (once, cached) by build.sh.
# Usage: scripts/linux-guest/mount-test.sh iscsi|nvme   KEEP=DIR keeps serve.log and console.log
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
proto="${1:-}"
case "$proto" in
  iscsi) host=iqn.2026-11.io.tamp.guest:linux; ports="--iscsi-port 0 --nvme-port -1"; listening='iSCSI portal' ;;
  nvme) host=nqn.2014-08.org.nvmexpress:uuid:7a3b6e52-0000-4000-8000-00000000beef
        ports="--iscsi-port -1 --nvme-port 0"; listening='NVMe/TCP port' ;;
  *) echo "usage: $0 iscsi|nvme" >&2; exit 2 ;;
esac
t0=$(date +%s.%N)
"$here/build.sh"
work="$(mktemp -d)"
# shellcheck disable=SC2086
"$top/tamp" serve --data "$work/data" --devices 2 --device-gib 2 --bind 127.0.0.1 --http-port -1 $ports \
  --volume vol1:512M --map "vol1:$host:0" > "$work/serve.log" 2>&1 &
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
  port=$(grep -o "$listening 127.0.0.1:[0-9]*" "$work/serve.log" | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  kill -0 $pid 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.5
done
[ -n "$port" ] || { echo "serve did not open its $listening" >&2; exit 1; }
echo "mount-test $proto: tamp serve pid $pid, $listening 127.0.0.1:$port (guest: 10.0.2.2:$port)"
set +e
TAMP_GUEST_LOG="$work/console.log" "$here/run.sh" "$here/guest-$proto-mount.sh" "$port" "$host"
rc=$?
set -e
kill -TERM $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
echo "--- serve log (tail) ---"
tail -40 "$work/serve.log"
echo "mount-test $proto: $([ $rc -eq 0 ] && echo PASS || echo "FAIL (exit $rc)") in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s"
exit $rc
