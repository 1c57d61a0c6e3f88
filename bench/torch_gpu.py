#!/usr/bin/env python3
"""PyTorch eager baseline for the GPU validation kit (bench/gpu_validate.sh): the real Hugging Face model classes
(ViTForImageClassification, EfficientNetForImageClassification, ...) built from a fixture's config.json, filled with
the hv-synth-v2 weights that `hipvision bench --arch NAME --synthetic SEED` uses, fed the hv-synth-v2 pixel_values,
timed with CUDA events, at fp32/fp16/bf16 (model and input cast with .to(dtype)).

Prints ONE JSON line per (model, batch, precision):
  {"engine":"pytorch-eager","model":"efficientnet-b7","batch":64,"precision":"bf16","device":"NVIDIA H200",
   "median_ms":..,"p90_ms":..,"min_ms":..,"images_per_s":..,"torch":..,"transformers":..,"weights":"hv-synth-v2 seed 1",
   "weights_crc_ok":true,"fixture_rel_err":..,"logits_head":[..]}
fixture_rel_err: max|logits - fixture logits| / max|fixture logits| over the fixture's images (the pixel tensor of a
batch starts with them), when the fixture has logits.npy; a check that formula, config and model agree.

  python3 bench/torch_gpu.py --model vit-base-patch16-224 efficientnet-b7 --batch 1 64 --precision fp32 fp16 bf16
  python3 bench/torch_gpu.py --self-test          # the weight formula against every fixture's CRC-32 manifest (no
                                                  # transformers, no GPU: runs anywhere with numpy)

--model takes fixture names under --fixtures (default tests/fixtures/models beside this repo) or directories holding a
config.json (and optionally state_dict_manifest.json, pixel_values.npy, logits.npy). The formula is
tests/fixtures/README.md's "hv-synth-v2" (src/HipVision/Weights/HvSynth.cs is the engine's copy).
"""
import argparse
import copy
import gzip
import json
import math
import os
import sys
import time
import zlib

import numpy as np

FORMULA = "hv-synth-v2"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DTYPES = ("fp32", "fp16", "bf16")

# ---------------------------------------------------------------------------------------------------------------------
# hv-synth-v2 (tests/fixtures/README.md): a pure function of name, shape and seed. uint64 arithmetic wraps mod 2^64;
# float arithmetic is double without FMA (numpy evaluates one operation at a time), then one rounding to float32.
# ---------------------------------------------------------------------------------------------------------------------

MASK = (1 << 64) - 1


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def offset_scale(name, shape):
    """The formula's (offset, scale) rule table, first match wins, on the last dot-separated component."""
    leaf = name.rsplit(".", 1)[-1]
    if leaf == "running_var":
        return 1.0, 0.5
    if leaf == "running_mean":
        return 0.0, 0.003
    if len(shape) == 1 and (leaf == "weight" or leaf.startswith("lambda")):
        return 1.0, 0.1
    if leaf == "bias":
        return 0.0, 0.003
    fan_in = 1
    for d in shape[1:]:
        fan_in *= int(d)
    return 0.0, math.sqrt(5.5 / float(fan_in))


def synth(name, shape, seed, offset=None, scale=None):
    """float32 ndarray of the formula for one tensor (offset/scale given: the pixel_values rule)."""
    if offset is None:
        offset, scale = offset_scale(name, shape)
    n = 1
    for d in shape:
        n *= int(d)
    s = np.uint64(fnv1a64(name) ^ (seed & MASK))
    with np.errstate(over="ignore"):
        i = np.arange(1, n + 1, dtype=np.uint64)
        x = s + i * np.uint64(0x9E3779B97F4A7C15)
        z = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)
    v = 2.0 * u - 1.0
    value = offset + scale * v          # two roundings in double, as the formula says
    return value.astype(np.float32).reshape([int(d) for d in shape])


def pixel_values(batch, channels, height, width, seed):
    return synth("pixel_values", (batch, channels, height, width), seed, offset=0.0, scale=1.0)


def crc32_f32(a):
    return zlib.crc32(np.ascontiguousarray(a, dtype="<f4").tobytes()) & 0xFFFFFFFF


# ---------------------------------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------------------------------

def model_dir(name, fixtures):
    if os.path.isfile(os.path.join(name, "config.json")):
        return os.path.abspath(name)
    d = os.path.join(fixtures, name)
    if not os.path.isfile(os.path.join(d, "config.json")):
        raise SystemExit(f"torch_gpu.py: no config.json for model '{name}' (looked in {d})")
    return d


def manifest(d):
    path = os.path.join(d, "state_dict_manifest.json")
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        m = json.load(f)
    return m["entries"] if isinstance(m, dict) and "entries" in m else m


def self_test(fixtures, seed):
    """Every float tensor of every fixture manifest regenerated and compared by CRC-32; pixel_values by value."""
    bad = checked = 0
    for name in sorted(os.listdir(fixtures)):
        d = os.path.join(fixtures, name)
        entries = manifest(d)
        if entries is None:
            continue
        fixture_seed = seed
        fj = os.path.join(d, "fixture.json")
        if os.path.isfile(fj):
            with open(fj) as f:
                fixture_seed = int(json.load(f).get("seed", seed))
        for e in entries:
            if e.get("dtype") not in ("float32", "torch.float32", "F32"):
                continue
            got = crc32_f32(synth(e["name"], e["shape"], fixture_seed))
            want = int(e["crc32"], 16) if isinstance(e["crc32"], str) else int(e["crc32"])
            checked += 1
            if got != want:
                bad += 1
                print(f"MISMATCH {name}: {e['name']} {e['shape']} crc32 {got:08x} != {want:08x}", file=sys.stderr)
        px = os.path.join(d, "pixel_values.npy")
        if os.path.isfile(px) or os.path.isfile(px + ".gz"):
            if os.path.isfile(px):
                want = np.load(px)
            else:
                with gzip.open(px + ".gz") as f:
                    want = np.load(f)
            got = pixel_values(*want.shape, fixture_seed)
            checked += 1
            if not np.array_equal(got, want):
                bad += 1
                print(f"MISMATCH {name}: pixel_values", file=sys.stderr)
        print(f"{name}: {len(entries)} manifest entries checked", flush=True)
    print(json.dumps({"self_test": FORMULA, "checked": checked, "mismatches": bad}), flush=True)
    return 1 if bad or not checked else 0


# ---------------------------------------------------------------------------------------------------------------------
# Models and timing
# ---------------------------------------------------------------------------------------------------------------------

def require_transformers():
    try:
        import transformers  # noqa: F401
    except ImportError as e:
        raise SystemExit(
            "torch_gpu.py: Hugging Face transformers is not installed in this Python "
            f"({sys.executable}: {e}). The GPU machine's image has it; elsewhere install transformers, or run "
            "--self-test, which needs only numpy.")
    return transformers


def build_model(d, seed, torch, transformers):
    """The HF *ForImageClassification of d's config.json with hv-synth-v2 weights; (model, config, crc_ok or None)."""
    config = transformers.AutoConfig.from_pretrained(d)
    model = transformers.AutoModelForImageClassification.from_config(config)
    model.eval()
    state = model.state_dict()
    filled = {}
    for name, t in state.items():
        if t.is_floating_point():
            filled[name] = torch.from_numpy(synth(name, tuple(t.shape), seed))
    missing, unexpected = model.load_state_dict(filled, strict=False)
    not_float = [k for k in missing if state[k].is_floating_point()]
    if not_float or unexpected:
        raise SystemExit(f"torch_gpu.py: state_dict mismatch in {d}: missing {not_float[:5]}, unexpected {unexpected[:5]}")
    crc_ok = None
    entries = manifest(d)
    if entries is not None:
        by_name = {e["name"]: e for e in entries}
        crc_ok = True
        for name, a in filled.items():
            e = by_name.get(name)
            want = None if e is None else (int(e["crc32"], 16) if isinstance(e["crc32"], str) else int(e["crc32"]))
            if e is None or want != crc32_f32(a.numpy()):
                crc_ok = False
                print(f"torch_gpu.py: {os.path.basename(d)}: {name} differs from the fixture manifest", file=sys.stderr)
                break
    return model, config, crc_ok


def input_shape(config, batch):
    size = getattr(config, "image_size", 224)
    return batch, getattr(config, "num_channels", 3), size, size


def percentile(sorted_ms, q):
    pos = q * (len(sorted_ms) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(sorted_ms) - 1)
    return sorted_ms[lo] + (sorted_ms[hi] - sorted_ms[lo]) * (pos - lo)


def time_forward(model, x, iterations, warmup, torch, cuda):
    """Milliseconds per forward pass: CUDA events on the GPU (each run bracketed, synchronised), perf_counter on CPU."""
    times = []
    with torch.inference_mode():
        for _ in range(warmup):
            y = model(pixel_values=x).logits
        if cuda:
            torch.cuda.synchronize()
        for _ in range(iterations):
            if cuda:
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                y = model(pixel_values=x).logits
                end.record()
                end.synchronize()
                times.append(start.elapsed_time(end))
            else:
                t0 = time.perf_counter()
                y = model(pixel_values=x).logits
                times.append((time.perf_counter() - t0) * 1000.0)
    return sorted(times), y


def run(args):
    transformers = require_transformers()
    import torch

    cuda = args.device.startswith("cuda")
    if cuda and not torch.cuda.is_available():
        raise SystemExit("torch_gpu.py: --device cuda but torch sees no GPU (use --device cpu to try the script)")
    device = torch.device(args.device)
    device_name = torch.cuda.get_device_name(device) if cuda else "cpu"
    dtypes = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
    torch.backends.cuda.matmul.allow_tf32 = False   # fp32 means fp32, as HipVision's fp32 kernels compute it
    torch.backends.cudnn.allow_tf32 = False
    rc = 0
    for name in args.model:
        d = model_dir(name, args.fixtures)
        t0 = time.perf_counter()
        model32, config, crc_ok = build_model(d, args.seed, torch, transformers)
        build_s = time.perf_counter() - t0
        ref = os.path.join(d, "logits.npy")
        ref_logits = np.load(ref) if os.path.isfile(ref) else None
        for precision in args.precision:
            dtype = dtypes[precision]
            # nn.Module.to converts in place: each precision gets its own copy of the fp32 CPU model.
            model = copy.deepcopy(model32).to(device=device, dtype=dtype)
            for batch in args.batch:
                x32 = torch.from_numpy(pixel_values(*input_shape(config, batch), args.seed))
                try:
                    x = x32.to(device=device, dtype=dtype)
                    iters = args.iterations if batch <= 8 else max(3, args.iterations // 4)
                    times, y = time_forward(model, x, iters, args.warmup, torch, cuda)
                except RuntimeError as e:   # out of memory, an op without a kernel at this dtype: one line, go on
                    print(json.dumps({"engine": "pytorch-eager", "model": os.path.basename(d), "batch": batch,
                                      "precision": precision, "device": device_name, "error": str(e).splitlines()[0]}),
                          flush=True)
                    rc = 1
                    if cuda:
                        torch.cuda.empty_cache()
                    continue
                logits = y.float().cpu().numpy()
                rel = None
                if ref_logits is not None:
                    k = min(len(ref_logits), batch)
                    rel = float(np.abs(logits[:k] - ref_logits[:k]).max() / max(np.abs(ref_logits[:k]).max(), 1e-30))
                median = percentile(times, 0.5)
                print(json.dumps({
                    "engine": "pytorch-eager", "model": os.path.basename(d), "batch": batch, "precision": precision,
                    "device": device_name, "iterations": len(times), "warmup": args.warmup,
                    "median_ms": round(median, 4), "p90_ms": round(percentile(times, 0.9), 4),
                    "min_ms": round(times[0], 4), "images_per_s": round(batch * 1000.0 / median, 2),
                    "torch": torch.__version__, "transformers": transformers.__version__,
                    "weights": f"{FORMULA} seed {args.seed}", "weights_crc_ok": crc_ok,
                    "model_build_s": round(build_s, 2), "fixture_rel_err": rel,
                    "logits_head": [round(float(v), 6) for v in logits[0, :4]],
                }), flush=True)
            del model
            if cuda:
                torch.cuda.empty_cache()
        del model32
        if cuda:
            torch.cuda.empty_cache()
    return rc


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", nargs="+", default=["vit-base-patch16-224", "efficientnet-b7"])
    ap.add_argument("--batch", nargs="+", type=int, default=[1, 64])
    ap.add_argument("--precision", nargs="+", choices=DTYPES, default=list(DTYPES))
    ap.add_argument("--iterations", type=int, default=20, help="timed runs at batch <= 8 (a quarter, at least 3, above)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1, help="hv-synth-v2 seed (hipvision bench --synthetic SEED)")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--fixtures", default=os.path.join(REPO, "tests", "fixtures", "models"))
    ap.add_argument("--self-test", action="store_true", help="check the weight formula against the fixture manifests and exit")
    args = ap.parse_args()
    if any(b < 1 for b in args.batch) or args.iterations < 1 or args.warmup < 0:
        ap.error("--batch and --iterations must be >= 1, --warmup >= 0")
    sys.exit(self_test(args.fixtures, args.seed) if args.self_test else run(args))


if __name__ == "__main__":
    main()
