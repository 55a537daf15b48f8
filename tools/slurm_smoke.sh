#!/usr/bin/env bash
# Runs the documented Slurm job array (docs/slurm/tune.sbatch) on a real Slurm: installs
# Debian's slurm-wlm and munge, starts a single-node cluster on localhost (munged, slurmctld,
# slurmd; proctrack/linuxproc and task/none, so no cgroups are needed), submits an array of 3
# shards of a tiny `atb-gpu tune` grid, waits, merges them with `atb-gpu tune merge` and checks
# that the merged tuning.csv, best configuration and test evaluation equal an unsharded run's.
#
#   tools/slurm_smoke.sh            # as root (or with sudo); ATB_GPU=path/to/atb-gpu to skip the build
#
# Everything it starts is stopped on exit (by process id); its files are in a temporary folder
# (kept with KEEP=1). The tiny grid takes well under two minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

echo "== installing slurm-wlm and munge"
export DEBIAN_FRONTEND=noninteractive
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    as_root apt-get update -qq
    as_root apt-get install -y -qq slurm-wlm munge >/dev/null
fi

if [ -z "${ATB_GPU:-}" ]; then
    cargo build --locked --quiet
    ATB_GPU="$repo/target/debug/atb-gpu"
fi
ATB_GPU="$(realpath "$ATB_GPU")"
export ATB_GPU

work="$(mktemp -d /tmp/atb-slurm-smoke.XXXXXX)"
chmod 755 "$work"
pids=()
# Stops one process this script started and waits (up to 5 s) until it is gone.
stop() {
    as_root kill "$1" 2>/dev/null || return 0
    for _ in $(seq 50); do as_root kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
}
cleanup() {
    for pid_file in "$work/slurmd.pid" "$work/slurmctld.pid"; do
        if [ -s "$pid_file" ]; then stop "$(cat "$pid_file")"; fi
    done
    for pid in "${pids[@]}"; do stop "$pid"; done
    if [ -n "${munged_pid:-}" ]; then stop "$munged_pid"; fi
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else as_root rm -rf "$work" || true; fi
}
trap cleanup EXIT

echo "== munge"
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    if [ ! -s /etc/munge/munge.key ]; then
        as_root dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
    as_root chown munge:munge /etc/munge/munge.key
    as_root chmod 400 /etc/munge/munge.key
    as_root install -d -o munge -g munge -m 755 /run/munge
    munged_pid_file=/run/munge/atb-slurm-smoke.pid
    as_root runuser -u munge -- /usr/sbin/munged --pid-file="$munged_pid_file"
    for _ in $(seq 50); do [ -s "$munged_pid_file" ] && break; sleep 0.1; done
    munged_pid="$(cat "$munged_pid_file")"
    munge -n | unmunge >/dev/null
fi

echo "== a one-node Slurm cluster on localhost"
host="$(hostname -s)"
export SLURM_CONF="$work/slurm.conf"
mkdir -p "$work/state" "$work/spool" "$work/logs"
cat >"$SLURM_CONF" <<CONF
ClusterName=atbsmoke
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=smoke Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
as_root env SLURM_CONF="$SLURM_CONF" slurmctld -f "$SLURM_CONF"
as_root env SLURM_CONF="$SLURM_CONF" slurmd -f "$SLURM_CONF"
for _ in $(seq 100); do
    state="$(sinfo -h -n "$host" -o %t 2>/dev/null || true)"
    [ "$state" = idle ] && break
    sleep 0.2
done
if [ "$state" != idle ]; then
    echo "the node did not come up (state '$state'); logs:" >&2
    tail -n 20 "$work/slurmctld.log" "$work/slurmd.log" >&2 || true
    exit 1
fi
sinfo

# 4 configurations × 2 folds, 2 epochs each, on 30 days of the embedded data.
tiny=(BTCUSDT --model-type cnn_lstm --variant lightweight --days 30 --sequence-length 12
    --epochs 2 --folds 2 --grid dropout=0.2,0.3 --grid learning_rate=0.001,0.0005 --device cpu)

echo "== the documented job array: 3 shards (docs/slurm/tune.sbatch)"
started=$SECONDS
sbatch --parsable --wait --array=1-3 --cpus-per-task=1 --output="$work/logs/%A_%a.out" \
    --chdir="$work" docs/slurm/tune.sbatch "$work/shards" "${tiny[@]}" >"$work/job-id" &
sbatch_pid=$!
pids+=("$sbatch_pid")

echo "== the same grid unsharded, meanwhile"
"$ATB_GPU" tune "${tiny[@]}" --threads 1 --out "$work/whole" --models-dir "$work/models-whole" \
    >"$work/whole.log"
if ! wait "$sbatch_pid"; then
    echo "the job array failed; task logs:" >&2
    tail -n 20 "$work"/logs/*.out >&2 || true
    exit 1
fi
echo "job array $(cat "$work/job-id") done in $((SECONDS - started)) s"
grep -h "^atb-tune: shard" "$work"/logs/*.out

echo "== merge"
"$ATB_GPU" tune merge "$work/shards" --models-dir "$work/models-merged" --device cpu \
    --threads 1 | tail -n 12

cmp "$work/whole/tuning.csv" "$work/shards/tuning.csv"
python3 - "$work/whole/tuning.json" "$work/shards/tuning.json" <<'PY'
import json, sys
whole, merged = (json.load(open(p)) for p in sys.argv[1:])
for key in ["settings", "grid", "data_fingerprint", "configurations", "best", "test"]:
    assert whole[key] == merged[key], f"{key} differs between the unsharded and merged runs"
print("best configuration", merged["best"]["configuration"], "of", len(merged["configurations"]),
      "- test DM p-value", merged["test"]["diebold_mariano"]["p_value"])
PY
echo "slurm smoke: the merged job array equals the unsharded run (tuning.csv, best, test)"
