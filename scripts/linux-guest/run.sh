#!/usr/bin/env bash
# Boots the Linux guest built by build.sh under qemu (TCG, no KVM needed) and runs SCRIPT in it as
# `sh /guest/script.sh ARGS...`; prints the guest console and exits with the script's exit status.
# The guest reaches this host's 127.0.0.1 as 10.0.2.2 (qemu user networking).
#
# Usage: scripts/linux-guest/run.sh SCRIPT [ARGS...]
#   TAMP_GUEST_TIMEOUT=300    seconds before qemu is killed (exit 124)
#   TAMP_GUEST_LOG=FILE       where the console goes (default: a temp file, removed at exit)
#   TAMP_GUEST_APPEND=...     extra kernel command line (e.g. loglevel=7; default is quiet)
#   TAMP_GUEST_MEM=1024       guest MiB
#   TAMP_GUEST_CACHE=DIR      the cache build.sh filled
# Exit: the script's status; 124 on timeout; 125 when the guest ended without the exit marker.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ $# -ge 1 ] || { echo "usage: $0 SCRIPT [ARGS...]" >&2; exit 2; }
script=$1; shift
[ -f "$script" ] || { echo "run.sh: no such script: $script" >&2; exit 2; }
cache="${TAMP_GUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tamp-guest}"
"$here/build.sh" >&2
timeout_s="${TAMP_GUEST_TIMEOUT:-300}"

tmp=$(mktemp -d)
qpid=
cleanup() {
  if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then kill -KILL "$qpid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The script and its arguments ride in a second cpio appended to the initramfs.
mkdir -p "$tmp/x/guest"
cp "$script" "$tmp/x/guest/script.sh"
{ printf 'set --'; for a in "$@"; do printf " '%s'" "${a//\'/\'\\\'\'}"; done; printf '\n'; } > "$tmp/x/guest/args"
(cd "$tmp/x" && find . | cpio -o -H newc --quiet) > "$tmp/extra.cpio"
# The kernel reads an uncompressed cpio that follows a compressed one only at a 4-byte-aligned
# offset (zero bytes between archives are skipped), so pad the first to a 512-byte boundary.
cp "$cache/initramfs.cpio.gz" "$tmp/initrd"
pad=$(( (512 - $(stat -c %s "$tmp/initrd") % 512) % 512 ))
head -c "$pad" /dev/zero >> "$tmp/initrd"
cat "$tmp/extra.cpio" >> "$tmp/initrd"

log="${TAMP_GUEST_LOG:-$tmp/console.log}"
: > "$log"
start=$(date +%s.%N)
# -smp 1: this is a 2-core machine and TCG is single-threaded per vCPU anyway.
qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp 1 -m "${TAMP_GUEST_MEM:-1024}" \
  -nographic -no-reboot -serial "file:$log" -monitor none -display none \
  -kernel "$cache/vmlinuz" -initrd "$tmp/initrd" \
  -append "console=ttyS0 panic=-1 quiet ${TAMP_GUEST_APPEND:-}" \
  -netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
  > "$tmp/qemu.out" 2>&1 < /dev/null &
qpid=$!
# Follow the console while waiting.
tail -n +1 -f "$log" --pid="$qpid" &
tpid=$!
status=
deadline=$(( $(date +%s) + timeout_s ))
while kill -0 "$qpid" 2>/dev/null; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "run.sh: guest timed out after ${timeout_s}s; killing qemu (pid $qpid)" >&2
    kill -KILL "$qpid" 2>/dev/null || true
    status=124
    break
  fi
  sleep 0.5
done
wait "$qpid" 2>/dev/null || true
wait "$tpid" 2>/dev/null || true
end=$(date +%s.%N)
if [ -s "$tmp/qemu.out" ]; then sed 's/^/qemu: /' "$tmp/qemu.out" >&2; fi
booted=$(grep -a -o 'TAMP-GUEST-SCRIPT-START uptime=[0-9.]*' "$log" | head -1 | sed 's/.*=//' || true)
echo "run.sh: guest ran $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}')s wall; script started at guest uptime ${booted:-?}s" >&2
if [ -z "$status" ]; then
  code=$(tr -d '\r' < "$log" | grep -a -o '^TAMP-GUEST-EXIT=[0-9]*' | tail -1 | sed 's/.*=//' || true)
  if [ -n "$code" ]; then status=$code; else echo "run.sh: guest ended without TAMP-GUEST-EXIT" >&2; status=125; fi
fi
exit "$status"
