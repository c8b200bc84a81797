#!/usr/bin/env bash
# The service against the baselines a user would pick instead, in one run on this machine:
#
#   1. `inception-streams bench --json --peer-command "python3 bench/peers/python_pipeline.py"`:
#      our predictor alone, our pipeline on an in-process broker and registry, the naive
#      one-predict-per-record topology, our latency at half load, and the Python peer pipeline
#      (confluent-kafka + avro + Pillow + torchvision GoogLeNet) against the same broker, registry
#      and pre-produced images, timed the same way;
#   2. bench/peers/torchvision_predictor.py at the same input shape, class count, batch size and
#      thread count: torchvision's predictor alone;
#
# then prints the ratios against the goals of issue #6 and one JSON object on the last line.
#
# Needs: the launcher ./inception-streams (it builds its jar on first use), Java 17+,
# and the Debian packages python3-torch python3-torchvision python3-confluent-kafka python3-avro
# python3-pil python3-numpy (apt-get install ...; the scripts run /usr/bin/python3).
#
# Usage: bench/compare.sh [bench options...], e.g. bench/compare.sh --imagenet-shape
# Environment: THREADS (default: nproc; becomes OMP_NUM_THREADS and the peers' torch threads),
# BENCH (default: ./inception-streams bench), PYTHON (default: /usr/bin/python3).
# On a shared machine: nice -n 10 bench/compare.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
THREADS="${THREADS:-$(nproc)}"
PYTHON="${PYTHON:-/usr/bin/python3}"
read -r -a BENCH_CMD <<< "${BENCH:-./inception-streams bench}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

die() { echo "compare.sh: $*" >&2; exit 1; }

command -v java >/dev/null || die "java not found (Java 17+ is needed)"
[[ -x "${BENCH_CMD[0]}" ]] || command -v "${BENCH_CMD[0]}" >/dev/null \
  || die "${BENCH_CMD[0]} not found: build first with ./mvnw -B -q -DskipTests -pl cli -am package"
"$PYTHON" -c 'import torch, torchvision, confluent_kafka, avro, PIL, numpy' 2>/dev/null \
  || die "$PYTHON cannot import the peers' modules: install the Debian packages with
  apt-get update && apt-get install -y python3-torch python3-torchvision python3-confluent-kafka \\
    python3-avro python3-pil python3-numpy"

export OMP_NUM_THREADS="$THREADS"
echo "== bench (OMP_NUM_THREADS=$THREADS): ${BENCH_CMD[*]} --json --peer-command ... $*" >&2
"${BENCH_CMD[@]}" --json --peer-command "$PYTHON $ROOT/bench/peers/python_pipeline.py" "$@" \
  | tee "$WORK/bench.out"
tail -n 1 "$WORK/bench.out" > "$WORK/bench.json"

read -r SIZE HEIGHT CHANNELS CLASSES BATCH SECONDS < <("$PYTHON" - "$WORK/bench.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
w, h, c = b["input"].split("x")
print(w, h, c, b["classes"], b["batch_size"], max(3, min(10, round(b["seconds"] / 20))))
PY
)
[[ "$SIZE" == "$HEIGHT" ]] || die "torchvision_predictor.py measures square inputs only (${SIZE}x$HEIGHT)"

echo "== torchvision predictor: ${SIZE}x${SIZE}x$CHANNELS/$CLASSES, batch $BATCH, $THREADS threads" >&2
OMP_NUM_THREADS="$THREADS" "$PYTHON" "$ROOT/bench/peers/torchvision_predictor.py" \
  --threads "$THREADS" --batch-sizes "$BATCH" --size "$SIZE" --channels "$CHANNELS" \
  --classes "$CLASSES" --warmup 3 --seconds "$SECONDS" | tee "$WORK/torch.out" >&2
tail -n 1 "$WORK/torch.out" > "$WORK/torch.json"

"$PYTHON" - "$WORK/bench.json" "$WORK/torch.json" "$THREADS" <<'PY'
import datetime, json, os, sys
b = json.load(open(sys.argv[1]))
t = json.load(open(sys.argv[2]))
threads = int(sys.argv[3])
torch_img_s = t["results"][0]["images_per_second"]
load = os.getloadavg()[0]
rows = [
    # name, value, goal, higher is better
    ("pipeline / predictor (same batch)", b["pipeline_over_predictor"], 0.90, True),
    ("pipeline / naive (CPU)", b.get("pipeline_over_naive"), 1.3, True),
    ("our predictor / torchvision predictor", b["predictor_img_s"] / torch_img_s, 1.0, True),
    ("our pipeline / Python peer pipeline", b.get("pipeline_over_peer"), 1.0, True),
    ("p99 latency at half load (ms) vs bound", b.get("p99_ms"), b.get("p99_bound_ms"), False),
]
print()
print(f"compare.sh, {datetime.date.today()}: {b['model']} on {b['device']}, {b['cores']} cores, "
      f"{threads} threads, batch {b['batch_size']}, {b['partitions']} partitions, "
      f"{b['images']} images; load average {b['load_average_before']:.2f} -> {load:.2f}")
print(f"{'':<40} {'img/s':>9}")
for name, value in [("our predictor", b["predictor_img_s"]),
                    ("torchvision predictor", torch_img_s),
                    ("our pipeline", b["pipeline_img_s"]),
                    ("naive topology", b.get("naive_img_s")),
                    ("Python peer pipeline", b.get("peer_img_s"))]:
    print(f"{name:<40} {value if value is None else f'{value:9.1f}'}")
print(f"{'ratio':<40} {'value':>9} {'goal':>9}")
summary = {}
for name, value, goal, higher in rows:
    if value is None or goal is None:
        print(f"{name:<40} {'n/a':>9}")
        continue
    met = value >= goal if higher else value <= goal
    print(f"{name:<40} {value:9.2f} {('>= ' if higher else '<= ') + f'{goal:.2f}':>9}  "
          f"{'met' if met else 'NOT met'}")
    summary[name] = {"value": round(value, 4), "goal": round(goal, 4), "met": met}
print(json.dumps({
    "tool": "compare.sh", "date": str(datetime.date.today()), "cores": b["cores"],
    "threads": threads, "bench": b, "torchvision_predictor_img_s": torch_img_s,
    "predictor_over_torchvision": b["predictor_img_s"] / torch_img_s,
    "load_average_after": load, "goals": summary,
}, separators=(",", ":")))
PY
