#!/usr/bin/env bash
# Runs libiscsi's compliance suite (iscsi-test-cu, Debian package libiscsi-bin) against a fresh
# `tamp serve` on 127.0.0.1 and prints its "tests" summary line. Build first:
#   mvn -B -q -DskipTests package
# Usage: scripts/iscsi-compliance.sh [FAMILY]   (default ALL; e.g. SCSI.CompareAndWrite)
#   KEEP=DIR keeps serve.log and cu.log; CU_FLAGS=-V adds libiscsi's SCSI trace.
# The suite runs the same in IscsiComplianceTest, which also lists the libiscsi test defects
# (GetLBAStatus.UnmapSingle) that fail against any target reporting 4 KiB physical blocks.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
family="${1:-ALL}"
work="$(mktemp -d)"
i1=iqn.2026-11.io.tamp.compliance:one
i2=iqn.2026-11.io.tamp.compliance:two
"$here/tamp" serve --data "$work/data" --devices 2 --device-gib 4 --bind 127.0.0.1 --iscsi-port 0 --nvme-port -1 --http-port -1 \
  --volume v1:1G --map "v1:$i1:0" --map "v1:$i2:0" > "$work/serve.log" 2>&1 &
pid=$!
cleanup() {
  kill -TERM $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then cp "$work"/*.log "$KEEP"/; fi   # KEEP=DIR keeps serve.log and cu.log
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 120); do
  port=$(grep -o 'iSCSI portal 127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  kill -0 $pid 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.5
done
[ -n "$port" ] || { echo "serve did not open its portal" >&2; exit 1; }
set +e
iscsi-test-cu ${CU_FLAGS:-} --dataloss -i "$i1" --initiator-name-2 "$i2" -t "$family" \
  "iscsi://127.0.0.1:$port/iqn.2026-11.io.tamp:controller/0" > "$work/cu.log" 2>&1
rc=$?
set -e
# One line per failed test: Suite.Test and its first complaint.
awk '/^Suite: /{suite=$2} /^  Test: /{name=$2; why=$0; sub(/^.*\.\.\. */, "", why)}
     /FAILED$/ && name != "" {print "FAILED " suite "." name (why ~ /FAILED$/ ? "" : "  -- " why); name=""}' \
  "$work/cu.log"
# CUnit's run summary: "tests  TOTAL  RUN  PASSED  FAILED  INACTIVE"; not run = skipped.
awk '$1=="tests"{printf "%s passed, %s failed, %s skipped\n", $4, $5, $2-$3}' "$work/cu.log"
exit $rc
