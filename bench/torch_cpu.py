#!/usr/bin/python3
"""Times PyTorch CPU inference of one bench model (random init, fp32, eval, inference_mode).

Prints ONE JSON line:
  {"engine":"pytorch","model":"vit_b_16","batch":..,"threads":..,"median_ms":..,
   "p90_ms":..,"min_ms":..,"images_per_s":..,"torch":version, ...}

Run with Debian's interpreter (/usr/bin/python3), not a pyenv shim:
  /usr/bin/python3 bench/torch_cpu.py --model efficientnet_b0 --batch 1 --threads 2 --iterations 20 --warmup 3

--model is a name from bench/models.py (default vit_b_16); the input size defaults to the
model's (600 for efficientnet_b7, 224 for most).
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="vit_b_16", help="bench/models.py name (or HipVision preset name)")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--size", type=int, default=None, help="input side (default: the model's)")
    ap.add_argument("--fill", type=float, default=None,
                    help="fill the input with this constant instead of random values (cross-check with OrtBench --fill)")
    ap.add_argument("--plain", action="store_true", help="vit_b_16 only: use the plain-torch ViT even if torchvision is present")
    args = ap.parse_args()

    # Pin every thread pool before torch loads its libraries.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))

    import numpy as np
    import torch
    import models

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    name = models.get(args.model).name
    if args.plain and name == "vit_b_16":
        from vit_model import build_vit_b_16
        model, source = build_vit_b_16(prefer_torchvision=False)
        size = 224
    else:
        model, size, source = models.build(name)
    if args.size is not None:
        size = args.size

    g = torch.Generator().manual_seed(1234)
    x = torch.rand(args.batch, 3, size, size, generator=g, dtype=torch.float32) * 2 - 1
    if args.fill is not None:
        x.fill_(args.fill)

    times = []
    with torch.inference_mode():
        for _ in range(args.warmup):
            y = model(x)
        for _ in range(args.iterations):
            t0 = time.perf_counter()
            y = model(x)
            times.append((time.perf_counter() - t0) * 1000.0)

    t = np.asarray(times)
    median = float(np.median(t))
    out = {
        "engine": "pytorch",
        "model": name,
        "input_size": size,
        "batch": args.batch,
        "threads": args.threads,
        "iterations": args.iterations,
        "median_ms": round(median, 3),
        "p90_ms": round(float(np.percentile(t, 90)), 3),
        "min_ms": round(float(t.min()), 3),
        "images_per_s": round(args.batch * 1000.0 / median, 3),
        "torch": torch.__version__,
        "model_source": source,
        "output_shape": list(y.shape),
        "logits_head": [round(float(v), 5) for v in y[0, :4]],
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
