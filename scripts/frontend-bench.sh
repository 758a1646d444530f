#!/usr/bin/env bash
# Tamp NVMe/TCP vs Tamp iSCSI vs tgt, in the same run, over 127.0.0.1 only, with the same load
# generator (perf's BlockLoad: our own pipelined NVMe/TCP host and iSCSI initiator, one TCP
# connection per queue, a writer keeping QD commands in flight and a reader completing them; at
# QD1 one thread sends each command and reads its completion, as a synchronous initiator does):
#   randread  4 KiB QD32 x 2 queues      randwrite 4 KiB QD32 x 2 queues      (IOPS)
#   randread  4 KiB QD1  x 1 queue       randwrite 4 KiB QD1  x 1 queue       (latency)
# each for $SECONDS_RUN s after $WARMUP s of warm-up, over the first $RANGE_MIB MiB, after a
# sequential 128 KiB write pass over that range on Tamp (one volume, mapped both to an IQN and a
# host NQN, so one pass serves both frontends) and on tgt (a 4 GiB sparse file LUN, backing store
# rdwr, no data reduction), then a sequential read pass on each (WARM_READ). Write data is fresh
# random bytes per block (incompressible, no duplicates: the worst case for Tamp's inline dedup
# and compression).
# Goals: NVMe/TCP IOPS >= 1.3x Tamp iSCSI (QD32 rows); QD1 read p99 <= 250 us on NVMe/TCP.
# Load generator, targets and the kernel's loopback TCP share the machine's cores: numbers only
# compare within a run; the "oth" column is CPU used by neither the target nor the load generator
# (anything else running skews the comparison).
#
# Build first:  mvn -B -q -DskipTests package      (./tamp and perf/target/benchmarks.jar)
# Needs tgt (Debian package tgt: tgtd, tgtadm).
# Usage:        scripts/frontend-bench.sh
#   SECONDS_RUN=s (20)  WARMUP=s (5)  RANGE_MIB=n (1024)  QUEUES=n (2)  QD=n (32)  SETTLE=s (3, pause
#   between runs)  ORDER="tgt tamp-iscsi tamp-nvme" (target order within each test)
#   DATA=random|dedup50 (random)  WARM_READ=0|1 (1: a sequential read pass over the range after
#   the precondition, so every target starts the tests with its cache in the same state)
#   TAMP=launcher (the repo's ./tamp)  KEEP=DIR keeps serve.log, tgtd.log and every BlockLoad output.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
TAMP="${TAMP:-$here/tamp}"
JAR="${JAR:-$here/perf/target/benchmarks.jar}"
SECONDS_RUN="${SECONDS_RUN:-20}"
WARMUP="${WARMUP:-5}"
RANGE_MIB="${RANGE_MIB:-1024}"
QUEUES="${QUEUES:-2}"
QD="${QD:-32}"
SETTLE="${SETTLE:-3}"
ORDER="${ORDER:-tgt tamp-iscsi tamp-nvme}"
DATA="${DATA:-random}"
WARM_READ="${WARM_READ:-1}"
iqn=iqn.2026-11.io.tamp.bench:load
hostnqn=nqn.2026-11.io.tamp.bench:load
tgt_iqn=iqn.2026-11.io.tamp.bench:tgt

[ -f "$JAR" ] || { echo "no $JAR: build first (mvn -B -q -DskipTests package)" >&2; exit 2; }
command -v tgtd >/dev/null && command -v tgtadm >/dev/null || { echo "needs tgt (tgtd, tgtadm)" >&2; exit 2; }

work="$(mktemp -d)"
# shellcheck source=scripts/bench-lib.sh
. "$here/scripts/bench-lib.sh"
tamp_pid=""
tgt_pid=""
tgt_ctl=""
load_pid=""
cleanup() {
  set +e
  if [ -n "$load_pid" ]; then kill -TERM "$load_pid" 2>/dev/null; wait "$load_pid" 2>/dev/null; fi
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
trap 'exit 130' INT TERM


# --- Tamp: one volume, mapped to the IQN and to the host NQN ---
"$TAMP" serve --data "$work/data" --devices 2 --device-gib 8 --bind 127.0.0.1 --iscsi-port 0 --nvme-port 0 --http-port -1 \
  --volume bench:4G --map "bench:$iqn:0" --map "bench:$hostnqn:0" > "$work/serve.log" 2>&1 &
tamp_pid=$!

# --- tgt: its own control port (so a system tgtd is left alone), a free portal port ---
start_tgt "$tgt_iqn"
[ -n "$(ss -Htln "sport = :$tgt_port")" ] || { echo "tgtd is not listening on $tgt_port" >&2; cat "$work/tgtd.log" >&2; exit 1; }

iscsi_port=""; nvme_port=""
for _ in $(seq 1 120); do
  iscsi_port=$(grep -o 'iSCSI portal 127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$' || true)
  nvme_port=$(grep -o 'NVMe/TCP port 127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$' || true)
  [ -n "$iscsi_port" ] && [ -n "$nvme_port" ] && break
  kill -0 "$tamp_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.5
done
[ -n "$iscsi_port" ] && [ -n "$nvme_port" ] || { echo "serve did not open both frontends" >&2; cat "$work/serve.log" >&2; exit 1; }
tamp_iqn=$(grep -o 'iSCSI portal 127.0.0.1:[0-9]* target [^ ]*' "$work/serve.log" | awk '{print $NF}')
tamp_nqn=$(grep -o 'NVMe/TCP port 127.0.0.1:[0-9]* subsystem [^ ]*' "$work/serve.log" | awk '{print $NF}')

hz=$(getconf CLK_TCK)

# target_args TARGET: BlockLoad's connection arguments for tgt, tamp-iscsi or tamp-nvme.
target_args() {
  case $1 in
    tgt) echo "--proto iscsi --port $tgt_port --target $tgt_iqn --initiator $iqn --lun 1" ;;
    tamp-iscsi) echo "--proto iscsi --port $iscsi_port --target $tamp_iqn --initiator $iqn --lun 0" ;;
    tamp-nvme) echo "--proto nvme --port $nvme_port --target $tamp_nqn --initiator $hostnqn --nsid 1" ;;
  esac
}
target_pid() { if [ "$1" = tgt ]; then echo "$tgt_pid"; else echo "$tamp_pid"; fi; }

# run_load TARGET NAME BlockLoad-args...: prints the RESULT JSON line, then "TARGET_CPU% OTHER_CPU%"
# (% of one core over the whole BlockLoad process, warm-up and connect included).
run_load() {
  local target=$1 name=$2; shift 2
  local pid out c0 b0 s0 c1 b1 s1 rc
  pid=$(target_pid "$target")
  out="$work/load-$name-$target.log"
  c0=$(ticks "$pid"); b0=$(busy); s0=$(date +%s.%N)
  # shellcheck disable=SC2046
  timeout $((WARMUP + SECONDS_RUN + 300)) java -Xmx1g -cp "$JAR" io.tamp.perf.load.BlockLoad \
    $(target_args "$target") --label "$target" "$@" > "$out" 2>&1 &
  load_pid=$!
  rc=0; wait "$load_pid" || rc=$?
  load_pid=""
  c1=$(ticks "$pid"); b1=$(busy); s1=$(date +%s.%N)
  if [ "$rc" -ne 0 ] || ! grep -q '^RESULT ' "$out"; then
    echo "BlockLoad $name against $target failed (exit $rc):" >&2; cat "$out" >&2
    return 1
  fi
  grep '^RESULT ' "$out"
  # the load generator's own CPU comes from its RESULT line (client_cpu_pct, measured window only);
  # for "other" subtract an estimate of it over the whole process lifetime: client% of the window.
  awk -v c="$((c1 - c0))" -v b="$((b1 - b0))" -v t="$s1" -v t0="$s0" -v hz="$hz" \
      -v cl="$(json client_cpu_pct < <(grep '^RESULT ' "$out"))" 'BEGIN {
    secs = t - t0; tcpu = 100 * c / hz / secs; if (cl == "null") cl = 0
    other = 100 * b / hz / secs - tcpu - cl; if (other < 0) other = 0
    printf "%.0f %.0f\n", tcpu, other }'
}

# json KEY < line: the value of "KEY": in a RESULT line.
json() { sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p"; }

echo "tamp $(git -C "$here" describe --always --dirty 2>/dev/null || echo "$TAMP") NVMe/TCP 127.0.0.1:$nvme_port iSCSI 127.0.0.1:$iscsi_port;" \
  "tgt $(tgtd -V 2>/dev/null || true) at 127.0.0.1:$tgt_port"
echo "BlockLoad: ${SECONDS_RUN}s per run after ${WARMUP}s warm-up, range ${RANGE_MIB} MiB, data $DATA, $(nproc) cores," \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"

for t in tamp-nvme tgt; do
  echo "preconditioning $t: sequential 128 KiB write pass over $RANGE_MIB MiB" >&2
  res=$(run_load "$t" precondition --rw write --bs 131072 --once --range-mib "$RANGE_MIB" --queues "$QUEUES" --qd 8) || exit 1
  echo "  $(head -1 <<< "$res" | json mib_s) MiB/s" >&2
  if [ "$WARM_READ" = 1 ]; then
    # tgt's buffered writes leave its file in the page cache; Tamp writes O_DIRECT and reads through
    # the page cache: without this pass whichever Tamp frontend reads first warms it for the other.
    echo "warming $t: sequential 128 KiB read pass over $RANGE_MIB MiB" >&2
    res=$(run_load "$t" warm --rw read --bs 131072 --once --range-mib "$RANGE_MIB" --queues "$QUEUES" --qd 8) || exit 1
    echo "  $(head -1 <<< "$res" | json mib_s) MiB/s" >&2
  fi
done

# name | BlockLoad args
tests=(
  "randread-4k-qd$QD-x$QUEUES|--rw randread --bs 4096 --qd $QD --queues $QUEUES"
  "randwrite-4k-qd$QD-x$QUEUES|--rw randwrite --bs 4096 --qd $QD --queues $QUEUES --data $DATA"
  "randread-4k-qd1|--rw randread --bs 4096 --qd 1 --queues 1"
  "randwrite-4k-qd1|--rw randwrite --bs 4096 --qd 1 --queues 1 --data $DATA"
)
declare -A R
for spec in "${tests[@]}"; do
  IFS='|' read -r name args <<< "$spec"
  read -r -a argv <<< "$args"
  for t in $ORDER; do
    echo "running $name against $t" >&2
    sleep "$SETTLE"
    res=$(run_load "$t" "$name" "${argv[@]}" --seconds "$SECONDS_RUN" --warmup "$WARMUP" --range-mib "$RANGE_MIB") || exit 1
    line=$(head -1 <<< "$res")
    read -r tcpu oth <<< "$(tail -1 <<< "$res")"
    R[$name,$t]="$(json iops <<< "$line") $(json p50_us <<< "$line") $(json p99_us <<< "$line") $(json p99_9_us <<< "$line") $(json errors <<< "$line") $tcpu $(json client_cpu_pct <<< "$line") $oth"
    echo "  ${R[$name,$t]}" >&2
  done
done

echo
printf '%-22s %-11s %9s %9s %9s %9s %6s %7s %7s %5s\n' test target IOPS p50_us p99_us p99.9_us errors tgt_cpu load_cpu oth
busy_runs=0
for spec in "${tests[@]}"; do
  IFS='|' read -r name _ <<< "$spec"
  for t in tamp-nvme tamp-iscsi tgt; do
    read -r iops p50 p99 p999 err tcpu lcpu oth <<< "${R[$name,$t]}"
    printf '%-22s %-11s %9.0f %9.1f %9.1f %9.1f %6d %6d%% %6.0f%% %4d%%\n' "$name" "$t" "$iops" "$p50" "$p99" "$p999" "$err" "$tcpu" "$lcpu" "$oth"
    [ "$oth" -le 25 ] || busy_runs=$((busy_runs + 1))
  done
done
echo
printf '%-22s %12s %12s %14s %14s  %s\n' test nvme/iscsi iscsi/tgt nvme/iscsi_p99 iscsi/tgt_p99 goal
for spec in "${tests[@]}"; do
  IFS='|' read -r name _ <<< "$spec"
  read -r ni _ np99 _ <<< "${R[$name,tamp-nvme]}"
  read -r ii _ ip99 _ <<< "${R[$name,tamp-iscsi]}"
  read -r gi _ gp99 _ <<< "${R[$name,tgt]}"
  awk -v n="$name" -v ni="$ni" -v ii="$ii" -v gi="$gi" -v np="$np99" -v ip="$ip99" -v gp="$gp99" 'BEGIN {
    r1 = ii > 0 ? ni / ii : 0; r2 = gi > 0 ? ii / gi : 0
    l1 = ip > 0 ? np / ip : 0; l2 = gp > 0 ? ip / gp : 0
    goal = ""
    if (n ~ /qd1$/ && n ~ /read/) goal = sprintf("nvme p99 %.0f us <= 250: %s", np, np <= 250 ? "met" : "MISSED")
    else if (n !~ /qd1$/) goal = sprintf("nvme/iscsi IOPS >= 1.3: %s", r1 >= 1.3 ? "met" : "MISSED")
    printf "%-22s %11.2fx %11.2fx %13.2fx %13.2fx  %s\n", n, r1, r2, l1, l2, goal }'
done
[ "$busy_runs" -eq 0 ] || echo "WARNING: in $busy_runs run(s) other processes used >25% of a core; rerun on an idle machine"
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
warn=$(grep -c -E ' (WARN|ERROR) ' "$work/serve.log" || true)
echo "tamp serve log: $warn WARN/ERROR lines${KEEP:+ (kept in $KEEP/serve.log)}"
grep -E ' (WARN|ERROR) ' "$work/serve.log" | head -5 || true
