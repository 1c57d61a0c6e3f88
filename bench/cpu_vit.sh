#!/usr/bin/env bash
# Side-by-side CPU benchmark of ViT-B/16 (fp32, random weights, 224x224):
# ONNX Runtime C# (bench/OrtBench), PyTorch CPU (bench/torch_cpu.py) and HipVision,
# for each batch size, in one invocation, engines interleaved. Prints a Markdown
# table plus machine info; raw JSON lines go to bench/out/cpu_vit-<stamp>.jsonl.
#
#   bash bench/cpu_vit.sh                      # defaults below
#   THREADS=2 BATCHES="1 8" ROUNDS=3 bash bench/cpu_vit.sh
#   HIPVISION=./publish/hipvision bash bench/cpu_vit.sh
#
# Environment:
#   THREADS      intra-op threads for every engine (default 2)
#   BATCHES      batch sizes (default "1 8")
#   ITERATIONS   timed iterations per run; default 20 at batch 1, 10 at larger batches
#   WARMUP       warm-up iterations per run (default 3)
#   ROUNDS       how many times the whole engine cycle is repeated per batch (default 1);
#                the table shows the median over rounds
#   ENGINES      subset/order of "onnxruntime pytorch hipvision" (default all three)
#   HIPVISION    command that runs the HipVision CLI; default builds src/HipVision.Cli
#                in Release once and uses `dotnet run --no-build -c Release --project src/HipVision.Cli --`
#   CPUSET       optional taskset CPU list (e.g. "0-1") applied to every engine
#   CHECK        1 (default): before timing, run ONNX Runtime and PyTorch once on a constant
#                input and compare the first logits (proves the ONNX file is the same model)
#   PYTHON       interpreter with Debian's torch (default /usr/bin/python3, NOT a pyenv shim)
set -uo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
cd "$REPO"

THREADS="${THREADS:-2}"
BATCHES="${BATCHES:-1 8}"
WARMUP="${WARMUP:-3}"
ROUNDS="${ROUNDS:-1}"
ENGINES="${ENGINES:-onnxruntime pytorch hipvision}"
PYTHON="${PYTHON:-/usr/bin/python3}"
MODEL="$BENCH_DIR/models/vit_b_16.onnx"
OUT_DIR="$BENCH_DIR/out"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
JSONL="$OUT_DIR/cpu_vit-$STAMP.jsonl"
LOG="$OUT_DIR/cpu_vit-$STAMP.log"
mkdir -p "$OUT_DIR"
: > "$JSONL"

# Pin every thread pool we know of to THREADS.
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"
export GOTO_NUM_THREADS="$THREADS" VECLIB_MAXIMUM_THREADS="$THREADS" NUMEXPR_NUM_THREADS="$THREADS"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_TieredPGO=1

PIN=()
if [[ -n "${CPUSET:-}" ]]; then PIN=(taskset -c "$CPUSET"); fi

say() { echo "$*" >&2; echo "$*" >> "$LOG"; }

iters_for() { if [[ -n "${ITERATIONS:-}" ]]; then echo "$ITERATIONS"; elif [[ "$1" -le 1 ]]; then echo 20; else echo 10; fi; }

# --- preparation (not timed) -------------------------------------------------
if [[ " $ENGINES " == *" onnxruntime "* || " $ENGINES " == *" pytorch "* ]]; then
  if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
    say "error: $PYTHON cannot import torch; run: bash bench/setup.sh"; exit 1
  fi
fi
if [[ " $ENGINES " == *" onnxruntime "* ]]; then
  if [[ ! -s "$MODEL" ]]; then
    say "exporting ONNX model to $MODEL ..."
    "$PYTHON" "$BENCH_DIR/export_onnx.py" --out "$MODEL" >> "$LOG" 2>&1 || { say "error: ONNX export failed (see $LOG)"; exit 1; }
  fi
  say "building bench/OrtBench (Release) ..."
  dotnet build -c Release "$BENCH_DIR/OrtBench/OrtBench.csproj" >> "$LOG" 2>&1 || { say "error: OrtBench build failed (see $LOG)"; exit 1; }
  ORT_CMD=(dotnet "$BENCH_DIR/OrtBench/bin/Release/net10.0/ortbench.dll")
fi
HIPVISION_OK=1
if [[ " $ENGINES " == *" hipvision "* ]]; then
  if [[ -n "${HIPVISION:-}" ]]; then
    read -r -a HIP_CMD <<< "$HIPVISION"
  else
    say "building src/HipVision.Cli (Release) ..."
    if dotnet build -c Release src/HipVision.Cli/HipVision.Cli.csproj >> "$LOG" 2>&1; then
      HIP_CMD=(dotnet run --no-build -c Release --project src/HipVision.Cli --)
    else
      say "HipVision: build failed (see $LOG); HipVision rows will be missing"
      HIPVISION_OK=0
    fi
  fi
fi

# --- one engine run -> one JSON line in $JSONL ---------------------------------
record_error() {  # engine batch message
  "$PYTHON" -c 'import json,sys; print(json.dumps({"engine":sys.argv[1],"batch":int(sys.argv[2]),"error":sys.argv[3]}))' "$1" "$2" "$3" >> "$JSONL"
}

run_engine() {  # engine batch iterations
  local engine="$1" b="$2" k="$3" out rc json
  local cmd=()
  case "$engine" in
    onnxruntime) cmd=("${ORT_CMD[@]}" --model "$MODEL" --batch "$b" --threads "$THREADS" --iterations "$k" --warmup "$WARMUP") ;;
    pytorch)     cmd=("$PYTHON" "$BENCH_DIR/torch_cpu.py" --batch "$b" --threads "$THREADS" --iterations "$k" --warmup "$WARMUP") ;;
    hipvision)
      if [[ "$HIPVISION_OK" != 1 ]]; then record_error hipvision "$b" "engine not built"; return; fi
      cmd=("${HIP_CMD[@]}" bench --arch vit-base-patch16-224 --synthetic 1 --batch "$b" --iterations "$k" --threads "$THREADS" --json) ;;
    *) say "unknown engine $engine"; return ;;
  esac
  say "[$(date -u +%H:%M:%S)] $engine batch=$b iterations=$k: ${cmd[*]}"
  out="$("${PIN[@]}" "${cmd[@]}" 2>>"$LOG")"; rc=$?
  echo "$out" >> "$LOG"
  json="$(printf '%s\n' "$out" | grep -E '^\{' | tail -n 1)"
  if [[ $rc -ne 0 || -z "$json" ]]; then
    say "  $engine batch=$b FAILED (exit $rc, no JSON line) - going on"
    [[ "$engine" == hipvision ]] && say "  (HipVision's bench command is probably not implemented yet)"
    record_error "$engine" "$b" "exit $rc, no JSON"
    return
  fi
  # Normalise: make sure engine/batch are present (HipVision may name fields its own way).
  "$PYTHON" -c 'import json,sys; r=json.loads(sys.argv[1]); r.setdefault("engine",sys.argv[2]); r.setdefault("batch",int(sys.argv[3])); r.setdefault("threads",int(sys.argv[4])); print(json.dumps(r))' \
    "$json" "$engine" "$b" "$THREADS" >> "$JSONL"
  say "  $json"
}

CHECK_LINE="not run"
if [[ "${CHECK:-1}" == 1 && " $ENGINES " == *" onnxruntime "* && " $ENGINES " == *" pytorch "* ]]; then
  say "cross-check: ONNX Runtime vs PyTorch logits on a constant input ..."
  c_ort="$("${ORT_CMD[@]}" --model "$MODEL" --batch 1 --threads "$THREADS" --iterations 1 --warmup 1 --fill 0.5 2>>"$LOG" | grep -E '^\{' | tail -n1)"
  c_pt="$("$PYTHON" "$BENCH_DIR/torch_cpu.py" --batch 1 --threads "$THREADS" --iterations 1 --warmup 1 --fill 0.5 2>>"$LOG" | grep -E '^\{' | tail -n1)"
  CHECK_LINE="$("$PYTHON" -c '
import json,sys
try:
    a=json.loads(sys.argv[1])["logits_head"]; b=json.loads(sys.argv[2])["logits_head"]
    d=max(abs(x-y) for x,y in zip(a,b))
    print("%s: max |ORT - PyTorch| over first logits = %.2g (ORT %s, PyTorch %s)" % ("OK" if d < 1e-3 else "MISMATCH", d, a, b))
except Exception as e:
    print("failed: %r" % (e,))' "$c_ort" "$c_pt")"
  say "  $CHECK_LINE"
fi

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
for b in $BATCHES; do
  k="$(iters_for "$b")"
  for ((r = 1; r <= ROUNDS; r++)); do
    for e in $ENGINES; do run_engine "$e" "$b" "$k"; done
  done
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- report ---------------------------------------------------------------------
ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not installed"; }
ORT_VER="$(grep -o '"onnxruntime": *"[^"]*"' "$JSONL" | head -n1 | sed 's/.*: *"\(.*\)"/\1/')"
echo
echo "## ViT-B/16 fp32, 224×224, $THREADS threads, CPU"
echo
# Warn when something else was using the cores: 1-min load before the run at or above 1,
# or 15-min load after the run above this run's own THREADS.
if awk -v a="${LOAD_BEFORE%% *}" -v b="$(echo "$LOAD_AFTER" | cut -d' ' -f3)" -v t="$THREADS" 'BEGIN { exit !(a >= 1.0 || b > t + 0.5) }'; then
  echo "**WARNING: the machine was busy (load average before: $LOAD_BEFORE, after: $LOAD_AFTER, on $(nproc) CPUs). These figures are NOT representative of idle cores; re-run on an idle machine.**"
  echo
fi
"$PYTHON" "$BENCH_DIR/summarize.py" "$JSONL"
echo
echo "Machine and versions:"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -n1) (family $(lscpu | sed -n 's/^CPU family: *//p' | head -n1) model $(lscpu | sed -n 's/^Model: *//p' | head -n1), $(lscpu | sed -n 's/^Thread(s) per core: *//p' | head -n1) thread/core); nproc=$(nproc); flags: $(grep -o -w -E 'avx2|avx512f|avx512_bf16|avx512_vnni|amx_tile' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "- load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER"
echo "- kernel: $(uname -r); OS: $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "- dotnet: $(dotnet --version 2>/dev/null); ONNX Runtime (NuGet Microsoft.ML.OnnxRuntime): ${ORT_VER:-?}"
echo "- python3-torch $(ver python3-torch), python3-torchvision $(ver python3-torchvision), libopenblas0-pthread $(ver libopenblas0-pthread), python3-numpy $(ver python3-numpy)"
echo "- threads: $THREADS (OMP/OPENBLAS/MKL_NUM_THREADS=$THREADS, ORT intra-op $THREADS inter-op 1, torch.set_num_threads($THREADS)); warm-up $WARMUP; rounds $ROUNDS; cpuset ${CPUSET:-none}"
echo "- ONNX Runtime / PyTorch output cross-check: $CHECK_LINE"
echo "- raw JSON lines: ${JSONL#$REPO/}; log: ${LOG#$REPO/}"
