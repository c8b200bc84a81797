#!/usr/bin/env bash
# Same-run A/B of MXNet threading and engine environment variables for `inception-streams bench predictor`:
# for each setting, runs baseline and setting in alternating processes (ROUNDS times each) and
# prints the median ratio setting/baseline of images/s at each batch size.
#
# Needs the built jar (./mvnw -B -q -DskipTests -pl cli -am package). Run it as `nice -n 19 bench/mxnet_env.sh`
# on a shared machine. Settings: THREADS (nproc), BATCH_SIZES (1,8), ROUNDS (2), EXECUTION
# (cached-graph), SETTINGS (a ;-separated list of space-separated VAR=value sets). MXNet from
# mxnet-native-mkl uses GNU OpenMP (libgomp), so KMP_* (Intel OpenMP) variables do nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
THREADS="${THREADS:-$(nproc)}"
BATCH_SIZES="${BATCH_SIZES:-1,8}"
ROUNDS="${ROUNDS:-2}"
EXECUTION="${EXECUTION:-cached-graph}"
SETTINGS="${SETTINGS:-OMP_NUM_THREADS=1;MXNET_ENGINE_TYPE=NaiveEngine;MXNET_CPU_WORKER_NTHREADS=$THREADS;OMP_WAIT_POLICY=PASSIVE;OMP_WAIT_POLICY=ACTIVE;OMP_PROC_BIND=true;MXNET_MKLDNN_ENABLED=0}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
[[ -f cli/target/inception-streams.jar ]] \
  || { echo "mxnet_env.sh: build first: ./mvnw -B -q -DskipTests -pl cli -am package" >&2; exit 1; }

run() { # run NAME [VAR=value...]
  local name="$1"; shift
  env OMP_NUM_THREADS="$THREADS" "$@" java -Doffline=true -Dlogback.configurationFile="$ROOT/bench/logback.xml" \
    -jar cli/target/inception-streams.jar bench predictor --bundle none \
    --batch-sizes "$BATCH_SIZES" --execution "$EXECUTION" --warmup 2 --batches 3 --seconds 2 --json \
    2>>"$WORK/stderr" | tail -n 1 | sed "s/^/$name\t/" >> "$WORK/runs.tsv"
}

IFS=';' read -ra LIST <<< "$SETTINGS"
for setting in "${LIST[@]}"; do
  read -ra VARS <<< "$setting"
  for ((round = 1; round <= ROUNDS; round++)); do
    echo "== $setting, round $round/$ROUNDS" >&2
    if ((round % 2 == 1)); then run baseline; run "$setting" "${VARS[@]}"; else run "$setting" "${VARS[@]}"; run baseline; fi
    echo "-- pair" >> "$WORK/runs.tsv"
  done
done

python3 - "$WORK/runs.tsv" "$THREADS" "$EXECUTION" <<'PY'
import json, statistics, sys
pairs, current = [], {}
for line in open(sys.argv[1]):
    if line.startswith("-- pair"):
        pairs.append(current); current = {}; continue
    name, report = line.rstrip("\n").split("\t", 1)
    current["baseline" if name == "baseline" else "setting"] = (name, json.loads(report))
ratios = {}
for pair in pairs:
    name, setting = pair["setting"]
    _, base = pair["baseline"]
    b = {r["batch_size"]: r["images_per_second"] for r in base["results"]}
    for r in setting["results"]:
        ratios.setdefault(name, {}).setdefault(r["batch_size"], []).append(r["images_per_second"] / b[r["batch_size"]])
print(f"setting vs baseline (OMP_NUM_THREADS={sys.argv[2]}, {sys.argv[3]}), images/s ratio, median of rounds [rounds]")
for name, by_batch in ratios.items():
    cells = "  ".join(f"batch {bs}: {statistics.median(v):.2f} [{' '.join(f'{x:.2f}' for x in v)}]" for bs, v in sorted(by_batch.items()))
    print(f"{name:<45} {cells}")
PY
