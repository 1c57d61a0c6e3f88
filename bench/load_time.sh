#!/usr/bin/env bash
# Model load time, Hugging Face directory vs files written by `hipvision convert` (fp32, fp16, bf16), of one model.
# "load" is what `hipvision bench` reports as model load: VisionModel.Load up to a usable model (read and map the
# weights, build the graph, compile the batch-1 plan, which packs the GEMM weights), wall and CPU time (all threads;
# steadier on a busy machine). The forms run interleaved,
# ROUNDS times after one untimed round (so every file is in the page cache); the table shows median, min and max.
#
#   bash bench/load_time.sh /tmp/vit-synth          # writes /tmp/vit-synth-{fp32,fp16,bf16}.safetensors first
#   ROUNDS=9 THREADS=2 bash bench/load_time.sh DIR
set -euo pipefail
DIR="${1:?usage: bench/load_time.sh MODEL_DIR}"
ROUNDS="${ROUNDS:-5}"
THREADS="${THREADS:-2}"
HV="${HIPVISION:-dotnet src/HipVision.Cli/bin/Release/net10.0/hipvision.dll}"
FORMS=("$DIR")
for p in fp32 fp16 bf16; do
  $HV convert "$DIR" --output "$DIR-$p.safetensors" --precision "$p" >/dev/null
  FORMS+=("$DIR-$p.safetensors")
done
RESULTS="$(mktemp)"
trap 'rm -f "$RESULTS"' EXIT
for round in $(seq 0 "$ROUNDS"); do
  for m in "${FORMS[@]}"; do
    json="$($HV bench --model "$m" --iterations 1 --warmup 0 --threads "$THREADS" --json)"
    [ "$round" -gt 0 ] && echo "$m $json" >> "$RESULTS"
  done
done
python3 - "$RESULTS" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, doc = line.split(" ", 1)
    d = json.loads(doc)
    rows.setdefault(name, []).append((d["load_ms"], d["load_cpu_ms"], d["peak_memory_bytes"]))
print("| model | runs | load median ms | min | max | load CPU median ms | min | peak RSS MiB (median) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for name, runs in rows.items():
    wall = [r[0] for r in runs]
    cpu = [r[1] for r in runs]
    rss = statistics.median(r[2] for r in runs) / 2**20
    print(f"| {name} | {len(runs)} | {statistics.median(wall):.0f} | {min(wall):.0f} | {max(wall):.0f} | {statistics.median(cpu):.0f} | {min(cpu):.0f} | {rss:.0f} |")
PY
