#!/usr/bin/env bash
# Side-by-side CPU benchmark of ViT-B/16 only (fp32, random weights, 224x224, batch 1 and 8):
# ONNX Runtime C#, PyTorch CPU and HipVision. Kept for compatibility; it is
# bench/cpu_models.sh with MODELS=vit_b_16 (every knob of cpu_models.sh applies:
# THREADS, BATCHES, ITERATIONS, WARMUP, ROUNDS, ENGINES, HIPVISION, CPUSET, CHECK, PYTHON).
#
#   bash bench/cpu_vit.sh
#   BATCHES="1 8 32" ROUNDS=3 bash bench/cpu_vit.sh
set -uo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export MODELS=vit_b_16 BATCHES="${BATCHES:-1 8}"
export TITLE="${TITLE:-ViT-B/16 fp32, 224×224, ${THREADS:-2} threads, CPU}"
unset PLAN
exec bash "$BENCH_DIR/cpu_models.sh" "$@"
