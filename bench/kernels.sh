#!/usr/bin/env bash
# Kernel micro-benchmarks (bench/KernelBench): SGEMM GFLOP/s at the ViT-B/16 shapes (docs/perf.md, "SGEMM alone")
# and the cost of the fused non-finite check in the F32 weight conversion (docs/fuzzing.md). Builds Release once,
# then runs the built program, so no build or JIT of the build tools lands in a timed section. Arguments pass through.
#
#   bash bench/kernels.sh                       # both
#   bash bench/kernels.sh sgemm                 # or: weights-check
#   bash bench/kernels.sh sgemm --repeats 5     # quicker smoke run
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dotnet build -c Release --nologo -v quiet "$BENCH_DIR/KernelBench/KernelBench.csproj" >&2
exec dotnet "$BENCH_DIR/KernelBench/bin/Release/net10.0/kernelbench.dll" "$@"
