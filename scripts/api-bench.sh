#!/usr/bin/env bash
# The management API's list/get latency while the datapath runs a 4 KiB random-write load at full
# speed, and what the API polling costs that load — every figure from the same run, 127.0.0.1 only:
#   1. API alone:        ApiLatency (GET /api/v1/volumes and GET /api/v1/volumes/{id}, open loop
#                        at RATE requests/s) against an idle controller
#   2. writes alone:     BlockLoad randwrite 4 KiB QD$QD x $QUEUES queues over NVMe/TCP
#   3. both at once:     the same two, started together
# Goal (issue 5): API p99 < 50 ms during 3. The controller holds $VOLUMES volumes (so a list
# returns a realistic page) besides the one under load.
#
# Build first:  mvn -B -q -DskipTests package      (./tamp and perf/target/benchmarks.jar)
# Usage:        scripts/api-bench.sh
#   SECONDS_RUN=s (20)  WARMUP=s (5)  RATE=req/s (50)  QUEUES=n (2)  QD=n (32)  VOLUMES=n (50)
#   RANGE_MIB=n (1024)  KEEP=DIR keeps serve.log and the tools' outputs.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
TAMP="${TAMP:-$here/tamp}"
JAR="${JAR:-$here/perf/target/benchmarks.jar}"
SECONDS_RUN="${SECONDS_RUN:-20}"
WARMUP="${WARMUP:-5}"
RATE="${RATE:-50}"
QUEUES="${QUEUES:-2}"
QD="${QD:-32}"
VOLUMES="${VOLUMES:-50}"
RANGE_MIB="${RANGE_MIB:-1024}"
hostnqn=nqn.2026-11.io.tamp.bench:api-load
export TAMP_PASSWORD=api-bench-admin TAMP_ADMIN_PASSWORD=api-bench-admin

[ -f "$JAR" ] || { echo "no $JAR: build first (mvn -B -q -DskipTests package)" >&2; exit 2; }
command -v curl >/dev/null || { echo "needs curl" >&2; exit 2; }
work="$(mktemp -d)"
tamp_pid=""
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  if [ -n "$tamp_pid" ]; then kill -TERM "$tamp_pid" 2>/dev/null; wait "$tamp_pid" 2>/dev/null; fi
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$work"/*.log "$KEEP"/ 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$TAMP" serve --data "$work/data" --devices 2 --device-gib 8 --bind 127.0.0.1 --iscsi-port -1 --nvme-port 0 \
  --http-port 0 --http-insecure --volume bench:4G --map "bench:$hostnqn:0" > "$work/serve.log" 2>&1 &
tamp_pid=$!
nvme_port=""; api=""
for _ in $(seq 1 120); do
  nvme_port=$(grep -o 'NVMe/TCP port 127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$' || true)
  api=$(grep -o 'management API http://127.0.0.1:[0-9]*' "$work/serve.log" | grep -o 'http://.*' || true)
  [ -n "$nvme_port" ] && [ -n "$api" ] && grep -q "tamp serving" "$work/serve.log" && break
  kill -0 "$tamp_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.5
done
[ -n "$nvme_port" ] && [ -n "$api" ] || { echo "serve did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
nqn=$(grep -o 'NVMe/TCP port 127.0.0.1:[0-9]* subsystem [^ ]*' "$work/serve.log" | awk '{print $NF}')

token=$(curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$TAMP_PASSWORD\"}" \
  "$api/api/v1/login" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
for i in $(seq 1 "$VOLUMES"); do
  curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"name\":\"vol-$i\",\"size_bytes\":1073741824,\"description\":\"api bench\"}" "$api/api/v1/volumes"
done

json() { sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p"; }
api_load() { # label
  java -cp "$JAR" io.tamp.perf.api.ApiLatency --url "$api" --seconds "$SECONDS_RUN" --warmup "$WARMUP" \
    --rate "$RATE" --label "$1" > "$work/api-$1.log" 2>&1
}
write_load() { # label
  java -Xmx1g -cp "$JAR" io.tamp.perf.load.BlockLoad --proto nvme --port "$nvme_port" --target "$nqn" \
    --initiator "$hostnqn" --nsid 1 --rw randwrite --bs 4096 --qd "$QD" --queues "$QUEUES" \
    --seconds "$SECONDS_RUN" --warmup "$WARMUP" --range-mib "$RANGE_MIB" --label "$1" > "$work/write-$1.log" 2>&1
}

echo "tamp $(git -C "$here" describe --always --dirty 2>/dev/null) API $api, NVMe/TCP 127.0.0.1:$nvme_port;" \
  "${SECONDS_RUN}s runs after ${WARMUP}s warm-up, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "1/3 API alone" >&2
api_load idle
sleep 2
echo "2/3 writes alone" >&2
write_load alone
sleep 2
echo "3/3 API during writes" >&2
write_load loaded & pids+=($!)
api_load loaded
wait "${pids[@]}"; pids=()

a0=$(grep '^RESULT' "$work/api-idle.log"); a1=$(grep '^RESULT' "$work/api-loaded.log")
w0=$(grep '^RESULT' "$work/write-alone.log"); w1=$(grep '^RESULT' "$work/write-loaded.log")
printf '\n%-28s %9s %9s %9s %9s %7s\n' run p50_ms p99_ms p99.9_ms max_ms errors
for r in "API idle|$a0" "API during randwrite|$a1"; do
  IFS='|' read -r n l <<< "$r"
  printf '%-28s %9.2f %9.2f %9.2f %9.2f %7d\n' "$n" "$(json p50_ms <<< "$l")" "$(json p99_ms <<< "$l")" \
    "$(json p999_ms <<< "$l")" "$(json max_ms <<< "$l")" "$(json errors <<< "$l")"
done
printf '\n%-28s %9s %9s %9s\n' run IOPS p50_us p99_us
for r in "randwrite alone|$w0" "randwrite during API|$w1"; do
  IFS='|' read -r n l <<< "$r"
  printf '%-28s %9.0f %9.1f %9.1f\n' "$n" "$(json iops <<< "$l")" "$(json p50_us <<< "$l")" "$(json p99_us <<< "$l")"
done
awk -v p="$(json p99_ms <<< "$a1")" -v i0="$(json iops <<< "$w0")" -v i1="$(json iops <<< "$w1")" 'BEGIN {
  ratio = (i0 > 0) ? i1 / i0 : 0; verdict = (p < 50) ? "met" : "MISSED"
  printf "\nAPI p99 under write load %.2f ms < 50 ms: %s; randwrite IOPS with API polling / alone: %.2fx\n",
    p, verdict, ratio }'
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
warn=$(grep -c -E ' (WARN|ERROR) ' "$work/serve.log" || true)
echo "tamp serve log: $warn WARN/ERROR lines"
