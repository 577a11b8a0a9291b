#!/usr/bin/env bash
# A real single-node SLURM cluster on this machine, for tests/test_slurm.py.
#   tests/slurm/start_cluster.sh         install (Debian), configure, start; wait until idle
#   tests/slurm/start_cluster.sh stop    stop the daemons this script started
# Idempotent: a second start with everything running only re-checks the node. Needs root.
set -euo pipefail

STATE=/var/lib/aeflow-slurm
CONF_DIR=/etc/slurm
NODE=$(hostname -s)

stop() {
    for daemon in slurmd slurmctld munged; do
        pidfile="$STATE/$daemon.pid"
        if [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            kill "$(cat "$pidfile")" && echo "stopped $daemon"
        fi
        rm -f "$pidfile"
    done
}

if [[ ${1:-start} == stop ]]; then
    stop
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "start_cluster.sh needs root (apt-get, daemons)" >&2
    exit 2
fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v sinfo >/dev/null || ! command -v munged >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi

mkdir -p "$STATE" "$CONF_DIR" /var/spool/slurmctld /var/spool/slurmd /var/log/slurm \
    /run/munge /etc/munge
CPUS=$(nproc)
# Leave 1 GiB to the system; slurmd refuses a node that claims more than it has.
MEM_MB=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) - 1024 ))

cat > "$CONF_DIR/slurm.conf.new" <<CONF
ClusterName=aeflow-test
SlurmctldHost=$NODE
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
# Finished jobs stay visible to squeue for 10 minutes: the executor's status checks need it.
MinJobAge=600
# A job at its time limit (or cancelled) that ignores SIGTERM is killed 5 s later, not 30:
# the time-limit test's stopped training waits that long.
KillWait=5
ReturnToService=2
NodeName=$NODE CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONF

running() { [[ -f $STATE/$1.pid ]] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

if ! cmp -s "$CONF_DIR/slurm.conf.new" "$CONF_DIR/slurm.conf" 2>/dev/null; then
    mv "$CONF_DIR/slurm.conf.new" "$CONF_DIR/slurm.conf"
    stop  # a changed config needs fresh daemons
else
    rm "$CONF_DIR/slurm.conf.new"
fi

if ! running munged; then
    if [[ ! -s /etc/munge/munge.key ]]; then
        dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
    fi
    chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
    chmod 400 /etc/munge/munge.key
    runuser -u munge -- munged --force
    sleep 1
    pgrep -u munge -x munged | head -n 1 > "$STATE/munged.pid"
fi
running slurmctld || slurmctld
running slurmd || slurmd

for _ in $(seq 60); do
    state=$(sinfo -h -n "$NODE" -o %T 2>/dev/null || true)
    if [[ $state == idle* || $state == mixed* || $state == allocated* ]]; then
        echo "SLURM node $NODE is $state"
        exit 0
    fi
    if [[ $state == down* || $state == drain* ]]; then
        scontrol update NodeName="$NODE" State=RESUME 2>/dev/null || true
    fi
    sleep 1
done
echo "SLURM node $NODE did not become idle (state: ${state:-none}); see /var/log/slurm/" >&2
exit 1
