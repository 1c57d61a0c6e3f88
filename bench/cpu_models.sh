#!/usr/bin/env bash
# Side-by-side CPU benchmark of every model family (fp32, random weights):
# ONNX Runtime C# (bench/OrtBench), PyTorch CPU (bench/torch_cpu.py) and HipVision
# (`hipvision bench --arch PRESET --synthetic 1 ...`), per model and batch size, engines
# interleaved, in one invocation. Prints one Markdown table plus machine info; raw JSON
# lines go to bench/out/cpu_models-<stamp>.jsonl.
#
#   bash bench/cpu_models.sh                                  # the default PLAN below
#   PLAN="efficientnet_b0:1,8 mobilenet_v1:1" bash bench/cpu_models.sh
#   MODELS="efficientnet_b0 mobilenet_v1" BATCHES="1 8" bash bench/cpu_models.sh
#   ITERATIONS=3 WARMUP=1 bash bench/cpu_models.sh            # quick smoke run
#
# Environment:
#   PLAN         space-separated MODEL:B1,B2,... entries, run in this order (default below);
#                MODEL is a bench/models.py name (`/usr/bin/python3 bench/models.py` lists them)
#   MODELS       alternative to PLAN: these models, each at every size in BATCHES
#   BATCHES      batch sizes used with MODELS (default "1 8")
#   THREADS      intra-op threads for every engine (default 2)
#   ITERATIONS   timed iterations per run; default by cost of one pass (GMAC x batch):
#                >= 30 GMAC: 10, >= 3: 20, >= 1: 50, else 100
#   WARMUP       warm-up iterations per run (default 3)
#   ROUNDS       how many times the whole engine cycle is repeated per (model, batch)
#                (default 1); the table shows the median over rounds
#   ENGINES      subset/order of "onnxruntime pytorch hipvision" (default all three)
#   HIPVISION    command that runs the HipVision CLI; default builds src/HipVision.Cli
#                in Release once and uses `dotnet run --no-build -c Release --project src/HipVision.Cli --`
#   CPUSET       optional taskset CPU list (e.g. "0-1") applied to every engine
#   CHECK        1 (default): before timing a model, run ONNX Runtime and PyTorch once on a
#                constant input and compare the first logits (proves the ONNX file is the same model)
#   RUN_TIMEOUT  seconds after which one engine run is killed and reported as failed (default 900)
#   TITLE        heading of the table
#   PYTHON       interpreter with Debian's torch (default /usr/bin/python3, NOT a pyenv shim)
set -uo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
cd "$REPO"

DEFAULT_PLAN="efficientnet_b7:1 efficientnet_b0:1,8 mobilenet_v1:1,8 mobilenet_v2:1 beit_b_16:1,8 vit_b_16:1,8"
if [[ -n "${MODELS:-}" ]]; then
  PLAN=""
  for m in $MODELS; do PLAN+="$m:$(echo ${BATCHES:-1 8} | tr -s ' ' ',') "; done
fi
PLAN="${PLAN:-$DEFAULT_PLAN}"
THREADS="${THREADS:-2}"
WARMUP="${WARMUP:-3}"
ROUNDS="${ROUNDS:-1}"
ENGINES="${ENGINES:-onnxruntime pytorch hipvision}"
PYTHON="${PYTHON:-/usr/bin/python3}"
RUN_TIMEOUT="${RUN_TIMEOUT:-900}"
TITLE="${TITLE:-CPU comparison, fp32, random weights, $THREADS threads}"
MODEL_DIR="$BENCH_DIR/models"
OUT_DIR="$BENCH_DIR/out"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
JSONL="$OUT_DIR/cpu_models-$STAMP.jsonl"
LOG="$OUT_DIR/cpu_models-$STAMP.log"
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
has_engine() { [[ " $ENGINES " == *" $1 "* ]]; }

# --- the plan: model -> batches, input size, HipVision preset, reference flag, GMAC ----------
if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
  say "error: $PYTHON cannot import torch; run: bash bench/setup.sh"; exit 1
fi
declare -A SIZE ARCH REF GMAC BATCHES_OF
PLAN_MODELS=()
for entry in $PLAN; do
  m="${entry%%:*}"; bs="${entry#*:}"; [[ "$entry" == *:* ]] || bs="1"
  read -r size arch ref gmac < <("$PYTHON" "$BENCH_DIR/models.py" --info "$m" 2>>"$LOG") || true
  if [[ -z "${size:-}" ]]; then say "error: unknown model '$m' in PLAN (see: $PYTHON bench/models.py)"; exit 1; fi
  SIZE[$m]="$size"; ARCH[$m]="$arch"; REF[$m]="$ref"; GMAC[$m]="$gmac"; BATCHES_OF[$m]="${bs//,/ }"
  PLAN_MODELS+=("$m")
  unset size arch ref gmac
done
say "plan: $PLAN"

iters_for() {  # model batch
  if [[ -n "${ITERATIONS:-}" ]]; then echo "$ITERATIONS"; return; fi
  awk -v g="${GMAC[$1]}" -v b="$2" 'BEGIN { c = g * b; print (c >= 30 ? 10 : c >= 3 ? 20 : c >= 1 ? 50 : 100) }'
}

# --- preparation (not timed) -------------------------------------------------
if has_engine onnxruntime; then
  for m in "${PLAN_MODELS[@]}"; do
    if [[ ! -s "$MODEL_DIR/$m.onnx" ]]; then
      say "exporting ONNX model $m to $MODEL_DIR/$m.onnx ..."
      "$PYTHON" "$BENCH_DIR/export_onnx.py" --model "$m" --out "$MODEL_DIR/$m.onnx" >> "$LOG" 2>&1 \
        || say "error: ONNX export of $m failed (see $LOG); its ONNX Runtime rows will be missing"
    fi
  done
  say "building bench/OrtBench (Release) ..."
  dotnet build -c Release "$BENCH_DIR/OrtBench/OrtBench.csproj" >> "$LOG" 2>&1 || { say "error: OrtBench build failed (see $LOG)"; exit 1; }
  ORT_CMD=(dotnet "$BENCH_DIR/OrtBench/bin/Release/net10.0/ortbench.dll")
fi
HIPVISION_OK=1
if has_engine hipvision; then
  if [[ -n "${HIPVISION:-}" ]]; then
    read -r -a HIP_CMD <<< "$HIPVISION"
  else
    say "building src/HipVision.Cli (Release) ..."
    if dotnet build -c Release src/HipVision.Cli/HipVision.Cli.csproj >> "$LOG" 2>&1; then
      HIP_CMD=(dotnet run --no-build -c Release --project src/HipVision.Cli --)
    else
      say "HipVision: build failed (see $LOG); HipVision rows will be 'not run'"
      HIPVISION_OK=0
    fi
  fi
fi

# --- one engine run -> one JSON line in $JSONL ---------------------------------
record() {  # json-or-empty engine model batch error-or-empty
  "$PYTHON" - "$@" "${SIZE[$3]}" "${REF[$3]}" "${ARCH[$3]}" "$THREADS" >> "$JSONL" <<'PY'
import json, sys
js, engine, model, batch, err, size, ref, arch, threads = sys.argv[1:10]
r = json.loads(js) if js else {}
if err:
    r = {"engine": engine, "model": model, "batch": int(batch), "error": err}
# Normalise: HipVision may name fields its own way or call the model by its preset name.
r.setdefault("engine", engine); r.setdefault("batch", int(batch)); r.setdefault("threads", int(threads))
r["bench_model"] = model; r["input_size"] = int(size); r["reference"] = ref == "1"
if arch != "-":
    r["hipvision_arch"] = arch
print(json.dumps(r))
PY
}

run_engine() {  # engine model batch iterations
  local engine="$1" m="$2" b="$3" k="$4" out rc json
  local cmd=()
  case "$engine" in
    onnxruntime)
      if [[ ! -s "$MODEL_DIR/$m.onnx" ]]; then record "" "$engine" "$m" "$b" "no ONNX file (export failed)"; return; fi
      cmd=("${ORT_CMD[@]}" --model "$MODEL_DIR/$m.onnx" --model-name "$m" --size "${SIZE[$m]}" --batch "$b" --threads "$THREADS" --iterations "$k" --warmup "$WARMUP") ;;
    pytorch)
      cmd=("$PYTHON" "$BENCH_DIR/torch_cpu.py" --model "$m" --batch "$b" --threads "$THREADS" --iterations "$k" --warmup "$WARMUP") ;;
    hipvision)
      if [[ "${ARCH[$m]}" == "-" ]]; then record "" hipvision "$m" "$b" "no HipVision preset (reference model)"; return; fi
      if [[ "$HIPVISION_OK" != 1 ]]; then record "" hipvision "$m" "$b" "HipVision CLI not built"; return; fi
      cmd=("${HIP_CMD[@]}" bench --arch "${ARCH[$m]}" --synthetic 1 --batch "$b" --iterations "$k" --threads "$THREADS" --json) ;;
    *) say "unknown engine $engine"; return ;;
  esac
  say "[$(date -u +%H:%M:%S)] $m $engine batch=$b iterations=$k: ${cmd[*]}"
  local errf; errf="$(mktemp)"
  out="$(timeout "$RUN_TIMEOUT" "${PIN[@]}" "${cmd[@]}" 2>"$errf")"; rc=$?
  cat "$errf" >> "$LOG"; echo "$out" >> "$LOG"
  json="$(printf '%s\n' "$out" | grep -E '^\{' | tail -n 1)"
  if [[ $rc -ne 0 || -z "$json" ]]; then
    local why="exit $rc, no JSON" last
    [[ $rc -eq 124 ]] && why="killed after ${RUN_TIMEOUT}s"
    # The engine's own last words (e.g. "unknown architecture ..."), for the table.
    last="$( { cat "$errf"; printf '%s\n' "$out"; } | grep -v '^[[:space:]]*$' | tail -n 1 | tr -d '|' | cut -c1-140)"
    [[ -n "$last" ]] && why="$why: $last"
    if [[ "$engine" == hipvision ]]; then
      say "  $m hipvision batch=$b: not run ($why) - going on"
    else
      say "  $m $engine batch=$b FAILED ($why) - going on"
    fi
    record "" "$engine" "$m" "$b" "$why"
    rm -f "$errf"
    return
  fi
  rm -f "$errf"
  record "$json" "$engine" "$m" "$b" ""
  say "  $json"
}

CHECK_LINES=()
cross_check() {  # model
  local m="$1" c_ort c_pt line
  [[ "${CHECK:-1}" == 1 ]] && has_engine onnxruntime && has_engine pytorch || return 0
  [[ -s "$MODEL_DIR/$m.onnx" ]] || { CHECK_LINES+=("$m: no ONNX file"); return 0; }
  say "cross-check $m: ONNX Runtime vs PyTorch logits on a constant input ..."
  c_ort="$(timeout "$RUN_TIMEOUT" "${ORT_CMD[@]}" --model "$MODEL_DIR/$m.onnx" --size "${SIZE[$m]}" --batch 1 --threads "$THREADS" --iterations 1 --warmup 1 --fill 0.5 2>>"$LOG" | grep -E '^\{' | tail -n1)"
  c_pt="$(timeout "$RUN_TIMEOUT" "$PYTHON" "$BENCH_DIR/torch_cpu.py" --model "$m" --batch 1 --threads "$THREADS" --iterations 1 --warmup 1 --fill 0.5 2>>"$LOG" | grep -E '^\{' | tail -n1)"
  line="$("$PYTHON" -c '
import json,sys
try:
    a=json.loads(sys.argv[1])["logits_head"]; b=json.loads(sys.argv[2])["logits_head"]
    d=max(abs(x-y) for x,y in zip(a,b))
    print("%s: max |ORT - PyTorch| over first logits = %.2g (ORT %s, PyTorch %s)" % ("OK" if d < 1e-3 else "MISMATCH", d, a, b))
except Exception as e:
    print("failed: %r" % (e,))' "$c_ort" "$c_pt")"
  say "  $m $line"
  CHECK_LINES+=("$m: $line")
}

# --- timed runs -----------------------------------------------------------------
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
for m in "${PLAN_MODELS[@]}"; do
  cross_check "$m"
  for b in ${BATCHES_OF[$m]}; do
    k="$(iters_for "$m" "$b")"
    for ((r = 1; r <= ROUNDS; r++)); do
      for e in $ENGINES; do run_engine "$e" "$m" "$b" "$k"; done
    done
  done
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- report ---------------------------------------------------------------------
ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not installed"; }
ORT_VER="$(grep -o '"onnxruntime": *"[^"]*"' "$JSONL" | head -n1 | sed 's/.*: *"\(.*\)"/\1/')"
echo
echo "## $TITLE"
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
echo "- threads: $THREADS (OMP/OPENBLAS/MKL_NUM_THREADS=$THREADS, ORT intra-op $THREADS inter-op 1, torch.set_num_threads($THREADS)); warm-up $WARMUP; iterations ${ITERATIONS:-by model cost}; rounds $ROUNDS; cpuset ${CPUSET:-none}"
echo "- plan: $PLAN"
echo "- OMP_WAIT_POLICY: ${OMP_WAIT_POLICY:-unset (libgomp default: spin, then sleep)}"
if ((${#CHECK_LINES[@]})); then
  echo "- ONNX Runtime / PyTorch output cross-check:"
  for l in "${CHECK_LINES[@]}"; do echo "  - $l"; done
else
  echo "- ONNX Runtime / PyTorch output cross-check: not run"
fi
echo "- raw JSON lines: ${JSONL#$REPO/}; log: ${LOG#$REPO/}"
