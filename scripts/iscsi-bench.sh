#!/usr/bin/env bash
# Benchmarks Tamp's iSCSI target against tgt (Debian package tgt: a 4 GiB sparse file-backed LUN,
# backing store rdwr, no data reduction) in the same run, on 127.0.0.1 only, with the same fio
# jobs through fio's libiscsi engine (user-space initiator, no kernel iSCSI):
#   4 KiB random read and random write at queue depth 32, 128 KiB sequential read and write at
#   queue depth $SEQ_QD, each for $RUNTIME s after a $RAMP s ramp, over the first $SIZE of the LUN,
#   after a sequential precondition write of that region (so reads hit written data on both).
# Write data is fio's random data refilled per I/O (incompressible, no duplicates: the worst case
# for inline reduction); REDUCIBLE=1 (default) adds the two write tests again with
# dedupe_percentage=50 buffer_compress_percentage=50, reported separately.
# Goal (issue): reads >= tgt, writes with inline reduction >= 0.8x tgt; the table gives tamp/tgt.
# fio, target and initiator share the machine's cores: the numbers are only comparable within a run.
#
# Build Tamp first (mvn -B -q -DskipTests package). fio with the libiscsi engine (Debian's fio is
# built without it), outside the repo; Debian bookworm, as root:
#   sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
#     > /etc/apt/sources.list.d/debian-src.sources
#   apt-get update && apt-get install -y libiscsi-dev libiscsi-bin tgt build-essential pkg-config \
#     zlib1g-dev libaio-dev dpkg-dev
#   mkdir -p /work/tools && cd /work/tools && apt-get source fio && ln -sfn fio-3.* fio && cd fio
#   # fio (3.33 and upstream) flags its libiscsi engine FIO_SYNCIO, which caps iodepth at 1 ("queue
#   # depth will be capped at 1"), although the engine queues asynchronously; drop the flag:
#   sed -i 's/= FIO_SYNCIO | FIO_DISKLESSIO/= FIO_DISKLESSIO/' engines/libiscsi.c
#   ./configure --enable-libiscsi | grep 'iscsi engine'     # must say: iscsi engine  yes
#   make -j2
# The fio logs kept by KEEP show the achieved depth ("IO depths").
#
# Usage: scripts/iscsi-bench.sh
#   FIO=path (default /work/tools/fio/fio)  RUNTIME=s (20)  RAMP=s (2)  SIZE=fio size (1G)
#   SEQ_QD=n (8)  REDUCIBLE=0|1 (1)  TAMP=launcher (the repo's ./tamp)  KEEP=DIR keeps serve.log,
#   tgtd.log and every fio output.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
FIO="${FIO:-/work/tools/fio/fio}"
TAMP="${TAMP:-$here/tamp}"
RUNTIME="${RUNTIME:-20}"
RAMP="${RAMP:-2}"
SIZE="${SIZE:-1G}"
SEQ_QD="${SEQ_QD:-8}"
REDUCIBLE="${REDUCIBLE:-1}"
initiator=iqn.2026-11.io.tamp.bench:fio
tgt_iqn=iqn.2026-11.io.tamp.bench:tgt

[ -x "$FIO" ] || { echo "no fio at $FIO (see the top of $0 for how to build it)" >&2; exit 2; }
"$FIO" --enghelp 2>/dev/null | grep -qw libiscsi || { echo "$FIO lacks the libiscsi engine" >&2; exit 2; }
command -v tgtd >/dev/null && command -v tgtadm >/dev/null || { echo "needs tgt (tgtd, tgtadm)" >&2; exit 2; }

work="$(mktemp -d)"
# shellcheck source=scripts/bench-lib.sh
. "$here/scripts/bench-lib.sh"
tamp_pid=""
tgt_pid=""
tgt_ctl=""
cleanup() {
  set +e
  if [ -n "$tgt_pid" ]; then
    stop_tgt
  fi
  if [ -n "$tamp_pid" ]; then
    kill -TERM "$tamp_pid" 2>/dev/null
    wait "$tamp_pid" 2>/dev/null
  fi
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$work"/*.log "$KEEP"/ 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT


# --- Tamp ---
"$TAMP" serve --data "$work/data" --devices 2 --device-gib 8 --bind 127.0.0.1 --iscsi-port 0 --nvme-port -1 --http-port -1 \
  --volume bench:4G --map "bench:$initiator:0" > "$work/serve.log" 2>&1 &
tamp_pid=$!

# --- tgt: its own control port (so a system tgtd is left alone), a free portal port ---
start_tgt "$tgt_iqn"
[ -n "$(ss -Htln "sport = :$tgt_port")" ] || { echo "tgtd is not listening on $tgt_port" >&2; cat "$work/tgtd.log" >&2; exit 1; }

for _ in $(seq 1 120); do
  tamp_port=$(grep -o 'iSCSI portal 127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$' || true)
  [ -n "$tamp_port" ] && break
  kill -0 "$tamp_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.5
done
[ -n "$tamp_port" ] || { echo "serve did not open its portal" >&2; exit 1; }
tamp_iqn=$(grep -o 'iSCSI portal 127.0.0.1:[0-9]* target [^ ]*' "$work/serve.log" | awk '{print $NF}')
tamp_iqn=${tamp_iqn:-iqn.2026-11.io.tamp:controller}

# fio wants the colons of a filename escaped.
url() { printf 'iscsi\\://127.0.0.1\\:%s/%s/%s' "$1" "${2//:/\\:}" "$3"; }
url_tgt=$(url "$tgt_port" "$tgt_iqn" 1)
url_tamp=$(url "$tamp_port" "$tamp_iqn" 0)

hz=$(getconf CLK_TCK)

# run_fio TARGET NAME fio-args...: one job against TARGET (tgt or tamp); prints
# "IOPS MiB/s TARGET_CPU% OTHER_CPU%" of its direction. CPU is in % of one core over the run (ramp
# and login included); OTHER is the machine's busy time less the target's and fio's: anything
# else running (a build, a test suite) skews the comparison.
run_fio() {
  local target=$1 name=$2; shift 2
  local u pid
  if [ "$target" = tgt ]; then u=$url_tgt; pid=$tgt_pid; else u=$url_tamp; pid=$tamp_pid; fi
  local out="$work/fio-$name-$target.log"
  local c0 b0 s0 c1 b1 s1
  c0=$(ticks "$pid"); b0=$(busy); s0=$(date +%s.%N)
  timeout $((RUNTIME + RAMP + 600)) "$FIO" --name="$name" --ioengine=libiscsi --initiator="$initiator" \
    --filename="$u" --size="$SIZE" --offset=0 --output-format=normal,terse --terse-version=3 \
    "$@" > "$out" 2>&1 || { echo "fio $name against $target failed:" >&2; cat "$out" >&2; exit 1; }
  c1=$(ticks "$pid"); b1=$(busy); s1=$(date +%s.%N)
  # terse v3: field 5 error; read KiB/s 7, IOPS 8; write KiB/s 48, IOPS 49; fio's CPU usr 88, sys 89.
  awk -F';' -v c="$((c1 - c0))" -v b="$((b1 - b0))" -v t="$s1" -v t0="$s0" -v hz="$hz" '
    $1=="3" && $2 ~ /^fio/ {
      if ($5 != 0) { print "error " $5 > "/dev/stderr"; exit 1 }
      secs = t - t0; tcpu = 100 * c / hz / secs; fcpu = $88 + $89   # fio: % over its own runtime
      other = 100 * b / hz / secs - tcpu - fcpu; if (other < 0) other = 0
      if ($8 + 0 > 0) printf "%.0f %.1f %.0f %.0f\n", $8, $7 / 1024, tcpu, other
      else printf "%.0f %.1f %.0f %.0f\n", $49, $48 / 1024, tcpu, other }' "$out"
}

timed=(--time_based --runtime="$RUNTIME" --ramp_time="$RAMP")
wdata=(--refill_buffers)
red=(--dedupe_percentage=50 --buffer_compress_percentage=50 --refill_buffers)
if [ "$TAMP" = "$here/tamp" ]; then tamp_rev=$(git -C "$here" describe --always --dirty 2>/dev/null || true); else tamp_rev=$TAMP; fi
echo "tamp $tamp_rev at 127.0.0.1:$tamp_port; tgt $(tgtd -V 2>/dev/null || true) at 127.0.0.1:$tgt_port"
echo "fio $("$FIO" --version), working set $SIZE, ${RUNTIME}s per test after ${RAMP}s ramp, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for t in tgt tamp; do
  echo "preconditioning $t: sequential write of $SIZE (random data)" >&2
  run_fio "$t" precondition --rw=write --bs=128k --iodepth="$SEQ_QD" "${wdata[@]}" >/dev/null
done

# name | fio args | unit. Each test runs against tgt, then Tamp.
tests=(
  "randread-4k-qd32|--rw=randread --bs=4k --iodepth=32|IOPS"
  "read-128k-qd$SEQ_QD|--rw=read --bs=128k --iodepth=$SEQ_QD|MiB/s"
  "randwrite-4k-qd32|--rw=randwrite --bs=4k --iodepth=32 ${wdata[*]}|IOPS"
  "write-128k-qd$SEQ_QD|--rw=write --bs=128k --iodepth=$SEQ_QD ${wdata[*]}|MiB/s"
)
if [ "$REDUCIBLE" = 1 ]; then
  tests+=(
    "randwrite-4k-qd32-dd50-c50|--rw=randwrite --bs=4k --iodepth=32 ${red[*]}|IOPS"
    "write-128k-qd$SEQ_QD-dd50-c50|--rw=write --bs=128k --iodepth=$SEQ_QD ${red[*]}|MiB/s"
  )
fi
rows=()
for spec in "${tests[@]}"; do
  IFS='|' read -r name args unit <<< "$spec"
  read -r -a argv <<< "$args"
  echo "running $name" >&2
  res=$(run_fio tgt "$name" "${argv[@]}" "${timed[@]}")    # a failed run_fio stops the script here
  read -r g_iops g_mib g_cpu g_oth <<< "$res"
  res=$(run_fio tamp "$name" "${argv[@]}" "${timed[@]}")
  read -r t_iops t_mib t_cpu t_oth <<< "$res"
  rows+=("$name $unit $g_iops $g_mib $g_cpu $g_oth $t_iops $t_mib $t_cpu $t_oth")
done

echo
# *_cpu: the target process's CPU, % of one core; oth: CPU used by neither the target nor fio (the
# kernel's writeback of tgt's page cache shows there, 10-20% in its sequential writes).
printf '%-28s %9s %9s %7s %4s %9s %9s %8s %4s %8s  %s\n' test tgt_IOPS tgt_MiB/s tgt_cpu oth tamp_IOPS tamp_MiB/s tamp_cpu oth tamp/tgt goal
for r in "${rows[@]}"; do
  read -r name unit g_iops g_mib g_cpu g_oth t_iops t_mib t_cpu t_oth <<< "$r"
  awk -v n="$name" -v u="$unit" -v gi="$g_iops" -v gm="$g_mib" -v gc="$g_cpu" -v go="$g_oth" \
      -v ti="$t_iops" -v tm="$t_mib" -v tc="$t_cpu" -v to="$t_oth" 'BEGIN {
    ratio = (u == "IOPS") ? (gi > 0 ? ti / gi : 0) : (gm > 0 ? tm / gm : 0)
    goal = (n ~ /read/) ? 1.0 : 0.8
    printf "%-28s %9d %9.1f %6d%% %3d%% %9d %9.1f %7d%% %3d%% %8.2f  >=%.1f %s (%s)\n", n, gi, gm, gc, go, ti, tm, tc, to,
      ratio, goal, (ratio >= goal ? "met" : "MISSED"), u }'
  if [ "$g_oth" -gt 25 ] || [ "$t_oth" -gt 25 ]; then busy_runs=$((${busy_runs:-0} + 1)); fi
done
[ -z "${busy_runs:-}" ] || echo "WARNING: in $busy_runs test(s) other processes used >25% of a core; rerun on an idle machine"
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
warn=$(grep -c -E ' (WARN|ERROR) ' "$work/serve.log" || true)
echo "tamp serve log: $warn WARN/ERROR lines${KEEP:+ (kept in $KEEP/serve.log)}"
grep -E ' (WARN|ERROR) ' "$work/serve.log" | head -5 || true
