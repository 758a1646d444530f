# Shared by scripts/iscsi-bench.sh and scripts/frontend-bench.sh: a tgt reference target on
# 127.0.0.1, free ports, and the CPU accounting the benchmark tables report. Sourced; uses $work.

# A TCP port nothing on this machine listens on.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( (RANDOM % 30000) + 20000 ))
    [ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ] && { echo "$p"; return 0; }
  done
  return 1
}

# Starts tgtd with its own control port (a system tgtd is left alone) on a free portal port, with
# target $1 (an IQN) and a 4 GiB sparse file LUN 1 open to every initiator.
# Sets tgt_ctl, tgt_port and tgt_pid.
start_tgt() {
  local tgt_iqn=$1
  for _ in $(seq 1 50); do
    tgt_ctl=$(( (RANDOM % 22000) + 10000 ))   # tgtd takes at most 32767
    tgtadm -C "$tgt_ctl" --op show --mode sys >/dev/null 2>&1 || break   # nobody answers there
  done
  tgt_port=$(free_port)
  truncate -s 4G "$work/tgt.img"
  tgtd -f -C "$tgt_ctl" --iscsi "portal=127.0.0.1:$tgt_port" > "$work/tgtd.log" 2>&1 &
  tgt_pid=$!
  for _ in $(seq 1 40); do
    tgtadm -C "$tgt_ctl" --op show --mode sys >/dev/null 2>&1 && break
    kill -0 "$tgt_pid" 2>/dev/null || { cat "$work/tgtd.log" >&2; exit 1; }
    sleep 0.25
  done
  tgtadm -C "$tgt_ctl" --lld iscsi --op new --mode target --tid 1 -T "$tgt_iqn"
  tgtadm -C "$tgt_ctl" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$work/tgt.img"
  tgtadm -C "$tgt_ctl" --lld iscsi --op bind --mode target --tid 1 -I ALL
}

# tgtd ignores SIGTERM while it has targets: take them down through its control port first.
stop_tgt() {
  tgtadm -C "$tgt_ctl" --op update --mode sys --name State --value offline >/dev/null 2>&1
  tgtadm -C "$tgt_ctl" --lld iscsi --op delete --mode target --tid 1 --force >/dev/null 2>&1
  tgtadm -C "$tgt_ctl" --op delete --mode system >/dev/null 2>&1
  for _ in $(seq 1 20); do kill -0 "$tgt_pid" 2>/dev/null || break; sleep 0.25; done
  kill -TERM "$tgt_pid" 2>/dev/null; sleep 0.5; kill -KILL "$tgt_pid" 2>/dev/null
  wait "$tgt_pid" 2>/dev/null
}

# CPU time (clock ticks, user+system, all threads) a process has used so far.
ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }
# CPU time (clock ticks) the machine spent in processes so far: user, nice, system, steal; irq and
# softirq time (loopback TCP is mostly softirq) is charged to no process, so it is left out.
busy() { awk '$1=="cpu" {print $2 + $3 + $4 + $9}' /proc/stat; }
