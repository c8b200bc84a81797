#!/usr/bin/env bash
# Our batched ImageClassifier against torchvision's GoogLeNet, same input shape, same thread count,
# same batch sizes, run in alternating order for a few rounds; prints images/s and the ratio
# ours/torchvision (median over rounds of the per-round ratio).
#
# Needs: a built model module (./mvnw -B -q install -DskipTests), Java 17+, and the Debian packages
# python3-torch and python3-torchvision (apt-get install python3-torch python3-torchvision).
#
# Settings (environment): THREADS (default: nproc; becomes OMP_NUM_THREADS and torch.set_num_threads),
# BATCH_SIZES (1,8,32), ROUNDS (2), WARMUP (1), BATCHES (3, timed batches at least),
# BENCH_SECONDS (2, timed seconds at least per batch size), EXECUTION (cached-graph),
# SIZE/CHANNELS/CLASSES (224/3/1000). On a shared machine run it as `nice -n 19 bench/predictor.sh`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
THREADS="${THREADS:-$(nproc)}"
BATCH_SIZES="${BATCH_SIZES:-1,8,32}"
ROUNDS="${ROUNDS:-2}"
WARMUP="${WARMUP:-1}"
BATCHES="${BATCHES:-3}"
BENCH_SECONDS="${BENCH_SECONDS:-2}"
EXECUTION="${EXECUTION:-cached-graph}"
SIZE="${SIZE:-224}"
CHANNELS="${CHANNELS:-3}"
CLASSES="${CLASSES:-1000}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

die() { echo "predictor.sh: $*" >&2; exit 1; }

command -v java >/dev/null || die "java not found (Java 17+ is needed)"
[[ -f cli/target/inception-streams.jar ]] \
  || die "not built: run ./mvnw -B -q -DskipTests -pl cli -am package first"

PYTHON=""
for candidate in /usr/bin/python3 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import torch, torchvision' 2>/dev/null; then
    PYTHON="$(command -v "$candidate")"
    break
  fi
done
[[ -n "$PYTHON" ]] || die "torch/torchvision not importable: install the Debian packages with
  apt-get update && apt-get install -y python3-torch python3-torchvision"

if [[ "$SIZE" != 224 || "$CHANNELS" != 3 || "$CLASSES" != 1000 ]]; then
  die "only the ImageNet shape 224x224x3/1000 is compared (ClassifierBenchmark's random network)"
fi

run_ours() {
  OMP_NUM_THREADS="$THREADS" java -Doffline=true -Dlogback.configurationFile="$ROOT/bench/logback.xml" \
    -jar cli/target/inception-streams.jar bench predictor \
    --bundle none --batch-sizes "$BATCH_SIZES" --execution "$EXECUTION" \
    --warmup "$WARMUP" --batches "$BATCHES" --seconds "$BENCH_SECONDS" --json \
    2>>"$WORK/stderr"
}

run_torch() {
  OMP_NUM_THREADS="$THREADS" "$PYTHON" "$ROOT/bench/peers/torchvision_predictor.py" \
    --threads "$THREADS" --batch-sizes "$BATCH_SIZES" --size "$SIZE" --channels "$CHANNELS" \
    --classes "$CLASSES" --warmup "$WARMUP" --batches "$BATCHES" --seconds "$BENCH_SECONDS" \
    2>>"$WORK/stderr"
}

# runs NAME: its report goes to stderr, its JSON line to $WORK/NAME.jsonl
measure() {
  "run_$1" > "$WORK/out" || die "$1 failed: $(tail -5 "$WORK/stderr")"
  cat "$WORK/out" >&2
  tail -n 1 "$WORK/out" >> "$WORK/$1.jsonl"
}

: > "$WORK/ours.jsonl"
: > "$WORK/torch.jsonl"
for ((round = 1; round <= ROUNDS; round++)); do
  echo "== round $round/$ROUNDS (threads $THREADS)" >&2
  if ((round % 2 == 1)); then
    measure ours
    measure torch
  else
    measure torch
    measure ours
  fi
done

"$PYTHON" - "$WORK/ours.jsonl" "$WORK/torch.jsonl" "$THREADS" <<'PY'
import json, statistics, sys
ours = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
torch = [json.loads(line) for line in open(sys.argv[2]) if line.strip()]
threads = sys.argv[3]
def by_batch(report, key):
    return {r["batch_size"]: r["images_per_second"] for r in report["results"] if key(r)}
ours_rounds = [by_batch(o, lambda r: r["input"] == "224x224x3") for o in ours]
torch_rounds = [by_batch(t, lambda r: True) for t in torch]
print(f"GoogLeNet 224x224x3/1000, random weights, {threads} threads, {len(ours_rounds)} rounds"
      f" (ours: {ours[0]['results'][0]['execution']}, MXNet {ours[0]['mxnet']}, {ours[0]['cores']} cores;"
      f" torch {torch[0]['torch']})")
print(f"{'batch':>5} {'ours img/s':>11} {'torchvision img/s':>18} {'ours/torchvision':>17} {'per-round ratios'}")
summary = []
for b in sorted(ours_rounds[0]):
    o = [r[b] for r in ours_rounds]
    t = [r[b] for r in torch_rounds]
    ratios = [x / y for x, y in zip(o, t)]
    summary.append({"batch_size": b, "ours": statistics.median(o), "torchvision": statistics.median(t),
                    "ratio": statistics.median(ratios), "ratios": ratios})
    print(f"{b:>5} {statistics.median(o):>11.2f} {statistics.median(t):>18.2f} "
          f"{statistics.median(ratios):>16.2f}x  {' '.join(f'{r:.2f}' for r in ratios)}")
print(json.dumps({"tool": "predictor.sh", "threads": int(threads), "results": summary},
                 separators=(",", ":")))
PY
