#!/usr/bin/env bash
# Starts the classifier. Arguments are the command line's (default: run).
#
# MXNet sizes its OpenMP pool from OMP_NUM_THREADS; left unset it uses every core of the host, not
# the container's CPU limit, and on a shared host that oversubscription costs far more than it
# gains. Unless the caller set it, it is the container's CPU limit (cgroup v2 or v1 quota, rounded
# up), else the CPUs this process may run on.
set -euo pipefail

cpu_limit() {
    local quota period
    if [[ -r /sys/fs/cgroup/cpu.max ]]; then
        read -r quota period </sys/fs/cgroup/cpu.max
    elif [[ -r /sys/fs/cgroup/cpu/cpu.cfs_quota_us && -r /sys/fs/cgroup/cpu/cpu.cfs_period_us ]]; then
        quota="$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)"
        period="$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"
    fi
    if [[ "${quota:-max}" =~ ^[0-9]+$ && "${period:-0}" =~ ^[1-9][0-9]*$ ]]; then
        echo $(((quota + period - 1) / period))
    fi
}

if [[ -z "${OMP_NUM_THREADS:-}" ]]; then
    threads="$(nproc)"
    limit="$(cpu_limit)"
    if [[ -n "${limit}" ]] && ((limit < threads)); then
        threads="${limit}"
    fi
    export OMP_NUM_THREADS="${threads}"
fi

# INCEPTION_JAVA_OPTS (JVM options, as for the repository's ./inception-streams launcher) is split
# on spaces on purpose: one variable for several flags.
# shellcheck disable=SC2086
exec java ${INCEPTION_JAVA_OPTS:-} -jar /opt/inception-streams/inception-streams.jar "$@"
