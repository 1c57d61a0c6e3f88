#!/usr/bin/env bash
# gpu_validate.sh: the whole GPU validation of docs/gpu-validation.md in one run, sized for one short device lease
# (the NVIDIA H200 machine: CUDA, PyTorch and transformers, no .NET). Every step has its own time limit and the whole
# run a budget (HV_KIT_BUDGET_S, default 470 s); a step that no longer fits is recorded as skipped, never left hanging.
#
#   1. the native library for NVIDIA (HV_GPU=nvidia, sm_90, cuBLAS and cuDNN when found; without them if that fails),
#      in build/nvidia-kit
#   2. its CTest suite on the GPU
#   3. hipvision verify --backend hip at fp32, fp16, bf16 (ops + tiny fixtures against float64 and transformers)
#   4. cold and warm start: EfficientNet-B7 batch 1 benched twice on a fresh tuning cache (first process tunes, second reads)
#   5. bench/torch_gpu.py: ViT-B/16 and EfficientNet-B7@600, batch 1 and 64, each precision, in PyTorch eager with the
#      same hv-synth-v2 weights
#   6. hipvision bench --backend hip --json: the same matrix, fp32 first
#   7. bench/gpu_summary.py: the side-by-side tables
# HV_KIT_STEPS picks steps (default build,ctest,verify,coldwarm,torch,bench): on a machine still warm from a first call,
# HV_KIT_STEPS=bench finishes what the budget cut, reusing build/nvidia-kit.
# Writes under $OUT (default ./gpu-out): kit.log (every command and its output), results.jsonl (one record per step or
# measurement), summary.md (the tables for docs/perf.md and docs/gpu-validation.md).
#
# The hipvision CLI is Native AOT, published where .NET is and carried along:
#   dotnet publish src/HipVision.Cli -c Release -r linux-x64 -p:PublishAot=true -o .gpu/cli
# HIPVISION_CLI overrides its path (default .gpu/cli/hipvision). Without it, steps 3-5 are recorded as skipped.
# Dry run elsewhere (flow only): HV_KIT_GPU=emulator HV_KIT_MODELS=... HV_KIT_BATCHES=1 HV_KIT_TORCH_DEVICE=cpu.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
OUT=${OUT:-$ROOT/gpu-out}
mkdir -p "$OUT"
LOG=$OUT/kit.log
RESULTS=$OUT/results.jsonl
: >"$LOG"
: >"$RESULTS"
BUDGET=${HV_KIT_BUDGET_S:-470}
JOBS=${HV_KIT_JOBS:-$(nproc)}
CLI=${HIPVISION_CLI:-$ROOT/.gpu/cli/hipvision}
BUILD=$ROOT/build/${HV_KIT_GPU:-nvidia}-kit
PY=${PYTHON:-python3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

log() { printf '%s\n' "$*" | tee -a "$LOG"; }

# One JSON record per step: {"step", "rc", "seconds", "result"?: the step's own JSON output}.
record() {  # record STEP RC SECONDS [FILE_WITH_JSON]
    "$PY" - "$@" >>"$RESULTS" <<'PY'
import json, sys
step, rc, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
out = {"step": step, "rc": rc, "seconds": round(seconds, 1)}
if rc in (124, 137):
    out["status"] = "timed out"
elif rc == 200:
    out["status"] = "skipped (out of budget)"
elif rc == 201:
    out["status"] = "skipped (no hipvision CLI)"
if len(sys.argv) > 4:
    text = open(sys.argv[4]).read().strip()
    try:
        out["result"] = json.loads(text)
    except ValueError:
        try:   # JSON lines (torch_gpu.py): a list
            out["result"] = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError:
            out["output_tail"] = text[-2000:]
print(json.dumps(out))
PY
}

# step NAME LIMIT_S CMD...: runs CMD under `timeout`, never past the budget; stdout to $WORK/NAME.out (and the log).
step() {
    local name=$1 limit=$2
    shift 2
    local left=$((BUDGET - SECONDS))
    ((limit > left - 5)) && limit=$((left - 5))
    if ((limit < 10)); then
        log "== $name: skipped, ${left}s of the budget left"
        record "$name" 200 0
        return 200
    fi
    log "== $name (limit ${limit}s): $*"
    local start=$SECONDS rc
    timeout -k 5 "$limit" "$@" >"$WORK/$name.out" 2>>"$LOG"
    rc=$?
    cat "$WORK/$name.out" >>"$LOG"
    log "== $name: rc $rc after $((SECONDS - start))s"
    record "$name" "$rc" $((SECONDS - start)) "$WORK/$name.out"
    return $rc
}

log "gpu_validate.sh at $(git rev-parse --short HEAD 2>/dev/null || echo '?'), budget ${BUDGET}s, $(date -u +%FT%TZ)"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv >>"$LOG" 2>&1 || log "nvidia-smi failed"
command -v nvcc >/dev/null && nvcc --version | tail -2 >>"$LOG"

# 1. Build. cuDNN comes from the toolkit or PyTorch's wheel (nvidia-cudnn-*: headers and libcudnn.so.9).
CUDNN_ROOT=${CUDNN_ROOT:-$("$PY" -c 'import nvidia.cudnn as c; print(list(c.__path__)[0])' 2>/dev/null)}
if [[ -z "$CUDNN_ROOT" ]]; then   # another wheel layout: the directory above include/cudnn.h in site-packages
    SITE=$("$PY" -c 'import site; print(site.getsitepackages()[0])' 2>/dev/null)
    HDR=$([[ -n "$SITE" ]] && find "$SITE/nvidia" -name cudnn.h -path '*include*' 2>/dev/null | head -1)
    [[ -n "$HDR" ]] && CUDNN_ROOT=$(dirname "$(dirname "$HDR")")
fi
log "cuDNN root: ${CUDNN_ROOT:-none found, CMake searches the CUDA toolkit directories too}"
[[ -n "$CUDNN_ROOT" ]] && export LD_LIBRARY_PATH=$CUDNN_ROOT/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
KIT_GPU=${HV_KIT_GPU:-nvidia}   # emulator: a dry run of the kit's flow on a machine without a GPU (slow kernels)
ARCH_FLAGS=()
[[ $KIT_GPU == nvidia ]] && ARCH_FLAGS=(-DCMAKE_CUDA_ARCHITECTURES=90)
GEN=()
command -v ninja >/dev/null && GEN=(-G Ninja)
STEPS=${HV_KIT_STEPS:-build,ctest,verify,coldwarm,torch,bench}
want() { [[ ",$STEPS," == *",$1,"* ]]; }
log "steps: $STEPS"

# Kept between runs on one machine (a rerun builds incrementally); removed only when the first configuration fails.
BUILT=1
VENDOR="as configured before"
if ! want build; then
    [[ -e $BUILD/native/libhipvision.so ]] && BUILT=0
    log "== build: not asked for; $BUILD/native/libhipvision.so $([[ $BUILT == 0 ]] && echo is there || echo is missing)"
elif step configure 90 cmake -S . -B "$BUILD" "${GEN[@]}" -DHV_GPU="$KIT_GPU" -DCMAKE_BUILD_TYPE=Release "${ARCH_FLAGS[@]}" \
    -DHV_WITH_CUBLAS=ON ${CUDNN_ROOT:+-DCUDNN_ROOT=$CUDNN_ROOT}; then
    VENDOR="cuBLAS, cuDNN when found"
else
    rm -rf "$BUILD"
    step configure_plain 60 cmake -S . -B "$BUILD" "${GEN[@]}" -DHV_GPU="$KIT_GPU" -DCMAKE_BUILD_TYPE=Release \
        "${ARCH_FLAGS[@]}" -DHV_WITH_CUBLAS=OFF -DHV_WITH_CUDNN=OFF
    VENDOR="none (HipVision's own GEMM and convolution kernels)"
fi
if want build; then
    step build 300 cmake --build "$BUILD" -j "$JOBS"
    BUILT=$?
fi
log "vendor libraries: $VENDOR ($(grep -E '^HV_WITH_(CUBLAS|CUDNN):' "$BUILD/CMakeCache.txt" 2>/dev/null | tr '\n' ' '))"

# 2. CTest on the device.
((BUILT == 0)) && want ctest && step ctest 120 ctest --test-dir "$BUILD" --output-on-failure -j 4

# 3-5. The CLI against this library.
export HIPVISION_NATIVE_PATH=$BUILD/native
have_cli() { [[ -x "$CLI" && $BUILT -eq 0 ]]; }
cli_step() {  # cli_step NAME LIMIT ARGS...: a CLI step, or a record saying why it did not run
    local name=$1
    if ! have_cli; then
        log "== $name: skipped (no CLI at $CLI, or the build failed)"
        record "$name" 201 0
        return 201
    fi
    step "$@"
}
want verify && for p in fp32 fp16 bf16; do
    cli_step "verify_$p" 90 "$CLI" verify --backend hip --precision "$p" --json --fixtures tests/fixtures
done

export HIPVISION_TUNING_CACHE=$WORK/tuning
COLDWARM=${HV_KIT_COLDWARM_MODEL:-efficientnet-b7}
want coldwarm && for start in first second; do   # first: nothing cached (cold); second: a new process reads the file (warm)
    cli_step "coldwarm_${start}" 90 "$CLI" bench --arch "$COLDWARM" --synthetic 1 --batch 1 --iterations 3 \
        --warmup 1 --backend hip --json
done
ls -l "$HIPVISION_TUNING_CACHE" >>"$LOG" 2>&1

MODELS=${HV_KIT_MODELS:-vit-base-patch16-224 efficientnet-b7}
BATCHES=${HV_KIT_BATCHES:-1 64}

# 5. PyTorch eager, same GPU, same weights and inputs (before HipVision's matrix: what the budget cuts is then a
# HipVision row, listed as skipped, which a second call with HV_KIT_STEPS=bench completes).
# shellcheck disable=SC2086  # the lists split on purpose
want torch && step torch 150 "$PY" bench/torch_gpu.py --model $MODELS --batch $BATCHES \
    --precision fp32 fp16 bf16 --iterations 20 --warmup 3 --device "${HV_KIT_TORCH_DEVICE:-cuda}"

# 6. HipVision, fp32 first.
if want bench; then
    for p in fp32 fp16 bf16; do
        for batch in $BATCHES; do
            for model in $MODELS; do
                iters=20
                ((batch > 1)) && iters=5
                cli_step "bench_${model}_b${batch}_${p}" 75 "$CLI" bench --arch "$model" --synthetic 1 --batch "$batch" \
                    --iterations "$iters" --warmup 2 --backend hip --precision "$p" --json
            done
        done
    done
fi

# 7. Tables.
"$PY" bench/gpu_summary.py "$RESULTS" >"$OUT/summary.md" 2>>"$LOG" || log "gpu_summary.py failed"
log "done in ${SECONDS}s; results: $RESULTS, tables: $OUT/summary.md"
